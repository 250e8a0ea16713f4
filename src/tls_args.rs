//! The TLS flags every command that talks to a server shares (`test`, `replay`, `load`): how the server's
//! certificate is checked.

use clap::Args;
use scimlab_load::wire::TlsTrust;
use scimlab_mock_idp::client::ClientOptions;
use std::path::PathBuf;
use std::time::Duration;

/// `--ca-cert FILE` and `--insecure`.
#[derive(Debug, Args)]
pub struct TlsArgs {
    /// Trust the certificates of this PEM file as well as the system's roots (a private CA's certificate).
    #[arg(long, value_name = "FILE", conflicts_with = "insecure")]
    pub ca_cert: Option<PathBuf>,
    /// Accept any TLS certificate (self-signed test servers); by default https certificates are checked against
    /// the system's roots.
    #[arg(long)]
    pub insecure: bool,
}

impl TlsArgs {
    /// Options of the conformance client (`test`, `replay`) with these flags and a per-request `timeout`.
    pub fn client_options(&self, timeout: Duration) -> ClientOptions {
        ClientOptions { insecure: self.insecure, ca_cert: self.ca_cert.clone(), timeout, ..ClientOptions::default() }
    }

    /// How the load generator checks certificates.
    pub fn trust(&self) -> TlsTrust {
        match (&self.ca_cert, self.insecure) {
            (_, true) => TlsTrust::Insecure,
            (Some(file), false) => TlsTrust::ExtraRoots(file.clone()),
            (None, false) => TlsTrust::Platform,
        }
    }
}
