//! Parquet and Arrow IPC files: typed columns cast to text (dates as ISO dates), batch by batch.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Date64Type, Float64Type, Int64Type};
use arrow_array::{ArrayRef, RecordBatch, RecordBatchReader, StringArray};
use arrow_schema::{ArrowError, DataType, TimeUnit};
use censuslink_model::PartialDate;
use chrono_tz::Tz;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::Error;
use crate::error::Problem;
use crate::read::{BATCH_ROWS, RawBatch, SourceReader, float_text, text_schema};

pub(super) fn open_parquet(path: &Path, timezone: Tz) -> Result<SourceReader, Error> {
    let file = open_file(path)?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|builder| builder.with_batch_size(BATCH_ROWS).build())
        .map_err(|err| format_error(path, "parquet", err.to_string()))?;
    Ok(text_batches(path, "parquet", timezone, reader))
}

pub(super) fn open_arrow(path: &Path, timezone: Tz) -> Result<SourceReader, Error> {
    let mut file = open_file(path)?;
    let mut magic = [0u8; 6];
    let is_file_format = file.read_exact(&mut magic).is_ok() && &magic == b"ARROW1";
    let file = open_file(path)?;
    let arrow_error = |err: ArrowError| format_error(path, "arrow", err.to_string());
    if is_file_format {
        let reader = arrow_ipc::reader::FileReader::try_new(file, None).map_err(arrow_error)?;
        Ok(text_batches(path, "arrow", timezone, reader))
    } else {
        let reader = arrow_ipc::reader::StreamReader::try_new(BufReader::new(file), None)
            .map_err(arrow_error)?;
        Ok(text_batches(path, "arrow", timezone, reader))
    }
}

fn open_file(path: &Path) -> Result<File, Error> {
    File::open(path).map_err(|source| Error::Unreadable { path: path.to_owned(), source })
}

fn format_error(path: &Path, format: &'static str, message: String) -> Error {
    Error::Malformed { path: path.to_owned(), problem: Problem::Format { format, message } }
}

/// Wraps a typed batch reader so that it yields text batches numbered from row 1.
pub(super) fn text_batches(
    path: &Path,
    format: &'static str,
    timezone: Tz,
    reader: impl RecordBatchReader + Send + 'static,
) -> SourceReader {
    let header: Vec<String> = reader.schema().fields().iter().map(|f| f.name().clone()).collect();
    let nested: Vec<String> = reader
        .schema()
        .fields()
        .iter()
        .filter(|f| f.data_type().is_nested())
        .map(|f| f.name().clone())
        .collect();
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
                to_text(column, field.name(), timezone)
                    .map_err(|message| format_error(&path, format, message))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let text = RecordBatch::try_new(schema.clone(), columns)
            .expect("cast keeps the row count, and every column is Utf8 as the schema says");
        let raw = RawBatch { first_row: next_row, batch: text, issues: Vec::new() };
        next_row += batch.num_rows() as u64;
        Ok(raw)
    });
    SourceReader { header, nested, batches: Box::new(batches) }
}

/// A column as text, as a CSV export of it would read: strings as they are; dates as ISO
/// dates; timestamps as the ISO date they fall on: an instant (a timestamp with a zone, such
/// as local midnight written as UTC) on the calendar of the job's `timezone`, a timestamp
/// without a zone (wall-clock time) on its own; floats as [`float_text`] writes them; binary
/// as UTF-8 or, failing that, GB18030 text; a nested column (list, struct), which has no text
/// form, as empty; other types through Arrow's cast. A value that cannot be rendered is null.
fn to_text(column: &ArrayRef, name: &str, timezone: Tz) -> Result<ArrayRef, String> {
    let days = |values: &mut dyn Iterator<Item = Option<i64>>| -> ArrayRef {
        Arc::new(values.map(|days| days.and_then(iso_date)).collect::<StringArray>())
    };
    Ok(match column.data_type() {
        DataType::Utf8 => Arc::clone(column),
        DataType::Date32 => {
            days(&mut column.as_primitive::<Date32Type>().iter().map(|d| d.map(i64::from)))
        }
        DataType::Date64 => days(
            &mut column
                .as_primitive::<Date64Type>()
                .iter()
                .map(|ms| ms.map(|ms| ms.div_euclid(MS_PER_DAY))),
        ),
        DataType::Timestamp(unit, zone) => {
            let per_second: i64 = match unit {
                TimeUnit::Second => 1,
                TimeUnit::Millisecond => 1_000,
                TimeUnit::Microsecond => 1_000_000,
                TimeUnit::Nanosecond => 1_000_000_000,
            };
            let is_instant = zone.is_some();
            let values =
                arrow_cast::cast(column, &DataType::Int64).map_err(|_| unreadable(name, column))?;
            days(&mut values.as_primitive::<Int64Type>().iter().map(|value| {
                let seconds = value?.div_euclid(per_second);
                if !is_instant {
                    return Some(seconds.div_euclid(86_400));
                }
                let instant = chrono::DateTime::from_timestamp(seconds, 0)?;
                let local = instant.with_timezone(&timezone).date_naive();
                Some(
                    local
                        .signed_duration_since(chrono::DateTime::UNIX_EPOCH.date_naive())
                        .num_days(),
                )
            }))
        }
        data_type if data_type.is_nested() => Arc::new(StringArray::new_null(column.len())),
        DataType::Float16 | DataType::Float32 | DataType::Float64 => {
            let floats = arrow_cast::cast(column, &DataType::Float64)
                .map_err(|_| unreadable(name, column))?;
            Arc::new(
                floats
                    .as_primitive::<Float64Type>()
                    .iter()
                    .map(|v| v.map(float_text))
                    .collect::<StringArray>(),
            )
        }
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => {
            let binary = arrow_cast::cast(column, &DataType::Binary)
                .map_err(|_| unreadable(name, column))?;
            Arc::new(
                binary
                    .as_binary::<i32>()
                    .iter()
                    .map(|v| v.map(binary_text))
                    .collect::<StringArray>(),
            )
        }
        _ => arrow_cast::cast(column, &DataType::Utf8).map_err(|_| unreadable(name, column))?,
    })
}

const MS_PER_DAY: i64 = 86_400_000;

fn unreadable(name: &str, column: &ArrayRef) -> String {
    format!("column `{name}` has type {}, which cannot be read as text", column.data_type())
}

/// `1987-05-06` for a day count since 1970-01-01, if the year is in range.
fn iso_date(days: i64) -> Option<String> {
    let date = PartialDate::from_days_since_epoch(i32::try_from(days).ok()?)?;
    Some(date.to_string())
}

/// Bytes as text: UTF-8 if they are, else GB18030 (Chinese systems that store names as
/// bytes store them in GBK), else UTF-8 with replacement characters.
fn binary_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => {
            match encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
                Some(text) => text.into_owned(),
                None => String::from_utf8_lossy(bytes).into_owned(),
            }
        }
    }
}
