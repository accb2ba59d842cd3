//! How primitives name themselves in the trace and record their operations: the trace's
//! fast paths for `sync`, kept in the engine so that a primitive is plain code over
//! [`Label::record`] and [`Label::record_with`].

use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;

use super::core::Core;
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
    pub(crate) fn kept(self) -> bool {
        super::trace_level().is_some_and(|level| self.kept_at(level))
    }

    /// Whether a trace at `level` keeps an operation of this detail.
    #[inline(always)]
    pub(super) fn kept_at(self, level: TraceLevel) -> bool {
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
        const { $crate::rt::StaticOp::new($text) }
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
        super::context::try_with(|core| {
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
        super::context::try_with(|core| self.push_event_to(core, op));
    }

    // Out of line: the fast path of every operation is the level check before it.
    #[inline(never)]
    pub(super) fn push_event_to(&self, core: &Core, op: Cow<'static, str>) {
        let object = self.text();
        core.record(EventKind::Op { object, op });
    }

    /// [`push_event_to`](Label::push_event_to) for a static text, the common case: the event
    /// is built inside the trace from the text's pointer.
    #[inline(never)]
    pub(super) fn push_static_event_to(&self, core: &Core, op: StaticOp) {
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
