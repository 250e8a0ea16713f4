//! The check model: a conformance requirement as data, with the function that tests it.

use crate::ctx::Ctx;
use futures_util::future::BoxFuture;
pub use scimlab_reports::Level;

/// The async function of a check. Write checks as `async fn x(ctx: &Ctx) -> Outcome` and wrap them with
/// [`run!`](crate::run) to get one of these.
pub type RunFn = for<'a> fn(&'a Ctx) -> BoxFuture<'a, Outcome>;

/// Wraps an `async fn(&Ctx) -> Outcome` into a [`RunFn`].
#[macro_export]
macro_rules! run {
    ($f:path) => {{
        fn wrapped(ctx: &$crate::ctx::Ctx) -> ::futures_util::future::BoxFuture<'_, $crate::check::Outcome> {
            ::std::boxed::Box::pin($f(ctx))
        }
        wrapped
    }};
}

/// What a check's function concludes. A failed requirement is an `Outcome`, never an `Err`.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The requirement holds.
    Pass,
    /// The requirement is missed: what was expected and what the server did.
    Fail {
        /// Expected behaviour.
        expected: String,
        /// Observed behaviour.
        actual: String,
    },
    /// The check could not be judged, and that is not the server's failure of this requirement (a prerequisite
    /// failed, a capability is missing).
    Skip(String),
    /// The harness itself failed (transport error, bug). Never blamed on the server.
    Error(String),
}

impl Outcome {
    /// A failure.
    pub fn fail(expected: impl Into<String>, actual: impl Into<String>) -> Outcome {
        Outcome::Fail { expected: expected.into(), actual: actual.into() }
    }

    /// Pass when `ok`, else the failure.
    pub fn check(ok: bool, expected: impl Into<String>, actual: impl Into<String>) -> Outcome {
        if ok { Outcome::Pass } else { Outcome::fail(expected, actual) }
    }
}

/// Tags, a fixed list (the registry test rejects others). Select with `--only TAG` / `--skip TAG`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tag {
    /// /ServiceProviderConfig, /ResourceTypes, /Schemas.
    Discovery,
    /// /Users.
    Users,
    /// /Groups.
    Groups,
    /// Create (POST).
    Create,
    /// Read (GET by id).
    Read,
    /// Replace (PUT).
    Replace,
    /// Delete.
    Delete,
    /// The `filter` parameter.
    Filter,
    /// Sorting.
    Sort,
    /// Pagination.
    Pagination,
    /// attributes / excludedAttributes.
    Projection,
    /// POST .search.
    Search,
    /// PATCH.
    Patch,
    /// /Bulk.
    Bulk,
    /// ETags and preconditions.
    Etag,
    /// Error responses.
    Errors,
    /// HTTP-level behaviour (media types, methods, status codes).
    Http,
    /// Authentication.
    Auth,
    /// /Me.
    Me,
    /// Schema-driven behaviour (types, mutability, returned, extensions).
    Schema,
    /// Group membership.
    Membership,
    /// Differential property checks against the reference semantics.
    Differential,
    /// Microsoft Entra ID profile.
    Entra,
    /// Okta profile.
    Okta,
}

impl Tag {
    /// Every tag.
    pub const ALL: [Tag; 24] = [
        Tag::Discovery,
        Tag::Users,
        Tag::Groups,
        Tag::Create,
        Tag::Read,
        Tag::Replace,
        Tag::Delete,
        Tag::Filter,
        Tag::Sort,
        Tag::Pagination,
        Tag::Projection,
        Tag::Search,
        Tag::Patch,
        Tag::Bulk,
        Tag::Etag,
        Tag::Errors,
        Tag::Http,
        Tag::Auth,
        Tag::Me,
        Tag::Schema,
        Tag::Membership,
        Tag::Differential,
        Tag::Entra,
        Tag::Okta,
    ];

    /// The tag's name on the command line and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Tag::Discovery => "discovery",
            Tag::Users => "users",
            Tag::Groups => "groups",
            Tag::Create => "create",
            Tag::Read => "read",
            Tag::Replace => "replace",
            Tag::Delete => "delete",
            Tag::Filter => "filter",
            Tag::Sort => "sort",
            Tag::Pagination => "pagination",
            Tag::Projection => "projection",
            Tag::Search => "search",
            Tag::Patch => "patch",
            Tag::Bulk => "bulk",
            Tag::Etag => "etag",
            Tag::Errors => "errors",
            Tag::Http => "http",
            Tag::Auth => "auth",
            Tag::Me => "me",
            Tag::Schema => "schema",
            Tag::Membership => "membership",
            Tag::Differential => "differential",
            Tag::Entra => "entra",
            Tag::Okta => "okta",
        }
    }

    /// The tag with this name, case-insensitively.
    pub fn parse(s: &str) -> Option<Tag> {
        Tag::ALL.into_iter().find(|t| t.as_str().eq_ignore_ascii_case(s))
    }
}

/// A capability a check needs; when the ServiceProviderConfig says it is unsupported (or the server has no such
/// resource type), the check is skipped with the reason and never failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    /// `patch.supported`.
    Patch,
    /// `bulk.supported`.
    Bulk,
    /// `filter.supported`.
    Filter,
    /// `sort.supported`.
    Sort,
    /// `etag.supported`.
    Etag,
    /// `changePassword.supported`.
    ChangePassword,
    /// A `User` resource type.
    Users,
    /// A `Group` resource type.
    Groups,
    /// The enterprise User extension on the User resource type.
    EnterpriseUser,
}

impl Capability {
    /// How the capability is named in skip reasons.
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Patch => "patch.supported",
            Capability::Bulk => "bulk.supported",
            Capability::Filter => "filter.supported",
            Capability::Sort => "sort.supported",
            Capability::Etag => "etag.supported",
            Capability::ChangePassword => "changePassword.supported",
            Capability::Users => "a User resource type",
            Capability::Groups => "a Group resource type",
            Capability::EnterpriseUser => "the enterprise User extension",
        }
    }
}

/// Who a check speaks for: the RFCs, or one identity provider. A profile check's `profiles` names exactly one IdP
/// profile, so that a run's readiness per IdP is the verdicts of the checks whose `profiles` name it
/// ([`Profile::IDPS`], [`Profile::display_name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Profile {
    /// RFC 7643 / RFC 7644 themselves.
    Rfc,
    /// What Microsoft Entra ID provisioning needs.
    Entra,
    /// What Okta provisioning needs.
    Okta,
    /// What Google Workspace auto-provisioning needs (judged by replaying its persona).
    Google,
    /// What JumpCloud's SCIM connector needs (judged by replaying its persona).
    JumpCloud,
    /// What PingFederate / PingOne provisioning needs (judged by replaying its personas).
    Ping,
}

impl Profile {
    /// Every profile: what `scimlab test` runs when no `--profile` is given.
    pub const ALL: [Profile; 6] =
        [Profile::Rfc, Profile::Entra, Profile::Okta, Profile::Google, Profile::JumpCloud, Profile::Ping];

    /// The IdP profiles, in the order their readiness lines are printed.
    pub const IDPS: [Profile; 5] = [Profile::Entra, Profile::Okta, Profile::Google, Profile::JumpCloud, Profile::Ping];

    /// The profile's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Rfc => "rfc",
            Profile::Entra => "entra",
            Profile::Okta => "okta",
            Profile::Google => "google",
            Profile::JumpCloud => "jumpcloud",
            Profile::Ping => "ping",
        }
    }

    /// The profile with this name.
    pub fn parse(s: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.as_str().eq_ignore_ascii_case(s))
    }

    /// The names of every profile, comma-separated, for help and messages.
    pub fn names() -> String {
        Profile::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ")
    }

    /// The identity provider whose requests the profile's checks send (`None` for the RFC profile). The IdP
    /// itself, its name included, is the mock IdP's persona model: the one place an IdP is described.
    pub fn idp(self) -> Option<scimlab_mock_idp::persona::Idp> {
        match self {
            Profile::Rfc => None,
            Profile::Entra => Some(scimlab_mock_idp::persona::Idp::Entra),
            Profile::Okta => Some(scimlab_mock_idp::persona::Idp::Okta),
            Profile::Google => Some(scimlab_mock_idp::persona::Idp::Google),
            Profile::JumpCloud => Some(scimlab_mock_idp::persona::Idp::JumpCloud),
            Profile::Ping => Some(scimlab_mock_idp::persona::Idp::Ping),
        }
    }

    /// The name a readiness line starts with: "Microsoft Entra ID", "Okta"; "RFC 7643 / 7644" for the RFC profile.
    pub fn display_name(self) -> &'static str {
        match self.idp() {
            Some(idp) => idp.display_name(),
            None => "RFC 7643 / 7644",
        }
    }
}

/// One conformance check.
#[derive(Clone, Copy)]
pub struct Check {
    /// Stable id: `rfc7644/3.4.2.2/filter-co-substring`, `profile/entra/patch-capitalised-ops`.
    pub id: &'static str,
    /// Requirement level.
    pub level: Level,
    /// Tags from [`Tag`].
    pub tags: &'static [Tag],
    /// What the server must announce or have for the check to run.
    pub requires: &'static [Capability],
    /// Profiles the check belongs to.
    pub profiles: &'static [Profile],
    /// The requirement, one line, our words.
    pub requirement: &'static str,
    /// What the check sends, for `scimlab checks explain`.
    pub sends: &'static str,
    /// For profile checks: what happens in the IdP when this fails ("Entra provisioning will fail here because
    /// ..."). Empty for RFC checks.
    pub consequence: &'static str,
    /// Names of mock SP deviations (`scimlab serve --fault NAME`) under which this check must fail: its pass /
    /// fail pair, enforced by the harness's own tests. Empty only for checks whose failure cannot be provoked in
    /// the mock SP (the registry test lists them).
    pub catches: &'static [&'static str],
    /// The test.
    pub run: RunFn,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check").field("id", &self.id).field("level", &self.level).finish_non_exhaustive()
    }
}

impl Check {
    /// The RFC section of the id, in report form: `rfc7644/3.4.2.2/x` → `RFC 7644 3.4.2.2`; profile checks give
    /// `profile entra`.
    pub fn section(&self) -> String {
        let mut parts = self.id.split('/');
        match (parts.next(), parts.next()) {
            (Some(rfc), Some(sec)) if rfc.starts_with("rfc") => format!("RFC {} {sec}", &rfc[3..]),
            (Some("profile"), Some(p)) => format!("profile {p}"),
            (Some(other), Some(sec)) => format!("{other} {sec}"),
            _ => self.id.to_owned(),
        }
    }

    /// Whether the check belongs to any of `profiles`.
    pub fn in_profiles(&self, profiles: &[Profile]) -> bool {
        self.profiles.iter().any(|p| profiles.contains(p))
    }
}
