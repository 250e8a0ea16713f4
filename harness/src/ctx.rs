//! What a check works with: the recording client, what discovery learnt, fixtures, and the safety rules.
//!
//! Safety is enforced below the checks, not left to each of them: the run's client carries the run's [`Ledger`],
//! which refuses (as a harness error) any PUT, PATCH, DELETE or item-level POST aimed at a resource this run did
//! not create, judged on the URL as it goes on the wire. Resources enter the ledger only from the server's own
//! answer to a create ([`RunShared::adopt`]), and their paths are built by the ledger with the id as one encoded
//! segment. An id that cannot be one segment, or that the server hands out twice, fails the check that met it
//! and is never touched again. A check cannot change or delete a customer's data even by mistake.

use crate::check::{Capability, Outcome};
use reqwest::Method;
use scimlab_mock_idp::ledger::IdDefect;
use scimlab_mock_idp::{ClientError, Ledger, ScimClient, ScimRequest, ScimResponse};
use scimlab_protocol::SchemaRegistry;
use scimlab_protocol::exchange::Exchange;
use scimlab_protocol::schema::AttributeDef;
use scimlab_protocol::schema::{ENTERPRISE_USER_URN, GROUP_URN, ResourceView, USER_URN};
use scimlab_protocol::spc::ServiceProviderConfig;
use scimlab_reports::model::Cost;
use serde_json::{Value, json};
use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// A resource collection the harness works with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Users.
    User,
    /// Groups.
    Group,
}

/// A resource this run created.
#[derive(Debug, Clone)]
pub struct Created {
    /// Which collection.
    pub kind: Kind,
    /// Its id.
    pub id: String,
    /// Its path relative to the base URL (`/Users/{id}`).
    pub path: String,
    /// The representation the server returned on create.
    pub body: Value,
    /// The ETag header the server returned, if any.
    pub etag: Option<String>,
}

/// What the whole run shares.
#[derive(Debug)]
pub struct RunShared {
    /// The client, bound to the server under test.
    pub client: ScimClient,
    /// The server's ServiceProviderConfig, when it published a readable one.
    pub spc: Option<ServiceProviderConfig>,
    /// The schemas: the server's own from /Schemas where readable, else RFC 7643's.
    pub registry: SchemaRegistry,
    /// Endpoint of the User resource type (`/Users`), if the server has one.
    pub users: Option<String>,
    /// Endpoint of the Group resource type (`/Groups`), if the server has one.
    pub groups: Option<String>,
    /// Whether the User resource type carries the enterprise extension.
    pub enterprise: bool,
    /// The run-unique prefix of every name this run creates.
    pub prefix: String,
    /// The run's seed.
    pub seed: u64,
    /// What the run created; the client checks every mutating request against it.
    pub ledger: Arc<Ledger>,
    /// What discovery found wrong with the resource types' endpoints (RFC 7643 section 6), one line each.
    pub endpoint_findings: Vec<String>,
    /// Requests the stateful differential check may spend (`--state-budget`).
    pub state_budget: u32,
    /// Requests the concurrency checks send at once (`--race-width`).
    pub race_width: usize,
    counter: AtomicU64,
    /// Fixtures read-only checks share ([`Ctx::shared`]), by key.
    shared: SharedFixtures,
    /// Creates on the wire: each runs to its answer even when its check is dropped ([`Ctx::send_via`]).
    creating: Creating,
}

/// The creates (POST to /Users or /Groups) still on the wire, so that cleanup after Ctrl-C can wait for them.
#[derive(Debug, Default)]
struct Creating {
    count: Mutex<usize>,
    settled: tokio::sync::Notify,
}

/// A create's answer on its way to its check. Dropped unread (the check was dropped first, by Ctrl-C), it records
/// the id the server assigned, so the cleanup deletes what the create made.
struct Unread {
    answer: Option<Result<ScimResponse, ClientError>>,
    run: Arc<RunShared>,
    kind: Kind,
}

impl Drop for Unread {
    fn drop(&mut self) {
        let Some(Ok(r)) = self.answer.take() else { return };
        let id = r.body_json().get("id").and_then(Value::as_str);
        if let Some(id) = id.filter(|_| (200..300).contains(&r.status)) {
            // An id the ledger refuses (unusable, or handed out twice) is never aimed at.
            let _ = self.run.adopt(self.kind, id);
        }
    }
}

/// One create on the wire; dropping it (the create's answer came, or it failed) lets cleanup go on.
struct OnTheWire(Arc<RunShared>);

impl Drop for OnTheWire {
    fn drop(&mut self) {
        let mut n = lock(&self.0.creating.count);
        *n = n.saturating_sub(1);
        if *n == 0 {
            self.0.creating.settled.notify_waiters();
        }
    }
}

/// A fixture built once for several checks: what it is, and the exchanges that built it (each check that uses it
/// carries them in its evidence, so its reproducer is whole).
struct Built<T> {
    value: Arc<T>,
    evidence: Vec<Exchange>,
    spans: Vec<(Instant, Instant)>,
}

/// One shared fixture's slot: empty until the first check that needs it has built it. A build that is dropped
/// (its check timed out) leaves it empty for the next one; a build that failed is every user's answer.
type Slot<T> = tokio::sync::OnceCell<Result<Arc<Built<T>>, Outcome>>;

/// The run's shared fixtures, each a [`Slot`] of its own type, by key.
#[derive(Default)]
struct SharedFixtures(Mutex<HashMap<&'static str, Arc<dyn Any + Send + Sync>>>);

impl std::fmt::Debug for SharedFixtures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(lock(&self.0).keys()).finish()
    }
}

impl RunShared {
    /// Shared state for a run.
    #[expect(clippy::too_many_arguments, reason = "built once, by the runner, from discovery")]
    pub fn new(
        client: ScimClient,
        spc: Option<ServiceProviderConfig>,
        registry: SchemaRegistry,
        users: Option<String>,
        groups: Option<String>,
        enterprise: bool,
        prefix: String,
        seed: u64,
    ) -> Self {
        let ledger = Arc::new(Ledger::new());
        RunShared {
            client: client.with_ledger(ledger.clone()),
            spc,
            registry,
            users,
            groups,
            enterprise,
            prefix,
            seed,
            ledger,
            endpoint_findings: Vec::new(),
            state_budget: crate::checks::DEFAULT_STATE_BUDGET,
            race_width: usize::from(crate::checks::DEFAULT_RACE_WIDTH),
            counter: AtomicU64::new(0),
            shared: SharedFixtures::default(),
            creating: Creating::default(),
        }
    }

    /// Whether the server announces or has `cap`. A ServiceProviderConfig that could not be read counts as
    /// announcing nothing optional.
    pub fn has(&self, cap: Capability) -> bool {
        let spc = self.spc.as_ref();
        match cap {
            Capability::Patch => spc.is_some_and(|s| s.patch.supported),
            Capability::Bulk => spc.is_some_and(|s| s.bulk.supported),
            Capability::Filter => spc.is_some_and(|s| s.filter.supported),
            Capability::Sort => spc.is_some_and(|s| s.sort.supported),
            Capability::Etag => spc.is_some_and(|s| s.etag.supported),
            Capability::ChangePassword => spc.is_some_and(|s| s.change_password.supported),
            Capability::Users => self.users.is_some(),
            Capability::Groups => self.groups.is_some(),
            Capability::EnterpriseUser => self.enterprise,
        }
    }

    /// Everything this run created and has not seen deleted, newest first (Groups before the Users they
    /// reference).
    pub fn created(&self) -> Vec<(Kind, String)> {
        let mut v: Vec<(Kind, String)> = self
            .ledger
            .remaining()
            .into_iter()
            .map(|(collection, id)| {
                let group = collection.trim_matches('/').eq_ignore_ascii_case(self.path(Kind::Group).trim_matches('/'));
                (if group { Kind::Group } else { Kind::User }, id)
            })
            .collect();
        v.sort_by_key(|(k, _)| *k == Kind::User);
        v
    }

    /// Records that a created resource is gone.
    pub fn forget(&self, kind: Kind, id: &str) {
        self.ledger.forget(self.path(kind), id);
    }

    /// Records what a create answered: `id` becomes this run's to change and delete, and the path to aim at it
    /// is returned. Only ids from a successful create answer may be adopted, never ids found in a listing.
    pub fn adopt(&self, kind: Kind, id: &str) -> Result<String, IdDefect> {
        self.ledger.record(self.path(kind), id)
    }

    /// Waits until no create is on the wire any more, at most `limit`: after Ctrl-C dropped the checks, their
    /// creates still get their answers, and what the server made is in the ledger for the cleanup.
    pub async fn settle(&self, limit: std::time::Duration) {
        let wait = async {
            loop {
                let settled = self.creating.settled.notified();
                tokio::pin!(settled);
                settled.as_mut().enable();
                if *lock(&self.creating.count) == 0 {
                    return;
                }
                settled.await;
            }
        };
        let _ = tokio::time::timeout(limit, wait).await;
    }

    /// The collection a request creates in: a POST to /Users or /Groups.
    fn creates_in(&self, req: &ScimRequest) -> Option<Kind> {
        if req.method != Method::POST {
            return None;
        }
        [Kind::User, Kind::Group].into_iter().find(|k| match k {
            Kind::User => self.users.as_deref() == Some(req.path.as_str()),
            Kind::Group => self.groups.as_deref() == Some(req.path.as_str()),
        })
    }

    /// Whether `id` was created by this run (or is a never-existing id this run made up).
    pub fn owns(&self, id: &str) -> bool {
        self.ledger.owns_anywhere(id)
    }

    /// Path of a collection.
    pub fn path(&self, kind: Kind) -> &str {
        match kind {
            Kind::User => self.users.as_deref().unwrap_or("/Users"),
            Kind::Group => self.groups.as_deref().unwrap_or("/Groups"),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// One check's view of the run: the shared state plus the evidence it has gathered so far.
pub struct Ctx {
    /// The run.
    pub run: Arc<RunShared>,
    evidence: Mutex<Vec<Exchange>>,
    /// When each request this check sent was handed to the client and when its answer was back.
    spans: Mutex<Vec<(Instant, Instant)>>,
    /// What this check created (collection as the run names it, id), for cleanup once it is finished.
    made: Mutex<Vec<(String, String)>>,
    /// Of the evidence, the exchanges of shared fixtures another check's setup sent ([`Ctx::shared`]).
    borrowed: AtomicU64,
}

/// The round trips on the critical path of requests that ran over `spans` (start, end): the most of them that fit
/// one after another, found by always taking the one that ends first (the interval scheduling greedy, which is
/// optimal).
pub fn critical_path(spans: &[(Instant, Instant)]) -> usize {
    let mut by_end: Vec<_> = spans.to_vec();
    by_end.sort_by_key(|&(_, end)| end);
    let mut round_trips = 0;
    let mut free_at: Option<Instant> = None;
    for (start, end) in by_end {
        if free_at.is_none_or(|f| start >= f) {
            round_trips += 1;
            free_at = Some(end);
        }
    }
    round_trips
}

impl Ctx {
    /// A context for one check.
    pub fn new(run: Arc<RunShared>) -> Self {
        Ctx {
            run,
            evidence: Mutex::new(Vec::new()),
            spans: Mutex::new(Vec::new()),
            made: Mutex::new(Vec::new()),
            borrowed: AtomicU64::new(0),
        }
    }

    /// The fixture `key`, built by `build` for the first check that asks and shared with every other (issue 12:
    /// read-only checks share one population instead of creating one each). Only checks that never change it may
    /// share it. What `build` creates belongs to the run, not to the check: it is deleted by the run's cleanup,
    /// after every check, never by the sweep of a finished check. Every check that uses it carries the
    /// exchanges that built it in its evidence (in its request count only for the check that built it), so its
    /// reproducer includes the setup.
    /// A failed build is every sharing check's answer, as it would have been for each alone.
    pub async fn shared<T, F, Fut>(&self, key: &'static str, build: F) -> Result<Arc<T>, Outcome>
    where
        T: Send + Sync + 'static,
        F: FnOnce(Arc<Ctx>) -> Fut,
        Fut: Future<Output = Result<T, Outcome>>,
    {
        let slot: Arc<Slot<T>> = {
            let mut map = lock(&self.run.shared.0);
            let any = map.entry(key).or_insert_with(|| Arc::new(Slot::<T>::new())).clone();
            any.downcast::<Slot<T>>()
                .map_err(|_| Outcome::Error(format!("harness: shared fixture {key:?} is used with two types")))?
        };
        // The check that builds it counts the setup's requests as its own; the others borrow them.
        let builder = std::sync::atomic::AtomicBool::new(false);
        let built = slot
            .get_or_init(|| async {
                builder.store(true, Ordering::Relaxed);
                // A context of its own: what it made belongs to the run and is left out of every check's sweep.
                let setup = Arc::new(Ctx::new(self.run.clone()));
                let value = build(setup.clone()).await;
                let _ = setup.take_made();
                let spans = lock(&setup.spans).clone();
                value.map(|v| Arc::new(Built { value: Arc::new(v), evidence: setup.take_evidence(), spans }))
            })
            .await;
        match built {
            Ok(b) => {
                lock(&self.evidence).extend(b.evidence.iter().cloned());
                lock(&self.spans).extend(b.spans.iter().copied());
                if !builder.load(Ordering::Relaxed) {
                    self.borrowed.fetch_add(b.evidence.len() as u64, Ordering::Relaxed);
                }
                Ok(b.value.clone())
            }
            Err(o) => Err(o.clone()),
        }
    }

    /// Records what a create answered, as [`RunShared::adopt`] does, and that this check made it.
    pub fn adopt(&self, kind: Kind, id: &str) -> Result<String, IdDefect> {
        let path = self.run.adopt(kind, id)?;
        lock(&self.made).push((self.run.path(kind).to_owned(), id.to_owned()));
        Ok(path)
    }

    /// Notes that this check made the resource `id` of `kind`, which another client sending through the run's
    /// ledger recorded already (a persona's replay): the run deletes it once the check is finished.
    pub fn made_elsewhere(&self, kind: Kind, id: &str) {
        lock(&self.made).push((self.run.path(kind).to_owned(), id.to_owned()));
    }

    /// What this check created, taken (for the run to delete once the check is finished).
    pub fn take_made(&self) -> Vec<(String, String)> {
        std::mem::take(&mut *lock(&self.made))
    }

    /// What this check's requests cost so far.
    pub fn cost(&self) -> Cost {
        let spans = lock(&self.spans);
        let borrowed = usize::try_from(self.borrowed.load(Ordering::Relaxed)).unwrap_or(usize::MAX);
        let requests = lock(&self.evidence).len().max(spans.len()).saturating_sub(borrowed);
        Cost { requests, round_trips: critical_path(&spans) }
    }

    /// The exchanges this check sent, in order.
    pub fn take_evidence(&self) -> Vec<Exchange> {
        std::mem::take(&mut *lock(&self.evidence))
    }

    /// The User schema view.
    pub fn users_view(&self) -> ResourceView<'_> {
        self.run.registry.user()
    }

    /// The schema view of `kind` that attribute choices are made against: the server's own where it published
    /// one at /Schemas, else RFC 7643's. A published core schema that lists no attributes says nothing, so it
    /// counts as unpublished.
    pub fn view_of(&self, kind: Kind) -> ResourceView<'_> {
        let view = match kind {
            Kind::User => self.run.registry.user(),
            Kind::Group => self.run.registry.group(),
        };
        if !view.core.attributes.is_empty() {
            return view;
        }
        let core = SchemaRegistry::core();
        match kind {
            Kind::User => core.user(),
            Kind::Group => core.group(),
        }
    }

    /// RFC 7643 section 7: whether the server's schema for `kind` defines the attribute `path` (`nickName`,
    /// `name.middleName`, `emails.type`, URN-qualified names too). A server may publish a subset of the core
    /// schema, so a check that needs an optional attribute asks here first. The common attributes (`id`,
    /// `externalId`, `meta`) are always defined, and so is an extension's URN when the type carries it.
    pub fn defines(&self, kind: Kind, path: &str) -> bool {
        let view = self.view_of(kind);
        view.extension(path).is_some() || view.resolve_dotted(path).is_some()
    }

    /// `Ok(())` when the server defines every one of `paths` for `kind`, else the skip naming the first it lacks.
    pub fn require_attrs(&self, kind: Kind, paths: &[&str]) -> Result<(), Outcome> {
        for p in paths {
            self.first_defined(kind, &[p])?;
        }
        Ok(())
    }

    /// The first of `candidates` the server defines for `kind`, else the skip naming them all. Candidates are
    /// listed in order of preference, RFC 7643's usual choice first, so a server with the full schema is always
    /// tested with the same attribute.
    pub fn first_defined<'c>(&self, kind: Kind, candidates: &[&'c str]) -> Result<&'c str, Outcome> {
        candidates.iter().copied().find(|c| self.defines(kind, c)).ok_or_else(|| {
            let what = match candidates {
                [one] => (*one).to_owned(),
                many => format!("any of {}", many.join(", ")),
            };
            Outcome::Skip(format!(
                "the server's {} schema has no {what} (RFC 7643 section 7 allows a subset)",
                kind_name(kind)
            ))
        })
    }

    /// `body` (a resource representation of `kind`) cut to the attributes and sub-attributes the server defines
    /// (see [`Ctx::defines`]): what a check may send and expect back from a server that publishes a subset of the
    /// core schema. `schemas` stays; member names keep the spelling they were written in. With the full schema
    /// the body comes back unchanged.
    pub fn only_defined(&self, kind: Kind, body: &Value) -> Value {
        let view = self.view_of(kind);
        let Value::Object(members) = body else { return body.clone() };
        let mut out = serde_json::Map::new();
        for (name, value) in members {
            if name == "schemas" {
                out.insert(name.clone(), value.clone());
            } else if let Some(ext) = view.extension(name) {
                if let Value::Object(inner) = value {
                    let kept = inner
                        .iter()
                        .filter_map(|(k, v)| ext.attribute(k).map(|a| (k.clone(), only_defined_subs(a, v))))
                        .collect();
                    out.insert(name.clone(), Value::Object(kept));
                }
            } else if let Some(r) = view.resolve(None, name).filter(|r| r.extension.is_none()) {
                out.insert(name.clone(), only_defined_subs(r.attr, value));
            }
        }
        Value::Object(out)
    }

    /// A name unique to this run: `{prefix}{label}-{n}`.
    pub fn unique(&self, label: &str) -> String {
        let n = self.run.counter.fetch_add(1, Ordering::Relaxed);
        format!("{}{label}-{n}", self.run.prefix)
    }

    /// An id no server has: safe to aim PUT / PATCH / DELETE at for 404 checks.
    pub fn missing_id(&self) -> String {
        self.run.ledger.made_up()
    }

    /// The path of a made-up resource of `kind` that no server has (`/Users/scimlab-missing-…`).
    pub fn missing_path(&self, kind: Kind) -> String {
        format!("{}/{}", self.run.path(kind), self.missing_id())
    }

    /// Sends a request, recording it as evidence. A transport failure is a harness error. A request that could
    /// change a resource this run did not create is refused before it leaves.
    pub async fn send(&self, req: ScimRequest) -> Result<ScimResponse, Outcome> {
        self.send_via(&self.run.client, req).await
    }

    /// Sends a request through `client` (the run's client with another credential, for the authentication
    /// checks: `ctx.run.client.with_credential(Credential::None)`), guarded and recorded like [`Ctx::send`].
    pub async fn send_via(&self, client: &ScimClient, req: ScimRequest) -> Result<ScimResponse, Outcome> {
        let sent = Instant::now();
        let answer = match self.run.creates_in(&req) {
            Some(kind) => self.create_on_the_wire(client, req, kind).await?,
            None => client.send(req).await,
        };
        lock(&self.spans).push((sent, Instant::now()));
        match answer {
            Ok(r) => {
                // Retried attempts are evidence too: a reader sees the 429s the run rode out.
                let mut evidence = lock(&self.evidence);
                evidence.extend(r.retried.iter().cloned());
                evidence.push(r.exchange.clone());
                Ok(r)
            }
            Err(ClientError::Transport { exchange, reason, method, url }) => {
                lock(&self.evidence).push(*exchange);
                Err(Outcome::Error(format!("{method} {url}: {reason}")))
            }
            Err(ClientError::Unstable { method, url, reason, attempts }) => {
                lock(&self.evidence).extend(attempts);
                Err(Outcome::Error(format!("{method} {url}: the server is throttling or unstable ({reason})")))
            }
            Err(e) => Err(Outcome::Error(e.to_string())),
        }
    }

    /// Sends a create on a task of its own, so that it gets its answer even when this check is dropped (Ctrl-C
    /// drops the running checks). Then, with nobody left to read the answer, the id the server assigned is
    /// recorded for the cleanup: a resource made by a create the run sent is the run's to delete, and leaving it
    /// would leave a test account on the server. The runner waits for these before cleanup ([`RunShared::settle`]).
    async fn create_on_the_wire(
        &self,
        client: &ScimClient,
        req: ScimRequest,
        kind: Kind,
    ) -> Result<Result<ScimResponse, ClientError>, Outcome> {
        *lock(&self.run.creating.count) += 1;
        let on_the_wire = OnTheWire(self.run.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<Unread>();
        let client = client.clone();
        let run = self.run.clone();
        tokio::spawn(async move {
            let answer = client.send(req).await;
            // Not sent (the check is gone), or sent and never read (the check is dropped before it looks): either
            // way the answer is dropped unread, and its drop records the id.
            let _ = tx.send(Unread { answer: Some(answer), run, kind });
            drop(on_the_wire);
        });
        let mut unread =
            rx.await.map_err(|_| Outcome::Error("harness: a create's task ended without an answer".to_owned()))?;
        unread.answer.take().ok_or_else(|| Outcome::Error("harness: a create's answer was read twice".to_owned()))
    }

    /// Keeps `exchanges`, sent by another client on this check's behalf (a persona's replay), as evidence.
    /// Their spans come from each exchange's own start and duration, so that the check's cost counts their round
    /// trips on its critical path too (a persona's replay sends through its own client).
    pub fn record(&self, exchanges: impl IntoIterator<Item = Exchange>) {
        let (now, now_ts) = (Instant::now(), jiff::Timestamp::now());
        // Spans before evidence, the order `cost` takes them in.
        let mut spans = lock(&self.spans);
        let mut evidence = lock(&self.evidence);
        for e in exchanges {
            let ago = now_ts.duration_since(e.started_at).unsigned_abs();
            let start = now.checked_sub(ago).unwrap_or(now);
            spans.push((start, start + std::time::Duration::from_micros(e.timings.total_us)));
            evidence.push(e);
        }
    }

    /// GET `path`.
    pub async fn get(&self, path: &str) -> Result<ScimResponse, Outcome> {
        self.send(ScimRequest::get(path)).await
    }

    /// A minimal valid User body with a run-unique userName (which is returned too).
    pub fn user_body(&self, label: &str) -> (Value, String) {
        let name = self.unique(label);
        (
            json!({
                "schemas": [USER_URN],
                "userName": name,
                "name": {"givenName": "Test", "familyName": label},
                "displayName": format!("Test {label}"),
                "active": true,
                "emails": [{"value": format!("{name}@example.com"), "type": "work", "primary": true}]
            }),
            name,
        )
    }

    /// A minimal valid Group body with a run-unique displayName.
    pub fn group_body(&self, label: &str) -> (Value, String) {
        let name = self.unique(label);
        (json!({"schemas": [GROUP_URN], "displayName": name}), name)
    }

    /// The enterprise extension URN, for bodies.
    pub fn enterprise_urn(&self) -> &'static str {
        ENTERPRISE_USER_URN
    }

    /// Creates a resource from `body` and registers it for cleanup. Anything but a 2xx with an `id` is a skip
    /// ("prerequisite failed"): the create checks judge creation itself.
    pub async fn create(&self, kind: Kind, body: &Value) -> Result<Created, Outcome> {
        let path = self.run.path(kind).to_owned();
        let r = self.send(ScimRequest::json(Method::POST, &path, body)).await?;
        let id = r.body_json().get("id").and_then(Value::as_str).map(str::to_owned);
        match id {
            Some(id) if (200..300).contains(&r.status) => Ok(Created {
                kind,
                path: self.adopt(kind, &id).map_err(|d| id_defect(&d))?,
                id,
                body: r.json.clone().unwrap_or(Value::Null),
                etag: r.header("etag").map(str::to_owned),
            }),
            _ => {
                if (200..300).contains(&r.status) {
                    self.run.ledger.orphan(&name_of(body));
                }
                Err(Outcome::Skip(format!("prerequisite failed: POST {path} answered {} {}", r.status, summarize(&r))))
            }
        }
    }

    /// Creates a User with a run-unique userName, merging `extra` into the minimal body.
    pub async fn create_user(&self, label: &str, extra: Value) -> Result<Created, Outcome> {
        let (mut body, _) = self.user_body(label);
        merge(&mut body, extra);
        self.create(Kind::User, &body).await
    }

    /// Creates a Group with a run-unique displayName, merging `extra` into the minimal body.
    pub async fn create_group(&self, label: &str, extra: Value) -> Result<Created, Outcome> {
        let (mut body, _) = self.group_body(label);
        merge(&mut body, extra);
        self.create(Kind::Group, &body).await
    }

    /// Deletes a resource this run created, and forgets it.
    pub async fn delete(&self, created: &Created) -> Result<ScimResponse, Outcome> {
        let r = self.send(ScimRequest::delete(&created.path)).await?;
        if (200..300).contains(&r.status) || r.status == 404 {
            self.run.forget(created.kind, &created.id);
        }
        Ok(r)
    }

    /// PATCH a created resource with PatchOp `operations`.
    pub async fn patch(&self, created: &Created, operations: Value) -> Result<ScimResponse, Outcome> {
        let body = json!({"schemas": [scimlab_protocol::schema::PATCH_OP_URN], "Operations": operations});
        self.send(ScimRequest::json(Method::PATCH, &created.path, &body)).await
    }

    /// GET a created resource fresh from the server; anything but 200 is a failure of the read-back.
    pub async fn read_back(&self, created: &Created) -> Result<Value, Outcome> {
        let r = self.get(&created.path).await?;
        if r.status != 200 {
            return Err(Outcome::fail(format!("GET {} answers 200", created.path), describe(&r)));
        }
        Ok(r.json.unwrap_or(Value::Null))
    }
}

/// `value` of `attr` with only the sub-attributes `attr` defines (in each element, when multi-valued).
fn only_defined_subs(attr: &AttributeDef, value: &Value) -> Value {
    let keep = |v: &Value| match v {
        Value::Object(o) if !attr.sub_attributes.is_empty() => Value::Object(
            o.iter().filter(|(k, _)| attr.sub(k).is_some()).map(|(k, v)| (k.clone(), v.clone())).collect(),
        ),
        other => other.clone(),
    };
    match value {
        Value::Array(items) => Value::Array(items.iter().map(keep).collect()),
        other => keep(other),
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::User => "User",
        Kind::Group => "Group",
    }
}

/// Merges the members of `extra` (an object) into `base`, replacing same-named ones.
pub fn merge(base: &mut Value, extra: Value) {
    if let (Some(b), Value::Object(e)) = (base.as_object_mut(), extra) {
        for (k, v) in e {
            b.insert(k, v);
        }
    }
}

/// The failure of a check whose create met an id scimlab will not use (RFC 7643 section 3.1).
pub fn id_defect(d: &IdDefect) -> Outcome {
    Outcome::fail("a unique id for the new resource that is usable as one URL path segment", d.to_string())
}

/// The userName or displayName of a create body, to name a resource that could not be recorded.
pub fn name_of(body: &Value) -> String {
    ["userName", "displayName"]
        .iter()
        .find_map(|k| body.get(*k).and_then(Value::as_str))
        .unwrap_or("(unnamed)")
        .to_owned()
}

/// A short description of a response for failure messages: status, scimType, detail or the start of the body.
pub fn describe(r: &ScimResponse) -> String {
    format!("{} {}", r.status, summarize(r))
}

fn summarize(r: &ScimResponse) -> String {
    let body = r.body_json();
    match (body.get("scimType").and_then(Value::as_str), body.get("detail").and_then(Value::as_str)) {
        (Some(t), Some(d)) => format!("(scimType {t}: {d})"),
        (None, Some(d)) => format!("({d})"),
        _ if r.body.is_empty() => "(empty body)".to_owned(),
        _ => {
            let text = r.text();
            let cut: String = text.chars().take(200).collect();
            if cut.len() < text.len() { format!("{cut}...") } else { cut }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scimlab_mock_idp::{ClientOptions, Credential};
    use std::time::Duration;

    #[test]
    fn the_critical_path_counts_the_longest_chain_of_requests_one_after_another() {
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        // Two requests side by side, then one after both, then two side by side again: three round trips.
        let spans = [(at(0), at(50)), (at(1), at(52)), (at(52), at(100)), (at(100), at(150)), (at(101), at(149))];
        assert_eq!(critical_path(&spans), 3);
        // Five in a row.
        let chain: Vec<_> = (0..5).map(|i| (at(i * 10), at(i * 10 + 10))).collect();
        assert_eq!(critical_path(&chain), 5);
        assert_eq!(critical_path(&[]), 0);
    }

    #[test]
    fn recorded_exchanges_count_their_round_trips_from_their_own_timings() {
        let ctx = Ctx::new(Arc::new(run()));
        let t0 = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(1);
        let exchange = |i: u64, ms: i64| Exchange {
            id: i,
            started_at: t0 + jiff::SignedDuration::from_millis(ms),
            request: scimlab_protocol::exchange::HttpRequest {
                method: "GET".into(),
                url: "http://127.0.0.1:9/Users".into(),
                headers: vec![],
                body: None,
            },
            response: None,
            timings: scimlab_protocol::exchange::Timings { total_us: 40_000, ttfb_us: None },
            client: None,
            error: None,
        };
        // Three one after another, then two side by side: four round trips, five requests.
        ctx.record([exchange(0, 0), exchange(1, 50), exchange(2, 100), exchange(3, 150), exchange(4, 151)]);
        let cost = ctx.cost();
        assert_eq!((cost.requests, cost.round_trips), (5, 4));
    }

    fn run() -> RunShared {
        let client =
            ScimClient::new("http://127.0.0.1:9/scim/v2", Credential::None, ClientOptions::default()).expect("client");
        RunShared::new(
            client,
            None,
            SchemaRegistry::core().clone(),
            Some("/Users".into()),
            Some("/Groups".into()),
            false,
            "scimlab-test-".into(),
            0,
        )
    }

    #[test]
    fn created_resources_are_listed_groups_first_and_forgotten() {
        let r = run();
        assert_eq!(r.adopt(Kind::User, "u1").as_deref(), Ok("/Users/u1"));
        assert_eq!(r.adopt(Kind::Group, "g 1").as_deref(), Ok("/Groups/g%201"));
        assert_eq!(r.created(), vec![(Kind::Group, "g 1".to_owned()), (Kind::User, "u1".to_owned())]);
        r.forget(Kind::Group, "g 1");
        assert_eq!(r.created(), vec![(Kind::User, "u1".to_owned())]);
        // Deleted, but still ours: a check may aim at it to see that it is gone.
        assert!(r.owns("u1") && r.owns("g 1"));
    }

    #[test]
    fn unusable_and_repeated_ids_are_never_adopted() {
        let r = run();
        assert!(r.adopt(Kind::User, "..").is_err());
        assert!(r.adopt(Kind::User, "x").is_ok());
        assert!(r.adopt(Kind::User, "x").is_err());
        assert!(r.created().is_empty());
    }

    #[tokio::test]
    async fn a_shared_fixture_is_built_once_owned_by_the_run_and_its_setup_is_in_every_users_evidence() {
        let options =
            ClientOptions { retry: scimlab_mock_idp::client::RetryPolicy::with_budget(0), ..ClientOptions::default() };
        let client = ScimClient::new("http://127.0.0.1:9/scim/v2", Credential::None, options).expect("client");
        let run = Arc::new(RunShared::new(
            client,
            None,
            SchemaRegistry::core().clone(),
            Some("/Users".into()),
            None,
            false,
            "scimlab-test-".into(),
            0,
        ));
        let builds = Arc::new(AtomicU64::new(0));
        let build = |count: Arc<AtomicU64>| {
            move |setup: Arc<Ctx>| async move {
                count.fetch_add(1, Ordering::Relaxed);
                setup.adopt(Kind::User, "u1").map_err(|d| id_defect(&d))?;
                // Nothing listens on port 9: the refused request is an exchange all the same.
                let _ = setup.get("/Users/u1").await;
                Ok::<u32, Outcome>(7)
            }
        };
        let (first, second) = (Ctx::new(run.clone()), Ctx::new(run.clone()));
        assert_eq!(first.shared("k", build(builds.clone())).await.map(|v| *v), Ok(7));
        assert_eq!(second.shared("k", build(builds.clone())).await.map(|v| *v), Ok(7));
        assert_eq!(builds.load(Ordering::Relaxed), 1, "built once");
        assert!(first.take_made().is_empty() && second.take_made().is_empty(), "no check's sweep deletes it");
        assert_eq!(run.created(), vec![(Kind::User, "u1".to_owned())], "the run's cleanup does");
        assert_eq!((first.cost().requests, second.cost().requests), (1, 0), "the builder counts the setup");
        assert_eq!(second.take_evidence().len(), 1, "the setup is in every user's evidence");
        let other = second.shared("k", |_| async { Ok::<&str, Outcome>("another type") }).await;
        assert!(matches!(other, Err(Outcome::Error(_))), "one type per key");
    }
}
