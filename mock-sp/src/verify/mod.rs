//! Passive checks of SCIM clients: what a recorded request says about the client that sent it.
//!
//! The mock SP accepts what real identity providers send, RFC or not; these checks tell an IdP or connector
//! developer where their requests broke RFC 7643 / RFC 7644 (or the HTTP rules SCIM relies on). Each check is
//! data: a stable id (`client/rfc7644/3.5.2/op-lowercase`: side, RFC, section, slug, never a position), a
//! [`Level`], the section, a one-line requirement in our own words, and a pure function from one exchange to an
//! optional [`Finding`]. Nothing here does I/O or depends on the server's state, so the conformance harness can
//! run the same checks over what its mock IdP recorded.
//!
//! The checks live beside the others of their area: `media.rs` (Content-Type, Accept), `http.rs` (Authorization,
//! User-Agent, GET bodies), `patch.rs` (PatchOp bodies), `resource.rs` (POST and PUT bodies), `filter.rs`
//! (filters). [`checks`] joins them in one ordered registry; [`verify`] runs it over recordings.

mod filter;
mod http;
#[cfg(test)]
mod idp_bodies;
mod media;
mod patch;
mod resource;
mod subject;
#[cfg(test)]
mod tests;

pub use subject::{Endpoint, Subject};

use scimlab_protocol::exchange::Exchange;
use std::fmt;
use std::sync::OnceLock;

/// How strongly the RFC asks for what a check looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// A requirement (MUST, REQUIRED, SHALL): a finding is a failure.
    Must,
    /// A recommendation (SHOULD, RECOMMENDED), or a habit other peers rely on: a finding is a warning.
    Should,
}

impl Level {
    /// `MUST` or `SHOULD`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a check found wrong in one exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What was wrong and what would have been right, naming where in the request.
    pub detail: String,
    /// The part of the request that shows it (an operation, a header line, a filter), as sent.
    pub excerpt: Option<String>,
}

impl Finding {
    /// A finding without an excerpt.
    pub fn new(detail: impl Into<String>) -> Self {
        Finding { detail: detail.into(), excerpt: None }
    }

    /// Adds the excerpt of the request that shows the finding.
    pub fn with_excerpt(mut self, excerpt: impl Into<String>) -> Self {
        self.excerpt = Some(excerpt.into());
        self
    }
}

/// One passive check.
#[derive(Debug)]
pub struct Check {
    /// Stable id: `client/<rfc>/<section>/<slug>`.
    pub id: &'static str,
    /// MUST or SHOULD.
    pub level: Level,
    /// Where the rule is: `RFC 7644 3.5.2`.
    pub section: &'static str,
    /// The rule in one line, in our own words.
    pub requirement: &'static str,
    /// Judges one exchange; `None` when it is fine or the check does not apply to it.
    pub judge: fn(&Subject<'_>) -> Option<Finding>,
}

/// Checks are the same when their ids are: an id names one rule for good.
impl PartialEq for Check {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for Check {}

impl Check {
    /// Judges one exchange on its own. To run many checks over one exchange, build its [`Subject`] once and call
    /// `judge` on it, as [`verify`] does.
    pub fn run(&self, exchange: &Exchange) -> Option<Finding> {
        (self.judge)(&Subject::new(exchange))
    }
}

/// One finding of one check on one recorded exchange.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The check that found it.
    pub check: &'static Check,
    /// The recording's sequence number of the exchange that proves it.
    pub seq: u64,
    /// What was found.
    pub finding: Finding,
}

/// Every passive client check, in a fixed order: media types, HTTP framing, PATCH, POST / PUT bodies, filters.
pub fn checks() -> &'static [&'static Check] {
    static ALL: OnceLock<Vec<&'static Check>> = OnceLock::new();
    ALL.get_or_init(|| {
        [media::CHECKS, http::CHECKS, patch::CHECKS, resource::CHECKS, filter::CHECKS]
            .into_iter()
            .flatten()
            .copied()
            .collect()
    })
}

/// The check with this id.
pub fn check(id: &str) -> Option<&'static Check> {
    checks().iter().copied().find(|c| c.id == id)
}

/// Every finding of every check on one exchange, in registry order.
pub fn judge(exchange: &Exchange) -> Vec<(&'static Check, Finding)> {
    let subject = Subject::new(exchange);
    checks().iter().filter_map(|c| (c.judge)(&subject).map(|f| (*c, f))).collect()
}

/// Runs every check over recorded exchanges (sequence number, exchange). The verdicts come grouped by check, in
/// registry order, and within a check in the order the exchanges were given.
pub fn verify<'e>(exchanges: impl IntoIterator<Item = (u64, &'e Exchange)>) -> Vec<Verdict> {
    let all = checks();
    let mut per_check: Vec<Vec<Verdict>> = all.iter().map(|_| Vec::new()).collect();
    for (seq, exchange) in exchanges {
        let subject = Subject::new(exchange);
        for (i, c) in all.iter().enumerate() {
            if let Some(finding) = (c.judge)(&subject) {
                per_check[i].push(Verdict { check: c, seq, finding });
            }
        }
    }
    per_check.into_iter().flatten().collect()
}
