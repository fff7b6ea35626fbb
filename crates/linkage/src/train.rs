//! Training without labels: u from seeded random pairs; m first from anchored pairs (pairs
//! that agree exactly on the anchor comparisons, e.g. a valid ID with its embedded birth date
//! and sex: near-certain matches), then refined by EM on each blocking rule's pairs, with the
//! comparisons of the rule's own features held out of that rule's estimates; the prior from the
//! anchored pairs and the anchor's expected recall.
//!
//! Every estimate of m and u is a share of counts with pseudo-pairs added (a stated prior), so
//! that a level never seen weighs what the sample can show and no more:
//! - u adds half a pair to each level (Jeffreys' prior): a level no random pair shows has u of
//!   half a pair among them, not 0;
//! - m adds to each level as many pairs as it would hold among the n pairs if matches agreed
//!   there like non-matches (n·u), at most half a pair: a level never seen among a thousand
//!   matches weighs log2(0.5 / (1000 u)) when it is common among non-matches, and 0 when so
//!   few pairs could not have shown it anyway (n·u under a half).
//!
//! With a million random pairs no weight passes ±21, inside the scorer's bound. And exact
//! agreement stays evidence for a match: where the data would put m of the exact level below
//! its u (a field filled on one side only for non-matches), m is held at u, and the report
//! says which level and why.

use std::collections::{BTreeMap, HashSet};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::blocking::{Blocking, BlockingError, BlockingRule, RuleStats};
use crate::compare::{Comparison, ComparisonError, Compiled, Kind, Level, LevelName};
use crate::model::{ComparisonParameters, MAX_WEIGHT, Model, Rows, Scorer, level_weights};
use crate::records::{Mode, RecordIdx, Records};
use crate::resolve::ScoredPair;

/// How to train.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainingSettings {
    /// Features whose comparisons must all agree exactly for a pair to be anchored.
    pub anchor: Vec<String>,
    /// The rules whose pairs EM trains on, one run each; empty: the prediction's blocking rules.
    /// Rules that pair mostly true matches (two fields, or a strong one) train best: on a
    /// loose rule (one common field) EM finds whatever groups that rule's pairs, such as
    /// families, rather than persons.
    pub em_rules: Vec<BlockingRule>,
    /// The share of true matches the anchor finds (for the prior).
    pub anchor_recall: f64,
    /// Random pairs drawn to estimate u.
    pub u_pairs: usize,
    /// Pairs of each blocking rule that EM trains on, at most (a seeded sample beyond).
    pub em_pairs: usize,
    /// EM iterations per rule, at most.
    pub max_iterations: usize,
    /// EM stops when no m changes by more than this.
    pub tolerance: f64,
    /// Blocks of more pairs than this are skipped (as in prediction).
    pub block_cap: u64,
    /// The seed of every sample.
    pub seed: u64,
    /// Whether EM refines m after the anchor; without it, m is the anchored pairs' alone.
    pub em: bool,
}

impl Default for TrainingSettings {
    fn default() -> TrainingSettings {
        TrainingSettings {
            anchor: Vec::new(),
            em_rules: Vec::new(),
            anchor_recall: 0.9,
            u_pairs: 1_000_000,
            em_pairs: 1_000_000,
            max_iterations: 100,
            tolerance: 1e-6,
            block_cap: 1_000_000,
            seed: 42,
            em: true,
        }
    }
}

/// What training did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainingReport {
    /// Random pairs drawn for u.
    pub u_pairs: u64,
    /// Candidate pairs that met the anchor.
    pub anchor_pairs: u64,
    /// How the prior was set.
    pub prior_basis: String,
    /// One EM run per blocking rule.
    pub em: Vec<EmPass>,
    /// The share of the anchored pairs that the trained model calls matches (probability 0.5
    /// or more, before term frequencies): a model that disowns its own anchor is not to be
    /// trusted. `None` without anchored pairs.
    pub anchor_agreement: Option<f64>,
    /// The levels worth an analyst's look, comparisons in order.
    pub levels: Vec<LevelNote>,
}

/// A level of a trained comparison worth a look.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelNote {
    /// The feature compared.
    pub feature: String,
    /// The level's label.
    pub level: LevelName,
    /// Its weight, log2(m/u), as scored (within the bound).
    pub weight: f64,
    /// Why it is noted.
    #[serde(flatten)]
    pub why: LevelWhy,
}

/// Why a level is noted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "why")]
pub enum LevelWhy {
    /// log2(m/u) reached the weight bound and was cut there.
    AtBound,
    /// The data would have put m of exact agreement below its u, so that agreeing would count
    /// against a match (as when one side fills the field only for people the other side does
    /// not hold); m was held at u, and agreement weighs 0.
    AgreementHeld,
    /// EM moved the weight more than [`MOVED_BITS`] from the anchored pairs' estimate, which
    /// rested on at least [`MIN_ANCHORED`] anchored pairs at that level.
    MovedFromAnchor {
        /// The weight the anchored pairs gave.
        anchor_weight: f64,
    },
}

/// How far (in bits of weight) EM may move a level from its anchored estimate before the
/// report notes it: a factor of 16 in m.
pub const MOVED_BITS: f64 = 4.0;

/// Anchored pairs at a level for its anchored estimate to be held against EM's.
pub const MIN_ANCHORED: u64 = 30;

/// One EM run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmPass {
    /// The blocking rule whose pairs it trained on.
    pub rule: String,
    /// Pairs trained on.
    pub pairs: u64,
    /// The features whose m it estimated (those not in the rule's keys).
    pub estimated: Vec<String>,
    /// Iterations run.
    pub iterations: usize,
    /// Whether it converged within the tolerance.
    pub converged: bool,
    /// The share of matches among the rule's pairs it settled on.
    pub match_share: f64,
    /// The log-likelihood, with the prior's part (Σ pseudo-pairs · ln m), at each iteration:
    /// never falls.
    pub log_likelihood: Vec<f64>,
}

/// Why training failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrainingError {
    /// A comparison does not fit the records.
    #[error(transparent)]
    Comparison(#[from] ComparisonError),
    /// An anchor feature has no comparison.
    #[error("anchor `{0}`: no comparison compares this feature")]
    AnchorWithoutComparison(String),
    /// Nothing to train on.
    #[error("training needs at least two records on each side")]
    TooFewRecords,
    /// An EM rule does not fit the records.
    #[error("EM rules: {0}")]
    Rule(#[from] BlockingError),
    /// A blocking rule does not fit the records.
    #[error(transparent)]
    Blocking(BlockingError),
}

/// Trains a model for `comparisons` on `records`: `blocking` gives the candidate pairs (for the
/// anchor and the prior) and, unless `settings.em_rules` are given, EM's training sets.
pub fn train(
    records: &Records,
    comparisons: &[Comparison],
    blocking: &Blocking,
    settings: &TrainingSettings,
) -> Result<(Model, TrainingReport), TrainingError> {
    train_scorer(records, comparisons, blocking, settings).map(|(model, report, _)| (model, report))
}

/// [`train`], and the scorer of the trained model on `records`, made from the records' rows
/// training packed (as `model.scorer(records)` would make them again).
pub fn train_scorer<'a>(
    records: &'a Records,
    comparisons: &[Comparison],
    blocking: &Blocking,
    settings: &TrainingSettings,
) -> Result<(Model, TrainingReport, Scorer<'a>), TrainingError> {
    train_scorer_with(records, comparisons, blocking, settings, None)
}

/// [`train_scorer`], with the m of the anchor's own comparisons taken from `anchor_model`
/// where it has the same comparison, instead of the default: anchored pairs agree on those by
/// definition and cannot estimate them. For a task that trains on its own anchored pairs
/// without EM (the census's deduplication takes the m of the ID number from the census ↔
/// hukou link, where the ID is filled alike on both sides, and every other m from the
/// census's own pairs that share a valid ID).
pub fn train_scorer_with<'a>(
    records: &'a Records,
    comparisons: &[Comparison],
    blocking: &Blocking,
    settings: &TrainingSettings,
    anchor_model: Option<&Model>,
) -> Result<(Model, TrainingReport, Scorer<'a>), TrainingError> {
    let (model, report, scorer, _) =
        trained(records, comparisons, blocking, settings, anchor_model, false)?;
    Ok((model, report, scorer))
}

/// [`train_scorer_with`], and every candidate pair of `blocking` with its levels, as training
/// compared them: [`Candidates::predict`] then scores them without comparing them again.
pub fn train_candidates<'a>(
    records: &'a Records,
    comparisons: &[Comparison],
    blocking: &Blocking,
    settings: &TrainingSettings,
    anchor_model: Option<&Model>,
) -> Result<(Model, TrainingReport, Scorer<'a>, Candidates), TrainingError> {
    trained(records, comparisons, blocking, settings, anchor_model, true)
}

/// What [`train_candidates`] gives, the candidates kept when `keep` (else none).
fn trained<'a>(
    records: &'a Records,
    comparisons: &[Comparison],
    blocking: &Blocking,
    settings: &TrainingSettings,
    anchor_model: Option<&Model>,
    keep: bool,
) -> Result<(Model, TrainingReport, Scorer<'a>, Candidates), TrainingError> {
    check_sizes(records.mode(), records.len())?;
    let counter = Counter::new(records, comparisons, settings)?;
    let em_rules = match settings.em_rules.is_empty() {
        true => blocking.rules(),
        false => &settings.em_rules,
    };
    // EM's rules are blocked on apart only when they are not among the blocking rules.
    let own_rules;
    let em = match EmPairs::among(blocking, em_rules) {
        Some(em) => em,
        None => {
            own_rules = Blocking::new(records, em_rules)?;
            EmPairs::Apart(&own_rules)
        }
    };
    let (mut counts, candidates) = counter.count(blocking, &em, settings, None, keep);
    // In record order, a pair's left row is read from memory in turn rather than at random:
    // the counts are the same in any order.
    let mut random = random_pairs(settings, records.mode(), records.len());
    random.par_sort_unstable();
    counts.u = counter.levels(&random);
    let (model, report) =
        fit(comparisons, em_rules, &counts, records.mode(), records.len(), settings, anchor_model)?;
    let Counter { compiled, rows, .. } = counter;
    let scorer = model.scorer_on(records, compiled, rows, None);
    Ok((model, report, scorer, candidates))
}

/// Refuses to train with fewer than two records on a side.
fn check_sizes(mode: Mode, len: usize) -> Result<(), TrainingError> {
    let (n_left, n_right) = match mode {
        Mode::Link { n_left } => (n_left, len - n_left),
        Mode::Dedupe => (len, len),
    };
    match n_left < 2 || n_right < 2 {
        true => Err(TrainingError::TooFewRecords),
        false => Ok(()),
    }
}

/// Level patterns, counted.
pub type Patterns = BTreeMap<Vec<Level>, u64>;

/// What training counts: the levels of seeded random pairs, and the level patterns of the
/// candidate pairs and of each EM rule's pairs. Counts add up over shares of the pairs (the
/// tasks of a cluster, [`TrainingCounts::add`]), so that the model fitted to their sum
/// ([`fit`]) is the model one machine holding every record trains.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainingCounts {
    /// Per comparison, the random pairs at each level (for u).
    pub u: Vec<Vec<u64>>,
    /// The level patterns of the candidate pairs the anchor anchors.
    #[serde(with = "pattern_list")]
    pub anchored: Patterns,
    /// The level patterns of every candidate pair.
    #[serde(with = "pattern_list")]
    pub candidates: Patterns,
    /// Per EM rule, its pairs' level patterns (a seeded sample of `em_pairs` when it has more);
    /// empty for a rule EM does not run on.
    #[serde(with = "pattern_lists")]
    pub rules: Vec<Patterns>,
}

impl TrainingCounts {
    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: TrainingCounts) {
        if self.u.is_empty() {
            self.u = other.u;
        } else {
            for (total, counts) in self.u.iter_mut().zip(other.u) {
                total.iter_mut().zip(counts).for_each(|(t, c)| *t += c);
            }
        }
        merge_patterns(&mut self.anchored, other.anchored);
        merge_patterns(&mut self.candidates, other.candidates);
        if self.rules.len() < other.rules.len() {
            self.rules.resize(other.rules.len(), Patterns::new());
        }
        for (total, patterns) in self.rules.iter_mut().zip(other.rules) {
            merge_patterns(total, patterns);
        }
    }
}

/// Patterns as a list of (levels, count), for formats whose map keys are text.
mod pattern_list {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{Level, Patterns};

    pub(super) fn serialize<S: Serializer>(patterns: &Patterns, s: S) -> Result<S::Ok, S::Error> {
        patterns.iter().collect::<Vec<_>>().serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Patterns, D::Error> {
        Ok(Vec::<(Vec<Level>, u64)>::deserialize(d)?.into_iter().collect())
    }
}

/// [`pattern_list`], of each rule.
mod pattern_lists {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{Level, Patterns};

    type Lists = Vec<Vec<(Vec<Level>, u64)>>;

    pub(super) fn serialize<S: Serializer>(rules: &[Patterns], s: S) -> Result<S::Ok, S::Error> {
        let lists: Vec<Vec<_>> = rules.iter().map(|p| p.iter().collect()).collect();
        lists.serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Patterns>, D::Error> {
        Ok(Lists::deserialize(d)?.into_iter().map(|list| list.into_iter().collect()).collect())
    }
}

/// The seeded random pairs u is estimated from, of `len` records in `mode`: the same pairs on
/// every machine, in a fixed order: [`random_chunk`]'s of every chunk in turn.
pub fn random_pairs(
    settings: &TrainingSettings,
    mode: Mode,
    len: usize,
) -> Vec<(RecordIdx, RecordIdx)> {
    let chunks: Vec<Vec<(RecordIdx, RecordIdx)>> = (0..random_chunks(settings))
        .into_par_iter()
        .map(|chunk| random_chunk(settings, mode, len, chunk))
        .collect();
    chunks.concat()
}

/// Random pairs are drawn in chunks of this many, each chunk from a generator of its own.
pub const RANDOM_CHUNK: usize = 1 << 14;

/// The chunks of [`random_pairs`].
pub fn random_chunks(settings: &TrainingSettings) -> usize {
    settings.u_pairs.div_ceil(RANDOM_CHUNK)
}

/// The random pairs of chunk `chunk` (of [`random_chunks`]): [`RANDOM_CHUNK`] pairs, fewer in
/// the last; drawn on any machine alike.
pub fn random_chunk(
    settings: &TrainingSettings,
    mode: Mode,
    len: usize,
    chunk: usize,
) -> Vec<(RecordIdx, RecordIdx)> {
    let n = len as u64;
    let mut rng = SplitMix::new(settings.seed ^ 0x5555, chunk as u64);
    let in_chunk = RANDOM_CHUNK.min(settings.u_pairs.saturating_sub(chunk * RANDOM_CHUNK));
    (0..in_chunk)
        .map(|_| {
            let (a, b) = match mode {
                Mode::Link { n_left } => {
                    let n_left = n_left as u64;
                    (rng.below(n_left), n_left + rng.below(n - n_left))
                }
                Mode::Dedupe => {
                    let a = rng.below(n);
                    (a, (a + 1 + rng.below(n - 1)) % n)
                }
            };
            (a as RecordIdx, b as RecordIdx)
        })
        .collect()
}

/// What counting reads of the records: the comparisons compiled on them, their rows, and the
/// anchor's comparisons.
pub struct Counter<'r> {
    records: &'r Records,
    compiled: Vec<Compiled>,
    rows: Rows,
    anchor: Vec<usize>,
    n_levels: Vec<usize>,
}

impl<'r> Counter<'r> {
    /// Compiles `comparisons` on `records`.
    ///
    /// # Errors
    ///
    /// A comparison that does not fit the records, or an anchor without a comparison.
    pub fn new(
        records: &'r Records,
        comparisons: &[Comparison],
        settings: &TrainingSettings,
    ) -> Result<Counter<'r>, TrainingError> {
        let compiled: Vec<Compiled> =
            comparisons.iter().map(|c| c.compile(records)).collect::<Result<_, _>>()?;
        let rows = Rows::new(records, &compiled);
        let anchor = anchor_comparisons(comparisons, settings)?;
        let n_levels = comparisons.iter().map(Comparison::n_levels).collect();
        Ok(Counter { records, compiled, rows, anchor, n_levels })
    }

    /// Whether a pair of these levels is anchored: exact on every comparison of the anchor.
    fn is_anchored(&self, levels: &[Level]) -> bool {
        is_anchored(&self.anchor, levels)
    }

    /// Per comparison, the levels of `pairs` counted (u's counts, of [`random_pairs`]).
    pub fn levels(&self, pairs: &[(RecordIdx, RecordIdx)]) -> Vec<Vec<u64>> {
        let zero = || self.n_levels.iter().map(|&l| vec![0u64; l]).collect::<Vec<_>>();
        pairs
            .par_chunks(1 << 14)
            .map(|chunk| {
                let mut counts = zero();
                let mut levels = vec![0; self.compiled.len()];
                self.rows.for_each_pair(chunk, |_, x, y| {
                    self.rows.levels(self.records, &self.compiled, (x, y), &mut levels);
                    for (k, &level) in levels.iter().enumerate() {
                        counts[k][level as usize] += 1;
                    }
                });
                counts
            })
            .reduce(zero, |mut total, counts| {
                for (t, c) in total.iter_mut().zip(counts) {
                    t.iter_mut().zip(c).for_each(|(x, y)| *x += y);
                }
                total
            })
    }

    /// The counts of `blocking`'s candidate pairs, and of the EM rules' pairs (the rules of
    /// `em_blocking`, else `blocking`'s; none without EM): every count but u's. `index` numbers
    /// the records as the whole link does, when only a share of them is here (a rule's sample
    /// is drawn by the pair's numbers there); `None` when every record is here.
    pub fn pairs(
        &self,
        blocking: &Blocking,
        em_blocking: Option<&Blocking>,
        settings: &TrainingSettings,
        index: Option<&[RecordIdx]>,
    ) -> TrainingCounts {
        let em_blocking = em_blocking.unwrap_or(blocking);
        let em =
            EmPairs::among(blocking, em_blocking.rules()).unwrap_or(EmPairs::Apart(em_blocking));
        self.count(blocking, &em, settings, index, false).0
    }

    /// [`Counter::pairs`] with EM's pairs where `em` says, and the candidates kept when
    /// `keep`. Every candidate pair is compared once: the EM rules' pairs among them are
    /// counted in the same pass (a pair is a rule's when it shares a key of a block of the
    /// rule within the cap: the rule's pairs are all candidates).
    fn count(
        &self,
        blocking: &Blocking,
        em: &EmPairs<'_>,
        settings: &TrainingSettings,
        index: Option<&[RecordIdx]>,
        keep: bool,
    ) -> (TrainingCounts, Candidates) {
        let cap = settings.block_cap;
        let number = |r: RecordIdx| index.map_or(r, |index| index[r as usize]);
        let among: &[usize] = match (settings.em, em) {
            (true, EmPairs::Among(rules)) => rules,
            _ => &[],
        };
        let samples: Vec<(usize, HashSet<u64>, Option<u64>)> = among
            .iter()
            .map(|&rule| {
                let threshold = sample_threshold(settings, blocking.rule_pair_count(rule, cap));
                (rule, blocking.capped_keys(rule, cap), threshold)
            })
            .collect();
        let n = self.compiled.len();
        let (chunks, stats) = blocking.for_each_chunk(cap, |pairs| {
            let mut part = Counted {
                anchored: Patterns::new(),
                candidates: Patterns::new(),
                rules: vec![Patterns::new(); samples.len()],
                levels: Vec::with_capacity(if keep { pairs.len() * n } else { 0 }),
            };
            let mut levels = vec![0; n];
            self.rows.for_each_pair(pairs, |(a, b), x, y| {
                self.rows.levels(self.records, &self.compiled, (x, y), &mut levels);
                if self.is_anchored(&levels) {
                    count_pattern(&mut part.anchored, &levels);
                }
                count_pattern(&mut part.candidates, &levels);
                for ((rule, capped, threshold), patterns) in samples.iter().zip(&mut part.rules) {
                    let sampled =
                        threshold.is_none_or(|t| mix(settings.seed, number(a), number(b)) <= t);
                    if sampled && blocking.shares_key_within(*rule, a, b, capped) {
                        count_pattern(patterns, &levels);
                    }
                }
                if keep {
                    part.levels.extend_from_slice(&levels);
                }
            });
            let kept = if keep { pairs.to_vec() } else { Vec::new() };
            (part, kept)
        });
        let mut counts =
            TrainingCounts { rules: vec![Patterns::new(); among.len()], ..Default::default() };
        let mut candidates = Candidates { n_comparisons: n, rules: stats, ..Default::default() };
        for (part, pairs) in chunks {
            merge_patterns(&mut counts.anchored, part.anchored);
            merge_patterns(&mut counts.candidates, part.candidates);
            for (total, patterns) in counts.rules.iter_mut().zip(part.rules) {
                merge_patterns(total, patterns);
            }
            candidates.pairs.extend(pairs);
            candidates.levels.extend(part.levels);
        }
        counts.rules = match (settings.em, em) {
            (false, _) => Vec::new(),
            (true, EmPairs::Among(_)) => counts.rules,
            (true, EmPairs::Apart(em_blocking)) => (0..em_blocking.rules().len())
                .map(|rule| self.rule_patterns(em_blocking, rule, settings, index))
                .collect(),
        };
        (counts, candidates)
    }

    /// The level patterns of rule `rule`'s pairs (all of them, earlier rules' too) and how
    /// often each occurs; a seeded sample of about `settings.em_pairs` pairs when the rule has
    /// more (drawn by the pairs' numbers in `index`, else here).
    fn rule_patterns(
        &self,
        blocking: &Blocking,
        rule: usize,
        settings: &TrainingSettings,
        index: Option<&[RecordIdx]>,
    ) -> Patterns {
        let threshold =
            sample_threshold(settings, blocking.rule_pair_count(rule, settings.block_cap));
        let number = |r: RecordIdx| index.map_or(r, |index| index[r as usize]);
        let (chunks, _) = blocking.rule_chunks(rule, settings.block_cap, &|pairs: &[(
            RecordIdx,
            RecordIdx,
        )]| {
            let mut patterns = Patterns::new();
            let mut levels = vec![0; self.compiled.len()];
            for &(a, b) in pairs {
                if threshold.is_some_and(|t| mix(settings.seed, number(a), number(b)) > t) {
                    continue;
                }
                let rows = (self.rows.row(a), self.rows.row(b));
                self.rows.levels(self.records, &self.compiled, rows, &mut levels);
                count_pattern(&mut patterns, &levels);
            }
            patterns
        });
        let mut patterns = Patterns::new();
        for chunk in chunks {
            merge_patterns(&mut patterns, chunk);
        }
        patterns
    }
}

/// Where the pairs of EM's rules are counted.
enum EmPairs<'b> {
    /// Among the candidate pairs: EM's rules are these blocking rules.
    Among(Vec<usize>),
    /// In a blocking of their own.
    Apart(&'b Blocking),
}

impl EmPairs<'_> {
    /// EM's `rules` among `blocking`'s (a rule of the same keys), if every one is there.
    fn among(blocking: &Blocking, rules: &[BlockingRule]) -> Option<EmPairs<'static>> {
        let index = |rule: &BlockingRule| blocking.rules().iter().position(|r| r.keys == rule.keys);
        rules.iter().map(index).collect::<Option<Vec<usize>>>().map(EmPairs::Among)
    }
}

/// What one chunk of candidate pairs counts.
struct Counted {
    anchored: Patterns,
    candidates: Patterns,
    rules: Vec<Patterns>,
    /// The kept pairs' levels, one per comparison, pair after pair.
    levels: Vec<Level>,
}

/// The mix value at most which a pair of a rule of `n_pairs` pairs is in EM's sample of about
/// `settings.em_pairs` pairs; `None` when every pair is.
fn sample_threshold(settings: &TrainingSettings, n_pairs: u64) -> Option<u64> {
    let keep = (settings.em_pairs as f64 / n_pairs.max(1) as f64).min(1.0);
    (keep < 1.0).then_some((keep * u64::MAX as f64) as u64)
}

/// The candidate pairs of a link, with their levels as training compared them, and each
/// blocking rule's figures.
#[derive(Debug, Clone, Default)]
pub struct Candidates {
    n_comparisons: usize,
    pairs: Vec<(RecordIdx, RecordIdx)>,
    /// `levels[i * n_comparisons..][..n_comparisons]`: pair `i`'s.
    levels: Vec<Level>,
    rules: Vec<RuleStats>,
}

impl Candidates {
    /// The pairs of weight at least `min_weight` under `scorer` (of the records and
    /// comparisons these were counted on), in (a, b) order, and each rule's figures: what
    /// [`crate::predict`] gives, without comparing the pairs again.
    pub fn predict(
        self,
        scorer: &Scorer<'_>,
        min_weight: f64,
    ) -> (Vec<ScoredPair>, Vec<RuleStats>) {
        let n = self.n_comparisons;
        let mut pairs: Vec<ScoredPair> = (self.pairs.par_iter().enumerate())
            .filter_map(|(i, &(a, b))| {
                let weight = scorer.weight_of_levels(a, &self.levels[i * n..(i + 1) * n]);
                (weight >= min_weight).then_some(ScoredPair { a, b, weight })
            })
            .collect();
        pairs.par_sort_unstable_by_key(|pair| (pair.a, pair.b));
        (pairs, self.rules)
    }
}

/// The comparisons of the anchor's features, by position.
fn anchor_comparisons(
    comparisons: &[Comparison],
    settings: &TrainingSettings,
) -> Result<Vec<usize>, TrainingError> {
    settings
        .anchor
        .iter()
        .map(|feature| {
            comparisons
                .iter()
                .position(|c| &c.feature == feature)
                .ok_or_else(|| TrainingError::AnchorWithoutComparison(feature.clone()))
        })
        .collect()
}

/// Whether a pair of these levels is anchored: exact on every comparison of `anchor`.
fn is_anchored(anchor: &[usize], levels: &[Level]) -> bool {
    !anchor.is_empty() && anchor.iter().all(|&k| levels[k] == 1)
}

/// The model `counts` give, of `len` records in `mode` (the link's, all of them): u from the
/// random pairs; m from the anchored pairs (the anchor's own comparisons from
/// `anchor_model`), refined by EM on the patterns of each of `em_rules` (the settings' EM
/// rules, else the blocking rules); the prior settled on the candidates'. What [`train`] makes, from counts that may come from many machines.
///
/// # Errors
///
/// Fewer than two records on a side, or an anchor without a comparison.
pub fn fit(
    comparisons: &[Comparison],
    em_rules: &[BlockingRule],
    counts: &TrainingCounts,
    mode: Mode,
    len: usize,
    settings: &TrainingSettings,
    anchor_model: Option<&Model>,
) -> Result<(Model, TrainingReport), TrainingError> {
    check_sizes(mode, len)?;
    let anchor = anchor_comparisons(comparisons, settings)?;
    let n_levels: Vec<usize> = comparisons.iter().map(Comparison::n_levels).collect();
    let u: Vec<Vec<f64>> = counts.u.iter().map(|counts| u_shares(counts)).collect();
    let n_anchored: u64 = counts.anchored.values().sum();
    let mut anchor_counts: Vec<Vec<u64>> = n_levels.iter().map(|&n| vec![0; n]).collect();
    for (levels, &count) in &counts.anchored {
        for (k, &level) in levels.iter().enumerate() {
            anchor_counts[k][level as usize] += count;
        }
    }

    // m from the anchored pairs: the anchor's own comparisons from `anchor_model`, or the
    // default, since anchored pairs agree there by definition.
    let known_m = |k: usize| {
        let known = anchor_model?.comparisons.iter().find(|p| p.comparison == comparisons[k])?;
        (known.m.len() == n_levels[k]).then(|| known.m.clone())
    };
    let mut held = vec![false; comparisons.len()];
    let initial_m: Vec<Vec<f64>> = (0..comparisons.len())
        .map(|k| {
            if anchor.contains(&k) {
                known_m(k).unwrap_or_else(|| default_m(n_levels[k]))
            } else if n_anchored == 0 {
                default_m(n_levels[k])
            } else {
                let counts: Vec<f64> = anchor_counts[k].iter().map(|&c| c as f64).collect();
                let prior = m_prior(&u[k], counts[1..].iter().sum());
                let mut m = m_shares(&counts, &prior, &u[k]);
                held[k] = hold_agreement(&mut m, &u[k]);
                m
            }
        })
        .collect();
    let (n_left, n_right) = match mode {
        Mode::Link { n_left } => (n_left, len - n_left),
        Mode::Dedupe => (len, len),
    };
    let n_possible = match mode {
        Mode::Link { n_left } => n_left as f64 * (len - n_left) as f64,
        Mode::Dedupe => len as f64 * (len as f64 - 1.0) / 2.0,
    };
    // Where the prior starts: the anchored pairs over the anchor's recall, or at most one match
    // per record; it is settled once m is known.
    let start_prior = if n_anchored > 0 {
        n_anchored as f64 / settings.anchor_recall / n_possible
    } else {
        n_left.min(n_right) as f64 / n_possible
    }
    .clamp(1e-15, 0.5);
    // EM per training rule, each rule's own features held out.
    let EmPasses { passes, m_sums, m_runs, held: held_here } =
        em_passes(comparisons, &anchor, em_rules, &counts.rules, settings, &initial_m, &u);
    for (held, here) in held.iter_mut().zip(held_here) {
        *held |= here;
    }
    let params = parameters(comparisons, &initial_m, &u, &m_sums, &m_runs);

    // The prior: the share of matches among all possible pairs that makes the candidate pairs'
    // expected number of matches self-consistent (EM on the prior alone, m and u fixed; pairs
    // outside the candidates count as non-matches).
    let candidate_patterns: Vec<(Vec<Level>, u64)> =
        counts.candidates.iter().map(|(levels, &count)| (levels.clone(), count)).collect();
    let m_final: Vec<Vec<f64>> = params.iter().map(|p| p.m.clone()).collect();
    let u_final: Vec<Vec<f64>> = params.iter().map(|p| p.u.clone()).collect();
    let prior = settle_prior(&candidate_patterns, &m_final, &u_final, start_prior, n_possible);
    let prior_basis = format!(
        "expected matches among {} candidate pairs, from {start_prior:.3e} ({n_anchored} \
         anchored pairs)",
        candidate_patterns.iter().map(|(_, c)| c).sum::<u64>()
    );
    let model = Model { comparisons: params, prior };
    let anchor_agreement = (n_anchored > 0).then(|| {
        let matched: u64 = (counts.anchored.iter())
            .filter(|(levels, _)| model.pattern_weight(levels) >= 0.0)
            .map(|(_, &count)| count)
            .sum();
        matched as f64 / n_anchored as f64
    });
    let anchor_weights: Vec<Vec<f64>> =
        initial_m.iter().zip(&u).map(|(m, u)| level_weights(m, u)).collect();
    let levels = level_notes(&model, &held, |k, level| {
        let is_estimated = !anchor.contains(&k) && anchor_counts[k][level] >= MIN_ANCHORED;
        is_estimated.then(|| anchor_weights[k][level])
    });
    let report = TrainingReport {
        u_pairs: settings.u_pairs as u64,
        anchor_pairs: n_anchored,
        prior_basis,
        em: passes,
        anchor_agreement,
        levels,
    };
    Ok((model, report))
}

/// Each comparison's parameters: m averaged over the EM passes that estimated it (`m_sums`
/// over `m_runs`), else `initial_m`; u; two valid ID numbers weighed apart.
fn parameters(
    comparisons: &[Comparison],
    initial_m: &[Vec<f64>],
    u: &[Vec<f64>],
    m_sums: &[Vec<f64>],
    m_runs: &[usize],
) -> Vec<ComparisonParameters> {
    comparisons
        .iter()
        .enumerate()
        .map(|(k, comparison)| {
            let mut m = if m_runs[k] == 0 {
                initial_m[k].clone()
            } else {
                m_sums[k].iter().map(|sum| sum / m_runs[k] as f64).collect()
            };
            let mut u = u[k].clone();
            if comparison.kind == Kind::IdNumber {
                two_valid_numbers(&mut m, &mut u);
            }
            ComparisonParameters {
                comparison: comparison.clone(),
                labels: comparison.labels(),
                m,
                u,
            }
        })
        .collect()
}

/// What EM made, rule by rule: each pass, each comparison's m summed over the passes that
/// estimated it and their number, and whether a pass held its exact agreement at u.
struct EmPasses {
    passes: Vec<EmPass>,
    m_sums: Vec<Vec<f64>>,
    m_runs: Vec<usize>,
    held: Vec<bool>,
}

/// EM on each rule's patterns (`rule_patterns`, of the EM rules), each rule's own features
/// held out, from `initial_m` and `u`.
fn em_passes(
    comparisons: &[Comparison],
    anchor: &[usize],
    em_rules: &[BlockingRule],
    rule_patterns: &[Patterns],
    settings: &TrainingSettings,
    initial_m: &[Vec<f64>],
    u: &[Vec<f64>],
) -> EmPasses {
    let n = comparisons.len();
    let mut held = vec![false; n];
    let mut passes = Vec::new();
    let mut m_sums: Vec<Vec<f64>> = initial_m.iter().map(|m| vec![0.0; m.len()]).collect();
    let mut m_runs = vec![0usize; n];
    for (rule, patterns) in em_rules.iter().zip(rule_patterns) {
        let rule_features: Vec<&str> =
            rule.keys.iter().map(|k| k.split_once('.').map_or(k.as_str(), |(f, _)| f)).collect();
        let free: Vec<bool> =
            comparisons.iter().map(|c| !rule_features.contains(&c.feature.as_str())).collect();
        if !free.iter().any(|&f| f) {
            continue;
        }
        let n_pairs: u64 = patterns.values().sum();
        if n_pairs == 0 {
            continue;
        }
        let n_anchored_here: u64 = (patterns.iter())
            .filter(|(levels, _)| is_anchored(anchor, levels))
            .map(|(_, &c)| c)
            .sum();
        let start =
            (n_anchored_here as f64 / settings.anchor_recall / n_pairs as f64).clamp(0.01, 0.99);
        let patterns: Vec<(Vec<Level>, u64)> =
            patterns.iter().map(|(levels, &count)| (levels.clone(), count)).collect();
        let run = em(&patterns, initial_m, u, &free, start, settings);
        for k in (0..n).filter(|&k| free[k]) {
            for (sum, value) in m_sums[k].iter_mut().zip(&run.m[k]) {
                *sum += value;
            }
            m_runs[k] += 1;
            held[k] |= run.held[k];
        }
        passes.push(EmPass {
            rule: rule.name.clone(),
            pairs: n_pairs,
            estimated: (0..n)
                .filter(|&k| free[k])
                .map(|k| comparisons[k].feature.clone())
                .collect(),
            iterations: run.iterations,
            converged: run.converged,
            match_share: run.lambda,
            log_likelihood: run.log_likelihood,
        });
    }
    EmPasses { passes, m_sums, m_runs, held }
}

/// The levels of `model` worth a look: at the weight bound; exact agreement held at u
/// (`held`, by comparison); or moved by EM more than [`MOVED_BITS`] from the anchored weight
/// `anchor_weight(k, level)` gives where the anchored pairs estimated it.
fn level_notes(
    model: &Model,
    held: &[bool],
    anchor_weight: impl Fn(usize, usize) -> Option<f64>,
) -> Vec<LevelNote> {
    let mut notes = Vec::new();
    for (k, params) in model.comparisons.iter().enumerate() {
        for (level, weight) in level_weights(&params.m, &params.u).into_iter().enumerate().skip(1) {
            let why = if weight.abs() >= MAX_WEIGHT {
                LevelWhy::AtBound
            } else if level == 1 && held[k] {
                LevelWhy::AgreementHeld
            } else {
                match anchor_weight(k, level) {
                    Some(anchor) if (weight - anchor).abs() > MOVED_BITS => {
                        LevelWhy::MovedFromAnchor { anchor_weight: anchor }
                    }
                    _ => continue,
                }
            };
            let (feature, level) =
                (params.comparison.feature.clone(), params.labels[level].clone());
            notes.push(LevelNote { feature, level, weight, why });
        }
    }
    notes
}

/// Adds `part`'s counts into `total`.
fn merge_patterns(total: &mut BTreeMap<Vec<Level>, u64>, part: BTreeMap<Vec<Level>, u64>) {
    for (levels, count) in part {
        *total.entry(levels).or_insert(0) += count;
    }
}

/// The ID number's levels of two valid, different numbers ("same region and birth date,
/// another sequence", 6, and "both valid, birth dates differ", 7) by the structure of the
/// number rather than by the training pairs, where twins and namesakes born in one month pass
/// for matches:
/// - m: a single keying error always fails the MOD 11-2 check, and a number wrong in two
///   places or more keeps a valid check one time in eleven, so matches show two valid,
///   different numbers a tenth as often as they show a number failing it in several places
///   ("else", 8): m of each level is m(else) / 20;
/// - u of level 6: the region and birth date the two numbers share are the birth date's and
///   the regions' evidence, not the ID's; what the ID adds is that its sequence differs, which
///   two valid numbers of non-matches do as often as they differ at all: u of level 7.
fn two_valid_numbers(m: &mut [f64], u: &mut [f64]) {
    let structural = m[8] / 20.0;
    let freed = m[6] + m[7] - 2.0 * structural;
    (m[6], m[7]) = (structural, structural);
    // What the two levels held goes to the others, in their proportions.
    let rest: f64 = m.iter().enumerate().filter(|&(l, _)| l != 6 && l != 7).map(|(_, v)| v).sum();
    for (level, value) in m.iter_mut().enumerate().skip(1) {
        if level != 6 && level != 7 && rest > 0.0 {
            *value += freed * *value / rest;
        }
    }
    u[6] = u[7];
}

/// Holds m of exact agreement (level 1) at least at its u, the rest of m scaled down to fit:
/// agreeing must never count against a match. Whether it had to.
fn hold_agreement(m: &mut [f64], u: &[f64]) -> bool {
    if m.len() < 2 || m[1] >= u[1] {
        return false;
    }
    let rest: f64 = m[2..].iter().sum();
    let scale = if rest > 0.0 { (1.0 - u[1]) / rest } else { 0.0 };
    m[1] = u[1];
    for value in &mut m[2..] {
        *value *= scale;
    }
    true
}

/// Counts one more pair of level pattern `levels` (cloned only when new).
fn count_pattern(patterns: &mut BTreeMap<Vec<Level>, u64>, levels: &[Level]) {
    match patterns.get_mut(levels) {
        Some(count) => *count += 1,
        None => {
            patterns.insert(levels.to_vec(), 1);
        }
    }
}

/// An EM run's result.
pub(crate) struct EmRun {
    pub(crate) m: Vec<Vec<f64>>,
    pub(crate) lambda: f64,
    pub(crate) iterations: usize,
    pub(crate) converged: bool,
    pub(crate) log_likelihood: Vec<f64>,
    /// Per comparison: whether the last M step held its exact agreement at u.
    pub(crate) held: Vec<bool>,
}

/// EM over level patterns with u fixed: estimates the match share and the m of the `free`
/// comparisons, starting from `m` and `lambda`. m's prior is fixed for the run (its
/// pseudo-pairs for a sample of all the run's pairs, [`m_prior`]), and each M step holds exact
/// agreement at u at least: EM maximizes the log-likelihood plus the prior's, Σ pseudo-pairs ·
/// ln m, under that constraint, and that sum, reported per iteration, never falls.
pub(crate) fn em(
    patterns: &[(Vec<Level>, u64)],
    m: &[Vec<f64>],
    u: &[Vec<f64>],
    free: &[bool],
    lambda: f64,
    settings: &TrainingSettings,
) -> EmRun {
    let mut m: Vec<Vec<f64>> = m.to_vec();
    let mut lambda = lambda;
    let mut log_likelihood = Vec::new();
    let mut converged = false;
    let mut iterations = 0;
    let mut held = vec![false; m.len()];
    let n_pairs: f64 = patterns.iter().map(|(_, count)| *count as f64).sum();
    let prior: Vec<Vec<f64>> = u.iter().map(|u| m_prior(u, n_pairs)).collect();
    while iterations < settings.max_iterations {
        iterations += 1;
        // E step: each pattern's probability of being a match.
        let mut match_weight = 0.0;
        let mut total = 0.0;
        let mut sums: Vec<Vec<f64>> = m.iter().map(|levels| vec![0.0; levels.len()]).collect();
        let mut ll = 0.0;
        for (levels, count) in patterns {
            let count = *count as f64;
            let (mut pm, mut pu) = (1.0, 1.0);
            for (k, &level) in levels.iter().enumerate() {
                if level != 0 {
                    pm *= m[k][level as usize];
                    pu *= u[k][level as usize];
                }
            }
            let joint = lambda * pm + (1.0 - lambda) * pu;
            ll += count * joint.ln();
            let posterior = lambda * pm / joint;
            match_weight += count * posterior;
            total += count;
            for (k, &level) in levels.iter().enumerate() {
                sums[k][level as usize] += count * posterior;
            }
        }
        // The prior's part: Σ pseudo-pairs · ln m over the free comparisons.
        let log_prior: f64 = (0..m.len())
            .filter(|&k| free[k])
            .flat_map(|k| m[k].iter().zip(&prior[k]).skip(1))
            .filter(|&(_, &a)| a > 0.0)
            .map(|(m, a)| a * m.ln())
            .sum();
        log_likelihood.push(ll + log_prior);
        // M step.
        lambda = (match_weight / total).clamp(1e-9, 1.0 - 1e-9);
        let mut change: f64 = 0.0;
        for k in (0..m.len()).filter(|&k| free[k]) {
            let present: f64 = sums[k][1..].iter().sum();
            if present <= 0.0 {
                continue;
            }
            let mut next = m_shares(&sums[k], &prior[k], &u[k]);
            held[k] = hold_agreement(&mut next, &u[k]);
            for (old, new) in m[k].iter_mut().zip(next).skip(1) {
                change = change.max((new - *old).abs());
                *old = new;
            }
        }
        if change < settings.tolerance {
            converged = true;
            break;
        }
    }
    EmRun { m, lambda, iterations, converged, log_likelihood, held }
}

/// The prior `λ` at which the expected matches among the candidates, Σ count · P(match | levels,
/// λ), equal `λ · n_possible`: iterated from `start` until it moves by less than a millionth.
fn settle_prior(
    patterns: &[(Vec<Level>, u64)],
    m: &[Vec<f64>],
    u: &[Vec<f64>],
    start: f64,
    n_possible: f64,
) -> f64 {
    let ratios: Vec<(f64, f64)> = patterns
        .iter()
        .map(|(levels, count)| {
            let ratio: f64 = levels
                .iter()
                .enumerate()
                .filter(|&(_, &level)| level != 0)
                .map(|(k, &level)| m[k][level as usize] / u[k][level as usize])
                .product();
            (ratio, *count as f64)
        })
        .collect();
    let mut prior = start;
    for _ in 0..1_000 {
        let odds = prior / (1.0 - prior);
        let expected: f64 = ratios.iter().map(|&(r, c)| c * odds * r / (1.0 + odds * r)).sum();
        let next = (expected / n_possible).clamp(1e-15, 0.5);
        let moved = (next - prior).abs() / prior;
        prior = next;
        if moved < 1e-6 {
            break;
        }
    }
    prior
}

/// u by level from random pairs' level counts: shares of levels 1.. with half a pair added
/// to each (level 0, "missing", stays 0).
fn u_shares(counts: &[u64]) -> Vec<f64> {
    let present: u64 = counts[1..].iter().sum();
    let denominator = present as f64 + 0.5 * (counts.len() - 1) as f64;
    let mut shares = vec![0.0];
    shares.extend(counts[1..].iter().map(|&c| (c as f64 + 0.5) / denominator));
    shares
}

/// The pseudo-pairs of m's prior at each level for a sample of `n` pairs: min(n·u, 0.5)
/// (level 0 none).
fn m_prior(u: &[f64], n: f64) -> Vec<f64> {
    u.iter()
        .enumerate()
        .map(|(level, &u)| if level == 0 { 0.0 } else { (n * u).min(0.5) })
        .collect()
}

/// m by level from matches' level counts (whole or, in EM, expected) with `prior`'s
/// pseudo-pairs added (level 0 stays 0); u itself (every weight 0) when there is nothing to
/// count, as when every pair misses the field.
fn m_shares(counts: &[f64], prior: &[f64], u: &[f64]) -> Vec<f64> {
    let with_prior: Vec<f64> = (counts.iter().zip(prior).enumerate())
        .map(|(level, (&c, &a))| if level == 0 { 0.0 } else { c + a })
        .collect();
    let total: f64 = with_prior.iter().sum();
    if total <= 0.0 {
        return u.to_vec();
    }
    with_prior.iter().map(|c| c / total).collect()
}

/// m before any evidence: 0.9 at the closest level, the rest spread evenly.
fn default_m(n_levels: usize) -> Vec<f64> {
    let rest = n_levels - 2;
    let mut m = vec![0.0, 0.9];
    m.extend(std::iter::repeat_n(0.1 / rest.max(1) as f64, rest));
    m
}

/// A pair's position in a seeded order, for sampling.
fn mix(seed: u64, a: RecordIdx, b: RecordIdx) -> u64 {
    let mut rng = SplitMix::new(seed, (u64::from(a) << 32) | u64::from(b));
    rng.next()
}

/// SplitMix64: a small seeded generator for samples (same draws on every machine).
struct SplitMix(u64);

impl SplitMix {
    fn new(seed: u64, stream: u64) -> SplitMix {
        let mut rng = SplitMix(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        rng.next();
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::blocking::{Blocking, BlockingRule};
    use crate::compare::{Comparison, Kind, LevelName};
    use crate::model::level_weights;
    use crate::records::{Mode, Records};
    use crate::train::{
        Counter, EmPairs, LevelWhy, TrainingSettings, em, hold_agreement, m_prior, m_shares, train,
        train_candidates, two_valid_numbers, u_shares,
    };

    #[test]
    fn a_level_never_seen_weighs_what_the_sample_can_show() {
        // u: half a pair added to each level of 10 random pairs.
        let u = u_shares(&[4, 0, 2, 8]);
        let prior = |n| m_prior(&u, n);
        assert_eq!(u, vec![0.0, 0.5 / 11.5, 2.5 / 11.5, 8.5 / 11.5]);
        // 1,000 matches, all at level 2: each other level gets half a pair (1,000 · u is more
        // than a half), so level 3, common among non-matches, weighs log2((0.5 / 1001.5) / u3),
        // about -10.5.
        let m = m_shares(&[0.0, 0.0, 1000.0, 0.0], &prior(1000.0), &u);
        assert_eq!(m, vec![0.0, 0.5 / 1001.5, 1000.5 / 1001.5, 0.5 / 1001.5]);
        let weights = level_weights(&m, &u);
        assert!((weights[3] - (0.5f64 / 1001.5 / (8.5 / 11.5)).log2()).abs() < 1e-12);
        // Two matches cannot show a level of u 1 %: its pseudo-count is 2 · 0.01, the other
        // level's half a pair, and its weight stays near 0: log2((0.02 / 2.52) / 0.01).
        let u = vec![0.0, 0.01, 0.99];
        let m = m_shares(&[0.0, 0.0, 2.0], &m_prior(&u, 2.0), &u);
        assert!((m[1] - 0.02 / 2.52).abs() < 1e-12);
        assert!((level_weights(&m, &u)[1] - (0.02f64 / 2.52 / 0.01).log2()).abs() < 1e-12);
        assert!(level_weights(&m, &u)[1] > -0.5);
        // No pair has the field: m is u, every weight 0.
        assert_eq!(m_shares(&[5.0, 0.0, 0.0], &m_prior(&u, 0.0), &u), u);
    }

    #[test]
    fn two_valid_numbers_weigh_by_the_check_digit_not_by_twins() {
        // Levels: missing, exact, 15 to 18, substitution, transposition, first 15, another
        // sequence, birth dates differ, else. EM gave "another sequence" 0.1 (twins taken for
        // matches); u of it is tiny among random pairs (one region and birth date).
        let mut m = vec![0.0, 0.78, 0.01, 0.02, 0.02, 0.01, 0.1, 0.04, 0.02];
        let mut u = vec![0.0, 1e-6, 1e-7, 1e-6, 1e-6, 1e-6, 1e-5, 0.97, 0.03];
        two_valid_numbers(&mut m, &mut u);
        // m of each: m(else) / 20 = 0.001; the 0.138 they held spread over the rest.
        assert_eq!((m[6], m[7]), (0.001, 0.001));
        assert!((m.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((m[1] - 0.78 * (1.0 + 0.138 / 0.86)).abs() < 1e-12);
        // u of "another sequence" is that of two valid numbers differing at all.
        assert_eq!(u[6], 0.97);
        assert!(level_weights(&m, &u)[6] < -9.0, "a twin's number says: another person");
    }

    #[test]
    fn agreement_never_counts_against_a_match() {
        let u = vec![0.0, 0.2, 0.3, 0.5];
        let mut m = vec![0.0, 0.05, 0.45, 0.5];
        assert!(hold_agreement(&mut m, &u));
        // Exact agreement at u; the rest scaled to fill 0.8 in the same 45 : 50.
        assert!((m[1] - 0.2).abs() < 1e-12);
        assert!((m[2] - 0.8 * 0.45 / 0.95).abs() < 1e-12);
        assert!((m[3] - 0.8 * 0.5 / 0.95).abs() < 1e-12);
        let mut kept = vec![0.0, 0.6, 0.3, 0.1];
        assert!(!hold_agreement(&mut kept, &u));
        assert_eq!(kept, vec![0.0, 0.6, 0.3, 0.1]);
    }

    #[test]
    fn a_field_filled_for_non_matches_only_never_counts_against_agreement() {
        // 200 people in both lists under one key; their place is coded "a" on the left and
        // "b" on the right, as every unmatched record's is: agreeing on the place happens only
        // among non-matches, and would weigh against a match.
        let keys: Vec<String> = (0..400)
            .map(|i| format!("k{i}"))
            .chain((0..400).map(|i| if i < 200 { format!("k{i}") } else { format!("r{i}") }))
            .collect();
        let places = (0..800).map(|i| Some(if i < 200 { "a" } else { "b" }));
        // A birth day of 50, the same on both sides for the 200.
        let births: Vec<String> = (0..800).map(|i| format!("d{}", (i % 400) * 7 % 50)).collect();
        let records = Records::new(Mode::Link { n_left: 400 }, 800)
            .text("key", keys.iter().map(|k| Some(k.as_str())))
            .text("place", places)
            .text("birth", births.iter().map(|b| Some(b.as_str())));
        let comparison = |feature: &str| Comparison {
            feature: feature.into(),
            kind: Kind::Exact,
            term_frequency: false,
            swapped_with: None,
        };
        let comparisons = [comparison("key"), comparison("place"), comparison("birth")];
        let rules = [BlockingRule { name: "key".into(), keys: vec!["key".into()] }];
        let blocking = Blocking::new(&records, &rules).expect("valid rules");
        let settings = TrainingSettings {
            anchor: vec!["key".into()],
            u_pairs: 20_000,
            ..TrainingSettings::default()
        };
        let (model, report) =
            train(&records, &comparisons, &blocking, &settings).expect("trainable");
        let place = &model.comparisons[1];
        assert!((place.u[1] - 0.5).abs() < 0.02, "half the random pairs agree: {}", place.u[1]);
        assert_eq!(place.m[1], place.u[1], "held at u");
        assert_eq!(report.anchor_pairs, 200);
        assert_eq!(report.anchor_agreement, Some(1.0));
        let notes: Vec<(&str, &LevelName, &LevelWhy)> =
            report.levels.iter().map(|n| (n.feature.as_str(), &n.level, &n.why)).collect();
        assert_eq!(notes, [("place", &LevelName::Exact, &LevelWhy::AgreementHeld)]);
        assert_eq!(report.levels[0].weight, 0.0);
        assert!(report.em.iter().all(|pass| pass.converged));
    }

    #[test]
    fn em_rules_among_the_candidates_count_as_blocked_apart_and_candidates_score_as_predicted() {
        let values = |n: usize, prefix: &str| -> Vec<String> {
            (0..300).map(|i| format!("{prefix}{}", i * 7 % n)).collect()
        };
        let (names, births, places) = (values(37, "n"), values(11, "b"), values(5, "p"));
        let records = Records::new(Mode::Dedupe, 300)
            .text("name", names.iter().map(|s| Some(s.as_str())))
            .text("birth", births.iter().map(|s| Some(s.as_str())))
            .text("place", places.iter().map(|s| Some(s.as_str())));
        let rule = |keys: &[&str]| BlockingRule {
            name: keys.join("+"),
            keys: keys.iter().map(|k| (*k).to_owned()).collect(),
        };
        // The place's blocks (60 records, 1,770 pairs) are over the cap.
        let rules = [rule(&["place"]), rule(&["name"]), rule(&["birth", "place"])];
        let em_rules = vec![rule(&["name"]), rule(&["place"]), rule(&["birth", "place"])];
        let settings = TrainingSettings {
            anchor: vec!["name".into()],
            em_rules: em_rules.clone(),
            em_pairs: 40,
            block_cap: 1_000,
            ..TrainingSettings::default()
        };
        let comparisons: Vec<Comparison> = ["name", "birth", "place"]
            .map(|feature| Comparison {
                feature: feature.into(),
                kind: Kind::Exact,
                term_frequency: feature == "name",
                swapped_with: None,
            })
            .into();
        let blocking = Blocking::new(&records, &rules).expect("valid rules");
        let apart = Blocking::new(&records, &em_rules).expect("valid rules");
        let counter = Counter::new(&records, &comparisons, &settings).expect("comparisons fit");
        let among = EmPairs::among(&blocking, &em_rules).expect("every EM rule is a blocking rule");
        assert!(matches!(&among, EmPairs::Among(rules) if rules == &[1, 0, 2]));
        let (counts, candidates) = counter.count(&blocking, &among, &settings, None, true);
        let (blocked_apart, _) =
            counter.count(&blocking, &EmPairs::Apart(&apart), &settings, None, false);
        assert_eq!(counts, blocked_apart);
        let sampled: u64 = counts.rules[0].values().sum();
        assert!(sampled > 0 && sampled < 300, "the name's pairs are sampled: {sampled}");
        assert!(counts.rules[1].is_empty(), "the place's blocks are over the cap");

        let (_, _, scorer, kept) =
            train_candidates(&records, &comparisons, &blocking, &settings, None).expect("trains");
        assert_eq!(kept.pairs, candidates.pairs);
        let expected = crate::predict(&scorer, &blocking, settings.block_cap, f64::NEG_INFINITY);
        assert_eq!(expected.0.len(), candidates.pairs.len());
        assert_eq!(kept.clone().predict(&scorer, f64::NEG_INFINITY), expected);
        let heavy = crate::predict(&scorer, &blocking, settings.block_cap, 0.0);
        assert!(heavy.0.len() < expected.0.len());
        assert_eq!(kept.predict(&scorer, 0.0), heavy);
    }

    #[test]
    fn em_separates_two_clear_groups() {
        // 100 pairs agreeing on both comparisons, 900 disagreeing on both.
        let patterns = vec![(vec![1, 1], 100), (vec![2, 2], 900)];
        let u = vec![vec![0.0, 0.05, 0.95], vec![0.0, 0.05, 0.95]];
        let m = vec![vec![0.0, 0.6, 0.4], vec![0.0, 0.6, 0.4]];
        let run = em(&patterns, &m, &u, &[true, true], 0.5, &TrainingSettings::default());
        assert!(run.converged);
        assert!((run.lambda - 0.1).abs() < 0.01, "{}", run.lambda);
        assert!(run.m[0][1] > 0.95);
    }

    proptest! {
        #[test]
        fn em_log_likelihood_never_falls(
            counts in proptest::collection::vec(1u64..500, 9),
            start in 0.05f64..0.95,
        ) {
            let patterns: Vec<(Vec<u8>, u64)> = (0..9)
                .map(|i| (vec![1 + (i / 3) as u8, 1 + (i % 3) as u8], counts[i]))
                .collect();
            let u = vec![vec![0.0, 0.1, 0.3, 0.6], vec![0.0, 0.2, 0.3, 0.5]];
            let m = vec![vec![0.0, 0.5, 0.3, 0.2], vec![0.0, 0.4, 0.4, 0.2]];
            let settings = TrainingSettings { max_iterations: 30, tolerance: 0.0, ..TrainingSettings::default() };
            let run = em(&patterns, &m, &u, &[true, true], start, &settings);
            for pair in run.log_likelihood.windows(2) {
                prop_assert!(pair[1] >= pair[0] - 1e-9 * pair[0].abs(), "{:?}", run.log_likelihood);
            }
        }
    }
}
