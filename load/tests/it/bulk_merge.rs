//! bulk-merge against the mock SP: the server ends up holding exactly the users and memberships sent, through
//! /Bulk and through plain POSTs, and cleanup removes all of it and nothing else.

use crate::serve;
use scimlab_load::{LoadOptions, Model, Workload};
use scimlab_mock_sp::ServerConfig;
use scimlab_mock_sp::store::{Kind, MemoryStore, Store};
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

fn options(url: &str, users: u64, block: u64) -> LoadOptions {
    let mut o = LoadOptions::new(url, Workload::BulkMerge);
    o.users = users;
    o.block = block;
    o.model = Model::Closed { concurrency: 4 };
    o.seed = 1;
    o
}

/// Every group's members, by group displayName.
fn memberships(store: &MemoryStore) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    store
        .scan(Kind::Group, &mut |r| {
            let name = r.resource["displayName"].as_str().unwrap_or_default().to_owned();
            let members = r.resource["members"]
                .as_array()
                .map(|ms| ms.iter().filter_map(|m| m["value"].as_str().map(str::to_owned)).collect())
                .unwrap_or_default();
            out.push((name, members));
            true
        })
        .expect("scan");
    out
}

fn user_ids(store: &MemoryStore) -> HashSet<String> {
    let mut ids = HashSet::new();
    store
        .scan(Kind::User, &mut |r| {
            ids.insert(r.id.clone());
            true
        })
        .expect("scan");
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_merge_leaves_exactly_the_users_and_memberships_sent() {
    let _serial = crate::SERIAL.lock().await;
    let (url, store) = serve(ServerConfig::default()).await;
    let mut o = options(&url, 1050, 100);
    o.keep = true;
    let out = scimlab_load::run(&o, Arc::new(AtomicBool::new(false))).await.expect("run");
    let s = &out.section;
    assert!(s.clean(), "{}", scimlab_load::render_table(s));
    assert_eq!(store.count(Kind::User).expect("count"), 1050);
    assert_eq!(store.count(Kind::Group).expect("count"), 11);
    let users = user_ids(&store);
    let groups = memberships(&store);
    let mut seen = HashSet::new();
    for (name, members) in &groups {
        let want = if name.ends_with("00010") { 50 } else { 100 };
        assert_eq!(members.len(), want, "group {name}");
        for m in members {
            assert!(users.contains(m), "group {name} lists {m}, which is no user");
            assert!(seen.insert(m.clone()), "{m} is in two groups");
        }
    }
    assert_eq!(seen.len(), 1050, "every user is in exactly one group");
    let bulk = s.operations.iter().find(|o| o.operation == "bulk").expect("bulk row");
    assert_eq!((bulk.requests, bulk.responses, bulk.items, bulk.errors, bulk.item_errors), (11, 11, 1061, 0, 0));
    let created = s.created.expect("created");
    assert_eq!((created.users, created.groups), (1050, 11));
    let v = s.verify.as_ref().expect("verified");
    assert!(v.ok(), "{v:?}");
    assert_eq!((v.memberships_found, v.users_found), (1050, Some(1050)));
    assert!(s.cleanup.is_none(), "--keep skips cleanup");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_bulk_the_population_is_created_with_posts() {
    let _serial = crate::SERIAL.lock().await;
    let (url, store) = serve(ServerConfig::default()).await;
    let mut o = options(&url, 120, 50);
    o.keep = true;
    o.use_bulk = false;
    let out = scimlab_load::run(&o, Arc::new(AtomicBool::new(false))).await.expect("run");
    let s = &out.section;
    assert!(s.clean(), "{}", scimlab_load::render_table(s));
    let count = |op: &str| s.operations.iter().find(|o| o.operation == op).map_or(0, |o| o.responses);
    assert_eq!((count("create-user"), count("create-group"), count("bulk")), (120, 3, 0));
    assert_eq!((store.count(Kind::User).expect("n"), store.count(Kind::Group).expect("n")), (120, 3));
    let total: usize = memberships(&store).iter().map(|(_, m)| m.len()).sum();
    assert_eq!(total, 120);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cleanup_removes_what_the_run_created_and_nothing_else() {
    let _serial = crate::SERIAL.lock().await;
    let (url, store) = serve(ServerConfig::default()).await;
    for i in 0..3 {
        let user = serde_json::json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": format!("foreign-{i}"),
            // Shares the shape of the run's names: cleanup must still not touch it.
            "userName": format!("slforeign.u000000{i}@load.scimlab.test"),
            "meta": {"resourceType": "User"}
        });
        store.insert(Kind::User, user).expect("foreign user");
    }
    let out = scimlab_load::run(&options(&url, 300, 100), Arc::new(AtomicBool::new(false))).await.expect("run");
    let c = out.section.cleanup.expect("cleaned up");
    assert_eq!((c.deleted, c.not_found, c.failed), (303, 0, 0));
    assert_eq!(store.count(Kind::Group).expect("n"), 0);
    let left = user_ids(&store);
    assert_eq!(left, (0..3).map(|i| format!("foreign-{i}")).collect::<HashSet<_>>());
}

/// A server that gzips every answer unasked (`compress-unasked`): the generator decodes the answers, so the ids
/// of the /Bulk and POST answers are read and the memberships made as against any server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_compressed_unasked_are_decoded() {
    let _serial = crate::SERIAL.lock().await;
    let (url, store) = crate::serve_with_faults(&["compress-unasked"]).await;
    for use_bulk in [true, false] {
        let mut o = options(&url, 120, 50);
        o.keep = true;
        o.use_bulk = use_bulk;
        let out = scimlab_load::run(&o, Arc::new(AtomicBool::new(false))).await.expect("run");
        assert!(out.section.clean(), "{}", scimlab_load::render_table(&out.section));
    }
    assert_eq!(store.count(Kind::User).expect("n"), 240);
    let total: usize = memberships(&store).iter().map(|(_, m)| m.len()).sum();
    assert_eq!(total, 240, "every user joined its group");
}

/// As Okta, whose requests carry `Accept-Encoding: gzip,deflate` (IDP-TRAFFIC.md section 2, Headers), the mock SP
/// compresses its answers, and the generator decodes them as Okta does: every id is read and every user joins its
/// group, through /Bulk and through POSTs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn okta_asks_for_compressed_answers_and_reads_them() {
    let _serial = crate::SERIAL.lock().await;
    let (url, store) = serve(ServerConfig::default()).await;
    for use_bulk in [true, false] {
        let mut o = options(&url, 120, 50);
        o.keep = true;
        o.use_bulk = use_bulk;
        o.persona = scimlab_load::Persona::by_name("okta").expect("okta");
        let out = scimlab_load::run(&o, Arc::new(AtomicBool::new(false))).await.expect("run");
        assert!(out.section.clean(), "{}", scimlab_load::render_table(&out.section));
    }
    assert_eq!(store.count(Kind::User).expect("n"), 240);
    let total: usize = memberships(&store).iter().map(|(_, m)| m.len()).sum();
    assert_eq!(total, 240, "every user joined its group");
    // The server's recordings: Okta's field went out, and gzip came back.
    let recorded = store.recordings(0, usize::MAX).expect("recordings");
    let header = |h: &[(String, String)], name: &str| {
        h.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
    };
    assert!(
        recorded.iter().any(|(_, e)| header(&e.request.headers, "accept-encoding").as_deref() == Some("gzip,deflate"))
    );
    assert!(recorded.iter().any(|(_, e)| {
        e.response.as_ref().is_some_and(|r| header(&r.headers, "content-encoding").as_deref() == Some("gzip"))
    }));
}
