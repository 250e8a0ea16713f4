//! The safety promises of issue 10, judged on the hostile server's own log and on what the scimlab process left
//! behind. Every finding is collected, so one failing test lists every broken promise at once.
//!
//! The write rule: a PUT, PATCH or DELETE (or a POST below a collection, or such an operation inside a Bulk request)
//! may only aim at `/scim/v2/Users/<seg>` or `/scim/v2/Groups/<seg>` where `<seg>` decodes to an id that this server
//! had handed out exactly once, as that resource type, before the request arrived, and that is one path segment
//! (not empty, `.`, `..`, nor containing `/`). Counting handouts up to the request, not to the end of the run, is
//! what a client can know: it may use an id until the server repeats it. The one other target allowed is an id
//! scimlab made up for its 404 checks (`scimlab-missing-` and 32 hex digits) that this server never handed out.

use super::run::Finished;
use super::scim::{BASE, Kind};
use super::server::{Event, Listener, Recorded, TOKEN};
use super::text::percent_decode;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write as _;

/// What the exit code must show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The server misbehaved in a way a conformance run must flag: not 0.
    NonZero,
    /// Any orderly exit (still never a panic, an abort, a signal or a kill).
    Orderly,
}

/// Broken promises, collected.
pub struct Findings {
    what: String,
    lines: Vec<String>,
    runs: Vec<String>,
}

impl Findings {
    /// Findings of the test named `what`.
    pub fn new(what: &str) -> Findings {
        Findings { what: what.to_owned(), lines: Vec::new(), runs: Vec::new() }
    }

    fn push(&mut self, line: String) {
        self.lines.push(line.replace(TOKEN, "<TOKEN>"));
    }

    /// (a) No write to anything but a resource this run created, by the write rule above.
    pub fn foreign_writes(&mut self, events: &[Event]) {
        let mut handed: HashMap<String, (usize, Kind)> = HashMap::new();
        for event in events {
            match event {
                Event::HandedOut { kind, id } => handed.entry(id.clone()).or_insert((0, *kind)).0 += 1,
                Event::Request(r) if r.listener == Listener::Main => {
                    for why in write_violations(r, &handed) {
                        self.push(format!("foreign write: {} {}: {why}", r.method, printable(&r.target)));
                    }
                }
                Event::Request(_) => {}
            }
        }
    }

    /// (b) No request carrying the token to the other origin; with `never_followed`, no request there at all.
    pub fn other_origin(&mut self, events: &[Event], never_followed: bool) {
        for r in events.iter().filter_map(|e| match e {
            Event::Request(r) if r.listener == Listener::Other => Some(r),
            _ => None,
        }) {
            let carries = r.target.contains(TOKEN)
                || r.headers.iter().any(|(_, v)| v.contains(TOKEN))
                || String::from_utf8_lossy(&r.body).contains(TOKEN);
            if carries {
                self.push(format!("token sent to another origin: {} {}", r.method, printable(&r.target)));
            } else if never_followed {
                self.push(format!("another origin was contacted: {} {}", r.method, printable(&r.target)));
            }
        }
    }

    /// (c) The token in none of stdout, stderr and the files the run wrote; (e) an orderly exit, non-zero where
    /// asked; (d) peak RSS within the budget. Also: a run that judged the server wrote the reports it was asked for.
    pub fn run(&mut self, run: &Finished, exit: Exit) {
        self.runs.push(format!(
            "{}: {:?}, peak RSS {} MiB, stdout {} bytes, stderr {} bytes, in {}",
            run.label,
            run.status,
            run.peak_rss / (1024 * 1024),
            run.stdout.len(),
            run.stderr.len(),
            run.dir.display()
        ));
        // Shown with --nocapture: how close a passing run came to its budgets.
        println!("{}: run {}", self.what, self.runs.last().map(String::as_str).unwrap_or(""));
        let label = &run.label;
        if let Some(why) = &run.killed {
            self.push(format!("{label}: {why}"));
        } else {
            match run.status.code() {
                Some(101) => self.push(format!("{label}: exit 101 (panic): {}", tail(&run.stderr))),
                Some(134) => self.push(format!("{label}: exit 134 (abort): {}", tail(&run.stderr))),
                Some(0) if exit == Exit::NonZero => {
                    self.push(format!("{label}: exit 0 against a server that must be flagged: {}", tail(&run.stdout)))
                }
                Some(_) => {}
                None => self.push(format!("{label}: killed by a signal ({:?}): {}", run.status, tail(&run.stderr))),
            }
        }
        if run.peak_rss > run.budget.rss {
            self.push(format!(
                "{label}: peak RSS {} MiB over the {} MiB budget",
                run.peak_rss >> 20,
                run.budget.rss >> 20
            ));
        }
        let entries: Vec<std::path::PathBuf> =
            std::fs::read_dir(&run.dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
        for path in entries {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let Ok(bytes) = std::fs::read(&path) else { continue };
            let text = String::from_utf8_lossy(&bytes);
            if let Some(at) = text.find(TOKEN) {
                let from = text.floor_char_boundary(at.saturating_sub(60));
                let to = text.ceil_char_boundary((at + TOKEN.len() + 60).min(text.len()));
                self.push(format!("{label}: the token is in {name} at byte {at}: …{}…", printable(&text[from..to])));
            }
        }
        // Exit 0 and 1 are runs that judged the server: they write the reports asked for (3, "could not run", may not).
        if run.killed.is_none() && matches!(run.status.code(), Some(0 | 1)) {
            for report in ["r.json", "r.html"] {
                let path = run.dir.join(report);
                let wanted = report == "r.json" || label != "load";
                if wanted && !path.exists() {
                    self.push(format!("{label}: no {report} written"));
                }
            }
            if let Ok(text) = std::fs::read_to_string(run.dir.join("r.json"))
                && serde_json::from_str::<Value>(&text).is_err()
            {
                self.push(format!("{label}: r.json is not JSON"));
            }
        }
    }

    /// Terminal output stays short: each of stdout and stderr under `max` bytes.
    pub fn short_output(&mut self, run: &Finished, max: usize) {
        for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            if text.len() > max {
                let longest = text.lines().map(str::len).max().unwrap_or(0);
                self.push(format!(
                    "{}: {name} is {} bytes (longest line {longest}), over {max}",
                    run.label,
                    text.len()
                ));
            }
        }
    }

    /// The run says what went wrong: its output names a body that was too large.
    pub fn explains_oversized_body(&mut self, run: &Finished) {
        let all = format!("{}\n{}", run.stdout, run.stderr).to_lowercase();
        if !["exceed", "too large", "larger than", "limit"].iter().any(|w| all.contains(w)) {
            self.push(format!("{}: no message about an oversized body: {}", run.label, tail(&all)));
        }
    }

    /// Panics with every finding, if there is one.
    pub fn finish(self) {
        if self.lines.is_empty() {
            return;
        }
        let mut msg = format!("{}: {} broken promise(s)\n", self.what, self.lines.len());
        for line in self.lines.iter().take(60) {
            let _ = writeln!(msg, "  {line}");
        }
        if self.lines.len() > 60 {
            let _ = writeln!(msg, "  … and {} more", self.lines.len() - 60);
        }
        for run in &self.runs {
            let _ = writeln!(msg, "  run {run}");
        }
        panic!("{msg}");
    }
}

/// Why a request breaks the write rule (empty when it does not).
fn write_violations(r: &Recorded, handed: &HashMap<String, (usize, Kind)>) -> Vec<String> {
    let method = r.method.as_str();
    if !matches!(method, "POST" | "PUT" | "PATCH" | "DELETE") {
        return Vec::new();
    }
    let path = r.target.split('?').next().unwrap_or("");
    let Some(rel) = path.strip_prefix(BASE).and_then(|p| p.strip_prefix('/')) else {
        return vec!["a write outside the SCIM base path".into()];
    };
    let segments: Vec<&str> = rel.split('/').collect();
    let mut out = Vec::new();
    match segments.as_slice() {
        [endpoint] if method == "POST" && !endpoint.is_empty() => {}
        [_, ".search"] if method == "POST" => {}
        [collection, segment] if Kind::from_segment(collection).is_some() => {
            if let Some(kind) = Kind::from_segment(collection)
                && let Err(why) = target_allowed(kind, segment, handed, &[])
            {
                out.push(why);
            }
        }
        _ => out.push("not one resource: a collection, the base path, or a deeper path".into()),
    }
    if method == "POST" && segments == ["Bulk"] {
        out.extend(bulk_violations(&r.body, handed));
    }
    out
}

/// The write rule for the operations of a Bulk request; `bulkId:` references to its own POSTs are allowed.
fn bulk_violations(body: &[u8], handed: &HashMap<String, (usize, Kind)>) -> Vec<String> {
    let Ok(request) = serde_json::from_slice::<Value>(body) else { return Vec::new() };
    let ops = request.get("Operations").and_then(Value::as_array).cloned().unwrap_or_default();
    let declared: Vec<String> = ops
        .iter()
        .filter(|op| op.get("method").and_then(Value::as_str).is_some_and(|m| m.eq_ignore_ascii_case("POST")))
        .filter_map(|op| op.get("bulkId").and_then(Value::as_str).map(str::to_owned))
        .collect();
    let mut out = Vec::new();
    for op in &ops {
        let method = op.get("method").and_then(Value::as_str).unwrap_or("").to_ascii_uppercase();
        let path = op.get("path").and_then(Value::as_str).unwrap_or("");
        let rel = path.strip_prefix(BASE).unwrap_or(path).trim_start_matches('/');
        let segments: Vec<&str> = rel.split('/').collect();
        let verdict = match (method.as_str(), segments.as_slice()) {
            ("POST", [collection]) if Kind::from_segment(collection).is_some() => Ok(()),
            (_, [collection, segment]) => match Kind::from_segment(collection) {
                Some(kind) => target_allowed(kind, segment, handed, &declared),
                None => Err("not a Users or Groups resource".to_owned()),
            },
            _ => Err("not one resource".to_owned()),
        };
        if let Err(why) = verdict {
            out.push(format!("bulk operation {method} {}: {why}", printable(path)));
        }
    }
    out
}

fn target_allowed(
    kind: Kind,
    segment: &str,
    handed: &HashMap<String, (usize, Kind)>,
    bulk_ids: &[String],
) -> Result<(), String> {
    if let Some(b) = segment.strip_prefix("bulkId:")
        && bulk_ids.iter().any(|d| d == b)
    {
        return Ok(());
    }
    let id = percent_decode(segment);
    if id.is_empty() || id == "." || id == ".." || id.contains('/') {
        return Err(format!("{} is not one path segment", printable(&format!("{id:?}"))));
    }
    match handed.get(&id) {
        Some((1, k)) if *k == kind => Ok(()),
        Some((1, k)) => Err(format!("{id:?} was handed out as a {k:?}, not a {kind:?}")),
        Some((n, _)) => Err(format!("{id:?} had been handed out {n} times")),
        None if is_made_up(&id) => Ok(()),
        None => Err(format!("{id:?} was never handed out by this server")),
    }
}

/// An id scimlab makes up for its 404 checks: `scimlab-missing-` and 32 lowercase hex digits.
fn is_made_up(id: &str) -> bool {
    id.strip_prefix("scimlab-missing-")
        .is_some_and(|h| h.len() == 32 && h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

/// Control characters escaped, so a tab or a newline in a path shows.
fn printable(s: &str) -> String {
    s.chars().flat_map(|c| if c.is_control() { c.escape_default().collect::<Vec<_>>() } else { vec![c] }).collect()
}

/// The last lines of some output, for a message.
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().rev().take(4).collect();
    let joined: Vec<String> = lines.into_iter().rev().map(|l| l.chars().take(300).collect()).collect();
    joined.join(" | ")
}
