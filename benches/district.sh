#!/usr/bin/env bash
# The cost of reconciling a district: `censuslink run` in release mode on a generated district,
# with the wall time, CPU time and peak memory of the whole run, where the time went (each
# source read and standardized; each link's features, blocking, training, scoring and
# resolution with its pair counts; the rest of the reconciliation; writing), at each thread
# count, then evaluate's precision and recall of the last run.
#
#   benches/district.sh [--persons N] [--seed S] [--threads "1 2"] [--cache DIR]
#
# Defaults: 1,000,000 persons, seed 7, 1 and 2 threads. Districts are generated once and kept
# in the cache folder (default target/districts; a million persons take about 570 MB). Needs
# GNU time at /usr/bin/time (`apt-get install time`) and python3 to print the timings.
set -euo pipefail

persons=1000000
seed=7
threads="1 2"
cache=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --persons) persons="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        --threads) threads="$2"; shift 2 ;;
        --cache) cache="$2"; shift 2 ;;
        *) echo "usage: benches/district.sh [--persons N] [--seed S] [--threads \"1 2\"] [--cache DIR]" >&2; exit 2 ;;
    esac
done
for tool in /usr/bin/time python3; do
    if ! command -v "$tool" >/dev/null; then
        echo "benches/district.sh needs $tool (apt-get install time python3)" >&2
        exit 2
    fi
done

cd "$(dirname "$0")/.."
source benches/common/district.sh
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "censuslink run on $persons persons (seed $seed)"
echo "machine: $(nproc) cores, $(grep -m1 "model name" /proc/cpuinfo | sed 's/.*: //'), $(free -g | awk '/Mem:/ { print $2 }') GB"
for n in $threads; do
    log="$out/time-$n.log"
    # Each run writes into a folder of its own, as a first run does: a run into a folder of
    # earlier outputs also deletes them (a gigabyte at 3 M persons), inside its time.
    [[ -n "${run:-}" ]] && rm -rf "$run"
    run="$out/run-$n"
    /usr/bin/time -v -o "$log" "$binary" run --quiet --threads "$n" --out "$run" \
        "$district/job.toml" || [[ $? -eq 1 ]]
    field() { grep -F "$1" "$log" | sed 's/.*: //'; }
    user=$(field "User time (seconds)")
    system=$(field "System time (seconds)")
    echo
    echo "== $n thread(s)"
    echo "  wall time:   $(field "Elapsed (wall clock) time")"
    echo "  CPU time:    $(awk "BEGIN { print $user + $system }") s (user $user s, system $system s)"
    echo "  peak memory: $(( $(field "Maximum resident set size") / 1024 )) MB"
    python3 - "$run/timings.json" <<'EOF'
import json, sys

timings = json.load(open(sys.argv[1]))
stages = ["features", "block", "train", "score", "resolve"]
print(f"  read and standardize: {sum(timings['read'].values()):7.2f} s  "
      + ", ".join(f"{name} {s:.2f}" for name, s in timings["read"].items()))
links = timings["links"]
print(f"  linking:              {timings['linking']:7.2f} s  (one link after another, the census")
print("                                   deduplication beside the registers' links; each")
print("                                   link's stages, summed over the links:")
for stage in stages:
    print(f"    {stage + ':':<19} {sum(link[stage] for link in links):7.2f} s")
print(f"  reconcile:            {timings['reconcile']:7.2f} s")
print(f"  write:                {timings['write']:7.2f} s")
print(f"  total (as measured by the run): {timings['total']:.2f} s")
print(f"  {'link':<24} {'blocked pairs':>14} {'scored ≥ p 0.01':>16} " + " ".join(f"{s:>8}" for s in stages))
for link in links:
    name = f"{link['left']} ↔ {link['right'] or link['left']}"
    print(f"  {name:<24} {link['candidate_pairs']:>14,} {link['scored_pairs']:>16,} "
          + " ".join(f"{link[s]:8.2f}" for s in stages))
EOF
done

echo
echo "== accuracy of the last run"
if [[ -d "$district/truth" ]]; then
    "$binary" evaluate --truth "$district/truth" --out "$run"
fi
