//! Coverage: for each enumeration area, township and the district, the census count, the
//! administrative count, the people in both, and the Chapman dual-system estimate of the true
//! population with its 95 % interval (DOMAIN §5.1).
//!
//! A register holds people who do not live in the district (who left and were never taken
//! off, the dead never reported): counted as they are, they inflate the estimate. The
//! administrative list is therefore counted as its expected usual residents: every person the
//! census lists, and each unlisted person by their probability of residence
//! ([`crate::residence`]). The interval adds that count's uncertainty to Seber's variance: each
//! probability's own (Bernoulli) and that of the omission odds it stands on (the Poisson
//! variance of the anchor counts, a stratum's persons moving together).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::residence::N_STRATA;

/// The assumptions the estimates rest on, printed beside them: each in Chinese and in
/// English.
pub const ASSUMPTIONS: [(&str, &str); 9] = [
    (
        "采用 Chapman 双系统估计：普查 × 活动类行政登记（学籍、医保、出生）。",
        "Chapman dual-system estimate, census × activity registers (school, insurance, birth).",
    ),
    (
        "（1）两份名单相互独立：在一份名单中不改变在另一份中的机会；",
        "It assumes: (1) the two lists are independent (being in one does not change the chance \
         of being in the other);",
    ),
    (
        "（2）同一区域内每个人进入每份名单的机会相同；",
        "(2) within an area everyone has the same chance of being on each list;",
    ),
    ("（3）人口在标准时点是封闭的；", "(3) the population is closed at the reference moment;"),
    (
        "（4）比对没有差错：漏比使估计偏高，错比使估计偏低；",
        "(4) matching is perfect (missed links inflate the estimate, false links deflate it);",
    ),
    (
        "（5）两份名单都不含非常住人口。行政登记不满足（5）：已迁走者的过时记录使行政计数偏高。",
        "(5) neither list holds people who are not usual residents. Registers break (5): stale \
         entries of people who left inflate the administrative count.",
    ),
    (
        "校正：普查人数不计比对到标准时点前死亡登记的人（错误登记）；行政登记人数按其中常住人口的\
         期望计：普查已登记者计 1 人，未登记者计其居住概率（由普查所登记的登记人员学得，见漏登清单）。该概率假定常住人口被漏登的机会与其登记证据无关，\
         即（1）的同一假定。",
        "Correction: the census count leaves out people linked to a death before the moment \
         (erroneous enumerations); the administrative list counts its expected usual residents: \
         1 for each person the census lists, and each unlisted person's probability of residence \
         (learned from the register people the census lists; the missing list gives it). The \
         probability assumes a usual resident's chance of being missed does not depend on the \
         register evidence, assumption (1) again.",
    ),
    (
        "行政登记中的人按其普查比对结果定位到区域（普查登记为户口在本地、人在外地的人不计入，\
         与漏登清单一致；未填现住地的按其居住概率计）；否则按普查在其地址登记的人所在的普查小区；\
         否则（仅乡镇）按医保乡镇，再否则按户籍地。同一普查记录只计一人。",
        "An area's administrative people are placed by their census link (people the census \
         lists as living elsewhere are left out, as the missing list leaves them out; one listed \
         so without the place counts by probability), else by the area in which the census \
         lists the people linked at their address, else (townships only) by the insurance township, else by the hukou place. Register people \
         linked to one census record count once.",
    ),
    (
        "区间为 ±1.96 倍标准误：Seber 方差，加上行政登记常住人数期望的方差（各概率的伯努利方差，\
         与漏登比率估计的泊松方差）；实际的覆盖率调查按群抽样，需要重复抽样估计方差。",
        "The interval is ±1.96 standard errors: Seber's variance, plus the variance of the \
         administrative list's expected residents (each probability's Bernoulli variance and \
         the Poisson variance of the omission odds); real coverage surveys sample clusters and \
         need replication instead.",
    ),
];

/// The assumptions in `lang`, one per item.
pub fn assumptions(lang: censuslink_io::Lang) -> Vec<&'static str> {
    ASSUMPTIONS.iter().map(|&(zh, en)| lang.pick(zh, en)).collect()
}

/// A dual-system estimate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// N̂ = (n₁ + 1)(n₂ + 1) / (m + 1) − 1.
    pub population: f64,
    /// Lower end of the 95 % interval.
    pub low: f64,
    /// Upper end of the 95 % interval.
    pub high: f64,
}

/// The Chapman estimate for `census` people in the census, `admin` in the other list and
/// `matched` in both, with Seber's variance (n₁+1)(n₂+1)(n₁−m)(n₂−m) / ((m+1)²(m+2)).
pub fn chapman(census: u64, admin: u64, matched: u64) -> Estimate {
    chapman_with(census as f64, admin as f64, matched as f64, 0.0)
}

/// [`chapman`] with an administrative count that is itself estimated, with variance
/// `admin_variance`, which the estimate carries by its derivative `(n₁+1)/(m+1)`.
pub fn chapman_with(n1: f64, n2: f64, m: f64, admin_variance: f64) -> Estimate {
    let population = (n1 + 1.0) * (n2 + 1.0) / (m + 1.0) - 1.0;
    let seber = (n1 + 1.0) * (n2 + 1.0) * (n1 - m).max(0.0) * (n2 - m).max(0.0)
        / ((m + 1.0).powi(2) * (m + 2.0));
    let carried = ((n1 + 1.0) / (m + 1.0)).powi(2) * admin_variance;
    let half = 1.96 * (seber + carried).sqrt();
    Estimate { population, low: (population - half).max(n1), high: population + half }
}

/// One area's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaCoverage {
    /// `district`, `county`, `township` or `enumeration_area`.
    pub level: &'static str,
    /// The area's code (empty for the district).
    pub code: String,
    /// Census usual residents counted there (a duplicated person once, the dead not at all).
    pub census: u64,
    /// People the activity registers place there.
    pub admin: u64,
    /// Their expected usual residents: the listed, and the unlisted by their probability.
    pub admin_residents: f64,
    /// People in both.
    pub matched: u64,
    /// The estimate; `None` when there is nothing to estimate from: no census person, no
    /// register person, or none in both (a census without activity registers, or whose
    /// registers link to no one), where Chapman's formula gives a number without meaning.
    pub estimate: Option<Estimate>,
}

/// Tallies of one area.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    /// Census usual residents.
    pub census: u64,
    /// Administrative people placed there.
    pub admin: u64,
    /// Of whom the census lists.
    pub matched: u64,
    /// The unlisted administrative people's probabilities of residence, summed by stratum of
    /// the omission odds they stand on.
    pub expected: [f64; N_STRATA],
    /// The sum of their Bernoulli variances `p (1 − p)`.
    pub bernoulli: f64,
}

impl Tally {
    /// Adds `other`'s counts.
    fn add(&mut self, other: &Tally) {
        self.census += other.census;
        self.admin += other.admin;
        self.matched += other.matched;
        for (sum, x) in self.expected.iter_mut().zip(other.expected) {
            *sum += x;
        }
        self.bernoulli += other.bernoulli;
    }

    /// The administrative people's expected usual residents, and its variance given each
    /// stratum's relative variance of the omission odds.
    fn residents(&self, relative_variance: &[f64]) -> (f64, f64) {
        let expected: f64 = self.expected.iter().sum();
        let odds: f64 = self.expected.iter().zip(relative_variance).map(|(e, v)| e * e * v).sum();
        (self.matched as f64 + expected, self.bernoulli + odds)
    }
}

/// Coverage rows of the district, each county, township and enumeration area, from tallies by
/// enumeration area (15-digit code, whose first 9 digits are the township and first 6 the
/// county) and by township (administrative people placed no finer than a township), with
/// each stratum's relative variance of the omission odds (empty when no probability was
/// given).
pub fn coverage(
    by_area: &BTreeMap<String, Tally>,
    by_township_only: &BTreeMap<String, Tally>,
    relative_variance: &[f64],
) -> Vec<AreaCoverage> {
    let mut townships: BTreeMap<String, Tally> = by_township_only.clone();
    for (area, tally) in by_area {
        let township = area.get(..9).unwrap_or(area).to_owned();
        townships.entry(township).or_default().add(tally);
    }
    // People placed in no township count for the district alone.
    let mut counties: BTreeMap<String, Tally> = BTreeMap::new();
    let mut district = Tally::default();
    for (township, tally) in &townships {
        if let Some(county) = township.get(..6) {
            counties.entry(county.to_owned()).or_default().add(tally);
        }
        district.add(tally);
    }
    let row = |level, code: &str, t: &Tally| {
        let (residents, variance) = t.residents(relative_variance);
        AreaCoverage {
            level,
            code: code.to_owned(),
            census: t.census,
            admin: t.admin,
            admin_residents: residents,
            matched: t.matched,
            estimate: (t.census > 0 && residents > 0.0 && t.matched > 0)
                .then(|| chapman_with(t.census as f64, residents, t.matched as f64, variance)),
        }
    };
    let mut rows = vec![row("district", "", &district)];
    rows.extend(counties.iter().map(|(code, t)| row("county", code, t)));
    rows.extend(townships.iter().map(|(code, t)| row("township", code, t)));
    rows.extend(by_area.iter().map(|(code, t)| row("enumeration_area", code, t)));
    rows
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::coverage::{Tally, chapman, chapman_with, coverage};
    use crate::residence::N_STRATA;

    /// A tally whose unlisted administrative people are all certain residents.
    fn tally(census: u64, admin: u64, matched: u64) -> Tally {
        let mut expected = [0.0; N_STRATA];
        expected[0] = (admin - matched) as f64;
        Tally { census, admin, matched, expected, bernoulli: 0.0 }
    }

    #[test]
    fn chapman_matches_hand_computed_values() {
        // DOMAIN §5.1's toy example: n1 = 100,000, n2 = 99,000, m = 98,500.
        let e = chapman(100_000, 99_000, 98_500);
        // (100001 × 99001) / 98501 − 1 = 100,507.614...
        assert!((e.population - 100_507.614_135_897).abs() < 1e-6, "{}", e.population);
        // Var = 100001 × 99001 × 1500 × 500 / (98501² × 98502) = 0.7755...
        let variance = 100_001.0 * 99_001.0 * 1_500.0 * 500.0 / (98_501f64.powi(2) * 98_502.0);
        assert!((e.high - e.population - 1.96 * variance.sqrt()).abs() < 1e-9);
        // A small area: n1 = 90, n2 = 80, m = 72: 91 × 81 / 73 − 1 = 99.97...
        let e = chapman(90, 80, 72);
        assert!((e.population - (91.0 * 81.0 / 73.0 - 1.0)).abs() < 1e-12);
        let variance = 91.0 * 81.0 * 18.0 * 8.0 / (73f64.powi(2) * 74.0);
        assert!((e.population - e.low - 1.96 * variance.sqrt()).abs() < 1e-9);
        // Everyone in both lists: no one missed, no spread.
        let e = chapman(50, 50, 50);
        assert!((e.population - 50.0).abs() < 1e-12 && e.low == 50.0 && e.high == 50.0);
    }

    #[test]
    fn areas_add_up_to_townships_counties_and_the_district() {
        let by_area: BTreeMap<String, Tally> = [
            ("320115001001001".to_owned(), tally(90, 80, 72)),
            ("320115001002001".to_owned(), tally(60, 50, 45)),
            ("320115002001001".to_owned(), tally(30, 20, 18)),
            ("320116001001001".to_owned(), tally(40, 30, 28)),
        ]
        .into_iter()
        .collect();
        let placed_by_township: BTreeMap<String, Tally> =
            [("320115001".to_owned(), tally(0, 5, 0)), (String::new(), tally(0, 2, 0))]
                .into_iter()
                .collect();
        let rows = coverage(&by_area, &placed_by_township, &[0.0; N_STRATA]);
        let levels: Vec<(&str, &str)> = rows.iter().map(|r| (r.level, r.code.as_str())).collect();
        // The people placed nowhere are a township row of their own, in no county.
        assert_eq!(
            levels[..7],
            [
                ("district", ""),
                ("county", "320115"),
                ("county", "320116"),
                ("township", ""),
                ("township", "320115001"),
                ("township", "320115002"),
                ("township", "320116001"),
            ]
        );
        assert_eq!(rows.len(), 1 + 2 + 4 + 4);
        let counts = |row: usize| (rows[row].census, rows[row].admin, rows[row].matched);
        assert_eq!(counts(0), (220, 187, 163));
        assert_eq!(counts(1), (180, 155, 135), "江宁区: its two townships");
        assert_eq!(counts(2), (40, 30, 28));
        assert_eq!(counts(4), (150, 135, 117), "the township's areas and its own placed");
        let expected = 151.0 * 136.0 / 118.0 - 1.0;
        let population = |row: usize| rows[row].estimate.expect("an estimate").population;
        assert!((population(4) - expected).abs() < 1e-9);
        assert_eq!(rows[7].code, "320115001001001");
        assert!((population(7) - (91.0 * 81.0 / 73.0 - 1.0)).abs() < 1e-9);
        // Nothing in the registers, or no one in both: no estimate.
        let by_area = [("320115001001001".to_owned(), tally(90, 0, 0))].into_iter().collect();
        assert_eq!(coverage(&by_area, &BTreeMap::new(), &[])[0].estimate, None);
        let by_area = [("320115001001001".to_owned(), tally(90, 40, 0))].into_iter().collect();
        assert_eq!(coverage(&by_area, &BTreeMap::new(), &[])[0].estimate, None);
    }

    #[test]
    fn the_register_count_is_its_expected_residents_and_carries_their_variance() {
        // 90 in the census, 80 in the registers, 72 in both; of the 8 unlisted, 2 of stratum 0
        // with probability 0.9 each and 6 of stratum 1 with 0.1 each: 72 + 1.8 + 0.6 = 74.4
        // expected residents.
        let mut t = tally(90, 80, 72);
        t.expected = [0.0; N_STRATA];
        t.expected[0] = 1.8;
        t.expected[1] = 0.6;
        t.bernoulli = 2.0 * 0.09 + 6.0 * 0.09;
        let mut relative = [0.0; N_STRATA];
        relative[0] = 0.01;
        relative[1] = 0.04;
        let by_area = [("320115001001001".to_owned(), t)].into_iter().collect();
        let row = &coverage(&by_area, &BTreeMap::new(), &relative)[0];
        assert!((row.admin_residents - 74.4).abs() < 1e-12);
        // Variance of 74.4: 0.72 (Bernoulli) + 1.8² × 0.01 + 0.6² × 0.04 = 0.7668.
        let expected = chapman_with(90.0, 74.4, 72.0, 0.7668);
        let estimate = row.estimate.expect("an estimate");
        assert!((estimate.population - (91.0 * 75.4 / 73.0 - 1.0)).abs() < 1e-9);
        assert!((estimate.high - expected.high).abs() < 1e-9);
        let seber = 91.0 * 75.4 * 18.0 * 2.4 / (73f64.powi(2) * 74.0);
        let carried = (91.0f64 / 73.0).powi(2) * 0.7668;
        assert!(
            (estimate.high - estimate.population - 1.96 * (seber + carried).sqrt()).abs() < 1e-9
        );
    }
}
