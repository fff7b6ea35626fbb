//! The census of the district: who is enumerated where, as what, by whom; who is missed, who
//! is counted twice, and which of the dead were listed. Structure and truth only: the values a
//! record shows (with their recording errors) are rendered from its person by the error model.

use std::collections::BTreeMap;

use censuslink_model::{CollectionMode, RecordType, Relation};

use crate::population::{
    Household, Population, Presence, age_at_reference, is_born_in_year_before, reference_days,
};
use crate::rng::Rng;

/// The census's rates.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CensusRates {
    /// Usual residents not enumerated anywhere: 2-4 % per the issue.
    pub(crate) omission: f64,
    /// How much likelier than average an in-migrant, a young adult (18-30) and an infant
    /// (under 1) is to be missed; the rest get `1`, and the multipliers of a person multiply.
    pub(crate) omission_migrant: f64,
    pub(crate) omission_young_adult: f64,
    pub(crate) omission_infant: f64,
    /// Usual residents enumerated twice as residents: 0.5-1 % per the issue.
    pub(crate) duplication: f64,
    /// Registered-away people whose hukou-place listing is missed, where it is made.
    pub(crate) away_omission: f64,
    /// Empty registered dwellings (every member registered there lives elsewhere) whose
    /// `户口在本户外出` listing the enumerator makes: only sometimes, no one being there to
    /// ask.
    pub(crate) empty_dwelling_listed: f64,
    /// Households living in another village of the district listed at their registered
    /// dwelling as `户口在本户外出` too, as the rules ask.
    pub(crate) separated_listed: f64,
    /// The year's dead whom their household still listed.
    pub(crate) dead_enumerated: f64,
    /// Records that households filled in themselves online (自主填报).
    pub(crate) self_report: f64,
}

impl CensusRates {
    /// The rates the generator is documented with (docs/synthetic-data.md).
    pub(crate) fn standard() -> CensusRates {
        CensusRates {
            omission: 0.03,
            omission_migrant: 2.5,
            omission_young_adult: 1.8,
            omission_infant: 3.0,
            duplication: 0.008,
            away_omission: 0.05,
            empty_dwelling_listed: 0.4,
            separated_listed: 0.5,
            dead_enumerated: 0.05,
            self_report: 0.3,
        }
    }
}

/// Why a person has a second resident record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum DuplicateKind {
    /// Listed where they live and, as a resident, at their hukou address in the district.
    HukouAndResidence,
    /// Listed in their own enumeration area and, with another household, in another one.
    TwoAreas,
    /// Filled in online by the household and entered again by the enumerator.
    SelfReportAndEnumerator,
}

/// One census person record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CensusRecord {
    /// The true person.
    pub(crate) person: u32,
    /// The 15-digit enumeration area code.
    pub(crate) enumeration_area: u64,
    /// The household (key into [`Population::households`]) whose listing holds the record:
    /// the person's own, or a neighbour's for a duplicate in two areas. A hukou-and-residence
    /// duplicate is in its own household's listing at the household's registered dwelling,
    /// a listing of its own in `enumeration_area`.
    pub(crate) household: u32,
    /// The relation to the head of the listing, as the form gives it.
    pub(crate) relation: Relation,
    pub(crate) record_type: RecordType,
    pub(crate) mode: CollectionMode,
    /// Why this record repeats an earlier one of the same person, for the second record of a
    /// duplicate.
    pub(crate) duplicate: Option<DuplicateKind>,
    /// Listed at the registered dwelling of a household living in another village of the
    /// district: a listing of its own in `enumeration_area`.
    pub(crate) at_registration: bool,
}

/// The census and its truth.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Census {
    pub(crate) records: Vec<CensusRecord>,
    /// Usual residents with no resident record, in key order.
    pub(crate) omitted: Vec<u32>,
    /// The dead listed as residents, in key order.
    pub(crate) dead_enumerated: Vec<u32>,
}

/// Enumerates `population`: each usual resident once in the area they live in (unless
/// missed), each registered-away person once at their hukou household as `registered_away`,
/// some residents twice, some of the dead once. Records are in the order households are
/// visited, each duplicate right after the record it repeats; the census file orders them by
/// listing.
pub(crate) fn enumerate(population: &Population, seed: u64, rates: &CensusRates) -> Census {
    let mut rng = Rng::new(seed, 3);
    let people = &population.people;
    let multiplier = |key: u32| {
        let person = &people[key as usize];
        let age = age_at_reference(person.birth);
        let mut m = 1.0;
        if person.hukou_village.is_none() {
            m *= rates.omission_migrant;
        }
        if (18..=30).contains(&age) {
            m *= rates.omission_young_adult;
        }
        if age == 0 {
            m *= rates.omission_infant;
        }
        m
    };
    let residents: Vec<u32> = population.residents().map(|p| p.key).collect();
    let mean_multiplier =
        residents.iter().map(|&k| multiplier(k)).sum::<f64>() / residents.len().max(1) as f64;

    // Each household fills in one form, by one mode; drawn first, so that a duplicate listed
    // with a household further on takes that household's mode.
    let modes: Vec<CollectionMode> =
        population.households.iter().map(|_| collection_mode(&mut rng, rates)).collect();
    let mut hukou_listings = BTreeMap::new();
    let mut records = Vec::new();
    let mut omitted = Vec::new();
    let mut dead_enumerated = Vec::new();
    let reference = reference_days();
    for household in population.households.iter().filter(|h| h.outside.is_none()) {
        let mode = modes[household.key as usize];
        // An empty dwelling is listed only sometimes; a household living in another village
        // is listed at its registered dwelling too, in a listing of its own.
        let is_empty =
            household.members.iter().all(|&k| people[k as usize].presence == Presence::Away);
        let is_listed = !is_empty || rng.chance(rates.empty_dwelling_listed);
        let registration = household
            .registered_elsewhere
            .filter(|_| rng.chance(rates.separated_listed))
            .map(|registration| {
                let mode = collection_mode(&mut rng, rates);
                hukou_listings.insert(household.key, (mode, true));
                (registration, mode)
            });
        for &key in &household.members {
            let person = &people[key as usize];
            let record = |record_type| CensusRecord {
                person: key,
                enumeration_area: household.enumeration_area,
                household: household.key,
                relation: person.relation,
                record_type,
                mode,
                duplicate: None,
                at_registration: false,
            };
            match person.presence {
                Presence::Resident => {
                    if rng.chance(rates.omission * multiplier(key) / mean_multiplier) {
                        omitted.push(key);
                    } else {
                        records.push(record(RecordType::Resident));
                    }
                    // Listed twice as a resident, or (someone omitted too) at the registered
                    // dwelling as living away.
                    let is_omitted = omitted.last() == Some(&key);
                    if !is_omitted && rng.chance(rates.duplication) {
                        let hosts = Hosts { modes: &modes, hukou_listings: &mut hukou_listings };
                        records.push(duplicate(population, hosts, key, rates, &mut rng));
                    } else if let Some((registration, mode)) =
                        registration.filter(|_| person.id_number.is_some())
                    {
                        records.push(CensusRecord {
                            enumeration_area: registration.enumeration_area,
                            mode,
                            at_registration: true,
                            ..record(RecordType::RegisteredAway)
                        });
                    }
                }
                Presence::Away => {
                    let is_registered_here =
                        person.moved_out.is_none_or(|day| day.to_days_since_epoch() >= reference);
                    // Listed where the hukou is: the household's dwelling, or the registered
                    // dwelling of a household living in another village.
                    let listing = match household.registered_elsewhere {
                        None => is_listed.then_some((household.enumeration_area, mode, false)),
                        Some(_) => registration.map(|(r, mode)| (r.enumeration_area, mode, true)),
                    };
                    let Some((area, mode, at_registration)) = listing else { continue };
                    // Only someone with a hukou (an ID number) is listed where it is.
                    if is_registered_here
                        && !rng.chance(rates.away_omission)
                        && person.id_number.is_some()
                    {
                        records.push(CensusRecord {
                            enumeration_area: area,
                            mode,
                            at_registration,
                            ..record(RecordType::RegisteredAway)
                        });
                    }
                }
                Presence::Dead if rng.chance(rates.dead_enumerated) => {
                    records.push(record(RecordType::Resident));
                    dead_enumerated.push(key);
                }
                Presence::Dead | Presence::BornAfter | Presence::LongDead | Presence::Elsewhere => {
                }
            }
        }
    }
    omitted.sort_unstable();
    dead_enumerated.sort_unstable();
    Census { records, omitted, dead_enumerated }
}

fn collection_mode(rng: &mut Rng, rates: &CensusRates) -> CollectionMode {
    if rng.chance(rates.self_report) {
        CollectionMode::SelfReport
    } else {
        CollectionMode::Enumerator
    }
}

/// The listings a duplicate can join: each household's collection mode, and the listings made
/// so far at registered dwellings (household → the listing's mode, and whether its first
/// person, listed as head, is the household's head).
struct Hosts<'a> {
    modes: &'a [CollectionMode],
    hukou_listings: &'a mut BTreeMap<u32, (CollectionMode, bool)>,
}

/// The second resident record of person `key`, a resident listed at home.
fn duplicate(
    population: &Population,
    hosts: Hosts<'_>,
    key: u32,
    rates: &CensusRates,
    rng: &mut Rng,
) -> CensusRecord {
    let person = &population.people[key as usize];
    let home = &population.households[person.household as usize];
    let record = |household: &Household, relation, mode, kind| CensusRecord {
        person: key,
        enumeration_area: household.enumeration_area,
        household: household.key,
        relation,
        record_type: RecordType::Resident,
        mode,
        duplicate: Some(kind),
        at_registration: false,
    };
    // Someone registered in another village of the district is the one listed at the hukou
    // address too: in a listing of their household's own at its registered dwelling, whose
    // first person is its head. Anyone else is listed with a household of another area (one of
    // the next 200 in the district's order), or twice in their own household's form (once by
    // self-report, once by the enumerator).
    if let Some(registration) = home.registered_elsewhere {
        let is_head = person.relation == Relation::Head;
        let (mode, relation) = match hosts.hukou_listings.get(&home.key) {
            Some(&(mode, true)) => (mode, person.relation),
            Some(&(mode, false)) => (mode, Relation::Other),
            None => {
                let mode = collection_mode(rng, rates);
                hosts.hukou_listings.insert(home.key, (mode, is_head));
                (mode, Relation::Head)
            }
        };
        return CensusRecord {
            enumeration_area: registration.enumeration_area,
            at_registration: true,
            ..record(home, relation, mode, DuplicateKind::HukouAndResidence)
        };
    }
    let neighbour = rng
        .chance(0.5)
        .then(|| population.households.get(home.key as usize + 1 + rng.below(200) as usize))
        .flatten()
        .filter(|h| h.outside.is_none() && h.enumeration_area != home.enumeration_area);
    match neighbour {
        Some(neighbour) => {
            let mode = hosts.modes[neighbour.key as usize];
            record(neighbour, Relation::Other, mode, DuplicateKind::TwoAreas)
        }
        None => {
            let mode = match hosts.modes[home.key as usize] {
                CollectionMode::SelfReport => CollectionMode::Enumerator,
                CollectionMode::Enumerator => CollectionMode::SelfReport,
            };
            record(home, person.relation, mode, DuplicateKind::SelfReportAndEnumerator)
        }
    }
}

impl Census {
    /// Omitted people born in the year before the reference moment (the census's H3 period,
    /// 2019-11-01 to 2020-10-31): the births not enumerated.
    pub(crate) fn births_not_enumerated<'a>(
        &'a self,
        population: &'a Population,
    ) -> impl Iterator<Item = u32> + 'a {
        self.omitted.iter().copied().filter(|&key| is_born_in_period(population, key))
    }
}

/// Whether a person was born in the year before the reference moment.
pub(crate) fn is_born_in_period(population: &Population, key: u32) -> bool {
    is_born_in_year_before(population.people[key as usize].birth)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use censuslink_model::{CollectionMode, RecordType, Relation};

    use crate::census::{CensusRates, DuplicateKind, enumerate, is_born_in_period};
    use crate::population::{PopulationRates, Presence, age_at_reference, generate};

    #[test]
    fn the_census_lists_whom_the_rules_say() {
        let population = generate(30_000, 3, None, &PopulationRates::standard());
        let rates = CensusRates::standard();
        let census = enumerate(&population, 3, &rates);
        assert_eq!(census, enumerate(&population, 3, &rates), "deterministic");

        // Each person's resident records, and the records listing them as living away.
        let mut per_person: BTreeMap<u32, Vec<_>> = BTreeMap::new();
        let mut away: BTreeMap<u32, Vec<_>> = BTreeMap::new();
        for record in &census.records {
            let records = match record.record_type {
                RecordType::Resident => &mut per_person,
                RecordType::RegisteredAway => &mut away,
            };
            records.entry(record.person).or_default().push(record);
        }
        let n_residents = population.residents().count() as f64;
        let omission = census.omitted.len() as f64 / n_residents;
        assert!((omission - rates.omission).abs() < 0.004, "omission {omission}");
        for &key in &census.omitted {
            assert_eq!(population.people[key as usize].presence, Presence::Resident);
            assert!(!per_person.contains_key(&key), "an omitted person has no resident record");
        }

        let is_migrant = |key: &u32| population.people[*key as usize].hukou_village.is_none();
        let migrant_rate = census.omitted.iter().filter(|k| is_migrant(k)).count() as f64
            / population.residents().filter(|p| p.hukou_village.is_none()).count() as f64;
        let local_rate = census.omitted.iter().filter(|k| !is_migrant(k)).count() as f64
            / population.residents().filter(|p| p.hukou_village.is_some()).count() as f64;
        assert!(migrant_rate > 2.0 * local_rate, "migrants {migrant_rate}, locals {local_rate}");

        let duplicated: Vec<_> = per_person.values().filter(|records| records.len() > 1).collect();
        let duplication = duplicated.len() as f64 / n_residents;
        assert!((0.005..=0.011).contains(&duplication), "duplication {duplication}");
        // The mode of each household's own records: one form, one mode.
        let mut modes: BTreeMap<u32, CollectionMode> = BTreeMap::new();
        for record in census.records.iter().filter(|r| r.duplicate.is_none() && !r.at_registration)
        {
            let mode = *modes.entry(record.household).or_insert(record.mode);
            assert_eq!(mode, record.mode, "household {}", record.household);
        }
        // Listings at registered dwellings: (household, area) → relations listed there.
        let mut hukou_listings: BTreeMap<(u32, u64), Vec<Relation>> = BTreeMap::new();
        for record in census.records.iter().filter(|r| r.at_registration) {
            let home = &population.households[record.household as usize];
            let registration = home.registered_elsewhere.expect("registered elsewhere");
            assert_eq!(record.enumeration_area, registration.enumeration_area);
            let key = (record.household, record.enumeration_area);
            hukou_listings.entry(key).or_default().push(record.relation);
        }
        let mut kinds = BTreeMap::new();
        for records in &duplicated {
            assert_eq!(records.len(), 2);
            assert!(records.iter().all(|r| r.record_type == RecordType::Resident));
            let (first, second) = (records[0], records[1]);
            let person = &population.people[first.person as usize];
            let kind = second.duplicate.expect("the second record says why");
            *kinds.entry(kind).or_insert(0) += 1;
            match kind {
                DuplicateKind::SelfReportAndEnumerator => {
                    assert_eq!(first.enumeration_area, second.enumeration_area);
                    assert_eq!(first.household, second.household);
                    assert_ne!(first.mode, second.mode);
                    assert_eq!(second.relation, person.relation);
                }
                DuplicateKind::TwoAreas => {
                    assert_ne!(first.enumeration_area, second.enumeration_area);
                    assert_ne!(first.household, second.household);
                    assert_eq!(second.relation, Relation::Other);
                    // The host household's mode, when it has a form of its own.
                    if let Some(&host_mode) = modes.get(&second.household) {
                        assert_eq!(second.mode, host_mode);
                    }
                }
                DuplicateKind::HukouAndResidence => {
                    let home = &population.households[person.household as usize];
                    let registration = home.registered_elsewhere.expect("registered elsewhere");
                    assert_eq!(second.household, home.key);
                    assert_eq!(second.enumeration_area, registration.enumeration_area);
                    assert_eq!(Some(second.enumeration_area / 1_000), person.hukou_village);
                    assert_ne!(first.enumeration_area, second.enumeration_area);
                }
            }
        }
        assert_eq!(kinds.len(), 3, "every kind of duplicate: {kinds:?}");
        // Each household's own listing at its registered dwelling, with one head at most.
        let n_separated =
            population.households.iter().filter(|h| h.registered_elsewhere.is_some()).count();
        let listed_share = hukou_listings.len() as f64 / n_separated as f64;
        assert!((listed_share - rates.separated_listed).abs() < 0.06, "{listed_share}");
        for relations in hukou_listings.values() {
            let n_heads = relations.iter().filter(|&&r| r == Relation::Head).count();
            assert!(n_heads <= 1, "{relations:?}");
        }

        let reference = crate::population::reference_days();
        for person in population.people.iter().filter(|p| p.presence == Presence::Away) {
            assert!(!per_person.contains_key(&person.key));
            let records = away.get(&person.key).map_or(&[][..], Vec::as_slice);
            assert!(records.len() <= 1);
            if person.moved_out.is_some_and(|d| d.to_days_since_epoch() < reference) {
                assert!(records.is_empty(), "no listing where the hukou is no more");
            }
        }
        // Empty dwellings (everyone registered there lives away) are listed only sometimes.
        let empty: Vec<_> = population
            .households
            .iter()
            .filter(|h| h.outside.is_none())
            .filter(|h| {
                h.members.iter().all(|&k| population.people[k as usize].presence == Presence::Away)
            })
            .collect();
        let listed =
            empty.iter().filter(|h| h.members.iter().any(|k| away.contains_key(k))).count();
        let share = listed as f64 / empty.len() as f64;
        assert!(
            (share - rates.empty_dwelling_listed).abs() < 0.08,
            "empty dwellings listed {share}"
        );
        let n_dead = population.people.iter().filter(|p| p.presence == Presence::Dead).count();
        assert!(!census.dead_enumerated.is_empty() && census.dead_enumerated.len() * 5 < n_dead);
        let self_reported =
            census.records.iter().filter(|r| r.mode == CollectionMode::SelfReport).count() as f64;
        assert!((self_reported / census.records.len() as f64 - rates.self_report).abs() < 0.03);
        let infants_missed =
            census.omitted.iter().filter(|&&k| is_born_in_period(&population, k)).count();
        assert!(infants_missed > 0);
        assert!(
            census
                .omitted
                .iter()
                .all(|&k| age_at_reference(population.people[k as usize].birth) <= 100)
        );
    }
}
