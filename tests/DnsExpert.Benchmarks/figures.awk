# Compares the figures two builds printed, for `./bench.sh --against REV`. Reads the benchmark program's human output
# (its `name: value unit` lines, see Program.cs) and prints a Markdown table: each figure, every run of both builds,
# and the median over the rounds of the ratio current/REV (round i of one build against round i of the other: they ran
# next to each other, so slow drift on a shared machine cancels). A ratio worse than 10 % is flagged, direction-aware.
#
# Usage: awk -f figures.awk -v rev=NAME side=A REV-1.txt REV-2.txt side=B current-1.txt current-2.txt
# The files of a side are its rounds, in order. A figure the REV's build does not print (an older benchmark program)
# shows "-" and is named below the table; one the current build does not print means this file is out of date.

function figure(label, prefix, unit, better) {
  count++
  labels[count] = label; prefixes[count] = prefix; units[count] = unit; betters[count] = better
}

BEGIN {
  # label | start of the line the benchmark program (or bench.sh, for the CLI) prints | unit | which way is better
  figure("rule base compile", "rule base compile:", "ms", "lower")
  figure("small snapshot sick-cluster, median of 20", "small snapshot diagnosis (sick-cluster", "ms", "lower")
  figure("large snapshot, first in process", "large snapshot diagnosis end to end, first in the process", "ms", "lower")
  figure("large snapshot, warm", "large snapshot diagnosis end to end, warm", "ms", "lower")
  figure("large snapshot, steady (re-compiling stopped)", "large snapshot diagnosis end to end, steady", "ms", "lower")
  figure("peak working set", "peak working set over all runs:", "MB", "lower")
  figure("log scan / `grep -E -c`", "dnsexpert/grep throughput ratio:", "x", "higher")
  figure("log scan of UTF-8 bytes in memory / `grep -E -c`", "dnsexpert bytes/grep throughput ratio:", "x", "higher")
  figure("REST diagnosis / `/healthz`", "diagnosis/trivial throughput ratio:", "x", "higher")
  figure("CLI `diagnose --request` (installed tool, one shot, wall)", "cli diagnose wall:", "ms", "lower")
}

FNR == 1 { runs[side]++ }

{
  for (f = 1; f <= count; f++) {
    if (index($0, prefixes[f]) != 1) continue
    rest = substr($0, index($0, ": ") + 2)
    if (match(rest, /^-?[0-9]+(\.[0-9]+)?/)) values[side, f, runs[side]] = substr(rest, RSTART, RLENGTH)
  }
}

function median(list, n,    i, j, t) {
  for (i = 2; i <= n; i++) {
    t = list[i]
    for (j = i - 1; j >= 1 && list[j] > t; j--) list[j + 1] = list[j]
    list[j + 1] = t
  }
  return n % 2 ? list[(n + 1) / 2] : (list[n / 2] + list[n / 2 + 1]) / 2
}

function each(s, f,    r, text) {
  text = ""
  for (r = 1; r <= runs[s]; r++) text = text (r > 1 ? " / " : "") (((s, f, r) in values) ? values[s, f, r] : "-")
  return text
}

END {
  printf "| figure | %s (each run) | current (each run) | current/%s (median) | |\n", rev, rev
  print "|---|---:|---:|---:|---|"
  rounds = runs["A"] < runs["B"] ? runs["A"] : runs["B"]
  for (f = 1; f <= count; f++) {
    n = 0
    for (r = 1; r <= rounds; r++) {
      if (((("A", f, r) in values) && (("B", f, r) in values)) && values["A", f, r] + 0 != 0) {
        ratios[++n] = values["B", f, r] / values["A", f, r]
      }
    }
    if (!(("A", f, 1) in values)) missingRev = missingRev (missingRev == "" ? "" : ", ") labels[f]
    if (!(("B", f, 1) in values)) missingCurrent = missingCurrent (missingCurrent == "" ? "" : ", ") labels[f]
    mark = ""; ratio = "-"
    if (n > 0) {
      m = median(ratios, n)
      ratio = sprintf("%.2f", m)
      if ((betters[f] == "lower" && m > 1.10) || (betters[f] == "higher" && m < 0.90)) { mark = "**worse**"; worse++ }
      else if ((betters[f] == "lower" && m < 0.90) || (betters[f] == "higher" && m > 1.10)) mark = "better"
    }
    printf "| %s, %s (%s is better) | %s | %s | %s | %s |\n", labels[f], units[f], betters[f], each("A", f), each("B", f), ratio, mark
  }
  printf "\n%d of %d figures worse by more than 10 %% (%d rounds each; a shared machine moves single runs by up to 30 %%).\n", worse, count, rounds
  if (missingRev != "") printf "Not printed by %s's build (its benchmark program predates them): %s.\n", rev, missingRev
  if (missingCurrent != "") printf "Not printed by the current build: %s. Update tests/DnsExpert.Benchmarks/figures.awk to the lines Program.cs prints.\n", missingCurrent
}
