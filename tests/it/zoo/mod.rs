//! The bug zoo under the default configuration, and what the strategies that find it promise.

#[path = "../../../examples/common/zoo.rs"]
mod programs;

mod bugs;
mod strategies;
