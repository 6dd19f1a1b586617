#!/usr/bin/env bash
# Runs the whole test suite. Installs the Debian packages the tests start (dnsmasq and unbound, for the real-DNS
# probe tests) when they are missing, then runs `dotnet test` on the solution. Extra arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

have() { command -v "$1" >/dev/null 2>&1 || [[ -x "/usr/sbin/$1" ]]; }
if ! have dnsmasq || ! have unbound; then
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || { echo "test.sh: install dnsmasq-base and unbound (apt-get install dnsmasq-base unbound) and run again" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "test.sh: installing dnsmasq-base and unbound for the DNS probe tests"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dnsmasq-base unbound >/dev/null
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test DnsExpert.sln "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line for the whole run, summed over the test assemblies.
awk '/^(Passed|Failed)! +- +Failed: /{ gsub(",", ""); f += $4; p += $6; s += $8 }
     END { printf "Tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
