//! The deviations that only concurrency reveals (`--fault create-race`, `patch-lost-update`): a server that checks,
//! then writes, without holding anything in between. Each opens a 500 ms window between its read and its write,
//! so requests sent together land in it every time, even on a loaded machine where requests sent at once reach
//! the server tens of milliseconds apart: the races are deterministic, not left to the scheduler. (With a 50 ms
//! window, one run of the pairs test in twenty-four under load saw two resent creates arrive apart.)

use crate::state::Shared;
use crate::store::{Indexed, Kind, Record};
use scimlab_protocol::{ScimError, ScimType};
use serde_json::Value;
use std::time::Duration;

family! {
    /// The deviations of a server that checks, then writes, without holding anything in between.
    pub enum Race {
        /// Check-then-insert without atomicity.
        CreateRace = "create-race": "a create looks for the userName, waits 500 ms, then writes without looking again: creates of one userName sent together are all answered 201 (the late copies are not stored)",
        /// Read-modify-write without a version check.
        PatchLostUpdate = "patch-lost-update": "a PATCH reads the resource, waits 500 ms, then writes its result over whatever was written meanwhile: concurrent PATCHes of one resource lose each other's changes",
    }
}

/// The window between a racy server's read and its write.
const WINDOW: Duration = Duration::from_millis(500);

/// `create-race`, before a create of a User: whether the userName was free when looked up, after which the
/// window passes. A create that found it free and then meets the store's uniqueness refusal is answered as
/// created ([`lost_race`]), as a server without an atomic check-then-insert would have stored a duplicate.
pub async fn looked_up_free(st: &Shared, kind: Kind, body: &Value) -> bool {
    if !st.faults.has(Race::CreateRace) || kind != Kind::User {
        return false;
    }
    let name = body
        .as_object()
        .and_then(|o| scimlab_protocol::json::get_ci(o, "userName"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let free = st.store.find(Kind::User, Indexed::UserName, name).is_ok_and(|found| found.is_empty());
    if free {
        tokio::time::sleep(WINDOW).await;
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

/// `patch-lost-update`, before a PATCH: the resource as read before the window, which the PATCH then applies to
/// and writes over the stored one whatever happened meanwhile. `None` without the deviation.
pub async fn stale_read(st: &Shared, kind: Kind, id: &str) -> Option<Record> {
    if !st.faults.has(Race::PatchLostUpdate) {
        return None;
    }
    let read = st.store.get(kind, id).ok().flatten();
    tokio::time::sleep(WINDOW).await;
    read
}
