//! asyncpg: connect, query, close, against a simulated database.
//!
//! ```python
//! async def fetch_users():
//!     conn = await asyncpg.connect(user="user", password="password",
//!                                  database="testdb", host="127.0.0.1")
//!     rows = await conn.fetch("SELECT * FROM users")
//!     await conn.close()
//!     return rows
//! ```
//!
//! A small database service on the simulated host `db` answers `SELECT * FROM users`; a
//! `net::Connection` is the asyncpg connection. The example fetches the users, then crashes the
//! database in the middle of the second query: the crash resets the connection's TCP stream
//! and the error (`connection to db reset`) reaches the caller at once, with the connection
//! closed; then a retry against the restarted database succeeds. The body is `db_query` in `simloop_programs::guide`.
//!
//! ```text
//! cargo run --example db_query -- [--seed N] [--strategy fifo|random|pct:3|pos]
//! ```

use simloop_programs::{args, guide as programs};

fn main() {
    let played = programs::play_db_query(&args::from_env().config());
    print!("{}", played.text);
    std::process::exit(if played.ok { 0 } else { 1 });
}
