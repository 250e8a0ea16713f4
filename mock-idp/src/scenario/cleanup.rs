//! Cleanup after a replay (and on Ctrl-C): everything the run created, and nothing else, is deleted, groups
//! before users, through /Bulk when the server announces it and with bounded parallel DELETEs otherwise.
//!
//! What the run created is what its [`Ledger`](crate::ledger::Ledger) recorded from the server's own answers to
//! its creates. No listing is trusted: a server that echoes the run prefix in a listing, or lists forever, cannot
//! make cleanup delete anything else or run without end. A resource whose create answered without a usable id
//! is left, and named. Cleanup is scimlab's own traffic, in plain RFC requests, whatever the persona.

use super::engine::Replayer;
use crate::client::ScimRequest;
use crate::ledger::item_path;
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

impl Replayer {
    /// Deletes what the run created. Safe to call more than once.
    pub async fn cleanup(&self) -> CleanupSummary {
        let ledger = self.ledger();
        let mut remaining = ledger.remaining();
        // Groups first: a group may reference users, and some servers refuse to delete a referenced user.
        remaining.sort_by_key(|(collection, _)| !collection.trim_matches('/').eq_ignore_ascii_case("groups"));
        let mut summary =
            CleanupSummary { left: ledger.orphans(), defects: ledger.defects().len(), ..CleanupSummary::default() };
        let paths: Vec<String> =
            remaining.iter().filter_map(|(collection, id)| item_path(collection, id).ok()).collect();
        let before = summary.failed.len();
        self.delete_all(paths.clone(), &mut summary).await;
        let failed: std::collections::HashSet<&String> = summary.failed[before..].iter().collect();
        for ((collection, id), path) in remaining.iter().zip(&paths) {
            if !failed.contains(path) {
                ledger.forget(collection, id);
            }
        }
        summary
    }

    async fn bulk_max_ops(&self) -> Option<usize> {
        self.discovery().await?.bulk_max_operations().filter(|n| *n > 1).map(|n| n.min(1000))
    }

    async fn delete_all(&self, paths: Vec<String>, summary: &mut CleanupSummary) {
        if paths.is_empty() {
            return;
        }
        // Groups first: they are listed first, and a batch finishes before the next starts.
        if paths.len() > 20
            && let Some(max) = self.bulk_max_ops().await
        {
            for chunk in paths.chunks(max.min(200)) {
                let ops: Vec<Value> = chunk.iter().map(|p| json!({"method": "DELETE", "path": p})).collect();
                let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": ops});
                let req = ScimRequest::json(reqwest::Method::POST, "/Bulk", &body);
                let results = match self.client.send(req).await {
                    Ok(r) if r.status == 200 => r.body_json().get("Operations").and_then(Value::as_array).cloned(),
                    _ => None,
                };
                let Some(results) = results else {
                    self.delete_each(chunk.to_vec(), summary).await;
                    continue;
                };
                let mut retry = Vec::new();
                for p in chunk {
                    let ok = results.iter().any(|o| {
                        o.get("location").and_then(Value::as_str).is_some_and(|l| l.ends_with(p.as_str()))
                            && matches!(o.get("status").and_then(Value::as_str), Some("204" | "200" | "404"))
                    });
                    if ok {
                        summary.deleted += 1;
                    } else {
                        retry.push(p.clone());
                    }
                }
                self.delete_each(retry, summary).await;
            }
            return;
        }
        self.delete_each(paths, summary).await;
    }

    async fn delete_each(&self, paths: Vec<String>, summary: &mut CleanupSummary) {
        let mut groups = Vec::new();
        let mut users = Vec::new();
        for p in paths {
            if p.starts_with("/Groups") { groups.push(p) } else { users.push(p) }
        }
        for batch in [groups, users] {
            let mut stream = futures_util::stream::iter(batch)
                .map(|p| async move {
                    let ok = matches!(
                        self.client.send(ScimRequest::delete(&p)).await,
                        Ok(r) if (200..300).contains(&r.status) || r.status == 404
                    );
                    (p, ok)
                })
                .buffer_unordered(self.options.concurrency.max(1));
            while let Some((p, ok)) = stream.next().await {
                if ok {
                    summary.deleted += 1;
                } else {
                    summary.failed.push(p);
                }
            }
        }
    }
}
