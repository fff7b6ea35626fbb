//! A generated district read back through the product's own job and readers: every value the
//! error model left alone standardizes to the truth, every damage shows as the damage it is,
//! and every truth list agrees with the records.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::LazyLock;

use censuslink_io::{Job, LoadedSource};
use censuslink_model::{IdStatus, PartialDate, RecordType};
use censuslink_standardize::name::normalize_name;

/// A district of 6,000 residents at the documented error rates, written once for every test.
struct Written {
    _dir: tempfile::TempDir,
    job: Job,
    loaded: BTreeMap<String, LoadedSource>,
    truth: Truth,
}

static DISTRICT: LazyLock<Written> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let district = censuslink_synth::generate(&censuslink_synth::SynthConfig::new(6_000, 99));
    district.write(dir.path()).expect("writable");
    let job = Job::load(&dir.path().join("job.toml")).expect("the generated job is valid");
    let loaded = job
        .sources
        .iter()
        .map(|source| {
            let loaded = censuslink_io::load(source, &job.path).expect("every source reads");
            (source.name.clone(), loaded)
        })
        .collect();
    let truth = Truth::read(&dir.path().join("truth"));
    Written { _dir: dir, job, loaded, truth }
});

/// The truth folder, as read back.
struct Truth {
    /// (source, record) → (person, damages).
    records: BTreeMap<(String, String), (String, Vec<String>)>,
    /// person → its row of persons.csv, by header.
    persons: BTreeMap<String, BTreeMap<String, String>>,
    lists: BTreeMap<&'static str, Vec<BTreeMap<String, String>>>,
}

fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).expect("a truth file");
    let text = text.strip_prefix('\u{FEFF}').expect("a byte-order mark");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("a header").clone();
    reader
        .records()
        .map(|record| {
            let record = record.expect("a record");
            headers.iter().zip(record.iter()).map(|(h, v)| (h.to_owned(), v.to_owned())).collect()
        })
        .collect()
}

impl Truth {
    fn read(dir: &Path) -> Truth {
        let records = read_csv(&dir.join("records.csv"))
            .into_iter()
            .map(|row| {
                let damages =
                    row["damages"].split(';').filter(|d| !d.is_empty()).map(str::to_owned);
                (
                    (row["source"].clone(), row["record"].clone()),
                    (row["person"].clone(), damages.collect()),
                )
            })
            .collect();
        let persons = read_csv(&dir.join("persons.csv"))
            .into_iter()
            .map(|row| (row["person"].clone(), row))
            .collect();
        let lists = [
            "omitted",
            "duplicates",
            "dead_enumerated",
            "births_not_enumerated",
            "identity_conflicts",
        ]
        .into_iter()
        .map(|list| (list, read_csv(&dir.join(format!("{list}.csv")))))
        .collect();
        Truth { records, persons, lists }
    }
}

/// Each row of `source`: its index in the loaded table, its person's truth and its damages.
fn rows(source: &str) -> Vec<(usize, &'static BTreeMap<String, String>, &'static [String])> {
    let written = &*DISTRICT;
    let table = &written.loaded[source].table;
    (0..table.len())
        .map(|idx| {
            let key = table.record_id.get(idx).expect("every row has its key").to_owned();
            let (person, damages) = &written.truth.records[&(source.to_owned(), key)];
            (idx, &written.truth.persons[person], damages.as_slice())
        })
        .collect()
}

fn date(text: &str) -> PartialDate {
    censuslink_standardize::date::parse_date(text).expect("a date")
}

fn has(damages: &[String], any: &[&str]) -> bool {
    damages.iter().any(|d| any.contains(&d.as_str()))
}

const NAME_DAMAGES: [&str; 6] = [
    "name_homophone",
    "name_look_alike",
    "name_dropped_char",
    "name_added_char",
    "name_missing",
    "name_placeholder",
];
const DATE_DAMAGES: [&str; 4] =
    ["date_day_month_swap", "date_lunar", "date_nominal_age", "date_missing"];

#[test]
fn every_row_is_read_and_only_the_rows_meant_to_break_are_rejected() {
    let written = &*DISTRICT;
    assert_eq!(written.job.sources.len(), 6);
    for source in &written.job.sources {
        let table = &written.loaded[&source.name].table;
        let n_truth = written.truth.records.keys().filter(|(s, _)| *s == source.name).count();
        assert_eq!(table.len(), n_truth, "{}: one truth row per record", source.name);
        for (idx, _, damages) in rows(&source.name) {
            // Only a birth certificate can hold neither name nor ID: no name given yet, and the
            // mother's ID left out.
            let meant = has(damages, &["name_missing", "name_placeholder"])
                && has(damages, &["id_missing"]);
            assert_eq!(
                table.rejected[idx].is_some(),
                meant,
                "{} row {idx}: {damages:?}",
                source.name
            );
        }
    }
}

#[test]
fn ids_meant_to_be_valid_validate_and_damaged_ones_show_their_damage() {
    let mut n_checked = 0;
    for source in ["census", "hukou", "death", "school", "insurance"] {
        let table = &DISTRICT.loaded[source].table;
        for (idx, person, damages) in rows(source) {
            let status = table.id.status[idx];
            let number = table.id.number.get(idx);
            let true_id = person["id_number"].as_str();
            if true_id.is_empty() || has(damages, &["id_missing"]) {
                assert_eq!(status, IdStatus::Missing, "{source} row {idx}: {damages:?}");
            } else if has(damages, &["id_substitution", "id_transposition"]) {
                assert!(!status.is_valid(), "{source} row {idx}: a typo passes as {status:?}");
            } else if has(damages, &["id_excel"]) {
                // One `…000` form in eleven passes the check digit: a spreadsheet's damage that
                // no reader can see.
                let passes = matches!(status, IdStatus::Valid | IdStatus::Repaired)
                    && number.is_some_and(|n| n.ends_with("000"));
                assert!(
                    status == IdStatus::ExcelTruncated || passes,
                    "{source} row {idx}: {status:?} {number:?} {true_id}"
                );
            } else if has(damages, &["id_fifteen_digit"]) {
                assert_eq!(status, IdStatus::Converted15, "{source} row {idx}");
                assert_eq!(number, Some(true_id), "{source} row {idx}: 15→18 restores the ID");
            } else if has(damages, &["id_of_parent"]) {
                assert!(
                    status.is_valid() && number != Some(true_id),
                    "{source} row {idx}: {status:?}"
                );
            } else {
                assert!(
                    matches!(status, IdStatus::Valid | IdStatus::Repaired),
                    "{source} row {idx}: {status:?} with {damages:?}"
                );
                assert_eq!(number, Some(true_id), "{source} row {idx}");
                n_checked += 1;
            }
        }
    }
    assert!(n_checked > 10_000, "{n_checked}");
}

#[test]
fn names_and_birth_dates_left_alone_standardize_to_the_truth() {
    for source in ["census", "hukou", "birth", "death", "school", "insurance"] {
        let table = &DISTRICT.loaded[source].table;
        let mut n_damaged_names = 0;
        for (idx, person, damages) in rows(source) {
            // A record giving the former name shows it instead of the current one.
            let shown_name = if has(damages, &["former_name"]) { "former_name" } else { "name" };
            let true_name = normalize_name(&person[shown_name]);
            let name = table.name.full.get(idx);
            // A separator left out or written as a space is a true variant, not a fold.
            let separator_kept =
                !has(damages, &["name_separator"]) || !person["name"].contains('·');
            if !has(damages, &NAME_DAMAGES) && separator_kept && !has(damages, &["stray_space"]) {
                assert_eq!(name, Some(true_name.as_str()), "{source} row {idx}: {damages:?}");
            } else if has(damages, &["name_homophone", "name_look_alike", "name_dropped_char"]) {
                n_damaged_names += 1;
                assert_ne!(name, Some(true_name.as_str()), "{source} row {idx}: {damages:?}");
            }
            let birth = table.birth_date[idx];
            let truth = date(&person["birth_date"]);
            if has(damages, &DATE_DAMAGES) {
                if has(damages, &["date_missing"]) {
                    assert_eq!(birth, None, "{source} row {idx}");
                }
                continue;
            }
            let birth = birth.expect("a birth date");
            let same_month = (birth.year(), birth.month()) == (truth.year(), truth.month());
            assert!(same_month, "{source} row {idx}: {birth} for {truth}");
            assert!(
                birth.day().is_none() || birth == truth,
                "{source} row {idx}: {birth} for {truth}"
            );
        }
        if ["census", "hukou", "insurance"].contains(&source) {
            assert!(n_damaged_names > 0, "{source} has name errors");
        }
    }
}

#[test]
fn the_truth_lists_agree_with_the_records() {
    let truth = &DISTRICT.truth;
    let census = &DISTRICT.loaded["census"].table;
    // The resident records of each person in the census.
    let mut resident_records: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (idx, person, _) in rows("census") {
        if census.record_type[idx] == Some(RecordType::Resident) {
            resident_records.entry(person["person"].as_str()).or_default().push(idx);
        }
    }
    let persons = &truth.persons;
    let list = |name: &str| &truth.lists[name];

    // Omitted: exactly the residents with no resident record.
    let not_listed = |p: &&BTreeMap<String, String>| {
        p["presence"] == "resident" && !resident_records.contains_key(p["person"].as_str())
    };
    let expected: BTreeSet<&str> =
        persons.values().filter(not_listed).map(|p| p["person"].as_str()).collect();
    let omitted: BTreeSet<&str> =
        list("omitted").iter().map(|row| row["person"].as_str()).collect();
    assert!(!omitted.is_empty());
    assert_eq!(omitted, expected);
    for row in list("omitted") {
        let person = &persons[&row["person"]];
        assert_eq!(person["presence"], "resident");
        assert!(!resident_records.contains_key(row["person"].as_str()), "omitted yet enumerated");
        assert_eq!(row["enumeration_area"], person["enumeration_area"]);
        for record in row["records"].split(';').filter(|r| !r.is_empty()) {
            let (source, key) = record.split_once(':').expect("source:record");
            assert_eq!(truth.records[&(source.to_owned(), key.to_owned())].0, row["person"]);
        }
    }
    let findable = list("omitted").iter().filter(|row| !row["sources"].is_empty()).count();
    assert!(findable * 10 > list("omitted").len() * 9, "more than 90 % of the missed are findable");

    let duplicated: BTreeSet<&str> =
        resident_records.iter().filter(|(_, r)| r.len() > 1).map(|(p, _)| *p).collect();
    let listed: BTreeSet<&str> =
        list("duplicates").iter().map(|row| row["person"].as_str()).collect();
    assert_eq!(listed, duplicated);
    for row in list("duplicates") {
        let n_areas = row["enumeration_areas"].split(';').count();
        match row["kind"].as_str() {
            "self_report_and_enumerator" => assert_eq!(n_areas, 1),
            "two_areas" | "hukou_and_residence" => assert_eq!(n_areas, 2, "{row:?}"),
            other => panic!("unknown kind {other}"),
        }
    }

    for row in list("dead_enumerated") {
        assert_eq!(persons[&row["person"]]["presence"], "dead");
        let key = (String::from("census"), row["census_record"].clone());
        assert_eq!(truth.records[&key].0, row["person"]);
    }
    let dead_in_census = rows("census").iter().filter(|(_, p, _)| p["presence"] == "dead").count();
    assert_eq!(list("dead_enumerated").len(), dead_in_census);

    // Born after the moment: in the birth register, never in the census nor a list to find.
    let born_after: BTreeSet<&str> = persons
        .values()
        .filter(|p| p["presence"] == "born_after")
        .map(|p| p["person"].as_str())
        .collect();
    assert!(!born_after.is_empty());
    assert!(rows("census").iter().all(|(_, p, _)| !born_after.contains(p["person"].as_str())));
    assert!(rows("birth").iter().any(|(_, p, _)| born_after.contains(p["person"].as_str())));
    // Died after the moment: in the death register, rightly enumerated, not a list to find.
    let died_after = rows("death").iter().filter(|(_, p, _)| p["presence"] == "resident").count();
    assert!(died_after > 0);

    // Births not enumerated: exactly the omitted residents born in the year before the moment.
    let period = date("2019-11-01")..=date("2020-10-31");
    let expected: BTreeSet<&str> = persons
        .values()
        .filter(not_listed)
        .filter(|p| period.contains(&date(&p["birth_date"])))
        .map(|p| p["person"].as_str())
        .collect();
    let listed: BTreeSet<&str> =
        list("births_not_enumerated").iter().map(|row| row["person"].as_str()).collect();
    assert_eq!(listed, expected);
    for row in list("births_not_enumerated") {
        assert_eq!(row["birth_date"], persons[&row["person"]]["birth_date"]);
    }

    for row in list("identity_conflicts") {
        let key = (row["source"].clone(), row["record"].clone());
        let (person, damages) = &truth.records[&key];
        assert_eq!(person, &row["person"]);
        match row["kind"].as_str() {
            "id_of_another_person" => assert!(has(damages, &["id_of_parent"])),
            "id_contradicts_birth_date" => {
                assert!(has(damages, &["date_day_month_swap", "date_lunar", "date_nominal_age"]));
            }
            other => panic!("unknown kind {other}"),
        }
    }
}

#[test]
fn identity_conflicts_are_every_row_whose_id_and_values_disagree() {
    let truth = &DISTRICT.truth;
    let owners: BTreeMap<&str, &str> = truth
        .persons
        .values()
        .filter(|p| !p["id_number"].is_empty())
        .map(|p| (p["id_number"].as_str(), p["person"].as_str()))
        .collect();
    let listed: BTreeMap<(&str, &str), (&str, &str)> = truth.lists["identity_conflicts"]
        .iter()
        .map(|row| {
            let key = (row["source"].as_str(), row["record"].as_str());
            (key, (row["kind"].as_str(), row["id_owner"].as_str()))
        })
        .collect();
    // What the reader makes of each row: the valid ID it shows and whose it is, and whether
    // the birth date it shows (at its own precision) is the person's.
    let mut found = BTreeMap::new();
    let mut n_kinds = BTreeMap::new();
    for source in ["census", "hukou", "birth", "death", "school", "insurance"] {
        let table = &DISTRICT.loaded[source].table;
        for (idx, person, _) in rows(source) {
            // A valid ID no one has (a spreadsheet's `…000` passing by chance) is no one's.
            let number = table.id.number.get(idx).filter(|_| table.id.status[idx].is_valid());
            let Some(&owner) = number.and_then(|number| owners.get(number)) else {
                continue;
            };
            let record = table.record_id.get(idx).expect("every row has its key");
            let conflict = if owner != person["person"] {
                Some(("id_of_another_person", owner))
            } else {
                let truth = date(&person["birth_date"]);
                let is_moved = table.birth_date[idx].is_some_and(|birth| {
                    birth.year() != truth.year()
                        || birth.month().is_some_and(|m| Some(m) != truth.month())
                        || birth.day().is_some_and(|d| Some(d) != truth.day())
                });
                is_moved.then_some(("id_contradicts_birth_date", ""))
            };
            if let Some(conflict) = conflict {
                *n_kinds.entry(conflict.0).or_insert(0) += 1;
                found.insert((source, record), conflict);
            }
        }
    }
    let differing: Vec<_> = found
        .iter()
        .filter(|(key, conflict)| listed.get(key) != Some(conflict))
        .chain(listed.iter().filter(|(key, conflict)| found.get(key) != Some(conflict)))
        .collect();
    assert!(differing.is_empty(), "found or listed, not both: {differing:?}");
    assert_eq!(found.len(), listed.len());
    assert_eq!(n_kinds.len(), 2, "both kinds occur: {n_kinds:?}");
}
