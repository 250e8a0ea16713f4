//! What a load run is told: the target, the workloads (lanes), the load model, the bounds, the persona, the
//! shard. [`LoadOptions`] is what `scimlab load` builds from its flags and what tests build directly.
//!
//! A scenario is a name (`bulk-merge`, `filter`, `patch`, `mixed`, `read`: one lane, with the command line's
//! model) or a file listing lanes that run side by side, each with its own model, e.g. a bulk load at full
//! concurrency beside the gallery's 25 requests per second of incremental sync:
//!
//! ```yaml
//! users: 200000
//! lanes:
//!   - workload: bulk-merge
//!     concurrency: 8
//!   - workload: mixed
//!     rate: 25
//! ```
//!
//! Files are YAML (or JSON when named `*.json`); unknown keys are errors.

use crate::LoadError;
use crate::persona::Persona;
use crate::shard::Shard;
use serde::Deserialize;
use std::path::Path;
use std::time::Duration;

/// What a lane sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Workload {
    /// Create the population and its groups: through /Bulk (users and their group in one request, the group's
    /// members as `bulkId` references), or with parallel POSTs where the server has no /Bulk.
    BulkMerge,
    /// `userName eq`, `externalId eq` and `emails[type eq "work" and value co ..]` over the population.
    Filter,
    /// Persona-shaped profile updates of the population.
    Patch,
    /// An incremental sync: lookups, reads, updates, (de)activations, membership changes, a few hires.
    Mixed,
    /// `GET /Users/{id}` over the population.
    Read,
}

impl Workload {
    /// Every workload.
    pub const ALL: [Workload; 5] =
        [Workload::BulkMerge, Workload::Filter, Workload::Patch, Workload::Mixed, Workload::Read];

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Workload::BulkMerge => "bulk-merge",
            Workload::Filter => "filter",
            Workload::Patch => "patch",
            Workload::Mixed => "mixed",
            Workload::Read => "read",
        }
    }

    /// The workload called `name`.
    pub fn parse(name: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|w| w.name().eq_ignore_ascii_case(name.trim()))
    }
}

/// How requests are paced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Model {
    /// Closed: `concurrency` workers, each sending its next request when the previous one is answered.
    Closed {
        /// Workers (one connection each).
        concurrency: u64,
    },
    /// Open: request `i` is due at `start + i / rate`, whatever happened before; latency is measured from that
    /// intended time, so a server that stalls is charged for every request it delayed (no coordinated
    /// omission). `connections` bounds the requests in flight; when all are busy, the wait is latency too.
    Open {
        /// Requests (tasks) per second.
        rate: f64,
        /// Connections.
        connections: u64,
    },
}

impl Model {
    /// The model's own description for reports.
    pub fn describe(&self) -> String {
        match self {
            Model::Closed { concurrency } => format!("closed, concurrency {concurrency}"),
            Model::Open { rate, connections } => format!("open, {rate}/s over {connections} connections"),
        }
    }
}

/// One lane of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct LaneSpec {
    /// What it sends.
    pub workload: Workload,
    /// Its own model; `None` takes the command line's.
    pub model: Option<Model>,
}

/// Everything a run needs.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Base URL of the SCIM API (`http://host:port/scim/v2`, or https).
    pub url: String,
    /// Bearer token.
    pub token: Option<String>,
    /// Where bearer tokens come from instead, when they are obtained (OAuth client credentials, an Entra JWT):
    /// the run gets one before it starts and a new one as each nears its end.
    pub token_source: Option<scimlab_mock_idp::TokenSource>,
    /// How an https server's certificate is checked.
    pub tls: crate::wire::TlsTrust,
    /// The scenario's name, for reports.
    pub scenario: String,
    /// Lanes, run side by side.
    pub lanes: Vec<LaneSpec>,
    /// Users a bulk-merge lane creates (all shards together).
    pub users: u64,
    /// Users per block and group.
    pub block: u64,
    /// Users created, unmeasured, for the query lanes when a bulk-merge lane runs beside them (otherwise the
    /// query lanes' population is `users`).
    pub preload: u64,
    /// The model of lanes that have none of their own.
    pub model: Model,
    /// Length of the measured window; `None`: 30 s, or one hour when a bulk-merge lane sets the end.
    pub duration: Option<Duration>,
    /// Most tasks (requests; for bulk-merge, blocks) in the whole run, all lanes and shards together.
    pub max_requests: Option<u64>,
    /// Time at the start whose responses are not recorded.
    pub warmup: Duration,
    /// The requests' shape.
    pub persona: &'static Persona,
    /// The slice this process runs.
    pub shard: Shard,
    /// Leave what the run created in place.
    pub keep: bool,
    /// After a bulk-merge, read back every group (and the user count) and compare with what was sent.
    pub verify: bool,
    /// Use /Bulk when the server supports it.
    pub use_bulk: bool,
    /// Prefix of every name the run creates; shards of one run may share it (their names are disjoint anyway).
    pub run_id: String,
    /// Seed of the random choices (which user a query picks, the mix).
    pub seed: u64,
    /// Show a progress bar on standard error (when it is a terminal).
    pub progress: bool,
    /// The most bytes of one response body that are read; a longer body is a "body too large" error.
    pub max_response_bytes: usize,
    /// What the run is judged by; empty: [`crate::thresholds::DEFAULT_THRESHOLDS`].
    pub thresholds: Vec<crate::thresholds::Threshold>,
}

impl LoadOptions {
    /// Options for one lane of `workload` against `url`, closed model with 16 workers, 1,000 users, no shard;
    /// a random run id and seed.
    pub fn new(url: &str, workload: Workload) -> LoadOptions {
        let id = uuid::Uuid::new_v4().simple().to_string();
        LoadOptions {
            url: url.to_owned(),
            token: None,
            token_source: None,
            tls: crate::wire::TlsTrust::Platform,
            scenario: workload.name().to_owned(),
            lanes: vec![LaneSpec { workload, model: None }],
            users: 1000,
            block: crate::population::DEFAULT_BLOCK,
            preload: 1000,
            model: Model::Closed { concurrency: 16 },
            duration: None,
            max_requests: None,
            warmup: Duration::ZERO,
            persona: &Persona::all()[0],
            shard: Shard::WHOLE,
            keep: false,
            verify: true,
            use_bulk: true,
            run_id: format!("sl{}", &id[..8]),
            seed: fastrand::u64(..),
            progress: false,
            max_response_bytes: crate::wire::DEFAULT_MAX_RESPONSE_BYTES,
            thresholds: Vec::new(),
        }
    }

    /// Whether a lane creates the population.
    pub fn has_bulk_merge(&self) -> bool {
        self.lanes.iter().any(|l| l.workload == Workload::BulkMerge)
    }

    /// Checks every number against what one process can do, before anything is allocated for it (see
    /// [`limits`]). Totals are split by `--shard K/N` first, so a run too big for one machine is refused with a
    /// pointer to sharding. The error names the flag and the limit.
    pub fn check_limits(&self) -> Result<(), LoadError> {
        use limits::*;
        let fail = |m: String| Err(LoadError::Usage(m));
        let shard = self.shard;
        for (flag, total) in [("--users", self.users), ("--preload", self.preload)] {
            if shard.share(total) > USERS_PER_SHARD {
                let per = if shard.is_whole() {
                    String::new()
                } else {
                    format!(" ({} in shard {shard})", shard.share(total))
                };
                return fail(format!(
                    "{flag} {total}{per} is more than one process holds: at most {USERS_PER_SHARD} users per shard \
                     (each keeps the id the server gave it); give fewer, or split the run with --shard K/N"
                ));
            }
        }
        if self.block == 0 || self.block > BLOCK {
            return fail(format!(
                "--block {} must be between 1 and {BLOCK} users per /Bulk request and group",
                self.block
            ));
        }
        for (i, lane) in self.lanes.iter().enumerate() {
            let (model, own) = match lane.model {
                Some(m) => (m, true),
                None => (self.model, false),
            };
            let name = |flag: &str| if own { format!("lane {} `{flag}`", i + 1) } else { format!("--{flag}") };
            let (flag, total) = match model {
                Model::Closed { concurrency } => ("concurrency", concurrency),
                Model::Open { rate, connections } => {
                    if !(MIN_RATE..=MAX_RATE).contains(&rate) {
                        return fail(format!(
                            "{} {rate}/s is out of range: give between 1/h and {MAX_RATE}/s",
                            name("rate")
                        ));
                    }
                    ("connections", connections)
                }
            };
            if total == 0 || shard.share(total).max(1) > WORKERS_PER_SHARD {
                return fail(format!(
                    "{} {total} must be between 1 and {WORKERS_PER_SHARD} per shard (each is a connection with its \
                     own latency histograms); split the run with --shard K/N for more",
                    name(flag)
                ));
            }
        }
        for (flag, d) in [("--duration", self.duration), ("--warmup", Some(self.warmup))] {
            if d.is_some_and(|d| d > MAX_DURATION) {
                return fail(format!(
                    "{flag} is longer than the most a run measures, {}h",
                    MAX_DURATION.as_secs() / 3600
                ));
            }
        }
        if !(1..=MAX_RESPONSE_BYTES).contains(&self.max_response_bytes) {
            return fail(format!(
                "--max-response-bytes {} must be between 1 and {MAX_RESPONSE_BYTES} (every worker may hold one body)",
                self.max_response_bytes
            ));
        }
        if self.max_requests == Some(0) {
            return fail("--max-requests must be at least 1".to_owned());
        }
        Ok(())
    }

    /// The measured window's length.
    pub fn window(&self) -> Duration {
        self.duration.unwrap_or(if self.has_bulk_merge() { Duration::from_secs(3600) } else { Duration::from_secs(30) })
    }
}

/// The most a single `scimlab load` process is asked to do. Beyond these the run would not fit the machine (or
/// would overflow a clock), so the numbers are usage errors (exit status 2), refused before anything is allocated.
pub mod limits {
    use std::time::Duration;

    /// Users (and preloaded users) of one shard: each keeps a slot for its server id, about 100 bytes with the
    /// id, so the limit is near 1 GB. Larger populations run as several shards (`--shard K/N`).
    pub const USERS_PER_SHARD: u64 = 10_000_000;
    /// Users per block: one /Bulk request (or one group's member list) holds a whole block.
    pub const BLOCK: u64 = 10_000;
    /// Workers (`--concurrency`) or connections (`--connections`) of one lane in one shard: each worker keeps
    /// one connection and its own latency histograms (about 190 KB per operation it sends).
    pub const WORKERS_PER_SHARD: u64 = 1_000;
    /// The highest open-model rate, per second.
    pub const MAX_RATE: f64 = 1_000_000.0;
    /// The lowest open-model rate: one task an hour.
    pub const MIN_RATE: f64 = 1.0 / 3600.0;
    /// The largest `--max-response-bytes`: 64 MiB (a worker holds at most one body).
    pub const MAX_RESPONSE_BYTES: usize = 64 << 20;
    /// The longest `--duration` and `--warmup`: 30 days.
    pub const MAX_DURATION: Duration = Duration::from_secs(30 * 24 * 3600);
}

/// A scenario file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Users of the run (the command line's `--users` wins).
    #[serde(default)]
    pub users: Option<u64>,
    /// Users per block and group.
    #[serde(default)]
    pub block: Option<u64>,
    /// Users preloaded for query lanes beside a bulk-merge.
    #[serde(default)]
    pub preload: Option<u64>,
    /// The lanes.
    pub lanes: Vec<LaneFile>,
    /// What the run is judged by, e.g. `["p99<500ms", "errors<1%"]` (see [`crate::thresholds`]); the command
    /// line's `--threshold` flags replace them.
    #[serde(default)]
    pub thresholds: Vec<String>,
}

/// A lane as a file writes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaneFile {
    /// What it sends.
    pub workload: Workload,
    /// Closed model with this many workers.
    #[serde(default)]
    pub concurrency: Option<u64>,
    /// Open model at this rate (per second).
    #[serde(default)]
    pub rate: Option<f64>,
    /// Connections of the open model.
    #[serde(default)]
    pub connections: Option<u64>,
}

impl ScenarioFile {
    /// Reads and checks a scenario file.
    pub fn read(path: &Path) -> Result<ScenarioFile, LoadError> {
        let name = path.display();
        let text = std::fs::read_to_string(path)
            .map_err(|e| LoadError::Usage(format!("cannot read the scenario file {name}: {e}")))?;
        let file: ScenarioFile = if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
            serde_json::from_str(&text).map_err(|e| LoadError::Usage(format!("scenario file {name}: {e}")))?
        } else {
            serde_saphyr::from_str(&text).map_err(|e| LoadError::Usage(format!("scenario file {name}: {e}")))?
        };
        if file.lanes.is_empty() {
            return Err(LoadError::Usage(format!("scenario file {name}: `lanes` is empty; give at least one")));
        }
        for (i, l) in file.lanes.iter().enumerate() {
            l.model().map_err(|e| LoadError::Usage(format!("scenario file {name}, lane {}: {e}", i + 1)))?;
        }
        file.parsed_thresholds().map_err(|e| LoadError::Usage(format!("scenario file {name}: {e}")))?;
        Ok(file)
    }

    /// The file's thresholds, parsed.
    pub fn parsed_thresholds(&self) -> Result<Vec<crate::thresholds::Threshold>, String> {
        crate::thresholds::parse_all(&self.thresholds)
    }

    /// The lanes as options take them.
    pub fn lanes(&self) -> Result<Vec<LaneSpec>, LoadError> {
        self.lanes
            .iter()
            .map(|l| Ok(LaneSpec { workload: l.workload, model: l.model().map_err(LoadError::Usage)? }))
            .collect()
    }
}

impl LaneFile {
    fn model(&self) -> Result<Option<Model>, String> {
        match (self.concurrency, self.rate) {
            (Some(_), Some(_)) => Err("give `concurrency` (closed model) or `rate` (open model), not both".into()),
            (Some(0), None) => Err("`concurrency` must be at least 1".into()),
            (Some(c), None) if self.connections.is_none() => Ok(Some(Model::Closed { concurrency: c })),
            (Some(_), None) => Err("`connections` goes with `rate` (the open model)".into()),
            (None, Some(r)) => {
                let rate = check_rate(r)?;
                Ok(Some(Model::Open { rate, connections: self.connections.unwrap_or(DEFAULT_CONNECTIONS).max(1) }))
            }
            (None, None) => Ok(None),
        }
    }
}

/// Connections of the open model unless told otherwise.
pub const DEFAULT_CONNECTIONS: u64 = 32;

fn check_rate(r: f64) -> Result<f64, String> {
    if r.is_finite() && r > 0.0 { Ok(r) } else { Err(format!("rate {r} must be a positive number per second")) }
}

/// `100`, `100/s`, `6000/m` or `360000/h`: requests per second.
pub fn parse_rate(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let (num, per) = match t.split_once('/') {
        Some((n, u)) => (n.trim(), u.trim()),
        None => (t, "s"),
    };
    let n: f64 = num.parse().map_err(|_| format!("--rate {s:?}: expected a number per second, e.g. 25/s"))?;
    let secs = match per {
        "s" | "sec" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => return Err(format!("--rate {s:?}: the unit after '/' must be s, m or h")),
    };
    check_rate(n / secs).map_err(|e| format!("--rate {s:?}: {e}"))
}

/// A duration as scimlab reads every duration a person writes ([`scimlab_protocol::duration::parse`]: `500ms`,
/// `30s`, `5m`, `1h`, `2h 30m`, ISO 8601 `PT1M`); a bare number is refused, since it would be milliseconds to some
/// tools and seconds to others.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    scimlab_protocol::duration::parse(s).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_durations_parse() {
        assert_eq!(parse_rate("25"), Ok(25.0));
        assert_eq!(parse_rate("25/s"), Ok(25.0));
        assert_eq!(parse_rate("600/m"), Ok(10.0));
        assert!(parse_rate("0").is_err());
        assert!(parse_rate("5/d").is_err());
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert!(parse_duration("30").expect_err("no unit").contains("needs a unit"));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1.5h"), Ok(Duration::from_secs(5400)));
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("3d").is_err());
    }

    #[test]
    fn scenario_files_are_checked() {
        let f: ScenarioFile = serde_saphyr::from_str(
            "users: 10\nlanes:\n  - workload: bulk-merge\n    concurrency: 4\n  - workload: mixed\n    rate: 25\n",
        )
        .expect("yaml");
        let lanes = f.lanes().expect("lanes");
        assert_eq!(lanes[0].model, Some(Model::Closed { concurrency: 4 }));
        assert_eq!(lanes[1].model, Some(Model::Open { rate: 25.0, connections: DEFAULT_CONNECTIONS }));
        assert!(serde_saphyr::from_str::<ScenarioFile>("lanes: []\nbogus: 1\n").is_err());
        let judged: ScenarioFile =
            serde_saphyr::from_str("lanes:\n  - workload: read\nthresholds:\n  - p99<500ms\n  - errors < 1%\n")
                .expect("yaml");
        let t = judged.parsed_thresholds().expect("thresholds");
        assert_eq!(t.iter().map(ToString::to_string).collect::<Vec<_>>(), ["p99<500ms", "errors<1%"]);
        let wrong: ScenarioFile =
            serde_saphyr::from_str("lanes:\n  - workload: read\nthresholds: [p98<1ms]\n").expect("yaml");
        assert!(wrong.parsed_thresholds().expect_err("p98").contains("unknown metric"));
        let both = LaneFile { workload: Workload::Read, concurrency: Some(1), rate: Some(1.0), connections: None };
        assert!(both.model().expect_err("an error").contains("not both"));
    }

    /// Regression: `load --users 1000000000` allocated a slot per user and aborted (exit 134).
    #[test]
    fn numbers_beyond_one_process_are_refused_naming_the_flag_and_the_limit() {
        let refused = |f: &dyn Fn(&mut LoadOptions)| {
            let mut o = LoadOptions::new("http://x", Workload::BulkMerge);
            f(&mut o);
            o.check_limits().expect_err("refused").to_string()
        };
        assert!(LoadOptions::new("http://x", Workload::BulkMerge).check_limits().is_ok());
        let e = refused(&|o| o.users = 1_000_000_000);
        assert!(e.contains("--users 1000000000") && e.contains("10000000") && e.contains("--shard"), "{e}");
        let mut sharded = LoadOptions::new("http://x", Workload::BulkMerge);
        sharded.users = 1_000_000_000;
        sharded.shard = Shard { index: 1, count: 200 };
        assert!(sharded.check_limits().is_ok(), "5,000,000 users per shard fit");
        assert!(refused(&|o| o.preload = u64::MAX).contains("--preload"));
        assert!(refused(&|o| o.block = 0).contains("--block 0"));
        assert!(refused(&|o| o.block = 1 << 40).contains("--block"));
        assert!(refused(&|o| o.model = Model::Closed { concurrency: 0 }).contains("--concurrency 0"));
        assert!(refused(&|o| o.model = Model::Closed { concurrency: 1_000_000_000 }).contains("1000"));
        assert!(refused(&|o| o.model = Model::Open { rate: 1e300, connections: 1 }).contains("--rate"));
        assert!(refused(&|o| o.model = Model::Open { rate: 1e-300, connections: 1 }).contains("1/h"));
        assert!(refused(&|o| o.model = Model::Open { rate: 1.0, connections: 0 }).contains("--connections 0"));
        let lane = LaneSpec { workload: Workload::Read, model: Some(Model::Closed { concurrency: 5000 }) };
        assert!(refused(&|o| o.lanes.push(lane.clone())).contains("lane 2 `concurrency` 5000"));
        assert!(refused(&|o| o.duration = Some(Duration::from_secs(u64::MAX))).contains("--duration"));
        assert!(refused(&|o| o.warmup = Duration::from_secs(u64::MAX)).contains("--warmup"));
        assert!(refused(&|o| o.max_requests = Some(0)).contains("--max-requests"));
        assert!(refused(&|o| o.max_response_bytes = 0).contains("--max-response-bytes 0"));
        assert!(refused(&|o| o.max_response_bytes = usize::MAX).contains("--max-response-bytes"));
    }

    #[test]
    fn default_windows_depend_on_the_workload() {
        assert_eq!(LoadOptions::new("http://x", Workload::Read).window(), Duration::from_secs(30));
        assert_eq!(LoadOptions::new("http://x", Workload::BulkMerge).window(), Duration::from_secs(3600));
    }
}
