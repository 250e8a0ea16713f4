//! Cleanup at the end of a run (and on Ctrl-C): everything the run created is deleted, and nothing else.
//!
//! Only what the ledger recorded from the server's own answers to this run's creates is deleted, Groups before
//! the Users they reference, through /Bulk when the server announces it. No listing is ever trusted: a server
//! that echoes the run's prefix back in a listing cannot make the run delete its other resources. A resource
//! whose create answered without a usable id cannot be addressed; the account names it so the user can remove
//! it by hand. The deletes and the account are the ones a replay's cleanup makes ([`Cleanup`]).

use crate::ctx::{Kind, RunShared};
use scimlab_mock_idp::cleanup::Cleanup;
use std::sync::Arc;

/// Deletes what the run created. Returns a one-line account, counting `swept` resources deleted while the run
/// went on ([`sweep`]).
pub async fn cleanup(run: &Arc<RunShared>, swept: usize) -> String {
    let mut summary = plan(run).run(&run.client, &run.ledger).await;
    summary.deleted += swept;
    summary.to_string()
}

/// Deletes what finished checks created while the others go on, so the server's collections stay small (a server
/// that scans them answers every filter and page faster) and the end of the run has little left to do. Returns
/// how many were deleted; what fails stays in the ledger for [`cleanup`].
pub async fn sweep(run: &RunShared, items: Vec<(String, String)>) -> usize {
    plan(run).delete(&run.client, &run.ledger, &items).await.deleted
}

/// How this run deletes: through /Bulk when the server announces it.
fn plan(run: &RunShared) -> Cleanup<'_> {
    let bulk = run.spc.as_ref().map(|s| s.bulk).filter(|b| b.supported);
    Cleanup {
        groups: run.path(Kind::Group),
        bulk_operations: bulk.and_then(|b| usize::try_from(b.max_operations).ok()),
        bulk_payload: bulk.and_then(|b| usize::try_from(b.max_payload_size).ok()).filter(|n| *n > 0),
        at_once: CLEANUP_AT_ONCE,
    }
}

/// Deletes handed to the client at once; the client's gate decides how many are really in flight.
const CLEANUP_AT_ONCE: usize = 256;

/// Resources of finished checks deleted together: one BulkRequest on a server that has /Bulk.
pub const SWEEP_BATCH: usize = 32;
