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
    /// `None` for one district (villages from as many of the prefecture's counties as its size
    /// needs, 江宁区 first, written as one set of files); `Some(n)` for a province of `n` whole
    /// counties (1 to [`MAX_COUNTIES`]) sharing the `persons` evenly, each county's extracts in
    /// a folder of its own, with the people who live in one and are registered in another.
    pub counties: Option<usize>,
}

/// The most counties a province can have: the real counties of one prefecture (南京市) stand
/// for a province's.
pub const MAX_COUNTIES: usize = geography::MAX_COUNTIES;

impl SynthConfig {
    /// `persons` usual residents from `seed`, at the documented error rates, in the 7th
    /// census's layout.
    pub fn new(persons: usize, seed: u64) -> SynthConfig {
        SynthConfig { persons, seed, error_scale: 1.0, layout: Layout::Census2020, counties: None }
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
    let rates = PopulationRates::standard();
    let population = population::generate(config.persons, config.seed, config.counties, &rates);
    let census = census::enumerate(&population, config.seed, &CensusRates::standard());
    let registers = extracts::draw(&population, config.seed, &ExtractRates::standard());
    District { config: config.clone(), population, census, registers }
}

/// The sources of a district, in the order they are written.
const SOURCES: [Role; 6] =
    [Role::Census, Role::Hukou, Role::Birth, Role::Death, Role::School, Role::Insurance];

impl District {
    /// Writes the district into `dir` (created if needed): the six sources in their
    /// departments' formats, `job.toml` mapping them, and the truth in `dir/truth/`; a
    /// province writes each county's six sources and its `job.toml` into `dir/<county code>/`
    /// and a `job.toml` reading every county's. Returns each file written (relative to `dir`)
    /// and its rows.
    ///
    /// ```
    /// let dir = tempfile::tempdir().expect("a temporary folder");
    /// let district = censuslink_synth::generate(&censuslink_synth::SynthConfig::new(500, 1));
    /// let written = district.write(dir.path()).expect("writable");
    /// assert_eq!(written[0].0, "census.csv");
    /// assert!(dir.path().join("job.toml").exists() && dir.path().join("truth/omitted.csv").exists());
    /// ```
    pub fn write(&self, dir: &Path) -> Result<Vec<(String, usize)>, censuslink_io::Error> {
        let counties = self.config.counties.map(|_| self.counties()).unwrap_or_default();
        let truth_dir = dir.join("truth");
        let folders = counties.iter().map(|county| dir.join(county.to_string()));
        for folder in [dir.to_path_buf(), truth_dir.clone()].into_iter().chain(folders) {
            censuslink_io::create_dir(&folder)?;
        }
        let mut written = Vec::new();
        let mut truths = Vec::with_capacity(SOURCES.len());
        // One source at a time: its table is dropped once written.
        for role in SOURCES {
            let extract = render::render(self, role);
            if counties.is_empty() {
                censuslink_io::write_table(
                    &dir.join(extract.file),
                    &extract.export,
                    &extract.table,
                )?;
                written.push((extract.file.to_owned(), extract.truth.len()));
            }
            for &county in &counties {
                let rows: Vec<usize> = (extract.truth.iter().enumerate())
                    .filter(|(_, row)| row.county == county)
                    .map(|(idx, _)| idx)
                    .collect();
                let file = format!("{county}/{}", extract.file);
                let table = extract.table.take(&rows);
                censuslink_io::write_table(&dir.join(&file), &extract.export, &table)?;
                written.push((file, rows.len()));
            }
            truths.push((extract.name, extract.role, extract.truth));
        }
        let job = self.job_text();
        if counties.is_empty() {
            censuslink_io::write_text(&job, &dir.join("job.toml"))?;
            written.push(("job.toml".to_owned(), 0));
        }
        for &county in &counties {
            let file = format!("{county}/job.toml");
            censuslink_io::write_text(&job, &dir.join(&file))?;
            written.push((file, 0));
        }
        if let Some(&first) = counties.first() {
            // Every county's folder: `3201??/census.csv` (the counties share a prefecture).
            let folders = format!("{:04}??/", first / 100);
            let province = format!(
                "# A province: each source is every county's file of it, read in turn.\n{}",
                job.replace("path = \"", &format!("path = \"{folders}"))
            );
            censuslink_io::write_text(&province, &dir.join("job.toml"))?;
            written.push(("job.toml".to_owned(), 0));
        }
        written.extend(truth::write(self, &truths, &truth_dir)?);
        Ok(written)
    }

    /// The counties of the district's villages, in order.
    fn counties(&self) -> Vec<u32> {
        let mut counties: Vec<u32> =
            self.population.villages.iter().map(|v| v.county_code()).collect();
        counties.dedup();
        counties
    }

    /// The job mapping the six sources of one folder.
    fn job_text(&self) -> String {
        let census_source = match self.config.layout {
            Layout::Census2020 => include_str!("job-census2020.toml"),
            Layout::Classic => include_str!("job-classic.toml"),
        };
        format!("{}{census_source}{}", include_str!("job.toml"), include_str!("job-registers.toml"))
    }
}

#[cfg(test)]
mod tests {
    use censuslink_model::Role;

    use crate::{SynthConfig, generate, render};

    #[test]
    fn a_province_files_each_row_in_its_county_and_moves_people_between_them() {
        let config = SynthConfig { counties: Some(3), ..SynthConfig::new(6_000, 5) };
        let province = generate(&config);
        let population = &province.population;
        let county_of_household = |key: u32| {
            let household =
                &population.households[population.people[key as usize].household as usize];
            population.villages[household.village].county_code()
        };
        // Registered in one county of the province, living in another.
        let moved = population
            .residents()
            .filter(|p| {
                p.hukou_village
                    .is_some_and(|v| (v / 1_000_000) as u32 != county_of_household(p.key))
            })
            .count();
        assert!(moved > 200, "{moved}");
        let births = render::render(&province, Role::Birth);
        let away = births.truth.iter().filter(|row| row.county != county_of_household(row.person));
        assert!(away.count() > 0, "births at another county's hospital");
        let census = render::render(&province, Role::Census);
        for row in &census.truth {
            let area = province.census.records[row.index].enumeration_area;
            assert_eq!(u64::from(row.county), area / 1_000_000_000);
        }

        let dir = tempfile::tempdir().expect("a temporary folder");
        let written = province.write(dir.path()).expect("writable");
        let census_rows: usize =
            written.iter().filter(|(file, _)| file.ends_with("/census.csv")).map(|(_, n)| n).sum();
        assert_eq!(census_rows, census.truth.len(), "every row in one county's file");
        let job =
            censuslink_io::Job::load(&dir.path().join("job.toml")).expect("the province's job");
        assert_eq!(job.sources.len(), 6);
        for source in &job.sources {
            assert_eq!(source.paths.len(), 3, "{}: each county's file", source.name);
        }
        let county =
            censuslink_io::Job::load(&dir.path().join("320116/job.toml")).expect("a county's job");
        assert!(county.sources.iter().all(|s| s.paths.len() == 1));

        // A district draws no hospital: its births are where the family lives.
        let district = generate(&SynthConfig::new(6_000, 5));
        let births = render::render(&district, Role::Birth);
        let population = &district.population;
        assert!(births.truth.iter().all(|row| {
            let household =
                &population.households[population.people[row.person as usize].household as usize];
            row.county == population.villages[household.village].county_code()
        }));
    }
}
