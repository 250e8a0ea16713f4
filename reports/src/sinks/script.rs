//! The reproducer of a multi-step check: a POSIX shell script that replays every request of the check in order,
//! setup included, built from its evidence (the harness's own `reproducer` holds only the last request, which
//! acts on a resource that cleanup deleted long ago).
//!
//! Ids the server assigned in answers to a POST (the resources the check created) are captured from those answers
//! into shell variables (`ID1`, `ID2`...) with `jq`, and later requests use the variables where the recorded
//! requests used the ids: as a whole URL path segment, or as a JSON string in a body. The script ends by deleting
//! what it created. The credential is `$SCIM_TOKEN`, never a recorded value (evidence is redacted anyway).
//!
//! Every word from the evidence is single-quoted (a `'` inside becomes `'\''`), so the shell expands nothing of
//! it; a captured id goes in as `'"$ID1"'`, closing and reopening the quotes around the variable.

use crate::model::CheckResult;
use scimlab_protocol::exchange::{Exchange, asks_for_coding, is_credential_header};
use std::fmt::Write as _;

/// Headers curl computes itself. A recorded `Accept-Encoding` is sent as it was, with `--compressed` when it
/// allows compression, so that curl decodes the answer.
const SKIPPED_HEADERS: [&str; 4] = ["host", "content-length", "connection", "transfer-encoding"];

/// The most a script grows to: past it, the remaining requests are left out with a note (documents cut it
/// shorter still; the JSON report has every exchange).
pub const SCRIPT_MAX: usize = 256 * 1024;

/// `s` in single quotes for a POSIX shell.
fn sq(s: &str) -> String {
    format!("'{}'", s.replace('\0', "").replace('\'', r"'\''"))
}

/// A placeholder for captured id `n` inside a single-quoted word; it becomes `'"$IDn"'`.
fn placeholder(n: usize) -> String {
    format!("\u{1}ID{n}\u{1}")
}

/// `text` with every placeholder turned into its shell variable (the text is inside single quotes).
fn expand(text: &str, captured: usize) -> String {
    let mut out = text.to_owned();
    for n in 1..=captured {
        out = out.replace(&placeholder(n), &format!("'\"$ID{n}\"'"));
    }
    out
}

/// The URL with each path segment equal to a captured id replaced by its placeholder.
fn substitute_url(url: &str, ids: &[String]) -> String {
    let (path, query) = match url.find(['?', '#']) {
        Some(i) => url.split_at(i),
        None => (url, ""),
    };
    let segments: Vec<String> = path
        .split('/')
        .map(|seg| match ids.iter().position(|id| id == seg) {
            Some(i) => placeholder(i + 1),
            None => seg.to_owned(),
        })
        .collect();
    format!("{}{query}", segments.join("/"))
}

/// The body with each JSON string equal to a captured id replaced by its placeholder.
fn substitute_body(body: &str, ids: &[String]) -> String {
    let mut out = body.to_owned();
    for (i, id) in ids.iter().enumerate() {
        let quoted = serde_json::to_string(id).unwrap_or_default();
        out = out.replace(&quoted, &format!("\"{}\"", placeholder(i + 1)));
    }
    out
}

/// The id a POST answered with (a created resource), if its body is a JSON object with a string `id`.
fn created_id(x: &Exchange) -> Option<String> {
    if !x.request.method.eq_ignore_ascii_case("POST") {
        return None;
    }
    let r = x.response.as_ref().filter(|r| (200..300).contains(&r.status))?;
    let v: serde_json::Value = serde_json::from_str(r.body.as_deref()?).ok()?;
    v.get("id")?.as_str().filter(|id| !id.is_empty()).map(str::to_owned)
}

/// The curl words of one request, ids substituted, every word single-quoted.
fn curl_words(x: &Exchange, ids: &[String]) -> Vec<String> {
    let req = &x.request;
    let mut words = vec!["curl --globoff -sS".to_owned()];
    if !req.method.eq_ignore_ascii_case("GET") || req.body.is_some() {
        words.push(format!("-X {}", sq(&req.method)));
    }
    words.push(sq(&substitute_url(&req.url, ids)));
    for (name, value) in &req.headers {
        if SKIPPED_HEADERS.iter().any(|s| s.eq_ignore_ascii_case(name)) {
            continue;
        }
        if is_credential_header(name) {
            let scheme = value.split_once(' ').map(|(s, _)| s).filter(|s| !s.starts_with('['));
            let prefix = match scheme {
                Some(s) => format!("{name}: {s} "),
                None => format!("{name}: "),
            };
            words.push(format!("-H {}\"$SCIM_TOKEN\"", sq(&prefix)));
        } else {
            words.push(format!("-H {}", sq(&format!("{name}: {value}"))));
        }
    }
    if req.headers.iter().any(|(n, v)| n.eq_ignore_ascii_case("accept-encoding") && asks_for_coding(v)) {
        words.push("--compressed".to_owned());
    }
    if let Some(body) = &req.body {
        words.push(format!("--data-binary {}", sq(&substitute_body(body, ids))));
    }
    words
}

/// The replay script of `c`, when its evidence holds more than one exchange; `None` otherwise (its one request's
/// curl says it all).
pub fn replay_script(c: &CheckResult) -> Option<String> {
    if c.evidence.len() < 2 {
        return None;
    }
    let mut ids: Vec<String> = Vec::new();
    let mut created: Vec<(String, usize)> = Vec::new();
    let mut body = String::new();
    for (i, x) in c.evidence.iter().enumerate() {
        if body.len() > SCRIPT_MAX {
            let _ = writeln!(
                body,
                "\n# ... {} more requests left out to keep this script small; the JSON report has every exchange",
                c.evidence.len() - i
            );
            break;
        }
        let status = match &x.response {
            Some(r) => format!("answered {}", r.status),
            None => "got no answer".to_owned(),
        };
        let _ =
            writeln!(body, "\n# {} of {}: {} {} ({status} in the run)", i + 1, c.evidence.len(), x.request.method, {
                let u = &x.request.url;
                u.chars().take(200).collect::<String>()
            });
        let words = curl_words(x, &ids);
        let new_id = created_id(x).filter(|id| !ids.contains(id));
        match new_id {
            Some(id) => {
                ids.push(id);
                let n = ids.len();
                let _ = writeln!(body, "R{n}=$({})", expand(&words.join(" \\\n  "), n - 1));
                let _ = writeln!(body, "printf '%s\\n' \"$R{n}\"");
                let _ = writeln!(body, "ID{n}=$(printf '%s' \"$R{n}\" | jq -r '.id')");
                let collection = x.request.url.split(['?', '#']).next().unwrap_or("").trim_end_matches('/');
                created.push((collection.to_owned(), n));
            }
            None => {
                let mut line = words.join(" \\\n  ");
                line.push_str(" \\\n  -w '\\n# HTTP %{http_code}\\n'");
                let _ = writeln!(body, "{}", expand(&line, ids.len()));
            }
        }
    }
    let mut out = format!(
        "#!/bin/sh\n# Replays every request of the check {} in order, setup included, creating its own resources \
         (ids the server assigns are captured with jq).\n# Needs curl, jq, and SCIM_TOKEN in the environment.\n\
         set -eu\n: \"${{SCIM_TOKEN:?set SCIM_TOKEN to the credential}}\"\n",
        c.id.replace('\n', " ")
    );
    out.push_str(&body);
    if !created.is_empty() {
        out.push_str("\n# Cleanup: delete what this script created (404 if the check deleted it already).\n");
        for (collection, n) in created.iter().rev() {
            let _ = writeln!(
                out,
                "curl --globoff -sS -o /dev/null -w '# DELETE %{{http_code}}\\n' -X DELETE {}'/'\"$ID{n}\" \
                 -H 'Authorization: Bearer '\"$SCIM_TOKEN\" || true",
                sq(collection)
            );
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Level, Verdict};
    use scimlab_protocol::exchange::{HttpRequest, HttpResponse, Timings};

    fn x(method: &str, url: &str, body: Option<&str>, status: u16, answer: Option<&str>) -> Exchange {
        Exchange {
            id: 0,
            started_at: "2024-05-01T12:00:00Z".parse().expect("time"),
            request: HttpRequest {
                method: method.into(),
                url: url.into(),
                headers: vec![
                    ("Authorization".into(), "Bearer [redacted]".into()),
                    ("Content-Type".into(), "application/scim+json".into()),
                ],
                body: body.map(str::to_owned),
            },
            response: Some(HttpResponse { status, headers: vec![], body: answer.map(str::to_owned) }),
            timings: Timings { total_us: 1, ttfb_us: None },
            client: None,
            error: None,
        }
    }

    /// Regression: a multi-step check's reproducer replayed only its last request, against a user that cleanup
    /// had deleted.
    #[test]
    fn the_script_replays_every_step_with_the_ids_it_is_given() {
        let base = "http://127.0.0.1:8080/scim/v2";
        let c = CheckResult {
            evidence: vec![
                x("POST", &format!("{base}/Users"), Some(r#"{"userName":"o'brien"}"#), 201, Some(r#"{"id":"u-9f"}"#)),
                x("PATCH", &format!("{base}/Users/u-9f"), Some(r#"{"value":"u-9f","x":"u-9fz"}"#), 204, None),
                x("GET", &format!("{base}/Users/u-9f?attributes=id"), None, 200, Some(r#"{"id":"u-9f"}"#)),
            ],
            ..CheckResult::bare("rfc7644/3.5.2/x", Level::Must, Verdict::Fail)
        };
        let s = replay_script(&c).expect("a script");
        assert!(s.starts_with("#!/bin/sh\n") && s.contains("set -eu"), "{s}");
        assert!(
            s.contains("R1=$(curl --globoff -sS \\\n  -X 'POST' \\\n  'http://127.0.0.1:8080/scim/v2/Users'"),
            "{s}"
        );
        assert!(s.contains(r#"--data-binary '{"userName":"o'\''brien"}')"#), "quotes survive: {s}");
        assert!(s.contains("ID1=$(printf '%s' \"$R1\" | jq -r '.id')"), "{s}");
        assert!(s.contains("'http://127.0.0.1:8080/scim/v2/Users/'\"$ID1\"''"), "the path uses the captured id: {s}");
        assert!(s.contains(r#"'{"value":"'"$ID1"'","x":"u-9fz"}'"#), "only whole JSON strings change: {s}");
        assert!(s.contains("/Users/'\"$ID1\"'?attributes=id'"), "{s}");
        assert!(s.contains("-H 'Authorization: Bearer '\"$SCIM_TOKEN\""), "{s}");
        assert!(!s.contains("[redacted]"), "{s}");
        assert!(s.contains("-X DELETE 'http://127.0.0.1:8080/scim/v2/Users''/'\"$ID1\""), "cleans up: {s}");
        assert!(!s.contains('\u{1}'), "no placeholder is left");
        let one = CheckResult { evidence: c.evidence[..1].to_vec(), ..c.clone() };
        assert_eq!(replay_script(&one), None);
        // A check of huge requests gets a bounded script that says what it left out.
        let huge = format!("{{\"a\":\"{}\"}}", "x".repeat(SCRIPT_MAX));
        let big = CheckResult {
            evidence: (0..5).map(|_| x("POST", &format!("{base}/Users"), Some(&huge), 400, None)).collect(),
            ..c.clone()
        };
        let s = replay_script(&big).expect("a script");
        assert!(s.len() < 3 * SCRIPT_MAX, "{} bytes", s.len());
        assert!(s.contains("# ... 4 more requests left out"), "{}", &s[s.len() - 300..]);
    }

    /// The script is valid shell: `sh -n` parses it (skipped where no sh exists).
    #[test]
    fn the_script_parses_as_shell() {
        let base = "http://127.0.0.1:8080/scim/v2";
        let c = CheckResult {
            evidence: vec![
                x(
                    "POST",
                    &format!("{base}/Groups"),
                    Some("{\"displayName\":\"a $b `c` \\\"d\\\"\"}"),
                    201,
                    Some(r#"{"id":"g'1"}"#),
                ),
                x("DELETE", &format!("{base}/Groups/g'1"), None, 204, None),
            ],
            ..CheckResult::bare("rfc7644/3.6/x", Level::Must, Verdict::Fail)
        };
        let s = replay_script(&c).expect("a script");
        let Ok(mut child) = std::process::Command::new("sh").arg("-n").stdin(std::process::Stdio::piped()).spawn()
        else {
            return;
        };
        use std::io::Write as _;
        child.stdin.take().expect("stdin").write_all(s.as_bytes()).expect("write");
        assert!(child.wait().expect("sh").success(), "{s}");
    }
}
