//! The bounded systematic part of the default sweep: the schedules one and two deviations away
//! from asyncio's FIFO order, enumerated in a fixed order (iterative context bounding, after
//! Musuvathi and Qadeer, "Iterative context bounding for systematic testing of multithreaded
//! programs", PLDI 2007, with "a deviation from FIFO" as the unit instead of a preemption).
//!
//! A FIFO run of the sweep's base seed records its choice points ([`RecordingFifo`]): for each,
//! every ready task other than the oldest is one single-deviation schedule. Schedule `j` of the
//! enumeration is a function of that list and `j` alone, so any thread or shard can run any of
//! them without the others: first every single deviation in step order, then every pair of
//! deviations at two different choice points of the FIFO run (ordered by the later one, then
//! the earlier). A pair's second deviation is applied where its task is ready at its step
//! ([`ReplayScheduler::lenient`]), else that step runs FIFO.

use std::cell::RefCell;
use std::rc::Rc;

use super::{Deviation, Divergence, ReadyTask, ReadyView, ReplayScheduler, Schedule, Scheduler};

/// The most single deviations kept from the FIFO run: longer runs keep their first choice
/// points, so the list's memory and each lookup stay bounded.
pub(crate) const MAX_NEIGHBOURS: usize = 4096;

/// FIFO order that records, at each choice point, the deviations it could have made.
pub(crate) struct RecordingFifo {
    found: Rc<RefCell<Vec<Deviation>>>,
}

impl RecordingFifo {
    /// The scheduler, and the list it fills.
    pub(crate) fn new() -> (RecordingFifo, Rc<RefCell<Vec<Deviation>>>) {
        let found = Rc::new(RefCell::new(Vec::new()));
        (
            RecordingFifo {
                found: Rc::clone(&found),
            },
            found,
        )
    }
}

impl Scheduler for RecordingFifo {
    fn pick(&mut self, ready: &ReadyView<'_>) -> Result<ReadyTask, Divergence> {
        let oldest = ready.oldest();
        let mut found = self.found.borrow_mut();
        if found.len() < MAX_NEIGHBOURS {
            let step = ready.step();
            let room = MAX_NEIGHBOURS - found.len();
            found.extend(
                ready
                    .iter()
                    .filter(|task| *task != oldest)
                    .take(room)
                    .map(|task| Deviation {
                        step,
                        task: task.task,
                    }),
            );
        }
        Ok(oldest)
    }

    fn name(&self) -> String {
        "fifo".to_owned()
    }
}

/// The schedules near FIFO order, by index.
#[derive(Clone, Debug, Default)]
pub(crate) struct Neighbours {
    /// Every single deviation of the FIFO run, in step order.
    singles: Vec<Deviation>,
    /// For each single deviation, the index of the first one at the same step: the deviations
    /// before it are at earlier steps, the partners it forms a pair with.
    first_at_step: Vec<usize>,
    /// Schedules in all: the singles, then the pairs.
    len: u64,
}

impl Neighbours {
    /// The neighbourhood of the FIFO run whose choice points gave `singles` (in step order).
    pub(crate) fn new(singles: Vec<Deviation>) -> Neighbours {
        let mut first_at_step = Vec::with_capacity(singles.len());
        for (index, deviation) in singles.iter().enumerate() {
            let first = match index {
                0 => 0,
                _ if singles[index - 1].step == deviation.step => first_at_step[index - 1],
                _ => index,
            };
            first_at_step.push(first);
        }
        let pairs: u64 = first_at_step.iter().map(|&first| first as u64).sum();
        Neighbours {
            len: singles.len() as u64 + pairs,
            singles,
            first_at_step,
        }
    }

    /// How many schedules the neighbourhood holds.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// The deviations of schedule `index`: one for the first [`MAX_NEIGHBOURS`] at most, two
    /// after; `None` past the end.
    pub(crate) fn deviations(&self, index: u64) -> Option<Vec<Deviation>> {
        if let Some(single) = usize::try_from(index)
            .ok()
            .and_then(|i| self.singles.get(i))
        {
            return Some(vec![*single]);
        }
        let mut rest = index - self.singles.len() as u64;
        for (later, &partners) in self.first_at_step.iter().enumerate() {
            let partners = partners as u64;
            if rest < partners {
                let earlier = rest as usize;
                return Some(vec![self.singles[earlier], self.singles[later]]);
            }
            rest -= partners;
        }
        None
    }
}

/// Runs one schedule of a [`Neighbours`]: FIFO order with the given deviations, applied where
/// their task is ready.
pub(crate) struct NeighbourScheduler {
    replay: ReplayScheduler,
    count: usize,
}

impl NeighbourScheduler {
    pub(crate) fn new(seed: u64, deviations: Vec<Deviation>) -> NeighbourScheduler {
        NeighbourScheduler {
            count: deviations.len(),
            replay: ReplayScheduler::lenient(Schedule::new(seed, deviations)),
        }
    }
}

impl Scheduler for NeighbourScheduler {
    fn pick(&mut self, ready: &ReadyView<'_>) -> Result<ReadyTask, Divergence> {
        self.replay.pick(ready)
    }

    /// `fifo+1` or `fifo+2`: FIFO order with that many deviations.
    fn name(&self) -> String {
        format!("fifo+{}", self.count)
    }

    fn finished(&mut self, steps: u64) -> Result<(), Divergence> {
        self.replay.finished(steps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::TaskId;

    fn at(step: u64, task: u32) -> Deviation {
        Deviation {
            step,
            task: TaskId::from_u32(task),
        }
    }

    // Goal: singles first in step order, then every pair of different steps, by the later one.
    #[test]
    fn singles_then_pairs_of_different_steps() {
        let neighbours = Neighbours::new(vec![at(1, 2), at(1, 3), at(4, 1), at(6, 2)]);
        let all: Vec<Vec<Deviation>> = (0..neighbours.len())
            .map(|j| neighbours.deviations(j).unwrap())
            .collect();
        assert_eq!(all.len(), 4 + 2 + 3);
        assert_eq!(all[0], [at(1, 2)]);
        assert_eq!(all[3], [at(6, 2)]);
        assert_eq!(all[4], [at(1, 2), at(4, 1)]);
        assert_eq!(all[5], [at(1, 3), at(4, 1)]);
        assert_eq!(all[8], [at(4, 1), at(6, 2)]);
        assert_eq!(neighbours.deviations(9), None);
    }
}
