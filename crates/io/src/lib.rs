//! Reading and writing for censuslink: the job file, source readers (CSV in UTF-8, GBK or
//! GB18030; Parquet; Arrow IPC; XLSX) that map each source's columns onto canonical fields and
//! standardize them, the writers of standardized records and run summaries, and
//! [`write_table`], which writes a table in every format the readers read (for the synthetic
//! district's extracts). The only crate that knows file formats.
//!
//! ```
//! use std::path::Path;
//!
//! let folder = tempfile::tempdir().expect("a temporary folder");
//! std::fs::write(folder.path().join("hukou.csv"), "编号,姓名,公民身份号码\nH1,張偉,11010519491231002x\n")
//!     .expect("writable");
//! let job_text = r#"
//!     reference_moment = "2020-11-01T00:00:00"
//!     [[source]]
//!     name = "hukou"
//!     role = "hukou"
//!     path = "hukou.csv"
//!     key = "编号"
//!     fields = { name = "姓名", id_number = "公民身份号码" }
//! "#;
//! let job_path = folder.path().join("job.toml");
//! let job = censuslink_io::Job::parse(job_text, &job_path).expect("a valid job");
//! let loaded = censuslink_io::load(&job.sources[0], &job_path).expect("a readable source");
//! assert_eq!(loaded.table.name.full.get(0), Some("张伟"));
//! assert_eq!(loaded.table.id.number.get(0), Some("11010519491231002X"));
//! assert_eq!(loaded.table.record_id.get(0), Some("H1"));
//! ```

#![warn(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod error;
mod export;
mod init;
mod job;
mod load;
mod pseudonymize;
mod read;
mod standardized;
mod write;

pub use crate::error::{Error, JobProblem, Problem, SyntaxProblem};
pub use crate::export::{Column, Export, Sheet, Table, Values, write_table, write_workbook};
pub use crate::init::{InferredJob, InferredSource, SAMPLE_ROWS, infer_job};
pub use crate::job::{
    CensusPlace, CensusQuestion, DEFAULT_MISSING, Encoding, Format, Job, Mapping, Source,
};
pub use crate::load::{LoadedSource, load, load_batches, load_file, load_with};
pub use crate::pseudonymize::{Key, Pseudonymized, pseudonymize};
pub use crate::read::{BATCH_ROWS, CsvRow, RawBatch, SourceReader, csv_rows, open, open_batches};
pub use crate::standardized::{NotStandardized, person_table};
pub use crate::write::{
    SourceSummary, StandardizedWriter, create_dir, standardized_batch, write_json,
    write_row_issues, write_text,
};
pub use censuslink_model::Lang;
