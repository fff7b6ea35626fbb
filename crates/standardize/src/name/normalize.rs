//! Name normalisation: NFKC, middle-dot look-alikes, whitespace and hyphens, invisible
//! characters, traditional→simplified, upper-case Latin.

use std::borrow::Cow;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

use crate::name::surname;
use crate::name::t2s;

/// The separator of minority names' parts (民委发〔2016〕33号): U+00B7 MIDDLE DOT.
pub(crate) const MIDDLE_DOT: char = '\u{00B7}';

/// Passes after the first, run only while the output is not yet NFKC. One suffices for every
/// case known (an upper-cased `I` before U+0307 composing to `İ`); the bound is a guard.
const MAX_EXTRA_PASSES: usize = 3;

/// Names with more than this many units (characters; a Latin letter run counts once) read a
/// space or hyphen between two non-Latin parts as the minority-name separator.
const MAX_UNITS_WITHOUT_DOT: usize = 3;

/// A separator between parts of a name. Variant order is precedence within a run of
/// separators: a run holding a dot is a dot, else one holding a hyphen is a hyphen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Separator {
    Space,
    Hyphen,
    Dot,
}

/// What the first pass does with one (NFKC) character.
enum Class {
    /// Invisible: control, format, zero-width, variation selector.
    Drop,
    Separator(Separator),
    /// Kept, mapped (simplified, upper-cased).
    Keep(char),
}

/// The normalised form of `raw`; see [`crate::name::normalize_name`].
pub(crate) fn normalize(raw: &str) -> String {
    match normalize_han(raw) {
        Some(out) => out,
        None => normalize_general(raw),
    }
}

/// Whether `c` is in the main block of CJK unified ideographs (U+4E00..=U+9FFF), where almost
/// every character of a name lies: each is a letter, has no compatibility decomposition, and is
/// neither a separator, invisible, nor Latin.
#[inline]
pub(crate) fn is_cjk_ideograph(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}')
}

/// The normalised form of `raw` when it holds nothing but main-block ideographs whose
/// simplified forms are also in that block (see [`simplified_han`]) and middle-dot
/// look-alikes; `None` otherwise. The common case, in one scan and one copy: NFKC changes no
/// such ideograph and makes each look-alike itself or another one, and there is no space or
/// hyphen to resolve and no invisible or Latin character, so this equals [`normalize_general`]
/// (a test checks).
pub(crate) fn normalize_han(raw: &str) -> Option<String> {
    let mut is_simplified = true;
    let mut n_dots = 0;
    for c in raw.chars() {
        match simplified_han(c) {
            Some(simplified) => is_simplified &= simplified == c,
            None if is_dot_lookalike(c) => n_dots += 1,
            None => return None,
        }
    }
    if is_simplified && n_dots == 0 {
        return Some(raw.to_owned());
    }
    // Ideographs keep their three bytes; a dot of one byte becomes two.
    let mut out = String::with_capacity(raw.len() + n_dots);
    let mut is_dot_pending = false;
    for c in raw.chars() {
        let Some(simplified) = simplified_han(c) else {
            is_dot_pending = true;
            continue;
        };
        // As in the general pass: dots at either end are dropped, a run of them is one.
        if is_dot_pending && !out.is_empty() {
            out.push(MIDDLE_DOT);
        }
        is_dot_pending = false;
        out.push(simplified);
    }
    Some(out)
}

/// The simplified form of `c` when both are main-block ideographs ([`is_cjk_ideograph`]),
/// which the general normalisation maps to that form and nothing else; `None` for any other
/// character, and for the few traditional characters simplified outside the block (俓 → 𠇹).
#[inline]
pub(crate) fn simplified_han(c: char) -> Option<char> {
    if !is_cjk_ideograph(c) {
        return None;
    }
    let simplified = t2s::simplify(c);
    if is_cjk_ideograph(simplified) { Some(simplified) } else { None }
}

/// The normalised form of any `raw`: passes of NFKC and mapping until the text is stable.
pub(crate) fn normalize_general(raw: &str) -> String {
    let mut out = pass(raw);
    for _ in 0..MAX_EXTRA_PASSES {
        if is_known_nfkc(&out) {
            break;
        }
        let next = pass(&out);
        if next == out {
            break;
        }
        out = next;
    }
    out
}

/// Whether `c` is a Latin letter (ASCII or the Latin blocks of the BMP), the letters that are
/// upper-cased and read as spelled pinyin.
pub(crate) fn is_latin_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    // Past the last Latin block: rejects Hanzi with one comparison.
    if c > '\u{AB6F}' {
        return false;
    }
    let is_latin_block = matches!(
        u32::from(c),
        0x00C0..=0x024F | 0x1E00..=0x1EFF | 0x2C60..=0x2C7F | 0xA720..=0xA7FF | 0xAB30..=0xAB6F
    );
    is_latin_block && c.is_alphabetic() && !is_dot_lookalike(c)
}

/// Whether `raw` holds a hyphen or dash, which makes a name that normalises to nothing
/// "not a name" rather than missing (`-` is a common "none" mark).
pub(crate) fn has_hyphen(raw: &str) -> bool {
    raw.chars().any(is_hyphen)
}

/// One normalisation pass: NFKC if needed, then per-character mapping with separator runs
/// collapsed and trimmed, then the separators resolved for the name as a whole.
fn pass(raw: &str) -> String {
    let nfkc: Cow<'_, str> = if is_known_nfkc(raw) {
        Cow::Borrowed(raw)
    } else {
        let mut nfkc = String::with_capacity(raw.len());
        nfkc.extend(raw.nfkc());
        Cow::Owned(nfkc)
    };
    // Room for dots written as two bytes where there was one.
    let mut out = String::with_capacity(nfkc.len() + nfkc.len() / 2);
    let mut pending: Option<Separator> = None;
    let mut has_space_or_hyphen = false;
    for c in nfkc.chars() {
        match classify(c) {
            Class::Drop => {}
            Class::Separator(separator) => pending = pending.max(Some(separator)),
            Class::Keep(mapped) => {
                // Separators before the first character are dropped; after the last one the
                // pending separator is never written.
                if let Some(separator) = pending.take().filter(|_| !out.is_empty()) {
                    has_space_or_hyphen |= separator != Separator::Dot;
                    out.push(separator.as_char());
                }
                out.push(mapped);
            }
        }
    }
    if has_space_or_hyphen { resolve_separators(&out) } else { out }
}

/// Decides each space and hyphen of `s` (single, between two kept characters, as the first
/// pass leaves them): kept in a pure Latin name; a middle dot between two non-Latin parts of a
/// name longer than 3 units; a hyphen kept between two Latin letters; otherwise removed.
///
/// Two refinements of the dot rule keep Han names whole: not after a leading compound
/// surname ("欧阳 娜娜" is 欧阳娜娜), and not when every part is a single unit ("司 马 相 如",
/// spaced-out characters).
fn resolve_separators(s: &str) -> String {
    let mut has_latin_letter = false;
    let mut has_other_letter = false;
    for c in s.chars() {
        if is_latin_letter(c) {
            has_latin_letter = true;
        } else if is_cjk_ideograph(c) || c.is_alphabetic() {
            has_other_letter = true;
        }
    }
    let is_pure_latin = has_latin_letter && !has_other_letter;
    if is_pure_latin {
        return s.to_owned();
    }

    let mut n_units = 0;
    let mut n_units_in_part = 0;
    let mut is_every_part_single = true;
    let mut prev: Option<char> = None;
    for c in s.chars() {
        if is_separator(c) {
            is_every_part_single &= n_units_in_part == 1;
            n_units_in_part = 0;
        } else if !prev.is_some_and(is_latin_letter) || !is_latin_letter(c) {
            n_units += 1;
            n_units_in_part += 1;
        }
        prev = Some(c);
    }
    is_every_part_single &= n_units_in_part == 1;
    let is_long = n_units > MAX_UNITS_WITHOUT_DOT;
    let is_first_part_compound_surname =
        s.find(is_separator).and_then(|end| s.get(..end)).is_some_and(surname::is_compound);

    // Room for spaces and hyphens written as middle dots, of two bytes.
    let mut out = String::with_capacity(s.len() + s.len() / 2);
    let mut prev: Option<char> = None;
    let mut is_first_separator = true;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == MIDDLE_DOT {
            is_first_separator = false;
        } else if c == ' ' || c == '-' {
            let is_after_compound_surname = is_first_separator && is_first_part_compound_surname;
            is_first_separator = false;
            let is_prev_latin = prev.is_some_and(is_latin_letter);
            let is_next_latin = chars.peek().copied().is_some_and(is_latin_letter);
            let is_between_non_latin = !is_prev_latin && !is_next_latin;
            let is_minority_separator = is_between_non_latin
                && is_long
                && !is_every_part_single
                && !is_after_compound_surname;
            if is_minority_separator {
                out.push(MIDDLE_DOT);
            } else if c == '-' && is_prev_latin && is_next_latin {
                out.push('-');
            }
            continue;
        }
        out.push(c);
        prev = Some(c);
    }
    out
}

fn classify(c: char) -> Class {
    if c.is_ascii() {
        return match c {
            'a'..='z' => Class::Keep(c.to_ascii_uppercase()),
            '.' => Class::Separator(Separator::Dot),
            '-' => Class::Separator(Separator::Hyphen),
            _ if c.is_whitespace() => Class::Separator(Separator::Space),
            _ if c.is_control() => Class::Drop,
            _ => Class::Keep(c),
        };
    }
    if is_dot_lookalike(c) {
        Class::Separator(Separator::Dot)
    } else if is_hyphen(c) {
        Class::Separator(Separator::Hyphen)
    } else if c.is_whitespace() {
        Class::Separator(Separator::Space)
    } else if is_invisible(c) {
        Class::Drop
    } else if is_latin_letter(c) {
        Class::Keep(upper_single(c))
    } else {
        Class::Keep(t2s::simplify(c))
    }
}

impl Separator {
    fn as_char(self) -> char {
        match self {
            Separator::Space => ' ',
            Separator::Hyphen => '-',
            Separator::Dot => MIDDLE_DOT,
        }
    }
}

/// Whether NFKC leaves `s` unchanged, cheaply: the quick check passes ASCII without a table
/// look-up, and main-block ideographs, NFKC-stable starters as ASCII is (a test checks), go to
/// it as a space, which changes none of its answers.
fn is_known_nfkc(s: &str) -> bool {
    let ideographs_as_ascii = s.chars().map(|c| if is_cjk_ideograph(c) { ' ' } else { c });
    is_nfkc_quick(ideographs_as_ascii) == IsNormalized::Yes
}

/// Separators as the first pass writes them.
fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | MIDDLE_DOT)
}

/// Middle-dot look-alikes seen in real data (DOMAIN §3.3), and what NFKC makes of some:
/// U+FF0E, U+FE52 and U+2024 become `.`, U+FF65 becomes U+30FB, U+318D becomes U+119E.
fn is_dot_lookalike(c: char) -> bool {
    matches!(
        c,
        '.' | '\u{00B7}'
            | '\u{0387}'
            | '\u{119E}'
            | '\u{16EB}'
            | '\u{2022}'
            | '\u{2024}'
            | '\u{2027}'
            | '\u{2219}'
            | '\u{22C5}'
            | '\u{2E31}'
            | '\u{30FB}'
            | '\u{318D}'
            | '\u{A78F}'
            | '\u{FE52}'
            | '\u{FF0E}'
            | '\u{FF65}'
    )
}

/// Hyphens, dashes and minus signs, including their full-width, small and vertical forms.
fn is_hyphen(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'
            ..='\u{2015}'
                | '\u{2043}'
                | '\u{2212}'
                | '\u{2E3A}'
                | '\u{2E3B}'
                | '\u{FE31}'
                | '\u{FE32}'
                | '\u{FE58}'
                | '\u{FE63}'
                | '\u{FF0D}'
    )
}

/// Characters with no visible form: controls, format characters (soft hyphen, zero-width
/// space and joiners, bidirectional marks, BOM), Hangul fillers, variation selectors and tags.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

/// The upper case of `c` when it is one character (`ß` and `ǰ` have two and stay as they are).
fn upper_single(c: char) -> char {
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}
