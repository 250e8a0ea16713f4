//! How many requests a client keeps in flight, adapted to what the server sustains.
//!
//! A small server (one thread, a listen backlog of five) refuses or resets connections when a client opens more
//! than it can take. Rather than turning each refusal into an error, the [`Gate`] halves the number of requests
//! it lets through when a connection fails, and grows it by one after each run of successes as long as the limit
//! (additive increase, multiplicative decrease, as TCP does). A server that sustains the full concurrency never
//! notices the gate; one that does not sees the client settle at what it can take.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use tokio::sync::Notify;

/// The shared limit on requests in flight.
#[derive(Debug)]
pub struct Gate {
    max: usize,
    state: Mutex<State>,
    freed: Notify,
    /// Times the limit was lowered, for the report.
    lowered: AtomicUsize,
}

#[derive(Debug)]
struct State {
    limit: usize,
    in_flight: usize,
    successes: usize,
}

/// A request's place in the gate; it is given back when dropped.
#[derive(Debug)]
pub struct Permit<'g> {
    gate: &'g Gate,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut s = self.gate.state();
        s.in_flight = s.in_flight.saturating_sub(1);
        drop(s);
        self.gate.freed.notify_waiters();
    }
}

impl Gate {
    /// A gate letting at most `max` requests through at once (at least one).
    pub fn new(max: usize) -> Gate {
        let max = max.max(1);
        Gate {
            max,
            state: Mutex::new(State { limit: max, in_flight: 0, successes: 0 }),
            freed: Notify::new(),
            lowered: AtomicUsize::new(0),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for a place.
    pub async fn enter(&self) -> Permit<'_> {
        loop {
            let freed = self.freed.notified();
            tokio::pin!(freed);
            // Register before looking, so a place freed in between still wakes this waiter.
            freed.as_mut().enable();
            {
                let mut s = self.state();
                if s.in_flight < s.limit {
                    s.in_flight += 1;
                    return Permit { gate: self };
                }
            }
            freed.await;
        }
    }

    /// A request succeeded: after `limit` successes in a row, one more request may fly.
    pub fn succeeded(&self) {
        let mut s = self.state();
        s.successes += 1;
        if s.successes >= s.limit && s.limit < self.max {
            s.limit += 1;
            s.successes = 0;
            drop(s);
            self.freed.notify_waiters();
        }
    }

    /// A connection was refused or reset: halve the limit (never below one).
    pub fn failed(&self) {
        let mut s = self.state();
        let lowered = (s.limit / 2).max(1);
        if lowered < s.limit {
            self.lowered.fetch_add(1, Ordering::Relaxed);
        }
        s.limit = lowered;
        s.successes = 0;
    }

    /// The current limit.
    pub fn limit(&self) -> usize {
        self.state().limit
    }

    /// The most requests ever let through at once.
    pub fn max(&self) -> usize {
        self.max
    }

    /// How many times the limit was lowered.
    pub fn times_lowered(&self) -> usize {
        self.lowered.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_halve_and_successes_grow_back_to_the_maximum() {
        let g = Gate::new(8);
        g.failed();
        assert_eq!(g.limit(), 4);
        g.failed();
        g.failed();
        g.failed();
        assert_eq!(g.limit(), 1, "never below one");
        for _ in 0..200 {
            g.succeeded();
        }
        assert_eq!(g.limit(), 8, "never above the maximum");
        assert_eq!(g.times_lowered(), 3);
    }

    #[tokio::test]
    async fn no_more_than_the_limit_fly_at_once() {
        let g = std::sync::Arc::new(Gate::new(2));
        let a = g.enter().await;
        let _b = g.enter().await;
        let g2 = g.clone();
        let third = tokio::spawn(async move {
            let _c = g2.enter().await;
        });
        tokio::task::yield_now().await;
        assert!(!third.is_finished(), "a third request waits while two fly");
        drop(a);
        third.await.expect("the third request got a place once one was freed");
    }
}
