//! The write deviations (`--fault patch-not-atomic`, `patch-add-replaces`, `bulk-no-limit`, ...): how the PATCH
//! and /Bulk handlers bend RFC 7644 sections 3.5.2 and 3.7 when told to, so that the harness can show each check
//! of those sections failing.
//!
//! Each function is the identity (or the correct behaviour) unless its deviation is on; [`crate::resources`]
//! and [`crate::bulk`] call them at one point each, and check the one-line deviations (`patch-noop`,
//! `bulk-no-location`, ...) themselves. Every deviation breaks one rule: a PATCH request is rewritten
//! into what a broken server makes of it, applied without its atomicity, or has `primary` put back after the
//! applier settled it; /Bulk counts errors or limits the wrong way.

use super::Faults;
use crate::state::Shared;
use scimlab_protocol::ScimError;
use scimlab_protocol::ScimType;
use scimlab_protocol::patch::{self, PatchOpKind, PatchOperation, PatchOptions, PatchRequest};
use scimlab_protocol::schema::{AttrType, ResourceView};
use serde_json::Value;

family! {
    /// The deviations of PATCH and /Bulk.
    pub enum Write {
        /// PATCH changes nothing.
        PatchNoop = "patch-noop": "PATCH answers 200 with the resource unchanged",
        /// Capitalised PATCH ops refused.
        OpsCaseSensitive = "ops-case-sensitive": "PATCH ops must be lowercase: Entra ID's \"Replace\" is refused",
        /// "True"/"False" refused.
        StringBooleansRefused = "string-booleans-refused": "PATCH values \"True\" / \"False\" are refused where a boolean belongs (Entra ID)",
        /// Dotted keys refused.
        DottedKeysRefused = "dotted-keys-refused": "path-less PATCH values with dotted keys (name.givenName) are refused (Entra ID)",
        /// Filtered member removal fails.
        MembersFilterRemoveUnsupported = "members-filter-remove-unsupported": "PATCH remove with a members[value eq \"...\"] path fails",
        /// Value-list member removal fails.
        MembersValueRemoveUnsupported = "members-value-remove-unsupported": "PATCH remove of members with a value list (Entra ID's removal) fails",
        /// bulkId references not resolved.
        BulkIgnoresBulkId = "bulk-ignores-bulkid": "/Bulk runs operations in request order without resolving bulkId references",
        /// /Bulk missing though announced.
        BulkUnsupported = "bulk-unsupported": "POST /Bulk answers 501 while the ServiceProviderConfig announces bulk.supported",
        /// PATCH not atomic.
        PatchNotAtomic = "patch-not-atomic": "PATCH applies operations one by one: those before a failing operation are kept",
        /// PATCH add replaces multi-valued attributes.
        PatchAddReplaces = "patch-add-replaces": "PATCH add to a multi-valued attribute replaces its values instead of adding to them",
        /// primary not kept unique.
        PatchPrimaryNotUnique = "patch-primary-not-unique": "PATCH setting primary true on a value leaves primary true on the value that had it",
        /// No noTarget for a replace filter that matches nothing.
        PatchNoTargetAccepted = "patch-no-target-accepted": "PATCH replace with a value filter that matches nothing answers 200, changing nothing, instead of 400 noTarget",
        /// replace of a complex attribute drops what it does not name.
        PatchReplaceClearsSiblings = "patch-replace-clears-siblings": "PATCH replace of a complex attribute (name) drops the sub-attributes the value leaves out",
        /// failOnErrors ignored.
        BulkFailOnErrorsIgnored = "bulk-fail-on-errors-ignored": "/Bulk runs every operation whatever failOnErrors says",
        /// /Bulk stops at the first error.
        BulkStopsAtFirstError = "bulk-stops-at-first-error": "/Bulk without failOnErrors stops at the first failed operation",
        /// Bulk limits not enforced.
        BulkNoLimit = "bulk-no-limit": "/Bulk enforces neither the maxOperations nor the maxPayloadSize it announces (no 413)",
        /// No location in bulk results.
        BulkNoLocation = "bulk-no-location": "BulkResponse results carry no location",
    }
}

/// The PATCH leniencies the server accepts: `base`, less those a deviation refuses (`ops-case-sensitive`,
/// `string-booleans-refused`, `dotted-keys-refused`, `members-value-remove-unsupported`, and the profile
/// deviations of [`super::profile::patch_options`]).
pub fn patch_options(f: &Faults, base: PatchOptions) -> PatchOptions {
    let base = super::profile::patch_options(f, base);
    PatchOptions {
        op_any_case: base.op_any_case && !f.has(Write::OpsCaseSensitive),
        string_booleans: base.string_booleans && !f.has(Write::StringBooleansRefused),
        dotted_keys: base.dotted_keys && !f.has(Write::DottedKeysRefused),
        remove_value_list: base.remove_value_list && !f.has(Write::MembersValueRemoveUnsupported),
        ..base
    }
}

/// `patch-add-replaces` and `patch-replace-clears-siblings`: rewrites a PATCH request into the broken server's
/// reading of it. An `add` with a path naming a whole multi-valued attribute becomes a `replace` (its values
/// are replaced instead of added to); a `replace` with a path naming a whole singular complex attribute is
/// preceded by a `remove` of it (the sub-attributes the value leaves out are lost).
pub fn bend_patch(st: &Shared, view: &ResourceView<'_>, req: &mut PatchRequest) {
    let (add_replaces, clears) =
        (st.faults.has(Write::PatchAddReplaces), st.faults.has(Write::PatchReplaceClearsSiblings));
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
    let before = st.faults.has(Write::PatchPrimaryNotUnique).then(|| resource.clone());
    if st.faults.has(Write::PatchNotAtomic) {
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
    st.faults.has(Write::PatchNoTargetAccepted)
        && e.scim_type == Some(ScimType::NoTarget)
        && req.operations.iter().any(|o| o.op == PatchOpKind::Replace)
}

/// `bulk-fail-on-errors-ignored` and `bulk-stops-at-first-error`: the failOnErrors a bulk request runs with,
/// from the one it gave. The first ignores it; the second stops at the first error when none was given.
pub fn fail_on_errors(st: &Shared, given: Option<u32>) -> Option<u32> {
    if st.faults.has(Write::BulkFailOnErrorsIgnored) {
        return None;
    }
    if st.faults.has(Write::BulkStopsAtFirstError) {
        return given.or(Some(1));
    }
    given
}

/// `bulk-no-limit`: the most bytes /Bulk reads, which is the announced maxPayloadSize unless the limits are not
/// enforced (then sixteen times it, enough to run what a client sends just over the limit).
pub fn bulk_read_limit(st: &Shared, announced: usize) -> usize {
    if st.faults.has(Write::BulkNoLimit) { announced.saturating_mul(16) } else { announced }
}

/// `bulk-no-limit`: whether /Bulk checks maxOperations and maxPayloadSize at all.
pub fn bulk_limits_enforced(st: &Shared) -> bool {
    !st.faults.has(Write::BulkNoLimit)
}

/// `members-filter-remove-unsupported`: refuses a PATCH `remove` whose path filters `members`
/// (`members[value eq "..."]`), as servers without value-path support do.
pub fn refuse_filtered_member_removal(st: &Shared, req: &PatchRequest) -> Result<(), ScimError> {
    if !st.faults.has(Write::MembersFilterRemoveUnsupported) {
        return Ok(());
    }
    let filtered = |op: &PatchOperation| {
        op.op == PatchOpKind::Remove
            && op.path.as_ref().is_some_and(|p| p.name.eq_ignore_ascii_case("members") && p.filter.is_some())
    };
    match req.operations.iter().position(filtered) {
        Some(i) => Err(ScimError::invalid_path(format!(
            "Operations[{i}]: remove with a filter on members is not supported by this server"
        ))),
        None => Ok(()),
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

    fn state(deviations: &[Write]) -> AppState {
        let faults = deviations.iter().map(|&d| Fault::Deviation(d.into())).collect();
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
    fn deviations_switch_patch_leniencies_off() {
        let f = Faults::new(&[Fault::Deviation(Write::OpsCaseSensitive.into())]);
        let o = patch_options(&f, PatchOptions::lenient());
        assert!(!o.op_any_case && o.string_booleans && o.dotted_keys && o.remove_value_list);
        let f = Faults::new(&[Fault::Deviation(crate::faults::profile::Profile::ManagerStringRefused.into())]);
        let o = patch_options(&f, PatchOptions::lenient());
        assert!(!o.scalar_for_complex && o.op_any_case && o.replace_creates_filtered);
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
        let app = state(&[Write::PatchAddReplaces, Write::PatchReplaceClearsSiblings]);
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
        let app = state(&[Write::PatchNotAtomic]);
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
        let app = state(&[Write::BulkStopsAtFirstError, Write::BulkNoLimit]);
        let st = app.shared();
        assert_eq!(fail_on_errors(st, None), Some(1));
        assert_eq!(fail_on_errors(st, Some(4)), Some(4));
        assert!(!bulk_limits_enforced(st));
        assert_eq!(bulk_read_limit(st, 10), 160);
        let app = state(&[Write::BulkFailOnErrorsIgnored]);
        assert_eq!(fail_on_errors(app.shared(), Some(1)), None);
    }
}
