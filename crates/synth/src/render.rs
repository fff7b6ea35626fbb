//! The departmental files: each source's records rendered from their true persons in the
//! department's own format (headers, codes, date forms, addresses, file format and encoding),
//! through the error model, with the truth of every row beside them.

use censuslink_io::{Column, Encoding, Export, Table, Values};
use censuslink_model::{
    CollectionMode, DatePrecision, PartialDate, RecordType, Relation, Role, Sex,
};
use censuslink_standardize::codes::ethnicity_name;

use crate::census::CensusRecord;
use crate::errors::{Damage, Damager, ErrorRates, shown};
use crate::extracts::{Status, school_grade};
use crate::geography::Village;
use crate::population::{
    AwayPlace, Dwelling, EXTRACTION_DAYS, Household, Person, REFERENCE, age_at_reference,
    reference_days,
};
use crate::rng::Rng;
use crate::{District, Layout};

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
    /// The county whose extract holds the row: the census area's, the hukou register's of the
    /// registered dwelling, the hospital's, or that of the place the record was made in.
    pub(crate) county: u32,
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
        Role::Records => unreachable!("a district has no records without a role"),
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

/// The kind of a column's cells.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Integer,
    Date,
}

/// Rows being built, kept as columns.
struct Sheet {
    columns: Vec<Column>,
}

impl Sheet {
    /// A sheet with these headers and kinds of cell, so that even an empty sheet writes each
    /// column with its type.
    fn new(headers: &[(&str, Kind)]) -> Sheet {
        let columns = headers
            .iter()
            .map(|&(header, kind)| Column {
                header: header.to_owned(),
                values: match kind {
                    Kind::Text => Values::Text(Vec::new()),
                    Kind::Integer => Values::Integer(Vec::new()),
                    Kind::Date => Values::Date(Vec::new()),
                },
            })
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
                _ => panic!("a cell of column {} is not of its declared kind", column.header),
            }
        }
    }

    fn into_table(self) -> Table {
        Table { columns: self.columns }
    }
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

    /// The village whose county's hospital a family of `village` gives birth in: its own; in
    /// a province, another county's for [`BIRTHS_IN_ANOTHER_COUNTY`] of them (the city's
    /// larger hospitals), drawn from `rng`, which a district leaves untouched.
    fn hospital(&self, village: &'a Village, rng: &mut Rng) -> &'a Village {
        let villages = &self.district.population.villages;
        if self.district.config.counties.is_none() || !rng.chance(BIRTHS_IN_ANOTHER_COUNTY) {
            return village;
        }
        let mut others: Vec<&Village> = Vec::new();
        for v in villages.iter().filter(|v| v.county_code() != village.county_code()) {
            if others.last().is_none_or(|last| last.county_code() != v.county_code()) {
                others.push(v);
            }
        }
        if others.is_empty() {
            return village;
        }
        others[rng.below(others.len() as u64) as usize]
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

    /// The truth of row `key` (record `index`) of `person`, which shows `birth` at `precision`
    /// after `damages`; `parent` is the parent whose ID the row shows if the damages say so.
    fn truth(
        &self,
        (key, index, county): (String, usize, u32),
        person: &Person,
        parent: Option<&Person>,
        (birth, precision): (Option<PartialDate>, DatePrecision),
        damages: &[Damage],
    ) -> RowTruth {
        // A typo or a spreadsheet leaves an ID no one's: it points at no person.
        let is_readable = !damages.iter().any(|d| {
            matches!(d, Damage::IdSubstitution | Damage::IdTransposition | Damage::IdExcel)
        });
        let shows_parent_id = damages.contains(&Damage::IdOfParent);
        let shows_own_id = person.id_number.is_some()
            && is_readable
            && !shows_parent_id
            && !damages.contains(&Damage::IdMissing);
        let moved = |b: PartialDate| shown(b, precision) != shown(person.birth, precision);
        let conflict = match parent {
            Some(parent) if shows_parent_id && is_readable => {
                Some(Conflict::IdOfAnotherPerson(parent.key))
            }
            _ if shows_own_id && birth.is_some_and(moved) => Some(Conflict::IdContradictsBirthDate),
            _ => None,
        };
        RowTruth { key, index, county, person: person.key, damages: damages.to_vec(), conflict }
    }

    /// The census's records in listing order, each with its listing's number within its
    /// area and its own number within the listing. A listing is one household's form in one
    /// area: the household's own, a neighbour's for a duplicate in two areas, or, at a
    /// household's registered dwelling, a listing of its own. Listings are numbered within
    /// their area in household order, those at registered dwellings after the households
    /// living there; people within their listing in household order, head first and
    /// duplicates last.
    fn listings(&self) -> Vec<(u16, u16, usize)> {
        let census = &self.district.census;
        let mut order: Vec<(u64, bool, u32, bool, usize)> = census
            .records
            .iter()
            .enumerate()
            .map(|(idx, record)| {
                let is_duplicate = record.duplicate.is_some();
                (
                    record.enumeration_area,
                    record.at_registration,
                    record.household,
                    is_duplicate,
                    idx,
                )
            })
            .collect();
        order.sort_unstable();
        let mut listed = Vec::with_capacity(order.len());
        let (mut number, mut seq) = (0u16, 0u16);
        let mut last: Option<(u64, bool, u32)> = None;
        for (area, at_registration, household, _, idx) in order {
            let listing = (area, at_registration, household);
            (number, seq) = match last {
                Some(last) if last == listing => (number, seq + 1),
                Some((last_area, ..)) if last_area == area => (number + 1, 1),
                _ => (1, 1),
            };
            last = Some(listing);
            listed.push((number, seq, idx));
        }
        listed
    }

    /// Census person records (GBK CSV), by the layout of the district.
    fn census(&self) -> Extract {
        match self.district.config.layout {
            Layout::Census2020 => self.census_2020(),
            Layout::Classic => self.census_classic(),
        }
    }

    /// The census as the 7th census's short form records it (GBK CSV): a row per listed
    /// person keyed by census area (普查区, the 12-digit village code), enumeration area number
    /// (普查小区, unique within its census area), household number (unique within its
    /// enumeration area) and person number; the person category (现住 or 户口在本户外出); where
    /// the person lives (D7) and where the hukou is (D8) as categories, with a county code only
    /// for another county; birth year and month in two columns.
    fn census_2020(&self) -> Extract {
        let census = &self.district.census;
        let (mut rng, rates) = self.error_model(Role::Census, 10);
        let mut damager = Damager::new(&mut rng, &rates);
        let mut sheet = Sheet::new(&[
            ("普查区代码", Kind::Text),
            ("普查小区编号", Kind::Text),
            ("户编号", Kind::Text),
            ("户别", Kind::Text),
            ("人员序号", Kind::Text),
            ("姓名", Kind::Text),
            ("与户主关系", Kind::Text),
            ("身份证件类别", Kind::Text),
            ("公民身份号码", Kind::Text),
            ("性别", Kind::Text),
            ("出生年", Kind::Text),
            ("出生月", Kind::Text),
            ("民族", Kind::Text),
            ("人员类别", Kind::Text),
            ("现住地类别", Kind::Text),
            ("现住地代码", Kind::Text),
            ("户口登记地类别", Kind::Text),
            ("户口登记地代码", Kind::Text),
            ("填报方式", Kind::Text),
        ]);
        let mut truth = Vec::with_capacity(census.records.len());
        for (number, seq, idx) in self.listings() {
            let record = &census.records[idx];
            let person = self.person(record.person);
            let listing = &self.district.population.households[record.household as usize];
            let (village, area) =
                (record.enumeration_area / 1_000, record.enumeration_area % 1_000);
            let key = format!("{village:012}-{area:03}-{number:03}-{seq:02}");
            damager.next_record();
            let name = damager.name_of(&person.name, person.former_name.as_deref());
            let name = damager.name(name, None);
            let id = damager.id(person.id_number.as_deref(), None, false);
            let birth = damager.birth_date(person.birth, DatePrecision::Month);
            let (residence_kind, residence_code) = self.residence_category(record, person);
            let (hukou_kind, hukou_code) = hukou_category(village, person);
            sheet.push(vec![
                text(format!("{village:012}")),
                text(format!("{area:03}")),
                text(format!("{number:03}")),
                text(if listing.is_collective { "集体户" } else { "家庭户" }),
                text(format!("{seq:02}")),
                opt(name),
                // A collective household has no head: the item is left blank.
                opt((!listing.is_collective).then(|| record.relation.census_code().to_string())),
                opt(id.is_some().then(|| "居民身份证".to_owned())),
                opt(id),
                text(if person.sex == Sex::Male { "1" } else { "2" }),
                opt(birth.map(|b| b.year().to_string())),
                opt(birth.map(|b| b.month().unwrap_or(1).to_string())),
                text(format!("{:02}", person.ethnicity.code())),
                text(match record.record_type {
                    RecordType::Resident => "现住",
                    RecordType::RegisteredAway => "户口在本户外出",
                }),
                text(residence_kind.to_string()),
                opt(residence_code.map(|code| code.to_string())),
                text(hukou_kind.to_string()),
                opt(hukou_code.map(|code| code.to_string())),
                text(mode_word(record.mode)),
            ]);
            let shown = (birth, DatePrecision::Month);
            let at = (key, idx, county_of(record.enumeration_area));
            truth.push(self.truth(at, person, None, shown, &damager.done));
        }
        Extract {
            name: "census",
            role: Role::Census,
            file: "census.csv",
            export: Export::Csv { encoding: Encoding::Gbk, bom: false, guard_formulas: false },
            table: sheet.into_table(),
            truth,
        }
    }

    /// Where a listed person lives (D7): 1 in this enumeration area (a usual resident here), 2
    /// another area of the village, 3 another village of the township, 4 another township of
    /// the county, 5 another county (with its code), 6 Hong Kong, Macao, Taiwan or abroad.
    fn residence_category(&self, record: &CensusRecord, person: &Person) -> (u8, Option<u32>) {
        if record.record_type == RecordType::Resident {
            return (1, None);
        }
        let lives_at = match person.away_in {
            Some(AwayPlace::Abroad) => return (6, None),
            Some(AwayPlace::County(code)) => return (5, Some(code)),
            // A household living in another village of the district.
            None => self.household(person).enumeration_area,
        };
        let (here, there) = (record.enumeration_area, lives_at);
        match () {
            _ if here / 1_000 == there / 1_000 => (2, None),
            _ if here / 1_000_000 == there / 1_000_000 => (3, None),
            _ if here / 1_000_000_000 == there / 1_000_000_000 => (4, None),
            _ => (5, Some((there / 1_000_000_000) as u32)),
        }
    }

    /// Census person records in the product's first layout (GBK CSV): listed by enumeration
    /// area and household, whole region codes, birth year and month in one column, sex and
    /// ethnicity as codes.
    fn census_classic(&self) -> Extract {
        let census = &self.district.census;
        let (mut rng, rates) = self.error_model(Role::Census, 10);
        let mut damager = Damager::new(&mut rng, &rates);
        let mut sheet = Sheet::new(&[
            ("人员编号", Kind::Text),
            ("普查小区", Kind::Text),
            ("户编号", Kind::Text),
            ("与户主关系", Kind::Text),
            ("姓名", Kind::Text),
            ("公民身份号码", Kind::Text),
            ("性别", Kind::Text),
            ("出生年月", Kind::Text),
            ("民族", Kind::Text),
            ("户口登记地", Kind::Text),
            ("现住地代码", Kind::Text),
            ("登记类型", Kind::Text),
            ("填报方式", Kind::Text),
        ]);
        let mut truth = Vec::with_capacity(census.records.len());
        for (number, seq, idx) in self.listings() {
            let record = &census.records[idx];
            let person = self.person(record.person);
            let area = record.enumeration_area;
            let key = format!("{area:015}{number:03}{seq:02}");
            damager.next_record();
            let name = damager.name_of(&person.name, person.former_name.as_deref());
            let name = damager.name(name, None);
            let id = damager.id(person.id_number.as_deref(), None, false);
            let birth = damager.birth_date(person.birth, DatePrecision::Month);
            // Where the record says the person lives: the village of the area listing them.
            let residence = match record.record_type {
                RecordType::Resident => Some((area / 1_000).to_string()),
                RecordType::RegisteredAway => None,
            };
            sheet.push(vec![
                text(key.clone()),
                text(area.to_string()),
                text(format!("{area}-{number:03}")),
                text(record.relation.census_code().to_string()),
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
                text(mode_word(record.mode)),
            ]);
            let shown = (birth, DatePrecision::Month);
            let at = (key, idx, county_of(record.enumeration_area));
            truth.push(self.truth(at, person, None, shown, &damager.done));
        }
        Extract {
            name: "census",
            role: Role::Census,
            file: "census.csv",
            export: Export::Csv { encoding: Encoding::Gbk, bom: false, guard_formulas: false },
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
            ("户籍编号", Kind::Text),
            ("户号", Kind::Text),
            ("姓名", Kind::Text),
            ("曾用名", Kind::Text),
            ("性别", Kind::Text),
            ("民族", Kind::Text),
            ("出生日期", Kind::Text),
            ("公民身份号码", Kind::Text),
            ("与户主关系", Kind::Text),
            ("户籍地代码", Kind::Text),
            ("户籍地址", Kind::Text),
            ("人员状态", Kind::Text),
            ("注销日期", Kind::Text),
        ]);
        let mut truth = Vec::new();
        let register = &self.district.registers.hukou;
        for (serial, (&key, &status)) in register.people.iter().zip(&register.statuses).enumerate()
        {
            let person = self.person(key);
            // The household's registered dwelling: where it lives, or, for a household
            // registered in another village of the district (人户分离), a dwelling there.
            let (village, dwelling) = self.household(person).hukou_dwelling();
            let village = &self.district.population.villages[village];
            damager.next_record();
            let name = damager.name(&person.name, None);
            let id = damager.id(person.id_number.as_deref(), None, false);
            let birth = damager.birth_date(person.birth, DatePrecision::Day);
            let record_key = format!("{}{:09}", village.county_code(), serial + 1);
            let (status, cancelled) = match status {
                Status::DeathCancelled(day) => ("死亡注销", Some(iso(day))),
                Status::MovedOut(day) => ("迁出注销", Some(iso(day))),
                _ => ("正常", None),
            };
            sheet.push(vec![
                text(record_key.clone()),
                text(format!("{}{:03}{:03}", village.code, dwelling.building, dwelling.unit)),
                opt(name),
                opt(person.former_name.clone()),
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
                text(address(village, dwelling, AddressStyle::Full)),
                text(status),
                opt(cancelled),
            ]);
            let shown = (birth, DatePrecision::Day);
            let at = (record_key, serial, village.county_code());
            truth.push(self.truth(at, person, None, shown, &damager.done));
        }
        Extract {
            name: "hukou",
            role: Role::Hukou,
            file: "hukou.csv",
            export: Export::Csv { encoding: Encoding::Utf8, bom: true, guard_formulas: false },
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
            ("出生证编号", Kind::Text),
            ("新生儿姓名", Kind::Text),
            ("性别", Kind::Text),
            ("出生日期", Kind::Date),
            ("母亲姓名", Kind::Text),
            ("母亲身份证号", Kind::Text),
            ("父亲姓名", Kind::Text),
            ("出生地点", Kind::Text),
            ("家庭住址", Kind::Text),
        ]);
        let mut truth = Vec::new();
        let mut hospitals = Rng::new(self.district.config.seed, 16);
        for (serial, &key) in self.district.registers.birth.people.iter().enumerate() {
            let person = self.person(key);
            let household = self.household(person);
            // Where the family lives, or, for a family living elsewhere, the district's first
            // village; the hospital is in its county, or in a province in another one.
            let village = self.village(household);
            let hospital = self.hospital(village, &mut hospitals);
            let mother = self.parent(person, Some(Sex::Female));
            let father = self.parent(person, Some(Sex::Male));
            damager.next_record();
            // A certificate may not name its newborn yet (empty, or a placeholder); without
            // the mother's ID to link on, it names it.
            let unnamed = mother.map(|mother| placeholder(person, mother));
            let name = damager.name(&person.name, unnamed.as_deref());
            // The mother's ID is the row's ID: its damage is the row's.
            let mother_id = mother.and_then(|m| damager.id(m.id_number.as_deref(), None, false));
            let record_key = format!("Q{:03}{:06}", hospital.county_code() % 1000, serial + 1);
            sheet.push(vec![
                text(record_key.clone()),
                opt(name),
                text(if person.sex == Sex::Male { "男" } else { "女" }),
                Cell::Date(Some(person.birth.to_days_since_epoch())),
                opt(mother.map(|m| m.name.clone())),
                opt(mother_id),
                opt(father.map(|f| f.name.clone())),
                text(format!("{}妇幼保健院", hospital.county)),
                text(match household.outside {
                    Some(county) => outside_address(county, household.key),
                    None => address(village, household.dwelling, AddressStyle::Short),
                }),
            ]);
            truth.push(RowTruth {
                key: record_key,
                index: serial,
                county: hospital.county_code(),
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
            ("死亡证编号", Kind::Text),
            ("姓名", Kind::Text),
            ("身份证号", Kind::Text),
            ("性别", Kind::Integer),
            ("出生日期", Kind::Date),
            ("死亡日期", Kind::Date),
            ("户籍地代码", Kind::Integer),
        ]);
        let mut truth = Vec::new();
        for (serial, &key) in self.district.registers.death.people.iter().enumerate() {
            let person = self.person(key);
            // Numbered by the county the death happened in, where the person lived; the
            // certificate records the hukou place, which may be another village.
            let village = self.village(self.household(person));
            // An infant of an in-migrant family may die: its hukou is its county.
            let hukou_place = person.hukou_village.unwrap_or(u64::from(person.hukou_county));
            damager.next_record();
            let name = damager.name(&person.name, None);
            let is_elderly = person.birth.year() < 1950;
            let id = damager.id(person.id_number.as_deref(), None, is_elderly);
            let birth = damager.birth_date(person.birth, DatePrecision::Day);
            let record_key = format!("S{}{:06}", village.county_code(), serial + 1);
            sheet.push(vec![
                text(record_key.clone()),
                opt(name),
                opt(id),
                Cell::Integer(Some(if person.sex == Sex::Male { 1 } else { 2 })),
                Cell::Date(birth.map(PartialDate::to_days_since_epoch)),
                Cell::Date(person.death.map(PartialDate::to_days_since_epoch)),
                Cell::Integer(Some(hukou_place as i64)),
            ]);
            let shown = (birth, DatePrecision::Day);
            let at = (record_key, serial, village.county_code());
            truth.push(self.truth(at, person, None, shown, &damager.done));
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
            ("学生编号", Kind::Text),
            ("全国学籍号", Kind::Text),
            ("姓名", Kind::Text),
            ("性别", Kind::Text),
            ("出生年", Kind::Integer),
            ("出生月", Kind::Integer),
            ("学校名称", Kind::Text),
            ("年级", Kind::Text),
            ("家庭住址", Kind::Text),
            ("学籍状态", Kind::Text),
        ]);
        let mut truth = Vec::new();
        let register = &self.district.registers.school;
        for (serial, (&key, &status)) in register.people.iter().zip(&register.statuses).enumerate()
        {
            let person = self.person(key);
            let household = self.household(person);
            let village = self.village(household);
            let parent = self.parent(person, None);
            damager.next_record();
            let name = damager.name(&person.name, None);
            let parent_id = parent.and_then(|p| p.id_number.as_deref());
            let id = damager.id(person.id_number.as_deref(), parent_id, false);
            let birth = damager.birth_date(person.birth, DatePrecision::Month);
            let grade = school_grade(person.birth).expect("the register holds school cohorts");
            let (school, grade) = school_and_grade(village, grade);
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
                text(address(village, household.dwelling, AddressStyle::Short)),
                text(if status == Status::TransferredOut { "转出" } else { "在籍" }),
            ]);
            let shown = (birth, DatePrecision::Month);
            let at = (record_key, serial, village.county_code());
            truth.push(self.truth(at, person, parent, shown, &damager.done));
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
            ("参保人编号", Kind::Text),
            ("姓名", Kind::Text),
            ("证件号码", Kind::Text),
            ("性别", Kind::Text),
            ("出生日期", Kind::Text),
            ("参保地代码", Kind::Text),
            ("参保状态", Kind::Text),
            ("联系地址", Kind::Text),
        ]);
        let mut truth = Vec::new();
        let missing = || "无".to_owned();
        let register = &self.district.registers.insurance;
        for (serial, (&key, &status)) in register.people.iter().zip(&register.statuses).enumerate()
        {
            let person = self.person(key);
            let household = self.household(person);
            let village = self.village(household);
            let parent = self.parent(person, None);
            damager.next_record();
            let name = damager.name_of(&person.name, person.former_name.as_deref());
            let name = damager.name(name, None);
            let is_child = age_at_reference(person.birth) < 18;
            let parent_id = parent.and_then(|p| p.id_number.as_deref()).filter(|_| is_child);
            let is_elderly = person.birth.year() < 1950;
            let id = damager.id(person.id_number.as_deref(), parent_id, is_elderly);
            let birth = damager.birth_date(person.birth, DatePrecision::Day);
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
                text(match status {
                    Status::Suspended => "暂停缴费",
                    Status::Ended => "终止参保",
                    _ => "参保缴费",
                }),
                text(address(village, household.dwelling, AddressStyle::Short)),
            ]);
            let shown = (birth, DatePrecision::Day);
            let at = (record_key, serial, village.county_code());
            truth.push(self.truth(at, person, parent, shown, &damager.done));
        }
        Extract {
            name: "insurance",
            role: Role::Insurance,
            file: "insurance.csv",
            export: Export::Csv { encoding: Encoding::Gb18030, bom: false, guard_formulas: false },
            table: sheet.into_table(),
            truth,
        }
    }
}

/// Births in a province at a hospital of another county than the family's.
const BIRTHS_IN_ANOTHER_COUNTY: f64 = 0.15;

/// The 6-digit county of a 15-digit enumeration area.
fn county_of(enumeration_area: u64) -> u32 {
    (enumeration_area / 1_000_000_000) as u32
}

/// The region code of a person's hukou place: the village for the district's own, the county
/// for in-migrants.
fn hukou_region(person: &Person) -> String {
    match person.hukou_village {
        Some(village) => village.to_string(),
        None => person.hukou_county.to_string(),
    }
}

/// Where a person listed in `village` has the hukou (D8): 1 in this village, 2 another
/// village of the township, 3 another township of the county, 4 another county (with its
/// code), 5 pending (户口待定: an infant not registered yet).
fn hukou_category(village: u64, person: &Person) -> (u8, Option<u32>) {
    if person.id_number.is_none() {
        return (5, None);
    }
    match person.hukou_village {
        Some(hukou) if hukou == village => (1, None),
        Some(hukou) if hukou / 1_000 == village / 1_000 => (2, None),
        Some(hukou) if hukou / 1_000_000 == village / 1_000_000 => (3, None),
        _ => (4, Some(person.hukou_county)),
    }
}

/// How a census form was filled in.
fn mode_word(mode: CollectionMode) -> &'static str {
    match mode {
        CollectionMode::SelfReport => "自主填报",
        CollectionMode::Enumerator => "普查员",
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

/// The address of a family living outside the district, in `county`: its province and
/// county, a village group and house number drawn from `seed`.
fn outside_address(county: u32, seed: u32) -> String {
    let place = crate::geography::origin_counties()
        .iter()
        .find(|origin| origin.code == county)
        .map_or_else(String::new, |origin| format!("{}{}", origin.province, origin.county));
    format!("{place}城关镇{}组{}号", seed % 12 + 1, seed % 40 + 1)
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

/// What a birth certificate shows before the child is named: `王芳之子` after the mother, or
/// `男婴` when her name is a minority name with a dot.
fn placeholder(child: &Person, mother: &Person) -> String {
    let (word, infant) =
        if child.sex == Sex::Male { ("之子", "男婴") } else { ("之女", "女婴") };
    if mother.name.contains(crate::names::MIDDLE_DOT) {
        infant.to_owned()
    } else {
        format!("{}{word}", mother.name)
    }
}

#[derive(Clone, Copy)]
enum AddressStyle {
    /// As the police write it: province, prefecture, county, township, community, dwelling.
    Full,
    /// As the other departments write it: county on, a flat as `3-502`.
    Short,
}

/// The address of a dwelling in `village`: a flat as `3幢502室` (`3-502` in the short style), a
/// rural house as `3组17号` in either.
fn address(village: &Village, dwelling: Dwelling, style: AddressStyle) -> String {
    let place = format!("{}{}{}", village.county, village.township, community(village.name));
    let Dwelling { building, unit } = dwelling;
    let dwelling = match (style, village.is_rural) {
        (_, true) => format!("{building}组{unit}号"),
        (AddressStyle::Full, false) => format!("{building}幢{unit}室"),
        (AddressStyle::Short, false) => format!("{building}-{unit}"),
    };
    match style {
        AddressStyle::Full => format!("江苏省南京市{place}{dwelling}"),
        AddressStyle::Short => format!("{place}{dwelling}"),
    }
}

/// The place a village-level committee's name stands for, as addresses write it: a residents'
/// committee (居民委员会, 居委会) is its community (`东山社区居委会` → `东山社区`), a villagers'
/// committee (村民委员会, 村委会) its village (`周里村委会` and `周里村村委会` → `周里村`, but
/// `长城社区村委会` → `长城社区`).
fn community(name: &str) -> String {
    const RESIDENTS: [&str; 3] = ["居民委员会", "居委会", "居委"];
    const VILLAGERS: [&str; 2] = ["村民委员会", "村委会"];
    if let Some(stem) = RESIDENTS.iter().find_map(|suffix| name.strip_suffix(suffix)) {
        return stem.to_owned();
    }
    match VILLAGERS.iter().find_map(|suffix| name.strip_suffix(suffix)) {
        Some(stem) if stem.ends_with('村') || stem.ends_with("社区") => stem.to_owned(),
        Some(stem) => format!("{stem}村"),
        None => name.to_owned(),
    }
}

/// The school a child in `grade` (1-12) in `village` goes to, and the grade as schools write
/// it: `3年级`, `初2`, `高1`.
fn school_and_grade(village: &Village, grade: u8) -> (String, String) {
    let town = village.township.trim_end_matches("街道").trim_end_matches('镇');
    let (kind, grade) = match grade {
        ..=6 => ("小学", format!("{grade}年级")),
        7..=9 => ("初级中学", format!("初{}", grade - 6)),
        _ => ("高级中学", format!("高{}", grade - 9)),
    };
    (format!("南京市{town}{kind}"), grade)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use censuslink_io::Values;
    use censuslink_model::{DatePrecision, RecordType, Role, Sex};

    use crate::census::DuplicateKind;
    use crate::errors::{Damage, ErrorRates};
    use crate::geography::Village;
    use crate::population::{Dwelling, Person, age_at_reference};
    use crate::render::{
        AddressStyle, Conflict, Extract, Kind, Renderer, RowTruth, Sheet, address, community,
        render, school_and_grade,
    };
    use crate::{Layout, SynthConfig, generate};

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
        /// Whether the row's ID (the person's own; on a birth certificate, the mother's) exists.
        has_id: bool,
        /// A parent's ID the row could have shown instead of the person's.
        parent_id: bool,
        /// The ID the row shows before a spreadsheet's damage (the person's or a parent's):
        /// all digits, and not ending in `000` already (which the `…000` form leaves as is).
        spreadsheet_changes_id: bool,
        /// Whether the row may not name its person yet (a certificate with the mother's ID).
        may_be_unnamed: bool,
        /// The precision the source shows birth dates at.
        precision: DatePrecision,
    }

    impl Chances<'_> {
        fn has(&self, damage: Damage) -> bool {
            self.row.damages.contains(&damage)
        }

        fn once(&self, damage: Damage, could: bool) -> (usize, usize) {
            (usize::from(self.has(damage)), usize::from(could))
        }

        /// As [`Chances::once`], but counting only rows where `could` holds: for a damage
        /// not done where it would not change the value shown, among the rows where it always
        /// would.
        fn only_where(&self, damage: Damage, could: bool) -> (usize, usize) {
            (usize::from(could && self.has(damage)), usize::from(could))
        }

        fn named(&self) -> bool {
            !self.has(Damage::NameMissing) && !self.has(Damage::NamePlaceholder)
        }

        fn id_shown(&self) -> bool {
            self.has_id && !self.has(Damage::IdMissing)
        }

        fn date_shown(&self) -> bool {
            !self.has(Damage::DateMissing) && !self.has(Damage::DateNominalAge)
        }
    }

    /// Each rate and its measure.
    const MEASURES: [(&str, Rate, Measure); 15] = [
        ("name missing", |r| r.name_missing, |c| c.once(Damage::NameMissing, c.may_be_unnamed)),
        (
            "name placeholder",
            |r| r.name_placeholder,
            |c| c.once(Damage::NamePlaceholder, c.may_be_unnamed),
        ),
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
                (usize::from(hit), usize::from(c.id_shown() && !c.has(Damage::IdFifteen)))
            },
        ),
        ("id missing", |r| r.id_missing, |c| c.once(Damage::IdMissing, c.has_id)),
        (
            "parent's id",
            |r| r.id_parent,
            |c| c.once(Damage::IdOfParent, c.id_shown() && c.parent_id),
        ),
        (
            "excel",
            |r| r.id_excel,
            |c| {
                let could = c.id_shown() && c.spreadsheet_changes_id && !c.has(Damage::IdFifteen);
                c.only_where(Damage::IdExcel, could)
            },
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
        (
            "lunar",
            |r| r.date_lunar,
            |c| {
                // 21 to 50 days early always moves the month of a date on the 21st or before.
                let always_moves = c.precision == DatePrecision::Day
                    || c.person.birth.day().is_some_and(|day| day <= 21);
                c.only_where(Damage::DateLunar, c.date_shown() && always_moves)
            },
        ),
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
        for role in Role::ALL {
            let rows = render(&district, role).truth;
            let rates = ErrorRates::standard(role, 1.0);
            let precision = match role {
                Role::Census | Role::School => DatePrecision::Month,
                _ => DatePrecision::Day,
            };
            for (what, rate, measure) in MEASURES {
                let (mut hits, mut chances) = (0, 0);
                for row in &rows {
                    let person = &people[row.person as usize];
                    // A birth certificate's ID is the mother's.
                    let mother = renderer.parent(person, Some(Sex::Female));
                    let own = if role == Role::Birth { mother } else { Some(person) };
                    let has_id = own.is_some_and(|p| p.id_number.is_some());
                    let may_be_unnamed = role == Role::Birth && mother.is_some();
                    let is_child = role == Role::School
                        || (role == Role::Insurance && age_at_reference(person.birth) < 18);
                    let parent_id = is_child
                        && matches!(role, Role::School | Role::Insurance)
                        && renderer.parent(person, None).is_some_and(|p| p.id_number.is_some());
                    let shown_owner = if row.damages.contains(&Damage::IdOfParent) {
                        renderer.parent(person, None).expect("the parent whose ID is shown")
                    } else {
                        person
                    };
                    let spreadsheet_changes_id = shown_owner
                        .id_number
                        .as_ref()
                        .is_some_and(|id| !id.ends_with('X') && !id.ends_with("000"));
                    let facts = Chances {
                        row,
                        person,
                        has_id,
                        parent_id,
                        spreadsheet_changes_id,
                        may_be_unnamed,
                        precision,
                    };
                    let (hit, could) = measure(&facts);
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
                    // A parent's ID mistyped or through a spreadsheet is no one's.
                    None => assert!(
                        !row.damages.contains(&Damage::IdOfParent)
                            || row.damages.iter().any(|d| matches!(
                                d,
                                Damage::IdSubstitution | Damage::IdTransposition | Damage::IdExcel
                            )),
                        "{row:?}"
                    ),
                }
            }
        }
        assert!(n_parent > 5, "{n_parent}");
    }

    #[test]
    fn an_empty_sheet_keeps_its_column_types() {
        let sheet =
            Sheet::new(&[("出生日期", Kind::Date), ("性别", Kind::Integer), ("姓名", Kind::Text)]);
        let kinds: Vec<_> = sheet
            .into_table()
            .columns
            .iter()
            .map(|column| match &column.values {
                Values::Date(values) if values.is_empty() => "date",
                Values::Integer(values) if values.is_empty() => "integer",
                Values::Text(values) if values.is_empty() => "text",
                _ => "not empty",
            })
            .collect();
        assert_eq!(kinds, ["date", "integer", "text"]);
    }

    #[test]
    fn scale_zero_writes_clean_files() {
        let district = generate(&SynthConfig { error_scale: 0.0, ..SynthConfig::new(3_000, 14) });
        for role in Role::ALL {
            let extract = render(&district, role);
            assert!(!extract.truth.is_empty(), "{role:?}");
            for row in extract.truth {
                assert!(row.damages.is_empty() && row.conflict.is_none(), "{role:?}: {row:?}");
            }
        }
    }

    /// The text cells of column `header`.
    fn column<'a>(extract: &'a Extract, header: &str) -> &'a [Option<String>] {
        let column = extract.table.columns.iter().find(|c| c.header == header).expect(header);
        match &column.values {
            Values::Text(values) => values,
            _ => panic!("{header} is not text"),
        }
    }

    #[test]
    fn census_listings_and_hukou_addresses_are_where_they_belong() {
        let config = SynthConfig { layout: Layout::Classic, ..SynthConfig::new(20_000, 13) };
        let district = generate(&config);
        let population = &district.population;
        let census = render(&district, Role::Census);
        let relations = column(&census, "与户主关系");
        let residences = column(&census, "现住地代码");
        let modes = column(&census, "填报方式");
        // Rows by listing (area and household number), in row order, which is key order.
        let mut listings: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (row, truth) in census.truth.iter().enumerate() {
            assert_eq!(
                &truth.key[18..],
                format!("{:02}", listings.get(&truth.key[..18]).map_or(0, Vec::len) + 1)
            );
            listings.entry(&truth.key[..18]).or_default().push(row);
        }
        let mut n_hukou_listings = 0;
        for rows in listings.values() {
            let records: Vec<_> =
                rows.iter().map(|&row| &district.census.records[census.truth[row].index]).collect();
            // Head first, duplicates last.
            let first_duplicate = records.iter().position(|r| r.duplicate.is_some());
            if let Some(first) = first_duplicate {
                assert!(records[first..].iter().all(|r| r.duplicate.is_some()), "{records:?}");
            }
            if records[0].duplicate.is_none() {
                let household = &population.households[records[0].household as usize];
                let head = household.members[0];
                let is_head_listed =
                    records.iter().any(|r| r.person == head && r.duplicate.is_none());
                assert_eq!(records[0].person == head, is_head_listed, "{records:?}");
            }
            if records[0].duplicate == Some(DuplicateKind::HukouAndResidence) {
                n_hukou_listings += 1;
                assert_eq!(relations[rows[0]].as_deref(), Some("0"));
            }
            // One form, one mode, but for a form entered a second time.
            let mode = &modes[rows[0]];
            for (&row, record) in rows.iter().zip(&records) {
                let is_second_entry =
                    record.duplicate == Some(DuplicateKind::SelfReportAndEnumerator);
                if is_second_entry {
                    assert_ne!(&modes[row], mode);
                } else {
                    assert_eq!(&modes[row], mode);
                }
                if record.record_type == RecordType::Resident {
                    let village = (record.enumeration_area / 1_000).to_string();
                    assert_eq!(residences[row].as_deref(), Some(village.as_str()));
                }
            }
        }
        assert!(n_hukou_listings > 3, "{n_hukou_listings}");

        // The hukou register shows the registered dwelling, in the hukou village.
        let hukou = render(&district, Role::Hukou);
        let codes = column(&hukou, "户籍地代码");
        let households = column(&hukou, "户号");
        let addresses = column(&hukou, "户籍地址");
        let mut n_separated = 0;
        for (row, truth) in hukou.truth.iter().enumerate() {
            let person = &population.people[truth.person as usize];
            let code = person.hukou_village.expect("locals only").to_string();
            assert_eq!(codes[row].as_deref(), Some(code.as_str()));
            assert!(households[row].as_deref().is_some_and(|h| h.starts_with(&code)));
            assert!(truth.key.starts_with(&code[..6]), "numbered by the hukou county");
            let household = &population.households[person.household as usize];
            let (village, dwelling) = household.hukou_dwelling();
            let village = &population.villages[village];
            assert_eq!(village.code.to_string(), code);
            let expected = address(village, dwelling, AddressStyle::Full);
            assert_eq!(addresses[row].as_deref(), Some(expected.as_str()));
            n_separated += usize::from(household.registered_elsewhere.is_some());
        }
        assert!(n_separated > 100, "{n_separated}");
    }

    #[test]
    fn the_2020_layout_records_what_the_short_form_asks() {
        let district = generate(&SynthConfig::new(20_000, 13));
        let population = &district.population;
        let census = render(&district, Role::Census);
        let headers: Vec<&str> = census.table.columns.iter().map(|c| c.header.as_str()).collect();
        assert_eq!(
            headers,
            [
                "普查区代码",
                "普查小区编号",
                "户编号",
                "户别",
                "人员序号",
                "姓名",
                "与户主关系",
                "身份证件类别",
                "公民身份号码",
                "性别",
                "出生年",
                "出生月",
                "民族",
                "人员类别",
                "现住地类别",
                "现住地代码",
                "户口登记地类别",
                "户口登记地代码",
                "填报方式",
            ]
        );
        let cell = |header: &str, row: usize| column(&census, header)[row].as_deref();
        let (mut n_local, mut n_migrant, mut n_away, mut n_collective) = (0, 0, 0, 0);
        let mut households_in_area: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
        for (row, truth) in census.truth.iter().enumerate() {
            let record = &district.census.records[truth.index];
            let person = &population.people[truth.person as usize];
            let village = cell("普查区代码", row).expect("a census area");
            let area = cell("普查小区编号", row).expect("an area number");
            let household = cell("户编号", row).expect("a household number");
            assert_eq!(format!("{village}{area}"), record.enumeration_area.to_string());
            assert!(village.len() == 12 && area.len() == 3 && household.len() == 3);
            let key = format!(
                "{village}-{area}-{household}-{}",
                cell("人员序号", row).expect("a number")
            );
            assert_eq!(truth.key, key);
            households_in_area.entry((village, area)).or_default().push(household);
            assert!(
                matches!(cell("出生年", row), Some(y) if y.len() == 4)
                    || cell("出生年", row).is_none()
            );
            let is_collective = cell("户别", row) == Some("集体户");
            assert_eq!(
                is_collective,
                population.households[record.household as usize].is_collective
            );
            if is_collective {
                n_collective += 1;
                assert_eq!(cell("与户主关系", row), None, "no head in collective quarters");
            }
            assert_eq!(cell("身份证件类别", row).is_some(), cell("公民身份号码", row).is_some());
            let (hukou_kind, hukou_code) =
                (cell("户口登记地类别", row), cell("户口登记地代码", row));
            match record.record_type {
                RecordType::Resident => {
                    assert_eq!(cell("人员类别", row), Some("现住"));
                    assert_eq!(
                        (cell("现住地类别", row), cell("现住地代码", row)),
                        (Some("1"), None)
                    );
                }
                RecordType::RegisteredAway => {
                    n_away += 1;
                    assert_eq!(cell("人员类别", row), Some("户口在本户外出"));
                    assert_eq!(hukou_kind, Some("1"), "listed at the hukou dwelling");
                    let lives = cell("现住地类别", row).expect("a category");
                    assert!(["2", "3", "4", "5", "6"].contains(&lives));
                    assert_eq!(cell("现住地代码", row).is_some(), lives == "5");
                }
            }
            match (person.hukou_village, &person.id_number) {
                // 户口待定: an infant not registered yet.
                (_, None) => assert_eq!((hukou_kind, hukou_code), (Some("5"), None)),
                // A local's hukou is in the district: no code unless another county.
                (Some(hukou), Some(_)) => {
                    let county = (hukou / 1_000_000).to_string();
                    let same_county = hukou / 1_000_000 == record.enumeration_area / 1_000_000_000;
                    if same_county {
                        n_local += 1;
                        assert!(["1", "2", "3"].contains(&hukou_kind.expect("a category")));
                        assert_eq!(hukou_code, None, "a local's hukou code is blank");
                    } else {
                        assert_eq!((hukou_kind, hukou_code), (Some("4"), Some(county.as_str())));
                    }
                }
                // An in-migrant's is another county's.
                (None, Some(_)) => {
                    n_migrant += 1;
                    let county = person.hukou_county.to_string();
                    assert_eq!((hukou_kind, hukou_code), (Some("4"), Some(county.as_str())));
                    assert_ne!(&county[..4], "3201", "outside the prefecture");
                }
            }
        }
        assert!(n_local > 5_000 && n_migrant > 2_000 && n_away > 100 && n_collective > 500);
        // Household numbers repeat across areas, never within one area's listings.
        let repeated = households_in_area.values().flatten().filter(|&&h| h == "001").count();
        assert!(repeated > 10, "each area starts at 001");
    }

    #[test]
    fn addresses_name_the_place_and_the_dwelling() {
        for (name, place) in [
            ("东山社区居委会", "东山社区"),
            ("徐庄社区居民委员会", "徐庄社区"),
            ("霞辉庙社区居委", "霞辉庙社区"),
            ("汤泉农场居委会", "汤泉农场"),
            ("周里村委会", "周里村"),
            ("桥林村村委会", "桥林村"),
            ("彭福村村民委员会", "彭福村"),
            ("长城社区村委会", "长城社区"),
            ("百子亭社区", "百子亭社区"),
        ] {
            assert_eq!(community(name), place, "{name}");
        }
        let village = |name, is_rural| Village {
            code: 320115001001,
            name,
            township: "东山街道",
            county: "江宁区",
            is_rural,
        };
        let (urban, rural) = (village("东山社区居委会", false), village("周里村委会", true));
        let flat = Dwelling { building: 3, unit: 502 };
        let house = Dwelling { building: 1, unit: 17 };
        for (village, dwelling, style, expected) in [
            (&urban, flat, AddressStyle::Full, "江苏省南京市江宁区东山街道东山社区3幢502室"),
            (&urban, flat, AddressStyle::Short, "江宁区东山街道东山社区3-502"),
            (&rural, house, AddressStyle::Full, "江苏省南京市江宁区东山街道周里村1组17号"),
            (&rural, house, AddressStyle::Short, "江宁区东山街道周里村1组17号"),
        ] {
            assert_eq!(address(village, dwelling, style), expected);
        }
        let grades: Vec<_> =
            [1, 6, 7, 9, 10, 12].into_iter().map(|g| school_and_grade(&urban, g)).collect();
        let expected = [
            ("南京市东山小学", "1年级"),
            ("南京市东山小学", "6年级"),
            ("南京市东山初级中学", "初1"),
            ("南京市东山初级中学", "初3"),
            ("南京市东山高级中学", "高1"),
            ("南京市东山高级中学", "高3"),
        ];
        for ((school, grade), (expected_school, expected_grade)) in grades.iter().zip(expected) {
            assert_eq!((school.as_str(), grade.as_str()), (expected_school, expected_grade));
        }
    }
}
