//! The watchdog: one thread per process, started by the first watched run, that ends the
//! process when one poll has not returned after [`Config::watchdog`](crate::Config::watchdog)
//! of wall-clock time.
//!
//! It lies outside the determinism contract: it reads the wall clock (the only code that
//! does), but only what the simulation threads published (see `rt/watch.rs`), and nothing it
//! does feeds back into a run. A poll that blocks its thread cannot be preempted in safe Rust,
//! so the watchdog can only report it and end the process with
//! [`Config::WATCHDOG_EXIT_CODE`](crate::Config::WATCHDOG_EXIT_CODE).

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::{Arc, Once};
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::instant::Instant as SimInstant;
use crate::rt::{self, Stuck, WatchedThread};

/// Starts the watchdog thread once per process.
pub(super) fn ensure_started() {
    static START: Once = Once::new();
    START.call_once(|| {
        // Without the thread runs still work, only unwatched; nothing to report here.
        let _ = std::thread::Builder::new()
            .name("simloop-watchdog".to_owned())
            .spawn(watch);
    });
}

/// How long the watchdog sleeps between looks, for a smallest limit of `limit`: a tenth of it,
/// between 10 ms and 1 s, so that a stuck poll is reported at most 10% late.
fn tick(limit: Option<Duration>) -> Duration {
    limit.map_or(Duration::from_secs(1), |limit| {
        (limit / 10).clamp(Duration::from_millis(10), Duration::from_secs(1))
    })
}

fn watch() {
    // Each watched thread's serial when first seen, and when that was.
    let mut seen: Vec<(Arc<WatchedThread>, u64, Instant)> = Vec::new();
    loop {
        let threads = rt::watched_threads();
        let smallest = threads.iter().filter_map(|thread| thread.limit()).min();
        std::thread::sleep(tick(smallest));
        let now = Instant::now();
        let mut next = Vec::with_capacity(threads.len());
        for thread in threads {
            let Some((serial, limit)) = thread.sample() else {
                continue;
            };
            let since = seen
                .iter()
                .find(|(known, last, _)| Arc::ptr_eq(known, &thread) && *last == serial)
                .map_or(now, |(_, _, since)| *since);
            if now.duration_since(since) >= limit {
                fire(&thread.stuck(), limit);
            }
            next.push((thread, serial, since));
        }
        seen = next;
    }
}

/// Prints the report and ends the process.
fn fire(stuck: &Stuck, limit: Duration) -> ! {
    let report = report(stuck, limit);
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(report.as_bytes());
    let _ = stderr.flush();
    std::process::exit(Config::WATCHDOG_EXIT_CODE)
}

/// The watchdog's report on `stuck`.
pub(crate) fn report(stuck: &Stuck, limit: Duration) -> String {
    let mut text = String::new();
    let who = match &stuck.name {
        Some(name) => format!("task `{name}` ({})", stuck.task),
        None => format!("task {}", stuck.task),
    };
    let site = stuck
        .site
        .as_deref()
        .map_or_else(String::new, |site| format!(", spawned at {site},"));
    let what = if stuck.tearing_down {
        "dropping the future of"
    } else {
        "a poll of"
    };
    let _ = writeln!(
        text,
        "simloop: watchdog: {what} {who}{site} has not returned after {limit:?} of wall-clock time"
    );
    let _ = writeln!(
        text,
        "  it blocks its thread (a busy loop, std::thread::sleep, a blocking channel receive or \
         lock?); a poll cannot be preempted, so the process exits with code {}",
        Config::WATCHDOG_EXIT_CODE
    );
    let label = &stuck.label;
    let step = if stuck.tearing_down {
        format!("teardown after step {}", stuck.step)
    } else {
        format!("step {}", stuck.step)
    };
    let _ = writeln!(
        text,
        "  seed {}, strategy {}, virtual time {}, {step}",
        label.seed,
        label.strategy,
        SimInstant::from_nanos(stuck.clock_ns)
    );
    let _ = writeln!(text, "  replay: {}", replay_line(stuck));
    let _ = writeln!(
        text,
        "  raise Config::watchdog or SIMLOOP_WATCHDOG (e.g. 300s) if the poll is only slow, or \
         set SIMLOOP_WATCHDOG=off"
    );
    text
}

/// The line that reruns the stuck run: its schedule when it replayed one, otherwise its seed
/// and strategy as a one-run sweep.
fn replay_line(stuck: &Stuck) -> String {
    let label = &stuck.label;
    let variables = match &label.replay {
        Some(schedule) => format!("SIMLOOP_REPLAY={schedule}"),
        None => format!(
            "SIMLOOP_SEED={} SIMLOOP_STRATEGY={} SIMLOOP_ITERATIONS=1",
            label.seed, label.strategy
        ),
    };
    match &label.test_name {
        Some(name) => format!("{variables} cargo test {name}"),
        None => format!("{variables} <the same command>"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::TaskId;
    use crate::rt::RunLabel;

    #[test]
    fn the_report_names_the_task_its_site_and_the_replay_line() {
        let stuck = Stuck {
            task: TaskId(3),
            name: Some("worker".to_owned()),
            site: Some("tests/a.rs:10:5".to_owned()),
            step: 42,
            tearing_down: false,
            clock_ns: 1_500_000_000,
            label: RunLabel {
                seed: 7,
                strategy: "pct:3".to_owned(),
                replay: None,
                test_name: Some("stuck_test".to_owned()),
            },
        };
        let text = report(&stuck, Duration::from_secs(60));
        assert!(
            text.starts_with(
                "simloop: watchdog: a poll of task `worker` (#3), spawned at tests/a.rs:10:5, \
                 has not returned after 60s"
            ),
            "{text}"
        );
        assert!(
            text.contains("seed 7, strategy pct:3, virtual time 1.500s, step 42"),
            "{text}"
        );
        assert!(
            text.contains(
                "replay: SIMLOOP_SEED=7 SIMLOOP_STRATEGY=pct:3 SIMLOOP_ITERATIONS=1 cargo test \
                 stuck_test"
            ),
            "{text}"
        );
    }

    #[test]
    fn the_tick_is_a_tenth_of_the_limit_within_bounds() {
        assert_eq!(tick(None), Duration::from_secs(1));
        assert_eq!(
            tick(Some(Duration::from_secs(2))),
            Duration::from_millis(200)
        );
        assert_eq!(
            tick(Some(Duration::from_millis(1))),
            Duration::from_millis(10)
        );
        assert_eq!(tick(Some(Duration::from_secs(600))), Duration::from_secs(1));
    }
}
