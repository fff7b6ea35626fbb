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
    /// A mapped column is not in the source file, whose header row holds no column the job
    /// maps, or values (numbers, dates): it is probably a data row. Its cells are not
    /// repeated, since they may be names or ID numbers.
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
        /// The number of columns in that row.
        n_columns: usize,
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
    /// The columns the job names as a source's record key do not identify its rows: some
    /// values are on more than one row. The values are not repeated.
    DuplicateKeys {
        /// The job file.
        job: PathBuf,
        /// The dotted key, `source.<name>.key`.
        key: String,
        /// The source's (first) file.
        file: PathBuf,
        /// Key values found on more than one row.
        n_repeated: usize,
        /// Rows that share their key with an earlier row.
        n_rows: usize,
    },
    /// The columns the job names as a source's record key hold ID numbers, which every list
    /// would then show whole.
    KeyIsIdNumber {
        /// The job file.
        job: PathBuf,
        /// The dotted key, `source.<name>.key`.
        key: String,
        /// The source's (first) file.
        file: PathBuf,
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
    /// The job has no source in the census role.
    NoCensus,
    /// A source without a role, in a job run as a census reconciliation.
    NoRole,
    /// A link of fewer than two sources.
    LinkSources,
    /// A deduplication of more than one source.
    DedupeSources,
    /// A second source of a role that must be one source: a second census, or files of one
    /// layout given as two sources.
    RoleTwice {
        /// The role.
        role: &'static str,
        /// The source that has it already.
        other: String,
    },
    /// `timezone` is not a time zone of the IANA database.
    Timezone {
        /// The value written.
        value: String,
    },
    /// `date_range` is not two years, the first no later than the second, within 1000..=2100.
    DateRange,
    /// `path = []`.
    NoPath,
    /// A source path that leads out of the job file's folder.
    PathOutsideJob {
        /// The path as written.
        path: String,
    },
    /// A path pattern that matches no file.
    NoFileMatches {
        /// The pattern as written.
        pattern: String,
    },
    /// `delimiter` on a source that is not CSV.
    DelimiterNotCsv,
    /// `delimiter` is not one ASCII character.
    Delimiter,
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
    /// A census place (D7/D8 category) mapped onto a field that is not a region.
    CensusPlaceNotRegion {
        /// The field.
        field: String,
    },
    /// A census place that does not name `d8` for `hukou_region` or `d7` for
    /// `residence_region`.
    CensusPlaceQuestion,
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
            P::NoCensus => lang.pick(
                "作业没有 role = \"census\" 的数据源；普查数据须作为一个数据源列出".into(),
                "the job has no source with role = \"census\"; list the census as one source"
                    .into(),
            ),
            P::NoRole => lang.pick(
                "普查比对的每个数据源都须有 role（census、hukou、birth、death、school、insurance）；无角色的数据源只能用 censuslink link 或 dedupe 链接".into(),
                "every source of a census reconciliation needs a role (census, hukou, birth, \
                 death, school, insurance); sources without one are linked by censuslink link \
                 or dedupe"
                    .into(),
            ),
            P::LinkSources => lang.pick(
                "censuslink link 需要两个或更多数据源：第一个与其后每一个链接；一个数据源内的重复请用 censuslink dedupe".into(),
                "censuslink link needs two sources or more: the first is linked to each later \
                 one; to find duplicates within one source, use censuslink dedupe"
                    .into(),
            ),
            P::DedupeSources => lang.pick(
                "censuslink dedupe 只读一个数据源；要链接多个数据源，请用 censuslink link".into(),
                "censuslink dedupe reads one source; to link several, use censuslink link".into(),
            ),
            P::RoleTwice { role, other } => lang.pick(
                format!(
                    "与数据源 {other} 同为 {role}{}：同一格式的多个文件请写在一个数据源的 path 中（path = [\"a.csv\", \"b.csv\"] 或 \"普查_*.csv\"）",
                    if *role == "census" { "（普查只能有一个数据源）" } else { "，且列映射相同" }
                ),
                format!(
                    "{role} like source {other}{}: list files of one layout in one source's path (path = [\"a.csv\", \"b.csv\"] or \"census_*.csv\")",
                    if *role == "census" { " (the census is one source)" } else { ", with the same mapping" }
                ),
            ),
            P::Timezone { value } => lang.pick(
                format!("`{value}` 不是时区名；例如 Asia/Shanghai、UTC"),
                format!("`{value}` is not a time zone name; for example Asia/Shanghai, UTC"),
            ),
            P::DateRange => lang.pick(
                "须为两个年份，前者不晚于后者，都在 1000 到 2100 之间，例如 [1800, 2100]".into(),
                "must be two years, the first no later than the second, both within 1000..=2100, \
                 such as [1800, 2100]"
                    .into(),
            ),
            P::NoPath => {
                lang.pick("path 为空；至少列出一个文件".into(), "`path` lists no file".into())
            }
            P::PathOutsideJob { path } => lang.pick(
                format!(
                    "`{path}` 在作业文件所在文件夹之外；数据文件须放在作业文件的文件夹或其子文件夹中"
                ),
                format!(
                    "`{path}` leads out of the job file's folder; keep the extracts in the job's folder or below it"
                ),
            ),
            P::NoFileMatches { pattern } => lang.pick(
                format!("没有文件与 `{pattern}` 匹配；文件名和文件夹对吗？"),
                format!("no file matches `{pattern}`; are the name and the folder right?"),
            ),
            P::DelimiterNotCsv => lang.pick(
                "只有 csv 文件有分隔符；删去此键".into(),
                "only csv files have a delimiter; remove the key".into(),
            ),
            P::Delimiter => lang.pick(
                "分隔符须为一个 ASCII 字符，如 \",\"、\";\"、\"|\" 或 \"\\t\"".into(),
                "the delimiter is one ASCII character, such as \",\", \";\", \"|\" or \"\\t\""
                    .into(),
            ),
            P::DuplicateSourceName => lang.pick(
                "两个数据源同名；每个数据源的 name 须不同".into(),
                "two sources have this name; give each source its own name".into(),
            ),
            other => other.source_message(lang),
        }
    }

    /// [`JobProblem::message`] of a problem with one source's table.
    fn source_message(&self, lang: Lang) -> String {
        use JobProblem as P;
        match self {
            P::SourceName => lang.pick(
                "数据源名称只能用小写字母、数字和 _".into(),
                "a source name is lower-case letters, digits and _".into(),
            ),
            P::Role { value } => lang.pick(
                format!("`{value}` 不是 census、hukou、birth、death、school、insurance、records 之一"),
                format!(
                    "`{value}` is not one of census, hukou, birth, death, school, insurance, records"
                ),
            ),
            P::Format { value } => lang.pick(
                format!("`{value}` 不是 csv、parquet、arrow、xlsx 或 xls"),
                format!("`{value}` is not csv, parquet, arrow, xlsx or xls"),
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
            P::CensusPlaceNotRegion { field } => lang.pick(
                format!("普查地点类别只能组成区划代码，{field} 不是区划字段"),
                format!("a census place category only builds a region code, and {field} is not one"),
            ),
            P::CensusPlaceQuestion => lang.pick(
                "普查地点：hukou_region 只给 d8（户口登记地类别），residence_region 只给 d7（现住地类别）".into(),
                "a census place names d8 (where the hukou is) for hukou_region and d7 (where the person lives) for residence_region, and only that".into(),
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
                "代码表只用于 sex、ethnicity、relation、record_type、collection_mode 或 status"
                    .into(),
                "codes map sex, ethnicity, relation, record_type, collection_mode or status".into(),
            ),
            P::CodesUnmapped { field } => lang.pick(
                format!("该数据源没有映射 {field} 列；先在 [source.fields] 中映射"),
                format!("the source maps no {field} column; map it under [source.fields] first"),
            ),
            P::CodeValue { value, field, values } => lang.pick(
                format!("`{value}` 不是 {field} 的取值；取值有：{values}"),
                format!("`{value}` is not a {field} value; values are: {values}"),
            ),
            other => unreachable!("{other:?} is a job's problem, said by message"),
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
    /// The file has a header but no data rows.
    NoRows,
    /// The first row holds values (numbers, dates, ID numbers), not column names: the file
    /// has no header row. Its values are not repeated.
    HeaderIsData {
        /// The number of columns in the row.
        n_columns: usize,
    },
    /// A later file of a source has another header than its first file.
    HeaderDiffers {
        /// The source's first file.
        first: PathBuf,
    },
    /// A mapped column is a list or a struct, which has no text form.
    NestedColumn {
        /// The column.
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
            Problem::NoRows => lang.pick(
                "只有表头，没有数据行；导出是否完整？不需要此数据源就从作业中删去".into(),
                "the file has a header but no data rows; was the export complete? If the \
                 source is not needed, remove it from the job"
                    .into(),
            ),
            Problem::HeaderIsData { n_columns } => lang.pick(
                format!("第一行（{n_columns} 列）看起来是数据而不是表头：请带表头行重新导出文件"),
                format!(
                    "the first row ({n_columns} columns) looks like data, not a header: export the file again with its header row"
                ),
            ),
            Problem::HeaderDiffers { first } => lang.pick(
                format!(
                    "表头与同一数据源的第一个文件 {} 不同；同一数据源的文件须格式相同，格式不同就分成两个数据源",
                    first.display()
                ),
                format!(
                    "its header differs from that of the source's first file {}; the files of a source share one layout: give another layout its own source",
                    first.display()
                ),
            ),
            Problem::NestedColumn { column } => lang.pick(
                format!("`{column}` 列是列表或结构类型，不能映射为字段；请映射其他列"),
                format!("column `{column}` is a list or a struct and cannot be mapped; map another column"),
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
            Error::HeaderLooksLikeData { job, key, column, file, header_row, n_columns } => {
                lang.pick(
                    format!(
                        "作业文件 {}：`{key}`：{} 中没有 `{column}` 列；作为表头读取的第 {header_row} 行（{n_columns} 列）不含作业映射的任何列，看起来是数据行：文件是否缺少表头行，或 header_row 设错？",
                        job.display(),
                        file.display()
                    ),
                    format!(
                        "job file {}: `{key}`: column `{column}` is not in {}; the row read as its header (header_row = {header_row}, {n_columns} columns) holds none of the columns the job maps and looks like data: does the file lack a header row, or is header_row wrong?",
                        job.display(),
                        file.display()
                    ),
                )
            }
            Error::Unreadable { path, source } => lang.pick(
                format!("无法读取 {}：{}", path.display(), os_message(source, lang)),
                format!("cannot read {}: {}", path.display(), os_message(source, lang)),
            ),
            Error::Malformed { path, problem } => lang.pick(
                format!("{}：{}", path.display(), problem.message(lang)),
                format!("{}: {}", path.display(), problem.message(lang)),
            ),
            Error::DuplicateKeys { job, key, file, n_repeated, n_rows } => lang.pick(
                format!(
                    "作业文件 {}：`{key}`：{} 中有 {n_repeated} 个记录编号重复（多出 {n_rows} 行），不能唯一标识记录；请选能唯一标识每行的列，或删去 key 用行号",
                    job.display(),
                    file.display()
                ),
                format!(
                    "job file {}: `{key}`: {n_repeated} key values are on more than one row of {} ({n_rows} rows more), so the key does not name a record; choose columns that identify each row, or remove `key` to use row numbers",
                    job.display(),
                    file.display()
                ),
            ),
            Error::KeyIsIdNumber { job, key, file } => lang.pick(
                format!(
                    "作业文件 {}：`{key}`：{} 的记录编号是身份证号，清单和核查表会显示完整号码；请选其他编号列，或删去 key 用行号",
                    job.display(),
                    file.display()
                ),
                format!(
                    "job file {}: `{key}`: the record keys of {} are ID numbers, which the lists and worklists would show whole; choose another key column, or remove `key` to use row numbers",
                    job.display(),
                    file.display()
                ),
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
