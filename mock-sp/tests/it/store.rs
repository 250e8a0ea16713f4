//! The two stores behind the mock SP, held to one contract: every semantic test runs against a fresh
//! [`MemoryStore`] and a fresh [`SqliteStore`] in a temporary file, a seeded random script compares them step by
//! step, threads contend for the same rows, and the SQLite file is reopened and killed with SIGKILL mid-write.

use scimlab_mock_sp::store::{Indexed, Kind, MemoryStore, Record, SqliteStore, Store};
use scimlab_protocol::exchange::{Exchange, HttpRequest, HttpResponse, Timings};
use scimlab_protocol::{ScimError, ScimType};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

mod audit;
mod durability;
mod parity;

const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

/// A directory under the system temp dir, removed with everything in it when dropped.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new(tag: &str) -> TempDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let dir = std::env::temp_dir().join(format!(
            "scimlab-store-{tag}-{}-{}-{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    /// The database file inside the directory (SQLite adds `-wal` and `-shm` beside it).
    pub(crate) fn db(&self) -> PathBuf {
        self.0.join("store.sqlite")
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `test` against a fresh memory store, then a fresh SQLite store in a temp file.
pub(crate) fn each_store(mut test: impl FnMut(&str, &dyn Store)) {
    test("memory", &MemoryStore::default());
    let dir = TempDir::new("each");
    let store = SqliteStore::open(&dir.db()).expect("open sqlite store");
    test("sqlite", &store);
}

pub(crate) fn user(id: &str, name: &str) -> Value {
    json!({"schemas": [USER_URN], "id": id, "userName": name, "meta": {"resourceType": "User"}})
}

pub(crate) fn group(id: &str, name: &str, members: &[&str]) -> Value {
    let mut g = json!({"schemas": [GROUP_URN], "id": id, "displayName": name, "meta": {"resourceType": "Group"}});
    if !members.is_empty() {
        g["members"] = members.iter().map(|m| json!({"value": m})).collect();
    }
    g
}

pub(crate) fn etag(version: u64) -> String {
    format!("W/\"{version:x}\"")
}

fn ids(records: &[Record]) -> Vec<&str> {
    records.iter().map(|r| r.id.as_str()).collect()
}

fn scan_ids(s: &dyn Store, kind: Kind) -> Vec<String> {
    let mut out = Vec::new();
    s.scan(kind, &mut |r| {
        out.push(r.id.clone());
        true
    })
    .expect("scan");
    out
}

fn get(s: &dyn Store, kind: Kind, id: &str) -> Record {
    s.get(kind, id).expect("get").unwrap_or_else(|| panic!("{} {id} should exist", kind.name()))
}

fn no_check(_: &Value) -> Result<(), ScimError> {
    Ok(())
}

fn set(attr: &'static str, value: Value) -> impl FnMut(&Value) -> Result<Value, ScimError> {
    move |old| {
        let mut new = old.clone();
        new[attr] = value.clone();
        Ok(new)
    }
}

#[test]
fn insert_stamps_meta_and_get_returns_it() {
    each_store(|name, s| {
        let r = s.insert(Kind::User, user("u1", "alice")).expect("insert");
        assert_eq!((r.id.as_str(), r.version), ("u1", 1), "{name}: the first write of a fresh store is version 1");
        assert_eq!(r.resource["meta"]["version"], etag(1), "{name}");
        assert!(r.resource["meta"]["lastModified"].is_string(), "{name}: lastModified stamped");
        assert_eq!(r.resource["meta"]["resourceType"], "User", "{name}: the rest of meta is kept");
        let got = get(s, Kind::User, "u1");
        assert_eq!((got.version, &got.resource), (1, &r.resource), "{name}: get returns what insert stored");
        assert!(s.get(Kind::Group, "u1").expect("get").is_none(), "{name}: kinds are separate collections");
        assert!(s.get(Kind::User, "nope").expect("get").is_none(), "{name}");
        assert_eq!(s.count(Kind::User).expect("count"), 1, "{name}");
        assert_eq!(s.count(Kind::Group).expect("count"), 0, "{name}");
        let no_id = s.insert(Kind::User, json!({"userName": "x"})).expect_err("no id");
        assert_eq!(no_id.status, 500, "{name}");
    });
}

#[test]
fn user_name_is_unique_case_insensitively() {
    each_store(|name, s| {
        s.insert(Kind::User, user("u1", "alice")).expect("insert");
        let e = s.insert(Kind::User, user("u2", "ALICE")).expect_err("case-only difference collides");
        assert_eq!(e, ScimError::uniqueness("userName \"ALICE\" is already in use"), "{name}");
        let e = s.insert(Kind::User, user("u1", "bob")).expect_err("duplicate id");
        assert_eq!(e, ScimError::uniqueness("id \"u1\" is already in use"), "{name}");
        assert_eq!(s.count(Kind::User).expect("count"), 1, "{name}: refused inserts write nothing");
        s.insert(Kind::User, user("u3", "Ålice")).expect("a different name");
        s.insert(Kind::Group, group("g1", "Team", &[])).expect("insert group");
        s.insert(Kind::Group, group("g2", "TEAM", &[])).expect("group displayName is not unique");
        s.insert(Kind::Group, group("u1", "Same id as a user", &[])).expect("ids are unique per kind");
        s.delete(Kind::User, "u1", &mut no_check).expect("delete");
        s.insert(Kind::User, user("u4", "Alice")).expect("a freed userName can be taken again");
    });
}

#[test]
fn update_replaces_bumps_and_refuses_like_memory() {
    each_store(|name, s| {
        s.insert(Kind::User, user("u1", "alice")).expect("insert");
        s.insert(Kind::User, user("u2", "bob")).expect("insert");
        let mut called = false;
        let e = s
            .update(Kind::User, "nope", &mut |v| {
                called = true;
                Ok(v.clone())
            })
            .expect_err("unknown id");
        assert_eq!((e, called), (ScimError::not_found("User \"nope\" not found"), false), "{name}");

        let r = s.update(Kind::User, "u1", &mut set("nickName", json!("Al"))).expect("update");
        assert_eq!(r.version, 3, "{name}");
        assert_eq!(
            (r.resource["nickName"].clone(), r.resource["meta"]["version"].clone()),
            (json!("Al"), json!(etag(3)))
        );
        assert_eq!(get(s, Kind::User, "u1").resource, r.resource, "{name}: get sees the update");

        let same = s.update(Kind::User, "u1", &mut |v| Ok(v.clone())).expect("no-op update");
        assert_eq!((same.version, &same.resource), (3, &r.resource), "{name}: unchanged update keeps the version");

        let refused = ScimError::invalid_value("refused by the closure");
        let e = s.update(Kind::User, "u1", &mut |_| Err(refused.clone())).expect_err("closure error");
        assert_eq!(e, refused, "{name}: the closure's error is returned unchanged");
        let e = s.update(Kind::User, "u1", &mut set("userName", json!("BOB"))).expect_err("collision");
        assert_eq!(e, ScimError::uniqueness("userName \"BOB\" is already in use"), "{name}");
        assert_eq!(get(s, Kind::User, "u1").resource, r.resource, "{name}: refused updates write nothing");

        let r = s.update(Kind::User, "u1", &mut set("userName", json!("ALICE"))).expect("own name, new case");
        assert_eq!(r.version, 4, "{name}: no version was spent on refused or unchanged updates");
        assert_eq!(ids(&s.find(Kind::User, Indexed::UserName, "alice").expect("find")), ["u1"], "{name}");
        let r = s.update(Kind::User, "u1", &mut set("userName", json!("carol"))).expect("rename");
        assert_eq!(r.version, 5, "{name}");
        assert!(s.find(Kind::User, Indexed::UserName, "alice").expect("find").is_empty(), "{name}: old name gone");
        assert_eq!(ids(&s.find(Kind::User, Indexed::UserName, "Carol").expect("find")), ["u1"], "{name}");
        s.insert(Kind::User, user("u3", "Alice")).expect("the old name is free");
    });
}

#[test]
fn delete_checks_then_removes() {
    each_store(|name, s| {
        s.insert(Kind::User, user("u1", "alice")).expect("insert");
        s.insert(Kind::User, user("u2", "bob")).expect("insert");
        let precondition = ScimError::new(412, "If-Match does not match");
        let e = s.delete(Kind::User, "u1", &mut |_| Err(precondition.clone())).expect_err("check refuses");
        assert_eq!(e, precondition, "{name}");
        assert_eq!(s.count(Kind::User).expect("count"), 2, "{name}: a refused delete deletes nothing");
        let mut seen = None;
        s.delete(Kind::User, "u1", &mut |v| {
            seen = Some(v["userName"].clone());
            Ok(())
        })
        .expect("delete");
        assert_eq!(seen, Some(json!("alice")), "{name}: check sees the current value");
        assert!(s.get(Kind::User, "u1").expect("get").is_none(), "{name}");
        assert_eq!(scan_ids(s, Kind::User), ["u2"], "{name}");
        let e = s.delete(Kind::User, "u1", &mut no_check).expect_err("already gone");
        assert_eq!(e, ScimError::not_found("User \"u1\" not found"), "{name}");
        let e = s.delete(Kind::Group, "u2", &mut no_check).expect_err("wrong kind");
        assert_eq!(e, ScimError::not_found("Group \"u2\" not found"), "{name}");
    });
}

#[test]
fn find_and_scan_follow_creation_order() {
    each_store(|name, s| {
        s.insert(Kind::User, user("u3", "carol")).expect("insert");
        s.insert(Kind::User, json!({"id": "u1", "userName": "alice", "externalId": "E1"})).expect("insert");
        s.insert(Kind::User, json!({"id": "u2", "userName": "bob", "externalId": "e1"})).expect("insert");
        s.insert(Kind::Group, group("g2", "Team", &[])).expect("insert");
        s.insert(Kind::Group, json!({"id": "g1", "displayName": "team", "externalId": "E1"})).expect("insert");

        assert_eq!(ids(&s.find(Kind::User, Indexed::UserName, "ALICE").expect("find")), ["u1"], "{name}");
        assert_eq!(ids(&s.find(Kind::User, Indexed::ExternalId, "E1").expect("find")), ["u1"], "{name}: exact");
        assert_eq!(ids(&s.find(Kind::User, Indexed::ExternalId, "e1").expect("find")), ["u2"], "{name}: exact");
        assert_eq!(ids(&s.find(Kind::Group, Indexed::ExternalId, "E1").expect("find")), ["g1"], "{name}");
        let teams = s.find(Kind::Group, Indexed::DisplayName, "TEAM").expect("find");
        assert_eq!(ids(&teams), ["g2", "g1"], "{name}: matches in creation order");
        assert!(s.find(Kind::Group, Indexed::DisplayName, "carol").expect("find").is_empty(), "{name}");

        s.update(Kind::User, "u3", &mut set("title", json!("boss"))).expect("update");
        assert_eq!(scan_ids(s, Kind::User), ["u3", "u1", "u2"], "{name}: an update keeps the position");
        assert_eq!(scan_ids(s, Kind::Group), ["g2", "g1"], "{name}");
        let mut visited = 0;
        s.scan(Kind::User, &mut |_| {
            visited += 1;
            visited < 2
        })
        .expect("scan");
        assert_eq!(visited, 2, "{name}: scan stops when visit returns false");
        assert_eq!(s.count(Kind::User).expect("count"), 3, "{name}");
    });
}

#[test]
fn group_members_must_exist_and_follow_user_deletes() {
    each_store(|name, s| {
        s.insert(Kind::User, user("u1", "alice")).expect("insert");
        s.insert(Kind::User, user("u2", "bob")).expect("insert");
        let e = s.insert(Kind::Group, group("g1", "Admins", &["u1", "ghost"])).expect_err("dangling member");
        assert_eq!(e, ScimError::invalid_value("members: no User or Group has id \"ghost\""), "{name}");
        assert_eq!(s.count(Kind::Group).expect("count"), 0, "{name}");

        s.insert(Kind::Group, group("g1", "Admins", &["u1", "u2"])).expect("insert");
        let g2 = s.insert(Kind::Group, group("g2", "Ops", &["u1", "g1"])).expect("a group may hold a group");
        let pairs = |v: &[(&str, &str)]| v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>();
        assert_eq!(s.groups_of("u1").expect("groups_of"), pairs(&[("g1", "Admins"), ("g2", "Ops")]), "{name}");
        assert_eq!(s.groups_of("u2").expect("groups_of"), pairs(&[("g1", "Admins")]), "{name}");
        assert!(s.groups_of("nobody").expect("groups_of").is_empty(), "{name}");

        let add_ghost = json!([{"value": "u1"}, {"value": "ghost"}]);
        let e = s.update(Kind::Group, "g1", &mut set("members", add_ghost)).expect_err("dangling member");
        assert_eq!(e.scim_type, Some(ScimType::InvalidValue), "{name}");
        let g1 = s.update(Kind::Group, "g1", &mut set("members", json!([{"value": "u2"}]))).expect("update");
        assert_eq!(s.groups_of("u1").expect("groups_of"), pairs(&[("g2", "Ops")]), "{name}");
        s.update(Kind::Group, "g1", &mut set("displayName", json!("Root"))).expect("rename");
        assert_eq!(s.groups_of("u2").expect("groups_of"), pairs(&[("g1", "Root")]), "{name}: current name");

        s.delete(Kind::User, "u2", &mut no_check).expect("delete user");
        let after = get(s, Kind::Group, "g1");
        assert!(after.version > g1.version, "{name}: the group changed, so its version moved");
        assert_eq!(after.resource["meta"]["version"], etag(after.version), "{name}");
        assert!(after.resource.get("members").is_none(), "{name}: an emptied members is dropped");
        assert!(s.groups_of("u2").expect("groups_of").is_empty(), "{name}");
        assert_eq!(get(s, Kind::Group, "g2").version, g2.version, "{name}: a group without u2 is untouched");

        s.delete(Kind::User, "u1", &mut no_check).expect("delete user");
        let g2_after = get(s, Kind::Group, "g2");
        assert_eq!(g2_after.resource["members"], json!([{"value": "g1"}]), "{name}: other members stay");
        assert!(g2_after.version > after.version, "{name}");
        s.delete(Kind::Group, "g2", &mut no_check).expect("delete group");
        assert!(s.groups_of("g1").expect("groups_of").is_empty(), "{name}: a deleted group lists nobody");
    });
}

#[test]
fn concurrent_inserts_with_distinct_names_all_land() {
    each_store(|name, s| {
        std::thread::scope(|sc| {
            for t in 0..8 {
                sc.spawn(move || {
                    for i in (t..1000).step_by(8) {
                        s.insert(Kind::User, user(&format!("c{i}"), &format!("user{i}"))).expect("insert");
                    }
                });
            }
        });
        assert_eq!(s.count(Kind::User).expect("count"), 1000, "{name}");
        let mut versions = BTreeSet::new();
        let mut ids = BTreeSet::new();
        s.scan(Kind::User, &mut |r| {
            versions.insert(r.version);
            ids.insert(r.id.clone());
            true
        })
        .expect("scan");
        assert_eq!(ids.len(), 1000, "{name}");
        assert_eq!(versions, (1..=1000).collect(), "{name}: every insert took its own version");
    });
}

#[test]
fn concurrent_inserts_of_one_user_name_admit_exactly_one() {
    each_store(|name, s| {
        let results: Vec<Result<Record, ScimError>> = std::thread::scope(|sc| {
            let handles: Vec<_> = (0..8)
                .map(|t| {
                    sc.spawn(move || {
                        (t..1000)
                            .step_by(8)
                            .map(|i| {
                                let shared = if i % 2 == 0 { "Shared.Name" } else { "SHARED.name" };
                                s.insert(Kind::User, user(&format!("s{i}"), shared))
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles.into_iter().flat_map(|h| h.join().expect("thread")).collect()
        });
        assert_eq!(results.len(), 1000, "{name}");
        let (ok, err): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
        assert_eq!((ok.len(), err.len()), (1, 999), "{name}");
        for e in err.into_iter().filter_map(Result::err) {
            assert_eq!((e.status, e.scim_type), (409, Some(ScimType::Uniqueness)), "{name}: {e}");
        }
        assert_eq!(s.count(Kind::User).expect("count"), 1, "{name}");
    });
}

#[test]
fn concurrent_read_modify_write_loses_no_update() {
    each_store(|name, s| {
        let start = s.insert(Kind::User, json!({"id": "c", "userName": "counter", "count": 0})).expect("insert");
        std::thread::scope(|sc| {
            for _ in 0..8 {
                sc.spawn(|| {
                    for _ in 0..200 {
                        s.update(Kind::User, "c", &mut |old| {
                            let n = old["count"].as_u64().ok_or_else(|| ScimError::new(500, "count is gone"))?;
                            let mut new = old.clone();
                            new["count"] = json!(n + 1);
                            Ok(new)
                        })
                        .expect("update");
                    }
                });
            }
        });
        let end = get(s, Kind::User, "c");
        assert_eq!(end.resource["count"], 1600, "{name}");
        assert_eq!(end.version, start.version + 1600, "{name}: one version per increment");
    });
}

#[test]
fn sqlite_reopen_keeps_data_versions_and_order() {
    let dir = TempDir::new("reopen");
    let (users, groups, last) = {
        let s = SqliteStore::open(&dir.db()).expect("open");
        s.insert(Kind::User, user("u3", "carol")).expect("insert");
        s.insert(Kind::User, json!({"id": "u1", "userName": "alice", "externalId": "x-1"})).expect("insert");
        s.insert(Kind::User, user("u2", "bob")).expect("insert");
        s.insert(Kind::Group, group("g1", "Admins", &["u1", "u2"])).expect("insert");
        s.update(Kind::User, "u3", &mut set("title", json!("boss"))).expect("update");
        s.delete(Kind::User, "u2", &mut no_check).expect("delete");
        let last = s.insert(Kind::User, user("u9", "zed")).expect("insert").version;
        s.delete(Kind::User, "u9", &mut no_check).expect("delete the newest");
        let all = |k| {
            let mut v = Vec::new();
            s.scan(k, &mut |r| {
                v.push((r.id.clone(), r.version, r.resource.clone()));
                true
            })
            .expect("scan");
            v
        };
        (all(Kind::User), all(Kind::Group), last)
    };
    let s = SqliteStore::open(&dir.db()).expect("reopen");
    let mut again = Vec::new();
    s.scan(Kind::User, &mut |r| {
        again.push((r.id.clone(), r.version, r.resource.clone()));
        true
    })
    .expect("scan");
    assert_eq!(again, users, "users, their versions and their order survive reopening");
    assert_eq!(get(&s, Kind::Group, "g1").resource, groups[0].2, "the group survives");
    assert_eq!(s.groups_of("u1").expect("groups_of"), [("g1".to_string(), "Admins".to_string())]);
    assert_eq!(ids(&s.find(Kind::User, Indexed::ExternalId, "x-1").expect("find")), ["u1"]);
    let e = s.insert(Kind::User, user("u4", "ALICE")).expect_err("uniqueness survives");
    assert_eq!(e.status, 409);
    let r = s.insert(Kind::User, user("u4", "dave")).expect("insert after reopen");
    assert_eq!(r.version, last + 1, "the version counter continues, even past a deleted newest write");
    assert_eq!(scan_ids(&s, Kind::User), ["u3", "u1", "u4"], "new resources come after the old ones");
}

#[test]
fn sqlite_open_refuses_what_it_cannot_read() {
    let dir = TempDir::new("refuse");
    let junk = dir.path().join("junk.sqlite");
    std::fs::write(&junk, b"this is not a database, just some bytes that are long enough to matter").expect("write");
    let e = SqliteStore::open(&junk).expect_err("not a database");
    assert_eq!(e.status, 500);
    assert!(e.detail.starts_with("sqlite: "), "{}", e.detail);

    drop(SqliteStore::open(&dir.db()).expect("create"));
    let conn = rusqlite::Connection::open(dir.db()).expect("raw open");
    conn.execute("UPDATE meta SET value = 99 WHERE key = 'schema_version'", []).expect("tamper");
    drop(conn);
    let e = SqliteStore::open(&dir.db()).expect_err("foreign schema version");
    assert!(e.detail.contains("schema version 99"), "{}", e.detail);

    let e = SqliteStore::open(&dir.path().join("missing-dir").join("x.sqlite")).expect_err("no such directory");
    assert!(e.detail.starts_with("sqlite: open "), "{}", e.detail);
}

fn exchange(n: u64) -> Exchange {
    Exchange {
        id: n,
        started_at: jiff::Timestamp::from_millisecond(1_700_000_000_000 + i64::try_from(n).expect("small"))
            .expect("ts"),
        request: HttpRequest {
            method: "POST".into(),
            url: format!("http://sp.test/scim/v2/Users?n={n}"),
            headers: vec![("Authorization".into(), "Bearer [redacted]".into())],
            body: Some(format!(r#"{{"userName":"zoë{n}"}}"#)),
        },
        response: Some(HttpResponse { status: 201, headers: vec![("ETag".into(), etag(n))], body: None }),
        timings: Timings { total_us: n * 10, ttfb_us: Some(n) },
        client: Some("127.0.0.1:50000".into()),
        error: (n == 3).then(|| "connection reset".into()),
    }
}

#[test]
fn recordings_are_numbered_and_paged() {
    each_store(|name, s| {
        for n in 1..=5 {
            assert_eq!(s.record(&exchange(n)).expect("record"), n, "{name}: numbered from 1");
        }
        let all = s.recordings(0, 100).expect("recordings");
        assert_eq!(all, (1..=5).map(|n| (n, exchange(n))).collect::<Vec<_>>(), "{name}: stored as given");
        let page: Vec<u64> = s.recordings(2, 2).expect("recordings").into_iter().map(|(n, _)| n).collect();
        assert_eq!(page, [3, 4], "{name}: after 2, at most 2");
        assert!(s.recordings(5, 10).expect("recordings").is_empty(), "{name}");
        assert!(s.recordings(0, 0).expect("recordings").is_empty(), "{name}");
        assert!(s.recordings(u64::MAX, usize::MAX).expect("recordings").is_empty(), "{name}");
    });
}

#[test]
fn sqlite_keeps_every_recording_across_reopen() {
    let dir = TempDir::new("recordings");
    {
        let s = SqliteStore::open(&dir.db()).expect("open");
        for n in 1..=3 {
            s.record(&exchange(n)).expect("record");
        }
    }
    let s = SqliteStore::open(&dir.db()).expect("reopen");
    assert_eq!(s.record(&exchange(4)).expect("record"), 4, "numbering continues");
    let all = s.recordings(0, usize::MAX).expect("recordings");
    assert_eq!(all, (1..=4).map(|n| (n, exchange(n))).collect::<Vec<_>>());
}

/// Not a test of correctness: a rough throughput figure. Run with
/// `cargo test --release -p scimlab-mock-sp --test it store::throughput -- --ignored --nocapture`.
#[test]
#[ignore = "timing report, run by hand in release mode"]
fn throughput() {
    each_store(|name, s| {
        let t = std::time::Instant::now();
        for i in 0..10_000 {
            s.insert(Kind::User, user(&format!("t{i}"), &format!("user{i}"))).expect("insert");
        }
        let inserts = t.elapsed();
        let t = std::time::Instant::now();
        for i in 0..10_000 {
            assert!(s.get(Kind::User, &format!("t{i}")).expect("get").is_some());
        }
        let gets = t.elapsed();
        let rate = |d: std::time::Duration| 10_000.0 / d.as_secs_f64();
        println!("{name}: 10k inserts {inserts:?} ({:.0}/s), 10k gets {gets:?} ({:.0}/s)", rate(inserts), rate(gets));
    });
}
