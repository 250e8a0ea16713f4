//! How many requests a client keeps in flight, adapted to what the server sustains.
//!
//! A small server (one thread, a listen backlog of five) refuses or resets connections when a client opens more
//! than it can take. Rather than turning each refusal into an error, the [`Gate`] halves the number of requests
//! it lets through when a connection fails, and grows it by one after each run of successes as long as the limit
//! (additive increase, multiplicative decrease, as TCP does). A server that sustains the full concurrency never
//! notices the gate; one that does not sees the client settle at what it can take.
//!
//! Not every overload shows as an error: a server with a tiny listen backlog (a single-threaded server taking one
//! connection at a time) silently drops the connections it cannot queue, and the client's SYN is resent a second
//! later. A request that takes far longer than the requests around it (over four times the typical time and half
//! a second more) while others were in flight counts as congestion too.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// The shared limit on requests in flight, and optionally on how often they start.
#[derive(Debug)]
pub struct Gate {
    /// With a rate: the time between two request starts, and when the next may start.
    pace: Option<(Duration, Mutex<Option<tokio::time::Instant>>)>,
    state: Mutex<State>,
    freed: Notify,
}

#[derive(Debug)]
struct State {
    /// The most requests ever let through at once: the gate's size, or less once [`Gate::cap`] lowered it.
    max: usize,
    limit: usize,
    in_flight: usize,
    successes: usize,
    /// A running average of how long a request takes, in microseconds (0 until the first one).
    typical_us: u64,
    /// Requests finished since the limit was last lowered (as many as ever, until it first is): one lowering per
    /// window of `limit` requests.
    since_lowered: usize,
    /// Below the limit at which congestion was last seen: the limit grows back to it quickly, and past it only
    /// slowly, so the client does not keep running into the same wall (TCP's slow-start threshold).
    ceiling: usize,
}

/// A request's place in the gate; it is given back when dropped.
#[derive(Debug)]
pub struct Permit<'g> {
    gate: &'g Gate,
    entered: Instant,
    /// Requests in flight when this one entered, itself included.
    crowd: usize,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let took = self.entered.elapsed();
        let mut s = self.gate.state();
        s.in_flight = s.in_flight.saturating_sub(1);
        s.since_lowered = s.since_lowered.saturating_add(1);
        let took_us = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        let outlier = s.typical_us > 0 && took_us > s.typical_us.saturating_mul(4) + SLOW_EXTRA_US;
        if outlier && self.crowd > 1 {
            self.gate.lower(&mut s);
        } else {
            // An exponential average over about eight requests, of the requests that were not outliers.
            s.typical_us = if s.typical_us == 0 { took_us } else { (s.typical_us * 7 + took_us) / 8 };
        }
        drop(s);
        self.gate.freed.notify_waiters();
    }
}

/// Requests in flight at most against a server that takes a connection per request (HTTP/1.0, or `Connection:
/// close` on its answers): below the listen queue of five that simple servers keep (Python's socketserver).
pub const NO_KEEP_ALIVE_MAX: usize = 4;

/// How much longer than four typical requests a request must take to count as congestion, in microseconds.
const SLOW_EXTRA_US: u64 = 500_000;

impl Gate {
    /// A gate letting at most `max` requests through at once (at least one).
    pub fn new(max: usize) -> Gate {
        let max = max.max(1);
        Gate {
            pace: None,
            state: Mutex::new(State {
                max,
                limit: max,
                in_flight: 0,
                successes: 0,
                typical_us: 0,
                since_lowered: usize::MAX,
                ceiling: max,
            }),
            freed: Notify::new(),
        }
    }

    /// The same gate, starting at most `per_second` requests a second, evenly spaced: to certify a server under
    /// the rate it documents (the Entra gallery floor is 25 requests a second). Values at or below zero are ignored.
    pub fn with_rate(mut self, per_second: f64) -> Gate {
        if per_second > 0.0 && per_second.is_finite() {
            self.pace = Some((Duration::from_secs_f64(1.0 / per_second), Mutex::new(None)));
        }
        self
    }

    /// Waits for the next start the rate allows.
    async fn paced(&self) {
        let Some((interval, next)) = &self.pace else { return };
        let at = {
            let mut next = next.lock().unwrap_or_else(PoisonError::into_inner);
            let now = tokio::time::Instant::now();
            let at = next.map_or(now, |n| n.max(now));
            *next = Some(at + *interval);
            at
        };
        tokio::time::sleep_until(at).await;
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for a place (and, with a rate, for the next start it allows).
    pub async fn enter(&self) -> Permit<'_> {
        self.paced().await;
        loop {
            let freed = self.freed.notified();
            tokio::pin!(freed);
            // Register before looking, so a place freed in between still wakes this waiter.
            freed.as_mut().enable();
            {
                let mut s = self.state();
                if s.in_flight < s.limit {
                    s.in_flight += 1;
                    return Permit { gate: self, entered: Instant::now(), crowd: s.in_flight };
                }
            }
            freed.await;
        }
    }

    /// A request succeeded: after `limit` successes in a row, one more request may fly.
    pub fn succeeded(&self) {
        let mut s = self.state();
        s.successes += 1;
        // Past the ceiling, probing for more takes sixteen times as many successes.
        let needed = if s.limit >= s.ceiling { s.limit * 16 } else { s.limit };
        if s.successes >= needed && s.limit < s.max {
            s.limit += 1;
            s.successes = 0;
            drop(s);
            self.freed.notify_waiters();
        }
    }

    /// A connection was refused or reset: halve the limit (never below one).
    pub fn failed(&self) {
        let mut s = self.state();
        self.lower(&mut s);
    }

    /// Halves the limit, at most once per window of `limit` finished requests (the requests already in flight
    /// when it was lowered would otherwise lower it again for the same congestion).
    fn lower(&self, s: &mut State) {
        if s.since_lowered < s.limit {
            return;
        }
        s.ceiling = s.limit.saturating_sub(1).max(1);
        s.limit = (s.limit / 2).max(1);
        s.successes = 0;
        s.since_lowered = 0;
    }

    /// Never lets more than `n` requests through from now on (a server found to take one connection per request).
    pub fn cap(&self, n: usize) {
        let mut s = self.state();
        s.max = s.max.min(n.max(1));
        s.limit = s.limit.min(s.max);
        s.ceiling = s.ceiling.min(s.max);
    }

    /// The current limit.
    pub fn limit(&self) -> usize {
        self.state().limit
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
        assert_eq!(g.limit(), 4, "the same congestion lowers the limit once per window");
        let mut limits = Vec::new();
        for _ in 0..3 {
            g.state().since_lowered = usize::MAX;
            g.failed();
            limits.push(g.limit());
        }
        assert_eq!(limits, [2, 1, 1], "halved each window, never below one");
        for _ in 0..2000 {
            g.succeeded();
        }
        assert_eq!(g.limit(), 8, "never above the maximum");
    }

    #[test]
    fn the_limit_grows_back_quickly_below_the_last_congestion_and_slowly_past_it() {
        let g = Gate::new(8);
        g.failed();
        assert_eq!((g.limit(), g.state().ceiling), (4, 7));
        for _ in 0..(4 + 5 + 6) {
            g.succeeded();
        }
        assert_eq!(g.limit(), 7, "back to just below the congestion in a few windows");
        for _ in 0..7 * 15 {
            g.succeeded();
        }
        assert_eq!(g.limit(), 7, "past the ceiling only after many more successes");
        for _ in 0..7 {
            g.succeeded();
        }
        assert_eq!(g.limit(), 8);
    }

    #[tokio::test(start_paused = true)]
    async fn a_rate_spaces_the_starts() {
        let g = Gate::new(8).with_rate(10.0);
        let t = tokio::time::Instant::now();
        for _ in 0..5 {
            drop(g.enter().await);
        }
        // Paused time: the clock only moves by the waits the gate asked for.
        assert_eq!(t.elapsed(), Duration::from_millis(400), "five starts at ten a second span 0.4 s");
    }

    #[test]
    fn a_cap_holds_whatever_the_successes() {
        let g = Gate::new(8);
        g.cap(NO_KEEP_ALIVE_MAX);
        for _ in 0..10_000 {
            g.succeeded();
        }
        assert_eq!(g.limit(), 4);
        g.cap(16);
        assert_eq!(g.limit(), 4, "a cap only ever lowers");
    }

    #[tokio::test]
    async fn a_request_far_slower_than_the_others_lowers_the_limit() {
        let g = Gate::new(8);
        g.state().typical_us = 1_000;
        {
            let _alone = g.enter().await;
            g.state().in_flight = 1;
        }
        assert_eq!(g.limit(), 8, "a fast request alone changes nothing");
        let a = g.enter().await;
        let b = g.enter().await;
        // b was in a crowd of two; pretend it took two seconds.
        let mut b = b;
        b.entered = Instant::now().checked_sub(Duration::from_secs(2)).expect("a past instant");
        drop(b);
        assert_eq!(g.limit(), 4, "a slow request in a crowd is congestion");
        assert!(g.state().typical_us < 10_000, "outliers stay out of the typical time");
        drop(a);
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
