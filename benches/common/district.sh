# Sourced by benches/district.sh, benches/accuracy.sh and benches/peers/splink.sh: the release
# binary and the cached district. Expects `persons`, `seed` and `cache` (empty for the default)
# to be set, and optionally `scale` (the error scale, default 1) and `layout` (the census
# layout, default census2020) and `counties` (a province of that many counties; 0 or unset, a
# district); the repository's root is the working folder. Sets `binary`
# (`$CENSUSLINK` when given, else a fresh release build, made once) and `district`, generating
# the district once.
target="${CARGO_TARGET_DIR:-target}"
if [[ -n "${CENSUSLINK:-}" ]]; then
    binary="$CENSUSLINK"
elif [[ -z "${binary:-}" ]]; then
    cargo build --release --quiet
    binary="$target/release/censuslink"
fi
cache="${cache:-$target/districts}"
scale="${scale:-1}"
layout="${layout:-census2020}"
counties="${counties:-0}"
district="$cache/$layout-persons-$persons-seed-$seed-scale-$scale"
province=()
if [[ "$counties" != 0 ]]; then
    district="$district-counties-$counties"
    province=(--counties "$counties")
fi
if [[ ! -f "$district/complete" ]]; then
    rm -rf "$district"
    echo "generating $district" >&2
    "$binary" synth --quiet --persons "$persons" --seed "$seed" --error-scale "$scale" \
        --layout "$layout" "${province[@]}" --out "$district"
    touch "$district/complete"
fi
