//! Where the mock service provider keeps resources and recordings.
//!
//! The [`Store`] trait is the only thing the HTTP layer knows about storage: [`MemoryStore`] by default,
//! [`SqliteStore`] with `--data FILE`. Every write is atomic and checked for uniqueness inside the store, so that
//! concurrent writers never lose an acknowledged write and never both win a contested `userName`.

mod memory;
mod sqlite;

pub use memory::{DEFAULT_RECORDING_BYTES, DEFAULT_RECORDING_CAPACITY, MemoryStore, etag_of, now_rfc3339};
pub use sqlite::SqliteStore;

use crate::audit::{AuditEntry, Cause, Operation, Tap};
use scimlab_protocol::ScimError;
use scimlab_protocol::exchange::Exchange;
use serde_json::Value;
use std::borrow::Cow;
use std::sync::Arc;

/// The resource collections the mock SP serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// `/Users`
    User,
    /// `/Groups`
    Group,
}

impl Kind {
    /// Both kinds, Users first.
    pub const ALL: [Kind; 2] = [Kind::User, Kind::Group];

    /// The resource type name (`meta.resourceType`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::User => "User",
            Kind::Group => "Group",
        }
    }

    /// The endpoint segment (`Users`).
    pub fn endpoint(self) -> &'static str {
        match self {
            Kind::User => "Users",
            Kind::Group => "Groups",
        }
    }

    /// The kind served at an endpoint segment, case-insensitively.
    pub fn from_endpoint(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.endpoint().eq_ignore_ascii_case(s))
    }
}

/// One stored resource. `resource` is the full representation (with `id` and `meta`), shared so reads do not copy.
#[derive(Debug, Clone)]
pub struct Record {
    /// The resource's id.
    pub id: String,
    /// Monotonic version, bumped on every change; `meta.version` is derived from it.
    pub version: u64,
    /// The stored JSON.
    pub resource: Arc<Value>,
}

/// Equality lookups the store answers from an index (RFC 7643 uniqueness and the IdPs' matching attributes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indexed {
    /// `userName`, case-insensitively (its caseExact is false).
    UserName,
    /// `externalId`, exactly (caseExact true).
    ExternalId,
    /// Group `displayName`, case-insensitively.
    DisplayName,
}

/// What a store mutation closure decides.
pub type Mutation<'a> = &'a mut dyn FnMut(&Value) -> Result<Value, ScimError>;

/// Storage for the mock SP. Implementations must make every method atomic with respect to the others.
///
/// Every change a write makes is also appended to the audit trail ([`crate::audit`]) inside the same lock or
/// transaction: one entry per resource changed, none when the write fails or changes nothing. The `*_by` methods
/// say who is writing; the plain ones record an [`Operation::Update`]-style entry with no request.
pub trait Store: Send + Sync + 'static {
    /// Inserts a new resource whose `id` and `meta` are already set. Fails with 409 uniqueness when its
    /// `userName` (Users) collides with another, case-insensitively.
    fn insert_by(&self, kind: Kind, resource: Value, cause: Cause<'_>) -> Result<Record, ScimError>;

    /// [`Store::insert_by`], as a server-side create.
    fn insert(&self, kind: Kind, resource: Value) -> Result<Record, ScimError> {
        self.insert_by(kind, resource, Cause::server(Operation::Create))
    }

    /// The resource with this id.
    fn get(&self, kind: Kind, id: &str) -> Result<Option<Record>, ScimError>;

    /// Atomically replaces a resource with what `f` returns from the current one (PUT, PATCH). 404 when the id
    /// is unknown; 409 uniqueness when the new value collides; `f`'s error is returned unchanged and nothing is
    /// written. A value equal to the current one writes nothing (no new version, no audit entry).
    fn update_by(&self, kind: Kind, id: &str, f: Mutation<'_>, cause: Cause<'_>) -> Result<Record, ScimError>;

    /// [`Store::update_by`], as a server-side update.
    fn update(&self, kind: Kind, id: &str, f: Mutation<'_>) -> Result<Record, ScimError> {
        self.update_by(kind, id, f, Cause::server(Operation::Update))
    }

    /// Deletes a resource after `check` accepted the current value (If-Match). Deleting a User or Group removes it
    /// from every Group's `members` (RFC 7643 section 4.2 keeps membership consistent), each such Group recorded
    /// as a [`Operation::MembershipCleanup`] of the same cause. 404 when unknown.
    fn delete_by(&self, kind: Kind, id: &str, check: Check<'_>, cause: Cause<'_>) -> Result<(), ScimError>;

    /// [`Store::delete_by`], as a server-side delete.
    fn delete(&self, kind: Kind, id: &str, check: Check<'_>) -> Result<(), ScimError> {
        self.delete_by(kind, id, check, Cause::server(Operation::Delete))
    }

    /// Resources whose indexed attribute equals `value` (per the attribute's case rule), in creation order.
    fn find(&self, kind: Kind, attr: Indexed, value: &str) -> Result<Vec<Record>, ScimError>;

    /// Visits every resource in creation order until `visit` returns false.
    fn scan(&self, kind: Kind, visit: &mut dyn FnMut(&Record) -> bool) -> Result<(), ScimError>;

    /// [`Store::scan`], [`SCAN_CHUNK`] resources at a time (fewer in the last chunk), so that a filter can evaluate
    /// many together (`Matcher::select` overlaps their memory reads). The default copies each record out of
    /// [`Store::scan`]; the memory store lends its own.
    fn scan_chunks(&self, kind: Kind, visit: &mut dyn FnMut(&[&Record]) -> bool) -> Result<(), ScimError> {
        let mut chunk: Vec<Record> = Vec::with_capacity(SCAN_CHUNK);
        let mut go = true;
        let mut flush = |chunk: &mut Vec<Record>| {
            let refs: Vec<&Record> = chunk.iter().collect();
            let more = visit(&refs);
            chunk.clear();
            more
        };
        self.scan(kind, &mut |r| {
            chunk.push(r.clone());
            if chunk.len() == SCAN_CHUNK {
                go = flush(&mut chunk);
            }
            go
        })?;
        if go && !chunk.is_empty() {
            flush(&mut chunk);
        }
        Ok(())
    }

    /// How many resources of this kind exist.
    fn count(&self, kind: Kind) -> Result<usize, ScimError>;

    /// The groups a user is a direct member of: (group id, displayName), for the User's readOnly `groups`.
    fn groups_of(&self, user_id: &str) -> Result<Vec<(String, String)>, ScimError>;

    /// Appends a recorded exchange (already redacted) and returns its sequence number: its `id` when that is not 0
    /// (a number from [`Store::reserve_recording`]), else the next one.
    fn record(&self, exchange: &Exchange) -> Result<u64, ScimError>;

    /// [`Store::record`], taking the exchange, so a store that keeps exchanges in memory need not copy it (the
    /// recorder calls this once per request).
    fn record_owned(&self, exchange: Exchange) -> Result<u64, ScimError> {
        self.record(&exchange)
    }

    /// Recorded exchanges with sequence numbers greater than `after`, oldest first, at most `limit`.
    fn recordings(&self, after: u64, limit: usize) -> Result<Vec<(u64, Exchange)>, ScimError>;

    /// Takes the next recording sequence number for an exchange that is still being served, so that the changes
    /// it makes can name it; the exchange is then stored with that number as its `id` ([`Store::record`] keeps a
    /// non-zero `id` as the sequence number).
    fn reserve_recording(&self) -> u64;

    /// Audit entries with sequence numbers greater than `after`, oldest first, at most `limit`.
    fn audit(&self, after: u64, limit: usize) -> Result<Vec<AuditEntry>, ScimError>;

    /// Streams every audit entry stored from now on to `tap` as well. A store takes one tap; a second is handed
    /// back.
    fn set_audit_tap(&self, tap: Tap) -> Result<(), Tap>;
}

/// What a delete's If-Match check closure is.
pub type Check<'a> = &'a mut dyn FnMut(&Value) -> Result<(), ScimError>;

/// How many resources [`Store::scan_chunks`] hands over at a time.
pub const SCAN_CHUNK: usize = 256;

/// The string value of `attr` (named in any case) in `resource`, as the indexes key it.
pub(crate) fn index_str<'v>(resource: &'v Value, attr: &str) -> Option<&'v str> {
    scimlab_protocol::json::get_ci(resource.as_object()?, attr).and_then(Value::as_str)
}

/// [`index_str`], owned.
pub(crate) fn index_key(resource: &Value, attr: &str) -> Option<String> {
    index_str(resource, attr).map(str::to_owned)
}

/// Case-folds a key for the case-insensitive indexes (userName, displayName).
pub(crate) fn fold(s: &str) -> String {
    folded(s).into_owned()
}

/// [`fold`], borrowing `s` when it has nothing to fold (the common case: most userNames are lower case).
pub(crate) fn folded(s: &str) -> Cow<'_, str> {
    match s.is_ascii() {
        true if !s.bytes().any(|b| b.is_ascii_uppercase()) => Cow::Borrowed(s),
        true => Cow::Owned(s.to_ascii_lowercase()),
        false => Cow::Owned(s.to_lowercase()),
    }
}

/// The member ids listed in a Group's `members`.
pub(crate) fn member_ids(group: &Value) -> Vec<String> {
    group
        .as_object()
        .and_then(|o| scimlab_protocol::json::get_ci(o, "members"))
        .and_then(Value::as_array)
        .map(|ms| {
            ms.iter()
                .filter_map(|m| m.as_object().and_then(|o| scimlab_protocol::json::get_ci(o, "value")))
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(n: usize) -> Value {
        serde_json::json!({"id": format!("id-{n}"), "userName": format!("user{n}")})
    }

    /// Chunks of both stores (the memory store's own, SQLite's through the default) hold every record once, in
    /// creation order, at most SCAN_CHUNK at a time, and stop when the visitor says so.
    #[test]
    fn scan_chunks_visits_every_record_in_order_and_stops_when_asked() {
        let dir = std::env::temp_dir().join(format!("scimlab-scan-chunks-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let sqlite = SqliteStore::open(&dir.join("s.sqlite")).expect("open");
        let stores: [&dyn Store; 2] = [&MemoryStore::default(), &sqlite];
        let n = SCAN_CHUNK * 2 + 3;
        for store in stores {
            for i in 0..n {
                store.insert(Kind::User, user(i)).expect("insert");
            }
            let (mut ids, mut sizes) = (Vec::new(), Vec::new());
            store
                .scan_chunks(Kind::User, &mut |chunk| {
                    sizes.push(chunk.len());
                    ids.extend(chunk.iter().map(|r| r.id.clone()));
                    true
                })
                .expect("scan");
            assert_eq!(sizes, [SCAN_CHUNK, SCAN_CHUNK, 3]);
            assert_eq!(ids, (0..n).map(|i| format!("id-{i}")).collect::<Vec<_>>());
            let mut calls = 0;
            store
                .scan_chunks(Kind::User, &mut |_| {
                    calls += 1;
                    false
                })
                .expect("scan");
            assert_eq!(calls, 1, "a visitor that answers false is not called again");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
