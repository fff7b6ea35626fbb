//! XLSX workbooks: one sheet, a header row that may sit below title rows, cells of any type
//! rendered as text (date cells as ISO dates).

use std::fs::File;
use std::io::BufReader;

use calamine::{DataRef, Reader, Xlsx};

use crate::Error;
use crate::error::Problem;
use crate::job::Source;
use crate::read::{BatchBuilder, SourceReader, text_schema};

/// Reads the whole sheet into raw batches. A sheet holds at most 1,048,576 rows, and the
/// cells are streamed from the XML, so the cost is that of the batches themselves.
pub(super) fn open(source: &Source) -> Result<SourceReader, Error> {
    let path = source.path.as_path();
    let format_error = |err: calamine::XlsxError| Error::Malformed {
        path: path.to_owned(),
        problem: Problem::Format { format: "xlsx", message: err.to_string() },
    };
    let file =
        File::open(path).map_err(|source| Error::Unreadable { path: path.to_owned(), source })?;
    let mut workbook: Xlsx<_> = Xlsx::new(BufReader::new(file)).map_err(format_error)?;
    let sheet_names = workbook.sheet_names();
    let sheet = match &source.sheet {
        Some(sheet) if sheet_names.contains(sheet) => sheet.clone(),
        Some(sheet) => {
            return Err(Error::Malformed {
                path: path.to_owned(),
                problem: Problem::NoSuchSheet { sheet: sheet.clone(), available: sheet_names },
            });
        }
        None => sheet_names
            .first()
            .cloned()
            .ok_or_else(|| Error::Malformed { path: path.to_owned(), problem: Problem::Empty })?,
    };

    let mut cells = workbook.worksheet_cells_reader(&sheet).map_err(format_error)?;
    // Rows are 0-based in calamine; the job's header_row is the 1-based row Excel shows.
    let header_idx = u32::try_from(source.header_row - 1).unwrap_or(u32::MAX);
    let mut header: Vec<String> = Vec::new();
    let mut row_values: Vec<Option<String>> = Vec::new();
    let mut current_row: Option<u32> = None;
    let mut builder: Option<BatchBuilder> = None;
    let mut batches = Vec::new();

    while let Some(cell) = cells.next_cell().map_err(format_error)? {
        let (row, column) = cell.get_position();
        if row < header_idx {
            continue;
        }
        if row == header_idx {
            let column = column as usize;
            if header.len() <= column {
                header.resize(column + 1, String::new());
            }
            header[column] = cell_text(cell.get_value()).unwrap_or_default().trim().to_owned();
            continue;
        }
        let builder = builder.get_or_insert_with(|| {
            name_unnamed_columns(&mut header);
            BatchBuilder::new(text_schema(&header), 1)
        });
        if current_row != Some(row) {
            flush_row(builder, &mut row_values, &mut batches);
            row_values.resize(header.len(), None);
            current_row = Some(row);
        }
        if let Some(slot) = row_values.get_mut(column as usize) {
            *slot = cell_text(cell.get_value());
        }
    }
    if header.is_empty() {
        return Err(Error::Malformed {
            path: path.to_owned(),
            problem: Problem::NoHeader { header_row: source.header_row },
        });
    }
    let builder = builder.get_or_insert_with(|| {
        name_unnamed_columns(&mut header);
        BatchBuilder::new(text_schema(&header), 1)
    });
    flush_row(builder, &mut row_values, &mut batches);
    if builder.n_rows > 0 {
        batches.push(builder.finish());
    }
    Ok(SourceReader { header, batches: Box::new(batches.into_iter().map(Ok)) })
}

/// Pushes the buffered row, unless it is empty (blank rows between records are not records).
fn flush_row(
    builder: &mut BatchBuilder,
    row_values: &mut Vec<Option<String>>,
    batches: &mut Vec<crate::read::RawBatch>,
) {
    if row_values.iter().any(Option::is_some) {
        builder.push_row(|idx| row_values[idx].as_deref());
        if builder.is_full() {
            batches.push(builder.finish());
        }
    }
    row_values.clear();
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
        // Rust prints integral floats without a fraction and without an exponent, which is
        // what a spreadsheet user typed (and shows an ID number mangled into a float as the
        // digits Excel kept).
        DataRef::Float(value) => Some(value.to_string()),
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
