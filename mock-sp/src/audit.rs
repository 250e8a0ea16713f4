//! The audit trail: every change to a resource, who made it, and what it changed, as an RFC 6902 JSON Patch.
//!
//! The store writes an [`AuditEntry`] inside the same lock or transaction as the change itself, so that each
//! change is recorded exactly once, in the order the changes happened, and a write that fails (a 409, a 412, a
//! rolled-back transaction) records nothing. That includes the changes nobody asked for by name: the Groups a
//! User's deletion takes it out of are entries of their own ([`Operation::MembershipCleanup`]), attributed to the
//! request that deleted the User. The HTTP layer says who is writing through a [`Cause`]: the operation, and the
//! [`RequestInfo`] of the request (method, path, the recording's sequence number, and the [`Client`]: address,
//! User-Agent and the *label* of the credential, never the credential).
//!
//! The patch goes from the resource before to the resource after, with `meta` left out of both (its
//! `lastModified` and `version` change on every write and would drown what the client changed) and passwords
//! replaced by a marker. A create is the patch from `{}`, a delete the patch to `{}`. A [`Tap`] streams each
//! entry, as it is stored, to a JSON Lines writer on its own thread (`scimlab serve --audit-log FILE`).

use crate::store::Kind;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};

/// What a password value is replaced with in a patch.
pub const PASSWORD_MARK: &str = "[redacted]";

/// What a changed password value is replaced with on the side after the change.
pub const PASSWORD_CHANGED_MARK: &str = "[redacted: changed]";

/// One change to one resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuditEntry {
    /// Position in the audit trail, from 1, never reused.
    pub seq: u64,
    /// When the change was stored (RFC 3339, milliseconds).
    pub time: String,
    /// `User` or `Group`.
    pub resource_type: String,
    /// The resource's id.
    pub resource_id: String,
    /// The User's `userName` or the Group's `displayName` after the change (before it, for a delete).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What kind of write made the change.
    pub operation: Operation,
    /// The request that made it; `None` for a change the server made on its own (the `data-loss` fault).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestInfo>,
    /// The RFC 6902 JSON Patch from the resource before to the resource after (`meta` left out).
    pub patch: json_patch::Patch,
}

/// The kinds of write an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Operation {
    /// `POST /Users` or `/Groups` (RFC 7644 section 3.3).
    Create,
    /// `PUT` (section 3.5.1).
    Replace,
    /// `PATCH` (section 3.5.2).
    Patch,
    /// `DELETE` (section 3.6).
    Delete,
    /// A POST inside a `/Bulk` request (section 3.7).
    BulkCreate,
    /// A PUT inside a `/Bulk` request.
    BulkReplace,
    /// A PATCH inside a `/Bulk` request (also the references a circular bulk adds back once the cycle exists).
    BulkPatch,
    /// A DELETE inside a `/Bulk` request.
    BulkDelete,
    /// A Group losing a member because that member was deleted (RFC 7643 section 4.2 keeps membership
    /// consistent); attributed to the request that deleted the member.
    MembershipCleanup,
    /// A change made through the store without saying how (the server's own writes, embedders, tests).
    Update,
}

impl Operation {
    /// The name written in JSON and in the timeline (`bulk-patch`).
    pub fn name(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Replace => "replace",
            Operation::Patch => "patch",
            Operation::Delete => "delete",
            Operation::BulkCreate => "bulk-create",
            Operation::BulkReplace => "bulk-replace",
            Operation::BulkPatch => "bulk-patch",
            Operation::BulkDelete => "bulk-delete",
            Operation::MembershipCleanup => "membership-cleanup",
            Operation::Update => "update",
        }
    }
}

/// The request a change came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestInfo {
    /// The HTTP method (`PATCH`; `POST` for every operation of a /Bulk request).
    pub method: String,
    /// The request's path, without the query (`/scim/v2/Users/2819c223`).
    pub path: String,
    /// The sequence number of the recorded exchange (`scimlab recordings show SEQ`), when recording is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording: Option<u64>,
    /// Who sent it.
    pub client: Client,
}

/// Who sent a request. Never a credential: only a label naming which one was used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Client {
    /// The peer's socket address (`127.0.0.1:53422`), when the server knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The `User-Agent` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// Which configured credential authenticated the request (`bearer token`, `basic user okta`); `None` when
    /// the server asks for none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// What the HTTP layer tells the store about a write: its operation and, for a client's write, the request.
#[derive(Debug, Clone, Copy)]
pub struct Cause<'a> {
    /// The kind of write.
    pub operation: Operation,
    /// The request, if a client asked for the change.
    pub request: Option<&'a RequestInfo>,
}

impl<'a> Cause<'a> {
    /// A client's write, by `request`.
    pub fn by(operation: Operation, request: &'a RequestInfo) -> Cause<'a> {
        Cause { operation, request: Some(request) }
    }

    /// A write nobody asked for over HTTP.
    pub fn server(operation: Operation) -> Cause<'static> {
        Cause { operation, request: None }
    }

    /// The same cause with another operation (the membership cleanup of a delete).
    pub fn with(self, operation: Operation) -> Cause<'a> {
        Cause { operation, ..self }
    }
}

/// The request and client a handler's writes are attributed to: method, path, the recording's number (set by
/// the recorder, [`crate::recorder::RecordingSeq`]), the peer address the server accepted, the `User-Agent`, and
/// the label of the credential the request carries ([`crate::auth::Authenticator::label`]).
pub fn request_of(st: &crate::state::Shared, parts: &axum::http::request::Parts) -> RequestInfo {
    use axum::extract::ConnectInfo;
    let address = parts.extensions.get::<ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.to_string());
    let user_agent =
        parts.headers.get(axum::http::header::USER_AGENT).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    RequestInfo {
        method: parts.method.as_str().to_owned(),
        // The SCIM routes are nested under the base path, which the router strips from the URI they see.
        path: format!("{}{}", st.config.base_path.trim_end_matches('/'), parts.uri.path()),
        recording: parts.extensions.get::<crate::recorder::RecordingSeq>().map(|s| s.0),
        client: Client { address, user_agent, credential: st.auth.label(&parts.headers) },
    }
}

/// An entry for the change of `kind`/`id` from `before` to `after` (`None`: the resource did not exist), not yet
/// numbered (`seq` 0; the store numbers it as it stores it).
pub fn entry(
    kind: Kind,
    id: &str,
    before: Option<&Value>,
    after: Option<&Value>,
    cause: Cause<'_>,
    time: &str,
) -> AuditEntry {
    let empty = Value::Object(Default::default());
    let (mut b, mut a) = (comparable(before.unwrap_or(&empty)), comparable(after.unwrap_or(&empty)));
    mask_password(&mut b, &mut a);
    let named = after.or(before).and_then(|r| crate::store::index_key(r, name_attr(kind)));
    AuditEntry {
        seq: 0,
        time: time.to_owned(),
        resource_type: kind.name().to_owned(),
        resource_id: id.to_owned(),
        name: named,
        operation: cause.operation,
        request: cause.request.cloned(),
        patch: json_patch::diff(&b, &a),
    }
}

/// The attribute an entry's `name` comes from.
fn name_attr(kind: Kind) -> &'static str {
    match kind {
        Kind::User => "userName",
        Kind::Group => "displayName",
    }
}

/// `resource` without `meta`, whose timestamps and version change on every write.
fn comparable(resource: &Value) -> Value {
    let mut v = resource.clone();
    if let Some(obj) = v.as_object_mut()
        && let Some(key) = scimlab_protocol::json::key_ci(obj, "meta").map(str::to_owned)
    {
        obj.shift_remove(&key);
    }
    v
}

/// Replaces `password` values (any case) on both sides with markers, so a patch says that a password was set or
/// changed and never what it is.
fn mask_password(before: &mut Value, after: &mut Value) {
    let key = |v: &Value| v.as_object().and_then(|o| scimlab_protocol::json::key_ci(o, "password")).map(str::to_owned);
    let (kb, ka) = (key(before), key(after));
    let old = kb.as_ref().and_then(|k| before.get(k)).cloned();
    let changed = ka.as_ref().and_then(|k| after.get(k)).is_some_and(|new| Some(new) != old.as_ref());
    if let (Some(k), Some(o)) = (&kb, before.as_object_mut()) {
        o.insert(k.clone(), Value::String(PASSWORD_MARK.to_owned()));
    }
    if let (Some(k), Some(o)) = (&ka, after.as_object_mut()) {
        let mark = if changed && kb.is_some() { PASSWORD_CHANGED_MARK } else { PASSWORD_MARK };
        o.insert(k.clone(), Value::String(mark.to_owned()));
    }
}

/// About how much memory an entry holds, for the memory store's byte bound.
pub fn weight(e: &AuditEntry) -> usize {
    let request = e.request.as_ref().map_or(0, |r| {
        let c = &r.client;
        let opt = |s: &Option<String>| s.as_ref().map_or(0, String::len);
        r.method.len() + r.path.len() + opt(&c.address) + opt(&c.user_agent) + opt(&c.credential) + 96
    });
    let patch: usize = e
        .patch
        .iter()
        .map(|op| {
            64 + match op {
                json_patch::PatchOperation::Add(o) => o.path.as_str().len() + value_weight(&o.value),
                json_patch::PatchOperation::Replace(o) => o.path.as_str().len() + value_weight(&o.value),
                json_patch::PatchOperation::Test(o) => o.path.as_str().len() + value_weight(&o.value),
                json_patch::PatchOperation::Remove(o) => o.path.as_str().len(),
                json_patch::PatchOperation::Move(o) => o.path.as_str().len() + o.from.as_str().len(),
                json_patch::PatchOperation::Copy(o) => o.path.as_str().len() + o.from.as_str().len(),
            }
        })
        .sum();
    192 + e.time.len() + e.resource_id.len() + e.name.as_ref().map_or(0, String::len) + request + patch
}

/// About how much memory a JSON value holds.
fn value_weight(v: &Value) -> usize {
    match v {
        Value::String(s) => 24 + s.len(),
        Value::Array(a) => 24 + a.iter().map(value_weight).sum::<usize>(),
        Value::Object(o) => 48 + o.iter().map(|(k, v)| 24 + k.len() + value_weight(v)).sum::<usize>(),
        _ => 16,
    }
}

/// Where a store sends each audit entry as it stores it: a bounded channel to a writer thread. Sending never
/// waits: when the writer falls this far behind, entries are dropped from the stream (they stay in the store)
/// and the loss is reported once.
pub struct Tap {
    tx: SyncSender<AuditEntry>,
    dropped: AtomicU64,
    warned: AtomicBool,
}

/// Entries the stream may hold before the writer; beyond, they are dropped from the stream.
pub const TAP_CAPACITY: usize = 65_536;

impl Tap {
    /// Sends `entry` to the writer without waiting.
    pub fn send(&self, entry: &AuditEntry) {
        match self.tx.try_send(entry.clone()) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
                if !self.warned.swap(true, Ordering::Relaxed) {
                    eprintln!(
                        "scimlab serve: the audit log writer is {TAP_CAPACITY} entries behind; entries are left out \
                         of the log until it catches up (scimlab recordings audit still has them)"
                    );
                }
            }
            // The writer stopped (its output failed and said so): nothing more to do.
            Err(TrySendError::Disconnected(_)) => {}
        }
    }

    /// How many entries were left out of the stream because the writer was behind.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// Streams audit entries to `out` as JSON Lines, one flushed line per entry, on a thread of its own: the
/// [`Tap`] to give the store, and the thread's handle (it ends when the tap is dropped, or when `out` fails,
/// which is reported once on standard error as `failed to write the audit log to NAME: ...`).
pub fn stream_to(out: Box<dyn Write + Send>, name: String) -> (Tap, std::thread::JoinHandle<()>) {
    let (tx, rx) = std::sync::mpsc::sync_channel(TAP_CAPACITY);
    let shown = name.clone();
    let handle =
        std::thread::Builder::new().name("scimlab-audit-log".to_owned()).spawn(move || write_lines(rx, out, &shown));
    let handle = match handle {
        Ok(h) => h,
        // No thread: the tap's receiver is gone with the closure, so sending is a no-op; say so once.
        Err(e) => {
            eprintln!("failed to start the audit log writer for {name}: {e}");
            std::thread::spawn(|| {})
        }
    };
    (Tap { tx, dropped: AtomicU64::new(0), warned: AtomicBool::new(false) }, handle)
}

fn write_lines(rx: Receiver<AuditEntry>, mut out: Box<dyn Write + Send>, name: &str) {
    for entry in rx {
        let written = serde_json::to_vec(&entry).map_err(std::io::Error::other).and_then(|mut line| {
            line.push(b'\n');
            out.write_all(&line)?;
            out.flush()
        });
        if let Err(e) = written {
            eprintln!("failed to write the audit log to {name}: {e}; the audit log stops here");
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patch_of(e: &AuditEntry) -> Value {
        serde_json::to_value(&e.patch).expect("patch serialises")
    }

    #[test]
    fn a_create_is_the_patch_from_nothing_without_meta() {
        let after = json!({"id": "u1", "userName": "ada", "meta": {"version": "W/\"1\""}});
        let e = entry(Kind::User, "u1", None, Some(&after), Cause::server(Operation::Create), "t");
        assert_eq!(
            patch_of(&e),
            json!([{"op": "add", "path": "/id", "value": "u1"}, {"op": "add", "path": "/userName", "value": "ada"}])
        );
        assert_eq!(e.name.as_deref(), Some("ada"));
        let gone = entry(Kind::User, "u1", Some(&after), None, Cause::server(Operation::Delete), "t");
        assert_eq!(patch_of(&gone), json!([{"op": "remove", "path": "/id"}, {"op": "remove", "path": "/userName"}]));
        assert_eq!(gone.name.as_deref(), Some("ada"), "a deleted resource keeps the name it had");
    }

    #[test]
    fn passwords_never_reach_a_patch() {
        let before = json!({"userName": "ada", "password": "hunter2"});
        let same = entry(Kind::User, "u", Some(&before), Some(&before), Cause::server(Operation::Update), "t");
        assert_eq!(patch_of(&same), json!([]));
        let after = json!({"userName": "ada", "Password": "correct horse"});
        let changed = entry(Kind::User, "u", Some(&before), Some(&after), Cause::server(Operation::Update), "t");
        let text = serde_json::to_string(&changed).expect("json");
        assert!(!text.contains("hunter2") && !text.contains("correct horse"), "{text}");
        assert!(text.contains(PASSWORD_CHANGED_MARK), "{text}");
        let set = entry(Kind::User, "u", None, Some(&after), Cause::server(Operation::Create), "t");
        assert_eq!(patch_of(&set)[1], json!({"op": "add", "path": "/Password", "value": PASSWORD_MARK}));
    }

    #[test]
    fn entries_round_trip_through_json() {
        let request = RequestInfo {
            method: "PATCH".into(),
            path: "/scim/v2/Users/u".into(),
            recording: Some(7),
            client: Client {
                address: Some("127.0.0.1:1".into()),
                user_agent: Some("okta".into()),
                credential: Some("bearer token".into()),
            },
        };
        let mut e = entry(
            Kind::User,
            "u",
            Some(&json!({"active": true})),
            Some(&json!({"active": false})),
            Cause::by(Operation::Patch, &request),
            "2026-01-01T00:00:00Z",
        );
        e.seq = 3;
        let line = serde_json::to_string(&e).expect("json");
        assert_eq!(serde_json::from_str::<AuditEntry>(&line).expect("reads back"), e);
        assert!(line.contains(r#""operation":"patch""#) && line.contains(r#""recording":7"#), "{line}");
        assert!(weight(&e) > 192);
    }

    #[test]
    fn the_stream_writes_one_flushed_line_per_entry() {
        #[derive(Clone, Default)]
        struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
        impl Write for Shared {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().expect("lock").extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buf = Shared::default();
        let (tap, handle) = stream_to(Box::new(buf.clone()), "test".into());
        for seq in 1..=3 {
            let mut e = entry(
                Kind::Group,
                "g",
                None,
                Some(&json!({"displayName": "x"})),
                Cause::server(Operation::Create),
                "t",
            );
            e.seq = seq;
            tap.send(&e);
        }
        drop(tap);
        handle.join().expect("writer ends");
        let text = String::from_utf8(buf.0.lock().expect("lock").clone()).expect("utf-8");
        let seqs: Vec<u64> =
            text.lines().map(|l| serde_json::from_str::<AuditEntry>(l).expect("one entry per line").seq).collect();
        assert_eq!(seqs, [1, 2, 3]);
    }
}
