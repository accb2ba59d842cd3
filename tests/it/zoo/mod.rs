//! The bug zoo under the default configuration, and what the strategies that find it promise.

use simloop_programs::zoo as programs;

mod bugs;
mod strategies;
