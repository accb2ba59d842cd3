//! How many times each task has been polled: what `Run::task_steps` reports, what a sweep's
//! hints are built from, and what schedulers that weigh tasks by their remaining work read.

use crate::id::TaskId;

/// How many picks are buffered before they are counted.
const BATCH: usize = 1024;

/// Poll counts by task id, kept current at every step only for a scheduler that reads them.
///
/// Otherwise a step only appends the task's id to a short buffer, and the buffer is counted
/// when full: the counts of a million tasks do not fit in the cache, and bumping one chosen at
/// random stalls the step on memory, while a batch of independent bumps overlaps its misses.
pub(crate) struct PollCounts {
    counts: Vec<u32>,
    pending: Vec<TaskId>,
    live: bool,
}

impl PollCounts {
    /// Counts kept current at every step when `live`, in batches otherwise.
    pub(crate) fn new(live: bool) -> PollCounts {
        // The buffer grows to `BATCH` as the run goes: a short run (a sweep's) allocates little.
        PollCounts {
            counts: Vec::new(),
            pending: Vec::new(),
            live,
        }
    }

    /// Counts one poll of `task`.
    #[inline]
    pub(crate) fn count(&mut self, task: TaskId) {
        if self.live {
            self.bump(task);
        } else {
            self.pending.push(task);
            if self.pending.len() == BATCH {
                self.flush();
            }
        }
    }

    /// The counts so far by task id when they are kept current; empty otherwise.
    pub(crate) fn live(&self) -> &[u32] {
        if self.live {
            &self.counts
        } else {
            &[]
        }
    }

    /// Every count, by task id.
    pub(crate) fn all(&mut self) -> &[u32] {
        self.flush();
        &self.counts
    }

    fn flush(&mut self) {
        let mut pending = std::mem::take(&mut self.pending);
        for &task in &pending {
            self.bump(task);
        }
        pending.clear();
        self.pending = pending;
    }

    #[inline]
    fn bump(&mut self, task: TaskId) {
        let index = task.index();
        if self.counts.len() <= index {
            self.counts.resize(index + 1, 0);
        }
        self.counts[index] += 1;
    }
}
