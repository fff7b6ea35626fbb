//! The district's geography: real 2023 statistical division codes of one prefecture (南京市),
//! the counties whose villages the district takes, and the origin counties of in-migrants.

use std::sync::LazyLock;

/// One village-level unit (村委会 or 居委会) of the district.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Village {
    /// The 12-digit statistical code.
    pub(crate) code: u64,
    /// The official name, e.g. `东山社区居委会`.
    pub(crate) name: &'static str,
    /// The name of its township (乡级), e.g. `东山街道`.
    pub(crate) township: &'static str,
    /// The name of its county (县级), e.g. `江宁区`.
    pub(crate) county: &'static str,
    /// Whether it is a villagers' committee (codes 200-399: rural) rather than a residents'
    /// committee (urban).
    pub(crate) is_rural: bool,
}

impl Village {
    /// The 6-digit county code.
    pub(crate) fn county_code(&self) -> u32 {
        (self.code / 1_000_000) as u32
    }
}

/// A county-level unit elsewhere in China: where in-migrants' hukou is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OriginCounty {
    pub(crate) code: u32,
    pub(crate) province: &'static str,
    /// The county's name, e.g. `萧县`.
    pub(crate) county: &'static str,
}

/// Counties of the prefecture in the order the district takes them: 江宁区 first (mixed urban
/// and rural, the largest), then the other mixed counties, then the urban core.
const COUNTY_ORDER: [u32; 11] =
    [320115, 320116, 320117, 320118, 320113, 320111, 320114, 320106, 320104, 320105, 320102];

/// Counties renamed since 1980, with the code their IDs carried before (GB/T 2260 history,
/// checked against `censuslink-standardize`'s `gb2260.tsv`): an ID keeps the address code of
/// the county that issued it, so people born before the change carry the old code.
const FORMER_CODES: [(u32, u32, u16); 4] = [
    // (current code, former code, first birth year with the current code)
    (320115, 320121, 2000), // 江宁县 → 江宁区
    (320116, 320123, 2002), // 六合县 → 六合区
    (320117, 320124, 2013), // 溧水县 → 溧水区
    (320118, 320125, 2013), // 高淳县 → 高淳区
];

/// The address code an ID issued to someone born in `birth_year` in `county` carries.
pub(crate) fn id_address_code(county: u32, birth_year: u16) -> u32 {
    FORMER_CODES
        .iter()
        .find(|(current, _, since)| *current == county && birth_year < *since)
        .map_or(county, |(_, former, _)| *former)
}

/// The villages of the district: enough for `n_villages`, taken from whole counties in
/// [`COUNTY_ORDER`]; within the first county, spread evenly over its list when it has more
/// than needed. Deterministic, in code order.
pub(crate) fn district_villages(n_villages: usize) -> Vec<Village> {
    let all = &*VILLAGES;
    let first: Vec<&Village> = all.iter().filter(|v| v.county_code() == COUNTY_ORDER[0]).collect();
    if n_villages <= first.len() {
        let stride = first.len() as f64 / n_villages.max(1) as f64;
        return (0..n_villages.max(1))
            .map(|i| first[(i as f64 * stride) as usize].clone())
            .collect();
    }
    let mut villages = Vec::new();
    for county in COUNTY_ORDER {
        if villages.len() >= n_villages {
            break;
        }
        villages.extend(all.iter().filter(|v| v.county_code() == county).cloned());
    }
    villages
}

/// How many counties a province can have: the prefecture's.
pub(crate) const MAX_COUNTIES: usize = COUNTY_ORDER.len();

/// The villages of a province of the first `n_counties` counties of [`COUNTY_ORDER`]: as many
/// from each (up to `n_villages` in all, and no more per county than the smallest of them
/// has), spread evenly over each county's list, so that counties of equal villages draw equal
/// households. Deterministic, in county order, each county's in code order.
pub(crate) fn province_villages(n_counties: usize, n_villages: usize) -> Vec<Village> {
    assert!((1..=MAX_COUNTIES).contains(&n_counties), "1 to {MAX_COUNTIES} counties");
    let all = &*VILLAGES;
    let counties: Vec<Vec<&Village>> = COUNTY_ORDER[..n_counties]
        .iter()
        .map(|&county| all.iter().filter(|v| v.county_code() == county).collect())
        .collect();
    let smallest = counties.iter().map(Vec::len).min().unwrap_or(0);
    let per_county = n_villages.div_ceil(n_counties).clamp(1, smallest);
    let stride = |len: usize| len as f64 / per_county as f64;
    counties
        .iter()
        .flat_map(|villages| {
            let stride = stride(villages.len());
            (0..per_county).map(move |i| villages[(i as f64 * stride) as usize].clone())
        })
        .collect()
}

/// Origin counties of in-migrants whose codes are valid ID address codes (in some GB/T 2260
/// revision up to 2019; newer codes would make a valid ID look invalid), outside the prefecture.
pub(crate) fn origin_counties() -> &'static [OriginCounty] {
    &ORIGINS
}

static VILLAGES: LazyLock<Vec<Village>> = LazyLock::new(|| {
    let mut counties: Vec<(u64, &'static str)> = Vec::new();
    let mut townships: Vec<(u64, &'static str)> = Vec::new();
    let mut villages = Vec::new();
    for line in include_str!("../data/nanjing-2023.tsv").lines().filter(|l| !l.starts_with('#')) {
        let (code, name) = line.split_once('\t').expect("code<TAB>name");
        let code: u64 = code.parse().expect("a numeric code");
        match code.to_string().len() {
            6 => counties.push((code, name)),
            9 => townships.push((code, name)),
            _ => {
                let name_of = |units: &[(u64, &'static str)], unit: u64| {
                    units
                        .iter()
                        .find(|(c, _)| *c == unit)
                        .map(|(_, n)| *n)
                        .expect("a listed parent")
                };
                villages.push(Village {
                    code,
                    name,
                    township: name_of(&townships, code / 1_000),
                    county: name_of(&counties, code / 1_000_000),
                    is_rural: (200..400).contains(&(code % 1_000)),
                });
            }
        }
    }
    villages
});

static ORIGINS: LazyLock<Vec<OriginCounty>> = LazyLock::new(|| {
    include_str!("../data/counties-2023.tsv")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|line| {
            let mut fields = line.split('\t');
            let code: u32 = fields.next()?.parse().ok()?;
            let province = fields.next()?;
            let county = fields.next()?;
            let is_usable = code / 100 != 3201
                && !code.is_multiple_of(100)
                && censuslink_standardize::id::is_known_address_code(code);
            is_usable.then_some(OriginCounty { code, province, county })
        })
        .collect()
});

#[cfg(test)]
mod tests {
    use crate::geography::{
        district_villages, id_address_code, origin_counties, province_villages,
    };

    #[test]
    fn the_district_takes_whole_real_units() {
        let small = district_villages(25);
        assert_eq!(small.len(), 25);
        assert!(small.iter().all(|v| v.county == "江宁区" && v.county_code() == 320115));
        assert!(small.iter().any(|v| v.is_rural) && small.iter().any(|v| !v.is_rural));
        assert!(small.windows(2).all(|w| w[0].code < w[1].code), "in code order");
        let large = district_villages(1_000);
        assert!(large.len() >= 1_000);
        assert_eq!(large[0].county, "江宁区");
        let first = &large[0];
        assert_eq!(first.code / 1_000_000_000, 320, "a Jiangsu code");
        assert!(first.township.ends_with("街道") || first.township.ends_with('镇'));
    }

    #[test]
    fn a_province_takes_as_many_villages_from_each_county() {
        let villages = province_villages(4, 30);
        assert_eq!(villages.len(), 32, "8 from each of 4 counties");
        let counties: Vec<u32> = villages.iter().map(|v| v.county_code()).collect();
        for (i, county) in [320115, 320116, 320117, 320118].into_iter().enumerate() {
            assert!(counties[i * 8..(i + 1) * 8].iter().all(|&c| c == county), "{county}");
        }
        // A large province stops at the smallest county's villages (溧水区: 118).
        assert_eq!(province_villages(4, 4_000).len(), 4 * 118);
        assert_eq!(province_villages(1, 5).len(), 5);
    }

    #[test]
    fn ids_carry_the_code_of_their_time() {
        assert_eq!(id_address_code(320115, 1985), 320121, "江宁县");
        assert_eq!(id_address_code(320115, 2000), 320115, "江宁区");
        assert_eq!(id_address_code(320118, 2012), 320125, "高淳县");
        assert_eq!(id_address_code(320102, 1950), 320102, "玄武区 never changed");
        for (code, _) in [(320121, 0), (320123, 0), (320124, 0), (320125, 0)] {
            assert!(censuslink_standardize::id::is_known_address_code(code), "{code}");
        }
    }

    #[test]
    fn origins_are_valid_address_codes_elsewhere() {
        let origins = origin_counties();
        assert!(origins.len() > 2_500, "{}", origins.len());
        assert!(origins.iter().all(|o| o.code / 100 != 3201));
        assert!(origins.iter().any(|o| o.province == "新疆维吾尔自治区"));
        assert!(origins.iter().all(|o| censuslink_standardize::id::is_known_address_code(o.code)));
    }
}
