#!/usr/bin/env bash
# Benchmark: PostgreSQL behind PgBouncer vs. PostgreSQL directly, with a NEW connection per
# transaction (pgbench -C, built-in select-only script), same clients and duration for both.
# Both servers run from the platform's own rendered files (bench/DataTier). Prints both TPS
# figures and, as the last line, the ratio PgBouncer / direct; on stderr, the cores pgbench, PgBouncer
# and PostgreSQL used during each run (what limits it). Cleans up after itself.
# Needs: PostgreSQL server + pgbench (Debian: postgresql, postgresql-contrib), pgbouncer, dotnet.
# Knobs (env): CLIENTS (8), THREADS (2), DURATION seconds (15), SCALE (1), MEMORY_MB (512).
set -euo pipefail
cd "$(dirname "$0")/.."

CLIENTS=${CLIENTS:-8}
THREADS=${THREADS:-2}
DURATION=${DURATION:-15}
SCALE=${SCALE:-1}
MEMORY_MB=${MEMORY_MB:-512}

# shellcheck source=bench/datatier.sh
source bench/datatier.sh

# CPU seconds (user + system, with reaped children) of a process, from /proc.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f\n", ($14 + $15 + $16 + $17) / hz }' "/proc/$1/stat"; }
# The same for a process and its live children too (PostgreSQL's backends, pooled ones included).
tree_cpu() {
  local live
  live=$(cat /proc/[0-9]*/stat 2>/dev/null | awk -v parent="$1" -v hz="$(getconf CLK_TCK)" \
    '{ sub(/^.*\) /, ""); if ($2 == parent) t += ($12 + $13) } END { printf "%.3f\n", t / hz }')
  awk -v a="$(cpu "$1")" -v b="$live" 'BEGIN { print a + b }'
}

# run <port> <label>: prints the tps figure; writes where the CPU went to stderr (what limits the run:
# the pgbench client's own SCRAM and connection setup, PgBouncer, or PostgreSQL forking backends).
run() {
  local b0 p0 start bench client=0 b1 p1 elapsed
  b0=$(cpu "$BOUNCER_PID"); p0=$(tree_cpu "$PG_PID"); start=$(date +%s.%N)
  "$PG_BIN/pgbench" -n -C -S -c "$CLIENTS" -j "$THREADS" -T "$DURATION" -p "$1" >"$WORK/pgbench-$2.out" 2>&1 &
  bench=$!
  while kill -0 "$bench" 2>/dev/null; do client=$(cpu "$bench" 2>/dev/null || echo "$client"); sleep 0.5; done
  wait "$bench" || true
  b1=$(cpu "$BOUNCER_PID"); p1=$(tree_cpu "$PG_PID"); elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { print e - s }')
  awk -v l="$2" -v c="$client" -v b="$(awk -v x="$b0" -v y="$b1" 'BEGIN { print y - x }')" -v p="$(awk -v x="$p0" -v y="$p1" 'BEGIN { print y - x }')" -v t="$elapsed" \
    'BEGIN { printf "  %-13s cores used: pgbench %.2f, PgBouncer %.2f, PostgreSQL with its backends %.2f\n", l, c / t, b / t, p / t }' >&2
  awk '/^tps = / { print $3; exit }' "$WORK/pgbench-$2.out"
}
echo "pgbench -C -S (new connection per transaction, SCRAM-SHA-256), $CLIENTS clients, $THREADS threads, ${DURATION}s, scale $SCALE" >&2
VIA_BOUNCER=$(run "$BOUNCER_PORT" "via PgBouncer")
DIRECT=$(run "$PG_PORT" direct)
[ -n "$VIA_BOUNCER" ] && [ -n "$DIRECT" ] || { echo "pgbench failed" >&2; tail -n 20 "$WORK/pgbouncer.log" "$WORK/postgres.log" >&2; exit 1; }
echo "tps via PgBouncer: $VIA_BOUNCER"
echo "tps direct:        $DIRECT"
awk -v b="$VIA_BOUNCER" -v d="$DIRECT" 'BEGIN { printf "%.2f\n", b / d }'
