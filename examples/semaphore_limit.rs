//! `asyncio.Semaphore(3)` limiting ten concurrent fetches.
//!
//! ```python
//! async def fetch(session, url, semaphore):
//!     async with semaphore:
//!         async with session.get(url) as response:
//!             return await response.text()
//!
//! async def main():
//!     semaphore = asyncio.Semaphore(3)
//!     results = await asyncio.gather(*(fetch(session, url, semaphore) for url in urls))
//! ```
//!
//! Each fetch here takes one second. The permit is a value released when dropped: that is
//! `async with`. `simloop::sync::Semaphore` hands a released permit to the longest waiter
//! (CPython 3.13), so the fetches start in rounds: 0, 1 and 2 at t=0, then 3 to 5 at t=1, 6 to
//! 8 at t=2, 9 at t=3. All are done at t=4, never more than three inside, and the results are in
//! argument order. The body is `semaphore_limit` in `examples/common/programs_sync.rs`.
//!
//! ```text
//! cargo run --example semaphore_limit -- [--seed N] [--strategy fifo|random|pct:3|pos]
//! ```

use simloop_programs::{args, guide as programs};

fn main() {
    let played = programs::play_semaphore_limit(&args::from_env().config());
    print!("{}", played.text);
    std::process::exit(if played.ok { 0 } else { 1 });
}
