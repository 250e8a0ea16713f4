//! Plot-ready chart data for the load section: latency by percentile (from the histograms), and mean latency
//! and throughput over time (from the timelines). The HTML sink draws them as inline SVG: a chart is a title,
//! axis labels and scales, and series of `[x, y]` points.

use super::section::OpDoc;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Chart {
    /// Title.
    pub title: String,
    /// Label of the x axis.
    pub x_label: String,
    /// Label of the y axis.
    pub y_label: String,
    /// `linear`, or `nines`: x is `-log10(1 - q)` for a quantile q, labelled 0%, 90%, 99%, 99.9%...
    pub x_scale: String,
    /// The series.
    pub series: Vec<Series>,
}

/// One line of a chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Series {
    /// Its name (`lane workload / operation`).
    pub name: String,
    /// `[x, y]` points, in x order.
    pub points: Vec<[f64; 2]>,
}

/// The quantiles drawn on the percentile chart.
const QUANTILES: [f64; 12] = [0.0, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999, 0.99999];

/// `-log10(1 - q)`: 0 for the minimum, 1 for p90, 2 for p99, 3 for p99.9.
pub fn nines(q: f64) -> f64 {
    -(1.0 - q).max(1e-9).log10()
}

fn series_name(o: &OpDoc) -> String {
    format!("{} / {}", o.workload, o.operation)
}

/// The charts of a set of operations.
pub fn charts(ops: &[OpDoc]) -> Vec<Chart> {
    let measured: Vec<&OpDoc> = ops.iter().filter(|o| o.responses > 0).collect();
    if measured.is_empty() {
        return Vec::new();
    }
    let mut by_percentile = Vec::new();
    for o in &measured {
        let Ok(h) = o.histogram.to_histogram() else { continue };
        // Quantiles beyond what the sample can tell (1 in `count`) are left out rather than drawn flat.
        let resolvable = |q: f64| q == 0.0 || (1.0 - q) * h.len() as f64 >= 1.0;
        let points = QUANTILES
            .iter()
            .filter(|q| resolvable(**q))
            .map(|q| [nines(*q), h.value_at_quantile(*q) as f64 / 1000.0])
            .collect();
        by_percentile.push(Series { name: series_name(o), points });
    }
    let over_time = |f: &dyn Fn(&OpDoc, usize) -> Option<f64>| -> Vec<Series> {
        measured
            .iter()
            .map(|o| {
                let secs = o.timeline.interval_ms as f64 / 1000.0;
                let points =
                    (0..o.timeline.count.len()).filter_map(|i| f(o, i).map(|y| [(i as f64 + 0.5) * secs, y])).collect();
                Series { name: series_name(o), points }
            })
            .collect()
    };
    let mean = over_time(&|o, i| {
        let n = o.timeline.count[i];
        (n > 0).then(|| o.timeline.sum_us[i] as f64 / n as f64 / 1000.0)
    });
    let rate = over_time(&|o, i| Some(o.timeline.count[i] as f64 * 1000.0 / o.timeline.interval_ms as f64));
    vec![
        Chart {
            title: "Latency by percentile".into(),
            x_label: "percentile".into(),
            y_label: "latency (ms)".into(),
            x_scale: "nines".into(),
            series: by_percentile,
        },
        Chart {
            title: "Mean latency over time".into(),
            x_label: "time (s)".into(),
            y_label: "mean latency (ms)".into(),
            x_scale: "linear".into(),
            series: mean,
        },
        Chart {
            title: "Throughput over time".into(),
            x_label: "time (s)".into(),
            y_label: "responses per second".into(),
            x_scale: "linear".into(),
            series: rate,
        },
    ]
}
