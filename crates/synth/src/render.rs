//! The departmental files: each source's records rendered from their true persons in the
//! department's own format (headers, codes, date forms, addresses, file format and encoding),
//! through the error model, with the truth of every row beside them.

use std::collections::BTreeMap;

use censuslink_io::{Column, Encoding, Export, Table, Values};
use censuslink_model::{CollectionMode, PartialDate, RecordType, Relation, Role, Sex};
use censuslink_standardize::codes::ethnicity_name;

use crate::District;
use crate::errors::{Damage, Damager, ErrorRates};
use crate::geography::Village;
use crate::population::{
    EXTRACTION_DAYS, Household, Person, REFERENCE, age_at_reference, reference_days,
};
use crate::rng::Rng;

/// One source's file: what it is, how it is written, and the truth of its rows.
pub(crate) struct Extract {
    /// The source's name in the job, and its file's stem.
    pub(crate) name: &'static str,
    pub(crate) role: Role,
    /// The file name.
    pub(crate) file: &'static str,
    pub(crate) export: Export,
    pub(crate) table: Table,
    /// One per row, in row order.
    pub(crate) truth: Vec<RowTruth>,
}

/// The truth of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RowTruth {
    /// The row's record key.
    pub(crate) key: String,
    /// The index of the record in the census's records or in its register's list.
    pub(crate) index: usize,
    /// The person the row is of.
    pub(crate) person: u32,
    /// What the error model did to its values.
    pub(crate) damages: Vec<Damage>,
    /// Whether its ID and its other values point at different people or facts.
    pub(crate) conflict: Option<Conflict>,
}

/// An identity conflict a row carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Conflict {
    /// The row shows the ID number of this other person (a parent's, for a child).
    IdOfAnotherPerson(u32),
    /// The row's own ID is right but its birth date is not the one the ID holds.
    IdContradictsBirthDate,
}

/// The extract of `role` from `district`.
pub(crate) fn render(district: &District, role: Role) -> Extract {
    let renderer = Renderer { district };
    match role {
        Role::Census => renderer.census(),
        Role::Hukou => renderer.hukou(),
        Role::Birth => renderer.birth(),
        Role::Death => renderer.death(),
        Role::School => renderer.school(),
        Role::Insurance => renderer.insurance(),
    }
}

struct Renderer<'a> {
    district: &'a District,
}

/// A cell of a row being built.
enum Cell {
    Text(Option<String>),
    Integer(Option<i64>),
    Date(Option<i32>),
}

/// Rows being built, kept as columns.
struct Sheet {
    columns: Vec<Column>,
}

impl Sheet {
    /// A sheet with these headers; the kind of each column is set by its first row.
    fn new(headers: &[&str]) -> Sheet {
        let columns = headers
            .iter()
            .map(|&header| Column { header: header.to_owned(), values: Values::Text(Vec::new()) })
            .collect();
        Sheet { columns }
    }

    fn push(&mut self, row: Vec<Cell>) {
        assert_eq!(row.len(), self.columns.len(), "one cell per column");
        for (column, cell) in self.columns.iter_mut().zip(row) {
            match (&mut column.values, cell) {
                (Values::Text(values), Cell::Text(value)) => values.push(value),
                (Values::Integer(values), Cell::Integer(value)) => values.push(value),
                (Values::Date(values), Cell::Date(value)) => values.push(value),
                (values, Cell::Integer(value)) if is_empty(values) => {
                    *values = Values::Integer(vec![value]);
                }
                (values, Cell::Date(value)) if is_empty(values) => {
                    *values = Values::Date(vec![value])
                }
                _ => panic!("column {} mixes kinds of cell", column.header),
            }
        }
    }

    fn into_table(self) -> Table {
        Table { columns: self.columns }
    }
}

fn is_empty(values: &Values) -> bool {
    matches!(values, Values::Text(v) if v.is_empty())
}

fn text(value: impl Into<String>) -> Cell {
    Cell::Text(Some(value.into()))
}

fn opt(value: Option<String>) -> Cell {
    Cell::Text(value)
}

impl<'a> Renderer<'a> {
    fn person(&self, key: u32) -> &'a Person {
        &self.district.population.people[key as usize]
    }

    fn household(&self, person: &Person) -> &'a Household {
        &self.district.population.households[person.household as usize]
    }

    fn village(&self, household: &Household) -> &'a Village {
        &self.district.population.villages[household.village]
    }

    /// The random stream and the error rates of `role`'s records.
    fn error_model(&self, role: Role, stream: u64) -> (Rng, ErrorRates) {
        let config = &self.district.config;
        (Rng::new(config.seed, stream), ErrorRates::standard(role, config.error_scale))
    }

    /// A parent of `person` living in the same household (the mother first), when `person` is
    /// a child of its head or spouse.
    fn parent(&self, person: &Person, sex: Option<Sex>) -> Option<&'a Person> {
        if person.relation != Relation::Child {
            return None;
        }
        self.household(person)
            .members
            .iter()
            .map(|&key| self.person(key))
            .filter(|p| matches!(p.relation, Relation::Head | Relation::Spouse))
            .filter(|p| sex.is_none_or(|sex| p.sex == sex))
            .min_by_key(|p| u8::from(p.sex == Sex::Male))
    }

    /// The truth of row `key` (record `index`) of `person`, which shows `birth` at `digits`
    /// digits of YYYYMMDD (6 for year and month, 8 for the day), after `damages`; `parent` is
    /// the parent whose ID the row shows if the damages say so.
    fn truth(
        &self,
        (key, index): (String, usize),
        person: &Person,
        parent: Option<&Person>,
        (birth, digits_shown): (Option<PartialDate>, usize),
        damages: &[Damage],
    ) -> RowTruth {
        let shows_own_id = person.id_number.is_some()
            && damages.iter().all(|d| {
                !matches!(
                    d,
                    Damage::IdMissing
                        | Damage::IdOfParent
                        | Damage::IdSubstitution
                        | Damage::IdTransposition
                        | Damage::IdExcel
                )
            });
        let moved =
            |b: PartialDate| digits(b)[..digits_shown] != digits(person.birth)[..digits_shown];
        let conflict = match parent {
            Some(parent) if damages.contains(&Damage::IdOfParent) => {
                Some(Conflict::IdOfAnotherPerson(parent.key))
            }
            _ if shows_own_id && birth.is_some_and(moved) => Some(Conflict::IdContradictsBirthDate),
            _ => None,
        };
        RowTruth { key, index, person: person.key, damages: damages.to_vec(), conflict }
    }

    /// Census person records (GBK CSV): listed by enumeration area and household, birth year
    /// and month only, sex and ethnicity as codes.
    fn census(&self) -> Extract {
        let census = &self.district.census;
        // Households are numbered within their area in the order first listed; people within
        // their household's listing.
        let mut household_numbers: BTreeMap<(u64, u32), u16> = BTreeMap::new();
        let mut next_in_area: BTreeMap<u64, u16> = BTreeMap::new();
        let mut next_in_household: BTreeMap<u32, u16> = BTreeMap::new();
        let mut keyed: Vec<(String, u16, usize)> = Vec::with_capacity(census.records.len());
        for (idx, record) in census.records.iter().enumerate() {
            let area = record.enumeration_area;
            let number = *household_numbers.entry((area, record.household)).or_insert_with(|| {
                let next = next_in_area.entry(area).or_insert(0);
                *next += 1;
                *next
            });
            let seq = next_in_household.entry(record.household).or_insert(0);
            *seq += 1;
            keyed.push((format!("{area:015}{number:03}{seq:02}"), number, idx));
        }
        keyed.sort_unstable();

        let (mut rng, rates) = self.error_model(Role::Census, 10);
        let mut damager = Damager::new(&mut rng, &rates);
        let mut sheet = Sheet::new(&[
            "人员编号",
            "普查小区",
            "户编号",
            "与户主关系",
            "姓名",
            "公民身份号码",
            "性别",
            "出生年月",
            "民族",
            "户口登记地",
            "现住地代码",
            "登记类型",
            "填报方式",
        ]);
        let mut truth = Vec::with_capacity(keyed.len());
        for (key, number, idx) in keyed {
            let record = &census.records[idx];
            let person = self.person(record.person);
            damager.next_record();
            let name = damager.name(&person.name);
            let id = damager.id(person.id_number.as_deref(), None, false);
            let birth = damager.birth_date(person.birth);
            let listed_in = &self.district.population.households[record.household as usize];
            let at_home = listed_in.key == person.household;
            let relation = if at_home { person.relation } else { Relation::Other };
            let residence = match record.record_type {
                RecordType::Resident => Some(self.village(listed_in).code.to_string()),
                RecordType::RegisteredAway => None,
            };
            sheet.push(vec![
                text(key.clone()),
                text(record.enumeration_area.to_string()),
                text(format!("{}-{number:03}", record.enumeration_area)),
                text(relation.census_code().to_string()),
                opt(name),
                opt(id),
                text(if person.sex == Sex::Male { "1" } else { "2" }),
                opt(birth.map(|b| format!("{:04}{:02}", b.year(), b.month().unwrap_or(1)))),
                text(format!("{:02}", person.ethnicity.code())),
                text(hukou_region(person)),
                opt(residence),
                text(match record.record_type {
                    RecordType::Resident => "常住",
                    RecordType::RegisteredAway => "户在人不在",
                }),
                text(match record.mode {
                    CollectionMode::SelfReport => "自主填报",
                    CollectionMode::Enumerator => "普查员",
                }),
            ]);
            truth.push(self.truth((key, idx), person, None, (birth, 6), &damager.done));
        }
        Extract {
            name: "census",
            role: Role::Census,
            file: "census.csv",
            export: Export::Csv { encoding: Encoding::Gbk, bom: false },
            table: sheet.into_table(),
            truth,
        }
    }

    /// The police household register (UTF-8 CSV with a byte-order mark): full addresses,
    /// relations in words, 不详 for what is not known.
    fn hukou(&self) -> Extract {
        let (mut rng, rates) = self.error_model(Role::Hukou, 11);
        let mut damager = Damager::new(&mut rng, &rates);
        let mut sheet = Sheet::new(&[
            "户籍编号",
            "户号",
            "姓名",
            "性别",
            "民族",
            "出生日期",
            "公民身份号码",
            "与户主关系",
            "户籍地代码",
            "户籍地址",
        ]);
        let mut truth = Vec::new();
        for (serial, &key) in self.district.registers.hukou.iter().enumerate() {
            let person = self.person(key);
            let household = self.household(person);
            let village = self.village(household);
            damager.next_record();
            let name = damager.name(&person.name);
            let id = damager.id(person.id_number.as_deref(), None, false);
            let birth = damager.birth_date(person.birth);
            let record_key = format!("{}{:09}", village.county_code(), serial + 1);
            sheet.push(vec![
                text(record_key.clone()),
                text(format!("{}{:03}{:03}", village.code, household.building, household.unit)),
                opt(name),
                text(if person.sex == Sex::Male { "男" } else { "女" }),
                text(ethnicity_name(person.ethnicity)),
                text(birth.map_or_else(
                    || "不详".to_owned(),
                    |b| {
                        // Older entries were typed without separators.
                        if b.year() < 1990 { digits(b) } else { iso(b) }
                    },
                )),
                opt(id),
                text(relation_word(person)),
                text(village.code.to_string()),
                text(address(village, household, AddressStyle::Full)),
            ]);
            truth.push(self.truth((record_key, serial), person, None, (birth, 8), &damager.done));
        }
        Extract {
            name: "hukou",
            role: Role::Hukou,
            file: "hukou.csv",
            export: Export::Csv { encoding: Encoding::Utf8, bom: true },
            table: sheet.into_table(),
            truth,
        }
    }

    /// Birth certificates (XLSX, a title row above the header, dates as date cells): the
    /// newborn's name often not given yet, the mother's name and ID.
    fn birth(&self) -> Extract {
        let (mut rng, rates) = self.error_model(Role::Birth, 12);
        let mut damager = Damager::new(&mut rng, &rates);
        let mut sheet = Sheet::new(&[
            "出生证编号",
            "新生儿姓名",
            "性别",
            "出生日期",
            "母亲姓名",
            "母亲身份证号",
            "父亲姓名",
            "出生地点",
            "家庭住址",
        ]);
        let mut truth = Vec::new();
        for (serial, &key) in self.district.registers.birth.iter().enumerate() {
            let person = self.person(key);
            let household = self.household(person);
            let village = self.village(household);
            let mother = self.parent(person, Some(Sex::Female));
            let father = self.parent(person, Some(Sex::Male));
            damager.next_record();
            // A certificate names its newborn in 55 % of cases, leaves the name empty in 30 % and
            // writes a placeholder in 15 %; without the mother's ID to link on, it names it.
            let naming =
                if mother.is_some() { damager.rng.weighted(&[0.55, 0.30, 0.15]) } else { 0 };
            let name = match naming {
                0 => damager.name(&person.name),
                1 => {
                    damager.done.push(Damage::NameMissing);
                    None
                }
                _ => {
                    damager.done.push(Damage::NamePlaceholder);
                    Some(placeholder(person, mother))
                }
            };
            // The mother's ID is the row's ID: its damage is the row's.
            let mother_id = mother.and_then(|m| damager.id(m.id_number.as_deref(), None, false));
            let record_key = format!("Q{:03}{:06}", village.county_code() % 1000, serial + 1);
            sheet.push(vec![
                text(record_key.clone()),
                opt(name),
                text(if person.sex == Sex::Male { "男" } else { "女" }),
                Cell::Date(Some(person.birth.to_days_since_epoch())),
                opt(mother.map(|m| m.name.clone())),
                opt(mother_id),
                opt(father.map(|f| f.name.clone())),
                text(format!("{}妇幼保健院", village.county)),
                text(address(village, household, AddressStyle::Short)),
            ]);
            truth.push(RowTruth {
                key: record_key,
                index: serial,
                person: key,
                damages: damager.done.clone(),
                conflict: None,
            });
        }
        Extract {
            name: "birth",
            role: Role::Birth,
            file: "birth.xlsx",
            export: Export::Xlsx {
                sheet: "出生登记".to_owned(),
                title: Some(format!(
                    "{}年11月1日至{}出生医学证明登记",
                    REFERENCE.0 - 1,
                    chinese_date(last_extracted_day())
                )),
            },
            table: sheet.into_table(),
            truth,
        }
    }

    /// Death certificates (Parquet): dates as DATE, sex and region codes as integers, old
    /// 15-digit IDs of the elderly.
    fn death(&self) -> Extract {
        let (mut rng, rates) = self.error_model(Role::Death, 13);
        let mut damager = Damager::new(&mut rng, &rates);
        let mut sheet = Sheet::new(&[
            "死亡证编号",
            "姓名",
            "身份证号",
            "性别",
            "出生日期",
            "死亡日期",
            "户籍地代码",
        ]);
        let mut truth = Vec::new();
        for (serial, &key) in self.district.registers.death.iter().enumerate() {
            let person = self.person(key);
            let village = self.village(self.household(person));
            damager.next_record();
            let name = damager.name(&person.name);
            let is_elderly = person.birth.year() < 1950;
            let id = damager.id(person.id_number.as_deref(), None, is_elderly);
            let birth = damager.birth_date(person.birth);
            let record_key = format!("S{}{:06}", village.county_code(), serial + 1);
            sheet.push(vec![
                text(record_key.clone()),
                opt(name),
                opt(id),
                Cell::Integer(Some(if person.sex == Sex::Male { 1 } else { 2 })),
                Cell::Date(birth.map(PartialDate::to_days_since_epoch)),
                Cell::Date(person.death.map(PartialDate::to_days_since_epoch)),
                Cell::Integer(Some(village.code as i64)),
            ]);
            truth.push(self.truth((record_key, serial), person, None, (birth, 8), &damager.done));
        }
        Extract {
            name: "death",
            role: Role::Death,
            file: "death.parquet",
            export: Export::Parquet,
            table: sheet.into_table(),
            truth,
        }
    }

    /// The student register (Arrow IPC): the national student number is `G` and the ID,
    /// birth year and month in two integer columns, the school's name.
    fn school(&self) -> Extract {
        let (mut rng, rates) = self.error_model(Role::School, 14);
        let mut damager = Damager::new(&mut rng, &rates);
        let mut sheet = Sheet::new(&[
            "学生编号",
            "全国学籍号",
            "姓名",
            "性别",
            "出生年",
            "出生月",
            "学校名称",
            "年级",
            "家庭住址",
        ]);
        let mut truth = Vec::new();
        for (serial, &key) in self.district.registers.school.iter().enumerate() {
            let person = self.person(key);
            let household = self.household(person);
            let village = self.village(household);
            let parent = self.parent(person, None);
            damager.next_record();
            let name = damager.name(&person.name);
            let parent_id = parent.and_then(|p| p.id_number.as_deref());
            let id = damager.id(person.id_number.as_deref(), parent_id, false);
            let birth = damager.birth_date(person.birth);
            let age = age_at_reference(person.birth);
            let (school, grade) = school_and_grade(village, age);
            let record_key = format!("{}{:07}", REFERENCE.0, serial + 1);
            sheet.push(vec![
                text(record_key.clone()),
                opt(id.map(|id| format!("G{id}"))),
                opt(name),
                text(if person.sex == Sex::Male { "男" } else { "女" }),
                Cell::Integer(birth.map(|b| i64::from(b.year()))),
                Cell::Integer(birth.map(|b| i64::from(b.month().unwrap_or(1)))),
                text(school),
                text(grade),
                text(address(village, household, AddressStyle::Short)),
            ]);
            truth.push(self.truth((record_key, serial), person, parent, (birth, 6), &damager.done));
        }
        Extract {
            name: "school",
            role: Role::School,
            file: "school.arrow",
            export: Export::Arrow,
            table: sheet.into_table(),
            truth,
        }
    }

    /// Medical insurance (GB18030 CSV): 无 for missing values, dates as `YYYY/M/D`, IDs through
    /// spreadsheets, the insured township's code.
    fn insurance(&self) -> Extract {
        let (mut rng, rates) = self.error_model(Role::Insurance, 15);
        let mut damager = Damager::new(&mut rng, &rates);
        let mut sheet = Sheet::new(&[
            "参保人编号",
            "姓名",
            "证件号码",
            "性别",
            "出生日期",
            "参保地代码",
            "联系地址",
        ]);
        let mut truth = Vec::new();
        let missing = || "无".to_owned();
        for (serial, &key) in self.district.registers.insurance.iter().enumerate() {
            let person = self.person(key);
            let household = self.household(person);
            let village = self.village(household);
            let parent = self.parent(person, None);
            damager.next_record();
            let name = damager.name(&person.name);
            let is_child = age_at_reference(person.birth) < 18;
            let parent_id = parent.and_then(|p| p.id_number.as_deref()).filter(|_| is_child);
            let is_elderly = person.birth.year() < 1950;
            let id = damager.id(person.id_number.as_deref(), parent_id, is_elderly);
            let birth = damager.birth_date(person.birth);
            let record_key = format!("{:010}", 3_200_000_000 + serial as u64 + 1);
            sheet.push(vec![
                text(record_key.clone()),
                text(name.unwrap_or_else(missing)),
                text(id.unwrap_or_else(missing)),
                text(if person.sex == Sex::Male { "男性" } else { "女性" }),
                text(birth.map_or_else(missing, |b| {
                    format!("{}/{}/{}", b.year(), b.month().unwrap_or(1), b.day().unwrap_or(1))
                })),
                text((village.code / 1_000).to_string()),
                text(address(village, household, AddressStyle::Short)),
            ]);
            truth.push(self.truth((record_key, serial), person, parent, (birth, 8), &damager.done));
        }
        Extract {
            name: "insurance",
            role: Role::Insurance,
            file: "insurance.csv",
            export: Export::Csv { encoding: Encoding::Gb18030, bom: false },
            table: sheet.into_table(),
            truth,
        }
    }
}

/// The region code of a person's hukou place: the village for the district's own, the county
/// for in-migrants.
fn hukou_region(person: &Person) -> String {
    match person.hukou_village {
        Some(village) => village.to_string(),
        None => person.hukou_county.to_string(),
    }
}

/// The last day the registers hold, the day before their extraction.
fn last_extracted_day() -> PartialDate {
    PartialDate::from_days_since_epoch(reference_days() + EXTRACTION_DAYS - 1)
        .expect("a day in range")
}

/// `2020年12月15日`.
fn chinese_date(date: PartialDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month().unwrap_or(1), date.day().unwrap_or(1))
}

/// `YYYYMMDD`.
fn digits(date: PartialDate) -> String {
    format!("{:04}{:02}{:02}", date.year(), date.month().unwrap_or(1), date.day().unwrap_or(1))
}

/// `YYYY-MM-DD`.
fn iso(date: PartialDate) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month().unwrap_or(1), date.day().unwrap_or(1))
}

/// The relation to the head as the hukou register words it.
fn relation_word(person: &Person) -> &'static str {
    match (person.relation, person.sex) {
        (Relation::Head, _) => "户主",
        (Relation::Spouse, Sex::Male) => "夫",
        (Relation::Spouse, Sex::Female) => "妻",
        (Relation::Child, Sex::Male) => "子",
        (Relation::Child, Sex::Female) => "女",
        (Relation::Parent, Sex::Male) => "父亲",
        (Relation::Parent, Sex::Female) => "母亲",
        _ => "其他",
    }
}

/// What a birth certificate shows before the child is named: `王芳之子`, or `男婴`.
fn placeholder(child: &Person, parent: Option<&Person>) -> String {
    let (word, infant) =
        if child.sex == Sex::Male { ("之子", "男婴") } else { ("之女", "女婴") };
    match parent {
        Some(parent) if !parent.name.contains(crate::names::MIDDLE_DOT) => {
            format!("{}{word}", parent.name)
        }
        _ => infant.to_owned(),
    }
}

#[derive(Clone, Copy)]
enum AddressStyle {
    /// As the police write it: province, prefecture, county, township, community, dwelling.
    Full,
    /// As the other departments write it: county on, dwelling as `3-105`.
    Short,
}

/// The address of a household's dwelling.
fn address(village: &Village, household: &Household, style: AddressStyle) -> String {
    let community = village
        .name
        .trim_end_matches("居委会")
        .trim_end_matches("村委会")
        .trim_end_matches("委员会");
    let place = format!("{}{}{community}", village.county, village.township);
    match (style, village.is_rural) {
        (AddressStyle::Full, false) => {
            format!("江苏省南京市{place}{}幢{}室", household.building, household.unit)
        }
        (AddressStyle::Full, true) => {
            format!("江苏省南京市{place}{}组{}号", household.building, household.unit - 100)
        }
        (AddressStyle::Short, _) => format!("{place}{}-{}", household.building, household.unit),
    }
}

/// The school a child of `age` in `village` goes to, and the grade.
fn school_and_grade(village: &Village, age: u16) -> (String, String) {
    let town = village.township.trim_end_matches("街道").trim_end_matches('镇');
    let (kind, grade) = match age {
        ..=11 => ("小学", format!("{}年级", age.saturating_sub(5).max(1))),
        12..=14 => ("初级中学", format!("初{}", age - 11)),
        _ => ("高级中学", format!("高{}", (age - 14).min(3))),
    };
    (format!("南京市{town}{kind}"), grade)
}

#[cfg(test)]
mod tests {
    use censuslink_model::Role;

    use crate::errors::{Damage, ErrorRates};
    use crate::population::{Person, age_at_reference};
    use crate::render::{Conflict, Renderer, RowTruth, render};
    use crate::{SynthConfig, generate};

    /// Asserts that `hits` of `eligible` is `rate` within 4.5 standard deviations.
    fn assert_rate(what: &str, hits: usize, eligible: usize, rate: f64) {
        if eligible == 0 {
            assert_eq!(hits, 0, "{what}");
            return;
        }
        let n = eligible as f64;
        let observed = hits as f64 / n;
        let tolerance = 4.5 * (rate * (1.0 - rate) / n).sqrt() + 1e-9;
        assert!(
            (observed - rate).abs() <= tolerance,
            "{what}: {hits} of {eligible} is {observed:.4}, set {rate} ± {tolerance:.4}"
        );
    }

    const CHARACTER_ERRORS: [Damage; 5] = [
        Damage::NameHomophone,
        Damage::NameLookAlike,
        Damage::NameDropped,
        Damage::NameAdded,
        Damage::NameTraditional,
    ];

    /// How often a row took one damage and how often it could have: 0 or 1 each, but for
    /// stray spaces, which the name and the ID can each take.
    type Measure = fn(&Chances) -> (usize, usize);

    /// The rate a measure checks, read from a source's rates.
    type Rate = fn(&ErrorRates) -> f64;

    /// What a row of a source could take: the facts the rates are shares of.
    struct Chances<'a> {
        row: &'a RowTruth,
        person: &'a Person,
        /// A parent's ID the row could have shown instead of the person's.
        parent_id: bool,
        /// Whether the ID shown (the person's or a parent's) is all digits.
        numeric_id: bool,
    }

    impl Chances<'_> {
        fn has(&self, damage: Damage) -> bool {
            self.row.damages.contains(&damage)
        }

        fn once(&self, damage: Damage, could: bool) -> (usize, usize) {
            (usize::from(self.has(damage)), usize::from(could))
        }

        fn named(&self) -> bool {
            !self.has(Damage::NameMissing)
        }

        fn id_shown(&self) -> bool {
            self.person.id_number.is_some() && !self.has(Damage::IdMissing)
        }

        fn date_shown(&self) -> bool {
            !self.has(Damage::DateMissing) && !self.has(Damage::DateNominalAge)
        }
    }

    /// Each rate and its measure.
    const MEASURES: [(&str, Rate, Measure); 13] = [
        (
            "name",
            |r| r.name,
            |c| {
                let hit = c.row.damages.iter().any(|d| CHARACTER_ERRORS.contains(d));
                (usize::from(hit), usize::from(c.named()))
            },
        ),
        (
            "separator",
            |r| r.name_separator,
            |c| c.once(Damage::NameSeparator, c.named() && c.person.name.contains('·')),
        ),
        (
            "stray space",
            |r| r.stray_space,
            |c| {
                let hits = c.row.damages.iter().filter(|&&d| d == Damage::StraySpace).count();
                (hits, usize::from(c.named()) + usize::from(c.id_shown()))
            },
        ),
        (
            "full width",
            |r| r.full_width,
            |c| c.once(Damage::FullWidth, c.id_shown() && !c.has(Damage::IdExcel)),
        ),
        (
            "id typo",
            |r| r.id_typo,
            |c| {
                let hit = c.has(Damage::IdSubstitution) || c.has(Damage::IdTransposition);
                (usize::from(hit), usize::from(c.id_shown()))
            },
        ),
        (
            "id missing",
            |r| r.id_missing,
            |c| c.once(Damage::IdMissing, c.person.id_number.is_some()),
        ),
        (
            "parent's id",
            |r| r.id_parent,
            |c| c.once(Damage::IdOfParent, c.id_shown() && c.parent_id),
        ),
        (
            "excel",
            |r| r.id_excel,
            |c| c.once(Damage::IdExcel, c.id_shown() && c.numeric_id && !c.has(Damage::IdFifteen)),
        ),
        (
            "15-digit",
            |r| r.id_fifteen,
            |c| c.once(Damage::IdFifteen, c.id_shown() && c.person.birth.year() < 1950),
        ),
        ("date missing", |r| r.date_missing, |c| c.once(Damage::DateMissing, true)),
        (
            "nominal age",
            |r| r.date_nominal,
            |c| c.once(Damage::DateNominalAge, !c.has(Damage::DateMissing)),
        ),
        ("lunar", |r| r.date_lunar, |c| c.once(Damage::DateLunar, c.date_shown())),
        (
            "day/month swap",
            |r| r.date_swap,
            |c| {
                let (month, day) = (c.person.birth.month(), c.person.birth.day().unwrap_or(0));
                let could =
                    c.date_shown() && !c.has(Damage::DateLunar) && day <= 12 && Some(day) != month;
                c.once(Damage::DateDayMonthSwap, could)
            },
        ),
    ];

    #[test]
    fn each_error_rate_is_within_tolerance_of_its_setting() {
        let district = generate(&SynthConfig::new(40_000, 11));
        let renderer = Renderer { district: &district };
        let people = &district.population.people;
        for role in [Role::Census, Role::Hukou, Role::Insurance, Role::School, Role::Death] {
            let rows = render(&district, role).truth;
            let rates = ErrorRates::standard(role, 1.0);
            for (what, rate, measure) in MEASURES {
                let (mut hits, mut chances) = (0, 0);
                for row in &rows {
                    let person = &people[row.person as usize];
                    let is_child = role == Role::School
                        || (role == Role::Insurance && age_at_reference(person.birth) < 18);
                    let parent_id = is_child
                        && matches!(role, Role::School | Role::Insurance)
                        && renderer.parent(person, None).is_some_and(|p| p.id_number.is_some());
                    let shown_owner = match row.conflict {
                        Some(Conflict::IdOfAnotherPerson(owner)) => &people[owner as usize],
                        _ => person,
                    };
                    let numeric_id =
                        shown_owner.id_number.as_ref().is_some_and(|id| !id.ends_with('X'));
                    let (hit, could) = measure(&Chances { row, person, parent_id, numeric_id });
                    assert!(hit <= could, "{role:?} {what}: taken without a chance: {row:?}");
                    hits += hit;
                    chances += could;
                }
                assert_rate(&format!("{role:?} {what}"), hits, chances, rate(&rates));
            }
        }
    }

    #[test]
    fn identity_conflicts_are_what_they_say() {
        let district = generate(&SynthConfig::new(40_000, 12));
        let people = &district.population.people;
        let mut n_parent = 0;
        for role in [Role::School, Role::Insurance] {
            for row in render(&district, role).truth {
                match row.conflict {
                    Some(Conflict::IdOfAnotherPerson(owner)) => {
                        n_parent += 1;
                        assert!(row.damages.contains(&Damage::IdOfParent));
                        let (child, parent) =
                            (&people[row.person as usize], &people[owner as usize]);
                        assert_eq!(child.household, parent.household);
                        assert!(child.birth.year() >= parent.birth.year() + 15);
                    }
                    Some(Conflict::IdContradictsBirthDate) => {
                        assert!(
                            row.damages.iter().any(|d| matches!(
                                d,
                                Damage::DateDayMonthSwap
                                    | Damage::DateLunar
                                    | Damage::DateNominalAge
                            )),
                            "{row:?}"
                        )
                    }
                    None => assert!(!row.damages.contains(&Damage::IdOfParent)),
                }
            }
        }
        assert!(n_parent > 5, "{n_parent}");
    }
}
