//! A job file inferred from extracts (`censuslink init`): each file's role, format, encoding,
//! header row, record key, column mapping, missing-value tokens and code tables, from its
//! header and the first [`SAMPLE_ROWS`] rows, with a TOML comment on every guess.
//!
//! Headers are matched against Chinese and English names of the canonical fields (`姓名`,
//! `公民身份号码`, `出生年月`, `dob`, ...), with a prefix naming the record's own person allowed
//! (`新生儿姓名`, `死者身份证号`) and one naming the mother read as the mother's field; a column
//! whose header says nothing is placed by its values (ID numbers, dates, sexes, names). Only
//! column names, counts and codes go into comments, never a value that could be a name or an
//! ID number.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use arrow_array::{Array, StringArray};
use calamine::{DataRef, Reader, Xlsx};
use censuslink_model::{
    CollectionMode, Field, FieldKind, IdStatus, Lang, RecordType, Relation, Role, Sex,
};
use censuslink_standardize::{codes, date, id, name, region};

use crate::Error;
use crate::error::{JobProblem, Problem};
use crate::job::{DEFAULT_MISSING, Encoding, Format, Source};
use crate::read;

/// Rows read from each file to look at its values.
pub const SAMPLE_ROWS: usize = 2_000;

/// A job file inferred by [`infer_job`].
#[derive(Debug, Clone, PartialEq)]
pub struct InferredJob {
    /// The job file's text: TOML, with comments.
    pub text: String,
    /// Lines of the job file that are guesses or ask to be checked, the reference moment's
    /// included.
    pub n_guesses: usize,
    /// What was inferred of each file, in the order given.
    pub sources: Vec<InferredSource>,
}

/// What [`infer_job`] made of one file.
#[derive(Debug, Clone, PartialEq)]
pub struct InferredSource {
    /// The files, as given: one, or several of one role and layout read as one source.
    pub files: Vec<PathBuf>,
    /// The source's name in the job.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// Its format.
    pub format: Format,
    /// The record key's columns (several when one alone does not tell records apart, as the
    /// census's person number within its household); empty when records are keyed by row
    /// number.
    pub key: Vec<String>,
    /// Canonical fields mapped.
    pub n_fields: usize,
    /// Lines of the job file that are guesses or ask to be checked.
    pub n_guesses: usize,
    /// Columns mapped to nothing.
    pub not_mapped: Vec<String>,
}

/// Infers a job for `files` (CSV, Parquet, Arrow IPC or XLSX extracts) to be written at
/// `job_path`: the returned text names each file relative to `job_path`'s folder and has its
/// comments in `lang`. Each file's header is read and its first [`SAMPLE_ROWS`] rows looked
/// at; nothing is written.
///
/// Every source gets a role (from the file name and the header; when neither tells, the first
/// role no other file took), a name (its role's, `_2` and on for a second file of a role), and
/// the mapping its header and values support; the job validates with [`crate::Job::parse`]
/// whenever each file maps a name or an ID number column or has other columns to link on.
///
/// # Errors
///
/// [`Error::Unreadable`] and [`Error::Malformed`] for a file that cannot be read, as
/// [`crate::open`] gives them; [`Error::JobInvalid`] when `files` is empty.
///
/// ```
/// let folder = tempfile::tempdir().expect("a temporary folder");
/// let file = folder.path().join("hukou.csv");
/// std::fs::write(&file, "户籍编号,姓名,公民身份号码,性别\nH1,张伟,11010519491231002X,男\n")
///     .expect("writable");
/// let job_path = folder.path().join("job.toml");
/// let inferred = censuslink_io::infer_job(&[file], &job_path, censuslink_io::Lang::En)
///     .expect("a readable file");
/// let job = censuslink_io::Job::parse(&inferred.text, &job_path).expect("a valid job");
/// assert_eq!(job.sources[0].role.as_str(), "hukou");
/// assert_eq!(job.sources[0].key, ["户籍编号"]);
/// assert_eq!(inferred.sources[0].n_fields, 3);
/// ```
pub fn infer_job(files: &[PathBuf], job_path: &Path, lang: Lang) -> Result<InferredJob, Error> {
    if files.is_empty() {
        return Err(Error::JobInvalid {
            path: job_path.to_owned(),
            key: "source".into(),
            problem: Box::new(JobProblem::NoSource),
        });
    }
    let mut analyses = Vec::with_capacity(files.len());
    for file in files {
        analyses.push(analyze(file)?);
    }
    let roles = assign_roles(&analyses);
    let folder = job_path.parent().unwrap_or(Path::new(""));
    let mut names: BTreeMap<Role, usize> = BTreeMap::new();
    let mut sources: Vec<Inferred> = Vec::with_capacity(files.len());
    // Files of one role and one layout (the census exported per township) are one source.
    let mut firsts: Vec<(usize, Role)> = Vec::new();
    for (k, (analysis, (role, role_basis))) in analyses.iter().zip(roles).enumerate() {
        let same = firsts.iter().position(|&(first, first_role)| {
            first_role == role && analyses[first].has_layout_of(analysis)
        });
        if let Some(source) = same {
            sources[source].files.push(analysis.file.clone());
            sources[source].path_texts.push(job_relative_path(&analysis.file, folder));
            continue;
        }
        firsts.push((k, role));
        let count = names.entry(role).or_default();
        *count += 1;
        let name = match *count {
            1 => role.as_str().to_owned(),
            n => format!("{}_{n}", role.as_str()),
        };
        sources.push(infer_source(analysis, name, role, role_basis, folder, lang));
    }
    let text = render_job(&sources, lang);
    // The reference moment is always marked.
    let n_guesses = 1 + sources.iter().map(Inferred::n_guesses).sum::<usize>();
    let sources = sources
        .into_iter()
        .map(|s| InferredSource {
            files: s.files.clone(),
            n_fields: s.fields.iter().map(|line| line.field).collect::<BTreeSet<_>>().len(),
            n_guesses: s.n_guesses(),
            not_mapped: s.not_mapped.clone(),
            key: s.key.as_ref().map_or_else(Vec::new, |(columns, _)| columns.clone()),
            name: s.name,
            role: s.role,
            format: s.format,
        })
        .collect();
    Ok(InferredJob { text, n_guesses, sources })
}

/// What reading a file told: its format, encoding, header and sampled values.
struct Analysis {
    /// The file, as given.
    file: PathBuf,
    format: Format,
    /// Whether the format came from the bytes, the extension naming none.
    is_format_sniffed: bool,
    /// The CSV encoding when not UTF-8.
    encoding: Option<Encoding>,
    /// The XLSX sheet read and the workbook's other sheets.
    sheet: Option<(String, Vec<String>)>,
    header_row: u64,
    /// Rows sampled.
    n_rows: usize,
    columns: Vec<ColumnSample>,
    /// Missing-value tokens found in the values beyond [`DEFAULT_MISSING`].
    extra_missing: Vec<&'static str>,
}

impl Analysis {
    /// Whether `other` is a file of the same layout: format, encoding, sheet, header row and
    /// header.
    fn has_layout_of(&self, other: &Analysis) -> bool {
        let header = |a: &Analysis| a.columns.iter().map(|c| c.header.clone()).collect::<Vec<_>>();
        (self.format, self.encoding, self.header_row)
            == (other.format, other.encoding, other.header_row)
            && self.sheet.as_ref().map(|s| &s.0) == other.sheet.as_ref().map(|s| &s.0)
            && header(self) == header(other)
    }
}

/// One column of a file with its sampled values.
struct ColumnSample {
    header: String,
    /// The header lower-cased, full-width folded, without spaces, punctuation and parentheses.
    norm: String,
    /// The sampled values, trimmed, without empty cells and missing-value tokens.
    values: Vec<String>,
    /// Sampled cells that were empty or a missing-value token.
    n_missing: usize,
    /// Whether the column can be mapped: its header is not empty and not repeated.
    is_usable: bool,
}

/// How a source's role was told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RoleBasis {
    /// File name and header agree.
    Both,
    /// The file name only.
    Name,
    /// The header only.
    Header,
    /// The header, where the file name says another role.
    HeaderOverName(Role),
    /// Neither: the first role no other file took.
    Unknown,
}

/// A source as inferred, ready to be written.
struct Inferred {
    files: Vec<PathBuf>,
    /// The paths as the job writes them: relative to the job's folder, `/`-separated.
    path_texts: Vec<String>,
    name: String,
    role: Role,
    role_note: Option<Note>,
    format: Format,
    format_note: Option<Note>,
    encoding: Option<Encoding>,
    sheet: Option<(String, Option<Note>)>,
    header_row: Option<(u64, Note)>,
    key: Option<(Vec<String>, Option<Note>)>,
    /// Said when no key column is found.
    key_absent_note: Option<Note>,
    missing: Option<(Vec<String>, Note)>,
    /// The source's own summary line.
    heading: String,
    fields: Vec<FieldLine>,
    extra: Vec<(String, String)>,
    extra_note: Option<Note>,
    codes: Vec<CodeTable>,
    /// Remarks on coded columns without a table (codes nobody can map).
    code_notes: Vec<Note>,
    not_mapped: Vec<String>,
    duplicates: Vec<String>,
}

/// One line of `[source.fields]`.
struct FieldLine {
    field: Field,
    mapping: FieldMapping,
    /// The header position it starts at, to write lines in header order.
    column: usize,
    note: Option<Note>,
}

enum FieldMapping {
    Column(String),
    Parts {
        year: String,
        month: Option<String>,
        day: Option<String>,
    },
    /// Columns joined: a number qualified by the codes above it.
    Concat {
        columns: Vec<String>,
        separator: &'static str,
    },
    /// A 7th-census place: its category column (`d7` or `d8`), the code column and the census
    /// area's column.
    CensusPlace {
        question: &'static str,
        category: String,
        code: String,
        area: String,
    },
}

/// A `[source.codes.<field>]` table.
struct CodeTable {
    field: Field,
    entries: BTreeMap<String, String>,
    note: Note,
}

/// A comment on a line of the job.
#[derive(Debug, Clone)]
struct Note {
    kind: NoteKind,
    text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NoteKind {
    /// What was found, not in doubt.
    Info,
    /// A guess.
    Guess,
    /// Something the values put in doubt.
    Check,
}

impl Note {
    fn info(text: String) -> Note {
        Note { kind: NoteKind::Info, text }
    }

    fn guess(text: String) -> Note {
        Note { kind: NoteKind::Guess, text }
    }

    fn check(text: String) -> Note {
        Note { kind: NoteKind::Check, text }
    }

    fn render(&self, lang: Lang) -> String {
        let prefix = match self.kind {
            NoteKind::Info => "",
            NoteKind::Guess => lang.pick("推测：", "guess: "),
            NoteKind::Check => lang.pick("请核对：", "check: "),
        };
        format!("# {prefix}{}", comment_text(&self.text))
    }
}

impl Inferred {
    /// Every comment of the source.
    fn notes(&self) -> impl Iterator<Item = &Note> {
        let singles = [
            self.role_note.as_ref(),
            self.format_note.as_ref(),
            self.sheet.as_ref().and_then(|(_, note)| note.as_ref()),
            self.header_row.as_ref().map(|(_, note)| note),
            self.key.as_ref().and_then(|(_, note)| note.as_ref()),
            self.key_absent_note.as_ref(),
            self.missing.as_ref().map(|(_, note)| note),
            self.extra_note.as_ref(),
        ];
        singles
            .into_iter()
            .flatten()
            .chain(self.fields.iter().filter_map(|line| line.note.as_ref()))
            .chain(self.codes.iter().map(|table| &table.note))
            .chain(&self.code_notes)
    }

    /// The comments that are guesses or checks.
    fn n_guesses(&self) -> usize {
        self.notes().filter(|note| note.kind != NoteKind::Info).count()
    }
}

/// Reads a file's header and sample: format, encoding, sheet and header row as found.
fn analyze(file: &Path) -> Result<Analysis, Error> {
    let (format, is_format_sniffed) = match Format::from_extension(file) {
        Some(format) => (format, false),
        None => (sniff_format(file)?, true),
    };
    let mut source = reading_source(file, format);
    let mut sheet = None;
    let mut is_header_data_like = false;
    match format {
        Format::Csv => {
            source.encoding = csv_encoding(&source)?;
            let (header_row, is_data_like) = csv_header_row(&source)?;
            source.header_row = header_row;
            is_header_data_like = is_data_like;
        }
        Format::Xlsx => {
            let (name, others, header_row, is_data_like) = xlsx_sheet_and_header_row(file)?;
            source.sheet = Some(name.clone());
            source.header_row = header_row;
            is_header_data_like = is_data_like;
            sheet = Some((name, others));
        }
        Format::Parquet | Format::Arrow | Format::Xls => {}
    }
    if is_header_data_like {
        // Its cells are a person's values: never written into a job nor printed.
        let problem = Problem::HeaderIsData { n_columns: sample(&source)?.header.len() };
        return Err(Error::Malformed { path: file.to_owned(), problem });
    }
    let Sample { header, columns: raw_columns, n_rows } = sample(&source)?;

    let extra_missing: Vec<&'static str> = EXTRA_MISSING
        .split(' ')
        .filter(|token| raw_columns.iter().flatten().any(|value| value == token))
        .collect();
    let is_missing = |value: &str| {
        value.is_empty() || DEFAULT_MISSING.contains(&value) || extra_missing.contains(&value)
    };
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for name in &header {
        *seen.entry(name.as_str()).or_default() += 1;
    }
    let columns = header
        .iter()
        .zip(raw_columns)
        .map(|(header, raw)| {
            let n_cells = raw.len();
            let values: Vec<String> = raw.into_iter().filter(|v| !is_missing(v)).collect();
            ColumnSample {
                norm: normalize_header(header),
                n_missing: n_cells - values.len(),
                values,
                is_usable: !header.is_empty() && seen[header.as_str()] == 1,
                header: header.clone(),
            }
        })
        .collect();
    Ok(Analysis {
        file: file.to_owned(),
        format,
        is_format_sniffed,
        encoding: source.encoding,
        sheet,
        header_row: source.header_row,
        n_rows,
        columns,
        extra_missing,
    })
}

/// A source that only reads `path`: nothing mapped.
fn reading_source(path: &Path, format: Format) -> Source {
    Source {
        name: "init".into(),
        role: Role::Census,
        paths: vec![path.to_owned()],
        format,
        encoding: None,
        header_row: 1,
        sheet: None,
        delimiter: None,
        timezone: chrono_tz::Tz::Asia__Shanghai,
        date_range: crate::job::DEFAULT_DATE_RANGE,
        key: Vec::new(),
        missing: Vec::new(),
        fields: BTreeMap::new(),
        codes: BTreeMap::new(),
        extra: Vec::new(),
    }
}

/// The format of a file whose extension names none, from its first bytes: Parquet's and
/// Arrow's magic, a ZIP for XLSX, text otherwise.
fn sniff_format(path: &Path) -> Result<Format, Error> {
    let unreadable = |source| Error::Unreadable { path: path.to_owned(), source };
    let mut head = Vec::with_capacity(8);
    std::fs::File::open(path)
        .map_err(unreadable)?
        .take(8)
        .read_to_end(&mut head)
        .map_err(unreadable)?;
    Ok(if head.starts_with(b"PAR1") {
        Format::Parquet
    } else if head.starts_with(b"ARROW1") || head.starts_with(&[0xFF; 4]) {
        Format::Arrow
    } else if head.starts_with(b"PK\x03\x04") {
        Format::Xlsx
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Format::Xls
    } else {
        Format::Csv
    })
}

/// The encoding to write for a CSV file: `None` for UTF-8; GBK unless four-byte GB18030
/// sequences show in the first megabyte. The reader's own detection decides: declared UTF-8,
/// it refuses GBK text and names what the bytes fit.
fn csv_encoding(source: &Source) -> Result<Option<Encoding>, Error> {
    let probe = Source { encoding: Some(Encoding::Utf8), ..source.clone() };
    match read::open(&probe) {
        Ok(_) => Ok(None),
        Err(Error::Malformed { problem: Problem::Encoding { .. }, .. }) => {
            let unreadable =
                |err| Error::Unreadable { path: source.path().to_owned(), source: err };
            let mut bytes = Vec::new();
            std::fs::File::open(source.path())
                .map_err(unreadable)?
                .take(1 << 20)
                .read_to_end(&mut bytes)
                .map_err(unreadable)?;
            Ok(Some(if has_four_byte_gb18030(&bytes) { Encoding::Gb18030 } else { Encoding::Gbk }))
        }
        Err(err) => Err(err),
    }
}

/// Whether GB18030 text holds a four-byte sequence (a character GBK lacks).
fn has_four_byte_gb18030(bytes: &[u8]) -> bool {
    let mut idx = 0;
    while idx < bytes.len() {
        match (bytes[idx], bytes.get(idx + 1).copied()) {
            (0x00..=0x7F, _) => idx += 1,
            (_, Some(0x30..=0x39)) => return true,
            _ => idx += 2,
        }
    }
    false
}

/// Title rows above a header: looked for among the first rows.
const MAX_HEADER_ROW: u64 = 10;

/// The CSV line holding the header, and whether it looks like data. Each candidate line is
/// read as the header by the reader itself (so title and blank lines count as it counts
/// them); the header is the first of the fullest lines above the first that looks like data.
fn csv_header_row(source: &Source) -> Result<(u64, bool), Error> {
    let mut rows = Vec::new();
    for header_row in 1..=MAX_HEADER_ROW {
        let candidate = Source { header_row, ..source.clone() };
        match read::open(&candidate) {
            Ok(reader) => {
                let cells: Vec<Option<String>> = reader
                    .header
                    .into_iter()
                    .map(|cell| Some(cell).filter(|c| !c.is_empty()))
                    .collect();
                let is_data_like =
                    cells.iter().flatten().any(|cell| crate::load::looks_like_value(cell));
                rows.push((cells.iter().flatten().count(), is_data_like));
                if is_data_like {
                    break;
                }
            }
            Err(Error::Malformed { problem: Problem::NoHeader { .. }, .. }) => break,
            Err(err) => return Err(err),
        }
    }
    Ok(choose_header(&rows))
}

/// The 1-based header row among `rows` (non-empty cells, looks like data), and whether it
/// looks like data: the first row with the most cells before the first data-like row.
fn choose_header(rows: &[(usize, bool)]) -> (u64, bool) {
    let end = rows.iter().position(|&(_, is_data_like)| is_data_like).unwrap_or(rows.len());
    let most = rows[..end].iter().map(|&(n, _)| n).max().unwrap_or(0);
    match rows[..end].iter().position(|&(n, _)| n == most && n > 0) {
        Some(idx) => (idx as u64 + 1, false),
        None => (1, rows.first().is_some_and(|&(_, is_data_like)| is_data_like)),
    }
}

/// The first sheet of a workbook, its other sheets, the row of its header and whether that
/// looks like data (as [`choose_header`] says, on the cells of the first rows).
fn xlsx_sheet_and_header_row(path: &Path) -> Result<(String, Vec<String>, u64, bool), Error> {
    let format_error = |err: calamine::XlsxError| Error::Malformed {
        path: path.to_owned(),
        problem: Problem::Format { format: "xlsx", message: err.to_string() },
    };
    let file = std::fs::File::open(path)
        .map_err(|source| Error::Unreadable { path: path.to_owned(), source })?;
    let mut workbook: Xlsx<_> = Xlsx::new(std::io::BufReader::new(file)).map_err(format_error)?;
    let mut sheets = workbook.sheet_names();
    if sheets.is_empty() {
        return Err(Error::Malformed { path: path.to_owned(), problem: Problem::Empty });
    }
    let sheet = sheets.remove(0);
    let mut cells = workbook.worksheet_cells_reader(&sheet).map_err(format_error)?;
    // Per row (0-based): non-empty cells, and whether one of them is a number, a date or a
    // long run of digits, as data rows have and headers do not.
    let mut rows = vec![(0usize, false); MAX_HEADER_ROW as usize];
    while let Some(cell) = cells.next_cell().map_err(format_error)? {
        let (row, _) = cell.get_position();
        let Some(slot) = rows.get_mut(row as usize) else {
            break;
        };
        let is_data_like = match cell.get_value() {
            DataRef::Empty | DataRef::Error(_) => continue,
            DataRef::String(text) => crate::load::looks_like_value(text),
            DataRef::SharedString(text) => crate::load::looks_like_value(text),
            DataRef::Int(_)
            | DataRef::Float(_)
            | DataRef::DateTime(_)
            | DataRef::DateTimeIso(_)
            | DataRef::DurationIso(_)
            | DataRef::Bool(_) => true,
        };
        slot.0 += 1;
        slot.1 |= is_data_like;
    }
    let last = rows.iter().rposition(|&(n, _)| n > 0).map_or(0, |idx| idx + 1);
    let (header_row, is_data_like) = choose_header(&rows[..last]);
    Ok((sheet, sheets, header_row, is_data_like))
}

/// A file's header and the first rows of its columns.
struct Sample {
    header: Vec<String>,
    /// Per column, its first [`SAMPLE_ROWS`] values, trimmed, empty for null.
    columns: Vec<Vec<String>>,
    /// The rows sampled.
    n_rows: usize,
}

/// Reads the header and the first [`SAMPLE_ROWS`] rows of a source.
fn sample(source: &Source) -> Result<Sample, Error> {
    let reader = read::open(source)?;
    let mut columns: Vec<Vec<String>> = vec![Vec::new(); reader.header.len()];
    let mut n_rows = 0;
    for raw in reader.batches {
        let raw = raw?;
        let n_taken = raw.batch.num_rows().min(SAMPLE_ROWS - n_rows);
        for (values, array) in columns.iter_mut().zip(raw.batch.columns()) {
            let array =
                array.as_any().downcast_ref::<StringArray>().expect("raw batches are all Utf8");
            values.extend((0..n_taken).map(|row| match array.is_null(row) {
                true => String::new(),
                false => array.value(row).trim().to_owned(),
            }));
        }
        n_rows += n_taken;
        if n_rows >= SAMPLE_ROWS {
            break;
        }
    }
    Ok(Sample { header: reader.header, columns, n_rows })
}

/// Placeholders for missing values that [`DEFAULT_MISSING`] lacks, added when found; separated
/// by spaces.
const EXTRA_MISSING: &str = "无 空 暂无 没有 未填 未填写 未提供 未登记 缺失 NA None none \\N #N/A";

/// Roles of every file: each from its name and header, and the files that tell nothing get
/// the first roles no other file took (census first).
fn assign_roles(analyses: &[Analysis]) -> Vec<(Role, RoleBasis)> {
    let guesses: Vec<(Option<Role>, RoleBasis)> = analyses.iter().map(guess_role).collect();
    let mut taken: BTreeSet<Role> = guesses.iter().filter_map(|(role, _)| *role).collect();
    guesses
        .into_iter()
        .map(|(role, basis)| match role {
            Some(role) => (role, basis),
            None => {
                let role =
                    Role::ALL.into_iter().find(|role| !taken.contains(role)).unwrap_or(Role::Hukou);
                taken.insert(role);
                (role, RoleBasis::Unknown)
            }
        })
        .collect()
}

/// A file's role as its name and its header tell it.
fn guess_role(analysis: &Analysis) -> (Option<Role>, RoleBasis) {
    let file_name = analysis
        .file
        .file_stem()
        .map(|stem| stem.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let by_name: Vec<Role> = Role::ALL
        .into_iter()
        .filter(|&role| role_name_words(role).iter().any(|word| file_name.contains(word)))
        .collect();
    let by_name = match by_name.as_slice() {
        [role] => Some(*role),
        _ => None,
    };
    let mut scores: BTreeMap<Role, u32> = BTreeMap::new();
    for column in &analysis.columns {
        for &(role, word, weight) in ROLE_HEADER_WORDS {
            if column.norm.contains(word) {
                *scores.entry(role).or_default() += weight;
            }
        }
    }
    let mut ranked: Vec<(u32, Role)> = scores.into_iter().map(|(role, s)| (s, role)).collect();
    ranked.sort_by(|a, b| b.cmp(a));
    let by_header = match ranked.as_slice() {
        [(best, role), rest @ ..] if *best >= 3 && rest.first().is_none_or(|(s, _)| s < best) => {
            Some(*role)
        }
        _ => None,
    };
    match (by_name, by_header) {
        (Some(name), Some(header)) if name == header => (Some(name), RoleBasis::Both),
        (Some(name), Some(header)) => (Some(header), RoleBasis::HeaderOverName(name)),
        (Some(name), None) => (Some(name), RoleBasis::Name),
        (None, Some(header)) => (Some(header), RoleBasis::Header),
        (None, None) => (None, RoleBasis::Unknown),
    }
}

/// Words of file names that say a role.
fn role_name_words(role: Role) -> &'static [&'static str] {
    match role {
        Role::Census => &["census", "普查", "pucha"],
        Role::Hukou => &["hukou", "户籍", "户口", "huji"],
        Role::Birth => &["birth", "出生", "chusheng", "newborn"],
        Role::Death => &["death", "死亡", "siwang", "deceased", "殡葬", "火化"],
        Role::School => &["school", "学籍", "学生", "student", "xueji"],
        Role::Insurance => &["insurance", "医保", "参保", "社保", "yibao"],
        Role::Records => &[],
    }
}

/// Words of (normalized) headers that say a role, with their weights.
const ROLE_HEADER_WORDS: &[(Role, &str, u32)] = &[
    (Role::Census, "普查", 3),
    (Role::Census, "登记类型", 2),
    (Role::Census, "填报方式", 2),
    (Role::Census, "与户主关系", 1),
    (Role::Census, "户编号", 1),
    (Role::Hukou, "户籍编号", 3),
    (Role::Hukou, "户籍地址", 2),
    (Role::Hukou, "户籍地详址", 2),
    (Role::Hukou, "户籍", 1),
    (Role::Hukou, "与户主关系", 1),
    (Role::Birth, "新生儿", 3),
    (Role::Birth, "婴儿", 3),
    (Role::Birth, "出生证", 3),
    (Role::Birth, "出生医学证明", 3),
    (Role::Birth, "母亲", 2),
    (Role::Birth, "父亲", 1),
    (Role::Birth, "出生地点", 1),
    (Role::Birth, "出生体重", 2),
    (Role::Birth, "孕周", 2),
    (Role::Death, "死亡", 3),
    (Role::Death, "死因", 3),
    (Role::Death, "殡葬", 2),
    (Role::Death, "火化", 2),
    (Role::School, "学籍", 3),
    (Role::School, "学校", 2),
    (Role::School, "年级", 2),
    (Role::School, "班级", 2),
    (Role::School, "学生", 2),
    (Role::School, "入学", 2),
    (Role::Insurance, "参保", 3),
    (Role::Insurance, "医保", 3),
    (Role::Insurance, "社保", 2),
    (Role::Insurance, "险种", 2),
    (Role::Insurance, "缴费", 2),
];

/// What a header says a column is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Field(Field),
    /// A place that is a division code or an address, as the values tell: the region field,
    /// the address field.
    Place(Field, Field),
    /// A part of the birth date in a column of its own.
    Part(DatePart),
    /// A national student number, which carries the ID number.
    StudentNumber,
    /// `id`: an ID number if its values are, else a record key.
    AmbiguousId,
    /// A field of another person (father, head, contact): not this record's.
    OtherPerson,
    /// The census area (普查区, the 12-digit village-level code) that enumeration area
    /// numbers are unique within.
    CensusArea,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum DatePart {
    Year,
    Month,
    Day,
}

/// How sure a header match is: the header is a known name, or only contains one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Basis {
    Contains,
    Exact,
}

/// Stems of the record's own person's fields: a header is a stem, or a prefix naming the
/// person ([`SELF_PREFIXES`]) and a stem; with a mother's prefix, a name or ID number stem is
/// the mother's field, and with any other prefix the column is another person's.
const PERSON_STEMS: &[(&str, Target)] = &[
    ("姓名", Target::Field(Field::Name)),
    ("名字", Target::Field(Field::Name)),
    ("公民身份号码", Target::Field(Field::IdNumber)),
    ("公民身份证号码", Target::Field(Field::IdNumber)),
    ("公民身份证号", Target::Field(Field::IdNumber)),
    ("居民身份证号码", Target::Field(Field::IdNumber)),
    ("居民身份证号", Target::Field(Field::IdNumber)),
    ("身份证件号码", Target::Field(Field::IdNumber)),
    ("身份证件号", Target::Field(Field::IdNumber)),
    ("身份证号码", Target::Field(Field::IdNumber)),
    ("身份证号", Target::Field(Field::IdNumber)),
    ("身份证", Target::Field(Field::IdNumber)),
    ("身份号码", Target::Field(Field::IdNumber)),
    ("证件号码", Target::Field(Field::IdNumber)),
    ("证件号", Target::Field(Field::IdNumber)),
    ("性别", Target::Field(Field::Sex)),
    ("性别代码", Target::Field(Field::Sex)),
    ("出生日期", Target::Field(Field::BirthDate)),
    ("出生年月日", Target::Field(Field::BirthDate)),
    ("出生年月", Target::Field(Field::BirthDate)),
    ("出生时间", Target::Field(Field::BirthDate)),
    ("出生日期时间", Target::Field(Field::BirthDate)),
    ("生日", Target::Field(Field::BirthDate)),
    ("出生年", Target::Part(DatePart::Year)),
    ("出生年份", Target::Part(DatePart::Year)),
    ("出生月", Target::Part(DatePart::Month)),
    ("出生月份", Target::Part(DatePart::Month)),
    ("出生日", Target::Part(DatePart::Day)),
    ("民族", Target::Field(Field::Ethnicity)),
    ("民族代码", Target::Field(Field::Ethnicity)),
    ("死亡日期", Target::Field(Field::EventDate)),
    ("死亡时间", Target::Field(Field::EventDate)),
];

/// Prefixes naming the record's own person before a stem of [`PERSON_STEMS`] (none is one too);
/// separated by spaces.
const SELF_PREFIXES: &str = "本人 个人 人员 居民 公民 新生儿 婴儿 出生儿 死者 死亡者 亡者 逝者 学生 参保人 \
                             被保险人 参保 患者 登记人";

/// Prefixes naming the mother before a name or ID number stem.
const MOTHER_PREFIXES: [&str; 4] = ["母亲", "生母", "产妇", "母"];

/// Headers of household, place and census fields, and their English names (normalized:
/// lower case, no spaces or `_`), matched whole.
const EXACT_HEADERS: &[(&str, Target)] = &[
    ("普查区代码", Target::CensusArea),
    ("普查区编码", Target::CensusArea),
    ("普查区编号", Target::CensusArea),
    ("普查区", Target::CensusArea),
    ("普查小区", Target::Field(Field::EnumerationArea)),
    ("普查小区代码", Target::Field(Field::EnumerationArea)),
    ("普查小区编码", Target::Field(Field::EnumerationArea)),
    ("普查小区编号", Target::Field(Field::EnumerationArea)),
    ("调查小区", Target::Field(Field::EnumerationArea)),
    ("调查小区代码", Target::Field(Field::EnumerationArea)),
    ("户编号", Target::Field(Field::HouseholdId)),
    ("户号", Target::Field(Field::HouseholdId)),
    ("户代码", Target::Field(Field::HouseholdId)),
    ("家庭编号", Target::Field(Field::HouseholdId)),
    ("住户编号", Target::Field(Field::HouseholdId)),
    ("户籍户号", Target::Field(Field::HouseholdId)),
    ("与户主关系", Target::Field(Field::Relation)),
    ("曾用名", Target::Field(Field::OtherNames)),
    ("别名", Target::Field(Field::OtherNames)),
    ("其他姓名", Target::Field(Field::OtherNames)),
    ("formername", Target::Field(Field::OtherNames)),
    ("formernames", Target::Field(Field::OtherNames)),
    ("othernames", Target::Field(Field::OtherNames)),
    ("alias", Target::Field(Field::OtherNames)),
    ("与户主的关系", Target::Field(Field::Relation)),
    ("与户主关系代码", Target::Field(Field::Relation)),
    ("家庭关系", Target::Field(Field::Relation)),
    ("户内关系", Target::Field(Field::Relation)),
    ("关系", Target::Field(Field::Relation)),
    ("登记类型", Target::Field(Field::RecordType)),
    ("人员类别", Target::Field(Field::RecordType)),
    ("人员类型", Target::Field(Field::RecordType)),
    ("人口类别", Target::Field(Field::RecordType)),
    ("人口类型", Target::Field(Field::RecordType)),
    ("常住类型", Target::Field(Field::RecordType)),
    ("填报方式", Target::Field(Field::CollectionMode)),
    ("登记方式", Target::Field(Field::CollectionMode)),
    ("采集方式", Target::Field(Field::CollectionMode)),
    ("填报类型", Target::Field(Field::CollectionMode)),
    ("户籍地代码", Target::Field(Field::HukouRegion)),
    ("户籍地区划代码", Target::Field(Field::HukouRegion)),
    ("户籍区划代码", Target::Field(Field::HukouRegion)),
    ("户籍所在地代码", Target::Field(Field::HukouRegion)),
    ("户口登记地代码", Target::Field(Field::HukouRegion)),
    ("户口所在地代码", Target::Field(Field::HukouRegion)),
    ("户籍代码", Target::Field(Field::HukouRegion)),
    ("户口登记地", Target::Place(Field::HukouRegion, Field::HukouAddress)),
    ("户籍地", Target::Place(Field::HukouRegion, Field::HukouAddress)),
    ("户籍所在地", Target::Place(Field::HukouRegion, Field::HukouAddress)),
    ("户口所在地", Target::Place(Field::HukouRegion, Field::HukouAddress)),
    ("户籍登记地", Target::Place(Field::HukouRegion, Field::HukouAddress)),
    ("户籍地址", Target::Field(Field::HukouAddress)),
    ("户籍地详址", Target::Field(Field::HukouAddress)),
    ("户籍详细地址", Target::Field(Field::HukouAddress)),
    ("户籍地详细地址", Target::Field(Field::HukouAddress)),
    ("户口地址", Target::Field(Field::HukouAddress)),
    ("户口登记地址", Target::Field(Field::HukouAddress)),
    ("户籍所在地址", Target::Field(Field::HukouAddress)),
    ("户籍所在地详细地址", Target::Field(Field::HukouAddress)),
    ("户口所在地详细地址", Target::Field(Field::HukouAddress)),
    ("户籍住址", Target::Field(Field::HukouAddress)),
    ("现住地代码", Target::Field(Field::ResidenceRegion)),
    ("现住址代码", Target::Field(Field::ResidenceRegion)),
    ("现住地区划代码", Target::Field(Field::ResidenceRegion)),
    ("居住地代码", Target::Field(Field::ResidenceRegion)),
    ("居住地区划代码", Target::Field(Field::ResidenceRegion)),
    ("现居住地代码", Target::Field(Field::ResidenceRegion)),
    ("常住地代码", Target::Field(Field::ResidenceRegion)),
    ("参保地代码", Target::Field(Field::ResidenceRegion)),
    ("现住地", Target::Place(Field::ResidenceRegion, Field::ResidenceAddress)),
    ("居住地", Target::Place(Field::ResidenceRegion, Field::ResidenceAddress)),
    ("现居住地", Target::Place(Field::ResidenceRegion, Field::ResidenceAddress)),
    ("常住地", Target::Place(Field::ResidenceRegion, Field::ResidenceAddress)),
    ("参保地", Target::Place(Field::ResidenceRegion, Field::ResidenceAddress)),
    ("现住址", Target::Field(Field::ResidenceAddress)),
    ("现住地址", Target::Field(Field::ResidenceAddress)),
    ("现居住地址", Target::Field(Field::ResidenceAddress)),
    ("居住地址", Target::Field(Field::ResidenceAddress)),
    ("家庭住址", Target::Field(Field::ResidenceAddress)),
    ("家庭地址", Target::Field(Field::ResidenceAddress)),
    ("联系地址", Target::Field(Field::ResidenceAddress)),
    ("通讯地址", Target::Field(Field::ResidenceAddress)),
    ("常住地址", Target::Field(Field::ResidenceAddress)),
    ("住址", Target::Field(Field::ResidenceAddress)),
    ("地址", Target::Field(Field::ResidenceAddress)),
    ("详细地址", Target::Field(Field::ResidenceAddress)),
    ("入学日期", Target::Field(Field::EventDate)),
    ("入学时间", Target::Field(Field::EventDate)),
    ("参保日期", Target::Field(Field::EventDate)),
    ("参保时间", Target::Field(Field::EventDate)),
    ("人员状态", Target::Field(Field::Status)),
    ("户籍状态", Target::Field(Field::Status)),
    ("户口状态", Target::Field(Field::Status)),
    ("参保状态", Target::Field(Field::Status)),
    ("缴费状态", Target::Field(Field::Status)),
    ("参保缴费状态", Target::Field(Field::Status)),
    ("学籍状态", Target::Field(Field::Status)),
    ("在籍状态", Target::Field(Field::Status)),
    ("注销日期", Target::Field(Field::StatusDate)),
    ("注销时间", Target::Field(Field::StatusDate)),
    ("终止日期", Target::Field(Field::StatusDate)),
    ("终止参保日期", Target::Field(Field::StatusDate)),
    ("状态日期", Target::Field(Field::StatusDate)),
    ("状态变更日期", Target::Field(Field::StatusDate)),
    ("全国学籍号", Target::StudentNumber),
    ("全国学籍号码", Target::StudentNumber),
    ("学籍号", Target::StudentNumber),
    ("学生学籍号", Target::StudentNumber),
    ("name", Target::Field(Field::Name)),
    ("fullname", Target::Field(Field::Name)),
    ("personname", Target::Field(Field::Name)),
    ("xm", Target::Field(Field::Name)),
    ("id", Target::AmbiguousId),
    ("idno", Target::Field(Field::IdNumber)),
    ("idcard", Target::Field(Field::IdNumber)),
    ("idcardno", Target::Field(Field::IdNumber)),
    ("nationalid", Target::Field(Field::IdNumber)),
    ("citizenid", Target::Field(Field::IdNumber)),
    ("sfzh", Target::Field(Field::IdNumber)),
    ("sfzhm", Target::Field(Field::IdNumber)),
    ("gmsfhm", Target::Field(Field::IdNumber)),
    ("zjhm", Target::Field(Field::IdNumber)),
    ("gender", Target::Field(Field::Sex)),
    ("xb", Target::Field(Field::Sex)),
    ("dob", Target::Field(Field::BirthDate)),
    ("birthdate", Target::Field(Field::BirthDate)),
    ("dateofbirth", Target::Field(Field::BirthDate)),
    ("birthday", Target::Field(Field::BirthDate)),
    ("csrq", Target::Field(Field::BirthDate)),
    ("birthyear", Target::Part(DatePart::Year)),
    ("yearofbirth", Target::Part(DatePart::Year)),
    ("yob", Target::Part(DatePart::Year)),
    ("birthmonth", Target::Part(DatePart::Month)),
    ("monthofbirth", Target::Part(DatePart::Month)),
    ("dayofbirth", Target::Part(DatePart::Day)),
    ("ethnic", Target::Field(Field::Ethnicity)),
    ("ethnicgroup", Target::Field(Field::Ethnicity)),
    ("mz", Target::Field(Field::Ethnicity)),
    ("relationship", Target::Field(Field::Relation)),
    ("relationtohead", Target::Field(Field::Relation)),
    ("yhzgx", Target::Field(Field::Relation)),
    ("ea", Target::Field(Field::EnumerationArea)),
    ("eacode", Target::Field(Field::EnumerationArea)),
    ("household", Target::Field(Field::HouseholdId)),
    ("hhid", Target::Field(Field::HouseholdId)),
    ("address", Target::Field(Field::ResidenceAddress)),
    ("addr", Target::Field(Field::ResidenceAddress)),
    ("deathdate", Target::Field(Field::EventDate)),
    ("dateofdeath", Target::Field(Field::EventDate)),
    ("dod", Target::Field(Field::EventDate)),
    ("motheridnumber", Target::Field(Field::MotherId)),
    ("enrolmentstatus", Target::Field(Field::Status)),
    ("enrollmentstatus", Target::Field(Field::Status)),
    ("registerstatus", Target::Field(Field::Status)),
    ("statusdate", Target::Field(Field::StatusDate)),
    ("cancellationdate", Target::Field(Field::StatusDate)),
    ("fatherid", Target::OtherPerson),
    ("fathername", Target::OtherPerson),
];

/// Words of headers that name a person other than the record's (the father, the head of
/// household, a contact), whose name or ID is not the record's; separated by spaces.
const OTHER_PERSON_WORDS: &str = "父 户主 监护人 联系人 配偶 家长 法人 经办人 申报人 代理人 填报人";

/// What a column's header says it is, and how sure that is.
fn header_target(norm: &str) -> Option<(Target, Basis)> {
    if norm.is_empty() {
        return None;
    }
    if let Some(&(_, target)) = EXACT_HEADERS.iter().find(|(header, _)| *header == norm) {
        return Some((target, Basis::Exact));
    }
    // The canonical fields' own names: `id_number`, `birth_date`, `hukou_region`, ...
    if let Some(field) = Field::ALL
        .into_iter()
        .find(|field| field.as_str().replace('_', "") == norm && *field != Field::RecordId)
    {
        return Some((Target::Field(field), Basis::Exact));
    }
    for &(stem, target) in PERSON_STEMS {
        let Some(prefix) = norm.strip_suffix(stem) else {
            continue;
        };
        if prefix.is_empty() || SELF_PREFIXES.split(' ').any(|word| word == prefix) {
            return Some((target, Basis::Exact));
        }
        if MOTHER_PREFIXES.contains(&prefix) {
            return Some(match target {
                Target::Field(Field::Name) => (Target::Field(Field::MotherName), Basis::Exact),
                Target::Field(Field::IdNumber) => (Target::Field(Field::MotherId), Basis::Exact),
                _ => (Target::OtherPerson, Basis::Exact),
            });
        }
        if OTHER_PERSON_WORDS.split(' ').any(|word| prefix.contains(word)) {
            return Some((Target::OtherPerson, Basis::Exact));
        }
    }
    contained_target(norm).map(|target| (target, Basis::Contains))
}

/// What a header that is no known name says by the words it contains.
fn contained_target(norm: &str) -> Option<Target> {
    let has = |words: &[&str]| words.iter().any(|word| norm.contains(word));
    let is_other_person = OTHER_PERSON_WORDS.split(' ').any(|word| norm.contains(word));
    let is_mother = has(&MOTHER_PREFIXES);
    // `身份证件类别` names the kind of document (居民身份证, 护照), not its number.
    let is_id = has(&["身份证", "证件号", "身份号码"]) && !has(&["类别", "类型", "种类"]);
    let is_code = has(&["代码", "区划", "编码"]);
    let is_address = has(&["地址", "住址", "详址"]);
    let is_hukou = has(&["户籍", "户口"]);
    Some(match () {
        () if is_mother && is_id => Target::Field(Field::MotherId),
        () if is_mother && norm.contains("姓名") => Target::Field(Field::MotherName),
        () if is_other_person || is_mother => return None,
        () if is_id => Target::Field(Field::IdNumber),
        () if is_hukou && is_code => Target::Field(Field::HukouRegion),
        () if is_hukou && is_address => Target::Field(Field::HukouAddress),
        () if has(&["现住", "居住", "常住"]) && is_code => {
            Target::Field(Field::ResidenceRegion)
        }
        () if is_address && !has(&["单位", "工作", "学校", "医院", "出生地"]) => {
            Target::Field(Field::ResidenceAddress)
        }
        () if norm.contains("死亡") && has(&["日期", "时间"]) => {
            Target::Field(Field::EventDate)
        }
        () if norm.contains("性别") => Target::Field(Field::Sex),
        () if norm.contains("民族") => Target::Field(Field::Ethnicity),
        () if norm.contains("出生日期") || norm.contains("出生年月") => {
            Target::Field(Field::BirthDate)
        }
        () if norm.contains("普查小区") => Target::Field(Field::EnumerationArea),
        () => return None,
    })
}

/// Whether a header names a record number.
fn is_key_header(norm: &str) -> bool {
    const SUFFIXES: [&str; 8] =
        ["编号", "序号", "记录号", "流水号", "证号", "证书号", "登记号", "档案号"];
    const ENGLISH: [&str; 10] =
        ["recid", "recordid", "recordno", "record", "key", "serial", "seq", "no", "rowid", "uid"];
    SUFFIXES.iter().any(|suffix| norm.ends_with(suffix)) || ENGLISH.contains(&norm)
}

/// Infers one source from its analysis and role.
fn infer_source(
    analysis: &Analysis,
    name: String,
    role: Role,
    role_basis: RoleBasis,
    folder: &Path,
    lang: Lang,
) -> Inferred {
    let columns = &analysis.columns;
    let mut placement = place_by_header(columns, lang);
    choose_key(&mut placement, columns, analysis.n_rows, lang);
    place_by_values(&mut placement, columns, lang);
    qualify_numbers(&mut placement, columns, lang);
    read_census_places(&mut placement, columns, lang);
    // A birth certificate's event is the birth.
    let birth = placement.fields.iter().find(|line| line.field == Field::BirthDate);
    if role == Role::Birth
        && !placement.taken.contains(&Field::EventDate)
        && let Some(FieldLine { mapping: FieldMapping::Column(header), column, .. }) = birth
    {
        let (header, column) = (header.clone(), *column);
        let note = Note::info(lang.pick("出生即事件".into(), "the birth is the event".into()));
        placement.push(Field::EventDate, FieldMapping::Column(header), column, Some(note));
    }
    check_values(&mut placement.fields, columns, lang);
    let Placement { mut fields, taken, used, key, .. } = placement;
    fields.sort_by_key(|line| (line.column, line.field));

    // Code tables for codes the standardizer does not read by itself.
    let mut code_tables = Vec::new();
    let mut code_notes = Vec::new();
    for line in &fields {
        let FieldMapping::Column(header) = &line.mapping else {
            continue;
        };
        if line.field.kind() != FieldKind::Code {
            continue;
        }
        let (table, note) = code_table(line.field, header, &columns[line.column].values, lang);
        code_tables.extend(table);
        code_notes.extend(note);
    }

    let mut not_mapped: Vec<String> = columns
        .iter()
        .enumerate()
        .filter(|(idx, column)| column.is_usable && !used.contains(idx))
        .map(|(_, column)| column.header.clone())
        .collect();
    let duplicates: Vec<String> = columns
        .iter()
        .filter(|column| !column.is_usable && !column.header.is_empty())
        .map(|column| column.header.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // A source without a name or an ID number is linked on extra fields: its other columns.
    let is_unidentified = !taken.contains(&Field::Name) && !taken.contains(&Field::IdNumber);
    let extra = if is_unidentified { extra_fields(&not_mapped) } else { Vec::new() };
    let extra_note = (!extra.is_empty()).then(|| {
        not_mapped.clear();
        Note::check(lang.pick(
            "没有姓名或身份证号列：其余各列作为附加字段，按其比对".into(),
            "no name or ID number column: the other columns are extra fields to link on".into(),
        ))
    });

    let key = key.map(|(idxs, note)| {
        (idxs.iter().map(|&idx| columns[idx].header.clone()).collect::<Vec<_>>(), note)
    });
    let key_absent_note = key.is_none().then(|| {
        Note::check(lang.pick(
            "没有找到记录编号列：记录以行号为键".into(),
            "no record number column found: records are keyed by their row numbers".into(),
        ))
    });
    let file_name = analysis.file.file_name().map(|n| n.to_string_lossy().into_owned());
    let (file_name, n_columns, n_rows) =
        (file_name.unwrap_or_default(), columns.len(), analysis.n_rows);
    Inferred {
        files: vec![analysis.file.clone()],
        path_texts: vec![job_relative_path(&analysis.file, folder)],
        name,
        role,
        role_note: role_note(role_basis, lang),
        format: analysis.format,
        format_note: analysis.is_format_sniffed.then(|| {
            Note::guess(lang.pick("据文件内容".into(), "from the file's first bytes".into()))
        }),
        encoding: analysis.encoding,
        sheet: sheet_line(analysis, lang),
        header_row: header_row_line(analysis, lang),
        key,
        key_absent_note,
        missing: missing_line(&analysis.extra_missing, lang),
        heading: lang.pick(
            format!("{file_name}：{n_columns} 列，取样 {n_rows} 行"),
            format!("{file_name}: {n_columns} columns, {n_rows} rows sampled"),
        ),
        fields,
        extra,
        extra_note,
        codes: code_tables,
        code_notes,
        not_mapped,
        duplicates,
    }
}

/// The columns of a source as they are placed: onto fields, as the key, or left.
#[derive(Default)]
struct Placement {
    fields: Vec<FieldLine>,
    /// The fields mapped.
    taken: BTreeSet<Field>,
    /// The columns mapped or keyed.
    used: BTreeSet<usize>,
    /// Columns of another person's data (the father's name), never placed.
    other_person: BTreeSet<usize>,
    /// `id` columns whose values are no ID numbers: record keys, perhaps.
    id_key_candidates: BTreeSet<usize>,
    /// The key columns, with a note when in doubt.
    key: Option<(Vec<usize>, Option<Note>)>,
    /// The census area column (普查区代码), when there is one.
    census_area: Option<usize>,
}

impl Placement {
    fn push(&mut self, field: Field, mapping: FieldMapping, column: usize, note: Option<Note>) {
        self.fields.push(FieldLine { field, mapping, column, note });
        self.taken.insert(field);
        self.used.insert(column);
    }

    /// Whether a column is still free to place.
    fn is_free(&self, columns: &[ColumnSample], idx: usize) -> bool {
        columns[idx].is_usable && !self.used.contains(&idx) && !self.other_person.contains(&idx)
    }
}

/// Places the columns whose headers name a field, each field from its surest, then first,
/// column (the others stay unmapped); the values decide where the header leaves a choice.
fn place_by_header(columns: &[ColumnSample], lang: Lang) -> Placement {
    let mut placement = Placement::default();
    let mut claims: Vec<(usize, Field, Basis, Option<Note>)> = Vec::new();
    let mut parts: BTreeMap<DatePart, usize> = BTreeMap::new();
    for (idx, column) in columns.iter().enumerate() {
        if !column.is_usable {
            continue;
        }
        let Some((target, basis)) = header_target(&column.norm) else {
            continue;
        };
        let from_name = (basis == Basis::Contains)
            .then(|| Note::guess(lang.pick("据列名".into(), "from the column name".into())));
        match target {
            // A column named only by a word it contains holds ID numbers only if its values
            // are: an ID type column (居民身份证) is not one.
            Target::Field(Field::IdNumber)
                if basis == Basis::Contains && share(&column.values, is_id_like) < 0.5 => {}
            Target::Field(field) => claims.push((idx, field, basis, from_name)),
            Target::Place(region_field, address_field) => {
                let (field, note) = match share(&column.values, is_region_like) >= 0.8 {
                    true => (
                        region_field,
                        lang.pick("取值是区划代码".into(), "the values are division codes".into()),
                    ),
                    false => (
                        address_field,
                        lang.pick(
                            "取值不是区划代码，按地址读".into(),
                            "the values are not division codes: read as an address".into(),
                        ),
                    ),
                };
                claims.push((idx, field, basis, Some(Note::guess(note))));
            }
            Target::Part(part) => {
                parts.entry(part).or_insert(idx);
            }
            Target::StudentNumber => {
                let share = share(&column.values, is_id_like);
                let note = match share >= 0.8 {
                    true => Note::info(lang.pick(
                        "学籍号含身份证号（G 加身份证号）".into(),
                        "student numbers carry the ID number (G and the ID)".into(),
                    )),
                    false => Note::check(lang.pick(
                        format!("学籍号：取样值只有 {} 读作身份证号", percent(share)),
                        format!(
                            "student numbers: only {} of the sampled values read as ID numbers",
                            percent(share)
                        ),
                    )),
                };
                claims.push((idx, Field::IdNumber, basis, Some(note)));
            }
            Target::AmbiguousId => match share(&column.values, is_id_like) >= 0.5 {
                true => claims.push((idx, Field::IdNumber, basis, None)),
                false => {
                    placement.id_key_candidates.insert(idx);
                }
            },
            Target::OtherPerson => {
                placement.other_person.insert(idx);
            }
            Target::CensusArea => {
                placement.census_area.get_or_insert(idx);
            }
        }
    }
    claims.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    for (idx, field, _, note) in claims {
        if !placement.taken.contains(&field) && !placement.used.contains(&idx) {
            placement.push(field, FieldMapping::Column(columns[idx].header.clone()), idx, note);
        }
    }
    // A birth date in year, month and day columns; the parts stay out of value guesses.
    if let Some(&year) = parts.get(&DatePart::Year)
        && !placement.taken.contains(&Field::BirthDate)
    {
        let month = parts.get(&DatePart::Month).copied();
        let day = month.and(parts.get(&DatePart::Day).copied());
        let header = |idx: usize| columns[idx].header.clone();
        let mapping = FieldMapping::Parts {
            year: header(year),
            month: month.map(header),
            day: day.map(header),
        };
        placement.push(Field::BirthDate, mapping, year, None);
        placement.used.extend([month, day].into_iter().flatten());
    }
    placement.other_person.extend(parts.values().filter(|idx| !placement.used.contains(idx)));
    placement
}

/// The record key: a free column whose header names a record number, unique in the sample if
/// one is; else a column of unique record numbers by its values. Never a column of ID numbers,
/// since lists name records by their keys.
fn choose_key(placement: &mut Placement, columns: &[ColumnSample], n_rows: usize, lang: Lang) {
    let is_unique = |column: &ColumnSample| {
        column.n_missing == 0
            && !column.values.is_empty()
            && column.values.iter().collect::<BTreeSet<_>>().len() == column.values.len()
    };
    let is_named_key = |idx: usize| {
        is_key_header(&columns[idx].norm) || placement.id_key_candidates.contains(&idx)
    };
    let candidates: Vec<usize> = (0..columns.len())
        .filter(|&idx| placement.is_free(columns, idx) && is_named_key(idx))
        .filter(|&idx| share(&columns[idx].values, is_id_like) < 0.5)
        .collect();
    let key = match candidates.iter().find(|&&idx| is_unique(&columns[idx])) {
        Some(&idx) => Some((idx, None)),
        // A number unique only within its household (the census's person number): the
        // household's own numbers before it, when together they tell the rows apart.
        None if let Some(columns_key) = qualified_key(placement, columns, &candidates) => {
            placement.used.extend(columns_key.iter().copied());
            let note = Note::info(
                lang.pick(
                    "人员序号只在户内唯一：键前接其所在普查小区与户的编号".into(),
                    "the person number is unique only within its household: the key puts its \
                     area's and household's numbers before it"
                        .into(),
                ),
            );
            placement.key = Some((columns_key, Some(note)));
            return;
        }
        None => match candidates.first() {
            Some(&idx) => Some((
                idx,
                Some(Note::check(lang.pick(
                    format!("前 {n_rows} 行中有重复或空的编号"),
                    format!("the first {n_rows} rows have repeated or empty numbers"),
                ))),
            )),
            None => (0..columns.len())
                .filter(|&idx| placement.is_free(columns, idx))
                .find(|&idx| {
                    let column = &columns[idx];
                    is_unique(column)
                        && column.values.iter().all(|v| is_record_number(v))
                        && share(&column.values, is_id_like) < 0.5
                })
                .map(|idx| {
                    let note = Note::guess(lang.pick(
                        format!("前 {n_rows} 行中取值各不相同"),
                        format!("unique in the first {n_rows} rows"),
                    ));
                    (idx, Some(note))
                }),
        },
    };
    if let Some((idx, _)) = key {
        placement.used.insert(idx);
    }
    placement.key = key.map(|(idx, note)| (vec![idx], note));
}

/// The census's numbering: an enumeration area number (普查小区编号, 3 digits) is unique only
/// within its census area (普查区代码), a household number (户编号) only within its area, a
/// person number (人员序号) only within its household. The columns of a key made of the
/// census area (when there is one), area and household numbers and the first of
/// `candidates`, when together they are unique in the sample.
fn qualified_key(
    placement: &Placement,
    columns: &[ColumnSample],
    candidates: &[usize],
) -> Option<Vec<usize>> {
    let &person = candidates.first()?;
    let column_of = |field: Field| {
        placement.fields.iter().find(|line| line.field == field).map(|line| line.column)
    };
    let (area, household) = (column_of(Field::EnumerationArea)?, column_of(Field::HouseholdId)?);
    // An area column of full 15-digit codes needs no census area before it.
    let key: Vec<usize> =
        placement.census_area.into_iter().chain([area, household, person]).collect();
    let n_rows = columns[person].values.len();
    let is_complete =
        key.iter().all(|&idx| columns[idx].n_missing == 0 && columns[idx].values.len() == n_rows);
    let rows: BTreeSet<Vec<&str>> = (0..n_rows)
        .map(|row| key.iter().map(|&idx| columns[idx].values[row].as_str()).collect())
        .collect();
    (is_complete && rows.len() == n_rows).then_some(key)
}

/// Qualifies the census's short numbers by the codes above them: an enumeration area number
/// by its census area (`{ columns = ["普查区代码", "普查小区编号"], separator = "" }`, the
/// 15-digit area code), a household number by its area (joined by `-`, to the area's full
/// code whether it comes in one column or two), so that no number repeats across villages.
fn qualify_numbers(placement: &mut Placement, columns: &[ColumnSample], lang: Lang) {
    let is_short = |idx: usize| {
        let values = &columns[idx].values;
        !values.is_empty() && values.iter().all(|v| v.chars().count() <= 4)
    };
    let Some((area, area_column)) =
        placement.fields.iter().enumerate().find_map(|(idx, line)| match &line.mapping {
            FieldMapping::Column(column) if line.field == Field::EnumerationArea => {
                Some((idx, column.clone()))
            }
            _ => None,
        })
    else {
        return;
    };
    let area_columns = if is_short(placement.fields[area].column) {
        let Some(census_area) = placement.census_area else { return };
        placement.used.insert(census_area);
        let area_columns = vec![columns[census_area].header.clone(), area_column];
        let line = &mut placement.fields[area];
        line.mapping = FieldMapping::Concat { columns: area_columns.clone(), separator: "" };
        line.note = Some(Note::info(lang.pick(
            "普查小区编号只在普查区内唯一：前接普查区代码".into(),
            "area numbers are unique only within their census area: joined to its code".into(),
        )));
        area_columns
    } else {
        vec![area_column]
    };
    for line in &mut placement.fields {
        let FieldMapping::Column(column) = &line.mapping else { continue };
        if line.field == Field::HouseholdId && is_short(line.column) {
            let mut columns = area_columns.clone();
            columns.push(column.clone());
            line.mapping = FieldMapping::Concat { columns, separator: "-" };
            line.note = Some(Note::info(lang.pick(
                "户编号只在普查小区内唯一：前接普查区与普查小区".into(),
                "household numbers are unique only within their area: joined to it".into(),
            )));
        }
    }
}

/// Reads the 7th census's place categories: a region code filled only for another county
/// (户口登记地代码 beside 户口登记地类别, D8; 现住地代码 beside 现住地类别, D7) is the place
/// the category names, the census area's code cut to that level.
fn read_census_places(placement: &mut Placement, columns: &[ColumnSample], lang: Lang) {
    let Some(census_area) = placement.census_area else { return };
    let questions = [
        (Field::HukouRegion, "d8", "户口登记地类别", "户口登记地"),
        (Field::ResidenceRegion, "d7", "现住地类别", "现住地"),
    ];
    for (field, question, category_header, place) in questions {
        let Some(category) = columns.iter().position(|c| c.header == category_header) else {
            continue;
        };
        if !placement.is_free(columns, category) {
            continue;
        }
        let Some(line) = placement.fields.iter_mut().find(|line| line.field == field) else {
            continue;
        };
        let FieldMapping::Column(code) = &line.mapping else { continue };
        line.mapping = FieldMapping::CensusPlace {
            question,
            category: category_header.to_owned(),
            code: code.clone(),
            area: columns[census_area].header.clone(),
        };
        line.note = Some(Note::info(lang.pick(
            format!("{place}按类别取本村、本乡或本县（普查区代码截取），外县才取代码"),
            format!("{place} at the level its category names (the census area's code cut down); the code for another county"),
        )));
        placement.used.insert(category);
        placement.used.insert(census_area);
    }
}

/// Places the free columns that the header does not, by their values.
fn place_by_values(placement: &mut Placement, columns: &[ColumnSample], lang: Lang) {
    for (idx, column) in columns.iter().enumerate() {
        if !placement.is_free(columns, idx) || column.values.len() < 3 {
            continue;
        }
        let Some((field, text)) = value_target(column, &placement.taken, lang) else {
            continue;
        };
        let text = lang.pick(format!("据取值（{text}）"), format!("from the values ({text})"));
        let mapping = FieldMapping::Column(column.header.clone());
        placement.push(field, mapping, idx, Some(Note::guess(text)));
    }
}

/// Puts a check on each field mapped by its header whose values mostly do not read as the
/// field's kind (ID numbers, dates, division codes).
fn check_values(fields: &mut [FieldLine], columns: &[ColumnSample], lang: Lang) {
    for line in fields {
        let (FieldMapping::Column(_), None) = (&line.mapping, &line.note) else {
            continue;
        };
        let values = &columns[line.column].values;
        let (share, what) = match line.field.kind() {
            FieldKind::IdNumber => (share(values, is_id_like), lang.pick("身份证号", "ID numbers")),
            FieldKind::Date => {
                (share(values, |v| date::parse_date(v).is_ok()), lang.pick("日期", "dates"))
            }
            FieldKind::Region => {
                (share(values, is_region_like), lang.pick("区划代码", "division codes"))
            }
            _ => continue,
        };
        if !values.is_empty() && share < 0.5 {
            line.note = Some(Note::check(lang.pick(
                format!("取样值只有 {} 读作{what}", percent(share)),
                format!("only {} of the sampled values read as {what}", percent(share)),
            )));
        }
    }
}

/// Extra fields for unmapped columns: the header's own name when it makes one, `column_N`
/// otherwise.
fn extra_fields(not_mapped: &[String]) -> Vec<(String, String)> {
    let mut names = BTreeSet::new();
    let mut extra = Vec::with_capacity(not_mapped.len());
    for (position, header) in not_mapped.iter().enumerate() {
        let mut name = extra_field_name(header);
        if name.is_empty() || names.contains(&name) {
            name = format!("column_{}", position + 1);
        }
        names.insert(name.clone());
        extra.push((name, header.clone()));
    }
    extra
}

/// The comment on a role, unless file name and header agree.
fn role_note(basis: RoleBasis, lang: Lang) -> Option<Note> {
    Some(match basis {
        RoleBasis::Both => return None,
        RoleBasis::Name => {
            Note::guess(lang.pick("仅据文件名".into(), "from the file name only".into()))
        }
        RoleBasis::Header => Note::guess(lang.pick(
            "据列名（文件名未说明）".into(),
            "from the column names (the file name does not say)".into(),
        )),
        RoleBasis::HeaderOverName(by_name) => Note::guess(lang.pick(
            format!("据列名；文件名像 {by_name}"),
            format!("from the column names; the file name suggests {by_name}"),
        )),
        RoleBasis::Unknown => Note::check(lang.pick(
            "文件名与列名都看不出角色，请填写正确的角色".into(),
            "neither the file name nor the columns tell the role: set the right one".into(),
        )),
    })
}

/// The `sheet` line of a workbook, with a check when it has other sheets.
fn sheet_line(analysis: &Analysis, lang: Lang) -> Option<(String, Option<Note>)> {
    let (sheet, others) = analysis.sheet.as_ref()?;
    let others = others.join(", ");
    let note = (!others.is_empty()).then(|| {
        Note::check(lang.pick(
            format!("工作簿另有工作表：{others}；读取第一个"),
            format!("the workbook has other sheets too: {others}; the first is read"),
        ))
    });
    Some((sheet.clone(), note))
}

/// The `header_row` line, when title rows stand above the header.
fn header_row_line(analysis: &Analysis, lang: Lang) -> Option<(u64, Note)> {
    match analysis.header_row {
        1 => None,
        row => Some((
            row,
            Note::info(lang.pick("表头上方有标题行".into(), "title rows above the header".into())),
        )),
    }
}

/// The `missing` line when the values hold placeholders beyond the default tokens: the
/// defaults and those.
fn missing_line(extra_missing: &[&str], lang: Lang) -> Option<(Vec<String>, Note)> {
    if extra_missing.is_empty() {
        return None;
    }
    let tokens = DEFAULT_MISSING.iter().chain(extra_missing).map(|t| (*t).to_owned()).collect();
    let found = extra_missing.iter().map(|t| quote(t)).collect::<Vec<_>>().join(", ");
    let note = Note::guess(lang.pick(
        format!("取值中有 {found}，按缺失读"),
        format!("{found} in the values: read as missing"),
    ));
    Some((tokens, note))
}

/// The field a column's values say it holds, among fields not yet taken, and what showed it.
fn value_target(
    column: &ColumnSample,
    taken: &BTreeSet<Field>,
    lang: Lang,
) -> Option<(Field, String)> {
    let values = &column.values;
    let is_free = |field| !taken.contains(&field);
    let id_share = share(values, is_id_like);
    if id_share >= 0.8 && is_free(Field::IdNumber) {
        let text = lang.pick(
            format!("{} 读作身份证号", percent(id_share)),
            format!("{} read as ID numbers", percent(id_share)),
        );
        return Some((Field::IdNumber, text));
    }
    let date_share = share(values, |v| v.chars().count() >= 6 && date::parse_date(v).is_ok());
    if date_share >= 0.9 && is_free(Field::BirthDate) {
        let text = lang.pick(
            format!("{} 读作日期", percent(date_share)),
            format!("{} read as dates", percent(date_share)),
        );
        return Some((Field::BirthDate, text));
    }
    let sex_share = share(values, |v| SEX_WORDS.contains(&v.to_lowercase().as_str()));
    let n_distinct = values.iter().collect::<BTreeSet<_>>().len();
    if sex_share >= 0.95 && n_distinct >= 2 && is_free(Field::Sex) {
        return Some((Field::Sex, lang.pick("男女".into(), "sexes".into())));
    }
    let name_share = share(values, is_name_like);
    if name_share >= 0.9 && n_distinct * 2 >= values.len() && is_free(Field::Name) {
        let text = lang.pick(
            format!("{} 像姓名", percent(name_share)),
            format!("{} look like names", percent(name_share)),
        );
        return Some((Field::Name, text));
    }
    None
}

/// Sexes written as words (not digits, which many codes share).
const SEX_WORDS: [&str; 8] = ["男", "女", "男性", "女性", "m", "f", "male", "female"];

/// Whether a value reads as an ID number, perhaps mistyped or cut by a spreadsheet; numbers
/// whose date or address code is impossible do not count, since long record numbers are such.
fn is_id_like(value: &str) -> bool {
    matches!(
        id::standardize_id(value).status,
        IdStatus::Valid
            | IdStatus::Repaired
            | IdStatus::Converted15
            | IdStatus::BadCheckDigit
            | IdStatus::ExcelTruncated
    )
}

fn is_region_like(value: &str) -> bool {
    region::parse_region(value).is_some()
}

/// Two to four Han characters, or a name with a middle dot (`买买提·艾力`).
fn is_name_like(value: &str) -> bool {
    let is_han =
        |c: char| ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c);
    let n_chars = value.chars().count();
    let is_plain = (2..=4).contains(&n_chars) && value.chars().all(is_han);
    let is_dotted = (3..=20).contains(&n_chars)
        && value.contains(['·', '•', '.'])
        && value.chars().all(|c| is_han(c) || matches!(c, '·' | '•' | '.'));
    (is_plain || is_dotted) && matches!(name::standardize_name(value), name::NameOutcome::Name(_))
}

/// Letters, digits and `-` only, as record numbers are.
fn is_record_number(value: &str) -> bool {
    value.len() >= 2 && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The share of `values` for which `test` holds; 0 for none.
fn share(values: &[String], test: impl Fn(&str) -> bool) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.iter().filter(|v| test(v)).count() as f64 / values.len() as f64
}

fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

/// The code table a coded column needs, and a remark on codes nobody can map: a table for a
/// known other scheme (GB/T 4761 family relations, GB 3304 letter codes) or for words the
/// standardizer lacks; nothing when it reads every sampled code.
fn code_table(
    field: Field,
    header: &str,
    values: &[String],
    lang: Lang,
) -> (Option<CodeTable>, Option<Note>) {
    let distinct: BTreeSet<&str> = values.iter().map(String::as_str).collect();
    if field == Field::Relation {
        let codes: Vec<u8> = distinct.iter().filter_map(|v| two_digit_code(v)).collect();
        let n_family_codes =
            codes.iter().filter(|&&code| code >= 10 && gbt4761_relation(code).is_some()).count();
        if n_family_codes >= 2 {
            let entries: BTreeMap<String, String> = distinct
                .iter()
                .filter_map(|v| {
                    let relation = gbt4761_relation(two_digit_code(v)?)?;
                    Some(((*v).to_owned(), relation.as_str().to_owned()))
                })
                .collect();
            let note = Note::guess(lang.pick(
                format!("{header} 是 GB/T 4761 家庭关系代码，折合为普查的与户主关系"),
                format!("{header} holds GB/T 4761 family relation codes, folded into the census's"),
            ));
            return (Some(CodeTable { field, entries, note }), None);
        }
    }
    let unknown: Vec<&str> = distinct.into_iter().filter(|v| !is_known_code(field, v)).collect();
    if unknown.is_empty() {
        return (None, None);
    }
    let mut entries = BTreeMap::new();
    let mut unresolved = Vec::new();
    for value in unknown {
        match supplementary_code(field, value) {
            Some(canonical) => {
                entries.insert(value.to_owned(), canonical);
            }
            None => unresolved.push(value),
        }
    }
    let table = (!entries.is_empty()).then(|| CodeTable {
        field,
        note: Note::guess(match field {
            Field::Ethnicity => lang.pick(
                format!("{header} 是 GB 3304 字母代码"),
                format!("{header} holds GB 3304 letter codes"),
            ),
            Field::RecordType => lang.pick(
                format!("{header} 是第七次人口普查的人员类别"),
                format!("{header} holds the 7th census's person categories"),
            ),
            _ => lang.pick(
                format!("{header} 有标准化不认识的写法"),
                format!("{header} has codes the standardizer does not read by itself"),
            ),
        }),
        entries,
    });
    if unresolved.is_empty() {
        return (table, None);
    }
    let is_zero_one = unresolved.iter().all(|v| *v == "0")
        && field == Field::Sex
        && values.iter().any(|v| v == "1");
    // Short ASCII codes can be named; anything else might be a person's data.
    let shown: Vec<&str> = unresolved
        .iter()
        .copied()
        .filter(|v| v.len() <= 4 && v.bytes().all(|b| b.is_ascii_alphanumeric()))
        .collect();
    let n_unresolved = unresolved.len();
    let values_zh = match shown.len() == n_unresolved {
        true => format!("取值（{}）", shown.join(", ")),
        false => format!("{n_unresolved} 种取值"),
    };
    let values_en = match (shown.len() == n_unresolved, n_unresolved) {
        (true, _) => format!("values ({})", shown.join(", ")),
        (false, 1) => "a value".to_owned(),
        (false, n) => format!("{n} distinct values"),
    };
    let text = match is_zero_one {
        true => lang.pick(
            format!(
                "{header} 用 0/1：1 读作男，0 不认识；若 0 为女，请在 [source.codes.sex] 中写明"
            ),
            format!(
                "{header} uses 0/1: 1 reads as male, 0 as nothing; if 0 is female, say so in \
                 [source.codes.sex]"
            ),
        ),
        false => lang.pick(
            format!(
                "{header} 有标准化不认识的{values_zh}，将计为未知代码；可在 \
                 [source.codes.{field}] 中映射"
            ),
            format!(
                "{header} has {values_en} the standardizer does not read, counted as unknown \
                 codes; map them in [source.codes.{field}]"
            ),
        ),
    };
    (table, Some(Note::check(text)))
}

/// Whether the standardizer reads a code of `field` by itself.
fn is_known_code(field: Field, value: &str) -> bool {
    match field {
        Field::Sex => value.parse::<Sex>().is_ok() || codes::parse_sex(value).is_some(),
        Field::Ethnicity => codes::parse_ethnicity(value).is_some(),
        Field::Relation => {
            value.parse::<Relation>().is_ok() || codes::parse_relation(value).is_some()
        }
        Field::RecordType => {
            value.parse::<RecordType>().is_ok() || codes::parse_record_type(value).is_some()
        }
        Field::CollectionMode => {
            value.parse::<CollectionMode>().is_ok() || codes::parse_collection_mode(value).is_some()
        }
        Field::Status => codes::parse_status(value).is_some(),
        _ => true,
    }
}

/// A canonical value for a code the standardizer does not read: GB 3304 letter codes, and
/// words for relations and collection modes that offices write.
fn supplementary_code(field: Field, value: &str) -> Option<String> {
    match field {
        Field::Ethnicity => {
            let upper = value.to_ascii_uppercase();
            let idx = GB3304_LETTERS.iter().position(|letters| *letters == upper)?;
            Some(format!("{:02}", idx + 1))
        }
        Field::Relation => RELATION_WORDS
            .iter()
            .find(|(words, _)| words.split(' ').any(|word| word == value))
            .map(|(_, relation)| relation.as_str().to_owned()),
        Field::CollectionMode => COLLECTION_MODE_WORDS
            .iter()
            .find(|(words, _)| words.split(' ').any(|word| word == value))
            .map(|(_, mode)| mode.as_str().to_owned()),
        Field::RecordType => RECORD_TYPE_WORDS
            .iter()
            .find(|(words, _)| words.split(' ').any(|word| word == value))
            .map(|(_, record_type)| record_type.as_str().to_owned()),
        _ => None,
    }
}

/// `01` to `99` as written with two digits.
fn two_digit_code(value: &str) -> Option<u8> {
    match *value.as_bytes() {
        [tens, units] if tens.is_ascii_digit() && units.is_ascii_digit() => {
            Some((tens - b'0') * 10 + (units - b'0'))
        }
        _ => None,
    }
}

/// The census relation of a GB/T 4761-2008 family relation code (01 本人, 02 户主, 1x 配偶,
/// 2x 子, 3x 女, 4x 孙辈, 5x 父母辈, 6x 祖辈, 7x 兄弟姐妹, 8x-99 others); `None` for a
/// number that is no such code.
fn gbt4761_relation(code: u8) -> Option<Relation> {
    Some(match code {
        1 | 2 => Relation::Head,
        10..=12 => Relation::Spouse,
        20..=27 | 29..=37 | 39 => Relation::Child,
        28 | 38 => Relation::ChildInLaw,
        40..=44 | 49 => Relation::Grandchild,
        50..=52 | 57..=59 => Relation::Parent,
        53..=56 => Relation::ParentInLaw,
        60..=64 | 69 => Relation::Grandparent,
        70 | 71 | 73 | 75 | 77 | 79 => Relation::Sibling,
        45..=48 | 65..=68 | 72 | 74 | 76 | 78 | 80..=97 | 99 => Relation::Other,
        _ => return None,
    })
}

/// GB 3304 two-letter codes, in code order: `GB3304_LETTERS[code - 1]`.
const GB3304_LETTERS: [&str; 56] = [
    "HA", "MG", "HU", "ZA", "UG", "MH", "YI", "ZH", "BY", "CS", "MA", "DO", "YA", "BA", "TJ", "HN",
    "KZ", "DA", "LI", "LS", "VA", "SH", "GS", "LH", "SU", "DX", "NX", "JP", "KG", "TU", "DU", "ML",
    "QI", "BL", "SL", "MN", "GL", "XB", "AC", "PM", "TA", "NU", "UZ", "RS", "EW", "DE", "BN", "YG",
    "GI", "TT", "DR", "OR", "HZ", "MB", "LB", "JN",
];

/// Relation words of household registers beyond those the standardizer reads, separated by
/// spaces.
const RELATION_WORDS: [(&str, Relation); 6] = [
    (
        "长子 次子 三子 四子 五子 独生子 养子 继子 长女 次女 三女 四女 五女 独生女 养女 继女 \
         养子或继子 养女或继女",
        Relation::Child,
    ),
    ("继父 养父 继母 养母 继父或养父 继母或养母", Relation::Parent),
    ("儿媳妇", Relation::ChildInLaw),
    ("孙", Relation::Grandchild),
    ("曾祖父 曾祖母", Relation::Grandparent),
    (
        "嫂 嫂子 弟媳 姐夫 妹夫 侄子 侄女 外甥 外甥女 伯父 伯母 叔父 叔叔 婶母 舅父 舅舅 舅母 \
         姨父 姨母 姑父 姑母 堂兄 堂弟 堂姐 堂妹 表兄 表弟 表姐 表妹 曾孙 曾孙子 曾孙女 孙媳妇 \
         孙女婿 其他亲属 非亲属 保姆 同住人",
        Relation::Other,
    ),
];

/// Collection modes as census offices write them beyond those the standardizer reads,
/// separated by spaces.
const COLLECTION_MODE_WORDS: [(&str, CollectionMode); 2] = [
    (
        "网上填报 网络填报 自主网上填报 互联网填报 手机填报 扫码填报 自主申报",
        CollectionMode::SelfReport,
    ),
    ("普查员入户 普查员入户登记 普查员录入 入户采集 现场登记", CollectionMode::Enumerator),
];

/// The 7th census's person categories (人员类别) and their variants, separated by spaces.
const RECORD_TYPE_WORDS: [(&str, RecordType); 2] = [
    ("现住 现住人口 现住本户", RecordType::Resident),
    ("户口在本户外出 户口在本户外出人口 户口在本户人不在 户在人外出", RecordType::RegisteredAway),
];

/// An extra field's name from a header: lower-case ASCII letters, digits and `_`, starting
/// with a letter, not a canonical field's; empty when the header gives none.
fn extra_field_name(header: &str) -> String {
    let mut name = String::new();
    for c in header.trim().chars() {
        match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9') => name.push(c),
            _ if !name.ends_with('_') => name.push('_'),
            _ => {}
        }
    }
    let name = name.trim_matches('_').to_owned();
    let is_valid =
        name.starts_with(|c: char| c.is_ascii_lowercase()) && name.parse::<Field>().is_err();
    if is_valid { name } else { String::new() }
}

/// A header lower-cased (ASCII), full-width folded, without whitespace, punctuation and
/// parenthesized remarks: `出生日期（年月日）` → `出生日期`, `ID_Number` → `idnumber`.
fn normalize_header(header: &str) -> String {
    let mut norm = String::with_capacity(header.len());
    let mut depth = 0usize;
    for c in header.chars().map(fold_width) {
        match c {
            '(' | '[' | '【' | '〔' => depth += 1,
            ')' | ']' | '】' | '〕' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            c if c.is_whitespace()
                || matches!(c, '_' | '-' | '.' | ':' | '*' | '/' | '#' | '、' | '·' | '：') => {}
            c => norm.push(c.to_ascii_lowercase()),
        }
    }
    norm
}

/// NFKC's folding of full-width ASCII and the ideographic space.
fn fold_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// `file` as a job in `folder` names it: relative, `/`-separated; absolute when the two share
/// no root or cannot be resolved.
fn job_relative_path(file: &Path, folder: &Path) -> String {
    let folder = if folder.as_os_str().is_empty() { Path::new(".") } else { folder };
    let resolved = (file.canonicalize(), folder.canonicalize());
    let (Ok(file), Ok(folder)) = resolved else {
        let absolute = std::path::absolute(file).unwrap_or_else(|_| file.to_owned());
        return path_text(&absolute);
    };
    let file_parts: Vec<Component<'_>> = file.components().collect();
    let folder_parts: Vec<Component<'_>> = folder.components().collect();
    let n_common = file_parts.iter().zip(&folder_parts).take_while(|(a, b)| a == b).count();
    if n_common == 0 {
        return path_text(&file);
    }
    let mut relative = PathBuf::new();
    for _ in n_common..folder_parts.len() {
        relative.push("..");
    }
    for part in &file_parts[n_common..] {
        relative.push(part);
    }
    path_text(&relative)
}

fn path_text(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// The job file's text.
fn render_job(sources: &[Inferred], lang: Lang) -> String {
    let mut out = String::new();
    let n_files = sources.len();
    out.push_str(&lang.pick(
        format!(
            "# censuslink 作业文件：由 `censuslink init` 据 {n_files} 个文件的表头与前 \
             {SAMPLE_ROWS} 行推测写成。\n\
             # 标有「推测」「请核对」的行请逐一核对。路径相对于本文件。\n"
        ),
        format!(
            "# censuslink job written by `censuslink init` from the headers and first \
             {SAMPLE_ROWS} rows of {n_files} files.\n\
             # Check every line marked `guess` or `check`. Paths are relative to this file.\n"
        ),
    ));
    out.push('\n');
    let moment_note = Note::check(lang.pick(
        "第七次全国人口普查的标准时点；若不是这次普查，请改".into(),
        "the 7th national census's reference moment; change it for another census".into(),
    ));
    line(&mut out, "reference_moment = \"2020-11-01T00:00:00\"", Some(&moment_note), lang);
    line(&mut out, &format!("lang = \"{}\"", lang.as_str()), None, lang);
    for source in sources {
        out.push('\n');
        render_source(&mut out, source, lang);
    }
    out
}

fn render_source(out: &mut String, source: &Inferred, lang: Lang) {
    let _ = writeln!(out, "# {}", comment_text(&source.heading));
    out.push_str("[[source]]\n");
    line(out, &format!("name = {}", quote(&source.name)), None, lang);
    line(out, &format!("role = \"{}\"", source.role), source.role_note.as_ref(), lang);
    let path = match source.path_texts.as_slice() {
        [path] => quote(path),
        paths => format!("[{}]", paths.iter().map(|p| quote(p)).collect::<Vec<_>>().join(", ")),
    };
    line(out, &format!("path = {path}"), None, lang);
    if let Some(note) = &source.format_note {
        line(out, &format!("format = \"{}\"", source.format.as_str()), Some(note), lang);
    }
    if let Some(encoding) = source.encoding {
        let note = Note::info(lang.pick("据文件内容检测".into(), "detected from the bytes".into()));
        line(out, &format!("encoding = \"{}\"", encoding.as_str()), Some(&note), lang);
    }
    if let Some((sheet, note)) = &source.sheet {
        line(out, &format!("sheet = {}", quote(sheet)), note.as_ref(), lang);
    }
    if let Some((row, note)) = &source.header_row {
        line(out, &format!("header_row = {row}"), Some(note), lang);
    }
    match &source.key {
        Some((columns, note)) => {
            let key = match columns.as_slice() {
                [column] => quote(column),
                columns => {
                    format!("[{}]", columns.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", "))
                }
            };
            line(out, &format!("key = {key}"), note.as_ref(), lang)
        }
        None => {
            if let Some(note) = &source.key_absent_note {
                let _ = writeln!(out, "{}", note.render(lang));
            }
        }
    }
    if let Some((tokens, note)) = &source.missing {
        let list = tokens.iter().map(|t| quote(t)).collect::<Vec<_>>().join(", ");
        line(out, &format!("missing = [{list}]"), Some(note), lang);
    }

    out.push_str("\n[source.fields]\n");
    for field_line in &source.fields {
        let value = match &field_line.mapping {
            FieldMapping::Column(column) => quote(column),
            FieldMapping::Parts { year, month, day } => {
                let mut parts = format!("year = {}", quote(year));
                if let Some(month) = month {
                    let _ = write!(parts, ", month = {}", quote(month));
                }
                if let Some(day) = day {
                    let _ = write!(parts, ", day = {}", quote(day));
                }
                format!("{{ {parts} }}")
            }
            FieldMapping::Concat { columns, separator } => {
                let columns = columns.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", ");
                format!("{{ columns = [{columns}], separator = {} }}", quote(separator))
            }
            FieldMapping::CensusPlace { question, category, code, area } => format!(
                "{{ {question} = {}, code = {}, area = {} }}",
                quote(category),
                quote(code),
                quote(area)
            ),
        };
        line(out, &format!("{} = {value}", field_line.field), field_line.note.as_ref(), lang);
    }
    if !source.not_mapped.is_empty() {
        let columns = source.not_mapped.join(", ");
        let _ = writeln!(
            out,
            "# {}",
            comment_text(
                &lang.pick(format!("未映射：{columns}"), format!("not mapped: {columns}"))
            )
        );
    }
    if !source.duplicates.is_empty() {
        let columns = source.duplicates.join(", ");
        let _ = writeln!(
            out,
            "# {}",
            comment_text(&lang.pick(
                format!("列名重复，未映射：{columns}"),
                format!("column names repeated, not mapped: {columns}")
            ))
        );
    }
    for note in &source.code_notes {
        let _ = writeln!(out, "{}", note.render(lang));
    }
    if !source.extra.is_empty() {
        out.push_str("\n[source.extra]\n");
        if let Some(note) = &source.extra_note {
            let _ = writeln!(out, "{}", note.render(lang));
        }
        for (name, column) in &source.extra {
            line(out, &format!("{name} = {}", quote(column)), None, lang);
        }
    }
    for table in &source.codes {
        let _ = writeln!(out, "\n[source.codes.{}]", table.field);
        let _ = writeln!(out, "{}", table.note.render(lang));
        for (code, value) in &table.entries {
            line(out, &format!("{} = \"{value}\"", quote(code)), None, lang);
        }
    }
}

/// Writes one line of TOML with its comment, if any.
fn line(out: &mut String, text: &str, note: Option<&Note>, lang: Lang) {
    out.push_str(text);
    if let Some(note) = note {
        out.push_str("  ");
        out.push_str(&note.render(lang));
    }
    out.push('\n');
}

/// A TOML basic string.
fn quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            '\r' => quoted.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(quoted, "\\u{:04X}", u32::from(c));
            }
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// Text fit for a one-line TOML comment: control characters (a header's line break) as spaces.
fn comment_text(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    use censuslink_model::{Field, Lang, Role};

    use crate::error::JobProblem;
    use crate::export::{Column, Export, Table, Values, write_table};
    use crate::init::{InferredJob, infer_job, normalize_header};
    use crate::job::{CensusQuestion, Encoding, Job, Mapping, Source};
    use crate::{Error, Format};

    /// An 18-character ID number with its check character, from a 17-digit body.
    fn id(body: &str) -> String {
        let bytes: [u8; 17] = body.as_bytes().try_into().expect("17 digits");
        let check = censuslink_standardize::id::check_character(&bytes);
        format!("{body}{}", char::from(check))
    }

    /// Infers a job for `files` in `folder` (job.toml there), checks that it validates, and
    /// returns it with the parsed job.
    fn infer(folder: &Path, files: &[&str], lang: Lang) -> (InferredJob, Job) {
        let paths: Vec<PathBuf> = files.iter().map(|file| folder.join(file)).collect();
        let job_path = folder.join("job.toml");
        let inferred = infer_job(&paths, &job_path, lang).expect("readable files");
        let job = Job::parse(&inferred.text, &job_path)
            .unwrap_or_else(|err| panic!("{err}\n{}", inferred.text));
        (inferred, job)
    }

    fn columns(pairs: &[(&str, &str)]) -> BTreeMap<Field, Mapping> {
        pairs
            .iter()
            .map(|(field, column)| {
                (field.parse().expect("a field"), Mapping::Column((*column).to_owned()))
            })
            .collect()
    }

    /// Checks a source's role, key and fields as parsed.
    fn check(source: &Source, role: Role, key: &[&str], fields: &BTreeMap<Field, Mapping>) {
        assert_eq!(source.role, role, "{}", source.name);
        assert_eq!(source.key, key, "{}", source.name);
        assert_eq!(&source.fields, fields, "{}", source.name);
    }

    #[test]
    fn a_gbk_census_with_a_title_line_maps_every_column_but_the_phone() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let mut text = String::from(
            "某某区第七次全国人口普查登记表\n\
             人员编号,普查小区,户编号,与户主关系,姓名,公民身份号码,性别,出生年月,民族,户口登记地,现住地代码,登记类型,填报方式,联系电话\n",
        );
        let people = [
            ("张伟", "32010219870506011", "1", "198705", "0"),
            ("王芳", "32010219890212022", "2", "198902", "1"),
            ("张子涵", "32010220150809042", "2", "201508", "2"),
        ];
        for (n, (name, body, sex, born, relation)) in people.iter().enumerate() {
            text.push_str(&format!(
                "P{n:03},320102001001001,320102001001001-001,{relation},{name},{},{sex},{born},01,\
                 320102001001,320102001001,常住,自主填报,1390000000{n}\n",
                id(body)
            ));
        }
        let bytes = encoding_rs::GBK.encode(&text).0.into_owned();
        std::fs::write(folder.path().join("census.csv"), bytes).expect("writable");

        let (inferred, job) = infer(folder.path(), &["census.csv"], Lang::Zh);
        let source = &job.sources[0];
        check(
            source,
            Role::Census,
            &["人员编号"],
            &columns(&[
                ("enumeration_area", "普查小区"),
                ("household_id", "户编号"),
                ("relation", "与户主关系"),
                ("name", "姓名"),
                ("id_number", "公民身份号码"),
                ("sex", "性别"),
                ("birth_date", "出生年月"),
                ("ethnicity", "民族"),
                ("hukou_region", "户口登记地"),
                ("residence_region", "现住地代码"),
                ("record_type", "登记类型"),
                ("collection_mode", "填报方式"),
            ]),
        );
        assert_eq!(source.name, "census");
        assert_eq!(source.encoding, Some(Encoding::Gbk));
        assert_eq!(source.header_row, 2);
        assert_eq!(source.paths, [folder.path().join("census.csv")]);
        assert!(source.codes.is_empty(), "1/2 and 0-9 are read without a table");
        assert!(inferred.text.contains("path = \"census.csv\"\n"), "{}", inferred.text);
        assert!(inferred.text.contains("# 未映射：联系电话\n"), "{}", inferred.text);
        assert!(
            inferred.text.contains("hukou_region = \"户口登记地\"  # 推测：取值是区划代码\n"),
            "{}",
            inferred.text
        );
        assert!(inferred.text.contains("reference_moment = \"2020-11-01T00:00:00\"  # 请核对："));
        assert!(inferred.text.contains("lang = \"zh\"\n"));
        let summary = &inferred.sources[0];
        assert_eq!((summary.role, summary.n_fields, summary.n_guesses), (Role::Census, 12, 1));
        assert_eq!(summary.not_mapped, ["联系电话"]);
        for (name, body, ..) in people {
            assert!(!inferred.text.contains(name) && !inferred.text.contains(body));
        }
    }

    #[test]
    fn the_7th_census_layout_qualifies_its_numbers_and_reads_its_categories() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let mut text = String::from(
            "普查区代码,普查小区编号,户编号,户别,人员序号,姓名,与户主关系,身份证件类别,\
             公民身份号码,性别,出生年,出生月,民族,人员类别,现住地类别,现住地代码,户口登记地类别,\
             户口登记地代码\n",
        );
        // Two villages whose areas and households are numbered alike, and a family whose son
        // lives in another county, listed at home as living away.
        let rows = [
            ("320102001001", "001", "001", "01", "张伟", "0", "32010219870506011", "现住"),
            ("320102001001", "001", "001", "02", "王芳", "1", "32010219890212022", "现住"),
            ("320102001001", "001", "002", "01", "李强", "0", "34112219800101031", "现住"),
            ("320102001002", "001", "001", "01", "赵敏", "0", "32010219700303044", "现住"),
            (
                "320102001002",
                "001",
                "001",
                "02",
                "赵军",
                "2",
                "32010219950404051",
                "户口在本户外出",
            ),
        ];
        for (village, area, household, person, name, relation, body, category) in rows {
            let (lives, hukou, hukou_code) = match (category, &body[..6]) {
                ("户口在本户外出", _) => ("5,310115", "1", ""),
                (_, "341122") => ("1,", "4", "341122"),
                _ => ("1,", "1", ""),
            };
            text.push_str(&format!(
                "{village},{area},{household},家庭户,{person},{name},{relation},居民身份证,{},\
                 1,{},{},01,{category},{lives},{hukou},{hukou_code}\n",
                id(body),
                &body[6..10],
                body[10..12].trim_start_matches('0'),
            ));
        }
        let bytes = encoding_rs::GBK.encode(&text).0.into_owned();
        std::fs::write(folder.path().join("census.csv"), bytes).expect("writable");

        let (inferred, job) = infer(folder.path(), &["census.csv"], Lang::Zh);
        let source = &job.sources[0];
        assert_eq!(source.key, ["普查区代码", "普查小区编号", "户编号", "人员序号"]);
        let concat = |columns: &[&str], separator: &str| Mapping::Concat {
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            separator: separator.to_owned(),
        };
        assert_eq!(
            source.fields[&Field::EnumerationArea],
            concat(&["普查区代码", "普查小区编号"], ""),
            "an area number is unique only within its census area"
        );
        assert_eq!(
            source.fields[&Field::HouseholdId],
            concat(&["普查区代码", "普查小区编号", "户编号"], "-")
        );
        assert_eq!(source.fields[&Field::IdNumber], Mapping::Column("公民身份号码".into()));
        assert_eq!(source.fields[&Field::RecordType], Mapping::Column("人员类别".into()));
        let record_types: Vec<(&str, &str)> = source.codes[&Field::RecordType]
            .iter()
            .map(|(code, value)| (code.as_str(), value.as_str()))
            .collect();
        assert_eq!(record_types, [("户口在本户外出", "registered_away"), ("现住", "resident")]);
        let place = |question, category: &str, code: &str| Mapping::CensusPlace {
            question,
            category: category.to_owned(),
            code: code.to_owned(),
            area: "普查区代码".to_owned(),
        };
        assert_eq!(
            source.fields[&Field::HukouRegion],
            place(CensusQuestion::D8, "户口登记地类别", "户口登记地代码"),
            "a local's hukou place is the census area's, at the category's level"
        );
        assert_eq!(
            source.fields[&Field::ResidenceRegion],
            place(CensusQuestion::D7, "现住地类别", "现住地代码")
        );
        assert_eq!(inferred.sources[0].not_mapped, ["户别", "身份证件类别"]);
    }

    #[test]
    fn households_numbered_within_full_area_codes_are_qualified_by_them() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let mut text = String::from("普查小区编号,户编号,人员序号,姓名,公民身份号码\n");
        let rows = [
            ("320102001001001", "001", "01", "张伟", "32010219870506011"),
            ("320102001001001", "001", "02", "王芳", "32010219890212022"),
            ("320102001002001", "001", "01", "赵敏", "32010219700303044"),
            ("320102001002001", "002", "01", "李强", "34112219800101031"),
        ];
        for (area, household, person, name, body) in rows {
            text.push_str(&format!("{area},{household},{person},{name},{}\n", id(body)));
        }
        std::fs::write(folder.path().join("census.csv"), text).expect("writable");

        let (_, job) = infer(folder.path(), &["census.csv"], Lang::Zh);
        let source = &job.sources[0];
        assert_eq!(source.key, ["普查小区编号", "户编号", "人员序号"]);
        assert_eq!(source.fields[&Field::EnumerationArea], Mapping::Column("普查小区编号".into()));
        assert_eq!(
            source.fields[&Field::HouseholdId],
            Mapping::Concat {
                columns: vec!["普查小区编号".into(), "户编号".into()],
                separator: "-".into()
            },
            "household 001 of two villages' areas are two households"
        );
    }

    #[test]
    fn an_id_type_column_is_no_id_number_and_a_guardians_id_is_not_the_childs() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let text = format!(
            "出生证编号,新生儿姓名,证件类型,监护人身份证号,母亲身份证号,出生日期\n\
             Q1,张子涵,居民身份证,{},{},2020-05-06\n\
             Q2,王一诺,居民身份证,{},{},2020-06-07\n\
             Q3,李浩然,护照,{},{},2020-07-08\n",
            id("32010219870506011"),
            id("32010219890212022"),
            id("32010219800101031"),
            id("32010219820202042"),
            id("32010219750303051"),
            id("32010219780404062"),
        );
        std::fs::write(folder.path().join("birth.csv"), text).expect("writable");
        let (_, job) = infer(folder.path(), &["birth.csv"], Lang::En);
        let source = &job.sources[0];
        assert_eq!(source.role, Role::Birth);
        assert_eq!(source.fields.get(&Field::IdNumber), None);
        assert_eq!(source.fields[&Field::MotherId], Mapping::Column("母亲身份证号".into()));
    }

    #[test]
    fn relation_codes_of_gbt_4761_and_letter_ethnicity_codes_get_tables() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let text = format!(
            "户籍编号,姓名,身份证号,与户主关系,民族,出生日期,备注\n\
             H1,张伟,{},02,HA,1987-05-06,无\n\
             H2,王芳,{},10,HA,无,无\n\
             H3,张子涵,{},30,MG,2015-08-09,无\n\
             H4,张强,{},20,HU,2017-01-02,\n",
            id("32010219870506011"),
            id("32010219890212022"),
            id("32010220150809042"),
            id("32010220170102001"),
        );
        std::fs::write(folder.path().join("户籍.csv"), text).expect("writable");

        let (inferred, job) = infer(folder.path(), &["户籍.csv"], Lang::En);
        let source = &job.sources[0];
        check(
            source,
            Role::Hukou,
            &["户籍编号"],
            &columns(&[
                ("name", "姓名"),
                ("id_number", "身份证号"),
                ("relation", "与户主关系"),
                ("ethnicity", "民族"),
                ("birth_date", "出生日期"),
            ]),
        );
        let table = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
        };
        assert_eq!(
            source.codes[&Field::Relation],
            table(&[("02", "head"), ("10", "spouse"), ("20", "child"), ("30", "child")])
        );
        assert_eq!(
            source.codes[&Field::Ethnicity],
            table(&[("HA", "01"), ("HU", "03"), ("MG", "02")])
        );
        assert!(
            source.missing.contains(&"无".to_owned())
                && source.missing.contains(&"不详".to_owned())
        );
        assert!(inferred.text.contains("# not mapped: 备注\n"), "{}", inferred.text);
        assert!(
            inferred.text.contains("role = \"hukou\"\n"),
            "file name and header agree: {}",
            inferred.text
        );
    }

    #[test]
    fn columns_with_unknown_headers_are_placed_by_their_values() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let text = format!(
            "rec,col_a,col_b,col_c,col_d\n\
             A-1,{},张伟,男,1987-05-06\n\
             A-2,{},王芳,女,1989-02-12\n\
             A-3,{},张子涵,女,2015-08-09\n\
             A-4,{},欧阳娜娜,女,1963-03-17\n",
            id("32010219870506011"),
            id("32010219890212022"),
            id("32010220150809042"),
            id("32010219630317028"),
        );
        std::fs::write(folder.path().join("extract.csv"), text).expect("writable");

        let (inferred, job) = infer(folder.path(), &["extract.csv"], Lang::En);
        check(
            &job.sources[0],
            Role::Census,
            &["rec"],
            &columns(&[
                ("id_number", "col_a"),
                ("name", "col_b"),
                ("sex", "col_c"),
                ("birth_date", "col_d"),
            ]),
        );
        let text = &inferred.text;
        assert!(
            text.contains(
                "id_number = \"col_a\"  # guess: from the values (100% read as ID numbers)\n"
            ),
            "{text}"
        );
        assert!(text.contains("key = \"rec\"  # guess: unique in the first 4 rows\n"), "{text}");
        assert!(
            text.contains("role = \"census\"  # check: neither the file name nor the columns"),
            "{text}"
        );
        assert_eq!(inferred.sources[0].n_guesses, 6, "{text}");
    }

    #[test]
    fn a_birth_workbook_with_a_title_row_maps_the_mother_and_the_event() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let text =
            |values: &[&str]| Values::Text(values.iter().map(|v| Some((*v).to_owned())).collect());
        let mother_ids = [id("32010219890212022"), id("32010219920101002")];
        let table = Table {
            columns: vec![
                Column { header: "出生证编号".into(), values: text(&["Q1", "Q2"]) },
                Column {
                    header: "新生儿姓名".into(), values: text(&["王芳之子", "李明"])
                },
                Column { header: "性别".into(), values: text(&["男", "男"]) },
                Column {
                    header: "出生日期".into(),
                    values: Values::Date(vec![Some(18_500), Some(18_520)]),
                },
                Column { header: "母亲姓名".into(), values: text(&["王芳", "赵丽"]) },
                Column {
                    header: "母亲身份证号".into(),
                    values: text(&[&mother_ids[0], &mother_ids[1]]),
                },
                Column { header: "父亲姓名".into(), values: text(&["张伟", "李强"]) },
                Column {
                    header: "家庭住址".into(), values: text(&["玄武区1-101", "玄武区2-202"])
                },
            ],
        };
        let export = Export::Xlsx {
            sheet: "出生登记".into(),
            title: Some("2020年出生登记".into()),
        };
        write_table(&folder.path().join("出生医学证明.xlsx"), &export, &table).expect("writable");

        let (inferred, job) = infer(folder.path(), &["出生医学证明.xlsx"], Lang::Zh);
        let source = &job.sources[0];
        check(
            source,
            Role::Birth,
            &["出生证编号"],
            &columns(&[
                ("name", "新生儿姓名"),
                ("sex", "性别"),
                ("birth_date", "出生日期"),
                ("event_date", "出生日期"),
                ("mother_name", "母亲姓名"),
                ("mother_id", "母亲身份证号"),
                ("residence_address", "家庭住址"),
            ]),
        );
        assert_eq!(source.header_row, 2);
        assert_eq!(source.sheet.as_deref(), Some("出生登记"));
        assert_eq!(source.format, Format::Xlsx);
        assert_eq!(inferred.sources[0].not_mapped, ["父亲姓名"]);
        assert!(
            inferred.text.contains("header_row = 2  # 表头上方有标题行\n"),
            "{}",
            inferred.text
        );
    }

    #[test]
    fn birth_year_and_month_columns_make_one_date_and_student_numbers_the_id() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let numbers = [
            format!("G{}", id("32010220100101001")),
            format!("G{}", id("32010220110202002")),
            format!("G{}", id("32010220120303003")),
        ];
        let table = Table {
            columns: vec![
                Column {
                    header: "学生编号".into(),
                    values: Values::Text(vec![
                        Some("S1".into()),
                        Some("S2".into()),
                        Some("S3".into()),
                    ]),
                },
                Column {
                    header: "全国学籍号".into(),
                    values: Values::Text(numbers.iter().cloned().map(Some).collect()),
                },
                Column {
                    header: "姓名".into(),
                    values: Values::Text(vec![
                        Some("张伟".into()),
                        Some("李明".into()),
                        Some("王强".into()),
                    ]),
                },
                Column {
                    header: "出生年".into(),
                    values: Values::Integer(vec![Some(2010), Some(2011), Some(2012)]),
                },
                Column {
                    header: "出生月".into(),
                    values: Values::Integer(vec![Some(1), Some(2), Some(3)]),
                },
                Column {
                    header: "学校名称".into(),
                    values: Values::Text(vec![
                        Some("一小".into()),
                        Some("一小".into()),
                        Some("二小".into()),
                    ]),
                },
            ],
        };
        write_table(&folder.path().join("students.arrow"), &Export::Arrow, &table)
            .expect("writable");

        let (inferred, job) = infer(folder.path(), &["students.arrow"], Lang::En);
        let mut fields = columns(&[("id_number", "全国学籍号"), ("name", "姓名")]);
        fields.insert(
            Field::BirthDate,
            Mapping::DateParts {
                year: "出生年".into(), month: Some("出生月".into()), day: None
            },
        );
        check(&job.sources[0], Role::School, &["学生编号"], &fields);
        assert!(
            inferred.text.contains("birth_date = { year = \"出生年\", month = \"出生月\" }\n"),
            "{}",
            inferred.text
        );
        assert!(inferred.text.contains("# not mapped: 学校名称\n"), "{}", inferred.text);
    }

    #[test]
    fn files_of_one_role_are_one_source_or_numbered_and_paths_are_relative_to_the_job() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let data = folder.path().join("data");
        std::fs::create_dir(&data).expect("a folder");
        let text = format!("参保人编号,姓名,证件号码\nY1,张伟,{}\n", id("32010219870506011"));
        std::fs::write(data.join("医保1.csv"), &text).expect("writable");
        std::fs::write(data.join("医保2.csv"), &text).expect("writable");
        let other =
            format!("编号,姓名,公民身份号码,参保状态\nY1,张伟,{},1\n", id("32010219870506011"));
        std::fs::write(data.join("医保3.csv"), other).expect("writable");

        let files = [data.join("医保1.csv"), data.join("医保2.csv"), data.join("医保3.csv")];
        let job_path = folder.path().join("job.toml");
        let inferred = infer_job(&files, &job_path, Lang::En).expect("readable files");
        let job = Job::parse(&inferred.text, &job_path).expect("a valid job");
        let names: Vec<&str> = job.sources.iter().map(|s| s.name.as_str()).collect();
        // The two files of one layout are one source; the third, of another, its own.
        assert_eq!(names, ["insurance", "insurance_2"]);
        assert!(
            inferred.text.contains("path = [\"data/医保1.csv\", \"data/医保2.csv\"]\n"),
            "{}",
            inferred.text
        );
        assert_eq!(job.sources[0].paths, files[..2]);
        assert_eq!(job.sources[1].paths, files[2..]);

        // A job beside the files' folder would name them outside its own: refused.
        let jobs = folder.path().join("jobs");
        std::fs::create_dir(&jobs).expect("a folder");
        let job_path = jobs.join("job.toml");
        let inferred = infer_job(&files, &job_path, Lang::En).expect("readable files");
        match Job::parse(&inferred.text, &job_path) {
            Err(Error::JobInvalid { key, problem, .. }) => {
                assert_eq!(key, "source.insurance.path");
                assert_eq!(
                    *problem,
                    JobProblem::PathOutsideJob { path: "../data/医保1.csv".into() }
                );
            }
            other => panic!("expected PathOutsideJob, got {other:?}"),
        }
    }

    #[test]
    fn a_source_without_name_or_id_is_linked_on_its_columns_as_extras() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        std::fs::write(
            folder.path().join("people.csv"),
            "rec_id,given_name,surname,postcode\nr1,john,smith,2000\nr2,mary,jones,2001\n",
        )
        .expect("writable");
        let (inferred, job) = infer(folder.path(), &["people.csv"], Lang::En);
        let source = &job.sources[0];
        assert_eq!(source.key, ["rec_id"]);
        assert!(source.fields.is_empty());
        let extras: Vec<(&str, &Mapping)> =
            source.extra.iter().map(|(n, m)| (n.as_str(), m)).collect();
        assert_eq!(
            extras,
            [
                ("given_name", &Mapping::Column("given_name".into())),
                ("surname", &Mapping::Column("surname".into())),
                ("postcode", &Mapping::Column("postcode".into())),
            ]
        );
        assert!(inferred.sources[0].not_mapped.is_empty());
    }

    #[test]
    fn an_unreadable_file_is_an_error_naming_it() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let missing = folder.path().join("missing.csv");
        let job_path = folder.path().join("job.toml");
        match infer_job(std::slice::from_ref(&missing), &job_path, Lang::Zh) {
            Err(Error::Unreadable { path, .. }) => assert_eq!(path, missing),
            other => panic!("expected Unreadable, got {other:?}"),
        }
        std::fs::write(folder.path().join("empty.csv"), "").expect("writable");
        match infer_job(&[folder.path().join("empty.csv")], &job_path, Lang::Zh) {
            Err(Error::Malformed { problem: crate::Problem::Empty, .. }) => {}
            other => panic!("expected Malformed Empty, got {other:?}"),
        }
        match infer_job(&[], &job_path, Lang::Zh) {
            Err(Error::JobInvalid { key, .. }) => assert_eq!(key, "source"),
            other => panic!("expected JobInvalid, got {other:?}"),
        }
    }

    #[test]
    fn codes_nobody_can_map_are_named_only_when_they_are_short_codes() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        std::fs::write(
            folder.path().join("普查.csv"),
            "姓名,性别,登记类型,填报方式\n\
             张伟,1,A,网上填报\n\
             王芳,0,B,电话\n\
             李明,1,A,自主填报\n",
        )
        .expect("writable");
        let (inferred, job) = infer(folder.path(), &["普查.csv"], Lang::En);
        let source = &job.sources[0];
        assert_eq!(source.role, Role::Census);
        let modes: BTreeMap<String, String> =
            [("网上填报".to_owned(), "self_report".to_owned())].into_iter().collect();
        assert_eq!(source.codes.get(&Field::CollectionMode), Some(&modes));
        assert_eq!(source.codes.len(), 1, "no table for codes nobody can map");
        let text = &inferred.text;
        assert!(text.contains("# check: 性别 uses 0/1: 1 reads as male, 0 as nothing;"), "{text}");
        assert!(
            text.contains("# check: 登记类型 has values (A, B) the standardizer does not read,"),
            "{text}"
        );
        assert!(
            text.contains("# check: 填报方式 has a value the standardizer does not read,"),
            "{text}"
        );
        assert!(!text.contains("电话"), "a value that is not a short code is not shown: {text}");
        assert!(text.contains("# check: no record number column found"), "{text}");
    }

    #[test]
    fn english_headers_map_and_a_small_numbered_id_is_the_key() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let text = format!(
            "ID,Name,Sex,DOB,Household ID,Mother ID,Phone\n\
             1,张伟,M,1987-05-06,H1,,555\n\
             2,张子涵,F,2015-08-09,H1,{},556\n",
            id("32010219890212022"),
        );
        std::fs::write(folder.path().join("roster.csv"), text).expect("writable");
        let (inferred, job) = infer(folder.path(), &["roster.csv"], Lang::En);
        check(
            &job.sources[0],
            Role::Census,
            &["ID"],
            &columns(&[
                ("name", "Name"),
                ("sex", "Sex"),
                ("birth_date", "DOB"),
                ("household_id", "Household ID"),
                ("mother_id", "Mother ID"),
            ]),
        );
        assert_eq!(inferred.sources[0].not_mapped, ["Phone"]);
    }

    #[test]
    fn a_repeated_column_is_left_unmapped_and_said() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let text = format!("编号,姓名,姓名,身份证号\nA1,张伟,张伟,{}\n", id("32010219870506011"));
        std::fs::write(folder.path().join("hukou.csv"), text).expect("writable");
        let (inferred, job) = infer(folder.path(), &["hukou.csv"], Lang::Zh);
        check(&job.sources[0], Role::Hukou, &["编号"], &columns(&[("id_number", "身份证号")]));
        assert!(inferred.text.contains("# 列名重复，未映射：姓名\n"), "{}", inferred.text);
        assert!(
            inferred.text.contains("role = \"hukou\"  # 推测：仅据文件名\n"),
            "{}",
            inferred.text
        );
    }

    #[test]
    fn headers_are_normalized_before_matching() {
        assert_eq!(normalize_header(" 出生日期（年月日） "), "出生日期");
        assert_eq!(normalize_header("ID_Number"), "idnumber");
        assert_eq!(normalize_header("Ｂｉｒｔｈ Date"), "birthdate");
        assert_eq!(normalize_header("性别(1男2女)"), "性别");
    }
}
