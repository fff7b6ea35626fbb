//! The library's side of `censuslink.spark`: what a Spark task computes of a link from the
//! records it holds (`censuslink_reconcile::shard`), as functions of pyarrow tables and JSON
//! text, and a run whose links are scored and resolved by a Python object that runs them on
//! Spark.
//!
//! Tables a task is given hold standardized records (the columns `standardize_file` makes)
//! beside these: `side` (0 the link's left source, 1 its right), `position` (the record's
//! position in its source); a share of blocks also `set`, `rule`, `key` (one row per record
//! and block it is in); a share of random pairs `pair` and `end` (0 the pair's first record,
//! 1 its second). Blocking keys are unsigned 64-bit numbers carried in Spark's `long`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{
    ArrayRef, Float64Array, Int8Array, Int32Array, Int64Array, RecordBatch, UInt32Array,
};
use arrow_pyarrow::{PyArrowType, Table as ArrowTable};
use arrow_schema::{DataType, Field, Schema};
use censuslink_linkage::{
    BlockSizes, Model, RecordIdx, Records, ScoredPair, TermCounts, TrainingCounts, TrainingError,
};
use censuslink_reconcile::shard::{self, Share, ShareBlock};
use censuslink_reconcile::{LinkSpec, LinkTimes, Progress, Scored, Scoring};
use pyo3::prelude::*;

use crate::{Asked, raise, run_into};

/// The rows of a pyarrow table, as one record batch.
fn batch_of(table: PyArrowType<ArrowTable>) -> PyResult<RecordBatch> {
    let (batches, schema) = table.0.into_inner();
    arrow_select::concat::concat_batches(&schema, &batches).map_err(|err| raise(err.to_string()))
}

/// A record batch as a pyarrow table.
fn table_of(batch: RecordBatch) -> PyResult<PyArrowType<ArrowTable>> {
    let schema = batch.schema();
    ArrowTable::try_new(vec![batch], schema).map(PyArrowType).map_err(|err| raise(err.to_string()))
}

/// A column of integers, whatever Spark made of its width.
fn integers(batch: &RecordBatch, name: &str) -> PyResult<Vec<i64>> {
    let column = batch.column_by_name(name).ok_or_else(|| raise(format!("no column `{name}`")))?;
    let column =
        arrow_cast::cast(column, &DataType::Int64).map_err(|err| raise(err.to_string()))?;
    Ok(column.as_primitive::<Int64Type>().iter().map(|v| v.unwrap_or(0)).collect())
}

fn spec_of(spec: &str) -> PyResult<LinkSpec> {
    serde_json::from_str(spec).map_err(|err| raise(format!("link: {err}")))
}

fn json<T: serde::Serialize>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|err| raise(err.to_string()))
}

fn parsed<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> PyResult<T> {
    serde_json::from_str(text).map_err(|err| raise(format!("{what}: {err}")))
}

fn trained<T>(result: Result<T, TrainingError>) -> PyResult<T> {
    result.map_err(|err| raise(err.to_string()))
}

/// A record's number in a share, by its (side, position).
type Numbers = BTreeMap<(i64, i64), RecordIdx>;

/// The records of `batch`, each (side, position) once, in (side, position) order: the share
/// they make, and each record's number in it.
fn share_of(batch: &RecordBatch, dedupe: bool) -> PyResult<(Share, Numbers)> {
    let sides = integers(batch, "side")?;
    let positions = integers(batch, "position")?;
    let mut order: Vec<usize> = (0..batch.num_rows()).collect();
    order.sort_by_key(|&row| (sides[row], positions[row]));
    order.dedup_by_key(|row| (sides[*row], positions[*row]));
    let take = |rows: &[usize]| -> PyResult<(censuslink_model::PersonTable, Vec<u32>)> {
        let indices = UInt32Array::from_iter_values(rows.iter().map(|&row| row as u32));
        let taken = arrow_select::take::take_record_batch(batch, &indices)
            .map_err(|err| raise(err.to_string()))?;
        let table = censuslink_io::person_table(&taken).map_err(|err| raise(err.to_string()))?;
        Ok((table, rows.iter().map(|&row| positions[row] as u32).collect()))
    };
    let split = order.partition_point(|&row| sides[row] == 0);
    let (left, left_positions) = take(&order[..split])?;
    let right = if dedupe { None } else { Some(take(&order[split..])?) };
    let numbers =
        order.iter().enumerate().map(|(i, &row)| ((sides[row], positions[row]), i as RecordIdx));
    Ok((Share { left, left_positions, right }, numbers.collect()))
}

/// The blocks of a share's rows: rows of one (set, rule, key) are a block, its members their
/// records (`numbers`: the share's).
fn blocks_of(batch: &RecordBatch, numbers: &Numbers) -> PyResult<Vec<ShareBlock>> {
    let (sets, rules, keys) =
        (integers(batch, "set")?, integers(batch, "rule")?, integers(batch, "key")?);
    let (sides, positions) = (integers(batch, "side")?, integers(batch, "position")?);
    let mut blocks: BTreeMap<(i64, i64, i64), Vec<RecordIdx>> = BTreeMap::new();
    for row in 0..batch.num_rows() {
        let number = numbers[&(sides[row], positions[row])];
        blocks.entry((sets[row], rules[row], keys[row])).or_default().push(number);
    }
    Ok(blocks
        .into_iter()
        .map(|((set, rule, key), mut members)| {
            members.sort_unstable();
            members.dedup();
            ShareBlock { set: set as u8, rule: rule as usize, key: key as u64, members }
        })
        .collect())
}

/// The standardized columns the tasks of the link `spec` read of its records.
#[pyfunction]
pub(crate) fn link_columns(spec: &str) -> PyResult<Vec<String>> {
    Ok(shard::columns(&spec_of(spec)?))
}

/// The blocking keys of `records` (a task's share of the link `spec`'s records) under every
/// rule: a table of `set`, `rule`, `key`, `side`, `position`.
#[pyfunction]
pub(crate) fn link_keys(
    py: Python<'_>,
    spec: &str,
    records: PyArrowType<ArrowTable>,
) -> PyResult<PyArrowType<ArrowTable>> {
    let spec = spec_of(spec)?;
    let batch = batch_of(records)?;
    let (share, _) = share_of(&batch, spec.right.is_none())?;
    let keys = trained(py.detach(|| shard::keys(&spec, &share)))?;
    let n_left = share.left_positions.len();
    let side = |r: RecordIdx| i8::from(r as usize >= n_left);
    let position = |r: RecordIdx| match (r as usize).checked_sub(n_left) {
        None => share.left_positions[r as usize],
        Some(i) => share.right.as_ref().map_or(0, |(_, positions)| positions[i]),
    };
    let columns: Vec<ArrayRef> = vec![
        std::sync::Arc::new(keys.iter().map(|k| k.0 as i8).collect::<Int8Array>()),
        std::sync::Arc::new(keys.iter().map(|k| k.1 as i32).collect::<Int32Array>()),
        std::sync::Arc::new(keys.iter().map(|k| k.2 as i64).collect::<Int64Array>()),
        std::sync::Arc::new(keys.iter().map(|k| side(k.3)).collect::<Int8Array>()),
        std::sync::Arc::new(keys.iter().map(|k| i64::from(position(k.3))).collect::<Int64Array>()),
    ];
    let schema = Schema::new(vec![
        Field::new("set", DataType::Int8, false),
        Field::new("rule", DataType::Int32, false),
        Field::new("key", DataType::Int64, false),
        Field::new("side", DataType::Int8, false),
        Field::new("position", DataType::Int64, false),
    ]);
    let batch =
        RecordBatch::try_new(Arc::new(schema), columns).map_err(|e| raise(e.to_string()))?;
    table_of(batch)
}

/// The term counts of `records` (a task's share), as JSON text.
#[pyfunction]
pub(crate) fn link_terms(spec: &str, records: PyArrowType<ArrowTable>) -> PyResult<String> {
    let spec = spec_of(spec)?;
    let (share, _) = share_of(&batch_of(records)?, spec.right.is_none())?;
    json(&shard::term_counts(&spec, &share))
}

/// Term counts added up (each JSON text of `link_terms`), as JSON text.
#[pyfunction]
pub(crate) fn add_terms(counts: Vec<String>) -> PyResult<String> {
    let mut total = TermCounts::default();
    for text in &counts {
        total.add(parsed(text, "term counts")?);
    }
    json(&total)
}

/// What a share of whole blocks (`rows`) gives training: JSON text of `[counts, pairs by
/// rule]`; `sizes` the JSON list of each rule set's block sizes.
#[pyfunction]
pub(crate) fn link_counts(
    py: Python<'_>,
    spec: &str,
    sizes: &str,
    n_left: usize,
    rows: PyArrowType<ArrowTable>,
) -> PyResult<String> {
    let spec = spec_of(spec)?;
    let sizes: Vec<BlockSizes> = parsed(sizes, "block sizes")?;
    let batch = batch_of(rows)?;
    let (share, numbers) = share_of(&batch, spec.right.is_none())?;
    let blocks = blocks_of(&batch, &numbers)?;
    let counted = py.detach(|| shard::counts(&spec, &share, n_left, blocks, &sizes));
    json(&trained(counted)?)
}

/// The chunks of the seeded random pairs of the link u is estimated from.
#[pyfunction]
pub(crate) fn link_random_chunks(spec: &str) -> PyResult<usize> {
    Ok(shard::random_chunks(&spec_of(spec)?))
}

/// The seeded random pairs of chunk `chunk`: a table of `a`, `b` (numbers in the link).
#[pyfunction]
pub(crate) fn link_random_pairs(
    spec: &str,
    n_left: usize,
    len: usize,
    chunk: usize,
) -> PyResult<PyArrowType<ArrowTable>> {
    let pairs = shard::random_chunk(&spec_of(spec)?, n_left, len, chunk);
    numbers_table(["a", "b"], &pairs)
}

/// A table of two columns of record numbers, named `names`, a row per pair of `rows`.
fn numbers_table(
    names: [&str; 2],
    rows: &[(RecordIdx, RecordIdx)],
) -> PyResult<PyArrowType<ArrowTable>> {
    let columns: Vec<ArrayRef> = vec![
        Arc::new(rows.iter().map(|p| i64::from(p.0)).collect::<Int64Array>()),
        Arc::new(rows.iter().map(|p| i64::from(p.1)).collect::<Int64Array>()),
    ];
    let schema = Schema::new(names.map(|name| Field::new(name, DataType::Int64, false)).to_vec());
    table_of(RecordBatch::try_new(Arc::new(schema), columns).map_err(|e| raise(e.to_string()))?)
}

/// Per comparison, the levels of the random `pairs` (a table of `a`, `b`: numbers in the
/// link) whose records `records` holds, counted: JSON text.
#[pyfunction]
pub(crate) fn link_levels(
    py: Python<'_>,
    spec: &str,
    n_left: usize,
    pairs: PyArrowType<ArrowTable>,
    records: PyArrowType<ArrowTable>,
) -> PyResult<String> {
    let spec = spec_of(spec)?;
    let dedupe = spec.right.is_none();
    let (share, number) = share_of(&batch_of(records)?, dedupe)?;
    let pairs = batch_of(pairs)?;
    let (a, b) = (integers(&pairs, "a")?, integers(&pairs, "b")?);
    let held = |link_number: i64| {
        let at = match (dedupe, link_number.checked_sub(n_left as i64)) {
            (false, Some(position)) if position >= 0 => (1, position),
            _ => (0, link_number),
        };
        number.get(&at).copied().ok_or_else(|| raise("a random pair's record is not held".into()))
    };
    let numbered: Vec<(RecordIdx, RecordIdx)> =
        (0..pairs.num_rows()).map(|i| Ok((held(a[i])?, held(b[i])?))).collect::<PyResult<_>>()?;
    let counted = py.detach(|| shard::levels(&spec, &share, &numbered));
    json(&trained(counted)?)
}

/// The link's model fitted to every share's counts (`counts`: `link_counts`'s texts) and u's
/// level counts (`levels`: `link_levels`'s), of `len` records, `n_left` on the left:
/// `(model, training report, pairs by rule)` as JSON texts.
#[pyfunction]
#[pyo3(signature = (spec, counts, levels, n_left, len, anchor_model=None))]
pub(crate) fn link_fit(
    spec: &str,
    counts: Vec<String>,
    levels: Vec<String>,
    n_left: usize,
    len: usize,
    anchor_model: Option<&str>,
) -> PyResult<(String, String, String)> {
    let spec = spec_of(spec)?;
    let mut total = TrainingCounts::default();
    let mut pairs_by_rule: Vec<u64> = vec![0; spec.settings.blocking.len()];
    for text in &counts {
        let (share, pairs): (TrainingCounts, Vec<u64>) = parsed(text, "training counts")?;
        total.add(share);
        pairs_by_rule.iter_mut().zip(pairs).for_each(|(total, n)| *total += n);
    }
    for text in &levels {
        let share: Vec<Vec<u64>> = parsed(text, "level counts")?;
        total.add(TrainingCounts { u: share, ..TrainingCounts::default() });
    }
    let anchor: Option<Model> = anchor_model.map(|text| parsed(text, "model")).transpose()?;
    let (model, report) = trained(shard::fit(&spec, &total, n_left, len, anchor.as_ref()))?;
    Ok((json(&model)?, json(&report)?, json(&pairs_by_rule)?))
}

/// The pairs of a share of whole blocks (`rows`) scored by `model` with the link's term counts
/// `terms`, those of at least the link's least weight: a table of `a`, `b` (numbers in the
/// link) and `weight`.
#[pyfunction]
pub(crate) fn link_pairs(
    py: Python<'_>,
    spec: &str,
    sizes: &str,
    n_left: usize,
    model: &str,
    terms: &str,
    rows: PyArrowType<ArrowTable>,
) -> PyResult<PyArrowType<ArrowTable>> {
    let spec = spec_of(spec)?;
    let sizes: Vec<BlockSizes> = parsed(sizes, "block sizes")?;
    let model: Model = parsed(model, "model")?;
    let terms: TermCounts = parsed(terms, "term counts")?;
    let batch = batch_of(rows)?;
    let (share, numbers) = share_of(&batch, spec.right.is_none())?;
    let blocks = blocks_of(&batch, &numbers)?;
    let pairs =
        trained(py.detach(|| shard::pairs(&spec, &share, n_left, blocks, &sizes, &model, &terms)))?;
    pairs_table(&pairs)
}

fn pairs_table(pairs: &[ScoredPair]) -> PyResult<PyArrowType<ArrowTable>> {
    let columns: Vec<ArrayRef> = vec![
        Arc::new(pairs.iter().map(|p| i64::from(p.a)).collect::<Int64Array>()),
        Arc::new(pairs.iter().map(|p| i64::from(p.b)).collect::<Int64Array>()),
        Arc::new(pairs.iter().map(|p| p.weight).collect::<Float64Array>()),
    ];
    let schema = Schema::new(vec![
        Field::new("a", DataType::Int64, false),
        Field::new("b", DataType::Int64, false),
        Field::new("weight", DataType::Float64, false),
    ]);
    table_of(RecordBatch::try_new(Arc::new(schema), columns).map_err(|e| raise(e.to_string()))?)
}

/// The pairs of a table of `a`, `b`, `weight`, in its rows' order.
fn pairs_of(table: PyArrowType<ArrowTable>) -> PyResult<Vec<ScoredPair>> {
    let batch = batch_of(table)?;
    let (a, b) = (integers(&batch, "a")?, integers(&batch, "b")?);
    let weight =
        batch.column_by_name("weight").ok_or_else(|| raise("no column `weight`".into()))?;
    let weight =
        arrow_cast::cast(weight, &DataType::Float64).map_err(|err| raise(err.to_string()))?;
    let weights = weight.as_primitive::<arrow_array::types::Float64Type>();
    Ok((0..batch.num_rows())
        .map(|i| ScoredPair {
            a: a[i] as RecordIdx,
            b: b[i] as RecordIdx,
            weight: weights.value(i),
        })
        .collect())
}

/// The clusters of a connected component's pairs (`pairs`: a table of `a`, `b`, `weight`, a
/// deduplication's records), those of at least `min_weight`: a table of `record`, `cluster`
/// (see `censuslink_linkage::component_clusters`).
#[pyfunction]
pub(crate) fn component_clusters(
    pairs: PyArrowType<ArrowTable>,
    min_weight: f64,
) -> PyResult<PyArrowType<ArrowTable>> {
    let assigned = censuslink_linkage::component_clusters(&pairs_of(pairs)?, min_weight);
    numbers_table(["record", "cluster"], &assigned)
}

/// Scoring by a Python object, one call at a time, each a link's work on a cluster:
/// - `score(spec, anchor_model)` (JSON texts; `None` without an anchor model) returns
///   `(model, training, rules, pairs)`: the model, its training report and the rules'
///   figures as JSON texts, and the pairs as a table of `a`, `b`, `weight`;
/// - `one_to_one(spec, pairs, min_weight)`: the one-to-one links among `pairs` (such a table);
/// - `clusters(spec, pairs, min_weight)`: a table of `record`, `cluster` for every record of the
///   pairs at `min_weight`, in clusters as `censuslink_linkage::clusters` makes them.
///
/// The first error it raises stops the run, and is raised by it.
#[derive(Debug)]
struct Callback {
    cluster: Py<PyAny>,
    failed: Mutex<Option<PyErr>>,
}

impl Callback {
    /// Calls `method` of the cluster with `args`, one call at a time; after a failure, none.
    fn call<T>(
        &self,
        method: &str,
        args: impl FnOnce(Python<'_>) -> PyResult<Py<pyo3::types::PyTuple>>,
        answer: impl FnOnce(Python<'_>, Py<PyAny>) -> PyResult<T>,
    ) -> Option<T> {
        let mut failed = self.failed.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if failed.is_some() {
            return None;
        }
        let result = Python::attach(|py| {
            let args = args(py)?;
            let result = self.cluster.call_method1(py, method, args.bind(py).clone())?;
            answer(py, result)
        });
        result.map_err(|err| *failed = Some(err)).ok()
    }

    fn has_failed(&self) -> bool {
        self.failed.lock().map_or(true, |failed| failed.is_some())
    }
}

impl Scoring for Callback {
    fn score<'a>(
        &self,
        spec: &LinkSpec,
        records: &'a Records,
        anchor_model: Option<&Model>,
        _times: &mut LinkTimes,
    ) -> Result<Scored<'a>, TrainingError> {
        let args = |py: Python<'_>| {
            let spec = json(spec)?;
            let anchor = anchor_model.map(json).transpose()?;
            Ok((spec, anchor).into_pyobject(py)?.unbind())
        };
        let answer = |py: Python<'_>, result: Py<PyAny>| {
            let (model, training, rules, pairs): (String, String, String, PyArrowType<ArrowTable>) =
                result.extract(py)?;
            let mut pairs = pairs_of(pairs)?;
            pairs.sort_by_key(|p| (p.a, p.b));
            let model: Model = parsed(&model, "model")?;
            Ok((model, parsed(&training, "training")?, parsed(&rules, "rules")?, pairs))
        };
        // After a failure, the run stops; the error it reports is the callback's.
        let (model, training, rules, pairs) =
            self.call("score", args, answer).ok_or(TrainingError::TooFewRecords)?;
        let scorer = model.scorer(records)?;
        Ok(Scored { model, training, scorer, pairs, rules })
    }

    fn one_to_one(
        &self,
        spec: &LinkSpec,
        pairs: &[ScoredPair],
        min_weight: f64,
    ) -> Vec<ScoredPair> {
        let args = |py: Python<'_>| resolve_args(py, spec, pairs, min_weight);
        let answer = |py: Python<'_>, result: Py<PyAny>| pairs_of(result.extract(py)?);
        let mut links = self.call("one_to_one", args, answer).unwrap_or_default();
        links.sort_by(ScoredPair::heavier_first);
        links
    }

    fn clusters(
        &self,
        spec: &LinkSpec,
        n: usize,
        pairs: &[ScoredPair],
        min_weight: f64,
    ) -> Vec<RecordIdx> {
        let args = |py: Python<'_>| resolve_args(py, spec, pairs, min_weight);
        let answer = |py: Python<'_>, result: Py<PyAny>| {
            let batch = batch_of(result.extract(py)?)?;
            Ok(integers(&batch, "record")?.into_iter().zip(integers(&batch, "cluster")?).collect())
        };
        let assigned: Vec<(i64, i64)> = self.call("clusters", args, answer).unwrap_or_default();
        let mut assignment: Vec<RecordIdx> = (0..n as RecordIdx).collect();
        for (record, cluster) in assigned {
            if let Some(slot) = assignment.get_mut(record as usize) {
                *slot = cluster as RecordIdx;
            }
        }
        assignment
    }

    /// The cluster scores one link at a time: a second link's records would only wait.
    fn side_by_side(&self) -> bool {
        false
    }
}

/// The arguments of a resolution's call: the link (JSON text), its pairs (a table), the least
/// weight of a link.
fn resolve_args(
    py: Python<'_>,
    spec: &LinkSpec,
    pairs: &[ScoredPair],
    min_weight: f64,
) -> PyResult<Py<pyo3::types::PyTuple>> {
    Ok((json(spec)?, pairs_table(pairs)?, min_weight).into_pyobject(py)?.unbind())
}

/// A run's progress that stops the run once the callback has failed.
struct StopOnFailure<'a>(&'a Callback);

impl Progress for StopOnFailure<'_> {
    fn is_cancelled(&self) -> bool {
        self.0.has_failed()
    }
}

/// Runs the job at `job_path` as `censuslink run` does, writing every output into `out` (each
/// source's standardized records too, with `standardized`), each link's work done by the
/// Python object `cluster` (see `Callback`).
#[pyfunction]
#[pyo3(signature = (job_path, out, cluster, lang=None, standardized=false))]
pub(crate) fn run_scored(
    py: Python<'_>,
    job_path: &str,
    out: &str,
    cluster: Py<PyAny>,
    lang: Option<&str>,
    standardized: bool,
) -> PyResult<()> {
    let callback = Callback { cluster, failed: Mutex::new(None) };
    let mut progress = StopOnFailure(&callback);
    let asked = Asked { job_path, out, lang, standardized };
    let result = run_into(py, &asked, &callback, &mut progress, |_| ())?;
    if let Some(err) = callback.failed.lock().ok().and_then(|mut failed| failed.take()) {
        return Err(err);
    }
    result.map_err(raise)
}
