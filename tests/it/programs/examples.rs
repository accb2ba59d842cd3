//! Every example's main logic runs here, so a broken example fails CI.

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

// Goal: each example built on the guide's programs runs exactly the `play_NAME` these tests run, and
// every program in PROGRAMS has its example.
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
        .filter(|(name, source)| {
            name != "tour" && source.contains("use simloop_programs::{args, guide as programs};")
        })
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
        assert!(
            source.contains(&format!("programs::play_{name}(")),
            "examples/{name}.rs calls play_{name}"
        );
        let lines = source.lines().count();
        assert!(
            (20..=80).contains(&lines),
            "examples/{name}.rs: {lines} lines"
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
