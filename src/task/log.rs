//! [`log!`](crate::log): user lines in the trace.

use crate::trace::EventKind;

/// Records a user line in the current simulation's trace.
#[doc(hidden)]
pub fn log_line(text: String) {
    crate::rt::record("simloop::log!", EventKind::Log(text));
}

/// Records a line in the simulation's trace, stamped with virtual time and the current task.
///
/// It takes `format!` arguments. The line shows in [`Trace::text`](crate::Trace::text), [`Trace::user_lines`](crate::Trace::user_lines) and
/// the "last events" of a failure report.
///
/// # Panics
///
/// Outside a simulation.
///
/// # Examples
///
/// ```
/// use simloop::{Config, Sim, TraceLevel};
///
/// let run = Sim::new(Config::default().with_trace(TraceLevel::Full)).run(async {
///     simloop::log!("answer = {}", 42);
/// });
/// assert!(run.trace.user_lines().contains("log: answer = 42"));
/// ```
#[macro_export]
macro_rules! log {
    ($($arg:tt)*) => {
        $crate::task::log_line(::std::format!($($arg)*))
    };
}
