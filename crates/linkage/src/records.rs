//! Records as columns of comparison features: strings interned once per feature (so that equal
//! values compare as equal integers and term frequencies are counts), dates, ID numbers and
//! region codes packed into integers. One `Records` holds both sides of a link (left records
//! first) or the one side of a deduplication, so that both sides share each feature's strings.

use std::collections::HashMap;
use std::sync::Arc;

use indexmap::IndexSet;
use rayon::prelude::*;

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

/// Strings interned for a whole job: each distinct value of a feature held once, whatever
/// sources and links hold it, numbered from 1 in the order interned (the number is the
/// job's own: a link numbers its values afresh, [`Interned`]). Hashed with a seed of the
/// process's own (see `ahash` in the workspace's manifest), so that a file crafted to collide
/// cannot slow a run. [`Dictionary::freeze`] keeps the values alone, end to end.
#[derive(Debug, Clone, Default)]
pub struct Dictionary {
    values: IndexSet<Box<str>, ahash::RandomState>,
}

impl Dictionary {
    /// The number of `value`, interned now if new.
    fn intern(&mut self, value: &str) -> u32 {
        let index = match self.values.get_index_of(value) {
            Some(index) => index,
            None => self.values.insert_full(value.into()).0,
        };
        index as u32 + 1
    }

    /// The number of values.
    fn len(&self) -> usize {
        self.values.len()
    }

    /// The values, numbered as interned, without the index that interned them.
    pub fn freeze(self) -> Arc<Strings> {
        let mut strings = Strings::default();
        for value in self.values {
            strings.push(&value);
        }
        Arc::new(strings)
    }
}

/// Strings numbered from 1, held end to end (at most 4 GiB of them).
#[derive(Debug, Clone, Default)]
pub struct Strings {
    text: String,
    /// `text[ends[n - 2]..ends[n - 1]]` is string `n` (from 0 for the first).
    ends: Vec<u32>,
}

/// Where a string is in [`Strings`]: its start and length.
type Span = (u32, u32);

impl Strings {
    fn push(&mut self, value: &str) -> u32 {
        self.text.push_str(value);
        let end = u32::try_from(self.text.len()).expect("a dictionary holds at most 4 GiB");
        self.ends.push(end);
        self.ends.len() as u32
    }

    /// Where string `number` (not 0) is.
    fn span(&self, number: u32) -> Span {
        let n = number as usize;
        let start = if n > 1 { self.ends[n - 2] } else { 0 };
        (start, self.ends[n - 1] - start)
    }

    /// String `number` (not 0).
    fn get(&self, number: u32) -> &str {
        self.of(self.span(number))
    }

    /// The string at `span`.
    fn of(&self, (start, len): Span) -> &str {
        &self.text[start as usize..(start + len) as usize]
    }

    fn len(&self) -> usize {
        self.ends.len()
    }
}

/// One source's values of a text feature, interned in a job's [`Dictionary`] once and joined
/// into the records of every link the source is part of ([`Records::join_text`]).
#[derive(Debug, Clone, Default)]
pub struct SourceText {
    /// Each record's value's number in the dictionary; 0 when missing.
    numbers: Vec<u32>,
    /// The numbers of the values the records hold, in the order of their first record.
    first: Vec<u32>,
    /// `counts[i]`: the records holding value `first[i]`.
    counts: Vec<u32>,
}

impl SourceText {
    /// The values of a source's records (`None` or empty when missing), interned in
    /// `dictionary`.
    pub fn build<'a>(
        dictionary: &mut Dictionary,
        values: impl Iterator<Item = Option<&'a str>>,
    ) -> SourceText {
        let mut text = SourceText::default();
        // `position[number]`: 1 + the value's place in `first`, 0 when not yet held here.
        let mut position: Vec<u32> = Vec::new();
        for value in values {
            let number = match value {
                Some(value) if !value.is_empty() => {
                    let number = dictionary.intern(value);
                    if position.len() <= number as usize {
                        position.resize(dictionary.len() + 1, 0);
                    }
                    let at = &mut position[number as usize];
                    if *at == 0 {
                        text.first.push(number);
                        text.counts.push(0);
                        *at = text.first.len() as u32;
                    }
                    text.counts[*at as usize - 1] += 1;
                    number
                }
                _ => 0,
            };
            text.numbers.push(number);
        }
        text
    }

    /// `len` records without a value.
    pub fn missing(len: usize) -> SourceText {
        SourceText { numbers: vec![0; len], ..SourceText::default() }
    }

    /// The records `rows` (in that order), as [`SourceText::build`] of their values would
    /// have them.
    pub fn take(&self, rows: &[RecordIdx]) -> SourceText {
        let size = self.first.iter().max().map_or(0, |&n| n as usize + 1);
        let mut position: Vec<u32> = vec![0; size];
        let mut text = SourceText { numbers: Vec::with_capacity(rows.len()), ..Default::default() };
        for &row in rows {
            let number = self.numbers[row as usize];
            if number != 0 {
                let at = &mut position[number as usize];
                if *at == 0 {
                    text.first.push(number);
                    text.counts.push(0);
                    *at = text.first.len() as u32;
                }
                text.counts[*at as usize - 1] += 1;
            }
            text.numbers.push(number);
        }
        text
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.numbers.len()
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.numbers.is_empty()
    }
}

/// One source's name feature (see [`Records::name`]): its full form, reading and surname's
/// reading, and each record's other names, interned in a job's dictionaries.
#[derive(Debug, Clone, Default)]
pub struct SourceName {
    /// The full names.
    pub full: SourceText,
    /// Their readings.
    pub reading: SourceText,
    /// Their surnames' readings.
    pub surname_reading: SourceText,
    /// Each record's other names, as dictionary numbers (see [`OtherNames`]).
    others: OtherNames,
}

/// A name feature's three dictionaries: the full forms, the readings, the surnames' readings.
pub type NameDictionaries = [Dictionary; 3];

impl SourceName {
    /// The names of a source's records: each record's full name, reading and surname's
    /// reading, and its other names (each the same three), interned in `dictionaries`.
    pub fn build<'a>(
        dictionaries: &mut NameDictionaries,
        values: impl Iterator<Item = (Option<&'a str>, Option<&'a str>, Option<&'a str>)>,
        other_names: impl Iterator<Item = Vec<(&'a str, &'a str, &'a str)>>,
    ) -> SourceName {
        let (mut full, mut reading, mut surname): (Vec<_>, Vec<_>, Vec<_>) =
            (Vec::new(), Vec::new(), Vec::new());
        for (f, r, s) in values {
            full.push(f);
            reading.push(r);
            surname.push(s);
        }
        let mut others: Vec<(&str, &str, &str)> = Vec::new();
        let mut starts = vec![0];
        for names in other_names {
            others.extend(names);
            starts.push(others.len() as u32);
        }
        assert_eq!(starts.len(), full.len() + 1, "other names of every record");
        // Each part has a dictionary of its own, filled in the same order (the records' values,
        // then their other names') whichever part is built first: the three side by side.
        let part = |dictionary: &mut Dictionary, values: Vec<Option<&str>>, k: usize| {
            let text = SourceText::build(dictionary, values.into_iter());
            let others = others.iter().map(|other| match [other.0, other.1, other.2][k] {
                "" => 0,
                value => dictionary.intern(value),
            });
            (text, others.collect::<Vec<u32>>())
        };
        let [full_dictionary, reading_dictionary, surname_dictionary] = dictionaries;
        let ((full, reading), surname_reading) = rayon::join(
            || {
                rayon::join(
                    || part(full_dictionary, full, 0),
                    || part(reading_dictionary, reading, 1),
                )
            },
            || part(surname_dictionary, surname, 2),
        );
        let starts = if others.is_empty() { Vec::new() } else { starts };
        SourceName {
            full: full.0,
            reading: reading.0,
            surname_reading: surname_reading.0,
            others: OtherNames {
                starts,
                full: full.1,
                reading: reading.1,
                surname_reading: surname_reading.1,
            },
        }
    }

    /// The records `rows` (in that order), as [`SourceName::build`] of their names would
    /// have them.
    pub fn take(&self, rows: &[RecordIdx]) -> SourceName {
        let mut others = OtherNames::default();
        if !self.others.starts.is_empty() {
            others.starts.push(0);
            for &row in rows {
                for i in self.others.of(row as usize) {
                    others.full.push(self.others.full[i]);
                    others.reading.push(self.others.reading[i]);
                    others.surname_reading.push(self.others.surname_reading[i]);
                }
                others.starts.push(others.full.len() as u32);
            }
            if others.full.is_empty() {
                others.starts.clear();
            }
        }
        SourceName {
            full: self.full.take(rows),
            reading: self.reading.take(rows),
            surname_reading: self.surname_reading.take(rows),
            others,
        }
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.full.len()
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.full.is_empty()
    }
}

/// Strings interned per feature: `ids[record]` is 0 when missing, else the 1-based index of the
/// value among the records' values, numbered in the order of their first record; `counts` say
/// how many records hold each value (term frequencies).
#[derive(Debug, Clone, Default)]
pub struct Interned {
    pub(crate) ids: Vec<u32>,
    /// Value `id` is the span `spans[id - 1]` of `strings` (copied here: a value is looked up
    /// by its id alone, one trip to memory before its text).
    strings: Arc<Strings>,
    spans: Vec<Span>,
    /// `counts[id - 1]`.
    pub(crate) counts: Vec<u32>,
    /// Records with a value.
    pub(crate) n_present: u32,
    /// `signatures[id - 1]`: what a name's value says of itself in 32 bits (see
    /// [`NameSignature`]); empty but for a name's full forms and readings.
    pub(crate) signatures: Vec<u32>,
}

/// What a name's full form or reading says of itself in 32 bits, so that two unrelated names
/// are told apart without reading either: their characters' count and which characters they
/// hold (hashed into 28 slots), for the full forms; their length in bytes and which of the
/// letters a-z they hold, for readings (0 for a reading not of ASCII, or longer than 63 bytes,
/// of which nothing is told).
#[derive(Debug, Clone, Copy)]
pub(crate) enum NameSignature {
    /// Of full forms: [`crate::compare`]'s "within one edit".
    Full,
    /// Of readings: Jaro–Winkler's bound.
    Reading,
}

impl NameSignature {
    pub(crate) fn of(self, value: &str) -> u32 {
        match self {
            NameSignature::Full => {
                let (mut count, mut slots) = (0u32, 0u32);
                for c in value.chars() {
                    count += 1;
                    slots |= 1 << (u32::from(c) % 28);
                }
                count.min(15) | slots << 4
            }
            NameSignature::Reading => {
                let len = value.len();
                if len == 0 || len > 63 || !value.is_ascii() {
                    return 0;
                }
                let letters = value
                    .bytes()
                    .filter(u8::is_ascii_lowercase)
                    .fold(0u32, |letters, b| letters | 1 << (b - b'a'));
                len as u32 | letters << 6
            }
        }
    }
}

impl Interned {
    /// Signs each value (see [`NameSignature`]).
    fn sign(&mut self, signature: NameSignature) {
        let strings = &self.strings;
        self.signatures =
            self.spans.par_iter().map(|&span| signature.of(strings.of(span))).collect();
    }

    /// `parts`' values, joined: ids by the order of each value's first record, parts in turn
    /// (as interning the records one after the other numbers them). Also `ids[number]`: the
    /// id of `strings`' value `number`, 0 when no record holds it.
    fn join(strings: &Arc<Strings>, parts: &[&SourceText]) -> (Interned, Vec<u32>) {
        let mut ids = vec![0; strings.len() + 1];
        let mut interned = Interned { strings: Arc::clone(strings), ..Interned::default() };
        for part in parts {
            for (&number, &count) in part.first.iter().zip(&part.counts) {
                let id = &mut ids[number as usize];
                if *id == 0 {
                    interned.spans.push(strings.span(number));
                    interned.counts.push(0);
                    *id = interned.spans.len() as u32;
                }
                interned.counts[*id as usize - 1] += count;
                interned.n_present += count;
            }
        }
        interned.ids = parts
            .par_iter()
            .flat_map_iter(|p| p.numbers.iter().map(|&n| ids[n as usize]))
            .collect();
        (interned, ids)
    }

    /// The ids of `numbers` of `strings` (0 for 0), `ids` giving those the records hold: any
    /// other is given one after the records' values, in the order of the values, and counts
    /// for no record's frequency.
    fn ids_of_numbers(&mut self, ids: &mut [u32], numbers: &[u32]) -> Vec<u32> {
        let mut missing: Vec<u32> =
            numbers.iter().copied().filter(|&n| n != 0 && ids[n as usize] == 0).collect();
        let strings = Arc::clone(&self.strings);
        missing.sort_unstable_by(|&a, &b| strings.get(a).cmp(strings.get(b)));
        missing.dedup();
        for number in missing {
            self.spans.push(strings.span(number));
            self.counts.push(0);
            ids[number as usize] = self.spans.len() as u32;
        }
        numbers.iter().map(|&n| ids[n as usize]).collect()
    }

    fn build<'a>(values: impl Iterator<Item = Option<&'a str>>) -> Interned {
        let mut dictionary = Dictionary::default();
        let text = SourceText::build(&mut dictionary, values);
        Interned::join(&dictionary.freeze(), &[&text]).0
    }

    /// The value of interned id `id` (not 0).
    pub(crate) fn value(&self, id: u32) -> &str {
        self.strings.of(self.spans[id as usize - 1])
    }

    /// The values, by id.
    pub(crate) fn values(&self) -> impl ExactSizeIterator<Item = &str> {
        self.spans.iter().map(|&span| self.strings.of(span))
    }

    /// The ids of `wanted` (each value's id, interned now when no record holds it: it then
    /// counts for no record's frequency; such values are numbered in the order of the
    /// values, after the records').
    fn ids_of<'a>(&mut self, wanted: impl Iterator<Item = &'a str>) -> HashMap<&'a str, u32> {
        let mut ids: HashMap<&'a str, u32> =
            wanted.filter(|v| !v.is_empty()).map(|v| (v, 0)).collect();
        for (i, value) in self.values().enumerate() {
            if let Some(id) = ids.get_mut(value) {
                *id = i as u32 + 1;
            }
        }
        let mut missing: Vec<&'a str> =
            ids.iter().filter(|(_, id)| **id == 0).map(|(v, _)| *v).collect();
        missing.sort_unstable();
        let strings = Arc::make_mut(&mut self.strings);
        for value in missing {
            let number = strings.push(value);
            self.spans.push(strings.span(number));
            self.counts.push(0);
            ids.insert(value, self.spans.len() as u32);
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

    /// The birth date and sequence the number embeds, its digits 7 to 17 as a number; 0 for a
    /// pseudonym or a missing number.
    pub(crate) fn birth_serial(self) -> u64 {
        if self.is_pseudonym() { 0 } else { self.value / 11 % 100_000_000_000 }
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

/// One feature column. (A name is larger than the other kinds; a job has a dozen features, so
/// that boxing it would save nothing.)
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
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

    /// Adds a text feature of sources' values interned in one dictionary (`strings`, frozen),
    /// the records of `parts` one after the other: what [`Records::text`] of their values
    /// gives, without hashing a value again.
    pub fn join_text(mut self, name: &str, strings: &Arc<Strings>, parts: &[&SourceText]) -> Self {
        self.push(name, Feature::Text(Interned::join(strings, parts).0));
        self
    }

    /// Adds a name feature of sources' names interned in one set of dictionaries (`strings`,
    /// frozen: full forms, readings, surnames' readings), the records of `parts` one after the
    /// other: what [`Records::name`] and [`Records::other_names`] of their names give.
    pub fn join_name(
        mut self,
        name: &str,
        strings: &[Arc<Strings>; 3],
        parts: &[&SourceName],
    ) -> Self {
        let texts = |text: fn(&SourceName) -> &SourceText| -> Vec<&SourceText> {
            parts.iter().map(|&part| text(part)).collect()
        };
        // The three parts side by side: each has its own strings.
        let (((mut full, mut full_ids), (mut reading, mut reading_ids)), surname) = rayon::join(
            || {
                rayon::join(
                    || Interned::join(&strings[0], &texts(|p| &p.full)),
                    || Interned::join(&strings[1], &texts(|p| &p.reading)),
                )
            },
            || Interned::join(&strings[2], &texts(|p| &p.surname_reading)),
        );
        let (mut surname_reading, mut surname_ids) = surname;
        let mut others = OtherNames::default();
        if parts.iter().any(|part| !part.others.full.is_empty()) {
            let all = |numbers: fn(&OtherNames) -> &Vec<u32>| -> Vec<u32> {
                parts.iter().flat_map(|part| numbers(&part.others)).copied().collect()
            };
            others.full = full.ids_of_numbers(&mut full_ids, &all(|o| &o.full));
            others.reading = reading.ids_of_numbers(&mut reading_ids, &all(|o| &o.reading));
            others.surname_reading =
                surname_reading.ids_of_numbers(&mut surname_ids, &all(|o| &o.surname_reading));
            others.starts.push(0);
            let mut end = 0;
            for part in parts {
                for r in 0..part.len() {
                    end += part.others.of(r).len() as u32;
                    others.starts.push(end);
                }
            }
        }
        rayon::join(|| full.sign(NameSignature::Full), || reading.sign(NameSignature::Reading));
        let others = Box::new(others);
        self.push(name, Feature::Name { full, reading, surname_reading, others });
        self
    }

    /// Adds a name feature: each record's full name, its reading (syllables separated by
    /// spaces) and its surname's reading.
    pub fn name<'a>(
        self,
        name: &str,
        values: impl Iterator<Item = (Option<&'a str>, Option<&'a str>, Option<&'a str>)>,
    ) -> Self {
        let values: Vec<_> = values.collect();
        let no_others = std::iter::repeat_with(Vec::new).take(values.len());
        let mut dictionaries = NameDictionaries::default();
        let source = SourceName::build(&mut dictionaries, values.into_iter(), no_others);
        self.join_name(name, &dictionaries.map(Dictionary::freeze), &[&source])
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
        let id = |ids: &HashMap<&str, u32>, value: &str| ids.get(value).copied().unwrap_or(0);
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
        full.sign(NameSignature::Full);
        reading.sign(NameSignature::Reading);
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
    use crate::records::{
        Dictionary, Feature, Interned, Mode, NameDictionaries, PackedDate, PackedId, Records,
        SourceName, SourceText,
    };

    /// What an interned column holds: ids, values, counts, records with a value.
    type Held<'a> = (Vec<u32>, Vec<&'a str>, Vec<u32>, u32);

    fn held(interned: &Interned) -> Held<'_> {
        let values = interned.values().collect();
        (interned.ids.clone(), values, interned.counts.clone(), interned.n_present)
    }

    #[test]
    fn sources_interned_once_join_as_their_records_interned_together() {
        let (left, right) = (["li", "", "wang", "li"], ["zhao", "wang", "wang", "chen"]);
        let mut dictionary = Dictionary::default();
        // Another source interned first: the job's numbers are not the link's ids.
        let other = SourceText::build(&mut dictionary, ["chen", "zhou"].map(Some).into_iter());
        let l = SourceText::build(&mut dictionary, left.map(Some).into_iter());
        let r = SourceText::build(&mut dictionary, right.map(Some).into_iter());
        let strings = dictionary.freeze();
        let joined = Records::new(Mode::Link { n_left: 4 }, 8).join_text("n", &strings, &[&l, &r]);
        let built = Records::new(Mode::Link { n_left: 4 }, 8)
            .text("n", left.iter().chain(&right).map(|&v| Some(v)));
        let (Some(Feature::Text(joined)), Some(Feature::Text(built))) =
            (joined.feature("n"), built.feature("n"))
        else {
            panic!("text features");
        };
        assert_eq!(held(joined), held(built));
        assert_eq!(held(joined).0, [1, 0, 2, 1, 3, 2, 2, 4]);
        assert_eq!(other.len(), 2);
        // Some rows of a source, as a source of their own.
        let taken = r.take(&[3, 1]);
        let alone = Records::new(Mode::Dedupe, 2).join_text("n", &strings, &[&taken]);
        let Some(Feature::Text(alone)) = alone.feature("n") else { panic!("a text feature") };
        assert_eq!(held(alone), (vec![1, 2], vec!["chen", "wang"], vec![1, 1], 2));
    }

    #[test]
    fn names_with_other_names_join_as_built_together() {
        type Name = (Option<&'static str>, Option<&'static str>, Option<&'static str>);
        let names: [Name; 4] = [
            (Some("王芳"), Some("wang fang"), Some("wang")),
            (Some("李娜"), Some("li na"), Some("li")),
            (Some("黎娜"), Some("li na"), Some("li")),
            (None, None, None),
        ];
        let others: [Vec<(&str, &str, &str)>; 4] = [
            vec![("王小芳", "wang xiao fang", "wang")],
            vec![],
            vec![("李娜", "li na", "li"), ("周娜", "zhou na", "zhou")],
            vec![],
        ];
        let mut dictionaries = NameDictionaries::default();
        let l = SourceName::build(
            &mut dictionaries,
            names[..2].iter().copied(),
            others[..2].iter().cloned(),
        );
        let r = SourceName::build(
            &mut dictionaries,
            names[2..].iter().copied(),
            others[2..].iter().cloned(),
        );
        let strings = dictionaries.map(Dictionary::freeze);
        let joined = Records::new(Mode::Link { n_left: 2 }, 4).join_name("n", &strings, &[&l, &r]);
        let built = Records::new(Mode::Link { n_left: 2 }, 4)
            .name("n", names.iter().copied())
            .other_names("n", others.iter().cloned());
        type Parts<'a> = ([Held<'a>; 3], (Vec<u32>, Vec<u32>, Vec<u32>), Vec<u32>);
        fn parts(records: &Records) -> Parts<'_> {
            match records.feature("n") {
                Some(Feature::Name { full, reading, surname_reading, others }) => (
                    [held(full), held(reading), held(surname_reading)],
                    (others.starts.clone(), others.full.clone(), others.reading.clone()),
                    others.surname_reading.clone(),
                ),
                _ => panic!("a name feature"),
            }
        }
        assert_eq!(parts(&joined), parts(&built));
        // 王小芳 and 周娜 are nobody's name: ids after the names, in the order of the values.
        let ([full, ..], (starts, other_full, _), _) = parts(&joined);
        assert_eq!(full.1, ["王芳", "李娜", "黎娜", "周娜", "王小芳"]);
        assert_eq!((starts, other_full), (vec![0, 1, 1, 3, 3], vec![5, 2, 4]));
    }

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
