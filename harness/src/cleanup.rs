//! Cleanup at the end of a run (and on Ctrl-C): everything the run created is deleted, and nothing else.
//!
//! Only what the ledger recorded from the server's own answers to this run's creates is deleted, Groups before
//! the Users they reference, by the path the ledger built. No listing is ever trusted: a server that echoes the
//! run's prefix back in a listing cannot make the run delete its other resources. A resource whose create
//! answered without a usable id cannot be addressed; the account names it so the user can remove it by hand.
//! The account is the one a replay gives ([`CleanupSummary`]).

use crate::ctx::{Ctx, RunShared};
use scimlab_mock_idp::ScimRequest;
use scimlab_mock_idp::ledger::item_path;
use scimlab_mock_idp::scenario::CleanupSummary;
use std::sync::Arc;

/// Deletes what the run created. Returns a one-line account.
pub async fn cleanup(run: &Arc<RunShared>) -> String {
    let ctx = Ctx::new(run.clone());
    let mut summary =
        CleanupSummary { left: run.ledger.orphans(), defects: run.ledger.defects().len(), ..CleanupSummary::default() };
    for (kind, id) in run.created() {
        // Every recorded id was usable as a segment when it was recorded.
        let Ok(path) = item_path(run.path(kind), &id) else { continue };
        match ctx.send(ScimRequest::delete(&path)).await {
            Ok(r) if (200..300).contains(&r.status) || r.status == 404 => {
                run.forget(kind, &id);
                summary.deleted += 1;
            }
            Ok(r) => summary.failed.push(format!("{path} ({})", r.status)),
            Err(_) => summary.failed.push(path),
        }
    }
    summary.to_string()
}
