//! aiofiles: an async context manager around a file.
//!
//! ```python
//! async def read_file(file_path):
//!     async with aiofiles.open(file_path, mode="r") as f:
//!         contents = await f.read()
//!         print(contents)
//! ```
//!
//! `async with` is a value that cleans up when dropped: a `simloop::fs::File` closes when it
//! goes out of scope, on the `?` error path and when its task is aborted mid-read, because
//! aborting a task drops its future. The example plays the three paths over the simulated disk
//! (5 ms per operation): a good read, an injected read error, and an abort halfway through the
//! read, and each ends with `fs::open_handles()` at 0. The body is `async_file` in
//! `simloop_programs::guide`.
//!
//! ```text
//! cargo run --example async_file -- [--seed N] [--strategy fifo|random|pct:3|pos]
//! ```

use simloop_programs::{args, guide as programs};

fn main() {
    let played = programs::play_async_file(&args::from_env().config());
    print!("{}", played.text);
    std::process::exit(if played.ok { 0 } else { 1 });
}
