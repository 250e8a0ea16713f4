//! The run: discover what the server supports, load the population the query lanes need (unmeasured), run the
//! lanes side by side over the measured window, read back what a bulk-merge created, clean up, and write the
//! load section.
//!
//! Each lane has its workers (closed model: `concurrency` of them; open model: `connections`), one connection
//! each, pulling task numbers from the lane's counter until the lane's count is reached, the window ends, or
//! the run is stopped (Ctrl-C). In the open model task `i` is due at `start + i / rate`; a worker that is free
//! early sleeps until then, and the latency is measured from that time, not from the moment a busy worker got
//! round to it.

use crate::LoadError;
use crate::admin::{cleanup, discover, verify};
use crate::options::{LoadOptions, Model, Workload};
use crate::persona::Persona;
use crate::pop::PopState;
use crate::population::Population;
use crate::progress::Progress;
use crate::report::{CreatedDoc, LOAD_FORMAT, LaneDoc, LoadSection, ShardDoc, op_docs};
use crate::stats::{Live, Recorder};
use crate::tasks::run_task;
use crate::wire::{Conn, Endpoint, Fixed};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// What the server announced (RFC 7644 section 5, ServiceProviderConfig `bulk`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    /// /Bulk is used (supported, and not refused with `--no-bulk`).
    pub bulk: bool,
    /// `bulk.maxOperations`.
    pub max_operations: usize,
    /// `bulk.maxPayloadSize`.
    pub max_payload: usize,
}

/// What every worker of a run shares.
pub struct Run {
    /// The requests' shape.
    pub persona: &'static Persona,
    /// The server's limits.
    pub caps: Caps,
    /// Longest wait for one answer.
    pub timeout: Duration,
    /// End of the measured window: no task starts after it, no 429 is waited out past it.
    pub deadline: Instant,
    /// Counters for the progress bar.
    pub live: Live,
    endpoint: Arc<Endpoint>,
    fixed: Arc<Fixed>,
    stop: Arc<AtomicBool>,
    /// The response body cap of every connection.
    max_body: usize,
    /// Renews an obtained token after a 401 (`None` for a given token).
    pub renewal: Option<Arc<crate::renewal::Renewal>>,
}

impl Run {
    /// Whether the run was stopped (Ctrl-C).
    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// A new connection to the server (opened on first use).
    pub fn conn(&self) -> Conn {
        Conn::new(self.endpoint.clone(), self.fixed.clone()).with_max_body(self.max_body)
    }

    fn with_deadline(&self, deadline: Instant) -> Run {
        Run {
            persona: self.persona,
            caps: self.caps,
            timeout: self.timeout,
            deadline,
            live: Live::default(),
            endpoint: self.endpoint.clone(),
            fixed: self.fixed.clone(),
            stop: self.stop.clone(),
            max_body: self.max_body,
            renewal: self.renewal.clone(),
        }
    }
}

/// One lane as its workers see it.
pub struct Lane {
    /// Its index in the options' lanes.
    pub index: usize,
    /// What it sends.
    pub workload: Workload,
    /// Its model, this shard's share.
    pub model: Model,
    /// The population it creates (bulk-merge) or queries.
    pub pop: Arc<PopState>,
    /// Names of the users the `mixed` workload hires (per shard, so shards never collide).
    pub hires: Population,
    /// Tasks to run at most.
    pub limit: u64,
    /// The persona's user bodies, spliced (for /Bulk requests).
    pub bodies: crate::persona::UserBodies,
    next: AtomicU64,
    hire_unknown: Mutex<Vec<u64>>,
}

impl Lane {
    /// Notes a hire whose create got no answer (cleanup looks it up by name).
    pub fn hire_unknown(&self, n: u64) {
        self.hire_unknown.lock().unwrap_or_else(PoisonError::into_inner).push(n);
    }
}

/// A finished run.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The load section of its report.
    pub section: LoadSection,
    /// When the measured window started (RFC 3339).
    pub started_at: String,
    /// Wall time of the whole run (setup, window, verification, cleanup), in milliseconds.
    pub wall_ms: f64,
}

fn lane_doc(model: &Model, workload: Workload) -> LaneDoc {
    match *model {
        Model::Closed { concurrency } => LaneDoc {
            workload: workload.name().into(),
            model: "closed".into(),
            concurrency: Some(concurrency),
            rate: None,
            connections: None,
        },
        Model::Open { rate, connections } => LaneDoc {
            workload: workload.name().into(),
            model: "open".into(),
            concurrency: None,
            rate: Some(rate),
            connections: Some(connections),
        },
    }
}

/// This shard's part of a lane's model.
fn shard_model(opts: &LoadOptions, model: Model) -> Model {
    match model {
        Model::Closed { concurrency } => Model::Closed { concurrency: opts.shard.share(concurrency).max(1) },
        Model::Open { rate, connections } => {
            Model::Open { rate: opts.shard.share_rate(rate), connections: opts.shard.share(connections).max(1) }
        }
    }
}

/// Runs `opts` to the end. `stop` ends the measured window early (the run still verifies and cleans up).
pub async fn run(opts: &LoadOptions, stop: Arc<AtomicBool>) -> Result<Outcome, LoadError> {
    opts.check_limits()?;
    let began = Instant::now();
    let endpoint = Arc::new(Endpoint::resolve(&opts.url, &opts.tls).await?);
    let fixed = Arc::new(Fixed::new(&endpoint, opts.token.as_deref(), crate::persona::headers(opts.persona))?);
    let running = match &opts.token_source {
        Some(source) => Some(crate::renewal::Renewal::start(source.clone(), fixed.clone()).await?),
        None => None,
    };
    let far = began + Duration::from_secs(365 * 24 * 3600);
    let mut base = Run {
        persona: opts.persona,
        caps: Caps { bulk: false, max_operations: 1, max_payload: 0 },
        timeout: Duration::from_secs(60),
        deadline: far,
        live: Live::default(),
        endpoint,
        fixed,
        stop: stop.clone(),
        max_body: opts.max_response_bytes,
        renewal: running.as_ref().map(|r| r.renewal.clone()),
    };
    base.caps = discover(opts).await?;
    if !opts.use_bulk {
        base.caps.bulk = false;
    }

    let main = Population::new(&opts.run_id, opts.users, opts.block);
    let main_state = Arc::new(PopState::new(main.clone(), main.shard_blocks(opts.shard)));
    let queries = opts.lanes.iter().any(|l| l.workload != Workload::BulkMerge);
    let query_state = if !queries {
        None
    } else if opts.has_bulk_merge() {
        let p = Population::new(&format!("{}p", opts.run_id), opts.preload, opts.block);
        Some(Arc::new(PopState::new(p.clone(), p.shard_blocks(opts.shard))))
    } else {
        Some(main_state.clone())
    };
    if let Some(q) = &query_state
        && q.users.is_empty()
    {
        return Err(LoadError::Usage(format!(
            "shard {} has no users to query: {} users in blocks of {} make {} blocks for {} shards; \
             give more --users, a smaller --block or fewer shards",
            opts.shard,
            q.pop.users,
            q.pop.block,
            q.pop.blocks(),
            opts.shard.count
        )));
    }
    if let Some(q) = &query_state {
        let progress = Progress::new(opts.progress, "loading the population", Some(q.blocks.end - q.blocks.start));
        let setup = base.with_deadline(far);
        let blocks = q.blocks.end - q.blocks.start;
        let lane = lane_for(opts, 0, Workload::BulkMerge, Model::Closed { concurrency: 16 }, q.clone(), blocks);
        let setup = Arc::new(setup);
        let ticker = progress.follow(setup.clone());
        run_lanes(&setup, vec![Arc::new(lane)], opts, began, began, false).await;
        ticker.finish();
        let (made, _) = q.counts();
        if made == 0 && q.users.end > q.users.start {
            let failed = setup.live.errors.load(Ordering::Relaxed);
            return Err(LoadError::Server(format!(
                "could not create the population the query lanes need ({failed} failed requests); \
                 see `scimlab load --scenario bulk-merge --users 10` for the server's answers"
            )));
        }
    }

    let window = opts.window();
    let start = Instant::now();
    let started_at = jiff::Timestamp::now().to_string();
    let warmup_end = start + opts.warmup;
    let run = Arc::new(base.with_deadline(warmup_end + window));
    let mut lanes = Vec::new();
    let mut docs = Vec::new();
    for (index, spec) in opts.lanes.iter().enumerate() {
        let model = spec.model.unwrap_or(opts.model);
        docs.push(lane_doc(&model, spec.workload));
        let (pop, limit) = match spec.workload {
            Workload::BulkMerge => (main_state.clone(), main_state.blocks.end - main_state.blocks.start),
            _ => (query_state.clone().unwrap_or_else(|| main_state.clone()), u64::MAX),
        };
        let limit = opts.max_requests.map_or(limit, |m| limit.min(opts.shard.share(m)));
        lanes.push(Arc::new(lane_for(opts, index, spec.workload, shard_model(opts, model), pop, limit)));
    }
    let bulk_total = opts.has_bulk_merge().then(|| main_state.blocks.end - main_state.blocks.start);
    let progress = Progress::new(opts.progress, "measuring", bulk_total);
    let ticker = progress.follow_window(run.clone(), window + opts.warmup);
    let rec = run_lanes(&run, lanes.clone(), opts, start, warmup_end, true).await;
    let end = Instant::now();
    ticker.finish();
    let duration_ms = end.saturating_duration_since(warmup_end).as_secs_f64() * 1000.0;

    let created = opts.has_bulk_merge().then(|| {
        let (users, groups) = main_state.counts();
        CreatedDoc {
            expected_users: main_state.users.end - main_state.users.start,
            users,
            expected_groups: main_state.blocks.end - main_state.blocks.start,
            groups,
        }
    });
    let verified = match opts.has_bulk_merge() && opts.verify {
        true => Some(verify(&Arc::new(run.with_deadline(far)), &main_state, opts.shard.is_whole()).await),
        false => None,
    };
    let cleaned = match opts.keep {
        true => None,
        false => {
            let mut states = vec![main_state.clone()];
            if let Some(q) = &query_state
                && !Arc::ptr_eq(q, &main_state)
            {
                states.push(q.clone());
            }
            let hires: Vec<(Population, Vec<u64>)> = lanes
                .iter()
                .map(|l| (l.hires.clone(), l.hire_unknown.lock().unwrap_or_else(PoisonError::into_inner).clone()))
                .collect();
            Some(cleanup(&Arc::new(run.with_deadline(far)), &states, &hires, opts.progress).await)
        }
    };
    let users_range = main_state.users.clone();
    let mut section = LoadSection {
        format: LOAD_FORMAT,
        scenario: opts.scenario.clone(),
        persona: opts.persona.name.into(),
        run_id: opts.run_id.clone(),
        users: if opts.has_bulk_merge() { opts.users } else { 0 },
        block: opts.block,
        shards: vec![ShardDoc {
            shard: opts.shard.to_string(),
            users: [users_range.start, users_range.end],
            started_at: started_at.clone(),
            duration_ms,
        }],
        operations: op_docs(&rec.into_ops(), &docs, duration_ms),
        lanes: docs,
        duration_ms,
        created,
        verify: verified,
        cleanup: cleaned,
        charts: Vec::new(),
    };
    section.refresh();
    Ok(Outcome { section, started_at, wall_ms: began.elapsed().as_secs_f64() * 1000.0 })
}

fn lane_for(
    opts: &LoadOptions,
    index: usize,
    workload: Workload,
    model: Model,
    pop: Arc<PopState>,
    limit: u64,
) -> Lane {
    let hires = Population::new(&format!("{}h{}", opts.run_id, opts.shard.index), u64::MAX, opts.block);
    let bodies = crate::persona::UserBodies::new(opts.persona, &pop.pop);
    Lane {
        index,
        workload,
        model,
        pop,
        hires,
        limit,
        bodies,
        next: AtomicU64::new(0),
        hire_unknown: Mutex::new(Vec::new()),
    }
}

/// Runs every lane's workers to the end and returns their statistics, merged.
async fn run_lanes(
    run: &Arc<Run>,
    lanes: Vec<Arc<Lane>>,
    opts: &LoadOptions,
    start: Instant,
    warmup_end: Instant,
    measured: bool,
) -> Recorder {
    let count = opts.lanes.len().max(lanes.len());
    let mut handles = Vec::new();
    let mut n = 0u64;
    for lane in &lanes {
        let workers = match lane.model {
            Model::Closed { concurrency } => concurrency,
            Model::Open { connections, .. } => connections,
        };
        for _ in 0..workers {
            n += 1;
            let seed =
                opts.seed.wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15)).wrapping_add(u64::from(opts.shard.index));
            let (run, lane) = (run.clone(), lane.clone());
            handles.push(tokio::spawn(worker(run, lane, seed, count, start, warmup_end, measured)));
        }
    }
    let mut all = Recorder::new(count, warmup_end, measured);
    for h in handles {
        if let Ok(rec) = h.await {
            all.merge(rec);
        }
    }
    all
}

/// The open model's schedule: task `i` of a lane paced at `rate` per second is due at `start + i / rate`,
/// whatever happened to the tasks before it. Latency is measured from this time.
pub fn intended_time(start: Instant, i: u64, rate: f64) -> Instant {
    start + Duration::from_secs_f64(i as f64 / rate)
}

async fn worker(
    run: Arc<Run>,
    lane: Arc<Lane>,
    seed: u64,
    lanes: usize,
    start: Instant,
    warmup_end: Instant,
    measured: bool,
) -> Recorder {
    let mut rec = Recorder::new(lanes, warmup_end, false);
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut conn = run.conn();
    let pace = match lane.model {
        Model::Open { rate, .. } => Some(rate),
        Model::Closed { .. } => None,
    };
    loop {
        if run.stopped() {
            break;
        }
        let i = lane.next.fetch_add(1, Ordering::Relaxed);
        if i >= lane.limit {
            break;
        }
        let intended = pace.map(|r| intended_time(start, i, r));
        if let Some(t) = intended {
            if t >= run.deadline {
                break;
            }
            if t > Instant::now() {
                tokio::time::sleep_until(t.into()).await;
            }
        }
        let now = Instant::now();
        if now >= run.deadline {
            break;
        }
        rec.on = measured && now >= warmup_end;
        run_task(&run, &lane, i, &mut conn, &mut rec, &mut rng, intended).await;
        run.live.tasks.fetch_add(1, Ordering::Relaxed);
    }
    rec
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_open_model_schedules_evenly_from_the_start() {
        let t0 = Instant::now();
        assert_eq!(intended_time(t0, 0, 25.0), t0);
        assert_eq!(intended_time(t0, 25, 25.0), t0 + Duration::from_secs(1));
        assert_eq!(intended_time(t0, 1, 1000.0) - t0, Duration::from_millis(1));
        let gaps: Vec<Duration> =
            (0..100u64).map(|i| intended_time(t0, i + 1, 40.0) - intended_time(t0, i, 40.0)).collect();
        assert!(gaps.iter().all(|g| g.as_micros().abs_diff(25_000) <= 1), "{gaps:?}");
    }

    #[test]
    fn shards_take_their_part_of_the_model() {
        let mut o = LoadOptions::new("http://x", Workload::Read);
        o.shard = crate::Shard { index: 2, count: 4 };
        assert_eq!(shard_model(&o, Model::Closed { concurrency: 10 }), Model::Closed { concurrency: 3 });
        assert_eq!(shard_model(&o, Model::Closed { concurrency: 2 }), Model::Closed { concurrency: 1 });
        assert_eq!(
            shard_model(&o, Model::Open { rate: 100.0, connections: 32 }),
            Model::Open { rate: 25.0, connections: 8 }
        );
    }
}
