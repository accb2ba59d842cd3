//! `Strategy`: the built-in strategies by name, and the portfolio `check` uses by default.

use std::fmt;
use std::ops::RangeInclusive;
use std::str::FromStr;

use super::exhaustive::{ExhaustiveScheduler, Search};
use super::{
    ChoiceScheduler, Choices, DetourScheduler, FifoScheduler, PctScheduler, PosScheduler,
    RandomScheduler, ReplayScheduler, Schedule, Scheduler, UrwScheduler,
};
use crate::id::TaskSteps;

/// The built-in strategies, chosen through [`Config::strategy`](crate::Config) or
/// `SIMLOOP_STRATEGY`.
///
/// # Examples
///
/// ```
/// use simloop::Strategy;
///
/// assert_eq!(Strategy::Pct { depth: 3 }.to_string(), "pct:3");
/// assert_eq!("pct:3".parse::<Strategy>(), Ok(Strategy::Pct { depth: 3 }));
/// assert_eq!("random".parse::<Strategy>(), Ok(Strategy::Random));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Strategy {
    /// asyncio's loop order exactly: the task ready longest runs next.
    Fifo,
    /// A uniformly random ready task at every step, from the seed's scheduler stream.
    Random,
    /// PCT of the given depth ([`PctScheduler`]).
    Pct {
        /// Number of ordering constraints the sought bug needs (1 + change points).
        depth: u32,
    },
    /// Partial order sampling ([`PosScheduler`]).
    Pos,
    /// The uniform random walk of SURW: a task is picked with probability proportional to
    /// its estimated remaining steps ([`UrwScheduler`]).
    Urw,
    /// Newest-first order with random detours, each stopping its task at a uniformly random
    /// point of its remaining work ([`DetourScheduler`]).
    Detour,
    /// Every schedule within a preemption bound; only meaningful for a sweep
    /// ([`explore`](crate::explore)), where one iteration is one schedule.
    Exhaustive {
        /// The most preemptions a schedule may contain.
        preemptions: u32,
    },
    /// Follow a recorded schedule exactly.
    Replay(Schedule),
    /// Follow a choice stream, then the seed's random walk.
    Choices(Choices),
    /// The default of `check`. In a sweep: iteration 0 is asyncio's FIFO order ([`Fifo`]) with
    /// the base seed; then the odd iterations take, while they last, the schedules one
    /// deviation away from that FIFO run, then two deviations away (named `fifo+1` and `fifo+2`
    /// in reports, run with the base seed), enumerated in a fixed order; every other iteration
    /// `i` rotates through [`Strategy::PORTFOLIO`] with seed `seed + i`. A single run (outside
    /// a sweep) uses member `seed mod n` of [`Strategy::PORTFOLIO`].
    ///
    /// [`Fifo`]: Strategy::Fifo
    #[default]
    Portfolio,
}

/// What a sweep learned from its earlier runs, used by strategies that need an estimate of a
/// run's length (PCT places its change points over it) or of each task's work (SURW weighs a
/// task by the steps it has left).
///
/// # Examples
///
/// ```
/// use simloop::scheduler::SweepHints;
///
/// let hints = SweepHints::default(); // what a single run without a sweep gets
/// assert_eq!(hints.choice_points, 64);
/// assert!(hints.tasks.is_empty());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SweepHints {
    /// The most choice points an earlier run of the sweep made.
    pub choice_points: u64,
    /// Each task's mean number of polls over earlier runs, with its parent, indexed by task id
    /// (`main` first); empty when nothing has run yet.
    pub tasks: Vec<TaskSteps>,
}

impl Default for SweepHints {
    fn default() -> SweepHints {
        SweepHints {
            choice_points: 64,
            tasks: Vec::new(),
        }
    }
}

/// The depths PCT accepts, in code (`Strategy::Pct`) and text (`pct:<depth>`): PCT allocates
/// per change point, and a bug needing more than 16 ordering constraints is beyond its reach.
const PCT_DEPTHS: RangeInclusive<u32> = 1..=16;

/// The preemption bounds an exhaustive search accepts (`exhaustive:<preemptions>`).
const EXHAUSTIVE_PREEMPTIONS: RangeInclusive<u32> = 0..=64;

impl Strategy {
    /// `Ok` when every parameter lies in the range the strategy's text form accepts: PCT's
    /// `depth` in 1..=16, an exhaustive search's `preemptions` in 0..=64.
    /// [`Config::validate`](crate::Config::validate) reports a failure as the field `strategy`.
    ///
    /// # Errors
    ///
    /// A description naming the parameter and its range.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::Strategy;
    ///
    /// assert!(Strategy::Pct { depth: 3 }.check().is_ok());
    /// assert_eq!(
    ///     Strategy::Pct { depth: 0 }.check().unwrap_err(),
    ///     "Pct { depth: 0 }: depth must be in 1..=16 (as in pct:<depth>)"
    /// );
    /// ```
    pub fn check(&self) -> Result<(), String> {
        let (name, value, range, text) = match *self {
            Strategy::Pct { depth } => ("depth", depth, PCT_DEPTHS, "pct:<depth>"),
            Strategy::Exhaustive { preemptions } => (
                "preemptions",
                preemptions,
                EXHAUSTIVE_PREEMPTIONS,
                "exhaustive:<preemptions>",
            ),
            _ => return Ok(()),
        };
        if range.contains(&value) {
            return Ok(());
        }
        Err(format!(
            "{self:?}: {name} must be in {}..={} (as in {text})",
            range.start(),
            range.end()
        ))
    }

    /// The members of [`Strategy::Portfolio`], in rotation order.
    ///
    /// Chosen by measurement on the bug zoo (`cargo run --release --example zoo`): `Detour`
    /// finds every zoo bug within 17 schedules on average and is the only strategy that finds
    /// twostage(20) and twostage(50) at all within 1,000, so it runs every other iteration;
    /// `Urw` is the best at the small races (lazy01, deadlock01, wronglock: 1.4 to 2.5) where
    /// newest-first order is weakest; PCT-3 keeps its probabilistic guarantee for bugs of depth
    /// up to 3 and is the best at twostage(2). Together: every zoo bug within 21 schedules on
    /// average, against 31 without the second `Detour` and over 1,000 for the previous
    /// portfolio (random, PCT-2, PCT-3, POS) on reorder(10), twostage(20) and twostage(50).
    pub const PORTFOLIO: &'static [Strategy] = &[
        Strategy::Detour,
        Strategy::Urw,
        Strategy::Detour,
        Strategy::Pct { depth: 3 },
    ];

    /// The concrete strategy run for sweep iteration `iteration` (the portfolio rotates).
    pub fn for_iteration(&self, iteration: u64) -> &Strategy {
        match self {
            Strategy::Portfolio => {
                &Strategy::PORTFOLIO[(iteration % Strategy::PORTFOLIO.len() as u64) as usize]
            }
            other => other,
        }
    }

    /// The scheduler this strategy runs with `seed`, with default hints.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::Strategy;
    ///
    /// assert_eq!(Strategy::Fifo.scheduler(0).name(), "fifo");
    /// assert_eq!(Strategy::Portfolio.scheduler(1).name(), "urw");
    /// ```
    pub fn scheduler(&self, seed: u64) -> Box<dyn Scheduler> {
        self.scheduler_with(seed, &SweepHints::default())
    }

    /// Whether this strategy's scheduler for `seed` reads [`ReadyView::polls`]: the run loop
    /// keeps poll counts current at every step only for those that do, and counts them in
    /// batches for the others. A scheduler of the user's own always gets live counts.
    ///
    /// [`ReadyView::polls`]: crate::scheduler::ReadyView::polls
    pub(crate) fn reads_polls(&self, seed: u64) -> bool {
        match self.for_iteration(seed) {
            Strategy::Urw | Strategy::Detour => true,
            Strategy::Fifo
            | Strategy::Random
            | Strategy::Pct { .. }
            | Strategy::Pos
            | Strategy::Exhaustive { .. }
            | Strategy::Replay(_)
            | Strategy::Choices(_) => false,
            Strategy::Portfolio => unreachable!("for_iteration resolves the portfolio"),
        }
    }

    /// Whether this strategy's scheduler for `seed` only samples the ready set and never reads
    /// its order (the random walk): the run loop then keeps the set without gaps, out of
    /// arrival order.
    pub(crate) fn only_samples(&self, seed: u64) -> bool {
        matches!(self.for_iteration(seed), Strategy::Random)
    }

    /// The scheduler this strategy runs with `seed`, informed by a sweep's `hints`.
    pub fn scheduler_with(&self, seed: u64, hints: &SweepHints) -> Box<dyn Scheduler> {
        match self.for_iteration(seed) {
            Strategy::Fifo => Box::new(FifoScheduler),
            Strategy::Random => Box::new(RandomScheduler::new(seed)),
            Strategy::Pct { depth } => {
                Box::new(PctScheduler::new(seed, *depth, hints.choice_points))
            }
            Strategy::Pos => Box::new(PosScheduler::new(seed)),
            Strategy::Urw => Box::new(UrwScheduler::new(seed, hints)),
            Strategy::Detour => Box::new(DetourScheduler::new(seed, hints)),
            Strategy::Exhaustive { preemptions } => {
                Box::new(ExhaustiveScheduler::new(Search::new(*preemptions)))
            }
            Strategy::Replay(schedule) => Box::new(ReplayScheduler::strict(schedule.clone())),
            Strategy::Choices(choices) => Box::new(ChoiceScheduler::new(choices.clone(), seed)),
            Strategy::Portfolio => unreachable!("for_iteration resolves the portfolio"),
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Strategy::Fifo => f.write_str("fifo"),
            Strategy::Random => f.write_str("random"),
            Strategy::Pct { depth } => write!(f, "pct:{depth}"),
            Strategy::Pos => f.write_str("pos"),
            Strategy::Urw => f.write_str("urw"),
            Strategy::Detour => f.write_str("detour"),
            Strategy::Exhaustive { preemptions } => write!(f, "exhaustive:{preemptions}"),
            Strategy::Replay(schedule) => write!(f, "replay({schedule})"),
            Strategy::Choices(choices) if choices.is_then_fifo() => {
                write!(f, "choices({} values, then fifo)", choices.len())
            }
            Strategy::Choices(choices) => write!(f, "choices({} values)", choices.len()),
            Strategy::Portfolio => f.write_str("portfolio"),
        }
    }
}

/// A strategy name that is not one of [`Strategy`]'s text forms.
///
/// # Examples
///
/// ```
/// let err = "fast".parse::<simloop::Strategy>().unwrap_err();
/// assert!(err.to_string().contains("pct:<depth>"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseStrategyError(String);

impl fmt::Display for ParseStrategyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown strategy `{}`: expected `fifo`, `random`, `pct:<depth>` (depth 1..=16), \
             `pos`, `urw`, `detour`, `exhaustive:<preemptions>` (preemptions 0..=64) or \
             `portfolio`",
            self.0
        )
    }
}

impl std::error::Error for ParseStrategyError {}

impl FromStr for Strategy {
    type Err = ParseStrategyError;

    fn from_str(text: &str) -> Result<Strategy, ParseStrategyError> {
        let error = || ParseStrategyError(text.to_owned());
        let lower = text.trim().to_ascii_lowercase();
        let (name, argument) = match lower.split_once(':') {
            Some((name, argument)) => (name, Some(argument)),
            None => (lower.as_str(), None),
        };
        let number = |argument: Option<&str>, range: RangeInclusive<u32>| {
            argument
                .and_then(|a| a.parse::<u32>().ok())
                .filter(|n| range.contains(n))
                .ok_or_else(error)
        };
        match (name, argument) {
            ("fifo", None) => Ok(Strategy::Fifo),
            ("random", None) => Ok(Strategy::Random),
            ("pos", None) => Ok(Strategy::Pos),
            ("urw", None) => Ok(Strategy::Urw),
            ("detour", None) => Ok(Strategy::Detour),
            ("portfolio", None) => Ok(Strategy::Portfolio),
            ("pct", argument) => Ok(Strategy::Pct {
                depth: number(argument, PCT_DEPTHS)?,
            }),
            ("exhaustive", argument) => Ok(Strategy::Exhaustive {
                preemptions: number(argument, EXHAUSTIVE_PREEMPTIONS)?,
            }),
            _ => Err(error()),
        }
    }
}
