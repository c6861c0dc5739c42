#!/usr/bin/env bash
# Builds the local images the Docker tests and the rehearsal use, from this machine's own Debian packages:
# nothing is pulled. Each image is a root filesystem made of installed programs plus the shared libraries
# `ldd` lists (or one static binary), imported into the engine in DOCKER_HOST (`docker import`).
#
#   bash scripts/local-images.sh [--map FILE]
#
# Tags are platform-local/<name>:<content hash> (this script, the stand-in's C source, the packages'
# versions): an image whose tag exists is not built again, so repeated test runs against one engine
# pay once. --map writes the image map for `rehearse --images FILE` (YAML): pinned image → local image;
# `standIn: true` marks images that keep only the contract (ports, health command, user), not the program.
#
# Needs: docker.io (Debian's client, /usr/bin/docker), gcc (static libc), busybox-static, redis-server,
# redis-tools, postgresql (15), pgbouncer, prometheus, prometheus-node-exporter, prometheus-postgres-exporter,
# prometheus-redis-exporter, prometheus-mysqld-exporter.
set -euo pipefail
cd "$(dirname "$0")/.."

map=""
while [ $# -gt 0 ]; do
  case "$1" in
    --map) map=$2; shift 2 ;;
    *) echo "usage: $0 [--map FILE]" >&2; exit 2 ;;
  esac
done

docker=/usr/bin/docker
[ -x "$docker" ] || docker=$(command -v docker)
: "${DOCKER_HOST:?DOCKER_HOST is not set: start an engine first (eval \"\$(bash scripts/docker-engine.sh start)\")}"
busybox=/bin/busybox
[ -x "$busybox" ] || { echo "local-images: $busybox missing (apt-get install busybox-static)" >&2; exit 1; }

src=tests/Stacks.Tests/Docker/Images
versions=$(dpkg-query -W -f '${Package}=${Version}\n' busybox-static redis-server redis-tools postgresql-15 pgbouncer dash libc6 \
  prometheus prometheus-node-exporter prometheus-postgres-exporter prometheus-redis-exporter prometheus-mysqld-exporter 2>/dev/null || true)
hash=$( { cat "$0" "$src/standin.c"; echo "$versions"; } | sha256sum | cut -c1-12)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
started=$(date +%s.%N)
built=()

exists() { "$docker" image inspect "$1" >/dev/null 2>&1; }

# Copies programs and every shared library ldd lists for them (plus the dynamic loader) into $1.
copy_with_libs() {
  local root=$1; shift
  local f lib
  for f in "$@"; do
    mkdir -p "$root$(dirname "$f")"
    cp -L "$f" "$root$f"
  done
  # One ldd for every file (a process per file is slow); its "file:" header lines are not libraries.
  for lib in $(ldd "$@" 2>/dev/null | grep -v ':$' | grep -o '/[^ ]*' | sort -u); do
    [ -e "$root$lib" ] && continue
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}

# A busybox shell and the applets health commands and entrypoints use, under /bin (busybox's sh finds
# every other applet itself). One link per applet: a process each, so not all 400.
add_busybox() {
  local root=$1
  mkdir -p "$root/bin"
  cp "$busybox" "$root/bin/busybox"
  local applet
  for applet in sh wget grep kill pidof id chown cat test stat date ls ps sleep env nc; do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
  done
}

base_files() { # passwd/group with root and the given "name:uid:gid" users, /tmp
  local root=$1; shift
  mkdir -p "$root/etc" "$root/tmp" "$root/root"
  chmod 1777 "$root/tmp"
  echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
  echo "root:x:0:" >"$root/etc/group"
  local u
  for u in "$@"; do
    IFS=: read -r name uid gid <<<"$u"
    echo "$name:x:$uid:$gid:$name:/nonexistent:/sbin/nologin" >>"$root/etc/passwd"
    grep -q ":$gid:\$" "$root/etc/group" || echo "$name:x:$gid:" >>"$root/etc/group"
  done
}

import() { # $1 = name, $2 = rootfs, rest = --change lines
  local name=$1 root=$2; shift 2
  local tag="platform-local/$name:$hash" args=() c
  for c in "$@"; do args+=(--change "$c"); done
  tar -C "$root" -c . | "$docker" import "${args[@]}" - "$tag" >/dev/null
  built+=("$tag")
}

standin="$work/standin"
build_standin() {
  [ -x "$standin" ] || gcc -static -O2 -Wall -o "$standin" "$src/standin.c" 2>"$work/gcc.log" \
    || { cat "$work/gcc.log" >&2; exit 1; }
}

# The app with no shell and no HTTP client: one static binary (the contract: $PORT, GET /healthz → 200).
app_noshell() {
  exists "platform-local/app-noshell:$hash" && return 0
  build_standin
  local r="$work/app-noshell"; mkdir -p "$r/app"
  cp "$standin" "$r/app/server"
  import app-noshell "$r" 'ENTRYPOINT ["/app/server"]' 'USER 10001' 'ENV STANDIN_PORTS=8080 STANDIN_CHECK_PORT=8080'
}

# An ordinary app image: Debian's dash as /bin/sh, no curl, no wget (like Debian's -slim images), the
# server under the names app images start it by (python for a worker's `python -m … --healthcheck`).
app() {
  exists "platform-local/app:$hash" && return 0
  build_standin
  local r="$work/app"
  copy_with_libs "$r" /bin/dash
  ln -s dash "$r/bin/sh"
  mkdir -p "$r/app" "$r/usr/local/bin"
  cp "$standin" "$r/app/server"
  ln -s /app/server "$r/usr/local/bin/python"
  base_files "$r" app:10001:10001
  import app "$r" 'CMD ["/app/server"]' 'USER 10001' 'ENV PATH=/usr/local/bin:/usr/bin:/bin STANDIN_PORTS=8080 STANDIN_CHECK_PORT=8080'
}

# Stand-ins for images Debian lacks: busybox (the shell their health commands use) and the server under the
# program's name, listening on the program's ports.
standin_image() { # $1 = name, $2 = program path, $3 = ports, $4 = check port, $5.. extra changes
  local name=$1 prog=$2 ports=$3 check=$4; shift 4
  exists "platform-local/$name:$hash" && return 0
  build_standin
  local r="$work/$name"
  add_busybox "$r"
  base_files "$r"
  mkdir -p "$r/usr/local/bin" "$r/usr/bin" "$r/data"
  cp "$standin" "$r/usr/local/bin/standin"
  mkdir -p "$r$(dirname "$prog")"
  [ "$prog" = /usr/local/bin/standin ] || ln -s /usr/local/bin/standin "$r$prog"
  # Debian's busybox has no pgrep; the backup runner's health check is `pgrep -x backup` (its one form here).
  cat >"$r/usr/bin/pgrep" <<'EOF'
#!/bin/sh
[ "$1" = -x ] && shift
for c in /proc/[0-9]*/comm; do [ "$(cat "$c" 2>/dev/null)" = "$1" ] && exit 0; done
exit 1
EOF
  chmod 755 "$r/usr/bin/pgrep"
  # MinIO's image has its client: the health check is `mc ready local`.
  [ "$name" = minio ] && ln -s /usr/local/bin/standin "$r/usr/bin/mc"
  import "$name" "$r" "ENTRYPOINT [\"$prog\"]" "ENV PATH=/usr/local/bin:/usr/bin:/bin STANDIN_PORTS=$ports STANDIN_CHECK_PORT=$check" "$@"
}

# Real Redis (Debian's redis-server and redis-cli) with busybox, run like the official image: its entrypoint
# makes /data Redis's and drops to the redis user (uid 999, gid 1000) before starting the server.
redis_image() {
  exists "platform-local/redis:$hash" && return 0
  local r="$work/redis"
  copy_with_libs "$r" /usr/bin/redis-server /usr/bin/redis-cli /usr/bin/setpriv
  add_busybox "$r"
  base_files "$r" redis:999:1000
  mkdir -p "$r/data" "$r/usr/local/bin" "$r/usr/local/etc/redis"
  cat >"$r/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
  chown -R 999:1000 /data
  exec /usr/bin/setpriv --reuid=999 --regid=1000 --clear-groups "$@"
fi
exec "$@"
EOF
  chmod 755 "$r/usr/local/bin/docker-entrypoint.sh"
  import redis "$r" 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' 'CMD ["redis-server"]' 'WORKDIR /data' \
    'ENV PATH=/usr/local/bin:/usr/bin:/bin'
}

# Real PostgreSQL 15 (Debian's) run like the official image: its entrypoint makes the data directory the
# postgres user's (uid 70, as in the Alpine images), runs initdb with POSTGRES_PASSWORD (or _FILE) and
# POSTGRES_INITDB_ARGS on an empty one, and starts the server as that user.
postgres_image() {
  exists "platform-local/postgres:$hash" && return 0
  local r="$work/postgres" pg=/usr/lib/postgresql/15
  local bins=() so=()
  for b in postgres initdb pg_ctl psql pg_isready pg_dump pg_restore; do bins+=("$pg/bin/$b"); done
  for f in "$pg"/lib/*.so; do case "$f" in *llvmjit*) ;; *) so+=("$f") ;; esac; done
  copy_with_libs "$r" "${bins[@]}" "${so[@]}" /usr/bin/setpriv
  mkdir -p "$r/usr/share/postgresql" "$r/usr/share/zoneinfo"
  cp -r /usr/share/postgresql/15 "$r/usr/share/postgresql/15"
  cp -r /usr/share/zoneinfo/. "$r/usr/share/zoneinfo/"
  add_busybox "$r"
  base_files "$r" postgres:70:70
  sed -i 's|^postgres:x:70:70:postgres:/nonexistent:/sbin/nologin|postgres:x:70:70:postgres:/var/lib/postgresql:/bin/sh|' "$r/etc/passwd"
  mkdir -p "$r/var/lib/postgresql/data" "$r/var/run/postgresql" "$r/usr/local/bin"
  cat >"$r/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = postgres ] && [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R 70:70 "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec /usr/bin/setpriv --reuid=70 --regid=70 --clear-groups "$0" "$@"
fi
if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  # As the official image: the password from POSTGRES_PASSWORD, or from the file POSTGRES_PASSWORD_FILE names.
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then POSTGRES_PASSWORD=$(cat "$POSTGRES_PASSWORD_FILE"); fi
  pw=$(mktemp)
  printf '%s' "$POSTGRES_PASSWORD" >"$pw"
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of options, as in the official image
  initdb --username=postgres --pwfile="$pw" $POSTGRES_INITDB_ARGS -D "$PGDATA" >/dev/null
  rm -f "$pw"
fi
exec "$@"
EOF
  chmod 755 "$r/usr/local/bin/docker-entrypoint.sh"
  import postgres "$r" 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' 'CMD ["postgres"]' \
    "ENV PATH=/usr/local/bin:$pg/bin:/usr/bin:/bin PGDATA=/var/lib/postgresql/data"
}

# Real PgBouncer (Debian's) with pg_isready, as the postgres user (uid 70) like the image the stacks pin.
pgbouncer_image() {
  exists "platform-local/pgbouncer:$hash" && return 0
  local r="$work/pgbouncer"
  copy_with_libs "$r" /usr/sbin/pgbouncer /usr/lib/postgresql/15/bin/pg_isready
  add_busybox "$r"
  base_files "$r" postgres:70:70
  mkdir -p "$r/etc/pgbouncer"
  import pgbouncer "$r" 'CMD ["/usr/sbin/pgbouncer", "/etc/pgbouncer/pgbouncer.ini"]' 'USER 70:70' \
    'ENV PATH=/usr/lib/postgresql/15/bin:/usr/sbin:/usr/bin:/bin'
}

# A Prometheus-project program from Debian (Prometheus, an exporter) at the path its pinned image runs it from, as
# the user that image runs it as, with no shell: the health check is the platform's BusyBox probe, mounted by the
# container's configuration. $1 = name, $2 = Debian's binary, $3 = path in the image, $4 = uid, $5.. writable directories.
program_image() {
  # (base_files reads into name, uid and gid: this function's own variables are named otherwise.)
  local img=$1 bin=$2 path=$3 owner=$4; shift 4
  exists "platform-local/$img:$hash" && return 0
  [ -x "$bin" ] || { echo "local-images: $bin missing (apt-get install $(dpkg -S "$bin" 2>/dev/null | cut -d: -f1 || echo its package))" >&2; exit 1; }
  local r="$work/$img" d
  copy_with_libs "$r" "$bin"
  mkdir -p "$r$(dirname "$path")"
  [ "$bin" = "$path" ] || mv "$r$bin" "$r$path"
  if [ "$owner" = 65534 ]; then base_files "$r" nobody:65534:65534; else base_files "$r" nobody:65534:65534 "exporter:$owner:$owner"; fi
  for d in "$@"; do mkdir -p "$r$d"; chown "$owner:$owner" "$r$d"; done
  import "$img" "$r" "ENTRYPOINT [\"$path\"]" "USER $owner:$owner"
}

app_noshell
app
program_image prometheus /usr/bin/prometheus /bin/prometheus 65534 /prometheus /etc/prometheus
program_image node-exporter /usr/bin/prometheus-node-exporter /bin/node_exporter 65534
program_image postgres-exporter /usr/bin/prometheus-postgres-exporter /bin/postgres_exporter 65534
program_image redis-exporter /usr/bin/prometheus-redis-exporter /redis_exporter 59000
program_image mysqld-exporter /usr/bin/prometheus-mysqld-exporter /bin/mysqld_exporter 65534
# Not in Debian (or another program there): stand-ins on their ports, answering their readiness paths.
standin_image loki /usr/bin/loki 3100 3100
standin_image grafana /run.sh 3000 3000
standin_image alloy /bin/alloy 12345 12345
standin_image alertmanager /bin/alertmanager 9093 9093
standin_image pgbouncer-exporter /bin/pgbouncer_exporter 9127 9127
redis_image
postgres_image
pgbouncer_image
# The Docker API proxies (HAProxy in the pinned image): a stand-in on 2375 that answers /_ping. The backup
# runner's real HAProxy configuration is tested on Debian's HAProxy by the integration tier.
standin_image socket-proxy /usr/local/sbin/haproxy 2375 2375
standin_image traefik /usr/local/bin/traefik 80,443,8080 8080
standin_image minio /usr/bin/minio 9000,9001 9000
# Uptime Kuma's image runs `node server/server.js`; the one-shot setup runs `node -e …` (STANDIN_SUCCEED_ARG).
standin_image uptime-kuma /usr/local/bin/node 3001 3001 'ENV STANDIN_SUCCEED_ARG=-e'
standin_image autokuma /usr/local/bin/autokuma 9 9
standin_image backup /usr/local/bin/backup 9 9

elapsed=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
if [ ${#built[@]} -gt 0 ]; then
  echo "local-images: built ${#built[@]} image(s) in ${elapsed}s: ${built[*]}" >&2
else
  echo "local-images: every image was there (tag $hash)" >&2
fi

if [ -n "$map" ]; then
  cat >"$map" <<EOF
# Pinned image (or repository) → local image, for: dotnet run --project stacks -- rehearse --images $map
# Built by scripts/local-images.sh from this machine's Debian packages (tag $hash).
redis: platform-local/redis:$hash
postgres: platform-local/postgres:$hash
edoburu/pgbouncer: platform-local/pgbouncer:$hash
tecnativa/docker-socket-proxy: { image: platform-local/socket-proxy:$hash, standIn: true }
traefik: { image: platform-local/traefik:$hash, standIn: true }
minio/minio: { image: platform-local/minio:$hash, standIn: true }
louislam/uptime-kuma: { image: platform-local/uptime-kuma:$hash, standIn: true }
ghcr.io/bigboot/autokuma: { image: platform-local/autokuma:$hash, standIn: true }
offen/docker-volume-backup: { image: platform-local/backup:$hash, standIn: true }
prom/prometheus: platform-local/prometheus:$hash
prom/node-exporter: platform-local/node-exporter:$hash
quay.io/prometheuscommunity/postgres-exporter: platform-local/postgres-exporter:$hash
oliver006/redis_exporter: platform-local/redis-exporter:$hash
prom/mysqld-exporter: platform-local/mysqld-exporter:$hash
quay.io/prometheuscommunity/pgbouncer-exporter: { image: platform-local/pgbouncer-exporter:$hash, standIn: true }
grafana/loki: { image: platform-local/loki:$hash, standIn: true }
grafana/grafana: { image: platform-local/grafana:$hash, standIn: true }
grafana/alloy: { image: platform-local/alloy:$hash, standIn: true }
prom/alertmanager: { image: platform-local/alertmanager:$hash, standIn: true }
# Every other image (the apps): a server that answers 200 on \$PORT.
"*": { image: platform-local/app:$hash, standIn: true }
EOF
fi
