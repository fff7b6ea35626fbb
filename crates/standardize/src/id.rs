//! Citizen ID numbers (公民身份号码, GB 11643-1999): cleaning, repair of formatting damage,
//! validation, 15-to-18 conversion, and the birth date, sex and address code they carry.
//!
//! ```
//! use censuslink_model::{IdStatus, Sex};
//! use censuslink_standardize::id::standardize_id;
//!
//! let outcome = standardize_id("11010519491231002x");
//! assert_eq!(outcome.status, IdStatus::Repaired);
//! assert_eq!(outcome.number.as_deref(), Some("11010519491231002X"));
//! assert_eq!(outcome.birth_date.map(|d| d.to_string()), Some("1949-12-31".to_owned()));
//! assert_eq!(outcome.sex, Some(Sex::Female));
//! assert_eq!(outcome.region, Some(110105));
//!
//! assert_eq!(standardize_id("110105491231002").status, IdStatus::Converted15);
//! assert_eq!(standardize_id("320102202011011000").status, IdStatus::ExcelTruncated);
//! ```

use std::sync::LazyLock;

use censuslink_model::{IdStatus, PartialDate, Sex};

use crate::codes::fold_width;

/// What [`standardize_id`] made of one raw ID value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdOutcome {
    /// The canonical 18-character form (digits, upper-case `X` last) when `status.is_valid()`.
    /// For `BadCheckDigit`, `BadDate`, `UnknownRegion`: the cleaned 18 characters (a 15-digit
    /// number converted to 18), kept for fuzzy comparison. For `ExcelTruncated`: the cleaned
    /// digits, scientific notation written out (`3.20102E+17` gives `320102000000000000`). For
    /// `TemporaryNumber` and `Malformed`: the cleaned text (with any `L`/`G`/`J` prefix), if
    /// non-empty. `None` for `Missing`.
    pub number: Option<String>,
    /// What the value turned out to be.
    pub status: IdStatus,
    /// The embedded birth date, at day precision; only when `status.is_valid()`.
    pub birth_date: Option<PartialDate>,
    /// The sex from the parity of the sequence number (odd male); only when `status.is_valid()`.
    pub sex: Option<Sex>,
    /// The 6-digit address code (`110105`), in the GB/T 2260 union table or one of 810000,
    /// 820000, 830000; only when `status.is_valid()`.
    pub region: Option<u32>,
}

/// Cleans, repairs and validates one raw ID value. Never panics; allocates only the returned
/// number.
///
/// Cleaning: surrounding whitespace is trimmed (not counted as a repair). Repairs, each making a
/// number that then validates [`IdStatus::Repaired`] rather than [`IdStatus::Valid`]:
/// full-width digits and letters (NFKC), lower-case `x`, `×` (U+00D7), Cyrillic `Х`/`х`; inner
/// whitespace (including U+3000), hyphens and dashes, zero-width characters; Excel's leading
/// `'`, a `="..."` formula or surrounding quotes; `*` as the last character standing for `X`; a
/// trailing `10` standing for `X` (19 characters whose 17-digit body takes check `X` and then
/// validates); and school-number prefixes: `G` + ID (formal number) and `J` + ID-like self-code
/// are stripped and the rest standardized (a `J` code may fail). `L` + 18 digits (area, birth
/// date, 4 random digits) is a [`IdStatus::TemporaryNumber`] and never validated.
///
/// An 18-character candidate (17 digits, then a digit, `X` or `*`) is checked in this order:
/// birth date exists and lies in 1800..=2100, else [`IdStatus::BadDate`]; address code known
/// ([`is_known_address_code`]), else [`IdStatus::UnknownRegion`]; check character (ISO 7064
/// MOD 11-2), else [`IdStatus::ExcelTruncated`] when it is 18 digits ending in `000`, or
/// [`IdStatus::BadCheckDigit`]. Scientific notation (`3.20102E+17`, `3.20102202011011E17`,
/// also `E+14` for a 15-digit number) is [`IdStatus::ExcelTruncated`].
///
/// A 15-digit first-generation number with a valid `19YYMMDD` date and a known address code is
/// [`IdStatus::Converted15`], with century `19` inserted and the check character computed.
/// Century `19` is assumed throughout, even for the sequence codes 996-999 that GB 11643-1989
/// reserved for centenarians and for people who would be 100 or more in 2020: the 15 digits
/// cannot tell an 18YY birth from a 19YY one, and 19 is right for nearly everyone who still
/// carries one. A centenarian's converted number (and embedded date) is therefore 100 years
/// off and will not equal the 18-digit number reissued to them; callers who care can flag
/// Converted15 outcomes born before 1921. A 15-digit number with a bad date or an unknown code
/// gets that status, with the converted number.
///
/// Empty text, text made only of separators and quotes, and the tokens `NULL`, `None`, `NA`,
/// `N/A`, `\N`, `/`, `无`, `空`, `不详`, `未知` (any ASCII case) are [`IdStatus::Missing`].
/// Anything else is [`IdStatus::Malformed`].
pub fn standardize_id(raw: &str) -> IdOutcome {
    // Most numbers arrive clean: 17 digits and a digit or `X`, nothing to repair.
    if let [body @ .., last] = raw.as_bytes()
        && body.len() == 17
        && body.iter().all(u8::is_ascii_digit)
        && (last.is_ascii_digit() || *last == b'X')
        && let Some(outcome) = classify_id(raw.as_bytes(), false)
    {
        return outcome;
    }
    let trimmed = raw.trim();
    if crate::pseudonym::is_token(trimmed) {
        return IdOutcome {
            number: Some(trimmed.to_owned()),
            status: IdStatus::Pseudonym,
            ..IdOutcome::missing()
        };
    }
    let stripped = trimmed.trim_start_matches(is_excel_lead).trim_end_matches(is_excel_trail);
    let is_stripped = stripped.len() != trimmed.len();
    let Some(cleaned) = Cleaned::new(stripped, is_stripped) else {
        return malformed_or_missing(stripped);
    };
    let text = cleaned.as_bytes();
    let outcome = match text {
        [] => return IdOutcome::missing(),
        [b'G' | b'J', rest @ ..] => classify_id(rest, true),
        [b'L', rest @ ..] if rest.len() == 18 && rest.iter().all(u8::is_ascii_digit) => {
            Some(IdOutcome::invalid(text, IdStatus::TemporaryNumber))
        }
        _ => match scientific(text) {
            Some(outcome) => Some(outcome),
            None => classify_id(text, cleaned.is_repaired),
        },
    };
    match outcome {
        Some(outcome) => outcome,
        None if is_missing_token(text) => IdOutcome::missing(),
        None => IdOutcome::invalid(text, IdStatus::Malformed),
    }
}

/// The GB 11643 check character of a 17-digit body (ISO 7064 MOD 11-2): `b'0'..=b'9'` or
/// `b'X'`. The body should be ASCII digits; for other bytes the result is some check character,
/// without panicking.
pub fn check_character(body: &[u8; 17]) -> u8 {
    let sum: u32 =
        body.iter().zip(WEIGHTS).map(|(&b, weight)| u32::from(b.wrapping_sub(b'0')) * weight).sum();
    CHECK_CHARACTERS[(sum % 11) as usize]
}

/// Whether `code` may start a valid ID number: a code in the union of the GB/T 2260 revisions
/// 1980-12 to 2019-04 (`data/gb2260.tsv`, any level, including abolished counties such as
/// 110103 崇文区), or 810000, 820000, 830000 (Hong Kong, Macao, Taiwan residence permits).
pub fn is_known_address_code(code: u32) -> bool {
    ADDRESS_CODES.binary_search(&code).is_ok()
}

/// ISO 7064 MOD 11-2 weights 2^(18-i) mod 11 of the body positions i = 1..=17.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// The check character for a weighted body sum `s`, indexed by `s mod 11`.
const CHECK_CHARACTERS: [u8; 11] = *b"10X98765432";

/// The sorted union of GB/T 2260 codes, plus the Hong Kong, Macao and Taiwan permit codes.
static ADDRESS_CODES: LazyLock<Vec<u32>> = LazyLock::new(|| {
    let table = include_str!("../data/gb2260.tsv");
    let mut codes: Vec<u32> = table
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split('\t').next()?.parse().ok())
        .chain([810_000, 820_000, 830_000])
        .collect();
    codes.sort_unstable();
    codes.dedup();
    codes
});

/// The most bytes a cleaned value worth classifying has: `G` + 19 characters, or
/// `3.20102202011011E+17`. Anything longer is malformed.
const MAX_CLEANED: usize = 24;

/// A raw value cleaned to upper-case ASCII on the stack, separators removed.
struct Cleaned {
    bytes: [u8; MAX_CLEANED],
    /// Invariant: `len <= MAX_CLEANED`.
    len: usize,
    /// Whether cleaning changed anything beyond trimming surrounding whitespace.
    is_repaired: bool,
}

impl Cleaned {
    /// `None` when a character stays non-ASCII after mapping or the value is too long.
    fn new(text: &str, is_stripped: bool) -> Option<Cleaned> {
        let mut cleaned = Cleaned { bytes: [0; MAX_CLEANED], len: 0, is_repaired: is_stripped };
        for c in text.chars() {
            let (c, is_repair) = match map_char(c) {
                Mapped::Keep(c) => (c, false),
                Mapped::Repair(c) => (c, true),
                Mapped::Skip => {
                    cleaned.is_repaired = true;
                    continue;
                }
            };
            let byte = u8::try_from(c).ok().filter(u8::is_ascii)?;
            *cleaned.bytes.get_mut(cleaned.len)? = byte;
            cleaned.len += 1;
            cleaned.is_repaired |= is_repair;
        }
        Some(cleaned)
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// What cleaning does with one character.
enum Mapped {
    /// Kept (ASCII letters upper-cased).
    Keep(char),
    /// Replaced by a look-alike fix.
    Repair(char),
    /// Dropped: a separator.
    Skip,
}

fn map_char(c: char) -> Mapped {
    match c {
        'x' | '×' | 'Х' | 'х' | 'ｘ' | 'Ｘ' => Mapped::Repair('X'),
        '-'
        | '\u{00AD}'
        | '\u{2010}'..='\u{2015}'
        | '\u{2212}'
        | '\u{FE58}'
        | '\u{FE63}'
        | '\u{FF0D}' => Mapped::Skip,
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => Mapped::Skip,
        c if c.is_whitespace() => Mapped::Skip,
        '\u{FF01}'..='\u{FF5E}' => Mapped::Repair(fold_width(c).to_ascii_uppercase()),
        c => Mapped::Keep(c.to_ascii_uppercase()),
    }
}

/// Excel's leading marks: the text-forcing apostrophe, a `="..."` formula, quotes.
fn is_excel_lead(c: char) -> bool {
    matches!(c, '=' | '＝') || is_quote(c) || c.is_whitespace()
}

/// Excel's trailing marks: the closing quote of a formula or a quoted value.
fn is_excel_trail(c: char) -> bool {
    is_quote(c) || c.is_whitespace()
}

fn is_quote(c: char) -> bool {
    matches!(c, '\'' | '"' | '`' | '‘' | '’' | '“' | '”' | '＇' | '＂')
}

/// Missing-value tokens, compared after cleaning (upper-case ASCII).
fn is_missing_token(text: &[u8]) -> bool {
    matches!(text, b"NULL" | b"NONE" | b"NA" | b"N/A" | b"\\N" | b"/")
}

/// The outcome of a value that did not clean to short ASCII: missing-value tokens in Chinese,
/// or a malformed value with its cleaned text.
fn malformed_or_missing(text: &str) -> IdOutcome {
    if matches!(text, "无" | "空" | "不详" | "未知") {
        return IdOutcome::missing();
    }
    let cleaned: String = text
        .chars()
        .filter_map(|c| match map_char(c) {
            Mapped::Keep(c) | Mapped::Repair(c) => Some(c),
            Mapped::Skip => None,
        })
        .collect();
    IdOutcome { number: (!cleaned.is_empty()).then_some(cleaned), ..IdOutcome::missing() }
        .with_status(IdStatus::Malformed)
}

/// Classifies a cleaned value without prefix: an 18-character candidate, 19 characters ending
/// in `10`, or 15 digits. `None` when it has none of these shapes.
fn classify_id(text: &[u8], is_repaired: bool) -> Option<IdOutcome> {
    match text.len() {
        18 => {
            let (body, last) = split_body(text)?;
            match last {
                b'0'..=b'9' | b'X' => Some(evaluate(body, last, is_repaired)),
                b'*' => Some(evaluate(body, b'X', true)),
                _ => None,
            }
        }
        19 if text.ends_with(b"10") => {
            let (body, _) = split_body(text)?;
            let outcome = evaluate(body, b'X', true);
            outcome.status.is_valid().then_some(outcome)
        }
        15 if text.iter().all(u8::is_ascii_digit) => {
            let mut body = [0; 17];
            body[..6].copy_from_slice(&text[..6]);
            body[6..8].copy_from_slice(b"19");
            body[8..].copy_from_slice(&text[6..]);
            let outcome = evaluate(body, check_character(&body), false);
            Some(match outcome.status {
                IdStatus::Valid => outcome.with_status(IdStatus::Converted15),
                _ => outcome,
            })
        }
        _ => None,
    }
}

/// The 17-digit body and the next byte of `text`, when its first 17 bytes are digits.
fn split_body(text: &[u8]) -> Option<([u8; 17], u8)> {
    let body: [u8; 17] = text.get(..17)?.try_into().ok()?;
    let last = *text.get(17)?;
    body.iter().all(u8::is_ascii_digit).then_some((body, last))
}

/// Validates a 17-digit body with its check character `last` (a digit or `X`).
fn evaluate(body: [u8; 17], last: u8, is_repaired: bool) -> IdOutcome {
    let mut number = [0; 18];
    number[..17].copy_from_slice(&body);
    number[17] = last;
    let Some(birth_date) = embedded_date(&body) else {
        return IdOutcome::invalid(&number, IdStatus::BadDate);
    };
    let region = digits_value(&body[..6]);
    if !is_known_address_code(region) {
        return IdOutcome::invalid(&number, IdStatus::UnknownRegion);
    }
    if check_character(&body) != last {
        let is_truncated = number.ends_with(b"000");
        let status = if is_truncated { IdStatus::ExcelTruncated } else { IdStatus::BadCheckDigit };
        return IdOutcome::invalid(&number, status);
    }
    let sex = if (body[16] - b'0') % 2 == 1 { Sex::Male } else { Sex::Female };
    IdOutcome {
        number: Some(ascii_string(&number)),
        status: if is_repaired { IdStatus::Repaired } else { IdStatus::Valid },
        birth_date: Some(birth_date),
        sex: Some(sex),
        region: Some(region),
    }
}

/// The birth date in positions 7-14, when it exists at day precision in 1800..=2100 (no one
/// born earlier was given a number).
fn embedded_date(body: &[u8; 17]) -> Option<PartialDate> {
    let year = u16::try_from(digits_value(&body[6..10])).ok()?;
    let month = u8::try_from(digits_value(&body[10..12])).ok()?;
    let day = u8::try_from(digits_value(&body[12..14])).ok()?;
    let is_full = month != 0 && day != 0 && (1800..=2100).contains(&year);
    PartialDate::new(year, month, day).filter(|_| is_full)
}

/// Scientific notation from a spreadsheet: one non-zero digit, an optional fraction, `E`, an
/// optional `+`, exponent 17 (18-digit number) or 14 (15-digit number), written out in full.
fn scientific(text: &[u8]) -> Option<IdOutcome> {
    let e_at = text.iter().position(|&b| b == b'E')?;
    let (mantissa, exponent) = (&text[..e_at], &text[e_at + 1..]);
    let exponent = exponent.strip_prefix(b"+").unwrap_or(exponent);
    let n_digits = match exponent {
        b"17" => 18,
        b"14" => 15,
        _ => return None,
    };
    let (lead, fraction) = match mantissa {
        [lead] => (*lead, &[][..]),
        [lead, b'.', fraction @ ..] => (*lead, fraction),
        _ => return None,
    };
    let is_number = matches!(lead, b'1'..=b'9')
        && fraction.len() < n_digits
        && fraction.iter().all(u8::is_ascii_digit);
    if !is_number {
        return None;
    }
    let mut digits = [b'0'; 18];
    digits[0] = lead;
    digits[1..=fraction.len()].copy_from_slice(fraction);
    Some(IdOutcome::invalid(&digits[..n_digits], IdStatus::ExcelTruncated))
}

/// The value of ASCII digits (callers pass at most 6 of them). Wrapping arithmetic keeps other
/// bytes from panicking; they give some number.
fn digits_value(digits: &[u8]) -> u32 {
    digits.iter().fold(0u32, |value, &b| {
        value.wrapping_mul(10).wrapping_add(u32::from(b.wrapping_sub(b'0')))
    })
}

/// `bytes` as a `String`; they are ASCII by construction.
fn ascii_string(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

impl IdOutcome {
    fn missing() -> IdOutcome {
        IdOutcome {
            number: None,
            status: IdStatus::Missing,
            birth_date: None,
            sex: None,
            region: None,
        }
    }

    /// A non-validating outcome carrying `number` (ASCII).
    fn invalid(number: &[u8], status: IdStatus) -> IdOutcome {
        IdOutcome { number: Some(ascii_string(number)), ..IdOutcome::missing() }.with_status(status)
    }

    fn with_status(self, status: IdStatus) -> IdOutcome {
        IdOutcome { status, ..self }
    }
}

#[cfg(test)]
mod tests {
    use censuslink_model::{IdStatus, PartialDate, Sex};
    use proptest::prelude::*;

    use crate::id::{IdOutcome, check_character, is_known_address_code, standardize_id};

    /// Asserts the status and number `standardize_id` gives for `input`.
    fn check(input: &str, status: IdStatus, number: Option<&str>) {
        let outcome = standardize_id(input);
        assert_eq!(
            (outcome.status, outcome.number.as_deref()),
            (status, number),
            "input {input:?}"
        );
        assert_eq!(outcome.birth_date.is_some(), status.is_valid(), "input {input:?}");
        assert_eq!(outcome.sex.is_some(), status.is_valid(), "input {input:?}");
        assert_eq!(outcome.region.is_some(), status.is_valid(), "input {input:?}");
    }

    /// Asserts everything `standardize_id` gives for a number that validates.
    fn check_facts(input: &str, status: IdStatus, number: &str, born: (u16, u8, u8), sex: Sex) {
        let expected = IdOutcome {
            number: Some(number.to_owned()),
            status,
            birth_date: PartialDate::new(born.0, born.1, born.2),
            sex: Some(sex),
            region: number[..6].parse().ok(),
        };
        assert_eq!(standardize_id(input), expected, "input {input:?}");
    }

    fn body(digits: &str) -> [u8; 17] {
        digits.as_bytes().try_into().expect("17 test digits")
    }

    #[test]
    fn check_characters_of_the_worked_examples() {
        assert_eq!(check_character(&body("11010519491231002")), b'X');
        assert_eq!(check_character(&body("44052418800101001")), b'4');
        assert_eq!(check_character(&body("32010220201101123")), b'0');
        assert_eq!(check_character(&body("51010419870506028")), b'X');
        assert_eq!(check_character(&body("11010319800101001")), b'3');
        assert_eq!(
            check_character(&body("0000000000000000A")),
            check_character(&body("0000000000000000A"))
        );
    }

    #[test]
    fn worked_examples() {
        check_facts(
            "11010519491231002X",
            IdStatus::Valid,
            "11010519491231002X",
            (1949, 12, 31),
            Sex::Female,
        );
        // 440524 (潮阳县, 1983-1992) is in the union table.
        check_facts(
            "440524188001010014",
            IdStatus::Valid,
            "440524188001010014",
            (1880, 1, 1),
            Sex::Male,
        );
        check_facts(
            "320102202011011230",
            IdStatus::Valid,
            "320102202011011230",
            (2020, 11, 1),
            Sex::Male,
        );
        check_facts(
            "51010419870506028X",
            IdStatus::Valid,
            "51010419870506028X",
            (1987, 5, 6),
            Sex::Female,
        );
        check_facts(
            "110105491231002",
            IdStatus::Converted15,
            "11010519491231002X",
            (1949, 12, 31),
            Sex::Female,
        );
        // 崇文区 was merged into 东城区 in 2010; its IDs stay valid.
        check_facts(
            "110103198001010013",
            IdStatus::Valid,
            "110103198001010013",
            (1980, 1, 1),
            Sex::Male,
        );
    }

    #[test]
    fn negative_tests_on_example_c() {
        check("320102202011011000", IdStatus::ExcelTruncated, Some("320102202011011000"));
        check("320102200211011230", IdStatus::BadCheckDigit, Some("320102200211011230"));
        // The substitution lands in the day: 2020-11-71.
        check("320102202011711230", IdStatus::BadDate, Some("320102202011711230"));
    }

    #[test]
    fn repairs() {
        const A: &str = "11010519491231002X";
        let repaired = |input: &str| check(input, IdStatus::Repaired, Some(A));
        repaired("11010519491231002x");
        repaired("11010519491231002×");
        repaired("11010519491231002Х");
        repaired("11010519491231002х");
        repaired("１１０１０５１９４９１２３１００２Ｘ");
        repaired("11010519491231002Ｘ");
        repaired("110105 19491231 002X");
        repaired("110105\u{3000}19491231\u{3000}002X");
        repaired("110105-19491231-002X");
        repaired("110105－19491231－002X");
        repaired("'11010519491231002X");
        repaired("=\"11010519491231002X\"");
        repaired("\"11010519491231002X\"");
        repaired("11010519491231002*");
        repaired("1101051949123100210");
        repaired("G11010519491231002X");
        repaired("g11010519491231002x");
        repaired("J11010519491231002X");
        repaired("\u{FEFF}11010519491231002X");
        check("G110105491231002", IdStatus::Converted15, Some(A));
        check("１１０１０５４９１２３１００２", IdStatus::Converted15, Some(A));
        // Surrounding whitespace is the reader's business, not a repair.
        check(" 11010519491231002X\t", IdStatus::Valid, Some(A));
    }

    #[test]
    fn school_number_prefixes() {
        // A J self-code is ID-like but need not validate.
        check("J320102202011011231", IdStatus::BadCheckDigit, Some("320102202011011231"));
        check("J32010220201101123X", IdStatus::BadCheckDigit, Some("32010220201101123X"));
        // L + area + birth date + 4 random digits, even when they happen to pass the check.
        check("L320102202011011230", IdStatus::TemporaryNumber, Some("L320102202011011230"));
        check("L320102202011014567", IdStatus::TemporaryNumber, Some("L320102202011014567"));
        check("L32010220201101456", IdStatus::Malformed, Some("L32010220201101456"));
        check("G3201022020110112", IdStatus::Malformed, Some("G3201022020110112"));
    }

    #[test]
    fn excel_damage() {
        check("3.20102E+17", IdStatus::ExcelTruncated, Some("320102000000000000"));
        check("3.20102e+17", IdStatus::ExcelTruncated, Some("320102000000000000"));
        check("3.20102202011011E17", IdStatus::ExcelTruncated, Some("320102202011011000"));
        check("3.20102202011011E+17", IdStatus::ExcelTruncated, Some("320102202011011000"));
        check("1.10105491231E+14", IdStatus::ExcelTruncated, Some("110105491231000"));
        check("11010519491231000", IdStatus::Malformed, Some("11010519491231000"));
        check("510104198705060000", IdStatus::ExcelTruncated, Some("510104198705060000"));
        // 000 passing the check by chance (1 in 11) is a valid number.
        check_facts(
            "510104198705067000",
            IdStatus::Valid,
            "510104198705067000",
            (1987, 5, 6),
            Sex::Female,
        );
        check("3.2E+16", IdStatus::Malformed, Some("3.2E+16"));
        check("32.0102E+16", IdStatus::Malformed, Some("32.0102E+16"));
        check("3.201022020110112345E+17", IdStatus::Malformed, Some("3.201022020110112345E+17"));
    }

    #[test]
    fn failures_in_check_order() {
        // Bad date before unknown region before bad check digit.
        check("990000198702300000", IdStatus::BadDate, Some("990000198702300000"));
        check("110105179912310021", IdStatus::BadDate, Some("110105179912310021"));
        check("110105210101010021", IdStatus::BadDate, Some("110105210101010021"));
        check("110105198700010021", IdStatus::BadDate, Some("110105198700010021"));
        check("990000198705060000", IdStatus::UnknownRegion, Some("990000198705060000"));
        check("91000019900101002X", IdStatus::UnknownRegion, Some("91000019900101002X"));
        check("11010519491231002Y", IdStatus::Malformed, Some("11010519491231002Y"));
        check("11010519491231003X", IdStatus::BadCheckDigit, Some("11010519491231003X"));
        check("11010519491231002*", IdStatus::Repaired, Some("11010519491231002X"));
        check("11010519491231003*", IdStatus::BadCheckDigit, Some("11010519491231003X"));
        check("110105491231", IdStatus::Malformed, Some("110105491231"));
        check("110105493231002", IdStatus::BadDate, Some("110105194932310027"));
        check("990000491231002", IdStatus::UnknownRegion, Some("990000194912310026"));
        // A 19-character `10` ending only counts when the result validates.
        check("1101051949123100310", IdStatus::Malformed, Some("1101051949123100310"));
    }

    #[test]
    fn special_address_codes() {
        // Hong Kong, Macao and Taiwan residence permits.
        check_facts(
            "810000199001010019",
            IdStatus::Valid,
            "810000199001010019",
            (1990, 1, 1),
            Sex::Male,
        );
        check_facts(
            "830000199001010020",
            IdStatus::Valid,
            "830000199001010020",
            (1990, 1, 1),
            Sex::Female,
        );
        // A prefecture code, as some real IDs carry.
        check_facts(
            "320100199001010026",
            IdStatus::Valid,
            "320100199001010026",
            (1990, 1, 1),
            Sex::Female,
        );
        assert!(is_known_address_code(110103));
        assert!(is_known_address_code(440524));
        assert!(is_known_address_code(820000));
        assert!(is_known_address_code(830000));
        assert!(!is_known_address_code(990000));
        assert!(!is_known_address_code(0));
        assert!(!is_known_address_code(u32::MAX));
    }

    #[test]
    fn missing_and_malformed() {
        for missing in [
            "", "   ", "\u{3000}", "-", "--", "'", "=\"\"", "NULL", "null", "N/A", "\\N", "无",
            " 不详 ",
        ] {
            check(missing, IdStatus::Missing, None);
        }
        check("12345", IdStatus::Malformed, Some("12345"));
        check("身份证 110105", IdStatus::Malformed, Some("身份证110105"));
        check("320102********1230", IdStatus::Malformed, Some("320102********1230"));
        check("1101051949123100X2", IdStatus::Malformed, Some("1101051949123100X2"));
        check(
            "11010519491231002X11010519491231002X",
            IdStatus::Malformed,
            Some("11010519491231002X11010519491231002X"),
        );
        check("abc", IdStatus::Malformed, Some("ABC"));
    }

    fn arbitrary_valid_id() -> impl Strategy<Value = String> {
        const ADDRESSES: [u32; 8] =
            [110105, 320102, 440524, 510104, 110103, 810000, 830000, 654325];
        (proptest::sample::select(&ADDRESSES[..]), -62_000i32..47_000, 0u32..1000).prop_map(
            |(address, days, sequence)| {
                let date = PartialDate::from_days_since_epoch(days).expect("in range");
                let digits = format!("{address:06}{:08}{sequence:03}", date.to_yyyymmdd());
                let body: [u8; 17] = digits.as_bytes().try_into().expect("17 digits");
                format!("{digits}{}", char::from(check_character(&body)))
            },
        )
    }

    proptest! {
        #[test]
        fn standardize_id_never_panics(raw in "\\PC{0,40}") {
            let _ = standardize_id(&raw);
        }

        #[test]
        fn standardize_id_never_panics_on_id_like_text(
            raw in "[GJLgjl'=\" ]?[0-9０-９xX×*. E+-]{0,24}"
        ) {
            let _ = standardize_id(&raw);
        }

        #[test]
        fn standardize_id_is_idempotent(raw in prop_oneof![
            "[GJ]?[0-9]{15,19}[0-9xX*]?",
            arbitrary_valid_id(),
            // First-generation numbers: drop the century and the check character.
            arbitrary_valid_id().prop_map(|id| format!("{}{}", &id[..6], &id[8..17])),
            arbitrary_valid_id().prop_map(|id| format!("G {}", id.to_lowercase())),
        ]) {
            let outcome = standardize_id(&raw);
            if outcome.status.is_valid() {
                let number = outcome.number.clone().expect("a valid outcome has a number");
                let again = standardize_id(&number);
                prop_assert_eq!(again.status, IdStatus::Valid);
                prop_assert_eq!(again.number.as_deref(), Some(number.as_str()));
                let facts = |o: &IdOutcome| (o.birth_date, o.sex, o.region);
                prop_assert_eq!(facts(&again), facts(&outcome));
            }
        }

        #[test]
        fn valid_ids_survive_formatting_damage(id in arbitrary_valid_id(), damage in 0usize..6) {
            let outcome = standardize_id(&id);
            prop_assert_eq!(outcome.status, IdStatus::Valid);
            prop_assert_eq!(outcome.number.as_deref(), Some(id.as_str()));
            let damaged = match damage {
                0 => format!("{}{}", &id[..17], &id[17..].replace('X', "x").replace('0', "０")),
                1 => format!("'{id}"),
                2 => format!("{} {} {}", &id[..6], &id[6..14], &id[14..]),
                3 => id
                    .chars()
                    .map(|c| char::from_u32(u32::from(c) + 0xFEE0).unwrap_or(c))
                    .collect(),
                4 => format!("G{id}"),
                _ => format!("{}-{}", &id[..6], &id[6..]),
            };
            let repaired = standardize_id(&damaged);
            let expected = if damaged == id { IdStatus::Valid } else { IdStatus::Repaired };
            prop_assert_eq!(repaired.status, expected);
            prop_assert_eq!(repaired.number, outcome.number);
        }

        #[test]
        fn a_single_wrong_digit_never_validates(
            id in arbitrary_valid_id(),
            position in 0usize..17,
            delta in 1u8..10,
        ) {
            let mut bytes = id.into_bytes();
            bytes[position] = b'0' + (bytes[position] - b'0' + delta) % 10;
            let typo = String::from_utf8(bytes).expect("ASCII");
            prop_assert!(!standardize_id(&typo).status.is_valid());
        }
    }
}
