#!/usr/bin/env bash
# Benchmark: PostgreSQL behind PgBouncer vs. PostgreSQL directly, with a NEW connection per
# transaction (pgbench -C, built-in select-only script), same clients and duration for both.
# Both servers run from the platform's own rendered files (bench/DataTier). Prints both TPS
# figures and, as the last line, the ratio PgBouncer / direct. Cleans up after itself.
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

run() { # $1 = port; prints the tps figure
  "$PG_BIN/pgbench" -n -C -S -c "$CLIENTS" -j "$THREADS" -T "$DURATION" -p "$1" 2>/dev/null \
    | awk '/^tps = / { print $3; exit }'
}
echo "pgbench -C -S (new connection per transaction, SCRAM-SHA-256), $CLIENTS clients, $THREADS threads, ${DURATION}s, scale $SCALE" >&2
VIA_BOUNCER=$(run "$BOUNCER_PORT")
DIRECT=$(run "$PG_PORT")
[ -n "$VIA_BOUNCER" ] && [ -n "$DIRECT" ] || { echo "pgbench failed" >&2; tail -n 20 "$WORK/pgbouncer.log" "$WORK/postgres.log" >&2; exit 1; }
echo "tps via PgBouncer: $VIA_BOUNCER"
echo "tps direct:        $DIRECT"
awk -v b="$VIA_BOUNCER" -v d="$DIRECT" 'BEGIN { printf "%.2f\n", b / d }'
