//! What the generator records per operation: an HdrHistogram of latencies, statuses, SCIM `scimType`s of errors,
//! 429s counted apart with the time waited for them, and a timeline for the latency-over-time chart.
//!
//! Every worker owns its own [`Recorder`] (no locks, no atomics on the hot path besides the live counters the
//! progress bar reads); the engine merges them at the end. Histograms are in microseconds from 1 us to one hour
//! with 3 significant digits, the same in every process, so that shards merge exactly: [`HistogramDoc`] writes
//! each non-empty bucket as `[highest equivalent value, count]`, and recording that value again lands in the same
//! bucket.

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::atomic::AtomicU64;

/// The key under which errors whose body named no scimType are counted (not an RFC 7644 scimType, so it cannot
/// collide with one; reports show it as "without a scimType").
pub const NO_SCIM_TYPE: &str = "none";
pub use scimlab_reports::load::{HIGHEST_US, HistogramDoc, LOWEST_US, SIGFIG, new_histogram};
/// The narrowest timeline interval; wider ones are this times a power of two, so timelines always re-bin.
pub const BASE_INTERVAL_MS: u64 = 100;
/// A timeline with more bins than this doubles its interval.
pub const MAX_BINS: usize = 600;

/// The operations the workloads send. Lanes keep their own statistics per operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    /// `POST /Bulk`.
    Bulk,
    /// `POST /Users`.
    CreateUser,
    /// `POST /Groups`.
    CreateGroup,
    /// `GET /Users/{id}`.
    Get,
    /// `GET /Users?filter=userName eq ".."`.
    FilterUserName,
    /// `GET /Users?filter=externalId eq ".."`.
    FilterExternalId,
    /// `GET /Users?filter=emails[type eq "work" and value co ".."]`.
    FilterComplex,
    /// `PATCH /Users/{id}` with attribute changes.
    PatchUser,
    /// `PUT /Users/{id}` (personas that update with PUT).
    PutUser,
    /// `PATCH /Users/{id}` setting `active`.
    PatchActive,
    /// `PATCH /Groups/{id}` adding or removing members.
    PatchMembers,
    /// `GET /Groups/{id}` (a persona reading a group before it writes it).
    GetGroup,
    /// `GET /Groups?filter=displayName eq ".."` (a persona's group lookup before a create).
    FilterGroup,
    /// `PUT /Groups/{id}` (personas that push groups with PUT).
    PutGroup,
    /// Anything else a persona's plan sends.
    Other,
}

impl Op {
    /// Every operation, in report order.
    pub const ALL: [Op; 15] = [
        Op::Bulk,
        Op::CreateUser,
        Op::CreateGroup,
        Op::Get,
        Op::FilterUserName,
        Op::FilterExternalId,
        Op::FilterComplex,
        Op::PatchUser,
        Op::PutUser,
        Op::PatchActive,
        Op::PatchMembers,
        Op::GetGroup,
        Op::FilterGroup,
        Op::PutGroup,
        Op::Other,
    ];

    /// The name reports use.
    pub fn name(self) -> &'static str {
        match self {
            Op::Bulk => "bulk",
            Op::CreateUser => "create-user",
            Op::CreateGroup => "create-group",
            Op::Get => "get",
            Op::FilterUserName => "filter-username",
            Op::FilterExternalId => "filter-externalid",
            Op::FilterComplex => "filter-complex",
            Op::PatchUser => "patch-user",
            Op::PutUser => "put-user",
            Op::PatchActive => "patch-active",
            Op::PatchMembers => "patch-members",
            Op::GetGroup => "get-group",
            Op::FilterGroup => "filter-group",
            Op::PutGroup => "put-group",
            Op::Other => "other",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One timeline bin.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bin {
    /// Responses completed in the bin (429s excluded).
    pub count: u64,
    /// Of those, errors.
    pub errors: u64,
    /// Sum of their latencies, in microseconds.
    pub sum_us: u64,
    /// Their largest latency, in microseconds.
    pub max_us: u64,
}

impl Bin {
    fn add(&mut self, o: &Bin) {
        self.count += o.count;
        self.errors += o.errors;
        self.sum_us += o.sum_us;
        self.max_us = self.max_us.max(o.max_us);
    }
}

/// Completions over time, in bins of `interval_ms` counted from the start of the measured window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    /// Width of a bin: [`BASE_INTERVAL_MS`] times a power of two.
    pub interval_ms: u64,
    /// The bins, from the start.
    pub bins: Vec<Bin>,
}

impl Default for Timeline {
    fn default() -> Self {
        Timeline { interval_ms: BASE_INTERVAL_MS, bins: Vec::new() }
    }
}

impl Timeline {
    fn record(&mut self, at_ms: u64, latency_us: u64, error: bool) {
        let mut i = usize::try_from(at_ms / self.interval_ms).unwrap_or(usize::MAX);
        while i >= MAX_BINS {
            self.widen();
            i = usize::try_from(at_ms / self.interval_ms).unwrap_or(usize::MAX);
        }
        if self.bins.len() <= i {
            self.bins.resize(i + 1, Bin::default());
        }
        let b = &mut self.bins[i];
        b.count += 1;
        b.errors += u64::from(error);
        b.sum_us += latency_us;
        b.max_us = b.max_us.max(latency_us);
    }

    /// Doubles the interval, joining bins pairwise.
    fn widen(&mut self) {
        self.interval_ms *= 2;
        let old = std::mem::take(&mut self.bins);
        for pair in old.chunks(2) {
            let mut b = pair[0];
            if let Some(second) = pair.get(1) {
                b.add(second);
            }
            self.bins.push(b);
        }
    }

    /// Re-bins to `interval_ms` (a power-of-two multiple of the current interval).
    pub fn rebin(&mut self, interval_ms: u64) {
        while self.interval_ms < interval_ms {
            self.widen();
        }
    }

    /// Adds `other` bin by bin (both re-binned to the wider interval first).
    pub fn merge(&mut self, other: &Timeline) {
        let mut other = other.clone();
        let width = self.interval_ms.max(other.interval_ms);
        self.rebin(width);
        other.rebin(width);
        if self.bins.len() < other.bins.len() {
            self.bins.resize(other.bins.len(), Bin::default());
        }
        for (a, b) in self.bins.iter_mut().zip(&other.bins) {
            a.add(b);
        }
        while self.bins.len() > MAX_BINS {
            self.widen();
        }
    }
}

/// Everything recorded about one operation of one lane.
#[derive(Debug, Clone)]
pub struct OpStats {
    /// Latencies of the responses (429s and transport failures excluded), in microseconds.
    pub hist: Histogram<u64>,
    /// Responses by HTTP status (429 included).
    pub statuses: BTreeMap<u16, u64>,
    /// `scimType` of error responses (and of failed /Bulk operations), `none` when the error had none.
    pub scim_types: BTreeMap<String, u64>,
    /// Requests that got no HTTP response (refused or dropped connection, malformed answer).
    pub transport_errors: u64,
    /// Responses whose body went beyond `--max-response-bytes` (not read further; the connection was closed).
    pub body_too_large: u64,
    /// 429 answers.
    pub throttled: u64,
    /// Time spent waiting as 429 answers' Retry-After asked, in microseconds.
    pub throttle_wait_us: u64,
    /// Resources the requests carried (/Bulk operations, or 1 per single-resource write).
    pub items: u64,
    /// /Bulk operations that failed inside a 200 answer, by their status.
    pub item_failures: BTreeMap<u16, u64>,
    /// Completions over time.
    pub timeline: Timeline,
}

impl Default for OpStats {
    fn default() -> Self {
        OpStats {
            hist: new_histogram(),
            statuses: BTreeMap::new(),
            scim_types: BTreeMap::new(),
            transport_errors: 0,
            body_too_large: 0,
            throttled: 0,
            throttle_wait_us: 0,
            items: 0,
            item_failures: BTreeMap::new(),
            timeline: Timeline::default(),
        }
    }
}

impl OpStats {
    /// Responses other than 429 (the histogram's count).
    pub fn responses(&self) -> u64 {
        self.hist.len()
    }

    /// Requests sent: responses, 429s, transport failures and bodies too large.
    pub fn requests(&self) -> u64 {
        self.hist.len() + self.throttled + self.transport_errors + self.body_too_large
    }

    /// Failed requests: 4xx and 5xx other than 429, transport failures and bodies too large. Failed /Bulk
    /// operations are counted apart ([`OpStats::item_errors`]).
    pub fn errors(&self) -> u64 {
        let http: u64 = self.statuses.iter().filter(|(s, _)| **s >= 400 && **s != 429).map(|(_, n)| n).sum();
        http + self.transport_errors + self.body_too_large
    }

    /// Failed /Bulk operations.
    pub fn item_errors(&self) -> u64 {
        self.item_failures.values().sum()
    }

    /// Adds `o` into `self`. Histograms have the same bounds everywhere, so this cannot fail; a histogram that
    /// somehow could not be added is re-recorded bucket by bucket.
    pub fn merge(&mut self, o: &OpStats) {
        if self.hist.add(&o.hist).is_err() {
            for v in o.hist.iter_recorded() {
                self.hist.saturating_record_n(v.value_iterated_to(), v.count_at_value());
            }
        }
        for (k, v) in &o.statuses {
            *self.statuses.entry(*k).or_default() += v;
        }
        for (k, v) in &o.scim_types {
            *self.scim_types.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &o.item_failures {
            *self.item_failures.entry(*k).or_default() += v;
        }
        self.transport_errors += o.transport_errors;
        self.body_too_large += o.body_too_large;
        self.throttled += o.throttled;
        self.throttle_wait_us += o.throttle_wait_us;
        self.items += o.items;
        self.timeline.merge(&o.timeline);
    }
}

/// Counters the progress bar reads while the run goes.
#[derive(Debug, Default)]
pub struct Live {
    /// Requests answered or failed.
    pub requests: AtomicU64,
    /// Of those, errors.
    pub errors: AtomicU64,
    /// 429 answers.
    pub throttled: AtomicU64,
    /// Resources created.
    pub created: AtomicU64,
    /// Tasks finished (for a bulk-merge: blocks).
    pub tasks: AtomicU64,
}

/// One worker's statistics, by (lane, operation).
#[derive(Debug)]
pub struct Recorder {
    slots: Vec<Option<Box<OpStats>>>,
    /// Whether responses are recorded (false during `--warmup` and for work that is not measured).
    pub on: bool,
    /// Start of the measured window, for the timeline.
    pub start: std::time::Instant,
}

/// Where a response is recorded: the lane and the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Lane index.
    pub lane: usize,
    /// Operation.
    pub op: Op,
}

impl Recorder {
    /// An empty recorder for `lanes` lanes.
    pub fn new(lanes: usize, start: std::time::Instant, on: bool) -> Recorder {
        Recorder { slots: (0..lanes * Op::ALL.len()).map(|_| None).collect(), on, start }
    }

    fn stats(&mut self, slot: Slot) -> Option<&mut OpStats> {
        let i = slot.lane * Op::ALL.len() + slot.op.index();
        let s = self.slots.get_mut(i)?;
        Some(s.get_or_insert_with(Box::default))
    }

    /// Records a response: its latency (from the intended send time in the open model), status and, for
    /// errors, the scimType.
    pub fn response(&mut self, slot: Slot, latency_us: u64, status: u16, scim_type: Option<&str>, items: u64) {
        if !self.on {
            return;
        }
        let at_ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        let Some(s) = self.stats(slot) else { return };
        s.hist.saturating_record(latency_us.clamp(LOWEST_US, HIGHEST_US));
        *s.statuses.entry(status).or_default() += 1;
        s.items += items;
        let error = status >= 400;
        if error {
            *s.scim_types.entry(scim_type.unwrap_or(NO_SCIM_TYPE).to_owned()).or_default() += 1;
        }
        s.timeline.record(at_ms, latency_us, error);
    }

    /// Records a 429 and the time its Retry-After asked for.
    pub fn throttled(&mut self, slot: Slot, wait_us: u64) {
        if !self.on {
            return;
        }
        if let Some(s) = self.stats(slot) {
            s.throttled += 1;
            s.throttle_wait_us += wait_us;
            *s.statuses.entry(429).or_default() += 1;
        }
    }

    /// Records a request that got no HTTP response.
    pub fn transport_error(&mut self, slot: Slot) {
        if self.on
            && let Some(s) = self.stats(slot)
        {
            s.transport_errors += 1;
        }
    }

    /// Records a response whose body went beyond the cap.
    pub fn body_too_large(&mut self, slot: Slot) {
        if self.on
            && let Some(s) = self.stats(slot)
        {
            s.body_too_large += 1;
        }
    }

    /// Records a failed operation inside a /Bulk answer.
    pub fn item_failure(&mut self, slot: Slot, status: u16, scim_type: Option<&str>) {
        if !self.on {
            return;
        }
        if let Some(s) = self.stats(slot) {
            *s.item_failures.entry(status).or_default() += 1;
            *s.scim_types.entry(scim_type.unwrap_or(NO_SCIM_TYPE).to_owned()).or_default() += 1;
        }
    }

    /// Adds another recorder's statistics (same lanes) into this one.
    pub fn merge(&mut self, other: Recorder) {
        for (mine, theirs) in self.slots.iter_mut().zip(other.slots) {
            match (mine.as_mut(), theirs) {
                (_, None) => {}
                (None, Some(t)) => *mine = Some(t),
                (Some(m), Some(t)) => m.merge(&t),
            }
        }
    }

    /// The recorded operations: (lane, op, stats), lanes in order, operations in [`Op::ALL`] order.
    pub fn into_ops(self) -> Vec<(usize, Op, OpStats)> {
        let n = Op::ALL.len();
        self.slots.into_iter().enumerate().filter_map(|(i, s)| s.map(|s| (i / n, Op::ALL[i % n], *s))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn histogram_documents_round_trip_exactly() {
        let mut h = new_histogram();
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..10_000 {
            h.record(rng.u64(1..5_000_000)).expect("in range");
        }
        let doc = HistogramDoc::of(&h);
        let back = doc.to_histogram().expect("same bounds");
        assert_eq!(back, h);
        assert_eq!(HistogramDoc::of(&back), doc);
        for q in [0.5, 0.9, 0.99, 0.999, 1.0] {
            assert_eq!(back.value_at_quantile(q), h.value_at_quantile(q));
        }
    }

    #[test]
    fn merged_histograms_equal_one_histogram_of_everything() {
        let mut rng = fastrand::Rng::with_seed(11);
        let values: Vec<u64> = (0..20_000).map(|_| rng.u64(50..200_000)).collect();
        let mut whole = new_histogram();
        let (mut a, mut b) = (new_histogram(), new_histogram());
        for (i, v) in values.iter().enumerate() {
            whole.record(*v).expect("in range");
            if i % 3 == 0 { a.record(*v) } else { b.record(*v) }.expect("in range");
        }
        // Through the JSON documents, as `report merge` does.
        let mut merged = HistogramDoc::of(&a).to_histogram().expect("a");
        merged.add(HistogramDoc::of(&b).to_histogram().expect("b")).expect("same bounds");
        assert_eq!(merged, whole);
    }

    #[test]
    fn foreign_bounds_are_refused() {
        let doc = HistogramDoc { lowest_us: 1, highest_us: 60_000_000, significant_digits: 2, buckets: vec![] };
        assert!(doc.to_histogram().expect_err("an error").contains("cannot merge"));
    }

    #[test]
    fn recorder_counts_statuses_errors_and_throttling_apart() {
        let mut r = Recorder::new(1, Instant::now(), true);
        let s = Slot { lane: 0, op: Op::Get };
        r.response(s, 100, 200, None, 0);
        r.response(s, 300, 404, Some("noTarget"), 0);
        r.throttled(s, 1_000_000);
        r.transport_error(s);
        let ops = r.into_ops();
        assert_eq!(ops.len(), 1);
        let st = &ops[0].2;
        assert_eq!((st.responses(), st.requests(), st.errors(), st.throttled), (2, 4, 2, 1));
        assert_eq!(st.scim_types.get("noTarget"), Some(&1));
        assert_eq!(st.statuses.get(&429), Some(&1));
        assert_eq!(st.throttle_wait_us, 1_000_000);
    }

    #[test]
    fn warmup_is_not_recorded() {
        let mut r = Recorder::new(1, Instant::now(), false);
        r.response(Slot { lane: 0, op: Op::Get }, 100, 200, None, 0);
        assert!(r.into_ops().is_empty());
    }

    #[test]
    fn timelines_widen_and_merge_by_interval() {
        let mut t = Timeline::default();
        t.record(50, 10, false);
        t.record(150, 20, true);
        assert_eq!(t.bins.len(), 2);
        t.record(u64::try_from(MAX_BINS).expect("small") * BASE_INTERVAL_MS + 1, 30, false);
        assert_eq!(t.interval_ms, 2 * BASE_INTERVAL_MS);
        assert_eq!(t.bins[0], Bin { count: 2, errors: 1, sum_us: 30, max_us: 20 });
        let mut u = Timeline::default();
        u.record(10, 5, false);
        u.merge(&t);
        assert_eq!(u.interval_ms, 2 * BASE_INTERVAL_MS);
        assert_eq!(u.bins[0].count, 3);
        assert_eq!(u.bins.iter().map(|b| b.count).sum::<u64>(), 4);
    }
}
