//! Reruns: what changed since a previous run's lists, and what field teams resolved. Candidate
//! IDs come from their member records' keys, so an unchanged candidate keeps its ID.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use censuslink_io::{Column, Table, Values};

use crate::evaluate::{TruthError, read_csv};

/// The lists whose candidates are followed up.
pub const CANDIDATE_LISTS: [&str; 5] = ["missing", "duplicates", "deceased", "births", "conflicts"];

/// The candidate IDs of a previous run, by list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Previous {
    ids: BTreeMap<&'static str, BTreeSet<String>>,
}

/// Candidates field teams have resolved: ID → (outcome, note).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    outcomes: BTreeMap<String, (String, String)>,
}

impl Previous {
    /// Reads the candidate lists (`<list>.csv`) a run wrote into `dir`.
    pub fn read(dir: &Path) -> Result<Previous, TruthError> {
        let mut ids = BTreeMap::new();
        for list in CANDIDATE_LISTS {
            let rows = read_csv(&dir.join(format!("{list}.csv")))?;
            ids.insert(
                list,
                rows.iter().filter_map(|r| r.get("candidate_id").map(str::to_owned)).collect(),
            );
        }
        Ok(Previous { ids })
    }
}

impl Resolved {
    /// Reads a field teams' file: a CSV with columns `candidate_id`, `outcome`, `note`.
    pub fn read(path: &Path) -> Result<Resolved, TruthError> {
        let rows = read_csv(path)?;
        let mut outcomes = BTreeMap::new();
        for row in rows {
            let Some(id) = row.get("candidate_id").map(str::to_owned) else {
                return Err(TruthError {
                    path: path.to_owned(),
                    problem: crate::evaluate::CsvProblem::NoColumn("candidate_id"),
                });
            };
            let field = |name: &str| row.get(name).unwrap_or_default().to_owned();
            outcomes.insert(id, (field("outcome"), field("note")));
        }
        Ok(Resolved { outcomes })
    }

    /// Whether the candidate is resolved.
    pub fn contains(&self, id: &str) -> bool {
        self.outcomes.contains_key(id)
    }
}

/// What a rerun made of the lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Candidates listed, by list and status (`new`, `open`).
    pub listed: BTreeMap<String, u64>,
    /// Candidates left out of the lists because field teams resolved them.
    pub resolved: u64,
}

/// Marks each candidate of `tables` `new` or `open` against `previous` (a `status` column
/// after the ID), drops the ones `resolved` holds, and returns the table of candidates gone
/// since `previous` (`list`, `candidate_id`), with the counts.
pub fn apply(
    tables: &mut [(&'static str, Table)],
    previous: Option<&Previous>,
    resolved: &Resolved,
) -> (Table, Changes) {
    let mut changes = Changes::default();
    let mut gone = (Vec::new(), Vec::new());
    for (name, table) in tables.iter_mut() {
        if !CANDIDATE_LISTS.contains(name) {
            continue;
        }
        let ids: Vec<String> = match &table.columns[0].values {
            Values::Text(values) => values.iter().map(|v| v.clone().unwrap_or_default()).collect(),
            _ => Vec::new(),
        };
        let keep: Vec<bool> = ids.iter().map(|id| !resolved.contains(id)).collect();
        changes.resolved += keep.iter().filter(|&&k| !k).count() as u64;
        let before = previous.and_then(|p| p.ids.get(name));
        let status: Vec<Option<String>> = ids
            .iter()
            .zip(&keep)
            .filter(|&(_, &k)| k)
            .map(|(id, _)| {
                let status = match before {
                    Some(before) if before.contains(id) => "open",
                    _ => "new",
                };
                *changes.listed.entry(format!("{name}.{status}")).or_default() += 1;
                Some(status.to_owned())
            })
            .collect();
        for column in &mut table.columns {
            filter(&mut column.values, &keep);
        }
        table.columns.insert(1, Column { header: "status".into(), values: Values::Text(status) });
        if let Some(before) = before {
            let now: BTreeSet<&String> = ids.iter().collect();
            for id in before.iter().filter(|id| !now.contains(id) && !resolved.contains(id)) {
                gone.0.push(Some((*name).to_owned()));
                gone.1.push(Some(id.clone()));
                *changes.listed.entry(format!("{name}.gone")).or_default() += 1;
            }
        }
    }
    let gone = Table {
        columns: vec![
            Column { header: "list".into(), values: Values::Text(gone.0) },
            Column { header: "candidate_id".into(), values: Values::Text(gone.1) },
        ],
    };
    (gone, changes)
}

/// Keeps the values whose `keep` is true.
fn filter(values: &mut Values, keep: &[bool]) {
    fn kept<T: Clone>(values: &[T], keep: &[bool]) -> Vec<T> {
        values.iter().zip(keep).filter(|&(_, &k)| k).map(|(v, _)| v.clone()).collect()
    }
    *values = match values {
        Values::Text(v) => Values::Text(kept(v, keep)),
        Values::Integer(v) => Values::Integer(kept(v, keep)),
        Values::Date(v) => Values::Date(kept(v, keep)),
    };
}

/// A record named in a run's lists: its source's name and its key.
pub type RecordName = (String, String);

/// The pairs of records behind a candidate of a run's lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidatePairs {
    /// The list that holds the candidate.
    pub list: &'static str,
    /// Its pairs of records.
    pub pairs: Vec<(RecordName, RecordName)>,
}

/// The pairs of records behind the candidate `id` of the lists a run wrote into `out_dir`:
/// the list it is on and its pairs (a missing candidate's register records each with the
/// nearest census record, a duplicate's linked census records, a deceased person's census
/// and death records; none for births and conflicts, which no pair makes). `census` is the
/// census source's name, which lists leave out of bare census keys. `None` when no list holds
/// the candidate.
pub fn candidate_pairs(
    out_dir: &Path,
    id: &str,
    census: &str,
) -> Result<Option<CandidatePairs>, TruthError> {
    let named = |text: &str| -> RecordName {
        match text.split_once(':') {
            Some((source, key)) => (source.to_owned(), key.to_owned()),
            None => (census.to_owned(), text.to_owned()),
        }
    };
    for list in CANDIDATE_LISTS {
        let rows = read_csv(&out_dir.join(format!("{list}.csv")))?;
        let Some(row) =
            rows.into_iter().find(|row| row.get("candidate_id").is_some_and(|c| c == id))
        else {
            continue;
        };
        let field = |name: &str| row.get(name).unwrap_or("");
        let pairs = match list {
            "missing" if !field("nearest_census_record").is_empty() => {
                let nearest = named(field("nearest_census_record"));
                field("records").split(';').map(|r| (nearest.clone(), named(r))).collect()
            }
            "duplicates" => field("pair_probabilities")
                .split(';')
                .filter_map(|pair| pair.split_whitespace().next()?.split_once('~'))
                .map(|(a, b)| (named(a), named(b)))
                .collect(),
            "deceased" => vec![(
                named(field("census_id")),
                (field("death_source").to_owned(), field("death_id").to_owned()),
            )],
            _ => Vec::new(),
        };
        return Ok(Some(CandidatePairs { list, pairs }));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use censuslink_io::{Column, Table, Values};

    use crate::rerun::{Previous, Resolved, apply};

    fn list(ids: &[&str]) -> Table {
        Table {
            columns: vec![Column {
                header: "candidate_id".into(),
                values: Values::Text(ids.iter().map(|id| Some((*id).to_owned())).collect()),
            }],
        }
    }

    #[test]
    fn candidates_are_new_open_gone_or_resolved() {
        let previous = Previous {
            ids: [(
                "missing",
                ["a", "b", "c"].map(String::from).into_iter().collect::<BTreeSet<_>>(),
            )]
            .into_iter()
            .collect(),
        };
        let resolved = Resolved {
            outcomes: [("d".to_owned(), ("found".to_owned(), String::new()))].into_iter().collect(),
        };
        let mut tables = vec![("missing", list(&["a", "b", "d", "e"])), ("links", list(&["x"]))];
        let (gone, changes) = apply(&mut tables, Some(&previous), &resolved);
        let text = |t: &Table, c: usize| match &t.columns[c].values {
            Values::Text(v) => v.iter().map(|x| x.clone().unwrap_or_default()).collect::<Vec<_>>(),
            _ => Vec::new(),
        };
        assert_eq!(text(&tables[0].1, 0), ["a", "b", "e"], "d is resolved");
        assert_eq!(text(&tables[0].1, 1), ["open", "open", "new"]);
        assert_eq!(text(&gone, 1), ["c"]);
        assert_eq!(tables[1].1.columns.len(), 1, "links have no status");
        let expected: BTreeMap<String, u64> =
            [("missing.open", 2), ("missing.new", 1), ("missing.gone", 1)]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect();
        assert_eq!(changes.listed, expected);
        assert_eq!(changes.resolved, 1);
    }
}
