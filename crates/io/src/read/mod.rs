//! Readers: every source format into batches of raw text columns, the untouched values kept
//! for audit.

mod columnar;
mod csv;
mod xlsx;

use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field as ArrowField, Schema, SchemaRef};
use censuslink_model::RowIssue;

use crate::Error;
use crate::error::Problem;
use crate::job::{Format, Source};

/// Rows per batch: large enough to amortise per-batch work, small enough that a batch of a
/// wide extract stays a few megabytes.
pub const BATCH_ROWS: usize = 16_384;

/// A batch of raw rows: every column as text, exactly as the file has it (numbers and dates
/// of typed formats rendered as text), with the reading issues of those rows.
#[derive(Debug, Clone)]
pub struct RawBatch {
    /// The 1-based data row number of the batch's first row.
    pub first_row: u64,
    /// The columns, in header order, all `Utf8`.
    pub batch: RecordBatch,
    /// Rows that were damaged in the file (wrong field count, bad encoding).
    pub issues: Vec<RowIssue>,
}

/// An open source file.
pub struct SourceReader {
    /// The header: the file's column names, in order.
    pub header: Vec<String>,
    /// The columns of a type with no text form (lists, structs): read as empty, and not to
    /// be mapped.
    pub nested: Vec<String>,
    /// The raw rows, in file order.
    pub batches: Box<dyn Iterator<Item = Result<RawBatch, Error>> + Send>,
}

/// Opens a source's files and reads the first one's header; batches are read as the iterator
/// is consumed, each later file opened when the one before it ends. The files of a source
/// share one header, and their rows are numbered on through them. A file with no data rows
/// is an error, in every format: an extract that arrives empty is a failed export.
pub fn open(source: &Source) -> Result<SourceReader, Error> {
    let first = open_file(source, source.path())?;
    let header = first.header.clone();
    let nested = first.nested.clone();
    let files = Files {
        source: source.clone(),
        next_file: 1,
        path: source.path().to_owned(),
        current: Some(first.batches),
        rows_before: 0,
        rows_in_file: 0,
        header: header.clone(),
    };
    Ok(SourceReader { header, nested, batches: Box::new(files) })
}

/// Opens file `index` of a source alone, as [`open`] reads it among the others: see
/// [`crate::load_file`].
pub(crate) fn open_file_of(source: &Source, index: usize) -> Result<SourceReader, Error> {
    if source.paths.len() == 1 {
        return open(source);
    }
    let path = &source.paths[index];
    let reader = open_file(source, path)?;
    if index > 0 && open_file(source, source.path())?.header != reader.header {
        let problem = Problem::HeaderDiffers { first: source.path().to_owned() };
        return Err(Error::Malformed { path: path.clone(), problem });
    }
    Ok(reader)
}

/// Reads record batches already in memory (a table handed over through the Arrow C data
/// interface, say) as a source's file: typed columns cast to text as a Parquet or Arrow
/// file's are, dates on `source`'s time zone; errors name the source's path.
pub fn open_batches(
    source: &Source,
    batches: impl arrow_array::RecordBatchReader + Send + 'static,
) -> SourceReader {
    columnar::text_batches(source.path(), "arrow", source.timezone, batches)
}

/// The rows of a CSV text the product wrote itself or that goes with it (a run's lists, a
/// district's truth, field outcomes; UTF-8, with or without a byte-order mark) by column name;
/// the CSV parser's message when it is not CSV.
pub fn csv_rows(text: &str) -> Result<Vec<CsvRow>, String> {
    let text = text.trim_start_matches('\u{FEFF}');
    let mut reader = ::csv::Reader::from_reader(text.as_bytes());
    let header: std::sync::Arc<[String]> =
        reader.headers().map_err(|e| e.to_string())?.iter().map(str::to_owned).collect();
    reader
        .records()
        .map(|record| {
            let record = record.map_err(|e| e.to_string())?;
            let mut text = String::with_capacity(record.as_slice().len());
            let mut ends = Vec::with_capacity(record.len());
            for field in record.iter().take(header.len()) {
                text.push_str(field);
                ends.push(u32::try_from(text.len()).map_err(|_| "a row over 4 GiB".to_owned())?);
            }
            Ok(CsvRow { header: header.clone(), text: text.into(), ends: ends.into() })
        })
        .collect()
}

/// A row of [`csv_rows`]: its fields by the header's names, held end to end (a district's
/// truth is millions of rows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRow {
    header: std::sync::Arc<[String]>,
    text: Box<str>,
    /// `ends[i]`: where field `i` ends in `text`.
    ends: Box<[u32]>,
}

impl CsvRow {
    /// The field of column `name` (the last of that name), `None` without one.
    pub fn get(&self, name: &str) -> Option<&str> {
        let i = self.header.iter().rposition(|column| column == name)?;
        let end = *self.ends.get(i)? as usize;
        let start = i.checked_sub(1).map_or(0, |before| self.ends[before] as usize);
        Some(&self.text[start..end])
    }
}

impl std::ops::Index<&str> for CsvRow {
    type Output = str;

    /// The field of column `name`.
    ///
    /// # Panics
    ///
    /// When the row has no such column.
    fn index(&self, name: &str) -> &str {
        self.get(name).unwrap_or_else(|| panic!("no column `{name}`"))
    }
}

fn open_file(source: &Source, path: &std::path::Path) -> Result<SourceReader, Error> {
    match source.format {
        Format::Csv => csv::open(source, path),
        Format::Xlsx => xlsx::open(source, path),
        Format::Xls => xlsx::open_xls(source, path),
        Format::Parquet => columnar::open_parquet(path, source.timezone),
        Format::Arrow => columnar::open_arrow(path, source.timezone),
    }
}

/// The batches of a source's files, one file after another.
struct Files {
    source: Source,
    /// The index of the file to open when the current one ends.
    next_file: usize,
    /// The file being read.
    path: std::path::PathBuf,
    current: Option<Box<dyn Iterator<Item = Result<RawBatch, Error>> + Send>>,
    /// Data rows of the files before the current one.
    rows_before: u64,
    /// The last row number of the current file so far.
    rows_in_file: u64,
    header: Vec<String>,
}

impl Iterator for Files {
    type Item = Result<RawBatch, Error>;

    fn next(&mut self) -> Option<Result<RawBatch, Error>> {
        loop {
            let batches = self.current.as_mut()?;
            match batches.next() {
                Some(Ok(mut raw)) => {
                    self.rows_in_file = raw.first_row + raw.batch.num_rows() as u64 - 1;
                    raw.first_row += self.rows_before;
                    for issue in &mut raw.issues {
                        issue.row += self.rows_before;
                    }
                    return Some(Ok(raw));
                }
                Some(Err(err)) => {
                    self.current = None;
                    return Some(Err(err));
                }
                None => {}
            }
            // A file with no rows is an incomplete export, unless it is one of several (a
            // county with no deaths this month): then only a source with no row at all is.
            let is_last = self.next_file == self.source.paths.len();
            let is_empty = match self.source.paths.len() {
                1 => self.rows_in_file == 0,
                _ => is_last && self.rows_before + self.rows_in_file == 0,
            };
            if is_empty {
                self.current = None;
                let problem = Problem::NoRows;
                return Some(Err(Error::Malformed { path: self.path.clone(), problem }));
            }
            self.rows_before += self.rows_in_file;
            self.rows_in_file = 0;
            let Some(path) = self.source.paths.get(self.next_file).cloned() else {
                self.current = None;
                return None;
            };
            self.next_file += 1;
            match open_file(&self.source, &path) {
                Ok(reader) if reader.header == self.header => self.current = Some(reader.batches),
                Ok(_) => {
                    self.current = None;
                    let problem = Problem::HeaderDiffers { first: self.source.path().to_owned() };
                    return Some(Err(Error::Malformed { path, problem }));
                }
                Err(err) => {
                    self.current = None;
                    return Some(Err(err));
                }
            }
            self.path = path;
        }
    }
}

/// A float as text, as a person typed it: whole values without a fraction or an exponent
/// (`1987`, not `1987.0`: a column of integers with gaps is stored as floats). A float keeps
/// 15 significant digits, so a whole number of more digits (an ID number that passed through
/// a spreadsheet or a float64 column) is written as the float it is, `3.20102199001011E17`:
/// its last digits were rounded away, and the ID reader marks it damaged rather than read a
/// rounded number that happens to pass the check digit.
fn float_text(value: f64) -> String {
    if value.is_finite() && value.fract() == 0.0 && value.abs() >= 1e15 {
        return format!("{value:.14E}");
    }
    value.to_string()
}

/// The schema of a raw batch: every header column as nullable text.
fn text_schema(header: &[String]) -> SchemaRef {
    Arc::new(Schema::new(
        header.iter().map(|name| ArrowField::new(name, DataType::Utf8, true)).collect::<Vec<_>>(),
    ))
}

/// Builds raw batches row by row.
struct BatchBuilder {
    schema: SchemaRef,
    columns: Vec<StringBuilder>,
    first_row: u64,
    n_rows: usize,
    issues: Vec<RowIssue>,
}

impl BatchBuilder {
    fn new(schema: SchemaRef, first_row: u64) -> BatchBuilder {
        let columns = (0..schema.fields().len())
            .map(|_| StringBuilder::with_capacity(BATCH_ROWS, BATCH_ROWS * 8))
            .collect();
        BatchBuilder { schema, columns, first_row, n_rows: 0, issues: Vec::new() }
    }

    /// The 1-based row number the next pushed row will have.
    fn next_row(&self) -> u64 {
        self.first_row + self.n_rows as u64
    }

    /// Appends one row; `cell(i)` gives column `i`'s value, `None` for an empty cell.
    fn push_row<T: AsRef<str>>(&mut self, mut cell: impl FnMut(usize) -> Option<T>) {
        for (idx, column) in self.columns.iter_mut().enumerate() {
            column.append_option(cell(idx));
        }
        self.n_rows += 1;
    }

    fn is_full(&self) -> bool {
        self.n_rows >= BATCH_ROWS
    }

    /// The finished batch, and a builder for the rows after it.
    fn finish(&mut self) -> RawBatch {
        let arrays: Vec<ArrayRef> =
            self.columns.iter_mut().map(|column| Arc::new(column.finish()) as ArrayRef).collect();
        let batch = RecordBatch::try_new(self.schema.clone(), arrays)
            .expect("every column has one value per row and the schema's type");
        let raw =
            RawBatch { first_row: self.first_row, batch, issues: std::mem::take(&mut self.issues) };
        self.first_row += self.n_rows as u64;
        self.n_rows = 0;
        raw
    }
}
