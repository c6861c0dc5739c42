#!/usr/bin/env bash
# Measures, on this machine, how long the platform's PostgreSQL recovery paths take for a database of about 1 GB
# (pgbench scale 70): the nightly dump and its restore (the exact pg_dump / pg_restore options of
# stacks/Parts/Backups/Backups.cs), and pgBackRest's full base backup and restore to a moment (WAL replay included),
# with the options the platform renders (zstd, process-max 1; a local posix repository instead of the bucket).
# Not a test: it prints figures for docs/operations.md. Needs Debian's postgresql (15) and pgbackrest; run as root
# (the servers run as the postgres user). Usage: bash scripts/measure-restore.sh [scale]   (default 70)
set -euo pipefail
scale="${1:-70}"
bin="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}"
command -v pgbackrest >/dev/null || { echo "pgbackrest is not installed (apt-get install pgbackrest)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "run as root: the servers run as the postgres user" >&2; exit 1; }

work="$(mktemp -d /tmp/measure-restore.XXXXXX)"
chown postgres: "$work"; chmod 0700 "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
port2=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_pg() { runuser -u postgres -- env PGBACKREST_STANZA=platform PGBACKREST_REPO1_TYPE=posix PGBACKREST_REPO1_PATH="$work/repo" \
  PGBACKREST_PG1_PATH="$work/data" PGBACKREST_PG1_SOCKET_PATH="$work" PGBACKREST_PG1_PORT="$port" \
  PGBACKREST_COMPRESS_TYPE=zst PGBACKREST_PROCESS_MAX=1 PGBACKREST_REPO1_RETENTION_FULL=2 PGBACKREST_START_FAST=y \
  PGBACKREST_LOG_LEVEL_CONSOLE=warn PGBACKREST_LOG_LEVEL_FILE=off PGBACKREST_LOCK_PATH="$work/lock" PGBACKREST_SPOOL_PATH="$work/spool" \
  PGHOST="$work" PGPORT="$port" PGUSER=postgres "$@"; }
cleanup() {
  as_pg "$bin/pg_ctl" -D "$work/restored" -m immediate stop >/dev/null 2>&1 || true
  as_pg "$bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
took() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$2"; }
mb() { python3 -c "import sys; print(f'{int(sys.argv[1]) / 1048576:.0f}')" "$1"; }

echo "machine: $(nproc) CPU, $(free -m | awk '/Mem:/ {print $2}') MB RAM; PostgreSQL $("$bin/postgres" --version | awk '{print $3}'), $(pgbackrest version)"
as_pg mkdir -p "$work/repo" "$work/lock" "$work/spool"
as_pg "$bin/initdb" -D "$work/data" -A trust -U postgres >/dev/null
cat >> "$work/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$work'
port = $port
shared_buffers = 256MB
maintenance_work_mem = 256MB
max_wal_size = 1GB
wal_level = replica
archive_mode = on
archive_command = 'pgbackrest --stanza=platform archive-push %p'
archive_timeout = 60
EOF
as_pg "$bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w start >/dev/null
as_pg pgbackrest stanza-create
as_pg "$bin/createdb" app

t0=$(now); as_pg "$bin/pgbench" -i -q -s "$scale" app >/dev/null 2>&1; t1=$(now)
size=$(as_pg "$bin/psql" -XAtq -d app -c "select pg_database_size('app')")
rows=$(as_pg "$bin/psql" -XAtq -d app -c "select count(*) from pgbench_accounts")
echo "database: $(mb "$size") MB, $rows rows in pgbench_accounts (pgbench -i -s $scale: $(took "$t0" "$t1") s)"

t0=$(now); as_pg pgbackrest --type=full backup; t1=$(now)
echo "pgBackRest full base backup: $(took "$t0" "$t1") s, repository $(du -sm "$work/repo" | cut -f1) MB"

# Writes after the base backup: the restore replays them from the archived WAL up to the moment.
as_pg "$bin/pgbench" -n -c 2 -t 5000 app >/dev/null 2>&1
moment=$(as_pg "$bin/psql" -XAtq -d app -c "select to_char(clock_timestamp() at time zone 'utc', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")
expected=$(as_pg "$bin/psql" -XAtq -d app -c "select sum(abalance) from pgbench_accounts")
sleep 1
as_pg "$bin/pgbench" -n -c 2 -t 2000 app >/dev/null 2>&1
as_pg pgbackrest check
wal=$(du -sm "$work/repo/archive" | cut -f1)

t0=$(now); as_pg "$bin/pg_dump" --format=custom --no-password --lock-wait-timeout=300000 --dbname=app --file="$work/app.dump"; t1=$(now)
echo "pg_dump (custom format, the platform's options): $(took "$t0" "$t1") s, dump $(mb "$(stat -c %s "$work/app.dump")") MB"
as_pg "$bin/createdb" app_restored
t0=$(now)
as_pg "$bin/pg_restore" --no-password --clean --if-exists --single-transaction --exit-on-error --dbname=app_restored "$work/app.dump"
t1=$(now)
restored_rows=$(as_pg "$bin/psql" -XAtq -d app_restored -c "select count(*) from pgbench_accounts")
[ "$restored_rows" = "$rows" ] || { echo "dump restore gave $restored_rows rows, expected $rows" >&2; exit 1; }
echo "pg_restore into an empty database (the platform's options, one transaction): $(took "$t0" "$t1") s"

as_pg "$bin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null
as_pg mkdir -m 0700 "$work/restored"
t0=$(now)
as_pg env PGBACKREST_PG1_PATH="$work/restored" pgbackrest --type=time "--target=$moment" --target-action=promote restore
t1=$(now)
sed -i "s/^port = .*/port = $port2/" "$work/restored/postgresql.conf"
echo "archive_mode = off" >> "$work/restored/postgresql.conf"
as_pg env PGBACKREST_PG1_PATH="$work/restored" "$bin/pg_ctl" -D "$work/restored" -l "$work/restored.log" -t 3600 -w start >/dev/null
until [ "$(as_pg "$bin/psql" -p "$port2" -XAtq -d app -c 'select pg_is_in_recovery()' 2>/dev/null)" = f ]; do sleep 0.5; done
t2=$(now)
got=$(as_pg "$bin/psql" -p "$port2" -XAtq -d app -c "select sum(abalance) from pgbench_accounts")
[ "$got" = "$expected" ] || { echo "point-in-time restore gave sum(abalance)=$got, expected $expected (the state at the moment)" >&2; exit 1; }
echo "pgBackRest restore to a moment: files $(took "$t0" "$t1") s + WAL replay to the moment and promotion $(took "$t1" "$t2") s = $(took "$t0" "$t2") s ($wal MB of archived WAL in the repository; the state at the moment checked)"
