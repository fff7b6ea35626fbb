//! Census ↔ hukou linkage on the bundled sample district, by the person defaults, scored
//! against the district's truth: precision of the links, recall of the linkable hukou entries,
//! and the share of true pairs that blocking keeps as candidates.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use censuslink_io::Job;
use censuslink_linkage::{Blocking, RecordIdx, one_to_one, predict, train, weight_of};
use censuslink_model::PersonTable;
use censuslink_reconcile::{linkage_settings, person_records};

/// The person behind each record of `source`, from `sample-data/truth/records.csv`.
fn persons_of(truth: &str, source: &str, table: &PersonTable) -> Vec<String> {
    let by_key: HashMap<&str, &str> = truth
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut fields = line.split(',');
            let (s, record, person) = (fields.next()?, fields.next()?, fields.next()?);
            (s == source).then_some((record, person))
        })
        .collect();
    (0..table.len()).map(|i| by_key[table.record_id.get(i).expect("a key")].to_owned()).collect()
}

#[test]
fn census_links_to_hukou_as_precisely_and_completely_as_the_office_needs() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data");
    let job = Job::load(&sample.join("job.toml")).expect("the sample job");
    let source = |name: &str| {
        let source = job.sources.iter().find(|s| s.name == name).expect("the source");
        censuslink_io::load(source, &job.path).expect("readable").table
    };
    let (census, hukou) = (source("census"), source("hukou"));
    let truth = std::fs::read_to_string(sample.join("truth/records.csv"))
        .expect("the truth")
        .trim_start_matches('\u{FEFF}')
        .to_owned();
    let census_persons = persons_of(&truth, "census", &census);
    let hukou_persons = persons_of(&truth, "hukou", &hukou);

    let settings = linkage_settings(&job).expect("valid settings");
    let records = person_records(&census, Some(&hukou));
    let n_left = census.len() as RecordIdx;
    let person = |record: RecordIdx| {
        if record < n_left {
            &census_persons[record as usize]
        } else {
            &hukou_persons[(record - n_left) as usize]
        }
    };
    let blocking = Blocking::new(&records, &settings.blocking).expect("valid rules");
    let (model, report) =
        train(&records, &settings.comparisons, &blocking, &settings.training).expect("trainable");
    let scorer = model.scorer(&records).expect("the model fits");

    // Blocking: every true pair is a candidate.
    let mut census_of: HashMap<&str, Vec<RecordIdx>> = HashMap::new();
    for record in 0..n_left {
        census_of.entry(person(record)).or_default().push(record);
    }
    let true_pairs: HashSet<(RecordIdx, RecordIdx)> = (n_left..records.len() as RecordIdx)
        .flat_map(|h| census_of.get(person(h).as_str()).into_iter().flatten().map(move |&c| (c, h)))
        .collect();
    let (all, stats) = predict(&scorer, &blocking, settings.training.block_cap, f64::NEG_INFINITY);
    let candidates: HashSet<(RecordIdx, RecordIdx)> = all.iter().map(|p| (p.a, p.b)).collect();
    let kept = true_pairs.iter().filter(|pair| candidates.contains(pair)).count();
    let blocking_recall = kept as f64 / true_pairs.len() as f64;

    // Links: one to one, at the threshold.
    let links = one_to_one(&all, weight_of(settings.threshold));
    let correct = links.iter().filter(|l| person(l.a) == person(l.b)).count();
    let precision = correct as f64 / links.len() as f64;
    let linkable: HashSet<RecordIdx> = true_pairs.iter().map(|&(_, h)| h).collect();
    let recall = correct as f64 / linkable.len() as f64;
    println!(
        "census {} × hukou {}: {} candidate pairs ({:?}); blocking keeps {kept} of {} true pairs \
         ({blocking_recall:.5}); {} links, precision {precision:.5}, recall {recall:.5} of {} \
         linkable hukou entries; prior {:.3e}, {} anchored pairs",
        census.len(),
        hukou.len(),
        all.len(),
        stats.iter().map(|s| (s.rule.as_str(), s.pairs, s.largest_block)).collect::<Vec<_>>(),
        true_pairs.len(),
        links.len(),
        linkable.len(),
        model.prior,
        report.anchor_pairs,
    );
    for params in &model.comparisons {
        let m: Vec<String> = params.m.iter().map(|x| format!("{x:.4}")).collect();
        let u: Vec<String> = params.u.iter().map(|x| format!("{x:.5}")).collect();
        println!("{}: m {m:?} u {u:?}", params.comparison.feature);
    }
    assert!(blocking_recall >= 0.999, "blocking keeps {blocking_recall}");
    assert!(precision >= 0.999, "precision {precision}");
    assert!(recall >= 0.995, "recall {recall}");
}
