//! End-to-end tests of the `censuslink` binary on the bundled sample district and on damaged
//! inputs, and tidy checks of the source tree.

mod analyst;
mod browser;
mod errors;
mod hostile;
mod init;
mod linkage;
mod matrix;
mod province;
mod tidy;
mod trust;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn censuslink() -> Command {
    Command::cargo_bin("censuslink").expect("the binary is built")
}

fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The rows of a CSV file the binary wrote, by header.
fn csv_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).expect("a CSV file");
    let headers: Vec<String> = reader
        .headers()
        .expect("a header")
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_owned())
        .collect();
    reader
        .records()
        .map(|record| {
            headers.iter().cloned().zip(record.expect("a row").iter().map(str::to_owned)).collect()
        })
        .collect()
}

#[test]
fn run_on_the_hand_made_district_writes_standardized_parquet_and_a_summary() {
    let job = repo_path("crates/io/tests/data/handmade/job.toml");
    let unasked = tempfile::tempdir().expect("a temporary folder");
    censuslink().args(["run", "--quiet", "--out"]).arg(unasked.path()).arg(&job).assert().success();
    assert!(unasked.path().join("summary.json").is_file());
    assert!(!unasked.path().join("standardized").exists(), "written only when asked");

    let out = tempfile::tempdir().expect("a temporary folder");
    let assert = censuslink()
        .args(["run", "--quiet", "--standardized", "--out"])
        .arg(out.path())
        .arg(&job)
        .assert()
        .success();
    assert!(assert.get_output().stdout.is_empty(), "--quiet prints nothing");

    for source in ["census", "hukou", "birth", "death", "school", "insurance"] {
        let parquet = out.path().join("standardized").join(format!("{source}.parquet"));
        let bytes = std::fs::read(&parquet).expect("a Parquet file per source");
        assert_eq!(&bytes[..4], b"PAR1", "{source} is Parquet");
    }
    let summary: Value = serde_json::from_slice(
        &std::fs::read(out.path().join("summary.json")).expect("summary.json"),
    )
    .expect("summary.json is JSON");
    let sources = summary["sources"].as_array().expect("a list of sources");
    let by_name = |name: &str| {
        sources.iter().find(|s| s["name"] == name).expect("every source is summarised")
    };

    // Worked out from crates/io/tests/data/handmade/make_sample.py.
    assert_eq!(by_name("census")["rows_read"], 12);
    assert_eq!(by_name("census")["rows_usable"], 12);
    assert_eq!(by_name("census")["id_status"]["valid"], 11);
    assert_eq!(by_name("census")["id_status"]["missing"], 1);
    assert_eq!(by_name("hukou")["rows_read"], 14);
    assert_eq!(by_name("hukou")["id_status"]["repaired"], 1, "one lower-case x");
    assert_eq!(
        by_name("hukou")["issues"]["unknown_code"],
        Value::Null,
        "不详 is a missing token there"
    );
    assert_eq!(by_name("birth")["rows_read"], 3);
    assert_eq!(by_name("birth")["issues"]["placeholder_name"], 1, "陈静之女");
    assert_eq!(by_name("death")["rows_read"], 2);
    assert_eq!(by_name("school")["rows_read"], 4);
    assert_eq!(by_name("school")["id_status"]["repaired"], 3, "G and J prefixes");
    assert_eq!(by_name("school")["id_status"]["temporary_number"], 1, "L prefix");
    assert_eq!(by_name("insurance")["rows_read"], 13);
    assert_eq!(by_name("insurance")["rows_rejected"]["no_name_no_id"], 1);
    assert_eq!(by_name("insurance")["id_status"]["excel_truncated"], 1);
    assert_eq!(by_name("insurance")["id_status"]["repaired"], 2, "full-width digits, spaces");

    let issues =
        std::fs::read_to_string(out.path().join("row_issues.csv")).expect("row_issues.csv");
    assert!(issues.starts_with("\u{FEFF}source,row,field,issue\n"));
    assert!(issues.contains("insurance,4,id_number,id_excel_truncated\n"), "{issues}");
}

/// One run of the sample: it reads every row and rejects only those the truth says, its lists
/// meet the floors of DESIGN.md §5, its worklists mask ID numbers, and its row accounting adds
/// up.
#[test]
fn run_then_evaluate_on_the_sample_accounts_for_every_row() {
    let out = tempfile::tempdir().expect("a temporary folder");
    censuslink()
        .args(["run", "--quiet", "--out"])
        .arg(out.path())
        .arg(repo_path("sample-data/job.toml"))
        .assert()
        .success();
    let summary: Value = serde_json::from_slice(
        &std::fs::read(out.path().join("summary.json")).expect("summary.json"),
    )
    .expect("summary.json is JSON");

    // The truth: rows per source, and the rows meant to hold neither name nor ID.
    let records = std::fs::read_to_string(repo_path("sample-data/truth/records.csv"))
        .expect("the sample's truth");
    let mut expected: std::collections::BTreeMap<&str, (u64, u64)> = Default::default();
    for line in records.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let damages = fields[3];
        let no_name = damages.contains("name_missing") || damages.contains("name_placeholder");
        let entry = expected.entry(fields[0]).or_default();
        entry.0 += 1;
        // A birth certificate without the child's name or the mother's ID still gives her
        // name, through which it links: not rejected.
        entry.1 += u64::from(no_name && damages.contains("id_missing") && fields[0] != "birth");
    }
    let sources = summary["sources"].as_array().expect("a list of sources");
    assert_eq!(sources.len(), 6);
    for source in sources {
        let name = source["name"].as_str().expect("a name");
        let (rows, rejected) = expected[name];
        assert_eq!(source["rows_read"], rows, "{name}");
        let n_rejected: u64 = source["rows_rejected"]
            .as_object()
            .expect("a map")
            .values()
            .map(|v| v.as_u64().unwrap_or(0))
            .sum();
        assert_eq!(n_rejected, rejected, "{name}: rejected rows");
    }
    assert!(expected["census"].0 > 20_000 && expected["school"].0 > 1_000);

    let printed = censuslink()
        .args(["evaluate", "--truth"])
        .arg(repo_path("sample-data/truth"))
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    let printed = String::from_utf8_lossy(&printed.get_output().stdout).into_owned();
    assert!(printed.contains("missing"), "{printed}");
    let evaluation: Value = serde_json::from_slice(
        &std::fs::read(out.path().join("evaluation.json")).expect("evaluation.json"),
    )
    .expect("JSON");
    // Every list is scored (the floors are the accuracy matrix's to report, benches/accuracy.sh;
    // the evaluation's arithmetic is checked on a hand-made district in reconcile's tests).
    for list in ["links", "missing", "duplicates", "deceased", "births", "conflicts"] {
        let score = &evaluation[list];
        let share = |measure: &str| score[measure].as_f64().expect("a share");
        assert!((0.0..=1.0).contains(&share("precision")), "{list}: {printed}");
        assert!(score["reported"].as_u64().is_some_and(|n| n > 0), "{list}: {printed}");
    }
    // Worklists: names for the field teams, no ID number in the clear.
    let (names, numbers) = worklist_names_and_ids(out.path());
    assert!(names > 0, "names are there");
    assert!(!numbers.is_empty() && numbers.iter().all(|n| n.contains("**********")), "{numbers:?}");

    // The district's coverage estimate, with the assumptions it rests on beside it.
    let coverage = &summary["coverage"];
    let district = &coverage["district"];
    let n = |key: &str| district[key].as_f64().expect("a count");
    let population = district["estimate"]["population"].as_f64().expect("an estimate");
    // The register list counts its expected usual residents: the listed, and the unlisted by
    // their probability of residence.
    let residents = n("admin_residents");
    assert!(n("matched") < residents && residents < n("admin"), "{district}");
    let expected = (n("census") + 1.0) * (residents + 1.0) / (n("matched") + 1.0) - 1.0;
    assert!((population - expected).abs() < 1e-6, "{district}");
    // Against the sample's true usual residents, within half a percent.
    let truth = std::fs::read_to_string(repo_path("sample-data/truth/persons.csv")).expect("truth");
    let residents = truth.lines().filter(|l| l.contains(",resident,")).count() as f64;
    assert!((population / residents - 1.0).abs() < 0.005, "{population} for {residents}");
    assert!(summary["missing"]["expected_omissions"].as_f64().is_some_and(|e| e > 0.0));
    let assumptions = coverage["assumptions"].as_array().expect("the assumptions, listed");
    assert!(assumptions.iter().any(|a| a.as_str().is_some_and(|a| a.contains("相互独立"))));
    // Every area's tallies are consistent: people in both lists are in each, and the estimate
    // lies within its interval.
    let coverage = std::fs::read_to_string(out.path().join("coverage.csv")).expect("coverage");
    for line in coverage.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let n = |i: usize| cells[i].parse::<f64>().expect("a number");
        let (census, admin, residents, matched) = (n(2), n(3), n(4), n(5));
        assert!(matched <= census.min(admin), "{line}");
        assert!(matched <= residents && residents <= admin, "{line}");
        // An area with no one in both lists has nothing to estimate from.
        if matched == 0.0 {
            assert_eq!(cells[6..9], ["", "", ""], "{line}");
            continue;
        }
        let (estimate, low, high) = (n(6), n(7), n(8));
        assert!(low <= estimate && estimate <= high, "{line}");
    }

    // Every row read is linked, unlinked or rejected.
    let accounting = summary["row_accounting"].as_object().expect("row accounting");
    assert_eq!(accounting.len(), 6);
    for (source, rows) in accounting {
        let n = |key: &str| rows[key].as_u64().expect("a count");
        assert_eq!(n("linked") + n("unlinked") + n("rejected"), n("read"), "{source}");
        assert!(n("linked") > 0, "{source}");
    }
    let links = std::fs::read_to_string(out.path().join("links.csv")).expect("links.csv");
    assert!(links.starts_with(
        "\u{FEFF}left_source,left_id,right_source,right_id,match_weight,match_probability\n"
    ));
}

/// The first worklist workbook of a run, read back by the product's own XLSX reader: how many
/// rows show a name, and the ID numbers shown.
fn worklist_names_and_ids(out: &Path) -> (usize, Vec<String>) {
    let township = std::fs::read_dir(out.join("worklists"))
        .expect("worklists")
        .map(|e| e.expect("an entry").path())
        .min()
        .expect("a workbook");
    let job = out.join("worklist.toml");
    std::fs::write(
        &job,
        format!(
            "reference_moment = \"2020-11-01\"\n[[source]]\nname = \"w\"\nrole = \"census\"\n\
             path = {:?}\nheader_row = 2\nfields = {{ name = \"姓名\", id_number = \"公民身份号码\" }}\n",
            township.display().to_string()
        ),
    )
    .expect("writable");
    let job = censuslink_io::Job::load(&job).expect("a job for the worklist");
    let sheet = censuslink_io::load(&job.sources[0], &job.path).expect("a readable workbook").table;
    std::fs::remove_file(out.join("worklist.toml")).expect("removable");
    let names = (0..sheet.len()).filter(|&i| sheet.name.full.get(i).is_some()).count();
    (names, (0..sheet.len()).filter_map(|i| sheet.id.number.get(i)).map(str::to_owned).collect())
}

#[test]
fn a_rerun_keeps_candidate_ids_and_reports_the_people_found_since_as_gone() {
    // A copy of the sample, run once.
    let district = tempfile::tempdir().expect("a temporary folder");
    for file in files_under(&repo_path("sample-data")) {
        let relative = file.strip_prefix(repo_path("sample-data")).expect("inside");
        let target = district.path().join(relative);
        std::fs::create_dir_all(target.parent().expect("a folder")).expect("writable");
        std::fs::copy(&file, &target).expect("copied");
    }
    let job = district.path().join("job.toml");
    let run = |out: &Path, previous: Option<&Path>| {
        let mut command = censuslink();
        command.args(["run", "--quiet", "--out"]).arg(out).arg(&job);
        if let Some(previous) = previous {
            command.arg("--previous").arg(previous);
        }
        command.assert().success();
    };
    let first = tempfile::tempdir().expect("a temporary folder");
    run(first.path(), None);
    let read = |path: PathBuf| std::fs::read_to_string(path).expect("an output");

    // Unchanged inputs, worklists asked for with whole ID numbers: every candidate still
    // open, with the same ID.
    let job_text = read(job.clone());
    std::fs::write(&job, format!("mask_ids = false\n{job_text}")).expect("writable");
    let second = tempfile::tempdir().expect("a temporary folder");
    run(second.path(), Some(first.path()));
    std::fs::write(&job, job_text).expect("writable");
    let (_, numbers) = worklist_names_and_ids(second.path());
    assert!(!numbers.is_empty() && numbers.iter().all(|n| !n.contains('*')), "{numbers:?}");
    for list in ["missing", "duplicates", "deceased", "births", "conflicts"] {
        let ids = |out: &Path| -> Vec<String> {
            read(out.join(format!("{list}.csv")))
                .lines()
                .skip(1)
                .map(|line| line.split(',').next().expect("an ID").to_owned())
                .collect()
        };
        assert_eq!(ids(first.path()), ids(second.path()), "{list}");
        let statuses: Vec<String> = read(second.path().join(format!("{list}.csv")))
            .lines()
            .skip(1)
            .map(|line| line.split(',').nth(1).expect("a status").to_owned())
            .collect();
        assert!(statuses.iter().all(|s| s == "open"), "{list}: {statuses:?}");
    }
    assert_eq!(read(second.path().join("gone.csv")).lines().count(), 1, "nothing gone");

    // Enumerate three missing people (Han, with a hukou entry in force): exactly they are
    // gone. The hukou columns: 户籍编号, 户号, 姓名, 曾用名, 性别, 民族, 出生日期, 公民身份号码,
    // 与户主关系, 户籍地代码, 户籍地址, 人员状态, 注销日期.
    let hukou: std::collections::HashMap<String, Vec<String>> =
        read(district.path().join("hukou.csv"))
            .trim_start_matches('\u{FEFF}')
            .lines()
            .skip(1)
            .map(|line| {
                let fields: Vec<String> = line.split(',').map(str::to_owned).collect();
                (fields[0].clone(), fields)
            })
            .collect();
    let mut found = Vec::new();
    let mut rows = String::new();
    let missing = read(first.path().join("missing.csv"));
    let header: Vec<&str> = missing.lines().next().expect("a header").split(',').collect();
    let records = header.iter().position(|&h| h == "records").expect("a records column");
    for line in missing.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let Some(entry) = fields[records].split(';').find_map(|r| r.strip_prefix("hukou:")) else {
            continue;
        };
        let person = &hukou[entry];
        let birth: String = person[6].chars().filter(char::is_ascii_digit).take(6).collect();
        if person[5] != "汉族" || person[7].is_empty() || birth.len() != 6 || person[11] != "正常"
        {
            continue;
        }
        // Listed in a new area 999 of their hukou village, each as a household of their own.
        rows.push_str(&format!(
            "{},999,99{},家庭户,01,{},0,居民身份证,{},{},{},{},01,现住,1,,1,,普查员\n",
            person[9],
            found.len(),
            person[2],
            person[7],
            if person[4] == "男" { 1 } else { 2 },
            &birth[..4],
            birth[4..].trim_start_matches('0'),
        ));
        found.push(fields[0].to_owned());
        if found.len() == 3 {
            break;
        }
    }
    assert_eq!(found.len(), 3);
    let census_path = district.path().join("census.csv");
    let census = std::fs::read(&census_path).expect("the census");
    let (text, _, _) = encoding_rs::GBK.decode(&census);
    let added = format!("{text}{rows}");
    std::fs::write(&census_path, encode_gbk(&added)).expect("writable");
    let third = tempfile::tempdir().expect("a temporary folder");
    run(third.path(), Some(first.path()));
    let mut gone: Vec<String> = read(third.path().join("gone.csv"))
        .lines()
        .skip(1)
        .map(|line| line.trim_start_matches("missing,").to_owned())
        .collect();
    gone.sort();
    found.sort();
    assert_eq!(gone, found, "exactly the people enumerated since are gone");
}

#[test]
fn a_failed_run_leaves_the_previous_outputs_whole() {
    let input = tempfile::tempdir().expect("a temporary folder");
    let job = write_multi_batch_job(input.path(), 100);
    let out = tempfile::tempdir().expect("a temporary folder");
    let out = out.path().join("out");
    censuslink().args(["run", "--quiet", "--out"]).arg(&out).arg(&job).assert().success();
    let summary = std::fs::read(out.join("summary.json")).expect("a summary");

    // A second source that cannot be read: the first one's records were already being written.
    let job_text = std::fs::read_to_string(&job).expect("the job");
    let broken = input.path().join("broken.toml");
    std::fs::write(
        &broken,
        format!(
            "{job_text}\n[[source]]\nname = \"hukou\"\nrole = \"hukou\"\npath = \"absent.csv\"\n\
             fields = {{ name = \"姓名\" }}\n"
        ),
    )
    .expect("writable");
    censuslink().args(["run", "--quiet", "--out"]).arg(&out).arg(&broken).assert().code(2);
    assert_eq!(std::fs::read(out.join("summary.json")).expect("still there"), summary);
    let siblings: Vec<String> = std::fs::read_dir(out.parent().expect("a parent"))
        .expect("a folder")
        .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(siblings, ["out"], "no staging folder is left behind");
}

#[test]
fn the_sample_is_what_the_generator_writes() {
    let out = tempfile::tempdir().expect("a temporary folder");
    censuslink()
        .args(["synth", "--persons", "20000", "--seed", "2020", "--quiet", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let mut n_files = 0;
    for file in files_under(out.path()) {
        let relative = file.strip_prefix(out.path()).expect("under the output");
        let committed = std::fs::read(repo_path("sample-data").join(relative))
            .unwrap_or_else(|_| panic!("sample-data/{} is missing", relative.display()));
        assert!(
            std::fs::read(&file).expect("written") == committed,
            "sample-data/{} differs from what `censuslink synth --persons 20000 --seed 2020` \
             writes: regenerate it",
            relative.display()
        );
        n_files += 1;
    }
    // Everything in the sample comes from the generator but its README.
    assert_eq!(files_under(&repo_path("sample-data")).len(), n_files + 1);
    assert_eq!(n_files, 14);
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("a folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn every_output_is_the_same_run_after_run_at_any_thread_count_and_from_the_library() {
    // Three batches and a half, so that threads really take batches in different orders.
    let input = tempfile::tempdir().expect("a temporary folder");
    let job = write_multi_batch_job(input.path(), 3 * 16_384 + 5_000);
    for job in [repo_path("sample-data/job.toml"), job] {
        let outputs: Vec<tempfile::TempDir> = ["1", "2", "2"]
            .into_iter()
            .map(|threads| {
                let out = tempfile::tempdir().expect("a temporary folder");
                let run = censuslink()
                    .args(["run", "--quiet", "--standardized", "--threads", threads, "--out"])
                    .arg(out.path())
                    .arg(&job)
                    .output()
                    .expect("runs");
                assert!(matches!(run.status.code(), Some(0 | 1)), "{run:?}");
                out
            })
            .collect();
        // The library's run, as an embedding program calls it: the same path the binary takes.
        let library = tempfile::tempdir().expect("a temporary folder");
        let loaded = censuslink_io::Job::load(&job).expect("a valid job");
        let resolved = censuslink_report::Resolved::default();
        let options = censuslink_report::RunOptions {
            previous: None,
            resolved: &resolved,
            truth: None,
            lang: loaded.lang,
            scoring: &censuslink_reconcile::Here,
            standardized: true,
        };
        censuslink_report::run(&loaded, &options, library.path(), &mut ()).expect("a run");
        // Every file but the run's timings, byte for byte: lists, worklists, report, models,
        // summary, standardized records (and not the binary's mark on its output folder).
        let files = |out: &tempfile::TempDir| -> Vec<(PathBuf, Vec<u8>)> {
            let mut files: Vec<(PathBuf, Vec<u8>)> = files_under(out.path())
                .into_iter()
                .filter(|path| !path.ends_with("timings.json"))
                .filter(|path| !path.ends_with(".censuslink-output"))
                .map(|path| {
                    let data = std::fs::read(&path).expect("readable");
                    (path.strip_prefix(out.path()).expect("inside").to_owned(), data)
                })
                .collect();
            files.sort();
            files
        };
        let first = files(&outputs[0]);
        assert!(first.len() > 20, "{} files", first.len());
        for (other, how) in [
            (&outputs[1], "1 and 2 threads"),
            (&outputs[2], "two runs"),
            (&library, "the binary and the library"),
        ] {
            let other = files(other);
            let names = |files: &[(PathBuf, Vec<u8>)]| -> Vec<PathBuf> {
                files.iter().map(|(name, _)| name.clone()).collect()
            };
            assert_eq!(names(&first), names(&other), "the same files for {how}");
            for ((name, a), (_, b)) in first.iter().zip(&other) {
                assert!(a == b, "{} differs between {how}", name.display());
            }
        }
        let timings: Value = serde_json::from_slice(
            &std::fs::read(outputs[0].path().join("timings.json")).expect("timings.json"),
        )
        .expect("JSON");
        assert!(timings["total"].as_f64().is_some_and(|s| s > 0.0));
    }
}

/// Writes a census CSV of `n_rows` made-up people, some damaged, and a job for it.
fn write_multi_batch_job(folder: &Path, n_rows: usize) -> PathBuf {
    let names = ["张伟", "王芳", "欧阳娜娜", "李娜", "單雪梅", "买买提·吐尔逊", "", "陈静之女"];
    let mut text = String::from("编号,姓名,公民身份号码,出生年月\n");
    for idx in 0..n_rows {
        let body = format!(
            "320102{:04}{:02}{:02}{:03}",
            1930 + idx % 90,
            1 + idx % 12,
            1 + idx % 28,
            idx % 1000
        );
        let body_bytes: [u8; 17] = body.as_bytes().try_into().expect("17 digits");
        let check = censuslink_standardize::id::check_character(&body_bytes) as char;
        let id = if idx % 97 == 0 { format!("{body}0") } else { format!("{body}{check}") };
        let born = format!("{}{:02}", 1930 + idx % 90, 1 + idx % 12);
        text.push_str(&format!("C{idx},{},{id},{born}\n", names[idx % names.len()]));
    }
    std::fs::write(folder.join("census.csv"), text).expect("writable");
    let job = folder.join("job.toml");
    std::fs::write(
        &job,
        "reference_moment = \"2020-11-01\"\n[[source]]\nname = \"census\"\nrole = \"census\"\npath = \"census.csv\"\n\
         key = \"编号\"\n[source.fields]\nname = \"姓名\"\nid_number = \"公民身份号码\"\nbirth_date = \"出生年月\"\n",
    )
    .expect("writable");
    job
}

/// Each malformed file gives exit code 2 and one line naming the file and the problem (in
/// English here; `errors.rs` has the catalogue in both languages).
#[test]
fn malformed_files_give_one_line_errors() {
    let valid = "编号,姓名,身份证号\nH1,张伟,11010519491231002X\n";
    let cases: [(&str, &str, Vec<u8>, &str); 5] = [
        ("empty", "hukou.csv", Vec::new(), "the file is empty"),
        (
            "binary",
            "hukou.csv",
            vec![0x00, 0x9F, 0x01, 0xFF, 0x00, 0x13, 0x37, 0x00],
            "the file is binary",
        ),
        (
            "gbk declared utf-8",
            "hukou.csv",
            encode_gbk(valid),
            "not valid utf-8; it looks like gb18030",
        ),
        (
            "truncated parquet",
            "hukou.parquet",
            b"PAR1\x15\x04\x15".to_vec(),
            "not a readable parquet file",
        ),
        ("garbage xlsx", "hukou.xlsx", b"PK\x03\x04garbage".to_vec(), "not a readable xlsx file"),
    ];
    for (label, file_name, bytes, expected) in cases {
        let folder = tempfile::tempdir().expect("a temporary folder");
        std::fs::write(folder.path().join(file_name), bytes).expect("writable");
        let encoding = if file_name.ends_with(".csv") { "encoding = \"utf-8\"\n" } else { "" };
        let job = folder.path().join("job.toml");
        std::fs::write(
            &job,
            format!(
                "reference_moment = \"2020-11-01\"\n[[source]]\nname = \"hukou\"\nrole = \"census\"\n\
                 path = \"{file_name}\"\n{encoding}[source.fields]\nname = \"姓名\"\n"
            ),
        )
        .expect("writable");
        let out = tempfile::tempdir().expect("a temporary folder");
        let stderr = run_failing(&job, &out.path().join("out"));
        assert!(stderr.contains(file_name), "{label}: names the file: {stderr}");
        assert!(stderr.contains(expected), "{label}: says `{expected}`: {stderr}");
        assert!(!stderr.contains("panicked"), "{label}: {stderr}");
    }
}

/// Runs `job`, expecting exit code 2 and a one-line error; returns the error.
fn run_failing(job: &Path, out: &Path) -> String {
    let assert =
        censuslink().args(["run", "--lang", "en", "--out"]).arg(out).arg(job).assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    stderr
}

fn encode_gbk(text: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(text).0.into_owned()
}

/// A generic job of historical persons born 1564 to 1756, each listed twice (the second with
/// a typo in the given name): with `date_range = [1500, 2100]` their birth dates are read and
/// block and score the pairs; by default (1800 to 2100) they are row issues.
#[test]
fn dates_before_1800_are_read_and_linked_in_a_job_that_says_so() {
    const PEOPLE: [(&str, &str, &str); 8] = [
        ("Isaac", "Newton", "1642-12-25"),
        ("Galileo", "Galilei", "1564-02-15"),
        ("Johann", "Bach", "1685-03-21"),
        ("Leonhard", "Euler", "1707-04-15"),
        ("Immanuel", "Kant", "1724-04-22"),
        ("Wolfgang", "Mozart", "1756-01-27"),
        ("Blaise", "Pascal", "1623-06-19"),
        ("Baruch", "Spinoza", "1632-11-24"),
    ];
    let folder = tempfile::tempdir().expect("a temporary folder");
    let mut text = String::from("rec_id,given_name,surname,date_of_birth\n");
    for (i, (given, surname, born)) in PEOPLE.iter().enumerate() {
        let typo = format!("{}x", &given[..given.len() - 1]);
        text.push_str(&format!("p{i}a,{given},{surname},{born}\np{i}b,{typo},{surname},{born}\n"));
    }
    std::fs::write(folder.path().join("people.csv"), text).expect("writable");
    let job = |date_range: &str| {
        format!(
            "reference_moment = \"2020-11-01T00:00:00\"\nlang = \"en\"\n{date_range}\n\
             [[source]]\nname = \"people\"\nrole = \"census\"\npath = \"people.csv\"\n\
             key = \"rec_id\"\nfields = {{ birth_date = \"date_of_birth\" }}\n\
             extra = {{ given_name = \"given_name\", surname = \"surname\" }}\n\
             [linkage]\ncomparisons = [\n\
             {{ feature = \"given_name\", kind = \"jaro_winkler\", thresholds = [0.92, 0.8] }},\n\
             {{ feature = \"surname\", kind = \"jaro_winkler\", thresholds = [0.92, 0.8] }},\n\
             {{ feature = \"birth_date\", kind = \"date\" }},\n]\n\
             blocking = [{{ name = \"birth date\", keys = [\"birth_date\"] }}]\n"
        )
    };
    let run = |date_range: &str| {
        std::fs::write(folder.path().join("job.toml"), job(date_range)).expect("writable");
        let out = tempfile::tempdir().expect("a temporary folder");
        let output = censuslink()
            .args(["run", "--quiet", "--out"])
            .arg(out.path().join("out"))
            .arg(folder.path().join("job.toml"))
            .output()
            .expect("runs");
        let read = |file: &str| {
            std::fs::read_to_string(out.path().join("out").join(file)).expect("an output")
        };
        (output.status.code(), read("duplicates.csv"), read("row_issues.csv"))
    };

    let (code, duplicates, issues) = run("date_range = [1500, 2100]");
    assert_eq!(code, Some(0));
    assert_eq!(issues.lines().count(), 1, "no row issue: {issues}");
    // Every person's two records, and nothing else: the only key is the birth date.
    let mut groups: Vec<String> = duplicates
        .lines()
        .skip(1)
        .map(|line| line.split(',').nth(2).expect("records").to_owned())
        .collect();
    groups.sort();
    let expected: Vec<String> =
        (0..PEOPLE.len()).map(|i| format!("people:p{i}a;people:p{i}b")).collect();
    assert_eq!(groups, expected, "{duplicates}");

    // By default the dates lie outside the job's range: row issues, no key, no pair.
    let (code, duplicates, issues) = run("");
    assert_eq!(code, Some(1));
    let n_outside = issues.lines().filter(|line| line.ends_with(",date_impossible")).count();
    assert_eq!(n_outside, 2 * PEOPLE.len(), "{issues}");
    assert_eq!(duplicates.lines().count(), 1, "{duplicates}");
}
