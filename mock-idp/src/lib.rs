//! scimlab-mock-idp: the identity-provider side of scimlab.
//!
//! [`client::ScimClient`] is a SCIM client that records every exchange as evidence (the conformance harness and
//! `scimlab replay` both send through it). [`persona`] turns lifecycle [`intent`]s into the exact requests Entra
//! ID, Okta, OneLogin or a by-the-book RFC client sends, as pure data; [`scenario`] reads lifecycle scenarios
//! from YAML and replays them through the client, step by step, with expectations on what comes back. It
//! imports `scimlab-protocol` and never `scimlab-mock-sp`: the two sides of the wire meet only over HTTP.

pub mod cleanup;
pub mod client;
pub mod discovery;
pub mod gate;
pub mod intent;
pub mod ledger;
pub mod persona;
pub mod scenario;

pub use client::{
    ClientError, ClientOptions, Credential, OAuthClient, ScimClient, ScimRequest, ScimResponse, TokenError, TokenSource,
};
pub use discovery::{Discovery, DiscoveryError, discover};
pub use ledger::{IdDefect, Ledger};
pub use persona::Persona;
