//! How a stored resource is shown to a client: the User's derived `groups`, then the projection the request
//! asked for (RFC 7644 section 3.4.2.5 and 3.9; RFC 7643 section 7 `returned`).

use crate::state::Shared;
use crate::store::{Kind, Record};
use scimlab_protocol::ScimError;
use scimlab_protocol::projection::Projection;
use serde_json::{Value, json};

/// The full representation of a stored record. Users get their readOnly `groups` (RFC 7643 section 4.1.2),
/// derived from the Groups that list them, so it can never disagree with membership.
pub fn render(st: &Shared, kind: Kind, record: &Record) -> Result<Value, ScimError> {
    let mut v = (*record.resource).clone();
    if let (Some(list), Some(o)) = (user_groups(st, kind, record)?, v.as_object_mut()) {
        o.insert("groups".into(), list);
    }
    Ok(v)
}

/// A User's derived `groups` (RFC 7643 section 4.1.2), `None` for a Group or a User in no group.
fn user_groups(st: &Shared, kind: Kind, record: &Record) -> Result<Option<Value>, ScimError> {
    if kind != Kind::User || crate::faults::resource::hides_user_groups(st) {
        return Ok(None);
    }
    let groups = st.store.groups_of(&record.id)?;
    if groups.is_empty() {
        return Ok(None);
    }
    let base = record
        .resource
        .pointer("/meta/location")
        .and_then(Value::as_str)
        .and_then(|l| l.rsplit_once("/Users/").map(|(b, _)| b.to_owned()))
        .unwrap_or_default();
    let list: Vec<Value> = groups
        .into_iter()
        .map(
            |(id, name)| json!({"value": id, "$ref": format!("{base}/Groups/{id}"), "display": name, "type": "direct"}),
        )
        .collect();
    Ok(Some(Value::Array(list)))
}

/// `projection.apply(&render(..))` without copying the whole stored resource first (a hot path: every GET,
/// PATCH and list result). The projection keeps or drops each top-level attribute on its own, so the stored
/// resource is projected as it is and the derived `groups` is projected alone and set where `render` puts it.
pub fn project(st: &Shared, kind: Kind, record: &Record, projection: &Projection) -> Result<Value, ScimError> {
    let mut out = projection.apply(&record.resource);
    if let Some(list) = user_groups(st, kind, record)? {
        let mut alone = serde_json::Map::with_capacity(1);
        alone.insert("groups".into(), list);
        if let (Some(o), Value::Object(mut shown)) = (out.as_object_mut(), projection.apply(&Value::Object(alone)))
            && let Some(g) = shown.shift_remove("groups")
        {
            o.insert("groups".into(), g);
        }
    }
    Ok(out)
}

/// The `attributes` / `excludedAttributes` of a query, as a projection for `kind`.
pub fn projection_from_pairs(st: &Shared, kind: Kind, pairs: &[(String, String)]) -> Result<Projection, ScimError> {
    let get = |name: &str| pairs.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
    Projection::parse(get("attributes"), get("excludedAttributes"), &st.view(kind))
}

/// One record rendered and projected per the request's query parameters.
pub fn project_one(st: &Shared, kind: Kind, record: &Record, pairs: &[(String, String)]) -> Result<Value, ScimError> {
    let projection = projection_from_pairs(st, kind, pairs)?;
    project(st, kind, record, &projection)
}
