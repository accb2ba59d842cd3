//! What every primitive shares besides the waiter list: its name in the trace, and the
//! descriptions a deadlock report prints for a task blocked on it.

use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::{Rc, Weak};

use crate::runtime::context;
use crate::runtime::core::Core;
use crate::runtime::tasks::WaitTarget;
use crate::task::TaskId;
use crate::trace::{digest_op, text_digest, EventKind, TraceLevel};

/// Whether operations that complete are traced at [`TraceLevel::Tail`]. They are the bulk of a
/// queue's or semaphore's traffic and each costs a digest update, so only [`TraceLevel::Full`]
/// keeps them; every operation that blocks, fails, passes a dropped waiter's wake-up on or
/// changes a primitive's mode is kept at `Tail` too. With the runtime's own `wake` events, a
/// failure report's last events still show who waited on what and who woke whom.
const ROUTINE_AT_TAIL: bool = false;

/// How much an operation matters to a reader of the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Detail {
    /// Completed (the task that waits for it, if any, shows as a `wake`): kept at
    /// [`TraceLevel::Full`].
    Routine,
    /// Blocked, failed, passed a wake-up on, or changed a mode: kept at `Tail` and `Full`.
    Notable,
}

impl Detail {
    /// Whether the running simulation's trace keeps an operation of this detail.
    #[inline(always)]
    fn kept(self) -> bool {
        context::trace_level().is_some_and(|level| self.kept_at(level))
    }

    /// Whether a trace at `level` keeps an operation of this detail.
    #[inline(always)]
    fn kept_at(self, level: TraceLevel) -> bool {
        match level {
            TraceLevel::Off => false,
            TraceLevel::Full => true,
            _ => self == Detail::Notable || ROUTINE_AT_TAIL,
        }
    }
}

/// An operation's text, such as `get() waits`, with its digest for the trace (see
/// [`text_digest`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct StaticOp {
    text: &'static str,
    digest: u64,
}

impl StaticOp {
    pub(crate) const fn new(text: &'static str) -> StaticOp {
        StaticOp {
            text,
            digest: text_digest(text),
        }
    }
}

/// `op!("get() waits")`: a [`StaticOp`] whose digest is computed at compile time, so that
/// recording a blocked `get()` hashes no text.
macro_rules! op {
    ($text:literal) => {
        const { $crate::sync::common::StaticOp::new($text) }
    };
}
pub(crate) use op;

/// A primitive's name as the trace and reports print it: `Queue` or `Queue(jobs)`.
///
/// Built on first use, so a primitive that is never traced never formats its name.
#[derive(Debug)]
pub(crate) struct Label {
    kind: &'static str,
    name: RefCell<Option<Rc<str>>>,
    /// The text, with its digest for the trace.
    text: RefCell<Option<(Rc<str>, u64)>>,
}

impl Label {
    pub(crate) fn new(kind: &'static str) -> Label {
        Label {
            kind,
            name: RefCell::new(None),
            text: RefCell::new(None),
        }
    }

    /// Names the primitive: `Queue` becomes `Queue(name)`.
    pub(crate) fn set_name(&self, name: &str) {
        *self.name.borrow_mut() = Some(Rc::from(name));
        *self.text.borrow_mut() = None;
    }

    /// The name given with `with_name`, if any.
    pub(crate) fn name(&self) -> Option<Rc<str>> {
        self.name.borrow().clone()
    }

    /// `Kind` or `Kind(name)`.
    pub(crate) fn text(&self) -> Rc<str> {
        let mut text = self.text.borrow_mut();
        Rc::clone(&text.get_or_insert_with(|| self.build_text()).0)
    }

    /// Records `op` (a static text such as `get()`, made by [`op!`]) on this primitive for the
    /// current task.
    ///
    /// One look at the running simulation serves both the level check and the recording: on a
    /// blocking path this runs at every step.
    #[inline(always)]
    pub(crate) fn record(&self, detail: Detail, op: StaticOp) {
        context::try_with(|core| {
            if detail.kept_at(core.trace_level) {
                self.push_static_event_to(core, op);
            }
        });
    }

    /// Records an operation whose text is built only if the trace keeps it.
    #[inline]
    pub(crate) fn record_with(&self, detail: Detail, op: impl FnOnce() -> String) {
        if detail.kept() {
            self.push_event(Cow::Owned(op()));
        }
    }

    fn push_event(&self, op: Cow<'static, str>) {
        context::try_with(|core| self.push_event_to(core, op));
    }

    // Out of line: the fast path of every operation is the level check before it.
    #[inline(never)]
    fn push_event_to(&self, core: &Core, op: Cow<'static, str>) {
        let object = self.text();
        core.record(EventKind::Op { object, op });
    }

    /// [`push_event_to`](Label::push_event_to) for a static text, the common case: the event
    /// is built inside the trace from the text's pointer.
    #[inline(never)]
    fn push_static_event_to(&self, core: &Core, op: StaticOp) {
        let mut text = self.text.borrow_mut();
        let (object, object_digest) = &*text.get_or_insert_with(|| self.build_text());
        // The closure borrows rather than moves: moved-in fat pointers were spilled and
        // reloaded whole, stalling on their own halves' stores.
        let op = &op;
        let task = core.current.get();
        core.record_digested(
            task,
            || EventKind::Op {
                object: Rc::clone(object),
                op: Cow::Borrowed(op.text),
            },
            |hash, _| digest_op(hash, task, *object_digest, op.digest),
        );
    }

    fn build_text(&self) -> (Rc<str>, u64) {
        let text: Rc<str> = match &*self.name.borrow() {
            Some(name) => Rc::from(format!("{}({name})", self.kind)),
            None => Rc::from(self.kind),
        };
        let digest = text_digest(&text);
        (text, digest)
    }
}

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
        context::waiting_on_dyn(target);
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
    context::current_task().unwrap_or(TaskId::NONE)
}
