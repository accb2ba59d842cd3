//! The timer heap: pending deadlines ordered by (deadline, registration number), kept in a
//! [`RadixHeap`] because the clock only moves forward.
//!
//! Cancelled timers are not searched for: a cancel frees the slot and bumps nothing else, and the
//! stale heap entry is recognised (its sequence number no longer matches the slot's) and dropped
//! when it reaches the top. The clock therefore never jumps to a cancelled deadline.

use std::task::{Poll, Waker};

use super::core::Core;
use super::radix_heap::RadixHeap;
use super::recycle;
use crate::id::TaskId;

/// A registered timer as the heap holds it: which slot, and the registration number that must
/// still occupy the slot for the entry to be live.
#[derive(Clone, Copy)]
struct Entry {
    slot: u32,
    seq: u64,
}

struct Slot {
    /// The registration number of the timer occupying the slot; `FREE` when vacant.
    seq: u64,
    waker: Option<Waker>,
    owner: TaskId,
}

const FREE: u64 = u64::MAX;

/// Identifies one registered timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TimerKey {
    slot: u32,
    /// The generation of the simulation whose heap holds the timer (in what would be padding);
    /// the heap itself does not read it.
    generation: u32,
    seq: u64,
}

impl TimerKey {
    /// The key, marked as belonging to the simulation of `generation`.
    pub(super) fn of_generation(self, generation: u32) -> TimerKey {
        TimerKey { generation, ..self }
    }
}

/// A timer that reached its deadline: whom to wake and which task set it.
pub(crate) struct Fired {
    pub(crate) waker: Waker,
    pub(crate) owner: TaskId,
}

pub(crate) struct TimerHeap {
    /// Entries keyed by deadline; the heap is stable, so timers due at the same instant fire in
    /// registration order, as asyncio's do.
    heap: RadixHeap<Entry>,
    slots: Vec<Slot>,
    free: Vec<u32>,
    next_seq: u64,
}

/// A dropped heap's emptied buffers, kept for the next one (see [`recycle`]).
struct Buffers {
    heap: RadixHeap<Entry>,
    slots: Vec<Slot>,
    free: Vec<u32>,
}

thread_local! {
    static SPARE: recycle::Slot<Buffers> = const { recycle::Slot::new(None) };
}

impl Default for TimerHeap {
    fn default() -> TimerHeap {
        let buffers = recycle::take(&SPARE).unwrap_or_else(|| Buffers {
            heap: RadixHeap::default(),
            slots: Vec::new(),
            free: Vec::new(),
        });
        TimerHeap {
            heap: buffers.heap,
            slots: buffers.slots,
            free: buffers.free,
            next_seq: 0,
        }
    }
}

impl Drop for TimerHeap {
    fn drop(&mut self) {
        let mut buffers = Buffers {
            heap: std::mem::take(&mut self.heap),
            slots: std::mem::take(&mut self.slots),
            free: std::mem::take(&mut self.free),
        };
        buffers.heap.clear(recycle::LIMIT);
        buffers.slots.clear();
        buffers.free.clear();
        recycle::keep(&SPARE, buffers, |buffers| buffers.slots.capacity());
    }
}

impl TimerHeap {
    #[inline]
    pub(crate) fn insert(&mut self, deadline_ns: u64, waker: Waker, owner: TaskId) -> TimerKey {
        let seq = self.next_seq;
        self.next_seq += 1;
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = Slot {
                    seq,
                    waker: Some(waker),
                    owner,
                };
                slot
            }
            None => {
                self.slots.push(Slot {
                    seq,
                    waker: Some(waker),
                    owner,
                });
                (self.slots.len() - 1) as u32
            }
        };
        self.heap.push(deadline_ns, Entry { slot, seq });
        TimerKey {
            slot,
            generation: 0,
            seq,
        }
    }

    /// Replaces the waker of a pending timer (the future moved to another task or context).
    pub(crate) fn update_waker(&mut self, key: TimerKey, waker: &Waker) {
        if let Some(slot) = self.live_slot(key) {
            match &mut slot.waker {
                Some(current) if current.will_wake(waker) => {}
                other => *other = Some(waker.clone()),
            }
        }
    }

    /// Whether `key` is still pending (neither fired nor cancelled).
    #[inline]
    pub(crate) fn is_pending(&self, key: TimerKey) -> bool {
        self.slots
            .get(key.slot as usize)
            .is_some_and(|slot| slot.seq == key.seq)
    }

    pub(crate) fn cancel(&mut self, key: TimerKey) -> Option<Waker> {
        let slot = self.live_slot(key)?;
        slot.seq = FREE;
        let waker = slot.waker.take();
        self.free.push(key.slot);
        waker
    }

    /// The earliest pending deadline, discarding cancelled entries on the way.
    #[inline]
    pub(crate) fn next_deadline(&mut self) -> Option<u64> {
        while let Some((deadline_ns, top)) = self.heap.peek() {
            if self.slots[top.slot as usize].seq == top.seq {
                return Some(deadline_ns);
            }
            self.heap.pop();
        }
        None
    }

    /// Removes every timer due at or before `now_ns`, in (deadline, registration) order.
    #[inline]
    pub(crate) fn fire_due(&mut self, now_ns: u64, fired: &mut Vec<Fired>) {
        while let Some((_, top)) = self.heap.pop_at_most(now_ns) {
            let slot = &mut self.slots[top.slot as usize];
            if slot.seq != top.seq {
                continue;
            }
            slot.seq = FREE;
            let owner = slot.owner;
            if let Some(waker) = slot.waker.take() {
                fired.push(Fired { waker, owner });
            }
            self.free.push(top.slot);
        }
    }

    fn live_slot(&mut self, key: TimerKey) -> Option<&mut Slot> {
        self.slots
            .get_mut(key.slot as usize)
            .filter(|slot| slot.seq == key.seq)
    }
}
/// The engine's side of a `Sleep`: where its timer stands. Dropping it cancels the timer, so
/// the clock never stops at a deadline nobody waits for.
#[derive(Debug, Default)]
pub(crate) struct SleepTimer {
    state: SleepState,
}

#[derive(Debug, Default)]
enum SleepState {
    #[default]
    New,
    Waiting(TimerKey),
    Yielded,
    Done,
}

impl SleepTimer {
    /// Whether the sleep has completed.
    pub(crate) fn is_done(&self) -> bool {
        matches!(self.state, SleepState::Done)
    }

    /// Polls a sleep until `deadline_ns`: one look at the simulation a poll.
    #[track_caller]
    pub(crate) fn poll(&mut self, what: &'static str, deadline_ns: u64, waker: &Waker) -> Poll<()> {
        super::context::with(what, |core| {
            poll_state(
                &mut self.state,
                core,
                what,
                deadline_ns,
                waker,
                core.current.get(),
            )
        })
    }
}

/// One poll of a sleep in state `state`, with the simulation at hand.
#[inline]
#[track_caller]
fn poll_state(
    state: &mut SleepState,
    core: &Core,
    what: &'static str,
    deadline_ns: u64,
    waker: &Waker,
    owner: TaskId,
) -> Poll<()> {
    let now = core.now_ns();
    match *state {
        SleepState::Done => return Poll::Ready(()),
        SleepState::New if deadline_ns <= now => {
            // asyncio's sleep(0): re-queue at the tail of the ready set, once.
            *state = SleepState::Yielded;
            waker.wake_by_ref();
            return Poll::Pending;
        }
        SleepState::New => {
            *state = SleepState::Waiting(core.add_timer(deadline_ns, waker, owner));
        }
        SleepState::Yielded => {
            *state = SleepState::Done;
            return Poll::Ready(());
        }
        SleepState::Waiting(key) if key.generation != core.generation => stale(what),
        SleepState::Waiting(key) => {
            let mut timers = core.timers.borrow_mut();
            if !timers.is_pending(key) || deadline_ns <= now {
                drop(timers);
                *state = SleepState::Done;
                return Poll::Ready(());
            }
            timers.update_waker(key, waker);
        }
    }
    // No wait reason: a task whose timer is pending is never part of a deadlock (the clock
    // moves on to the timer), and noting one would touch the task's record at every sleep, a
    // cache miss per sleep with a million tasks.
    Poll::Pending
}

/// A wake-up at a virtual instant that is moved rather than rebuilt: what a connection's reader
/// keeps for its next arrival. [`arm`](Alarm::arm) behaves exactly as replacing a
/// [`Sleep`](crate::time::Sleep) until the new instant (when the instant changed) and polling
/// it, waking the waker if that poll is ready, but in one look at the simulation and without
/// building or dropping a future. Dropping it cancels the pending timer.
#[derive(Debug)]
pub(crate) struct Alarm {
    /// The instant of the sleep it stands for; with `state` `New`, no sleep yet.
    due_ns: u64,
    state: SleepState,
    /// The task it wakes: the last one that armed it for itself. A timer another task
    /// registers on its behalf (a writer moving a waiting reader's wake-up) is traced as the
    /// waiter's, so `timer fired` names the task that wakes.
    waiter: TaskId,
}

impl Default for Alarm {
    fn default() -> Alarm {
        Alarm {
            due_ns: 0,
            state: SleepState::default(),
            waiter: TaskId::NONE,
        }
    }
}

impl Alarm {
    /// Makes `waker`, the current task's, wake at `at_ns`, reusing the timer already
    /// registered for that instant.
    #[track_caller]
    pub(crate) fn arm(&mut self, what: &'static str, at_ns: u64, waker: &Waker) {
        super::context::with(what, |core| {
            self.waiter = core.current.get();
            self.arm_in(core, what, at_ns, waker);
        });
    }

    /// Notes the current task as the one the alarm wakes, without arming it (a reader that
    /// waits for bytes not yet written).
    pub(crate) fn wait_here(&mut self) {
        super::context::try_with(|core| self.waiter = core.current.get());
    }

    /// [`arm`](Alarm::arm) from another task, for the task that last armed it itself.
    #[track_caller]
    pub(crate) fn arm_for_waiter(&mut self, what: &'static str, at_ns: u64, waker: &Waker) {
        super::context::with(what, |core| self.arm_in(core, what, at_ns, waker));
    }

    /// [`wait_here`](Alarm::wait_here) with the current task at hand.
    #[inline]
    pub(super) fn set_waiter(&mut self, waiter: TaskId) {
        self.waiter = waiter;
    }

    /// [`arm_for_waiter`](Alarm::arm_for_waiter) with the simulation at hand.
    #[track_caller]
    pub(super) fn arm_in(&mut self, core: &Core, what: &'static str, at_ns: u64, waker: &Waker) {
        let mut cancelled = None;
        if self.due_ns != at_ns {
            // The replaced sleep's drop: cancel its timer (if it is this simulation's).
            if let SleepState::Waiting(key) = self.state {
                if key.generation == core.generation {
                    cancelled = core.timers.borrow_mut().cancel(key);
                }
            }
            self.due_ns = at_ns;
            self.state = SleepState::New;
        }
        let owner = if self.waiter == TaskId::NONE {
            core.current.get()
        } else {
            self.waiter
        };
        let polled = poll_state(&mut self.state, core, what, at_ns, waker, owner);
        drop(cancelled);
        if polled.is_ready() {
            waker.wake_by_ref();
        }
    }
}

impl Drop for Alarm {
    fn drop(&mut self) {
        if let SleepState::Waiting(key) = self.state {
            cancel_timer(key);
        }
    }
}

/// Cancels the timer `key` of a dropped sleep, if it belongs to the running simulation.
fn cancel_timer(key: TimerKey) {
    // Take the waker out while the heap is borrowed, drop it after. A timer of another
    // simulation is not this heap's to cancel.
    let waker = super::context::try_with(|core| {
        (key.generation == core.generation)
            .then(|| core.timers.borrow_mut().cancel(key))
            .flatten()
    });
    drop(waker);
}

/// A sleep whose timer belongs to another simulation (an ended one) was polled.
#[cold]
#[track_caller]
fn stale(what: &str) -> ! {
    panic!(
        "simloop: `{what}` polled in another simulation than the one that started it (a sleep \
         kept from an earlier run?); its timer went with that simulation: create the sleep in \
         the run that awaits it"
    )
}

impl Drop for SleepTimer {
    fn drop(&mut self) {
        if let SleepState::Waiting(key) = self.state {
            cancel_timer(key);
        }
    }
}
