//! Latency histograms in the load section: the bounds every scimlab process records with (so that shards merge
//! exactly: each non-empty bucket is written as `[highest equivalent value, count]`, and recording that value
//! again lands in the same bucket), and their document form.

use hdrhistogram::Histogram;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Lowest latency tracked, in microseconds.
pub const LOWEST_US: u64 = 1;
/// Highest latency tracked, in microseconds (one hour); longer latencies are recorded as one hour.
pub const HIGHEST_US: u64 = 3_600_000_000;
/// Significant decimal digits kept (0.1% relative precision).
pub const SIGFIG: u8 = 3;

/// A latency histogram with these bounds.
pub fn new_histogram() -> Histogram<u64> {
    // The bounds are constants that hdrhistogram accepts (low >= 1, high >= 2 * low, sigfig <= 5).
    #[expect(clippy::unwrap_used, reason = "constant bounds that hdrhistogram always accepts")]
    Histogram::new_with_bounds(LOWEST_US, HIGHEST_US, SIGFIG).unwrap()
}

/// A histogram as the JSON report stores it: its bounds and every non-empty bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistogramDoc {
    /// Lowest trackable value (us).
    pub lowest_us: u64,
    /// Highest trackable value (us).
    pub highest_us: u64,
    /// Significant digits.
    pub significant_digits: u8,
    /// `[value, count]` per non-empty bucket, value being the bucket's highest equivalent value.
    pub buckets: Vec<[u64; 2]>,
}

impl HistogramDoc {
    /// The document of `h`.
    pub fn of(h: &Histogram<u64>) -> HistogramDoc {
        HistogramDoc {
            lowest_us: h.low(),
            highest_us: h.high(),
            significant_digits: h.sigfig(),
            buckets: h.iter_recorded().map(|v| [v.value_iterated_to(), v.count_at_value()]).collect(),
        }
    }

    /// The histogram back; refuses bounds other than this crate's (they would not merge exactly).
    pub fn to_histogram(&self) -> Result<Histogram<u64>, String> {
        if (self.lowest_us, self.highest_us, self.significant_digits) != (LOWEST_US, HIGHEST_US, SIGFIG) {
            return Err(format!(
                "a histogram has bounds {}..{} us with {} digits; this scimlab records {LOWEST_US}..{HIGHEST_US} us \
                 with {SIGFIG} digits, and cannot merge them exactly",
                self.lowest_us, self.highest_us, self.significant_digits
            ));
        }
        let mut h = new_histogram();
        for [v, n] in &self.buckets {
            h.record_n(*v, *n).map_err(|e| format!("histogram bucket {v}: {e:?}"))?;
        }
        Ok(h)
    }
}
