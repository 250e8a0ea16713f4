//! Root causes: failures that share one cause, grouped (work in progress; the classifier lands next).

use scimlab_reports::causes::RootCause;
use scimlab_reports::model::CheckResult;

/// The root causes that explain `checks`' failures.
pub fn classify(checks: &[CheckResult]) -> Vec<RootCause> {
    let _ = checks;
    Vec::new()
}
