//! Evaluation against a generated district's truth (`censuslink synth` writes it): precision
//! and recall of the links and of each candidate list.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde::Serialize;

/// Precision and recall of one output, with the counts behind them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Score {
    /// Share of what was reported that is true.
    pub precision: f64,
    /// Share of what is true (and findable) that was reported.
    pub recall: f64,
    /// Reported.
    pub reported: u64,
    /// Reported and true.
    pub correct: u64,
    /// True and findable.
    pub expected: u64,
}

impl Score {
    fn new(correct: u64, reported: u64, found: u64, expected: u64) -> Score {
        let share = |a: u64, b: u64| if b == 0 { 1.0 } else { a as f64 / b as f64 };
        Score {
            precision: share(correct, reported),
            recall: share(found, expected),
            reported,
            correct,
            expected,
        }
    }
}

/// Every output's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Census ↔ register links: precision of the links; recall of the register records whose
    /// person the census lists (each can be linked once).
    pub links: Score,
    /// Missing candidates against the omitted usual residents some register shows.
    pub missing: Score,
    /// Duplicate groups against the people the census lists twice as residents: a group is
    /// right when all its records are one such person; a person is found when a group holds
    /// two of their records.
    pub duplicates: Score,
    /// Deceased candidates (census records) against the dead the census listed whose death
    /// the death register holds.
    pub deceased: Score,
    /// Birth candidates against the births not enumerated that the birth register holds.
    pub births: Score,
    /// Identity conflicts (records) against the truth's.
    pub conflicts: Score,
    /// Where the right missing candidates are sent: their `enumeration_area` against the area
    /// the truth lists them in.
    pub located: Located,
}

/// How well the right missing candidates are placed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Located {
    /// Right missing candidates.
    pub candidates: u64,
    /// Of which placed in their true enumeration area.
    pub in_true_area: u64,
    /// Placed in another area.
    pub elsewhere: u64,
    /// Share placed in their true area.
    pub share: f64,
}

/// Why a CSV the program reads back (a truth file, a previous run's list, field teams'
/// outcomes) cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.message(censuslink_io::Lang::En))]
pub struct TruthError {
    /// The file.
    pub path: std::path::PathBuf,
    /// What is wrong.
    pub problem: CsvProblem,
}

/// What is wrong with a CSV read back.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CsvProblem {
    /// The file is not there.
    NotFound,
    /// The file cannot be read or parsed: the reader's message (positions, never values).
    Unreadable(String),
    /// A column the file must have.
    NoColumn(&'static str),
}

impl TruthError {
    /// The error as one line, in `lang`.
    pub fn message(&self, lang: censuslink_io::Lang) -> String {
        let path = self.path.display();
        match &self.problem {
            CsvProblem::NotFound => lang.pick(
                format!("无法读取 {path}：文件不存在；文件夹对吗？"),
                format!("cannot read {path}: no such file; is the folder right?"),
            ),
            CsvProblem::Unreadable(message) => lang.pick(
                format!("无法读取 {path}：{message}"),
                format!("cannot read {path}: {message}"),
            ),
            CsvProblem::NoColumn(column) => lang.pick(
                format!("{path}：缺少 `{column}` 列（须有 candidate_id、outcome、note 三列）"),
                format!(
                    "{path}: a `{column}` column is needed (with candidate_id, outcome and note)"
                ),
            ),
        }
    }
}

/// A truth CSV as rows of named fields.
fn read(dir: &Path, file: &str) -> Result<Vec<BTreeMap<String, String>>, TruthError> {
    read_csv(&dir.join(file))
}

/// A CSV (UTF-8, with or without a byte-order mark) as rows of named fields.
pub(crate) fn read_csv(path: &Path) -> Result<Vec<BTreeMap<String, String>>, TruthError> {
    let error = |problem: String| TruthError {
        path: path.to_owned(),
        problem: CsvProblem::Unreadable(problem),
    };
    let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            TruthError { path: path.to_owned(), problem: CsvProblem::NotFound }
        }
        _ => error(e.to_string()),
    })?;
    let text = text.trim_start_matches('\u{FEFF}');
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| error(e.to_string()))?.clone();
    reader
        .records()
        .map(|record| {
            let record = record.map_err(|e| error(e.to_string()))?;
            Ok(headers
                .iter()
                .zip(record.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect())
        })
        .collect()
}

/// A record named `source:key` in a list.
fn named(text: &str) -> (String, String) {
    let (source, key) = text.split_once(':').unwrap_or(("", text));
    (source.to_owned(), key.to_owned())
}

/// Scores the lists a run wrote into `out_dir` (CSV) against the truth in `truth_dir`.
pub fn evaluate(out_dir: &Path, truth_dir: &Path) -> Result<Evaluation, TruthError> {
    let records = read(truth_dir, "records.csv")?;
    let person_of: HashMap<(String, String), String> = records
        .iter()
        .map(|r| ((r["source"].clone(), r["record"].clone()), r["person"].clone()))
        .collect();
    let person = |source: &str, key: &str| person_of.get(&(source.to_owned(), key.to_owned()));

    // Links between the census and a register.
    let links = read(out_dir, "links.csv")?;
    let census_links: Vec<_> = links.iter().filter(|l| l["left_source"] == "census").collect();
    let correct = census_links
        .iter()
        .filter(|l| {
            let left = person(&l["left_source"], &l["left_id"]);
            left.is_some() && left == person(&l["right_source"], &l["right_id"])
        })
        .count() as u64;
    let census_persons: BTreeSet<&String> =
        records.iter().filter(|r| r["source"] == "census").map(|r| &r["person"]).collect();
    let linkable = records
        .iter()
        .filter(|r| r["source"] != "census" && census_persons.contains(&r["person"]))
        .count() as u64;
    let links = Score::new(correct, census_links.len() as u64, correct, linkable);

    // Missing: a candidate is right when its person is an omitted usual resident.
    let omitted: BTreeMap<String, String> = read(truth_dir, "omitted.csv")?
        .into_iter()
        .filter(|r| !r["sources"].is_empty())
        .map(|r| (r["person"].clone(), r["enumeration_area"].clone()))
        .collect();
    let candidates = read(out_dir, "missing.csv")?;
    let persons: Vec<Option<&String>> = candidates
        .iter()
        .map(|c| {
            let (source, key) = named(c["records"].split(';').next().unwrap_or(""));
            person(&source, &key)
        })
        .collect();
    let correct =
        persons.iter().filter(|p| p.is_some_and(|p| omitted.contains_key(p))).count() as u64;
    let found: BTreeSet<&String> =
        persons.iter().flatten().copied().filter(|p| omitted.contains_key(*p)).collect();
    let (mut in_true_area, mut elsewhere) = (0, 0);
    for (candidate, person) in candidates.iter().zip(&persons) {
        let Some(true_area) = person.and_then(|p| omitted.get(p)) else { continue };
        match candidate["enumeration_area"].as_str() {
            "" => {}
            area if area == true_area => in_true_area += 1,
            _ => elsewhere += 1,
        }
    }
    let located = Located {
        candidates: correct,
        in_true_area,
        elsewhere,
        share: if correct == 0 { 1.0 } else { in_true_area as f64 / correct as f64 },
    };
    let missing =
        Score::new(correct, candidates.len() as u64, found.len() as u64, omitted.len() as u64);

    // Duplicates.
    let duplicated: BTreeSet<String> =
        read(truth_dir, "duplicates.csv")?.into_iter().map(|r| r["person"].clone()).collect();
    let groups = read(out_dir, "duplicates.csv")?;
    let mut found = BTreeSet::new();
    let mut correct = 0;
    for group in &groups {
        let persons: Vec<Option<&String>> = group["records"]
            .split(';')
            .map(|r| {
                let (source, key) = named(r);
                person(&source, &key)
            })
            .collect();
        let first = persons[0];
        if first.is_some_and(|p| duplicated.contains(p)) && persons.iter().all(|p| *p == first) {
            correct += 1;
        }
        let mut counts: HashMap<&String, usize> = HashMap::new();
        for p in persons.iter().flatten() {
            *counts.entry(p).or_default() += 1;
        }
        found.extend(
            counts
                .into_iter()
                .filter(|(p, n)| *n > 1 && duplicated.contains(*p))
                .map(|(p, _)| p.clone()),
        );
    }
    let duplicates =
        Score::new(correct, groups.len() as u64, found.len() as u64, duplicated.len() as u64);

    // Deceased: census records of the dead whose death the death register holds.
    let dead: BTreeSet<String> = read(truth_dir, "dead_enumerated.csv")?
        .into_iter()
        .filter(|r| r["sources"].split(';').any(|s| s == "death"))
        .map(|r| r["census_record"].clone())
        .collect();
    let reported: BTreeSet<String> =
        read(out_dir, "deceased.csv")?.into_iter().map(|r| r["census_id"].clone()).collect();
    let correct = reported.intersection(&dead).count() as u64;
    let deceased = Score::new(correct, reported.len() as u64, correct, dead.len() as u64);

    // Births the birth register holds.
    let unborn: BTreeSet<String> = read(truth_dir, "births_not_enumerated.csv")?
        .into_iter()
        .filter(|r| r["sources"].split(';').any(|s| s == "birth"))
        .map(|r| r["person"].clone())
        .collect();
    let reported: Vec<Option<&String>> =
        read(out_dir, "births.csv")?.iter().map(|b| person(&b["source"], &b["record"])).collect();
    let correct = reported.iter().filter(|p| p.is_some_and(|p| unborn.contains(p))).count() as u64;
    let found: BTreeSet<&String> =
        reported.iter().flatten().copied().filter(|p| unborn.contains(*p)).collect();
    let births =
        Score::new(correct, reported.len() as u64, found.len() as u64, unborn.len() as u64);

    // Conflicts: records.
    let records_of = |rows: Vec<BTreeMap<String, String>>| -> BTreeSet<(String, String)> {
        rows.into_iter().map(|r| (r["source"].clone(), r["record"].clone())).collect()
    };
    let truth_conflicts = records_of(read(truth_dir, "identity_conflicts.csv")?);
    let reported = records_of(read(out_dir, "conflicts.csv")?);
    let correct = reported.intersection(&truth_conflicts).count() as u64;
    let conflicts =
        Score::new(correct, reported.len() as u64, correct, truth_conflicts.len() as u64);

    Ok(Evaluation { links, missing, duplicates, deceased, births, conflicts, located })
}
