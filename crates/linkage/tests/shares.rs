//! A link trained and scored on shares of its records (a cluster's tasks, each holding whole
//! blocks) gives the model, the pairs and the weights of one machine holding every record.

use std::collections::BTreeMap;

use censuslink_linkage::{
    BlockSizes, Blocking, BlockingRule, Comparison, Counter, Kind, Mode, RecordIdx, Records,
    RuleBlocks, ScoredPair, TermCounts, TrainingCounts, TrainingSettings, fit, predict,
    random_pairs, train,
};

const N_LEFT: usize = 300;
const N: usize = 600;
const CAP: u64 = 400;

/// The records `indices` (ascending) of a link of 300 left and 300 right records: names common
/// and rare (term frequencies vary), birth days and places; right record i is left record i
/// for the first 200, with a typo in the name of one in ten; a fifth of the places are missing.
fn records(indices: &[usize]) -> Records {
    // Common names (i % 7 of them < 3: 30 values) and rare ones.
    let name_of = |i: usize| match i % 7 {
        0..3 => format!("n{}", i % 30),
        _ => format!("r{}", i * 37 % 250),
    };
    let name = |i: usize| match i.checked_sub(N_LEFT) {
        None => name_of(i),
        Some(j) if j < 200 && j % 10 == 3 => format!("typo{j}"),
        Some(j) if j < 200 => name_of(j),
        Some(j) => name_of(j * 11),
    };
    let birth = |i: usize| format!("d{}", (i % N_LEFT) * 13 % 40);
    let place = |i: usize| (!i.is_multiple_of(5)).then(|| format!("p{}", (i % N_LEFT) % 3));
    let names: Vec<String> = indices.iter().map(|&i| name(i)).collect();
    let births: Vec<String> = indices.iter().map(|&i| birth(i)).collect();
    let places: Vec<Option<String>> = indices.iter().map(|&i| place(i)).collect();
    let n_left = indices.iter().filter(|&&i| i < N_LEFT).count();
    Records::new(Mode::Link { n_left }, indices.len())
        .text("name", names.iter().map(|v| Some(v.as_str())))
        .text("birth", births.iter().map(|v| Some(v.as_str())))
        .text("place", places.iter().map(Option::as_deref))
}

fn comparisons() -> Vec<Comparison> {
    let exact = |feature: &str, term_frequency| Comparison {
        feature: feature.into(),
        kind: Kind::Exact,
        term_frequency,
        swapped_with: None,
    };
    vec![exact("name", true), exact("birth", false), exact("place", false)]
}

fn rules() -> Vec<BlockingRule> {
    let rule = |name: &str, keys: &[&str]| BlockingRule {
        name: name.into(),
        keys: keys.iter().map(|k| (*k).to_owned()).collect(),
    };
    // Places make blocks of about 100 × 100 pairs: over the cap, left to the later rules.
    vec![rule("place", &["place"]), rule("name", &["name"]), rule("birth", &["birth"])]
}

fn settings() -> TrainingSettings {
    // EM on a sample of each rule's pairs, drawn by the pairs' numbers.
    TrainingSettings {
        anchor: vec!["name".into(), "birth".into()],
        u_pairs: 5_000,
        em_pairs: 300,
        block_cap: CAP,
        ..TrainingSettings::default()
    }
}

/// A share: its blocks (by rule: key, members), their records renumbered, and the number of
/// each in the whole.
struct Share {
    blocks: Vec<RuleBlocks>,
    index: Vec<RecordIdx>,
    records: Records,
}

/// Splits the blocks of `whole` into `n` shares by key, each block whole.
fn shares(whole: &Blocking, n: u64) -> Vec<Share> {
    let mut blocks: BTreeMap<(usize, u64), Vec<RecordIdx>> = BTreeMap::new();
    for record in 0..N as RecordIdx {
        for (rule, key) in whole.record_keys(record) {
            blocks.entry((rule, key)).or_default().push(record);
        }
    }
    (0..n)
        .map(|share| {
            let mine: Vec<(&(usize, u64), &Vec<RecordIdx>)> =
                blocks.iter().filter(|((_, key), _)| key % n == share).collect();
            let mut index: Vec<RecordIdx> =
                mine.iter().flat_map(|(_, members)| members.iter().copied()).collect();
            index.sort_unstable();
            index.dedup();
            let local = |r: &RecordIdx| index.binary_search(r).expect("held") as RecordIdx;
            let mut by_rule = vec![Vec::new(); rules().len()];
            for ((rule, key), members) in mine {
                by_rule[*rule].push((*key, members.iter().map(local).collect()));
            }
            let indices: Vec<usize> = index.iter().map(|&r| r as usize).collect();
            Share { blocks: by_rule, records: records(&indices), index }
        })
        .collect()
}

#[test]
fn shares_of_a_link_train_and_score_as_the_whole_does() {
    let all: Vec<usize> = (0..N).collect();
    let whole = records(&all);
    let (comparisons, rules, settings) = (comparisons(), rules(), settings());
    let blocking = Blocking::new(&whole, &rules).expect("valid rules");
    let sizes: BlockSizes = blocking.sizes(CAP);
    assert!(!sizes.capped[0].is_empty(), "the place rule has blocks over the cap");

    // Counts of the whole, and the model fitted to them: what `train` makes.
    let counter = Counter::new(&whole, &comparisons, &settings).expect("comparisons fit");
    let mut counts = counter.pairs(&blocking, None, &settings, None);
    counts.u = counter.levels(&random_pairs(&settings, whole.mode(), N));
    let mode = whole.mode();
    let (model, report) =
        fit(&comparisons, &rules, &counts, mode, N, &settings, None).expect("trainable");
    let trained = train(&whole, &comparisons, &blocking, &settings).expect("trainable");
    assert_eq!((&model, &report), (&trained.0, &trained.1));
    assert!(report.em.iter().any(|pass| pass.pairs < 300 * 300 / 40), "a sampled rule");

    // Three shares: their counts add up to the whole's, to the last pair.
    let shares = shares(&blocking, 3);
    let mut summed = TrainingCounts { u: counts.u.clone(), ..TrainingCounts::default() };
    let mut blockings = Vec::new();
    for share in &shares {
        let blocking =
            Blocking::of_blocks(&share.records, &rules, share.blocks.clone(), sizes.clone())
                .expect("valid rules");
        let counter = Counter::new(&share.records, &comparisons, &settings).expect("fit");
        summed.add(counter.pairs(&blocking, None, &settings, Some(&share.index)));
        blockings.push(blocking);
    }
    assert_eq!(summed, counts);
    let json = serde_json::to_string(&summed).expect("counts serialize");
    let back: TrainingCounts = serde_json::from_str(&json).expect("and read back");
    assert_eq!(back, counts);

    // Scored in shares with the values counted over every record: the same pairs, weighing
    // the same to the last bit.
    let min_weight = f64::MIN;
    let scorer = model.scorer(&whole).expect("the model fits");
    let (expected, stats) = predict(&scorer, &blocking, CAP, min_weight);
    let terms = TermCounts::of(&whole, &comparisons);
    let mut got: Vec<ScoredPair> = Vec::new();
    let mut pairs_by_rule = vec![0; rules.len()];
    for (share, blocking) in shares.iter().zip(&blockings) {
        let scorer = model.scorer_with(&share.records, &terms).expect("the model fits");
        let (pairs, stats) = predict(&scorer, blocking, CAP, min_weight);
        let global = |r: RecordIdx| share.index[r as usize];
        got.extend(pairs.iter().map(|p| ScoredPair { a: global(p.a), b: global(p.b), ..*p }));
        for (total, rule) in pairs_by_rule.iter_mut().zip(stats) {
            *total += rule.pairs;
        }
    }
    got.sort_by_key(|pair| (pair.a, pair.b));
    let links = expected.iter().filter(|pair| pair.weight > 0.0).count();
    assert!(expected.len() > 2000 && links > 150, "{links} links of {} pairs", expected.len());
    assert_eq!(got, expected);
    assert_eq!(pairs_by_rule, stats.iter().map(|rule| rule.pairs).collect::<Vec<_>>());
    // A share's own term frequencies would weigh differently.
    let (share, blocking) = (&shares[0], &blockings[0]);
    let weights = |scorer| {
        predict(&scorer, blocking, CAP, min_weight).0.iter().map(|p| p.weight).collect::<Vec<_>>()
    };
    let own = weights(model.scorer(&share.records).expect("the model fits"));
    let counted = weights(model.scorer_with(&share.records, &terms).expect("the model fits"));
    assert_ne!(own, counted);
}
