//! The resource deviations (`--fault readonly-not-ignored`, `put-noop`, `delete-noop`, `schema-error-500`,
//! `read-as-list`, `no-405`, `plain-json-refused`, ...): how the create / read / replace / delete handlers, the
//! rendering of a resource and the error bodies bend RFC 7643 sections 2 to 4 and RFC 7644 sections 2, 3.1 to
//! 3.6 and 3.12 when told to, so that the harness can show each check of those sections failing.
//!
//! Each function is the identity (or the correct behaviour) unless its deviation is on; the handlers call them
//! at one point each, and check the one-line deviations (`no-location`, `create-200`, ...) themselves. Every
//! deviation breaks one rule and leaves the rest of the server correct.

use crate::state::Shared;
use crate::store::{Indexed, Kind, Record};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use scimlab_protocol::schema::{ENTERPRISE_USER_URN, LIST_RESPONSE_URN, ResourceView};
use scimlab_protocol::{ScimError, ScimType};
use serde_json::{Map, Value, json};

family! {
    /// The deviations of the create / read / replace / delete handlers and of the representation of a resource.
    pub enum Resource {
        /// No ETags.
        NoEtag = "no-etag": "no ETag header and no meta.version (while the ServiceProviderConfig says etag is supported)",
        /// No Location on create.
        NoLocation = "no-location": "create answers 201 without a Location header",
        /// Create answers 200.
        Create200 = "create-200": "create answers 200 instead of 201",
        /// Create answers without a body.
        CreateEmptyBody = "create-empty-body": "create answers 201 with an empty body",
        /// Duplicate userNames accepted.
        NoUniqueness = "no-uniqueness": "a duplicate userName is answered 201 instead of 409 uniqueness (the duplicate is not stored)",
        /// Delete answers 200 with a body.
        Delete200 = "delete-200": "DELETE answers 200 with the deleted resource instead of 204",
        /// Unknown ids answer 200.
        NotFound200 = "not-found-200": "an unknown resource id is answered 200 with an empty object instead of 404",
        /// The password is returned.
        PasswordReturned = "password-returned": "the stored password is returned in User representations (returned: never)",
        /// userName compared case-exactly.
        CaseSensitiveUserName = "case-sensitive-username": "userName eq filters and uniqueness compare case-exactly (caseExact is false)",
        /// PUT merges.
        PutIgnoresOmitted = "put-ignores-omitted": "PUT merges into the resource: attributes the body omits are kept",
        /// If-None-Match ignored.
        IfNoneMatchIgnored = "if-none-match-ignored": "If-None-Match is ignored: GET with the current version answers 200, never 304",
        /// readOnly values stored.
        ReadonlyNotIgnored = "readonly-not-ignored": "readOnly attributes a client sends are stored instead of ignored: a POST keeps the client's id and groups, a PUT takes the body's id and groups",
        /// PUT changes nothing.
        PutNoop = "put-noop": "PUT answers 200 with the resource unchanged",
        /// DELETE keeps the resource.
        DeleteNoop = "delete-noop": "DELETE answers 204 but the resource stays (readable, listed, its userName taken)",
        /// Schema violations are 500.
        SchemaError500 = "schema-error-500": "a POST or PUT body that violates the schema (missing required attribute, wrong type) is answered 500 instead of 400",
        /// GET by id answers a list.
        ReadAsList = "read-as-list": "GET /{type}/{id} answers a ListResponse holding the resource instead of the resource",
        /// 404 where 405 belongs.
        No405 = "no-405": "a method a resource endpoint does not serve is answered 404 instead of 405",
        /// application/json refused.
        PlainJsonRefused = "plain-json-refused": "request bodies labelled Content-Type: application/json are refused with 415",
        /// User.groups missing.
        UserGroupsMissing = "user-groups-missing": "Users never show their groups, whatever their membership",
        /// Extension URN missing from schemas.
        ExtensionUrnUnlisted = "extension-urn-unlisted": "representations carrying enterprise extension attributes list only the core schema in schemas",
        /// Extension attributes dropped.
        ExtensionDropped = "extension-dropped": "enterprise extension attributes sent on create are accepted but not stored",
        /// Attribute names case-sensitive.
        AttributeNamesCaseSensitive = "attribute-names-case-sensitive": "a create or replace body whose attribute names differ in case from the schema's (USERNAME) is refused as unknown attributes",
        /// meta.version never changes.
        VersionFrozen = "version-frozen": "the ETag and meta.version stay the same whatever is written",
    }
}

/// `readonly-not-ignored`: whether readOnly values of a POST or PUT body are kept (RFC 7644 sections 3.3 and
/// 3.5.1 say they are ignored).
pub fn keeps_read_only(st: &Shared) -> bool {
    st.faults.has(Resource::ReadonlyNotIgnored)
}

/// `put-noop`: whether a PUT leaves the resource as it was.
pub fn put_is_noop(st: &Shared) -> bool {
    st.faults.has(Resource::PutNoop)
}

/// `delete-noop`: whether a DELETE leaves the resource in place.
pub fn delete_is_noop(st: &Shared) -> bool {
    st.faults.has(Resource::DeleteNoop)
}

/// `schema-error-500`: a schema violation of a POST or PUT body (RFC 7644 section 3.12: 400) answered as a
/// server failure.
pub fn schema_error(st: &Shared, e: ScimError) -> ScimError {
    if e.status == 400 && st.faults.has(Resource::SchemaError500) {
        ScimError::new(500, format!("internal server error while storing the resource ({})", e.detail))
    } else {
        e
    }
}

/// `read-as-list`: a GET by id answered as a ListResponse holding the resource (RFC 7644 section 3.4.1 answers
/// with the resource itself).
pub fn read_body(st: &Shared, body: Value) -> Value {
    if st.faults.has(Resource::ReadAsList) {
        json!({"schemas": [LIST_RESPONSE_URN], "totalResults": 1, "startIndex": 1, "itemsPerPage": 1, "Resources": [body]})
    } else {
        body
    }
}

/// `no-405`: the answer to a method a resource endpoint does not serve: 405 naming the methods that apply
/// (RFC 7231 section 6.5.5), or 404 under the deviation.
pub fn not_allowed(st: &Shared, allowed: &'static str) -> Response {
    if st.faults.has(Resource::No405) {
        crate::http::error_response(&ScimError::not_found("no such endpoint"))
    } else {
        crate::http::method_not_allowed(allowed)
    }
}

/// `plain-json-refused`: refuses a request body labelled `application/json`, which RFC 7644 section 3.8 says a
/// server should take like `application/scim+json`.
pub fn refuse_plain_json(st: &Shared, headers: &HeaderMap) -> Result<(), ScimError> {
    if !st.faults.has(Resource::PlainJsonRefused) {
        return Ok(());
    }
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if ct.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/json") {
        return Err(ScimError::new(415, "unsupported Content-Type application/json; send application/scim+json"));
    }
    Ok(())
}

/// `user-groups-missing`: whether a User's derived `groups` is left out (RFC 7643 section 4.1.2).
pub fn hides_user_groups(st: &Shared) -> bool {
    st.faults.has(Resource::UserGroupsMissing)
}

/// `extension-urn-unlisted`: takes the enterprise URN out of `schemas` of a representation that carries the
/// extension's attributes (RFC 7643 section 3: `schemas` lists every schema the representation uses).
pub fn unlist_extension(st: &Shared, body: &mut Map<String, Value>) {
    if !st.faults.has(Resource::ExtensionUrnUnlisted) {
        return;
    }
    if let Some(Value::Array(schemas)) = scimlab_protocol::json::get_ci_mut(body, "schemas") {
        schemas.retain(|u| u.as_str().is_none_or(|u| !u.eq_ignore_ascii_case(ENTERPRISE_USER_URN)));
    }
}

/// `extension-dropped`: removes the enterprise extension (its object and its URN) from a create body, so it is
/// accepted but not stored.
pub fn drop_extension(st: &Shared, body: &mut Value) {
    if !st.faults.has(Resource::ExtensionDropped) {
        return;
    }
    let Some(obj) = body.as_object_mut() else { return };
    scimlab_protocol::json::remove_ci(obj, ENTERPRISE_USER_URN);
    if let Some(Value::Array(schemas)) = scimlab_protocol::json::get_ci_mut(obj, "schemas") {
        schemas.retain(|u| u.as_str().is_none_or(|u| !u.eq_ignore_ascii_case(ENTERPRISE_USER_URN)));
    }
}

/// `attribute-names-case-sensitive`: refuses top-level attribute names spelled in another case than the
/// schema's (RFC 7643 section 2.1 makes them case-insensitive), as unknown attributes.
pub fn refuse_miscased_names(st: &Shared, body: &Value, view: &ResourceView<'_>) -> Result<(), ScimError> {
    if !st.faults.has(Resource::AttributeNamesCaseSensitive) {
        return Ok(());
    }
    let Some(obj) = body.as_object() else { return Ok(()) };
    for key in obj.keys().filter(|k| view.extension(k).is_none()) {
        if let Some(r) = view.resolve(None, key).filter(|r| r.attr.name != *key) {
            return Err(ScimError::invalid_syntax(format!(
                "unknown attribute {key:?} (attribute names are matched exactly here: {})",
                r.attr.name
            )));
        }
    }
    Ok(())
}

/// The ETag a server shows for a stored version: none with `no-etag`; with `--vary`, weak or strong, chosen per
/// version from the seed, so one version keeps one tag while clients meet both forms (RFC 7644 section 3.14
/// leaves the choice to the server).
pub fn etag_shown(st: &Shared, version: u64) -> Option<String> {
    if st.faults.has(Resource::NoEtag) {
        return None;
    }
    let version = if st.faults.has(Resource::VersionFrozen) { 1 } else { version };
    let weak = crate::store::etag_of(version);
    if st.config.vary && mix(st.dice.seed() ^ version) & 1 == 1 {
        return Some(weak.trim_start_matches("W/").to_owned());
    }
    Some(weak)
}

/// SplitMix64's finaliser: spreads a seed and a version over all bits.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Last touches to a projected representation of `record`: `meta.version` as [`etag_shown`] says (removed by
/// `no-etag`), the stored password put back by `password-returned`, and the enterprise URN taken out of
/// `schemas` by `extension-urn-unlisted`.
pub fn present(st: &Shared, record: &Record, body: &mut Value) {
    let Some(obj) = body.as_object_mut() else { return };
    let retag = st.config.vary || st.faults.has(Resource::NoEtag) || st.faults.has(Resource::VersionFrozen);
    if let Some(meta) = obj.get_mut("meta").and_then(Value::as_object_mut).filter(|_| retag) {
        match etag_shown(st, record.version) {
            Some(tag) if meta.contains_key("version") => {
                meta.insert("version".into(), Value::String(tag));
            }
            Some(_) => {}
            None => {
                meta.remove("version");
            }
        }
    }
    if st.faults.has(Resource::PasswordReturned) {
        let stored = record.resource.as_object().and_then(|o| scimlab_protocol::json::get_ci(o, "password"));
        if let Some(p) = stored {
            obj.insert("password".into(), p.clone());
        }
    }
    unlist_extension(st, obj);
    super::lifecycle::show_ghosts(st, record, obj);
}

/// `no-uniqueness` or `case-sensitive-username`: whether a create must keep a copy of the new resource, in case
/// the store refuses it as a duplicate.
pub fn keeps_duplicates(st: &Shared) -> bool {
    st.faults.has(Resource::NoUniqueness) || st.faults.has(Resource::CaseSensitiveUserName)
}

/// `no-uniqueness` and `case-sensitive-username` at create: turns the store's 409 uniqueness for `resource` into
/// a record answered as created. The stores enforce RFC 7643 uniqueness themselves and have no switch to turn it
/// off, so the duplicate is not stored: the client sees 201 with a fresh id (the broken rule the harness must
/// catch), and a later GET of that id is 404. `case-sensitive-username` accepts only names that differ from every
/// existing one in case alone.
pub fn unstored_duplicate(st: &Shared, err: ScimError, resource: Option<Value>) -> Result<Record, ScimError> {
    let Some(resource) = resource.filter(|_| err.scim_type == Some(ScimType::Uniqueness)) else {
        return Err(err);
    };
    let field = |v: &Value, name: &str| {
        v.as_object().and_then(|o| scimlab_protocol::json::get_ci(o, name)).and_then(Value::as_str).map(str::to_owned)
    };
    let name = field(&resource, "userName").unwrap_or_default();
    if !st.faults.has(Resource::NoUniqueness) {
        let same = st.store.find(Kind::User, Indexed::UserName, &name)?;
        if same.iter().any(|r| field(&r.resource, "userName").as_deref() == Some(name.as_str())) {
            return Err(err);
        }
    }
    Ok(unstored(resource))
}

/// A record answered as created but never stored: `resource` with its id, at version 0.
pub fn unstored(mut resource: Value) -> Record {
    let id = resource.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
    if let Some(meta) = resource.get_mut("meta").and_then(Value::as_object_mut) {
        meta.insert("version".into(), Value::String(crate::store::etag_of(0)));
    }
    Record { id, version: 0, resource: std::sync::Arc::new(resource) }
}

/// `case-sensitive-username`: whether a stored record's userName equals `wanted` exactly.
pub fn user_name_is(record: &Record, wanted: &str) -> bool {
    let obj = record.resource.as_object();
    obj.and_then(|o| scimlab_protocol::json::get_ci(o, "userName")).and_then(Value::as_str) == Some(wanted)
}
