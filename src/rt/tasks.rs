//! The task table: one record per task ever spawned in a run, indexed by [`TaskId`].

use std::panic::Location;
use std::rc::Rc;
use std::task::Waker;

use super::recycle;
use crate::id::{TaskId, TaskInfo, TaskSteps};

/// Something a blocked task waits on, described for deadlock reports.
///
/// Primitives implement this on their shared state, so the description is built only when a
/// report is printed and can say who holds what at that moment.
pub(crate) trait WaitTarget {
    fn describe(&self, names: &dyn Fn(TaskId) -> String) -> String;
}

/// What a task is blocked on; set by the leaf future that returned `Pending`.
#[derive(Clone)]
pub(crate) enum WaitReason {
    Join(TaskId),
    Target(Rc<dyn WaitTarget>),
    Other(&'static str),
}

impl WaitReason {
    /// Whether `self` and `other` describe the same wait (the same target, not an equal one).
    fn same_as(&self, other: &WaitReason) -> bool {
        match (self, other) {
            (WaitReason::Join(a), WaitReason::Join(b)) => a == b,
            (WaitReason::Target(a), WaitReason::Target(b)) => Rc::ptr_eq(a, b),
            (WaitReason::Other(a), WaitReason::Other(b)) => std::ptr::eq(*a, *b),
            _ => false,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum TaskState {
    Pending,
    Finished,
    Cancelled,
}

/// Two bits per task that the run loop reads at every step, packed so that a million tasks'
/// worth stays in the cache while their full records cannot: reading a record at every poll
/// would be a cache miss per step.
#[derive(Default)]
struct Flags {
    words: Vec<u64>,
}

/// The task was aborted: its next poll drops it (nested in `abort`, or after the poll it was
/// aborted in, or at teardown).
const ABORTED: u32 = 0;
/// The task's wait reason (in `TaskTable::waits`) was set during its last poll, so it says what
/// the task waits on now; without the flag the reason is stale.
const WAITING: u32 = 1;

/// `TaskRecord::wait` of a task that has no place in `TaskTable::waits`.
const NO_WAIT: u32 = u32::MAX;

impl Flags {
    const PER_WORD: usize = 32;

    fn push(&mut self, id: TaskId) {
        if id.index() % Flags::PER_WORD == 0 {
            self.words.push(0);
        }
    }

    fn bit(id: TaskId, flag: u32) -> (usize, u64) {
        let index = id.index();
        let shift = 2 * (index % Flags::PER_WORD) as u32 + flag;
        (index / Flags::PER_WORD, 1 << shift)
    }

    fn get(&self, id: TaskId, flag: u32) -> bool {
        let (word, bit) = Flags::bit(id, flag);
        self.words.get(word).is_some_and(|bits| bits & bit != 0)
    }

    /// Sets `flag` of `id` to `value` and returns what it was.
    fn replace(&mut self, id: TaskId, flag: u32, value: bool) -> bool {
        let (word, bit) = Flags::bit(id, flag);
        let Some(bits) = self.words.get_mut(word) else {
            return false;
        };
        let was = *bits & bit != 0;
        if value {
            *bits |= bit;
        } else {
            *bits &= !bit;
        }
        was
    }
}

/// What a task table keeps for reports and for waking a task nobody else will wake.
struct TaskRecord {
    site: &'static Location<'static>,
    /// Kept so that `abort` and teardown can schedule a task that nobody else will wake;
    /// cleared when the task ends so its allocation can be freed.
    waker: Option<Waker>,
    /// Where its wait reason is in `TaskTable::waits`, or `NO_WAIT`. A task keeps its place
    /// from its first block to its end, and the reason stays there between polls: a task that
    /// blocks on the same thing again (every loop around a queue or a lock does) then writes
    /// nothing, and a poll only clears the `WAITING` flag. The place is current while the flag
    /// is set.
    wait: u32,
    /// The task that spawned this one, `TaskId::NONE` for `main` (a plain id: it fits beside
    /// `wait` in the record's padding).
    parent: TaskId,
    /// The type of the task's future (`std::any::type_name` of it, one pointer instead of a
    /// `&str`'s two), for deadlock reports on a task that waits on something simloop does not
    /// own.
    future: fn() -> &'static str,
}

pub(crate) struct TaskTable {
    records: Vec<TaskRecord>,
    states: Vec<TaskState>,
    flags: Flags,
    /// Wait reasons of the tasks blocked right now, with free places listed in `free_waits`. A
    /// reason is 24 bytes and only blocked tasks have one, so they live here rather than in
    /// every record.
    waits: Vec<Option<WaitReason>>,
    free_waits: Vec<u32>,
    /// The names of named tasks, by id (ascending: ids are handed out in order). Kept beside the
    /// records rather than in them: most tasks have no name, and a million records are a
    /// million times whatever each one carries.
    names: Vec<(TaskId, Rc<str>)>,
    /// The group of each task that has one (ascending by id), inherited from the spawning task
    /// at spawn: the simulated network's hosts, so that a crash reaches a host's tasks and every
    /// task they spawned. Beside the records for the reason `names` is: most runs have no groups.
    groups: Vec<(TaskId, u32)>,
}

/// A dropped table's emptied buffers, kept for the next one (see [`recycle`]).
struct Buffers {
    records: Vec<TaskRecord>,
    states: Vec<TaskState>,
    flags: Vec<u64>,
    waits: Vec<Option<WaitReason>>,
    free_waits: Vec<u32>,
    names: Vec<(TaskId, Rc<str>)>,
    groups: Vec<(TaskId, u32)>,
}

thread_local! {
    static SPARE: recycle::Slot<Buffers> = const { recycle::Slot::new(None) };
}

impl Default for TaskTable {
    fn default() -> TaskTable {
        let buffers = recycle::take(&SPARE).unwrap_or(Buffers {
            records: Vec::new(),
            states: Vec::new(),
            flags: Vec::new(),
            waits: Vec::new(),
            free_waits: Vec::new(),
            names: Vec::new(),
            groups: Vec::new(),
        });
        TaskTable {
            records: buffers.records,
            states: buffers.states,
            flags: Flags {
                words: buffers.flags,
            },
            waits: buffers.waits,
            free_waits: buffers.free_waits,
            names: buffers.names,
            groups: buffers.groups,
        }
    }
}

impl Drop for TaskTable {
    fn drop(&mut self) {
        let mut buffers = Buffers {
            records: std::mem::take(&mut self.records),
            states: std::mem::take(&mut self.states),
            flags: std::mem::take(&mut self.flags.words),
            waits: std::mem::take(&mut self.waits),
            free_waits: std::mem::take(&mut self.free_waits),
            names: std::mem::take(&mut self.names),
            groups: std::mem::take(&mut self.groups),
        };
        buffers.records.clear();
        buffers.states.clear();
        buffers.flags.clear();
        buffers.waits.clear();
        buffers.free_waits.clear();
        buffers.names.clear();
        buffers.groups.clear();
        recycle::keep(&SPARE, buffers, |buffers| buffers.records.capacity());
    }
}

impl TaskTable {
    #[inline]
    pub(crate) fn insert(
        &mut self,
        name: Option<Rc<str>>,
        site: &'static Location<'static>,
        future: fn() -> &'static str,
        parent: TaskId,
    ) -> TaskId {
        let id = TaskId(self.records.len() as u32);
        if let Some(name) = name {
            self.names.push((id, name));
        }
        if !self.groups.is_empty() {
            if let Some(group) = self.group(parent) {
                self.groups.push((id, group));
            }
        }
        self.records.push(TaskRecord {
            site,
            waker: None,
            wait: NO_WAIT,
            parent,
            future,
        });
        self.states.push(TaskState::Pending);
        self.flags.push(id);
        id
    }

    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether `id` is pending, finished or cancelled.
    pub(crate) fn state(&self, id: TaskId) -> Option<TaskState> {
        self.states.get(id.index()).copied()
    }

    /// The group `id` belongs to, if any.
    pub(crate) fn group(&self, id: TaskId) -> Option<u32> {
        self.groups
            .binary_search_by_key(&id, |&(task, _)| task)
            .ok()
            .map(|at| self.groups[at].1)
    }

    /// Puts `id` in `group` (leaving the one it inherited); the tasks it spawns from now on
    /// inherit it.
    pub(crate) fn set_group(&mut self, id: TaskId, group: u32) {
        match self.groups.binary_search_by_key(&id, |&(task, _)| task) {
            Ok(at) => self.groups[at].1 = group,
            Err(at) => self.groups.insert(at, (id, group)),
        }
    }

    /// The pending tasks of `group`, in creation order.
    pub(crate) fn pending_in_group(&self, group: u32) -> Vec<TaskId> {
        self.groups
            .iter()
            .filter(|&&(id, g)| g == group && self.state(id) == Some(TaskState::Pending))
            .map(|&(id, _)| id)
            .collect()
    }

    /// The name `id` was spawned with, if any.
    #[inline]
    pub(crate) fn name(&self, id: TaskId) -> Option<&Rc<str>> {
        crate::trace::name_in(&self.names, id)
    }

    /// Records the waker that can schedule `id`, and whether it starts out aborted.
    #[inline]
    pub(crate) fn start(&mut self, id: TaskId, waker: Waker, aborted: bool) {
        if let Some(record) = self.records.get_mut(id.index()) {
            record.waker = Some(waker);
        }
        self.flags.replace(id, ABORTED, aborted);
    }

    /// `id` is about to be polled: returns whether it was aborted, and forgets what it waited
    /// on (the poll will say again).
    #[inline]
    pub(crate) fn enter(&mut self, id: TaskId) -> bool {
        self.flags.replace(id, WAITING, false);
        self.flags.get(id, ABORTED)
    }

    /// Notes what `id` is blocked on, for deadlock reports.
    #[inline]
    pub(crate) fn set_waiting_on(&mut self, id: TaskId, reason: WaitReason) {
        self.place_wait(id, |place| {
            if !place.as_ref().is_some_and(|held| held.same_as(&reason)) {
                *place = Some(reason);
            }
        });
    }

    /// Notes that `id` is blocked on the primitive at `identity`; `target` is called for a
    /// handle to keep only when the task's place does not hold that primitive already.
    #[inline]
    pub(crate) fn set_waiting_on_target(
        &mut self,
        id: TaskId,
        identity: *const (),
        target: impl FnOnce() -> Rc<dyn WaitTarget>,
    ) {
        self.place_wait(id, |place| {
            let held = matches!(
                place,
                Some(WaitReason::Target(held)) if std::ptr::eq(Rc::as_ptr(held).cast(), identity)
            );
            if !held {
                *place = Some(WaitReason::Target(target()));
            }
        });
    }

    /// Marks `id` waiting and lets `update` see and set the reason in its place, taking a place
    /// first if it has none.
    #[inline]
    fn place_wait(&mut self, id: TaskId, update: impl FnOnce(&mut Option<WaitReason>)) {
        let Some(record) = self.records.get_mut(id.index()) else {
            return;
        };
        self.flags.replace(id, WAITING, true);
        if record.wait == NO_WAIT {
            record.wait = match self.free_waits.pop() {
                Some(wait) => wait,
                None => {
                    self.waits.push(None);
                    (self.waits.len() - 1) as u32
                }
            };
        }
        update(&mut self.waits[record.wait as usize]);
    }

    /// Gives up the place of `id` in `waits`: it has ended.
    #[inline]
    fn forget_wait(&mut self, id: TaskId) {
        self.flags.replace(id, WAITING, false);
        let record = &mut self.records[id.index()];
        let wait = std::mem::replace(&mut record.wait, NO_WAIT);
        if wait != NO_WAIT {
            self.waits[wait as usize] = None;
            self.free_waits.push(wait);
        }
    }

    /// Marks a pending task aborted and returns a waker to schedule it with; `None` if `id`
    /// has ended or was aborted already.
    pub(crate) fn abort(&mut self, id: TaskId) -> Option<Option<Waker>> {
        if *self.states.get(id.index())? != TaskState::Pending || self.flags.get(id, ABORTED) {
            return None;
        }
        self.flags.replace(id, ABORTED, true);
        Some(self.records[id.index()].waker.clone())
    }

    /// Marks every pending task aborted (again, if it was) and returns their wakers.
    pub(crate) fn abort_all_pending(&mut self) -> Vec<Waker> {
        let mut wakers = Vec::new();
        for (index, (state, record)) in self.states.iter().zip(&self.records).enumerate() {
            if *state == TaskState::Pending {
                self.flags.replace(TaskId(index as u32), ABORTED, true);
                wakers.extend(record.waker.clone());
            }
        }
        wakers
    }

    /// Marks `id` ended and hands back its stored waker, to be dropped outside the table.
    #[inline]
    pub(crate) fn finish(&mut self, id: TaskId, state: TaskState) -> Option<Waker> {
        *self.states.get_mut(id.index())? = state;
        self.forget_wait(id);
        self.records[id.index()].waker.take()
    }

    pub(crate) fn pending_ids(&self) -> impl Iterator<Item = TaskId> + '_ {
        self.states
            .iter()
            .enumerate()
            .filter(|(_, state)| **state == TaskState::Pending)
            .map(|(index, _)| TaskId(index as u32))
    }

    /// The label the trace and reports use: the task's name, or `task-N`.
    pub(crate) fn label(&self, id: TaskId) -> String {
        match self.name(id) {
            _ if id == TaskId::NONE => "-".to_owned(),
            Some(name) => name.to_string(),
            None => format!("task-{}", id.0),
        }
    }

    /// The type of `id`'s future, as `std::any::type_name` writes it.
    pub(crate) fn future_type(&self, id: TaskId) -> &'static str {
        self.records
            .get(id.index())
            .map_or("", |record| (record.future)())
    }

    pub(crate) fn info(&self, id: TaskId) -> TaskInfo {
        let record = self.records.get(id.index());
        TaskInfo {
            id,
            name: self.name(id).map(|name| name.to_string()),
            spawned_at: record.map(|r| spawn_site(r.site)).unwrap_or_default(),
        }
    }

    pub(crate) fn describe_wait(&self, id: TaskId) -> Option<String> {
        if !self.flags.get(id, WAITING) {
            return None;
        }
        let reason = self.waits[self.records[id.index()].wait as usize].as_ref()?;
        let names = |task: TaskId| format!("`{}`", self.label(task));
        Some(match reason {
            WaitReason::Join(task) => format!("the end of task {}", names(*task)),
            WaitReason::Target(target) => target.describe(&names),
            WaitReason::Other(what) => (*what).to_owned(),
        })
    }

    /// Every task's parent and poll count (from `polls`, indexed by id), indexed by id.
    pub(crate) fn steps(&self, polls: &[u32]) -> Vec<TaskSteps> {
        self.records
            .iter()
            .enumerate()
            .map(|(index, record)| TaskSteps {
                parent: Some(record.parent).filter(|&parent| parent != TaskId::NONE),
                polls: polls.get(index).copied().unwrap_or(0),
            })
            .collect()
    }

    /// The names of the named tasks, by ascending id, for the trace's text form.
    pub(crate) fn labels(&self) -> Vec<(TaskId, Rc<str>)> {
        self.names.clone()
    }
}

/// `file:line:column`, written into a string sized for it at once (reports of a sweep with
/// leaked tasks build many of these).
fn spawn_site(site: &Location<'_>) -> String {
    // By hand rather than `format!`: a run builds one for every task it leaks, and the
    // formatting machinery costs several times the copy, and a sweep leaks tasks every run.
    let mut text = String::with_capacity(site.file().len() + 2 * 11);
    text.push_str(site.file());
    for number in [site.line(), site.column()] {
        text.push(':');
        push_decimal(&mut text, number);
    }
    text
}

/// Appends `number` in decimal.
fn push_decimal(text: &mut String, number: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    let mut rest = number;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for &digit in &digits[at..] {
        text.push(char::from(digit));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Goal: a spawn site reads as `Location`'s own display, `file:line:column`, for any number.
    #[test]
    fn spawn_sites_read_as_the_location_displays_them() {
        let here = Location::caller();
        assert_eq!(spawn_site(here), here.to_string());
        for number in [0, 7, 10, 99, 100, 4_294_967_295] {
            let mut text = String::new();
            push_decimal(&mut text, number);
            assert_eq!(text, number.to_string());
        }
    }
}
