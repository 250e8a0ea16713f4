//! The deviations that show over a resource's life, not in one answer (`--fault rehire-blocked`,
//! `patch-drops-extension`, `delete-keeps-patched-members`, `filter-sees-old-value`, `sort-within-page`;
//! `version-frozen` lives in [`super::resource::etag_shown`]): a soft delete that keeps the userName taken, a PATCH
//! of the core attributes that loses the extension, memberships that outlive their user, a search index one write
//! behind the store, and pages cut before they are sorted.

use crate::state::Shared;
use crate::store::{Kind, Record, member_ids};
use scimlab_protocol::ScimError;
use scimlab_protocol::patch::PatchRequest;
use scimlab_protocol::schema::ENTERPRISE_USER_URN;
use serde_json::{Value, json};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

family! {
    /// The deviations that show over a resource's life, not in one answer.
    pub enum Lifecycle {
        /// Deleted userNames stay taken.
        RehireBlocked = "rehire-blocked": "a deleted user's userName stays taken (a soft delete): creating it again is answered 409 uniqueness",
        /// A core PATCH loses the extension.
        PatchDropsExtension = "patch-drops-extension": "a PATCH that does not name the enterprise extension removes it from the user",
        /// Memberships added by PATCH outlive the user.
        DeleteKeepsPatchedMembers = "delete-keeps-patched-members": "a deleted user leaves the groups it joined at their creation or by PUT, but stays a member of those it was added to by PATCH",
        /// The search index lags one write behind.
        FilterSeesOldValue = "filter-sees-old-value": "filters see each resource as it was before its latest write (a lagging search index): a lookup by a userName changed a moment ago finds nothing, the old one still finds it",
        /// Pages cut from last-modified order, then sorted.
        SortWithinPage = "sort-within-page": "with sortBy, a page is cut from the resources in last-modified order and only then sorted, so a resource changed between page requests moves to another page",
    }
}

/// What the lifecycle deviations remember between requests (one per server, in [`super::Faults`]).
#[derive(Debug, Default)]
pub struct Memory {
    /// `rehire-blocked`: the userNames of deleted users, lowercased.
    retired: Mutex<HashSet<String>>,
    /// `filter-sees-old-value`: each resource as it was before its latest write, by id.
    before_last_write: Mutex<HashMap<String, Arc<Value>>>,
    /// `delete-keeps-patched-members`: (group id, member id) pairs a PATCH added.
    patched_members: Mutex<HashSet<(String, String)>>,
    /// `delete-keeps-patched-members`: (group id, deleted member id) pairs groups go on listing.
    ghosts: Mutex<HashSet<(String, String)>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `filter-sees-old-value`, before a PUT or PATCH of `id`: remembers the resource as it is now, which filters see
/// from then on in place of what the write stores.
pub fn before_write(st: &Shared, kind: Kind, id: &str) {
    if !st.faults.has(Lifecycle::FilterSeesOldValue) {
        return;
    }
    if let Ok(Some(record)) = st.store.get(kind, id) {
        lock(&st.faults.lifecycle.before_last_write).insert(id.to_owned(), record.resource);
    }
}

/// Whether filters see a lagging copy of each resource (`filter-sees-old-value`); such a server has no index.
pub fn filters_lag(st: &Shared) -> bool {
    st.faults.has(Lifecycle::FilterSeesOldValue)
}

/// The resource a filter sees: under `filter-sees-old-value`, the copy from before its latest write.
pub fn as_filter_sees<'r>(st: &Shared, record: &'r Record) -> Cow<'r, Value> {
    match lock(&st.faults.lifecycle.before_last_write).get(&record.id) {
        Some(old) => Cow::Owned((**old).clone()),
        None => Cow::Borrowed(&record.resource),
    }
}

/// `delete-keeps-patched-members`, after a PATCH of a Group from `old` to `new`: remembers the members it added.
pub fn note_patched_members(st: &Shared, kind: Kind, id: &str, old: &Value, new: &Value) {
    if kind != Kind::Group || !st.faults.has(Lifecycle::DeleteKeepsPatchedMembers) {
        return;
    }
    let before = member_ids(old);
    let mut noted = lock(&st.faults.lifecycle.patched_members);
    for member in member_ids(new).into_iter().filter(|m| !before.contains(m)) {
        noted.insert((id.to_owned(), member));
    }
}

/// `delete-keeps-patched-members`, after `id` was deleted (and so left every group): the groups a PATCH added it
/// to go on listing it (the store refuses a dangling member, so the ghost lives here, and [`show_ghosts`] adds it).
pub fn keep_patched_members(st: &Shared, id: &str) {
    if !st.faults.has(Lifecycle::DeleteKeepsPatchedMembers) {
        return;
    }
    let kept: Vec<(String, String)> =
        lock(&st.faults.lifecycle.patched_members).iter().filter(|(_, m)| m == id).cloned().collect();
    lock(&st.faults.lifecycle.ghosts).extend(kept);
}

/// `delete-keeps-patched-members`: adds the deleted members a group goes on listing to its representation (one
/// that shows the group's displayName or members, so a projection without them stays as asked).
pub fn show_ghosts(st: &Shared, record: &Record, obj: &mut serde_json::Map<String, Value>) {
    if !st.faults.has(Lifecycle::DeleteKeepsPatchedMembers)
        || !(obj.contains_key("displayName") || obj.contains_key("members"))
    {
        return;
    }
    let ghosts: Vec<Value> = lock(&st.faults.lifecycle.ghosts)
        .iter()
        .filter(|(g, _)| *g == record.id)
        .map(|(_, m)| json!({"value": m}))
        .collect();
    if ghosts.is_empty() {
        return;
    }
    match obj.get_mut("members").and_then(Value::as_array_mut) {
        Some(members) => members.extend(ghosts),
        None => {
            obj.insert("members".into(), Value::Array(ghosts));
        }
    }
}

/// `sort-within-page`: the page `range` of `hits` as such a server computes it: cut from last-modified order (the
/// store's version counter), then sorted with `compare`.
pub fn sort_within_page<T>(
    hits: &mut [T],
    range: std::ops::Range<usize>,
    version: impl Fn(&T) -> u64,
    compare: impl Fn(&T, &T) -> std::cmp::Ordering,
) {
    hits.sort_by_key(|h| version(h));
    if let Some(page) = hits.get_mut(range) {
        page.sort_by(compare);
    }
}

/// The userName of a User resource, lowercased (userName is compared without regard to case).
fn user_name(resource: &Value) -> Option<String> {
    let obj = resource.as_object()?;
    scimlab_protocol::json::get_ci(obj, "userName").and_then(Value::as_str).map(str::to_lowercase)
}

/// `rehire-blocked`, when a User is deleted: its userName stays taken.
pub fn retire(st: &Shared, kind: Kind, deleted: &Value) {
    if kind != Kind::User || !st.faults.has(Lifecycle::RehireBlocked) {
        return;
    }
    if let Some(name) = user_name(deleted) {
        lock(&st.faults.lifecycle.retired).insert(name);
    }
}

/// `rehire-blocked`, when a User is created: 409 uniqueness for the userName of a deleted user.
pub fn refuse_retired(st: &Shared, kind: Kind, body: &Value) -> Result<(), ScimError> {
    if kind != Kind::User || !st.faults.has(Lifecycle::RehireBlocked) {
        return Ok(());
    }
    let Some(name) = user_name(body) else { return Ok(()) };
    if lock(&st.faults.lifecycle.retired).contains(&name) {
        return Err(ScimError::uniqueness(format!("userName {name:?} is taken")));
    }
    Ok(())
}

/// `patch-drops-extension`: after a PATCH none of whose operations names the enterprise extension (in its path or,
/// path-less, in its value), the extension is gone from the resource.
pub fn drop_untouched_extension(st: &Shared, req: &PatchRequest, resource: &mut Value) {
    if !st.faults.has(Lifecycle::PatchDropsExtension) {
        return;
    }
    let names_it = req.operations.iter().any(|op| {
        op.raw_path.as_deref().is_some_and(|p| p.contains(ENTERPRISE_USER_URN))
            || op.value.as_ref().is_some_and(|v| v.get(ENTERPRISE_USER_URN).is_some())
    });
    if !names_it && let Some(obj) = resource.as_object_mut() {
        obj.shift_remove(ENTERPRISE_USER_URN);
    }
}
