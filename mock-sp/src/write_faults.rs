//! The write deviations (`--fault patch-not-atomic`, `patch-add-replaces`, `bulk-no-limit`, ...): how the PATCH
//! and /Bulk handlers bend RFC 7644 sections 3.5.2 and 3.7 when told to, so that the harness can show each check
//! of those sections failing.
//!
//! Each function is the identity (or the correct behaviour) unless its deviation is on; [`crate::resources`]
//! and [`crate::bulk`] call them at one point each. Every deviation breaks one rule: a PATCH request is rewritten
//! into what a broken server makes of it, applied without its atomicity, or has `primary` put back after the
//! applier settled it; /Bulk counts errors or limits the wrong way.

use crate::faults::Deviation;
use crate::state::Shared;
use scimlab_protocol::ScimError;
use scimlab_protocol::ScimType;
use scimlab_protocol::patch::{self, PatchOpKind, PatchOperation, PatchOptions, PatchRequest};
use scimlab_protocol::schema::{AttrType, ResourceView};
use serde_json::Value;

/// `patch-add-replaces` and `patch-replace-clears-siblings`: rewrites a PATCH request into the broken server's
/// reading of it. An `add` with a path naming a whole multi-valued attribute becomes a `replace` (its values
/// are replaced instead of added to); a `replace` with a path naming a whole singular complex attribute is
/// preceded by a `remove` of it (the sub-attributes the value leaves out are lost).
pub fn bend_patch(st: &Shared, view: &ResourceView<'_>, req: &mut PatchRequest) {
    let (add_replaces, clears) =
        (st.faults.has(Deviation::PatchAddReplaces), st.faults.has(Deviation::PatchReplaceClearsSiblings));
    if !add_replaces && !clears {
        return;
    }
    let mut out = Vec::with_capacity(req.operations.len());
    for mut op in std::mem::take(&mut req.operations) {
        let whole = op.path.as_ref().filter(|p| p.filter.is_none() && p.sub.is_none());
        let attr = whole.and_then(|p| view.resolve(p.urn.as_deref(), &p.name)).map(|r| r.attr);
        match (op.op, attr) {
            (PatchOpKind::Add, Some(a)) if add_replaces && a.multi_valued => op.op = PatchOpKind::Replace,
            (PatchOpKind::Replace, Some(a)) if clears && !a.multi_valued && a.kind == AttrType::Complex => {
                out.push(PatchOperation { op: PatchOpKind::Remove, value: None, ..op.clone() });
            }
            _ => {}
        }
        out.push(op);
    }
    req.operations = out;
}

/// Applies `req` to `resource` as [`patch::apply`] does, except under `patch-not-atomic` (operations are applied
/// one by one and those before a failing one are kept: the failure is put in `late` and the partly patched
/// resource is stored) and `patch-primary-not-unique` (a value whose `primary` the applier turned off because
/// another value became primary has it turned back on).
pub fn apply_patch(
    st: &Shared,
    resource: &mut Value,
    req: &PatchRequest,
    view: &ResourceView<'_>,
    opts: &PatchOptions,
    late: &mut Option<ScimError>,
) -> Result<(), ScimError> {
    let before = st.faults.has(Deviation::PatchPrimaryNotUnique).then(|| resource.clone());
    if st.faults.has(Deviation::PatchNotAtomic) {
        for (i, op) in req.operations.iter().enumerate() {
            let one = PatchRequest { operations: vec![op.clone()] };
            if let Err(e) = patch::apply(resource, &one, view, opts) {
                if i == 0 {
                    return Err(e);
                }
                *late = Some(e);
                break;
            }
        }
    } else {
        patch::apply(resource, req, view, opts)?;
    }
    if let Some(before) = before {
        restore_primaries(&before, resource);
    }
    Ok(())
}

/// `patch-primary-not-unique`: in each multi-valued top-level member of `after` that now has a primary value,
/// turns `primary` back on for the values that had it in `before`.
fn restore_primaries(before: &Value, after: &mut Value) {
    let (Some(old), Some(new)) = (before.as_object(), after.as_object_mut()) else { return };
    for (key, items) in new.iter_mut() {
        let Some(items) = items.as_array_mut() else { continue };
        if !items.iter().any(is_primary) {
            continue;
        }
        let was: Vec<&Value> = old
            .get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter(|e| is_primary(e)).filter_map(|e| e.get("value")).collect())
            .unwrap_or_default();
        for item in items.iter_mut().filter(|e| !is_primary(e) && e.get("value").is_some_and(|v| was.contains(&v))) {
            if let Some(o) = item.as_object_mut() {
                o.insert("primary".into(), Value::Bool(true));
            }
        }
    }
}

fn is_primary(e: &Value) -> bool {
    e.get("primary").and_then(Value::as_bool) == Some(true)
}

/// `patch-no-target-accepted`: whether the PATCH error `e` is a `replace`'s noTarget that the broken server
/// answers as a success that changed nothing.
pub fn swallows_no_target(st: &Shared, e: &ScimError, req: &PatchRequest) -> bool {
    st.faults.has(Deviation::PatchNoTargetAccepted)
        && e.scim_type == Some(ScimType::NoTarget)
        && req.operations.iter().any(|o| o.op == PatchOpKind::Replace)
}

/// `bulk-fail-on-errors-ignored` and `bulk-stops-at-first-error`: the failOnErrors a bulk request runs with,
/// from the one it gave. The first ignores it; the second stops at the first error when none was given.
pub fn fail_on_errors(st: &Shared, given: Option<u32>) -> Option<u32> {
    if st.faults.has(Deviation::BulkFailOnErrorsIgnored) {
        return None;
    }
    if st.faults.has(Deviation::BulkStopsAtFirstError) {
        return given.or(Some(1));
    }
    given
}

/// `bulk-no-limit`: the most bytes /Bulk reads, which is the announced maxPayloadSize unless the limits are not
/// enforced (then sixteen times it, enough to run what a client sends just over the limit).
pub fn bulk_read_limit(st: &Shared, announced: usize) -> usize {
    if st.faults.has(Deviation::BulkNoLimit) { announced.saturating_mul(16) } else { announced }
}

/// `bulk-no-limit`: whether /Bulk checks maxOperations and maxPayloadSize at all.
pub fn bulk_limits_enforced(st: &Shared) -> bool {
    !st.faults.has(Deviation::BulkNoLimit)
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

    fn state(deviations: &[Deviation]) -> AppState {
        let faults = deviations.iter().map(|d| Fault::Deviation(*d)).collect();
        AppState::new(Arc::new(MemoryStore::default()), ServerConfig { faults, ..ServerConfig::default() })
    }

    fn request(ops: Value) -> PatchRequest {
        let body = json!({"schemas": [scimlab_protocol::schema::PATCH_OP_URN], "Operations": ops});
        PatchRequest::from_json(&body, &PatchOptions::strict()).expect("valid PatchOp").0
    }

    fn kinds(req: &PatchRequest) -> Vec<PatchOpKind> {
        req.operations.iter().map(|o| o.op).collect()
    }

    #[test]
    fn without_deviations_requests_are_untouched() {
        let app = state(&[]);
        let st = app.shared();
        let mut req = request(json!([
            {"op": "add", "path": "emails", "value": [{"value": "a@example.com"}]},
            {"op": "replace", "path": "name", "value": {"givenName": "A"}}
        ]));
        let before = req.clone();
        bend_patch(st, &st.registry.user(), &mut req);
        assert_eq!(req, before);
        assert_eq!(fail_on_errors(st, None), None);
        assert_eq!(fail_on_errors(st, Some(3)), Some(3));
        assert!(bulk_limits_enforced(st));
        assert_eq!(bulk_read_limit(st, 10), 10);
    }

    #[test]
    fn add_replaces_and_replace_clears_bend_only_whole_attributes() {
        let app = state(&[Deviation::PatchAddReplaces, Deviation::PatchReplaceClearsSiblings]);
        let st = app.shared();
        let mut req = request(json!([
            {"op": "add", "path": "emails", "value": [{"value": "a@example.com"}]},
            {"op": "add", "path": "emails[type eq \"work\"].display", "value": "W"},
            {"op": "replace", "path": "name", "value": {"givenName": "A"}},
            {"op": "replace", "path": "name.familyName", "value": "B"}
        ]));
        bend_patch(st, &st.registry.user(), &mut req);
        use PatchOpKind::{Add, Remove, Replace};
        assert_eq!(kinds(&req), [Replace, Add, Remove, Replace, Replace]);
    }

    #[test]
    fn not_atomic_keeps_the_operations_before_the_failure() {
        let app = state(&[Deviation::PatchNotAtomic]);
        let st = app.shared();
        let req = request(json!([
            {"op": "replace", "path": "displayName", "value": "kept"},
            {"op": "replace", "path": "active", "value": "maybe"}
        ]));
        let mut user = json!({"schemas": [scimlab_protocol::schema::USER_URN], "userName": "u", "active": true});
        let mut late = None;
        apply_patch(st, &mut user, &req, &st.registry.user(), &PatchOptions::strict(), &mut late).expect("first op");
        assert_eq!(user["displayName"], "kept");
        assert!(late.is_some_and(|e| e.scim_type == Some(ScimType::InvalidValue)));
    }

    #[test]
    fn primaries_come_back_only_where_another_value_became_primary() {
        let before = json!({"emails": [{"value": "w", "primary": true}, {"value": "h"}], "phoneNumbers": [{"value": "1", "primary": true}]});
        let mut after = json!({"emails": [{"value": "w", "primary": false}, {"value": "h", "primary": true}], "phoneNumbers": [{"value": "1"}]});
        restore_primaries(&before, &mut after);
        assert_eq!(after["emails"][0]["primary"], true);
        assert_eq!(after["phoneNumbers"][0].get("primary"), None);
    }

    #[test]
    fn bulk_deviations_change_counting_and_limits() {
        let app = state(&[Deviation::BulkStopsAtFirstError, Deviation::BulkNoLimit]);
        let st = app.shared();
        assert_eq!(fail_on_errors(st, None), Some(1));
        assert_eq!(fail_on_errors(st, Some(4)), Some(4));
        assert!(!bulk_limits_enforced(st));
        assert_eq!(bulk_read_limit(st, 10), 160);
        let app = state(&[Deviation::BulkFailOnErrorsIgnored]);
        assert_eq!(fail_on_errors(app.shared(), Some(1)), None);
    }
}
