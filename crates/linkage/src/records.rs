//! Records as columns of comparison features: strings interned once per feature (so that equal
//! values compare as equal integers and term frequencies are counts), dates, ID numbers and
//! region codes packed into integers. One `Records` holds both sides of a link (left records
//! first) or the one side of a deduplication, so that both sides share each feature's strings.

use std::collections::HashMap;

/// What is linked: two sources, or one source against itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Pairs join a left record (`0..n_left`) and a right one (`n_left..`).
    Link {
        /// Records of the left source.
        n_left: usize,
    },
    /// Pairs join two records of one source (`a < b`).
    Dedupe,
}

/// A record's position in [`Records`].
pub type RecordIdx = u32;

/// The records of a linkage job, as feature columns.
#[derive(Debug, Clone)]
pub struct Records {
    mode: Mode,
    len: usize,
    features: Vec<(String, Feature)>,
}

/// Each value's interned id, hashed with a seed of the process's own (see `ahash` in the
/// workspace's manifest): a hash per record is most of what interning costs.
type Index<'a> = HashMap<&'a str, u32, ahash::RandomState>;

/// Strings interned per feature: `ids[record]` is 0 when missing, else the 1-based index of the
/// value in `values`; `counts` say how many records hold each value (term frequencies).
#[derive(Debug, Clone, Default)]
pub struct Interned {
    pub(crate) ids: Vec<u32>,
    /// `values[id - 1]`.
    pub(crate) values: Vec<Box<str>>,
    /// `counts[id - 1]`.
    pub(crate) counts: Vec<u32>,
    /// Records with a value.
    pub(crate) n_present: u32,
}

impl Interned {
    fn build<'a>(values: impl Iterator<Item = Option<&'a str>>) -> Interned {
        let mut index: Index<'a> = Index::default();
        let mut interned = Interned::default();
        for value in values {
            let id = match value {
                Some(value) if !value.is_empty() => {
                    let next = index.len() as u32 + 1;
                    let id = *index.entry(value).or_insert(next);
                    if id == next {
                        interned.values.push(value.into());
                        interned.counts.push(0);
                    }
                    interned.counts[id as usize - 1] += 1;
                    interned.n_present += 1;
                    id
                }
                _ => 0,
            };
            interned.ids.push(id);
        }
        interned
    }

    /// The value of interned id `id` (not 0).
    pub(crate) fn value(&self, id: u32) -> &str {
        &self.values[id as usize - 1]
    }

    /// The ids of `wanted` (each value's id, interned now when no record holds it: it then
    /// counts for no record's frequency).
    fn ids_of<'a>(&mut self, wanted: impl Iterator<Item = &'a str>) -> Index<'a> {
        let mut ids: Index<'a> = wanted.filter(|v| !v.is_empty()).map(|v| (v, 0)).collect();
        for (i, value) in self.values.iter().enumerate() {
            if let Some(id) = ids.get_mut(&**value) {
                *id = i as u32 + 1;
            }
        }
        let mut missing: Vec<&'a str> =
            ids.iter().filter(|(_, id)| **id == 0).map(|(v, _)| *v).collect();
        missing.sort_unstable();
        for value in missing {
            self.values.push(value.into());
            self.counts.push(0);
            ids.insert(value, self.values.len() as u32);
        }
        ids
    }

    /// The share of records with a value that hold value `id`.
    pub(crate) fn frequency(&self, id: u32) -> f64 {
        f64::from(self.counts[id as usize - 1]) / f64::from(self.n_present.max(1))
    }
}

/// A calendar date at day, month or year precision, packed as `year * 10_000 + month * 100 +
/// day` with 0 for an unknown month or day; 0 for a missing date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct PackedDate(pub u32);

impl PackedDate {
    /// The date `year-month-day`, with 0 for an unknown month or day.
    pub fn new(year: u16, month: u8, day: u8) -> PackedDate {
        PackedDate(u32::from(year) * 10_000 + u32::from(month) * 100 + u32::from(day))
    }

    pub(crate) fn year(self) -> u32 {
        self.0 / 10_000
    }

    pub(crate) fn month(self) -> u32 {
        self.0 / 100 % 100
    }

    pub(crate) fn day(self) -> u32 {
        self.0 % 100
    }

    pub(crate) fn is_missing(self) -> bool {
        self.0 == 0
    }
}

/// Bit 62 of a packed ID: a pseudonym.
const PSEUDONYM: u64 = 1 << 62;

/// An ID number packed for comparison: its 18 characters (X as 10 in the last place) as an
/// integer, and whether it was converted from a 15-digit number. 0 is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PackedId {
    /// The 17 digits times 11 plus the check value (0-10); 0 when missing.
    pub(crate) value: u64,
    pub(crate) from_15: bool,
}

impl PackedId {
    /// Packs an 18-character ID number (17 digits and a digit or `X`); `None` for anything
    /// else, which then compares as missing.
    pub fn new(number: &str, converted_from_15: bool) -> Option<PackedId> {
        let bytes = number.as_bytes();
        if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
            return None;
        }
        let check = match bytes[17] {
            b'X' | b'x' => 10,
            digit @ b'0'..=b'9' => u64::from(digit - b'0'),
            _ => return None,
        };
        let body = bytes[..17].iter().fold(0u64, |acc, &d| acc * 10 + u64::from(d - b'0'));
        Some(PackedId { value: body * 11 + check, from_15: converted_from_15 })
    }

    /// Packs a keyed pseudonym of a number (`psn:` and 32 hex digits): 62 of its bits, with
    /// bit 62 set, above every packed ID number (below 2^61); compared for equality only.
    pub fn pseudonym(token: &str) -> Option<PackedId> {
        let hex = token.strip_prefix("psn:").filter(|hex| hex.len() == 32)?;
        let bits = u64::from_str_radix(&hex[..16], 16).ok()?;
        Some(PackedId { value: PSEUDONYM | bits >> 2, from_15: false })
    }

    /// Whether this is a pseudonym rather than a number.
    pub(crate) fn is_pseudonym(self) -> bool {
        self.value & PSEUDONYM != 0
    }

    /// The region and birth date the number embeds, its first 14 digits as a number; 0 for a
    /// pseudonym or a missing number.
    pub(crate) fn region_birth(self) -> u64 {
        if self.is_pseudonym() { 0 } else { self.value / 11 / 1000 }
    }

    /// The 18 characters, `X` for a check value of 10.
    pub(crate) fn chars(self) -> [u8; 18] {
        let mut chars = [0u8; 18];
        let check = self.value % 11;
        chars[17] = if check == 10 { b'X' } else { b'0' + check as u8 };
        let mut body = self.value / 11;
        for c in chars[..17].iter_mut().rev() {
            *c = b'0' + (body % 10) as u8;
            body /= 10;
        }
        chars
    }
}

/// Each record's other names, interned with a name feature's own values: record `r`'s are
/// `starts[r]..starts[r + 1]` of the id vectors; `starts` is empty when no record has any.
#[derive(Debug, Clone, Default)]
pub struct OtherNames {
    pub(crate) starts: Vec<u32>,
    pub(crate) full: Vec<u32>,
    pub(crate) reading: Vec<u32>,
    pub(crate) surname_reading: Vec<u32>,
}

impl OtherNames {
    /// The positions of record `r`'s other names.
    pub(crate) fn of(&self, r: usize) -> std::ops::Range<usize> {
        match self.starts.get(r..r + 2) {
            Some(&[start, end]) => start as usize..end as usize,
            _ => 0..0,
        }
    }
}

/// One feature column.
#[derive(Debug, Clone)]
pub enum Feature {
    /// Text compared as strings.
    Text(Interned),
    /// A name: its full normalised form and its pinyin (or other phonetic) reading, each
    /// interned, and the reading of its surname for blocking.
    Name {
        /// The full name.
        full: Interned,
        /// Its reading, syllables separated by spaces.
        reading: Interned,
        /// The reading of the surname.
        surname_reading: Interned,
        /// Each record's other names (former names, aliases), interned with the names.
        others: Box<OtherNames>,
    },
    /// ID numbers.
    Id(Vec<PackedId>),
    /// Dates with their precision.
    Date(Vec<PackedDate>),
    /// Hierarchical region codes (a 12-digit code, or fewer digits for a coarser unit), with
    /// the number of digits given; 0 is missing.
    Region(Vec<u64>),
    /// Small codes (sex, ethnicity, ...); 0 is missing.
    Code(Vec<u8>),
}

impl Feature {
    fn len(&self) -> usize {
        match self {
            Feature::Text(text) => text.ids.len(),
            Feature::Name { full, .. } => full.ids.len(),
            Feature::Id(values) => values.len(),
            Feature::Date(values) => values.len(),
            Feature::Region(values) => values.len(),
            Feature::Code(values) => values.len(),
        }
    }
}

impl Records {
    /// The records of `mode`, `len` of them, without features yet.
    pub fn new(mode: Mode, len: usize) -> Records {
        if let Mode::Link { n_left } = mode {
            assert!(n_left <= len, "the left source is part of the records");
        }
        Records { mode, len, features: Vec::new() }
    }

    /// Adds a text feature.
    pub fn text<'a>(mut self, name: &str, values: impl Iterator<Item = Option<&'a str>>) -> Self {
        self.push(name, Feature::Text(Interned::build(values)));
        self
    }

    /// Adds a name feature: each record's full name, its reading (syllables separated by
    /// spaces) and its surname's reading.
    pub fn name<'a>(
        mut self,
        name: &str,
        values: impl Iterator<Item = (Option<&'a str>, Option<&'a str>, Option<&'a str>)>,
    ) -> Self {
        let (mut full, mut reading, mut surname): (Vec<_>, Vec<_>, Vec<_>) =
            (Vec::new(), Vec::new(), Vec::new());
        for (f, r, s) in values {
            full.push(f);
            reading.push(r);
            surname.push(s);
        }
        let feature = Feature::Name {
            full: Interned::build(full.into_iter()),
            reading: Interned::build(reading.into_iter()),
            surname_reading: Interned::build(surname.into_iter()),
            others: Box::default(),
        };
        self.push(name, feature);
        self
    }

    /// Gives name feature `name` each record's other names (former names, aliases: the full
    /// form, reading and surname's reading of each), compared as alternatives to the name and
    /// blocked on beside it. Panics unless `name` is a name feature.
    pub fn other_names<'a>(
        mut self,
        name: &str,
        values: impl Iterator<Item = Vec<(&'a str, &'a str, &'a str)>>,
    ) -> Self {
        let values: Vec<Vec<(&'a str, &'a str, &'a str)>> = values.collect();
        assert_eq!(values.len(), self.len, "other names of every record");
        let feature = self.features.iter_mut().find(|(n, _)| n == name).map(|(_, f)| f);
        let Some(Feature::Name { full, reading, surname_reading, others }) = feature else {
            panic!("`{name}` is a name feature");
        };
        let all = || values.iter().flatten();
        let full_ids = full.ids_of(all().map(|n| n.0));
        let reading_ids = reading.ids_of(all().map(|n| n.1));
        let surname_ids = surname_reading.ids_of(all().map(|n| n.2));
        let id = |ids: &Index<'_>, value: &str| ids.get(value).copied().unwrap_or(0);
        let mut starts = Vec::with_capacity(values.len() + 1);
        starts.push(0);
        for names in &values {
            for &(f, r, s) in names {
                others.full.push(id(&full_ids, f));
                others.reading.push(id(&reading_ids, r));
                others.surname_reading.push(id(&surname_ids, s));
            }
            starts.push(others.full.len() as u32);
        }
        others.starts = if others.full.is_empty() { Vec::new() } else { starts };
        self
    }

    /// Adds an ID-number feature.
    pub fn id(mut self, name: &str, values: impl Iterator<Item = Option<PackedId>>) -> Self {
        self.push(name, Feature::Id(values.map(Option::unwrap_or_default).collect()));
        self
    }

    /// Adds a date feature.
    pub fn date(mut self, name: &str, values: impl Iterator<Item = Option<PackedDate>>) -> Self {
        self.push(name, Feature::Date(values.map(Option::unwrap_or_default).collect()));
        self
    }

    /// Adds a region-code feature (codes of 2 to 12 digits; longer is finer).
    pub fn region(mut self, name: &str, values: impl Iterator<Item = Option<u64>>) -> Self {
        self.push(name, Feature::Region(values.map(|v| v.unwrap_or(0)).collect()));
        self
    }

    /// Adds a code feature (values 1-255).
    pub fn code(mut self, name: &str, values: impl Iterator<Item = Option<u8>>) -> Self {
        self.push(name, Feature::Code(values.map(|v| v.unwrap_or(0)).collect()));
        self
    }

    /// These records with the features of `other` after their own: records of the same mode
    /// and length whose features were built apart (in parallel, say).
    pub fn with_features_of(mut self, other: Records) -> Self {
        assert!(self.mode == other.mode && self.len == other.len, "the same records");
        for (name, feature) in other.features {
            self.push(&name, feature);
        }
        self
    }

    fn push(&mut self, name: &str, feature: Feature) {
        assert_eq!(feature.len(), self.len, "feature `{name}` has one value per record");
        assert!(self.feature(name).is_none(), "feature `{name}` is added once");
        self.features.push((name.to_owned(), feature));
    }

    /// The feature called `name`.
    pub fn feature(&self, name: &str) -> Option<&Feature> {
        self.features.iter().find(|(n, _)| n == name).map(|(_, f)| f)
    }

    /// The index of the feature called `name`.
    pub(crate) fn feature_index(&self, name: &str) -> Option<usize> {
        self.features.iter().position(|(n, _)| n == name)
    }

    pub(crate) fn feature_at(&self, idx: usize) -> &Feature {
        &self.features[idx].1
    }

    /// The features' names, in the order added.
    pub fn feature_names(&self) -> impl Iterator<Item = &str> {
        self.features.iter().map(|(name, _)| name.as_str())
    }

    /// What is linked.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Records of the left source (all of them when deduplicating).
    pub(crate) fn n_left(&self) -> usize {
        match self.mode {
            Mode::Link { n_left } => n_left,
            Mode::Dedupe => self.len,
        }
    }

    /// Every pair the mode allows: `n_left * n_right`, or `n (n - 1) / 2`.
    pub fn n_possible_pairs(&self) -> f64 {
        let n = self.len as f64;
        match self.mode {
            Mode::Link { n_left } => n_left as f64 * (n - n_left as f64),
            Mode::Dedupe => n * (n - 1.0) / 2.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::records::{Interned, PackedDate, PackedId};

    #[test]
    fn interning_counts_values_and_keeps_missing_apart() {
        let interned =
            Interned::build([Some("wang"), None, Some("li"), Some("wang"), Some("")].into_iter());
        assert_eq!(interned.ids, [1, 0, 2, 1, 0]);
        assert_eq!(interned.counts, [2, 1]);
        assert_eq!(interned.n_present, 3);
        assert_eq!(interned.value(interned.ids[3]), "wang");
        assert!((interned.frequency(1) - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn ids_and_dates_pack_and_unpack() {
        let id = PackedId::new("11010519491231002X", false).expect("an ID");
        assert_eq!(&id.chars(), b"11010519491231002X");
        let id = PackedId::new("110105194912310021", true).expect("an ID");
        assert_eq!(&id.chars(), b"110105194912310021");
        assert!(id.from_15);
        assert_eq!(PackedId::new("1101051949123100", false), None);
        assert_eq!(PackedId::new("11010519491231002Y", false), None);
        let date = PackedDate::new(1987, 5, 0);
        assert_eq!((date.year(), date.month(), date.day()), (1987, 5, 0));
        assert!(PackedDate::default().is_missing());
        let token = PackedId::pseudonym("psn:ffffffffffffffff0123456789abcdef").expect("a token");
        assert!(token.is_pseudonym() && !id.is_pseudonym());
        assert_eq!(token.value, (1 << 62) | (u64::MAX >> 2));
        assert_eq!(PackedId::pseudonym("psn:ffff"), None);
    }
}
