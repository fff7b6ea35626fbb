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

use std::hash::BuildHasher;

use censuslink_linkage::{
    Kind, Level, LevelName, MAX_WEIGHT, Model, RecordIdx, ScoredPair, Scorer, one_to_one,
};
use censuslink_model::{PersonTable, RecordType};

use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet};

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

/// The household pass of a link of `left`'s households to `right`'s whose first pass made
/// `links`, scoring with `scorer`; pairs of weight `min_weight` or more link, one to one.
/// `None` when either side has no households or the households say nothing (no paired
/// households, or m not above u).
pub(crate) fn household_pass(
    left: &Households,
    right: &Households,
    scorer: &Scorer<'_>,
    links: &[ScoredPair],
    min_weight: f64,
) -> Option<HouseholdPass> {
    let n_left = left.len() as RecordIdx;
    let (left_households, n_left_households) = (&left.of, left.n);
    let (right_households, n_right_households) = (&right.of, right.n);
    if n_left_households == 0 || n_right_households == 0 {
        return None;
    }
    let household_of = |record: RecordIdx| match record.checked_sub(n_left) {
        None => left_households[record as usize],
        Some(row) => right_households[row as usize],
    };
    // Links between households, and each household's linked members.
    let mut with_households: Vec<(u32, u32)> = links
        .par_iter()
        .filter_map(|link| Some((household_of(link.a)?, household_of(link.b)?)))
        .collect();
    let mut linked_left = vec![0u32; n_left_households as usize];
    let mut linked_right = vec![0u32; n_right_households as usize];
    for &(l, r) in &with_households {
        linked_left[l as usize] += 1;
        linked_right[r as usize] += 1;
    }
    with_households.par_sort_unstable();
    // Each two households with links between them, in order, and how many.
    let between: Vec<(u32, u32, u32)> = (with_households.chunk_by(|x, y| x == y))
        .map(|run| (run[0].0, run[0].1, run.len() as u32))
        .collect();
    // Paired: most of each household's linked members (`less` of them left out) link to the
    // other.
    let paired = |&(l, r, n): &(u32, u32, u32), less: u32| {
        let n = n.saturating_sub(less);
        let (n_l, n_r) = (linked_left[l as usize] - less, linked_right[r as usize] - less);
        n >= 1 && 2 * n > n_l && 2 * n > n_r
    };
    let n_paired_links: usize =
        between.iter().filter(|b| paired(b, 1)).map(|&(.., n)| n as usize).sum();
    let m = n_paired_links as f64 / with_households.len().max(1) as f64;
    let pairs: Vec<(u32, u32)> =
        between.iter().filter(|b| paired(b, 0)).map(|&(l, r, _)| (l, r)).collect();
    let members = |households: &[Option<u32>], n: u32| {
        let mut members: Vec<Vec<RecordIdx>> = vec![Vec::new(); n as usize];
        for (row, household) in households.iter().enumerate() {
            if let Some(h) = household {
                members[*h as usize].push(row as RecordIdx);
            }
        }
        members
    };
    let (left_members, right_members) = rayon::join(
        || members(left_households, n_left_households),
        || members(right_households, n_right_households),
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
    let mut linked = vec![false; n_left as usize + right_households.len()];
    for link in links {
        linked[link.a as usize] = true;
        linked[link.b as usize] = true;
    }
    let candidates: Vec<ScoredPair> = pairs
        .par_iter()
        .flat_map_iter(|&(l, r)| {
            let (left, right) = (&left_members[l as usize], &right_members[r as usize]);
            let unlinked = |record: &RecordIdx| !linked[*record as usize];
            left.iter().copied().filter(unlinked).flat_map(move |a| {
                let right = right.iter().map(move |&row| n_left + row).filter(unlinked);
                right.filter_map(move |b| {
                    let pair_weight = scorer.weight(a, b) + weight;
                    (pair_weight >= min_weight).then_some(ScoredPair { a, b, weight: pair_weight })
                })
            })
        })
        .collect();
    Some(HouseholdPass { weight, links: one_to_one(&candidates, min_weight) })
}

/// The household pass of a census deduplication: a census record listed where it lives is
/// compared again with the listings of a household its family is listed in twice. Two census
/// households are paired when most of the cross-household relations of each are with the other:
/// a duplicate of the first pass (`duplicates`, numbering the records compared, whose census rows
/// are `rows`), or a person listed at the hukou household as living elsewhere and where they
/// live (`listed_twice`, census rows: [`listed_away_and_here`]). A family counted both at home and
/// where it lives is such a pair; a member whose own fields are too damaged for the first pass
/// (a baby without an ID number, a birth month off by a lunar date) is found among the few
/// listings of the other household, not among the province's. The household's weight is
/// log2(m/u) as in [`household_pass`]: m the share of the first pass's duplicates across two
/// households whose households the other relations pair, u the share of all pairs of records
/// compared that fall in a paired pair of households. Pairs of weight `min_weight` or more (by
/// `model`, scored by `scorer`, with the household's weight), their names alike
/// ([`names_alike`]), neither record already related to the other household and not
/// `two_people`, are kept, one to one (a below b), within pairs of households whose members
/// left over make at most [`MAX_HOUSEHOLD_PAIRS`] pairs. `None` when the households say
/// nothing.
pub(crate) fn dedupe_household_pass(
    households: &Households,
    rows: &[usize],
    (model, scorer): (&Model, &Scorer<'_>),
    duplicates: &[ScoredPair],
    listed_twice: &[(usize, usize)],
    two_people: &dyn Fn(RecordIdx, RecordIdx) -> bool,
    min_weight: f64,
) -> Option<HouseholdPass> {
    let (household, n_households) = (&households.of, households.n);
    // The households of two census rows in two households, and that pair in order.
    let across = |x: usize, y: usize| {
        let (hx, hy) = (household[x]?, household[y]?);
        (hx != hy).then_some((hx, hy))
    };
    let ordered = |(a, b): (u32, u32)| (a.min(b), a.max(b));
    let first: Vec<(u32, u32)> = duplicates
        .iter()
        .filter_map(|p| across(rows[p.a as usize], rows[p.b as usize]).map(ordered))
        .collect();
    let mut between: HashMap<(u32, u32), u32> = HashMap::default();
    let mut related: HashMap<u32, u32> = HashMap::default();
    let mut related_to: FxHashSet<(usize, u32)> = FxHashSet::default();
    let relations = duplicates
        .iter()
        .map(|p| (rows[p.a as usize], rows[p.b as usize]))
        .chain(listed_twice.iter().copied());
    for (x, y) in relations {
        let Some((hx, hy)) = across(x, y) else { continue };
        *between.entry(ordered((hx, hy))).or_default() += 1;
        *related.entry(hx).or_default() += 1;
        *related.entry(hy).or_default() += 1;
        related_to.insert((x, hy));
        related_to.insert((y, hx));
    }
    // Paired: most of each household's relations (`less` of them left out) are with the other.
    let paired = |a: u32, b: u32, less: u32| {
        let n = between.get(&(a, b)).copied().unwrap_or(0).saturating_sub(less);
        n >= 1 && 2 * n > related[&a] - less && 2 * n > related[&b] - less
    };
    let m =
        first.iter().filter(|&&(a, b)| paired(a, b, 1)).count() as f64 / first.len().max(1) as f64;
    let mut pairs: Vec<(u32, u32)> =
        between.keys().copied().filter(|&(a, b)| paired(a, b, 0)).collect();
    pairs.sort_unstable();
    let mut members: Vec<Vec<RecordIdx>> = vec![Vec::new(); n_households as usize];
    for (idx, &row) in rows.iter().enumerate() {
        if let Some(h) = household[row] {
            members[h as usize].push(idx as RecordIdx);
        }
    }
    let shared: f64 = pairs
        .iter()
        .map(|&(a, b)| (members[a as usize].len() * members[b as usize].len()) as f64)
        .sum();
    let n = rows.len() as f64;
    let u = shared / (n * (n - 1.0) / 2.0);
    if shared == 0.0 || m <= u {
        return None;
    }
    let weight = (m / u).log2().min(MAX_WEIGHT);
    // A household pairs with one other at most (most of its relations are with it), so each
    // record is on one side of one pair: resolved one to one all together.
    let mut candidates = Vec::new();
    let mut levels = vec![0; model.comparisons.len()];
    for &(h, k) in &pairs {
        let free = |household: u32, other: u32| -> Vec<RecordIdx> {
            let of = members[household as usize].iter().copied();
            of.filter(|&idx| !related_to.contains(&(rows[idx as usize], other))).collect()
        };
        let (free_h, free_k) = (free(h, k), free(k, h));
        if free_h.len() * free_k.len() > MAX_HOUSEHOLD_PAIRS {
            continue;
        }
        for &a in &free_h {
            for &b in &free_k {
                let pair_weight = scorer.weight(a, b) + weight;
                if pair_weight < min_weight || two_people(a, b) {
                    continue;
                }
                scorer.levels(a, b, &mut levels);
                if names_alike(model, &levels) {
                    candidates.push(ScoredPair { a, b, weight: pair_weight });
                }
            }
        }
    }
    let mut links: Vec<ScoredPair> = one_to_one(&candidates, min_weight)
        .into_iter()
        .map(|p| ScoredPair { a: p.a.min(p.b), b: p.a.max(p.b), weight: p.weight })
        .collect();
    links.sort_by_key(|p| (p.a, p.b));
    Some(HouseholdPass { weight, links })
}

/// Whether each name comparison of `model` finds a pair's names (at `levels`) written or read
/// alike, or one the other's other name. Within a family the given name is what tells its
/// members apart, and relatives' names differ by a character or read alike but for one
/// (siblings share a generation character; twins are named in pairs): the household's weight,
/// which says only that the two are of one family, never joins two names that differ.
fn names_alike(model: &Model, levels: &[Level]) -> bool {
    model.comparisons.iter().zip(levels).all(|(c, &level)| {
        c.comparison.kind != Kind::Name
            || matches!(
                c.labels[level as usize],
                LevelName::Exact | LevelName::SameReading | LevelName::OtherNameAgrees
            )
    })
}

/// The census rows of a person listed at the hukou household as living elsewhere
/// (户口在本户外出) and where they live, by one valid ID number: pairs (listing away, listing
/// here). A number on more than [`MAX_LISTINGS`] listings is not one person's and pairs none.
pub(crate) fn listed_away_and_here(table: &PersonTable) -> Vec<(usize, usize)> {
    let mut by_number: HashMap<&str, Vec<usize>> = HashMap::default();
    for row in 0..table.len() {
        if table.rejected[row].is_none()
            && table.id.status[row].is_valid()
            && let Some(number) = table.id.number.get(row)
        {
            by_number.entry(number).or_default().push(row);
        }
    }
    let away = |row: usize| table.record_type[row] == Some(RecordType::RegisteredAway);
    let mut pairs: Vec<(usize, usize)> = by_number
        .values()
        .filter(|rows| rows.len() <= MAX_LISTINGS)
        .flat_map(|rows| {
            rows.iter()
                .filter(|&&x| away(x))
                .flat_map(move |&x| rows.iter().filter(move |&&y| !away(y)).map(move |&y| (x, y)))
        })
        .collect();
    pairs.sort_unstable();
    pairs
}

/// The most pairs of members the deduplication's household pass compares within two households:
/// two families of 20. Larger are collective households (a dormitory, a ward), where living
/// together says little about who is whom, and comparing every pair would cost the square of
/// their size.
const MAX_HOUSEHOLD_PAIRS: usize = 400;

/// The most census listings one person has: at the hukou household as living elsewhere, where
/// they live, and a duplicate or two.
const MAX_LISTINGS: usize = 4;

/// A table's households: each record's as a number, from 0 in the order first seen.
pub(crate) struct Households {
    /// Each record's household (`None` without one).
    of: Vec<Option<u32>>,
    /// How many households.
    n: u32,
}

impl Households {
    pub(crate) fn number(table: &PersonTable) -> Households {
        let id = |row: u32| table.household_id.get(row as usize);
        // Each row's first row of the same household: the rows sorted (in parallel) by their
        // ID's hash then by row, so that a household's rows are a run led by its first; a run
        // of two IDs of one hash is sorted again by ID.
        let hash = |id: &str| rustc_hash::FxBuildHasher.hash_one(id);
        let mut keyed: Vec<(u64, u32)> = (0..table.len() as u32)
            .into_par_iter()
            .filter_map(|row| Some((hash(id(row)?), row)))
            .collect();
        keyed.par_sort_unstable();
        let mut first: Vec<u32> = (0..table.len() as u32).collect();
        for run in keyed.chunk_by_mut(|x, y| x.0 == y.0) {
            if run.iter().any(|&(_, row)| id(row) != id(run[0].1)) {
                run.sort_by_key(|&(_, row)| (id(row), row));
            }
            for same in run.chunk_by(|x, y| id(x.1) == id(y.1)) {
                same.iter().for_each(|&(_, row)| first[row as usize] = same[0].1);
            }
        }
        // Numbered in the order first seen.
        let mut n = 0;
        let mut of: Vec<Option<u32>> = vec![None; table.len()];
        for row in 0..table.len() {
            if id(row as u32).is_none() {
                continue;
            }
            let leader = first[row] as usize;
            if leader == row {
                of[row] = Some(n);
                n += 1;
            } else {
                of[row] = of[leader];
            }
        }
        Households { of, n }
    }

    /// The number of records.
    pub(crate) fn len(&self) -> usize {
        self.of.len()
    }

    /// Record `row`'s household, if it has one.
    pub(crate) fn of(&self, row: usize) -> Option<u32> {
        self.of[row]
    }

    /// How many households.
    pub(crate) fn count(&self) -> usize {
        self.n as usize
    }
}

#[cfg(test)]
mod tests {
    use censuslink_linkage::{
        Comparison, ComparisonParameters, Kind, Model, ScoredPair, weight_of,
    };
    use censuslink_model::{IdStatus, PersonTable, RecordType};

    use crate::features::person_records;
    use crate::household::{
        Households, dedupe_household_pass, household_pass, listed_away_and_here,
    };
    use crate::pipeline::deduplicated;

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
    fn households_are_numbered_in_the_order_first_seen() {
        let mut t = table(&[("", "a"), ("", "b"), ("", "c"), ("", "d"), ("", "e"), ("", "f")]);
        t.household_id = censuslink_model::TextColumn::new();
        for id in [Some("H9"), Some("H2"), None, Some("H9"), Some("H5"), Some("H2")] {
            t.household_id.push(id);
        }
        let households = Households::number(&t);
        let of: Vec<Option<u32>> = (0..6).map(|row| households.of(row)).collect();
        assert_eq!(of, [Some(0), Some(1), None, Some(0), Some(2), Some(1)]);
        assert_eq!(households.count(), 3);
    }

    /// A name model: exact names weigh log2(0.9 / 0.001) above the prior of 1e-4, names one
    /// character apart log2(0.05 / 0.0001).
    fn name_model() -> Model {
        let comparison = Comparison {
            feature: "name".into(),
            kind: Kind::Name,
            term_frequency: false,
            swapped_with: None,
        };
        Model {
            comparisons: vec![ComparisonParameters {
                labels: comparison.labels(),
                comparison,
                m: vec![0.0, 0.9, 0.02, 0.01, 0.05, 0.01, 0.01],
                u: vec![0.0, 0.001, 0.001, 0.001, 0.0001, 0.05, 0.9469],
            }],
            prior: 1e-4,
        }
    }

    #[test]
    fn a_family_listed_at_home_and_where_it_lives_pairs_its_households() {
        // C1 is the family's hukou household: the parents listed as living elsewhere (户口在本户
        // 外出), the elder daughter and the baby as living there; C2 is where all four live.
        // The daughter (ID number Z) is a duplicate the first pass found; the baby has no ID
        // number. C3 holds another baby 张小明; 李强 is listed in C4 and C5 (a duplicate of
        // the first pass whose households nothing else pairs). Dormitories D1 and D2 (21 listed
        // in each) are paired by one student listed away from D1, and each lists a 王军: too
        // many pairs to compare. Nine hundred others live alone; then twins, 张子涵 living at
        // home (C1) and 张子晗 with their parents (C2).
        let away = Some(RecordType::RegisteredAway);
        let dorm = |(h, n, t, id): (&str, &str, _, _)| (h.to_owned(), n.to_owned(), t, id);
        let people: Vec<(String, String, Option<RecordType>, Option<&str>)> = [
            ("C1", "张伟", away, Some("X")),
            ("C1", "王芳", away, Some("Y")),
            ("C1", "张丽", None, Some("Z")),
            ("C1", "张小明", None, None),
            ("C2", "张伟", None, Some("X")),
            ("C2", "王芳", None, Some("Y")),
            ("C2", "张丽", None, Some("Z")),
            ("C2", "张小明", None, None),
            ("C3", "张小明", None, None),
            ("C4", "李强", None, None),
            ("C4", "赵敏", None, None),
            ("C5", "李强", None, None),
            ("C5", "孙丽", None, None),
        ]
        .into_iter()
        .map(|(h, n, t, id)| (h.to_owned(), n.to_owned(), t, id))
        .chain([("D1", "钱多", away, Some("W")), ("D1", "王军", None, None)].map(dorm))
        .chain((0..20).map(|i| (String::from("D1"), format!("乙{i}"), None, None)))
        .chain([("D2", "钱多", None, Some("W")), ("D2", "王军", None, None)].map(dorm))
        .chain((0..19).map(|i| (String::from("D2"), format!("丙{i}"), None, None)))
        .chain((0..900).map(|i| (format!("F{i}"), format!("甲{i}"), None, None)))
        .chain([("C1", "张子涵", None, None), ("C2", "张子晗", None, None)].map(dorm))
        .collect();
        let mut census = PersonTable::default();
        for (n, (household, name, record_type, id)) in people.iter().enumerate() {
            census.row.push(n as u64 + 1);
            census.record_id.push(Some(&format!("r{n}")));
            census.household_id.push(Some(household));
            census.name.full.push(Some(name));
            census.record_type.push(*record_type);
            census.id.number.push(*id);
            census.id.status.push(if id.is_some() { IdStatus::Valid } else { IdStatus::Missing });
            census.fill_to(n + 1);
        }
        assert_eq!(
            listed_away_and_here(&census),
            [(0, 4), (1, 5), (13, 35)],
            "the parents and the student, not 张丽"
        );
        let rows = deduplicated(&census);
        let index = |row: usize| rows.binary_search(&row).expect("compared") as u32;
        let records = person_records(&census.take(&rows), None);
        let model = name_model();
        let scorer = model.scorer(&records).expect("fits");
        let first =
            [(2, 6), (9, 11)].map(|(a, b)| ScoredPair { a: index(a), b: index(b), weight: 20.0 });
        let pass = dedupe_household_pass(
            &Households::number(&census),
            &rows,
            (&model, &scorer),
            &first,
            &listed_away_and_here(&census),
            &|_, _| false,
            weight_of(0.9),
        )
        .expect("evidence");
        // m: of the two duplicates across households, 张丽's has other relations pairing its
        // households (the parents'), 李强's none; u: the paired households C1–C2, C4–C5 and
        // D1–D2 hold 3·5 + 2·2 + 21·21 of the 955 · 954 / 2 pairs of the 955 records compared.
        let weight = (0.5f64 / (460.0 / (955.0 * 954.0 / 2.0))).log2();
        assert!((pass.weight - weight).abs() < 1e-9, "{}", pass.weight);
        let linked: Vec<(usize, usize)> =
            pass.links.iter().map(|l| (rows[l.a as usize], rows[l.b as usize])).collect();
        assert_eq!(
            linked,
            [(3, 7)],
            "the baby of C1 and C2, not of C3; 赵敏 and 孙丽 apart; the dormitories' 王军 \
             uncompared; the twins, one character apart, two people though they would weigh enough"
        );
        let name_exact = (0.9f64 / 0.001).log2() + weight_of(1e-4);
        assert!((pass.links[0].weight - (name_exact + weight)).abs() < 1e-9);
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
        let model = name_model();
        let scorer = model.scorer(&records).expect("fits");
        let n = census.len() as u32;
        let first = [(0, 0), (1, 1), (3, 3)].map(|(a, b)| ScoredPair { a, b: n + b, weight: 20.0 });
        let pass = household_pass(
            &Households::number(&census),
            &Households::number(&hukou),
            &scorer,
            &first,
            weight_of(0.9),
        )
        .expect("evidence");
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
