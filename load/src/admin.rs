//! The unmeasured parts of a run: discovery of the server's /Bulk limits, the read-back after a bulk-merge, and
//! cleanup.
//!
//! Cleanup deletes only what this run created: the ids the server returned for its creates, and, for creates
//! that got no answer, what a lookup by the run-unique userName finds with exactly that userName. It never
//! lists, filters by prefix, or deletes anything else. Groups go first, so user deletes do not have to rewrite
//! memberships.

use crate::LoadError;
use crate::engine::{Caps, Run};
use crate::options::LoadOptions;
use crate::persona::BULK_URN;
use crate::pop::PopState;
use crate::population::Population;
use crate::report::{CleanupDoc, VerifyDoc};
use crate::tasks::read_bulk;
use crate::wire::{Conn, Req, TlsTrust};
use hyper::Method;
use scimlab_mock_idp::discovery::DiscoveryError;
use scimlab_mock_idp::persona::Space;
use scimlab_mock_idp::{ClientOptions, Credential, ScimClient};
use serde_json::Value;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Connections used for verification and cleanup.
const WORKERS: usize = 8;

fn get_ci<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    v.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
}

/// What the server supports, through the one discovery of the workspace
/// ([`scimlab_mock_idp::discovery::discover`]): whether /Bulk is announced and its limits (RFC 7643 section 5).
/// A server without a readable ServiceProviderConfig is taken to have no /Bulk; a 401 or 403 stops the run (the
/// credential is wrong), and so does a base URL where nothing answers as a SCIM service provider.
pub async fn discover(opts: &LoadOptions) -> Result<Caps, LoadError> {
    let options = ClientOptions {
        insecure: opts.tls == TlsTrust::Insecure,
        ca_cert: match &opts.tls {
            TlsTrust::ExtraRoots(path) => Some(path.clone()),
            TlsTrust::Platform | TlsTrust::Insecure => None,
        },
        timeout: Duration::from_secs(30),
        user_agent: opts.persona.headers.user_agent.map(str::to_owned),
        ..ClientOptions::default()
    };
    let credential = match &opts.token_source {
        Some(source) => Credential::Fetched(source.clone()),
        None => opts.token.clone().map_or(Credential::None, Credential::Bearer),
    };
    let client = ScimClient::new(&opts.url, credential, options).map_err(|e| LoadError::Usage(e.to_string()))?;
    let found = scimlab_mock_idp::discovery::discover(&client).await.map_err(|e| match e {
        // The same way out as the load connections give (wire.rs), since discovery is the first to meet it.
        DiscoveryError::Unreachable { reason, .. } if reason.to_ascii_lowercase().contains("certificate") => {
            LoadError::Unreachable(format!(
                "TLS handshake with the server failed: {reason} (--ca-cert FILE trusts a private CA; --insecure \
                 accepts any certificate)"
            ))
        }
        DiscoveryError::Unreachable { reason, .. } => LoadError::Unreachable(reason),
        DiscoveryError::Unauthorized { status, path, .. } => LoadError::Refused(format!(
            "the server answered {status} to GET {path}: the credential is missing or wrong (pass --token)"
        )),
        e @ DiscoveryError::NotScim { .. } => LoadError::Server(e.to_string()),
    })?;
    let Some(spc) = found.spc else { return Ok(Caps { bulk: false, max_operations: 1, max_payload: 0 }) };
    let max_operations = usize::try_from(spc.bulk.max_operations).unwrap_or(usize::MAX);
    let max_payload = usize::try_from(spc.bulk.max_payload_size).unwrap_or(usize::MAX);
    Ok(Caps { bulk: spc.bulk.supported && max_operations >= 2 && max_payload > 0, max_operations, max_payload })
}

/// Runs `work(conn, index)` for indexes `0..n` on [`WORKERS`] connections.
async fn parallel<F, Fut>(run: &Arc<Run>, n: usize, work: F)
where
    F: Fn(Conn, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Conn> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let work = Arc::new(work);
    let mut handles = Vec::new();
    for _ in 0..WORKERS.min(n) {
        let (next, work, mut conn) = (next.clone(), work.clone(), run.conn());
        handles.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                conn = work(conn, i).await;
            }
        }));
    }
    for h in handles {
        let _ = h.await;
    }
}

/// Sends `req` with the run's timeout, without recording it; after a 401 to an obtained token, once more with a
/// renewed one ([`crate::renewal`]).
async fn send(run: &Run, conn: &mut Conn, req: &Req) -> Option<crate::wire::Reply> {
    let generation = run.renewal.as_ref().map(|r| r.generation());
    let reply = tokio::time::timeout(run.timeout, conn.send(req)).await.ok()?.ok()?;
    if reply.status == 401
        && let (Some(renewal), Some(sent)) = (&run.renewal, generation)
    {
        renewal.refused(sent).await;
        return tokio::time::timeout(run.timeout, conn.send(req)).await.ok()?.ok();
    }
    Some(reply)
}

/// Reads back every group of the slice and compares its members with the ids its users were created with; for
/// an unsharded run, also counts the users carrying the run's prefix.
pub async fn verify(run: &Arc<Run>, pop: &Arc<PopState>, whole: bool) -> VerifyDoc {
    let blocks: Vec<u64> = pop.blocks.clone().collect();
    let doc = Arc::new(Mutex::new(VerifyDoc {
        memberships_expected: pop.users.end - pop.users.start,
        groups_checked: blocks.len() as u64,
        ..VerifyDoc::default()
    }));
    let (r, p, d) = (run.clone(), pop.clone(), doc.clone());
    parallel(run, blocks.len(), move |mut conn, k| {
        let (run, pop, doc, g) = (r.clone(), p.clone(), d.clone(), blocks[k]);
        async move {
            let expected: HashSet<&str> = pop.pop.block_users(g).filter_map(|u| pop.user_id(u)).collect();
            let want = pop.pop.block_users(g).count() as u64;
            let problem = match pop.group_id(g) {
                None => Some((0, format!("group {g} ({}) was not created", pop.pop.group_name(g)))),
                Some(gid) => {
                    let req = Req::new(Method::GET, format!("/Groups/{gid}?attributes=members"));
                    match send(&run, &mut conn, &req).await {
                        Some(r) if r.status == 200 => {
                            let v: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
                            let got: HashSet<String> = get_ci(&v, "members")
                                .and_then(Value::as_array)
                                .map(|ms| {
                                    ms.iter()
                                        .filter_map(|m| get_ci(m, "value").and_then(Value::as_str))
                                        .map(str::to_owned)
                                        .collect()
                                })
                                .unwrap_or_default();
                            let found = expected.iter().filter(|id| got.contains(**id)).count() as u64;
                            let extra = got.len() as u64 - found;
                            if found == want && extra == 0 {
                                doc.lock().unwrap_or_else(PoisonError::into_inner).memberships_found += found;
                                None
                            } else {
                                Some((
                                    found,
                                    format!("group {gid} lists {found} of its {want} users and {extra} others"),
                                ))
                            }
                        }
                        Some(r) => Some((0, format!("GET /Groups/{gid} answered {}", r.status))),
                        None => Some((0, format!("GET /Groups/{gid} got no answer"))),
                    }
                }
            };
            if let Some((found, p)) = problem {
                let mut d = doc.lock().unwrap_or_else(PoisonError::into_inner);
                d.groups_wrong += 1;
                d.memberships_found += found;
                if d.problems.len() < 10 {
                    d.problems.push(p);
                }
            }
            conn
        }
    })
    .await;
    let mut doc = Arc::try_unwrap(doc)
        .map(|m| m.into_inner().unwrap_or_else(PoisonError::into_inner))
        .unwrap_or_else(|shared| shared.lock().unwrap_or_else(PoisonError::into_inner).clone());
    if whole {
        let filter = format!("userName sw \"{}\"", pop.pop.user_name_prefix());
        // The count is the run's own question, not a persona's lookup: plain RFC encoding, no paging suffix.
        let encoded = scimlab_mock_idp::persona::wire::encode_component(&filter, Space::Percent20);
        let req = Req::new(Method::GET, format!("/Users?filter={encoded}&count=0"));
        let found = send(run, &mut run.conn(), &req).await.and_then(|r| {
            let v: Value = serde_json::from_slice(&r.body).ok()?;
            get_ci(&v, "totalResults").and_then(Value::as_u64)
        });
        doc.users_expected = Some(pop.pop.users);
        doc.users_found = Some(found.unwrap_or(0));
        if found != Some(pop.pop.users) {
            doc.problems.push(format!(
                "userName sw {:?} finds {} users; {} were sent to be created",
                pop.pop.user_name_prefix(),
                found.map_or("no answer".to_owned(), |n| n.to_string()),
                pop.pop.users
            ));
        }
    }
    doc
}

/// Counters of a cleanup.
#[derive(Default)]
struct Tally {
    deleted: AtomicU64,
    not_found: AtomicU64,
    failed: AtomicU64,
}

impl Tally {
    fn count(&self, status: u16) {
        let c = match status {
            200..=299 => &self.deleted,
            404 => &self.not_found,
            _ => &self.failed,
        };
        c.fetch_add(1, Ordering::Relaxed);
    }
}

/// Deletes `paths` (`/Groups/{id}`, `/Users/{id}`): through /Bulk in batches when the server has it, else one
/// DELETE each.
async fn delete_all(run: &Arc<Run>, paths: Vec<String>, tally: &Arc<Tally>) {
    if paths.is_empty() {
        return;
    }
    if run.caps.bulk {
        let per = run.caps.max_operations.clamp(1, 500);
        let by_payload = (run.caps.max_payload.saturating_sub(1024) / 96).max(1);
        let batches: Vec<Vec<String>> = paths.chunks(per.min(by_payload)).map(<[String]>::to_vec).collect();
        let (r, t, batches) = (run.clone(), tally.clone(), Arc::new(batches));
        parallel(run, batches.len(), move |mut conn, k| {
            let (run, tally, batches) = (r.clone(), t.clone(), batches.clone());
            async move {
                let ops: Vec<String> =
                    batches[k].iter().map(|p| format!(r#"{{"method":"DELETE","path":"{p}"}}"#)).collect();
                let body = format!(r#"{{"schemas":["{BULK_URN}"],"Operations":[{}]}}"#, ops.join(","));
                match send(&run, &mut conn, &Req::with_body(Method::POST, "/Bulk".to_owned(), body)).await {
                    Some(r) if r.status == 200 => {
                        let results = read_bulk(&r.body);
                        results.iter().for_each(|x| tally.count(x.status));
                        let missing = batches[k].len().saturating_sub(results.len());
                        tally.failed.fetch_add(missing as u64, Ordering::Relaxed);
                    }
                    _ => {
                        tally.failed.fetch_add(batches[k].len() as u64, Ordering::Relaxed);
                    }
                }
                conn
            }
        })
        .await;
        return;
    }
    let (r, t, paths) = (run.clone(), tally.clone(), Arc::new(paths));
    parallel(run, paths.len(), move |mut conn, k| {
        let (run, tally, paths) = (r.clone(), t.clone(), paths.clone());
        async move {
            match send(&run, &mut conn, &Req::new(Method::DELETE, paths[k].clone())).await {
                Some(r) => tally.count(r.status),
                None => {
                    tally.failed.fetch_add(1, Ordering::Relaxed);
                }
            }
            conn
        }
    })
    .await;
}

/// The paths of `ids` that are safe to delete, and how many are not: an id the server handed out for two
/// creates, or one that cannot be one URL path segment, is never touched (the ledger's rule, applied to load's
/// raw connections: see `scimlab_mock_idp::ledger`).
fn deletable(collection: &str, ids: Vec<String>) -> (Vec<String>, u64) {
    let mut times: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    for id in &ids {
        *times.entry(id.clone()).or_default() += 1;
    }
    let mut paths = Vec::new();
    let mut left = 0;
    for (id, n) in times {
        match scimlab_mock_idp::ledger::item_path(collection, &id) {
            Ok(path) if n == 1 => paths.push(path),
            _ => left += u64::from(n),
        }
    }
    paths.sort();
    (paths, left)
}

/// Deletes everything the run created in `states`, and the hires of every lane (`hires`: each lane's hire
/// names and the hire numbers whose create got no answer).
pub async fn cleanup(
    run: &Arc<Run>,
    states: &[Arc<PopState>],
    hires: &[(Population, Vec<u64>)],
    show: bool,
) -> CleanupDoc {
    let began = Instant::now();
    let progress = crate::progress::Progress::new(show, "cleaning up", None);
    let tally = Arc::new(Tally::default());
    let (groups, mut left) = deletable("/Groups", states.iter().flat_map(|s| s.created_groups()).collect());
    delete_all(run, groups, &tally).await;
    // Creates that got no answer have no id: a listing by name would be trusting the server to name our own
    // resources, so they are counted and left.
    left += states.iter().map(|s| s.unknown().len() as u64 + s.refused()).sum::<u64>();
    left += hires.iter().map(|(_, ns)| ns.len() as u64).sum::<u64>();
    let (users, left_users) = deletable("/Users", states.iter().flat_map(|s| s.created_users()).collect());
    left += left_users;
    delete_all(run, users, &tally).await;
    progress.done();
    CleanupDoc {
        deleted: tally.deleted.load(Ordering::Relaxed),
        not_found: tally.not_found.load(Ordering::Relaxed),
        failed: tally.failed.load(Ordering::Relaxed),
        left,
        duration_ms: began.elapsed().as_secs_f64() * 1000.0,
    }
}
