//! The bad-input catalogue: each way an analyst's job or files go wrong, and the exact one line
//! the binary answers with, in the job's language.

use std::path::Path;

use crate::censuslink;

const CENSUS: &str = "\
编号,姓名,公民身份号码,性别,出生年月
C1,张伟,11010519491231002X,1,194912
C2,李娜,110105198001010024,2,198001
C3,王芳,110105199002020042,2,199002
C4,刘强,110105197503030039,1,197503
";

const HUKOU: &str = "\
户号,姓名,公民身份号码,性别,出生日期
H1,张伟,11010519491231002X,1,1949-12-31
H2,李娜,110105198001010024,2,1980-01-01
H3,王芳,110105199002020042,2,1990-02-02
H4,赵敏,110105200003030061,2,2000-03-03
";

/// A job of a census and a hukou extract; `census` and `hukou` are the text of each source's
/// table after its `[[source]]` line, `head` what comes before the first.
fn job(head: &str, census: &str, hukou: &str) -> String {
    format!(
        "reference_moment = \"2020-11-01T00:00:00\"\n{head}\n\
         [[source]]\n{census}\n\
         [[source]]\n{hukou}\n"
    )
}

/// A job head in English with a `[linkage]` table of `body`, and a blocking rule on the ID
/// number unless `body` gives its own.
fn linkage(body: &str) -> String {
    let blocking = match body.contains("blocking") {
        true => "",
        false => "\nblocking = [{ name = \"ID\", keys = [\"id_number\"] }]",
    };
    format!("lang = \"en\"\n[linkage]\n{body}{blocking}")
}

const CENSUS_SOURCE: &str = "name = \"census\"\nrole = \"census\"\npath = \"census.csv\"\n\
     key = \"编号\"\n\
     fields = { name = \"姓名\", id_number = \"公民身份号码\", sex = \"性别\", birth_date = \"出生年月\" }";

const HUKOU_SOURCE: &str = "name = \"hukou\"\nrole = \"hukou\"\npath = \"hukou.csv\"\n\
     key = \"户号\"\n\
     fields = { name = \"姓名\", id_number = \"公民身份号码\", sex = \"性别\", birth_date = \"出生日期\" }";

/// One entry of the catalogue: the files of the folder, the job, and what the binary must
/// answer: the exit code and standard error's one line, where `{dir}` stands for the folder.
struct Case {
    name: &'static str,
    files: Vec<(&'static str, Vec<u8>)>,
    job: String,
    code: i32,
    line: &'static str,
}

fn cases() -> Vec<Case> {
    let mut cases = file_and_job_cases();
    cases.extend(key_and_linkage_cases());
    cases
}

/// The catalogue's first half: missing and unreadable files, job keys, census sources.
fn file_and_job_cases() -> Vec<Case> {
    let files = case_files;
    let standard = job("", CENSUS_SOURCE, HUKOU_SOURCE);
    vec![
        Case {
            name: "missing file",
            files: vec![("census.csv", CENSUS.as_bytes().to_vec())],
            job: standard.clone(),
            code: 2,
            line: "错误：无法读取 {dir}/hukou.csv：文件不存在；路径相对于作业文件所在的文件夹",
        },
        Case {
            name: "missing file, in English",
            files: vec![("census.csv", CENSUS.as_bytes().to_vec())],
            job: job("lang = \"en\"", CENSUS_SOURCE, HUKOU_SOURCE),
            code: 2,
            line: "error: cannot read {dir}/hukou.csv: no such file; paths are relative to the \
                   job file's folder",
        },
        Case {
            name: "wrong format",
            files: vec![
                ("census.csv", CENSUS.as_bytes().to_vec()),
                ("hukou.parquet", HUKOU.as_bytes().to_vec()),
            ],
            job: job("", CENSUS_SOURCE, &HUKOU_SOURCE.replace("hukou.csv", "hukou.parquet")),
            code: 2,
            line: "错误：{dir}/hukou.parquet：不是可读的 parquet 文件（Parquet error: Invalid \
                   Parquet file. Corrupt footer）；文件是否损坏，或 format 设错？",
        },
        Case {
            name: "unknown encoding",
            files: files(CENSUS.as_bytes()),
            job: job("", &format!("{CENSUS_SOURCE}\nencoding = \"big5\""), HUKOU_SOURCE),
            code: 2,
            line: "错误：作业文件 {dir}/job.toml：`source.census.encoding`：`big5` 不是 utf-8、gbk \
                   或 gb18030；不确定时删去此键，自动识别",
        },
        Case {
            name: "missing column",
            files: files(CENSUS.as_bytes()),
            job: job(
                "",
                &CENSUS_SOURCE.replace("name = \"姓名\"", "name = \"名字\""),
                HUKOU_SOURCE,
            ),
            code: 2,
            line: "错误：作业文件 {dir}/job.toml：`source.census.fields.name`：{dir}/census.csv 中\
                   没有 `名字` 列；它的列有：编号, 姓名, 公民身份号码, 性别, 出生年月",
        },
        Case {
            name: "unknown key in the job file",
            files: files(CENSUS.as_bytes()),
            job: job("colour = \"blue\"", CENSUS_SOURCE, HUKOU_SOURCE),
            code: 2,
            line: "错误：作业文件 {dir}/job.toml 第 2 行：未知的键 `colour`；此处可用的键：\
                   reference_moment, lang, timezone, date_range, mask_ids, missing, source, linkage",
        },
        Case {
            name: "unknown key in a source",
            files: files(CENSUS.as_bytes()),
            job: job("", &format!("{CENSUS_SOURCE}\ncolour = \";\""), HUKOU_SOURCE),
            code: 2,
            line: "错误：作业文件 {dir}/job.toml 第 9 行：未知的键 `colour`；此处可用的键：\
                   name, role, path, format, encoding, delimiter, header_row, sheet, key, missing, \
                   fields, codes, extra",
        },
        Case {
            name: "empty file",
            files: files(b""),
            job: standard.clone(),
            code: 2,
            line: "错误：{dir}/census.csv：文件是空的，没有数据行；导出是否完整？",
        },
        Case {
            name: "empty file, in English",
            files: files(b""),
            job: job("lang = \"en\"", CENSUS_SOURCE, HUKOU_SOURCE),
            code: 2,
            line: "error: {dir}/census.csv: the file is empty, with no data rows; was the export \
                   complete?",
        },
        Case {
            name: "no census source",
            files: files(CENSUS.as_bytes()),
            job: format!("reference_moment = \"2020-11-01\"\n[[source]]\n{HUKOU_SOURCE}\n"),
            code: 2,
            line: "错误：作业文件 {dir}/job.toml：`source`：作业没有 role = \"census\" 的数据源；\
                   普查数据须作为一个数据源列出",
        },
        Case {
            name: "the census as two sources",
            files: files(CENSUS.as_bytes()),
            job: job(
                "",
                CENSUS_SOURCE,
                &CENSUS_SOURCE.replace("name = \"census\"", "name = \"census_2\""),
            ),
            code: 2,
            line: "错误：作业文件 {dir}/job.toml：`source.census_2.role`：与数据源 census 同为 \
                   census（普查只能有一个数据源）：同一格式的多个文件请写在一个数据源的 path 中\
                   （path = [\"a.csv\", \"b.csv\"] 或 \"普查_*.csv\"）",
        },
    ]
}

/// The catalogue's second half: keys, headers, paths, dates and `[linkage]`.
fn key_and_linkage_cases() -> Vec<Case> {
    let files = case_files;
    let garbage_dates = garbage_dates();
    let standard = job("", CENSUS_SOURCE, HUKOU_SOURCE);
    vec![
        Case {
            name: "a key on several rows",
            files: files(CENSUS.as_bytes()),
            job: job("", &CENSUS_SOURCE.replace("key = \"编号\"", "key = \"性别\""), HUKOU_SOURCE),
            code: 2,
            line: "错误：作业文件 {dir}/job.toml：`source.census.key`：{dir}/census.csv 中有 2 个\
                   记录编号重复（多出 2 行），不能唯一标识记录；请选能唯一标识每行的列，或删去 key \
                   用行号",
        },
        Case {
            name: "an ID number as the key",
            files: files(CENSUS.as_bytes()),
            job: job(
                "lang = \"en\"",
                &CENSUS_SOURCE.replace("key = \"编号\"", "key = \"公民身份号码\""),
                HUKOU_SOURCE,
            ),
            code: 2,
            line: "error: job file {dir}/job.toml: `source.census.key`: the record keys of \
                   {dir}/census.csv are ID numbers, which the lists and worklists would show \
                   whole; choose another key column, or remove `key` to use row numbers",
        },
        Case {
            name: "a file without its header row",
            files: files(CENSUS.lines().skip(1).collect::<Vec<_>>().join("\n").as_bytes()),
            job: standard.clone(),
            code: 2,
            line: "错误：作业文件 {dir}/job.toml：`source.census.fields.name`：\
                   {dir}/census.csv 中没有 `姓名` 列；作为表头读取的第 1 行（5 列）不含作业映射\
                   的任何列，看起来是数据行：文件是否缺少表头行，或 header_row 设错？",
        },
        Case {
            name: "a path out of the job's folder",
            files: files(CENSUS.as_bytes()),
            job: job("", &CENSUS_SOURCE.replace("census.csv", "../../etc/passwd"), HUKOU_SOURCE),
            code: 2,
            line: "错误：作业文件 {dir}/job.toml：`source.census.path`：`../../etc/passwd` 在作业\
                   文件所在文件夹之外；数据文件须放在作业文件的文件夹或其子文件夹中",
        },
        Case {
            name: "a header and no rows",
            files: files(CENSUS.lines().next().expect("a header").as_bytes()),
            job: standard.clone(),
            code: 2,
            line: "错误：{dir}/census.csv：只有表头，没有数据行；导出是否完整？不需要此数据源就从\
                   作业中删去",
        },
        Case {
            name: "the reference moment unquoted, as a TOML datetime",
            files: files(CENSUS.as_bytes()),
            job: standard.replace("\"2020-11-01T00:00:00\"", "2020-11-01T00:00:00"),
            code: 0,
            line: "",
        },
        Case {
            name: "a date range the wrong way round",
            files: files(CENSUS.as_bytes()),
            job: job("date_range = [2100, 1800]", CENSUS_SOURCE, HUKOU_SOURCE),
            code: 2,
            line: "错误：作业文件 {dir}/job.toml：`date_range`：须为两个年份，前者不晚于后者，都在 \
                   1000 到 2100 之间，例如 [1800, 2100]",
        },
        Case {
            name: "a misspelt feature in [linkage]",
            files: files(CENSUS.as_bytes()),
            job: job(
                &linkage("comparisons = [{ feature = \"nmae\", kind = \"name\" }]"),
                CENSUS_SOURCE,
                HUKOU_SOURCE,
            ),
            code: 2,
            line: "error: job file {dir}/job.toml: `linkage`: comparison of `nmae`: there is no \
                   such feature; the features are: name, mother_name, id_number, mother_id, \
                   birth_date, event_date, sex, ethnicity, hukou_region, residence_region, \
                   enumeration_area, hukou_address, residence_address, household_id; the \
                   README's [linkage] section lists the keys",
        },
        Case {
            name: "a misspelt blocking key in [linkage]",
            files: files(CENSUS.as_bytes()),
            job: job(
                &linkage(
                    "comparisons = [{ feature = \"name\", kind = \"name\" }]\n\
                     blocking = [{ name = \"name\", keys = [\"name.readng\"] }]",
                ),
                CENSUS_SOURCE,
                HUKOU_SOURCE,
            ),
            code: 2,
            line: "error: job file {dir}/job.toml: `linkage`: blocking rule `name`: key \
                   `name.readng`: `readng` is not a part of this feature (names: reading, \
                   surname_reading; dates: year_month, year; ID numbers: region_birth, \
                   birth_serial; regions: prefecture, county, township; texts and names, their \
                   readings too: prefixN, suffixN, initials, soundex); the README's [linkage] section lists \
                   the keys",
        },
        Case {
            name: "a misspelt anchor in [linkage]",
            files: files(CENSUS.as_bytes()),
            job: job(
                &linkage(
                    "comparisons = [{ feature = \"name\", kind = \"name\" }]\n\
                     training = { anchor = [\"id_numbr\"] }",
                ),
                CENSUS_SOURCE,
                HUKOU_SOURCE,
            ),
            code: 2,
            line: "error: job file {dir}/job.toml: `linkage`: anchor `id_numbr`: no comparison \
                   compares this feature; the README's [linkage] section lists the keys",
        },
        Case {
            name: "a column of garbage",
            files: files(garbage_dates.as_bytes()),
            job: standard,
            code: 1,
            line: "警告：census birth_date（列 出生年月）：4 行中 4 行（100.0%）无法识别；映射的列\
                   对吗？逐行问题见 row_issues.csv",
        },
    ]
}

/// The census file given and the standard hukou file.
fn case_files(census: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    vec![("census.csv", census.to_vec()), ("hukou.csv", HUKOU.as_bytes().to_vec())]
}

/// The census file with a note in place of every birth date.
fn garbage_dates() -> String {
    CENSUS
        .lines()
        .enumerate()
        .map(|(i, line)| match (i, line.rsplit_once(',')) {
            (0, _) | (_, None) => format!("{line}\n"),
            (_, Some((head, _))) => format!("{head},见备注\n"),
        })
        .collect()
}

#[test]
fn each_bad_input_gets_its_one_line_in_the_jobs_language() {
    for case in cases() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let dir = folder.path();
        for (name, bytes) in &case.files {
            std::fs::write(dir.join(name), bytes).expect("writable");
        }
        std::fs::write(dir.join("job.toml"), &case.job).expect("writable");
        // The outputs go apart from the inputs' folder, as they must.
        let out = tempfile::tempdir().expect("a temporary folder");
        let output = censuslink()
            .args(["run", "--quiet", "--out"])
            .arg(out.path().join("out"))
            .arg(dir.join("job.toml"))
            .output()
            .expect("the binary runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let expected = case.line.replace("{dir}", &display(dir));
        assert_eq!(output.status.code(), Some(case.code), "{}: {stderr}", case.name);
        let expected: Vec<&str> = expected.lines().collect();
        assert_eq!(stderr.lines().collect::<Vec<_>>(), expected, "{}", case.name);
        assert!(output.stdout.is_empty(), "{}: --quiet prints nothing", case.name);
        // No value of the data in any message: names and ID numbers of the fixture.
        for value in ["张伟", "李娜", "11010519491231002X", "见备注"] {
            assert!(!stderr.contains(value), "{}: {stderr}", case.name);
        }
    }
}

fn display(path: &Path) -> String {
    path.display().to_string()
}
