//! Run loop behaviour: asyncio's scheduling rules, time, tasks, failures, determinism.

mod determinism;
mod failures;
mod gather;
mod hostile;
mod ordering;
mod tasks;
mod time;
