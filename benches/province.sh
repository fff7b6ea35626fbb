#!/usr/bin/env bash
# A province on Spark against one machine: a generated province reconciled by `censuslink run`
# (release, every core) and by `censuslink.spark.run` on Spark in local mode at each core
# count, with each run's wall time and peak memory (the whole process tree: Spark's JVM and
# Python workers too), a check that Spark gave the same links, lists and models, and each
# Spark stage's cost (task time per record, shuffle bytes per record). The figures are kept in
# target/province/<province>/ for benches/province/scale_out.py, the capacity plan's replay.
#
#   benches/province.sh [--persons N] [--counties N] [--seed S] [--cores "1 2"] [--memory 8g]
#                       [--cache DIR]
#
# Defaults: 1,000,000 persons in 4 counties, seed 7, Spark local[2], 8 GB for Spark's driver.
# Needs python3 (3.9 or later), Java 17 or later (Debian: openjdk-17-jre-headless); makes a
# virtual environment in target/province-venv with pyspark, pandas, pyarrow and the package's
# wheel (release), from PyPI the first time.
set -euo pipefail

persons=1000000
counties=4
seed=7
cores="2"
memory=8g
cache=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --persons) persons="$2"; shift 2 ;;
        --counties) counties="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        --cores) cores="$2"; shift 2 ;;
        --memory) memory="$2"; shift 2 ;;
        --cache) cache="$2"; shift 2 ;;
        *) echo "usage: benches/province.sh [--persons N] [--counties N] [--seed S] [--cores \"1 2\"] [--memory 8g] [--cache DIR]" >&2; exit 2 ;;
    esac
done
for tool in python3 java; do
    if ! command -v "$tool" >/dev/null; then
        echo "benches/province.sh needs $tool (apt-get install python3-venv openjdk-17-jre-headless)" >&2
        exit 2
    fi
done

cd "$(dirname "$0")/.."
source benches/common/district.sh
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

venv="$target/province-venv"
if [[ ! -x "$venv/bin/pyspark" ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "maturin>=1.8,<2" "pyarrow>=14" "pyspark>=4,<5" "pandas>=2.2,<3"
fi
"$venv/bin/maturin" build --release --quiet --locked -m crates/python/Cargo.toml --out "$out/wheels" 2>/dev/null
"$venv/bin/pip" install --quiet --force-reinstall --no-deps "$out"/wheels/censuslink-*.whl

results="$target/province/$(basename "$district")"
mkdir -p "$results"
echo "a province of $persons persons in $counties counties (seed $seed): $district"
echo "machine: $(nproc) cores, $(grep -m1 "model name" /proc/cpuinfo | sed 's/.*: //'), $(free -g | awk '/Mem:/ { print $2 }') GB"
echo
echo "== one machine: censuslink run ($(nproc) threads)"
python3 benches/province/peak.py "$results/one.json" -- \
    "$binary" run --quiet --out "$out/one" "$district/job.toml"
cp "$out/one/summary.json" "$results/summary.json"
for n in $cores; do
    echo
    echo "== Spark local[$n]: censuslink.spark.run"
    python3 benches/province/peak.py "$results/spark-$n.json" -- \
        "$venv/bin/python" benches/province/spark_run.py "$district/job.toml" "$out/spark-$n" \
        "$n" "$memory" "$results/costs-$n.json"
    differ=()
    for file in "$out"/one/*.csv "$out/one/models.json"; do
        cmp -s "$file" "$out/spark-$n/$(basename "$file")" || differ+=("$(basename "$file")")
    done
    if [[ ${#differ[@]} -eq 0 ]]; then
        echo "  the same links, lists and models as the one-machine run"
    else
        echo "  DIFFERENT from the one-machine run: ${differ[*]}"
    fi
done
echo
python3 benches/province/stages.py "$results" $cores
