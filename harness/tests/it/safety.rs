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

/// Cleanup goes through /Bulk on a server that announces it, and starts while checks still run: what a finished
/// check made is deleted in batches, so the server's collections stay small (see `scimlab_harness::cleanup`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cleanup_deletes_through_bulk_while_the_run_goes_on() {
    let (base, store) = start_sp(&[]).await;
    let all = registry();
    let refs: Vec<&Check> = all.iter().collect();
    let _ = run_checks(&base, &refs).await;
    let recorded = store.recordings(0, 1_000_000).expect("recordings");
    let is_bulk_delete = |e: &scimlab_protocol::exchange::Exchange| {
        e.request.method == "POST"
            && e.request.url.ends_with("/Bulk")
            && e.request.body.as_deref().is_some_and(|b| b.contains("\"method\":\"DELETE\""))
    };
    let creates = recorded
        .iter()
        .filter(|(_, e)| e.request.method == "POST" && e.response.as_ref().is_some_and(|r| r.status == 201))
        .count();
    let single_deletes = recorded.iter().filter(|(_, e)| e.request.method == "DELETE").count();
    let bulk_deletes: Vec<u64> = recorded.iter().filter(|(_, e)| is_bulk_delete(e)).map(|(seq, _)| *seq).collect();
    assert!(bulk_deletes.len() >= 2, "cleanup sent {} Bulk deletes", bulk_deletes.len());
    assert!(
        single_deletes * 2 < creates,
        "{single_deletes} single DELETEs for {creates} creates: cleanup did not go through /Bulk"
    );
    // Checks still sent requests after the first Bulk delete: cleanup started before the run ended.
    let first = bulk_deletes[0];
    let later_checks = recorded.iter().filter(|(seq, e)| *seq > first && !is_bulk_delete(e)).count();
    assert!(later_checks > 100, "only {later_checks} requests followed the first Bulk delete");
}

/// Ctrl-C drops the running checks. A create one of them had on the wire still gets its answer, and what the
/// server made is recorded for the cleanup (before, it was left on the server: the CLI test of Ctrl-C found one
/// user left in about one run of twenty).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_on_the_wire_when_its_check_is_dropped_is_still_recorded_for_cleanup() {
    use scimlab_harness::ctx::{Ctx, Kind as CtxKind, RunShared};
    use scimlab_mock_idp::{ClientOptions, Credential, ScimClient};
    use std::future::Future;
    use std::time::Duration;
    let (base, store) = start_sp(&["latency=300ms"]).await;
    let client =
        ScimClient::new(&base, Credential::Bearer("pair-token".into()), ClientOptions::default()).expect("client");
    let registry = scimlab_protocol::SchemaRegistry::core().clone();
    let run = Arc::new(RunShared::new(
        client,
        None,
        registry,
        Some("/Users".into()),
        Some("/Groups".into()),
        false,
        "scimlab-drop-".into(),
        0,
    ));
    let ctx = Ctx::new(run.clone());
    let body = json!({"schemas": [scimlab_protocol::schema::USER_URN], "userName": "scimlab-drop-1"});
    let dropped = tokio::time::timeout(Duration::from_millis(100), ctx.create(CtxKind::User, &body)).await;
    assert!(dropped.is_err(), "the check is dropped before the answer comes");
    run.settle(Duration::from_secs(10)).await;
    let created = run.created();
    assert_eq!(created.len(), 1, "the answer was recorded for the cleanup: {created:?}");
    let stored = store.get(Kind::User, &created[0].1).expect("the store answers");
    assert!(stored.is_some(), "it is the user the server made");
    // The other order: the answer is back, but the check is dropped before it is polled to read it.
    let body = json!({"schemas": [scimlab_protocol::schema::USER_URN], "userName": "scimlab-drop-2"});
    // Boxed, so that dropping it below drops the future itself.
    let mut create = Box::pin(ctx.create(CtxKind::User, &body));
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    assert!(create.as_mut().poll(&mut cx).is_pending(), "the create is on the wire");
    tokio::time::sleep(Duration::from_millis(900)).await;
    drop(create);
    run.settle(Duration::from_secs(10)).await;
    assert_eq!(run.created().len(), 2, "the answer nobody read was recorded too: {:?}", run.created());
}
