//! `censuslink init` end to end: the job it infers for the sample's six extracts maps them as
//! the hand-written sample job does and runs to the same kind of lists; it refuses to
//! overwrite a job file, and a file it cannot read is one line and exit code 2.

use std::path::{Path, PathBuf};

use censuslink_io::{Encoding, Job};
use censuslink_model::Field;
use serde_json::Value;

use crate::{censuslink, repo_path};

/// The sample's extracts, in the order of its job file.
const SAMPLE_FILES: [&str; 6] =
    ["census.csv", "hukou.csv", "birth.xlsx", "death.parquet", "school.arrow", "insurance.csv"];

/// Copies the sample's extracts into `folder`; their paths there.
fn copy_sample(folder: &Path) -> Vec<PathBuf> {
    SAMPLE_FILES
        .iter()
        .map(|file| {
            let to = folder.join(file);
            std::fs::copy(repo_path("sample-data").join(file), &to).expect("a readable sample");
            to
        })
        .collect()
}

/// Runs `init` on `files`, expecting exit code 2 and one line; returns the line.
fn init_failing(files: &[PathBuf], out: &Path) -> String {
    let assert = censuslink().arg("init").args(files).arg("--out").arg(out).assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn init_on_the_sample_infers_its_job_and_the_job_runs_to_lists() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let files = copy_sample(folder.path());
    let job_path = folder.path().join("job.toml");
    let assert = censuslink()
        .args(["--lang", "en", "init"])
        .args(&files)
        .arg("--out")
        .arg(&job_path)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(
        stdout.contains(
            "census.csv → census (census, csv): 12 fields, key 普查区代码 + 普查小区编号 + 户编号 + \
             人员序号"
        ),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("next: censuslink run {}", job_path.display())), "{stdout}");

    let inferred = Job::load(&job_path).expect("init writes a valid job");
    let sample = Job::load(&repo_path("sample-data/job.toml")).expect("the sample job");
    assert_eq!(inferred.sources.len(), 6);
    for ((source, expected), file) in inferred.sources.iter().zip(&sample.sources).zip(SAMPLE_FILES)
    {
        let name = &expected.name;
        assert_eq!(source.name, *name);
        assert_eq!(source.role, expected.role, "{name}");
        assert_eq!(source.path(), folder.path().join(file), "{name}: relative to the job");
        assert_eq!(source.format, expected.format, "{name}");
        assert_eq!(source.key, expected.key, "{name}");
        assert_eq!(source.fields, expected.fields, "{name}: the hand-written mapping");
        assert_eq!(source.header_row, expected.header_row, "{name}");
        assert_eq!(source.sheet, expected.sheet, "{name}");
        let is_gb = |encoding| matches!(encoding, Some(Encoding::Gbk | Encoding::Gb18030));
        assert_eq!(is_gb(source.encoding), is_gb(expected.encoding), "{name}");
        // The census's person categories need their table; the standardizer reads the rest.
        let record_types = source.codes.get(&Field::RecordType);
        assert_eq!(record_types, expected.codes.get(&Field::RecordType), "{name}");
        assert_eq!(source.codes.len(), usize::from(record_types.is_some()), "{name}");
        for token in &expected.missing {
            assert!(source.missing.contains(token), "{name}: `{token}` reads as missing");
        }
    }
    let text = std::fs::read_to_string(&job_path).expect("the job file");
    assert!(text.contains("lang = \"en\"\n"));
    assert!(text.contains("reference_moment = \"2020-11-01T00:00:00\"  # check: "), "{text}");
    assert!(text.contains("# not mapped: 父亲姓名, 出生地点\n"), "{text}");
    // The ID type column is no ID number; a birth's only ID is the mother's.
    assert!(text.contains("# not mapped: 户别, 身份证件类别\n"), "{text}");
    let births = &inferred.sources[2];
    assert!(births.fields.contains_key(&Field::MotherId), "{text}");
    assert!(!births.fields.contains_key(&Field::IdNumber), "{text}");

    let outputs = tempfile::tempdir().expect("a temporary folder");
    let out = outputs.path().join("out");
    censuslink().args(["run", "--quiet", "--out"]).arg(&out).arg(&job_path).assert().success();
    let summary: Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).expect("summary.json"))
            .expect("summary.json is JSON");
    let roles: Vec<(&str, &str)> = summary["sources"]
        .as_array()
        .expect("a list of sources")
        .iter()
        .map(|s| (s["name"].as_str().expect("a name"), s["role"].as_str().expect("a role")))
        .collect();
    assert_eq!(
        roles,
        [
            ("census", "census"),
            ("hukou", "hukou"),
            ("birth", "birth"),
            ("death", "death"),
            ("school", "school"),
            ("insurance", "insurance"),
        ]
    );
    // The inferred job's lists are the hand-written job's, byte for byte.
    let hand = outputs.path().join("hand");
    censuslink()
        .args(["run", "--quiet", "--out"])
        .arg(&hand)
        .arg(repo_path("sample-data/job.toml"))
        .assert()
        .success();
    for list in ["links", "missing", "duplicates", "deceased", "births", "conflicts", "coverage"] {
        let read =
            |folder: &Path| std::fs::read(folder.join(format!("{list}.csv"))).expect("a list");
        assert!(read(&out) == read(&hand), "{list}.csv differs from the hand-written job's");
    }
    let lists = &summary["lists"];
    let count = |list: &str| lists[list].as_u64().unwrap_or_else(|| panic!("lists.{list}"));
    assert!(count("missing") > 400 && count("links") > 30_000, "{lists}");
    assert!(count("duplicates") > 100 && count("deceased") > 0 && count("births") > 0, "{lists}");
}

#[test]
fn init_refuses_to_overwrite_a_job_file_unless_forced() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let file = folder.path().join("census.csv");
    std::fs::write(&file, "人员编号,姓名,公民身份号码\nC1,张伟,11010519491231002X\n")
        .expect("writable");
    let job_path = folder.path().join("job.toml");
    std::fs::write(&job_path, "# the analyst's own job\n").expect("writable");

    let stderr = init_failing(std::slice::from_ref(&file), &job_path);
    assert!(stderr.contains("job.toml") && stderr.contains("--force"), "{stderr}");
    let kept = std::fs::read_to_string(&job_path).expect("the job file");
    assert_eq!(kept, "# the analyst's own job\n");

    censuslink()
        .arg("init")
        .arg(&file)
        .arg("--out")
        .arg(&job_path)
        .arg("--force")
        .assert()
        .success();
    let job = Job::load(&job_path).expect("a valid job");
    assert_eq!(job.sources[0].role.as_str(), "census");
    assert_eq!(job.sources[0].key, ["人员编号"]);
}

#[test]
fn init_on_a_file_it_cannot_read_is_one_line_and_exit_code_2() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let job_path = folder.path().join("job.toml");
    let good = folder.path().join("hukou.csv");
    std::fs::write(&good, "户籍编号,姓名\nH1,张伟\n").expect("writable");

    let missing = folder.path().join("missing.csv");
    let stderr = init_failing(&[good.clone(), missing], &job_path);
    assert!(stderr.contains("missing.csv"), "names the file: {stderr}");

    let broken = folder.path().join("death.parquet");
    std::fs::write(&broken, b"PAR1\x15\x04\x15").expect("writable");
    let stderr = init_failing(&[good, broken], &job_path);
    assert!(stderr.contains("death.parquet"), "names the file: {stderr}");
    assert!(!job_path.exists(), "nothing is written");
}
