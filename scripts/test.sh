#!/usr/bin/env bash
# The project's test command (see README). Builds the Pulumi-free core's tests once and runs them in
# tiers, each ending in one line "Tier: N passed, N failed":
#   Offline      the core alone;
#   Integration  rendered files on real servers from Debian's packages (trait Category=Integration);
#   Docker       the container layer on the Docker engine in DOCKER_HOST (trait Category=Docker), only
#                when one answers (start one: eval "$(bash scripts/docker-engine.sh start)");
#   Infra        the Pulumi program under Pulumi's mocks, whenever the Pulumi packages restore.
# Exits non-zero if the build fails or any tier that ran had a failing test.
# --offline runs only the Offline tier: nothing to install but the .NET SDK.
set -uo pipefail
cd "$(dirname "$0")/.."
offline_only=false
case "${1:-}" in
  --offline) offline_only=true ;;
  "") ;;
  *) echo "usage: bash scripts/test.sh [--offline]" >&2; exit 2 ;;
esac

summary() { # $1 = label, $2 = log file: print "label: N passed, N failed"
  awk -v label="$1" '
    match($0, /Failed: +[0-9]+/) { s = substr($0, RSTART, RLENGTH); gsub(/[^0-9]/, "", s); f += s }
    match($0, /Passed: +[0-9]+/) { s = substr($0, RSTART, RLENGTH); gsub(/[^0-9]/, "", s); p += s }
    END { printf "%s: %d passed, %d failed\n", label, p, f }' "$2"
}

engine_answers() { # the engine in DOCKER_HOST answers its ping
  case "${DOCKER_HOST:-}" in
    unix://*) curl -fsS --max-time 5 --unix-socket "${DOCKER_HOST#unix://}" http://localhost/_ping >/dev/null 2>&1 ;;
    tcp://*) curl -fsS --max-time 5 "http://${DOCKER_HOST#tcp://}/_ping" >/dev/null 2>&1 ;;
    *) return 1 ;;
  esac
}

log=$(mktemp)
status=0
lines=()
timings=()
tier() { # $1 = label, $2 = test filter
  local started=$SECONDS
  dotnet test tests/Stacks.Tests -c Release --no-build --filter "$2" 2>&1 | tee "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  lines+=("$(summary "$1" "$log")")
  timings+=("$1 $((SECONDS - started)) s")
}

if ! dotnet build tests/Stacks.Tests -c Release 2>&1 | tee "$log"; then
  echo "Build failed: no tier ran."
  rm -f "$log"
  exit 1
fi
tier Offline "Category!=Integration&Category!=Docker"
if $offline_only; then
  lines+=("Integration, Docker, Infra: not run (--offline).")
else
  tier Integration "Category=Integration"
  if engine_answers; then
    tier Docker "Category=Docker"
  else
    lines+=("Docker: not run: no Docker engine answers at DOCKER_HOST=${DOCKER_HOST:-<unset>} (start one: eval \"\$(bash scripts/docker-engine.sh start)\"); the other tiers decide.")
  fi
fi

if $offline_only; then
  :
elif dotnet restore tests/Infra.Tests/Infra.Tests.csproj >"$log.restore" 2>&1; then
  started=$SECONDS
  dotnet test tests/Infra.Tests -c Release 2>&1 | tee "$log.infra"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  lines+=("$(summary "Infra" "$log.infra")")
  timings+=("Infra $((SECONDS - started)) s")
else
  lines+=("Infra: not run: the Pulumi packages (Pulumi, Pulumi.Docker, Pulumi.Cloudflare, Pulumi.HCloud, Pulumi.Command, Pulumi.Random, Pulumi.Tls) do not restore from the configured NuGet sources.")
fi

echo "Time per tier: $(IFS=,; echo "${timings[*]}" | sed 's/,/, /g')"
printf '%s\n' "${lines[@]}"
# The closing line: every tier that ran, added up.
printf '%s\n' "${lines[@]}" | awk '
  match($0, /^[A-Za-z]+: [0-9]+ passed, [0-9]+ failed$/) { split($0, w, " "); p += w[2]; f += w[4] }
  END { printf "Total: %d passed, %d failed\n", p, f }'
rm -f "$log" "$log.restore" "$log.infra"
exit "$status"
