//! The state every handler shares: the store, the configuration, the schemas, and what is derived from them once.

use crate::auth::Authenticator;
use crate::config::ServerConfig;
use crate::dice::Dice;
use crate::faults::Faults;
use crate::store::{Kind, Store};
use scimlab_protocol::SchemaRegistry;
use scimlab_protocol::schema::ResourceView;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Cheap to clone: one `Arc`.
#[derive(Clone)]
pub struct AppState(pub(crate) Arc<Shared>);

/// What [`AppState`] points to.
pub struct Shared {
    /// Where resources and recordings live.
    pub store: Arc<dyn Store>,
    /// The configuration the server started with.
    pub config: ServerConfig,
    /// The schemas served and enforced (the RFC 7643 core set).
    pub registry: &'static SchemaRegistry,
    /// Credential checker.
    pub auth: Authenticator,
    /// The faults and deviations injected (`--fault`).
    pub faults: Faults,
    /// The random source of faults and `--vary` (seeded by `--seed`).
    pub dice: Dice,
    next_numeric_id: AtomicU64,
    /// Resource texts for the filter prefilter ([`crate::prefilter`]).
    pub(crate) texts: crate::prefilter::TextCache,
}

impl AppState {
    /// A state over `store` with `config`.
    pub fn new(store: Arc<dyn Store>, config: ServerConfig) -> Self {
        let auth = Authenticator::of(&config);
        let (faults, dice) = (Faults::new(&config.faults), Dice::new(config.seed));
        AppState(Arc::new(Shared {
            store,
            config,
            registry: SchemaRegistry::core(),
            auth,
            faults,
            dice,
            next_numeric_id: AtomicU64::new(1),
            texts: Default::default(),
        }))
    }

    /// The shared parts.
    pub fn shared(&self) -> &Shared {
        &self.0
    }
}

impl Shared {
    /// The schema view of a resource kind.
    pub fn view(&self, kind: Kind) -> ResourceView<'static> {
        match kind {
            Kind::User => self.registry.user(),
            Kind::Group => self.registry.group(),
        }
    }

    /// A new resource id: a UUID, or, with `--vary`, sometimes a plain number, so clients cannot assume ids are
    /// UUIDs (RFC 7643 section 3.1 only asks that ids be unique, stable and not reassigned). The choice comes
    /// from the seeded dice; the UUIDs themselves do not, so a restarted `--data` server never reuses one.
    pub fn new_id(&self) -> String {
        if self.config.vary && self.dice.bool() {
            format!("{}", self.next_numeric_id.fetch_add(1, Ordering::Relaxed) + 100_000)
        } else {
            // A version 4 UUID from the thread's fast generator: ids must be unique, not secret, and asking the
            // kernel for randomness on every create costs a system call (a /Bulk request makes a thousand).
            uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid().to_string()
        }
    }
}
