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
pub(crate) const VARIABLES: &[(&str, &str)] = &[
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
        "first (the default: the first and a failing iteration), every (or 1, true, yes, on) or \
         off (or 0, false, no)",
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
        "SIMLOOP_SUMMARY",
        "1, 0, true, false, yes, no, on or off: check prints what the sweep covered",
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
    pub(crate) fn apply_env(self) -> Result<Config, ConfigError> {
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

    /// This config with `SIMLOOP_REPLAY` applied, if it is set: what [`explore`](crate::explore)
    /// reads so that the replay line of its reports works.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the variable if it is malformed.
    pub(crate) fn apply_replay_env(self) -> Result<Config, ConfigError> {
        const NAME: &str = "SIMLOOP_REPLAY";
        let Some(value) = std::env::var_os(NAME) else {
            return Ok(self);
        };
        let value = value.into_string().map_err(|raw: OsString| {
            ConfigError::new(
                NAME,
                format!("is not valid UTF-8 ({raw:?}), expected {}", expected(NAME)),
            )
        })?;
        self.apply_vars([(NAME.to_owned(), value)])
    }

    /// The warnings for `SIMLOOP_*` names in `vars` that simloop does not know.
    pub(crate) fn unknown_variables(vars: &[(String, String)]) -> Vec<String> {
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
    pub(crate) fn apply_vars(
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
                "SIMLOOP_CHECK_DETERMINISM" => {
                    self.check_determinism = value.parse().map_err(|_| invalid(name, &value))?;
                }
                "SIMLOOP_JOBS" => self.jobs = jobs(name, &value)?,
                "SIMLOOP_SHARD" => {
                    self.shard = value.parse::<Shard>().map_err(|_| invalid(name, &value))?;
                }
                "SIMLOOP_WATCHDOG" => self.watchdog = watchdog(name, &value)?,
                "SIMLOOP_SUMMARY" => {
                    self.summary = match value.trim().to_ascii_lowercase().as_str() {
                        "1" | "true" | "yes" | "on" => true,
                        "0" | "false" | "no" | "off" => false,
                        _ => return Err(invalid(name, &value)),
                    };
                }
                "SIMLOOP_TRACE" if value.trim().is_empty() => return Err(invalid(name, &value)),
                "SIMLOOP_TRACE" => self.trace_path = Some(value.into()),
                _ => {}
            }
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    //! The parsing behind `Config::from_env`, through the variable list it reads (the process
    //! environment is the caller's; these tests do not touch it).

    use std::path::PathBuf;
    use std::time::Duration;

    use super::Shard;
    use crate::config::Config;
    use crate::scheduler::Strategy;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    // Goal: every documented variable is read into its field.
    #[test]
    fn every_knob_is_applied() {
        let config = Config::default()
            .apply_vars(vars(&[
                ("SIMLOOP_SEED", "0x10"),
                ("SIMLOOP_ITERATIONS", "10_000"),
                ("SIMLOOP_STRATEGY", "pct:3"),
                ("SIMLOOP_REPLAY", "v1:5:3=1"),
                ("SIMLOOP_MAX_STEPS", "500"),
                ("SIMLOOP_MAX_TIME", "1500ms"),
                ("SIMLOOP_CHECK_DETERMINISM", "yes"),
                ("SIMLOOP_JOBS", "2"),
                ("SIMLOOP_SHARD", "1/4"),
                ("SIMLOOP_TRACE", "trace.json"),
            ]))
            .unwrap();
        assert_eq!(config.seed, 16);
        assert_eq!(config.iterations, 10_000);
        assert_eq!(config.strategy, Strategy::Pct { depth: 3 });
        assert_eq!(config.replay.unwrap().to_string(), "v1:5:3=1");
        assert_eq!(config.max_steps, 500);
        assert_eq!(config.max_time, Duration::from_millis(1500));
        assert_eq!(config.check_determinism, super::super::Determinism::Every);
        assert_eq!(config.jobs, 2);
        assert_eq!(config.shard, Shard::new(1, 4).unwrap());
        assert_eq!(config.trace_path, Some(PathBuf::from("trace.json")));
    }

    // Goal: env overrides code, and code overrides the default.
    #[test]
    fn env_beats_code_beats_default() {
        let code = Config::default().with_seed(7).with_iterations(3);
        let config = code.apply_vars(vars(&[("SIMLOOP_SEED", "9")])).unwrap();
        assert_eq!(config.seed, 9);
        assert_eq!(config.iterations, 3);
        assert_eq!(config.max_steps, Config::default().max_steps);
    }

    // Goal: a malformed value is an error naming the variable and the expected form.
    #[test]
    fn malformed_values_name_the_variable() {
        for (name, value, expected) in [
            ("SIMLOOP_SEED", "-1", "u64"),
            ("SIMLOOP_ITERATIONS", "0", "positive"),
            ("SIMLOOP_STRATEGY", "fastest", "pct:<depth>"),
            ("SIMLOOP_STRATEGY", "pct:0", "pct:<depth>"),
            ("SIMLOOP_REPLAY", "v1:5:3=", "byte 7"),
            ("SIMLOOP_REPLAY", "v9:1:", "another version"),
            ("SIMLOOP_MAX_STEPS", "many", "positive"),
            ("SIMLOOP_MAX_TIME", "10 parsecs", "duration"),
            ("SIMLOOP_CHECK_DETERMINISM", "maybe", "true"),
            ("SIMLOOP_CHECK_DETERMINISM", "", "true"),
            ("SIMLOOP_CHECK_DETERMINISM", "  ", "true"),
            ("SIMLOOP_JOBS", "0", "positive"),
            ("SIMLOOP_SHARD", "4/4", "0 <= i < n"),
            ("SIMLOOP_SHARD", "1", "i/n"),
            ("SIMLOOP_TRACE", "", "file path"),
        ] {
            let error = Config::default()
                .apply_vars(vars(&[(name, value)]))
                .unwrap_err();
            assert_eq!(error.field(), name, "{name}={value}");
            let text = error.to_string();
            assert!(text.contains(expected), "{name}={value}: {text}");
        }
    }

    // Goal: an unknown SIMLOOP_* variable draws a warning that names it; others are ignored.
    #[test]
    fn unknown_variables_are_named() {
        let warnings = Config::unknown_variables(&vars(&[
            ("SIMLOOP_SEEDS", "1"),
            ("SIMLOOP_SEED", "1"),
            ("PATH", "/bin"),
        ]));
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("SIMLOOP_SEEDS"));
        assert!(warnings[0].contains("SIMLOOP_SEED,"));
    }

    // Goal: SIMLOOP_JOBS has the same bound as `Config::jobs`, refused by the variable's name.
    #[test]
    fn jobs_beyond_the_bound_are_refused_by_name() {
        let error = Config::default()
            .apply_vars(vars(&[("SIMLOOP_JOBS", "100000")]))
            .unwrap_err();
        assert_eq!(error.field(), "SIMLOOP_JOBS");
        assert!(error.to_string().contains("up to 1024"), "{error}");
    }

    // Goal: SIMLOOP_WATCHDOG takes a duration or `off`, and a malformed value names the variable
    // and the expected form.
    #[test]
    fn simloop_watchdog_is_parsed_and_validated() {
        let apply =
            |value: &str| Config::default().apply_vars(vars(&[("SIMLOOP_WATCHDOG", value)]));
        assert_eq!(
            apply("90s").unwrap().watchdog,
            Some(Duration::from_secs(90))
        );
        assert_eq!(
            apply("250ms").unwrap().watchdog,
            Some(Duration::from_millis(250))
        );
        assert_eq!(apply("off").unwrap().watchdog, None);
        assert_eq!(Config::default().watchdog, Some(Duration::from_secs(60)));
        for bad in ["soon", "0", "10us", ""] {
            let error = apply(bad).unwrap_err();
            assert_eq!(error.field(), "SIMLOOP_WATCHDOG", "{bad}");
            assert!(error.to_string().contains("or off"), "{error}");
        }
        let error = Config::default()
            .with_watchdog(Some(Duration::ZERO))
            .validate()
            .unwrap_err();
        assert_eq!(error.field(), "watchdog");
    }
}
