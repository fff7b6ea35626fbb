# Sourced by benches/district.sh and benches/peers/splink.sh: the release binary and the
# cached district. Expects `persons`, `seed` and `cache` (empty for the default) to be set and
# the repository's root to be the working folder; sets `binary` (`$CENSUSLINK` when given, else
# a fresh release build) and `district`, generating the district once.
target="${CARGO_TARGET_DIR:-target}"
if [[ -n "${CENSUSLINK:-}" ]]; then
    binary="$CENSUSLINK"
else
    cargo build --release --quiet
    binary="$target/release/censuslink"
fi
cache="${cache:-$target/districts}"
district="$cache/persons-$persons-seed-$seed"
if [[ ! -f "$district/complete" ]]; then
    rm -rf "$district"
    echo "generating $district"
    "$binary" synth --quiet --persons "$persons" --seed "$seed" --out "$district"
    touch "$district/complete"
fi
