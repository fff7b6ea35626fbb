//! Evaluation against a generated district's truth (`censuslink synth` writes it): precision
//! and recall of the links and of each candidate list.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde::Serialize;

use crate::pipeline::{Input, Outcome, RecordRef};

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
    /// Deceased candidates (census records) against the dead the census listed.
    pub deceased: Score,
    /// Birth candidates against the births not enumerated that the birth register holds.
    pub births: Score,
    /// Identity conflicts (records) against the truth's.
    pub conflicts: Score,
}

/// Why the truth cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("truth file {path}: {problem}")]
pub struct TruthError {
    /// The file.
    pub path: std::path::PathBuf,
    /// What is wrong.
    pub problem: String,
}

/// A truth CSV as rows of named fields.
fn read(dir: &Path, file: &str) -> Result<Vec<BTreeMap<String, String>>, TruthError> {
    let path = dir.join(file);
    let error = |problem: String| TruthError { path: path.clone(), problem };
    let text = std::fs::read_to_string(&path).map_err(|e| error(e.to_string()))?;
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

/// Scores `outcome` (of `inputs`) against the truth in `truth_dir`.
pub fn evaluate(
    outcome: &Outcome,
    inputs: &[Input<'_>],
    truth_dir: &Path,
) -> Result<Evaluation, TruthError> {
    let records = read(truth_dir, "records.csv")?;
    let person_of_key: HashMap<(String, String), String> = records
        .iter()
        .map(|r| ((r["source"].clone(), r["record"].clone()), r["person"].clone()))
        .collect();
    let person = |r: RecordRef| -> Option<&String> {
        let input = inputs[r.source];
        let key = input.table.record_id.get(r.row as usize)?;
        person_of_key.get(&(input.name.to_owned(), key.to_owned()))
    };
    let census = inputs.iter().position(|i| i.role == censuslink_model::Role::Census);

    // Links.
    let census_links: Vec<_> =
        outcome.links.iter().filter(|l| Some(l.left.source) == census).collect();
    let correct = census_links
        .iter()
        .filter(|l| person(l.left).is_some() && person(l.left) == person(l.right))
        .count();
    let census_persons: BTreeSet<&String> = census
        .map(|c| {
            (0..inputs[c].table.len() as u32)
                .filter_map(|row| person(RecordRef { source: c, row }))
                .collect()
        })
        .unwrap_or_default();
    let mut linkable = 0;
    for (source, input) in inputs.iter().enumerate() {
        if Some(source) == census {
            continue;
        }
        for row in 0..input.table.len() as u32 {
            if person(RecordRef { source, row }).is_some_and(|p| census_persons.contains(p)) {
                linkable += 1;
            }
        }
    }
    let links = Score::new(correct as u64, census_links.len() as u64, correct as u64, linkable);

    // Missing.
    let omitted: BTreeSet<String> = read(truth_dir, "omitted.csv")?
        .into_iter()
        .filter(|r| !r["sources"].is_empty())
        .map(|r| r["person"].clone())
        .collect();
    let candidate_persons: Vec<Option<&String>> =
        outcome.missing.iter().map(|m| m.records.first().and_then(|&r| person(r))).collect();
    let correct =
        candidate_persons.iter().filter(|p| p.is_some_and(|p| omitted.contains(p))).count();
    let found: BTreeSet<&String> =
        candidate_persons.iter().flatten().copied().filter(|p| omitted.contains(*p)).collect();
    let missing = Score::new(
        correct as u64,
        outcome.missing.len() as u64,
        found.len() as u64,
        omitted.len() as u64,
    );

    // Duplicates.
    let duplicated: BTreeSet<String> =
        read(truth_dir, "duplicates.csv")?.into_iter().map(|r| r["person"].clone()).collect();
    let mut found = BTreeSet::new();
    let mut correct = 0;
    for group in &outcome.duplicates {
        let persons: Vec<Option<&String>> = group.records.iter().map(|&r| person(r)).collect();
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
    let duplicates = Score::new(
        correct,
        outcome.duplicates.len() as u64,
        found.len() as u64,
        duplicated.len() as u64,
    );

    // Deceased.
    let dead: BTreeSet<String> = read(truth_dir, "dead_enumerated.csv")?
        .into_iter()
        .map(|r| r["census_record"].clone())
        .collect();
    let reported: BTreeSet<String> = outcome
        .deceased
        .iter()
        .filter_map(|d| {
            inputs[d.census.source].table.record_id.get(d.census.row as usize).map(str::to_owned)
        })
        .collect();
    let correct = reported.intersection(&dead).count() as u64;
    let deceased = Score::new(correct, reported.len() as u64, correct, dead.len() as u64);

    // Births.
    let unborn: BTreeSet<String> = read(truth_dir, "births_not_enumerated.csv")?
        .into_iter()
        .filter(|r| r["sources"].split(';').any(|s| s == "birth"))
        .map(|r| r["person"].clone())
        .collect();
    let reported: Vec<Option<&String>> = outcome.births.iter().map(|b| person(b.record)).collect();
    let correct = reported.iter().filter(|p| p.is_some_and(|p| unborn.contains(p))).count() as u64;
    let found: BTreeSet<&String> =
        reported.iter().flatten().copied().filter(|p| unborn.contains(*p)).collect();
    let births =
        Score::new(correct, reported.len() as u64, found.len() as u64, unborn.len() as u64);

    // Conflicts.
    let truth_conflicts: BTreeSet<(String, String)> = read(truth_dir, "identity_conflicts.csv")?
        .into_iter()
        .map(|r| (r["source"].clone(), r["record"].clone()))
        .collect();
    let reported: BTreeSet<(String, String)> = outcome
        .conflicts
        .iter()
        .filter_map(|c| {
            let input = inputs[c.record.source];
            input
                .table
                .record_id
                .get(c.record.row as usize)
                .map(|k| (input.name.to_owned(), k.to_owned()))
        })
        .collect();
    let correct = reported.intersection(&truth_conflicts).count() as u64;
    let conflicts =
        Score::new(correct, reported.len() as u64, correct, truth_conflicts.len() as u64);

    Ok(Evaluation { links, missing, duplicates, deceased, births, conflicts })
}
