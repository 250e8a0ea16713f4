//! Differential test: a seeded random script of store calls runs against a MemoryStore and a SqliteStore side
//! by side, and every answer (records, versions, errors with their details, orders) must be the same. Only
//! `meta.lastModified`, a wall-clock reading, is left out of the comparison.

use super::{TempDir, group, user};
use scimlab_mock_sp::store::{Indexed, Kind, MemoryStore, Record, SqliteStore, Store};
use scimlab_protocol::ScimError;
use serde_json::{Value, json};

const USER_IDS: [&str; 10] = ["u0", "u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9"];
const GROUP_IDS: [&str; 5] = ["g0", "g1", "g2", "g3", "g4"];
const USER_NAMES: [&str; 8] = ["ann", "Ann", "bob", "BOB", "cy", "dee", "Ève", "ève"];
const GROUP_NAMES: [&str; 4] = ["Team", "team", "Ops", "Ωmega"];
const EXTERNAL_IDS: [&str; 3] = ["x", "X", "y"];

/// A record as compared: id, version, resource without `meta.lastModified`.
type Seen = (String, u64, Value);

fn seen(r: &Record) -> Seen {
    let mut v = (*r.resource).clone();
    if let Some(meta) = v.get_mut("meta").and_then(Value::as_object_mut) {
        meta.remove("lastModified");
    }
    (r.id.clone(), r.version, v)
}

fn one(r: Result<Record, ScimError>) -> Result<Seen, ScimError> {
    r.map(|r| seen(&r))
}

fn many(r: Result<Vec<Record>, ScimError>) -> Result<Vec<Seen>, ScimError> {
    r.map(|rs| rs.iter().map(seen).collect())
}

fn scan_all(s: &dyn Store, kind: Kind) -> Result<Vec<Seen>, ScimError> {
    let mut out = Vec::new();
    s.scan(kind, &mut |r| {
        out.push(seen(r));
        true
    })?;
    Ok(out)
}

fn pick<'a>(rng: &mut fastrand::Rng, from: &[&'a str]) -> &'a str {
    from[rng.usize(..from.len())]
}

/// A members list drawn from every id the script uses, sometimes with a dangling id or a duplicate.
fn members(rng: &mut fastrand::Rng) -> Vec<&'static str> {
    let mut m: Vec<&str> = USER_IDS.iter().chain(&GROUP_IDS).copied().filter(|_| rng.u8(..10) < 3).collect();
    if rng.u8(..10) == 0 {
        m.push("ghost");
    }
    if let Some(&first) = m.first().filter(|_| rng.u8(..10) == 0) {
        m.push(first);
    }
    m
}

/// One step of the script.
#[derive(Debug, Clone)]
enum Op {
    InsertUser(Value),
    InsertGroup(Value),
    Update(Kind, &'static str, &'static str, Value),
    Fail(Kind, &'static str),
    Delete(Kind, &'static str, bool),
    Find(Kind, Indexed, &'static str),
    Scan(Kind),
    GroupsOf(&'static str),
    Count(Kind),
}

fn random_op(rng: &mut fastrand::Rng) -> Op {
    match rng.u8(..20) {
        0..=4 => {
            let mut u = user(pick(rng, &USER_IDS), pick(rng, &USER_NAMES));
            if rng.bool() {
                u["externalId"] = json!(pick(rng, &EXTERNAL_IDS));
            }
            Op::InsertUser(u)
        }
        5..=6 => Op::InsertGroup(group(pick(rng, &GROUP_IDS), pick(rng, &GROUP_NAMES), &members(rng))),
        7..=8 => match rng.u8(..4) {
            0 => Op::Update(Kind::User, pick(rng, &USER_IDS), "userName", json!(pick(rng, &USER_NAMES))),
            1 => Op::Update(Kind::User, pick(rng, &USER_IDS), "externalId", json!(pick(rng, &EXTERNAL_IDS))),
            2 => Op::Update(Kind::User, pick(rng, &USER_IDS), "title", json!(["a", "b"][rng.usize(..2)])),
            _ => Op::Fail(Kind::User, pick(rng, &USER_IDS)),
        },
        9..=10 => {
            let id = pick(rng, &GROUP_IDS);
            match rng.u8(..3) {
                0 => Op::Update(Kind::Group, id, "displayName", json!(pick(rng, &GROUP_NAMES))),
                _ => {
                    let m: Vec<Value> = members(rng).iter().map(|m| json!({"value": m})).collect();
                    Op::Update(Kind::Group, id, "members", Value::Array(m))
                }
            }
        }
        11..=12 => Op::Delete(Kind::User, pick(rng, &USER_IDS), rng.u8(..5) > 0),
        13 => Op::Delete(Kind::Group, pick(rng, &GROUP_IDS), rng.u8(..5) > 0),
        14 => Op::Find(Kind::User, Indexed::UserName, pick(rng, &USER_NAMES)),
        15 => Op::Find(Kind::User, Indexed::ExternalId, pick(rng, &EXTERNAL_IDS)),
        16 => Op::Find(Kind::Group, Indexed::DisplayName, pick(rng, &GROUP_NAMES)),
        17 => Op::Scan(if rng.bool() { Kind::User } else { Kind::Group }),
        18 => Op::GroupsOf(pick(rng, &[&USER_IDS[..], &GROUP_IDS[..]].concat())),
        _ => Op::Count(if rng.bool() { Kind::User } else { Kind::Group }),
    }
}

fn apply(s: &dyn Store, op: &Op) -> Result<Value, ScimError> {
    let out = match op.clone() {
        Op::InsertUser(u) => json!(one(s.insert(Kind::User, u))?),
        Op::InsertGroup(g) => json!(one(s.insert(Kind::Group, g))?),
        Op::Update(kind, id, attr, value) => json!(one(s.update(kind, id, &mut |old| {
            let mut new = old.clone();
            new[attr] = value.clone();
            Ok(new)
        }))?),
        Op::Fail(kind, id) => json!(one(s.update(kind, id, &mut |_| Err(ScimError::mutability("no"))))?),
        Op::Delete(kind, id, allow) => {
            s.delete(kind, id, &mut |_| if allow { Ok(()) } else { Err(ScimError::new(412, "stale")) })?;
            Value::Null
        }
        Op::Find(kind, attr, value) => json!(many(s.find(kind, attr, value))?),
        Op::Scan(kind) => json!(scan_all(s, kind)?),
        Op::GroupsOf(id) => json!(s.groups_of(id)?),
        Op::Count(kind) => json!(s.count(kind)?),
    };
    Ok(out)
}

#[test]
fn memory_and_sqlite_answer_a_random_script_identically() {
    for seed in 1..=3 {
        let dir = TempDir::new("parity");
        let memory = MemoryStore::default();
        let sqlite = SqliteStore::open(&dir.db()).expect("open sqlite store");
        let mut rng = fastrand::Rng::with_seed(seed);
        let (mut oks, mut errs) = (0, 0);
        for step in 0..400 {
            let op = random_op(&mut rng);
            let (m, s) = (apply(&memory, &op), apply(&sqlite, &op));
            assert_eq!(m, s, "seed {seed}, step {step}: {op:?}");
            if m.is_ok() { oks += 1 } else { errs += 1 }
        }
        for kind in Kind::ALL {
            assert_eq!(apply(&memory, &Op::Scan(kind)), apply(&sqlite, &Op::Scan(kind)), "seed {seed}: final state");
        }
        let (m, q) = (super::audit::trail(&memory), super::audit::trail(&sqlite));
        assert_eq!(m, q, "seed {seed}: the two audit trails");
        assert!(m.len() > 20, "seed {seed}: the script changes things ({} audit entries)", m.len());
        assert!(oks > 100 && errs > 20, "seed {seed}: the script exercises both outcomes ({oks} ok, {errs} errors)");
    }
}
