//! RFC 7644 section 3.5.2: PATCH, strict by default, with opt-in readings for what real identity providers send.
//!
//! [`PatchRequest::from_json`] reads a PatchOp body once (every `path` parsed); [`apply`] applies it to a resource
//! in place, atomically, under a resource type's schema, and says whether anything changed. [`PatchOptions`]
//! switches on the leniencies Entra ID, Okta and JumpCloud need; each use is reported as a [`LeniencyUse`].
//!
//! Where the RFC is silent, the choices made are documented where they are implemented: `request.rs` (the body),
//! `ops.rs` (add, replace), `remove.rs` (remove), `target.rs` (names), `value.rs` (values, `primary`,
//! mutability), `undo.rs` (atomicity). [`work_bound`] bounds what applying a request costs, so a server can refuse it first.

mod apply;
mod ops;
mod options;
mod remove;
mod request;
mod target;
mod undo;
mod value;
mod work;

pub use apply::{PatchOutcome, apply};
pub use options::{Leniency, LeniencyUse, PatchOptions};
pub use request::{PatchOpKind, PatchOperation, PatchRequest};
pub use work::work_bound;
