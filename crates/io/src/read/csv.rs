//! CSV in UTF-8 (with or without BOM), GBK or GB18030, transcoded as it streams.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use censuslink_model::{IssueKind, RowIssue};
use encoding_rs_io::DecodeReaderBytesBuilder;

use crate::Error;
use crate::error::Problem;
use crate::job::{Encoding, Source};
use crate::read::{BatchBuilder, RawBatch, SourceReader, text_schema};

/// Bytes read ahead to detect the encoding and the delimiter.
const SNIFF_BYTES: usize = 64 * 1024;

pub(super) fn open(source: &Source, path: &Path) -> Result<SourceReader, Error> {
    let unreadable = |err| Error::Unreadable { path: path.to_owned(), source: err };
    let malformed = |problem| Error::Malformed { path: path.to_owned(), problem };

    let mut file = File::open(path).map_err(unreadable)?;
    let mut prefix = Vec::with_capacity(SNIFF_BYTES);
    (&mut file).take(SNIFF_BYTES as u64).read_to_end(&mut prefix).map_err(unreadable)?;
    if prefix.iter().all(u8::is_ascii_whitespace) {
        return Err(malformed(Problem::Empty));
    }
    if is_binary(&prefix) {
        return Err(malformed(Problem::Binary));
    }
    let encoding = choose_encoding(&prefix, source.encoding).map_err(malformed)?;
    let delimiter = source.delimiter.unwrap_or_else(|| sniff_delimiter(&prefix));

    // UTF-8 is parsed as it is, each field checked once; other encodings are transcoded to
    // UTF-8 as they stream (BOM sniffing also catches UTF-16 files).
    let has_utf16_bom = prefix.starts_with(&[0xFF, 0xFE]) || prefix.starts_with(&[0xFE, 0xFF]);
    let is_transcoded = encoding != encoding_rs::UTF_8 || has_utf16_bom;
    let bom_len = if prefix.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let bytes = std::io::Cursor::new(prefix).chain(file);
    let input: Box<dyn Read + Send> = if is_transcoded {
        Box::new(
            DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding))
                .bom_override(true)
                .strip_bom(true)
                .build(bytes),
        )
    } else {
        let mut bytes = bytes;
        std::io::copy(&mut (&mut bytes).take(bom_len), &mut std::io::sink()).map_err(unreadable)?;
        Box::new(bytes)
    };
    // The title lines above the header are skipped as lines (blank ones included), before
    // the CSV parser sees the text.
    let mut input = BufReader::with_capacity(1 << 16, input);
    let mut title = Vec::new();
    for _ in 1..source.header_row {
        title.clear();
        if input.read_until(b'\n', &mut title).map_err(unreadable)? == 0 {
            return Err(malformed(Problem::NoHeader { header_row: source.header_row }));
        }
    }
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(1 << 20)
        .from_reader(input);
    let mut record = ::csv::ByteRecord::new();
    if !reader.read_byte_record(&mut record).map_err(|err| csv_error(path, err))? {
        return Err(malformed(Problem::NoHeader { header_row: source.header_row }));
    }
    let header: Vec<String> =
        record.iter().map(|name| String::from_utf8_lossy(name).trim().to_owned()).collect();
    let schema = text_schema(&header);
    let rows = CsvRows {
        path: path.to_owned(),
        reader,
        record,
        builder: BatchBuilder::new(schema, 1),
        n_columns: header.len(),
        is_transcoded,
        is_detected_utf8: source.encoding.is_none() && !is_transcoded,
        is_done: false,
    };
    Ok(SourceReader { header, nested: Vec::new(), batches: Box::new(rows) })
}

struct CsvRows<R> {
    path: std::path::PathBuf,
    reader: ::csv::Reader<R>,
    record: ::csv::ByteRecord,
    builder: BatchBuilder,
    n_columns: usize,
    /// Whether a decoder stands before the parser, replacing invalid bytes by U+FFFD.
    is_transcoded: bool,
    /// Whether UTF-8 was guessed from the start of the file rather than declared.
    is_detected_utf8: bool,
    is_done: bool,
}

impl<R: Read> Iterator for CsvRows<R> {
    type Item = Result<RawBatch, Error>;

    fn next(&mut self) -> Option<Result<RawBatch, Error>> {
        if self.is_done {
            return None;
        }
        while !self.builder.is_full() {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(true) => {}
                Ok(false) => {
                    self.is_done = true;
                    break;
                }
                Err(err) => {
                    self.is_done = true;
                    return Some(Err(csv_error(&self.path, err)));
                }
            }
            let row = self.builder.next_row();
            if self.record.len() != self.n_columns {
                self.builder.issues.push(RowIssue {
                    row,
                    field: None,
                    kind: IssueKind::WrongFieldCount,
                });
            }
            let mut is_damaged = false;
            let record = &self.record;
            self.builder.push_row(|idx| {
                let bytes = record.get(idx)?;
                let text = std::str::from_utf8(bytes)
                    .map_or_else(|_| String::from_utf8_lossy(bytes), Cow::Borrowed);
                is_damaged |= matches!(text, Cow::Owned(_))
                    || self.is_transcoded && text.contains(char::REPLACEMENT_CHARACTER);
                Some(text)
            });
            if is_damaged {
                if self.is_detected_utf8 && self.record.iter().any(is_gb18030_not_utf8) {
                    self.is_done = true;
                    let problem =
                        Problem::EncodingChanged { row, detected: Encoding::Gb18030.as_str() };
                    return Some(Err(Error::Malformed { path: self.path.clone(), problem }));
                }
                self.builder.issues.push(RowIssue {
                    row,
                    field: None,
                    kind: IssueKind::BadEncoding,
                });
            }
        }
        if self.builder.n_rows == 0 {
            return None;
        }
        Some(Ok(self.builder.finish()))
    }
}

fn csv_error(path: &Path, err: ::csv::Error) -> Error {
    let message = match err.position() {
        Some(position) => format!("CSV error at line {}", position.line()),
        None => "CSV error".to_owned(),
    };
    match err.into_kind() {
        ::csv::ErrorKind::Io(source) => Error::Unreadable { path: path.to_owned(), source },
        _ => Error::Malformed {
            path: path.to_owned(),
            problem: Problem::Format { format: "csv", message },
        },
    }
}

/// Whether `bytes` are not UTF-8 but clean GB18030 text: GBK past the part of a file that
/// encoding detection looked at.
fn is_gb18030_not_utf8(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_err()
        && encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes).is_some()
}

/// NUL bytes or many control characters mean this is no text file; UTF-16 (which has NULs)
/// is recognised by its byte-order mark and decoded.
fn is_binary(prefix: &[u8]) -> bool {
    if prefix.starts_with(&[0xFF, 0xFE]) || prefix.starts_with(&[0xFE, 0xFF]) {
        return false;
    }
    let n_control =
        prefix.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C)).count();
    prefix.contains(&0) || n_control * 100 > prefix.len()
}

/// The declared encoding if the bytes fit it; the detected one when none is declared. Text
/// whose multi-byte characters are mostly valid UTF-8 is UTF-8 (a stray bad byte becomes a
/// row issue); otherwise it is read as GB18030, the superset of GBK: GBK text with Chinese in
/// it is almost never valid UTF-8.
fn choose_encoding(
    prefix: &[u8],
    declared: Option<Encoding>,
) -> Result<&'static encoding_rs::Encoding, Problem> {
    let (n_valid, n_invalid) = count_utf8_characters(prefix);
    let is_utf8 = n_invalid == 0 || n_valid >= 4 * n_invalid;
    match declared {
        None if is_utf8 => Ok(encoding_rs::UTF_8),
        None => Ok(encoding_rs::GB18030),
        Some(Encoding::Utf8) if !is_utf8 => Err(Problem::Encoding {
            declared: Encoding::Utf8.as_str(),
            detected: Encoding::Gb18030.as_str(),
        }),
        Some(Encoding::Utf8) => Ok(encoding_rs::UTF_8),
        Some(declared @ (Encoding::Gbk | Encoding::Gb18030)) if n_invalid == 0 && n_valid > 0 => {
            Err(Problem::Encoding {
                declared: declared.as_str(),
                detected: Encoding::Utf8.as_str(),
            })
        }
        Some(Encoding::Gbk | Encoding::Gb18030) => Ok(encoding_rs::GB18030),
    }
}

/// Valid multi-byte UTF-8 characters and invalid sequences in `bytes`; a character cut by the
/// end of the buffer counts as neither.
fn count_utf8_characters(mut bytes: &[u8]) -> (usize, usize) {
    let (mut n_valid, mut n_invalid) = (0, 0);
    loop {
        let (valid, rest) = match std::str::from_utf8(bytes) {
            Ok(text) => (text, None),
            Err(err) => {
                let (valid, rest) = bytes.split_at(err.valid_up_to());
                let text = std::str::from_utf8(valid).expect("valid up to here");
                (text, err.error_len().map(|len| &rest[len..]))
            }
        };
        n_valid += valid.chars().filter(|c| !c.is_ascii()).count();
        match rest {
            Some(rest) => {
                n_invalid += 1;
                bytes = rest;
            }
            None => return (n_valid, n_invalid),
        }
    }
}

/// Comma unless another delimiter (tab, semicolon, pipe) appears more often in some line of
/// the first ten, which holds the header even below a title row.
fn sniff_delimiter(prefix: &[u8]) -> u8 {
    const CANDIDATES: [u8; 4] = [b',', b'\t', b';', b'|'];
    // Each candidate counted outside quoted fields, record by record (a quoted field may hold
    // delimiters and newlines): the delimiter is the one found the same number of times in
    // the most records.
    let mut records: Vec<[usize; 4]> = vec![[0; 4]];
    let mut is_quoted = false;
    for &byte in prefix {
        match byte {
            b'"' => is_quoted = !is_quoted,
            b'\n' if !is_quoted => {
                if records.len() > 20 {
                    break;
                }
                records.push([0; 4]);
            }
            _ if !is_quoted => {
                if let Some(k) = CANDIDATES.iter().position(|&c| c == byte) {
                    records.last_mut().expect("one record at least")[k] += 1;
                }
            }
            _ => {}
        }
    }
    // The last record may be cut off by the end of the prefix.
    if records.len() > 2 {
        records.pop();
    }
    // Title lines above the header hold no delimiter: each candidate is judged by how many
    // records hold it the same number of times, that number being its commonest but zero.
    let score = |k: usize| {
        let mut counts: Vec<usize> = records.iter().map(|r| r[k]).filter(|&n| n > 0).collect();
        counts.sort_unstable();
        counts.chunk_by(|a, b| a == b).map(<[usize]>::len).max().unwrap_or(0)
    };
    (0..CANDIDATES.len())
        .max_by_key(|&k| (score(k), std::cmp::Reverse(k)))
        .filter(|&k| score(k) > 0)
        .map_or(b',', |k| CANDIDATES[k])
}
