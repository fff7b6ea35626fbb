//! Standardization of Chinese person data as pure functions: raw text in, standardized value
//! (or a status saying why not) out. No I/O, no panics on any input.
//!
//! ```
//! use censuslink_model::{DatePrecision, IdStatus};
//! use censuslink_standardize::{codes, date, id, region};
//!
//! // A full-width ID with a lower-case x, as typed on a phone.
//! let outcome = id::standardize_id("１１０１０５１９４９１２３１００２ｘ");
//! assert_eq!(outcome.status, IdStatus::Repaired);
//! assert_eq!(outcome.number.as_deref(), Some("11010519491231002X"));
//!
//! // The census records year and month of birth only; they agree with the ID.
//! let born = date::parse_date("1949年12月").expect("a month-precision date");
//! assert_eq!(born.precision(), DatePrecision::Month);
//! assert_eq!(outcome.birth_date.map(|d| (d.year(), d.month())), Some((1949, Some(12))));
//! assert_eq!(codes::parse_sex("女"), outcome.sex);
//!
//! let hukou = region::parse_region("110105000000").expect("a county code");
//! assert_eq!(hukou.to_string(), "110105");
//! assert_eq!(outcome.region, Some(110105));
//! ```

#![warn(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod codes;
pub mod date;
pub mod id;
pub mod name;
pub mod pseudonym;
pub mod region;
