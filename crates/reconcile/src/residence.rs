//! Whether a register person the census did not list lives in the district: a probability
//! learned from the census itself.
//!
//! Each register person carries evidence [`Term`]s: which registers hold them and with what
//! status, their age, and what the census says of them and their hukou household. Among the
//! register persons who were not listed as living elsewhere (`户口在本户外出`) at a place the
//! census names (a listing that names none is a term: [`Term::ListedAway`]), a logistic model
//! learns
//! `g(x)`, the chance of being listed as a usual resident. Its odds `g / (1 - g)` estimate, for
//! evidence `x`, the ratio of listed residents to unlisted persons, `L(x) / U(x)`; each cell of
//! identical evidence is its own counts shrunk towards the model by [`CELL_PRIOR`] persons.
//!
//! Bayes' rule then turns listing odds into residence. If a usual resident is missed with the
//! same chance `ω` whatever the registers say of them (the one assumption, the same the
//! dual-system estimate makes), the residents behind `x` number `L(x) / (1 - ω)`, of whom
//! `ω L(x) / (1 - ω)` are among the unlisted, so
//!
//! ```text
//! P(resident | x, not listed) = min(1, k · L(x) / U(x)),   k = ω / (1 - ω)
//! ```
//!
//! A model fitted on the listed and applied to the unlisted as it is would overstate their
//! residence: not being listed at all is itself evidence of living elsewhere, and this form
//! carries it. The omission odds `k` come from the strongest evidence, where hardly anyone
//! lives elsewhere (every unlisted person there is a missed resident): in each stratum of age
//! and hukou, the persons of highest `g` holding [`ANCHOR_SHARE`] of its listed residents,
//! `k = U / L` among them, shrunk towards the age band's and that towards the district's by
//! [`ANCHOR_PRIOR`] listed residents' worth. A missed resident's chance does vary by age
//! (infants and young adults are missed more) and by whether the hukou is here; the strata
//! carry that. Where it varies inside a stratum, the anchor leans to the less-missed: the
//! price of this estimate, measured by the accuracy matrix's reliability diagrams.

use std::collections::BTreeMap;

use censuslink_io::Lang;

/// A piece of evidence about a register person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Term {
    /// A live hukou entry in the district (正常, or cancelled only after the census moment).
    Hukou,
    /// A hukou entry cancelled before the moment (moved out), the person kept in the
    /// registers by insurance or school here.
    HukouMovedOut,
    /// Insurance contributions paid (参保缴费).
    InsuranceActive,
    /// Insurance contributions suspended (暂停缴费).
    InsuranceSuspended,
    /// Insurance ended (终止参保).
    InsuranceEnded,
    /// On a school's roll (在籍, 休学).
    SchoolActive,
    /// Off a school's roll (转出, 毕业).
    SchoolGone,
    /// A birth certificate of the year.
    Birth,
    /// Under one year old at the census moment.
    AgeInfant,
    /// Aged 1 to 14.
    AgeChild,
    /// Aged 15 to 24.
    AgeYouth,
    /// Aged 25 to 39.
    AgeYoungAdult,
    /// Aged 60 to 79.
    AgeOld,
    /// Aged 80 to 99.
    AgeVeryOld,
    /// Aged 100 or more: a hukou entry of this age is often a death never reported.
    AgeCentenarian,
    /// No birth date on any record.
    AgeUnknown,
    /// Another member of the hukou household is listed as living here.
    HouseholdHere,
    /// Other members of the hukou household are listed, all as living elsewhere.
    HouseholdAway,
    /// The hukou household has other members, none listed at all.
    HouseholdUnlisted,
    /// Alone in the hukou household.
    HouseholdAlone,
    /// Listed at the hukou household as living elsewhere in the district (现住地 one of its
    /// counties): living here by the census's own word, outside the model (its weight stays 0).
    ListedAwayHere,
    /// Listed at the hukou household as living elsewhere by a census that gives such listings
    /// no place (a layout without 现住地): some live elsewhere in the district. Those also
    /// listed where they live teach the model how many, as the listed teach it of everyone.
    ListedAway,
    /// No register record of theirs has a valid ID number: a link is harder to make, so more
    /// of the unlisted are people listed under errors.
    IdUnusable,
    /// A register gives an address in a county where the census has no area.
    AddressElsewhere,
    /// Their birth certificate's mother is listed as living here.
    MotherHere,
    /// Their birth certificate's mother is listed as registered here and living elsewhere.
    MotherAway,
    /// Their birth certificate's mother is not listed here, but her ID number is in a
    /// register of the district.
    MotherUnlisted,
    /// Their birth certificate's mother's ID number is nowhere in the district.
    MotherUnknown,
    /// Their birth certificate gives no valid ID number of the mother's, but a woman of her
    /// name is listed as living here.
    MotherNamed,
}

impl Term {
    /// Every term, in the order of the model's weights.
    pub const ALL: [Term; 29] = [
        Term::Hukou,
        Term::HukouMovedOut,
        Term::InsuranceActive,
        Term::InsuranceSuspended,
        Term::InsuranceEnded,
        Term::SchoolActive,
        Term::SchoolGone,
        Term::Birth,
        Term::AgeInfant,
        Term::AgeChild,
        Term::AgeYouth,
        Term::AgeYoungAdult,
        Term::AgeOld,
        Term::AgeVeryOld,
        Term::AgeCentenarian,
        Term::AgeUnknown,
        Term::HouseholdHere,
        Term::HouseholdAway,
        Term::HouseholdUnlisted,
        Term::HouseholdAlone,
        Term::ListedAwayHere,
        Term::ListedAway,
        Term::IdUnusable,
        Term::AddressElsewhere,
        Term::MotherHere,
        Term::MotherAway,
        Term::MotherUnlisted,
        Term::MotherUnknown,
        Term::MotherNamed,
    ];

    /// The term's name in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Term::Hukou => "hukou",
            Term::HukouMovedOut => "hukou_moved_out",
            Term::InsuranceActive => "insurance_active",
            Term::InsuranceSuspended => "insurance_suspended",
            Term::InsuranceEnded => "insurance_ended",
            Term::SchoolActive => "school_active",
            Term::SchoolGone => "school_gone",
            Term::Birth => "birth",
            Term::AgeInfant => "age_under_1",
            Term::AgeChild => "age_1_14",
            Term::AgeYouth => "age_15_24",
            Term::AgeYoungAdult => "age_25_39",
            Term::AgeOld => "age_60_79",
            Term::AgeVeryOld => "age_80_99",
            Term::AgeCentenarian => "age_100_plus",
            Term::AgeUnknown => "age_unknown",
            Term::HouseholdHere => "household_here",
            Term::HouseholdAway => "household_away",
            Term::HouseholdUnlisted => "household_unlisted",
            Term::HouseholdAlone => "household_alone",
            Term::ListedAwayHere => "listed_away_here",
            Term::ListedAway => "listed_away",
            Term::IdUnusable => "id_unusable",
            Term::AddressElsewhere => "address_elsewhere",
            Term::MotherHere => "mother_here",
            Term::MotherAway => "mother_away",
            Term::MotherUnlisted => "mother_unlisted",
            Term::MotherUnknown => "mother_unknown",
            Term::MotherNamed => "mother_named",
        }
    }

    /// What the term says, in `lang`.
    pub fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Term::Hukou => ("本地户籍在册", "a live hukou entry here"),
            Term::HukouMovedOut => ("户籍已迁出注销", "hukou moved out before the moment"),
            Term::InsuranceActive => ("医保参保缴费", "insurance paid"),
            Term::InsuranceSuspended => ("医保暂停缴费", "insurance suspended"),
            Term::InsuranceEnded => ("医保终止参保", "insurance ended"),
            Term::SchoolActive => ("学籍在籍", "on a school roll"),
            Term::SchoolGone => ("学籍转出或毕业", "off a school roll"),
            Term::Birth => ("本年出生登记", "a birth certificate of the year"),
            Term::AgeInfant => ("不满 1 岁", "under 1"),
            Term::AgeChild => ("1-14 岁", "aged 1-14"),
            Term::AgeYouth => ("15-24 岁", "aged 15-24"),
            Term::AgeYoungAdult => ("25-39 岁", "aged 25-39"),
            Term::AgeOld => ("60-79 岁", "aged 60-79"),
            Term::AgeVeryOld => ("80-99 岁", "aged 80-99"),
            Term::AgeCentenarian => ("100 岁及以上", "aged 100 or more"),
            Term::AgeUnknown => ("出生日期不详", "birth date unknown"),
            Term::HouseholdHere => {
                ("同户有人普查为现住", "a household member is listed as living here")
            }
            Term::HouseholdAway => {
                ("同户成员均登记为外出", "household members are listed as living elsewhere")
            }
            Term::HouseholdUnlisted => ("同户成员均未登记", "no household member is listed"),
            Term::HouseholdAlone => ("户内仅一人", "alone in the hukou household"),
            Term::ListedAwayHere => (
                "户籍地登记为外出、现住本区县",
                "listed at the hukou household as living elsewhere in the district",
            ),
            Term::ListedAway => (
                "户籍地登记为外出、未填现住地",
                "listed at the hukou household as living elsewhere, the place not given",
            ),
            Term::IdUnusable => ("登记中无有效身份证号", "no valid ID number in the registers"),
            Term::AddressElsewhere => {
                ("登记地址在外区县", "a register's address is in another county")
            }
            Term::MotherHere => ("母亲普查为现住", "the mother is listed as living here"),
            Term::MotherAway => ("母亲登记为外出", "the mother is listed as living elsewhere"),
            Term::MotherUnlisted => {
                ("母亲在本地登记中但未普查登记", "the mother is in a register here, not listed")
            }
            Term::MotherUnknown => {
                ("母亲身份证号不在本地任何登记中", "the mother's ID number is nowhere here")
            }
            Term::MotherNamed => {
                ("有同名女性普查为现住", "a woman of the mother's name is listed here")
            }
        };
        lang.pick(zh, en)
    }

    fn bit(self) -> u32 {
        1 << self as u32
    }
}

// Evidence holds one bit per term.
const _: () = assert!(Term::ALL.len() <= u32::BITS as usize);

/// The age terms of an age in whole years at the census moment (40-59 is the baseline).
pub fn age_term(age: Option<i32>) -> Option<Term> {
    Some(match age? {
        ..1 => Term::AgeInfant,
        1..=14 => Term::AgeChild,
        15..=24 => Term::AgeYouth,
        25..=39 => Term::AgeYoungAdult,
        40..=59 => return None,
        60..=79 => Term::AgeOld,
        80..=99 => Term::AgeVeryOld,
        _ => Term::AgeCentenarian,
    })
}

/// A register person's evidence: the set of terms that hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Evidence(u32);

impl Evidence {
    /// Adds `term`.
    pub fn with(self, term: Term) -> Evidence {
        Evidence(self.0 | term.bit())
    }

    /// Whether `term` holds.
    pub fn has(self, term: Term) -> bool {
        self.0 & term.bit() != 0
    }

    /// The terms that hold, in [`Term::ALL`] order.
    pub fn terms(self) -> impl Iterator<Item = Term> {
        Term::ALL.into_iter().filter(move |&t| self.has(t))
    }

    /// The age band: the index of its term among [`AGE_TERMS`] (40-59 has none: the last).
    fn age_band(self) -> usize {
        AGE_TERMS.iter().position(|&t| self.has(t)).unwrap_or(AGE_TERMS.len())
    }

    /// The stratum whose omission odds apply: the age band by whether the hukou is here.
    fn stratum(self) -> usize {
        self.age_band() * 2 + usize::from(self.has(Term::Hukou))
    }
}

/// The age terms, in age order, then the unknown age.
const AGE_TERMS: [Term; 8] = [
    Term::AgeInfant,
    Term::AgeChild,
    Term::AgeYouth,
    Term::AgeYoungAdult,
    Term::AgeOld,
    Term::AgeVeryOld,
    Term::AgeCentenarian,
    Term::AgeUnknown,
];

/// Age bands (the terms' and 40-59) by hukou here or not.
pub const N_STRATA: usize = (AGE_TERMS.len() + 1) * 2;

/// What the census says of a register person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Listed as a usual resident here (`现住`).
    Resident,
    /// Listed only as registered here and living elsewhere (`户口在本户外出`).
    Away,
    /// Not listed.
    Unlisted,
}

/// The share of a stratum's listed residents, taken from the highest listing odds down, among
/// whom the omission odds are measured: half, so that the anchor holds several kinds of
/// strong evidence (a quarter took the least-missed kind alone and set the odds too low).
pub const ANCHOR_SHARE: f64 = 0.5;

/// How many listed residents' worth of a wider group's omission odds a stratum's own are
/// shrunk towards: a stratum's towards its age band's, the age band's towards the district's.
pub const ANCHOR_PRIOR: f64 = 50.0;

/// How many persons' worth of the logistic model's listing odds a cell's own counts are
/// shrunk towards: a cell of thousands speaks for itself, a cell of a few follows the terms.
pub const CELL_PRIOR: f64 = 50.0;

/// The ridge penalty on the logistic model's weights (not its intercept): a term seen in a
/// handful of persons stays near zero instead of running to infinity.
pub const RIDGE: f64 = 1.0;

/// The fitted model: listing odds by term, omission odds by stratum.
#[derive(Debug, Clone, PartialEq)]
pub struct ResidenceModel {
    /// The log listing odds of a person with no term.
    pub intercept: f64,
    /// Each term's weight on the log listing odds, in [`Term::ALL`] order.
    pub weights: Vec<f64>,
    /// The omission odds `k = ω / (1 - ω)` of each stratum.
    pub omission_odds: Vec<f64>,
    /// Each stratum's relative variance of its omission odds, `Var(k) / k²`: the Poisson
    /// variance of the anchor's unlisted count, through the shrinkage.
    pub omission_odds_relative_variance: Vec<f64>,
    /// The district's omission odds, over every stratum.
    pub district_omission_odds: f64,
    /// Each cell of evidence: persons listed as residents, and the unlisted persons' worth
    /// (each counted for the chance that no census record left unlinked is theirs).
    pub cells: BTreeMap<Evidence, (f64, f64)>,
    /// Each cell's persons listed only as living elsewhere, for [`Self::uncorrected`].
    pub away: BTreeMap<Evidence, u64>,
    /// Persons listed as residents, and not listed, the model was fitted on.
    pub listed: u64,
    /// See `listed`.
    pub unlisted: u64,
}

/// A term's part in one person's probability, on the natural-log scale of the odds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Part {
    /// The omission odds of the person's stratum with the model's intercept: where every
    /// person starts.
    Base,
    /// A term that holds.
    Term(Term),
    /// The persons of this very evidence, listed and not, against what the terms say.
    Cell,
    /// The chance that the census record most like them, left unlinked, is not them.
    UnlinkedCensusRecord,
}

impl ResidenceModel {
    /// Fits the model on the persons' evidence, standing and worth (persons listed only as
    /// living elsewhere at a place the census names take no part; those whose listing names
    /// none are unlisted, and listed away for [`Self::uncorrected`]). An unlisted person's worth is the chance that no census
    /// record left unlinked is theirs: a person the errors hid from a link is listed, and
    /// counts as unlisted only for the chance that they are not; a listed person's worth is 1.
    /// `None` when there are no listed residents or no unlisted persons to learn from.
    pub fn fit(persons: &[(Evidence, Standing, f64)]) -> Option<ResidenceModel> {
        // Persons with the same evidence are one cell: the fit runs over the cells.
        let mut cells: BTreeMap<Evidence, (f64, f64)> = BTreeMap::new();
        let mut away: BTreeMap<Evidence, u64> = BTreeMap::new();
        let mut n_unlisted = 0;
        for &(evidence, standing, worth) in persons {
            let cell = cells.entry(evidence).or_default();
            match standing {
                Standing::Resident => cell.0 += 1.0,
                Standing::Unlisted => {
                    cell.1 += worth;
                    n_unlisted += 1;
                    // Listed only at home, place not given: unlisted where they may live, and
                    // listed away for what the listed alone would say.
                    if evidence.has(Term::ListedAway) {
                        *away.entry(evidence).or_default() += 1;
                    }
                }
                Standing::Away => *away.entry(evidence).or_default() += 1,
            }
        }
        let cells: Vec<(Evidence, f64, f64)> = cells
            .into_iter()
            .filter(|(_, (l, u))| l + u > 0.0)
            .map(|(e, (l, u))| (e, l, u))
            .collect();
        let listed: f64 = cells.iter().map(|c| c.1).sum();
        let unlisted: f64 = cells.iter().map(|c| c.2).sum();
        if listed == 0.0 || unlisted == 0.0 {
            return None;
        }
        let rows: Vec<(Vec<f64>, f64, f64)> =
            cells.iter().map(|&(e, l, u)| (features(e), l, u)).collect();
        let beta = logistic(&rows, RIDGE);
        let mut model = ResidenceModel {
            intercept: beta[0],
            weights: beta[1..].to_vec(),
            omission_odds: vec![0.0; N_STRATA],
            omission_odds_relative_variance: vec![0.0; N_STRATA],
            district_omission_odds: 0.0,
            cells: cells.iter().map(|&(e, l, u)| (e, (l, u))).collect(),
            away,
            listed: listed as u64,
            unlisted: n_unlisted,
        };
        let odds: Vec<(Evidence, f64, f64, f64)> =
            cells.iter().map(|&(e, l, u)| (e, model.listing_log_odds(e), l, u)).collect();
        // Each odds with its variance: the anchor's unlisted count is Poisson, and a group's
        // odds lean on the wider group's by ANCHOR_PRIOR listed persons.
        // Half a person is added to each anchor's unlisted (a continuity correction): an anchor
        // with no one unlisted does not make every probability nought.
        let (u, l) = anchor_odds(odds.iter().map(|&(_, g, l, u)| (g, l, u))).unwrap_or_default();
        let district = ((u + 0.5) / l, (u + 0.5) / (l * l));
        model.district_omission_odds = district.0;
        let shrunk = |group: &dyn Fn(Evidence) -> bool, (towards, variance): (f64, f64)| {
            let cells = odds.iter().filter(|(e, ..)| group(*e)).map(|&(_, g, l, u)| (g, l, u));
            let (u, l) = anchor_odds(cells).map_or((0.0, 0.0), |(u, l)| (u + 0.5, l));
            let n = l + ANCHOR_PRIOR;
            ((u + ANCHOR_PRIOR * towards) / n, (u + ANCHOR_PRIOR.powi(2) * variance) / (n * n))
        };
        for band in 0..=AGE_TERMS.len() {
            let band_odds = shrunk(&|e| e.age_band() == band, district);
            for hukou in [false, true] {
                let stratum = band * 2 + usize::from(hukou);
                let (k, variance) = shrunk(&|e| e.stratum() == stratum, band_odds);
                model.omission_odds[stratum] = k;
                model.omission_odds_relative_variance[stratum] =
                    if k > 0.0 { variance / (k * k) } else { 0.0 };
            }
        }
        Some(model)
    }

    /// The log listing odds the terms give evidence `evidence`.
    fn listing_log_odds(&self, evidence: Evidence) -> f64 {
        self.intercept + evidence.terms().map(|t| self.weights[t as usize]).sum::<f64>()
    }

    /// The log listing odds of evidence `evidence`: its cell's counts, shrunk towards the
    /// terms' odds by [`CELL_PRIOR`] persons.
    fn cell_log_odds(&self, evidence: Evidence) -> f64 {
        let prior = sigmoid(self.listing_log_odds(evidence));
        let (listed, unlisted) = self.cells.get(&evidence).copied().unwrap_or_default();
        let listed = listed + CELL_PRIOR * prior;
        let unlisted = unlisted + CELL_PRIOR * (1.0 - prior);
        (listed / unlisted).ln()
    }

    /// The stratum of `evidence`: an index into the omission odds.
    pub fn stratum(&self, evidence: Evidence) -> usize {
        evidence.stratum()
    }

    /// The name of stratum `stratum`: its age band and whether the hukou is here
    /// (`age_25_39 hukou`, `age_40_59 no_hukou`).
    pub fn stratum_name(stratum: usize) -> String {
        let band = AGE_TERMS.get(stratum / 2).map_or("age_40_59", |t| t.as_str());
        format!("{band} {}", if stratum % 2 == 1 { "hukou" } else { "no_hukou" })
    }

    /// The probability that an unlisted person with `evidence` lives in the district.
    pub fn probability(&self, evidence: Evidence) -> f64 {
        let k = self.omission_odds[evidence.stratum()];
        if k <= 0.0 {
            return 0.0;
        }
        (k.ln() + self.cell_log_odds(evidence)).exp().min(1.0)
    }

    /// What a model fitted on the listed alone would call the probability that a person with
    /// `evidence` lives here: the share of the listed with that evidence who are listed as
    /// living here (a half person each way added). Applied to the unlisted it overstates their
    /// residence, not being listed at all being evidence of living elsewhere; given beside
    /// the probability to show what the correction does.
    pub fn uncorrected(&self, evidence: Evidence) -> f64 {
        let listed = self.cells.get(&evidence).map_or(0.0, |c| c.0);
        let away = self.away.get(&evidence).copied().unwrap_or_default() as f64;
        (listed + 0.5) / (listed + away + 1.0)
    }

    /// What moved an unlisted person's probability: the base (the stratum's omission odds and
    /// the intercept), each term's weight and the cell's own counts, natural-log odds; their
    /// sum, capped at zero, is the log of [`ResidenceModel::probability`].
    pub fn explain(&self, evidence: Evidence) -> Vec<(Part, f64)> {
        let k = self.omission_odds[evidence.stratum()].max(f64::MIN_POSITIVE);
        let cell = self.cell_log_odds(evidence) - self.listing_log_odds(evidence);
        std::iter::once((Part::Base, k.ln() + self.intercept))
            .chain(evidence.terms().map(|t| (Part::Term(t), self.weights[t as usize])))
            .chain(std::iter::once((Part::Cell, cell)))
            .collect()
    }
}

/// A candidate's evidence as one line: each part and its log odds, named for tables
/// (`base -4.210; insurance_active +3.050; household_here +0.870`) or, given a language, for
/// people to read.
pub fn evidence_text(parts: &[(Part, f64)], lang: Option<Lang>) -> String {
    parts
        .iter()
        .map(|&(part, weight)| {
            let name = match (part, lang) {
                (Part::Base, None) => "base",
                (Part::Base, Some(lang)) => lang.pick("基准（漏登比率）", "base (omission odds)"),
                (Part::Term(term), None) => term.as_str(),
                (Part::Term(term), Some(lang)) => term.label(lang),
                (Part::Cell, None) => "cell",
                (Part::Cell, Some(lang)) => lang.pick("同类人员实数", "persons of this evidence"),
                (Part::UnlinkedCensusRecord, None) => "unlinked_census_record",
                (Part::UnlinkedCensusRecord, Some(lang)) => lang.pick(
                    "有一条未比上的普查记录可能是本人",
                    "an unlinked census record may be them",
                ),
            };
            format!("{name} {weight:+.2}")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The design row of `evidence`: 1 for the intercept, then 0 or 1 per term.
fn features(evidence: Evidence) -> Vec<f64> {
    std::iter::once(1.0)
        .chain(Term::ALL.iter().map(|&t| f64::from(u8::from(evidence.has(t)))))
        .collect()
}

/// The unlisted and the listed among the cells of highest listing odds (log odds, listed,
/// unlisted) that hold [`ANCHOR_SHARE`] of the listed; `None` without listed persons.
fn anchor_odds(cells: impl Iterator<Item = (f64, f64, f64)>) -> Option<(f64, f64)> {
    let mut cells: Vec<(f64, f64, f64)> = cells.collect();
    let total: f64 = cells.iter().map(|c| c.1).sum();
    if total == 0.0 {
        return None;
    }
    cells.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (mut listed, mut unlisted) = (0.0, 0.0);
    for (_, l, u) in cells {
        listed += l;
        unlisted += u;
        if listed >= ANCHOR_SHARE * total {
            break;
        }
    }
    Some((unlisted, listed))
}

/// Ridge-penalised logistic regression by Newton's method over weighted rows (design row,
/// count of ones, count of zeros); the first column, the intercept, is not penalised. Returns
/// the coefficients. Each step solves the penalised Hessian by Cholesky; a step that does not
/// lower the loss is halved.
fn logistic(rows: &[(Vec<f64>, f64, f64)], ridge: f64) -> Vec<f64> {
    let d = rows.first().map_or(0, |r| r.0.len());
    let mut beta = vec![0.0; d];
    let loss = |beta: &[f64]| -> f64 {
        let data: f64 = rows
            .iter()
            .map(|(x, ones, zeros)| {
                let z = dot(x, beta);
                // -log σ(z) = softplus(-z), -log(1 - σ(z)) = softplus(z).
                ones * softplus(-z) + zeros * softplus(z)
            })
            .sum();
        data + 0.5 * ridge * beta[1..].iter().map(|b| b * b).sum::<f64>()
    };
    let mut current = loss(&beta);
    for _ in 0..100 {
        let mut gradient = vec![0.0; d];
        let mut hessian = vec![0.0; d * d];
        for (x, ones, zeros) in rows {
            let p = sigmoid(dot(x, &beta));
            let n = ones + zeros;
            let residual = n * p - ones;
            let curvature = n * p * (1.0 - p);
            for i in 0..d {
                gradient[i] += residual * x[i];
                for j in 0..=i {
                    hessian[i * d + j] += curvature * x[i] * x[j];
                }
            }
        }
        for i in 1..d {
            gradient[i] += ridge * beta[i];
            hessian[i * d + i] += ridge;
        }
        // A tiny ridge on the intercept too, so that the system is always solvable.
        hessian[0] += 1e-9;
        let Some(step) = cholesky_solve(&mut hessian, &gradient, d) else { break };
        let mut scale = 1.0;
        let mut improved = false;
        for _ in 0..30 {
            let next: Vec<f64> = beta.iter().zip(&step).map(|(b, s)| b - scale * s).collect();
            let value = loss(&next);
            if value <= current {
                beta = next;
                improved = current - value > 1e-12 * current.abs().max(1.0);
                current = value;
                break;
            }
            scale /= 2.0;
        }
        if !improved || step.iter().all(|s| (s * scale).abs() < 1e-10) {
            break;
        }
    }
    beta
}

fn dot(x: &[f64], beta: &[f64]) -> f64 {
    x.iter().zip(beta).map(|(a, b)| a * b).sum()
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// `ln(1 + e^z)` without overflow.
fn softplus(z: f64) -> f64 {
    if z > 30.0 { z } else { z.exp().ln_1p() }
}

/// Solves `a x = b` for a symmetric positive definite `a` (`d` × `d`, lower triangle filled,
/// overwritten by its Cholesky factor); `None` if `a` is not positive definite.
fn cholesky_solve(a: &mut [f64], b: &[f64], d: usize) -> Option<Vec<f64>> {
    for j in 0..d {
        let mut diagonal = a[j * d + j];
        for k in 0..j {
            diagonal -= a[j * d + k] * a[j * d + k];
        }
        if diagonal <= 0.0 {
            return None;
        }
        let diagonal = diagonal.sqrt();
        a[j * d + j] = diagonal;
        for i in j + 1..d {
            let mut value = a[i * d + j];
            for k in 0..j {
                value -= a[i * d + k] * a[j * d + k];
            }
            a[i * d + j] = value / diagonal;
        }
    }
    let mut y = vec![0.0; d];
    for i in 0..d {
        let sum: f64 = (0..i).map(|k| a[i * d + k] * y[k]).sum();
        y[i] = (b[i] - sum) / a[i * d + i];
    }
    let mut x = vec![0.0; d];
    for i in (0..d).rev() {
        let sum: f64 = (i + 1..d).map(|k| a[k * d + i] * x[k]).sum();
        x[i] = (y[i] - sum) / a[i * d + i];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logistic_regression_recovers_the_log_odds_of_each_cell() {
        // Two binary features, every cell's ones and zeros: without a penalty the fitted log
        // odds of a saturated-free additive truth are the truth itself.
        // Truth: intercept -1, a +2, b -0.5 (odds e^-1, e^1, e^-1.5, e^0.5).
        let n = 100_000.0;
        let cell = |a: f64, b: f64| {
            let p = sigmoid(-1.0 + 2.0 * a - 0.5 * b);
            (vec![1.0, a, b], n * p, n * (1.0 - p))
        };
        let rows = vec![cell(0.0, 0.0), cell(1.0, 0.0), cell(0.0, 1.0), cell(1.0, 1.0)];
        let beta = logistic(&rows, 0.0);
        for (got, want) in beta.iter().zip([-1.0, 2.0, -0.5]) {
            assert!((got - want).abs() < 1e-6, "{beta:?}");
        }
    }

    #[test]
    fn a_term_that_separates_the_classes_stays_finite() {
        // Term a: 5 listed, none unlisted. Without the ridge its weight would run off.
        let rows = vec![(vec![1.0, 1.0], 5.0, 0.0), (vec![1.0, 0.0], 50.0, 50.0)];
        let beta = logistic(&rows, RIDGE);
        assert!(beta[1] > 1.0 && beta[1] < 5.0, "{beta:?}");
        // The penalised weight leaves a little of the 5 to the intercept: the even cell's
        // listing odds stay near 1.
        assert!(beta[0].abs() < 0.1, "{beta:?}");
    }

    #[test]
    fn the_unlisted_are_residents_in_proportion_to_their_listed_like() {
        // 1,000 persons with insurance, 980 listed, 20 not: every one of them a missed
        // resident (k = 20 / 980). 100 hukou-only persons, 49 listed: of the 51 unlisted, the
        // missed residents number k · 49 = 1, so each is a resident with probability 1/51.
        let insured = Evidence::default().with(Term::Hukou).with(Term::InsuranceActive);
        let hukou = Evidence::default().with(Term::Hukou);
        let mut persons = Vec::new();
        persons.extend(std::iter::repeat_n((insured, Standing::Resident, 1.0), 980));
        persons.extend(std::iter::repeat_n((insured, Standing::Unlisted, 1.0), 20));
        persons.extend(std::iter::repeat_n((hukou, Standing::Resident, 1.0), 49));
        persons.extend(std::iter::repeat_n((hukou, Standing::Unlisted, 1.0), 51));
        persons.extend(std::iter::repeat_n((hukou, Standing::Away, 1.0), 400));
        let model = ResidenceModel::fit(&persons).expect("a model");
        assert_eq!((model.listed, model.unlisted), (1029, 71));
        // Half a person added to the anchor's unlisted.
        assert!((model.district_omission_odds - 20.5 / 980.0).abs() < 1e-9);
        // The ridge pulls the two cells' odds a little towards each other.
        assert!((model.probability(insured) - 1.0).abs() < 0.02, "{}", model.probability(insured));
        assert!(
            (model.probability(hukou) - 1.0 / 51.0).abs() < 0.005,
            "{}",
            model.probability(hukou)
        );
        // The parts add up to the probability's log.
        let sum: f64 = model.explain(hukou).iter().map(|(_, w)| w).sum();
        assert!((sum.exp() - model.probability(hukou)).abs() < 1e-12);
    }

    #[test]
    fn a_person_hidden_from_a_link_counts_only_for_the_chance_they_are_not_listed() {
        // 980 insured listed, 20 unlisted (all missed residents), and 20 more unlisted whose
        // census record, left unlinked, is theirs nine times in ten: they count for 2 persons,
        // so k is 22.5 / 980, and a plain unlisted person keeps nearly 1, where counting the
        // 20 in full would have made it about 0.6.
        let insured = Evidence::default().with(Term::Hukou).with(Term::InsuranceActive);
        let hukou = Evidence::default().with(Term::Hukou);
        let mut persons = Vec::new();
        persons.extend(std::iter::repeat_n((insured, Standing::Resident, 1.0), 980));
        persons.extend(std::iter::repeat_n((insured, Standing::Unlisted, 1.0), 20));
        persons.extend(std::iter::repeat_n((insured, Standing::Unlisted, 0.1), 20));
        persons.extend(std::iter::repeat_n((hukou, Standing::Resident, 1.0), 49));
        persons.extend(std::iter::repeat_n((hukou, Standing::Unlisted, 1.0), 51));
        let model = ResidenceModel::fit(&persons).expect("a model");
        assert_eq!(model.unlisted, 91, "persons, whatever their worth");
        assert!((model.cells[&insured].1 - 22.0).abs() < 1e-9);
        assert!((model.district_omission_odds - 22.5 / 980.0).abs() < 1e-9);
        assert!(model.probability(insured) > 0.97, "{}", model.probability(insured));
    }

    #[test]
    fn nothing_to_learn_from_gives_no_model() {
        let e = Evidence::default().with(Term::Hukou);
        assert_eq!(ResidenceModel::fit(&[(e, Standing::Resident, 1.0)]), None);
        let away = [(e, Standing::Unlisted, 1.0), (e, Standing::Away, 1.0)];
        assert_eq!(ResidenceModel::fit(&away), None);
    }

    #[test]
    fn ages_fall_in_their_bands() {
        assert_eq!(age_term(Some(0)), Some(Term::AgeInfant));
        assert_eq!(age_term(Some(14)), Some(Term::AgeChild));
        assert_eq!(age_term(Some(40)), None);
        assert_eq!(age_term(Some(59)), None);
        assert_eq!(age_term(Some(100)), Some(Term::AgeCentenarian));
        assert_eq!(age_term(None), None);
    }
}
