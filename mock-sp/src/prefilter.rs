//! A cheap test that rules out most resources before a filter is evaluated on them, for the filters that the
//! store's indexes cannot answer (`emails[type eq "work" and value co "5000"]` over 10,000 users).
//!
//! A string comparison `eq`, `co`, `sw` or `ew` on a string-typed attribute can only hold for a resource whose
//! text holds the literal: whatever the attribute's caseExact, a value that equals, contains, starts or ends with
//! the literal contains it once both are lowercased. So each resource keeps its text (every scalar value,
//! lowercased, joined), and a filter becomes [`Need`]: a formula over "the text contains this literal" that is
//! true for every resource the filter can match. `and` needs both sides, `or` either, `not`, `ne`, `pr`,
//! ordering and non-string types need nothing. Only ASCII literals are used: lowercasing them is exact, and an
//! ASCII substring of a value survives lowercasing of the value unchanged. The filter itself still decides; this
//! only skips the resources it would certainly reject.
//!
//! The text of a resource is cached by the address of its stored `Arc<Value>`: a stored value never changes
//! (an update stores a new one), and the cache holds a `Weak` to it, so the address cannot be reused for another
//! value while the entry exists.

use crate::store::Record;
use scimlab_protocol::filter::{AttrExp, AttrPath, CompValue, CompareOp, Filter, Test};
use scimlab_protocol::schema::{AttrType, AttributeDef, ResourceView};
use serde_json::Value;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, Weak};

/// What a resource's text must contain for a filter to possibly match it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    /// Nothing: every resource may match.
    Any,
    /// The text contains this (lowercase ASCII) literal.
    Text(String),
    /// Both.
    And(Box<Need>, Box<Need>),
    /// Either.
    Or(Box<Need>, Box<Need>),
}

impl Need {
    /// Whether nothing is needed (the test would pass every resource).
    pub fn is_any(&self) -> bool {
        *self == Need::Any
    }

    /// Whether `text` (from [`text_of`]) meets the need.
    pub fn holds(&self, text: &str) -> bool {
        match self {
            Need::Any => true,
            Need::Text(s) => text.contains(s.as_str()),
            Need::And(a, b) => a.holds(text) && b.holds(text),
            Need::Or(a, b) => a.holds(text) || b.holds(text),
        }
    }

    fn and(a: Need, b: Need) -> Need {
        match (a, b) {
            (Need::Any, x) | (x, Need::Any) => x,
            (a, b) => Need::And(Box::new(a), Box::new(b)),
        }
    }

    fn or(a: Need, b: Need) -> Need {
        match (a, b) {
            (Need::Any, _) | (_, Need::Any) => Need::Any,
            (a, b) => Need::Or(Box::new(a), Box::new(b)),
        }
    }
}

/// The need of `filter` over resources of `view`.
pub fn needs(filter: &Filter, view: &ResourceView<'_>) -> Need {
    need(filter, view, None)
}

/// The definition `path` names, at the top level or (inside a value path) under `parent`.
fn definition<'a>(
    view: &ResourceView<'a>,
    parent: Option<&'a AttributeDef>,
    path: &AttrPath,
) -> Option<&'a AttributeDef> {
    let top = match parent {
        Some(p) if path.urn.is_none() => p.sub(&path.name)?,
        Some(_) => return None,
        None => view.resolve(path.urn.as_deref(), &path.name)?.attr,
    };
    match &path.sub {
        Some(s) => top.sub(s),
        None => Some(top),
    }
}

/// The literal a test needs in the text, when it needs one.
fn literal(def: Option<&AttributeDef>, test: &Test) -> Need {
    let Test::Compare(op, CompValue::String(lit)) = test else { return Need::Any };
    let substring = matches!(op, CompareOp::Eq | CompareOp::Co | CompareOp::Sw | CompareOp::Ew);
    let stringy = def.is_some_and(|d| matches!(d.kind, AttrType::String | AttrType::Reference));
    if substring && stringy && lit.is_ascii() && !lit.is_empty() {
        Need::Text(lit.to_ascii_lowercase())
    } else {
        Need::Any
    }
}

fn need<'a>(f: &Filter, view: &ResourceView<'a>, parent: Option<&'a AttributeDef>) -> Need {
    match f {
        Filter::And(a, b) => Need::and(need(a, view, parent), need(b, view, parent)),
        Filter::Or(a, b) => Need::or(need(a, view, parent), need(b, view, parent)),
        Filter::Not(_) => Need::Any,
        Filter::Attr(AttrExp { path, test }) => literal(definition(view, parent, path), test),
        Filter::ValuePath(vp) => {
            if parent.is_some() {
                return Need::Any;
            }
            let Some(def) = definition(view, None, &vp.attr) else { return Need::Any };
            let inner = need(&vp.filter, view, Some(def));
            let then = match &vp.then {
                Some((sub, test)) => literal(def.sub(sub), test),
                None => Need::Any,
            };
            Need::and(inner, then)
        }
    }
}

/// Every scalar of `resource` (strings lowercased, numbers and booleans as written), joined by U+0001.
pub fn text_of(resource: &Value) -> String {
    fn walk(v: &Value, out: &mut String) {
        match v {
            Value::String(s) => {
                out.push('\u{1}');
                if s.is_ascii() {
                    out.extend(s.bytes().map(|b| char::from(b.to_ascii_lowercase())));
                } else {
                    out.push_str(&s.to_lowercase());
                }
            }
            Value::Number(n) => {
                out.push('\u{1}');
                out.push_str(&n.to_string());
            }
            Value::Bool(b) => {
                out.push('\u{1}');
                out.push_str(if *b { "true" } else { "false" });
            }
            Value::Null => {}
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            Value::Object(o) => o.values().for_each(|i| walk(i, out)),
        }
    }
    let mut out = String::with_capacity(512);
    walk(resource, &mut out);
    out
}

/// Texts of stored resources, by the address of their `Arc<Value>` (see the module docs). Scans read it
/// side by side; the texts a scan had to compute are added when it ends.
#[derive(Default)]
pub struct TextCache {
    map: RwLock<Entries>,
}

/// Text by value address, with the value it was computed from.
type Entries = HashMap<usize, (Weak<Value>, Box<str>), BuildHasherDefault<AddressHasher>>;

/// A hasher for addresses: heap addresses are distinct and aligned, so one multiplication spreads them well
/// enough, at a fraction of SipHash's cost (the lookup runs once per resource per scanning query).
#[derive(Default)]
pub struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = ((n as u64) >> 4).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
    }
}

/// The cache as one scan uses it.
pub struct Texts<'a> {
    cache: &'a TextCache,
    map: Option<RwLockReadGuard<'a, Entries>>,
    misses: Vec<(usize, Weak<Value>, Box<str>)>,
    live: usize,
}

impl TextCache {
    /// The cache for one scan over `live` stored resources (entries of values no longer stored are dropped
    /// once the cache has grown to twice that).
    pub fn scan(&self, live: usize) -> Texts<'_> {
        let map = self.map.read().unwrap_or_else(PoisonError::into_inner);
        Texts { cache: self, map: Some(map), misses: Vec::new(), live }
    }
}

impl Texts<'_> {
    /// Whether `record`'s stored value meets `need`.
    pub fn holds(&mut self, need: &Need, record: &Record) -> bool {
        let key = Arc::as_ptr(&record.resource) as usize;
        if let Some((w, t)) = self.map.as_ref().and_then(|m| m.get(&key))
            && std::ptr::eq(w.as_ptr(), Arc::as_ptr(&record.resource))
        {
            return need.holds(t);
        }
        let t = text_of(&record.resource);
        let ok = need.holds(&t);
        self.misses.push((key, Arc::downgrade(&record.resource), t.into_boxed_str()));
        ok
    }
}

impl Drop for Texts<'_> {
    fn drop(&mut self) {
        self.map = None;
        if self.misses.is_empty() {
            return;
        }
        let mut map = self.cache.map.write().unwrap_or_else(PoisonError::into_inner);
        if map.len() + self.misses.len() > 2 * self.live + 1024 {
            map.retain(|_, (w, _)| w.strong_count() > 0);
        }
        for (k, w, t) in self.misses.drain(..) {
            map.insert(k, (w, t));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scimlab_protocol::SchemaRegistry;
    use scimlab_protocol::filter::{Matcher, parse};
    use serde_json::json;

    fn need_of(text: &str) -> Need {
        needs(&parse(text).expect("filter"), &SchemaRegistry::core().user())
    }

    #[test]
    fn string_comparisons_need_their_literal_and_the_rest_need_nothing() {
        assert_eq!(
            need_of(r#"emails[type eq "work" and value co "5000"]"#),
            Need::And(Box::new(Need::Text("work".into())), Box::new(Need::Text("5000".into())))
        );
        assert_eq!(need_of(r#"title co "ENG""#), Need::Text("eng".into()));
        assert_eq!(need_of(r#"title co "x" or active eq true"#), Need::Any);
        assert_eq!(need_of(r#"not (title co "x")"#), Need::Any);
        assert_eq!(need_of(r#"title ne "x""#), Need::Any);
        assert_eq!(need_of(r#"title gt "x""#), Need::Any);
        assert_eq!(need_of(r#"meta.lastModified eq "2024-01-01T00:00:00Z""#), Need::Any);
        assert_eq!(need_of(r#"title co "Ünï""#), Need::Any);
        assert!(!need_of(r#"emails[type eq "work"].value ew "@x.org""#).is_any());
        assert_eq!(
            need_of(r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department sw "Dep""#),
            Need::Text("dep".into())
        );
    }

    const WORDS: &[&str] = &["Work", "home", "5000", "ΑΣ", "\u{212A}elvin", "straße", "x.org", "Eng", "", "İ", "42"];

    fn word(rng: &mut fastrand::Rng) -> String {
        let n = rng.usize(1..3);
        (0..n).map(|_| WORDS[rng.usize(..WORDS.len())]).collect::<Vec<_>>().join(if rng.bool() { "" } else { " " })
    }

    fn user(rng: &mut fastrand::Rng) -> Value {
        let emails: Vec<Value> = (0..rng.usize(0..3))
            .map(|_| json!({"type": if rng.bool() { "work" } else { "Home" }, "value": word(rng), "primary": rng.bool()}))
            .collect();
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": word(rng), "userName": word(rng), "title": word(rng), "displayName": word(rng),
            "active": rng.bool(), "emails": emails, "name": {"familyName": word(rng), "givenName": word(rng)},
            "meta": {"lastModified": "2024-05-01T10:00:00Z"},
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": word(rng)}
        })
    }

    fn filter(rng: &mut fastrand::Rng, depth: u32) -> String {
        let lit = |rng: &mut fastrand::Rng| serde_json::to_string(&word(rng)).expect("json string");
        let op = |rng: &mut fastrand::Rng| ["eq", "co", "sw", "ew", "ne", "gt", "le"][rng.usize(..7)];
        let attr = |rng: &mut fastrand::Rng| {
            [
                "userName",
                "title",
                "displayName",
                "name.familyName",
                "emails.value",
                "emails.type",
                "id",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
            ][rng.usize(..8)]
        };
        match (depth, rng.u8(0..7)) {
            (0, _) | (_, 0..=2) => format!("{} {} {}", attr(rng), op(rng), lit(rng)),
            (_, 3) => format!("({}) and ({})", filter(rng, depth - 1), filter(rng, depth - 1)),
            (_, 4) => format!("({}) or ({})", filter(rng, depth - 1), filter(rng, depth - 1)),
            (_, 5) => format!("not ({})", filter(rng, depth - 1)),
            _ => format!("emails[type {} {} and value {} {}]", op(rng), lit(rng), op(rng), lit(rng)),
        }
    }

    /// The need never rules out a resource the filter matches (the test is only ever a superset).
    #[test]
    fn the_need_never_rules_out_a_match() {
        let view = SchemaRegistry::core().user();
        let mut rng = fastrand::Rng::with_seed(2024);
        let users: Vec<Value> = (0..60).map(|_| user(&mut rng)).collect();
        let texts: Vec<String> = users.iter().map(text_of).collect();
        let (mut matched, mut pruned) = (0, 0);
        for _ in 0..3000 {
            let text = filter(&mut rng, 3);
            let Ok(f) = parse(&text) else { continue };
            let Ok(m) = Matcher::compile(&f, &view) else { continue };
            let need = needs(&f, &view);
            for (u, t) in users.iter().zip(&texts) {
                let hit = m.matches(u);
                matched += usize::from(hit);
                pruned += usize::from(!need.holds(t));
                assert!(!hit || need.holds(t), "{text} matches {u} but its need {need:?} rules it out");
            }
        }
        assert!(matched > 1000 && pruned > 10_000, "the property is exercised: {matched} matches, {pruned} pruned");
    }

    #[test]
    fn cached_texts_follow_the_stored_value() {
        let cache = TextCache::default();
        let (eng, ops) = (Need::Text("eng".into()), Need::Text("ops".into()));
        let rec = Record { id: "1".into(), version: 1, resource: Arc::new(json!({"title": "Eng"})) };
        assert!(cache.scan(1).holds(&eng, &rec));
        assert!(cache.scan(1).holds(&eng, &rec), "from the cache");
        let newer = Record { id: "1".into(), version: 2, resource: Arc::new(json!({"title": "Ops"})) };
        assert!(cache.scan(1).holds(&ops, &newer) && !cache.scan(1).holds(&eng, &newer));
        assert!(cache.scan(1).holds(&eng, &rec));
        assert_eq!(cache.map.read().map(|m| m.len()).unwrap_or(0), 2);
    }
}
