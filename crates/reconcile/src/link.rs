//! Linkage of any person records, with no census semantics (`censuslink link` and `dedupe`):
//! the first source to each later one, one-to-one or many-to-one, or one source with itself;
//! the links, the clusters they make, and each link's model. No household pass, no rule of
//! the census: what links is what the model says is one person.

use censuslink_linkage::{
    RecordIdx, ScoredPair, Settings, TrainingError, clusters, one_to_one, weight_of,
};
use censuslink_model::PersonTable;
use rayon::prelude::*;

use crate::features::person_records;
use crate::pipeline::{
    Clock, Here, Histogram, Input, Link, LinkModel, LinkSpec, LinkTimes, RecordRef, Scored,
    Scoring, Step, UnionFind,
};

/// How many records of a later source may link to one record of the first source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Cardinality {
    /// At most one each way: each link is the two records' heaviest pair (see
    /// [`censuslink_linkage::one_to_one`]).
    #[default]
    OneToOne,
    /// Each later record links to its heaviest pair in the first source, which may take
    /// several (a patient's admissions to the patient register).
    ManyToOne,
}

impl std::fmt::Display for Cardinality {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Cardinality::OneToOne => "one-to-one",
            Cardinality::ManyToOne => "many-to-one",
        })
    }
}

/// What a linkage task does with a job's sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// Links the first source to each later source.
    Link(Cardinality),
    /// Finds the records of one source that are one person.
    Dedupe,
}

/// What a linkage made.
#[derive(Debug, Clone, Default)]
pub struct Linkage {
    /// The links, by left record then right record: across sources for a link; for a
    /// deduplication, the pairs at the threshold within each cluster.
    pub links: Vec<Link>,
    /// Every usable record in its cluster (records joined by links; a record alone is a
    /// cluster of one): each cluster's records in order, the clusters in order of their first.
    pub clusters: Vec<Vec<RecordRef>>,
    /// Each link's model: one per later source, or the deduplication's.
    pub models: Vec<LinkModel>,
}

impl Linkage {
    /// Candidate pairs blocking made, over all links.
    pub fn candidate_pairs(&self) -> u64 {
        self.models.iter().map(LinkModel::candidate_pairs).sum()
    }
}

/// Why a link's model cannot be trained.
#[derive(Debug, thiserror::Error)]
#[error("{left} ↔ {right}: {source}")]
pub struct LinkError {
    /// The left source.
    pub left: String,
    /// The right source (the left one again for a deduplication).
    pub right: String,
    /// Why.
    #[source]
    pub source: Box<TrainingError>,
}

impl LinkError {
    /// The one line the error is for the analyst, in `lang` (the trainer's own words stay
    /// English).
    pub fn message(&self, lang: censuslink_io::Lang) -> String {
        let (left, right) = (&self.left, &self.right);
        lang.pick(
            format!("无法训练 {left} ↔ {right} 的模型：{}", self.source),
            format!("cannot train the model of {left} ↔ {right}: {}", self.source),
        )
    }
}

/// Links the first of `inputs` to each later one with `settings`, each link with a model of
/// its own, side by side; tells `on_step` of each link, in order.
///
/// # Errors
///
/// The first link whose model cannot be trained (too few records, for one).
pub fn link(
    inputs: &[Input<'_>],
    settings: &Settings,
    cardinality: Cardinality,
    on_step: &mut dyn FnMut(Step<'_>),
) -> Result<Linkage, LinkError> {
    let Some((first, later)) = inputs.split_first() else {
        return Ok(Linkage::default());
    };
    let linked: Vec<Result<(Vec<ScoredPair>, LinkModel), LinkError>> = (1..=later.len())
        .into_par_iter()
        .map(|right| {
            let error = |source| LinkError {
                left: first.name.to_owned(),
                right: inputs[right].name.to_owned(),
                source: Box::new(source),
            };
            let (pairs, model) =
                scored(first.table, Some(inputs[right].table), settings).map_err(error)?;
            let mut clock = Clock::start();
            let min_weight = weight_of(settings.threshold);
            let usable_pairs: Vec<ScoredPair> = pairs
                .into_iter()
                .filter(|p| usable(first.table, p.a) && usable(inputs[right].table, p.b - n(first)))
                .collect();
            let links = match cardinality {
                Cardinality::OneToOne => one_to_one(&usable_pairs, min_weight),
                Cardinality::ManyToOne => heaviest_for_each_right(&usable_pairs, min_weight),
            };
            let model = LinkModel { right: Some(right), ..model };
            let times = LinkTimes { resolve: clock.lap(), ..model.times };
            Ok((links, LinkModel { times, ..model }))
        })
        .collect();
    let mut linkage = Linkage::default();
    for result in linked {
        let (pairs, model) = result?;
        let right = model.right.unwrap_or_default();
        let left_rows = n(first);
        linkage.links.extend(pairs.iter().map(|p| Link {
            left: RecordRef { source: 0, row: p.a },
            right: RecordRef { source: right, row: p.b - left_rows },
            weight: p.weight,
        }));
        on_step(step(inputs, &model, pairs.len()));
        linkage.models.push(model);
    }
    linkage.links.sort_by_key(|l| (l.left, l.right));
    linkage.clusters = components(inputs, &linkage.links);
    Ok(linkage)
}

/// Deduplicates `input` (source 0 of the records it returns) with `settings`: clusters of
/// pairs at the threshold (see [`censuslink_linkage::clusters`]); tells `on_step` when done.
///
/// # Errors
///
/// When the model cannot be trained (too few records, for one).
pub fn dedupe(
    input: Input<'_>,
    settings: &Settings,
    on_step: &mut dyn FnMut(Step<'_>),
) -> Result<Linkage, LinkError> {
    let error = |source| LinkError {
        left: input.name.to_owned(),
        right: input.name.to_owned(),
        source: Box::new(source),
    };
    let (pairs, model) = scored(input.table, None, settings).map_err(error)?;
    let mut clock = Clock::start();
    let threshold = weight_of(settings.threshold);
    let table = input.table;
    let pairs: Vec<ScoredPair> = pairs
        .into_iter()
        .filter(|p| p.weight >= threshold && usable(table, p.a) && usable(table, p.b))
        .collect();
    let assignment = clusters(table.len(), &pairs, threshold);
    let record = |row| RecordRef { source: 0, row };
    let mut links: Vec<Link> = pairs
        .iter()
        .filter(|p| assignment[p.a as usize] == assignment[p.b as usize])
        .map(|p| Link { left: record(p.a), right: record(p.b), weight: p.weight })
        .collect();
    links.sort_by_key(|l| (l.left, l.right));
    let mut members: Vec<Vec<RecordRef>> = vec![Vec::new(); table.len()];
    for (row, &cluster) in assignment.iter().enumerate() {
        if usable(table, row as RecordIdx) {
            members[cluster as usize].push(record(row as RecordIdx));
        }
    }
    let times = LinkTimes { resolve: clock.lap(), ..model.times };
    let model = LinkModel { times, ..model };
    on_step(step(&[input], &model, links.len()));
    Ok(Linkage {
        links,
        clusters: members.into_iter().filter(|c| !c.is_empty()).collect(),
        models: vec![model],
    })
}

/// The candidate pairs of `left` with `right` (or with itself) of probability 0.01 or more,
/// scored by a model trained on them, and the link's model (left source 0; no right source).
fn scored(
    left: &PersonTable,
    right: Option<&PersonTable>,
    settings: &Settings,
) -> Result<(Vec<ScoredPair>, LinkModel), TrainingError> {
    let mut clock = Clock::start();
    let mut times = LinkTimes::default();
    let records = person_records(left, right);
    times.features = clock.lap();
    let spec = LinkSpec {
        left: 0,
        right: right.map(|_| 1),
        settings: settings.clone(),
        min_weight: weight_of(0.01),
        residents: false,
    };
    let Scored { model, training, pairs, rules, .. } =
        Here.score(&spec, &records, None, &mut times)?;
    let link = LinkModel {
        left: 0,
        right: None,
        residents: false,
        model,
        rules,
        training,
        household: None,
        weights: Histogram::of(&pairs),
        threshold: settings.threshold,
        times,
    };
    Ok((pairs, link))
}

/// Each right record's heaviest pair of weight at least `min_weight` (ties to the lower left
/// record).
fn heaviest_for_each_right(pairs: &[ScoredPair], min_weight: f64) -> Vec<ScoredPair> {
    let mut kept: Vec<ScoredPair> =
        pairs.iter().copied().filter(|p| p.weight >= min_weight).collect();
    kept.sort_by(|x, y| x.b.cmp(&y.b).then(y.weight.total_cmp(&x.weight)).then(x.a.cmp(&y.a)));
    kept.dedup_by_key(|p| p.b);
    kept
}

fn n(input: &Input<'_>) -> RecordIdx {
    input.table.len() as RecordIdx
}

fn usable(table: &PersonTable, row: RecordIdx) -> bool {
    table.rejected[row as usize].is_none()
}

/// What [`crate::Progress`] hears of a link: blocking's candidate pairs and the links kept.
fn step<'a>(inputs: &[Input<'a>], model: &LinkModel, links: usize) -> Step<'a> {
    Step {
        left: inputs[model.left].name,
        right: model.right.map(|r| inputs[r].name),
        candidates: model.candidate_pairs() as usize,
        links,
        times: model.times,
    }
}

/// Every usable record of `inputs` in its cluster: the connected components of `links`.
fn components(inputs: &[Input<'_>], links: &[Link]) -> Vec<Vec<RecordRef>> {
    let offsets: Vec<usize> = inputs
        .iter()
        .scan(0, |offset, input| {
            let start = *offset;
            *offset += input.table.len();
            Some(start)
        })
        .collect();
    let index = |r: RecordRef| offsets[r.source] + r.row as usize;
    let total = inputs.iter().map(|input| input.table.len()).sum();
    let mut sets = UnionFind::new(total);
    for link in links {
        sets.union(index(link.left), index(link.right));
    }
    let mut members: Vec<Vec<RecordRef>> = vec![Vec::new(); total];
    for (source, input) in inputs.iter().enumerate() {
        for row in 0..input.table.len() as RecordIdx {
            if usable(input.table, row) {
                let r = RecordRef { source, row };
                members[sets.find(index(r))].push(r);
            }
        }
    }
    members.into_iter().filter(|c| !c.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use censuslink_linkage::ScoredPair;

    use super::heaviest_for_each_right;

    fn pair(a: u32, b: u32, weight: f64) -> ScoredPair {
        ScoredPair { a, b, weight }
    }

    #[test]
    fn many_to_one_gives_each_right_record_its_heaviest_pair_at_the_threshold() {
        // Left 0..3, right 3..6. Right 3's heaviest is left 1; right 4's is left 1 too (one
        // left record may take several); right 5's only pair is under the threshold.
        let pairs =
            [pair(0, 3, 5.0), pair(1, 3, 7.0), pair(1, 4, 6.0), pair(2, 4, 6.0), pair(2, 5, 1.0)];
        let kept = heaviest_for_each_right(&pairs, 2.0);
        assert_eq!(kept, [pair(1, 3, 7.0), pair(1, 4, 6.0)]);
    }
}
