//! The job file (`job.toml`): raw serde structs, validated into [`Job`].
//!
//! A job declares the reference moment and each source with its role, file, format, encoding,
//! the mapping from its columns to canonical fields and its own codes:
//!
//! ```toml
//! reference_moment = "2020-11-01T00:00:00"
//!
//! [[source]]
//! name = "hukou"
//! role = "hukou"
//! path = "hukou.csv"          # relative to the job file
//! encoding = "gbk"            # optional: detected when absent
//! key = "户籍编号"             # optional: the row number when absent
//! missing = ["", "不详", "-"]  # optional: these values read as missing
//!
//! [source.fields]
//! name = "姓名"
//! birth_date = { year = "出生年", month = "出生月" }
//! hukou_address = { columns = ["乡镇", "详细地址"], separator = "" }
//!
//! [source.codes.sex]
//! "1" = "male"
//! "2" = "female"
//!
//! [source.extra]               # optional: person data beyond the canonical fields
//! phone = "联系电话"
//! workplace = { columns = ["单位", "部门"], separator = " " }
//! ```
//!
//! A census source may read its places as the 7th census's short form records them, a
//! category and a code given only for another county: `hukou_region = { d8 = "户口登记地类别",
//! code = "户口登记地代码", area = "普查区代码" }`, and `d7` for `residence_region`.
//!
//! Extra fields carry any other person data under a generic name (`[a-z][a-z0-9_]*`, never a
//! canonical field's): a column, or columns joined, kept as trimmed text. A source maps a
//! name or an ID number column; one that maps neither (a generic extract, such as the English
//! benchmark files) must map extra fields, on which its records are then linked.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use censuslink_model::{
    CollectionMode, Field, FieldKind, Lang, PartialDate, RecordType, RegisterStatus, Relation,
    Role, Sex,
};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::Error;
use crate::error::{JobProblem, SyntaxProblem};

/// A validated job.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// The job file.
    pub path: PathBuf,
    /// The census reference moment: 00:00 at the start of this day.
    pub reference_date: PartialDate,
    /// The language of messages and reports.
    pub lang: Lang,
    /// The sources, in job-file order.
    pub sources: Vec<Source>,
    /// Whether worklists mask ID numbers (`5117**********123X`): true unless the job says
    /// `mask_ids = false`, for offices whose field teams may see them whole.
    pub mask_ids: bool,
    /// The time zone of the extracts' dates (`timezone`, Asia/Shanghai unless the job says
    /// otherwise): a timestamp stored as an instant (local midnight written as UTC) is read as
    /// its calendar day here.
    pub timezone: Tz,
    /// The `[linkage]` table as written (comparisons, blocking rules, training), for the
    /// linkage stage to read; `None` when the job leaves linkage to its defaults.
    pub linkage: Option<toml::Table>,
    /// The years a date of the extracts may fall in (`date_range`, 1800 to 2100 unless the
    /// job says otherwise, at most 1000 to 2100): a date outside is a row issue
    /// (`date_impossible`), as a date that does not exist is.
    pub date_range: RangeInclusive<u16>,
}

/// One source of a job, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// The source's name: unique in the job, used in output file names.
    pub name: String,
    /// What the source is.
    pub role: Role,
    /// The files, resolved against the job file's folder and inside it, in the order the job
    /// lists them (a glob's matches sorted by name): one file, or several of one layout (the
    /// census exported per township) read as one source, their rows numbered on through the
    /// files. Never empty.
    pub paths: Vec<PathBuf>,
    /// The file format.
    pub format: Format,
    /// The text encoding of a CSV file; `None` to detect it.
    pub encoding: Option<Encoding>,
    /// Where the header is: the 1-based line of a CSV file (title lines and blank lines above
    /// it are skipped) or the row number Excel shows in a sheet.
    pub header_row: u64,
    /// The XLSX sheet; `None` for the first.
    pub sheet: Option<String>,
    /// The field delimiter of a CSV file; `None` to detect it.
    pub delimiter: Option<u8>,
    /// The time zone whose calendar day a timestamp of a Parquet or Arrow file falls on (the
    /// job's `timezone`).
    pub timezone: Tz,
    /// The years a date may fall in (the job's `date_range`).
    pub date_range: RangeInclusive<u16>,
    /// The columns whose values, joined by `-`, form the record key; empty for row numbers.
    pub key: Vec<String>,
    /// Values that mean missing, compared after trimming whitespace.
    pub missing: Vec<String>,
    /// Where each mapped canonical field comes from.
    pub fields: BTreeMap<Field, Mapping>,
    /// Per coded field, the source's own codes mapped to canonical values (`"1"` → `male`).
    pub codes: BTreeMap<Field, BTreeMap<String, String>>,
    /// Extra fields, in job-file order: a generic name (`[a-z][a-z0-9_]*`, not a canonical
    /// field's) and where its text comes from, a [`Mapping::Column`] or [`Mapping::Concat`].
    pub extra: Vec<(String, Mapping)>,
}

/// Where a canonical field's raw text comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapping {
    /// One column.
    Column(String),
    /// Several columns joined by a separator, missing parts skipped.
    Concat {
        /// The columns, in order.
        columns: Vec<String>,
        /// What goes between two parts.
        separator: String,
    },
    /// A date from separate year, month and day columns.
    DateParts {
        /// The year column.
        year: String,
        /// The month column, if any.
        month: Option<String>,
        /// The day column, if any.
        day: Option<String>,
    },
    /// A place as the 7th census short form records it: a category (D7 where the person
    /// lives, D8 where the hukou is) that names a level of the census area's own code, and a
    /// code column filled only for another county.
    CensusPlace {
        /// Which question the category answers.
        question: CensusQuestion,
        /// The category column (1-6 for D7, 1-5 for D8).
        category: String,
        /// The column of the county code given for another county.
        code: String,
        /// The census area's column (普查区代码, the 12-digit village code).
        area: String,
    },
}

/// The short form's two place questions, whose categories count levels differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CensusQuestion {
    /// 现住地 (D7): 1 this enumeration area, 2 another area of the village, 3 another village
    /// of the township, 4 another township of the county, 5 another county (with its code), 6
    /// Hong Kong, Macao, Taiwan or abroad.
    D7,
    /// 户口登记地 (D8): 1 this village, 2 another village of the township, 3 another township
    /// of the county, 4 another county (with its code), 5 pending (户口待定).
    D8,
}

impl CensusQuestion {
    /// Where a category puts the place.
    pub fn place(self, category: u8) -> CensusPlace {
        match (self, category) {
            (CensusQuestion::D7, 1 | 2) | (CensusQuestion::D8, 1) => CensusPlace::Area(12),
            (CensusQuestion::D7, 3) | (CensusQuestion::D8, 2) => CensusPlace::Area(9),
            (CensusQuestion::D7, 4) | (CensusQuestion::D8, 3) => CensusPlace::Area(6),
            (CensusQuestion::D7, 5) | (CensusQuestion::D8, 4) => CensusPlace::Code,
            (CensusQuestion::D7, 6) | (CensusQuestion::D8, 5) => CensusPlace::Nowhere,
            _ => CensusPlace::Unknown,
        }
    }
}

/// Where a census place category puts the place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CensusPlace {
    /// The census area's code cut to this many digits (12 the village, 9 the township, 6 the
    /// county).
    Area(usize),
    /// Another county: the code column's.
    Code,
    /// Abroad, or a hukou pending: no place the district knows.
    Nowhere,
    /// A category the form does not have: the code column's, if it holds one.
    Unknown,
}

/// A source file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Delimited text with a header row.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// Arrow IPC, file or stream.
    Arrow,
    /// Excel 2007+ workbook.
    Xlsx,
    /// Excel 97-2003 workbook (BIFF).
    Xls,
}

impl Format {
    /// The name used in job files.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
            Format::Arrow => "arrow",
            Format::Xlsx => "xlsx",
            Format::Xls => "xls",
        }
    }

    /// The format a file extension names, case-insensitively.
    pub fn from_extension(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" | "txt" | "tsv" => Some(Format::Csv),
            "parquet" | "pq" => Some(Format::Parquet),
            "arrow" | "feather" | "ipc" | "arrows" => Some(Format::Arrow),
            "xlsx" | "xlsm" => Some(Format::Xlsx),
            "xls" => Some(Format::Xls),
            _ => None,
        }
    }
}

/// A text encoding of CSV files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// GBK; read as GB18030, its superset.
    Gbk,
    /// GB18030.
    Gb18030,
}

impl Encoding {
    /// The name used in job files.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Gbk => "gbk",
            Encoding::Gb18030 => "gb18030",
        }
    }
}

/// The years a date may fall in when the job does not say (`date_range`): nobody alive or
/// recently dead was born before 1800.
pub(crate) const DEFAULT_DATE_RANGE: RangeInclusive<u16> = 1800..=2100;

/// Values read as missing when a job does not say otherwise.
pub const DEFAULT_MISSING: [&str; 9] = ["", "-", "--", "/", "不详", "未知", "NULL", "null", "N/A"];

impl Job {
    /// Reads and validates a job file. Paths in it are resolved against its folder; the
    /// source files are not opened.
    pub fn load(path: &Path) -> Result<Job, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| Error::JobUnreadable { path: path.to_owned(), source })?;
        Job::parse(&text, path)
    }

    /// The `lang` the job file at `path` sets, read leniently (zh when it sets none or cannot
    /// be read): messages about a job file that does not parse are still in its language.
    pub fn lang_of_file(path: &Path) -> Lang {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        text.lines()
            .take_while(|line| !line.trim_start().starts_with('['))
            .filter_map(|line| line.split_once('='))
            .find(|(key, _)| key.trim() == "lang")
            .and_then(|(_, value)| value.trim().trim_matches('"').parse().ok())
            .unwrap_or_default()
    }

    /// Validates the text of a job file that lives at `path`.
    pub fn parse(text: &str, path: &Path) -> Result<Job, Error> {
        let raw: RawJob = toml::from_str(text).map_err(|err| Error::JobSyntax {
            path: path.to_owned(),
            line: err.span().map(|span| text[..span.start].matches('\n').count() + 1),
            problem: SyntaxProblem::from_parser(err.message()),
        })?;
        Job::validate(raw, path)
    }

    fn validate(raw: RawJob, path: &Path) -> Result<Job, Error> {
        let invalid = |key: String, problem: JobProblem| Error::JobInvalid {
            path: path.to_owned(),
            key,
            problem: Box::new(problem),
        };

        let reference_date = match &raw.reference_moment {
            toml::Value::String(text) => parse_reference_moment(text),
            // Written unquoted, a TOML datetime: its text is the same ISO form.
            toml::Value::Datetime(datetime) => parse_reference_moment(&datetime.to_string()),
            _ => None,
        }
        .ok_or_else(|| {
            let value = match &raw.reference_moment {
                toml::Value::String(text) => text.clone(),
                other => other.type_str().to_owned(),
            };
            invalid("reference_moment".into(), JobProblem::ReferenceMoment { value })
        })?;
        let timezone = match raw.timezone.as_deref() {
            None => Tz::Asia__Shanghai,
            Some(text) => text.parse::<Tz>().map_err(|_| {
                invalid("timezone".into(), JobProblem::Timezone { value: text.to_owned() })
            })?,
        };
        let date_range = match raw.date_range.as_deref() {
            None => DEFAULT_DATE_RANGE,
            Some(&[first, last])
                if first <= last
                    && PartialDate::MIN_YEAR <= first
                    && last <= PartialDate::MAX_YEAR =>
            {
                first..=last
            }
            Some(_) => return Err(invalid("date_range".into(), JobProblem::DateRange)),
        };
        let lang = match raw.lang.as_deref() {
            None => Lang::Zh,
            Some(text) => text
                .parse::<Lang>()
                .map_err(|_| invalid("lang".into(), JobProblem::Lang { value: text.to_owned() }))?,
        };
        if raw.source.is_empty() {
            return Err(invalid("source".into(), JobProblem::NoSource));
        }
        let folder = path.parent().unwrap_or(Path::new(""));
        let default_missing =
            raw.missing.unwrap_or_else(|| DEFAULT_MISSING.map(String::from).to_vec());
        let mut sources: Vec<Source> = Vec::with_capacity(raw.source.len());
        for raw_source in raw.source {
            let source = validate_source(raw_source, folder, timezone, &default_missing, &invalid)?;
            let source = Source { date_range: date_range.clone(), ..source };
            if sources.iter().any(|s| s.name == source.name) {
                return Err(invalid(
                    format!("source.{}", source.name),
                    JobProblem::DuplicateSourceName,
                ));
            }
            // Files of one layout are one source: as several, each would be linked to every
            // other, and only the first census would count.
            // Records without a role are linked to each other: two files of one layout may be
            // two sources there.
            if let Some(other) = sources.iter().find(|s| {
                s.role == source.role
                    && s.role != Role::Records
                    && (s.role == Role::Census || s.has_layout_of(&source))
            }) {
                return Err(invalid(
                    format!("source.{}.role", source.name),
                    JobProblem::RoleTwice { role: source.role.as_str(), other: other.name.clone() },
                ));
            }
            sources.push(source);
        }
        Ok(Job {
            path: path.to_owned(),
            reference_date,
            lang,
            mask_ids: raw.mask_ids.unwrap_or(true),
            timezone,
            sources,
            linkage: raw.linkage,
            date_range,
        })
    }
}

impl Job {
    /// The census source, which a reconciliation needs (a job that only maps extracts, for
    /// `init` or `pseudonymize`, may lack it).
    ///
    /// # Errors
    ///
    /// [`Error::JobInvalid`] with [`JobProblem::NoCensus`] when the job has none (it never has
    /// two: [`Job::parse`] refuses a second).
    pub fn census(&self) -> Result<&Source, Error> {
        self.sources.iter().find(|s| s.role == Role::Census).ok_or_else(|| Error::JobInvalid {
            path: self.path.clone(),
            key: "source".into(),
            problem: Box::new(JobProblem::NoCensus),
        })
    }
}

impl Job {
    /// Checks that the job can be reconciled: it has a census, and every source has a role (a
    /// source without one is only linked, by `censuslink link` or `dedupe`).
    ///
    /// # Errors
    ///
    /// [`Error::JobInvalid`] with [`JobProblem::NoCensus`] or [`JobProblem::NoRole`].
    pub fn check_roles(&self) -> Result<(), Error> {
        self.census()?;
        match self.sources.iter().find(|s| s.role == Role::Records) {
            Some(source) => Err(Error::JobInvalid {
                path: self.path.clone(),
                key: format!("source.{}.role", source.name),
                problem: Box::new(JobProblem::NoRole),
            }),
            None => Ok(()),
        }
    }

    /// Checks that the job can be linked (`censuslink link`): two sources or more, of any
    /// role.
    ///
    /// # Errors
    ///
    /// [`Error::JobInvalid`] with [`JobProblem::LinkSources`].
    pub fn check_link(&self) -> Result<(), Error> {
        self.check_sources(self.sources.len() >= 2, JobProblem::LinkSources)
    }

    /// Checks that the job can be deduplicated (`censuslink dedupe`): one source, of any role.
    ///
    /// # Errors
    ///
    /// [`Error::JobInvalid`] with [`JobProblem::DedupeSources`].
    pub fn check_dedupe(&self) -> Result<(), Error> {
        self.check_sources(self.sources.len() == 1, JobProblem::DedupeSources)
    }

    fn check_sources(&self, fits: bool, problem: JobProblem) -> Result<(), Error> {
        match fits {
            true => Ok(()),
            false => Err(Error::JobInvalid {
                path: self.path.clone(),
                key: "source".into(),
                problem: Box::new(problem),
            }),
        }
    }
}

/// `2020-11-01`, `2020-11-01T00:00:00`, `2020-11-01 00:00`: a day's start. Other times of day
/// are refused, since counts are kept per day.
fn parse_reference_moment(text: &str) -> Option<PartialDate> {
    let (date, time) = match text.split_once(['T', ' ']) {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    if time.is_some_and(|time| !matches!(time, "00:00" | "00:00:00")) {
        return None;
    }
    let mut parts = date.split('-').map(|part| part.parse::<u16>().ok());
    let (year, month, day) = (parts.next()??, parts.next()??, parts.next()??);
    if parts.next().is_some() || month == 0 || day == 0 {
        return None;
    }
    PartialDate::new(year, u8::try_from(month).ok()?, u8::try_from(day).ok()?)
}

fn validate_source(
    raw: RawSource,
    folder: &Path,
    timezone: Tz,
    default_missing: &[String],
    invalid: &impl Fn(String, JobProblem) -> Error,
) -> Result<Source, Error> {
    let key = |suffix: &str| format!("source.{}{suffix}", raw.name);
    let is_name_valid = !raw.name.is_empty()
        && raw.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !is_name_valid {
        return Err(invalid(key(""), JobProblem::SourceName));
    }
    let role = match &raw.role {
        Some(role) => role
            .parse::<Role>()
            .map_err(|_| invalid(key(".role"), JobProblem::Role { value: role.clone() }))?,
        None => Role::Records,
    };
    let patterns = match raw.path {
        OneOrMany::One(path) => vec![PathBuf::from(path)],
        OneOrMany::Many(paths) => paths.into_iter().map(PathBuf::from).collect(),
    };
    let paths =
        resolve_paths(folder, &patterns).map_err(|problem| invalid(key(".path"), problem))?;
    let format = match raw.format.as_deref() {
        Some("csv") => Format::Csv,
        Some("parquet") => Format::Parquet,
        Some("arrow") => Format::Arrow,
        Some("xlsx") => Format::Xlsx,
        Some("xls") => Format::Xls,
        Some(other) => {
            return Err(invalid(key(".format"), JobProblem::Format { value: other.to_owned() }));
        }
        None => Format::from_extension(&paths[0])
            .ok_or_else(|| invalid(key(".format"), JobProblem::FormatFromExtension))?,
    };
    let delimiter = match raw.delimiter.as_deref() {
        None => None,
        Some(_) if format != Format::Csv => {
            return Err(invalid(key(".delimiter"), JobProblem::DelimiterNotCsv));
        }
        Some(text) => match text.as_bytes() {
            [byte] if byte.is_ascii() && !matches!(byte, b'"' | b'\n' | b'\r') => Some(*byte),
            _ => return Err(invalid(key(".delimiter"), JobProblem::Delimiter)),
        },
    };
    let encoding = match raw.encoding.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => None,
        Some("utf-8" | "utf8" | "utf-8-bom" | "utf-8 with bom") => Some(Encoding::Utf8),
        Some("gbk" | "cp936" | "gb2312") => Some(Encoding::Gbk),
        Some("gb18030") => Some(Encoding::Gb18030),
        Some(other) => {
            return Err(invalid(
                key(".encoding"),
                JobProblem::Encoding { value: other.to_owned() },
            ));
        }
    };
    if encoding.is_some() && format != Format::Csv {
        return Err(invalid(
            key(".encoding"),
            JobProblem::EncodingNotCsv { format: format.as_str() },
        ));
    }
    if raw.sheet.is_some() && !matches!(format, Format::Xlsx | Format::Xls) {
        return Err(invalid(key(".sheet"), JobProblem::SheetNotXlsx));
    }
    let header_row = raw.header_row.unwrap_or(1);
    if header_row == 0 || (header_row > 1 && matches!(format, Format::Parquet | Format::Arrow)) {
        return Err(invalid(key(".header_row"), JobProblem::HeaderRow));
    }
    let key_columns = match raw.key {
        None => Vec::new(),
        Some(OneOrMany::One(column)) => vec![column],
        Some(OneOrMany::Many(columns)) => columns,
    };

    let fields = field_mappings(raw.fields, &key, invalid)?;
    // Sorted by where each mapping starts in the job file, extras keep the job's order.
    let mut extra: Vec<(usize, String, Mapping)> = Vec::with_capacity(raw.extra.len());
    for (extra_name, raw_mapping) in raw.extra {
        let extra_key = key(&format!(".extra.{extra_name}"));
        let is_extra_name_valid = extra_name.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
            && extra_name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !is_extra_name_valid {
            return Err(invalid(extra_key, JobProblem::ExtraName));
        }
        if extra_name.parse::<Field>().is_ok() {
            return Err(invalid(
                extra_key,
                JobProblem::ExtraIsCanonical { name: extra_name.clone() },
            ));
        }
        let start = raw_mapping.span().start;
        let mapping = match raw_mapping.into_inner() {
            RawMapping::Column(column) => Mapping::Column(column),
            RawMapping::Concat { columns, separator } => {
                concat_mapping(columns, separator).map_err(|problem| invalid(extra_key, problem))?
            }
            RawMapping::DateParts { .. } | RawMapping::CensusPlace { .. } => {
                return Err(invalid(extra_key, JobProblem::ExtraNotText));
            }
        };
        extra.push((start, extra_name, mapping));
    }
    extra.sort_by_key(|(start, ..)| *start);
    let extra: Vec<(String, Mapping)> =
        extra.into_iter().map(|(_, name, mapping)| (name, mapping)).collect();

    let has_identity = fields.contains_key(&Field::Name) || fields.contains_key(&Field::IdNumber);
    if !has_identity && extra.is_empty() {
        return Err(invalid(key(".fields"), JobProblem::NothingToLink));
    }

    let codes = code_tables(raw.codes, &fields, &key, invalid)?;

    Ok(Source {
        paths,
        role,
        format,
        encoding,
        header_row,
        sheet: raw.sheet,
        delimiter,
        timezone,
        date_range: DEFAULT_DATE_RANGE,
        key: key_columns,
        missing: raw.missing.unwrap_or_else(|| default_missing.to_vec()),
        fields,
        codes,
        extra,
        name: raw.name,
    })
}

/// A source's `fields`: each canonical field and where its text comes from.
fn field_mappings(
    raw: BTreeMap<String, RawMapping>,
    key: &impl Fn(&str) -> String,
    invalid: &impl Fn(String, JobProblem) -> Error,
) -> Result<BTreeMap<Field, Mapping>, Error> {
    let mut fields = BTreeMap::new();
    for (field_name, raw_mapping) in raw {
        let field_key = key(&format!(".fields.{field_name}"));
        let field = field_name.parse::<Field>().map_err(|_| {
            let fields = Field::ALL.iter().map(|f| f.as_str()).collect();
            invalid(field_key.clone(), JobProblem::NotAField { fields })
        })?;
        let mapping = match raw_mapping {
            RawMapping::Column(column) => Mapping::Column(column),
            RawMapping::Concat { columns, separator } => concat_mapping(columns, separator)
                .map_err(|problem| invalid(field_key.clone(), problem))?,
            RawMapping::DateParts { year, month, day } => {
                if field.kind() != FieldKind::Date {
                    return Err(invalid(
                        field_key,
                        JobProblem::DatePartsNotDate { field: field.to_string() },
                    ));
                }
                if day.is_some() && month.is_none() {
                    return Err(invalid(field_key, JobProblem::DayWithoutMonth));
                }
                Mapping::DateParts { year, month, day }
            }
            RawMapping::CensusPlace { d7, d8, code, area } => {
                if field.kind() != FieldKind::Region {
                    return Err(invalid(
                        field_key,
                        JobProblem::CensusPlaceNotRegion { field: field.to_string() },
                    ));
                }
                // Where the person lives is D7, where the hukou is D8.
                let (question, category) = match (field, d7, d8) {
                    (Field::ResidenceRegion, Some(category), None) => {
                        (CensusQuestion::D7, category)
                    }
                    (Field::HukouRegion, None, Some(category)) => (CensusQuestion::D8, category),
                    _ => return Err(invalid(field_key, JobProblem::CensusPlaceQuestion)),
                };
                Mapping::CensusPlace { question, category, code, area }
            }
        };
        if field == Field::RecordId {
            return Err(invalid(field_key, JobProblem::RecordIdMapped));
        }
        fields.insert(field, mapping);
    }
    Ok(fields)
}

/// A source's `codes`: per coded field it maps, its own codes and their canonical values.
fn code_tables(
    raw: BTreeMap<String, BTreeMap<String, String>>,
    fields: &BTreeMap<Field, Mapping>,
    key: &impl Fn(&str) -> String,
    invalid: &impl Fn(String, JobProblem) -> Error,
) -> Result<BTreeMap<Field, BTreeMap<String, String>>, Error> {
    let mut codes = BTreeMap::new();
    for (field_name, table) in raw {
        let codes_key = key(&format!(".codes.{field_name}"));
        let field = field_name
            .parse::<Field>()
            .ok()
            .filter(|field| field.kind() == FieldKind::Code)
            .ok_or_else(|| invalid(codes_key.clone(), JobProblem::CodesField))?;
        if !fields.contains_key(&field) {
            return Err(invalid(codes_key, JobProblem::CodesUnmapped { field: field.to_string() }));
        }
        for (code, canonical) in &table {
            if !is_canonical_code(field, canonical) {
                return Err(invalid(
                    format!("{codes_key}.\"{code}\""),
                    JobProblem::CodeValue {
                        value: canonical.clone(),
                        field: field.to_string(),
                        values: canonical_codes(field),
                    },
                ));
            }
        }
        codes.insert(field, table);
    }
    Ok(codes)
}

/// Several columns joined by `separator` (none when absent); an error when there are none.
fn concat_mapping(columns: Vec<String>, separator: Option<String>) -> Result<Mapping, JobProblem> {
    if columns.is_empty() {
        return Err(JobProblem::NoColumns);
    }
    Ok(Mapping::Concat { columns, separator: separator.unwrap_or_default() })
}

impl Source {
    /// The file messages name: the first of the source's files.
    pub fn path(&self) -> &Path {
        &self.paths[0]
    }

    /// Whether `other` reads files of the same layout as this one: the same format and the
    /// same mapping.
    fn has_layout_of(&self, other: &Source) -> bool {
        (self.format, &self.key, &self.fields, &self.codes, &self.extra)
            == (other.format, &other.key, &other.fields, &other.codes, &other.extra)
    }
}

/// The files `patterns` name, relative to the job's `folder`: each a path, or a path whose
/// file name or folders hold `*` or `?` wildcards (`*/census.csv`: each county's folder of a
/// province), its matches sorted by path. Every file must lie in the job's folder or below it:
/// a job names its own extracts, not whatever the machine holds.
fn resolve_paths(folder: &Path, patterns: &[PathBuf]) -> Result<Vec<PathBuf>, JobProblem> {
    if patterns.is_empty() {
        return Err(JobProblem::NoPath);
    }
    let mut paths = Vec::new();
    for pattern in patterns {
        let path = folder.join(pattern);
        if !is_inside(folder, &path) {
            return Err(JobProblem::PathOutsideJob { path: pattern.display().to_string() });
        }
        if !pattern.to_string_lossy().contains(['*', '?']) {
            paths.push(path);
            continue;
        }
        // Expanded one component at a time: folders for all but the last, files for it.
        let components: Vec<_> = pattern.components().collect();
        let mut matches = vec![folder.to_path_buf()];
        for (idx, component) in components.iter().enumerate() {
            let name = component.as_os_str().to_string_lossy();
            let wants_dir = idx + 1 < components.len();
            if !name.contains(['*', '?']) {
                matches.iter_mut().for_each(|m| m.push(component));
                continue;
            }
            matches = matches
                .iter()
                .flat_map(|parent| {
                    // A job in the working folder has an empty one.
                    let dir = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
                    let names = std::fs::read_dir(dir).into_iter().flatten().filter_map(Result::ok);
                    names.map(|entry| entry.file_name()).map(move |name| parent.join(name))
                })
                .filter(|path| {
                    // As a shell's glob: a hidden entry only when the pattern names a dot.
                    path.file_name().map(|n| n.to_string_lossy()).is_some_and(|n| {
                        (!n.starts_with('.') || name.starts_with('.')) && wildcard_match(&name, &n)
                    })
                })
                .filter(|path| path.is_dir() == wants_dir)
                .collect();
        }
        // A link among the matches may lead out of the job's folder.
        matches.retain(|path| path.is_file() && is_inside(folder, path));
        if matches.is_empty() {
            return Err(JobProblem::NoFileMatches { pattern: pattern.display().to_string() });
        }
        matches.sort();
        paths.extend(matches);
    }
    Ok(paths)
}

/// Whether `path` lies in `folder` or below it, with `..` resolved and symbolic links followed
/// where they exist.
fn is_inside(folder: &Path, path: &Path) -> bool {
    fn lexical(path: &Path) -> PathBuf {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
        let mut clean = PathBuf::new();
        for component in absolute.components() {
            match component {
                std::path::Component::ParentDir => {
                    clean.pop();
                }
                std::path::Component::CurDir => {}
                other => clean.push(other),
            }
        }
        clean
    }
    let real = |path: &Path| path.canonicalize().unwrap_or_else(|_| lexical(path));
    // A job named by its bare file name lies in the working folder (`Path::parent` is empty,
    // which every path would start with).
    let folder = if folder.as_os_str().is_empty() { Path::new(".") } else { folder };
    lexical(path).starts_with(lexical(folder)) && real(path).starts_with(real(folder))
}

/// Whether `name` matches `pattern`, where `*` stands for any run of characters and `?` for
/// one.
fn wildcard_match(pattern: &str, name: &str) -> bool {
    let (pattern, name): (Vec<char>, Vec<char>) =
        (pattern.chars().collect(), name.chars().collect());
    // The classic two-pointer match with backtracking to the last `*`.
    let (mut p, mut n, mut star, mut mark) = (0, 0, None, 0);
    while n < name.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == name[n]) {
            p += 1;
            n += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some(p);
            mark = n;
            p += 1;
        } else if let Some(s) = star {
            p = s + 1;
            mark += 1;
            n = mark;
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

fn is_canonical_code(field: Field, value: &str) -> bool {
    match field {
        Field::Sex => value.parse::<Sex>().is_ok(),
        Field::RecordType => value.parse::<RecordType>().is_ok(),
        Field::CollectionMode => value.parse::<CollectionMode>().is_ok(),
        Field::Status => value.parse::<RegisterStatus>().is_ok(),
        Field::Relation => value.parse::<Relation>().is_ok(),
        Field::Ethnicity => value
            .parse::<u8>()
            .ok()
            .and_then(censuslink_model::Ethnicity::new)
            .is_some_and(|e| e.to_string() == value),
        _ => false,
    }
}

fn canonical_codes(field: Field) -> String {
    fn names<T: std::fmt::Display>(values: &[T]) -> String {
        values.iter().map(T::to_string).collect::<Vec<_>>().join(", ")
    }
    match field {
        Field::Sex => names(Sex::ALL),
        Field::RecordType => names(RecordType::ALL),
        Field::CollectionMode => names(CollectionMode::ALL),
        Field::Status => names(RegisterStatus::ALL),
        Field::Relation => names(Relation::ALL),
        Field::Ethnicity => "two-digit GB 3304 codes 01..56, 97, 98".into(),
        _ => String::new(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawJob {
    /// A string, or a TOML datetime when written unquoted.
    reference_moment: toml::Value,
    lang: Option<String>,
    timezone: Option<String>,
    date_range: Option<Vec<u16>>,
    mask_ids: Option<bool>,
    missing: Option<Vec<String>>,
    #[serde(default)]
    source: Vec<RawSource>,
    linkage: Option<toml::Table>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    name: String,
    role: Option<String>,
    path: OneOrMany,
    format: Option<String>,
    encoding: Option<String>,
    delimiter: Option<String>,
    header_row: Option<u64>,
    sheet: Option<String>,
    key: Option<OneOrMany>,
    missing: Option<Vec<String>>,
    #[serde(default)]
    fields: BTreeMap<String, RawMapping>,
    #[serde(default)]
    codes: BTreeMap<String, BTreeMap<String, String>>,
    /// Spanned, so that the extras can be put back in job-file order.
    #[serde(default)]
    extra: BTreeMap<String, toml::Spanned<RawMapping>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(untagged, deny_unknown_fields)]
enum RawMapping {
    Column(String),
    Concat { columns: Vec<String>, separator: Option<String> },
    DateParts { year: String, month: Option<String>, day: Option<String> },
    CensusPlace { d7: Option<String>, d8: Option<String>, code: String, area: String },
}
