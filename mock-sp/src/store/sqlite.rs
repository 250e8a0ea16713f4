//! The SQLite store: what `--data FILE` keeps resources and recordings in, so they outlive the process.
//!
//! It answers every [`Store`] method exactly as [`MemoryStore`](super::MemoryStore) does (same statuses, same
//! details, same creation order, same version numbering); only the place the data lives differs. One connection
//! behind a `Mutex` and one `BEGIN IMMEDIATE` transaction per mutation make every method atomic without any
//! cleverness; the journal is a WAL with `synchronous=FULL`, so a write acknowledged to the caller has reached
//! the disk and survives a `kill -9` of the process. The version counter lives in the `meta` table and the
//! creation order is an `AUTOINCREMENT` key, so both continue where they stopped when the file is reopened.

use super::memory::{created_or_now, now_rfc3339, remove_member, stamp};
use super::{Check, Indexed, Kind, Mutation, Record, Store, fold, index_key, member_ids};
use crate::audit::{self, AuditEntry, Cause, Operation, Tap};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior, params};
use scimlab_protocol::ScimError;
use scimlab_protocol::exchange::Exchange;
use serde_json::Value;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

/// The layout version written to the `meta` table; a file with another version is refused rather than misread.
pub const SCHEMA_VERSION: i64 = 1;

/// How long a statement waits for another process holding the file's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The `meta` table: `schema_version` and `last_version` (the store-wide version counter).
const META: &str = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;";

/// The other tables. The `audit` table came after version 1 files were first written; as its creation is
/// `IF NOT EXISTS`, an older file gains it on open and keeps its version. `seq` gives the creation order and is never reused (`AUTOINCREMENT`); `name` is the `userName`
/// of a User or `displayName` of a Group, `name_folded` its case-folded form for the case-insensitive lookups;
/// `memberships` mirrors every Group's `members` (member id, group id) so `groups_of` and the cleanup on a
/// User's deletion need no scan. The partial unique index is a backstop for the userName check done in code.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS resources (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('User', 'Group')),
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT,
    name_folded TEXT,
    external_id TEXT,
    body TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS resources_kind_id ON resources (kind, id);
CREATE INDEX IF NOT EXISTS resources_kind_name ON resources (kind, name_folded);
CREATE INDEX IF NOT EXISTS resources_kind_external ON resources (kind, external_id);
CREATE UNIQUE INDEX IF NOT EXISTS resources_user_name ON resources (name_folded) WHERE kind = 'User';
CREATE TABLE IF NOT EXISTS memberships (
    member_id TEXT NOT NULL,
    group_id TEXT NOT NULL,
    PRIMARY KEY (member_id, group_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS memberships_group ON memberships (group_id);
CREATE TABLE IF NOT EXISTS recordings (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    exchange TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    entry TEXT NOT NULL
);
INSERT OR IGNORE INTO meta (key, value) VALUES ('last_version', 0);
";

/// A store in one SQLite file (plus its `-wal` and `-shm` companions).
pub struct SqliteStore {
    conn: Mutex<Connection>,
    /// The last recording sequence number handed out ([`Store::reserve_recording`]); the file's own counter
    /// at open. One server writes a file at a time.
    last_recording: AtomicU64,
    tap: OnceLock<Tap>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = self.lock().path().map(str::to_owned);
        f.debug_struct("SqliteStore").field("path", &path).finish()
    }
}

/// Turns a SQLite failure into a 500 that says which step failed.
trait Ctx<T> {
    fn ctx(self, what: &str) -> Result<T, ScimError>;
}

impl<T> Ctx<T> for rusqlite::Result<T> {
    fn ctx(self, what: &str) -> Result<T, ScimError> {
        self.map_err(|e| ScimError::new(500, format!("sqlite: {what}: {e}")))
    }
}

impl SqliteStore {
    /// Opens (creating if missing) the store at `path`: WAL journal, `synchronous=FULL`, a busy timeout, and the
    /// schema. Fails with a 500 naming the step when the file cannot be opened, is not a SQLite database, or was
    /// written with another [`SCHEMA_VERSION`].
    pub fn open(path: &Path) -> Result<SqliteStore, ScimError> {
        let mut conn = Connection::open(path).ctx(&format!("open {}", path.display()))?;
        conn.busy_timeout(BUSY_TIMEOUT).ctx("set busy timeout")?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).ctx("set journal_mode=WAL")?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(ScimError::new(
                500,
                format!("sqlite: set journal_mode=WAL: {} stays in journal mode {mode:?}", path.display()),
            ));
        }
        // In WAL mode FULL syncs the log at every commit: an acknowledged write is on disk, not in a page cache.
        conn.pragma_update(None, "synchronous", "FULL").ctx("set synchronous=FULL")?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).ctx("begin schema transaction")?;
        tx.execute_batch(META).ctx("create meta table")?;
        let found: Option<i64> = tx
            .query_row("SELECT value FROM meta WHERE key = 'schema_version'", [], |r| r.get(0))
            .optional()
            .ctx("read schema version")?;
        // Checked before creating anything else, so a file of another layout is refused untouched.
        if let Some(v) = found.filter(|&v| v != SCHEMA_VERSION) {
            return Err(ScimError::new(
                500,
                format!("sqlite: {} has schema version {v}, this build reads version {SCHEMA_VERSION}", path.display()),
            ));
        }
        tx.execute_batch(SCHEMA).ctx("create schema")?;
        tx.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?1)", [SCHEMA_VERSION])
            .ctx("write schema version")?;
        let last: i64 = tx
            .query_row(
                "SELECT MAX(COALESCE((SELECT MAX(seq) FROM recordings), 0), \
                 COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'recordings'), 0))",
                [],
                |r| r.get(0),
            )
            .ctx("read the last recording number")?;
        tx.commit().ctx("commit schema")?;
        let last_recording = AtomicU64::new(u64::try_from(last).unwrap_or(0));
        Ok(SqliteStore { conn: Mutex::new(conn), last_recording, tap: OnceLock::new() })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic inside a transaction rolled it back while unwinding (Transaction's Drop), so the connection is
        // consistent and the guard can be recovered.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` in one write transaction: committed when `f` succeeds, rolled back (nothing written) when it fails.
    /// The audit entries `f` stores go to the tap once committed, while the connection is still held (so in
    /// order).
    fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>, &mut Vec<AuditEntry>) -> Result<T, ScimError>,
    ) -> Result<T, ScimError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).ctx("begin transaction")?;
        let mut stored = Vec::new();
        let out = f(&tx, &mut stored)?;
        tx.commit().ctx("commit")?;
        if let Some(tap) = self.tap.get() {
            stored.iter().for_each(|e| tap.send(e));
        }
        Ok(out)
    }
}

fn not_found(kind: Kind, id: &str) -> ScimError {
    ScimError::not_found(format!("{} {id:?} not found", kind.name()))
}

/// The attribute whose folded value fills `name_folded`.
fn name_attr(kind: Kind) -> &'static str {
    match kind {
        Kind::User => "userName",
        Kind::Group => "displayName",
    }
}

/// The indexed columns of a resource.
struct Keys {
    name: Option<String>,
    name_folded: Option<String>,
    external_id: Option<String>,
}

impl Keys {
    fn of(kind: Kind, resource: &Value) -> Keys {
        let name = index_key(resource, name_attr(kind));
        Keys { name_folded: name.as_deref().map(fold), name, external_id: index_key(resource, "externalId") }
    }
}

fn to_body(kind: Kind, id: &str, resource: &Value) -> Result<String, ScimError> {
    serde_json::to_string(resource)
        .map_err(|e| ScimError::new(500, format!("sqlite: serialise {} {id:?}: {e}", kind.name())))
}

/// A stored row as read: (seq, id, version, body).
type RawRow = (i64, String, u64, String);

/// The columns every resource query selects, in [`RawRow`] order.
const COLUMNS: &str = "seq, id, version, body";

fn raw_row(r: &Row<'_>) -> rusqlite::Result<RawRow> {
    Ok((r.get(0)?, r.get(1)?, unsigned(r, 2)?, r.get(3)?))
}

/// An integer column that is never negative (versions, sequence numbers, counts).
fn unsigned(r: &Row<'_>, col: usize) -> rusqlite::Result<u64> {
    let v: i64 = r.get(col)?;
    u64::try_from(v).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(col, v))
}

/// A version as SQLite stores it; versions come from an `INTEGER` column, so they always fit.
fn signed(version: u64) -> Result<i64, ScimError> {
    i64::try_from(version).map_err(|_| ScimError::new(500, format!("sqlite: version {version} exceeds i64")))
}

fn to_record(kind: Kind, (_, id, version, body): RawRow) -> Result<Record, ScimError> {
    let resource: Value = serde_json::from_str(&body).map_err(|e| {
        ScimError::new(500, format!("sqlite: stored body of {} {id:?} is not valid JSON: {e}", kind.name()))
    })?;
    Ok(Record { id, version, resource: Arc::new(resource) })
}

/// The row of `kind`/`id` with its creation sequence number.
fn load(conn: &Connection, kind: Kind, id: &str) -> Result<Option<(i64, Record)>, ScimError> {
    let raw = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM resources WHERE kind = ?1 AND id = ?2"))
        .and_then(|mut st| st.query_row(params![kind.name(), id], raw_row).optional())
        .ctx("select from resources")?;
    raw.map(|raw| Ok((raw.0, to_record(kind, raw)?))).transpose()
}

/// Every row of a query over `resources` selecting [`COLUMNS`], in the query's order.
fn load_all(conn: &Connection, kind: Kind, sql: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<Record>, ScimError> {
    let raws = conn
        .prepare_cached(sql)
        .and_then(|mut st| st.query_map(args, raw_row)?.collect::<rusqlite::Result<Vec<_>>>())
        .ctx("select from resources")?;
    raws.into_iter().map(|raw| to_record(kind, raw)).collect()
}

/// The next value of the store-wide version counter, persisted in the same transaction as the write using it.
fn bump_version(tx: &Transaction<'_>) -> Result<u64, ScimError> {
    tx.prepare_cached("UPDATE meta SET value = value + 1 WHERE key = 'last_version' RETURNING value")
        .and_then(|mut st| st.query_row([], |r| unsigned(r, 0)))
        .ctx("bump version in meta")
}

/// RFC 7643 section 4.1: `userName` is unique within the service provider, compared case-insensitively; the
/// resource at `except` (the one being replaced) does not collide with itself.
fn check_unique(tx: &Transaction<'_>, kind: Kind, resource: &Value, except: Option<i64>) -> Result<(), ScimError> {
    if kind != Kind::User {
        return Ok(());
    }
    let Some(name) = index_key(resource, "userName") else { return Ok(()) };
    let taken: bool = tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM resources WHERE kind = 'User' AND name_folded = ?1 AND seq IS NOT ?2)",
        )
        .and_then(|mut st| st.query_row(params![fold(&name), except], |r| r.get(0)))
        .ctx("check userName uniqueness")?;
    if taken {
        return Err(ScimError::uniqueness(format!("userName {name:?} is already in use")));
    }
    Ok(())
}

/// RFC 7643 section 4.2: a Group's members are Users or Groups of this server; a dangling reference is refused
/// with invalidValue. Checked inside the write transaction so a concurrent delete cannot slip in between.
fn check_members(tx: &Transaction<'_>, members: &[String]) -> Result<(), ScimError> {
    let mut st = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM resources WHERE kind IN ('User', 'Group') AND id = ?1)")
        .ctx("check members")?;
    for id in members {
        let exists: bool = st.query_row([id], |r| r.get(0)).ctx("check members")?;
        if !exists {
            return Err(ScimError::invalid_value(format!("members: no User or Group has id {id:?}")));
        }
    }
    Ok(())
}

/// Makes the `memberships` rows of `group_id` list exactly `members`.
fn set_memberships(tx: &Transaction<'_>, group_id: &str, members: &[String]) -> Result<(), ScimError> {
    tx.prepare_cached("DELETE FROM memberships WHERE group_id = ?1")
        .and_then(|mut st| st.execute([group_id]))
        .ctx("delete from memberships")?;
    let mut st = tx
        .prepare_cached("INSERT OR IGNORE INTO memberships (member_id, group_id) VALUES (?1, ?2)")
        .ctx("insert into memberships")?;
    for m in members {
        st.execute([m.as_str(), group_id]).ctx("insert into memberships")?;
    }
    Ok(())
}

/// Rewrites the row at `seq` with a new body, version and index columns.
fn rewrite(tx: &Transaction<'_>, kind: Kind, seq: i64, record: &Record) -> Result<(), ScimError> {
    let keys = Keys::of(kind, &record.resource);
    let body = to_body(kind, &record.id, &record.resource)?;
    let version = signed(record.version)?;
    tx.prepare_cached(
        "UPDATE resources SET version = ?2, name = ?3, name_folded = ?4, external_id = ?5, body = ?6 WHERE seq = ?1",
    )
    .and_then(|mut st| st.execute(params![seq, version, keys.name, keys.name_folded, keys.external_id, body]))
    .ctx("update resources")?;
    Ok(())
}

/// Numbers and stores an audit entry in the write's transaction, and keeps it in `stored` for the tap.
fn append_audit(tx: &Transaction<'_>, mut entry: AuditEntry, stored: &mut Vec<AuditEntry>) -> Result<(), ScimError> {
    let json = serde_json::to_string(&entry)
        .map_err(|e| ScimError::new(500, format!("sqlite: serialise audit entry: {e}")))?;
    entry.seq = tx
        .prepare_cached("INSERT INTO audit (entry) VALUES (?1) RETURNING seq")
        .and_then(|mut st| st.query_row([json], |r| unsigned(r, 0)))
        .ctx("insert into audit")?;
    stored.push(entry);
    Ok(())
}

/// A User's deletion takes it out of every Group listing it, each of which gets a new version (in group-id
/// order, as the memory store does) and an audit entry of its own.
fn remove_from_groups(
    tx: &Transaction<'_>,
    user_id: &str,
    now: &str,
    cause: Cause<'_>,
    stored: &mut Vec<AuditEntry>,
) -> Result<(), ScimError> {
    let groups: Vec<String> = tx
        .prepare_cached("SELECT group_id FROM memberships WHERE member_id = ?1 ORDER BY group_id")
        .and_then(|mut st| st.query_map([user_id], |r| r.get(0))?.collect())
        .ctx("select from memberships")?;
    tx.prepare_cached("DELETE FROM memberships WHERE member_id = ?1")
        .and_then(|mut st| st.execute([user_id]))
        .ctx("delete from memberships")?;
    for gid in groups {
        let Some((gseq, rec)) = load(tx, Kind::Group, &gid)? else { continue };
        let mut group = (*rec.resource).clone();
        remove_member(&mut group, user_id);
        let version = bump_version(tx)?;
        stamp(&mut group, version, now);
        let cleanup = cause.with(Operation::MembershipCleanup);
        append_audit(tx, audit::entry(Kind::Group, &gid, Some(&rec.resource), Some(&group), cleanup, now), stored)?;
        rewrite(tx, Kind::Group, gseq, &Record { id: gid, version, resource: Arc::new(group) })?;
    }
    Ok(())
}

impl Store for SqliteStore {
    fn insert_by(&self, kind: Kind, mut resource: Value, cause: Cause<'_>) -> Result<Record, ScimError> {
        let id = index_key(&resource, "id").ok_or_else(|| ScimError::new(500, "resource to insert has no id"))?;
        let now = created_or_now(&resource);
        self.write(|tx, stored| {
            if load(tx, kind, &id)?.is_some() {
                return Err(ScimError::uniqueness(format!("id {id:?} is already in use")));
            }
            check_unique(tx, kind, &resource, None)?;
            let members = if kind == Kind::Group { member_ids(&resource) } else { Vec::new() };
            check_members(tx, &members)?;
            let version = bump_version(tx)?;
            stamp(&mut resource, version, &now);
            let keys = Keys::of(kind, &resource);
            let body = to_body(kind, &id, &resource)?;
            let sql_version = signed(version)?;
            tx.prepare_cached(
                "INSERT INTO resources (kind, id, version, name, name_folded, external_id, body) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut st| {
                st.execute(params![kind.name(), id, sql_version, keys.name, keys.name_folded, keys.external_id, body])
            })
            .ctx("insert into resources")?;
            if kind == Kind::Group {
                set_memberships(tx, &id, &members)?;
            }
            append_audit(tx, audit::entry(kind, &id, None, Some(&resource), cause, &now), stored)?;
            Ok(Record { id: id.clone(), version, resource: Arc::new(resource) })
        })
    }

    fn get(&self, kind: Kind, id: &str) -> Result<Option<Record>, ScimError> {
        Ok(load(&self.lock(), kind, id)?.map(|(_, r)| r))
    }

    fn update_by(&self, kind: Kind, id: &str, f: Mutation<'_>, cause: Cause<'_>) -> Result<Record, ScimError> {
        let now = now_rfc3339();
        self.write(|tx, stored| {
            let (seq, old) = load(tx, kind, id)?.ok_or_else(|| not_found(kind, id))?;
            let mut new = f(&old.resource)?;
            if new == *old.resource {
                return Ok(old);
            }
            check_unique(tx, kind, &new, Some(seq))?;
            let new_members = if kind == Kind::Group { member_ids(&new) } else { Vec::new() };
            check_members(tx, &new_members)?;
            let version = bump_version(tx)?;
            stamp(&mut new, version, &now);
            let record = Record { id: id.to_owned(), version, resource: Arc::new(new) };
            rewrite(tx, kind, seq, &record)?;
            if kind == Kind::Group {
                set_memberships(tx, id, &new_members)?;
            }
            let change = audit::entry(kind, id, Some(&old.resource), Some(&record.resource), cause, &now);
            append_audit(tx, change, stored)?;
            Ok(record)
        })
    }

    fn delete_by(&self, kind: Kind, id: &str, check: Check<'_>, cause: Cause<'_>) -> Result<(), ScimError> {
        let now = now_rfc3339();
        self.write(|tx, stored| {
            let (seq, old) = load(tx, kind, id)?.ok_or_else(|| not_found(kind, id))?;
            check(&old.resource)?;
            tx.prepare_cached("DELETE FROM resources WHERE seq = ?1")
                .and_then(|mut st| st.execute([seq]))
                .ctx("delete from resources")?;
            append_audit(tx, audit::entry(kind, id, Some(&old.resource), None, cause, &now), stored)?;
            // A deleted User or Group leaves every Group that listed it as a member (RFC 7643 section 4.2).
            if kind == Kind::Group {
                set_memberships(tx, id, &[])?;
            }
            remove_from_groups(tx, id, &now, cause, stored)
        })
    }

    fn find(&self, kind: Kind, attr: Indexed, value: &str) -> Result<Vec<Record>, ScimError> {
        let conn = self.lock();
        match attr {
            Indexed::UserName | Indexed::DisplayName => load_all(
                &conn,
                kind,
                &format!("SELECT {COLUMNS} FROM resources WHERE kind = ?1 AND name_folded = ?2 ORDER BY seq"),
                &[&kind.name(), &fold(value)],
            ),
            Indexed::ExternalId => load_all(
                &conn,
                kind,
                &format!("SELECT {COLUMNS} FROM resources WHERE kind = ?1 AND external_id = ?2 ORDER BY seq"),
                &[&kind.name(), &value],
            ),
        }
    }

    fn scan(&self, kind: Kind, visit: &mut dyn FnMut(&Record) -> bool) -> Result<(), ScimError> {
        let conn = self.lock();
        let mut st = conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM resources WHERE kind = ?1 ORDER BY seq"))
            .ctx("scan resources")?;
        let mut rows = st.query([kind.name()]).ctx("scan resources")?;
        while let Some(row) = rows.next().ctx("scan resources")? {
            let record = to_record(kind, raw_row(row).ctx("scan resources")?)?;
            if !visit(&record) {
                break;
            }
        }
        Ok(())
    }

    fn count(&self, kind: Kind) -> Result<usize, ScimError> {
        let n = self
            .lock()
            .prepare_cached("SELECT COUNT(*) FROM resources WHERE kind = ?1")
            .and_then(|mut st| st.query_row([kind.name()], |r| unsigned(r, 0)))
            .ctx("count resources")?;
        usize::try_from(n).map_err(|_| ScimError::new(500, format!("sqlite: count {n} exceeds usize")))
    }

    fn groups_of(&self, user_id: &str) -> Result<Vec<(String, String)>, ScimError> {
        self.lock()
            .prepare_cached(
                "SELECT m.group_id, r.name FROM memberships m \
                 JOIN resources r ON r.kind = 'Group' AND r.id = m.group_id \
                 WHERE m.member_id = ?1 ORDER BY m.group_id",
            )
            .and_then(|mut st| {
                st.query_map([user_id], |r| Ok((r.get(0)?, r.get::<_, Option<String>>(1)?.unwrap_or_default())))?
                    .collect()
            })
            .ctx("select groups of user")
    }

    fn record(&self, exchange: &Exchange) -> Result<u64, ScimError> {
        let json = serde_json::to_string(exchange)
            .map_err(|e| ScimError::new(500, format!("sqlite: serialise recorded exchange: {e}")))?;
        let seq = match exchange.id {
            0 => self.reserve_recording(),
            n => n,
        };
        let sql_seq = signed(seq)?;
        self.lock()
            .prepare_cached("INSERT INTO recordings (seq, exchange) VALUES (?1, ?2)")
            .and_then(|mut st| st.execute(params![sql_seq, json]))
            .ctx("insert into recordings")?;
        Ok(seq)
    }

    fn recordings(&self, after: u64, limit: usize) -> Result<Vec<(u64, Exchange)>, ScimError> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows: Vec<(u64, String)> = self
            .lock()
            .prepare_cached("SELECT seq, exchange FROM recordings WHERE seq > ?1 ORDER BY seq LIMIT ?2")
            .and_then(|mut st| st.query_map([after, limit], |r| Ok((unsigned(r, 0)?, r.get(1)?)))?.collect())
            .ctx("select from recordings")?;
        rows.into_iter()
            .map(|(n, json)| {
                let ex = serde_json::from_str(&json).map_err(|e| {
                    ScimError::new(500, format!("sqlite: recorded exchange {n} does not deserialise: {e}"))
                })?;
                Ok((n, ex))
            })
            .collect()
    }

    fn reserve_recording(&self) -> u64 {
        self.last_recording.fetch_add(1, Ordering::SeqCst) + 1
    }

    fn audit(&self, after: u64, limit: usize) -> Result<Vec<AuditEntry>, ScimError> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows: Vec<(u64, String)> = self
            .lock()
            .prepare_cached("SELECT seq, entry FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2")
            .and_then(|mut st| st.query_map([after, limit], |r| Ok((unsigned(r, 0)?, r.get(1)?)))?.collect())
            .ctx("select from audit")?;
        rows.into_iter()
            .map(|(n, json)| {
                let mut entry: AuditEntry = serde_json::from_str(&json)
                    .map_err(|e| ScimError::new(500, format!("sqlite: audit entry {n} does not deserialise: {e}")))?;
                entry.seq = n;
                Ok(entry)
            })
            .collect()
    }

    fn set_audit_tap(&self, tap: Tap) -> Result<(), Tap> {
        self.tap.set(tap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The durability promise rests on these settings; a process kill cannot tell FULL from OFF (the OS still
    /// holds the written pages), so they are checked directly.
    #[test]
    fn open_sets_wal_full_sync_and_busy_timeout() {
        let dir = std::env::temp_dir().join(format!("scimlab-sqlite-pragmas-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let store = SqliteStore::open(&dir.join("p.sqlite")).expect("open");
        {
            let conn = store.lock();
            let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("journal_mode");
            let sync: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).expect("synchronous");
            let busy: i64 = conn.query_row("PRAGMA busy_timeout", [], |r| r.get(0)).expect("busy_timeout");
            let version: i64 = conn
                .query_row("SELECT value FROM meta WHERE key = 'schema_version'", [], |r| r.get(0))
                .expect("schema_version");
            assert_eq!((mode.as_str(), sync, busy, version), ("wal", 2, 5000, SCHEMA_VERSION));
            let plan: String = conn
                .query_row(
                    "EXPLAIN QUERY PLAN SELECT seq FROM resources WHERE kind = 'User' AND external_id = 'x'",
                    [],
                    |r| r.get(3),
                )
                .expect("plan");
            assert!(plan.contains("resources_kind_external"), "externalId lookups use the index: {plan}");
        }
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
