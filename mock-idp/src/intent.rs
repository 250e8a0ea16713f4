//! Lifecycle intents: what an identity provider wants to happen to one account or group (hire, update,
//! deactivate, add members...), with the IdP's own knowledge of that account or group, which a persona needs to
//! shape the request (Entra sends `Add` rather than `Replace` when it sets a value for the first time; Entra's
//! group push sends the difference between the membership it provisioned and the one it wants).
//!
//! These are plain data: a persona turns an [`Intent`] into planned requests without any I/O.

use serde::Serialize;

/// What the IdP holds about a user it provisions: the attributes it maps to SCIM. `None` means not set in the
/// IdP, so not sent (Entra never sends nulls; OneLogin's template renders them as `""`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UserProfile {
    /// `userName` (the matching attribute).
    pub user_name: String,
    /// `externalId`: Entra's objectId or mailNickname, Okta's user id.
    pub external_id: String,
    /// `name.givenName`.
    pub given_name: Option<String>,
    /// `name.familyName`.
    pub family_name: Option<String>,
    /// `displayName`.
    pub display_name: Option<String>,
    /// `nickName`.
    pub nick_name: Option<String>,
    /// The work e-mail address (`emails[type eq "work"].value`).
    pub email: Option<String>,
    /// `title`.
    pub title: Option<String>,
    /// Enterprise extension `department`.
    pub department: Option<String>,
    /// Enterprise extension `employeeNumber`.
    pub employee_number: Option<String>,
    /// Enterprise extension `manager`, once the manager is provisioned too.
    pub manager: Option<Member>,
    /// `locale` (Okta sends it on create).
    pub locale: Option<String>,
    /// `password`, only when the IdP synchronises passwords (Okta's Sync Password).
    pub password: Option<String>,
    /// The application roles assigned, by name (`roles`, RFC 7643 section 4.1.2), in the order assigned.
    pub roles: Vec<String>,
    /// `active`.
    pub active: bool,
}

impl UserProfile {
    /// Whether any enterprise extension attribute is set.
    pub fn has_enterprise(&self) -> bool {
        self.department.is_some() || self.employee_number.is_some() || self.manager.is_some()
    }

    /// `givenName familyName`, as Entra fills `name.formatted`.
    pub fn formatted_name(&self) -> Option<String> {
        match (&self.given_name, &self.family_name) {
            (Some(g), Some(f)) => Some(format!("{g} {f}")),
            (Some(g), None) => Some(g.clone()),
            (None, Some(f)) => Some(f.clone()),
            (None, None) => None,
        }
    }

    /// The roles after a role change: `remove` taken away, `add` appended (each role once).
    pub fn roles_after(&self, add: &[String], remove: &[String]) -> Vec<String> {
        let mut roles: Vec<String> = self.roles.iter().filter(|r| !remove.contains(r)).cloned().collect();
        for r in add {
            if !roles.contains(r) {
                roles.push(r.clone());
            }
        }
        roles
    }

    /// The profile after `changes`.
    pub fn with(&self, changes: &UserChanges) -> UserProfile {
        let mut p = self.clone();
        let set = |slot: &mut Option<String>, v: &Option<String>| {
            if let Some(v) = v {
                *slot = Some(v.clone());
            }
        };
        if let Some(u) = &changes.user_name {
            p.user_name = u.clone();
        }
        if let Some(x) = &changes.external_id {
            p.external_id = x.clone();
        }
        set(&mut p.given_name, &changes.given_name);
        set(&mut p.family_name, &changes.family_name);
        set(&mut p.display_name, &changes.display_name);
        set(&mut p.nick_name, &changes.nick_name);
        set(&mut p.email, &changes.email);
        set(&mut p.title, &changes.title);
        set(&mut p.department, &changes.department);
        set(&mut p.employee_number, &changes.employee_number);
        if let Some(m) = &changes.manager {
            p.manager = Some(m.clone());
        }
        p
    }
}

/// Attribute changes made in the IdP; `None` leaves an attribute as it is (IdPs cannot clear values outbound:
/// IDP-TRAFFIC.md section 1, clear-attribute-values).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UserChanges {
    /// New `userName`.
    pub user_name: Option<String>,
    /// New `externalId`.
    pub external_id: Option<String>,
    /// New `displayName`.
    pub display_name: Option<String>,
    /// New `nickName`.
    pub nick_name: Option<String>,
    /// New work e-mail.
    pub email: Option<String>,
    /// New `name.givenName`.
    pub given_name: Option<String>,
    /// New `name.familyName`.
    pub family_name: Option<String>,
    /// New `title`.
    pub title: Option<String>,
    /// New enterprise `department`.
    pub department: Option<String>,
    /// New enterprise `employeeNumber`.
    pub employee_number: Option<String>,
    /// New manager.
    pub manager: Option<Member>,
}

impl UserChanges {
    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        *self == UserChanges::default()
    }

    /// The same changes without the manager (which Entra sends as its own step).
    pub fn without_manager(&self) -> UserChanges {
        UserChanges { manager: None, ..self.clone() }
    }
}

/// A reference to a provisioned user: its SCIM id and how the IdP displays it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    /// The SCIM `id` the service provider gave it.
    pub id: String,
    /// Its display text (Okta sends the member's userName as `display`).
    pub display: String,
}

/// What the IdP holds about a group it pushes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GroupProfile {
    /// `displayName` (the matching attribute).
    pub display_name: String,
    /// `externalId` (Entra sends the group's objectId).
    pub external_id: String,
    /// The members the IdP has provisioned.
    pub members: Vec<Member>,
}

/// One lifecycle intent, with the IdP's knowledge of its subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "intent")]
pub enum Intent {
    /// The admin's "Test Connection" (Entra) or "Test API Credentials" (Okta); `probe` is the random value an
    /// IdP looks for.
    TestConnection {
        /// The value looked up (Entra: a random GUID).
        probe: String,
    },
    /// A new user assigned to the application: lookup, create, and (Entra) the manager afterwards.
    Hire {
        /// The user.
        user: UserProfile,
    },
    /// Attribute changes (a promotion, a new manager).
    Update {
        /// SCIM id.
        id: String,
        /// What the IdP provisioned before.
        before: UserProfile,
        /// What changed.
        changes: UserChanges,
    },
    /// Application roles assigned to and / or taken from the user, as one role change.
    ChangeRoles {
        /// SCIM id.
        id: String,
        /// What the IdP provisioned before (its `roles` are the roles held until now).
        before: UserProfile,
        /// Roles assigned.
        add: Vec<String>,
        /// Roles taken away.
        remove: Vec<String>,
    },
    /// The user is disabled, unassigned or leaves scope.
    Deactivate {
        /// SCIM id.
        id: String,
        /// What the IdP provisioned before.
        before: UserProfile,
    },
    /// The user is enabled again, possibly with changes (a rehire).
    Reactivate {
        /// SCIM id.
        id: String,
        /// What the IdP provisioned before.
        before: UserProfile,
        /// What changed while the account was disabled.
        changes: UserChanges,
    },
    /// The user is deleted for good (Entra: the hard delete after a soft delete).
    DeleteUser {
        /// SCIM id.
        id: String,
        /// What the IdP provisioned.
        user: UserProfile,
    },
    /// A group pushed for the first time: lookup, then create without members.
    CreateGroup {
        /// The group.
        group: GroupProfile,
    },
    /// Members added to and / or removed from a group, as one membership change.
    ChangeMembers {
        /// SCIM id of the group.
        id: String,
        /// The group as provisioned before.
        group: GroupProfile,
        /// Members added.
        add: Vec<Member>,
        /// Members removed.
        remove: Vec<Member>,
    },
    /// The whole membership pushed as it is now (Okta's "Push now"; `[]` for an empty group).
    PushMembers {
        /// SCIM id of the group.
        id: String,
        /// The group as provisioned before.
        group: GroupProfile,
        /// The complete membership.
        members: Vec<Member>,
    },
    /// The group is renamed.
    RenameGroup {
        /// SCIM id of the group.
        id: String,
        /// The group as provisioned before.
        group: GroupProfile,
        /// The new name.
        display_name: String,
    },
    /// The group is deleted in the application.
    DeleteGroup {
        /// SCIM id of the group.
        id: String,
        /// The group as provisioned.
        group: GroupProfile,
    },
}

impl Intent {
    /// The intent's name, as scenario files spell it.
    pub fn name(&self) -> &'static str {
        match self {
            Intent::TestConnection { .. } => "test-connection",
            Intent::Hire { .. } => "hire",
            Intent::Update { .. } => "update",
            Intent::ChangeRoles { .. } => "change-roles",
            Intent::Deactivate { .. } => "deactivate",
            Intent::Reactivate { .. } => "reactivate",
            Intent::DeleteUser { .. } => "delete-user",
            Intent::CreateGroup { .. } => "create-group",
            Intent::ChangeMembers { .. } => "change-members",
            Intent::PushMembers { .. } => "push-members",
            Intent::RenameGroup { .. } => "rename-group",
            Intent::DeleteGroup { .. } => "delete-group",
        }
    }
}
