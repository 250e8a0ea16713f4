//! The live progress bar (indicatif, on standard error, drawn only when it is a terminal): elapsed time, the
//! bar (tasks done of the count, or time of the window), and the current request rate, errors and 429s. It
//! reads the run's atomic counters four times a second; the workers never touch it.

use crate::engine::Run;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// A bar, possibly hidden.
pub struct Progress {
    bar: ProgressBar,
    total: Option<u64>,
}

/// The task that keeps a bar current.
pub struct Ticker {
    bar: ProgressBar,
    task: tokio::task::JoinHandle<()>,
}

impl Progress {
    /// A bar for `label`, counting `total` tasks (or, without one, time); hidden unless `show`.
    pub fn new(show: bool, label: &str, total: Option<u64>) -> Progress {
        let bar = if show {
            let b = ProgressBar::with_draw_target(Some(total.unwrap_or(1000)), ProgressDrawTarget::stderr_with_hz(4));
            let style = ProgressStyle::with_template("{prefix:>20} {elapsed_precise} [{bar:30}] {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            b.set_style(style);
            b.set_prefix(label.to_owned());
            b
        } else {
            ProgressBar::hidden()
        };
        Progress { bar, total }
    }

    /// Follows `run` by its task count.
    pub fn follow(self, run: Arc<Run>) -> Ticker {
        self.ticker(run, None)
    }

    /// Follows `run` by its task count if it has one, else by the time left of `window`.
    pub fn follow_window(self, run: Arc<Run>, window: Duration) -> Ticker {
        self.ticker(run, Some(window))
    }

    fn ticker(self, run: Arc<Run>, window: Option<Duration>) -> Ticker {
        let (bar, total) = (self.bar.clone(), self.total);
        let task = tokio::spawn(async move {
            let began = Instant::now();
            let (mut last, mut at) = (0u64, Instant::now());
            loop {
                tokio::time::sleep(Duration::from_millis(250)).await;
                let live = &run.live;
                let requests = live.requests.load(Ordering::Relaxed);
                let now = Instant::now();
                let rate = (requests - last) as f64 / now.duration_since(at).as_secs_f64().max(1e-3);
                (last, at) = (requests, now);
                match (total, window) {
                    (Some(_), _) => bar.set_position(live.tasks.load(Ordering::Relaxed)),
                    (None, Some(w)) => {
                        let share = began.elapsed().as_secs_f64() / w.as_secs_f64().max(1e-3);
                        bar.set_position((share.min(1.0) * 1000.0) as u64);
                    }
                    (None, None) => {}
                }
                let created = live.created.load(Ordering::Relaxed);
                let made = if created > 0 { format!("  {created} created") } else { String::new() };
                bar.set_message(format!(
                    "{rate:>8.0} req/s  {requests} requests  {} errors  {} throttled{made}",
                    live.errors.load(Ordering::Relaxed),
                    live.throttled.load(Ordering::Relaxed),
                ));
            }
        });
        Ticker { bar: self.bar, task }
    }

    /// Clears a bar that was never followed.
    pub fn done(self) {
        self.bar.finish_and_clear();
    }
}

impl Ticker {
    /// Stops following and clears the bar.
    pub fn finish(self) {
        self.task.abort();
        self.bar.finish_and_clear();
    }
}
