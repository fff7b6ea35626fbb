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
fn nothing_any_command_prints_names_a_person() {
    let out = tempfile::tempdir().expect("a temporary folder");
    let truth = repo_path("sample-data/truth");
    // init writes its job beside copies of the extracts (a job names files in its own folder);
    // a copy of the census without its header row must be refused without a value shown.
    let copies = tempfile::tempdir().expect("a temporary folder");
    let extracts = ["census.csv", "hukou.csv", "birth.xlsx", "death.parquet", "school.arrow"];
    for file in extracts.iter().chain(&["insurance.csv"]) {
        std::fs::copy(repo_path("sample-data").join(file), copies.path().join(file))
            .expect("copied");
    }
    let census = std::fs::read(copies.path().join("census.csv")).expect("the census");
    let first_line = census.iter().position(|&b| b == b'\n').expect("a header line") + 1;
    std::fs::write(copies.path().join("headerless.csv"), &census[first_line..]).expect("writable");
    let key = copies.path().join("key");
    std::fs::write(&key, [7u8; 32]).expect("writable");
    let mut printed = String::new();
    let mut run = |args: &[&std::ffi::OsStr], codes: &[i32]| {
        let output = censuslink()
            .current_dir(repo_path(""))
            .env("RUST_BACKTRACE", "1")
            .args(args)
            .output()
            .expect("runs");
        let code = output.status.code().expect("an exit code");
        assert!(codes.contains(&code), "{args:?}: {output:?}");
        printed.push_str(&String::from_utf8_lossy(&output.stdout));
        printed.push_str(&String::from_utf8_lossy(&output.stderr));
    };
    let (out_os, truth) = (out.path().as_os_str(), truth.as_os_str());
    let os = |text: &'static str| -> &std::ffi::OsStr { text.as_ref() };
    run(&[os("run"), os("--verbose"), os("--out"), out_os], &[0, 1]);
    run(&[os("--lang"), os("en"), os("run"), os("-v"), os("--out"), out_os], &[0, 1]);
    run(&[os("profile")], &[0, 1]);
    run(&[os("evaluate"), os("--truth"), truth, os("--out"), out_os], &[0, 1]);
    // explain, on a duplicate candidate of the run and on two records.
    let duplicates = std::fs::read_to_string(out.path().join("duplicates.csv")).expect("a list");
    let candidate =
        duplicates.lines().nth(1).expect("a duplicate").split(',').next().expect("an id");
    let candidate = candidate.to_owned();
    run(&[os("explain"), os("--out"), out_os, os("--candidate"), candidate.as_ref()], &[0]);
    run(
        &[os("explain"), os("--out"), out_os, os("--candidate"), candidate.as_ref(), os("--json")],
        &[0],
    );
    let init_files: Vec<PathBuf> = extracts.iter().map(|f| copies.path().join(f)).collect();
    let job = copies.path().join("job.toml");
    let mut init: Vec<&std::ffi::OsStr> = vec![os("init")];
    init.extend(init_files.iter().map(|f| f.as_os_str()));
    init.extend([os("--out"), job.as_os_str()]);
    run(&init, &[0]);
    let headerless = copies.path().join("headerless.csv");
    let refused = copies.path().join("refused.toml");
    run(&[os("init"), headerless.as_os_str(), os("--out"), refused.as_os_str()], &[2]);
    assert!(!refused.exists(), "no job is written for a file without a header");
    let pseudonymized = out.path().join("pseudonymized");
    run(
        &[
            os("pseudonymize"),
            os("sample-data/job.toml"),
            os("--key-file"),
            key.as_os_str(),
            os("--out"),
            pseudonymized.as_os_str(),
        ],
        &[0],
    );
    // The verbose run said something of every link; init and explain spoke.
    assert!(printed.contains("census ↔ hukou: 先验匹配概率") && printed.contains("prior"));
    assert!(printed.contains("censuslink run") && printed.contains("模型"));
    let secrets = sample_secrets();
    assert!(secrets.len() > 40_000, "{} values", secrets.len());
    let leaked: Vec<&String> = secrets.iter().filter(|s| printed.contains(s.as_str())).collect();
    assert!(leaked.is_empty(), "{} values printed, the first {:?}", leaked.len(), leaked.first());
    // The job init wrote is the owner's alone.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&job).expect("the job").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the job file's mode");
    }
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
    // On the original extracts: links 1.00000 / 0.99404, missing recall 0.97119, deceased
    // recall 1.00000.
    assert!(score("links", "precision") >= 0.999, "{evaluation}");
    assert!(score("links", "recall") >= 0.99, "{evaluation}");
    assert!(score("missing", "recall") >= 0.96, "{evaluation}");
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

#[test]
fn a_run_never_deletes_a_file_it_did_not_write() {
    let root = tempfile::tempdir().expect("a temporary folder");
    let job = repo_path("sample-data/job.toml");
    let run = |out: &Path| {
        censuslink().args(["run", "--quiet", "--out"]).arg(out).arg(&job).output().expect("runs")
    };
    let refused = |out: &Path, expected: &str| {
        let output = run(out);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{}: {stderr}", out.display());
        assert!(stderr.contains(expected), "{}: {stderr}", out.display());
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    };

    // A folder of the user's own files.
    let notes = root.path().join("notes");
    std::fs::create_dir(&notes).expect("a folder");
    std::fs::write(notes.join("thesis.docx"), "x").expect("writable");
    refused(&notes, "已有 1 个不是 censuslink 写的文件");
    assert_eq!(std::fs::read_to_string(notes.join("thesis.docx")).expect("kept"), "x");
    assert!(!root.path().join(".notes.partial").exists(), "nothing staged");

    // A file.
    let file = root.path().join("out.txt");
    std::fs::write(&file, "y").expect("writable");
    refused(&file, "是一个文件，不是文件夹");
    assert_eq!(std::fs::read_to_string(&file).expect("kept"), "y");
    assert!(!root.path().join(".out.txt.partial").exists());

    // A symbolic link, to a folder of the user's.
    #[cfg(unix)]
    {
        let link = root.path().join("link");
        std::os::unix::fs::symlink(&notes, &link).expect("a link");
        refused(&link, "是符号链接");
        assert!(notes.join("thesis.docx").exists());
    }

    // A staging folder's name taken by the user's own folder.
    let out = root.path().join("out");
    let staged = root.path().join(".out.partial");
    std::fs::create_dir(&staged).expect("a folder");
    std::fs::write(staged.join("mine.txt"), "z").expect("writable");
    refused(&out, "不是 censuslink 留下的临时文件夹");
    assert!(staged.join("mine.txt").exists());
    std::fs::remove_dir_all(&staged).expect("removed");

    // An empty folder, then the previous output it became, are replaced.
    std::fs::create_dir(&out).expect("a folder");
    assert!(matches!(run(&out).status.code(), Some(0 | 1)));
    assert!(out.join(".censuslink-output").exists() && out.join("missing.csv").exists());
    assert!(matches!(run(&out).status.code(), Some(0 | 1)));

    // A mount point, where this machine lets a test make one (as root, with tmpfs).
    let mount = root.path().join("mnt");
    std::fs::create_dir(&mount).expect("a folder");
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "tmpfs"])
        .arg(&mount)
        .output()
        .is_ok_and(|o| o.status.success());
    if mounted {
        let result = run(&mount);
        let _ = std::process::Command::new("umount").arg(&mount).status();
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert_eq!(result.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("是挂载点"), "{stderr}");
        assert!(!root.path().join(".mnt.partial").exists(), "the staging folder is gone");
    } else {
        eprintln!(
            "a_run_never_deletes_a_file_it_did_not_write: no tmpfs mount here; the mount point case is not run"
        );
    }
}

/// Spreadsheet formulas an extract might carry, in record keys and addresses.
const FORMULAS: [&str; 5] = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "=1+1"];

#[test]
fn no_csv_the_analyst_opens_holds_a_formula() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let ids = [
        "11010519491231002X",
        "110105198001010024",
        "110105199002020042",
        "110105197503030039",
        "110105200003030061",
    ];
    let names = ["张伟", "李娜", "王芳", "刘强", "赵敏"];
    let mut census = String::from("编号,姓名,公民身份号码,地址\n");
    let mut hukou = String::from("户号,姓名,公民身份号码,户籍地址\n");
    let quoted = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
    for (k, formula) in FORMULAS.iter().enumerate() {
        // The first three are enumerated; the last two are missing candidates.
        if k < 3 {
            census.push_str(&format!(
                "{},{},{},{}\n",
                quoted(formula),
                names[k],
                ids[k],
                quoted(formula)
            ));
        }
        hukou.push_str(&format!(
            "{},{},{},{}\n",
            quoted(&format!("{formula}{k}")),
            names[k],
            ids[k],
            quoted(formula)
        ));
    }
    std::fs::write(folder.path().join("census.csv"), census).expect("writable");
    std::fs::write(folder.path().join("hukou.csv"), hukou).expect("writable");
    std::fs::write(
        folder.path().join("job.toml"),
        "reference_moment = \"2020-11-01\"\n\
         [[source]]\nname = \"census\"\nrole = \"census\"\npath = \"census.csv\"\nkey = \"编号\"\n\
         fields = { name = \"姓名\", id_number = \"公民身份号码\", residence_address = \"地址\" }\n\
         [[source]]\nname = \"hukou\"\nrole = \"hukou\"\npath = \"hukou.csv\"\nkey = \"户号\"\n\
         fields = { name = \"姓名\", id_number = \"公民身份号码\", hukou_address = \"户籍地址\" }\n",
    )
    .expect("writable");
    let out = tempfile::tempdir().expect("a temporary folder");
    let out = out.path().join("out");
    let output = censuslink()
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .arg(folder.path().join("job.toml"))
        .output()
        .expect("runs");
    assert!(matches!(output.status.code(), Some(0 | 1)), "{output:?}");

    let mut n_cells = 0;
    let mut n_guarded = 0;
    for path in files_under(&out).into_iter().filter(|p| p.extension().is_some_and(|e| e == "csv"))
    {
        let text = std::fs::read_to_string(&path).expect("UTF-8");
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
        for record in reader.records() {
            for cell in record.expect("a record").iter() {
                n_cells += 1;
                let is_number = cell.parse::<f64>().is_ok();
                assert!(
                    is_number || !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{}: a cell a spreadsheet would run: {cell}",
                    path.display()
                );
                n_guarded += usize::from(
                    cell.starts_with('\'') && FORMULAS.iter().any(|f| cell[1..].starts_with(f)),
                );
            }
        }
    }
    // The payloads reached the lists (keys in links, addresses and keys in missing), guarded.
    assert!(n_cells > 20 && n_guarded >= 8, "{n_guarded} guarded of {n_cells} cells");
    let missing = std::fs::read_to_string(out.join("missing.csv")).expect("the list");
    assert!(missing.contains("'@SUM(A1)"), "{missing}");

    // Worklist cells are strings, never formulas.
    for book in files_under(&out.join("worklists")) {
        use calamine::Reader;
        let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(&book).expect("a workbook");
        for sheet in workbook.sheet_names() {
            let formulas = workbook.worksheet_formula(&sheet).expect("a sheet");
            assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "{}", book.display());
        }
    }
}
