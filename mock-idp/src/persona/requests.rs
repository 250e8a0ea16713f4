//! The persona's request builders for callers outside a plan: the conformance harness's IdP profile checks send
//! what a persona sends through these, so that a replay and a profile check cannot disagree about an IdP's wire
//! requests (DESIGN.md, "One IdP model"). A check that needs a request no intent produces (an import page, the
//! read of one resource, a PATCH op the lifecycle model has no intent for) builds it here, with the persona's
//! headers, casing and query encoding; everything else comes from [`Persona::plan`].

use super::users::patch_body;
use super::wire::{ID, PlannedBody, encode_component, over_fetched, substitute_query};
use super::{Expect, Idp, Persona, Planned};
use crate::client::ScimRequest;
use serde_json::Value;

impl Idp {
    /// The IdP's name as its vendor writes it ("Microsoft Entra ID"), for readiness lines and reports.
    pub fn display_name(self) -> &'static str {
        match self {
            Idp::Rfc => "RFC 7644 client",
            Idp::Entra => "Microsoft Entra ID",
            Idp::Okta => "Okta",
            Idp::OneLogin => "OneLogin",
            Idp::Google => "Google Workspace",
            Idp::JumpCloud => "JumpCloud",
            Idp::Ping => "PingFederate / PingOne",
        }
    }
}

impl Persona {
    /// A GET of `path` as this persona sends it: its headers, `raw_query` verbatim.
    pub fn get(&self, label: &'static str, path: impl Into<String>, raw_query: Option<String>) -> Planned {
        let mut p = self.request(label, "GET", path.into(), PlannedBody::None);
        p.raw_query = raw_query;
        p.expecting(Expect::Status { statuses: &[200] }, "")
    }

    /// A PATCH of `path` carrying `ops` in a PatchOp body, with this persona's headers. Spell the ops with
    /// [`Persona::op`] and [`Persona::boolean`] so that they keep the persona's casing and value shapes.
    pub fn patch(&self, label: &'static str, path: impl Into<String>, ops: Vec<Value>) -> Planned {
        self.request(label, "PATCH", path.into(), patch_body(ops))
            .expecting(Expect::Status { statuses: &[200, 204] }, "")
    }

    /// `filter=<filter>` encoded as this persona encodes lookups (`+` or `%20` for spaces), without its suffix.
    pub fn filter_query(&self, filter: &str) -> String {
        format!("filter={}", encode_component(filter, self.lookup.space))
    }

    /// The request to send for `planned`: method, path, query, the persona's headers and the body. `id` fills
    /// [`ID`] in the path (as one percent-encoded segment) and the query; `fetched` is the answer to the plan's
    /// GET, for a [`PlannedBody::OverFetched`] body.
    pub fn to_request(&self, planned: &Planned, id: Option<&str>, fetched: Option<&Value>) -> ScimRequest {
        let method = reqwest::Method::from_bytes(planned.method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let path = match id {
            Some(id) => planned.path.replace(ID, &crate::ledger::segment(id)),
            None => planned.path.clone(),
        };
        let mut req = ScimRequest::new(method, path);
        req.raw_query = planned.raw_query.as_ref().map(|q| match id {
            Some(id) => substitute_query(q, id, self.lookup.space),
            None => q.clone(),
        });
        for o in &planned.omit {
            req = req.without(o.clone());
        }
        for (k, v) in &planned.headers {
            req = req.header(k.clone(), v.clone());
        }
        req.body = planned.body_for(fetched).map(|b| b.to_string().into_bytes());
        req
    }
}

impl Planned {
    /// The JSON body as it goes on the wire: `fetched` stands in for the answer to the plan's GET when the body
    /// is [`PlannedBody::OverFetched`]. `None` without a body.
    pub fn body_for(&self, fetched: Option<&Value>) -> Option<Value> {
        match &self.body {
            PlannedBody::None => None,
            PlannedBody::Json(v) => Some(v.clone()),
            PlannedBody::OverFetched(overlay) => Some(over_fetched(fetched.unwrap_or(&Value::Null), overlay)),
        }
    }

    /// The same request sent to `path` (with its query) instead: for a caller that addresses resources by the
    /// paths it recorded rather than by the persona's `/Users/{id}`.
    pub fn at(mut self, path: impl Into<String>) -> Planned {
        self.path = path.into();
        self
    }

    /// The same request with this JSON body (a variant built from the persona's own body).
    pub fn with_body(mut self, body: Value) -> Planned {
        self.body = PlannedBody::Json(body);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::super::catalog::{ENTRA, OKTA};
    use serde_json::json;

    #[test]
    fn builders_carry_the_persona_headers_and_encoding() {
        let get = ENTRA.get("read", "/Users/1", None);
        assert!(get.omit.iter().any(|h| h == "Accept"));
        assert_eq!(ENTRA.filter_query("userName eq \"a b\""), "filter=userName+eq+%22a+b%22");
        assert_eq!(OKTA.filter_query("userName eq \"a b\""), "filter=userName%20eq%20%22a%20b%22");
        let patch = OKTA.patch("roles", "/Users/1", vec![json!({"op": OKTA.op("add"), "path": "x", "value": 1})]);
        let req = OKTA.to_request(&patch, None, None);
        assert!(req.headers.iter().any(|(k, v)| k == "User-Agent" && v == "Okta SCIM Client 1.0.0"));
        assert!(req.headers.iter().any(|(k, v)| k == "Content-Type" && v == "application/scim+json; charset=utf-8"));
    }
}
