//! XLSX and XLS workbooks: one sheet, a header row that may sit below title rows, cells of any type
//! rendered as text (date cells as ISO dates).

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use calamine::{Data, DataRef, Reader, Xls, Xlsx};

use crate::Error;
use crate::error::Problem;
use crate::job::Source;
use censuslink_model::{IssueKind, RowIssue};

use crate::read::{BatchBuilder, RawBatch, SourceReader, float_text, text_schema};

/// Reads the whole sheet into raw batches. A sheet holds at most 1,048,576 rows, and the
/// cells are streamed from the XML, so the cost is that of the batches themselves.
pub(super) fn open(source: &Source, path: &Path) -> Result<SourceReader, Error> {
    let format_error = |err: calamine::XlsxError| Error::Malformed {
        path: path.to_owned(),
        problem: Problem::Format { format: "xlsx", message: err.to_string() },
    };
    let file =
        File::open(path).map_err(|source| Error::Unreadable { path: path.to_owned(), source })?;
    let mut workbook: Xlsx<_> = Xlsx::new(BufReader::new(file)).map_err(format_error)?;
    let sheet = choose_sheet(source, path, workbook.sheet_names())?;
    let mut cells = workbook.worksheet_cells_reader(&sheet).map_err(format_error)?;
    let mut sheet_rows = SheetReader::new(source.header_row);
    while let Some(cell) = cells.next_cell().map_err(format_error)? {
        let (row, column) = cell.get_position();
        sheet_rows.push(row, column, cell.get_value());
    }
    sheet_rows.finish(path, source.header_row)
}

/// Reads an Excel 97-2003 (BIFF) sheet into raw batches, as [`open`] reads a workbook's.
pub(super) fn open_xls(source: &Source, path: &Path) -> Result<SourceReader, Error> {
    let format_error = |err: calamine::XlsError| Error::Malformed {
        path: path.to_owned(),
        problem: Problem::Format { format: "xls", message: err.to_string() },
    };
    let file =
        File::open(path).map_err(|source| Error::Unreadable { path: path.to_owned(), source })?;
    let mut workbook: Xls<_> = Xls::new(BufReader::new(file)).map_err(format_error)?;
    let sheet = choose_sheet(source, path, workbook.sheet_names())?;
    let range = workbook.worksheet_range(&sheet).map_err(format_error)?;
    let (top, left) = range.start().unwrap_or((0, 0));
    let mut sheet_rows = SheetReader::new(source.header_row);
    for (row, column, value) in range.used_cells() {
        let value = match value {
            Data::Int(v) => DataRef::Int(*v),
            Data::Float(v) => DataRef::Float(*v),
            Data::String(v) => DataRef::SharedString(v),
            Data::Bool(v) => DataRef::Bool(*v),
            Data::DateTime(v) => DataRef::DateTime(*v),
            Data::DateTimeIso(v) => DataRef::DateTimeIso(v.clone()),
            Data::DurationIso(v) => DataRef::DurationIso(v.clone()),
            Data::Error(v) => DataRef::Error(v.clone()),
            Data::Empty => DataRef::Empty,
        };
        sheet_rows.push(top + row as u32, left + column as u32, &value);
    }
    sheet_rows.finish(path, source.header_row)
}

/// The sheet the job names, else the first.
fn choose_sheet(source: &Source, path: &Path, sheet_names: Vec<String>) -> Result<String, Error> {
    match &source.sheet {
        Some(sheet) if sheet_names.contains(sheet) => Ok(sheet.clone()),
        Some(sheet) => Err(Error::Malformed {
            path: path.to_owned(),
            problem: Problem::NoSuchSheet { sheet: sheet.clone(), available: sheet_names },
        }),
        None => sheet_names
            .first()
            .cloned()
            .ok_or_else(|| Error::Malformed { path: path.to_owned(), problem: Problem::Empty }),
    }
}

/// A sheet's header and data rows, made from its cells in row order.
struct SheetReader {
    /// The 0-based sheet row of the header (calamine counts from 0; the job's `header_row` is
    /// the 1-based row Excel shows).
    header_idx: u32,
    header: Vec<String>,
    rows: Option<SheetRows>,
}

impl SheetReader {
    fn new(header_row: u64) -> SheetReader {
        let header_idx = u32::try_from(header_row - 1).unwrap_or(u32::MAX);
        SheetReader { header_idx, header: Vec::new(), rows: None }
    }

    /// One cell, at its 0-based sheet row and column. Data row n is sheet row header_row + n:
    /// blank rows between records are kept (as empty rows, which are rejected and counted) so
    /// that the numbers stay true; blank rows after the last record are not rows.
    fn push(&mut self, row: u32, column: u32, value: &DataRef<'_>) {
        if row < self.header_idx {
            return;
        }
        let column = column as usize;
        if row == self.header_idx {
            if self.header.len() <= column {
                self.header.resize(column + 1, String::new());
            }
            self.header[column] = cell_text(value).unwrap_or_default().trim().to_owned();
            return;
        }
        let rows = self.rows.get_or_insert_with(|| SheetRows::new(&mut self.header));
        let data_row = u64::from(row - self.header_idx);
        if rows.data_row != data_row {
            rows.flush();
            rows.data_row = data_row;
        }
        match (value, rows.values.get_mut(column)) {
            (DataRef::Error(_), _) => rows.has_error = true,
            (value, Some(slot)) => *slot = cell_text(value),
            (value, None) => rows.has_extra |= cell_text(value).is_some(),
        }
    }

    fn finish(mut self, path: &Path, header_row: u64) -> Result<SourceReader, Error> {
        if self.header.is_empty() {
            return Err(Error::Malformed {
                path: path.to_owned(),
                problem: Problem::NoHeader { header_row },
            });
        }
        let mut rows = self.rows.unwrap_or_else(|| SheetRows::new(&mut self.header));
        rows.flush();
        if rows.builder.n_rows > 0 {
            let last = rows.builder.finish();
            rows.batches.push(last);
        }
        Ok(SourceReader {
            header: self.header,
            nested: Vec::new(),
            batches: Box::new(rows.batches.into_iter().map(Ok)),
        })
    }
}

/// The data rows of a sheet as its cells stream by, one row buffered.
struct SheetRows {
    builder: BatchBuilder,
    batches: Vec<RawBatch>,
    /// The data row being buffered: its sheet row less the header's.
    data_row: u64,
    /// Its cells under the header, by column.
    values: Vec<Option<String>>,
    /// Whether it has a value right of the header.
    has_extra: bool,
    /// Whether it has an error cell.
    has_error: bool,
}

impl SheetRows {
    fn new(header: &mut [String]) -> SheetRows {
        name_unnamed_columns(header);
        SheetRows {
            builder: BatchBuilder::new(text_schema(header), 1),
            batches: Vec::new(),
            data_row: 0,
            values: vec![None; header.len()],
            has_extra: false,
            has_error: false,
        }
    }

    /// Pushes the buffered row unless it is blank, after empty rows for the blank rows above
    /// it, and clears the buffer.
    fn flush(&mut self) {
        let is_blank =
            !(self.has_extra || self.has_error || self.values.iter().any(Option::is_some));
        if !is_blank {
            while self.builder.next_row() < self.data_row {
                self.push_row(&[]);
            }
            let row = self.builder.next_row();
            for (is_raised, kind) in [
                (self.has_extra, IssueKind::WrongFieldCount),
                (self.has_error, IssueKind::SpreadsheetError),
            ] {
                if is_raised {
                    self.builder.issues.push(RowIssue { row, field: None, kind });
                }
            }
            let values = std::mem::take(&mut self.values);
            self.push_row(&values);
            self.values = values;
        }
        self.values.iter_mut().for_each(|value| *value = None);
        self.has_extra = false;
        self.has_error = false;
    }

    /// Pushes one row of `values` (missing ones empty), starting a new batch when one is full.
    fn push_row(&mut self, values: &[Option<String>]) {
        self.builder.push_row(|idx| values.get(idx).and_then(Option::as_deref));
        if self.builder.is_full() {
            let batch = self.builder.finish();
            self.batches.push(batch);
        }
    }
}

/// Header cells left blank get their Excel column letters, so every column has a name.
fn name_unnamed_columns(header: &mut [String]) {
    for (idx, name) in header.iter_mut().enumerate() {
        if name.is_empty() {
            *name = column_letters(idx);
        }
    }
}

/// `0` → `A`, `25` → `Z`, `26` → `AA`.
fn column_letters(mut idx: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (idx % 26) as u8);
        if idx < 26 {
            break;
        }
        idx = idx / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII letters")
}

/// A cell as the text a CSV export would hold; `None` for empty and error cells.
fn cell_text(value: &DataRef<'_>) -> Option<String> {
    match value {
        DataRef::Empty | DataRef::Error(_) => None,
        DataRef::String(text) | DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => {
            Some(text.clone())
        }
        DataRef::SharedString(text) => Some((*text).to_owned()),
        DataRef::Int(value) => Some(value.to_string()),
        DataRef::Float(value) => Some(float_text(*value)),
        DataRef::Bool(value) => Some(value.to_string()),
        DataRef::DateTime(datetime) if datetime.is_datetime() => {
            let (year, month, day, hour, minute, second, _) = datetime.to_ymd_hms_milli();
            Some(if (hour, minute, second) == (0, 0, 0) {
                format!("{year:04}-{month:02}-{day:02}")
            } else {
                format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}")
            })
        }
        DataRef::DateTime(duration) => Some(duration.as_f64().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use crate::read::xlsx::column_letters;

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }
}
