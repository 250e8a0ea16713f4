//! IdP readiness: the line per identity provider that ends every conformance report ("Microsoft Entra ID:
//! ready", "Okta: 3 blocking problems (...)", "Okta: not tested (...)").
//!
//! It is computed from the checks whose `profiles` name the IdP, never stored: a blocking problem is a failed
//! MUST check of the profile, and the failures one root cause explains count as one problem. An IdP none of whose
//! checks judged the server (not selected, all skipped, or most of its MUST checks skipped by the run's coverage
//! rule) is "not tested", never "ready"; one whose checks the harness could not all judge is not ready either.

use crate::causes::cause_of;
use crate::model::{Coverage, Level, RunKind, RunReport, Verdict};

/// An identity provider with a profile of checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Idp {
    /// The profile name checks carry (`entra`).
    pub profile: &'static str,
    /// The name people know it by (`Microsoft Entra ID`).
    pub name: &'static str,
}

/// Every IdP that gets a readiness line, in the order reports list them.
/// The same list as the harness's `Profile::IDPS` with the mock IdP's names of them (this crate imports neither;
/// a harness test holds the two lists equal).
pub const IDPS: [Idp; 5] = [
    Idp { profile: "entra", name: "Microsoft Entra ID" },
    Idp { profile: "okta", name: "Okta" },
    Idp { profile: "google", name: "Google Workspace" },
    Idp { profile: "jumpcloud", name: "JumpCloud" },
    Idp { profile: "ping", name: "PingFederate / PingOne" },
];

/// How ready the server is for one IdP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadinessState {
    /// Every MUST check of the profile that ran passed, and enough of them ran.
    Ready,
    /// Failed MUST checks of the profile: one entry per root cause (its summary and how many checks it explains)
    /// or per unexplained check (its id).
    Blocked(Vec<String>),
    /// Checks of the profile that the harness could not judge, and no blocking problem.
    Unjudged(usize),
    /// Nothing (or too little) of the profile judged the server: why.
    NotTested(String),
}

/// One IdP's readiness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    /// The IdP.
    pub idp: Idp,
    /// Its state.
    pub state: ReadinessState,
}

impl Readiness {
    /// Whether the server is ready for the IdP.
    pub fn ready(&self) -> bool {
        self.state == ReadinessState::Ready
    }
}

/// How many blocking problems a line names before `and N more`.
const NAMED: usize = 3;

impl std::fmt::Display for Readiness {
    /// `Microsoft Entra ID: ready`, `Microsoft Entra ID: 3 blocking problems (a; b; c)`,
    /// `Okta: not tested (no okta check was selected)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: ", self.idp.name)?;
        match &self.state {
            ReadinessState::Ready => write!(f, "ready"),
            ReadinessState::Blocked(problems) => {
                let n = problems.len();
                write!(f, "{n} blocking problem{} (", if n == 1 { "" } else { "s" })?;
                let shown = if n <= NAMED + 1 { n } else { NAMED };
                write!(f, "{}", problems[..shown].join("; "))?;
                if shown < n {
                    write!(f, "; and {} more", n - shown)?;
                }
                write!(f, ")")
            }
            ReadinessState::Unjudged(n) => write!(
                f,
                "not judged ({n} {} check{} could not be judged by the harness)",
                self.idp.profile,
                if *n == 1 { "" } else { "s" }
            ),
            ReadinessState::NotTested(why) => write!(f, "not tested ({why})"),
        }
    }
}

impl RunReport {
    /// The readiness of the server for every IdP of [`IDPS`], for a conformance run (other runs have none).
    pub fn readiness(&self) -> Vec<Readiness> {
        if self.kind != RunKind::Conformance {
            return Vec::new();
        }
        IDPS.iter().map(|idp| Readiness { idp: *idp, state: self.state_for(idp) }).collect()
    }

    fn state_for(&self, idp: &Idp) -> ReadinessState {
        let mine: Vec<_> = self.checks.iter().filter(|c| c.profiles.iter().any(|p| p == idp.profile)).collect();
        let mut problems: Vec<String> = Vec::new();
        let mut seen_causes: Vec<&str> = Vec::new();
        for c in mine.iter().filter(|c| c.verdict == Verdict::Fail && c.level == Level::Must) {
            match cause_of(&self.root_causes, &c.id) {
                Some(cause) => {
                    if !seen_causes.contains(&cause.summary.as_str()) {
                        seen_causes.push(&cause.summary);
                        let n = mine.iter().filter(|m| cause.checks.contains(&m.id)).count();
                        problems.push(format!("{}: {n} {} check{}", cause.summary, idp.profile, plural(n)));
                    }
                }
                None => problems.push(c.id.clone()),
            }
        }
        if !problems.is_empty() {
            return ReadinessState::Blocked(problems);
        }
        let selected = self.profiles.iter().any(|p| p == idp.profile);
        if !selected && !self.profiles.is_empty() {
            return ReadinessState::NotTested(format!("the {} profile was not selected", idp.profile));
        }
        if mine.is_empty() {
            return ReadinessState::NotTested(format!("no {} check was selected", idp.profile));
        }
        let errors = mine.iter().filter(|c| c.verdict == Verdict::Error).count();
        let cov = Coverage::of(&mine);
        if cov.judged == 0 && errors == 0 {
            let why = match cov.reasons.first() {
                Some((reason, _)) if cov.reasons.len() == 1 => {
                    format!("every {} check was skipped: {reason}", idp.profile)
                }
                _ => format!("every {} check was skipped", idp.profile),
            };
            return ReadinessState::NotTested(why);
        }
        if errors > 0 {
            return ReadinessState::Unjudged(errors);
        }
        if !cov.exercised() {
            return ReadinessState::NotTested(cov.to_string());
        }
        ReadinessState::Ready
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
