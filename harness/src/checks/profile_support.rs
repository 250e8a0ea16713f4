//! What the Entra ID and Okta profile checks share: requests shaped exactly as each identity provider sends them
//! (headers, query encodings, bodies from `reference/idp-wire/`), fixtures built from those bodies, and the
//! judgements the IdPs make of the answers (a ListResponse they can read, a resource they can take an id from).
//!
//! Entra ID sends `Content-Type: application/scim+json; charset=utf-8` on writes and, on lookups, only its
//! `Authorization` header (no `Accept`), with filters form-encoded (`userName+eq+%22...%22`). Okta sends
//! `User-Agent: Okta SCIM Client 1.0.0`, `Accept: application/scim+json`, `Accept-Charset: utf-8` and the same
//! Content-Type, with filters percent-encoded (`%20`) and `startIndex=1&count=100` appended. Okta's
//! `Accept-Encoding: gzip,deflate` is left out on purpose: the harness's client does not inflate bodies, so a
//! server that honoured it would be misjudged.

use super::crud::{self, at};
use super::support::excerpt;
use crate::check::Outcome;
use crate::ctx::{Created, Ctx, Kind, describe};
use reqwest::Method;
use scimlab_mock_idp::{ScimRequest, ScimResponse};
use scimlab_protocol::list::{DeviationKind, ListResponse};
use scimlab_protocol::schema::{ENTERPRISE_USER_URN, GROUP_URN, PATCH_OP_URN, USER_URN};
use serde_json::{Value, json};

/// The Content-Type both IdPs put on request bodies.
pub const SCIM_JSON_UTF8: &str = "application/scim+json; charset=utf-8";
/// Okta's User-Agent (okta-blog-archive PR#1956).
pub const OKTA_USER_AGENT: &str = "Okta SCIM Client 1.0.0";
/// The extra schema URN Entra ID lists on group creates.
pub const ADSCIM_GROUP_URN: &str = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group";

/// Percent-encodes `s` as an HTML form does, the way Entra ID writes query values: unreserved characters stay,
/// a space becomes `+`, everything else `%XX`.
pub fn form_encode(s: &str) -> String {
    encode(s, "+")
}

/// Percent-encodes `s` the RFC 3986 way, as Okta writes query values (a space becomes `%20`).
pub fn pct_encode(s: &str) -> String {
    encode(s, "%20")
}

fn encode(s: &str, space: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else if b == b' ' {
            out.push_str(space);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A GET as Entra ID sends it: `raw_query` verbatim, the credential, no `Accept` header.
pub fn entra_get(path: &str, raw_query: Option<String>) -> ScimRequest {
    let mut r = ScimRequest::get(path).without("Accept");
    r.raw_query = raw_query;
    r
}

/// A write as Entra ID sends it: a JSON body with `Content-Type: application/scim+json; charset=utf-8`.
pub fn entra_write(method: Method, path: &str, body: &Value) -> ScimRequest {
    ScimRequest::json(method, path, body).header("Content-Type", SCIM_JSON_UTF8)
}

/// A GET as Okta sends it: `raw_query` verbatim, with Okta's User-Agent, Accept and Accept-Charset.
pub fn okta_get(path: &str, raw_query: Option<String>) -> ScimRequest {
    let mut r = ScimRequest::get(path)
        .header("User-Agent", OKTA_USER_AGENT)
        .header("Accept", "application/scim+json")
        .header("Accept-Charset", "utf-8");
    r.raw_query = raw_query;
    r
}

/// A write as Okta sends it: Okta's headers and `Content-Type: application/scim+json; charset=utf-8`.
pub fn okta_write(method: Method, path: &str, body: &Value) -> ScimRequest {
    ScimRequest::json(method, path, body)
        .header("Content-Type", SCIM_JSON_UTF8)
        .header("User-Agent", OKTA_USER_AGENT)
        .header("Accept", "application/scim+json")
        .header("Accept-Charset", "utf-8")
}

/// The identity provider a profile check speaks as: the one switch between Entra ID's requests and Okta's, for
/// the steps both profiles take the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Idp {
    /// Microsoft Entra ID.
    Entra,
    /// Okta.
    Okta,
}

impl Idp {
    /// A GET as this IdP sends it ([`entra_get`], [`okta_get`]).
    pub fn get(self, path: &str, raw_query: Option<String>) -> ScimRequest {
        match self {
            Idp::Entra => entra_get(path, raw_query),
            Idp::Okta => okta_get(path, raw_query),
        }
    }

    /// A write as this IdP sends it ([`entra_write`], [`okta_write`]).
    pub fn write(self, method: Method, path: &str, body: &Value) -> ScimRequest {
        match self {
            Idp::Entra => entra_write(method, path, body),
            Idp::Okta => okta_write(method, path, body),
        }
    }

    /// A [`fixture`] of `kind` made by POSTing `body` to its collection as this IdP does.
    pub async fn fixture(self, ctx: &Ctx, kind: Kind, body: &Value) -> Result<Created, Outcome> {
        fixture(ctx, kind, self.write(Method::POST, ctx.run.path(kind), body)).await
    }

    /// PATCHes `created` with `ops` as this IdP does; `Ok` for 200 or 204, the answers both IdPs accept.
    pub async fn patch(self, ctx: &Ctx, created: &Created, ops: Value) -> Result<(), Outcome> {
        let r = ctx.send(self.write(Method::PATCH, &created.path, &patch_op(ops))).await?;
        accepted(&r, &format!("PATCH {}", created.path))
    }

    /// GETs the `kind` collection with `query` (already encoded) as this IdP does, and reads the answer as it
    /// reads lists ([`read_list`]: Okta wants integer counts).
    pub async fn list(self, ctx: &Ctx, kind: Kind, query: String) -> Result<ListResponse, Outcome> {
        let path = ctx.run.path(kind);
        let what = format!("GET {path}?{query}");
        let r = ctx.send(self.get(path, Some(query))).await?;
        read_list(&r, &what, self == Idp::Okta)
    }
}

/// A PatchOp body with `operations`.
pub fn patch_op(operations: Value) -> Value {
    json!({"schemas": [PATCH_OP_URN], "Operations": operations})
}

/// Entra ID's filter lookup query: `filter=<attr>+eq+%22<value>%22`.
pub fn entra_eq(attr: &str, value: &str) -> String {
    format!("filter={}", form_encode(&format!("{attr} eq \"{value}\"")))
}

/// Okta's filter lookup query: `filter=<attr>%20eq%20%22<value>%22&startIndex=1&count=100`.
pub fn okta_eq(attr: &str, value: &str) -> String {
    format!("filter={}&startIndex=1&count=100", pct_encode(&format!("{attr} eq \"{value}\"")))
}

/// The User Entra ID creates on hire (idp-wire/entra/create_user_post.json, with the title, display name and
/// enterprise attributes of its attribute table), named from `name`: `userName` and the work email are
/// `<name>@Contoso.example`, in mixed case, to see whether they come back as sent. The enterprise part only when
/// the server has the extension.
pub fn entra_user(ctx: &Ctx, name: &str, external_id: &str) -> Value {
    let upn = format!("{name}@Contoso.example");
    let mut schemas = vec![json!(USER_URN)];
    let mut body = json!({
        "externalId": external_id,
        "userName": upn,
        "active": true,
        "displayName": "Joy Young",
        "title": "Tour Guide",
        "emails": [{"primary": true, "type": "work", "value": upn}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Joy Young", "familyName": "Young", "givenName": "Joy"},
        "roles": []
    });
    if ctx.run.enterprise {
        schemas.push(json!(ENTERPRISE_USER_URN));
        body[ENTERPRISE_USER_URN] = json!({"employeeNumber": "1001", "department": "Tour Operations"});
    }
    body["schemas"] = Value::Array(schemas);
    body
}

/// The User Okta creates on assignment (idp-wire/okta/create_user_post.json), with `userName` and email
/// `<name>@okta.example`, the password Okta sends when password sync is on, and `groups: []`.
pub fn okta_user(name: &str) -> Value {
    let login = format!("{name}@okta.example");
    json!({
        "schemas": [USER_URN],
        "userName": login,
        "name": {"givenName": "Test", "familyName": "User"},
        "emails": [{"primary": true, "value": login, "type": "work"}],
        "displayName": "Test User",
        "locale": "en-US",
        "externalId": format!("00u{}", uuid::Uuid::new_v4().simple()),
        "groups": [],
        "password": "1mz050nq-Scimlab",
        "active": true
    })
}

/// A Group body with a run-unique displayName and `extra` members merged in.
pub fn group(ctx: &Ctx, label: &str, extra: Value) -> (Value, String) {
    let name = ctx.unique(label);
    let mut body = json!({"schemas": [GROUP_URN], "displayName": name});
    crate::ctx::merge(&mut body, extra);
    (body, name)
}

/// Sends a create built as an IdP builds it; registers what it made for cleanup. `Ok` with the response, which
/// the caller judges.
pub async fn send_create(ctx: &Ctx, kind: Kind, req: ScimRequest) -> Result<ScimResponse, Outcome> {
    crud::post_request(ctx, kind, req).await
}

/// A fixture made with an IdP-shaped create: anything but a 2xx with an id is a skip (the create checks judge
/// creation itself).
pub async fn fixture(ctx: &Ctx, kind: Kind, req: ScimRequest) -> Result<Created, Outcome> {
    let path = req.path.clone();
    let r = send_create(ctx, kind, req).await?;
    match crud::created_from(ctx, kind, &r).filter(|_| (200..300).contains(&r.status)) {
        Some(c) => Ok(c),
        None => Err(Outcome::Skip(format!("prerequisite failed: POST {path} answered {}", describe(&r)))),
    }
}

/// `Ok` with the body of a create's answer when it is 201 with the created `noun` (`User`, `Group`) and a
/// non-empty id; the failure otherwise.
pub fn created_body<'r>(r: &'r ScimResponse, what: &str, noun: &str) -> Result<&'r Value, Outcome> {
    super::support::status(r, 201, what)?;
    let got = r.body_json();
    if crud::str_at(got, &["id"]).is_none_or(str::is_empty) {
        return Err(Outcome::fail(
            format!("{what} answers with the created {noun} and its id"),
            format!("the body is: {}", excerpt(&r.text())),
        ));
    }
    Ok(got)
}

/// Sends `body`, a Group create as `idp` builds it, and judges the answer: 201 with the created Group, its id,
/// and the displayName `name`.
pub async fn judge_group_create(ctx: &Ctx, idp: Idp, body: &Value, name: &str) -> Result<Outcome, Outcome> {
    let groups = ctx.run.path(Kind::Group).to_owned();
    let r = send_create(ctx, Kind::Group, idp.write(Method::POST, &groups, body)).await?;
    let got = created_body(&r, &format!("POST {groups}"), "Group")?;
    Ok(Outcome::check(
        crud::str_at(got, &["displayName"]) == Some(name),
        format!("the created Group is named {name:?}"),
        format!("displayName is {}", crud::show(at(got, &["displayName"]))),
    ))
}

/// Reads `created` back and judges that its displayName is `name` (after a rename).
pub async fn named(ctx: &Ctx, created: &Created, name: &str) -> Result<Outcome, Outcome> {
    let got = ctx.read_back(created).await?;
    Ok(Outcome::check(
        crud::str_at(&got, &["displayName"]) == Some(name),
        format!("displayName is {name:?}"),
        format!("displayName is {}", crud::show(at(&got, &["displayName"]))),
    ))
}

/// A string member of the body a fixture was created from; its absence is the harness's own fault.
pub fn sent<'a>(body: &'a Value, path: &[&str]) -> Result<&'a str, Outcome> {
    crud::str_at(body, path)
        .ok_or_else(|| Outcome::Error(format!("harness: the fixture body has no {}", path.join("."))))
}

/// `Ok` for a 2xx answer to a prerequisite step; otherwise the check is skipped.
pub fn prerequisite(r: &ScimResponse, what: &str) -> Result<(), Outcome> {
    if (200..300).contains(&r.status) {
        Ok(())
    } else {
        Err(Outcome::Skip(format!("prerequisite failed: {what} answered {}", describe(r))))
    }
}

/// Reads a query's answer as the IdP does: 200 with a ListResponse (schemas listing the ListResponse URN, a
/// `Resources` array whenever something matched). With `integers`, Okta's reading: `totalResults`,
/// `startIndex` and `itemsPerPage` present and JSON integers.
pub fn read_list(r: &ScimResponse, what: &str, integers: bool) -> Result<ListResponse, Outcome> {
    if r.status != 200 {
        return Err(Outcome::fail(format!("{what} answers 200 with a ListResponse"), describe(r)));
    }
    let (list, deviations) = ListResponse::read(r.body_json()).map_err(|e| {
        Outcome::fail(format!("{what} answers a ListResponse"), format!("{}: {}", e.detail, excerpt(&r.text())))
    })?;
    let fatal = deviations.iter().find(|d| match &d.kind {
        DeviationKind::WrongSchema => true,
        DeviationKind::Missing => integers || d.member == "Resources",
        DeviationKind::IntegerAsString => integers,
        _ => false,
    });
    match fatal {
        Some(d) => Err(Outcome::fail(
            if integers {
                format!("{what} answers a ListResponse with integer totalResults, startIndex and itemsPerPage")
            } else {
                format!("{what} answers a ListResponse (schemas, totalResults, Resources)")
            },
            d.to_string(),
        )),
        None => Ok(list),
    }
}

/// The ids of listed resources, in order.
pub fn ids(resources: &[Value]) -> Vec<String> {
    resources.iter().filter_map(|r| crud::str_at(r, &["id"])).map(str::to_owned).collect()
}

/// `Ok` when the list holds exactly the resources `want` (by id), each once.
pub fn exactly(list: &ListResponse, want: &[&Created], what: &str) -> Result<(), Outcome> {
    let mut got = ids(&list.resources);
    got.sort();
    let mut expected: Vec<String> = want.iter().map(|c| c.id.clone()).collect();
    expected.sort();
    if got == expected && list.total_results == want.len() {
        return Ok(());
    }
    Err(Outcome::fail(
        format!("{what} returns exactly {} (totalResults {})", expected.join(", "), want.len()),
        format!("totalResults {}, ids [{}]", list.total_results, got.join(", ")),
    ))
}

/// The verdict on a lookup that must match nothing: totalResults 0 and no Resources.
pub fn no_match(list: &ListResponse) -> Outcome {
    Outcome::check(
        list.total_results == 0 && list.resources.is_empty(),
        "totalResults 0 and no Resources",
        format!("totalResults {} with {} resources", list.total_results, list.resources.len()),
    )
}

/// The verdict on a lookup of the disabled user `user`: exactly that user (`what` names the lookup), shown with
/// active false.
pub fn listed_inactive(list: &ListResponse, user: &Created, what: &str) -> Result<Outcome, Outcome> {
    exactly(list, &[user], what)?;
    let first = list.resources.first();
    Ok(Outcome::check(
        first.and_then(active) == Some(false),
        "the lookup shows the user with active false",
        format!("active is {}", first.map_or("absent".into(), show_active)),
    ))
}

/// `active` of a representation, when it is a boolean.
pub fn active(v: &Value) -> Option<bool> {
    at(v, &["active"]).and_then(Value::as_bool)
}

/// A representation's `active` for failure messages.
pub fn show_active(v: &Value) -> String {
    crud::show(at(v, &["active"]))
}

/// `Ok` when a PATCH was accepted (200 or 204); otherwise the failure naming the request.
pub fn accepted(r: &ScimResponse, what: &str) -> Result<(), Outcome> {
    super::support::status_in(r, &[200, 204], what)
}

/// `Ok` when `got` at `path` is the string `want`; the failure names the attribute otherwise.
pub fn expect_str(got: &Value, path: &[&str], want: &str, what: &str) -> Result<(), Outcome> {
    match crud::str_at(got, path) {
        Some(s) if s == want => Ok(()),
        _ => Err(Outcome::fail(
            format!("{what}: {} is {want:?}", path.join(".")),
            format!("{} is {}", path.join("."), crud::show(at(got, path))),
        )),
    }
}

/// The elements of a multi-valued attribute of `v` whose `type` is `kind` (case-insensitively).
pub fn typed<'a>(v: &'a Value, attr: &str, kind: &str) -> Vec<&'a Value> {
    at(v, &[attr])
        .and_then(Value::as_array)
        .map(|a| {
            a.iter().filter(|e| crud::str_at(e, &["type"]).is_some_and(|t| t.eq_ignore_ascii_case(kind))).collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_match_the_captured_requests() {
        // idp-wire/entra/test_connection_get.json and okta/user_lookup_get.json.
        assert_eq!(entra_eq("userName", "7d420df3"), "filter=userName+eq+%227d420df3%22");
        assert_eq!(
            okta_eq("userName", "test.user@okta.local"),
            "filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100"
        );
        assert_eq!(form_encode("displayName eq \"TEST\""), "displayName+eq+%22TEST%22");
    }
}
