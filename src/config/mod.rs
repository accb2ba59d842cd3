//! [`Config`]: every knob of a run or sweep, and the only code that reads `SIMLOOP_*`
//! variables.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::scheduler::{Schedule, Strategy};
use crate::trace::TraceLevel;
use world::WorldConfig;

mod env;
pub(crate) mod world;

pub use env::Shard;

/// Settings of a simulation run or sweep.
///
/// Build one from [`Config::default`] and the `with_*` methods (or assign the public fields).
///
/// # Examples
///
/// ```
/// use simloop::{Config, Strategy};
/// use std::time::Duration;
///
/// let config = Config::default()
///     .with_seed(42)
///     .with_strategy(Strategy::Fifo)
///     .with_max_time(Duration::from_secs(60));
/// assert_eq!(config.seed, 42);
/// assert!(config.validate().is_ok());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// The seed of the first run (sweeps use `seed`, `seed + 1`, ...).
    pub seed: u64,
    /// Who runs next.
    pub strategy: Strategy,
    /// How many seeds a sweep runs.
    pub iterations: u64,
    /// Polls before a run ends with [`Failure::StepLimit`](crate::Failure::StepLimit).
    pub max_steps: u64,
    /// Virtual time before a run ends with [`Failure::TimeLimit`](crate::Failure::TimeLimit).
    pub max_time: Duration,
    /// Tasks (the main future included) before a run ends with
    /// [`Failure::TaskLimit`](crate::Failure::TaskLimit).
    pub max_tasks: usize,
    /// How much of each run the trace keeps.
    pub trace: TraceLevel,
    /// Which runs of a sweep are run twice, failing with
    /// [`Failure::Nondeterminism`](crate::Failure::Nondeterminism) if the traces differ
    /// (`SIMLOOP_CHECK_DETERMINISM`). Default [`Determinism::FirstAndFailing`].
    pub check_determinism: Determinism,
    /// Threads a sweep runs simulations on (each runs whole simulations): at most
    /// [`Config::MAX_JOBS`], and a sweep starts no more threads than it has iterations.
    pub jobs: usize,
    /// This machine's share of a sweep's iterations. A shard that owns none of them (`5/8`
    /// with 3 iterations) is refused by [`Config::validate`]: a sweep with it would run nothing
    /// and pass.
    pub shard: Shard,
    /// Replay this schedule instead of sweeping (`SIMLOOP_REPLAY`).
    pub replay: Option<Schedule>,
    /// Write the failing run's trace here: Chrome trace-event JSON for a `.json` path, the text
    /// form otherwise (`SIMLOOP_TRACE`).
    pub trace_path: Option<PathBuf>,
    /// Most runs spent shrinking a failing schedule (0 turns shrinking off).
    pub shrink_runs: u64,
    /// The simulated world's latencies, fault rates and swarm bounds.
    pub world: WorldConfig,
    /// The wall-clock time one poll may take before the watchdog ends the process
    /// (`SIMLOOP_WATCHDOG`; `None` turns it off). Default 60 s.
    ///
    /// A poll that blocks its thread (a busy loop, `std::thread::sleep`, a blocking channel
    /// receive) stops the virtual clock and the step count, so `max_steps` and `max_time`
    /// cannot end the run. A separate thread, started by the first watched run of the process,
    /// notices that the poll has not returned; as a poll cannot be preempted in safe Rust, it
    /// prints a report to stderr (the task, its spawn site, the seed, strategy, virtual time,
    /// step and the line that reruns the run) and exits the process with
    /// [`Config::WATCHDOG_EXIT_CODE`]. Under `cargo test` that ends every test of the binary.
    /// The watchdog is outside the determinism contract: it only reads what the simulation
    /// publishes, and a run behaves the same with it on or off.
    pub watchdog: Option<Duration>,
    /// [`check`](crate::check) prints [`Report::summary`](crate::Report::summary), one line
    /// of what the sweep covered, to stderr (`SIMLOOP_SUMMARY=1`). Default off.
    pub summary: bool,
}

/// Which runs of a sweep the determinism check repeats: a repeated run must give the same
/// trace byte for byte, else the sweep fails with
/// [`Failure::Nondeterminism`](crate::Failure::Nondeterminism), naming the first event where
/// the runs part and the usual culprits.
///
/// # Examples
///
/// ```
/// use simloop::config::Determinism;
///
/// assert_eq!("first".parse::<Determinism>(), Ok(Determinism::FirstAndFailing));
/// assert_eq!("1".parse::<Determinism>(), Ok(Determinism::Every));
/// assert_eq!(Determinism::default(), Determinism::FirstAndFailing);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Determinism {
    /// No run is repeated.
    Off,
    /// The default: the first iteration of the sweep (of its shard) and a failing iteration,
    /// before it is reported, run twice; a sweep costs one run more, a failure one more.
    #[default]
    FirstAndFailing,
    /// Every iteration runs twice: twice the cost.
    Every,
}

impl From<bool> for Determinism {
    fn from(every: bool) -> Determinism {
        if every {
            Determinism::Every
        } else {
            Determinism::Off
        }
    }
}

impl std::str::FromStr for Determinism {
    type Err = String;

    /// `first` (or `first-and-failing`), `every` (or `1`, `true`, `yes`, `on`), `off` (or `0`,
    /// `false`, `no`).
    fn from_str(text: &str) -> Result<Determinism, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "first" | "first-and-failing" => Ok(Determinism::FirstAndFailing),
            "every" | "1" | "true" | "yes" | "on" => Ok(Determinism::Every),
            "off" | "0" | "false" | "no" => Ok(Determinism::Off),
            _ => Err(format!("unknown determinism check `{text}`")),
        }
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            seed: 0,
            strategy: Strategy::default(),
            iterations: 100,
            max_steps: 10_000_000,
            max_time: Duration::from_secs(24 * 60 * 60),
            max_tasks: 4_000_000,
            trace: TraceLevel::default(),
            check_determinism: Determinism::FirstAndFailing,
            jobs: 1,
            shard: Shard::WHOLE,
            replay: None,
            trace_path: None,
            shrink_runs: 2_000,
            world: WorldConfig::default(),
            watchdog: Some(Config::DEFAULT_WATCHDOG),
            summary: false,
        }
    }
}

impl Config {
    /// The most [`jobs`](Config::jobs) a config may ask for; `SIMLOOP_JOBS=auto` asks for one
    /// per core up to this. Each job is an operating-system thread, and far more threads than
    /// cores only adds memory and switching.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::Config;
    ///
    /// assert!(Config::default().with_jobs(Config::MAX_JOBS).validate().is_ok());
    /// let err = Config::default().with_jobs(Config::MAX_JOBS + 1).validate().unwrap_err();
    /// assert_eq!(err.field(), "jobs");
    /// ```
    pub const MAX_JOBS: usize = 1024;

    /// The default [`watchdog`](Config::watchdog) limit: 60 s of wall-clock time for one poll.
    pub const DEFAULT_WATCHDOG: Duration = Duration::from_secs(60);

    /// The exit code of a process the watchdog ended (a poll that did not return within
    /// [`Config::watchdog`]): 86, distinct from a panic's 101 and from signals.
    pub const WATCHDOG_EXIT_CODE: i32 = 86;

    /// This config with the watchdog limit for one poll (`None` turns the watchdog off).
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::Config;
    /// use std::time::Duration;
    ///
    /// let config = Config::default().with_watchdog(Some(Duration::from_secs(300)));
    /// assert_eq!(config.watchdog, Some(Duration::from_secs(300)));
    /// assert!(Config::default().with_watchdog(Some(Duration::ZERO)).validate().is_err());
    /// ```
    pub fn with_watchdog(mut self, limit: Option<Duration>) -> Config {
        self.watchdog = limit;
        self
    }

    /// This config with `seed`.
    pub fn with_seed(mut self, seed: u64) -> Config {
        self.seed = seed;
        self
    }

    /// This config with `strategy`.
    pub fn with_strategy(mut self, strategy: Strategy) -> Config {
        self.strategy = strategy;
        self
    }

    /// This config with `iterations` seeds per sweep.
    pub fn with_iterations(mut self, iterations: u64) -> Config {
        self.iterations = iterations;
        self
    }

    /// This config with at most `max_steps` polls per run.
    pub fn with_max_steps(mut self, max_steps: u64) -> Config {
        self.max_steps = max_steps;
        self
    }

    /// This config with at most `max_time` of virtual time per run.
    pub fn with_max_time(mut self, max_time: Duration) -> Config {
        self.max_time = max_time;
        self
    }

    /// This config with at most `max_tasks` tasks per run.
    pub fn with_max_tasks(mut self, max_tasks: usize) -> Config {
        self.max_tasks = max_tasks;
        self
    }

    /// This config with trace level `trace`.
    pub fn with_trace(mut self, trace: TraceLevel) -> Config {
        self.trace = trace;
        self
    }

    /// This config with the determinism check `check`: a [`Determinism`], or `true` for
    /// [`Determinism::Every`] and `false` for [`Determinism::Off`].
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::config::{Config, Determinism};
    ///
    /// assert_eq!(Config::default().check_determinism, Determinism::FirstAndFailing);
    /// let every = Config::default().with_check_determinism(true);
    /// assert_eq!(every.check_determinism, Determinism::Every);
    /// ```
    pub fn with_check_determinism(mut self, check: impl Into<Determinism>) -> Config {
        self.check_determinism = check.into();
        self
    }

    /// This config with `jobs` threads for sweeps.
    pub fn with_jobs(mut self, jobs: usize) -> Config {
        self.jobs = jobs;
        self
    }

    /// This config running only `shard` of a sweep.
    pub fn with_shard(mut self, shard: Shard) -> Config {
        self.shard = shard;
        self
    }

    /// This config replaying `schedule` instead of sweeping.
    pub fn with_replay(mut self, schedule: Schedule) -> Config {
        self.replay = Some(schedule);
        self
    }

    /// This config writing a failing run's trace to `path`.
    pub fn with_trace_path(mut self, path: impl Into<PathBuf>) -> Config {
        self.trace_path = Some(path.into());
        self
    }

    /// This config spending at most `runs` runs on shrinking a failure.
    pub fn with_shrink_runs(mut self, runs: u64) -> Config {
        self.shrink_runs = runs;
        self
    }

    /// This config with the simulated world's settings `world`.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::sim::{Rate, WorldConfig};
    ///
    /// let config = simloop::Config::default()
    ///     .with_world(WorldConfig::default().with_loss(Rate::fixed(0.01)));
    /// assert_eq!(config.world.loss, Rate::fixed(0.01));
    /// ```
    pub fn with_world(mut self, world: WorldConfig) -> Config {
        self.world = world;
        self
    }

    /// Checks that a run with this config can work.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the first field that cannot work. Besides values that are
    /// out of range (a strategy's parameters included, see [`Strategy::check`]), a [`shard`](Config::shard) that owns none of the
    /// [`iterations`](Config::iterations) is an error (unless the config replays a schedule or
    /// searches exhaustively, which ignore shards), so a misconfigured CI matrix fails instead
    /// of passing without running anything.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::config::Shard;
    ///
    /// let err = simloop::Config::default().with_max_steps(0).validate().unwrap_err();
    /// assert_eq!(err.field(), "max_steps");
    ///
    /// let idle = simloop::Config::default()
    ///     .with_iterations(3)
    ///     .with_shard(Shard::new(5, 8).unwrap());
    /// assert_eq!(idle.validate().unwrap_err().field(), "shard");
    /// ```
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.strategy
            .check()
            .map_err(|problem| ConfigError::new("strategy", problem))?;
        if self.max_steps == 0 {
            return Err(ConfigError::new("max_steps", "must be at least 1"));
        }
        if self.max_time.is_zero() {
            return Err(ConfigError::new("max_time", "must be more than zero"));
        }
        if self
            .watchdog
            .is_some_and(|limit| limit < Duration::from_millis(1))
        {
            return Err(ConfigError::new(
                "watchdog",
                "must be at least 1ms, or None to turn the watchdog off",
            ));
        }
        if self.max_tasks == 0 {
            return Err(ConfigError::new(
                "max_tasks",
                "must be at least 1 (the main future is a task)",
            ));
        }
        if u32::try_from(self.max_tasks).is_err() {
            return Err(ConfigError::new("max_tasks", "must fit in a u32"));
        }
        if self.iterations == 0 {
            return Err(ConfigError::new("iterations", "must be at least 1"));
        }
        let sweeps = self.replay.is_none() && !matches!(self.strategy, Strategy::Exhaustive { .. });
        if sweeps && self.shard.index() >= self.iterations {
            let (shard, iterations) = (self.shard, self.iterations);
            return Err(ConfigError::new(
                "shard",
                format!(
                    "{shard} owns none of the {iterations} iterations, so the sweep would run \
                     nothing (SIMLOOP_SHARD={shard} with SIMLOOP_ITERATIONS={iterations}): \
                     shard i/n runs iterations i, i + n, i + 2n, ...; use at most {iterations} \
                     shards or more iterations"
                ),
            ));
        }
        if self.jobs == 0 {
            return Err(ConfigError::new("jobs", "must be at least 1"));
        }
        if self.jobs > Config::MAX_JOBS {
            return Err(ConfigError::new(
                "jobs",
                format!(
                    "is {}, must be at most Config::MAX_JOBS ({}) threads",
                    self.jobs,
                    Config::MAX_JOBS
                ),
            ));
        }
        self.world.validate()
    }
}

/// A config value that cannot work, naming the field (or variable) and what is allowed.
///
/// # Examples
///
/// ```
/// let err = simloop::Config::default().with_iterations(0).validate().unwrap_err();
/// assert_eq!(err.to_string(), "invalid simloop config: iterations must be at least 1");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    field: String,
    problem: String,
}

impl ConfigError {
    pub(crate) fn new(field: impl Into<String>, problem: impl Into<String>) -> ConfigError {
        ConfigError {
            field: field.into(),
            problem: problem.into(),
        }
    }

    /// The field or environment variable at fault.
    pub fn field(&self) -> &str {
        &self.field
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid simloop config: {} {}", self.field, self.problem)
    }
}

impl std::error::Error for ConfigError {}
