//! Filter evaluation over 10,000 users (RFC 7644 section 3.4.2.2): the cost of one `GET /Users?filter=...`
//! when the store scans every resource with a compiled [`Matcher`].
//!
//! `filter_eval/<case>/10k_users` counts the matching users with [`Matcher::select`], the batched evaluation for
//! a store's scan (it evaluates 16 users at a time so that their memory reads overlap, and answers exactly as
//! [`Matcher::matches`] does). The budgets hold for a list endpoint that scans through `select`: a scan that
//! calls [`Matcher::matches`] on each resource, as the mock SP's list endpoint did when this was written (its
//! store hands records to a callback one at a time), costs what `filter_eval/<case>/one_by_one` measures.
//!
//! The population is `arbitrary::users::user_population(10_000, 7)`, so this bench needs the `arbitrary`
//! feature: `cargo bench -p scimlab-protocol --features arbitrary --bench filter_eval`. Budgets (for
//! `10k_users`): `userName eq` under 1 ms and the complex value path under 5 ms for all 10,000 users.

#[cfg(feature = "arbitrary")]
mod suite {
    use criterion::{Criterion, criterion_group};
    use scimlab_protocol::SchemaRegistry;
    use scimlab_protocol::arbitrary::users::user_population;
    use scimlab_protocol::filter::{Matcher, parse};
    use serde_json::Value;
    use std::hint::black_box;

    const USERS: usize = 10_000;

    /// (bench name, filter, how many of the population it must match)
    const CASES: &[(&str, &str, Option<usize>)] = &[
        ("username_eq", r#"userName eq "user5000""#, Some(1)),
        ("username_eq_miss", r#"userName eq "nobody""#, Some(0)),
        ("complex_value_path", r#"emails[type eq "work" and value co "5000"]"#, Some(1)),
        ("enterprise_and_datetime", r#"employeeNumber sw "5" and meta.lastModified gt "2022-01-01T00:00:00Z""#, None),
        ("or_not_mixed", r#"title pr and (active eq false or not (userType eq "Employee"))"#, None),
    ];

    /// What a store's scan does: the matching users, found with the batched [`Matcher::select`].
    fn count(m: &Matcher, users: &[Value]) -> usize {
        m.select(users, |u| *u).count()
    }

    /// The same count, one [`Matcher::matches`] call per user.
    fn count_one_by_one(m: &Matcher, users: &[Value]) -> usize {
        users.iter().filter(|u| m.matches(u)).count()
    }

    fn bench(c: &mut Criterion) {
        let users = user_population(USERS, 7);
        let view = SchemaRegistry::core().user();
        for (name, text, expected) in CASES {
            let filter = parse(text).unwrap_or_else(|e| panic!("bench filter {text:?} must parse: {e:?}"));
            let m = Matcher::compile(&filter, &view).unwrap_or_else(|e| panic!("bench filter {text:?}: {e}"));
            assert_eq!(count(&m, &users), count_one_by_one(&m, &users), "{text}");
            if let Some(n) = expected {
                assert_eq!(count(&m, &users), *n, "{text}");
            }
            c.bench_function(&format!("filter_eval/{name}/10k_users"), |b| b.iter(|| count(&m, black_box(&users))));
            c.bench_function(&format!("filter_eval/{name}/one_by_one"), |b| {
                b.iter(|| count_one_by_one(&m, black_box(&users)))
            });
        }
        let complex = parse(CASES[2].1).unwrap_or_else(|e| panic!("{e:?}"));
        c.bench_function("filter_eval/compile/complex_value_path", |b| {
            b.iter(|| Matcher::compile(black_box(&complex), &view).is_ok())
        });
    }

    criterion_group!(group, bench);
}

#[cfg(feature = "arbitrary")]
criterion::criterion_main!(suite::group);

#[cfg(not(feature = "arbitrary"))]
fn main() {
    eprintln!("filter_eval needs the user population generator: run with --features arbitrary");
}
