//! The error of the io crate: a job or a file that cannot be read at all. Bad rows are not
//! errors; they are row issues.

use std::path::PathBuf;

/// Why a job file or a source file cannot be used. Messages name the file and the key or
/// column, never a data value (values may be names or ID numbers).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The job file could not be opened.
    #[error("cannot read job file {path}")]
    JobUnreadable {
        /// The job file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The job file is not valid TOML or has unknown or ill-typed keys.
    #[error("job file {path}: {message}")]
    JobSyntax {
        /// The job file.
        path: PathBuf,
        /// The parser's message, with the line, column and key.
        message: String,
    },
    /// A key of the job file has a value the job cannot use.
    #[error("job file {path}: `{key}`: {problem}")]
    JobInvalid {
        /// The job file.
        path: PathBuf,
        /// The dotted key, e.g. `source.census.codes.sex`.
        key: String,
        /// What is wrong with it and what would be right.
        problem: String,
    },
    /// A mapped column is not in the source file.
    #[error(
        "job file {job}: `{key}`: column `{column}` is not in {file}; its columns are: {}",
        available.join(", ")
    )]
    MissingColumn {
        /// The job file.
        job: PathBuf,
        /// The dotted key that maps the column.
        key: String,
        /// The column asked for.
        column: String,
        /// The source file.
        file: PathBuf,
        /// The header of the source file.
        available: Vec<String>,
    },
    /// A mapped column is not in the source file, whose header row holds long numbers: it is
    /// probably a data row. Its cells are not repeated, since they may be ID numbers.
    #[error(
        "job file {job}: `{key}`: column `{column}` is not in {file}, and the row read as its header \
         (header_row = {header_row}) holds long numbers as data rows do: is header_row right?"
    )]
    HeaderLooksLikeData {
        /// The job file.
        job: PathBuf,
        /// The dotted key that maps the column.
        key: String,
        /// The column asked for.
        column: String,
        /// The source file.
        file: PathBuf,
        /// The row the job names as the header.
        header_row: u64,
    },
    /// A source file could not be opened or read.
    #[error("cannot read {path}")]
    Unreadable {
        /// The source file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A source file is not what its format says: empty, binary, truncated, ill-formed.
    #[error("{path}: {problem}")]
    Malformed {
        /// The source file.
        path: PathBuf,
        /// What is wrong.
        problem: Problem,
    },
    /// A cell of a table being written holds a character that the file's encoding cannot
    /// represent (GBK holds no characters beyond the Basic Multilingual Plane and not all of
    /// those). The character is not repeated, since it is part of a value.
    #[error(
        "cannot write {path}: {} of column `{column}` has a character that {encoding} cannot hold",
        row.map_or_else(|| "the header".to_owned(), |row| format!("data row {row}"))
    )]
    Unencodable {
        /// The output file.
        path: PathBuf,
        /// The header of the column.
        column: String,
        /// The 1-based data row; `None` for the header row.
        row: Option<u64>,
        /// The encoding, as job files name it (`gbk`).
        encoding: &'static str,
    },
    /// An output could not be written.
    #[error("cannot write {path}")]
    Write {
        /// The output file.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// What is wrong with a source file as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// The file has no bytes, or no rows.
    #[error("the file is empty")]
    Empty,
    /// The file holds NUL bytes or control characters: not a text file.
    #[error("the file is binary, not {expected}; is the path or the format right?")]
    Binary {
        /// The format the job expects.
        expected: &'static str,
    },
    /// The header row is past the end of the file.
    #[error("there is no header at row {header_row}")]
    NoHeader {
        /// The 1-based row where the header should be.
        header_row: u64,
    },
    /// The file is not valid in the declared encoding.
    #[error(
        "the file is not valid {declared}; it looks like {detected}: set `encoding = \"{detected}\"` or remove the key"
    )]
    Encoding {
        /// The encoding the job declares.
        declared: &'static str,
        /// The encoding the bytes fit.
        detected: &'static str,
    },
    /// A row far into a file whose start was detected as UTF-8 is GBK or GB18030 text.
    #[error(
        "row {row} is not valid utf-8, as the start of the file is; it looks like {detected}: \
         set `encoding = \"{detected}\"` for this source"
    )]
    EncodingChanged {
        /// The data row where the encoding changed.
        row: u64,
        /// The encoding the row fits.
        detected: &'static str,
    },
    /// The file extension names no format and the job gives none.
    #[error(
        "cannot tell the format from the extension `{extension}`; set `format` to csv, parquet, arrow or xlsx"
    )]
    UnknownFormat {
        /// The extension, possibly empty.
        extension: String,
    },
    /// The XLSX workbook has no sheet of that name.
    #[error("no sheet `{sheet}`; sheets are: {}", available.join(", "))]
    NoSuchSheet {
        /// The sheet asked for.
        sheet: String,
        /// The sheets in the workbook.
        available: Vec<String>,
    },
    /// The header names one column twice, so a mapping to it would be ambiguous.
    #[error("the header has column `{column}` twice")]
    DuplicateColumn {
        /// The repeated column name.
        column: String,
    },
    /// The format's own reader failed (truncated Parquet, a corrupt ZIP, ...).
    #[error("not a readable {format} file: {message}")]
    Format {
        /// The format.
        format: &'static str,
        /// The reader's message; about the structure, never containing cell values.
        message: String,
    },
}
