//! [`Dice`]: the one source of randomness of a server, for the transport faults and `--vary`, so that `--seed`
//! reproduces a run.

use std::ops::RangeInclusive;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// The one source of randomness of a server, for faults and `--vary`: a `fastrand::Rng` behind a mutex.
///
/// A mutex rather than per-request seeds: each draw takes the next number of one seeded sequence, so a client
/// that sends its requests one after another sees the same faults and variations on every run with the same
/// `--seed` (concurrent clients interleave draws in arrival order, which no scheme can make repeatable). The
/// lock is held for one draw only, and only when a fault or `--vary` asks for one.
pub struct Dice {
    rng: Mutex<fastrand::Rng>,
    seed: u64,
}

impl Dice {
    /// Dice seeded with `seed`, or with a random seed (see [`Dice::seed`]).
    pub fn new(seed: Option<u64>) -> Dice {
        let seed = seed.unwrap_or_else(|| fastrand::u64(..));
        Dice { rng: Mutex::new(fastrand::Rng::with_seed(seed)), seed }
    }

    /// The seed: pass it to `--seed` to replay a run.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Runs `f` on the generator, holding the lock for that draw only.
    fn draw<T>(&self, f: impl FnOnce(&mut fastrand::Rng) -> T) -> T {
        f(&mut self.rng.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// A fair coin.
    pub fn bool(&self) -> bool {
        self.draw(|r| r.bool())
    }

    /// A number in `range`, uniformly.
    pub fn usize(&self, range: RangeInclusive<usize>) -> usize {
        self.draw(|r| r.usize(range))
    }

    /// A share from 0 to 100, uniformly (which transport fault a request meets).
    pub(crate) fn percent(&self) -> f64 {
        self.draw(|r| r.f64()) * 100.0
    }

    /// A duration from `min` to `max`, uniformly (the latency of one response).
    pub(crate) fn duration(&self, min: Duration, max: Duration) -> Duration {
        if min >= max {
            return min;
        }
        let span = u64::try_from((max - min).as_micros()).unwrap_or(u64::MAX);
        min + Duration::from_micros(self.draw(|r| r.u64(0..=span)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_dice_repeat() {
        let (a, b) = (Dice::new(Some(7)), Dice::new(Some(7)));
        let draw = |d: &Dice| (0..32).map(|_| d.usize(0..=1000)).collect::<Vec<_>>();
        assert_eq!(draw(&a), draw(&b));
        let d = a.duration(Duration::from_millis(50), Duration::from_millis(300));
        assert!(d >= Duration::from_millis(50) && d <= Duration::from_millis(300));
    }
}
