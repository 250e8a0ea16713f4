//! Deleting what a run created, and nothing else: shared by `test`, `replay` (and on Ctrl-C).
//!
//! What a run created is what its [`Ledger`] recorded from the server's own answers to its creates. No listing is
//! trusted: a server that echoes the run prefix in a listing, or lists forever, cannot make cleanup delete
//! anything else or run without end. A resource whose create answered without a usable id is left, and named.
//! Cleanup is scimlab's own traffic, in plain RFC requests, whatever the persona.
//!
//! Groups go first (a group may reference users, and some servers refuse to delete a referenced user). When the
//! server announces /Bulk (RFC 7644 section 3.7), the deletes travel as DELETE operations of a few BulkRequests;
//! an operation the BulkResponse does not confirm (status 2xx, or 404: already gone) is sent again on its own, and
//! a Bulk request that fails as a whole falls back to single DELETEs. Single DELETEs go side by side, as many at
//! once as the client's gate lets through.

use crate::client::{ScimClient, ScimRequest};
use crate::ledger::{Ledger, item_path};
use futures_util::StreamExt;
use serde_json::{Value, json};

/// What cleanup did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CleanupSummary {
    /// Resources deleted (or already gone).
    pub deleted: usize,
    /// Paths that could not be deleted.
    pub failed: Vec<String>,
    /// Names of resources created without an id the run could use: left in place.
    pub left: Vec<String>,
    /// Ids the server assigned that were unusable or repeated, never touched.
    pub defects: usize,
}

impl std::fmt::Display for CleanupSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cleaned up {} resources", self.deleted)?;
        if !self.failed.is_empty() {
            let shown: Vec<&str> = self.failed.iter().take(10).map(String::as_str).collect();
            write!(f, "; could not delete {} ({})", self.failed.len(), shown.join(", "))?;
        }
        if !self.left.is_empty() {
            let shown: Vec<&str> = self.left.iter().take(10).map(String::as_str).collect();
            write!(f, "; {} created without a usable id, left in place ({})", self.left.len(), shown.join(", "))?;
        }
        if self.defects > 0 {
            write!(f, "; {} server-assigned ids were unusable or repeated and never touched", self.defects)?;
        }
        Ok(())
    }
}

/// How cleanup may send its deletes.
#[derive(Debug, Clone, Copy)]
pub struct Cleanup<'a> {
    /// The collection deleted first (`/Groups`, as the run named it).
    pub groups: &'a str,
    /// Operations per BulkRequest, when the server announces /Bulk (its `maxOperations`), else `None`.
    pub bulk_operations: Option<usize>,
    /// The largest BulkRequest body the server takes (`maxPayloadSize`), if it says.
    pub bulk_payload: Option<usize>,
    /// Single DELETEs handed to the client at once (its gate decides how many really fly).
    pub at_once: usize,
}

/// Fewer deletes than this go one by one: a BulkRequest saves nothing on a handful.
const BULK_FROM: usize = 8;

/// Operations per BulkRequest at most, whatever the server announces: a server handles one Bulk request in one
/// go, and a few hundred deletes keep it well inside any request timeout.
const BULK_MOST: usize = 200;

impl Cleanup<'_> {
    /// Deletes every resource `ledger` still holds, forgetting each one deleted (or found gone).
    pub async fn run(&self, client: &ScimClient, ledger: &Ledger) -> CleanupSummary {
        let summary = self.delete(client, ledger, &ledger.remaining()).await;
        CleanupSummary { left: ledger.orphans(), defects: ledger.defects().len(), ..summary }
    }

    /// Deletes the resources `items` names (collection as the run named it, id) that `ledger` still holds,
    /// forgetting each one deleted (or found gone): a run may clean up what a finished part of it made while the
    /// rest goes on. Anything not in the ledger is never touched.
    pub async fn delete(&self, client: &ScimClient, ledger: &Ledger, items: &[(String, String)]) -> CleanupSummary {
        let mut summary = CleanupSummary::default();
        let held = ledger.remaining();
        let remaining: Vec<&(String, String)> = items.iter().filter(|item| held.contains(item)).collect();
        let is_group =
            |collection: &str| collection.trim_matches('/').eq_ignore_ascii_case(self.groups.trim_matches('/'));
        for groups in [true, false] {
            // Every recorded id was usable as a segment when it was recorded.
            let batch: Vec<(&str, &str, String)> = remaining
                .iter()
                .filter(|(c, _)| is_group(c) == groups)
                .filter_map(|(c, id)| Some((c.as_str(), id.as_str(), item_path(c, id).ok()?)))
                .collect();
            let gone = self.delete_all(client, &batch, &mut summary).await;
            for (collection, id, _) in batch.iter().filter(|(_, _, p)| gone.contains(p)) {
                ledger.forget(collection, id);
            }
        }
        summary
    }

    /// Deletes `batch`; returns the paths deleted or found gone, and puts the others in `summary.failed`.
    async fn delete_all(
        &self,
        client: &ScimClient,
        batch: &[(&str, &str, String)],
        summary: &mut CleanupSummary,
    ) -> std::collections::HashSet<String> {
        let mut gone = std::collections::HashSet::new();
        let mut single: Vec<String> = Vec::new();
        match self.bulk_size(batch) {
            Some(size) => {
                for chunk in batch.chunks(size) {
                    let paths: Vec<&str> = chunk.iter().map(|(_, _, p)| p.as_str()).collect();
                    let confirmed = bulk_delete(client, &paths).await;
                    for p in paths {
                        if confirmed.contains(p) {
                            gone.insert(p.to_owned());
                        } else {
                            single.push(p.to_owned());
                        }
                    }
                }
            }
            None => single.extend(batch.iter().map(|(_, _, p)| p.clone())),
        }
        let mut answers = futures_util::stream::iter(single)
            .map(|p| async move {
                let ok = matches!(
                    client.send(ScimRequest::delete(&p)).await,
                    Ok(r) if (200..300).contains(&r.status) || r.status == 404
                );
                (p, ok)
            })
            .buffer_unordered(self.at_once.max(1));
        while let Some((p, ok)) = answers.next().await {
            if ok {
                gone.insert(p);
            } else {
                summary.failed.push(p);
            }
        }
        summary.deleted += gone.len();
        gone
    }

    /// Operations per BulkRequest for `batch`, or `None` to send single DELETEs.
    fn bulk_size(&self, batch: &[(&str, &str, String)]) -> Option<usize> {
        let most = self.bulk_operations.filter(|n| *n > 1)?.min(BULK_MOST);
        if batch.len() < BULK_FROM {
            return None;
        }
        // Keep each body well under the announced payload limit: an operation is its path and some 40 bytes.
        let longest = batch.iter().map(|(_, _, p)| p.len() + 48).max().unwrap_or(64);
        let fit = self.bulk_payload.map_or(most, |limit| (limit / 2) / longest);
        (fit > 1).then_some(most.min(fit))
    }
}

/// Sends one BulkRequest deleting `paths`; returns the paths whose operation the BulkResponse confirms.
async fn bulk_delete<'p>(client: &ScimClient, paths: &[&'p str]) -> std::collections::HashSet<&'p str> {
    let ops: Vec<Value> = paths.iter().map(|p| json!({"method": "DELETE", "path": p})).collect();
    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": ops});
    let answer = client.send(ScimRequest::json(reqwest::Method::POST, "/Bulk", &body)).await;
    let Ok(r) = answer else { return Default::default() };
    if r.status != 200 {
        return Default::default();
    }
    let Some(results) = r.body_json().get("Operations").and_then(Value::as_array) else { return Default::default() };
    paths
        .iter()
        .copied()
        .filter(|p| {
            results.iter().any(|o| {
                let status = match o.get("status") {
                    Some(Value::String(s)) => s.trim().parse::<u16>().ok(),
                    Some(Value::Number(n)) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
                    _ => None,
                };
                o.get("location").and_then(Value::as_str).is_some_and(|l| location_names(l, p))
                    && status.is_some_and(|s| (200..300).contains(&s) || s == 404)
            })
        })
        .collect()
}

/// Whether a BulkResponse `location` (absolute, or relative to the base) names the resource at `path`
/// (`/Users/<id>`, which starts at a segment boundary): it ends with the path. A server that confirms what it did
/// not do only makes cleanup forget a resource, never delete another.
fn location_names(location: &str, path: &str) -> bool {
    location.split(['?', '#']).next().unwrap_or(location).ends_with(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_location_names_a_path_only_whole() {
        assert!(location_names("https://h/scim/v2/Users/abc", "/Users/abc"));
        assert!(location_names("/Users/abc", "/Users/abc"));
        assert!(!location_names("https://h/scim/v2/Users/xabc", "/Users/abc"));
        assert!(location_names("https://h/scim/v2/Users/abc?x=1", "/Users/abc"));
        assert!(!location_names("https://h/scim/v2/Users/abc/x", "/Users/abc"));
    }
}
