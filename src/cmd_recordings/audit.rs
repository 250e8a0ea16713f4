//! `scimlab recordings audit`: the mock SP's audit trail ([`scimlab_mock_sp::audit`]) as a timeline, or as JSON
//! Lines (the same lines `scimlab serve --audit-log FILE` streams).
//!
//! The filters narrow the trail to the history of resources: `--resource ID` to one id, `--user-name NAME` to
//! the Users that bore that userName at any point of their history (case-insensitively, as userName compares),
//! and `--since T` to the changes at or after an instant (RFC 3339) or within a duration back from now (`10m`).
//! Filters combine: an entry is shown when it passes every one given.

use crate::exit::Failure;
use anyhow::anyhow;
use scimlab_mock_sp::audit::AuditEntry;
use std::collections::HashSet;
use std::fmt::Write as _;

/// Which entries to show.
#[derive(Debug, Default)]
pub struct Filter {
    /// Only this resource id.
    pub resource: Option<String>,
    /// Only Users that had this userName at some time.
    pub user_name: Option<String>,
    /// Only changes at or after this instant.
    pub since: Option<jiff::Timestamp>,
}

/// Reads `--since`: an RFC 3339 instant (`2026-05-01T09:00:00Z`), or a duration back from `now` (`10m`, `2h`).
pub fn parse_since(text: &str, now: jiff::Timestamp) -> Result<jiff::Timestamp, Failure> {
    if let Ok(t) = text.trim().parse::<jiff::Timestamp>() {
        return Ok(t);
    }
    let bad = |why: String| {
        Failure::Usage(anyhow!(
            "--since {text:?} is neither an RFC 3339 instant such as 2026-05-01T09:00:00Z nor a duration such as \
             10m or 2h: {why}"
        ))
    };
    let back = scimlab_protocol::duration::parse(text).map_err(|e| bad(e.problem))?;
    let back = jiff::SignedDuration::try_from(back).map_err(|e| bad(e.to_string()))?;
    now.checked_sub(back).map_err(|e| bad(e.to_string()))
}

impl Filter {
    /// The entries of `all` that pass, in their order.
    pub fn apply<'a>(&self, all: &'a [AuditEntry]) -> Vec<&'a AuditEntry> {
        let named: Option<HashSet<&str>> = self.user_name.as_deref().map(|want| {
            let want = want.to_lowercase();
            all.iter()
                .filter(|e| e.resource_type == "User")
                .filter(|e| e.name.as_deref().is_some_and(|n| n.to_lowercase() == want))
                .map(|e| e.resource_id.as_str())
                .collect()
        });
        all.iter()
            .filter(|e| self.resource.as_deref().is_none_or(|id| e.resource_id == id))
            .filter(|e| {
                named.as_ref().is_none_or(|ids| e.resource_type == "User" && ids.contains(e.resource_id.as_str()))
            })
            .filter(|e| self.since.is_none_or(|since| e.time.parse::<jiff::Timestamp>().is_ok_and(|t| t >= since)))
            .collect()
    }
}

/// The entries as a timeline, oldest first: a heading per change (seq, time, operation, resource, name), the
/// client and request that made it, and the patch, one operation per line.
pub fn timeline(entries: &[&AuditEntry]) -> String {
    let mut s = String::new();
    for e in entries {
        let name = e.name.as_deref().map(|n| format!(" {n:?}")).unwrap_or_default();
        let _ =
            writeln!(s, "#{}  {}  {} {} {}{name}", e.seq, e.time, e.operation.name(), e.resource_type, e.resource_id);
        match &e.request {
            Some(r) => {
                let c = &r.client;
                let _ = writeln!(
                    s,
                    "    client   {}  agent {}  credential {}",
                    c.address.as_deref().unwrap_or("-"),
                    c.user_agent.as_deref().map_or_else(|| "-".to_owned(), |a| format!("{a:?}")),
                    c.credential.as_deref().unwrap_or("-"),
                );
                let recording = r.recording.map(|n| format!("  (recordings show {n})")).unwrap_or_default();
                let _ = writeln!(s, "    request  {} {}{recording}", r.method, r.path);
            }
            None => s.push_str("    client   the server itself (no request)\n"),
        }
        let ops = serde_json::to_value(&e.patch).unwrap_or_default();
        let ops = ops.as_array().cloned().unwrap_or_default();
        if ops.is_empty() {
            s.push_str("    (no change outside meta)\n");
        }
        for op in ops {
            let verb = op.get("op").and_then(|v| v.as_str()).unwrap_or("?");
            let path = op.get("path").and_then(|v| v.as_str()).unwrap_or("");
            let path = if path.is_empty() { "(the whole resource)" } else { path };
            match op.get("value").or_else(|| op.get("from")) {
                Some(v) => {
                    let _ = writeln!(s, "    {verb:<8} {path}  {v}");
                }
                None => {
                    let _ = writeln!(s, "    {verb:<8} {path}");
                }
            }
        }
        s.push('\n');
    }
    s
}

/// The entries as JSON Lines, one entry per line.
pub fn jsonl(entries: &[&AuditEntry]) -> Result<String, Failure> {
    let mut text = String::new();
    for e in entries {
        let line = serde_json::to_string(e)
            .map_err(|err| Failure::Internal(anyhow!("cannot serialise audit entry {}: {err}", e.seq)))?;
        text.push_str(&line);
        text.push('\n');
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entries() -> Vec<AuditEntry> {
        let raw = json!([
            {"seq": 1, "time": "2026-05-01T09:00:00Z", "resourceType": "User", "resourceId": "u1", "name": "Ada",
             "operation": "create", "patch": [{"op": "add", "path": "/userName", "value": "Ada"}]},
            {"seq": 2, "time": "2026-05-01T09:05:00Z", "resourceType": "User", "resourceId": "u1", "name": "ada.l",
             "operation": "patch", "request": {"method": "PATCH", "path": "/scim/v2/Users/u1", "recording": 7,
             "client": {"address": "127.0.0.1:9", "userAgent": "Okta", "credential": "bearer token"}},
             "patch": [{"op": "replace", "path": "/userName", "value": "ada.l"}]},
            {"seq": 3, "time": "2026-05-01T09:06:00Z", "resourceType": "User", "resourceId": "u2", "name": "bob",
             "operation": "create", "patch": []},
            {"seq": 4, "time": "2026-05-01T09:07:00Z", "resourceType": "Group", "resourceId": "u1", "name": "ada",
             "operation": "create", "patch": []}
        ]);
        serde_json::from_value(raw).expect("entries")
    }

    fn seqs(f: &Filter) -> Vec<u64> {
        f.apply(&entries()).iter().map(|e| e.seq).collect()
    }

    #[test]
    fn filters_narrow_to_a_resource_history() {
        assert_eq!(seqs(&Filter::default()), [1, 2, 3, 4]);
        assert_eq!(seqs(&Filter { resource: Some("u2".into()), ..Filter::default() }), [3]);
        let by_old_name = Filter { user_name: Some("ADA".into()), ..Filter::default() };
        assert_eq!(seqs(&by_old_name), [1, 2], "a name the user had once finds its whole history, Users only");
        let since = Filter {
            since: Some(parse_since("2026-05-01T09:05:00Z", jiff::Timestamp::UNIX_EPOCH).expect("t")),
            ..Filter::default()
        };
        assert_eq!(seqs(&since), [2, 3, 4]);
        let both = Filter { user_name: Some("ada.L".into()), since: since.since, ..Filter::default() };
        assert_eq!(seqs(&both), [2]);
    }

    #[test]
    fn since_reads_instants_and_durations_and_names_what_is_wrong() {
        let now: jiff::Timestamp = "2026-05-01T10:00:00Z".parse().expect("now");
        assert_eq!(parse_since("10m", now).expect("duration").to_string(), "2026-05-01T09:50:00Z");
        let e = parse_since("yesterday", now).expect_err("not a time");
        assert!(format!("{e:?}").contains("RFC 3339"), "{e:?}");
    }

    #[test]
    fn the_timeline_shows_client_request_and_patch() {
        let all = entries();
        let text = timeline(&all.iter().take(2).collect::<Vec<_>>());
        assert_eq!(
            text,
            "#1  2026-05-01T09:00:00Z  create User u1 \"Ada\"\n    client   the server itself (no request)\n    add      /userName  \"Ada\"\n\n\
             #2  2026-05-01T09:05:00Z  patch User u1 \"ada.l\"\n    client   127.0.0.1:9  agent \"Okta\"  credential bearer token\n    request  PATCH /scim/v2/Users/u1  (recordings show 7)\n    replace  /userName  \"ada.l\"\n\n"
        );
    }
}
