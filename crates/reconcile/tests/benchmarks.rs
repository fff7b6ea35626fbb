//! Generic linkage on externally authored benchmark data with ground truth (FEBRL datasets 1-3,
//! Splink's fake_1000), unsupervised: u from random pairs, m from EM anchored on pairs agreeing
//! exactly on names and birth date, the prior from those pairs. The truth is read only to score
//! the result. Pairwise precision, recall and F1 after clustering at match probability 0.9 must
//! reach at least Splink 5's unsupervised results on the same data.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use censuslink_io::Job;
use censuslink_linkage::{Blocking, clusters, predict, train, weight_of};
use censuslink_model::PersonTable;
use censuslink_reconcile::{linkage_settings, person_records};

fn data(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/benchdata").join(relative)
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

/// Deduplicates the source of `job` by its `[linkage]` settings and scores the clusters
/// against `truth`.
fn dedupe(job: &str, truth: impl Fn(&PersonTable) -> Vec<u64>) -> (f64, f64, f64) {
    let job = Job::load(&data(job)).expect("a valid job");
    let table = censuslink_io::load(&job.sources[0], &job.path).expect("a readable source").table;
    let settings = linkage_settings(&job).expect("valid linkage settings");
    let records = person_records(&table, None);
    let blocking = Blocking::new(&records, &settings.blocking).expect("valid rules");
    let (model, report) =
        train(&records, &settings.comparisons, &blocking, &settings.training).expect("trainable");
    let scorer = model.scorer(&records).expect("the model fits");
    let threshold = weight_of(settings.threshold);
    let (pairs, _) = predict(&scorer, &blocking, settings.training.block_cap, threshold);
    let found = clusters(records.len(), &pairs, threshold);
    let (precision, recall, f1) = pairwise(&found, &truth(&table));
    println!(
        "{}: precision {precision:.4}, recall {recall:.4}, F1 {f1:.4} ({} anchored pairs, \
         prior {:.3e}, EM iterations {:?})",
        job.path.file_name().map(|f| f.to_string_lossy()).unwrap_or_default(),
        report.anchor_pairs,
        model.prior,
        report.em.iter().map(|pass| pass.iterations).collect::<Vec<_>>()
    );
    (precision, recall, f1)
}

/// FEBRL's truth: the `rec-N` prefix of the record key.
fn febrl_entities(table: &PersonTable) -> Vec<u64> {
    let mut entities: BTreeMap<String, u64> = BTreeMap::new();
    (0..table.len())
        .map(|i| {
            let key = table.record_id.get(i).expect("a key");
            let entity = key.split("-dup-").next().expect("a key").trim_end_matches("-org");
            let next = entities.len() as u64;
            *entities.entry(entity.to_owned()).or_insert(next)
        })
        .collect()
}

#[test]
fn febrl_1_reaches_splink() {
    let (_, _, f1) = dedupe("febrl1.toml", febrl_entities);
    assert!(f1 >= 0.999, "F1 {f1}");
}

#[test]
fn febrl_2_reaches_splink() {
    let (_, _, f1) = dedupe("febrl2.toml", febrl_entities);
    assert!(f1 >= 0.999, "F1 {f1}");
}

#[test]
fn febrl_3_reaches_splink() {
    let (_, _, f1) = dedupe("febrl3.toml", febrl_entities);
    assert!(f1 >= 0.998, "F1 {f1}");
}

#[test]
fn fake_1000_reaches_splink() {
    // The truth is the file's `cluster` column, which the job does not map.
    let mut reader =
        csv::Reader::from_path(data("splink_datasets/fake_1000.csv")).expect("the file");
    let cluster_of: HashMap<String, u64> = reader
        .records()
        .map(|r| {
            let r = r.expect("a record");
            (r[0].to_owned(), r[6].parse().expect("a cluster"))
        })
        .collect();
    let truth = |table: &PersonTable| {
        (0..table.len()).map(|i| cluster_of[table.record_id.get(i).expect("a key")]).collect()
    };
    let (_, _, f1) = dedupe("fake_1000.toml", truth);
    assert!(f1 >= 0.93, "F1 {f1}");
}
