#!/usr/bin/env bash
# Checks figures.awk, the table of `./bench.sh --against REV`, on fixed benchmark output (no timing is measured here).
# Run by test.sh; alone: tests/DnsExpert.Benchmarks/figures-test.sh
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# One run's output as Program.cs and bench.sh print it: warm ms, log scan ratio to grep, and optionally the CLI line.
run() {   # $1 file, $2 warm ms, $3 x grep, $4 CLI ms or "" when the build does not print it
  cat >"$1" <<EOF
rule base compile: 1200 ms (34 rules)
small snapshot diagnosis (sick-cluster, median of 20): 6.4 ms
large snapshot diagnosis end to end, first in the process (cold code): 4800 ms (328 MB request; 3 findings: a, b, c)
large snapshot diagnosis end to end, warm (median of 3 after 2 more): $2 ms
large snapshot diagnosis end to end, steady (median of 3 once a run compiled fewer than 50 methods; 4 runs after warm): 700 ms
large/small time ratio (warm): 277.5
peak working set over all runs: 380 MB (before the large diagnoses: 154 MB)
dnsexpert/grep throughput ratio: $3
dnsexpert bytes/grep throughput ratio: 15.00
diagnosis/trivial throughput ratio: 0.030
EOF
  [[ -z $4 ]] || echo "cli diagnose wall: $4 ms (installed tool, median of 3)" >>"$1"
}

row() {   # the table row of a figure: $1 its label's start
  grep -F "| $1" "$tmp/table" || true
}

expect() {   # $1 what, $2 actual, $3 expected
  if [[ $2 != "$3" ]]; then
    echo "figures-test: $1: expected [$3], got [$2]" >&2
    failures=$((failures + 1))
  fi
}

table() {
  awk -f figures.awk -v rev=old "$@" >"$tmp/table"
}

# Three rounds: time 20 % worse in the median round, throughput against grep 20 % better; REV predates the CLI line.
run "$tmp/a1" 1000 10.00 ""
run "$tmp/a2" 1000 10.00 ""
run "$tmp/a3" 1000 10.00 ""
run "$tmp/b1" 1100 12.00 900
run "$tmp/b2" 1200 12.00 950
run "$tmp/b3" 1300 12.00 1000
table side=A "$tmp/a1" "$tmp/a2" "$tmp/a3" side=B "$tmp/b1" "$tmp/b2" "$tmp/b3"
expect "warm, lower is better" "$(row 'large snapshot, warm')" \
  "| large snapshot, warm, ms (lower is better) | 1000 / 1000 / 1000 | 1100 / 1200 / 1300 | 1.20 | **worse** |"
expect "grep, higher is better" "$(row 'log scan /')" \
  "| log scan / \`grep -E -c\`, x (higher is better) | 10.00 / 10.00 / 10.00 | 12.00 / 12.00 / 12.00 | 1.20 | better |"
expect "unchanged" "$(row 'rule base compile')" "| rule base compile, ms (lower is better) | 1200 / 1200 / 1200 | 1200 / 1200 / 1200 | 1.00 |  |"
expect "REV without the line" "$(row 'CLI')" \
  "| CLI \`diagnose --request\` (installed tool, one shot, wall), ms (lower is better) | - / - / - | 900 / 950 / 1000 | - |  |"
expect "summary" "$(grep -c '^1 of 10 figures worse by more than 10 %' "$tmp/table")" 1
expect "REV predates" "$(grep -c "^Not printed by old's build (its benchmark program predates them): CLI" "$tmp/table")" 1

# Two rounds, the median of an even count is the mean of the middle two; throughput 15 % lower is worse.
run "$tmp/a1" 1000 10.00 800
run "$tmp/a2" 1000 10.00 800
run "$tmp/b1" 950 8.00 800
run "$tmp/b2" 1000 9.00 800
table side=A "$tmp/a1" "$tmp/a2" side=B "$tmp/b1" "$tmp/b2"
expect "even median" "$(row 'large snapshot, warm')" "| large snapshot, warm, ms (lower is better) | 1000 / 1000 | 950 / 1000 | 0.97 |  |"
expect "throughput worse" "$(row 'log scan /')" \
  "| log scan / \`grep -E -c\`, x (higher is better) | 10.00 / 10.00 | 8.00 / 9.00 | 0.85 | **worse** |"
expect "nothing missing" "$(grep -c '^Not printed' "$tmp/table" || true)" 0

# A line the current build no longer prints (its wording changed): said, not silently dropped.
sed -i 's/^peak working set over all runs/peak working set/' "$tmp/b1" "$tmp/b2"
table side=A "$tmp/a1" "$tmp/a2" side=B "$tmp/b1" "$tmp/b2"
expect "current changed its wording" "$(grep -c '^Not printed by the current build: peak working set.' "$tmp/table")" 1

if (( failures > 0 )); then
  cat "$tmp/table" >&2
  exit 1
fi
echo "figures-test: passed"
