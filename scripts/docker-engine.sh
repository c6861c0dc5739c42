#!/usr/bin/env bash
# A throw-away Docker engine for the Docker test tier and the rehearsal: Debian's dockerd with the vfs
# storage driver, its own data root, exec root, pid file and socket in one temporary directory, so it
# never touches a user's engine (nor the default socket).
#
#   eval "$(bash scripts/docker-engine.sh start)"   # prints: export DOCKER_HOST=…; export PLATFORM_DOCKER_DIR=…
#   bash scripts/docker-engine.sh stop               # stops the engine named by PLATFORM_DOCKER_DIR, by its pid
#
# start exits non-zero (printing why on stderr) when dockerd is missing or does not answer in time.
# Needs root (dockerd does). PLATFORM_DOCKER_POOL (e.g. 10.213.0.0/16) sets the address pool of its
# networks, for a machine where another engine uses Docker's default ranges.
set -euo pipefail

start() {
  local dockerd
  dockerd=$(command -v dockerd || true)
  if [ -z "$dockerd" ]; then
    echo "docker-engine: dockerd not found (apt-get install docker.io)" >&2
    return 1
  fi
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/platform-docker.XXXXXX")
  mkdir -p "$dir/data" "$dir/exec"
  local pool=()
  if [ -n "${PLATFORM_DOCKER_POOL:-}" ]; then pool=(--default-address-pool "base=$PLATFORM_DOCKER_POOL,size=24"); fi
  # --bridge none: no default bridge (docker0); every container the tests and the rehearsal make is on
  # networks of its own, and a second engine on the machine then has no bridge to fight over.
  setsid "$dockerd" \
    --storage-driver vfs \
    --data-root "$dir/data" \
    --exec-root "$dir/exec" \
    --pidfile "$dir/dockerd.pid" \
    --host "unix://$dir/docker.sock" \
    --bridge none \
    "${pool[@]}" \
    >"$dir/dockerd.log" 2>&1 </dev/null &
  echo $! >"$dir/dockerd.launch.pid"
  local i
  for i in $(seq 1 120); do
    if [ -S "$dir/docker.sock" ] && curl -fsS --max-time 2 --unix-socket "$dir/docker.sock" http://localhost/_ping >/dev/null 2>&1; then
      echo "export DOCKER_HOST=unix://$dir/docker.sock"
      echo "export PLATFORM_DOCKER_DIR=$dir"
      return 0
    fi
    if ! kill -0 "$(cat "$dir/dockerd.launch.pid")" 2>/dev/null; then break; fi
    sleep 0.5
  done
  echo "docker-engine: dockerd did not answer; its log:" >&2
  tail -n 20 "$dir/dockerd.log" >&2 || true
  stop_dir "$dir"
  return 1
}

stop_dir() {
  local dir=$1 pid=""
  [ -f "$dir/dockerd.pid" ] && pid=$(cat "$dir/dockerd.pid")
  [ -z "$pid" ] && [ -f "$dir/dockerd.launch.pid" ] && pid=$(cat "$dir/dockerd.launch.pid")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    local i
    for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  # Mounts the engine left (container shm, netns) would make rm fail; vfs itself mounts nothing.
  { grep -o " $dir/[^ ]*" /proc/mounts 2>/dev/null || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop)
    dir=${2:-${PLATFORM_DOCKER_DIR:-}}
    if [ -z "$dir" ] || [ ! -d "$dir" ]; then echo "docker-engine: no engine directory (pass it or set PLATFORM_DOCKER_DIR)" >&2; exit 1; fi
    case "$dir" in */platform-docker.*) ;; *) echo "docker-engine: $dir is not an engine directory this script made" >&2; exit 1 ;; esac
    stop_dir "$dir"
    ;;
  *) echo "usage: $0 start | stop [dir]" >&2; exit 2 ;;
esac
