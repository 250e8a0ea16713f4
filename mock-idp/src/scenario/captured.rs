//! Captured steps: a request exactly as a real client sent it (written by `scimlab recordings export --format
//! scenario`), sent again byte for byte, with only the ids the server assigns filled in.
//!
//! The method, path, query text, headers and body go out as the file has them. `${name}` stands for the id a
//! create earlier in the replay got back (the file's `captureId`), written as the place needs it: one
//! percent-encoded path segment, a percent-encoded query component, or the inside of a JSON string. The
//! credential is the replay's own (`--token`, `--basic`...): a captured `Authorization` never goes out again,
//! nor do `Host`, `Content-Length`, `Connection` and `Transfer-Encoding`, which belong to the connection.
//!
//! The step passes when the status is one the file lists (the status the client got when it was captured). The
//! replay's ledger still decides what may be changed: a captured write aimed at an id this replay did not create
//! (the capture began after the resource was made) is not sent, and says so.

use super::engine::{Replayer, State, StepOutcome, StepVerdict};
use super::entra::Failure;
use super::model::CapturedRequest;
use super::send::describe;
use crate::client::{ClientError, RESERVED_HEADERS, ScimRequest};
use crate::persona::wire::{Space, encode_component};
use serde_json::Value;

/// Headers of the capture that the replaying connection writes itself.
const CONNECTION_HEADERS: [&str; 2] = ["Authorization", "Connection"];

/// Default headers of the client that a captured request only carries when the capture had them.
const CLIENT_DEFAULTS: [&str; 2] = ["Accept", "User-Agent"];

/// Where a variable is written.
#[derive(Clone, Copy)]
enum Place {
    Path,
    Query,
    Body,
}

/// `text` with each `${name}` replaced by its id as `place` needs it; `Err` names a variable with no id yet.
fn fill(text: &str, state: &State, place: Place) -> Result<String, String> {
    let mut out = text.to_owned();
    for name in super::model::variables_in(text) {
        let Some((_, id)) = state.variables.get(name) else {
            return Err(format!("needs ${{{name}}}, the id of a create that did not succeed earlier in this replay"));
        };
        let written = match place {
            Place::Path => crate::ledger::segment(id),
            Place::Query => encode_component(id, Space::Percent20),
            Place::Body => json_escaped(id),
        };
        out = out.replace(&format!("${{{name}}}"), &written);
    }
    Ok(out)
}

/// `text` as it stands inside a JSON string: escaped as JSON escapes it, without the quotes.
pub(super) fn json_escaped(text: &str) -> String {
    let quoted = Value::String(text.to_owned()).to_string();
    quoted[1..quoted.len() - 1].to_owned()
}

/// The collection a captured path addresses (`/Users` of `/Users/${user-1}`).
fn collection(path: &str) -> &str {
    let rest = path.strip_prefix('/').unwrap_or(path);
    let end = rest.find('/').map_or(path.len(), |i| i + 1);
    &path[..end]
}

/// The request to send: the capture with the ids filled in, the client's defaults the capture lacked left out.
fn request(r: &CapturedRequest, state: &State) -> Result<ScimRequest, String> {
    let method = reqwest::Method::from_bytes(r.method.as_bytes())
        .map_err(|_| format!("{:?} is not an HTTP method", r.method))?;
    let mut req = ScimRequest::new(method, fill(&r.path, state, Place::Path)?);
    req.raw_query = r.query.as_deref().map(|q| fill(q, state, Place::Query)).transpose()?;
    let headers = r.header_pairs()?;
    for default in CLIENT_DEFAULTS {
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(default)) {
            req = req.without(default);
        }
    }
    for (name, value) in headers {
        let owned = RESERVED_HEADERS.iter().chain(&CONNECTION_HEADERS).any(|h| h.eq_ignore_ascii_case(&name));
        if !owned {
            req.headers.push((name, value));
        }
    }
    req.body = r.body.as_deref().map(|b| fill(b, state, Place::Body)).transpose()?.map(String::into_bytes);
    Ok(req)
}

impl Replayer {
    /// Sends one captured request and judges its status; a create's id becomes the step's variable (recorded in
    /// the ledger, so cleanup deletes it), and a successful DELETE of one takes it off the cleanup list.
    pub(super) async fn captured(&self, state: &mut State, r: &CapturedRequest, mut o: StepOutcome) -> StepOutcome {
        o.persona = "captured";
        let req = match request(r, state) {
            Ok(req) => req,
            Err(why) => {
                o.verdict = StepVerdict::Skip;
                o.reason = Some(format!("not sent: {why}"));
                return o;
            }
        };
        let target = match &req.raw_query {
            Some(q) => format!("{} {}?{q}", r.method, req.path),
            None => format!("{} {}", r.method, req.path),
        };
        let wanted = r.status.iter().map(u16::to_string).collect::<Vec<_>>().join(" or ");
        let resp = match self.client.send(req).await {
            Ok(resp) => resp,
            Err(ClientError::Refused(why)) => {
                o.verdict = StepVerdict::Skip;
                o.reason = Some(format!("not sent: {why}"));
                return o;
            }
            Err(e) => {
                let got = e.to_string();
                if let ClientError::Transport { exchange, .. } = e {
                    o.exchanges.push(*exchange);
                }
                o.verdict = StepVerdict::Fail;
                o.failure = Some(Failure::Request { status: None });
                o.reason = Some(format!("{target} got no answer ({got})"));
                o.expected = Some(wanted);
                o.actual = Some(got);
                return o;
            }
        };
        o.exchanges.extend(resp.retried.iter().cloned());
        o.exchanges.push(resp.exchange.clone());
        if !r.status.contains(&resp.status) {
            o.verdict = StepVerdict::Fail;
            o.failure = Some(Failure::Request { status: Some(resp.status) });
            o.reason = Some(format!(
                "{target}: the client got {wanted} when this request was captured; this server answered {}",
                describe(&resp)
            ));
            o.expected = Some(wanted);
            o.actual = Some(describe(&resp));
            return o;
        }
        let ledger = self.ledger();
        if let Some(name) = &r.capture_id {
            let Some(id) = resp.body_json().get("id").and_then(Value::as_str).map(str::to_owned) else {
                o.verdict = StepVerdict::Fail;
                o.failure = Some(Failure::Request { status: Some(resp.status) });
                o.reason = Some(format!("{target}: the answer carries no id, so ${{{name}}} cannot be filled in"));
                o.expected = Some(format!("{wanted} with the created resource and its id"));
                o.actual = Some(describe(&resp));
                return o;
            };
            let collection = collection(&r.path).to_owned();
            if let Err(defect) = ledger.record(&collection, &id) {
                o.verdict = StepVerdict::Fail;
                o.failure = Some(Failure::Request { status: Some(resp.status) });
                o.reason = Some(defect.to_string());
                o.expected = Some("a unique id usable as one URL path segment (RFC 7643 section 3.1)".into());
                o.actual = Some(format!("id {id:?}"));
                return o;
            }
            match collection.to_ascii_lowercase().as_str() {
                "/users" => self.register_user(&id),
                "/groups" => self.register_group(&id),
                _ => {}
            }
            state.variables.insert(name.clone(), (collection, id));
        }
        if r.method == "DELETE"
            && let [only] = super::model::variables_in(&r.path).as_slice()
            && r.path == format!("{}/${{{only}}}", collection(&r.path))
            && let Some((collection, id)) = state.variables.get(*only)
        {
            ledger.forget(collection, id);
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(vars: &[(&str, &str)]) -> State {
        let mut s = State::default();
        for (n, id) in vars {
            s.variables.insert((*n).to_owned(), ("/Users".to_owned(), (*id).to_owned()));
        }
        s
    }

    #[test]
    fn ids_are_written_as_each_place_needs_them() {
        let s = state(&[("user-1", "a b/\"c")]);
        assert_eq!(fill("/Users/${user-1}", &s, Place::Path).expect("filled"), "/Users/a%20b%2F%22c");
        assert_eq!(
            fill("filter=id+eq+%22${user-1}%22", &s, Place::Query).expect("filled"),
            "filter=id+eq+%22a%20b%2F%22c%22"
        );
        assert_eq!(fill(r#"{"value":"${user-1}"}"#, &s, Place::Body).expect("filled"), r#"{"value":"a b/\"c"}"#);
        assert!(fill("/Users/${user-2}", &s, Place::Path).expect_err("unknown variable").contains("${user-2}"));
        assert_eq!(fill("cost ${ and ${not a name}", &s, Place::Body).expect("filled"), "cost ${ and ${not a name}");
    }

    #[test]
    fn the_capture_goes_out_as_written_without_connection_headers() {
        let r = CapturedRequest {
            method: "PATCH".into(),
            path: "/Users/${user-1}".into(),
            query: None,
            headers: vec![
                "Authorization: Bearer [redacted]".into(),
                "Content-Type: application/scim+json; charset=utf-8".into(),
                "Content-Length: 12".into(),
                "User-Agent: Okta SCIM Client 1.0.0".into(),
            ],
            body: Some(r#"{"Operations":[]}"#.into()),
            status: vec![200],
            capture_id: None,
        };
        let req = request(&r, &state(&[("user-1", "42")])).expect("filled");
        assert_eq!(req.path, "/Users/42");
        assert_eq!(
            req.headers,
            vec![
                ("Content-Type".to_owned(), "application/scim+json; charset=utf-8".to_owned()),
                ("User-Agent".to_owned(), "Okta SCIM Client 1.0.0".to_owned()),
            ]
        );
        assert_eq!(req.omit_headers, vec!["Accept".to_owned()]);
        assert_eq!(req.body.as_deref(), Some(br#"{"Operations":[]}"#.as_slice()));
        assert_eq!(collection("/Users/${user-1}"), "/Users");
        assert_eq!(collection("/Groups"), "/Groups");
    }
}
