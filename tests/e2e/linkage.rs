//! `censuslink link` and `dedupe` on externally authored benchmark data with ground truth
//! (FEBRL datasets 1-3, Splink's fake_1000; tests/data/benchdata), unsupervised: u from random
//! pairs, m from EM anchored on pairs agreeing exactly on names and birth date, the prior from
//! those pairs. The truth is read only to score what the commands wrote. Pairwise precision,
//! recall and F1 after clustering at match probability 0.9 must reach at least Splink 5's
//! unsupervised results on the same data (README, "Linkage on public benchmarks").

use std::collections::HashMap;

use serde_json::Value;

use crate::{censuslink, csv_rows, repo_path};

/// Pairwise precision, recall and F1 of `found` clusters against `truth` entities, record by
/// record.
fn pairwise(found: &[String], truth: &[String]) -> (f64, f64, f64) {
    let mut together: HashMap<(&str, &str), u64> = HashMap::new();
    let mut by_found: HashMap<&str, u64> = HashMap::new();
    let mut by_truth: HashMap<&str, u64> = HashMap::new();
    for (f, t) in found.iter().zip(truth) {
        *together.entry((f, t)).or_default() += 1;
        *by_found.entry(f).or_default() += 1;
        *by_truth.entry(t).or_default() += 1;
    }
    let pairs = |n: &u64| n * n.saturating_sub(1) / 2;
    let true_positive: u64 = together.values().map(pairs).sum();
    let precision = true_positive as f64 / by_found.values().map(pairs).sum::<u64>().max(1) as f64;
    let recall = true_positive as f64 / by_truth.values().map(pairs).sum::<u64>().max(1) as f64;
    (precision, recall, 2.0 * precision * recall / (precision + recall))
}

/// FEBRL's truth: the `rec-N` prefix of the record key.
fn febrl_entity(key: &str) -> String {
    key.split("-dup-").next().expect("a key").trim_end_matches("-org").to_owned()
}

/// Runs `censuslink dedupe` on a benchmark job and scores its `clusters.csv` against the
/// entity `truth` gives each record key; with the summary it wrote.
fn dedupe(job: &str, truth: impl Fn(&str) -> String) -> ((f64, f64, f64), Value) {
    let out = tempfile::tempdir().expect("a temporary folder");
    censuslink()
        .args(["dedupe", "--quiet", "--out"])
        .arg(out.path())
        .arg(repo_path("tests/data/benchdata").join(job))
        .assert()
        .success();
    for census_output in ["missing.csv", "duplicates.csv", "coverage.csv", "worklists"] {
        assert!(!out.path().join(census_output).exists(), "{job}: no census output");
    }
    let clusters = csv_rows(&out.path().join("clusters.csv"));
    let found: Vec<String> = clusters.iter().map(|row| row["cluster_id"].clone()).collect();
    let entities: Vec<String> = clusters.iter().map(|row| truth(&row["id"])).collect();
    let summary: Value = serde_json::from_slice(
        &std::fs::read(out.path().join("summary.json")).expect("summary.json"),
    )
    .expect("JSON");
    let scores = pairwise(&found, &entities);
    println!("{job}: precision {:.4}, recall {:.4}, F1 {:.4}", scores.0, scores.1, scores.2);
    (scores, summary)
}

#[test]
fn dedupe_reaches_splink_on_febrl_1() {
    let ((_, _, f1), summary) = dedupe("febrl1.toml", febrl_entity);
    assert!(f1 >= 0.999, "F1 {f1}");
    assert_eq!(summary["task"], "dedupe");
    // Every record is in one cluster: 1,000 records, 500 people.
    assert_eq!(summary["row_accounting"]["febrl1"]["read"], 1000);
    assert!(summary["linked_clusters"].as_u64().expect("a count") >= 499);
    // What blocking made, rule by rule, not the pairs scored at some probability.
    let rules = summary["models"][0]["rules"].as_array().expect("the rules");
    let by_rules: u64 = rules.iter().map(|r| r["pairs"].as_u64().expect("pairs")).sum();
    assert_eq!(summary["candidate_pairs"], by_rules);
    assert!(by_rules > 1000, "{by_rules}");
}

#[test]
fn dedupe_reaches_splink_on_febrl_2() {
    let ((_, _, f1), _) = dedupe("febrl2.toml", febrl_entity);
    assert!(f1 >= 0.999, "F1 {f1}");
}

#[test]
fn dedupe_reaches_splink_on_febrl_3() {
    let ((_, _, f1), _) = dedupe("febrl3.toml", febrl_entity);
    assert!(f1 >= 0.998, "F1 {f1}");
}

#[test]
fn dedupe_reaches_splink_on_fake_1000() {
    // The truth is the file's `cluster` column, which the job does not map.
    let data = repo_path("tests/data/benchdata/splink_datasets/fake_1000.csv");
    let cluster_of: HashMap<String, String> = csv_rows(&data)
        .into_iter()
        .map(|row| (row["unique_id"].clone(), row["cluster"].clone()))
        .collect();
    let ((_, _, f1), _) = dedupe("fake_1000.toml", |key| cluster_of[key].clone());
    assert!(f1 >= 0.93, "F1 {f1}");
}

#[test]
fn link_of_febrl_1_halves_finds_every_pair_and_writes_no_census_output() {
    let out = tempfile::tempdir().expect("a temporary folder");
    let job = repo_path("tests/data/benchdata/febrl1_link.toml");
    let assert = censuslink().args(["link", "--out"]).arg(out.path()).arg(&job).assert().success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(stdout.contains("links.csv"), "{stdout}");
    assert!(!stdout.contains("dual-system"), "no census figure: {stdout}");

    let links = csv_rows(&out.path().join("links.csv"));
    assert_eq!(links.len(), 500);
    let correct = links
        .iter()
        .filter(|l| febrl_entity(&l["left_id"]) == febrl_entity(&l["right_id"]))
        .count();
    assert!(correct >= 499, "{correct} of 500 links correct");
    assert!(
        links.iter().all(|l| l["left_source"] == "originals" && l["right_source"] == "duplicates")
    );
    // One-to-one: no record twice on either side.
    for side in ["left_id", "right_id"] {
        let mut ids: Vec<&str> = links.iter().map(|l| l[side].as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 500, "{side}");
    }

    for file in ["clusters.csv", "links.parquet", "models.json", "report.html", "summary.json"] {
        assert!(out.path().join(file).is_file(), "{file}");
    }
    for census_output in
        ["missing.csv", "duplicates.csv", "births.csv", "coverage.csv", "worklists"]
    {
        assert!(!out.path().join(census_output).exists(), "no {census_output}");
    }
    let report = std::fs::read_to_string(out.path().join("report.html")).expect("the report");
    assert!(report.contains("Record linkage report") && report.contains("id=\"blocking\""));
    assert!(!report.contains("id=\"coverage\""), "no coverage section");
    crate::browser::check_linkage_report_in_chromium(&out.path().join("report.html"));

    // `explain` scores a pair as the run did, from the link's models.json.
    let explained = censuslink()
        .args(["explain", "--json", "--out"])
        .arg(out.path())
        .arg(&job)
        .args(["--records", "originals:rec-223-org", "duplicates:rec-223-dup-0"])
        .assert()
        .success();
    let explained: Value =
        serde_json::from_slice(&explained.get_output().stdout).expect("explain --json is JSON");
    let weight = explained[0]["explanation"]["total"].as_f64().expect("a weight");
    let written = links
        .iter()
        .find(|l| l["left_id"] == "rec-223-org")
        .map(|l| l["match_weight"].parse::<f64>().expect("a number"))
        .expect("the pair is a link");
    assert!((weight - written).abs() < 1e-5, "explain {weight}, links.csv {written}");
}

#[test]
fn a_census_job_without_roles_says_which_command_links_it() {
    let out = tempfile::tempdir().expect("a temporary folder");
    let job = repo_path("tests/data/benchdata/febrl1_link.toml");
    let assert = censuslink().args(["run", "--out"]).arg(out.path()).arg(&job).assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("role = \"census\""), "{stderr}");

    let one = repo_path("tests/data/benchdata/febrl1.toml");
    let assert = censuslink().args(["link", "--out"]).arg(out.path()).arg(&one).assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("censuslink dedupe"), "{stderr}");
    let assert = censuslink().args(["dedupe", "--out"]).arg(out.path()).arg(&job).assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("censuslink link"), "{stderr}");
    // `--many-to-one` is the link's alone.
    censuslink().args(["dedupe", "--many-to-one"]).arg(&one).assert().code(2);

    // A census job with one source left without a role: run names it and the commands that
    // read it.
    let folder = tempfile::tempdir().expect("a temporary folder");
    let halves = folder.path().join("febrl1_halves");
    std::fs::create_dir(&halves).expect("writable");
    for file in ["originals.csv", "duplicates.csv"] {
        let from = repo_path("tests/data/benchdata/febrl1_halves").join(file);
        std::fs::copy(from, halves.join(file)).expect("copied");
    }
    let text = std::fs::read_to_string(&job).expect("the job");
    let text = text.replacen("name = \"originals\"", "name = \"originals\"\nrole = \"census\"", 1);
    let census_job = folder.path().join("job.toml");
    std::fs::write(&census_job, text).expect("writable");
    let assert = censuslink()
        .args(["run", "--lang", "en", "--out"])
        .arg(out.path())
        .arg(&census_job)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("`source.duplicates.role`") && stderr.contains("censuslink link"),
        "{stderr}"
    );
}
