//! The load section of a RunReport (`load` in the JSON), typed: per operation, counts, statuses, scimTypes, 429s,
//! throughput, latency percentiles, the histogram itself (so that shards merge exactly) and a timeline; the
//! population created, the read-back verification, the cleanup; and plot-ready chart data that the HTML report
//! draws as inline SVG. `scimlab-load` writes it (and re-exports these types); every sink reads it through these
//! types, never by key names.
//!
//! The section carries its own format number ([`LOAD_FORMAT`]); readers refuse newer ones. Percentiles,
//! throughput and charts are derived data, recomputed from the histograms and counts whenever sections are merged.

use super::charts::{Chart, charts};
use super::histogram::HistogramDoc;
use hdrhistogram::Histogram;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Format of the load section. Bump on any incompatible change.
pub const LOAD_FORMAT: u32 = 1;

/// The `load` member of a RunReport.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoadSection {
    /// [`LOAD_FORMAT`].
    pub format: u32,
    /// The scenario's name (or file).
    pub scenario: String,
    /// The persona whose requests were sent.
    pub persona: String,
    /// The run id: the prefix of every name the run created.
    pub run_id: String,
    /// Users the bulk-merge lane creates in the whole run (0 without one).
    pub users: u64,
    /// Users per block and group.
    pub block: u64,
    /// The shards this section holds, in merge order (one for an unmerged run).
    pub shards: Vec<ShardDoc>,
    /// The lanes, as configured for the whole run.
    pub lanes: Vec<LaneDoc>,
    /// Length of the measured window in milliseconds (merged: the longest shard's, as shards run side by side).
    pub duration_ms: f64,
    /// Per lane and operation.
    pub operations: Vec<OpDoc>,
    /// What the bulk-merge lane created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<CreatedDoc>,
    /// The read-back after the bulk-merge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<VerifyDoc>,
    /// What cleanup did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup: Option<CleanupDoc>,
    /// Plot-ready charts (derived).
    #[serde(default)]
    pub charts: Vec<Chart>,
}

/// One shard's run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShardDoc {
    /// `K/N`.
    pub shard: String,
    /// Its users of the bulk-merge population, `[start, end)`.
    pub users: [u64; 2],
    /// When its measured window started (RFC 3339).
    pub started_at: String,
    /// Its measured window, in milliseconds.
    pub duration_ms: f64,
}

/// A lane as configured for the whole run (before the shard's share is taken).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LaneDoc {
    /// Its workload.
    pub workload: String,
    /// `closed` or `open`.
    pub model: String,
    /// Workers of the closed model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<u64>,
    /// Rate of the open model (per second).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// Connections of the open model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connections: Option<u64>,
}

/// Latency percentiles in milliseconds (from the histogram; within its 0.1% precision).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Percentiles {
    /// Fastest.
    pub min: f64,
    /// Mean.
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Slowest.
    pub max: f64,
}

impl Percentiles {
    /// The percentiles of `h` (microseconds in, milliseconds out).
    pub fn of(h: &Histogram<u64>) -> Percentiles {
        if h.is_empty() {
            return Percentiles::default();
        }
        let ms = |us: u64| us as f64 / 1000.0;
        Percentiles {
            min: ms(h.min()),
            mean: h.mean() / 1000.0,
            p50: ms(h.value_at_quantile(0.5)),
            p90: ms(h.value_at_quantile(0.9)),
            p99: ms(h.value_at_quantile(0.99)),
            p999: ms(h.value_at_quantile(0.999)),
            max: ms(h.max()),
        }
    }
}

/// A timeline as stored: parallel arrays, one entry per bin.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TimelineDoc {
    /// Width of a bin.
    pub interval_ms: u64,
    /// Responses per bin.
    pub count: Vec<u64>,
    /// Errors per bin.
    pub errors: Vec<u64>,
    /// Latency sums per bin (us).
    pub sum_us: Vec<u64>,
    /// Largest latency per bin (us).
    pub max_us: Vec<u64>,
}

/// One operation of one lane.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OpDoc {
    /// Lane index (in `lanes`).
    pub lane: usize,
    /// The lane's workload.
    pub workload: String,
    /// The operation (`bulk`, `get`, `filter-username`...).
    pub operation: String,
    /// Requests sent (responses, 429s, transport errors and bodies too large).
    pub requests: u64,
    /// Responses other than 429 (the histogram's count).
    pub responses: u64,
    /// 4xx / 5xx other than 429, transport errors and bodies too large.
    pub errors: u64,
    /// Responses per second of the measured window.
    pub throughput: f64,
    /// Resources the requests carried.
    pub items: u64,
    /// Resources per second (users and groups created through /Bulk, say).
    pub items_per_second: f64,
    /// Failed operations inside /Bulk answers.
    pub item_errors: u64,
    /// `2xx`, `3xx`, `4xx`, `5xx`, `429`, `transport`, `body-too-large`.
    pub status_classes: BTreeMap<String, u64>,
    /// Responses by status.
    pub statuses: BTreeMap<String, u64>,
    /// Errors by scimType (`none` when the error had none).
    pub scim_types: BTreeMap<String, u64>,
    /// Failed /Bulk operations by status.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub item_failures: BTreeMap<String, u64>,
    /// Requests that got no answer.
    pub transport_errors: u64,
    /// Responses whose body went beyond `--max-response-bytes` (absent in reports of older versions: 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub body_too_large: u64,
    /// 429 answers.
    pub throttled: u64,
    /// Time waited on their Retry-After, in milliseconds.
    pub throttle_wait_ms: f64,
    /// Percentiles (derived from `histogram`).
    pub latency_ms: Percentiles,
    /// The latency histogram (us).
    pub histogram: HistogramDoc,
    /// Completions over time.
    pub timeline: TimelineDoc,
}

/// What the bulk-merge lane created, against what it set out to create.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedDoc {
    /// Users to create.
    pub expected_users: u64,
    /// Users created (with a known id).
    pub users: u64,
    /// Groups to create.
    pub expected_groups: u64,
    /// Groups created.
    pub groups: u64,
}

/// The read-back after a bulk-merge: every group's members against the ids the users were created with, and
/// (unsharded) the number of users carrying the run's prefix.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VerifyDoc {
    /// Groups read back.
    pub groups_checked: u64,
    /// Groups whose members differ from what was sent (or that could not be read).
    pub groups_wrong: u64,
    /// Memberships sent.
    pub memberships_expected: u64,
    /// Memberships found that were sent.
    pub memberships_found: u64,
    /// Users with the run's prefix expected on the server (unsharded runs only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users_expected: Option<u64>,
    /// Users with the run's prefix found (`userName sw`, totalResults).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users_found: Option<u64>,
    /// The first problems found, in words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

impl VerifyDoc {
    /// Whether the server holds exactly what was sent.
    pub fn ok(&self) -> bool {
        self.groups_wrong == 0
            && self.memberships_found == self.memberships_expected
            && self.users_expected == self.users_found
    }
}

/// What cleanup did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CleanupDoc {
    /// Resources deleted.
    pub deleted: u64,
    /// Deletes answered 404 (already gone).
    pub not_found: u64,
    /// Deletes that failed otherwise.
    pub failed: u64,
    /// Resources left in place: creates that got no answer (no id to delete: a listing is never trusted to name
    /// them), and ids the server handed out twice or that cannot be one URL path segment.
    #[serde(default)]
    pub left: u64,
    /// Wall time, in milliseconds.
    pub duration_ms: f64,
}

impl LoadSection {
    /// Recomputes the derived parts (charts) after the operations changed.
    pub fn refresh(&mut self) {
        self.charts = charts(&self.operations);
    }

    /// Errors of every operation, failed /Bulk operations included.
    pub fn errors(&self) -> u64 {
        self.operations.iter().map(|o| o.errors + o.item_errors).sum()
    }

    /// Whether the run holds what it should: no errors, and a verification (if any) that matched.
    pub fn clean(&self) -> bool {
        self.errors() == 0 && self.verify.as_ref().is_none_or(VerifyDoc::ok)
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}
