//! Filter and PATCH path syntax: every example of RFC 7644 sections 3.4.2.2 and 3.5.2 parsed to its tree and
//! printed canonically, the error cases with their offsets and messages, and the parse / print round trip as a
//! property.

use scimlab_protocol::filter::{AttrPath, CompValue, CompareOp, Filter, FilterError, Test, ValuePath, parse};
use scimlab_protocol::{PatchPath, ScimType};
use serde_json::Number;

const CORE_USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn a(name: &str) -> AttrPath {
    AttrPath::simple(name)
}

fn sub(name: &str, s: &str) -> AttrPath {
    AttrPath::with_sub(name, s)
}

fn s(v: &str) -> CompValue {
    CompValue::String(v.to_owned())
}

fn cmp(path: AttrPath, op: CompareOp, v: CompValue) -> Filter {
    Filter::compare(path, op, v)
}

fn vp(name: &str, filter: Filter) -> Filter {
    Filter::ValuePath(ValuePath { attr: a(name), filter: Box::new(filter), then: None })
}

/// Parses `input`, checks the tree and the canonical text, and that the canonical text parses back.
#[track_caller]
fn check(input: &str, tree: Filter, canonical: &str) {
    let f = parse(input).unwrap_or_else(|e| panic!("{input}: {}", e.render(input)));
    assert_eq!(f, tree, "{input}");
    assert_eq!(f.to_string(), canonical, "{input}");
    assert_eq!(parse(canonical), Ok(f), "{canonical}");
}

use CompareOp::*;

#[test]
fn rfc7644_3_4_2_2_examples() {
    let last_mod = || sub("meta", "lastModified");
    let ts = || s("2011-05-13T04:42:34Z");
    check(r#"userName eq "bjensen""#, cmp(a("userName"), Eq, s("bjensen")), r#"userName eq "bjensen""#);
    check(
        r#"name.familyName co "O'Malley""#,
        cmp(sub("name", "familyName"), Co, s("O'Malley")),
        r#"name.familyName co "O'Malley""#,
    );
    check(r#"userName sw "J""#, cmp(a("userName"), Sw, s("J")), r#"userName sw "J""#);
    check(
        r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#,
        cmp(AttrPath { urn: Some(CORE_USER.into()), name: "userName".into(), sub: None }, Sw, s("J")),
        r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#,
    );
    check("title pr", Filter::present(a("title")), "title pr");
    for (op, text) in [(Gt, "gt"), (Ge, "ge"), (Lt, "lt"), (Le, "le")] {
        let canonical = format!(r#"meta.lastModified {text} "2011-05-13T04:42:34Z""#);
        check(&canonical, cmp(last_mod(), op, ts()), &canonical);
    }
    check(
        r#"title pr and userType eq "Employee""#,
        Filter::and(Filter::present(a("title")), cmp(a("userType"), Eq, s("Employee"))),
        r#"title pr and userType eq "Employee""#,
    );
    check(
        r#"title pr or userType eq "Intern""#,
        Filter::or(Filter::present(a("title")), cmp(a("userType"), Eq, s("Intern"))),
        r#"title pr or userType eq "Intern""#,
    );
    check(
        r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
        cmp(a("schemas"), Eq, s(ENTERPRISE)),
        r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
    );
    let emails_or =
        || Filter::or(cmp(a("emails"), Co, s("example.com")), cmp(sub("emails", "value"), Co, s("example.org")));
    check(
        r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
        Filter::and(cmp(a("userType"), Eq, s("Employee")), emails_or()),
        r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
    );
    check(
        r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
        Filter::and(cmp(a("userType"), Ne, s("Employee")), Filter::not(emails_or())),
        r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
    );
    // Grouping parentheses around a single expression are not kept.
    check(
        r#"userType eq "Employee" and (emails.type eq "work")"#,
        Filter::and(cmp(a("userType"), Eq, s("Employee")), cmp(sub("emails", "type"), Eq, s("work"))),
        r#"userType eq "Employee" and emails.type eq "work""#,
    );
    let work_at =
        |domain: &str| vp("emails", Filter::and(cmp(a("type"), Eq, s("work")), cmp(a("value"), Co, s(domain))));
    check(
        r#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#,
        Filter::and(cmp(a("userType"), Eq, s("Employee")), work_at("@example.com")),
        r#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#,
    );
    check(
        r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
        Filter::or(
            work_at("@example.com"),
            vp("ims", Filter::and(cmp(a("type"), Eq, s("xmpp")), cmp(a("value"), Co, s("@foo.com")))),
        ),
        r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
    );
    // Section 3.4.2.2 on case: operators and attribute names are case-insensitive; names are kept as written.
    check(r#"userName Eq "john""#, cmp(a("userName"), Eq, s("john")), r#"userName eq "john""#);
    check(r#"Username eq "john""#, cmp(a("Username"), Eq, s("john")), r#"Username eq "john""#);
    // Section 3.4.3 (POST .search).
    check(r#"displayName sw "smith""#, cmp(a("displayName"), Sw, s("smith")), r#"displayName sw "smith""#);
}

#[test]
fn keywords_are_case_insensitive_and_print_lowercase() {
    check(
        r#"a PR AND NOT(b Eq TRUE) Or c lE NULL"#,
        Filter::or(
            Filter::and(Filter::present(a("a")), Filter::not(cmp(a("b"), Eq, CompValue::Bool(true)))),
            cmp(a("c"), Le, CompValue::Null),
        ),
        "a pr and not (b eq true) or c le null",
    );
    check("x eq False", cmp(a("x"), Eq, CompValue::Bool(false)), "x eq false");
}

#[test]
fn precedence_and_associativity() {
    let (x, y, z, w) =
        (Filter::present(a("x")), Filter::present(a("y")), Filter::present(a("z")), Filter::present(a("w")));
    check("x pr or y pr and z pr", Filter::or(x.clone(), Filter::and(y.clone(), z.clone())), "x pr or y pr and z pr");
    check("x pr and y pr or z pr", Filter::or(Filter::and(x.clone(), y.clone()), z.clone()), "x pr and y pr or z pr");
    check(
        "x pr and y pr and z pr",
        Filter::and(Filter::and(x.clone(), y.clone()), z.clone()),
        "x pr and y pr and z pr",
    );
    check(
        "x pr and (y pr and z pr)",
        Filter::and(x.clone(), Filter::and(y.clone(), z.clone())),
        "x pr and (y pr and z pr)",
    );
    check("x pr or (y pr or z pr)", Filter::or(x.clone(), Filter::or(y.clone(), z.clone())), "x pr or (y pr or z pr)");
    check(
        "(x pr or y pr) and z pr",
        Filter::and(Filter::or(x.clone(), y.clone()), z.clone()),
        "(x pr or y pr) and z pr",
    );
    check(
        "((x pr or y pr)) and (z pr or w pr)",
        Filter::and(Filter::or(x.clone(), y.clone()), Filter::or(z.clone(), w.clone())),
        "(x pr or y pr) and (z pr or w pr)",
    );
    check("not (not (x pr))", Filter::not(Filter::not(x.clone())), "not (not (x pr))");
    check("(x pr)", x, "x pr");
}

#[test]
fn whitespace_is_lenient_where_the_rfc_has_one_space() {
    let f = Filter::and(cmp(a("userName"), Eq, s("a b")), Filter::present(a("title")));
    for input in [
        r#"userName eq "a b" and title pr"#,
        "  userName \t eq   \"a b\"\tand  title   pr  ",
        r#"( userName eq "a b" )and(title pr)"#,
    ] {
        check(input, f.clone(), r#"userName eq "a b" and title pr"#);
    }
    check(r#"not(x pr)"#, Filter::not(Filter::present(a("x"))), "not (x pr)");
    check(r#"emails[ type eq "w" ]"#, vp("emails", cmp(a("type"), Eq, s("w"))), r#"emails[type eq "w"]"#);
}

#[test]
fn literals_numbers_and_escapes() {
    let num = |n: &str| CompValue::Number(n.parse::<Number>().expect("number"));
    check("n eq 0", cmp(a("n"), Eq, num("0")), "n eq 0");
    check("n gt -17", cmp(a("n"), Gt, num("-17")), "n gt -17");
    check("n lt 1.5", cmp(a("n"), Lt, num("1.5")), "n lt 1.5");
    check("n le 2.5E3", cmp(a("n"), Le, num("2500.0")), "n le 2500.0");
    check("n ge 1e-7", cmp(a("n"), Ge, num("1e-7")), "n ge 1e-7");
    check(
        "n eq 18446744073709551615",
        cmp(a("n"), Eq, CompValue::Number(u64::MAX.into())),
        "n eq 18446744073709551615",
    );
    check(
        r#"s eq "q\"b\\s\/n\nt\tu\u00e9\uD83D\uDE00 é""#,
        cmp(a("s"), Eq, s("q\"b\\s/n\nt\tué😀 é")),
        r#"s eq "q\"b\\s/n\nt\tué😀 é""#,
    );
    check(r#"s eq "\u0001\b\f""#, cmp(a("s"), Eq, s("\u{1}\u{8}\u{c}")), r#"s eq "\u0001\b\f""#);
    check(r#"s eq """#, cmp(a("s"), Eq, s("")), r#"s eq """#);
}

#[test]
fn attribute_paths_urns_and_dollar_names() {
    let manager = AttrPath { urn: Some(ENTERPRISE.into()), name: "manager".into(), sub: Some("value".into()) };
    check(
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d""#,
        cmp(manager, Eq, s("26118915-6090-4610-87e4-49d8ca9f808d")),
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d""#,
    );
    check(
        "URN:Example:Ext:x-y_z pr",
        Filter::present(AttrPath { urn: Some("URN:Example:Ext".into()), name: "x-y_z".into(), sub: None }),
        "URN:Example:Ext:x-y_z pr",
    );
    check(r#"members[$ref eq "u/1"]"#, vp("members", cmp(a("$ref"), Eq, s("u/1"))), r#"members[$ref eq "u/1"]"#);
    check(r#"members.$ref pr"#, Filter::present(sub("members", "$ref")), "members.$ref pr");
}

#[test]
fn value_path_then_extension() {
    let then = |sub: &str, test: Test| {
        Filter::ValuePath(ValuePath {
            attr: a("emails"),
            filter: Box::new(cmp(a("type"), Eq, s("work"))),
            then: Some((sub.to_owned(), test)),
        })
    };
    check(
        r#"emails[type eq "work"].value eq "a@b.c""#,
        then("value", Test::Compare(Eq, s("a@b.c"))),
        r#"emails[type eq "work"].value eq "a@b.c""#,
    );
    check(
        r#"emails[type eq "work"].display PR and x pr"#,
        Filter::and(then("display", Test::Present), Filter::present(a("x"))),
        r#"emails[type eq "work"].display pr and x pr"#,
    );
    assert!(!parse(r#"emails[type eq "work"].value pr"#).expect("ok").is_rfc_grammar());
}

/// Asserts that `input` fails at `offset` with a message containing every one of `says`.
#[track_caller]
fn fails(input: &str, offset: usize, says: &[&str]) {
    let e: FilterError = match parse(input) {
        Ok(f) => panic!("{input} parsed as {f:?}"),
        Err(e) => e,
    };
    assert_eq!(e.offset, offset, "{input}: {}", e.render(input));
    for s in says {
        assert!(e.message.contains(s), "{input}: message {:?} lacks {s:?}", e.message);
    }
}

#[test]
fn errors_name_the_offset_and_what_was_expected() {
    fails("", 0, &["empty filter", "expected an attribute path"]);
    fails("   ", 3, &["empty filter"]);
    fails("userName eq bjensen", 12, &["expected a value", "bare word `bjensen`", "double quotes"]);
    fails(r#"userName eq "bjensen"#, 12, &["unterminated string", "closing `\"`"]);
    fails(r#"userName eq "a\qb""#, 14, &["invalid escape `\\q`", "expected one of"]);
    fails(r#"userName eq "\uD800x""#, 13, &["unpaired surrogate"]);
    fails(r#"userNameeq "x""#, 11, &["expected an operator", "after `userNameeq`"]);
    fails(r#"userName eq"x""#, 11, &["expected a space between `eq` and `\"x\"`"]);
    fails(r#"userName "x""#, 9, &["expected an operator", "or `pr` after `userName`", "the string \"x\""]);
    fails("userName", 8, &["expected an operator", "the end of the input"]);
    fails(r#"userName xx "x""#, 9, &["expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le) or `pr`", "`xx`"]);
    fails("userName eq", 11, &["expected a value after `eq`", "the end of the input"]);
    fails("title pr x", 9, &["expected `and`, `or` or the end of the filter", "`x`"]);
    fails("title pr and", 12, &["expected an attribute path, `(` or `not`", "the end of the input"]);
    fails("and title pr", 0, &["expected an attribute path", "keyword `and`"]);
    fails("(title pr", 9, &["expected `)` to close the `(` at offset 0"]);
    fails("(title pr x pr)", 10, &["`)` to close the `(` at offset 0", "`x`"]);
    fails("title pr)", 8, &["unbalanced `)`"]);
    fails("title pr]", 8, &["unbalanced `]`"]);
    fails(r#"emails[type eq "work""#, 21, &["expected `]` to close the `[` at offset 6"]);
    fails(r#"emails[type eq "work")"#, 21, &["`]` to close the `[` at offset 6", "`)`"]);
    fails("not title pr", 4, &["expected `(` after `not`"]);
    fails("()", 1, &["expected an attribute path", "`)`"]);
    fails(r#"emails[value[type eq "x"] pr]"#, 12, &["value paths cannot nest"]);
    fails(r#"name.givenName[type eq "x"]"#, 4, &["cannot have a sub-attribute"]);
    fails(r#"emails[type eq "work"].value"#, 28, &["after `emails[type eq \"work\"].value`", "the end of the input"]);
    fails(r#"emails[type eq "work"].value and x pr"#, 29, &["expected an operator", "`and`"]);
    fails(r#"a.b.c eq 1"#, 3, &["at most one sub-attribute"]);
    fails(r#"1abc eq 1"#, 0, &["expected an attribute name"]);
    fails(r#"foo:bar eq 1"#, 3, &["schema URN prefix must start with `urn:`"]);
    fails(r#"urn:x eq 1"#, 0, &["incomplete schema URN"]);
    fails(r#"urn:a:b: eq 1"#, 8, &["expected an attribute name", "found nothing"]);
    fails(r#"nàme eq 1"#, 1, &["unexpected character `à`"]);
    fails("n eq 01", 5, &["invalid number `01`", "leading zeros"]);
    fails("n eq +1", 5, &["cannot start with `+`"]);
    fails("n eq .5", 5, &["digit before the `.`"]);
    fails("n eq 1.", 7, &["digit after the `.`"]);
    fails("n eq 1e999", 5, &["out of the range"]);
    fails("n eq -x", 6, &["expected a digit"]);
    fails("a pr\nand b pr", 4, &["control character U+000A"]);
    fails(r#"s eq "a	b""#, 7, &["unescaped control character U+0009"]);
}

#[test]
fn nesting_is_bounded() {
    let deep = format!("{}a pr{}", "(".repeat(64), ")".repeat(64));
    assert!(parse(&deep).is_ok());
    let too_deep = format!("{}a pr{}", "(".repeat(65), ")".repeat(65));
    fails(&too_deep, 64, &["more than 64 levels"]);
    let long = vec!["a pr"; 1000].join(" or ");
    assert!(parse(&long).is_ok());
    // The 1001st term would make the tree 1001 deep: the error points at the `or` before it.
    let too_long = vec!["a pr"; 1001].join(" or ");
    fails(&too_long, 1000 * 8 - 3, &["too complex"]);
}

#[test]
fn errors_become_scim_invalid_filter_and_render_a_caret() {
    let input = "userName eq bjensen";
    let e = parse(input).expect_err("bare word");
    let scim = scimlab_protocol::ScimError::from(e.clone());
    assert_eq!((scim.status, scim.scim_type), (400, Some(ScimType::InvalidFilter)));
    assert!(scim.detail.contains("offset 12") && scim.detail.contains("bare word"), "{}", scim.detail);
    assert_eq!(e.to_string(), format!("at offset 12: {}", e.message));
    let rendered = e.render(input);
    let lines: Vec<&str> = rendered.lines().collect();
    assert_eq!(lines.len(), 3, "{rendered}");
    assert_eq!(lines[1], "  userName eq bjensen");
    assert_eq!(lines[2], format!("{}^", " ".repeat(2 + 12)));
}

fn path(urn: Option<&str>, name: &str, filter: Option<Filter>, sub: Option<&str>) -> PatchPath {
    PatchPath { urn: urn.map(str::to_owned), name: name.to_owned(), filter, sub: sub.map(str::to_owned) }
}

#[track_caller]
fn check_path(input: &str, expected: PatchPath) {
    let p = PatchPath::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
    assert_eq!(p, expected, "{input}");
    assert_eq!(p.to_string(), input, "{input}");
}

#[test]
fn rfc7644_3_5_2_path_examples() {
    let member = || cmp(a("value"), Eq, s("2819c223-7f76-453a-919d-413861904646"));
    let work = || cmp(a("type"), Eq, s("work"));
    check_path("members", path(None, "members", None, None));
    check_path("name.familyName", path(None, "name", None, Some("familyName")));
    check_path(r#"addresses[type eq "work"]"#, path(None, "addresses", Some(work()), None));
    check_path(
        r#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#,
        path(None, "members", Some(member()), None),
    );
    check_path(
        r#"members[value eq "2819c223-7f76-453a-919d-413861904646"].displayName"#,
        path(None, "members", Some(member()), Some("displayName")),
    );
    check_path(
        r#"emails[type eq "work" and value ew "example.com"]"#,
        path(None, "emails", Some(Filter::and(work(), cmp(a("value"), Ew, s("example.com")))), None),
    );
    check_path(
        r#"addresses[type eq "work"].streetAddress"#,
        path(None, "addresses", Some(work()), Some("streetAddress")),
    );
    check_path(
        "urn:ietf:params:scim:schemas:core:2.0:User:name.familyName",
        path(Some(CORE_USER), "name", None, Some("familyName")),
    );
    check_path(
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
        path(Some(ENTERPRISE), "manager", None, Some("value")),
    );
    check_path(
        r#"urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"].value"#,
        path(Some(CORE_USER), "emails", Some(work()), Some("value")),
    );
    // A bare extension URN parses with its last segment as the name; the applier recognises it.
    check_path(ENTERPRISE, path(Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0"), "User", None, None));
}

#[track_caller]
fn path_fails(input: &str, offset: usize, says: &str) {
    let e = PatchPath::parse(input).expect_err(input);
    assert_eq!((e.status, e.scim_type), (400, Some(ScimType::InvalidPath)), "{input}");
    assert!(e.detail.contains(&format!("offset {offset}:")), "{input}: {}", e.detail);
    assert!(e.detail.contains(says), "{input}: {}", e.detail);
}

#[test]
fn path_errors_are_invalid_path_with_offsets() {
    path_fails("", 0, "empty path");
    path_fails("name familyName", 5, "expected `[` or the end of the path");
    path_fails(r#"emails[type eq "work""#, 21, "expected `]` to close the `[` at offset 6");
    path_fails(r#"emails[type eq "work"]x"#, 22, "expected `.` and a sub-attribute");
    path_fails(r#"emails[type eq "work"].value eq "x""#, 29, "expected the end of the path");
    path_fails(r#"name.givenName[type eq "x"]"#, 4, "cannot have a sub-attribute");
    path_fails(r#"emails[]"#, 7, "expected an attribute path");
    path_fails(r#"emails[a[b pr]]"#, 8, "value paths cannot nest");
    path_fails("a.b.c", 3, "at most one sub-attribute");
    path_fails("(x)", 0, "expected an attribute name");
}

#[cfg(feature = "arbitrary")]
mod properties {
    use super::*;
    use proptest::prelude::*;
    use scimlab_protocol::arbitrary::syntax::{arb_attr_path, arb_filter, arb_patch_path};

    proptest! {
        #[test]
        fn parse_inverts_print(f in arb_filter()) {
            let text = f.to_string();
            prop_assert_eq!(parse(&text), Ok(f), "{}", text);
        }

        #[test]
        fn print_is_a_fixed_point(f in arb_filter()) {
            let once = f.to_string();
            let parsed = parse(&once).map_err(|e| TestCaseError::fail(e.render(&once)))?;
            prop_assert_eq!(parsed.to_string(), once);
        }

        #[test]
        fn attr_paths_round_trip(p in arb_attr_path()) {
            let f = Filter::present(p);
            prop_assert_eq!(parse(&f.to_string()), Ok(f));
        }

        #[test]
        fn patch_paths_round_trip(p in arb_patch_path()) {
            let text = p.to_string();
            prop_assert_eq!(PatchPath::parse(&text), Ok(p), "{}", text);
        }

        #[test]
        fn strings_print_as_serde_json_does(v in any::<String>()) {
            let printed = CompValue::String(v.clone()).to_string();
            prop_assert_eq!(&printed, &serde_json::to_string(&v).expect("string serialises"));
        }

        #[test]
        fn parser_never_panics(input in "\\PC{0,60}") {
            let _ = parse(&input);
            let _ = PatchPath::parse(&input);
        }

        #[test]
        fn parser_never_panics_on_filter_like_text(
            input in r#"([a-z$:.\[\]() "\\]|eq|and|or|not|pr|urn:|[0-9.eE+-]|\\u[0-9a-fA-F]{0,4}){0,40}"#
        ) {
            if let Err(e) = parse(&input) {
                prop_assert!(e.offset <= input.len());
                prop_assert!(input.is_char_boundary(e.offset));
            }
            let _ = PatchPath::parse(&input);
        }
    }
}
