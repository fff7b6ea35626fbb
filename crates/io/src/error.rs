//! The error of the io crate: a job or a file that cannot be read at all. Bad rows are not
//! errors; they are row issues.
//!
//! Every error is one line for the analyst, in the job's language ([`Error::message`]): the
//! file, the key, column or row, what was expected, and a hint. `Display` is the English line.

use std::fmt;
use std::path::PathBuf;

use censuslink_model::Lang;

/// Why a job file or a source file cannot be used. Messages name the file and the key or
/// column, never a data value (values may be names or ID numbers).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The job file could not be opened.
    JobUnreadable {
        /// The job file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The job file is not valid TOML or has unknown, missing or ill-typed keys.
    JobSyntax {
        /// The job file.
        path: PathBuf,
        /// The 1-based line the parser stopped at, when it says.
        line: Option<usize>,
        /// What is wrong.
        problem: SyntaxProblem,
    },
    /// A key of the job file has a value the job cannot use.
    JobInvalid {
        /// The job file.
        path: PathBuf,
        /// The dotted key, e.g. `source.census.codes.sex`.
        key: String,
        /// What is wrong with it and what would be right (boxed: some problems carry several
        /// strings, and every `Result` of the crate carries the error's size).
        problem: Box<JobProblem>,
    },
    /// A mapped column is not in the source file.
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
    Unreadable {
        /// The source file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A source file is not what its format says: empty, binary, truncated, ill-formed.
    Malformed {
        /// The source file.
        path: PathBuf,
        /// What is wrong.
        problem: Problem,
    },
    /// A cell of a table being written holds a character that the file's encoding cannot
    /// represent (GBK holds no characters beyond the Basic Multilingual Plane and not all of
    /// those). The character is not repeated, since it is part of a value.
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
    Write {
        /// The output file.
        path: PathBuf,
        /// What went wrong.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// What the TOML parser found wrong with a job file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SyntaxProblem {
    /// A key the job file format does not have (a misspelling, or a key in the wrong table).
    UnknownKey {
        /// The key.
        key: String,
        /// The keys that table has.
        expected: Vec<String>,
    },
    /// A key that must be there is not.
    MissingKey {
        /// The key.
        key: String,
    },
    /// Anything else the parser says (ill-formed TOML, a value of the wrong type), as it says
    /// it.
    Other(String),
}

impl SyntaxProblem {
    /// The problem in a parser's message, which serde words as "unknown field `x`, expected
    /// one of `a`, `b`" or "missing field `x`".
    pub(crate) fn from_parser(message: &str) -> SyntaxProblem {
        let quoted = |text: &str| -> Vec<String> {
            text.split('`').skip(1).step_by(2).map(str::to_owned).collect()
        };
        if let Some(rest) = message.strip_prefix("unknown field ") {
            let mut keys = quoted(rest);
            if !keys.is_empty() {
                let key = keys.remove(0);
                return SyntaxProblem::UnknownKey { key, expected: keys };
            }
        }
        if let Some(key) =
            message.strip_prefix("missing field ").and_then(|rest| quoted(rest).into_iter().next())
        {
            return SyntaxProblem::MissingKey { key };
        }
        SyntaxProblem::Other(message.trim_end().replace('\n', " "))
    }
}

/// What is wrong with the value of a job file's key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JobProblem {
    /// `reference_moment` is not a day's start.
    ReferenceMoment {
        /// The value written.
        value: String,
    },
    /// `lang` is neither `zh` nor `en`.
    Lang {
        /// The value written.
        value: String,
    },
    /// The job has no `[[source]]`.
    NoSource,
    /// Two sources share a name.
    DuplicateSourceName,
    /// A source name has characters other than lower-case letters, digits and `_`.
    SourceName,
    /// `role` is not a role.
    Role {
        /// The value written.
        value: String,
    },
    /// `format` is not a format.
    Format {
        /// The value written.
        value: String,
    },
    /// No `format`, and the extension names none.
    FormatFromExtension,
    /// `encoding` is not an encoding.
    Encoding {
        /// The value written.
        value: String,
    },
    /// `encoding` on a file format that carries its own.
    EncodingNotCsv {
        /// The source's format.
        format: &'static str,
    },
    /// `sheet` on a source that is not a workbook.
    SheetNotXlsx,
    /// `header_row` is 0, or set on Parquet or Arrow.
    HeaderRow,
    /// A `[source.fields]` key that is not a canonical field.
    NotAField {
        /// The canonical fields.
        fields: Vec<&'static str>,
    },
    /// Year/month/day parts mapped onto a field that is not a date.
    DatePartsNotDate {
        /// The field.
        field: String,
    },
    /// A day column without a month column.
    DayWithoutMonth,
    /// `record_id` mapped as a field.
    RecordIdMapped,
    /// An extra field's name is not `[a-z][a-z0-9_]*`.
    ExtraName,
    /// An extra field named like a canonical field.
    ExtraIsCanonical {
        /// The name.
        name: String,
    },
    /// An extra field mapped from date parts.
    ExtraNotText,
    /// A `columns = [...]` list with no column.
    NoColumns,
    /// A source with neither name, ID number nor extra fields.
    NothingToLink,
    /// A `[source.codes]` table for a field that has no codes.
    CodesField,
    /// A `[source.codes]` table for a field the source does not map.
    CodesUnmapped {
        /// The field.
        field: String,
    },
    /// A code mapped to a value that is not one of the field's.
    CodeValue {
        /// The value written.
        value: String,
        /// The field.
        field: String,
        /// The field's values, listed.
        values: String,
    },
}

impl JobProblem {
    /// What is wrong and what would be right, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        use JobProblem as P;
        match self {
            P::ReferenceMoment { value } => lang.pick(
                format!("`{value}` 不是 2020-11-01T00:00:00 这样的日期（须为当日 0 时）"),
                format!("`{value}` is not a date like 2020-11-01T00:00:00 (a moment at 00:00)"),
            ),
            P::Lang { value } => {
                lang.pick(format!("`{value}` 不是 zh 或 en"), format!("`{value}` is not zh or en"))
            }
            P::NoSource => lang.pick(
                "作业没有 [[source]]；每个数据源写一节 [[source]]".into(),
                "the job has no [[source]]; add one [[source]] table per extract".into(),
            ),
            P::DuplicateSourceName => lang.pick(
                "两个数据源同名；每个数据源的 name 须不同".into(),
                "two sources have this name; give each source its own name".into(),
            ),
            P::SourceName => lang.pick(
                "数据源名称只能用小写字母、数字和 _".into(),
                "a source name is lower-case letters, digits and _".into(),
            ),
            P::Role { value } => lang.pick(
                format!("`{value}` 不是 census、hukou、birth、death、school、insurance 之一"),
                format!("`{value}` is not one of census, hukou, birth, death, school, insurance"),
            ),
            P::Format { value } => lang.pick(
                format!("`{value}` 不是 csv、parquet、arrow 或 xlsx"),
                format!("`{value}` is not csv, parquet, arrow or xlsx"),
            ),
            P::FormatFromExtension => lang.pick(
                "无法从扩展名判断文件格式；请设置 format（csv、parquet、arrow 或 xlsx）".into(),
                "cannot tell the format from the file extension; set format to csv, parquet, \
                 arrow or xlsx"
                    .into(),
            ),
            P::Encoding { value } => lang.pick(
                format!("`{value}` 不是 utf-8、gbk 或 gb18030；不确定时删去此键，自动识别"),
                format!("`{value}` is not utf-8, gbk or gb18030; remove the key to detect it"),
            ),
            P::EncodingNotCsv { format } => lang.pick(
                format!("{format} 文件自带编码；删去此键"),
                format!("{format} files carry their own encoding; remove the key"),
            ),
            P::SheetNotXlsx => lang.pick(
                "只有 xlsx 文件有工作表；删去此键".into(),
                "only xlsx files have sheets; remove the key".into(),
            ),
            P::HeaderRow => lang.pick(
                "须为从 1 起的行号，且只用于 csv 和 xlsx".into(),
                "a 1-based row number, for csv and xlsx only".into(),
            ),
            P::NotAField { fields } => lang.pick(
                format!("不是标准字段；标准字段有：{}", fields.join(", ")),
                format!("not a canonical field; fields are: {}", fields.join(", ")),
            ),
            P::DatePartsNotDate { field } => lang.pick(
                format!("年/月/日分列只能组成日期，{field} 不是日期字段"),
                format!("year/month/day parts only build dates, and {field} is not one"),
            ),
            P::DayWithoutMonth => {
                lang.pick("有日列就须有月列".into(), "a day column needs a month column".into())
            }
            P::RecordIdMapped => lang.pick(
                "记录编号由 key 指定，不在 fields 中映射".into(),
                "the record key is set by `key`, not mapped as a field".into(),
            ),
            P::ExtraName => lang.pick(
                "附加字段名须以小写字母开头，只用小写字母、数字和 _".into(),
                "an extra field's name is a lower-case letter, then lower-case letters, digits \
                 and _"
                    .into(),
            ),
            P::ExtraIsCanonical { name } => lang.pick(
                format!("`{name}` 是标准字段：请在 [source.fields] 中映射"),
                format!("`{name}` is a canonical field: map it under [source.fields]"),
            ),
            P::ExtraNotText => lang.pick(
                "附加字段是文本：一列，或用 separator 连接的 columns".into(),
                "an extra field is text: a column, or `columns` joined by a `separator`".into(),
            ),
            P::NoColumns => {
                lang.pick("`columns` 为空；至少列出一列".into(), "`columns` is empty".into())
            }
            P::NothingToLink => lang.pick(
                "数据源须映射姓名或公民身份号码列，或附加字段，才能比对".into(),
                "a source needs a name or an id_number column, or extra fields, to be linked"
                    .into(),
            ),
            P::CodesField => lang.pick(
                "代码表只用于 sex、ethnicity、relation、record_type 或 collection_mode".into(),
                "codes map sex, ethnicity, relation, record_type or collection_mode".into(),
            ),
            P::CodesUnmapped { field } => lang.pick(
                format!("该数据源没有映射 {field} 列；先在 [source.fields] 中映射"),
                format!("the source maps no {field} column; map it under [source.fields] first"),
            ),
            P::CodeValue { value, field, values } => lang.pick(
                format!("`{value}` 不是 {field} 的取值；取值有：{values}"),
                format!("`{value}` is not a {field} value; values are: {values}"),
            ),
        }
    }
}

/// What is wrong with a source file as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// The file has no bytes, or no rows.
    Empty,
    /// The file holds NUL bytes or control characters: not a CSV text file.
    Binary,
    /// The header row is past the end of the file.
    NoHeader {
        /// The 1-based row where the header should be.
        header_row: u64,
    },
    /// The file is not valid in the declared encoding.
    Encoding {
        /// The encoding the job declares.
        declared: &'static str,
        /// The encoding the bytes fit.
        detected: &'static str,
    },
    /// A row far into a file whose start was detected as UTF-8 is GBK or GB18030 text.
    EncodingChanged {
        /// The data row where the encoding changed.
        row: u64,
        /// The encoding the row fits.
        detected: &'static str,
    },
    /// The XLSX workbook has no sheet of that name.
    NoSuchSheet {
        /// The sheet asked for.
        sheet: String,
        /// The sheets in the workbook.
        available: Vec<String>,
    },
    /// The header names one column twice, so a mapping to it would be ambiguous.
    DuplicateColumn {
        /// The repeated column name.
        column: String,
    },
    /// The format's own reader failed (truncated Parquet, a corrupt ZIP, ...).
    Format {
        /// The format.
        format: &'static str,
        /// The reader's message; about the structure, never containing cell values.
        message: String,
    },
}

impl Problem {
    /// What is wrong and a hint, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Problem::Empty => lang.pick(
                "文件是空的，没有数据行；导出是否完整？".into(),
                "the file is empty, with no data rows; was the export complete?".into(),
            ),
            Problem::Binary => lang.pick(
                "不是 CSV 文本文件（含二进制字节）；路径或 format 对吗？".into(),
                "the file is binary, not a CSV text file; is the path or the format right?".into(),
            ),
            Problem::NoHeader { header_row } => lang.pick(
                format!("第 {header_row} 行没有表头（文件没有这么多行）；header_row 对吗？"),
                format!(
                    "there is no header at row {header_row} (the file is shorter); is \
                     header_row right?"
                ),
            ),
            Problem::Encoding { declared, detected } => lang.pick(
                format!(
                    "文件不是有效的 {declared} 编码，看起来是 {detected}：设置 encoding = \
                     \"{detected}\" 或删去该键"
                ),
                format!(
                    "the file is not valid {declared}; it looks like {detected}: set `encoding = \
                     \"{detected}\"` or remove the key"
                ),
            ),
            Problem::EncodingChanged { row, detected } => lang.pick(
                format!(
                    "第 {row} 行不是 utf-8（文件开头是），看起来是 {detected}：为该数据源设置 \
                     encoding = \"{detected}\""
                ),
                format!(
                    "row {row} is not valid utf-8, as the start of the file is; it looks like \
                     {detected}: set `encoding = \"{detected}\"` for this source"
                ),
            ),
            Problem::NoSuchSheet { sheet, available } => lang.pick(
                format!("没有工作表 `{sheet}`；工作表有：{}", available.join(", ")),
                format!("no sheet `{sheet}`; sheets are: {}", available.join(", ")),
            ),
            Problem::DuplicateColumn { column } => lang.pick(
                format!("表头中 `{column}` 列出现两次；请在导出时重命名其中一列"),
                format!("the header has column `{column}` twice; rename one in the export"),
            ),
            Problem::Format { format, message } => lang.pick(
                format!("不是可读的 {format} 文件（{message}）；文件是否损坏，或 format 设错？"),
                format!(
                    "not a readable {format} file ({message}); is it damaged, or is the format \
                     wrong?"
                ),
            ),
        }
    }
}

/// What the operating system said, in `lang`, for the usual cases.
fn os_message(err: &std::io::Error, lang: Lang) -> String {
    use std::io::ErrorKind;
    match err.kind() {
        ErrorKind::NotFound => lang.pick(
            "文件不存在；路径相对于作业文件所在的文件夹".into(),
            "no such file; paths are relative to the job file's folder".into(),
        ),
        ErrorKind::PermissionDenied => lang.pick("没有读取权限".into(), "permission denied".into()),
        ErrorKind::IsADirectory => {
            lang.pick("这是文件夹，不是文件".into(), "it is a folder, not a file".into())
        }
        _ => err.to_string(),
    }
}

impl Error {
    /// The error as one line for the analyst, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Error::JobUnreadable { path, source } => lang.pick(
                format!("无法读取作业文件 {}：{}", path.display(), os_message(source, lang)),
                format!("cannot read job file {}: {}", path.display(), os_message(source, lang)),
            ),
            Error::JobSyntax { path, line, problem } => {
                let at = match line {
                    Some(line) => lang.pick(format!(" 第 {line} 行"), format!(", line {line}")),
                    None => String::new(),
                };
                let what = match problem {
                    SyntaxProblem::UnknownKey { key, expected } if expected.is_empty() => lang
                        .pick(
                            format!("未知的键 `{key}`，此处不能有键；检查拼写和所在的表"),
                            format!(
                                "unknown key `{key}`, and this table takes none; check the \
                                 spelling and the table"
                            ),
                        ),
                    SyntaxProblem::UnknownKey { key, expected } => lang.pick(
                        format!("未知的键 `{key}`；此处可用的键：{}", expected.join(", ")),
                        format!("unknown key `{key}`; the keys here are: {}", expected.join(", ")),
                    ),
                    SyntaxProblem::MissingKey { key } => {
                        lang.pick(format!("缺少键 `{key}`"), format!("the key `{key}` is missing"))
                    }
                    SyntaxProblem::Other(message) => lang
                        .pick(format!("TOML 写法有误：{message}"), format!("not valid: {message}")),
                };
                lang.pick(
                    format!("作业文件 {}{at}：{what}", path.display()),
                    format!("job file {}{at}: {what}", path.display()),
                )
            }
            Error::JobInvalid { path, key, problem } => lang.pick(
                format!("作业文件 {}：`{key}`：{}", path.display(), problem.message(lang)),
                format!("job file {}: `{key}`: {}", path.display(), problem.message(lang)),
            ),
            Error::MissingColumn { job, key, column, file, available } => lang.pick(
                format!(
                    "作业文件 {}：`{key}`：{} 中没有 `{column}` 列；它的列有：{}",
                    job.display(),
                    file.display(),
                    available.join(", ")
                ),
                format!(
                    "job file {}: `{key}`: column `{column}` is not in {}; its columns are: {}",
                    job.display(),
                    file.display(),
                    available.join(", ")
                ),
            ),
            Error::HeaderLooksLikeData { job, key, column, file, header_row } => lang.pick(
                format!(
                    "作业文件 {}：`{key}`：{} 中没有 `{column}` 列，且作为表头读取的第 \
                     {header_row} 行像数据行（含长数字）：header_row 对吗？",
                    job.display(),
                    file.display()
                ),
                format!(
                    "job file {}: `{key}`: column `{column}` is not in {}, and the row read as \
                     its header (header_row = {header_row}) holds long numbers as data rows do: \
                     is header_row right?",
                    job.display(),
                    file.display()
                ),
            ),
            Error::Unreadable { path, source } => lang.pick(
                format!("无法读取 {}：{}", path.display(), os_message(source, lang)),
                format!("cannot read {}: {}", path.display(), os_message(source, lang)),
            ),
            Error::Malformed { path, problem } => lang.pick(
                format!("{}：{}", path.display(), problem.message(lang)),
                format!("{}: {}", path.display(), problem.message(lang)),
            ),
            Error::Unencodable { path, column, row, encoding } => {
                let row = match row {
                    Some(row) => lang.pick(format!("第 {row} 行数据"), format!("data row {row}")),
                    None => lang.pick("表头".to_owned(), "the header".to_owned()),
                };
                lang.pick(
                    format!(
                        "无法写入 {}：`{column}` 列的{row}有 {encoding} 无法表示的字符；改用 utf-8",
                        path.display()
                    ),
                    format!(
                        "cannot write {}: {row} of column `{column}` has a character that \
                         {encoding} cannot hold; write utf-8 instead",
                        path.display()
                    ),
                )
            }
            Error::Write { path, source } => lang.pick(
                format!("无法写入 {}：{source}；磁盘是否已满，文件夹可写吗？", path.display()),
                format!(
                    "cannot write {}: {source}; is the disk full, or the folder read-only?",
                    path.display()
                ),
            ),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::JobUnreadable { source, .. } | Error::Unreadable { source, .. } => Some(source),
            Error::Write { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for Problem {}
