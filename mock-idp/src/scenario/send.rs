//! Sending a persona's plan through the recording client: `{id}` filled in, Okta's PUT body built from the GET
//! before it, conditional requests skipped, and every answer judged against what the persona needs. The first
//! answer the persona cannot use stops the plan, as it stops the IdP, and becomes a failure worded in the IdP's
//! terms.

use crate::client::{ScimClient, ScimRequest, ScimResponse};
use crate::persona::explain::explain;
use crate::persona::wire::{ID, TEST_USER_ID};
use crate::persona::{Condition, Expect, ListAll, Persona, Planned};
use scimlab_protocol::exchange::Exchange;
use serde_json::Value;

/// Why a plan stopped.
#[derive(Debug, Clone)]
pub struct PlanFailure {
    /// The IdP's consequence and the reason (see [`explain`]).
    pub reason: String,
    /// What the persona needed.
    pub expected: String,
    /// What came back.
    pub actual: String,
    /// The status, when there was an answer.
    pub status: Option<u16>,
    /// The request's label.
    pub label: &'static str,
}

/// What sending a plan produced.
#[derive(Debug, Default)]
pub struct PlanRun {
    /// Every exchange, in order.
    pub exchanges: Vec<Exchange>,
    /// The subject's id: given, or captured from a create.
    pub id: Option<String>,
    /// The first answer the persona could not use.
    pub failure: Option<PlanFailure>,
    /// What the plan created and did not delete again, as (collection, id): for a plan that creates more than its
    /// subject (JumpCloud's Test Connection), what cleanup must remove.
    pub leftovers: Vec<(String, String)>,
}

/// One line on what a response was: status, scimType and detail of a SCIM error, or the start of the body.
pub fn describe(r: &ScimResponse) -> String {
    let body = r.body_json();
    if let Some(detail) = body.get("detail").and_then(Value::as_str) {
        let scim_type = body.get("scimType").and_then(Value::as_str).map(|t| format!(" {t}")).unwrap_or_default();
        return format!("{}{scim_type}: {}", r.status, clip(detail, 200));
    }
    if r.body.is_empty() {
        return format!("{} with an empty body", r.status);
    }
    if body.get("Resources").is_some() {
        let n = body.get("totalResults").map(Value::to_string).unwrap_or_else(|| "?".into());
        return format!("{} with a ListResponse of {n}", r.status);
    }
    format!("{} {}", r.status, clip(&r.text(), 200))
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_owned() } else { format!("{}...", s.chars().take(n).collect::<String>()) }
}

/// How many resources a ListResponse holds (totalResults, or the length of Resources).
fn list_total(r: &ScimResponse) -> Option<u64> {
    let b = r.body_json();
    let total = b.get("totalResults").and_then(Value::as_u64);
    let len = b.get("Resources").and_then(Value::as_array).map(|a| a.len() as u64);
    match (total, len) {
        (Some(t), _) => Some(t),
        (None, Some(l)) => Some(l),
        (None, None) if r.status == 200 && b.get("schemas").is_some() => Some(0),
        _ => None,
    }
}

/// Judges one answer; `Ok(found)` carries the number of resources a list held. `id` is the plan's subject.
fn judge(expect: &Expect, r: &ScimResponse, id: Option<&str>) -> Result<Option<u64>, String> {
    match expect {
        Expect::Found => {
            let ids: Vec<&str> = r
                .body_json()
                .get("Resources")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|x| x.get("id").and_then(Value::as_str)).collect())
                .unwrap_or_default();
            match (r.status, list_total(r)) {
                (200, Some(1)) if id.is_none_or(|id| ids == [id]) => Ok(Some(1)),
                (200, Some(0)) => Err(format!("{} (the user it provisioned is not found)", describe(r))),
                (200, Some(_)) => Err(format!("{} holding ids {ids:?}, not just the user provisioned", describe(r))),
                _ => Err(describe(r)),
            }
        }
        // Judged page by page by `list_all`.
        Expect::NotListed => Err("a lookup that lists every page was judged as one request".into()),
        Expect::NoMatch { not_found_ok } => match (r.status, list_total(r)) {
            (404, _) if *not_found_ok => Ok(Some(0)),
            (200, Some(0)) => Ok(Some(0)),
            (200, Some(n)) => Err(format!(
                "200 with {n} existing resource(s) (a name collision: the run prefix should make this impossible)"
            )),
            _ => Err(describe(r)),
        },
        Expect::List => match (r.status, list_total(r)) {
            (200, Some(n)) => Ok(Some(n)),
            _ => Err(describe(r)),
        },
        Expect::Resource { statuses } => {
            let has_id = r.body_json().get("id").and_then(Value::as_str).is_some_and(|s| !s.is_empty());
            if statuses.contains(&r.status) && has_id {
                Ok(None)
            } else if statuses.contains(&r.status) {
                Err(format!("{} without a resource id in the body", describe(r)))
            } else {
                Err(describe(r))
            }
        }
        Expect::Status { statuses } => {
            if statuses.contains(&r.status) {
                Ok(None)
            } else {
                Err(describe(r))
            }
        }
    }
}

/// The request to send for `p`, with the subject id and the fetched resource filled in: the persona's own
/// ([`Persona::to_request`]), so a replay and a profile check build every request the same way.
pub fn to_request(persona: &Persona, p: &Planned, id: Option<&str>, fetched: Option<&Value>) -> ScimRequest {
    persona.to_request(p, id, fetched)
}

/// Sends `plan` in order until one answer is not what the persona needs.
pub async fn send_plan(client: &ScimClient, persona: &Persona, plan: &[Planned], id: Option<String>) -> PlanRun {
    let mut run = PlanRun { id, ..PlanRun::default() };
    let mut fetched: Option<Value> = None;
    let mut last_found: Option<u64> = None;
    let mut last_refused = false;
    let mut test_user: Option<String> = None;
    for (i, p) in plan.iter().enumerate() {
        if p.condition == Condition::IfPreviousFoundNothing && last_found.is_some_and(|n| n > 0) {
            last_found = None;
            continue;
        }
        if p.condition == Condition::IfPreviousRefused && !std::mem::take(&mut last_refused) {
            continue;
        }
        let mut p = p.clone();
        if p.path.contains(TEST_USER_ID) {
            match &test_user {
                Some(u) => p.path = p.path.replace(TEST_USER_ID, &crate::ledger::segment(u)),
                None => {
                    run.failure = Some(no_id(persona, &p));
                    return run;
                }
            }
        }
        if (p.path.contains(ID) || p.raw_query.as_deref().is_some_and(|q| q.contains(ID))) && run.id.is_none() {
            run.failure = Some(no_id(persona, &p));
            return run;
        }
        if let Some(list) = &p.list_all {
            match list_all(client, persona, &p, list, &mut run).await {
                Ok(()) => continue,
                Err(failure) => {
                    run.failure = Some(failure);
                    return run;
                }
            }
        }
        let req = to_request(persona, &p, run.id.as_deref(), fetched.as_ref());
        let resp = match client.send(req).await {
            Ok(r) => r,
            Err(e) => {
                let got = super::verify::lost(e, &mut run.exchanges);
                run.failure = Some(PlanFailure {
                    reason: explain(persona, &p, run.id.as_deref(), None, &format!("no answer ({got})")),
                    expected: p.expect.describe(),
                    actual: got,
                    status: None,
                    label: p.label,
                });
                return run;
            }
        };
        run.exchanges.extend(resp.retried.iter().cloned());
        run.exchanges.push(resp.exchange.clone());
        match judge(&p.expect, &resp, run.id.as_deref()) {
            Ok(found) => {
                last_found = found;
                if p.method == "GET" && resp.status == 200 && found.is_none() {
                    fetched = resp.json.clone();
                }
                if p.method == "DELETE" {
                    let target = to_request(persona, &p, run.id.as_deref(), None).path;
                    run.leftovers.retain(|(c, id)| format!("{c}/{}", crate::ledger::segment(id)) != target);
                }
                if p.captures_id {
                    run.id = resp.body_json().get("id").and_then(Value::as_str).map(str::to_owned);
                    // What a create answered is the run's to change and delete; an id that cannot be used
                    // safely (not one path segment, or handed out before) stops the plan as a server defect.
                    if let (Some(id), Some(ledger)) = (run.id.clone(), client.ledger())
                        && p.method.eq_ignore_ascii_case("POST")
                        && let Err(defect) = ledger.record(collection_of(&p.path), &id)
                    {
                        run.id = None;
                        run.failure = Some(PlanFailure {
                            reason: defect.to_string(),
                            expected: "a unique id usable as one URL path segment (RFC 7643 section 3.1)".into(),
                            actual: format!("id {id:?}"),
                            status: Some(resp.status),
                            label: p.label,
                        });
                        return run;
                    }
                    if let (Some(id), true) = (run.id.clone(), p.method.eq_ignore_ascii_case("POST")) {
                        let collection = collection_of(&p.path).to_owned();
                        if collection == "/Users" {
                            test_user = Some(id.clone());
                        }
                        run.leftovers.push((collection, id));
                    }
                }
            }
            Err(got) => {
                let refused = resp.status == 501 || (400..500).contains(&resp.status);
                if refused && plan.get(i + 1).is_some_and(|n| n.condition == Condition::IfPreviousRefused) {
                    last_refused = true;
                    continue;
                }
                run.failure = Some(PlanFailure {
                    reason: explain(persona, &p, run.id.as_deref(), Some(resp.status), &got),
                    expected: p.expect.describe(),
                    actual: got,
                    status: Some(resp.status),
                    label: p.label,
                });
                return run;
            }
        }
    }
    run
}

/// The failure of a request that needs an id no create gave.
fn no_id(persona: &Persona, p: &Planned) -> PlanFailure {
    PlanFailure {
        reason: format!(
            "{} cannot send {} to the {} resource it created: no id came back for it",
            persona.name,
            p.method,
            p.path.split("/{").next().unwrap_or(&p.path)
        ),
        expected: "an id from the create".into(),
        actual: "none".into(),
        status: None,
        label: p.label,
    }
}

/// Pages through a collection as `p` asks ([`ListAll`]): `startIndex` moves on by the resources each page
/// returned (RFC 7644 section 3.4.2.4: 1-based), until `totalResults` are listed. The lookup fails on a page that
/// is not a ListResponse with an integer `totalResults`, on an empty page before the end (a server that ignores
/// `startIndex`, or counts from 0, loses resources), on a page that repeats one already seen, and on a match (a
/// name collision: the run prefix should make it impossible).
async fn list_all(
    client: &ScimClient,
    persona: &Persona,
    p: &Planned,
    list: &ListAll,
    run: &mut PlanRun,
) -> Result<(), PlanFailure> {
    /// More pages than any test or real tenant needs: the guard against a server whose pages never end.
    const MAX_PAGES: u64 = 10_000;
    let mut start: u64 = 1;
    let mut seen: Vec<String> = Vec::new();
    for _ in 0..MAX_PAGES {
        let page = Planned { raw_query: Some(list.page_query(start)), ..p.clone() };
        let fail = |status: Option<u16>, got: String| PlanFailure {
            reason: explain(persona, &page, None, status, &got),
            expected: p.expect.describe(),
            actual: got,
            status,
            label: p.label,
        };
        let resp = match client.send(to_request(persona, &page, None, None)).await {
            Ok(r) => r,
            Err(e) => {
                let got = super::verify::lost(e, &mut run.exchanges);
                return Err(fail(None, format!("no answer ({got})")));
            }
        };
        run.exchanges.extend(resp.retried.iter().cloned());
        run.exchanges.push(resp.exchange.clone());
        let body = resp.body_json();
        let total = body.get("totalResults").and_then(Value::as_u64);
        let resources = body.get("Resources").and_then(Value::as_array).cloned().unwrap_or_default();
        let (200, Some(total)) = (resp.status, total) else {
            return Err(fail(Some(resp.status), format!("{} (no integer totalResults)", describe(&resp))));
        };
        if let Some(hit) = resources.iter().find(|r| {
            r.as_object()
                .and_then(|o| scimlab_protocol::json::get_ci(o, list.attribute))
                .and_then(Value::as_str)
                .is_some_and(|v| v.eq_ignore_ascii_case(&list.value))
        }) {
            let id = hit.get("id").and_then(Value::as_str).unwrap_or("?");
            return Err(fail(
                Some(resp.status),
                format!("a group named {:?} already there (id {id}): a name collision", list.value),
            ));
        }
        let ids: Vec<String> =
            resources.iter().filter_map(|r| r.get("id").and_then(Value::as_str)).map(str::to_owned).collect();
        if let Some(again) = ids.iter().find(|id| seen.contains(id)) {
            return Err(fail(
                Some(resp.status),
                format!("the page at startIndex={start} repeats {again}, listed on an earlier page"),
            ));
        }
        seen.extend(ids);
        let listed = seen.len() as u64;
        if listed >= total {
            return Ok(());
        }
        if resources.is_empty() {
            return Err(fail(
                Some(resp.status),
                format!(
                    "an empty page at startIndex={start} after {listed} of totalResults {total}: the other {} cannot \
                     be listed",
                    total - listed
                ),
            ));
        }
        start += resources.len() as u64;
    }
    Err(PlanFailure {
        reason: format!("{} gave up listing {} after {MAX_PAGES} pages", persona.name, p.path),
        expected: p.expect.describe(),
        actual: format!("more than {MAX_PAGES} pages"),
        status: None,
        label: p.label,
    })
}

/// The collection of a create's path (`/Users` of `/Users` or `/Users?x`).
fn collection_of(path: &str) -> &str {
    path.split('?').next().unwrap_or(path)
}
