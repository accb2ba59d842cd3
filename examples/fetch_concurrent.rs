//! The guide's second program: two tasks created, then awaited.
//!
//! ```python
//! async def main():
//!     task_one = asyncio.create_task(fetch_data(1))
//!     task_two = asyncio.create_task(fetch_data(2))
//!     data_one = await task_one
//!     data_two = await task_two
//!     print(f"Data one: {data_one}")
//!     print(f"Data two: {data_two}")
//! ```
//!
//! `create_task` is `simloop::task::spawn_named`; awaiting the task is awaiting its
//! `JoinHandle`. As in asyncio, a new task does not run until `main` suspends, then both start
//! at t=0 in creation order, both sleep together, and the run ends at t=3, not 6. The body is
//! `fetch_concurrent` in `examples/common/programs.rs`.
//!
//! ```text
//! cargo run --example fetch_concurrent -- [--seed N] [--strategy fifo|random|pct:3|pos]
//! ```

use simloop_programs::{args, guide as programs};

fn main() {
    let played = programs::play_fetch_concurrent(&args::from_env().config());
    print!("{}", played.text);
    std::process::exit(if played.ok { 0 } else { 1 });
}
