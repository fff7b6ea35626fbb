//! Person records as linkage features: each canonical field of a [`PersonTable`] becomes a
//! feature of the same name (`name`, `id_number`, `birth_date`, `sex`, ...), and each extra field
//! a text feature of its own name.

use std::sync::Arc;

use censuslink_linkage::{
    Dictionary, Mode, NameDictionaries, PackedDate, PackedId, RecordIdx, Records, SourceName,
    SourceText, Strings,
};
use censuslink_model::{
    IdColumns, IdStatus, NameColumns, OTHER_NAMES_SEPARATOR, OTHER_READINGS_SEPARATOR, PartialDate,
    PersonTable, TextColumn,
};
use censuslink_standardize::pseudonym;
use rayon::prelude::*;

/// The records of `left` (and `right`, when linking two sources) as linkage features. A field
/// one side lacks reads as missing on that side.
pub fn person_records(left: &PersonTable, right: Option<&PersonTable>) -> Records {
    let tables: Vec<&PersonTable> = std::iter::once(left).chain(right).collect();
    Features::of(&tables, None).records(&tables, 0, right.map(|_| 1))
}

/// The name features (each with its full form, reading and surname's reading), and whether
/// each compares other names.
const NAMES: [(&str, bool); 2] = [("name", true), ("mother_name", false)];

/// The text and name features of every table of a job, each value interned once in the job's
/// dictionaries: the records of each link are joined from them ([`Features::records`]), and
/// no value is hashed again however many links a source is part of.
pub(crate) struct Features {
    /// The features the records have, `None` for all of [`person_records`]'s.
    wanted: Option<Vec<String>>,
    /// The name features built, each with its dictionaries, in the order of [`NAMES`].
    names: Vec<(&'static str, [Arc<Strings>; 3])>,
    /// The text features built (the addresses, the household, the extra fields), in the
    /// order of [`person_records`]'s features.
    texts: Vec<(String, Arc<Strings>)>,
    /// Per table.
    tables: Vec<TableFeatures>,
}

/// One table's names and texts (as [`Features::names`] and [`Features::texts`]; `None` for an
/// extra field the table lacks).
#[derive(Default)]
struct TableFeatures {
    names: Vec<SourceName>,
    texts: Vec<Option<SourceText>>,
}

impl Features {
    /// The features of `tables`, those in `wanted` (all when `None`), interned in
    /// dictionaries of their own. Features of different dictionaries are built in parallel.
    pub(crate) fn of(tables: &[&PersonTable], wanted: Option<&[&str]>) -> Features {
        let is_wanted = |feature: &str| wanted.is_none_or(|wanted| wanted.contains(&feature));
        let mut texts: Vec<&str> = vec!["hukou_address", "residence_address", "household_id"];
        for table in tables {
            for (name, _) in &table.extra {
                if !texts.contains(&name.as_str()) {
                    texts.push(name);
                }
            }
        }
        texts.retain(|&feature| is_wanted(feature));
        let names: Vec<(&str, bool)> =
            NAMES.into_iter().filter(|&(feature, _)| is_wanted(feature)).collect();
        let (names_built, texts_built) = rayon::join(
            || {
                names
                    .par_iter()
                    .map(|&(feature, with_others)| {
                        let mut dictionaries = NameDictionaries::default();
                        let sources: Vec<SourceName> = tables
                            .iter()
                            .map(|t| {
                                let others = other_names(t, with_others);
                                let values = name_values(t, feature);
                                SourceName::build(&mut dictionaries, values, others)
                            })
                            .collect();
                        (dictionaries.map(Dictionary::freeze), sources)
                    })
                    .collect::<Vec<_>>()
            },
            || {
                texts
                    .par_iter()
                    .map(|&feature| {
                        let mut dictionary = Dictionary::default();
                        let sources: Vec<Option<SourceText>> = tables
                            .iter()
                            .map(|t| {
                                let column = text_column(t, feature)?;
                                let values = (0..t.len()).map(|i| column.get(i));
                                Some(SourceText::build(&mut dictionary, values))
                            })
                            .collect();
                        (dictionary.freeze(), sources)
                    })
                    .collect::<Vec<_>>()
            },
        );
        let mut features = Features {
            wanted: wanted.map(|wanted| wanted.iter().map(|&f| f.to_owned()).collect()),
            names: Vec::new(),
            texts: Vec::new(),
            tables: tables.iter().map(|_| TableFeatures::default()).collect(),
        };
        for ((feature, _), (strings, sources)) in names.into_iter().zip(names_built) {
            features.names.push((feature, strings));
            for (table, source) in features.tables.iter_mut().zip(sources) {
                table.names.push(source);
            }
        }
        for (feature, (strings, sources)) in texts.into_iter().zip(texts_built) {
            features.texts.push((feature.to_owned(), strings));
            for (table, source) in features.tables.iter_mut().zip(sources) {
                table.texts.push(source);
            }
        }
        features
    }

    /// The records of `tables[left]` (and `tables[right]`, when linking two), `tables` being
    /// those these features are of: the names and texts joined, the other fields read.
    pub(crate) fn records(
        &self,
        tables: &[&PersonTable],
        left: usize,
        right: Option<usize>,
    ) -> Records {
        let parts: Vec<Part<'_>> = std::iter::once(left)
            .chain(right)
            .map(|t| Part { table: tables[t], rows: None })
            .collect();
        let of: Vec<&TableFeatures> =
            std::iter::once(left).chain(right).map(|t| &self.tables[t]).collect();
        self.joined(&parts, &of)
    }

    /// The records of `tables[table]`'s rows `rows` (in that order) alone, deduplicated:
    /// [`Features::records`] of a table of those rows.
    pub(crate) fn records_of_rows(
        &self,
        tables: &[&PersonTable],
        table: usize,
        rows: &[RecordIdx],
    ) -> Records {
        let of = &self.tables[table];
        let taken = TableFeatures {
            names: of.names.iter().map(|name| name.take(rows)).collect(),
            texts: of.texts.iter().map(|t| t.as_ref().map(|t| t.take(rows))).collect(),
        };
        self.joined(&[Part { table: tables[table], rows: Some(rows) }], &[&taken])
    }

    /// The records of `parts` (one, or two linked), `of` their features.
    fn joined(&self, parts: &[Part<'_>], of: &[&TableFeatures]) -> Records {
        let lens: Vec<usize> = parts.iter().map(Part::len).collect();
        let len = lens.iter().sum();
        let mode = match parts.len() {
            2 => Mode::Link { n_left: lens[0] },
            _ => Mode::Dedupe,
        };
        let wanted = |feature: &str| {
            self.wanted.as_ref().is_none_or(|wanted| wanted.iter().any(|w| w == feature))
        };
        let text = |column: Column| {
            parts.iter().flat_map(move |p| {
                let column = column(p.table);
                p.rows().map(move |i| column.get(i))
            })
        };
        let name = |k: usize| -> Records {
            let (feature, strings) = &self.names[k];
            let sources: Vec<&SourceName> = of.iter().map(|t| &t.names[k]).collect();
            Records::new(mode, len).join_name(feature, strings, &sources)
        };
        // Every feature joined on its own thread, then put together in the order of the
        // features: the names (the person's, the mother's), the other person fields, the
        // addresses, the household and the extra fields.
        let person = |feature: &'static str| {
            let records = Records::new(mode, len);
            let code = |of: fn(&PersonTable, usize) -> Option<u8>| {
                parts.iter().flat_map(move |p| p.rows().map(move |i| of(p.table, i)))
            };
            match feature {
                "id_number" => records.id(feature, ids(parts, |t| &t.id, true)),
                "mother_id" => records.id(feature, ids(parts, |t| &t.mother_id, false)),
                "birth_date" => records.date(feature, birth_dates(parts)),
                "event_date" => records.date(feature, dates(parts, |t| &t.event_date)),
                "sex" => records.code(feature, code(|t, i| t.sex[i].map(|s| s as u8 + 1))),
                "ethnicity" => records.code(feature, code(|t, i| t.ethnicity[i].map(|e| e.code()))),
                "hukou_region" => records.region(feature, text(|t| &t.hukou_region).map(region)),
                "residence_region" => {
                    records.region(feature, text(|t| &t.residence_region).map(region))
                }
                _ => records.region(feature, text(|t| &t.enumeration_area).map(region)),
            }
        };
        let text_feature = |k: usize| {
            let (feature, strings) = &self.texts[k];
            // A table without the field reads as missing (made only then).
            let missing: Vec<Option<SourceText>> = (of.iter().zip(&lens))
                .map(|(t, &n)| t.texts[k].is_none().then(|| SourceText::missing(n)))
                .collect();
            let parts: Vec<&SourceText> = (of.iter().zip(&missing))
                .filter_map(|(t, missing)| t.texts[k].as_ref().or(missing.as_ref()))
                .collect();
            Records::new(mode, len).join_text(feature, strings, &parts)
        };
        let (names, (person, texts)) = rayon::join(
            || (0..self.names.len()).into_par_iter().map(name).collect::<Vec<_>>(),
            || {
                rayon::join(
                    || {
                        let wanted = PERSON.into_par_iter().filter(|&feature| wanted(feature));
                        wanted.map(person).collect::<Vec<_>>()
                    },
                    || {
                        let held = |&k: &usize| of.iter().any(|t| t.texts[k].is_some());
                        let held = (0..self.texts.len()).into_par_iter().filter(held);
                        held.map(text_feature).collect::<Vec<_>>()
                    },
                )
            },
        );
        let records = names.into_iter().chain(person).chain(texts);
        records.fold(Records::new(mode, len), Records::with_features_of)
    }
}

/// The person fields other than names and texts, in the order of the features.
const PERSON: [&str; 9] = [
    "id_number",
    "mother_id",
    "birth_date",
    "event_date",
    "sex",
    "ethnicity",
    "hukou_region",
    "residence_region",
    "enumeration_area",
];

/// A table's name feature `feature` (of [`NAMES`]): each record's full name, its primary
/// reading and its surname's reading.
fn name_values<'a>(
    t: &'a PersonTable,
    feature: &str,
) -> impl Iterator<Item = (Option<&'a str>, Option<&'a str>, Option<&'a str>)> + 'a {
    let name: &NameColumns = match feature {
        "mother_name" => &t.mother_name,
        _ => &t.name,
    };
    (0..t.len()).map(move |i| {
        let reading = name.pinyin.get(i);
        let surname = name.surname.get(i).unwrap_or("");
        let surname_reading = surname_reading(surname, reading.unwrap_or(""));
        (name.full.get(i), reading, surname_reading)
    })
}

/// A table's text column.
type Column = fn(&PersonTable) -> &TextColumn;

/// A table's records, or those of some of its rows.
#[derive(Clone, Copy)]
struct Part<'a> {
    table: &'a PersonTable,
    /// The rows, in this order; every row when `None`.
    rows: Option<&'a [RecordIdx]>,
}

impl<'a> Part<'a> {
    fn len(&self) -> usize {
        self.rows.map_or(self.table.len(), <[RecordIdx]>::len)
    }

    /// The table's rows of the records, in turn.
    fn rows(self) -> impl Iterator<Item = usize> + 'a {
        let rows = self.rows;
        (0..self.len()).map(move |i| rows.map_or(i, |rows| rows[i] as usize))
    }
}

/// Table `table`'s column of text feature `feature`: an address, the household, or an extra
/// field (`None` when the table lacks it).
fn text_column<'a>(table: &'a PersonTable, feature: &str) -> Option<&'a TextColumn> {
    match feature {
        "hukou_address" => Some(&table.hukou_address),
        "residence_address" => Some(&table.residence_address),
        "household_id" => Some(&table.household_id),
        extra => table.extra(extra),
    }
}

/// The standardized columns (as `censuslink_io::standardized_batch` names them) the feature
/// `feature` of [`person_records`] is made of; an extra field's own column for any other name.
pub(crate) fn feature_columns(feature: &str) -> Vec<String> {
    let columns: &[&str] = match feature {
        "name" => &[
            "name",
            "name_surname",
            "name_pinyin",
            "other_names",
            "other_names_surname",
            "other_names_pinyin",
        ],
        "mother_name" => &["mother_name", "mother_name_surname", "mother_name_pinyin"],
        "id_number" | "birth_date" => &["id_number", "id_status", "id_birth_date", "birth_date"],
        "mother_id" => &["mother_id", "mother_id_status"],
        "event_date" | "sex" | "ethnicity" | "hukou_region" | "residence_region"
        | "enumeration_area" | "hukou_address" | "residence_address" | "household_id" => {
            return vec![feature.to_owned()];
        }
        extra => return vec![format!("extra.{extra}")],
    };
    columns.iter().map(|column| (*column).to_owned()).collect()
}

/// Each record's other names (former names, aliases), as [`names`] gives a name: the full
/// name, its primary reading and its surname's reading; none unless `with_others`.
fn other_names(
    t: &PersonTable,
    with_others: bool,
) -> impl Iterator<Item = Vec<(&str, &str, &str)>> + '_ {
    let columns = &t.other_names;
    (0..t.len()).map(move |i| {
        let Some(full) = columns.full.get(i).filter(|_| with_others) else { return Vec::new() };
        let mut readings = columns.pinyin.get(i).unwrap_or("").split(OTHER_READINGS_SEPARATOR);
        let mut surnames = columns.surname.get(i).unwrap_or("").split(OTHER_NAMES_SEPARATOR);
        full.split(OTHER_NAMES_SEPARATOR)
            .map(|full| {
                let reading = readings.next().unwrap_or("");
                let surname = surnames.next().unwrap_or("");
                (full, reading, surname_reading(surname, reading).unwrap_or(""))
            })
            .collect()
    })
}

/// The reading of a name's surname: a pseudonymized name carries it as its surname; else the
/// reading's first syllables, one per character of the surname.
fn surname_reading<'a>(surname: &'a str, reading: &'a str) -> Option<&'a str> {
    if pseudonym::is_token(surname) {
        return Some(surname);
    }
    let n_surname = surname.chars().count();
    (n_surname > 0 && !reading.is_empty()).then(|| {
        let end = reading.match_indices(' ').nth(n_surname - 1).map_or(reading.len(), |(at, _)| at);
        &reading[..end]
    })
}

/// Each record's ID number, when it has 18 characters (a typo included: a comparison level
/// says how near two numbers are); converted 15-digit numbers are marked. With `own`, a valid
/// number whose birth date is not its record's (years two or more apart, and not one digit of
/// the year apart) is left out: it is another person's, most often a parent's given for a
/// child, and says nothing of who the record is.
fn ids<'a>(
    parts: &'a [Part<'a>],
    columns: fn(&PersonTable) -> &IdColumns,
    own: bool,
) -> impl Iterator<Item = Option<PackedId>> + 'a {
    parts.iter().flat_map(move |p| {
        let (t, id) = (p.table, columns(p.table));
        p.rows().map(move |i| {
            let status = id.status.get(i).copied().unwrap_or(IdStatus::Missing);
            let embedded = id.birth_date.get(i).copied().flatten();
            let record = t.birth_date.get(i).copied().flatten();
            if let (true, Some(embedded), Some(record)) = (own, embedded, record)
                && !is_near_year(embedded.year(), record.year())
            {
                return None;
            }
            match status {
                IdStatus::ExcelTruncated | IdStatus::Missing | IdStatus::TemporaryNumber => None,
                IdStatus::Pseudonym => id.number.get(i).and_then(PackedId::pseudonym),
                _ => {
                    id.number.get(i).and_then(|n| PackedId::new(n, status == IdStatus::Converted15))
                }
            }
        })
    })
}

/// Two years within one of each other (a nominal age), or one digit apart (a typo).
fn is_near_year(a: u16, b: u16) -> bool {
    let digits_apart = (0..4).filter(|&k| a / 10u16.pow(k) % 10 != b / 10u16.pow(k) % 10).count();
    a.abs_diff(b) <= 1 || digits_apart == 1
}

fn dates<'a>(
    parts: &'a [Part<'a>],
    column: fn(&PersonTable) -> &Vec<Option<PartialDate>>,
) -> impl Iterator<Item = Option<PackedDate>> + 'a {
    parts.iter().flat_map(move |p| {
        let dates = column(p.table);
        p.rows().map(move |i| {
            dates
                .get(i)
                .copied()
                .flatten()
                .map(|d| PackedDate::new(d.year(), d.month().unwrap_or(0), d.day().unwrap_or(0)))
        })
    })
}

/// Each record's birth date, or the one its own valid ID number embeds when it gives none: a
/// record without a date still compares by it and has a birth month to block on. (A coarser
/// date is not refined by the number: "equal as far as both say" would then mix agreements to
/// the day and to the month, and its weight would take a month for a day.)
fn birth_dates<'a>(parts: &'a [Part<'a>]) -> impl Iterator<Item = Option<PackedDate>> + 'a {
    parts.iter().flat_map(move |p| {
        let t = p.table;
        p.rows().map(move |i| {
            let valid = t.id.status.get(i).is_some_and(|s| s.is_valid());
            let embedded = t.id.birth_date.get(i).copied().flatten().filter(|_| valid);
            let d = t.birth_date.get(i).copied().flatten().or(embedded)?;
            Some(PackedDate::new(d.year(), d.month().unwrap_or(0), d.day().unwrap_or(0)))
        })
    })
}

/// A region code's digits as a number (its length gives its level); `None` when not digits.
fn region(value: Option<&str>) -> Option<u64> {
    let value = value?;
    if value.is_empty() || value.len() > 18 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok().filter(|&code| code != 0)
}

#[cfg(test)]
mod tests {
    use censuslink_linkage::{Comparison, ComparisonParameters, Kind, Model};
    use censuslink_model::{IdStatus, PartialDate, PersonTable};

    use crate::features::{is_near_year, person_records};

    /// A table of one record born `born` carrying ID `number` (valid, born `embedded`).
    fn record(born: (u16, u8, u8), number: &str, embedded: (u16, u8, u8)) -> PersonTable {
        let mut t = PersonTable::default();
        t.row.push(1);
        t.record_id.push(Some("r"));
        t.birth_date.push(PartialDate::new(born.0, born.1, born.2));
        t.id.number.push(Some(number));
        t.id.status.push(IdStatus::Valid);
        t.id.birth_date.push(PartialDate::new(embedded.0, embedded.1, embedded.2));
        t.fill_to(1);
        t
    }

    #[test]
    fn a_number_born_another_year_than_its_record_is_not_the_records_own() {
        let comparison = Comparison {
            feature: "id_number".into(),
            kind: Kind::IdNumber,
            term_frequency: false,
            swapped_with: None,
        };
        let labels = comparison.labels();
        let n = labels.len();
        let model = Model {
            comparisons: vec![ComparisonParameters {
                comparison,
                labels,
                m: vec![0.5; n],
                u: vec![0.5; n],
            }],
            prior: 0.5,
        };
        let level = |left: &PersonTable, right: &PersonTable| {
            let records = person_records(left, Some(right));
            let scorer = model.scorer(&records).expect("fits");
            scorer.explain(&model, 0, 1).comparisons[0].level
        };
        let child = record((2012, 3, 4), "320115201203041239", (2012, 3, 4));
        // A school record of the child born in 2012 with her father's number (born 1980).
        let school = record((2012, 3, 4), "32011519800101123X", (1980, 1, 1));
        assert_eq!(level(&child, &school), 0, "the father's number says nothing of her");
        // Her own number on a record whose birth year is off by one (a nominal age) or by one
        // digit (a typo) stays hers.
        let nominal = record((2011, 3, 4), "320115201203041239", (2012, 3, 4));
        assert_eq!(level(&child, &nominal), 1);
        let typo = record((2002, 3, 4), "320115201203041239", (2012, 3, 4));
        assert_eq!(level(&child, &typo), 1);
        assert!(is_near_year(1999, 2000) && is_near_year(2012, 2002) && !is_near_year(1980, 2012));
    }
}
