//! A SCIM client that records every exchange.
//!
//! Every request goes out through [`ScimClient::send`] and comes back as a [`ScimResponse`] carrying the
//! [`Exchange`](scimlab_protocol::exchange::Exchange) that proves it, already redacted: the credential is sent on the
//! wire and never stored, printed or returned. Requests are addressed relative to the service provider's base URL
//! (`/Users`, `/Users/{id}`), and their query string can be given as pairs (encoded the RFC 3986 way) or, for personas
//! that must reproduce an IdP's exact encoding (`+` for spaces, a trailing `&`), as raw text.
//!
//! The client is where scimlab's promises to the server under test are kept, because every request of every job passes
//! here: a request goes only to the origin of the base URL (a Location or `$ref` elsewhere is never followed, and no
//! other host name is looked up); a mutating request must pass the run's [`Ledger`](crate::ledger::Ledger) on the URL
//! as parsed for the wire; the credential values in use are replaced wherever they appear in what the client returns
//! (headers of any name, URLs, bodies, errors), so a server echoing the token cannot put it in a report; and the
//! evidence keeps a bounded excerpt of each body.
//!
//! It is also where a request that cannot be resent (POST, PATCH) is kept off connections the server may have
//! closed. A server may drop a keep-alive connection right after an answer without saying so: Express destroys the
//! socket when an error reaches its final handler after the answer went out (SCIMMY Routers pass every 5xx on),
//! and servers that refuse a request before reading it (408, 413, 431) often close with bytes unread. A request
//! written on such a connection meets a reset, and a POST that met a reset cannot be resent, since it may have
//! been applied. So the idempotent requests share one pool (a reset is retried), while each POST or PATCH borrows
//! a `Slots` client of its own with at most one kept-alive connection, which goes back for reuse only after an
//! answer that leaves it open (`leaves_open`).
//!
//! A body the server compressed (`Content-Encoding: gzip` or `deflate`) is decoded before anything reads it,
//! within the same size limit as any body; the response and its evidence keep the `Content-Encoding` header, so
//! a report shows that the answer came compressed.
//!
//! A credential may also be obtained rather than given ([`TokenSource`]: OAuth client credentials, Entra's
//! JWT): each request carries the source's current token, a 401 makes the client drop that token and send the
//! request once more with a new one, and every token the source handed out is scrubbed like a given credential.

mod connections;
mod decode;
pub mod jwt;
mod request;
mod retry;
mod scim_client;
mod token;

pub use connections::read_ca_certs;
pub use decode::decode as decode_body;
pub use request::{Credential, ScimRequest, ScimResponse, encode_query, percent_encode_into};
pub use retry::RetryPolicy;
pub use scim_client::{ClientError, ClientOptions, RESERVED_HEADERS, ScimClient};
pub use token::{OAuthClient, TokenError, TokenSource};
