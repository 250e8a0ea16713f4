//! Where the mock service provider keeps resources and recordings.
//!
//! The [`Store`] trait is the only thing the HTTP layer knows about storage: [`MemoryStore`] by default,
//! [`SqliteStore`] with `--data FILE`. Every write is atomic and checked for uniqueness inside the store, so that
//! concurrent writers never lose an acknowledged write and never both win a contested `userName`.

mod memory;
mod sqlite;

pub use memory::{DEFAULT_RECORDING_BYTES, DEFAULT_RECORDING_CAPACITY, MemoryStore, etag_of, now_rfc3339};
pub use sqlite::SqliteStore;

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
pub trait Store: Send + Sync + 'static {
    /// Inserts a new resource whose `id` and `meta` are already set. Fails with 409 uniqueness when its
    /// `userName` (Users) collides with another, case-insensitively.
    fn insert(&self, kind: Kind, resource: Value) -> Result<Record, ScimError>;

    /// The resource with this id.
    fn get(&self, kind: Kind, id: &str) -> Result<Option<Record>, ScimError>;

    /// Atomically replaces a resource with what `f` returns from the current one (PUT, PATCH). 404 when the id
    /// is unknown; 409 uniqueness when the new value collides; `f`'s error is returned unchanged and nothing is
    /// written.
    fn update(&self, kind: Kind, id: &str, f: Mutation<'_>) -> Result<Record, ScimError>;

    /// Deletes a resource after `check` accepted the current value (If-Match). Deleting a User or Group removes it
    /// from every Group's `members` (RFC 7643 section 4.2 keeps membership consistent). 404 when unknown.
    fn delete(
        &self,
        kind: Kind,
        id: &str,
        check: &mut dyn FnMut(&Value) -> Result<(), ScimError>,
    ) -> Result<(), ScimError>;

    /// Resources whose indexed attribute equals `value` (per the attribute's case rule), in creation order.
    fn find(&self, kind: Kind, attr: Indexed, value: &str) -> Result<Vec<Record>, ScimError>;

    /// Visits every resource in creation order until `visit` returns false.
    fn scan(&self, kind: Kind, visit: &mut dyn FnMut(&Record) -> bool) -> Result<(), ScimError>;

    /// How many resources of this kind exist.
    fn count(&self, kind: Kind) -> Result<usize, ScimError>;

    /// The groups a user is a direct member of: (group id, displayName), for the User's readOnly `groups`.
    fn groups_of(&self, user_id: &str) -> Result<Vec<(String, String)>, ScimError>;

    /// Appends a recorded exchange (already redacted) and returns its sequence number.
    fn record(&self, exchange: &Exchange) -> Result<u64, ScimError>;

    /// [`Store::record`], taking the exchange, so a store that keeps exchanges in memory need not copy it (the
    /// recorder calls this once per request).
    fn record_owned(&self, exchange: Exchange) -> Result<u64, ScimError> {
        self.record(&exchange)
    }

    /// Recorded exchanges with sequence numbers greater than `after`, oldest first, at most `limit`.
    fn recordings(&self, after: u64, limit: usize) -> Result<Vec<(u64, Exchange)>, ScimError>;
}

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
