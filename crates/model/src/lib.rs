//! Shared types of censuslink: source roles, canonical person fields, standardized values and
//! row issues. No I/O.
//!
//! ```
//! use censuslink_model::{DatePrecision, Field, PartialDate};
//!
//! let born = PartialDate::new(1987, 5, 0).expect("May 1987 exists");
//! assert_eq!(born.precision(), DatePrecision::Month);
//! assert_eq!(born.to_string(), "1987-05");
//! assert_eq!("birth_date".parse::<Field>(), Ok(Field::BirthDate));
//! ```

#![warn(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod field;
mod issue;
mod lang;
mod table;
mod value;

pub use crate::field::{Field, FieldKind, Role, UnknownName};
pub use crate::issue::{IdStatus, IssueKind, RejectReason, RowIssue};
pub use crate::lang::Lang;
pub use crate::table::{
    ColumnTask, IdColumns, NameColumns, OTHER_NAMES_SEPARATOR, OTHER_READINGS_SEPARATOR,
    PersonTable, TextColumn,
};
pub use crate::value::{
    CollectionMode, DatePrecision, Ethnicity, PartialDate, RecordType, RegisterStatus, Relation,
    Sex,
};
