//! Panics inside a simulation are failures to report, not noise to print.
//!
//! A process-wide hook, installed once and chained to the previous one, stays silent for panics
//! raised while a simulation runs on the current thread and keeps their location for the report;
//! every other panic goes to the previous hook unchanged.
//!
//! Except one that may abort the process: a panic raised while an earlier silenced one has not
//! been caught yet, i.e. (most often) from a destructor during unwinding, which Rust turns into
//! an abort. Such a panic goes to the previous hook, after a line naming the earlier one, since
//! no report will ever tell of either. (`PanicHookInfo::can_unwind`, which would say so exactly,
//! is unstable.) A panic caught and swallowed inside a task can make the next one print too:
//! noise, never silence.

use std::cell::RefCell;
use std::sync::Once;

/// The last silenced panic that no report has taken yet: its location and message.
struct Silenced {
    location: Option<String>,
    message: String,
}

thread_local! {
    static SILENCED: RefCell<Option<Silenced>> = const { RefCell::new(None) };
}

pub(crate) fn install_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !crate::rt::is_inside() {
                return previous(info);
            }
            let location = info
                .location()
                .map(|at| format!("{}:{}:{}", at.file(), at.line(), at.column()));
            let payload = info.payload();
            let message = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("(a panic payload that is not a string)")
                .to_owned();
            let earlier = SILENCED
                .try_with(|slot| slot.borrow_mut().replace(Silenced { location, message }))
                .ok()
                .flatten();
            if let Some(earlier) = earlier {
                eprintln!(
                    "simloop: a panic inside a simulation while an earlier one unwinds (the \
                     process may abort); the earlier panic, at {}: {}",
                    earlier.location.as_deref().unwrap_or("an unknown location"),
                    earlier.message
                );
                previous(info);
            }
        }));
    });
}

/// The location of the last panic caught on this thread, if the hook saw it; the panic is
/// caught, so the next one is silenced again.
pub(crate) fn take_location() -> Option<String> {
    SILENCED
        .try_with(|slot| slot.borrow_mut().take())
        .ok()
        .flatten()
        .and_then(|silenced| silenced.location)
}

/// The name of the running test: libtest names each test's thread after the test.
pub(crate) fn test_name() -> Option<String> {
    std::thread::current()
        .name()
        .filter(|name| *name != "main")
        .map(str::to_owned)
}
