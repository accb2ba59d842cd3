//! Per-simulation state of other modules (the simulated network, files, fault sites), keyed by
//! type and looked up linearly: there are a handful, and nothing here is ever iterated in an
//! order that could leak into a run.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::rc::Rc;

#[derive(Default)]
pub(crate) struct Extensions {
    entries: RefCell<Vec<(TypeId, Rc<dyn Any>)>>,
}

impl Extensions {
    /// The simulation's `T`, created with `make` on first use.
    #[allow(dead_code)]
    pub(crate) fn get_or_insert_with<T: Any>(&self, make: impl FnOnce() -> T) -> Rc<T> {
        let id = TypeId::of::<T>();
        if let Some((_, value)) = self.entries.borrow().iter().find(|(key, _)| *key == id) {
            return Rc::clone(value)
                .downcast::<T>()
                .unwrap_or_else(|_| unreachable!("extension stored under the wrong type"));
        }
        let value = Rc::new(make());
        self.entries
            .borrow_mut()
            .push((id, Rc::clone(&value) as Rc<dyn Any>));
        value
    }

    /// The simulation's `T`, if something created it.
    pub(crate) fn get<T: Any>(&self) -> Option<Rc<T>> {
        let id = TypeId::of::<T>();
        let entries = self.entries.borrow();
        let (_, value) = entries.iter().find(|(key, _)| *key == id)?;
        Rc::clone(value).downcast::<T>().ok()
    }

    /// Drops every extension, last added first.
    pub(crate) fn clear(&self) {
        let entries = std::mem::take(&mut *self.entries.borrow_mut());
        for entry in entries.into_iter().rev() {
            drop(entry);
        }
    }
}
