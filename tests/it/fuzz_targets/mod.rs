//! The fuzz targets' bodies (`simloop_programs::fuzz`) as ordinary tests, on seeded byte strings.

use rand::{Rng as _, RngExt as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use simloop::{Config, Sim, Strategy, TraceLevel};
use simloop_programs::fuzz as bodies;

/// Byte strings per target: enough to reach every program and most operations.
const INPUTS: u64 = 2_000;

/// Runs target `name` on `INPUTS` byte strings of 0 to 128 bytes from a seeded ChaCha stream.
fn run_target(name: &str) {
    let target = bodies::target(name).expect("a target of that name");
    let mut rng = ChaCha8Rng::seed_from_u64(0x5eed);
    let mut data = Vec::new();
    for _ in 0..INPUTS {
        data.resize(rng.random_range(0..=128usize), 0);
        rng.fill_bytes(&mut data);
        (target.run)(&data);
    }
}

#[test]
fn schedule_decoder_on_seeded_bytes() {
    // Goal: the decoder target finds nothing on 2,000 random strings.
    run_target("schedule_decoder");
}

#[test]
fn schedule_decoder_on_near_valid_text() {
    // Goal: strings close to the schedule grammar reach the accepting paths of the decoder.
    let alphabet = b"v1:0123456789=,: x";
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for _ in 0..INPUTS {
        let len = rng.random_range(0..=24usize);
        let mut text = b"v1:".to_vec();
        text.extend((0..len).map(|_| alphabet[rng.random_range(0..alphabet.len())]));
        bodies::schedule_decoder::run(&text);
    }
    for valid in [
        "v1:0:07=01",
        "v1:0:",
        "v1:18446744073709551615:0=0",
        "v1:3:1=2,5=4294967295",
        " v1:1:2=3 ",
    ] {
        bodies::schedule_decoder::run(valid.as_bytes());
    }
}

#[test]
fn timer_heap_on_seeded_bytes() {
    // Goal: the timer heap agrees with the sorted-list model on 2,000 random programs.
    run_target("timer_heap");
}

#[test]
fn scheduler_programs_on_seeded_bytes() {
    // Goal: every program keeps its invariants under 2,000 random choice streams.
    run_target("scheduler_programs");
}

#[test]
fn every_program_holds_under_asyncio_order_for_many_seeds() {
    // Goal: each program passes in asyncio's order (no choice bytes) for every seed byte.
    for program in 0..bodies::programs::PROGRAMS.len() as u8 {
        for seed in 0..=255u8 {
            bodies::scheduler_programs::run(&[program, seed]);
        }
    }
}

#[test]
fn decoding_clamps_every_byte() {
    // Goal: any input decodes; selector and choices fold with mod, missing bytes read as zero.
    use bodies::scheduler_programs::decode;
    let empty = decode(&[]);
    assert_eq!(
        (empty.program, empty.seed, empty.choices.len()),
        ("guarded_counter", 0, 0)
    );
    let count = bodies::programs::PROGRAMS.len();
    let wrapped = decode(&[count as u8, 9, 255, 0]);
    assert_eq!((wrapped.program, wrapped.seed), ("guarded_counter", 9));
    assert_eq!(wrapped.choices.as_slice(), &[255, 0]);
    assert!(wrapped.choices.is_then_fifo());
    bodies::scheduler_programs::run(&[255; 300]);
}

#[test]
fn an_input_converts_to_a_replay_line_that_reruns_the_same_run() {
    // Goal: the SIMLOOP_REPLAY line printed for an input replays exactly that run.
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for _ in 0..50 {
        let mut data = vec![0u8; rng.random_range(2..=64usize)];
        rng.fill_bytes(&mut data);
        let (decoded, run) = bodies::scheduler_programs::simulate(&data, TraceLevel::Full);
        let report = bodies::replay("scheduler_programs", &data).unwrap();
        let line = format!("SIMLOOP_REPLAY={}", run.schedule);
        assert!(report.ends_with(&line), "{report}");
        let (_, program) = bodies::programs::PROGRAMS
            .iter()
            .find(|(name, _)| *name == decoded.program)
            .unwrap();
        let replayed = Sim::new(
            Config::default()
                .with_seed(decoded.seed)
                .with_trace(TraceLevel::Full)
                .with_strategy(Strategy::Replay(run.schedule.clone())),
        )
        .run(program());
        assert_eq!(replayed.trace.text(), run.trace.text());
        simloop::replay(&run.schedule.to_string(), program);
    }
}

#[test]
fn replaying_an_unknown_target_names_the_targets() {
    // Goal: a wrong target name is an error listing the real ones.
    let error = bodies::replay("nope", b"").unwrap_err();
    assert!(
        error.contains("schedule_decoder, timer_heap, scheduler_programs"),
        "{error}"
    );
    let passes = bodies::replay("timer_heap", &[0, 1, 2, 3]).unwrap();
    assert_eq!(passes, "target `timer_heap` passes on this input");
}

#[test]
fn guide_programs_on_seeded_bytes() {
    // Goal: the guide's programs keep their invariants under 2,000 fuzzer-style schedules.
    run_target("guide_programs");
}

#[test]
fn zoo_on_seeded_bytes() {
    // Goal: zoo runs fail only with their own bug, and every failure replays identically.
    run_target("zoo");
}

#[test]
fn tcp_streams_on_seeded_bytes() {
    // Goal: on 2,000 random choices of seed, latency, segmentation, buffer, write and read
    // sizes, a TCP reader gets exactly the bytes written, in order, then EOF.
    run_target("tcp_streams");
}
