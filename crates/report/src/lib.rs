//! What census reconciliation writes for people: the lists as tables, the worklists for field
//! teams, the HTML report, reruns against an earlier run and the field teams' outcomes, and the
//! evaluation of a run against a generated district's truth.
//!
//! [`censuslink_reconcile`] links and classifies; this crate turns its [`Outcome`] into what an
//! analyst and a field team read.
//!
//! [`Outcome`]: censuslink_reconcile::Outcome
//!
//! A whole run with every output, as `censuslink run` makes it, is one call, [`run`]:
//!
//! ```
//! let folder = tempfile::tempdir().expect("a temporary folder");
//! let write = |name: &str, text: &str| std::fs::write(folder.path().join(name), text).expect("writable");
//! write("census.csv", "编号,姓名,身份证号,性别,出生年月\n\
//!     C1,张伟,11010519491231002X,男,194912\n\
//!     C2,李娜,110105198001010024,女,198001\n");
//! write("hukou.csv", "编号,姓名,身份证号,性别,出生日期\n\
//!     H1,张伟,11010519491231002X,男,1949-12-31\n\
//!     H2,李娜,110105198001010024,女,1980-01-01\n\
//!     H3,赵敏,110105200003030066,女,2000-03-03\n");
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
//! let resolved = censuslink_report::Resolved::default();
//! let options = censuslink_report::RunOptions {
//!     previous: None,
//!     resolved: &resolved,
//!     truth: None,
//!     lang: job.lang,
//!     scoring: &censuslink_reconcile::Here,
//!     standardized: false,
//! };
//! let out = folder.path().join("out");
//! // `&mut ()` hears nothing of the run's progress; a progress bar implements
//! // `censuslink_reconcile::Progress`.
//! let (run, written) = censuslink_report::run(&job, &options, &out, &mut ()).expect("a run");
//! assert_eq!(run.outcome.missing.len(), 1);
//! assert_eq!(written.lists["missing"], 1);
//! for file in ["missing.csv", "links.parquet", "report.html", "summary.json", "models.json"] {
//!     assert!(out.join(file).is_file(), "{file}");
//! }
//! ```

#![warn(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod counties;
mod data;
mod evaluate;
mod explain;
pub mod folder;
pub mod html;
mod linkage;
mod models;
mod output;
mod rerun;
mod tables;
mod words;
mod worklists;

pub use crate::evaluate::{
    CALIBRATION_MIN, CalibrationBin, CountyCoverage, CoverageScore, CrossCounty, CsvProblem,
    Evaluation, Located, MissingDetail, Score, TierScore, TruthError, evaluate,
};
pub use crate::explain::{ExplainError, Explained, Pairs, explain};
pub use crate::html::{render_linkage_report, render_report};
pub use crate::linkage::{LinkWritten, link, link_tables};
pub use crate::models::{SavedHousehold, SavedModel};
pub use crate::output::{Error, RunOptions, Written, run};
pub use crate::rerun::{
    CANDIDATE_LISTS, CandidatePairs, Changes, Previous, RecordName, Resolved, apply,
    candidate_pairs,
};
pub use crate::tables::{explanation_text, tables};
pub use crate::words::field_name;
pub use crate::worklists::{IdNumbers, mask_id, worklists};
