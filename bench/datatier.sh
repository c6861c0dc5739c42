# Shared by bench/pgbouncer.sh and bench/pooling.sh (sourced, not run): starts PostgreSQL and
# PgBouncer on free loopback ports from the platform's own rendered files (bench/DataTier), as the
# postgres OS user when run as root, provisions the bench role/database and initialises pgbench.
# Reads: SCALE, MEMORY_MB, and optionally MAX_CONNECTIONS and ROLE_CONNECTION_LIMIT (render args).
# Sets: PG_BIN, WORK, PG_PORT, BOUNCER_PORT, RUN_AS, BENCH_STATS_PASSWORD and the PG* client env;
# registers a cleanup trap that stops both servers and removes the temp directories.
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
[ -x "$PG_BIN/postgres" ] || { echo "PostgreSQL server binaries not found (set PG_BIN)" >&2; exit 1; }
[ -x "$PG_BIN/pgbench" ] || { echo "pgbench not found in $PG_BIN" >&2; exit 1; }
PGBOUNCER=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
[ -x "$PGBOUNCER" ] || { echo "pgbouncer not found" >&2; exit 1; }

# PostgreSQL refuses to run as root: run the servers as the postgres OS user when we are root.
if [ "$(id -u)" = 0 ]; then
  RUN_AS=(setpriv --reuid=postgres --regid=postgres --init-groups --)
  OWNER=postgres
else
  RUN_AS=()
  OWNER=$(id -un)
fi

WORK=$(mktemp -d /tmp/pgbench-XXXXXX)
HELPER=$(mktemp -d /tmp/pgbench-helper-XXXXXX)
PG_PID=""
BOUNCER_PID=""
cleanup() {
  set +e
  [ -n "$BOUNCER_PID" ] && kill -INT "$BOUNCER_PID" 2>/dev/null && wait "$BOUNCER_PID" 2>/dev/null
  [ -n "$PG_PID" ] && kill -INT "$PG_PID" 2>/dev/null && wait "$PG_PID" 2>/dev/null
  rm -rf "$WORK" "$HELPER"
}
trap cleanup EXIT INT TERM

echo "building the render helper..." >&2
dotnet build bench/DataTier/DataTier.csproj -c Release -o "$HELPER" -nologo -v quiet >/dev/null
helper() { dotnet "$HELPER/DataTier.dll" "$@"; }

PG_PORT=$(helper free-port)
BOUNCER_PORT=$(helper free-port)
while [ "$BOUNCER_PORT" = "$PG_PORT" ]; do BOUNCER_PORT=$(helper free-port); done
export BENCH_APP_PASSWORD=$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)
export BENCH_STATS_PASSWORD=$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)

mkdir -p "$WORK/sock" "$WORK/data"
chmod 700 "$WORK" "$WORK/data" "$WORK/sock"
BENCH_MAX_CONNECTIONS=${MAX_CONNECTIONS:-} BENCH_ROLE_CONNECTION_LIMIT=${ROLE_CONNECTION_LIMIT:-} \
  helper render "$WORK" "$PG_PORT" "$BOUNCER_PORT" "$MEMORY_MB"
chmod 600 "$WORK"/*.conf "$WORK"/*.ini "$WORK"/*.txt "$WORK"/*.sql
chown -R "$OWNER": "$WORK"

"${RUN_AS[@]}" "$PG_BIN/initdb" -D "$WORK/data" -U postgres --auth=peer -E UTF8 --locale=C --no-sync >/dev/null
cp "$WORK/postgresql.conf" "$WORK/pg_hba.conf" "$WORK/data/"
chown "$OWNER": "$WORK/data/postgresql.conf" "$WORK/data/pg_hba.conf"
"${RUN_AS[@]}" "$PG_BIN/postgres" -D "$WORK/data" >"$WORK/postgres.log" 2>&1 &
PG_PID=$!
for _ in $(seq 1 100); do "$PG_BIN/pg_isready" -q -h "$WORK/sock" -p "$PG_PORT" && break; sleep 0.1; done
"$PG_BIN/pg_isready" -q -h "$WORK/sock" -p "$PG_PORT" || { cat "$WORK/postgres.log" >&2; exit 1; }

"${RUN_AS[@]}" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$WORK/sock" -p "$PG_PORT" -d postgres -f "$WORK/provision.sql" >/dev/null

"${RUN_AS[@]}" "$PGBOUNCER" "$WORK/pgbouncer.ini" >"$WORK/pgbouncer.log" 2>&1 &
BOUNCER_PID=$!
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$BOUNCER_PORT") 2>/dev/null && break; sleep 0.1; done

export PGPASSWORD=$BENCH_APP_PASSWORD PGUSER=bench PGDATABASE=bench PGHOST=127.0.0.1
"$PG_BIN/pgbench" -i -q -s "$SCALE" -p "$PG_PORT" >/dev/null 2>&1

