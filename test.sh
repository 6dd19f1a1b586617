#!/usr/bin/env bash
# Runs the whole test suite. Installs the Debian packages the tests start when they are missing (dnsmasq and unbound
# for the real-DNS probe tests, dig for the pasted-output reader, PostgreSQL for the history store, Chromium for the
# report page, prometheus: promtool for the CoreDNS alert rules and the server the Prometheus collector's tests start,
# Alertmanager for the alert webhook), checks the table of `./bench.sh --against`, then runs `dotnet test` on the
# solution. Extra arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

have() { command -v "$1" >/dev/null 2>&1 || [[ -x "/usr/sbin/$1" ]]; }
missing=()
have dnsmasq || missing+=(dnsmasq-base)
have unbound || missing+=(unbound)
have dig || missing+=(bind9-dnsutils)
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql)
have chromium || missing+=(chromium)
{ have promtool && have prometheus; } || missing+=(prometheus)
have prometheus-alertmanager || missing+=(prometheus-alertmanager)
if (( ${#missing[@]} > 0 )); then
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || { echo "test.sh: install ${missing[*]} (apt-get install ${missing[*]}) and run again" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "test.sh: installing ${missing[*]} for the tests that start real servers and a browser"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # policy-rc.d 101: the packages' own services (PostgreSQL's cluster, Prometheus, Alertmanager) are not started; tests start their own.
  policy=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    $sudo sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
    policy=created
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [[ -z $policy ]] || $sudo rm -f /usr/sbin/policy-rc.d
fi

# The comparison table of `./bench.sh --against REV` (awk on fixed benchmark output, no timing).
tests/DnsExpert.Benchmarks/figures-test.sh

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
