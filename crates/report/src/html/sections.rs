//! The report's sections, each written from the report's data, and the sortable tables they
//! share.

use super::*;

pub(super) fn sources_section(out: &mut String, data: &ReportData, lang: Lang) {
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

pub(super) fn lists_section(out: &mut String, data: &ReportData, lang: Lang) {
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

pub(super) fn card(out: &mut String, label: &str, value: &str, detail: &str) {
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
pub(super) fn rates(row: &CoverageRow) -> (f64, f64, f64) {
    let census = row.census as f64;
    let rate = |n: f64| if n > 0.0 { census / n } else { f64::NAN };
    (rate(row.population), rate(row.high), rate(row.low))
}

pub(super) fn coverage_section(out: &mut String, data: &ReportData, lang: Lang) {
    out.push_str(&format!(
        "<p class=\"note\">{}</p>\n",
        escape(lang.pick(
            "深色条为普查人数，浅色条为估计人口 N̂，横线为 N̂ 的 95% 区间；右侧为覆盖率（普查 / N̂）及其区间。",
            "Dark bars: census count; light bars: estimated population N̂; whiskers: its 95 % \
             interval; on the right, the coverage rate (census / N̂) and its interval."
        ))
    ));
    let levels = [
        ("county", lang.pick("按区县", "By county"), &data.counties),
        ("township", lang.pick("按乡镇（街道）", "By township"), &data.townships),
        ("area", lang.pick("按普查小区", "By enumeration area"), &data.areas),
    ];
    // One county is the district: its row would repeat the district's.
    let levels = levels.into_iter().filter(|(level, _, rows)| *level != "county" || rows.len() > 1);
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

pub(super) fn area_label(code: &str, lang: Lang) -> String {
    match code.is_empty() {
        true => lang.pick("（未定位）", "(unplaced)").to_owned(),
        false => code.to_owned(),
    }
}

pub(super) fn weights_section(out: &mut String, data: &ReportData, lang: Lang) {
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

pub(super) fn model_section(out: &mut String, data: &ReportData, lang: Lang) {
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
pub(super) fn level_weight(level: &LevelSummary) -> f64 {
    (level.m / level.u).log2()
}

pub(super) fn blocking_section(out: &mut String, data: &ReportData, lang: Lang) {
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

pub(super) fn candidates_section(out: &mut String, data: &ReportData, lang: Lang) {
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

pub(super) fn shown_of(shown: usize, total: u64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("（显示前 {} 个，共 {} 个）", count(shown as u64), count(total)),
        Lang::En => format!("(top {} of {})", count(shown as u64), count(total)),
    }
}

pub(super) fn explanation_cell(explanation: Option<&Waterfall>, lang: Lang) -> Cell {
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

pub(super) fn findings_section(out: &mut String, data: &ReportData, lang: Lang) {
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
pub(super) enum Cell {
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
pub(super) fn table(
    out: &mut String,
    lang: Lang,
    id: &str,
    headers: &[(&str, bool)],
    rows: Vec<Vec<Cell>>,
) {
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
