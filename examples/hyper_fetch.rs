//! aiohttp's program again, on real HTTP: hyper 1.x over simulated TCP.
//!
//! ```python
//! async def fetch(session, url, semaphore):
//!     async with semaphore:
//!         async with session.get(url) as response:
//!             return await response.text()
//!
//! async def main():
//!     async with aiohttp.ClientSession() as session:
//!         print(await fetch(session, "http://api/", asyncio.Semaphore(1)))
//!         semaphore = asyncio.Semaphore(3)
//!         await asyncio.gather(*(fetch(session, "http://api/", semaphore)
//!                                for _ in range(10)), return_exceptions=True)
//! ```
//!
//! A hyper server (`hyper::server::conn::http1`) runs on host `api` and answers after a
//! 100 ms handler delay; the client (`hyper::client::conn::http1`) runs on host `app`. Both
//! sit on `simloop::net::TcpListener`/`TcpStream` through hyper-util's `TokioIo`. Every link
//! takes 10 ms, so a GET on a fresh connection takes 140 ms: the connect's round trip, the
//! request, the handler, the response. The ten GETs through `Semaphore(3)` take four rounds.
//! The body is `hyper_fetch` in `simloop_programs::guide`.
//!
//! ```text
//! cargo run --example hyper_fetch -- [--seed N] [--strategy fifo|random|pct:3|pos]
//! ```

use simloop_programs::{args, guide as programs};

fn main() {
    let played = programs::play_hyper_fetch(&args::from_env().config());
    print!("{}", played.text);
    std::process::exit(if played.ok { 0 } else { 1 });
}
