//! Generic linkage on externally authored benchmark data with ground truth (FEBRL datasets 1-3,
//! Splink's fake_1000), unsupervised: u from random pairs, m from EM anchored on pairs agreeing
//! exactly on names and birth date, the prior from those pairs. The truth is read only to score
//! the result. Pairwise precision, recall and F1 after clustering at match probability 0.9 must
//! reach at least Splink 5's unsupervised results on the same data.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use censuslink_io::Job;
use censuslink_linkage::{
    Blocking, BlockingRule, Comparison, Kind, TrainingSettings, clusters, predict, train,
    weight_of,
};
use censuslink_model::PersonTable;
use censuslink_reconcile::person_records;

fn data(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/benchdata").join(relative)
}

fn load(job: &str) -> PersonTable {
    let job = Job::load(&data(job)).expect("a valid job");
    censuslink_io::load(&job.sources[0], &job.path).expect("a readable source").table
}

fn comparison(feature: &str, kind: Kind, term_frequency: bool) -> Comparison {
    Comparison { feature: feature.to_owned(), kind, term_frequency, swapped_with: None }
}

fn swappable(feature: &str, other: &str, kind: Kind) -> Comparison {
    Comparison { swapped_with: Some(other.to_owned()), ..comparison(feature, kind, true) }
}

fn jaro_winkler(thresholds: &[f64]) -> Kind {
    Kind::JaroWinkler { thresholds: thresholds.to_vec() }
}

fn rule(keys: &[&str]) -> BlockingRule {
    BlockingRule { name: keys.join("+"), keys: keys.iter().map(|k| (*k).to_owned()).collect() }
}

/// Pairwise precision, recall and F1 of `found` clusters against `truth` entities.
fn pairwise(found: &[u32], truth: &[u64]) -> (f64, f64, f64) {
    let mut together: HashMap<(u32, u64), u64> = HashMap::new();
    let mut by_found: HashMap<u32, u64> = HashMap::new();
    let mut by_truth: HashMap<u64, u64> = HashMap::new();
    for (&f, &t) in found.iter().zip(truth) {
        *together.entry((f, t)).or_default() += 1;
        *by_found.entry(f).or_default() += 1;
        *by_truth.entry(t).or_default() += 1;
    }
    let pairs = |n: &u64| n * n.saturating_sub(1) / 2;
    let true_positive: u64 = together.values().map(pairs).sum();
    let predicted: u64 = by_found.values().map(pairs).sum();
    let actual: u64 = by_truth.values().map(pairs).sum();
    let precision = true_positive as f64 / predicted.max(1) as f64;
    let recall = true_positive as f64 / actual.max(1) as f64;
    (precision, recall, 2.0 * precision * recall / (precision + recall))
}

/// Deduplicates `table` and scores the clusters against `truth`.
fn dedupe(
    name: &str,
    table: &PersonTable,
    truth: &[u64],
    comparisons: &[Comparison],
    rules: &[BlockingRule],
    anchor: &[&str],
    em_rules: &[BlockingRule],
) -> (f64, f64, f64) {
    let records = person_records(table, None);
    let blocking = Blocking::new(&records, rules).expect("valid rules");
    let settings = TrainingSettings {
        anchor: anchor.iter().map(|a| (*a).to_owned()).collect(),
        em_rules: em_rules.to_vec(),
        ..TrainingSettings::default()
    };
    let (model, report) = train(&records, comparisons, &blocking, &settings).expect("trainable");
    let scorer = model.scorer(&records).expect("the model fits");
    let threshold = weight_of(0.9);
    let (pairs, _) = predict(&scorer, &blocking, settings.block_cap, threshold);
    let found = clusters(records.len(), &pairs, threshold);
    let (precision, recall, f1) = pairwise(&found, truth);
    println!(
        "{name}: precision {precision:.4}, recall {recall:.4}, F1 {f1:.4} \
         ({} anchored pairs, prior {:.3e}, EM iterations {:?})",
        report.anchor_pairs,
        model.prior,
        report.em.iter().map(|pass| pass.iterations).collect::<Vec<_>>()
    );
    (precision, recall, f1)
}

fn febrl(job: &str) -> (f64, f64, f64) {
    let table = load(job);
    let mut entities: BTreeMap<String, u64> = BTreeMap::new();
    let truth: Vec<u64> = (0..table.len())
        .map(|i| {
            let key = table.record_id.get(i).expect("a key");
            let entity = key.rsplit_once("-org").map_or_else(
                || key.split("-dup-").next().expect("rec-N-dup-k").to_owned(),
                |(entity, _)| entity.to_owned(),
            );
            let next = entities.len() as u64;
            *entities.entry(entity).or_insert(next)
        })
        .collect();
    let comparisons = [
        swappable("given_name", "surname", jaro_winkler(&[0.92, 0.8])),
        swappable("surname", "given_name", jaro_winkler(&[0.92, 0.8])),
        comparison("birth_date", Kind::Date, false),
        // Number and street as one comparison: agreeing on both is one piece of evidence
        // (the same dwelling), not two.
        comparison("street_address", jaro_winkler(&[0.95, 0.85]), true),
        comparison("suburb", jaro_winkler(&[0.9, 0.7]), true),
        comparison("postcode", Kind::Levenshtein { distances: vec![1, 2] }, false),
        comparison("state", Kind::Exact, false),
    ];
    let rules = [
        rule(&["given_name"]),
        rule(&["surname"]),
        rule(&["birth_date"]),
        rule(&["postcode"]),
        rule(&["address_1"]),
        rule(&["street_number", "suburb"]),
    ];
    let em_rules = [
        rule(&["given_name", "surname"]),
        rule(&["birth_date"]),
        rule(&["postcode", "street_number"]),
    ];
    let anchor = ["given_name", "surname", "birth_date"];
    dedupe(job, &table, &truth, &comparisons, &rules, &anchor, &em_rules)
}

#[test]
fn febrl_1_reaches_splink() {
    let (_, _, f1) = febrl("febrl1.toml");
    assert!(f1 >= 0.999, "F1 {f1}");
}

#[test]
fn febrl_2_reaches_splink() {
    let (_, _, f1) = febrl("febrl2.toml");
    assert!(f1 >= 0.999, "F1 {f1}");
}

#[test]
fn febrl_3_reaches_splink() {
    let (_, _, f1) = febrl("febrl3.toml");
    assert!(f1 >= 0.998, "F1 {f1}");
}

#[test]
fn fake_1000_reaches_splink() {
    let table = load("fake_1000.toml");
    // The truth is the file's `cluster` column, which the job does not map.
    let mut reader = csv::Reader::from_path(data("splink_datasets/fake_1000.csv")).expect("the file");
    let cluster_of: HashMap<String, u64> = reader
        .records()
        .map(|r| {
            let r = r.expect("a record");
            (r[0].to_owned(), r[6].parse().expect("a cluster"))
        })
        .collect();
    let truth: Vec<u64> =
        (0..table.len()).map(|i| cluster_of[table.record_id.get(i).expect("a key")]).collect();
    let comparisons = [
        swappable("first_name", "surname", jaro_winkler(&[0.92, 0.8])),
        swappable("surname", "first_name", jaro_winkler(&[0.92, 0.8])),
        comparison("birth_date", Kind::Date, false),
        comparison("city", jaro_winkler(&[0.9]), true),
        comparison("email", Kind::Levenshtein { distances: vec![1, 3] }, false),
    ];
    let rules = [
        rule(&["first_name"]),
        rule(&["surname"]),
        rule(&["birth_date"]),
        rule(&["email"]),
    ];
    let (_, _, f1) = dedupe(
        "fake_1000",
        &table,
        &truth,
        &comparisons,
        &rules,
        &["first_name", "surname", "birth_date"],
        &[rule(&["first_name", "surname"]), rule(&["birth_date"]), rule(&["email"])],
    );
    assert!(f1 >= 0.93, "F1 {f1}");
}
