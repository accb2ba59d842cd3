//! `asyncio.gather` when one input fails.
//!
//! ```python
//! async def fetch_data_with_error(input_data):
//!     if input_data == 2:
//!         raise ValueError("Simulated error for input 2")
//!     await asyncio.sleep(2)
//!     return f"Data for input {input_data}"
//!
//! async def main():
//!     try:
//!         results = await asyncio.gather(*(fetch_data_with_error(i) for i in (1, 2, 3)))
//!     except ValueError as e:
//!         print(f"Caught an exception: {e}")
//! ```
//!
//! Errors are values: the input fails with `Err(ValueError)` and `gather` returns the first
//! error at once, at t=0. Like asyncio, it does not cancel inputs 1 and 3. The example plays
//! two endings: main returns at once (the run ends with both still pending; asyncio.run would
//! cancel them silently, simloop drops them and lists them), and main keeps running (both
//! finish at t=2, and their results are dropped). The body is `gather_error` in
//! `examples/common/programs.rs`.
//!
//! ```text
//! cargo run --example gather_error -- [--seed N] [--strategy fifo|random|pct:3|pos]
//! ```

use simloop_programs::{args, guide as programs};

fn main() {
    let played = programs::play_gather_error(&args::from_env().config());
    print!("{}", played.text);
    std::process::exit(if played.ok { 0 } else { 1 });
}
