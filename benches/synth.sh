#!/usr/bin/env bash
# The cost of generating a synthetic district: wall time, CPU time and peak memory of
# `censuslink synth` in release mode.
#
#   benches/synth.sh [--persons N] [--seed S]      (default: 1,000,000 persons, seed 7)
#
# Needs GNU time (`apt-get install time` on Debian) for the peak memory. The district is
# written to a temporary folder and removed afterwards.
set -euo pipefail

persons=1000000
seed=7
while [[ $# -gt 0 ]]; do
    case "$1" in
        --persons) persons="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        *) echo "usage: benches/synth.sh [--persons N] [--seed S]" >&2; exit 2 ;;
    esac
done
if [[ ! -x /usr/bin/time ]]; then
    echo "benches/synth.sh needs GNU time at /usr/bin/time (apt-get install time)" >&2
    exit 2
fi

cd "$(dirname "$0")/.."
cargo build --release --quiet
# The binary cargo just built, wherever CARGO_TARGET_DIR puts it.
binary="${CARGO_TARGET_DIR:-target}/release/censuslink"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
log="$out/time.log"
/usr/bin/time -v -o "$log" "$binary" synth --quiet \
    --persons "$persons" --seed "$seed" --out "$out/district"

field() { grep -F "$1" "$log" | sed 's/.*: //'; }
user=$(field "User time (seconds)")
system=$(field "System time (seconds)")
echo "censuslink synth --persons $persons --seed $seed"
echo "  wall time:   $(field "Elapsed (wall clock) time")"
echo "  CPU time:    $(awk "BEGIN { print $user + $system }") s (user $user s, system $system s)"
echo "  peak memory: $(( $(field "Maximum resident set size") / 1024 )) MB"
echo "  written:     $(du -sh "$out/district" | cut -f1)"
echo "  machine:     $(nproc) cores, $(grep -m1 "model name" /proc/cpuinfo | sed 's/.*: //')"
