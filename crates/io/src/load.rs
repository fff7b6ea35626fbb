//! Loading a source: read its file, map its columns onto canonical fields and standardize
//! every value, batch by batch in parallel.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use arrow_array::{Array, RecordBatch, StringArray};
use censuslink_model::{
    Field, FieldKind, IdColumns, IssueKind, NameColumns, PartialDate, PersonTable, RejectReason,
    RowIssue,
};
use censuslink_standardize::{codes, date, id, name, region};
use rayon::prelude::*;

use crate::Error;
use crate::error::Problem;
use crate::job::{Mapping, Source};
use crate::read::{self, RawBatch};

/// A source read and standardized: its records, what was wrong with them, and the raw rows.
#[derive(Debug, Clone)]
pub struct LoadedSource {
    /// The standardized records, in file order.
    pub table: PersonTable,
    /// Row issues, sorted by row then field.
    pub issues: Vec<RowIssue>,
    /// The file's header.
    pub header: Vec<String>,
    /// The raw rows as text, in file order; batch boundaries carry no meaning.
    pub raw: Vec<RecordBatch>,
}

impl LoadedSource {
    /// Rows read from the file (blank lines not counted).
    pub fn n_rows(&self) -> usize {
        self.table.len()
    }
}

/// Reads and standardizes one source of the job at `job_path`.
///
/// Fails when the file cannot be read as its format, or a mapped column is not in it; dirty
/// values become row issues. Batches are standardized on the current rayon pool; the result
/// does not depend on its thread count.
pub fn load(source: &Source, job_path: &Path) -> Result<LoadedSource, Error> {
    let reader = read::open(source)?;
    let plan = Plan::new(source, job_path, &reader.header)?;
    let mut parts = reader
        .batches
        .par_bridge()
        .map(|raw| raw.map(|raw| plan.standardize(raw)))
        .collect::<Result<Vec<StandardBatch>, Error>>()?;
    // par_bridge hands batches out in any order; their row numbers restore file order.
    parts.sort_by_key(|part| part.raw.first_row);
    let mut loaded = LoadedSource {
        table: PersonTable::default(),
        issues: Vec::new(),
        header: reader.header,
        raw: Vec::with_capacity(parts.len()),
    };
    for part in parts {
        loaded.table.append(&part.table);
        loaded.issues.extend(part.raw.issues);
        loaded.issues.extend(part.issues);
        loaded.raw.push(part.raw.batch);
    }
    loaded.issues.sort();
    Ok(loaded)
}

/// One batch of raw rows and what standardization made of it.
struct StandardBatch {
    raw: RawBatch,
    table: PersonTable,
    issues: Vec<RowIssue>,
}

/// The job's mapping of one source resolved against its file's header.
struct Plan {
    /// Per canonical field, where its text comes from.
    fields: Vec<(Field, Columns)>,
    /// The key columns, joined by `-`; `None` to number rows.
    key: Option<Columns>,
    missing: HashSet<String>,
    codes: HashMap<Field, HashMap<String, String>>,
}

/// A mapping with its columns resolved to header positions.
enum Columns {
    One(usize),
    Concat(Vec<usize>, String),
    DateParts(usize, Option<usize>, Option<usize>),
}

impl Plan {
    fn new(source: &Source, job_path: &Path, header: &[String]) -> Result<Plan, Error> {
        let resolve = |key: String, column: &str| -> Result<usize, Error> {
            let mut positions = header.iter().enumerate().filter(|(_, name)| *name == column);
            let Some((idx, _)) = positions.next() else {
                return Err(Error::MissingColumn {
                    job: job_path.to_owned(),
                    key,
                    column: column.to_owned(),
                    file: source.path.clone(),
                    available: header.to_vec(),
                });
            };
            if positions.next().is_some() {
                return Err(Error::Malformed {
                    path: source.path.clone(),
                    problem: Problem::DuplicateColumn { column: column.to_owned() },
                });
            }
            Ok(idx)
        };
        let key_of = |field: Field| format!("source.{}.fields.{field}", source.name);
        let mut fields = Vec::with_capacity(source.fields.len());
        for (&field, mapping) in &source.fields {
            let columns = match mapping {
                Mapping::Column(column) => Columns::One(resolve(key_of(field), column)?),
                Mapping::Concat { columns, separator } => Columns::Concat(
                    columns.iter().map(|c| resolve(key_of(field), c)).collect::<Result<_, _>>()?,
                    separator.clone(),
                ),
                Mapping::DateParts { year, month, day } => Columns::DateParts(
                    resolve(key_of(field), year)?,
                    month.as_deref().map(|c| resolve(key_of(field), c)).transpose()?,
                    day.as_deref().map(|c| resolve(key_of(field), c)).transpose()?,
                ),
            };
            fields.push((field, columns));
        }
        let key_columns: Vec<usize> = source
            .key
            .iter()
            .map(|c| resolve(format!("source.{}.key", source.name), c))
            .collect::<Result<_, _>>()?;
        let key = (!key_columns.is_empty()).then(|| Columns::Concat(key_columns, "-".into()));
        let missing = source.missing.iter().map(|token| token.trim().to_owned()).collect();
        let codes = source
            .codes
            .iter()
            .map(|(&field, table)| {
                let table =
                    table.iter().map(|(code, value)| (code.trim().to_owned(), value.clone()));
                (field, table.collect())
            })
            .collect();
        Ok(Plan { fields, key, missing, codes })
    }

    /// Standardizes one batch of raw rows.
    fn standardize(&self, raw: RawBatch) -> StandardBatch {
        let columns: Vec<&StringArray> = raw
            .batch
            .columns()
            .iter()
            .map(|c| c.as_any().downcast_ref::<StringArray>().expect("raw batches are all Utf8"))
            .collect();
        let n_rows = raw.batch.num_rows();
        let mut table = PersonTable::default();
        let mut issues = Vec::new();
        let mut scratch = String::new();
        for idx in 0..n_rows {
            let row = raw.first_row + idx as u64;
            let mut record = Record::default();
            for (field, source_columns) in &self.fields {
                let issue = self.standardize_field(
                    *field,
                    source_columns,
                    &columns,
                    idx,
                    &mut scratch,
                    &mut record,
                );
                if let Some(kind) = issue {
                    issues.push(RowIssue { row, field: Some(*field), kind });
                }
            }
            let record_id = self.record_id(&columns, idx, row, &mut scratch);
            record.push_into(&mut table, row, &record_id);
        }
        StandardBatch { raw, table, issues }
    }

    /// The cell at (`column`, `row`), trimmed, or `None` when empty or a missing-value token.
    fn cell<'a>(&self, columns: &[&'a StringArray], column: usize, row: usize) -> Option<&'a str> {
        let array = columns[column];
        if array.is_null(row) {
            return None;
        }
        let value = array.value(row).trim();
        (!self.missing.contains(value)).then_some(value)
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
        }
    }

    fn record_id(
        &self,
        columns: &[&StringArray],
        idx: usize,
        row: u64,
        scratch: &mut String,
    ) -> String {
        match &self.key {
            None => row.to_string(),
            Some(key) => self.text(key, columns, idx, scratch).unwrap_or_default().to_owned(),
        }
    }

    /// Standardizes one field of one row into `record`; returns the issue it raised, if any.
    fn standardize_field(
        &self,
        field: Field,
        source_columns: &Columns,
        columns: &[&StringArray],
        row: usize,
        scratch: &mut String,
        record: &mut Record,
    ) -> Option<IssueKind> {
        if let Columns::DateParts(year, month, day) = source_columns {
            let year = self.cell(columns, *year, row)?;
            let month = month.and_then(|c| self.cell(columns, c, row)).unwrap_or("");
            let day = day.and_then(|c| self.cell(columns, c, row));
            let parsed = date::date_from_parts(year, month, day);
            return record.set_date(field, parsed);
        }
        let text = self.text(source_columns, columns, row, scratch)?;
        match field.kind() {
            FieldKind::Text => {
                record.texts.push((field, text.to_owned()));
                None
            }
            FieldKind::Name => {
                let (slot, issue) = match name::standardize_name(text) {
                    name::NameOutcome::Name(standard) => (Some(standard), None),
                    name::NameOutcome::Missing => (None, None),
                    name::NameOutcome::Placeholder => (None, Some(IssueKind::PlaceholderName)),
                    name::NameOutcome::NotAName => (None, Some(IssueKind::NotAName)),
                };
                match field {
                    Field::MotherName => record.mother_name = slot,
                    _ => record.name = slot,
                }
                issue
            }
            FieldKind::IdNumber => {
                let outcome = id::standardize_id(text);
                let issue = outcome.status.issue();
                match field {
                    Field::MotherId => record.mother_id = Some(outcome),
                    _ => record.id = Some(outcome),
                }
                issue
            }
            FieldKind::Date => record.set_date(field, date::parse_date(text)),
            FieldKind::Region => match region::parse_region(text) {
                Some(code) => {
                    record.texts.push((field, code.to_string()));
                    None
                }
                None => Some(IssueKind::BadRegionCode),
            },
            FieldKind::Code => {
                let mapped =
                    self.codes.get(&field).and_then(|table| table.get(text)).map(String::as_str);
                let is_known = record.set_code(field, mapped.unwrap_or(text));
                (!is_known).then_some(IssueKind::UnknownCode)
            }
        }
    }
}

/// One row's standardized values before they go into the table's columns.
#[derive(Default)]
struct Record {
    name: Option<name::StandardName>,
    mother_name: Option<name::StandardName>,
    id: Option<id::IdOutcome>,
    mother_id: Option<id::IdOutcome>,
    birth_date: Option<PartialDate>,
    event_date: Option<PartialDate>,
    sex: Option<censuslink_model::Sex>,
    ethnicity: Option<censuslink_model::Ethnicity>,
    relation: Option<censuslink_model::Relation>,
    record_type: Option<censuslink_model::RecordType>,
    collection_mode: Option<censuslink_model::CollectionMode>,
    /// Text and region fields, by field.
    texts: Vec<(Field, String)>,
}

impl Record {
    fn set_date(
        &mut self,
        field: Field,
        parsed: Result<PartialDate, date::DateError>,
    ) -> Option<IssueKind> {
        let (value, issue) = match parsed {
            Ok(value) => (Some(value), None),
            Err(date::DateError::Unparseable) => (None, Some(IssueKind::DateUnparseable)),
            Err(date::DateError::Impossible) => (None, Some(IssueKind::DateImpossible)),
        };
        match field {
            Field::EventDate => self.event_date = value,
            _ => self.birth_date = value,
        }
        issue
    }

    /// Sets a coded field from a canonical name or a raw code; whether the code was known.
    fn set_code(&mut self, field: Field, text: &str) -> bool {
        match field {
            Field::Sex => {
                self.sex = text.parse().ok().or_else(|| codes::parse_sex(text));
                self.sex.is_some()
            }
            Field::Ethnicity => {
                self.ethnicity = codes::parse_ethnicity(text);
                self.ethnicity.is_some()
            }
            Field::Relation => {
                self.relation = text.parse().ok().or_else(|| codes::parse_relation(text));
                self.relation.is_some()
            }
            Field::RecordType => {
                self.record_type = text.parse().ok().or_else(|| codes::parse_record_type(text));
                self.record_type.is_some()
            }
            Field::CollectionMode => {
                self.collection_mode =
                    text.parse().ok().or_else(|| codes::parse_collection_mode(text));
                self.collection_mode.is_some()
            }
            _ => unreachable!("only coded fields reach set_code"),
        }
    }

    fn text(&self, field: Field) -> Option<&str> {
        self.texts.iter().find(|(f, _)| *f == field).map(|(_, text)| text.as_str())
    }

    fn push_into(self, table: &mut PersonTable, row: u64, record_id: &str) {
        let has_anything = self.name.is_some()
            || self.mother_name.is_some()
            || self.id.as_ref().is_some_and(|id| id.number.is_some())
            || self.mother_id.as_ref().is_some_and(|id| id.number.is_some())
            || self.birth_date.is_some()
            || self.event_date.is_some()
            || self.sex.is_some()
            || !self.texts.is_empty();
        let has_identity = self.name.is_some()
            || self.id.as_ref().is_some_and(|id| id.number.is_some())
            || self.mother_id.as_ref().is_some_and(|id| id.status.is_valid());
        let rejected = match (has_anything, has_identity) {
            (false, _) => Some(RejectReason::Empty),
            (true, false) => Some(RejectReason::NoNameNoId),
            (true, true) => None,
        };
        table.row.push(row);
        table.record_id.push(Some(record_id));
        table.rejected.push(rejected);
        push_name(&mut table.name, self.name.as_ref());
        table.sex.push(self.sex);
        table.birth_date.push(self.birth_date);
        push_id(&mut table.id, self.id.as_ref());
        table.ethnicity.push(self.ethnicity);
        table.hukou_region.push(self.text(Field::HukouRegion));
        table.hukou_address.push(self.text(Field::HukouAddress));
        table.residence_region.push(self.text(Field::ResidenceRegion));
        table.residence_address.push(self.text(Field::ResidenceAddress));
        table.enumeration_area.push(self.text(Field::EnumerationArea));
        table.household_id.push(self.text(Field::HouseholdId));
        table.relation.push(self.relation);
        table.record_type.push(self.record_type);
        table.event_date.push(self.event_date);
        push_id(&mut table.mother_id, self.mother_id.as_ref());
        push_name(&mut table.mother_name, self.mother_name.as_ref());
        table.collection_mode.push(self.collection_mode);
    }
}

fn push_name(columns: &mut NameColumns, name: Option<&name::StandardName>) {
    columns.full.push(name.map(|n| n.full.as_str()));
    columns.surname.push(name.map(|n| n.surname.as_str()));
    columns.given.push(name.map(|n| n.given.as_str()));
    columns.pinyin.push(name.map(|n| n.pinyin_primary()).as_deref());
    columns.readings.push(name.map(|n| n.pinyin_readings()).as_deref());
}

fn push_id(columns: &mut IdColumns, outcome: Option<&id::IdOutcome>) {
    let missing = id::IdOutcome {
        number: None,
        status: censuslink_model::IdStatus::Missing,
        birth_date: None,
        sex: None,
        region: None,
    };
    let outcome = outcome.unwrap_or(&missing);
    columns.number.push(outcome.number.as_deref());
    columns.status.push(outcome.status);
    columns.birth_date.push(outcome.birth_date);
    columns.sex.push(outcome.sex);
    columns.region.push(outcome.region);
}
