//! The linkage settings of a job: its `[linkage]` table, or the defaults for census and
//! administrative person records when it has none.

use std::path::PathBuf;

use censuslink_io::Job;
use censuslink_linkage::{BlockingRule, Comparison, Kind, Settings, TrainingSettings};
use censuslink_model::{PersonTable, TextColumn};

use crate::features::person_records;

/// Why a job's `[linkage]` table cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("job file {path}: `linkage`: {message}")]
pub struct SettingsError {
    /// The job file.
    pub path: PathBuf,
    /// What is wrong, as the parser says it (a key and what was expected; never a data value).
    pub message: String,
}

impl SettingsError {
    /// The error as one line, in `lang` (the parser's own words stay English).
    pub fn message(&self, lang: censuslink_io::Lang) -> String {
        lang.pick(
            format!(
                "作业文件 {}：`linkage`：{}；写法见 README 中的 [linkage] 一节",
                self.path.display(),
                self.message
            ),
            format!(
                "job file {}: `linkage`: {}; the README's [linkage] section lists the keys",
                self.path.display(),
                self.message
            ),
        )
    }
}

/// The linkage settings of `job`: its `[linkage]` table with every feature, key and anchor it
/// names checked against the features the job's sources give (the canonical fields' and the
/// job's extra fields'), before any file is read; or the defaults.
pub fn linkage_settings(job: &Job) -> Result<Settings, SettingsError> {
    let Some(table) = &job.linkage else {
        return Ok(person_defaults());
    };
    let error = |message: String| SettingsError { path: job.path.clone(), message };
    let settings: Settings =
        table.clone().try_into().map_err(|err: toml::de::Error| error(err.message().to_owned()))?;
    let mut schema = PersonTable::default();
    for (name, _) in job.sources.iter().flat_map(|source| &source.extra) {
        if schema.extra(name).is_none() {
            schema.extra.push((name.clone(), TextColumn::new()));
        }
    }
    settings.check(&person_records(&schema, None)).map_err(|err| error(err.to_string()))?;
    Ok(settings)
}

/// The defaults for Chinese person records (census, hukou, registers): the name by characters
/// and reading with term frequencies, the ID number, birth date, sex, ethnicity, hukou region
/// and residence region; candidates from the same ID, the same name reading and birth month,
/// the same surname reading, birth month and hukou township, the same name and hukou place,
/// the same name and residence township, or surname reading, birth month and residence
/// township (registers without a hukou place: IDs and birth dates both damaged, or IDs and
/// names), or the same surname reading and ID region and birth date (a number mistyped past
/// them); EM on the ID pairs and the name pairs; the anchor is a valid ID with its birth date
/// and sex.
pub fn person_defaults() -> Settings {
    let comparison = |feature: &str, kind: Kind, term_frequency: bool| Comparison {
        feature: feature.to_owned(),
        kind,
        term_frequency,
        swapped_with: None,
    };
    let rule = |name: &str, keys: &[&str]| BlockingRule {
        name: name.to_owned(),
        keys: keys.iter().map(|k| (*k).to_owned()).collect(),
    };
    Settings {
        comparisons: vec![
            comparison("name", Kind::Name, true),
            comparison("id_number", Kind::IdNumber, false),
            comparison("birth_date", Kind::Date, false),
            comparison("sex", Kind::Exact, false),
            comparison("ethnicity", Kind::Exact, false),
            comparison("hukou_region", Kind::Region, false),
            comparison("residence_region", Kind::Region, false),
        ],
        // Each rule's blocks stay small as the district grows (pairs near-linear in records):
        // no rule pairs a common name across a whole county.
        blocking: vec![
            rule("ID number", &["id_number"]),
            rule("name reading and birth month", &["name.reading", "birth_date.year_month"]),
            rule(
                "surname reading, birth month and hukou township",
                &["name.surname_reading", "birth_date.year_month", "hukou_region.township"],
            ),
            rule("name and hukou place", &["name", "hukou_region"]),
            rule("name and residence township", &["name", "residence_region.township"]),
            rule(
                "surname reading, birth month and residence township",
                &["name.surname_reading", "birth_date.year_month", "residence_region.township"],
            ),
            rule(
                "surname reading and the ID number's region and birth date",
                &["name.surname_reading", "id_number.region_birth"],
            ),
            rule(
                "surname reading and the ID number's birth date and sequence",
                &["name.surname_reading", "id_number.birth_serial"],
            ),
        ],
        training: TrainingSettings {
            anchor: vec!["id_number".into(), "birth_date".into(), "sex".into()],
            em_rules: vec![
                rule("ID number", &["id_number"]),
                rule("name reading and birth month", &["name.reading", "birth_date.year_month"]),
            ],
            ..TrainingSettings::default()
        },
        threshold: 0.9,
    }
}
