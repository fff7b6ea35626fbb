//! The analyst's tools on the sample district: what `run` prints while it works and when it is
//! done, `explain` on the run's own candidates and links, `profile` before any linking, and
//! the exit codes `--help` documents.

use std::collections::BTreeMap;
use std::path::Path;

use censuslink_reconcile::thousands;
use serde_json::Value;

use crate::{censuslink, repo_path};

/// The rows of a CSV the run wrote, as maps of column to value.
fn rows(path: &std::path::Path) -> Vec<BTreeMap<String, String>> {
    rows_of(&std::fs::read_to_string(path).expect("a list"))
}

/// `censuslink explain --records` on two records of the run in `out`: the JSON, or the table.
fn explain_records(
    out: &std::path::Path,
    job: &std::path::Path,
    records: [String; 2],
    json: bool,
) -> String {
    let mut command = censuslink();
    command.arg("explain");
    if json {
        command.arg("--json");
    }
    let explained =
        command.arg("--out").arg(out).arg("--records").args(records).arg(job).assert().success();
    String::from_utf8_lossy(&explained.get_output().stdout).into_owned()
}

/// `censuslink explain --json --candidate` on a candidate of the run in `out`.
fn explain_candidate(out: &std::path::Path, job: &std::path::Path, id: &str) -> Value {
    let explained = censuslink()
        .args(["explain", "--json", "--out"])
        .arg(out)
        .args(["--candidate", id])
        .arg(job)
        .assert()
        .success();
    serde_json::from_slice(&explained.get_output().stdout).expect("JSON")
}

fn rows_of(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{FEFF}').as_bytes());
    reader.deserialize().map(|row| row.expect("a well-formed row")).collect()
}

#[test]
fn run_reports_its_stages_and_explain_gives_the_runs_own_probabilities() {
    let out = tempfile::tempdir().expect("a temporary folder");
    let job = repo_path("sample-data/job.toml");
    // Given the sample's truth, the run evaluates itself and the report draws the reliability
    // diagram of the missing candidates' probability.
    let truth = repo_path("sample-data/truth");
    let assert = censuslink()
        .args(["run", "--out"])
        .arg(out.path())
        .arg("--truth")
        .arg(&truth)
        .arg(&job)
        .assert()
        .success();
    let output = assert.get_output();

    // Not a terminal: one plain line per stage, counts and no values.
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stages: Vec<&str> = stderr.lines().collect();
    // Six sources read; the census linked to five registers, the registers with each other
    // but the birth certificates (6 pairs), the census with itself; then writing.
    assert_eq!(stages.len(), 6 + 5 + 6 + 1 + 2, "{stderr}");
    assert!(stages[0].starts_with("读取 census  21,031 行  "), "{stderr}");
    assert!(stages[5].starts_with("读取 insurance  19,711 行  "), "{stderr}");
    assert!(stages[6].starts_with("  比对 census ↔ hukou  "), "{stderr}");
    assert!(stages[17].starts_with("  比对 census ↔ census  "), "{stderr}");
    assert!(stages[18].starts_with("比对与核对  "), "{stderr}");
    assert!(stages[19].starts_with("写出结果  "), "{stderr}");
    // The one-screen summary: sources, lists with their files, the estimate, the outputs.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let summary: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("summary.json")).expect("summary"))
            .expect("JSON");
    let missing = summary["lists"]["missing"].as_u64().expect("a count");
    let line = stdout.lines().find(|l| l.starts_with("疑似漏登")).expect("the missing line");
    assert!(line.replace(',', "").contains(&format!("{missing}   ")), "{line}");
    assert!(line.ends_with("missing.csv"), "{line}");
    // The census's usual residents, a duplicated person once and the 10 dead it counted not
    // at all.
    assert!(stdout.contains("普查登记常住人口 19,370"), "{stdout}");
    assert!(stdout.contains("report.html"), "{stdout}");

    report_is_whole_and_drawn(out.path());
    explain_gives_the_lists_probabilities(out.path(), &job);
}
/// The run's report: one file that loads nothing from anywhere, renders in a browser without a
/// console error, with its charts and the top candidates of each list.
fn report_is_whole_and_drawn(out: &Path) {
    let report = out.join("report.html");
    let html = std::fs::read_to_string(&report).expect("report.html");
    assert!(!html.contains("http") && !html.contains("src="), "self-contained");
    assert!(html.contains("<html lang=\"zh-CN\">"), "Chinese by default");
    for id in ["coverage-township-chart", "coverage-area-chart", "weights-chart", "missing-table"] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
    }
    // With CENSUSLINK_REPORT_SCREENSHOT=docs/report.png the screenshot is kept for a look.
    let screenshot = std::env::var_os("CENSUSLINK_REPORT_SCREENSHOT")
        .map_or_else(|| out.join("report.png"), std::path::PathBuf::from);
    crate::browser::check_report_in_chromium(&report, &["reliability-chart"], Some(&screenshot));
    // The reliability diagram: a dot per tenth of probability the evaluation has, and the
    // expected true omissions beside the count.
    let evaluation: Value = serde_json::from_slice(
        &std::fs::read(out.join("evaluation.json")).expect("evaluation.json"),
    )
    .expect("JSON");
    let bins =
        evaluation["missing_detail"]["calibration"].as_array().expect("the diagram's tenths");
    let chart = &html[html.find("id=\"reliability-chart\"").expect("the diagram")..];
    let chart = &chart[..chart.find("</svg>").expect("closed")];
    assert_eq!(chart.matches("<circle").count(), bins.len());
    let expected = evaluation["missing_detail"]["expected_omitted"].as_f64().expect("a sum");
    let shown = format!("<strong>{}</strong>", thousands(expected.round() as usize));
    assert!(html.contains(&shown), "{shown}");
    // The top 50 of each list (1,514 missing, 162 duplicates), and the weights chart as SVG.
    assert_eq!(crate::browser::table_rows(&html, "missing-table"), 50);
    assert_eq!(crate::browser::table_rows(&html, "duplicates-table"), 50);
    assert_eq!(crate::browser::tag_of(&html, "weights-chart"), Some("svg"));
}

/// Explain on the run's lists.
fn explain_gives_the_lists_probabilities(out: &Path, job: &Path) {
    // A missing candidate with a nearest census record: explain gives the probability the
    // list shows, and the waterfall adds up to it.
    let missing = rows(&out.join("missing.csv"));
    let candidate = missing
        .iter()
        .find(|row| !row["nearest_census_record"].is_empty() && !row["records"].contains(';'))
        .expect("a single-record candidate near a census record");
    let json = explain_candidate(out, job, &candidate["candidate_id"]);
    let pairs = json.as_array().expect("a list of pairs");
    assert_eq!(pairs.len(), 1);
    let explanation = &pairs[0]["explanation"];
    let probability = explanation["probability"].as_f64().expect("a probability");
    assert_eq!(format!("{probability:.6}"), candidate["nearest_match_probability"]);
    let terms: f64 = explanation["comparisons"]
        .as_array()
        .expect("comparisons")
        .iter()
        .map(|c| {
            c["weight"].as_f64().unwrap_or(f64::NAN)
                + c["tf_adjustment"].as_f64().unwrap_or(f64::NAN)
        })
        .sum();
    let prior = explanation["prior_weight"].as_f64().expect("a prior");
    let total = explanation["total"].as_f64().expect("a total");
    assert!((prior + terms - total).abs() < 1e-9, "{prior} + {terms} != {total}");
    assert_eq!(pairs[0]["right"], candidate["records"].as_str());
    assert_eq!(pairs[0]["link"], format!("census ↔ {}", candidate["sources"]));

    // A duplicate candidate: explained by the census's own model over the records it
    // deduplicates (those it lists where they live), which the value frequencies are counted
    // among, as in the run.
    let duplicates = rows(&out.join("duplicates.csv"));
    let uncertain: Vec<_> = duplicates
        .iter()
        .filter(|row| row["min_match_probability"].parse::<f64>().expect("a probability") < 0.999)
        .collect();
    assert!(!uncertain.is_empty(), "a duplicate candidate short of certain");
    for candidate in uncertain {
        let weakest = explain_candidate(out, job, &candidate["candidate_id"])
            .as_array()
            .expect("a list of pairs")
            .iter()
            .map(|pair| pair["explanation"]["probability"].as_f64().expect("a probability"))
            .fold(f64::INFINITY, f64::min);
        assert_eq!(format!("{weakest:.6}"), candidate["min_match_probability"]);
    }

    // A link of the census and the hukou register, explained by its records in a table.
    let links = rows(&out.join("links.csv"));
    let link = links.iter().find(|l| l["right_source"] == "hukou").expect("a hukou link");
    let table = explain_records(
        out,
        job,
        [format!("census:{}", link["left_id"]), format!("hukou:{}", link["right_id"])],
        false,
    );
    let weight: f64 = link["match_weight"].parse().expect("a weight");
    assert!(table.contains(&format!("匹配权重 {weight:+.2}")), "{table}");
    assert!(table.contains("身份证号"), "fields in Chinese: {table}");

    // A link the household pass made: explained with the household's weight, which the
    // link's weight includes.
    let models: Value =
        serde_json::from_slice(&std::fs::read(out.join("models.json")).expect("models"))
            .expect("JSON");
    let household = models
        .as_array()
        .expect("models")
        .iter()
        .find(|m| m["right"] == "hukou")
        .map(|m| &m["household"])
        .expect("census ↔ hukou");
    let household_weight = household["weight"].as_f64().expect("a household weight");
    let decided = &household["links"][0];
    let (left, right) = (decided[0].as_str().expect("a key"), decided[1].as_str().expect("a key"));
    let link = links
        .iter()
        .find(|l| l["left_id"] == left && l["right_id"] == right)
        .expect("the household's link is in links.csv");
    let explained =
        explain_records(out, job, [format!("census:{left}"), format!("hukou:{right}")], true);
    let json: Value = serde_json::from_str(&explained).expect("JSON");
    let explanation = &json[0]["explanation"];
    let term = explanation["comparisons"]
        .as_array()
        .expect("comparisons")
        .iter()
        .find(|c| c["feature"] == "household")
        .expect("the household's evidence");
    assert_eq!(term["weight"].as_f64(), Some(household_weight));
    let total = explanation["total"].as_f64().expect("a total");
    let weight: f64 = link["match_weight"].parse().expect("a weight");
    assert!((total - weight).abs() < 1e-5, "{total} against {weight}");
    let table =
        explain_records(out, job, [format!("census:{left}"), format!("hukou:{right}")], false);
    assert!(
        table.contains("同户关系") && table.contains("本户其他成员已比上对方同一户"),
        "{table}"
    );

    // A link an other name decided: the census gave the name the hukou register keeps as a
    // former name (曾用名), and explain says so.
    let census_bytes = std::fs::read(repo_path("sample-data/census.csv")).expect("the census");
    let census = rows_of(&encoding_rs::GBK.decode(&census_bytes).0);
    let census_name: BTreeMap<String, &str> = census
        .iter()
        .map(|r| {
            let key = ["普查区代码", "普查小区编号", "户编号", "人员序号"].map(|c| r[c].as_str());
            (key.join("-"), r["姓名"].as_str())
        })
        .collect();
    let hukou = rows(&repo_path("sample-data/hukou.csv"));
    let hukou_names: BTreeMap<&str, (&str, &str)> = hukou
        .iter()
        .map(|r| (r["户籍编号"].as_str(), (r["姓名"].as_str(), r["曾用名"].as_str())))
        .collect();
    let link = links
        .iter()
        .find(|l| {
            let (Some(given), Some((name, former))) =
                (census_name.get(&l["left_id"]), hukou_names.get(l["right_id"].as_str()))
            else {
                return false;
            };
            l["right_source"] == "hukou" && given == former && given != name
        })
        .expect("a census record linked by its hukou entry's former name");
    let records = [format!("census:{}", link["left_id"]), format!("hukou:{}", link["right_id"])];
    let explained = explain_records(out, job, records.clone(), true);
    let json: Value = serde_json::from_str(&explained).expect("JSON");
    let name = json[0]["explanation"]["comparisons"]
        .as_array()
        .expect("comparisons")
        .iter()
        .find(|c| c["feature"] == "name")
        .expect("the name's evidence");
    assert_eq!(name["label"], "an other name agrees");
    assert!(name["weight"].as_f64().expect("a weight") > 0.0, "{name}");
    let table = explain_records(out, job, records, false);
    assert!(table.contains("曾用名或别名一致"), "{table}");

    // Unknown candidates and records are one line, exit code 2.
    let unknown = censuslink()
        .args(["explain", "--out"])
        .arg(out)
        .args(["--candidate", "0000000000000000"])
        .arg(job)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&unknown.get_output().stderr).into_owned();
    assert_eq!(stderr, format!("错误：{} 的清单中没有候选 `0000000000000000`\n", out.display()));
}

#[test]
fn profile_shows_what_the_sources_hold_before_any_linking() {
    let job = repo_path("sample-data/job.toml");
    let assert = censuslink().args(["profile", "--quiet", "--json"]).arg(&job).assert().success();
    let json: Value = serde_json::from_slice(&assert.get_output().stdout).expect("JSON");
    let sources = json["sources"].as_array().expect("sources");
    assert_eq!(sources.len(), 6);
    let census = &sources[0];
    assert_eq!((census["name"].as_str(), census["rows"].as_u64()), (Some("census"), Some(21_031)));
    let field = |source: &Value, name: &str| -> Value {
        source["fields"]
            .as_array()
            .and_then(|fields| fields.iter().find(|f| f["field"] == name).cloned())
            .unwrap_or(Value::Null)
    };
    assert_eq!(field(census, "sex")["distinct"], 2);
    assert_eq!(field(census, "name")["filled"], 21_031);
    assert_eq!(field(census, "id_number")["column"], "公民身份号码");
    // Every unreadable ID is counted by status, and the field's count is their sum.
    let statuses = &census["id_status"];
    let unreadable: u64 = ["bad_check_digit", "bad_date", "malformed", "unknown_region"]
        .iter()
        .filter_map(|s| statuses[s].as_u64())
        .sum();
    assert_eq!(field(census, "id_number")["unreadable"].as_u64(), Some(unreadable));
    // The insurance extract's spreadsheet-mangled IDs are a finding, with its message.
    let insurance = &sources[5];
    let truncated = insurance["id_status"]["excel_truncated"].as_u64().expect("some");
    let finding = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| {
            f["finding"]["kind"] == "excel_truncated" && f["finding"]["source"] == "insurance"
        })
        .expect("a finding");
    assert_eq!(finding["finding"]["count"].as_u64(), Some(truncated));
    assert!(finding["message"].as_str().is_some_and(|m| m.contains("导出时把该列设为文本")));
    // Blocking: census ↔ each of five registers, and the census with itself.
    let blocking = json["blocking"].as_array().expect("blocking");
    assert_eq!(blocking.len(), 6);
    let hukou = blocking.iter().find(|b| b["right"] == "hukou").expect("census ↔ hukou");
    let id_rule = &hukou["rules"][0];
    assert_eq!(id_rule["rule"], "ID number");
    assert!(id_rule["pairs"].as_u64().is_some_and(|n| n > 14_000), "{id_rule}");

    // The tables, in English on request.
    let assert =
        censuslink().args(["profile", "--quiet", "--lang", "en"]).arg(&job).assert().success();
    let text = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(text.contains("== census (census)  21,031 rows  rejected 0"), "{text}");
    assert!(text.contains("== blocking rules (candidate pairs)"), "{text}");
}

#[test]
fn help_documents_the_exit_codes() {
    for args in [&["--help"][..], &["run", "--help"]] {
        let assert = censuslink().args(args).assert().success();
        let help = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
        assert!(help.contains("Exit codes:\n  0  done\n  1  done, with warnings"), "{help}");
        assert!(help.contains("  2  bad usage or input"), "{help}");
    }
}
