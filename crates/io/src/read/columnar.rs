//! Parquet and Arrow IPC files: typed columns cast to text (dates as ISO dates), batch by batch.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, RecordBatchReader};
use arrow_schema::{ArrowError, DataType};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::Error;
use crate::error::Problem;
use crate::read::{BATCH_ROWS, RawBatch, SourceReader, text_schema};

pub(super) fn open_parquet(path: &Path) -> Result<SourceReader, Error> {
    let file = open_file(path)?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|builder| builder.with_batch_size(BATCH_ROWS).build())
        .map_err(|err| format_error(path, "parquet", err.to_string()))?;
    Ok(text_batches(path, "parquet", reader))
}

pub(super) fn open_arrow(path: &Path) -> Result<SourceReader, Error> {
    let mut file = open_file(path)?;
    let mut magic = [0u8; 6];
    let is_file_format = file.read_exact(&mut magic).is_ok() && &magic == b"ARROW1";
    let file = open_file(path)?;
    let arrow_error = |err: ArrowError| format_error(path, "arrow", err.to_string());
    if is_file_format {
        let reader = arrow_ipc::reader::FileReader::try_new(file, None).map_err(arrow_error)?;
        Ok(text_batches(path, "arrow", reader))
    } else {
        let reader = arrow_ipc::reader::StreamReader::try_new(BufReader::new(file), None)
            .map_err(arrow_error)?;
        Ok(text_batches(path, "arrow", reader))
    }
}

fn open_file(path: &Path) -> Result<File, Error> {
    File::open(path).map_err(|source| Error::Unreadable { path: path.to_owned(), source })
}

fn format_error(path: &Path, format: &'static str, message: String) -> Error {
    Error::Malformed { path: path.to_owned(), problem: Problem::Format { format, message } }
}

/// Wraps a typed batch reader so that it yields text batches numbered from row 1.
fn text_batches(
    path: &Path,
    format: &'static str,
    reader: impl RecordBatchReader + Send + 'static,
) -> SourceReader {
    let header: Vec<String> = reader.schema().fields().iter().map(|f| f.name().clone()).collect();
    let schema = text_schema(&header);
    let path: PathBuf = path.to_owned();
    let mut next_row = 1u64;
    let batches = reader.map(move |batch| {
        let batch = batch.map_err(|err| format_error(&path, format, err.to_string()))?;
        let columns = batch
            .columns()
            .iter()
            .zip(batch.schema().fields())
            .map(|(column, field)| {
                to_text(column, field.name())
                    .map_err(|message| format_error(&path, format, message))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let text = RecordBatch::try_new(schema.clone(), columns)
            .expect("cast keeps the row count, and every column is Utf8 as the schema says");
        let raw = RawBatch { first_row: next_row, batch: text, issues: Vec::new() };
        next_row += batch.num_rows() as u64;
        Ok(raw)
    });
    SourceReader { header, batches: Box::new(batches) }
}

/// A column as text: strings as they are, everything else through Arrow's cast (dates as
/// `1987-05-06`, timestamps as `1987-05-06T00:00:00`, numbers in decimal).
fn to_text(column: &ArrayRef, name: &str) -> Result<ArrayRef, String> {
    match column.data_type() {
        DataType::Utf8 => Ok(Arc::clone(column)),
        data_type => arrow_cast::cast(column, &DataType::Utf8).map_err(|_| {
            format!("column `{name}` has type {data_type}, which cannot be read as text")
        }),
    }
}
