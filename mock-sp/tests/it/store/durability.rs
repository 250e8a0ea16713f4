//! SIGKILL in the middle of a stream of writes: every insert the SQLite store acknowledged is on disk afterwards.
//!
//! The test re-executes its own test binary, filtered to itself, with an environment variable that turns it into
//! the writer: the child opens the store and inserts users in a loop, printing each id right after `insert`
//! returned Ok. The parent reads a few hundred acknowledgements, kills the child with SIGKILL (so no destructor,
//! no checkpoint, no close runs), reopens the file and looks for every acknowledged user.

use super::{TempDir, etag};
use scimlab_mock_sp::store::{Kind, SqliteStore, Store};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Set in the child's environment to the database path; its presence makes the test the writer.
const CHILD_ENV: &str = "SCIMLAB_STORE_KILL_CHILD";
/// This test's name, for the child's `--exact` filter.
const TEST_NAME: &str = "sqlite_loses_nothing_acknowledged_when_killed";
/// How many acknowledgements the parent waits for before it kills.
const ACKS_BEFORE_KILL: usize = 300;
/// The child stops by itself after this long, should nobody kill it.
const CHILD_LIFETIME: Duration = Duration::from_secs(20);
/// The parent gives up waiting for acknowledgements after this long.
const PARENT_PATIENCE: Duration = Duration::from_secs(60);

/// The n-th user the child writes: several attribute shapes, non-ASCII text, and a size that varies so that
/// rows straddle pages.
fn kill_user(n: u64) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": format!("k{n}"),
        "userName": format!("killed.user.{n}@example.com"),
        "externalId": format!("ext-{n}"),
        "name": {"givenName": "Zoë", "familyName": format!("Ångström {n}")},
        "emails": [{"value": format!("user{n}@example.com"), "type": "work", "primary": true}],
        "active": n.is_multiple_of(2),
        "padding": "p".repeat(usize::try_from(n % 700).unwrap_or(0)),
        "meta": {"resourceType": "User"},
    })
}

fn without_meta(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("meta");
    }
    v
}

/// The writer: insert, acknowledge on stdout, repeat, until killed or out of time.
fn run_child(db: &Path) {
    let store = SqliteStore::open(db).expect("child: open store");
    let deadline = Instant::now() + CHILD_LIFETIME;
    let mut out = std::io::stdout().lock();
    let mut n = 0;
    while Instant::now() < deadline {
        let r = store.insert(Kind::User, kill_user(n)).expect("child: insert");
        writeln!(out, "ACK {n} {} {}", r.id, r.version).expect("child: stdout");
        out.flush().expect("child: flush");
        n += 1;
    }
}

#[cfg(unix)]
#[test]
fn sqlite_loses_nothing_acknowledged_when_killed() {
    use std::os::unix::process::ExitStatusExt;

    if let Some(db) = std::env::var_os(CHILD_ENV) {
        run_child(Path::new(&db));
        return;
    }
    let dir = TempDir::new("kill");
    let module = module_path!().split_once("::").map_or(module_path!(), |(_, rest)| rest);
    let exe = std::env::current_exe().expect("current test binary");
    let mut child = Command::new(exe)
        .args([&format!("{module}::{TEST_NAME}"), "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, dir.db())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the writer");
    let stdout = child.stdout.take().expect("child stdout");
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            // libtest prints "test <name> ... " without a newline before the test runs, so the first
            // acknowledgement shares its line.
            if let Some((_, ack)) = line.split_once("ACK ")
                && tx.send(ack.to_owned()).is_err()
            {
                break;
            }
        }
    });

    let deadline = Instant::now() + PARENT_PATIENCE;
    let mut acks = Vec::new();
    while acks.len() < ACKS_BEFORE_KILL {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(ack) => acks.push(ack),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the writer acknowledged only {} inserts before {e:?}", acks.len());
            }
        }
    }
    child.kill().expect("SIGKILL the writer");
    let status = child.wait().expect("reap the writer");
    assert_eq!(status.signal(), Some(9), "the writer died of SIGKILL mid-stream, not by itself: {status:?}");
    reader.join().expect("reader thread");
    // Lines already in the pipe when the kill landed were acknowledged too.
    acks.extend(rx.try_iter());

    let acked: Vec<(u64, String, u64)> = acks
        .iter()
        .map(|a| {
            let mut f = a.split(' ');
            let n = f.next().and_then(|x| x.parse().ok()).expect("ack number");
            let id = f.next().expect("ack id").to_owned();
            let version = f.next().and_then(|x| x.parse().ok()).expect("ack version");
            (n, id, version)
        })
        .collect();
    let store = SqliteStore::open(&dir.db()).expect("reopen after the kill");
    for (n, id, version) in &acked {
        let r = store.get(Kind::User, id).expect("get").unwrap_or_else(|| panic!("acknowledged user {id} lost"));
        assert_eq!(without_meta(&r.resource), without_meta(&kill_user(*n)), "body of {id} intact");
        assert_eq!(r.version, *version, "version of {id}");
        assert_eq!(r.resource["meta"]["version"], etag(*version), "meta.version of {id}");
    }
    let count = store.count(Kind::User).expect("count");
    assert!(
        (acked.len()..=acked.len() + 1).contains(&count),
        "{count} users stored for {} acknowledged: at most the one insert in flight may have landed unacknowledged",
        acked.len()
    );
    let mut order = Vec::new();
    store
        .scan(Kind::User, &mut |r| {
            order.push(r.id.clone());
            true
        })
        .expect("scan");
    let acked_ids: Vec<&str> = acked.iter().map(|(_, id, _)| id.as_str()).collect();
    assert_eq!(&order[..acked.len()], &acked_ids[..], "creation order survives the kill");

    let last = acked.iter().map(|a| a.2).max().unwrap_or(0);
    let r = store.insert(Kind::User, kill_user(1_000_000)).expect("the store accepts writes after the kill");
    assert!(r.version > last, "the version counter continues past {last}");
    assert_eq!(store.get(Kind::User, "k1000000").expect("get").map(|r| r.version), Some(r.version));
}
