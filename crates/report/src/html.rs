//! The analysts' report, `report.html`: one self-contained HTML file (inline CSS, SVG charts
//! and a small script for sortable, filterable tables; no fonts, images, scripts or links from
//! anywhere else) rendered from plain data the caller fills in, [`ReportData`].

use censuslink_model::Lang;
use censuslink_reconcile::thousands;

use crate::evaluate::CalibrationBin;

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

fn sources_section(out: &mut String, data: &ReportData, lang: Lang) {
    out.push_str(&format!(
        "<p class=\"note\">{}</p>\n",
        escape(lang.pick(
            "每个数据源读取的行 = 已链接 + 未链接 + 剔除；可用 = 读取 − 剔除。",
            "Every row read is linked, unlinked or rejected; usable = read − rejected."
        ))
    ));
    let headers = [
        (lang.pick("数据源", "Source"), false),
        (lang.pick("角色", "Role"), false),
        (lang.pick("读取", "Read"), true),
        (lang.pick("可用", "Usable"), true),
        (lang.pick("剔除", "Rejected"), true),
        (lang.pick("行问题", "Issues"), true),
        (lang.pick("已链接", "Linked"), true),
        (lang.pick("未链接", "Unlinked"), true),
        (lang.pick("核算", "Accounting"), false),
    ];
    let rows = data
        .sources
        .iter()
        .map(|s| {
            let accounted = s.linked + s.unlinked + s.rejected;
            let check = match accounted == s.read {
                true => format!("<span class=\"ok\">✓</span> {}", accounting_bar(s, lang)),
                false => format!(
                    "<span class=\"bad\">✗ {} {}</span>",
                    escape(lang.pick("差", "off by")),
                    count(s.read.abs_diff(accounted))
                ),
            };
            vec![
                Cell::text(&s.name),
                Cell::text(&s.role),
                Cell::count(s.read),
                Cell::count(s.usable),
                Cell::count(s.rejected),
                Cell::count(s.issues),
                Cell::count(s.linked),
                Cell::count(s.unlinked),
                Cell::Markup { html: check, sort: (accounted == s.read).to_string(), class: "" },
            ]
        })
        .collect();
    table(out, lang, "sources-table", &headers, rows);
}

/// A bar of a source's rows: linked, unlinked, rejected.
fn accounting_bar(s: &SourceCounts, lang: Lang) -> String {
    const WIDTH: f64 = 120.0;
    let total = (s.linked + s.unlinked + s.rejected).max(1) as f64;
    let mut svg = format!(
        "<svg class=\"accounting\" width=\"{WIDTH}\" height=\"10\" viewBox=\"0 0 {WIDTH} 10\" \
         role=\"img\" aria-label=\"{}\">",
        escape(lang.pick("行构成", "rows"))
    );
    let mut x = 0.0;
    let parts = [
        ("linked", lang.pick("已链接", "linked"), s.linked),
        ("unlinked", lang.pick("未链接", "unlinked"), s.unlinked),
        ("rejected", lang.pick("剔除", "rejected"), s.rejected),
    ];
    for (class, label, n) in parts {
        let width = n as f64 / total * WIDTH;
        svg.push_str(&format!(
            "<rect class=\"{class}\" x=\"{}\" y=\"0\" width=\"{}\" height=\"10\">\
             <title>{} {}</title></rect>",
            coord(x),
            coord(width),
            escape(label),
            count(n)
        ));
        x += width;
    }
    svg.push_str("</svg>");
    svg
}

fn lists_section(out: &mut String, data: &ReportData, lang: Lang) {
    let l = &data.lists;
    let lists = [
        (lang.pick("链接", "Links"), l.links),
        (lang.pick("漏登候选", "Missing candidates"), l.missing),
        (lang.pick("重复登记候选", "Duplicate candidates"), l.duplicates),
        (lang.pick("已死亡仍登记", "Deceased enumerated"), l.deceased),
        (lang.pick("出生未登记", "Births not enumerated"), l.births),
        (lang.pick("身份冲突", "Identity conflicts"), l.conflicts),
    ];
    out.push_str("<div class=\"cards\" id=\"list-counts\">\n");
    for (label, n) in lists {
        card(out, label, &count(n), "");
    }
    out.push_str("</div>\n");
    let d = &data.district;
    out.push_str(&format!(
        "<h3>{}</h3>\n<div class=\"cards\" id=\"district-coverage\">\n",
        escape(lang.pick(
            "全区覆盖率估计（Chapman 双系统估计）",
            "District coverage (Chapman dual-system estimate)"
        ))
    ));
    card(
        out,
        lang.pick("估计人口 N̂", "Estimated population N̂"),
        &fixed(d.population, 0),
        &match d.population.is_finite() {
            true => format!(
                "95% {} {} – {}",
                lang.pick("区间", "interval"),
                fixed(d.low, 0),
                fixed(d.high, 0)
            ),
            false => lang
                .pick(
                    "无从估计：没有学籍、医保或出生登记与普查比对上",
                    "nothing to estimate from: no school, insurance or birth register person links to the census",
                )
                .to_owned(),
        },
    );
    card(out, lang.pick("普查人数", "Census count"), &count(d.census), "");
    card(out, lang.pick("登记人数", "Register count"), &count(d.admin), "");
    card(out, lang.pick("两者均有", "Matched"), &count(d.matched), "");
    let (rate, rate_low, rate_high) = rates(d);
    card(
        out,
        lang.pick("覆盖率 普查 / N̂", "Coverage census / N̂"),
        &percent(rate),
        &format!("{} – {}", percent(rate_low), percent(rate_high)),
    );
    out.push_str("</div>\n");
    out.push_str(&format!(
        "<h3>{}</h3>\n<ol class=\"assumptions\">\n",
        escape(lang.pick("假设", "Assumptions"))
    ));
    for assumption in &data.assumptions {
        out.push_str(&format!("<li>{}</li>\n", escape(assumption)));
    }
    out.push_str("</ol>\n");
}

fn card(out: &mut String, label: &str, value: &str, detail: &str) {
    out.push_str(&format!(
        "<div class=\"card\"><div class=\"card-value\">{}</div><div class=\"card-label\">{}</div>",
        escape(value),
        escape(label)
    ));
    if !detail.is_empty() {
        out.push_str(&format!("<div class=\"card-detail\">{}</div>", escape(detail)));
    }
    out.push_str("</div>\n");
}

/// Coverage rate census / N̂ and its interval (census / high, census / low).
fn rates(row: &CoverageRow) -> (f64, f64, f64) {
    let census = row.census as f64;
    let rate = |n: f64| if n > 0.0 { census / n } else { f64::NAN };
    (rate(row.population), rate(row.high), rate(row.low))
}

fn coverage_section(out: &mut String, data: &ReportData, lang: Lang) {
    out.push_str(&format!(
        "<p class=\"note\">{}</p>\n",
        escape(lang.pick(
            "深色条为普查人数，浅色条为估计人口 N̂，横线为 N̂ 的 95% 区间；右侧为覆盖率（普查 / N̂）及其区间。",
            "Dark bars: census count; light bars: estimated population N̂; whiskers: its 95 % \
             interval; on the right, the coverage rate (census / N̂) and its interval."
        ))
    ));
    let levels = [
        ("township", lang.pick("按乡镇（街道）", "By township"), &data.townships),
        ("area", lang.pick("按普查小区", "By enumeration area"), &data.areas),
    ];
    for (level, title, rows) in levels {
        out.push_str(&format!("<h3>{}</h3>\n", escape(title)));
        // Areas without an estimate (nothing to estimate from) have no bar to draw.
        let estimated: Vec<CoverageRow> =
            rows.iter().filter(|r| r.population.is_finite()).cloned().collect();
        out.push_str(&coverage_chart(&format!("coverage-{level}-chart"), title, &estimated, lang));
        let headers = [
            (lang.pick("代码", "Code"), false),
            (lang.pick("名称", "Name"), false),
            (lang.pick("普查", "Census"), true),
            (lang.pick("登记", "Registers"), true),
            (lang.pick("两者均有", "Matched"), true),
            ("N̂", true),
            (lang.pick("95% 下限", "95% low"), true),
            (lang.pick("95% 上限", "95% high"), true),
            (lang.pick("覆盖率", "Coverage"), true),
            (lang.pick("覆盖率区间", "Coverage interval"), false),
        ];
        let table_rows = rows
            .iter()
            .map(|r| {
                let (rate, rate_low, rate_high) = rates(r);
                vec![
                    Cell::text(&area_label(&r.code, lang)),
                    Cell::text(&r.name),
                    Cell::count(r.census),
                    Cell::count(r.admin),
                    Cell::count(r.matched),
                    Cell::number(r.population, fixed(r.population, 1)),
                    Cell::number(r.low, fixed(r.low, 1)),
                    Cell::number(r.high, fixed(r.high, 1)),
                    Cell::number(rate, percent(rate)),
                    Cell::text(&format!("{} – {}", percent(rate_low), percent(rate_high))),
                ]
            })
            .collect();
        table(out, lang, &format!("coverage-{level}-table"), &headers, table_rows);
    }
}

fn area_label(code: &str, lang: Lang) -> String {
    match code.is_empty() {
        true => lang.pick("（未定位）", "(unplaced)").to_owned(),
        false => code.to_owned(),
    }
}

/// Width of the charts' drawing (SVG user units; the SVG scales to the page).
const CHART_WIDTH: f64 = 960.0;
/// Coverage chart: the labels' column, then the plot, then the rates' column.
const COVERAGE_LABEL_WIDTH: f64 = 180.0;
const COVERAGE_PLOT_WIDTH: f64 = 560.0;
/// A row's height, and a denser one for charts of many areas.
const COVERAGE_ROW_HEIGHT: f64 = 20.0;
const COVERAGE_DENSE_ROW_HEIGHT: f64 = 15.0;
const COVERAGE_DENSE_ROWS: usize = 40;
const COVERAGE_TOP: f64 = 46.0;

/// Horizontal bars per area: N̂ (light) with its interval as a whisker, the census count (dark)
/// over it, on a common axis from 0.
fn coverage_chart(id: &str, title: &str, rows: &[CoverageRow], lang: Lang) -> String {
    let max =
        rows.iter().map(|r| r.high.max(r.population).max(r.census as f64)).fold(0.0, f64::max);
    let (axis_max, step) = nice_axis(max);
    let row_height = match rows.len() > COVERAGE_DENSE_ROWS {
        true => COVERAGE_DENSE_ROW_HEIGHT,
        false => COVERAGE_ROW_HEIGHT,
    };
    let height = COVERAGE_TOP + row_height * rows.len().max(1) as f64 + 8.0;
    let x = |value: f64| COVERAGE_LABEL_WIDTH + value / axis_max * COVERAGE_PLOT_WIDTH;
    let width = |value: f64| value.max(0.0) / axis_max * COVERAGE_PLOT_WIDTH;
    let class = match rows.len() > COVERAGE_DENSE_ROWS {
        true => "chart coverage-chart dense",
        false => "chart coverage-chart",
    };
    let mut svg = svg_open(id, class, height, title);
    // Legend.
    let legend = [
        ("bar-estimate", lang.pick("估计人口 N̂", "estimated population N̂")),
        ("bar-census", lang.pick("普查人数", "census count")),
    ];
    let mut lx = COVERAGE_LABEL_WIDTH;
    for (class, label) in legend {
        svg.push_str(&format!(
            "<rect class=\"{class} legend\" x=\"{}\" y=\"6\" width=\"14\" height=\"10\"/>\
             <text x=\"{}\" y=\"15\">{}</text>",
            coord(lx),
            coord(lx + 18.0),
            escape(label)
        ));
        lx += 40.0 + text_width(label, 11.0);
    }
    svg.push_str(&format!(
        "<line class=\"whisker\" x1=\"{}\" y1=\"11\" x2=\"{}\" y2=\"11\"/>\
         <text x=\"{}\" y=\"15\">{}</text>",
        coord(lx),
        coord(lx + 20.0),
        coord(lx + 26.0),
        escape(lang.pick("95% 区间", "95% interval"))
    ));
    svg.push_str(&format!(
        "<text class=\"axis-title\" x=\"{}\" y=\"15\" text-anchor=\"start\">{}</text>",
        coord(COVERAGE_LABEL_WIDTH + COVERAGE_PLOT_WIDTH + 12.0),
        escape(lang.pick("覆盖率（区间）", "coverage (interval)"))
    ));
    // Axis: grid lines and labels.
    let bottom = height - 8.0;
    let mut tick = 0.0;
    while tick <= axis_max + step * 1e-9 {
        svg.push_str(&format!(
            "<line class=\"grid\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>\
             <text class=\"tick\" x=\"{0}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>",
            coord(x(tick)),
            coord(COVERAGE_TOP - 4.0),
            coord(bottom),
            coord(COVERAGE_TOP - 8.0),
            escape(&axis_number(tick, step))
        ));
        tick += step;
    }
    if rows.is_empty() {
        svg.push_str(&format!(
            "<text class=\"empty\" x=\"{}\" y=\"{}\">{}</text>",
            coord(COVERAGE_LABEL_WIDTH + 8.0),
            coord(COVERAGE_TOP + 14.0),
            escape(lang.pick("无数据", "no data"))
        ));
    }
    for (idx, r) in rows.iter().enumerate() {
        let y = COVERAGE_TOP + row_height * idx as f64;
        // Bars, whisker and text as fractions of the row: at 20 units, the estimate's bar is 14
        // high from 3 down, the census's 8 from 6, the whisker at 10, the text's baseline at 14.
        let at = |fraction: f64| coord(y + fraction * row_height);
        let tall = |fraction: f64| coord(fraction * row_height);
        let label = match r.name.is_empty() {
            true => area_label(&r.code, lang),
            false => format!("{} {}", area_label(&r.code, lang), r.name),
        };
        let (rate, rate_low, rate_high) = rates(r);
        svg.push_str(&format!(
            "<g class=\"row\"><title>{}: {} {} · N̂ {} ({} – {}) · {} {}</title>",
            escape(&label),
            escape(lang.pick("普查", "census")),
            count(r.census),
            coord(r.population),
            coord(r.low),
            coord(r.high),
            escape(lang.pick("覆盖率", "coverage")),
            percent(rate)
        ));
        svg.push_str(&format!(
            "<text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            coord(COVERAGE_LABEL_WIDTH - 8.0),
            at(0.7),
            escape(&truncate(&label, 26))
        ));
        svg.push_str(&format!(
            "<rect class=\"bar-estimate\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
            coord(COVERAGE_LABEL_WIDTH),
            at(0.15),
            coord(width(r.population)),
            tall(0.7)
        ));
        svg.push_str(&format!(
            "<rect class=\"bar-census\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
            coord(COVERAGE_LABEL_WIDTH),
            at(0.3),
            coord(width(r.census as f64)),
            tall(0.4)
        ));
        let (low, high) = (x(r.low.max(0.0)), x(r.high.max(0.0)));
        svg.push_str(&format!(
            "<path class=\"whisker\" d=\"M{0} {2}H{1}M{0} {3}V{4}M{1} {3}V{4}\"/>",
            coord(low),
            coord(high),
            at(0.5),
            at(0.25),
            at(0.75)
        ));
        svg.push_str(&format!(
            "<text class=\"rate\" x=\"{}\" y=\"{}\">{} <tspan class=\"dim\">({} – {})</tspan></text></g>",
            coord(COVERAGE_LABEL_WIDTH + COVERAGE_PLOT_WIDTH + 12.0),
            at(0.7),
            percent(rate),
            percent(rate_low),
            percent(rate_high)
        ));
    }
    svg.push_str("</svg>\n");
    svg
}

/// The reliability diagram's square plot: its side, and its place in the chart.
const RELIABILITY_SIDE: f64 = 320.0;
const RELIABILITY_LEFT: f64 = 70.0;
const RELIABILITY_TOP: f64 = 20.0;

/// The missing candidates' probability against the truth: each tenth's mean probability (x)
/// and observed share of true omissions (y), a dot whose area follows its candidates, beside
/// the diagonal a calibrated probability sits on; the figures listed to the right.
fn reliability_chart(bins: &[CalibrationBin], lang: Lang) -> String {
    let title = lang.pick(
        "漏登候选居住概率的可靠性图（按概率十分位：预测均值对实际漏登比例）",
        "Reliability of the missing candidates' probability (by tenth: mean predicted against observed)",
    );
    let height = RELIABILITY_TOP + RELIABILITY_SIDE + 50.0;
    let mut svg = svg_open("reliability-chart", "chart reliability", height, title);
    let x = |p: f64| RELIABILITY_LEFT + p * RELIABILITY_SIDE;
    let y = |p: f64| RELIABILITY_TOP + (1.0 - p) * RELIABILITY_SIDE;
    for tick in 0..=10 {
        let p = f64::from(tick) / 10.0;
        svg.push_str(&format!(
            "<line class=\"grid\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\
             <line class=\"grid\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
            coord(x(p)),
            coord(y(0.0)),
            coord(x(p)),
            coord(y(1.0)),
            coord(x(0.0)),
            coord(y(p)),
            coord(x(1.0)),
            coord(y(p)),
        ));
        if tick % 2 == 0 {
            svg.push_str(&format!(
                "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\
                 <text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                coord(x(p)),
                coord(y(0.0) + 14.0),
                fixed(p, 1),
                coord(x(0.0) - 6.0),
                coord(y(p) + 3.0),
                fixed(p, 1),
            ));
        }
    }
    svg.push_str(&format!(
        "<line class=\"diagonal\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\
         <text class=\"axis-title\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\
         <text class=\"axis-title\" x=\"14\" y=\"{}\" text-anchor=\"middle\" \
         transform=\"rotate(-90 14 {})\">{}</text>",
        coord(x(0.0)),
        coord(y(0.0)),
        coord(x(1.0)),
        coord(y(1.0)),
        coord(x(0.5)),
        coord(y(0.0) + 34.0),
        escape(lang.pick("预测居住概率（均值）", "predicted probability (mean)")),
        coord(y(0.5)),
        coord(y(0.5)),
        escape(lang.pick("实际漏登比例", "observed share of true omissions")),
    ));
    let largest = bins.iter().map(|b| b.candidates).max().unwrap_or(1).max(1) as f64;
    let text_x = x(1.0) + 60.0;
    for (i, bin) in bins.iter().enumerate() {
        let radius = 3.0 + 9.0 * (bin.candidates as f64 / largest).sqrt();
        svg.push_str(&format!(
            "<circle class=\"observed\" cx=\"{}\" cy=\"{}\" r=\"{}\"><title>{}</title></circle>",
            coord(x(bin.mean_probability)),
            coord(y(bin.observed)),
            coord(radius),
            escape(&reliability_line(bin, lang)),
        ));
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\">{}</text>",
            coord(text_x),
            coord(RELIABILITY_TOP + 14.0 + 18.0 * i as f64),
            escape(&reliability_line(bin, lang)),
        ));
    }
    svg.push_str("</svg>\n");
    svg
}

/// One tenth of the reliability diagram in words.
fn reliability_line(bin: &CalibrationBin, lang: Lang) -> String {
    let range = format!("{}–{}", fixed(bin.low, 1), fixed(bin.low + 0.1, 1));
    let n = thousands(bin.candidates as usize);
    let (predicted, observed) = (fixed(bin.mean_probability, 3), fixed(bin.observed, 3));
    match lang {
        Lang::Zh => format!("{range}：{n} 人，预测 {predicted}，实际 {observed}"),
        Lang::En => format!("{range}: {n} candidates, predicted {predicted}, observed {observed}"),
    }
}

fn svg_open(id: &str, class: &str, height: f64, title: &str) -> String {
    format!(
        "<svg id=\"{id}\" class=\"{class}\" viewBox=\"0 0 {CHART_WIDTH} {}\" \
         preserveAspectRatio=\"xMinYMin meet\" role=\"img\" aria-label=\"{}\">\
         <title>{}</title>",
        coord(height),
        escape(title),
        escape(title)
    )
}

/// Histogram panels: left margin for the counts, the plot, a little room on the right.
const HISTOGRAM_LEFT: f64 = 70.0;
const HISTOGRAM_PLOT_WIDTH: f64 = 860.0;
const HISTOGRAM_PANEL_HEIGHT: f64 = 120.0;
/// A panel's title above its plot, and the gap below it.
const HISTOGRAM_PANEL_TITLE: f64 = 22.0;
const HISTOGRAM_PANEL_GAP: f64 = 14.0;

fn weights_section(out: &mut String, data: &ReportData, lang: Lang) {
    out.push_str(&format!(
        "<p class=\"note\">{}</p>\n",
        escape(lang.pick(
            "每种链接的候选对按匹配权重（log2 几率）分组计数；纵轴为对数刻度 log10(1 + 对数)。竖线为阈值。",
            "Candidate pairs of each link type counted by match weight (log2 odds); the vertical \
             axis is logarithmic, log10(1 + pairs). Vertical lines mark the thresholds."
        ))
    ));
    out.push_str(&weights_chart(&data.weights, &data.thresholds, lang));
    if !data.thresholds.is_empty() {
        out.push_str("<ul class=\"thresholds\">\n");
        for t in &data.thresholds {
            out.push_str(&format!(
                "<li><span class=\"threshold-swatch\"></span>{}: {} {} · {} {}</li>\n",
                escape(&t.label),
                escape(lang.pick("权重", "weight")),
                signed(t.weight, 2),
                escape(lang.pick("概率", "probability")),
                probability_text(match_probability(t.weight))
            ));
        }
        out.push_str("</ul>\n");
    }
}

fn weights_chart(
    histograms: &[WeightHistogram],
    thresholds: &[WeightThreshold],
    lang: Lang,
) -> String {
    let edges = histograms.iter().flat_map(|h| h.bins.iter().flat_map(|b| [b.low, b.high]));
    let marks = thresholds.iter().map(|t| t.weight);
    let (mut lo, mut hi) = edges
        .chain(marks)
        .filter(|w| w.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), w| (lo.min(w), hi.max(w)));
    if lo > hi {
        (lo, hi) = (-10.0, 10.0);
    }
    if hi - lo < 1.0 {
        hi = lo + 1.0;
    }
    let x = |w: f64| HISTOGRAM_LEFT + (w - lo) / (hi - lo) * HISTOGRAM_PLOT_WIDTH;
    let top = 8.0 + 14.0 * thresholds.len() as f64;
    let panel = HISTOGRAM_PANEL_TITLE + HISTOGRAM_PANEL_HEIGHT + HISTOGRAM_PANEL_GAP;
    let panels_bottom = top + panel * histograms.len().max(1) as f64;
    let height = panels_bottom + 36.0;
    let title = lang.pick("匹配权重分布", "Distribution of match weights");
    let mut svg = svg_open("weights-chart", "chart weights-chart", height, title);
    // The x axis: ticks under the panels, grid lines through them.
    let (_, step) = nice_axis(hi - lo);
    let mut tick = (lo / step).ceil() * step;
    while tick <= hi + step * 1e-9 {
        svg.push_str(&format!(
            "<line class=\"grid\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>\
             <text class=\"tick\" x=\"{0}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>",
            coord(x(tick)),
            coord(top),
            coord(panels_bottom - HISTOGRAM_PANEL_GAP),
            coord(panels_bottom),
            escape(&axis_number(tick, step))
        ));
        tick += step;
    }
    svg.push_str(&format!(
        "<text class=\"axis-title\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
        coord(HISTOGRAM_LEFT + HISTOGRAM_PLOT_WIDTH / 2.0),
        coord(panels_bottom + 20.0),
        escape(lang.pick("匹配权重（log2 几率）", "match weight (log2 odds)"))
    ));
    if histograms.is_empty() {
        svg.push_str(&format!(
            "<text class=\"empty\" x=\"{}\" y=\"{}\">{}</text>",
            coord(HISTOGRAM_LEFT + 8.0),
            coord(top + 40.0),
            escape(lang.pick("无数据", "no data"))
        ));
    }
    for (idx, histogram) in histograms.iter().enumerate() {
        let panel_top = top + panel * idx as f64 + HISTOGRAM_PANEL_TITLE;
        let base = panel_top + HISTOGRAM_PANEL_HEIGHT;
        let max = histogram.bins.iter().map(|b| b.count).max().unwrap_or(0);
        let total: u64 = histogram.bins.iter().map(|b| b.count).sum();
        let scale = ((1 + max) as f64).log10().max(f64::MIN_POSITIVE);
        let bar_height = |n: u64| ((1 + n) as f64).log10() / scale * HISTOGRAM_PANEL_HEIGHT;
        svg.push_str(&format!(
            "<text class=\"panel-title\" x=\"{}\" y=\"{}\">{} <tspan class=\"dim\">{} {}</tspan></text>",
            coord(HISTOGRAM_LEFT),
            coord(panel_top - 8.0),
            escape(&histogram.link),
            count(total),
            escape(lang.pick("对", "pairs"))
        ));
        svg.push_str(&format!(
            "<line class=\"axis\" x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\"/>",
            coord(HISTOGRAM_LEFT),
            coord(base),
            coord(HISTOGRAM_LEFT + HISTOGRAM_PLOT_WIDTH)
        ));
        // Counts 1, 10, 100... up to the largest bin.
        let mut decade = 1u64;
        while decade <= max {
            let y = base - bar_height(decade);
            svg.push_str(&format!(
                "<line class=\"grid\" x1=\"{0}\" y1=\"{2}\" x2=\"{1}\" y2=\"{2}\"/>\
                 <text class=\"tick\" x=\"{3}\" y=\"{4}\" text-anchor=\"end\">{5}</text>",
                coord(HISTOGRAM_LEFT),
                coord(HISTOGRAM_LEFT + HISTOGRAM_PLOT_WIDTH),
                coord(y),
                coord(HISTOGRAM_LEFT - 6.0),
                coord(y + 4.0),
                count(decade)
            ));
            decade = match decade.checked_mul(10) {
                Some(next) => next,
                None => break,
            };
        }
        for bin in &histogram.bins {
            if bin.count == 0 {
                continue;
            }
            let h = bar_height(bin.count);
            let (x0, x1) = (x(bin.low), x(bin.high));
            svg.push_str(&format!(
                "<rect class=\"bar-weight\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\">\
                 <title>[{}, {}): {} {}</title></rect>",
                coord(x0),
                coord(base - h),
                coord((x1 - x0 - 0.5).max(0.5)),
                coord(h),
                signed(bin.low, 1),
                signed(bin.high, 1),
                count(bin.count),
                escape(lang.pick("对", "pairs"))
            ));
        }
    }
    for (idx, t) in thresholds.iter().enumerate() {
        let tx = x(t.weight);
        let label_y = 18.0 + 14.0 * idx as f64;
        let anchor = if tx > HISTOGRAM_LEFT + HISTOGRAM_PLOT_WIDTH * 0.7 { "end" } else { "start" };
        let offset = if anchor == "end" { -4.0 } else { 4.0 };
        svg.push_str(&format!(
            "<g class=\"threshold\"><title>{}</title>\
             <line x1=\"{1}\" y1=\"{2}\" x2=\"{1}\" y2=\"{3}\"/>\
             <text x=\"{4}\" y=\"{5}\" text-anchor=\"{anchor}\">{0}</text></g>",
            escape(&format!("{} {}", t.label, signed(t.weight, 2))),
            coord(tx),
            coord(label_y - 10.0),
            coord(panels_bottom - HISTOGRAM_PANEL_GAP),
            coord(tx + offset),
            coord(label_y)
        ));
    }
    svg.push_str("</svg>\n");
    svg
}

fn model_section(out: &mut String, data: &ReportData, lang: Lang) {
    out.push_str(&format!(
        "<p class=\"note\">{}</p>\n<ul class=\"priors\">\n",
        escape(lang.pick(
            "m：真匹配在该级别一致的比例；u：非匹配在该级别一致的比例；权重 = log2(m/u)。",
            "m: how often true matches agree at the level; u: how often non-matches do; \
             weight = log2(m/u)."
        ))
    ));
    for model in &data.models {
        out.push_str(&format!(
            "<li>{}: {} {} ({} {})</li>\n",
            escape(&model.link),
            escape(lang.pick("先验概率", "prior probability")),
            proportion(model.prior),
            escape(lang.pick("权重", "weight")),
            signed(weight_of_probability(model.prior), 2)
        ));
    }
    out.push_str("</ul>\n");
    let max_weight = data
        .models
        .iter()
        .flat_map(|m| m.comparisons.iter().flat_map(|c| c.levels.iter()))
        .map(|l| level_weight(l).abs())
        .filter(|w| w.is_finite())
        .fold(1.0, f64::max);
    let headers = [
        (lang.pick("链接", "Link"), false),
        (lang.pick("字段", "Field"), false),
        (lang.pick("级别", "Level"), false),
        ("m", true),
        ("u", true),
        (lang.pick("权重 log2(m/u)", "Weight log2(m/u)"), true),
    ];
    let mut rows = Vec::new();
    for model in &data.models {
        for comparison in &model.comparisons {
            for level in &comparison.levels {
                let weight = level_weight(level);
                rows.push(vec![
                    Cell::text(&model.link),
                    Cell::text(&comparison.field),
                    Cell::text(&level.label),
                    Cell::number(level.m, proportion(level.m)),
                    Cell::number(level.u, proportion(level.u)),
                    Cell::Markup {
                        html: format!(
                            "<span class=\"weight\">{}</span>{}",
                            signed(weight, 2),
                            weight_bar(weight, max_weight)
                        ),
                        sort: number_key(weight),
                        class: "num",
                    },
                ]);
            }
        }
    }
    table(out, lang, "model-table", &headers, rows);
}

/// log2(m/u) of a level, ±∞ when m or u is 0, NaN when both are.
fn level_weight(level: &LevelSummary) -> f64 {
    (level.m / level.u).log2()
}

/// A small bar of a weight around a zero line: to the right when positive.
fn weight_bar(weight: f64, max_weight: f64) -> String {
    const WIDTH: f64 = 120.0;
    const HALF: f64 = 58.0;
    let mid = WIDTH / 2.0;
    let length = match weight.is_finite() {
        true => (weight.abs() / max_weight).min(1.0) * HALF,
        false if weight.is_nan() => 0.0,
        false => HALF,
    };
    let (class, x) = if weight >= 0.0 { ("pos", mid) } else { ("neg", mid - length) };
    format!(
        "<svg class=\"weight-bar\" width=\"{WIDTH}\" height=\"12\" viewBox=\"0 0 {WIDTH} 12\" aria-hidden=\"true\">\
         <rect class=\"{class}\" x=\"{}\" y=\"2\" width=\"{}\" height=\"8\"/>\
         <line class=\"zero\" x1=\"{mid}\" y1=\"0\" x2=\"{mid}\" y2=\"12\"/></svg>",
        coord(x),
        coord(length)
    )
}

fn blocking_section(out: &mut String, data: &ReportData, lang: Lang) {
    out.push_str(&format!(
        "<p class=\"note\">{}</p>\n",
        escape(lang.pick(
            "候选对：该规则产生、且之前的规则未产生的记录对。超限块的记录对未由该规则产生。",
            "Candidate pairs: the pairs a rule made that no earlier rule had. The pairs of blocks \
             over the cap were not made by the rule."
        ))
    ));
    let mut totals = std::collections::BTreeMap::<&str, u64>::new();
    for row in &data.blocking {
        *totals.entry(&row.link).or_default() += row.pairs;
    }
    let headers = [
        (lang.pick("链接", "Link"), false),
        (lang.pick("规则", "Rule"), false),
        (lang.pick("块数", "Blocks"), true),
        (lang.pick("候选对", "Candidate pairs"), true),
        (lang.pick("占比", "Share"), true),
        (lang.pick("最大块（对）", "Largest block (pairs)"), true),
        (lang.pick("超限块", "Blocks over cap"), true),
    ];
    let rows = data
        .blocking
        .iter()
        .map(|row| {
            let total = totals.get(row.link.as_str()).copied().unwrap_or(0);
            let share = if total > 0 { row.pairs as f64 / total as f64 } else { f64::NAN };
            vec![
                Cell::text(&row.link),
                Cell::text(&row.rule),
                Cell::count(row.blocks),
                Cell::count(row.pairs),
                Cell::number(share, percent(share)),
                match row.largest_block {
                    Some(n) => Cell::count(n),
                    None => Cell::number(f64::NAN, "—".to_owned()),
                },
                Cell::count(row.capped_blocks),
            ]
        })
        .collect();
    table(out, lang, "blocking-table", &headers, rows);
}

fn candidates_section(out: &mut String, data: &ReportData, lang: Lang) {
    out.push_str(&format!(
        "<p class=\"note\">{}</p>\n",
        escape(lang.pick(
            "点开“权重构成”可看匹配权重的逐项瀑布图：从先验开始，每个字段加减权重，止于合计。",
            "Open a row's weight to see its waterfall: from the prior, each field's term, to the total."
        ))
    ));
    out.push_str(&format!(
        "<h3 id=\"missing\">{} <span class=\"dim\">{}</span></h3>\n",
        escape(lang.pick("漏登候选", "Missing candidates")),
        escape(&shown_of(data.missing.len(), data.lists.missing, lang))
    ));
    out.push_str(&format!(
        "<p id=\"expected-omissions\">{} <strong>{}</strong> {}</p>\n",
        escape(lang.pick(
            "按居住概率之和，候选中预计真实漏登约",
            "By the sum of their probabilities, about"
        )),
        escape(&thousands(data.expected_omissions.round() as usize)),
        escape(&match lang {
            Lang::Zh => format!("人（候选共 {} 人）。", thousands(data.lists.missing as usize)),
            Lang::En => format!(
                "of the {} candidates are true omissions.",
                thousands(data.lists.missing as usize)
            ),
        }),
    ));
    if data.calibration.is_empty() {
        out.push_str(&format!(
            "<p class=\"note\">{}</p>\n",
            escape(lang.pick(
                "可靠性图需要生成数据的真值：以 run --truth 运行时绘出。",
                "The reliability diagram needs a generated district's truth: run with --truth.",
            ))
        ));
    } else {
        out.push_str(&reliability_chart(&data.calibration, lang));
    }
    let headers = [
        (lang.pick("候选编号", "Candidate"), false),
        (lang.pick("普查小区", "Area"), false),
        (lang.pick("等级", "Tier"), true),
        (lang.pick("居住概率", "Probability of residence"), true),
        (lang.pick("证据", "Evidence"), false),
        (lang.pick("登记来源", "Registers"), false),
        (lang.pick("最近普查记录概率", "Nearest census probability"), true),
        (lang.pick("权重构成", "Weight"), true),
    ];
    let rows = data
        .missing
        .iter()
        .map(|m| {
            let probability = m.nearest_probability.unwrap_or(f64::NAN);
            vec![
                Cell::code(&m.id),
                Cell::text(&m.area),
                Cell::count(u64::from(m.tier)),
                Cell::number(m.probability, probability_text(m.probability)),
                Cell::text(&m.evidence),
                Cell::text(&m.sources),
                Cell::number(probability, probability_text(probability)),
                explanation_cell(m.explanation.as_ref(), lang),
            ]
        })
        .collect();
    table(out, lang, "missing-table", &headers, rows);
    out.push_str(&format!(
        "<h3 id=\"duplicates\">{} <span class=\"dim\">{}</span></h3>\n",
        escape(lang.pick("重复登记候选", "Duplicate candidates")),
        escape(&shown_of(data.duplicates.len(), data.lists.duplicates, lang))
    ));
    let headers = [
        (lang.pick("候选编号", "Candidate"), false),
        (lang.pick("普查小区", "Areas"), false),
        (lang.pick("记录数", "Records"), true),
        (lang.pick("最低匹配概率", "Weakest probability"), true),
        (lang.pick("权重构成", "Weight"), true),
    ];
    let rows = data
        .duplicates
        .iter()
        .map(|d| {
            vec![
                Cell::code(&d.id),
                Cell::text(&d.area),
                Cell::count(d.n_records),
                Cell::number(d.probability, probability_text(d.probability)),
                explanation_cell(d.explanation.as_ref(), lang),
            ]
        })
        .collect();
    table(out, lang, "duplicates-table", &headers, rows);
}

fn shown_of(shown: usize, total: u64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("（显示前 {} 个，共 {} 个）", count(shown as u64), count(total)),
        Lang::En => format!("(top {} of {})", count(shown as u64), count(total)),
    }
}

fn explanation_cell(explanation: Option<&Waterfall>, lang: Lang) -> Cell {
    let Some(waterfall) = explanation else {
        return Cell::number(f64::NAN, "—".to_owned());
    };
    let total = waterfall_total(waterfall);
    let html = format!(
        "<details><summary>{} <span class=\"dim\">p = {}</span></summary>{}</details>",
        signed(total, 2),
        probability_text(match_probability(total)),
        waterfall_chart(waterfall, lang)
    );
    Cell::Markup { html, sort: number_key(total), class: "" }
}

fn waterfall_total(waterfall: &Waterfall) -> f64 {
    waterfall.prior_weight + waterfall.terms.iter().map(|t| t.weight).sum::<f64>()
}

/// Waterfall layout: labels, the plot, the values.
const WATERFALL_LABEL_WIDTH: f64 = 170.0;
const WATERFALL_PLOT_WIDTH: f64 = 200.0;
const WATERFALL_WIDTH: f64 = 430.0;
const WATERFALL_ROW_HEIGHT: f64 = 16.0;

/// The prior's bar from 0, each term's from the running sum before it to the one after, and the
/// total's from 0, with thin connectors between them.
fn waterfall_chart(waterfall: &Waterfall, lang: Lang) -> String {
    let mut steps: Vec<(String, &str, f64, f64)> = Vec::with_capacity(waterfall.terms.len() + 2);
    steps.push((lang.pick("先验", "prior").to_owned(), "prior", 0.0, waterfall.prior_weight));
    let mut running = waterfall.prior_weight;
    for term in &waterfall.terms {
        let class = if term.weight >= 0.0 { "pos" } else { "neg" };
        steps.push((term.label.clone(), class, running, running + term.weight));
        running += term.weight;
    }
    steps.push((lang.pick("合计", "total").to_owned(), "total", 0.0, running));
    let (lo, hi) = steps
        .iter()
        .flat_map(|&(_, _, a, b)| [a, b])
        .filter(|w| w.is_finite())
        .fold((0.0f64, 0.0f64), |(lo, hi), w| (lo.min(w), hi.max(w)));
    let span = (hi - lo).max(1.0);
    let x = |w: f64| WATERFALL_LABEL_WIDTH + (w - lo) / span * WATERFALL_PLOT_WIDTH;
    let height = WATERFALL_ROW_HEIGHT * steps.len() as f64 + 6.0;
    let mut svg = format!(
        "<svg class=\"waterfall\" width=\"{WATERFALL_WIDTH}\" height=\"{}\" \
         viewBox=\"0 0 {WATERFALL_WIDTH} {}\" role=\"img\" aria-label=\"{}\">",
        coord(height),
        coord(height),
        escape(lang.pick("匹配权重瀑布图", "match weight waterfall"))
    );
    svg.push_str(&format!(
        "<line class=\"zero\" x1=\"{0}\" y1=\"0\" x2=\"{0}\" y2=\"{1}\"/>",
        coord(x(0.0)),
        coord(height)
    ));
    for (idx, (label, class, from, to)) in steps.iter().enumerate() {
        let y = WATERFALL_ROW_HEIGHT * idx as f64 + 2.0;
        let (x0, x1) = (x(from.min(*to)), x(from.max(*to)));
        let value = to - from;
        svg.push_str(&format!(
            "<g class=\"step\"><title>{}: {}</title>\
             <text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\
             <rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"11\"/>\
             <text class=\"value\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text></g>",
            escape(label),
            signed(value, 2),
            coord(WATERFALL_LABEL_WIDTH - 6.0),
            coord(y + 10.0),
            escape(&truncate(label, 28)),
            coord(x0),
            coord(y),
            coord((x1 - x0).max(1.0)),
            coord(WATERFALL_WIDTH - 4.0),
            coord(y + 10.0),
            signed(if *class == "total" { *to } else { value }, 2)
        ));
        // A connector from this step's end to the next step's start.
        if idx + 2 < steps.len() {
            svg.push_str(&format!(
                "<line class=\"connector\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>",
                coord(x(*to)),
                coord(y + 11.0),
                coord(y + WATERFALL_ROW_HEIGHT)
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

fn findings_section(out: &mut String, data: &ReportData, lang: Lang) {
    let headers = [
        (lang.pick("严重程度", "Severity"), true),
        (lang.pick("数据源", "Source"), false),
        (lang.pick("字段", "Field"), false),
        (lang.pick("发现", "Finding"), false),
        (lang.pick("行数", "Rows"), true),
    ];
    let rows = data
        .findings
        .iter()
        .map(|f| {
            let (class, label) = match f.severity {
                QualitySeverity::Note => ("note", lang.pick("提示", "note")),
                QualitySeverity::Warning => ("warning", lang.pick("警告", "warning")),
                QualitySeverity::Error => ("error", lang.pick("错误", "error")),
            };
            vec![
                Cell::Markup {
                    html: format!("<span class=\"severity {class}\">{}</span>", escape(label)),
                    sort: (f.severity as u8).to_string(),
                    class: "",
                },
                Cell::text(&f.source),
                Cell::text(&f.field),
                Cell::text(&f.finding),
                Cell::count(f.count),
            ]
        })
        .collect();
    table(out, lang, "findings-table", &headers, rows);
}

/// A table cell.
enum Cell {
    /// Text, escaped.
    Text { text: String, class: &'static str },
    /// A number, sorted by its value (NaN: none, sorted last) and shown as `text`.
    Number { value: f64, text: String },
    /// Markup made here, sorted by `sort`; `class` for the cell.
    Markup { html: String, sort: String, class: &'static str },
}

impl Cell {
    fn text(text: &str) -> Cell {
        Cell::Text { text: text.to_owned(), class: "" }
    }

    fn code(text: &str) -> Cell {
        Cell::Text { text: text.to_owned(), class: "code" }
    }

    fn count(n: u64) -> Cell {
        Cell::Number { value: n as f64, text: count(n) }
    }

    fn number(value: f64, text: String) -> Cell {
        Cell::Number { value, text }
    }
}

/// A sortable, filterable table: headers as (label, is numeric).
fn table(out: &mut String, lang: Lang, id: &str, headers: &[(&str, bool)], rows: Vec<Vec<Cell>>) {
    out.push_str(&format!(
        "<div class=\"table-tools\"><input type=\"search\" class=\"filter\" data-table=\"{id}\" \
         placeholder=\"{}\" aria-label=\"{}\"> <span class=\"shown\" data-table=\"{id}\">{} {}</span></div>\n",
        escape(lang.pick("筛选…", "Filter…")),
        escape(lang.pick("筛选表格", "Filter the table")),
        count(rows.len() as u64),
        escape(lang.pick("行", "rows"))
    ));
    out.push_str(&format!(
        "<div class=\"table-wrap\">\n<table class=\"sortable\" id=\"{id}\">\n<thead><tr>"
    ));
    for (label, is_numeric) in headers {
        let kind = if *is_numeric { " data-type=\"num\" class=\"num\"" } else { "" };
        out.push_str(&format!("<th scope=\"col\"{kind}>{}</th>", escape(label)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &rows {
        out.push_str("<tr>");
        for cell in row {
            match cell {
                Cell::Text { text, class: "" } => {
                    out.push_str(&format!("<td>{}</td>", escape(text)))
                }
                Cell::Text { text, class } => {
                    out.push_str(&format!("<td class=\"{class}\">{}</td>", escape(text)))
                }
                Cell::Number { value, text } => out.push_str(&format!(
                    "<td class=\"num\" data-v=\"{}\">{}</td>",
                    number_key(*value),
                    escape(text)
                )),
                Cell::Markup { html, sort, class: "" } => {
                    out.push_str(&format!("<td data-v=\"{}\">{html}</td>", escape(sort)))
                }
                Cell::Markup { html, sort, class } => out.push_str(&format!(
                    "<td class=\"{class}\" data-v=\"{}\">{html}</td>",
                    escape(sort)
                )),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
    if rows.is_empty() {
        out.push_str(&format!(
            "<p class=\"empty\">{}</p>\n",
            escape(lang.pick("无数据", "No data"))
        ));
    }
}

/// A number as the script sorts it: empty when there is none.
fn number_key(value: f64) -> String {
    match value.is_finite() {
        true => value.to_string(),
        false if value.is_nan() => String::new(),
        false if value > 0.0 => "1e308".to_owned(),
        false => "-1e308".to_owned(),
    }
}

/// Text as HTML text or an attribute value; `http` (in any case) is written with its `t` as a
/// character reference, so that the output never contains the word.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    // ASCII lowercasing keeps byte offsets, so a match in `lower` is a match in `out`.
    while let Some(at) = out.to_ascii_lowercase().find("http") {
        out.replace_range(at + 1..at + 2, &format!("&#{};", out.as_bytes()[at + 1]));
    }
    out
}

/// `n` with thousands separators: `1,234,567`.
fn count(n: u64) -> String {
    thousands(n as usize)
}

/// A coordinate of an SVG attribute: one decimal, no grouping.
fn coord(x: f64) -> String {
    format!("{x:.1}")
}

/// `x` with `places` decimals and thousands separators; `—` when not finite.
fn fixed(x: f64, places: usize) -> String {
    if !x.is_finite() {
        return "—".to_owned();
    }
    let text = format!("{:.*}", places, x.abs());
    let is_zero = text.bytes().all(|b| b == b'0' || b == b'.');
    let sign = if x < 0.0 && !is_zero { "-" } else { "" };
    let group = |int: &str| int.parse().map_or_else(|_| int.to_owned(), thousands);
    match text.split_once('.') {
        Some((int, fraction)) => format!("{sign}{}.{fraction}", group(int)),
        None => format!("{sign}{}", group(&text)),
    }
}

/// `x` with a sign always: `+13.30`, `-2.10`.
fn signed(x: f64, places: usize) -> String {
    let text = fixed(x, places);
    match text.starts_with('-') || text == "—" {
        true => text,
        false => format!("+{text}"),
    }
}

/// A share as a percentage with 2 decimals: `96.84%`.
fn percent(x: f64) -> String {
    match x.is_finite() {
        true => format!("{}%", fixed(x * 100.0, 2)),
        false => "—".to_owned(),
    }
}

/// A probability with 4 decimals.
fn probability_text(p: f64) -> String {
    fixed(p, 4)
}

/// m, u or a prior: 4 decimals, or 3 significant digits in scientific notation when small.
fn proportion(x: f64) -> String {
    match x {
        _ if !x.is_finite() => "—".to_owned(),
        _ if x == 0.0 => "0".to_owned(),
        _ if x.abs() >= 0.001 => fixed(x, 4),
        _ => format!("{x:.2e}"),
    }
}

fn match_probability(weight: f64) -> f64 {
    1.0 / (1.0 + (-weight).exp2())
}

fn weight_of_probability(p: f64) -> f64 {
    (p / (1.0 - p)).log2()
}

/// An axis from 0 to at least `max` in steps of 1, 2, 2.5 or 5 times a power of ten, about five
/// of them: (the axis's end, the step).
fn nice_axis(max: f64) -> (f64, f64) {
    if !(max.is_finite() && max > 0.0) {
        return (1.0, 0.2);
    }
    let raw = max / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|k| k * magnitude)
        .find(|&s| s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude);
    ((max / step - 1e-9).ceil().max(1.0) * step, step)
}

/// A tick's label: as many decimals as the step needs.
fn axis_number(value: f64, step: f64) -> String {
    let places = if step >= 1.0 { 0 } else { (-step.log10()).ceil() as usize + 1 };
    fixed(value, places)
}

/// Roughly how wide `text` is at `size` px: CJK characters are square, others about half.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars().map(|c| if c.is_ascii() { 0.56 * size } else { size }).sum()
}

/// At most `n` characters, with an ellipsis when cut.
fn truncate(text: &str, n: usize) -> String {
    match text.chars().count() > n {
        true => text.chars().take(n - 1).chain(std::iter::once('…')).collect(),
        false => text.to_owned(),
    }
}

const STYLE: &str = r#"
:root { --ink: #1d2733; --dim: #5f6b7a; --line: #d5dbe3; --bg-alt: #f4f6f9;
  --census: #1f4e79; --estimate: #a9c8e8; --pos: #2e7d32; --neg: #c62828; --prior: #7b8794;
  --accent: #c0392b; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 1180px; padding: 24px 32px 48px; color: var(--ink); background: #fff;
  font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
    "WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif;
  font-size: 14px; line-height: 1.5; }
h1 { font-size: 24px; margin: 0 0 8px; }
h2 { font-size: 19px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--census); }
h3 { font-size: 15px; margin: 22px 0 8px; }
.dim { color: var(--dim); font-weight: normal; }
.note { color: var(--dim); margin: 4px 0 12px; }
header { border-bottom: 1px solid var(--line); padding-bottom: 10px; }
dl.meta { display: flex; flex-wrap: wrap; gap: 4px 28px; margin: 0; }
dl.meta div { display: flex; gap: 8px; }
dl.meta dt { color: var(--dim); }
dl.meta dd { margin: 0; font-weight: 600; }
nav ol { display: flex; flex-wrap: wrap; gap: 4px 18px; padding: 0; margin: 12px 0 0; list-style: none;
  counter-reset: section; }
nav li { counter-increment: section; }
nav li::before { content: counter(section) ". "; color: var(--dim); }
nav a { color: var(--census); text-decoration: none; }
nav a:hover { text-decoration: underline; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 140px;
  background: var(--bg-alt); }
.card-value { font-size: 20px; font-weight: 700; font-variant-numeric: tabular-nums; }
.card-label { color: var(--dim); font-size: 13px; }
.card-detail { font-size: 12px; color: var(--dim); font-variant-numeric: tabular-nums; }
ol.assumptions { color: var(--ink); padding-left: 22px; margin: 4px 0; }
ol.assumptions li { margin: 2px 0; }
.table-tools { display: flex; align-items: center; gap: 10px; margin: 10px 0 4px; }
input.filter { font: inherit; padding: 3px 8px; border: 1px solid var(--line); border-radius: 4px;
  min-width: 220px; }
.shown { color: var(--dim); font-size: 12px; }
.table-wrap { overflow-x: auto; }
table.sortable { border-collapse: collapse; width: 100%; font-size: 13px; font-variant-numeric: tabular-nums; }
table.sortable th, table.sortable td { border-bottom: 1px solid var(--line); padding: 3px 8px;
  text-align: left; vertical-align: top; }
table.sortable th { background: var(--bg-alt); cursor: pointer; user-select: none; white-space: nowrap;
  position: sticky; top: 0; }
table.sortable th:hover { background: #e6ebf1; }
table.sortable th::after { content: " ↕"; color: #b0b8c3; font-size: 11px; }
table.sortable th[aria-sort="ascending"]::after { content: " ▲"; color: var(--census); }
table.sortable th[aria-sort="descending"]::after { content: " ▼"; color: var(--census); }
table.sortable tbody tr:nth-child(even) { background: #fafbfc; }
table.sortable tbody tr:hover { background: #eef4fb; }
th.num, td.num { text-align: right; }
td { overflow-wrap: anywhere; }
td.num, td.code { overflow-wrap: normal; white-space: nowrap; }
td.code { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 12px; }
.ok { color: var(--pos); font-weight: 700; }
.bad { color: var(--neg); font-weight: 700; }
.empty { color: var(--dim); font-style: italic; }
svg.chart { display: block; width: 100%; height: auto; margin: 6px 0 4px; }
svg text { font-size: 11px; fill: var(--ink); }
svg text.tick, svg .dim { fill: var(--dim); font-size: 10px; }
svg text.panel-title { font-size: 13px; font-weight: 600; }
svg text.axis-title { fill: var(--dim); }
svg .grid { stroke: #e8ecf1; stroke-width: 1; }
svg .axis { stroke: #9aa5b1; stroke-width: 1; }
svg .bar-census { fill: var(--census); }
svg .bar-estimate { fill: var(--estimate); }
svg .whisker { stroke: #263238; stroke-width: 1.2; fill: none; }
svg .bar-weight { fill: #4f83b5; }
svg .threshold line { stroke: var(--accent); stroke-width: 1.5; stroke-dasharray: 5 3; }
svg .threshold text { fill: var(--accent); font-weight: 600; }
svg g.row:hover text.label { font-weight: 700; }
svg .pos { fill: var(--pos); }
svg .neg { fill: var(--neg); }
svg .prior { fill: var(--prior); }
svg .total { fill: var(--census); }
svg .zero { stroke: #9aa5b1; stroke-width: 1; }
svg .connector { stroke: #9aa5b1; stroke-width: 1; stroke-dasharray: 2 2; }
svg .diagonal { stroke: #9aa5b1; stroke-width: 1; stroke-dasharray: 4 3; }
svg .observed { fill: var(--census); fill-opacity: 0.8; }
svg .linked { fill: var(--pos); }
svg .unlinked { fill: #f0b429; }
svg .rejected { fill: var(--neg); }
svg.accounting, svg.weight-bar { vertical-align: middle; }
svg.waterfall { display: block; margin: 4px 0; }
svg.dense text.label, svg.dense text.rate { font-size: 9.5px; }
td .weight { display: inline-block; min-width: 52px; margin-right: 6px; }
svg.waterfall text { font-size: 10.5px; }
ul.thresholds, ul.priors { list-style: none; padding: 0; margin: 6px 0; }
.threshold-swatch { display: inline-block; width: 18px; height: 0; border-top: 2px dashed var(--accent);
  vertical-align: middle; margin-right: 6px; }
details summary { cursor: pointer; white-space: nowrap; font-variant-numeric: tabular-nums; }
.severity { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 12px; color: #fff; }
.severity.note { background: #607d8b; }
.severity.warning { background: #e09100; }
.severity.error { background: var(--neg); }
footer { margin-top: 40px; color: var(--dim); font-size: 12px; border-top: 1px solid var(--line);
  padding-top: 8px; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  table.sortable { font-size: 8.5pt; }
  .card-value { font-size: 14pt; }
  h2 { margin-top: 18pt; }
  nav, .table-tools { display: none; }
  h2 { break-after: avoid; }
  h3 { break-after: avoid; }
  svg.chart, tr, .card { break-inside: avoid; }
  table.sortable th { position: static; }
  table.sortable th::after { content: ""; }
  .table-wrap { overflow: visible; }
}
"#;

const SCRIPT: &str = r#"
(function () {
  "use strict";
  var each = function (list, f) { Array.prototype.forEach.call(list, f); };
  var key = function (cell) {
    var v = cell ? cell.getAttribute("data-v") : null;
    return v === null ? (cell ? cell.textContent.trim() : "") : v;
  };
  var lang = document.documentElement.lang || "zh-CN";
  function sort(table, th, col) {
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    each(th.parentNode.cells, function (c) { c.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var numeric = th.getAttribute("data-type") === "num";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[col]), y = key(b.cells[col]);
      if (numeric) {
        var p = parseFloat(x), q = parseFloat(y);
        if (isNaN(p) || isNaN(q)) { return isNaN(p) === isNaN(q) ? 0 : (isNaN(p) ? 1 : -1); }
        return ascending ? p - q : q - p;
      }
      var r = x.localeCompare(y, lang);
      return ascending ? r : -r;
    });
    each(rows, function (r) { body.appendChild(r); });
  }
  each(document.querySelectorAll("table.sortable"), function (table) {
    if (!table.tHead || !table.tHead.rows.length) { return; }
    each(table.tHead.rows[0].cells, function (th, col) {
      th.tabIndex = 0;
      th.addEventListener("click", function () { sort(table, th, col); });
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(table, th, col); }
      });
    });
  });
  each(document.querySelectorAll("input.filter"), function (input) {
    var id = input.getAttribute("data-table");
    var table = document.getElementById(id);
    var shown = document.querySelector("span.shown[data-table='" + id + "']");
    if (!table) { return; }
    var unit = shown ? shown.textContent.replace(/^[\d,]+\s*/, "") : "";
    var update = function () {
      var query = input.value.trim().toLowerCase();
      var rows = table.tBodies[0].rows, n = 0;
      each(rows, function (row) {
        var hit = !query || row.textContent.toLowerCase().indexOf(query) >= 0;
        row.hidden = !hit;
        if (hit) { n += 1; }
      });
      if (shown) {
        shown.textContent = (query ? n + " / " + rows.length : String(rows.length)) + " " + unit;
      }
    };
    input.addEventListener("input", update);
    update();
  });
  var opened = [];
  window.addEventListener("beforeprint", function () {
    each(document.querySelectorAll("details:not([open])"), function (d) { d.open = true; opened.push(d); });
  });
  window.addEventListener("afterprint", function () {
    each(opened, function (d) { d.open = false; });
    opened = [];
  });
  document.body.setAttribute("data-ready", "true");
})();
"#;

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
