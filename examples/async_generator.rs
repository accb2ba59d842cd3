//! An async generator consumed with `async for`.
//!
//! ```python
//! async def async_generator():
//!     for i in range(5):
//!         await asyncio.sleep(1)
//!         yield i
//!
//! async def main():
//!     async for number in async_generator():
//!         print(f"Received number: {number}")
//! ```
//!
//! The generator is a `futures::Stream` (`stream::unfold`) and `async for` is
//! `while let Some(number) = stream.next().await`. Like a generator, the stream computes an
//! item only when asked, so the numbers arrive at t=1, 2, 3, 4 and 5. The body is `async_for`
//! in `examples/common/programs.rs`.
//!
//! ```text
//! cargo run --example async_generator -- [--seed N] [--strategy fifo|random|pct:3|pos]
//! ```

use simloop_programs::{args, guide as programs};

fn main() {
    let played = programs::play_async_generator(&args::from_env().config());
    print!("{}", played.text);
    std::process::exit(if played.ok { 0 } else { 1 });
}
