//! The asyncpg program over a real wire protocol: `tokio-postgres` against a `pgwire` server,
//! two simulated hosts, one simulation.

use std::io::ErrorKind;
use std::time::Duration;

use simloop::net;
use simloop::time::{now, sleep};
use simloop::{check_with, Config};
use simloop_programs::guide::Record;
use simloop_programs::postgres::{
    self as pg, fetch_users, pg_query, pg_world, serve_postgres, DbError, CRASH_AT, LINK_LATENCY,
    QUERY_TIME,
};

use super::{assert_lines, fifo_in};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn users() -> Vec<Record> {
    pg::USERS
        .iter()
        .map(|&(id, name)| Record {
            id,
            name: name.to_owned(),
        })
        .collect()
}

/// One `fetch_users`: the TCP handshake, the startup exchange and the query are a round trip
/// each, and the server holds the query for `QUERY_TIME`.
fn one_fetch() -> Duration {
    LINK_LATENCY * 2 * 3 + QUERY_TIME
}

// Goal: under Fifo the program's timeline is exact: the rows at 16 ms, the crash's reset at the
// crash instant (no timeout), the rows again at 25 + 16 = 41 ms.
#[test]
fn postgres_timeline_is_exact() {
    assert_eq!(one_fetch(), ms(16));
    let run = fifo_in(pg_world()).run(pg_query());
    let reset = "fetch_users failed: postgres: error communicating with the server: simloop: \
                 connection tcp(db:5432->client:49153) reset: host crashed";
    assert_lines(
        &run,
        &[
            ("0.016s", "main", "<Record id=1 name='alice'>"),
            ("0.016s", "main", "<Record id=2 name='bob'>"),
            ("0.016s", "main", "<Record id=3 name='carol'>"),
            ("0.025s", "failover", "db crashes mid-query and restarts"),
            ("0.025s", "main", reset),
            ("0.041s", "main", "<Record id=1 name='alice'>"),
            ("0.041s", "main", "<Record id=2 name='bob'>"),
            ("0.041s", "main", "<Record id=3 name='carol'>"),
        ],
    );
    let outcomes = run.result.as_ref().unwrap();
    assert_eq!(outcomes[0].as_ref().unwrap(), &users());
    assert_eq!(
        outcomes[1].as_ref().unwrap_err().io_kind(),
        Some(ErrorKind::ConnectionReset)
    );
    assert_eq!(outcomes[2].as_ref().unwrap(), &users());
    assert_eq!(run.elapsed, CRASH_AT + one_fetch());
}

// Goal: under `check` with the default config (seeded random schedules, segmentation), every
// seed returns the rows, sees the reset at the crash instant and ends at the same virtual time.
#[test]
fn postgres_program_holds_under_check() {
    let config = Config::default().with_iterations(50).with_world(pg_world());
    check_with(config, || async {
        let outcomes = pg_query().await;
        assert_eq!(outcomes[0].as_ref().unwrap(), &users());
        let error = outcomes[1].as_ref().unwrap_err();
        assert_eq!(error.io_kind(), Some(ErrorKind::ConnectionReset), "{error}");
        assert_eq!(outcomes[2].as_ref().unwrap(), &users());
        assert_eq!(now().since_start(), CRASH_AT + one_fetch());
    });
}

// Goal: a crash of the database host with no restart, at any moment of a fetch once the TCP
// handshake is done (before it, connect retries its SYN as TCP does) and before the rows
// arrive, gives the client an error
// at that very instant, never a hang.
#[test]
fn a_crash_at_any_moment_fails_the_fetch_at_once() {
    for crash_at in (LINK_LATENCY * 2).as_millis() as u64..one_fetch().as_millis() as u64 {
        let config = Config::default().with_iterations(5).with_world(pg_world());
        check_with(config, move || async move {
            serve_postgres().await.detach();
            let crasher = simloop::task::spawn(async move {
                sleep(ms(crash_at)).await;
                net::crash("db").unwrap();
            });
            let error = fetch_users()
                .await
                .expect_err("the crash comes before the rows");
            assert!(
                error.io_kind() == Some(ErrorKind::ConnectionReset)
                    || matches!(&error, DbError::Postgres(e) if e.is_closed()),
                "crash at {crash_at} ms: {error}"
            );
            assert_eq!(now().since_start(), ms(crash_at), "{error}");
            crasher.await.unwrap();
        });
    }
}
