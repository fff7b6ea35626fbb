//! Resolution: from scored pairs to decisions. Linking two sources keeps the pairs that are each
//! other's best (one-to-one); deduplicating one source clusters records, merging two clusters of
//! several records only when most of their cross pairs are links, so that one weak pair cannot
//! chain two large clusters together.

use rayon::prelude::*;

use crate::records::RecordIdx;

/// A candidate pair with its match weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredPair {
    /// The first record (the left one when linking).
    pub a: RecordIdx,
    /// The second record.
    pub b: RecordIdx,
    /// The match weight.
    pub weight: f64,
}

impl ScoredPair {
    /// Orders heavier pairs first, then by records, so that every tie breaks the same way:
    /// the order resolution takes pairs in.
    pub fn heavier_first(x: &ScoredPair, y: &ScoredPair) -> std::cmp::Ordering {
        y.weight.total_cmp(&x.weight).then(x.a.cmp(&y.a)).then(x.b.cmp(&y.b))
    }
}

/// One-to-one links: the pairs of weight at least `min_weight` whose two records are each
/// other's heaviest pair (ties to the lower record index), heaviest first.
///
/// Why mutual best rather than a greedy or optimal assignment: a census record and a register
/// entry are one person at most once, and when one is taken by a stronger claim, its rival's
/// next-best candidate is most often a relative in the same household (same surname, address,
/// similar birth year). Mutual best leaves the rival unlinked, which is what a duplicate census
/// record or a person missing from the register should be; a greedy assignment would link it to
/// the relative.
pub fn one_to_one(pairs: &[ScoredPair], min_weight: f64) -> Vec<ScoredPair> {
    let mut kept: Vec<ScoredPair> =
        pairs.iter().copied().filter(|p| p.weight >= min_weight).collect();
    kept.par_sort_unstable_by(ScoredPair::heavier_first);
    let n = kept.iter().map(|p| p.a.max(p.b) as usize + 1).max().unwrap_or(0);
    // The heaviest pair of each record: the first seen in this order.
    let mut best: Vec<Option<usize>> = vec![None; n];
    for (idx, pair) in kept.iter().enumerate() {
        for record in [pair.a, pair.b] {
            best[record as usize].get_or_insert(idx);
        }
    }
    kept.iter()
        .enumerate()
        .filter(|&(idx, pair)| {
            best[pair.a as usize] == Some(idx) && best[pair.b as usize] == Some(idx)
        })
        .map(|(_, pair)| *pair)
        .collect()
}

/// How much heavier than the threshold (in bits: 3 is 8 times the odds) a pair must be to merge
/// two clusters of several records on its own.
const STRONG_MARGIN: f64 = 3.0;

/// Clusters `n` records by the pairs of weight at least `min_weight`: returns each record's
/// cluster, numbered by the cluster's lowest record. Pairs are merged heaviest first; a pair
/// joining a cluster to a single record always merges, and so does a strong pair (weight at
/// least `min_weight + 3`); a weak pair joining two clusters of several records merges them
/// only when at least half of their cross pairs are links.
pub fn clusters(n: usize, pairs: &[ScoredPair], min_weight: f64) -> Vec<RecordIdx> {
    let mut links: Vec<ScoredPair> =
        pairs.iter().copied().filter(|p| p.weight >= min_weight).collect();
    links.par_sort_unstable_by(ScoredPair::heavier_first);
    let mut neighbours: Vec<Vec<RecordIdx>> = vec![Vec::new(); n];
    for link in &links {
        neighbours[link.a as usize].push(link.b);
        neighbours[link.b as usize].push(link.a);
    }
    let mut parent: Vec<RecordIdx> = (0..n as RecordIdx).collect();
    let mut members: Vec<Vec<RecordIdx>> = (0..n as RecordIdx).map(|r| vec![r]).collect();
    for link in &links {
        let (ra, rb) = (find(&mut parent, link.a), find(&mut parent, link.b));
        if ra == rb {
            continue;
        }
        let (small, large) = if members[ra as usize].len() <= members[rb as usize].len() {
            (ra, rb)
        } else {
            (rb, ra)
        };
        let (n_small, n_large) = (members[small as usize].len(), members[large as usize].len());
        if n_small > 1 && link.weight < min_weight + STRONG_MARGIN {
            let mut cross = 0;
            for &record in &members[small as usize].clone() {
                for &other in &neighbours[record as usize] {
                    if find(&mut parent, other) == large {
                        cross += 1;
                    }
                }
            }
            if cross * 2 < n_small * n_large {
                continue;
            }
        }
        parent[small as usize] = large;
        let moved = std::mem::take(&mut members[small as usize]);
        members[large as usize].extend(moved);
    }
    let mut lowest: Vec<RecordIdx> = vec![RecordIdx::MAX; n];
    for record in 0..n as RecordIdx {
        let root = find(&mut parent, record) as usize;
        lowest[root] = lowest[root].min(record);
    }
    (0..n as RecordIdx).map(|record| lowest[find(&mut parent, record) as usize]).collect()
}

/// [`clusters`] of the records the pairs at `min_weight` hold, for a cluster of machines that groups pairs by
/// their connected components (of the pairs at `min_weight`): each record's `(record,
/// cluster)`, by record. Given whole components, this is what [`clusters`] of every record
/// gives them: pairs merge heaviest first within a component, never across one, and a
/// cluster's name is its lowest record, whatever the others.
pub fn component_clusters(pairs: &[ScoredPair], min_weight: f64) -> Vec<(RecordIdx, RecordIdx)> {
    let links: Vec<&ScoredPair> = pairs.iter().filter(|p| p.weight >= min_weight).collect();
    let mut records: Vec<RecordIdx> = links.iter().flat_map(|p| [p.a, p.b]).collect();
    records.sort_unstable();
    records.dedup();
    let local = |record: RecordIdx| {
        records.binary_search(&record).expect("a record of the pairs") as RecordIdx
    };
    let renumbered: Vec<ScoredPair> = links
        .into_iter()
        .map(|p| ScoredPair { a: local(p.a), b: local(p.b), weight: p.weight })
        .collect();
    // Numbered in the records' order, so each cluster's lowest is its lowest record.
    let assignment = clusters(records.len(), &renumbered, min_weight);
    records
        .iter()
        .zip(assignment)
        .map(|(&record, cluster)| (record, records[cluster as usize]))
        .collect()
}

fn find(parent: &mut [RecordIdx], record: RecordIdx) -> RecordIdx {
    let mut root = record;
    while parent[root as usize] != root {
        root = parent[root as usize];
    }
    let mut current = record;
    while parent[current as usize] != root {
        let next = parent[current as usize];
        parent[current as usize] = root;
        current = next;
    }
    root
}

/// A stable identifier of a group of records, from their keys alone: the same members give the
/// same 16 hexadecimal digits in every run, whatever their order (FNV-1a over the sorted keys).
pub fn stable_id<'a>(keys: impl IntoIterator<Item = &'a str>) -> String {
    let mut keys: Vec<&str> = keys.into_iter().collect();
    keys.sort_unstable();
    let mut hash: u64 = 0xCBF2_9CE4_8422_2325;
    for key in keys {
        for byte in key.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01B3);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::resolve::{ScoredPair, clusters, component_clusters, one_to_one, stable_id};

    fn pair(a: u32, b: u32, weight: f64) -> ScoredPair {
        ScoredPair { a, b, weight }
    }

    #[test]
    fn one_to_one_keeps_mutual_bests() {
        // Left 0 and 1, right 2 and 3. 0-2 is both's best; 1's best is 2, taken: 1 stays
        // unlinked rather than falling to 3.
        let pairs = [pair(0, 2, 20.0), pair(1, 2, 15.0), pair(1, 3, 6.0), pair(0, 3, 1.0)];
        assert_eq!(one_to_one(&pairs, 5.0), [pair(0, 2, 20.0)]);
        let pairs = [pair(0, 2, 20.0), pair(1, 3, 6.0), pair(0, 3, 1.0)];
        assert_eq!(one_to_one(&pairs, 5.0), [pair(0, 2, 20.0), pair(1, 3, 6.0)]);
        assert!(one_to_one(&pairs, 25.0).is_empty());
    }

    #[test]
    fn a_weak_pair_does_not_chain_two_clusters() {
        // {0, 1, 2} and {3, 4, 5} are each fully linked; one weak pair 2-3 joins them.
        let mut pairs = vec![pair(2, 3, 4.0)];
        let strong = [pair(2, 3, 6.5)];
        for (a, b) in [(0, 1), (0, 2), (1, 2), (3, 4), (3, 5), (4, 5)] {
            pairs.push(pair(a, b, 20.0));
        }
        assert_eq!(clusters(7, &pairs, 3.0), [0, 0, 0, 3, 3, 3, 6]);
        // A strong pair merges them.
        let with_strong: Vec<_> = pairs[1..].iter().chain(&strong).copied().collect();
        assert_eq!(clusters(7, &with_strong, 3.0), [0, 0, 0, 0, 0, 0, 6]);
        // A single record joins a cluster by one pair.
        pairs.push(pair(5, 6, 10.0));
        assert_eq!(clusters(7, &pairs, 3.0), [0, 0, 0, 3, 3, 3, 3]);
        // Below the threshold nothing merges.
        assert_eq!(clusters(3, &[pair(0, 1, 2.0)], 3.0), [0, 1, 2]);
    }

    #[test]
    fn stable_ids_depend_on_members_only() {
        assert_eq!(stable_id(["b", "a"]), stable_id(["a", "b"]));
        assert_ne!(stable_id(["a", "b"]), stable_id(["a", "c"]));
        assert_ne!(stable_id(["ab"]), stable_id(["a", "b"]));
        assert_eq!(stable_id(["a"]).len(), 16);
    }

    proptest! {
        #[test]
        fn clusters_are_made_component_by_component(
            edges in proptest::collection::vec((0u32..30, 0u32..30, -2i8..10), 0..80),
        ) {
            // Whole weights, so that ties (broken by record numbers) are common.
            let pairs: Vec<ScoredPair> = edges
                .iter()
                .filter(|(a, b, _)| a != b)
                .map(|&(a, b, w)| pair(a, b, f64::from(w)))
                .collect();
            let whole = clusters(30, &pairs, 3.0);
            // The connected components of the pairs at the threshold, by a plain search.
            let mut component: Vec<u32> = (0..30).collect();
            loop {
                let mut changed = false;
                for p in pairs.iter().filter(|p| p.weight >= 3.0) {
                    let low = component[p.a as usize].min(component[p.b as usize]);
                    for end in [p.a, p.b] {
                        changed |= component[end as usize] != low;
                        component[end as usize] = low;
                    }
                }
                if !changed {
                    break;
                }
            }
            // Each component's pairs alone (those below the threshold too, wherever they fall).
            let mut by_component: Vec<Vec<ScoredPair>> = vec![Vec::new(); 30];
            for p in &pairs {
                by_component[component[p.a as usize] as usize].push(*p);
            }
            let mut assembled: Vec<u32> = (0..30).collect();
            for part in &by_component {
                for (record, cluster) in component_clusters(part, 3.0) {
                    assembled[record as usize] = cluster;
                }
            }
            prop_assert_eq!(assembled, whole);
        }

        #[test]
        fn every_record_is_in_exactly_one_cluster(
            edges in proptest::collection::vec((0u32..30, 0u32..30, -5.0f64..20.0), 0..80),
        ) {
            let pairs: Vec<ScoredPair> =
                edges.iter().filter(|(a, b, _)| a != b).map(|&(a, b, w)| pair(a, b, w)).collect();
            let assignment = clusters(30, &pairs, 3.0);
            prop_assert_eq!(assignment.len(), 30);
            for (record, &cluster) in assignment.iter().enumerate() {
                // A cluster is named by its lowest member, which belongs to it.
                prop_assert!(cluster as usize <= record);
                prop_assert_eq!(assignment[cluster as usize], cluster);
            }
        }
    }
}
