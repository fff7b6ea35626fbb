//! Standardized records back from Arrow: the inverse of [`crate::standardized_batch`], so that
//! a stage run elsewhere (a Spark task) can take up records another task standardized.

use std::str::FromStr;

use arrow_array::cast::AsArray;
use arrow_array::types::{UInt32Type, UInt64Type};
use arrow_array::{ArrayRef, RecordBatch, StringArray};
use arrow_schema::DataType;
use censuslink_model::{
    Ethnicity, IdColumns, IdStatus, NameColumns, PartialDate, PersonTable, RejectReason, TextColumn,
};

/// Why a record batch is not standardized records: the column, and what is wrong with it.
/// Never a value: the column could hold names or ID numbers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("standardized records: column `{column}`: {problem}")]
pub struct NotStandardized {
    /// The column.
    pub column: String,
    /// What is wrong with it.
    pub problem: &'static str,
}

/// The records of `batch`, a batch [`crate::standardized_batch`] made (its integer columns
/// may be signed, and its text columns large or views, as Spark hands them on). A column left
/// out reads as missing values: a stage that reads a few fields is handed only those.
pub fn person_table(batch: &RecordBatch) -> Result<PersonTable, NotStandardized> {
    let columns = Columns(batch);
    let mut table = PersonTable {
        row: columns.integers::<UInt64Type>("row")?.into_iter().map(|r| r.unwrap_or(0)).collect(),
        record_id: columns.text("record_id")?,
        rejected: columns.parsed("rejected", reject_reason)?,
        name: columns.name("name")?,
        sex: columns.parsed("sex", |s| s.parse().ok())?,
        birth_date: columns.parsed("birth_date", date)?,
        id: columns.id("id")?,
        ethnicity: columns.parsed("ethnicity", |s| s.parse().ok().and_then(Ethnicity::new))?,
        hukou_region: columns.text("hukou_region")?,
        hukou_address: columns.text("hukou_address")?,
        residence_region: columns.text("residence_region")?,
        residence_address: columns.text("residence_address")?,
        enumeration_area: columns.text("enumeration_area")?,
        household_id: columns.text("household_id")?,
        relation: columns.parsed("relation", |s| s.parse().ok())?,
        record_type: columns.parsed("record_type", |s| s.parse().ok())?,
        event_date: columns.parsed("event_date", date)?,
        mother_id: columns.id("mother_id")?,
        mother_name: columns.name("mother_name")?,
        other_names: columns.name("other_names")?,
        collection_mode: columns.parsed("collection_mode", |s| s.parse().ok())?,
        status: columns.parsed("status", |s| s.parse().ok())?,
        status_date: columns.parsed("status_date", date)?,
        extra: Vec::new(),
    };
    for field in batch.schema().fields() {
        if let Some(name) = field.name().strip_prefix("extra.") {
            table.extra.push((name.to_owned(), columns.text(field.name())?));
        }
    }
    Ok(table)
}

/// A date as [`PartialDate`] displays it: `1987-05-06`, `1987-05` or `1987`.
fn date(text: &str) -> Option<PartialDate> {
    let mut parts = text.split('-').map(|part| part.parse::<u16>().ok());
    let year = parts.next()??;
    let month = parts.next().map_or(Some(0), |m| m.and_then(|m| u8::try_from(m).ok()))?;
    let day = parts.next().map_or(Some(0), |d| d.and_then(|d| u8::try_from(d).ok()))?;
    if parts.next().is_some() {
        return None;
    }
    PartialDate::new(year, month, day)
}

fn reject_reason(text: &str) -> Option<RejectReason> {
    [RejectReason::NoNameNoId, RejectReason::Empty].into_iter().find(|r| r.as_str() == text)
}

fn id_status(text: &str) -> Option<IdStatus> {
    IdStatus::ALL.into_iter().find(|s| s.as_str() == text)
}

/// A batch's columns, by name.
struct Columns<'a>(&'a RecordBatch);

impl Columns<'_> {
    fn column(&self, name: &str, data_type: &DataType) -> Result<ArrayRef, NotStandardized> {
        let Some(column) = self.0.column_by_name(name) else {
            return Ok(arrow_array::new_null_array(data_type, self.0.num_rows()));
        };
        arrow_cast::cast(column, data_type)
            .map_err(|_| NotStandardized { column: name.to_owned(), problem: "not of its type" })
    }

    fn strings(&self, name: &str) -> Result<StringArray, NotStandardized> {
        Ok(self.column(name, &DataType::Utf8)?.as_string::<i32>().clone())
    }

    fn text(&self, name: &str) -> Result<TextColumn, NotStandardized> {
        Ok(self.strings(name)?.iter().collect())
    }

    fn integers<T: arrow_array::types::ArrowPrimitiveType>(
        &self,
        name: &str,
    ) -> Result<Vec<Option<T::Native>>, NotStandardized> {
        Ok(self.column(name, &T::DATA_TYPE)?.as_primitive::<T>().iter().collect())
    }

    /// A column of values displayed as text, parsed back by `parse`; a value it cannot parse
    /// is an error.
    fn parsed<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Vec<Option<T>>, NotStandardized> {
        let strings = self.strings(name)?;
        let unreadable =
            || NotStandardized { column: name.to_owned(), problem: "unreadable value" };
        strings
            .iter()
            .map(|value| value.map(|v| parse(v).ok_or_else(unreadable)).transpose())
            .collect()
    }

    fn name(&self, prefix: &str) -> Result<NameColumns, NotStandardized> {
        Ok(NameColumns {
            full: self.text(prefix)?,
            surname: self.text(&format!("{prefix}_surname"))?,
            given: self.text(&format!("{prefix}_given"))?,
            pinyin: self.text(&format!("{prefix}_pinyin"))?,
            readings: self.text(&format!("{prefix}_readings"))?,
        })
    }

    fn id(&self, prefix: &str) -> Result<IdColumns, NotStandardized> {
        let (number, status) = match prefix {
            "mother_id" => ("mother_id", "mother_id_status"),
            _ => ("id_number", "id_status"),
        };
        let number = self.text(number)?;
        let statuses = self.parsed(status, id_status)?;
        let status: Vec<IdStatus> =
            statuses.into_iter().map(|s| s.unwrap_or(IdStatus::Missing)).collect();
        if prefix == "mother_id" {
            // The mother's number keeps no embedded parts.
            let n = status.len();
            return Ok(IdColumns {
                number,
                status,
                birth_date: vec![None; n],
                sex: vec![None; n],
                region: vec![None; n],
            });
        }
        Ok(IdColumns {
            number,
            status,
            birth_date: self.parsed("id_birth_date", date)?,
            sex: self.parsed("id_sex", |s| FromStr::from_str(s).ok())?,
            region: self.integers::<UInt32Type>("id_region")?,
        })
    }
}
