//! Comparisons: each turns a pair of records into a level of agreement on one feature. Level 0
//! is "missing on either side" and carries no evidence; levels 1, 2, ... run from the closest
//! agreement to the last, "else".

use censuslink_model::Lang;
use serde::{Deserialize, Serialize};

use crate::records::{Feature, Interned, OtherNames, PackedDate, PackedId, RecordIdx, Records};

/// A comparison of one feature. In a job file (and a saved model) it is one flat table:
/// `{ feature = "given_name", kind = "jaro_winkler", thresholds = [0.92, 0.8],
/// term_frequency = true }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ComparisonSpec", into = "ComparisonSpec")]
pub struct Comparison {
    /// The feature compared.
    pub feature: String,
    /// How values are compared, and so the levels.
    pub kind: Kind,
    /// Whether the exact level's weight is adjusted by the value's frequency (a common value
    /// agreeing is weaker evidence than a rare one).
    #[serde(default)]
    pub term_frequency: bool,
    /// Another text feature that a value may have been written into instead (a given name in
    /// the surname's place): when each record's value equals (or reaches the closest fuzzy
    /// level with) the other record's value of that feature, the level is "swapped", just below
    /// "exact". Text comparisons only.
    pub swapped_with: Option<String>,
}

/// A comparison as written in a job file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ComparisonSpec {
    feature: String,
    kind: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    thresholds: Vec<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    distances: Vec<usize>,
    #[serde(default)]
    term_frequency: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    swapped_with: Option<String>,
}

impl TryFrom<ComparisonSpec> for Comparison {
    type Error = String;

    fn try_from(spec: ComparisonSpec) -> Result<Comparison, String> {
        let ComparisonSpec { feature, kind, thresholds, distances, term_frequency, swapped_with } =
            spec;
        let needs = |what: &str, given: bool, wanted: bool| match (given, wanted) {
            (true, false) => {
                Err(format!("comparison of `{feature}`: a {kind} comparison takes no {what}"))
            }
            (false, true) => {
                Err(format!("comparison of `{feature}`: a {kind} comparison needs {what}"))
            }
            _ => Ok(()),
        };
        let is_similarity = matches!(kind.as_str(), "jaro_winkler" | "jaro");
        let is_distance = matches!(kind.as_str(), "levenshtein" | "damerau_levenshtein");
        needs("thresholds", !thresholds.is_empty(), is_similarity)?;
        needs("distances", !distances.is_empty(), is_distance)?;
        let kind = match kind.as_str() {
            "exact" => Kind::Exact,
            "jaro_winkler" => Kind::JaroWinkler { thresholds },
            "jaro" => Kind::Jaro { thresholds },
            "levenshtein" => Kind::Levenshtein { distances },
            "damerau_levenshtein" => Kind::DamerauLevenshtein { distances },
            "name" => Kind::Name,
            "id_number" => Kind::IdNumber,
            "date" => Kind::Date,
            "region" => Kind::Region,
            other => {
                return Err(format!(
                    "comparison of `{feature}`: unknown kind `{other}`; the kinds are: exact, \
                     jaro_winkler, jaro, levenshtein, damerau_levenshtein, name, id_number, date, \
                     region"
                ));
            }
        };
        Ok(Comparison { feature, kind, term_frequency, swapped_with })
    }
}

impl From<Comparison> for ComparisonSpec {
    fn from(comparison: Comparison) -> ComparisonSpec {
        let kind = comparison.kind.as_str().to_owned();
        let (thresholds, distances) = match comparison.kind {
            Kind::JaroWinkler { thresholds } | Kind::Jaro { thresholds } => {
                (thresholds, Vec::new())
            }
            Kind::Levenshtein { distances } | Kind::DamerauLevenshtein { distances } => {
                (Vec::new(), distances)
            }
            _ => (Vec::new(), Vec::new()),
        };
        ComparisonSpec {
            feature: comparison.feature,
            kind,
            thresholds,
            distances,
            term_frequency: comparison.term_frequency,
            swapped_with: comparison.swapped_with,
        }
    }
}

/// How a comparison compares values.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// Equal or not.
    Exact,
    /// Exact, then Jaro–Winkler similarity at or above each threshold (descending).
    JaroWinkler {
        /// Similarity thresholds, highest first.
        thresholds: Vec<f64>,
    },
    /// Exact, then Jaro similarity at or above each threshold (descending).
    Jaro {
        /// Similarity thresholds, highest first.
        thresholds: Vec<f64>,
    },
    /// Exact, then Levenshtein distance (in characters) at most each distance (ascending).
    Levenshtein {
        /// Distances, smallest first.
        distances: Vec<usize>,
    },
    /// Exact, then Damerau–Levenshtein distance at most each distance (ascending).
    DamerauLevenshtein {
        /// Distances, smallest first.
        distances: Vec<usize>,
    },
    /// A name feature: same characters; same reading (a homophone); another name of one
    /// record (a former name, an alias) the same as a name of the other, in characters or
    /// reading; one character added, dropped or replaced; readings similar (Jaro–Winkler ≥
    /// 0.88); else.
    Name,
    /// An ID-number feature (GB 11643: 6 digits of region, 8 of birth date, 3 of sequence, a
    /// MOD 11-2 check), compared by its structure: equal; equal after 15→18 conversion; one
    /// digit substituted; two adjacent characters swapped (a single keying error, which the
    /// check always catches: one side fails it); the first 15 digits equal with one side
    /// failing the check or ending in `000` (a spreadsheet kept 15 significant digits, or the
    /// sequence was mistyped); both valid with the same region and birth date and another sequence (a twin,
    /// or another person born that day there); both valid with different birth dates (two
    /// people, near certainly); else.
    IdNumber,
    /// A date feature: equal as far as both dates say (the day when both have one, else the
    /// month, else the year); same year and month; day and month swapped; one digit of
    /// YYYYMMDD differs (a typo); within 50 days (a lunar-calendar date); within a year (366
    /// days, or years one apart in the same month or when a month is missing: a nominal age);
    /// else.
    Date,
    /// A region-code feature, by hierarchy: equal as far as both codes say (the village when
    /// both name one, else the coarser unit of the two); same township (9 digits); same county
    /// (6); same prefecture (4); else.
    Region,
}

/// Why a comparison does not fit the records.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComparisonError {
    /// No feature of that name.
    #[error("comparison of `{feature}`: there is no such feature; the features are: {available}")]
    NoSuchFeature {
        /// The feature asked for.
        feature: String,
        /// The features there are, comma-separated.
        available: String,
    },
    /// The kind cannot compare that feature.
    #[error(
        "comparison of `{feature}`: a {kind} comparison cannot compare a {feature_type} feature"
    )]
    WrongKind {
        /// The feature.
        feature: String,
        /// The comparison kind.
        kind: &'static str,
        /// The feature's type.
        feature_type: &'static str,
    },
    /// Thresholds or distances missing or out of order.
    #[error("comparison of `{feature}`: {problem}")]
    BadLevels {
        /// The feature.
        feature: String,
        /// What is wrong.
        problem: &'static str,
    },
}

/// A level: 0 missing, 1.. from the closest agreement to "else".
pub type Level = u8;

/// What a comparison level means, in both languages: the level a pair of values falls in.
/// Files (`models.json`, `explain --json`, `summary.json`) hold it as its English words, as
/// they did before it was a type.
#[derive(Debug, Clone, PartialEq)]
pub enum LevelName {
    /// A value is missing on either side.
    Missing,
    /// The values are equal.
    Exact,
    /// Each value equals the other record's value of the named feature.
    SwappedWith(String),
    /// A string similarity (`jaro_winkler`, `jaro`) at or above `at`.
    AtLeast {
        /// The similarity's name.
        measure: String,
        /// Its threshold.
        at: f64,
    },
    /// An edit distance (`levenshtein`, `damerau_levenshtein`) at or under `at`.
    AtMost {
        /// The distance's name.
        measure: String,
        /// Its bound.
        at: usize,
    },
    /// Names read the same (pinyin without tones).
    SameReading,
    /// A former or other name of one equals a name of the other.
    OtherNameAgrees,
    /// Names of the same length, one character apart.
    OneCharacterDiffers,
    /// Names read alike (a confusable initial or final).
    SimilarReading,
    /// ID numbers equal once the 15-digit one is made an 18-digit one.
    ExactAfter15To18,
    /// ID numbers one digit apart.
    OneSubstitution,
    /// ID numbers with two adjacent digits swapped.
    AdjacentTransposition,
    /// ID numbers whose first 15 digits agree (a spreadsheet's `…000`).
    First15DigitsExact,
    /// ID numbers of the same region and birth date, another sequence number.
    SameRegionAndBirthDate,
    /// Two valid ID numbers with different birth dates.
    BirthDatesDiffer,
    /// Dates or places equal as far as both say (a year and month against a whole date).
    AsFarAsBothSay,
    /// Dates of the same year and month.
    SameYearAndMonth,
    /// Dates with day and month swapped.
    DayAndMonthSwapped,
    /// Dates one digit apart.
    OneDigitDiffers,
    /// Dates within 50 days.
    Within50Days,
    /// Dates within a year (a nominal age: the year moved, the month kept).
    WithinAYear,
    /// Places in the same township.
    SameTownship,
    /// Places in the same county.
    SameCounty,
    /// Places in the same prefecture.
    SamePrefecture,
    /// The household pass: the household's other members link to the other's household.
    HouseholdLinks,
    /// None of the above.
    Else,
}

impl LevelName {
    /// The level's words in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let (zh, en) = match self {
            LevelName::Missing => ("缺失", "missing"),
            LevelName::Exact => ("完全一致", "exact"),
            LevelName::SwappedWith(other) => {
                return lang.pick(format!("与{other}互换"), format!("swapped with {other}"));
            }
            LevelName::AtLeast { measure, at } => return format!("{measure} >= {at}"),
            LevelName::AtMost { measure, at } => return format!("{measure} <= {at}"),
            LevelName::SameReading => ("读音相同", "same reading"),
            LevelName::OtherNameAgrees => ("曾用名或别名一致", "an other name agrees"),
            LevelName::OneCharacterDiffers => ("一字之差", "one character differs"),
            LevelName::SimilarReading => ("读音相近", "similar reading"),
            LevelName::ExactAfter15To18 => ("15 位转 18 位后一致", "exact after 15 to 18"),
            LevelName::OneSubstitution => ("一位不同", "one substitution"),
            LevelName::AdjacentTransposition => ("相邻两位颠倒", "adjacent transposition"),
            LevelName::First15DigitsExact => ("前 15 位一致", "first 15 digits exact"),
            LevelName::SameRegionAndBirthDate => {
                ("地区与出生日期相同、顺序码不同", "same region and birth date, another sequence")
            }
            LevelName::BirthDatesDiffer => {
                ("均为有效号码、出生日期不同", "both valid, birth dates differ")
            }
            LevelName::AsFarAsBothSay => ("双方所记部分一致", "exact as far as both say"),
            LevelName::SameYearAndMonth => ("同年同月", "same year and month"),
            LevelName::DayAndMonthSwapped => ("日月颠倒", "day and month swapped"),
            LevelName::OneDigitDiffers => ("一位数字不同", "one digit differs"),
            LevelName::Within50Days => ("相差 50 天内", "within 50 days"),
            LevelName::WithinAYear => ("相差一年内", "within a year"),
            LevelName::SameTownship => ("同乡镇", "same township"),
            LevelName::SameCounty => ("同区县", "same county"),
            LevelName::SamePrefecture => ("同地市", "same prefecture"),
            LevelName::HouseholdLinks => (
                "本户其他成员已比上对方同一户",
                "the household's other members link to this household",
            ),
            LevelName::Else => ("不一致", "else"),
        };
        lang.pick(zh, en).to_owned()
    }
}

impl std::fmt::Display for LevelName {
    /// The level in English, as lists and logs give it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl std::str::FromStr for LevelName {
    type Err = String;

    /// The level its English words name.
    fn from_str(text: &str) -> Result<LevelName, String> {
        const FIXED: [LevelName; 23] = [
            LevelName::Missing,
            LevelName::Exact,
            LevelName::SameReading,
            LevelName::OtherNameAgrees,
            LevelName::OneCharacterDiffers,
            LevelName::SimilarReading,
            LevelName::ExactAfter15To18,
            LevelName::OneSubstitution,
            LevelName::AdjacentTransposition,
            LevelName::First15DigitsExact,
            LevelName::SameRegionAndBirthDate,
            LevelName::BirthDatesDiffer,
            LevelName::AsFarAsBothSay,
            LevelName::SameYearAndMonth,
            LevelName::DayAndMonthSwapped,
            LevelName::OneDigitDiffers,
            LevelName::Within50Days,
            LevelName::WithinAYear,
            LevelName::SameTownship,
            LevelName::SameCounty,
            LevelName::SamePrefecture,
            LevelName::HouseholdLinks,
            LevelName::Else,
        ];
        if let Some(level) = FIXED.into_iter().find(|level| level.text(Lang::En) == text) {
            return Ok(level);
        }
        if let Some(other) = text.strip_prefix("swapped with ") {
            return Ok(LevelName::SwappedWith(other.to_owned()));
        }
        let bad = || format!("not a comparison level: `{text}`");
        if let Some((measure, at)) = text.split_once(" >= ") {
            let at = at.parse().map_err(|_| bad())?;
            return Ok(LevelName::AtLeast { measure: measure.to_owned(), at });
        }
        if let Some((measure, at)) = text.split_once(" <= ") {
            let at = at.parse().map_err(|_| bad())?;
            return Ok(LevelName::AtMost { measure: measure.to_owned(), at });
        }
        Err(bad())
    }
}

impl Serialize for LevelName {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LevelName {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<LevelName, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl Kind {
    fn as_str(&self) -> &'static str {
        match self {
            Kind::Exact => "exact",
            Kind::JaroWinkler { .. } => "jaro_winkler",
            Kind::Jaro { .. } => "jaro",
            Kind::Levenshtein { .. } => "levenshtein",
            Kind::DamerauLevenshtein { .. } => "damerau_levenshtein",
            Kind::Name => "name",
            Kind::IdNumber => "id_number",
            Kind::Date => "date",
            Kind::Region => "region",
        }
    }
}

impl Comparison {
    /// The names of the levels, level 0 ([`LevelName::Missing`]) first.
    pub fn labels(&self) -> Vec<LevelName> {
        use LevelName as L;
        let mut labels = vec![L::Missing];
        let swapped = self.swapped_with.clone().map(L::SwappedWith);
        match &self.kind {
            Kind::Exact => labels.extend(std::iter::once(L::Exact).chain(swapped)),
            Kind::JaroWinkler { thresholds } | Kind::Jaro { thresholds } => {
                labels.extend(std::iter::once(L::Exact).chain(swapped));
                let measure = self.kind.as_str().to_owned();
                labels.extend(
                    thresholds.iter().map(|&at| L::AtLeast { measure: measure.clone(), at }),
                );
            }
            Kind::Levenshtein { distances } | Kind::DamerauLevenshtein { distances } => {
                labels.extend(std::iter::once(L::Exact).chain(swapped));
                let measure = self.kind.as_str().to_owned();
                labels
                    .extend(distances.iter().map(|&at| L::AtMost { measure: measure.clone(), at }));
            }
            Kind::Name => labels.extend([
                L::Exact,
                L::SameReading,
                L::OtherNameAgrees,
                L::OneCharacterDiffers,
                L::SimilarReading,
            ]),
            Kind::IdNumber => labels.extend([
                L::Exact,
                L::ExactAfter15To18,
                L::OneSubstitution,
                L::AdjacentTransposition,
                L::First15DigitsExact,
                L::SameRegionAndBirthDate,
                L::BirthDatesDiffer,
            ]),
            Kind::Date => labels.extend([
                L::AsFarAsBothSay,
                L::SameYearAndMonth,
                L::DayAndMonthSwapped,
                L::OneDigitDiffers,
                L::Within50Days,
                L::WithinAYear,
            ]),
            Kind::Region => labels.extend([
                L::AsFarAsBothSay,
                L::SameTownship,
                L::SameCounty,
                L::SamePrefecture,
            ]),
        }
        labels.push(L::Else);
        labels
    }

    /// The number of levels, "missing" included.
    pub fn n_levels(&self) -> usize {
        self.labels().len()
    }

    /// Checks the comparison against `records` and resolves its feature.
    pub(crate) fn compile(&self, records: &Records) -> Result<Compiled, ComparisonError> {
        let feature =
            records.feature_index(&self.feature).ok_or_else(|| ComparisonError::NoSuchFeature {
                feature: self.feature.clone(),
                available: records.feature_names().collect::<Vec<_>>().join(", "),
            })?;
        let feature_type = match records.feature_at(feature) {
            Feature::Text(_) => "text",
            Feature::Name { .. } => "name",
            Feature::Id(_) => "id",
            Feature::Date(_) => "date",
            Feature::Region(_) => "region",
            Feature::Code(_) => "code",
        };
        let fits = match &self.kind {
            Kind::Exact => true,
            Kind::JaroWinkler { .. }
            | Kind::Jaro { .. }
            | Kind::Levenshtein { .. }
            | Kind::DamerauLevenshtein { .. } => matches!(feature_type, "text" | "name"),
            Kind::Name => feature_type == "name",
            Kind::IdNumber => feature_type == "id",
            Kind::Date => feature_type == "date",
            Kind::Region => feature_type == "region",
        };
        if !fits {
            return Err(ComparisonError::WrongKind {
                feature: self.feature.clone(),
                kind: self.kind.as_str(),
                feature_type,
            });
        }
        let bad = |problem| ComparisonError::BadLevels { feature: self.feature.clone(), problem };
        match &self.kind {
            Kind::JaroWinkler { thresholds } | Kind::Jaro { thresholds } => {
                if thresholds.is_empty() || thresholds.windows(2).any(|w| w[0] <= w[1]) {
                    return Err(bad("thresholds must be given, highest first"));
                }
                if thresholds.iter().any(|t| !(0.0..=1.0).contains(t)) {
                    return Err(bad("thresholds are similarities between 0 and 1"));
                }
            }
            Kind::Levenshtein { distances } | Kind::DamerauLevenshtein { distances }
                if distances.is_empty() || distances.windows(2).any(|w| w[0] >= w[1]) =>
            {
                return Err(bad("distances must be given, smallest first"));
            }
            _ => {}
        }
        if self.n_levels() > usize::from(Level::MAX) {
            return Err(bad("too many levels"));
        }
        let swapped = match &self.swapped_with {
            None => None,
            Some(other) => {
                let idx =
                    records.feature_index(other).ok_or_else(|| ComparisonError::NoSuchFeature {
                        feature: other.clone(),
                        available: records.feature_names().collect::<Vec<_>>().join(", "),
                    })?;
                let is_text = |f: &Feature| matches!(f, Feature::Text(_) | Feature::Name { .. });
                let text_kind =
                    !matches!(self.kind, Kind::Name | Kind::IdNumber | Kind::Date | Kind::Region);
                if !text_kind
                    || !is_text(records.feature_at(feature))
                    || !is_text(records.feature_at(idx))
                {
                    return Err(bad("swapped_with pairs two text features in a text comparison"));
                }
                Some(idx)
            }
        };
        Ok(Compiled {
            swapped,
            feature,
            kind: self.kind.clone(),
            else_level: (self.n_levels() - 1) as Level,
        })
    }
}

/// A comparison resolved against the records it compares.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    pub(crate) feature: usize,
    /// The feature whose values may be swapped with this one's.
    swapped: Option<usize>,
    kind: Kind,
    else_level: Level,
}

/// The most words a comparison gathers from a record.
#[cfg(test)]
const MAX_WORDS: usize = 3;

impl Compiled {
    /// How many words [`Compiled::gather`] writes: the value (an interned id, a packed ID,
    /// date or code), the reading's id and the record (when it has other names) for a name,
    /// and the swapped feature's id.
    pub(crate) fn n_words(&self) -> usize {
        1 + 2 * usize::from(matches!(self.kind, Kind::Name)) + usize::from(self.swapped.is_some())
    }

    /// Writes what the comparison needs of `record` into `words` (`n_words` of them), so that
    /// comparing reads one small run of memory per record.
    pub(crate) fn gather(&self, records: &Records, record: RecordIdx, words: &mut [u64]) {
        let r = record as usize;
        words[0] = match records.feature_at(self.feature) {
            Feature::Text(text) => u64::from(text.ids[r]),
            Feature::Name { full, .. } if matches!(self.kind, Kind::Name) => {
                u64::from(full.ids[r]) | u64::from(signature(full, full.ids[r])) << 32
            }
            Feature::Name { full, .. } => u64::from(full.ids[r]),
            Feature::Id(ids) => ids[r].value | u64::from(ids[r].from_15) << 63,
            Feature::Date(dates) => u64::from(dates[r].0),
            Feature::Region(codes) => codes[r],
            Feature::Code(codes) => u64::from(codes[r]),
        };
        let mut next = 1;
        if let (Kind::Name, Feature::Name { reading, others, .. }) =
            (&self.kind, records.feature_at(self.feature))
        {
            let id = reading.ids[r];
            words[next] = u64::from(id) | u64::from(signature(reading, id)) << 32;
            words[next + 1] = if others.of(r).is_empty() { 0 } else { record as u64 + 1 };
            next += 2;
        }
        if let Some(other) = self.swapped {
            words[next] = match records.feature_at(other) {
                Feature::Text(text) => u64::from(text.ids[r]),
                Feature::Name { full, .. } => u64::from(full.ids[r]),
                _ => 0,
            };
        }
    }

    /// The level of agreement of records `a` and `b` (the scorer and training compare packed
    /// rows instead).
    #[cfg(test)]
    pub(crate) fn level(&self, records: &Records, a: RecordIdx, b: RecordIdx) -> Level {
        let (mut x, mut y) = ([0; MAX_WORDS], [0; MAX_WORDS]);
        self.gather(records, a, &mut x);
        self.gather(records, b, &mut y);
        self.level_of(records, &x, &y)
    }

    /// The level of agreement of two records' gathered words.
    pub(crate) fn level_of(&self, records: &Records, x: &[u64], y: &[u64]) -> Level {
        let (x0, y0) = (x[0], y[0]);
        match (records.feature_at(self.feature), &self.kind) {
            (Feature::Text(text), kind) => self.text_level(records, text, kind, x, y),
            (Feature::Name { full, reading, others, .. }, Kind::Name) => {
                let level = name_level(full, reading, (x0, x[1]), (y0, y[1]));
                match level {
                    0..=2 => level,
                    // A former name is a second name of the same person: it agrees or not.
                    _ if other_name_agrees(
                        others,
                        (x0 as u32, x[1] as u32, x[2]),
                        (y0 as u32, y[1] as u32, y[2]),
                    ) =>
                    {
                        3
                    }
                    _ => level + 1,
                }
            }
            (Feature::Name { full, .. }, kind) => self.text_level(records, full, kind, x, y),
            (Feature::Id(_), Kind::IdNumber) => id_level(unpack_id(x0), unpack_id(y0)),
            (Feature::Date(_), Kind::Date) => {
                date_level(PackedDate(x0 as u32), PackedDate(y0 as u32))
            }
            (Feature::Region(_), Kind::Region) => region_level(x0, y0),
            // Exact comparison of an ID (whether converted or not), a date, a region or a code.
            (Feature::Id(_), _) => {
                let mask = !(1u64 << 63);
                exact(x0 & mask == 0 || y0 & mask == 0, x0 & mask == y0 & mask)
            }
            _ => exact(x0 == 0 || y0 == 0, x0 == y0),
        }
    }

    fn text_level(
        &self,
        records: &Records,
        text: &Interned,
        kind: &Kind,
        xw: &[u64],
        yw: &[u64],
    ) -> Level {
        let (x, y) = (xw[0] as u32, yw[0] as u32);
        if x == 0 || y == 0 {
            return 0;
        }
        if x == y {
            return 1;
        }
        let (x, y) = (text.value(x), text.value(y));
        let mut first_fuzzy = 2;
        if let Some(other) = self.swapped {
            first_fuzzy = 3;
            let other_text = match records.feature_at(other) {
                Feature::Text(t) => Some(t),
                Feature::Name { full, .. } => Some(full),
                _ => None,
            };
            let last = self.n_words() - 1;
            let other_value = |words: &[u64]| {
                other_text.filter(|_| words[last] != 0).map(|t| t.value(words[last] as u32))
            };
            let close = |v: &str, w: Option<&str>| w.is_some_and(|w| v == w || closest(kind, v, w));
            if close(x, other_value(yw)) && close(y, other_value(xw)) {
                return 2;
            }
        }
        let below = match kind {
            Kind::JaroWinkler { thresholds } => {
                let similarity = crate::similarity::jaro_winkler(x, y);
                thresholds.iter().position(|&t| similarity >= t)
            }
            Kind::Jaro { thresholds } => {
                let similarity = crate::similarity::jaro(x, y);
                thresholds.iter().position(|&t| similarity >= t)
            }
            Kind::Levenshtein { distances } => {
                let distance = strsim::levenshtein(x, y);
                distances.iter().position(|&d| distance <= d)
            }
            Kind::DamerauLevenshtein { distances } => {
                let distance = strsim::damerau_levenshtein(x, y);
                distances.iter().position(|&d| distance <= d)
            }
            _ => None,
        };
        below.map_or(self.else_level, |i| first_fuzzy + i as Level)
    }
}

/// The ID packed by [`Compiled::gather`].
fn unpack_id(word: u64) -> PackedId {
    PackedId { value: word & !(1u64 << 63), from_15: word >> 63 == 1 }
}

/// Whether `x` and `y` reach the closest fuzzy level of `kind` (never for an exact kind).
fn closest(kind: &Kind, x: &str, y: &str) -> bool {
    match kind {
        Kind::JaroWinkler { thresholds } => {
            crate::similarity::jaro_winkler_reaches(x, y, thresholds[0])
        }
        Kind::Jaro { thresholds } => crate::similarity::jaro(x, y) >= thresholds[0],
        Kind::Levenshtein { distances } => strsim::levenshtein(x, y) <= distances[0],
        Kind::DamerauLevenshtein { distances } => strsim::damerau_levenshtein(x, y) <= distances[0],
        _ => false,
    }
}

/// 0 when missing, 1 when equal, 2 ("else") otherwise.
fn exact(missing: bool, equal: bool) -> Level {
    match (missing, equal) {
        (true, _) => 0,
        (false, true) => 1,
        (false, false) => 2,
    }
}

/// The level of two names given as (full name, reading) words: each an id in the low 32 bits,
/// its [`crate::records::NameSignature`] in the high 32.
fn name_level(full: &Interned, reading: &Interned, x: (u64, u64), y: (u64, u64)) -> Level {
    let id = |word: u64| word as u32;
    let sig = |word: u64| (word >> 32) as u32;
    let (xf, xr, yf, yr) = (id(x.0), id(x.1), id(y.0), id(y.1));
    if xf == 0 || yf == 0 {
        return 0;
    }
    if xf == yf {
        return 1;
    }
    if xr != 0 && xr == yr {
        return 2;
    }
    if may_be_one_edit(sig(x.0), sig(y.0)) && within_one_edit(full.value(xf), full.value(yf)) {
        return 3;
    }
    if xr != 0
        && yr != 0
        && may_reach(sig(x.1), sig(y.1), NAME_READING_SIMILARITY)
        && crate::similarity::jaro_winkler_reaches(
            reading.value(xr),
            reading.value(yr),
            NAME_READING_SIMILARITY,
        )
    {
        return 4;
    }
    5
}

/// The Jaro–Winkler similarity two names' readings reach at a name's fuzzy level.
const NAME_READING_SIMILARITY: f64 = 0.88;

/// The signature of value `id` of `interned` (0 for none).
fn signature(interned: &Interned, id: u32) -> u32 {
    match id {
        0 => 0,
        id => interned.signatures.get(id as usize - 1).copied().unwrap_or(0),
    }
}

/// Whether two full names of signatures `x` and `y` may be within one edit: their characters'
/// counts (up to 15) differ by one at most, and each holds one character slot the other
/// lacks at most (an edit changes one character on each side). Never false for names
/// [`within_one_edit`] takes.
fn may_be_one_edit(x: u32, y: u32) -> bool {
    let ((cx, sx), (cy, sy)) = ((x & 15, x >> 4), (y & 15, y >> 4));
    cx.abs_diff(cy) <= 1 && (sx & !sy).count_ones() <= 1 && (sy & !sx).count_ones() <= 1
}

/// Whether two readings of signatures `x` and `y` may reach Jaro–Winkler similarity
/// `threshold`: no more of their bytes can match than each has outside the letters the other
/// lacks, and the Winkler prefix adds at most four tenths of what Jaro leaves. Never false for
/// readings [`crate::similarity::jaro_winkler_reaches`] takes (true when a signature tells
/// nothing).
fn may_reach(x: u32, y: u32, threshold: f64) -> bool {
    let ((lx, mx), (ly, my)) = ((x & 63, x >> 6), (y & 63, y >> 6));
    if lx == 0 || ly == 0 {
        return true;
    }
    let matched = (lx.saturating_sub((mx & !my).count_ones()))
        .min(ly.saturating_sub((my & !mx).count_ones()));
    let m = f64::from(matched);
    let jaro = if matched == 0 { 0.0 } else { (m / f64::from(lx) + m / f64::from(ly) + 1.0) / 3.0 };
    let bound = if jaro > 0.7 { jaro + 0.4 * (1.0 - jaro) } else { jaro };
    bound >= threshold - 1e-9
}

/// Whether a name of one record (its name, or one of its other names) and another name of the
/// other agree in characters or reading: `x` and `y` are each record's name and reading ids
/// and its record index + 1 (0 without other names).
fn other_name_agrees(others: &OtherNames, x: (u32, u32, u64), y: (u32, u32, u64)) -> bool {
    let names = |(full, reading, record): (u32, u32, u64)| {
        let range = if record == 0 { 0..0 } else { others.of(record as usize - 1) };
        std::iter::once((full, reading))
            .chain(range.map(|i| (others.full[i], others.reading[i])))
            .enumerate()
    };
    if x.2 == 0 && y.2 == 0 {
        return false;
    }
    names(x).any(|(i, (xf, xr))| {
        names(y)
            .any(|(j, (yf, yr))| (i, j) != (0, 0) && (xf != 0 && xf == yf || xr != 0 && xr == yr))
    })
}

/// Whether `y` is `x` with one character added, dropped or replaced.
fn within_one_edit(x: &str, y: &str) -> bool {
    let (nx, ny) = (x.chars().count(), y.chars().count());
    match nx.abs_diff(ny) {
        0 => x.chars().zip(y.chars()).filter(|(a, b)| a != b).count() <= 1,
        1 => {
            let (short, long) = if nx < ny { (x, y) } else { (y, x) };
            let (mut s, mut l) = (short.chars().peekable(), long.chars());
            let mut skipped = false;
            for c in l.by_ref() {
                match s.peek() {
                    Some(&d) if d == c => {
                        s.next();
                    }
                    _ if !skipped => skipped = true,
                    _ => return false,
                }
            }
            s.peek().is_none()
        }
        _ => false,
    }
}

fn id_level(x: PackedId, y: PackedId) -> Level {
    if x.value == 0 || y.value == 0 {
        return 0;
    }
    if x.value == y.value {
        return if x.from_15 || y.from_15 { 2 } else { 1 };
    }
    if x.is_pseudonym() || y.is_pseudonym() {
        return 8;
    }
    // Most pairs compared are strangers' (u's random pairs): each number is decoded once and
    // nothing is allocated.
    let (cx, cy) = (x.chars(), y.chars());
    let mut differing = (0..18).filter(|&i| cx[i] != cy[i]);
    let (first, second) = (differing.next(), differing.next());
    let n_differing =
        usize::from(first.is_some()) + usize::from(second.is_some()) + differing.count();
    let both_valid = has_valid_check(&cx, x.value) && has_valid_check(&cy, y.value);
    // A spreadsheet keeps 15 significant digits and writes zeros for the rest; one time in
    // eleven the zeros pass the check, and the number looks like a twin's.
    let spreadsheet = |c: &[u8; 18]| c[15..] == *b"000";
    match (n_differing, first, second) {
        (1, _, _) => 3,
        (2, Some(i), Some(j)) if j == i + 1 && cx[i] == cy[j] && cx[j] == cy[i] => 4,
        (_, Some(first), _) if first >= 15 && (spreadsheet(&cx) || spreadsheet(&cy)) => 5,
        (_, Some(first), _) if both_valid && first >= 14 => 6,
        (_, Some(first), _) if first >= 15 => 5,
        _ if both_valid && cx[6..14] != cy[6..14] => 7,
        _ => 8,
    }
}

/// Whether an ID's check value (`value % 11`) is the MOD 11-2 one of its 17 digits `chars`
/// (GB 11643).
fn has_valid_check(chars: &[u8; 18], value: u64) -> bool {
    const WEIGHTS: [u64; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u64 = chars[..17].iter().zip(WEIGHTS).map(|(&c, w)| u64::from(c - b'0') * w).sum();
    (12 - sum % 11) % 11 == value % 11
}

fn date_level(x: PackedDate, y: PackedDate) -> Level {
    if x.is_missing() || y.is_missing() {
        return 0;
    }
    let both_days = x.day() != 0 && y.day() != 0;
    let both_months = x.month() != 0 && y.month() != 0;
    let same_month = x.year() == y.year() && x.month() == y.month();
    // Equal as far as both say: the day when both have one, else the month, else the year.
    let agree = match (both_days, both_months) {
        (true, _) => x == y,
        (false, true) => same_month,
        (false, false) => x.year() == y.year(),
    };
    if agree {
        return 1;
    }
    if both_months && same_month {
        return 2;
    }
    if both_days && x.year() == y.year() && x.month() == y.day() && x.day() == y.month() {
        return 3;
    }
    if both_days && (x.0 ^ y.0) != 0 && one_digit_differs(x.0, y.0) {
        return 4;
    }
    // A missing day counts as the middle of the month, a missing month as the middle of the
    // year.
    let days = |d: PackedDate| {
        let (month, day) = match (d.month(), d.day()) {
            (0, _) => (7, 1),
            (month, 0) => (month, 15),
            (month, day) => (month, day),
        };
        days_from_civil(i64::from(d.year()), i64::from(month), i64::from(day))
    };
    let apart = (days(x) - days(y)).abs();
    if both_months && apart <= 50 {
        return 5;
    }
    // A nominal age moves the year and keeps the month.
    let nominal = x.year().abs_diff(y.year()) == 1 && (!both_months || x.month() == y.month());
    if apart <= 366 || nominal {
        return 6;
    }
    7
}

/// Whether two 8-digit numbers differ in exactly one decimal digit.
fn one_digit_differs(mut x: u32, mut y: u32) -> bool {
    let mut differing = 0;
    while x > 0 || y > 0 {
        differing += u32::from(x % 10 != y % 10);
        x /= 10;
        y /= 10;
    }
    differing == 1
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn region_level(x: u64, y: u64) -> Level {
    if x == 0 || y == 0 {
        return 0;
    }
    let digits = |c: u64| c.checked_ilog10().map_or(1, |d| d + 1);
    let (dx, dy) = (digits(x), digits(y));
    let common = dx.min(dy);
    // The codes cut to `n` digits, when both have them.
    let same = |n: u32| common >= n && x / 10u64.pow(dx - n) == y / 10u64.pow(dy - n);
    match () {
        // Equal as far as both say: a county code and a village of that county agree.
        () if same(common) => 1,
        () if same(9) => 2,
        () if same(6) => 3,
        () if same(4) => 4,
        () => 5,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use censuslink_model::Lang;

    use crate::compare::{
        Comparison, Kind, LevelName, date_level, days_from_civil, id_level, may_be_one_edit,
        may_reach, region_level, within_one_edit,
    };
    use crate::records::{Mode, NameSignature, PackedDate, PackedId, Records};

    fn date(y: u16, m: u8, d: u8) -> PackedDate {
        PackedDate::new(y, m, d)
    }

    #[test]
    fn each_level_says_what_it_means_in_both_languages() {
        let comparison = |kind| Comparison {
            feature: "f".into(),
            kind,
            term_frequency: false,
            swapped_with: Some("g".into()),
        };
        let dates = comparison(Kind::Date).labels();
        let words = |lang| dates.iter().map(|l| l.text(lang)).collect::<Vec<_>>();
        assert_eq!(
            words(Lang::En),
            [
                "missing",
                "exact as far as both say",
                "same year and month",
                "day and month swapped",
                "one digit differs",
                "within 50 days",
                "within a year",
                "else"
            ]
        );
        assert_eq!(words(Lang::Zh)[6], "相差一年内");
        let similar = comparison(Kind::JaroWinkler { thresholds: vec![0.92] }).labels();
        assert_eq!(similar[2], LevelName::SwappedWith("g".into()));
        assert_eq!(similar[2].text(Lang::Zh), "与g互换");
        assert_eq!(similar[3].to_string(), "jaro_winkler >= 0.92", "a measure keeps its words");
        // Files hold a level as its English words, as before it was a type; a saved model
        // reads back the same levels.
        let json = serde_json::to_string(&similar).expect("serializes");
        assert_eq!(json, r#"["missing","exact","swapped with g","jaro_winkler >= 0.92","else"]"#);
        let back: Vec<LevelName> = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, similar);
        for level in dates {
            assert_eq!(level.to_string().parse::<LevelName>(), Ok(level));
        }
        assert!("a typo".parse::<LevelName>().is_err());
    }

    #[test]
    fn dates_compare_at_the_precision_they_have() {
        assert_eq!(date_level(date(1987, 5, 6), date(1987, 5, 6)), 1);
        assert_eq!(date_level(date(1987, 5, 6), date(1987, 5, 0)), 1, "census year and month");
        assert_eq!(date_level(date(1987, 5, 0), date(1987, 5, 0)), 1);
        assert_eq!(date_level(date(1987, 5, 0), date(1987, 6, 0)), 5, "a month apart");
        assert_eq!(date_level(date(1987, 5, 6), date(1987, 5, 19)), 2);
        assert_eq!(date_level(date(1987, 5, 6), date(1987, 6, 5)), 3, "swapped");
        assert_eq!(date_level(date(1987, 5, 6), date(1987, 8, 6)), 4, "one digit: 05 → 08");
        assert_eq!(date_level(date(1987, 5, 6), date(1957, 5, 6)), 4, "one digit: 1987 → 1957");
        assert_eq!(date_level(date(1987, 5, 6), date(1987, 3, 28)), 5, "lunar: 39 days early");
        assert_eq!(date_level(date(1987, 5, 6), date(1987, 11, 16)), 6);
        assert_eq!(date_level(date(1990, 5, 6), date(1989, 5, 6)), 6, "nominal age");
        assert_eq!(date_level(date(1987, 5, 0), date(1986, 5, 0)), 6, "nominal age, census");
        assert_eq!(date_level(date(1969, 1, 28), date(1968, 1, 2)), 6, "nominal age: 391 days");
        assert_eq!(date_level(date(1969, 1, 17), date(1968, 1, 0)), 6, "and the census's month");
        assert_eq!(date_level(date(1969, 2, 1), date(1968, 1, 0)), 7, "another month, 383 days");
        assert_eq!(date_level(date(1987, 5, 6), date(1983, 2, 6)), 7);
        assert_eq!(date_level(date(1987, 0, 0), date(1987, 0, 0)), 1, "a year alone");
        assert_eq!(date_level(date(1987, 0, 0), date(1987, 5, 6)), 1);
        assert_eq!(date_level(date(1987, 5, 6), PackedDate::default()), 0);
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2020, 11, 1), 18_567);
    }

    #[test]
    fn ids_compare_by_their_kind_of_difference() {
        let id = |s: &str, from_15| PackedId::new(s, from_15).expect("an ID");
        let a = id("11010519491231002X", false);
        assert_eq!(id_level(a, a), 1);
        assert_eq!(id_level(a, id("11010519491231002X", true)), 2);
        assert_eq!(id_level(a, id("11010519491231003X", false)), 3);
        assert_eq!(id_level(a, id("11010519492131002X", false)), 4, "12 → 21");
        assert_eq!(id_level(a, id("110105194912310021", false)), 3, "the check differs");
        assert_eq!(id_level(a, id("110105194912310000", false)), 5, "a spreadsheet's zeros");
        let b = id("32011519710224357X", false);
        assert_eq!(id_level(b, id("320115197102243000", false)), 5, "zeros passing the check");
        // Both valid: a twin's (the same region and birth date, another sequence), or two
        // people born on different days.
        assert_eq!(id_level(a, id("110105194912310054", false)), 6, "a twin");
        assert_eq!(id_level(a, id("110105194912310011", false)), 6, "the first 15 too");
        assert_eq!(id_level(a, id("110105195001010020", false)), 7, "another birth date");
        assert_eq!(id_level(a, id("320115198503071232", false)), 7);
        // One side failing the check: nothing but "else".
        assert_eq!(id_level(a, id("32011519850307123X", false)), 8);
        assert_eq!(id_level(a, Default::default()), 0);
    }

    #[test]
    fn regions_compare_by_hierarchy() {
        assert_eq!(region_level(320115001001, 320115001001), 1);
        assert_eq!(region_level(320115001001, 320115001002), 2);
        assert_eq!(region_level(320115001001, 320115002001), 3);
        assert_eq!(region_level(320115001001, 320115), 1, "a county code alone agrees");
        assert_eq!(region_level(320115, 320115), 1);
        assert_eq!(region_level(320115001001, 320116), 4);
        assert_eq!(region_level(320115001001, 320116001001), 4);
        assert_eq!(region_level(320115001001, 110105001001), 5);
        assert_eq!(region_level(0, 110105), 0);
    }

    #[test]
    fn one_edit_is_one_character_added_dropped_or_replaced() {
        assert!(within_one_edit("张建国", "张国"));
        assert!(within_one_edit("张伟", "张伟伟"));
        assert!(within_one_edit("张伟", "张玮"));
        assert!(within_one_edit("张伟", "张伟"));
        assert!(!within_one_edit("张伟", "王玮"));
        assert!(!within_one_edit("张建国", "张"));
        assert!(!within_one_edit("abc", "bca"));
    }

    #[test]
    fn names_compare_by_characters_then_reading() {
        let names = [
            ("张伟", "zhang wei"),
            ("张伟", "zhang wei"),
            ("张玮", "zhang wei"),
            ("张建伟", "zhang jian wei"),
            ("章伟华", "zhang wei hua"),
            ("李娜", "li na"),
        ];
        // 李娜 was 李小娜; 王芳's former name reads as 李娜's.
        let others = [vec![], vec![], vec![], vec![], vec![], vec![("李小娜", "li xiao na", "li")]];
        let records = Records::new(Mode::Dedupe, names.len() + 2)
            .name(
                "name",
                names
                    .iter()
                    .map(|(f, r)| (Some(*f), Some(*r), Some("zhang")))
                    .chain([(Some("李小娜"), Some("li xiao na"), Some("li"))])
                    .chain([(Some("王芳"), Some("wang fang"), Some("wang"))]),
            )
            .other_names("name", others.into_iter().chain([vec![], vec![("黎娜", "li na", "li")]]));
        let comparison = Comparison {
            feature: "name".into(),
            kind: Kind::Name,
            term_frequency: true,
            swapped_with: None,
        };
        let compiled = comparison.compile(&records).expect("fits");
        let level = |a, b| compiled.level(&records, a, b);
        assert_eq!(level(0, 1), 1);
        assert_eq!(level(0, 2), 2, "homophone");
        assert_eq!(level(0, 3), 4, "one character added");
        assert_eq!(level(0, 4), 5, "similar reading");
        assert_eq!(level(0, 5), 6);
        assert_eq!(level(5, 6), 3, "李娜 by her former name");
        assert_eq!(level(6, 5), 3, "either way round");
        assert_eq!(level(7, 5), 3, "王芳, formerly 黎娜, reads as 李娜");
        assert_eq!(level(7, 0), 6, "a former name agreeing with no one");
        assert_eq!(comparison.labels().len(), 7);
    }

    #[test]
    fn text_levels_follow_thresholds_and_misfits_are_refused() {
        let words = [Some("martha"), Some("marhta"), Some("jones"), None];
        let records = Records::new(Mode::Dedupe, 4).text("first", words.into_iter());
        let comparison = Comparison {
            feature: "first".into(),
            kind: Kind::JaroWinkler { thresholds: vec![0.95, 0.9] },
            term_frequency: false,
            swapped_with: None,
        };
        let compiled = comparison.compile(&records).expect("fits");
        assert_eq!(compiled.level(&records, 0, 0), 1);
        assert_eq!(compiled.level(&records, 0, 1), 2, "jaro-winkler 0.961");
        assert_eq!(compiled.level(&records, 0, 2), 4);
        assert_eq!(compiled.level(&records, 0, 3), 0);
        let wrong = Comparison { kind: Kind::Date, ..comparison.clone() };
        assert!(wrong.compile(&records).is_err());
        let unordered =
            Comparison { kind: Kind::JaroWinkler { thresholds: vec![0.8, 0.9] }, ..comparison };
        assert!(unordered.compile(&records).is_err());
    }

    proptest! {
        #[test]
        fn levels_are_symmetric_and_similarities_in_range(
            a in "[a-c]{0,4}",
            b in "[a-c]{0,4}",
            ya in 1990u16..1992, ma in 0u8..13, da in 0u8..29,
            yb in 1990u16..1992, mb in 0u8..13, db in 0u8..29,
        ) {
            let text = [Some(a.as_str()).filter(|s| !s.is_empty()), Some(b.as_str()).filter(|s| !s.is_empty())];
            let valid = |m: u8, d: u8| if m == 0 { (0, 0) } else { (m, d) };
            let ((ma, da), (mb, db)) = (valid(ma, da), valid(mb, db));
            let records = Records::new(Mode::Dedupe, 2)
                .text("t", text.into_iter())
                .text("s", text.into_iter().rev())
                .name("n", text.into_iter().map(|t| (t, t, t)))
                .date("d", [Some(date(ya, ma, da)), Some(date(yb, mb, db))].into_iter());
            let kinds = [
                ("t", Kind::Exact),
                ("t", Kind::JaroWinkler { thresholds: vec![0.9, 0.7] }),
                ("t", Kind::Jaro { thresholds: vec![0.8] }),
                ("t", Kind::Levenshtein { distances: vec![1, 2] }),
                ("t", Kind::DamerauLevenshtein { distances: vec![1] }),
                ("n", Kind::Name),
                ("d", Kind::Date),
            ];
            for (feature, kind) in kinds {
                for swapped_with in [None, Some("s".to_owned())] {
                    if swapped_with.is_some() && feature != "t" {
                        continue;
                    }
                    let comparison = Comparison { feature: feature.into(), kind: kind.clone(), term_frequency: false, swapped_with };
                    let compiled = comparison.compile(&records).expect("fits");
                    let (ab, ba) = (compiled.level(&records, 0, 1), compiled.level(&records, 1, 0));
                    prop_assert_eq!(ab, ba, "{:?}", comparison);
                    prop_assert!((ab as usize) < comparison.n_levels());
                }
            }
            for similarity in [strsim::jaro_winkler(&a, &b), strsim::jaro(&a, &b)] {
                prop_assert!((0.0..=1.0).contains(&similarity));
            }
        }

        /// The signatures turn a pair away only when the comparison itself would.
        #[test]
        fn a_name_signature_never_turns_away_what_the_comparison_takes(
            a in "[王李张小明芳晓华a-c·]{1,17}",
            b in "[王李张小明芳晓华a-c·]{1,17}",
            x in "[a-hz ]{1,22}",
            y in "[a-hz ]{1,22}",
            at in 0usize..17,
        ) {
            let (full, reading) = (NameSignature::Full, NameSignature::Reading);
            // b, and a with one character changed, one dropped: within one edit of a.
            let chars: Vec<char> = a.chars().collect();
            let at = at % chars.len();
            let changed: String =
                chars.iter().enumerate().map(|(i, &c)| if i == at { '芳' } else { c }).collect();
            let dropped: String =
                chars.iter().enumerate().filter(|&(i, _)| i != at).map(|(_, &c)| c).collect();
            for other in [b, changed, dropped] {
                if within_one_edit(&a, &other) {
                    prop_assert!(may_be_one_edit(full.of(&a), full.of(&other)));
                }
            }
            let near: String = x.chars().skip(1).collect();
            for threshold in [0.7, 0.88, 0.95] {
                for other in [&y, &near] {
                    if crate::similarity::jaro_winkler_reaches(&x, other, threshold) {
                        prop_assert!(may_reach(reading.of(&x), reading.of(other), threshold));
                    }
                }
            }
        }
    }

    #[test]
    fn name_signatures_turn_unrelated_names_away() {
        let (full, reading) = (NameSignature::Full, NameSignature::Reading);
        assert!(may_be_one_edit(full.of("王小明"), full.of("王晓明")));
        assert!(may_be_one_edit(full.of("王明"), full.of("王小明")));
        assert!(!may_be_one_edit(full.of("王小明"), full.of("李芳")));
        assert!(may_reach(reading.of("wang xiao ming"), reading.of("wang xiao min"), 0.88));
        assert!(!may_reach(reading.of("wang xiao ming"), reading.of("li fang"), 0.88));
        // A reading not of ASCII tells nothing.
        assert!(may_reach(reading.of("wáng"), reading.of("li fang"), 0.88));
    }
}
