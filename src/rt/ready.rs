//! The ready set: tasks that can run, in the order they became ready.
//!
//! Arrival order is kept because it is `Fifo`'s answer and the reference every recorded
//! deviation is measured against. Strategies may take any entry, so a taken entry leaves a
//! tombstone; the front is always live, and the set compacts itself when tombstones outnumber
//! live entries, which keeps every operation O(1) amortised and uniform sampling O(1) expected.

use std::collections::VecDeque;

use async_task::Runnable;

use super::recycle;
use super::spawn::TaskRef;
use crate::id::TaskId;

/// One runnable unit: the main future (polled in place, so it may borrow) or a spawned task.
pub(crate) enum Entry {
    Main,
    Task(TaskRunnable),
}

impl Entry {
    pub(crate) fn task(&self) -> TaskId {
        match self {
            Entry::Main => TaskId::MAIN,
            Entry::Task(runnable) => runnable.task,
        }
    }
}

/// A task's runnable with the task's id kept beside it, so that the run loop can choose,
/// trace and enter a task without reading the task's own allocation: with a million ready
/// tasks every such read is a cache miss, and the poll itself pays for one anyway.
pub(crate) struct TaskRunnable {
    task: TaskId,
    runnable: Runnable<TaskRef>,
}

impl TaskRunnable {
    /// The task's id (the runnable's metadata, without reading it).
    pub(crate) fn metadata(&self) -> &TaskId {
        &self.task
    }

    /// Polls the task once; see [`Runnable::run`].
    pub(crate) fn run(self) -> bool {
        self.runnable.run()
    }
}

impl From<Runnable<TaskRef>> for TaskRunnable {
    fn from(runnable: Runnable<TaskRef>) -> TaskRunnable {
        TaskRunnable {
            task: runnable.metadata().id,
            runnable,
        }
    }
}

/// One place in arrival order; a taken entry leaves `TaskId::NONE` behind.
struct Slot {
    task: TaskId,
    /// The slot's number in arrival order (wrapping), kept in what would be padding: lets a
    /// scheduler keep its own index over the ready set and find an entry again in O(log n).
    arrival: u32,
    /// `None` for the main future.
    runnable: Option<Runnable<TaskRef>>,
}

impl Slot {
    fn is_live(&self) -> bool {
        self.task != TaskId::NONE
    }

    /// This slot, at index `slot`, as offered to a scheduler.
    fn offer(&self, slot: usize) -> ReadyTask {
        ReadyTask {
            slot,
            arrival: self.arrival,
            task: self.task,
        }
    }

    fn into_entry(self) -> Entry {
        match self.runnable {
            Some(runnable) => Entry::Task(TaskRunnable {
                task: self.task,
                runnable,
            }),
            None => Entry::Main,
        }
    }
}

pub(crate) struct ReadySet {
    slots: VecDeque<Slot>,
    live: usize,
    /// The arrival number the next entry gets.
    arrivals: u32,
    /// How many entries left the set other than by a pick (wrapping): tells schedulers that
    /// keep an index over the set that it lost entries they may hold.
    removals: u32,
}

thread_local! {
    /// A dropped ready set's emptied buffer, for the next one (see [`recycle`]).
    static SPARE: recycle::Slot<VecDeque<Slot>> = const { recycle::Slot::new(None) };
}

impl Default for ReadySet {
    fn default() -> ReadySet {
        ReadySet {
            slots: recycle::take(&SPARE).unwrap_or_default(),
            live: 0,
            arrivals: 0,
            removals: 0,
        }
    }
}

impl Drop for ReadySet {
    fn drop(&mut self) {
        let mut slots = std::mem::take(&mut self.slots);
        slots.clear();
        recycle::keep(&SPARE, slots, VecDeque::capacity);
    }
}

impl ReadySet {
    #[inline]
    pub(crate) fn push(&mut self, entry: Entry) {
        let (task, runnable) = match entry {
            Entry::Main => (TaskId::MAIN, None),
            Entry::Task(ready) => (ready.task, Some(ready.runnable)),
        };
        self.slots.push_back(Slot {
            task,
            arrival: self.arrivals,
            runnable,
        });
        self.arrivals = self.arrivals.wrapping_add(1);
        self.live += 1;
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Removes and returns the entry in `slot`, which must be live. Always inlined: the run
    /// loop's pick calls it once per step, and out of line it costs a call and the spills
    /// around it at every step.
    #[inline(always)]
    pub(crate) fn take(&mut self, slot: usize) -> Entry {
        let taken = self
            .slots
            .get_mut(slot)
            .filter(|taken| taken.is_live())
            .expect("simloop: the scheduler picked a slot that holds no ready task");
        let entry = Slot {
            task: std::mem::replace(&mut taken.task, TaskId::NONE),
            arrival: taken.arrival,
            runnable: taken.runnable.take(),
        }
        .into_entry();
        self.live -= 1;
        while self.slots.front().is_some_and(|front| !front.is_live()) {
            self.slots.pop_front();
        }
        while self.slots.back().is_some_and(|back| !back.is_live()) {
            self.slots.pop_back();
        }
        if self.slots.len() > 64 && self.slots.len() > 2 * self.live {
            self.slots.retain(Slot::is_live);
        }
        entry
    }

    /// The arrival number the next entry will get.
    pub(crate) fn next_arrival(&self) -> u32 {
        self.arrivals
    }

    /// Removes `task`'s entry if it is ready (an aborted task, about to be dropped). An entry
    /// that arrived as `fresh` or later was queued since the last pick, so no scheduler has
    /// seen it; taking any other entry counts as a removal.
    pub(crate) fn take_task(&mut self, task: TaskId, fresh: u32) -> Option<TaskRunnable> {
        let unseen = |arrival: u32| arrival.wrapping_sub(fresh) < self.arrivals.wrapping_sub(fresh);
        let slot = match self.slots.back() {
            Some(back) if back.task == task && unseen(back.arrival) => self.slots.len() - 1,
            _ => {
                let slot = self.slots.iter().position(|slot| slot.task == task)?;
                self.removals = self.removals.wrapping_add(1);
                slot
            }
        };
        match self.take(slot) {
            Entry::Task(runnable) => Some(runnable),
            Entry::Main => unreachable!("the main future is never taken out of turn"),
        }
    }

    /// How many entries are ready.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.live
    }

    /// Removes and returns the only entry, which a set of one holds in its only slot (taking
    /// an entry trims tombstones off both ends).
    #[inline]
    pub(crate) fn take_only(&mut self) -> Entry {
        debug_assert_eq!((self.live, self.slots.len()), (1, 1));
        self.live = 0;
        self.slots
            .pop_front()
            .expect("simloop: the ready set holds one entry")
            .into_entry()
    }

    /// Removes every entry, in arrival order.
    pub(crate) fn drain(&mut self) -> Vec<Entry> {
        self.live = 0;
        self.slots
            .drain(..)
            .filter(Slot::is_live)
            .map(Slot::into_entry)
            .collect()
    }

    pub(crate) fn view<'a>(
        &'a self,
        previous: Option<TaskId>,
        step: u64,
        polls: &'a [u32],
    ) -> ReadyView<'a> {
        ReadyView {
            set: self,
            previous,
            step,
            polls,
        }
    }
}

/// A task in the ready set, as offered to a [`Scheduler`](crate::scheduler::Scheduler).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadyTask {
    pub(crate) slot: usize,
    /// Its number in arrival order (wrapping): stays with the entry while the ready set
    /// compacts around it.
    pub(crate) arrival: u32,
    /// The task that would run.
    pub task: TaskId,
}

/// A read-only view of the ready set, in the order the tasks became ready.
///
/// Schedulers see tasks, never the run loop's storage: they answer with one of the
/// [`ReadyTask`]s this view hands out.
pub struct ReadyView<'a> {
    set: &'a ReadySet,
    previous: Option<TaskId>,
    step: u64,
    polls: &'a [u32],
}

impl ReadyView<'_> {
    /// How many tasks are ready (at least one whenever a scheduler is asked).
    pub fn len(&self) -> usize {
        self.set.live
    }

    /// Whether no task is ready (never true when a scheduler is asked).
    pub fn is_empty(&self) -> bool {
        self.set.live == 0
    }

    /// The task that has been ready longest: asyncio's and [`Fifo`](crate::Strategy::Fifo)'s choice.
    pub fn oldest(&self) -> ReadyTask {
        self.iter()
            .next()
            .expect("simloop: a scheduler was asked to choose from an empty ready set")
    }

    /// The task that became ready last, in O(1) (`iter().last()` walks the whole set).
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::scheduler::{Divergence, ReadyTask, ReadyView, Scheduler};
    /// use simloop::{Config, Sim};
    ///
    /// struct Lifo;
    /// impl Scheduler for Lifo {
    ///     fn pick(&mut self, ready: &ReadyView<'_>) -> Result<ReadyTask, Divergence> {
    ///         assert_eq!(Some(ready.newest()), ready.iter().last());
    ///         Ok(ready.newest())
    ///     }
    ///     fn name(&self) -> String { "lifo".into() }
    /// }
    ///
    /// let run = Sim::new(Config::default()).run_with(Box::new(Lifo), async { 5 });
    /// assert_eq!(run.result.unwrap(), 5);
    /// ```
    pub fn newest(&self) -> ReadyTask {
        let slots = &self.set.slots;
        // The back is always live (taking an entry trims tombstones off both ends), so this
        // looks at one slot.
        let (slot, entry) = slots
            .iter()
            .enumerate()
            .rev()
            .find(|(_, entry)| entry.is_live())
            .expect("simloop: a scheduler was asked to choose from an empty ready set");
        entry.offer(slot)
    }

    /// The ready tasks in the order they became ready.
    pub fn iter(&self) -> impl Iterator<Item = ReadyTask> + '_ {
        self.set
            .slots
            .iter()
            .enumerate()
            .filter(|(_, entry)| entry.is_live())
            .map(|(slot, entry)| entry.offer(slot))
    }

    /// The ready tasks, the one that became ready last first.
    pub(crate) fn newest_first(&self) -> impl Iterator<Item = ReadyTask> + '_ {
        self.set
            .slots
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, entry)| entry.is_live())
            .map(|(slot, entry)| entry.offer(slot))
    }

    /// The ready task that arrived as `arrival` (see [`ReadyTask::arrival`]), if it is still
    /// ready; O(log n).
    pub(crate) fn by_arrival(&self, arrival: u32) -> Option<ReadyTask> {
        let slots = &self.set.slots;
        // Arrival numbers grow along the slots (tombstones keep theirs); they wrap, so compare
        // them as distances from the front's.
        let front = slots.front()?.arrival;
        let wanted = arrival.wrapping_sub(front);
        // Trimming the ends keeps a slot's index equal to that distance; only a compaction
        // moves slots down, so the slot is there or before it. Checking there first saves the
        // binary search, a cache miss a level in a large set, until the set compacts.
        let guess = wanted as usize;
        let slot = match slots.get(guess) {
            Some(entry) if entry.arrival == arrival => guess,
            _ => slots
                .binary_search_by_key(&wanted, |entry| entry.arrival.wrapping_sub(front))
                .ok()?,
        };
        slots
            .get(slot)
            .filter(|entry| entry.is_live())
            .map(|entry| entry.offer(slot))
    }

    /// The ready task `task`, if it is ready.
    pub fn find(&self, task: TaskId) -> Option<ReadyTask> {
        self.iter().find(|ready| ready.task == task)
    }

    /// A uniformly chosen ready task; `below(n)` must return a number in `0..n`.
    ///
    /// Draws until it lands on a live slot; the set keeps at least half its slots live, so this
    /// takes fewer than two draws on average.
    #[inline]
    pub fn sample(&self, mut below: impl FnMut(usize) -> usize) -> ReadyTask {
        let slots = &self.set.slots;
        loop {
            let slot = below(slots.len()).min(slots.len() - 1);
            if let Some(entry) = slots.get(slot).filter(|entry| entry.is_live()) {
                return entry.offer(slot);
            }
        }
    }

    /// How many entries left the set other than by a pick so far (wrapping): an index kept
    /// over the set since the number last changed may hold tasks that are gone.
    pub(crate) fn removals(&self) -> u32 {
        self.set.removals
    }

    /// The task polled in the previous step, if any.
    pub fn previous(&self) -> Option<TaskId> {
        self.previous
    }

    /// The number of the step being chosen (0 for the first).
    pub fn step(&self) -> u64 {
        self.step
    }

    /// How many steps have polled `task` so far in this run (0 for a task not polled yet).
    ///
    /// # Examples
    ///
    /// A scheduler that runs the ready task polled least so far:
    ///
    /// ```
    /// use simloop::scheduler::{Divergence, ReadyTask, ReadyView, Scheduler};
    /// use simloop::task::{spawn, yield_now};
    /// use simloop::{Config, Sim};
    ///
    /// struct Fewest;
    /// impl Scheduler for Fewest {
    ///     fn pick(&mut self, ready: &ReadyView<'_>) -> Result<ReadyTask, Divergence> {
    ///         Ok(ready.iter().min_by_key(|r| ready.polls(r.task)).unwrap())
    ///     }
    ///     fn name(&self) -> String { "fewest".into() }
    /// }
    ///
    /// let run = Sim::new(Config::default()).run_with(Box::new(Fewest), async {
    ///     let child = spawn(async { yield_now().await });
    ///     yield_now().await;
    ///     child.await.unwrap();
    /// });
    /// let polls: u32 = run.task_steps.iter().map(|t| t.polls).sum();
    /// assert_eq!(u64::from(polls), run.steps);
    /// ```
    pub fn polls(&self, task: TaskId) -> u32 {
        self.polls.get(task.index()).copied().unwrap_or(0)
    }
}
