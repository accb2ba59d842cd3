//! Per-simulation state of other modules (the simulated network, files, fault sites), keyed by
//! type and looked up linearly: there are a handful, kept in the order they were made, and
//! nothing here is iterated in an order that could leak into a run.
//!
//! The engine never names an extension's type. An extension says what a failure report should
//! print about it through [`Extension::report_lines`], which the driver collects in creation
//! order.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::rc::Rc;

/// Per-run state of a module built on the engine.
pub(crate) trait Extension: Any {
    /// Lines for the "world" section of a failure report; none by default.
    fn report_lines(&self, lines: &mut Vec<String>) {
        let _ = lines;
    }
}

/// What an extension is made from.
#[derive(Clone, Copy)]
pub(crate) struct RunInfo<'a> {
    /// The run's seed.
    pub(crate) seed: u64,
    /// The driver's configuration, for the extension to downcast to the part it reads.
    pub(crate) config: &'a dyn Any,
}

struct Entry {
    id: TypeId,
    value: Rc<dyn Any>,
    hook: Rc<dyn Extension>,
}

#[derive(Default)]
pub(super) struct Extensions {
    entries: RefCell<Vec<Entry>>,
}

impl Extensions {
    /// The simulation's `T`, created with `make` on first use. `make` may itself ask for other
    /// extensions: no borrow is held while it runs.
    pub(super) fn get_or_insert_with<T: Extension>(&self, make: impl FnOnce() -> T) -> Rc<T> {
        if let Some(value) = self.get::<T>() {
            return value;
        }
        let value = Rc::new(make());
        self.entries.borrow_mut().push(Entry {
            id: TypeId::of::<T>(),
            value: Rc::clone(&value) as Rc<dyn Any>,
            hook: Rc::clone(&value) as Rc<dyn Extension>,
        });
        value
    }

    /// The simulation's `T`, if something created it.
    pub(super) fn get<T: Any>(&self) -> Option<Rc<T>> {
        let id = TypeId::of::<T>();
        let entries = self.entries.borrow();
        let entry = entries.iter().find(|entry| entry.id == id)?;
        Rc::clone(&entry.value).downcast::<T>().ok()
    }

    /// Every extension's report lines, in the order the extensions were made.
    pub(super) fn report_lines(&self) -> Vec<String> {
        let hooks: Vec<Rc<dyn Extension>> = self
            .entries
            .borrow()
            .iter()
            .map(|entry| Rc::clone(&entry.hook))
            .collect();
        let mut lines = Vec::new();
        for hook in hooks {
            hook.report_lines(&mut lines);
        }
        lines
    }

    /// Drops every extension, last added first.
    pub(super) fn clear(&self) {
        let entries = std::mem::take(&mut *self.entries.borrow_mut());
        for entry in entries.into_iter().rev() {
            drop(entry);
        }
    }
}
