//! `tracing` events as trace lines (feature `tracing`).
//!
//! Code instrumented with the `tracing` crate keeps its `info!`, `debug!` and `#[instrument]`
//! spans; under a simulation, with [`subscriber`] installed, each event becomes a line of the
//! simloop [`Trace`](crate::Trace) stamped with virtual time and the task that emitted it, so it
//! shows in [`Trace::user_lines`](crate::Trace::user_lines), in snapshots and in the "last
//! events" of a failure report. A line reads like `tracing-subscriber`'s compact output:
//!
//! ```text
//! 2.000s  worker-1  log: INFO request{id=7}: accepted peer="alice"
//! ```
//!
//! Turn it on with the `tracing` feature and install the subscriber around the runs, either for
//! one thread with `tracing::subscriber::with_default` (shown below), or for the whole test
//! binary with `tracing::subscriber::set_global_default(simloop::tracing_bridge::subscriber())`,
//! which also covers sweeps that run on several threads (`SIMLOOP_JOBS`). Events emitted
//! outside a simulation are dropped; the subscriber keeps no other output.
//!
//! # Examples
//!
//! ```
//! use simloop::{Config, Sim, TraceLevel};
//! use tracing::Instrument;
//!
//! let run = tracing::subscriber::with_default(simloop::tracing_bridge::subscriber(), || {
//!     Sim::new(Config::default().with_trace(TraceLevel::Full)).run(
//!         async {
//!             simloop::time::sleep(std::time::Duration::from_secs(2)).await;
//!             tracing::info!(peer = "alice", "accepted");
//!         }
//!         .instrument(tracing::info_span!("request", id = 7)),
//!     )
//! });
//! assert_eq!(
//!     run.trace.user_lines(),
//!     "    2.000s  main          log: INFO request{id=7}: accepted peer=\"alice\"\n"
//! );
//! ```

use std::fmt::{self, Write as _};
use std::sync::Mutex;
use std::thread::{self, ThreadId};

use tracing_core::field::{Field, Visit};
use tracing_core::span::{Attributes, Id, Record};
use tracing_core::subscriber::Interest;
use tracing_core::{Event, LevelFilter, Metadata, Subscriber};

use crate::rt;
use crate::trace::EventKind;

/// The subscriber that writes `tracing` events into the running simulation's trace.
///
/// # Examples
///
/// ```
/// use simloop::tracing_bridge::SimSubscriber;
/// use tracing_core::LevelFilter;
///
/// let subscriber = SimSubscriber::new().with_max_level(LevelFilter::INFO).with_target(true);
/// let run = tracing::subscriber::with_default(subscriber, || {
///     simloop::Sim::new(simloop::Config::default()).run(async {
///         tracing::debug!("too detailed");
///         tracing::warn!(target: "net", "slow peer");
///     })
/// });
/// let lines: Vec<String> = run.trace.events().map(|e| format!("{:?}", e.kind)).collect();
/// assert!(lines.iter().any(|line| line.contains("WARN net: slow peer")));
/// assert!(!lines.iter().any(|line| line.contains("too detailed")));
/// ```
#[derive(Debug)]
pub struct SimSubscriber {
    max_level: LevelFilter,
    with_target: bool,
    spans: Mutex<Spans>,
}

/// Every open span, and which ones each thread has entered.
#[derive(Debug, Default)]
struct Spans {
    /// Slot `i` holds span `Id` `i + 1`; `None` when closed and free for reuse.
    slots: Vec<Option<SpanData>>,
    free: Vec<usize>,
    /// Entered spans, innermost last, tagged with the entering thread (sweeps run
    /// simulations on several threads under one global subscriber).
    entered: Vec<(ThreadId, u64)>,
}

#[derive(Debug)]
struct SpanData {
    /// `name{field=value ...}` as it prefixes event lines.
    label: String,
    references: usize,
}

/// A [`SimSubscriber`] that keeps every level and leaves targets out of the lines.
///
/// # Examples
///
/// ```
/// let run = tracing::subscriber::with_default(simloop::tracing_bridge::subscriber(), || {
///     simloop::Sim::new(simloop::Config::default()).run(async { tracing::error!(code = 3, "failed") })
/// });
/// assert!(run.trace.user_lines().contains("log: ERROR failed code=3"));
/// ```
pub fn subscriber() -> SimSubscriber {
    SimSubscriber::new()
}

impl Default for SimSubscriber {
    fn default() -> SimSubscriber {
        SimSubscriber::new()
    }
}

impl SimSubscriber {
    /// Every level, no targets.
    pub fn new() -> SimSubscriber {
        SimSubscriber {
            max_level: LevelFilter::TRACE,
            with_target: false,
            spans: Mutex::new(Spans::default()),
        }
    }

    /// Keeps only events and spans at `max_level` or more severe.
    pub fn with_max_level(mut self, max_level: LevelFilter) -> SimSubscriber {
        self.max_level = max_level;
        self
    }

    /// Whether each line names the event's target (usually its module path).
    pub fn with_target(mut self, with_target: bool) -> SimSubscriber {
        self.with_target = with_target;
        self
    }

    fn spans(&self) -> std::sync::MutexGuard<'_, Spans> {
        // A panic while the lock was held left plain data behind; it is still usable.
        self.spans
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The labels of the spans this thread is in, outermost first, as `a{..}:b{..}: `.
    fn span_prefix(&self) -> String {
        let spans = self.spans();
        let me = thread::current().id();
        let mut prefix = String::new();
        for (_, id) in spans.entered.iter().filter(|(thread, _)| *thread == me) {
            if let Some(Some(span)) = spans.slots.get(*id as usize - 1) {
                prefix.push_str(&span.label);
                prefix.push(':');
            }
        }
        if !prefix.is_empty() {
            prefix.push(' ');
        }
        prefix
    }
}

impl Subscriber for SimSubscriber {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        // Whether a simulation is running changes from call to call: ask `enabled` each time.
        if self.max_level < *metadata.level() {
            Interest::never()
        } else {
            Interest::sometimes()
        }
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        // Spans are kept even outside a simulation: a future is often instrumented before it is
        // handed to `Sim::run`. Events only count inside one.
        *metadata.level() <= self.max_level && (metadata.is_span() || rt::is_inside())
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(self.max_level)
    }

    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        let mut fields = Fields::default();
        attributes.record(&mut fields);
        let label = if fields.text.is_empty() {
            attributes.metadata().name().to_owned()
        } else {
            format!("{}{{{}}}", attributes.metadata().name(), fields.text)
        };
        let data = SpanData {
            label,
            references: 1,
        };
        let mut spans = self.spans();
        let slot = match spans.free.pop() {
            Some(slot) => {
                spans.slots[slot] = Some(data);
                slot
            }
            None => {
                spans.slots.push(Some(data));
                spans.slots.len() - 1
            }
        };
        Id::from_u64(slot as u64 + 1)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut fields = Fields::default();
        values.record(&mut fields);
        if fields.text.is_empty() {
            return;
        }
        let mut spans = self.spans();
        if let Some(Some(data)) = spans.slots.get_mut(span.into_u64() as usize - 1) {
            match data.label.strip_suffix('}') {
                Some(open) => data.label = format!("{open} {}}}", fields.text),
                None => data.label = format!("{}{{{}}}", data.label, fields.text),
            }
        }
    }

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let metadata = event.metadata();
        let mut fields = Fields::default();
        event.record(&mut fields);
        let mut line = format!("{} {}", metadata.level(), self.span_prefix());
        if self.with_target {
            let _ = write!(line, "{}: ", metadata.target());
        }
        line.push_str(&fields.message);
        if !fields.text.is_empty() {
            if !fields.message.is_empty() {
                line.push(' ');
            }
            line.push_str(&fields.text);
        }
        rt::try_record(EventKind::Log(line));
    }

    fn enter(&self, span: &Id) {
        let me = thread::current().id();
        self.spans().entered.push((me, span.into_u64()));
    }

    fn exit(&self, span: &Id) {
        let me = thread::current().id();
        let mut spans = self.spans();
        let id = span.into_u64();
        if let Some(index) = spans.entered.iter().rposition(|&entry| entry == (me, id)) {
            spans.entered.remove(index);
        }
    }

    fn clone_span(&self, span: &Id) -> Id {
        if let Some(Some(data)) = self.spans().slots.get_mut(span.into_u64() as usize - 1) {
            data.references += 1;
        }
        span.clone()
    }

    fn try_close(&self, span: Id) -> bool {
        let mut spans = self.spans();
        let slot = span.into_u64() as usize - 1;
        let Some(Some(data)) = spans.slots.get_mut(slot) else {
            return false;
        };
        data.references -= 1;
        if data.references > 0 {
            return false;
        }
        spans.slots[slot] = None;
        spans.free.push(slot);
        true
    }
}

/// Formats fields as `tracing-subscriber` does: the message bare, others `name=value` with
/// strings quoted.
#[derive(Default)]
struct Fields {
    message: String,
    text: String,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            self.record_debug(field, &value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
            return;
        }
        if !self.text.is_empty() {
            self.text.push(' ');
        }
        let _ = write!(self.text, "{}={value:?}", field.name());
    }
}
