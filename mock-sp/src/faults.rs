//! Fault injection (`scimlab serve --fault SPEC`): slow answers, 429 and 5xx, dropped connections, and named
//! deviations that each make the server break one rule on purpose.
//!
//! The harness's self-tests run every check against a mock SP with the deviation that check exists to catch, to
//! prove the check can fail; IdP developers use the transport faults to see how their client copes with a
//! struggling server. A [`Fault`] is parsed from its spec; [`Faults`] is what the server consults at run time.
//!
//! Deviations come in families, one file each: the file declares its deviations (name, description, default
//! number) with `family!` and holds the behaviour they bend, as functions the handlers call at one point each
//! (or, for a one-line bend, a `st.faults.has(Family::X)` in the handler). The [`registry`] composes the
//! families into [`Deviation`]. Adding a deviation touches its family's file (and a test); adding a family, its
//! file and one line each here and in the registry. The transport faults and the deviations that cut across
//! every endpoint run in the [`transport()`] and [`inject()`] middlewares.

#[macro_use]
mod macros;

pub mod discovery;
pub mod http;
pub mod lifecycle;
pub mod profile;
pub mod query;
pub mod race;
pub mod registry;
pub mod resource;
pub mod roles;
mod spec;
pub mod transport;
pub mod write;

pub use registry::{COUNT, Deviation, DeviationSet};
pub use spec::{Fault, FaultSpecError, TRANSPORT_FAULTS, parse_faults, valid_faults};
pub use transport::{inject, transport};

/// The faults a server runs with, prepared for cheap checks on every request, and what the deviations that
/// show over time remember between requests (one per server).
#[derive(Debug, Default)]
pub struct Faults {
    /// The deviations on.
    deviations: DeviationSet,
    /// Latency, injected statuses, drops, `data-loss` and `reset-under-load`.
    transport: transport::Plan,
    /// Whether the [`inject`] middleware has anything to do.
    middleware: bool,
    /// What the lifecycle deviations remember.
    lifecycle: lifecycle::Memory,
    /// What the race deviations remember.
    race: race::Memory,
}

impl Faults {
    /// Prepares `faults` for the server.
    pub fn new(faults: &[Fault]) -> Faults {
        let mut deviations = DeviationSet::default();
        for d in faults.iter().filter_map(Fault::deviation) {
            deviations.insert(d);
        }
        let transport = transport::Plan::new(faults);
        let middleware = transport.injects() || http::bends_in_middleware(&deviations);
        Faults {
            deviations,
            transport,
            middleware,
            lifecycle: lifecycle::Memory::default(),
            race: race::Memory::default(),
        }
    }

    /// Whether the server must break the rule `d` (any family's deviation: `st.faults.has(Write::PatchNoop)`).
    /// A bit test: cheap enough for every request.
    #[inline]
    pub fn has(&self, d: impl Into<Deviation>) -> bool {
        self.deviations.contains(d.into())
    }
}
