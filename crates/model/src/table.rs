//! The standardized records of one source, held as columns.

use crate::{
    CollectionMode, Ethnicity, Field, IdStatus, PartialDate, RecordType, RegisterStatus,
    RejectReason, Relation, Sex,
};

/// A column of optional strings stored in one buffer, so that a million names cost a few
/// allocations rather than a million, and 4 bytes of bookkeeping each. The missing values
/// before the first present one are only counted: a field a source does not have writes no
/// offsets (room reserved for them and never written is no resident memory).
///
/// Holds at most 2 GiB of text: one source's column is far smaller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextColumn {
    bytes: String,
    /// The missing values before the first present one.
    n_leading_missing: usize,
    /// Invariant: from the first present value on, `ends[i] & OFFSET_MASK` is the end offset
    /// of value `n_leading_missing + i` in `bytes`, non-decreasing and on a char boundary;
    /// `ends[i] & MISSING_BIT` marks a missing value, whose span is empty. Empty while every
    /// value is missing (so that columns of equal values are equal in representation).
    ends: Vec<u32>,
}

/// The bit of [`TextColumn::ends`] that marks a missing value.
const MISSING_BIT: u32 = 1 << 31;
/// The bits of [`TextColumn::ends`] that hold the end offset.
const OFFSET_MASK: u32 = MISSING_BIT - 1;

impl TextColumn {
    /// An empty column.
    pub fn new() -> TextColumn {
        TextColumn::default()
    }

    /// Appends one value.
    pub fn push(&mut self, value: Option<&str>) {
        match value {
            Some(value) => self.push_with(|bytes| bytes.push_str(value)),
            None if self.ends.is_empty() => self.n_leading_missing += 1,
            None => {
                let end = self.end_offset();
                self.ends.push(end | MISSING_BIT);
            }
        }
    }

    /// Appends one present value written by `write` straight into the column's buffer, saving
    /// the allocation of a temporary string.
    pub fn push_with(&mut self, write: impl FnOnce(&mut String)) {
        write(&mut self.bytes);
        let end = self.end_offset();
        self.ends.push(end);
    }

    /// Reserves room for `n_values` more values of `n_bytes` bytes in all.
    pub fn reserve(&mut self, n_values: usize, n_bytes: usize) {
        self.bytes.reserve(n_bytes);
        self.ends.reserve(n_values);
    }

    /// Appends missing values until the column holds `n_values`.
    pub fn fill_to(&mut self, n_values: usize) {
        if self.len() >= n_values {
            return;
        }
        match self.ends.is_empty() {
            true => self.n_leading_missing = n_values,
            false => {
                let end = self.end_offset();
                self.ends.resize(n_values - self.n_leading_missing, end | MISSING_BIT);
            }
        }
    }

    /// Bytes held by the values.
    pub fn n_bytes(&self) -> usize {
        self.bytes.len()
    }

    /// The value at `idx`; `None` when missing. Panics when `idx >= self.len()`.
    pub fn get(&self, idx: usize) -> Option<&str> {
        let idx = idx.checked_sub(self.n_leading_missing)?;
        let end = self.ends[idx];
        if end & MISSING_BIT != 0 {
            return None;
        }
        let start = if idx == 0 { 0 } else { self.ends[idx - 1] & OFFSET_MASK };
        Some(&self.bytes[start as usize..end as usize])
    }

    /// The end of the text so far, as an offset.
    fn end_offset(&self) -> u32 {
        u32::try_from(self.bytes.len())
            .ok()
            .filter(|end| end & MISSING_BIT == 0)
            .expect("a text column holds under 2 GiB")
    }

    /// Number of values, missing ones included.
    pub fn len(&self) -> usize {
        self.n_leading_missing + self.ends.len()
    }

    /// Whether the column holds no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Option<&str>> + '_ {
        (0..self.len()).map(|idx| self.get(idx))
    }

    /// The values at `rows`, in that order.
    pub fn take(&self, rows: &[usize]) -> TextColumn {
        rows.iter().map(|&row| self.get(row)).collect()
    }

    /// Appends every value of `other`.
    pub fn append(&mut self, other: &TextColumn) {
        if self.ends.is_empty() {
            self.n_leading_missing += other.n_leading_missing;
        } else {
            self.fill_to(self.len() + other.n_leading_missing);
        }
        self.reserve(other.ends.len(), other.n_bytes());
        let offset = self.end_offset();
        self.bytes.push_str(&other.bytes);
        self.end_offset();
        self.ends.extend(other.ends.iter().map(|end| end + offset));
    }
}

impl<'a> FromIterator<Option<&'a str>> for TextColumn {
    fn from_iter<I: IntoIterator<Item = Option<&'a str>>>(iter: I) -> TextColumn {
        let mut column = TextColumn::new();
        iter.into_iter().for_each(|value| column.push(value));
        column
    }
}

/// A standardized name, as columns (see `censuslink_standardize::name::StandardName`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameColumns {
    /// The normalised full name; missing for empty and placeholder names.
    pub full: TextColumn,
    /// The surname; empty for minority names with a separator dot.
    pub surname: TextColumn,
    /// The given name.
    pub given: TextColumn,
    /// The primary toneless pinyin reading, syllables separated by spaces: `shan wei`.
    pub pinyin: TextColumn,
    /// Every reading, alternatives separated by `|`: `shan|dan wei`.
    pub readings: TextColumn,
}

/// What joins a record's other names in the name columns of `other_names`.
pub const OTHER_NAMES_SEPARATOR: char = '、';

/// What joins a record's other names' readings (`pinyin`, `readings`) in `other_names`.
pub const OTHER_READINGS_SEPARATOR: char = ';';

/// A standardized ID number, as columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdColumns {
    /// The canonical 18-character number when valid; the cleaned text when not; missing when
    /// absent.
    pub number: TextColumn,
    /// What standardization made of it.
    pub status: Vec<IdStatus>,
    /// The birth date embedded in a valid number.
    pub birth_date: Vec<Option<PartialDate>>,
    /// The sex embedded in a valid number.
    pub sex: Vec<Option<Sex>>,
    /// The 6-digit address code of a valid number.
    pub region: Vec<Option<u32>>,
}

/// The standardized records of one source: row `i` of every column is one record.
///
/// Invariant: every column has the same length.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonTable {
    /// Data row number in the source file, 1-based, title and header rows not counted.
    pub row: Vec<u64>,
    /// The source's own record key, or the row number when the source has none or the key
    /// is empty in that row.
    pub record_id: TextColumn,
    /// Why the record cannot be linked; `None` for usable records.
    pub rejected: Vec<Option<RejectReason>>,
    /// The person's name.
    pub name: NameColumns,
    /// Sex as recorded.
    pub sex: Vec<Option<Sex>>,
    /// Birth date as recorded.
    pub birth_date: Vec<Option<PartialDate>>,
    /// The ID number.
    pub id: IdColumns,
    /// Ethnicity.
    pub ethnicity: Vec<Option<Ethnicity>>,
    /// Hukou region code at its own level (6, 9 or 12 digits).
    pub hukou_region: TextColumn,
    /// Hukou address as written.
    pub hukou_address: TextColumn,
    /// Residence region code at its own level.
    pub residence_region: TextColumn,
    /// Residence address as written.
    pub residence_address: TextColumn,
    /// Enumeration area code.
    pub enumeration_area: TextColumn,
    /// Household identifier.
    pub household_id: TextColumn,
    /// Relation to the head of household.
    pub relation: Vec<Option<Relation>>,
    /// Census record type.
    pub record_type: Vec<Option<RecordType>>,
    /// Date of the source's event (death, birth, enrolment).
    pub event_date: Vec<Option<PartialDate>>,
    /// The mother's ID number.
    pub mother_id: IdColumns,
    /// The mother's name.
    pub mother_name: NameColumns,
    /// The person's other names (former names, aliases), each column's names joined by
    /// [`OTHER_NAMES_SEPARATOR`] (readings by [`OTHER_READINGS_SEPARATOR`]).
    pub other_names: NameColumns,
    /// How a census record was collected.
    pub collection_mode: Vec<Option<CollectionMode>>,
    /// A register entry's status.
    pub status: Vec<Option<RegisterStatus>>,
    /// The day the status took effect.
    pub status_date: Vec<Option<PartialDate>>,
    /// The source's extra fields, in job order: a generic name (`given_name`, `postcode`),
    /// never a canonical field's, and its values as plain text, trimmed, missing when empty
    /// or a missing-value token. Each column has one value per record, as every other.
    pub extra: Vec<(String, TextColumn)>,
}

impl PersonTable {
    /// Number of records.
    pub fn len(&self) -> usize {
        self.row.len()
    }

    /// Whether the table holds no records.
    pub fn is_empty(&self) -> bool {
        self.row.is_empty()
    }

    /// Number of rejected records.
    pub fn n_rejected(&self) -> usize {
        self.rejected.iter().filter(|reason| reason.is_some()).count()
    }

    /// An empty table with room for `n_records` records.
    pub fn with_capacity(n_records: usize) -> PersonTable {
        let mut table = PersonTable::default();
        table.reserve(n_records);
        table
    }

    /// Brings every column shorter than `n_records` up to that length with missing values
    /// (`IdStatus::Missing` for ID statuses), so that a record can be built field by field and
    /// the fields it lacks filled in at the end.
    pub fn fill_to(&mut self, n_records: usize) {
        fn fill<T: Clone>(values: &mut Vec<T>, n: usize, missing: T) {
            if values.len() < n {
                values.resize(n, missing);
            }
        }
        fill(&mut self.row, n_records, 0);
        self.record_id.fill_to(n_records);
        fill(&mut self.rejected, n_records, None);
        self.name.fill_to(n_records);
        fill(&mut self.sex, n_records, None);
        fill(&mut self.birth_date, n_records, None);
        self.id.fill_to(n_records);
        fill(&mut self.ethnicity, n_records, None);
        self.hukou_region.fill_to(n_records);
        self.hukou_address.fill_to(n_records);
        self.residence_region.fill_to(n_records);
        self.residence_address.fill_to(n_records);
        self.enumeration_area.fill_to(n_records);
        self.household_id.fill_to(n_records);
        fill(&mut self.relation, n_records, None);
        fill(&mut self.record_type, n_records, None);
        fill(&mut self.event_date, n_records, None);
        self.mother_id.fill_to(n_records);
        self.mother_name.fill_to(n_records);
        self.other_names.fill_to(n_records);
        fill(&mut self.collection_mode, n_records, None);
        fill(&mut self.status, n_records, None);
        fill(&mut self.status_date, n_records, None);
        self.extra.iter_mut().for_each(|(_, column)| column.fill_to(n_records));
    }

    /// The extra field called `name`, if the source has one.
    pub fn extra(&self, name: &str) -> Option<&TextColumn> {
        self.extra.iter().find(|(extra, _)| extra == name).map(|(_, column)| column)
    }

    /// Brings the columns of `field` up to `n_records` values with missing values, so that a
    /// field whose value was missing or bad still holds one value per record.
    pub fn fill_field_to(&mut self, field: Field, n_records: usize) {
        fn fill<T: Clone>(values: &mut Vec<Option<T>>, n: usize) {
            if values.len() < n {
                values.resize(n, None);
            }
        }
        match field {
            Field::RecordId => self.record_id.fill_to(n_records),
            Field::Name => self.name.fill_to(n_records),
            Field::Sex => fill(&mut self.sex, n_records),
            Field::BirthDate => fill(&mut self.birth_date, n_records),
            Field::IdNumber => self.id.fill_to(n_records),
            Field::Ethnicity => fill(&mut self.ethnicity, n_records),
            Field::HukouRegion => self.hukou_region.fill_to(n_records),
            Field::HukouAddress => self.hukou_address.fill_to(n_records),
            Field::ResidenceRegion => self.residence_region.fill_to(n_records),
            Field::ResidenceAddress => self.residence_address.fill_to(n_records),
            Field::EnumerationArea => self.enumeration_area.fill_to(n_records),
            Field::HouseholdId => self.household_id.fill_to(n_records),
            Field::Relation => fill(&mut self.relation, n_records),
            Field::RecordType => fill(&mut self.record_type, n_records),
            Field::EventDate => fill(&mut self.event_date, n_records),
            Field::MotherId => self.mother_id.fill_to(n_records),
            Field::MotherName => self.mother_name.fill_to(n_records),
            Field::OtherNames => self.other_names.fill_to(n_records),
            Field::CollectionMode => fill(&mut self.collection_mode, n_records),
            Field::Status => fill(&mut self.status, n_records),
            Field::StatusDate => fill(&mut self.status_date, n_records),
        }
    }

    /// Reserves room for `n_records` more records in every column.
    pub fn reserve(&mut self, n_records: usize) {
        self.row.reserve(n_records);
        self.record_id.reserve(n_records, n_records * 8);
        self.rejected.reserve(n_records);
        self.name.reserve(n_records);
        self.sex.reserve(n_records);
        self.birth_date.reserve(n_records);
        self.id.reserve(n_records);
        self.ethnicity.reserve(n_records);
        for column in [
            &mut self.hukou_region,
            &mut self.hukou_address,
            &mut self.residence_region,
            &mut self.residence_address,
            &mut self.enumeration_area,
            &mut self.household_id,
        ] {
            column.reserve(n_records, n_records * 8);
        }
        self.relation.reserve(n_records);
        self.record_type.reserve(n_records);
        self.event_date.reserve(n_records);
        self.mother_id.reserve(n_records);
        self.mother_name.reserve(n_records);
        self.other_names.reserve(n_records);
        self.collection_mode.reserve(n_records);
        self.status.reserve(n_records);
        self.status_date.reserve(n_records);
        self.extra.iter_mut().for_each(|(_, column)| column.reserve(n_records, n_records * 8));
    }

    /// The records at `rows`, in that order, with every column (a subset of a source to link
    /// alone, say).
    pub fn take(&self, rows: &[usize]) -> PersonTable {
        PersonTable {
            row: take(&self.row, rows),
            record_id: self.record_id.take(rows),
            rejected: take(&self.rejected, rows),
            name: self.name.take(rows),
            sex: take(&self.sex, rows),
            birth_date: take(&self.birth_date, rows),
            id: self.id.take(rows),
            ethnicity: take(&self.ethnicity, rows),
            hukou_region: self.hukou_region.take(rows),
            hukou_address: self.hukou_address.take(rows),
            residence_region: self.residence_region.take(rows),
            residence_address: self.residence_address.take(rows),
            enumeration_area: self.enumeration_area.take(rows),
            household_id: self.household_id.take(rows),
            relation: take(&self.relation, rows),
            record_type: take(&self.record_type, rows),
            event_date: take(&self.event_date, rows),
            mother_id: self.mother_id.take(rows),
            mother_name: self.mother_name.take(rows),
            other_names: self.other_names.take(rows),
            collection_mode: take(&self.collection_mode, rows),
            status: take(&self.status, rows),
            status_date: take(&self.status_date, rows),
            extra: self
                .extra
                .iter()
                .map(|(name, column)| (name.clone(), column.take(rows)))
                .collect(),
        }
    }

    /// Makes room for the records of `parts` in every column, each grown once to its whole
    /// length (the extra fields to 8 bytes a value): appended a batch at a time, a column
    /// would double its way there, copied and its memory touched about twice over.
    pub fn reserve_for(&mut self, parts: &[PersonTable]) {
        let n: usize = parts.iter().map(PersonTable::len).sum();
        self.reserve(n);
        let mut bytes = vec![0; self.text_columns_mut().len()];
        for part in parts {
            for (total, column) in bytes.iter_mut().zip(part.text_columns()) {
                *total += column.n_bytes();
            }
        }
        for (column, bytes) in self.text_columns_mut().into_iter().zip(bytes) {
            column.bytes.reserve_exact(bytes);
        }
    }

    /// The text columns, extra fields aside, in a fixed order.
    fn text_columns(&self) -> Vec<&TextColumn> {
        let mut columns = vec![&self.record_id, &self.id.number, &self.mother_id.number];
        columns.extend([&self.hukou_region, &self.hukou_address, &self.residence_region]);
        columns.extend([&self.residence_address, &self.enumeration_area, &self.household_id]);
        for name in [&self.name, &self.mother_name, &self.other_names] {
            columns.extend(name.columns());
        }
        columns
    }

    /// [`PersonTable::text_columns`], to change.
    fn text_columns_mut(&mut self) -> Vec<&mut TextColumn> {
        let mut columns =
            vec![&mut self.record_id, &mut self.id.number, &mut self.mother_id.number];
        columns.extend([
            &mut self.hukou_region,
            &mut self.hukou_address,
            &mut self.residence_region,
        ]);
        columns.extend([
            &mut self.residence_address,
            &mut self.enumeration_area,
            &mut self.household_id,
        ]);
        for name in [&mut self.name, &mut self.mother_name, &mut self.other_names] {
            columns.extend(name.columns_mut());
        }
        columns
    }

    /// Appends every record of `other`, keeping order. Extra fields are matched by name: one
    /// that only `other` has is added (missing in the records before), one that only `self`
    /// has reads as missing in the records appended.
    pub fn append(&mut self, other: &PersonTable) {
        self.append_values(other);
        for (column, other) in self.text_columns_mut().into_iter().zip(other.text_columns()) {
            column.append(other);
        }
    }

    /// Appends every record of `parts`, in order, as [`PersonTable::append`] each, every column
    /// grown once ([`PersonTable::reserve_for`]) and each part's column dropped once appended.
    /// Each text column is a task of its own, and the other columns one more: `run` runs the
    /// tasks, in any order, at once or not.
    pub fn append_parts(
        &mut self,
        mut parts: Vec<PersonTable>,
        run: impl for<'t> FnOnce(Vec<ColumnTask<'t>>),
    ) {
        self.reserve_for(&parts);
        let mut texts: Vec<TextColumn> =
            self.text_columns_mut().into_iter().map(std::mem::take).collect();
        // By text column, each part's values, taken out of the parts.
        let mut taken: Vec<Vec<TextColumn>> = texts.iter().map(|_| Vec::new()).collect();
        for part in &mut parts {
            for (column, taken) in part.text_columns_mut().into_iter().zip(&mut taken) {
                taken.push(std::mem::take(column));
            }
        }
        let values = &mut *self;
        let mut tasks: Vec<ColumnTask<'_>> =
            vec![Box::new(move || parts.into_iter().for_each(|part| values.append_values(&part)))];
        for (column, parts) in texts.iter_mut().zip(taken) {
            tasks.push(Box::new(move || parts.into_iter().for_each(|part| column.append(&part))));
        }
        run(tasks);
        debug_assert!(texts.iter().all(|text| text.len() == self.len()), "every task was run");
        for (column, text) in self.text_columns_mut().into_iter().zip(texts) {
            *column = text;
        }
    }

    /// [`PersonTable::append`] of every column but [`PersonTable::text_columns`].
    fn append_values(&mut self, other: &PersonTable) {
        let n_before = self.len();
        for (name, column) in &other.extra {
            let idx = match self.extra.iter().position(|(extra, _)| extra == name) {
                Some(idx) => idx,
                None => {
                    let mut new = TextColumn::new();
                    new.fill_to(n_before);
                    self.extra.push((name.clone(), new));
                    self.extra.len() - 1
                }
            };
            self.extra[idx].1.append(column);
        }
        for (_, column) in &mut self.extra {
            column.fill_to(n_before + other.len());
        }
        self.row.extend_from_slice(&other.row);
        self.rejected.extend_from_slice(&other.rejected);
        self.sex.extend_from_slice(&other.sex);
        self.birth_date.extend_from_slice(&other.birth_date);
        self.id.append_values(&other.id);
        self.ethnicity.extend_from_slice(&other.ethnicity);
        self.relation.extend_from_slice(&other.relation);
        self.record_type.extend_from_slice(&other.record_type);
        self.event_date.extend_from_slice(&other.event_date);
        self.mother_id.append_values(&other.mother_id);
        self.collection_mode.extend_from_slice(&other.collection_mode);
        self.status.extend_from_slice(&other.status);
        self.status_date.extend_from_slice(&other.status_date);
    }
}

/// A column's share of [`PersonTable::append_parts`].
pub type ColumnTask<'t> = Box<dyn FnOnce() + Send + 't>;

impl NameColumns {
    /// The five text columns, in a fixed order.
    fn columns(&self) -> [&TextColumn; 5] {
        [&self.full, &self.surname, &self.given, &self.pinyin, &self.readings]
    }

    /// [`NameColumns::columns`], to change.
    fn columns_mut(&mut self) -> [&mut TextColumn; 5] {
        [&mut self.full, &mut self.surname, &mut self.given, &mut self.pinyin, &mut self.readings]
    }

    fn fill_to(&mut self, n_records: usize) {
        self.columns_mut().into_iter().for_each(|column| column.fill_to(n_records));
    }

    fn reserve(&mut self, n_records: usize) {
        self.columns_mut().into_iter().for_each(|column| column.reserve(n_records, n_records * 8));
    }

    /// The names at `rows`, in that order.
    pub fn take(&self, rows: &[usize]) -> NameColumns {
        NameColumns {
            full: self.full.take(rows),
            surname: self.surname.take(rows),
            given: self.given.take(rows),
            pinyin: self.pinyin.take(rows),
            readings: self.readings.take(rows),
        }
    }

    /// Appends every name of `other`.
    pub fn append(&mut self, other: &NameColumns) {
        self.full.append(&other.full);
        self.surname.append(&other.surname);
        self.given.append(&other.given);
        self.pinyin.append(&other.pinyin);
        self.readings.append(&other.readings);
    }
}

impl IdColumns {
    fn fill_to(&mut self, n_records: usize) {
        self.number.fill_to(n_records);
        self.status.resize(self.status.len().max(n_records), IdStatus::Missing);
        self.birth_date.resize(self.birth_date.len().max(n_records), None);
        self.sex.resize(self.sex.len().max(n_records), None);
        self.region.resize(self.region.len().max(n_records), None);
    }

    fn reserve(&mut self, n_records: usize) {
        self.number.reserve(n_records, n_records * 18);
        self.status.reserve(n_records);
        self.birth_date.reserve(n_records);
        self.sex.reserve(n_records);
        self.region.reserve(n_records);
    }

    /// The IDs at `rows`, in that order.
    pub fn take(&self, rows: &[usize]) -> IdColumns {
        IdColumns {
            number: self.number.take(rows),
            status: take(&self.status, rows),
            birth_date: take(&self.birth_date, rows),
            sex: take(&self.sex, rows),
            region: take(&self.region, rows),
        }
    }

    /// Appends every ID of `other`.
    pub fn append(&mut self, other: &IdColumns) {
        self.number.append(&other.number);
        self.append_values(other);
    }

    /// [`IdColumns::append`] but the number.
    fn append_values(&mut self, other: &IdColumns) {
        self.status.extend_from_slice(&other.status);
        self.birth_date.extend_from_slice(&other.birth_date);
        self.sex.extend_from_slice(&other.sex);
        self.region.extend_from_slice(&other.region);
    }
}

/// The values at `rows`, in that order.
fn take<T: Clone>(values: &[T], rows: &[usize]) -> Vec<T> {
    rows.iter().map(|&row| values[row].clone()).collect()
}

#[cfg(test)]
mod tests {
    use crate::{PersonTable, TextColumn};

    #[test]
    fn text_column_keeps_missing_apart_from_empty() {
        let mut column: TextColumn =
            [Some("张伟"), None, Some(""), Some("欧阳娜娜")].into_iter().collect();
        assert_eq!(column.len(), 4);
        assert_eq!(column.get(0), Some("张伟"));
        assert_eq!(column.get(1), None);
        assert_eq!(column.get(2), Some(""));
        let tail: TextColumn = [None, Some("李娜")].into_iter().collect();
        column.append(&tail);
        let values: Vec<_> = column.iter().collect();
        assert_eq!(values, [Some("张伟"), None, Some(""), Some("欧阳娜娜"), None, Some("李娜")]);
    }

    #[test]
    fn missing_values_before_the_first_present_one_are_only_counted() {
        let mut nothing = TextColumn::new();
        nothing.fill_to(3);
        nothing.push(None);
        assert_eq!((nothing.len(), nothing.ends.capacity()), (4, 0), "no end stored");
        assert_eq!(nothing.iter().collect::<Vec<_>>(), [None; 4]);
        let tail: TextColumn = [None, Some("李娜"), None].into_iter().collect();
        let mut column = nothing.clone();
        column.append(&tail);
        column.fill_to(8);
        let values = [None, None, None, None, None, Some("李娜"), None, None];
        assert_eq!(column.iter().collect::<Vec<_>>(), values);
        // However it was made, a column of these values is the same column.
        assert_eq!(column, values.into_iter().collect());
        let mut present: TextColumn = [Some("张伟")].into_iter().collect();
        present.append(&nothing);
        present.append(&tail);
        assert_eq!(present.iter().collect::<Vec<_>>()[4..], [None, None, Some("李娜"), None]);
        assert_eq!(present.get(0), Some("张伟"));
        assert_eq!(present.n_bytes(), "张伟李娜".len());
    }

    #[test]
    fn a_table_reserved_for_its_parts_holds_them_without_growing_again() {
        let part = |names: &[Option<&str>], addresses: &[Option<&str>]| {
            let mut table = PersonTable {
                row: (1..=names.len() as u64).collect(),
                hukou_address: addresses.iter().copied().collect(),
                ..PersonTable::default()
            };
            table.name.full = names.iter().copied().collect();
            table.fill_to(names.len());
            table
        };
        let parts = [
            part(&[Some("张伟"), None], &[Some("玄武区梅园新村"), Some("鼓楼区")]),
            part(&[Some("欧阳娜娜")], &[None]),
        ];
        let mut appended = PersonTable::default();
        parts.iter().for_each(|p| appended.append(p));
        let mut reserved = PersonTable::default();
        reserved.reserve_for(&parts);
        let capacity = |t: &PersonTable| {
            (t.row.capacity(), t.name.full.bytes.capacity(), t.hukou_address.bytes.capacity())
        };
        let before = capacity(&reserved);
        // Three records; names of 6 and 12 bytes, addresses of 21 and 9 (more than the 8
        // bytes a value `reserve` guesses).
        assert!(before.0 >= 3 && before.1 >= 6 + 12 && before.2 >= 21 + 9, "{before:?}");
        parts.iter().for_each(|p| reserved.append(p));
        assert_eq!(reserved, appended);
        assert_eq!(capacity(&reserved), before, "no column grew again");
        // Appended column by column, the tasks run last first: the same table, grown once.
        let mut by_columns = PersonTable::default();
        let mut n_tasks = 0;
        by_columns.append_parts(parts.to_vec(), |tasks| {
            n_tasks = tasks.len();
            tasks.into_iter().rev().for_each(|task| task());
        });
        assert_eq!(by_columns, appended);
        assert_eq!(capacity(&by_columns), before);
        assert_eq!(n_tasks, 1 + 9 + 3 * 5, "the values, 9 text columns and 3 names' 5");
    }

    #[test]
    fn extra_columns_keep_the_table_length_through_append_and_fill() {
        fn table(n_records: u64, extra: &[(&str, &[Option<&str>])]) -> PersonTable {
            let mut table = PersonTable {
                extra: extra
                    .iter()
                    .map(|(name, values)| (name.to_string(), values.iter().copied().collect()))
                    .collect(),
                ..PersonTable::default()
            };
            table.row = (1..=n_records).collect();
            table.fill_to(n_records as usize);
            table
        }
        let values = |table: &PersonTable, name: &str| -> Vec<Option<String>> {
            let column = table.extra(name).expect("the extra field");
            column.iter().map(|value| value.map(str::to_owned)).collect()
        };
        let mut whole = PersonTable::default();
        whole.append(&table(2, &[("postcode", &[Some("4011"), None]), ("state", &[Some("wa")])]));
        whole.append(&table(1, &[("email", &[Some("a@b.net")]), ("postcode", &[Some("2602")])]));
        assert_eq!(whole.len(), 3);
        let names: Vec<_> = whole.extra.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["postcode", "state", "email"], "first seen first");
        let owned = |values: &[Option<&str>]| -> Vec<Option<String>> {
            values.iter().map(|value| value.map(str::to_owned)).collect()
        };
        assert_eq!(values(&whole, "postcode"), owned(&[Some("4011"), None, Some("2602")]));
        assert_eq!(values(&whole, "state"), owned(&[Some("wa"), None, None]), "filled");
        assert_eq!(values(&whole, "email"), owned(&[None, None, Some("a@b.net")]), "added");
        assert_eq!(whole.extra("surname"), None);

        // Records taken keep every column, extras too, in the order asked.
        let taken = whole.take(&[2, 0]);
        assert_eq!(taken.row, [1, 1]);
        assert_eq!(values(&taken, "postcode"), owned(&[Some("2602"), Some("4011")]));
        assert_eq!(values(&taken, "email"), owned(&[Some("a@b.net"), None]));
        assert_eq!(whole.take(&[0, 1, 2]), whole, "every record: the table itself");
        assert_eq!(taken.take(&[1]), whole.take(&[0]));
    }
}
