//! Who each department's register holds, as of the extraction, with the staleness real
//! registers have: hukou keeps the dead it was not told about and the people who left; school
//! and insurance hold the district's actual residents with gaps. Membership and truth only;
//! the error model renders each entry's values in the department's own format.

use censuslink_model::{PartialDate, Relation, Role};

use crate::census::is_born_in_period;
use crate::population::{EXTRACTION_DAYS, Population, Presence, REFERENCE, reference_days};
use crate::rng::Rng;

/// The registers' rates.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ExtractRates {
    /// The year's dead still on the hukou register as living (应销未销); the others are there
    /// as `死亡注销`, cancelled a few weeks after the death.
    pub(crate) dead_not_cancelled: f64,
    /// Residents of school age (grades 1-12 by [`school_grade`]) enrolled in the district's
    /// schools.
    pub(crate) school_enrolment: f64,
    /// Children of school age living away still on the district's rolls, `在籍` (60 %) or
    /// `转出` (transferred out).
    pub(crate) school_stale: f64,
    /// Residents insured in the district (about 95 % per the issue).
    pub(crate) insurance_coverage: f64,
    /// Of insured residents, those whose contributions are suspended (`暂停缴费`).
    pub(crate) insurance_suspended: f64,
    /// People living elsewhere still insured in the district; of them, 60 % suspended.
    pub(crate) insurance_stale: f64,
    /// The year's dead whose insurance shows them, ended (`终止参保`).
    pub(crate) insurance_dead: f64,
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
            school_stale: 0.5,
            insurance_coverage: 0.95,
            insurance_suspended: 0.02,
            insurance_stale: 0.4,
            insurance_dead: 0.5,
            birth_registration: 0.97,
            death_registration: 0.95,
        }
    }
}

/// A register entry's status as the department's own column gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// Hukou `正常`, insurance `参保缴费`, school `在籍`; births and deaths have no status.
    Active,
    /// Hukou `死亡注销` on this day.
    DeathCancelled(PartialDate),
    /// Hukou `迁出注销` on this day.
    MovedOut(PartialDate),
    /// Insurance `暂停缴费`.
    Suspended,
    /// Insurance `终止参保`.
    Ended,
    /// School `转出`.
    TransferredOut,
}

/// One department's register: the people it holds, in person-key order, and each entry's
/// status.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Register {
    pub(crate) people: Vec<u32>,
    pub(crate) statuses: Vec<Status>,
}

impl Register {
    fn push(&mut self, key: u32, status: Status) {
        self.people.push(key);
        self.statuses.push(status);
    }
}

/// The people each register holds, by role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Registers {
    pub(crate) hukou: Register,
    pub(crate) birth: Register,
    pub(crate) death: Register,
    pub(crate) school: Register,
    pub(crate) insurance: Register,
}

impl Registers {
    /// The register of `role`; the census is not one of them.
    pub(crate) fn register(&self, role: Role) -> Option<&Register> {
        match role {
            Role::Hukou => Some(&self.hukou),
            Role::Birth => Some(&self.birth),
            Role::Death => Some(&self.death),
            Role::School => Some(&self.school),
            Role::Insurance => Some(&self.insurance),
            Role::Census | Role::Records => None,
        }
    }

    /// The people the register of `role` holds (none for the census).
    pub(crate) fn of(&self, role: Role) -> &[u32] {
        self.register(role).map_or(&[], |register| &register.people)
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

/// Draws each register's members and their statuses.
pub(crate) fn draw(population: &Population, seed: u64, rates: &ExtractRates) -> Registers {
    let mut rng = Rng::new(seed, 4);
    let mut registers = Registers {
        hukou: Register::default(),
        birth: Register::default(),
        death: Register::default(),
        school: Register::default(),
        insurance: Register::default(),
    };
    let extraction = reference_days() + EXTRACTION_DAYS;
    let day = |days: i32| PartialDate::from_days_since_epoch(days).expect("a day in range");
    for person in &population.people {
        let key = person.key;
        let is_local = person.hukou_village.is_some();
        let has_id = person.id_number.is_some();
        let hukou = match person.presence {
            // An infant not yet registered has no hukou entry (户口待定).
            Presence::Resident | Presence::Away if is_local && has_id => {
                let moved_out = person.moved_out.filter(|d| d.to_days_since_epoch() < extraction);
                Some(moved_out.map_or(Status::Active, Status::MovedOut))
            }
            Presence::Dead if is_local && has_id => {
                let died = person.death.expect("the dead have a death date").to_days_since_epoch();
                let cancelled = died + 3 + rng.below(60) as i32;
                let is_cancelled = !rng.chance(rates.dead_not_cancelled) && cancelled < extraction;
                Some(if is_cancelled {
                    Status::DeathCancelled(day(cancelled))
                } else {
                    Status::Active
                })
            }
            Presence::LongDead => Some(Status::Active),
            _ => None,
        };
        if let Some(status) = hukou {
            registers.hukou.push(key, status);
        }
        // Births at the district's hospitals: its residents' (an infant who died among them),
        // and the children of mothers living elsewhere.
        let is_recent_birth = match person.presence {
            Presence::BornAfter => true,
            Presence::Resident | Presence::Dead => is_born_in_period(population, key),
            Presence::Elsewhere => person.relation == Relation::Child,
            Presence::Away | Presence::LongDead => false,
        };
        if is_recent_birth && rng.chance(rates.birth_registration) {
            registers.birth.push(key, Status::Active);
        }
        // The year's dead, and residents who died after the reference moment.
        let is_recent_death = person.death.is_some() && person.presence != Presence::LongDead;
        if is_recent_death && rng.chance(rates.death_registration) {
            registers.death.push(key, Status::Active);
        }
        let is_school_age = school_grade(person.birth).is_some();
        match person.presence {
            Presence::Resident if is_school_age && rng.chance(rates.school_enrolment) => {
                registers.school.push(key, Status::Active);
            }
            Presence::Away if is_school_age && rng.chance(rates.school_stale) => {
                let status = if rng.chance(0.6) { Status::Active } else { Status::TransferredOut };
                registers.school.push(key, status);
            }
            _ => {}
        }
        let insurance = match person.presence {
            Presence::Resident => rng.chance(rates.insurance_coverage).then(|| {
                if rng.chance(rates.insurance_suspended) {
                    Status::Suspended
                } else {
                    Status::Active
                }
            }),
            Presence::Away => rng
                .chance(rates.insurance_stale)
                .then(|| if rng.chance(0.6) { Status::Suspended } else { Status::Active }),
            Presence::Dead => rng.chance(rates.insurance_dead).then_some(Status::Ended),
            _ => None,
        };
        if let Some(status) = insurance {
            registers.insurance.push(key, status);
        }
    }
    registers
}

#[cfg(test)]
mod tests {
    use censuslink_model::{PartialDate, Role};

    use crate::census::{CensusRates, enumerate, is_born_in_period};
    use crate::extracts::{ExtractRates, Status, draw, school_grade};
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
        let population = generate(30_000, 9, None, &PopulationRates::standard());
        let rates = ExtractRates::standard();
        let registers = draw(&population, 9, &rates);
        assert_eq!(registers, draw(&population, 9, &rates), "deterministic");
        let person = |key: u32| &population.people[key as usize];
        let entries = |role: Role| {
            let register = registers.register(role).expect("a register");
            register.people.iter().copied().zip(register.statuses.iter().copied())
        };

        assert!(
            entries(Role::Hukou).all(|(k, _)| person(k).hukou_village.is_some()),
            "hukou holds locals only"
        );
        // Every dead local with an ID is there, a share still as living (应销未销).
        let dead_entries: Vec<Status> = entries(Role::Hukou)
            .filter(|&(k, _)| person(k).presence == Presence::Dead)
            .map(|(_, status)| status)
            .collect();
        let n_dead = dead_entries.len() as f64;
        let stale_dead = dead_entries.iter().filter(|&&s| s == Status::Active).count() as f64;
        // About 210 dead: 4.5 standard deviations of a share of them.
        let p = rates.dead_not_cancelled;
        assert!(
            (stale_dead / n_dead - p).abs() < 4.5 * (p * (1.0 - p) / n_dead).sqrt(),
            "dead not cancelled {}",
            stale_dead / n_dead
        );
        assert!(dead_entries.iter().any(|s| matches!(s, Status::DeathCancelled(_))));
        let status_of = |presence: Presence| {
            entries(Role::Hukou).filter(move |&(k, _)| person(k).presence == presence)
        };
        assert!(status_of(Presence::Away).any(|(_, s)| s == Status::Active), "people who left");
        assert!(status_of(Presence::Away).any(|(_, s)| matches!(s, Status::MovedOut(_))));
        assert!(status_of(Presence::LongDead).count() > 50, "and the long dead");
        assert!(status_of(Presence::LongDead).all(|(_, s)| s == Status::Active));
        assert!(status_of(Presence::Resident).all(|(_, s)| s == Status::Active));

        // Births and deaths are recorded up to the extraction, 45 days after the moment: the
        // census must count the births before it and the people who died after it.
        let extraction = reference_days() + EXTRACTION_DAYS;
        for &key in registers.of(Role::Birth) {
            let born = person(key).birth.to_days_since_epoch();
            assert_eq!(
                is_born_in_period(&population, key),
                person(key).presence != Presence::BornAfter
                    && (person(key).presence != Presence::Elsewhere || born < reference_days())
            );
            assert!((reference_days() - 365..extraction).contains(&born));
        }
        for &key in registers.of(Role::Death) {
            let died = person(key).death.expect("a death date").to_days_since_epoch();
            assert_eq!(died < reference_days(), person(key).presence == Presence::Dead);
            assert!((reference_days() - 365..extraction).contains(&died));
        }
        let after = |presence| {
            registers.of(Role::Birth).iter().filter(|&&k| person(k).presence == presence).count()
        };
        assert!(
            after(Presence::BornAfter) > 10,
            "births after the moment: {}",
            after(Presence::BornAfter)
        );
        assert!(after(Presence::Elsewhere) > 10, "births to mothers living elsewhere");
        assert!(after(Presence::Dead) > 0, "an infant who died");
        let died_after = registers
            .of(Role::Death)
            .iter()
            .filter(|&&k| person(k).presence == Presence::Resident)
            .count();
        assert!(died_after > 10, "deaths after the moment: {died_after}");
        // The school register holds the twelve cohorts of the school year and none else.
        let is_schooled = |key: u32| school_grade(person(key).birth).is_some();
        assert!(registers.of(Role::School).iter().all(|&k| is_schooled(k)));
        let n_school_age =
            population.residents().filter(|p| school_grade(p.birth).is_some()).count() as f64;
        let enrolled_residents = entries(Role::School)
            .filter(|&(k, _)| person(k).presence == Presence::Resident)
            .count() as f64;
        let enrolment = enrolled_residents / n_school_age;
        assert!((enrolment - rates.school_enrolment).abs() < 0.01, "enrolment {enrolment}");
        let n_residents = population.residents().count() as f64;
        let insured_residents = entries(Role::Insurance)
            .filter(|&(k, _)| person(k).presence == Presence::Resident)
            .count() as f64;
        assert!(
            entries(Role::School)
                .any(|(k, s)| person(k).presence == Presence::Away && s == Status::TransferredOut),
            "children gone, some still on the rolls"
        );
        let suspended_away = entries(Role::Insurance)
            .filter(|&(k, s)| person(k).presence == Presence::Away && s == Status::Suspended)
            .count();
        assert!(suspended_away > 0 && entries(Role::Insurance).any(|(_, s)| s == Status::Ended));
        assert!((insured_residents / n_residents - rates.insurance_coverage).abs() < 0.01);

        // Most people the census missed are in some register: they are findable.
        let census = enumerate(&population, 9, &CensusRates::standard());
        let findable =
            census.omitted.iter().filter(|&&k| !registers.holding(k).is_empty()).count() as f64;
        assert!(findable / census.omitted.len() as f64 > 0.9, "{findable}");
        let roles = registers.holding(registers.of(Role::School)[0]);
        assert!(roles.contains(&Role::School) && !roles.contains(&Role::Census));
    }
}
