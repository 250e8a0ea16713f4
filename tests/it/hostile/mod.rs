//! Issue 10's proof: scimlab against a deliberately hostile SCIM server on loopback, one test per hostility.
//!
//! `server`, `scim`, `filter_patch` and `text` are the server (two listeners, one ordered log of what arrived and
//! which ids went out), `mode` the hostilities, `run` spawns the binary under a hard timeout and a memory budget, `judge` holds the
//! promises (no foreign writes, no token to another origin or into any output, bounded memory, honest exits) and
//! `tests` the tests themselves.

mod filter_patch;
mod judge;
mod mode;
mod run;
mod scim;
mod server;
mod tests;
mod text;
