//! Bulk import (a company merger): N users and their groups arrive at once, then a sample is read back.
//!
//! Personas that use /Bulk (only the RFC persona: no real IdP does, IDP-TRAFFIC.md section 3) send it when the
//! server's ServiceProviderConfig announces it, in requests that respect `maxOperations` and `maxPayloadSize`
//! (RFC 7644 section 3.7; RFC 7643 section 5). Every other persona sends its own hire and group-push requests
//! for each user and group, in parallel. Either way the work streams: users are generated as they are sent,
//! with a bounded number of requests in flight, so the same code drives `scimlab load` at 100,000 users. Only
//! the ids that come back are kept (for group membership, the sample and cleanup).

use super::engine::{Replayer, State, StepOutcome, StepVerdict};
use super::model::Scenario;
use super::send::{describe, send_plan};
use crate::client::{ScimRequest, ScimResponse};
use crate::intent::{GroupProfile, Intent, Member, UserProfile};
use futures_util::StreamExt;
use scimlab_protocol::exchange::Exchange;
use serde_json::{Value, json};
use std::time::Instant;

const BULK_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
/// The payload size assumed when a server announces bulk support with a zero `maxPayloadSize`.
const DEFAULT_PAYLOAD: usize = 1024 * 1024;
/// Exchanges kept as evidence per import: the first few and the first failures.
const EVIDENCE: usize = 6;

/// What a bulk import created.
#[derive(Debug, Default)]
pub struct Imported {
    /// User ids by index (`None`: the create failed).
    pub users: Vec<Option<String>>,
    /// Group ids by index; group `g` holds users `g * group_size ..`.
    pub groups: Vec<Option<String>>,
    /// Users per group.
    pub group_size: usize,
    /// The userName prefix of imported users.
    pub user_prefix: String,
}

/// The `i`-th imported user.
pub fn import_user(user_prefix: &str, domain: &str, i: usize) -> UserProfile {
    let user_name = format!("{user_prefix}{i:06}@{domain}");
    UserProfile {
        user_name: user_name.clone(),
        external_id: format!("merger-{i:06}"),
        given_name: Some("Merged".into()),
        family_name: Some(format!("User {i}")),
        display_name: Some(format!("Merged User {i}")),
        email: Some(user_name),
        title: Some("Analyst".into()),
        department: Some(format!("Department {}", i % 10)),
        employee_number: Some(format!("M{i:06}")),
        active: true,
        ..UserProfile::default()
    }
}

/// Bulk limits, when the persona uses /Bulk and the server announces it: (maxOperations, maxPayloadSize), read
/// through the one discovery ([`crate::discovery::discover`]).
async fn bulk_limits(r: &Replayer) -> Option<(usize, usize)> {
    if !r.persona.uses_bulk {
        return None;
    }
    let found = r.discovery().await?;
    let max_operations = found.bulk_max_operations()?;
    Some((max_operations, found.bulk_max_payload().unwrap_or(DEFAULT_PAYLOAD)))
}

/// Groups operations into /Bulk request bodies within both limits, lazily.
struct Batcher<I: Iterator<Item = (String, String)>> {
    ops: std::iter::Peekable<I>,
    max_ops: usize,
    max_bytes: usize,
}

impl<I: Iterator<Item = (String, String)>> Iterator for Batcher<I> {
    /// (bulkIds in order, body text); a lone operation larger than the limit goes alone and the server judges it.
    type Item = (Vec<String>, String);

    fn next(&mut self) -> Option<Self::Item> {
        let head = format!("{{\"schemas\":[\"{BULK_REQUEST}\"],\"Operations\":[");
        let tail = "]}";
        let mut body = head.clone();
        let mut ids = Vec::new();
        while let Some((_, op)) = self.ops.peek() {
            let extra = op.len() + usize::from(!ids.is_empty());
            if !ids.is_empty() && (ids.len() >= self.max_ops || body.len() + extra + tail.len() > self.max_bytes) {
                break;
            }
            let (id, op) = self.ops.next()?;
            if !ids.is_empty() {
                body.push(',');
            }
            body.push_str(&op);
            ids.push(id);
        }
        if ids.is_empty() {
            return None;
        }
        body.push_str(tail);
        Some((ids, body))
    }
}

/// The outcome of one /Bulk request: (bulkId, id or error) per operation, and the exchange.
async fn send_bulk(r: &Replayer, ids: Vec<String>, body: String) -> (Vec<(String, Result<String, String>)>, Exchange) {
    let mut req =
        ScimRequest::new(reqwest::Method::POST, "/Bulk").header("Content-Type", r.persona.headers.content_type);
    req.body = Some(body.into_bytes());
    let resp = match r.client.send(req).await {
        Ok(resp) => resp,
        Err(e) => {
            let msg = e.to_string();
            let ex = match e {
                crate::ClientError::Transport { exchange, .. } => *exchange,
                _ => error_exchange(&msg),
            };
            return (ids.into_iter().map(|i| (i, Err(msg.clone()))).collect(), ex);
        }
    };
    let ex = resp.exchange.clone();
    if resp.status != 200 {
        let d = describe(&resp);
        return (ids.into_iter().map(|i| (i, Err(format!("/Bulk answered {d}")))).collect(), ex);
    }
    let ops = resp.body_json().get("Operations").and_then(Value::as_array).cloned().unwrap_or_default();
    let results = ids
        .into_iter()
        .map(|bulk_id| {
            let op = ops.iter().find(|o| o.get("bulkId").and_then(Value::as_str) == Some(bulk_id.as_str()));
            let result = match op {
                None => Err("the bulk response has no result for this operation".to_owned()),
                Some(o) => {
                    let status = o
                        .get("status")
                        .and_then(|s| s.as_str().map(str::to_owned).or_else(|| s.as_u64().map(|n| n.to_string())));
                    let location = o.get("location").and_then(Value::as_str);
                    match (status.as_deref(), location) {
                        (Some("201"), Some(loc)) => Ok(loc.rsplit('/').next().unwrap_or_default().to_owned()),
                        _ => Err(format!(
                            "operation answered {}",
                            o.get("response").map(Value::to_string).or(status).unwrap_or_default()
                        )),
                    }
                }
            };
            (bulk_id, result)
        })
        .collect();
    (results, ex)
}

/// Counts and evidence gathered while importing.
#[derive(Default)]
struct Tally {
    ok: usize,
    failed: usize,
    first_failure: Option<String>,
    evidence: Vec<Exchange>,
    requests: usize,
}

impl Tally {
    fn keep(&mut self, ex: Exchange, failed: bool) {
        if self.evidence.len() < EVIDENCE && (failed || self.evidence.len() < 2) {
            self.evidence.push(ex);
        }
    }

    fn fail(&mut self, what: String) {
        self.failed += 1;
        if self.first_failure.is_none() {
            self.first_failure = Some(what);
        }
    }
}

/// Creates `n` users and their groups; the outcome says how and with what result.
pub async fn import(
    r: &Replayer,
    scenario: &Scenario,
    state: &mut State,
    n: u64,
    group_size: u64,
    mut o: StepOutcome,
) -> StepOutcome {
    let started = Instant::now();
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    let group_size = usize::try_from(group_size.max(1)).unwrap_or(50);
    let user_prefix = format!("{}{}-u", r.options.prefix, scenario.name);
    let mut imported =
        Imported { users: vec![None; n], groups: Vec::new(), group_size, user_prefix: user_prefix.clone() };
    let limits = bulk_limits(r).await;
    let conc = r.options.concurrency.max(1);
    let mut users = Tally::default();
    let domain = r.options.domain.clone();
    match limits {
        Some((max_ops, max_bytes)) => {
            let ops = (0..n).map(|i| {
                let data = r.persona.user_resource(&import_user(&user_prefix, &domain, i));
                (
                    format!("u{i}"),
                    json!({"method": "POST", "path": "/Users", "bulkId": format!("u{i}"), "data": data}).to_string(),
                )
            });
            let batches = Batcher { ops: ops.peekable(), max_ops, max_bytes };
            let mut stream =
                futures_util::stream::iter(batches).map(|(ids, body)| send_bulk(r, ids, body)).buffer_unordered(conc);
            while let Some((results, ex)) = stream.next().await {
                users.requests += 1;
                let any_failed = results.iter().any(|(_, r)| r.is_err());
                users.keep(ex, any_failed);
                for (bulk_id, res) in results {
                    let i: usize = bulk_id.trim_start_matches('u').parse().unwrap_or(usize::MAX);
                    match res {
                        Ok(id) if i < n => match r.record_user(&id) {
                            Ok(()) => {
                                imported.users[i] = Some(id);
                                users.ok += 1;
                            }
                            Err(defect) => users.fail(format!("user {i}: {defect}")),
                        },
                        Ok(_) => users.fail(format!("{bulk_id}: unknown bulkId in the response")),
                        Err(e) => users.fail(format!("user {i}: {e}")),
                    }
                }
            }
        }
        None => {
            let mut stream = futures_util::stream::iter(0..n)
                .map(|i| {
                    let user = import_user(&user_prefix, &domain, i);
                    async move {
                        let plan = r.persona.plan(&Intent::Hire { user });
                        (i, send_plan(&r.client, r.persona, &plan, None).await)
                    }
                })
                .buffer_unordered(conc);
            while let Some((i, run)) = stream.next().await {
                users.requests += run.exchanges.len();
                let failed = run.failure.is_some();
                if let Some(ex) = run.exchanges.last() {
                    users.keep(ex.clone(), failed);
                }
                if let Some(id) = &run.id {
                    r.register_user(id);
                    imported.users[i] = Some(id.clone());
                }
                match run.failure {
                    Some(f) => users.fail(format!("user {i}: {}", f.reason)),
                    None => users.ok += 1,
                }
            }
        }
    }
    // Groups, each with its slice of users.
    let group_count = n.div_ceil(group_size);
    imported.groups = vec![None; group_count];
    let mut groups = Tally::default();
    let group_of = |g: usize| {
        let members: Vec<Member> = (g * group_size..((g + 1) * group_size).min(n))
            .filter_map(|i| {
                imported.users[i]
                    .as_ref()
                    .map(|id| Member { id: id.clone(), display: format!("{user_prefix}{i:06}@{domain}") })
            })
            .collect();
        let profile = GroupProfile {
            display_name: format!("{}{}-team-{g:05}", r.options.prefix, scenario.name),
            external_id: format!("merger-team-{g:05}"),
            members: Vec::new(),
        };
        (profile, members)
    };
    match limits {
        Some((max_ops, max_bytes)) => {
            let ops = (0..group_count).map(|g| {
                let (profile, members) = group_of(g);
                let members: Vec<Value> = members.iter().map(|m| json!({"value": m.id})).collect();
                let data = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "externalId": profile.external_id,
                    "displayName": profile.display_name, "members": members});
                (format!("g{g}"), json!({"method": "POST", "path": "/Groups", "bulkId": format!("g{g}"), "data": data}).to_string())
            });
            let batches: Vec<(Vec<String>, String)> = Batcher { ops: ops.peekable(), max_ops, max_bytes }.collect();
            let mut stream =
                futures_util::stream::iter(batches).map(|(ids, body)| send_bulk(r, ids, body)).buffer_unordered(conc);
            while let Some((results, ex)) = stream.next().await {
                groups.requests += 1;
                groups.keep(ex, results.iter().any(|(_, r)| r.is_err()));
                for (bulk_id, res) in results {
                    let g: usize = bulk_id.trim_start_matches('g').parse().unwrap_or(usize::MAX);
                    match res {
                        Ok(id) if g < group_count => match r.record_group(&id) {
                            Ok(()) => {
                                imported.groups[g] = Some(id);
                                groups.ok += 1;
                            }
                            Err(defect) => groups.fail(format!("group {g}: {defect}")),
                        },
                        Ok(_) => groups.fail(format!("{bulk_id}: unknown bulkId in the response")),
                        Err(e) => groups.fail(format!("group {g}: {e}")),
                    }
                }
            }
        }
        None => {
            let work: Vec<(usize, GroupProfile, Vec<Member>)> = (0..group_count)
                .map(|g| {
                    let (p, m) = group_of(g);
                    (g, p, m)
                })
                .collect();
            let mut stream = futures_util::stream::iter(work)
                .map(|(g, profile, members)| async move {
                    let mut exchanges = Vec::new();
                    // A persona that never creates empty groups (JumpCloud) creates each with its members.
                    let with_members = !r.persona.group_body.create_empty;
                    let group = match with_members {
                        true => GroupProfile { members: members.clone(), ..profile.clone() },
                        false => profile.clone(),
                    };
                    let create =
                        send_plan(&r.client, r.persona, &r.persona.plan(&Intent::CreateGroup { group }), None).await;
                    exchanges.extend(create.exchanges);
                    let Some(id) = create.id else {
                        return (g, None, create.failure.map(|f| f.reason), exchanges);
                    };
                    if create.failure.is_some() || members.is_empty() || with_members {
                        return (g, Some(id), create.failure.map(|f| f.reason), exchanges);
                    }
                    let intent =
                        Intent::ChangeMembers { id: id.clone(), group: profile, add: members, remove: Vec::new() };
                    let add = send_plan(&r.client, r.persona, &r.persona.plan(&intent), Some(id.clone())).await;
                    exchanges.extend(add.exchanges);
                    (g, Some(id), add.failure.map(|f| f.reason), exchanges)
                })
                .buffer_unordered(conc);
            while let Some((g, id, failure, exchanges)) = stream.next().await {
                groups.requests += exchanges.len();
                if let Some(ex) = exchanges.into_iter().last() {
                    groups.keep(ex, failure.is_some());
                }
                if let Some(id) = id {
                    r.register_group(&id);
                    imported.groups[g] = Some(id);
                }
                match failure {
                    Some(f) => groups.fail(format!("group {g}: {f}")),
                    None => groups.ok += 1,
                }
            }
        }
    }
    let how = match limits {
        Some((ops, bytes)) => format!("through /Bulk (maxOperations {ops}, maxPayloadSize {bytes})"),
        None if r.persona.uses_bulk => "as parallel creates (the server announces no /Bulk)".to_owned(),
        None => format!("as parallel creates ({} never uses /Bulk)", r.persona.name),
    };
    let summary = format!(
        "{} of {n} users and {} of {group_count} groups imported {how} in {} requests, {:.1} s",
        users.ok,
        groups.ok,
        users.requests + groups.requests,
        started.elapsed().as_secs_f64()
    );
    o.exchanges = users.evidence.into_iter().chain(groups.evidence).collect();
    if users.failed + groups.failed > 0 {
        o.verdict = StepVerdict::Fail;
        let first = users.first_failure.or(groups.first_failure).unwrap_or_default();
        o.reason = Some(format!("{summary}; first failure: {first}"));
        o.expected = Some(format!("{n} users and {group_count} groups created"));
        o.actual = Some(format!("{} users and {} groups created", users.ok, groups.ok));
    } else {
        o.reason = Some(summary);
    }
    state.imported = Some(imported);
    o
}

/// Reads back a sample of imported users and groups.
pub async fn verify_sample(r: &Replayer, state: &State, sample: u64, mut o: StepOutcome) -> StepOutcome {
    let Some(imp) = state.imported.as_ref().filter(|i| i.users.iter().any(Option::is_some)) else {
        o.verdict = StepVerdict::Skip;
        o.reason = Some("needs users created by an earlier bulk-import step".into());
        return o;
    };
    let mut rng = fastrand::Rng::with_seed(r.options.seed);
    let sample = usize::try_from(sample).unwrap_or(20);
    let fail = |o: &mut StepOutcome, reason: String, expected: String, actual: String| {
        o.verdict = StepVerdict::Fail;
        o.reason = Some(reason);
        o.expected = Some(expected);
        o.actual = Some(actual);
    };
    let users: Vec<usize> = (0..imp.users.len()).filter(|i| imp.users[*i].is_some()).collect();
    let mut checked = 0;
    for _ in 0..sample.min(users.len()) {
        let i = users[rng.usize(..users.len())];
        let Some(id) = &imp.users[i] else { continue };
        let Some(resp) = get(r, &format!("/Users/{}", crate::ledger::segment(id)), &mut o.exchanges).await else {
            continue;
        };
        let want = import_user(&imp.user_prefix, &r.options.domain, i);
        let body = resp.body_json();
        let user_name = body.get("userName").and_then(Value::as_str);
        let department = body
            .get("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
            .and_then(|e| e.get("department"))
            .and_then(Value::as_str);
        if resp.status != 200 || user_name != Some(want.user_name.as_str()) || department != want.department.as_deref()
        {
            fail(
                &mut o,
                format!("imported user {i} reads back wrong: {}", describe(&resp)),
                format!("userName {} in {}", want.user_name, want.department.unwrap_or_default()),
                format!("userName {user_name:?} in {department:?}"),
            );
            return o;
        }
        checked += 1;
    }
    let groups: Vec<usize> = (0..imp.groups.len()).filter(|g| imp.groups[*g].is_some()).collect();
    for _ in 0..sample.min(groups.len()) {
        let g = groups[rng.usize(..groups.len())];
        let Some(id) = &imp.groups[g] else { continue };
        let Some(resp) = get(r, &format!("/Groups/{}", crate::ledger::segment(id)), &mut o.exchanges).await else {
            continue;
        };
        let mut want: Vec<&str> = (g * imp.group_size..((g + 1) * imp.group_size).min(imp.users.len()))
            .filter_map(|i| imp.users[i].as_deref())
            .collect();
        let mut got: Vec<&str> = resp
            .body_json()
            .get("members")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|m| m.get("value").and_then(Value::as_str)).collect())
            .unwrap_or_default();
        want.sort_unstable();
        got.sort_unstable();
        if resp.status != 200 || want != got {
            fail(
                &mut o,
                format!("imported group {g} reads back with {} members, expected {}", got.len(), want.len()),
                format!("{} members", want.len()),
                format!("{} members ({})", got.len(), describe(&resp)),
            );
            return o;
        }
        checked += 1;
    }
    // Every imported user arrived: the prefix filter counts them.
    let filter = format!("userName sw \"{}\"", imp.user_prefix);
    let mut req = ScimRequest::get("/Users");
    req.query = vec![("filter".into(), filter), ("count".into(), "1".into())];
    if let Ok(resp) = r.client.send(req).await {
        o.exchanges.push(resp.exchange.clone());
        let total = resp.body_json().get("totalResults").and_then(Value::as_u64).unwrap_or(0);
        if total != users.len() as u64 {
            fail(
                &mut o,
                format!("a userName sw filter finds {total} imported users, {} were created", users.len()),
                format!("totalResults {}", users.len()),
                format!("totalResults {total}"),
            );
            return o;
        }
    }
    o.reason = Some(format!(
        "{checked} sampled users and groups read back as imported; all {} users found by filter",
        users.len()
    ));
    o
}

/// An exchange for a request that never left (the client could not form it).
fn error_exchange(msg: &str) -> Exchange {
    Exchange {
        id: 0,
        started_at: jiff::Timestamp::now(),
        request: scimlab_protocol::exchange::HttpRequest {
            method: "POST".into(),
            url: "/Bulk".into(),
            headers: Vec::new(),
            body: None,
        },
        response: None,
        timings: Default::default(),
        client: None,
        error: Some(msg.to_owned()),
    }
}

async fn get(r: &Replayer, path: &str, exchanges: &mut Vec<Exchange>) -> Option<ScimResponse> {
    let resp = r.client.send(ScimRequest::get(path)).await.ok()?;
    if exchanges.len() < EVIDENCE {
        exchanges.push(resp.exchange.clone());
    }
    Some(resp)
}
