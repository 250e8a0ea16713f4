//! The audit trail through the HTTP layer: every change a request makes is one entry naming the request (its
//! recording, method and path) and the client's credential by label; /Bulk operations and the membership
//! cleanup of a delete included, failed requests not; the control API serves the trail.

use crate::faults::{GROUP, Mock, TOKEN, USER};
use scimlab_mock_sp::store::Store;
use serde_json::{Value, json};

const BULK_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

fn trail(sp: &Mock) -> Vec<Value> {
    let entries = sp.store.audit(0, usize::MAX).expect("read the trail");
    entries.iter().map(|e| serde_json::to_value(e).expect("json")).collect()
}

#[tokio::test]
async fn bulk_operations_and_cleanups_are_each_one_entry_of_their_request() {
    let sp = Mock::new(&[]);
    let ada = sp.user("ada").await;
    let refused = sp.send("POST", "/Users", &json!({"schemas": [USER], "userName": "ADA"})).await;
    assert_eq!(refused.status, 409, "a duplicate is refused");
    let ops = json!([
        {"method": "POST", "path": "/Users", "bulkId": "b", "data": {"schemas": [USER], "userName": "bob"}},
        {"method": "POST", "path": "/Groups", "bulkId": "g", "data": {"schemas": [GROUP], "displayName": "Team",
            "members": [{"value": ada}, {"value": "bulkId:b"}]}},
        {"method": "PATCH", "path": "/Users/bulkId:b", "data": {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "active", "value": false}]}},
        {"method": "POST", "path": "/Users", "bulkId": "dup", "data": {"schemas": [USER], "userName": "bob"}}
    ]);
    let r = sp.send("POST", "/Bulk", &json!({"schemas": [BULK_REQUEST], "Operations": ops})).await.expect(200);
    let statuses: Vec<Value> =
        r.json()["Operations"].as_array().expect("ops").iter().map(|o| o["status"].clone()).collect();
    assert_eq!(statuses, [json!("201"), json!("201"), json!("200"), json!("409")]);
    sp.call("DELETE", &format!("/Users/{ada}"), None, &[]).await.expect(204);

    let got = trail(&sp);
    let ops: Vec<(&str, &str, &str)> = got
        .iter()
        .map(|e| {
            let op = e["operation"].as_str().unwrap_or("");
            (op, e["resourceType"].as_str().unwrap_or(""), e["request"]["path"].as_str().unwrap_or(""))
        })
        .collect();
    assert_eq!(
        ops,
        [
            ("create", "User", "/scim/v2/Users"),
            ("bulk-create", "User", "/scim/v2/Bulk"),
            ("bulk-create", "Group", "/scim/v2/Bulk"),
            ("bulk-patch", "User", "/scim/v2/Bulk"),
            ("delete", "User", &*format!("/scim/v2/Users/{ada}")),
            ("membership-cleanup", "Group", &*format!("/scim/v2/Users/{ada}")),
        ],
        "one entry per change, none for the refused create or the failed bulk operation"
    );
    assert_eq!(got[3]["patch"], json!([{"op": "add", "path": "/active", "value": false}]));
    let bob = got[1]["resourceId"].as_str().expect("bob's id");
    // json-patch diffs arrays position by position: bob moves into ada's place, and the last place goes.
    assert_eq!(
        got[5]["patch"],
        json!([{"op": "replace", "path": "/members/0/value", "value": bob}, {"op": "remove", "path": "/members/1"}]),
        "ada left the group, bob stays"
    );
    // Each entry names the recorded exchange of its request.
    let recordings = sp.store.recordings(0, 100).expect("recordings");
    for e in &got {
        let seq = e["request"]["recording"].as_u64().expect("a recording number");
        let (_, exchange) = recordings.iter().find(|(n, _)| *n == seq).expect("the recording exists");
        assert_eq!(exchange.request.method, e["request"]["method"].as_str().expect("method"));
        assert!(exchange.request.url.starts_with(e["request"]["path"].as_str().expect("path")), "{e}");
        assert_eq!(e["request"]["client"]["credential"], "bearer token", "{e}");
    }
    assert_eq!(got[1]["request"]["recording"], got[3]["request"]["recording"], "one bulk, one recording");
    let text = serde_json::to_string(&got).expect("json");
    assert!(!text.contains(TOKEN), "the token never reaches the trail");
}

#[tokio::test]
async fn the_control_api_serves_the_trail_by_page() {
    let sp = Mock::new(&[]);
    for name in ["a", "b", "c"] {
        sp.user(name).await;
    }
    let body = sp.control("/_scimlab/audit?after=1&limit=1").await.expect(200).json();
    let seqs: Vec<u64> = body["audit"].as_array().expect("audit").iter().filter_map(|e| e["seq"].as_u64()).collect();
    assert_eq!(seqs, [2]);
    assert_eq!(sp.control("/_scimlab/audit?after=x").await.status, 400);
}
