//! A synthetic census district with ground truth: people and households of a real prefecture's
//! villages, the census that enumerates them (with its omissions and duplicates) and the
//! departmental extracts that record them, with the truth beside them. Deterministic for a
//! seed. Everything the product's accuracy figures are measured on comes from here.

#![warn(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod census;
mod errors;
mod extracts;
mod geography;
mod names;
mod population;
mod render;
mod rng;
mod truth;

use std::path::Path;

use censuslink_model::Role;

use crate::census::{Census, CensusRates};
use crate::extracts::{ExtractRates, Registers};
use crate::population::{Population, PopulationRates, Presence};

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthConfig {
    /// Usual residents of the district (whole households: the count may be passed by a few).
    pub persons: usize,
    /// The seed; the same seed gives the same district.
    pub seed: u64,
    /// A factor on every error rate of the error model: 1 for the documented rates, 0 for
    /// files without recording errors.
    pub error_scale: f64,
    /// How the census file is laid out.
    pub layout: Layout,
}

impl SynthConfig {
    /// `persons` usual residents from `seed`, at the documented error rates, in the 7th
    /// census's layout.
    pub fn new(persons: usize, seed: u64) -> SynthConfig {
        SynthConfig { persons, seed, error_scale: 1.0, layout: Layout::Census2020 }
    }
}

/// The layout of the census file (the registers' are the same in both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// The 7th census's short form as the offices hold it: census area, enumeration area,
    /// household and person numbers; the person category (`现住`, `户口在本户外出`); where the
    /// person lives and where the hukou is as categories, with a county code only for another
    /// county; birth year and month in two columns.
    Census2020,
    /// The product's first layout: one record key, the whole 15-digit area code, the hukou
    /// place's code for everyone.
    Classic,
}

impl Layout {
    /// Every layout.
    pub const ALL: [Layout; 2] = [Layout::Census2020, Layout::Classic];

    /// The layout's name (`census2020`, `classic`).
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::Census2020 => "census2020",
            Layout::Classic => "classic",
        }
    }
}

impl std::str::FromStr for Layout {
    type Err = ();

    fn from_str(text: &str) -> Result<Layout, ()> {
        Layout::ALL.into_iter().find(|layout| layout.as_str() == text).ok_or(())
    }
}

/// A generated district: its true population, the census of it and who each department's
/// register holds; [`District::write`] renders the files.
#[derive(Debug, Clone, PartialEq)]
pub struct District {
    config: SynthConfig,
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
/// let config = censuslink_synth::SynthConfig::new(1_000, 7);
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
    District { config: config.clone(), population, census, registers }
}

/// The sources of a district, in the order they are written.
const SOURCES: [Role; 6] =
    [Role::Census, Role::Hukou, Role::Birth, Role::Death, Role::School, Role::Insurance];

impl District {
    /// Writes the district into `dir` (created if needed): the six sources in their
    /// departments' formats, `job.toml` mapping them, and the truth in `dir/truth/`. Returns
    /// each file written (relative to `dir`) and its rows.
    ///
    /// ```
    /// let dir = tempfile::tempdir().expect("a temporary folder");
    /// let district = censuslink_synth::generate(&censuslink_synth::SynthConfig::new(500, 1));
    /// let written = district.write(dir.path()).expect("writable");
    /// assert_eq!(written[0].0, "census.csv");
    /// assert!(dir.path().join("job.toml").exists() && dir.path().join("truth/omitted.csv").exists());
    /// ```
    pub fn write(&self, dir: &Path) -> Result<Vec<(String, usize)>, censuslink_io::Error> {
        let truth_dir = dir.join("truth");
        for folder in [dir, truth_dir.as_path()] {
            std::fs::create_dir_all(folder).map_err(|source| censuslink_io::Error::Write {
                path: folder.to_path_buf(),
                source: source.into(),
            })?;
        }
        let mut written = Vec::new();
        let mut truths = Vec::with_capacity(SOURCES.len());
        // One source at a time: its table is dropped once written.
        for role in SOURCES {
            let extract = render::render(self, role);
            censuslink_io::write_table(&dir.join(extract.file), &extract.export, &extract.table)?;
            written.push((extract.file.to_owned(), extract.truth.len()));
            truths.push((extract.name, extract.role, extract.truth));
        }
        let job = dir.join("job.toml");
        let census_source = match self.config.layout {
            Layout::Census2020 => include_str!("job-census2020.toml"),
            Layout::Classic => include_str!("job-classic.toml"),
        };
        let text = format!(
            "{}{census_source}{}",
            include_str!("job.toml"),
            include_str!("job-registers.toml")
        );
        std::fs::write(&job, text)
            .map_err(|source| censuslink_io::Error::Write { path: job, source: source.into() })?;
        written.push(("job.toml".to_owned(), 0));
        written.extend(truth::write(self, &truths, &truth_dir)?);
        Ok(written)
    }
}
