//! Every example's main logic runs here, so a broken example fails CI.

use std::path::{Path, PathBuf};
use std::process::Command;

use simloop::{Config, Strategy};

use super::args::{self, Args};
use super::guide::PROGRAMS;

const EXAMPLES_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");

// Goal: every example plays without failure under Fifo and a few seeds of each exploring strategy.
#[test]
fn every_example_plays_under_several_strategies() {
    let strategies = [
        Strategy::Fifo,
        Strategy::Random,
        Strategy::Pct { depth: 3 },
        Strategy::Pos,
    ];
    for program in PROGRAMS {
        for strategy in &strategies {
            for seed in 0..4 {
                let config = Config::default()
                    .with_seed(seed)
                    .with_strategy(strategy.clone());
                let played = (program.play)(&config);
                assert!(
                    played.ok,
                    "{} failed under {strategy}, seed {seed}:\n{}",
                    program.name, played.text
                );
            }
        }
    }
}

// Goal: every program in PROGRAMS has its example. One built on the programs crate calls
// exactly the `play_NAME` these tests run; a self-contained one prints exactly what `play_NAME`
// prints, under Fifo and under exploring strategies (checked on the binary `cargo test` builds).
#[test]
fn every_example_file_runs_its_program() {
    let mut files: Vec<(String, String)> = std::fs::read_dir(EXAMPLES_DIR)
        .expect("the examples directory")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let name = path.file_stem()?.to_str()?.to_owned();
            let source = std::fs::read_to_string(&path).ok()?;
            Some((name, source))
        })
        .filter(|(name, source)| name != "tour" && source.contains("args::from_env()"))
        .collect();
    files.sort();
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    let mut programs: Vec<&str> = PROGRAMS.iter().map(|program| program.name).collect();
    programs.sort();
    assert_eq!(
        names, programs,
        "examples/ and PROGRAMS list the same programs"
    );
    for (name, source) in &files {
        let lines = source.lines().count();
        assert!(
            (20..=140).contains(&lines),
            "examples/{name}.rs: {lines} lines"
        );
        if source.contains("guide as programs") {
            assert!(
                source.contains(&format!("programs::play_{name}(")),
                "examples/{name}.rs calls play_{name}"
            );
        } else if let Some(binary) = built_example(name) {
            assert_prints_what_play_prints(name, &binary);
        }
    }
}

/// The binary of example `name`, if it was built: `cargo test` builds every example before it
/// runs the tests, `cargo test --test it` does not.
fn built_example(name: &str) -> Option<PathBuf> {
    let test_binary = std::env::current_exe().expect("the test binary's path");
    let profile_dir = test_binary.parent()?.parent()?;
    let file = format!("{name}{}", std::env::consts::EXE_SUFFIX);
    let binary = profile_dir.join("examples").join(file);
    let built = std::fs::metadata(&binary).ok()?.modified().ok()?;
    let source = Path::new(EXAMPLES_DIR).join(format!("{name}.rs"));
    let edited = std::fs::metadata(&source).unwrap().modified().unwrap();
    assert!(
        built >= edited,
        "{} is older than examples/{name}.rs: `cargo build --examples` rebuilds it",
        binary.display()
    );
    Some(binary)
}

/// Runs the example's binary under a few seeds and strategies and compares its output with
/// `play_NAME`'s under the same config.
#[track_caller]
fn assert_prints_what_play_prints(name: &str, binary: &Path) {
    let program = PROGRAMS
        .iter()
        .find(|program| program.name == name)
        .expect("a program of that name");
    for (seed, strategy) in [(0, "fifo"), (3, "random"), (1, "pct:3"), (2, "pos")] {
        let seed = seed.to_string();
        let arguments = ["--seed", seed.as_str(), "--strategy", strategy];
        let output = Command::new(binary)
            .args(arguments)
            .output()
            .expect("the example runs");
        assert!(output.status.success(), "examples/{name}.rs {arguments:?}");
        let config = args::parse(arguments).unwrap().config();
        let played = (program.play)(&config);
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            played.text,
            "examples/{name}.rs {arguments:?} prints what play_{name} prints"
        );
    }
}

// Goal: the examples' command line takes --seed and --strategy and names a bad argument.
#[test]
fn example_arguments_parse() {
    assert_eq!(args::parse(Vec::<String>::new()), Ok(Args::default()));
    let parsed = args::parse(["--seed", "42", "--strategy=pct:3"]).unwrap();
    assert_eq!(parsed.seed, 42);
    assert_eq!(parsed.strategy, Strategy::Pct { depth: 3 });
    assert_eq!(parsed.config().seed, 42);
    assert!(args::parse(["--seed", "x"]).unwrap_err().contains("--seed"));
    assert!(args::parse(["--strategy", "fast"])
        .unwrap_err()
        .contains("unknown strategy"));
    assert!(args::parse(["--seed"])
        .unwrap_err()
        .contains("needs a value"));
    assert!(args::parse(["--jobs", "2"]).unwrap_err().contains("--jobs"));
}
