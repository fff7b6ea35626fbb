//! Record linkage, domain-agnostic: records as feature columns ([`Records`]), blocking rules
//! that choose the candidate pairs ([`Blocking`]), comparisons that grade each pair field by
//! field ([`Comparison`]), a Fellegi–Sunter model trained without labels ([`train`]: u from
//! random pairs, m anchored on near-certain pairs and refined by EM, term frequencies), scoring
//! ([`predict`]), resolution ([`one_to_one`], [`clusters`]) and the explanation of any pair.
//!
//! ```
//! use censuslink_linkage::{
//!     Blocking, BlockingRule, Comparison, Kind, Mode, PackedDate, Records, TrainingSettings,
//!     clusters, predict, train,
//! };
//!
//! let names = ["amy", "amy", "bob", "bob", "cat", "dan", "eve", "fay"];
//! let births = [(1980, 1, 2), (1980, 1, 2), (1975, 5, 5), (1975, 5, 5), (1990, 3, 3),
//!               (1961, 4, 4), (1999, 9, 9), (1980, 1, 2)];
//! let records = Records::new(Mode::Dedupe, names.len())
//!     .text("first", names.iter().map(|n| Some(*n)))
//!     .date("birth", births.iter().map(|&(y, m, d)| Some(PackedDate::new(y, m, d))));
//! let comparisons = [
//!     Comparison { feature: "first".into(), kind: Kind::Exact, term_frequency: false, swapped_with: None },
//!     Comparison { feature: "birth".into(), kind: Kind::Date, term_frequency: false, swapped_with: None },
//! ];
//! let rules = [BlockingRule { name: "birth".into(), keys: vec!["birth".into()] },
//!              BlockingRule { name: "first".into(), keys: vec!["first".into()] }];
//! let blocking = Blocking::new(&records, &rules).expect("valid rules");
//! let settings = TrainingSettings { anchor: vec!["first".into(), "birth".into()],
//!                                   ..TrainingSettings::default() };
//! let (model, _report) = train(&records, &comparisons, &blocking, &settings).expect("trainable");
//! let scorer = model.scorer(&records).expect("the model fits");
//! let (pairs, _stats) = predict(&scorer, &blocking, u64::MAX, 0.0);
//! let assignment = clusters(records.len(), &pairs, 0.0);
//! assert_eq!(assignment, [0, 0, 2, 2, 4, 5, 6, 7]);
//! let explanation = scorer.explain(&model, 0, 1);
//! assert_eq!(explanation.comparisons[0].label, censuslink_linkage::LevelName::Exact);
//! ```

#![warn(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

use rayon::slice::ParallelSliceMut;

mod blocking;
mod compare;
mod model;
mod records;
mod resolve;
mod similarity;
mod train;

pub use crate::blocking::{
    BlockSizes, Blocking, BlockingError, BlockingRule, RuleBlocks, RuleStats,
};
pub use crate::compare::{Comparison, ComparisonError, Kind, Level, LevelName};
pub use crate::model::{
    ComparisonParameters, Explanation, FieldExplanation, MAX_WEIGHT, Model, Scorer, TermCounts,
    probability, weight_of,
};
pub use crate::records::{
    Dictionary, Feature, Mode, NameDictionaries, OtherNames, PackedDate, PackedId, RecordIdx,
    Records, SourceName, SourceText, Strings,
};
pub use crate::resolve::{ScoredPair, clusters, component_clusters, one_to_one, stable_id};
pub use crate::train::{
    Candidates, Counter, EmPass, LevelNote, LevelWhy, MIN_ANCHORED, MOVED_BITS, Patterns,
    RANDOM_CHUNK, TrainingCounts, TrainingError, TrainingReport, TrainingSettings, fit,
    random_chunk, random_chunks, random_pairs, train, train_candidates, train_scorer,
    train_scorer_with,
};

/// A linkage job's settings, as the `[linkage]` table of a job file gives them:
///
/// ```toml
/// [linkage]
/// threshold = 0.9
/// comparisons = [
///     { feature = "given_name", kind = "jaro_winkler", thresholds = [0.92, 0.8], term_frequency = true },
///     { feature = "birth_date", kind = "date" },
/// ]
/// blocking = [{ name = "birth date", keys = ["birth_date"] }]
/// training = { anchor = ["given_name", "birth_date"] }
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The comparisons, one per feature compared.
    pub comparisons: Vec<Comparison>,
    /// The blocking rules whose union gives the candidate pairs.
    pub blocking: Vec<BlockingRule>,
    /// How the model is trained.
    #[serde(default)]
    pub training: TrainingSettings,
    /// The match probability at or above which a pair is a link.
    #[serde(default = "default_threshold")]
    pub threshold: f64,
}

fn default_threshold() -> f64 {
    0.9
}

impl Settings {
    /// The features the settings read: each comparison's (and the feature it may be swapped
    /// with), each blocking and EM rule's keys', the anchor's; in order, once each.
    pub fn features(&self) -> Vec<&str> {
        let compared = self
            .comparisons
            .iter()
            .flat_map(|c| std::iter::once(c.feature.as_str()).chain(c.swapped_with.as_deref()));
        let rules = self.blocking.iter().chain(&self.training.em_rules);
        let keyed =
            rules.flat_map(|rule| rule.keys.iter().map(|key| key.split('.').next().unwrap_or("")));
        let anchored = self.training.anchor.iter().map(String::as_str);
        let mut features: Vec<&str> = compared.chain(keyed).chain(anchored).collect();
        features.sort_unstable();
        features.dedup();
        features
    }

    /// Checks every name the settings give against the features of `records` (none need
    /// hold a record: the features of an empty set of records are the names there are): each
    /// comparison's feature, kind, levels and swapped feature, each blocking rule's and EM
    /// rule's keys and their parts, each anchor. A misspelt name is an error naming it and
    /// the names there are, before anything is read or trained.
    ///
    /// # Errors
    ///
    /// The first name that does not fit: [`TrainingError::Comparison`],
    /// [`TrainingError::Blocking`], [`TrainingError::Rule`] (an EM rule) or
    /// [`TrainingError::AnchorWithoutComparison`].
    pub fn check(&self, records: &Records) -> Result<(), TrainingError> {
        for comparison in &self.comparisons {
            comparison.compile(records)?;
        }
        Blocking::new(records, &self.blocking).map_err(TrainingError::Blocking)?;
        Blocking::new(records, &self.training.em_rules)?;
        match self.training.anchor.iter().find(|&anchor| {
            !self.comparisons.iter().any(|comparison| &comparison.feature == anchor)
        }) {
            Some(anchor) => Err(TrainingError::AnchorWithoutComparison(anchor.clone())),
            None => Ok(()),
        }
    }
}

/// Scores every candidate pair of `blocking` (blocks over `cap` pairs skipped, as its
/// [`RuleStats`] report) and keeps those of weight at least `min_weight`, in (a, b) order:
/// whatever the thread count, and whatever the blocks' keys (records keyed elsewhere come out
/// the same); returns them with each rule's figures.
pub fn predict(
    scorer: &Scorer<'_>,
    blocking: &Blocking,
    cap: u64,
    min_weight: f64,
) -> (Vec<ScoredPair>, Vec<RuleStats>) {
    let (chunks, stats) = blocking.for_each_chunk(cap, |pairs| {
        let mut weights = Vec::with_capacity(pairs.len());
        scorer.weights(pairs, &mut weights);
        pairs
            .iter()
            .zip(weights)
            .filter(|&(_, weight)| weight >= min_weight)
            .map(|(&(a, b), weight)| ScoredPair { a, b, weight })
            .collect::<Vec<_>>()
    });
    let mut pairs: Vec<ScoredPair> = chunks.into_iter().flatten().collect();
    pairs.par_sort_unstable_by_key(|pair| (pair.a, pair.b));
    (pairs, stats)
}
