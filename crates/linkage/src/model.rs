//! The Fellegi–Sunter model: per comparison and level, m (how often true matches agree at that
//! level) and u (how often non-matches do), and the prior probability that two records match.
//! A pair's match weight is the sum of log2(m/u) over its levels, adjusted for the frequency of
//! exactly agreeing values, plus the prior's log-odds.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::compare::{Comparison, ComparisonError, Compiled, Level, LevelName};

use crate::records::{Feature, Interned, RecordIdx, Records};

/// A trained model: the comparisons, their m and u by level, and the prior.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Each comparison with its parameters.
    pub comparisons: Vec<ComparisonParameters>,
    /// The probability that two records drawn from all possible pairs match.
    pub prior: f64,
}

/// One comparison's parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonParameters {
    /// The comparison.
    pub comparison: Comparison,
    /// The names of its levels, "missing" first.
    pub labels: Vec<LevelName>,
    /// m by level (level 0 unused).
    pub m: Vec<f64>,
    /// u by level (level 0 unused).
    pub u: Vec<f64>,
}

/// A model resolved against records, ready to score pairs quickly: what each comparison needs
/// of a record is packed into one row per record, so that scoring a pair reads two short runs of
/// memory instead of one scattered value per feature.
#[derive(Debug)]
pub struct Scorer<'a> {
    records: &'a Records,
    compiled: Vec<Compiled>,
    rows: Rows,
    /// `weights[k][level]`: log2(m/u); 0 for level 0.
    weights: Vec<Vec<f64>>,
    /// Per comparison with term frequencies: the adjustment of the exact level by the value
    /// (indexed by interned id - 1).
    tf: Vec<Option<Vec<f64>>>,
    prior_weight: f64,
}

/// The explanation of one pair: what each comparison found and what it weighed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The prior's log2-odds: where every pair starts.
    pub prior_weight: f64,
    /// Each comparison's contribution.
    pub comparisons: Vec<FieldExplanation>,
    /// The match weight: the prior's plus every comparison's weight and adjustment.
    pub total: f64,
    /// The match probability: 2^total / (1 + 2^total).
    pub probability: f64,
}

/// One comparison's part in an [`Explanation`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldExplanation {
    /// The feature compared.
    pub feature: String,
    /// The level found.
    pub level: Level,
    /// Its name.
    pub label: LevelName,
    /// log2(m/u) of the level (0 for "missing").
    pub weight: f64,
    /// The term-frequency adjustment (0 unless the exact level of a comparison with term
    /// frequencies).
    pub tf_adjustment: f64,
}

/// Weights are kept within this bound, so that a level never seen among non-matches (or
/// matches) cannot decide a pair alone.
pub const MAX_WEIGHT: f64 = 30.0;

/// The weight log2(m/u) of each level, within the bound; 0 for level 0 ("missing").
pub(crate) fn level_weights(m: &[f64], u: &[f64]) -> Vec<f64> {
    let weight = |(level, (m, u)): (usize, (&f64, &f64))| {
        if level == 0 { 0.0 } else { (m / u).log2().clamp(-MAX_WEIGHT, MAX_WEIGHT) }
    };
    m.iter().zip(u).enumerate().map(weight).collect()
}

/// The match probability of a weight.
pub fn probability(weight: f64) -> f64 {
    1.0 / (1.0 + (-weight).exp2())
}

/// The weight of a probability.
pub fn weight_of(probability: f64) -> f64 {
    (probability / (1.0 - probability)).log2()
}

impl Model {
    /// The match weight of a pair at `levels` (one per comparison), before term frequencies.
    pub fn pattern_weight(&self, levels: &[Level]) -> f64 {
        let levels = self.comparisons.iter().zip(levels);
        let weights =
            levels.map(|(params, &level)| level_weights(&params.m, &params.u)[level as usize]);
        weight_of(self.prior) + weights.sum::<f64>()
    }

    /// Resolves the model against `records`.
    pub fn scorer<'a>(&self, records: &'a Records) -> Result<Scorer<'a>, ComparisonError> {
        self.scorer_counted(records, None)
    }

    /// Resolves the model against `records`, a share of a link's records, with the values'
    /// frequencies counted over all of them (`counts`): the weights the scorer of every record
    /// gives.
    pub fn scorer_with<'a>(
        &self,
        records: &'a Records,
        counts: &TermCounts,
    ) -> Result<Scorer<'a>, ComparisonError> {
        self.scorer_counted(records, Some(counts))
    }

    fn scorer_counted<'a>(
        &self,
        records: &'a Records,
        counts: Option<&TermCounts>,
    ) -> Result<Scorer<'a>, ComparisonError> {
        let compiled: Vec<Compiled> = (self.comparisons.iter())
            .map(|params| params.comparison.compile(records))
            .collect::<Result<_, _>>()?;
        let rows = Rows::new(records, &compiled);
        Ok(self.scorer_on(records, compiled, rows, counts))
    }

    /// The scorer of `records` whose comparisons (this model's, compiled) and rows are made
    /// already: training makes them, and hands them on. Values' frequencies from `counts`
    /// when given, else from `records`.
    pub(crate) fn scorer_on<'a>(
        &self,
        records: &'a Records,
        compiled: Vec<Compiled>,
        rows: Rows,
        counts: Option<&TermCounts>,
    ) -> Scorer<'a> {
        let mut weights = Vec::with_capacity(self.comparisons.len());
        let mut tf = Vec::with_capacity(self.comparisons.len());
        for (params, c) in self.comparisons.iter().zip(&compiled) {
            let w = level_weights(&params.m, &params.u);
            let adjustments = params.comparison.term_frequency.then(|| {
                let Some(interned) = term_values(records.feature_at(c.feature)) else {
                    return Vec::new();
                };
                let counted = counts.and_then(|counts| counts.0.get(&params.comparison.feature));
                (1..=interned.values().len() as u32)
                    .map(|id| {
                        let frequency = match counted {
                            Some((values, n_present)) => {
                                let n = values.get(interned.value(id)).copied().unwrap_or(0);
                                f64::from(n) / f64::from((*n_present).max(1))
                            }
                            None => interned.frequency(id),
                        };
                        let adjustment = (params.u[1] / frequency).log2();
                        adjustment.clamp(-MAX_WEIGHT, MAX_WEIGHT)
                    })
                    .collect()
            });
            weights.push(w);
            tf.push(adjustments);
        }
        Scorer { records, compiled, rows, weights, tf, prior_weight: weight_of(self.prior) }
    }
}

/// The interned values a feature's term frequencies are of: a text's, a name's full form.
fn term_values(feature: &Feature) -> Option<&Interned> {
    match feature {
        Feature::Text(text) => Some(text),
        Feature::Name { full, .. } => Some(full),
        _ => None,
    }
}

/// The values of each term-frequency comparison's feature, counted over a link's records, and
/// the records holding any: what scoring a share of the records needs of the others
/// ([`Model::scorer_with`]). Counts add up over shares.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermCounts(pub BTreeMap<String, (HashMap<String, u32>, u32)>);

impl TermCounts {
    /// The counts of `records`, for those of `comparisons` with term frequencies.
    pub fn of(records: &Records, comparisons: &[Comparison]) -> TermCounts {
        let mut counts = BTreeMap::new();
        for comparison in comparisons.iter().filter(|c| c.term_frequency) {
            let feature = &comparison.feature;
            let Some(interned) = records.feature(feature).and_then(term_values) else { continue };
            let values = (interned.values().zip(&interned.counts))
                .filter(|&(_, &count)| count > 0)
                .map(|(value, &count)| (value.to_owned(), count))
                .collect();
            counts.insert(feature.clone(), (values, interned.n_present));
        }
        TermCounts(counts)
    }

    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: TermCounts) {
        for (feature, (values, n_present)) in other.0 {
            let (total, total_present) = self.0.entry(feature).or_default();
            for (value, count) in values {
                *total.entry(value).or_insert(0) += count;
            }
            *total_present += n_present;
        }
    }
}

/// What each comparison needs of each record, packed into one row per record, so that
/// comparing a pair reads two short runs of memory instead of one scattered value per feature.
#[derive(Debug)]
pub(crate) struct Rows {
    /// Where each comparison's words start in a row.
    offsets: Vec<usize>,
    /// Words per row.
    stride: usize,
    /// `rows[record * stride..][..stride]`.
    rows: Vec<u64>,
}

impl Rows {
    /// The rows of `records` for `compiled`, gathered in parallel.
    pub(crate) fn new(records: &Records, compiled: &[Compiled]) -> Rows {
        let mut offsets = Vec::with_capacity(compiled.len());
        let mut stride = 0;
        for c in compiled {
            offsets.push(stride);
            stride += c.n_words();
        }
        let mut rows = vec![0u64; stride * records.len()];
        rows.par_chunks_mut(stride.max(1)).enumerate().for_each(|(record, row)| {
            for (c, &offset) in compiled.iter().zip(&offsets) {
                c.gather(records, record as RecordIdx, &mut row[offset..offset + c.n_words()]);
            }
        });
        Rows { offsets, stride, rows }
    }

    pub(crate) fn row(&self, record: RecordIdx) -> &[u64] {
        let start = record as usize * self.stride;
        &self.rows[start..start + self.stride]
    }

    /// Hands `each` every pair of `pairs` in turn with its two rows. The rows of several pairs
    /// are copied together first, so that their trips to memory overlap instead of following
    /// one another: a random pair's rows are cache misses.
    pub(crate) fn for_each_pair(
        &self,
        pairs: &[(RecordIdx, RecordIdx)],
        mut each: impl FnMut((RecordIdx, RecordIdx), &[u64], &[u64]),
    ) {
        const GROUP: usize = 16;
        let stride = self.stride;
        if stride == 0 {
            // No comparison needs a word of a record.
            return pairs.iter().for_each(|&pair| each(pair, &[], &[]));
        }
        let mut buffer = vec![0u64; 2 * GROUP * stride];
        for group in pairs.chunks(GROUP) {
            for (rows, &(a, b)) in buffer.chunks_exact_mut(2 * stride).zip(group) {
                let (x, y) = rows.split_at_mut(stride);
                x.copy_from_slice(self.row(a));
                y.copy_from_slice(self.row(b));
            }
            for (rows, &pair) in buffer.chunks_exact(2 * stride).zip(group) {
                let (x, y) = rows.split_at(stride);
                each(pair, x, y);
            }
        }
    }

    /// The level of comparison `k` (of `compiled`) for the pair whose rows are `x` and `y`.
    fn level(
        &self,
        records: &Records,
        compiled: &[Compiled],
        k: usize,
        x: &[u64],
        y: &[u64],
    ) -> Level {
        let c = &compiled[k];
        let words = self.offsets[k]..self.offsets[k] + c.n_words();
        c.level_of(records, &x[words.clone()], &y[words])
    }

    /// The levels of the pair whose rows are `x` and `y`, one per comparison, written into
    /// `levels`.
    pub(crate) fn levels(
        &self,
        records: &Records,
        compiled: &[Compiled],
        (x, y): (&[u64], &[u64]),
        levels: &mut [Level],
    ) {
        for (k, level) in levels.iter_mut().enumerate().take(compiled.len()) {
            *level = self.level(records, compiled, k, x, y);
        }
    }
}

impl Scorer<'_> {
    fn row(&self, record: RecordIdx) -> &[u64] {
        self.rows.row(record)
    }

    /// The level of comparison `k` for the pair whose rows are `x` and `y`.
    fn level(&self, k: usize, x: &[u64], y: &[u64]) -> Level {
        self.rows.level(self.records, &self.compiled, k, x, y)
    }

    /// The levels of the pair `(a, b)`, one per comparison, written into `levels`.
    pub fn levels(&self, a: RecordIdx, b: RecordIdx, levels: &mut [Level]) {
        self.rows.levels(self.records, &self.compiled, (self.row(a), self.row(b)), levels);
    }

    /// The match weight of the pair `(a, b)`.
    pub fn weight(&self, a: RecordIdx, b: RecordIdx) -> f64 {
        self.weight_of_rows(self.row(a), self.row(b))
    }

    /// The match weights of `pairs`, in order, appended to `weights`. Faster than one
    /// [`Scorer::weight`] per pair: the rows of several pairs are fetched together, so that
    /// their trips to memory overlap instead of following one another.
    pub fn weights(&self, pairs: &[(RecordIdx, RecordIdx)], weights: &mut Vec<f64>) {
        self.rows.for_each_pair(pairs, |_, x, y| weights.push(self.weight_of_rows(x, y)));
    }

    /// The match weight of a pair of `levels` whose left record is `a`: what
    /// [`Scorer::weight`] gives, from the levels compared already.
    pub(crate) fn weight_of_levels(&self, a: RecordIdx, levels: &[Level]) -> f64 {
        let x = self.row(a);
        let mut total = self.prior_weight;
        for (k, &level) in levels.iter().enumerate() {
            total += self.weights[k][level as usize] + self.tf_adjustment(k, level, x);
        }
        total
    }

    fn weight_of_rows(&self, x: &[u64], y: &[u64]) -> f64 {
        let mut total = self.prior_weight;
        for k in 0..self.compiled.len() {
            let level = self.level(k, x, y);
            total += self.weights[k][level as usize] + self.tf_adjustment(k, level, x);
        }
        total
    }

    /// The frequency adjustment of comparison `k` at `level`, for the value in row `x`.
    fn tf_adjustment(&self, k: usize, level: Level, x: &[u64]) -> f64 {
        match &self.tf[k] {
            Some(adjustments) if level == 1 && !adjustments.is_empty() => {
                // The id is the word's low half (a name's signature is the high one).
                let id = x[self.rows.offsets[k]] as u32 as usize;
                if id == 0 { 0.0 } else { adjustments[id - 1] }
            }
            _ => 0.0,
        }
    }

    /// The explanation of the pair `(a, b)` under `model` (the model this scorer was made from).
    pub fn explain(&self, model: &Model, a: RecordIdx, b: RecordIdx) -> Explanation {
        let (x, y) = (self.row(a), self.row(b));
        let mut total = self.prior_weight;
        let mut comparisons = Vec::with_capacity(self.compiled.len());
        for (k, params) in model.comparisons.iter().enumerate() {
            let level = self.level(k, x, y);
            let weight = self.weights[k][level as usize];
            let tf_adjustment = self.tf_adjustment(k, level, x);
            total += weight + tf_adjustment;
            comparisons.push(FieldExplanation {
                feature: params.comparison.feature.clone(),
                level,
                label: params.labels[level as usize].clone(),
                weight,
                tf_adjustment,
            });
        }
        Explanation {
            prior_weight: self.prior_weight,
            comparisons,
            total,
            probability: probability(total),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::compare::{Comparison, Kind, LevelName};
    use crate::model::{ComparisonParameters, Model, probability, weight_of};
    use crate::records::{Mode, Records};

    /// A model of one exact comparison of `first`, with term frequencies: m 0.9, u 0.3 when
    /// equal; prior 0.2.
    fn exact_first_names() -> Model {
        let comparison = Comparison {
            feature: "first".into(),
            kind: Kind::Exact,
            term_frequency: true,
            swapped_with: None,
        };
        Model {
            comparisons: vec![ComparisonParameters {
                labels: comparison.labels(),
                comparison,
                m: vec![0.0, 0.9, 0.1],
                u: vec![0.0, 0.3, 0.7],
            }],
            prior: 0.2,
        }
    }

    #[test]
    fn weights_add_up_as_the_explanation_shows() {
        let names = [Some("wei"), Some("wei"), Some("na"), Some("wei"), Some("qiang")];
        let records = Records::new(Mode::Dedupe, 5).text("first", names.into_iter());
        let model = exact_first_names();
        let scorer = model.scorer(&records).expect("fits");
        let explanation = scorer.explain(&model, 0, 1);
        // Prior log2(0.2 / 0.8) = -2; exact: log2(0.9 / 0.3); 'wei' is 3 of 5 values, so the
        // adjustment is log2(0.3 / 0.6) = -1.
        assert!((explanation.prior_weight + 2.0).abs() < 1e-12);
        let field = &explanation.comparisons[0];
        assert_eq!((field.level, &field.label), (1, &LevelName::Exact));
        assert!((field.weight - 3f64.log2()).abs() < 1e-12);
        assert!((field.tf_adjustment + 1.0).abs() < 1e-12);
        assert!((explanation.total - (-3.0 + 3f64.log2())).abs() < 1e-12);
        assert!((scorer.weight(0, 1) - explanation.total).abs() < 1e-12);
        assert!((explanation.probability - probability(explanation.total)).abs() < 1e-12);
        // A rare name agreeing weighs more: 'na' vs 'na' does not occur, so compare 0 and 2.
        let different = scorer.explain(&model, 0, 2);
        assert_eq!(different.comparisons[0].level, 2);
        assert!((different.comparisons[0].weight - (0.1f64 / 0.7).log2()).abs() < 1e-12);
        assert!((weight_of(probability(3.5)) - 3.5).abs() < 1e-9);
    }

    #[test]
    fn weights_of_pairs_in_groups_are_each_pairs_weight() {
        // 40 pairs: two groups of 16 rows fetched together and a part group of 8.
        let names = ["wei", "na", "qiang", "wei", "li", "na", "wei"].map(Some);
        let records = Records::new(Mode::Dedupe, names.len()).text("first", names.into_iter());
        let model = exact_first_names();
        let scorer = model.scorer(&records).expect("fits");
        let pairs: Vec<(u32, u32)> = (0..40u32).map(|i| (i % 7, (i * 3 + 1) % 7)).collect();
        let mut weights = Vec::new();
        scorer.weights(&pairs, &mut weights);
        let each: Vec<f64> = pairs.iter().map(|&(a, b)| scorer.weight(a, b)).collect();
        assert_eq!(weights, each);
        // 'wei' with 'wei' (records 0 and 3): -2 + log2(0.9 / 0.3) + log2(0.3 / (3 / 7));
        // 'wei' with 'na': -2 + log2(0.1 / 0.7).
        assert!((scorer.weight(0, 3) - (-2.0 + 3f64.log2() + 0.7f64.log2())).abs() < 1e-12);
        assert!((scorer.weight(0, 1) - (-2.0 + (0.1f64 / 0.7).log2())).abs() < 1e-12);
        // With no comparison, a row has no word: every pair weighs the prior, log2(0.2 / 0.8).
        let prior_only = Model { comparisons: Vec::new(), prior: 0.2 };
        let mut weights = Vec::new();
        prior_only.scorer(&records).expect("fits").weights(&pairs[..3], &mut weights);
        assert_eq!(weights, [-2.0; 3]);
    }
}
