//! Who each department's register holds, as of the extraction, with the staleness real
//! registers have: hukou keeps the dead it was not told about and the people who left; school
//! and insurance hold the district's actual residents with gaps. Membership and truth only;
//! the error model renders each entry's values in the department's own format.

use censuslink_model::{PartialDate, Role};

use crate::census::is_born_in_period;
use crate::population::{Population, Presence, REFERENCE};
use crate::rng::Rng;

/// The registers' rates.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ExtractRates {
    /// The year's dead still on the hukou register (应销未销).
    pub(crate) dead_not_cancelled: f64,
    /// Residents of school age (grades 1-12 by [`school_grade`]) enrolled in the district's
    /// schools.
    pub(crate) school_enrolment: f64,
    /// Residents insured in the district (about 95 % per the issue).
    pub(crate) insurance_coverage: f64,
    /// People living elsewhere still insured in the district.
    pub(crate) insurance_stale: f64,
    /// Births of the year with a birth certificate in the district's records.
    pub(crate) birth_registration: f64,
    /// The year's dead with a death record.
    pub(crate) death_registration: f64,
}

impl ExtractRates {
    /// The rates the generator is documented with (docs/synthetic-data.md).
    pub(crate) fn standard() -> ExtractRates {
        ExtractRates {
            dead_not_cancelled: 0.3,
            school_enrolment: 0.98,
            insurance_coverage: 0.95,
            insurance_stale: 0.4,
            birth_registration: 0.97,
            death_registration: 0.95,
        }
    }
}

/// The people each register holds, by role, in person-key order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Registers {
    pub(crate) hukou: Vec<u32>,
    pub(crate) birth: Vec<u32>,
    pub(crate) death: Vec<u32>,
    pub(crate) school: Vec<u32>,
    pub(crate) insurance: Vec<u32>,
}

impl Registers {
    /// The register of `role`; the census is not one of them.
    pub(crate) fn of(&self, role: Role) -> &[u32] {
        match role {
            Role::Hukou => &self.hukou,
            Role::Birth => &self.birth,
            Role::Death => &self.death,
            Role::School => &self.school,
            Role::Insurance => &self.insurance,
            Role::Census => &[],
        }
    }

    /// The registers that hold `key`, in role order.
    pub(crate) fn holding(&self, key: u32) -> Vec<Role> {
        Role::ALL.into_iter().filter(|&role| self.of(role).binary_search(&key).is_ok()).collect()
    }
}

/// The school grade (1-6 primary, 7-9 junior and 10-12 senior secondary) of a child born on
/// `birth` in the school year of the reference moment, or `None` outside them. A cohort
/// starts grade 1 in September of the year it turns 6 by 31 August: children born from
/// 1 September of year Y-1 to 31 August of Y start in September of Y+6.
pub(crate) fn school_grade(birth: PartialDate) -> Option<u8> {
    let (year, month, _) = REFERENCE;
    // The school year under way at the moment began in September of this year.
    let school_year = i32::from(year) - i32::from(month < 9);
    let cohort = i32::from(birth.year()) + i32::from(birth.month().unwrap_or(1) >= 9);
    let grade = school_year - (cohort + 6) + 1;
    u8::try_from(grade).ok().filter(|grade| (1..=12).contains(grade))
}

/// Draws each register's members.
pub(crate) fn draw(population: &Population, seed: u64, rates: &ExtractRates) -> Registers {
    let mut rng = Rng::new(seed, 4);
    let mut registers = Registers {
        hukou: Vec::new(),
        birth: Vec::new(),
        death: Vec::new(),
        school: Vec::new(),
        insurance: Vec::new(),
    };
    for person in &population.people {
        let key = person.key;
        let is_local = person.hukou_village.is_some();
        let has_id = person.id_number.is_some();
        let is_in_hukou = match person.presence {
            // An infant not yet registered has no hukou entry (户口待定).
            Presence::Resident | Presence::Away => is_local && has_id,
            Presence::Dead => is_local && rng.chance(rates.dead_not_cancelled),
            // Not yet registered at the extraction.
            Presence::BornAfter => false,
        };
        if is_in_hukou {
            registers.hukou.push(key);
        }
        let is_recent_birth = person.presence == Presence::BornAfter
            || person.presence == Presence::Resident && is_born_in_period(population, key);
        if is_recent_birth && rng.chance(rates.birth_registration) {
            registers.birth.push(key);
        }
        // The year's dead, and residents who died after the reference moment.
        if person.death.is_some() && rng.chance(rates.death_registration) {
            registers.death.push(key);
        }
        if person.presence == Presence::Resident
            && school_grade(person.birth).is_some()
            && rng.chance(rates.school_enrolment)
        {
            registers.school.push(key);
        }
        let is_insured = match person.presence {
            Presence::Resident => rng.chance(rates.insurance_coverage),
            Presence::Away => rng.chance(rates.insurance_stale),
            Presence::Dead | Presence::BornAfter => false,
        };
        if is_insured {
            registers.insurance.push(key);
        }
    }
    registers
}

#[cfg(test)]
mod tests {
    use censuslink_model::{PartialDate, Role};

    use crate::census::{CensusRates, enumerate, is_born_in_period};
    use crate::extracts::{ExtractRates, draw, school_grade};
    use crate::population::{
        EXTRACTION_DAYS, PopulationRates, Presence, age_at_reference, generate, reference_days,
    };

    #[test]
    fn grades_follow_the_31_august_cutoff() {
        let grade = |y, m, d| school_grade(PartialDate::new(y, m, d).expect("a date"));
        // Grade 1 in 2020-21: born 2013-09-01 to 2014-08-31, aged 6 or 7 on 1 November.
        assert_eq!(grade(2014, 8, 31), Some(1));
        assert_eq!(grade(2013, 9, 1), Some(1));
        assert_eq!(grade(2013, 8, 31), Some(2));
        assert_eq!(grade(2014, 9, 1), None, "starts school next year");
        // Senior 3: born 2002-09-01 to 2003-08-31, aged 17 or 18.
        assert_eq!(grade(2002, 9, 1), Some(12));
        assert_eq!(grade(2003, 8, 31), Some(12));
        assert_eq!(grade(2003, 9, 1), Some(11));
        assert_eq!(grade(2002, 8, 31), None, "left school");
        let ages: Vec<u16> = [(2014, 8, 31), (2013, 9, 1), (2002, 9, 1), (2003, 8, 31)]
            .iter()
            .map(|&(y, m, d)| age_at_reference(PartialDate::new(y, m, d).expect("a date")))
            .collect();
        assert_eq!(ages, [6, 7, 18, 17]);
    }

    #[test]
    fn registers_hold_whom_departments_hold() {
        let population = generate(30_000, 9, &PopulationRates::standard());
        let rates = ExtractRates::standard();
        let registers = draw(&population, 9, &rates);
        assert_eq!(registers, draw(&population, 9, &rates), "deterministic");
        let person = |key: u32| &population.people[key as usize];

        assert!(
            registers.hukou.iter().all(|&k| person(k).hukou_village.is_some()),
            "hukou holds locals only"
        );
        let n_dead =
            population.people.iter().filter(|p| p.presence == Presence::Dead).count() as f64;
        let stale_dead =
            registers.hukou.iter().filter(|&&k| person(k).presence == Presence::Dead).count()
                as f64;
        // About 210 dead: 4.5 standard deviations of a share of them.
        let p = rates.dead_not_cancelled;
        assert!(
            (stale_dead / n_dead - p).abs() < 4.5 * (p * (1.0 - p) / n_dead).sqrt(),
            "dead not cancelled {}",
            stale_dead / n_dead
        );
        assert!(
            registers.hukou.iter().any(|&k| person(k).presence == Presence::Away),
            "and people who left"
        );

        // Births and deaths are recorded up to the extraction, 45 days after the moment: the
        // census must count the births before it and the people who died after it.
        let extraction = reference_days() + EXTRACTION_DAYS;
        for &key in &registers.birth {
            let born = person(key).birth.to_days_since_epoch();
            assert_eq!(
                is_born_in_period(&population, key),
                person(key).presence == Presence::Resident
            );
            assert!((reference_days() - 365..extraction).contains(&born));
        }
        for &key in &registers.death {
            let died = person(key).death.expect("a death date").to_days_since_epoch();
            assert_eq!(died < reference_days(), person(key).presence == Presence::Dead);
            assert!((reference_days() - 365..extraction).contains(&died));
        }
        let after =
            |presence| registers.birth.iter().filter(|&&k| person(k).presence == presence).count();
        assert!(
            after(Presence::BornAfter) > 10,
            "births after the moment: {}",
            after(Presence::BornAfter)
        );
        let died_after =
            registers.death.iter().filter(|&&k| person(k).presence == Presence::Resident).count();
        assert!(died_after > 10, "deaths after the moment: {died_after}");
        // The school register holds the twelve cohorts of the school year and none else.
        let is_schooled = |key: u32| school_grade(person(key).birth).is_some();
        assert!(registers.school.iter().all(|&k| is_schooled(k)));
        let n_school_age =
            population.residents().filter(|p| school_grade(p.birth).is_some()).count() as f64;
        let enrolment = registers.school.len() as f64 / n_school_age;
        assert!((enrolment - rates.school_enrolment).abs() < 0.01, "enrolment {enrolment}");
        let n_residents = population.residents().count() as f64;
        let insured_residents = registers
            .insurance
            .iter()
            .filter(|&&k| person(k).presence == Presence::Resident)
            .count() as f64;
        assert!((insured_residents / n_residents - rates.insurance_coverage).abs() < 0.01);

        // Most people the census missed are in some register: they are findable.
        let census = enumerate(&population, 9, &CensusRates::standard());
        let findable =
            census.omitted.iter().filter(|&&k| !registers.holding(k).is_empty()).count() as f64;
        assert!(findable / census.omitted.len() as f64 > 0.9, "{findable}");
        let roles = registers.holding(registers.school[0]);
        assert!(roles.contains(&Role::School) && !roles.contains(&Role::Census));
    }
}
