//! Tables written in every format the readers read (CSV in UTF-8, GBK or GB18030; XLSX;
//! Parquet; Arrow IPC): the departmental extracts of the synthetic district. The same table
//! gives the same bytes, so that a committed sample can be checked by regenerating it.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, Date32Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field as ArrowField, Schema, SchemaRef};
use encoding_rs::EncoderResult;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use rayon::prelude::*;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format as CellFormat, Workbook};

use crate::Error;
use crate::job::Encoding;

/// A table to write: named columns of equal length.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The columns, in order. Every column has as many values as the table has rows.
    pub columns: Vec<Column>,
}

/// One column of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The column's name, written in the header row.
    pub header: String,
    /// Its values, one per row.
    pub values: Values,
}

/// The values of a column, by type.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// Text cells; None is an empty cell.
    Text(Vec<Option<String>>),
    /// Integer cells (Parquet/Arrow Int64; XLSX numbers; CSV decimal text). XLSX numbers are
    /// 64-bit floats, exact up to ±2^53.
    Integer(Vec<Option<i64>>),
    /// Calendar dates as days since 1970-01-01 (Parquet/Arrow Date32; XLSX date cells
    /// formatted yyyy-mm-dd; CSV `YYYY-MM-DD`). Dates are proleptic Gregorian; XLSX holds
    /// dates from 1900-03-01 to 9999-12-31 as date cells and any other as the CSV text.
    Date(Vec<Option<i32>>),
}

/// How to write a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Export {
    /// CSV with a header row, comma separated, quoted as needed, LF line ends, in
    /// `encoding`; `bom` writes a UTF-8 byte-order mark (only valid with Utf8). An empty
    /// cell is an empty field.
    Csv {
        /// The text encoding of the file.
        encoding: Encoding,
        /// Whether the file starts with a UTF-8 byte-order mark, as Excel writes one.
        bom: bool,
        /// Whether a text cell that a spreadsheet would take for a formula (one starting with
        /// `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, as OWASP
        /// advises for CSV files opened in Excel or WPS: for the files analysts open, not for
        /// extracts that must keep their values exactly.
        guard_formulas: bool,
    },
    /// Excel 2007+ workbook: one sheet named `sheet`; when `title` is Some, that text is in
    /// cell A1 (a title row as offices put above headers) and the header is on row 2; data
    /// follows the header. A sheet holds at most 1,048,576 rows, title and header included.
    Xlsx {
        /// The sheet's name: at most 31 characters, none of `[]:*?/\`.
        sheet: String,
        /// The text of a title row above the header, if any.
        title: Option<String>,
    },
    /// Apache Parquet, snappy-compressed, in row groups of 65,536 rows.
    Parquet,
    /// Arrow IPC file format, in record batches of 65,536 rows.
    Arrow,
}

impl Table {
    /// The table as one Arrow record batch, each column nullable, of the type its Parquet
    /// export has (for the Python package, which hands it over without a copy to pyarrow).
    pub fn record_batch(&self) -> RecordBatch {
        let schema = schema(self);
        let arrays =
            self.columns.iter().map(|c| c.values.slice(0, self.checked_n_rows())).collect();
        RecordBatch::try_new(schema, arrays).expect("columns follow the schema")
    }

    /// The rows `rows` of the table, in that order.
    pub fn take(&self, rows: &[usize]) -> Table {
        fn pick<T: Clone>(values: &[T], rows: &[usize]) -> Vec<T> {
            rows.iter().map(|&row| values[row].clone()).collect()
        }
        let columns = self.columns.iter().map(|column| Column {
            header: column.header.clone(),
            values: match &column.values {
                Values::Text(values) => Values::Text(pick(values, rows)),
                Values::Integer(values) => Values::Integer(pick(values, rows)),
                Values::Date(values) => Values::Date(pick(values, rows)),
            },
        });
        Table { columns: columns.collect() }
    }

    /// The number of rows: the length of the first column, 0 for a table without columns.
    pub fn n_rows(&self) -> usize {
        self.columns.first().map_or(0, |column| column.values.len())
    }

    /// The number of rows, checked to be the length of every column.
    fn checked_n_rows(&self) -> usize {
        let n_rows = self.n_rows();
        for column in &self.columns {
            assert_eq!(
                column.values.len(),
                n_rows,
                "column `{}` has {} values where the first column has {n_rows}",
                column.header,
                column.values.len(),
            );
        }
        n_rows
    }
}

/// Writes `table` to `path` (created or truncated) as `export` says. The bytes depend on
/// nothing but the table and the export: the XLSX creation time is fixed at
/// 2020-11-01T00:00:00Z and its ZIP entries carry no time.
///
/// The file is written as it goes, so that memory beyond the table's own stays small: CSV
/// a few chunks of 16,384 records at a time (formatted in parallel, written in order),
/// Parquet and Arrow 65,536 rows at a time, an XLSX sheet row by row into
/// a temporary file in the output's folder, copied into the workbook at the end.
///
/// # Errors
///
/// [`Error::Unencodable`] when a cell (or a header) of a CSV in GBK has a character that GBK
/// cannot hold (GB18030 holds every character but the private-use U+E5E5, which encoding_rs
/// follows the WHATWG standard in refusing), naming the column and the data row, never the
/// value;
/// [`Error::Write`] when the file cannot be written, or when XLSX cannot hold the table
/// (too many rows, a text longer than 32,767 characters, an invalid sheet name). A file cut
/// short by an error is removed.
///
/// # Panics
///
/// When the columns have unequal lengths, or `bom` is set for an encoding other than
/// UTF-8: both are mistakes of the caller, not of the data.
pub fn write_table(path: &Path, export: &Export, table: &Table) -> Result<(), Error> {
    let n_rows = table.checked_n_rows();
    if let Export::Csv { encoding, bom: true, .. } = export {
        assert_eq!(*encoding, Encoding::Utf8, "a byte-order mark is only written in UTF-8");
    }
    let file = File::create(path).map_err(|err| write_error(path, err.into()))?;
    let out = BufWriter::with_capacity(1 << 16, file);
    let result = match export {
        Export::Csv { encoding, bom, guard_formulas } => {
            write_csv(out, path, (*encoding, *bom, *guard_formulas), table, n_rows)
        }
        Export::Xlsx { sheet, title } => {
            write_xlsx(out, path, &[Sheet { name: sheet, title: title.as_deref(), table }])
        }
        Export::Parquet => write_parquet(out, path, table, n_rows),
        Export::Arrow => write_arrow(out, path, table, n_rows),
    };
    if result.is_err() {
        // A file cut short must not pass for a whole extract; failing to remove it changes
        // nothing about the error to report.
        let _ = std::fs::remove_file(path);
    }
    result
}

/// One sheet of a workbook: its name (at most 31 characters, none of `[]:*?/\\`), an optional
/// title row above the header, and its table.
#[derive(Debug, Clone, Copy)]
pub struct Sheet<'a> {
    /// The sheet's name.
    pub name: &'a str,
    /// The text of a title row above the header, if any.
    pub title: Option<&'a str>,
    /// The rows.
    pub table: &'a Table,
}

/// Writes an Excel workbook of several sheets to `path`, each as [`Export::Xlsx`] writes one:
/// the same bytes every time, a file cut short by an error removed.
///
/// # Errors
///
/// As [`write_table`] for XLSX.
pub fn write_workbook(path: &Path, sheets: &[Sheet<'_>]) -> Result<(), Error> {
    for sheet in sheets {
        sheet.table.checked_n_rows();
    }
    let file = File::create(path).map_err(|err| write_error(path, err.into()))?;
    let out = BufWriter::with_capacity(1 << 16, file);
    let result = write_xlsx(out, path, sheets);
    if result.is_err() {
        let _ = std::fs::remove_file(path);
    }
    result
}

/// Rows per Arrow record batch and per Parquet row group: bounds what is built at a time.
const EXPORT_BATCH_ROWS: usize = 64 * 1024;

/// Days from 1899-12-30, Excel's day 0 in the 1900 date system, to 1970-01-01.
const EXCEL_EPOCH_OFFSET_DAYS: i32 = 25_569;

/// 1900-03-01, the first day on which Excel's serial numbers are true (it counts a 29th of
/// February 1900), as days since 1970-01-01.
const FIRST_EXCEL_DATE: i32 = -25_508;

/// 9999-12-31, Excel's last day, as days since 1970-01-01.
const LAST_EXCEL_DATE: i32 = 2_932_896;

impl Values {
    fn len(&self) -> usize {
        match self {
            Values::Text(values) => values.len(),
            Values::Integer(values) => values.len(),
            Values::Date(values) => values.len(),
        }
    }

    /// The Arrow type the column is written as.
    fn data_type(&self) -> DataType {
        match self {
            Values::Text(_) => DataType::Utf8,
            Values::Integer(_) => DataType::Int64,
            Values::Date(_) => DataType::Date32,
        }
    }

    /// Rows `start..end` as an Arrow array.
    fn slice(&self, start: usize, end: usize) -> ArrayRef {
        match self {
            Values::Text(values) => {
                Arc::new(values[start..end].iter().map(Option::as_deref).collect::<StringArray>())
            }
            Values::Integer(values) => {
                Arc::new(values[start..end].iter().copied().collect::<Int64Array>())
            }
            Values::Date(values) => {
                Arc::new(values[start..end].iter().copied().collect::<Date32Array>())
            }
        }
    }
}

fn write_error(path: &Path, source: Box<dyn std::error::Error + Send + Sync>) -> Error {
    Error::Write { path: path.to_owned(), source }
}

/// Rows a CSV's writer formats at a time, in parallel with the next chunks: a file is written
/// in windows of [`CSV_WINDOW`] chunks, in order, so that a large list's bytes are not all
/// held at once (nor more of them with more threads: many files are written side by side).
const CSV_CHUNK_ROWS: usize = 16 * 1024;

/// Chunks of a CSV formatted at once.
const CSV_WINDOW: usize = 4;

fn write_csv(
    mut out: BufWriter<File>,
    path: &Path,
    (encoding, bom, guard_formulas): (Encoding, bool, bool),
    table: &Table,
    n_rows: usize,
) -> Result<(), Error> {
    let io_error = |err: std::io::Error| write_error(path, err.into());
    if bom {
        out.write_all(b"\xEF\xBB\xBF").map_err(io_error)?;
    }
    let target = match encoding {
        Encoding::Utf8 => None,
        Encoding::Gbk => Some(encoding_rs::GBK),
        Encoding::Gb18030 => Some(encoding_rs::GB18030),
    };
    // Row 0 is the header; data row n is row n.
    let chunks: Vec<std::ops::Range<usize>> = std::iter::once(0..1)
        .chain(
            (1..=n_rows).step_by(CSV_CHUNK_ROWS).map(|s| s..(s + CSV_CHUNK_ROWS).min(n_rows + 1)),
        )
        .collect();
    for window in chunks.chunks(CSV_WINDOW) {
        let formatted: Vec<Result<Vec<u8>, ChunkError>> = window
            .par_iter()
            .map(|rows| csv_rows(table, rows.clone(), guard_formulas, target))
            .collect();
        for bytes in formatted {
            match bytes {
                Ok(bytes) => out.write_all(&bytes).map_err(io_error)?,
                Err(ChunkError::Unencodable { row, target }) => {
                    return Err(unencodable(path, encoding, table, row, target));
                }
                Err(ChunkError::Csv(err)) => return Err(write_error(path, err.into())),
            }
        }
    }
    out.into_inner().map_err(|err| io_error(err.into_error()))?;
    Ok(())
}

/// Why a chunk of a CSV could not be formatted.
enum ChunkError {
    /// Row `row` (0 for the header) has a character `target` cannot hold.
    Unencodable { row: usize, target: &'static encoding_rs::Encoding },
    /// The CSV writer failed otherwise.
    Csv(csv::Error),
}

/// Rows `rows` of `table` as CSV (row 0 the header), in `target`'s encoding if not UTF-8;
/// the first row that encoding cannot hold is the error.
fn csv_rows(
    table: &Table,
    rows: std::ops::Range<usize>,
    guard_formulas: bool,
    target: Option<&'static encoding_rs::Encoding>,
) -> Result<Vec<u8>, ChunkError> {
    let sink = RecordSink {
        out: Vec::new(),
        target,
        record: Vec::with_capacity(1024),
        encoded: Vec::with_capacity(1024),
        is_unencodable: false,
    };
    let mut writer =
        csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(sink);
    let mut cell = String::new();
    for row in rows {
        let failed = |writer: &csv::Writer<RecordSink>, err: csv::Error| match (
            writer.get_ref().is_unencodable,
            target,
        ) {
            (true, Some(target)) => ChunkError::Unencodable { row, target },
            _ => ChunkError::Csv(err),
        };
        for column in &table.columns {
            if row == 0 {
                writer.write_field(&column.header).map_err(|err| failed(&writer, err))?;
                continue;
            }
            cell.clear();
            let text = match &column.values {
                Values::Text(values) => {
                    let text = values[row - 1].as_deref().unwrap_or("");
                    if guard_formulas && text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                        cell.push('\'');
                        cell.push_str(text);
                        &cell
                    } else {
                        text
                    }
                }
                Values::Integer(values) => {
                    if let Some(value) = values[row - 1] {
                        write!(cell, "{value}").expect("a String takes any text");
                    }
                    &cell
                }
                Values::Date(values) => {
                    if let Some(days) = values[row - 1] {
                        write_iso_date(&mut cell, days);
                    }
                    &cell
                }
            };
            writer.write_field(text).map_err(|err| failed(&writer, err))?;
        }
        writer.write_record(None::<&[u8]>).map_err(|err| failed(&writer, err))?;
        writer.flush().map_err(|err| failed(&writer, err.into()))?;
    }
    let sink = writer.into_inner().map_err(|err| ChunkError::Csv(err.into_error().into()))?;
    Ok(sink.out)
}

/// Where the CSV writer puts its bytes: each record, as the CSV writer flushes it, is copied
/// out or encoded first, so that a character the encoding cannot hold is found in its own
/// row.
struct RecordSink {
    /// The chunk's bytes.
    out: Vec<u8>,
    /// The encoding of the file, if not UTF-8.
    target: Option<&'static encoding_rs::Encoding>,
    /// The UTF-8 bytes of the record being written.
    record: Vec<u8>,
    /// The record in the target encoding.
    encoded: Vec<u8>,
    /// Set when the last record flushed could not be encoded.
    is_unencodable: bool,
}

impl Write for RecordSink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.record.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    /// Moves the record into the chunk's bytes.
    fn flush(&mut self) -> std::io::Result<()> {
        match self.target {
            None => self.out.extend_from_slice(&self.record),
            Some(target) => {
                let text =
                    std::str::from_utf8(&self.record).expect("the CSV writer joins UTF-8 fields");
                if !encode(target, text, &mut self.encoded) {
                    self.is_unencodable = true;
                    return Err(std::io::Error::other("a character the encoding cannot hold"));
                }
                self.out.extend_from_slice(&self.encoded);
            }
        }
        self.record.clear();
        Ok(())
    }
}

/// Encodes `text` into `out` (cleared first); false if a character cannot be encoded.
fn encode(target: &'static encoding_rs::Encoding, text: &str, out: &mut Vec<u8>) -> bool {
    let mut encoder = target.new_encoder();
    out.clear();
    let max_len = encoder
        .max_buffer_length_from_utf8_without_replacement(text.len())
        .expect("a record's encoding fits in memory");
    out.reserve(max_len);
    let (result, _) = encoder.encode_from_utf8_to_vec_without_replacement(text, out, true);
    match result {
        EncoderResult::InputEmpty => true,
        EncoderResult::Unmappable(_) => false,
        EncoderResult::OutputFull => unreachable!("the buffer holds the longest encoding"),
    }
}

/// The error for row `row` (0 for the header) of a CSV that `target` cannot encode: the
/// first column whose text `target` cannot encode. Numbers and dates are ASCII, so it is a
/// header or a text cell.
fn unencodable(
    path: &Path,
    encoding: Encoding,
    table: &Table,
    row: usize,
    target: &'static encoding_rs::Encoding,
) -> Error {
    let mut scratch = Vec::new();
    let column = table
        .columns
        .iter()
        .find(|column| {
            let text = match (row, &column.values) {
                (0, _) => Some(column.header.as_str()),
                (_, Values::Text(values)) => values[row - 1].as_deref(),
                (_, Values::Integer(_) | Values::Date(_)) => None,
            };
            text.is_some_and(|text| !encode(target, text, &mut scratch))
        })
        .expect("a record that cannot be encoded has a header or text cell that cannot");
    Error::Unencodable {
        path: path.to_owned(),
        column: column.header.clone(),
        row: (row > 0).then_some(row as u64),
        encoding: encoding.as_str(),
    }
}

/// Appends `1987-05-06` for `days` since 1970-01-01 (proleptic Gregorian).
fn write_iso_date(out: &mut String, days: i32) {
    // Howard Hinnant's civil_from_days, in i64 so that every i32 day count is in range.
    let z = i64::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    write!(out, "{year:04}-{month:02}-{day:02}").expect("a String takes any text");
}

fn write_xlsx(mut out: BufWriter<File>, path: &Path, sheets: &[Sheet<'_>]) -> Result<(), Error> {
    let xlsx_error = |err: rust_xlsxwriter::XlsxError| write_error(path, err.into());
    let mut workbook = Workbook::new();
    // A fixed creation time (the 7th census's reference moment) keeps the bytes the same
    // from one run to the next.
    let created = ExcelDateTime::from_ymd(2020, 11, 1).expect("a valid date");
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&created));
    // The sheet's rows go to a temporary file as they are written (rust_xlsxwriter's
    // constant-memory mode, strings inline), which sits beside the output rather than in a
    // folder read from the environment.
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    workbook.set_tempdir(folder).map_err(xlsx_error)?;
    let date_format = CellFormat::new().set_num_format("yyyy-mm-dd");
    for &Sheet { name, title, table } in sheets {
        let n_rows = table.n_rows();
        let worksheet = workbook.add_worksheet_with_constant_memory().map_err(xlsx_error)?;
        worksheet.set_name(name).map_err(xlsx_error)?;

        // Rows are written in order, as constant-memory mode requires. Past 1,048,576 rows or
        // 16,384 columns rust_xlsxwriter reports that the table does not fit.
        let mut header_row = 0;
        if let Some(title) = title {
            worksheet.write_string(0, 0, title).map_err(xlsx_error)?;
            header_row = 1;
        }
        let sheet_col = |idx: usize| u16::try_from(idx).unwrap_or(u16::MAX);
        for (idx, column) in table.columns.iter().enumerate() {
            worksheet
                .write_string(header_row, sheet_col(idx), &column.header)
                .map_err(xlsx_error)?;
        }
        let mut text = String::new();
        for idx in 0..n_rows {
            let row = u32::try_from(idx).map_or(u32::MAX, |idx| idx.saturating_add(header_row + 1));
            for (col, column) in table.columns.iter().enumerate() {
                let col = sheet_col(col);
                match &column.values {
                    Values::Text(values) => {
                        if let Some(value) = &values[idx] {
                            worksheet.write_string(row, col, value).map_err(xlsx_error)?;
                        }
                    }
                    Values::Integer(values) => {
                        if let Some(value) = values[idx] {
                            // Excel's numbers are doubles: integers beyond 2^53 are rounded.
                            worksheet.write_number(row, col, value as f64).map_err(xlsx_error)?;
                        }
                    }
                    Values::Date(values) => match values[idx] {
                        None => {}
                        Some(days @ FIRST_EXCEL_DATE..=LAST_EXCEL_DATE) => {
                            let serial = f64::from(days + EXCEL_EPOCH_OFFSET_DAYS);
                            worksheet
                                .write_number_with_format(row, col, serial, &date_format)
                                .map_err(xlsx_error)?;
                        }
                        Some(days) => {
                            text.clear();
                            write_iso_date(&mut text, days);
                            worksheet.write_string(row, col, &text).map_err(xlsx_error)?;
                        }
                    },
                }
            }
        }
    }
    workbook.save_to_writer(&mut out).map_err(xlsx_error)?;
    out.flush().map_err(|err| write_error(path, err.into()))
}

/// The Arrow schema of a table: every column nullable.
fn schema(table: &Table) -> SchemaRef {
    Arc::new(Schema::new(
        table
            .columns
            .iter()
            .map(|column| ArrowField::new(&column.header, column.values.data_type(), true))
            .collect::<Vec<_>>(),
    ))
}

/// The table's rows as record batches of at most [`EXPORT_BATCH_ROWS`], built one at a time.
fn batches(table: &Table, schema: &SchemaRef, n_rows: usize) -> impl Iterator<Item = RecordBatch> {
    // A table without columns has no rows, so every batch has a column to count rows by.
    (0..n_rows).step_by(EXPORT_BATCH_ROWS).map(move |start| {
        let end = (start + EXPORT_BATCH_ROWS).min(n_rows);
        let arrays = table.columns.iter().map(|column| column.values.slice(start, end)).collect();
        RecordBatch::try_new(schema.clone(), arrays).expect("columns follow the schema")
    })
}

fn write_parquet(
    out: BufWriter<File>,
    path: &Path,
    table: &Table,
    n_rows: usize,
) -> Result<(), Error> {
    let parquet_error = |err: parquet::errors::ParquetError| write_error(path, err.into());
    let schema = schema(table);
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(EXPORT_BATCH_ROWS))
        .build();
    let mut writer =
        ArrowWriter::try_new(out, schema.clone(), Some(props)).map_err(parquet_error)?;
    for batch in batches(table, &schema, n_rows) {
        writer.write(&batch).map_err(parquet_error)?;
    }
    // Closing writes the footer and flushes the buffer.
    writer.close().map_err(parquet_error)?;
    Ok(())
}

fn write_arrow(
    out: BufWriter<File>,
    path: &Path,
    table: &Table,
    n_rows: usize,
) -> Result<(), Error> {
    let arrow_error = |err: arrow_schema::ArrowError| write_error(path, err.into());
    let schema = schema(table);
    let mut writer = arrow_ipc::writer::FileWriter::try_new(out, &schema).map_err(arrow_error)?;
    for batch in batches(table, &schema, n_rows) {
        writer.write(&batch).map_err(arrow_error)?;
    }
    // Finishing writes the footer and flushes the buffer.
    writer.finish().map_err(arrow_error)
}

#[cfg(test)]
mod tests {
    use crate::export::write_iso_date;

    #[test]
    fn iso_dates_follow_the_proleptic_gregorian_calendar() {
        let check = |days: i32, expected: &str| {
            let mut text = String::new();
            write_iso_date(&mut text, days);
            assert_eq!(text, expected, "{days}");
        };
        check(0, "1970-01-01");
        check(-1, "1969-12-31");
        check(6_700, "1988-05-06");
        check(11_016, "2000-02-29");
        check(-25_508, "1900-03-01");
        check(-25_509, "1900-02-28");
        check(2_932_896, "9999-12-31");
        check(-719_162, "0001-01-01");
    }
}
