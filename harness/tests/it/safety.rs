//! The harness never modifies or deletes what it did not create, and leaves nothing of its own behind.

use crate::{run_checks, start_sp};
use scimlab_harness::check::Check;
use scimlab_harness::checks::registry;
use scimlab_mock_sp::store::{Kind, Store};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

fn snapshot(store: &Arc<dyn Store>) -> BTreeMap<(u8, String), Value> {
    let mut out = BTreeMap::new();
    for (tag, kind) in [(0u8, Kind::User), (1, Kind::Group)] {
        store
            .scan(kind, &mut |r| {
                out.insert((tag, r.id.clone()), (*r.resource).clone());
                true
            })
            .expect("scan");
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_run_leaves_foreign_data_unchanged_and_nothing_of_its_own() {
    let (base, store) = start_sp(&[]).await;
    for i in 0..100 {
        let user = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": format!("seed-{i}"),
            "userName": format!("customer{i}@example.com"),
            "displayName": format!("Customer {i}"),
            "emails": [{"value": format!("customer{i}@example.com"), "type": "work", "primary": true}],
            "meta": {"resourceType": "User"}
        });
        store.insert(Kind::User, user).expect("seed user");
    }
    let group = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "id": "seed-group",
        "displayName": "Customers",
        "members": [{"value": "seed-0"}, {"value": "seed-1"}],
        "meta": {"resourceType": "Group"}
    });
    store.insert(Kind::Group, group).expect("seed group");
    let before = snapshot(&store);
    let all = registry();
    let refs: Vec<&Check> = all.iter().collect();
    let _ = run_checks(&base, &refs).await;
    let after = snapshot(&store);
    assert_eq!(before.len(), after.len(), "the run left resources behind or removed some");
    assert!(before == after, "the run changed a resource it did not create");
}
