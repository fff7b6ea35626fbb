//! Evaluation against a generated district's truth (`censuslink synth` writes it): precision
//! and recall of the links and of each candidate list.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use censuslink_io::CsvRow;
use serde::Serialize;

/// Precision and recall of one output, with the counts behind them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Score {
    /// Share of what was reported that is true.
    pub precision: f64,
    /// Share of what is true (and findable) that was reported.
    pub recall: f64,
    /// Reported.
    pub reported: u64,
    /// Reported and true.
    pub correct: u64,
    /// True and findable.
    pub expected: u64,
}

impl Score {
    fn new(correct: u64, reported: u64, found: u64, expected: u64) -> Score {
        Score {
            precision: share(correct, reported),
            recall: share(found, expected),
            reported,
            correct,
            expected,
        }
    }
}

/// Every output's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Census ↔ register links: precision of the links; recall of the register records whose
    /// person the census lists (each can be linked once).
    pub links: Score,
    /// The census ↔ hukou links alone (the register of everyone registered in the district,
    /// the one the linkage floors are set on): precision, and recall of the hukou entries
    /// whose person the census lists.
    pub hukou_links: Score,
    /// Missing candidates against the omitted usual residents some register shows.
    pub missing: Score,
    /// Duplicate groups against the people the census lists twice as residents: a group is
    /// right when all its records are one such person; a person is found when a group holds
    /// two of their records.
    pub duplicates: Score,
    /// Deceased candidates (census records) against the dead the census listed whose death
    /// the death register holds.
    pub deceased: Score,
    /// Birth candidates against the births not enumerated that the birth register holds.
    pub births: Score,
    /// Identity conflicts (records) against the truth's.
    pub conflicts: Score,
    /// Where the right missing candidates are sent: their `enumeration_area` against the area
    /// the truth lists them in.
    pub located: Located,
    /// The missing list as a field team meets it: tier by tier, against every omitted
    /// resident, and down its ranking.
    pub missing_detail: MissingDetail,
    /// The district's dual-system estimate against the true usual residents.
    pub coverage: CoverageScore,
    /// What only a run over several counties can see, when the truth's usual residents live
    /// in more than one.
    pub cross_county: Option<CrossCounty>,
}

/// The cases of a province: people registered in one county and living in another.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossCounty {
    /// Usual residents enumerated in another county than their hukou's (of the run's), whom
    /// a register holds: each should be counted where they live, not listed missing.
    pub enumerated_elsewhere: u64,
    /// Of them, those no missing candidate is of.
    pub not_missing: u64,
    /// `not_missing / enumerated_elsewhere`: the recall of that rule.
    pub not_missing_share: f64,
    /// Duplicates whose records lie in two or more counties: precision of the groups that
    /// span counties, recall of the people the census lists as residents in two counties.
    pub duplicates: Score,
    /// Each county's estimate against its true usual residents (those living there).
    pub coverage: Vec<CountyCoverage>,
}

/// One county's coverage estimate against the truth.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountyCoverage {
    /// The 6-digit county code.
    pub county: String,
    /// Its estimate against its true usual residents.
    pub score: CoverageScore,
}

/// The missing list in detail.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissingDetail {
    /// Each tier's candidates (tier 1 the strongest evidence), in tier order.
    pub tiers: Vec<TierScore>,
    /// Omitted usual residents, whether a register shows them or not.
    pub omitted: u64,
    /// Share of all omitted usual residents the list holds.
    pub recall_of_all: f64,
    /// Precision of the list cut where, ranked by probability (a tie taken whole), it first
    /// holds 70 % of the findable omitted; `None` if it never does.
    pub precision_at_70: Option<f64>,
    /// The same at 95 %.
    pub precision_at_95: Option<f64>,
    /// The reliability diagram of the candidates' probability: each tenth of probability
    /// (0.9 holding 1.0) that has candidates, its mean probability against the share of them
    /// who are omitted usual residents.
    pub calibration: Vec<CalibrationBin>,
    /// The largest gap between mean probability and observed share over the tenths of
    /// [`CALIBRATION_MIN`] candidates or more; `None` when none has that many.
    pub calibration_gap: Option<f64>,
    /// The largest part of those gaps beyond two of their tenth's standard errors: what a
    /// calibrated probability would not show but one time in twenty per tenth (a tenth of 100
    /// candidates near 0.5 shows a gap of 0.05 one time in three by chance alone).
    pub calibration_gap_beyond_noise: Option<f64>,
    /// The same diagram for what a model fitted on the listed alone would have said
    /// (`probability_uncorrected`): what the correction for not being listed does.
    pub calibration_uncorrected: Vec<CalibrationBin>,
    /// Its largest gap, as `calibration_gap`.
    pub calibration_gap_uncorrected: Option<f64>,
    /// The sum of the candidates' probabilities: the omitted usual residents the run expects
    /// among them.
    pub expected_omitted: f64,
    /// The candidates who are omitted usual residents, which that sum estimates.
    pub omitted_among_candidates: u64,
}

/// The fewest candidates a tenth of probability needs for its gap to count.
pub const CALIBRATION_MIN: u64 = 100;

/// One tenth of probability of the reliability diagram.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CalibrationBin {
    /// The tenth's lower bound: 0.0, 0.1, ..., 0.9.
    pub low: f64,
    /// Candidates whose probability falls in it.
    pub candidates: u64,
    /// Their mean probability.
    pub mean_probability: f64,
    /// The share of them who are omitted usual residents.
    pub observed: f64,
    /// The standard deviation of that share if the probabilities were right: `√Σp(1 - p) / n`.
    pub standard_error: f64,
}

/// One tier of the missing list.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TierScore {
    /// The tier.
    pub tier: u8,
    /// Candidates of the tier.
    pub reported: u64,
    /// Of which omitted usual residents.
    pub correct: u64,
    /// `correct / reported`.
    pub precision: f64,
}

/// The district's coverage estimate against the truth.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CoverageScore {
    /// The district's true usual residents.
    pub true_residents: u64,
    /// The dual-system estimate and its 95 % interval, as `coverage.csv` gives them (one
    /// decimal); `None` when the run had nothing to estimate from.
    pub estimate: Option<f64>,
    /// Its interval's lower bound.
    pub low: Option<f64>,
    /// Its interval's upper bound.
    pub high: Option<f64>,
    /// `(estimate − true residents) / true residents`.
    pub relative_error: Option<f64>,
    /// Whether the interval holds the true residents.
    pub holds_truth: Option<bool>,
}

/// How well the right missing candidates are placed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Located {
    /// Right missing candidates.
    pub candidates: u64,
    /// Of which placed in their true enumeration area.
    pub in_true_area: u64,
    /// Placed in another area.
    pub elsewhere: u64,
    /// Share placed in their true area.
    pub share: f64,
}

/// Why a CSV the program reads back (a truth file, a previous run's list, field teams'
/// outcomes) cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.message(censuslink_io::Lang::En))]
pub struct TruthError {
    /// The file.
    pub path: std::path::PathBuf,
    /// What is wrong.
    pub problem: CsvProblem,
}

/// What is wrong with a CSV read back.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CsvProblem {
    /// The file is not there.
    NotFound,
    /// The file cannot be read or parsed: the reader's message (positions, never values).
    Unreadable(String),
    /// A column the file must have.
    NoColumn(&'static str),
}

impl TruthError {
    /// The error as one line, in `lang`.
    pub fn message(&self, lang: censuslink_io::Lang) -> String {
        let path = self.path.display();
        match &self.problem {
            CsvProblem::NotFound => lang.pick(
                format!("无法读取 {path}：文件不存在；文件夹对吗？"),
                format!("cannot read {path}: no such file; is the folder right?"),
            ),
            CsvProblem::Unreadable(message) => lang.pick(
                format!("无法读取 {path}：{message}"),
                format!("cannot read {path}: {message}"),
            ),
            CsvProblem::NoColumn(column) => lang.pick(
                format!("{path}：缺少 `{column}` 列（须有 candidate_id、outcome、note 三列）"),
                format!(
                    "{path}: a `{column}` column is needed (with candidate_id, outcome and note)"
                ),
            ),
        }
    }
}

/// A truth CSV as rows of named fields.
fn read(dir: &Path, file: &str) -> Result<Vec<CsvRow>, TruthError> {
    read_csv(&dir.join(file))
}

/// A CSV (UTF-8, with or without a byte-order mark) as rows of named fields.
pub(crate) fn read_csv(path: &Path) -> Result<Vec<CsvRow>, TruthError> {
    let error = |problem: String| TruthError {
        path: path.to_owned(),
        problem: CsvProblem::Unreadable(problem),
    };
    let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            TruthError { path: path.to_owned(), problem: CsvProblem::NotFound }
        }
        _ => error(e.to_string()),
    })?;
    censuslink_io::csv_rows(&text).map_err(error)
}

/// A record named `source:key` in a list.
fn named(text: &str) -> (String, String) {
    let (source, key) = text.split_once(':').unwrap_or(("", text));
    (source.to_owned(), key.to_owned())
}

/// Scores the lists a run wrote into `out_dir` (CSV) against the truth in `truth_dir`.
pub fn evaluate(out_dir: &Path, truth_dir: &Path) -> Result<Evaluation, TruthError> {
    let records = read(truth_dir, "records.csv")?;
    let person_of: HashMap<(&str, &str), &str> =
        records.iter().map(|r| ((&r["source"], &r["record"]), &r["person"])).collect();
    let person = |source: &str, key: &str| person_of.get(&(source, key)).copied();

    // Links between the census and a register.
    let links = read(out_dir, "links.csv")?;
    let census_persons: BTreeSet<&str> =
        records.iter().filter(|r| &r["source"] == "census").map(|r| &r["person"]).collect();
    // The links to the registers `register` accepts, against those registers' records.
    let link_score = |register: &dyn Fn(&str) -> bool| {
        let census_links: Vec<_> = links
            .iter()
            .filter(|l| &l["left_source"] == "census" && register(&l["right_source"]))
            .collect();
        let correct = census_links
            .iter()
            .filter(|l| {
                let left = person(&l["left_source"], &l["left_id"]);
                left.is_some() && left == person(&l["right_source"], &l["right_id"])
            })
            .count() as u64;
        let linkable = records
            .iter()
            .filter(|r| &r["source"] != "census" && register(&r["source"]))
            .filter(|r| census_persons.contains(&r["person"]))
            .count() as u64;
        Score::new(correct, census_links.len() as u64, correct, linkable)
    };
    let hukou_links = link_score(&|source| source == "hukou");
    let links = link_score(&|_| true);

    let (missing, located, missing_detail) = score_missing(out_dir, truth_dir, &person)?;
    let duplicates = score_duplicates(out_dir, truth_dir, &person)?;

    // Deceased: census records of the dead whose death the death register holds.
    let dead: BTreeSet<String> = read(truth_dir, "dead_enumerated.csv")?
        .into_iter()
        .filter(|r| r["sources"].split(';').any(|s| s == "death"))
        .map(|r| r["census_record"].to_owned())
        .collect();
    let reported: BTreeSet<String> =
        read(out_dir, "deceased.csv")?.into_iter().map(|r| r["census_id"].to_owned()).collect();
    let correct = reported.intersection(&dead).count() as u64;
    let deceased = Score::new(correct, reported.len() as u64, correct, dead.len() as u64);

    // Births the birth register holds.
    let unborn: BTreeSet<String> = read(truth_dir, "births_not_enumerated.csv")?
        .into_iter()
        .filter(|r| r["sources"].split(';').any(|s| s == "birth"))
        .map(|r| r["person"].to_owned())
        .collect();
    let reported: Vec<Option<&str>> =
        read(out_dir, "births.csv")?.iter().map(|b| person(&b["source"], &b["record"])).collect();
    let correct = reported.iter().filter(|p| p.is_some_and(|p| unborn.contains(p))).count() as u64;
    let found: BTreeSet<&str> =
        reported.iter().flatten().copied().filter(|p| unborn.contains(*p)).collect();
    let births =
        Score::new(correct, reported.len() as u64, found.len() as u64, unborn.len() as u64);

    // Conflicts: records.
    let records_of = |rows: Vec<CsvRow>| -> BTreeSet<(String, String)> {
        rows.into_iter().map(|r| (r["source"].to_owned(), r["record"].to_owned())).collect()
    };
    let truth_conflicts = records_of(read(truth_dir, "identity_conflicts.csv")?);
    let reported = records_of(read(out_dir, "conflicts.csv")?);
    let correct = reported.intersection(&truth_conflicts).count() as u64;
    let conflicts =
        Score::new(correct, reported.len() as u64, correct, truth_conflicts.len() as u64);

    let coverage_rows = read(out_dir, "coverage.csv")?;
    let persons = read(truth_dir, "persons.csv")?;
    let true_residents = persons.iter().filter(|p| &p["presence"] == "resident").count() as u64;
    let coverage = coverage_score(true_residents, &coverage_rows, "district", "");
    let cross_county = score_cross_county(out_dir, truth_dir, &persons, &person, &coverage_rows)?;
    Ok(Evaluation {
        links,
        hukou_links,
        missing,
        duplicates,
        deceased,
        births,
        conflicts,
        located,
        missing_detail,
        coverage,
        cross_county,
    })
}

/// The record's person in the truth, by source and key.
type PersonOf<'a> = dyn Fn(&str, &str) -> Option<&'a str> + 'a;

/// The missing list against the omitted usual residents: a candidate is right when its person
/// is one; where the right ones are placed, and the list's ranking and calibration.
fn score_missing(
    out_dir: &Path,
    truth_dir: &Path,
    person: &PersonOf<'_>,
) -> Result<(Score, Located, MissingDetail), TruthError> {
    // Missing: a candidate is right when its person is an omitted usual resident.
    let all_omitted = read(truth_dir, "omitted.csv")?;
    let omitted: BTreeMap<String, String> = all_omitted
        .iter()
        .filter(|r| !r["sources"].is_empty())
        .map(|r| (r["person"].to_owned(), r["enumeration_area"].to_owned()))
        .collect();
    let candidates = read(out_dir, "missing.csv")?;
    let persons: Vec<Option<&str>> = candidates
        .iter()
        .map(|c| {
            let (source, key) = named(c["records"].split(';').next().unwrap_or(""));
            person(&source, &key)
        })
        .collect();
    let correct =
        persons.iter().filter(|p| p.is_some_and(|p| omitted.contains_key(p))).count() as u64;
    let found: BTreeSet<&str> =
        persons.iter().flatten().copied().filter(|p| omitted.contains_key(*p)).collect();
    let (mut in_true_area, mut elsewhere) = (0, 0);
    for (candidate, person) in candidates.iter().zip(&persons) {
        let Some(true_area) = person.and_then(|p| omitted.get(p)) else { continue };
        match &candidate["enumeration_area"] {
            "" => {}
            area if area == true_area => in_true_area += 1,
            _ => elsewhere += 1,
        }
    }
    let located = Located {
        candidates: correct,
        in_true_area,
        elsewhere,
        share: if correct == 0 { 1.0 } else { in_true_area as f64 / correct as f64 },
    };
    let missing =
        Score::new(correct, candidates.len() as u64, found.len() as u64, omitted.len() as u64);
    let is_right: Vec<bool> =
        persons.iter().map(|p| p.is_some_and(|p| omitted.contains_key(p))).collect();
    let probabilities: Vec<f64> = candidates.iter().map(candidate_probability).collect();
    let calibration = reliability(&probabilities, &is_right);
    let uncorrected: Vec<f64> =
        candidates.iter().filter_map(|c| c.get("probability_uncorrected")?.parse().ok()).collect();
    let uncorrected = if uncorrected.len() == candidates.len() {
        reliability(&uncorrected, &is_right)
    } else {
        Vec::new()
    };
    let all: BTreeSet<&str> = all_omitted.iter().map(|r| &r["person"]).collect();
    let found_of_all =
        persons.iter().flatten().filter(|p| all.contains(*p)).collect::<BTreeSet<_>>().len();
    let missing_detail = MissingDetail {
        tiers: tiers(&candidates, &is_right),
        omitted: all.len() as u64,
        recall_of_all: share(found_of_all as u64, all.len() as u64),
        precision_at_70: precision_at_recall(&candidates, &persons, &omitted, 0.70),
        precision_at_95: precision_at_recall(&candidates, &persons, &omitted, 0.95),
        calibration_gap: largest_gap(&calibration),
        calibration_gap_beyond_noise: largest_gap_beyond_noise(&calibration),
        calibration,
        calibration_gap_uncorrected: largest_gap(&uncorrected),
        calibration_uncorrected: uncorrected,
        expected_omitted: probabilities.iter().sum(),
        omitted_among_candidates: is_right.iter().filter(|&&right| right).count() as u64,
    };
    Ok((missing, located, missing_detail))
}

/// The duplicates list against the persons the census lists twice: a group is right when all
/// its records are one such person.
fn score_duplicates(
    out_dir: &Path,
    truth_dir: &Path,
    person: &PersonOf<'_>,
) -> Result<Score, TruthError> {
    // Duplicates.
    let duplicated: BTreeSet<String> =
        read(truth_dir, "duplicates.csv")?.into_iter().map(|r| r["person"].to_owned()).collect();
    let groups = read(out_dir, "duplicates.csv")?;
    let mut found = BTreeSet::new();
    let mut correct = 0;
    for group in &groups {
        let persons: Vec<Option<&str>> = group["records"]
            .split(';')
            .map(|r| {
                let (source, key) = named(r);
                person(&source, &key)
            })
            .collect();
        let first = persons[0];
        if first.is_some_and(|p| duplicated.contains(p)) && persons.iter().all(|p| *p == first) {
            correct += 1;
        }
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for p in persons.iter().flatten() {
            *counts.entry(p).or_default() += 1;
        }
        found.extend(
            counts.into_iter().filter(|(p, n)| *n > 1 && duplicated.contains(*p)).map(|(p, _)| p),
        );
    }
    let duplicates =
        Score::new(correct, groups.len() as u64, found.len() as u64, duplicated.len() as u64);
    Ok(duplicates)
}

/// `a / b`, 1 when there is nothing to share.
fn share(a: u64, b: u64) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// The missing list's tiers: candidates and right ones per tier.
fn tiers(candidates: &[CsvRow], is_right: &[bool]) -> Vec<TierScore> {
    let mut by_tier: BTreeMap<u8, (u64, u64)> = BTreeMap::new();
    for (candidate, &right) in candidates.iter().zip(is_right) {
        let tier = candidate.get("tier").and_then(|t| t.parse().ok()).unwrap_or(0);
        let (reported, correct) = by_tier.entry(tier).or_default();
        *reported += 1;
        *correct += u64::from(right);
    }
    by_tier
        .into_iter()
        .map(|(tier, (reported, correct))| TierScore {
            tier,
            reported,
            correct,
            precision: share(correct, reported),
        })
        .collect()
}

/// A missing candidate's probability of residence (0 when the list has none).
fn candidate_probability(candidate: &CsvRow) -> f64 {
    candidate.get("probability").and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0)
}

/// The reliability diagram: candidates by tenth of probability, each tenth's mean probability
/// and share of right candidates.
fn reliability(probabilities: &[f64], is_right: &[bool]) -> Vec<CalibrationBin> {
    let mut bins = [(0u64, 0.0f64, 0u64, 0.0f64); 10];
    for (&p, &right) in probabilities.iter().zip(is_right) {
        let bin = &mut bins[((p * 10.0).floor().max(0.0) as usize).min(9)];
        bin.0 += 1;
        bin.1 += p;
        bin.2 += u64::from(right);
        bin.3 += p * (1.0 - p);
    }
    bins.iter()
        .enumerate()
        .filter(|(_, bin)| bin.0 > 0)
        .map(|(i, &(n, sum, right, variance))| CalibrationBin {
            low: i as f64 / 10.0,
            candidates: n,
            mean_probability: sum / n as f64,
            observed: right as f64 / n as f64,
            standard_error: variance.sqrt() / n as f64,
        })
        .collect()
}

/// The largest gap between mean probability and observed share over the tenths of
/// [`CALIBRATION_MIN`] candidates or more.
fn largest_gap(bins: &[CalibrationBin]) -> Option<f64> {
    bins.iter()
        .filter(|bin| bin.candidates >= CALIBRATION_MIN)
        .map(|bin| (bin.mean_probability - bin.observed).abs())
        .reduce(f64::max)
}

/// The largest part of a gap beyond two standard errors, over the same tenths.
fn largest_gap_beyond_noise(bins: &[CalibrationBin]) -> Option<f64> {
    let beyond = bins.iter().filter(|bin| bin.candidates >= CALIBRATION_MIN).map(|bin| {
        ((bin.mean_probability - bin.observed).abs() - 2.0 * bin.standard_error).max(0.0)
    });
    beyond.reduce(f64::max)
}

/// Precision of the missing list ranked by probability (highest first), cut after the first
/// tie at which it holds `recall` of the findable omitted (`omitted`); `None` if it never does.
fn precision_at_recall(
    candidates: &[CsvRow],
    persons: &[Option<&str>],
    omitted: &BTreeMap<String, String>,
    recall: f64,
) -> Option<f64> {
    let score = candidate_probability;
    let mut ranked: Vec<usize> = (0..candidates.len()).collect();
    ranked.sort_by(|&a, &b| score(&candidates[b]).total_cmp(&score(&candidates[a])));
    let needed = (recall * omitted.len() as f64).ceil() as usize;
    let mut found: BTreeSet<&str> = BTreeSet::new();
    let mut n_right = 0u64;
    for (position, &idx) in ranked.iter().enumerate() {
        if let Some(person) = persons[idx].filter(|p| omitted.contains_key(*p)) {
            n_right += 1;
            found.insert(person);
        }
        let is_tie_end = ranked
            .get(position + 1)
            .is_none_or(|&next| score(&candidates[next]) != score(&candidates[idx]));
        if is_tie_end && found.len() >= needed {
            return Some(share(n_right, position as u64 + 1));
        }
    }
    None
}

/// The district row of the run's `coverage.csv` against the true usual residents.
/// The estimate of the `coverage.csv` row of `level` and `code` against `true_residents`.
fn coverage_score(true_residents: u64, rows: &[CsvRow], level: &str, code: &str) -> CoverageScore {
    let row = rows.iter().find(|r| {
        r.get("level").is_some_and(|l| l == level) && r.get("code").is_some_and(|c| c == code)
    });
    let number = |column: &str| row.and_then(|r| r.get(column)?.parse::<f64>().ok());
    let (estimate, low, high) =
        (number("estimate"), number("estimate_low_95"), number("estimate_high_95"));
    let truth = true_residents as f64;
    CoverageScore {
        true_residents,
        estimate,
        low,
        high,
        relative_error: estimate.map(|e| (e - truth) / truth),
        holds_truth: low.zip(high).map(|(low, high)| (low..=high).contains(&truth)),
    }
}

/// The 6-digit county of a region or area code (empty for a shorter one).
fn county(code: &str) -> &str {
    code.get(..6).unwrap_or("")
}

/// The cross-county cases, when the truth's usual residents live in several counties.
fn score_cross_county<'a>(
    out_dir: &Path,
    truth_dir: &Path,
    persons: &'a [CsvRow],
    person: &PersonOf<'_>,
    coverage_rows: &[CsvRow],
) -> Result<Option<CrossCounty>, TruthError> {
    // A column the truth may not have (a hand-made one) is empty.
    let field = |row: &'a CsvRow, name: &str| -> &'a str { row.get(name).unwrap_or("") };
    let residents: Vec<&CsvRow> = persons.iter().filter(|p| &p["presence"] == "resident").collect();
    let mut residents_by_county: BTreeMap<&str, u64> = BTreeMap::new();
    for resident in &residents {
        *residents_by_county.entry(county(field(resident, "enumeration_area"))).or_default() += 1;
    }
    if residents_by_county.len() < 2 {
        return Ok(None);
    }
    // Registered in one county of the run (a 12-digit village code: the truth's own
    // villages), enumerated in another, and held by a register.
    let omitted: BTreeSet<String> =
        read(truth_dir, "omitted.csv")?.into_iter().map(|r| r["person"].to_owned()).collect();
    let in_registers: BTreeSet<String> = read(truth_dir, "records.csv")?
        .into_iter()
        .filter(|r| &r["source"] != "census")
        .map(|r| r["person"].to_owned())
        .collect();
    let elsewhere: BTreeSet<&str> = residents
        .iter()
        .filter(|p| field(p, "hukou_region").len() == 12)
        .filter(|p| county(field(p, "hukou_region")) != county(field(p, "enumeration_area")))
        .map(|p| &p["person"])
        .filter(|p| !omitted.contains(*p) && in_registers.contains(*p))
        .collect();
    let listed_missing: BTreeSet<&str> = read(out_dir, "missing.csv")?
        .iter()
        .flat_map(|c| c["records"].split(';').map(named).collect::<Vec<_>>())
        .filter_map(|(source, key)| person(&source, &key))
        .collect();
    let not_missing = elsewhere.iter().filter(|p| !listed_missing.contains(*p)).count() as u64;

    // Duplicates whose areas span counties, in the truth and in the run's list.
    let spans_counties = |areas: &str| {
        let counties: BTreeSet<&str> = areas.split(';').map(county).collect();
        counties.len() > 1
    };
    let truth_duplicates = read(truth_dir, "duplicates.csv")?;
    let duplicated: BTreeSet<&str> = truth_duplicates.iter().map(|r| &r["person"]).collect();
    let across: BTreeSet<&str> = truth_duplicates
        .iter()
        .filter(|r| spans_counties(&r["enumeration_areas"]))
        .map(|r| &r["person"])
        .collect();
    let (mut reported, mut correct, mut found) = (0, 0, BTreeSet::new());
    for group in read(out_dir, "duplicates.csv")? {
        let members: Vec<Option<&str>> =
            group["records"].split(';').map(named).map(|(s, k)| person(&s, &k)).collect();
        let first = members[0];
        let is_one_duplicated_person =
            first.is_some_and(|p| duplicated.contains(p)) && members.iter().all(|p| *p == first);
        if spans_counties(&group["enumeration_areas"]) {
            reported += 1;
            correct += u64::from(is_one_duplicated_person);
        }
        for p in members.iter().flatten().filter(|p| across.contains(*p)) {
            if members.iter().filter(|m| *m == &Some(*p)).count() > 1 {
                found.insert(*p);
            }
        }
    }
    let duplicates = Score::new(correct, reported, found.len() as u64, across.len() as u64);
    let coverage = residents_by_county
        .iter()
        .filter(|(code, _)| !code.is_empty())
        .map(|(&code, &n)| CountyCoverage {
            county: code.to_owned(),
            score: coverage_score(n, coverage_rows, "county", code),
        })
        .collect();
    Ok(Some(CrossCounty {
        enumerated_elsewhere: elsewhere.len() as u64,
        not_missing,
        not_missing_share: share(not_missing, elsewhere.len() as u64),
        duplicates,
        coverage,
    }))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::evaluate::{
        Located, Score, TierScore, evaluate, largest_gap, largest_gap_beyond_noise, reliability,
    };

    fn write(dir: &Path, file: &str, lines: &[&str]) {
        std::fs::write(dir.join(file), format!("\u{FEFF}{}\n", lines.join("\n"))).expect("written");
    }

    /// Writes each of `files` (a truth file or a run's list) into `dir` with no row.
    fn write_empty(dir: &Path, files: &[&str]) {
        for &file in files {
            let header = match file {
                "duplicates.csv" => "person,records",
                "dead_enumerated.csv" => "person,census_record,sources",
                "births_not_enumerated.csv" => "person,sources",
                "identity_conflicts.csv" => "source,record,person,kind",
                "links.csv" => "left_source,left_id,right_source,right_id",
                "deceased.csv" => "census_id",
                _ => "source,record",
            };
            write(dir, file, &[header]);
        }
    }

    /// A hand-made district of ten people and a run's lists with one right and one wrong
    /// answer in most: every score worked out by hand.
    #[test]
    fn the_scores_are_what_the_lists_and_the_truth_say() {
        let truth = tempfile::tempdir().expect("a temporary folder");
        let out = tempfile::tempdir().expect("a temporary folder");
        let (truth, out) = (truth.path(), out.path());
        write(
            truth,
            "records.csv",
            &[
                "source,record,person,damages",
                "census,c1,P1,",
                "census,c2,P2,",
                "census,c3,P3,",
                "census,c3b,P3,",
                "census,c4,P4,",
                "hukou,h1,P1,",
                "hukou,h2,P2,",
                "hukou,h5,P5,",
                "hukou,h6,P6,",
                "school,s7,P7,",
                "insurance,i8,P8,",
                "birth,b9,P9,",
                "death,d4,P4,",
            ],
        );
        write(
            truth,
            "persons.csv",
            &[
                "person,presence",
                "P1,resident",
                "P2,resident",
                "P3,resident",
                "P4,dead",
                "P5,resident",
                "P6,away",
                "P7,resident",
                "P8,resident",
                "P9,resident",
                "P10,resident",
            ],
        );
        // Five omitted residents, four of them in a register.
        write(
            truth,
            "omitted.csv",
            &[
                "person,enumeration_area,sources,records",
                "P5,A1,hukou,hukou:h5",
                "P7,A7,school,school:s7",
                "P8,A8,insurance,insurance:i8",
                "P9,A9,birth,birth:b9",
                "P10,A1,,",
            ],
        );
        write(truth, "duplicates.csv", &["person,records", "P3,census:c3;census:c3b"]);
        write(truth, "dead_enumerated.csv", &["person,census_record,sources", "P4,c4,death"]);
        write(truth, "births_not_enumerated.csv", &["person,sources", "P9,birth"]);
        write(truth, "identity_conflicts.csv", &["source,record,person,kind", "census,c2,P2,x"]);

        write(
            out,
            "links.csv",
            &[
                "left_source,left_id,right_source,right_id",
                "census,c1,hukou,h1",
                "census,c2,hukou,h6",
            ],
        );
        write(
            out,
            "missing.csv",
            &[
                "candidate_id,tier,probability,records,enumeration_area",
                "m1,1,0.95,hukou:h5,A1",
                "m2,1,0.85,hukou:h6,A1",
                "m3,2,0.5,school:s7,A9",
                "m4,3,0.2,insurance:i8,",
            ],
        );
        write(out, "duplicates.csv", &["records", "census:c3;census:c3b", "census:c1;census:c2"]);
        write(out, "deceased.csv", &["census_id", "c4", "c1"]);
        write(out, "births.csv", &["source,record", "birth,b9", "birth,b99"]);
        write(out, "conflicts.csv", &["source,record", "census,c2", "school,s7"]);
        write(
            out,
            "coverage.csv",
            &[
                "level,code,census,admin,matched,estimate,estimate_low_95,estimate_high_95",
                "district,,7,6,5,8.4,7.9,9.1",
                "township,320115001,7,6,5,8.4,7.9,9.1",
            ],
        );

        let evaluation = evaluate(out, truth).expect("readable");
        let score = |precision, recall, reported, correct, expected| Score {
            precision,
            recall,
            reported,
            correct,
            expected,
        };
        // Of the register records whose person the census lists (h1, h2, d4), one linked right.
        assert_eq!(evaluation.links, score(0.5, 1.0 / 3.0, 2, 1, 3));
        // Of those, the hukou entries h1 and h2.
        assert_eq!(evaluation.hukou_links, score(0.5, 0.5, 2, 1, 2));
        assert_eq!(evaluation.missing, score(0.75, 0.75, 4, 3, 4));
        assert_eq!(evaluation.duplicates, score(0.5, 1.0, 2, 1, 1));
        assert_eq!(evaluation.deceased, score(0.5, 1.0, 2, 1, 1));
        assert_eq!(evaluation.births, score(0.5, 1.0, 2, 1, 1));
        assert_eq!(evaluation.conflicts, score(0.5, 1.0, 2, 1, 1));
        let located = Located { candidates: 3, in_true_area: 1, elsewhere: 1, share: 1.0 / 3.0 };
        assert_eq!(evaluation.located, located);

        let detail = &evaluation.missing_detail;
        let tier =
            |tier, reported, correct, precision| TierScore { tier, reported, correct, precision };
        assert_eq!(detail.tiers, [tier(1, 2, 1, 0.5), tier(2, 1, 1, 1.0), tier(3, 1, 1, 1.0)]);
        assert_eq!((detail.omitted, detail.recall_of_all), (5, 0.6));
        // 70 % of the four findable is three: reached at the last candidate, three of four
        // right; 95 % (four) is never reached.
        assert_eq!(detail.precision_at_70, Some(0.75));
        assert_eq!(detail.precision_at_95, None);
        // The reliability diagram: one candidate in each of four tenths, each right or not;
        // no tenth holds the 100 candidates a gap needs. 2.5 omissions expected, 3 true.
        let bins: Vec<(f64, u64)> =
            detail.calibration.iter().map(|b| (b.low, b.candidates)).collect();
        assert_eq!(bins, [(0.2, 1), (0.5, 1), (0.8, 1), (0.9, 1)]);
        assert_eq!(detail.calibration[3].mean_probability, 0.95);
        assert_eq!(detail.calibration_gap, None);
        assert!((detail.expected_omitted - 2.5).abs() < 1e-12);
        assert_eq!(detail.omitted_among_candidates, 3);
        assert!(detail.calibration_uncorrected.is_empty(), "no uncorrected column");

        let coverage = evaluation.coverage;
        assert_eq!(coverage.true_residents, 8);
        assert_eq!(
            (coverage.estimate, coverage.low, coverage.high),
            (Some(8.4), Some(7.9), Some(9.1))
        );
        assert!((coverage.relative_error.expect("an error") - 0.05).abs() < 1e-12);
        assert_eq!(coverage.holds_truth, Some(true));
    }

    #[test]
    fn a_gap_counts_beyond_its_noise() {
        // 100 candidates at 0.5, 65 of them right: a gap of 0.15, a standard error of
        // √(100 · 0.25) / 100 = 0.05, so 0.05 beyond two of them. 99 at 0.95, none right: a
        // gap of 0.95, too few candidates to count.
        let mut probabilities = vec![0.5; 100];
        let mut is_right: Vec<bool> = (0..100).map(|i| i < 65).collect();
        probabilities.extend([0.95; 99]);
        is_right.extend([false; 99]);
        let bins = reliability(&probabilities, &is_right);
        assert_eq!(bins.len(), 2);
        assert!((bins[0].standard_error - 0.05).abs() < 1e-12);
        assert!((largest_gap(&bins).unwrap() - 0.15).abs() < 1e-12);
        assert!((largest_gap_beyond_noise(&bins).unwrap() - 0.05).abs() < 1e-12);
    }

    #[test]
    fn a_tie_is_taken_whole_and_no_estimate_is_none() {
        let truth = tempfile::tempdir().expect("a temporary folder");
        let out = tempfile::tempdir().expect("a temporary folder");
        let (truth, out) = (truth.path(), out.path());
        write(
            truth,
            "records.csv",
            &["source,record,person,damages", "hukou,h1,P1,", "hukou,h2,P2,", "hukou,h3,P3,"],
        );
        write(truth, "persons.csv", &["person,presence", "P1,resident", "P2,away", "P3,resident"]);
        write(
            truth,
            "omitted.csv",
            &[
                "person,enumeration_area,sources,records",
                "P1,A1,hukou,hukou:h1",
                "P3,A1,hukou,hukou:h3",
            ],
        );
        let nothing = ["duplicates.csv", "dead_enumerated.csv", "births_not_enumerated.csv"];
        write_empty(truth, &nothing);
        write_empty(truth, &["identity_conflicts.csv"]);
        write_empty(out, &["links.csv", "duplicates.csv", "deceased.csv", "births.csv"]);
        write_empty(out, &["conflicts.csv"]);
        // The wrong P2 and P1 tie at the top, P3 comes last.
        write(
            out,
            "missing.csv",
            &[
                "candidate_id,tier,probability,records,enumeration_area",
                "m1,1,0.7,hukou:h2,A1",
                "m2,1,0.7,hukou:h1,A1",
                "m3,2,0.3,hukou:h3,A1",
            ],
        );
        write(
            out,
            "coverage.csv",
            &[
                "level,code,census,admin,matched,estimate,estimate_low_95,estimate_high_95",
                "district,,0,3,0,,,",
            ],
        );
        let evaluation = evaluate(out, truth).expect("readable");
        assert_eq!(evaluation.cross_county, None, "one county (none named): no province");
        let detail = &evaluation.missing_detail;
        // 70 % of two is two: the whole list; the first tie alone holds one.
        assert_eq!(detail.precision_at_70, Some(2.0 / 3.0));
        assert_eq!(detail.precision_at_95, Some(2.0 / 3.0));
        let coverage = evaluation.coverage;
        assert_eq!(
            (coverage.true_residents, coverage.estimate, coverage.holds_truth),
            (2, None, None)
        );
    }

    #[test]
    fn a_province_scores_its_people_across_counties() {
        let truth = tempfile::tempdir().expect("a temporary folder");
        let out = tempfile::tempdir().expect("a temporary folder");
        let (truth, out) = (truth.path(), out.path());
        let records = ["c1,P1", "c2,P2", "c3a,P3", "c3b,P3", "h1,P1", "h2,P2", "h4,P4"]
            .map(|r| format!("{},{r},", if r.starts_with('c') { "census" } else { "hukou" }));
        let mut lines = vec!["source,record,person,damages".to_owned()];
        lines.extend(records);
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        write(truth, "records.csv", &lines);
        // Registered in 江宁区 (320115): P1 and P2 live in 六合区 (320116), P3 at home, P4 in
        // 六合区 but missed by the census.
        write(
            truth,
            "persons.csv",
            &[
                "person,presence,hukou_region,enumeration_area",
                "P1,resident,320115001001,320116001001001",
                "P2,resident,320115001001,320116001001001",
                "P3,resident,320115001001,320115001001001",
                "P4,resident,320115001001,320116001001001",
            ],
        );
        write(truth, "omitted.csv", &["person,enumeration_area,sources,records", "P4,,hukou,h4"]);
        write(
            truth,
            "duplicates.csv",
            &[
                "person,kind,census_records,enumeration_areas",
                "P3,two_areas,c3a;c3b,320115001001001;320116001001001",
            ],
        );
        write_empty(
            truth,
            &["dead_enumerated.csv", "births_not_enumerated.csv", "identity_conflicts.csv"],
        );
        write_empty(out, &["links.csv", "deceased.csv", "births.csv", "conflicts.csv"]);
        write(
            out,
            "missing.csv",
            &[
                "candidate_id,tier,probability,records,enumeration_area",
                "m1,1,0.9,hukou:h2,",
                "m2,1,0.9,hukou:h4,",
            ],
        );
        // P3's two records (right), P1 with P2 (wrong), both across counties; one within.
        write(
            out,
            "duplicates.csv",
            &[
                "records,enumeration_areas",
                "census:c3a;census:c3b,320115001001001;320116001001001",
                "census:c1;census:c2,320116001001001;320115001001001",
                "census:c1;census:c3a,320116001001001",
            ],
        );
        write(
            out,
            "coverage.csv",
            &[
                "level,code,census,admin,matched,estimate,estimate_low_95,estimate_high_95",
                "district,,4,4,3,5.0,4.0,6.0",
                "county,320115,1,1,1,2.0,1.0,3.0",
                "county,320116,3,3,2,3.3,3.1,3.5",
            ],
        );
        let evaluation = evaluate(out, truth).expect("readable");
        let cross = evaluation.cross_county.expect("two counties");
        // P1 and P2 are enumerated where they live, not at their hukou; P2 is listed missing.
        assert_eq!((cross.enumerated_elsewhere, cross.not_missing), (2, 1));
        assert_eq!(cross.not_missing_share, 0.5);
        assert_eq!(cross.duplicates, Score::new(1, 2, 1, 1));
        let counties: Vec<(&str, u64, Option<f64>)> = cross
            .coverage
            .iter()
            .map(|c| (c.county.as_str(), c.score.true_residents, c.score.estimate))
            .collect();
        assert_eq!(counties, [("320115", 1, Some(2.0)), ("320116", 3, Some(3.3))]);
        assert_eq!(cross.coverage[1].score.holds_truth, Some(false), "3 is not in [3.1, 3.5]");
    }
}
