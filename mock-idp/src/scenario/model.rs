//! The scenario file format: YAML read through serde-saphyr into these types, unknown keys refused, and a JSON
//! Schema generated from the same types (`scenarios/schema.json`, checked by a test).
//!
//! A scenario is a list of named steps. Each step does one lifecycle action (`do:`), in the IdP's terms, and
//! may expect things of the result (`expect:`): the status class, the state of users and groups fetched back
//! afterwards, and group membership. Users and groups created by a step are captured under a name (`as:`) that
//! later steps use. Names in the file are short (`ada.lovelace`, `Engineering`); the engine makes them unique
//! to the run (`scimlab-1a2b3c4d-hire-ada.lovelace@example.com`), so a replay never touches anything it did
//! not create.

use schemars::JsonSchema;
use scimlab_protocol::schema::ENTERPRISE_USER_URN;
use serde::{Deserialize, Serialize};

/// A lifecycle scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Scenario {
    /// Short name (`hire`), used in check ids: `replay/hire/entra/<step>`.
    pub name: String,
    /// What the scenario shows, in one or two sentences.
    pub description: String,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// One step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Step {
    /// Step id, unique in the scenario (`hire-employee`).
    pub id: String,
    /// What the step stands for in the IdP, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
    /// The action.
    #[serde(rename = "do")]
    pub action: Action,
    /// What must hold afterwards.
    #[serde(default, skip_serializing_if = "Expectations::is_default")]
    pub expect: Expectations,
}

/// A lifecycle action, as the IdP sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", rename_all_fields = "camelCase")]
pub enum Action {
    /// The admin's Test Connection / Test API Credentials.
    TestConnection {},
    /// A user is assigned to the app: lookup, create, manager.
    Hire {
        /// Capture name for the new user.
        #[serde(rename = "as")]
        capture: String,
        /// The user.
        user: UserSpec,
    },
    /// Attributes change.
    Update {
        /// Capture name of the user.
        user: String,
        /// The changes.
        set: Changes,
    },
    /// Application roles are assigned to and / or taken from the user (a role change).
    ChangeRoles {
        /// Capture name of the user.
        user: String,
        /// Roles assigned, by name.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        add: Vec<String>,
        /// Roles taken away, by name.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        remove: Vec<String>,
    },
    /// The user is disabled or unassigned.
    Deactivate {
        /// Capture name of the user.
        user: String,
    },
    /// The user is enabled again, possibly with changes.
    Reactivate {
        /// Capture name of the user.
        user: String,
        /// Changes made while the account was disabled.
        #[serde(default)]
        set: Changes,
    },
    /// The user is deleted for good (personas that never delete skip this step and say why).
    DeleteUser {
        /// Capture name of the user.
        user: String,
    },
    /// A group is pushed for the first time.
    CreateGroup {
        /// Capture name for the group.
        #[serde(rename = "as")]
        capture: String,
        /// Its displayName.
        display_name: String,
    },
    /// Users are added to a group.
    AddMembers {
        /// Capture name of the group.
        group: String,
        /// Capture names of the users.
        users: Vec<String>,
    },
    /// Users are removed from a group.
    RemoveMembers {
        /// Capture name of the group.
        group: String,
        /// Capture names of the users.
        users: Vec<String>,
    },
    /// The group's whole membership is pushed as it is (an empty list empties the group).
    PushMembers {
        /// Capture name of the group.
        group: String,
        /// Capture names of every member.
        users: Vec<String>,
    },
    /// The group is renamed.
    RenameGroup {
        /// Capture name of the group.
        group: String,
        /// The new displayName.
        display_name: String,
    },
    /// The group is deleted.
    DeleteGroup {
        /// Capture name of the group.
        group: String,
    },
    /// Many users and their groups arrive at once: through /Bulk where the server announces it and the persona
    /// uses it, as parallel creates otherwise.
    BulkImport {
        /// How many users (default 1,000; `--users` overrides it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        users: Option<u64>,
        /// Users per group (default 50).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group_size: Option<u64>,
    },
    /// A sample of what the bulk import created is read back and compared.
    VerifyImport {
        /// How many users and groups to read back (default 20 of each).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sample: Option<u64>,
    },
    /// One request exactly as a client sent it, sent again byte for byte whatever the persona (a captured
    /// scenario, written by `scimlab recordings export --format scenario`).
    Request(CapturedRequest),
}

/// A request as a client sent it. `${name}` in `path`, `query` and `body` stands for the id an earlier step
/// captured with `captureId`; everything else goes on the wire as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CapturedRequest {
    /// The method (`GET`, `POST`, `PATCH`...).
    pub method: String,
    /// The path after the base URL (`/Users/${user-1}`), percent-encoded as sent.
    pub path: String,
    /// The query text as sent, without the `?`; `""` sends a bare trailing `?`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// The headers the client sent, `Name: value`, in order; the credential, `Host`, `Content-Length`,
    /// `Connection` and `Transfer-Encoding` are the replaying client's own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<String>,
    /// The body, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The statuses that pass: the one the client got when the request was captured (add others by hand where
    /// the client accepts them, e.g. `[200, 204]`).
    pub status: Vec<u16>,
    /// A variable that takes the `id` of the resource this request creates (a `POST` to a collection answered
    /// 201): later steps write `${name}` where the captured traffic had the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture_id: Option<String>,
}

/// A user as the IdP holds it. `userName` is a local part; the engine adds the run prefix and a domain.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UserSpec {
    /// Local part of the userName and e-mail address.
    pub user_name: String,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Display name (default: given and family name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Job title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Enterprise department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Enterprise employeeNumber.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_number: Option<String>,
    /// Capture name of the manager (hired earlier).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
}

/// Attribute changes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Changes {
    /// New display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// New given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// New family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// New title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// New department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// New employeeNumber.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_number: Option<String>,
    /// Capture name of the new manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
}

/// The class of answer a step expects.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum StatusClass {
    /// Every request gets what the persona needs (2xx, with the bodies it reads).
    #[default]
    Success,
    /// The step's write is refused with a 4xx (for steps that must fail, such as a duplicate).
    ClientError,
}

/// What must hold after a step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Expectations {
    /// The class of answer.
    #[serde(default)]
    pub status: StatusClass,
    /// Users read back by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<UserExpect>,
    /// Groups read back by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupExpect>,
}

impl Expectations {
    /// Whether nothing is expected beyond success (left out of written files).
    pub fn is_default(&self) -> bool {
        *self == Expectations::default()
    }
}

/// A user's state, read back with `GET /Users/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UserExpect {
    /// Capture name.
    pub of: String,
    /// The user no longer exists: 404.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gone: Option<bool>,
    /// The user is also found by a `userName eq` filter (inactive users must stay findable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub findable: Option<bool>,
    /// `active`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// `title`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `displayName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Enterprise `department`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Enterprise `employeeNumber`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_number: Option<String>,
    /// Capture name of the manager (`manager.value` must be its id, returned as a complex value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    /// The roles the user holds, by name, in any order: `roles[].value` must be exactly these, each as the
    /// persona sent it (Entra's JSON-encoded assignment byte for byte).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
}

/// A group's state, read back with `GET /Groups/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GroupExpect {
    /// Capture name.
    pub of: String,
    /// The group no longer exists: 404.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gone: Option<bool>,
    /// `displayName` (the run prefix is added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Exactly these members (capture names; `[]` for none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<String>>,
    /// At least these members.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub has: Vec<String>,
    /// None of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lacks: Vec<String>,
}

/// Why a scenario file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// Not valid YAML for the format.
    #[error("{source_name}: {message}")]
    Parse {
        /// The file or shipped name.
        source_name: String,
        /// What the parser said, with the location.
        message: String,
    },
    /// Valid YAML, but inconsistent (duplicate step ids, unknown capture names).
    #[error("{source_name}: {message}")]
    Invalid {
        /// The file or shipped name.
        source_name: String,
        /// What is wrong and where.
        message: String,
    },
}

impl Scenario {
    /// Reads a scenario from YAML text; `source_name` names it in errors.
    pub fn from_yaml(text: &str, source_name: &str) -> Result<Scenario, ScenarioError> {
        let s: Scenario = serde_saphyr::from_str(text)
            .map_err(|e| ScenarioError::Parse { source_name: source_name.to_owned(), message: e.to_string() })?;
        s.validate().map_err(|message| ScenarioError::Invalid { source_name: source_name.to_owned(), message })?;
        Ok(s)
    }

    /// The scenario as it is played against a server that publishes a subset of the User schema (RFC 7643
    /// section 7) or no enterprise User extension (section 4.3 is optional): an IdP admin maps no attribute to
    /// what the app does not define. Every `title`, `displayName`, `givenName` / `familyName` change,
    /// `department`, `employeeNumber` and `manager` for which `defines` (given the attribute's path, the
    /// enterprise ones URN-qualified) says no is taken out of users, changes and expectations, and an `update`
    /// step left with nothing to change is dropped. Nothing else changes, so every capture is still defined
    /// before use; with the whole schema the scenario comes back unchanged.
    pub fn fitted(&self, defines: impl Fn(&str) -> bool) -> Scenario {
        let keep = |path: &str, v: &mut Option<String>| {
            if v.is_some() && !defines(path) {
                *v = None;
            }
        };
        let ext = |name: &str| format!("{ENTERPRISE_USER_URN}:{name}");
        let (department, number, manager) = (ext("department"), ext("employeeNumber"), ext("manager"));
        let mut out = self.clone();
        for step in &mut out.steps {
            match &mut step.action {
                Action::Hire { user: u, .. } => {
                    keep("title", &mut u.title);
                    keep("displayName", &mut u.display_name);
                    keep(&department, &mut u.department);
                    keep(&number, &mut u.employee_number);
                    keep(&manager, &mut u.manager);
                }
                Action::Update { set: c, .. } | Action::Reactivate { set: c, .. } => {
                    keep("title", &mut c.title);
                    keep("displayName", &mut c.display_name);
                    keep("name.givenName", &mut c.given_name);
                    keep("name.familyName", &mut c.family_name);
                    keep(&department, &mut c.department);
                    keep(&number, &mut c.employee_number);
                    keep(&manager, &mut c.manager);
                }
                _ => {}
            }
            for u in &mut step.expect.users {
                keep("title", &mut u.title);
                keep("displayName", &mut u.display_name);
                keep(&department, &mut u.department);
                keep(&number, &mut u.employee_number);
                keep(&manager, &mut u.manager);
            }
        }
        out.steps.retain(|s| !matches!(&s.action, Action::Update { set, .. } if *set == Changes::default()));
        out
    }

    /// The scenario as YAML, as `from_yaml` reads it back.
    pub fn to_yaml(&self) -> Result<String, String> {
        serde_saphyr::to_string(self).map_err(|e| e.to_string())
    }

    /// Checks what the types cannot: unique step ids, captures defined before use, names not empty.
    pub fn validate(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("name must not be empty".into());
        }
        let mut ids = std::collections::HashSet::new();
        let mut users: std::collections::HashSet<&str> = Default::default();
        let mut groups: std::collections::HashSet<&str> = Default::default();
        let mut variables: std::collections::HashSet<&str> = Default::default();
        for (i, step) in self.steps.iter().enumerate() {
            let at = format!("steps[{i}] ({})", step.id);
            if step.id.is_empty() || !step.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Err(format!("{at}: a step id is letters, digits and '-'"));
            }
            if !ids.insert(step.id.as_str()) {
                return Err(format!("{at}: the step id is used twice"));
            }
            let need = |set: &std::collections::HashSet<&str>, name: &str, what: &str| {
                if set.contains(name) {
                    Ok(())
                } else {
                    Err(format!("{at}: {what} {name:?} is not created by an earlier step"))
                }
            };
            match &step.action {
                Action::Hire { capture, user } => {
                    if let Some(m) = &user.manager {
                        need(&users, m, "manager")?;
                    }
                    users.insert(capture);
                }
                Action::Update { user, set } | Action::Reactivate { user, set } => {
                    need(&users, user, "user")?;
                    if let Some(m) = &set.manager {
                        need(&users, m, "manager")?;
                    }
                }
                Action::Deactivate { user } | Action::DeleteUser { user } => need(&users, user, "user")?,
                Action::ChangeRoles { user, add, remove } => {
                    need(&users, user, "user")?;
                    if add.is_empty() && remove.is_empty() {
                        return Err(format!("{at}: change-roles names no role to add or remove"));
                    }
                    if let Some(r) = add.iter().chain(remove).find(|r| r.trim().is_empty()) {
                        return Err(format!("{at}: a role name is empty ({r:?})"));
                    }
                }
                Action::CreateGroup { capture, .. } => {
                    groups.insert(capture);
                }
                Action::AddMembers { group, users: us }
                | Action::RemoveMembers { group, users: us }
                | Action::PushMembers { group, users: us } => {
                    need(&groups, group, "group")?;
                    for u in us {
                        need(&users, u, "user")?;
                    }
                }
                Action::RenameGroup { group, .. } | Action::DeleteGroup { group } => need(&groups, group, "group")?,
                Action::BulkImport { users: Some(n), .. } => {
                    check_import_users(*n, "users").map_err(|e| format!("{at}: {e}"))?;
                }
                Action::Request(r) => {
                    r.validate(&variables).map_err(|e| format!("{at}: {e}"))?;
                    if let Some(v) = &r.capture_id
                        && !variables.insert(v)
                    {
                        return Err(format!("{at}: the variable {v:?} is captured twice"));
                    }
                    if !step.expect.users.is_empty() || !step.expect.groups.is_empty() {
                        return Err(format!(
                            "{at}: a request step's expectation is its status; users and groups are read back by \
                             the lifecycle actions only"
                        ));
                    }
                }
                Action::TestConnection {} | Action::BulkImport { .. } | Action::VerifyImport { .. } => {}
            }
            for u in &step.expect.users {
                need(&users, &u.of, "user")?;
                if let Some(m) = &u.manager {
                    need(&users, m, "manager")?;
                }
            }
            for g in &step.expect.groups {
                need(&groups, &g.of, "group")?;
                for u in g.members.iter().flatten().chain(&g.has).chain(&g.lacks) {
                    need(&users, u, "user")?;
                }
            }
        }
        Ok(())
    }
}

impl CapturedRequest {
    /// The `Name: value` headers as pairs; an entry without `:` is an error naming it.
    pub fn header_pairs(&self) -> Result<Vec<(String, String)>, String> {
        self.headers
            .iter()
            .map(|h| match h.split_once(':') {
                Some((n, v)) if !n.trim().is_empty() => Ok((n.trim().to_owned(), v.trim().to_owned())),
                _ => Err(format!("the header {h:?} is not 'Name: value'")),
            })
            .collect()
    }

    /// The names of the variables (`${name}`) the request uses, in order of appearance.
    pub fn variables_used(&self) -> Vec<&str> {
        let texts = [Some(self.path.as_str()), self.query.as_deref(), self.body.as_deref()];
        texts.into_iter().flatten().flat_map(variables_in).collect()
    }

    /// Checks the method, the path, the headers, the statuses, and that every variable used was captured by an
    /// earlier step (`known`).
    fn validate(&self, known: &std::collections::HashSet<&str>) -> Result<(), String> {
        if self.method.is_empty() || !self.method.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(format!("the method {:?} is not an HTTP method in capitals (GET, POST...)", self.method));
        }
        if !self.path.starts_with('/') || self.path.contains(['?', '#', ' ']) {
            return Err(format!(
                "the path {:?} must start with '/' and hold no '?', '#' or space (the query goes in `query`)",
                self.path
            ));
        }
        self.header_pairs()?;
        if self.status.is_empty() {
            return Err("`status` lists no status".into());
        }
        if let Some(s) = self.status.iter().find(|s| !(100..=599).contains(*s)) {
            return Err(format!("{s} is not an HTTP status (100 to 599)"));
        }
        if let Some(v) = &self.capture_id
            && !is_variable_name(v)
        {
            return Err(format!("captureId {v:?} must be letters, digits and '-'"));
        }
        match self.variables_used().into_iter().find(|v| !known.contains(v)) {
            Some(v) => Err(format!("${{{v}}} is not captured by an earlier step (captureId)")),
            None => Ok(()),
        }
    }
}

/// Whether `s` can name a variable: letters, digits and '-'.
pub fn is_variable_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The `${name}` references in `text` (names of letters, digits and '-'; anything else after `${` is text).
pub fn variables_in(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        match after.find('}') {
            Some(j) if is_variable_name(&after[..j]) => {
                out.push(&after[..j]);
                rest = &after[j + 1..];
            }
            _ => rest = after,
        }
    }
    out
}

/// The most users one bulk import creates. A replay keeps, per user, the id the server gave it and its place in
/// the run's ledger (about 150 bytes), so a million users stay near 150 MB; larger imports are `scimlab load`'s
/// job, which holds less per user and shards with `--shard K/N`.
pub const MAX_IMPORT_USERS: u64 = 1_000_000;

/// Checks a bulk import's size before anything is allocated for it; `name` is how the user gave it (`--users`
/// or the scenario's `users`). The error names it and the limit.
pub fn check_import_users(n: u64, name: &str) -> Result<u64, String> {
    if n <= MAX_IMPORT_USERS {
        Ok(n)
    } else {
        Err(format!(
            "{name} {n} is more than a replay imports: at most {MAX_IMPORT_USERS} users (use `scimlab load \
             --scenario bulk-merge` for larger imports)"
        ))
    }
}

/// The JSON Schema of scenario files, as committed in `scenarios/schema.json`.
pub fn scenario_schema_text() -> String {
    let schema = schemars::schema_for!(Scenario);
    let mut text = serde_json::to_string_pretty(&schema.to_value()).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: `replay bulk-merge --users 1000000000000` allocated a slot per user and aborted (exit 134).
    #[test]
    fn imports_beyond_the_limit_are_refused_with_the_flag_and_the_limit() {
        assert_eq!(check_import_users(MAX_IMPORT_USERS, "--users"), Ok(MAX_IMPORT_USERS));
        let e = check_import_users(1_000_000_000_000, "--users").expect_err("too many");
        assert!(e.contains("--users 1000000000000") && e.contains("1000000"), "{e}");
        let text =
            "name: big\ndescription: x\nsteps:\n  - id: import\n    do:\n      bulk-import:\n        users: 2000000\n";
        let e = Scenario::from_yaml(text, "big.yaml").expect_err("too many");
        assert!(e.to_string().contains("users 2000000"), "{e}");
    }

    #[test]
    fn fitted_takes_out_what_the_server_does_not_define_and_drops_only_emptied_updates() {
        let mut had_any = false;
        for (name, _) in crate::scenario::SHIPPED {
            let s = crate::scenario::shipped(name).expect("shipped").expect("parses");
            assert_eq!(s.fitted(|_| true), s, "{name}: the whole schema changes nothing");
            let out = s.fitted(|path| !path.starts_with(ENTERPRISE_USER_URN) && path != "title");
            out.validate().unwrap_or_else(|e| panic!("{name}: {e}"));
            let steps = serde_json::to_string(&out.steps).expect("json");
            for key in ["\"department\"", "\"employeeNumber\"", "\"manager\"", "\"title\""] {
                assert!(!steps.contains(key), "{name}: {key} left in {steps}");
                had_any |= serde_json::to_string(&s.steps).expect("json").contains(key);
            }
            // Only an update that had nothing but undefined changes goes.
            let kept: Vec<_> = out.steps.iter().map(|s| s.id.as_str()).collect();
            for step in &s.steps {
                if !kept.contains(&step.id.as_str()) {
                    let Action::Update { set, .. } = &step.action else { panic!("{name}: {} dropped", step.id) };
                    let mut rest = set.clone();
                    (rest.department, rest.employee_number, rest.manager, rest.title) = (None, None, None, None);
                    assert_eq!(rest, Changes::default(), "{name}: {} dropped with other changes", step.id);
                }
            }
        }
        assert!(had_any, "no shipped scenario has an attribute to take out");
    }
}
