//! Row issues: what was wrong with a value, counted and reported, never fatal.

use std::fmt;

use crate::Field;

/// The outcome of standardizing an ID number (GB 11643); every raw value gets exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdStatus {
    /// A well-formed 18-character number with a valid check digit, date and address code.
    Valid,
    /// Valid after a formatting repair (full-width digits, lower-case x, ×, spaces, an Excel
    /// apostrophe, a G/J student-number prefix, ...).
    Repaired,
    /// A valid 15-digit first-generation number, converted to 18 characters.
    Converted15,
    /// 18 characters whose check digit does not match: a typo somewhere.
    BadCheckDigit,
    /// The embedded birth date does not exist.
    BadDate,
    /// The address code is in no GB/T 2260 revision since 1980.
    UnknownRegion,
    /// A spreadsheet turned the number into a float: last digits `000` or `3.2E+17`.
    ExcelTruncated,
    /// A temporary student number (`L` prefix) that carries no ID.
    TemporaryNumber,
    /// Neither 15 nor 18 characters of digits (and a final X) after repairs.
    Malformed,
    /// Empty or a missing-value token.
    Missing,
    /// A keyed pseudonym of a number (`censuslink pseudonymize`): compared for equality only,
    /// with nothing embedded to check.
    Pseudonym,
}

impl IdStatus {
    /// Every status, in report order.
    pub const ALL: [IdStatus; 11] = [
        IdStatus::Valid,
        IdStatus::Repaired,
        IdStatus::Converted15,
        IdStatus::BadCheckDigit,
        IdStatus::BadDate,
        IdStatus::UnknownRegion,
        IdStatus::ExcelTruncated,
        IdStatus::TemporaryNumber,
        IdStatus::Malformed,
        IdStatus::Missing,
        IdStatus::Pseudonym,
    ];

    /// Whether the number validated, so that its embedded birth date, sex and region can be
    /// trusted as far as a check digit allows.
    pub fn is_valid(self) -> bool {
        matches!(self, IdStatus::Valid | IdStatus::Repaired | IdStatus::Converted15)
    }

    /// The name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            IdStatus::Valid => "valid",
            IdStatus::Repaired => "repaired",
            IdStatus::Converted15 => "converted_15",
            IdStatus::BadCheckDigit => "bad_check_digit",
            IdStatus::BadDate => "bad_date",
            IdStatus::UnknownRegion => "unknown_region",
            IdStatus::ExcelTruncated => "excel_truncated",
            IdStatus::TemporaryNumber => "temporary_number",
            IdStatus::Malformed => "malformed",
            IdStatus::Missing => "missing",
            IdStatus::Pseudonym => "pseudonym",
        }
    }

    /// The row issue this status raises, if it is a problem worth counting.
    pub fn issue(self) -> Option<IssueKind> {
        match self {
            IdStatus::Valid
            | IdStatus::Repaired
            | IdStatus::Converted15
            | IdStatus::Missing
            | IdStatus::Pseudonym => None,
            status => Some(IssueKind::Id(status)),
        }
    }
}

impl fmt::Display for IdStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What was wrong with one value (or one row) of a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IssueKind {
    /// An ID number that did not validate.
    Id(IdStatus),
    /// A date in none of the known formats.
    DateUnparseable,
    /// A well-formed date that does not exist (1987-02-30) or lies outside the job's
    /// `date_range` (1800..=2100 unless it says otherwise).
    DateImpossible,
    /// A code (sex, ethnicity, relation, ...) with no mapping.
    UnknownCode,
    /// A region code that is not 2, 4, 6, 9 or 12 digits of a province that exists.
    BadRegionCode,
    /// A name that is an infant placeholder (某某之子, 婴, 小孩, ...), read as missing.
    PlaceholderName,
    /// A name with no letter in it, read as missing.
    NotAName,
    /// Text that was not valid in the file's encoding; replaced by U+FFFD.
    BadEncoding,
    /// A CSV row with more or fewer fields than the header, or a spreadsheet row with cells
    /// right of the header; missing fields read as empty, extra ones are kept only in audit.
    WrongFieldCount,
    /// A spreadsheet cell holding an error value (`#N/A`, `#REF!`, ...), read as missing.
    SpreadsheetError,
    /// The record key is empty; the row number stands in for it.
    MissingKey,
    /// A value longer than any name, number, date or address (over
    /// [`IssueKind::MAX_VALUE_BYTES`]), read as missing.
    TooLong,
}

impl IssueKind {
    /// The longest value a mapped field takes, in bytes: 1 KiB, some 340 Chinese characters.
    pub const MAX_VALUE_BYTES: usize = 1024;

    /// The name used in `summary.json` and issue files.
    pub fn as_str(self) -> &'static str {
        match self {
            IssueKind::Id(IdStatus::BadCheckDigit) => "id_bad_check_digit",
            IssueKind::Id(IdStatus::BadDate) => "id_bad_date",
            IssueKind::Id(IdStatus::UnknownRegion) => "id_unknown_region",
            IssueKind::Id(IdStatus::ExcelTruncated) => "id_excel_truncated",
            IssueKind::Id(IdStatus::TemporaryNumber) => "id_temporary_number",
            IssueKind::Id(IdStatus::Malformed) => "id_malformed",
            IssueKind::Id(_) => "id_other",
            IssueKind::DateUnparseable => "date_unparseable",
            IssueKind::DateImpossible => "date_impossible",
            IssueKind::UnknownCode => "unknown_code",
            IssueKind::BadRegionCode => "bad_region_code",
            IssueKind::PlaceholderName => "placeholder_name",
            IssueKind::NotAName => "not_a_name",
            IssueKind::BadEncoding => "bad_encoding",
            IssueKind::WrongFieldCount => "wrong_field_count",
            IssueKind::TooLong => "too_long",
            IssueKind::SpreadsheetError => "spreadsheet_error",
            IssueKind::MissingKey => "missing_key",
        }
    }
}

impl fmt::Display for IssueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in one row of a source. Carries coordinates, never the value: issues are
/// written to logs and reports, and values may be names or ID numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RowIssue {
    /// Data row number in the source, 1-based, header and title rows not counted.
    pub row: u64,
    /// The canonical field concerned; `None` for whole-row issues.
    pub field: Option<Field>,
    /// What was wrong.
    pub kind: IssueKind,
}

/// Why a row cannot take part in linkage. Rejected rows are kept, with this reason, in the
/// standardized output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RejectReason {
    /// No usable name, no ID number and nothing of the mother's (a birth is linked through
    /// her): nothing to link on. In a source
    /// that maps neither a name nor an ID number, and is linked on its extra fields: no extra
    /// value.
    NoNameNoId,
    /// The row is empty: every mapped column missing, extra fields included.
    Empty,
}

impl RejectReason {
    /// The name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::NoNameNoId => "no_name_no_id",
            RejectReason::Empty => "empty",
        }
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
