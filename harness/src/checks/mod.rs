//! The check registry: one file per RFC section (or profile), each exporting `SECTION` and `CHECKS`; this module
//! joins them in a fixed order. Ids are stable and never carry a position number.

pub mod support;

mod rfc7644_4_discovery;

use crate::check::Check;

/// Every section's checks, in registry order: `(section prefix, checks)`. A check's id starts with its section.
pub fn sections() -> Vec<(&'static str, &'static [Check])> {
    vec![(rfc7644_4_discovery::SECTION, rfc7644_4_discovery::CHECKS)]
}

/// Every check, in registry order.
pub fn registry() -> Vec<Check> {
    sections().into_iter().flat_map(|(_, checks)| checks.iter().copied()).collect()
}
