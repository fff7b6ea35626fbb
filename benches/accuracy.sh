#!/usr/bin/env bash
# The accuracy matrix: every list's precision and recall, the missing list down its ranking,
# and the coverage estimate against the true usual residents, on generated districts over
# seeds × sizes × error scales × census layouts (× provinces of some counties: `--counties "4"`;
# 0 is a district); each cell against the floors of DESIGN.md §5 (a province's also against
# its cross-county floors), and each measure's worst cell. Accuracy must hold in the worst
# cell, not on average.
#
#   benches/accuracy.sh [--seeds "7 11"] [--sizes "100000 1000000"] [--scales "0.5 1 2"]
#                       [--layouts "census2020 classic"] [--counties "0"] [--threads N]
#                       [--cache DIR] [--markdown]
#
# Districts are generated once and kept in the cache folder (default target/districts; a
# million persons take about 600 MB); runs are kept in its `runs` folder until the binary
# changes, so a second call with the same binary only prints. Needs python3.
set -euo pipefail

seeds="7 11"
sizes="100000 1000000"
scales="0.5 1 2"
layouts="census2020 classic"
counties_list="0"
threads=2
cache=""
markdown=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --seeds) seeds="$2"; shift 2 ;;
        --sizes) sizes="$2"; shift 2 ;;
        --scales) scales="$2"; shift 2 ;;
        --layouts) layouts="$2"; shift 2 ;;
        --counties) counties_list="$2"; shift 2 ;;
        --threads) threads="$2"; shift 2 ;;
        --cache) cache="$2"; shift 2 ;;
        --markdown) markdown="--markdown"; shift ;;
        *) echo "usage: benches/accuracy.sh [--seeds S] [--sizes N] [--scales X] [--layouts L] [--counties C] [--threads N] [--cache DIR] [--markdown]" >&2; exit 2 ;;
    esac
done
if ! command -v python3 >/dev/null; then
    echo "benches/accuracy.sh needs python3" >&2
    exit 2
fi

cd "$(dirname "$0")/.."
cells=()
for counties in $counties_list; do
for layout in $layouts; do
    for persons in $sizes; do
        for scale in $scales; do
            for seed in $seeds; do
                source benches/common/district.sh
                # Outputs never go inside an input folder: runs sit beside the districts.
                run="$cache/runs/$(basename "$district")"
                # A run is kept until its binary changes.
                stamp="$(stat -c %Y "$binary")"
                if [[ ! -f "$run/evaluation.json" || "$(cat "$run/binary" 2>/dev/null)" != "$stamp" ]]; then
                    echo "running $district" >&2
                    rm -rf "$run"
                    "$binary" run --quiet --threads "$threads" --out "$run" "$district/job.toml" \
                        || [[ $? -eq 1 ]]
                    "$binary" evaluate --quiet --truth "$district/truth" --out "$run"
                    echo "$stamp" > "$run/binary"
                fi
                cells+=("$layout $persons $scale $seed $counties $run/evaluation.json")
            done
        done
    done
done
done

echo "accuracy matrix: $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $(date -u +%Y-%m-%d)"
echo "machine: $(nproc) cores, $(grep -m1 "model name" /proc/cpuinfo | sed 's/.*: //'), $(free -g | awk '/Mem:/ { print $2 }') GB"
printf '%s\n' "${cells[@]}" | python3 benches/common/accuracy_table.py $markdown
