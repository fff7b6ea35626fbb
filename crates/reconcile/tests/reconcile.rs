//! The whole reconciliation on the bundled sample district, scored against its truth.

use std::path::Path;

use censuslink_io::Job;
use censuslink_reconcile::{Input, evaluate, linkage_settings, reconcile};

#[test]
fn the_sample_reconciles_to_its_truth() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data");
    let job = Job::load(&sample.join("job.toml")).expect("the sample job");
    let loaded: Vec<_> = job
        .sources
        .iter()
        .map(|s| censuslink_io::load(s, &job.path).expect("readable").table)
        .collect();
    let inputs: Vec<Input<'_>> = job
        .sources
        .iter()
        .zip(&loaded)
        .map(|(s, table)| Input { name: &s.name, role: s.role, table })
        .collect();
    let settings = linkage_settings(&job).expect("settings");
    let outcome = reconcile(&inputs, &settings, job.reference_date);
    let evaluation = evaluate(&outcome, &inputs, &sample.join("truth")).expect("the truth");
    println!("{evaluation:#?}");
    let e = &evaluation;
    assert!(e.links.precision >= 0.999 && e.links.recall >= 0.995, "links {:?}", e.links);
    assert!(e.missing.recall >= 0.98 && e.missing.precision >= 0.90, "missing {:?}", e.missing);
    assert!(
        e.duplicates.recall >= 0.98 && e.duplicates.precision >= 0.95,
        "duplicates {:?}",
        e.duplicates
    );
    assert!(e.deceased.recall >= 0.99 && e.deceased.precision >= 0.99, "deceased {:?}", e.deceased);
    assert!(e.births.recall >= 0.95, "births {:?}", e.births);
}
