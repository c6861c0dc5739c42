#!/usr/bin/env bash
# The project's test command (see README). Runs the Pulumi-free core's tests always,
# and the Pulumi program's tests whenever the Pulumi packages restore from the
# configured NuGet sources. Exits non-zero if any test that ran failed.
set -uo pipefail
cd "$(dirname "$0")/.."

summary() { # $1 = label, $2 = log file: print "label: N passed, N failed"
  awk -v label="$1" '
    match($0, /Failed: +[0-9]+/) { s = substr($0, RSTART, RLENGTH); gsub(/[^0-9]/, "", s); f += s }
    match($0, /Passed: +[0-9]+/) { s = substr($0, RSTART, RLENGTH); gsub(/[^0-9]/, "", s); p += s }
    END { printf "%s: %d passed, %d failed\n", label, p, f }' "$2"
}

log=$(mktemp)
dotnet test tests/Stacks.Tests -c Release 2>&1 | tee "$log"
offline=${PIPESTATUS[0]}
summary "Stacks.Tests" "$log"

infra=0
if dotnet restore tests/Infra.Tests/Infra.Tests.csproj >"$log.restore" 2>&1; then
  dotnet test tests/Infra.Tests -c Release 2>&1 | tee "$log.infra"
  infra=${PIPESTATUS[0]}
  summary "Infra.Tests" "$log.infra"
else
  echo "Infra.Tests not run: the Pulumi packages (Pulumi, Pulumi.Docker, Pulumi.Cloudflare, Pulumi.HCloud, Pulumi.Command, Pulumi.Random, Pulumi.Tls) do not restore from the configured NuGet sources."
fi

rm -f "$log" "$log.restore" "$log.infra"
[ "$offline" -eq 0 ] && [ "$infra" -eq 0 ]
