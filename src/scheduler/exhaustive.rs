//! `Exhaustive`: every schedule of a small test within a preemption bound (stateless model
//! checking with iterative preemption bounding; Musuvathi and Qadeer, "Iterative context
//! bounding for systematic testing of multithreaded programs", PLDI 2007).
//!
//! The search is a depth-first walk over choice points, one run per schedule. At each choice
//! point the default is to keep running the task that ran last, if it is still ready (no
//! preemption), else the oldest ready task. Running any other task while the last one is still
//! ready costs one preemption; alternatives that would exceed the bound are never tried.

use std::cell::RefCell;
use std::rc::Rc;

use super::{Divergence, ReadyTask, ReadyView, Scheduler};

#[derive(Clone, Debug)]
struct Frame {
    options: usize,
    chosen: usize,
    untried: Vec<usize>,
    preemptions_after: u32,
}

/// The depth-first search shared by the runs of one exhaustive exploration.
#[derive(Debug, Default)]
pub(crate) struct Search {
    bound: u32,
    stack: Vec<Frame>,
    runs: u64,
    finished: bool,
}

impl Search {
    pub(crate) fn new(bound: u32) -> Rc<RefCell<Search>> {
        Rc::new(RefCell::new(Search {
            bound,
            ..Search::default()
        }))
    }

    /// Moves to the next schedule after a run; false once every schedule has been run.
    pub(crate) fn advance(&mut self) -> bool {
        self.runs += 1;
        while let Some(frame) = self.stack.last_mut() {
            if let Some(next) = frame.untried.pop() {
                frame.chosen = next;
                return true;
            }
            self.stack.pop();
        }
        self.finished = true;
        false
    }

    pub(crate) fn runs(&self) -> u64 {
        self.runs
    }

    pub(crate) fn finished(&self) -> bool {
        self.finished
    }
}

/// Follows one path of a [`Search`]: the recorded choices first, then defaults that extend it.
pub(crate) struct ExhaustiveScheduler {
    search: Rc<RefCell<Search>>,
    depth: usize,
}

impl ExhaustiveScheduler {
    pub(crate) fn new(search: Rc<RefCell<Search>>) -> ExhaustiveScheduler {
        ExhaustiveScheduler { search, depth: 0 }
    }
}

impl Scheduler for ExhaustiveScheduler {
    fn pick(&mut self, ready: &ReadyView<'_>) -> Result<ReadyTask, Divergence> {
        let options: Vec<ReadyTask> = ready.iter().collect();
        let previous = ready
            .previous()
            .and_then(|task| options.iter().position(|option| option.task == task));
        let mut search = self.search.borrow_mut();
        let bound = search.bound;
        let before = match self.depth {
            0 => 0,
            depth => search.stack[depth - 1].preemptions_after,
        };
        let cost = |option: usize| u32::from(previous.is_some_and(|p| p != option));
        if self.depth == search.stack.len() {
            let chosen = previous.unwrap_or(0);
            let untried = (0..options.len())
                .rev()
                .filter(|&option| option != chosen && before + cost(option) <= bound)
                .collect();
            search.stack.push(Frame {
                options: options.len(),
                chosen,
                untried,
                preemptions_after: 0,
            });
        }
        let frame = &mut search.stack[self.depth];
        if frame.options != options.len() {
            return Err(Divergence::new(format!(
                "exhaustive search: choice point {} offered {} tasks, earlier {}; the program is \
                 not deterministic",
                self.depth,
                options.len(),
                frame.options
            )));
        }
        frame.preemptions_after = before + cost(frame.chosen);
        let chosen = options[frame.chosen];
        self.depth += 1;
        Ok(chosen)
    }

    fn name(&self) -> String {
        format!("exhaustive:{}", self.search.borrow().bound)
    }
}
