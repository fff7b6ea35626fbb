//! Personal names: normalisation (NFKC, middle dots, traditional→simplified), the surname split,
//! toneless pinyin with surname readings, and infant-placeholder detection (DOMAIN §3).
//!
//! Everything here is a pure function of its input: any Unicode text is accepted (including
//! supplementary planes and private-use characters) and nothing panics.
//!
//! ```
//! use censuslink_standardize::name::{NameOutcome, is_homophone, standardize_name};
//!
//! let NameOutcome::Name(name) = standardize_name("單 偉") else { unreachable!() };
//! assert_eq!(name.full, "单伟");
//! assert_eq!((name.surname.as_str(), name.given.as_str()), ("单", "伟"));
//! assert_eq!(name.pinyin_primary(), "shan wei");
//! assert_eq!(name.pinyin_readings(), "shan|dan|chan wei");
//!
//! let NameOutcome::Name(name) = standardize_name("买买提 吐尔逊") else { unreachable!() };
//! assert_eq!(name.full, "买买提·吐尔逊");
//! assert_eq!(name.surname, "");
//!
//! assert_eq!(standardize_name("张丽之子"), NameOutcome::Placeholder);
//! assert!(is_homophone('都', '杜'));
//! ```

mod normalize;
mod reading;
mod surname;
mod t2s;
#[cfg(test)]
mod tests;

use crate::name::normalize::{is_cjk_ideograph, is_latin_letter};
use crate::name::reading::UNKNOWN_READING;
use crate::name::surname::Surname;
use std::borrow::Cow;

/// A standardized personal name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandardName {
    /// Normalised full name, as [`normalize_name`] gives it: never empty, holds at least one
    /// letter; no whitespace except single spaces between the words of a pure Latin name; a
    /// minority name's parts joined by U+00B7 (never leading, trailing or doubled).
    pub full: String,
    /// The surname: the longest listed compound surname `full` starts with (欧阳, 上官, 皇甫,
    /// 令狐, 诸葛, 司徒, 司马, 尉迟, 万俟, ..., and Manchu 爱新觉罗), else its first character;
    /// the first word of a name starting with a Latin letter ("ZHANG SAN" → ZHANG). Empty for
    /// names with a middle dot (minority names: given·father, no surname) and for names of a
    /// single unit (one character, or one Latin word).
    pub surname: String,
    /// The rest of `full` after the surname (and the space after a Latin surname); all of
    /// `full` when `surname` is empty.
    pub given: String,
    /// Toneless pinyin, one entry per character of `full` in order; each entry lists every
    /// reading of that character, primary first, never empty. The surname's characters take
    /// their surname reading first (单 shan, 曾 zeng, 尉迟 yu chi, 万俟 mo qi, ...). A run of
    /// Latin letters that spells pinyin gives one entry per syllable ("WEI" → wei, "ZHANGWEI"
    /// → zhang, wei; v and yu spell ü: "LV" → lü); any other Latin run gives one `["?"]`.
    /// Middle dots, spaces, hyphens and apostrophes give no entry; wildcards (`?`, `*`, `□`,
    /// private-use characters) and any character with no reading (digits, 𠮷) give `["?"]`.
    pub pinyin: Vec<Cow<'static, [&'static str]>>,
}

/// What a raw name turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameOutcome {
    /// A usable name.
    Name(StandardName),
    /// Nothing left after normalisation (empty, whitespace, middle dots, invisible characters),
    /// or a missing-value token: 无, 不详, 未知, 空, 暂无, NULL, NONE, N/A, UNKNOWN.
    Missing,
    /// An infant or anonymised placeholder, read as missing: X之子, X之女, X之男 (also 之儿,
    /// 之婴, 之长子, ...), 婴, 婴儿, 男婴, 女婴 (also as suffixes), 小孩, 无名, 无名氏, 新生儿,
    /// 宝宝, 大宝, 二宝, 某, 某某, 张某, 欧阳某某, BABY, ....
    Placeholder,
    /// No letter at all: digits, symbols, wildcards or dashes only ("123", "-", "??").
    NotAName,
}

impl StandardName {
    /// The primary toneless reading of each entry of [`StandardName::pinyin`], joined by single
    /// spaces: "shan wei". Not empty for a name from [`standardize_name`], which holds a
    /// letter, and every letter has an entry.
    pub fn pinyin_primary(&self) -> String {
        let mut out = String::with_capacity(self.pinyin.len() * 6);
        self.write_pinyin_primary(&mut out);
        out
    }

    /// Appends [`StandardName::pinyin_primary`] to `out`.
    pub fn write_pinyin_primary(&self, out: &mut String) {
        for (i, readings) in self.pinyin.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(readings.first().copied().unwrap_or(UNKNOWN_READING));
        }
    }

    /// Every reading: entries joined by single spaces, the alternatives of one entry by `|`,
    /// primary first: "shan|dan|chan wei".
    pub fn pinyin_readings(&self) -> String {
        let mut out = String::with_capacity(self.pinyin.len() * 12);
        self.write_pinyin_readings(&mut out);
        out
    }

    /// Appends [`StandardName::pinyin_readings`] to `out`.
    pub fn write_pinyin_readings(&self, out: &mut String) {
        for (i, readings) in self.pinyin.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            for (j, syllable) in readings.iter().enumerate() {
                if j > 0 {
                    out.push('|');
                }
                out.push_str(syllable);
            }
        }
    }
}

/// Standardizes a raw name: [`normalize_name`], then classification ([`NameOutcome`]), the
/// surname split and pinyin. Accepts any text; never fails or panics. For every `Name(n)`
/// returned, `n.full == normalize_name(raw)` and `standardize_name(&n.full)` returns `Name(n)`
/// again.
pub fn standardize_name(raw: &str) -> NameOutcome {
    match standardize_han(raw) {
        Some(outcome) => outcome,
        None => standardize_general(raw),
    }
}

/// The normalisation alone, without split or pinyin; for display and comparison keys.
/// Idempotent: `normalize_name(&normalize_name(s)) == normalize_name(s)`. Returns an empty string
/// when nothing is left; never fails. Steps (DOMAIN §3.3–3.4):
///
/// - NFKC (full-width letters and U+3000, Kangxi radicals ⼀ → 一, compatibility ideographs),
///   skipped when the text is already NFKC;
/// - invisible characters removed: controls, zero-width characters, bidirectional marks, BOM,
///   soft hyphen, variation selectors;
/// - middle-dot look-alikes (U+00B7, U+0387, U+30FB, U+FF65, U+2022, U+2027, U+2219, U+22C5,
///   U+FF0E, `.`, U+FE52, U+318D, U+2E31, U+A78F) to U+00B7;
/// - a run of separators (whitespace, dots, hyphens) becomes one separator and is dropped at
///   either end; a run holding a dot is a dot;
/// - in a pure Latin name (Latin letters and no other letters) a run is one space, or a hyphen
///   if it holds one: "zhang  san" → "ZHANG SAN";
/// - otherwise a space or hyphen between two non-Latin parts of a name longer than 3 units is a
///   middle dot ("买买提 吐尔逊" → "买买提·吐尔逊"), except after a leading compound surname
///   ("欧阳 娜娜" → "欧阳娜娜") or when every part is a single unit ("司 马 相 如"); a hyphen
///   between two Latin letters stays; every other space and hyphen is removed ("张 三" → "张三");
/// - traditional → simplified one way, character by character with OpenCC's table, keeping
///   characters that are also simplified (於, 乾); 張 → 张, 閆 → 闫, 蕭 → 萧;
/// - Latin letters upper-cased (where the upper case is one character).
///
/// Other punctuation is kept as it is.
pub fn normalize_name(raw: &str) -> String {
    normalize::normalize(raw)
}

/// Whether two characters read alike: their sets of toneless readings intersect (张 and 章:
/// zhang; 都 {dou, du} and 杜 {du, tu}: du; 卜 {bo, bu, pu} and 不: bu). Characters are taken as
/// given (the readings cover traditional characters too). False when either has no reading,
/// even for two equal characters: Latin letters, digits, wildcards, 𠮷; compare for equality
/// first.
pub fn is_homophone(a: char, b: char) -> bool {
    reading::share_reading(a, b)
}

/// Characters of the names that [`standardize_han`] takes; longer ones are rare.
const MAX_HAN_CHARS: usize = 8;

/// [`standardize_name`] of the common name: 1 to [`MAX_HAN_CHARS`] main-block ideographs that
/// simplify within the block, and nothing else (see [`normalize::simplified_han`]). `None` for
/// any other text. Reads the text once, where the general path scans it many times: the name
/// is its simplified characters, holds letters only, no middle dot and no Latin run. Equals
/// [`standardize_general`] (a test checks).
fn standardize_han(raw: &str) -> Option<NameOutcome> {
    let mut simplified = ['\0'; MAX_HAN_CHARS];
    let mut n_chars = 0;
    let mut is_simplified = true;
    for c in raw.chars() {
        let slot = simplified.get_mut(n_chars)?;
        *slot = normalize::simplified_han(c)?;
        is_simplified &= *slot == c;
        n_chars += 1;
    }
    let chars = simplified.get(..n_chars)?;
    let [.., last] = *chars else { return None };
    let full: String = if is_simplified { raw.to_owned() } else { chars.iter().collect() };
    if is_missing_token(&full) {
        return Some(NameOutcome::Missing);
    }
    if has_placeholder_ending(last) && is_placeholder(&full) {
        return Some(NameOutcome::Placeholder);
    }
    let surname = surname::split_han_surname(&full, chars);
    // Surname readings are one per character of the surname, which starts the name.
    let mut pinyin = Vec::with_capacity(chars.len());
    for (i, &c) in chars.iter().enumerate() {
        pinyin.push(reading::char_readings(c, surname.readings.get(i).copied()));
    }
    let (surname_text, given) = full.split_at_checked(surname.len).unwrap_or(("", &full));
    Some(NameOutcome::Name(StandardName {
        surname: surname_text.to_owned(),
        given: given.to_owned(),
        pinyin,
        full,
    }))
}

/// [`standardize_name`] of any text.
fn standardize_general(raw: &str) -> NameOutcome {
    let full = normalize_name(raw);
    if full.is_empty() {
        return if normalize::has_hyphen(raw) {
            NameOutcome::NotAName
        } else {
            NameOutcome::Missing
        };
    }
    if is_missing_token(&full) {
        return NameOutcome::Missing;
    }
    if !full.chars().any(is_letter) {
        return NameOutcome::NotAName;
    }
    if is_placeholder(&full) {
        return NameOutcome::Placeholder;
    }
    let surname = surname::split_surname(&full);
    let (surname_text, rest) = full.split_at_checked(surname.len).unwrap_or(("", &full));
    let given = rest.trim_start_matches(' ');
    let pinyin = read_pinyin(&full, surname);
    NameOutcome::Name(StandardName {
        surname: surname_text.to_owned(),
        given: given.to_owned(),
        pinyin,
        full,
    })
}

/// The pinyin entries of normalised `full` whose surname is `surname`.
fn read_pinyin(full: &str, surname: Surname) -> Vec<Cow<'static, [&'static str]>> {
    let mut readings = Vec::with_capacity(full.len() / 3 + 1);
    let mut surname_readings = surname.readings.iter();
    let mut chars = full.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        // Main-block ideographs, most characters, are neither silent nor Latin.
        let is_ideograph = is_cjk_ideograph(c);
        if !is_ideograph && reading::is_silent(c) {
            continue;
        }
        if !is_ideograph && is_latin_letter(c) {
            let mut end = start + c.len_utf8();
            while let Some(&(i, next)) = chars.peek() {
                if !is_latin_letter(next) {
                    break;
                }
                end = i + next.len_utf8();
                chars.next();
            }
            reading::push_latin_run(full.get(start..end).unwrap_or_default(), &mut readings);
            continue;
        }
        let surname_reading =
            if start < surname.len { surname_readings.next().copied() } else { None };
        readings.push(reading::char_readings(c, surname_reading));
    }
    readings
}

/// A letter of a name: alphabetic (Hanzi, Latin, ...), or a private-use character, which
/// stands in for a rare Hanzi (生僻字) in GBK-era systems.
fn is_letter(c: char) -> bool {
    let is_private_use = matches!(
        u32::from(c),
        0xE000..=0xF8FF | 0xF_0000..=0xF_FFFD | 0x10_0000..=0x10_FFFD
    );
    // Main-block ideographs by a range check first, where `is_alphabetic` searches a table.
    is_cjk_ideograph(c) || c.is_alphabetic() || is_private_use
}

/// Missing-value tokens written in the name column.
fn is_missing_token(full: &str) -> bool {
    matches!(full, "无" | "不详" | "未知" | "空" | "暂无" | "NULL" | "NONE" | "N/A" | "UNKNOWN")
}

/// Infant and anonymised placeholders (DOMAIN §3.5), on the normalised name.
fn is_placeholder(full: &str) -> bool {
    if !full.chars().next_back().is_some_and(has_placeholder_ending) {
        return false;
    }
    let is_exact = matches!(
        full,
        "婴" | "婴儿"
            | "男婴"
            | "女婴"
            | "小孩"
            | "孩子"
            | "小孩子"
            | "无名"
            | "无名氏"
            | "新生儿"
            | "宝宝"
            | "宝贝"
            | "男宝"
            | "女宝"
            | "大宝"
            | "二宝"
            | "三宝"
            | "四宝"
            | "小宝"
            | "某"
            | "某某"
            | "男"
            | "女"
            | "男孩"
            | "女孩"
            | "儿子"
            | "女儿"
            | "长子"
            | "长女"
            | "次子"
            | "次女"
            | "未取名"
            | "未起名"
            | "未命名"
            | "待取名"
            | "待定"
            | "BABY"
            | "BABY BOY"
            | "BABY GIRL"
            | "BABYBOY"
            | "BABYGIRL"
            | "INFANT"
            | "NEWBORN"
    );
    let n_chars = full.chars().count();
    let is_infant_suffix = ["男婴", "女婴", "婴儿", "新生儿"].iter().any(|s| full.ends_with(s));
    // 王宝宝 is a nickname; 宝宝 inside a longer name is not.
    let is_baby_nickname = full.ends_with("宝宝") && n_chars <= 3;
    // 张某, 张某某, 欧阳某某: anonymised.
    let is_anonymized = full.ends_with('某') && n_chars <= 4;
    is_exact || is_infant_suffix || is_baby_nickname || is_anonymized || is_child_of(full)
}

/// Whether a name ending in `last` can be a placeholder: every one that [`is_placeholder`]
/// finds ends in one of these, and few names do, so most are decided here.
fn has_placeholder_ending(last: char) -> bool {
    matches!(
        last,
        '婴' | '儿'
            | '孩'
            | '子'
            | '名'
            | '氏'
            | '宝'
            | '贝'
            | '某'
            | '男'
            | '女'
            | '定'
            | 'Y'
            | 'L'
            | 'T'
            | 'N'
    )
}

/// X之子, X之女, X之男, X之儿, X之婴, also with a birth order: 张丽之长女, 之次子.
fn is_child_of(full: &str) -> bool {
    let Some(rest) = full.strip_suffix(['子', '女', '男', '儿', '婴']) else { return false };
    let rest =
        rest.strip_suffix(['长', '次', '大', '小', '一', '二', '三', '四', '五']).unwrap_or(rest);
    rest.ends_with('之')
}
