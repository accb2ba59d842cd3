//! `Schedule`: every choice of a run, as deviations from FIFO order, and its one text form.
//!
//! A run is fully determined by its seed (which also feeds user randomness and the simulated
//! world) and by the task picked at each step. Most steps of a typical failing run pick what
//! asyncio would, the oldest ready task, so a schedule lists only the steps where the pick
//! differed. Text form, version 1:
//!
//! ```text
//! v1:<seed>:<step>=<task>,<step>=<task>,...
//! ```
//!
//! `v1:1873:57=4,60=2` means: seed 1873; at step 57 run task #4, at step 60 run task #2, and at
//! every other step run the task that has been ready longest.

use std::fmt;
use std::str::FromStr;

use crate::id::TaskId;

/// One step where the run did not pick the oldest ready task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Deviation {
    /// The step (0 for the first poll).
    pub step: u64,
    /// The task that ran instead of the oldest ready one.
    pub task: TaskId,
}

/// The choices of one run; `Display` and `FromStr` round-trip exactly.
///
/// # Examples
///
/// ```
/// use simloop::Schedule;
///
/// let schedule: Schedule = "v1:1873:57=4,60=2".parse().unwrap();
/// assert_eq!(schedule.seed(), 1873);
/// assert_eq!(schedule.deviations().len(), 2);
/// assert_eq!(schedule.to_string(), "v1:1873:57=4,60=2");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Schedule {
    seed: u64,
    deviations: Vec<Deviation>,
}

impl Schedule {
    /// A schedule for `seed` with the given deviations (sorted by step, one per step).
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::{scheduler::Deviation, task::TaskId, Schedule};
    ///
    /// let s = Schedule::new(3, vec![Deviation { step: 5, task: TaskId::from_u32(2) }]);
    /// assert_eq!(s.to_string(), "v1:3:5=2");
    /// ```
    pub fn new(seed: u64, mut deviations: Vec<Deviation>) -> Schedule {
        deviations.sort();
        deviations.dedup_by_key(|deviation| deviation.step);
        Schedule { seed, deviations }
    }

    /// The seed of the run.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The steps that did not run the oldest ready task, in step order.
    pub fn deviations(&self) -> &[Deviation] {
        &self.deviations
    }

    #[inline]
    pub(crate) fn push(&mut self, deviation: Deviation) {
        if self.deviations.capacity() == 0 {
            // A run that deviates once usually deviates dozens of times: one allocation of
            // room for 32 rather than growing from 4 through four reallocations.
            self.deviations.reserve_exact(32);
        }
        self.deviations.push(deviation);
    }

    pub(crate) fn for_seed(seed: u64) -> Schedule {
        Schedule {
            seed,
            deviations: Vec::new(),
        }
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v1:{}:", self.seed)?;
        for (index, deviation) in self.deviations.iter().enumerate() {
            let sep = if index == 0 { "" } else { "," };
            write!(f, "{sep}{}={}", deviation.step, deviation.task.as_u32())?;
        }
        Ok(())
    }
}

/// Why a schedule string could not be read: the byte position and what was expected there.
///
/// # Examples
///
/// ```
/// let err = "v2:1:".parse::<simloop::Schedule>().unwrap_err();
/// assert_eq!(err.position(), 0);
/// assert!(err.to_string().contains("v1:"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduleError {
    position: usize,
    expected: String,
}

impl ScheduleError {
    fn at(position: usize, expected: impl Into<String>) -> ScheduleError {
        ScheduleError {
            position,
            expected: expected.into(),
        }
    }

    /// The byte offset in the input where reading failed.
    pub fn position(&self) -> usize {
        self.position
    }
}

impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid schedule at byte {}: expected {} (the form is `v1:<seed>:<step>=<task>,...`)",
            self.position, self.expected
        )
    }
}

impl std::error::Error for ScheduleError {}

fn parse_number<T: FromStr>(text: &str, offset: usize, what: &str) -> Result<T, ScheduleError> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ScheduleError::at(offset, what));
    }
    text.parse()
        .map_err(|_| ScheduleError::at(offset, format!("{what} (this one is too large)")))
}

impl FromStr for Schedule {
    type Err = ScheduleError;

    fn from_str(text: &str) -> Result<Schedule, ScheduleError> {
        let text = text.trim();
        let Some(rest) = text.strip_prefix("v1:") else {
            let version = text.split(':').next().unwrap_or_default();
            let expected = if version.starts_with('v') && text.contains(':') {
                format!("version `v1:` (this schedule is `{version}`, from another version)")
            } else {
                "`v1:`".to_owned()
            };
            return Err(ScheduleError::at(0, expected));
        };
        let seed_end = rest
            .find(':')
            .ok_or_else(|| ScheduleError::at(text.len(), "`:` after the seed"))?;
        let seed = parse_number(&rest[..seed_end], 3, "a seed (a decimal u64)")?;
        let mut offset = 3 + seed_end + 1;
        let body = &rest[seed_end + 1..];
        let mut deviations = Vec::new();
        if !body.is_empty() {
            for item in body.split(',') {
                let Some((step, task)) = item.split_once('=') else {
                    return Err(ScheduleError::at(offset, "`<step>=<task>`"));
                };
                let step: u64 = parse_number(step, offset, "a step number")?;
                let task: u32 = parse_number(task, offset + step_len(item), "a task number")?;
                if let Some(last) = deviations.last() {
                    let last: &Deviation = last;
                    if last.step >= step {
                        return Err(ScheduleError::at(
                            offset,
                            format!("a step after {} (steps must increase)", last.step),
                        ));
                    }
                }
                deviations.push(Deviation {
                    step,
                    task: TaskId::from_u32(task),
                });
                offset += item.len() + 1;
            }
        }
        Ok(Schedule { seed, deviations })
    }
}

fn step_len(item: &str) -> usize {
    item.find('=').map_or(0, |eq| eq + 1)
}
