//! `POST /Bulk` (RFC 7644 section 3.7) end to end: the RFC's examples (a user, a user managed by the first and
//! a group of both, tied by bulkId references; two groups that are members of each other; failOnErrors), the
//! 413 limits, versions as If-Match, failed operations with their Error bodies, and a 1,000-user bulk.

use crate::faults::{GROUP, Mock, USER};
use scimlab_mock_sp::store::{Kind, Store};
use serde_json::{Value, json};
use std::collections::BTreeSet;

const BULK_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const BULK_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

fn request(ops: Value) -> Value {
    json!({"schemas": [BULK_REQUEST], "Operations": ops})
}

/// Posts a BulkRequest that must be answered 200 with a BulkResponse, and returns its operations.
async fn bulk(sp: &Mock, body: &Value) -> Vec<Value> {
    let r = sp.send("POST", "/Bulk", body).await.expect(200).json();
    assert_eq!(r["schemas"], json!([BULK_RESPONSE]));
    r["Operations"].as_array().cloned().expect("Operations")
}

/// The id at the end of a result's location.
fn id_in(result: &Value) -> String {
    let loc = result["location"].as_str().unwrap_or_else(|| panic!("no location in {result}"));
    loc.rsplit('/').next().expect("id").to_owned()
}

#[tokio::test]
async fn rfc7644_3_7_2_users_and_a_group_tied_by_bulk_ids() {
    let sp = Mock::new(&[]);
    let ops = bulk(
        &sp,
        &request(json!([
            {"method": "POST", "path": "/Users", "bulkId": "qwerty",
             "data": {"schemas": [USER], "userName": "Alice"}},
            {"method": "POST", "path": "/Users", "bulkId": "ytrewq",
             "data": {"schemas": [USER, ENTERPRISE], "userName": "Bob",
                      ENTERPRISE: {"employeeNumber": "11250", "manager": {"value": "bulkId:qwerty"}}}},
            {"method": "POST", "path": "/Groups", "bulkId": "lmnopq",
             "data": {"schemas": [GROUP], "displayName": "Tour Guides",
                      "members": [{"type": "User", "value": "bulkId:qwerty"},
                                  {"type": "User", "value": "bulkId:ytrewq"}]}}
        ])),
    )
    .await;
    assert_eq!(ops.len(), 3);
    for (op, (bulk_id, endpoint)) in ops.iter().zip([("qwerty", "Users"), ("ytrewq", "Users"), ("lmnopq", "Groups")]) {
        assert_eq!(op["method"], "POST");
        assert_eq!(op["bulkId"], bulk_id);
        assert_eq!(op["status"], "201", "status is a string, as in the RFC: {op}");
        assert!(op["version"].as_str().is_some_and(|v| v.starts_with("W/\"")), "{op}");
        let loc = op["location"].as_str().expect("location");
        assert!(loc.starts_with(&format!("http://localhost/scim/v2/{endpoint}/")), "{loc}");
        assert!(op.get("response").is_none(), "no body for a success: {op}");
    }
    let (alice, bob, group) = (id_in(&ops[0]), id_in(&ops[1]), id_in(&ops[2]));
    let b = sp.get(&format!("/Users/{bob}")).await.expect(200).json();
    assert_eq!(b[ENTERPRISE]["manager"]["value"], json!(alice));
    let g = sp.get(&format!("/Groups/{group}")).await.expect(200).json();
    let members: Vec<&str> =
        g["members"].as_array().expect("members").iter().filter_map(|m| m["value"].as_str()).collect();
    assert_eq!(members, [alice.as_str(), bob.as_str()]);
    // The version reported is the resource's current one.
    let a = sp.get(&format!("/Users/{alice}")).await;
    assert_eq!(a.header("etag"), ops[0]["version"].as_str());
}

#[tokio::test]
async fn rfc7644_3_7_1_circular_groups_are_each_others_members() {
    let sp = Mock::new(&[]);
    let ops = bulk(
        &sp,
        &request(json!([
            {"method": "POST", "path": "/Groups", "bulkId": "qwerty",
             "data": {"schemas": [GROUP], "displayName": "Group A",
                      "members": [{"type": "Group", "value": "bulkId:ytrewq"}]}},
            {"method": "POST", "path": "/Groups", "bulkId": "ytrewq",
             "data": {"schemas": [GROUP], "displayName": "Group B",
                      "members": [{"type": "Group", "value": "bulkId:qwerty"}]}}
        ])),
    )
    .await;
    assert_eq!(ops.iter().map(|o| o["status"].clone()).collect::<Vec<_>>(), [json!("201"), json!("201")]);
    let (a, b) = (id_in(&ops[0]), id_in(&ops[1]));
    let ga = sp.get(&format!("/Groups/{a}")).await;
    assert_eq!(ga.header("etag"), ops[0]["version"].as_str(), "the version after the withheld members were added");
    assert_eq!(ga.json()["members"], json!([{"type": "Group", "value": b}]));
    let gb = sp.get(&format!("/Groups/{b}")).await.json();
    assert_eq!(gb["members"], json!([{"type": "Group", "value": a}]));
}

fn three_users_second_duplicate(fail_on_errors: Option<u32>) -> Value {
    let mut body = request(json!([
        {"method": "POST", "path": "/Users", "bulkId": "one", "data": {"schemas": [USER], "userName": "one"}},
        {"method": "POST", "path": "/Users", "bulkId": "dup", "data": {"schemas": [USER], "userName": "ONE"}},
        {"method": "POST", "path": "/Users", "bulkId": "three", "data": {"schemas": [USER], "userName": "three"}}
    ]));
    if let Some(n) = fail_on_errors {
        body["failOnErrors"] = json!(n);
    }
    body
}

#[tokio::test]
async fn rfc7644_3_7_3_fail_on_errors_1_stops_after_the_first_error() {
    let sp = Mock::new(&[]);
    let ops = bulk(&sp, &three_users_second_duplicate(Some(1))).await;
    assert_eq!(ops.len(), 2, "the third operation never ran: {ops:?}");
    assert_eq!(ops[0]["status"], "201");
    let failed = &ops[1];
    assert_eq!(failed["status"], "409");
    assert_eq!(failed["method"], "POST");
    assert_eq!(failed["bulkId"], "dup");
    assert!(failed.get("location").is_none(), "a failed POST has no location: {failed}");
    assert_eq!(failed["response"]["schemas"], json!([ERROR]));
    assert_eq!(failed["response"]["status"], "409");
    assert_eq!(failed["response"]["scimType"], "uniqueness");
    assert_eq!(sp.users(), 1);
}

#[tokio::test]
async fn without_fail_on_errors_every_operation_runs() {
    let sp = Mock::new(&[]);
    let ops = bulk(&sp, &three_users_second_duplicate(None)).await;
    assert_eq!(ops.iter().map(|o| o["status"].as_str().unwrap_or("")).collect::<Vec<_>>(), ["201", "409", "201"]);
    assert_eq!(sp.users(), 2);
    let sp = Mock::new(&[]);
    let ops = bulk(&sp, &three_users_second_duplicate(Some(2))).await;
    assert_eq!(ops.len(), 3, "failOnErrors 2 tolerates one error");
}

#[tokio::test]
async fn too_many_operations_is_413_naming_the_limit() {
    let sp = Mock::with(&[], |c| c.max_bulk_operations = 2);
    let ops: Vec<Value> = (0..3)
        .map(|i| {
            json!({"method": "POST", "path": "/Users", "bulkId": format!("b{i}"),
                   "data": {"schemas": [USER], "userName": format!("u{i}")}})
        })
        .collect();
    let r = sp.send("POST", "/Bulk", &request(json!(ops))).await.expect(413);
    let e = r.json();
    assert_eq!(e["schemas"], json!([ERROR]));
    assert_eq!(e["status"], "413");
    let detail = e["detail"].as_str().expect("detail");
    assert!(detail.contains("maxOperations") && detail.contains('2') && detail.contains('3'), "{detail}");
    assert_eq!(sp.users(), 0, "nothing ran");
    let within = request(json!(ops[..2]));
    assert_eq!(bulk(&sp, &within).await.len(), 2);
}

#[tokio::test]
async fn too_large_a_payload_is_413_naming_the_limit() {
    let sp = Mock::with(&[], |c| c.max_payload_bytes = 300);
    let big = request(json!([{"method": "POST", "path": "/Users", "bulkId": "x",
                               "data": {"schemas": [USER], "userName": "x".repeat(400)}}]));
    let e = sp.send("POST", "/Bulk", &big).await.expect(413).json();
    assert_eq!(e["status"], "413");
    let detail = e["detail"].as_str().expect("detail");
    assert!(detail.contains("maxPayloadSize") && detail.contains("300"), "{detail}");
    assert_eq!(sp.users(), 0);
}

#[tokio::test]
async fn a_thousand_user_bulk_creates_exactly_a_thousand_users() {
    let sp = Mock::new(&[]);
    let ops: Vec<Value> = (0..1000)
        .map(|i| {
            json!({"method": "POST", "path": "/Users", "bulkId": format!("b{i}"),
                        "data": {"schemas": [USER], "userName": format!("user{i:04}")}})
        })
        .collect();
    let results = bulk(&sp, &request(json!(ops))).await;
    assert_eq!(results.len(), 1000);
    assert!(results.iter().all(|r| r["status"] == "201"));
    let ids: BTreeSet<String> = results.iter().map(id_in).collect();
    assert_eq!(ids.len(), 1000);
    assert_eq!(sp.store.count(Kind::User).expect("count"), 1000);
    let list = sp.get("/Users?count=0").await.expect(200).json();
    assert_eq!(list["totalResults"], 1000);
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r["bulkId"], json!(format!("b{i}")), "results in request order");
    }
}

#[tokio::test]
async fn put_patch_delete_honour_versions_and_bulk_id_paths() {
    let sp = Mock::new(&[]);
    let id = sp.user("existing").await;
    let current = sp.get(&format!("/Users/{id}")).await.header("etag").expect("etag").to_owned();
    let ops = bulk(
        &sp,
        &request(json!([
            {"method": "POST", "path": "/Users", "bulkId": "new", "data": {"schemas": [USER], "userName": "new"}},
            {"method": "PATCH", "path": "/Users/bulkId:new",
             "data": {"schemas": [crate::faults::PATCH], "Operations": [{"op": "add", "path": "title", "value": "T"}]}},
            {"method": "PUT", "path": format!("/Users/{id}"), "version": "W/\"stale\"",
             "data": {"schemas": [USER], "userName": "existing"}},
            {"method": "PUT", "path": format!("/Users/{id}"), "version": current,
             "data": {"schemas": [USER], "userName": "existing", "title": "Boss"}},
            {"method": "DELETE", "path": "/Users/no-such-id"},
            {"method": "DELETE", "path": "/Users/bulkId:new"}
        ])),
    )
    .await;
    let statuses: Vec<&str> = ops.iter().map(|o| o["status"].as_str().unwrap_or("")).collect();
    assert_eq!(statuses, ["201", "200", "412", "200", "404", "204"]);
    let new = id_in(&ops[0]);
    assert_eq!(ops[1]["location"], ops[0]["location"], "the bulkId path resolved to the created user");
    assert_eq!(ops[2]["location"], json!(format!("http://localhost/scim/v2/Users/{id}")));
    assert_eq!(ops[2]["response"]["status"], "412");
    assert_eq!(ops[4]["location"], "http://localhost/scim/v2/Users/no-such-id");
    assert_eq!(ops[4]["response"]["schemas"], json!([ERROR]));
    assert!(ops[5].get("version").is_none());
    assert_eq!(sp.get(&format!("/Users/{id}")).await.json()["title"], "Boss");
    sp.get(&format!("/Users/{new}")).await.expect(404);
}

#[tokio::test]
async fn references_to_undefined_or_failed_bulk_ids_fail_their_operation() {
    let sp = Mock::new(&[]);
    sp.user("taken").await;
    let ops = bulk(
        &sp,
        &request(json!([
            {"method": "POST", "path": "/Users", "bulkId": "bad", "data": {"schemas": [USER], "userName": "taken"}},
            {"method": "POST", "path": "/Groups", "bulkId": "g1",
             "data": {"schemas": [GROUP], "displayName": "G1", "members": [{"value": "bulkId:bad"}]}},
            {"method": "POST", "path": "/Groups", "bulkId": "g2",
             "data": {"schemas": [GROUP], "displayName": "G2", "members": [{"value": "bulkId:nowhere"}]}}
        ])),
    )
    .await;
    let statuses: Vec<&str> = ops.iter().map(|o| o["status"].as_str().unwrap_or("")).collect();
    assert_eq!(statuses, ["409", "409", "400"]);
    assert_eq!(ops[2]["response"]["scimType"], "invalidValue");
    assert!(ops[1]["response"]["detail"].as_str().is_some_and(|d| d.contains("bulkId:bad")), "{}", ops[1]);
    assert_eq!(sp.store.count(Kind::Group).expect("count"), 0);
}

#[tokio::test]
async fn malformed_bulk_requests_are_400_and_other_methods_405() {
    let sp = Mock::new(&[]);
    let r = sp.send("POST", "/Bulk", &json!({"schemas": [BULK_REQUEST], "Operations": []})).await.expect(400);
    assert_eq!(r.json()["scimType"], "invalidSyntax");
    let r = sp.send("POST", "/Bulk", &request(json!([{"method": "POST", "path": "/Users", "data": {}}]))).await;
    assert!(r.expect(400).json()["detail"].as_str().is_some_and(|d| d.contains("bulkId")));
    let r = sp.get("/Bulk").await.expect(405);
    assert_eq!(r.header("allow"), Some("POST"));
    let ops = bulk(&sp, &request(json!([{"method": "DELETE", "path": "/Widgets/1"}]))).await;
    assert_eq!(ops[0]["status"], "404");
}
