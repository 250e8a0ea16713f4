//! `--shard K/N`: one slice of a load too big for one machine, so that N copies of `scimlab load` started by an
//! existing scheduler (a Kubernetes Indexed Job, a CI matrix) together run the whole load, and `scimlab report
//! merge` joins their reports.
//!
//! Every quantity the command line gives is a total for the whole run (users, `--max-requests`, `--rate`,
//! `--concurrency`); a shard takes its slice of each with the same arithmetic, [`Shard::slice`]: slice K of a
//! total T is `[floor(T*(K-1)/N), floor(T*K/N))`. The slices are disjoint, cover `0..T` exactly, and differ in
//! size by at most one, whatever T and N are; shards are numbered from 1 like nextest's `--partition count:K/N`
//! (a Kubernetes Indexed Job passes `$((JOB_COMPLETION_INDEX + 1))`).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

/// Slice `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Shard {
    /// Which slice, from 1 to `count`.
    pub index: u32,
    /// How many slices the run is cut into.
    pub count: u32,
}

impl Default for Shard {
    fn default() -> Self {
        Shard::WHOLE
    }
}

impl Shard {
    /// The whole run: slice 1 of 1.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Whether this is the whole run rather than a slice of it.
    pub fn is_whole(self) -> bool {
        self.count == 1
    }

    /// This shard's part of `0..total`: `[floor(total*(K-1)/N), floor(total*K/N))`.
    pub fn slice(self, total: u64) -> Range<u64> {
        let at = |k: u32| -> u64 {
            // 128-bit so that no total and shard count can overflow; the result is at most `total`.
            let v = u128::from(total) * u128::from(k) / u128::from(self.count.max(1));
            u64::try_from(v).unwrap_or(total)
        };
        at(self.index.saturating_sub(1))..at(self.index)
    }

    /// How much of `total` this shard takes (the length of [`Shard::slice`]).
    pub fn share(self, total: u64) -> u64 {
        let r = self.slice(total);
        r.end - r.start
    }

    /// This shard's part of a rate: `total / N` (every shard sends at the same rate, so N shards together send
    /// `total`).
    pub fn share_rate(self, total: f64) -> f64 {
        total / f64::from(self.count.max(1))
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    /// `K/N` with `1 <= K <= N`.
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = |why: &str| format!("--shard {s:?}: {why}; expected K/N with 1 <= K <= N, e.g. 2/4");
        let (k, n) = s.trim().split_once('/').ok_or_else(|| bad("there is no '/'"))?;
        let index: u32 = k.trim().parse().map_err(|_| bad("K is not a whole number"))?;
        let count: u32 = n.trim().parse().map_err(|_| bad("N is not a whole number"))?;
        if count == 0 {
            return Err(bad("N must be at least 1"));
        }
        if index == 0 {
            return Err(bad(
                "shards are numbered from 1 (in a Kubernetes Indexed Job, pass $((JOB_COMPLETION_INDEX + 1)))",
            ));
        }
        if index > count {
            return Err(bad("K is greater than N"));
        }
        Ok(Shard { index, count })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_are_disjoint_cover_everything_and_differ_by_at_most_one() {
        for total in [0u64, 1, 2, 7, 10, 99, 100, 101, 100_000, 200_001] {
            for count in 1..=9u32 {
                let slices: Vec<Range<u64>> = (1..=count).map(|index| Shard { index, count }.slice(total)).collect();
                assert_eq!(slices[0].start, 0);
                assert_eq!(slices[slices.len() - 1].end, total);
                for w in slices.windows(2) {
                    assert_eq!(w[0].end, w[1].start, "{total} in {count}: gap or overlap");
                }
                let sizes: Vec<u64> = slices.iter().map(|r| r.end - r.start).collect();
                let (min, max) = (sizes.iter().min().copied(), sizes.iter().max().copied());
                assert!(max.unwrap_or(0) - min.unwrap_or(0) <= 1, "{total} in {count}: {sizes:?}");
                assert_eq!(sizes.iter().sum::<u64>(), total);
            }
        }
    }

    #[test]
    fn huge_totals_do_not_overflow() {
        let s = Shard { index: 3, count: 3 };
        assert_eq!(s.slice(u64::MAX).end, u64::MAX);
        assert_eq!(Shard { index: 1, count: 2 }.slice(u64::MAX).end, u64::MAX / 2);
    }

    #[test]
    fn parsing_accepts_k_of_n_and_explains_mistakes() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { index: 2, count: 4 }));
        assert_eq!(" 1 / 1 ".parse::<Shard>(), Ok(Shard::WHOLE));
        assert!("0/4".parse::<Shard>().expect_err("an error").contains("numbered from 1"));
        assert!("5/4".parse::<Shard>().expect_err("an error").contains("greater than N"));
        assert!("1/0".parse::<Shard>().expect_err("an error").contains("at least 1"));
        assert!("2".parse::<Shard>().expect_err("an error").contains("no '/'"));
        assert!("a/b".parse::<Shard>().is_err());
        assert_eq!(Shard { index: 2, count: 4 }.to_string(), "2/4");
    }

    #[test]
    fn rates_split_evenly() {
        assert_eq!(Shard { index: 1, count: 4 }.share_rate(100.0), 25.0);
        assert_eq!(Shard::WHOLE.share_rate(25.0), 25.0);
    }
}
