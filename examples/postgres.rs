//! asyncpg against a real PostgreSQL wire protocol: the `tokio-postgres` client on host `app`
//! and a `pgwire` server on host `db`, over `simloop::net`'s simulated TCP.
//!
//! ```python
//! async def fetch_users():
//!     conn = await asyncpg.connect(user="user", host="db")
//!     rows = await conn.fetch("SELECT * FROM users")
//!     await conn.close()
//!     return rows
//! ```
//!
//! The example fetches the users, then crashes the database in the middle of the second query:
//! the client's connection is reset and the error reaches the caller at once; then a retry
//! against the restarted database succeeds. The body is `pg_query` in
//! `simloop_programs::postgres`.
//!
//! ```text
//! cargo run --example postgres -- [--seed N] [--strategy fifo|random|pct:3|pos]
//! ```

use simloop_programs::{args, postgres};

fn main() {
    let played = postgres::play_postgres(&args::from_env().config());
    print!("{}", played.text);
    std::process::exit(if played.ok { 0 } else { 1 });
}
