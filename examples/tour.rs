//! The tour: the asyncio guide's programs on simloop, then a sweep and a bug hunt.
//!
//! ```text
//! cargo run --release --example tour
//! ```

use simloop::{explore, Config, Schedule, Sim, Strategy, TraceLevel};
use simloop_programs::guide::{self as programs, Ending};

fn main() {
    println!("simloop tour: the asyncio guide's programs on a virtual clock\n");
    play_every_program();
    sweep_producer_consumer();
    hunt_the_planted_bug();
}

/// Part 1: each program in asyncio's own order, with its timeline.
fn play_every_program() {
    println!("== 1. Every program under Strategy::Fifo, the order CPython's loop runs them in\n");
    let fifo = Config::default().with_strategy(Strategy::Fifo);
    for program in programs::PROGRAMS {
        println!("[{}] {}", program.name, program.about);
        let played = (program.play)(&fifo);
        print!("{}", played.text);
        assert!(played.ok, "{} failed under Fifo", program.name);
        println!();
    }
}

/// Part 2: producer/consumer under 1,000 seeds of the default portfolio, both versions.
fn sweep_producer_consumer() {
    let strategies: Vec<String> = Strategy::PORTFOLIO.iter().map(|s| s.to_string()).collect();
    println!(
        "== 2. producer/consumer over 1,000 seeds (default portfolio: {})\n",
        strategies.join(", ")
    );
    for (ending, name) in [
        (Ending::Sentinel, "None sentinel:"),
        (Ending::Shutdown, "shutdown():"),
    ] {
        let config = Config::default().with_iterations(1000);
        let report = explore(config, || programs::check_producer_consumer(ending));
        report.assert_ok();
        println!(
            "{name:<15} {} runs, {} distinct interleavings, every invariant held",
            report.iterations, report.distinct_traces
        );
    }
    println!(
        "(the invariants: each item consumed once, in production order; the run ends at t=10)"
    );
    println!();
}

/// Part 3: a lost update that asyncio's order hides; explore finds it, prints the report,
/// and the printed line replays it.
fn hunt_the_planted_bug() {
    println!("== 3. Hunting a planted bug: a lost update in a shared page-view counter\n");
    let fifo = Config::default()
        .with_strategy(Strategy::Fifo)
        .with_trace(TraceLevel::Full);
    let run = Sim::new(fifo).run(programs::count_visits());
    println!("in asyncio's order each worker writes just before the next one reads:");
    print!("{}", programs::timeline(&run));
    let config = Config::default().with_iterations(1000);
    let report = explore(config.clone(), programs::count_visits);
    let failure = report.failure.expect("the sweep finds the lost update");
    println!(
        "\nexplore, with the default portfolio of strategies, finds the order that loses one:\n"
    );
    print!("{failure}");
    let line = failure.context().replay_line();
    let schedule: Schedule = line
        .strip_prefix("SIMLOOP_REPLAY=")
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|text| text.parse().ok())
        .expect("the report's replay line holds a schedule");
    println!("\n== 4. Replaying it from the printed line: SIMLOOP_REPLAY={schedule}\n");
    let in_tests = format!("SIMLOOP_REPLAY={schedule} cargo test <the test's name>");
    let replayed = explore(config.with_replay(schedule), programs::count_visits);
    let again = replayed.failure.expect("the replay fails again");
    let same = again.headline() == failure.headline()
        && again.context().time == failure.context().time
        && again.context().step == failure.context().step
        && again.context().last_events == failure.context().last_events;
    println!("replay: {}", again.headline());
    println!(
        "same failure, same virtual time ({}), same step ({}), same last events: {}",
        again.context().time,
        again.context().step,
        if same { "yes" } else { "NO" }
    );
    println!("(in a test suite the same line replays a failing test: {in_tests})");
    assert!(same, "the replay must fail identically");
}
