//! `timer_heap`: the run loop's timer heap against a naive sorted-list model.
//!
//! The bytes are a program of heap operations, one opcode byte (taken `mod 5`) and its
//! operand bytes each; a missing operand reads as `0`. Every answer of the heap (pending or
//! not, the next deadline, which timers fire and in which order) must equal the model's, which
//! keeps pending timers in a `Vec` sorted by (deadline, registration order): the order asyncio
//! runs callbacks due at the same instant in.

use simloop::__fuzz::{TimerHeap, TimerKey};

/// A pending timer in the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Pending {
    deadline_ns: u64,
    label: u32,
}

/// The model: pending timers sorted by (deadline, label), labels being registration numbers.
#[derive(Default)]
struct Model {
    pending: Vec<Pending>,
}

impl Model {
    fn insert(&mut self, timer: Pending) {
        let at = self.pending.partition_point(|other| *other <= timer);
        self.pending.insert(at, timer);
    }

    fn remove(&mut self, label: u32) -> bool {
        let before = self.pending.len();
        self.pending.retain(|timer| timer.label != label);
        self.pending.len() != before
    }

    fn is_pending(&self, label: u32) -> bool {
        self.pending.iter().any(|timer| timer.label == label)
    }

    fn fire_due(&mut self, now_ns: u64) -> Vec<u32> {
        let due = self
            .pending
            .partition_point(|timer| timer.deadline_ns <= now_ns);
        self.pending.drain(..due).map(|timer| timer.label).collect()
    }
}

/// Reads operand bytes, `0` once the input runs out.
struct Bytes<'a>(std::slice::Iter<'a, u8>);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        self.0.next().copied().unwrap_or(0)
    }
}

/// Runs one input.
pub fn run(data: &[u8]) {
    let mut heap = TimerHeap::new();
    let mut model = Model::default();
    let mut keys: Vec<TimerKey> = Vec::new();
    let mut now_ns = 0u64;
    let mut bytes = Bytes(data.iter());
    while let Some(&opcode) = bytes.0.next() {
        match opcode % 5 {
            0 => {
                // Deadlines cluster within a few ticks of now, so ties are common.
                let deadline_ns = now_ns + u64::from(bytes.byte() % 8);
                let label = keys.len() as u32;
                keys.push(heap.insert(deadline_ns, label));
                model.insert(Pending { deadline_ns, label });
            }
            1 => {
                if let Some(label) = pick(&keys, bytes.byte()) {
                    let was = heap.cancel(keys[label as usize]);
                    assert_eq!(was, model.remove(label), "cancel of timer {label}");
                }
            }
            2 => {
                now_ns += u64::from(bytes.byte() % 8);
                assert_eq!(
                    heap.fire_due(now_ns),
                    model.fire_due(now_ns),
                    "fired at {now_ns}"
                );
            }
            3 => {
                let expected = model.pending.first().map(|timer| timer.deadline_ns);
                assert_eq!(heap.next_deadline(), expected, "next deadline");
            }
            _ => {
                if let Some(label) = pick(&keys, bytes.byte()) {
                    heap.update_waker(keys[label as usize]);
                    assert_eq!(
                        heap.is_pending(keys[label as usize]),
                        model.is_pending(label),
                        "is_pending of timer {label}"
                    );
                }
            }
        }
    }
    for (label, key) in keys.iter().enumerate() {
        assert_eq!(heap.is_pending(*key), model.is_pending(label as u32));
    }
    // Draining everything leaves both empty, in the same order.
    assert_eq!(heap.fire_due(u64::MAX), model.fire_due(u64::MAX));
    assert_eq!(heap.next_deadline(), None);
}

/// A timer registered so far, chosen by `byte` (folded with `mod`).
fn pick(keys: &[TimerKey], byte: u8) -> Option<u32> {
    (!keys.is_empty()).then(|| (usize::from(byte) % keys.len()) as u32)
}
