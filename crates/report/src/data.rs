//! The data of `report.html`, gathered from what a run made.

use censuslink_io::{Lang, SourceSummary};
use censuslink_linkage::{Explanation, weight_of};
use censuslink_reconcile::residence::evidence_text;
use censuslink_reconcile::{Finding, Input, LinkModel, Outcome, Severity};

use crate::html::{
    BlockingRow, ComparisonSummary, CoverageRow, DuplicateRow, LevelSummary, ListCounts,
    MissingRow, ModelSummary, QualityFinding, QualitySeverity, ReportData, SourceCounts, Waterfall,
    WeightBin, WeightHistogram, WeightTerm, WeightThreshold,
};
use crate::rerun::Resolved;
use crate::words::field_name;

/// Candidates of each list the report shows.
const TOP: usize = 50;

/// What the report needs of a run.
pub(crate) struct Run<'a> {
    /// The job file, as given.
    pub(crate) job: String,
    /// The census moment, `YYYY-MM-DDT00:00:00`.
    pub(crate) reference_moment: String,
    /// Each source's rows read, usable and rejected.
    pub(crate) summaries: &'a [SourceSummary],
    /// Each source's rows linked, unlinked and rejected.
    pub(crate) accounting: &'a [censuslink_reconcile::RowAccount],
    /// Each list's rows.
    pub(crate) lists: &'a serde_json::Map<String, serde_json::Value>,
    /// The sources the outcome's records index.
    pub(crate) inputs: &'a [Input<'a>],
    /// What reconciling found.
    pub(crate) outcome: &'a Outcome,
    /// Candidates the field teams resolved.
    pub(crate) resolved: &'a Resolved,
    /// The data-quality findings.
    pub(crate) findings: &'a [Finding],
    /// The missing list's reliability diagram, when the run was evaluated against a truth.
    pub(crate) calibration: &'a [crate::evaluate::CalibrationBin],
}

/// The report's data for `run`, its texts in `lang`.
pub(crate) fn report_data(run: &Run<'_>, lang: Lang) -> ReportData {
    let count = |name: &str| run.lists.get(name).and_then(|n| n.as_u64()).unwrap_or_default();
    let coverage = |level: &str| -> Vec<CoverageRow> {
        let mut rows: Vec<CoverageRow> = run
            .outcome
            .coverage
            .iter()
            .filter(|c| c.level == level)
            .map(|c| CoverageRow {
                code: c.code.clone(),
                name: String::new(),
                census: c.census,
                admin: c.admin,
                matched: c.matched,
                population: c.estimate.map_or(f64::NAN, |e| e.population),
                low: c.estimate.map_or(f64::NAN, |e| e.low),
                high: c.estimate.map_or(f64::NAN, |e| e.high),
            })
            .collect();
        rows.sort_by(|a, b| a.code.cmp(&b.code));
        rows
    };
    let open = |id: &str| !run.resolved.contains(id);

    let mut missing: Vec<&censuslink_reconcile::Missing> =
        run.outcome.missing.iter().filter(|m| open(&m.id)).collect();
    let expected_omissions = missing.iter().map(|m| m.probability).sum();
    missing.truncate(TOP);
    let mut duplicates: Vec<&censuslink_reconcile::Duplicate> =
        run.outcome.duplicates.iter().filter(|d| open(&d.id)).collect();
    // The doubtful first: those a field team should look at.
    duplicates.sort_by(|a, b| a.probability.total_cmp(&b.probability).then(a.id.cmp(&b.id)));
    duplicates.truncate(TOP);
    let area = |r: censuslink_reconcile::RecordRef| {
        run.inputs[r.source].table.enumeration_area.get(r.row as usize).unwrap_or("").to_owned()
    };

    ReportData {
        job: run.job.clone(),
        reference_moment: run.reference_moment.clone(),
        run_date: format!("censuslink {}", env!("CARGO_PKG_VERSION")),
        lists: ListCounts {
            links: count("links"),
            missing: count("missing"),
            duplicates: count("duplicates"),
            deceased: count("deceased"),
            births: count("births"),
            conflicts: count("conflicts"),
        },
        district: coverage("district").into_iter().next().unwrap_or_default(),
        assumptions: censuslink_reconcile::assumptions(lang)
            .into_iter()
            .map(String::from)
            .collect(),
        counties: coverage("county"),
        townships: coverage("township"),
        areas: coverage("enumeration_area"),
        expected_omissions,
        calibration: run.calibration.to_vec(),
        missing: missing
            .iter()
            .map(|m| {
                let mut sources: Vec<&str> =
                    m.records.iter().map(|r| run.inputs[r.source].name).collect();
                sources.dedup();
                MissingRow {
                    id: m.id.clone(),
                    area: m.area.clone().unwrap_or_default(),
                    tier: m.tier,
                    probability: m.probability,
                    evidence: evidence_text(&m.evidence, Some(lang)),
                    sources: sources.join(";"),
                    nearest_probability: m.nearest.as_ref().map(|(_, p, _)| *p),
                    explanation: m.nearest.as_ref().map(|(_, _, e)| waterfall(e, lang)),
                }
            })
            .collect(),
        duplicates: duplicates
            .iter()
            .map(|d| {
                let mut areas: Vec<String> = d.records.iter().map(|&r| area(r)).collect();
                areas.sort();
                areas.dedup();
                DuplicateRow {
                    id: d.id.clone(),
                    area: areas.join(";"),
                    n_records: d.records.len() as u64,
                    probability: d.probability,
                    explanation: d.explanation.as_ref().map(|e| waterfall(e, lang)),
                }
            })
            .collect(),
        sources: source_counts(run.summaries, run.accounting),
        findings: quality(run.findings, lang),
        ..link_data(&run.outcome.models, run.inputs, lang)
    }
}

/// The findings as the report lists them, texts in `lang`.
pub(crate) fn quality(findings: &[Finding], lang: Lang) -> Vec<QualityFinding> {
    findings
        .iter()
        .map(|f| QualityFinding {
            source: f.source.clone(),
            field: f.field.as_deref().map(|f| field_name(f, lang).to_owned()).unwrap_or_default(),
            finding: f.message(lang),
            count: f.count as u64,
            severity: match f.severity {
                Severity::Warning => QualitySeverity::Warning,
                Severity::Note => QualitySeverity::Note,
            },
        })
        .collect()
}

/// Each source's rows read, usable, rejected, with issues, linked and unlinked.
pub(crate) fn source_counts(
    summaries: &[SourceSummary],
    accounting: &[censuslink_reconcile::RowAccount],
) -> Vec<SourceCounts> {
    summaries
        .iter()
        .zip(accounting)
        .map(|(s, a)| SourceCounts {
            name: s.name.clone(),
            role: s.role.clone(),
            read: s.rows_read,
            usable: s.rows_usable,
            rejected: a.rejected as u64,
            issues: s.issues.values().sum(),
            linked: a.linked as u64,
            unlinked: a.unlinked as u64,
        })
        .collect()
}

/// The report's data of `links` (whose sources index `inputs`): their weights, the link
/// threshold, their models and their blocking rules; nothing else.
pub(crate) fn link_data(links: &[LinkModel], inputs: &[Input<'_>], lang: Lang) -> ReportData {
    let link_name = |link: &LinkModel| {
        let left = inputs[link.left].name;
        format!("{left} ↔ {}", link.right.map_or(left, |r| inputs[r].name))
    };
    ReportData {
        weights: links
            .iter()
            .map(|link| WeightHistogram {
                link: link_name(link),
                bins: (link.weights.counts.iter().enumerate())
                    .map(|(i, &count)| {
                        let low = link.weights.start + i as f64;
                        WeightBin { low, high: low + 1.0, count }
                    })
                    .collect(),
            })
            .collect(),
        thresholds: links.first().map_or_else(Vec::new, |link| {
            vec![WeightThreshold {
                label: lang.pick(
                    format!("比对阈值 p = {}", link.threshold),
                    format!("link threshold p = {}", link.threshold),
                ),
                weight: weight_of(link.threshold),
            }]
        }),
        models: links
            .iter()
            .map(|link| ModelSummary {
                link: link_name(link),
                prior: link.model.prior,
                comparisons: link
                    .model
                    .comparisons
                    .iter()
                    // A comparison whose levels all weigh nothing (a field one side lacks) says
                    // nothing: left out, so that the table shows what decides.
                    .filter(|c| (1..c.labels.len()).any(|level| c.m[level] != c.u[level]))
                    .map(|c| ComparisonSummary {
                        field: field_name(&c.comparison.feature, lang).to_owned(),
                        levels: (1..c.labels.len())
                            .map(|level| LevelSummary {
                                label: c.labels[level].text(lang),
                                m: c.m[level],
                                u: c.u[level],
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
        blocking: links
            .iter()
            .flat_map(|link| {
                link.rules.iter().map(move |rule| BlockingRow {
                    link: link_name(link),
                    rule: rule.rule.clone(),
                    blocks: rule.blocks,
                    pairs: rule.pairs,
                    largest_block: Some(rule.largest_block),
                    capped_blocks: rule.capped_blocks,
                })
            })
            .collect(),
        ..ReportData::default()
    }
}

/// An explanation as the report draws it: the prior, then each field's level and weight.
fn waterfall(explanation: &Explanation, lang: Lang) -> Waterfall {
    Waterfall {
        prior_weight: explanation.prior_weight,
        terms: explanation
            .comparisons
            .iter()
            .map(|c| WeightTerm {
                label: format!("{} {}", field_name(&c.feature, lang), c.label.text(lang)),
                weight: c.weight + c.tf_adjustment,
            })
            .collect(),
    }
}
