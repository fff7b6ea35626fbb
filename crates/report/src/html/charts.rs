//! The report's SVG charts: coverage by area, the reliability diagram, the weight histograms
//! and a pair's waterfall, drawn from the report's data with fixed geometry.

use super::*;

/// A bar of a source's rows: linked, unlinked, rejected.
pub(super) fn accounting_bar(s: &SourceCounts, lang: Lang) -> String {
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

/// Width of the charts' drawing (SVG user units; the SVG scales to the page).
pub(super) const CHART_WIDTH: f64 = 960.0;

/// Coverage chart: the labels' column, then the plot, then the rates' column.
pub(super) const COVERAGE_LABEL_WIDTH: f64 = 180.0;

pub(super) const COVERAGE_PLOT_WIDTH: f64 = 560.0;

/// A row's height, and a denser one for charts of many areas.
pub(super) const COVERAGE_ROW_HEIGHT: f64 = 20.0;

pub(super) const COVERAGE_DENSE_ROW_HEIGHT: f64 = 15.0;

pub(super) const COVERAGE_DENSE_ROWS: usize = 40;

pub(super) const COVERAGE_TOP: f64 = 46.0;

/// Horizontal bars per area: N̂ (light) with its interval as a whisker, the census count (dark)
/// over it, on a common axis from 0.
pub(super) fn coverage_chart(id: &str, title: &str, rows: &[CoverageRow], lang: Lang) -> String {
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
pub(super) const RELIABILITY_SIDE: f64 = 320.0;

pub(super) const RELIABILITY_LEFT: f64 = 70.0;

pub(super) const RELIABILITY_TOP: f64 = 20.0;

/// The missing candidates' probability against the truth: each tenth's mean probability (x)
/// and observed share of true omissions (y), a dot whose area follows its candidates, beside
/// the diagonal a calibrated probability sits on; the figures listed to the right.
pub(super) fn reliability_chart(bins: &[CalibrationBin], lang: Lang) -> String {
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
pub(super) fn reliability_line(bin: &CalibrationBin, lang: Lang) -> String {
    let range = format!("{}–{}", fixed(bin.low, 1), fixed(bin.low + 0.1, 1));
    let n = thousands(bin.candidates as usize);
    let (predicted, observed) = (fixed(bin.mean_probability, 3), fixed(bin.observed, 3));
    match lang {
        Lang::Zh => format!("{range}：{n} 人，预测 {predicted}，实际 {observed}"),
        Lang::En => format!("{range}: {n} candidates, predicted {predicted}, observed {observed}"),
    }
}

pub(super) fn svg_open(id: &str, class: &str, height: f64, title: &str) -> String {
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
pub(super) const HISTOGRAM_LEFT: f64 = 70.0;

pub(super) const HISTOGRAM_PLOT_WIDTH: f64 = 860.0;

pub(super) const HISTOGRAM_PANEL_HEIGHT: f64 = 120.0;

/// A panel's title above its plot, and the gap below it.
pub(super) const HISTOGRAM_PANEL_TITLE: f64 = 22.0;

pub(super) const HISTOGRAM_PANEL_GAP: f64 = 14.0;

pub(super) fn weights_chart(
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

/// A small bar of a weight around a zero line: to the right when positive.
pub(super) fn weight_bar(weight: f64, max_weight: f64) -> String {
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

pub(super) fn waterfall_total(waterfall: &Waterfall) -> f64 {
    waterfall.prior_weight + waterfall.terms.iter().map(|t| t.weight).sum::<f64>()
}

/// Waterfall layout: labels, the plot, the values.
pub(super) const WATERFALL_LABEL_WIDTH: f64 = 170.0;

pub(super) const WATERFALL_PLOT_WIDTH: f64 = 200.0;

pub(super) const WATERFALL_WIDTH: f64 = 430.0;

pub(super) const WATERFALL_ROW_HEIGHT: f64 = 16.0;

/// The prior's bar from 0, each term's from the running sum before it to the one after, and the
/// total's from 0, with thin connectors between them.
pub(super) fn waterfall_chart(waterfall: &Waterfall, lang: Lang) -> String {
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

/// An axis from 0 to at least `max` in steps of 1, 2, 2.5 or 5 times a power of ten, about five
/// of them: (the axis's end, the step).
pub(super) fn nice_axis(max: f64) -> (f64, f64) {
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
pub(super) fn axis_number(value: f64, step: f64) -> String {
    let places = if step >= 1.0 { 0 } else { (-step.log10()).ceil() as usize + 1 };
    fixed(value, places)
}

/// Roughly how wide `text` is at `size` px: CJK characters are square, others about half.
pub(super) fn text_width(text: &str, size: f64) -> f64 {
    text.chars().map(|c| if c.is_ascii() { 0.56 * size } else { size }).sum()
}
