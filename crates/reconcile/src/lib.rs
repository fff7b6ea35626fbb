//! Census reconciliation: standardized person records turned into linkage features, and (to
//! come) the job pipeline that links the census to the registers and turns the links into the
//! lists a census office acts on.

#![warn(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod coverage;
mod evaluate;
mod features;
mod pipeline;
mod report;
mod settings;

pub use crate::coverage::{ASSUMPTIONS, AreaCoverage, Estimate, Tally, chapman, coverage};
pub use crate::evaluate::{Evaluation, Score, TruthError, evaluate};
pub use crate::features::person_records;
pub use crate::pipeline::{
    Birth, Conflict, Deceased, Duplicate, Input, Link, Missing, Outcome, RecordRef, evidence_score,
    reconcile,
};
pub use crate::report::tables;
pub use crate::settings::{SettingsError, linkage_settings, person_defaults};
