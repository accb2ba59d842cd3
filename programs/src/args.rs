//! The command line every example takes: `--seed N` and `--strategy S`.
//!
//! Both are optional; the defaults (seed 0, `fifo`) play the program in asyncio's own order, so
//! `cargo run --example NAME` prints the timeline the guide describes. Any other strategy is
//! parsed by `simloop::Strategy`'s `FromStr` (`random`, `pct:3`, `pos`, ...).

use simloop::{Config, Strategy};

/// What the command line asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Args {
    /// The seed of the run.
    pub seed: u64,
    /// Who runs next.
    pub strategy: Strategy,
}

impl Default for Args {
    fn default() -> Args {
        Args {
            seed: 0,
            strategy: Strategy::Fifo,
        }
    }
}

impl Args {
    /// A config with this seed and strategy.
    pub fn config(&self) -> Config {
        Config::default()
            .with_seed(self.seed)
            .with_strategy(self.strategy.clone())
    }
}

const USAGE: &str = "usage: [--seed N] [--strategy fifo|random|pct:<depth>|pos]";

/// Parses `--seed N` and `--strategy S` (also `--seed=N`), in any order.
///
/// # Errors
///
/// A message naming the argument that is unknown, missing its value, or malformed.
pub fn parse<I>(arguments: I) -> Result<Args, String>
where
    I: IntoIterator,
    I::Item: Into<String>,
{
    let mut args = Args::default();
    let mut arguments = arguments.into_iter().map(Into::into);
    while let Some(argument) = arguments.next() {
        let (flag, inline) = match argument.split_once('=') {
            Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
            None => (argument, None),
        };
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.to_owned());
        }
        let Some(value) = inline.or_else(|| arguments.next()) else {
            return Err(format!("{flag} needs a value; {USAGE}"));
        };
        match flag.as_str() {
            "--seed" => {
                args.seed = value
                    .parse()
                    .map_err(|_| format!("--seed: `{value}` is not a number"))?;
            }
            "--strategy" => {
                args.strategy = value
                    .parse()
                    .map_err(|error| format!("--strategy: {error}"))?;
            }
            _ => return Err(format!("unknown argument `{flag}`; {USAGE}")),
        }
    }
    Ok(args)
}

/// The process's arguments, or exit with the message (status 2).
pub fn from_env() -> Args {
    match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    }
}
