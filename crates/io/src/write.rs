//! Writers: standardized records as Parquet, row issues as CSV, the run summary as JSON.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, StringArray, UInt32Array, UInt64Array};
use arrow_schema::{DataType, Field as ArrowField, Schema, SchemaRef};
use censuslink_model::{
    IdColumns, IdStatus, IssueKind, NameColumns, PersonTable, RejectReason, TextColumn,
};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_writer::{ArrowColumnWriter, ArrowRowGroupWriterFactory, compute_leaves};
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use rayon::prelude::*;
use serde::Serialize;

use crate::Error;
use crate::load::LoadedSource;

/// What one source gave: the accounting of its rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceSummary {
    /// The source's name in the job.
    pub name: String,
    /// Its role.
    pub role: String,
    /// Rows read from the file.
    pub rows_read: u64,
    /// Rows kept for linkage.
    pub rows_usable: u64,
    /// Rows that cannot be linked, by reason.
    pub rows_rejected: BTreeMap<String, u64>,
    /// Row issues, by kind.
    pub issues: BTreeMap<String, u64>,
    /// ID numbers by standardization status.
    pub id_status: BTreeMap<String, u64>,
}

impl SourceSummary {
    /// Counts what a loaded source holds.
    pub fn new(name: &str, role: &str, loaded: &LoadedSource) -> SourceSummary {
        let table = &loaded.table;
        SourceSummary {
            name: name.to_owned(),
            role: role.to_owned(),
            rows_read: table.len() as u64,
            rows_usable: (table.len() - table.n_rejected()) as u64,
            rows_rejected: counts(table.rejected.iter().flatten().copied(), RejectReason::as_str),
            issues: counts(loaded.issues.iter().map(|issue| issue.kind), IssueKind::as_str),
            id_status: counts(table.id.status.iter().copied(), IdStatus::as_str),
        }
    }
}

/// How often each of `values` occurs, by its name: counted by value (no string per value)
/// and named at the end.
fn counts<T: Ord>(
    values: impl Iterator<Item = T>,
    name: fn(T) -> &'static str,
) -> BTreeMap<String, u64> {
    let mut by_value = BTreeMap::new();
    values.for_each(|value| *by_value.entry(value).or_insert(0) += 1);
    by_value.into_iter().fold(BTreeMap::new(), |mut by_name, (value, n)| {
        *by_name.entry(name(value).to_owned()).or_insert(0) += n;
        by_name
    })
}

/// Writes a source's standardized records, with its raw columns (prefixed `raw.`) beside them
/// for audit, as one Parquet file, batch by batch. The canonical columns come first, then each
/// extra field as `extra.<name>` (nullable text), then the raw columns. The columns of a batch
/// are encoded in parallel.
pub struct StandardizedWriter {
    path: PathBuf,
    /// Created at the first batch, when the raw columns are known.
    writer: Option<Open>,
}

/// The file being written: its writer, the schema, and the current row group's column
/// writers with the rows they hold.
struct Open {
    file: SerializedFileWriter<BufWriter<File>>,
    factory: ArrowRowGroupWriterFactory,
    schema: SchemaRef,
    columns: Vec<ArrowColumnWriter>,
    rows: usize,
    row_groups: usize,
}

impl Open {
    /// Writes the current row group into the file and starts the next.
    fn flush(&mut self) -> parquet::errors::Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        self.row_groups += 1;
        let next = self.factory.create_column_writers(self.row_groups)?;
        let columns = std::mem::replace(&mut self.columns, next);
        let mut row_group = self.file.next_row_group()?;
        for column in columns {
            column.close()?.append_to_row_group(&mut row_group)?;
        }
        row_group.close()?;
        self.rows = 0;
        Ok(())
    }
}

/// Rows per Parquet row group: bounds what the writer buffers before it flushes.
const ROW_GROUP_ROWS: usize = 128 * 1024;

impl StandardizedWriter {
    /// A writer to `path`; the file is created at the first batch or at [`finish`].
    ///
    /// [`finish`]: StandardizedWriter::finish
    pub fn new(path: &Path) -> StandardizedWriter {
        StandardizedWriter { path: path.to_owned(), writer: None }
    }

    /// Writes one batch: the raw rows and the records standardized from them, row for row.
    pub fn write(&mut self, raw: &RecordBatch, table: &PersonTable) -> Result<(), Error> {
        let header: Vec<&str> =
            raw.schema_ref().fields().iter().map(|f| f.name().as_str()).collect();
        let standard = standardized_columns(table);
        let open = match &mut self.writer {
            Some(open) => open,
            None => {
                let open = self.open(&header, &standard)?;
                self.writer.insert(open)
            }
        };
        let mut arrays: Vec<ArrayRef> = standard.into_iter().map(|(_, array)| array).collect();
        arrays.extend(raw.columns().iter().cloned());
        let schema = open.schema.clone();
        let encoded = open.columns.par_iter_mut().zip(arrays.par_iter()).enumerate().try_for_each(
            |(i, (column, array))| {
                for leaf in compute_leaves(schema.field(i), array)? {
                    column.write(&leaf)?;
                }
                Ok(())
            },
        );
        let written = encoded.and_then(|()| {
            open.rows += raw.num_rows();
            if open.rows >= ROW_GROUP_ROWS { open.flush() } else { Ok(()) }
        });
        written.map_err(|err: parquet::errors::ParquetError| write_error(&self.path, err.into()))
    }

    /// Closes the file; a source without rows gets a file with only the schema.
    pub fn finish(mut self, header: &[String]) -> Result<(), Error> {
        let mut open = match self.writer.take() {
            Some(open) => open,
            None => {
                let header: Vec<&str> = header.iter().map(String::as_str).collect();
                self.open(&header, &standardized_columns(&PersonTable::default()))?
            }
        };
        open.flush()
            .and_then(|()| open.file.close().map(|_| ()))
            .map_err(|err| write_error(&self.path, err.into()))
    }

    fn open(
        &self,
        header: &[&str],
        standard: &[(Cow<'static, str>, ArrayRef)],
    ) -> Result<Open, Error> {
        let mut fields: Vec<ArrowField> = standard
            .iter()
            .map(|(name, array)| ArrowField::new(name.as_ref(), array.data_type().clone(), true))
            .collect();
        let mut seen = HashSet::new();
        for column in header {
            let mut name = format!("raw.{column}");
            let mut n = 1;
            while !seen.insert(name.clone()) {
                n += 1;
                name = format!("raw.{column}#{n}");
            }
            fields.push(ArrowField::new(name, DataType::Utf8, true));
        }
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .build();
        let schema = Arc::new(Schema::new(fields));
        let file = File::create(&self.path).map_err(|err| write_error(&self.path, err.into()))?;
        // The high-level writer sets the file up (the Arrow schema in its metadata) and hands
        // over its parts, so that columns can be encoded in parallel.
        let opened = ArrowWriter::try_new(BufWriter::new(file), schema.clone(), Some(props))
            .and_then(ArrowWriter::into_serialized_writer)
            .and_then(|(file, factory)| {
                let columns = factory.create_column_writers(0)?;
                Ok(Open { file, factory, schema, columns, rows: 0, row_groups: 0 })
            });
        opened.map_err(|err| write_error(&self.path, err.into()))
    }
}

fn write_error(path: &Path, source: Box<dyn std::error::Error + Send + Sync>) -> Error {
    Error::Write { path: path.to_owned(), source }
}

/// Writes row issues (source, row, field, issue) as CSV in UTF-8 with a BOM, so that Excel
/// opens it right. Values are never written: issues locate a problem without repeating it.
pub fn write_row_issues(sources: &[(&str, &LoadedSource)], path: &Path) -> Result<(), Error> {
    let write_error =
        |err: std::io::Error| Error::Write { path: path.to_owned(), source: err.into() };
    let mut out = BufWriter::new(File::create(path).map_err(write_error)?);
    out.write_all("\u{FEFF}source,row,field,issue\n".as_bytes()).map_err(write_error)?;
    for (name, loaded) in sources {
        for issue in &loaded.issues {
            let field = issue.field.map_or("", |f| f.as_str());
            writeln!(out, "{name},{},{field},{}", issue.row, issue.kind).map_err(write_error)?;
        }
    }
    out.flush().map_err(write_error)
}

/// Writes a serializable value as pretty JSON.
pub fn write_json<T: Serialize>(value: &T, path: &Path) -> Result<(), Error> {
    let write_error = |err: Box<dyn std::error::Error + Send + Sync>| Error::Write {
        path: path.to_owned(),
        source: err,
    };
    let file = File::create(path).map_err(|err| write_error(err.into()))?;
    let mut out = BufWriter::new(file);
    serde_json::to_writer_pretty(&mut out, value).map_err(|err| write_error(err.into()))?;
    out.write_all(b"\n").and_then(|()| out.flush()).map_err(|err| write_error(err.into()))
}

/// Writes `text` to `path` as it is (a report, a page).
pub fn write_text(text: &str, path: &Path) -> Result<(), Error> {
    std::fs::write(path, text)
        .map_err(|err| Error::Write { path: path.to_owned(), source: err.into() })
}

/// Creates the folder `path` and its parents.
pub fn create_dir(path: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(path)
        .map_err(|err| Error::Write { path: path.to_owned(), source: err.into() })
}

/// The standardized records of `table` as one record batch, the columns a run's
/// `standardized/<source>.parquet` holds before the raw ones (for a Spark task, which hands
/// them on as Arrow).
pub fn standardized_batch(table: &PersonTable) -> RecordBatch {
    let (fields, arrays): (Vec<ArrowField>, Vec<ArrayRef>) = standardized_columns(table)
        .into_iter()
        .map(|(name, array)| (ArrowField::new(name, array.data_type().clone(), true), array))
        .unzip();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
        .expect("columns of one table are as long as it")
}

/// The standardized columns of `table`, named: the canonical ones, then `extra.<name>`.
fn standardized_columns(table: &PersonTable) -> Vec<(Cow<'static, str>, ArrayRef)> {
    fn text(column: &TextColumn) -> ArrayRef {
        Arc::new(column.iter().collect::<StringArray>())
    }
    fn display<T: ToString>(values: &[Option<T>]) -> ArrayRef {
        Arc::new(values.iter().map(|v| v.as_ref().map(T::to_string)).collect::<StringArray>())
    }
    fn name(prefix: &'static str, columns: &NameColumns) -> [(&'static str, ArrayRef); 5] {
        let names: [&'static str; 5] = match prefix {
            "mother_name" => [
                "mother_name",
                "mother_name_surname",
                "mother_name_given",
                "mother_name_pinyin",
                "mother_name_readings",
            ],
            "other_names" => [
                "other_names",
                "other_names_surname",
                "other_names_given",
                "other_names_pinyin",
                "other_names_readings",
            ],
            _ => ["name", "name_surname", "name_given", "name_pinyin", "name_readings"],
        };
        [
            (names[0], text(&columns.full)),
            (names[1], text(&columns.surname)),
            (names[2], text(&columns.given)),
            (names[3], text(&columns.pinyin)),
            (names[4], text(&columns.readings)),
        ]
    }
    fn id(prefix: &'static str, columns: &IdColumns) -> Vec<(&'static str, ArrayRef)> {
        let status: ArrayRef =
            Arc::new(columns.status.iter().map(|s| Some(s.as_str())).collect::<StringArray>());
        let region: ArrayRef = Arc::new(columns.region.iter().copied().collect::<UInt32Array>());
        match prefix {
            "mother_id" => vec![("mother_id", text(&columns.number)), ("mother_id_status", status)],
            _ => vec![
                ("id_number", text(&columns.number)),
                ("id_status", status),
                ("id_birth_date", display(&columns.birth_date)),
                ("id_sex", display(&columns.sex)),
                ("id_region", region),
            ],
        }
    }
    let mut columns: Vec<(&'static str, ArrayRef)> = vec![
        ("row", Arc::new(UInt64Array::from(table.row.clone())) as ArrayRef),
        ("record_id", text(&table.record_id)),
        ("rejected", display(&table.rejected)),
    ];
    columns.extend(name("name", &table.name));
    columns.extend(name("other_names", &table.other_names));
    columns.push(("sex", display(&table.sex)));
    columns.push(("birth_date", display(&table.birth_date)));
    columns.extend(id("id", &table.id));
    columns.push(("ethnicity", display(&table.ethnicity)));
    columns.push(("hukou_region", text(&table.hukou_region)));
    columns.push(("hukou_address", text(&table.hukou_address)));
    columns.push(("residence_region", text(&table.residence_region)));
    columns.push(("residence_address", text(&table.residence_address)));
    columns.push(("enumeration_area", text(&table.enumeration_area)));
    columns.push(("household_id", text(&table.household_id)));
    columns.push(("relation", display(&table.relation)));
    columns.push(("record_type", display(&table.record_type)));
    columns.push(("event_date", display(&table.event_date)));
    columns.extend(id("mother_id", &table.mother_id));
    columns.extend(name("mother_name", &table.mother_name));
    columns.push(("collection_mode", display(&table.collection_mode)));
    columns.push(("status", display(&table.status)));
    columns.push(("status_date", display(&table.status_date)));
    let mut named: Vec<(Cow<'static, str>, ArrayRef)> =
        columns.into_iter().map(|(name, array)| (Cow::Borrowed(name), array)).collect();
    named.extend(
        table
            .extra
            .iter()
            .map(|(name, column)| (Cow::Owned(format!("extra.{name}")), text(column))),
    );
    named
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use censuslink_model::IdStatus;

    #[test]
    fn values_are_counted_by_their_names() {
        let statuses = [IdStatus::Valid, IdStatus::Missing, IdStatus::Valid, IdStatus::BadDate];
        let counted = super::counts(statuses.into_iter(), IdStatus::as_str);
        let expected: BTreeMap<String, u64> =
            [(IdStatus::Valid, 2), (IdStatus::Missing, 1), (IdStatus::BadDate, 1)]
                .map(|(status, n)| (status.as_str().to_owned(), n))
                .into_iter()
                .collect();
        assert_eq!(counted, expected);
        // Two values of one name add up.
        let one_name = super::counts([IdStatus::Valid, IdStatus::Repaired].into_iter(), |_| "id");
        assert_eq!(one_name, BTreeMap::from([("id".to_owned(), 2)]));
    }
}
