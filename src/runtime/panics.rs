//! Panics inside a simulation are failures to report, not noise to print.
//!
//! A process-wide hook, installed once and chained to the previous one, stays silent for panics
//! raised while a simulation runs on the current thread and keeps their location for the report;
//! every other panic goes to the previous hook unchanged.

use std::cell::RefCell;
use std::sync::Once;

thread_local! {
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

pub(crate) fn install_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if crate::rt::is_inside() {
                let location = info
                    .location()
                    .map(|at| format!("{}:{}:{}", at.file(), at.line(), at.column()));
                let _ = LOCATION.try_with(|slot| *slot.borrow_mut() = location);
            } else {
                previous(info);
            }
        }));
    });
}

/// The location of the last panic caught on this thread, if the hook saw it.
pub(crate) fn take_location() -> Option<String> {
    LOCATION
        .try_with(|slot| slot.borrow_mut().take())
        .ok()
        .flatten()
}

/// The name of the running test: libtest names each test's thread after the test.
pub(crate) fn test_name() -> Option<String> {
    std::thread::current()
        .name()
        .filter(|name| *name != "main")
        .map(str::to_owned)
}
