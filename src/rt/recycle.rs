//! Buffers kept from one simulation's tables for the next simulation on the same thread.
//!
//! A seed sweep builds thousands of small simulations one after another, and allocating and
//! growing their tables afresh each time was a large share of a short run's cost. A table hands
//! its emptied buffers here when it is dropped and takes them back when the next one is built.
//! Only small buffers are kept (see [`LIMIT`]), so a thread that once ran a huge simulation does
//! not hold on to its memory. Capacity is never observable: determinism is unaffected.

use std::cell::Cell;
use std::thread::LocalKey;

/// The most elements a kept buffer may have room for.
pub(crate) const LIMIT: usize = 4096;

/// One kind of table's kept buffers.
pub(crate) type Slot<T> = Cell<Option<T>>;

/// Takes the kept buffers, if any.
pub(crate) fn take<T>(slot: &'static LocalKey<Slot<T>>) -> Option<T> {
    slot.try_with(Cell::take).ok().flatten()
}

/// Keeps `buffers` (already emptied) for the next table, unless their `room` is over [`LIMIT`]
/// or the buffers kept already have at least as much.
pub(crate) fn keep<T>(slot: &'static LocalKey<Slot<T>>, buffers: T, room: fn(&T) -> usize) {
    if room(&buffers) == 0 || room(&buffers) > LIMIT {
        return;
    }
    let _ = slot.try_with(|slot| {
        let kept = match slot.take() {
            Some(old) if room(&old) >= room(&buffers) => old,
            _ => buffers,
        };
        slot.set(Some(kept));
    });
}
