//! The job pipeline: link the census to each register, the registers to each other into
//! persons, deduplicate the census, and classify under the census rules (DOMAIN §4, §5.3):
//! missing, duplicate, deceased and birth candidates and identity conflicts.

use std::collections::{BTreeMap, HashMap, HashSet};

use censuslink_linkage::{
    Blocking, Model, RecordIdx, ScoredPair, Settings, clusters, one_to_one, predict, probability,
    stable_id, train, weight_of, with_m_of,
};
use censuslink_model::{IdStatus, PartialDate, PersonTable, RecordType, Role, Sex};

use crate::coverage::{AreaCoverage, Tally, coverage};
use crate::features::person_records;

/// One source of a job, standardized.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The source's name in the job.
    pub name: &'a str,
    /// Its role.
    pub role: Role,
    /// Its records.
    pub table: &'a PersonTable,
}

/// A record of a job: its source (an index into the inputs) and row in that source's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordRef {
    /// The source's index among the inputs.
    pub source: usize,
    /// The record's index in the source's table.
    pub row: u32,
}

/// A link between a census record and a register's record, or between two registers' records.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    /// The left record (the census record, for a census link).
    pub left: RecordRef,
    /// The right record.
    pub right: RecordRef,
    /// The match weight.
    pub weight: f64,
}

/// What a run found.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Links between census records and register records, and between registers' records.
    pub links: Vec<Link>,
    /// Usual residents the census probably missed, strongest evidence first.
    pub missing: Vec<Missing>,
    /// Census records of one person listed more than once as residents.
    pub duplicates: Vec<Duplicate>,
    /// Census records of people who died before the reference moment.
    pub deceased: Vec<Deceased>,
    /// Births of the year before the reference moment with no census record.
    pub births: Vec<Birth>,
    /// Records whose ID number belongs to someone else or contradicts the record.
    pub conflicts: Vec<Conflict>,
    /// Coverage by district, township and enumeration area.
    pub coverage: Vec<AreaCoverage>,
}

/// A missing candidate: a person the registers place in the district, alive, not enumerated.
#[derive(Debug, Clone, PartialEq)]
pub struct Missing {
    /// Stable ID from the member records' keys.
    pub id: String,
    /// The register records of the person.
    pub records: Vec<RecordRef>,
    /// The evidence score (see [`evidence_score`]).
    pub score: u32,
    /// 1 (strongest) to 3.
    pub tier: u8,
    /// The nearest census record, its match probability and the explanation of that pair
    /// field by field (level and weight), if any pair was a candidate: a near miss may be a
    /// recording error rather than an omission.
    pub nearest: Option<(RecordRef, f64, String)>,
}

/// A duplicate candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Duplicate {
    /// Stable ID from the member records' keys.
    pub id: String,
    /// The census records (all `resident`).
    pub records: Vec<RecordRef>,
    /// The weakest match probability among the group's linked pairs.
    pub probability: f64,
}

/// A census record of someone whose death before the reference moment is recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Deceased {
    /// Stable ID from the two records' keys.
    pub id: String,
    /// The census record.
    pub census: RecordRef,
    /// The death record.
    pub death: RecordRef,
    /// The match probability.
    pub probability: f64,
}

/// A birth not enumerated.
#[derive(Debug, Clone, PartialEq)]
pub struct Birth {
    /// Stable ID from the record's key.
    pub id: String,
    /// The birth record.
    pub record: RecordRef,
}

/// An identity conflict.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// Stable ID from the record's key and the kind.
    pub id: String,
    /// The record.
    pub record: RecordRef,
    /// `id_of_another_person` when a record elsewhere holds the ID with a birth date that
    /// agrees, else `id_contradicts_record`.
    pub kind: &'static str,
}

/// How much a register's entry says that its person lives in the district: a school or an
/// insurance enrolment is activity in the district; a birth certificate of the year is a
/// recent event there; a hukou entry alone may be stale (people who left, the dead not
/// cancelled). A person's score is the sum over the registers that show them.
pub fn evidence_score(role: Role) -> u32 {
    match role {
        Role::School | Role::Birth => 3,
        Role::Insurance => 2,
        Role::Hukou => 1,
        Role::Census | Role::Death => 0,
    }
}

/// The tier of a score: 1 for two registers' activity or more (4+), 2 for one activity
/// register (2-3), 3 for a hukou entry alone.
fn tier(score: u32) -> u8 {
    match score {
        4.. => 1,
        2..=3 => 2,
        _ => 3,
    }
}

/// Runs the pipeline over `inputs` (one of them the census) with `settings`, for the census
/// reference day `reference`.
pub fn reconcile(inputs: &[Input<'_>], settings: &Settings, reference: PartialDate) -> Outcome {
    let Some(census) = inputs.iter().position(|input| input.role == Role::Census) else {
        return Outcome::default();
    };
    let reference_days = reference.to_days_since_epoch();
    let key = |r: RecordRef| {
        format!(
            "{}:{}",
            inputs[r.source].name,
            inputs[r.source].table.record_id.get(r.row as usize).unwrap_or("")
        )
    };
    let registers: Vec<usize> = (0..inputs.len()).filter(|&i| i != census).collect();
    let census_table = inputs[census].table;
    let usable = |table: &PersonTable, row: usize| table.rejected[row].is_none();

    // Census ↔ each register.
    let mut links: Vec<Link> = Vec::new();
    let mut nearest: HashMap<RecordRef, (RecordRef, f64)> = HashMap::new();
    let mut explained: HashMap<RecordRef, String> = HashMap::new();
    // The m of the census ↔ hukou link: anchored on the most IDs, reused to deduplicate.
    let mut census_m: Option<Model> = None;
    for &register in &registers {
        let input = inputs[register];
        let Linked { pairs, links: pair_links, model, explained: explanations } =
            link_pair(census_table, input.table, settings);
        if input.role == Role::Hukou || census_m.is_none() && input.role != Role::Birth {
            census_m = model.or(census_m);
        }
        for (b, text) in explanations {
            let row = b - census_table.len() as RecordIdx;
            explained.insert(RecordRef { source: register, row }, text);
        }
        for pair in &pairs {
            let (c, r) = (pair.a, pair.b - census_table.len() as RecordIdx);
            let (c, r) =
                (RecordRef { source: census, row: c }, RecordRef { source: register, row: r });
            let entry = nearest.entry(r).or_insert((c, f64::NEG_INFINITY));
            if pair.weight > entry.1 {
                *entry = (c, pair.weight);
            }
        }
        for pair in pair_links {
            let right =
                RecordRef { source: register, row: pair.b - census_table.len() as RecordIdx };
            if usable(census_table, pair.a as usize) && usable(input.table, right.row as usize) {
                links.push(Link {
                    left: RecordRef { source: census, row: pair.a },
                    right,
                    weight: pair.weight,
                });
            }
        }
        if input.role == Role::Birth {
            links.extend(births_by_mother(census, census_table, register, input.table, &links));
        }
    }
    let census_links = links.len();

    // Registers ↔ registers, into persons.
    let mut offsets = vec![0usize; inputs.len()];
    let mut n_register_records = 0;
    for &register in &registers {
        offsets[register] = n_register_records;
        n_register_records += inputs[register].table.len();
    }
    let index = |r: RecordRef| offsets[r.source] + r.row as usize;
    let mut persons = UnionFind::new(n_register_records);
    for (i, &a) in registers.iter().enumerate() {
        for &b in &registers[i + 1..] {
            if inputs[a].role == Role::Birth || inputs[b].role == Role::Birth {
                continue;
            }
            for pair in link_pair(inputs[a].table, inputs[b].table, settings).links {
                let left = RecordRef { source: a, row: pair.a };
                let right =
                    RecordRef { source: b, row: pair.b - inputs[a].table.len() as RecordIdx };
                persons.union(index(left), index(right));
                links.push(Link { left, right, weight: pair.weight });
            }
        }
    }

    // Who is enumerated, who died before the moment.
    let mut enumerated = vec![false; n_register_records];
    for link in &links[..census_links] {
        enumerated[persons.find(index(link.right))] = true;
    }
    let mut died_before = vec![false; n_register_records];
    let mut born_after = vec![false; n_register_records];
    let mut members: BTreeMap<usize, Vec<RecordRef>> = BTreeMap::new();
    for &register in &registers {
        let table = inputs[register].table;
        for row in 0..table.len() {
            let r = RecordRef { source: register, row: row as u32 };
            let person = persons.find(index(r));
            if !usable(table, row) {
                continue;
            }
            members.entry(person).or_default().push(r);
            let event = table.event_date.get(row).copied().flatten();
            match inputs[register].role {
                Role::Death if event.is_some_and(|d| d.to_days_since_epoch() < reference_days) => {
                    died_before[person] = true;
                }
                Role::Birth
                    if table.birth_date[row]
                        .is_some_and(|d| d.to_days_since_epoch() >= reference_days) =>
                {
                    born_after[person] = true;
                }
                _ => {}
            }
        }
    }

    // Missing: persons with activity or a hukou entry, alive, born before, not enumerated.
    let mut missing: Vec<Missing> = members
        .iter()
        .filter(|&(&person, _)| !enumerated[person] && !died_before[person] && !born_after[person])
        .filter_map(|(_, records)| {
            let mut roles: Vec<Role> = records.iter().map(|r| inputs[r.source].role).collect();
            roles.sort();
            roles.dedup();
            let score: u32 = roles.iter().map(|&role| evidence_score(role)).sum();
            (score > 0).then(|| {
                let nearest = records
                    .iter()
                    .filter_map(|r| nearest.get(r).map(|n| (r, n)))
                    .max_by(|x, y| x.1.1.total_cmp(&y.1.1))
                    .map(|(r, &(c, w))| {
                        (c, probability(w), explained.get(r).cloned().unwrap_or_default())
                    });
                let keys: Vec<String> = records.iter().map(|&r| key(r)).collect();
                Missing {
                    id: stable_id(keys.iter().map(String::as_str)),
                    records: records.clone(),
                    score,
                    tier: tier(score),
                    nearest,
                }
            })
        })
        .collect();
    missing.sort_by(|a, b| b.score.cmp(&a.score).then(a.id.cmp(&b.id)));

    // Duplicates: census clusters with two resident records or more.
    let duplicates = census_duplicates(census, census_table, settings, census_m.as_ref(), &key);

    // Deceased: census records linked to a death before the moment.
    let mut deceased: Vec<Deceased> = links[..census_links]
        .iter()
        .filter(|link| inputs[link.right.source].role == Role::Death)
        .filter(|link| {
            let table = inputs[link.right.source].table;
            let death = table.event_date[link.right.row as usize];
            death.is_some_and(|d| d.to_days_since_epoch() < reference_days)
                && census_table.record_type[link.left.row as usize]
                    != Some(RecordType::RegisteredAway)
        })
        .map(|link| Deceased {
            id: stable_id([key(link.left).as_str(), key(link.right).as_str()]),
            census: link.left,
            death: link.right,
            probability: probability(link.weight),
        })
        .collect();
    deceased.sort_by(|a, b| a.id.cmp(&b.id));

    // Births of the year with no census record (a rejected certificate too: no link could
    // reach it, and a field team can still follow its address).
    let linked: HashSet<RecordRef> = links[..census_links].iter().map(|link| link.right).collect();
    let period = reference_days - 365..reference_days;
    let mut births: Vec<Birth> = registers
        .iter()
        .filter(|&&r| inputs[r].role == Role::Birth)
        .flat_map(|&register| {
            let table = inputs[register].table;
            (0..table.len() as u32).map(move |row| RecordRef { source: register, row })
        })
        .filter(|&r| {
            let table = inputs[r.source].table;
            !linked.contains(&r)
                && table.birth_date[r.row as usize]
                    .is_some_and(|d| period.contains(&d.to_days_since_epoch()))
        })
        .map(|r| Birth { id: stable_id([key(r).as_str()]), record: r })
        .collect();
    births.sort_by(|a, b| a.id.cmp(&b.id));

    let conflicts = conflicts(inputs, &key);

    // Coverage: census usual residents (a duplicated person once) and the activity registers'
    // living people, placed by their census link, else by insurance township, else by hukou.
    let mut by_area: BTreeMap<String, Tally> = BTreeMap::new();
    let extra_members: HashSet<u32> =
        duplicates.iter().flat_map(|d| d.records[1..].iter().map(|r| r.row)).collect();
    let area_of = |row: usize| census_table.enumeration_area.get(row).unwrap_or("").to_owned();
    for row in 0..census_table.len() {
        let resident = census_table.record_type[row] != Some(RecordType::RegisteredAway);
        if usable(census_table, row) && resident && !extra_members.contains(&(row as u32)) {
            by_area.entry(area_of(row)).or_default().census += 1;
        }
    }
    let mut census_row_of: HashMap<usize, usize> = HashMap::new();
    for link in &links[..census_links] {
        census_row_of.entry(persons.find(index(link.right))).or_insert(link.left.row as usize);
    }
    let mut by_township: BTreeMap<String, Tally> = BTreeMap::new();
    for (&person, records) in &members {
        let active = records
            .iter()
            .any(|r| matches!(inputs[r.source].role, Role::School | Role::Insurance | Role::Birth));
        if !active || died_before[person] || born_after[person] {
            continue;
        }
        if let Some(&row) = census_row_of.get(&person) {
            let tally = by_area.entry(area_of(row)).or_default();
            tally.admin += 1;
            tally.matched += 1;
            continue;
        }
        let township = |column: fn(&PersonTable) -> &censuslink_model::TextColumn| {
            records.iter().find_map(|r| {
                let code = column(inputs[r.source].table).get(r.row as usize)?;
                code.get(..9).map(str::to_owned)
            })
        };
        let place = township(|t| &t.residence_region).or_else(|| township(|t| &t.hukou_region));
        by_township.entry(place.unwrap_or_default()).or_default().admin += 1;
    }
    let coverage = coverage(&by_area, &by_township);
    Outcome { links, missing, duplicates, deceased, births, conflicts, coverage }
}

/// Links `left` to `right` with `settings`, training a model on them; every scored candidate.
/// What linking two sources gave.
struct Linked {
    /// Every scored candidate of probability 0.01 or more.
    pairs: Vec<ScoredPair>,
    /// The one-to-one links at the threshold.
    links: Vec<ScoredPair>,
    /// The trained model.
    model: Option<Model>,
    /// For each right record left unlinked, its heaviest pair's explanation, field by field.
    explained: HashMap<RecordIdx, String>,
}

/// Links `left` to `right` with `settings`, training a model on them.
fn link_pair(left: &PersonTable, right: &PersonTable, settings: &Settings) -> Linked {
    let mut linked =
        Linked { pairs: Vec::new(), links: Vec::new(), model: None, explained: HashMap::new() };
    let records = person_records(left, Some(right));
    let Ok(blocking) = Blocking::new(&records, &settings.blocking) else {
        return linked;
    };
    let Ok((model, _)) = train(&records, &settings.comparisons, &blocking, &settings.training)
    else {
        return linked;
    };
    let Ok(scorer) = model.scorer(&records) else {
        return linked;
    };
    let (pairs, _) = predict(&scorer, &blocking, settings.training.block_cap, weight_of(0.01));
    let links = one_to_one(&pairs, weight_of(settings.threshold));
    let linked_right: HashSet<RecordIdx> = links.iter().map(|l| l.b).collect();
    let mut best: HashMap<RecordIdx, &ScoredPair> = HashMap::new();
    for pair in pairs.iter().filter(|p| !linked_right.contains(&p.b)) {
        let entry = best.entry(pair.b).or_insert(pair);
        if pair.weight > entry.weight || pair.weight == entry.weight && pair.a < entry.a {
            *entry = pair;
        }
    }
    linked.explained = best
        .into_iter()
        .map(|(b, pair)| {
            let explanation = scorer.explain(&model, pair.a, pair.b);
            let mut text = format!("prior {:+.1}", explanation.prior_weight);
            for field in &explanation.comparisons {
                let weight = field.weight + field.tf_adjustment;
                text.push_str(&format!("; {} {} {weight:+.1}", field.feature, field.label));
            }
            (b, text)
        })
        .collect();
    linked.pairs = pairs;
    linked.links = links;
    linked.model = Some(model);
    linked
}

/// Census clusters with two `resident` records or more (a `registered_away` listing beside a
/// `resident` one is the census rule, not a duplicate). The m of `linked` (the census ↔ hukou
/// model) is reused when given: see [`with_m_of`].
fn census_duplicates(
    census: usize,
    table: &PersonTable,
    settings: &Settings,
    linked: Option<&Model>,
    key: &dyn Fn(RecordRef) -> String,
) -> Vec<Duplicate> {
    let records = person_records(table, None);
    let Ok(blocking) = Blocking::new(&records, &settings.blocking) else {
        return Vec::new();
    };
    let model = match linked {
        Some(linked) => with_m_of(linked, &records, &blocking, &settings.training).ok(),
        None => train(&records, &settings.comparisons, &blocking, &settings.training)
            .ok()
            .map(|(model, _)| model),
    };
    let Some(model) = model else {
        return Vec::new();
    };
    let Ok(scorer) = model.scorer(&records) else {
        return Vec::new();
    };
    let threshold = weight_of(settings.threshold);
    let (pairs, _) = predict(&scorer, &blocking, settings.training.block_cap, threshold);
    let resident = |row: RecordIdx| {
        table.rejected[row as usize].is_none()
            && table.record_type[row as usize] != Some(RecordType::RegisteredAway)
    };
    let pairs: Vec<ScoredPair> =
        pairs.into_iter().filter(|p| resident(p.a) && resident(p.b)).collect();
    let assignment = clusters(records.len(), &pairs, threshold);
    let mut groups: BTreeMap<RecordIdx, Vec<RecordIdx>> = BTreeMap::new();
    for (row, &cluster) in assignment.iter().enumerate() {
        groups.entry(cluster).or_default().push(row as RecordIdx);
    }
    let mut weakest: HashMap<RecordIdx, f64> = HashMap::new();
    for pair in &pairs {
        let cluster = assignment[pair.a as usize];
        if cluster == assignment[pair.b as usize] {
            let w = weakest.entry(cluster).or_insert(f64::INFINITY);
            *w = w.min(pair.weight);
        }
    }
    let mut duplicates: Vec<Duplicate> = groups
        .into_iter()
        .filter(|(_, rows)| rows.len() > 1)
        .map(|(cluster, rows)| {
            let records: Vec<RecordRef> =
                rows.iter().map(|&row| RecordRef { source: census, row }).collect();
            let keys: Vec<String> = records.iter().map(|&r| key(r)).collect();
            Duplicate {
                id: stable_id(keys.iter().map(String::as_str)),
                records,
                probability: probability(weakest.get(&cluster).copied().unwrap_or(f64::INFINITY)),
            }
        })
        .collect();
    duplicates.sort_by(|a, b| a.id.cmp(&b.id));
    duplicates
}

/// Birth records linked through the mother, for those no link reached: a census child of
/// the birth's sex in a household with a woman who carries the mother's ID number, born in
/// the birth month (by the record's own year and month or by the date its ID embeds, which
/// survives a month written wrong); or, when the mother's ID is missing or mistyped, with a
/// woman of the mother's name, born on the birth day by the child's ID. Twins take one child
/// each, in record order.
fn births_by_mother(
    census: usize,
    census_table: &PersonTable,
    register: usize,
    births: &PersonTable,
    links: &[Link],
) -> Vec<Link> {
    let linked: HashSet<u32> =
        links.iter().filter(|l| l.right.source == register).map(|l| l.right.row).collect();
    let mut taken: HashSet<u32> =
        links.iter().filter(|l| l.right.source == register).map(|l| l.left.row).collect();
    let month = |d: PartialDate| Some((d.year(), d.month()?));
    let mut by_household: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_month: BTreeMap<(u16, u8), Vec<usize>> = BTreeMap::new();
    let months: HashSet<(u16, u8)> =
        births.birth_date.iter().flatten().filter_map(|&d| month(d)).collect();
    for row in 0..census_table.len() {
        if census_table.rejected[row].is_some() {
            continue;
        }
        if let Some(household) = census_table.household_id.get(row) {
            by_household.entry(household).or_default().push(row);
        }
        let own = census_table.birth_date[row].and_then(month);
        let embedded = census_table.id.birth_date[row].and_then(month);
        for m in [own, embedded.filter(|&e| Some(e) != own)].into_iter().flatten() {
            if months.contains(&m) {
                by_month.entry(m).or_default().push(row);
            }
        }
    }
    let mut found = Vec::new();
    for row in 0..births.len() {
        let Some(date) = births.birth_date[row] else { continue };
        if linked.contains(&(row as u32)) || births.rejected[row].is_some() {
            continue;
        }
        let mother_id =
            births.mother_id.number.get(row).filter(|_| births.mother_id.status[row].is_valid());
        let mother_name = births.mother_name.full.get(row);
        let has_id = |woman: usize| {
            mother_id.is_some_and(|id| census_table.id.number.get(woman) == Some(id))
        };
        let has_name = |woman: usize| {
            mother_name.is_some_and(|name| census_table.name.full.get(woman) == Some(name))
        };
        let women = |child: usize| {
            let members = census_table.household_id.get(child).and_then(|h| by_household.get(h));
            members
                .into_iter()
                .flatten()
                .copied()
                .filter(move |&m| m != child && census_table.sex[m] != Some(Sex::Male))
        };
        // Her ID makes the household certain, so the birth month suffices; her name alone
        // (王芳 is in many households) needs the day the child's ID embeds.
        let is_child = |child: usize| {
            let same_month = census_table.birth_date[child].and_then(month) == month(date)
                || census_table.id.birth_date[child].and_then(month) == month(date);
            let same_day = census_table.id.birth_date[child] == Some(date);
            let sex_agrees =
                census_table.sex[child].is_none() || census_table.sex[child] == births.sex[row];
            !taken.contains(&(child as u32))
                && sex_agrees
                && (same_month && women(child).any(has_id)
                    || same_day && women(child).any(has_name))
        };
        let candidates = by_month.get(&month(date).unwrap_or_default());
        let child = candidates.into_iter().flatten().copied().find(|&c| is_child(c));
        if let Some(child) = child {
            taken.insert(child as u32);
            found.push(Link {
                left: RecordRef { source: census, row: child as u32 },
                right: RecordRef { source: register, row: row as u32 },
                weight: weight_of(0.99),
            });
        }
    }
    found
}

/// Records whose valid ID embeds a birth date (or sex) the record itself contradicts; of
/// another person when some record holds the ID with an agreeing birth date.
fn conflicts(inputs: &[Input<'_>], key: &dyn Fn(RecordRef) -> String) -> Vec<Conflict> {
    let agrees = |table: &PersonTable, row: usize| {
        let embedded = table.id.birth_date[row];
        let own = table.birth_date[row];
        match (embedded, own) {
            (Some(e), Some(o)) => {
                e.year() == o.year()
                    && (o.month().is_none() || e.month() == o.month())
                    && (o.day().is_none() || e.day() == o.day())
            }
            _ => true,
        }
    };
    let mut owners: HashSet<&str> = HashSet::new();
    for input in inputs {
        let table = input.table;
        for row in 0..table.len() {
            let owns = table.id.status[row] == IdStatus::Valid && agrees(table, row);
            if let Some(id) = table.id.number.get(row).filter(|_| owns) {
                owners.insert(id);
            }
        }
    }
    let mut found = Vec::new();
    for (source, input) in inputs.iter().enumerate() {
        let table = input.table;
        for row in 0..table.len() {
            let status = table.id.status[row];
            if !matches!(status, IdStatus::Valid | IdStatus::Repaired)
                || table.rejected[row].is_some()
            {
                continue;
            }
            let sex_contradicts =
                matches!((table.id.sex[row], table.sex[row]), (Some(e), Some(o)) if e != o);
            if agrees(table, row) && !sex_contradicts {
                continue;
            }
            let record = RecordRef { source, row: row as u32 };
            let another = table.id.number.get(row).is_some_and(|id| owners.contains(id));
            let kind = if another { "id_of_another_person" } else { "id_contradicts_record" };
            found.push(Conflict { id: stable_id([key(record).as_str(), kind]), record, kind });
        }
    }
    found
}

/// Disjoint sets of register records: the persons.
struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind { parent: (0..n).collect() }
    }

    fn find(&mut self, x: usize) -> usize {
        let mut root = x;
        while self.parent[root] != root {
            root = self.parent[root];
        }
        let mut current = x;
        while self.parent[current] != root {
            let next = self.parent[current];
            self.parent[current] = root;
            current = next;
        }
        root
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.parent[ra.max(rb)] = ra.min(rb);
        }
    }
}
