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
    /// The raw rows, in file order.
    pub batches: Box<dyn Iterator<Item = Result<RawBatch, Error>> + Send>,
}

/// Opens a source file and reads its header; batches are read as the iterator is consumed.
pub fn open(source: &Source) -> Result<SourceReader, Error> {
    match source.format {
        Format::Csv => csv::open(source),
        Format::Xlsx => xlsx::open(source),
        Format::Parquet => columnar::open_parquet(&source.path),
        Format::Arrow => columnar::open_arrow(&source.path),
    }
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
