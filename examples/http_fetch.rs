//! aiohttp: an HTTP GET over the simulated network.
//!
//! ```python
//! async def fetch(session, url):
//!     async with session.get(url) as response:
//!         return await response.text()
//!
//! async def main():
//!     async with aiohttp.ClientSession() as session:
//!         print(await fetch(session, "https://www.example.com"))
//! ```
//!
//! `simloop::net::serve` gives the host `www.example.com` a server on simulated TCP and
//! `net::Client` is the session; each GET opens a connection (the handshake's round trip), then
//! sends the request and reads the reply (another). The link's one-way latency is drawn from the
//! seed (10 to 50 ms) and one reply in five is an injected `503`: run it with other seeds to see
//! others. Then the guide's ten fetches go through `Semaphore(3)`: never more than three in
//! flight, four rounds of two round trips each, errors included. The body is `http_fetch` in
//! `simloop_programs::guide`.
//!
//! ```text
//! cargo run --example http_fetch -- [--seed N] [--strategy fifo|random|pct:3|pos]
//! ```

use simloop_programs::{args, guide as programs};

fn main() {
    let played = programs::play_http_fetch(&args::from_env().config());
    print!("{}", played.text);
    std::process::exit(if played.ok { 0 } else { 1 });
}
