//! Coverage: for each enumeration area, township and the district, the census count, the
//! administrative count, the people in both, and the Chapman dual-system estimate of the true
//! population with its 95 % interval (DOMAIN §5.1).

use std::collections::BTreeMap;

use serde::Serialize;

/// The assumptions the estimates rest on, printed beside them: each in Chinese and in
/// English.
pub const ASSUMPTIONS: [(&str, &str); 8] = [
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
        "行政登记中的人按其普查比对结果定位到区域（普查登记为户口在本地、人在外地的人不计入，\
         与漏登清单一致）；否则按普查在其地址登记的人所在的普查小区；否则（仅乡镇）按医保乡镇，\
         再否则按户籍地。同一普查记录只计一人。",
        "An area's administrative people are placed by their census link (people the census \
         lists as living elsewhere are left out, as the missing list leaves them out), else by \
         the area in which the census lists the people linked at their address, else \
         (townships only) by the insurance township, else by the hukou place. Register people \
         linked to one census record count once.",
    ),
    (
        "区间为 Seber 方差的 ±1.96 倍标准误；实际的覆盖率调查按群抽样，需要重复抽样估计方差。",
        "The interval is ±1.96 standard errors of Seber's variance; real coverage surveys \
         sample clusters and need replication instead.",
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
    let (n1, n2, m) = (census as f64, admin as f64, matched as f64);
    let population = (n1 + 1.0) * (n2 + 1.0) / (m + 1.0) - 1.0;
    let variance = (n1 + 1.0) * (n2 + 1.0) * (n1 - m).max(0.0) * (n2 - m).max(0.0)
        / ((m + 1.0).powi(2) * (m + 2.0));
    let half = 1.96 * variance.sqrt();
    Estimate { population, low: (population - half).max(n1.max(n2)), high: population + half }
}

/// One area's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaCoverage {
    /// `district`, `township` or `enumeration_area`.
    pub level: &'static str,
    /// The area's code (empty for the district).
    pub code: String,
    /// Census usual residents counted there (a duplicated person once).
    pub census: u64,
    /// People the activity registers place there.
    pub admin: u64,
    /// People in both.
    pub matched: u64,
    /// The estimate; `None` when there is nothing to estimate from: no census person, no
    /// register person, or none in both (a census without activity registers, or whose
    /// registers link to no one), where Chapman's formula gives a number without meaning.
    pub estimate: Option<Estimate>,
}

/// Tallies of one area.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Census usual residents.
    pub census: u64,
    /// Administrative people placed there.
    pub admin: u64,
    /// Of whom the census lists.
    pub matched: u64,
}

/// Coverage rows from tallies by enumeration area (15-digit code, whose first 9 digits are the
/// township) and by township (administrative people placed no finer than a township).
pub fn coverage(
    by_area: &BTreeMap<String, Tally>,
    by_township_only: &BTreeMap<String, Tally>,
) -> Vec<AreaCoverage> {
    let mut townships: BTreeMap<String, Tally> = by_township_only.clone();
    let mut district = Tally::default();
    for (area, tally) in by_area {
        let township = area.get(..9).unwrap_or(area).to_owned();
        let t = townships.entry(township).or_default();
        t.census += tally.census;
        t.admin += tally.admin;
        t.matched += tally.matched;
    }
    for tally in townships.values() {
        district.census += tally.census;
        district.admin += tally.admin;
        district.matched += tally.matched;
    }
    let row = |level, code: &str, t: &Tally| AreaCoverage {
        level,
        code: code.to_owned(),
        census: t.census,
        admin: t.admin,
        matched: t.matched,
        estimate: (t.census > 0 && t.admin > 0 && t.matched > 0)
            .then(|| chapman(t.census, t.admin, t.matched)),
    };
    let mut rows = vec![row("district", "", &district)];
    rows.extend(townships.iter().map(|(code, t)| row("township", code, t)));
    rows.extend(by_area.iter().map(|(code, t)| row("enumeration_area", code, t)));
    rows
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::coverage::{Tally, chapman, coverage};

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
    fn areas_add_up_to_townships_and_the_district() {
        let tally = |census, admin, matched| Tally { census, admin, matched };
        let by_area: BTreeMap<String, Tally> = [
            ("320115001001001".to_owned(), tally(90, 80, 72)),
            ("320115001002001".to_owned(), tally(60, 50, 45)),
            ("320115002001001".to_owned(), tally(30, 20, 18)),
        ]
        .into_iter()
        .collect();
        let placed_by_township: BTreeMap<String, Tally> =
            [("320115001".to_owned(), tally(0, 5, 0))].into_iter().collect();
        let rows = coverage(&by_area, &placed_by_township);
        assert_eq!(rows.len(), 1 + 2 + 3);
        assert_eq!((rows[0].census, rows[0].admin, rows[0].matched), (180, 155, 135));
        assert_eq!(rows[1].code, "320115001");
        assert_eq!((rows[1].census, rows[1].admin, rows[1].matched), (150, 135, 117));
        let expected = 151.0 * 136.0 / 118.0 - 1.0;
        let population = |row: usize| rows[row].estimate.expect("an estimate").population;
        assert!((population(1) - expected).abs() < 1e-9);
        assert_eq!(rows[3].code, "320115001001001");
        assert!((population(3) - (91.0 * 81.0 / 73.0 - 1.0)).abs() < 1e-9);
        // Nothing in the registers, or no one in both: no estimate.
        let by_area = [("320115001001001".to_owned(), tally(90, 0, 0))].into_iter().collect();
        assert_eq!(coverage(&by_area, &BTreeMap::new())[0].estimate, None);
        let by_area = [("320115001001001".to_owned(), tally(90, 40, 0))].into_iter().collect();
        assert_eq!(coverage(&by_area, &BTreeMap::new())[0].estimate, None);
    }
}
