//! `SIMLOOP_*` environment variables: the only place the crate reads the environment.
//!
//! Precedence is env > code > default: a test's `Config` is the code layer, and a variable that
//! is set overrides the matching field. A malformed value is an error naming the variable and
//! the expected form; an unknown `SIMLOOP_*` variable draws a warning naming it.

use std::ffi::OsString;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::{Config, ConfigError};
use crate::scheduler::{Schedule, Strategy};

/// Every variable [`Config::from_env`] reads, with the form it expects.
pub const VARIABLES: &[(&str, &str)] = &[
    ("SIMLOOP_SEED", "a u64 (decimal, or hex with 0x)"),
    ("SIMLOOP_ITERATIONS", "a positive integer"),
    (
        "SIMLOOP_STRATEGY",
        "fifo, random, pct:<depth>, pos, urw, detour, exhaustive:<preemptions> or portfolio",
    ),
    ("SIMLOOP_REPLAY", "a schedule, v1:<seed>:<step>=<task>,..."),
    ("SIMLOOP_MAX_STEPS", "a positive integer"),
    (
        "SIMLOOP_MAX_TIME",
        "a duration such as 90s, 1500ms, 2m, 1h (bare numbers are seconds)",
    ),
    (
        "SIMLOOP_CHECK_DETERMINISM",
        "1, 0, true, false, yes, no, on or off",
    ),
    (
        "SIMLOOP_JOBS",
        "a positive integer up to 1024, or auto for one per core",
    ),
    ("SIMLOOP_SHARD", "i/n with 0 <= i < n, e.g. 2/8"),
    (
        "SIMLOOP_WATCHDOG",
        "a duration such as 60s, 500ms, 5m (bare numbers are seconds), or off",
    ),
    (
        "SIMLOOP_TRACE",
        "a file path; .json writes Chrome trace-event JSON, anything else text",
    ),
];

/// This machine's share of a sweep: iteration `k` belongs to shard `k mod count`.
///
/// `i/n` shards never overlap and together cover every iteration, so `n` machines running
/// `SIMLOOP_SHARD=0/n` ... `SIMLOOP_SHARD=(n-1)/n` (a CI matrix, or a Kubernetes indexed job
/// with `SIMLOOP_SHARD=$JOB_COMPLETION_INDEX/n`) split one sweep with no gap. A shard that owns
/// no iteration at all (`i >= SIMLOOP_ITERATIONS`) is an error when the sweep starts, naming
/// both variables, rather than a sweep that passes without running anything.
///
/// # Examples
///
/// ```
/// use simloop::config::Shard;
///
/// let shard: Shard = "1/3".parse().unwrap();
/// let mine: Vec<u64> = (0..9).filter(|&i| shard.contains(i)).collect();
/// assert_eq!(mine, [1, 4, 7]);
/// assert!("3/3".parse::<Shard>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    index: u64,
    count: u64,
}

impl Shard {
    /// The whole sweep (`0/1`).
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// Shard `index` of `count`.
    ///
    /// # Errors
    ///
    /// When `count` is zero or `index >= count`.
    pub fn new(index: u64, count: u64) -> Result<Shard, ConfigError> {
        if count == 0 || index >= count {
            return Err(ConfigError::new(
                "shard",
                format!("{index}/{count} is not a shard: expected i/n with 0 <= i < n"),
            ));
        }
        Ok(Shard { index, count })
    }

    /// Which shard this is (0-based).
    pub fn index(&self) -> u64 {
        self.index
    }

    /// How many shards the sweep is split into.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Whether iteration `iteration` of the sweep belongs to this shard.
    pub fn contains(&self, iteration: u64) -> bool {
        iteration % self.count == self.index
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = ConfigError;

    fn from_str(text: &str) -> Result<Shard, ConfigError> {
        let bad = || ConfigError::new("shard", format!("`{text}`: expected i/n with 0 <= i < n"));
        let (index, count) = text.trim().split_once('/').ok_or_else(bad)?;
        let index = index.trim().parse().map_err(|_| bad())?;
        let count = count.trim().parse().map_err(|_| bad())?;
        Shard::new(index, count).map_err(|_| bad())
    }
}

fn expected(name: &str) -> &'static str {
    VARIABLES
        .iter()
        .find(|(known, _)| *known == name)
        .map_or("a valid value", |(_, form)| form)
}

fn invalid(name: &str, value: &str) -> ConfigError {
    ConfigError::new(name, format!("is `{value}`, expected {}", expected(name)))
}

fn integer(name: &str, value: &str) -> Result<u64, ConfigError> {
    let digits = value.trim().replace('_', "");
    let parsed = match digits.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => digits.parse(),
    };
    parsed.map_err(|_| invalid(name, value))
}

fn positive(name: &str, value: &str) -> Result<u64, ConfigError> {
    integer(name, value)
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| invalid(name, value))
}

/// Reads `90s`, `1500ms`, `250us`, `10ns`, `2m`, `1h`, or a bare number of seconds.
fn duration(name: &str, value: &str) -> Result<Duration, ConfigError> {
    let text = value.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().map_err(|_| invalid(name, value))?;
    let duration = match unit.trim() {
        "" | "s" => Duration::from_secs(number),
        "ms" => Duration::from_millis(number),
        "us" => Duration::from_micros(number),
        "ns" => Duration::from_nanos(number),
        "m" => Duration::from_secs(number.saturating_mul(60)),
        "h" => Duration::from_secs(number.saturating_mul(3600)),
        _ => return Err(invalid(name, value)),
    };
    if duration.is_zero() {
        return Err(invalid(name, value));
    }
    Ok(duration)
}

/// A duration of at least 1 ms, or `off`.
fn watchdog(name: &str, value: &str) -> Result<Option<Duration>, ConfigError> {
    if value.trim().eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    let limit = duration(name, value)?;
    if limit < Duration::from_millis(1) {
        return Err(invalid(name, value));
    }
    Ok(Some(limit))
}

fn boolean(name: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(invalid(name, value)),
    }
}

fn jobs(name: &str, value: &str) -> Result<usize, ConfigError> {
    if value.trim().eq_ignore_ascii_case("auto") {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        return Ok(cores.min(Config::MAX_JOBS));
    }
    usize::try_from(positive(name, value)?)
        .ok()
        .filter(|jobs| *jobs <= Config::MAX_JOBS)
        .ok_or_else(|| invalid(name, value))
}

impl Config {
    /// The default config with every `SIMLOOP_*` variable of the process environment applied.
    ///
    /// # Panics
    ///
    /// With a message naming the variable and the expected form if a value is malformed;
    /// [`Config::try_from_env`] returns the error instead.
    ///
    /// # Examples
    ///
    /// ```
    /// // With no SIMLOOP_* variables set this is the default config.
    /// let config = simloop::Config::from_env();
    /// assert!(config.iterations >= 1);
    /// ```
    #[track_caller]
    pub fn from_env() -> Config {
        match Config::default().apply_env() {
            Ok(config) => config,
            Err(error) => panic!("simloop: {error}"),
        }
    }

    /// [`Config::from_env`], returning a malformed variable as an error.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the variable and the expected form.
    pub fn try_from_env() -> Result<Config, ConfigError> {
        Config::default().apply_env()
    }

    /// This config with every `SIMLOOP_*` variable of the process environment applied on top
    /// (env > code > default). Unknown `SIMLOOP_*` variables are reported on stderr.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the variable and the expected form.
    pub fn apply_env(self) -> Result<Config, ConfigError> {
        let mut vars = Vec::new();
        for (key, value) in std::env::vars_os() {
            let Some(key) = key.to_str().filter(|k| k.starts_with("SIMLOOP_")) else {
                continue;
            };
            let value = value.into_string().map_err(|raw: OsString| {
                ConfigError::new(
                    key,
                    format!("is not valid UTF-8 ({raw:?}), expected {}", expected(key)),
                )
            })?;
            vars.push((key.to_owned(), value));
        }
        for unknown in Config::unknown_variables(&vars) {
            eprintln!("simloop: warning: {unknown}");
        }
        self.apply_vars(vars)
    }

    /// The warnings for `SIMLOOP_*` names in `vars` that simloop does not know.
    ///
    /// # Examples
    ///
    /// ```
    /// let vars = [("SIMLOOP_SEEDS".to_owned(), "3".to_owned())];
    /// let warnings = simloop::Config::unknown_variables(&vars);
    /// assert!(warnings[0].contains("SIMLOOP_SEEDS"));
    /// ```
    pub fn unknown_variables(vars: &[(String, String)]) -> Vec<String> {
        vars.iter()
            .filter(|(key, _)| key.starts_with("SIMLOOP_"))
            .filter(|(key, _)| !VARIABLES.iter().any(|(known, _)| known == key))
            .map(|(key, _)| {
                let known: Vec<&str> = VARIABLES.iter().map(|(name, _)| *name).collect();
                format!(
                    "unknown environment variable {key} is ignored (known: {})",
                    known.join(", ")
                )
            })
            .collect()
    }

    /// This config with the given `SIMLOOP_*` variables applied; other names are ignored.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the first malformed variable and the expected form.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::{Config, Strategy};
    ///
    /// let vars = [("SIMLOOP_STRATEGY".to_owned(), "pct:3".to_owned())];
    /// let config = Config::default().apply_vars(vars).unwrap();
    /// assert_eq!(config.strategy, Strategy::Pct { depth: 3 });
    ///
    /// let bad = [("SIMLOOP_ITERATIONS".to_owned(), "lots".to_owned())];
    /// let err = Config::default().apply_vars(bad).unwrap_err();
    /// assert_eq!(err.field(), "SIMLOOP_ITERATIONS");
    /// ```
    pub fn apply_vars(
        mut self,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        for (name, value) in vars {
            let name = name.as_str();
            match name {
                "SIMLOOP_SEED" => self.seed = integer(name, &value)?,
                "SIMLOOP_ITERATIONS" => self.iterations = positive(name, &value)?,
                "SIMLOOP_STRATEGY" => {
                    self.strategy = value
                        .parse::<Strategy>()
                        .map_err(|error| ConfigError::new(name, format!("is invalid: {error}")))?;
                }
                "SIMLOOP_REPLAY" => {
                    let schedule = value
                        .parse::<Schedule>()
                        .map_err(|error| ConfigError::new(name, format!("is invalid: {error}")))?;
                    self.replay = Some(schedule);
                }
                "SIMLOOP_MAX_STEPS" => self.max_steps = positive(name, &value)?,
                "SIMLOOP_MAX_TIME" => self.max_time = duration(name, &value)?,
                "SIMLOOP_CHECK_DETERMINISM" => self.check_determinism = boolean(name, &value)?,
                "SIMLOOP_JOBS" => self.jobs = jobs(name, &value)?,
                "SIMLOOP_SHARD" => {
                    self.shard = value.parse::<Shard>().map_err(|_| invalid(name, &value))?;
                }
                "SIMLOOP_WATCHDOG" => self.watchdog = watchdog(name, &value)?,
                "SIMLOOP_TRACE" if value.trim().is_empty() => return Err(invalid(name, &value)),
                "SIMLOOP_TRACE" => self.trace_path = Some(value.into()),
                _ => {}
            }
        }
        Ok(self)
    }
}
