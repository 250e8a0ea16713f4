//! Lifecycle scenarios: the file format ([`model`]), the scenarios shipped in `scenarios/` ([`shipped`]), and
//! the engine that replays them as a persona against a server ([`Replayer`]).

mod bulk;
mod captured;
mod cleanup;
mod engine;
pub mod entra;
pub mod export;
pub mod model;
mod send;
mod verify;

pub use crate::cleanup::CleanupSummary;
pub use bulk::{Imported, import_user};
pub use engine::{Created, ReplayOptions, Replayer, StepOutcome, StepVerdict, action_name};
pub use model::{Scenario, ScenarioError, scenario_schema_text};
pub use send::{PlanFailure, PlanRun, describe, send_plan, to_request};

/// The scenarios shipped with scimlab, by name, as YAML text (the files of `scenarios/`).
pub const SHIPPED: &[(&str, &str)] = &[
    ("hire", include_str!("../../../scenarios/hire.yaml")),
    ("promotion", include_str!("../../../scenarios/promotion.yaml")),
    ("role-change", include_str!("../../../scenarios/role-change.yaml")),
    ("offboarding", include_str!("../../../scenarios/offboarding.yaml")),
    ("rehire", include_str!("../../../scenarios/rehire.yaml")),
    ("group-push", include_str!("../../../scenarios/group-push.yaml")),
    ("bulk-merge", include_str!("../../../scenarios/bulk-merge.yaml")),
];

/// A shipped scenario by name.
pub fn shipped(name: &str) -> Option<Result<Scenario, ScenarioError>> {
    SHIPPED.iter().find(|(n, _)| n.eq_ignore_ascii_case(name.trim())).map(|(n, text)| Scenario::from_yaml(text, n))
}

/// The current time as RFC 3339 text, for the `startedAt` of a replay's report.
pub fn timestamp() -> String {
    jiff::Timestamp::now().to_string()
}
