//! `scimlab serve`: run the mock service provider on a socket until Ctrl-C.

use crate::exit::{Failure, Outcome};
use anyhow::{Context, anyhow};
use clap::Args;
use scimlab_mock_sp::store::{MemoryStore, Store};
use scimlab_mock_sp::{AppState, Auth, ServerConfig};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Options of `scimlab serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Bearer token clients must send. Without --token, --basic or --no-auth, a random token is generated and
    /// printed once at start.
    #[arg(long, env = "SCIM_TOKEN", hide_env_values = true, conflicts_with_all = ["basic", "no_auth"])]
    token: Option<String>,
    /// HTTP Basic credentials clients must send, as USER:PASS.
    #[arg(long, value_name = "USER:PASS", conflicts_with = "no_auth")]
    basic: Option<String>,
    /// Accept requests without credentials.
    #[arg(long)]
    no_auth: bool,
    /// Keep resources and recordings in this SQLite file (created if missing), so they survive restarts.
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,
    /// Where the RFC allows a choice, choose at random, so clients cannot overfit to one server: PATCH answers 200
    /// with the resource or 204 without a body (when no attributes were asked for); new ids are UUIDs or plain
    /// numbers; pages hold anywhere from 1 to count resources (clients must page by itemsPerPage); ETags and
    /// meta.version are weak (W/"..") or strong (".."), fixed per resource version.
    #[arg(long)]
    vary: bool,
    /// Inject a fault; repeatable. latency=200ms (or 50ms..300ms), 429=10%[:retry-after=S], 500=1% (any 5xx),
    /// drop=1%, or a named deviation such as patch-noop. `--fault list` lists every one and exits.
    #[arg(long = "fault", value_name = "SPEC")]
    faults: Vec<String>,
    /// Seed the random draws of --fault and --vary, so a client sending the same requests in the same order
    /// meets the same faults and choices. Without it a random seed is used and printed.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Refuse what real IdPs send beyond the RFC (capitalised ops, "False" strings, dotted keys, ...) instead of
    /// accepting it and recording the deviation.
    #[arg(long)]
    strict: bool,
    /// Largest request body accepted, in bytes (413 beyond; published as bulk.maxPayloadSize).
    #[arg(long, default_value_t = 1024 * 1024, value_name = "BYTES")]
    max_payload: usize,
    /// Most operations in one /Bulk request (published as bulk.maxOperations).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    max_bulk_operations: usize,
    /// Most resources in one page (published as filter.maxResults).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    max_results: usize,
    /// Tokio worker threads serving requests (1 = one server core); default: one per core.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    workers: Option<u16>,
    /// Do not record exchanges. Recording is on by default and `scimlab recordings` reads it; without --data the
    /// newest 100,000 exchanges are kept, and at most 256 MiB of them (a /Bulk of 100 users weighs about 50 kB).
    #[arg(long)]
    no_record: bool,
}

/// Runs `scimlab serve`.
pub fn run(args: ServeArgs) -> Result<Outcome, Failure> {
    if args.faults.iter().any(|f| f.trim() == "list") {
        print_fault_list();
        return Ok(Outcome::Success);
    }
    let faults = scimlab_mock_sp::faults::parse_faults(&args.faults).map_err(|e| Failure::Usage(e.into()))?;
    let (auth, announce) = match (&args.token, &args.basic, args.no_auth) {
        (_, _, true) => (Auth::None, "authentication: none (--no-auth)".to_owned()),
        (Some(t), _, _) => (Auth::Bearer(t.clone()), "authentication: bearer token (as given)".to_owned()),
        (None, Some(b), _) => {
            let (user, pass) = b
                .split_once(':')
                .ok_or_else(|| Failure::Usage(anyhow!("--basic takes USER:PASS, got no ':' in the value")))?;
            (Auth::Basic { user: user.into(), pass: pass.into() }, format!("authentication: basic, user {user:?}"))
        }
        (None, None, false) => {
            let token = uuid_token();
            let line = format!("authentication: bearer token {token} (generated; pass --token to choose one)");
            (Auth::Bearer(token), line)
        }
    };
    let mut config = ServerConfig {
        auth,
        vary: args.vary,
        max_payload_bytes: args.max_payload,
        max_bulk_operations: args.max_bulk_operations,
        max_results: args.max_results,
        faults,
        seed: args.seed,
        record: !args.no_record,
        ..ServerConfig::default()
    };
    if args.strict {
        config.patch = scimlab_protocol::patch::PatchOptions::strict();
    }
    let store: Arc<dyn Store> = match &args.data {
        None => Arc::new(MemoryStore::default()),
        Some(path) => Arc::new(
            scimlab_mock_sp::store::SqliteStore::open(path)
                .map_err(|e| Failure::Usage(anyhow!("cannot open data file {}: {}", path.display(), e.detail)))?,
        ),
    };
    let base_path = config.base_path.clone();
    let mut notes = Vec::new();
    if !config.faults.is_empty() {
        let specs: Vec<String> = config.faults.iter().map(ToString::to_string).collect();
        notes.push(format!("faults: {}", specs.join(", ")));
    }
    let state = AppState::new(store, config);
    if !notes.is_empty() || args.vary {
        notes.push(format!("random draws: seed {} (--seed replays them)", state.shared().dice.seed()));
    }
    let app = scimlab_mock_sp::router(state);
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = args.workers {
        builder.worker_threads(usize::from(n));
    }
    let rt = builder.enable_all().build().context("cannot start the async runtime").map_err(Failure::Internal)?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .map_err(|e| Failure::Usage(anyhow!("cannot listen on {}: {e}", args.addr)))?;
        let local = listener.local_addr().map_err(|e| Failure::Internal(e.into()))?;
        // The banner goes out before the address line, in one write, and a closed stdout (a parent that read the
        // address and went away) must not stop the server: print errors are ignored.
        let mut banner = format!("{announce}\n");
        for note in &notes {
            banner.push_str(note);
            banner.push('\n');
        }
        banner.push_str(&format!("scimlab mock SP listening on http://{local}{base_path}\n"));
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(banner.as_bytes()).and_then(|()| out.flush());
        drop(out);
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| Failure::Internal(anyhow!("server failed: {e}")))
    })?;
    Ok(Outcome::Success)
}

/// `--fault list`: every fault and deviation with its one-line description.
fn print_fault_list() {
    use scimlab_mock_sp::faults::{Deviation, TRANSPORT_FAULTS};
    let width = TRANSPORT_FAULTS.iter().map(|(s, _)| s.len()).chain(Deviation::ALL.iter().map(|d| d.name().len()));
    let width = width.max().unwrap_or(0);
    println!("transport faults (shares add up to 100% at most):");
    for (spec, what) in TRANSPORT_FAULTS {
        println!("  {spec:width$}  {what}");
    }
    println!("deviations (each breaks one rule on purpose):");
    for d in Deviation::ALL {
        println!("  {:width$}  {}", d.name(), d.description());
    }
}

fn uuid_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_help_states_the_recording_limits() {
        use scimlab_mock_sp::store::{DEFAULT_RECORDING_BYTES, DEFAULT_RECORDING_CAPACITY};
        // `--no-record`'s help writes these numbers out; change it with them.
        assert_eq!((DEFAULT_RECORDING_CAPACITY, DEFAULT_RECORDING_BYTES >> 20), (100_000, 256));
    }
}
