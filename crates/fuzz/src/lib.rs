//! The bodies of the fuzz targets: each takes arbitrary bytes, runs one parser on them and
//! checks what the parser promises of its result. A panic is a finding. `fuzz/` runs them
//! under libFuzzer (`cargo +nightly fuzz run TARGET`); `tests/regressions.rs` runs every
//! input kept in `fuzz/corpus/` and `fuzz/regressions/` through them in `cargo test`.

#![warn(missing_docs)]

use std::path::{Path, PathBuf};

use censuslink_io::{Job, Lang};
use censuslink_standardize::{date, id, name};

/// A target's body.
pub type Target = fn(&[u8]);

/// The targets by name, as the folders of `fuzz/corpus/` and the binaries of `fuzz/` call
/// them.
pub const TARGETS: [(&str, Target); 5] =
    [("id", id), ("date", date), ("name", name), ("csv", csv), ("job", job)];

/// The ID-number parser: a valid number is 18 characters whose check character is right,
/// and its embedded birth date, sex and region come with it.
pub fn id(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let outcome = id::standardize_id(&text);
    if outcome.status.is_valid() {
        let number = outcome.number.as_deref().expect("a valid ID has its number");
        let bytes = number.as_bytes();
        assert_eq!(bytes.len(), 18, "a valid ID has 18 characters");
        let body: [u8; 17] = bytes[..17].try_into().expect("17 characters");
        assert_eq!(id::check_character(&body), bytes[17], "a valid ID's check character");
        assert!(outcome.birth_date.is_some() && outcome.sex.is_some() && outcome.region.is_some());
        // The canonical form is a fixed point.
        let again = id::standardize_id(number);
        assert_eq!(again.number.as_deref(), Some(number));
        assert!(again.status.is_valid());
    } else {
        assert!(outcome.birth_date.is_none() && outcome.sex.is_none());
    }
}

/// The date parser: a date it accepts lies in 1000..=2100 and exists.
pub fn date(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(date) = date::parse_date(&text) {
        assert!((1000..=2100).contains(&date.year()), "the year is in range");
        if let Some(month) = date.month() {
            assert!((1..=12).contains(&month));
        }
        if let Some(day) = date.day() {
            assert!(date.month().is_some(), "a day only with its month");
            assert!((1..=31).contains(&day));
        }
        // Days since the epoch are defined for every accepted date.
        let _ = date.to_days_since_epoch();
    }
}

/// Name normalisation: idempotent, and standardizing a standardized name gives it back.
pub fn name(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let normalized = name::normalize_name(&text);
    assert_eq!(name::normalize_name(&normalized), normalized, "normalisation is idempotent");
    if let name::NameOutcome::Name(standard) = name::standardize_name(&text) {
        assert_eq!(standard.full, normalized);
        let again = name::standardize_name(&standard.full);
        assert!(matches!(again, name::NameOutcome::Name(n) if n == standard));
        let _ = standard.pinyin_readings();
    }
}

/// The CSV reader with encoding detection, then standardization: the bytes are a CSV file
/// mapped by a fixed job (name, ID number and birth date by their Chinese headers). Whatever
/// the bytes, loading gives a table or an error, and a table's row issues point at its rows.
pub fn csv(data: &[u8]) {
    let folder = scratch_folder();
    let path = folder.join("census.csv");
    std::fs::write(&path, data).expect("the scratch folder is writable");
    let job_path = folder.join("job.toml");
    let job = Job::parse(
        "reference_moment = \"2020-11-01\"\n[[source]]\nname = \"census\"\nrole = \"census\"\n\
         path = \"census.csv\"\n[source.fields]\nname = \"姓名\"\nid_number = \"公民身份号码\"\n\
         birth_date = \"出生日期\"\nsex = \"性别\"\n",
        &job_path,
    )
    .expect("the fixed job is valid");
    match censuslink_io::load(&job.sources[0], &job_path) {
        Ok(loaded) => {
            let rows = loaded.n_rows();
            for issue in &loaded.issues {
                assert!((1..=rows as u64).contains(&issue.row), "a row issue points at a row");
            }
        }
        Err(err) => {
            let _ = (err.message(Lang::Zh), err.message(Lang::En));
        }
    }
}

/// The job-file parser: any text gives a job or an error that can be told in both languages.
pub fn job(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Err(err) = Job::parse(&text, Path::new("/nonexistent/job.toml")) {
        let _ = (err.message(Lang::Zh), err.message(Lang::En));
    }
}

/// A folder of this process's own for the CSV target's file, reused by every input; the
/// caller that runs the targets removes it when done.
pub fn scratch_folder() -> PathBuf {
    let folder = std::env::temp_dir().join(format!("censuslink-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("the temporary folder is writable");
    folder
}
