//! The stateful differential check: seeded random sequences of operations over three users and one group
//! (create, GET, PUT, PATCH of every kind, DELETE, rehire, the IdPs' `eq` lookups, sorted pages, member changes,
//! conditional writes) run against the server and against the protocol crate's reference model
//! ([`scimlab_protocol::model`]). After every step the answer's status class is compared, and after every write
//! the resource is read back and compared attribute by attribute, its version included. The first step where
//! they part is shrunk (ops dropped, payloads simplified; each try is a fresh sequence on the server) and
//! reported with the steps that remain as a runnable shell script.
//!
//! Bugs of this kind live between requests, where no one-request check looks: a soft delete that keeps a
//! userName taken (a rehire fails), a version that does not move (a stale `If-Match` goes through), a PATCH that
//! drops what it did not name, a search index that lags its store, pages cut before they are sorted.
//!
//! The whole check spends at most `--state-budget` requests ([`DEFAULT_BUDGET`]): about two thirds on the search
//! ([`AT_ONCE`] sequences at a time), the rest on shrinking.

use super::differential::splitmix;
use super::support::outcome;
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Created, Ctx, Kind, describe};
use crate::run;
use futures_util::StreamExt;
use reqwest::Method;
use scimlab_mock_idp::{ScimRequest, ScimResponse};
use scimlab_protocol::exchange::Exchange;
use scimlab_protocol::model::{self, Change, Expect, Features, Model, Op, SLOTS, Slot, Val};
use scimlab_protocol::schema::{ENTERPRISE_USER_URN, GROUP_URN, PATCH_OP_URN, USER_URN};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The section every id of this file starts with.
pub const SECTION: &str = "differential/state";

/// Requests the check spends at most, by default (`--state-budget`).
pub const DEFAULT_BUDGET: u32 = 300;
/// Sequences judged at once.
pub const AT_ONCE: usize = 16;
/// Ops in a drawn sequence: between these.
const LENGTHS: (usize, usize) = (8, 16);
/// Requests one sequence costs on average (for the mock SP, 14 to 18), to size the waves of the search.
const REQUESTS_PER_SEQUENCE: u32 = 16;
/// Sequences drawn at most, whatever the budget.
const MAX_SEQUENCES: u32 = 64;
/// Generator stream of the sequences (see `differential::runner`).
const STATE_STREAM: u64 = 4;

/// The checks of this file.
pub const CHECKS: &[Check] = &[Check {
    id: "differential/state/matches-model",
    level: Level::Must,
    tags: &[Tag::Differential, Tag::Users, Tag::Patch, Tag::Filter, Tag::Delete],
    requires: &[Capability::Users],
    profiles: &[Profile::Rfc],
    requirement: "over seeded random sequences of creates, reads, PUTs, PATCHes, deletes, rehires, lookups, sorted \
                  pages, member changes and conditional writes, every answer and every resource read back is what \
                  the reference model of RFC 7643 and RFC 7644 says",
    sends: "per sequence (about 16 requests): POST /Users, GET, PUT, PATCH, DELETE /Users/{id}, GET \
            /Users?filter=..., PATCH /Groups/{id}, each write followed by a GET; again per shrinking try",
    consequence: "",
    catches: &[
        "rehire-blocked",
        "version-frozen",
        "patch-drops-extension",
        "filter-sees-old-value",
        "sort-within-page",
    ],
    run: run!(state_matches_model),
}];

/// The sequence `index` drawn for `seed` over what `features` offers.
pub fn sequence(seed: u64, index: u32, features: &Features) -> Vec<Op> {
    let mut state = seed ^ STATE_STREAM.wrapping_mul(0xd1b5_4a32_d192_ed03) ^ u64::from(index).rotate_left(32);
    let mut next = || splitmix(&mut state);
    let (lo, hi) = LENGTHS;
    let len = lo + (next() % (hi - lo + 1) as u64) as usize;
    model::draw(len, features, &mut next)
}

/// What the server offers the model's operations, from its ServiceProviderConfig and schemas.
fn features(ctx: &Ctx) -> Features {
    let defines = |p: &str| ctx.defines(Kind::User, p);
    let has = |c| ctx.run.has(c);
    Features {
        patch: has(Capability::Patch),
        filter: has(Capability::Filter),
        sort: has(Capability::Sort),
        groups: has(Capability::Groups) && has(Capability::Patch),
        etag: has(Capability::Etag),
        department: ctx.run.enterprise && ctx.defines(Kind::User, &format!("{ENTERPRISE_USER_URN}:department")),
        display_name: defines("displayName"),
        title: defines("title"),
        emails: defines("emails") && defines("emails.value"),
        external_id: defines("externalId"),
    }
}

/// Where a sequence and the model parted.
struct Divergence {
    /// Index of the op in the sequence.
    at: usize,
    expected: String,
    actual: String,
}

/// What running one sequence found.
struct Trial {
    /// The first divergence, if any.
    divergence: Option<Divergence>,
    /// Requests sent.
    requests: u32,
    /// The reproducer: a shell script.
    script: String,
}

/// One request of a sequence in the reproducer: the curl command (ids and versions as shell variables), and the
/// variable it sets from the answer, if any.
struct Line {
    note: String,
    curl: String,
    sets: Vec<(String, &'static str)>,
    /// For a create: the shell variable of the id it made, and the DELETE that undoes it, as a curl command.
    undo: Option<(String, String)>,
    /// Requests sent at once share a number (the script sends them in the background and waits).
    together: Option<u32>,
}

/// A sequence being run: the model, what the server assigned, and the script so far.
struct Runner<'c> {
    ctx: &'c Ctx,
    marker: String,
    features: Features,
    model: Model,
    users: [Option<Created>; SLOTS as usize],
    group: Option<Created>,
    /// Per slot: the versions read back, with the model's write count when each was read. Cleared when the
    /// user's version may have moved for a reason the model does not track (a membership change).
    versions: [Vec<(String, u32, String)>; SLOTS as usize],
    /// Per slot: the version last read back.
    last_version: [Option<String>; SLOTS as usize],
    /// Ids of users deleted (or of an earlier generation), with their label.
    gone: Vec<(String, String)>,
    lines: Vec<Line>,
    requests: u32,
    version_vars: u32,
    /// Pairs of requests sent at once so far.
    pairs: u32,
}

/// A check failure inside a step: what the model says and what the server did.
type Mismatch = (String, String);

impl<'c> Runner<'c> {
    fn new(ctx: &'c Ctx, features: Features) -> Self {
        Runner {
            ctx,
            marker: ctx.unique("state"),
            features,
            model: Model::new(),
            users: Default::default(),
            group: None,
            versions: Default::default(),
            last_version: Default::default(),
            gone: Vec::new(),
            lines: Vec::new(),
            requests: 0,
            version_vars: 0,
            pairs: 0,
        }
    }

    fn user_name(&self, s: Slot) -> String {
        format!("{}-u{s}", self.marker)
    }

    fn external_id(&self, s: Slot) -> String {
        format!("{}-x{s}", self.marker)
    }

    fn val(&self, v: Val) -> String {
        format!("{}-v{v}", self.marker)
    }

    fn email(&self, v: Val) -> String {
        format!("e{v}.{}@example.com", self.marker.to_ascii_lowercase())
    }

    /// The shell variable of the slot's current id.
    fn id_var(&self, s: Slot) -> String {
        format!("U{s}_{}", self.model.generation(s))
    }

    /// The shell variable a create's id goes to: the slot's, or, for a create the model expects refused, one of
    /// its own, so that a user the server makes anyway is deleted by the script's clean-up too.
    fn create_var(&self, s: Slot, step: &model::Step) -> String {
        match step.expect {
            Expect::Conflict => format!("{}_dup{}", self.id_var(s), self.lines.len()),
            _ => self.id_var(s),
        }
    }

    /// A label for an id the server returned: the slot it belongs to, or where it came from.
    fn label(&self, id: &str) -> String {
        if let Some(s) = (0..SLOTS).find(|&s| self.users[usize::from(s)].as_ref().is_some_and(|c| c.id == id)) {
            return format!("u{s}");
        }
        match self.gone.iter().find(|(g, _)| g == id) {
            Some((_, label)) => format!("{label} (deleted)"),
            None => format!("a user not in this sequence ({id})"),
        }
    }

    fn labels(&self, ids: &[String]) -> String {
        format!("[{}]", ids.iter().map(|i| self.label(i)).collect::<Vec<_>>().join(", "))
    }

    /// Sends one request, counting it and adding it to the script. `template` rewrites the exchange for the
    /// script: the id in an item URL or body becomes `${VAR}`, as does an If-Match version.
    async fn send(
        &mut self,
        note: String,
        req: ScimRequest,
        template: &[(&str, String)],
        sets: Option<(String, &'static str)>,
    ) -> Result<ScimResponse, Outcome> {
        let creates = self.creates(&req);
        let r = send_one(self.ctx, req, creates).await?;
        self.record(note, &r, template, sets, creates, None);
        Ok(r)
    }

    /// Sends two requests at once (an IdP resending, or writing twice at once), and records both.
    async fn send_together(
        &mut self,
        note: &str,
        reqs: [ScimRequest; 2],
        template: &[(&str, String)],
        sets: Option<(String, &'static str)>,
    ) -> Result<[ScimResponse; 2], Outcome> {
        let creates = self.creates(&reqs[0]);
        let [a, b] = reqs;
        let (a, b) = futures_util::future::join(send_one(self.ctx, a, creates), send_one(self.ctx, b, creates)).await;
        let (a, b) = (a?, b?);
        self.pairs += 1;
        let second = sets.as_ref().map(|(var, jq)| (format!("{var}b"), *jq));
        self.record(format!("{note} (1 of 2, at once)"), &a, template, sets, creates, Some(self.pairs));
        self.record(format!("{note} (2 of 2, at once)"), &b, template, second, creates, Some(self.pairs));
        Ok([a, b])
    }

    /// The collection a request creates in, when it is a create.
    fn creates(&self, req: &ScimRequest) -> Option<Kind> {
        [Kind::User, Kind::Group].into_iter().find(|&k| req.method == Method::POST && req.path == self.ctx.run.path(k))
    }

    /// Counts a request and adds it to the script.
    fn record(
        &mut self,
        note: String,
        r: &ScimResponse,
        template: &[(&str, String)],
        sets: Option<(String, &'static str)>,
        creates: Option<Kind>,
        together: Option<u32>,
    ) {
        self.requests += 1;
        let curl = scripted(&r.exchange, template);
        let sets: Vec<(String, &'static str)> = sets.filter(|_| (200..300).contains(&r.status)).into_iter().collect();
        let undo = match (sets.first(), creates) {
            (Some((var, _)), Some(_)) => Some((var.clone(), undo(&r.exchange, var))),
            _ => None,
        };
        self.lines.push(Line { note, curl, sets, undo, together });
    }

    /// The user's PUT body or create body as the model has it (all values of `user`, none when `None`).
    fn user_body(&self, s: Slot, user: Option<&model::User>) -> Value {
        let f = self.features;
        let mut schemas = vec![json!(USER_URN)];
        let mut body = json!({"userName": self.user_name(s)});
        if f.external_id {
            body["externalId"] = json!(self.external_id(s));
        }
        if let Some(u) = user {
            if let (true, Some(v)) = (f.display_name, u.display_name) {
                body["displayName"] = json!(self.val(v));
            }
            if let (true, Some(v)) = (f.title, u.title) {
                body["title"] = json!(self.val(v));
            }
            if f.emails && !u.emails.is_empty() {
                body["emails"] = u.emails.iter().map(|&e| json!({"value": self.email(e), "type": "work"})).collect();
            }
            if let (true, Some(v)) = (f.department, u.department) {
                schemas.push(json!(ENTERPRISE_USER_URN));
                body[ENTERPRISE_USER_URN] = json!({"department": self.val(v)});
            }
        }
        body["schemas"] = Value::Array(schemas);
        body
    }

    /// Runs `ops` until the server and the model part.
    async fn run(&mut self, ops: &[Op]) -> Result<Option<Divergence>, Outcome> {
        for (at, op) in ops.iter().enumerate() {
            if let Some((expected, actual)) = self.step(op).await? {
                let n = at + 1;
                let what = model::describe(op);
                return Ok(Some(Divergence { at, expected: format!("at step {n} ({what}), {expected}"), actual }));
            }
        }
        let at = ops.len().saturating_sub(1);
        Ok(self.read_all_back().await?.map(|(expected, actual)| Divergence {
            at,
            expected: format!("after the last step, {expected}"),
            actual,
        }))
    }

    /// One op: skipped when it does not apply, else sent, its answer judged, and a write read back.
    async fn step(&mut self, op: &Op) -> Result<Option<Mismatch>, Outcome> {
        if !self.model.applies(op) {
            return Ok(None);
        }
        let note = model::describe(op);
        match *op {
            Op::Create(s) => self.create(s, note).await,
            Op::CreateTwice(s) => self.create_twice(s, note).await,
            Op::PatchTogether { user, display, title } => {
                let step = self.model.step(op);
                self.patch_together(user, &note, &step, (display, title)).await
            }
            Op::Get(s) => {
                let expect = self.model.step(op).expect;
                self.read_user(s, note, &expect, None).await
            }
            Op::Replace { user, .. } => {
                let step = self.model.step(op);
                let body = self.user_body(user, self.model.user(user));
                let path = self.item(user).0;
                let t = [(path.as_str(), self.item_template(user))];
                let r = self.send(note.clone(), ScimRequest::json(Method::PUT, &path, &body), &t, None).await?;
                self.after_write(user, note, &step, &r).await
            }
            Op::Patch { user, change } => {
                let step = self.model.step(op);
                let ops = self.patch_ops(change);
                self.patch_user(user, note, &step, ops, None).await
            }
            Op::IfMatch { user, fresh, value } => {
                let Some((version, var)) = self.version_for(user, fresh) else { return Ok(None) };
                let step = self.model.step(op);
                let ops = json!([{"op": "replace", "path": "displayName", "value": self.val(value)}]);
                self.patch_user(user, note, &step, ops, Some((version, var))).await
            }
            Op::Delete(s) => self.delete(s, note).await,
            Op::FindByUserName(s) => {
                let filter = format!("userName eq \"{}\"", self.user_name(s));
                let expect = self.model.step(op).expect;
                self.find(note, &filter, &expect).await
            }
            Op::FindByExternalId(s) => {
                let filter = format!("externalId eq \"{}\"", self.external_id(s));
                let expect = self.model.step(op).expect;
                self.find(note, &filter, &expect).await
            }
            Op::FindByDisplayName(v) => {
                let filter = format!("displayName eq \"{}\"", self.val(v));
                let expect = self.model.step(op).expect;
                self.find(note, &filter, &expect).await
            }
            Op::Page { start } => {
                let expect = self.model.step(op).expect;
                self.page(note, start, &expect).await
            }
            Op::AddMember(s) | Op::RemoveMember(s) => self.membership(op, s, note).await,
        }
    }

    /// The item path of the slot's current user, and its shell variable.
    fn item(&self, s: Slot) -> (String, String) {
        let path = self.users[usize::from(s)].as_ref().map(|c| c.path.clone()).unwrap_or_default();
        (path, self.id_var(s))
    }

    /// The item path of the slot's current user with its id as a shell variable, for the script.
    fn item_template(&self, s: Slot) -> String {
        format!("{}/${{{}}}", self.ctx.run.path(Kind::User), self.id_var(s))
    }

    async fn create(&mut self, s: Slot, note: String) -> Result<Option<Mismatch>, Outcome> {
        let step = self.model.step(&Op::Create(s));
        let body = self.user_body(s, self.model.user(s).filter(|_| step.expect == Expect::Success));
        let users = self.ctx.run.path(Kind::User).to_owned();
        let sets = Some((self.create_var(s, &step), ".id"));
        let r = self.send(note, ScimRequest::json(Method::POST, &users, &body), &[], sets).await?;
        if step.expect == Expect::Conflict {
            return Ok((r.status != 409).then(|| {
                let taken = format!(
                    "userName {:?} is taken by the live u{s}, so the create is refused with 409",
                    self.user_name(s)
                );
                (taken, format!("POST {users} answered {}", describe(&r)))
            }));
        }
        if r.status == 400 && self.model.generation(s) == 1 && self.lines.len() == 1 {
            // The server's own rules refuse the model's first user: nothing here can be judged.
            return Err(Outcome::Skip(format!(
                "prerequisite failed: the server refused the model's user ({})",
                describe(&r)
            )));
        }
        let Some(created) =
            super::crud::created_from(self.ctx, Kind::User, &r).filter(|_| (200..300).contains(&r.status))
        else {
            let free = if self.model.generation(s) > 1 { "free again after its user was deleted" } else { "free" };
            return Ok(Some((
                format!("userName {:?} is {free}, so the create succeeds with the new user's id", self.user_name(s)),
                format!("POST {users} answered {}", describe(&r)),
            )));
        };
        if let Some(old) = self.users[usize::from(s)].replace(created) {
            self.gone.push((old.id, format!("u{s}")));
        }
        self.versions[usize::from(s)].clear();
        self.last_version[usize::from(s)] = None;
        if Self::carries_resource(&r) {
            return Ok(self.judge_user(s, &r, None));
        }
        self.read_user(s, format!("read u{s} back"), &Expect::Success, None).await
    }

    /// The slot's create sent twice at once: one user must result (see [`Expect::OneCreated`]).
    async fn create_twice(&mut self, s: Slot, note: String) -> Result<Option<Mismatch>, Outcome> {
        let step = self.model.step(&Op::CreateTwice(s));
        let body = self.user_body(s, self.model.user(s).filter(|_| step.expect == Expect::OneCreated));
        let users = self.ctx.run.path(Kind::User).to_owned();
        let req = || ScimRequest::json(Method::POST, &users, &body);
        let sets = Some((self.create_var(s, &step), ".id // empty"));
        let answers = self.send_together(&note, [req(), req()], &[], sets).await?;
        let statuses = format!("{} and {}", describe(&answers[0]), describe(&answers[1]));
        if step.expect == Expect::Conflict {
            return Ok(answers.iter().any(|r| r.status != 409).then(|| {
                let name = self.user_name(s);
                (format!("userName {name:?} is taken by the live u{s}, so both creates are refused with 409"), statuses)
            }));
        }
        let made: Vec<Created> = answers
            .iter()
            .filter(|r| (200..300).contains(&r.status))
            .filter_map(|r| super::crud::created_from(self.ctx, Kind::User, r))
            .collect();
        let ids: BTreeSet<&str> = made.iter().map(|c| c.id.as_str()).collect();
        let refused_or_same = answers.iter().all(|r| (200..300).contains(&r.status) || r.status == 409);
        if ids.len() != 1 || !refused_or_same {
            let ids: Vec<&str> = ids.into_iter().collect();
            return Ok(Some((
                "the same create sent twice at once (an IdP resending after a timeout) makes one user: one answer 2xx, \
                 the other 409 or the same user"
                    .to_owned(),
                format!("they answered {statuses}, making {} user(s) [{}]", ids.len(), ids.join(", ")),
            )));
        }
        let Some(created) = made.into_iter().next() else { return Ok(None) };
        let first = answers.iter().position(|r| (200..300).contains(&r.status)).unwrap_or(0);
        if let Some(old) = self.users[usize::from(s)].replace(created) {
            self.gone.push((old.id, format!("u{s}")));
        }
        self.versions[usize::from(s)].clear();
        self.last_version[usize::from(s)] = None;
        if Self::carries_resource(&answers[first]) {
            return Ok(self.judge_user(s, &answers[first], None));
        }
        self.read_user(s, format!("read u{s} back"), &Expect::Success, None).await
    }

    /// Two PATCHes of different attributes of the slot's user sent at once: both apply (each PATCH is atomic).
    async fn patch_together(
        &mut self,
        s: Slot,
        note: &str,
        step: &model::Step,
        (display, title): (Val, Val),
    ) -> Result<Option<Mismatch>, Outcome> {
        let path = self.item(s).0;
        let body = |ops: Value| json!({"schemas": [PATCH_OP_URN], "Operations": ops});
        let a = body(json!([{"op": "replace", "path": "displayName", "value": self.val(display)}]));
        let b = body(json!([{"op": "add", "path": "title", "value": self.val(title)}]));
        let t = [(path.as_str(), self.item_template(s))];
        let reqs = [ScimRequest::json(Method::PATCH, &path, &a), ScimRequest::json(Method::PATCH, &path, &b)];
        let answers = self.send_together(note, reqs, &t, None).await?;
        let statuses = format!("{} and {}", describe(&answers[0]), describe(&answers[1]));
        let want = if step.expect == Expect::NotFound { "404" } else { "2xx" };
        let fits = |r: &ScimResponse| match step.expect {
            Expect::NotFound => r.status == 404,
            _ => (200..300).contains(&r.status),
        };
        if !answers.iter().all(fits) {
            return Ok(Some((format!("both PATCHes of {path} sent at once answer {want}"), statuses)));
        }
        if step.expect == Expect::NotFound {
            return Ok(None);
        }
        // Each answer shows the user after its own PATCH; only a read afterwards shows both.
        self.read_user(s, format!("read u{s} back after both PATCHes"), &Expect::Success, step.changed).await
    }

    /// GETs the slot's user and judges it against `expect` and the model; `changed` says the version must differ
    /// from the one read before.
    async fn read_user(
        &mut self,
        s: Slot,
        note: String,
        expect: &Expect,
        changed: Option<Slot>,
    ) -> Result<Option<Mismatch>, Outcome> {
        let path = self.item(s).0;
        let t = [(path.as_str(), self.item_template(s))];
        let r = self.send(note, ScimRequest::get(&path), &t, None).await?;
        if *expect == Expect::NotFound {
            return Ok((r.status != 404).then(|| {
                (format!("u{s} was deleted, so GET {path} answers 404"), format!("it answered {}", describe(&r)))
            }));
        }
        if r.status != 200 {
            return Ok(Some((
                format!("u{s} exists, so GET {path} answers 200"),
                format!("it answered {}", describe(&r)),
            )));
        }
        Ok(self.judge_user(s, &r, changed))
    }

    /// Judges a representation of the slot's user the server returned (a GET's, or a write's answer) against the
    /// model, and its version: it must differ from the last one seen when `changed` names the user (RFC 7644
    /// section 3.14). The version is kept for If-Match, as a shell variable the script reads from that answer.
    fn judge_user(&mut self, s: Slot, r: &ScimResponse, changed: Option<Slot>) -> Option<Mismatch> {
        let body = r.body_json();
        if let Some(d) = self.differs(s, body) {
            return Some((format!("u{s} is as the model has it"), d));
        }
        let from_body = || body.pointer("/meta/version").and_then(Value::as_str).map(str::to_owned);
        let version = r.header("etag").map(str::to_owned).or_else(from_body)?;
        let before = self.last_version[usize::from(s)].replace(version.clone());
        if changed == Some(s) && before.as_deref() == Some(version.as_str()) {
            return Some((
                format!("u{s} changed, so its version moves on (RFC 7644 section 3.14)"),
                format!("it is still {version}"),
            ));
        }
        self.version_vars += 1;
        let var = format!("V{}", self.version_vars);
        if let Some(line) = self.lines.last_mut() {
            line.sets.push((var.clone(), ".meta.version"));
        }
        let writes = self.model.user(s).map_or(0, |u| u.writes);
        self.versions[usize::from(s)].push((version, writes, var));
        None
    }

    /// Whether a write's answer carries the resource (200 or 201 with a body naming an id), so that it can be
    /// judged without reading the resource back.
    fn carries_resource(r: &ScimResponse) -> bool {
        matches!(r.status, 200 | 201) && r.body_json().get("id").and_then(Value::as_str).is_some()
    }

    /// At the end of a sequence: every user the model has live, and the group, read back together and judged, so
    /// that a write the server answered for and then lost is seen.
    async fn read_all_back(&mut self) -> Result<Option<Mismatch>, Outcome> {
        let live = self.model.live();
        let paths: Vec<String> = live.iter().map(|&s| self.item(s).0).collect();
        let group = self.group.clone();
        let reads = paths.iter().chain(group.as_ref().map(|g| &g.path)).map(|p| self.ctx.send(ScimRequest::get(p)));
        let answers = futures_util::future::join_all(reads).await;
        let mut mismatch = None;
        for (i, answer) in answers.into_iter().enumerate() {
            let r = answer?;
            let (note, template) = match live.get(i) {
                Some(&s) => (format!("read u{s} back at the end"), self.item_template(s)),
                None => {
                    ("read the group back at the end".to_owned(), format!("{}/${{G}}", self.ctx.run.path(Kind::Group)))
                }
            };
            let path = r.exchange.request.url.clone();
            let literal = paths.get(i).or(group.as_ref().map(|g| &g.path)).cloned().unwrap_or_default();
            // Plain reads, sent together: the script sends them one after the other.
            self.record(note, &r, &[(literal.as_str(), template)], None, None, None);
            if mismatch.is_some() {
                continue;
            }
            mismatch = match (live.get(i), r.status) {
                (_, status) if status != 200 => {
                    Some((format!("GET {path} answers 200"), format!("it answered {}", describe(&r))))
                }
                (Some(&s), _) => self.judge_user(s, &r, None),
                (None, _) => self.judge_group(r.body_json()),
            };
        }
        Ok(mismatch)
    }

    /// How the server's user differs from the model's, in words; `None` when it does not.
    fn differs(&self, s: Slot, got: &Value) -> Option<String> {
        let f = self.features;
        let want = self.model.user(s).cloned().unwrap_or_default();
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
        let attr = |name: &str| got.as_object().and_then(|o| scimlab_protocol::json::get_ci(o, name));
        let name = text(attr("userName")).unwrap_or_default();
        if !name.eq_ignore_ascii_case(&self.user_name(s)) {
            return Some(format!("userName is {name:?}, not {:?}", self.user_name(s)));
        }
        let mut singles: Vec<(&str, Option<String>, Option<String>)> = Vec::new();
        if f.external_id {
            singles.push(("externalId", text(attr("externalId")), Some(self.external_id(s))));
        }
        if f.display_name {
            singles.push(("displayName", text(attr("displayName")), want.display_name.map(|v| self.val(v))));
        }
        if f.title {
            singles.push(("title", text(attr("title")), want.title.map(|v| self.val(v))));
        }
        if f.department {
            let ext = attr(ENTERPRISE_USER_URN).and_then(|e| e.get("department"));
            singles.push(("department (enterprise extension)", text(ext), want.department.map(|v| self.val(v))));
        }
        let shown = |v: &Option<String>| v.as_ref().map_or_else(|| "no value".to_owned(), |s| format!("{s:?}"));
        for (name, got, want) in singles {
            if got != want {
                return Some(format!("{name} is {} on the server and {} in the model", shown(&got), shown(&want)));
            }
        }
        if f.emails {
            let got: BTreeSet<String> = attr("emails")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|e| text(e.get("value"))).map(|e| e.to_ascii_lowercase()).collect())
                .unwrap_or_default();
            let want: BTreeSet<String> = want.emails.iter().map(|&e| self.email(e)).collect();
            if got != want {
                return Some(format!("emails are {got:?} on the server and {want:?} in the model"));
            }
        }
        None
    }

    fn patch_ops(&self, change: Change) -> Value {
        match change {
            Change::DisplayName(v) => json!([{"op": "replace", "path": "displayName", "value": self.val(v)}]),
            Change::PathlessTitle(v) => json!([{"op": "replace", "value": {"title": self.val(v)}}]),
            Change::AddTitle(v) => json!([{"op": "add", "path": "title", "value": self.val(v)}]),
            Change::RemoveTitle => json!([{"op": "remove", "path": "title"}]),
            Change::Department(v) => {
                json!([{"op": "replace", "path": format!("{ENTERPRISE_USER_URN}:department"), "value": self.val(v)}])
            }
            Change::AddEmail(v) => {
                json!([{"op": "add", "path": "emails", "value": [{"value": self.email(v), "type": "work"}]}])
            }
            Change::RemoveEmail(v) => {
                json!([{"op": "remove", "path": format!("emails[value eq \"{}\"]", self.email(v))}])
            }
        }
    }

    async fn patch_user(
        &mut self,
        s: Slot,
        note: String,
        step: &model::Step,
        ops: Value,
        if_match: Option<(String, String)>,
    ) -> Result<Option<Mismatch>, Outcome> {
        let path = self.item(s).0;
        let body = json!({"schemas": [PATCH_OP_URN], "Operations": ops});
        let mut req = ScimRequest::json(Method::PATCH, &path, &body);
        let mut t = vec![(path.as_str(), self.item_template(s))];
        if let Some((version, version_var)) = &if_match {
            req = req.header("If-Match", version.clone());
            t.push((version.as_str(), format!("${{{version_var}}}")));
        }
        let t: Vec<(&str, String)> = t.iter().map(|(a, b)| (*a, b.clone())).collect();
        let r = self.send(note.clone(), req, &t, None).await?;
        if step.expect == Expect::PreconditionFailed {
            return Ok((r.status != 412).then(|| {
                (
                    format!(
                        "the If-Match names a version from before u{s}'s latest write, so 412 (RFC 7644 section 3.14)"
                    ),
                    format!("PATCH {path} answered {}", describe(&r)),
                )
            }));
        }
        self.after_write(s, note, step, &r).await
    }

    /// Judges a write's answer, then reads the user back.
    async fn after_write(
        &mut self,
        s: Slot,
        note: String,
        step: &model::Step,
        r: &ScimResponse,
    ) -> Result<Option<Mismatch>, Outcome> {
        let what = format!("{} {}", r.exchange.request.method, self.item(s).0);
        match step.expect {
            Expect::NotFound if r.status != 404 => {
                Ok(Some((format!("u{s} was deleted, so {what} answers 404"), format!("it answered {}", describe(r)))))
            }
            Expect::NotFound => Ok(None),
            _ if !(200..300).contains(&r.status) => {
                Ok(Some((format!("{what} succeeds (2xx)"), format!("it answered {}", describe(r)))))
            }
            _ if Self::carries_resource(r) => Ok(self.judge_user(s, r, step.changed)),
            _ => self.read_user(s, format!("read u{s} back after: {note}"), &Expect::Success, step.changed).await,
        }
    }

    async fn delete(&mut self, s: Slot, note: String) -> Result<Option<Mismatch>, Outcome> {
        let step = self.model.step(&Op::Delete(s));
        let path = self.item(s).0;
        let t = [(path.as_str(), self.item_template(s))];
        let r = self.send(note, ScimRequest::delete(&path), &t, None).await?;
        if step.expect == Expect::NotFound {
            return Ok((r.status != 404).then(|| {
                (
                    format!("u{s} was deleted already, so DELETE {path} answers 404"),
                    format!("it answered {}", describe(&r)),
                )
            }));
        }
        if !(200..300).contains(&r.status) {
            return Ok(Some((format!("DELETE {path} succeeds (2xx)"), format!("it answered {}", describe(&r)))));
        }
        let read = format!("read u{s} back after the delete");
        let gone = self.read_user(s, read, &Expect::NotFound, None).await?;
        if gone.is_none()
            && let Some(c) = &self.users[usize::from(s)]
        {
            // Gone for good: cleanup has nothing left to delete.
            self.ctx.run.forget(Kind::User, &c.id);
        }
        Ok(gone)
    }

    async fn find(&mut self, note: String, filter: &str, expect: &Expect) -> Result<Option<Mismatch>, Outcome> {
        let Expect::Found(want) = expect else { return Ok(None) };
        let users = self.ctx.run.path(Kind::User).to_owned();
        let r = self.send(note, ScimRequest::get(&users).query("filter", filter), &[], None).await?;
        if r.status != 200 {
            return Ok(Some((format!("filter={filter} answers 200"), format!("it answered {}", describe(&r)))));
        }
        let got: BTreeSet<String> = ids(&r).into_iter().collect();
        let want_ids: BTreeSet<String> =
            want.iter().filter_map(|&s| self.users[usize::from(s)].as_ref()).map(|c| c.id.clone()).collect();
        Ok((got != want_ids).then(|| {
            let labels = |set: &BTreeSet<String>| self.labels(&set.iter().cloned().collect::<Vec<_>>());
            (format!("filter={filter} finds {}", labels(&want_ids)), format!("it finds {}", labels(&got)))
        }))
    }

    async fn page(&mut self, note: String, start: u8, expect: &Expect) -> Result<Option<Mismatch>, Outcome> {
        let Expect::Page { total, slots } = expect else { return Ok(None) };
        let users = self.ctx.run.path(Kind::User).to_owned();
        let req = ScimRequest::get(&users)
            .query("filter", format!("userName sw \"{}-u\"", self.marker))
            .query("sortBy", "userName")
            .query("startIndex", start.to_string())
            .query("count", "2");
        let r = self.send(note, req, &[], None).await?;
        let what = format!("the page sorted by userName from startIndex {start}");
        if r.status != 200 {
            return Ok(Some((format!("{what} answers 200"), format!("it answered {}", describe(&r)))));
        }
        let want: Vec<String> =
            slots.iter().filter_map(|&s| self.users[usize::from(s)].as_ref()).map(|c| c.id.clone()).collect();
        let got = ids(&r);
        let server_total = r.body_json().get("totalResults").and_then(Value::as_u64);
        let prefix = got.len() <= want.len() && want.starts_with(&got) && (got.is_empty() == want.is_empty());
        if server_total != Some(*total as u64) || !prefix {
            return Ok(Some((
                format!("{what} says totalResults {total} and holds {} (or the first of them)", self.labels(&want)),
                format!(
                    "it says totalResults {} and holds {}",
                    server_total.map_or_else(|| "(none)".to_owned(), |t| t.to_string()),
                    self.labels(&got)
                ),
            )));
        }
        Ok(None)
    }

    /// Creates the sequence's group on first use; `false` when the server would not (group ops are then off).
    async fn ensure_group(&mut self) -> Result<bool, Outcome> {
        if self.group.is_some() {
            return Ok(true);
        }
        let groups = self.ctx.run.path(Kind::Group).to_owned();
        let body = json!({"schemas": [GROUP_URN], "displayName": format!("{}-g", self.marker)});
        let sets = Some(("G".to_owned(), ".id"));
        let r =
            self.send("create the group".into(), ScimRequest::json(Method::POST, &groups, &body), &[], sets).await?;
        self.group = super::crud::created_from(self.ctx, Kind::Group, &r).filter(|_| (200..300).contains(&r.status));
        if self.group.is_none() {
            self.features.groups = false;
        }
        Ok(self.group.is_some())
    }

    async fn membership(&mut self, op: &Op, s: Slot, note: String) -> Result<Option<Mismatch>, Outcome> {
        if !self.features.groups || !self.ensure_group().await? {
            return Ok(None);
        }
        let Some(group) = self.group.clone() else { return Ok(None) };
        let step = self.model.step(op);
        let (id, var) = match &self.users[usize::from(s)] {
            Some(c) => (c.id.clone(), self.id_var(s)),
            None => return Ok(None),
        };
        let ops = match op {
            Op::AddMember(_) => json!([{"op": "add", "path": "members", "value": [{"value": id}]}]),
            _ => json!([{"op": "remove", "path": format!("members[value eq \"{id}\"]")}]),
        };
        let body = json!({"schemas": [PATCH_OP_URN], "Operations": ops});
        let group_template = format!("{}/${{G}}", self.ctx.run.path(Kind::Group));
        let t = [(group.path.as_str(), group_template), (id.as_str(), format!("${{{var}}}"))];
        let r = self.send(note.clone(), ScimRequest::json(Method::PATCH, &group.path, &body), &t, None).await?;
        // The user's version may move with its groups, which the model does not track: no version of it read
        // before now is judged as current any more.
        self.versions[usize::from(s)].clear();
        self.last_version[usize::from(s)] = None;
        if step.expect == Expect::Success && !(200..300).contains(&r.status) {
            return Ok(Some((
                format!("PATCH {} changing members succeeds (2xx)", group.path),
                format!("it answered {}", describe(&r)),
            )));
        }
        if r.body_json().get("members").is_some() && Self::carries_resource(&r) {
            return Ok(self.judge_group(r.body_json()));
        }
        self.read_group(format!("read the group back after: {note}")).await
    }

    /// GETs the sequence's group and judges its members.
    async fn read_group(&mut self, note: String) -> Result<Option<Mismatch>, Outcome> {
        let Some(group) = self.group.clone() else { return Ok(None) };
        let t = [(group.path.as_str(), format!("{}/${{G}}", self.ctx.run.path(Kind::Group)))];
        let read = self.send(note, ScimRequest::get(&group.path), &t, None).await?;
        if read.status != 200 {
            return Ok(Some((format!("GET {} answers 200", group.path), format!("it answered {}", describe(&read)))));
        }
        Ok(self.judge_group(read.body_json()))
    }

    /// Judges a representation of the group: its live members are the model's (a deleted user may or may not
    /// still be listed; see the model's documentation).
    fn judge_group(&self, body: &Value) -> Option<Mismatch> {
        let listed: BTreeSet<String> =
            super::crud::member_ids(body).into_iter().filter(|m| !self.gone.iter().any(|(g, _)| g == m)).collect();
        let want: BTreeSet<String> = self
            .model
            .members()
            .iter()
            .filter_map(|&m| self.users[usize::from(m)].as_ref())
            .map(|c| c.id.clone())
            .collect();
        (listed != want).then(|| {
            let labels = |set: &BTreeSet<String>| self.labels(&set.iter().cloned().collect::<Vec<_>>());
            (format!("the group's live members are {}", labels(&want)), format!("it lists {}", labels(&listed)))
        })
    }

    /// A version of the slot's user to name in If-Match: the current one (read back since its latest write), or
    /// one from before its latest write; with its shell variable. `None` when none is known.
    fn version_for(&self, s: Slot, fresh: bool) -> Option<(String, String)> {
        let writes = self.model.user(s)?.writes;
        let known = &self.versions[usize::from(s)];
        let pick = |(v, _, var): &(String, u32, String)| (v.clone(), var.clone());
        match fresh {
            true => known.iter().rev().find(|(_, w, _)| *w == writes).map(pick),
            false => known.iter().rev().find(|(_, w, _)| *w < writes).map(pick),
        }
    }

    /// The script that replays what was sent.
    fn script(&self, ops: &[Op], failed: Option<&Divergence>) -> String {
        let used = |var: &str| {
            let var = format!("${{{var}}}");
            self.lines.iter().any(|l| l.curl.contains(&var) || l.undo.as_ref().is_some_and(|(_, u)| u.contains(&var)))
        };
        let mut out = vec![
            "#!/bin/sh".to_owned(),
            format!("# {SECTION}/matches-model: {}", ops.iter().map(model::describe).collect::<Vec<_>>().join("; ")),
            "# Needs curl and jq; set SCIM_TOKEN to the credential. Ids and versions are read from the answers."
                .to_owned(),
            "set -u".to_owned(),
        ];
        if self.lines.iter().any(|l| l.together.is_some()) {
            out.push("D=$(mktemp -d)".to_owned());
        }
        let mut i = 0;
        while let Some(line) = self.lines.get(i) {
            let quiet = |l: &Line| l.curl.replacen("curl --globoff", "curl -sS --globoff", 1);
            let sets = |l: &Line| l.sets.iter().filter(|(var, _)| used(var)).cloned().collect::<Vec<_>>();
            let Some(g) = line.together else {
                out.push(format!("# {}", line.note));
                let sets = sets(line);
                if sets.is_empty() {
                    out.push(format!("{} -w '\\n%{{http_code}}\\n'", quiet(line)));
                } else {
                    // The answer is kept, shown, and each variable read from it.
                    out.push(format!("R=$({})", quiet(line)));
                    out.push("printf '%s\\n' \"$R\"".to_owned());
                    out.extend(sets.iter().map(|(var, jq)| format!("{var}=$(printf '%s' \"$R\" | jq -r '{jq}')")));
                }
                i += 1;
                continue;
            };
            // Requests sent at once: in the background, each answer to a file, then read.
            let group: Vec<&Line> = self.lines[i..].iter().take_while(|l| l.together == Some(g)).collect();
            let file = |k: usize| format!("\"$D/{g}-{k}\"");
            for (k, l) in group.iter().enumerate() {
                out.push(format!("# {}", l.note));
                out.push(format!("{} -o {} -w '%{{http_code}}\\n' &", quiet(l), file(k)));
            }
            out.push("wait".to_owned());
            let files: Vec<String> = (0..group.len()).map(file).collect();
            out.extend(files.iter().map(|f| format!("cat {f}; echo")));
            for (k, l) in group.iter().enumerate() {
                // The first request's variables come from whichever answer has them (one of two creates may be
                // the one refused); the others' from their own answer.
                let from = if k == 0 { files.join(" ") } else { file(k) };
                out.extend(sets(l).iter().map(|(var, jq)| format!("{var}=$(jq -r '{jq}' {from} | head -n 1)")));
            }
            i += group.len();
        }
        if let Some(d) = failed {
            out.push(format!("# expected {}", d.expected));
            out.push(format!("# actual: {}", d.actual.replace('\n', " ")));
        }
        let undo: Vec<&(String, String)> = self.lines.iter().rev().filter_map(|l| l.undo.as_ref()).collect();
        if !undo.is_empty() {
            out.push("# clean up what the script created (only what it has an id for)".to_owned());
            out.extend(undo.into_iter().map(|(var, curl)| format!("[ -n \"${{{var}:-}}\" ] && {curl}")));
        }
        if self.lines.iter().any(|l| l.together.is_some()) {
            out.push("rm -rf \"$D\"".to_owned());
        }
        out.join("\n")
    }
}

/// Sends a request, through the create path (which records what it makes for cleanup) when it is a create.
async fn send_one(ctx: &Ctx, req: ScimRequest, creates: Option<Kind>) -> Result<ScimResponse, Outcome> {
    match creates {
        Some(kind) => super::crud::post_request(ctx, kind, req).await,
        None => ctx.send(req).await,
    }
}

/// The ids of a ListResponse's resources.
fn ids(r: &ScimResponse) -> Vec<String> {
    r.body_json()
        .get("Resources")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|u| u.get("id").and_then(Value::as_str)).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// `exchange` as a curl command, with each `(literal, placeholder)` of `template` put in: a literal that ends
/// the URL (an item path) or appears in the body or an If-Match header becomes the placeholder, a `${VAR}` that
/// the shell expands (the placeholder is quoted apart from the single quotes around it).
fn scripted(exchange: &Exchange, template: &[(&str, String)]) -> String {
    let mut e = exchange.clone();
    for (literal, placeholder) in template.iter().filter(|(l, _)| !l.is_empty()) {
        if placeholder.contains('/') {
            // An item path: `/Users/<encoded id>` at the end of the URL becomes `/Users/${VAR}`.
            if let Some(base) = e.request.url.strip_suffix(literal) {
                e.request.url = format!("{base}{placeholder}");
            }
            continue;
        }
        for (name, value) in &mut e.request.headers {
            if name.eq_ignore_ascii_case("if-match") && value == literal {
                value.clone_from(placeholder);
            }
        }
        if let Some(body) = &mut e.request.body {
            *body = body.replace(&format!("\"{literal}\""), &format!("\"{placeholder}\""));
            *body = body.replace(&format!("\\\"{literal}\\\""), &format!("\\\"{placeholder}\\\""));
        }
    }
    let mut curl = e.curl();
    let mut vars: Vec<&str> = template.iter().map(|(_, p)| p.rsplit('/').next().unwrap_or(p)).collect();
    vars.dedup();
    for var in vars {
        curl = curl.replace(var, &format!("'\"{var}\"'"));
    }
    curl
}

/// The DELETE of what the create `exchange` made, whose id the script holds in `var`, as a curl command.
fn undo(exchange: &Exchange, var: &str) -> String {
    let mut e = exchange.clone();
    e.request.method = "DELETE".to_owned();
    e.request.url = format!("{}/${{{var}}}", e.request.url.trim_end_matches('/'));
    e.request.body = None;
    e.request.headers.retain(|(name, _)| !name.eq_ignore_ascii_case("content-type"));
    let curl = e.curl().replace(&format!("${{{var}}}"), &format!("'\"${{{var}}}\"'"));
    format!("{} -o /dev/null -w '%{{http_code}}\\n'", curl.replacen("curl --globoff", "curl -sS --globoff", 1))
}

/// Runs one sequence on the server with a fresh marker.
async fn trial(ctx: &Ctx, features: Features, ops: &[Op]) -> Result<Trial, Outcome> {
    let mut runner = Runner::new(ctx, features);
    let divergence = runner.run(ops).await?;
    let script = runner.script(ops, divergence.as_ref());
    Ok(Trial { divergence, requests: runner.requests, script })
}

/// The smallest sequence that still diverges, found within `budget` requests: ops are dropped and payloads
/// simplified one at a time, each candidate run on the server afresh; a candidate that diverges replaces the
/// best (cut after the step where it diverged) and the search starts over from it.
async fn shrink(
    ctx: &Ctx,
    features: Features,
    first: (Vec<Op>, Trial),
    budget: u32,
) -> Result<(Vec<Op>, Trial, u32, u32), Outcome> {
    let (mut best, mut best_trial) = first;
    let (mut spent, mut tries) = (0, 0);
    'search: loop {
        for candidate in model::smaller(&best) {
            if spent >= budget {
                break 'search;
            }
            let t = trial(ctx, features, &candidate).await?;
            spent += t.requests;
            tries += 1;
            if let Some(at) = t.divergence.as_ref().map(|d| d.at) {
                best = candidate[..=at].to_vec();
                best_trial = t;
                continue 'search;
            }
        }
        break;
    }
    Ok((best, best_trial, tries, spent))
}

/// The stateful differential check (see the file's documentation).
async fn state_matches_model(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let features = features(ctx);
            let seed = ctx.run.seed;
            let budget = ctx.run.state_budget.max(1);
            // About two thirds of the budget go to the search: as many sequences as that pays for on average, stopping
            // early once it is spent (those in flight then are let go).
            let search = budget * 2 / 3;
            let (mut spent, mut tried) = (0, 0);
            let mut found = None;
            {
                // By default one wave (the critical path is then one sequence); waves of AT_ONCE when it is raised.
                let count = (search / REQUESTS_PER_SEQUENCE).clamp(1, MAX_SEQUENCES);
                let mut trials = futures_util::stream::iter(0..count)
                    .map(|i| {
                        let ops = sequence(seed, i, &features);
                        async move { (i, trial(ctx, features, &ops).await, ops) }
                    })
                    .buffered(AT_ONCE);
                while let Some((i, t, ops)) = trials.next().await {
                    let t = t?;
                    spent += t.requests;
                    tried += 1;
                    if let Some(at) = t.divergence.as_ref().map(|d| d.at) {
                        found = Some((i, ops.len(), ops[..=at].to_vec(), t));
                        break;
                    }
                    if spent >= search {
                        break;
                    }
                }
            }
            let Some((index, drawn, cut, t)) = found else { return Ok(Outcome::Pass) };
            let (ops, t, tries, shrinking) = shrink(ctx, features, (cut, t), budget.saturating_sub(spent)).await?;
            let Some(d) = &t.divergence else {
                return Ok(Outcome::Error("harness: a shrunk sequence lost its divergence".into()));
            };
            let steps: Vec<String> =
                ops.iter().enumerate().map(|(i, op)| format!("{}. {}", i + 1, model::describe(op))).collect();
            Ok(Outcome::fail(
                d.expected.clone(),
                format!(
                    "{} (seed {seed}, sequence {} after {tried} run: {drawn} ops; shrunk to {} in {tries} tries and \
                     {shrinking} requests): {}; reproduce with:\n{}",
                    d.actual,
                    index + 1,
                    ops.len(),
                    steps.join(" "),
                    t.script
                ),
            ))
        }
        .await,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_draws_the_same_sequences() {
        assert_eq!(sequence(7, 3, &Features::all()), sequence(7, 3, &Features::all()));
        assert_ne!(sequence(7, 3, &Features::all()), sequence(7, 4, &Features::all()));
        assert_ne!(sequence(7, 3, &Features::all()), sequence(8, 3, &Features::all()));
        let (lo, hi) = LENGTHS;
        assert!((0..50).all(|i| (lo..=hi).contains(&sequence(1, i, &Features::all()).len())));
    }
}
