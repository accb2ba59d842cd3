//! `Failure`: why a run did not finish, with everything needed to reproduce it.

use std::fmt;
use std::time::Duration;

use super::run_loop::{Cause, RunLoop};
use super::{panics, Run};
use crate::id::{TaskId, TaskInfo};
use crate::instant::Instant;
use crate::scheduler::Schedule;

/// What makes a program read something outside the simulation, as the nondeterminism report
/// lists it.
const NONDETERMINISM_CAUSES: &[&str] = &[
    "`tokio::select!` or `futures::select!` without `biased;`: it polls its branches in a \
     random order; write `biased;` as its first line (or use `futures::select_biased!`)",
    "iterating a `HashMap` or `HashSet`: its order changes from run to run; use `BTreeMap`, \
     `BTreeSet` or `IndexMap`",
    "the wall clock (`std::time::Instant`, `SystemTime`) or OS randomness (`rand::thread_rng`): \
     use `simloop::time` and `simloop::random`",
    "OS threads, real I/O or state kept between runs (a `static`, a thread-local): keep them \
     out of the simulated program, or reset them in the test body",
];

/// How many trace lines a failure report shows.
pub(crate) const REPORT_EVENTS: usize = 12;

/// Why a run failed. Its `Display` is the failure report: what happened, the seed, strategy,
/// virtual time and step, the line that replays it, and the last events of the trace.
///
/// # Examples
///
/// ```
/// use simloop::{Failure, Sim, Config};
///
/// let run = Sim::new(Config::default()).run(async { panic!("boom") });
/// match run.result {
///     Err(Failure::Panic { ref task, ref message, .. }) => {
///         assert_eq!(task.name.as_deref(), Some("main"));
///         assert_eq!(message, "boom");
///     }
///     _ => unreachable!("the run panicked"),
/// }
/// let report = run.result.unwrap_err().to_string();
/// assert!(report.contains("SIMLOOP_REPLAY=v1:0:"));
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Failure {
    /// A task panicked; the run stopped there and every other task was dropped.
    Panic {
        /// The task that panicked.
        task: TaskInfo,
        /// The panic message.
        message: String,
        /// `file:line:column` of the panic, when known.
        location: Option<String>,
        /// Seed, time, step, replay line and last events.
        context: Box<FailureContext>,
    },
    /// No task was ready, no timer was pending, and the main future had not finished.
    Deadlock {
        /// Every task still pending, with what it waits on where known.
        blocked: Vec<BlockedTask>,
        /// Seed, time, step, replay line and last events.
        context: Box<FailureContext>,
    },
    /// The run polled `max_steps` times without finishing (a livelock or a long run).
    StepLimit {
        /// The limit that was reached.
        limit: u64,
        /// Seed, time, step, replay line and last events.
        context: Box<FailureContext>,
    },
    /// The next timer was past `max_time` of virtual time.
    TimeLimit {
        /// The limit that was reached.
        limit: Duration,
        /// Seed, time, step, replay line and last events.
        context: Box<FailureContext>,
    },
    /// A spawn would have exceeded `max_tasks`.
    TaskLimit {
        /// The limit that was reached.
        limit: usize,
        /// Seed, time, step, replay line and last events.
        context: Box<FailureContext>,
    },
    /// The same seed ran twice and the traces differed: the program reads something outside
    /// the simulation (the wall clock, a `HashMap`'s order, thread timing).
    Nondeterminism {
        /// The first event where the runs parted, as the first run recorded it.
        first: String,
        /// The same position in the second run.
        second: String,
        /// Index of that event in the trace.
        index: usize,
        /// The task of that event in the first run, with its spawn site, when it has one.
        task: Option<TaskInfo>,
        /// Seed, time, step, replay line and last events.
        context: Box<FailureContext>,
    },
    /// A replayed schedule did not match the program.
    Divergence {
        /// Where and how it diverged.
        message: String,
        /// Seed, time, step, replay line and last events.
        context: Box<FailureContext>,
    },
    /// A task was woken from another thread (a real thread, or one running another
    /// simulation): real threads are outside the model, so the run cannot go on
    /// deterministically.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::channel::oneshot;
    /// use simloop::{task::yield_now, Config, Failure, Sim};
    ///
    /// let run = Sim::new(Config::default()).run(async {
    ///     let (sender, receiver) = oneshot::channel::<u32>();
    ///     let mut receiver = Box::pin(receiver);
    ///     assert!(futures::poll!(receiver.as_mut()).is_pending());
    ///     std::thread::spawn(move || sender.send(1)).join().unwrap().unwrap();
    ///     yield_now().await;
    /// });
    /// let Err(Failure::ForeignWake { task, .. }) = run.result else { unreachable!() };
    /// assert_eq!(task.name.as_deref(), Some("main"));
    /// ```
    ForeignWake {
        /// The task that was woken.
        task: TaskInfo,
        /// Seed, time, step, replay line and last events.
        context: Box<FailureContext>,
    },
}

/// A task that was pending when a run deadlocked.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BlockedTask {
    /// Who.
    pub task: TaskInfo,
    /// What it waits on, such as `Queue(jobs).get()`, when the primitive said.
    pub waiting_on: Option<String>,
    /// Its own last events in the recorded trace (at most [`BlockedTask::EVENTS`]), as text
    /// lines: what it did before it blocked, even when other tasks fill the report's tail.
    pub last_events: Vec<String>,
    /// The step and virtual time of its last recorded poll, when the trace still holds it.
    pub last_poll: Option<(u64, Instant)>,
    /// The type of the task's future, as [`std::any::type_name`] writes it (an `async` block
    /// reads as the path of the function it is written in, `my_crate::my_fn::{{closure}}`):
    /// where to look when nothing simloop owns says what the task waits on.
    pub future: &'static str,
}

impl BlockedTask {
    /// How many of a blocked task's own events a deadlock report shows.
    pub const EVENTS: usize = 4;
}

/// Where and how a run failed, shared by every [`Failure`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FailureContext {
    /// The run's seed.
    pub seed: u64,
    /// The strategy's name (`fifo`, `random`, `pct:3`, ...).
    pub strategy: String,
    /// Virtual time when the run stopped.
    pub time: Instant,
    /// Steps taken.
    pub step: u64,
    /// Every choice of the run, ready to replay.
    pub schedule: Schedule,
    /// A smaller schedule that fails the same way, with a one-line explanation, if shrinking ran.
    pub minimal: Option<(Schedule, String)>,
    /// `(index, count)` of the failing iteration within a sweep.
    pub iteration: Option<(u64, u64)>,
    /// The test (libtest thread name) the run belonged to, for the replay command.
    pub test_name: Option<String>,
    /// The last events of the trace as text lines.
    pub last_events: Vec<String>,
    /// The simulated world's fault mix and fault sites, when the run used them.
    pub world: Vec<String>,
}

impl FailureContext {
    /// The command that replays this failure.
    pub fn replay_line(&self) -> String {
        let schedule = self.minimal.as_ref().map_or(&self.schedule, |(s, _)| s);
        match &self.test_name {
            Some(name) => format!("SIMLOOP_REPLAY={schedule} cargo test {name}"),
            None => format!("SIMLOOP_REPLAY={schedule} <the same command>"),
        }
    }
}

impl Failure {
    /// The context every failure carries.
    pub fn context(&self) -> &FailureContext {
        match self {
            Failure::Panic { context, .. }
            | Failure::Deadlock { context, .. }
            | Failure::StepLimit { context, .. }
            | Failure::TimeLimit { context, .. }
            | Failure::TaskLimit { context, .. }
            | Failure::Nondeterminism { context, .. }
            | Failure::Divergence { context, .. }
            | Failure::ForeignWake { context, .. } => context,
        }
    }

    /// Mutable access to the context, for sweeps that add the iteration and a minimal schedule.
    pub(crate) fn context_mut(&mut self) -> &mut FailureContext {
        match self {
            Failure::Panic { context, .. }
            | Failure::Deadlock { context, .. }
            | Failure::StepLimit { context, .. }
            | Failure::TimeLimit { context, .. }
            | Failure::TaskLimit { context, .. }
            | Failure::Nondeterminism { context, .. }
            | Failure::Divergence { context, .. }
            | Failure::ForeignWake { context, .. } => context,
        }
    }

    /// A short name of the kind of failure: `panic`, `deadlock`, `step limit`, ...
    pub fn kind(&self) -> &'static str {
        match self {
            Failure::Panic { .. } => "panic",
            Failure::Deadlock { .. } => "deadlock",
            Failure::StepLimit { .. } => "step limit",
            Failure::TimeLimit { .. } => "time limit",
            Failure::TaskLimit { .. } => "task limit",
            Failure::Nondeterminism { .. } => "nondeterminism",
            Failure::Divergence { .. } => "divergence",
            Failure::ForeignWake { .. } => "foreign wake",
        }
    }

    /// The first line of the report, without the context.
    pub fn headline(&self) -> String {
        match self {
            Failure::Panic {
                task,
                message,
                location,
                ..
            } => {
                let who = who(task);
                match location {
                    Some(at) => format!("{who} panicked at {at}: {message}"),
                    None => format!("{who} panicked: {message}"),
                }
            }
            Failure::Deadlock { blocked, .. } => format!(
                "deadlock: {} task{} blocked, nothing ready and no timer pending",
                blocked.len(),
                if blocked.len() == 1 { "" } else { "s" }
            ),
            Failure::StepLimit { limit, .. } => {
                format!("step limit: {limit} polls without finishing (raise Config::max_steps if the run is just long)")
            }
            Failure::TimeLimit { limit, .. } => format!(
                "time limit: the next timer is past max_time ({})",
                Instant::from_start(*limit)
            ),
            Failure::TaskLimit { limit, .. } => {
                format!("task limit: more than {limit} tasks (raise Config::max_tasks)")
            }
            Failure::Nondeterminism { index, .. } => format!(
                "nondeterminism: the same seed ran twice and the traces part at event {index}"
            ),
            Failure::Divergence { message, .. } => format!("replay diverged: {message}"),
            Failure::ForeignWake { task, .. } => format!(
                "foreign wake: {} was woken from another thread; real threads are outside the \
                 simulation: talk between tasks through simloop's channels and primitives, and \
                 model blocking work as a task (with `sleep` for its duration) instead of a thread",
                who(task)
            ),
        }
    }
}

/// Whether a panic message is real tokio's for a call made outside a tokio runtime: what a
/// library that depends on tokio directly (not through the facade) raises inside a simulation.
/// tokio 1.x says "there is no reactor running, must be called from the context of a Tokio 1.x
/// runtime" (`tokio::spawn`, timers, I/O) or "... must be called from the context of a Tokio
/// runtime ..." (`Handle::current`, older releases).
fn is_real_tokio_panic(message: &str) -> bool {
    message.contains("there is no reactor running")
        || message.contains("context of a Tokio 1.x runtime")
        || message.contains("context of a Tokio runtime")
}

/// The hint below such a panic: what happened and how to route the call through the facade.
const REAL_TOKIO_HINT: &[&str] = &[
    "hint: this is real tokio's panic: code inside the simulation called tokio itself, which has",
    "  no runtime here (a simulation is not a tokio runtime). Route the call through simloop-tokio,",
    "  which serves tokio's API from the simulation:",
    "  - your own code: rename the dependency in Cargo.toml,",
    "      tokio = { package = \"simloop-tokio\", version = \"0.1\", features = [...] }",
    "  - a library that depends on tokio directly: a rename in your Cargo.toml does not reach it;",
    "    use a fork of it whose Cargo.toml renames its tokio the same way, put in with",
    "    `[patch.crates-io] <library> = { path = \"...\" }`, or a runtime-agnostic version.",
    "    `cargo tree -i tokio` lists the crates that depend on tokio.",
];

/// `task `name``, or `task #3` for a task without a name.
fn who(task: &TaskInfo) -> String {
    task.name.as_deref().map_or_else(
        || format!("task {}", task.id),
        |name| format!("task `{name}`"),
    )
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let context = self.context();
        writeln!(f, "simloop: {}", self.headline())?;
        match self {
            Failure::Panic { message, .. } if is_real_tokio_panic(message) => {
                for line in REAL_TOKIO_HINT {
                    writeln!(f, "  {line}")?;
                }
            }
            Failure::Deadlock { blocked, .. } => {
                for task in blocked {
                    match (&task.waiting_on, task.last_poll) {
                        (Some(what), _) => writeln!(f, "    {} waits on {what}", task.task)?,
                        (None, last_poll) => {
                            writeln!(
                                f,
                                "    {} waits on a future simloop does not own (no simloop \
                                 primitive, timer or task) inside its future `{}`{}",
                                task.task,
                                task.future,
                                last_poll.map_or_else(String::new, |(step, time)| format!(
                                    "; last polled at step {step} ({time})"
                                ))
                            )?;
                        }
                    }
                    for line in &task.last_events {
                        writeln!(f, "      {line}")?;
                    }
                }
            }
            Failure::Nondeterminism {
                first,
                second,
                task,
                ..
            } => {
                writeln!(f, "    first run:  {first}")?;
                writeln!(f, "    second run: {second}")?;
                if let Some(task) = task {
                    writeln!(f, "    in task {task}")?;
                }
                writeln!(
                    f,
                    "  the usual causes, in the task of that event or just before it:"
                )?;
                for cause in NONDETERMINISM_CAUSES {
                    writeln!(f, "    - {cause}")?;
                }
            }
            _ => {}
        }
        write!(f, "  seed {}", context.seed)?;
        if let Some((index, count)) = context.iteration {
            write!(f, " (iteration {} of {count})", index + 1)?;
        }
        writeln!(
            f,
            ", strategy {}, virtual time {}, step {}",
            context.strategy, context.time, context.step
        )?;
        writeln!(f, "  replay: {}", context.replay_line())?;
        if let Some((schedule, explanation)) = &context.minimal {
            writeln!(
                f,
                "  minimal schedule ({} deviation{} from FIFO): {schedule}",
                schedule.deviations().len(),
                if schedule.deviations().len() == 1 {
                    ""
                } else {
                    "s"
                }
            )?;
            if !explanation.is_empty() {
                writeln!(f, "    {explanation}")?;
            }
        }
        if !context.world.is_empty() {
            writeln!(f, "  simulated world:")?;
            for line in &context.world {
                writeln!(f, "    {line}")?;
            }
        }
        if !context.last_events.is_empty() {
            writeln!(f, "  last events:")?;
            for line in &context.last_events {
                writeln!(f, "    {line}")?;
            }
            writeln!(
                f,
                "  the cause may be earlier: SIMLOOP_TRACE=trace.txt with the replay line writes \
                 every event (.json for Chrome's trace viewer)"
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for Failure {}

// Building a `Failure` from why the run loop stopped, and a failure's context.

pub(super) fn panic_cause(task: TaskId, payload: Box<dyn std::any::Any + Send>) -> Cause {
    let message = if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(a panic payload that is not a string)".to_owned()
    };
    Cause::Panic {
        task,
        message,
        location: panics::take_location(),
    }
}

impl RunLoop<'_> {
    pub(super) fn failure(&self, cause: Cause) -> Failure {
        let engine = &self.engine;
        let context = Box::new(FailureContext {
            seed: engine.seed(),
            strategy: self.scheduler.name(),
            time: engine.now(),
            step: engine.step(),
            schedule: self.schedule.clone(),
            minimal: None,
            iteration: None,
            test_name: panics::test_name(),
            last_events: engine.tail_lines(REPORT_EVENTS),
            world: engine.world_lines(),
        });
        match cause {
            Cause::Panic {
                task,
                message,
                location,
            } => Failure::Panic {
                task: engine.task_info(task),
                message,
                location,
                context,
            },
            Cause::Deadlock => Failure::Deadlock {
                blocked: engine
                    .blocked(BlockedTask::EVENTS)
                    .into_iter()
                    .map(|blocked| BlockedTask {
                        task: blocked.info,
                        waiting_on: blocked.waiting_on,
                        last_events: blocked.events,
                        last_poll: blocked.last_poll,
                        future: blocked.future,
                    })
                    .collect(),
                context,
            },
            Cause::StepLimit => Failure::StepLimit {
                limit: engine.step(),
                context,
            },
            Cause::TimeLimit => Failure::TimeLimit {
                limit: self.config.max_time,
                context,
            },
            Cause::TaskLimit(limit) => Failure::TaskLimit { limit, context },
            Cause::Divergence(message) => Failure::Divergence { message, context },
            Cause::ForeignWake(task) => Failure::ForeignWake {
                task: engine.task_info(task),
                context,
            },
        }
    }
}

/// A failure context for a failure found outside one run (by comparing runs).
pub(crate) fn failure_context<T>(seed: u64, strategy: &str, run: &Run<T>) -> FailureContext {
    FailureContext {
        seed,
        strategy: strategy.to_owned(),
        time: Instant::from_start(run.elapsed),
        step: run.steps,
        schedule: run.schedule.clone(),
        minimal: None,
        iteration: None,
        test_name: panics::test_name(),
        last_events: run.trace.tail_lines(REPORT_EVENTS),
        world: Vec::new(),
    }
}
