//! What a job's sources hold before any linking is spent: per source and field the fill rate,
//! distinct values and values that could not be read; ID statuses; the commonest names; the
//! findings worth an analyst's look (a column of garbage, most rows unusable, one ID on many
//! rows, IDs mangled by a spreadsheet, census records born after the reference moment); and for each blocking
//! rule the candidate pairs it would make.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use censuslink_io::{Lang, LoadedSource, Mapping, Source};
use censuslink_linkage::{Blocking, LevelWhy, RuleStats, Settings, TrainingReport};
use censuslink_model::{Field, IdStatus, IssueKind, PartialDate, PersonTable, Role};
use rayon::prelude::*;
use serde::Serialize;

use crate::features::person_records;

/// The profile of a job's sources.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    /// Each source, in job order.
    pub sources: Vec<SourceProfile>,
    /// What needs a look, warnings first.
    pub findings: Vec<Finding>,
    /// The blocking rules of each link the run makes: census ↔ each register, and the census
    /// with itself.
    pub blocking: Vec<LinkBlocking>,
}

/// One source's profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceProfile {
    /// The source's name.
    pub name: String,
    /// Its role.
    pub role: String,
    /// Rows read.
    pub rows: usize,
    /// Rows that cannot be linked.
    pub rejected: usize,
    /// Each mapped field, in field order, then the extras.
    pub fields: Vec<FieldProfile>,
    /// ID numbers by status.
    pub id_status: BTreeMap<String, usize>,
    /// The ten commonest names with their counts, each masked but for its first character
    /// (`王**`): skew shows here, and what is printed names no one.
    pub top_names: Vec<(String, usize)>,
}

/// One mapped field of a source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldProfile {
    /// The field (or extra field) name.
    pub field: String,
    /// The column or columns it is mapped from.
    pub column: String,
    /// Rows with a value.
    pub filled: usize,
    /// Distinct values.
    pub distinct: usize,
    /// Rows whose value could not be read (a bad date, an unknown code, a malformed ID).
    pub unreadable: usize,
}

/// How much a finding matters: a warning makes `censuslink run` end with exit code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The run's lists are probably wrong until it is fixed.
    Warning,
    /// Worth knowing.
    Note,
}

/// What a finding is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum FindingKind {
    /// Half the rows or more of a mapped column could not be read.
    Unreadable,
    /// Some values of a mapped column could not be read.
    SomeUnreadable,
    /// Half the rows or more cannot be linked.
    MostRejected,
    /// ID numbers carried by more than two rows; `count` is how many such IDs.
    SharedIds {
        /// Rows on the most shared one.
        most_rows: usize,
    },
    /// ID numbers a spreadsheet turned into numbers (`5.1E+17`).
    ExcelTruncated,
    /// Census records of people born on or after the reference moment.
    BornAfterReference,
    /// A blocking rule's blocks of more pairs than the cap (a placeholder ID or a value on
    /// many rows): their pairs were left to the other rules. `count` is the blocks, `of` the
    /// rule's blocks.
    CappedBlocks {
        /// The other source of the link; `None` for the census's deduplication.
        right: Option<String>,
        /// The rule.
        rule: String,
        /// Pairs of the largest block.
        largest_block: u64,
    },
    /// A level of a link's trained model worth a look (`censuslink_linkage::LevelNote`).
    ModelLevel {
        /// The other source of the link; `None` for the census's deduplication.
        right: Option<String>,
        /// The feature compared.
        feature: String,
        /// The level.
        level: censuslink_linkage::LevelName,
        /// Its weight, in tenths of a bit (log2(m/u) × 10, rounded).
        weight_tenths: i64,
        /// Why: `at_bound`, `agreement_held` or `moved_from_anchor`.
        why: &'static str,
    },
    /// A link's trained model calls fewer than nine in ten of its own anchored pairs
    /// matches: its m, or its anchor, does not fit these records. `count` is the anchored
    /// pairs it calls matches, `of` the anchored pairs.
    AnchorDisowned {
        /// The other source of the link; `None` for the census's deduplication.
        right: Option<String>,
    },
    /// A source read from several folders (each county's of a province) has no file in some
    /// folders where other such sources have one: that county's extract may be missing.
    /// `count` is those folders, `of` the folders of all such sources.
    MissingFolders {
        /// The folders' names (their last component), in path order, five at most.
        folders: Vec<String>,
    },
    /// The reference moment lies over a year after every event date of the registers
    /// (births, deaths), or over three years after the latest birth date of any record (among
    /// a thousand records or more): it is probably not the census's. `count` and `of` are 0.
    ReferenceAfterRecords {
        /// The latest date found, ISO.
        latest: String,
        /// Whether it is an event date (else a birth date).
        is_event: bool,
    },
}

/// Something in the data worth an analyst's look. Counts and names of columns, never values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// How much it matters.
    pub severity: Severity,
    /// The source.
    pub source: String,
    /// The field, when the finding is about one.
    pub field: Option<String>,
    /// The column it is mapped from.
    pub column: Option<String>,
    /// What it is.
    #[serde(flatten)]
    pub kind: FindingKind,
    /// The rows (or IDs) concerned.
    pub count: usize,
    /// Of how many rows.
    pub of: usize,
}

impl Finding {
    /// The finding as one line, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let share = 100.0 * self.count as f64 / self.of.max(1) as f64;
        let (count, of) = (thousands(self.count), thousands(self.of));
        let what = match (&self.field, &self.column) {
            (Some(field), Some(column)) => {
                lang.pick(format!(" {field}（列 {column}）"), format!(" {field} (column {column})"))
            }
            _ => String::new(),
        };
        let source = &self.source;
        match &self.kind {
            FindingKind::Unreadable => lang.pick(
                format!(
                    "{source}{what}：{of} 行中 {count} 行（{share:.1}%）无法识别；映射的列对吗？\
                     逐行问题见 row_issues.csv"
                ),
                format!(
                    "{source}{what}: {count} of {of} rows ({share:.1}%) could not be read; is the \
                     right column mapped? row_issues.csv lists them"
                ),
            ),
            FindingKind::SomeUnreadable => lang.pick(
                format!("{source}{what}：{of} 行中 {count} 行（{share:.1}%）无法识别"),
                format!("{source}{what}: {count} of {of} rows ({share:.1}%) could not be read"),
            ),
            FindingKind::MostRejected => lang.pick(
                format!(
                    "{source}：{of} 行中 {count} 行（{share:.1}%）既无姓名也无身份证号，无法比对；\
                     姓名和身份证号的列映射对吗？"
                ),
                format!(
                    "{source}: {count} of {of} rows ({share:.1}%) have neither a name nor an ID \
                     number and cannot be linked; are those columns mapped right?"
                ),
            ),
            FindingKind::SharedIds { most_rows } => lang.pick(
                format!(
                    "{source}：{count} 个身份证号出现在 3 行以上，最多的一个在 {most_rows} 行；\
                     可能是占位号码或重复登记"
                ),
                format!(
                    "{source}: {count} ID numbers are on more than two rows, one on {most_rows}; \
                     placeholder numbers or repeated entries?"
                ),
            ),
            FindingKind::ExcelTruncated => lang.pick(
                format!(
                    "{source}：{count} 个身份证号被电子表格改成了数字（如 5.1E+17），无法恢复；\
                     导出时把该列设为文本"
                ),
                format!(
                    "{source}: {count} ID numbers were turned into numbers by a spreadsheet \
                     (5.1E+17) and cannot be recovered; export the column as text"
                ),
            ),
            FindingKind::CappedBlocks { right, rule, largest_block } => {
                let link = link_name(source, right.as_deref(), lang);
                let largest = thousands(*largest_block as usize);
                lang.pick(
                    format!(
                        "{link}：分块规则 {rule} 有 {count} 个块超过上限（最大 {largest} 对），这些记录对改由其他规则比对；是否有占位号码或大量相同的值？"
                    ),
                    format!(
                        "{link}: blocking rule {rule} has {count} blocks over the cap (the largest {largest} pairs), whose pairs were left to the other rules; a placeholder ID or one value on many rows?"
                    ),
                )
            }
            FindingKind::MissingFolders { folders } => {
                let more = if folders.len() < self.count { "…" } else { "" };
                let zh = folders.join("、");
                let en = folders.join(", ");
                lang.pick(
                    format!(
                        "{source}：其他数据源所在的 {of} 个文件夹中，有 {count} 个没有它的文件（{zh}{more}）；这些区县的 {source} 缺失吗？"
                    ),
                    format!(
                        "{source}: no file in {count} of the {of} folders the other sources read ({en}{more}); is {source} missing for them?"
                    ),
                )
            }
            FindingKind::ReferenceAfterRecords { latest, is_event } => match is_event {
                true => lang.pick(
                    format!(
                        "标准时点比各登记的所有事件日期晚一年以上（最晚 {latest}，见 {source}）：reference_moment 对吗？"
                    ),
                    format!(
                        "the reference moment lies over a year after every event date of the registers (the latest {latest}, in {source}): is reference_moment right?"
                    ),
                ),
                false => lang.pick(
                    format!(
                        "标准时点比所有记录中最晚的出生日期（{latest}，见 {source}）晚三年以上：reference_moment 对吗？"
                    ),
                    format!(
                        "the reference moment lies over three years after the latest birth date of any record ({latest}, in {source}): is reference_moment right?"
                    ),
                ),
            },
            FindingKind::ModelLevel { right, feature, level, weight_tenths, why } => {
                let link = link_name(source, right.as_deref(), lang);
                let weight = *weight_tenths as f64 / 10.0;
                let level = level.text(lang);
                match *why {
                    "at_bound" => lang.pick(
                        format!(
                            "{link}：模型中 {feature} 的“{level}”权重达到上限 {weight:+.1}，该级别单独即可决定一对记录；训练数据中几乎没有这种情况吗？"
                        ),
                        format!(
                            "{link}: the model's {feature} level “{level}” weighs {weight:+.1}, at the bound, and can decide a pair alone; does that level hardly occur in the training pairs?"
                        ),
                    ),
                    "agreement_held" => lang.pick(
                        format!(
                            "{link}：{feature} 完全一致在匹配对中反而比非匹配对少见（常见于一方只为另一方没有的人填写该字段），已将其权重定为 0，一致不作为不匹配的证据"
                        ),
                        format!(
                            "{link}: {feature} agreeing exactly is rarer among matches than among non-matches (as when one side fills the field only for people the other does not hold); its weight is held at 0, so agreeing never counts against a match"
                        ),
                    ),
                    _ => lang.pick(
                        format!(
                            "{link}：EM 把 {feature} 的“{level}”权重移到 {weight:+.1}，与锚定对的估计相差 4 个单位以上；该字段在两个数据源中的填写方式一致吗？"
                        ),
                        format!(
                            "{link}: EM moved the weight of {feature} level “{level}” to {weight:+.1}, more than 4 bits from the anchored pairs' estimate; is the field filled alike in both sources?"
                        ),
                    ),
                }
            }
            FindingKind::AnchorDisowned { right } => {
                let link = link_name(source, right.as_deref(), lang);
                lang.pick(
                    format!(
                        "{link}：训练出的模型只把 {of} 个锚定对中的 {count} 个（{share:.1}%）判为匹配；锚定字段（身份证号等）在这两个数据源中可靠吗？"
                    ),
                    format!(
                        "{link}: the trained model calls only {count} of its {of} anchored pairs ({share:.1}%) matches; are the anchor's fields (the ID number) reliable in these sources?"
                    ),
                )
            }
            FindingKind::BornAfterReference => lang.pick(
                format!("{source}：{count} 人的出生日期在标准时点当天或之后，普查不应登记"),
                format!(
                    "{source}: {count} people born on or after the reference moment, whom the \
                     census should not list"
                ),
            ),
        }
    }
}

/// The blocking rules of one link.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkBlocking {
    /// The left source.
    pub left: String,
    /// The right source; `None` for the census with itself.
    pub right: Option<String>,
    /// Each rule's blocks and the pairs it adds to the rules before it.
    pub rules: Vec<RuleStats>,
}

/// Profiles `sources` (each job source with what was loaded of it) for the reference moment
/// `reference`, with the blocking rules of `settings`.
pub fn profile(
    sources: &[(&Source, &LoadedSource)],
    settings: &Settings,
    reference: PartialDate,
) -> Profile {
    let profiles = sources.iter().map(|(source, loaded)| profile_source(source, loaded)).collect();
    let findings = findings(sources, reference);

    let mut blocking = Vec::new();
    let census = sources.iter().position(|(s, _)| s.role == Role::Census);
    if let Some(census) = census {
        let (census_source, census_loaded) = sources[census];
        let rules = |left: &PersonTable, right: Option<&PersonTable>| {
            let records = person_records(left, right);
            Blocking::new(&records, &settings.blocking)
                .map(|b| b.for_each_chunk(settings.training.block_cap, |_| ()).1)
                .unwrap_or_default()
        };
        for (source, loaded) in sources.iter().filter(|(s, _)| s.role != Role::Census) {
            blocking.push(LinkBlocking {
                left: census_source.name.clone(),
                right: Some(source.name.clone()),
                rules: rules(&census_loaded.table, Some(&loaded.table)),
            });
        }
        let census_table = &census_loaded.table;
        blocking.push(LinkBlocking {
            left: census_source.name.clone(),
            right: None,
            rules: rules(&census_table.take(&crate::deduplicated(census_table)), None),
        });
    }
    let mut findings = findings;
    for link in &blocking {
        findings.extend(cap_findings(&link.left, link.right.as_deref(), &link.rules));
    }
    findings.sort_by_key(|f| f.severity);
    Profile { sources: profiles, findings, blocking }
}

/// The findings of `sources` for the reference moment `reference`, warnings first: what
/// `censuslink run` reports (the cheap part of a profile).
pub fn findings(sources: &[(&Source, &LoadedSource)], reference: PartialDate) -> Vec<Finding> {
    let mut findings: Vec<Finding> = sources
        .par_iter()
        .flat_map_iter(|(source, loaded)| source_findings(source, loaded, reference))
        .collect();
    findings.extend(reference_finding(sources, reference));
    findings.extend(folder_findings(sources));
    findings.sort_by_key(|f| f.severity);
    findings
}

/// A warning for each source read from several folders that has no file in some folder where
/// another such source has one (a wildcard matches what is there: a county whose deaths were
/// not delivered would otherwise be a county without deaths).
fn folder_findings(sources: &[(&Source, &LoadedSource)]) -> Vec<Finding> {
    let folders_of = |source: &Source| -> BTreeSet<PathBuf> {
        source.paths.iter().filter_map(|p| p.parent().map(Path::to_path_buf)).collect()
    };
    let spread: Vec<(&str, BTreeSet<PathBuf>)> = sources
        .iter()
        .map(|(source, _)| (source.name.as_str(), folders_of(source)))
        .filter(|(_, folders)| folders.len() > 1)
        .collect();
    let all: BTreeSet<&PathBuf> = spread.iter().flat_map(|(_, folders)| folders).collect();
    spread
        .iter()
        .filter_map(|(name, folders)| {
            let missing: Vec<&&PathBuf> = all.iter().filter(|f| !folders.contains(**f)).collect();
            let name_of = |f: &&&PathBuf| f.file_name().map(|n| n.to_string_lossy().into_owned());
            (!missing.is_empty()).then(|| Finding {
                severity: Severity::Warning,
                source: (*name).to_owned(),
                field: None,
                column: None,
                kind: FindingKind::MissingFolders {
                    folders: missing.iter().take(5).filter_map(name_of).collect(),
                },
                count: missing.len(),
                of: all.len(),
            })
        })
        .collect()
}

/// A warning when the reference moment lies after the latest event date of every register, or
/// over a year after the latest birth date of every record: a moment written wrong (2035, say)
/// turns births into people not yet born and the living into the dead without an error.
fn reference_finding(
    sources: &[(&Source, &LoadedSource)],
    reference: PartialDate,
) -> Option<Finding> {
    let latest = |dates: fn(&PersonTable) -> &[Option<PartialDate>]| {
        sources
            .iter()
            .filter_map(|(source, loaded)| {
                let latest =
                    dates(&loaded.table).iter().flatten().map(|d| d.to_days_since_epoch()).max()?;
                Some((latest, source.name.as_str()))
            })
            .max()
    };
    let reference_days = reference.to_days_since_epoch();
    // Extracts taken at enumeration hold events up to the moment, and a district's records
    // births up to it: a year past the last event, or three past the last birth, is no census
    // moment for them.
    // A thousand people have about ten births a year (a crude birth rate of 1 %): among fewer,
    // the latest birth date says little of the moment.
    let n_born: usize =
        sources.iter().map(|(_, l)| l.table.birth_date.iter().flatten().count()).sum();
    let (days, source, is_event) = match (latest(|t| &t.event_date), latest(|t| &t.birth_date)) {
        (Some((days, source)), _) if reference_days > days + 366 => (days, source, true),
        (_, Some((days, source))) if n_born >= 1000 && reference_days > days + 3 * 366 => {
            (days, source, false)
        }
        _ => return None,
    };
    let latest =
        PartialDate::from_days_since_epoch(days).map(|d| d.to_string()).unwrap_or_default();
    Some(Finding {
        severity: Severity::Warning,
        source: source.to_owned(),
        field: None,
        column: None,
        kind: FindingKind::ReferenceAfterRecords { latest, is_event },
        count: 0,
        of: 0,
    })
}

/// A warning for each blocking rule of the link `left` ↔ `right` (`None`: the census's
/// deduplication) that had blocks over the cap.
pub fn cap_findings<'a>(
    left: &'a str,
    right: Option<&'a str>,
    rules: &'a [RuleStats],
) -> impl Iterator<Item = Finding> + 'a {
    rules.iter().filter(|r| r.capped_blocks > 0).map(move |r| Finding {
        severity: Severity::Warning,
        source: left.to_owned(),
        field: None,
        column: None,
        kind: FindingKind::CappedBlocks {
            right: right.map(str::to_owned),
            rule: r.rule.clone(),
            largest_block: r.largest_block,
        },
        count: r.capped_blocks as usize,
        of: r.blocks as usize,
    })
}

/// The findings of a link's training (`left ↔ right`; the census's deduplication when
/// `right` is `None`): each level its report notes, and an anchor the model disowns.
pub fn model_findings(left: &str, right: Option<&str>, training: &TrainingReport) -> Vec<Finding> {
    let finding = |severity, kind, count, of| Finding {
        severity,
        source: left.to_owned(),
        field: None,
        column: None,
        kind,
        count,
        of,
    };
    let mut findings: Vec<Finding> = training
        .levels
        .iter()
        .map(|note| {
            let why = match note.why {
                LevelWhy::AtBound => "at_bound",
                LevelWhy::AgreementHeld => "agreement_held",
                LevelWhy::MovedFromAnchor { .. } => "moved_from_anchor",
            };
            let kind = FindingKind::ModelLevel {
                right: right.map(str::to_owned),
                feature: note.feature.clone(),
                level: note.level.clone(),
                weight_tenths: (note.weight * 10.0).round() as i64,
                why,
            };
            finding(Severity::Note, kind, 0, 0)
        })
        .collect();
    if let Some(share) = training.anchor_agreement.filter(|&share| share < 0.9) {
        let of = training.anchor_pairs as usize;
        let kind = FindingKind::AnchorDisowned { right: right.map(str::to_owned) };
        findings.push(finding(Severity::Warning, kind, (share * of as f64).round() as usize, of));
    }
    findings
}

/// `left ↔ right`, or the deduplication of `left`.
fn link_name(left: &str, right: Option<&str>, lang: Lang) -> String {
    match right {
        Some(right) => format!("{left} ↔ {right}"),
        None => lang.pick(format!("{left} 查重"), format!("{left} deduplication")),
    }
}

/// Rows whose value of each field could not be read.
fn unreadable_rows(loaded: &LoadedSource) -> HashMap<Field, HashSet<u64>> {
    let mut unreadable: HashMap<Field, HashSet<u64>> = HashMap::new();
    for issue in &loaded.issues {
        if let Some(field) = issue.field.filter(|_| is_unreadable(issue.kind)) {
            unreadable.entry(field).or_default().insert(issue.row);
        }
    }
    unreadable
}

fn source_findings(source: &Source, loaded: &LoadedSource, reference: PartialDate) -> Vec<Finding> {
    let table = &loaded.table;
    let rows = table.len();
    let finding = |severity, field: Option<(String, String)>, kind, count, of| {
        let (field, column) = field.unzip();
        Finding { severity, source: source.name.clone(), field, column, kind, count, of }
    };
    let mut findings = Vec::new();
    let unreadable = unreadable_rows(loaded);
    for (&field, mapping) in &source.fields {
        let bad = unreadable.get(&field).map_or(0, HashSet::len);
        if bad > 0 {
            let (severity, kind) = match 2 * bad >= rows {
                true => (Severity::Warning, FindingKind::Unreadable),
                false => (Severity::Note, FindingKind::SomeUnreadable),
            };
            let named = Some((field.as_str().to_owned(), describe(mapping)));
            findings.push(finding(severity, named, kind, bad, rows));
        }
    }
    let rejected = table.n_rejected();
    if rows > 0 && 2 * rejected >= rows {
        findings.push(finding(Severity::Warning, None, FindingKind::MostRejected, rejected, rows));
    }
    if source.fields.contains_key(&Field::IdNumber) {
        // ID numbers are a department's text: hashed with the process's own seed.
        let mut id_rows: HashMap<&str, usize, ahash::RandomState> = HashMap::default();
        for row in 0..rows {
            if let Some(id) = table.id.number.get(row).filter(|_| table.id.status[row].is_valid()) {
                *id_rows.entry(id).or_default() += 1;
            }
        }
        let shared: Vec<usize> = id_rows.values().copied().filter(|&n| n > 2).collect();
        if let Some(&most_rows) = shared.iter().max() {
            let kind = FindingKind::SharedIds { most_rows };
            findings.push(finding(Severity::Note, None, kind, shared.len(), rows));
        }
        let truncated = table.id.status.iter().filter(|&&s| s == IdStatus::ExcelTruncated).count();
        if truncated > 0 {
            let kind = FindingKind::ExcelTruncated;
            findings.push(finding(Severity::Note, None, kind, truncated, rows));
        }
    }
    let reference_days = reference.to_days_since_epoch();
    let born_after = table
        .birth_date
        .iter()
        .flatten()
        .filter(|d| d.to_days_since_epoch() >= reference_days)
        .count();
    // A register records births after the moment as a matter of course; the census cannot.
    if born_after > 0 && source.role == Role::Census {
        let kind = FindingKind::BornAfterReference;
        findings.push(finding(Severity::Note, None, kind, born_after, rows));
    }
    findings
}

/// A source's fields, ID statuses and commonest names.
fn profile_source(source: &Source, loaded: &LoadedSource) -> SourceProfile {
    let table = &loaded.table;
    let rows = table.len();
    let unreadable = unreadable_rows(loaded);
    let mut fields = Vec::new();
    for (&field, mapping) in &source.fields {
        let mut values: HashSet<String> = HashSet::new();
        let mut filled = 0;
        for row in 0..rows {
            if let Some(value) = value(table, field, row) {
                filled += 1;
                values.insert(value);
            }
        }
        fields.push(FieldProfile {
            field: field.as_str().to_owned(),
            column: describe(mapping),
            filled,
            distinct: values.len(),
            unreadable: unreadable.get(&field).map_or(0, HashSet::len),
        });
    }
    for (name, mapping) in &source.extra {
        let column = table.extra(name);
        let values: HashSet<&str> = column.into_iter().flat_map(|c| c.iter().flatten()).collect();
        let filled = column.map_or(0, |c| c.iter().flatten().count());
        fields.push(FieldProfile {
            field: name.clone(),
            column: describe(mapping),
            filled,
            distinct: values.len(),
            unreadable: 0,
        });
    }
    let mut id_status: BTreeMap<String, usize> = BTreeMap::new();
    if source.fields.contains_key(&Field::IdNumber) {
        for status in &table.id.status {
            *id_status.entry(status.as_str().to_owned()).or_default() += 1;
        }
    }
    let mut names: HashMap<&str, usize> = HashMap::new();
    for name in table.name.full.iter().flatten() {
        *names.entry(name).or_default() += 1;
    }
    let mut top_names: Vec<(String, usize)> =
        names.into_iter().map(|(name, n)| (name.to_owned(), n)).collect();
    top_names.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    top_names.retain(|(_, n)| *n > 1);
    top_names.truncate(10);
    for (name, _) in &mut top_names {
        *name = name.chars().enumerate().map(|(k, c)| if k == 0 { c } else { '*' }).collect();
    }
    SourceProfile {
        name: source.name.clone(),
        role: source.role.as_str().to_owned(),
        rows,
        rejected: table.n_rejected(),
        fields,
        id_status,
        top_names,
    }
}

/// Whether an issue means the value could not be read at all (a repaired ID or a placeholder
/// name was read).
fn is_unreadable(kind: IssueKind) -> bool {
    match kind {
        IssueKind::Id(status) => matches!(
            status,
            IdStatus::BadCheckDigit
                | IdStatus::BadDate
                | IdStatus::UnknownRegion
                | IdStatus::ExcelTruncated
                | IdStatus::Malformed
        ),
        IssueKind::DateUnparseable
        | IssueKind::DateImpossible
        | IssueKind::UnknownCode
        | IssueKind::BadRegionCode
        | IssueKind::NotAName => true,
        _ => false,
    }
}

/// The standardized value of `field` in `row`, as text.
fn value(table: &PersonTable, field: Field, row: usize) -> Option<String> {
    fn text(value: Option<impl ToString>) -> Option<String> {
        value.map(|v| v.to_string())
    }
    match field {
        Field::RecordId => text(table.record_id.get(row)),
        Field::Name => text(table.name.full.get(row)),
        Field::OtherNames => text(table.other_names.full.get(row)),
        Field::Sex => text(table.sex[row]),
        Field::BirthDate => text(table.birth_date[row]),
        Field::IdNumber => text(table.id.number.get(row)),
        Field::Ethnicity => text(table.ethnicity[row]),
        Field::HukouRegion => text(table.hukou_region.get(row)),
        Field::HukouAddress => text(table.hukou_address.get(row)),
        Field::ResidenceRegion => text(table.residence_region.get(row)),
        Field::ResidenceAddress => text(table.residence_address.get(row)),
        Field::EnumerationArea => text(table.enumeration_area.get(row)),
        Field::HouseholdId => text(table.household_id.get(row)),
        Field::Relation => text(table.relation[row]),
        Field::RecordType => text(table.record_type[row]),
        Field::EventDate => text(table.event_date[row]),
        Field::MotherId => text(table.mother_id.number.get(row)),
        Field::MotherName => text(table.mother_name.full.get(row)),
        Field::CollectionMode => text(table.collection_mode[row]),
        Field::Status => text(table.status[row]),
        Field::StatusDate => text(table.status_date[row]),
    }
}

/// The column or columns of a mapping, as the job names them.
fn describe(mapping: &Mapping) -> String {
    match mapping {
        Mapping::Column(column) => column.clone(),
        Mapping::Concat { columns, .. } => columns.join("+"),
        Mapping::DateParts { year, month, day } => [Some(year), month.as_ref(), day.as_ref()]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join("/"),
        Mapping::CensusPlace { category, code, .. } => format!("{category}/{code}"),
    }
}

/// `n` with thousands separators: `1,234,567`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (idx, c) in digits.chars().enumerate() {
        if idx > 0 && (digits.len() - idx).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
