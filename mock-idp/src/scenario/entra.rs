//! How Microsoft Entra ID's provisioning service treats what a replay found, step by step and for the job as a
//! whole (`scimlab replay --as entra`): a failed export is retried on later cycles, escalating to 6 h, 12 h and
//! 24 h, then daily for 28 days; a credential failure (401, 403) or a 404 puts the job in quarantine; and more
//! than 40% of exports failing, once there are at least 5,000 failures, quarantines it too. A quarantined job runs
//! at most daily and is disabled after four weeks. Sources: IDP-TRAFFIC.md section 1, "Throughput and retries",
//! from Microsoft Learn's "Application provisioning in quarantine status" and "How provisioning works".
//!
//! Entra sees only the answers to its own requests: a step whose requests all succeeded but whose state the
//! replay then read back wrong (a role not stored) is one Entra counts as a success, and the app silently holds
//! the wrong data. That is said too, as it is the worse outcome.

use super::engine::{StepOutcome, StepVerdict};
use std::fmt;

/// Entra's escalating retry schedule for a failed export.
pub const RETRY_SCHEDULE: &str = "retried on later cycles, after 6 h, 12 h and 24 h, then daily for 28 days";

/// Failures among all exports above which Entra quarantines a job (with [`QUARANTINE_MIN_FAILURES`]).
pub const QUARANTINE_FAILURE_SHARE: f64 = 0.40;
/// The failures a job must have before the share counts.
pub const QUARANTINE_MIN_FAILURES: usize = 5_000;

/// What went wrong in a failed step, as far as Entra can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// One of the persona's requests was answered with `status` (none: no answer at all).
    Request {
        /// The status, when there was one.
        status: Option<u16>,
    },
    /// Every request was answered as the persona needed; the state read back afterwards was wrong.
    State,
}

/// How Entra treats one failed step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Treatment {
    /// The job goes into quarantine, for this reason.
    Quarantine(&'static str),
    /// The export is retried on the escalating schedule.
    Retried,
    /// Entra counts it a success: it never reads back, so the app keeps the wrong state.
    Unseen,
}

impl Treatment {
    /// The treatment of `failure`.
    pub fn of(failure: &Failure) -> Treatment {
        match failure {
            Failure::Request { status: Some(401 | 403) } => {
                Treatment::Quarantine("the credentials were refused (401 / 403)")
            }
            Failure::Request { status: Some(404) } => Treatment::Quarantine("an endpoint or resource answered 404"),
            Failure::Request { .. } => Treatment::Retried,
            Failure::State => Treatment::Unseen,
        }
    }
}

impl fmt::Display for Treatment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Treatment::Quarantine(why) => write!(f, "Entra quarantines the provisioning job: {why}"),
            Treatment::Retried => write!(f, "Entra marks the export failed; it is {RETRY_SCHEDULE}"),
            Treatment::Unseen => write!(
                f,
                "Entra counts this export a success (it never reads the user back), so the app keeps the wrong \
                 state and nothing retries it"
            ),
        }
    }
}

/// Entra's verdict on a whole replay.
#[derive(Debug, Clone, PartialEq)]
pub struct JobVerdict {
    /// Steps judged (passed or failed; skips aside).
    pub judged: usize,
    /// Failed steps, by treatment.
    pub quarantining: Vec<(String, &'static str)>,
    /// Failed steps Entra retries.
    pub retried: Vec<String>,
    /// Failed steps Entra does not see.
    pub unseen: Vec<String>,
}

impl JobVerdict {
    /// The verdict over `outcomes`.
    pub fn of<'o>(outcomes: impl IntoIterator<Item = &'o StepOutcome>) -> JobVerdict {
        let mut v = JobVerdict { judged: 0, quarantining: Vec::new(), retried: Vec::new(), unseen: Vec::new() };
        for o in outcomes {
            match (o.verdict, &o.failure) {
                (StepVerdict::Pass, _) => v.judged += 1,
                (StepVerdict::Fail, Some(failure)) => {
                    v.judged += 1;
                    let name = format!("{}/{}", o.scenario, o.step);
                    match Treatment::of(failure) {
                        Treatment::Quarantine(why) => v.quarantining.push((name, why)),
                        Treatment::Retried => v.retried.push(name),
                        Treatment::Unseen => v.unseen.push(name),
                    }
                }
                _ => {}
            }
        }
        v
    }

    /// Whether Entra would put the job in quarantine.
    pub fn quarantined(&self) -> bool {
        !self.quarantining.is_empty()
    }

    /// The share of judged steps Entra sees fail.
    pub fn failure_share(&self) -> f64 {
        let seen = self.quarantining.len() + self.retried.len();
        if self.judged == 0 { 0.0 } else { seen as f64 / self.judged as f64 }
    }
}

impl fmt::Display for JobVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((step, why)) = self.quarantining.first() {
            write!(f, "Entra would QUARANTINE this app: {why} at {step}")?;
            if self.quarantining.len() > 1 {
                write!(f, " (and {} more steps)", self.quarantining.len() - 1)?;
            }
            return write!(f, "; a quarantined job runs at most daily and is disabled after four weeks");
        }
        let share = self.failure_share();
        if !self.retried.is_empty() {
            write!(
                f,
                "Entra would not quarantine this app on these steps, but {} of {} exports fail ({:.0}%); each is {RETRY_SCHEDULE}",
                self.retried.len(),
                self.judged,
                share * 100.0
            )?;
            if share > QUARANTINE_FAILURE_SHARE {
                write!(
                    f,
                    "; above {:.0}% of exports failing, a tenant's job is quarantined once {QUARANTINE_MIN_FAILURES} \
                     have failed",
                    QUARANTINE_FAILURE_SHARE * 100.0
                )?;
            }
        } else {
            write!(f, "Entra would not quarantine this app: every export it sends succeeds")?;
        }
        if !self.unseen.is_empty() {
            write!(
                f,
                "; but {} step(s) leave the app holding other data than Entra sent, which Entra never notices ({})",
                self.unseen.len(),
                self.unseen.join(", ")
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(name: &str, verdict: StepVerdict, failure: Option<Failure>) -> StepOutcome {
        StepOutcome {
            scenario: "hire".into(),
            persona: "entra",
            step: name.into(),
            action: "hire",
            about: None,
            verdict,
            reason: None,
            expected: None,
            actual: None,
            exchanges: Vec::new(),
            duration_ms: 0.0,
            failure,
        }
    }

    #[test]
    fn credentials_and_404_quarantine_and_other_failures_are_retried() {
        assert!(matches!(Treatment::of(&Failure::Request { status: Some(401) }), Treatment::Quarantine(_)));
        assert!(matches!(Treatment::of(&Failure::Request { status: Some(404) }), Treatment::Quarantine(_)));
        assert_eq!(Treatment::of(&Failure::Request { status: Some(400) }), Treatment::Retried);
        assert_eq!(Treatment::of(&Failure::Request { status: None }), Treatment::Retried);
        assert_eq!(Treatment::of(&Failure::State), Treatment::Unseen);
    }

    #[test]
    fn the_job_verdict_names_the_first_quarantine_cause() {
        let steps = [
            step("a", StepVerdict::Pass, None),
            step("b", StepVerdict::Fail, Some(Failure::Request { status: Some(400) })),
            step("c", StepVerdict::Fail, Some(Failure::Request { status: Some(404) })),
            step("d", StepVerdict::Skip, None),
        ];
        let v = JobVerdict::of(&steps);
        assert!(v.quarantined());
        assert_eq!(v.judged, 3);
        let text = v.to_string();
        assert!(text.contains("QUARANTINE") && text.contains("404") && text.contains("hire/c"), "{text}");
    }

    #[test]
    fn retried_failures_give_the_share_and_the_threshold() {
        let steps = [
            step("a", StepVerdict::Fail, Some(Failure::Request { status: Some(400) })),
            step("b", StepVerdict::Pass, None),
            step("c", StepVerdict::Fail, Some(Failure::State)),
        ];
        let v = JobVerdict::of(&steps);
        assert!(!v.quarantined());
        let text = v.to_string();
        assert!(text.contains("1 of 3 exports fail (33%)") && text.contains("6 h, 12 h and 24 h"), "{text}");
        assert!(text.contains("never notices (hire/c)"), "{text}");
        assert!(!text.contains("5000"), "{text}");
        let all_fail = [step("a", StepVerdict::Fail, Some(Failure::Request { status: Some(500) }))];
        assert!(JobVerdict::of(&all_fail).to_string().contains("quarantined once 5000 have failed"));
    }
}
