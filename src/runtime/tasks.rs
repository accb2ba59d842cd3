//! The task table: one record per task ever spawned in a run, indexed by [`TaskId`].

use std::fmt;
use std::panic::Location;
use std::rc::Rc;
use std::task::Waker;

use crate::task::TaskId;

/// Something a blocked task waits on, described for deadlock reports.
///
/// Primitives implement this on their shared state, so the description is built only when a
/// report is printed and can say who holds what at that moment.
pub(crate) trait WaitTarget {
    fn describe(&self, names: &dyn Fn(TaskId) -> String) -> String;
}

/// What a task is blocked on; set by the leaf future that returned `Pending`.
#[derive(Clone)]
pub(crate) enum WaitReason {
    Sleep { until_ns: u64 },
    Join(TaskId),
    Target(Rc<dyn WaitTarget>),
    Other(&'static str),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum TaskState {
    Pending,
    Finished,
    Cancelled,
}

pub(crate) struct TaskRecord {
    pub(crate) name: Option<Rc<str>>,
    pub(crate) site: &'static Location<'static>,
    /// Kept so that `abort` and teardown can schedule a task that nobody else will wake;
    /// cleared when the task ends so its allocation can be freed.
    pub(crate) waker: Option<Waker>,
    pub(crate) state: TaskState,
    pub(crate) aborted: bool,
    pub(crate) waiting_on: Option<WaitReason>,
}

#[derive(Default)]
pub(crate) struct TaskTable {
    records: Vec<TaskRecord>,
}

impl TaskTable {
    pub(crate) fn insert(
        &mut self,
        name: Option<Rc<str>>,
        site: &'static Location<'static>,
    ) -> TaskId {
        let id = TaskId(self.records.len() as u32);
        self.records.push(TaskRecord {
            name,
            site,
            waker: None,
            state: TaskState::Pending,
            aborted: false,
            waiting_on: None,
        });
        id
    }

    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    pub(crate) fn get(&self, id: TaskId) -> Option<&TaskRecord> {
        self.records.get(id.index())
    }

    pub(crate) fn get_mut(&mut self, id: TaskId) -> Option<&mut TaskRecord> {
        self.records.get_mut(id.index())
    }

    /// Marks `id` ended and drops its stored waker.
    pub(crate) fn finish(&mut self, id: TaskId, state: TaskState) {
        if let Some(record) = self.records.get_mut(id.index()) {
            record.state = state;
            record.waker = None;
            record.waiting_on = None;
        }
    }

    pub(crate) fn pending_ids(&self) -> impl Iterator<Item = TaskId> + '_ {
        self.records
            .iter()
            .enumerate()
            .filter(|(_, record)| record.state == TaskState::Pending)
            .map(|(index, _)| TaskId(index as u32))
    }

    /// The label the trace and reports use: the task's name, or `task-N`.
    pub(crate) fn label(&self, id: TaskId) -> String {
        match self.get(id) {
            _ if id == TaskId::NONE => "-".to_owned(),
            Some(TaskRecord {
                name: Some(name), ..
            }) => name.to_string(),
            _ => format!("task-{}", id.0),
        }
    }

    pub(crate) fn info(&self, id: TaskId) -> TaskInfo {
        let record = self.get(id);
        TaskInfo {
            id,
            name: record.and_then(|r| r.name.as_deref().map(str::to_owned)),
            spawned_at: record
                .map(|r| format!("{}:{}:{}", r.site.file(), r.site.line(), r.site.column()))
                .unwrap_or_default(),
        }
    }

    pub(crate) fn describe_wait(&self, id: TaskId) -> Option<String> {
        let reason = self.get(id)?.waiting_on.as_ref()?;
        let names = |task: TaskId| format!("`{}`", self.label(task));
        Some(match reason {
            WaitReason::Sleep { until_ns } => {
                format!(
                    "sleep until {}",
                    crate::time::Instant::from_nanos(*until_ns)
                )
            }
            WaitReason::Join(task) => format!("the end of task {}", names(*task)),
            WaitReason::Target(target) => target.describe(&names),
            WaitReason::Other(what) => (*what).to_owned(),
        })
    }

    /// Names of every task, indexed by id, for the trace's text form.
    pub(crate) fn labels(&self) -> Vec<Option<Rc<str>>> {
        self.records
            .iter()
            .map(|record| record.name.clone())
            .collect()
    }
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
