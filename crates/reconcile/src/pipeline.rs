//! The job pipeline: link the census to each register, the registers to each other into
//! persons, deduplicate the census, and classify under the census rules (DOMAIN §4, §5.3):
//! missing, duplicate, deceased and birth candidates and identity conflicts.

use std::collections::BTreeMap;
use std::hash::BuildHasher;

use censuslink_linkage::{
    Blocking, Explanation, FieldExplanation, Model, RecordIdx, RuleStats, ScoredPair, Settings,
    TrainingError, TrainingReport, TrainingSettings, clusters, one_to_one, probability, stable_id,
    train_candidates, weight_of,
};
use censuslink_model::{
    DatePrecision, IdStatus, PartialDate, PersonTable, RecordType, RegisterStatus, Role, Sex,
};
use censuslink_standardize::region;
// Maps of records and addresses: a fast hash without per-process seeds (no map here reaches an
// output in its own order).
use rayon::prelude::*;
use rustc_hash::{FxBuildHasher, FxHashMap as HashMap, FxHashSet as HashSet};

use crate::coverage::{AreaCoverage, Tally, coverage};
use crate::features::{Features, person_records};
use crate::household::{
    HouseholdLinks, Households, dedupe_household_pass, household_pass, listed_away_and_here,
};
use crate::residence::{Evidence, Part, ResidenceModel, Standing, Term, age_term};

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

impl RecordRef {
    /// The record's key in its source (`3201`), among `inputs`.
    pub fn key<'a>(self, inputs: &[Input<'a>]) -> &'a str {
        inputs[self.source].table.record_id.get(self.row as usize).unwrap_or_default()
    }

    /// The record as every output names it, `source:key` (`census:3201`), among `inputs`.
    pub fn name(self, inputs: &[Input<'_>]) -> String {
        format!("{}:{}", inputs[self.source].name, self.key(inputs))
    }
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
    /// Usual residents the census probably missed, the most probable first.
    pub missing: Vec<Missing>,
    /// Register persons whose hukou entry was cancelled (death, moving out) before the
    /// reference moment, and who are therefore not missing candidates.
    pub cancelled: u64,
    /// The model of residence the missing candidates' probabilities come from, when the
    /// census and the registers gave it something to learn from.
    pub residence: Option<ResidenceModel>,
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
    /// Each link made: its model, its blocking rules' figures and its weights, in the order
    /// the links were made.
    pub models: Vec<LinkModel>,
    /// Seconds of wall time spent making the links, one after another, the census
    /// deduplication beside the registers' links (its stage times, in `models`, overlap
    /// theirs).
    pub link_seconds: f64,
}

/// One link of two sources (or the census with itself) as trained and scored.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkModel {
    /// The left source's index among the inputs.
    pub left: usize,
    /// The right source's index; `None` for the census's deduplication.
    pub right: Option<usize>,
    /// Whether it compares only the records the census lists where they live
    /// ([`deduplicated`]), as the census's deduplication does.
    pub residents: bool,
    /// The trained model.
    pub model: Model,
    /// What each blocking rule contributed.
    pub rules: Vec<RuleStats>,
    /// How it was trained: the anchor, each EM pass, the levels worth a look.
    pub training: TrainingReport,
    /// The household pass's weight and the links it made, when it made any.
    pub household: Option<HouseholdLinks>,
    /// The match weights of the candidate pairs of probability 0.01 or more.
    pub weights: Histogram,
    /// The match probability of a link.
    pub threshold: f64,
    /// How long its stages took.
    pub times: LinkTimes,
}

impl LinkModel {
    /// The candidate pairs its blocking made: each rule's new pairs, summed.
    pub fn candidate_pairs(&self) -> u64 {
        candidate_pairs(&self.rules)
    }
}

fn candidate_pairs(rules: &[RuleStats]) -> u64 {
    rules.iter().map(|rule| rule.pairs).sum()
}

/// Match weights counted in bins one unit wide: bin `i` holds `[start + i, start + i + 1)`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Histogram {
    /// The lower bound of the first bin.
    pub start: f64,
    /// The count of each bin.
    pub counts: Vec<u64>,
}

impl Histogram {
    /// The histogram of the weights of `pairs`.
    pub(crate) fn of(pairs: &[ScoredPair]) -> Histogram {
        let Some(low) = pairs.iter().map(|p| p.weight).min_by(f64::total_cmp) else {
            return Histogram::default();
        };
        let start = low.floor();
        let mut counts = Vec::new();
        for pair in pairs {
            let bin = (pair.weight - start) as usize;
            if counts.len() <= bin {
                counts.resize(bin + 1, 0);
            }
            counts[bin] += 1;
        }
        Histogram { start, counts }
    }
}

/// A missing candidate: a person the registers place in the district, alive, not enumerated.
#[derive(Debug, Clone, PartialEq)]
pub struct Missing {
    /// Stable ID from the member records' keys.
    pub id: String,
    /// The register records of the person.
    pub records: Vec<RecordRef>,
    /// The probability that the person lives in the district (see [`crate::residence`]).
    pub probability: f64,
    /// What moved the probability, natural logs: the model's base, each term that holds and
    /// the cell (their sum, capped at zero, the model's probability), then the chance that an
    /// unlinked census record like them is not them.
    pub evidence: Vec<(Part, f64)>,
    /// What a model fitted on the listed alone would have said (see
    /// [`ResidenceModel::uncorrected`]).
    pub uncorrected: f64,
    /// 1 (probability 0.7 or more), 2 (0.3 or more) or 3.
    pub tier: u8,
    /// The nearest census record, its match probability and the explanation of that pair
    /// field by field (level and weight), if any pair was a candidate: a near miss may be a
    /// recording error rather than an omission.
    pub nearest: Option<(RecordRef, f64, Explanation)>,
    /// The enumeration area where the person's address lies, when the census lists the people
    /// linked at that address there (the majority's area).
    pub area: Option<String>,
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
    /// The group's linked pairs with their match probabilities, in record order.
    pub pairs: Vec<(RecordRef, RecordRef, f64)>,
    /// The weakest pair's explanation, field by field.
    pub explanation: Option<Explanation>,
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
    /// Where the mother is: listed here, a register person probably living here, or not
    /// known by her ID number (then the certificate's address is in no other county).
    pub mother: Mother,
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

/// The tier of a missing candidate's probability of living in the district: 1 from 0.7, 2
/// from 0.3, else 3.
fn tier(probability: f64) -> u8 {
    if probability >= 0.7 {
        1
    } else if probability >= 0.3 {
        2
    } else {
        3
    }
}

/// A link the pipeline has made, for progress: its sources, the candidate pairs blocking made,
/// and the links (or, for the census with itself, the linked pairs)
/// it kept.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step<'a> {
    /// The left source.
    pub left: &'a str,
    /// The right source; `None` for the census with itself.
    pub right: Option<&'a str>,
    /// Candidate pairs blocking made (blocks over the cap, which make none, apart: see each
    /// rule's figures).
    pub candidates: usize,
    /// Links kept.
    pub links: usize,
    /// How long its stages took.
    pub times: LinkTimes,
}

/// Runs the pipeline over `inputs` (one of them the census) with `settings`, for the census
/// reference day `reference`.
pub fn reconcile(inputs: &[Input<'_>], settings: &Settings, reference: PartialDate) -> Outcome {
    reconcile_with(inputs, settings, reference, &Here, &mut |_| {})
}

/// [`reconcile`], each link scored by `scoring`, telling `on_step` of each link as it is made.
pub fn reconcile_with(
    inputs: &[Input<'_>],
    settings: &Settings,
    reference: PartialDate,
    scoring: &dyn Scoring,
    on_step: &mut dyn FnMut(Step<'_>),
) -> Outcome {
    let Some(census) = inputs.iter().position(|input| input.role == Role::Census) else {
        return Outcome::default();
    };
    let mut clock = Clock::start();
    let tables: Vec<&PersonTable> = inputs.iter().map(|input| input.table).collect();
    let (features, households) = rayon::join(
        || Features::of(&tables, Some(&settings.features())),
        || tables.par_iter().map(|table| Households::number(table)).collect(),
    );
    let ctx = Context {
        inputs,
        features,
        households,
        tables,
        census,
        registers: (0..inputs.len()).filter(|&i| i != census).collect(),
        settings,
        scoring,
        reference,
        reference_days: reference.to_days_since_epoch(),
    };
    let CensusLinks { mut links, nearest, rival, explained, census_m, mut models } =
        link_census(&ctx, on_step);
    let mut link_seconds = clock.lap();
    let census_links = links.len();
    // The hukou entry each census record links to: the register holds a person once, so two
    // census records linked to two entries are two people.
    let hukou_entry: HashMap<RecordIdx, RecordRef> = links
        .iter()
        .filter(|link| inputs[link.right.source].role == Role::Hukou)
        .map(|link| (link.left.row, link.right))
        .collect();
    let (persons, duplicates, dedupe_model) =
        link_registers(&ctx, census_m.as_ref(), &hukou_entry, &mut links, &mut models, on_step);
    link_seconds += clock.lap();

    let census_links = &links[..census_links];
    // Where register addresses lie (from the links alone), beside who each person is.
    let (areas, (rows, people, listed_by, places, residence)) = rayon::join(
        || address_areas(inputs, census_links),
        || {
            let rows = CensusRows::new(ctx.census_table());
            let mut people = People::new(&ctx, &rows, census_links, &persons);
            // Each person's best rival: the weight and census row of the record most like
            // them that no link of theirs took.
            let rival_of: Vec<Option<(f64, RecordIdx)>> = (people.members.par_iter())
                .map(|(_, records)| {
                    let rivals = records.iter().filter_map(|&r| rival.get(r)).copied();
                    let better = |a: (f64, RecordIdx), b: (f64, RecordIdx)| {
                        if b.0 > a.0 || b.0 == a.0 && b.1 < a.1 { b } else { a }
                    };
                    rivals.reduce(better)
                })
                .collect();
            let listed_by = people.complete(&rows, census_links, &rival_of, settings.threshold);
            let places = Places::new(inputs, census, &ctx.registers, &|r| persons.of(r));
            let residence = Residence::fit(&ctx, &people, &places, &rival_of);
            (rows, people, listed_by, places, residence)
        },
    );
    let found = Found { ctx: &ctx, census_links, rows, persons, people, places, residence, areas };
    let missing = found.missing(&nearest, &explained);

    on_step(Step {
        left: inputs[census].name,
        right: None,
        candidates: dedupe_model.as_ref().map_or(0, |m| m.candidate_pairs() as usize),
        links: duplicates.iter().map(|d| d.pairs.len()).sum(),
        times: dedupe_model.as_ref().map(|m| m.times).unwrap_or_default(),
    });
    models.extend(dedupe_model);

    let deceased = found.deceased(&hukou_entry);
    let births = found.births();
    // Conflicts and coverage are independent of each other: made side by side.
    let (conflicts, coverage) = rayon::join(
        || conflicts(inputs, &|r| ctx.key(r)),
        || found.coverage(&listed_by, &deceased, &duplicates),
    );
    let cancelled = found.people.n_cancelled() as u64;
    let residence = found.residence.model;
    Outcome {
        links,
        missing,
        cancelled,
        residence,
        duplicates,
        deceased,
        births,
        conflicts,
        coverage,
        models,
        link_seconds,
    }
}

/// What every stage of a reconciliation reads: the inputs, which of them is the census and
/// which are registers, the settings and the reference day.
struct Context<'a> {
    inputs: &'a [Input<'a>],
    /// The inputs' tables.
    tables: Vec<&'a PersonTable>,
    /// Their texts and names, interned once for every link.
    features: Features,
    /// Their households, numbered once for every link (the census's deduplication among them).
    households: Vec<Households>,
    census: usize,
    registers: Vec<usize>,
    settings: &'a Settings,
    scoring: &'a dyn Scoring,
    reference: PartialDate,
    reference_days: i32,
}

impl<'a> Context<'a> {
    fn census_table(&self) -> &'a PersonTable {
        self.inputs[self.census].table
    }

    fn key(&self, r: RecordRef) -> String {
        r.name(self.inputs)
    }

    /// Table `t`'s households.
    fn households(&self, t: usize) -> &Households {
        &self.households[t]
    }

    /// Links source `left` to `right`: pairs of probability 0.01 or more, one-to-one links.
    fn link_pair(&self, left: usize, right: usize) -> Linked {
        let spec = LinkSpec {
            left,
            right: Some(right),
            settings: self.settings.clone(),
            min_weight: weight_of(0.01),
            residents: false,
        };
        let records = || self.features.records(&self.tables, left, Some(right));
        link_pair([self.households(left), self.households(right)], &records, &spec, self.scoring)
    }

    /// The links of `pairs` of sources (left, right), in order, each group made when the
    /// iterator reaches it. A link to a small right source (under an eighth of the left's
    /// records) is mostly short passes over the left's records, each on every thread:
    /// consecutive such links are made side by side, to keep every thread busy. Any other is
    /// made alone: two large links side by side made the run's peak of memory. Where the
    /// scoring takes one link at a time (a cluster), every link is made alone.
    fn links<'p>(
        &'p self,
        pairs: &'p [(usize, usize)],
    ) -> impl Iterator<Item = ((usize, usize), Linked)> + 'p {
        let small = |&(left, right): &(usize, usize)| {
            self.tables[right].len() * 8 < self.tables[left].len()
        };
        let together = move |x: &_, y: &_| self.scoring.side_by_side() && small(x) && small(y);
        pairs.chunk_by(together).flat_map(move |group| {
            let linked: Vec<Linked> =
                group.par_iter().map(|&(left, right)| self.link_pair(left, right)).collect();
            group.iter().copied().zip(linked)
        })
    }
}

fn usable(table: &PersonTable, row: usize) -> bool {
    table.rejected[row].is_none()
}

/// A value of some records of each source: `0[source][row]`.
struct ByRecord<T>(Vec<Vec<Option<T>>>);

impl<T> ByRecord<T> {
    /// No value for any record of `n` sources.
    fn new(n: usize) -> ByRecord<T> {
        ByRecord(std::iter::repeat_with(Vec::new).take(n).collect())
    }

    fn get(&self, r: RecordRef) -> Option<&T> {
        self.0[r.source].get(r.row as usize)?.as_ref()
    }

    /// The values of `source`'s `n` records, none yet.
    fn source_mut(&mut self, source: usize, n: usize) -> &mut [Option<T>]
    where
        T: Clone,
    {
        self.0[source] = vec![None; n];
        &mut self.0[source]
    }
}

/// The census linked to each register, and what the links leave to know.
struct CensusLinks {
    /// The census links, register by register.
    links: Vec<Link>,
    /// Each register record's heaviest census pair: the census row and the weight.
    nearest: ByRecord<(RecordIdx, f64)>,
    /// Each register record's best candidate pair with a census record it is not linked to: a
    /// rival listing, which for an unlisted person is often a link the errors hid.
    rival: ByRecord<(f64, RecordIdx)>,
    /// Each unlinked register record's heaviest pair, explained.
    explained: HashMap<RecordRef, Explanation>,
    /// The m of the census ↔ hukou link: anchored on the most IDs, reused to deduplicate.
    census_m: Option<Model>,
    /// Each link's model, in order.
    models: Vec<LinkModel>,
}

/// Links the census to each register, one large link after the other ([`Context::links`]); a
/// birth certificate's link to a child living apart from the mother the census lists here is
/// dropped, and the child found through the mother.
fn link_census(ctx: &Context<'_>, on_step: &mut dyn FnMut(Step<'_>)) -> CensusLinks {
    let (inputs, census, settings) = (ctx.inputs, ctx.census, ctx.settings);
    let census_table = ctx.census_table();
    let mut found = CensusLinks {
        links: Vec::new(),
        nearest: ByRecord::new(inputs.len()),
        rival: ByRecord::new(inputs.len()),
        explained: HashMap::default(),
        census_m: None,
        models: Vec::new(),
    };
    let n_census = census_table.len() as RecordIdx;
    // Each link taken in as soon as it is made (and told to `on_step`): its pairs are not held
    // while the next is made.
    let pairs: Vec<(usize, usize)> = ctx.registers.iter().map(|&r| (census, r)).collect();
    for ((_, register), linked) in ctx.links(&pairs) {
        let input = inputs[register];
        let Linked { pairs, links: pair_links, model, household, explained: explanations, times } =
            linked;
        if let Some((model, rules, training)) = &model {
            found.models.push(LinkModel {
                left: census,
                right: Some(register),
                residents: false,
                model: model.clone(),
                rules: rules.clone(),
                training: training.clone(),
                household,
                weights: Histogram::of(&pairs),
                threshold: settings.threshold,
                times,
            });
        }
        on_step(Step {
            left: inputs[census].name,
            right: Some(input.name),
            candidates: model.as_ref().map_or(0, |(_, rules, _)| candidate_pairs(rules) as usize),
            links: pair_links.len(),
            times,
        });
        if input.role == Role::Hukou || found.census_m.is_none() && input.role != Role::Birth {
            found.census_m = model.map(|(model, ..)| model).or(found.census_m);
        }
        for (b, text) in explanations {
            found.explained.insert(RecordRef { source: register, row: b - n_census }, text);
        }
        // A register record is linked once at most: the links are one to one, and the
        // household pass links only records the first pass left.
        let n = input.table.len();
        let mut linked_to: Vec<Option<RecordIdx>> = vec![None; n];
        for pair in &pair_links {
            let row = (pair.b - n_census) as usize;
            debug_assert!(linked_to[row].is_none(), "a register record linked twice");
            linked_to[row] = Some(pair.a);
        }
        let rival = found.rival.source_mut(register, n);
        let nearest = found.nearest.source_mut(register, n);
        for pair in &pairs {
            let row = (pair.b - n_census) as usize;
            if linked_to[row] != Some(pair.a) {
                let best = rival[row].get_or_insert((f64::NEG_INFINITY, pair.a));
                if pair.weight > best.0 {
                    *best = (pair.weight, pair.a);
                }
            }
            let entry = nearest[row].get_or_insert((pair.a, f64::NEG_INFINITY));
            if pair.weight > entry.1 {
                *entry = (pair.a, pair.weight);
            }
        }
        for pair in pair_links {
            let right = RecordRef { source: register, row: pair.b - n_census };
            if usable(census_table, pair.a as usize) && usable(input.table, right.row as usize) {
                found.links.push(Link {
                    left: RecordRef { source: census, row: pair.a },
                    right,
                    weight: pair.weight,
                });
            }
        }
        if input.role == Role::Birth {
            let links = &mut found.links;
            let apart = not_with_mother(census_table, register, input.table, links);
            links.retain(|l| {
                l.right.source != register || !apart.contains(&(l.left.row, l.right.row))
            });
            let by_mother =
                births_by_mother(census, census_table, register, input.table, links, &apart);
            links.extend(by_mother);
        }
    }
    found
}

/// Every register record's person: the registers' records joined by their links (and a
/// birth certificate to its register entry by household address or the mother's household),
/// a person numbered by one of its records.
struct Persons {
    /// Each register's first record among all registers' records.
    offsets: Vec<usize>,
    /// Each register record's person.
    person: Vec<usize>,
}

impl Persons {
    fn of(&self, r: RecordRef) -> usize {
        self.person[self.offsets[r.source] + r.row as usize]
    }

    fn len(&self) -> usize {
        self.person.len()
    }
}

/// Links the registers to each other (births aside) into persons, and deduplicates the census
/// meanwhile (its duplicates and model); each link's model added to `models`, its links to
/// `links`.
fn link_registers(
    ctx: &Context<'_>,
    census_m: Option<&Model>,
    hukou_entry: &HashMap<RecordIdx, RecordRef>,
    links: &mut Vec<Link>,
    models: &mut Vec<LinkModel>,
    on_step: &mut dyn FnMut(Step<'_>),
) -> (Persons, Vec<Duplicate>, Option<LinkModel>) {
    let (inputs, registers, settings) = (ctx.inputs, &ctx.registers, ctx.settings);
    let mut offsets = vec![0usize; inputs.len()];
    let mut n_register_records = 0;
    for &register in registers {
        offsets[register] = n_register_records;
        n_register_records += inputs[register].table.len();
    }
    let index = |r: RecordRef| offsets[r.source] + r.row as usize;
    let mut sets = UnionFind::new(n_register_records);
    let register_pairs: Vec<(usize, usize)> = registers
        .iter()
        .enumerate()
        .flat_map(|(i, &a)| registers[i + 1..].iter().map(move |&b| (a, b)))
        .filter(|&(a, b)| inputs[a].role != Role::Birth && inputs[b].role != Role::Birth)
        .collect();
    // Duplicates (census clusters with two resident records or more) beside the registers'
    // links, which are made one after the other: small links side by side here too made
    // the run slower (more work for the threads beside the deduplication, and its memory).
    let (register_linked, (duplicates, dedupe_model)) = rayon::join(
        || register_pairs.iter().map(|&(a, b)| ctx.link_pair(a, b)).collect::<Vec<_>>(),
        || {
            let hukou = |row: RecordIdx| hukou_entry.get(&row).copied();
            let key = |r: RecordRef| ctx.key(r);
            let features = (&ctx.features, &ctx.tables[..], ctx.households(ctx.census));
            census_duplicates(ctx.census, features, settings, ctx.scoring, census_m, &hukou, &key)
        },
    );
    for (&(a, b), linked) in register_pairs.iter().zip(register_linked) {
        on_step(Step {
            left: inputs[a].name,
            right: Some(inputs[b].name),
            candidates: linked
                .model
                .as_ref()
                .map_or(0, |(_, rules, _)| candidate_pairs(rules) as usize),
            links: linked.links.len(),
            times: linked.times,
        });
        if let Some((model, rules, training)) = linked.model {
            models.push(LinkModel {
                left: a,
                right: Some(b),
                residents: false,
                model,
                rules,
                training,
                household: linked.household,
                weights: Histogram::of(&linked.pairs),
                threshold: settings.threshold,
                times: linked.times,
            });
        }
        for pair in linked.links {
            let left = RecordRef { source: a, row: pair.a };
            let right = RecordRef { source: b, row: pair.b - inputs[a].table.len() as RecordIdx };
            sets.union(index(left), index(right));
            links.push(Link { left, right, weight: pair.weight });
        }
    }
    // A birth certificate and a register entry of the same household address, birth day and
    // sex are one child: a child registered before it had a name, linked through its entry.
    // So are a certificate and the hukou entry of a child born that day, of that sex, in the
    // household where the certificate's mother is registered, wherever she lives.
    let by_mother = births_by_mothers_household(inputs, registers);
    let linked: Vec<usize> = (0..n_register_records).map(|i| sets.find(i)).collect();
    let by_address = births_by_address(inputs, registers, &|r| linked[index(r)]);
    for (birth, entry) in by_address.into_iter().chain(by_mother) {
        sets.union(index(birth), index(entry));
    }
    let person = (0..n_register_records).map(|i| sets.find(i)).collect();
    (Persons { offsets, person }, duplicates, dedupe_model)
}

/// How the census lists people at their hukou household as living elsewhere. A listing that
/// names where (现住地) in one of the census's own counties says the person lives in the
/// district and is to be listed there, so that listing alone leaves them unlisted, with the
/// term that says it. A census whose away listings name no place at all (a layout without
/// 现住地) leaves them unlisted too, with the term the model weighs: some of them live in the
/// district, as many as those listed both at home and where they live say. (Where the layout
/// names places, a listing without one is abroad or unreadable: living elsewhere.)
struct CensusRows<'a> {
    table: &'a PersonTable,
    names_places: bool,
    counties: HashSet<&'a str>,
}

impl<'a> CensusRows<'a> {
    fn new(table: &'a PersonTable) -> CensusRows<'a> {
        let is_away = |row: usize| table.record_type[row] == Some(RecordType::RegisteredAway);
        CensusRows {
            table,
            names_places: (0..table.len())
                .any(|row| is_away(row) && table.residence_region.get(row).is_some()),
            counties: table.enumeration_area.iter().flatten().filter_map(|a| a.get(..6)).collect(),
        }
    }

    /// A listing at the hukou household of someone living elsewhere.
    fn is_away(&self, row: usize) -> bool {
        self.table.record_type[row] == Some(RecordType::RegisteredAway)
    }

    /// Such a listing in a census whose away listings name no place.
    fn away_unplaced(&self, row: usize) -> bool {
        self.is_away(row) && !self.names_places
    }

    /// A listing whose place of residence is one of the census's counties.
    fn away_here(&self, row: usize) -> bool {
        let place = self.table.residence_region.get(row).and_then(|r| r.get(..6));
        place.is_some_and(|county| self.counties.contains(county))
    }
}

/// Each register person's usable records, in the registers' order then the rows': person
/// `p`'s are `records[starts[p]..starts[p + 1]]`.
struct Members {
    starts: Vec<usize>,
    records: Vec<RecordRef>,
}

impl Members {
    /// The members of every person of `persons`: a counting sort of the usable register
    /// records on their person.
    fn new(ctx: &Context<'_>, persons: &Persons) -> Members {
        let usable_records = || {
            ctx.registers.iter().flat_map(|&register| {
                let table = ctx.inputs[register].table;
                (0..table.len())
                    .filter(move |&row| usable(table, row))
                    .map(move |row| RecordRef { source: register, row: row as u32 })
            })
        };
        let n = persons.len();
        let mut starts = vec![0; n + 1];
        for r in usable_records() {
            starts[persons.of(r) + 1] += 1;
        }
        for p in 0..n {
            starts[p + 1] += starts[p];
        }
        let mut next = starts.clone();
        let mut records = vec![RecordRef { source: 0, row: 0 }; starts[n]];
        for r in usable_records() {
            let person = persons.of(r);
            records[next[person]] = r;
            next[person] += 1;
        }
        Members { starts, records }
    }

    /// `person`'s records: none for a number no person holds.
    fn get(&self, person: usize) -> &[RecordRef] {
        &self.records[self.starts[person]..self.starts[person + 1]]
    }

    /// Each person with records, in the persons' order, with them.
    fn iter(&self) -> impl Iterator<Item = (usize, &[RecordRef])> {
        (0..self.starts.len() - 1).map(|p| (p, self.get(p))).filter(|(_, r)| !r.is_empty())
    }

    /// Every person, those without records too (with none), on every thread: collected, a
    /// value per person in the persons' order.
    fn par_iter(&self) -> impl IndexedParallelIterator<Item = (usize, &[RecordRef])> {
        (0..self.starts.len() - 1).into_par_iter().map(|p| (p, self.get(p)))
    }
}

/// Who each register person is: their records, how the census lists them, whether they died
/// before the moment or were born after it, whether their hukou was cancelled by then.
struct People {
    members: Members,
    standing: Vec<Standing>,
    listed_away_here: Vec<bool>,
    listed_away: Vec<bool>,
    died_before: Vec<bool>,
    born_after: Vec<bool>,
    /// A hukou entry cancelled on death before the moment, or on moving out with nothing else
    /// keeping the person here (no live hukou entry, no insurance or school enrolment).
    cancelled: Vec<bool>,
}

impl People {
    fn new(
        ctx: &Context<'_>,
        rows: &CensusRows<'_>,
        census_links: &[Link],
        persons: &Persons,
    ) -> People {
        let n = persons.len();
        let mut standing = vec![Standing::Unlisted; n];
        let (mut listed_away_here, mut listed_away) = (vec![false; n], vec![false; n]);
        for link in census_links {
            let person = persons.of(link.right);
            let row = link.left.row as usize;
            if !rows.is_away(row) {
                standing[person] = Standing::Resident;
            } else if rows.away_here(row) {
                listed_away_here[person] = true;
            } else if rows.away_unplaced(row) {
                listed_away[person] = true;
            } else if standing[person] == Standing::Unlisted {
                standing[person] = Standing::Away;
            }
        }
        let members = Members::new(ctx, persons);
        // Each person's dates and statuses from their records, on every thread.
        let reference_days = ctx.reference_days;
        let dates: Vec<(bool, bool, bool)> = (members.par_iter())
            .map(|(_, records)| {
                let (mut died_before, mut born_after) = (false, false);
                let (mut death_cancelled, mut moved_out, mut kept_here) = (false, false, false);
                for r in records {
                    let (table, row) = (ctx.inputs[r.source].table, r.row as usize);
                    let event = table.event_date.get(row).copied().flatten();
                    let birth = table.birth_date[row];
                    born_after |= birth.is_some_and(|d| d.to_days_since_epoch() >= reference_days);
                    let status = table.status.get(row).copied().flatten();
                    match ctx.inputs[r.source].role {
                        Role::Death
                            if event.is_some_and(|d| d.to_days_since_epoch() < reference_days) =>
                        {
                            died_before = true;
                        }
                        Role::Hukou if is_cancelled_before(table, row, reference_days) => {
                            match status {
                                Some(RegisterStatus::DeathCancelled) => death_cancelled = true,
                                _ => moved_out = true,
                            }
                        }
                        Role::Hukou => kept_here = true,
                        Role::Insurance | Role::School
                            if !status.is_some_and(RegisterStatus::is_closed) =>
                        {
                            kept_here = true;
                        }
                        _ => {}
                    }
                }
                (died_before, born_after, death_cancelled || moved_out && !kept_here)
            })
            .collect();
        People {
            members,
            standing,
            listed_away_here,
            listed_away,
            died_before: dates.iter().map(|d| d.0).collect(),
            born_after: dates.iter().map(|d| d.1).collect(),
            cancelled: dates.iter().map(|d| d.2).collect(),
        }
    }

    /// A record no link took, though it reaches the link threshold, is the person's second
    /// listing (the one-to-one links took the other). Listed at home as living elsewhere in
    /// the district (or not saying where), and where they live by a usual resident's such
    /// record: listed as living here, by that record, which goes to the likeliest claimant.
    /// Listed where they live, and at home by such a listing that names no place: listed at
    /// home too, of whom the model learns. Returns the census row each person listed so is
    /// listed by.
    fn complete(
        &mut self,
        rows: &CensusRows<'_>,
        census_links: &[Link],
        rival_of: &[Option<(f64, RecordIdx)>],
        threshold: f64,
    ) -> HashMap<usize, usize> {
        let mut linked_rows = vec![false; rows.table.len()];
        for link in census_links {
            linked_rows[link.left.row as usize] = true;
        }
        let mut claims: Vec<(f64, usize, usize)> = Vec::new();
        for (person, _) in self.members.iter() {
            let Some((weight, row)) = rival_of[person] else { continue };
            if weight < weight_of(threshold) || linked_rows[row as usize] {
                continue;
            }
            let row = row as usize;
            if !rows.is_away(row)
                && (self.listed_away_here[person] || self.listed_away[person])
                && self.standing[person] == Standing::Unlisted
            {
                claims.push((weight, person, row));
            } else if rows.away_unplaced(row) && self.standing[person] == Standing::Resident {
                self.listed_away[person] = true;
            }
        }
        claims.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut listed_by: HashMap<usize, usize> = HashMap::default();
        let mut claimed: HashSet<usize> = HashSet::default();
        for (_, person, row) in claims {
            if claimed.insert(row) {
                self.standing[person] = Standing::Resident;
                listed_by.insert(person, row);
            }
        }
        listed_by
    }

    /// Missing persons in a register other than deaths: alive, born before, not cancelled.
    fn in_scope(&self, person: usize, inputs: &[Input<'_>]) -> bool {
        let records = self.members.get(person);
        !self.died_before[person]
            && !self.born_after[person]
            && !self.cancelled[person]
            && records.iter().any(|r| inputs[r.source].role != Role::Death)
    }

    /// Unlisted persons whose hukou was cancelled by the moment: no missing candidates.
    fn n_cancelled(&self) -> usize {
        let counts = |&person: &usize| {
            self.cancelled[person]
                && !self.died_before[person]
                && !self.born_after[person]
                && self.standing[person] == Standing::Unlisted
        };
        self.members.iter().filter(|(person, _)| counts(person)).count()
    }

    /// A birth's mother as the census places her.
    fn mother_of(&self, places: &Places<'_>, table: &PersonTable, row: usize) -> Mother {
        match places.mother(table, row) {
            Mother::Person(person) if self.standing[person] == Standing::Resident => Mother::Here,
            Mother::Person(person) if self.standing[person] == Standing::Away => Mother::Away,
            mother => mother,
        }
    }
}

/// Each missing person's evidence, the model of residence learned from the listed, and each
/// one's chance that the census record most like them, left unlinked, is not them.
struct Residence {
    model: Option<ResidenceModel>,
    evidence: BTreeMap<usize, Evidence>,
    not_them: HashMap<usize, f64>,
    listed_away_here: Vec<bool>,
}

impl Residence {
    fn fit(
        ctx: &Context<'_>,
        people: &People,
        places: &Places<'_>,
        rival_of: &[Option<(f64, RecordIdx)>],
    ) -> Residence {
        let inputs = ctx.inputs;
        let listed_at_home: Vec<bool> = (people.listed_away_here.iter().zip(&people.listed_away))
            .map(|(&here, &away)| here || away)
            .collect();
        let household_of =
            household_standing(ctx, &people.members, &people.standing, &listed_at_home);
        let evidence: Vec<(usize, Evidence)> = (people.members.par_iter())
            .filter(|&(person, records)| !records.is_empty() && people.in_scope(person, inputs))
            .map(|(person, records)| {
                let mut evidence = person_evidence(inputs, records, ctx.reference);
                if let Some(&term) = household_of.get(&person) {
                    evidence = evidence.with(term);
                }
                if people.listed_away[person] {
                    evidence = evidence.with(Term::ListedAway);
                }
                let births = records.iter().filter(|r| inputs[r.source].role == Role::Birth);
                for r in births {
                    evidence =
                        match people.mother_of(places, inputs[r.source].table, r.row as usize) {
                            Mother::Here => evidence.with(Term::MotherHere),
                            Mother::Away => evidence.with(Term::MotherAway),
                            Mother::Person(_) => evidence.with(Term::MotherUnlisted),
                            Mother::Unknown => evidence.with(Term::MotherUnknown),
                            Mother::NoId => evidence,
                            Mother::Named => evidence.with(Term::MotherNamed),
                        };
                }
                if records
                    .iter()
                    .any(|r| places.is_address_elsewhere(inputs[r.source].table, r.row as usize))
                {
                    evidence = evidence.with(Term::AddressElsewhere);
                }
                (person, evidence)
            })
            .collect();
        let evidence: BTreeMap<usize, Evidence> = evidence.into_iter().collect();
        // An unlisted person's probability: the model's, times the chance that the census
        // record most like them, left unlinked, is not them (a link the errors hid). The
        // factor is no term of the model: for a listed person such a record is their own
        // second listing, for an unlisted one most often themselves. The model counts an
        // unlisted person for it, so that the hidden links do not dilute the missed residents.
        // A record another register's link took may still be them (their hukou entry linked,
        // their insurance not): it counts too.
        let not_them: HashMap<usize, f64> = evidence
            .keys()
            .filter_map(|&person| Some((person, 1.0 - probability(rival_of[person]?.0))))
            .collect();
        // A person the census lists at home as living elsewhere in the district lives here by
        // the census's own word: no model weighs them, and unlisted they are a missed resident
        // but for a census record left unlinked that may be them.
        let model = ResidenceModel::fit(
            &evidence
                .iter()
                .filter(|&(&person, _)| !people.listed_away_here[person])
                .map(|(&person, &e)| {
                    (e, people.standing[person], not_them.get(&person).copied().unwrap_or(1.0))
                })
                .collect::<Vec<_>>(),
        );
        Residence { model, evidence, not_them, listed_away_here: people.listed_away_here.clone() }
    }

    /// The probability that `person` lives in the district.
    fn resident(&self, person: usize) -> f64 {
        let not_them = || self.not_them.get(&person).copied().unwrap_or(1.0);
        match (&self.model, self.evidence.get(&person)) {
            (_, Some(_)) if self.listed_away_here[person] => not_them(),
            (Some(model), Some(&e)) => model.probability(e) * not_them(),
            (Some(_), None) => 0.0,
            (None, _) => 1.0,
        }
    }
}

/// Everything the lists are made from, once the links are made and the persons known.
struct Found<'a> {
    ctx: &'a Context<'a>,
    census_links: &'a [Link],
    rows: CensusRows<'a>,
    persons: Persons,
    people: People,
    places: Places<'a>,
    residence: Residence,
    /// The enumeration area of each register address (see [`address_areas`]).
    areas: HashMap<(usize, &'a str), &'a str>,
}

impl<'a> Found<'a> {
    /// The enumeration area of the first of `records` whose register address has one.
    fn area_of_person(&self, records: &[RecordRef]) -> Option<&'a str> {
        records.iter().find_map(|&r| {
            let address = register_address(self.ctx.inputs[r.source].table, r.row as usize)?;
            self.areas.get(&(r.source, address)).copied()
        })
    }

    /// Missing: persons in scope the census does not list, each with the probability, learned
    /// from the listed, that they live here, the most probable first.
    fn missing(
        &self,
        nearest: &ByRecord<(RecordIdx, f64)>,
        explained: &HashMap<RecordRef, Explanation>,
    ) -> Vec<Missing> {
        let (people, residence) = (&self.people, &self.residence);
        let unlisted: Vec<(&usize, &Evidence)> = (residence.evidence.iter())
            .filter(|&(&person, _)| people.standing[person] == Standing::Unlisted)
            .collect();
        let mut missing: Vec<Missing> = unlisted
            .into_par_iter()
            .map(|(person, &e)| {
                let records = people.members.get(*person);
                let nearest = records
                    .iter()
                    .filter_map(|r| nearest.get(*r).map(|n| (r, n)))
                    .max_by(|x, y| x.1.1.total_cmp(&y.1.1))
                    .map(|(r, &(row, w))| {
                        let c = RecordRef { source: self.ctx.census, row };
                        (c, probability(w), explained.get(r).cloned())
                    })
                    .and_then(|(c, p, e)| Some((c, p, e?)));
                let keys: Vec<String> = records.iter().map(|&r| self.ctx.key(r)).collect();
                let p = residence.resident(*person);
                let mut parts = match &residence.model {
                    _ if people.listed_away_here[*person] => {
                        vec![(Part::Term(Term::ListedAwayHere), 0.0)]
                    }
                    Some(model) => model.explain(e),
                    None => Vec::new(),
                };
                if let Some(&not_them) = residence.not_them.get(person) {
                    parts.push((Part::UnlinkedCensusRecord, not_them.max(f64::MIN_POSITIVE).ln()));
                }
                Missing {
                    id: stable_id(keys.iter().map(String::as_str)),
                    records: records.to_vec(),
                    probability: p,
                    evidence: parts,
                    uncorrected: residence.model.as_ref().map_or(0.0, |m| m.uncorrected(e)),
                    tier: tier(p),
                    nearest,
                    area: self.area_of_person(records).map(str::to_owned),
                }
            })
            .collect();
        missing.sort_by(|a, b| b.probability.total_cmp(&a.probability).then(a.id.cmp(&b.id)));
        missing
    }

    /// Deceased: census records linked to a death before the moment. The hukou register holds
    /// a person once: a census record linked to one entry and a death whose person holds
    /// another are two people, namesakes born the same month.
    fn deceased(&self, hukou_entry: &HashMap<RecordIdx, RecordRef>) -> Vec<Deceased> {
        let (inputs, persons) = (self.ctx.inputs, &self.persons);
        let hukou_of_person = |person: usize| {
            let records = self.people.members.get(person);
            records.iter().find(|r| inputs[r.source].role == Role::Hukou)
        };
        let is_another_hukou_entry = |link: &&Link| {
            let (Some(&census_entry), Some(death_entry)) =
                (hukou_entry.get(&link.left.row), hukou_of_person(persons.of(link.right)))
            else {
                return false;
            };
            persons.of(census_entry) != persons.of(*death_entry)
        };
        let mut deceased: Vec<Deceased> = (self.census_links.iter())
            .filter(|link| inputs[link.right.source].role == Role::Death)
            .filter(|link| !is_another_hukou_entry(link))
            .filter(|link| {
                let table = inputs[link.right.source].table;
                let death = table.event_date[link.right.row as usize];
                death.is_some_and(|d| d.to_days_since_epoch() < self.ctx.reference_days)
                    && !self.rows.is_away(link.left.row as usize)
            })
            .map(|link| Deceased {
                id: stable_id([
                    self.ctx.key(link.left).as_str(),
                    self.ctx.key(link.right).as_str(),
                ]),
                census: link.left,
                death: link.right,
                probability: probability(link.weight),
            })
            .collect();
        deceased.sort_by(|a, b| a.id.cmp(&b.id));
        deceased
    }

    /// Births of the year with no census record (a rejected certificate too: no link could
    /// reach it, and a field team can still follow its address), joined to no listed person,
    /// alive and living here. A child lives with the mother: one listed elsewhere, or a
    /// register person who probably lives elsewhere, or, when she is not known here by her
    /// ID, a certificate whose address is in another county, makes a birth of another place,
    /// unless the child's own register entries say it lives here (the residence model's
    /// probability): a child left with grandparents. A listing at home as living elsewhere in
    /// the district, or not saying where, is no census record of the child where it lives.
    fn births(&self) -> Vec<Birth> {
        let (ctx, rows, people) = (self.ctx, &self.rows, &self.people);
        let inputs = ctx.inputs;
        let linked: HashSet<RecordRef> = (self.census_links.iter())
            .filter(|link| {
                let row = link.left.row as usize;
                let listed_here =
                    !rows.is_away(row) || !rows.away_here(row) && !rows.away_unplaced(row);
                inputs[link.right.source].role == Role::Birth && listed_here
            })
            .map(|link| link.right)
            .collect();
        let period = ctx.reference_days - 365..ctx.reference_days;
        let mut births: Vec<Birth> = (ctx.registers.iter())
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
            .filter_map(|r| {
                let person = self.persons.of(r);
                if people.standing[person] != Standing::Unlisted
                    || people.died_before[person]
                    || people.cancelled[person]
                {
                    return None;
                }
                let is_probable = |person: usize| self.residence.resident(person) >= 0.5;
                let has_entries =
                    people.members.get(person).iter().any(|e| inputs[e.source].role != Role::Birth);
                let (table, row) = (inputs[r.source].table, r.row as usize);
                let mother = people.mother_of(&self.places, table, row);
                let lives_with_mother = match mother {
                    Mother::Here => true,
                    Mother::Away => false,
                    Mother::Person(mother) => is_probable(mother),
                    Mother::Unknown | Mother::NoId | Mother::Named => {
                        !self.places.is_address_elsewhere(table, row)
                    }
                };
                let is_resident = lives_with_mother || has_entries && is_probable(person);
                is_resident.then(|| Birth {
                    id: stable_id([ctx.key(r).as_str()]),
                    record: r,
                    mother,
                })
            })
            .collect();
        births.sort_by(|a, b| a.id.cmp(&b.id));
        births
    }

    /// Coverage: census usual residents (a duplicated person once, where an activity register
    /// links one of their records, else at a record drawn by the candidate; the dead it counted
    /// not at all: erroneous enumerations, every listing of theirs) and the activity registers'
    /// living people, placed by their census link, else by their address's area, else by the
    /// insurance township, else by the hukou place; an unlisted person counts by their
    /// probability of residence (certain when there is no model), whose stratum's omission
    /// odds it leans on.
    fn coverage(
        &self,
        listed_by: &HashMap<usize, usize>,
        deceased: &[Deceased],
        duplicates: &[Duplicate],
    ) -> Vec<AreaCoverage> {
        let (inputs, rows, people, residence) =
            (self.ctx.inputs, &self.rows, &self.people, &self.residence);
        let census_table = rows.table;
        let mut dead: HashSet<RecordIdx> = deceased.iter().map(|d| d.census.row).collect();
        // A person listed twice counts at a record the registers of where people live (school,
        // insurance, birth) link to: in a province, the county they live in rather than the
        // one whose file comes first.
        let is_active = |role: Role| matches!(role, Role::School | Role::Insurance | Role::Birth);
        let mut active = vec![false; census_table.len()];
        for link in self.census_links.iter().filter(|l| is_active(inputs[l.right.source].role)) {
            active[link.left.row as usize] = true;
        }
        let mut extra: HashSet<RecordIdx> = HashSet::default();
        for d in duplicates {
            if d.records.iter().any(|r| dead.contains(&r.row)) {
                dead.extend(d.records.iter().map(|r| r.row));
            }
            // Among those, or all when no such register does, the record drawn by the
            // candidate's ID: never by which file came first.
            let linked: Vec<&RecordRef> =
                d.records.iter().filter(|r| active[r.row as usize]).collect();
            let pool = if linked.is_empty() { d.records.iter().collect() } else { linked };
            let draw = |r: &&RecordRef| stable_id([d.id.as_str(), r.name(inputs).as_str()]);
            let counted = pool.into_iter().min_by_key(draw).expect("a duplicate has records");
            extra.extend(d.records.iter().filter(|r| r.row != counted.row).map(|r| r.row));
        }
        // Tallied by the areas' and townships' own text, sorted by it at the end: each tally
        // sums its people in the same order either way.
        let area_of = |row: usize| census_table.enumeration_area.get(row).unwrap_or("");
        let counted = (0..census_table.len()).into_par_iter().filter(|&row| {
            let left_out = dead.contains(&(row as u32)) || extra.contains(&(row as u32));
            usable(census_table, row) && !rows.is_away(row) && !left_out
        });
        let census_counts = counted
            .fold(HashMap::<&str, u64>::default, |mut counts, row| {
                *counts.entry(area_of(row)).or_default() += 1;
                counts
            })
            .reduce(HashMap::default, |mut total, counts| {
                counts.into_iter().for_each(|(area, n)| *total.entry(area).or_default() += n);
                total
            });
        let mut by_area: HashMap<&str, Tally> = census_counts
            .into_iter()
            .map(|(area, census)| (area, Tally { census, ..Tally::default() }))
            .collect();
        // Each person's census record: the first linked, a usual resident's before one of
        // someone living elsewhere (a hukou entry links to the listing at the hukou address).
        let mut census_row_of: Vec<Option<usize>> = vec![None; self.persons.len()];
        for link in self.census_links {
            let row = link.left.row as usize;
            let entry = census_row_of[self.persons.of(link.right)].get_or_insert(row);
            if rows.is_away(*entry) && !rows.is_away(row) {
                *entry = row;
            }
        }
        // What each person adds is found in parallel, and added in the persons' order.
        enum Adds<'p> {
            Matched(usize),
            Area(&'p str, f64, usize),
            Township(&'p str, f64, usize),
        }
        let adds: Vec<Adds<'_>> = (people.members.par_iter())
            .filter_map(|(person, records)| {
                let active = records.iter().any(|r| {
                    matches!(inputs[r.source].role, Role::School | Role::Insurance | Role::Birth)
                });
                if !active || people.died_before[person] || people.born_after[person] {
                    return None;
                }
                // Listed only at home as living elsewhere in the district, or not saying
                // where: unlisted, as in the missing list.
                let row = listed_by.get(&person).or_else(|| {
                    let unlisted = people.standing[person] == Standing::Unlisted;
                    census_row_of[person].as_ref().filter(|_| !unlisted)
                });
                if let Some(&row) = row {
                    return Some(Adds::Matched(row));
                }
                let p = residence.resident(person);
                let stratum = match (&residence.model, residence.evidence.get(&person)) {
                    (Some(model), Some(&e)) => model.stratum(e),
                    _ => 0,
                };
                if let Some(area) = self.area_of_person(records) {
                    return Some(Adds::Area(area, p, stratum));
                }
                let township = |column: fn(&PersonTable) -> &censuslink_model::TextColumn| {
                    records.iter().find_map(|r| {
                        let code = column(inputs[r.source].table).get(r.row as usize)?;
                        code.get(..9)
                    })
                };
                let place =
                    township(|t| &t.residence_region).or_else(|| township(|t| &t.hukou_region));
                Some(Adds::Township(place.unwrap_or_default(), p, stratum))
            })
            .collect();
        let mut by_township: HashMap<&str, Tally> = HashMap::default();
        let mut matched_rows = vec![false; census_table.len()];
        let add = |tally: &mut Tally, p: f64, stratum: usize| {
            tally.admin += 1;
            tally.expected[stratum] += p;
            tally.bernoulli += p * (1.0 - p);
        };
        for person in adds {
            match person {
                // Two register persons linked to one census record are one person the
                // registers failed to join: counted once. A person the census lists as living
                // elsewhere (`registered_away`) is enumerated, and out of the resident
                // population: as the missing list leaves them out, so does coverage. So is one
                // linked to a listing of the dead, left out of the census count.
                Adds::Matched(row) => {
                    if std::mem::replace(&mut matched_rows[row], true)
                        || rows.is_away(row)
                        || dead.contains(&(row as u32))
                    {
                        continue;
                    }
                    let tally = by_area.entry(area_of(row)).or_default();
                    tally.admin += 1;
                    tally.matched += 1;
                }
                Adds::Area(area, p, stratum) => add(by_area.entry(area).or_default(), p, stratum),
                Adds::Township(place, p, stratum) => {
                    add(by_township.entry(place).or_default(), p, stratum);
                }
            }
        }
        let relative_variance =
            residence.model.as_ref().map_or(&[][..], |m| &m.omission_odds_relative_variance);
        let sorted = |tallies: HashMap<&str, Tally>| -> BTreeMap<String, Tally> {
            tallies.into_iter().map(|(place, tally)| (place.to_owned(), tally)).collect()
        };
        coverage(&sorted(by_area), &sorted(by_township), relative_variance)
    }
}

/// Whether a hukou entry was cancelled (death, moving out, another reason) before the
/// reference moment; an undated cancellation counts, the extraction being after the moment.
fn is_cancelled_before(table: &PersonTable, row: usize, reference_days: i32) -> bool {
    let status = table.status.get(row).copied().flatten();
    let day = table.status_date.get(row).copied().flatten();
    matches!(
        status,
        Some(RegisterStatus::DeathCancelled | RegisterStatus::MovedOut | RegisterStatus::Cancelled)
    ) && day.is_none_or(|d| d.to_days_since_epoch() < reference_days)
}

/// What the census says of each hukou person's household: the household term of every person
/// with a hukou entry, from how the other persons of the entry's household (`household_id`)
/// are listed (one listed only at home as living elsewhere, unlisted where they may live,
/// counting as listed away).
fn household_standing(
    ctx: &Context<'_>,
    members: &Members,
    standing: &[Standing],
    listed_at_home: &[bool],
) -> HashMap<usize, Term> {
    let inputs = ctx.inputs;
    // Each person's household: that of their first hukou record that names one.
    let homes: Vec<(usize, usize, u32)> = members
        .par_iter()
        .filter_map(|(person, records)| {
            records.iter().filter(|r| inputs[r.source].role == Role::Hukou).find_map(|r| {
                Some((person, r.source, ctx.households(r.source).of(r.row as usize)?))
            })
        })
        .collect();
    let is_here = |person: usize| standing[person] == Standing::Resident;
    let is_away = |person: usize| match standing[person] {
        Standing::Resident => false,
        Standing::Away => true,
        Standing::Unlisted => listed_at_home[person],
    };
    // Each household's members, those here and those away, counted: a person's mates are the
    // rest.
    let mut tallies: Vec<Vec<[u32; 3]>> = vec![Vec::new(); inputs.len()];
    for &(person, source, household) in &homes {
        let tally = &mut tallies[source];
        if tally.is_empty() {
            *tally = vec![[0; 3]; ctx.households(source).count()];
        }
        let [n, here, away] = &mut tally[household as usize];
        *n += 1;
        *here += u32::from(is_here(person));
        *away += u32::from(is_away(person));
    }
    homes
        .into_par_iter()
        .map(|(person, source, household)| {
            let [n, here, away] = tallies[source][household as usize];
            let mates = n - 1;
            let here = here - u32::from(is_here(person)) > 0;
            let away = away - u32::from(is_away(person)) > 0;
            let term = match (mates, here, away) {
                (0, ..) => Term::HouseholdAlone,
                (_, true, _) => Term::HouseholdHere,
                (_, false, true) => Term::HouseholdAway,
                _ => Term::HouseholdUnlisted,
            };
            (person, term)
        })
        .collect()
}

/// A register person's evidence of residence from their own records: their registers and
/// statuses, their age at the moment, whether any record has a valid ID number.
fn person_evidence(
    inputs: &[Input<'_>],
    records: &[RecordRef],
    reference: PartialDate,
) -> Evidence {
    let reference_days = reference.to_days_since_epoch();
    let mut evidence = Evidence::default();
    let mut birth = None;
    let mut has_id = false;
    for r in records {
        let table = inputs[r.source].table;
        let row = r.row as usize;
        birth = birth.or(table.birth_date[row]);
        has_id |= table.id.status[row].is_valid();
        let status = table.status.get(row).copied().flatten();
        let term = match (inputs[r.source].role, status) {
            (Role::Hukou, _) if is_cancelled_before(table, row, reference_days) => {
                Some(Term::HukouMovedOut)
            }
            (Role::Hukou, _) => Some(Term::Hukou),
            (Role::Birth, _) => Some(Term::Birth),
            (Role::Insurance, Some(RegisterStatus::Suspended)) => Some(Term::InsuranceSuspended),
            (Role::Insurance, Some(s)) if s.is_closed() => Some(Term::InsuranceEnded),
            (Role::Insurance, _) => Some(Term::InsuranceActive),
            (Role::School, Some(s)) if s.is_closed() => Some(Term::SchoolGone),
            (Role::School, _) => Some(Term::SchoolActive),
            (Role::Census | Role::Death | Role::Records, _) => None,
        };
        if let Some(term) = term {
            evidence = evidence.with(term);
        }
    }
    let age = birth.map(|b| age_at(b, reference));
    match (age, age_term(age)) {
        (None, _) => evidence = evidence.with(Term::AgeUnknown),
        (Some(_), Some(term)) => evidence = evidence.with(term),
        (Some(_), None) => {}
    }
    if has_id { evidence } else { evidence.with(Term::IdUnusable) }
}

/// Birth certificates and the register entries (births and deaths aside) they match on the
/// household's address (its province and prefecture names aside), the birth day and the sex,
/// where exactly one certificate and one person's entries (by `person`, as the registers'
/// links have joined them: a child's hukou entry and its insurance record at one address are
/// one child, not two) have them.
fn births_by_address(
    inputs: &[Input<'_>],
    registers: &[usize],
    person: &dyn Fn(RecordRef) -> usize,
) -> Vec<(RecordRef, RecordRef)> {
    let key = |r: RecordRef| {
        let table = inputs[r.source].table;
        let row = r.row as usize;
        let birth = table.birth_date[row].filter(|d| d.precision() == DatePrecision::Day)?;
        let address = register_address(table, row).map(region::address_tail)?;
        (table.rejected[row].is_none() || inputs[r.source].role == Role::Birth).then_some((
            address,
            birth,
            table.sex[row],
        ))
    };
    let records = |roles: &'static [Role]| {
        registers.iter().filter(|&&s| roles.contains(&inputs[s].role)).flat_map(|&source| {
            (0..inputs[source].table.len() as RecordIdx).map(move |row| RecordRef { source, row })
        })
    };
    // A key two certificates share (twins of one sex) joins neither.
    let mut certificates = Unique::default();
    for birth in records(&[Role::Birth]) {
        if let Some(key) = key(birth) {
            insert_unique(&mut certificates, key, birth, &|_, _| false);
        }
    }
    // Only an entry born on a certificate's day may share its key: the others' addresses
    // are not looked at.
    let days: HashSet<(PartialDate, Option<Sex>)> =
        certificates.keys().map(|&(_, day, sex)| (day, sex)).collect();
    let mut entries = Unique::default();
    for r in records(&[Role::Hukou, Role::School, Role::Insurance]) {
        let table = inputs[r.source].table;
        let day = table.birth_date[r.row as usize];
        if day.is_some_and(|day| days.contains(&(day, table.sex[r.row as usize])))
            && let Some(key) = key(r)
        {
            insert_unique(&mut entries, key, r, &|a, b| person(a) == person(b));
        }
    }
    join_unique(certificates, &entries)
}

/// Records by key, `None` once two records not `one` (of one person) share it.
type Unique<K> = HashMap<K, Option<RecordRef>>;

/// Adds record `r` under `key`, or marks the key shared unless the record it holds and `r`
/// are `one` (the first record kept).
fn insert_unique<K: Eq + std::hash::Hash>(
    records: &mut Unique<K>,
    key: K,
    r: RecordRef,
    one: &dyn Fn(RecordRef, RecordRef) -> bool,
) {
    records.entry(key).and_modify(|e| *e = e.filter(|&seen| one(seen, r))).or_insert(Some(r));
}

/// Each certificate joined to the entry of its key, where each is the only one with it; in
/// record order.
fn join_unique<K: Eq + std::hash::Hash>(
    certificates: Unique<K>,
    entries: &Unique<K>,
) -> Vec<(RecordRef, RecordRef)> {
    let mut joined: Vec<(RecordRef, RecordRef)> = certificates
        .into_iter()
        .filter_map(|(key, birth)| Some((birth?, (*entries.get(&key)?)?)))
        .collect();
    joined.sort_unstable();
    joined
}

/// Birth certificates joined to the hukou entry of their child: born on the certificate's day,
/// of its sex, in the hukou household of the woman who carries the mother's ID number (a
/// newborn is entered in a parent's household, wherever the mother lives). A certificate
/// finding two such entries (twins of one sex), or an entry two certificates find, joins none.
fn births_by_mothers_household(
    inputs: &[Input<'_>],
    registers: &[usize],
) -> Vec<(RecordRef, RecordRef)> {
    let of_role = |role: Role| registers.iter().copied().filter(move |&s| inputs[s].role == role);
    // Only the certificates' mothers, and entries born on a certificate's day, may join one.
    let mut mothers: HashSet<&str> = HashSet::default();
    let mut days: HashSet<(PartialDate, Option<Sex>)> = HashSet::default();
    for source in of_role(Role::Birth) {
        let table = inputs[source].table;
        for row in 0..table.len() {
            let mother =
                table.mother_id.number.get(row).filter(|_| table.mother_id.status[row].is_valid());
            let day = table.birth_date[row].filter(|d| d.precision() == DatePrecision::Day);
            if let (Some(mother), Some(day)) = (mother, day) {
                mothers.insert(mother);
                days.insert((day, table.sex[row]));
            }
        }
    }
    // Each woman's hukou household by her ID number; `None` when the number is in two.
    let mut household_of: HashMap<&str, Option<(usize, &str)>> = HashMap::default();
    // Each (household, birth day, sex)'s entry.
    let mut entries = Unique::default();
    for source in of_role(Role::Hukou) {
        let table = inputs[source].table;
        for row in (0..table.len()).filter(|&row| table.rejected[row].is_none()) {
            let Some(household) = table.household_id.get(row) else { continue };
            let id = table.id.number.get(row).filter(|_| table.id.status[row].is_valid());
            if let Some(id) = id.filter(|id| mothers.contains(id)) {
                let place = Some((source, household));
                household_of
                    .entry(id)
                    .and_modify(|h| *h = h.filter(|h| Some(*h) == place))
                    .or_insert(place);
            }
            let day = table.birth_date[row].filter(|d| d.precision() == DatePrecision::Day);
            if let Some(day) = day.filter(|&day| days.contains(&(day, table.sex[row]))) {
                let entry = RecordRef { source, row: row as RecordIdx };
                let key = (source, household, day, table.sex[row]);
                insert_unique(&mut entries, key, entry, &|_, _| false);
            }
        }
    }
    let mut certificates = Unique::default();
    for source in of_role(Role::Birth) {
        let table = inputs[source].table;
        for row in 0..table.len() {
            let mother =
                table.mother_id.number.get(row).filter(|_| table.mother_id.status[row].is_valid());
            let Some(&Some((hukou, household))) = mother.and_then(|id| household_of.get(id)) else {
                continue;
            };
            let Some(day) = table.birth_date[row].filter(|d| d.precision() == DatePrecision::Day)
            else {
                continue;
            };
            let birth = RecordRef { source, row: row as RecordIdx };
            let key = (hukou, household, day, table.sex[row]);
            insert_unique(&mut certificates, key, birth, &|_, _| false);
        }
    }
    join_unique(certificates, &entries)
}

/// Whole years from `birth` to `reference`, a birthday not yet reached not counted; a month
/// or day the birth date does not give counted as reached.
fn age_at(birth: PartialDate, reference: PartialDate) -> i32 {
    let years = i32::from(reference.year()) - i32::from(birth.year());
    let before = |a: Option<u8>, b: Option<u8>| a.zip(b).map(|(a, b)| a.cmp(&b));
    let not_yet = match before(birth.month(), reference.month()) {
        Some(std::cmp::Ordering::Greater) => true,
        Some(std::cmp::Ordering::Equal) => {
            before(birth.day(), reference.day()) == Some(std::cmp::Ordering::Greater)
        }
        _ => false,
    };
    years - i32::from(not_yet)
}

/// Where a birth's mother is, as the census and the registers say.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mother {
    /// Listed as a usual resident here.
    Here,
    /// Listed only as registered here and living elsewhere.
    Away,
    /// Not listed; a register person of the district (an index of the persons' union-find),
    /// whose own probability of living here then says where the child lives.
    Person(usize),
    /// Her ID number is in no census record and no register of the district.
    Unknown,
    /// The certificate gives no valid ID number of hers, and no woman of her name is listed
    /// as living here.
    NoId,
    /// The certificate gives no valid ID number of hers, but a woman of her name is listed as
    /// living here (a name is not a person: a namesake may be).
    Named,
}

impl Mother {
    /// The name used in outputs: `here`, `away`, `register`, `unknown`, `no_id`, `named`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mother::Here => "here",
            Mother::Away => "away",
            Mother::Person(_) => "register",
            Mother::Unknown => "unknown",
            Mother::NoId => "no_id",
            Mother::Named => "named",
        }
    }
}

/// The district's places: the counties its census areas lie in, and where the census and the
/// registers hold the mothers the birth certificates name, to place a birth's mother and a
/// register's address.
struct Places<'a> {
    /// The names of the census areas' counties, and the former names of their prefectures'
    /// counties (an address may give the county's old name: 江宁县 for 江宁区).
    counties: HashSet<&'static str>,
    /// The mothers' census ID numbers: whether some record holding it is a usual resident's.
    census: HashMap<&'a str, bool>,
    /// The mothers' register ID numbers (births and deaths aside) and their person.
    registers: HashMap<&'a str, usize>,
    /// The mothers' names (of those a certificate gives no valid ID number) that name women
    /// (or persons of unknown sex) listed as living here.
    women: HashSet<&'a str>,
}

impl<'a> Places<'a> {
    fn new(
        inputs: &[Input<'a>],
        census: usize,
        registers: &[usize],
        person: &(dyn Fn(RecordRef) -> usize + Sync),
    ) -> Places<'a> {
        let table = inputs[census].table;
        // Only the mothers the certificates name are ever looked up: their ID numbers, and the
        // names of those without one.
        let (mut mother_ids, mut mother_names) = (HashSet::default(), HashSet::default());
        for &source in registers.iter().filter(|&&r| inputs[r].role == Role::Birth) {
            let births = inputs[source].table;
            for row in 0..births.len() {
                match births.mother_id.number.get(row) {
                    Some(id) if births.mother_id.status[row].is_valid() => {
                        mother_ids.insert(id);
                    }
                    _ => mother_names.extend(births.mother_name.full.get(row)),
                }
            }
        }
        let counties = || {
            table
                .enumeration_area
                .iter()
                .flatten()
                .filter_map(|area| region::parse_region(area.get(..6)?))
                .collect::<HashSet<_>>()
                .into_iter()
                .flat_map(|county| {
                    let former = county.prefecture().map(region::former_county_names_under);
                    region::region_name(county).into_iter().chain(former.into_iter().flatten())
                })
                .collect()
        };
        let census_ids = || {
            let codes: HashSet<&str> =
                table.enumeration_area.iter().flatten().filter_map(|a| a.get(..6)).collect();
            let mut ids: HashMap<&'a str, bool> = HashMap::default();
            let mut women: HashSet<&'a str> = HashSet::default();
            for row in (0..table.len()).filter(|&row| table.rejected[row].is_none()) {
                if table.sex[row] != Some(Sex::Male)
                    && table.record_type[row] != Some(RecordType::RegisteredAway)
                {
                    women.extend(table.name.full.get(row).filter(|n| mother_names.contains(n)));
                }
                let Some(id) = (table.id.number.get(row))
                    .filter(|id| table.id.status[row].is_valid() && mother_ids.contains(id))
                else {
                    continue;
                };
                // Listed as living here, or at the hukou household as living elsewhere in the
                // district.
                let place = table.residence_region.get(row).and_then(|r| r.get(..6));
                *ids.entry(id).or_default() |= table.record_type[row]
                    != Some(RecordType::RegisteredAway)
                    || place.is_some_and(|county| codes.contains(county));
            }
            (ids, women)
        };
        let register_ids = || {
            let mut persons: HashMap<&'a str, usize> = HashMap::default();
            for &source in registers {
                if matches!(inputs[source].role, Role::Birth | Role::Death) {
                    continue;
                }
                let table = inputs[source].table;
                for row in 0..table.len() {
                    if let Some(id) = (table.id.number.get(row))
                        .filter(|id| table.id.status[row].is_valid() && mother_ids.contains(id))
                    {
                        persons
                            .entry(id)
                            .or_insert_with(|| person(RecordRef { source, row: row as RecordIdx }));
                    }
                }
            }
            persons
        };
        // Three independent lookups, made side by side.
        let (counties, ((ids, women), persons)) =
            rayon::join(counties, || rayon::join(census_ids, register_ids));
        Places { counties, census: ids, registers: persons, women }
    }

    /// Where the mother of birth record `row` of `table` (a birth register's) is.
    fn mother(&self, table: &PersonTable, row: usize) -> Mother {
        let Some(id) =
            table.mother_id.number.get(row).filter(|_| table.mother_id.status[row].is_valid())
        else {
            let name = table.mother_name.full.get(row);
            return if name.is_some_and(|name| self.women.contains(name)) {
                Mother::Named
            } else {
                Mother::NoId
            };
        };
        match (self.census.get(id), self.registers.get(id)) {
            (Some(true), _) => Mother::Here,
            (Some(false), _) => Mother::Away,
            (None, Some(&person)) => Mother::Person(person),
            (None, None) => Mother::Unknown,
        }
    }

    /// Whether record `row` of `table` gives an address in a county the census has no area
    /// in (the address naming its county).
    fn is_address_elsewhere(&self, table: &PersonTable, row: usize) -> bool {
        !self.counties.is_empty()
            && register_address(table, row)
                .and_then(region::address_county)
                .is_some_and(|county| !self.counties.contains(county))
    }
}

/// A register record's address: where it says the person lives, else the hukou address.
fn register_address(table: &PersonTable, row: usize) -> Option<&str> {
    table.residence_address.get(row).or(table.hukou_address.get(row))
}

/// Where register addresses lie: for each source and address (as that source writes it), the
/// enumeration area in which the census lists most of the people linked at that address (ties
/// to the lower code). A household's members share an address and an area, so an address
/// resolves as soon as one member of the household is linked. A hukou address is the dwelling
/// of registration, where the census lists both the people living there and those away
/// (`registered_away`); people of the address living elsewhere in the district are outvoted.
fn address_areas<'a>(
    inputs: &[Input<'a>],
    census_links: &[Link],
) -> HashMap<(usize, &'a str), &'a str> {
    // Every vote as (the address's hash, source, address, area), sorted: each address's votes
    // are a run (by the hash first, so that most comparisons are of two integers), and each
    // area's votes a run within it, in code order.
    let mut votes: Vec<(u64, usize, &'a str, &'a str)> = census_links
        .par_iter()
        .filter_map(|link| {
            let census = inputs[link.left.source].table;
            let register = inputs[link.right.source].table;
            let area = census.enumeration_area.get(link.left.row as usize)?;
            let address = register_address(register, link.right.row as usize)?;
            let source = link.right.source;
            Some((FxBuildHasher.hash_one((source, address)), source, address, area))
        })
        .collect();
    votes.par_sort_unstable();
    let same_address = |x: &(u64, usize, &str, &str), y: &(u64, usize, &str, &str)| {
        (x.0, x.1, x.2) == (y.0, y.1, y.2)
    };
    let winners: Vec<((usize, &str), &str)> = (votes.par_chunk_by(same_address))
        .map(|address_votes| {
            let (_, source, address, _) = address_votes[0];
            let mut best: (usize, &str) = (0, "");
            for area_votes in address_votes.chunk_by(|x, y| x.3 == y.3) {
                // Strictly more, so that a tie goes to the lower code, which comes first.
                if area_votes.len() > best.0 {
                    best = (area_votes.len(), area_votes[0].3);
                }
            }
            ((source, address), best.1)
        })
        .collect();
    let mut areas = HashMap::with_capacity_and_hasher(winners.len(), FxBuildHasher);
    areas.extend(winners);
    areas
}

/// What linking two sources gave.
struct Linked {
    /// Every scored candidate of probability 0.01 or more.
    pairs: Vec<ScoredPair>,
    /// The one-to-one links at the threshold.
    links: Vec<ScoredPair>,
    /// The trained model and the blocking rules' figures.
    model: Option<(Model, Vec<RuleStats>, TrainingReport)>,
    /// The household pass's evidence, when it linked any pair.
    household: Option<HouseholdLinks>,
    /// For each right record left unlinked, its heaviest pair's explanation, field by field.
    explained: HashMap<RecordIdx, Explanation>,
    /// How long each stage took.
    times: LinkTimes,
}

/// How long each stage of a link took, in seconds of wall time.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct LinkTimes {
    /// The records' feature columns (interning, packing).
    pub features: f64,
    /// Every record's blocking keys.
    pub block: f64,
    /// Training: u from random pairs, the anchor, EM (comparisons of the training pairs).
    pub train: f64,
    /// Comparing and scoring every candidate pair.
    pub score: f64,
    /// One-to-one links or clusters, and the unlinked records' nearest pairs explained.
    pub resolve: f64,
}

impl LinkTimes {
    /// The link's own wall time, all stages.
    pub fn total(&self) -> f64 {
        self.features + self.block + self.train + self.score + self.resolve
    }
}

/// A stopwatch that reads the seconds since its last reading.
pub(crate) struct Clock(std::time::Instant);

impl Clock {
    pub(crate) fn start() -> Clock {
        Clock(std::time::Instant::now())
    }

    pub(crate) fn lap(&mut self) -> f64 {
        let now = std::time::Instant::now();
        let seconds = (now - self.0).as_secs_f64();
        self.0 = now;
        seconds
    }
}

/// A link's candidate pairs of at least its least weight, scored by a model trained on them.
pub struct Scored<'a> {
    /// The model.
    pub model: Model,
    /// How it was trained.
    pub training: TrainingReport,
    /// The model resolved against the link's records.
    pub scorer: censuslink_linkage::Scorer<'a>,
    /// The pairs kept, in (a, b) order.
    pub pairs: Vec<ScoredPair>,
    /// Each blocking rule's figures.
    pub rules: Vec<RuleStats>,
}

/// A link of the reconciliation, as scoring it needs it: its sources (positions among the
/// inputs; no right source for the census's deduplication), its settings (the deduplication's
/// training its own) and the least weight of the pairs it keeps.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LinkSpec {
    /// The left source.
    pub left: usize,
    /// The right source; `None` for a deduplication of the left.
    pub right: Option<usize>,
    /// The settings the link is trained and scored with.
    pub settings: Settings,
    /// Pairs of this weight or more are kept.
    pub min_weight: f64,
    /// Whether only the records a census deduplication compares are the link's (see
    /// [`deduplicated`]), numbered among themselves in row order.
    #[serde(default)]
    pub residents: bool,
}

/// Where a link's candidate pairs are made, its model trained on them, its pairs scored and
/// resolved: on this machine ([`Here`]), or on a cluster that hands them back
/// (`censuslink.spark`), which must give what [`Here`] gives for the same records.
pub trait Scoring: Sync + std::fmt::Debug {
    /// The link `spec` of `records` (its sources' records: the left's, then the right's),
    /// trained with `anchor_model`'s m of the anchor's comparisons when given; each stage's
    /// time into `times`.
    ///
    /// # Errors
    ///
    /// When no model can be trained (a rule that does not fit, too few records).
    fn score<'a>(
        &self,
        spec: &LinkSpec,
        records: &'a censuslink_linkage::Records,
        anchor_model: Option<&Model>,
        times: &mut LinkTimes,
    ) -> Result<Scored<'a>, TrainingError>;

    /// The one-to-one links among the scored `pairs` of a link (`_spec`, which a cluster may
    /// name its work by): see [`one_to_one`], whose order (heaviest first) they keep.
    fn one_to_one(
        &self,
        _spec: &LinkSpec,
        pairs: &[ScoredPair],
        min_weight: f64,
    ) -> Vec<ScoredPair> {
        one_to_one(pairs, min_weight)
    }

    /// Whether several links may be scored at once (each then holds its records meanwhile):
    /// on this machine they share its threads; a cluster scores one link at a time.
    fn side_by_side(&self) -> bool {
        true
    }

    /// Each of `n` records' cluster by a deduplication's `pairs`: see [`clusters`].
    fn clusters(
        &self,
        _spec: &LinkSpec,
        n: usize,
        pairs: &[ScoredPair],
        min_weight: f64,
    ) -> Vec<RecordIdx> {
        clusters(n, pairs, min_weight)
    }
}

/// Scoring on this machine: blocks, training on the candidate pairs, every pair scored, and
/// the pairs resolved.
#[derive(Debug, Clone, Copy, Default)]
pub struct Here;

impl Scoring for Here {
    fn score<'a>(
        &self,
        spec: &LinkSpec,
        records: &'a censuslink_linkage::Records,
        anchor_model: Option<&Model>,
        times: &mut LinkTimes,
    ) -> Result<Scored<'a>, TrainingError> {
        let settings = &spec.settings;
        let mut clock = Clock::start();
        let blocking =
            Blocking::new(records, &settings.blocking).map_err(TrainingError::Blocking)?;
        times.block = clock.lap();
        let (model, training, scorer, candidates) = train_candidates(
            records,
            &settings.comparisons,
            &blocking,
            &settings.training,
            anchor_model,
        )?;
        drop(blocking);
        times.train = clock.lap();
        let (pairs, rules) = candidates.predict(&scorer, spec.min_weight);
        times.score = clock.lap();
        Ok(Scored { model, training, scorer, pairs, rules })
    }
}

/// Links `left` to `right` as `spec` says, scored by `scoring`: the pairs of probability 0.01
/// or more, and one-to-one links at the threshold.
fn link_pair(
    [left, right]: [&Households; 2],
    records: &dyn Fn() -> censuslink_linkage::Records,
    spec: &LinkSpec,
    scoring: &dyn Scoring,
) -> Linked {
    let settings = &spec.settings;
    let mut linked = Linked {
        pairs: Vec::new(),
        links: Vec::new(),
        model: None,
        household: None,
        explained: HashMap::default(),
        times: LinkTimes::default(),
    };
    let mut clock = Clock::start();
    let records = records();
    linked.times.features = clock.lap();
    let Ok(Scored { model, training, scorer, pairs, rules }) =
        scoring.score(spec, &records, None, &mut linked.times)
    else {
        return linked;
    };
    let mut clock = Clock::start();
    let min_weight = weight_of(settings.threshold);
    let mut links = scoring.one_to_one(spec, &pairs, min_weight);
    // The records left over, compared again within paired households.
    if let Some(pass) = household_pass(left, right, &scorer, &links, min_weight)
        && !pass.links.is_empty()
    {
        let n_left = left.len() as RecordIdx;
        let mut decided: Vec<(RecordIdx, RecordIdx)> =
            pass.links.iter().map(|l| (l.a, l.b - n_left)).collect();
        decided.sort_unstable();
        linked.household = Some(HouseholdLinks { weight: pass.weight, pairs: decided });
        links.extend(pass.links);
    }
    // Each unlinked right record's heaviest pair, by the record's row.
    let (n_left, n_right) = (left.len(), records.len() - left.len());
    let mut linked_right = vec![false; n_right];
    for link in &links {
        linked_right[link.b as usize - n_left] = true;
    }
    let mut best: Vec<Option<&ScoredPair>> = vec![None; n_right];
    for pair in pairs.iter().filter(|p| !linked_right[p.b as usize - n_left]) {
        let entry = best[pair.b as usize - n_left].get_or_insert(pair);
        if pair.weight > entry.weight || pair.weight == entry.weight && pair.a < entry.a {
            *entry = pair;
        }
    }
    linked.explained = (best.into_par_iter().flatten())
        .map(|pair| (pair.b, scorer.explain(&model, pair.a, pair.b)))
        .collect();
    linked.times.resolve = clock.lap();
    linked.pairs = pairs;
    linked.links = links;
    linked.model = Some((model, rules, training));
    linked
}

/// The rows of the census records its deduplication compares, in order: those read whole that
/// list a person where they live. A `registered_away` listing (户口在本户外出) beside the
/// person's own listing where they live is the census rule, not a duplicate, and its places
/// differ from that listing's by design: compared, such pairs would be most of the census's
/// pairs of one ID number, and would teach the model that a duplicate's residence differs.
pub fn deduplicated(table: &PersonTable) -> Vec<usize> {
    (0..table.len())
        .filter(|&row| {
            table.rejected[row].is_none()
                && table.record_type[row] != Some(RecordType::RegisteredAway)
        })
        .collect()
}

/// Census clusters of two records or more among those it lists where they live
/// ([`deduplicated`]), by a model of the census's own trained on them (see [`dedupe_spec`])
/// and scored by `scoring`; a pair whose records link to two different hukou entries
/// (`hukou`, by census row) is two people and never joins a cluster. Also the deduplication's
/// model.
fn census_duplicates(
    census: usize,
    (features, tables, households): (&Features, &[&PersonTable], &Households),
    settings: &Settings,
    scoring: &dyn Scoring,
    linked: Option<&Model>,
    hukou: &(dyn Fn(RecordIdx) -> Option<RecordRef> + Sync),
    key: &(dyn Fn(RecordRef) -> String + Sync),
) -> (Vec<Duplicate>, Option<LinkModel>) {
    let mut clock = Clock::start();
    let mut times = LinkTimes::default();
    let table = tables[census];
    let rows = deduplicated(table);
    let numbers: Vec<RecordIdx> = rows.iter().map(|&row| row as RecordIdx).collect();
    let records = features.records_of_rows(tables, census, &numbers);
    times.features = clock.lap();
    let spec = dedupe_spec(census, settings);
    let Ok(Scored { model, training, scorer, pairs, rules }) =
        scoring.score(&spec, &records, linked, &mut times)
    else {
        return (Vec::new(), None);
    };
    let threshold = spec.min_weight;
    let mut clock = Clock::start();
    let mut link_model = LinkModel {
        left: census,
        right: None,
        residents: true,
        model: model.clone(),
        rules,
        training,
        household: None,
        weights: Histogram::of(&pairs),
        threshold: settings.threshold,
        times,
    };
    // The pairs and clusters number the records compared; their records are the rows.
    let record =
        |idx: RecordIdx| RecordRef { source: census, row: rows[idx as usize] as RecordIdx };
    let two_entries = |a: RecordIdx, b: RecordIdx| matches!((hukou(record(a).row), hukou(record(b).row)), (Some(x), Some(y)) if x != y);
    let mut pairs: Vec<ScoredPair> = pairs.into_iter().filter(|p| !two_entries(p.a, p.b)).collect();
    // The listings left over, compared again within the households a family is listed in twice.
    let listed_twice = listed_away_and_here(table);
    if let Some(pass) = dedupe_household_pass(
        households,
        &rows,
        (&model, &scorer),
        &pairs,
        &listed_twice,
        &two_entries,
        threshold,
    ) && !pass.links.is_empty()
    {
        let row = |idx: RecordIdx| record(idx).row;
        let mut decided: Vec<(RecordIdx, RecordIdx)> =
            pass.links.iter().map(|p| (row(p.a), row(p.b))).collect();
        decided.sort_unstable();
        link_model.household = Some(HouseholdLinks { weight: pass.weight, pairs: decided });
        pairs.extend(pass.links);
    }
    let assignment = scoring.clusters(&spec, records.len(), &pairs, threshold);
    // The clusters of several records, each by its number, its members in order.
    let mut sizes: HashMap<RecordIdx, u32> = HashMap::default();
    for &cluster in &assignment {
        *sizes.entry(cluster).or_default() += 1;
    }
    let mut groups: BTreeMap<RecordIdx, Vec<RecordIdx>> = BTreeMap::new();
    for (idx, &cluster) in assignment.iter().enumerate() {
        if sizes[&cluster] > 1 {
            groups.entry(cluster).or_default().push(idx as RecordIdx);
        }
    }
    let mut within: HashMap<RecordIdx, Vec<&ScoredPair>> = HashMap::default();
    for pair in &pairs {
        let cluster = assignment[pair.a as usize];
        if cluster == assignment[pair.b as usize] {
            within.entry(cluster).or_default().push(pair);
        }
    }
    let groups: Vec<(RecordIdx, Vec<RecordIdx>)> = groups.into_iter().collect();
    let mut duplicates: Vec<Duplicate> = groups
        .into_par_iter()
        .map(|(cluster, members)| {
            let records: Vec<RecordRef> = members.iter().map(|&idx| record(idx)).collect();
            let keys: Vec<String> = records.iter().map(|&r| key(r)).collect();
            let mut pairs = within.get(&cluster).cloned().unwrap_or_default();
            pairs.sort_by_key(|p| (p.a, p.b));
            let weakest = pairs.iter().min_by(|x, y| x.weight.total_cmp(&y.weight));
            Duplicate {
                id: stable_id(keys.iter().map(String::as_str)),
                probability: weakest.map_or(1.0, |p| probability(p.weight)),
                explanation: weakest.map(|p| {
                    let household = link_model
                        .household
                        .as_ref()
                        .filter(|h| h.decided(record(p.a).row, record(p.b).row));
                    with_household(scorer.explain(&model, p.a, p.b), household)
                }),
                pairs: pairs
                    .iter()
                    .map(|p| (record(p.a), record(p.b), probability(p.weight)))
                    .collect(),
                records,
            }
        })
        .collect();
    duplicates.sort_by(|a, b| a.id.cmp(&b.id));
    link_model.times.resolve = clock.lap();
    (duplicates, Some(link_model))
}

/// The census deduplication of source `census`, of the records it lists where they live
/// ([`deduplicated`]): m from the census's own anchored pairs (two
/// listings with one valid ID, its birth date and sex: mostly one person listed twice), never
/// from another link, where a field can be filled differently (a census records a hukou code
/// only for people registered in another county, whom a hukou extract does not hold, so
/// agreement there never occurs among that link's matches). No EM when there is an anchor:
/// among a census's pairs sharing a name and a birth month most are strangers, and EM learns
/// "same name". The m of the anchor's own comparisons (the ID number), which anchored pairs
/// cannot estimate, comes from the census ↔ hukou model (whose ID numbers are filled alike on
/// both sides), handed to scoring. Pairs at the threshold are kept.
pub fn dedupe_spec(census: usize, settings: &Settings) -> LinkSpec {
    let em = settings.training.anchor.is_empty();
    let training = TrainingSettings { em, ..settings.training.clone() };
    LinkSpec {
        left: census,
        right: None,
        settings: Settings { training, ..settings.clone() },
        min_weight: weight_of(settings.threshold),
        residents: true,
    }
}

/// The links (census row, certificate row) of birth certificates to a census child whose
/// household does not hold the certificate's mother, though the census lists her, by her valid
/// ID number, as living here in another: a newborn lives with its mother, and such a link is
/// most often another baby of the same name and month (the mother's own child unlisted).
fn not_with_mother(
    census_table: &PersonTable,
    register: usize,
    births: &PersonTable,
    links: &[Link],
) -> HashSet<(RecordIdx, RecordIdx)> {
    let mother = |link: &Link| {
        let row = link.right.row as usize;
        births.mother_id.number.get(row).filter(|_| births.mother_id.status[row].is_valid())
    };
    let linked = || links.iter().filter(|link| link.right.source == register);
    // The census is looked through once, in parallel, for the few mothers' households.
    let mothers: HashSet<&str> = linked().filter_map(mother).collect();
    let listed: Vec<(&str, &str)> = (0..census_table.len())
        .into_par_iter()
        .filter_map(|row| {
            let resident = census_table.record_type[row] != Some(RecordType::RegisteredAway);
            let id = census_table.id.number.get(row).filter(|id| mothers.contains(id));
            let valid = census_table.id.status[row].is_valid();
            Some((id.filter(|_| resident && valid)?, census_table.household_id.get(row)?))
        })
        .collect();
    let mut households_of: HashMap<&str, Vec<&str>> = HashMap::default();
    for (id, household) in listed {
        households_of.entry(id).or_default().push(household);
    }
    linked()
        .filter(|link| {
            let Some(hers) = mother(link).and_then(|id| households_of.get(id)) else {
                return false;
            };
            let child = census_table.household_id.get(link.left.row as usize);
            child.is_some_and(|child| !hers.contains(&child))
        })
        .map(|link| (link.left.row, link.right.row))
        .collect()
}

/// Birth records linked through the mother, for those no link reached: a census child of
/// the birth's sex in a household with a woman who carries the mother's ID number, born in
/// the birth month (by the record's own year and month or by the date its ID embeds, which
/// survives a month written wrong); or, when the mother's ID is missing or mistyped, with a
/// woman of the mother's name, born on the birth day by the child's ID, or in the birth month
/// where that pairs one birth and one child alone; or a child of the certificate's name born on
/// its day by the child's ID. Twins take one child each, in record order; a pair found apart
/// from the mother (`apart`, [`not_with_mother`]) is not made again.
fn births_by_mother(
    census: usize,
    census_table: &PersonTable,
    register: usize,
    births: &PersonTable,
    links: &[Link],
    apart: &HashSet<(RecordIdx, RecordIdx)>,
) -> Vec<Link> {
    let linked: HashSet<u32> =
        links.iter().filter(|l| l.right.source == register).map(|l| l.right.row).collect();
    let mut taken: HashSet<u32> =
        links.iter().filter(|l| l.right.source == register).map(|l| l.left.row).collect();
    let month = |d: PartialDate| Some((d.year(), d.month()?));
    let months: HashSet<(u16, u8)> =
        births.birth_date.iter().flatten().filter_map(|&d| month(d)).collect();
    // The census is looked through in parallel, in row order, for the children born in a
    // birth month, then for the members of their households.
    let usable = |row: &usize| census_table.rejected[*row].is_none();
    // A row and the birth months (its own, its ID's) that births share.
    type Born = (usize, [Option<(u16, u8)>; 2]);
    let born: Vec<Born> = (0..census_table.len())
        .into_par_iter()
        .filter(usable)
        .filter_map(|row| {
            let own = census_table.birth_date[row].and_then(month);
            let embedded = census_table.id.birth_date[row].and_then(month);
            let born = [own, embedded.filter(|&e| Some(e) != own)]
                .map(|m| m.filter(|m| months.contains(m)));
            born.iter().any(Option::is_some).then_some((row, born))
        })
        .collect();
    let mut by_month: BTreeMap<(u16, u8), Vec<usize>> = BTreeMap::new();
    for &(row, born) in &born {
        for m in born.into_iter().flatten() {
            by_month.entry(m).or_default().push(row);
        }
    }
    let homes: HashSet<&str> =
        born.iter().filter_map(|&(row, _)| census_table.household_id.get(row)).collect();
    drop(born);
    let members: Vec<(&str, usize)> = (0..census_table.len())
        .into_par_iter()
        .filter(usable)
        .filter_map(|row| {
            let household = census_table.household_id.get(row).filter(|h| homes.contains(h))?;
            Some((household, row))
        })
        .collect();
    let mut by_household: HashMap<&str, Vec<usize>> = HashMap::default();
    for (household, row) in members {
        by_household.entry(household).or_default().push(row);
    }
    let mut found = Vec::new();
    let mut named: Vec<(usize, Vec<usize>)> = Vec::new();
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
        // (王芳 is in many households) needs the day the child's ID embeds, or the second pass.
        let fits = |child: usize| {
            let sex_agrees =
                census_table.sex[child].is_none() || census_table.sex[child] == births.sex[row];
            sex_agrees
                && !taken.contains(&(child as u32))
                && !apart.contains(&(child as RecordIdx, row as RecordIdx))
        };
        let same_month = |child: usize| {
            census_table.birth_date[child].and_then(month) == month(date)
                || census_table.id.birth_date[child].and_then(month) == month(date)
        };
        // The child's own name, and the day its ID embeds, tell it without the mother.
        let named_so = |child: usize| {
            births.name.full.get(row).is_some_and(|n| census_table.name.full.get(child) == Some(n))
        };
        let is_child = |child: usize| {
            let same_day = census_table.id.birth_date[child] == Some(date);
            fits(child)
                && (same_month(child) && women(child).any(has_id)
                    || same_day && (women(child).any(has_name) || named_so(child)))
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
        } else if mother_name.is_some() {
            // Her name and the month alone, kept for the second pass.
            let kids = candidates
                .into_iter()
                .flatten()
                .copied()
                .filter(|&c| fits(c) && same_month(c) && women(c).any(has_name));
            named.push((row, kids.collect::<Vec<usize>>()));
        }
    }
    // The second pass: a child of a woman of the mother's name, born in the birth month, where
    // the birth has one such child left and the child one such birth (a district seldom has two
    // women of one name with a child of one sex born in one month; where it has, neither pair
    // is taken).
    let mut births_of: HashMap<usize, usize> = HashMap::default();
    for (_, kids) in &named {
        for &kid in kids.iter().filter(|&&k| !taken.contains(&(k as u32))) {
            *births_of.entry(kid).or_default() += 1;
        }
    }
    for (row, kids) in named {
        let left: Vec<usize> = kids.into_iter().filter(|&k| !taken.contains(&(k as u32))).collect();
        if let [kid] = left[..]
            && births_of[&kid] == 1
        {
            taken.insert(kid as u32);
            found.push(Link {
                left: RecordRef { source: census, row: kid as u32 },
                right: RecordRef { source: register, row: row as u32 },
                weight: weight_of(0.99),
            });
        }
    }
    found.sort_by_key(|l| l.right.row);
    found
}

/// Records whose valid ID embeds a birth date (or sex) the record itself contradicts; of
/// another person when some record holds the ID with an agreeing birth date.
fn conflicts(inputs: &[Input<'_>], key: &(dyn Fn(RecordRef) -> String + Sync)) -> Vec<Conflict> {
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
    // The records in conflict, then which of their numbers another record owns: the owners
    // looked for among these numbers alone. Each table is looked through in parallel.
    let conflicting: Vec<(RecordRef, Option<&str>)> = (inputs.iter().enumerate())
        .flat_map(|(source, input)| {
            let table = input.table;
            (0..table.len())
                .into_par_iter()
                .filter(|&row| {
                    let status = table.id.status[row];
                    let sex_contradicts =
                        matches!((table.id.sex[row], table.sex[row]), (Some(e), Some(o)) if e != o);
                    matches!(status, IdStatus::Valid | IdStatus::Repaired)
                        && table.rejected[row].is_none()
                        && (!agrees(table, row) || sex_contradicts)
                })
                .map(|row| (RecordRef { source, row: row as u32 }, table.id.number.get(row)))
                .collect::<Vec<_>>()
        })
        .collect();
    let numbers: HashSet<&str> = conflicting.iter().filter_map(|&(_, id)| id).collect();
    let owners: HashSet<&str> = (inputs.iter())
        .flat_map(|input| {
            let table = input.table;
            (0..table.len())
                .into_par_iter()
                .filter_map(|row| {
                    let owns = table.id.status[row] == IdStatus::Valid && agrees(table, row);
                    table.id.number.get(row).filter(|id| owns && numbers.contains(id))
                })
                .collect::<Vec<_>>()
        })
        .collect();
    (conflicting.into_par_iter())
        .map(|(record, id)| {
            let another = id.is_some_and(|id| owners.contains(id));
            let kind = if another { "id_of_another_person" } else { "id_contradicts_record" };
            Conflict { id: stable_id([key(record).as_str(), kind]), record, kind }
        })
        .collect()
}

/// Disjoint sets of records: the persons.
pub(crate) struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    pub(crate) fn new(n: usize) -> UnionFind {
        UnionFind { parent: (0..n).collect() }
    }

    pub(crate) fn find(&mut self, x: usize) -> usize {
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

    pub(crate) fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.parent[ra.max(rb)] = ra.min(rb);
        }
    }
}

/// The explanation of the pair `a`, `b` under the link that compares their sources (a model
/// of [`Outcome::models`], possibly read back from a run's `models.json`), in either order;
/// `None` when the link does not join their sources or its model does not fit the records.
pub fn explain_pair(
    inputs: &[Input<'_>],
    link: &LinkModel,
    a: RecordRef,
    b: RecordRef,
) -> Option<Explanation> {
    let (a, b) = match link.right {
        None if a.source == link.left && b.source == link.left => (a, b),
        Some(right) if (a.source, b.source) == (link.left, right) => (a, b),
        Some(right) if (b.source, a.source) == (link.left, right) => (b, a),
        _ => return None,
    };
    let left = inputs.get(a.source)?.table;
    let right = link.right.map(|right| inputs[right].table);
    let n_left = left.len() as RecordIdx;
    if a.row >= n_left || right.is_some_and(|r| b.row as usize >= r.len()) {
        return None;
    }
    // The records as the link numbered them.
    let (records, a_index, b_index) = match right {
        Some(right) => (person_records(left, Some(right)), a.row, n_left + b.row),
        None if link.residents => {
            let rows = deduplicated(left);
            let index = |row: RecordIdx| rows.binary_search(&(row as usize)).ok();
            let (a_index, b_index) = (index(a.row)? as RecordIdx, index(b.row)? as RecordIdx);
            (person_records(&left.take(&rows), None), a_index, b_index)
        }
        None => (person_records(left, None), a.row, b.row),
    };
    let scorer = link.model.scorer(&records).ok()?;
    let decided = |h: &HouseholdLinks| {
        h.decided(a.row, b.row) || link.right.is_none() && h.decided(b.row, a.row)
    };
    let household = link.household.as_ref().filter(|h| decided(h));
    Some(with_household(scorer.explain(&link.model, a_index, b_index), household))
}

/// `explanation` with the household's weight, when the household pass decided its pair.
fn with_household(mut explanation: Explanation, household: Option<&HouseholdLinks>) -> Explanation {
    if let Some(household) = household {
        explanation.comparisons.push(FieldExplanation {
            feature: "household".to_owned(),
            level: 1,
            label: censuslink_linkage::LevelName::HouseholdLinks,
            weight: household.weight,
            tf_adjustment: 0.0,
        });
        explanation.total += household.weight;
        explanation.probability = probability(explanation.total);
    }
    explanation
}

#[cfg(test)]
mod tests {
    use censuslink_model::{IdStatus, PartialDate, PersonTable, Role, Sex};

    use rustc_hash::FxHashSet as HashSet;

    use crate::pipeline::{
        Input, Link, RecordRef, address_areas, births_by_address, births_by_mother,
        births_by_mothers_household, not_with_mother,
    };

    /// Adds a census person: household, name, sex, the record's year and month, and the birth
    /// date a valid ID embeds, when the record has an ID.
    fn person(
        t: &mut PersonTable,
        household: &str,
        name: &str,
        sex: Sex,
        month: (u16, u8),
        id: Option<(&str, (u16, u8, u8))>,
    ) {
        let n = t.len();
        t.row.push(n as u64 + 1);
        t.record_id.push(Some(&format!("c{n}")));
        t.household_id.push(Some(household));
        t.name.full.push(Some(name));
        t.sex.push(Some(sex));
        t.birth_date.push(PartialDate::new(month.0, month.1, 0));
        if let Some((number, (y, m, d))) = id {
            t.id.number.push(Some(number));
            t.id.status.push(IdStatus::Valid);
            t.id.birth_date.push(PartialDate::new(y, m, d));
        }
        t.fill_to(n + 1);
    }

    /// Adds a birth certificate: the mother's ID (valid) and name, the child's sex and birth day.
    fn birth(
        t: &mut PersonTable,
        mother_id: Option<&str>,
        mother_name: &str,
        sex: Sex,
        day: (u16, u8, u8),
    ) {
        let n = t.len();
        t.row.push(n as u64 + 1);
        t.record_id.push(Some(&format!("b{n}")));
        if let Some(id) = mother_id {
            t.mother_id.number.push(Some(id));
            t.mother_id.status.push(IdStatus::Valid);
        }
        t.mother_name.full.push(Some(mother_name));
        t.sex.push(Some(sex));
        t.birth_date.push(PartialDate::new(day.0, day.1, day.2));
        t.fill_to(n + 1);
    }

    #[test]
    fn births_are_found_through_the_mothers_id_or_her_name_and_the_childs_id() {
        use Sex::{Female, Male};
        let mut census = PersonTable::default();
        type Census<'a> = (&'a str, &'a str, Sex, (u16, u8), Option<(&'a str, (u16, u8, u8))>);
        let people: [Census<'_>; 10] = [
            // The mother by ID; her daughter's month written wrong, her ID's date right.
            ("h1", "王芳", Female, (1990, 1), Some(("320115199001050021", (1990, 1, 5)))),
            ("h1", "张婷", Female, (2020, 4), Some(("320115202006120022", (2020, 6, 12)))),
            // Twins of a mother without an ID in the census.
            ("h2", "李娜", Female, (1992, 2), None),
            ("h2", "赵一", Female, (2020, 3), Some(("320115202003050023", (2020, 3, 5)))),
            ("h2", "赵二", Female, (2020, 3), Some(("320115202003050041", (2020, 3, 5)))),
            // Two more 李娜, each with a daughter born in March without an ID: her name and the
            // month do not tell which; the son is the only boy of a 李娜 born in March.
            ("h3", "李娜", Female, (1985, 5), None),
            ("h3", "孙三", Female, (2020, 3), None),
            ("h3", "孙四", Male, (2020, 3), None),
            ("h4", "李娜", Female, (1988, 8), None),
            ("h4", "周五", Female, (2020, 3), None),
        ];
        for (household, name, sex, month, id) in people {
            person(&mut census, household, name, sex, month, id);
        }

        let mut births = PersonTable::default();
        birth(&mut births, Some("320115199001050021"), "王芳", Female, (2020, 6, 12));
        birth(&mut births, None, "李娜", Female, (2020, 3, 5));
        birth(&mut births, None, "李娜", Female, (2020, 3, 5));
        birth(&mut births, None, "李娜", Female, (2020, 3, 20));
        birth(&mut births, None, "李娜", Male, (2020, 3, 9));

        let found = births_by_mother(0, &census, 1, &births, &[], &HashSet::default());
        let pairs: Vec<(u32, u32)> = found.iter().map(|l| (l.left.row, l.right.row)).collect();
        assert_eq!(pairs, [(1, 0), (3, 1), (4, 2), (7, 4)]);

        // A birth an earlier link reached is left alone, and so is the child that link took.
        let earlier = Link {
            left: RecordRef { source: 0, row: 3 },
            right: RecordRef { source: 1, row: 1 },
            weight: 20.0,
        };
        let found = births_by_mother(0, &census, 1, &births, &[earlier], &HashSet::default());
        let pairs: Vec<(u32, u32)> = found.iter().map(|l| (l.left.row, l.right.row)).collect();
        assert_eq!(pairs, [(1, 0), (4, 2), (7, 4)]);
    }

    #[test]
    fn a_newborn_is_known_by_its_name_and_day_and_lives_with_its_mother() {
        use Sex::Female;
        let mut census = PersonTable::default();
        person(
            &mut census,
            "h1",
            "王芳",
            Female,
            (1990, 1),
            Some(("320115199001050021", (1990, 1, 5))),
        );
        person(
            &mut census,
            "h2",
            "钱六",
            Female,
            (2020, 7),
            Some(("320115202007010028", (2020, 7, 1))),
        );
        person(&mut census, "h1", "张婷", Female, (2020, 6), None);
        let mut births = PersonTable::default();
        // A certificate giving the child's name and nothing of the mother's.
        births.row.push(1);
        births.name.full.push(Some("钱六"));
        births.sex.push(Some(Female));
        births.birth_date.push(PartialDate::new(2020, 7, 1));
        births.fill_to(1);
        let found = births_by_mother(0, &census, 1, &births, &[], &HashSet::default());
        assert_eq!(found.iter().map(|l| (l.left.row, l.right.row)).collect::<Vec<_>>(), [(1, 0)]);

        // 王芳's certificates: one linked to 钱六, of another household, one to her own 张婷.
        birth(&mut births, Some("320115199001050021"), "王芳", Female, (2020, 7, 1));
        birth(&mut births, Some("320115199001050021"), "王芳", Female, (2020, 6, 12));
        let link = |c: u32, b: u32| Link {
            left: RecordRef { source: 0, row: c },
            right: RecordRef { source: 1, row: b },
            weight: 10.0,
        };
        let apart = not_with_mother(&census, 1, &births, &[link(1, 1), link(2, 2), link(1, 0)]);
        assert_eq!(apart.iter().copied().collect::<Vec<_>>(), [(1, 1)]);
        // A pair found apart from the mother is not made again by the child's name and day.
        let mut named = PersonTable::default();
        named.row.push(1);
        named.name.full.push(Some("钱六"));
        named.mother_id.number.push(Some("320115199001050021"));
        named.mother_id.status.push(IdStatus::Valid);
        named.sex.push(Some(Female));
        named.birth_date.push(PartialDate::new(2020, 7, 1));
        named.fill_to(1);
        let found = births_by_mother(0, &census, 1, &named, &[], &HashSet::default());
        assert_eq!(found.len(), 1, "by the child's name and day");
        let found = births_by_mother(0, &census, 1, &named, &[], &[(1, 0)].into_iter().collect());
        assert!(found.is_empty(), "that pair was found apart from the mother");
    }

    #[test]
    fn a_birth_joins_the_entry_of_its_day_and_sex_in_its_mothers_hukou_household() {
        use Sex::{Female, Male};
        let mut hukou = PersonTable::default();
        // Household, the mother's ID number, sex, birth day.
        type Entry<'a> = (&'a str, Option<&'a str>, Sex, (u16, u8, u8));
        let entries: [Entry<'_>; 6] = [
            ("H1", Some("320115199001050021"), Female, (1990, 1, 5)),
            ("H1", None, Female, (2020, 6, 12)),
            // Twin boys of one day: which is which, the certificates cannot say.
            ("H2", Some("320115199202020022"), Female, (1992, 2, 2)),
            ("H2", None, Male, (2020, 3, 5)),
            ("H2", None, Male, (2020, 3, 5)),
            // A girl of that day in another household.
            ("H3", None, Female, (2020, 6, 12)),
        ];
        for (n, (household, id, sex, day)) in entries.into_iter().enumerate() {
            hukou.row.push(n as u64 + 1);
            hukou.household_id.push(Some(household));
            if let Some(id) = id {
                hukou.id.number.push(Some(id));
                hukou.id.status.push(IdStatus::Valid);
            }
            hukou.sex.push(Some(sex));
            hukou.birth_date.push(PartialDate::new(day.0, day.1, day.2));
            hukou.fill_to(n + 1);
        }
        let mut births = PersonTable::default();
        birth(&mut births, Some("320115199001050021"), "王芳", Female, (2020, 6, 12));
        birth(&mut births, Some("320115199202020022"), "李娜", Male, (2020, 3, 5));
        birth(&mut births, Some("110105194912310021"), "赵敏", Female, (2020, 6, 12));
        let census = PersonTable::default();
        let inputs = [
            Input { name: "census", role: Role::Census, table: &census },
            Input { name: "hukou", role: Role::Hukou, table: &hukou },
            Input { name: "birth", role: Role::Birth, table: &births },
        ];
        let joined = births_by_mothers_household(&inputs, &[1, 2]);
        let pairs: Vec<(u32, u32)> = joined.iter().map(|(b, e)| (b.row, e.row)).collect();
        assert_eq!(pairs, [(0, 1)], "the twins and a mother registered nowhere join none");
    }

    #[test]
    fn a_birth_joins_the_entries_of_its_address_day_and_sex_when_they_are_one_person() {
        let address = "江宁区东山街道上坊社区1幢101室";
        let entry = |t: &mut PersonTable, hukou: bool| {
            let n = t.len();
            t.row.push(n as u64 + 1);
            let column = if hukou { &mut t.hukou_address } else { &mut t.residence_address };
            column.push(Some(address));
            t.sex.push(Some(Sex::Female));
            t.birth_date.push(PartialDate::new(2020, 6, 12));
            t.fill_to(n + 1);
        };
        let (mut hukou, mut insurance, mut births) = Default::default();
        entry(&mut hukou, true);
        entry(&mut insurance, false);
        entry(&mut births, false);
        let census = PersonTable::default();
        let inputs = [
            Input { name: "census", role: Role::Census, table: &census },
            Input { name: "hukou", role: Role::Hukou, table: &hukou },
            Input { name: "insurance", role: Role::Insurance, table: &insurance },
            Input { name: "birth", role: Role::Birth, table: &births },
        ];
        // The child's hukou entry and insurance record, linked as one person: the certificate
        // joins the first of them.
        let joined = births_by_address(&inputs, &[1, 2, 3], &|_| 0);
        let pairs: Vec<(usize, usize)> = joined.iter().map(|(b, e)| (b.source, e.source)).collect();
        assert_eq!(pairs, [(3, 1)]);
        // Two people of that day and sex at the address: which is the child, it cannot say.
        assert!(births_by_address(&inputs, &[1, 2, 3], &|r| r.source).is_empty());
    }

    #[test]
    fn an_address_lies_in_the_area_where_most_people_linked_at_it_are_listed() {
        let mut census = PersonTable::default();
        for area in ["320115001001001", "320115001001001", "320115002001001", "320115002001001"] {
            let n = census.len();
            census.row.push(n as u64 + 1);
            census.enumeration_area.push(Some(area));
            census.fill_to(n + 1);
        }
        let mut hukou = PersonTable::default();
        // Three people of one dwelling, one of them living in another area; a fourth alone.
        for address in ["东山社区3幢502室", "东山社区3幢502室", "东山社区3幢502室", "周里村3组17号"]
        {
            let n = hukou.len();
            hukou.row.push(n as u64 + 1);
            hukou.hukou_address.push(Some(address));
            hukou.fill_to(n + 1);
        }
        let inputs = [
            Input { name: "census", role: Role::Census, table: &census },
            Input { name: "hukou", role: Role::Hukou, table: &hukou },
        ];
        let link = |c: u32, h: u32| Link {
            left: RecordRef { source: 0, row: c },
            right: RecordRef { source: 1, row: h },
            weight: 20.0,
        };
        let areas = address_areas(&inputs, &[link(0, 0), link(2, 1), link(1, 2), link(3, 3)]);
        assert_eq!(areas.len(), 2);
        assert_eq!(areas[&(1, "东山社区3幢502室")], "320115001001001");
        assert_eq!(areas[&(1, "周里村3组17号")], "320115002001001");
    }
}
