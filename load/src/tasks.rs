//! The workloads' tasks: what one worker does for task number `i` of its lane. A task is one request, except a
//! bulk-merge block (one /Bulk request per chunk of users, or a POST per user and one for the group), Okta's
//! GET-then-PUT update, and the `mixed` workload's membership and activation round trips and hires (two).
//!
//! [`exchange`] is the one place a request is sent and measured: latency from the intended send time (open
//! model) or from the send (closed model) to the last byte of the answer; a 429 is counted apart, its
//! Retry-After honoured, and the request sent again (its latency then runs from the end of the wait, which is when
//! the server asked for it); a request without an answer is a transport error, and one whose body goes beyond
//! `--max-response-bytes` is a "body too large" error.

use crate::engine::{Lane, Run};
use crate::options::Workload;
use crate::persona::{self, BULK_URN, Persona, Step, put_over};
use crate::population::Population;
use crate::stats::{Op, Recorder, Slot};
use crate::wire::{Conn, Reply, Req, SendError, scim_type};
use hyper::Method;
use scimlab_mock_idp::intent::Member;
use scimlab_mock_idp::persona::wire::ID;
use serde::Deserialize;
use serde_json::Value;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Sends `req` and records the answer in `slot`. `None` when no answer came (or the run ended while a 429 was
/// being waited out).
pub async fn exchange(
    run: &Run,
    conn: &mut Conn,
    rec: &mut Recorder,
    slot: Slot,
    req: &Req,
    intended: Option<Instant>,
    items: u64,
) -> Option<Reply> {
    let mut start = intended.unwrap_or_else(Instant::now);
    let mut renewed = false;
    loop {
        // `Err(None)`: no answer within the timeout.
        let generation = run.renewal.as_ref().map(|r| r.generation());
        let sent = match tokio::time::timeout(run.timeout, conn.send(req)).await {
            Ok(r) => r.map_err(Some),
            Err(_elapsed) => Err(None),
        };
        let end = Instant::now();
        let reply = match sent {
            Ok(r) => r,
            Err(e) => {
                match e {
                    // The connection is closed already: the rest of the body is never read.
                    Some(SendError::TooLarge { .. }) => rec.body_too_large(slot),
                    Some(SendError::Transport(_)) => rec.transport_error(slot),
                    None => {
                        // A timed-out request leaves the connection mid-exchange; start a fresh one.
                        conn.reset();
                        rec.transport_error(slot);
                    }
                }
                run.live.requests.fetch_add(1, Ordering::Relaxed);
                run.live.errors.fetch_add(1, Ordering::Relaxed);
                return None;
            }
        };
        run.live.requests.fetch_add(1, Ordering::Relaxed);
        // RFC 6750 section 3.1: an obtained token the server refuses is renewed, and the request sent once more
        // with the new one, as an IdP does; the 401 is not measured. A second 401 is the run's error.
        if reply.status == 401
            && !renewed
            && let (Some(renewal), Some(sent)) = (&run.renewal, generation)
        {
            renewed = true;
            renewal.refused(sent).await;
            start = Instant::now();
            continue;
        }
        if reply.status == 429 {
            let wait = reply.retry_after.unwrap_or(Duration::from_secs(1));
            rec.throttled(slot, u64::try_from(wait.as_micros()).unwrap_or(u64::MAX));
            run.live.throttled.fetch_add(1, Ordering::Relaxed);
            if run.stopped() || end + wait >= run.deadline {
                return None;
            }
            tokio::time::sleep(wait).await;
            start = Instant::now();
            continue;
        }
        let latency = u64::try_from(end.saturating_duration_since(start).as_micros()).unwrap_or(u64::MAX);
        let error = reply.status >= 400;
        let st = if error { scim_type(&reply.body) } else { None };
        if error {
            run.live.errors.fetch_add(1, Ordering::Relaxed);
        }
        rec.response(slot, latency, reply.status, st.as_deref(), items);
        return Some(reply);
    }
}

/// Sends a persona's steps in order, as the IdP would: the first request at the intended time, each later one
/// when the one before is answered; an Okta PUT carries what the plan's GET returned; Entra's conditional step
/// goes only when the request before found nothing. Stops at the first answer that is not a success (the IdP
/// would give up on the intent there). Returns the subject's id (given, or captured from a create) and whether
/// every step succeeded.
pub async fn send_steps(
    run: &Run,
    lane: usize,
    steps: &[Step],
    mut id: Option<String>,
    conn: &mut Conn,
    rec: &mut Recorder,
    intended: Option<Instant>,
) -> (Option<String>, Outcome) {
    let mut intended = intended;
    let mut fetched: Option<hyper::body::Bytes> = None;
    let mut previous_found: Option<u64> = None;
    for (k, s) in steps.iter().enumerate() {
        if s.if_previous_found_nothing && previous_found.is_some_and(|n| n > 0) {
            previous_found = None;
            continue;
        }
        let body = match (&s.body, &s.over_fetched, &fetched) {
            (Some(b), _, _) => Some(b.clone()),
            (None, Some(overlay), Some(f)) => match put_over(f, overlay) {
                Ok(b) => Some(b),
                Err(_) => return (id, Outcome::Failed),
            },
            (None, Some(_), None) => return (id, Outcome::Failed),
            (None, None, _) => None,
        };
        let target = match &id {
            Some(v) if s.target.contains(ID) => s.target.replace(ID, v),
            _ => s.target.clone(),
        };
        let items = u64::from(s.method != Method::GET);
        let req = Req { method: s.method.clone(), target, body: body.map(Into::into) };
        let slot = Slot { lane, op: s.op };
        let Some(reply) = exchange(run, conn, rec, slot, &req, intended.take(), items).await else {
            return (id, Outcome::NoAnswer { step: k });
        };
        if reply.status >= 300 {
            return (id, Outcome::Failed);
        }
        if s.method == Method::GET {
            if steps.get(k + 1).is_some_and(|n| n.if_previous_found_nothing) {
                previous_found = total_results(&reply.body);
            }
            fetched = Some(reply.body.clone());
        }
        if s.captures_id {
            id = created_id(&reply);
        }
    }
    (id, Outcome::Done)
}

/// How a persona's steps ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every step succeeded.
    Done,
    /// A step was answered with a failure (or its body could not be built).
    Failed,
    /// Step `step` got no answer: whatever it did is unknown.
    NoAnswer {
        /// Its index.
        step: usize,
    },
}

fn total_results(body: &[u8]) -> Option<u64> {
    #[derive(Deserialize)]
    struct List {
        #[serde(rename = "totalResults")]
        total: Option<u64>,
    }
    serde_json::from_slice::<List>(body).ok().and_then(|l| l.total)
}

/// Runs task `i` of `lane`.
pub async fn run_task(
    run: &Run,
    lane: &Lane,
    i: u64,
    conn: &mut Conn,
    rec: &mut Recorder,
    rng: &mut fastrand::Rng,
    intended: Option<Instant>,
) {
    let slot = |op| Slot { lane: lane.index, op };
    let pop = &*lane.pop;
    match lane.workload {
        Workload::BulkMerge => {
            let g = pop.blocks.start + i;
            if g < pop.blocks.end {
                bulk_merge_block(run, lane, g, conn, rec, intended).await;
            }
        }
        Workload::Read => {
            let Some((_, id)) = pop.pick_user(rng) else { return };
            let req = Req::new(Method::GET, format!("/Users/{id}"));
            exchange(run, conn, rec, slot(Op::Get), &req, intended, 0).await;
        }
        Workload::Filter => {
            let Some((u, _)) = pop.pick_user(rng) else { return };
            let (op, filter) = match rng.u8(0..10) {
                0..5 => (Op::FilterUserName, format!("userName eq \"{}\"", pop.pop.user_name(u))),
                5..8 => (Op::FilterExternalId, format!("externalId eq \"{}\"", pop.pop.external_id(u))),
                _ => (
                    Op::FilterComplex,
                    format!("emails[type eq \"work\" and value co \"{}\"]", pop.pop.email_fragment(u)),
                ),
            };
            let req = Req::new(Method::GET, format!("/Users?{}", persona::lookup_query(run.persona, &filter)));
            exchange(run, conn, rec, slot(op), &req, intended, 0).await;
        }
        Workload::Patch => {
            let Some((u, id)) = pop.pick_user(rng) else { return };
            let steps = persona::update(run.persona, &pop.pop, u, id, pop.next());
            send_steps(run, lane.index, &steps, Some(id.to_owned()), conn, rec, intended).await;
        }
        Workload::Mixed => mixed(run, lane, conn, rec, rng, intended).await,
    }
}

/// The `mixed` workload, an incremental sync: 35% lookups by userName, 20% reads, 25% profile updates, 8%
/// membership changes (a user of another team added to a group and removed again), 7% deactivations and
/// reactivations, 5% hires (the persona's lookup and create). The round trips leave the population as they
/// found it; every write is the persona's own request shape. A membership change holds its group for the whole
/// round trip, so concurrent workers never change one group's members at once.
async fn mixed(
    run: &Run,
    lane: &Lane,
    conn: &mut Conn,
    rec: &mut Recorder,
    rng: &mut fastrand::Rng,
    intended: Option<Instant>,
) {
    let pop = &*lane.pop;
    let (p, l) = (run.persona, lane.index);
    let roll = rng.u8(0..100);
    if roll >= 95 {
        let n = pop.next();
        let steps = persona::hire(p, &lane.hires, n);
        match send_steps(run, l, &steps, None, conn, rec, intended).await {
            (Some(id), _) => pop.add_hired(id),
            (None, Outcome::NoAnswer { step }) if steps.get(step).is_some_and(|s| s.method == Method::POST) => {
                lane.hire_unknown(n)
            }
            _ => {}
        }
        return;
    }
    let Some((u, id)) = pop.pick_user(rng) else { return };
    match roll {
        0..35 => {
            let filter = format!("userName eq \"{}\"", pop.pop.user_name(u));
            let req = Req::new(Method::GET, format!("/Users?{}", persona::lookup_query(p, &filter)));
            exchange(run, conn, rec, Slot { lane: l, op: Op::FilterUserName }, &req, intended, 0).await;
        }
        35..55 => {
            let req = Req::new(Method::GET, format!("/Users/{id}"));
            exchange(run, conn, rec, Slot { lane: l, op: Op::Get }, &req, intended, 0).await;
        }
        55..80 => {
            let steps = persona::update(p, &pop.pop, u, id, pop.next());
            send_steps(run, l, &steps, Some(id.to_owned()), conn, rec, intended).await;
        }
        80..88 => {
            // The group is this worker's until the round trip ends (see `PopState::claim_group`).
            let Some(claim) = pop.claim_group(rng) else { return };
            let (g, gid) = (claim.g, claim.id);
            if pop.pop.block_of(u) == g {
                // Already a member: the membership change goes to another draw.
                return;
            }
            let members: Vec<Member> = pop
                .pop
                .block_users(g)
                .filter_map(|v| pop.user_id(v).map(|vid| persona::member(&pop.pop, v, vid)))
                .collect();
            let outsider = persona::member(&pop.pop, u, id);
            let add = persona::change_members(p, &pop.pop, g, gid, members.clone(), vec![outsider.clone()], vec![]);
            let (_, added) = send_steps(run, l, &add, Some(gid.to_owned()), conn, rec, intended).await;
            if added == Outcome::Done {
                let mut with = members;
                with.push(outsider.clone());
                let remove = persona::change_members(p, &pop.pop, g, gid, with, vec![], vec![outsider]);
                send_steps(run, l, &remove, Some(gid.to_owned()), conn, rec, None).await;
            }
        }
        _ => {
            let off = persona::set_active(p, &pop.pop, u, id, false);
            let (_, done) = send_steps(run, l, &off, Some(id.to_owned()), conn, rec, intended).await;
            if done == Outcome::Done {
                let on = persona::set_active(p, &pop.pop, u, id, true);
                send_steps(run, l, &on, Some(id.to_owned()), conn, rec, None).await;
            }
        }
    }
}

/// The id of a created resource: the body's `id`, else the last segment of its Location.
pub fn created_id(r: &Reply) -> Option<String> {
    #[derive(Deserialize)]
    struct Created {
        id: Option<String>,
    }
    serde_json::from_slice::<Created>(&r.body).ok().and_then(|c| c.id)
}

/// Users per /Bulk request: the server's maxOperations less one (the group's own operation), and no more than
/// fit in its maxPayloadSize at `body_len` bytes a user (with a margin for the group and the envelope).
pub fn chunk_size(max_operations: usize, max_payload: usize, body_len: usize, preferred: u64) -> usize {
    let by_ops = max_operations.saturating_sub(1).max(1);
    let per_user = body_len + 64 + 48; // the operation envelope, and the member entry in the group
    let by_payload = (max_payload.saturating_sub(2048) / per_user.max(1)).max(1);
    by_ops.min(by_payload).min(usize::try_from(preferred).unwrap_or(usize::MAX)).max(1)
}

/// Creates block `g`: its users and their group. Through /Bulk when the run uses it, in chunks that the
/// server's limits allow, the group riding in the last chunk with `bulkId` references to that chunk's users and
/// the ids of earlier chunks' users; otherwise a POST per user, then a POST of the group.
pub async fn bulk_merge_block(
    run: &Run,
    lane: &Lane,
    g: u64,
    conn: &mut Conn,
    rec: &mut Recorder,
    intended: Option<Instant>,
) {
    let (pop, bodies, lane) = (&*lane.pop, &lane.bodies, lane.index);
    let users: Vec<u64> = pop.pop.block_users(g).collect();
    let mut members: Vec<String> = Vec::with_capacity(users.len());
    if run.caps.bulk {
        let sample = bodies.body(&pop.pop, g * pop.pop.block).len();
        let size = chunk_size(run.caps.max_operations, run.caps.max_payload, sample, pop.pop.block);
        let chunks: Vec<&[u64]> = users.chunks(size).collect();
        let mut intended = intended;
        for (k, chunk) in chunks.iter().enumerate() {
            let last = k + 1 == chunks.len();
            let group = last.then(|| {
                let mut refs = members.clone();
                refs.extend(chunk.iter().map(|u| format!("bulkId:u{u}")));
                (g, refs)
            });
            let group = group.as_ref().map(|(g, r)| (*g, &r[..]));
            let body = bulk_create_body(run.persona, bodies, &pop.pop, chunk, group);
            let items = chunk.len() as u64 + u64::from(last);
            let req = Req::with_body(Method::POST, "/Bulk".to_owned(), body);
            let reply = exchange(run, conn, rec, Slot { lane, op: Op::Bulk }, &req, intended.take(), items).await;
            let Some(reply) = reply else {
                chunk.iter().for_each(|u| pop.set_unknown(*u));
                return;
            };
            if reply.status != 200 {
                return;
            }
            let results = read_bulk(&reply.body);
            for r in results {
                let ok = (200..300).contains(&r.status);
                match (r.bulk_id.as_deref().and_then(|b| b.strip_prefix('u')), ok) {
                    (Some(u), true) => {
                        if let (Ok(u), Some(id)) = (u.parse::<u64>(), r.id) {
                            members.push(id.clone());
                            pop.set_user(u, id);
                            run.live.created.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    (None, true) => {
                        if let Some(id) = r.id {
                            pop.set_group(g, id);
                            run.live.created.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    (_, false) => rec.item_failure(Slot { lane, op: Op::Bulk }, r.status, r.scim_type.as_deref()),
                }
            }
        }
        return;
    }
    // Without /Bulk: each user is the persona's hire (lookup, create), then the group push (lookup, create) and
    // its members in one membership change.
    let mut intended = intended;
    let mut ids: Vec<Member> = Vec::with_capacity(users.len());
    for u in users {
        let steps = persona::hire(run.persona, &pop.pop, u);
        match send_steps(run, lane, &steps, None, conn, rec, intended.take()).await {
            (Some(id), _) => {
                ids.push(persona::member(&pop.pop, u, &id));
                pop.set_user(u, id);
                run.live.created.fetch_add(1, Ordering::Relaxed);
            }
            (None, Outcome::NoAnswer { step }) if steps.get(step).is_some_and(|s| s.method == Method::POST) => {
                pop.set_unknown(u)
            }
            _ => {}
        }
    }
    let push = persona::push_group(run.persona, &pop.pop, g, &ids);
    let (Some(gid), Outcome::Done) = send_steps(run, lane, &push, None, conn, rec, None).await else { return };
    pop.set_group(g, gid.clone());
    run.live.created.fetch_add(1, Ordering::Relaxed);
    if pop.group_id(g) != Some(gid.as_str()) {
        // Refused as a path segment: never addressed.
        return;
    }
    if !ids.is_empty() && run.persona.group_body.create_empty {
        let add = persona::change_members(run.persona, &pop.pop, g, &gid, Vec::new(), ids, Vec::new());
        send_steps(run, lane, &add, Some(gid), conn, rec, None).await;
    }
}

/// A BulkRequest (RFC 7644 section 3.7) creating `users` (bulkIds `u{i}`) and, with `group`, the group `g`
/// listing `members` (ids, or `bulkId:u{i}` references to users of the same request), written straight to text.
pub fn bulk_create_body(
    persona: &Persona,
    bodies: &persona::UserBodies,
    pop: &Population,
    users: &[u64],
    group: Option<(u64, &[String])>,
) -> String {
    let sample = users.first().map_or(0, |u| bodies.body(pop, *u).len());
    let mut body = String::with_capacity(users.len() * (sample + 96) + 256);
    body.push_str(r#"{"schemas":[""#);
    body.push_str(BULK_URN);
    body.push_str(r#""],"Operations":["#);
    for (n, u) in users.iter().enumerate() {
        if n > 0 {
            body.push(',');
        }
        body.push_str(r#"{"method":"POST","path":"/Users","bulkId":"u"#);
        body.push_str(&u.to_string());
        body.push_str(r#"","data":"#);
        body.push_str(&bodies.body(pop, *u));
        body.push('}');
    }
    if let Some((g, members)) = group {
        if !users.is_empty() {
            body.push(',');
        }
        body.push_str(r#"{"method":"POST","path":"/Groups","bulkId":"g"#);
        body.push_str(&g.to_string());
        body.push_str(r#"","data":"#);
        body.push_str(&persona::group_body(persona, pop, g, members));
        body.push('}');
    }
    body.push_str("]}");
    body
}

/// One operation's result in a /Bulk answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkResult {
    /// Its bulkId.
    pub bulk_id: Option<String>,
    /// Its status.
    pub status: u16,
    /// The created resource's id (the last segment of `location`).
    pub id: Option<String>,
    /// The scimType of a failure.
    pub scim_type: Option<String>,
}

/// Reads a BulkResponse (RFC 7644 section 3.7.3): `status` may be a string (as the RFC's examples write it) or
/// a number; the id of a created resource is the last segment of its `location`.
pub fn read_bulk(body: &[u8]) -> Vec<BulkResult> {
    #[derive(Deserialize)]
    struct Resp {
        #[serde(rename = "Operations", alias = "operations", default)]
        operations: Vec<OpResp>,
    }
    #[derive(Deserialize)]
    struct OpResp {
        #[serde(rename = "bulkId", default)]
        bulk_id: Option<String>,
        #[serde(default)]
        location: Option<String>,
        #[serde(default)]
        status: Value,
        #[serde(default)]
        response: Option<Value>,
    }
    let Ok(resp) = serde_json::from_slice::<Resp>(body) else { return Vec::new() };
    resp.operations
        .into_iter()
        .map(|o| {
            let status = match &o.status {
                Value::String(s) => s.trim().parse().unwrap_or(0),
                Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()).unwrap_or(0),
                Value::Object(m) => m.get("code").and_then(Value::as_str).and_then(|s| s.parse().ok()).unwrap_or(0),
                _ => 0,
            };
            let id =
                o.location.as_deref().and_then(|l| l.rsplit('/').next()).filter(|s| !s.is_empty()).map(str::to_owned);
            let scim_type =
                o.response.as_ref().and_then(|r| r.get("scimType")).and_then(Value::as_str).map(str::to_owned);
            BulkResult { bulk_id: o.bulk_id, status, id, scim_type }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_answers_are_read_with_string_or_number_statuses() {
        let body = br#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkResponse"],"Operations":[
            {"method":"POST","bulkId":"u1","location":"http://h/scim/v2/Users/abc","status":"201"},
            {"method":"POST","bulkId":"u2","status":409,"response":{"scimType":"uniqueness","status":"409"}},
            {"method":"POST","bulkId":"g0","location":"http://h/scim/v2/Groups/g-1","status":"201"}]}"#;
        let r = read_bulk(body);
        assert_eq!(r.len(), 3);
        assert_eq!((r[0].status, r[0].id.as_deref()), (201, Some("abc")));
        assert_eq!((r[1].status, r[1].scim_type.as_deref(), r[1].id.as_deref()), (409, Some("uniqueness"), None));
        assert_eq!(r[2].id.as_deref(), Some("g-1"));
        assert!(read_bulk(b"oops").is_empty());
    }

    #[test]
    fn chunks_fit_the_servers_limits() {
        assert_eq!(chunk_size(1000, 1 << 20, 600, 100), 100);
        assert_eq!(chunk_size(10, 1 << 20, 600, 100), 9);
        assert_eq!(chunk_size(1000, 64 * 1024, 600, 1000), (64 * 1024 - 2048) / 712);
        assert_eq!(chunk_size(1, 10, 600, 100), 1);
    }
}
