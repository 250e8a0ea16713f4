//! RFC 7644 section 3.7: bulk operations.
//!
//! - [`BulkRequest`] and [`BulkResponse`]: the messages, read and written; `failOnErrors`
//!   ([`should_stop`]); the 413 limits of section 3.7.4 ([`check_limits`]).
//! - References (section 3.7.2): `bulkId:X` inside an operation's data or path stands for the id of the resource
//!   the POST with bulkId `X` creates. [`dependencies`] and [`execution_order`] derive the order they impose;
//!   [`resolve_references`] and [`resolve_path`] substitute created ids.
//! - [`plan`]: the steps a server takes, resolving circular references (section 3.7.1) by creating first and
//!   patching the withheld references in afterwards.

mod model;
mod plan;
mod read;
mod refs;

pub use model::{
    BulkMethod, BulkOperation, BulkOperationResponse, BulkRequest, BulkResponse, check_limits, should_stop,
};
pub use plan::{BulkPlan, BulkStep, plan};
pub use refs::{UnresolvedBulkId, dependencies, execution_order, holds_reference, resolve_path, resolve_references};
