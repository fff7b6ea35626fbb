//! What the office must be able to trust of a run: nothing it prints names a person, a run
//! killed at any moment leaves the previous outputs whole, it never writes into an input's
//! folder, and what it writes is its owner's alone.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::{censuslink, files_under, repo_path};

/// Every value of the sample that names or identifies a person: each person's true name and
/// ID number, and every name, ID number and address cell of the extracts as delivered.
fn sample_secrets() -> Vec<String> {
    let mut secrets = Vec::new();
    let columns = ["name", "id_number", "姓名", "公民身份号码", "证件号码", "户籍地址", "联系地址"];
    for file in ["truth/persons.csv", "census.csv", "hukou.csv", "insurance.csv"] {
        let bytes = std::fs::read(repo_path("sample-data").join(file)).expect("a sample file");
        let text = match std::str::from_utf8(&bytes) {
            Ok(text) => text.trim_start_matches('\u{feff}').to_owned(),
            Err(_) => encoding_rs::GB18030.decode(&bytes).0.into_owned(),
        };
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header = reader.headers().expect("a header").clone();
        let wanted: Vec<usize> =
            (0..header.len()).filter(|&i| columns.contains(&&header[i])).collect();
        assert!(!wanted.is_empty(), "{file} has a column that identifies people");
        for record in reader.records() {
            let record = record.expect("a record");
            for &i in &wanted {
                let value = record[i].trim();
                // Two characters at least (a name), six for an ID fragment or an address.
                if value.chars().count() >= 2 && !value.chars().all(|c| c == '-') {
                    secrets.push(value.to_owned());
                }
            }
        }
    }
    secrets.sort();
    secrets.dedup();
    secrets
}

#[test]
fn nothing_a_run_prints_names_a_person() {
    let out = tempfile::tempdir().expect("a temporary folder");
    let truth = repo_path("sample-data/truth");
    let mut printed = String::new();
    let (out, truth) = (out.path().as_os_str(), truth.as_os_str());
    let commands: [&[&std::ffi::OsStr]; 4] = [
        &["run".as_ref(), "--verbose".as_ref(), "--out".as_ref(), out],
        &["--lang".as_ref(), "en".as_ref(), "run".as_ref(), "-v".as_ref(), "--out".as_ref(), out],
        &["profile".as_ref()],
        &["evaluate".as_ref(), "--truth".as_ref(), truth, "--out".as_ref(), out],
    ];
    for args in commands {
        let output = censuslink()
            .current_dir(repo_path(""))
            .env("RUST_BACKTRACE", "1")
            .args(args)
            .output()
            .expect("runs");
        assert!(matches!(output.status.code(), Some(0 | 1)), "{args:?}: {output:?}");
        printed.push_str(&String::from_utf8_lossy(&output.stdout));
        printed.push_str(&String::from_utf8_lossy(&output.stderr));
    }
    // The verbose run said something of every link.
    assert!(printed.contains("census ↔ hukou: 先验匹配概率") && printed.contains("prior"));
    let secrets = sample_secrets();
    assert!(secrets.len() > 40_000, "{} values", secrets.len());
    let leaked: Vec<&String> = secrets.iter().filter(|s| printed.contains(s.as_str())).collect();
    assert!(leaked.is_empty(), "{} values printed, the first {:?}", leaked.len(), leaked.first());
}

/// Every file under `folder` but the run's timings, by path relative to it.
fn contents(folder: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    files_under(folder)
        .into_iter()
        .filter(|path| !path.ends_with("timings.json"))
        .map(|path| {
            let data = std::fs::read(&path).expect("readable");
            (path.strip_prefix(folder).expect("inside").to_owned(), data)
        })
        .collect()
}

#[test]
fn a_run_killed_at_any_moment_leaves_the_previous_outputs_whole() {
    let root = tempfile::tempdir().expect("a temporary folder");
    let out = root.path().join("out");
    let job = repo_path("sample-data/job.toml");
    let run = |lang: &str| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_censuslink"));
        command.args(["--lang", lang, "run", "--quiet", "--out"]).arg(&out).arg(&job);
        command
    };
    // The new outputs (in English), then the previous ones (in Chinese) the kills must keep.
    assert!(run("en").status().expect("runs").success());
    let new = contents(&out);
    assert!(run("zh").status().expect("runs").success());
    let previous = contents(&out);
    assert_ne!(previous, new);

    // Killed as soon as the staging folder holds a given number of files: before the first,
    // and at each quarter of the writing.
    let staging = root.path().join(".out.partial");
    let mut kept = 0;
    for quarter in 0..5 {
        let files_then = new.len() * quarter / 4;
        let mut child = run("en").spawn().expect("starts");
        let started = Instant::now();
        loop {
            let written = if staging.exists() { files_under(&staging).len() } else { 0 };
            let finished = child.try_wait().expect("a child").is_some();
            if finished || staging.exists() && written >= files_then {
                break;
            }
            assert!(started.elapsed().as_secs() < 120, "the run neither writes nor ends");
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        let _ = child.kill();
        child.wait().expect("ends");
        let now = contents(&out);
        if now == previous {
            kept += 1;
        } else {
            assert!(now == new, "killed at {quarter}/4 of the writing: neither previous nor new");
            // The run finished before the kill: put the previous outputs back.
            assert!(run("zh").status().expect("runs").success());
        }
    }
    assert!(kept >= 3, "the kills landed mid-run ({kept} of 5)");
    // Whatever a killed run left beside the output folder goes at the next run.
    assert!(run("zh").status().expect("runs").success());
    let names: Vec<String> = std::fs::read_dir(root.path())
        .expect("a folder")
        .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["out"]);
}

#[test]
fn outputs_are_the_owners_alone_and_never_beside_an_input() {
    use std::os::unix::fs::PermissionsExt as _;

    let root = tempfile::tempdir().expect("a temporary folder");
    let data = root.path().join("data");
    std::fs::create_dir(&data).expect("writable");
    for file in files_under(&repo_path("crates/io/tests/data/handmade")) {
        std::fs::copy(&file, data.join(file.file_name().expect("a file"))).expect("copied");
    }
    let job = root.path().join("job.toml");
    let job_text = std::fs::read_to_string(data.join("job.toml")).expect("the job");
    std::fs::write(&job, job_text.replace("path = \"", "path = \"data/")).expect("writable");
    let out = root.path().join("out");
    censuslink().args(["run", "--quiet", "--out"]).arg(&out).arg(&job).assert().code(&[0, 1][..]);
    let mut paths = files_under(&out);
    paths.push(out.clone());
    paths.push(out.join("worklists"));
    for path in &paths {
        let mode = std::fs::metadata(path).expect("there").permissions().mode();
        assert_eq!(mode & 0o077, 0, "{} is {:o}", path.display(), mode & 0o777);
    }

    // The input folder itself, a folder inside it, and a folder holding an input.
    let before = contents(&data);
    for (out, zh) in [
        (data.clone(), "含有输入文件"),
        (data.join("out"), "所在的文件夹里"),
        (root.path().to_owned(), "含有输入文件"),
    ] {
        let failed =
            censuslink().args(["run", "--quiet", "--out"]).arg(&out).arg(&job).assert().code(2);
        let stderr = String::from_utf8_lossy(&failed.get_output().stderr).into_owned();
        assert!(stderr.contains(zh) && stderr.lines().count() == 1, "{stderr}");
    }
    assert_eq!(contents(&data), before, "the inputs are untouched");
    assert!(!data.join("out").exists());
}

#[test]
fn pseudonymized_extracts_name_no_one_and_still_link() {
    let root = tempfile::tempdir().expect("a temporary folder");
    let key = root.path().join("office.key");
    std::fs::write(&key, b"31 bytes are one byte too few..").expect("writable");
    let pseudonymized = root.path().join("pseudonymized");
    let pseudonymize = || {
        let mut command = censuslink();
        command
            .args(["pseudonymize", "--quiet", "--key-file"])
            .arg(&key)
            .arg("--out")
            .arg(&pseudonymized)
            .arg(repo_path("sample-data/job.toml"));
        command
    };
    let short = pseudonymize().assert().code(2);
    let stderr = String::from_utf8_lossy(&short.get_output().stderr).into_owned();
    assert!(stderr.contains("太短") && stderr.contains("32"), "{stderr}");
    std::fs::write(&key, [0x5a_u8; 32]).expect("writable");
    pseudonymize().assert().success();

    // No cell of any extract is a name, an ID number or an address of the sample, nor any
    // valid ID number.
    let secrets: std::collections::HashSet<String> = sample_secrets().into_iter().collect();
    let mut cells = 0;
    for path in files_under(&pseudonymized) {
        let text = std::fs::read_to_string(&path).expect("UTF-8");
        for cell in text.split(['\n', ',', ' ']) {
            cells += 1;
            assert!(!secrets.contains(cell.trim()), "{}: a value of the sample", path.display());
            let id = censuslink_standardize::id::standardize_id(cell);
            assert!(cell.len() != 18 || !id.status.is_valid(), "{}: an ID number", path.display());
        }
    }
    assert!(cells > 500_000, "{cells} cells");

    // The pseudonymized job links nearly as well as the original.
    let out = root.path().join("out");
    censuslink()
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .arg(pseudonymized.join("job.toml"))
        .assert()
        .code(&[0, 1][..]);
    censuslink()
        .args(["evaluate", "--quiet", "--truth"])
        .arg(repo_path("sample-data/truth"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let evaluation: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("evaluation.json")).expect("written"))
            .expect("JSON");
    let score = |list: &str, what: &str| evaluation[list][what].as_f64().expect("a figure");
    assert!(score("links", "precision") >= 0.999, "{evaluation}");
    assert!(score("links", "recall") >= 0.995, "{evaluation}");
    assert!(score("missing", "recall") >= 0.99, "{evaluation}");
    assert!(score("deceased", "recall") >= 0.99, "{evaluation}");
}

/// A million census rows of one name, each with its own ID number: the name's blocks are far
/// over the cap, and are skipped and reported rather than compared pair by pair.
#[test]
fn a_million_rows_of_one_name_are_a_reported_skew_not_a_hang() {
    use std::fmt::Write as _;

    let folder = tempfile::tempdir().expect("a temporary folder");
    let mut text = String::from("编号,姓名,公民身份号码,出生年月\n");
    for i in 0..1_000_000u32 {
        // Born on one of 1,000 days from 1950, with a sequence number of its own that day.
        let (year, day) = (1950 + i / 1000 / 336, i / 1000 % 336);
        let (month, day) = (1 + day / 28, 1 + day % 28);
        let body = format!("320102{year:04}{month:02}{day:02}{:03}", i % 1000);
        let body_bytes: [u8; 17] = body.as_bytes().try_into().expect("17 digits");
        let check = censuslink_standardize::id::check_character(&body_bytes) as char;
        writeln!(text, "C{i},张伟,{body}{check},{year}{month:02}").expect("a string");
    }
    std::fs::write(folder.path().join("census.csv"), text).expect("writable");
    let job = folder.path().join("job.toml");
    std::fs::write(
        &job,
        "reference_moment = \"2020-11-01\"\n[[source]]\nname = \"census\"\nrole = \"census\"\n\
         path = \"census.csv\"\nkey = \"编号\"\n[source.fields]\nname = \"姓名\"\n\
         id_number = \"公民身份号码\"\nbirth_date = \"出生年月\"\n",
    )
    .expect("writable");
    let out = tempfile::tempdir().expect("a temporary folder");
    censuslink()
        .args(["run", "--quiet", "--out"])
        .arg(out.path().join("out"))
        .arg(&job)
        .assert()
        .code(&[0, 1][..]);
    let summary: serde_json::Value = serde_json::from_slice(
        &std::fs::read(out.path().join("out/summary.json")).expect("a summary"),
    )
    .expect("JSON");
    assert_eq!(summary["row_accounting"]["census"]["read"], 1_000_000);
    assert_eq!(summary["lists"]["duplicates"], 0, "distinct ID numbers, no duplicates");

    let profile = censuslink().args(["profile", "--json"]).arg(&job).assert().code(&[0, 1][..]);
    let profile: serde_json::Value =
        serde_json::from_slice(&profile.get_output().stdout).expect("JSON");
    let rules = profile["blocking"][0]["rules"].as_array().expect("rules");
    let name_rule =
        rules.iter().find(|r| r["rule"] == "name reading and birth month").expect("the name rule");
    assert!(name_rule["capped_blocks"].as_u64().is_some_and(|n| n > 0), "{name_rule}");
    assert_eq!(name_rule["pairs"], 0, "{name_rule}");
}
