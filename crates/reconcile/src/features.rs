//! Person records as linkage features: each canonical field of a [`PersonTable`] becomes a
//! feature of the same name (`name`, `id_number`, `birth_date`, `sex`, ...), and each extra field
//! a text feature of its own name.

use censuslink_linkage::{Mode, PackedDate, PackedId, Records};
use censuslink_model::{
    IdColumns, IdStatus, NameColumns, OTHER_NAMES_SEPARATOR, OTHER_READINGS_SEPARATOR, PartialDate,
    PersonTable, TextColumn,
};
use censuslink_standardize::pseudonym;

/// The records of `left` (and `right`, when linking two sources) as linkage features. A field
/// one side lacks reads as missing on that side.
pub fn person_records(left: &PersonTable, right: Option<&PersonTable>) -> Records {
    let tables: Vec<&PersonTable> = std::iter::once(left).chain(right).collect();
    let len = tables.iter().map(|t| t.len()).sum();
    let mode = match right {
        Some(_) => Mode::Link { n_left: left.len() },
        None => Mode::Dedupe,
    };
    let text = |column: fn(&PersonTable) -> &TextColumn| {
        tables.iter().flat_map(move |t| {
            let column = column(t);
            (0..t.len()).map(move |i| column.get(i))
        })
    };
    // Four groups of features built in parallel, then put together in this order: the names,
    // the other person fields, the addresses, the household (and extras).
    let new = || Records::new(mode, len);
    let ((names_group, person), (addresses, mut records)) = rayon::join(
        || {
            rayon::join(
                || {
                    new()
                        .name("name", names(&tables, |t| &t.name))
                        .other_names("name", other_names(&tables))
                },
                || {
                    new()
                        .name("mother_name", names(&tables, |t| &t.mother_name))
                        .id("id_number", ids(&tables, |t| &t.id, true))
                        .id("mother_id", ids(&tables, |t| &t.mother_id, false))
                        .date("birth_date", birth_dates(&tables))
                        .date("event_date", dates(&tables, |t| &t.event_date))
                        .code(
                            "sex",
                            tables
                                .iter()
                                .flat_map(|t| t.sex.iter().map(|s| s.map(|s| s as u8 + 1))),
                        )
                        .code(
                            "ethnicity",
                            tables
                                .iter()
                                .flat_map(|t| t.ethnicity.iter().map(|e| e.map(|e| e.code()))),
                        )
                        .region("hukou_region", text(|t| &t.hukou_region).map(region))
                        .region("residence_region", text(|t| &t.residence_region).map(region))
                        .region("enumeration_area", text(|t| &t.enumeration_area).map(region))
                },
            )
        },
        || {
            rayon::join(
                || {
                    new()
                        .text("hukou_address", text(|t| &t.hukou_address))
                        .text("residence_address", text(|t| &t.residence_address))
                },
                || new().text("household_id", text(|t| &t.household_id)),
            )
        },
    );
    records =
        names_group.with_features_of(person).with_features_of(addresses).with_features_of(records);
    let mut extra_names: Vec<&str> = Vec::new();
    for table in &tables {
        for (name, _) in &table.extra {
            if !extra_names.contains(&name.as_str()) {
                extra_names.push(name);
            }
        }
    }
    for name in extra_names {
        let values = tables.iter().flat_map(|t| {
            let column = t.extra(name);
            (0..t.len()).map(move |i| column.and_then(|c| c.get(i)))
        });
        records = records.text(name, values);
    }
    records
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
/// name, its primary reading and its surname's reading.
fn other_names<'a>(
    tables: &'a [&'a PersonTable],
) -> impl Iterator<Item = Vec<(&'a str, &'a str, &'a str)>> + 'a {
    tables.iter().flat_map(move |t| {
        let columns = &t.other_names;
        (0..t.len()).map(move |i| {
            let Some(full) = columns.full.get(i) else { return Vec::new() };
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

/// Each record's full name, its primary reading and its surname's reading.
fn names<'a>(
    tables: &'a [&'a PersonTable],
    columns: fn(&PersonTable) -> &NameColumns,
) -> impl Iterator<Item = (Option<&'a str>, Option<&'a str>, Option<&'a str>)> + 'a {
    tables.iter().flat_map(move |t| {
        let name = columns(t);
        (0..t.len()).map(move |i| {
            let reading = name.pinyin.get(i);
            let surname = name.surname.get(i).unwrap_or("");
            let surname_reading = surname_reading(surname, reading.unwrap_or(""));
            (name.full.get(i), reading, surname_reading)
        })
    })
}

/// Each record's ID number, when it has 18 characters (a typo included: a comparison level
/// says how near two numbers are); converted 15-digit numbers are marked. With `own`, a valid
/// number whose birth date is not its record's (years two or more apart, and not one digit of
/// the year apart) is left out: it is another person's, most often a parent's given for a
/// child, and says nothing of who the record is.
fn ids<'a>(
    tables: &'a [&'a PersonTable],
    columns: fn(&PersonTable) -> &IdColumns,
    own: bool,
) -> impl Iterator<Item = Option<PackedId>> + 'a {
    tables.iter().flat_map(move |t| {
        let id = columns(t);
        (0..t.len()).map(move |i| {
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
    tables: &'a [&'a PersonTable],
    column: fn(&PersonTable) -> &Vec<Option<PartialDate>>,
) -> impl Iterator<Item = Option<PackedDate>> + 'a {
    tables.iter().flat_map(move |t| {
        let dates = column(t);
        (0..t.len()).map(move |i| {
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
fn birth_dates<'a>(tables: &'a [&'a PersonTable]) -> impl Iterator<Item = Option<PackedDate>> + 'a {
    tables.iter().flat_map(move |t| {
        (0..t.len()).map(move |i| {
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
