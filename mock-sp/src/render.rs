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
    if kind == Kind::User && !crate::resource_faults::hides_user_groups(st) {
        let groups = st.store.groups_of(&record.id)?;
        if !groups.is_empty() {
            let base = record
                .resource
                .pointer("/meta/location")
                .and_then(Value::as_str)
                .and_then(|l| l.rsplit_once("/Users/").map(|(b, _)| b.to_owned()))
                .unwrap_or_default();
            let list: Vec<Value> = groups
                .into_iter()
                .map(|(id, name)| json!({"value": id, "$ref": format!("{base}/Groups/{id}"), "display": name, "type": "direct"}))
                .collect();
            if let Some(o) = v.as_object_mut() {
                o.insert("groups".into(), Value::Array(list));
            }
        }
    }
    Ok(v)
}

/// The `attributes` / `excludedAttributes` of a query, as a projection for `kind`.
pub fn projection_from_pairs(st: &Shared, kind: Kind, pairs: &[(String, String)]) -> Result<Projection, ScimError> {
    let get = |name: &str| pairs.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
    Projection::parse(get("attributes"), get("excludedAttributes"), &st.view(kind))
}

/// One record rendered and projected per the request's query parameters.
pub fn project_one(st: &Shared, kind: Kind, record: &Record, pairs: &[(String, String)]) -> Result<Value, ScimError> {
    let projection = projection_from_pairs(st, kind, pairs)?;
    Ok(projection.apply(&render(st, kind, record)?))
}
