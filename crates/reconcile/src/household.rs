//! The household pass: a second pass over the records a link left over, with the household
//! as evidence. When most linked members of a census household link to one register household
//! (and most of that household's linked members to it), the two households are paired, and a
//! remaining member of one is compared with the remaining members of the other with the
//! household's weight added to the model's. Census linkage at national statistical offices
//! does this (the Census Bureau's PVS, the ONS); it finds the people whose own fields are too
//! damaged for the first pass (no ID number and a birth month off by a lunar date), among the
//! few records of one household, not among a county's.
//!
//! The household's weight is a Fellegi–Sunter weight like any other, log2(m/u), learned from
//! the run's own links: m is the share of the first pass's links whose households the other
//! members pair (each link left out of its own households' pairing), u the share of all pairs
//! of records that fall in a paired pair of households.

use censuslink_linkage::{MAX_WEIGHT, RecordIdx, ScoredPair, Scorer, one_to_one};
use censuslink_model::PersonTable;
use rustc_hash::FxHashMap as HashMap;

/// What the household pass found.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HouseholdPass {
    /// The household's weight, log2(m/u).
    pub(crate) weight: f64,
    /// The links it made, as the first pass's are (the right record offset by the left table's
    /// length), weighing the model's weight plus the household's.
    pub(crate) links: Vec<ScoredPair>,
}

/// The household evidence of a link, as `explain` needs it: the weight, and the pairs it
/// decided.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HouseholdLinks {
    /// The household's weight, log2(m/u).
    pub weight: f64,
    /// The pairs the household pass linked: (left row, right row), sorted.
    pub pairs: Vec<(RecordIdx, RecordIdx)>,
}

impl HouseholdLinks {
    /// Whether the household pass linked left row `a` to right row `b`.
    pub fn decided(&self, a: RecordIdx, b: RecordIdx) -> bool {
        self.pairs.binary_search(&(a, b)).is_ok()
    }
}

/// The household pass of a link of `left` to `right` whose first pass made `links`, scoring
/// with `scorer`; pairs of weight `min_weight` or more link, one to one. `None` when either
/// side has no households or the households say nothing (no paired households, or m not above
/// u).
pub(crate) fn household_pass(
    left: &PersonTable,
    right: &PersonTable,
    scorer: &Scorer<'_>,
    links: &[ScoredPair],
    min_weight: f64,
) -> Option<HouseholdPass> {
    let n_left = left.len() as RecordIdx;
    let (left_households, n_left_households) = households(left);
    let (right_households, n_right_households) = households(right);
    if n_left_households == 0 || n_right_households == 0 {
        return None;
    }
    let household_of = |record: RecordIdx| match record.checked_sub(n_left) {
        None => left_households[record as usize],
        Some(row) => right_households[row as usize],
    };
    // Links between households, and each household's linked members.
    let mut between: HashMap<(u32, u32), u32> = HashMap::default();
    let mut linked_left: HashMap<u32, u32> = HashMap::default();
    let mut linked_right: HashMap<u32, u32> = HashMap::default();
    let with_households: Vec<(u32, u32)> = links
        .iter()
        .filter_map(|link| Some((household_of(link.a)?, household_of(link.b)?)))
        .collect();
    for &(l, r) in &with_households {
        *between.entry((l, r)).or_default() += 1;
        *linked_left.entry(l).or_default() += 1;
        *linked_right.entry(r).or_default() += 1;
    }
    // Paired: most of each household's linked members (`less` of them left out) link to the
    // other.
    let paired = |l: u32, r: u32, less: u32| {
        let n = between.get(&(l, r)).copied().unwrap_or(0).saturating_sub(less);
        let (n_l, n_r) = (linked_left[&l] - less, linked_right[&r] - less);
        n >= 1 && 2 * n > n_l && 2 * n > n_r
    };
    let n_paired_links = with_households.iter().filter(|&&(l, r)| paired(l, r, 1)).count();
    let m = n_paired_links as f64 / with_households.len().max(1) as f64;
    let mut pairs: Vec<(u32, u32)> =
        between.keys().copied().filter(|&(l, r)| paired(l, r, 0)).collect();
    pairs.sort_unstable();
    let members = |households: &[Option<u32>], n: u32| {
        let mut members: Vec<Vec<RecordIdx>> = vec![Vec::new(); n as usize];
        for (row, household) in households.iter().enumerate() {
            if let Some(h) = household {
                members[*h as usize].push(row as RecordIdx);
            }
        }
        members
    };
    let (left_members, right_members) = (
        members(&left_households, n_left_households),
        members(&right_households, n_right_households),
    );
    let n_with = |members: &[Vec<RecordIdx>]| members.iter().map(Vec::len).sum::<usize>() as f64;
    let shared: f64 = pairs
        .iter()
        .map(|&(l, r)| (left_members[l as usize].len() * right_members[r as usize].len()) as f64)
        .sum();
    let u = shared / (n_with(&left_members) * n_with(&right_members));
    if pairs.is_empty() || m <= u {
        return None;
    }
    let weight = (m / u).log2().min(MAX_WEIGHT);
    let linked: rustc_hash::FxHashSet<RecordIdx> =
        links.iter().flat_map(|link| [link.a, link.b]).collect();
    let mut candidates = Vec::new();
    for &(l, r) in &pairs {
        for &a in left_members[l as usize].iter().filter(|a| !linked.contains(a)) {
            for b in right_members[r as usize].iter().map(|&row| n_left + row) {
                if linked.contains(&b) {
                    continue;
                }
                let pair_weight = scorer.weight(a, b) + weight;
                if pair_weight >= min_weight {
                    candidates.push(ScoredPair { a, b, weight: pair_weight });
                }
            }
        }
    }
    Some(HouseholdPass { weight, links: one_to_one(&candidates, min_weight) })
}

/// Each record's household as a number (`None` without one), and how many households.
fn households(table: &PersonTable) -> (Vec<Option<u32>>, u32) {
    let mut numbers: HashMap<&str, u32> = HashMap::default();
    let households = (0..table.len())
        .map(|row| {
            let household = table.household_id.get(row)?;
            let next = numbers.len() as u32;
            Some(*numbers.entry(household).or_insert(next))
        })
        .collect();
    (households, numbers.len() as u32)
}

#[cfg(test)]
mod tests {
    use censuslink_linkage::{
        Comparison, ComparisonParameters, Kind, Model, ScoredPair, weight_of,
    };
    use censuslink_model::PersonTable;

    use crate::features::person_records;
    use crate::household::household_pass;

    fn table(people: &[(&str, &str)]) -> PersonTable {
        let mut t = PersonTable::default();
        for (n, (household, name)) in people.iter().enumerate() {
            t.row.push(n as u64 + 1);
            t.record_id.push(Some(&format!("r{n}")));
            t.household_id.push(Some(household));
            t.name.full.push(Some(name));
            t.fill_to(n + 1);
        }
        t
    }

    #[test]
    fn a_member_left_over_links_within_the_household_its_family_links_to() {
        // Census households C1 and C2; hukou households H1 and H2 hold them, H3 another
        // 张小明. A hundred people on each side live alone and link to no one.
        let fillers: Vec<(String, String)> =
            (0..100).map(|i| (format!("F{i}"), format!("甲{i}"))).collect();
        let with_fillers = |people: &[(&'static str, &'static str)]| {
            let mut all: Vec<(&str, &str)> = people.to_vec();
            all.extend(fillers.iter().map(|(h, n)| (h.as_str(), n.as_str())));
            table(&all)
        };
        let census = with_fillers(&[
            ("C1", "张伟"),
            ("C1", "王芳"),
            ("C1", "张小明"),
            ("C2", "李强"),
            ("C2", "赵敏"),
        ]);
        let hukou = with_fillers(&[
            ("H1", "张伟"),
            ("H1", "王芳"),
            ("H1", "张小明"),
            ("H2", "李强"),
            ("H2", "赵敏"),
            ("H3", "张小明"),
        ]);
        let records = person_records(&census, Some(&hukou));
        let comparison = Comparison {
            feature: "name".into(),
            kind: Kind::Name,
            term_frequency: false,
            swapped_with: None,
        };
        let model = Model {
            comparisons: vec![ComparisonParameters {
                labels: comparison.labels(),
                comparison,
                m: vec![0.0, 0.9, 0.04, 0.03, 0.02, 0.01],
                u: vec![0.0, 0.001, 0.001, 0.01, 0.05, 0.938],
            }],
            prior: 1e-4,
        };
        let scorer = model.scorer(&records).expect("fits");
        let n = census.len() as u32;
        let first = [(0, 0), (1, 1), (3, 3)].map(|(a, b)| ScoredPair { a, b: n + b, weight: 20.0 });
        let pass =
            household_pass(&census, &hukou, &scorer, &first, weight_of(0.9)).expect("evidence");
        // m: of the three links, two have another member linking to the same household (张伟's
        // and 王芳's; 李强's is alone); u: the paired households hold 3·3 + 2·2 of the
        // 105 · 106 pairs.
        let weight = ((2.0f64 / 3.0) / (13.0 / (105.0 * 106.0))).log2();
        assert!((pass.weight - weight).abs() < 1e-9, "{}", pass.weight);
        let linked: Vec<(u32, u32)> = pass.links.iter().map(|l| (l.a, l.b - n)).collect();
        assert_eq!(linked, [(2, 2), (4, 4)], "张小明 of H1, not of H3; 赵敏 of H2");
        let name_exact = (0.9f64 / 0.001).log2() + weight_of(1e-4);
        assert!((pass.links[0].weight - (name_exact + weight)).abs() < 1e-9);
    }
}
