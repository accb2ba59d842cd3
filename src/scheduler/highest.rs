//! The ready task of highest priority, kept in a heap: what PCT and POS choose, without a pass
//! over the ready set.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::id::TaskId;

/// The ready tasks a scheduler has seen, by priority and then arrival order (the first to
/// arrive wins a tie, as in a pass over the ready set in arrival order).
///
/// Entries are never updated in the heap: a new priority pushes a new entry, and an entry whose
/// task has left or changed priority is dropped when it reaches the top. A task only changes
/// priority or leaves while it is on top, so stale entries never pile up below it.
#[derive(Clone, Debug, Default)]
pub(crate) struct ArrivalHeap<P: Ord + Copy> {
    heap: BinaryHeap<(P, Reverse<u64>, TaskId)>,
    /// By task id: its current entry, if it is here, as (generation, priority, order, arrival).
    current: Vec<Option<(u64, P, u64, u32)>>,
    /// Bumped by `clear`, which makes every entry stale at once.
    generation: u64,
    /// The order the next task pushed gets.
    next: u64,
}

impl<P: Ord + Copy> ArrivalHeap<P> {
    /// Forgets every task.
    pub(crate) fn clear(&mut self) {
        self.heap.clear();
        self.generation += 1;
    }

    /// Adds `task`, which arrived as `arrival` (after every task pushed so far), at `priority`.
    pub(crate) fn push(&mut self, arrival: u32, task: TaskId, priority: P) {
        let order = self.next;
        self.next += 1;
        self.place(task, priority, order, arrival);
    }

    /// Gives `task`, which must be here, the priority `priority`.
    pub(crate) fn set(&mut self, task: TaskId, priority: P) {
        let (_, _, order, arrival) = self.entry(task).expect("the task is in the heap");
        self.place(task, priority, order, arrival);
    }

    /// Takes `task` out.
    pub(crate) fn remove(&mut self, task: TaskId) {
        if let Some(current) = self.current.get_mut(task.index()) {
            *current = None;
        }
    }

    /// The task of highest priority, first arrived among equals, as (arrival, task).
    pub(crate) fn highest(&mut self) -> Option<(u32, TaskId)> {
        while let Some(&(priority, Reverse(order), task)) = self.heap.peek() {
            match self.entry(task) {
                Some((_, now, at, arrival)) if now == priority && at == order => {
                    return Some((arrival, task));
                }
                _ => {
                    self.heap.pop();
                }
            }
        }
        None
    }

    fn entry(&self, task: TaskId) -> Option<(u64, P, u64, u32)> {
        self.current
            .get(task.index())
            .copied()
            .flatten()
            .filter(|(generation, ..)| *generation == self.generation)
    }

    fn place(&mut self, task: TaskId, priority: P, order: u64, arrival: u32) {
        if self.current.len() <= task.index() {
            self.current.resize(task.index() + 1, None);
        }
        self.current[task.index()] = Some((self.generation, priority, order, arrival));
        self.heap.push((priority, Reverse(order), task));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Goal: after pushes, priority changes and removals, the heap names the task a pass in
    // arrival order would (highest priority, first arrived among equals).
    #[test]
    fn names_what_a_pass_over_the_tasks_names() {
        let mut heap = ArrivalHeap::<u64>::default();
        let mut live: Vec<(TaskId, u64)> = Vec::new();
        let mut next = 0u32;
        let mut draw = crate::test_support::draws(0x2545_f491_4f6c_dd1du64);
        for round in 0..3000 {
            match draw(5) {
                0 | 1 => {
                    let priority = draw(8);
                    heap.push(next, TaskId::from_u32(next), priority);
                    live.push((TaskId::from_u32(next), priority));
                    next += 1;
                }
                2 if !live.is_empty() => {
                    // Like PCT's demotions, priorities change on the task on top.
                    let (top, _) = heap.highest().unwrap();
                    let at = live
                        .iter()
                        .position(|(task, _)| task.as_u32() == top)
                        .unwrap();
                    live[at].1 = draw(8);
                    heap.set(live[at].0, live[at].1);
                }
                3 if !live.is_empty() => {
                    let (_, top) = heap.highest().unwrap();
                    live.retain(|(task, _)| *task != top);
                    heap.remove(top);
                }
                4 if round % 500 == 0 => {
                    heap.clear();
                    live.clear();
                }
                _ => {}
            }
            let expected = live
                .iter()
                .fold(
                    None,
                    |best: Option<(TaskId, u64)>, &(task, priority)| match best {
                        Some((_, top)) if top >= priority => best,
                        _ => Some((task, priority)),
                    },
                )
                .map(|(task, _)| task);
            assert_eq!(
                heap.highest().map(|(_, task)| task),
                expected,
                "round {round}"
            );
        }
    }
}
