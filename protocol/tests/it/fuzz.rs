//! Fuzzing of what scimlab-protocol reads from outside the process: the filter parser, the PATCH path parser and
//! PatchOp reader (then the applier), and the Bulk readers (issue 10, "Proof").
//!
//! The grammar already has generated round-trip properties (`filter_syntax.rs`) and the two Bulk readers already
//! agree on generated requests (`bulk/read.rs`); these tests feed what no generator writes: the seed corpus in
//! `tests/fuzz-corpus/` edited byte by byte and node by node (tokens inserted, ranges deleted or repeated, seeds
//! spliced, JSON values swapped for hostile ones), and arbitrary text and bytes. Properties: nothing panics (or
//! overflows its stack); whatever parses prints back to text that parses to the same tree; an error names an
//! offset inside the input; a failed PATCH leaves the resource as it was; the fast Bulk reader and the value reader
//! accept and refuse every body alike.
//!
//! Each property runs a fixed number of cases (independent of `PROPTEST_CASES`) so `cargo test` stays quick; set
//! `SCIMLAB_FUZZ_CASES=200000` (and build with `--release`) to run a campaign by hand. Failures are kept in
//! `tests/proptest-regressions/` and replayed first.

use crate::patch::{bjensen, groups, tour_guides, users};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config as ProptestConfig;
use scimlab_protocol::bulk::{self, BulkRequest};
use scimlab_protocol::filter::{Matcher, parse};
use scimlab_protocol::patch::{self, PatchOptions, PatchRequest};
use scimlab_protocol::projection::Projection;
use scimlab_protocol::schema::{BULK_REQUEST_URN, PATCH_OP_URN};
use scimlab_protocol::{PatchPath, ScimType};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// The seed corpus folder.
fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus")
}

/// The non-empty lines of a corpus text file (one input per line).
fn lines(name: &str) -> Vec<Vec<u8>> {
    let path = corpus_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().filter(|l| !l.is_empty()).map(|l| l.as_bytes().to_vec()).collect()
}

/// The `.json` files of a corpus folder, in name order, with the `{uid}` and `{gid}` placeholders filled in with
/// the ids of [`bjensen`] and [`tour_guides`].
fn json_files(dir: &str) -> Vec<Vec<u8>> {
    let dir = corpus_dir().join(dir);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("corpus entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            text.replace("{uid}", "2819c223-7f76-453a-919d-413861904646")
                .replace("{gid}", "e9e30dba-f08f-4109-8486-d5c6a331660a")
                .into_bytes()
        })
        .collect()
}

static FILTERS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| lines("filters.txt"));
static PATHS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| lines("patch-paths.txt"));
static PATCHES: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| json_files("patch"));
static BULKS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| json_files("bulk"));
/// Text worth inserting into a filter or a PATCH path: keywords, operators, brackets, escapes, URNs, numbers at
/// the edges of what a float or an integer holds, and runs that test the nesting bounds.
static FILTER_TOKENS: LazyLock<Vec<String>> = LazyLock::new(|| tokens("filter-tokens.json"));
/// Text worth inserting into JSON: structure, member names the readers look for (in other cases too), hostile
/// scalars.
static JSON_TOKENS: LazyLock<Vec<String>> = LazyLock::new(|| tokens("json-tokens.json"));

/// A dictionary: a JSON array of strings.
fn tokens(name: &str) -> Vec<String> {
    let path = corpus_dir().join(name);
    let text = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Cases per property: `default` (what `cargo test` runs), or `SCIMLAB_FUZZ_CASES` when set.
fn config(default: u32) -> ProptestConfig {
    let cases = std::env::var("SCIMLAB_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(default);
    ProptestConfig { cases, max_shrink_iters: 4096, ..ProptestConfig::default() }
}

// ---------------------------------------------------------------------------------------------------------------
// Mutations

/// One edit of a seed; positions are [`Index`]es into whatever the input is by then.
#[derive(Debug, Clone)]
enum Edit {
    /// Inserts a dictionary token.
    Token(Index, Index),
    /// Inserts arbitrary bytes.
    Bytes(Index, Vec<u8>),
    /// Deletes up to this many bytes.
    Delete(Index, u8),
    /// Overwrites one byte.
    Overwrite(Index, u8),
    /// Repeats a range of the input up to this many times (deep nesting, long lists).
    Repeat(Index, u8, u8),
    /// Inserts a range of another seed.
    Splice(Index, Index, Index, u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<Index>(), any::<Index>()).prop_map(|(at, t)| Edit::Token(at, t)),
        1 => (any::<Index>(), proptest::collection::vec(any::<u8>(), 1..8)).prop_map(|(at, b)| Edit::Bytes(at, b)),
        3 => (any::<Index>(), 1..32u8).prop_map(|(at, n)| Edit::Delete(at, n)),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(at, b)| Edit::Overwrite(at, b)),
        1 => (any::<Index>(), 1..24u8, 1..40u8).prop_map(|(at, n, times)| Edit::Repeat(at, n, times)),
        2 => (any::<Index>(), any::<Index>(), any::<Index>(), 1..48u8).prop_map(|(at, s, from, n)| Edit::Splice(at, s, from, n)),
    ]
}

/// A position in `0..=len`.
fn pos(at: &Index, len: usize) -> usize {
    at.index(len + 1)
}

/// Applies `edits` to a copy of `seed`; `seeds` feeds splices and `tokens` insertions.
fn mutate(seed: &[u8], edits: &[Edit], seeds: &[Vec<u8>], tokens: &[String]) -> Vec<u8> {
    let mut out = seed.to_vec();
    for e in edits {
        match e {
            Edit::Token(at, t) => {
                let p = pos(at, out.len());
                out.splice(p..p, t.get(tokens).bytes());
            }
            Edit::Bytes(at, bytes) => {
                let p = pos(at, out.len());
                out.splice(p..p, bytes.iter().copied());
            }
            Edit::Delete(at, n) => {
                let p = pos(at, out.len());
                let end = (p + usize::from(*n)).min(out.len());
                out.drain(p..end);
            }
            Edit::Overwrite(at, b) => {
                if !out.is_empty() {
                    let p = at.index(out.len());
                    out[p] = *b;
                }
            }
            Edit::Repeat(at, n, times) => {
                let p = pos(at, out.len());
                let end = (p + usize::from(*n)).min(out.len());
                let chunk = out[p..end].to_vec();
                let copies = chunk.repeat(usize::from(*times));
                out.splice(end..end, copies);
            }
            Edit::Splice(at, s, from, n) => {
                let other = pick(s, seeds);
                let start = pos(from, other.len());
                let end = (start + usize::from(*n)).min(other.len());
                let p = pos(at, out.len());
                out.splice(p..p, other[start..end].iter().copied());
            }
        }
        // Keep inputs to a few KB, as a server's limits would.
        out.truncate(8 * 1024);
    }
    out
}

/// A seed from `seeds` with up to `max_edits` edits.
fn mutant(
    seeds: &'static LazyLock<Vec<Vec<u8>>>,
    tokens: &'static LazyLock<Vec<String>>,
    max_edits: usize,
) -> impl Strategy<Value = Input> {
    (any::<Index>(), proptest::collection::vec(edit(), 0..=max_edits)).prop_map(move |(seed, edits)| {
        let seeds: &Vec<Vec<u8>> = seeds;
        Input(mutate(pick(&seed, seeds), &edits, seeds, tokens))
    })
}

/// [`mutant`] as text (invalid UTF-8 replaced), for the parsers that take `&str`.
fn text_mutant(
    seeds: &'static LazyLock<Vec<Vec<u8>>>,
    tokens: &'static LazyLock<Vec<String>>,
    max_edits: usize,
) -> impl Strategy<Value = String> {
    mutant(seeds, tokens, max_edits).prop_map(|input| String::from_utf8_lossy(&input.0).into_owned())
}

/// A fuzz input, shown as an escaped byte string when a case fails (instead of a list of numbers).
#[derive(Clone)]
struct Input(Vec<u8>);

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "b\"{}\"", self.0.escape_ascii())
    }
}

/// JSON values that readers must refuse or survive, to put in place of any node of a seed.
fn hostile_value() -> impl Strategy<Value = Value> {
    let deep = |n: usize| (0..n).fold(json!("bottom"), |v, _| json!([v]));
    prop_oneof![
        Just(json!(null)),
        Just(json!(true)),
        Just(json!(0)),
        Just(json!(-1)),
        Just(json!(1.5)),
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(1e300)),
        Just(json!("")),
        Just(json!("bulkId:qwerty")),
        Just(json!("bulkId:")),
        Just(json!("/Users")),
        Just(json!("/Users/2819c223-7f76-453a-919d-413861904646")),
        Just(json!("//")),
        Just(json!("POST")),
        Just(json!("delete")),
        Just(json!("Replace")),
        Just(json!("remove")),
        Just(json!(PATCH_OP_URN)),
        Just(json!(BULK_REQUEST_URN)),
        Just(json!([])),
        Just(json!({})),
        Just(json!([null])),
        Just(json!({"value": "x", "type": "work", "primary": true})),
        Just(json!([{"value": "x"}, {"value": "x", "primary": true}, {"primary": true}])),
        Just(json!({"op": "remove", "path": "emails[value pr]"})),
        Just(json!("x".repeat(2000))),
        Just(deep(100)),
        any::<Index>().prop_map(|i| json!(i.get(&FILTER_TOKENS))),
        any::<Index>().prop_map(|i| json!(String::from_utf8_lossy(pick(&i, &PATHS)))),
        any::<Index>().prop_map(|i| json!(String::from_utf8_lossy(pick(&i, &FILTERS)))),
        "\\PC{0,12}".prop_map(Value::String),
    ]
}

/// One edit of a JSON tree: the node is the `Index`th in pre-order.
#[derive(Debug, Clone)]
enum TreeEdit {
    /// Replaces the node.
    Replace(Index, Value),
    /// Removes a member or element of the node, if it is an object or array.
    Remove(Index, Index),
    /// Renames a member of the node to other case (or to a different name).
    Rename(Index, Index, u8),
    /// Repeats an element of an array (or copies a member's value under another case of its name).
    Duplicate(Index, Index, u8),
    /// Wraps the node in an array.
    Wrap(Index),
}

fn tree_edit() -> impl Strategy<Value = TreeEdit> {
    prop_oneof![
        4 => (any::<Index>(), hostile_value()).prop_map(|(n, v)| TreeEdit::Replace(n, v)),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(n, m)| TreeEdit::Remove(n, m)),
        2 => (any::<Index>(), any::<Index>(), any::<u8>()).prop_map(|(n, m, how)| TreeEdit::Rename(n, m, how)),
        2 => (any::<Index>(), any::<Index>(), 1..60u8).prop_map(|(n, m, times)| TreeEdit::Duplicate(n, m, times)),
        1 => any::<Index>().prop_map(TreeEdit::Wrap),
    ]
}

fn count_nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(items) => items.iter().map(count_nodes).sum(),
        Value::Object(members) => members.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// The `n`th node of `v` in pre-order, if there is one.
fn nth_node(v: &mut Value, n: usize) -> Option<&mut Value> {
    if n == 0 {
        return Some(v);
    }
    let mut rest = n - 1;
    let children: Vec<&mut Value> = match v {
        Value::Array(items) => items.iter_mut().collect(),
        Value::Object(members) => members.values_mut().collect(),
        _ => return None,
    };
    for child in children {
        let size = count_nodes(child);
        if rest < size {
            return nth_node(child, rest);
        }
        rest -= size;
    }
    None
}

fn rename(name: &str, how: u8) -> String {
    match how % 5 {
        0 => name.to_ascii_uppercase(),
        1 => name.to_ascii_lowercase(),
        2 => name.chars().enumerate().map(|(i, c)| if i % 2 == 0 { c.to_ascii_uppercase() } else { c }).collect(),
        3 => format!("{name}x"),
        _ => String::new(),
    }
}

fn apply_tree_edit(root: &mut Value, edit: &TreeEdit) {
    let at = |n: &Index, root: &Value| n.index(count_nodes(root));
    match edit {
        TreeEdit::Replace(n, v) => {
            let i = at(n, root);
            if let Some(node) = nth_node(root, i) {
                *node = v.clone();
            }
        }
        TreeEdit::Remove(n, m) => match nth_node(root, at(n, root)) {
            Some(Value::Array(items)) if !items.is_empty() => {
                items.remove(m.index(items.len()));
            }
            Some(Value::Object(members)) if !members.is_empty() => {
                let key = m.get(&members.keys().cloned().collect::<Vec<_>>()).clone();
                members.shift_remove(&key);
            }
            _ => {}
        },
        TreeEdit::Rename(n, m, how) => {
            if let Some(Value::Object(members)) = nth_node(root, at(n, root))
                && !members.is_empty()
            {
                let renamed: Map<String, Value> = {
                    let k = m.index(members.len());
                    std::mem::take(members)
                        .into_iter()
                        .enumerate()
                        .map(|(i, (name, v))| if i == k { (rename(&name, *how), v) } else { (name, v) })
                        .collect()
                };
                *members = renamed;
            }
        }
        TreeEdit::Duplicate(n, m, times) => match nth_node(root, at(n, root)) {
            Some(Value::Array(items)) if !items.is_empty() => {
                let item = items[m.index(items.len())].clone();
                items.extend(std::iter::repeat_n(item, usize::from(*times)));
            }
            Some(Value::Object(members)) if !members.is_empty() => {
                let (name, v) =
                    members.iter().nth(m.index(members.len())).map(|(k, v)| (k.clone(), v.clone())).expect("in range");
                members.insert(rename(&name, *times), v);
            }
            _ => {}
        },
        TreeEdit::Wrap(n) => {
            let i = at(n, root);
            if let Some(node) = nth_node(root, i) {
                *node = json!([node.take()]);
            }
        }
    }
}

/// A JSON seed from `seeds` with up to `max` tree edits, as bytes.
fn tree_mutant(seeds: &'static LazyLock<Vec<Vec<u8>>>, max: usize) -> impl Strategy<Value = Input> {
    (any::<Index>(), proptest::collection::vec(tree_edit(), 1..=max)).prop_map(move |(seed, edits)| {
        let mut v: Value = serde_json::from_slice(pick(&seed, seeds)).expect("corpus JSON parses");
        for e in &edits {
            apply_tree_edit(&mut v, e);
        }
        Input(serde_json::to_vec(&v).expect("serialises"))
    })
}

// ---------------------------------------------------------------------------------------------------------------
// Properties

/// A filter: parsing never panics; a tree prints to text that parses back to it and prints the same; the tree
/// compiles (or is refused) against the User schema and evaluates over a User; an error's offset is a character
/// boundary of the input and its SCIM form is a 400 invalidFilter.
fn check_filter(text: &str) -> Result<(), TestCaseError> {
    match parse(text) {
        Ok(f) => {
            let printed = f.to_string();
            let again = parse(&printed);
            prop_assert_eq!(again.as_ref(), Ok(&f), "{:?} printed as {:?}", text, printed);
            prop_assert_eq!(again.map(|g| g.to_string()).ok(), Some(printed.clone()), "{:?}", text);
            if let Ok(m) = Matcher::compile(&f, &users()) {
                let _ = m.matches(&bjensen());
                let _ = m.matches(&json!({}));
            }
        }
        Err(e) => {
            prop_assert!(e.offset <= text.len() && text.is_char_boundary(e.offset), "{:?}: {:?}", text, e);
            let _ = e.render(text);
            let scim = e.to_scim();
            prop_assert_eq!((scim.status, scim.scim_type), (400, Some(ScimType::InvalidFilter)));
        }
    }
    Ok(())
}

/// A PATCH path: parsing never panics; a path prints to text that parses back to it; an error is a 400
/// invalidPath.
fn check_path(text: &str) -> Result<(), TestCaseError> {
    match PatchPath::parse(text) {
        Ok(p) => {
            let printed = p.to_string();
            prop_assert_eq!(PatchPath::parse(&printed), Ok(p), "{:?} printed as {:?}", text, printed);
        }
        Err(e) => prop_assert_eq!((e.status, e.scim_type), (400, Some(ScimType::InvalidPath)), "{:?}", text),
    }
    Ok(())
}

/// A PATCH body: reading never panics; what is read is applied (strictly and leniently) to a User and a Group
/// without panicking, and a refused PATCH leaves the resource byte for byte as it was (`patch::run` checks).
fn check_patch_body(bytes: &[u8]) -> Result<(), TestCaseError> {
    let Ok(body) = serde_json::from_slice::<Value>(bytes) else { return Ok(()) };
    for opts in [PatchOptions::strict(), PatchOptions::lenient()] {
        if let Ok((req, _)) = PatchRequest::from_json(&body, &opts) {
            for (resource, view) in [(bjensen(), users()), (tour_guides(), groups())] {
                let _ = patch::work_bound(&resource, &req);
                let _ = crate::patch::run(&resource, &body, &view, &opts);
            }
        }
    }
    Ok(())
}

/// A Bulk body: the fast reader and the value reader give the same answer (the same error, when both refuse);
/// JSON that does not parse is a 400 invalidSyntax; `admit` hears the number of operations the request has;
/// an accepted request plans without panicking.
fn check_bulk(bytes: &[u8]) -> Result<(), TestCaseError> {
    let mut admitted = Vec::new();
    let fast = BulkRequest::from_slice(bytes, |n| {
        admitted.push(n);
        Ok(())
    });
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v) => prop_assert_eq!(&fast, &BulkRequest::from_value(v), "{}", String::from_utf8_lossy(bytes)),
        Err(_) => {
            let e = fast.as_ref().expect_err("not JSON");
            prop_assert_eq!((e.status, e.scim_type), (400, Some(ScimType::InvalidSyntax)));
        }
    }
    prop_assert!(admitted.len() <= 1, "admit called {} times", admitted.len());
    if let Ok(req) = &fast {
        prop_assert_eq!(admitted, vec![req.operations.len()]);
        let _ = bulk::dependencies(req);
        let _ = bulk::execution_order(req);
        let _ = bulk::plan(req);
    }
    Ok(())
}

#[test]
fn corpus_seeds_are_valid_and_round_trip() {
    for seed in FILTERS.iter() {
        let text = std::str::from_utf8(seed).expect("UTF-8");
        parse(text).unwrap_or_else(|e| panic!("{}", e.render(text)));
        check_filter(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    }
    for seed in PATHS.iter() {
        let text = std::str::from_utf8(seed).expect("UTF-8");
        PatchPath::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        check_path(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    }
    for seed in PATCHES.iter() {
        let body: Value = serde_json::from_slice(seed).expect("corpus PATCH parses");
        PatchRequest::from_json(&body, &PatchOptions::lenient()).unwrap_or_else(|e| panic!("{body}: {e}"));
        check_patch_body(seed).unwrap_or_else(|e| panic!("{body}: {e}"));
    }
    for seed in BULKS.iter() {
        check_bulk(seed).unwrap_or_else(|e| panic!("{}: {e}", String::from_utf8_lossy(seed)));
    }
    assert!(BULKS.iter().filter(|b| BulkRequest::from_slice(b, |_| Ok(())).is_ok()).count() >= 3);
}

/// Found by `filter_mutants`: serde_json's default number reader was off by one ulp here, so the printed filter
/// (`1.2345678903234569e+29`) parsed to another number; fixed by its `float_roundtrip` feature.
#[test]
fn long_numbers_print_back_to_the_same_number() {
    for text in ["x le 123456789032345678901234567890", "x eq 1.2345678903234569e+29", "x gt 0.30000000000000004441"] {
        check_filter(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    }
}

/// Found by `bulk_mutants` and `bulk_tree_mutants`: the fast Bulk reader skipped an operation's unknown members
/// without checking them, so it accepted invalid UTF-8 and nesting past serde_json's limit that the value reader
/// (and every JSON parser) refuses.
#[test]
fn the_fast_bulk_reader_refuses_what_is_not_json() {
    let op = |extra: &str| {
        format!(
            r#"{{"schemas": ["{BULK_REQUEST_URN}"], "Operations": [{{"method": "DELETE", "path": "/Users/1", "x": {extra}}}]}}"#
        )
    };
    let mut bad_utf8 = op(r#""?""#).into_bytes();
    let at = bad_utf8.iter().position(|&b| b == b'?').expect("placeholder");
    bad_utf8[at] = 0x80;
    let deep = op(&format!("{}1{}", "[".repeat(130), "]".repeat(130))).into_bytes();
    for body in [bad_utf8, deep] {
        check_bulk(&body).unwrap_or_else(|e| panic!("{e}"));
        assert!(BulkRequest::from_slice(&body, |_| Ok(())).is_err());
    }
}

/// Found by fuzzing the mock SP (`attributes=A𐫀`): names were sliced at byte 4 to look for `urn:`, which is
/// not a character boundary in `A𐫀`. The Bulk planner sliced a data member's name the same way.
#[test]
fn urn_prefix_checks_survive_multibyte_names() {
    let body = json!({"schemas": [BULK_REQUEST_URN], "Operations": [
        {"method": "POST", "path": "/Groups", "bulkId": "a", "data": {"A𐫀x": "bulkId:b"}},
        {"method": "POST", "path": "/Groups", "bulkId": "b", "data": {"A𐫀y": "bulkId:a"}}
    ]});
    check_bulk(&serde_json::to_vec(&body).expect("serialises")).unwrap_or_else(|e| panic!("{e}"));
    for attrs in ["A𐫀", "A𐫀x", "é.𐫀", "urn:𐫀", "𐫀"] {
        let _ = Projection::parse(Some(attrs), None, &users()).map(|p| p.apply(&bjensen()));
        let _ = Projection::parse(None, Some(attrs), &users());
    }
}

/// Inputs far past every nesting bound: parsers refuse them with an error instead of overflowing the stack.
#[test]
fn deep_nesting_is_refused_without_overflowing() {
    let n = 50_000;
    let deep = [
        format!("{}a pr{}", "(".repeat(n), ")".repeat(n)),
        format!("{}a pr", "not (".repeat(n)),
        format!("{}a pr", "not ".repeat(n)),
        format!("{}b pr]", "a[".repeat(n)),
        format!("{}a pr", "a pr and ".repeat(n)),
        format!("{}a pr", "a pr or ".repeat(n)),
        "(".repeat(n),
        "[".repeat(n),
    ];
    for text in &deep {
        check_filter(text).unwrap_or_else(|e| panic!("{}...: {e}", &text[..40]));
        check_path(text).unwrap_or_else(|e| panic!("{}...: {e}", &text[..40]));
        check_path(&format!("emails[{text}]")).unwrap_or_else(|e| panic!("{}...: {e}", &text[..40]));
    }
    let arrays = format!("{}{}", "[".repeat(n), "]".repeat(n));
    let ops = format!(r#"{{"schemas": ["{BULK_REQUEST_URN}"], "Operations": {arrays}}}"#);
    for body in [arrays.as_bytes(), ops.as_bytes()] {
        check_bulk(body).unwrap_or_else(|e| panic!("{e}"));
        check_patch_body(body).unwrap_or_else(|e| panic!("{e}"));
    }
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn filter_mutants(text in text_mutant(&FILTERS, &FILTER_TOKENS, 8)) {
        check_filter(&text)?;
    }

    #[test]
    fn filter_arbitrary_text(text in "(?s).{0,200}") {
        check_filter(&text)?;
        check_path(&text)?;
    }

    #[test]
    fn patch_path_mutants(text in text_mutant(&PATHS, &FILTER_TOKENS, 8)) {
        check_path(&text)?;
    }
}

proptest! {
    #![proptest_config(config(600))]

    #[test]
    fn patch_body_mutants(input in mutant(&PATCHES, &JSON_TOKENS, 6)) {
        check_patch_body(&input.0)?;
    }

    #[test]
    fn patch_body_tree_mutants(input in tree_mutant(&PATCHES, 6)) {
        check_patch_body(&input.0)?;
    }

    #[test]
    fn bulk_mutants(input in mutant(&BULKS, &JSON_TOKENS, 6)) {
        check_bulk(&input.0)?;
    }

    #[test]
    fn bulk_tree_mutants(input in tree_mutant(&BULKS, 6)) {
        check_bulk(&input.0)?;
    }

    #[test]
    fn bulk_arbitrary_bytes(input in proptest::collection::vec(any::<u8>(), 0..512).prop_map(Input)) {
        check_bulk(&input.0)?;
    }
}

/// The seed `i` picks.
fn pick<'a>(i: &Index, seeds: &'a [Vec<u8>]) -> &'a [u8] {
    i.get::<Vec<u8>>(seeds)
}
