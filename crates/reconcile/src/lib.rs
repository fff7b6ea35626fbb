//! Census reconciliation: standardized person records turned into linkage features, and (to
//! come) the job pipeline that links the census to the registers and turns the links into the
//! lists a census office acts on.

#![warn(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod features;
mod settings;

pub use crate::features::person_records;
pub use crate::settings::{SettingsError, linkage_settings, person_defaults};
