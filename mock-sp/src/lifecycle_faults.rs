//! The deviations that show over a resource's life, not in one answer (`--fault rehire-blocked`,
//! `patch-drops-extension`; `version-frozen` lives in [`crate::faults::etag_shown`]): a soft delete that keeps the
//! userName taken, and a PATCH of the core attributes that loses the extension.

use crate::faults::Deviation;
use crate::state::Shared;
use crate::store::Kind;
use scimlab_protocol::ScimError;
use scimlab_protocol::patch::PatchRequest;
use scimlab_protocol::schema::ENTERPRISE_USER_URN;
use serde_json::Value;
use std::sync::PoisonError;

/// The userName of a User resource, lowercased (userName is compared without regard to case).
fn user_name(resource: &Value) -> Option<String> {
    let obj = resource.as_object()?;
    scimlab_protocol::json::get_ci(obj, "userName").and_then(Value::as_str).map(str::to_lowercase)
}

/// `rehire-blocked`, when a User is deleted: its userName stays taken.
pub fn retire(st: &Shared, kind: Kind, deleted: &Value) {
    if kind != Kind::User || !st.faults.has(Deviation::RehireBlocked) {
        return;
    }
    if let Some(name) = user_name(deleted) {
        st.faults.retired.lock().unwrap_or_else(PoisonError::into_inner).insert(name);
    }
}

/// `rehire-blocked`, when a User is created: 409 uniqueness for the userName of a deleted user.
pub fn refuse_retired(st: &Shared, kind: Kind, body: &Value) -> Result<(), ScimError> {
    if kind != Kind::User || !st.faults.has(Deviation::RehireBlocked) {
        return Ok(());
    }
    let Some(name) = user_name(body) else { return Ok(()) };
    if st.faults.retired.lock().unwrap_or_else(PoisonError::into_inner).contains(&name) {
        return Err(ScimError::uniqueness(format!("userName {name:?} is taken")));
    }
    Ok(())
}

/// `patch-drops-extension`: after a PATCH none of whose operations names the enterprise extension (in its path or,
/// path-less, in its value), the extension is gone from the resource.
pub fn drop_untouched_extension(st: &Shared, req: &PatchRequest, resource: &mut Value) {
    if !st.faults.has(Deviation::PatchDropsExtension) {
        return;
    }
    let names_it = req.operations.iter().any(|op| {
        op.raw_path.as_deref().is_some_and(|p| p.contains(ENTERPRISE_USER_URN))
            || op.value.as_ref().is_some_and(|v| v.get(ENTERPRISE_USER_URN).is_some())
    });
    if !names_it && let Some(obj) = resource.as_object_mut() {
        obj.shift_remove(ENTERPRISE_USER_URN);
    }
}
