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

/// Deletes what the run created. Returns a one-line account.
pub async fn cleanup(run: &Arc<RunShared>) -> String {
    let bulk = run.spc.as_ref().map(|s| s.bulk).filter(|b| b.supported);
    let plan = Cleanup {
        groups: run.path(Kind::Group),
        bulk_operations: bulk.and_then(|b| usize::try_from(b.max_operations).ok()),
        bulk_payload: bulk.and_then(|b| usize::try_from(b.max_payload_size).ok()).filter(|n| *n > 0),
        at_once: CLEANUP_AT_ONCE,
    };
    plan.run(&run.client, &run.ledger).await.to_string()
}

/// Deletes handed to the client at once; the client's gate decides how many are really in flight.
const CLEANUP_AT_ONCE: usize = 256;
