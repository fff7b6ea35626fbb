//! Traditional-to-simplified conversion of single characters for names, from OpenCC's table.

use std::sync::LazyLock;

/// OpenCC's `TSCharacters.txt`: `key<TAB>candidate candidate ...`, `#` comments.
const TABLE_TEXT: &str = include_str!("../../data/opencc-TSCharacters.txt");

/// Chain hops followed when a simplified target is itself a key (薴 → 苧 → 苎); the table
/// needs one.
const MAX_CHAIN_HOPS: usize = 4;

/// First code point of any key: CJK Extension A. Everything below maps to itself.
const FIRST_KEY: u32 = 0x3400;

static TABLE: LazyLock<T2s> = LazyLock::new(|| T2s::parse(TABLE_TEXT));

/// The parsed table.
struct T2s {
    /// One bit per BMP code point: whether it is a key, so that the common simplified
    /// character is rejected without a search.
    bmp_keys: Vec<u64>,
    /// Key and its final simplified character, sorted by key; only keys that change.
    pairs: Vec<(char, char)>,
}

/// The simplified form of `c` for a name: OpenCC's first candidate, except that a character
/// listed among its own candidates (乾 → 干 乾, 於 → 于 於) stays, since it is also a valid
/// simplified character and often a distinct surname. Characters not in the table are returned
/// unchanged; never fails.
#[inline]
pub(crate) fn simplify(c: char) -> char {
    let code = u32::from(c);
    if code < FIRST_KEY {
        return c;
    }
    let table = &*TABLE;
    if code <= 0xFFFF {
        let word = table.bmp_keys.get((code >> 6) as usize).copied().unwrap_or(0);
        if word & (1 << (code & 63)) == 0 {
            return c;
        }
    }
    match table.pairs.binary_search_by_key(&c, |&(key, _)| key) {
        Ok(i) => table.pairs.get(i).map_or(c, |&(_, simplified)| simplified),
        Err(_) => c,
    }
}

/// Number of characters that [`simplify`] changes; for tests.
#[cfg(test)]
pub(crate) fn n_changed() -> usize {
    TABLE.pairs.len()
}

impl T2s {
    fn parse(text: &str) -> T2s {
        let mut pairs: Vec<(char, char)> = Vec::with_capacity(4200);
        for line in text.lines() {
            if line.starts_with('#') {
                continue;
            }
            let Some((key, candidates)) = line.split_once('\t') else { continue };
            let Some(key) = single_char(key) else { continue };
            let mut candidates = candidates.split_whitespace().filter_map(single_char);
            let Some(first) = candidates.clone().next() else { continue };
            let is_also_simplified = candidates.any(|candidate| candidate == key);
            if !is_also_simplified {
                pairs.push((key, first));
            }
        }
        pairs.sort_unstable();
        pairs.dedup_by_key(|&mut (key, _)| key);

        // Resolve chains so that simplify(simplify(c)) == simplify(c).
        let lookup = pairs.clone();
        for (_, target) in &mut pairs {
            for _ in 0..MAX_CHAIN_HOPS {
                match lookup.binary_search_by_key(target, |&(key, _)| key) {
                    Ok(i) => *target = lookup[i].1,
                    Err(_) => break,
                }
            }
        }

        let mut bmp_keys = vec![0u64; 0x10000 / 64];
        for &(key, _) in &pairs {
            let code = u32::from(key);
            if let Some(word) = bmp_keys.get_mut((code >> 6) as usize) {
                *word |= 1 << (code & 63);
            }
        }
        T2s { bmp_keys, pairs }
    }
}

/// The only character of `s`, if it has exactly one.
fn single_char(s: &str) -> Option<char> {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}
