//! Hostile inputs on copies of the sample district: what departments and careless analysts
//! really produce must end as the right result or a warning, never as wrong lists with exit
//! code 0.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::{censuslink, repo_path};

/// The sample's extracts and job copied into `folder`; the job's text is `edit`ed first.
fn copy_sample(folder: &Path, edit: impl Fn(&str) -> String) -> PathBuf {
    for entry in std::fs::read_dir(repo_path("sample-data")).expect("the sample") {
        let path = entry.expect("an entry").path();
        if path.is_file() {
            std::fs::copy(&path, folder.join(path.file_name().expect("a name"))).expect("copied");
        }
    }
    let job = folder.join("job.toml");
    let text = std::fs::read_to_string(&job).expect("the job");
    std::fs::write(&job, edit(&text)).expect("writable");
    job
}

fn run(job: &Path, out: &Path) -> Output {
    censuslink().args(["run", "--out"]).arg(out).arg(job).output().expect("runs")
}

/// The evaluation of the run in `out` against the sample's truth.
fn evaluate(out: &Path) -> Value {
    let output = censuslink()
        .args(["evaluate", "--truth"])
        .arg(repo_path("sample-data/truth"))
        .arg("--out")
        .arg(out)
        .output()
        .expect("runs");
    assert!(output.status.success(), "{output:?}");
    serde_json::from_slice(&std::fs::read(out.join("evaluation.json")).expect("evaluation.json"))
        .expect("JSON")
}

/// The census as its rows: the header, then each row's cells (the file is GBK).
fn census_rows(folder: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(folder.join("census.csv")).expect("the census");
    let text = encoding_rs::GB18030.decode(&bytes).0.into_owned();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    reader.records().map(|r| r.expect("a row").iter().map(str::to_owned).collect()).collect()
}

fn write_census(path: &Path, rows: &[Vec<String>]) {
    let mut writer =
        csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    for row in rows {
        writer.write_record(row).expect("written");
    }
    let text = String::from_utf8(writer.into_inner().expect("flushed")).expect("UTF-8");
    std::fs::write(path, encoding_rs::GBK.encode(&text).0).expect("writable");
}

#[test]
fn a_census_in_two_files_is_one_source_and_gives_the_same_lists() {
    let whole = tempfile::tempdir().expect("a temporary folder");
    let whole_out = whole.path().join("out");
    assert!(matches!(
        run(&repo_path("sample-data/job.toml"), &whole_out).status.code(),
        Some(0 | 1)
    ));

    // The census exported per township: the first township's rows, then the rest.
    let folder = tempfile::tempdir().expect("a temporary folder");
    let job = copy_sample(folder.path(), |text| {
        text.replacen("path = \"census.csv\"", "path = \"普查_*.csv\"", 1)
    });
    let rows = census_rows(folder.path());
    let area = rows[0].iter().position(|c| c == "普查区代码").expect("a census area column");
    let first = &rows[1][area][..9];
    let (ours, rest): (Vec<_>, Vec<_>) =
        rows[1..].iter().cloned().partition(|r| &r[area][..9] == first);
    assert!(!ours.is_empty() && !rest.is_empty());
    std::fs::remove_file(folder.path().join("census.csv")).expect("removed");
    write_census(&folder.path().join("普查_1.csv"), &[vec![rows[0].clone()], ours].concat());
    write_census(&folder.path().join("普查_2.csv"), &[vec![rows[0].clone()], rest].concat());

    let out = tempfile::tempdir().expect("a temporary folder");
    let out = out.path().join("out");
    assert!(matches!(run(&job, &out).status.code(), Some(0 | 1)));
    for list in ["links.csv", "missing.csv", "duplicates.csv", "deceased.csv", "births.csv"] {
        let read = |folder: &Path| std::fs::read(folder.join(list)).expect("a list");
        assert!(read(&out) == read(&whole_out), "{list} differs from the one-file run's");
    }
}

#[test]
fn a_moment_far_from_the_records_and_nothing_to_estimate_from_are_said() {
    // The census and the hukou register only (no activity register), at a moment 15 years on.
    let folder = tempfile::tempdir().expect("a temporary folder");
    let job = copy_sample(folder.path(), |text| {
        let sources: Vec<&str> = text.split("[[source]]").collect();
        sources[..3].join("[[source]]").replace("2020-11-01T00:00:00", "2035-11-01T00:00:00")
    });
    let out = tempfile::tempdir().expect("a temporary folder");
    let out = out.path().join("out");
    let output = run(&job, &out);
    let (stdout, stderr) =
        (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("警告：标准时点比所有记录中最晚的出生日期（")
            && stderr.contains("reference_moment 对吗？"),
        "{stderr}"
    );
    assert!(stdout.contains("无双系统估计：没有学籍、医保或出生登记与普查比对上"), "{stdout}");
    let summary: Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).expect("a summary"))
            .expect("JSON");
    assert_eq!(summary["coverage"]["district"]["estimate"], Value::Null);
}

#[test]
fn a_placeholder_id_on_many_rows_leaves_their_duplicates_to_the_other_rules() {
    // Thousands of census rows, every duplicated person's among them, share one placeholder
    // ID: its block is over the cap, and the names and birth dates must still find them. The
    // placeholder's embedded date does not exist (month 00), so no row's birth year disowns it
    // (a valid number born in another year than its record is left out before blocking).
    let folder = tempfile::tempdir().expect("a temporary folder");
    let job = copy_sample(folder.path(), str::to_owned);
    let duplicates =
        std::fs::read_to_string(repo_path("sample-data/truth/duplicates.csv")).expect("the truth");
    let duplicated: std::collections::HashSet<&str> = duplicates
        .lines()
        .skip(1)
        .flat_map(|line| line.split(',').nth(2).expect("records").split(';'))
        .collect();
    let mut rows = census_rows(folder.path());
    let id = rows[0].iter().position(|c| c == "公民身份号码").expect("an ID column");
    let mut n_placeholders = 0;
    for (k, row) in rows.iter_mut().enumerate().skip(1) {
        // The record key: census area, area, household and person numbers.
        let key = format!("{}-{}-{}-{}", row[0], row[1], row[2], row[4]);
        if k <= 5_000 || duplicated.contains(key.as_str()) {
            row[id] = "320115190000000017".to_owned();
            n_placeholders += 1;
        }
    }
    assert!(n_placeholders > 5_000);
    write_census(&folder.path().join("census.csv"), &rows);

    let out = tempfile::tempdir().expect("a temporary folder");
    let out = out.path().join("out");
    let output = run(&job, &out);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("census 查重：分块规则") && stderr.contains("超过上限"), "{stderr}");
    let evaluation = evaluate(&out);
    let recall = evaluation["duplicates"]["recall"].as_f64().expect("a share");
    assert!(recall >= 0.9, "duplicates recall {recall}");
}
