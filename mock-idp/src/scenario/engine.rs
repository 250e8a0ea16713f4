//! The scenario engine: replays a [`Scenario`] as one persona against one server, step by step.
//!
//! Each step becomes intents with the IdP's knowledge of its subjects (the captures), the persona plans the
//! requests, [`send_plan`] sends them, and the step's expectations are checked by reading state back. Every
//! step ends as a [`StepOutcome`] streamed to the caller as it completes. Everything the run creates carries
//! the run prefix and is registered for [`Replayer::cleanup`]; the engine only changes and deletes what it
//! created itself.

use super::bulk::{self, Imported};
use super::model::{Action, Changes, Scenario, StatusClass, Step, UserSpec};
use super::send::{PlanRun, send_plan};
use super::verify;
use crate::client::ScimClient;
use crate::discovery::Discovery;
use crate::intent::{GroupProfile, Intent, Member, UserChanges, UserProfile};
use crate::ledger::{IdDefect, Ledger};
use crate::persona::{Idp, Persona, TestConnectionStyle};
use scimlab_protocol::exchange::Exchange;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// How a replay runs.
#[derive(Debug, Clone)]
pub struct ReplayOptions {
    /// The run prefix every created name starts with (`scimlab-1a2b3c4d-`).
    pub prefix: String,
    /// Users for bulk imports (`--users`), overriding the scenario's count.
    pub users: Option<u64>,
    /// Requests in flight at once for bulk imports and cleanup.
    pub concurrency: usize,
    /// Seed of the sample a bulk import verifies.
    pub seed: u64,
    /// Domain of generated userNames and e-mail addresses.
    pub domain: String,
}

impl ReplayOptions {
    /// Options with a fresh random prefix.
    pub fn new() -> ReplayOptions {
        ReplayOptions {
            prefix: format!("scimlab-{:08x}-", fastrand::u32(..)),
            users: None,
            concurrency: 8,
            seed: fastrand::u64(..),
            domain: "example.com".into(),
        }
    }
}

impl Default for ReplayOptions {
    fn default() -> Self {
        ReplayOptions::new()
    }
}

/// The verdict on one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepVerdict {
    /// The IdP got what it needs and the state is as expected.
    Pass,
    /// The IdP would fail here.
    Fail,
    /// Not run (the persona sends nothing for it, or a step it depends on failed).
    Skip,
    /// scimlab itself failed.
    Error,
}

/// The outcome of one step.
#[derive(Debug, Clone)]
pub struct StepOutcome {
    /// Scenario name.
    pub scenario: String,
    /// Persona name.
    pub persona: &'static str,
    /// Step id.
    pub step: String,
    /// The action's name (`hire`, `add-members`...).
    pub action: &'static str,
    /// The step's description.
    pub about: Option<String>,
    /// The verdict.
    pub verdict: StepVerdict,
    /// Why, in the IdP's terms, for anything but a pass; a note for a pass that has one.
    pub reason: Option<String>,
    /// What was expected.
    pub expected: Option<String>,
    /// What happened instead.
    pub actual: Option<String>,
    /// The exchanges of the step, redacted.
    pub exchanges: Vec<Exchange>,
    /// Wall time in milliseconds.
    pub duration_ms: f64,
    /// For a failed step: whether a request failed (and how) or the state read back afterwards was wrong.
    pub failure: Option<super::entra::Failure>,
}

/// What the run created, for cleanup.
#[derive(Debug, Default)]
pub struct Created {
    /// User ids.
    pub users: Vec<String>,
    /// Group ids.
    pub groups: Vec<String>,
}

/// The IdP's knowledge within one scenario: captures by name.
#[derive(Debug, Default)]
pub(super) struct State {
    users: HashMap<String, (String, UserProfile)>,
    groups: HashMap<String, (String, GroupProfile)>,
    gone_users: HashMap<String, String>,
    gone_groups: HashMap<String, String>,
    /// Groups the IdP has but has not created in the app, as it creates no empty group (JumpCloud): created with
    /// their first members.
    pending_groups: HashMap<String, GroupProfile>,
    pub(super) imported: Option<Imported>,
    /// Ids captured by captured requests (`captureId`), by variable name: (collection, id).
    pub(super) variables: HashMap<String, (String, String)>,
}

/// Replays scenarios as one persona against one server.
pub struct Replayer {
    pub(super) client: ScimClient,
    pub(super) persona: &'static Persona,
    pub(super) options: ReplayOptions,
    pub(super) created: Arc<Mutex<Created>>,
    /// What the server announced, read once per run ([`crate::discovery::discover`]).
    discovery: tokio::sync::OnceCell<Option<Discovery>>,
}

impl Replayer {
    /// A replayer for `persona` through `client`.
    ///
    /// The client gets a [`Ledger`] (unless it has one already, shared with a conformance run): every mutating
    /// request of the replay must then aim at a resource one of its creates made.
    pub fn new(client: ScimClient, persona: &'static Persona, options: ReplayOptions) -> Replayer {
        let client = match client.ledger() {
            Some(_) => client,
            None => client.with_ledger(Arc::new(Ledger::new())),
        };
        Replayer { client, persona, options, created: Arc::default(), discovery: tokio::sync::OnceCell::new() }
    }

    /// Gives the replay what a discovery already found (the CLI's preflight), so it is not read again.
    pub fn set_discovery(&self, found: Discovery) {
        let _ = self.discovery.set(Some(found));
    }

    /// What the server announced: the discovery given, or read once now (`None` when it cannot be read).
    pub async fn discovery(&self) -> Option<&Discovery> {
        self.discovery.get_or_init(|| async { crate::discovery::discover(&self.client).await.ok() }).await.as_ref()
    }

    /// The ledger of what this replay created.
    pub fn ledger(&self) -> Arc<Ledger> {
        self.client.ledger().cloned().unwrap_or_default()
    }

    /// The persona.
    pub fn persona(&self) -> &'static Persona {
        self.persona
    }

    /// The run prefix.
    pub fn prefix(&self) -> &str {
        &self.options.prefix
    }

    /// What the run has created so far (shared, so a Ctrl-C handler can clean up).
    pub fn created(&self) -> Arc<Mutex<Created>> {
        self.created.clone()
    }

    /// Notes a User a plan created (the plan recorded it in the ledger when the create answered).
    pub(super) fn register_user(&self, id: &str) {
        self.created.lock().unwrap_or_else(PoisonError::into_inner).users.push(id.to_owned());
    }

    /// Notes a Group a plan created.
    pub(super) fn register_group(&self, id: &str) {
        self.created.lock().unwrap_or_else(PoisonError::into_inner).groups.push(id.to_owned());
    }

    /// Records a User a BulkResponse reports created: it becomes the run's, unless the id is a defect.
    pub(super) fn record_user(&self, id: &str) -> Result<(), IdDefect> {
        self.ledger().record("/Users", id)?;
        self.register_user(id);
        Ok(())
    }

    /// Records a Group a BulkResponse reports created.
    pub(super) fn record_group(&self, id: &str) -> Result<(), IdDefect> {
        self.ledger().record("/Groups", id)?;
        self.register_group(id);
        Ok(())
    }

    /// Replays `scenario`, calling `on_step` as each step finishes; returns every outcome.
    pub async fn run(&self, scenario: &Scenario, on_step: &mut (dyn FnMut(&StepOutcome) + Send)) -> Vec<StepOutcome> {
        let mut state = State::default();
        let mut out = Vec::with_capacity(scenario.steps.len());
        for step in &scenario.steps {
            let started = Instant::now();
            let mut o = self.step(scenario, &mut state, step).await;
            o.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
            if self.persona.idp == crate::persona::Idp::Entra
                && let Some(failure) = &o.failure
            {
                let treatment = super::entra::Treatment::of(failure);
                o.reason = Some(format!("{} ({treatment})", o.reason.take().unwrap_or_default()));
            }
            on_step(&o);
            out.push(o);
        }
        out
    }

    fn outcome(&self, scenario: &Scenario, step: &Step, verdict: StepVerdict) -> StepOutcome {
        StepOutcome {
            scenario: scenario.name.clone(),
            persona: self.persona.name,
            step: step.id.clone(),
            action: action_name(&step.action),
            about: step.about.clone(),
            verdict,
            reason: None,
            expected: None,
            actual: None,
            exchanges: Vec::new(),
            duration_ms: 0.0,
            failure: None,
        }
    }

    /// The userName of a user spec in this run.
    fn user_name(&self, scenario: &Scenario, local: &str) -> String {
        format!("{}{}-{local}@{}", self.options.prefix, scenario.name, self.options.domain)
    }

    /// The displayName of a group in this run.
    pub(super) fn group_name(&self, scenario: &Scenario, name: &str) -> String {
        format!("{}{}-{name}", self.options.prefix, scenario.name)
    }

    fn profile(&self, scenario: &Scenario, spec: &UserSpec, state: &State) -> Result<UserProfile, String> {
        let user_name = self.user_name(scenario, &spec.user_name);
        let manager = match &spec.manager {
            Some(m) => Some(member(state, m)?),
            None => None,
        };
        Ok(UserProfile {
            user_name: user_name.clone(),
            external_id: uuid::Uuid::new_v4().to_string(),
            given_name: Some(spec.given_name.clone()),
            family_name: Some(spec.family_name.clone()),
            display_name: Some(
                spec.display_name.clone().unwrap_or_else(|| format!("{} {}", spec.given_name, spec.family_name)),
            ),
            email: Some(user_name),
            title: spec.title.clone(),
            department: spec.department.clone(),
            employee_number: spec.employee_number.clone(),
            manager,
            locale: (self.persona.idp == Idp::Okta).then(|| "en-US".to_owned()),
            active: true,
            ..UserProfile::default()
        })
    }

    async fn step(&self, scenario: &Scenario, state: &mut State, step: &Step) -> StepOutcome {
        let mut o = self.outcome(scenario, step, StepVerdict::Pass);
        match &step.action {
            Action::BulkImport { users, group_size } => {
                let n = self.options.users.or(*users).unwrap_or(1000);
                return bulk::import(self, scenario, state, n, group_size.unwrap_or(50), o).await;
            }
            Action::VerifyImport { sample } => {
                return bulk::verify_sample(self, state, sample.unwrap_or(20), o).await;
            }
            Action::Request(r) => return self.captured(state, r, o).await,
            _ => {}
        }
        let intent = match self.intent(scenario, state, &step.action) {
            Ok(i) => i,
            Err(missing) => {
                o.verdict = StepVerdict::Skip;
                o.reason = Some(missing);
                return o;
            }
        };
        let plan = self.persona.plan(&intent);
        if plan.is_empty() {
            self.defer(state, &step.action, &intent);
            o.verdict = StepVerdict::Skip;
            o.reason = Some(
                self.persona.silent_reason(&intent).unwrap_or("the persona sends nothing for this change").to_owned(),
            );
            return o;
        }
        let run = send_plan(&self.client, self.persona, &plan, subject_id(&intent)).await;
        self.absorb(state, &step.action, &intent, &run);
        o.exchanges = run.exchanges;
        match (step.expect.status, run.failure) {
            (StatusClass::Success, Some(f)) => {
                o.verdict = StepVerdict::Fail;
                o.failure = Some(super::entra::Failure::Request { status: f.status });
                o.reason = Some(f.reason);
                o.expected = Some(format!("{}: {}", f.label, f.expected));
                o.actual = Some(f.actual);
                return o;
            }
            (StatusClass::ClientError, Some(f)) if f.status.is_some_and(|s| (400..500).contains(&s)) => {
                o.reason = Some(format!("refused as expected: {}", f.actual));
            }
            (StatusClass::ClientError, _) => {
                o.verdict = StepVerdict::Fail;
                o.reason = Some(format!("{} expected the server to refuse this step with a 4xx", self.persona.name));
                o.expected = Some("a 4xx".into());
                o.actual = Some("accepted".into());
                return o;
            }
            (StatusClass::Success, None) => {}
        }
        let refs = step.expect.users.iter().flat_map(|u| std::iter::once(&u.of).chain(&u.manager));
        let refs = refs
            .chain(step.expect.groups.iter().flat_map(|g| g.members.iter().flatten().chain(&g.has).chain(&g.lacks)));
        let missing_user = refs.into_iter().find(|n| state.any_user_id(n).is_none());
        let missing_group = step.expect.groups.iter().map(|g| &g.of).find(|n| state.any_group_id(n).is_none());
        if let Some(n) = missing_user.or(missing_group) {
            o.verdict = StepVerdict::Skip;
            o.reason = Some(format!("sent, but the expectations need {n:?}, which an earlier step did not create"));
            return o;
        }
        if let Err(miss) = verify::expectations(self, scenario, state, &step.expect, &mut o.exchanges).await {
            o.verdict = StepVerdict::Fail;
            o.failure = Some(super::entra::Failure::State);
            o.reason = Some(miss.reason);
            o.expected = Some(miss.expected);
            o.actual = Some(miss.actual);
        }
        o
    }

    /// The intent of an action, given what the IdP knows; `Err` names the capture that is missing.
    fn intent(&self, scenario: &Scenario, state: &State, action: &Action) -> Result<Intent, String> {
        let user = |name: &str| {
            state
                .users
                .get(name)
                .cloned()
                .ok_or_else(|| format!("needs user {name:?}, which an earlier step did not create"))
        };
        let group = |name: &str| {
            state
                .groups
                .get(name)
                .cloned()
                .ok_or_else(|| format!("needs group {name:?}, which an earlier step did not create"))
        };
        let members = |names: &[String]| names.iter().map(|n| member(state, n)).collect::<Result<Vec<_>, _>>();
        Ok(match action {
            Action::TestConnection {} => {
                let probe = uuid::Uuid::new_v4().to_string();
                // A Test Connection that creates resources names them with the run prefix, as everything else.
                let probe = match self.persona.test_connection {
                    TestConnectionStyle::CreateThenDelete => {
                        format!(
                            "{}{}-test-connection-{}@{}",
                            self.options.prefix,
                            scenario.name,
                            &probe[..8],
                            self.options.domain
                        )
                    }
                    _ => probe,
                };
                Intent::TestConnection { probe }
            }
            Action::Hire { user: spec, .. } => Intent::Hire { user: self.profile(scenario, spec, state)? },
            Action::Update { user: u, set } => {
                let (id, before) = user(u)?;
                Intent::Update { id, before, changes: changes(state, set)? }
            }
            Action::ChangeRoles { user: u, add, remove } => {
                let (id, before) = user(u)?;
                Intent::ChangeRoles { id, before, add: add.clone(), remove: remove.clone() }
            }
            Action::Deactivate { user: u } => {
                let (id, before) = user(u)?;
                Intent::Deactivate { id, before }
            }
            Action::Reactivate { user: u, set } => {
                let (id, before) = user(u)?;
                Intent::Reactivate { id, before, changes: changes(state, set)? }
            }
            Action::DeleteUser { user: u } => {
                let (id, user) = user(u)?;
                Intent::DeleteUser { id, user }
            }
            Action::CreateGroup { display_name, .. } => Intent::CreateGroup {
                group: GroupProfile {
                    display_name: self.group_name(scenario, display_name),
                    external_id: uuid::Uuid::new_v4().to_string(),
                    members: Vec::new(),
                },
            },
            // A group the IdP has not created yet (it creates no empty group) is created with its first members;
            // until then a removal, rename or delete changes only the IdP's own record of it.
            Action::AddMembers { group: g, users } | Action::PushMembers { group: g, users }
                if state.pending_groups.contains_key(g) =>
            {
                let pending = state.pending_groups.get(g).cloned().unwrap_or_default();
                Intent::CreateGroup { group: GroupProfile { members: members(users)?, ..pending } }
            }
            Action::RemoveMembers { group: g, .. } | Action::DeleteGroup { group: g }
                if state.pending_groups.contains_key(g) =>
            {
                Intent::CreateGroup { group: state.pending_groups.get(g).cloned().unwrap_or_default() }
            }
            Action::RenameGroup { group: g, display_name } if state.pending_groups.contains_key(g) => {
                let pending = state.pending_groups.get(g).cloned().unwrap_or_default();
                let display_name = self.group_name(scenario, display_name);
                Intent::CreateGroup { group: GroupProfile { display_name, ..pending } }
            }
            Action::AddMembers { group: g, users } => {
                let (id, group) = group(g)?;
                Intent::ChangeMembers { id, group, add: members(users)?, remove: Vec::new() }
            }
            Action::RemoveMembers { group: g, users } => {
                let (id, group) = group(g)?;
                Intent::ChangeMembers { id, group, add: Vec::new(), remove: members(users)? }
            }
            Action::PushMembers { group: g, users } => {
                let (id, group) = group(g)?;
                Intent::PushMembers { id, group, members: members(users)? }
            }
            Action::RenameGroup { group: g, display_name } => {
                let (id, group) = group(g)?;
                Intent::RenameGroup { id, group, display_name: self.group_name(scenario, display_name) }
            }
            Action::DeleteGroup { group: g } => {
                let (id, group) = group(g)?;
                Intent::DeleteGroup { id, group }
            }
            Action::BulkImport { .. } | Action::VerifyImport { .. } | Action::Request(_) => {
                return Err("bulk actions and captured requests have no single intent".into());
            }
        })
    }

    /// Updates the IdP's knowledge after a plan ran: what was created is captured (and registered for cleanup)
    /// even when a later request of the plan failed, as the IdP keeps the id it got.
    fn absorb(&self, state: &mut State, action: &Action, intent: &Intent, run: &PlanRun) {
        let ok = run.failure.is_none();
        match (action, intent) {
            (Action::TestConnection {}, _) => {
                // What a Test Connection created and did not delete (its DELETE was refused) is cleaned up.
                for (collection, id) in &run.leftovers {
                    match collection.as_str() {
                        "/Users" => self.register_user(id),
                        _ => self.register_group(id),
                    }
                }
            }
            (
                Action::AddMembers { group: capture, .. } | Action::PushMembers { group: capture, .. },
                Intent::CreateGroup { group },
            ) => {
                if let Some(id) = &run.id {
                    self.register_group(id);
                    state.pending_groups.remove(capture);
                    state.groups.insert(capture.clone(), (id.clone(), group.clone()));
                }
            }
            (Action::Hire { capture, .. }, Intent::Hire { user }) => {
                if let Some(id) = &run.id {
                    self.register_user(id);
                    state.users.insert(capture.clone(), (id.clone(), user.clone()));
                }
            }
            (Action::CreateGroup { capture, .. }, Intent::CreateGroup { group }) => {
                if let Some(id) = &run.id {
                    self.register_group(id);
                    state.groups.insert(capture.clone(), (id.clone(), group.clone()));
                }
            }
            (Action::Update { user, .. }, Intent::Update { changes, .. }) if ok => {
                if let Some((_, p)) = state.users.get_mut(user) {
                    *p = p.with(changes);
                }
            }
            (Action::ChangeRoles { user, .. }, Intent::ChangeRoles { add, remove, .. }) if ok => {
                if let Some((_, p)) = state.users.get_mut(user) {
                    p.roles = p.roles_after(add, remove);
                }
            }
            (Action::Deactivate { user }, _) if ok => {
                if let Some((_, p)) = state.users.get_mut(user) {
                    p.active = false;
                }
            }
            (Action::Reactivate { user, .. }, Intent::Reactivate { changes, .. }) if ok => {
                if let Some((_, p)) = state.users.get_mut(user) {
                    *p = p.with(changes);
                    p.active = true;
                }
            }
            (Action::DeleteUser { user }, _) if ok => {
                if let Some((id, _)) = state.users.remove(user) {
                    state.gone_users.insert(user.clone(), id);
                }
            }
            (
                Action::AddMembers { group, .. } | Action::RemoveMembers { group, .. },
                Intent::ChangeMembers { add, remove, .. },
            ) if ok => {
                if let Some((_, g)) = state.groups.get_mut(group) {
                    g.members.retain(|m| !remove.iter().any(|r| r.id == m.id));
                    g.members.extend(
                        add.iter().filter(|a| !g.members.iter().any(|m| m.id == a.id)).cloned().collect::<Vec<_>>(),
                    );
                }
            }
            (Action::PushMembers { group, .. }, Intent::PushMembers { members, .. }) if ok => {
                if let Some((_, g)) = state.groups.get_mut(group) {
                    g.members = members.clone();
                }
            }
            (Action::RenameGroup { group, .. }, Intent::RenameGroup { display_name, .. }) if ok => {
                if let Some((_, g)) = state.groups.get_mut(group) {
                    g.display_name = display_name.clone();
                }
            }
            (Action::DeleteGroup { group }, _) if ok => {
                if let Some((id, _)) = state.groups.remove(group) {
                    state.gone_groups.insert(group.clone(), id);
                }
            }
            _ => {}
        }
    }
}

impl Replayer {
    /// Keeps the IdP's record of a group it did not create because it has no members (JumpCloud), or of the
    /// change made to such a group, for the intent that sent nothing.
    fn defer(&self, state: &mut State, action: &Action, intent: &Intent) {
        let Intent::CreateGroup { group } = intent else { return };
        match action {
            Action::CreateGroup { capture, .. } | Action::RenameGroup { group: capture, .. } => {
                state.pending_groups.insert(capture.clone(), group.clone());
            }
            Action::DeleteGroup { group: capture } => {
                state.pending_groups.remove(capture);
            }
            _ => {}
        }
    }
}

impl State {
    /// The id of a captured user.
    pub(super) fn user_id(&self, name: &str) -> Option<&str> {
        self.users.get(name).map(|(id, _)| id.as_str())
    }

    /// The id of a captured group.
    pub(super) fn group_id(&self, name: &str) -> Option<&str> {
        self.groups.get(name).map(|(id, _)| id.as_str())
    }

    /// The id of a captured user, deleted or not.
    pub(super) fn any_user_id(&self, name: &str) -> Option<&str> {
        self.user_id(name).or_else(|| self.gone_users.get(name).map(String::as_str))
    }

    /// The id of a captured group, deleted or not.
    pub(super) fn any_group_id(&self, name: &str) -> Option<&str> {
        self.group_id(name).or_else(|| self.gone_groups.get(name).map(String::as_str))
    }

    /// The IdP's profile of a captured user.
    pub(super) fn user_profile(&self, name: &str) -> Option<&UserProfile> {
        self.users.get(name).map(|(_, p)| p)
    }
}

fn member(state: &State, name: &str) -> Result<Member, String> {
    state
        .users
        .get(name)
        .map(|(id, p)| Member { id: id.clone(), display: p.user_name.clone() })
        .ok_or_else(|| format!("needs user {name:?}, which an earlier step did not create"))
}

fn changes(state: &State, set: &Changes) -> Result<UserChanges, String> {
    Ok(UserChanges {
        display_name: set.display_name.clone(),
        given_name: set.given_name.clone(),
        family_name: set.family_name.clone(),
        title: set.title.clone(),
        department: set.department.clone(),
        employee_number: set.employee_number.clone(),
        manager: match &set.manager {
            Some(m) => Some(member(state, m)?),
            None => None,
        },
        ..UserChanges::default()
    })
}

fn subject_id(intent: &Intent) -> Option<String> {
    match intent {
        Intent::Update { id, .. }
        | Intent::ChangeRoles { id, .. }
        | Intent::Deactivate { id, .. }
        | Intent::Reactivate { id, .. }
        | Intent::DeleteUser { id, .. }
        | Intent::ChangeMembers { id, .. }
        | Intent::PushMembers { id, .. }
        | Intent::RenameGroup { id, .. }
        | Intent::DeleteGroup { id, .. } => Some(id.clone()),
        Intent::TestConnection { .. } | Intent::Hire { .. } | Intent::CreateGroup { .. } => None,
    }
}

/// The action's name as scenario files spell it.
pub fn action_name(a: &Action) -> &'static str {
    match a {
        Action::TestConnection {} => "test-connection",
        Action::Hire { .. } => "hire",
        Action::Update { .. } => "update",
        Action::ChangeRoles { .. } => "change-roles",
        Action::Deactivate { .. } => "deactivate",
        Action::Reactivate { .. } => "reactivate",
        Action::DeleteUser { .. } => "delete-user",
        Action::CreateGroup { .. } => "create-group",
        Action::AddMembers { .. } => "add-members",
        Action::RemoveMembers { .. } => "remove-members",
        Action::PushMembers { .. } => "push-members",
        Action::RenameGroup { .. } => "rename-group",
        Action::DeleteGroup { .. } => "delete-group",
        Action::BulkImport { .. } => "bulk-import",
        Action::VerifyImport { .. } => "verify-import",
        Action::Request(_) => "request",
    }
}
