//! Benchmarks of the filter and PATCH path parsers and the filter printer (RFC 7644 sections 3.4.2.2, 3.5.2).
//!
//! Budget: over 500,000 parses per second (about 2 us each) for a realistic filter such as
//! `filter_parse/complex_value_path`. Each name states the input measured; throughput is reported in bytes.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scimlab_protocol::PatchPath;
use scimlab_protocol::filter::parse;
use std::hint::black_box;

/// Filters as identity providers send them, from the simplest lookup to a value path with nested logic.
const FILTERS: &[(&str, &str)] = &[
    ("simple_eq", r#"userName eq "bjensen""#),
    ("urn_qualified", r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "2819c223""#),
    ("and_or_not", r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#),
    ("complex_value_path", r#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#),
    (
        "two_value_paths",
        r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
    ),
    ("entra_then", r#"emails[type eq "work"].value eq "bjensen@example.com""#),
    ("escaped_string", r#"displayName eq "Bj\u00f6rn \"BJ\" Jensen \uD83D\uDE00""#),
    ("numbers_and_literals", "age ge 18 and score lt 99.5 and active eq true and manager eq null"),
];

/// PATCH paths from RFC 7644 section 3.5.2.
const PATHS: &[(&str, &str)] = &[
    ("simple", "members"),
    ("sub_attr", "name.familyName"),
    ("value_path", r#"addresses[type eq "work"]"#),
    ("value_path_sub", r#"members[value eq "2819c223-7f76-453a-919d-413861904646"].displayName"#),
    ("urn_extension", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"),
];

fn filter_parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("filter_parse");
    for (name, text) in FILTERS {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(*name, |b| b.iter(|| parse(black_box(text))));
    }
    let deep = vec![r#"userName eq "u""#; 100].join(" or ");
    g.throughput(Throughput::Bytes(deep.len() as u64));
    g.bench_function("or_chain_100", |b| b.iter(|| parse(black_box(&deep))));
    g.finish();
}

fn filter_print(c: &mut Criterion) {
    let mut g = c.benchmark_group("filter_print");
    for (name, text) in FILTERS {
        let Ok(f) = parse(text) else { panic!("benchmark filter {name} does not parse") };
        g.bench_function(*name, |b| b.iter(|| black_box(&f).to_string()));
    }
    g.finish();
}

fn path_parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("path_parse");
    for (name, text) in PATHS {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(*name, |b| b.iter(|| PatchPath::parse(black_box(text))));
    }
    g.finish();
}

criterion_group!(benches, filter_parse, filter_print, path_parse);
criterion_main!(benches);
