//! What a simulation thread publishes for the watchdog, a thread of its own that ends the
//! process when one poll has not returned after a wall-clock limit (`Config::watchdog`).
//!
//! A poll that never returns (a busy loop, `std::thread::sleep`, a blocking channel receive)
//! cannot be preempted in safe Rust, and the stuck thread can tell nobody anything. So each
//! simulation thread publishes, as it goes, just enough for another thread to say what is
//! stuck:
//!
//! - at every poll, two plain atomic stores ([`Watching::poll`]): the task and a serial number
//!   that grows by one per poll on this thread (its run's base plus the step). The watchdog sees
//!   progress when the serial changes;
//! - when the clock moves, one store of the virtual time;
//! - at each spawn, the task's spawn site as a small index into this thread's list of sites
//!   (one store into a chunk of atomics; the list and the chunks take a lock only when a site
//!   or a chunk is new to the thread), and a named task's name (a lock, named spawns only);
//! - at the start of a run, under the thread's lock: what the driver says of the run (seed,
//!   strategy, test, limit), read only for a report.
//!
//! Nothing here reads the wall clock, and nothing the simulation does depends on it: the
//! watchdog only reads.

use std::cell::{Cell, RefCell};
use std::panic::Location;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use crate::id::TaskId;

/// Tasks per chunk of published spawn sites.
const CHUNK: usize = 1024;

/// What the driver says of a run, for a watchdog report.
#[derive(Clone, Debug, Default)]
pub(crate) struct RunLabel {
    pub(crate) seed: u64,
    /// The strategy's name (`random`, `pct:3`, ...).
    pub(crate) strategy: String,
    /// The schedule being replayed, as text, when the run replays one.
    pub(crate) replay: Option<String>,
    /// The test (libtest thread name) the run belongs to.
    pub(crate) test_name: Option<String>,
}

/// One simulation thread's published state; shared with the watchdog.
pub(crate) struct Slot {
    /// Base plus step of the poll running or last run on this thread.
    serial: AtomicU64,
    task: AtomicU32,
    clock_ns: AtomicU64,
    /// Whether a run with a watchdog limit is in progress on this thread.
    active: AtomicBool,
    /// The run's limit in nanoseconds (0 when off).
    limit_ns: AtomicU64,
    shared: Mutex<Shared>,
}

/// What a slot keeps under its lock.
#[derive(Default)]
struct Shared {
    label: RunLabel,
    /// The serial of the run's step 0.
    base: u64,
    /// Set when the run is torn down: the step it had reached.
    teardown_after: Option<u64>,
    sites: Vec<&'static Location<'static>>,
    chunks: Vec<Arc<[AtomicU32]>>,
    names: Vec<(TaskId, String)>,
}

/// What the watchdog reports of a stuck thread.
#[derive(Debug)]
pub(crate) struct Stuck {
    pub(crate) task: TaskId,
    pub(crate) name: Option<String>,
    /// `file:line:column` of the task's spawn site, when published.
    pub(crate) site: Option<String>,
    /// The step of the poll, or the step the run had reached when it was torn down.
    pub(crate) step: u64,
    pub(crate) tearing_down: bool,
    pub(crate) clock_ns: u64,
    pub(crate) label: RunLabel,
}

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Slot {
    /// The serial of the poll running now and the limit, if a watched run is in progress.
    pub(crate) fn sample(&self) -> Option<(u64, Duration)> {
        if !self.active.load(Ordering::Acquire) {
            return None;
        }
        let limit = self.limit_ns.load(Ordering::Relaxed);
        let serial = self.serial.load(Ordering::Acquire);
        (limit != 0).then(|| (serial, Duration::from_nanos(limit)))
    }

    /// The limit of the run in progress, if it is watched.
    pub(crate) fn limit(&self) -> Option<Duration> {
        self.sample().map(|(_, limit)| limit)
    }

    /// What is stuck on this thread, from what it published.
    pub(crate) fn stuck(&self) -> Stuck {
        let serial = self.serial.load(Ordering::Acquire);
        let task = TaskId(self.task.load(Ordering::Relaxed));
        let clock_ns = self.clock_ns.load(Ordering::Relaxed);
        let shared = lock(&self.shared);
        let index = task.index();
        let site = shared
            .chunks
            .get(index / CHUNK)
            .map(|chunk| chunk[index % CHUNK].load(Ordering::Relaxed))
            .and_then(|site| shared.sites.get((site as usize).checked_sub(1)?))
            .map(|at| format!("{}:{}:{}", at.file(), at.line(), at.column()));
        let name = shared
            .names
            .iter()
            .find(|(id, _)| *id == task)
            .map(|(_, name)| name.clone());
        let (step, tearing_down) = match shared.teardown_after {
            Some(step) => (step, true),
            None => (serial.saturating_sub(shared.base), false),
        };
        Stuck {
            task,
            name,
            site,
            step,
            tearing_down,
            clock_ns,
            label: shared.label.clone(),
        }
    }
}

/// Every simulation thread's slot (threads that ended leave a dead entry, pruned on reading).
static SLOTS: Mutex<Vec<Weak<Slot>>> = Mutex::new(Vec::new());

/// The slots of the simulation threads alive now.
pub(crate) fn slots() -> Vec<Arc<Slot>> {
    let mut slots = SLOTS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    slots.retain(|slot| slot.strong_count() > 0);
    slots.iter().filter_map(Weak::upgrade).collect()
}

/// This thread's side of its slot.
pub(super) struct Local {
    slot: Arc<Slot>,
    /// The slot's chunks, mirrored so that a spawn stores without the lock.
    chunks: RefCell<Vec<Arc<[AtomicU32]>>>,
    /// The last site interned, and its index: tasks are mostly spawned from a few sites.
    last_site: Cell<Option<(&'static Location<'static>, u32)>>,
    /// The serial the next run starts from.
    next_serial: Cell<u64>,
    /// Whether the current run published a name (cleared at the next run's start).
    named: Cell<bool>,
}

thread_local! {
    static LOCAL: RefCell<Option<Rc<Local>>> = const { RefCell::new(None) };
}

impl Local {
    /// This thread's, made and registered on first use.
    pub(super) fn current() -> Rc<Local> {
        LOCAL.with(|local| {
            Rc::clone(local.borrow_mut().get_or_insert_with(|| {
                let slot = Arc::new(Slot {
                    serial: AtomicU64::new(0),
                    task: AtomicU32::new(0),
                    clock_ns: AtomicU64::new(0),
                    active: AtomicBool::new(false),
                    limit_ns: AtomicU64::new(0),
                    shared: Mutex::default(),
                });
                SLOTS
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(Arc::downgrade(&slot));
                Rc::new(Local {
                    slot,
                    chunks: RefCell::default(),
                    last_site: Cell::new(None),
                    next_serial: Cell::new(1),
                    named: Cell::new(false),
                })
            }))
        })
    }

    /// Notes that task `id` was spawned at `site`.
    #[inline]
    pub(super) fn spawned(&self, id: TaskId, site: &'static Location<'static>) {
        let index = match self.last_site.get() {
            Some((last, index)) if std::ptr::eq(last, site) => index,
            _ => self.intern(site),
        };
        let task = id.index();
        if let Some(chunk) = self.chunks.borrow().get(task / CHUNK) {
            chunk[task % CHUNK].store(index, Ordering::Relaxed);
            return;
        }
        self.grow(task, index);
    }

    /// Notes the name of task `id`.
    #[cold]
    pub(super) fn named(&self, id: TaskId, name: &str) {
        self.named.set(true);
        lock(&self.slot.shared).names.push((id, name.to_owned()));
    }

    #[cold]
    fn intern(&self, site: &'static Location<'static>) -> u32 {
        let mut shared = lock(&self.slot.shared);
        let position = match shared.sites.iter().position(|known| *known == site) {
            Some(position) => position,
            None => {
                shared.sites.push(site);
                shared.sites.len() - 1
            }
        };
        let index = u32::try_from(position + 1).unwrap_or(0);
        self.last_site.set(Some((site, index)));
        index
    }

    #[cold]
    fn grow(&self, task: usize, index: u32) {
        let mut shared = lock(&self.slot.shared);
        let mut chunks = self.chunks.borrow_mut();
        while chunks.len() <= task / CHUNK {
            let chunk: Arc<[AtomicU32]> = (0..CHUNK).map(|_| AtomicU32::new(0)).collect();
            shared.chunks.push(Arc::clone(&chunk));
            chunks.push(chunk);
        }
        chunks[task / CHUNK][task % CHUNK].store(index, Ordering::Relaxed);
    }
}

/// A run's watch: publishes its polls, and marks the thread idle when dropped.
pub(super) struct Watching {
    slot: Arc<Slot>,
    local: Rc<Local>,
    base: u64,
    /// The last serial published while tearing down.
    last: Cell<u64>,
    torn_down: Cell<bool>,
}

impl Watching {
    /// Starts watching a run on this thread with `limit` (`None`: not watched).
    pub(super) fn start(local: &Rc<Local>, limit: Option<Duration>, label: RunLabel) -> Watching {
        let slot = Arc::clone(&local.slot);
        let base = local.next_serial.get();
        {
            let mut shared = lock(&slot.shared);
            shared.label = label;
            shared.base = base;
            shared.teardown_after = None;
            if local.named.replace(false) {
                shared.names.clear();
            }
        }
        let limit_ns = limit.map_or(0, |limit| {
            u64::try_from(limit.as_nanos()).unwrap_or(u64::MAX).max(1)
        });
        slot.limit_ns.store(limit_ns, Ordering::Relaxed);
        slot.clock_ns.store(0, Ordering::Relaxed);
        slot.task.store(TaskId::MAIN.0, Ordering::Relaxed);
        slot.serial.store(base, Ordering::Relaxed);
        slot.active.store(true, Ordering::Release);
        Watching {
            slot,
            local: Rc::clone(local),
            base,
            last: Cell::new(base),
            torn_down: Cell::new(false),
        }
    }

    /// `task` is about to be polled as step `step`.
    #[inline(always)]
    pub(super) fn poll(&self, task: TaskId, step: u64) {
        self.slot.task.store(task.0, Ordering::Relaxed);
        // Release: what was published at the task's spawn is visible with the serial.
        self.slot
            .serial
            .store(self.base.wrapping_add(step), Ordering::Release);
    }

    /// The virtual clock moved to `now_ns`.
    #[inline]
    pub(super) fn clock(&self, now_ns: u64) {
        self.slot.clock_ns.store(now_ns, Ordering::Relaxed);
    }

    /// The run is being torn down after `step` steps; `task`'s future is about to be dropped.
    pub(super) fn dropping(&self, task: TaskId, step: u64) {
        if !self.torn_down.replace(true) {
            lock(&self.slot.shared).teardown_after = Some(step);
        }
        let serial = self.last.get().max(self.base.wrapping_add(step)) + 1;
        self.last.set(serial);
        self.slot.task.store(task.0, Ordering::Relaxed);
        self.slot.serial.store(serial, Ordering::Release);
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        self.slot.active.store(false, Ordering::Release);
        // Only this thread stores the serial: reading it back gives the last one published.
        let last = self
            .slot
            .serial
            .load(Ordering::Relaxed)
            .max(self.last.get());
        self.local.next_serial.set(last.wrapping_add(1));
    }
}
