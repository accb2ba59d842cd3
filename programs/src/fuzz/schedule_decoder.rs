//! `schedule_decoder`: `Schedule::from_str` never panics, and whatever it accepts round-trips.
//!
//! The input bytes are read as text (invalid UTF-8 replaced). A rejected string must give an
//! error whose position lies inside the input. An accepted one must print in canonical form,
//! that form must parse back to the same schedule and print identically, and a strict replay
//! of it against a small program must either succeed or report a divergence: a schedule from
//! outside is never trusted to fit.

use simloop::task::{spawn, yield_now};
use simloop::{Config, Failure, Schedule, Sim, Strategy, TraceLevel};

/// Runs one input.
pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let schedule = match text.parse::<Schedule>() {
        Ok(schedule) => schedule,
        Err(error) => {
            assert!(
                error.position() <= text.len(),
                "error position {} beyond the input ({} bytes): {error}",
                error.position(),
                text.len()
            );
            let _ = error.to_string();
            return;
        }
    };
    check_round_trip(&text, &schedule);
    check_replay(schedule);
}

fn check_round_trip(text: &str, schedule: &Schedule) {
    let printed = schedule.to_string();
    let reparsed: Schedule = printed
        .parse()
        .unwrap_or_else(|error| panic!("`{printed}` (from {text:?}) does not parse: {error}"));
    assert_eq!(&reparsed, schedule, "`{printed}` parsed differently");
    assert_eq!(reparsed.to_string(), printed, "printing is not stable");
    let steps: Vec<u64> = schedule.deviations().iter().map(|d| d.step).collect();
    assert!(
        steps.windows(2).all(|pair| pair[0] < pair[1]),
        "steps out of order in {printed}"
    );
}

/// Replays `schedule` against three tasks that yield twice: Ok or a divergence, nothing else,
/// and a successful replay deviates only where the schedule said.
fn check_replay(schedule: Schedule) {
    let config = Config::default()
        .with_seed(schedule.seed())
        .with_trace(TraceLevel::Off)
        .with_max_steps(1_000)
        .with_strategy(Strategy::Replay(schedule.clone()));
    let run = Sim::new(config).run(async {
        let handles: Vec<_> = (0..3)
            .map(|_| {
                spawn(async {
                    yield_now().await;
                    yield_now().await;
                })
            })
            .collect();
        for handle in handles {
            handle.await.unwrap();
        }
    });
    match run.result {
        // An entry that names the task that was oldest anyway is no deviation: the run records
        // only the real ones, so its schedule is the input's minus such entries.
        Ok(()) => {
            assert_eq!(run.schedule.seed(), schedule.seed());
            let real = run.schedule.deviations();
            assert!(
                real.iter().all(|d| schedule.deviations().contains(d)),
                "the replay of {schedule} deviated on its own: {}",
                run.schedule
            );
        }
        Err(Failure::Divergence { .. }) => {}
        Err(other) => panic!("replaying {schedule} failed with {other}"),
    }
}
