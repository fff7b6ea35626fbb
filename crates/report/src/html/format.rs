//! How the report writes numbers and text: escaped HTML, counts, fixed decimals, signs,
//! percentages, probabilities.

use super::*;

/// A number as the script sorts it: empty when there is none.
pub(super) fn number_key(value: f64) -> String {
    match value.is_finite() {
        true => value.to_string(),
        false if value.is_nan() => String::new(),
        false if value > 0.0 => "1e308".to_owned(),
        false => "-1e308".to_owned(),
    }
}

/// Text as HTML text or an attribute value; `http` (in any case) is written with its `t` as a
/// character reference, so that the output never contains the word.
pub(super) fn escape(text: &str) -> String {
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
pub(super) fn count(n: u64) -> String {
    thousands(n as usize)
}

/// A coordinate of an SVG attribute: one decimal, no grouping.
pub(super) fn coord(x: f64) -> String {
    format!("{x:.1}")
}

/// `x` with `places` decimals and thousands separators; `—` when not finite.
pub(super) fn fixed(x: f64, places: usize) -> String {
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
pub(super) fn signed(x: f64, places: usize) -> String {
    let text = fixed(x, places);
    match text.starts_with('-') || text == "—" {
        true => text,
        false => format!("+{text}"),
    }
}

/// A share as a percentage with 2 decimals: `96.84%`.
pub(super) fn percent(x: f64) -> String {
    match x.is_finite() {
        true => format!("{}%", fixed(x * 100.0, 2)),
        false => "—".to_owned(),
    }
}

/// A probability with 4 decimals.
pub(super) fn probability_text(p: f64) -> String {
    fixed(p, 4)
}

/// m, u or a prior: 4 decimals, or 3 significant digits in scientific notation when small.
pub(super) fn proportion(x: f64) -> String {
    match x {
        _ if !x.is_finite() => "—".to_owned(),
        _ if x == 0.0 => "0".to_owned(),
        _ if x.abs() >= 0.001 => fixed(x, 4),
        _ => format!("{x:.2e}"),
    }
}

pub(super) fn match_probability(weight: f64) -> f64 {
    1.0 / (1.0 + (-weight).exp2())
}

pub(super) fn weight_of_probability(p: f64) -> f64 {
    (p / (1.0 - p)).log2()
}

/// At most `n` characters, with an ellipsis when cut.
pub(super) fn truncate(text: &str, n: usize) -> String {
    match text.chars().count() > n {
        true => text.chars().take(n - 1).chain(std::iter::once('…')).collect(),
        false => text.to_owned(),
    }
}
