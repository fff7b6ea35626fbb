//! Training without labels: u from seeded random pairs; m first from anchored pairs (pairs
//! that agree exactly on the anchor comparisons, e.g. a valid ID with its embedded birth date
//! and sex: near-certain matches), then refined by EM on each blocking rule's pairs, with the
//! comparisons of the rule's own features held out of that rule's estimates; the prior from the
//! anchored pairs and the anchor's expected recall.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::blocking::{Blocking, BlockingError, BlockingRule};
use crate::compare::{Comparison, ComparisonError, Compiled, Level};
use crate::model::{ComparisonParameters, Model, Rows, Scorer};
use crate::records::{Mode, RecordIdx, Records};

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
        }
    }
}

/// What training did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingReport {
    /// Random pairs drawn for u.
    pub u_pairs: u64,
    /// Candidate pairs that met the anchor.
    pub anchor_pairs: u64,
    /// How the prior was set.
    pub prior_basis: String,
    /// One EM run per blocking rule.
    pub em: Vec<EmPass>,
}

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
    /// The log-likelihood after each iteration: never falls.
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
    let n_left = match records.mode() {
        Mode::Link { n_left } => n_left,
        Mode::Dedupe => records.len(),
    };
    let n_right =
        records.len() - if matches!(records.mode(), Mode::Link { .. }) { n_left } else { 0 };
    if n_left < 2 || n_right < 2 {
        return Err(TrainingError::TooFewRecords);
    }
    let compiled: Vec<Compiled> =
        comparisons.iter().map(|c| c.compile(records)).collect::<Result<_, _>>()?;
    let rows = Rows::new(records, &compiled);
    let n_levels: Vec<usize> = comparisons.iter().map(Comparison::n_levels).collect();
    let anchor: Vec<usize> = settings
        .anchor
        .iter()
        .map(|feature| {
            comparisons
                .iter()
                .position(|c| &c.feature == feature)
                .ok_or_else(|| TrainingError::AnchorWithoutComparison(feature.clone()))
        })
        .collect::<Result<_, _>>()?;

    // u from random pairs.
    let u_counts = random_pair_counts(records, &compiled, &rows, &n_levels, settings);
    let u: Vec<Vec<f64>> = u_counts.iter().map(|counts| smoothed(counts)).collect();

    // m from anchored pairs, and the prior.
    let is_anchored =
        |levels: &[Level]| !anchor.is_empty() && anchor.iter().all(|&k| levels[k] == 1);
    let (chunks, _) = blocking.for_each_chunk(settings.block_cap, |pairs| {
        let mut counts: Vec<Vec<u64>> = n_levels.iter().map(|&n| vec![0; n]).collect();
        let mut n_anchored = 0u64;
        let mut patterns: BTreeMap<Vec<Level>, u64> = BTreeMap::new();
        let mut levels = vec![0; compiled.len()];
        for &(a, b) in pairs {
            rows.levels(records, &compiled, a, b, &mut levels);
            if is_anchored(&levels) {
                n_anchored += 1;
                for (k, &level) in levels.iter().enumerate() {
                    counts[k][level as usize] += 1;
                }
            }
            count_pattern(&mut patterns, &levels);
        }
        (n_anchored, counts, patterns)
    });
    let mut anchor_counts: Vec<Vec<u64>> = n_levels.iter().map(|&n| vec![0; n]).collect();
    let mut n_anchored = 0;
    let mut candidate_patterns: BTreeMap<Vec<Level>, u64> = BTreeMap::new();
    for (n, counts, patterns) in chunks {
        n_anchored += n;
        for (total, part) in anchor_counts.iter_mut().zip(counts) {
            for (t, p) in total.iter_mut().zip(part) {
                *t += p;
            }
        }
        for (levels, count) in patterns {
            *candidate_patterns.entry(levels).or_insert(0) += count;
        }
    }
    let initial_m: Vec<Vec<f64>> = (0..compiled.len())
        .map(|k| {
            if n_anchored == 0 || anchor.contains(&k) {
                default_m(n_levels[k])
            } else {
                smoothed(&anchor_counts[k])
            }
        })
        .collect();
    let n_possible = records.n_possible_pairs();
    // Where the prior starts: the anchored pairs over the anchor's recall, or at most one match
    // per record; it is settled once m is known.
    let start_prior = if n_anchored > 0 {
        n_anchored as f64 / settings.anchor_recall / n_possible
    } else {
        n_left.min(n_right) as f64 / n_possible
    }
    .clamp(1e-15, 0.5);
    // EM per training rule, each rule's own features held out.
    let own_rules;
    let em_blocking = if settings.em_rules.is_empty() {
        blocking
    } else {
        own_rules = Blocking::new(records, &settings.em_rules)?;
        &own_rules
    };
    let mut passes = Vec::new();
    let mut m_sums: Vec<Vec<f64>> = n_levels.iter().map(|&n| vec![0.0; n]).collect();
    let mut m_runs = vec![0usize; compiled.len()];
    for (rule_idx, rule) in em_blocking.rules().iter().enumerate() {
        let rule_features: Vec<&str> =
            rule.keys.iter().map(|k| k.split_once('.').map_or(k.as_str(), |(f, _)| f)).collect();
        let free: Vec<bool> =
            comparisons.iter().map(|c| !rule_features.contains(&c.feature.as_str())).collect();
        if !free.iter().any(|&f| f) {
            continue;
        }
        let patterns = rule_patterns(records, &compiled, &rows, em_blocking, rule_idx, settings);
        let n_pairs: u64 = patterns.values().sum();
        if n_pairs == 0 {
            continue;
        }
        let n_anchored_here: u64 =
            patterns.iter().filter(|(levels, _)| is_anchored(levels)).map(|(_, &c)| c).sum();
        let start =
            (n_anchored_here as f64 / settings.anchor_recall / n_pairs as f64).clamp(0.01, 0.99);
        let patterns: Vec<(Vec<Level>, u64)> = patterns.into_iter().collect();
        let run = em(&patterns, &initial_m, &u, &free, start, settings);
        for k in (0..compiled.len()).filter(|&k| free[k]) {
            for (sum, value) in m_sums[k].iter_mut().zip(&run.m[k]) {
                *sum += value;
            }
            m_runs[k] += 1;
        }
        passes.push(EmPass {
            rule: rule.name.clone(),
            pairs: n_pairs,
            estimated: (0..compiled.len())
                .filter(|&k| free[k])
                .map(|k| comparisons[k].feature.clone())
                .collect(),
            iterations: run.iterations,
            converged: run.converged,
            match_share: run.lambda,
            log_likelihood: run.log_likelihood,
        });
    }

    let params: Vec<ComparisonParameters> = comparisons
        .iter()
        .enumerate()
        .map(|(k, comparison)| {
            let m = if m_runs[k] == 0 {
                initial_m[k].clone()
            } else {
                m_sums[k].iter().map(|sum| sum / m_runs[k] as f64).collect()
            };
            ComparisonParameters {
                comparison: comparison.clone(),
                labels: comparison.labels(),
                m,
                u: u[k].clone(),
            }
        })
        .collect();

    // The prior: the share of matches among all possible pairs that makes the candidate pairs'
    // expected number of matches self-consistent (EM on the prior alone, m and u fixed; pairs
    // outside the candidates count as non-matches).
    let candidate_patterns: Vec<(Vec<Level>, u64)> = candidate_patterns.into_iter().collect();
    let m_final: Vec<Vec<f64>> = params.iter().map(|p| p.m.clone()).collect();
    let prior = settle_prior(&candidate_patterns, &m_final, &u, start_prior, n_possible);
    let prior_basis = format!(
        "expected matches among {} candidate pairs, from {start_prior:.3e} ({n_anchored} \
         anchored pairs)",
        candidate_patterns.iter().map(|(_, c)| c).sum::<u64>()
    );
    let report = TrainingReport {
        u_pairs: settings.u_pairs as u64,
        anchor_pairs: n_anchored,
        prior_basis,
        em: passes,
    };
    let model = Model { comparisons: params, prior };
    let scorer = model.scorer_on(records, compiled, rows);
    Ok((model, report, scorer))
}

/// `model`'s m on other `records`: u drawn afresh from their random pairs and the prior
/// settled on their candidates, m kept. For a task whose own pairs would teach EM the wrong
/// thing: deduplicating a census of a million people, EM on the pairs sharing a name and a
/// birth month learns "same name" (most such pairs are strangers, whose ID numbers differ),
/// and the ID stops counting; the m of an anchored link of the same records to a register
/// does not drift.
pub fn with_m_of(
    model: &Model,
    records: &Records,
    blocking: &Blocking,
    settings: &TrainingSettings,
) -> Result<Model, TrainingError> {
    with_m_of_scorer(model, records, blocking, settings).map(|(model, _)| model)
}

/// [`with_m_of`], and the scorer of the new model on `records` (see [`train_scorer`]).
pub fn with_m_of_scorer<'a>(
    model: &Model,
    records: &'a Records,
    blocking: &Blocking,
    settings: &TrainingSettings,
) -> Result<(Model, Scorer<'a>), TrainingError> {
    let comparisons: Vec<Comparison> =
        model.comparisons.iter().map(|p| p.comparison.clone()).collect();
    let compiled: Vec<Compiled> =
        comparisons.iter().map(|c| c.compile(records)).collect::<Result<_, _>>()?;
    let rows = Rows::new(records, &compiled);
    let n_levels: Vec<usize> = comparisons.iter().map(Comparison::n_levels).collect();
    let u: Vec<Vec<f64>> = random_pair_counts(records, &compiled, &rows, &n_levels, settings)
        .iter()
        .map(|counts| smoothed(counts))
        .collect();
    let (chunks, _) = blocking.for_each_chunk(settings.block_cap, |pairs| {
        let mut patterns: BTreeMap<Vec<Level>, u64> = BTreeMap::new();
        let mut levels = vec![0; compiled.len()];
        for &(a, b) in pairs {
            rows.levels(records, &compiled, a, b, &mut levels);
            count_pattern(&mut patterns, &levels);
        }
        patterns
    });
    let mut patterns: BTreeMap<Vec<Level>, u64> = BTreeMap::new();
    for chunk in chunks {
        for (levels, count) in chunk {
            *patterns.entry(levels).or_insert(0) += count;
        }
    }
    let patterns: Vec<(Vec<Level>, u64)> = patterns.into_iter().collect();
    let m: Vec<Vec<f64>> = model.comparisons.iter().map(|p| p.m.clone()).collect();
    let n_possible = records.n_possible_pairs();
    let start = (records.n_left() as f64 / n_possible).clamp(1e-15, 0.5);
    let prior = settle_prior(&patterns, &m, &u, start, n_possible);
    let comparisons = model
        .comparisons
        .iter()
        .zip(u)
        .map(|(p, u)| ComparisonParameters { u, ..p.clone() })
        .collect();
    let model = Model { comparisons, prior };
    let scorer = model.scorer_on(records, compiled, rows);
    Ok((model, scorer))
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

/// Level counts per comparison over seeded random pairs.
fn random_pair_counts(
    records: &Records,
    compiled: &[Compiled],
    rows: &Rows,
    n_levels: &[usize],
    settings: &TrainingSettings,
) -> Vec<Vec<u64>> {
    const CHUNK: usize = 1 << 14;
    let n = records.len() as u64;
    let n_left = records.n_left() as u64;
    let n_chunks = settings.u_pairs.div_ceil(CHUNK);
    let chunks: Vec<Vec<Vec<u64>>> = (0..n_chunks)
        .into_par_iter()
        .map(|chunk| {
            let mut rng = SplitMix::new(settings.seed ^ 0x5555, chunk as u64);
            let mut counts: Vec<Vec<u64>> = n_levels.iter().map(|&l| vec![0; l]).collect();
            let mut levels = vec![0; compiled.len()];
            let in_chunk = CHUNK.min(settings.u_pairs - chunk * CHUNK);
            for _ in 0..in_chunk {
                let (a, b) = match records.mode() {
                    Mode::Link { .. } => (rng.below(n_left), n_left + rng.below(n - n_left)),
                    Mode::Dedupe => {
                        let a = rng.below(n);
                        let b = (a + 1 + rng.below(n - 1)) % n;
                        (a, b)
                    }
                };
                rows.levels(records, compiled, a as RecordIdx, b as RecordIdx, &mut levels);
                for (k, &level) in levels.iter().enumerate() {
                    counts[k][level as usize] += 1;
                }
            }
            counts
        })
        .collect();
    let mut total: Vec<Vec<u64>> = n_levels.iter().map(|&l| vec![0; l]).collect();
    for counts in chunks {
        for (t, c) in total.iter_mut().zip(counts) {
            for (x, y) in t.iter_mut().zip(c) {
                *x += y;
            }
        }
    }
    total
}

/// The level patterns of rule `rule`'s pairs (all of them, earlier rules' too) and how often
/// each occurs; a seeded sample of about `settings.em_pairs` pairs when the rule has more.
fn rule_patterns(
    records: &Records,
    compiled: &[Compiled],
    rows: &Rows,
    blocking: &Blocking,
    rule: usize,
    settings: &TrainingSettings,
) -> BTreeMap<Vec<Level>, u64> {
    let n_pairs = blocking.rule_pair_count(rule, settings.block_cap);
    let keep = (settings.em_pairs as f64 / n_pairs.max(1) as f64).min(1.0);
    let threshold = (keep * u64::MAX as f64) as u64;
    let (chunks, _) = blocking.rule_chunks(rule, false, settings.block_cap, &|pairs: &[(
        RecordIdx,
        RecordIdx,
    )]| {
        let mut patterns: BTreeMap<Vec<Level>, u64> = BTreeMap::new();
        let mut levels = vec![0; compiled.len()];
        for &(a, b) in pairs {
            if keep < 1.0 && mix(settings.seed, a, b) > threshold {
                continue;
            }
            rows.levels(records, compiled, a, b, &mut levels);
            count_pattern(&mut patterns, &levels);
        }
        patterns
    });
    let mut patterns = BTreeMap::new();
    for chunk in chunks {
        for (levels, count) in chunk {
            *patterns.entry(levels).or_insert(0) += count;
        }
    }
    patterns
}

/// An EM run's result.
pub(crate) struct EmRun {
    pub(crate) m: Vec<Vec<f64>>,
    pub(crate) lambda: f64,
    pub(crate) iterations: usize,
    pub(crate) converged: bool,
    pub(crate) log_likelihood: Vec<f64>,
}

/// EM over level patterns with u fixed: estimates the match share and the m of the `free`
/// comparisons, starting from `m` and `lambda`.
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
        log_likelihood.push(ll);
        // M step.
        lambda = (match_weight / total).clamp(1e-9, 1.0 - 1e-9);
        let mut change: f64 = 0.0;
        for k in (0..m.len()).filter(|&k| free[k]) {
            let present: f64 = sums[k][1..].iter().sum();
            if present <= 0.0 {
                continue;
            }
            for level in 1..m[k].len() {
                let value = (sums[k][level] / present).max(1e-12);
                change = change.max((value - m[k][level]).abs());
                m[k][level] = value;
            }
        }
        if change < settings.tolerance {
            converged = true;
            break;
        }
    }
    EmRun { m, lambda, iterations, converged, log_likelihood }
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

/// Shares of levels 1.. with one added to each count (level 0 stays 0).
fn smoothed(counts: &[u64]) -> Vec<f64> {
    let present: u64 = counts[1..].iter().sum();
    let denominator = present as f64 + (counts.len() - 1) as f64;
    let mut shares = vec![0.0];
    shares.extend(counts[1..].iter().map(|&c| (c as f64 + 1.0) / denominator));
    shares
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

    use crate::train::{TrainingSettings, em, smoothed};

    #[test]
    fn smoothing_keeps_every_level_possible() {
        assert_eq!(smoothed(&[7, 3, 0]), vec![0.0, 0.8, 0.2]);
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
