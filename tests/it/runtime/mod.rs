//! Run loop behaviour: asyncio's scheduling rules, time, tasks, failures, determinism.

mod aborts;
mod determinism;
mod failures;
mod foreign;
mod gather;
mod handles;
mod hostile;
mod ordering;
mod tasks;
mod time;
