//! A synthetic census district with ground truth: people and households of a real prefecture's
//! villages, the census that enumerates them (with its omissions and duplicates) and the
//! departmental extracts that record them, with the truth beside them. Deterministic for a
//! seed. Everything the product's accuracy figures are measured on comes from here.

#![warn(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod census;
mod extracts;
mod geography;
mod names;
mod population;
mod rng;

use crate::census::{Census, CensusRates};
use crate::extracts::{ExtractRates, Registers};
use crate::population::{Population, PopulationRates, Presence};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthConfig {
    /// Usual residents of the district (whole households: the count may be passed by a few).
    pub persons: usize,
    /// The seed; the same seed gives the same district.
    pub seed: u64,
}

/// A generated district: its true population, the census of it and who each department's
/// register holds (the files, with each department's formats and recording errors, come with
/// the next step of the generator).
#[derive(Debug, Clone, PartialEq)]
pub struct District {
    population: Population,
    census: Census,
    registers: Registers,
}

impl District {
    /// Usual residents: people living in the district at the reference moment.
    pub fn n_residents(&self) -> usize {
        self.population.residents().count()
    }

    /// People with hukou in the district who live elsewhere.
    pub fn n_away(&self) -> usize {
        self.population.people.iter().filter(|p| p.presence == Presence::Away).count()
    }

    /// People who died in the year before the reference moment.
    pub fn n_dead(&self) -> usize {
        self.population.people.iter().filter(|p| p.presence == Presence::Dead).count()
    }

    /// Households.
    pub fn n_households(&self) -> usize {
        self.population.households.len()
    }

    /// Census person records.
    pub fn n_census_records(&self) -> usize {
        self.census.records.len()
    }

    /// Usual residents the census missed.
    pub fn n_omitted(&self) -> usize {
        self.census.omitted.len()
    }

    /// Births of the year before the reference moment that the census missed.
    pub fn n_births_not_enumerated(&self) -> usize {
        self.census.births_not_enumerated(&self.population).count()
    }

    /// The dead the census listed as residents.
    pub fn n_dead_enumerated(&self) -> usize {
        self.census.dead_enumerated.len()
    }

    /// Entries of the register of `role` (0 for the census, which is no register).
    pub fn n_register_entries(&self, role: censuslink_model::Role) -> usize {
        self.registers.of(role).len()
    }

    /// Omitted usual residents whom at least one register holds: the missed people the
    /// product can find.
    pub fn n_omitted_findable(&self) -> usize {
        self.census.omitted.iter().filter(|&&key| !self.registers.holding(key).is_empty()).count()
    }
}

/// Generates the district of `config`.
///
/// ```
/// let config = censuslink_synth::SynthConfig { persons: 1_000, seed: 7 };
/// let district = censuslink_synth::generate(&config);
/// assert!(district.n_residents() >= 1_000);
/// assert!(district.n_census_records() > district.n_residents() - district.n_omitted());
/// assert_eq!(district, censuslink_synth::generate(&config), "deterministic");
/// ```
pub fn generate(config: &SynthConfig) -> District {
    let population =
        population::generate(config.persons, config.seed, &PopulationRates::standard());
    let census = census::enumerate(&population, config.seed, &CensusRates::standard());
    let registers = extracts::draw(&population, config.seed, &ExtractRates::standard());
    District { population, census, registers }
}
