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

/// The server's bytes from the end of a raw v3 startup to its `ReadyForQuery`.
async fn startup_reply() -> Vec<u8> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = simloop::net::TcpStream::connect(pg::DB_ADDR).await.unwrap();
    let body = b"user\0user\0\0";
    let mut startup = ((8 + body.len()) as u32).to_be_bytes().to_vec();
    startup.extend_from_slice(&196_608u32.to_be_bytes());
    startup.extend_from_slice(body);
    stream.write_all(&startup).await.unwrap();
    let mut reply = Vec::new();
    loop {
        let mut header = [0; 5];
        stream.read_exact(&mut header).await.unwrap();
        let len = u32::from_be_bytes(header[1..].try_into().unwrap()) as usize;
        let mut rest = vec![0; len - 4];
        stream.read_exact(&mut rest).await.unwrap();
        reply.extend_from_slice(&header);
        reply.extend_from_slice(&rest);
        if header[0] == b'Z' {
            return reply;
        }
    }
}

// Goal: the startup reply is the same bytes on every connection: the parameters in
// SERVER_PARAMETERS' order (pgwire's stock handler sends them from a HashMap, whose order
// differs between two maps even in one process) and a fixed backend key.
#[test]
fn the_startup_reply_is_the_same_bytes_every_time() {
    let run = fifo_in(pg_world()).run(async {
        serve_postgres().await.detach();
        let replies = [
            startup_reply().await,
            startup_reply().await,
            startup_reply().await,
        ];
        let mut names = Vec::new();
        let mut rest = &replies[0][..];
        while let [kind, a, b, c, d, ..] = *rest {
            let len = u32::from_be_bytes([a, b, c, d]) as usize;
            let body = &rest[5..1 + len];
            if kind == b'S' {
                let end = body.iter().position(|&byte| byte == 0).unwrap();
                names.push(String::from_utf8_lossy(&body[..end]).into_owned());
            }
            rest = &rest[1 + len..];
        }
        (replies, names)
    });
    let (replies, names) = run.result.unwrap();
    assert_eq!(replies[0], replies[1]);
    assert_eq!(replies[0], replies[2]);
    let want: Vec<&str> = pg::SERVER_PARAMETERS
        .iter()
        .map(|(name, _)| *name)
        .collect();
    assert_eq!(names, want);
}
