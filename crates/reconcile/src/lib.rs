//! Census reconciliation: a job's standardized records linked (the census to each register,
//! the registers to each other, the census to itself) and turned into the lists a census office
//! acts on: missing, duplicate, deceased and birth candidates, identity conflicts, coverage.
//!
//! The whole job is one call, [`run_job`]:
//!
//! ```
//! let folder = tempfile::tempdir().expect("a temporary folder");
//! let write = |name: &str, text: &str| std::fs::write(folder.path().join(name), text).expect("writable");
//! // Three people in the census; the hukou register holds them and one more, whom the census
//! // missed.
//! write("census.csv", "编号,姓名,身份证号,性别,出生年月\n\
//!     C1,张伟,11010519491231002X,男,194912\n\
//!     C2,李娜,110105198001010024,女,198001\n\
//!     C3,王芳,110105199002020041,女,199002\n");
//! write("hukou.csv", "编号,姓名,身份证号,性别,出生日期\n\
//!     H1,张伟,11010519491231002X,男,1949-12-31\n\
//!     H2,李娜,110105198001010024,女,1980-01-01\n\
//!     H3,王芳,110105199002020041,女,1990-02-02\n\
//!     H4,赵敏,110105200003030066,女,2000-03-03\n");
//! write("job.toml", r#"
//!     reference_moment = "2020-11-01"
//!     [[source]]
//!     name = "census"
//!     role = "census"
//!     path = "census.csv"
//!     key = "编号"
//!     fields = { name = "姓名", id_number = "身份证号", sex = "性别", birth_date = "出生年月" }
//!     [[source]]
//!     name = "hukou"
//!     role = "hukou"
//!     path = "hukou.csv"
//!     key = "编号"
//!     fields = { name = "姓名", id_number = "身份证号", sex = "性别", birth_date = "出生日期" }
//! "#);
//! let job = censuslink_io::Job::load(&folder.path().join("job.toml")).expect("a valid job");
//! let run = censuslink_reconcile::run_job(&job).expect("a readable job");
//! assert_eq!(run.outcome.links.len(), 3);
//! assert_eq!(run.outcome.missing.len(), 1);
//! let missing = &run.outcome.missing[0];
//! assert_eq!(run.key(missing.records[0]), "hukou:H4");
//! // Its probability of living here, learned from the three the census lists, with the
//! // evidence that moved it: a live hukou entry here.
//! use censuslink_reconcile::residence::{Part, Term};
//! assert!(0.0 < missing.probability && missing.probability < 1.0);
//! assert!(missing.evidence.iter().any(|&(part, _)| part == Part::Term(Term::Hukou)));
//! ```

#![warn(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod accounting;
mod coverage;
mod features;
mod household;
mod link;
mod pipeline;
mod profile;
pub mod residence;
mod settings;
pub mod shard;

use std::path::Path;
use std::time::Instant;

use censuslink_io::{Job, LoadedSource, StandardizedWriter};

pub use crate::accounting::{AccountingError, RowAccount, account};
pub use crate::coverage::{
    ASSUMPTIONS, AreaCoverage, Estimate, Tally, assumptions, chapman, chapman_with, coverage,
};
pub use crate::features::person_records;
pub use crate::household::HouseholdLinks;
pub use crate::link::{Cardinality, LinkError, Linkage, Task, dedupe, link};
pub use crate::pipeline::{
    Birth, Conflict, Deceased, Duplicate, Here, Histogram, Input, Link, LinkModel, LinkSpec,
    LinkTimes, Missing, Mother, Outcome, RecordRef, Scored, Scoring, Step, dedupe_spec,
    deduplicated, explain_pair, reconcile, reconcile_with,
};
pub use crate::profile::{
    FieldProfile, Finding, FindingKind, LinkBlocking, Profile, Severity, SourceProfile,
    cap_findings, findings, model_findings, profile, thousands,
};
pub use crate::settings::{SettingsError, linkage_settings, person_defaults};

/// A whole job's run: its sources as loaded, and what reconciling them found.
#[derive(Debug)]
pub struct JobRun {
    /// Each source's name and what loading it gave, in job order.
    pub sources: Vec<(String, censuslink_model::Role, LoadedSource)>,
    /// The links and lists; its [`RecordRef`]s index `sources`.
    pub outcome: Outcome,
    /// Seconds of wall time each source took to read (and its standardized records to be
    /// written), in job order.
    pub read_seconds: Vec<f64>,
    /// Seconds of wall time linking and reconciling took.
    pub reconcile_seconds: f64,
}

impl JobRun {
    /// The inputs the outcome refers to.
    pub fn inputs(&self) -> Vec<Input<'_>> {
        inputs(&self.sources)
    }

    /// `source:key` of a record.
    pub fn key(&self, record: RecordRef) -> String {
        record.name(&self.inputs())
    }
}

/// A linkage job's run (`censuslink link` or `dedupe`): its sources as loaded, and what
/// linking them made.
#[derive(Debug)]
pub struct LinkRun {
    /// Each source's name and what loading it gave, in job order.
    pub sources: Sources,
    /// The links, clusters and models; its [`RecordRef`]s index `sources`.
    pub linkage: Linkage,
    /// Seconds of wall time each source took to read, in job order.
    pub read_seconds: Vec<f64>,
    /// Seconds of wall time linking took.
    pub link_seconds: f64,
}

impl LinkRun {
    /// The inputs the linkage refers to.
    pub fn inputs(&self) -> Vec<Input<'_>> {
        inputs(&self.sources)
    }
}

fn inputs(sources: &Sources) -> Vec<Input<'_>> {
    sources
        .iter()
        .map(|(name, role, loaded)| Input { name, role: *role, table: &loaded.table })
        .collect()
}

/// Why a job cannot be run.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// A source cannot be read.
    #[error(transparent)]
    Io(#[from] censuslink_io::Error),
    /// The `[linkage]` table cannot be used.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// A link's model cannot be trained (`link` and `dedupe`, which have no census to fall
    /// back on).
    #[error(transparent)]
    Link(#[from] LinkError),
    /// The caller asked the run to stop.
    #[error("the run was cancelled")]
    Cancelled,
}

impl JobError {
    /// The one line the error is for the analyst, in `lang`.
    pub fn message(&self, lang: censuslink_io::Lang) -> String {
        match self {
            JobError::Io(err) => err.message(lang),
            JobError::Settings(err) => err.message(lang),
            JobError::Link(err) => err.message(lang),
            JobError::Cancelled => lang.pick("运行已取消", "the run was cancelled").to_owned(),
        }
    }
}

/// A stage of a run, as [`Progress`] hears of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage<'a> {
    /// A source is read (its rows counted as they come).
    Read {
        /// The source's name.
        source: &'a str,
    },
    /// The sources are linked and reconciled (each link reported as a [`Step`]).
    Reconcile,
    /// The sources are linked, with no census semantics (each link reported as a [`Step`]).
    Link,
    /// The outputs are written (files counted).
    Write,
}

/// What a run tells as it goes, for a progress bar, a log, or nothing (`()`); and whether its
/// caller wants it stopped, asked between sources and stages. A stage that fails is not
/// finished: the run returns its error instead.
pub trait Progress: Send {
    /// A stage begins.
    fn start(&mut self, _stage: Stage<'_>) {}
    /// `n` more of the stage's rows or files are done.
    fn add(&mut self, _n: u64) {}
    /// A link is done.
    fn step(&mut self, _step: &Step<'_>) {}
    /// The stage has ended.
    fn finish(&mut self) {}
    /// Whether the run is to stop.
    fn is_cancelled(&self) -> bool {
        false
    }
}

impl Progress for () {}

/// The sources of a job, as loaded.
pub type Sources = Vec<(String, censuslink_model::Role, LoadedSource)>;

/// Reads every source of `job`, telling `progress`, each source's standardized records written
/// as `<source>.parquet` into `standardized` when given; with each source's seconds.
pub fn load_sources(
    job: &Job,
    standardized: Option<&Path>,
    progress: &mut dyn Progress,
) -> Result<(Sources, Vec<f64>), JobError> {
    let mut sources = Vec::with_capacity(job.sources.len());
    let mut seconds = Vec::with_capacity(job.sources.len());
    for source in &job.sources {
        if progress.is_cancelled() {
            return Err(JobError::Cancelled);
        }
        progress.start(Stage::Read { source: &source.name });
        let started = Instant::now();
        let loaded = match standardized {
            Some(dir) => {
                censuslink_io::create_dir(dir)?;
                let path = dir.join(format!("{}.parquet", source.name));
                let mut writer = StandardizedWriter::new(&path);
                let loaded = censuslink_io::load_with(source, &job.path, |raw, table| {
                    progress.add(table.len() as u64);
                    writer.write(raw, table)
                })?;
                writer.finish(&loaded.header)?;
                loaded
            }
            None => censuslink_io::load_with(source, &job.path, |_, table| {
                progress.add(table.len() as u64);
                Ok(())
            })?,
        };
        seconds.push(started.elapsed().as_secs_f64());
        progress.finish();
        sources.push((source.name.clone(), source.role, loaded));
    }
    Ok((sources, seconds))
}

/// Loads every source of `job` and reconciles them: the whole job in one call.
pub fn run_job(job: &Job) -> Result<JobRun, JobError> {
    run_job_with(job, None, &Here, &mut ())
}

/// [`run_job`], each link scored by `scoring`, telling `progress` and asking it whether to
/// stop, each source's standardized records written into `standardized` when given. The whole
/// job, `[linkage]` included, is checked before a row is read.
pub fn run_job_with(
    job: &Job,
    standardized: Option<&Path>,
    scoring: &dyn Scoring,
    progress: &mut dyn Progress,
) -> Result<JobRun, JobError> {
    job.check_roles()?;
    let settings = linkage_settings(job)?;
    let (sources, read_seconds) = load_sources(job, standardized, progress)?;
    if progress.is_cancelled() {
        return Err(JobError::Cancelled);
    }
    let mut run =
        JobRun { sources, outcome: Outcome::default(), read_seconds, reconcile_seconds: 0.0 };
    progress.start(Stage::Reconcile);
    let started = Instant::now();
    let reference = job.reference_date;
    let outcome = reconcile_with(&run.inputs(), &settings, reference, scoring, &mut |step| {
        progress.step(&step)
    });
    run.outcome = outcome;
    run.reconcile_seconds = started.elapsed().as_secs_f64();
    progress.finish();
    Ok(run)
}

/// Loads every source of `job` and links them as `task` says (`censuslink link` and `dedupe`),
/// telling `progress` and asking it whether to stop, each source's standardized records written
/// into `standardized` when given. The sources' roles, if any, are not read. The whole job,
/// `[linkage]` included, is checked before a row is read.
pub fn link_job_with(
    job: &Job,
    task: Task,
    standardized: Option<&Path>,
    progress: &mut dyn Progress,
) -> Result<LinkRun, JobError> {
    check_task(job, task)?;
    linkage_settings(job)?;
    let (sources, read_seconds) = load_sources(job, standardized, progress)?;
    link_loaded(job, task, sources, read_seconds, progress)
}

/// Links `sources`, the sources of `job` as loaded (from its files, or from tables in memory
/// by [`censuslink_io::load_batches`]), as `task` says; see [`link_job_with`].
///
/// # Panics
///
/// When `sources` are not the job's, one by one in its order.
pub fn link_loaded(
    job: &Job,
    task: Task,
    sources: Sources,
    read_seconds: Vec<f64>,
    progress: &mut dyn Progress,
) -> Result<LinkRun, JobError> {
    let names = sources.iter().map(|(name, ..)| name);
    assert!(names.eq(job.sources.iter().map(|s| &s.name)), "the job's sources, in its order");
    check_task(job, task)?;
    let settings = linkage_settings(job)?;
    if progress.is_cancelled() {
        return Err(JobError::Cancelled);
    }
    progress.start(Stage::Link);
    let started = Instant::now();
    let inputs = inputs(&sources);
    let mut on_step = |step: Step<'_>| progress.step(&step);
    let linkage = match task {
        Task::Link(cardinality) => link(&inputs, &settings, cardinality, &mut on_step)?,
        Task::Dedupe => dedupe(inputs[0], &settings, &mut on_step)?,
    };
    let link_seconds = started.elapsed().as_secs_f64();
    progress.finish();
    Ok(LinkRun { sources, linkage, read_seconds, link_seconds })
}

fn check_task(job: &Job, task: Task) -> Result<(), censuslink_io::Error> {
    match task {
        Task::Link(_) => job.check_link(),
        Task::Dedupe => job.check_dedupe(),
    }
}
