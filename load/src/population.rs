//! The population a load run creates and queries: users in blocks, one group per block.
//!
//! Every name carries the run's prefix, so a run finds, and cleans up, only what it created, and several runs
//! (or shards) never collide. User `i` is `{prefix}.u{i:06}@load.scimlab.test` with externalId `{prefix}-{i:07}`;
//! block `g` holds users `g*size .. (g+1)*size` and its group `{prefix} team {g:05}` lists exactly them. A shard
//! takes a slice of the blocks ([`Shard::slice`] over the block count), so its users form one contiguous range,
//! its groups hold only its own users, and N shards together create exactly the unsharded population.
//!
//! The blocks stand for what a merger brings in: teams of people that arrive together with their group. The users
//! are the mock IdP's `bulk-merge` merger users (its `import_user`), renamed with the run's prefix.

use crate::shard::Shard;
use scimlab_mock_idp::intent::UserProfile;
use scimlab_mock_idp::scenario::import_user;
use std::ops::Range;

/// Users per block (and so per group), unless told otherwise.
pub const DEFAULT_BLOCK: u64 = 100;

/// The domain of every userName.
pub const DOMAIN: &str = "load.scimlab.test";

/// The users and groups of one run (all shards).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Population {
    /// Prefix of every name: lowercase letters, digits and `-` only, so names need no escaping in JSON,
    /// filters or URLs.
    pub prefix: String,
    /// Users in the whole run.
    pub users: u64,
    /// Users per block (one group per block).
    pub block: u64,
}

impl Population {
    /// A population of `users` users in blocks of `block` (at least 1), named with `prefix` (anything other than
    /// `[a-z0-9-]` is dropped from it).
    pub fn new(prefix: &str, users: u64, block: u64) -> Population {
        let prefix: String =
            prefix.chars().filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-').collect();
        Population { prefix, users, block: block.max(1) }
    }

    /// Blocks (and groups) in the whole run.
    pub fn blocks(&self) -> u64 {
        self.users.div_ceil(self.block)
    }

    /// The users of block `g`.
    pub fn block_users(&self, g: u64) -> Range<u64> {
        let start = g.saturating_mul(self.block).min(self.users);
        start..start.saturating_add(self.block).min(self.users)
    }

    /// The blocks a shard creates.
    pub fn shard_blocks(&self, shard: Shard) -> Range<u64> {
        shard.slice(self.blocks())
    }

    /// The users a shard creates: the users of its blocks.
    pub fn shard_users(&self, shard: Shard) -> Range<u64> {
        let b = self.shard_blocks(shard);
        if b.is_empty() {
            let at = self.block_users(b.start).start;
            return at..at;
        }
        self.block_users(b.start).start..self.block_users(b.end - 1).end
    }

    /// The block user `i` belongs to.
    pub fn block_of(&self, i: u64) -> u64 {
        i / self.block
    }

    /// `userName` of user `i` (also its work e-mail address): `{prefix}.u{i:06}@load.scimlab.test`, the mock
    /// IdP's merger user with the run's prefix.
    pub fn user_name(&self, i: u64) -> String {
        format!("{}.u{i:06}@{DOMAIN}", self.prefix)
    }

    /// The start of every userName of this run, for `userName sw` counts.
    pub fn user_name_prefix(&self) -> String {
        format!("{}.u", self.prefix)
    }

    /// `externalId` of user `i` (run-unique, unlike the mock IdP's merger users').
    pub fn external_id(&self, i: u64) -> String {
        format!("{}-{i:07}", self.prefix)
    }

    /// User `i` as the mock IdP's bulk-merge scenario imports it (`import_user`), with this run's userName
    /// prefix and a run-unique externalId.
    pub fn import_profile(&self, i: u64) -> UserProfile {
        let mut u = import_user(&self.user_name_prefix(), DOMAIN, usize::try_from(i).unwrap_or(usize::MAX));
        u.external_id = self.external_id(i);
        u
    }

    /// `title` of user `i` at revision `rev` (updates bump it; revision 0 is the imported one).
    pub fn title(&self, i: u64, rev: u64) -> String {
        match rev {
            0 => self.import_profile(i).title.unwrap_or_default(),
            r => format!("Analyst {r}"),
        }
    }

    /// Enterprise `department` of user `i` at revision `rev`.
    pub fn department(&self, i: u64, rev: u64) -> String {
        format!("Department {}", (i + rev) % 10)
    }

    /// `displayName` of group `g`.
    pub fn group_name(&self, g: u64) -> String {
        format!("{} team {g:05}", self.prefix)
    }

    /// `externalId` of group `g`.
    pub fn group_external_id(&self, g: u64) -> String {
        format!("{}-g{g:05}", self.prefix)
    }

    /// Memberships of the whole run (every user is in exactly one group).
    pub fn memberships(&self) -> u64 {
        self.users
    }

    /// A fragment of the work e-mail addresses shared by the ten users `10*k .. 10*k+10` of this run, for the
    /// complex `emails[type eq "work" and value co ".."]` filter: the userName up to its last digit.
    pub fn email_fragment(&self, i: u64) -> String {
        let mut s = self.user_name(i);
        s.truncate(s.find('@').unwrap_or(s.len()).saturating_sub(1));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_by_whole_blocks() {
        let p = Population::new("t", 1050, 100);
        assert_eq!(p.blocks(), 11);
        assert_eq!(p.block_users(10), 1000..1050);
        let parts: Vec<Range<u64>> = (1..=3).map(|index| p.shard_users(Shard { index, count: 3 })).collect();
        assert_eq!(parts, vec![0..300, 300..700, 700..1050]);
        for (k, r) in parts.iter().enumerate() {
            let blocks = p.shard_blocks(Shard { index: k as u32 + 1, count: 3 });
            assert_eq!(p.block_users(blocks.start).start, r.start);
        }
    }

    #[test]
    fn more_shards_than_blocks_leaves_some_empty() {
        let p = Population::new("t", 150, 100);
        let sizes: Vec<u64> =
            (1..=4).map(|index| p.shard_users(Shard { index, count: 4 })).map(|r| r.end - r.start).collect();
        assert_eq!(sizes.iter().sum::<u64>(), 150);
        assert_eq!(sizes.iter().filter(|s| **s == 0).count(), 2);
    }

    #[test]
    fn names_are_prefixed_and_safe() {
        let p = Population::new("Run 7/x-1", 10, 5);
        assert_eq!(p.prefix, "un7x-1");
        assert_eq!(p.user_name(42), "un7x-1.u000042@load.scimlab.test");
        assert_eq!(p.import_profile(42).user_name, p.user_name(42), "the mock IdP's merger user, renamed");
        assert_eq!(p.import_profile(42).external_id, "un7x-1-0000042");
        assert_eq!(p.group_name(3), "un7x-1 team 00003");
        assert_eq!(p.email_fragment(42), "un7x-1.u00004");
        assert!(p.user_name(49).contains(&p.email_fragment(42)));
        assert!(!p.user_name(50).contains(&p.email_fragment(42)));
    }
}
