//! scimlab-harness: the SCIM conformance suite behind `scimlab test`.
//!
//! A [`check::Check`] is data plus an async function: a stable id addressed by RFC section, a requirement level,
//! tags, the capabilities it needs, the profiles it belongs to, and the requirement in one line. The registry
//! ([`checks::registry`]) joins the per-section lists in a fixed order. The [`runner`] discovers what the server
//! announces, runs the selected checks concurrently through a recording client ([`ctx::Ctx`]), turns each outcome
//! into a verdict with its evidence, feeds the report sinks, and cleans up everything it created.
//!
//! It imports `scimlab-protocol`, `scimlab-mock-idp` (the client) and `scimlab-reports`, never `scimlab-mock-sp`
//! (only its tests do, to prove every check can pass and fail).

pub mod check;
pub mod checks;
pub mod cleanup;
pub mod ctx;
pub mod rootcause;
pub mod runner;
pub mod select;

pub use check::{Capability, Check, Outcome, Profile, Tag};
pub use ctx::Ctx;
pub use runner::{RunError, RunOptions, run};
