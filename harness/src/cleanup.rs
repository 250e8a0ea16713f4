//! Cleanup at the end of a run (and on Ctrl-C): everything the run created is deleted, and nothing else.

use crate::ctx::{Ctx, Kind, RunShared};
use scimlab_mock_idp::ScimRequest;
use serde_json::Value;
use std::sync::Arc;

/// Deletes what the run created: registered resources first (Groups before Users), then a sweep for anything
/// else named with the run's prefix. Returns a one-line account.
pub async fn cleanup(run: &Arc<RunShared>) -> String {
    let ctx = Ctx::new(run.clone());
    let mut deleted = 0;
    let mut failed = Vec::new();
    for (kind, id) in run.created() {
        let path = format!("{}/{id}", run.path(kind));
        match ctx.send(ScimRequest::delete(&path)).await {
            Ok(r) if (200..300).contains(&r.status) || r.status == 404 => {
                run.forget(&id);
                deleted += 1;
            }
            Ok(r) => failed.push(format!("{path} ({})", r.status)),
            Err(_) => failed.push(path),
        }
    }
    for (kind, attr) in [(Kind::Group, "displayName"), (Kind::User, "userName")] {
        let Some(collection) = (match kind {
            Kind::User => run.users.clone(),
            Kind::Group => run.groups.clone(),
        }) else {
            continue;
        };
        let filter = format!("{attr} sw \"{}\"", run.prefix);
        let Ok(r) = ctx.send(ScimRequest::get(&collection).query("filter", filter)).await else { continue };
        let leftovers: Vec<String> = r
            .body_json()
            .get("Resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|res| res.get(attr).and_then(Value::as_str).is_some_and(|n| n.starts_with(&run.prefix)))
            .filter_map(|res| res.get("id").and_then(Value::as_str).map(str::to_owned))
            .collect();
        for id in leftovers {
            // The prefix proves this run created it.
            run.adopt(kind, &id);
            let path = format!("{collection}/{id}");
            match ctx.send(ScimRequest::delete(&path)).await {
                Ok(r) if (200..300).contains(&r.status) || r.status == 404 => deleted += 1,
                _ => failed.push(path),
            }
        }
    }
    if failed.is_empty() {
        format!("cleaned up {deleted} resources")
    } else {
        format!("cleaned up {deleted} resources; could not delete {}", failed.join(", "))
    }
}
