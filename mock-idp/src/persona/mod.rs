//! Personas: how one identity provider turns a lifecycle [`Intent`] into HTTP requests.
//!
//! A [`Persona`] is data: a set of traits (op casing, boolean style, update verb, lookup encoding, headers,
//! member-removal style, rename style, deactivation shape, delete policy...) chosen per IdP in [`catalog`], each
//! with the source it comes from. [`Persona::plan`] is pure: intent in, [`Planned`] requests out, so snapshot
//! tests pin every persona's wire requests without a server, and the scenario engine sends the same plans
//! through the recording client.

pub mod catalog;
pub mod explain;
mod groups;
mod requests;
mod users;
pub mod wire;

use crate::intent::Intent;
use serde::Serialize;
pub use wire::{Condition, Expect, ID, ListAll, Planned, PlannedBody, Space, TEST_USER_ID};

/// The identity provider a persona imitates (for the wording of failures, and the readiness line of each IdP:
/// [`Idp::display_name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Idp {
    /// A client that follows RFC 7644 to the letter.
    Rfc,
    /// Microsoft Entra ID.
    Entra,
    /// Okta.
    Okta,
    /// OneLogin.
    OneLogin,
    /// Google Workspace auto-provisioning.
    Google,
    /// JumpCloud's custom SCIM connector.
    JumpCloud,
    /// PingFederate's SCIM provisioner / PingOne.
    Ping,
}

/// How PATCH `op` values are spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OpCase {
    /// `add`, `replace`, `remove` (RFC 7644 section 3.5.2).
    Lower,
    /// `Add`, `Replace`, `Remove` (Entra without `aadOptscim062020`).
    Capitalised,
}

/// How `active` travels in a PATCH.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BoolStyle {
    /// JSON `true` / `false`.
    Json,
    /// The strings `"True"` / `"False"` (Entra's default).
    String,
}

/// How the IdP sends attribute changes to a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UpdateStyle {
    /// One PATCH op per attribute, each with a path; `Add` for a value set for the first time when
    /// `add_when_new` (Entra default; the RFC persona always uses `replace`).
    PatchPerAttribute {
        /// `Add` when the IdP had no value before.
        add_when_new: bool,
    },
    /// Filtered paths and adds as their own ops; two or more other replaces merged into one path-less
    /// `replace` whose value uses dotted and URN-qualified keys (Entra with `aadOptscim062020`).
    PatchDottedPathless,
    /// `GET /Users/{id}`, then a full `PUT` of what came back with the changes applied (Okta).
    GetThenPut,
    /// A full `PUT` rendered from the IdP's own template, without reading first (OneLogin).
    PutTemplate,
}

/// How (de)activation is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActivationStyle {
    /// PATCH `replace` with `path: active` (Entra; the RFC persona).
    PatchPath,
    /// PATCH `replace` with no path and `{"active": false}` (Okta OIN).
    PatchPathless,
    /// Like profile updates: the update style's PUT with `active` changed (Okta AIW, OneLogin).
    AsUpdate,
}

/// How the manager is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ManagerStyle {
    /// A separate step after create and updates: `GET ?filter=id eq ".." and manager eq ".."`, then (when it
    /// finds nothing) a PATCH on the URN-qualified `manager` path with the id as a bare string (Entra).
    CheckThenPatchString,
    /// Part of the user body and of PATCH ops as `{"value": id}` (the RFC persona).
    Complex,
    /// Part of the user body as `{"value": id, "displayName": ..}` (Okta's mapped manager).
    ComplexWithDisplay,
}

/// How members are added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MemberAddStyle {
    /// `[{"$ref": null, "value": id}]` (Entra).
    RefNull,
    /// `[{"value": id, "display": userName}]` (Okta).
    ValueDisplay,
    /// `[{"value": id}]` (RFC persona, OneLogin).
    Value,
}

/// How members are removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MemberRemoveStyle {
    /// `remove` on `members` with a value list `[{"value": id}]` (Entra default).
    ValueList,
    /// One `remove` per member on `members[value eq "id"]` with no value (Entra flag, Okta, RFC persona).
    FilterPath,
}

/// How group names and memberships travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GroupUpdateStyle {
    /// PATCH ops with paths (`replace displayName`, `add members`).
    Patch,
    /// PATCH; renames path-less `{id, displayName}`, and that rename follows every membership change (Okta OIN).
    PatchPathlessRename,
    /// A full PUT of the group (Okta AIW).
    Put,
}

/// How a full membership push ("Push now", an emptied group) is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PushStyle {
    /// `replace` on `members` with the whole list, `[]` for none (Okta; RFC persona).
    Replace,
    /// The difference from what was provisioned, as adds and removes (Entra pushes changes, never a full list).
    Diff,
}

/// When the IdP deletes users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeletePolicy {
    /// Deletes when the user is deleted.
    Delete,
    /// Only the hard delete, 30 days after a soft delete, while still in scope (Entra).
    HardDeleteOnly,
    /// Never sends DELETE for users (Okta).
    Never,
    /// A deleted user is disabled instead, as a deactivation (sent only while the user is still active): PingFederate
    /// with its Remove User Action set to Disable.
    DisableInstead,
}

/// What the admin's "Test Connection" sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TestConnectionStyle {
    /// A lookup of a random userName that must find nothing (Entra; OneLogin and Ping, inferred).
    ProbeLookup,
    /// `GET /Users?startIndex=1&count=2` (Okta's Test API Credentials).
    ListTwoUsers,
    /// `GET /ServiceProviderConfig` (the RFC persona; Google, inferred).
    ServiceProviderConfig,
    /// Creates a test user and a test group, then DELETEs both; a user whose DELETE is refused is deactivated
    /// instead (JumpCloud).
    CreateThenDelete,
}

/// How a group is found before it is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum GroupLookupStyle {
    /// An `eq` filter on displayName, in the persona's lookup encoding.
    Filter,
    /// Every group listed, page by page (`startIndex`, `count`), and displayName matched by the client (Ping).
    ListAll {
        /// The `count` of each page.
        page_size: u32,
    },
}

/// How a persona authenticates, for the CLI to refuse what the IdP cannot do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AuthSupport {
    /// A bearer token.
    pub bearer: bool,
    /// HTTP Basic.
    pub basic: bool,
}

/// Headers the persona sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderStyle {
    /// `User-Agent`: `None` sends none; `Some("")` sends it empty.
    pub user_agent: Option<&'static str>,
    /// `Accept`, on every request.
    pub accept: Option<&'static str>,
    /// `Accept-Charset`, on every request.
    pub accept_charset: Option<&'static str>,
    /// `Content-Type` of request bodies.
    pub content_type: &'static str,
    /// `Accept-Encoding`, on every request (Okta's `gzip,deflate`).
    pub accept_encoding: Option<&'static str>,
}

/// How lookups (the GETs before a create) and list queries are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LookupStyle {
    /// `+` or `%20` for spaces.
    pub space: Space,
    /// Text after the filter: `&startIndex=1&count=100` (Okta), `&` (OneLogin), or nothing.
    pub suffix: &'static str,
    /// Group lookups start with `excludedAttributes=members&` (Entra).
    pub groups_exclude_members: bool,
    /// A miss may be answered 404 as well as with an empty list (Okta).
    pub not_found_ok: bool,
}

/// How user bodies (POST, template PUT) are shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct UserBodyStyle {
    /// The core User schema URN the persona writes.
    pub core_urn: &'static str,
    /// The enterprise extension URN, also the extension's key.
    pub enterprise_urn: &'static str,
    /// The enterprise URN is listed in `schemas` even when no extension attribute is set (Entra).
    pub always_enterprise: bool,
    /// `meta: {resourceType: User}` (Entra).
    pub meta: bool,
    /// `roles: []` (Entra).
    pub roles: bool,
    /// `groups: []` (Okta).
    pub groups: bool,
    /// `name.formatted` (Entra).
    pub formatted: bool,
    /// Unset template fields rendered as `""` (OneLogin).
    pub empty_strings: bool,
}

/// How group creates are shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GroupBodyStyle {
    /// An extra schema URN after the core Group one (Entra's ADSCIM URN).
    pub extra_schema: Option<&'static str>,
    /// Sends `externalId`.
    pub external_id: bool,
    /// Sends `members: []`.
    pub empty_members: bool,
    /// `meta: {resourceType: Group}`.
    pub meta: bool,
    /// Creates a group that has no members yet. JumpCloud does not: a group is created with its first members.
    pub create_empty: bool,
}

/// One identity provider's way of provisioning, as data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Persona {
    /// The name given to `--as`.
    pub name: &'static str,
    /// Which IdP it imitates.
    pub idp: Idp,
    /// One line for `--list` and reports.
    pub summary: &'static str,
    /// Headers.
    pub headers: HeaderStyle,
    /// Credentials it can send.
    pub auth: AuthSupport,
    /// Lookup encoding.
    pub lookup: LookupStyle,
    /// What Test Connection sends.
    pub test_connection: TestConnectionStyle,
    /// How groups are found before a create.
    pub group_lookup: GroupLookupStyle,
    /// Looks the user up by userName before every update too, not only before the create (JumpCloud).
    pub lookup_before_update: bool,
    /// A GET of this path, which must answer 404, before every operation (PingFederate's GitHub EMU provisioner:
    /// `/Users/0`).
    pub connection_check: Option<&'static str>,
    /// PATCH op casing.
    pub op_case: OpCase,
    /// `active` values.
    pub booleans: BoolStyle,
    /// Profile updates.
    pub update: UpdateStyle,
    /// (De)activation.
    pub activation: ActivationStyle,
    /// Manager.
    pub manager: ManagerStyle,
    /// User bodies.
    pub user_body: UserBodyStyle,
    /// Group creates.
    pub group_body: GroupBodyStyle,
    /// Member adds.
    pub member_add: MemberAddStyle,
    /// Member removals.
    pub member_remove: MemberRemoveStyle,
    /// Group renames and membership changes.
    pub group_update: GroupUpdateStyle,
    /// Full membership pushes.
    pub push: PushStyle,
    /// User deletes.
    pub delete_users: DeletePolicy,
    /// Text after the path of a PUT (`?` for OneLogin's `PUT /Users/{id}?`).
    pub put_suffix: Option<&'static str>,
    /// Whether it uses /Bulk when the server announces it (only the RFC persona: no real IdP does).
    pub uses_bulk: bool,
    /// Group PATCH responses the IdP accepts.
    pub group_patch_statuses: &'static [u16],
    /// Where each behaviour comes from: (behaviour, source).
    pub sources: &'static [(&'static str, &'static str)],
}

impl Persona {
    /// Every persona, `entra` first (the default).
    pub fn all() -> &'static [Persona] {
        catalog::ALL
    }

    /// The persona called `name` (case-insensitive).
    pub fn by_name(name: &str) -> Option<&'static Persona> {
        catalog::ALL.iter().find(|p| p.name.eq_ignore_ascii_case(name.trim()))
    }

    /// The names of every persona, comma-separated, for messages.
    pub fn names() -> String {
        catalog::ALL.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
    }

    /// The requests this persona sends for `intent`, in order. An empty plan means the IdP sends nothing for
    /// it (Okta never deletes users); [`Persona::silent_reason`] says why.
    pub fn plan(&self, intent: &Intent) -> Vec<Planned> {
        let mut plan = match intent {
            Intent::TestConnection { probe } => users::test_connection(self, probe),
            Intent::Hire { user } => users::hire(self, user),
            Intent::Update { id, before, changes } => {
                let mut plan = users::update(self, id, before, changes, None);
                if self.lookup_before_update && !plan.is_empty() {
                    plan.insert(0, users::lookup_existing(self, &before.user_name));
                }
                plan
            }
            Intent::ChangeRoles { id, before, add, remove } => users::change_roles(self, id, before, add, remove),
            Intent::Deactivate { id, before } => users::set_active(self, id, before, false, &Default::default()),
            Intent::Reactivate { id, before, changes } => users::set_active(self, id, before, true, changes),
            Intent::DeleteUser { id, user } => users::delete(self, id, user),
            Intent::CreateGroup { group } => groups::create(self, group),
            Intent::ChangeMembers { id, group, add, remove } => groups::change_members(self, id, group, add, remove),
            Intent::PushMembers { id, group, members } => groups::push(self, id, group, members),
            Intent::RenameGroup { id, group, display_name } => groups::rename(self, id, group, display_name),
            Intent::DeleteGroup { id, .. } => groups::delete(self, id),
        };
        if let (Some(path), false) = (self.connection_check, plan.is_empty()) {
            let check = self.request("connection-check", "GET", path.to_owned(), PlannedBody::None).expecting(
                Expect::Status { statuses: &[404] },
                "PingFederate's GitHub EMU provisioner checks the connection with GET /Users/0 before every \
                 provisioning operation and needs 404 (Ping Identity docs, GitHub EMU connector user and group \
                 management)",
            );
            plan.insert(0, check);
        }
        plan
    }

    /// The `value` this persona sends a role with, which the service provider must return unchanged (see
    /// `users::role_element` for each IdP's shape and its source).
    pub fn role_value(&self, role: &str) -> String {
        users::role_value(self, role)
    }

    /// A user as this persona writes it in a create (for bulk operations, which carry the same resource).
    pub fn user_resource(&self, user: &crate::intent::UserProfile) -> serde_json::Value {
        users::user_body(self, user, true)
    }

    /// Why the persona sends nothing for `intent`, when it sends nothing.
    pub fn silent_reason(&self, intent: &Intent) -> Option<&'static str> {
        match (intent, self.delete_users) {
            (Intent::DeleteUser { .. }, DeletePolicy::Never) => Some(
                "Okta never sends DELETE for users: deleting the user in Okta sends nothing to the app \
                 (Okta SCIM FAQ)",
            ),
            (Intent::DeleteUser { user, .. }, DeletePolicy::DisableInstead) if !user.active => Some(
                "PingFederate with the Remove User Action Disable (the default) disables a removed user instead of \
                 deleting it, and this user is disabled already (Ping Identity docs, SCIM connector settings \
                 reference; ping-delete sends the DELETE)",
            ),
            (Intent::CreateGroup { group }, _) if !self.group_body.create_empty && group.members.is_empty() => Some(
                "JumpCloud never creates an empty group: the group is created, with its members, when its first \
                 members are added (JumpCloud support, group management considerations)",
            ),
            _ => None,
        }
    }

    /// The op name in this persona's casing.
    pub fn op(&self, lower: &'static str) -> &'static str {
        match (self.op_case, lower) {
            (OpCase::Lower, _) => lower,
            (OpCase::Capitalised, "add") => "Add",
            (OpCase::Capitalised, "replace") => "Replace",
            (OpCase::Capitalised, "remove") => "Remove",
            (OpCase::Capitalised, other) => other,
        }
    }

    /// `active` as this persona writes it in a PATCH.
    pub fn boolean(&self, b: bool) -> serde_json::Value {
        match self.booleans {
            BoolStyle::Json => serde_json::Value::Bool(b),
            BoolStyle::String => serde_json::Value::String(if b { "True" } else { "False" }.into()),
        }
    }

    /// A request with the persona's headers; `body` decides whether `Content-Type` goes along.
    fn request(&self, label: &'static str, method: &'static str, path: String, body: PlannedBody) -> Planned {
        let mut headers = Vec::new();
        let mut omit = Vec::new();
        match self.headers.user_agent {
            Some(ua) => headers.push(("User-Agent".to_owned(), ua.to_owned())),
            None => omit.push("User-Agent".to_owned()),
        }
        match self.headers.accept {
            Some(a) => headers.push(("Accept".to_owned(), a.to_owned())),
            None => omit.push("Accept".to_owned()),
        }
        if let Some(c) = self.headers.accept_charset {
            headers.push(("Accept-Charset".to_owned(), c.to_owned()));
        }
        if let Some(e) = self.headers.accept_encoding {
            headers.push(("Accept-Encoding".to_owned(), e.to_owned()));
        }
        if body != PlannedBody::None {
            headers.push(("Content-Type".to_owned(), self.headers.content_type.to_owned()));
        }
        Planned {
            label,
            method,
            path,
            raw_query: None,
            headers,
            omit,
            body,
            expect: Expect::Status { statuses: &[200] },
            captures_id: false,
            condition: Condition::Always,
            list_all: None,
            why: "",
        }
    }

    /// The lookup query for `attr eq "value"` in this persona's encoding (with its suffix; `groups` adds
    /// Entra's `excludedAttributes=members`), as the persona looks resources up before creating them.
    pub fn lookup_query(&self, attr: &str, value: &str, groups: bool) -> String {
        let filter = format!("{attr} eq {}", wire::filter_literal(value));
        let mut q = String::new();
        if groups && self.lookup.groups_exclude_members {
            q.push_str("excludedAttributes=members&");
        }
        q.push_str("filter=");
        q.push_str(&wire::encode_component(&filter, self.lookup.space));
        q.push_str(self.lookup.suffix);
        q
    }
}

impl Planned {
    /// Sets the expectation and its reason.
    fn expecting(mut self, expect: Expect, why: &'static str) -> Planned {
        self.expect = expect;
        self.why = why;
        self
    }

    /// Sets the raw query.
    fn with_query(mut self, q: String) -> Planned {
        self.raw_query = Some(q);
        self
    }
}
