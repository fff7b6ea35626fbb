//! The outcome as tables an office reads and tools trace back: every candidate names its
//! member records by source and record key (`census:32011500100100100101`), never by a name or
//! an ID number.

use censuslink_io::{Column, Table, Values};
use censuslink_linkage::Explanation;
use rayon::prelude::*;

use censuslink_reconcile::residence::evidence_text;
use censuslink_reconcile::{Duplicate, Input, Link, Missing, Outcome, RecordRef};

/// A text column; an empty value is missing.
fn text(header: &str, values: Vec<String>) -> Column {
    Column {
        header: header.to_owned(),
        values: Values::Text(values.into_iter().map(|v| (!v.is_empty()).then_some(v)).collect()),
    }
}

/// A column of numbers written with six decimals.
fn number(header: &str, values: Vec<f64>) -> Column {
    Column {
        header: header.to_owned(),
        values: Values::Text(values.into_par_iter().map(|v| Some(format!("{v:.6}"))).collect()),
    }
}

/// The links as a table: each side's source and record key, the match weight and probability.
pub(crate) fn links_table(links: &[Link], inputs: &[Input<'_>]) -> Table {
    let source = |r: RecordRef| inputs[r.source].name.to_owned();
    let key = |r: RecordRef| r.key(inputs).to_owned();
    Table {
        columns: vec![
            // The longest list by far: its columns are made in parallel.
            text("left_source", links.par_iter().map(|l| source(l.left)).collect()),
            text("left_id", links.par_iter().map(|l| key(l.left)).collect()),
            text("right_source", links.par_iter().map(|l| source(l.right)).collect()),
            text("right_id", links.par_iter().map(|l| key(l.right)).collect()),
            number("match_weight", links.par_iter().map(|l| l.weight).collect()),
            number(
                "match_probability",
                links.par_iter().map(|l| censuslink_linkage::probability(l.weight)).collect(),
            ),
        ],
    }
}

/// Every record in its cluster: the cluster's stable ID (from its records' names) and size,
/// and the record's source and key; clusters in the order given.
pub(crate) fn clusters_table(clusters: &[Vec<RecordRef>], inputs: &[Input<'_>]) -> Table {
    let mut rows: Vec<(String, i64, RecordRef)> = Vec::new();
    for cluster in clusters {
        let names: Vec<String> = cluster.iter().map(|&r| r.name(inputs)).collect();
        let id = censuslink_linkage::stable_id(names.iter().map(String::as_str));
        rows.extend(cluster.iter().map(|&r| (id.clone(), cluster.len() as i64, r)));
    }
    Table {
        columns: vec![
            text("cluster_id", rows.iter().map(|(id, ..)| id.clone()).collect()),
            Column {
                header: "cluster_size".to_owned(),
                values: Values::Integer(rows.iter().map(|&(_, n, _)| Some(n)).collect()),
            },
            text("source", rows.iter().map(|&(.., r)| inputs[r.source].name.to_owned()).collect()),
            text("id", rows.iter().map(|&(.., r)| r.key(inputs).to_owned()).collect()),
        ],
    }
}

/// The lists of an outcome, each as a named table: `links`, `missing`, `duplicates`,
/// `deceased`, `births`, `conflicts`, `coverage` (whose assumptions are
/// [`censuslink_reconcile::ASSUMPTIONS`]).
pub fn tables(outcome: &Outcome, inputs: &[Input<'_>]) -> Vec<(&'static str, Table)> {
    let mut tables = vec![
        ("links", links_table(&outcome.links, inputs)),
        ("missing", missing_table(&outcome.missing, inputs)),
        ("duplicates", duplicates_table(&outcome.duplicates, inputs)),
    ];
    tables.extend(other_tables(outcome, inputs));
    tables
}

/// Where to look for record `r`: the census area, else the finest place a register gives
/// (empty when none does).
pub(crate) fn place<'a>(inputs: &'a [Input<'a>], r: RecordRef) -> &'a str {
    let table = inputs[r.source].table;
    let row = r.row as usize;
    [&table.enumeration_area, &table.residence_region, &table.hukou_region]
        .iter()
        .find_map(|column| column.get(row))
        .unwrap_or_default()
}

/// How the lists name and place records.
struct Names<'a>(&'a [Input<'a>]);

impl Names<'_> {
    fn source(&self, r: RecordRef) -> String {
        self.0[r.source].name.to_owned()
    }

    fn key(&self, r: RecordRef) -> String {
        r.key(self.0).to_owned()
    }

    fn joined(&self, records: &[RecordRef]) -> String {
        records.iter().map(|&r| r.name(self.0)).collect::<Vec<_>>().join(";")
    }

    fn place(&self, r: RecordRef) -> String {
        place(self.0, r).to_owned()
    }

    fn address(&self, r: RecordRef) -> String {
        let table = self.0[r.source].table;
        let row = r.row as usize;
        table
            .residence_address
            .get(row)
            .or(table.hukou_address.get(row))
            .unwrap_or_default()
            .to_owned()
    }
}

/// A column of integers.
fn integer(header: &str, values: Vec<i64>) -> Column {
    Column {
        header: header.to_owned(),
        values: Values::Integer(values.into_iter().map(Some).collect()),
    }
}

/// The missing list.
fn missing_table(missing: &[Missing], inputs: &[Input<'_>]) -> Table {
    let n = Names(inputs);
    Table {
        columns: vec![
            text("candidate_id", missing.iter().map(|m| m.id.clone()).collect()),
            integer("tier", missing.iter().map(|m| i64::from(m.tier)).collect()),
            number("probability", missing.iter().map(|m| m.probability).collect()),
            text("evidence", missing.iter().map(|m| evidence_text(&m.evidence, None)).collect()),
            number("probability_uncorrected", missing.iter().map(|m| m.uncorrected).collect()),
            text(
                "sources",
                missing
                    .iter()
                    .map(|m| {
                        let mut names: Vec<String> =
                            m.records.iter().map(|&r| n.source(r)).collect();
                        names.dedup();
                        names.join(";")
                    })
                    .collect(),
            ),
            text("records", missing.iter().map(|m| n.joined(&m.records)).collect()),
            text(
                "place",
                missing
                    .iter()
                    .map(|m| m.records.iter().map(|&r| n.place(r)).max().unwrap_or_default())
                    .collect(),
            ),
            text(
                "enumeration_area",
                missing.iter().map(|m| m.area.clone().unwrap_or_default()).collect(),
            ),
            text(
                "address",
                missing
                    .iter()
                    .map(|m| {
                        m.records
                            .iter()
                            .map(|&r| n.address(r))
                            .find(|a| !a.is_empty())
                            .unwrap_or_default()
                    })
                    .collect(),
            ),
            text(
                "nearest_census_record",
                missing
                    .iter()
                    .map(|m| m.nearest.as_ref().map(|(c, _, _)| n.key(*c)).unwrap_or_default())
                    .collect(),
            ),
            text(
                "nearest_match_probability",
                missing
                    .iter()
                    .map(|m| {
                        m.nearest.as_ref().map(|(_, p, _)| format!("{p:.6}")).unwrap_or_default()
                    })
                    .collect(),
            ),
            text(
                "nearest_explanation",
                missing
                    .iter()
                    .map(|m| {
                        m.nearest.as_ref().map(|(_, _, e)| explanation_text(e)).unwrap_or_default()
                    })
                    .collect(),
            ),
        ],
    }
}

/// The duplicates list.
fn duplicates_table(duplicates: &[Duplicate], inputs: &[Input<'_>]) -> Table {
    let n = Names(inputs);
    Table {
        columns: vec![
            text("candidate_id", duplicates.iter().map(|d| d.id.clone()).collect()),
            text("records", duplicates.iter().map(|d| n.joined(&d.records)).collect()),
            text(
                "enumeration_areas",
                duplicates
                    .iter()
                    .map(|d| {
                        let mut areas: Vec<String> =
                            d.records.iter().map(|&r| n.place(r)).collect();
                        areas.sort();
                        areas.dedup();
                        areas.join(";")
                    })
                    .collect(),
            ),
            number("min_match_probability", duplicates.iter().map(|d| d.probability).collect()),
            text(
                "pair_probabilities",
                duplicates
                    .iter()
                    .map(|d| {
                        let pairs = d.pairs.iter();
                        let pairs =
                            pairs.map(|&(a, b, p)| format!("{}~{} {p:.6}", n.key(a), n.key(b)));
                        pairs.collect::<Vec<_>>().join(";")
                    })
                    .collect(),
            ),
            text(
                "weakest_explanation",
                duplicates
                    .iter()
                    .map(|d| d.explanation.as_ref().map(explanation_text).unwrap_or_default())
                    .collect(),
            ),
        ],
    }
}

/// The deceased, births, conflicts and coverage lists.
fn other_tables(outcome: &Outcome, inputs: &[Input<'_>]) -> [(&'static str, Table); 4] {
    let n = Names(inputs);
    let deceased = &outcome.deceased;
    let deceased_table = Table {
        columns: vec![
            text("candidate_id", deceased.iter().map(|d| d.id.clone()).collect()),
            text("census_id", deceased.iter().map(|d| n.key(d.census)).collect()),
            text("death_source", deceased.iter().map(|d| n.source(d.death)).collect()),
            text("death_id", deceased.iter().map(|d| n.key(d.death)).collect()),
            text(
                "death_date",
                deceased
                    .iter()
                    .map(|d| {
                        let table = inputs[d.death.source].table;
                        table.event_date[d.death.row as usize]
                            .map(|e| e.to_string())
                            .unwrap_or_default()
                    })
                    .collect(),
            ),
            number("match_probability", deceased.iter().map(|d| d.probability).collect()),
        ],
    };

    let births = &outcome.births;
    let births_table = Table {
        columns: vec![
            text("candidate_id", births.iter().map(|b| b.id.clone()).collect()),
            text("source", births.iter().map(|b| n.source(b.record)).collect()),
            text("record", births.iter().map(|b| n.key(b.record)).collect()),
            text("address", births.iter().map(|b| n.address(b.record)).collect()),
            text("mother", births.iter().map(|b| b.mother.as_str().to_owned()).collect()),
        ],
    };

    let conflicts = &outcome.conflicts;
    let conflicts_table = Table {
        columns: vec![
            text("candidate_id", conflicts.iter().map(|c| c.id.clone()).collect()),
            text("source", conflicts.iter().map(|c| n.source(c.record)).collect()),
            text("record", conflicts.iter().map(|c| n.key(c.record)).collect()),
            text("kind", conflicts.iter().map(|c| c.kind.to_owned()).collect()),
        ],
    };

    let coverage = &outcome.coverage;
    let estimate = |f: fn(&censuslink_reconcile::Estimate) -> f64| {
        coverage
            .iter()
            .map(|c| c.estimate.as_ref().map_or(String::new(), |e| format!("{:.1}", f(e))))
            .collect()
    };
    let coverage_table = Table {
        columns: vec![
            text("level", coverage.iter().map(|c| c.level.to_owned()).collect()),
            text("code", coverage.iter().map(|c| c.code.clone()).collect()),
            integer("census", coverage.iter().map(|c| c.census as i64).collect()),
            integer("admin", coverage.iter().map(|c| c.admin as i64).collect()),
            text(
                "admin_residents",
                coverage.iter().map(|c| format!("{:.1}", c.admin_residents)).collect(),
            ),
            integer("matched", coverage.iter().map(|c| c.matched as i64).collect()),
            text("estimate", estimate(|e| e.population)),
            text("estimate_low_95", estimate(|e| e.low)),
            text("estimate_high_95", estimate(|e| e.high)),
        ],
    };

    [
        ("deceased", deceased_table),
        ("births", births_table),
        ("conflicts", conflicts_table),
        ("coverage", coverage_table),
    ]
}

/// A pair's match weight field by field, as one line: `prior -14.3; name exact +14.1; ...`
/// (each field's weight with its term-frequency adjustment).
pub fn explanation_text(explanation: &Explanation) -> String {
    let mut text = format!("prior {:+.1}", explanation.prior_weight);
    for field in &explanation.comparisons {
        let weight = field.weight + field.tf_adjustment;
        text.push_str(&format!("; {} {} {weight:+.1}", field.feature, field.label));
    }
    text
}
