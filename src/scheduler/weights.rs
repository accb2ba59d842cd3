//! Weights of ready tasks in arrival order, with prefix sums in O(log n): what lets a
//! scheduler draw "the first task, in arrival order, whose running total passes a target"
//! without a pass over the ready set.

use crate::id::TaskId;

/// A Fenwick tree (Fenwick, "A New Data Structure for Cumulative Frequency Tables", 1994) over
/// the ready tasks a scheduler has seen, one position each, in arrival order.
///
/// A task leaves by getting weight 0; the positions are compacted when most of them are empty.
#[derive(Clone, Debug, Default)]
pub(crate) struct ArrivalWeights {
    /// 1-based: `tree[i]` sums the weights of positions `i - lowbit(i) .. i`.
    tree: Vec<u64>,
    /// By position.
    entries: Vec<Entry>,
    /// By task id: the task's position + 1, or 0.
    position_of: Vec<u32>,
    live: usize,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    arrival: u32,
    task: TaskId,
    weight: u64,
}

impl ArrivalWeights {
    /// Forgets every task.
    pub(crate) fn clear(&mut self) {
        for entry in &self.entries {
            if let Some(position) = self.position_of.get_mut(entry.task.index()) {
                *position = 0;
            }
        }
        self.tree.clear();
        self.entries.clear();
        self.live = 0;
    }

    /// Appends `task`, which arrived as `arrival` (after every task pushed so far).
    pub(crate) fn push(&mut self, arrival: u32, task: TaskId, weight: u64) {
        debug_assert!(weight > 0, "a ready task weighs at least 1");
        if self.entries.len() >= 64 && self.entries.len() >= 2 * self.live {
            self.compact();
        }
        self.entries.push(Entry {
            arrival,
            task,
            weight,
        });
        let index = self.entries.len();
        // The new node covers `index - lowbit(index) .. index`: its own weight plus the nodes
        // below it that cover the rest of that range.
        let lowbit = index & index.wrapping_neg();
        let mut sum = weight;
        let mut below = index - 1;
        while below > index - lowbit {
            sum += self.tree[below - 1];
            below -= below & below.wrapping_neg();
        }
        self.tree.push(sum);
        if self.position_of.len() <= task.index() {
            self.position_of.resize(task.index() + 1, 0);
        }
        self.position_of[task.index()] = index as u32;
        self.live += 1;
    }

    /// The arrival number of `task`, if it is here.
    pub(crate) fn arrival_of(&self, task: TaskId) -> Option<u32> {
        let position = *self.position_of.get(task.index())?;
        (position > 0).then(|| self.entries[position as usize - 1].arrival)
    }

    /// Gives `task`, which must be here, the weight `weight`.
    pub(crate) fn set(&mut self, task: TaskId, weight: u64) {
        let index = self.position_of[task.index()] as usize;
        let old = std::mem::replace(&mut self.entries[index - 1].weight, weight);
        self.add(index, weight.wrapping_sub(old));
    }

    /// Takes `task`, which must be here, out.
    pub(crate) fn remove(&mut self, task: TaskId) {
        self.set(task, 0);
        self.position_of[task.index()] = 0;
        self.live -= 1;
    }

    /// The sum of every weight.
    pub(crate) fn total(&self) -> u64 {
        let mut index = self.tree.len();
        let mut sum = 0u64;
        while index > 0 {
            sum = sum.wrapping_add(self.tree[index - 1]);
            index -= index & index.wrapping_neg();
        }
        sum
    }

    /// The first task, in arrival order, at which the running total of the weights exceeds
    /// `target` (which must be below `total()`), as (arrival, task).
    pub(crate) fn find(&self, target: u64) -> (u32, TaskId) {
        let len = self.tree.len();
        let mut index = 0;
        let mut rest = target;
        let mut step = if len == 0 { 0 } else { 1 << len.ilog2() };
        while step > 0 {
            let next = index + step;
            if next <= len && self.tree[next - 1] <= rest {
                index = next;
                rest -= self.tree[next - 1];
            }
            step >>= 1;
        }
        let entry = self.entries[index];
        (entry.arrival, entry.task)
    }

    /// Adds `delta` (wrapping, so a decrease is a wrapped negative) at 1-based `index`.
    fn add(&mut self, mut index: usize, delta: u64) {
        while index <= self.tree.len() {
            self.tree[index - 1] = self.tree[index - 1].wrapping_add(delta);
            index += index & index.wrapping_neg();
        }
    }

    /// Drops the positions of the tasks that left, keeping the order of the rest.
    fn compact(&mut self) {
        let kept: Vec<Entry> = self
            .entries
            .iter()
            .copied()
            .filter(|entry| entry.weight > 0)
            .collect();
        self.clear();
        for entry in kept {
            self.push(entry.arrival, entry.task, entry.weight);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pass over the tasks that the tree replaces.
    fn scan(weights: &[(TaskId, u64)], mut target: u64) -> TaskId {
        for &(task, weight) in weights {
            if target < weight {
                return task;
            }
            target -= weight;
        }
        unreachable!("target below the total")
    }

    // Goal: after any mix of pushes, reweighs and removals, the tree finds what a pass finds.
    #[test]
    fn finds_what_a_pass_over_the_tasks_finds() {
        let mut tree = ArrivalWeights::default();
        let mut live: Vec<(TaskId, u64)> = Vec::new();
        let mut next = 0u32;
        let mut draw = crate::test_support::draws(0x9e37_79b9_7f4a_7c15u64);
        for round in 0..3000u64 {
            match draw(4) {
                0 | 1 => {
                    let weight = 1 + draw(20);
                    tree.push(next, TaskId::from_u32(next), weight);
                    live.push((TaskId::from_u32(next), weight));
                    next += 1;
                }
                2 if !live.is_empty() => {
                    let at = draw(live.len() as u64) as usize;
                    let weight = 1 + draw(20);
                    live[at].1 = weight;
                    tree.set(live[at].0, weight);
                }
                _ if !live.is_empty() => {
                    let at = draw(live.len() as u64) as usize;
                    tree.remove(live.remove(at).0);
                }
                _ => {}
            }
            let total: u64 = live.iter().map(|&(_, weight)| weight).sum();
            assert_eq!(tree.total(), total, "round {round}");
            if total > 0 {
                let target = draw(total);
                assert_eq!(tree.find(target).1, scan(&live, target), "round {round}");
            }
        }
    }
}
