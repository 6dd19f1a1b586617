#!/usr/bin/env bash
# Measures DnsExpert and prints each figure with its ratio to a baseline measured in the same run (BENCHMARKS.md holds
# the last results). Bounded: about 5 minutes on 2 cores. Usage: ./bench.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
quick=${1:-}
dotnet build tests/DnsExpert.Benchmarks -c Release -v q -nologo >/dev/null
bench=tests/DnsExpert.Benchmarks/bin/Release/net10.0/DnsExpert.Benchmarks
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "## machine"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ), cores: $(nproc), memory: $(free -g | awk '/Mem:/{print $2}') GiB, .NET $(dotnet --version), $(uname -sr)"
echo
echo "## large snapshot (5,000 pods, 200 nodes, 20 CoreDNS pods x 100,000 log lines, 2,000 Services)"
$bench generate --out "$tmp/large.json"
$bench e2e --request "$tmp/large.json"
echo
echo "## CoreDNS log scanning vs grep -E -c"
$bench logscan --lines 1000000 --dir "$tmp"
echo
echo "## REST on 127.0.0.1 (8 concurrent clients)"
$bench rest --seconds 10
echo
echo "## soak"
$bench soak --count 5000
if [[ $quick != --quick ]]; then
  echo
  echo "## BenchmarkDotNet (short run, in process)"
  $bench bdn --filter '*' --inProcess --job short 2>&1 | grep '^|'
fi
