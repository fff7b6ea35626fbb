#!/usr/bin/env bash
# censuslink against Splink 5 (DuckDB) on the census ↔ hukou link of a generated district: the
# wall time, CPU time and peak memory of each, the pairs each links, and their precision and
# recall against the district's truth; then both from the raw census and hukou files to the
# link and the census's deduplication (Splink with its own standardization,
# benches/peers/splink_raw.py).
#
#   benches/peers/splink.sh [--persons N] [--seed S] [--cache DIR] [--u-pairs X]
#
# Defaults: 1,000,000 persons, seed 7, districts cached in target/districts (as
# benches/district.sh), Splink's u from 1e6 random pairs (as many as censuslink draws; Splink
# advises 1e7 or more: --u-pairs 1e7 costs it about 30 s more at any district size).
# censuslink runs whole (`censuslink run --threads 2`), then again on a job of the census and
# hukou sources alone ($district/job-census-hukou.toml); Splink then links the census and hukou
# records the whole run standardized (OUT/standardized/{census,hukou}.parquet) with a model that
# mirrors censuslink's defaults (benches/peers/splink_census_hukou.py), on 2 DuckDB threads.
# Splink is installed once into a virtual environment in target/peers/venv (from PyPI). Uses
# $CENSUSLINK as the binary when set, else builds target/release/censuslink. Needs GNU time at
# /usr/bin/time (`apt-get install time`) and python3 (3.10 or later) with venv. See
# benches/peers/README.md.
set -euo pipefail

persons=1000000
seed=7
cache=""
u_pairs=1e6
while [[ $# -gt 0 ]]; do
    case "$1" in
        --persons) persons="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        --cache) cache="$2"; shift 2 ;;
        --u-pairs) u_pairs="$2"; shift 2 ;;
        *) echo "usage: benches/peers/splink.sh [--persons N] [--seed S] [--cache DIR] [--u-pairs X]" >&2; exit 2 ;;
    esac
done
for tool in /usr/bin/time python3; do
    if ! command -v "$tool" >/dev/null; then
        echo "benches/peers/splink.sh needs $tool (apt-get install time python3)" >&2
        exit 2
    fi
done

# The Splink version compared, pinned, and the pinyin library its raw-file run standardizes
# names with.
splink_version=5.0.0
pypinyin_version=0.55.0

cd "$(dirname "$0")/../.."
source benches/common/district.sh

# The virtual environment, made once; its marker names the pinned version, so that a change of
# pin makes it anew.
venv="$target/peers/venv"
marker="$venv/splink-$splink_version-pypinyin-$pypinyin_version"
if [[ ! -f "$marker" ]]; then
    rm -rf "$venv"
    echo "installing Splink $splink_version and pypinyin $pypinyin_version into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "splink==$splink_version" \
        "pypinyin==$pypinyin_version" pyarrow
    touch "$marker"
fi
python="$venv/bin/python"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "censuslink and Splink $splink_version on census ↔ hukou, $persons persons (seed $seed)"
echo "machine: $(nproc) cores, $(grep -m1 "model name" /proc/cpuinfo | sed 's/.*: //'), $(free -g | awk '/Mem:/ { print $2 }') GB"

# censuslink's whole run (it exits 1 when it has findings for the field teams), writing the
# standardized records Splink is given below.
/usr/bin/time -v -o "$out/censuslink-time.log" "$binary" run --quiet --threads 2 --standardized \
    --out "$out/run" "$district/job.toml" || [[ $? -eq 1 ]]

# censuslink on a job of the census and hukou sources alone, for a like-for-like row: the job's
# top-level keys and tables and its census and hukou [[source]] blocks (each with its
# [source.*] tables and the comments just above it), written beside the district's files so
# that the relative paths still resolve.
pair_job="$district/job-census-hukou.toml"
"$python" - "$district/job.toml" "$pair_job" <<'PY'
import re
import sys

header = re.compile(r"^(\[\[?)\s*([A-Za-z0-9_.-]+)\s*\]\]?\s*(#.*)?$")
role = re.compile(r"""^role\s*=\s*["']([^"']*)["']""")
chunks = [[None, []]]  # [the role of a [[source]] block, or None for the rest; its lines]
for line in open(sys.argv[1], encoding="utf-8").read().splitlines(keepends=True):
    m = header.match(line)
    if m and not (m[1] == "[" and (m[2] == "source" or m[2].startswith("source."))):
        # A new [[source]] block or a top-level table; the comments just above it go with it.
        lines = chunks[-1][1]
        n = len(lines)
        while n and (not lines[n - 1].strip() or lines[n - 1].lstrip().startswith("#")):
            n -= 1
        chunks.append(["source" if m[1] == "[[" and m[2] == "source" else None, lines[n:]])
        del lines[n:]
    chunks[-1][1].append(line)
    if chunks[-1][0] == "source" and (r := role.match(line)):
        chunks[-1][0] = r[1]
kept = [c for c in chunks if c[0] in (None, "census", "hukou")]
if sorted(c[0] for c in kept if c[0]) != ["census", "hukou"]:
    sys.exit(f"{sys.argv[1]}: expected one census and one hukou [[source]]")
open(sys.argv[2], "w", encoding="utf-8").write(
    "# The census and hukou sources of job.toml alone, written by benches/peers/splink.sh.\n"
    + "".join(l for c in kept for l in c[1]))
PY
/usr/bin/time -v -o "$out/censuslink-pair-time.log" "$binary" run --quiet --threads 2 \
    --out "$out/run-census-hukou" "$pair_job" || [[ $? -eq 1 ]]

# Splink on the standardized census and hukou records of the whole run.
if ! /usr/bin/time -v -o "$out/splink-time.log" "$python" benches/peers/splink_census_hukou.py \
    --standardized "$out/run/standardized" --pairs "$out/splink-pairs.csv" --threads 2 \
    --u-pairs "$u_pairs" >"$out/splink-report.txt" 2>"$out/splink.log"; then
    echo "Splink failed; its log:" >&2
    tail -n 40 "$out/splink.log" >&2
    exit 1
fi
tail -n 1 "$out/splink-report.txt" >"$out/splink-report.json"

# Splink from the raw census and hukou files, as its users run it: its own standardization,
# the census ↔ hukou link and the census's deduplication (benches/peers/splink_raw.py).
if ! /usr/bin/time -v -o "$out/splink-raw-time.log" "$python" benches/peers/splink_raw.py \
    --district "$district" --links "$out/splink-raw-links.csv" \
    --clusters "$out/splink-raw-clusters.csv" --threads 2 --u-pairs "$u_pairs" \
    >"$out/splink-raw-report.txt" 2>"$out/splink-raw.log"; then
    echo "Splink from raw files failed; its log:" >&2
    tail -n 40 "$out/splink-raw.log" >&2
    exit 1
fi
tail -n 1 "$out/splink-raw-report.txt" >"$out/splink-raw-report.json"

echo
"$python" benches/peers/compare.py --truth "$district/truth" --censuslink-out "$out/run" \
    --censuslink-time "$out/censuslink-time.log" --censuslink-pair-out "$out/run-census-hukou" \
    --censuslink-pair-time "$out/censuslink-pair-time.log" --splink-pairs "$out/splink-pairs.csv" \
    --splink-time "$out/splink-time.log" --splink-report "$out/splink-report.json" \
    --splink-raw-links "$out/splink-raw-links.csv" \
    --splink-raw-clusters "$out/splink-raw-clusters.csv" \
    --splink-raw-time "$out/splink-raw-time.log" --splink-raw-report "$out/splink-raw-report.json"
