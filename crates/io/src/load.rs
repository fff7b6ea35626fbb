//! Loading a source: read its file, map its columns onto canonical fields and standardize
//! every value, batch by batch in parallel.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::RangeInclusive;
use std::path::Path;

use arrow_array::{Array, RecordBatch, StringArray};
use censuslink_model::{
    Field, FieldKind, IdColumns, IdStatus, IssueKind, NameColumns, OTHER_NAMES_SEPARATOR,
    OTHER_READINGS_SEPARATOR, PartialDate, PersonTable, RejectReason, RowIssue, TextColumn,
};
use censuslink_standardize::{codes, date, id, name, pseudonym, region};
use rayon::prelude::*;

use crate::Error;
use crate::error::Problem;
use crate::job::{CensusPlace, CensusQuestion, Mapping, Source};
use crate::read::{self, RawBatch, SourceReader};

/// A source read and standardized: its records and what was wrong with them.
#[derive(Debug, Clone)]
pub struct LoadedSource {
    /// The standardized records, in file order.
    pub table: PersonTable,
    /// Row issues, sorted by row then field.
    pub issues: Vec<RowIssue>,
    /// The file's header.
    pub header: Vec<String>,
    /// Data rows the reader gave, counted apart from the table (blank lines not counted): the
    /// row accounting checks that the table holds every one.
    pub rows_read: usize,
}

impl LoadedSource {
    /// Rows read from the file (blank lines not counted).
    pub fn n_rows(&self) -> usize {
        self.table.len()
    }
}

/// Reads and standardizes one source of the job at `job_path`, dropping the raw rows once
/// they are standardized. See [`load_with`].
pub fn load(source: &Source, job_path: &Path) -> Result<LoadedSource, Error> {
    load_with(source, job_path, |_, _| Ok(()))
}

/// Reads and standardizes one source of the job at `job_path`, handing each batch of raw rows
/// with its standardized records to `on_batch` in file order (to write them for audit, say),
/// so that the raw text is never held whole.
///
/// Fails when the file cannot be read as its format, a mapped column is not in it, or
/// `on_batch` fails; dirty values become row issues. Batches are standardized on the current
/// rayon pool; the result does not depend on its thread count.
pub fn load_with(
    source: &Source,
    job_path: &Path,
    on_batch: impl FnMut(&RecordBatch, &PersonTable) -> Result<(), Error> + Send,
) -> Result<LoadedSource, Error> {
    let loaded = load_from(read::open(source)?, source, job_path, on_batch)?;
    check_keys(source, job_path, &loaded.table)?;
    Ok(loaded)
}

/// [`load`] of file `index` of `source` alone (one task's share of a source on a cluster), as
/// `load` reads it among the others: its header must be the first file's; it may be empty
/// when the source has several files; rows numbered within the file. What only the whole
/// source can tell is the whole load's to check: whether it has a row at all, and its keys
/// (unique across files; ID numbers in one key in a hundred of the source's).
pub fn load_file(source: &Source, index: usize, job_path: &Path) -> Result<LoadedSource, Error> {
    load_from(read::open_file_of(source, index)?, source, job_path, |_, _| Ok(()))
}

/// [`load`] of record batches already in memory in place of the source's files (a table
/// handed over through the Arrow C data interface, by the Python package): the same mapping,
/// standardization, row issues and key checks; `source.paths` only names it in errors.
pub fn load_batches(
    source: &Source,
    job_path: &Path,
    batches: impl arrow_array::RecordBatchReader + Send + 'static,
) -> Result<LoadedSource, Error> {
    let loaded = load_from(read::open_batches(source, batches), source, job_path, |_, _| Ok(()))?;
    check_keys(source, job_path, &loaded.table)?;
    Ok(loaded)
}

fn load_from(
    mut reader: read::SourceReader,
    source: &Source,
    job_path: &Path,
    mut on_batch: impl FnMut(&RecordBatch, &PersonTable) -> Result<(), Error> + Send,
) -> Result<LoadedSource, Error> {
    let plan = Plan::new(source, job_path, &reader.header, &reader.nested)?;
    let mut loaded = LoadedSource {
        table: plan.table(0),
        issues: Vec::new(),
        header: std::mem::take(&mut reader.header),
        rows_read: 0,
    };
    // Batches flow through a three-stage pipeline in chunks of a few per thread: while one
    // chunk is standardized in parallel (part by part), the next is read and the previous one
    // is handed to `on_batch`, in file order. The standardized parts are appended at the end,
    // each column grown once, the columns side by side.
    let chunk_len = 2 * rayon::current_num_threads();
    let mut chunk = read_chunk(&mut reader, chunk_len)?;
    let mut standardized: Vec<StandardBatch> = Vec::new();
    let mut parts: Vec<PersonTable> = Vec::new();
    while !(chunk.is_empty() && standardized.is_empty()) {
        let ((next, handed_on), now_standardized) = rayon::join(
            || {
                rayon::join(
                    || read_chunk(&mut reader, chunk_len),
                    || {
                        standardized.drain(..).try_for_each(|part| {
                            on_batch(&part.raw.batch, &part.table)?;
                            loaded.rows_read += part.raw.batch.num_rows();
                            parts.push(part.table);
                            loaded.issues.extend(part.raw.issues);
                            loaded.issues.extend(part.issues);
                            Ok(())
                        })
                    },
                )
            },
            || chunk.into_par_iter().map(|raw| plan.standardize(raw)).collect::<Vec<_>>(),
        );
        handed_on?;
        chunk = next?;
        standardized = now_standardized;
    }
    loaded.table.append_parts(parts, |columns| columns.into_par_iter().for_each(|append| append()));
    loaded.issues.sort();
    Ok(loaded)
}

/// Fails when the key columns give one value to several rows (the lists name records by their
/// key, and a key that names several would send a field team to the wrong person), or hold ID
/// numbers (the lists, worklists and `explain` name records by their key, and would show
/// the ID numbers whole).
fn check_keys(source: &Source, job_path: &Path, table: &PersonTable) -> Result<(), Error> {
    if source.key.is_empty() {
        return Ok(());
    }
    // A key of several columns is joined by `-`: any part may be the ID number. A column of
    // ID numbers holds them throughout, so up to 10,000 keys spread over the file tell (an ID
    // parse costs a microsecond). A key of other numbers passes the check digit by chance one
    // time in eleven, and then rarely with a real date and region: one key in a hundred is
    // not chance.
    let is_id = |part: &str| {
        (15..=20).contains(&part.len()) && id::standardize_id(part).status == IdStatus::Valid
    };
    let step = table.len().div_ceil(10_000).max(1);
    let sampled: Vec<&str> =
        (0..table.len()).step_by(step).filter_map(|row| table.record_id.get(row)).collect();
    let n_ids = sampled.iter().filter(|key| key.split('-').any(is_id)).count();
    if n_ids > 0 && n_ids * 100 >= sampled.len() {
        return Err(Error::KeyIsIdNumber {
            job: job_path.to_owned(),
            key: format!("source.{}.key", source.name),
            file: source.path().to_owned(),
        });
    }
    // The keys sorted in parallel by a hash of each, then by the key itself (numbers compared
    // first, text only on a tie): a key's copies are a run.
    let hasher = ahash::RandomState::new();
    let mut keys: Vec<(u64, &str)> = (0..table.len())
        .into_par_iter()
        .filter_map(|row| table.record_id.get(row))
        .map(|key| (hasher.hash_one(key), key))
        .collect();
    keys.par_sort_unstable();
    let repeated = keys.chunk_by(|a, b| a == b).filter(|copies| copies.len() > 1);
    let (n_repeated, n_rows) =
        repeated.fold((0, 0), |(keys, rows), copies| (keys + 1, rows + copies.len() - 1));
    if n_repeated == 0 {
        return Ok(());
    }
    Err(Error::DuplicateKeys {
        job: job_path.to_owned(),
        key: format!("source.{}.key", source.name),
        file: source.path().to_owned(),
        n_repeated,
        n_rows,
    })
}

/// Whether `header` is a header row: it holds a column the job maps and no cell that reads as
/// a value (a number, a date, an ID number). A file exported without its header has a data
/// row there, whose cells must not be repeated.
fn looks_like_header(source: &Source, header: &[String]) -> bool {
    let mapped = source.fields.values().chain(source.extra.iter().map(|(_, m)| m));
    let columns: Vec<&str> = mapped
        .flat_map(|mapping| match mapping {
            Mapping::Column(column) => vec![column.as_str()],
            Mapping::Concat { columns, .. } => columns.iter().map(String::as_str).collect(),
            Mapping::DateParts { year, month, day } => [Some(year), month.as_ref(), day.as_ref()]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect(),
            Mapping::CensusPlace { category, code, area, .. } => {
                vec![category.as_str(), code.as_str(), area.as_str()]
            }
        })
        .chain(source.key.iter().map(String::as_str))
        .collect();
    header.iter().any(|name| columns.contains(&name.as_str()))
        && !header.iter().any(|name| looks_like_value(name))
}

/// Whether a header cell reads as a value rather than a column name: a run of six digits (an
/// ID number, a code), or a date or number (digits and separators only, four digits or more),
/// as column names never are.
pub(crate) fn looks_like_value(cell: &str) -> bool {
    let n_digits = cell.bytes().filter(u8::is_ascii_digit).count();
    let is_number_or_date = cell.chars().all(|c| {
        c.is_ascii_digit() || matches!(c, '-' | '/' | '.' | ':' | ' ' | '年' | '月' | '日')
    });
    cell.as_bytes().windows(6).any(|run| run.iter().all(u8::is_ascii_digit))
        || is_number_or_date && n_digits >= 4
}

/// Rows standardized as one part: each batch read is cut into parts, so that a source of a
/// batch or two (a county's deaths, the sample district) is standardized on every thread, and
/// the last chunk of a large one is shared evenly.
const PART_ROWS: usize = 2_048;

/// The next `n_batches` batches of `reader` (fewer at the end of the file), each cut into
/// parts of [`PART_ROWS`] rows (slices of its columns, not copies) with their row issues.
fn read_chunk(reader: &mut SourceReader, n_batches: usize) -> Result<Vec<RawBatch>, Error> {
    let batches: Vec<RawBatch> =
        reader.batches.by_ref().take(n_batches).collect::<Result<_, _>>()?;
    Ok(batches.into_iter().flat_map(parts).collect())
}

fn parts(raw: RawBatch) -> impl Iterator<Item = RawBatch> {
    let n_rows = raw.batch.num_rows();
    (0..n_rows).step_by(PART_ROWS).map(move |start| {
        let len = PART_ROWS.min(n_rows - start);
        let first_row = raw.first_row + start as u64;
        let rows = first_row..first_row + len as u64;
        RawBatch {
            first_row,
            batch: raw.batch.slice(start, len),
            issues: raw.issues.iter().filter(|issue| rows.contains(&issue.row)).cloned().collect(),
        }
    })
}

/// One batch of raw rows and what standardization made of it.
struct StandardBatch {
    raw: RawBatch,
    table: PersonTable,
    issues: Vec<RowIssue>,
}

/// The job's mapping of one source resolved against its file's header.
struct Plan {
    /// The mapped fields, in `Field` order.
    fields: Vec<FieldPlan>,
    /// The key columns, joined by `-`; `None` to number rows.
    key: Option<Columns>,
    /// The extra fields, in job order: name and columns.
    extra: Vec<(String, Columns)>,
    /// Whether extra values identify a person: a source that maps no name and no ID number
    /// (a generic extract) is linked on its extras, so a record with any is no `NoNameNoId`.
    do_extras_identify: bool,
    /// Missing-value tokens, trimmed, by byte length: most cells have a length no token has.
    missing_by_len: Vec<Vec<String>>,
    /// The years a date may fall in (the job's `date_range`).
    date_range: RangeInclusive<u16>,
}

/// One mapped field: where its text comes from, and the source's own codes for it.
struct FieldPlan {
    field: Field,
    columns: Columns,
    /// Source code (trimmed) → canonical value.
    codes: Option<HashMap<String, String>>,
}

/// A mapping with its columns resolved to header positions.
enum Columns {
    One(usize),
    Concat(Vec<usize>, String),
    DateParts(usize, Option<usize>, Option<usize>),
    /// A census place: the question, and the category, code and area columns.
    CensusPlace(CensusQuestion, usize, usize, usize),
}

impl Plan {
    fn new(
        source: &Source,
        job_path: &Path,
        header: &[String],
        nested: &[String],
    ) -> Result<Plan, Error> {
        let has_header = looks_like_header(source, header);
        let resolve = |key: String, column: &str| -> Result<usize, Error> {
            let mut positions = header.iter().enumerate().filter(|(_, name)| *name == column);
            let Some((idx, _)) = positions.next() else {
                // A header with none of the job's columns, or with values in it, is a data
                // row (a file without a header): listing it would print a person's values.
                return Err(if !has_header {
                    Error::HeaderLooksLikeData {
                        job: job_path.to_owned(),
                        key,
                        column: column.to_owned(),
                        file: source.path().to_owned(),
                        header_row: source.header_row,
                        n_columns: header.len(),
                    }
                } else {
                    Error::MissingColumn {
                        job: job_path.to_owned(),
                        key,
                        column: column.to_owned(),
                        file: source.path().to_owned(),
                        available: header.to_vec(),
                    }
                });
            };
            if nested.iter().any(|name| name == column) {
                return Err(Error::Malformed {
                    path: source.path().to_owned(),
                    problem: Problem::NestedColumn { column: column.to_owned() },
                });
            }
            if positions.next().is_some() {
                return Err(Error::Malformed {
                    path: source.path().to_owned(),
                    problem: Problem::DuplicateColumn { column: column.to_owned() },
                });
            }
            Ok(idx)
        };
        let resolve_mapping = |key: &str, mapping: &Mapping| -> Result<Columns, Error> {
            let resolve = |column: &str| resolve(key.to_owned(), column);
            Ok(match mapping {
                Mapping::Column(column) => Columns::One(resolve(column)?),
                Mapping::Concat { columns, separator } => Columns::Concat(
                    columns.iter().map(|c| resolve(c)).collect::<Result<_, _>>()?,
                    separator.clone(),
                ),
                Mapping::DateParts { year, month, day } => Columns::DateParts(
                    resolve(year)?,
                    month.as_deref().map(resolve).transpose()?,
                    day.as_deref().map(resolve).transpose()?,
                ),
                Mapping::CensusPlace { question, category, code, area } => Columns::CensusPlace(
                    *question,
                    resolve(category)?,
                    resolve(code)?,
                    resolve(area)?,
                ),
            })
        };
        let mut fields = Vec::with_capacity(source.fields.len());
        for (&field, mapping) in &source.fields {
            let columns =
                resolve_mapping(&format!("source.{}.fields.{field}", source.name), mapping)?;
            let codes = source.codes.get(&field).map(|table| {
                table.iter().map(|(code, value)| (code.trim().to_owned(), value.clone())).collect()
            });
            fields.push(FieldPlan { field, columns, codes });
        }
        // An extra is one column or columns joined (the job allows no date parts): `text`.
        let extra: Vec<(String, Columns)> = source
            .extra
            .iter()
            .map(|(name, mapping)| {
                let key = format!("source.{}.extra.{name}", source.name);
                Ok((name.clone(), resolve_mapping(&key, mapping)?))
            })
            .collect::<Result<_, Error>>()?;
        let do_extras_identify = !source.fields.contains_key(&Field::Name)
            && !source.fields.contains_key(&Field::IdNumber);
        let key_columns: Vec<usize> = source
            .key
            .iter()
            .map(|c| resolve(format!("source.{}.key", source.name), c))
            .collect::<Result<_, _>>()?;
        let key = (!key_columns.is_empty()).then(|| Columns::Concat(key_columns, "-".into()));
        let mut missing_by_len: Vec<Vec<String>> = Vec::new();
        for token in source.missing.iter().map(|token| token.trim()) {
            if missing_by_len.len() <= token.len() {
                missing_by_len.resize(token.len() + 1, Vec::new());
            }
            missing_by_len[token.len()].push(token.to_owned());
        }
        let date_range = source.date_range.clone();
        Ok(Plan { fields, key, extra, do_extras_identify, missing_by_len, date_range })
    }

    /// An empty table with this plan's extra fields and room for `n_records` records.
    fn table(&self, n_records: usize) -> PersonTable {
        let mut table = PersonTable {
            extra: self.extra.iter().map(|(name, _)| (name.clone(), TextColumn::new())).collect(),
            ..PersonTable::default()
        };
        table.reserve(n_records);
        table
    }

    /// Standardizes one batch of raw rows, each field straight into its column.
    fn standardize(&self, raw: RawBatch) -> StandardBatch {
        let columns: Vec<&StringArray> = raw
            .batch
            .columns()
            .iter()
            .map(|c| c.as_any().downcast_ref::<StringArray>().expect("raw batches are all Utf8"))
            .collect();
        let n_rows = raw.batch.num_rows();
        let mut table = self.table(n_rows);
        let mut issues = Vec::new();
        let mut scratch = String::new();
        for idx in 0..n_rows {
            let row = raw.first_row + idx as u64;
            table.row.push(row);
            match &self.key {
                None => table
                    .record_id
                    .push_with(|out| write!(out, "{row}").expect("a String takes any text")),
                Some(key) => match self.text(key, &columns, idx, &mut scratch) {
                    Some(key) => table.record_id.push(Some(key)),
                    None => {
                        issues.push(RowIssue {
                            row,
                            field: Some(Field::RecordId),
                            kind: IssueKind::MissingKey,
                        });
                        table.record_id.push_with(|out| {
                            write!(out, "{row}").expect("a String takes any text")
                        });
                    }
                },
            }
            let mut has_value = false;
            for plan in &self.fields {
                if let Some(value) = self.value(&plan.columns, &columns, idx, &mut scratch) {
                    has_value = true;
                    if value.len() > IssueKind::MAX_VALUE_BYTES {
                        issues.push(RowIssue {
                            row,
                            field: Some(plan.field),
                            kind: IssueKind::TooLong,
                        });
                        table.fill_field_to(plan.field, idx + 1);
                        continue;
                    }
                    let codes = plan.codes.as_ref();
                    let standardized =
                        standardize_value((plan.field, value), codes, &self.date_range, &mut table);
                    if let Some(kind) = standardized {
                        issues.push(RowIssue { row, field: Some(plan.field), kind });
                    }
                }
                // A missing or bad value pushed nothing: its columns still take one value.
                table.fill_field_to(plan.field, idx + 1);
            }
            let mut has_extra = false;
            for ((_, source_columns), (_, column)) in self.extra.iter().zip(&mut table.extra) {
                let value = self.text(source_columns, &columns, idx, &mut scratch);
                has_extra |= value.is_some();
                column.push(value);
            }
            let is_identified_by_extras = self.do_extras_identify && has_extra;
            table.rejected.push(reject_reason(
                &table,
                idx,
                has_value || has_extra,
                is_identified_by_extras,
            ));
        }
        // Fields the source does not map.
        table.fill_to(n_rows);
        StandardBatch { raw, table, issues }
    }

    /// The cell at (`column`, `row`), trimmed, or `None` when empty or a missing-value token.
    fn cell<'a>(&self, columns: &[&'a StringArray], column: usize, row: usize) -> Option<&'a str> {
        let array = columns[column];
        if array.is_null(row) {
            return None;
        }
        let value = trim(array.value(row));
        let is_missing = value.is_empty()
            || self
                .missing_by_len
                .get(value.len())
                .is_some_and(|tokens| tokens.iter().any(|t| t == value));
        (!is_missing).then_some(value)
    }

    /// The text of a mapped field: one cell, or several joined.
    fn text<'a>(
        &self,
        source_columns: &Columns,
        columns: &[&'a StringArray],
        row: usize,
        scratch: &'a mut String,
    ) -> Option<&'a str> {
        match source_columns {
            Columns::One(column) => self.cell(columns, *column, row),
            Columns::Concat(parts, separator) => {
                scratch.clear();
                for value in parts.iter().filter_map(|&c| self.cell(columns, c, row)) {
                    if !scratch.is_empty() {
                        scratch.push_str(separator);
                    }
                    scratch.push_str(value);
                }
                (!scratch.is_empty()).then_some(scratch.as_str())
            }
            Columns::DateParts(year, ..) => self.cell(columns, *year, row),
            Columns::CensusPlace(question, category, code, area) => {
                let place = self
                    .cell(columns, *category, row)
                    .and_then(|c| c.parse::<u8>().ok())
                    .map_or(CensusPlace::Unknown, |c| question.place(c));
                match place {
                    // The area's code cut to the level: no place unless it has those digits.
                    CensusPlace::Area(n) => self
                        .cell(columns, *area, row)?
                        .get(..n)
                        .filter(|digits| digits.bytes().all(|b| b.is_ascii_digit())),
                    CensusPlace::Code | CensusPlace::Unknown => self.cell(columns, *code, row),
                    CensusPlace::Nowhere => None,
                }
            }
        }
    }

    /// The raw value of a mapped field; `None` when it is missing.
    fn value<'a>(
        &self,
        source_columns: &Columns,
        columns: &[&'a StringArray],
        row: usize,
        scratch: &'a mut String,
    ) -> Option<RawValue<'a>> {
        match source_columns {
            Columns::DateParts(year, month, day) => Some(RawValue::DateParts {
                year: self.cell(columns, *year, row)?,
                month: month.and_then(|c| self.cell(columns, c, row)).unwrap_or(""),
                day: day.and_then(|c| self.cell(columns, c, row)),
            }),
            _ => self.text(source_columns, columns, row, scratch).map(RawValue::Text),
        }
    }
}

/// The raw value of one field of one row.
enum RawValue<'a> {
    Text(&'a str),
    DateParts { year: &'a str, month: &'a str, day: Option<&'a str> },
}

impl RawValue<'_> {
    /// Bytes of text.
    fn len(&self) -> usize {
        match self {
            RawValue::Text(text) => text.len(),
            RawValue::DateParts { year, month, day } => {
                year.len() + month.len() + day.map_or(0, str::len)
            }
        }
    }
}

/// Standardizes one value into its field's column of `table` (a date only within
/// `date_range`); returns the issue it raised.
fn standardize_value(
    (field, value): (Field, RawValue<'_>),
    codes: Option<&HashMap<String, String>>,
    date_range: &RangeInclusive<u16>,
    table: &mut PersonTable,
) -> Option<IssueKind> {
    let in_range = |parsed: Result<PartialDate, date::DateError>| {
        parsed.and_then(|d| match date_range.contains(&d.year()) {
            true => Ok(d),
            false => Err(date::DateError::Impossible),
        })
    };
    let text = match value {
        RawValue::DateParts { year, month, day } => {
            return push_date(table, field, in_range(date::date_from_parts(year, month, day)));
        }
        RawValue::Text(text) => text,
    };
    match field.kind() {
        FieldKind::Text => {
            text_column(table, field).push(Some(text));
            None
        }
        FieldKind::Name if field == Field::OtherNames => {
            push_other_names(&mut table.other_names, text);
            None
        }
        FieldKind::Name => {
            let columns =
                if field == Field::MotherName { &mut table.mother_name } else { &mut table.name };
            if let Some([full, reading, surname_reading]) = pseudonym::name_tokens(text) {
                // A pseudonymized name: its surname column holds its surname's reading.
                columns.full.push(Some(full));
                columns.surname.push(Some(surname_reading));
                columns.given.push(None);
                columns.pinyin.push(Some(reading));
                columns.readings.push(Some(reading));
                return None;
            }
            match name::standardize_name(text) {
                name::NameOutcome::Name(standard) => {
                    push_name(columns, &standard);
                    None
                }
                name::NameOutcome::Missing => None,
                name::NameOutcome::Placeholder => Some(IssueKind::PlaceholderName),
                name::NameOutcome::NotAName => Some(IssueKind::NotAName),
            }
        }
        FieldKind::IdNumber => {
            let outcome = id::standardize_id(text);
            push_id(
                if field == Field::MotherId { &mut table.mother_id } else { &mut table.id },
                &outcome,
            );
            outcome.status.issue()
        }
        FieldKind::Date => push_date(table, field, in_range(date::parse_date(text))),
        FieldKind::Region => match region::parse_region(text) {
            Some(code) => {
                text_column(table, field)
                    .push_with(|out| write!(out, "{code}").expect("a String takes any text"));
                None
            }
            None => Some(IssueKind::BadRegionCode),
        },
        FieldKind::Code => {
            let text = codes.and_then(|table| table.get(text)).map_or(text, String::as_str);
            let is_known = match field {
                Field::Sex => {
                    push_code(&mut table.sex, text.parse().ok().or_else(|| codes::parse_sex(text)))
                }
                Field::Ethnicity => push_code(&mut table.ethnicity, codes::parse_ethnicity(text)),
                Field::Relation => push_code(
                    &mut table.relation,
                    text.parse().ok().or_else(|| codes::parse_relation(text)),
                ),
                Field::RecordType => push_code(
                    &mut table.record_type,
                    text.parse().ok().or_else(|| codes::parse_record_type(text)),
                ),
                Field::CollectionMode => push_code(
                    &mut table.collection_mode,
                    text.parse().ok().or_else(|| codes::parse_collection_mode(text)),
                ),
                Field::Status => push_code(&mut table.status, codes::parse_status(text)),
                _ => unreachable!("every coded field is listed"),
            };
            (!is_known).then_some(IssueKind::UnknownCode)
        }
    }
}

/// The text column of a text or region field.
fn text_column(table: &mut PersonTable, field: Field) -> &mut TextColumn {
    match field {
        Field::HukouRegion => &mut table.hukou_region,
        Field::HukouAddress => &mut table.hukou_address,
        Field::ResidenceRegion => &mut table.residence_region,
        Field::ResidenceAddress => &mut table.residence_address,
        Field::EnumerationArea => &mut table.enumeration_area,
        Field::HouseholdId => &mut table.household_id,
        _ => unreachable!("the record key is not a mapped field; other fields are not text"),
    }
}

fn push_date(
    table: &mut PersonTable,
    field: Field,
    parsed: Result<PartialDate, date::DateError>,
) -> Option<IssueKind> {
    let column = match field {
        Field::EventDate => &mut table.event_date,
        Field::StatusDate => &mut table.status_date,
        _ => &mut table.birth_date,
    };
    match parsed {
        Ok(value) => {
            column.push(Some(value));
            None
        }
        Err(date::DateError::Unparseable) => Some(IssueKind::DateUnparseable),
        Err(date::DateError::Impossible) => Some(IssueKind::DateImpossible),
    }
}

/// Pushes a known code; whether it was known (an unknown one is left for `fill_to`).
fn push_code<T>(column: &mut Vec<Option<T>>, code: Option<T>) -> bool {
    let is_known = code.is_some();
    if is_known {
        column.push(code);
    }
    is_known
}

/// Why record `idx` cannot be linked: nothing in it, or nothing to link on (no name, no ID
/// number, no mother's ID number, and no extra value in a source linked on its extras).
fn reject_reason(
    table: &PersonTable,
    idx: usize,
    has_value: bool,
    is_identified_by_extras: bool,
) -> Option<RejectReason> {
    // Columns of fields the source does not map are still empty here.
    let has = |column: &TextColumn| idx < column.len() && column.get(idx).is_some();
    // An ID number that is no ID at all (malformed text, a temporary student number) cannot
    // be linked on; one with a typo still can.
    let is_linkable = |status: Option<&IdStatus>| {
        status.is_some_and(|status| {
            !matches!(status, IdStatus::Missing | IdStatus::Malformed | IdStatus::TemporaryNumber)
        })
    };
    let has_identity = is_identified_by_extras
        || has(&table.name.full)
        || is_linkable(table.id.status.get(idx))
        || is_linkable(table.mother_id.status.get(idx))
        || has(&table.mother_name.full);
    match (has_value, has_identity) {
        (false, _) => Some(RejectReason::Empty),
        (true, false) => Some(RejectReason::NoNameNoId),
        (true, true) => None,
    }
}

fn push_name(columns: &mut NameColumns, name: &name::StandardName) {
    columns.full.push(Some(&name.full));
    columns.surname.push(Some(&name.surname));
    columns.given.push(Some(&name.given));
    columns.pinyin.push_with(|out| name.write_pinyin_primary(out));
    columns.readings.push_with(|out| name.write_pinyin_readings(out));
}

/// A record's other names: `text` split at `、 , ， ; ； / |`, each part standardized as a
/// name (or taken as a pseudonymized name's tokens); placeholders and what is no name are
/// left out. The names are joined by [`OTHER_NAMES_SEPARATOR`], their readings by
/// [`OTHER_READINGS_SEPARATOR`]; none at all is a missing value.
fn push_other_names(columns: &mut NameColumns, text: &str) {
    let mut names: Vec<[String; 5]> = Vec::new();
    for part in text.split(['、', ',', '，', ';', '；', '/', '|']).map(str::trim) {
        if let Some([full, reading, surname_reading]) = pseudonym::name_tokens(part) {
            let own = |s: &str| s.to_owned();
            names.push([
                own(full),
                own(surname_reading),
                String::new(),
                own(reading),
                own(reading),
            ]);
        } else if let name::NameOutcome::Name(standard) = name::standardize_name(part) {
            let (mut pinyin, mut readings) = (String::new(), String::new());
            standard.write_pinyin_primary(&mut pinyin);
            standard.write_pinyin_readings(&mut readings);
            names.push([standard.full, standard.surname, standard.given, pinyin, readings]);
        }
    }
    if names.is_empty() {
        for column in [
            &mut columns.full,
            &mut columns.surname,
            &mut columns.given,
            &mut columns.pinyin,
            &mut columns.readings,
        ] {
            column.push(None);
        }
        return;
    }
    let join = |k: usize, separator: char| {
        names.iter().map(|name| name[k].as_str()).collect::<Vec<_>>().join(&separator.to_string())
    };
    columns.full.push(Some(&join(0, OTHER_NAMES_SEPARATOR)));
    columns.surname.push(Some(&join(1, OTHER_NAMES_SEPARATOR)));
    columns.given.push(Some(&join(2, OTHER_NAMES_SEPARATOR)));
    columns.pinyin.push(Some(&join(3, OTHER_READINGS_SEPARATOR)));
    columns.readings.push(Some(&join(4, OTHER_READINGS_SEPARATOR)));
}

fn push_id(columns: &mut IdColumns, outcome: &id::IdOutcome) {
    columns.number.push(outcome.number.as_deref());
    columns.status.push(outcome.status);
    columns.birth_date.push(outcome.birth_date);
    columns.sex.push(outcome.sex);
    columns.region.push(outcome.region);
}

/// `text` without surrounding whitespace; most cells have none, and checking the two ends is
/// cheaper than `str::trim`'s scan.
fn trim(text: &str) -> &str {
    let is_trimmed = |c: Option<char>| c.is_some_and(|c| !c.is_whitespace());
    if is_trimmed(text.chars().next()) && is_trimmed(text.chars().next_back()) {
        text
    } else {
        text.trim()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{RecordBatch, StringArray};
    use censuslink_model::{IssueKind, RowIssue};

    use crate::load::{PART_ROWS, parts};
    use crate::read::RawBatch;

    #[test]
    fn a_batch_is_cut_into_parts_that_keep_their_rows_and_issues() {
        let values: Vec<String> = (0..5_000).map(|i| i.to_string()).collect();
        let column = Arc::new(StringArray::from_iter_values(&values));
        let batch = RecordBatch::try_from_iter([("n", column as _)]).expect("a batch");
        let issue = |row| RowIssue { row, field: None, kind: IssueKind::WrongFieldCount };
        let raw =
            RawBatch { first_row: 101, batch, issues: vec![issue(101), issue(2149), issue(5100)] };
        let cut: Vec<RawBatch> = parts(raw).collect();
        let sizes: Vec<usize> = cut.iter().map(|part| part.batch.num_rows()).collect();
        assert_eq!(sizes, [PART_ROWS, PART_ROWS, 5_000 - 2 * PART_ROWS]);
        let first_rows: Vec<u64> = cut.iter().map(|part| part.first_row).collect();
        assert_eq!(first_rows, [101, 2149, 4197]);
        let issues: Vec<Vec<u64>> =
            cut.iter().map(|part| part.issues.iter().map(|i| i.row).collect()).collect();
        assert_eq!(issues, [vec![101], vec![2149], vec![5100]]);
        let second = cut[1].batch.column(0).as_any().downcast_ref::<StringArray>().expect("text");
        assert_eq!(second.value(0), "2048", "the second part starts at the batch's row 2,048");
    }
}
