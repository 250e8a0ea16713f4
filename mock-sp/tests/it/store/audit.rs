//! The audit trail as both stores keep it: one entry per change, in the order of the changes, attributed to the
//! cause the caller gave, none for a failed or empty write; a User's deletion adds an entry for each Group it
//! leaves; the memory store keeps only the newest entries within its limits.

use super::{each_store, group, no_check, set, user};
use scimlab_mock_sp::audit::{AuditEntry, Cause, Client, Operation, RequestInfo};
use scimlab_mock_sp::store::{Kind, MemoryStore, Store};
use scimlab_protocol::ScimError;
use serde_json::{Value, json};

/// Every entry of a store's trail as JSON, its `time` (a wall-clock reading) left out.
pub(crate) fn trail(s: &dyn Store) -> Vec<Value> {
    let entries = s.audit(0, usize::MAX).expect("read the audit trail");
    entries
        .iter()
        .map(|e| {
            let mut v = serde_json::to_value(e).expect("an entry serialises");
            v.as_object_mut().map(|o| o.remove("time"));
            v
        })
        .collect()
}

fn request(method: &str, path: &str) -> RequestInfo {
    RequestInfo {
        method: method.into(),
        path: path.into(),
        recording: Some(41),
        client: Client {
            address: Some("127.0.0.1:5000".into()),
            user_agent: Some("Okta SCIM Client 1.0.0".into()),
            credential: Some("bearer token".into()),
        },
    }
}

/// One entry as the tests spell it: seq, type, id, operation, the request's method, and the patch.
fn brief(e: &Value) -> Value {
    json!([e["seq"], e["resourceType"], e["resourceId"], e["operation"], e["request"]["method"], e["patch"]])
}

#[test]
fn each_change_is_one_entry_with_its_cause_and_patch() {
    each_store(|name, s| {
        let post = request("POST", "/scim/v2/Users");
        s.insert_by(Kind::User, user("u1", "ada"), Cause::by(Operation::Create, &post)).expect("insert");
        s.insert(Kind::Group, group("g1", "Team", &["u1"])).expect("insert group");
        s.insert(Kind::Group, group("g2", "Ops", &["u1"])).expect("insert group");
        let patch = request("PATCH", "/scim/v2/Users/u1");
        let by_patch = Cause::by(Operation::Patch, &patch);
        s.update_by(Kind::User, "u1", &mut set("active", json!(false)), by_patch).expect("update");
        // Nothing changes, and a refused write changes nothing: neither is recorded.
        s.update_by(Kind::User, "u1", &mut |old| Ok(old.clone()), by_patch).expect("no-op update");
        let refused = s.update_by(Kind::User, "u1", &mut |_| Err(ScimError::mutability("no")), by_patch);
        assert!(refused.is_err(), "{name}");
        let stale = s.delete_by(Kind::User, "u1", &mut |_| Err(ScimError::new(412, "stale")), by_patch);
        assert!(stale.is_err(), "{name}");
        let delete = request("DELETE", "/scim/v2/Users/u1");
        s.delete_by(Kind::User, "u1", &mut no_check, Cause::by(Operation::Delete, &delete)).expect("delete");
        let got = trail(s);
        let briefs: Vec<Value> = got.iter().map(brief).collect();
        let urn = "urn:ietf:params:scim:schemas:core:2.0:User";
        let group_urn = "urn:ietf:params:scim:schemas:core:2.0:Group";
        assert_eq!(
            briefs,
            [
                json!([1, "User", "u1", "create", "POST", [
                    {"op": "add", "path": "/schemas", "value": [urn]},
                    {"op": "add", "path": "/id", "value": "u1"},
                    {"op": "add", "path": "/userName", "value": "ada"}]]),
                json!([2, "Group", "g1", "create", null, [
                    {"op": "add", "path": "/schemas", "value": [group_urn]},
                    {"op": "add", "path": "/id", "value": "g1"},
                    {"op": "add", "path": "/displayName", "value": "Team"},
                    {"op": "add", "path": "/members", "value": [{"value": "u1"}]}]]),
                json!([3, "Group", "g2", "create", null, [
                    {"op": "add", "path": "/schemas", "value": [group_urn]},
                    {"op": "add", "path": "/id", "value": "g2"},
                    {"op": "add", "path": "/displayName", "value": "Ops"},
                    {"op": "add", "path": "/members", "value": [{"value": "u1"}]}]]),
                json!([4, "User", "u1", "patch", "PATCH", [{"op": "add", "path": "/active", "value": false}]]),
                json!([5, "User", "u1", "delete", "DELETE", [
                    {"op": "remove", "path": "/schemas"},
                    {"op": "remove", "path": "/id"},
                    {"op": "remove", "path": "/userName"},
                    {"op": "remove", "path": "/active"}]]),
                json!([6, "Group", "g1", "membership-cleanup", "DELETE", [{"op": "remove", "path": "/members"}]]),
                json!([7, "Group", "g2", "membership-cleanup", "DELETE", [{"op": "remove", "path": "/members"}]]),
            ],
            "{name}"
        );
        assert_eq!(got[0]["name"], "ada", "{name}: the userName at the time");
        assert_eq!(got[4]["name"], "ada", "{name}: a delete names what was deleted");
        assert_eq!(got[5]["name"], "Team", "{name}");
        assert_eq!(got[5]["request"], got[4]["request"], "{name}: the cleanup is the delete's request's doing");
        assert_eq!(
            got[0]["request"],
            json!({"method": "POST", "path": "/scim/v2/Users", "recording": 41, "client": {
                "address": "127.0.0.1:5000", "userAgent": "Okta SCIM Client 1.0.0", "credential": "bearer token"}}),
            "{name}"
        );
        assert_eq!(got[1].get("request"), None, "{name}: a server-side write names no request");
        let page = s.audit(4, 2).expect("a page");
        assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), [5, 6], "{name}: pages by seq");
        let entries: Vec<AuditEntry> = s.audit(0, 100).expect("all");
        assert!(entries.iter().all(|e| e.time.parse::<jiff::Timestamp>().is_ok()), "{name}: RFC 3339 times");
    });
}

#[test]
fn the_memory_trail_keeps_the_newest_entries_within_its_limits() {
    let store = MemoryStore::with_limits(3, 1 << 30);
    for i in 0..5 {
        store.insert(Kind::User, user(&format!("u{i}"), &format!("n{i}"))).expect("insert");
    }
    let seqs = |s: &MemoryStore| s.audit(0, 100).expect("read").iter().map(|e| e.seq).collect::<Vec<_>>();
    assert_eq!(seqs(&store), [3, 4, 5], "the count limit drops the oldest entries");
    let big = |i: usize| {
        let mut u = user(&format!("u{i}"), &format!("n{i}"));
        u["title"] = json!("x".repeat(900));
        u
    };
    let probe = MemoryStore::default();
    probe.insert(Kind::User, big(0)).expect("insert");
    let one = probe.audit(0, 1).expect("read").iter().map(scimlab_mock_sp::audit::weight).sum::<usize>();
    let small = MemoryStore::with_limits(1000, one * 2 + one / 2);
    for i in 0..4 {
        small.insert(Kind::User, big(i)).expect("insert");
    }
    assert_eq!(seqs(&small), [3, 4], "the byte limit drops the oldest entries");
    let mut huge = user("u9", "n9");
    huge["title"] = json!("y".repeat(10_000));
    small.insert(Kind::User, huge).expect("insert");
    assert_eq!(seqs(&small), [5], "the newest entry stays, however large");
}
