//! proptest strategies for User populations and type-correct filters over them, plus a deterministic population
//! generator for benchmarks and the load tool.
//!
//! Users and filter literals draw from one small shared vocabulary (a handful of given and family names, titles,
//! email domains and types, instants), so random filters often match some users and often miss others. The
//! filters stay within the part of RFC 7644 section 3.4.2.2 that servers do not dispute, because the harness runs
//! them against real servers: no ordering on strings (servers collate differently), no `ne` on multi-valued
//! attributes outside a value filter, no comparisons on complex attributes without a sub-attribute, and no
//! `[..].sub` extension.

use crate::filter::{AttrPath, CompValue, CompareOp, Filter, ValuePath};
use crate::schema::{ENTERPRISE_USER_URN, USER_URN};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Map, Value, json};
use std::collections::HashSet;
use std::ops::Range;

/// Given names the generated users and filters share (the RFC's Barbara Jensen among them).
pub const GIVEN_NAMES: &[&str] = &["Barbara", "Alice", "Bob", "Carol", "Dave", "Eve"];
/// Family names the generated users and filters share.
pub const FAMILY_NAMES: &[&str] = &["Jensen", "Smith", "Jones", "Lee"];
/// Job titles.
pub const TITLES: &[&str] = &["Tour Guide", "Engineer", "Manager", "Intern"];
/// `userType` values.
pub const USER_TYPES: &[&str] = &["Employee", "Contractor", "Intern"];
/// Enterprise `department` values.
pub const DEPARTMENTS: &[&str] = &["Tour Operations", "Sales", "Engineering"];
/// Email domains.
pub const DOMAINS: &[&str] = &["example.com", "example.org"];
/// `emails.type` values (RFC 7643 section 4.1.2 canonical values).
pub const EMAIL_TYPES: &[&str] = &["work", "home", "other"];
/// `phoneNumbers.type` values.
pub const PHONE_TYPES: &[&str] = &["work", "mobile", "home"];
/// Phone numbers.
pub const PHONES: &[&str] = &["555-555-5555", "555-555-4444", "555-555-0100"];
/// Instants used for `meta.lastModified`; the first two are the same instant written with different offsets.
pub const INSTANTS: &[&str] = &[
    "2011-05-13T04:42:34Z",
    "2011-05-13T06:42:34+02:00",
    "2015-07-01T12:00:00Z",
    "2020-01-01T00:00:00.250Z",
    "2023-06-15T08:30:00-05:00",
];
/// How many distinct ids `arb_user` draws from (`user-0` ... `user-11`); manager references draw from the same.
const ID_SPACE: usize = 12;

/// Everything that varies between users; [`UserParts::render`] turns it into SCIM JSON.
#[derive(Debug, Clone)]
struct UserParts {
    id: String,
    user_name: String,
    given: usize,
    family: usize,
    display_name: bool,
    title: Option<usize>,
    user_type: Option<usize>,
    active: Option<bool>,
    /// (local part, domain, type, primary)
    emails: Vec<(String, usize, usize, bool)>,
    /// (number, type)
    phones: Vec<(usize, usize)>,
    last_modified: String,
    /// (employeeNumber, department, manager id)
    enterprise: Option<(String, Option<usize>, Option<String>)>,
}

impl UserParts {
    fn render(&self) -> Value {
        let (given, family) = (GIVEN_NAMES[self.given], FAMILY_NAMES[self.family]);
        let mut schemas = vec![json!(USER_URN)];
        let mut u = Map::new();
        // `schemas` first, as in the RFC's examples; filled in at the end (re-inserting keeps the position).
        u.insert("schemas".into(), Value::Null);
        u.insert("id".into(), json!(self.id));
        u.insert("userName".into(), json!(self.user_name));
        u.insert(
            "name".into(),
            json!({"formatted": format!("{given} {family}"), "familyName": family, "givenName": given}),
        );
        if self.display_name {
            u.insert("displayName".into(), json!(format!("{given} {family}")));
        }
        if let Some(t) = self.title {
            u.insert("title".into(), json!(TITLES[t]));
        }
        if let Some(t) = self.user_type {
            u.insert("userType".into(), json!(USER_TYPES[t]));
        }
        if let Some(a) = self.active {
            u.insert("active".into(), json!(a));
        }
        if !self.emails.is_empty() {
            let emails = self.emails.iter().map(|(local, d, t, primary)| {
                json!({"value": format!("{local}@{}", DOMAINS[*d]), "type": EMAIL_TYPES[*t], "primary": primary})
            });
            u.insert("emails".into(), Value::Array(emails.collect()));
        }
        if !self.phones.is_empty() {
            let phones = self.phones.iter().map(|(n, t)| json!({"value": PHONES[*n], "type": PHONE_TYPES[*t]}));
            u.insert("phoneNumbers".into(), Value::Array(phones.collect()));
        }
        if let Some((number, department, manager)) = &self.enterprise {
            schemas.push(json!(ENTERPRISE_USER_URN));
            let mut ext = Map::new();
            ext.insert("employeeNumber".into(), json!(number));
            if let Some(d) = department {
                ext.insert("department".into(), json!(DEPARTMENTS[*d]));
            }
            if let Some(m) = manager {
                ext.insert("manager".into(), json!({"value": m}));
            }
            u.insert(ENTERPRISE_USER_URN.into(), Value::Object(ext));
        }
        u.insert(
            "meta".into(),
            json!({
                "resourceType": "User",
                "created": "2010-01-23T04:56:22Z",
                "lastModified": self.last_modified,
                "location": format!("https://example.com/v2/Users/{}", self.id),
                "version": "W/\"1\"",
            }),
        );
        u.insert("schemas".into(), Value::Array(schemas));
        Value::Object(u)
    }
}

/// The userName `arb_user` gives a person: first initial and family name (`bjensen`), in one of a few casings.
fn base_user_name(given: usize, family: usize, upper: bool) -> String {
    let (g, f) = (GIVEN_NAMES[given], FAMILY_NAMES[family]);
    let initial = &g[..1];
    if upper { format!("{initial}{f}") } else { format!("{initial}{f}").to_ascii_lowercase() }
}

/// A core User (RFC 7643 section 4.1) with id, userName, name, displayName, title, userType, active, emails,
/// phoneNumbers and meta, and in about half the cases the enterprise extension (section 4.3) with
/// employeeNumber, department and manager. Values come from the shared vocabulary of this module; ids are
/// `user-0` ... `user-11` and may repeat (use [`arb_users`] for a population with unique ids and userNames).
pub fn arb_user() -> impl Strategy<Value = Value> {
    let names = (0..GIVEN_NAMES.len(), 0..FAMILY_NAMES.len(), any::<bool>(), 0..ID_SPACE);
    let singles = (
        any::<bool>(),
        proptest::option::of(0..TITLES.len()),
        proptest::option::of(0..USER_TYPES.len()),
        proptest::option::weighted(0.9, any::<bool>()),
        0..INSTANTS.len(),
    );
    let email = (any::<bool>(), 0..DOMAINS.len(), 0..EMAIL_TYPES.len());
    let emails = (proptest::collection::vec(email, 0..3), proptest::option::of(0..3usize));
    let phones = proptest::collection::vec((0..PHONES.len(), 0..PHONE_TYPES.len()), 0..3);
    let enterprise =
        proptest::option::of((1..10u32, proptest::option::of(0..DEPARTMENTS.len()), proptest::option::of(0..ID_SPACE)));
    (names, singles, emails, phones, enterprise).prop_map(
        |((given, family, upper, id), singles, (emails, primary), phones, enterprise)| {
            let (display_name, title, user_type, active, instant) = singles;
            let local = format!("{}.{}", GIVEN_NAMES[given], FAMILY_NAMES[family]);
            let emails = emails
                .into_iter()
                .enumerate()
                .map(|(i, (cased, d, t))| {
                    let local = if cased { local.clone() } else { local.to_ascii_lowercase() };
                    (local, d, t, primary == Some(i))
                })
                .collect();
            UserParts {
                id: format!("user-{id}"),
                user_name: base_user_name(given, family, upper),
                given,
                family,
                display_name,
                title,
                user_type,
                active,
                emails,
                phones,
                last_modified: INSTANTS[instant].to_owned(),
                enterprise: enterprise.map(|(n, d, m)| (n.to_string(), d, m.map(|m: usize| format!("user-{m}")))),
            }
            .render()
        },
    )
}

/// A population of `n` users ([`arb_user`]) with unique ids (`user-0`, `user-1`, ... by position) and unique
/// userNames (compared case-insensitively, as `userName` is `caseExact=false`; a repeated name gets its position
/// appended: `bjensen`, `bjensen3`).
pub fn arb_users(n: Range<usize>) -> impl Strategy<Value = Vec<Value>> {
    proptest::collection::vec(arb_user(), n).prop_map(|mut users| {
        let mut seen = HashSet::new();
        for (i, u) in users.iter_mut().enumerate() {
            let id = format!("user-{i}");
            let Some(obj) = u.as_object_mut() else { continue };
            let mut name = obj.get("userName").and_then(Value::as_str).unwrap_or("user").to_owned();
            if !seen.insert(name.to_lowercase()) {
                name = format!("{name}{i}");
                seen.insert(name.to_lowercase());
            }
            obj.insert("userName".into(), json!(name));
            if let Some(Value::Object(meta)) = obj.get_mut("meta") {
                meta.insert("location".into(), json!(format!("https://example.com/v2/Users/{id}")));
            }
            obj.insert("id".into(), json!(id));
        }
        users
    })
}

/// How a generated leaf compares its attribute.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// A string attribute; `exact` is its caseExact, which decides whether literals get random casing.
    Str { exact: bool },
    /// A boolean: `eq` / `ne` with true or false.
    Bool,
    /// A dateTime: equality and ordering with instants from [`INSTANTS`].
    Time,
}

/// Words a string attribute's literals are drawn from (values users actually hold, in their stored casing).
fn words(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn user_name_words() -> Vec<String> {
    let mut out = Vec::new();
    for g in 0..GIVEN_NAMES.len() {
        for f in 0..FAMILY_NAMES.len() {
            out.push(base_user_name(g, f, false));
        }
    }
    out
}

fn full_name_words() -> Vec<String> {
    GIVEN_NAMES.iter().flat_map(|g| FAMILY_NAMES.iter().map(move |f| format!("{g} {f}"))).collect()
}

fn email_words() -> Vec<String> {
    let mut out = Vec::new();
    for g in GIVEN_NAMES {
        for f in FAMILY_NAMES {
            for d in DOMAINS {
                out.push(format!("{g}.{f}@{d}").to_ascii_lowercase());
            }
        }
    }
    out
}

fn id_words() -> Vec<String> {
    (0..ID_SPACE).map(|i| format!("user-{i}")).collect()
}

/// Applies one of three casings to a literal (as written, lower, upper) when the attribute ignores case.
fn recase(s: String, exact: bool, casing: u8) -> String {
    match (exact, casing % 3) {
        (true, _) | (false, 0) => s,
        (false, 1) => s.to_lowercase(),
        (false, _) => s.to_uppercase(),
    }
}

/// Attribute names are case-insensitive (RFC 7643 section 2.1): sometimes write them in upper or lower case.
fn rename(mut p: AttrPath, casing: u8) -> AttrPath {
    fn recased(s: &str, casing: u8) -> String {
        match casing % 4 {
            1 => s.to_uppercase(),
            2 => s.to_lowercase(),
            _ => s.to_owned(),
        }
    }
    p.name = recased(&p.name, casing);
    p.sub = p.sub.as_deref().map(|s| recased(s, casing));
    p
}

/// The part of `word` that `op` tests: a prefix for sw, a suffix for ew, any non-empty piece for co.
fn fragment(word: &str, op: CompareOp, a: Index, b: Index) -> String {
    let chars: Vec<char> = word.chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    let len = 1 + a.index(chars.len());
    let start = match op {
        CompareOp::Sw => 0,
        CompareOp::Ew => chars.len() - len,
        _ => b.index(chars.len() - len + 1),
    };
    chars[start..start + len].iter().collect()
}

/// A leaf test of one attribute: presence, or a comparison of the kind's type with a literal from `vocab`.
/// `ne` only when `allow_ne` (single-valued attributes and element sub-attributes).
fn arb_leaf(path: AttrPath, kind: Kind, vocab: Vec<String>, allow_ne: bool) -> BoxedStrategy<Filter> {
    let named = (Just(path), any::<u8>()).prop_map(|(p, c)| rename(p, c));
    let eq_ops = if allow_ne { vec![CompareOp::Eq, CompareOp::Ne] } else { vec![CompareOp::Eq] };
    let eq_op = proptest::sample::select(eq_ops);
    match kind {
        Kind::Str { exact } => {
            let whole = (named.clone(), eq_op, proptest::sample::select(vocab.clone()), any::<u8>())
                .prop_map(move |(p, op, w, c)| Filter::compare(p, op, CompValue::String(recase(w, exact, c))));
            let ops = proptest::sample::select(vec![CompareOp::Co, CompareOp::Sw, CompareOp::Ew]);
            let part = (named.clone(), ops, proptest::sample::select(vocab), any::<Index>(), any::<Index>(), any::<u8>())
                .prop_map(move |(p, op, w, a, b, c)| {
                    Filter::compare(p, op, CompValue::String(recase(fragment(&w, op, a, b), exact, c)))
                });
            prop_oneof![4 => whole, 3 => part, 1 => named.prop_map(Filter::present)].boxed()
        }
        Kind::Bool => prop_oneof![
            4 => (named.clone(), eq_op, any::<bool>()).prop_map(|(p, op, b)| Filter::compare(p, op, CompValue::Bool(b))),
            1 => named.prop_map(Filter::present),
        ]
        .boxed(),
        Kind::Time => {
            let mut ops = vec![CompareOp::Eq, CompareOp::Gt, CompareOp::Ge, CompareOp::Lt, CompareOp::Le];
            if allow_ne {
                ops.push(CompareOp::Ne);
            }
            let instants = words(INSTANTS);
            prop_oneof![
                4 => (named.clone(), proptest::sample::select(ops), proptest::sample::select(instants))
                    .prop_map(|(p, op, t)| Filter::compare(p, op, CompValue::String(t))),
                1 => named.prop_map(Filter::present),
            ]
            .boxed()
        }
    }
}

/// Leaves on the User's attributes outside any value filter.
fn arb_user_leaf() -> BoxedStrategy<Filter> {
    let s = |exact| Kind::Str { exact };
    let enterprise = |name: &str, sub: Option<&str>, qualified: bool| AttrPath {
        urn: qualified.then(|| ENTERPRISE_USER_URN.to_owned()),
        name: name.to_owned(),
        sub: sub.map(str::to_owned),
    };
    // RFC 7644 section 3.10: clients SHOULD qualify extension attributes with their schema URN, and a server need
    // not resolve them bare, so the uncontested core always qualifies them.
    let ext = |name: &'static str, sub: Option<&'static str>, w: Vec<String>| {
        arb_leaf(enterprise(name, sub, true), s(false), w, true)
    };
    prop_oneof![
        3 => arb_leaf(AttrPath::simple("userName"), s(false), user_name_words(), true),
        1 => arb_leaf(AttrPath::simple("id"), s(true), id_words(), true),
        1 => arb_leaf(AttrPath::with_sub("name", "givenName"), s(false), words(GIVEN_NAMES), true),
        1 => arb_leaf(AttrPath::with_sub("name", "familyName"), s(false), words(FAMILY_NAMES), true),
        1 => arb_leaf(AttrPath::with_sub("name", "formatted"), s(false), full_name_words(), true),
        1 => arb_leaf(AttrPath::simple("displayName"), s(false), full_name_words(), true),
        1 => arb_leaf(AttrPath::simple("title"), s(false), words(TITLES), true),
        1 => arb_leaf(AttrPath::simple("userType"), s(false), words(USER_TYPES), true),
        2 => arb_leaf(AttrPath::simple("active"), Kind::Bool, Vec::new(), true),
        2 => arb_leaf(AttrPath::with_sub("emails", "value"), s(false), email_words(), false),
        1 => arb_leaf(AttrPath::with_sub("emails", "type"), s(false), words(EMAIL_TYPES), false),
        1 => arb_leaf(AttrPath::with_sub("phoneNumbers", "value"), s(false), words(PHONES), false),
        2 => arb_leaf(AttrPath::with_sub("meta", "lastModified"), Kind::Time, Vec::new(), true),
        1 => ext("employeeNumber", None, (1..10).map(|i| i.to_string()).collect()),
        1 => ext("department", None, words(DEPARTMENTS)),
        1 => ext("manager", Some("value"), id_words()),
    ]
    .boxed()
}

/// Combines `leaf` with and / or / not, at most `depth` levels deep.
fn combine(leaf: BoxedStrategy<Filter>, depth: u32, size: u32) -> BoxedStrategy<Filter> {
    leaf.prop_recursive(depth, size, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Filter::and(a, b)),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Filter::or(a, b)),
            inner.prop_map(Filter::not),
        ]
    })
    .boxed()
}

/// `emails[...]` or `phoneNumbers[...]` with a small and / or / not filter over the element's sub-attributes.
fn arb_value_path() -> BoxedStrategy<Filter> {
    let s = Kind::Str { exact: false };
    let email = prop_oneof![
        arb_leaf(AttrPath::simple("type"), s, words(EMAIL_TYPES), true),
        arb_leaf(AttrPath::simple("value"), s, email_words(), true),
        arb_leaf(AttrPath::simple("primary"), Kind::Bool, Vec::new(), true),
    ]
    .boxed();
    let phone = prop_oneof![
        arb_leaf(AttrPath::simple("type"), s, words(PHONE_TYPES), true),
        arb_leaf(AttrPath::simple("value"), s, words(PHONES), true),
    ]
    .boxed();
    let vp = |name: &'static str, inner: BoxedStrategy<Filter>| {
        combine(inner, 2, 6).prop_map(move |f| {
            Filter::ValuePath(ValuePath { attr: AttrPath::simple(name), filter: Box::new(f), then: None })
        })
    };
    prop_oneof![3 => vp("emails", email), 1 => vp("phoneNumbers", phone)].boxed()
}

/// A type-correct filter over the attributes [`arb_user`] fills: eq / ne / pr on `active`, dateTime literals
/// (with equality and ordering) on `meta.lastModified`, strings elsewhere (eq ne co sw ew pr), value filters on
/// `emails` and `phoneNumbers`, combined with and / or / not up to depth 3. Every filter it produces compiles
/// against the core User resource type, and its literals come from the users' vocabulary.
pub fn arb_user_filter() -> impl Strategy<Value = Filter> {
    combine(prop_oneof![4 => arb_user_leaf(), 1 => arb_value_path()].boxed(), 3, 12)
}

/// splitmix64: a tiny, fixed PRNG, so populations are the same on every machine and every proptest version.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// `n` users, the same for the same `(n, seed)`: user `i` has userName `user{i}`, a UUID-shaped id, a primary
/// work email `{given}.{family}.{i}@example.com` (so `emails[value co "5000"]` picks user 5000 out of 10,000),
/// sometimes a home email, phones, title, userType, active, a `meta.lastModified` spread over 2020-2023, and in
/// two cases out of three the enterprise extension with `employeeNumber` `{i}` and a manager drawn from the users
/// before it.
pub fn user_population(n: usize, seed: u64) -> Vec<Value> {
    let mut rng = SplitMix(seed);
    let mut ids: Vec<String> = Vec::with_capacity(n);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let id = format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            rng.next() as u32,
            rng.next() as u16,
            rng.next() & 0xfff,
            rng.next() & 0xfff,
            rng.next() & 0xffff_ffff_ffff
        );
        let (given, family) = (rng.below(GIVEN_NAMES.len()), rng.below(FAMILY_NAMES.len()));
        let local = format!("{}.{}.{i}", GIVEN_NAMES[given], FAMILY_NAMES[family]).to_ascii_lowercase();
        let mut emails = vec![(local.clone(), 0, 0, true)];
        if rng.chance(50) {
            emails.push((local, 1, 1, false));
        }
        let phones = (0..rng.below(3)).map(|_| (rng.below(PHONES.len()), rng.below(PHONE_TYPES.len()))).collect();
        // 2020-01-01T00:00:00Z plus up to four years of seconds.
        let second = 1_577_836_800 + (rng.next() % (4 * 365 * 86_400)) as i64;
        let last_modified = jiff::Timestamp::from_second(second)
            .map_or_else(|_| INSTANTS[rng.below(INSTANTS.len())].to_owned(), |t| t.to_string());
        let enterprise = rng.chance(67).then(|| {
            let manager = (!ids.is_empty() && rng.chance(80)).then(|| ids[rng.below(ids.len())].clone());
            (i.to_string(), Some(rng.below(DEPARTMENTS.len())), manager)
        });
        let parts = UserParts {
            id: id.clone(),
            user_name: format!("user{i}"),
            given,
            family,
            display_name: rng.chance(90),
            title: rng.chance(80).then(|| rng.below(TITLES.len())),
            user_type: rng.chance(80).then(|| rng.below(USER_TYPES.len())),
            active: Some(rng.chance(85)),
            emails,
            phones,
            last_modified,
            enterprise,
        };
        out.push(parts.render());
        ids.push(id);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::Matcher;
    use crate::schema::SchemaRegistry;

    #[test]
    fn population_is_deterministic_and_unique() {
        let a = user_population(200, 7);
        assert_eq!(a, user_population(200, 7));
        assert_ne!(a, user_population(200, 8));
        let ids: HashSet<_> = a.iter().map(|u| u["id"].as_str().expect("id").to_owned()).collect();
        assert_eq!(ids.len(), 200);
        assert_eq!(a[42]["userName"], "user42");
        assert!(a[42]["emails"][0]["value"].as_str().expect("email").contains(".42@"));
    }

    /// The shared vocabulary must make filters discriminate: many match some users and miss others.
    #[test]
    fn generated_filters_often_split_a_population() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let view = SchemaRegistry::core().user();
        let users = arb_users(30..31).new_tree(&mut runner).expect("users").current();
        let mut split = 0;
        for _ in 0..300 {
            let f = arb_user_filter().new_tree(&mut runner).expect("filter").current();
            let m = Matcher::compile(&f, &view).expect("type-correct");
            let hits = users.iter().filter(|u| m.matches(u)).count();
            if hits > 0 && hits < users.len() {
                split += 1;
            }
        }
        assert!(split >= 120, "only {split} of 300 filters split the population");
    }

    proptest! {
        #[test]
        fn generated_filters_compile_against_the_user_schema(f in arb_user_filter()) {
            let view = SchemaRegistry::core().user();
            prop_assert!(Matcher::compile(&f, &view).is_ok(), "{f:?}");
        }

        #[test]
        fn populations_have_unique_ids_and_user_names(users in arb_users(0..20)) {
            let ids: HashSet<_> = users.iter().map(|u| u["id"].to_string()).collect();
            let names: HashSet<_> =
                users.iter().map(|u| u["userName"].as_str().unwrap_or_default().to_lowercase()).collect();
            prop_assert_eq!(ids.len(), users.len());
            prop_assert_eq!(names.len(), users.len());
        }
    }
}
