//! Load verdicts. A load run passes or fails by thresholds on its numbers, as k6 judges its runs:
//! `--threshold 'p99<500ms'`, `--threshold 'errors<1%'`, or a scenario file's `thresholds:` list. Without any,
//! [`DEFAULT_THRESHOLDS`] apply, so a run answered with hundreds of 5xx fails. Each threshold becomes one
//! check of the run's report (`load/threshold/p99<500ms`, MUST), beside the checks of what the run set out to
//! do ([`crate::verdicts`]): every sink and the exit status read the same verdicts.
//!
//! Grammar: `METRIC[{OPERATION}] OP VALUE`, spaces allowed, where OP is `<`, `<=`, `>` or `>=` and
//!
//! | metric | value | measures |
//! |---|---|---|
//! | `errors` | `1%` or a count | failed requests (4xx / 5xx other than 429, no answer, body too large) and failed operations inside /Bulk answers, over requests (a /Bulk request counts as the operations it carried) |
//! | `throttled` | `5%` or a count | 429 answers, over requests |
//! | `p50` `p90` `p99` `p99.9` `max` `mean` | a duration: `500ms`, `1.5s` | the latency of every operation (each one must hold) |
//! | `rps` | a rate: `25`, `25/s`, `600/m` | responses per second, all operations together |
//!
//! `{OPERATION}` limits a threshold to one operation (`p99{filter-username}<200ms`); its name is one of the
//! load table's operations (`bulk`, `get`, `filter-username`...).

use crate::report::{LoadSection, OpDoc};
use crate::stats::Op;
use scimlab_reports::model::{CheckResult, Level, Verdict};

/// The thresholds that apply when a run names none.
pub const DEFAULT_THRESHOLDS: [&str; 1] = ["errors<1%"];

/// The section of the report that threshold checks belong to.
pub const THRESHOLD_SECTION: &str = "load thresholds";
/// The section of the checks of what the run set out to do.
pub const RUN_SECTION: &str = "load run";
/// The prefix of a threshold check's id; the threshold as written (normalised) follows.
pub const THRESHOLD_ID: &str = "load/threshold/";

/// What a threshold measures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Metric {
    /// Failed requests and /Bulk operations.
    Errors,
    /// 429 answers.
    Throttled,
    /// A latency statistic of each operation.
    Latency(Stat),
    /// Responses per second.
    Rps,
}

/// A latency statistic.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stat {
    /// Median.
    P50,
    /// 90th percentile.
    P90,
    /// 99th percentile.
    P99,
    /// 99.9th percentile.
    P999,
    /// Slowest.
    Max,
    /// Mean.
    Mean,
}

impl Stat {
    fn of(self, o: &OpDoc) -> f64 {
        let l = &o.latency_ms;
        match self {
            Stat::P50 => l.p50,
            Stat::P90 => l.p90,
            Stat::P99 => l.p99,
            Stat::P999 => l.p999,
            Stat::Max => l.max,
            Stat::Mean => l.mean,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Stat::P50 => "p50",
            Stat::P90 => "p90",
            Stat::P99 => "p99",
            Stat::P999 => "p99.9",
            Stat::Max => "max",
            Stat::Mean => "mean",
        }
    }
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Cmp {
    fn holds(self, value: f64, limit: f64) -> bool {
        match self {
            Cmp::Lt => value < limit,
            Cmp::Le => value <= limit,
            Cmp::Gt => value > limit,
            Cmp::Ge => value >= limit,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
        }
    }
}

/// A limit with its unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limit {
    /// A share of requests, in percent.
    Percent(f64),
    /// A count.
    Count(f64),
    /// Milliseconds.
    Ms(f64),
    /// Per second.
    PerSecond(f64),
}

/// One threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    /// What it measures.
    pub metric: Metric,
    /// The one operation it is about, if any.
    pub operation: Option<String>,
    /// How the measure compares with the limit.
    pub cmp: Cmp,
    /// The limit.
    pub limit: Limit,
}

impl std::str::FromStr for Threshold {
    type Err = String;

    /// Parses `p99<500ms`, `errors < 1%`, `rps>=25/s`, `p99{filter-username}<200ms`; the error names the
    /// threshold and says what would be right.
    fn from_str(text: &str) -> Result<Threshold, String> {
        let bad = |why: String| format!("threshold {text:?}: {why}");
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let at = t.find(['<', '>']).ok_or_else(|| {
            bad("expected METRIC<VALUE or METRIC>VALUE, e.g. p99<500ms, errors<1%, rps>25".to_owned())
        })?;
        let (left, rest) = t.split_at(at);
        let (cmp, value) = match rest.as_bytes() {
            [b'<', b'=', ..] => (Cmp::Le, &rest[2..]),
            [b'>', b'=', ..] => (Cmp::Ge, &rest[2..]),
            [b'<', ..] => (Cmp::Lt, &rest[1..]),
            _ => (Cmp::Gt, &rest[1..]),
        };
        let (name, operation) = match left.split_once('{') {
            Some((name, op)) => {
                let op = op.strip_suffix('}').ok_or_else(|| bad("the operation in {...} is not closed".into()))?;
                if !Op::ALL.iter().any(|o| o.name() == op) {
                    let names: Vec<&str> = Op::ALL.iter().map(|o| o.name()).collect();
                    return Err(bad(format!("unknown operation {op:?}; operations are {}", names.join(", "))));
                }
                (name, Some(op.to_owned()))
            }
            None => (left, None),
        };
        let metric = match name.to_ascii_lowercase().as_str() {
            "errors" => Metric::Errors,
            "throttled" => Metric::Throttled,
            "rps" => Metric::Rps,
            "p50" => Metric::Latency(Stat::P50),
            "p90" => Metric::Latency(Stat::P90),
            "p99" => Metric::Latency(Stat::P99),
            "p99.9" | "p999" => Metric::Latency(Stat::P999),
            "max" => Metric::Latency(Stat::Max),
            "mean" | "avg" => Metric::Latency(Stat::Mean),
            "" => return Err(bad("the metric before the comparison is missing".into())),
            m => {
                return Err(bad(format!(
                    "unknown metric {m:?}; metrics are errors, throttled, rps, p50, p90, p99, p99.9, max, mean"
                )));
            }
        };
        if value.is_empty() {
            return Err(bad("the value after the comparison is missing".into()));
        }
        let limit = match metric {
            Metric::Errors | Metric::Throttled => match value.strip_suffix('%') {
                Some(p) => match p.parse::<f64>() {
                    Ok(p) if (0.0..=100.0).contains(&p) => Limit::Percent(p),
                    _ => return Err(bad(format!("{value:?} is not a percentage between 0% and 100%"))),
                },
                None => match value.parse::<f64>() {
                    Ok(n) if n >= 0.0 && n.is_finite() => Limit::Count(n),
                    _ => return Err(bad(format!("{value:?} is not a percentage (1%) or a count (10)"))),
                },
            },
            Metric::Latency(_) => {
                if value.chars().all(|c| c.is_ascii_digit() || c == '.') {
                    return Err(bad(format!("{value:?} has no unit; write e.g. {value}ms or {value}s")));
                }
                Limit::Ms(crate::options::parse_duration(value).map_err(bad)?.as_secs_f64() * 1000.0)
            }
            Metric::Rps => Limit::PerSecond(crate::options::parse_rate(value).map_err(bad)?),
        };
        Ok(Threshold { metric, operation, cmp, limit })
    }
}

fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{v:.0}") } else { format!("{v}") }
}

impl std::fmt::Display for Threshold {
    /// The threshold in its normal form: `p99<500ms`, `errors<1%`, `rps>=25/s`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self.metric {
            Metric::Errors => "errors",
            Metric::Throttled => "throttled",
            Metric::Rps => "rps",
            Metric::Latency(s) => s.name(),
        };
        write!(f, "{name}")?;
        if let Some(op) = &self.operation {
            write!(f, "{{{op}}}")?;
        }
        let value = match self.limit {
            Limit::Percent(p) => format!("{}%", num(p)),
            Limit::Count(n) => num(n),
            Limit::Ms(ms) => format!("{}ms", num(ms)),
            Limit::PerSecond(r) => format!("{}/s", num(r)),
        };
        write!(f, "{}{value}", self.cmp.symbol())
    }
}

/// Parses every threshold, naming the first that is wrong.
pub fn parse_all<S: AsRef<str>>(texts: &[S]) -> Result<Vec<Threshold>, String> {
    texts.iter().map(|t| t.as_ref().parse()).collect()
}

/// The default thresholds, parsed.
pub fn defaults() -> Vec<Threshold> {
    DEFAULT_THRESHOLDS.iter().filter_map(|t| t.parse().ok()).collect()
}

/// A share for people: `0.37% (3 of 812)`.
fn share(n: u64, of: u64) -> String {
    if of == 0 { format!("{n} of 0") } else { format!("{:.2}% ({n} of {of})", n as f64 * 100.0 / of as f64) }
}

impl Threshold {
    /// The operations this threshold reads.
    fn ops<'a>(&self, s: &'a LoadSection) -> Vec<&'a OpDoc> {
        s.operations.iter().filter(|o| self.operation.as_deref().is_none_or(|op| o.operation == op)).collect()
    }

    /// The requirement in words.
    fn requirement(&self) -> String {
        let scope = match &self.operation {
            Some(op) => format!("of {op}"),
            None => "of every operation".to_owned(),
        };
        let what = match self.metric {
            Metric::Errors => "the errors (failed requests and /Bulk operations)".to_owned(),
            Metric::Throttled => "the 429 answers".to_owned(),
            Metric::Rps => "the responses per second".to_owned(),
            Metric::Latency(s) => format!("the {} latency {scope}", s.name()),
        };
        format!(
            "{what} stay {} the threshold {self}",
            if matches!(self.cmp, Cmp::Lt | Cmp::Le) { "under" } else { "over" }
        )
    }

    /// The verdict on `s`: `(holds, actual, reason when it does not hold)`.
    fn judge(&self, s: &LoadSection) -> (bool, String, Option<String>) {
        let ops = self.ops(s);
        let requests: u64 = ops.iter().map(|o| units(o)).sum();
        let counted = |n: u64| -> (bool, String, Option<String>) {
            let (value, limit) = match self.limit {
                Limit::Percent(p) if requests > 0 => (n as f64 * 100.0 / requests as f64, p),
                Limit::Percent(_) => return (false, "no requests".into(), Some("no requests were sent".into())),
                Limit::Count(c) => (n as f64, c),
                _ => (n as f64, f64::NAN),
            };
            let actual = share(n, requests);
            let ok = self.cmp.holds(value, limit);
            let reason = (!ok).then(|| format!("{actual} is not {} {}", self.cmp.symbol(), self.limit_text()));
            (ok, actual, reason)
        };
        match self.metric {
            Metric::Errors => {
                let n: u64 = ops.iter().map(|o| o.errors + o.item_errors).sum();
                counted(if requests > 0 { n.min(requests) } else { n })
            }
            Metric::Throttled => counted(ops.iter().map(|o| o.throttled).sum()),
            Metric::Rps => {
                let rps: f64 = ops.iter().map(|o| o.throughput).sum();
                let Limit::PerSecond(limit) = self.limit else { return (false, String::new(), None) };
                let ok = self.cmp.holds(rps, limit);
                let actual = format!("{rps:.1} responses/s");
                (ok, actual.clone(), (!ok).then(|| format!("{actual} is not {} {limit}/s", self.cmp.symbol())))
            }
            Metric::Latency(stat) => {
                let Limit::Ms(limit) = self.limit else { return (false, String::new(), None) };
                let measured: Vec<(&OpDoc, f64)> =
                    ops.iter().filter(|o| o.responses > 0).map(|o| (*o, stat.of(o))).collect();
                if measured.is_empty() {
                    let what = self.operation.as_deref().unwrap_or("any operation");
                    return (false, "no responses".into(), Some(format!("no response of {what} was measured")));
                }
                let failing: Vec<String> = measured
                    .iter()
                    .filter(|(_, v)| !self.cmp.holds(*v, limit))
                    .map(|(o, v)| format!("{} / {} {} {v:.2} ms", o.workload, o.operation, stat.name()))
                    .collect();
                let actual = measured
                    .iter()
                    .map(|(o, v)| format!("{} / {} {v:.2} ms", o.workload, o.operation))
                    .collect::<Vec<_>>()
                    .join(", ");
                let reason = (!failing.is_empty())
                    .then(|| format!("{} not {} {}", failing.join(", "), self.cmp.symbol(), self.limit_text()));
                (failing.is_empty(), actual, reason)
            }
        }
    }

    fn limit_text(&self) -> String {
        match self.limit {
            Limit::Percent(p) => format!("{}%", num(p)),
            Limit::Count(n) => num(n),
            Limit::Ms(ms) => format!("{} ms", num(ms)),
            Limit::PerSecond(r) => format!("{}/s", num(r)),
        }
    }

    /// The check of this threshold on `s`.
    pub fn check(&self, s: &LoadSection) -> CheckResult {
        let (ok, actual, reason) = self.judge(s);
        CheckResult {
            section: THRESHOLD_SECTION.to_owned(),
            tags: vec!["load".to_owned()],
            requirement: self.requirement(),
            expected: Some(self.to_string()),
            actual: Some(actual),
            reason,
            ..CheckResult::bare(
                format!("{THRESHOLD_ID}{self}"),
                Level::Must,
                if ok { Verdict::Pass } else { Verdict::Fail },
            )
        }
    }
}

/// The requests an operation counts for rates: a /Bulk request counts as the operations it carried.
fn units(o: &OpDoc) -> u64 {
    if o.operation == Op::Bulk.name() { o.items.max(o.requests) } else { o.requests }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn thresholds_parse_and_print_in_normal_form() {
        for (text, normal) in [
            ("p99<500ms", "p99<500ms"),
            (" errors < 1% ", "errors<1%"),
            ("errors<=10", "errors<=10"),
            ("p99.9<1.5s", "p99.9<1500ms"),
            ("p999<2s", "p99.9<2000ms"),
            ("rps>=25", "rps>=25/s"),
            ("rps>600/m", "rps>10/s"),
            ("max{filter-username}<200ms", "max{filter-username}<200ms"),
            ("mean>1ms", "mean>1ms"),
            ("throttled<5%", "throttled<5%"),
        ] {
            let t: Threshold = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(t.to_string(), normal);
            assert_eq!(normal.parse::<Threshold>(), Ok(t), "{normal} round-trips");
        }
    }

    #[test]
    fn bad_thresholds_are_named_with_what_would_be_right() {
        for (text, says) in [
            ("p99", "expected METRIC<VALUE"),
            ("p98<1ms", "unknown metric \"p98\""),
            ("p99<500", "has no unit"),
            ("errors<150%", "between 0% and 100%"),
            ("errors<lots", "not a percentage"),
            ("p99{nope}<1ms", "unknown operation \"nope\""),
            ("p99{get<1ms", "not closed"),
            ("<1ms", "metric before the comparison is missing"),
            ("p99<", "value after the comparison is missing"),
            ("rps>fast", "--rate"),
        ] {
            let e = text.parse::<Threshold>().expect_err(text);
            assert!(e.contains(says) && e.contains(&format!("{text:?}")), "{text}: {e}");
        }
    }

    /// A section with one read operation: `ok` 200s and `failed` 500s, latencies 1..=n ms.
    pub(crate) fn section(ok: u64, failed: u64) -> LoadSection {
        let mut st = crate::stats::OpStats::default();
        for i in 0..ok + failed {
            st.hist.saturating_record(1_000 * (i % 100 + 1));
        }
        st.statuses.insert(200, ok);
        if failed > 0 {
            st.statuses.insert(500, failed);
            st.scim_types.insert(crate::stats::NO_SCIM_TYPE.to_owned(), failed);
        }
        LoadSection {
            format: crate::report::LOAD_FORMAT,
            scenario: "read".into(),
            persona: "entra".into(),
            run_id: "sltest".into(),
            users: 0,
            block: 100,
            shards: Vec::new(),
            lanes: Vec::new(),
            duration_ms: 1000.0,
            operations: vec![crate::report::op_doc(0, "read", "get", &st, 1000.0)],
            created: None,
            verify: None,
            cleanup: None,
            charts: Vec::new(),
        }
    }

    pub(crate) fn report_of(checks: Vec<CheckResult>, s: &LoadSection) -> scimlab_reports::model::RunReport {
        scimlab_reports::model::RunReport {
            version: scimlab_reports::REPORT_VERSION,
            kind: scimlab_reports::RunKind::Load,
            tool_version: "0".into(),
            started_at: "2024-05-01T12:00:00Z".into(),
            duration_ms: 1000.0,
            target: scimlab_reports::Target { url: "http://127.0.0.1:1/scim/v2".into(), embedded: false },
            profiles: vec!["entra".into()],
            strict: false,
            seed: 1,
            summary: scimlab_reports::Summary::of(&checks),
            checks,
            root_causes: Vec::new(),
            load: Some(s.clone()),
        }
    }

    #[test]
    fn thresholds_judge_latency_per_operation_and_rates_over_requests() {
        let s = section(1000, 5);
        let judge = |t: &str| t.parse::<Threshold>().expect(t).check(&s);
        assert_eq!(judge("errors<1%").verdict, Verdict::Pass);
        assert_eq!(judge("errors<5").verdict, Verdict::Fail);
        assert_eq!(judge("errors<=5").verdict, Verdict::Pass);
        assert_eq!(judge("p50<1s").verdict, Verdict::Pass);
        let slow = judge("p99<50ms");
        assert_eq!(slow.verdict, Verdict::Fail);
        assert!(slow.reason.as_deref().unwrap_or("").contains("read / get p99 "), "{slow:?}");
        assert_eq!(judge("rps>=1000").verdict, Verdict::Pass);
        assert_eq!(judge("rps>2000").verdict, Verdict::Fail);
        let none = judge("p99{bulk}<1s");
        assert_eq!(none.verdict, Verdict::Fail, "nothing measured is not a pass");
        assert!(none.reason.as_deref().unwrap_or("").contains("no response of bulk"));
    }
}
