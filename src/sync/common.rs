//! What every primitive shares besides the waiter list: its name in the trace, and the
//! descriptions a deadlock report prints for a task blocked on it.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use crate::id::TaskId;
use crate::rt::{self, WaitTarget};
pub(crate) use crate::rt::{op, Detail, Label, StaticOp};

/// A primitive's shared state that can say what a task blocked in operation `op` waits on.
pub(crate) trait DescribeOp: 'static {
    /// The deadlock report's text for a task blocked in `op`, e.g.
    /// `Queue(jobs).get(), the queue is empty`.
    fn describe_op(&self, op: usize, names: &dyn Fn(TaskId) -> String) -> String;
}

/// One operation of a primitive, as the runtime's [`WaitTarget`]: holds the primitive weakly,
/// so a task table entry never keeps a primitive alive.
struct OpTarget<C> {
    core: Weak<C>,
    op: usize,
}

impl<C: DescribeOp> WaitTarget for OpTarget<C> {
    fn describe(&self, names: &dyn Fn(TaskId) -> String) -> String {
        match self.core.upgrade() {
            Some(core) => core.describe_op(self.op, names),
            None => "a primitive that has since been dropped".to_owned(),
        }
    }
}

/// The wait targets of a primitive's `N` blocking operations, made on first block so that a
/// primitive nobody blocks on never allocates one, and reused for every later block.
pub(crate) struct Targets<const N: usize> {
    made: RefCell<[Option<Rc<dyn WaitTarget>>; N]>,
}

impl<const N: usize> Default for Targets<N> {
    fn default() -> Self {
        Targets {
            made: RefCell::new(std::array::from_fn(|_| None)),
        }
    }
}

impl<const N: usize> Targets<N> {
    /// Tells the runtime that the current task is blocked in `op` of `core`.
    pub(crate) fn block_on<C: DescribeOp>(&self, core: &Rc<C>, op: usize) {
        let mut made = self.made.borrow_mut();
        let target = made[op].get_or_insert_with(|| {
            Rc::new(OpTarget {
                core: Rc::downgrade(core),
                op,
            }) as Rc<dyn WaitTarget>
        });
        // Only the task table is borrowed meanwhile: nothing here can reach `made` again.
        rt::waiting_on_dyn(target);
    }
}

/// `` `a`, `b`, `c` `` for the tasks in `tasks`, in task order, or `nobody`.
pub(crate) fn task_list(tasks: &[TaskId], names: &dyn Fn(TaskId) -> String) -> String {
    if tasks.is_empty() {
        return "nobody".to_owned();
    }
    let mut sorted = tasks.to_vec();
    sorted.sort_unstable();
    sorted
        .iter()
        .map(|&task| names(task))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The current task, or [`TaskId::NONE`] outside a simulation.
#[inline]
pub(crate) fn current_task() -> TaskId {
    rt::current_task().unwrap_or(TaskId::NONE)
}
