//! `censuslink._native`, the extension module of the Python package: a job run, linkage and
//! deduplication of Arrow tables, the explanation of a pair, standardization of one value. Tables cross the boundary
//! through the Arrow C data interface (`__arrow_c_stream__`: pyarrow, polars and others), not
//! copied column by column and never through CSV; every error is a `censuslink.Error` whose
//! message is the one line the binary prints. The Python wrapper (`python/censuslink/`) builds
//! the job tables and documents the API.

use std::path::Path;

use arrow_array::{RecordBatch, RecordBatchIterator};
use arrow_pyarrow::{PyArrowType, Table as ArrowTable};
use censuslink_io::{Job, Lang, Table};
use censuslink_reconcile::{Cardinality, Here, LinkRun, Progress, Scoring, Task};
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyDict;

mod spark;

pyo3::create_exception!(
    censuslink,
    Error,
    PyException,
    "A job that cannot be run, a file or table that cannot be read, an output that cannot \
     be written: the message is the one line the command line prints."
);

/// The error as Python sees it: its one line in `lang`.
fn raise(message: String) -> PyErr {
    Error::new_err(message)
}

/// The language asked for, if any.
fn lang_of(lang: Option<&str>) -> PyResult<Option<Lang>> {
    lang.map(|text| text.parse().map_err(|_| raise(format!("lang `{text}` is not one of zh, en"))))
        .transpose()
}

/// An io table as a pyarrow table, handed over without a copy.
fn to_python(table: &Table) -> PyResult<PyArrowType<ArrowTable>> {
    let batch = table.record_batch();
    let schema = batch.schema();
    ArrowTable::try_new(vec![batch], schema).map(PyArrowType).map_err(|err| raise(err.to_string()))
}

/// Runs the job at `job_path` as `censuslink run` does, writing every output into `out` (each
/// source's standardized records too, with `standardized`); the lists as pyarrow tables by
/// name, and the summary as JSON text.
#[pyfunction]
#[pyo3(signature = (job_path, out, lang=None, standardized=false))]
// The library's error, as large as it is (`censuslink_io::Error` carries paths), is turned into
// its message at once.
#[allow(clippy::result_large_err)]
fn run<'py>(
    py: Python<'py>,
    job_path: &str,
    out: &str,
    lang: Option<&str>,
    standardized: bool,
) -> PyResult<(Bound<'py, PyDict>, String)> {
    let asked = Asked { job_path, out, lang, standardized };
    let (tables, summary) = run_into(py, &asked, &Here, &mut (), |run| {
        let tables = censuslink_report::tables(&run.outcome, &run.inputs());
        let summary = std::fs::read_to_string(Path::new(out).join("summary.json"));
        (tables, summary.unwrap_or_default())
    })?
    .map_err(raise)?;
    let dict = PyDict::new(py);
    for (name, table) in &tables {
        dict.set_item(*name, to_python(table)?)?;
    }
    Ok((dict, summary))
}

/// A run as Python asks for it: the job file, the output folder, the language (the job's when
/// `None`), and whether the standardized records are written.
struct Asked<'a> {
    job_path: &'a str,
    out: &'a str,
    lang: Option<&'a str>,
    standardized: bool,
}

/// Runs the job `asked` names as the binary does, writing every output into its output folder
/// (apart from the inputs, private, swapped in whole), each link scored by `scoring`,
/// `progress` told; `then` makes what is returned of the run. A job that cannot be loaded is
/// the error; what the run itself says is the inner one, its one line in the language asked.
#[allow(clippy::result_large_err)]
fn run_into<T: Send>(
    py: Python<'_>,
    asked: &Asked<'_>,
    scoring: &dyn Scoring,
    progress: &mut (dyn Progress + Send),
    then: impl FnOnce(&censuslink_reconcile::JobRun) -> T + Send,
) -> PyResult<Result<T, String>> {
    let (job_path, out) = (Path::new(asked.job_path), Path::new(asked.out));
    let lang = lang_of(asked.lang)?;
    let job = Job::load(job_path)
        .map_err(|err| raise(err.message(lang.unwrap_or_else(|| Job::lang_of_file(job_path)))))?;
    let lang = lang.unwrap_or(job.lang);
    let resolved = censuslink_report::Resolved::default();
    let options = censuslink_report::RunOptions {
        previous: None,
        resolved: &resolved,
        truth: None,
        lang,
        scoring,
        standardized: asked.standardized,
    };
    let inputs: Vec<&Path> =
        job.sources.iter().flat_map(|s| &s.paths).map(|p| p.as_path()).collect();
    Ok(py.detach(|| {
        let run = censuslink_report::folder::write_into(out, &inputs, &[job_path], |staging| {
            censuslink_report::run(&job, &options, staging, progress)
        });
        run.map(|(run, _)| then(&run)).map_err(|err| err.message(lang))
    }))
}

/// Links (`task` "link" or "many_to_one") or deduplicates ("dedupe") `tables`, the sources of
/// the job `job_json` (a JSON object of a job file's keys, each source with `format = "arrow"`),
/// in its order: the links and clusters as pyarrow tables, and the models as JSON text.
#[pyfunction]
#[pyo3(signature = (tables, job_json, task, lang=None))]
fn link(
    py: Python<'_>,
    tables: Vec<PyArrowType<ArrowTable>>,
    job_json: &str,
    task: &str,
    lang: Option<&str>,
) -> PyResult<(PyArrowType<ArrowTable>, PyArrowType<ArrowTable>, String)> {
    let table: toml::Table =
        serde_json::from_str(job_json).map_err(|err| raise(format!("settings: {err}")))?;
    // Messages are in the language asked for, else the one the settings ask for, even about
    // settings that cannot be read.
    let asked = || table.get("lang").and_then(|l| l.as_str()?.parse().ok()).unwrap_or_default();
    let lang = lang_of(lang)?.unwrap_or_else(asked);
    let text = toml::to_string(&table).map_err(|err| raise(format!("settings: {err}")))?;
    let job = Job::parse(&text, Path::new("settings")).map_err(|err| raise(err.message(lang)))?;
    let task = match task {
        "link" => Task::Link(Cardinality::OneToOne),
        "many_to_one" => Task::Link(Cardinality::ManyToOne),
        "dedupe" => Task::Dedupe,
        other => return Err(raise(format!("task `{other}` is not link, many_to_one or dedupe"))),
    };
    let batches: Vec<(Vec<RecordBatch>, arrow_schema::SchemaRef)> =
        tables.into_iter().map(|PyArrowType(table)| table.into_inner()).collect();
    let run =
        py.detach(|| link_tables(&job, task, batches)).map_err(|err| raise(err.message(lang)))?;
    let [(_, links), (_, clusters)] = censuslink_report::link_tables(&run);
    let models = censuslink_report::SavedModel::of_links(&run.linkage.models, &run.inputs());
    let models = serde_json::to_string(&models).map_err(|err| raise(err.to_string()))?;
    Ok((to_python(&links)?, to_python(&clusters)?, models))
}

/// Loads each source of `job` from its record batches and links them as `task` says.
fn link_tables(
    job: &Job,
    task: Task,
    tables: Vec<(Vec<RecordBatch>, arrow_schema::SchemaRef)>,
) -> Result<LinkRun, censuslink_reconcile::JobError> {
    let mut sources = Vec::with_capacity(tables.len());
    for (source, (batches, schema)) in job.sources.iter().zip(tables) {
        let reader = RecordBatchIterator::new(batches.into_iter().map(Ok), schema);
        let loaded = censuslink_io::load_batches(source, &job.path, reader)?;
        sources.push((source.name.clone(), source.role, loaded));
    }
    let read_seconds = vec![0.0; sources.len()];
    censuslink_reconcile::link_loaded(job, task, sources, read_seconds, &mut ())
}

/// The pairs `records` (two `source:key` names) or those behind `candidate`, explained under
/// the models of the run of the job at `job_path` whose outputs are in `out`, as JSON text.
#[pyfunction]
#[pyo3(signature = (job_path, out, records=None, candidate=None, lang=None))]
fn explain(
    py: Python<'_>,
    job_path: &str,
    out: &str,
    records: Option<(String, String)>,
    candidate: Option<String>,
    lang: Option<&str>,
) -> PyResult<String> {
    let job_path = Path::new(job_path);
    let asked = lang_of(lang)?;
    let job = Job::load(job_path)
        .map_err(|err| raise(err.message(asked.unwrap_or_else(|| Job::lang_of_file(job_path)))))?;
    let lang = asked.unwrap_or(job.lang);
    let pairs = match (&records, &candidate) {
        (Some((a, b)), None) => censuslink_report::Pairs::Records(a, b),
        (None, Some(id)) => censuslink_report::Pairs::Candidate(id),
        _ => return Err(raise("give records=(left, right) or candidate=ID, one of them".into())),
    };
    let explained = py
        .detach(|| censuslink_report::explain(&job, Path::new(out), pairs))
        .map_err(|err| raise(err.message(lang)))?;
    serde_json::to_string(&explained).map_err(|err| raise(err.to_string()))
}

/// What the standardizer makes of one ID number: its status, canonical number, birth date,
/// sex and region code.
#[pyfunction]
fn standardize_id<'py>(py: Python<'py>, raw: &str) -> PyResult<Bound<'py, PyDict>> {
    let outcome = censuslink_standardize::id::standardize_id(raw);
    let dict = PyDict::new(py);
    dict.set_item("status", outcome.status.as_str())?;
    dict.set_item("number", outcome.number)?;
    dict.set_item("birth_date", outcome.birth_date.map(|date| date.to_string()))?;
    dict.set_item("sex", outcome.sex.map(|sex| sex.as_str()))?;
    dict.set_item("region", outcome.region.map(|code| format!("{code:06}")))?;
    Ok(dict)
}

/// What the standardizer makes of one name: its outcome, and for a name its full form,
/// surname, given name and readings.
#[pyfunction]
fn standardize_name<'py>(py: Python<'py>, raw: &str) -> PyResult<Bound<'py, PyDict>> {
    use censuslink_standardize::name::NameOutcome;
    let dict = PyDict::new(py);
    let outcome = censuslink_standardize::name::standardize_name(raw);
    let status = match &outcome {
        NameOutcome::Name(_) => "name",
        NameOutcome::Missing => "missing",
        NameOutcome::Placeholder => "placeholder",
        NameOutcome::NotAName => "not_a_name",
    };
    dict.set_item("status", status)?;
    let name = match outcome {
        NameOutcome::Name(name) => Some(name),
        _ => None,
    };
    dict.set_item("full", name.as_ref().map(|n| n.full.clone()))?;
    dict.set_item("surname", name.as_ref().map(|n| n.surname.clone()))?;
    dict.set_item("given", name.as_ref().map(|n| n.given.clone()))?;
    dict.set_item("pinyin", name.as_ref().map(|n| n.pinyin_primary()))?;
    dict.set_item("readings", name.as_ref().map(|n| n.pinyin_readings()))?;
    Ok(dict)
}

/// The job at `job_path`, checked whole as `censuslink run` checks it before reading a row,
/// and the language of its messages: `lang`, else the job's.
#[allow(clippy::result_large_err)]
fn checked_job(job_path: &str, lang: Option<&str>) -> PyResult<(Job, Lang)> {
    let path = Path::new(job_path);
    let asked = lang_of(lang)?;
    let job = Job::load(path)
        .map_err(|err| raise(err.message(asked.unwrap_or_else(|| Job::lang_of_file(path)))))?;
    let lang = asked.unwrap_or(job.lang);
    job.check_roles().map_err(|err| raise(err.message(lang)))?;
    censuslink_reconcile::linkage_settings(&job).map_err(|err| raise(err.message(lang)))?;
    Ok((job, lang))
}

/// Every file the job at `job_path` reads, as (source name, path), in the order it reads them;
/// messages in `lang`.
#[pyfunction]
#[pyo3(signature = (job_path, lang=None))]
fn job_files(job_path: &str, lang: Option<&str>) -> PyResult<Vec<(String, String)>> {
    let (job, _) = checked_job(job_path, lang)?;
    let files = job.sources.iter().flat_map(|source| {
        source.paths.iter().map(|path| (source.name.clone(), path.display().to_string()))
    });
    Ok(files.collect())
}

/// The columns of the job's standardized records: the canonical ones, then every source's
/// extra fields (`extra.<name>`, in job order).
fn job_schema(job: &Job) -> arrow_schema::SchemaRef {
    let mut extras: Vec<String> = Vec::new();
    for (name, _) in job.sources.iter().flat_map(|source| &source.extra) {
        if !extras.contains(name) {
            extras.push(name.clone());
        }
    }
    let table = censuslink_model::PersonTable {
        extra: extras.into_iter().map(|name| (name, Default::default())).collect(),
        ..Default::default()
    };
    censuslink_io::standardized_batch(&table).schema()
}

/// The schema of `standardize_file`'s tables for the job at `job_path`; messages in `lang`.
#[pyfunction]
#[pyo3(signature = (job_path, lang=None))]
fn standardized_schema(
    job_path: &str,
    lang: Option<&str>,
) -> PyResult<PyArrowType<arrow_schema::Schema>> {
    Ok(PyArrowType(job_schema(&checked_job(job_path, lang)?.0).as_ref().clone()))
}

/// The standardized records of file `index` (in `job_files`' order within its source) of the
/// source `source` of the job at `job_path`, read and standardized as a run reads that file
/// (`row` counted within it), in the columns of `standardized_schema`: one Spark task's share
/// of the job. Messages in `lang`.
#[pyfunction]
#[pyo3(signature = (job_path, source, index, lang=None))]
fn standardize_file(
    py: Python<'_>,
    job_path: &str,
    source: &str,
    index: usize,
    lang: Option<&str>,
) -> PyResult<PyArrowType<ArrowTable>> {
    let (job, lang) = checked_job(job_path, lang)?;
    // Only a file the job reads: a task reads nothing else.
    let found = job.sources.iter().find(|s| s.name == source && index < s.paths.len());
    let Some(found) = found else {
        return Err(raise(format!("the job's source `{source}` has no file {index}")));
    };
    let loaded = py
        .detach(|| censuslink_io::load_file(found, index, &job.path))
        .map_err(|err| raise(err.message(lang)))?;
    let batch = censuslink_io::standardized_batch(&loaded.table);
    // Aligned on the job's columns: an extra this source lacks is empty.
    let schema = job_schema(&job);
    let columns = schema.fields().iter().map(|field| match batch.column_by_name(field.name()) {
        Some(column) => column.clone(),
        None => arrow_array::new_null_array(field.data_type(), batch.num_rows()),
    });
    let batch = RecordBatch::try_new(schema.clone(), columns.collect())
        .map_err(|err| raise(err.to_string()))?;
    ArrowTable::try_new(vec![batch], schema).map(PyArrowType).map_err(|err| raise(err.to_string()))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("Error", m.py().get_type::<Error>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(link, m)?)?;
    m.add_function(wrap_pyfunction!(explain, m)?)?;
    m.add_function(wrap_pyfunction!(standardize_id, m)?)?;
    m.add_function(wrap_pyfunction!(standardize_name, m)?)?;
    m.add_function(wrap_pyfunction!(job_files, m)?)?;
    m.add_function(wrap_pyfunction!(standardized_schema, m)?)?;
    m.add_function(wrap_pyfunction!(standardize_file, m)?)?;
    m.add_function(wrap_pyfunction!(spark::link_columns, m)?)?;
    m.add_function(wrap_pyfunction!(spark::link_keys, m)?)?;
    m.add_function(wrap_pyfunction!(spark::link_terms, m)?)?;
    m.add_function(wrap_pyfunction!(spark::add_terms, m)?)?;
    m.add_function(wrap_pyfunction!(spark::link_counts, m)?)?;
    m.add_function(wrap_pyfunction!(spark::link_random_chunks, m)?)?;
    m.add_function(wrap_pyfunction!(spark::link_random_pairs, m)?)?;
    m.add_function(wrap_pyfunction!(spark::link_levels, m)?)?;
    m.add_function(wrap_pyfunction!(spark::link_fit, m)?)?;
    m.add_function(wrap_pyfunction!(spark::link_pairs, m)?)?;
    m.add_function(wrap_pyfunction!(spark::component_clusters, m)?)?;
    m.add_function(wrap_pyfunction!(spark::run_scored, m)?)?;
    Ok(())
}
