//! The truth folder: the person behind every row of every source, the true persons, and the
//! lists the product is meant to find (omitted residents, duplicate groups, the dead
//! enumerated, births not enumerated, identity conflicts), as UTF-8 CSV files with a BOM.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use censuslink_io::{Column, Encoding, Export, Table, Values};
use censuslink_model::{RecordType, Role};

use crate::District;
use crate::census::DuplicateKind;
use crate::population::Presence;
use crate::render::{Conflict, RowTruth};

/// The truth of every source's rows, by source, in the order the sources were written.
pub(crate) type SourceTruths = Vec<(&'static str, Role, Vec<RowTruth>)>;

/// The name a person has in the truth files.
pub(crate) fn person_id(key: u32) -> String {
    format!("P{key:08}")
}

/// Writes the truth folder `dir`; returns the files written and their rows.
pub(crate) fn write(
    district: &District,
    sources: &SourceTruths,
    dir: &Path,
) -> Result<Vec<(String, usize)>, censuslink_io::Error> {
    let tables = [
        ("records.csv", records(sources)),
        ("persons.csv", persons(district)),
        ("omitted.csv", omitted(district, sources)),
        ("duplicates.csv", duplicates(district, sources)),
        ("dead_enumerated.csv", dead_enumerated(district, sources)),
        ("births_not_enumerated.csv", births_not_enumerated(district, sources)),
        ("identity_conflicts.csv", identity_conflicts(sources)),
    ];
    let export = Export::Csv { encoding: Encoding::Utf8, bom: true, guard_formulas: false };
    let mut written = Vec::with_capacity(tables.len());
    for (file, table) in tables {
        censuslink_io::write_table(&dir.join(file), &export, &table)?;
        written.push((format!("truth/{file}"), table.n_rows()));
    }
    Ok(written)
}

/// A table of text columns.
fn table(headers: &[&str], rows: Vec<Vec<String>>) -> Table {
    let mut columns: Vec<Vec<Option<String>>> = vec![Vec::with_capacity(rows.len()); headers.len()];
    for row in rows {
        for (column, value) in columns.iter_mut().zip(row) {
            column.push((!value.is_empty()).then_some(value));
        }
    }
    Table {
        columns: headers
            .iter()
            .zip(columns)
            .map(|(&header, values)| Column {
                header: header.to_owned(),
                values: Values::Text(values),
            })
            .collect(),
    }
}

/// Every row of every source: its person and what the error model did to it.
fn records(sources: &SourceTruths) -> Table {
    let rows = sources
        .iter()
        .flat_map(|(source, _, rows)| {
            rows.iter().map(move |row| {
                vec![
                    (*source).to_owned(),
                    row.key.clone(),
                    person_id(row.person),
                    crate::errors::describe(&row.damages),
                ]
            })
        })
        .collect();
    table(&["source", "record", "person", "damages"], rows)
}

/// The true persons: everyone the census or a register holds.
fn persons(district: &District) -> Table {
    let population = &district.population;
    let rows = population
        .people
        .iter()
        .map(|person| {
            let household = &population.households[person.household as usize];
            vec![
                person_id(person.key),
                person.name.clone(),
                person.sex.as_str().to_owned(),
                format!("{}", person.birth),
                format!("{:02}", person.ethnicity.code()),
                person.id_number.clone().unwrap_or_default(),
                match person.presence {
                    Presence::Resident => "resident",
                    Presence::Away => "away",
                    Presence::Dead => "dead",
                    Presence::BornAfter => "born_after",
                    Presence::LongDead => "long_dead",
                    Presence::Elsewhere => "elsewhere",
                }
                .to_owned(),
                person.hukou_village.map_or(person.hukou_county as u64, |v| v).to_string(),
                match household.outside {
                    Some(_) => String::new(),
                    None => household.enumeration_area.to_string(),
                },
                format!("H{:08}", household.key),
                person.relation.as_str().to_owned(),
                person.death.map(|d| d.to_string()).unwrap_or_default(),
                person.former_name.clone().unwrap_or_default(),
            ]
        })
        .collect();
    table(
        &[
            "person",
            "name",
            "sex",
            "birth_date",
            "ethnicity",
            "id_number",
            "presence",
            "hukou_region",
            "enumeration_area",
            "household",
            "relation",
            "death_date",
            "former_name",
        ],
        rows,
    )
}

/// The rows showing each person of `people`, as `source:record` joined by `;`, and the
/// sources among them.
fn showing(
    sources: &SourceTruths,
    people: &BTreeSet<u32>,
    roles: &[Role],
) -> BTreeMap<u32, (String, String)> {
    let mut found: BTreeMap<u32, (Vec<&str>, Vec<String>)> = BTreeMap::new();
    for (source, role, rows) in sources {
        if !roles.contains(role) {
            continue;
        }
        for row in rows.iter().filter(|row| people.contains(&row.person)) {
            let (names, records) = found.entry(row.person).or_default();
            if names.last() != Some(source) {
                names.push(source);
            }
            records.push(format!("{source}:{}", row.key));
        }
    }
    found
        .into_iter()
        .map(|(person, (names, records))| (person, (names.join(";"), records.join(";"))))
        .collect()
}

const REGISTERS: [Role; 5] = [Role::Hukou, Role::Birth, Role::Death, Role::School, Role::Insurance];

/// Usual residents the census missed, where they live and the registers that show them.
fn omitted(district: &District, sources: &SourceTruths) -> Table {
    let omitted: BTreeSet<u32> = district.census.omitted.iter().copied().collect();
    let shown = showing(sources, &omitted, &REGISTERS);
    let rows = omitted
        .iter()
        .map(|&key| {
            let person = &district.population.people[key as usize];
            let household = &district.population.households[person.household as usize];
            let (names, records) = shown.get(&key).cloned().unwrap_or_default();
            vec![person_id(key), household.enumeration_area.to_string(), names, records]
        })
        .collect();
    table(&["person", "enumeration_area", "sources", "records"], rows)
}

/// People with more than one `resident` census record: the records, their areas and why.
fn duplicates(district: &District, sources: &SourceTruths) -> Table {
    let census = &district.census;
    let mut groups: BTreeMap<u32, Vec<&RowTruth>> = BTreeMap::new();
    let census_rows = census_rows(sources);
    for row in census_rows {
        if census.records[row.index].record_type == RecordType::Resident {
            groups.entry(row.person).or_default().push(row);
        }
    }
    let rows = groups
        .into_iter()
        .filter(|(_, rows)| rows.len() > 1)
        .map(|(person, rows)| {
            let kind = rows.iter().find_map(|row| census.records[row.index].duplicate).map_or(
                "",
                |kind| match kind {
                    DuplicateKind::HukouAndResidence => "hukou_and_residence",
                    DuplicateKind::TwoAreas => "two_areas",
                    DuplicateKind::SelfReportAndEnumerator => "self_report_and_enumerator",
                },
            );
            let records: Vec<&str> = rows.iter().map(|row| row.key.as_str()).collect();
            let areas: BTreeSet<u64> =
                rows.iter().map(|row| census.records[row.index].enumeration_area).collect();
            let areas: Vec<String> = areas.iter().map(u64::to_string).collect();
            vec![person_id(person), kind.to_owned(), records.join(";"), areas.join(";")]
        })
        .collect();
    table(&["person", "kind", "census_records", "enumeration_areas"], rows)
}

fn census_rows(sources: &SourceTruths) -> &[RowTruth] {
    sources
        .iter()
        .find(|(_, role, _)| *role == Role::Census)
        .map_or(&[], |(_, _, rows)| rows.as_slice())
}

/// The dead the census listed: their census record, death date and death records.
fn dead_enumerated(district: &District, sources: &SourceTruths) -> Table {
    let dead: BTreeSet<u32> = district.census.dead_enumerated.iter().copied().collect();
    let census: BTreeMap<u32, &str> = census_rows(sources)
        .iter()
        .filter(|row| dead.contains(&row.person))
        .map(|row| (row.person, row.key.as_str()))
        .collect();
    let shown = showing(sources, &dead, &REGISTERS);
    let rows = dead
        .iter()
        .map(|&key| {
            let person = &district.population.people[key as usize];
            let (names, records) = shown.get(&key).cloned().unwrap_or_default();
            vec![
                person_id(key),
                census.get(&key).copied().unwrap_or_default().to_owned(),
                person.death.map(|d| d.to_string()).unwrap_or_default(),
                names,
                records,
            ]
        })
        .collect();
    table(&["person", "census_record", "death_date", "sources", "records"], rows)
}

/// Children born in the year before the reference moment whom the census missed.
fn births_not_enumerated(district: &District, sources: &SourceTruths) -> Table {
    let births: BTreeSet<u32> =
        district.census.births_not_enumerated(&district.population).collect();
    let shown = showing(sources, &births, &REGISTERS);
    let rows = births
        .iter()
        .map(|&key| {
            let person = &district.population.people[key as usize];
            let household = &district.population.households[person.household as usize];
            let (names, records) = shown.get(&key).cloned().unwrap_or_default();
            vec![
                person_id(key),
                person.birth.to_string(),
                household.enumeration_area.to_string(),
                names,
                records,
            ]
        })
        .collect();
    table(&["person", "birth_date", "enumeration_area", "sources", "records"], rows)
}

/// Rows whose ID is another person's, or whose birth date contradicts their own right ID.
fn identity_conflicts(sources: &SourceTruths) -> Table {
    let rows = sources
        .iter()
        .flat_map(|(source, _, rows)| {
            rows.iter().filter_map(move |row| {
                let (kind, other) = match row.conflict? {
                    Conflict::IdOfAnotherPerson(other) => {
                        ("id_of_another_person", person_id(other))
                    }
                    Conflict::IdContradictsBirthDate => {
                        ("id_contradicts_birth_date", String::new())
                    }
                };
                Some(vec![
                    (*source).to_owned(),
                    row.key.clone(),
                    person_id(row.person),
                    kind.to_owned(),
                    other,
                ])
            })
        })
        .collect();
    table(&["source", "record", "person", "kind", "id_owner"], rows)
}
