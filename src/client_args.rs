//! The flags `test` and `replay` share about how their SCIM client treats the server: how much of each body the
//! evidence keeps, and how many transient faults (429, 503, dropped connections) the run may retry in all.

use clap::Args;
use scimlab_mock_idp::client::{ClientOptions, RetryPolicy};

/// `--evidence-bytes` and `--retry-budget`.
#[derive(Debug, Args)]
pub struct ClientArgs {
    /// Keep at most this many bytes of each request and response body in the evidence and the reports (the full
    /// size is noted), so a server sending huge bodies cannot exhaust memory or bloat the reports.
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024,
          value_parser = clap::value_parser!(u64).range(1024..=64 * 1024 * 1024))]
    pub evidence_bytes: u64,
    /// Retries of transient faults (429 and 503, honouring Retry-After; refused or reset connections) allowed in
    /// the whole run; when they run out, what is left is a harness ERROR that says the server was throttling or
    /// unstable, never a failed check.
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
    pub retry_budget: u32,
}

impl ClientArgs {
    /// `options` with these flags applied.
    pub fn apply(&self, options: ClientOptions) -> ClientOptions {
        ClientOptions {
            max_evidence_body: usize::try_from(self.evidence_bytes).unwrap_or(usize::MAX),
            retry: RetryPolicy::with_budget(self.retry_budget),
            ..options
        }
    }
}
