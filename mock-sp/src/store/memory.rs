//! The in-memory store: the default, and the fastest.
//!
//! One `RwLock` guards everything, so every operation is trivially atomic; reads take the shared lock and share
//! resources through `Arc`, so a GET copies nothing but the pointer. Creation order is kept by a sequence number
//! (a `BTreeMap`), which gives list endpoints a stable order across pages.

use super::{Check, Indexed, Kind, Mutation, Record, Store, folded, index_key, index_str, member_ids};
use crate::audit::{self, AuditEntry, Cause, Operation, Tap};
use scimlab_protocol::ScimError;
use scimlab_protocol::exchange::Exchange;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// How many exchanges the memory store keeps; older ones are dropped first (a SQLite store keeps them all). The
/// audit trail is bounded the same way, by the same numbers, on its own count.
pub const DEFAULT_RECORDING_CAPACITY: usize = 100_000;

/// How many bytes of recorded exchanges the memory store keeps (bodies, URLs and headers, roughly): /Bulk
/// requests of 100 users weigh about 50 kB each, so the count alone would let a load run fill gigabytes.
pub const DEFAULT_RECORDING_BYTES: usize = 256 << 20;

/// The maps of the store are keyed by strings the clients choose and grow to millions of entries under load, so
/// they hash with foldhash (randomly seeded, several times cheaper than the standard SipHash on short keys).
type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

#[derive(Default)]
struct Table {
    by_seq: BTreeMap<u64, Record>,
    seq_of: Map<String, u64>,
    by_name: Map<String, Seqs>,
    by_external: Map<String, Seqs>,
}

/// The sequence numbers filed under one index key. Nearly always one (a userName is unique), so that case holds
/// the number inline instead of allocating a set; more than one appears with displayNames, externalIds, and the
/// deviations that let duplicates in.
#[derive(Debug, Clone, PartialEq)]
enum Seqs {
    One(u64),
    Many(BTreeSet<u64>),
}

impl Seqs {
    fn insert(&mut self, seq: u64) {
        match self {
            Seqs::One(s) if *s == seq => {}
            Seqs::One(s) => *self = Seqs::Many(BTreeSet::from([*s, seq])),
            Seqs::Many(set) => {
                set.insert(seq);
            }
        }
    }

    /// Removes `seq`; true when no number is left under the key.
    fn remove(&mut self, seq: u64) -> bool {
        match self {
            Seqs::One(s) => *s == seq,
            Seqs::Many(set) => {
                set.remove(&seq);
                match (set.len(), set.first()) {
                    (0, _) => return true,
                    (1, Some(&last)) => *self = Seqs::One(last),
                    _ => {}
                }
                false
            }
        }
    }

    /// The numbers in ascending order (creation order).
    fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        let (one, many) = match self {
            Seqs::One(s) => (Some(*s), None),
            Seqs::Many(set) => (None, Some(set.iter().copied())),
        };
        one.into_iter().chain(many.into_iter().flatten())
    }
}

/// Files `seq` under `key`, allocating the key only when it is new.
fn file(map: &mut Map<String, Seqs>, key: &str, seq: u64) {
    match map.get_mut(key) {
        Some(seqs) => seqs.insert(seq),
        None => {
            map.insert(key.to_owned(), Seqs::One(seq));
        }
    }
}

impl Table {
    fn name_attr(kind: Kind) -> &'static str {
        match kind {
            Kind::User => "userName",
            Kind::Group => "displayName",
        }
    }

    fn index(&mut self, kind: Kind, seq: u64, resource: &Value) {
        if let Some(n) = index_str(resource, Self::name_attr(kind)) {
            file(&mut self.by_name, &folded(n), seq);
        }
        if let Some(e) = index_str(resource, "externalId") {
            file(&mut self.by_external, e, seq);
        }
    }

    fn unindex(&mut self, kind: Kind, seq: u64, resource: &Value) {
        if let Some(n) = index_str(resource, Self::name_attr(kind)) {
            remove_from(&mut self.by_name, &folded(n), seq);
        }
        if let Some(e) = index_str(resource, "externalId") {
            remove_from(&mut self.by_external, e, seq);
        }
    }

    /// RFC 7643 section 4.1: `userName` is unique within the service provider, compared case-insensitively.
    fn check_unique(&self, kind: Kind, resource: &Value, except: Option<u64>) -> Result<(), ScimError> {
        if kind != Kind::User {
            return Ok(());
        }
        let Some(name) = index_str(resource, "userName") else { return Ok(()) };
        let taken = self.by_name.get(folded(name).as_ref()).is_some_and(|s| s.iter().any(|q| Some(q) != except));
        if taken {
            return Err(ScimError::uniqueness(format!("userName {name:?} is already in use")));
        }
        Ok(())
    }
}

fn remove_from(map: &mut Map<String, Seqs>, key: &str, seq: u64) {
    if map.get_mut(key).is_some_and(|seqs| seqs.remove(seq)) {
        map.remove(key);
    }
}

#[derive(Default)]
struct Inner {
    users: Table,
    groups: Table,
    /// user id -> ids of the groups listing it as a member.
    memberships: Map<String, BTreeSet<String>>,
    next_seq: u64,
    next_version: u64,
}

/// Recordings sit behind their own lock so that recording an exchange never waits for a resource write.
#[derive(Default)]
struct Recordings {
    items: VecDeque<(u64, Exchange)>,
    next: u64,
    /// The sum of the held exchanges' [`weight`]s.
    bytes: usize,
}

/// The audit trail, behind its own lock: appended to while the resource lock is held (so entries are in the
/// order of the changes), read without it.
#[derive(Default)]
struct Audit {
    items: VecDeque<AuditEntry>,
    next: u64,
    /// The sum of the held entries' [`audit::weight`]s.
    bytes: usize,
}

/// About how much memory an exchange holds: its bodies, URL and headers, and a fixed part for the rest.
fn weight(e: &Exchange) -> usize {
    let headers = |h: &[(String, String)]| h.iter().map(|(n, v)| n.len() + v.len() + 48).sum::<usize>();
    let response = e.response.as_ref().map_or(0, |r| r.body.as_ref().map_or(0, String::len) + headers(&r.headers));
    256 + e.request.url.len() + e.request.body.as_ref().map_or(0, String::len) + headers(&e.request.headers) + response
}

impl Inner {
    fn table(&self, kind: Kind) -> &Table {
        match kind {
            Kind::User => &self.users,
            Kind::Group => &self.groups,
        }
    }

    fn table_mut(&mut self, kind: Kind) -> &mut Table {
        match kind {
            Kind::User => &mut self.users,
            Kind::Group => &mut self.groups,
        }
    }

    fn bump_version(&mut self) -> u64 {
        self.next_version += 1;
        self.next_version
    }

    /// RFC 7643 section 4.2: a Group's members are Users or Groups of this server; a dangling reference is
    /// refused with invalidValue. Checked under the write lock so a concurrent delete cannot slip in between.
    fn check_members(&self, members: &[String]) -> Result<(), ScimError> {
        for id in members {
            if !self.users.seq_of.contains_key(id) && !self.groups.seq_of.contains_key(id) {
                return Err(ScimError::invalid_value(format!("members: no User or Group has id {id:?}")));
            }
        }
        Ok(())
    }

    fn set_memberships(&mut self, group_id: &str, old: &[String], new: &[String]) {
        for u in old {
            if let Some(set) = self.memberships.get_mut(u) {
                set.remove(group_id);
                if set.is_empty() {
                    self.memberships.remove(u);
                }
            }
        }
        for u in new {
            self.memberships.entry(u.clone()).or_default().insert(group_id.to_owned());
        }
    }
}

/// The default store: everything in memory, gone at exit.
pub struct MemoryStore {
    inner: RwLock<Inner>,
    recordings: Mutex<Recordings>,
    recording_capacity: usize,
    recording_bytes: usize,
    audit: Mutex<Audit>,
    tap: OnceLock<Tap>,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::with_limits(DEFAULT_RECORDING_CAPACITY, DEFAULT_RECORDING_BYTES)
    }
}

impl MemoryStore {
    /// An empty store keeping at most `recording_capacity` exchanges (and [`DEFAULT_RECORDING_BYTES`]).
    pub fn new(recording_capacity: usize) -> Self {
        Self::with_limits(recording_capacity, DEFAULT_RECORDING_BYTES)
    }

    /// An empty store keeping the newest exchanges, at most `capacity` of them and at most `bytes` of them (see
    /// [`DEFAULT_RECORDING_BYTES`]); the newest one is always kept, however large. The audit trail keeps its
    /// newest entries within the same two limits.
    pub fn with_limits(capacity: usize, bytes: usize) -> Self {
        MemoryStore {
            inner: RwLock::new(Inner::default()),
            recordings: Mutex::new(Recordings::default()),
            recording_capacity: capacity.max(1),
            recording_bytes: bytes,
            audit: Mutex::new(Audit::default()),
            tap: OnceLock::new(),
        }
    }

    /// Numbers and appends audit entries, drops the oldest beyond the limits, and streams them to the tap. Called
    /// with the resource lock held, so entries are numbered in the order of the changes.
    fn append_audit(&self, entries: Vec<AuditEntry>) {
        if entries.is_empty() {
            return;
        }
        let mut a = self.audit.lock().unwrap_or_else(|p| p.into_inner());
        let mut dropped = Vec::new();
        for mut e in entries {
            a.next += 1;
            e.seq = a.next;
            if let Some(tap) = self.tap.get() {
                tap.send(&e);
            }
            a.bytes += audit::weight(&e);
            a.items.push_back(e);
            while a.items.len() > 1 && (a.items.len() > self.recording_capacity || a.bytes > self.recording_bytes) {
                let Some(old) = a.items.pop_front() else { break };
                a.bytes -= audit::weight(&old);
                dropped.push(old);
            }
        }
        drop(a);
        drop(dropped);
    }

    fn read(&self) -> RwLockReadGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the maps half-updated in a way that matters more than
        // refusing all further service, so recover the guard.
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|p| p.into_inner())
    }
}

fn not_found(kind: Kind, id: &str) -> ScimError {
    ScimError::not_found(format!("{} {id:?} not found", kind.name()))
}

/// Writes `meta.version` (a weak ETag derived from the store's version counter, RFC 7644 section 3.14) and
/// `meta.lastModified`.
pub(crate) fn stamp(resource: &mut Value, version: u64, now: &str) {
    if let Some(obj) = resource.as_object_mut() {
        let meta = obj.entry("meta").or_insert_with(|| Value::Object(Default::default()));
        if let Some(m) = meta.as_object_mut() {
            m.insert("lastModified".into(), Value::String(now.to_owned()));
            m.insert("version".into(), Value::String(etag_of(version)));
        }
    }
}

/// A new resource's `lastModified` is its `created` (when the server set one), so the two agree on create.
pub(crate) fn created_or_now(resource: &Value) -> String {
    resource.pointer("/meta/created").and_then(Value::as_str).map_or_else(now_rfc3339, str::to_owned)
}

/// The weak entity tag for a version number.
pub fn etag_of(version: u64) -> String {
    format!("W/\"{version:x}\"")
}

/// The current instant in RFC 3339 form, as `meta` timestamps are written.
pub fn now_rfc3339() -> String {
    jiff::Timestamp::now().round(jiff::Unit::Millisecond).map(|t| t.to_string()).unwrap_or_default()
}

impl Store for MemoryStore {
    fn insert_by(&self, kind: Kind, mut resource: Value, cause: Cause<'_>) -> Result<Record, ScimError> {
        let id = index_key(&resource, "id").ok_or_else(|| ScimError::new(500, "resource to insert has no id"))?;
        let now = created_or_now(&resource);
        let mut g = self.write();
        if g.table(kind).seq_of.contains_key(&id) {
            return Err(ScimError::uniqueness(format!("id {id:?} is already in use")));
        }
        g.table(kind).check_unique(kind, &resource, None)?;
        let members = if kind == Kind::Group { member_ids(&resource) } else { Vec::new() };
        g.check_members(&members)?;
        let version = g.bump_version();
        stamp(&mut resource, version, &now);
        g.next_seq += 1;
        let seq = g.next_seq;
        let record = Record { id: id.clone(), version, resource: Arc::new(resource) };
        let t = g.table_mut(kind);
        t.index(kind, seq, &record.resource);
        t.seq_of.insert(id.clone(), seq);
        t.by_seq.insert(seq, record.clone());
        if kind == Kind::Group {
            g.set_memberships(&id, &[], &members);
        }
        self.append_audit(vec![audit::entry(kind, &id, None, Some(&record.resource), cause, &now)]);
        Ok(record)
    }

    fn get(&self, kind: Kind, id: &str) -> Result<Option<Record>, ScimError> {
        let g = self.read();
        let t = g.table(kind);
        Ok(t.seq_of.get(id).and_then(|s| t.by_seq.get(s)).cloned())
    }

    fn update_by(&self, kind: Kind, id: &str, f: Mutation<'_>, cause: Cause<'_>) -> Result<Record, ScimError> {
        let now = now_rfc3339();
        let mut g = self.write();
        let t = g.table(kind);
        let seq = *t.seq_of.get(id).ok_or_else(|| not_found(kind, id))?;
        let old = t.by_seq.get(&seq).ok_or_else(|| not_found(kind, id))?.clone();
        let mut new = f(&old.resource)?;
        if new == *old.resource {
            return Ok(old);
        }
        g.table(kind).check_unique(kind, &new, Some(seq))?;
        let (old_members, new_members) =
            if kind == Kind::Group { (member_ids(&old.resource), member_ids(&new)) } else { (vec![], vec![]) };
        g.check_members(&new_members)?;
        let version = g.bump_version();
        stamp(&mut new, version, &now);
        let record = Record { id: id.to_owned(), version, resource: Arc::new(new) };
        let t = g.table_mut(kind);
        t.unindex(kind, seq, &old.resource);
        t.index(kind, seq, &record.resource);
        t.by_seq.insert(seq, record.clone());
        if kind == Kind::Group {
            g.set_memberships(id, &old_members, &new_members);
        }
        self.append_audit(vec![audit::entry(kind, id, Some(&old.resource), Some(&record.resource), cause, &now)]);
        Ok(record)
    }

    fn delete_by(&self, kind: Kind, id: &str, check: Check<'_>, cause: Cause<'_>) -> Result<(), ScimError> {
        let now = now_rfc3339();
        let mut g = self.write();
        let t = g.table(kind);
        let seq = *t.seq_of.get(id).ok_or_else(|| not_found(kind, id))?;
        let old = t.by_seq.get(&seq).ok_or_else(|| not_found(kind, id))?.clone();
        check(&old.resource)?;
        let t = g.table_mut(kind);
        t.unindex(kind, seq, &old.resource);
        t.seq_of.remove(id);
        t.by_seq.remove(&seq);
        if kind == Kind::Group {
            let members = member_ids(&old.resource);
            g.set_memberships(id, &members, &[]);
        }
        let mut changes = vec![audit::entry(kind, id, Some(&old.resource), None, cause, &now)];
        // A deleted User or Group leaves every Group that listed it as a member (RFC 7643 section 4.2).
        let groups: Vec<String> = g.memberships.remove(id).into_iter().flatten().collect();
        let cleanup = cause.with(Operation::MembershipCleanup);
        for gid in groups {
            let Some(&gseq) = g.groups.seq_of.get(&gid) else { continue };
            let Some(rec) = g.groups.by_seq.get(&gseq).cloned() else { continue };
            let mut group = (*rec.resource).clone();
            remove_member(&mut group, id);
            let version = g.bump_version();
            stamp(&mut group, version, &now);
            changes.push(audit::entry(Kind::Group, &gid, Some(&rec.resource), Some(&group), cleanup, &now));
            g.groups.by_seq.insert(gseq, Record { id: gid, version, resource: Arc::new(group) });
        }
        self.append_audit(changes);
        Ok(())
    }

    fn find(&self, kind: Kind, attr: Indexed, value: &str) -> Result<Vec<Record>, ScimError> {
        let g = self.read();
        let t = g.table(kind);
        let seqs = match attr {
            Indexed::UserName | Indexed::DisplayName => t.by_name.get(folded(value).as_ref()),
            Indexed::ExternalId => t.by_external.get(value),
        };
        Ok(seqs.into_iter().flat_map(Seqs::iter).filter_map(|s| t.by_seq.get(&s).cloned()).collect())
    }

    fn scan(&self, kind: Kind, visit: &mut dyn FnMut(&Record) -> bool) -> Result<(), ScimError> {
        let g = self.read();
        for r in g.table(kind).by_seq.values() {
            if !visit(r) {
                break;
            }
        }
        Ok(())
    }

    fn scan_chunks(&self, kind: Kind, visit: &mut dyn FnMut(&[&Record]) -> bool) -> Result<(), ScimError> {
        let g = self.read();
        let mut chunk: Vec<&Record> = Vec::with_capacity(super::SCAN_CHUNK);
        for r in g.table(kind).by_seq.values() {
            chunk.push(r);
            if chunk.len() == super::SCAN_CHUNK {
                if !visit(&chunk) {
                    return Ok(());
                }
                chunk.clear();
            }
        }
        if !chunk.is_empty() {
            visit(&chunk);
        }
        Ok(())
    }

    fn count(&self, kind: Kind) -> Result<usize, ScimError> {
        Ok(self.read().table(kind).by_seq.len())
    }

    fn groups_of(&self, user_id: &str) -> Result<Vec<(String, String)>, ScimError> {
        let g = self.read();
        let Some(ids) = g.memberships.get(user_id) else { return Ok(Vec::new()) };
        Ok(ids
            .iter()
            .filter_map(|gid| {
                let seq = g.groups.seq_of.get(gid)?;
                let rec = g.groups.by_seq.get(seq)?;
                Some((gid.clone(), index_key(&rec.resource, "displayName").unwrap_or_default()))
            })
            .collect())
    }

    fn record(&self, exchange: &Exchange) -> Result<u64, ScimError> {
        self.record_owned(exchange.clone())
    }

    fn record_owned(&self, exchange: Exchange) -> Result<u64, ScimError> {
        let w = weight(&exchange);
        let mut r = self.recordings.lock().unwrap_or_else(|p| p.into_inner());
        let n = if exchange.id == 0 {
            r.next += 1;
            r.next
        } else {
            r.next = r.next.max(exchange.id);
            exchange.id
        };
        // A reserved number arrives when its exchange is done, possibly after later ones: keep the order.
        let at = r.items.iter().rposition(|(m, _)| *m < n).map_or(0, |i| i + 1);
        r.items.insert(at, (n, exchange));
        r.bytes += w;
        let mut dropped = Vec::new();
        while r.items.len() > 1 && (r.items.len() > self.recording_capacity || r.bytes > self.recording_bytes) {
            let Some(old) = r.items.pop_front() else { break };
            r.bytes -= weight(&old.1);
            dropped.push(old);
        }
        drop(r);
        // The oldest exchanges are freed after the lock is released.
        drop(dropped);
        Ok(n)
    }

    fn recordings(&self, after: u64, limit: usize) -> Result<Vec<(u64, Exchange)>, ScimError> {
        let r = self.recordings.lock().unwrap_or_else(|p| p.into_inner());
        Ok(r.items.iter().filter(|(n, _)| *n > after).take(limit).cloned().collect())
    }

    fn reserve_recording(&self) -> u64 {
        let mut r = self.recordings.lock().unwrap_or_else(|p| p.into_inner());
        r.next += 1;
        r.next
    }

    fn audit(&self, after: u64, limit: usize) -> Result<Vec<AuditEntry>, ScimError> {
        let a = self.audit.lock().unwrap_or_else(|p| p.into_inner());
        let start = a.items.partition_point(|e| e.seq <= after);
        Ok(a.items.range(start..).take(limit).cloned().collect())
    }

    fn set_audit_tap(&self, tap: Tap) -> Result<(), Tap> {
        self.tap.set(tap)
    }
}

/// Removes every `members` element whose `value` is `user_id`; drops `members` when it becomes empty.
pub(crate) fn remove_member(group: &mut Value, user_id: &str) {
    let Some(obj) = group.as_object_mut() else { return };
    let Some(key) = scimlab_protocol::json::key_ci(obj, "members").map(str::to_owned) else { return };
    if let Some(Value::Array(ms)) = obj.get_mut(&key) {
        ms.retain(|m| {
            m.as_object().and_then(|o| scimlab_protocol::json::get_ci(o, "value")).and_then(Value::as_str)
                != Some(user_id)
        });
        if ms.is_empty() {
            obj.shift_remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(s: &Seqs) -> Vec<u64> {
        s.iter().collect()
    }

    fn exchange(body_len: usize) -> Exchange {
        serde_json::from_value(serde_json::json!({
            "id": 0, "startedAt": "2026-01-01T00:00:00Z",
            "request": {"method": "POST", "url": "/scim/v2/Bulk", "headers": [], "body": "x".repeat(body_len)},
            "timings": {"totalUs": 1}
        }))
        .expect("an exchange")
    }

    #[test]
    fn recordings_keep_the_newest_within_both_limits() {
        let store = MemoryStore::with_limits(3, 10_000);
        for _ in 0..5 {
            store.record_owned(exchange(10)).expect("recorded");
        }
        let seqs = |s: &MemoryStore| s.recordings(0, 100).expect("read").iter().map(|(n, _)| *n).collect::<Vec<_>>();
        assert_eq!(seqs(&store), [3, 4, 5], "the count limit drops the oldest");
        for _ in 0..3 {
            store.record_owned(exchange(4_000)).expect("recorded");
        }
        assert_eq!(seqs(&store), [7, 8], "the byte limit drops the oldest");
        store.record_owned(exchange(50_000)).expect("recorded");
        assert_eq!(seqs(&store), [9], "the newest exchange stays, however large");
        let r = store.recordings.lock().expect("lock");
        assert_eq!(r.bytes, r.items.iter().map(|(_, e)| weight(e)).sum::<usize>(), "the byte count stays exact");
    }

    #[test]
    fn seqs_hold_one_number_inline_and_grow_into_a_set() {
        let mut s = Seqs::One(5);
        s.insert(5);
        assert_eq!(s, Seqs::One(5));
        s.insert(2);
        s.insert(9);
        assert_eq!(listed(&s), [2, 5, 9]);
        assert!(!s.remove(5));
        assert!(!s.remove(7), "removing an absent number changes nothing");
        assert!(!s.remove(2));
        assert_eq!(s, Seqs::One(9), "one number left goes back inline");
        assert!(!s.remove(3));
        assert!(s.remove(9));
    }

    #[test]
    fn the_index_forgets_a_key_when_its_last_number_goes() {
        let mut map = Map::default();
        file(&mut map, "a", 1);
        file(&mut map, "a", 2);
        remove_from(&mut map, "a", 1);
        assert_eq!(map.get("a"), Some(&Seqs::One(2)));
        remove_from(&mut map, "a", 2);
        assert!(map.is_empty());
        remove_from(&mut map, "missing", 1);
    }
}
