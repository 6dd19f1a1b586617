#!/usr/bin/env bash
# Measures DnsExpert and prints each figure with its ratio to a baseline measured in the same run (BENCHMARKS.md holds
# the last results). Bounded: about 5 minutes on 2 cores. Usage: ./bench.sh [--quick] [--jit]
#
# The benchmark program runs as DnsExpert ships (the image's publish, the CLI tool's package): published ReadyToRun for
# this machine's platform, framework-dependent. --jit runs the `dotnet build` output instead (JIT-compiled at run time,
# what bench.sh timed before 2026-12-07), e.g. to see what ReadyToRun changes.
#
# ./bench.sh --against REV [--quick] [--rounds N] compares this tree with any git revision instead: REV is built in a
# temporary git worktree (removed on exit), both builds run alternately on the same generated input, and a table gives
# each figure for every run of both and the median ratio current/REV. See BENCHMARKS.md, "Comparing two revisions".
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
quick="" against="" rounds=2 jit=""
while (( $# > 0 )); do
  case $1 in
    --quick) quick=--quick ;;
    --jit) jit=--jit ;;
    --against) against=${2:?--against needs a git revision}; shift ;;
    --rounds) rounds=${2:?--rounds needs a number}; shift ;;
    *) echo "usage: ./bench.sh [--quick] [--jit] [--against REV [--rounds N]]" >&2; exit 1 ;;
  esac
  shift
done
[[ $rounds =~ ^[0-9]+$ ]] && (( rounds >= 2 )) || { echo "bench.sh: --rounds must be 2 or more" >&2; exit 1; }
case $(uname -s)-$(uname -m) in
  Linux-x86_64) host_rid=linux-x64 ;; Linux-aarch64 | Linux-arm64) host_rid=linux-arm64 ;;
  Darwin-arm64) host_rid=osx-arm64 ;; Darwin-x86_64) host_rid=osx-x64 ;; *) host_rid="" ;;
esac
# The benchmark program as it ships (ReadyToRun for this platform), or the build output with --jit or on a platform
# not listed above. Both trees of --against are built the same way.
if [[ -z $jit && -n $host_rid ]]; then
  form="ReadyToRun (dotnet publish -r $host_rid -p:PublishReadyToRun=true)"
  bench=tests/DnsExpert.Benchmarks/bin/Release/net10.0/$host_rid/publish/DnsExpert.Benchmarks
  build_bench() {   # $1: the tree
    dotnet publish "$1/tests/DnsExpert.Benchmarks" -c Release -r "$host_rid" --self-contained false -p:PublishReadyToRun=true -v q -nologo
  }
else
  form="JIT (dotnet build)"
  bench=tests/DnsExpert.Benchmarks/bin/Release/net10.0/DnsExpert.Benchmarks
  build_bench() { dotnet build "$1/tests/DnsExpert.Benchmarks" -c Release -v q -nologo; }
fi
machine() {
  echo "## machine"
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ), cores: $(nproc), memory: $(free -g | awk '/Mem:/{print $2}') GiB, .NET $(dotnet --version), $(uname -sr)"
  echo "benchmark program: $form"
}

if [[ -n $against ]]; then
  rev=$(git rev-parse --verify --quiet "$against^{commit}") || { echo "bench.sh: $against is not a git revision" >&2; exit 1; }
  name=$(git rev-parse --short "$rev")
  tmp=$(mktemp -d)
  cleanup() {
    git worktree remove --force "$tmp/rev" >/dev/null 2>&1 || true
    rm -rf "$tmp"
  }
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  seconds=10
  [[ $quick == --quick ]] && seconds=3
  machine
  echo "comparing $name ($against) with the current tree ($(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ', with uncommitted changes')), $rounds rounds"
  git worktree add --detach --quiet "$tmp/rev" "$rev"
  [[ -d $tmp/rev/tests/DnsExpert.Benchmarks ]] || { echo "bench.sh: $name predates tests/DnsExpert.Benchmarks; nothing to compare" >&2; exit 1; }
  build() {   # $1: the tree to build; stops with its build output when the build fails
    local log="$tmp/build.log"
    build_bench "$1" >"$log" 2>&1 || { cat "$log" >&2; echo "bench.sh: building $1/tests/DnsExpert.Benchmarks failed" >&2; exit 1; }
  }
  # The CLI as its users get it: the tree's `dotnet pack` into a feed of its own, `dotnet tool install` from that feed
  # alone into a tool path, with a NuGet cache of its own (both trees' packages are DnsExpert.Cli of the same version).
  # A tree whose package is RID-specific (ReadyToRun, see src/DnsExpert.Cli's project) packs this machine's platform
  # only, the package `dotnet tool install` picks here; an older tree packs its one RID-agnostic package. A tree with no
  # tool package: its row shows "-".
  install_cli() {   # $1: the tree, $2: a new directory for its feed, cache and tool path
    local project=$1/src/DnsExpert.Cli log="$tmp/pack.log" version props=() install=()
    grep -qs '<PackAsTool>true</PackAsTool>' "$project/DnsExpert.Cli.csproj" || return 0
    version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$project/DnsExpert.Cli.csproj")
    [[ -z $version ]] || install=(--version "$version")
    [[ -z $host_rid ]] || ! grep -q ToolPackageRuntimeIdentifiers "$project/DnsExpert.Cli.csproj" || props=("-p:ToolPackageRuntimeIdentifiers=$host_rid")
    mkdir -p "$2/feed" "$2/work"
    printf '<configuration><packageSources><clear /><add key="feed" value="%s" /></packageSources></configuration>\n' "$2/feed" >"$2/nuget.config"
    { dotnet pack "$project" -c Release -o "$2/feed" -v q -nologo "${props[@]}" \
        && NUGET_PACKAGES=$2/nuget dotnet tool install DnsExpert.Cli "${install[@]}" --tool-path "$2/tool" --configfile "$2/nuget.config"
    } >"$log" 2>&1 || { cat "$log" >&2; echo "bench.sh: packing or installing $project failed" >&2; exit 1; }
  }
  echo "building $name and the current tree (Release, the benchmark program $form), packing and installing their dnsexpert tools"
  build "$tmp/rev"
  build .
  sides=(A B)
  declare -A dir=([A]="$tmp/rev" [B]=.)
  declare -A label=([A]="$name" [B]=current)
  install_cli "$tmp/rev" "$tmp/cli-A"
  install_cli . "$tmp/cli-B"
  # The same input for both: generated once, by the current build.
  $bench generate --out "$tmp/large.json" >/dev/null
  small=$PWD/src/DnsExpert.Api/Samples/sick-cluster.json
  # One-shot CLI diagnosis of a small request with the installed tool, wall time, median of 3 (exit 2: a critical
  # fires). It runs where no rules/ is above the current directory, so it diagnoses with the rules its package carries.
  cli_wall() {   # $1: the side's directory of install_cli
    local times=() start status
    [[ -x $1/tool/dnsexpert ]] || return 0
    for _ in 1 2 3; do
      start=$(date +%s%N)
      status=0
      (cd "$1/work" && "$1/tool/dnsexpert" diagnose --request "$small" -o json >/dev/null 2>"$tmp/cli.err") || status=$?
      [[ $status == 0 || $status == 2 ]] || { cat "$tmp/cli.err" >&2; echo "bench.sh: $1/tool/dnsexpert diagnose exited $status" >&2; exit 1; }
      times+=($(( ($(date +%s%N) - start) / 1000000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n 2p | sed 's/.*/cli diagnose wall: & ms (installed tool, median of 3)/'
  }
  for (( round = 1; round <= rounds; round++ )); do
    for step in e2e logscan rest cli; do
      for side in "${sides[@]}"; do
        echo "round $round/$rounds: $step, ${label[$side]}" >&2
        out="$tmp/$side-$round.txt"
        case $step in
          e2e) "${dir[$side]}/$bench" e2e --request "$tmp/large.json" >>"$out" ;;
          logscan) "${dir[$side]}/$bench" logscan --lines 1000000 --dir "$tmp" >>"$out" ;;
          rest) "${dir[$side]}/$bench" rest --seconds "$seconds" >>"$out" ;;
          cli) cli_wall "$tmp/cli-$side" >>"$out" ;;
        esac
      done
    done
  done
  echo
  echo "## $name against the current tree (e2e, logscan --lines 1000000, rest --seconds $seconds, installed CLI median of 3)"
  args=()
  for side in "${sides[@]}"; do
    args+=("side=$side")
    for (( round = 1; round <= rounds; round++ )); do args+=("$tmp/$side-$round.txt"); done
  done
  awk -f tests/DnsExpert.Benchmarks/figures.awk -v rev="$name" "${args[@]}"
  exit 0
fi

build_bench . >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

machine
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
