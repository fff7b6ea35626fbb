//! The analysts' report, `report.html`: one self-contained HTML file (inline CSS, SVG charts
//! and a small script for sortable, filterable tables; no fonts, images, scripts or links from
//! anywhere else) rendered from plain data the caller fills in, [`ReportData`]. Here the data
//! and the page; `sections.rs` writes each section, `charts.rs` draws the SVG charts,
//! `format.rs` writes numbers and text; the style and the script are `report.css` and
//! `report.js`, included at build time.

use censuslink_model::Lang;
use censuslink_reconcile::thousands;

use crate::evaluate::CalibrationBin;

mod charts;
mod format;
mod sections;

use self::charts::*;
use self::format::*;
use self::sections::*;

/// Everything the report shows, as plain owned data: the caller converts the run's outcome,
/// model and summaries into it, and [`render_report`] only lays it out.
#[derive(Debug, Clone, Default)]
pub struct ReportData {
    /// The job file, as the summary names it (`sample-data/job.toml`).
    pub job: String,
    /// The reference moment (`2020-11-01T00:00:00`).
    pub reference_moment: String,
    /// When the run was made, as the caller wants it shown.
    pub run_date: String,
    /// Each source's row counts, in job order.
    pub sources: Vec<SourceCounts>,
    /// The lists' row counts.
    pub lists: ListCounts,
    /// The district's coverage estimate (its `code` and `name` are not shown).
    pub district: CoverageRow,
    /// The assumptions the coverage estimates rest on, one per item.
    pub assumptions: Vec<String>,
    /// Coverage by county, in the order to show (a section of its own when there are
    /// several).
    pub counties: Vec<CoverageRow>,
    /// Coverage by township, in the order to show.
    pub townships: Vec<CoverageRow>,
    /// Coverage by enumeration area, in the order to show.
    pub areas: Vec<CoverageRow>,
    /// The distribution of match weights, one histogram per link type.
    pub weights: Vec<WeightHistogram>,
    /// Weights to mark on the histograms (the link threshold, a review band...).
    pub thresholds: Vec<WeightThreshold>,
    /// The trained models, one per link type.
    pub models: Vec<ModelSummary>,
    /// The blocking rules of each link type and the candidate pairs they made.
    pub blocking: Vec<BlockingRow>,
    /// The top missing candidates (as many as the caller chose to show).
    pub missing: Vec<MissingRow>,
    /// The true omissions expected among the missing candidates: the sum of their
    /// probabilities of residence.
    pub expected_omissions: f64,
    /// The reliability diagram of that probability against a generated district's truth
    /// (`run --truth`); empty without one.
    pub calibration: Vec<CalibrationBin>,
    /// The top duplicate candidates (as many as the caller chose to show).
    pub duplicates: Vec<DuplicateRow>,
    /// Data-quality findings from profiling the sources.
    pub findings: Vec<QualityFinding>,
}

/// One source's rows: read = linked + unlinked + rejected, and usable = read − rejected.
#[derive(Debug, Clone, Default)]
pub struct SourceCounts {
    /// The source's name in the job.
    pub name: String,
    /// Its role (`census`, `hukou`...).
    pub role: String,
    /// Rows read from the file.
    pub read: u64,
    /// Rows kept for linkage.
    pub usable: u64,
    /// Rows that cannot be linked.
    pub rejected: u64,
    /// Row issues found.
    pub issues: u64,
    /// Rows in at least one link.
    pub linked: u64,
    /// Usable rows in no link.
    pub unlinked: u64,
}

/// The row counts of the lists a run writes.
#[derive(Debug, Clone, Default)]
pub struct ListCounts {
    /// Links between records of two sources.
    pub links: u64,
    /// Missing candidates.
    pub missing: u64,
    /// Duplicate candidates.
    pub duplicates: u64,
    /// Census records of people recorded dead before the reference moment.
    pub deceased: u64,
    /// Births not enumerated.
    pub births: u64,
    /// Identity conflicts.
    pub conflicts: u64,
}

/// One area's coverage: the counts and the Chapman estimate with its 95 % interval.
#[derive(Debug, Clone, Default)]
pub struct CoverageRow {
    /// The area's code (empty for people placed nowhere finer).
    pub code: String,
    /// The area's name, if known (may be empty).
    pub name: String,
    /// Census usual residents counted there.
    pub census: u64,
    /// People the registers place there.
    pub admin: u64,
    /// People in both.
    pub matched: u64,
    /// The estimated population N̂; NaN (shown as —) when there is nothing to estimate from
    /// (no register person, no census person, or none in both).
    pub population: f64,
    /// Lower end of its 95 % interval.
    pub low: f64,
    /// Upper end of its 95 % interval.
    pub high: f64,
}

/// A histogram of match weights of one link type's candidate pairs.
#[derive(Debug, Clone, Default)]
pub struct WeightHistogram {
    /// The link type, as shown (`census ↔ hukou`).
    pub link: String,
    /// The bins, in increasing order of weight.
    pub bins: Vec<WeightBin>,
}

/// One bin of a [`WeightHistogram`]: the pairs whose weight is in `[low, high)`.
#[derive(Debug, Clone, Copy, Default)]
pub struct WeightBin {
    /// Lower edge (log2 odds).
    pub low: f64,
    /// Upper edge (log2 odds).
    pub high: f64,
    /// Pairs in the bin.
    pub count: u64,
}

/// A match weight marked on the histograms.
#[derive(Debug, Clone, Default)]
pub struct WeightThreshold {
    /// What it is, as shown (`link threshold`).
    pub label: String,
    /// The weight (log2 odds).
    pub weight: f64,
}

/// One link type's trained model.
#[derive(Debug, Clone, Default)]
pub struct ModelSummary {
    /// The link type, as shown (`census ↔ hukou`).
    pub link: String,
    /// The prior probability that two records match.
    pub prior: f64,
    /// Each comparison with its levels.
    pub comparisons: Vec<ComparisonSummary>,
}

/// One comparison of a [`ModelSummary`].
#[derive(Debug, Clone, Default)]
pub struct ComparisonSummary {
    /// The field (feature) compared.
    pub field: String,
    /// Its levels, closest first, without level 0 ("missing", which weighs nothing).
    pub levels: Vec<LevelSummary>,
}

/// One level's parameters; its weight is log2(m/u).
#[derive(Debug, Clone, Default)]
pub struct LevelSummary {
    /// The level's label (`exact`, `jaro_winkler >= 0.92`...).
    pub label: String,
    /// How often true matches agree at this level, in [0, 1].
    pub m: f64,
    /// How often non-matches do, in [0, 1].
    pub u: f64,
}

/// One blocking rule and what it contributed.
#[derive(Debug, Clone, Default)]
pub struct BlockingRow {
    /// The link type, as shown (`census ↔ hukou`).
    pub link: String,
    /// The rule's name.
    pub rule: String,
    /// Blocks with at least one pair.
    pub blocks: u64,
    /// Candidate pairs this rule made that no earlier rule had.
    pub pairs: u64,
    /// Pairs of the largest block, if known.
    pub largest_block: Option<u64>,
    /// Blocks over the cap, whose pairs this rule did not make.
    pub capped_blocks: u64,
}

/// A missing candidate as the report lists it.
#[derive(Debug, Clone, Default)]
pub struct MissingRow {
    /// The candidate's stable ID.
    pub id: String,
    /// The enumeration area (or place) to look in; may be empty.
    pub area: String,
    /// 1 (most probable) to 3.
    pub tier: u8,
    /// The probability that the person lives in the district.
    pub probability: f64,
    /// What moved the probability, term by term.
    pub evidence: String,
    /// The registers that hold the person, as shown (`hukou;school`).
    pub sources: String,
    /// The match probability of the nearest census record, if any pair was a candidate.
    pub nearest_probability: Option<f64>,
    /// That pair's match weight, term by term.
    pub explanation: Option<Waterfall>,
}

/// A duplicate candidate as the report lists it.
#[derive(Debug, Clone, Default)]
pub struct DuplicateRow {
    /// The candidate's stable ID.
    pub id: String,
    /// The enumeration areas of its records, as shown.
    pub area: String,
    /// Census records in the group.
    pub n_records: u64,
    /// The weakest match probability among the group's linked pairs.
    pub probability: f64,
    /// The weakest pair's match weight, term by term.
    pub explanation: Option<Waterfall>,
}

/// A pair's match weight as a sum: the prior's log2 odds, then each comparison's term; the
/// total is their sum.
#[derive(Debug, Clone, Default)]
pub struct Waterfall {
    /// The prior's log2 odds.
    pub prior_weight: f64,
    /// Each comparison's term, with its term-frequency adjustment, in model order.
    pub terms: Vec<WeightTerm>,
}

/// One term of a [`Waterfall`].
#[derive(Debug, Clone, Default)]
pub struct WeightTerm {
    /// What was found (`name exact`).
    pub label: String,
    /// Its weight (log2 odds).
    pub weight: f64,
}

/// A data-quality finding from profiling a source.
#[derive(Debug, Clone, Default)]
pub struct QualityFinding {
    /// The source's name.
    pub source: String,
    /// The field or column concerned (may be empty).
    pub field: String,
    /// What was found, as shown.
    pub finding: String,
    /// Rows concerned.
    pub count: u64,
    /// How much it matters.
    pub severity: QualitySeverity,
}

/// How much a [`QualityFinding`] matters, least first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum QualitySeverity {
    /// Worth knowing.
    #[default]
    Note,
    /// May affect linkage or the lists.
    Warning,
    /// Affects them: look before using the lists.
    Error,
}

/// The report as one HTML5 document, in `lang` (Chinese by default). Every text of `data` is
/// escaped, and the output never contains `http` (data text that does is written with a
/// character reference), so that the file loads nothing from anywhere.
pub fn render_report(data: &ReportData, lang: Lang) -> String {
    let title = lang.pick("人口普查与行政记录比对报告", "Census and administrative records report");
    render(data, lang, title, &CENSUS_SECTIONS)
}

/// The report of a linkage with no census semantics (`censuslink link` and `dedupe`): its
/// sources, the weights, the models, the blocking rules and the findings; of `data`, only
/// these are read.
pub fn render_linkage_report(data: &ReportData, lang: Lang) -> String {
    let title = lang.pick("记录链接报告", "Record linkage report");
    render(data, lang, title, &LINKAGE_SECTIONS)
}

fn render(data: &ReportData, lang: Lang, title: &str, sections: &[Section]) -> String {
    let mut out = String::with_capacity(256 * 1024);
    out.push_str(&format!(
        "<!doctype html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} · {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        lang.pick("zh-CN", "en"),
        escape(title),
        escape(&data.job),
    ));
    header(&mut out, data, lang, title, sections);
    for (idx, section) in sections.iter().enumerate() {
        out.push_str(&format!(
            "<section id=\"{}\">\n<h2>{}. {}</h2>\n",
            section.anchor,
            idx + 1,
            escape(lang.pick(section.zh, section.en))
        ));
        (section.body)(&mut out, data, lang);
        out.push_str("</section>\n");
    }
    out.push_str(&format!(
        "</main>\n<footer>{} · {}</footer>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        escape(lang.pick("censuslink 生成", "Made by censuslink")),
        escape(&data.run_date)
    ));
    out
}

/// A section of a report: its anchor, its titles in Chinese and English, and what writes it.
struct Section {
    anchor: &'static str,
    zh: &'static str,
    en: &'static str,
    body: fn(&mut String, &ReportData, Lang),
}

const SOURCES: Section = Section {
    anchor: "sources",
    zh: "数据源与行核算",
    en: "Sources and row accounting",
    body: sources_section,
};

const WEIGHTS: Section = Section {
    anchor: "weights",
    zh: "匹配权重分布",
    en: "Distribution of match weights",
    body: weights_section,
};

const MODEL: Section = Section {
    anchor: "model",
    zh: "模型参数 m 与 u",
    en: "Model parameters m and u",
    body: model_section,
};

const BLOCKING: Section =
    Section {
        anchor: "blocking", zh: "分块规则", en: "Blocking rules", body: blocking_section
    };

const QUALITY: Section =
    Section { anchor: "quality", zh: "数据质量", en: "Data quality", body: findings_section };

/// The census report's sections.
const CENSUS_SECTIONS: [Section; 8] = [
    SOURCES,
    Section {
        anchor: "lists",
        zh: "清单与全区覆盖率",
        en: "Lists and district coverage",
        body: lists_section,
    },
    Section {
        anchor: "coverage",
        zh: "分区覆盖率",
        en: "Coverage by area",
        body: coverage_section,
    },
    WEIGHTS,
    MODEL,
    BLOCKING,
    Section {
        anchor: "candidates",
        zh: "重点候选",
        en: "Top candidates",
        body: candidates_section,
    },
    QUALITY,
];

/// A linkage report's sections.
const LINKAGE_SECTIONS: [Section; 5] = [SOURCES, WEIGHTS, MODEL, BLOCKING, QUALITY];

fn header(out: &mut String, data: &ReportData, lang: Lang, title: &str, sections: &[Section]) {
    out.push_str(&format!("<header>\n<h1>{}</h1>\n<dl class=\"meta\">\n", escape(title)));
    let items = [
        (lang.pick("任务文件", "Job"), &data.job),
        (lang.pick("标准时点", "Reference moment"), &data.reference_moment),
        (lang.pick("运行日期", "Run date"), &data.run_date),
    ];
    for (label, value) in items.into_iter().filter(|(_, value)| !value.is_empty()) {
        out.push_str(&format!("<div><dt>{}</dt><dd>{}</dd></div>\n", escape(label), escape(value)));
    }
    out.push_str("</dl>\n</header>\n<nav>\n<ol>\n");
    for section in sections {
        out.push_str(&format!(
            "<li><a href=\"#{}\">{}</a></li>\n",
            section.anchor,
            escape(lang.pick(section.zh, section.en))
        ));
    }
    out.push_str("</ol>\n</nav>\n<main>\n");
}

const STYLE: &str = include_str!("report.css");

const SCRIPT: &str = include_str!("report.js");

#[cfg(test)]
mod tests {
    use censuslink_model::Lang;

    use crate::evaluate::CalibrationBin;
    use crate::html::{
        BlockingRow, ComparisonSummary, CoverageRow, DuplicateRow, LevelSummary, ListCounts,
        MissingRow, ModelSummary, QualityFinding, QualitySeverity, ReportData, SourceCounts,
        Waterfall, WeightBin, WeightHistogram, WeightTerm, WeightThreshold, count, escape, fixed,
        nice_axis, render_report,
    };

    fn coverage_row(code: &str, census: u64, population: f64, low: f64, high: f64) -> CoverageRow {
        CoverageRow {
            code: code.to_owned(),
            name: String::new(),
            census,
            admin: census,
            matched: census * 9 / 10,
            population,
            low,
            high,
        }
    }

    /// A small report with one of everything.
    fn fixture() -> ReportData {
        ReportData {
            job: "sample-data/job.toml".to_owned(),
            reference_moment: "2020-11-01T00:00:00".to_owned(),
            run_date: "2024-05-06".to_owned(),
            sources: vec![SourceCounts {
                name: "census".to_owned(),
                role: "census".to_owned(),
                read: 20_223,
                usable: 20_223,
                rejected: 0,
                issues: 206,
                linked: 19_901,
                unlinked: 322,
            }],
            lists: ListCounts {
                links: 53_151,
                missing: 661,
                duplicates: 165,
                deceased: 6,
                births: 13,
                conflicts: 867,
            },
            district: coverage_row("", 19_400, 20_035.39, 20_026.97, 20_043.81),
            assumptions: vec!["the two lists are independent".to_owned()],
            counties: vec![coverage_row("320115", 19_400, 20_035.39, 20_026.97, 20_043.81)],
            townships: vec![
                CoverageRow {
                    name: "东山街道".to_owned(),
                    ..coverage_row("320115001", 900, 1000.0, 950.0, 1050.0)
                },
                coverage_row("320115002", 450, 500.0, 480.0, 520.0),
            ],
            areas: vec![coverage_row("320115001001001", 90, 100.0, 95.0, 105.0)],
            weights: vec![WeightHistogram {
                link: "census ↔ hukou".to_owned(),
                bins: vec![
                    WeightBin { low: -20.0, high: 0.0, count: 999 },
                    WeightBin { low: 0.0, high: 20.0, count: 9 },
                    WeightBin { low: 20.0, high: 40.0, count: 99 },
                ],
            }],
            thresholds: vec![WeightThreshold { label: "link threshold".to_owned(), weight: 10.0 }],
            models: vec![ModelSummary {
                link: "census ↔ hukou".to_owned(),
                prior: 0.0001,
                comparisons: vec![ComparisonSummary {
                    field: "name".to_owned(),
                    levels: vec![
                        LevelSummary { label: "exact".to_owned(), m: 0.9, u: 0.1 },
                        LevelSummary { label: "jaro_winkler >= 0.92".to_owned(), m: 0.05, u: 0.2 },
                    ],
                }],
            }],
            blocking: vec![BlockingRow {
                link: "census ↔ hukou".to_owned(),
                rule: "id_number".to_owned(),
                blocks: 15_000,
                pairs: 16_000,
                largest_block: Some(6),
                capped_blocks: 0,
            }],
            expected_omissions: 0.93,
            calibration: vec![
                CalibrationBin {
                    low: 0.0,
                    candidates: 300,
                    mean_probability: 0.02,
                    observed: 0.01,
                    standard_error: 0.008,
                },
                CalibrationBin {
                    low: 0.9,
                    candidates: 40,
                    mean_probability: 0.95,
                    observed: 0.9,
                    standard_error: 0.034,
                },
            ],
            missing: vec![MissingRow {
                id: "088fda19462180e8".to_owned(),
                area: "320115006205002".to_owned(),
                tier: 1,
                probability: 0.93,
                evidence: "insurance paid +3.05".into(),
                sources: "hukou;school;insurance".to_owned(),
                nearest_probability: Some(0.123_456),
                explanation: Some(Waterfall {
                    prior_weight: -20.0,
                    terms: vec![
                        WeightTerm { label: "name exact".to_owned(), weight: 13.0 },
                        WeightTerm { label: "birth_date else".to_owned(), weight: -4.0 },
                    ],
                }),
            }],
            duplicates: vec![DuplicateRow {
                id: "009f39b91b1be8b5".to_owned(),
                area: "320115006205003".to_owned(),
                n_records: 2,
                probability: 0.987_64,
                explanation: Some(Waterfall {
                    prior_weight: -20.0,
                    terms: vec![WeightTerm { label: "id_number exact".to_owned(), weight: 30.0 }],
                }),
            }],
            findings: vec![QualityFinding {
                source: "census".to_owned(),
                field: "id_number".to_owned(),
                finding: "bad check digit".to_owned(),
                count: 101,
                severity: QualitySeverity::Warning,
            }],
        }
    }

    /// The `attribute` values of the elements of `class`, in document order.
    fn attributes(html: &str, class: &str, attribute: &str) -> Vec<String> {
        let needle = format!("class=\"{class}\"");
        html.match_indices(&needle)
            .map(|(at, _)| {
                let element = &html[at..at + html[at..].find('>').expect("a closed tag")];
                let start = element.find(&format!(" {attribute}=\"")).expect("the attribute")
                    + attribute.len()
                    + 3;
                element[start..start + element[start..].find('"').expect("quoted")].to_owned()
            })
            .collect()
    }

    /// The part of `html` from the element with `id` to the end of its `tag`.
    fn element<'a>(html: &'a str, id: &str, tag: &str) -> &'a str {
        let start = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("#{id}"));
        let end = start + html[start..].find(&format!("</{tag}>")).expect("closed");
        &html[start..end]
    }

    #[test]
    fn the_reliability_diagram_places_each_tenth_and_the_expected_omissions_are_shown() {
        let html = render_report(&fixture(), Lang::Zh);
        let chart = element(&html, "reliability-chart", "svg");
        // A dot per tenth: (0.02, 0.01) and (0.95, 0.9) on the 320-unit square at (70, 20);
        // the larger tenth the larger dot (3 + 9 × √(n / largest)).
        assert_eq!(chart.matches("<circle").count(), 2);
        assert!(chart.contains("cx=\"76.4\" cy=\"336.8\" r=\"12.0\""), "{chart}");
        assert!(chart.contains("cx=\"374.0\" cy=\"52.0\" r=\"6.3\""), "{chart}");
        assert!(chart.contains("0.9–1.0：40 人，预测 0.950，实际 0.900"), "{chart}");
        assert!(element(&html, "expected-omissions", "p").contains("<strong>1</strong>"));
        // Without a truth, a note says how to draw it.
        let mut data = fixture();
        data.calibration.clear();
        let html = render_report(&data, Lang::En);
        assert!(!html.contains("reliability-chart"));
        assert!(html.contains("run with --truth"));
    }

    #[test]
    fn svg_coordinates_are_plain_numbers_at_district_scale() {
        // 120 areas make the area chart taller than 1,000 units: no coordinate may be written
        // with a thousands separator, which would void the whole attribute.
        let mut data = fixture();
        data.areas = (0..120)
            .map(|i| CoverageRow {
                code: format!("320115001{i:03}001"),
                census: 4_000 + i,
                admin: 4_100,
                matched: 3_900,
                population: 4_205.0,
                low: 4_190.0,
                high: 4_220.0,
                ..CoverageRow::default()
            })
            .collect();
        let html = render_report(&data, Lang::Zh);
        for attribute in ["viewBox", "x", "y", "width", "height", "x1", "x2", "y1", "y2", "d"] {
            let marker = format!(" {attribute}=\"");
            for (at, _) in html.match_indices(&marker) {
                let value = &html[at + marker.len()..];
                let value = &value[..value.find('"').expect("a closed attribute")];
                assert!(!value.contains(','), "{attribute}=\"{value}\"");
            }
        }
        assert!(html.contains("viewBox=\"0 0 960 1"), "a tall area chart");
    }

    #[test]
    fn the_report_has_every_section_in_chinese() {
        let html = render_report(&fixture(), Lang::Zh);
        assert!(html.starts_with(
            "<!doctype html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">"
        ));
        assert!(html.trim_end().ends_with("</html>"));
        for anchor in [
            "sources",
            "lists",
            "coverage",
            "weights",
            "model",
            "blocking",
            "candidates",
            "quality",
        ] {
            assert!(html.contains(&format!("<section id=\"{anchor}\">")), "{anchor}");
        }
        for id in ["coverage-township-chart", "coverage-area-chart", "weights-chart"] {
            assert!(html.contains(&format!("<svg id=\"{id}\"")), "{id}");
        }
        for id in [
            "sources-table",
            "coverage-township-table",
            "coverage-area-table",
            "model-table",
            "blocking-table",
            "missing-table",
            "duplicates-table",
            "findings-table",
        ] {
            assert!(html.contains(&format!("<table class=\"sortable\" id=\"{id}\">")), "{id}");
        }
        assert_eq!(
            html.matches("<table ").count(),
            html.matches("<table class=\"sortable\"").count()
        );
        // Header and counts, with thousands separators.
        assert!(html.contains("<dd>sample-data/job.toml</dd>"));
        assert!(html.contains("<dd>2020-11-01T00:00:00</dd>"));
        assert!(html.contains("<dd>2024-05-06</dd>"));
        assert!(html.contains("<td class=\"num\" data-v=\"20223\">20,223</td>"));
        assert!(html.contains("<span class=\"ok\">✓</span>"), "19,901 + 322 + 0 = 20,223");
        assert!(html.contains(
            "<div class=\"card-value\">53,151</div><div class=\"card-label\">链接</div>"
        ));
        assert!(html.contains("<div class=\"card-value\">20,035</div>"));
        assert!(html.contains("95% 区间 20,027 – 20,044"));
        assert!(html.contains("<li>the two lists are independent</li>"));
        // 19,400 / 20,035.39 = 96.83 %.
        assert!(html.contains("<div class=\"card-value\">96.83%</div>"));
        assert!(html.contains("<td>东山街道</td>"));
        // m = 0.9, u = 0.1: log2 9 = 3.17; m = 0.05, u = 0.2: log2 0.25 = -2.
        let model = element(&html, "model-table", "table");
        assert!(model.contains("<td class=\"num\" data-v=\"0.9\">0.9000</td>"));
        assert!(model.contains("<span class=\"weight\">+3.17</span>"), "{model}");
        assert!(model.contains("<span class=\"weight\">-2.00</span>"), "{model}");
        assert!(html.contains("先验概率 1.00e-4 (权重 -13.29)"));
        // Candidates: the probability with 4 decimals, the waterfall's total -20 + 13 - 4 = -11.
        let missing = element(&html, "missing-table", "table");
        assert!(missing.contains("<td class=\"code\">088fda19462180e8</td>"));
        assert!(missing.contains(">0.1235</td>"));
        assert!(missing.contains("<details><summary>-11.00"), "{missing}");
        assert!(missing.contains("<svg class=\"waterfall\""));
        assert!(missing.contains(">先验</text>") && missing.contains(">合计</text>"));
        assert!(html.contains("（显示前 1 个，共 661 个）"));
        let duplicates = element(&html, "duplicates-table", "table");
        assert!(duplicates.contains("<td class=\"num\" data-v=\"0.98764\">0.9876</td>"));
        assert!(duplicates.contains("<details><summary>+10.00"));
        let findings = element(&html, "findings-table", "table");
        assert!(findings.contains("<span class=\"severity warning\">警告</span>"));
        assert!(
            findings.contains("<td>bad check digit</td><td class=\"num\" data-v=\"101\">101</td>")
        );
        assert!(html.contains("<script>") && html.contains("data-ready"));
    }

    #[test]
    fn text_from_the_data_is_escaped() {
        let mut data = fixture();
        data.missing[0].explanation.as_mut().expect("a waterfall").terms[0].label =
            "<script>alert(1)</script>".to_owned();
        data.job = "a&b \"c\" 'd'.toml".to_owned();
        data.findings[0].finding = "name < 2 chars & id > 18".to_owned();
        let html = render_report(&data, Lang::Zh);
        assert!(!html.contains("<script>alert"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("<dd>a&amp;b &quot;c&quot; &#39;d&#39;.toml</dd>"));
        assert!(html.contains("<td>name &lt; 2 chars &amp; id &gt; 18</td>"));
        // The level label's `>=` too.
        assert!(html.contains("<td>jaro_winkler &gt;= 0.92</td>"));
        // Only the report's own script.
        assert_eq!(html.matches("<script").count(), 1);
        assert_eq!(escape("x"), "x");
    }

    #[test]
    fn bars_are_proportional_to_the_values() {
        let html = render_report(&fixture(), Lang::Zh);
        let chart = element(&html, "coverage-township-chart", "svg");
        // The largest value is 1,050: steps of 250 (1,050 / 5 = 210, rounded up to 250), so the
        // axis ends at 1,250 and 560 units of plot are 1,250 people.
        assert_eq!(nice_axis(1050.0), (1250.0, 250.0));
        let widths = |class| -> Vec<String> { attributes(chart, class, "width") };
        // 900 / 1,250 × 560 = 403.2; 450 → 201.6.
        assert_eq!(widths("bar-census"), ["403.2", "201.6"]);
        // 1,000 / 1,250 × 560 = 448; 500 → 224.
        assert_eq!(widths("bar-estimate"), ["448.0", "224.0"]);
        // Whiskers from 180 + 950 / 1,250 × 560 = 605.6 to 180 + 1,050 / 1,250 × 560 = 650.4.
        assert!(chart.contains("d=\"M605.6 56.0H650.4"), "{chart}");
        assert!(chart.contains(">90.00% <tspan class=\"dim\">(85.71% – 94.74%)</tspan>"));

        // Histogram: heights log10(1 + n) / log10(1 + 999) × 120: 999 → 120, 9 → 40, 99 → 80.
        let weights = element(&html, "weights-chart", "svg");
        assert_eq!(attributes(weights, "bar-weight", "height"), ["120.0", "40.0", "80.0"]);
        // Weights from -20 to 40 over 860 units from x = 70: the bins start at 70, 356.7, 643.3.
        assert_eq!(attributes(weights, "bar-weight", "x"), ["70.0", "356.7", "643.3"]);
        // The threshold at 10: 70 + 30 / 60 × 860 = 500.
        assert!(weights.contains("<line x1=\"500.0\""), "{weights}");

        // Waterfall of the missing candidate: weights from -20 to 0 over 200 units from x = 170:
        // the prior -20 (200 units), name +13 (130), birth date -4 (40), the total -11 from 0
        // (110, from 170 + 9 / 20 × 200 = 260).
        let missing = element(&html, "missing-table", "table");
        assert_eq!(attributes(missing, "prior", "width"), ["200.0"]);
        assert_eq!(attributes(missing, "pos", "width"), ["130.0"]);
        assert_eq!(attributes(missing, "neg", "width"), ["40.0"]);
        assert_eq!(attributes(missing, "total", "width"), ["110.0"]);
        assert_eq!(attributes(missing, "total", "x"), ["260.0"]);

        // The weights of m and u: log2 9 = 3.17 is the largest, 58 units; -2 is 2 / 3.17 of it.
        let model = element(&html, "model-table", "table");
        assert_eq!(attributes(model, "pos", "width"), ["58.0"]);
        assert_eq!(attributes(model, "neg", "width"), ["36.6"]);
        assert_eq!(attributes(model, "neg", "x"), ["23.4"]);
    }

    #[test]
    fn english_labels_with_lang_en() {
        let html = render_report(&fixture(), Lang::En);
        assert!(html.contains("<html lang=\"en\">"));
        for label in [
            "Sources and row accounting",
            "Coverage by area",
            "Distribution of match weights",
            "Blocking rules",
            "Missing candidates",
            "Duplicate candidates",
            "Data quality",
            "<div class=\"card-label\">Links</div>",
            "(top 1 of 661)",
            ">prior</text>",
            ">total</text>",
            "<span class=\"severity warning\">warning</span>",
        ] {
            assert!(html.contains(label), "{label}");
        }
        let chinese: String = html
            .replace("东山街道", "")
            .chars()
            .filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c))
            .collect();
        assert_eq!(chinese, "", "only the data's own Chinese");
    }

    #[test]
    fn the_output_loads_nothing_from_anywhere() {
        let mut data = fixture();
        data.findings[0].finding = "see HTTP://example.org and https://x".to_owned();
        for lang in [Lang::Zh, Lang::En] {
            let html = render_report(&data, lang);
            assert!(!html.to_ascii_lowercase().contains("http"), "{lang:?}");
            assert!(!html.contains(" src=") && !html.contains("<link") && !html.contains("url("));
        }
        assert_eq!(escape("http"), "h&#116;tp");
        // An empty report still has its charts, and says there is nothing.
        let html = render_report(&ReportData::default(), Lang::Zh);
        assert!(
            html.contains("<svg id=\"coverage-area-chart\"") && html.contains(">无数据</text>")
        );
    }

    #[test]
    fn numbers_are_formatted_for_reading() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000), "1,000");
        assert_eq!(count(53_151), "53,151");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(fixed(20_035.39, 1), "20,035.4");
        assert_eq!(fixed(-1234.4, 0), "-1,234");
        assert_eq!(fixed(-0.001, 2), "0.00");
        assert_eq!(fixed(f64::NAN, 2), "—");
    }
}
