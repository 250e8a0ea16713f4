//! Inline SVG for the load section of the HTML report: a table of the operations and the charts that
//! `scimlab load` puts in the report (latency by percentile, latency and throughput over time).
//!
//! The load section is opaque to this crate except for two documented shapes it draws: `operations` (rows with
//! `workload`, `operation`, `requests`, `throughput`, `errors`, `throttled` and `latencyMs` percentiles) and
//! `charts` (a title, axis labels, an x scale of `linear` or `nines`, and series of `[x, y]` points). Only
//! numbers become geometry; every text is escaped, so a report from anywhere cannot inject markup. Anything
//! missing or malformed is skipped, never an error.

use serde_json::Value;
use std::fmt::Write;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 300.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 44.0;
const COLOURS: [&str; 8] = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

/// Escapes text for HTML and SVG.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One row of the operations table, as display strings.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LoadRow {
    /// `workload / operation`.
    pub name: String,
    /// Requests sent.
    pub requests: String,
    /// Responses per second.
    pub throughput: String,
    /// Latency percentiles in ms: p50, p90, p99, p99.9, max.
    pub latency: Vec<String>,
    /// Errors.
    pub errors: String,
    /// 429 answers.
    pub throttled: String,
}

fn num(v: &Value, key: &str) -> f64 {
    v.get(key).and_then(Value::as_f64).unwrap_or(0.0)
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_owned()
}

/// The rows of `load.operations`.
pub fn load_rows(load: &Value) -> Vec<LoadRow> {
    let Some(ops) = load.get("operations").and_then(Value::as_array) else { return Vec::new() };
    ops.iter()
        .map(|o| {
            let l = o.get("latencyMs").cloned().unwrap_or(Value::Null);
            LoadRow {
                name: format!("{} / {}", text(o, "workload"), text(o, "operation")),
                requests: format!("{}", num(o, "requests")),
                throughput: format!("{:.1}", num(o, "throughput")),
                latency: ["p50", "p90", "p99", "p999", "max"].iter().map(|k| format!("{:.2}", num(&l, k))).collect(),
                errors: format!("{}", num(o, "errors") + num(o, "itemErrors")),
                throttled: format!("{}", num(o, "throttled")),
            }
        })
        .collect()
}

/// A round step for about `n` ticks over `span`.
fn step(span: f64, n: f64) -> f64 {
    if span <= 0.0 || !span.is_finite() {
        return 1.0;
    }
    let raw = span / n;
    let mag = 10f64.powf(raw.log10().floor());
    let m = raw / mag;
    let nice = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

fn label(v: f64) -> String {
    if v == 0.0 || v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

/// The percentile a `nines` x stands for: 0 → 0%, 1 → 90%, 2 → 99%, 3 → 99.9%.
fn nines_label(x: f64) -> String {
    let p = 100.0 * (1.0 - 10f64.powf(-x));
    let digits = if x < 2.5 { 0 } else { (x - 2.0).round() as usize };
    format!("{p:.digits$}%")
}

/// One chart as an SVG element, or `None` when it has nothing to draw.
pub fn chart_svg(chart: &Value) -> Option<String> {
    let series: Vec<(String, Vec<(f64, f64)>)> = chart
        .get("series")?
        .as_array()?
        .iter()
        .map(|s| {
            let points = s
                .get("points")
                .and_then(Value::as_array)
                .map(|ps| {
                    ps.iter()
                        .filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
                        .filter(|(x, y)| x.is_finite() && y.is_finite())
                        .collect()
                })
                .unwrap_or_default();
            (text(s, "name"), points)
        })
        .filter(|(_, p): &(String, Vec<(f64, f64)>)| !p.is_empty())
        .collect();
    if series.is_empty() {
        return None;
    }
    let nines = chart.get("xScale").and_then(Value::as_str) == Some("nines");
    let all = series.iter().flat_map(|(_, p)| p.iter());
    let (mut x0, mut x1, mut y1) = (f64::MAX, f64::MIN, 0f64);
    for (x, y) in all {
        x0 = x0.min(*x);
        x1 = x1.max(*x);
        y1 = y1.max(*y);
    }
    if nines {
        x0 = 0.0;
        x1 = x1.ceil().max(1.0);
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    let ystep = step(y1.max(1e-9), 5.0);
    let ymax = (y1 / ystep).ceil().max(1.0) * ystep;
    let (pw, ph) = (WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    let sx = |x: f64| LEFT + (x - x0) / (x1 - x0) * pw;
    let sy = |y: f64| TOP + ph - y / ymax * ph;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" font-family="sans-serif" font-size="11">"#
    );
    let _ = write!(svg, r#"<title>{}</title>"#, escape(&text(chart, "title")));
    let _ = write!(
        svg,
        r#"<text x="{LEFT}" y="16" font-size="13" font-weight="bold">{}</text>"#,
        escape(&text(chart, "title"))
    );
    let mut y = 0.0;
    while y <= ymax + ystep / 2.0 {
        let py = sy(y);
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" x2="{:.1}" y1="{py:.1}" y2="{py:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            LEFT + pw,
            LEFT - 4.0,
            py + 4.0,
            label(y)
        );
        y += ystep;
    }
    let ticks: Vec<f64> = if nines {
        (0..=(x1 as i64)).map(|i| i as f64).collect()
    } else {
        let s = step(x1 - x0, 8.0);
        let mut t = (x0 / s).ceil() * s;
        let mut v = Vec::new();
        while t <= x1 + s * 1e-9 && v.len() < 50 {
            v.push(t);
            t += s;
        }
        v
    };
    for t in ticks {
        let px = sx(t);
        let name = if nines { nines_label(t) } else { label(t) };
        let _ = write!(
            svg,
            r##"<line x1="{px:.1}" x2="{px:.1}" y1="{TOP}" y2="{:.1}" stroke="#eee"/><text x="{px:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            TOP + ph,
            TOP + ph + 14.0,
            escape(&name)
        );
    }
    let _ = write!(
        svg,
        r##"<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="none" stroke="#999"/><text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text><text transform="translate(14 {:.1}) rotate(-90)" text-anchor="middle">{}</text>"##,
        LEFT + pw / 2.0,
        HEIGHT - 8.0,
        escape(&text(chart, "xLabel")),
        TOP + ph / 2.0,
        escape(&text(chart, "yLabel"))
    );
    for (i, (name, points)) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let path: Vec<String> = points.iter().map(|(x, y)| format!("{:.1},{:.1}", sx(*x), sy(*y))).collect();
        let _ = write!(
            svg,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{}"><title>{}</title></polyline>"#,
            path.join(" "),
            escape(name)
        );
        if points.len() == 1 {
            let (x, y) = points[0];
            let _ = write!(svg, r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{colour}"/>"#, sx(x), sy(y));
        }
        let ly = TOP + 12.0 + 14.0 * i as f64;
        let _ = write!(
            svg,
            r#"<rect x="{:.1}" y="{:.1}" width="10" height="3" fill="{colour}"/><text x="{:.1}" y="{:.1}">{}</text>"#,
            LEFT + 8.0,
            ly - 4.0,
            LEFT + 22.0,
            ly,
            escape(name)
        );
    }
    svg.push_str("</svg>");
    Some(svg)
}

/// Every chart of `load.charts` as SVG.
pub fn load_charts(load: &Value) -> Vec<String> {
    load.get("charts").and_then(Value::as_array).map(|cs| cs.iter().filter_map(chart_svg).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn charts_become_svg_with_escaped_text() {
        let load = json!({"charts": [
            {"title": "Latency <by> percentile", "xLabel": "percentile", "yLabel": "ms", "xScale": "nines",
             "series": [{"name": "read / get\"><script>", "points": [[0.0, 0.5], [1.0, 0.9], [3.0, 4.2]]}]},
            {"title": "empty", "series": []},
            {"title": "over time", "xScale": "linear", "series": [{"name": "a", "points": [[0.5, 10.0], [1.5, "x"]]}]}
        ]});
        let svgs = load_charts(&load);
        assert_eq!(svgs.len(), 2, "the chart without points is skipped");
        assert!(svgs[0].starts_with("<svg") && svgs[0].ends_with("</svg>"));
        assert!(svgs[0].contains("Latency &lt;by&gt; percentile"));
        assert!(!svgs[0].contains("<script>"));
        assert!(svgs[0].contains("99.9%") && svgs[0].contains("90%"));
        assert!(svgs[1].contains("<circle"), "a lone point is drawn as a dot");
    }

    #[test]
    fn rows_read_the_operations() {
        let load = json!({"operations": [{"workload": "read", "operation": "get", "requests": 10, "throughput": 5.0,
            "errors": 1, "itemErrors": 2, "throttled": 3, "latencyMs": {"p50": 1.0, "p90": 2.0, "p99": 3.0, "p999": 4.0, "max": 5.0}}]});
        let rows = load_rows(&load);
        assert_eq!(rows[0].name, "read / get");
        assert_eq!((rows[0].errors.as_str(), rows[0].throttled.as_str()), ("3", "3"));
        assert_eq!(rows[0].latency, vec!["1.00", "2.00", "3.00", "4.00", "5.00"]);
        assert!(load_rows(&json!({})).is_empty());
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(step(10.0, 5.0), 2.0);
        assert_eq!(step(0.7, 5.0), 0.2);
        assert_eq!(nines_label(2.0), "99%");
        assert_eq!(nines_label(0.0), "0%");
    }
}
