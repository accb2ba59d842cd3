//! `asyncio.Queue` between a producer and a consumer.
//!
//! ```python
//! async def producer(queue, n):
//!     for i in range(n):
//!         item = f"item-{i}"
//!         await queue.put(item)
//!         print(f"Produced {item}")
//!         await asyncio.sleep(1)
//!     await queue.put(None)  # Sentinel to signal completion
//!
//! async def consumer(queue):
//!     while True:
//!         item = await queue.get()
//!         if item is None:
//!             break
//!         print(f"Consumed {item}")
//!         await asyncio.sleep(2)
//! ```
//!
//! `simloop::sync::Queue` follows asyncio's: a `put` on an unbounded queue never waits and
//! a woken `get` runs one step later. The consumer is slower, so items pile up; it takes the
//! last one at t=8 and the sentinel at t=10. At t=2 and t=4 two timers are due at once: under
//! Fifo the consumer's, set earlier, fires first; other strategies may swap the two lines, but
//! in every schedule each item is consumed once, in order, and the run ends at t=10. The second
//! version ends with `queue.shutdown()` (Python 3.13) instead of a sentinel. The bodies are
//! in `examples/common/programs_sync.rs`.
//!
//! ```text
//! cargo run --example producer_consumer -- [--seed N] [--strategy fifo|random|pct:3|pos]
//! ```

use simloop_programs::{args, guide as programs};

fn main() {
    let played = programs::play_producer_consumer(&args::from_env().config());
    print!("{}", played.text);
    std::process::exit(if played.ok { 0 } else { 1 });
}
