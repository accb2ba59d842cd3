//! The guide's first program: two fetches awaited one after the other.
//!
//! ```python
//! async def main():
//!     data_one = await fetch_data(1)   # prints, sleeps 3 s, prints
//!     data_two = await fetch_data(2)
//!     print(f"Data one: {data_one}")
//!     print(f"Data two: {data_two}")
//! ```
//!
//! Each fetch starts when the previous one ends, so the run ends at t=6 of virtual time (and
//! takes microseconds of real time). The body is `fetch_sequential` in
//! `examples/common/programs.rs`.
//!
//! ```text
//! cargo run --example fetch_sequential -- [--seed N] [--strategy fifo|random|pct:3|pos]
//! ```

use simloop_programs::{args, guide as programs};

fn main() {
    let played = programs::play_fetch_sequential(&args::from_env().config());
    print!("{}", played.text);
    std::process::exit(if played.ok { 0 } else { 1 });
}
