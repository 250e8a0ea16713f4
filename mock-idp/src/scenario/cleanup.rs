//! Cleanup after a replay (and on Ctrl-C): everything the run created, and nothing else, is deleted, groups
//! before users, through /Bulk when the server announces it and with bounded parallel DELETEs otherwise (see
//! [`crate::cleanup`]).

use super::engine::Replayer;
use crate::cleanup::{Cleanup, CleanupSummary};

impl Replayer {
    /// Deletes what the run created. Safe to call more than once.
    pub async fn cleanup(&self) -> CleanupSummary {
        let discovery = self.discovery().await;
        let plan = Cleanup {
            groups: discovery.and_then(|d| d.endpoint("Group")).unwrap_or("/Groups"),
            bulk_operations: discovery.and_then(|d| d.bulk_max_operations()),
            bulk_payload: discovery.and_then(|d| d.bulk_max_payload()),
            at_once: self.options.concurrency.max(1),
        };
        plan.run(&self.client, &self.ledger()).await
    }
}
