//! Sending a persona's plan through the recording client: `{id}` filled in, Okta's PUT body built from the GET
//! before it, conditional requests skipped, and every answer judged against what the persona needs. The first
//! answer the persona cannot use stops the plan, as it stops the IdP, and becomes a failure worded in the IdP's
//! terms.

use crate::client::{ClientError, ScimClient, ScimRequest, ScimResponse};
use crate::persona::explain::explain;
use crate::persona::wire::ID;
use crate::persona::{Condition, Expect, Persona, Planned};
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

/// Judges one answer; `Ok(found)` carries the number of resources a list held.
fn judge(expect: &Expect, r: &ScimResponse) -> Result<Option<u64>, String> {
    match expect {
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
    for p in plan {
        if p.condition == Condition::IfPreviousFoundNothing && last_found.is_some_and(|n| n > 0) {
            last_found = None;
            continue;
        }
        if (p.path.contains(ID) || p.raw_query.as_deref().is_some_and(|q| q.contains(ID))) && run.id.is_none() {
            run.failure = Some(PlanFailure {
                reason: format!(
                    "{} cannot send {} to the {} resource it created: no id came back for it",
                    persona.name,
                    p.method,
                    p.path.split(&format!("/{ID}")).next().unwrap_or(&p.path)
                ),
                expected: "an id from the create".into(),
                actual: "none".into(),
                status: None,
                label: p.label,
            });
            return run;
        }
        let req = to_request(persona, p, run.id.as_deref(), fetched.as_ref());
        let resp = match client.send(req).await {
            Ok(r) => r,
            Err(e) => {
                let got = e.to_string();
                if let ClientError::Transport { exchange, .. } = e {
                    run.exchanges.push(*exchange);
                }
                run.failure = Some(PlanFailure {
                    reason: explain(persona, p, run.id.as_deref(), None, &format!("no answer ({got})")),
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
        match judge(&p.expect, &resp) {
            Ok(found) => {
                last_found = found;
                if p.method == "GET" && resp.status == 200 && found.is_none() {
                    fetched = resp.json.clone();
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
                }
            }
            Err(got) => {
                run.failure = Some(PlanFailure {
                    reason: explain(persona, p, run.id.as_deref(), Some(resp.status), &got),
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

/// The collection of a create's path (`/Users` of `/Users` or `/Users?x`).
fn collection_of(path: &str) -> &str {
    path.split('?').next().unwrap_or(path)
}
