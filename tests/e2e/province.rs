//! A province: four counties' extracts, generated with the people who live in one county and
//! are registered in another, run as one job and as one county alone. The province run counts
//! each person where the census says they live, finds the people listed in two counties, and
//! files each county's candidates in its folder; a county alone cannot see the first two.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::{censuslink, csv_rows};

const COUNTIES: [&str; 4] = ["320115", "320116", "320117", "320118"];

/// Runs `job` into `out` and evaluates it against `truth`; the evaluation.
fn run_and_evaluate(job: &Path, out: &Path, truth: &Path) -> Value {
    censuslink().args(["run", "--quiet", "--out"]).arg(out).arg(job).assert().code(&[0, 1][..]);
    censuslink()
        .args(["evaluate", "--quiet", "--truth"])
        .arg(truth)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
    serde_json::from_slice(&std::fs::read(out.join("evaluation.json")).expect("evaluation.json"))
        .expect("JSON")
}

/// The counties (6-digit codes) of the `;`-separated area codes `areas`.
fn counties_of(areas: &str) -> BTreeSet<String> {
    areas.split(';').filter_map(|area| area.get(..6)).map(str::to_owned).collect()
}

#[test]
fn a_province_run_counts_people_where_they_live_and_files_each_county_s_candidates() {
    let root = tempfile::tempdir().expect("a temporary folder");
    let province = root.path().join("province");
    censuslink()
        .args(["synth", "--quiet", "--persons", "20000", "--counties", "4", "--seed", "7"])
        .arg("--out")
        .arg(&province)
        .assert()
        .success();
    for county in COUNTIES {
        for file in ["census.csv", "hukou.csv", "birth.xlsx", "death.parquet", "job.toml"] {
            assert!(province.join(county).join(file).is_file(), "{county}/{file}");
        }
    }
    let truth = province.join("truth");
    let out = root.path().join("out");
    let evaluation = run_and_evaluate(&province.join("job.toml"), &out, &truth);

    // The product's floors for a province (README): no one enumerated in another county is
    // missing; the people listed in two counties are found.
    let cross = &evaluation["cross_county"];
    let count = |what: &str| cross[what].as_u64().expect("a count");
    assert!(count("enumerated_elsewhere") > 500, "{cross}");
    assert!(cross["not_missing_share"].as_f64().expect("a share") >= 0.99, "{cross}");
    let duplicates = &cross["duplicates"];
    assert!(duplicates["expected"].as_u64().expect("a count") > 20, "{duplicates}");
    assert!(duplicates["precision"].as_f64().expect("a share") >= 0.99, "{duplicates}");
    assert!(duplicates["recall"].as_f64().expect("a share") >= 0.98, "{duplicates}");
    let coverage = cross["coverage"].as_array().expect("each county's estimate");
    let scored: Vec<&str> =
        coverage.iter().map(|c| c["county"].as_str().expect("a code")).collect();
    assert_eq!(scored, COUNTIES);
    for county in coverage {
        let error = county["score"]["relative_error"].as_f64().expect("an estimate");
        assert!(error.abs() < 0.01, "{county}");
    }

    // Each county's folder holds its candidates: a duplicate in two counties is in both.
    let all = csv_rows(&out.join("duplicates.csv"));
    let across: Vec<&BTreeMap<String, String>> =
        all.iter().filter(|d| counties_of(&d["enumeration_areas"]).len() > 1).collect();
    assert!(!across.is_empty());
    let mut filed: BTreeMap<String, usize> = BTreeMap::new();
    for county in COUNTIES {
        let folder = out.join("counties").join(county);
        for list in ["missing", "duplicates", "deceased", "births", "conflicts"] {
            assert!(folder.join(format!("{list}.csv")).is_file(), "{county}/{list}.csv");
        }
        for row in csv_rows(&folder.join("duplicates.csv")) {
            assert!(counties_of(&row["enumeration_areas"]).contains(county), "{row:?}");
            *filed.entry(row["candidate_id"].clone()).or_default() += 1;
        }
    }
    for duplicate in &all {
        let n = counties_of(&duplicate["enumeration_areas"]).len();
        assert_eq!(filed.get(&duplicate["candidate_id"]), Some(&n), "{duplicate:?}");
    }

    // One county alone lists as missing some of the people the province finds living in
    // another county: what a run per district cannot see.
    let alone = root.path().join("alone");
    censuslink()
        .args(["run", "--quiet", "--out"])
        .arg(&alone)
        .arg(province.join("320115/job.toml"))
        .assert()
        .code(&[0, 1][..]);
    let person_of: BTreeMap<(String, String), String> = csv_rows(&truth.join("records.csv"))
        .into_iter()
        .map(|r| ((r["source"].clone(), r["record"].clone()), r["person"].clone()))
        .collect();
    let omitted: BTreeSet<String> =
        csv_rows(&truth.join("omitted.csv")).into_iter().map(|r| r["person"].clone()).collect();
    let living_elsewhere: BTreeSet<String> = csv_rows(&truth.join("persons.csv"))
        .into_iter()
        .filter(|p| p["presence"] == "resident" && !omitted.contains(&p["person"]))
        .filter(|p| !p["enumeration_area"].starts_with("320115"))
        .map(|p| p["person"].clone())
        .collect();
    let missing_alone = csv_rows(&alone.join("missing.csv"));
    let enumerated_elsewhere = missing_alone
        .iter()
        .filter(|m| {
            let first = m["records"].split(';').next().unwrap_or("");
            let (source, key) = first.split_once(':').expect("source:key");
            person_of
                .get(&(source.to_owned(), key.to_owned()))
                .is_some_and(|p| living_elsewhere.contains(p))
        })
        .count();
    assert!(enumerated_elsewhere > 50, "{enumerated_elsewhere} of {}", missing_alone.len());

    // A county whose deaths were not delivered is a warning, not a county without deaths.
    std::fs::remove_file(province.join("320118/death.parquet")).expect("removable");
    let undelivered = root.path().join("undelivered");
    let job = province.join("job.toml");
    censuslink().args(["run", "--quiet", "--out"]).arg(&undelivered).arg(job).assert().code(1);
    let summary: Value =
        serde_json::from_slice(&std::fs::read(undelivered.join("summary.json")).expect("summary"))
            .expect("JSON");
    let findings = summary["findings"].as_array().expect("findings");
    let missing: Vec<&Value> =
        findings.iter().filter(|f| f["finding"]["kind"] == "missing_folders").collect();
    assert_eq!(missing.len(), 1, "{findings:?}");
    assert_eq!(missing[0]["finding"]["source"], "death");
    assert_eq!(missing[0]["finding"]["folders"], serde_json::json!(["320118"]));
}
