//! Cleanup at the end of a run (and on Ctrl-C): everything the run created is deleted, and nothing else.
//!
//! Only what the ledger recorded from the server's own answers to this run's creates is deleted, Groups before
//! the Users they reference, by the path the ledger built. No listing is ever trusted: a server that echoes the
//! run's prefix back in a listing cannot make the run delete its other resources. A resource whose create
//! answered without a usable id cannot be addressed; the account names it so the user can remove it by hand.

use crate::ctx::{Ctx, RunShared};
use scimlab_mock_idp::ScimRequest;
use scimlab_mock_idp::ledger::item_path;
use std::sync::Arc;

/// Deletes what the run created. Returns a one-line account.
pub async fn cleanup(run: &Arc<RunShared>) -> String {
    let ctx = Ctx::new(run.clone());
    let mut deleted = 0;
    let mut failed = Vec::new();
    for (kind, id) in run.created() {
        // Every recorded id was usable as a segment when it was recorded.
        let Ok(path) = item_path(run.path(kind), &id) else { continue };
        match ctx.send(ScimRequest::delete(&path)).await {
            Ok(r) if (200..300).contains(&r.status) || r.status == 404 => {
                run.forget(kind, &id);
                deleted += 1;
            }
            Ok(r) => failed.push(format!("{path} ({})", r.status)),
            Err(_) => failed.push(path),
        }
    }
    let mut account = format!("cleaned up {deleted} resources");
    if !failed.is_empty() {
        account.push_str(&format!("; could not delete {}", shown(&failed)));
    }
    let orphans = run.ledger.orphans();
    if !orphans.is_empty() {
        account.push_str(&format!(
            "; {} created without an id scimlab could use, left in place: {}",
            orphans.len(),
            shown(&orphans)
        ));
    }
    let defects = run.ledger.defects().len();
    if defects > 0 {
        account.push_str(&format!("; {defects} server-assigned ids were unusable or repeated and never touched"));
    }
    account
}

/// At most ten items, and how many more.
fn shown(items: &[String]) -> String {
    let mut s = items.iter().take(10).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > 10 {
        s.push_str(&format!(" and {} more", items.len() - 10));
    }
    s
}
