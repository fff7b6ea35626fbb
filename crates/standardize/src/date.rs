//! Dates as Chinese sources write them (`19870506`, `1987-5-6`, `1987年5月`, ...) to
//! [`PartialDate`]s at day, month or year precision.
//!
//! ```
//! use censuslink_model::{DatePrecision, PartialDate};
//! use censuslink_standardize::date::{DateError, date_from_parts, parse_date};
//!
//! assert_eq!(parse_date("1987年5月6日"), Ok(PartialDate::new(1987, 5, 6).expect("exists")));
//! assert_eq!(parse_date("198705").map(PartialDate::precision), Ok(DatePrecision::Month));
//! assert_eq!(parse_date("1987-02-30"), Err(DateError::Impossible));
//! let may = PartialDate::new(1987, 5, 0).expect("May 1987 exists");
//! assert_eq!(date_from_parts("1987", "5月", None), Ok(may));
//! ```

use std::ops::RangeInclusive;

use censuslink_model::PartialDate;

use crate::codes::fold_width;

/// Why a date could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateError {
    /// The text is in none of the accepted formats (including empty text).
    Unparseable,
    /// The text is well-formed but names no date: month 13, February 30th, a day without a
    /// month, or a year outside 1000..=2100.
    Impossible,
}

/// Reads a date in one of the formats Chinese sources use, after trimming and folding
/// full-width digits and punctuation:
///
/// - packed digits: `19870506` (day), `198705` (month), `1987` (year);
/// - separated by `-`, `/` or `.` (one separator throughout): `1987-05-06`, `1987-5-6`,
///   `1987/5/6`, `1987.5.6`, `1987-05`, `1987/05`;
/// - Chinese: `1987年5月6日` (also with `号`, or zero-padded), `1987年5月`, `1987年`;
/// - any day-precision form followed by a time after a space or `T`, which is ignored:
///   `1987-05-06 00:00:00`, `1987-05-06T00:00:00`.
///
/// The year has exactly 4 digits, month and day 1 or 2 (8, 6 or 4 when packed). A month or day
/// of `0`/`00` means unknown (`19870500` is May 1987, `19870000` is 1987), the convention of
/// packed `yyyymmdd` dates.
///
/// # Errors
///
/// [`DateError::Impossible`] for a well-formed date that does not exist (month 13, February
/// 30th, a known day in an unknown month) or a year outside 1000..=2100;
/// [`DateError::Unparseable`] for anything else, including empty text. Excel serial numbers are
/// not dates here: the reader converts them.
pub fn parse_date(raw: &str) -> Result<PartialDate, DateError> {
    let tokens = tokenize(raw.trim())?;
    let (year, month, day) = match tokens.as_slice() {
        [Token::Number(packed)] => match packed.n_digits {
            8 => (packed.value / 10_000, packed.value / 100 % 100, packed.value % 100),
            6 => (packed.value / 100, packed.value % 100, 0),
            4 => (packed.value, 0, 0),
            _ => return Err(DateError::Unparseable),
        },
        [Token::Number(year), Token::Sep(sep), Token::Number(month)]
            if is_numeric_sep(*sep) && year.is_year() && month.is_month_or_day() =>
        {
            (year.value, month.value, 0)
        }
        [
            Token::Number(year),
            Token::Sep(sep1),
            Token::Number(month),
            Token::Sep(sep2),
            Token::Number(day),
        ] if is_numeric_sep(*sep1)
            && sep1 == sep2
            && year.is_year()
            && month.is_month_or_day()
            && day.is_month_or_day() =>
        {
            (year.value, month.value, day.value)
        }
        [Token::Number(year), Token::Sep('年')] if year.is_year() => (year.value, 0, 0),
        [Token::Number(year), Token::Sep('年'), Token::Number(month), Token::Sep('月')]
            if year.is_year() && month.is_month_or_day() =>
        {
            (year.value, month.value, 0)
        }
        [
            Token::Number(year),
            Token::Sep('年'),
            Token::Number(month),
            Token::Sep('月'),
            Token::Number(day),
            Token::Sep('日' | '号'),
        ] if year.is_year() && month.is_month_or_day() && day.is_month_or_day() => {
            (year.value, month.value, day.value)
        }
        _ => return Err(DateError::Unparseable),
    };
    let date = make_date(year, month, day)?;
    if tokens.has_time && day == 0 {
        // A time only follows a full date: `1987-05 00:00` is not a format anyone writes.
        return Err(DateError::Unparseable);
    }
    Ok(date)
}

/// Builds a date from year, month and day held in separate columns (出生年, 出生月, 出生日).
/// Each part is trimmed and full-width folded and may carry its Chinese unit: `1987` or
/// `1987年`; `5`, `05` or `5月`; `6`, `06`, `6日` or `6号`. An empty month (or `0`) gives year
/// precision, an empty or absent day (or `0`) month precision.
///
/// # Errors
///
/// [`DateError::Unparseable`] when the year is not 4 digits or a month or day is not 1 or 2
/// digits; [`DateError::Impossible`] for a date that does not exist, a day without a month, or
/// a year outside 1000..=2100.
pub fn date_from_parts(
    year: &str,
    month: &str,
    day: Option<&str>,
) -> Result<PartialDate, DateError> {
    let year = part_number(year, '年', '年', 4..=4)?.ok_or(DateError::Unparseable)?;
    let month = part_number(month, '月', '月', 1..=2)?.unwrap_or(0);
    let day = match day {
        Some(day) => part_number(day, '日', '号', 1..=2)?.unwrap_or(0),
        None => 0,
    };
    make_date(year, month, day)
}

/// The most tokens a date (not its time) can have: `1987` `年` `5` `月` `6` `日`.
const MAX_TOKENS: usize = 6;

/// A run of ASCII digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Number {
    /// At most 99_999_999: longer runs are rejected while reading.
    value: u32,
    n_digits: u8,
}

impl Number {
    fn is_year(self) -> bool {
        self.n_digits == 4
    }

    fn is_month_or_day(self) -> bool {
        matches!(self.n_digits, 1 | 2)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Number(Number),
    /// A separator or unit character: `-`, `/`, `.`, `年`, `月`, `日`, `号`.
    Sep(char),
}

/// The date part of the text as tokens, on the stack.
struct Tokens {
    tokens: [Token; MAX_TOKENS],
    /// Invariant: `len <= MAX_TOKENS`.
    len: usize,
    /// Whether a time followed the date.
    has_time: bool,
}

impl Tokens {
    fn as_slice(&self) -> &[Token] {
        &self.tokens[..self.len]
    }

    fn push(&mut self, token: Token) -> Result<(), DateError> {
        let slot = self.tokens.get_mut(self.len).ok_or(DateError::Unparseable)?;
        *slot = token;
        self.len += 1;
        Ok(())
    }
}

/// Splits trimmed text into numbers and separators, stopping at a time part (after a space or
/// `T`), which must then be made of digits, `:` and `.` only.
fn tokenize(text: &str) -> Result<Tokens, DateError> {
    let mut tokens = Tokens { tokens: [Token::Sep(' '); MAX_TOKENS], len: 0, has_time: false };
    let mut number: Option<Number> = None;
    for (idx, raw_char) in text.char_indices() {
        let c = fold_width(raw_char);
        if c.is_ascii_digit() {
            let current = number.get_or_insert(Number { value: 0, n_digits: 0 });
            if current.n_digits == 8 {
                return Err(DateError::Unparseable);
            }
            current.value = current.value * 10 + u32::from(c as u8 - b'0');
            current.n_digits += 1;
            continue;
        }
        if let Some(done) = number.take() {
            tokens.push(Token::Number(done))?;
        }
        match c {
            '-' | '/' | '.' | '年' | '月' | '日' | '号' => tokens.push(Token::Sep(c))?,
            ' ' | 'T' | 't' if tokens.len > 0 => {
                let time = text[idx + raw_char.len_utf8()..].trim_start();
                let is_time = !time.is_empty()
                    && time
                        .chars()
                        .map(fold_width)
                        .all(|c| c.is_ascii_digit() || c == ':' || c == '.');
                if !is_time {
                    return Err(DateError::Unparseable);
                }
                tokens.has_time = true;
                return Ok(tokens);
            }
            _ => return Err(DateError::Unparseable),
        }
    }
    if let Some(done) = number {
        tokens.push(Token::Number(done))?;
    }
    Ok(tokens)
}

/// Whether `sep` separates the numbers of a numeric date (`1987-5-6`, `1987/5/6`, `1987.5.6`).
fn is_numeric_sep(sep: char) -> bool {
    matches!(sep, '-' | '/' | '.')
}

/// The date of `year`, `month` (0 = unknown) and `day` (0 = unknown).
fn make_date(year: u32, month: u32, day: u32) -> Result<PartialDate, DateError> {
    let year = u16::try_from(year).map_err(|_| DateError::Impossible)?;
    let month = u8::try_from(month).map_err(|_| DateError::Impossible)?;
    let day = u8::try_from(day).map_err(|_| DateError::Impossible)?;
    PartialDate::new(year, month, day).ok_or(DateError::Impossible)
}

/// One date part from its own column: `None` when empty, else its digits, with at most one
/// trailing unit (`unit` or `alt_unit`); the count of digits must lie in `n_digits`.
fn part_number(
    raw: &str,
    unit: char,
    alt_unit: char,
    n_digits: RangeInclusive<usize>,
) -> Result<Option<u32>, DateError> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let mut value = 0u32;
    let mut n_read = 0usize;
    let mut chars = text.chars().map(fold_width).peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() && n_read < *n_digits.end() {
            value = value * 10 + u32::from(c as u8 - b'0');
            n_read += 1;
            continue;
        }
        let is_final_unit = (c == unit || c == alt_unit) && chars.peek().is_none();
        if !is_final_unit {
            return Err(DateError::Unparseable);
        }
    }
    if !n_digits.contains(&n_read) {
        return Err(DateError::Unparseable);
    }
    Ok(Some(value))
}

#[cfg(test)]
mod tests {
    use censuslink_model::{DatePrecision, PartialDate};
    use proptest::prelude::*;

    use crate::date::{DateError, date_from_parts, parse_date};

    /// The expected date, with 0 for an unknown month or day.
    fn date(year: u16, month: u8, day: u8) -> Result<PartialDate, DateError> {
        Ok(PartialDate::new(year, month, day).expect("test dates exist"))
    }

    #[test]
    fn formats() {
        fn check(input: &str, expected: Result<PartialDate, DateError>) {
            assert_eq!(parse_date(input), expected, "input {input:?}");
        }
        check("19870506", date(1987, 5, 6));
        check("198705", date(1987, 5, 0));
        check("1987", date(1987, 0, 0));
        check("1987-05-06", date(1987, 5, 6));
        check("1987-5-6", date(1987, 5, 6));
        check("1987/5/6", date(1987, 5, 6));
        check("1987/05/06", date(1987, 5, 6));
        check("1987.5.6", date(1987, 5, 6));
        check("1987年5月6日", date(1987, 5, 6));
        check("1987年05月06日", date(1987, 5, 6));
        check("1987年5月6号", date(1987, 5, 6));
        check("1987年5月", date(1987, 5, 0));
        check("1987年", date(1987, 0, 0));
        check("1987-05", date(1987, 5, 0));
        check("1987/05", date(1987, 5, 0));
        check("1987.5", date(1987, 5, 0));
        check("1987-05-06 00:00:00", date(1987, 5, 6));
        check("1987-05-06T00:00:00", date(1987, 5, 6));
        check("1987-05-06 12:30:00.000", date(1987, 5, 6));
        check("1987/5/6 0:00", date(1987, 5, 6));
        check("19870506 000000", date(1987, 5, 6));
        check("  1987-05-06\t", date(1987, 5, 6));
        check("１９８７年５月６日", date(1987, 5, 6));
        check("\u{3000}１９８７－０５－０６\u{3000}", date(1987, 5, 6));
        check("2000-02-29", date(2000, 2, 29));
        check("1800", date(1800, 0, 0));
        // Any year written with four digits: a job narrows the range it accepts.
        check("1642-12-25", date(1642, 12, 25));
        check("1000", date(1000, 0, 0));
        check("21001231", date(2100, 12, 31));
        check("19870500", date(1987, 5, 0));
        check("19870000", date(1987, 0, 0));
        check("1987-05-00", date(1987, 5, 0));
    }

    #[test]
    fn precision_follows_the_format() {
        let precision = |input: &str| parse_date(input).map(PartialDate::precision);
        assert_eq!(precision("19870506"), Ok(DatePrecision::Day));
        assert_eq!(precision("1987年5月"), Ok(DatePrecision::Month));
        assert_eq!(precision("1987/05"), Ok(DatePrecision::Month));
        assert_eq!(precision("1987年"), Ok(DatePrecision::Year));
    }

    #[test]
    fn impossible_and_unparseable() {
        fn check(input: &str, expected: DateError) {
            assert_eq!(parse_date(input), Err(expected), "input {input:?}");
        }
        check("19871306", DateError::Impossible);
        check("1987-13", DateError::Impossible);
        check("1987-02-30", DateError::Impossible);
        check("1900-02-29", DateError::Impossible);
        check("19870230", DateError::Impossible);
        check("1987年4月31日", DateError::Impossible);
        check("0999-12-31", DateError::Impossible);
        check("2101", DateError::Impossible);
        check("0000", DateError::Impossible);
        check("19870006", DateError::Impossible);
        check("", DateError::Unparseable);
        check("   ", DateError::Unparseable);
        check("87-5-6", DateError::Unparseable);
        check("5/6/1987", DateError::Unparseable);
        check("1987-05/06", DateError::Unparseable);
        check("1987-005-06", DateError::Unparseable);
        check("1987年5日", DateError::Unparseable);
        check("1987年5月6", DateError::Unparseable);
        check("1987-05-06 noon", DateError::Unparseable);
        check("1987-05 00:00", DateError::Unparseable);
        check("31868", DateError::Unparseable);
        check("1987050612", DateError::Unparseable);
        check("198705061234567890", DateError::Unparseable);
        check("一九八七年", DateError::Unparseable);
        check("1987--05", DateError::Unparseable);
        check("-1987", DateError::Unparseable);
        check("T00:00", DateError::Unparseable);
    }

    #[test]
    fn parts() {
        fn check(
            year: &str,
            month: &str,
            day: Option<&str>,
            expected: Result<PartialDate, DateError>,
        ) {
            assert_eq!(date_from_parts(year, month, day), expected, "{year:?} {month:?} {day:?}");
        }
        check("1987", "5", None, date(1987, 5, 0));
        check("1987", "05", None, date(1987, 5, 0));
        check("1987", "5月", None, date(1987, 5, 0));
        check("1987年", "5月", Some("6日"), date(1987, 5, 6));
        check("1987", "5", Some("6"), date(1987, 5, 6));
        check("1987", "5", Some("06号"), date(1987, 5, 6));
        check(" 1987 ", " 05 ", Some(" "), date(1987, 5, 0));
        check("1987", "", None, date(1987, 0, 0));
        check("1987", "", Some(""), date(1987, 0, 0));
        check("1987", "0", None, date(1987, 0, 0));
        check("１９８７", "１２", None, date(1987, 12, 0));
        check("1987", "13", None, Err(DateError::Impossible));
        check("1987", "2", Some("30"), Err(DateError::Impossible));
        check("1987", "", Some("6"), Err(DateError::Impossible));
        check("0999", "1", None, Err(DateError::Impossible));
        check("", "5", None, Err(DateError::Unparseable));
        check("87", "5", None, Err(DateError::Unparseable));
        check("1987", "五", None, Err(DateError::Unparseable));
        check("1987", "005", None, Err(DateError::Unparseable));
        check("1987", "5月月", None, Err(DateError::Unparseable));
        check("1987", "月", None, Err(DateError::Unparseable));
        check("1987", "5", Some("6月"), Err(DateError::Unparseable));
    }

    proptest! {
        #[test]
        fn parse_date_never_panics(raw in "\\PC{0,24}") {
            let _ = parse_date(&raw);
            let _ = date_from_parts(&raw, &raw, Some(&raw));
        }

        #[test]
        fn parse_date_never_panics_on_date_like_text(raw in "[0-9０-９年月日号 T:./-]{0,24}") {
            let _ = parse_date(&raw);
            let _ = date_from_parts(&raw, &raw, Some(&raw));
        }

        #[test]
        fn parsed_dates_reparse_from_their_display(
            raw in "[0-9]{4}([-/.年][0-9]{1,2}([-/.月][0-9]{1,2}日?)?)?|[0-9]{8}|[0-9]{6}"
        ) {
            if let Ok(parsed) = parse_date(&raw) {
                prop_assert_eq!(parse_date(&parsed.to_string()), Ok(parsed));
            }
        }

        #[test]
        fn every_valid_date_reparses(days in -62_000i32..47_000, precision in 0u8..3) {
            let day = PartialDate::from_days_since_epoch(days).expect("in range");
            let date = match precision {
                0 => PartialDate::new(day.year(), 0, 0),
                1 => PartialDate::new(day.year(), day.month().unwrap_or(0), 0),
                _ => Some(day),
            }
            .expect("a coarser date of an existing day exists");
            prop_assert_eq!(parse_date(&date.to_string()), Ok(date));
            let packed = format!("{:08}", date.to_yyyymmdd());
            prop_assert_eq!(parse_date(&packed), Ok(date));
        }
    }
}
