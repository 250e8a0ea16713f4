//! `--as PERSONA`: what the generator sends is what the mock IdP's personas send (scimlab-mock-idp's
//! [`Persona`]: Entra with and without its 2020 flag, Okta OIN and AIW, OneLogin, a by-the-book RFC client).
//!
//! This module adapts their plans to the load generator: the population's users and groups become the mock
//! IdP's [`UserProfile`]s and [`GroupProfile`]s, an intent becomes the persona's planned requests, and a plan
//! becomes [`Step`]s with the target and body the wire needs. Bodies are the plans' JSON written once; the
//! persona's fixed headers (User-Agent, Accept, Accept-Charset, Accept-Encoding, Content-Type) go on every request of
//! the run.

use crate::population::Population;
use crate::stats::Op;
use hyper::Method;
use scimlab_mock_idp::intent::{GroupProfile, Intent, Member, UserChanges, UserProfile};
use scimlab_mock_idp::persona::wire::{ID, PlannedBody, encode_component, over_fetched};
pub use scimlab_mock_idp::persona::{Persona, Planned};
use serde_json::Value;

/// The BulkRequest message URN.
pub const BULK_URN: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

/// The persona called `name` (case-insensitive), or a message listing the known ones.
pub fn by_name(name: &str) -> Result<&'static Persona, String> {
    Persona::by_name(name)
        .ok_or_else(|| format!("unknown persona {name:?} for --as; known personas are {}", Persona::names()))
}

/// The headers a persona sends on every request besides the credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Headers {
    /// `User-Agent`, if any (`Some("")` sends it empty, as OneLogin does).
    pub user_agent: Option<&'static str>,
    /// `Accept`, if any.
    pub accept: Option<&'static str>,
    /// `Accept-Charset`, if any.
    pub accept_charset: Option<&'static str>,
    /// `Accept-Encoding`, if any (Okta's `gzip,deflate`: the answers are then decoded, as Okta decodes them).
    pub accept_encoding: Option<&'static str>,
    /// `Content-Type` of bodies.
    pub content_type: &'static str,
}

/// The persona's headers.
pub fn headers(p: &Persona) -> Headers {
    Headers {
        user_agent: p.headers.user_agent,
        accept: p.headers.accept,
        accept_charset: p.headers.accept_charset,
        accept_encoding: p.headers.accept_encoding,
        content_type: p.headers.content_type,
    }
}

/// The query of a lookup by `filter`, encoded the persona's way (`+` or `%20` for spaces, Okta's
/// `&startIndex=1&count=100` and OneLogin's trailing `&` after it).
pub fn lookup_query(p: &Persona, filter: &str) -> String {
    let mut q = String::with_capacity(filter.len() * 2 + 32);
    q.push_str("filter=");
    q.push_str(&encode_component(filter, p.lookup.space));
    q.push_str(p.lookup.suffix);
    q
}

/// User `i` of `pop` as the IdP holds it, at revision `rev` of its profile (0 when hired).
pub fn profile(pop: &Population, i: u64, rev: u64) -> UserProfile {
    let mut u = pop.import_profile(i);
    if rev > 0 {
        u.title = Some(pop.title(i, rev));
        u.department = Some(pop.department(i, rev));
    }
    u
}

/// Group `g` of `pop` as the IdP holds it, with `members`.
pub fn group_profile(pop: &Population, g: u64, members: Vec<Member>) -> GroupProfile {
    GroupProfile { display_name: pop.group_name(g), external_id: pop.group_external_id(g), members }
}

/// The member entry of user `i` with id `id`.
pub fn member(pop: &Population, i: u64, id: &str) -> Member {
    Member { id: id.to_owned(), display: pop.user_name(i) }
}

fn post_body(plan: &[Planned]) -> Option<Value> {
    plan.iter().find(|p| p.method == "POST").and_then(|p| match &p.body {
        PlannedBody::Json(v) => Some(v.clone()),
        _ => None,
    })
}

/// The body that creates user `i`: the POST of the persona's hire.
pub fn user_body(p: &Persona, pop: &Population, i: u64) -> String {
    post_body(&p.plan(&Intent::Hire { user: profile(pop, i, 0) })).map(|v| v.to_string()).unwrap_or_default()
}

/// A persona's user create body as a template: the body of a user whose every value is a marker, cut at the
/// markers, so that the body of user `i` is its values spliced in. Planning a hire through the persona for every
/// user of a 100,000-user merge costs several microseconds each; splicing costs a fraction of one. The template
/// is checked against the persona's own body when it is made; if they ever differ, the persona plans every body.
#[derive(Debug, Clone)]
pub struct UserBodies {
    persona: &'static Persona,
    pieces: Option<Vec<Piece>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Field(usize),
}

/// The profile values a body may carry, in marker order.
fn fields(u: &UserProfile) -> [String; 8] {
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        u.user_name.clone(),
        u.external_id.clone(),
        s(&u.given_name),
        s(&u.family_name),
        s(&u.display_name),
        s(&u.title),
        s(&u.department),
        s(&u.employee_number),
    ]
}

fn marker(k: usize) -> String {
    format!("@@scimlab{k}@@")
}

impl UserBodies {
    /// The template of `p`'s user bodies.
    pub fn new(p: &'static Persona, pop: &Population) -> UserBodies {
        let mut u = profile(pop, 0, 0);
        u.user_name = marker(0);
        u.email = Some(marker(0));
        u.external_id = marker(1);
        u.given_name = Some(marker(2));
        u.family_name = Some(marker(3));
        u.display_name = Some(marker(4));
        u.title = Some(marker(5));
        u.department = Some(marker(6));
        u.employee_number = Some(marker(7));
        let text = post_body(&p.plan(&Intent::Hire { user: u })).map(|v| v.to_string()).unwrap_or_default();
        let mut pieces = Vec::new();
        let mut rest = text.as_str();
        while let Some(at) = rest.find("@@scimlab") {
            let after = &rest[at + 9..];
            let Some(end) = after.find("@@") else { break };
            let Ok(k) = after[..end].parse::<usize>() else { break };
            pieces.push(Piece::Text(rest[..at].to_owned()));
            pieces.push(Piece::Field(k));
            rest = &after[end + 2..];
        }
        pieces.push(Piece::Text(rest.to_owned()));
        let made = UserBodies { persona: p, pieces: Some(pieces) };
        // The values of the population need no JSON escaping; the check proves the splice equals the plan.
        let checked = (0..3).all(|i| made.body(pop, i) == user_body(p, pop, i));
        UserBodies { pieces: made.pieces.filter(|_| checked), ..made }
    }

    /// Whether bodies are spliced (rather than planned one by one).
    pub fn spliced(&self) -> bool {
        self.pieces.is_some()
    }

    /// The body that creates user `i`.
    pub fn body(&self, pop: &Population, i: u64) -> String {
        let Some(pieces) = &self.pieces else { return user_body(self.persona, pop, i) };
        let values = fields(&profile(pop, i, 0));
        let mut out = String::with_capacity(1024);
        for piece in pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Field(k) => out.push_str(values.get(*k).map_or("", String::as_str)),
            }
        }
        out
    }
}

/// The body that creates group `g` in a /Bulk request: the POST of the persona's group push, with `members`
/// (ids, or `bulkId:` references) listed in it, since a /Bulk request cannot follow up with a PATCH.
pub fn group_body(p: &Persona, pop: &Population, g: u64, members: &[String]) -> String {
    // A persona that creates no empty group (JumpCloud) plans its POST only for a group with members; the members
    // planned are replaced below.
    let planned = match p.group_body.create_empty {
        true => Vec::new(),
        false => vec![member(pop, 0, "member")],
    };
    let plan = p.plan(&Intent::CreateGroup { group: group_profile(pop, g, planned) });
    let mut body = post_body(&plan).unwrap_or_else(|| Value::Object(Default::default()));
    if let Some(o) = body.as_object_mut() {
        let list = members.iter().map(|m| serde_json::json!({ "value": m })).collect();
        o.insert("members".into(), Value::Array(list));
    }
    body.to_string()
}

/// One request of a plan, ready for the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The method.
    pub method: Method,
    /// Path and query, with the subject's id filled in.
    pub target: String,
    /// The body, unless it is Okta's PUT of what the plan's GET returned.
    pub body: Option<String>,
    /// The overlay of an Okta PUT ([`over_fetched`] with the GET's answer).
    pub over_fetched: Option<Value>,
    /// Sent only when the request before it found nothing (Entra's manager check).
    pub if_previous_found_nothing: bool,
    /// The answer's id becomes the subject's id.
    pub captures_id: bool,
    /// Where the answer is recorded.
    pub op: Op,
}

fn op_of(p: &Planned, user_write: Op) -> Op {
    let users = p.path.starts_with("/Users");
    let item = p.path.matches('/').count() >= 2;
    match (p.method, users, item) {
        ("GET", true, true) => Op::Get,
        ("GET", true, false) => Op::FilterUserName,
        ("GET", false, true) => Op::GetGroup,
        ("GET", false, false) => Op::FilterGroup,
        ("POST", true, _) => Op::CreateUser,
        ("POST", false, _) => Op::CreateGroup,
        ("PUT", true, _) if user_write == Op::PatchActive => Op::PatchActive,
        ("PUT", true, _) => Op::PutUser,
        ("PATCH", true, _) => user_write,
        ("PUT", false, _) => Op::PutGroup,
        ("PATCH", false, _) => Op::PatchMembers,
        _ => Op::Other,
    }
}

/// The steps of `plan` with `id` as the subject's id (where already known). User writes are recorded under
/// `user_write` (a profile update or a (de)activation).
///
/// PingFederate's GitHub EMU connection checks (`GET /Users/0`, whose expected answer is 404) are left out: load
/// counts every 4xx as an error, so `--as ping-emu` loads a server as `ping` does. Ping's group lookup, which
/// pages through every group in a replay, is sent as its first page only.
pub fn steps(plan: &[Planned], id: Option<&str>, user_write: Op) -> Vec<Step> {
    plan.iter()
        .filter(|p| p.label != "connection-check")
        .map(|p| {
            let fill = |s: &str| match id {
                Some(id) => s.replace(ID, id),
                None => s.to_owned(),
            };
            let mut target = fill(&p.path);
            if let Some(q) = &p.raw_query {
                target.push('?');
                target.push_str(&fill(q));
            }
            let (body, over) = match &p.body {
                PlannedBody::None => (None, None),
                PlannedBody::Json(v) => (Some(v.to_string()), None),
                PlannedBody::OverFetched(overlay) => (None, Some(overlay.clone())),
            };
            Step {
                method: Method::from_bytes(p.method.as_bytes()).unwrap_or(Method::GET),
                target,
                body,
                over_fetched: over,
                if_previous_found_nothing: p.condition == scimlab_mock_idp::persona::Condition::IfPreviousFoundNothing,
                captures_id: p.captures_id,
                op: op_of(p, user_write),
            }
        })
        .collect()
}

/// The body of an Okta-style PUT: `fetched` (the GET's answer) with the overlay applied.
pub fn put_over(fetched: &[u8], overlay: &Value) -> Result<String, String> {
    let v: Value = serde_json::from_slice(fetched).map_err(|e| format!("the GET answer is not JSON: {e}"))?;
    Ok(over_fetched(&v, overlay).to_string())
}

/// A profile update of user `i` (id `id`) to revision `rev`: a new title and department.
pub fn update(p: &Persona, pop: &Population, i: u64, id: &str, rev: u64) -> Vec<Step> {
    let changes = UserChanges {
        title: Some(pop.title(i, rev)),
        department: Some(pop.department(i, rev)),
        ..UserChanges::default()
    };
    let intent = Intent::Update { id: id.to_owned(), before: profile(pop, i, rev.saturating_sub(1)), changes };
    steps(&p.plan(&intent), Some(id), Op::PatchUser)
}

/// Deactivation (or reactivation) of user `i`.
pub fn set_active(p: &Persona, pop: &Population, i: u64, id: &str, active: bool) -> Vec<Step> {
    let mut before = profile(pop, i, 0);
    let intent = if active {
        before.active = false;
        Intent::Reactivate { id: id.to_owned(), before, changes: UserChanges::default() }
    } else {
        Intent::Deactivate { id: id.to_owned(), before }
    };
    steps(&p.plan(&intent), Some(id), Op::PatchActive)
}

/// A hire of user `i`: the persona's lookup and create (and the manager step, when it has one to set).
pub fn hire(p: &Persona, pop: &Population, i: u64) -> Vec<Step> {
    steps(&p.plan(&Intent::Hire { user: profile(pop, i, 0) }), None, Op::PatchUser)
}

/// A group push of group `g` (lookup and create), with its `members` in the create for a persona that creates no
/// empty group (JumpCloud); the others create it empty and add the members afterwards ([`change_members`]).
pub fn push_group(p: &Persona, pop: &Population, g: u64, members: &[Member]) -> Vec<Step> {
    let members = if p.group_body.create_empty { Vec::new() } else { members.to_vec() };
    steps(&p.plan(&Intent::CreateGroup { group: group_profile(pop, g, members) }), None, Op::PatchMembers)
}

/// The membership change adding `add` to (or, with `remove`, removing it from) group `g` (id `gid`), whose
/// members are `members`.
pub fn change_members(
    p: &Persona,
    pop: &Population,
    g: u64,
    gid: &str,
    members: Vec<Member>,
    add: Vec<Member>,
    remove: Vec<Member>,
) -> Vec<Step> {
    let group = group_profile(pop, g, members);
    let intent = Intent::ChangeMembers { id: gid.to_owned(), group, add, remove };
    steps(&p.plan(&intent), Some(gid), Op::PatchMembers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(s: &str) -> Value {
        serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
    }

    #[test]
    fn every_persona_creates_users_and_groups_with_the_populations_names() {
        let pop = Population::new("t1", 100, 10);
        for p in Persona::all() {
            let u = json(&user_body(p, &pop, 7));
            assert_eq!(u["userName"], pop.user_name(7), "{}", p.name);
            let g = json(&group_body(p, &pop, 0, &["bulkId:u1".into(), "abc".into()]));
            assert_eq!(g["displayName"], pop.group_name(0));
            assert_eq!(g["members"][1]["value"], "abc");
        }
    }

    #[test]
    fn groups_are_pushed_with_their_members_only_by_personas_that_create_no_empty_group() {
        let pop = Population::new("t1", 100, 10);
        let ada = [member(&pop, 1, "u-1")];
        for p in Persona::all() {
            let push = push_group(p, &pop, 0, &ada);
            let post = push.iter().find(|s| s.method == Method::POST).expect("a create");
            let body = json(post.body.as_deref().unwrap_or_default());
            let with_members = body["members"].as_array().is_some_and(|m| !m.is_empty());
            assert_eq!(with_members, !p.group_body.create_empty, "{}", p.name);
        }
    }

    #[test]
    fn ping_emu_loads_without_its_connection_checks() {
        let pop = Population::new("t1", 100, 10);
        let ping_emu = Persona::by_name("ping-emu").expect("persona");
        let ping = Persona::by_name("ping").expect("persona");
        assert_eq!(hire(ping_emu, &pop, 3), hire(ping, &pop, 3));
        assert!(hire(ping_emu, &pop, 3).iter().all(|s| s.target != "/Users/0"));
    }

    #[test]
    fn spliced_bodies_equal_planned_ones_for_every_persona() {
        let pop = Population::new("t1", 1000, 100);
        for p in Persona::all() {
            let b = UserBodies::new(p, &pop);
            assert!(b.spliced(), "{}", p.name);
            for i in [0, 7, 99, 123, 999] {
                assert_eq!(b.body(&pop, i), user_body(p, &pop, i), "{} user {i}", p.name);
            }
        }
    }

    #[test]
    fn updates_follow_the_persona() {
        let pop = Population::new("t", 10, 10);
        let entra = by_name("entra").expect("entra");
        let s = update(entra, &pop, 1, "abc", 2);
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].method.as_str(), s[0].target.as_str(), s[0].op), ("PATCH", "/Users/abc", Op::PatchUser));
        let body = json(s[0].body.as_deref().expect("body"));
        assert_eq!(body["Operations"][0]["op"], "Replace");
        let okta = by_name("okta").expect("okta");
        let s = update(okta, &pop, 1, "abc", 2);
        assert_eq!(s.iter().map(|s| s.op).collect::<Vec<_>>(), vec![Op::Get, Op::PutUser]);
        assert!(s[1].over_fetched.is_some());
        let off = set_active(entra, &pop, 1, "abc", false);
        assert_eq!(off[0].op, Op::PatchActive);
        assert!(off[0].body.as_deref().is_some_and(|b| b.contains("\"False\"")));
        assert!(by_name("nope").expect_err("an error").contains("entra-2020"));
    }

    #[test]
    fn lookups_encode_spaces_the_persona_way() {
        let entra = by_name("entra").expect("entra");
        assert_eq!(lookup_query(entra, r#"userName eq "a@b""#), "filter=userName+eq+%22a%40b%22");
        let okta = by_name("okta").expect("okta");
        assert_eq!(lookup_query(okta, r#"userName eq "a""#), "filter=userName%20eq%20%22a%22&startIndex=1&count=100");
    }

    #[test]
    fn okta_puts_back_what_it_read() {
        let fetched =
            br#"{"id":"1","userName":"a","groups":[{"value":"g"}],"meta":{"resourceType":"User","version":"W/\"1\""}}"#;
        let body = json(&put_over(fetched, &serde_json::json!({"title": "T"})).expect("put"));
        assert_eq!(body["groups"], serde_json::json!([]));
        assert_eq!(body["meta"], serde_json::json!({"resourceType": "User"}));
        assert_eq!(body["title"], "T");
    }

    #[test]
    fn membership_changes_are_group_patches_or_puts() {
        let pop = Population::new("t", 10, 10);
        let m = |i: u64| member(&pop, i, &format!("id{i}"));
        for p in Persona::all() {
            let s = change_members(p, &pop, 0, "gid", vec![m(1)], vec![m(2)], vec![]);
            assert!(!s.is_empty(), "{}", p.name);
            assert!(s.iter().all(|s| s.target.starts_with("/Groups/gid")), "{}: {s:?}", p.name);
        }
    }
}
