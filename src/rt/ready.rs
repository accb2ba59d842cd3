//! The ready set: tasks that can run, in the order they became ready.
//!
//! Arrival order is kept because it is `Fifo`'s answer and the reference every recorded
//! deviation is measured against. Strategies may take any entry, so a taken entry leaves a
//! tombstone; the front is always live, and the set compacts itself when tombstones outnumber
//! live entries, which keeps every operation O(1) amortised and uniform sampling O(1) expected.
//!
//! That is the [`Layout::Ordered`] set. A strategy that only samples the set (the random walk)
//! gets the [`Layout::Dense`] one instead: no tombstones, a taken slot filled by the last one, and
//! one bit per arrival to say which ready task is oldest, which is all the run loop asks of the
//! order under that strategy. Tombstones picked in random order cost the random walk about a
//! sixth of a simulated TCP round trip (trimming them off the ends and compacting them away,
//! each a branch the random order makes unpredictable; docs/performance.md).

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

/// How a [`ReadySet`] keeps its entries; fixed for a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Layout {
    /// In arrival order, a taken entry leaving a tombstone: for schedulers that read the order.
    Ordered,
    /// Without tombstones and out of arrival order, with the arrivals of the ready entries kept
    /// as bits: for a scheduler that only samples. The view's ordered methods sort on demand.
    Dense,
}

/// One bit per arrival number from `base` on, set while that arrival is ready: the oldest ready
/// arrival is the first set bit. Fully cleared words are dropped off the front, so the bits
/// span from the oldest ready arrival to the newest.
///
/// The bits are kept only while two tasks or more are ready, the only time the run loop asks
/// which one is oldest: a set that holds one task at a time (two tasks handing a value back and
/// forth) then pays nothing for them.
#[derive(Default)]
struct ArrivalBits {
    words: VecDeque<u64>,
    base: u32,
}

impl ArrivalBits {
    fn at(&self, arrival: u32) -> (usize, u64) {
        let offset = arrival.wrapping_sub(self.base) as usize;
        (offset / 64, 1 << (offset % 64))
    }

    #[inline]
    fn set(&mut self, arrival: u32) {
        let (word, bit) = self.at(arrival);
        while self.words.len() <= word {
            self.words.push_back(0);
        }
        self.words[word] |= bit;
    }

    #[inline]
    fn clear(&mut self, arrival: u32) {
        let (word, bit) = self.at(arrival);
        self.words[word] &= !bit;
        // The last word may stand for arrivals still to come: only a word with a later one
        // behind it is done with.
        while self.words.len() > 1 && self.words.front() == Some(&0) {
            self.words.pop_front();
            self.base = self.base.wrapping_add(64);
        }
    }

    /// Starts the bits again from the one ready arrival `only` and the new one, `new`: they
    /// come back into use (out of line: the step that pushes a second task is the rare one).
    #[cold]
    #[inline(never)]
    fn restart(&mut self, only: u32, new: u32) {
        self.words.clear();
        self.base = only;
        self.set(only);
        self.set(new);
    }

    fn oldest(&self) -> Option<u32> {
        let word = *self.words.front()?;
        (word != 0).then(|| self.base.wrapping_add(word.trailing_zeros()))
    }
}

pub(crate) struct ReadySet {
    slots: VecDeque<Slot>,
    /// `Some` in the [`Layout::Dense`] set.
    dense: Option<ArrivalBits>,
    live: usize,
    /// The arrival number the next entry gets.
    arrivals: u32,
    /// How many entries left the set other than by a pick (wrapping): tells schedulers that
    /// keep an index over the set that it lost entries they may hold.
    removals: u32,
}

thread_local! {
    /// A dropped ready set's emptied buffer, for the next one (see [`recycle`]).
    static SPARE: recycle::Slot<(VecDeque<Slot>, VecDeque<u64>)> = const { recycle::Slot::new(None) };
}

impl Default for ReadySet {
    fn default() -> ReadySet {
        ReadySet::new(Layout::Ordered)
    }
}

impl ReadySet {
    pub(crate) fn new(layout: Layout) -> ReadySet {
        let (slots, words) = recycle::take(&SPARE).unwrap_or_default();
        ReadySet {
            slots,
            dense: (layout == Layout::Dense).then_some(ArrivalBits { words, base: 0 }),
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
        let mut words = self.dense.take().map(|bits| bits.words).unwrap_or_default();
        words.clear();
        recycle::keep(&SPARE, (slots, words), |(slots, _)| slots.capacity());
    }
}

impl ReadySet {
    /// Adds an entry at the back of arrival order. Always inlined into the wake path (one call
    /// site per kind of wake), as `take` is into the pick.
    #[inline(always)]
    pub(crate) fn push(&mut self, entry: Entry) {
        let (task, runnable) = match entry {
            Entry::Main => (TaskId::MAIN, None),
            Entry::Task(ready) => (ready.task, Some(ready.runnable)),
        };
        if let Some(bits) = &mut self.dense {
            match self.live {
                0 => {}
                1 => bits.restart(self.slots[0].arrival, self.arrivals),
                _ => bits.set(self.arrivals),
            }
        }
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
        if let Some(bits) = &mut self.dense {
            let taken = self
                .slots
                .swap_remove_back(slot)
                .expect("simloop: the scheduler picked a slot that holds no ready task");
            self.live -= 1;
            if self.live >= 2 {
                bits.clear(taken.arrival);
            }
            return taken.into_entry();
        }
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
        if self.dense.is_some() {
            // Arrival numbers wrap: the oldest is the furthest from the next one.
            let next = self.arrivals;
            self.slots
                .make_contiguous()
                .sort_unstable_by_key(|slot| slot.arrival.wrapping_sub(next));
        }
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

    /// Whether `chosen` is the task that has been ready longest: what the run loop asks at
    /// every step, in O(1) in either layout.
    #[inline]
    pub(crate) fn is_oldest(&self, chosen: &ReadyTask) -> bool {
        match &self.set.dense {
            Some(bits) => self.set.live == 1 || bits.oldest() == Some(chosen.arrival),
            None => *chosen == self.oldest(),
        }
    }

    /// The dense set's tasks in arrival order (it keeps them out of order).
    fn sorted(&self) -> Vec<ReadyTask> {
        // Arrival numbers wrap: the oldest is the furthest from the next one.
        let next = self.set.arrivals;
        let mut tasks: Vec<ReadyTask> = self
            .set
            .slots
            .iter()
            .enumerate()
            .map(|(slot, entry)| entry.offer(slot))
            .collect();
        tasks.sort_unstable_by_key(|task| task.arrival.wrapping_sub(next));
        tasks
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
        if self.set.dense.is_some() {
            return *self
                .sorted()
                .last()
                .expect("simloop: a scheduler was asked to choose from an empty ready set");
        }
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
        let ordered = || {
            self.set
                .slots
                .iter()
                .enumerate()
                .filter(|(_, entry)| entry.is_live())
                .map(|(slot, entry)| entry.offer(slot))
        };
        match &self.set.dense {
            None => Tasks::InPlace(ordered()),
            Some(_) => Tasks::Sorted(self.sorted().into_iter()),
        }
    }

    /// The ready tasks, the one that became ready last first.
    pub(crate) fn newest_first(&self) -> impl Iterator<Item = ReadyTask> + '_ {
        let ordered = || {
            self.set
                .slots
                .iter()
                .enumerate()
                .rev()
                .filter(|(_, entry)| entry.is_live())
                .map(|(slot, entry)| entry.offer(slot))
        };
        match &self.set.dense {
            None => Tasks::InPlace(ordered()),
            Some(_) => {
                let mut tasks = self.sorted();
                tasks.reverse();
                Tasks::Sorted(tasks.into_iter())
            }
        }
    }

    /// The ready task that arrived as `arrival` (see [`ReadyTask::arrival`]), if it is still
    /// ready; O(log n) in an ordered set, O(n) in a dense one.
    pub(crate) fn by_arrival(&self, arrival: u32) -> Option<ReadyTask> {
        let slots = &self.set.slots;
        if self.set.dense.is_some() {
            let slot = slots.iter().position(|entry| entry.arrival == arrival)?;
            return Some(slots[slot].offer(slot));
        }
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
    /// Under [`Strategy::Random`](crate::Strategy::Random) the set has no gaps and this is one
    /// draw. Otherwise it draws until it lands on a ready task; the set keeps at least half its
    /// slots ready, so this takes fewer than two draws on average.
    #[inline]
    pub fn sample(&self, mut below: impl FnMut(usize) -> usize) -> ReadyTask {
        let slots = &self.set.slots;
        if self.set.dense.is_some() {
            let slot = below(slots.len()).min(slots.len() - 1);
            return slots[slot].offer(slot);
        }
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

/// The view's tasks in order: read in place from an ordered set, sorted out of a dense one.
enum Tasks<I> {
    InPlace(I),
    Sorted(std::vec::IntoIter<ReadyTask>),
}

impl<I: Iterator<Item = ReadyTask>> Iterator for Tasks<I> {
    type Item = ReadyTask;

    #[inline]
    fn next(&mut self) -> Option<ReadyTask> {
        match self {
            Tasks::InPlace(tasks) => tasks.next(),
            Tasks::Sorted(tasks) => tasks.next(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::{Entry, Layout, ReadySet, ReadyTask, TaskRunnable};
    use crate::id::TaskId;
    use crate::rt::spawn::TaskRef;
    use crate::test_support::draws;

    fn entry(id: u32) -> Entry {
        let (runnable, task) = async_task::Builder::new()
            .metadata(TaskRef {
                id: TaskId::from_u32(id),
                generation: 0,
            })
            .spawn_local(|_| async {}, |_| {});
        task.detach();
        Entry::Task(TaskRunnable::from(runnable))
    }

    fn ids(tasks: impl Iterator<Item = ReadyTask>) -> Vec<u32> {
        tasks.map(|ready| ready.task.as_u32()).collect()
    }

    // Goal: both layouts answer alike. Whatever mix of pushes, random samples, oldest and newest
    // takes and removals by task (an abort) a set goes through, across compactions and wraps of
    // the arrival bits, the view lists the ready tasks in arrival order (forwards and backwards),
    // knows the oldest, finds a task by its arrival, and a sample names every ready task for
    // exactly one number in `0..len` (checked against a model keyed by arrival). The dense set
    // never holds a gap.
    #[test]
    fn both_layouts_keep_arrival_order_and_sample_every_ready_task() {
        for layout in [Layout::Ordered, Layout::Dense] {
            for seed in 1..=16u64 {
                let mut draw = draws(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
                let mut set = ReadySet::new(layout);
                let mut model = BTreeMap::new();
                let mut next = 0u32;
                for op in 0..800 {
                    // Phases that grow the set and phases that drain it.
                    let growing = op / 100 % 2 == 0;
                    let action = draw(10);
                    if model.is_empty() || (growing && action < 6) || (!growing && action < 1) {
                        for _ in 0..=draw(3) {
                            model.insert(set.next_arrival(), next);
                            set.push(entry(next));
                            next += 1;
                        }
                    } else {
                        let view = set.view(None, 0, &[]);
                        let in_order: Vec<u32> = model.values().copied().collect();
                        assert_eq!(ids(view.iter()), in_order, "{layout:?} seed {seed}");
                        let mut backwards = in_order.clone();
                        backwards.reverse();
                        assert_eq!(
                            ids(view.newest_first()),
                            backwards,
                            "{layout:?} seed {seed}"
                        );
                        let oldest = view.oldest();
                        assert_eq!(oldest.task.as_u32(), in_order[0], "{layout:?} seed {seed}");
                        assert!(view.is_oldest(&oldest), "{layout:?} seed {seed}");
                        let newest = view.newest();
                        assert_eq!(Some(&newest.task.as_u32()), in_order.last());
                        assert_eq!(view.is_oldest(&newest), in_order.len() == 1);
                        for (&arrival, &task) in &model {
                            let found = view.by_arrival(arrival).expect("ready");
                            assert_eq!(found.task.as_u32(), task, "{layout:?} seed {seed}");
                        }
                        if layout == Layout::Dense {
                            // One number a task (an ordered set draws again on its gaps).
                            let mut named: Vec<u32> = (0..view.len())
                                .map(|n| {
                                    view.sample(|len| {
                                        assert_eq!(len, model.len());
                                        n
                                    })
                                })
                                .map(|ready| ready.task.as_u32())
                                .collect();
                            named.sort_unstable();
                            let mut all = in_order.clone();
                            all.sort_unstable();
                            assert_eq!(named, all, "{layout:?} seed {seed}");
                        }
                        let chosen = match action {
                            0..=7 => view.sample(|len| draw(len as u64) as usize),
                            8 => oldest,
                            _ => newest,
                        };
                        let taken = if action == 9 && draw(2) == 0 {
                            set.take_task(chosen.task, set.next_arrival())
                                .map(|runnable| *runnable.metadata())
                        } else {
                            Some(set.take(chosen.slot).task())
                        };
                        assert_eq!(taken, Some(chosen.task), "{layout:?} seed {seed}");
                        model.remove(&chosen.arrival);
                    }
                    assert_eq!(set.len(), model.len(), "{layout:?} seed {seed}");
                    if layout == Layout::Dense {
                        assert!(set.slots.iter().all(|slot| slot.is_live()), "a gap");
                    }
                }
                let drained: Vec<TaskId> = set.drain().iter().map(Entry::task).collect();
                let expected: Vec<TaskId> =
                    model.values().map(|&id| TaskId::from_u32(id)).collect();
                assert_eq!(
                    drained, expected,
                    "{layout:?} seed {seed}: drained in arrival order"
                );
            }
        }
    }
}
