//! Differential property checks, filters: proptest draws a population of Users and random filters from RFC 7644
//! section 3.4.2.2's grammar (`scimlab_protocol::arbitrary::users`), the server answers each filter, and the
//! protocol crate's [`Matcher`] says which users it had to return. A disagreement is shrunk with proptest's own
//! value trees to the smallest filter that still disagrees (each step asks the server again), and reported with
//! that query as a curl command.
//!
//! Everything is drawn from ChaCha generators seeded from the run's seed (`--seed`), one stream per purpose, so
//! the same seed gives the same population, the same filters and the same PATCH sequences
//! (`differential_patch.rs`) on every machine. The population's userNames carry the run's prefix and a marker
//! unique to the check, and every query ANDs `userName sw "<marker>-"` into the filter, so other checks' users and
//! the server's own customers never change the answer. The users are fetched back after creation and the
//! reference evaluates the filters over them as stored, with the caseExact the server's /Schemas declares.

use super::support::outcome;
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Ctx, Kind, describe};
use crate::run;
use futures_util::StreamExt;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use scimlab_mock_idp::ScimRequest;
use scimlab_protocol::arbitrary::users::{arb_user, arb_user_filter};
use scimlab_protocol::filter::{AttrPath, Filter, Matcher, ValuePath};
use scimlab_protocol::list::ListResponse;
use scimlab_protocol::schema::{ENTERPRISE_USER_URN, USER_URN};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::future::Future;

/// The section every id of this file starts with.
pub const SECTION: &str = "differential/filter";

/// Users in the filter population.
pub const POPULATION: usize = 20;
/// Filters drawn per run.
pub const FILTER_CASES: usize = 64;
/// Most server round trips proptest's shrinking may spend on one filter disagreement.
pub const SHRINK_STEPS: u32 = 64;
/// Most server round trips the structural pass (see [`descend`]) may spend after it.
pub const DESCEND_STEPS: u32 = 64;

/// Cases (and population users) in flight at once.
pub const CONCURRENCY: usize = 16;

/// Generator streams: one per purpose, so adding cases to one never changes another's draws.
pub(crate) const POPULATION_STREAM: u64 = 1;
const FILTER_STREAM: u64 = 2;

/// The checks of this file.
pub const CHECKS: &[Check] = &[Check {
    id: "differential/filter/matches-reference",
    level: Level::Must,
    tags: &[Tag::Differential, Tag::Filter, Tag::Users],
    requires: &[Capability::Users, Capability::Filter],
    profiles: &[Profile::Rfc],
    requirement: "for 64 seeded random filters over a seeded population of 20 users, the server returns exactly the \
                  users RFC 7644 section 3.4.2.2 (the protocol crate's evaluator) says match",
    sends: "POST /Users x20 and GET /Users/{id} x20, then GET /Users?filter=(<random filter>) and userName sw \
            \"<marker>-\" per case, and again per shrinking step",
    consequence: "",
    catches: &[
        "filter-ignored",
        "filter-or-as-and",
        "filter-not-ignored",
        "filter-precedence-ignored",
        "filter-valuepath-unsupported",
        "startindex-zero-based",
    ],
    run: run!(filter_matches_reference),
}];

/// splitmix64, to spread a 64-bit seed over the 32 bytes ChaCha wants.
pub(crate) fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A proptest runner whose draws depend only on `seed` and `stream`.
pub fn runner(seed: u64, stream: u64) -> TestRunner {
    let mut state = seed ^ stream.wrapping_mul(0xd1b5_4a32_d192_ed03);
    let mut bytes = [0u8; 32];
    for chunk in bytes.chunks_exact_mut(8) {
        chunk.copy_from_slice(&splitmix(&mut state).to_le_bytes());
    }
    TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// A value tree from `strategy`, or the harness error.
pub(crate) fn draw<S: Strategy>(strategy: &S, runner: &mut TestRunner) -> Result<S::Tree, Outcome> {
    strategy.new_tree(runner).map_err(|e| Outcome::Error(format!("harness: proptest could not draw a case: {e}")))
}

/// The first `n` values `strategy` draws from stream `stream` of `seed`.
pub(crate) fn cases<S: Strategy>(strategy: &S, seed: u64, stream: u64, n: usize) -> Result<Vec<S::Value>, Outcome> {
    let mut runner = runner(seed, stream);
    (0..n).map(|_| draw(strategy, &mut runner).map(|t| t.current())).collect()
}

/// One move of proptest's shrinking on a value tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// `ValueTree::simplify`.
    Simplify,
    /// `ValueTree::complicate`.
    Complicate,
}

/// Case `index` of stream `stream` for `seed`, shrunk by `steps` and then by `next`: the candidate, or `None` when
/// the tree cannot move that way.
///
/// proptest's value trees are not `Send`, and a check's future must be, so no tree lives across a request:
/// each shrinking step rebuilds the tree from the seed (drawing the cases before it again, so the generator is in
/// the same state) and replays the steps taken so far, which is deterministic and costs microseconds.
pub(crate) fn replay<S: Strategy>(
    strategy: &S,
    (seed, stream, index): (u64, u64, usize),
    steps: &[Step],
    next: Step,
) -> Result<Option<S::Value>, Outcome> {
    let mut runner = runner(seed, stream);
    for _ in 0..index {
        draw(strategy, &mut runner)?;
    }
    let mut tree = draw(strategy, &mut runner)?;
    let apply = |tree: &mut S::Tree, step: Step| match step {
        Step::Simplify => tree.simplify(),
        Step::Complicate => tree.complicate(),
    };
    for &step in steps {
        apply(&mut tree, step);
    }
    Ok(apply(&mut tree, next).then(|| tree.current()))
}

/// The population for `seed`: [`POPULATION`] users from `arb_user`, before naming (see [`prepare`]).
pub fn population(seed: u64) -> Result<Vec<Value>, Outcome> {
    cases(&arb_user(), seed, POPULATION_STREAM, POPULATION)
}

/// The first `n` filters drawn for `seed`.
pub fn filter_cases(seed: u64, n: usize) -> Result<Vec<Filter>, Outcome> {
    cases(&arb_user_filter(), seed, FILTER_STREAM, n)
}

/// A generated user made ready to POST: no `id` or `meta` (the server assigns them), no manager (its ids are the
/// generator's, not this server's), no enterprise extension when the server has none, and the userName
/// `<name>-<generated userName>` so that it carries the run's prefix.
pub(crate) fn prepare(mut user: Value, name: &str, enterprise: bool) -> Value {
    let Some(obj) = user.as_object_mut() else { return user };
    obj.remove("id");
    obj.remove("meta");
    let generated = obj.get("userName").and_then(Value::as_str).unwrap_or("user").to_owned();
    obj.insert("userName".into(), json!(format!("{name}-{generated}")));
    if enterprise {
        if let Some(ext) = obj.get_mut(ENTERPRISE_USER_URN).and_then(Value::as_object_mut) {
            ext.remove("manager");
        }
    } else {
        obj.remove(ENTERPRISE_USER_URN);
        obj.insert("schemas".into(), json!([USER_URN]));
    }
    user
}

/// The text form of an attribute path (`urn:...:name.sub`), for [`Ctx::defines`].
fn path_text(p: &AttrPath) -> String {
    let mut s = p.urn.as_ref().map_or_else(String::new, |u| format!("{u}:"));
    s.push_str(&p.name);
    if let Some(sub) = &p.sub {
        s.push('.');
        s.push_str(sub);
    }
    s
}

/// Whether every attribute `f` names is one the server's User schema defines (RFC 7643 section 7 lets a server
/// publish a subset, and a filter on an attribute it lacks is its to refuse). Inside a value filter the names are
/// sub-attributes of `parent`.
pub(crate) fn filter_defined(ctx: &Ctx, f: &Filter, parent: Option<&str>) -> bool {
    let defined = |p: &AttrPath| {
        let text = path_text(p);
        ctx.defines(Kind::User, &parent.map_or_else(|| text.clone(), |parent| format!("{parent}.{text}")))
    };
    match f {
        Filter::Attr(e) => defined(&e.path),
        Filter::Not(a) => filter_defined(ctx, a, parent),
        Filter::And(a, b) | Filter::Or(a, b) => filter_defined(ctx, a, parent) && filter_defined(ctx, b, parent),
        Filter::ValuePath(vp) => {
            let attr = path_text(&vp.attr);
            defined(&vp.attr)
                && filter_defined(ctx, &vp.filter, Some(&attr))
                && vp.then.as_ref().is_none_or(|(sub, _)| ctx.defines(Kind::User, &format!("{attr}.{sub}")))
        }
    }
}

/// What one differential case concluded.
pub(crate) enum Judged {
    /// The server agreed with the reference.
    Agree,
    /// The case does not apply to this server (a filter on an attribute its schema lacks).
    NotApplicable,
    /// They disagreed.
    Disagree(Disagreement),
}

/// A disagreement, in words, with the curl command that reproduces it.
pub(crate) struct Disagreement {
    /// What the reference says.
    pub expected: String,
    /// What the server did.
    pub actual: String,
    /// The request(s) to send to see it again.
    pub reproduce: String,
}

/// proptest's shrinking loop (as `TestRunner` runs it) over an async judgement: simplify while the case still
/// disagrees, complicate when a simplification agrees, at most `limit` round trips. `rebuild(steps, next)`
/// yields the next candidate (see [`replay`]). Returns the smallest disagreeing case, its disagreement and the
/// steps taken.
pub(crate) async fn shrink<V, G, F, Fut>(
    mut rebuild: G,
    first: (V, Disagreement),
    limit: u32,
    mut judge: F,
) -> Result<(V, Disagreement, u32), Outcome>
where
    V: Clone,
    G: FnMut(&[Step], Step) -> Result<Option<V>, Outcome>,
    F: FnMut(V) -> Fut,
    Fut: Future<Output = Result<Judged, Outcome>>,
{
    let mut best = first;
    let mut steps = Vec::new();
    let mut next = Step::Simplify;
    let mut rounds = 0;
    while rounds < limit {
        let Some(candidate) = rebuild(&steps, next)? else { break };
        steps.push(next);
        rounds += 1;
        next = match judge(candidate.clone()).await? {
            Judged::Disagree(d) => {
                best = (candidate, d);
                Step::Simplify
            }
            Judged::Agree | Judged::NotApplicable => Step::Complicate,
        };
    }
    Ok((best.0, best.1, rounds))
}

/// The structural pass after proptest's shrinking: proptest simplifies every literal of a branch before it lets
/// the branch go, so a bounded run often ends with the right shape but too much of it. `smaller(case)` lists
/// strictly smaller cases (sub-filters, a request or operation fewer); the first that still disagrees is taken,
/// until none does or `limit` round trips are spent. Returns the smallest case, its disagreement and the steps.
pub(crate) async fn descend<V, S, F, Fut>(
    smaller: S,
    first: (V, Disagreement),
    limit: u32,
    mut judge: F,
) -> Result<(V, Disagreement, u32), Outcome>
where
    V: Clone,
    S: Fn(&V) -> Vec<V>,
    F: FnMut(V) -> Fut,
    Fut: Future<Output = Result<Judged, Outcome>>,
{
    let mut best = first;
    let mut spent = 0;
    'search: while spent < limit {
        for candidate in smaller(&best.0) {
            if spent >= limit {
                break 'search;
            }
            spent += 1;
            if let Judged::Disagree(d) = judge(candidate.clone()).await? {
                best = (candidate, d);
                continue 'search;
            }
        }
        break;
    }
    Ok((best.0, best.1, spent))
}

/// The first disagreeing case of a run, made as small as the budgets allow (see [`run_cases`]).
pub(crate) struct Found<V> {
    /// Its index among the drawn cases.
    pub case: usize,
    /// The case as drawn.
    pub original: V,
    /// The smallest case that still disagreed.
    pub minimal: V,
    /// What the smallest case disagreed on.
    pub disagreement: Disagreement,
    /// Round trips spent by [`shrink`], then by [`descend`].
    pub steps: (u32, u32),
}

/// A differential run: judges `cases` in order, up to [`CONCURRENCY`] at once (they are independent), until one
/// disagrees; that one is shrunk (`rebuild(case, steps, next)` replays it, see [`replay`]) and then descended
/// (over `smaller`), within the round trips `limits` allows each. Returns how many cases agreed and what was
/// found.
pub(crate) async fn run_cases<V, J, Fut, R, S>(
    cases: Vec<V>,
    judge: J,
    rebuild: R,
    smaller: S,
    (shrink_limit, descend_limit): (u32, u32),
) -> Result<(usize, Option<Found<V>>), Outcome>
where
    V: Clone,
    J: Fn(V) -> Fut,
    Fut: Future<Output = Result<Judged, Outcome>>,
    R: Fn(usize, &[Step], Step) -> Result<Option<V>, Outcome>,
    S: Fn(&V) -> Vec<V>,
{
    let mut agreed = 0;
    let mut found = None;
    {
        let mut verdicts = futures_util::stream::iter(cases.into_iter().enumerate())
            .map(|(case, v)| {
                let verdict = judge(v.clone());
                async move { (case, v, verdict.await) }
            })
            .buffered(CONCURRENCY);
        while let Some((case, original, verdict)) = verdicts.next().await {
            match verdict? {
                Judged::Agree => agreed += 1,
                Judged::NotApplicable => {}
                Judged::Disagree(d) => {
                    found = Some((case, original, d));
                    break;
                }
            }
        }
    }
    let Some((case, original, first)) = found else { return Ok((agreed, None)) };
    let rebuild = |steps: &[Step], next| rebuild(case, steps, next);
    let (shrunk, d, steps) = shrink(rebuild, (original.clone(), first), shrink_limit, &judge).await?;
    let (minimal, disagreement, descended) = descend(smaller, (shrunk, d), descend_limit, &judge).await?;
    Ok((agreed, Some(Found { case, original, minimal, disagreement, steps: (steps, descended) })))
}

/// Filters strictly smaller than `f`: its operands first, then `f` with one operand made smaller (inside value
/// filters too). Every one is type-correct when `f` is.
pub(crate) fn smaller_filters(f: &Filter) -> Vec<Filter> {
    match f {
        Filter::Attr(_) => Vec::new(),
        Filter::Not(a) => {
            let mut out = vec![(**a).clone()];
            out.extend(smaller_filters(a).into_iter().map(Filter::not));
            out
        }
        Filter::And(a, b) | Filter::Or(a, b) => {
            let join = |x: Filter, y: Filter| match f {
                Filter::And(..) => Filter::and(x, y),
                _ => Filter::or(x, y),
            };
            let mut out = vec![(**a).clone(), (**b).clone()];
            out.extend(smaller_filters(a).into_iter().map(|x| join(x, (**b).clone())));
            out.extend(smaller_filters(b).into_iter().map(|y| join((**a).clone(), y)));
            out
        }
        Filter::ValuePath(vp) => smaller_filters(&vp.filter)
            .into_iter()
            .map(|x| Filter::ValuePath(ValuePath { filter: Box::new(x), ..vp.clone() }))
            .collect(),
    }
}

/// The users of a filter run, as the server stored them.
struct Population {
    /// Every userName starts with `<marker>-`.
    marker: String,
    /// `(label, representation)`: the label is `#<i> <generated userName>`.
    users: Vec<(String, Value)>,
}

impl Population {
    /// Creates the seeded population under a fresh marker and reads every user back.
    async fn create(ctx: &Ctx) -> Result<Population, Outcome> {
        let marker = ctx.unique("diff-filter");
        let enterprise = ctx.run.enterprise;
        let drafts = population(ctx.run.seed)?;
        let users = futures_util::stream::iter(drafts.into_iter().enumerate())
            .map(|(i, u)| {
                let label = format!("#{i} {}", u.get("userName").and_then(Value::as_str).unwrap_or("?"));
                // Only the attributes the server defines (RFC 7643 section 7), as the filters are.
                let body = ctx.only_defined(Kind::User, &prepare(u, &format!("{marker}-{i}"), enterprise));
                async move {
                    let created = ctx.create(Kind::User, &body).await?;
                    match ctx.read_back(&created).await {
                        Ok(stored) => Ok(Some((label, stored))),
                        // RFC 7643 leaves the meaning of `active` to the server: a server that hides inactive
                        // users hides them from queries too, and they are left out of the population.
                        Err(_) if body.get("active") == Some(&Value::Bool(false)) => Ok(None),
                        Err(o) => Err(prerequisite(o)),
                    }
                }
            })
            .buffered(CONCURRENCY)
            .collect::<Vec<Result<Option<(String, Value)>, Outcome>>>()
            .await
            .into_iter()
            .filter_map(Result::transpose)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Population { marker, users })
    }

    /// The label of the user with `id`, or the id itself for a user the population does not hold.
    fn label(&self, id: &str) -> String {
        match self.users.iter().find(|(_, u)| u.get("id").and_then(Value::as_str) == Some(id)) {
            Some((l, _)) => l.clone(),
            None => format!("foreign id {id}"),
        }
    }
}

/// A read-back failure while building a fixture is a prerequisite failure, not the server's failure of the
/// differential requirement.
pub(crate) fn prerequisite(o: Outcome) -> Outcome {
    match o {
        Outcome::Fail { actual, .. } => Outcome::Skip(format!("prerequisite failed: {actual}")),
        other => other,
    }
}

/// The ids a query returned (following pages when the server returns fewer than totalResults), or what the
/// server answered instead; with the exchange of the first page.
async fn query(ctx: &Ctx, filter: &str) -> Result<(Result<BTreeSet<String>, String>, String), Outcome> {
    let users = ctx.run.path(Kind::User).to_owned();
    let mut ids = BTreeSet::new();
    let mut start = 1;
    let mut curl = String::new();
    for _ in 0..5 {
        let req = ScimRequest::get(&users).query("filter", filter).query("startIndex", start.to_string());
        let r = ctx.send(req.query("count", "100")).await?;
        if curl.is_empty() {
            curl = r.exchange.curl();
        }
        if r.status != 200 {
            return Ok((Err(describe(&r)), curl));
        }
        let list = match ListResponse::from_json(r.body_json()) {
            Ok(l) => l,
            Err(e) => return Ok((Err(format!("200 with an unreadable ListResponse: {}", e.detail)), curl)),
        };
        let n = list.resources.len();
        ids.extend(list.resources.iter().filter_map(|u| u.get("id").and_then(Value::as_str)).map(str::to_owned));
        if n == 0 || start - 1 + n >= list.total_results {
            break;
        }
        start += n;
    }
    Ok((Ok(ids), curl))
}

/// One filter case: the server's answer against the reference's.
async fn judge_filter(ctx: &Ctx, pop: &Population, f: Filter) -> Result<Judged, Outcome> {
    if !filter_defined(ctx, &f, None) {
        return Ok(Judged::NotApplicable);
    }
    let view = ctx.users_view();
    let Ok(matcher) = Matcher::compile(&f, &view) else { return Ok(Judged::NotApplicable) };
    let expected: BTreeSet<String> = pop
        .users
        .iter()
        .filter(|(_, u)| matcher.matches(u))
        .filter_map(|(_, u)| u.get("id").and_then(Value::as_str).map(str::to_owned))
        .collect();
    let text = format!("({f}) and userName sw \"{}-\"", pop.marker);
    let (answer, curl) = query(ctx, &text).await?;
    let labels = |ids: &mut dyn Iterator<Item = &String>| ids.map(|id| pop.label(id)).collect::<Vec<_>>().join(", ");
    let actual = match answer {
        Ok(got) if got == expected => return Ok(Judged::Agree),
        Ok(got) => {
            let mut wrong = Vec::new();
            if got.difference(&expected).next().is_some() {
                wrong.push(format!("included [{}], which do not match", labels(&mut got.difference(&expected))));
            }
            if expected.difference(&got).next().is_some() {
                wrong.push(format!("left out [{}], which do", labels(&mut expected.difference(&got))));
            }
            format!("returned {}: it {}", users(got.len()), wrong.join(" and "))
        }
        Err(e) => format!("answered {e}"),
    };
    Ok(Judged::Disagree(Disagreement {
        expected: format!("filter={text} returns the {} the reference matches", users(expected.len())),
        actual,
        reproduce: curl,
    }))
}

/// `1 user`, `3 users`.
fn users(n: usize) -> String {
    if n == 1 { "1 user".to_owned() } else { format!("{n} users") }
}

/// The filter differential check (see the file's documentation).
async fn filter_matches_reference(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let pop = Population::create(ctx).await?;
            let seed = ctx.run.seed;
            let (agreed, found) = run_cases(
                filter_cases(seed, FILTER_CASES)?,
                |f| judge_filter(ctx, &pop, f),
                |case, steps: &[Step], next| replay(&arb_user_filter(), (seed, FILTER_STREAM, case), steps, next),
                smaller_filters,
                (SHRINK_STEPS, DESCEND_STEPS),
            )
            .await?;
            if let Some(Found { case, original, minimal, disagreement: d, steps: (steps, descended) }) = found {
                // Ask once more, so that the smallest failing query is the last exchange (the report's
                // reproducer); a server that now agrees is reported with what it answered before.
                let d = match judge_filter(ctx, &pop, minimal.clone()).await? {
                    Judged::Disagree(again) => again,
                    _ => d,
                };
                return Ok(Outcome::fail(
                    d.expected,
                    format!(
                        "{} (seed {}, case {} of {FILTER_CASES}: {original}; shrunk in {steps} + {descended} steps \
                         to {minimal}); \
                         reproduce with:\n{}",
                        d.actual,
                        seed,
                        case + 1,
                        d.reproduce
                    ),
                ));
            }
            if agreed == 0 {
                return Ok(Outcome::Skip(
                    "no generated filter applies to the server's User schema (every one names an attribute it does \
                     not define; RFC 7643 section 7 allows a subset)"
                        .into(),
                ));
            }
            Ok(Outcome::Pass)
        }
        .await,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_draws_the_same_cases() {
        let (a, b) = (population(7).expect("draw"), population(7).expect("draw"));
        assert_eq!(a, b);
        assert_eq!(a.len(), POPULATION);
        assert_ne!(a, population(8).expect("draw"));
        let f = filter_cases(7, FILTER_CASES).expect("draw");
        assert_eq!(f, filter_cases(7, FILTER_CASES).expect("draw"));
        assert_ne!(f, filter_cases(8, FILTER_CASES).expect("draw"));
        assert_eq!(filter_cases(7, 3).expect("draw")[..], f[..3]);
    }

    #[test]
    fn replaying_a_case_rebuilds_its_tree() {
        let f = filter_cases(7, 5).expect("draw");
        let strategy = arb_user_filter();
        let mut runner = runner(7, FILTER_STREAM);
        let mut trees: Vec<_> = (0..5).map(|_| draw(&strategy, &mut runner).expect("draw")).collect();
        assert_eq!(trees[4].current(), f[4]);
        // The replayed path reaches the same candidates as the live tree.
        let path = [Step::Simplify, Step::Complicate, Step::Simplify];
        for (i, &step) in path.iter().enumerate() {
            let moved = match step {
                Step::Simplify => trees[4].simplify(),
                Step::Complicate => trees[4].complicate(),
            };
            let replayed = replay(&strategy, (7, FILTER_STREAM, 4), &path[..i], step).expect("replay");
            assert_eq!(replayed, moved.then(|| trees[4].current()));
        }
    }

    #[test]
    fn smaller_filters_are_the_operands_then_smaller_operands() {
        let f =
            scimlab_protocol::filter::parse(r#"not (a eq "1" and emails[type eq "w" or value pr])"#).expect("parse");
        let texts: Vec<String> = smaller_filters(&f).iter().map(ToString::to_string).collect();
        assert_eq!(texts[0], r#"a eq "1" and emails[type eq "w" or value pr]"#);
        assert!(texts.contains(&r#"not (a eq "1" and emails[value pr])"#.to_owned()), "{texts:?}");
        assert!(texts.iter().all(|t| t.len() < f.to_string().len()));
    }

    #[test]
    fn prepared_users_carry_the_name_and_no_server_assigned_members() {
        let u = population(1).expect("draw").remove(0);
        let generated = u["userName"].as_str().expect("userName").to_owned();
        let p = prepare(u, "scimlab-x-0", false);
        assert_eq!(p["userName"], format!("scimlab-x-0-{generated}"));
        assert!(p.get("id").is_none() && p.get("meta").is_none() && p.get(ENTERPRISE_USER_URN).is_none());
        assert_eq!(p["schemas"], json!([USER_URN]));
    }
}
