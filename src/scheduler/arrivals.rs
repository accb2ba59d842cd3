//! What a scheduler that keeps its own index over the ready set has seen of it.

use super::{ReadyTask, ReadyView};

/// Ready sets smaller than this are scanned rather than indexed: for a few tasks a pass costs
/// less than keeping the index (docs/performance.md has the measurement).
pub(crate) const SCAN_BELOW: usize = 64;

/// The largest buffer of fresh arrivals kept from one pick for the next: a pick usually finds
/// one or two.
const KEEP_AT_MOST: usize = 1024;

/// Tells a scheduler which ready tasks are new to its index at a pick.
///
/// Between two of its picks the ready set only gains tasks, at its end, unless the run loop took
/// a task alone (exactly one was ready): then every task the index held is gone, and only tasks
/// that arrived after that are ready; or unless an abort dropped a ready task (the set counts
/// such removals): then the index is rebuilt. So the index is either extended by the newest tasks or
/// rebuilt from the whole view, which costs, over a run, one insertion per arrival.
#[derive(Clone, Debug, Default)]
pub(crate) struct Arrivals {
    last_step: Option<u64>,
    last_arrival: Option<u32>,
    /// The ready set's removal count at the last pick.
    last_removals: u32,
    /// The vector the last `fresh` returned, handed back by `recycle` for the next one.
    spare: Vec<ReadyTask>,
}

impl Arrivals {
    /// The index was not kept up to date at this pick (the scheduler scanned): the next pick
    /// rebuilds it.
    pub(crate) fn forget(&mut self) {
        self.last_step = None;
    }

    /// Whether the index must be cleared first, and the tasks to add to it, in arrival order;
    /// give the vector back with [`recycle`](Arrivals::recycle).
    pub(crate) fn fresh(&mut self, ready: &ReadyView<'_>) -> (bool, Vec<ReadyTask>) {
        let continuous = self
            .last_step
            .is_some_and(|last| last.wrapping_add(1) == ready.step())
            && self.last_removals == ready.removals();
        if !continuous {
            self.last_arrival = None;
        }
        let seen = self.last_arrival;
        let mut fresh = std::mem::take(&mut self.spare);
        fresh.extend(ready.newest_first().take_while(|task| {
            // Arrival numbers grow, wrapping.
            seen.is_none_or(|last| (last.wrapping_sub(task.arrival) as i32) < 0)
        }));
        fresh.reverse();
        if let Some(newest) = fresh.last() {
            self.last_arrival = Some(newest.arrival);
        }
        self.last_step = Some(ready.step());
        self.last_removals = ready.removals();
        (!continuous, fresh)
    }

    /// Takes back the vector [`fresh`](Arrivals::fresh) returned, so that picks do not
    /// allocate one each. One that a rebuild grew large is let go rather than held for the
    /// rest of the run.
    pub(crate) fn recycle(&mut self, mut fresh: Vec<ReadyTask>) {
        if fresh.capacity() <= KEEP_AT_MOST {
            fresh.clear();
            self.spare = fresh;
        }
    }
}
