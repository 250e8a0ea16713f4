//! Cleanup after a replay (and on Ctrl-C): everything the run registered is deleted, groups before users,
//! through /Bulk when the server announces it and with bounded parallel DELETEs otherwise; then a sweep by the
//! run prefix deletes anything left that carries it (a create that answered without an id). Nothing without
//! the prefix is ever touched. Cleanup is scimlab's own traffic, in plain RFC requests, whatever the persona.

use super::engine::Replayer;
use crate::client::ScimRequest;
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::sync::PoisonError;

/// What cleanup did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CleanupSummary {
    /// Resources deleted (or already gone).
    pub deleted: usize,
    /// Paths that could not be deleted.
    pub failed: Vec<String>,
}

impl std::fmt::Display for CleanupSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cleaned up {} resources", self.deleted)?;
        if !self.failed.is_empty() {
            let shown: Vec<&str> = self.failed.iter().take(10).map(String::as_str).collect();
            write!(f, "; could not delete {} ({})", self.failed.len(), shown.join(", "))?;
        }
        Ok(())
    }
}

impl Replayer {
    /// Deletes what the run created. Safe to call more than once.
    pub async fn cleanup(&self) -> CleanupSummary {
        let (users, groups) = {
            let mut c = self.created.lock().unwrap_or_else(PoisonError::into_inner);
            (std::mem::take(&mut c.users), std::mem::take(&mut c.groups))
        };
        let mut summary = CleanupSummary::default();
        let paths: Vec<String> = groups
            .iter()
            .map(|id| format!("/Groups/{id}"))
            .chain(users.iter().map(|id| format!("/Users/{id}")))
            .collect();
        self.delete_all(paths, &mut summary).await;
        for (collection, attr) in [("/Groups", "displayName"), ("/Users", "userName")] {
            let leftovers = self.sweep(collection, attr).await;
            self.delete_all(leftovers, &mut summary).await;
        }
        summary
    }

    async fn bulk_max_ops(&self) -> Option<usize> {
        let resp = self.client.send(ScimRequest::get("/ServiceProviderConfig")).await.ok()?;
        let spc = scimlab_protocol::spc::ServiceProviderConfig::from_json(resp.json.as_ref()?).ok()?;
        (spc.bulk.supported && spc.bulk.max_operations > 1)
            .then(|| usize::try_from(spc.bulk.max_operations).unwrap_or(1000).min(1000))
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

    /// Paths of resources that carry the run prefix, found by a `sw` filter and checked again here.
    async fn sweep(&self, collection: &str, attr: &str) -> Vec<String> {
        let prefix = &self.options.prefix;
        let mut out = Vec::new();
        let mut start = 1u64;
        loop {
            let mut req = ScimRequest::get(collection);
            req.query = vec![
                ("filter".into(), format!("{attr} sw \"{prefix}\"")),
                ("attributes".into(), attr.into()),
                ("startIndex".into(), start.to_string()),
                ("count".into(), "500".into()),
            ];
            let Ok(resp) = self.client.send(req).await else { break };
            let page: Vec<Value> =
                resp.body_json().get("Resources").and_then(Value::as_array).cloned().unwrap_or_default();
            if resp.status != 200 || page.is_empty() {
                break;
            }
            for r in &page {
                let named = r.get(attr).and_then(Value::as_str).is_some_and(|n| n.starts_with(prefix.as_str()));
                if let (true, Some(id)) = (named, r.get("id").and_then(Value::as_str)) {
                    out.push(format!("{collection}/{id}"));
                }
            }
            let total = resp.body_json().get("totalResults").and_then(Value::as_u64).unwrap_or(0);
            start += page.len() as u64;
            if start > total || start > 1_000_000 {
                break;
            }
        }
        out
    }
}
