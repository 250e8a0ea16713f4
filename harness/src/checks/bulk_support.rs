//! Sending BulkRequests and registering what they created for cleanup.
//!
//! A bulk POST creates resources the harness never sees an answer of its own for: their ids are only in the
//! BulkResponse's `location`s. Every id found there is registered with the run ([`RunShared::adopt`]) so the
//! cleanup deletes it, but only after a GET proves the resource carries this run's prefix: a server that reports
//! someone else's resource as a location must never make the harness delete it.
//!
//! [`RunShared::adopt`]: crate::ctx::RunShared::adopt

use crate::check::Outcome;
use crate::ctx::{Ctx, Kind};
use reqwest::Method;
use scimlab_mock_idp::{ScimRequest, ScimResponse};
use scimlab_protocol::bulk::BulkResponse;
use scimlab_protocol::schema::BULK_REQUEST_URN;
use serde_json::{Value, json};

/// The BulkRequest body for `operations`, with `failOnErrors` when given.
pub fn bulk_body(operations: Vec<Value>, fail_on_errors: Option<u32>) -> Value {
    let mut body = json!({"schemas": [BULK_REQUEST_URN], "Operations": operations});
    if let Some(n) = fail_on_errors {
        body["failOnErrors"] = json!(n);
    }
    body
}

/// POSTs a BulkRequest of `operations` to `/Bulk`, then registers every resource it reports created (see
/// [`adopt_created`]).
pub async fn send_bulk(
    ctx: &Ctx,
    operations: Vec<Value>,
    fail_on_errors: Option<u32>,
) -> Result<ScimResponse, Outcome> {
    let body = bulk_body(operations, fail_on_errors);
    send_bulk_body(ctx, &body).await
}

/// POSTs `body` to `/Bulk` as it is, then registers what the answer reports created.
pub async fn send_bulk_body(ctx: &Ctx, body: &Value) -> Result<ScimResponse, Outcome> {
    let r = ctx.send(ScimRequest::json(Method::POST, "/Bulk", body)).await?;
    adopt_created(ctx, &r).await?;
    Ok(r)
}

/// The collection and id a `location` names: `https://host/scim/v2/Users/abc` gives `(User, "abc")`, when the
/// collection is one of the run's.
pub fn located(ctx: &Ctx, location: &str) -> Option<(Kind, String)> {
    let abs = super::crud::absolute(ctx, location);
    if !ctx.run.client.same_origin(&abs) && (abs.starts_with("http://") || abs.starts_with("https://")) {
        return None;
    }
    let path = location.split(['?', '#']).next().unwrap_or("");
    let mut segments = path.trim_end_matches('/').rsplit('/');
    let id = segments.next().filter(|s| !s.is_empty())?;
    let collection = segments.next()?;
    [Kind::User, Kind::Group]
        .into_iter()
        .find(|k| ctx.run.path(*k).trim_matches('/').eq_ignore_ascii_case(collection))
        .map(|k| (k, percent_encoding::percent_decode_str(id).decode_utf8_lossy().into_owned()))
}

/// Registers for cleanup each resource a BulkResponse reports created (a 2xx POST with a location), after a GET
/// of it shows this run's prefix in its userName or displayName. A response that is not a readable BulkResponse
/// registers nothing (the cleanup's prefix sweep still finds anything created).
pub async fn adopt_created(ctx: &Ctx, r: &ScimResponse) -> Result<(), Outcome> {
    let Ok(resp) = BulkResponse::from_json(r.body_json()) else { return Ok(()) };
    for op in resp.operations {
        let created = (200..300).contains(&op.status) && op.method == scimlab_protocol::bulk::BulkMethod::Post;
        let Some((kind, id)) = op.location.as_deref().filter(|_| created).and_then(|l| located(ctx, l)) else {
            continue;
        };
        if ctx.run.owns(&id) {
            continue;
        }
        let Ok(path) = scimlab_mock_idp::ledger::item_path(ctx.run.path(kind), &id) else { continue };
        let got = ctx.get(&path).await?;
        let name = match kind {
            Kind::User => "userName",
            Kind::Group => "displayName",
        };
        let ours = got.body_json().get(name).and_then(Value::as_str).is_some_and(|n| n.starts_with(&ctx.run.prefix));
        if got.status == 200 && ours {
            ctx.adopt(kind, &id).map_err(|d| crate::ctx::id_defect(&d))?;
        }
    }
    Ok(())
}
