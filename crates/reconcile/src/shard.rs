//! A link of the reconciliation on a cluster, share by share: what a task computes of a link
//! ([`LinkSpec`]) from the records it holds, and what the driver makes of the tasks' results.
//! Every share holds whole blocks, so the pairs, counts and weights of the shares add up to
//! those of one machine holding every record (`censuslink_linkage`'s `tests/shares.rs`):
//!
//! ```text
//! each task:   keys of its records ──────────────► (rule set, rule, key, record) rows
//!              term counts of its records ───────► TermCounts, added up on the driver
//! the cluster: block sizes by key ───────────────► BlockSizes (capped keys, pairs per rule)
//!              records shuffled by block key ────► shares of whole blocks
//! each task:   counts of its blocks' pairs ──────► TrainingCounts (+ u's levels of seeded
//!                                                  random pairs), added up; fit on the driver
//!              its blocks' pairs, scored ────────► pairs of at least the link's least weight
//! ```
//!
//! A record is numbered as the link's records number it on one machine: a left record by its
//! position in its source, a right record by the left source's length plus its position.

use censuslink_linkage::{
    BlockSizes, Blocking, BlockingRule, Counter, Model, RecordIdx, Records, RuleBlocks, ScoredPair,
    TermCounts, TrainingCounts, TrainingError, TrainingReport, fit as fit_counts, predict,
};
use censuslink_model::PersonTable;

use crate::features::{feature_columns, person_records};
use crate::pipeline::LinkSpec;

/// A task's share of a link's records: the left source's and the right's (none for a
/// deduplication), each with its records' positions in its source, in position order.
#[derive(Debug, Clone, Default)]
pub struct Share {
    /// The left source's records held.
    pub left: PersonTable,
    /// Their positions in the left source.
    pub left_positions: Vec<u32>,
    /// The right source's records held, and their positions; `None` for a deduplication.
    pub right: Option<(PersonTable, Vec<u32>)>,
}

impl Share {
    /// The records held, as one machine's link would hold them: the left's, then the right's.
    pub fn records(&self) -> Records {
        person_records(&self.left, self.right.as_ref().map(|(table, _)| table))
    }

    /// Each record held, by its number here: its number in the link, whose left source holds
    /// `n_left` records.
    pub fn numbers(&self, n_left: usize) -> Vec<RecordIdx> {
        let right = self.right.iter().flat_map(|(_, positions)| positions);
        let right = right.map(|&position| n_left as RecordIdx + position);
        self.left_positions.iter().copied().chain(right).collect()
    }
}

/// The rule sets of a link: its blocking rules (set 0) and the EM rules of its training
/// (set 1), when the training names its own.
pub fn rule_sets(spec: &LinkSpec) -> Vec<&[BlockingRule]> {
    let settings = &spec.settings;
    let mut sets: Vec<&[BlockingRule]> = vec![&settings.blocking];
    if !settings.training.em_rules.is_empty() {
        sets.push(&settings.training.em_rules);
    }
    sets
}

/// The standardized columns a task needs of a link's records: those of every feature its
/// comparisons, rules and anchor read. The others may be left out of a share (they read as
/// missing, and no feature the link reads is made of them).
pub fn columns(spec: &LinkSpec) -> Vec<String> {
    let features = spec.settings.features();
    let mut columns: Vec<String> = features.into_iter().flat_map(feature_columns).collect();
    columns.sort_unstable();
    columns.dedup();
    columns
}

/// A record's key under a rule: (rule set, rule, key, the record's number in the share).
pub type ShareKey = (u8, u32, u64, RecordIdx);

/// The keys of every record of `share` under every rule of every rule set, by record.
///
/// # Errors
///
/// A rule that does not fit the records.
pub fn keys(spec: &LinkSpec, share: &Share) -> Result<Vec<ShareKey>, TrainingError> {
    let records = share.records();
    let mut keys = Vec::new();
    for (set, rules) in rule_sets(spec).into_iter().enumerate() {
        let blocking = Blocking::new(&records, rules)?;
        for record in 0..records.len() as RecordIdx {
            let of = blocking.record_keys(record);
            keys.extend(of.map(|(rule, key)| (set as u8, rule as u32, key, record)));
        }
    }
    keys.sort_unstable_by_key(|&(set, rule, key, record)| (record, set, rule, key));
    Ok(keys)
}

/// The values `share` holds of each term-frequency comparison of the link, counted.
pub fn term_counts(spec: &LinkSpec, share: &Share) -> TermCounts {
    TermCounts::of(&share.records(), &spec.settings.comparisons)
}

/// A whole block a share holds: its rule set, rule, key, and its members' numbers in the
/// share, ascending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareBlock {
    /// The rule set (0 blocking, 1 the training's EM rules).
    pub set: u8,
    /// The rule.
    pub rule: usize,
    /// The key.
    pub key: u64,
    /// Its members.
    pub members: Vec<RecordIdx>,
}

/// The blockings of `records` by `blocks`, one per rule set, each set's sizes from `sizes`.
fn blockings(
    spec: &LinkSpec,
    records: &Records,
    blocks: Vec<ShareBlock>,
    sizes: &[BlockSizes],
) -> Result<Vec<Blocking>, TrainingError> {
    let sets = rule_sets(spec);
    let mut by_set: Vec<Vec<RuleBlocks>> =
        sets.iter().map(|rules| vec![Vec::new(); rules.len()]).collect();
    for block in blocks {
        if let Some(rule) =
            by_set.get_mut(usize::from(block.set)).and_then(|r| r.get_mut(block.rule))
        {
            rule.push((block.key, block.members));
        }
    }
    (sets.into_iter().zip(by_set).zip(sizes))
        .map(|((rules, blocks), sizes)| {
            Ok(Blocking::of_blocks(records, rules, blocks, sizes.clone())?)
        })
        .collect()
}

/// What a share's blocks give training: their pairs' counts (no u), and each blocking rule's
/// pairs. `n_left` is the link's left source's length; `sizes` each rule set's block sizes
/// over every record.
///
/// # Errors
///
/// A comparison or rule that does not fit the records.
pub fn counts(
    spec: &LinkSpec,
    share: &Share,
    n_left: usize,
    blocks: Vec<ShareBlock>,
    sizes: &[BlockSizes],
) -> Result<(TrainingCounts, Vec<u64>), TrainingError> {
    let records = share.records();
    let blockings = blockings(spec, &records, blocks, sizes)?;
    let training = &spec.settings.training;
    let counter = Counter::new(&records, &spec.settings.comparisons, training)?;
    let numbers = share.numbers(n_left);
    let counts = counter.pairs(&blockings[0], blockings.get(1), training, Some(&numbers));
    let cap = training.block_cap;
    let (_, stats) = blockings[0].for_each_chunk(cap, |pairs| pairs.len());
    Ok((counts, stats.iter().map(|rule| rule.pairs).collect()))
}

/// The mode of the link's records.
fn mode(spec: &LinkSpec, n_left: usize) -> censuslink_linkage::Mode {
    match spec.right {
        Some(_) => censuslink_linkage::Mode::Link { n_left },
        None => censuslink_linkage::Mode::Dedupe,
    }
}

/// The chunks of the seeded random pairs u is estimated from.
pub fn random_chunks(spec: &LinkSpec) -> usize {
    censuslink_linkage::random_chunks(&spec.settings.training)
}

/// The seeded random pairs of chunk `chunk` (of [`random_chunks`]), numbered in the link.
pub fn random_chunk(
    spec: &LinkSpec,
    n_left: usize,
    len: usize,
    chunk: usize,
) -> Vec<(RecordIdx, RecordIdx)> {
    censuslink_linkage::random_chunk(&spec.settings.training, mode(spec, n_left), len, chunk)
}

/// Per comparison, the levels of `pairs` (numbers in `share`) counted.
///
/// # Errors
///
/// A comparison that does not fit the records.
pub fn levels(
    spec: &LinkSpec,
    share: &Share,
    pairs: &[(RecordIdx, RecordIdx)],
) -> Result<Vec<Vec<u64>>, TrainingError> {
    let records = share.records();
    let counter = Counter::new(&records, &spec.settings.comparisons, &spec.settings.training)?;
    Ok(counter.levels(pairs))
}

/// The model of the link fitted to `counts` (every share's, added up, u's included), of a left
/// source of `n_left` records and `len` in all; `anchor_model` as [`crate::Scoring`] takes it.
///
/// # Errors
///
/// Too few records, or an anchor without a comparison.
pub fn fit(
    spec: &LinkSpec,
    counts: &TrainingCounts,
    n_left: usize,
    len: usize,
    anchor_model: Option<&Model>,
) -> Result<(Model, TrainingReport), TrainingError> {
    let settings = &spec.settings;
    let mode = mode(spec, n_left);
    let em_rules = rule_sets(spec).last().copied().unwrap_or_default();
    let training = &settings.training;
    fit_counts(&settings.comparisons, em_rules, counts, mode, len, training, anchor_model)
}

/// The pairs of a share's blocks scored by `model`, the values' frequencies from `terms`
/// (every record's): those of at least the link's least weight, numbered in the link, in
/// (a, b) order.
///
/// # Errors
///
/// A comparison or rule that does not fit the records.
pub fn pairs(
    spec: &LinkSpec,
    share: &Share,
    n_left: usize,
    blocks: Vec<ShareBlock>,
    sizes: &[BlockSizes],
    model: &Model,
    terms: &TermCounts,
) -> Result<Vec<ScoredPair>, TrainingError> {
    let records = share.records();
    let blockings = blockings(spec, &records, blocks, sizes)?;
    let scorer = model.scorer_with(&records, terms)?;
    let cap = spec.settings.training.block_cap;
    let (pairs, _) = predict(&scorer, &blockings[0], cap, spec.min_weight);
    let numbers = share.numbers(n_left);
    let number = |r: RecordIdx| numbers[r as usize];
    Ok(pairs.iter().map(|p| ScoredPair { a: number(p.a), b: number(p.b), ..*p }).collect())
}

#[cfg(test)]
mod tests {
    use crate::pipeline::{LinkSpec, dedupe_spec};
    use crate::settings::person_defaults;
    use crate::shard::{columns, rule_sets};

    #[test]
    fn a_link_reads_the_columns_of_the_features_it_compares_and_blocks_on() {
        let spec = LinkSpec {
            left: 0,
            right: Some(1),
            settings: person_defaults(),
            min_weight: 0.0,
            residents: false,
        };
        // Names with their other names, the ID number with what its feature and the birth
        // date's read of each other, sex, ethnicity and both regions; no address, household,
        // mother or event date.
        let expected = [
            "birth_date",
            "ethnicity",
            "hukou_region",
            "id_birth_date",
            "id_number",
            "id_status",
            "name",
            "name_pinyin",
            "name_surname",
            "other_names",
            "other_names_pinyin",
            "other_names_surname",
            "residence_region",
            "sex",
        ];
        assert_eq!(columns(&spec), expected);
        // Blocking rules, then the training's own EM rules; the deduplication keeps both.
        let sets: Vec<usize> = rule_sets(&spec).iter().map(|rules| rules.len()).collect();
        assert_eq!(sets, [8, 2]);
        let dedupe = dedupe_spec(0, &person_defaults());
        assert!(!dedupe.settings.training.em, "an anchor: the census's own pairs, no EM");
        assert_eq!(rule_sets(&dedupe).len(), 2);
    }
}
