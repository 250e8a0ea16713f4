//! scimlab-mock-idp: the identity-provider side of scimlab.
//!
//! [`client::ScimClient`] is a SCIM client that records every exchange as evidence (the conformance harness and
//! `scimlab replay` both send through it); personas and scenarios build on it. It imports `scimlab-protocol`
//! and never `scimlab-mock-sp`: the two sides of the wire meet only over HTTP.

pub mod client;

pub use client::{ClientError, ClientOptions, Credential, ScimClient, ScimRequest, ScimResponse};
