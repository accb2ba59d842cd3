//! Plain data about tasks: ids and what a run learned of each task. Imports nothing from the
//! crate, so every layer can name a task.

use std::fmt;

/// A task's id, unique within one run, in creation order; `main` is `#0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId(pub(crate) u32);

impl TaskId {
    /// The main future passed to [`Sim::run`](crate::Sim::run).
    pub const MAIN: TaskId = TaskId(0);
    /// No task: the run loop itself (the clock firing a timer, say). Crate-internal: the public
    /// types say "no task" with `Option<TaskId>`.
    pub(crate) const NONE: TaskId = TaskId(u32::MAX);

    /// The id as a number.
    pub const fn as_u32(self) -> u32 {
        self.0
    }

    /// The task with number `id`.
    pub const fn from_u32(id: u32) -> TaskId {
        TaskId(id)
    }

    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// How much one task ran in a run, and who spawned it: what strategies that weigh tasks by the
/// work they have left learn from earlier runs of a sweep.
///
/// # Examples
///
/// ```
/// use simloop::task::{spawn, yield_now, TaskId};
/// use simloop::{Config, Sim};
///
/// let run = Sim::new(Config::default()).run(async {
///     spawn(async { yield_now().await }).await.unwrap();
/// });
/// assert_eq!(run.task_steps.len(), 2); // main and the spawned task
/// assert_eq!(run.task_steps[1].parent, Some(TaskId::MAIN));
/// assert_eq!(run.task_steps[1].polls, 2); // once to the yield, once to the end
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TaskSteps {
    /// The task that spawned it (`None` for `main`).
    pub parent: Option<TaskId>,
    /// How many steps polled it.
    pub polls: u32,
}

/// Who a task is: its id, name and the place it was spawned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskInfo {
    /// The task's id, unique within one run; `main` is `#0`.
    pub id: TaskId,
    /// The name given to [`spawn_named`](crate::task::spawn_named), or `main`.
    pub name: Option<String>,
    /// `file:line:column` of the `spawn` call.
    pub spawned_at: String,
}

impl fmt::Display for TaskInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "`{name}` ({}", self.id)?,
            None => write!(f, "{}", self.id)?,
        }
        if !self.spawned_at.is_empty() {
            let sep = if self.name.is_some() { ", " } else { " (" };
            write!(f, "{sep}spawned at {})", self.spawned_at)
        } else if self.name.is_some() {
            write!(f, ")")
        } else {
            Ok(())
        }
    }
}
