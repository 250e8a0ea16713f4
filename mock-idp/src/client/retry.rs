//! Which failures are transient and how they are retried: the [`RetryPolicy`], its backoff, `Retry-After`, and
//! which requests may be resent after a connection failed mid-request.

use super::{ScimRequest, ScimResponse};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// How transient faults are retried: a 429 (RFC 6585 section 4) or 503 (RFC 9110 section 15.6.4), with or without
/// `Retry-After` (RFC 9110 section 10.2.3); a connection refused before the request left, for any method; a connection
/// reset or dropped after it left, only for the idempotent methods (GET, HEAD, PUT, DELETE: RFC 9110 section 9.2.2),
/// because a POST or PATCH may have been applied. Retries are bounded per request and by one budget for the whole run
/// (clones of a client share it); an exhausted budget is [`ClientError::Unstable`](super::ClientError::Unstable), never
/// the server's answer to what a check tests.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries of one request at most.
    pub per_request: u32,
    /// Retries left for the whole run, shared by every clone of the client.
    pub budget: Arc<AtomicU32>,
    /// The longest `Retry-After` honoured; longer ones wait this long.
    pub max_wait: Duration,
    /// The first wait when the server names none; it doubles with each retry.
    pub backoff: Duration,
}

impl RetryPolicy {
    /// A policy with `budget` retries for the whole run.
    pub fn with_budget(budget: u32) -> RetryPolicy {
        RetryPolicy { budget: Arc::new(AtomicU32::new(budget)), ..RetryPolicy::default() }
    }

    /// No retries at all.
    pub fn none() -> RetryPolicy {
        RetryPolicy { per_request: 0, ..RetryPolicy::with_budget(0) }
    }

    pub(super) fn take(&self) -> bool {
        self.budget.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| b.checked_sub(1)).is_ok()
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        // Sized for a server that throttles a fifth of its answers: nine 429s in a row then happen about once in
        // two million requests, and a full run's ~1,200 requests use ~300 retries of the 1,000.
        RetryPolicy {
            per_request: 8,
            budget: Arc::new(AtomicU32::new(1000)),
            max_wait: Duration::from_secs(10),
            backoff: Duration::from_millis(100),
        }
    }
}

/// Whether a request may be resent after a connection failed mid-request: the idempotent methods (RFC 9110
/// section 9.2.2), and a POST to a `.search` endpoint, which only queries (RFC 7644 section 3.4.3).
pub(super) fn idempotent(req: &ScimRequest) -> bool {
    let search = req.method == reqwest::Method::POST && req.path.split('?').next().unwrap_or("").ends_with("/.search");
    search
        || matches!(
            req.method,
            reqwest::Method::GET | reqwest::Method::HEAD | reqwest::Method::PUT | reqwest::Method::DELETE
        )
}

/// The wait before retry `attempt` (0-based) when the server names none: the policy's backoff, doubled each
/// time up to sixteen times, with up to a quarter of jitter so parallel requests do not retry in lockstep.
pub(super) fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    // Doubling stops at 16 times the first wait (1.6 s by default).
    let base = policy.backoff.saturating_mul(1u32 << attempt.min(4));
    base + base.mul_f64(fastrand::f64() / 4.0)
}

/// The wait a 429 / 503 asks for: `Retry-After` as seconds or as an HTTP date (RFC 9110 section 10.2.3).
pub(super) fn retry_after(r: &ScimResponse) -> Option<Duration> {
    let v = r.header("retry-after")?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = jiff::fmt::rfc2822::parse(v).ok()?.timestamp();
    let now = jiff::Timestamp::now();
    Some(Duration::try_from(when.duration_since(now)).unwrap_or(Duration::ZERO))
}

pub(super) fn describe_status(r: &ScimResponse) -> String {
    match r.header("retry-after") {
        Some(ra) => format!("{} with Retry-After {ra}", r.status),
        None => format!("{} without Retry-After", r.status),
    }
}
