//! The event trace: what happened in a run, stamped with virtual time, step and task.
//!
//! The trace is append-only and never influences execution. Every event feeds a running digest
//! (so two runs can be compared cheaply), the last [`TAIL_LEN`] events are always kept for
//! failure reports, and [`TraceLevel::Full`] keeps everything for snapshots and exports.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::rc::Rc;

use crate::id::TaskId;
use crate::instant::Instant;

mod chrome;

/// How much of a run the trace keeps. Every level but `Off` keeps the digest and the tail.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum TraceLevel {
    /// Record nothing: no digest, no tail (the failure report then has no "last events").
    Off,
    /// Keep the digest and the last [`TAIL_LEN`] events: cheap enough for seed sweeps.
    #[default]
    Tail,
    /// Keep every event: for snapshots, exports and reading a run end to end.
    Full,
}

/// How many events [`TraceLevel::Tail`] keeps.
pub const TAIL_LEN: usize = 64;

/// One thing that happened.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventKind {
    /// The task spawned `child`.
    Spawn {
        /// The new task.
        child: TaskId,
        /// Its name, if it has one.
        name: Option<Rc<str>>,
    },
    /// The scheduler picked the task and polled it; `ready` tasks were ready to choose from.
    Poll {
        /// How many tasks were ready at this step.
        ready: u32,
    },
    /// The task woke `target`.
    Wake {
        /// The task made ready.
        target: TaskId,
    },
    /// A timer set by the task reached its deadline.
    TimerFired,
    /// The task asked for `target` to be aborted.
    Abort {
        /// The task aborted (its future is dropped before `abort` returns unless it is running).
        target: TaskId,
    },
    /// The task ended: it returned, or was dropped after an abort.
    Done {
        /// True when the task was aborted rather than finished.
        cancelled: bool,
    },
    /// A line from [`log!`](crate::log) or the `tracing` bridge.
    Log(String),
    /// An operation on a simloop primitive or simulated resource, such as `Queue(jobs).get()`.
    Op {
        /// The primitive: `Queue(jobs)`, `Semaphore`, `net`, ...
        object: Rc<str>,
        /// What happened to it.
        op: Cow<'static, str>,
    },
}

/// One trace entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Virtual time.
    pub time: Instant,
    /// The step (number of polls before this event).
    pub step: u64,
    /// The task the event belongs to; `None` for the run loop itself (the clock firing a
    /// timer whose task has ended, say).
    pub task: Option<TaskId>,
    /// What happened.
    pub kind: EventKind,
}

/// The record of one run.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    pub(crate) level: TraceLevel,
    /// In recording order, except that a full tail is a ring whose oldest event is at
    /// `oldest`: read them through [`Trace::events`]. A `Vec` rather than a `VecDeque`: the ring
    /// is overwritten in place, one bounds check an event.
    events: Vec<Event>,
    oldest: usize,
    pub(crate) dropped: u64,
    pub(crate) digest: u64,
    /// The time last fed to the digest: see [`digest_event`].
    digested_time: u64,
    /// The names of named tasks, by ascending id.
    pub(crate) labels: Vec<(TaskId, Rc<str>)>,
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

const fn mix(hash: u64, value: u64) -> u64 {
    (hash ^ value).wrapping_mul(FNV_PRIME)
}

/// A digest of `text`: its bytes eight at a time, then its length.
///
/// A text's digest goes into an event's as one word, so a primitive's name is digested once
/// and a static operation text at compile time (`op!("get() waits")` in `sync`). Equal texts
/// have equal digests however they are held (`Rc<str>`, `String`, `&'static str`).
pub(crate) const fn text_digest(text: &str) -> u64 {
    let bytes = text.as_bytes();
    let mut hash = FNV_OFFSET;
    let mut rest = bytes;
    while let Some((word, after)) = rest.split_first_chunk::<8>() {
        hash = mix(hash, u64::from_le_bytes(*word));
        rest = after;
    }
    if !rest.is_empty() {
        // The last word: the final eight bytes, overlapping the previous word, or the whole
        // text when it is shorter. With the length fed below, the words still tell texts apart.
        let last = match bytes.last_chunk::<8>() {
            Some(word) => u64::from_le_bytes(*word),
            None => short_word(bytes),
        };
        hash = mix(hash, last);
    }
    mix(hash, bytes.len() as u64)
}

/// The bytes of a text shorter than eight bytes as one little-endian word.
const fn short_word(bytes: &[u8]) -> u64 {
    let mut word = 0;
    let mut at = 0;
    while at < bytes.len() {
        word |= (bytes[at] as u64) << (8 * at);
        at += 1;
    }
    word
}

/// Feeds an operation on the primitive whose name digests to `object` to the digest: what
/// [`digest_event`] does for [`EventKind::Op`], with the texts' digests computed beforehand.
#[inline(always)]
pub(crate) fn digest_op(hash: u64, task: TaskId, object: u64, op: u64) -> u64 {
    mix(mix(mix(hash, event_head(task, 8)), object), op)
}

/// An event's first digest word: its task in the high half, its kind's tag (and a small
/// payload) in the low half.
#[inline(always)]
fn event_head(task: TaskId, tag: u64) -> u64 {
    (u64::from(task.0) << 32) | tag
}

impl Trace {
    pub(crate) fn new(level: TraceLevel) -> Trace {
        // A tail fills up in any run worth tracing: allocate it once instead of growing it.
        let events = match level {
            TraceLevel::Tail => Vec::with_capacity(TAIL_LEN),
            _ => Vec::new(),
        };
        Trace {
            level,
            events,
            digest: FNV_OFFSET,
            ..Trace::default()
        }
    }

    /// Records the event `kind` builds, for `task` at `time_ns` and `step`.
    ///
    /// The kind is built here, in its place in the ring, rather than handed over: built by the
    /// caller and passed in memory, its reload here stalled on the stores that had just written
    /// it. Inlined into each of the few recording sites for the same
    /// reason: what the closure captures then stays in registers.
    #[inline(always)]
    pub(crate) fn record_with(
        &mut self,
        time_ns: u64,
        step: u64,
        task: TaskId,
        kind: impl FnOnce() -> EventKind,
    ) {
        self.record_digested(time_ns, step, task, kind, |hash, kind| {
            digest_event(hash, task, kind)
        });
    }

    /// [`record_with`](Trace::record_with), with the event's digest taken by `digest` from
    /// the digest so far and the event; it must equal [`digest_event`]'s (a caller that knows
    /// the event's texts' digests passes them on).
    #[inline(always)]
    pub(crate) fn record_digested(
        &mut self,
        time_ns: u64,
        step: u64,
        task: TaskId,
        kind: impl FnOnce() -> EventKind,
        digest: impl FnOnce(u64, &EventKind) -> u64,
    ) {
        if self.level == TraceLevel::Off {
            return;
        }
        if time_ns != self.digested_time {
            self.digest = mix(mix(self.digest, TIME_TAG), time_ns);
            self.digested_time = time_ns;
        }
        let kind = kind();
        let before = self.digest;
        self.digest = digest(before, &kind);
        debug_assert_eq!(self.digest, digest_event(before, task, &kind));
        let time = Instant::from_nanos(time_ns);
        let task = (task != TaskId::NONE).then_some(task);
        if self.level == TraceLevel::Tail && self.events.len() == TAIL_LEN {
            // The tail is full: overwrite the oldest event field by field and let the next one
            // be the oldest.
            let oldest = &mut self.events[self.oldest % TAIL_LEN];
            oldest.time = time;
            oldest.step = step;
            oldest.task = task;
            drop_inline(std::mem::replace(&mut oldest.kind, kind));
            self.oldest = (self.oldest + 1) % TAIL_LEN;
            self.dropped += 1;
        } else {
            self.events.push(Event {
                time,
                step,
                task,
                kind,
            });
        }
    }

    /// The level this trace was recorded at.
    pub fn level(&self) -> TraceLevel {
        self.level
    }

    /// The events kept: all of them at [`TraceLevel::Full`], the last [`TAIL_LEN`] otherwise.
    pub fn events(&self) -> impl Iterator<Item = &Event> + '_ {
        let (newer, older) = self.events.split_at(self.oldest);
        older.iter().chain(newer)
    }

    /// How many earlier events the tail no longer holds.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// A digest of every event recorded, equal for two runs exactly when their traces are
    /// (barring a 64-bit collision). Zero at [`TraceLevel::Off`].
    pub fn digest(&self) -> u64 {
        if self.level == TraceLevel::Off {
            0
        } else {
            self.digest
        }
    }

    /// The label of `task` as the text form prints it: its name, `task-N`, or `-` for the run
    /// loop's own events (an [`Event::task`] of `None`).
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::task::{spawn_named, TaskId};
    /// use simloop::{Config, Sim, TraceLevel};
    ///
    /// let run = Sim::new(Config::default().with_trace(TraceLevel::Full)).run(async {
    ///     spawn_named("fetcher", async {}).await.unwrap();
    /// });
    /// assert_eq!(run.trace.label(TaskId::MAIN), "main");
    /// assert_eq!(run.trace.label(TaskId::from_u32(1)), "fetcher");
    /// assert_eq!(run.trace.label(None), "-");
    /// ```
    pub fn label(&self, task: impl Into<Option<TaskId>>) -> Cow<'_, str> {
        let Some(task) = task.into() else {
            return Cow::Borrowed("-");
        };
        match name_in(&self.labels, task) {
            Some(name) => Cow::Borrowed(name),
            None => Cow::Owned(format!("task-{}", task.0)),
        }
    }

    /// The stable text form: one event a line, no addresses, no wall time.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::{time::sleep, Config, Sim, Strategy, TraceLevel};
    /// use std::time::Duration;
    ///
    /// let config = Config::default().with_strategy(Strategy::Fifo).with_trace(TraceLevel::Full);
    /// let run = Sim::new(config).run(async {
    ///     sleep(Duration::from_secs(1)).await;
    ///     simloop::log!("woke");
    /// });
    /// assert!(run.trace.text().contains("    1.000s  main          log: woke\n"));
    /// ```
    pub fn text(&self) -> String {
        self.text_filtered(|_| true)
    }

    /// The text form of only the events `keep` accepts, e.g. user lines for a snapshot.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::{trace::EventKind, Config, Sim, TraceLevel};
    ///
    /// let run = Sim::new(Config::default().with_trace(TraceLevel::Full)).run(async {
    ///     simloop::log!("hello");
    /// });
    /// let lines = run.trace.text_filtered(|event| matches!(event.kind, EventKind::Log(_)));
    /// assert_eq!(lines, "    0.000s  main          log: hello\n");
    /// ```
    pub fn text_filtered(&self, mut keep: impl FnMut(&Event) -> bool) -> String {
        let mut out = String::new();
        for event in self.events().filter(|event| keep(event)) {
            self.write_line(&mut out, event);
            out.push('\n');
        }
        out
    }

    /// Only the user lines ([`log!`](crate::log)), each as `time  task  text`.
    pub fn user_lines(&self) -> String {
        self.text_filtered(|event| matches!(event.kind, EventKind::Log(_)))
    }

    /// The last `count` events as text lines, for failure reports.
    pub fn tail_lines(&self, count: usize) -> Vec<String> {
        let skip = self.events.len().saturating_sub(count);
        self.events()
            .skip(skip)
            .map(|event| {
                let mut line = String::new();
                self.write_line(&mut line, event);
                line
            })
            .collect()
    }

    /// The last `count` recorded events of `task` as text lines, and the step and time of its
    /// last recorded poll, for deadlock reports.
    pub(crate) fn task_lines(
        &self,
        task: TaskId,
        count: usize,
    ) -> (Vec<String>, Option<(u64, Instant)>) {
        let mut lines = Vec::new();
        let mut last_poll = None;
        for event in self.events().filter(|event| event.task == Some(task)) {
            if matches!(event.kind, EventKind::Poll { .. }) {
                last_poll = Some((event.step, event.time));
            }
            let mut line = String::new();
            self.write_line(&mut line, event);
            lines.push(line);
        }
        let skip = lines.len().saturating_sub(count);
        (lines.split_off(skip), last_poll)
    }

    pub(crate) fn write_line(&self, out: &mut String, event: &Event) {
        let _ = write!(
            out,
            "{:>10}  {:<12}  {}",
            event.time.to_string(),
            self.label(event.task),
            DisplayKind(self, &event.kind)
        );
    }
}

struct DisplayKind<'a>(&'a Trace, &'a EventKind);

impl fmt::Display for DisplayKind<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let trace = self.0;
        match self.1 {
            EventKind::Spawn { child, .. } => {
                write!(f, "spawn {} ({child})", trace.label(*child))
            }
            EventKind::Poll { ready } if *ready > 1 => write!(f, "poll (1 of {ready} ready)"),
            EventKind::Poll { .. } => write!(f, "poll"),
            EventKind::Wake { target } => write!(f, "wake {}", trace.label(*target)),
            EventKind::TimerFired => write!(f, "timer fired"),
            EventKind::Abort { target } => write!(f, "abort {}", trace.label(*target)),
            EventKind::Done { cancelled: false } => write!(f, "done"),
            EventKind::Done { cancelled: true } => write!(f, "cancelled"),
            EventKind::Log(text) => write!(f, "log: {text}"),
            EventKind::Op { object, op } => write!(f, "{object}.{op}"),
        }
    }
}

/// The digest's marker for "the clock moved to": see [`digest_event`].
const TIME_TAG: u64 = 0xff;

/// Feeds one event to the digest, in as few multiplications as carry its information: that
/// chain of dependent multiplications is most of what tracing costs per step.
///
/// The event's step is not fed: it is the number of `Poll` events before it, so equal event
/// sequences have equal steps. Its time is fed only when it differs from the previous event's
/// (by [`Trace::record`], tagged [`TIME_TAG`]); the clock never goes back, so the sequence of
/// times is recovered from those changes.
#[inline(always)]
fn digest_event(hash: u64, task: TaskId, kind: &EventKind) -> u64 {
    let head = |tag: u64| mix(hash, event_head(task, tag));
    match kind {
        EventKind::Spawn { child, name } => {
            let hash = mix(head(1), u64::from(child.0));
            name.as_deref()
                .map_or(hash, |name| mix(hash, text_digest(name)))
        }
        EventKind::Poll { ready } => mix(head(2), u64::from(*ready)),
        EventKind::Wake { target } => mix(head(3), u64::from(target.0)),
        EventKind::TimerFired => head(4),
        EventKind::Abort { target } => mix(head(5), u64::from(target.0)),
        EventKind::Done { cancelled } => head(6 | u64::from(*cancelled) << 8),
        EventKind::Log(text) => mix(head(7), text_digest(text)),
        EventKind::Op { object, op } => digest_op(hash, task, text_digest(object), text_digest(op)),
    }
}

/// Drops an overwritten tail event, with the kinds that own nothing (and an operation's
/// shared name) dropped in place: `drop_in_place::<EventKind>` is a call and a jump table at
/// every event once the tail is full.
#[inline(always)]
fn drop_inline(kind: EventKind) {
    match kind {
        EventKind::Op {
            object,
            op: Cow::Borrowed(_),
        } => drop(object),
        plain @ (EventKind::Poll { .. }
        | EventKind::Wake { .. }
        | EventKind::TimerFired
        | EventKind::Abort { .. }
        | EventKind::Done { .. }) => {
            // These variants hold only plain values: there is nothing to free.
            std::mem::forget(plain);
        }
        owning => drop(owning),
    }
}

/// The name of `id` in `names`, a list sorted by id.
pub(crate) fn name_in(names: &[(TaskId, Rc<str>)], id: TaskId) -> Option<&Rc<str>> {
    let index = names.binary_search_by_key(&id, |(task, _)| *task).ok()?;
    Some(&names[index].1)
}

/// The stable text form, as [`Trace::text`] gives it: `format!("{trace}")` equals
/// `trace.text()`.
///
/// # Examples
///
/// ```
/// use simloop::{Config, Sim, Strategy, TraceLevel};
///
/// let config = Config::default().with_strategy(Strategy::Fifo).with_trace(TraceLevel::Full);
/// let run = Sim::new(config).run(async { simloop::log!("hello") });
/// assert_eq!(run.trace.to_string(), run.trace.text());
/// ```
impl fmt::Display for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Goal: texts that differ in any byte or in length get different digests, including texts
    // whose last word overlaps the one before it, and a digest computed at compile time equals
    // the one computed at run time.
    #[test]
    fn text_digests_tell_texts_apart() {
        let mut texts = vec![String::new()];
        for len in 1..=12 {
            for bits in 0..(1u32 << len) {
                texts.push(
                    (0..len)
                        .map(|at| b"ab"[(bits >> at) as usize & 1] as char)
                        .collect(),
                );
            }
        }
        texts.extend(["a\0", "\0a", "ab\0\0\0\0\0\0\0"].map(String::from));
        let digests: std::collections::BTreeSet<u64> =
            texts.iter().map(|text| text_digest(text)).collect();
        assert_eq!(digests.len(), texts.len());

        const AT_COMPILE_TIME: u64 = text_digest("get() waits again");
        assert_eq!(
            AT_COMPILE_TIME,
            text_digest(std::hint::black_box("get() waits again"))
        );
    }
}
