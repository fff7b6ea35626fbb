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

/// A column as text, as a CSV export of it would read: strings as they are; dates and
/// timestamps as ISO dates (timestamps at their own time zone; a named zone other than UTC is
/// taken as China Standard Time, UTC+8); whole floats without a fraction (`1987`, not
/// `1987.0`: a column of integers with gaps is stored as floats); binary as UTF-8 or, failing
/// that, GB18030 text; other types through Arrow's cast. A value that cannot be rendered is
/// null. Fails only for a type with no text form (lists, structs, ...).
fn to_text(column: &ArrayRef, name: &str) -> Result<ArrayRef, String> {
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
            let offset_seconds = zone.as_deref().map_or(0, utc_offset_seconds);
            let seconds =
                arrow_cast::cast(column, &DataType::Int64).map_err(|_| unreadable(name, column))?;
            days(&mut seconds.as_primitive::<Int64Type>().iter().map(|value| {
                value
                    .map(|value| (value.div_euclid(per_second) + offset_seconds).div_euclid(86_400))
            }))
        }
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

/// The offset of a zone named in an Arrow timestamp type: `+08:00`, `-0500`, `UTC`; any other
/// name is taken as China Standard Time.
fn utc_offset_seconds(zone: &str) -> i64 {
    let zone = zone.trim();
    if matches!(zone, "UTC" | "Z" | "Etc/UTC" | "GMT" | "+00:00") {
        return 0;
    }
    let sign = match zone.as_bytes().first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return 8 * 3600,
    };
    let digits: String = zone[1..].chars().filter(char::is_ascii_digit).collect();
    let (hours, minutes) = digits.split_at(digits.len().min(2));
    sign * (hours.parse::<i64>().unwrap_or(0) * 3600 + minutes.parse::<i64>().unwrap_or(0) * 60)
}

/// A float as a person typed it: Rust prints whole values without a fraction or an exponent
/// (`1987`, `320102202011011000`), as the XLSX reader does.
fn float_text(value: f64) -> String {
    value.to_string()
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
