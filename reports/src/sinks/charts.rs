//! Inline SVG for the load section of the HTML report: a table of the operations and the charts that
//! `scimlab load` puts in the report (latency by percentile, latency and throughput over time).
//!
//! It reads the typed load section ([`crate::load`]): its operations, and its charts (a title, axis labels, an x
//! scale of `linear` or `nines`, and series of `[x, y]` points). Only numbers become geometry; every text is
//! escaped, so a report from anywhere cannot inject markup. A chart with nothing to draw, and points that are not
//! finite, are skipped, never an error.

use crate::load::{Chart, LoadSection};
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

/// The rows of the section's operations.
pub fn load_rows(load: &LoadSection) -> Vec<LoadRow> {
    load.operations
        .iter()
        .map(|o| {
            let l = &o.latency_ms;
            LoadRow {
                name: format!("{} / {}", o.workload, o.operation),
                requests: o.requests.to_string(),
                throughput: format!("{:.1}", o.throughput),
                latency: [l.p50, l.p90, l.p99, l.p999, l.max].iter().map(|v| format!("{v:.2}")).collect(),
                errors: (o.errors + o.item_errors).to_string(),
                throttled: o.throttled.to_string(),
            }
        })
        .collect()
}

/// The load run in one line: `scenario bulk-merge, persona entra, run sl1234abcd, shards 1/2+2/2, window 12.3 s`.
pub fn load_line(load: &LoadSection) -> String {
    let shards: Vec<&str> = load.shards.iter().map(|s| s.shard.as_str()).collect();
    format!(
        "scenario {}, persona {}, run {}, shards {}, window {:.1} s",
        load.scenario,
        load.persona,
        load.run_id,
        if shards.is_empty() { "-".to_owned() } else { shards.join("+") },
        load.duration_ms / 1000.0
    )
}

/// What the run created, read back and cleaned up, and the errors by scimType, one line each (the verdicts on
/// them are the report's load checks).
pub fn load_notes(load: &LoadSection) -> Vec<String> {
    let mut notes = Vec::new();
    for o in load.operations.iter().filter(|o| !o.scim_types.is_empty()) {
        let types: Vec<String> = o
            .scim_types
            .iter()
            .map(|(k, n)| if k == "none" { format!("{n} without a scimType") } else { format!("{k} {n}") })
            .collect();
        notes.push(format!("{} / {} errors by scimType: {}", o.workload, o.operation, types.join(", ")));
    }
    if let Some(c) = &load.created {
        notes.push(format!(
            "created: {} of {} users, {} of {} groups",
            c.users, c.expected_users, c.groups, c.expected_groups
        ));
    }
    if let Some(v) = &load.verify {
        let users = match (v.users_expected, v.users_found) {
            (Some(e), Some(f)) => format!("; {f} of {e} users found by the run's prefix"),
            _ => String::new(),
        };
        notes.push(format!(
            "read-back: {} of {} groups wrong, {} of {} memberships found{users}",
            v.groups_wrong, v.groups_checked, v.memberships_found, v.memberships_expected
        ));
        notes.extend(v.problems.iter().map(|p| format!("read-back: {p}")));
    }
    match &load.cleanup {
        Some(c) => notes.push(format!(
            "cleanup: {} deleted, {} already gone, {} failed, {} left",
            c.deleted, c.not_found, c.failed, c.left
        )),
        None => notes.push(format!("cleanup: skipped (--keep); names start with {}", load.run_id)),
    }
    notes
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
pub fn chart_svg(chart: &Chart) -> Option<String> {
    let series: Vec<(String, Vec<(f64, f64)>)> = chart
        .series
        .iter()
        .map(|s| {
            let points = s.points.iter().map(|[x, y]| (*x, *y)).filter(|(x, y)| x.is_finite() && y.is_finite());
            (s.name.clone(), points.collect())
        })
        .filter(|(_, p): &(String, Vec<(f64, f64)>)| !p.is_empty())
        .collect();
    if series.is_empty() {
        return None;
    }
    let nines = chart.x_scale == "nines";
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
    let _ = write!(svg, r#"<title>{}</title>"#, escape(&chart.title));
    let _ = write!(svg, r#"<text x="{LEFT}" y="16" font-size="13" font-weight="bold">{}</text>"#, escape(&chart.title));
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
        escape(&chart.x_label),
        TOP + ph / 2.0,
        escape(&chart.y_label)
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

/// Every chart of the section as SVG.
pub fn load_charts(load: &LoadSection) -> Vec<String> {
    load.charts.iter().filter_map(chart_svg).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::Series;

    fn section(charts: Vec<Chart>) -> LoadSection {
        serde_json::from_value(serde_json::json!({
            "format": 1, "scenario": "read", "persona": "entra", "runId": "r", "users": 0, "block": 100,
            "shards": [], "lanes": [], "durationMs": 1000.0,
            "operations": [{"lane": 0, "workload": "read", "operation": "get", "requests": 10, "responses": 10,
                "errors": 1, "throughput": 5.0, "items": 0, "itemsPerSecond": 0.0, "itemErrors": 2,
                "statusClasses": {}, "statuses": {}, "scimTypes": {}, "transportErrors": 0, "throttled": 3,
                "throttleWaitMs": 0.0,
                "latencyMs": {"min": 0.5, "mean": 1.5, "p50": 1.0, "p90": 2.0, "p99": 3.0, "p999": 4.0, "max": 5.0},
                "histogram": {"lowestUs": 1, "highestUs": 3600000000u64, "significantDigits": 3, "buckets": []},
                "timeline": {"intervalMs": 100, "count": [], "errors": [], "sumUs": [], "maxUs": []}}],
        }))
        .map(|mut s: LoadSection| {
            s.charts = charts;
            s
        })
        .expect("a load section")
    }

    fn chart(title: &str, scale: &str, series: Vec<(&str, Vec<[f64; 2]>)>) -> Chart {
        Chart {
            title: title.into(),
            x_label: "percentile".into(),
            y_label: "ms".into(),
            x_scale: scale.into(),
            series: series.into_iter().map(|(n, p)| Series { name: n.into(), points: p }).collect(),
        }
    }

    #[test]
    fn charts_become_svg_with_escaped_text() {
        let load = section(vec![
            chart(
                "Latency <by> percentile",
                "nines",
                vec![("read / get\"><script>", vec![[0.0, 0.5], [1.0, 0.9], [3.0, 4.2]])],
            ),
            chart("empty", "linear", vec![]),
            chart("over time", "linear", vec![("a", vec![[0.5, 10.0], [1.5, f64::NAN]])]),
        ]);
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
        let rows = load_rows(&section(vec![]));
        assert_eq!(rows[0].name, "read / get");
        assert_eq!((rows[0].errors.as_str(), rows[0].throttled.as_str()), ("3", "3"));
        assert_eq!(rows[0].latency, vec!["1.00", "2.00", "3.00", "4.00", "5.00"]);
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(step(10.0, 5.0), 2.0);
        assert_eq!(step(0.7, 5.0), 0.2);
        assert_eq!(nines_label(2.0), "99%");
        assert_eq!(nines_label(0.0), "0%");
    }
}
