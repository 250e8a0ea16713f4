//! The deviations of a server that mishandles role-based access data (`--fault roles-dropped`,
//! `roles-json-rewritten`): `roles` and `entitlements` (RFC 7643 section 4.1.2) accepted and never stored, and a
//! role value that looks like JSON (Entra's app-role assignment, a JSON object encoded as a string) parsed and
//! written back in another form. Both bend the resource as it is about to be stored, on create, PUT and PATCH.

use crate::state::Shared;
use serde_json::Value;

family! {
    /// The deviations of a server that mishandles roles and entitlements.
    pub enum Roles {
        /// roles and entitlements not stored.
        RolesDropped = "roles-dropped": "roles and entitlements sent on create, PUT or PATCH are accepted (2xx) but not stored",
        /// JSON-looking role values rewritten.
        RolesJsonRewritten = "roles-json-rewritten": "a role value that is a JSON object in a string (Entra's app-role assignment) is parsed and stored re-serialised with its keys sorted, not as sent",
    }
}

/// Bends `resource` (a User about to be stored) as the deviations on say.
pub fn bend(st: &Shared, resource: &mut Value) {
    let Some(obj) = resource.as_object_mut() else { return };
    if st.faults.has(Roles::RolesDropped) {
        obj.retain(|k, _| !k.eq_ignore_ascii_case("roles") && !k.eq_ignore_ascii_case("entitlements"));
    }
    if st.faults.has(Roles::RolesJsonRewritten) {
        let roles = obj.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case("roles")).and_then(|(_, v)| v.as_array_mut());
        for value in roles.into_iter().flatten().filter_map(|r| r.get_mut("value")) {
            if let Some(rewritten) = value.as_str().and_then(sorted_json) {
                *value = Value::String(rewritten);
            }
        }
    }
}

/// `text` parsed as a JSON object and written back with its keys sorted; `None` when it is not one.
fn sorted_json(text: &str) -> Option<String> {
    let parsed: Value = serde_json::from_str(text).ok()?;
    let obj = parsed.as_object()?;
    let sorted: std::collections::BTreeMap<&String, &Value> = obj.iter().collect();
    serde_json::to_string(&sorted).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_role_values_are_rewritten_with_sorted_keys() {
        assert_eq!(
            sorted_json(r#"{"id":"1","value":"25","displayName":"R"}"#).as_deref(),
            Some(r#"{"displayName":"R","id":"1","value":"25"}"#)
        );
        assert_eq!(sorted_json("Admin"), None);
        assert_eq!(sorted_json("[1]"), None);
    }
}
