//! What a run knows about the population it created: the ids the server gave each user and group, the users
//! whose create had no answer (cleanup cannot delete them: it never trusts a listing to name its resources), and
//! the users the `mixed` workload hired on the way. Shared by every worker; writes happen once per resource.
//!
//! Load builds its request paths by putting ids into `/Users/{id}` as they are, so an id is only kept when it is
//! one URL path segment that needs no encoding (UUIDs, numbers, the usual opaque ids). Any other id is refused
//! and counted: the workload never addresses it and cleanup leaves it, so a server handing out `..` or `a/b`
//! cannot turn a PATCH into a write to another resource.

use crate::population::Population;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

/// One population as a run holds it: this shard's slice and the ids created so far.
#[derive(Debug)]
pub struct PopState {
    /// Names and shapes.
    pub pop: Population,
    /// This shard's blocks.
    pub blocks: Range<u64>,
    /// This shard's users.
    pub users: Range<u64>,
    user_ids: Vec<OnceLock<String>>,
    group_ids: Vec<OnceLock<String>>,
    /// Whether a worker is changing the members of each group (see [`PopState::claim_group`]).
    group_busy: Vec<AtomicBool>,
    unknown: Mutex<Vec<u64>>,
    hired: Mutex<Vec<String>>,
    refused: AtomicU64,
    /// Source of revision numbers for updates and of hire numbers, so concurrent workers never repeat one.
    pub counter: AtomicU64,
}

impl PopState {
    /// The state of `pop`'s slice `blocks`.
    pub fn new(pop: Population, blocks: Range<u64>) -> PopState {
        let users = if blocks.is_empty() {
            0..0
        } else {
            pop.block_users(blocks.start).start..pop.block_users(blocks.end - 1).end
        };
        let n = usize::try_from(users.end - users.start).unwrap_or(0);
        let g = usize::try_from(blocks.end - blocks.start).unwrap_or(0);
        PopState {
            pop,
            blocks,
            users,
            user_ids: (0..n).map(|_| OnceLock::new()).collect(),
            group_ids: (0..g).map(|_| OnceLock::new()).collect(),
            group_busy: (0..g).map(|_| AtomicBool::new(false)).collect(),
            unknown: Mutex::new(Vec::new()),
            hired: Mutex::new(Vec::new()),
            refused: AtomicU64::new(0),
            counter: AtomicU64::new(1),
        }
    }

    fn user_slot(&self, i: u64) -> Option<&OnceLock<String>> {
        let k = usize::try_from(i.checked_sub(self.users.start)?).ok()?;
        self.user_ids.get(k)
    }

    fn group_slot(&self, g: u64) -> Option<&OnceLock<String>> {
        let k = usize::try_from(g.checked_sub(self.blocks.start)?).ok()?;
        self.group_ids.get(k)
    }

    /// Notes the id the server gave user `i`.
    pub fn set_user(&self, i: u64, id: String) {
        if !self.usable(&id) {
            return;
        }
        if let Some(s) = self.user_slot(i) {
            let _ = s.set(id);
        }
    }

    /// Whether load may put `id` into a path as it is; counts the ids it may not.
    fn usable(&self, id: &str) -> bool {
        let ok = scimlab_mock_idp::ledger::unusable(id).is_none() && scimlab_mock_idp::ledger::segment(id) == id;
        if !ok {
            self.refused.fetch_add(1, Ordering::Relaxed);
        }
        ok
    }

    /// How many ids the server handed out that load refused to address.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// The id of user `i`, once created.
    pub fn user_id(&self, i: u64) -> Option<&str> {
        self.user_slot(i).and_then(|s| s.get()).map(String::as_str)
    }

    /// Notes the id the server gave group `g`.
    pub fn set_group(&self, g: u64, id: String) {
        if !self.usable(&id) {
            return;
        }
        if let Some(s) = self.group_slot(g) {
            let _ = s.set(id);
        }
    }

    /// The id of group `g`, once created.
    pub fn group_id(&self, g: u64) -> Option<&str> {
        self.group_slot(g).and_then(|s| s.get()).map(String::as_str)
    }

    /// Notes that user `i` may or may not exist (its create got no answer).
    pub fn set_unknown(&self, i: u64) {
        self.unknown.lock().unwrap_or_else(PoisonError::into_inner).push(i);
    }

    /// Users whose create got no answer and who have no id since.
    pub fn unknown(&self) -> Vec<u64> {
        let list = self.unknown.lock().unwrap_or_else(PoisonError::into_inner).clone();
        list.into_iter().filter(|i| self.user_id(*i).is_none()).collect()
    }

    /// Notes a user the `mixed` workload hired.
    pub fn add_hired(&self, id: String) {
        if !self.usable(&id) {
            return;
        }
        self.hired.lock().unwrap_or_else(PoisonError::into_inner).push(id);
    }

    /// Every user id this run created in this population (loaded and hired).
    pub fn created_users(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.user_ids.iter().filter_map(|s| s.get().cloned()).collect();
        ids.extend(self.hired.lock().unwrap_or_else(PoisonError::into_inner).iter().cloned());
        ids
    }

    /// Every group id this run created in this population.
    pub fn created_groups(&self) -> Vec<String> {
        self.group_ids.iter().filter_map(|s| s.get().cloned()).collect()
    }

    /// Users created (with a known id) and groups created.
    pub fn counts(&self) -> (u64, u64) {
        let u = self.user_ids.iter().filter(|s| s.get().is_some()).count();
        let g = self.group_ids.iter().filter(|s| s.get().is_some()).count();
        (u as u64, g as u64)
    }

    /// A random user of the slice that has an id (a few tries; `None` when the population is missing).
    pub fn pick_user(&self, rng: &mut fastrand::Rng) -> Option<(u64, &str)> {
        if self.users.is_empty() {
            return None;
        }
        for _ in 0..8 {
            let i = rng.u64(self.users.clone());
            if let Some(id) = self.user_id(i) {
                return Some((i, id));
            }
        }
        None
    }

    /// A random group of the slice that has an id and whose members no other worker is changing, held for the
    /// caller until the returned claim is dropped (a few tries; `None` when every group drawn was busy).
    ///
    /// Concurrent membership changes of one group race: two workers that add the same outsider and then remove it
    /// make the second remove find no such member, and RFC 7644 section 3.5.2.2 has the server answer a remove
    /// whose `members[value eq "..."]` filter matches nothing with 400 `noTarget` (section 3.5.2, Table 9). That
    /// answer is right, so the workload does not tolerate it: it keeps workers off each other's groups instead.
    pub fn claim_group(&self, rng: &mut fastrand::Rng) -> Option<GroupClaim<'_>> {
        if self.blocks.is_empty() {
            return None;
        }
        for _ in 0..8 {
            let g = rng.u64(self.blocks.clone());
            let (Some(id), Some(busy)) = (self.group_id(g), self.busy_slot(g)) else { continue };
            if busy.compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed).is_ok() {
                return Some(GroupClaim { g, id, busy });
            }
        }
        None
    }

    fn busy_slot(&self, g: u64) -> Option<&AtomicBool> {
        let k = usize::try_from(g.checked_sub(self.blocks.start)?).ok()?;
        self.group_busy.get(k)
    }

    /// A fresh number (revisions, hires).
    pub fn next(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed)
    }
}

/// A group one worker is changing the members of; released when dropped (also when the task is cancelled).
#[derive(Debug)]
pub struct GroupClaim<'a> {
    /// The group's number.
    pub g: u64,
    /// Its id.
    pub id: &'a str,
    busy: &'a AtomicBool,
}

impl Drop for GroupClaim<'_> {
    fn drop(&mut self) {
        self.busy.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_are_not_one_plain_segment_are_refused_and_counted() {
        let s = PopState::new(Population::new("t", 10, 5), 0..2);
        s.set_user(0, "2819c223-7f76-453a-919d-413861904646".into());
        assert!(s.user_id(0).is_some());
        for (i, bad) in [".", "..", "a/b", "../Groups/x", "a#b", "a\tb", "a b"].into_iter().enumerate() {
            s.set_user(1 + i as u64, bad.into());
            assert!(s.user_id(1 + i as u64).is_none(), "{bad:?} must never be addressed");
        }
        s.set_group(0, "..".into());
        s.add_hired("a/b".into());
        assert!(s.group_id(0).is_none());
        assert_eq!(s.created_users().len(), 1);
        assert_eq!(s.refused(), 9);
    }

    #[test]
    fn a_claimed_group_is_not_handed_out_again_until_released() {
        let s = PopState::new(Population::new("t", 10, 5), 0..2);
        let mut rng = fastrand::Rng::with_seed(7);
        assert!(s.claim_group(&mut rng).is_none(), "groups without ids are never claimed");
        s.set_group(0, "g-0".into());
        s.set_group(1, "g-1".into());
        let first = s.claim_group(&mut rng).expect("a free group");
        let second = s.claim_group(&mut rng).expect("the other group");
        assert_ne!(first.g, second.g);
        for _ in 0..100 {
            assert!(s.claim_group(&mut rng).is_none(), "both groups are held");
        }
        let freed = first.g;
        drop(first);
        let again = s.claim_group(&mut rng).expect("the released group");
        assert_eq!((again.g, again.id), (freed, if freed == 0 { "g-0" } else { "g-1" }));
    }
}
