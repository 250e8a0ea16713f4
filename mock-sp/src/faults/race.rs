//! The deviations of a server whose reads lag its writes (`--fault create-race`, `patch-lost-update`): a uniqueness
//! lookup against an index that sees a new user only 500 ms after its create, and a PATCH that starts from a read
//! replica 500 ms behind. Requests sent together land in the window every time, even on a loaded machine where
//! requests sent at once reach the server tens of milliseconds apart, so the races are deterministic, not left to
//! the scheduler; and no request waits, so the pairs and the stateful check stay fast. (A sleep between read and
//! write, the first form of these deviations, made every create and PATCH 500 ms slower; with a 50 ms sleep one run
//! of the pairs test in twenty-four under load saw two resent creates arrive apart.)

use crate::state::Shared;
use crate::store::{Indexed, Kind, Record};
use scimlab_protocol::{ScimError, ScimType};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

family! {
    /// The deviations of a server that checks, then writes, without holding anything in between.
    pub enum Race {
        /// Check-then-insert without atomicity.
        CreateRace = "create-race": "a create looks for the userName in an index that sees a new user only 500 ms later: creates of one userName within 500 ms of each other (sent together, or resent) are all answered 201 (the late copies are not stored)",
        /// Read-modify-write without a version check.
        PatchLostUpdate = "patch-lost-update": "a PATCH starts from the resource as a replica 500 ms behind shows it, and writes its result over the stored one: PATCHes of one resource within 500 ms of each other (sent together, or one after the other) lose each other's changes",
    }
}

/// How far the racy server's reads lag its writes.
const WINDOW: Duration = Duration::from_millis(500);

/// What the race deviations remember (one per server, in [`super::Faults`]); entries older than [`WINDOW`] are
/// dropped as new ones come, so it stays small.
#[derive(Debug, Default)]
pub struct Memory {
    /// `create-race`: when a create last found each userName (lowercased) free.
    found_free: Mutex<HashMap<String, Instant>>,
    /// `patch-lost-update`: the resource as the first PATCH of it in the window read it, by id.
    read_by_patch: Mutex<HashMap<String, (Instant, Record)>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `create-race`, before a create of a User: whether the lagging index showed the userName free: it does for
/// [`WINDOW`] after a create found it free, whatever was stored since. A create that found it free and then meets
/// the store's uniqueness refusal is answered as created ([`lost_race`]), as a server whose uniqueness check reads
/// a lagging index would have stored a duplicate.
pub fn looked_up_free(st: &Shared, kind: Kind, body: &Value) -> bool {
    if !st.faults.has(Race::CreateRace) || kind != Kind::User {
        return false;
    }
    let name = body
        .as_object()
        .and_then(|o| scimlab_protocol::json::get_ci(o, "userName"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_lowercase();
    let now = Instant::now();
    let mut found = lock(&st.faults.race.found_free);
    found.retain(|_, at| now.duration_since(*at) < WINDOW);
    if found.contains_key(&name) {
        return true;
    }
    let free = st.store.find(Kind::User, Indexed::UserName, &name).is_ok_and(|users| users.is_empty());
    if free {
        found.insert(name, now);
    }
    free
}

/// `create-race`: the store refused `resource` (the new User, id and meta assigned) as a duplicate of a create
/// that won the race; it is answered as created all the same, with its own id, and not stored.
pub fn lost_race(err: ScimError, resource: Option<Value>) -> Result<Record, ScimError> {
    match resource {
        Some(resource) if err.scim_type == Some(ScimType::Uniqueness) => Ok(super::resource::unstored(resource)),
        _ => Err(err),
    }
}

/// `patch-lost-update`, before a PATCH: the resource as the lagging replica shows it, which the PATCH then applies
/// to and writes over the stored one, whatever was written meanwhile: the first PATCH of a resource in the window
/// reads it as it is, and every later one in the window gets that same read. `None` without the deviation.
pub fn stale_read(st: &Shared, kind: Kind, id: &str) -> Option<Record> {
    if !st.faults.has(Race::PatchLostUpdate) {
        return None;
    }
    let now = Instant::now();
    let mut reads = lock(&st.faults.race.read_by_patch);
    reads.retain(|_, (at, _)| now.duration_since(*at) < WINDOW);
    if let Some((_, read)) = reads.get(id) {
        return Some(read.clone());
    }
    let read = st.store.get(kind, id).ok().flatten()?;
    reads.insert(id.to_owned(), (now, read.clone()));
    Some(read)
}
