//! The true population: households with consistent ages, sexes and relations, their places of
//! residence and hukou, valid ID numbers, migration, births and deaths.

use std::collections::{HashMap, HashSet};

use censuslink_model::{Ethnicity, PartialDate, Relation, Sex};
use censuslink_standardize::name::NameOutcome;

use crate::geography::{self, OriginCounty, Village};
use crate::names;
use crate::rng::Rng;

/// The census reference moment: 00:00 at the start of this day.
pub(crate) const REFERENCE: (u16, u8, u8) = (2020, 11, 1);

/// Days from the reference moment to the extraction of the registers (2020-12-16): the
/// registers hold the births and deaths of those days too, which the census must not count.
pub(crate) const EXTRACTION_DAYS: i32 = 45;

/// Households per enumeration area, at most (the 6th census's sizing aims at about 80).
const MAX_EA_HOUSEHOLDS: usize = 100;
/// Households per village-level unit the district is built with.
const HOUSEHOLDS_PER_VILLAGE: usize = 300;
/// Births per usual resident and year: 8.5 per thousand in 2020 (DOMAIN §4's bulletin figures
/// give 12.0 M births in 1.41 bn).
const BIRTH_RATE: f64 = 0.0085;

/// The population model's rates. Shares are of usual residents unless said otherwise.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PopulationRates {
    /// Households whose hukou is outside the prefecture (in-migrants): 20-30 % per the issue.
    pub(crate) in_migrant_households: f64,
    /// Local households whose hukou village is drawn at random among the district's (人户分离
    /// within it when the draw is another village than the one they live in).
    pub(crate) separated_households: f64,
    /// Adults 18-45 of local households who live outside the district (registered away).
    pub(crate) away_young_adults: f64,
    /// Deaths in the year before the reference moment, as a share of usual residents.
    pub(crate) annual_deaths: f64,
    /// Infants without an ID number yet, among those born in the last 3 months.
    pub(crate) recent_births_without_id: f64,
    /// Births between the reference moment and the registers' extraction, as a share of usual
    /// residents: 45 days at the 2020 birth rate of 8.5 per thousand.
    pub(crate) births_after: f64,
    /// Deaths of usual residents between the reference moment and the extraction: 45 days at
    /// the annual rate.
    pub(crate) deaths_after: f64,
    /// Local family households living wholly outside the county (人户分离 out of it): their
    /// registered dwelling stands empty.
    pub(crate) away_households: f64,
    /// Usual residents living in collective quarters (集体户: dormitories, work sites), all
    /// in-migrants here: 8.4 % of the 2020 population lived in collective households (DOMAIN
    /// §4: 118,969,424 of 1,411,778,724).
    pub(crate) collective_residents: f64,
    /// Individuals living away whose hukou moved out of the district between a year before
    /// the moment and the extraction: cancelled `迁出注销`.
    pub(crate) moved_out: f64,
    /// People dead for years (died 2001 to 2019) and never cancelled in the hukou register
    /// (应销未销), as a share of usual residents.
    pub(crate) long_dead: f64,
    /// People aged 16 or more with a former name (曾用名) on the hukou register.
    pub(crate) former_name: f64,
    /// Children born with a twin.
    pub(crate) twins: f64,
    /// Families whose children share a generation character (字辈) in their given names.
    pub(crate) generation_character: f64,
    /// Births at the district's hospitals to mothers living outside it, per birth to a
    /// resident mother.
    pub(crate) births_elsewhere: f64,
    /// Infants born in the year before the moment who died before it, per birth: the infant
    /// mortality rate, 5.4 per thousand in 2020.
    pub(crate) infant_deaths: f64,
}

impl PopulationRates {
    /// The rates the generator is documented with (docs/synthetic-data.md).
    pub(crate) fn standard() -> PopulationRates {
        PopulationRates {
            in_migrant_households: 0.25,
            separated_households: 0.12,
            away_young_adults: 0.10,
            annual_deaths: 0.007,
            recent_births_without_id: 0.6,
            births_after: BIRTH_RATE * EXTRACTION_DAYS as f64 / 365.0,
            deaths_after: 0.007 * EXTRACTION_DAYS as f64 / 365.0,
            away_households: 0.06,
            collective_residents: 0.08,
            moved_out: 0.2,
            long_dead: 0.003,
            former_name: 0.04,
            twins: 0.012,
            generation_character: 0.3,
            births_elsewhere: 0.15,
            infant_deaths: 0.0054,
        }
    }
}

/// Where a person is on the night before the reference moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Presence {
    /// Lives in the district, in household `household`.
    Resident,
    /// Has hukou in the district but lives elsewhere (the legitimate `registered_away` listing).
    Away,
    /// Died in the year before the reference moment.
    Dead,
    /// Born after the reference moment, before the registers were extracted: not to be
    /// enumerated, yet in the birth register.
    BornAfter,
    /// Died years before the reference moment (2001 to 2019), never cancelled in hukou.
    LongDead,
    /// Lives outside the district with hukou outside it: a mother who gave birth at one of the
    /// district's hospitals, and her child.
    Elsewhere,
}

/// Where a person living away from the district lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AwayPlace {
    /// A county elsewhere in China (its 6-digit code).
    County(u32),
    /// Hong Kong, Macao, Taiwan or abroad.
    Abroad,
}

/// One true person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Person {
    /// Index in [`Population::people`], the truth key.
    pub(crate) key: u32,
    pub(crate) name: String,
    pub(crate) sex: Sex,
    /// The true (registered, Gregorian) birth date.
    pub(crate) birth: PartialDate,
    pub(crate) ethnicity: Ethnicity,
    /// The valid 18-character ID number; `None` for an infant not yet registered.
    pub(crate) id_number: Option<String>,
    /// The 12-digit village code of the hukou place when it is in the district.
    pub(crate) hukou_village: Option<u64>,
    /// The 6-digit county of the hukou place (the district's or an origin county).
    pub(crate) hukou_county: u32,
    /// The household lived in (or, for people away and the dead, registered in).
    pub(crate) household: u32,
    pub(crate) relation: Relation,
    pub(crate) presence: Presence,
    /// The death date: before the reference moment for the dead, after it (before the
    /// extraction) for some residents.
    pub(crate) death: Option<PartialDate>,
    /// A former name (曾用名) the hukou register keeps.
    pub(crate) former_name: Option<String>,
    /// Where a person living away (`Presence::Away`) lives.
    pub(crate) away_in: Option<AwayPlace>,
    /// The day the hukou moved out of the district, for some of the people living away.
    pub(crate) moved_out: Option<PartialDate>,
}

/// One household: a dwelling in an enumeration area of a village.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Household {
    pub(crate) key: u32,
    /// Index into [`Population::villages`].
    pub(crate) village: usize,
    /// The 15-digit enumeration area code: village code and a 3-digit area number.
    pub(crate) enumeration_area: u64,
    /// The dwelling lived in, within the village.
    pub(crate) dwelling: Dwelling,
    /// Where the household's hukou is, when that is another village of the district than the
    /// one it lives in (人户分离); `None` for the others, whose hukou is where they live or
    /// outside the prefecture.
    pub(crate) registered_elsewhere: Option<Registration>,
    /// Members, head first (a collective household has no head: its members are `Other`).
    pub(crate) members: Vec<u32>,
    /// A collective household (集体户): unrelated in-migrants in quarters.
    pub(crate) is_collective: bool,
    /// The county a household living outside the district lives in (the family of a birth at
    /// one of its hospitals); `village`, `enumeration_area` and `dwelling` mean nothing then.
    pub(crate) outside: Option<u32>,
}

/// A dwelling's number within its village: building (幢) and flat (室, floor × 100 + door) in a
/// residents' committee, group (组) and house (号) in a villagers' committee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dwelling {
    pub(crate) building: u16,
    pub(crate) unit: u16,
}

/// The registered dwelling of a household that lives in another village of the district.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Registration {
    /// Index into [`Population::villages`]: the hukou village, never the one lived in.
    pub(crate) village: usize,
    /// The enumeration area of the village the dwelling lies in.
    pub(crate) enumeration_area: u64,
    /// Numbered after the dwellings of the households living in the village.
    pub(crate) dwelling: Dwelling,
}

impl Household {
    /// The village (index into [`Population::villages`]) and dwelling of the household's hukou,
    /// for a household registered in the district: where it lives unless registered elsewhere.
    pub(crate) fn hukou_dwelling(&self) -> (usize, Dwelling) {
        match self.registered_elsewhere {
            Some(registration) => (registration.village, registration.dwelling),
            None => (self.village, self.dwelling),
        }
    }
}

/// The true population of a district.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Population {
    pub(crate) villages: Vec<Village>,
    pub(crate) households: Vec<Household>,
    pub(crate) people: Vec<Person>,
}

impl Population {
    /// Usual residents: people present in the district at the reference moment.
    pub(crate) fn residents(&self) -> impl Iterator<Item = &Person> {
        self.people.iter().filter(|p| p.presence == Presence::Resident)
    }
}

/// Generates a district of about `n_residents` usual residents (whole households: the count
/// is reached by the last household, so it may exceed `n_residents` by a few), plus the
/// district's hukou holders living elsewhere, the year's dead, and the births and deaths
/// between the reference moment and the extraction of the registers.
pub(crate) fn generate(
    n_residents: usize,
    seed: u64,
    counties: Option<usize>,
    rates: &PopulationRates,
) -> Population {
    let mut rng = Rng::new(seed, 1);
    let n_households_estimate = n_residents * 100 / 262 + 1;
    let n_villages = n_households_estimate.div_ceil(HOUSEHOLDS_PER_VILLAGE);
    let villages = match counties {
        Some(n_counties) => geography::province_villages(n_counties, n_villages),
        None => geography::district_villages(n_villages),
    };
    let mut builder = Builder {
        rng: &mut rng,
        rates,
        villages: &villages,
        people: Vec::new(),
        households: Vec::new(),
        ids: HashSet::new(),
    };
    // The year's dead (infants among them) are drawn from the residents built first, so that
    // the district still has `n_residents` living ones.
    let n_dead = (n_residents as f64 * rates.annual_deaths).round() as usize;
    let n_infant_deaths = (n_residents as f64 * BIRTH_RATE * rates.infant_deaths).round() as usize;
    let (mut n_present, mut n_collective) = (0, 0);
    while n_present < n_residents + n_dead + n_infant_deaths {
        // Collective quarters hold their share of the residents built so far.
        if (n_collective as f64) < rates.collective_residents * n_present as f64 {
            let n = builder.collective();
            n_collective += n;
            n_present += n;
        } else {
            n_present += builder.household();
        }
    }
    builder.assign_enumeration_areas();
    let Builder { mut people, mut households, mut ids, .. } = builder;
    kill(&mut people, n_dead, &mut Rng::new(seed, 2), Period::Before);
    let mut rng = Rng::new(seed, 5);
    let n_deaths_after = (n_residents as f64 * rates.deaths_after).round() as usize;
    kill(&mut people, n_deaths_after, &mut rng, Period::After);
    let n_births_after = (n_residents as f64 * rates.births_after).round() as usize;
    bear(&mut people, &mut households, n_births_after, &mut rng);
    let mut rng = Rng::new(seed, 6);
    bury_infants(&mut people, n_infant_deaths, &mut rng);
    let n_long_dead = (n_residents as f64 * rates.long_dead).round() as usize;
    haunt(&mut people, &households, n_long_dead, &mut ids, &mut rng);
    let n_local_births = people
        .iter()
        .filter(|p| match p.presence {
            Presence::BornAfter => true,
            Presence::Resident | Presence::Dead => is_born_in_year_before(p.birth),
            _ => false,
        })
        .count();
    let n_births_elsewhere = (n_local_births as f64 * rates.births_elsewhere).round() as usize;
    let mut context = Context { rng: &mut rng, ids: &mut ids, rates };
    births_elsewhere(&mut people, &mut households, n_births_elsewhere, &mut context);
    Population { villages, households, people }
}

/// Whether `birth` falls in the year before the reference moment (the census's H3 period).
pub(crate) fn is_born_in_year_before(birth: PartialDate) -> bool {
    (reference_days() - 365..reference_days()).contains(&birth.to_days_since_epoch())
}

/// What drawing a new person needs: the stream, the ID numbers given so far, the rates.
struct Context<'a> {
    rng: &'a mut Rng,
    ids: &'a mut HashSet<String>,
    rates: &'a PopulationRates,
}

/// Marks `n` infants born in the year before the moment, living in the district, as dead
/// before it (at a uniform age up to the moment).
fn bury_infants(people: &mut [Person], n: usize, rng: &mut Rng) {
    let mut keyed: Vec<(u64, usize)> = (0..people.len())
        .filter(|&i| {
            let person = &people[i];
            person.presence == Presence::Resident && is_born_in_year_before(person.birth)
        })
        .map(|i| (rng.next_u64(), i))
        .collect();
    keyed.sort_unstable();
    for &(_, idx) in keyed.iter().take(n) {
        let person = &mut people[idx];
        let born = person.birth.to_days_since_epoch();
        let day = born + rng.below((reference_days() - born).max(1) as u64) as i32;
        person.presence = Presence::Dead;
        person.death = PartialDate::from_days_since_epoch(day);
    }
}

/// Adds `n` people dead for years to local family households living in the district, still on
/// the hukou register: a parent of the head (his father, with his surname, or a mother),
/// born 1905 to 1945, died 2001 to 2019. Not members of the household's listing.
fn haunt(
    people: &mut Vec<Person>,
    households: &[Household],
    n: usize,
    ids: &mut HashSet<String>,
    rng: &mut Rng,
) {
    let local: Vec<&Household> = households
        .iter()
        .filter(|h| !h.is_collective && h.outside.is_none())
        .filter(|h| people[h.members[0] as usize].hukou_village.is_some())
        .collect();
    if local.is_empty() {
        return;
    }
    let start = PartialDate::new(2001, 1, 1).expect("a date").to_days_since_epoch();
    for _ in 0..n {
        let household = local[rng.below(local.len() as u64) as usize];
        let head = &people[household.members[0] as usize];
        let sex = if rng.chance(0.5) { Sex::Male } else { Sex::Female };
        let birth_year = rng.between(1905, 1945) as u16;
        let birth = day_in_year(rng, birth_year);
        let surname = match (sex, censuslink_standardize::name::standardize_name(&head.name)) {
            (Sex::Male, NameOutcome::Name(name)) if !head.name.contains(names::MIDDLE_DOT) => {
                name.surname
            }
            _ => names::surname(rng).to_owned(),
        };
        let name = format!("{surname}{}", names::given_name(rng, sex, birth_year));
        let death = start + rng.below((reference_days() - 366 - start) as u64) as i32;
        let (hukou_village, hukou_county, ethnicity) =
            (head.hukou_village, head.hukou_county, head.ethnicity);
        let id_number = Some(draw_id(rng, ids, hukou_county, sex, birth));
        people.push(Person {
            key: people.len() as u32,
            name,
            sex,
            birth,
            ethnicity,
            id_number,
            hukou_village,
            hukou_county,
            household: household.key,
            relation: Relation::Parent,
            presence: Presence::LongDead,
            death: PartialDate::from_days_since_epoch(death),
            former_name: None,
            away_in: None,
            moved_out: None,
        });
    }
}

/// Adds `n` births at the district's hospitals to mothers living outside it: each mother
/// (20 to 40, from an in-migrant's origin county, living there) with her child born in the
/// year before the moment or up to the extraction, as a household outside the district.
fn births_elsewhere(
    people: &mut Vec<Person>,
    households: &mut Vec<Household>,
    n: usize,
    context: &mut Context<'_>,
) {
    for _ in 0..n {
        let origin = *origin(context.rng);
        let is_uyghur = origin.province == "新疆维吾尔自治区";
        let mother_year = REFERENCE.0 - context.rng.between(20, 40) as u16;
        let mother_birth = day_in_year(context.rng, mother_year);
        let day = reference_days() - 365 + context.rng.below(365 + EXTRACTION_DAYS as u64) as i32;
        let birth = PartialDate::from_days_since_epoch(day).expect("a day in range");
        let sex = if context.rng.chance(105.0 / 205.0) { Sex::Male } else { Sex::Female };
        let (mother_name, child_name) = if is_uyghur {
            let mother = names::uyghur_name(context.rng, Sex::Female, None);
            (mother, names::uyghur_name(context.rng, sex, None))
        } else {
            let mother = format!(
                "{}{}",
                names::surname(context.rng),
                names::given_name(context.rng, Sex::Female, mother_year)
            );
            let surname = names::surname(context.rng);
            (mother, format!("{surname}{}", names::given_name(context.rng, sex, REFERENCE.0)))
        };
        let ethnicity = if is_uyghur { Ethnicity::new(5).expect("05") } else { Ethnicity::HAN };
        let key = households.len() as u32;
        let mother_id = draw_id(context.rng, context.ids, origin.code, Sex::Female, mother_birth);
        let age_days = reference_days() - day;
        let child_id = (age_days >= 92
            || !context.rng.chance(context.rates.recent_births_without_id))
        .then(|| draw_id(context.rng, context.ids, origin.code, sex, birth));
        let first = people.len() as u32;
        for (name, sex, birth, id_number, relation) in [
            (mother_name, Sex::Female, mother_birth, Some(mother_id), Relation::Head),
            (child_name, sex, birth, child_id, Relation::Child),
        ] {
            people.push(Person {
                key: people.len() as u32,
                name,
                sex,
                birth,
                ethnicity,
                id_number,
                hukou_village: None,
                hukou_county: origin.code,
                household: key,
                relation,
                presence: Presence::Elsewhere,
                death: None,
                former_name: None,
                away_in: None,
                moved_out: None,
            });
        }
        households.push(Household {
            key,
            village: 0,
            enumeration_area: 0,
            dwelling: Dwelling { building: 0, unit: 0 },
            registered_elsewhere: None,
            members: vec![first, first + 1],
            is_collective: false,
            outside: Some(origin.code),
        });
    }
}

/// When a death happens, relative to the reference moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Period {
    /// In the year before it: the person is dead at the moment.
    Before,
    /// Between it and the extraction: the person was a resident at the moment.
    After,
}

/// Marks `n_dead` residents of local households, aged 60 or more, as dead in `period`; the
/// older, the likelier (mortality doubles about every 8 years).
fn kill(people: &mut [Person], n_dead: usize, rng: &mut Rng, period: Period) {
    // Weighted sampling without replacement (Efraimidis and Spirakis): each candidate gets the
    // key ln(u) / weight, and the largest keys are drawn.
    let mut keyed: Vec<(f64, usize)> = (0..people.len())
        .filter(|&i| {
            let person = &people[i];
            person.presence == Presence::Resident
                && person.death.is_none()
                && person.hukou_village.is_some()
                && age_at_reference(person.birth) >= 60
        })
        .map(|i| {
            let weight = 2f64.powf(f64::from(age_at_reference(people[i].birth) - 60) / 8.0);
            ((1.0 - rng.unit()).ln() / weight, i)
        })
        .collect();
    keyed.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, idx) in keyed.iter().take(n_dead) {
        let person = &mut people[idx];
        let day = match period {
            Period::Before => {
                person.presence = Presence::Dead;
                reference_days() - 1 - rng.below(365) as i32
            }
            Period::After => reference_days() + rng.below(EXTRACTION_DAYS as u64) as i32,
        };
        person.death = PartialDate::from_days_since_epoch(day);
    }
}

/// Adds `n_births` children born between the reference moment and the extraction to
/// households with a mother of 20-40 (head or spouse), drawn at random; they take the
/// father's surname (or the mother's when no father lives there) and have no ID yet.
fn bear(people: &mut Vec<Person>, households: &mut [Household], n_births: usize, rng: &mut Rng) {
    let is_mother = |key: u32| {
        let person = &people[key as usize];
        person.sex == Sex::Female
            && person.presence == Presence::Resident
            && matches!(person.relation, Relation::Head | Relation::Spouse)
            && (20..=40).contains(&age_at_reference(person.birth))
    };
    let mut keyed: Vec<(u64, usize)> = households
        .iter()
        .enumerate()
        .filter(|(_, household)| household.members.iter().any(|&key| is_mother(key)))
        .map(|(idx, _)| (rng.next_u64(), idx))
        .collect();
    keyed.sort_unstable();
    let mut chosen: Vec<usize> = keyed.iter().take(n_births).map(|&(_, idx)| idx).collect();
    chosen.sort_unstable();
    for idx in chosen {
        let household = &mut households[idx];
        let parent_with =
            |sex: Sex| {
                household.members.iter().map(|&key| &people[key as usize]).find(|p| {
                    p.sex == sex && matches!(p.relation, Relation::Head | Relation::Spouse)
                })
            };
        let mother = parent_with(Sex::Female).expect("chosen for its mother");
        let father = parent_with(Sex::Male);
        let sex = if rng.chance(105.0 / 205.0) { Sex::Male } else { Sex::Female };
        let name = match father {
            Some(father) if father.name.contains(names::MIDDLE_DOT) => {
                names::uyghur_name(rng, sex, Some(names::uyghur_given(&father.name)))
            }
            _ => {
                let named_after = father.unwrap_or(mother);
                let surname =
                    match censuslink_standardize::name::standardize_name(&named_after.name) {
                        NameOutcome::Name(name) => Some(name.surname),
                        _ => None,
                    }
                    .expect("a generated name standardizes to a name");
                format!("{surname}{}", names::given_name(rng, sex, REFERENCE.0))
            }
        };
        let birth = PartialDate::from_days_since_epoch(
            reference_days() + rng.below(EXTRACTION_DAYS as u64) as i32,
        )
        .expect("a day in range");
        let key = people.len() as u32;
        people.push(Person {
            key,
            name,
            sex,
            birth,
            ethnicity: mother.ethnicity,
            id_number: None,
            hukou_village: mother.hukou_village,
            hukou_county: mother.hukou_county,
            household: household.key,
            relation: Relation::Child,
            presence: Presence::BornAfter,
            death: None,
            former_name: None,
            away_in: None,
            moved_out: None,
        });
        household.members.push(key);
    }
}

struct Builder<'a> {
    rng: &'a mut Rng,
    rates: &'a PopulationRates,
    villages: &'a [Village],
    people: Vec<Person>,
    households: Vec<Household>,
    ids: HashSet<String>,
}

/// A member of a household being built, before names and IDs.
struct Member {
    relation: Relation,
    sex: Sex,
    birth: PartialDate,
    /// Index of the member whose surname this one takes (the father's line), or itself.
    surname_from: usize,
}

impl Builder<'_> {
    /// Builds one household and its members; returns how many of them are usual residents.
    fn household(&mut self) -> usize {
        let key = self.households.len() as u32;
        let village = self.rng.below(self.villages.len() as u64) as usize;
        let members = self.members();
        let is_migrant = self.rng.chance(self.rates.in_migrant_households);
        let origin = is_migrant.then(|| *self.origin());
        let is_uyghur = origin.is_some_and(|o| o.province == "新疆维吾尔自治区");
        // A local family may live wholly outside the county, its registered dwelling (where
        // it is built) empty.
        let is_away = origin.is_none() && self.rng.chance(self.rates.away_households);
        let (hukou_village, hukou_county) = match origin {
            Some(origin) => (None, origin.code),
            None => {
                let hukou = if !is_away && self.rng.chance(self.rates.separated_households) {
                    self.rng.below(self.villages.len() as u64) as usize
                } else {
                    village
                };
                let code = self.villages[hukou].code;
                (Some(code), (code / 1_000_000) as u32)
            }
        };
        let ethnicity = if is_uyghur {
            Ethnicity::new(5).expect("维吾尔族 is 05")
        } else {
            self.han_or_hui()
        };
        let family_away_in = is_away.then(|| destination(self.rng));
        let generation = !is_uyghur && self.rng.chance(self.rates.generation_character);

        let first_key = self.people.len() as u32;
        let mut surnames: Vec<&'static str> = Vec::with_capacity(members.len());
        let mut names_so_far: Vec<String> = Vec::with_capacity(members.len());
        let mut generation_char: Option<char> = None;
        let mut n_present = 0;
        for (idx, member) in members.iter().enumerate() {
            let father = (is_uyghur && member.surname_from != idx)
                .then(|| names::uyghur_given(&names_so_far[member.surname_from]).to_owned());
            let surname = match (is_uyghur, member.surname_from == idx) {
                (true, _) => "",
                (false, true) => names::surname(self.rng),
                (false, false) => surnames[member.surname_from],
            };
            surnames.push(surname);
            // Siblings of a generation share the first character of a two-character name; no
            // two members of a family share a name (a name drawn twice is drawn again).
            let mut name = String::new();
            for _ in 0..8 {
                name = if is_uyghur {
                    names::uyghur_name(self.rng, member.sex, father.as_deref())
                } else {
                    let mut given = names::given_name(self.rng, member.sex, member.birth.year());
                    if generation
                        && member.relation == Relation::Child
                        && given.chars().count() == 2
                    {
                        let second = given.chars().nth(1).expect("two characters");
                        match generation_char {
                            Some(first) if first != second => given = format!("{first}{second}"),
                            Some(_) => {}
                            None => generation_char = given.chars().next(),
                        }
                    }
                    format!("{surname}{given}")
                };
                if !names_so_far.contains(&name) {
                    break;
                }
            }
            let former_name = (!is_uyghur
                && age_at_reference(member.birth) >= 16
                && self.rng.chance(self.rates.former_name))
            .then(|| {
                let surname = surnames[idx];
                format!("{surname}{}", names::given_name(self.rng, member.sex, member.birth.year()))
            })
            .filter(|former| *former != name);
            let away_in = match family_away_in {
                Some(place) => Some(place),
                None if origin.is_none()
                    && is_young_adult(member.birth)
                    && self.rng.chance(self.rates.away_young_adults) =>
                {
                    Some(destination(self.rng))
                }
                None => None,
            };
            let presence = if away_in.is_some() { Presence::Away } else { Presence::Resident };
            // Someone living away alone may have moved the hukou out too.
            let moved_out = (away_in.is_some()
                && !is_away
                && self.rng.chance(self.rates.moved_out))
            .then(|| {
                let day =
                    reference_days() - 365 + self.rng.below(365 + EXTRACTION_DAYS as u64) as i32;
                PartialDate::from_days_since_epoch(day).expect("a day in range")
            });
            n_present += usize::from(presence == Presence::Resident);
            let id_number = self.id_number(hukou_county, member);
            names_so_far.push(name.clone());
            self.people.push(Person {
                key: first_key + idx as u32,
                name,
                sex: member.sex,
                birth: member.birth,
                ethnicity,
                id_number,
                hukou_village,
                hukou_county,
                household: key,
                relation: member.relation,
                presence,
                death: None,
                former_name,
                away_in,
                moved_out,
            });
        }
        let members_keys = (first_key..self.people.len() as u32).collect();
        self.households.push(Household {
            key,
            village,
            enumeration_area: 0,
            dwelling: Dwelling { building: 0, unit: 0 },
            registered_elsewhere: None,
            members: members_keys,
            is_collective: false,
            outside: None,
        });
        n_present
    }

    /// Builds a collective household: 8 to 40 unrelated in-migrants (most 18 to 35, the rest
    /// up to 55) in quarters of a village; returns its size, all usual residents.
    fn collective(&mut self) -> usize {
        let key = self.households.len() as u32;
        let village = self.rng.below(self.villages.len() as u64) as usize;
        let size = self.rng.between(8, 40) as usize;
        let first_key = self.people.len() as u32;
        for idx in 0..size {
            let origin = *origin(self.rng);
            let is_uyghur = origin.province == "新疆维吾尔自治区";
            let sex = self.random_sex();
            let age = if self.rng.chance(0.8) {
                self.rng.between(18, 35)
            } else {
                self.rng.between(36, 55)
            } as u16;
            let had_birthday = self.rng.chance(0.5);
            let birth = self.birth_in_year(REFERENCE.0 - age - 1 + u16::from(had_birthday));
            let (name, ethnicity) = if is_uyghur {
                (names::uyghur_name(self.rng, sex, None), Ethnicity::new(5).expect("05"))
            } else {
                let surname = names::surname(self.rng);
                let given = names::given_name(self.rng, sex, birth.year());
                (format!("{surname}{given}"), self.han_or_hui())
            };
            let member = Member { relation: Relation::Other, sex, birth, surname_from: idx };
            let id_number = self.id_number(origin.code, &member);
            self.people.push(Person {
                key: first_key + idx as u32,
                name,
                sex,
                birth,
                ethnicity,
                id_number,
                hukou_village: None,
                hukou_county: origin.code,
                household: key,
                relation: Relation::Other,
                presence: Presence::Resident,
                death: None,
                former_name: None,
                away_in: None,
                moved_out: None,
            });
        }
        self.households.push(Household {
            key,
            village,
            enumeration_area: 0,
            dwelling: Dwelling { building: 0, unit: 0 },
            registered_elsewhere: None,
            members: (first_key..self.people.len() as u32).collect(),
            is_collective: true,
            outside: None,
        });
        size
    }

    /// Han, or 回族 (the largest minority of 南京: about one person in a hundred).
    fn han_or_hui(&mut self) -> Ethnicity {
        if self.rng.chance(0.012) {
            Ethnicity::new(3).expect("回族 is 03")
        } else {
            Ethnicity::HAN
        }
    }

    /// Relations, sexes and birth dates of a household's members, head first, consistent with
    /// each other: spouses of opposite sex and close ages, children born to a mother of 20-38,
    /// parents 22-35 years older than the head.
    fn members(&mut self) -> Vec<Member> {
        let size = 1 + self.rng.weighted(&[0.25, 0.30, 0.21, 0.13, 0.07, 0.04]);
        let shape = self.rng.unit();
        let (has_spouse, n_children, n_parents) = match size {
            1 => (false, 0, 0),
            2 if shape < 0.7 => (true, 0, 0),
            2 => (false, 1, 0),
            3 if shape < 0.8 => (true, 1, 0),
            3 => (true, 0, 1),
            4 if shape < 0.7 => (true, 2, 0),
            4 => (true, 1, 1),
            5 if shape < 0.5 => (true, 2, 1),
            5 => (true, 1, 2),
            _ => (true, 2, 2),
        };
        // The head's age: younger for households with young children, older for singles.
        let youngest_head = if n_parents > 0 { 25 } else { 20 };
        let oldest_head = if n_parents > 0 {
            60
        } else if n_children > 0 {
            62
        } else {
            90
        };
        let head_age = self.rng.between(youngest_head, oldest_head) as u16;
        let head_sex = if has_spouse && self.rng.chance(0.75) || !has_spouse && self.rng.chance(0.5)
        {
            Sex::Male
        } else {
            Sex::Female
        };
        let head_year = REFERENCE.0 - head_age - 1 + u16::from(self.rng.chance(0.5));
        let head_birth = self.birth_in_year(head_year);
        let mut members = vec![Member {
            relation: Relation::Head,
            sex: head_sex,
            birth: head_birth,
            surname_from: 0,
        }];
        let (father, mother_birth) = if has_spouse {
            let spouse_sex = opposite(head_sex);
            let gap = self.rng.between(0, 6) as i32 - 2;
            let husband_older =
                |year: i32| if spouse_sex == Sex::Female { year + gap } else { year - gap };
            let year = husband_older(i32::from(head_birth.year())).clamp(1925, 2001) as u16;
            let spouse_birth = self.birth_in_year(year);
            members.push(Member {
                relation: Relation::Spouse,
                sex: spouse_sex,
                birth: spouse_birth,
                surname_from: 1,
            });
            let (father, mother) =
                if head_sex == Sex::Male { (0, spouse_birth) } else { (1, head_birth) };
            (father, Some(mother))
        } else {
            (0, (head_sex == Sex::Female).then_some(head_birth))
        };
        let mother_birth = mother_birth.unwrap_or(head_birth);
        for _ in 0..n_children {
            let mother_age = self.rng.between(20, 38) as u16;
            let year = mother_birth.year() + mother_age;
            // A child the mother would have at an age she has not reached is not born: the
            // household is smaller. (Clamping the year instead would pile births up in the
            // reference year.)
            if year > REFERENCE.0 {
                continue;
            }
            let birth = self.birth_in_year(year);
            // 1 in 13 newborns takes the mother's surname (DOMAIN §3.1).
            let surname_from =
                if has_spouse && self.rng.chance(1.0 / 13.0) { 1 - father } else { father };
            // A twin is born on the same day and takes the same surname.
            let n_born = if self.rng.chance(self.rates.twins) { 2 } else { 1 };
            for _ in 0..n_born {
                members.push(Member {
                    relation: Relation::Child,
                    sex: self.random_sex(),
                    birth,
                    surname_from,
                });
            }
        }
        for parent in 0..n_parents {
            let year = head_birth.year().saturating_sub(self.rng.between(22, 35) as u16).max(1921);
            let sex =
                if n_parents == 2 { [Sex::Male, Sex::Female][parent] } else { self.random_sex() };
            // The head's father shares the head's surname; the mother keeps her own.
            let surname_from = if sex == Sex::Male { 0 } else { members.len() };
            members.push(Member {
                relation: Relation::Parent,
                sex,
                birth: self.birth_in_year(year),
                surname_from,
            });
        }
        members
    }

    /// A day of `year` before the reference moment.
    fn birth_in_year(&mut self, year: u16) -> PartialDate {
        day_in_year(self.rng, year)
    }

    fn random_sex(&mut self) -> Sex {
        // 105 boys to 100 girls.
        if self.rng.chance(105.0 / 205.0) { Sex::Male } else { Sex::Female }
    }

    fn origin(&mut self) -> &'static OriginCounty {
        origin(self.rng)
    }

    /// A valid, unique ID number ([`draw_id`]); `None` for an infant born in the last three
    /// months who is not registered yet.
    fn id_number(&mut self, hukou_county: u32, member: &Member) -> Option<String> {
        let age_days = reference_days() - member.birth.to_days_since_epoch();
        if age_days < 92 && self.rng.chance(self.rates.recent_births_without_id) {
            return None;
        }
        Some(draw_id(self.rng, &mut self.ids, hukou_county, member.sex, member.birth))
    }

    /// Puts the households of each village into enumeration areas of at most 100 households
    /// (about 80 on average, as the 6th census aimed), in household order, and numbers their
    /// dwellings; then gives each household registered in another village of the district a
    /// dwelling there, numbered after that village's own, in its last area.
    fn assign_enumeration_areas(&mut self) {
        let index_of: HashMap<u64, usize> =
            self.villages.iter().enumerate().map(|(idx, village)| (village.code, idx)).collect();
        let mut living: Vec<Vec<usize>> = vec![Vec::new(); self.villages.len()];
        let mut registered: Vec<Vec<usize>> = vec![Vec::new(); self.villages.len()];
        for (idx, household) in self.households.iter().enumerate() {
            living[household.village].push(idx);
            let head = &self.people[household.members[0] as usize];
            let hukou = head.hukou_village.map(|code| index_of[&code]);
            if let Some(hukou) = hukou.filter(|&hukou| hukou != household.village) {
                registered[hukou].push(idx);
            }
        }
        for (village_idx, village) in self.villages.iter().enumerate() {
            let households = &living[village_idx];
            let n_areas = households.len().div_ceil(80).max(1);
            let per_area = households.len().div_ceil(n_areas).clamp(1, MAX_EA_HOUSEHOLDS);
            let area_at = |position: usize| {
                village.code * 1_000 + (position / per_area).min(n_areas - 1) as u64 + 1
            };
            for (position, &household) in households.iter().enumerate() {
                let household = &mut self.households[household];
                household.enumeration_area = area_at(position);
                household.dwelling = dwelling(position, village.is_rural);
            }
            for (offset, &household) in registered[village_idx].iter().enumerate() {
                let position = households.len() + offset;
                self.households[household].registered_elsewhere = Some(Registration {
                    village: village_idx,
                    enumeration_area: area_at(position),
                    dwelling: dwelling(position, village.is_rural),
                });
            }
        }
    }
}

/// An in-migrant's origin county: most come from the rest of the province and its neighbours.
fn origin(rng: &mut Rng) -> &'static OriginCounty {
    let province_prefix = match rng.weighted(&[0.45, 0.25, 0.08, 0.22]) {
        0 => Some(32), // 江苏
        1 => Some(34), // 安徽
        2 => Some(65), // 新疆
        _ => None,
    };
    let pool: Vec<&OriginCounty> = geography::origin_counties()
        .iter()
        .filter(|o| province_prefix.is_none_or(|prefix| o.code / 10_000 == prefix))
        .collect();
    pool[rng.below(pool.len() as u64) as usize]
}

/// Where someone of the district living away lives: 3 % abroad (or in Hong Kong, Macao or
/// Taiwan), the rest in a county of the province (40 %), of Shanghai (20 %) or anywhere.
fn destination(rng: &mut Rng) -> AwayPlace {
    if rng.chance(0.03) {
        return AwayPlace::Abroad;
    }
    let province_prefix = match rng.weighted(&[0.4, 0.2, 0.4]) {
        0 => Some(32),
        1 => Some(31),
        _ => None,
    };
    let pool: Vec<&OriginCounty> = geography::origin_counties()
        .iter()
        .filter(|o| province_prefix.is_none_or(|prefix| o.code / 10_000 == prefix))
        .collect();
    AwayPlace::County(pool[rng.below(pool.len() as u64) as usize].code)
}

/// A valid ID number no one has yet: the address code of the hukou county at birth, the birth
/// date, a sequence whose parity is the sex, the MOD 11-2 check character.
fn draw_id(
    rng: &mut Rng,
    ids: &mut HashSet<String>,
    hukou_county: u32,
    sex: Sex,
    birth: PartialDate,
) -> String {
    let address = geography::id_address_code(hukou_county, birth.year());
    loop {
        let sequence = rng.below(500) * 2 + u64::from(sex == Sex::Male);
        let body = format!(
            "{address:06}{:04}{:02}{:02}{sequence:03}",
            birth.year(),
            birth.month().expect("day precision"),
            birth.day().expect("day precision")
        );
        let body_bytes: [u8; 17] = body.as_bytes().try_into().expect("17 digits");
        let number =
            format!("{body}{}", censuslink_standardize::id::check_character(&body_bytes) as char);
        if ids.insert(number.clone()) {
            return number;
        }
    }
}

/// A uniform day of `year`, before the reference moment.
fn day_in_year(rng: &mut Rng, year: u16) -> PartialDate {
    let start = PartialDate::new(year, 1, 1).expect("a year in range").to_days_since_epoch();
    let end = PartialDate::new(year + 1, 1, 1)
        .expect("a year in range")
        .to_days_since_epoch()
        .min(reference_days());
    let day = start + rng.below((end - start).max(1) as u64) as i32;
    PartialDate::from_days_since_epoch(day).expect("a day in range")
}

/// The dwelling at `position` in its village's order: in a residents' committee, buildings of
/// six floors with two flats a floor (`3幢502室`); in a villagers' committee, groups of 40
/// houses (`3组17号`).
fn dwelling(position: usize, is_rural: bool) -> Dwelling {
    const FLATS_PER_BUILDING: usize = 12;
    const DOORS_PER_FLOOR: usize = 2;
    const HOUSES_PER_GROUP: usize = 40;
    if is_rural {
        let building = (position / HOUSES_PER_GROUP + 1) as u16;
        return Dwelling { building, unit: (position % HOUSES_PER_GROUP + 1) as u16 };
    }
    let flat = position % FLATS_PER_BUILDING;
    let (floor, door) = (flat / DOORS_PER_FLOOR + 1, flat % DOORS_PER_FLOOR + 1);
    Dwelling {
        building: (position / FLATS_PER_BUILDING + 1) as u16,
        unit: (floor * 100 + door) as u16,
    }
}

fn opposite(sex: Sex) -> Sex {
    match sex {
        Sex::Male => Sex::Female,
        Sex::Female => Sex::Male,
    }
}

/// Days since 1970-01-01 of the reference moment's day.
pub(crate) fn reference_days() -> i32 {
    let (year, month, day) = REFERENCE;
    PartialDate::new(year, month, day).expect("the reference date exists").to_days_since_epoch()
}

/// Completed years of age at the reference moment.
pub(crate) fn age_at_reference(birth: PartialDate) -> u16 {
    let (year, month, day) = REFERENCE;
    let had_birthday = (birth.month().unwrap_or(1), birth.day().unwrap_or(1)) <= (month, day);
    (year - birth.year()).saturating_sub(u16::from(!had_birthday))
}

fn is_young_adult(birth: PartialDate) -> bool {
    (18..=45).contains(&age_at_reference(birth))
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet, HashSet};

    use censuslink_model::{IdStatus, PartialDate, Relation, Sex};
    use censuslink_standardize::id::standardize_id;

    use crate::geography;
    use crate::population::{
        Dwelling, Population, PopulationRates, Presence, age_at_reference, generate,
        is_born_in_year_before, reference_days,
    };

    fn district() -> Population {
        generate(20_000, 11, None, &PopulationRates::standard())
    }

    #[test]
    fn a_seed_gives_one_district() {
        let rates = PopulationRates::standard();
        assert_eq!(generate(2_000, 5, None, &rates), generate(2_000, 5, None, &rates));
        assert_ne!(
            generate(2_000, 5, None, &rates).people[0],
            generate(2_000, 6, None, &rates).people[0]
        );
    }

    #[test]
    fn every_id_validates_and_tells_the_truth() {
        let population = district();
        let mut seen = HashSet::new();
        for person in &population.people {
            let Some(number) = &person.id_number else {
                let age_days = reference_days() - person.birth.to_days_since_epoch();
                assert!(age_days < 92, "only recent infants lack an ID");
                continue;
            };
            assert!(seen.insert(number.clone()), "one number per person");
            let outcome = standardize_id(number);
            assert_eq!(outcome.status, IdStatus::Valid, "person {}", person.key);
            assert_eq!(outcome.birth_date, Some(person.birth));
            assert_eq!(outcome.sex, Some(person.sex));
            let expected_region =
                geography::id_address_code(person.hukou_county, person.birth.year());
            assert_eq!(outcome.region, Some(expected_region), "the hukou county at birth");
        }
    }

    #[test]
    fn households_are_families() {
        let population = district();
        for household in &population.households {
            let members: Vec<_> =
                household.members.iter().map(|&k| &population.people[k as usize]).collect();
            if household.is_collective {
                assert!((8..=40).contains(&members.len()));
                assert!(members.iter().all(|p| p.relation == Relation::Other
                    && p.hukou_village.is_none()
                    && p.presence == Presence::Resident
                    && (17..=56).contains(&age_at_reference(p.birth))));
                continue;
            }
            if household.outside.is_some() {
                let presences: Vec<_> = members.iter().map(|p| (p.relation, p.presence)).collect();
                let elsewhere = Presence::Elsewhere;
                assert_eq!(presences, [(Relation::Head, elsewhere), (Relation::Child, elsewhere)]);
                continue;
            }
            assert_eq!(members[0].relation, Relation::Head);
            assert_eq!(members.iter().filter(|p| p.relation == Relation::Head).count(), 1);
            let names: BTreeSet<&str> = members.iter().map(|p| p.name.as_str()).collect();
            assert_eq!(names.len(), members.len(), "no two members of a family share a name");
            let head = members[0];
            for member in &members[1..] {
                let years_younger = i32::from(member.birth.year()) - i32::from(head.birth.year());
                match member.relation {
                    Relation::Spouse => {
                        assert_ne!(member.sex, head.sex, "spouses of opposite sex");
                        assert!(years_younger.abs() <= 6, "spouse age gap {years_younger}");
                    }
                    Relation::Child => {
                        assert!(
                            (14..=45).contains(&years_younger),
                            "a child {years_younger} years younger"
                        );
                        // Born before the moment, or after it (and then not yet a resident).
                        let born_before = member.birth.to_days_since_epoch() < reference_days();
                        assert_eq!(born_before, member.presence != Presence::BornAfter);
                    }
                    Relation::Parent => {
                        assert!((22..=35).contains(&-years_younger), "a parent {}", -years_younger)
                    }
                    other => panic!("unexpected relation {other:?}"),
                }
                assert_eq!(member.hukou_county, head.hukou_county, "a household shares its hukou");
            }
            let area = household.enumeration_area;
            let village = &population.villages[household.village];
            assert_eq!(area / 1_000, village.code, "the area lies in the village");
            // Registered elsewhere exactly when the hukou is another village of the district,
            // and then at a dwelling of that village no household lives in.
            let is_separated = head.hukou_village.is_some_and(|code| code != village.code);
            assert_eq!(household.registered_elsewhere.is_some(), is_separated);
            if let Some(registration) = household.registered_elsewhere {
                let hukou = &population.villages[registration.village];
                assert_eq!(Some(hukou.code), head.hukou_village);
                assert_eq!(registration.enumeration_area / 1_000, hukou.code);
                let is_lived_in = population.households.iter().any(|other| {
                    other.village == registration.village && other.dwelling == registration.dwelling
                });
                assert!(!is_lived_in, "household {}", household.key);
            }
            let Dwelling { building, unit } = household.dwelling;
            assert!(building >= 1);
            if village.is_rural {
                assert!((1..=40).contains(&unit), "house {unit}");
            } else {
                assert!(
                    (1..=6).contains(&(unit / 100)) && (1..=2).contains(&(unit % 100)),
                    "{unit}"
                );
            }
        }
        let mut per_area: BTreeMap<u64, usize> = BTreeMap::new();
        for household in &population.households {
            *per_area.entry(household.enumeration_area).or_default() += 1;
        }
        assert!(per_area.values().all(|&n| n <= 100), "areas of at most 100 households");
        let mean = population.households.len() as f64 / per_area.len() as f64;
        assert!((60.0..=100.0).contains(&mean), "about 80 households an area: {mean}");
    }

    #[test]
    fn the_population_has_its_documented_shape() {
        let population = district();
        let rates = PopulationRates::standard();
        let n_residents = population.residents().count();
        assert!((20_000..20_010).contains(&n_residents), "{n_residents}");
        let n_households = population.households.len() as f64;
        let mean_size = population.people.len() as f64 / n_households;
        assert!((2.45..=2.75).contains(&mean_size), "mean household size {mean_size}");
        let is_migrant = |h: &crate::population::Household| {
            population.people[h.members[0] as usize].hukou_village.is_none()
        };
        let migrant_share =
            population.households.iter().filter(|h| is_migrant(h)).count() as f64 / n_households;
        assert!(
            (migrant_share - rates.in_migrant_households).abs() < 0.02,
            "in-migrant households {migrant_share}"
        );
        let n_away = population.people.iter().filter(|p| p.presence == Presence::Away).count();
        assert!(
            n_away > 0
                && population
                    .people
                    .iter()
                    .filter(|p| p.presence == Presence::Away)
                    .all(|p| p.hukou_village.is_some())
        );
        let dead: Vec<_> =
            population.people.iter().filter(|p| p.presence == Presence::Dead).collect();
        let death_rate = dead.len() as f64 / n_residents as f64;
        assert!((death_rate - rates.annual_deaths).abs() < 0.003, "deaths {death_rate}");
        for person in &dead {
            let death = person.death.expect("the dead have a death date").to_days_since_epoch();
            assert!((reference_days() - 365..reference_days()).contains(&death));
            let is_infant = is_born_in_year_before(person.birth);
            assert!(age_at_reference(person.birth) >= 60 || is_infant);
            assert!(death >= person.birth.to_days_since_epoch());
        }
        let count = |presence: Presence| {
            population.people.iter().filter(|p| p.presence == presence).count()
        };
        let near = |n: usize, rate: f64, of: usize| {
            let expected = rate * of as f64;
            (n as f64 - expected).abs() <= 4.0 * expected.sqrt() + 1.0
        };
        assert!(near(count(Presence::LongDead), rates.long_dead, n_residents), "long dead");
        let collective: usize =
            population.households.iter().filter(|h| h.is_collective).map(|h| h.members.len()).sum();
        let collective_share = collective as f64 / n_residents as f64;
        assert!((collective_share - rates.collective_residents).abs() < 0.01, "{collective_share}");
        let n_local_births = population
            .people
            .iter()
            .filter(|p| {
                matches!(p.presence, Presence::Resident | Presence::Dead | Presence::BornAfter)
                    && (is_born_in_year_before(p.birth) || p.presence == Presence::BornAfter)
            })
            .count();
        assert!(near(count(Presence::Elsewhere) / 2, rates.births_elsewhere, n_local_births));
        let adults = population.people.iter().filter(|p| age_at_reference(p.birth) >= 16);
        let (n_adults, n_former) =
            adults.fold((0, 0), |(n, f), p| (n + 1, f + usize::from(p.former_name.is_some())));
        assert!((n_former as f64 / n_adults as f64 - rates.former_name).abs() < 0.01);
        // Twins: two children of a household born on one day.
        let twins = population.households.iter().filter(|h| {
            let births: Vec<_> = h
                .members
                .iter()
                .map(|&k| &population.people[k as usize])
                .filter(|p| p.relation == Relation::Child)
                .map(|p| p.birth)
                .collect();
            births.iter().enumerate().any(|(i, b)| births[i + 1..].contains(b))
        });
        assert!(twins.count() > 20);
        // Whole families living elsewhere: every member away, the hukou where they are built.
        let away_families = population
            .households
            .iter()
            .filter(|h| {
                h.members.iter().all(|&k| population.people[k as usize].presence == Presence::Away)
            })
            .filter(|h| h.members.len() > 1)
            .count();
        assert!(away_families > 100, "{away_families}");
        let n_male = population.people.iter().filter(|p| p.sex == Sex::Male).count() as f64;
        let male_share = n_male / population.people.len() as f64;
        assert!((0.47..=0.54).contains(&male_share), "{male_share}");
        let uyghur: Vec<_> = population.people.iter().filter(|p| p.ethnicity.code() == 5).collect();
        assert!(!uyghur.is_empty() && uyghur.iter().all(|p| p.name.contains('·')));
    }

    #[test]
    fn ages_are_completed_years() {
        let born = |y, m, d| PartialDate::new(y, m, d).expect("a date");
        assert_eq!(age_at_reference(born(1990, 10, 31)), 30);
        assert_eq!(
            age_at_reference(born(1990, 11, 1)),
            30,
            "a birthday on the reference day counts"
        );
        assert_eq!(age_at_reference(born(1990, 11, 2)), 29);
        assert_eq!(age_at_reference(born(2020, 10, 31)), 0);
    }
}
