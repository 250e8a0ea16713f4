//! Fault injection (`scimlab serve --fault SPEC`): slow answers, 429 and 5xx, dropped connections, and named
//! deviations that each make the server break one rule on purpose.
//!
//! The harness's self-tests run every check against a mock SP with the deviation that check exists to catch, to
//! prove the check can fail; IdP developers use the transport faults to see how their client copes with a
//! struggling server. A [`Fault`] is parsed from its spec; [`Faults`] is what the server consults at run time.
//! Transport faults and the deviations that cut across every endpoint live in the [`inject`] middleware; every
//! other deviation is a one- or two-line `st.faults.has(Deviation::X)` check in the handler whose behaviour it
//! bends. [`Dice`] is the one source of randomness for faults and `--vary`, so `--seed` reproduces a run.

mod inject;
mod spec;

pub use inject::{inject, transport};
pub use spec::{Fault, FaultSpecError, TRANSPORT_FAULTS, parse_faults, valid_faults};

use crate::state::Shared;
use crate::store::{Indexed, Kind, Record, Store};
use scimlab_protocol::patch::{PatchOpKind, PatchOperation, PatchOptions, PatchRequest};
use scimlab_protocol::{ScimError, ScimType};
use serde_json::Value;
use std::fmt;
use std::ops::RangeInclusive;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

macro_rules! deviations {
    ($($(#[$doc:meta])* $variant:ident = $name:literal: $desc:literal,)*) => {
        /// A rule the mock SP can be told to break (`--fault NAME`), so that the check guarding the rule can be
        /// shown to fail. Listed by `scimlab serve --fault list`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Deviation {
            $($(#[$doc])* $variant,)*
        }

        impl Deviation {
            /// Every deviation, in the order `--fault list` shows them.
            pub const ALL: &[Deviation] = &[$(Deviation::$variant,)*];

            /// The name used on the command line (`patch-noop`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Deviation::$variant => $name,)*
                }
            }

            /// What the server does wrong, in one line.
            pub fn description(self) -> &'static str {
                match self {
                    $(Deviation::$variant => $desc,)*
                }
            }
        }
    };
}

deviations! {
    /// PATCH changes nothing.
    PatchNoop = "patch-noop": "PATCH answers 200 with the resource unchanged",
    /// Filters are ignored.
    FilterIgnored = "filter-ignored": "filters are accepted but every resource is returned",
    /// sortBy is ignored.
    SortIgnored = "sort-ignored": "sortBy and sortOrder are accepted but results keep creation order",
    /// Responses are labelled text/plain.
    WrongContentType = "wrong-content-type": "SCIM JSON responses are labelled Content-Type: text/plain",
    /// No ETags.
    NoEtag = "no-etag": "no ETag header and no meta.version (while the ServiceProviderConfig says etag is supported)",
    /// startIndex off by one.
    StartIndexZeroBased = "startindex-zero-based": "startIndex is read as 0-based, so startIndex=1 skips the first result",
    /// No Location on create.
    NoLocation = "no-location": "create answers 201 without a Location header",
    /// Create answers 200.
    Create200 = "create-200": "create answers 200 instead of 201",
    /// Create answers without a body.
    CreateEmptyBody = "create-empty-body": "create answers 201 with an empty body",
    /// Duplicate userNames accepted.
    NoUniqueness = "no-uniqueness": "a duplicate userName is answered 201 instead of 409 uniqueness (the duplicate is not stored)",
    /// Delete answers 200 with a body.
    Delete200 = "delete-200": "DELETE answers 200 with the deleted resource instead of 204",
    /// Unknown ids answer 200.
    NotFound200 = "not-found-200": "an unknown resource id is answered 200 with an empty object instead of 404",
    /// Errors are plain text.
    ErrorPlainText = "error-plain-text": "errors are text/plain sentences, not SCIM Error resources",
    /// Errors lack scimType.
    NoScimType = "no-scim-type": "error bodies lack scimType",
    /// If-Match is ignored.
    IfMatchIgnored = "if-match-ignored": "If-Match is ignored: a stale version never gets 412",
    /// The password is returned.
    PasswordReturned = "password-returned": "the stored password is returned in User representations (returned: never)",
    /// userName compared case-exactly.
    CaseSensitiveUserName = "case-sensitive-username": "userName eq filters and uniqueness compare case-exactly (caseExact is false)",
    /// Capitalised PATCH ops refused.
    OpsCaseSensitive = "ops-case-sensitive": "PATCH ops must be lowercase: Entra ID's \"Replace\" is refused",
    /// "True"/"False" refused.
    StringBooleansRefused = "string-booleans-refused": "PATCH values \"True\" / \"False\" are refused where a boolean belongs (Entra ID)",
    /// Dotted keys refused.
    DottedKeysRefused = "dotted-keys-refused": "path-less PATCH values with dotted keys (name.givenName) are refused (Entra ID)",
    /// Filtered member removal fails.
    MembersFilterRemoveUnsupported = "members-filter-remove-unsupported": "PATCH remove with a members[value eq \"...\"] path fails",
    /// Value-list member removal fails.
    MembersValueRemoveUnsupported = "members-value-remove-unsupported": "PATCH remove of members with a value list (Entra ID's removal) fails",
    /// An empty filter result is 404.
    EmptyList404 = "empty-list-404": "a filter that matches nothing is answered 404 instead of an empty ListResponse",
    /// PUT merges.
    PutIgnoresOmitted = "put-ignores-omitted": "PUT merges into the resource: attributes the body omits are kept",
    /// count ignored.
    CountIgnored = "count-ignored": "count is ignored: every page holds up to filter.maxResults resources",
    /// Projection ignored.
    AttributesIgnored = "attributes-ignored": "attributes and excludedAttributes are ignored",
    /// bulkId references not resolved.
    BulkIgnoresBulkId = "bulk-ignores-bulkid": "/Bulk runs operations in request order without resolving bulkId references",
    /// The ServiceProviderConfig lies.
    SpcLies = "spc-lies": "the ServiceProviderConfig announces bulk limits ten times those enforced (413 below them)",
    /// No authentication.
    AuthIgnored = "auth-ignored": "missing or wrong credentials are accepted (no 401)",
    /// 401 has no body.
    Unauthorized401NoBody = "401-no-body": "401 answers carry no body",
    /// `or` read as `and`.
    FilterOrAsAnd = "filter-or-as-and": "or in a filter is evaluated as and",
    /// `not` dropped.
    FilterNotIgnored = "filter-not-ignored": "not (...) in a filter is evaluated as its operand, without the negation",
    /// No precedence between and / or.
    FilterPrecedenceIgnored = "filter-precedence-ignored": "and / or are read left to right: a or b and c is evaluated as (a or b) and c",
    /// Value paths refused.
    FilterValuePathUnsupported = "filter-valuepath-unsupported": "filters with a value path (emails[type eq \"work\"]) are refused with 400 invalidFilter",
    /// dateTime offsets dropped.
    FilterDatetimeOffsetIgnored = "filter-datetime-offset-ignored": "dateTime literals in filters lose their UTC offset (T11:00:00+01:00 is read as T11:00:00Z)",
    /// Invalid filters ignored.
    FilterInvalidAccepted = "filter-invalid-accepted": "a filter that does not parse or type-check is ignored (200 with every resource) instead of 400 invalidFilter",
    /// Upper-case operators refused.
    FilterKeywordsCaseSensitive = "filter-keywords-case-sensitive": "filter operators and logical keywords must be lowercase: EQ and AND are refused with 400 invalidFilter",
    /// caseExact ignored in filters.
    FilterCaseExactIgnored = "filter-case-exact-ignored": "filters compare every string case-insensitively, caseExact attributes (id, externalId) included",
    /// sortOrder ignored.
    SortOrderIgnored = "sort-order-ignored": "sortOrder is ignored: results are always in ascending order",
    /// Case-sensitive sorting.
    SortCaseExact = "sort-case-exact": "sortBy orders strings case-sensitively even where caseExact is false",
    /// No .search.
    SearchUnsupported = "search-unsupported": "POST /.search and POST /{type}/.search answer 501",
    /// totalResults is the page size.
    TotalResultsPageSize = "total-results-page-size": "totalResults is the number of resources on the page, not the number that matched",
    /// itemsPerPage is the count asked for.
    ItemsPerPageIsCount = "items-per-page-is-count": "itemsPerPage is the page size asked for (or the server's maximum), not the number of resources returned",
    /// ListResponse integers as strings.
    IntegersAsStrings = "integers-as-strings": "totalResults, itemsPerPage and startIndex of a ListResponse are JSON strings",
    /// excludedAttributes ignored.
    ExcludedIgnored = "excluded-ignored": "excludedAttributes is ignored (attributes is honoured)",
    /// returned: always attributes dropped.
    ReturnedAlwaysDropped = "returned-always-dropped": "attributes / excludedAttributes can remove id, whose returned is always",
    /// No ServiceProviderConfig.
    SpcMissing = "spc-missing": "GET /ServiceProviderConfig answers 404",
    /// Incomplete ServiceProviderConfig.
    SpcIncomplete = "spc-incomplete": "the ServiceProviderConfig lacks its etag member",
    /// No /ResourceTypes.
    ResourceTypesMissing = "resource-types-missing": "GET /ResourceTypes and /ResourceTypes/{id} answer 404",
    /// No /Schemas.
    SchemasMissing = "schemas-missing": "GET /Schemas and /Schemas/{id} answer 404",
    /// Endpoints published as absolute URLs.
    EndpointAbsoluteUrl = "endpoint-absolute-url": "ResourceTypes publish each endpoint as an absolute URL (http://host/scim/v2/Users) instead of relative to the base URL (/Users)",
    /// Endpoints published as absolute paths.
    EndpointAbsolutePath = "endpoint-absolute-path": "ResourceTypes publish each endpoint as an absolute path that repeats the base path (/scim/v2/Users) instead of /Users",
    /// Discovery endpoints writable.
    DiscoveryWritable = "discovery-writable": "the discovery endpoints answer POST, PUT, PATCH and DELETE like GET (200) instead of 405",
    /// Filters on discovery endpoints ignored.
    DiscoveryFilterAccepted = "discovery-filter-accepted": "a filter on a discovery endpoint is ignored (200) instead of answered 403",
    /// /Bulk missing though announced.
    BulkUnsupported = "bulk-unsupported": "POST /Bulk answers 501 while the ServiceProviderConfig announces bulk.supported",
    /// maxResults announced lower than enforced.
    SpcMaxResultsLies = "spc-max-results-lies": "the ServiceProviderConfig announces filter.maxResults 2 while pages hold up to 1000 resources",
    /// PATCH not atomic.
    PatchNotAtomic = "patch-not-atomic": "PATCH applies operations one by one: those before a failing operation are kept",
    /// PATCH add replaces multi-valued attributes.
    PatchAddReplaces = "patch-add-replaces": "PATCH add to a multi-valued attribute replaces its values instead of adding to them",
    /// primary not kept unique.
    PatchPrimaryNotUnique = "patch-primary-not-unique": "PATCH setting primary true on a value leaves primary true on the value that had it",
    /// No noTarget for a replace filter that matches nothing.
    PatchNoTargetAccepted = "patch-no-target-accepted": "PATCH replace with a value filter that matches nothing answers 200, changing nothing, instead of 400 noTarget",
    /// replace of a complex attribute drops what it does not name.
    PatchReplaceClearsSiblings = "patch-replace-clears-siblings": "PATCH replace of a complex attribute (name) drops the sub-attributes the value leaves out",
    /// failOnErrors ignored.
    BulkFailOnErrorsIgnored = "bulk-fail-on-errors-ignored": "/Bulk runs every operation whatever failOnErrors says",
    /// /Bulk stops at the first error.
    BulkStopsAtFirstError = "bulk-stops-at-first-error": "/Bulk without failOnErrors stops at the first failed operation",
    /// Bulk limits not enforced.
    BulkNoLimit = "bulk-no-limit": "/Bulk enforces neither the maxOperations nor the maxPayloadSize it announces (no 413)",
    /// No location in bulk results.
    BulkNoLocation = "bulk-no-location": "BulkResponse results carry no location",
    /// If-None-Match ignored.
    IfNoneMatchIgnored = "if-none-match-ignored": "If-None-Match is ignored: GET with the current version answers 200, never 304",
    /// If-Match never matches.
    IfMatchRefused = "if-match-refused": "If-Match never matches: PUT, PATCH and DELETE naming the current version get 412",
    /// readOnly values stored.
    ReadonlyNotIgnored = "readonly-not-ignored": "readOnly attributes a client sends are stored instead of ignored: a POST keeps the client's id and groups, a PUT takes the body's id and groups",
    /// PUT changes nothing.
    PutNoop = "put-noop": "PUT answers 200 with the resource unchanged",
    /// DELETE keeps the resource.
    DeleteNoop = "delete-noop": "DELETE answers 204 but the resource stays (readable, listed, its userName taken)",
    /// Schema violations are 500.
    SchemaError500 = "schema-error-500": "a POST or PUT body that violates the schema (missing required attribute, wrong type) is answered 500 instead of 400",
    /// GET by id answers a list.
    ReadAsList = "read-as-list": "GET /{type}/{id} answers a ListResponse holding the resource instead of the resource",
    /// 404 where 405 belongs.
    No405 = "no-405": "a method a resource endpoint does not serve is answered 404 instead of 405",
    /// application/json refused.
    PlainJsonRefused = "plain-json-refused": "request bodies labelled Content-Type: application/json are refused with 415",
    /// No WWW-Authenticate.
    NoWwwAuthenticate = "no-www-authenticate": "401 answers carry no WWW-Authenticate header",
    /// Error status as a number.
    ErrorStatusNumber = "error-status-number": "the status of SCIM Error bodies is a JSON number (404), not a string (\"404\")",
    /// User.groups missing.
    UserGroupsMissing = "user-groups-missing": "Users never show their groups, whatever their membership",
    /// Extension URN missing from schemas.
    ExtensionUrnUnlisted = "extension-urn-unlisted": "representations carrying enterprise extension attributes list only the core schema in schemas",
    /// Extension attributes dropped.
    ExtensionDropped = "extension-dropped": "enterprise extension attributes sent on create are accepted but not stored",
    /// Attribute names case-sensitive.
    AttributeNamesCaseSensitive = "attribute-names-case-sensitive": "a create or replace body whose attribute names differ in case from the schema's (USERNAME) is refused as unknown attributes",
    /// Entra's bare-string manager refused.
    ManagerStringRefused = "manager-string-refused": "PATCH values giving a complex attribute as a bare string or a one-element array (Entra ID's manager \"id\") are refused with 400 invalidValue",
    /// Inactive users hidden.
    InactiveHidden = "inactive-hidden": "users with active false answer 404 by id and are left out of every query",
    /// PATCH answers 204.
    Patch204 = "patch-204": "PATCH answers 204 with no body, for Users too (the RFC allows it; Entra ID's validator wants 200 with the User)",
    /// Filtered replace does not create.
    FilteredReplaceNoCreate = "filtered-replace-no-create": "PATCH replace on emails[type eq \"work\"].value of a user without a work email answers 400 noTarget instead of creating it (Entra ID)",
    /// readOnly attributes refused.
    ReadonlyRefused = "readonly-refused": "a POST or PUT body carrying readOnly attributes other than id (groups, meta) is refused with 400 mutability instead of ignoring them",
    /// Values lower-cased.
    ValuesLowercased = "values-lowercased": "userName and email values are stored in lower case instead of as sent",
    /// Filters work, though announced unsupported.
    FilterUnsupportedWorking = "filter-unsupported-working": "the ServiceProviderConfig announces filter.supported false, yet every filter works",
    /// Filters on most attributes match nothing.
    FilterPartial = "filter-partial": "filters work on userName and id only: a comparison on any other attribute (externalId, displayName, members[...]) silently matches nothing (200, empty list)",
    /// PATCH answers 501.
    Patch501 = "patch-501": "every PATCH is answered 501 Not Implemented while the ServiceProviderConfig announces patch.supported true",
    /// The IdPs' lookup compares case-exactly.
    LookupCaseSensitive = "lookup-case-sensitive": "a bare userName eq \"x\" filter (the lookup IdPs send) compares case-exactly; compound filters still ignore case",
    /// The store forgets everything once.
    DataLoss = "data-loss": "after N requests (data-loss=N, default 200) every User and Group is forgotten, once, as by a restart without persistence",
    /// Connections dropped under concurrency.
    ResetUnderLoad = "reset-under-load": "a request that arrives while K others are in flight (reset-under-load=K, default 4) has its connection closed unanswered, as by a server with a small worker pool",
    /// Check-then-insert without atomicity.
    CreateRace = "create-race": "a create looks for the userName, waits 500 ms, then writes without looking again: creates of one userName sent together are all answered 201 (the late copies are not stored)",
    /// Deleted userNames stay taken.
    RehireBlocked = "rehire-blocked": "a deleted user's userName stays taken (a soft delete): creating it again is answered 409 uniqueness",
    /// meta.version never changes.
    VersionFrozen = "version-frozen": "the ETag and meta.version stay the same whatever is written",
    /// A core PATCH loses the extension.
    PatchDropsExtension = "patch-drops-extension": "a PATCH that does not name the enterprise extension removes it from the user",
    /// Read-modify-write without a version check.
    PatchLostUpdate = "patch-lost-update": "a PATCH reads the resource, waits 500 ms, then writes its result over whatever was written meanwhile: concurrent PATCHes of one resource lose each other's changes",
    /// Memberships added by PATCH outlive the user.
    DeleteKeepsPatchedMembers = "delete-keeps-patched-members": "a deleted user leaves the groups it joined at their creation or by PUT, but stays a member of those it was added to by PATCH",
    /// The search index lags one write behind.
    FilterSeesOldValue = "filter-sees-old-value": "filters see each resource as it was before its latest write (a lagging search index): a lookup by a userName changed a moment ago finds nothing, the old one still finds it",
    /// Pages cut from last-modified order, then sorted.
    SortWithinPage = "sort-within-page": "with sortBy, a page is cut from the resources in last-modified order and only then sorted, so a resource changed between page requests moves to another page",
}

impl Deviation {
    /// For the deviations that take a number (`data-loss=N`, `reset-under-load=K`), the number the bare name
    /// means; `None` for the others.
    pub fn default_amount(self) -> Option<u64> {
        match self {
            Deviation::DataLoss => Some(200),
            Deviation::ResetUnderLoad => Some(4),
            _ => None,
        }
    }

    /// The deviation with this name, in any case.
    pub fn from_name(name: &str) -> Option<Deviation> {
        Deviation::ALL.iter().copied().find(|d| d.name().eq_ignore_ascii_case(name.trim()))
    }

    fn bit(self) -> u128 {
        1 << (self as u32)
    }
}

impl fmt::Display for Deviation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the injection middleware does to a request that the dice pick.
#[derive(Debug, Clone)]
enum Answer {
    Status { status: u16, retry_after: Option<u32>, spec: String },
    Drop,
}

/// The faults a server runs with, prepared for cheap checks on every request.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    deviations: u128,
    latency: Option<(Duration, Duration)>,
    /// Each answer with the upper end of its slice of one 0..100 roll: shares are exact, not compounded.
    answers: Vec<(f64, Answer)>,
    /// Whether the middleware has anything to do.
    middleware: bool,
    /// `data-loss`: the store is forgotten once this many requests have been answered.
    forget_after: Option<u64>,
    /// `reset-under-load`: a request arriving while this many are in flight is dropped.
    max_in_flight: Option<u64>,
    /// Requests counted for `data-loss` and `reset-under-load` (shared by clones: one server, one count).
    load: Arc<Load>,
    /// `rehire-blocked`: the userNames of deleted users, lowercased (shared by clones).
    pub(crate) retired: Arc<Mutex<std::collections::HashSet<String>>>,
    /// `filter-sees-old-value` and `delete-keeps-patched-members`: what they remember (shared by clones).
    pub(crate) lifecycle: Arc<crate::lifecycle_faults::Memory>,
}

/// What `data-loss` and `reset-under-load` count.
#[derive(Debug, Default)]
struct Load {
    /// Requests that reached the transport middleware.
    seen: AtomicU64,
    /// Requests being served now.
    in_flight: AtomicU64,
}

/// The deviations the middleware applies (the others live in their handlers).
const CROSS_CUTTING: &[Deviation] = &[
    Deviation::WrongContentType,
    Deviation::ErrorPlainText,
    Deviation::NoScimType,
    Deviation::IfMatchIgnored,
    Deviation::IfMatchRefused,
    Deviation::Unauthorized401NoBody,
    Deviation::ErrorStatusNumber,
    Deviation::Patch501,
];

impl Faults {
    /// Prepares `faults` for the server.
    pub fn new(faults: &[Fault]) -> Faults {
        let mut out = Faults::default();
        let mut upto = 0.0;
        for f in faults {
            match f {
                Fault::Latency { min, max } => out.latency = Some((*min, *max)),
                Fault::Status { status, percent, retry_after } => {
                    upto += percent;
                    let answer = Answer::Status { status: *status, retry_after: *retry_after, spec: f.to_string() };
                    out.answers.push((upto, answer));
                }
                Fault::Drop { percent } => {
                    upto += percent;
                    out.answers.push((upto, Answer::Drop));
                }
                Fault::Deviation(d) => out.deviations |= d.bit(),
                Fault::Tuned(d, _) => out.deviations |= d.bit(),
            }
            let (d, amount) = match f {
                Fault::Tuned(d, n) => (*d, Some(*n)),
                Fault::Deviation(d) => (*d, d.default_amount()),
                _ => continue,
            };
            match d {
                Deviation::DataLoss => out.forget_after = amount,
                Deviation::ResetUnderLoad => out.max_in_flight = amount,
                _ => {}
            }
        }
        out.middleware = out.latency.is_some() || !out.answers.is_empty() || CROSS_CUTTING.iter().any(|&d| out.has(d));
        out
    }

    /// Whether the transport middleware has anything to do.
    fn transport(&self) -> bool {
        !self.answers.is_empty() || self.forget_after.is_some() || self.max_in_flight.is_some()
    }

    /// `data-loss` and `reset-under-load` for one arriving request: forgets every resource of `store` when this
    /// request follows the N-th, then counts it in flight. `Err` when it arrives while K others are in flight
    /// (the connection is to be dropped); otherwise the guard that counts it in flight until it is dropped.
    fn arrive(&self, store: &dyn Store) -> Result<Option<InFlight>, Dropped> {
        if let Some(n) = self.forget_after
            && self.load.seen.fetch_add(1, Ordering::SeqCst) == n
        {
            forget_everything(store);
        }
        let Some(k) = self.max_in_flight else { return Ok(None) };
        let before = self.load.in_flight.fetch_add(1, Ordering::SeqCst);
        let guard = InFlight(self.load.clone());
        if before < k { Ok(Some(guard)) } else { Err(Dropped) }
    }

    /// Whether the server must break the rule `d`.
    pub fn has(&self, d: Deviation) -> bool {
        self.deviations & d.bit() != 0
    }

    /// The PATCH leniencies the server accepts: `base`, less those a deviation refuses.
    pub fn patch_options(&self, base: PatchOptions) -> PatchOptions {
        PatchOptions {
            op_any_case: base.op_any_case && !self.has(Deviation::OpsCaseSensitive),
            string_booleans: base.string_booleans && !self.has(Deviation::StringBooleansRefused),
            dotted_keys: base.dotted_keys && !self.has(Deviation::DottedKeysRefused),
            remove_value_list: base.remove_value_list && !self.has(Deviation::MembersValueRemoveUnsupported),
            scalar_for_complex: base.scalar_for_complex && !self.has(Deviation::ManagerStringRefused),
            replace_creates_filtered: base.replace_creates_filtered && !self.has(Deviation::FilteredReplaceNoCreate),
        }
    }
}

/// `reset-under-load` picked this request: its connection is to be dropped.
struct Dropped;

/// A request counted in flight by `reset-under-load`, until dropped (also when its future is).
struct InFlight(Arc<Load>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// `data-loss`: deletes every Group, then every User, as a server restarted without persistence has none.
fn forget_everything(store: &dyn Store) {
    for kind in [Kind::Group, Kind::User] {
        let mut ids = Vec::new();
        let _ = store.scan(kind, &mut |r| {
            ids.push(r.id.clone());
            true
        });
        for id in ids {
            // A resource deleted meanwhile is gone either way.
            let _ = store.delete(kind, &id, &mut |_| Ok(()));
        }
    }
}

/// The one source of randomness of a server, for faults and `--vary`: a `fastrand::Rng` behind a mutex.
///
/// A mutex rather than per-request seeds: each draw takes the next number of one seeded sequence, so a client
/// that sends its requests one after another sees the same faults and variations on every run with the same
/// `--seed` (concurrent clients interleave draws in arrival order, which no scheme can make repeatable). The
/// lock is held for one draw only, and only when a fault or `--vary` asks for one.
pub struct Dice {
    rng: Mutex<fastrand::Rng>,
    seed: u64,
}

impl Dice {
    /// Dice seeded with `seed`, or with a random seed (see [`Dice::seed`]).
    pub fn new(seed: Option<u64>) -> Dice {
        let seed = seed.unwrap_or_else(|| fastrand::u64(..));
        Dice { rng: Mutex::new(fastrand::Rng::with_seed(seed)), seed }
    }

    /// The seed: pass it to `--seed` to replay a run.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    fn draw<T>(&self, f: impl FnOnce(&mut fastrand::Rng) -> T) -> T {
        f(&mut self.rng.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// A fair coin.
    pub fn bool(&self) -> bool {
        self.draw(|r| r.bool())
    }

    /// A number in `range`, uniformly.
    pub fn usize(&self, range: RangeInclusive<usize>) -> usize {
        self.draw(|r| r.usize(range))
    }

    fn percent(&self) -> f64 {
        self.draw(|r| r.f64()) * 100.0
    }

    fn duration(&self, min: Duration, max: Duration) -> Duration {
        if min >= max {
            return min;
        }
        let span = u64::try_from((max - min).as_micros()).unwrap_or(u64::MAX);
        min + Duration::from_micros(self.draw(|r| r.u64(0..=span)))
    }
}

/// The ETag a server shows for a stored version: none with `no-etag`; with `--vary`, weak or strong, chosen per
/// version from the seed, so one version keeps one tag while clients meet both forms (RFC 7644 section 3.14
/// leaves the choice to the server).
pub fn etag_shown(st: &Shared, version: u64) -> Option<String> {
    if st.faults.has(Deviation::NoEtag) {
        return None;
    }
    let version = if st.faults.has(Deviation::VersionFrozen) { 1 } else { version };
    let weak = crate::store::etag_of(version);
    if st.config.vary && mix(st.dice.seed() ^ version) & 1 == 1 {
        return Some(weak.trim_start_matches("W/").to_owned());
    }
    Some(weak)
}

/// SplitMix64's finaliser: spreads a seed and a version over all bits.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Last touches to a projected representation of `record`: `meta.version` as [`etag_shown`] says (removed by
/// `no-etag`), the stored password put back by `password-returned`, and the enterprise URN taken out of
/// `schemas` by `extension-urn-unlisted`.
pub fn present(st: &Shared, record: &Record, body: &mut Value) {
    let Some(obj) = body.as_object_mut() else { return };
    let retag = st.config.vary || st.faults.has(Deviation::NoEtag) || st.faults.has(Deviation::VersionFrozen);
    if let Some(meta) = obj.get_mut("meta").and_then(Value::as_object_mut).filter(|_| retag) {
        match etag_shown(st, record.version) {
            Some(tag) if meta.contains_key("version") => {
                meta.insert("version".into(), Value::String(tag));
            }
            Some(_) => {}
            None => {
                meta.remove("version");
            }
        }
    }
    if st.faults.has(Deviation::PasswordReturned) {
        let stored = record.resource.as_object().and_then(|o| scimlab_protocol::json::get_ci(o, "password"));
        if let Some(p) = stored {
            obj.insert("password".into(), p.clone());
        }
    }
    crate::resource_faults::unlist_extension(st, obj);
    crate::lifecycle_faults::show_ghosts(st, record, obj);
}

/// `no-uniqueness` or `case-sensitive-username`: whether a create must keep a copy of the new resource, in case
/// the store refuses it as a duplicate.
pub fn keeps_duplicates(st: &Shared) -> bool {
    st.faults.has(Deviation::NoUniqueness) || st.faults.has(Deviation::CaseSensitiveUserName)
}

/// `no-uniqueness` and `case-sensitive-username` at create: turns the store's 409 uniqueness for `resource` into
/// a record answered as created. The stores enforce RFC 7643 uniqueness themselves and have no switch to turn it
/// off, so the duplicate is not stored: the client sees 201 with a fresh id (the broken rule the harness must
/// catch), and a later GET of that id is 404. `case-sensitive-username` accepts only names that differ from every
/// existing one in case alone.
pub fn unstored_duplicate(st: &Shared, err: ScimError, resource: Option<Value>) -> Result<Record, ScimError> {
    let Some(resource) = resource.filter(|_| err.scim_type == Some(ScimType::Uniqueness)) else {
        return Err(err);
    };
    let field = |v: &Value, name: &str| {
        v.as_object().and_then(|o| scimlab_protocol::json::get_ci(o, name)).and_then(Value::as_str).map(str::to_owned)
    };
    let name = field(&resource, "userName").unwrap_or_default();
    if !st.faults.has(Deviation::NoUniqueness) {
        let same = st.store.find(Kind::User, Indexed::UserName, &name)?;
        if same.iter().any(|r| field(&r.resource, "userName").as_deref() == Some(name.as_str())) {
            return Err(err);
        }
    }
    Ok(unstored(resource))
}

/// A record answered as created but never stored: `resource` with its id, at version 0.
pub fn unstored(mut resource: Value) -> Record {
    let id = resource.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
    if let Some(meta) = resource.get_mut("meta").and_then(Value::as_object_mut) {
        meta.insert("version".into(), Value::String(crate::store::etag_of(0)));
    }
    Record { id, version: 0, resource: std::sync::Arc::new(resource) }
}

/// `case-sensitive-username`: whether a stored record's userName equals `wanted` exactly.
pub fn user_name_is(record: &Record, wanted: &str) -> bool {
    let obj = record.resource.as_object();
    obj.and_then(|o| scimlab_protocol::json::get_ci(o, "userName")).and_then(Value::as_str) == Some(wanted)
}

/// `members-filter-remove-unsupported`: refuses a PATCH `remove` whose path filters `members`
/// (`members[value eq "..."]`), as servers without value-path support do.
pub fn refuse_filtered_member_removal(st: &Shared, req: &PatchRequest) -> Result<(), ScimError> {
    if !st.faults.has(Deviation::MembersFilterRemoveUnsupported) {
        return Ok(());
    }
    let filtered = |op: &PatchOperation| {
        op.op == PatchOpKind::Remove
            && op.path.as_ref().is_some_and(|p| p.name.eq_ignore_ascii_case("members") && p.filter.is_some())
    };
    match req.operations.iter().position(filtered) {
        Some(i) => Err(ScimError::invalid_path(format!(
            "Operations[{i}]: remove with a filter on members is not supported by this server"
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deviation_names_are_unique_and_fit_the_bitset() {
        assert!(Deviation::ALL.len() <= 128);
        let mut names: Vec<&str> = Deviation::ALL.iter().map(|d| d.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Deviation::ALL.len());
    }
    #[test]
    fn deviations_switch_patch_leniencies_off() {
        let f = Faults::new(&[Fault::Deviation(Deviation::OpsCaseSensitive)]);
        let o = f.patch_options(PatchOptions::lenient());
        assert!(!o.op_any_case && o.string_booleans && o.dotted_keys && o.remove_value_list);
        assert!(!f.middleware);
        assert!(Faults::new(&[Fault::Deviation(Deviation::NoScimType)]).middleware);
    }

    #[test]
    fn seeded_dice_repeat() {
        let (a, b) = (Dice::new(Some(7)), Dice::new(Some(7)));
        let draw = |d: &Dice| (0..32).map(|_| d.usize(0..=1000)).collect::<Vec<_>>();
        assert_eq!(draw(&a), draw(&b));
        let d = a.duration(Duration::from_millis(50), Duration::from_millis(300));
        assert!(d >= Duration::from_millis(50) && d <= Duration::from_millis(300));
    }
}
