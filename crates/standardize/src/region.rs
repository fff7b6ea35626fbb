//! Statistical division codes (GB/T 2260 and the NBS 9- and 12-digit extensions): parsing,
//! level and hierarchy.
//!
//! A code is `PP CC DD TTT VVV`: province, prefecture, county, township, village. Trailing zero
//! groups mean the unit itself sits higher: `320100` is the prefecture 南京市, `320102000000` the
//! county 玄武区.
//!
//! ```
//! use censuslink_standardize::region::{RegionLevel, parse_region};
//!
//! let township = parse_region("320102001").expect("a township code");
//! assert_eq!(township.level(), RegionLevel::Township);
//! assert_eq!(township.to_u64(), 320_102_001_000);
//! assert_eq!(township.county().map(|c| c.to_string()), Some("320102".to_owned()));
//! let other = parse_region("320105").expect("a county code");
//! assert_eq!(township.common_level(other), Some(RegionLevel::Prefecture));
//! ```

use std::collections::HashMap;
use std::fmt;

use crate::codes::fold_width;

/// The level of a division, from the top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegionLevel {
    /// 省级: 2 digits (`32`).
    Province,
    /// 地级: 4 digits (`3201`).
    Prefecture,
    /// 县级: 6 digits (`320102`), the GB/T 2260 code.
    County,
    /// 乡级 (街道, 镇, 乡): 9 digits (`320102001`).
    Township,
    /// 村级 (居委会, 村委会): 12 digits (`320102001001`).
    Village,
}

/// A division code at any level, held in its 12-digit form.
///
/// Ordering is by the 12-digit code, so a unit sorts right before the units under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionCode {
    /// Invariant: 12 digits (`110000000000..=829999999999`), right-padded with zeros, with a
    /// known province code in the first two.
    code: u64,
    /// Invariant: the level of the last non-zero group of `code`.
    level: RegionLevel,
}

impl RegionCode {
    /// The level of the unit the code names.
    pub fn level(self) -> RegionLevel {
        self.level
    }

    /// The 12-digit form, right-padded with zeros: `320102` gives `320_102_000_000`.
    pub fn to_u64(self) -> u64 {
        self.code
    }

    /// The province the unit lies in (itself for a province).
    pub fn province(self) -> RegionCode {
        self.truncated(RegionLevel::Province)
    }

    /// The prefecture-level ancestor (itself for a prefecture); `None` for a province.
    ///
    /// Where the prefecture level is skipped (Hainan's 1980s county codes `4600DD`), this is
    /// the province, whose [`RegionCode::level`] is `Province`.
    pub fn prefecture(self) -> Option<RegionCode> {
        self.ancestor(RegionLevel::Prefecture)
    }

    /// The county-level ancestor (itself for a county); `None` above county level.
    ///
    /// Where the county level is skipped (townships of 东莞 `441900TTT`, 中山, 儋州), this is
    /// the prefecture standing in for it, whose [`RegionCode::level`] is `Prefecture`.
    pub fn county(self) -> Option<RegionCode> {
        self.ancestor(RegionLevel::County)
    }

    /// The township-level ancestor (itself for a township); `None` above township level.
    pub fn township(self) -> Option<RegionCode> {
        self.ancestor(RegionLevel::Township)
    }

    /// The deepest level at which both codes have an ancestor (or are themselves) with the
    /// same code: `320102001` and `320102` agree at `County`, `320102` and `320105` at
    /// `Prefecture`. `None` when the provinces differ.
    pub fn common_level(self, other: RegionCode) -> Option<RegionLevel> {
        let deepest = self.level.min(other.level);
        LEVELS
            .into_iter()
            .take_while(|&level| level <= deepest)
            .take_while(|&level| self.code / divisor(level) == other.code / divisor(level))
            .last()
    }

    fn ancestor(self, level: RegionLevel) -> Option<RegionCode> {
        (self.level >= level).then(|| self.truncated(level))
    }

    /// The code cut to `level`'s digits; its level is that of its last non-zero group.
    fn truncated(self, level: RegionLevel) -> RegionCode {
        let code = self.code / divisor(level) * divisor(level);
        RegionCode { code, level: level_of(code) }
    }
}

impl fmt::Display for RegionCode {
    /// The code at its own level's length: `32`, `3201`, `320102`, `320102001`, `320102001001`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The 12 digits by hand, then the level's prefix: cheaper than padded integer
        // formatting, and codes are written once per record.
        let mut text = [b'0'; 12];
        let mut rest = self.code;
        for digit in text.iter_mut().rev() {
            *digit = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        let text = std::str::from_utf8(&text[..digits(self.level)]).expect("ASCII digits");
        f.write_str(text)
    }
}

/// Reads a division code: after trimming and full-width folding, 2, 4, 6, 9 or 12 ASCII digits
/// whose first two are a province code that exists (11-15, 21-23, 31-37, 41-46, 50-54, 61-65,
/// 71, 81, 82). Trailing zero groups lower the level: `320100` is a prefecture, `320000` a
/// province, `320102000000` a county, `320102001000` a township.
///
/// Returns `None` for any other text: another length, a non-digit, an unknown province.
/// Inner zero groups are kept as they are (`441900003` is a township directly under the
/// prefecture-level city 东莞).
pub fn parse_region(raw: &str) -> Option<RegionCode> {
    let mut code = 0u64;
    let mut n_digits = 0usize;
    for c in raw.trim().chars().map(fold_width) {
        if !c.is_ascii_digit() || n_digits == 12 {
            return None;
        }
        code = code * 10 + u64::from(c as u8 - b'0');
        n_digits += 1;
    }
    let level = LEVELS.into_iter().find(|&level| digits(level) == n_digits)?;
    let code = code * divisor(level);
    let province = code / divisor(RegionLevel::Province);
    let is_known_province = matches!(
        province,
        11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81 | 82
    );
    is_known_province.then(|| RegionCode { code, level: level_of(code) })
}

/// The latest GB/T 2260 name of a province, prefecture or county code (`320115` 江宁区), from
/// the union of revisions 1980-12 to 2019-04 in `data/gb2260.tsv`; `None` for another code.
pub fn region_name(code: RegionCode) -> Option<&'static str> {
    let six = u32::try_from(code.code / divisor(RegionLevel::County)).ok()?;
    NAMES.binary_search_by_key(&six, |&(code, ..)| code).ok().map(|i| NAMES[i].1)
}

/// The county-level division an address names first, after the province and prefecture names
/// it may start with: `江苏省常州市钟楼区城关镇7组` and `钟楼区城关镇7组` give 钟楼区;
/// `横溪街道勇跃村` gives `None`. The name is one that some county of GB/T 2260 bears (names
/// repeat between provinces: 鼓楼区 is in four), so it tells whether an address lies in a
/// county known by its name, not which county of that name.
pub fn address_county(address: &str) -> Option<&'static str> {
    let rest = address_tail(address);
    // Without a province or prefecture before it, a two-character name (城区, 东区, 郊区) is as
    // likely the start of a street's: read only longer ones.
    let shortest = if rest.len() < address.trim().len() { 1 } else { 2 };
    let first = rest.chars().next()?;
    // The shortest name of 2 (or 3) to 13 characters the rest starts with, among the names
    // that start as it does (longest first).
    let names = COUNTY_NAMES.get(&first).map_or(&[][..], Vec::as_slice);
    let lengths = shortest + 1..=shortest + 12;
    names
        .iter()
        .rev()
        .find(|name| rest.starts_with(**name) && lengths.contains(&name.chars().count()))
        .copied()
}

/// The names of the county-level divisions under `prefecture` that GB/T 2260 no longer lists
/// (`3201` gives 江宁县, merged into 江宁区, 白下区, 下关区 ...): an address may give a county by
/// an old name. None for a code that is no prefecture.
pub fn former_county_names_under(prefecture: RegionCode) -> impl Iterator<Item = &'static str> {
    let four = prefecture.code / divisor(RegionLevel::Prefecture);
    let is_prefecture = prefecture.level == RegionLevel::Prefecture;
    let latest = NAMES.iter().map(|&(.., last)| last).max().unwrap_or_default();
    NAMES
        .iter()
        .filter(move |&&(code, _, last)| {
            is_prefecture && u64::from(code) / 100 == four && code % 100 != 0 && last < latest
        })
        .map(|&(_, name, _)| name)
        .filter(|name| !matches!(*name, "市辖区" | "县"))
}

/// An address without the province and prefecture names it may start with, trimmed:
/// `江苏省南京市江宁区淳化街道周子村2组37号` and `江宁区淳化街道周子村2组37号` give the same.
pub fn address_tail(address: &str) -> &str {
    let mut rest = address.trim();
    for level in [&*PROVINCE_NAMES, &*PREFECTURE_NAMES] {
        let Some(first) = rest.chars().next() else { break };
        let names = level.get(&first).map_or(&[][..], Vec::as_slice);
        if let Some(name) = names.iter().find(|name| rest.starts_with(**name)) {
            rest = &rest[name.len()..];
        }
    }
    rest
}

/// Names of one level by their first character, each list longest first (as [`names_of`]):
/// an address is compared with the few names that start as it does, not with every name.
fn by_first_character(names: Vec<&'static str>) -> HashMap<char, Vec<&'static str>> {
    let mut by_first: HashMap<char, Vec<&'static str>> = HashMap::new();
    for name in names {
        if let Some(first) = name.chars().next() {
            by_first.entry(first).or_default().push(name);
        }
    }
    by_first
}

/// Every code of `data/gb2260.tsv` with its latest name and the last revision listing it
/// (`201904`), by code.
static NAMES: std::sync::LazyLock<Vec<(u32, &'static str, u32)>> = std::sync::LazyLock::new(|| {
    include_str!("../data/gb2260.tsv")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let mut columns = line.split('\t');
            let (code, name) = (columns.next()?.parse().ok()?, columns.next()?);
            Some((code, name, columns.nth(1)?.trim().parse().ok()?))
        })
        .collect()
});

/// Names of one level, longest first (a longer name is tried before its prefix), without the
/// placeholders 市辖区 and 县 that some prefectures list.
fn names_of(level: RegionLevel) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = NAMES
        .iter()
        .filter(|&&(code, ..)| level_of(u64::from(code) * 1_000_000) == level)
        .map(|&(_, name, _)| name)
        .filter(|name| {
            !matches!(*name, "市辖区" | "县" | "省直辖县级行政区划" | "自治区直辖县级行政区划")
        })
        .collect();
    names.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    names.dedup();
    names
}

static PROVINCE_NAMES: std::sync::LazyLock<HashMap<char, Vec<&'static str>>> =
    std::sync::LazyLock::new(|| by_first_character(names_of(RegionLevel::Province)));
static PREFECTURE_NAMES: std::sync::LazyLock<HashMap<char, Vec<&'static str>>> =
    std::sync::LazyLock::new(|| by_first_character(names_of(RegionLevel::Prefecture)));
static COUNTY_NAMES: std::sync::LazyLock<HashMap<char, Vec<&'static str>>> =
    std::sync::LazyLock::new(|| by_first_character(names_of(RegionLevel::County)));

/// Every level, from the top.
const LEVELS: [RegionLevel; 5] = [
    RegionLevel::Province,
    RegionLevel::Prefecture,
    RegionLevel::County,
    RegionLevel::Township,
    RegionLevel::Village,
];

/// The number of leading digits of the 12-digit form that name a unit at `level`.
fn digits(level: RegionLevel) -> usize {
    match level {
        RegionLevel::Province => 2,
        RegionLevel::Prefecture => 4,
        RegionLevel::County => 6,
        RegionLevel::Township => 9,
        RegionLevel::Village => 12,
    }
}

/// 10 to the power of the digits below `level` in the 12-digit form.
fn divisor(level: RegionLevel) -> u64 {
    match level {
        RegionLevel::Province => 10_000_000_000,
        RegionLevel::Prefecture => 100_000_000,
        RegionLevel::County => 1_000_000,
        RegionLevel::Township => 1_000,
        RegionLevel::Village => 1,
    }
}

/// The level of the last non-zero group of a 12-digit code (`Province` when all are zero).
fn level_of(code: u64) -> RegionLevel {
    let groups = [
        (RegionLevel::Village, code % 1_000),
        (RegionLevel::Township, code / 1_000 % 1_000),
        (RegionLevel::County, code / 1_000_000 % 100),
        (RegionLevel::Prefecture, code / 100_000_000 % 100),
    ];
    groups
        .into_iter()
        .find(|&(_, group)| group != 0)
        .map_or(RegionLevel::Province, |(level, _)| level)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::region::{
        RegionCode, RegionLevel, address_county, address_tail, former_county_names_under,
        parse_region, region_name,
    };

    fn region(raw: &str) -> RegionCode {
        parse_region(raw).expect("a valid test code")
    }

    #[test]
    fn names_by_code_and_the_county_an_address_names() {
        assert_eq!(region_name(region("320115")), Some("江宁区"));
        assert_eq!(region_name(region("320115001")), Some("江宁区"), "a township's county");
        assert_eq!(region_name(region("320100")), Some("南京市"));
        assert_eq!(address_county("江苏省南京市江宁区横溪街道勇跃村4组6号"), Some("江宁区"));
        assert_eq!(address_county("江宁区江宁街道叶村社区11-301"), Some("江宁区"));
        assert_eq!(address_county("江苏省钟楼区城关镇7组27号"), Some("钟楼区"));
        assert_eq!(address_county("新疆维吾尔自治区青河县城关镇9组1号"), Some("青河县"));
        assert_eq!(address_county("横溪街道勇跃村4组6号"), None);
        assert_eq!(address_county(""), None);
        // A two-character name is read only after a province or prefecture.
        assert_eq!(address_county("城区街道8号"), None);
        assert_eq!(address_county("山西省城区街道8号"), Some("城区"));
        let former: Vec<&str> = former_county_names_under(region("3201")).collect();
        assert!(former.contains(&"江宁县") && former.contains(&"白下区"), "{former:?}");
        assert!(!former.contains(&"江宁区") && !former.contains(&"鼓楼区"), "still listed");
        assert_eq!(former_county_names_under(region("320115")).count(), 0, "no prefecture");
        assert_eq!(
            address_tail(" 江苏省南京市江宁区淳化街道周子村2组37号"),
            "江宁区淳化街道周子村2组37号"
        );
        assert_eq!(address_tail("南京市江宁区淳化街道"), "江宁区淳化街道");
    }

    #[test]
    fn levels() {
        fn check(input: &str, expected: Option<(RegionLevel, u64, &str)>) {
            let parsed = parse_region(input);
            let got = parsed.map(|code| (code.level(), code.to_u64(), code.to_string()));
            let expected = expected.map(|(level, code, shown)| (level, code, shown.to_owned()));
            assert_eq!(got, expected, "input {input:?}");
        }
        check("32", Some((RegionLevel::Province, 320_000_000_000, "32")));
        check("3201", Some((RegionLevel::Prefecture, 320_100_000_000, "3201")));
        check("3200", Some((RegionLevel::Province, 320_000_000_000, "32")));
        check("320000", Some((RegionLevel::Province, 320_000_000_000, "32")));
        check("320100", Some((RegionLevel::Prefecture, 320_100_000_000, "3201")));
        check("320102", Some((RegionLevel::County, 320_102_000_000, "320102")));
        check("320102001", Some((RegionLevel::Township, 320_102_001_000, "320102001")));
        check("320102000", Some((RegionLevel::County, 320_102_000_000, "320102")));
        check("320102001001", Some((RegionLevel::Village, 320_102_001_001, "320102001001")));
        check("320102001000", Some((RegionLevel::Township, 320_102_001_000, "320102001")));
        check("320102000000", Some((RegionLevel::County, 320_102_000_000, "320102")));
        check("320000000000", Some((RegionLevel::Province, 320_000_000_000, "32")));
        check(" ３２０１０２ ", Some((RegionLevel::County, 320_102_000_000, "320102")));
        check("441900003", Some((RegionLevel::Township, 441_900_003_000, "441900003")));
        check("460001", Some((RegionLevel::County, 460_001_000_000, "460001")));
        check("110000", Some((RegionLevel::Province, 110_000_000_000, "11")));
        check("820000", Some((RegionLevel::Province, 820_000_000_000, "82")));
        check("710000", Some((RegionLevel::Province, 710_000_000_000, "71")));
        for bad in [
            "",
            "3",
            "320",
            "32010",
            "3201020",
            "32010200",
            "3201020010",
            "32010200100",
            "3201020010010",
            "320102-001",
            "32010a",
            "000000",
            "100000",
            "160000",
            "190000",
            "240000",
            "380000",
            "470000",
            "550000",
            "660000",
            "700000",
            "830000",
            "900000",
            "990000",
        ] {
            check(bad, None);
        }
    }

    #[test]
    fn hierarchy() {
        let village = region("320102001001");
        assert_eq!(village.province(), region("32"));
        assert_eq!(village.prefecture(), Some(region("3201")));
        assert_eq!(village.county(), Some(region("320102")));
        assert_eq!(village.township(), Some(region("320102001")));

        let county = region("320102");
        assert_eq!(county.province(), region("320000"));
        assert_eq!(county.prefecture(), Some(region("320100")));
        assert_eq!(county.county(), Some(county));
        assert_eq!(county.township(), None);

        let province = region("32");
        assert_eq!(province.province(), province);
        assert_eq!(province.prefecture(), None);
        assert_eq!(province.county(), None);

        // Dongguan has no county level: its townships hang under the prefecture's own code.
        let dongguan_township = region("441900003");
        let county = dongguan_township.county().expect("a township has a county-level ancestor");
        assert_eq!(
            (county.to_string(), county.level()),
            ("4419".to_owned(), RegionLevel::Prefecture)
        );
        // Hainan's 1980s counties had no prefecture.
        let hainan_county = region("460001");
        assert_eq!(hainan_county.prefecture(), Some(region("46")));
    }

    #[test]
    fn common_levels() {
        fn check(a: &str, b: &str, expected: Option<RegionLevel>) {
            assert_eq!(region(a).common_level(region(b)), expected, "{a} {b}");
            assert_eq!(region(b).common_level(region(a)), expected, "{b} {a}");
        }
        check("320102001001", "320102001001", Some(RegionLevel::Village));
        check("320102001001", "320102001002", Some(RegionLevel::Township));
        check("320102001001", "320102001", Some(RegionLevel::Township));
        check("320102001", "320102002", Some(RegionLevel::County));
        check("320102001", "320102", Some(RegionLevel::County));
        check("320102", "320105", Some(RegionLevel::Prefecture));
        check("320102", "3201", Some(RegionLevel::Prefecture));
        check("320102", "320200", Some(RegionLevel::Province));
        check("320102", "32", Some(RegionLevel::Province));
        check("320102", "110105", None);
        check("32", "11", None);
    }

    #[test]
    fn ordering_puts_a_unit_before_its_children() {
        let mut codes = [region("320102001"), region("320102"), region("3201"), region("110105")];
        codes.sort();
        let shown: Vec<String> = codes.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["110105", "3201", "320102", "320102001"]);
    }

    proptest! {
        #[test]
        fn parse_region_round_trips_through_display(
            raw in "[1-8][0-9]([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?"
        ) {
            if let Some(code) = parse_region(&raw) {
                let shown = code.to_string();
                prop_assert_eq!(parse_region(&shown), Some(code));
                prop_assert!(raw.starts_with(&shown));
                prop_assert!(raw[shown.len()..].bytes().all(|b| b == b'0'));
            }
        }

        #[test]
        fn parse_region_never_panics(raw in "\\PC{0,16}") {
            let _ = parse_region(&raw);
        }
    }
}
