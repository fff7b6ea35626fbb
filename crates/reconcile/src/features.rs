//! Person records as linkage features: each canonical field of a [`PersonTable`] becomes a
//! feature of the same name (`name`, `id_number`, `birth_date`, `sex`, ...), and each extra field
//! a text feature of its own name.

use censuslink_linkage::{Mode, PackedDate, PackedId, Records};
use censuslink_model::{IdColumns, IdStatus, NameColumns, PartialDate, PersonTable, TextColumn};
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
                || new().name("name", names(&tables, |t| &t.name)),
                || {
                    new()
                        .name("mother_name", names(&tables, |t| &t.mother_name))
                        .id("id_number", ids(&tables, |t| &t.id))
                        .id("mother_id", ids(&tables, |t| &t.mother_id))
                        .date("birth_date", dates(&tables, |t| &t.birth_date))
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

/// Each record's full name, its primary reading and its surname's reading.
fn names<'a>(
    tables: &'a [&'a PersonTable],
    columns: fn(&PersonTable) -> &NameColumns,
) -> impl Iterator<Item = (Option<&'a str>, Option<&'a str>, Option<&'a str>)> + 'a {
    tables.iter().flat_map(move |t| {
        let name = columns(t);
        (0..t.len()).map(move |i| {
            let reading = name.pinyin.get(i);
            let surname = name.surname.get(i);
            if let Some(surname) = surname.filter(|s| pseudonym::is_token(s)) {
                // A pseudonymized name carries its surname's reading as its surname.
                return (name.full.get(i), reading, Some(surname));
            }
            let n_surname = surname.map_or(0, |s| s.chars().count());
            let surname_reading = reading.filter(|_| n_surname > 0).map(|r| {
                // The reading's first syllables, one per character of the surname.
                let end = r.match_indices(' ').nth(n_surname - 1).map_or(r.len(), |(at, _)| at);
                &r[..end]
            });
            (name.full.get(i), reading, surname_reading)
        })
    })
}

/// Each record's ID number, when it has 18 characters (a typo included: a comparison level
/// says how near two numbers are); converted 15-digit numbers are marked.
fn ids<'a>(
    tables: &'a [&'a PersonTable],
    columns: fn(&PersonTable) -> &IdColumns,
) -> impl Iterator<Item = Option<PackedId>> + 'a {
    tables.iter().flat_map(move |t| {
        let id = columns(t);
        (0..t.len()).map(move |i| {
            let status = id.status.get(i).copied().unwrap_or(IdStatus::Missing);
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

/// A region code's digits as a number (its length gives its level); `None` when not digits.
fn region(value: Option<&str>) -> Option<u64> {
    let value = value?;
    if value.is_empty() || value.len() > 18 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok().filter(|&code| code != 0)
}
