#!/usr/bin/env bash
# Benchmark: does pooling hold PostgreSQL's connections down? 100 concurrent clients (pgbench,
# built-in select-only script, connections kept open) through the rendered PgBouncer (transaction
# mode, default_pool_size 20) vs. 100 direct connections to PostgreSQL (max_connections raised so
# it allows them). While each run lasts, samples every second PgBouncer's SHOW POOLS (server
# connections of the bench pool) and PostgreSQL's client backends (pg_stat_activity), and reports
# the maxima, both TPS figures and the ratio PgBouncer / direct. Cleans up after itself.
# Needs: PostgreSQL server + pgbench, pgbouncer, dotnet. Knobs (env): CLIENTS (100), THREADS (2),
# DURATION seconds (20), SCALE (1), MEMORY_MB (512).
set -euo pipefail
cd "$(dirname "$0")/.."

CLIENTS=${CLIENTS:-100}
THREADS=${THREADS:-2}
DURATION=${DURATION:-20}
SCALE=${SCALE:-1}
MEMORY_MB=${MEMORY_MB:-512}
# Room for every direct client plus the sampler and superuser slots; the role may use them all.
MAX_CONNECTIONS=$((CLIENTS + 20))
ROLE_CONNECTION_LIMIT=$((CLIENTS + 10))

# shellcheck source=bench/datatier.sh
source bench/datatier.sh

# Server connections PgBouncer holds for the bench pool: every sv_* state column of SHOW POOLS.
bouncer_servers() {
  PGPASSWORD=$BENCH_STATS_PASSWORD "$PG_BIN/psql" -X -A -F, -h 127.0.0.1 -p "$BOUNCER_PORT" -U pgbouncer_stats -d pgbouncer -c "SHOW POOLS" 2>/dev/null \
    | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^sv_(active|idle|used|tested|login)$/) col[i] = 1; next }
               $1 == "bench" { n = 0; for (i in col) n += $i; print n; exit }'
}
postgres_clients() {
  "${RUN_AS[@]}" "$PG_BIN/psql" -X -A -t -h "$WORK/sock" -p "$PG_PORT" -U postgres -d postgres \
    -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND usename = 'bench'" 2>/dev/null
}

# run <port> <label>: pgbench in the background, one sample a second; prints "tps max_pool max_pg"
run() {
  "$PG_BIN/pgbench" -n -S -c "$CLIENTS" -j "$THREADS" -T "$DURATION" -p "$1" >"$WORK/pgbench-$2.out" 2>&1 &
  local bench=$! max_pool=0 max_pg=0 v
  while kill -0 "$bench" 2>/dev/null; do
    v=$(bouncer_servers || true); [ -n "$v" ] && [ "$v" -gt "$max_pool" ] && max_pool=$v
    v=$(postgres_clients || true); [ -n "$v" ] && [ "$v" -gt "$max_pg" ] && max_pg=$v
    sleep 1
  done
  wait "$bench" || { cat "$WORK/pgbench-$2.out" >&2; exit 1; }
  echo "$(awk '/^tps = / { print $3; exit }' "$WORK/pgbench-$2.out") $max_pool $max_pg"
}

echo "pgbench -S, $CLIENTS clients kept connected, $THREADS threads, ${DURATION}s, scale $SCALE; PgBouncer transaction mode, default_pool_size $(awk -F' = ' '$1 == "default_pool_size" { print $2 }' "$WORK/pgbouncer.ini")" >&2
# Direct first: afterwards PgBouncer keeps its pool's server connections open (min_pool_size,
# server_idle_timeout), which would otherwise be counted among the direct run's backends.
read -r D_TPS _ D_PG < <(run "$PG_PORT" direct)
read -r B_TPS B_POOL B_PG < <(run "$BOUNCER_PORT" bouncer)
printf '%-16s %10s %28s %34s\n' "path" "tps" "max PgBouncer server conns" "max PostgreSQL client backends"
printf '%-16s %10s %28s %34s\n' "via PgBouncer" "$B_TPS" "$B_POOL" "$B_PG"
printf '%-16s %10s %28s %34s\n' "direct" "$D_TPS" "-" "$D_PG"
awk -v b="$B_TPS" -v d="$D_TPS" 'BEGIN { printf "ratio PgBouncer / direct: %.2f\n", b / d }'
