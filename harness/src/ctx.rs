//! What a check works with: the recording client, what discovery learnt, fixtures, and the safety rules.
//!
//! Safety is enforced here, not left to each check: every request goes through [`Ctx::send`], which refuses (as a
//! harness error) any PUT, PATCH, DELETE or item-level POST aimed at a resource this run did not create, and
//! every resource the run creates carries the run's prefix and is registered for cleanup. A check cannot change
//! or delete a customer's data even by mistake.

use crate::check::{Capability, Outcome};
use reqwest::Method;
use scimlab_mock_idp::{ClientError, ScimClient, ScimRequest, ScimResponse};
use scimlab_protocol::SchemaRegistry;
use scimlab_protocol::exchange::Exchange;
use scimlab_protocol::schema::{ENTERPRISE_USER_URN, GROUP_URN, ResourceView, USER_URN};
use scimlab_protocol::spc::ServiceProviderConfig;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

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
    created: Mutex<Vec<(Kind, String)>>,
    owned_ids: Mutex<HashSet<String>>,
    counter: AtomicU64,
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
        RunShared {
            client,
            spc,
            registry,
            users,
            groups,
            enterprise,
            prefix,
            seed,
            created: Mutex::new(Vec::new()),
            owned_ids: Mutex::new(HashSet::new()),
            counter: AtomicU64::new(0),
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
        let mut v = lock(&self.created).clone();
        v.reverse();
        v.sort_by_key(|(k, _)| *k == Kind::User);
        v
    }

    /// Records that a created resource is gone.
    pub fn forget(&self, id: &str) {
        lock(&self.created).retain(|(_, i)| i != id);
    }

    /// Takes ownership of a resource found carrying this run's prefix (cleanup of creates that answered
    /// without an id).
    pub fn adopt(&self, kind: Kind, id: &str) {
        self.own(kind, id);
    }

    fn own(&self, kind: Kind, id: &str) {
        lock(&self.created).push((kind, id.to_owned()));
        lock(&self.owned_ids).insert(id.to_owned());
    }

    /// Whether `id` was created by this run (or is a never-existing id this run made up).
    pub fn owns(&self, id: &str) -> bool {
        lock(&self.owned_ids).contains(id)
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
}

impl Ctx {
    /// A context for one check.
    pub fn new(run: Arc<RunShared>) -> Self {
        Ctx { run, evidence: Mutex::new(Vec::new()) }
    }

    /// The exchanges this check sent, in order.
    pub fn take_evidence(&self) -> Vec<Exchange> {
        std::mem::take(&mut *lock(&self.evidence))
    }

    /// The User schema view.
    pub fn users_view(&self) -> ResourceView<'_> {
        self.run.registry.user()
    }

    /// A name unique to this run: `{prefix}{label}-{n}`.
    pub fn unique(&self, label: &str) -> String {
        let n = self.run.counter.fetch_add(1, Ordering::Relaxed);
        format!("{}{label}-{n}", self.run.prefix)
    }

    /// An id no server has: safe to aim PUT / PATCH / DELETE at for 404 checks.
    pub fn missing_id(&self) -> String {
        let id = format!("scimlab-missing-{}", uuid::Uuid::new_v4().simple());
        lock(&self.run.owned_ids).insert(id.clone());
        id
    }

    /// Sends a request, recording it as evidence. A transport failure is a harness error. A request that could
    /// change a resource this run did not create is refused before it leaves.
    pub async fn send(&self, req: ScimRequest) -> Result<ScimResponse, Outcome> {
        self.send_via(&self.run.client, req).await
    }

    /// Sends a request through `client` (the run's client with another credential, for the authentication
    /// checks: `ctx.run.client.with_credential(Credential::None)`), guarded and recorded like [`Ctx::send`].
    pub async fn send_via(&self, client: &ScimClient, req: ScimRequest) -> Result<ScimResponse, Outcome> {
        self.guard(&req)?;
        match client.send(req).await {
            Ok(r) => {
                lock(&self.evidence).push(r.exchange.clone());
                Ok(r)
            }
            Err(ClientError::Transport { exchange, reason, method, url }) => {
                lock(&self.evidence).push(*exchange);
                Err(Outcome::Error(format!("{method} {url}: {reason}")))
            }
            Err(e) => Err(Outcome::Error(e.to_string())),
        }
    }

    /// GET `path`.
    pub async fn get(&self, path: &str) -> Result<ScimResponse, Outcome> {
        self.send(ScimRequest::get(path)).await
    }

    /// The safety rule: mutating requests may only target resources this run created or made up.
    fn guard(&self, req: &ScimRequest) -> Result<(), Outcome> {
        let mutating = matches!(req.method, Method::PUT | Method::PATCH | Method::DELETE | Method::POST);
        if !mutating {
            return Ok(());
        }
        let path = req.path.split('?').next().unwrap_or("");
        let rel = path.strip_prefix(self.run.client.base_url()).unwrap_or(path);
        let segments: Vec<&str> = rel.trim_matches('/').split('/').filter(|s| !s.is_empty()).collect();
        let item_id = match segments.as_slice() {
            // A PUT, PATCH or DELETE on a whole collection could touch every resource in it: never sent.
            [_collection] | [_collection, ".search"] if req.method != Method::POST => {
                return Err(Outcome::Error(format!(
                    "refused to send {} {path}: a collection is only ever POSTed to",
                    req.method
                )));
            }
            [_collection] => None,
            [_collection, ".search"] => None,
            [_collection, id] => Some(*id),
            _ if req.method == Method::POST => None,
            _ => return Err(Outcome::Error(format!("refused to send {} {path}: not a resource path", req.method))),
        };
        if let Some(id) = item_id.filter(|id| !self.run.owns(id)) {
            return Err(Outcome::Error(format!(
                "refused to send {} {path}: the resource {id} was not created by this run",
                req.method
            )));
        }
        if segments.first().is_some_and(|s| s.eq_ignore_ascii_case("Bulk")) {
            self.guard_bulk(req)?;
        }
        Ok(())
    }

    /// Bulk operations may create, and may touch only resources this run created (or bulkIds of this request).
    fn guard_bulk(&self, req: &ScimRequest) -> Result<(), Outcome> {
        let Some(body) = req.body.as_ref().and_then(|b| serde_json::from_slice::<Value>(b).ok()) else {
            return Ok(());
        };
        let ops = body.get("Operations").and_then(Value::as_array).cloned().unwrap_or_default();
        for op in ops {
            let method = op.get("method").and_then(Value::as_str).unwrap_or("");
            let path = op.get("path").and_then(Value::as_str).unwrap_or("");
            if method.eq_ignore_ascii_case("POST") {
                continue;
            }
            let id = path.trim_matches('/').split('/').nth(1).unwrap_or("");
            if !(id.starts_with("bulkId:") || self.run.owns(id)) {
                return Err(Outcome::Error(format!(
                    "refused to send a bulk {method} {path}: the resource was not created by this run"
                )));
            }
        }
        Ok(())
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
        if let Some(id) = id.as_ref().filter(|_| (200..300).contains(&r.status)) {
            self.run.own(kind, id);
        }
        match id {
            Some(id) if (200..300).contains(&r.status) => Ok(Created {
                kind,
                path: format!("{path}/{id}"),
                id,
                body: r.json.clone().unwrap_or(Value::Null),
                etag: r.header("etag").map(str::to_owned),
            }),
            _ => {
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
            self.run.forget(&created.id);
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

/// Merges the members of `extra` (an object) into `base`, replacing same-named ones.
pub fn merge(base: &mut Value, extra: Value) {
    if let (Some(b), Value::Object(e)) = (base.as_object_mut(), extra) {
        for (k, v) in e {
            b.insert(k, v);
        }
    }
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

    fn ctx() -> Ctx {
        let client =
            ScimClient::new("http://127.0.0.1:9/scim/v2", Credential::None, ClientOptions::default()).expect("client");
        let run = RunShared::new(
            client,
            None,
            SchemaRegistry::core().clone(),
            Some("/Users".into()),
            Some("/Groups".into()),
            true,
            "scimlab-test-".into(),
            1,
        );
        run.own(Kind::User, "mine");
        Ctx::new(Arc::new(run))
    }

    fn allowed(ctx: &Ctx, req: ScimRequest) -> bool {
        ctx.guard(&req).is_ok()
    }

    #[test]
    fn only_owned_resources_may_be_changed() {
        let c = ctx();
        let body = json!({});
        assert!(allowed(&c, ScimRequest::json(Method::POST, "/Users", &body)));
        assert!(allowed(&c, ScimRequest::json(Method::POST, "/Users/.search", &body)));
        assert!(allowed(&c, ScimRequest::json(Method::PUT, "/Users/mine", &body)));
        assert!(allowed(&c, ScimRequest::delete("/Users/mine")));
        assert!(allowed(&c, ScimRequest::get("/Users/someone-else")));
        assert!(!allowed(&c, ScimRequest::json(Method::PUT, "/Users/someone-else", &body)));
        assert!(!allowed(&c, ScimRequest::json(Method::PATCH, "/Groups/someone-else", &body)));
        assert!(!allowed(&c, ScimRequest::delete("/Users/someone-else")));
        let missing = c.missing_id();
        assert!(allowed(&c, ScimRequest::delete(format!("/Users/{missing}"))));
    }

    #[test]
    fn collections_are_never_put_patched_or_deleted() {
        let c = ctx();
        let body = json!({});
        assert!(!allowed(&c, ScimRequest::delete("/Users")));
        assert!(!allowed(&c, ScimRequest::json(Method::PUT, "/Groups", &body)));
        assert!(!allowed(&c, ScimRequest::json(Method::PATCH, "/Users/", &body)));
        assert!(!allowed(&c, ScimRequest::delete("/Users/mine/extra")));
    }

    #[test]
    fn bulk_operations_may_only_touch_owned_resources() {
        let c = ctx();
        let ok = json!({"Operations": [
            {"method": "POST", "path": "/Users", "bulkId": "a", "data": {}},
            {"method": "PATCH", "path": "/Users/mine", "data": {}},
            {"method": "DELETE", "path": "/Users/bulkId:a"}
        ]});
        assert!(allowed(&c, ScimRequest::json(Method::POST, "/Bulk", &ok)));
        let bad = json!({"Operations": [{"method": "DELETE", "path": "/Users/someone-else"}]});
        assert!(!allowed(&c, ScimRequest::json(Method::POST, "/Bulk", &bad)));
    }
}
