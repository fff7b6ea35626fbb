//! A pair of records, or the pairs behind a candidate of a run's lists, explained field by
//! field under the models the run trained (its `models.json`): what `censuslink explain` prints
//! and the Python package returns.

use std::path::{Path, PathBuf};

use censuslink_io::{Job, Lang};
use censuslink_linkage::Explanation;
use censuslink_reconcile::{HouseholdLinks, Input, JobError, LinkModel, RecordRef};

use crate::evaluate::TruthError;
use crate::models::SavedModel;
use crate::rerun::{CandidatePairs, RecordName, candidate_pairs};

/// What to explain.
#[derive(Debug, Clone, Copy)]
pub enum Pairs<'a> {
    /// The pairs behind a candidate of the run's lists (missing, duplicates, deceased).
    Candidate(&'a str),
    /// Two records, each as the lists name them, `source:key`.
    Records(&'a str, &'a str),
}

/// A pair of records explained.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Explained {
    /// The left record, `source:key`.
    pub left: String,
    /// The right record, `source:key`.
    pub right: String,
    /// The link whose model scored it, `census ↔ hukou`.
    pub link: String,
    /// Field by field.
    pub explanation: Explanation,
}

/// Why pairs cannot be explained.
#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    /// The run's `models.json` cannot be read.
    #[error("cannot read {}", .0.display())]
    NoModels(PathBuf),
    /// No list of the run holds the candidate.
    #[error("no candidate `{id}` in the lists of {}", out.display())]
    NoCandidate {
        /// The candidate ID asked for.
        id: String,
        /// The run's output folder.
        out: PathBuf,
    },
    /// The candidate has no pair of records (a birth, a conflict, a missing person no census
    /// record came near).
    #[error("candidate `{id}` ({list}) has no pair to explain")]
    NoPair {
        /// The candidate ID.
        id: String,
        /// The list that holds it.
        list: &'static str,
    },
    /// A record is not named `source:key`.
    #[error("`{0}` is not of the form source:key")]
    NotARecord(String),
    /// The job has no source of that name.
    #[error("the job has no source `{0}`")]
    NoSource(String),
    /// The source has no record of that key.
    #[error("source {name} has no record of key `{key}`")]
    NoRecord {
        /// The source.
        name: String,
        /// The key asked for.
        key: String,
    },
    /// No model of the run links the two records' sources.
    #[error("{} has no model linking {left} with {right}", path.display())]
    NoModel {
        /// `models.json`.
        path: PathBuf,
        /// The left record's source.
        left: String,
        /// The right record's source.
        right: String,
    },
    /// A list of the run cannot be read.
    #[error(transparent)]
    Lists(#[from] TruthError),
    /// A source cannot be read.
    #[error(transparent)]
    Job(#[from] JobError),
}

impl ExplainError {
    /// The one line the error is for the analyst, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        use ExplainError as E;
        match self {
            E::NoModels(path) => {
                let path = path.display();
                lang.pick(
                    format!(
                        "无法读取 {path}；先用 censuslink run 生成，或用 --out 指向运行的输出文件夹"
                    ),
                    format!(
                        "cannot read {path}; make it with censuslink run first, or point --out \
                         at the run's output folder"
                    ),
                )
            }
            E::NoCandidate { id, out } => lang.pick(
                format!("{} 的清单中没有候选 `{id}`", out.display()),
                format!("no candidate `{id}` in the lists of {}", out.display()),
            ),
            E::NoPair { id, list } => lang.pick(
                format!("候选 `{id}`（{list}）没有可解释的记录对：没有普查记录与它相近"),
                format!(
                    "candidate `{id}` ({list}) has no pair to explain: no census record came \
                     near it"
                ),
            ),
            E::NotARecord(text) => lang.pick(
                format!("`{text}` 不是 source:key 的形式（如 census:3201）"),
                format!("`{text}` is not of the form source:key (census:3201)"),
            ),
            E::NoSource(source) => lang.pick(
                format!("作业中没有数据源 `{source}`"),
                format!("the job has no source `{source}`"),
            ),
            E::NoRecord { name, key } => lang.pick(
                format!("数据源 {name} 中没有编号为 `{key}` 的记录"),
                format!("source {name} has no record of key `{key}`"),
            ),
            E::NoModel { path, left, right } => lang.pick(
                format!(
                    "{} 中没有比对 {left} 与 {right} 的模型；用同一作业重新运行",
                    path.display()
                ),
                format!(
                    "{} has no model linking {left} with {right}; rerun the job",
                    path.display()
                ),
            ),
            E::Lists(err) => err.message(lang),
            E::Job(err) => err.message(lang),
        }
    }
}

/// Explains `pairs` under the models of the run of `job` whose outputs are in `out`, reading
/// only the sources the pairs name.
pub fn explain(job: &Job, out: &Path, pairs: Pairs<'_>) -> Result<Vec<Explained>, ExplainError> {
    let models_path = out.join("models.json");
    let saved = SavedModel::read_all(&models_path)
        .ok_or_else(|| ExplainError::NoModels(models_path.clone()))?;
    let named = |text: &str| -> Result<RecordName, ExplainError> {
        let (source, key) =
            text.split_once(':').ok_or_else(|| ExplainError::NotARecord(text.to_owned()))?;
        Ok((source.to_owned(), key.to_owned()))
    };
    let pairs: Vec<(RecordName, RecordName)> = match pairs {
        Pairs::Candidate(id) => {
            let census = job
                .sources
                .iter()
                .find(|s| s.role == censuslink_model::Role::Census)
                .map_or("census", |s| s.name.as_str());
            let Some(CandidatePairs { list, pairs }) = candidate_pairs(out, id, census)? else {
                return Err(ExplainError::NoCandidate { id: id.to_owned(), out: out.to_owned() });
            };
            if pairs.is_empty() {
                return Err(ExplainError::NoPair { id: id.to_owned(), list });
            }
            pairs
        }
        Pairs::Records(a, b) => vec![(named(a)?, named(b)?)],
    };

    // Load only the sources the pairs name.
    let mut job = job.clone();
    job.sources.retain(|s| pairs.iter().any(|(a, b)| a.0 == s.name || b.0 == s.name));
    for (source, _) in pairs.iter().flat_map(|(a, b)| [a, b]) {
        if !job.sources.iter().any(|s| &s.name == source) {
            return Err(ExplainError::NoSource(source.clone()));
        }
    }
    let (loaded, _) = censuslink_reconcile::load_sources(&job, None, &mut ())?;
    let inputs: Vec<Input<'_>> =
        loaded.iter().map(|(name, role, l)| Input { name, role: *role, table: &l.table }).collect();
    let index = |name: &str| inputs.iter().position(|i| i.name == name);
    let find = |(source, key): &RecordName| -> Result<RecordRef, ExplainError> {
        let i = index(source).unwrap_or_default();
        let table = inputs[i].table;
        (0..table.len())
            .find(|&row| table.record_id.get(row) == Some(key.as_str()))
            .map(|row| RecordRef { source: i, row: row as u32 })
            .ok_or_else(|| ExplainError::NoRecord { name: source.clone(), key: key.clone() })
    };

    let mut explained = Vec::with_capacity(pairs.len());
    for (a, b) in &pairs {
        let (ra, rb) = (find(a)?, find(b)?);
        // The link that joins the two records' sources (explain_pair declines the others).
        let found = saved.iter().find_map(|m| {
            let link = saved_link(m, &inputs, ra, rb)?;
            let explanation = censuslink_reconcile::explain_pair(&inputs, &link, ra, rb)?;
            let name = format!("{} ↔ {}", m.left, m.right.as_deref().unwrap_or(&m.left));
            Some((name, explanation))
        });
        let Some((link, explanation)) = found else {
            return Err(ExplainError::NoModel {
                path: models_path,
                left: a.0.clone(),
                right: b.0.clone(),
            });
        };
        explained.push(Explained {
            left: ra.name(&inputs),
            right: rb.name(&inputs),
            link,
            explanation,
        });
    }
    Ok(explained)
}

/// The saved model `m` as a link of `inputs`, with the household's evidence when the
/// household pass linked `ra` and `rb`; `None` when `inputs` lack its sources.
fn saved_link(
    m: &SavedModel,
    inputs: &[Input<'_>],
    ra: RecordRef,
    rb: RecordRef,
) -> Option<LinkModel> {
    let index = |name: &str| inputs.iter().position(|i| i.name == name);
    let left = index(&m.left)?;
    let household = m.household.as_ref().and_then(|household| {
        let (a, b) = (ra.key(inputs), rb.key(inputs));
        let decided = household
            .links
            .iter()
            .any(|(l, r)| (l.as_str(), r.as_str()) == (a, b) || (l.as_str(), r.as_str()) == (b, a));
        let pair = if ra.source == left { (ra.row, rb.row) } else { (rb.row, ra.row) };
        decided.then(|| HouseholdLinks { weight: household.weight, pairs: vec![pair] })
    });
    Some(LinkModel {
        left,
        right: match &m.right {
            Some(right) => Some(index(right)?),
            None => None,
        },
        residents: m.residents,
        model: m.model.clone(),
        rules: Vec::new(),
        training: Default::default(),
        household,
        weights: Default::default(),
        threshold: m.threshold,
        times: Default::default(),
    })
}
