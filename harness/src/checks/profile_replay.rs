//! IdP profiles judged by replaying the IdP's persona. For an identity provider known to scimlab only through its
//! mock-idp persona (Google Workspace, JumpCloud, PingFederate: `reference/IDP-TRAFFIC.md` section 3), a profile
//! check replays one shipped scenario as that persona against the server under test, exactly as `scimlab replay
//! SCENARIO --as PERSONA` would, and passes when every step does. A failed step is the IdP's blocking problem,
//! worded by the persona in the IdP's terms. So an IdP's readiness line needs no request of its own here: its
//! persona (headers, lookups, verbs, shapes) is the one description of it (DESIGN.md, "One IdP model"), and the
//! file of its profile is a list of [`replay_check!`] lines.
//!
//! A replay sends through the run's client and its ledger, so that every id a server hands out is judged against
//! every other of the run (an id handed out twice is never written to), and what it creates is the check's: the
//! run deletes it once the check is finished, like any check's fixtures, or at the end (and on Ctrl-C) with the
//! rest of the ledger.
//!
//! Against a server that publishes a subset of the User schema (RFC 7643 section 7) or no enterprise extension
//! (section 4.3), the scenario is played without the attributes it does not define (`title`, `department`,
//! `manager`...; `Scenario::fitted`), as an admin maps none to such an app: the IdP's traffic is judged, not
//! attributes the server never offered. With the whole schema the replay is `scimlab replay`'s, request for request.

use crate::check::Outcome;
use crate::ctx::{Ctx, Kind};
use scimlab_mock_idp::Persona;
use scimlab_mock_idp::scenario::entra::Failure;
use scimlab_mock_idp::scenario::{self, ReplayOptions, Replayer, StepVerdict};
use std::sync::PoisonError;

/// A MUST check of an IdP profile that replays the shipped `scenario` as `persona` and passes when every step
/// does: `replay_check!(ID, PROFILE, IDP NAME, PERSONA, SCENARIO, CONSEQUENCE, CATCHES)`.
macro_rules! replay_check {
    ($id:literal, $profile:expr, $idp:literal, $persona:literal, $scenario:literal, $consequence:literal, $catches:expr) => {
        $crate::check::Check {
            id: $id,
            level: $crate::check::Level::Must,
            tags: &[$crate::check::Tag::Users, $crate::check::Tag::Groups, $crate::check::Tag::Membership],
            requires: &[$crate::check::Capability::Users, $crate::check::Capability::Groups],
            profiles: &[$profile],
            requirement: concat!(
                "every step of the shipped ",
                $scenario,
                " scenario passes when it is replayed as ",
                $idp,
                " sends it (persona ",
                $persona,
                ")"
            ),
            sends: concat!("the requests of `scimlab replay ", $scenario, " --as ", $persona, "`"),
            consequence: $consequence,
            catches: $catches,
            run: {
                async fn replayed(ctx: &$crate::ctx::Ctx) -> $crate::check::Outcome {
                    $crate::checks::profile_replay::replay(ctx, $persona, $scenario).await
                }
                $crate::run!(replayed)
            },
        }
    };
}
pub(crate) use replay_check;

/// Users a replay creates for a scenario that imports a population (none of the replayed ones does).
const USERS: u64 = 10;

/// Replays the shipped `scenario` as the persona `persona` through the run's client, and judges it: the first
/// failed step fails the check with the persona's reason; a step the harness could not run is an error.
pub async fn replay(ctx: &Ctx, persona: &str, scenario: &str) -> Outcome {
    let Some(persona) = Persona::by_name(persona) else {
        return Outcome::Error(format!("harness: no persona {persona:?}"));
    };
    let scenario = match scenario::shipped(scenario) {
        Some(Ok(s)) => s,
        Some(Err(e)) => return Outcome::Error(format!("harness: the shipped scenario does not parse: {e}")),
        None => return Outcome::Error(format!("harness: no shipped scenario {scenario:?}")),
    };
    let scenario = scenario.fitted(|path| ctx.defines(Kind::User, path));
    let options = ReplayOptions {
        prefix: format!("{}-", ctx.unique(persona.name)),
        users: Some(USERS),
        seed: ctx.run.seed,
        ..ReplayOptions::new()
    };
    let replayer = Replayer::new(ctx.run.client.clone(), persona, options);
    let out = replayer.run(&scenario, &mut |_| {}).await;
    // The evidence ends with the first failed step, so that the exchange a report shows last is the one that
    // failed (the replay goes on past it, as the IdP would with its other users).
    for o in &out {
        ctx.record(o.exchanges.iter().cloned());
        if o.verdict == StepVerdict::Fail {
            break;
        }
    }
    {
        let created = replayer.created();
        let created = created.lock().unwrap_or_else(PoisonError::into_inner);
        for id in &created.groups {
            ctx.made_elsewhere(Kind::Group, id);
        }
        for id in &created.users {
            ctx.made_elsewhere(Kind::User, id);
        }
    }
    let expected = format!("every step of {} passes as {} sends it", scenario.name, persona.name);
    // A request that got no answer (a dropped connection, retries run out) is not the server's failure of this
    // requirement: as for every check, it is an error, never blamed.
    let unanswered = out.iter().filter(|o| o.verdict == StepVerdict::Fail).find_map(|o| {
        let no_status = matches!(o.failure, Some(Failure::Request { status: None }));
        let lost = o.exchanges.iter().find(|e| e.response.is_none());
        match (lost, no_status) {
            (Some(e), _) => Some(format!("step {}: {} {} got no answer", o.step, e.request.method, e.request.url)),
            (None, true) => Some(format!("step {}: {}", o.step, o.reason.as_deref().unwrap_or("no answer"))),
            (None, false) => None,
        }
    });
    if let Some(why) = unanswered {
        return Outcome::Error(why);
    }
    if let Some(o) = out.iter().find(|o| o.verdict == StepVerdict::Fail) {
        let reason = o.reason.as_deref().unwrap_or("failed");
        let actual = match &o.actual {
            Some(a) => format!("step {}: {reason} (got {a})", o.step),
            None => format!("step {}: {reason}", o.step),
        };
        return Outcome::fail(expected, actual);
    }
    if let Some(o) = out.iter().find(|o| o.verdict == StepVerdict::Error) {
        return Outcome::Error(format!("step {}: {}", o.step, o.reason.as_deref().unwrap_or("harness error")));
    }
    Outcome::Pass
}
