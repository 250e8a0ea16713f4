//! Helpers shared by the resource checks (create, read, replace, delete, schema rules, Groups, the enterprise
//! extension, errors, HTTP, authentication): raw requests that still register whatever they create, the
//! comparison of what was sent with what came back, and small accessors over server JSON.
//!
//! Checks that judge a create itself (or expect it refused) cannot go through [`Ctx::create`], which turns any
//! refusal into a skip; [`post`] sends the request as it is and still hands every resource the server reports
//! created to the run's cleanup, so a server that wrongly accepts a request never keeps the result.

use crate::check::Outcome;
use crate::ctx::{Created, Ctx, Kind, describe, id_defect, name_of};
use reqwest::Method;
use scimlab_mock_idp::{ScimRequest, ScimResponse};
use serde_json::{Map, Value};

/// POSTs `body` to the collection of `kind` as it is, and registers whatever the server reports created for
/// cleanup.
pub async fn post(ctx: &Ctx, kind: Kind, body: &Value) -> Result<ScimResponse, Outcome> {
    let path = ctx.run.path(kind).to_owned();
    post_request(ctx, kind, ScimRequest::json(Method::POST, &path, body)).await
}

/// Sends a create request built by the caller (custom headers or a raw body), and registers whatever the server
/// reports created for cleanup: the `id` of a 2xx body, or the last segment of its `Location` when the body is
/// empty. A body naming a resource without this run's prefix is never adopted, so a server that answers a
/// create with some existing resource cannot make the run delete it. An id scimlab will not use (not one path
/// segment, or handed out before) fails the check.
pub async fn post_request(ctx: &Ctx, kind: Kind, req: ScimRequest) -> Result<ScimResponse, Outcome> {
    let name = req.body.as_deref().and_then(|b| serde_json::from_slice::<Value>(b).ok()).map(|b| name_of(&b));
    let r = ctx.send(req).await?;
    if (200..300).contains(&r.status) {
        match created_id(ctx, &r) {
            Some(id) => {
                ctx.adopt(kind, &id).map_err(|d| id_defect(&d))?;
            }
            None => ctx.run.ledger.orphan(name.as_deref().unwrap_or("(unnamed)")),
        }
    }
    Ok(r)
}

fn created_id(ctx: &Ctx, r: &ScimResponse) -> Option<String> {
    match r.json.as_ref().and_then(Value::as_object) {
        Some(body) => {
            let ours = ["userName", "displayName"]
                .iter()
                .filter_map(|n| text(body, n))
                .any(|name| name.to_ascii_lowercase().starts_with(&ctx.run.prefix.to_ascii_lowercase()));
            text(body, "id").filter(|id| ours && !id.is_empty()).map(str::to_owned)
        }
        None => r
            .header("location")
            .filter(|l| ctx.run.client.same_origin(&absolute(ctx, l)))
            .and_then(|l| l.split(['?', '#']).next())
            .and_then(|l| l.trim_end_matches('/').rsplit('/').next())
            .filter(|id| !id.is_empty())
            .map(percent_decode),
    }
}

/// The resource a successful raw create made, as [`Ctx::create`] would have returned it; `None` when the
/// response names no id.
pub fn created_from(ctx: &Ctx, kind: Kind, r: &ScimResponse) -> Option<Created> {
    let id = created_id(ctx, r)?;
    // Only what the ledger holds may be aimed at (post_request recorded it, or failed the check).
    if !ctx.run.owns(&id) {
        return None;
    }
    Some(Created {
        kind,
        path: scimlab_mock_idp::ledger::item_path(ctx.run.path(kind), &id).ok()?,
        id,
        body: r.json.clone().unwrap_or(Value::Null),
        etag: r.header("etag").map(str::to_owned),
    })
}

/// A URL a server gave (Location, meta.location) as something [`Ctx::get`] can fetch: absolute URLs as they
/// are, and an absolute path resolved against the origin of the base URL (RFC 7231 section 7.1.2 allows a
/// relative Location).
pub fn absolute(ctx: &Ctx, url: &str) -> String {
    if url.starts_with("http://") || url.starts_with("https://") || !url.starts_with('/') {
        return url.to_owned();
    }
    let base = ctx.run.client.base_url();
    let origin_end = base.find("://").and_then(|i| base[i + 3..].find('/').map(|j| i + 3 + j)).unwrap_or(base.len());
    format!("{}{url}", &base[..origin_end])
}

/// A Location's last segment as the id it names.
fn percent_decode(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment).decode_utf8_lossy().into_owned()
}

/// Whether a URL a server gave (Location, meta.location, `$ref`) is on the origin of the base URL: the only one
/// scimlab sends requests to. An `Outcome` failure naming it otherwise (RFC 7644 section 3.1: it is the resource's
/// URI at this service provider).
pub fn on_our_origin(ctx: &Ctx, what: &str, url: &str) -> Result<String, Outcome> {
    let abs = absolute(ctx, url);
    if ctx.run.client.same_origin(&abs) {
        Ok(abs)
    } else {
        Err(Outcome::fail(
            format!("{what} on the origin of the base URL ({})", ctx.run.client.base_url()),
            format!("{what} is {url}; scimlab does not follow URLs to another origin"),
        ))
    }
}

/// A string member of an object, looked up without regard to case (RFC 7643 section 2.1).
pub fn text<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    scimlab_protocol::json::get_ci(obj, name).and_then(Value::as_str)
}

/// The value at a path of member names, each looked up without regard to case: `at(v, &["meta", "location"])`.
pub fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |cur, name| cur.as_object().and_then(|o| scimlab_protocol::json::get_ci(o, name)))
}

/// The string at a path of member names (see [`at`]).
pub fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(v, path).and_then(Value::as_str)
}

/// `value` nested under a path of member names: `nested(&["name", "givenName"], v)` is `{"name": {"givenName": v}}`.
pub fn nested(path: &[&str], value: Value) -> Value {
    path.iter().rev().fold(value, |inner, name| {
        let mut m = Map::new();
        m.insert((*name).to_owned(), inner);
        Value::Object(m)
    })
}

/// Whether the value at `path` carries data (RFC 7643 section 2.5: null, "" and [] do not).
pub fn has_value(v: &Value, path: &[&str]) -> bool {
    at(v, path).is_some_and(scimlab_protocol::json::is_present)
}

/// A value for failure messages: the JSON text, cut to 200 characters.
pub fn show(v: Option<&Value>) -> String {
    match v {
        None => "absent".to_owned(),
        Some(v) => {
            let s = v.to_string();
            let cut: String = s.chars().take(200).collect();
            if cut.len() < s.len() { format!("{cut}...") } else { cut }
        }
    }
}

/// Whether everything in `sent` comes back in `got`: every member of an object (names compared without regard
/// to case; a `null` sent means "no value" and is skipped), every element of an array matched by some element
/// of the returned array, and every scalar equal (strings exactly, so case changes count). Extra members and
/// elements the server adds are fine. `Err` names the first thing that did not come back.
pub fn contains(sent: &Value, got: &Value, path: &str) -> Result<(), String> {
    match (sent, got) {
        (Value::Object(s), Value::Object(g)) => {
            for (k, v) in s {
                if v.is_null() {
                    continue;
                }
                let here = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                match scimlab_protocol::json::get_ci(g, k) {
                    Some(gv) => contains(v, gv, &here)?,
                    None => return Err(format!("{here} is missing (sent {})", show(Some(v)))),
                }
            }
            Ok(())
        }
        (Value::Array(s), Value::Array(g)) => {
            for (i, v) in s.iter().enumerate() {
                if !g.iter().any(|gv| contains(v, gv, "").is_ok()) {
                    return Err(format!("{path}[{i}] {} has no match among {}", show(Some(v)), show(Some(got))));
                }
            }
            Ok(())
        }
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => Ok(()),
        (s, g) if s == g => Ok(()),
        (s, g) => Err(format!("{path} is {} (sent {})", show(Some(g)), show(Some(s)))),
    }
}

/// `value`s of a Group's `members`.
pub fn member_ids(group: &Value) -> Vec<String> {
    at(group, &["members"])
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|m| str_at(m, &["value"])).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// `value`s of a User's `groups`.
pub fn group_ids(user: &Value) -> Vec<String> {
    at(user, &["groups"])
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|m| str_at(m, &["value"])).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// PUTs `body` to a created resource.
pub async fn put(ctx: &Ctx, created: &Created, body: &Value) -> Result<ScimResponse, Outcome> {
    ctx.send(ScimRequest::json(Method::PUT, &created.path, body)).await
}

/// The body to PUT for a created resource: its current representation (read back fresh) without `meta`, with
/// `changes` merged in (a `null` change removes the member from the body, so the attribute is omitted).
pub async fn replacement(ctx: &Ctx, created: &Created, changes: Value) -> Result<Value, Outcome> {
    let mut body = ctx.read_back(created).await?;
    let Some(obj) = body.as_object_mut() else {
        return Err(Outcome::Skip(format!("prerequisite failed: GET {} did not return an object", created.path)));
    };
    scimlab_protocol::json::remove_ci(obj, "meta");
    if let Value::Object(ch) = changes {
        for (k, v) in ch {
            scimlab_protocol::json::remove_ci(obj, &k);
            if !v.is_null() {
                obj.insert(k, v);
            }
        }
    }
    Ok(body)
}

/// `Ok(())` for a 2xx answer, else the failure naming the request.
pub fn success(r: &ScimResponse, what: &str) -> Result<(), Outcome> {
    if (200..300).contains(&r.status) {
        Ok(())
    } else {
        Err(Outcome::fail(format!("{what} succeeds (2xx)"), format!("{what} answered {}", describe(r))))
    }
}

/// The ids a filtered list query returns and its `totalResults`, or the failure naming the request.
pub async fn query_ids(ctx: &Ctx, kind: Kind, filter: &str) -> Result<(u64, Vec<String>), Outcome> {
    let path = ctx.run.path(kind).to_owned();
    let r = ctx.send(ScimRequest::get(&path).query("filter", filter)).await?;
    let what = format!("GET {path}?filter={filter}");
    super::support::status(&r, 200, &what)?;
    let body = r.body_json();
    let total = at(body, &["totalResults"]).and_then(Value::as_u64).ok_or_else(|| {
        Outcome::fail(format!("{what} returns a ListResponse with totalResults"), super::support::excerpt(&r.text()))
    })?;
    let ids = at(body, &["Resources"])
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|m| str_at(m, &["id"])).map(str::to_owned).collect())
        .unwrap_or_default();
    Ok((total, ids))
}
