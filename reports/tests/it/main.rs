//! Integration tests of scimlab-reports: one test binary, one module per area, over a hand-built fixture with
//! fixed times, ports and ids so that snapshots need no blanking.

mod causes;
mod diff;
mod escape;
mod fixture;
mod formats;
mod junit;
mod merge;
mod schema;
mod sinks;
