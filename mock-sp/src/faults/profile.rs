//! The identity-provider deviations (`--fault inactive-hidden`, `readonly-refused`, `values-lowercased`, ...):
//! behaviours that RFC 7644 allows or leaves open, or that break it only a little, but that break Microsoft Entra
//! ID or Okta provisioning. The harness's profile checks (`profile/entra/...`, `profile/okta/...`) are shown to
//! fail against each.
//!
//! Each function is the identity (or the correct behaviour) unless its deviation is on; the handlers call them at
//! one point each. `manager-string-refused` and `filtered-replace-no-create` switch PATCH leniencies off in
//! [`patch_options`]; `patch-204` is one line in the PATCH handler.

use super::Faults;
use crate::state::Shared;
use crate::store::Record;
use scimlab_protocol::ScimError;
use scimlab_protocol::json::get_ci;
use scimlab_protocol::patch::PatchOptions;
use scimlab_protocol::schema::{Mutability, ResourceView};
use serde_json::Value;

family! {
    /// The deviations that break Microsoft Entra ID or Okta provisioning.
    pub enum Profile {
        /// Entra's bare-string manager refused.
        ManagerStringRefused = "manager-string-refused": "PATCH values giving a complex attribute as a bare string or a one-element array (Entra ID's manager \"id\") are refused with 400 invalidValue",
        /// Inactive users hidden.
        InactiveHidden = "inactive-hidden": "users with active false answer 404 by id and are left out of every query",
        /// PATCH answers 204.
        Patch204 = "patch-204": "PATCH answers 204 with no body, for Users too (the RFC allows it; Entra ID's validator wants 200 with the User)",
        /// Filtered replace does not create.
        FilteredReplaceNoCreate = "filtered-replace-no-create": "PATCH replace on emails[type eq \"work\"].value of a user without a work email answers 400 noTarget instead of creating it (Entra ID)",
        /// readOnly attributes refused.
        ReadonlyRefused = "readonly-refused": "a POST or PUT body carrying readOnly attributes other than id (groups, meta) is refused with 400 mutability instead of ignoring them",
        /// Values lower-cased.
        ValuesLowercased = "values-lowercased": "userName and email values are stored in lower case instead of as sent",
    }
}

/// The PATCH leniencies `base` less those the profile deviations refuse: `manager-string-refused` (a complex
/// attribute given as a bare string) and `filtered-replace-no-create` (a filtered replace that creates the value).
/// Part of [`super::write::patch_options`].
pub fn patch_options(f: &Faults, base: PatchOptions) -> PatchOptions {
    PatchOptions {
        scalar_for_complex: base.scalar_for_complex && !f.has(Profile::ManagerStringRefused),
        replace_creates_filtered: base.replace_creates_filtered && !f.has(Profile::FilteredReplaceNoCreate),
        ..base
    }
}

/// `inactive-hidden`: whether a stored User with `active` false is hidden from reads and queries, as servers
/// that "soft-delete" on deactivation do (Entra and Okta deactivate users and then read them back by id and by
/// filter).
pub fn hides(st: &Shared, record: &Record) -> bool {
    st.faults.has(Profile::InactiveHidden)
        && record.resource.as_object().and_then(|o| get_ci(o, "active")) == Some(&Value::Bool(false))
}

/// `readonly-refused`: refuses a create or replace body that carries top-level readOnly attributes other than
/// `id` (`groups`, `meta`), as strict servers do, instead of ignoring them (RFC 7644 sections 3.3 and 3.5.1).
/// Okta sends `groups: []` and Entra `meta: {resourceType}`.
pub fn refuse_read_only(st: &Shared, body: &Value, view: &ResourceView<'_>) -> Result<(), ScimError> {
    if !st.faults.has(Profile::ReadonlyRefused) {
        return Ok(());
    }
    let Some(obj) = body.as_object() else { return Ok(()) };
    let read_only = |key: &&String| {
        !key.eq_ignore_ascii_case("id")
            && !key.eq_ignore_ascii_case("schemas")
            && view
                .resolve(None, key)
                .is_some_and(|r| r.extension.is_none() && r.attr.mutability == Mutability::ReadOnly)
    };
    match obj.keys().find(read_only) {
        Some(key) => Err(ScimError::mutability(format!("{key} is readOnly and may not be sent"))),
        None => Ok(()),
    }
}

/// `values-lowercased`: stores `userName` and the `emails` values of a create body in lower case, where Entra ID
/// wants every value stored exactly as sent.
pub fn lowercase_values(st: &Shared, body: &mut Value) {
    if !st.faults.has(Profile::ValuesLowercased) {
        return;
    }
    let Some(obj) = body.as_object_mut() else { return };
    for (key, value) in obj.iter_mut() {
        if key.eq_ignore_ascii_case("userName") {
            lower(value);
        } else if key.eq_ignore_ascii_case("emails") {
            for email in value.as_array_mut().into_iter().flatten() {
                if let Some(v) = email.as_object_mut().and_then(|e| e.get_mut("value")) {
                    lower(v);
                }
            }
        }
    }
}

fn lower(v: &mut Value) {
    if let Value::String(s) = v {
        *s = s.to_lowercase();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ServerConfig;
    use crate::faults::Fault;
    use crate::state::AppState;
    use crate::store::MemoryStore;
    use serde_json::json;
    use std::sync::Arc;

    fn state(deviations: &[Profile]) -> AppState {
        let faults = deviations.iter().map(|&d| Fault::Deviation(d.into())).collect();
        AppState::new(Arc::new(MemoryStore::default()), ServerConfig { faults, ..ServerConfig::default() })
    }

    #[test]
    fn without_deviations_nothing_changes() {
        let app = state(&[]);
        let st = app.shared();
        let record = Record { id: "a".into(), version: 1, resource: Arc::new(json!({"active": false})) };
        assert!(!hides(st, &record));
        let body = json!({"userName": "A", "groups": [], "meta": {"resourceType": "User"}});
        assert!(refuse_read_only(st, &body, &st.registry.user()).is_ok());
        let mut copy = body.clone();
        lowercase_values(st, &mut copy);
        assert_eq!(copy, body);
    }

    #[test]
    fn each_deviation_bends_its_rule() {
        let app = state(&[Profile::InactiveHidden, Profile::ReadonlyRefused, Profile::ValuesLowercased]);
        let st = app.shared();
        let inactive = Record { id: "a".into(), version: 1, resource: Arc::new(json!({"Active": false})) };
        let active = Record { id: "b".into(), version: 1, resource: Arc::new(json!({"active": true})) };
        assert!(hides(st, &inactive) && !hides(st, &active));
        let view = st.registry.user();
        assert!(refuse_read_only(st, &json!({"id": "x", "userName": "a"}), &view).is_ok());
        let e = refuse_read_only(st, &json!({"userName": "a", "groups": []}), &view).expect_err("groups refused");
        assert_eq!(e.scim_type, Some(scimlab_protocol::ScimType::Mutability));
        let mut body = json!({"userName": "Joy@Contoso.com", "emails": [{"value": "Joy@Contoso.com", "type": "Work"}]});
        lowercase_values(st, &mut body);
        assert_eq!(
            body,
            json!({"userName": "joy@contoso.com", "emails": [{"value": "joy@contoso.com", "type": "Work"}]})
        );
    }
}
