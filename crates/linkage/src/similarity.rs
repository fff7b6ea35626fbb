//! Jaro and Jaro–Winkler similarity, as `strsim` computes them, with a fast path for the short
//! ASCII strings linkage compares most (pinyin readings, Latin names): flags in one machine
//! word and no allocation. The results are the same to the bit (a property test checks); other
//! strings go to `strsim`.

/// The longest string, in bytes, the fast path takes: one bit of a `u64` per byte.
const FAST: usize = 64;

/// The Jaro similarity of `a` and `b`.
pub(crate) fn jaro(a: &str, b: &str) -> f64 {
    if a.is_ascii() && b.is_ascii() && a.len() <= FAST && b.len() <= FAST {
        ascii_jaro(a.as_bytes(), b.as_bytes())
    } else {
        strsim::jaro(a, b)
    }
}

/// The Jaro–Winkler similarity of `a` and `b`: Jaro, raised by a common prefix of up to four
/// characters when it is over 0.7.
pub(crate) fn jaro_winkler(a: &str, b: &str) -> f64 {
    if a.is_ascii() && b.is_ascii() && a.len() <= FAST && b.len() <= FAST {
        let sim = ascii_jaro(a.as_bytes(), b.as_bytes());
        if sim > 0.7 {
            let prefix = a.bytes().take(4).zip(b.bytes()).take_while(|(x, y)| x == y).count();
            sim + 0.1 * prefix as f64 * (1.0 - sim)
        } else {
            sim
        }
    } else {
        strsim::jaro_winkler(a, b)
    }
}

/// Whether the Jaro–Winkler similarity of `a` and `b` reaches `threshold`, as
/// `jaro_winkler(a, b) >= threshold`, but first against a bound that costs one pass over each
/// string: no more characters can match than the two strings have in common, and no
/// transposition can raise the score. Most pairs of unrelated names stop there.
pub(crate) fn jaro_winkler_reaches(a: &str, b: &str, threshold: f64) -> bool {
    if !a.is_empty() && !b.is_empty() && a.is_ascii() && b.is_ascii() {
        // Counts by the byte's low six bits: bytes that share a slot only raise the bound.
        let mut counts = [0i16; 64];
        for &x in a.as_bytes() {
            counts[usize::from(x & 63)] += 1;
        }
        let mut common = 0usize;
        for &y in b.as_bytes() {
            let slot = &mut counts[usize::from(y & 63)];
            if *slot > 0 {
                *slot -= 1;
                common += 1;
            }
        }
        let m = common as f64;
        let bound =
            if common == 0 { 0.0 } else { (m / a.len() as f64 + m / b.len() as f64 + 1.0) / 3.0 };
        let prefix = a.bytes().take(4).zip(b.bytes()).take_while(|(x, y)| x == y).count();
        let bound = if bound > 0.7 { bound + 0.1 * prefix as f64 * (1.0 - bound) } else { bound };
        // The margin covers rounding: the bound is only ever a little above the true value.
        if bound < threshold - 1e-9 {
            return false;
        }
    }
    jaro_winkler(a, b) >= threshold
}

/// Jaro on bytes of strings of at most [`FAST`] bytes, matching as `strsim::generic_jaro` does:
/// each byte of `a` takes the first unmatched equal byte of `b` within the search range.
fn ascii_jaro(a: &[u8], b: &[u8]) -> f64 {
    let (a_len, b_len) = (a.len(), b.len());
    if a_len == 0 && b_len == 0 {
        return 1.0;
    } else if a_len == 0 || b_len == 0 {
        return 0.0;
    }
    let search_range = (a_len.max(b_len) / 2).saturating_sub(1);
    let (mut a_flags, mut b_flags) = (0u64, 0u64);
    let mut matches = 0usize;
    for (i, &x) in a.iter().enumerate() {
        let low = i.saturating_sub(search_range);
        let high = (i + search_range + 1).min(b_len);
        for (j, &y) in b.iter().enumerate().take(high).skip(low) {
            if x == y && b_flags >> j & 1 == 0 {
                a_flags |= 1 << i;
                b_flags |= 1 << j;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    // Matched bytes of `a` and of `b`, each in order: every position where they differ is half
    // a transposition.
    fn matched(text: &[u8], flags: u64) -> impl Iterator<Item = u8> + '_ {
        text.iter().enumerate().filter(move |&(i, _)| flags >> i & 1 == 1).map(|(_, &c)| c)
    }
    let transpositions =
        matched(a, a_flags).zip(matched(b, b_flags)).filter(|(x, y)| x != y).count() / 2;
    ((matches as f64 / a_len as f64)
        + (matches as f64 / b_len as f64)
        + ((matches - transpositions) as f64 / matches as f64))
        / 3.0
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{jaro, jaro_winkler};

    #[test]
    fn worked_examples_agree_with_the_definition() {
        // MARTHA / MARHTA: 6 matches, 1 transposition: (1 + 1 + 5/6) / 3 = 0.9444...; with the
        // prefix MAR, 0.9444 + 0.3 × 0.0556 = 0.9611.
        assert!((jaro("MARTHA", "MARHTA") - 17.0 / 18.0).abs() < 1e-12);
        assert!((jaro_winkler("MARTHA", "MARHTA") - (17.0 / 18.0 + 0.3 / 18.0)).abs() < 1e-12);
        assert_eq!(jaro("", ""), 1.0);
        assert_eq!(jaro("abc", ""), 0.0);
        assert_eq!(jaro("abc", "xyz"), 0.0);
    }

    proptest! {
        #[test]
        fn the_bound_never_turns_away_a_pair_that_reaches_the_threshold(
            a in "[a-h]{0,12}",
            b in "[a-h]{0,12}",
            threshold in 0.5f64..1.0,
        ) {
            prop_assert_eq!(
                super::jaro_winkler_reaches(&a, &b, threshold),
                strsim::jaro_winkler(&a, &b) >= threshold
            );
        }

        #[test]
        fn the_fast_path_gives_strsims_results_to_the_bit(
            a in "[a-e ]{0,20}|[a-z]{0,70}|[张王李a-c]{0,6}",
            b in "[a-e ]{0,20}|[a-z]{0,70}|[张王李a-c]{0,6}",
        ) {
            prop_assert_eq!(jaro(&a, &b).to_bits(), strsim::jaro(&a, &b).to_bits());
            prop_assert_eq!(
                jaro_winkler(&a, &b).to_bits(),
                strsim::jaro_winkler(&a, &b).to_bits()
            );
        }
    }
}
