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
mod evaluate;
mod features;
mod household;
mod html;
mod pipeline;
mod profile;
mod report;
mod rerun;
pub mod residence;
mod settings;
mod words;
mod worklists;

use censuslink_io::{Job, LoadedSource};

pub use crate::accounting::{AccountingError, RowAccount, account};
pub use crate::coverage::{
    ASSUMPTIONS, AreaCoverage, Estimate, Tally, assumptions, chapman, chapman_with, coverage,
};
pub use crate::evaluate::{
    CALIBRATION_MIN, CalibrationBin, CoverageScore, CsvProblem, Evaluation, Located, MissingDetail,
    Score, TierScore, TruthError, evaluate,
};
pub use crate::features::person_records;
pub use crate::household::HouseholdLinks;
pub use crate::html::{
    BlockingRow, ComparisonSummary, CoverageRow, DuplicateRow, LevelSummary, ListCounts,
    MissingRow, ModelSummary, QualityFinding, QualitySeverity, ReportData, SourceCounts, Waterfall,
    WeightBin, WeightHistogram, WeightTerm, WeightThreshold, render_report, thousands,
};
pub use crate::pipeline::{
    Birth, Conflict, Deceased, Duplicate, Histogram, Input, Link, LinkModel, LinkTimes, Missing,
    Mother, Outcome, RecordRef, Step, explain_pair, reconcile, reconcile_with,
};
pub use crate::profile::{
    FieldProfile, Finding, FindingKind, LinkBlocking, Profile, Severity, SourceProfile,
    cap_findings, findings, model_findings, profile,
};
pub use crate::report::{explanation_text, tables};
pub use crate::rerun::{
    CANDIDATE_LISTS, CandidatePairs, Changes, Previous, RecordName, Resolved, apply,
    candidate_pairs,
};
pub use crate::settings::{SettingsError, linkage_settings, person_defaults};
pub use crate::words::{field_name, level_label};
pub use crate::worklists::{IdNumbers, mask_id, worklists};

/// A whole job's run: its sources as loaded, and what reconciling them found.
#[derive(Debug)]
pub struct JobRun {
    /// Each source's name and what loading it gave, in job order.
    pub sources: Vec<(String, censuslink_model::Role, LoadedSource)>,
    /// The links and lists; its [`RecordRef`]s index `sources`.
    pub outcome: Outcome,
}

impl JobRun {
    /// The inputs the outcome refers to.
    pub fn inputs(&self) -> Vec<Input<'_>> {
        self.sources
            .iter()
            .map(|(name, role, loaded)| Input { name, role: *role, table: &loaded.table })
            .collect()
    }

    /// `source:key` of a record.
    pub fn key(&self, record: RecordRef) -> String {
        let (name, _, loaded) = &self.sources[record.source];
        format!("{name}:{}", loaded.table.record_id.get(record.row as usize).unwrap_or(""))
    }
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
}

/// Loads every source of `job` and reconciles them: the whole job in one call.
pub fn run_job(job: &Job) -> Result<JobRun, JobError> {
    job.census()?;
    let settings = linkage_settings(job)?;
    let mut sources = Vec::with_capacity(job.sources.len());
    for source in &job.sources {
        sources.push((source.name.clone(), source.role, censuslink_io::load(source, &job.path)?));
    }
    let mut run = JobRun { sources, outcome: Outcome::default() };
    run.outcome = reconcile(&run.inputs(), &settings, job.reference_date);
    Ok(run)
}
