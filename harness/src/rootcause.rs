//! Root causes: failures that share one cause, grouped, so that a server which ignores `filter` reads as "1 root
//! cause explains 62 failures: the server ignores filter" instead of 62 separate FAILs.
//!
//! [`classify`] is a pure function over the finished [`CheckResult`]s: their verdicts, tags, reasons and evidence
//! exchanges. Each detector below claims the failures it explains, in a fixed order (the most basic cause first:
//! a server that refuses the credentials also answers every filter wrongly, but the credentials are the cause),
//! and a failure belongs to at most one cause. A cause is only reported when it explains at least
//! [`MIN_GROUP`] problems (the generic same-answer cause: [`MIN_SAME_ANSWER`]); a single failure is its own
//! explanation. Causes recognised:
//!
//! - auth broken: 401 / 403 answers to requests that carried the run's credentials (checks of the `auth` tag
//!   test refusals on purpose and are left out);
//! - throttling or unstable: harness errors whose reason says the server was throttling or unstable, or that a
//!   connection was reset, closed or refused;
//! - data lost: 404 on a resource this run created and had read back before (and had not deleted);
//! - PATCH unsupported: a PATCH answered 501 or 405;
//! - a crash: 5xx answers that share a query parameter or a request shape, that parameter or shape failing on
//!   (nearly) every request of the run that carried it;
//! - filter ignored: a filtered list (GET with `filter`, POST `.search`) answered with resources that do not match
//!   the filter by RFC 7644 section 3.4.2.2 (the protocol crate's evaluator), or a check that says so in words;
//!   once that is established, invalid filters answered 200 with a list join it;
//! - the same answer: 3 or more failures whose decisive (last) exchange got the same error status to the same
//!   method and path shape. Success statuses are left out: two failures that both got 200 to `GET /Users` share a
//!   request, not a cause.

use percent_encoding::percent_decode_str;
use scimlab_protocol::exchange::Exchange;
use scimlab_protocol::filter::{self, Filter, Matcher};
use scimlab_protocol::schema::SchemaRegistry;
use scimlab_reports::causes::{self, CauseKind, RootCause};
use scimlab_reports::model::{CheckResult, Level, Verdict};
use scimlab_reports::sinks::one_line;
use serde_json::Value;
use std::collections::HashMap;

/// The fewest problems a specific cause must explain to be reported.
pub const MIN_GROUP: usize = 2;
/// The fewest problems the generic same-answer cause must explain.
pub const MIN_SAME_ANSWER: usize = 3;
/// How many representatives a cause records.
const REPRESENTATIVES: usize = 3;
/// The largest response body parsed to judge a filtered list.
const BODY_MAX: usize = 2 * 1024 * 1024;
/// Share of a parameter's or shape's requests that must have failed with 5xx for it to be called the crash.
const CRASH_SHARE: f64 = 0.8;

/// The root causes that explain `checks`' failures, warnings and errors, MUST first, largest first.
pub fn classify(checks: &[CheckResult]) -> Vec<RootCause> {
    let mut open: Vec<&CheckResult> =
        checks.iter().filter(|c| matches!(c.verdict, Verdict::Fail | Verdict::Warn | Verdict::Error)).collect();
    let mut found = Vec::new();
    let detectors: [Detector; 7] =
        [auth_broken, unstable, data_lost, patch_unsupported, crash, filter_ignored, same_answer];
    for detect in detectors {
        for g in detect(&open, checks) {
            let min = if g.kind == CauseKind::SameAnswer { MIN_SAME_ANSWER } else { MIN_GROUP };
            if g.members.len() < min {
                continue;
            }
            open.retain(|c| !g.members.iter().any(|m| m.id == c.id));
            found.push(g.into_cause());
        }
    }
    causes::sort(&mut found);
    found
}

/// A detector: the groups it finds among the open problems (`all` is every check of the run, for context).
type Detector = for<'a> fn(&[&'a CheckResult], &[CheckResult]) -> Vec<Group<'a>>;

/// A cause being built: its members in report order, the clearest first in `clear`.
struct Group<'a> {
    kind: CauseKind,
    summary: String,
    evidence: Option<String>,
    members: Vec<&'a CheckResult>,
    /// Members in order of clarity (the best representative first).
    clear: Vec<&'a CheckResult>,
}

impl<'a> Group<'a> {
    fn new(kind: CauseKind, summary: String, evidence: Option<String>, members: Vec<&'a CheckResult>) -> Self {
        let mut clear = members.clone();
        // The shortest evidence is the easiest to read.
        clear.sort_by_key(|c| c.evidence.len());
        Group { kind, summary, evidence, members, clear }
    }

    fn into_cause(self) -> RootCause {
        RootCause {
            kind: self.kind,
            level: self.members.iter().map(|c| c.level).min().unwrap_or(Level::Must),
            summary: self.summary,
            evidence: self.evidence,
            checks: self.members.iter().map(|c| c.id.clone()).collect(),
            representatives: self.clear.iter().take(REPRESENTATIVES).map(|c| c.id.clone()).collect(),
        }
    }
}

fn is_miss(c: &CheckResult) -> bool {
    matches!(c.verdict, Verdict::Fail | Verdict::Warn)
}

/// The exchange a verdict rests on: the last one.
fn decisive(c: &CheckResult) -> Option<&Exchange> {
    c.evidence.last()
}

fn status(x: &Exchange) -> Option<u16> {
    x.response.as_ref().map(|r| r.status)
}

/// `GET /Users?filter=... -> 404`, for a cause's evidence line.
fn describe(x: &Exchange) -> String {
    let answer = match (&x.response, &x.error) {
        (Some(r), _) => r.status.to_string(),
        (None, Some(e)) => format!("no response ({})", one_line(e, 120)),
        (None, None) => "no response".to_owned(),
    };
    format!("{} {} answered {answer}", x.request.method, one_line(&path_and_query(&x.request.url), 200))
}

/// A request URL as the url crate reads it: evidence URLs are absolute, and a bare path is read against a
/// placeholder origin.
fn parsed(url: &str) -> Option<reqwest::Url> {
    reqwest::Url::parse(url).ok().or_else(|| reqwest::Url::parse("http://sp.invalid/").ok()?.join(url).ok())
}

/// The path and query of a URL, percent-decoded for reading (`/scim/v2/Users?filter=userName eq "x"`).
fn path_and_query(url: &str) -> String {
    match parsed(url) {
        Some(u) => decode(&format!("{}{}", u.path(), u.query().map(|q| format!("?{q}")).unwrap_or_default())),
        None => decode(url),
    }
}

fn decode(text: &str) -> String {
    percent_decode_str(&text.replace('+', " ")).decode_utf8_lossy().into_owned()
}

/// The URL's path without its query.
fn path_of(url: &str) -> String {
    parsed(url).map_or_else(|| "/".to_owned(), |u| u.path().to_owned())
}

/// The query parameters of a URL, names and values decoded (`+` as a space, as forms write it).
fn query(url: &str) -> Vec<(String, String)> {
    parsed(url).map(|u| u.query_pairs().map(|(n, v)| (n.into_owned(), v.into_owned())).collect()).unwrap_or_default()
}

/// The endpoints RFC 7644 section 3.2 defines, which a path shape keeps by name.
const ENDPOINTS: [&str; 9] = [
    "Users",
    "Groups",
    "Me",
    "Bulk",
    ".search",
    "Schemas",
    "ResourceTypes",
    "ServiceProviderConfig",
    "ServiceProviderConfigs",
];

/// The shape of a request path: the endpoint by name and what follows it as `{id}` (`/Users/{id}`,
/// `/Users/.search`). A path with no known endpoint keeps its last segment, or `{id}` for one that reads as an id.
fn shape(url: &str) -> String {
    let path = path_of(url);
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let known = |s: &&str| ENDPOINTS.iter().any(|e| e.eq_ignore_ascii_case(s));
    let start = segments.iter().position(known).unwrap_or(segments.len().saturating_sub(1));
    let mut out = String::new();
    for (i, s) in segments.iter().enumerate().skip(start) {
        out.push('/');
        let keep = (i == start && !looks_like_id(s)) || s.eq_ignore_ascii_case(".search");
        out.push_str(if keep { s } else { "{id}" });
    }
    if out.is_empty() { "/".to_owned() } else { out }
}

fn looks_like_id(s: &str) -> bool {
    s.len() >= 8 && s.chars().any(|c| c.is_ascii_digit())
}

/// Auth broken: 401 / 403 to requests that carried credentials, in checks that do not test authentication.
fn auth_broken<'a>(open: &[&'a CheckResult], _: &[CheckResult]) -> Vec<Group<'a>> {
    let members: Vec<&CheckResult> = open
        .iter()
        .copied()
        .filter(|c| is_miss(c) && !c.tags.iter().any(|t| t == "auth"))
        .filter(|c| decisive(c).is_some_and(|x| matches!(status(x), Some(401 | 403)) && carries_credentials(x)))
        .collect();
    let Some(first) = members.first().and_then(|c| decisive(c)) else { return Vec::new() };
    let code = status(first).unwrap_or(401);
    let summary = format!("the server refuses the run's credentials ({code})");
    vec![Group::new(CauseKind::AuthBroken, summary, Some(describe(first)), members)]
}

fn carries_credentials(x: &Exchange) -> bool {
    x.request.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("authorization"))
}

/// Throttling or unstable: harness errors the server's behaviour caused, and transport failures.
fn unstable<'a>(open: &[&'a CheckResult], _: &[CheckResult]) -> Vec<Group<'a>> {
    const WORDS: [&str; 6] = [
        "throttling or unstable",
        "connection reset",
        "reset by peer",
        "connection closed",
        "broken pipe",
        "connection refused",
    ];
    let says = |text: &str| {
        let t = text.to_ascii_lowercase();
        WORDS.iter().any(|w| t.contains(w))
    };
    let members: Vec<&CheckResult> = open
        .iter()
        .copied()
        .filter(|c| {
            let reason = c.verdict == Verdict::Error && c.reason.as_deref().is_some_and(says);
            let transport = decisive(c).is_some_and(|x| x.response.is_none() && x.error.as_deref().is_some_and(says));
            reason || transport
        })
        .collect();
    let Some(first) = members.first() else { return Vec::new() };
    let evidence = first.reason.as_deref().map(|r| one_line(r, 240)).or_else(|| decisive(first).map(describe));
    let summary = "the server throttled or dropped connections until the retries ran out".to_owned();
    vec![Group::new(CauseKind::Unstable, summary, evidence, members)]
}

/// Data lost: a 404 on a resource this run created and had read back, and had not deleted.
fn data_lost<'a>(open: &[&'a CheckResult], all: &[CheckResult]) -> Vec<Group<'a>> {
    #[derive(Default)]
    struct Life {
        created: bool,
        /// When a 2xx last answered on the resource's own URL (after its creation).
        seen: Vec<jiff::Timestamp>,
        deleted: Vec<jiff::Timestamp>,
    }
    let mut lives: HashMap<String, Life> = HashMap::new();
    for x in all.iter().flat_map(|c| &c.evidence) {
        let Some(code) = status(x) else { continue };
        if !(200..300).contains(&code) {
            continue;
        }
        if x.request.method.eq_ignore_ascii_case("POST") && code == 201 {
            if let Some(id) = created_id(x) {
                lives.entry(id).or_default().created = true;
            }
            continue;
        }
        let Some(id) = own_id(&x.request.url) else { continue };
        let life = lives.entry(id).or_default();
        if x.request.method.eq_ignore_ascii_case("DELETE") {
            life.deleted.push(x.started_at);
        } else {
            life.seen.push(x.started_at);
        }
    }
    let lost = |x: &Exchange| {
        status(x) == Some(404)
            && own_id(&x.request.url).and_then(|id| lives.get(&id)).is_some_and(|l| {
                l.created && l.seen.iter().any(|t| *t < x.started_at) && !l.deleted.iter().any(|t| *t <= x.started_at)
            })
    };
    // A check that saw it happen says so in words (harness/src/checks/queries.rs: "the server lost data").
    let says_lost = |c: &CheckResult| {
        [&c.actual, &c.reason].into_iter().flatten().any(|t| t.to_ascii_lowercase().contains("the server lost data"))
    };
    let members: Vec<&CheckResult> =
        open.iter().copied().filter(|c| is_miss(c) && (says_lost(c) || decisive(c).is_some_and(lost))).collect();
    let Some(first) = members.first().and_then(|c| decisive(c)) else { return Vec::new() };
    let summary = "the server lost resources this run had created and read back (404)".to_owned();
    vec![Group::new(CauseKind::DataLost, summary, Some(describe(first)), members)]
}

/// The id in a 201's body, or the last segment of its Location.
fn created_id(x: &Exchange) -> Option<String> {
    let r = x.response.as_ref()?;
    let from_body = r
        .body
        .as_deref()
        .filter(|b| b.len() <= BODY_MAX)
        .and_then(|b| serde_json::from_str::<Value>(b).ok())
        .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_owned));
    from_body
        .or_else(|| r.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("location")).and_then(|(_, v)| own_id(v)))
}

/// The resource id of a URL `.../{Endpoint}/{id}`, decoded.
fn own_id(url: &str) -> Option<String> {
    let path = path_of(url);
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        [.., endpoint, id]
            if !id.eq_ignore_ascii_case(".search") && !ENDPOINTS.iter().any(|e| e.eq_ignore_ascii_case(id)) =>
        {
            (ENDPOINTS.iter().any(|e| e.eq_ignore_ascii_case(endpoint)) || looks_like_id(id)).then(|| decode(id))
        }
        _ => None,
    }
}

/// PATCH unsupported: a PATCH answered 501 or 405 anywhere in the check.
fn patch_unsupported<'a>(open: &[&'a CheckResult], _: &[CheckResult]) -> Vec<Group<'a>> {
    let refused =
        |x: &&Exchange| x.request.method.eq_ignore_ascii_case("PATCH") && matches!(status(x), Some(501 | 405));
    let members: Vec<&CheckResult> =
        open.iter().copied().filter(|c| is_miss(c) && c.evidence.iter().any(|x| refused(&x))).collect();
    let Some(first) = members.first().and_then(|c| c.evidence.iter().find(refused)) else { return Vec::new() };
    let code = status(first).unwrap_or(501);
    let summary = format!("the server does not support PATCH ({code})");
    vec![Group::new(CauseKind::PatchUnsupported, summary, Some(describe(first)), members)]
}

/// A crash: 5xx answers that share a query parameter, or a method and path shape, that fails on (nearly) every
/// request of the run that carries it.
fn crash<'a>(open: &[&'a CheckResult], all: &[CheckResult]) -> Vec<Group<'a>> {
    fn keys(x: &Exchange) -> Vec<String> {
        let mut k: Vec<String> = query(&x.request.url).into_iter().map(|(n, _)| format!("requests with {n}")).collect();
        k.sort();
        k.dedup();
        k.push(format!("{} {}", x.request.method, shape(&x.request.url)));
        k
    }
    // How often each key met a 5xx over the whole run.
    let mut share: HashMap<String, (usize, usize)> = HashMap::new();
    for x in all.iter().flat_map(|c| &c.evidence) {
        let failed = status(x).is_some_and(|s| s >= 500);
        for k in keys(x) {
            let e = share.entry(k).or_default();
            e.1 += 1;
            if failed {
                e.0 += 1;
            }
        }
    }
    let mut crashed: Vec<(&CheckResult, &Exchange)> = open
        .iter()
        .copied()
        .filter(|c| is_miss(c))
        .filter_map(|c| decisive(c).filter(|x| status(x).is_some_and(|s| s >= 500)).map(|x| (c, x)))
        .collect();
    let mut groups = Vec::new();
    loop {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for (_, x) in &crashed {
            for k in keys(x) {
                *counts.entry(k).or_default() += 1;
            }
        }
        let rate = |k: &str| share.get(k).map_or(0.0, |(f, n)| *f as f64 / (*n).max(1) as f64);
        let best = counts.into_iter().filter(|(k, n)| *n >= MIN_GROUP && rate(k) >= CRASH_SHARE).max_by(|a, b| {
            (a.1, rate(&a.0), &b.0).partial_cmp(&(b.1, rate(&b.0), &a.0)).unwrap_or(std::cmp::Ordering::Equal)
        });
        let Some((key, _)) = best else { break };
        let (members, rest): (Vec<_>, Vec<_>) = crashed.into_iter().partition(|(_, x)| keys(x).contains(&key));
        crashed = rest;
        let first = members[0].1;
        let code = status(first).unwrap_or(500);
        let summary = format!("the server fails ({code}) on {key}");
        groups.push(Group::new(
            CauseKind::ServerCrash,
            summary,
            Some(describe(first)),
            members.into_iter().map(|m| m.0).collect(),
        ));
    }
    groups
}

/// What a filtered list says about the server's filtering.
#[derive(Debug, Clone, PartialEq)]
enum Filtered {
    /// Resources that do not match: how many, of how many, and the request.
    Mismatch { bad: usize, of: usize },
    /// Every resource matched, and there was at least one.
    Clean,
    /// A filter the RFC refuses, answered 200 with a list.
    InvalidAccepted,
    /// Nothing to judge.
    Unknown,
}

/// Judges one exchange: a GET with `filter` or a POST `.search`, answered 2xx with a ListResponse.
fn judge(x: &Exchange) -> Filtered {
    let method = x.request.method.to_ascii_uppercase();
    let params = query(&x.request.url);
    let get = |name: &str| params.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
    let (text, projected) = match method.as_str() {
        "GET" => match get("filter") {
            Some(f) => (f, get("attributes").is_some() || get("excludedAttributes").is_some()),
            None => return Filtered::Unknown,
        },
        "POST" if path_of(&x.request.url).ends_with("/.search") => {
            let body = x.request.body.as_deref().and_then(|b| serde_json::from_str::<Value>(b).ok());
            let Some(body) = body else { return Filtered::Unknown };
            let field = |n: &str| {
                body.as_object().and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v))
            };
            match field("filter").and_then(Value::as_str) {
                Some(f) => (f.to_owned(), field("attributes").is_some() || field("excludedAttributes").is_some()),
                None => return Filtered::Unknown,
            }
        }
        _ => return Filtered::Unknown,
    };
    let Some(resources) = list_of(x) else { return Filtered::Unknown };
    let Ok(parsed) = filter::parse(&text) else { return Filtered::InvalidAccepted };
    let registry = SchemaRegistry::core();
    let users = registry.user();
    let groups = registry.group();
    let (Ok(user_m), Ok(group_m)) = (Matcher::compile(&parsed, &users), Matcher::compile(&parsed, &groups)) else {
        return Filtered::InvalidAccepted;
    };
    let endpoint = shape(&x.request.url);
    let names = if projected { top_names(&parsed) } else { Vec::new() };
    let (mut bad, mut of) = (0, 0);
    for r in &resources {
        let is_group = if endpoint.starts_with("/Groups") {
            true
        } else if endpoint.starts_with("/Users") {
            false
        } else {
            // The root .search: the resource says what it is.
            r.get("schemas")
                .and_then(Value::as_array)
                .is_some_and(|s| s.iter().any(|u| u.as_str().is_some_and(|u| u.ends_with(":Group"))))
        };
        // A projected resource may lack what the filter reads; it proves nothing then.
        if projected && !names.iter().all(|n| has_key(r, n)) {
            continue;
        }
        of += 1;
        let m = if is_group { &group_m } else { &user_m };
        if !m.matches(r) {
            bad += 1;
        }
    }
    match (bad, of) {
        (0, 0) => Filtered::Unknown,
        (0, _) => Filtered::Clean,
        _ => Filtered::Mismatch { bad, of },
    }
}

/// The Resources of a 2xx ListResponse. Evidence bodies are kept up to a bound, so a long list arrives cut
/// short: then the resources that are complete before the cut are read.
fn list_of(x: &Exchange) -> Option<Vec<Value>> {
    let r = x.response.as_ref().filter(|r| (200..300).contains(&r.status))?;
    let body = r.body.as_deref().filter(|b| b.len() <= BODY_MAX)?;
    match serde_json::from_str::<Value>(body) {
        Ok(v) => {
            let o = v.as_object()?;
            o.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("Resources"))
                .and_then(|(_, v)| v.as_array().cloned())
                .or_else(|| {
                    // A ListResponse with no resources may leave the member out.
                    o.keys().any(|k| k.eq_ignore_ascii_case("totalResults")).then(Vec::new)
                })
        }
        Err(_) => complete_prefix(body),
    }
}

/// The complete elements of the `Resources` array of a JSON text cut short.
fn complete_prefix(body: &str) -> Option<Vec<Value>> {
    let at = body.to_ascii_lowercase().find("\"resources\"")?;
    let open = at + body[at..].find('[')?;
    let mut rest = &body[open + 1..];
    let mut out = Vec::new();
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
        if rest.is_empty() || rest.starts_with(']') {
            break;
        }
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        match stream.next() {
            Some(Ok(v)) => {
                let used = stream.byte_offset();
                out.push(v);
                rest = &rest[used..];
            }
            _ => break,
        }
    }
    Some(out)
}

/// The top-level members a filter reads (an extension attribute is read under its URN).
fn top_names(f: &Filter) -> Vec<String> {
    fn walk(f: &Filter, out: &mut Vec<String>) {
        let mut push = |p: &filter::AttrPath| {
            let key = match &p.urn {
                Some(urn) if urn.to_ascii_lowercase().contains(":extension:") => urn.clone(),
                _ => p.name.clone(),
            };
            out.push(key);
        };
        match f {
            Filter::Attr(a) => push(&a.path),
            Filter::ValuePath(v) => push(&v.attr),
            Filter::And(a, b) | Filter::Or(a, b) => {
                walk(a, out);
                walk(b, out);
            }
            Filter::Not(a) => walk(a, out),
        }
    }
    let mut out = Vec::new();
    walk(f, &mut out);
    out
}

fn has_key(v: &Value, name: &str) -> bool {
    v.as_object().is_some_and(|o| o.keys().any(|k| k.eq_ignore_ascii_case(name)))
}

/// Words a check uses when it finds the filter ignored itself (the IdP lookup probes say it directly).
const SAYS_IGNORED: [&str; 5] =
    ["ignores filter", "ignores the filter", "filter ignored", "ignored the filter", "ignores filters"];

fn says_ignored(c: &CheckResult) -> bool {
    [&c.reason, &c.actual].into_iter().flatten().any(|t| {
        let t = t.to_ascii_lowercase();
        SAYS_IGNORED.iter().any(|w| t.contains(w))
    })
}

/// How many exchanges of one check are judged, at most: enough to find a mismatch, bounded for checks with
/// hundreds of exchanges.
const JUDGED_PER_CHECK: usize = 64;

/// What one check's filtered lists say: the first mismatch, whether a clean list was seen, whether an invalid
/// filter was accepted.
fn judge_check(c: &CheckResult) -> (Option<(usize, usize, &Exchange)>, bool, bool) {
    let (mut clean, mut invalid) = (false, false);
    // The last exchanges are the decisive ones: judge from the end.
    for x in c.evidence.iter().rev().take(JUDGED_PER_CHECK) {
        match judge(x) {
            Filtered::Mismatch { bad, of } => return (Some((bad, of, x)), clean, invalid),
            Filtered::Clean => clean = true,
            Filtered::InvalidAccepted => invalid = true,
            Filtered::Unknown => {}
        }
    }
    (None, clean, invalid)
}

/// Filter ignored: filtered lists answered with resources that do not match, or a check that says so.
fn filter_ignored<'a>(open: &[&'a CheckResult], all: &[CheckResult]) -> Vec<Group<'a>> {
    let mut direct: Vec<&CheckResult> = Vec::new();
    let mut shown: Vec<(&CheckResult, (usize, usize, &Exchange))> = Vec::new();
    let mut invalid: Vec<&CheckResult> = Vec::new();
    for c in open.iter().copied().filter(|c| is_miss(c)) {
        let (mismatch, _, accepted) = judge_check(c);
        if says_ignored(c) {
            direct.push(c);
        } else if let Some(m) = mismatch {
            shown.push((c, m));
        } else if accepted {
            invalid.push(c);
        }
    }
    if direct.len() + shown.len() < MIN_GROUP {
        return Vec::new();
    }
    // Ignored, or only some filters wrong: over every check of the run with a judged filtered list.
    let (mut mismatching, mut clean) = (0, 0);
    for c in all {
        match judge_check(c) {
            (Some(_), _, _) => mismatching += 1,
            (None, true, _) => clean += 1,
            _ => {}
        }
    }
    let summary = if direct.len() + mismatching > clean {
        "the server ignores filter"
    } else {
        "the server answers some filters with resources that do not match"
    };
    // The clearest: a check that says it in words, then the shortest evidence; the example is the first's.
    let mut clear: Vec<&CheckResult> = direct.iter().copied().chain(shown.iter().map(|s| s.0)).collect();
    clear.sort_by_key(|c| (!direct.iter().any(|d| d.id == c.id), c.evidence.len()));
    let evidence = clear.first().and_then(|first| match shown.iter().find(|s| s.0.id == first.id) {
        Some((_, (bad, of, x))) => Some(format!(
            "{} with {of} resource{}, {bad} of which do not match the filter",
            describe(x),
            if *of == 1 { "" } else { "s" }
        )),
        None => first.actual.as_deref().or(first.reason.as_deref()).map(|t| one_line(t, 240)),
    });
    let order = |c: &&CheckResult| all.iter().position(|a| a.id == c.id);
    let mut members: Vec<&CheckResult> = clear.iter().chain(&invalid).copied().collect();
    members.sort_by_key(order);
    let mut g = Group::new(CauseKind::FilterIgnored, summary.to_owned(), evidence, members);
    g.clear = clear.into_iter().chain(invalid).collect();
    vec![g]
}

/// The same answer: failures whose decisive exchange got the same error status to the same method and shape.
fn same_answer<'a>(open: &[&'a CheckResult], _: &[CheckResult]) -> Vec<Group<'a>> {
    // (method, shape, answer) and the failures that met it.
    type Key = (String, String, String);
    let mut groups: Vec<(Key, Vec<&CheckResult>)> = Vec::new();
    for c in open.iter().copied().filter(|c| is_miss(c)) {
        let Some(x) = decisive(c) else { continue };
        let answer = match status(x) {
            Some(s) if s < 300 => continue,
            Some(s) => s.to_string(),
            None => "no response".to_owned(),
        };
        let key = (x.request.method.to_ascii_uppercase(), shape(&x.request.url), answer);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(c),
            None => groups.push((key, vec![c])),
        }
    }
    groups
        .into_iter()
        .map(|((method, shape, answer), members)| {
            let detail = decisive(members[0])
                .and_then(|x| x.response.as_ref())
                .and_then(|r| r.body.as_deref())
                .map(|b| one_line(b, 200));
            let summary = format!("{method} {shape} answers {answer}");
            Group::new(CauseKind::SameAnswer, summary, detail.filter(|d| !d.is_empty()), members)
        })
        .collect()
}

#[cfg(test)]
mod tests;
