//! `asyncio.gather` of three fetches.
//!
//! ```python
//! async def main():
//!     results = await asyncio.gather(fetch_data(1), fetch_data(2), fetch_data(3))
//!     for idx, result in enumerate(results, 1):
//!         print(f"Data {idx}: {result}")
//! ```
//!
//! `simloop::gather` wraps each future in a task in argument order, so they start at t=0 in
//! that order; all three finish at t=3 and the results come back in argument order, whatever
//! order they finished in. The body is `gather_fetches` in `examples/common/programs.rs`.
//!
//! ```text
//! cargo run --example gather -- [--seed N] [--strategy fifo|random|pct:3|pos]
//! ```

use simloop_programs::{args, guide as programs};

fn main() {
    let played = programs::play_gather(&args::from_env().config());
    print!("{}", played.text);
    std::process::exit(if played.ok { 0 } else { 1 });
}
