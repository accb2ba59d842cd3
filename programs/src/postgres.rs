//! The asyncpg program over a real PostgreSQL wire protocol: the `tokio-postgres` client on host
//! `app` talks to a `pgwire` server on host `db` through `simloop::net`'s simulated TCP.
//!
//! ```python
//! async def fetch_users():
//!     conn = await asyncpg.connect(user="user", host="db")
//!     rows = await conn.fetch("SELECT * FROM users")
//!     await conn.close()
//!     return rows
//! ```
//!
//! Every message is real: the client sends a v3 `StartupMessage`, the server answers with
//! `AuthenticationOk`, `ParameterStatus`, `BackendKeyData` and `ReadyForQuery`; the query is a
//! simple-protocol `Query` answered by `RowDescription`, `DataRow`s and `CommandComplete`;
//! closing sends `Terminate`. Both ends run on simloop's executor: the client's
//! [`Connection`](tokio_postgres::Connection) is a task spawned with [`simloop::task::spawn`],
//! and the server's connections are tasks on host `db`, so crashing `db` drops them.
//!
//! pgwire's own entry point, `pgwire::tokio::process_socket`, takes a concrete
//! `tokio::net::TcpStream` and arms a `tokio::time` startup timeout, which needs a tokio
//! runtime; its per-message entry point [`process_message`] is generic over the stream but
//! wants it `Send + Sync`, and simloop's streams are single-threaded. So each accepted stream is
//! bridged to one end of a [`tokio::io::duplex`] pipe by a pump task on `db`, and pgwire frames
//! the other end. The pump moves bytes in zero virtual time, so the timeline is the network's
//! and the query's.

use std::fmt::{self, Debug};
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::{stream, Sink, SinkExt, StreamExt};
use pgwire::api::auth::{self, StartupHandler};
use pgwire::api::query::SimpleQueryHandler;
use pgwire::api::results::{DataRowEncoder, FieldFormat, FieldInfo, QueryResponse, Response};
use pgwire::api::store::PortalStore;
use pgwire::api::{
    ClientInfo, ClientPortalStore, DefaultClient, NoopHandler, PgWireConnectionState,
    PgWireServerHandlers, Type,
};
use pgwire::error::{ErrorInfo, PgWireError, PgWireResult};
use pgwire::messages::response::{ReadyForQuery, TransactionStatus};
use pgwire::messages::startup::{Authentication, BackendKeyData, ParameterStatus, SecretKey};
use pgwire::messages::{PgWireBackendMessage, PgWireFrontendMessage};
use pgwire::tokio::server::{process_error, process_message, PgWireMessageServerCodec};
use simloop::net::{self, TcpListener, TcpStream};
use simloop::sim::{Latency, WorldConfig};
use simloop::task::{spawn_named, JoinHandle};
use simloop::time::{sleep, sleep_until, Instant};
use simloop::{log, Config};
use tokio_postgres::{NoTls, SimpleQueryMessage};
use tokio_util::codec::Framed;

use crate::guide::{Played, Record};

/// Where the database listens.
pub const DB_ADDR: &str = "db:5432";

/// The one-way latency between `app` and `db` in [`pg_world`].
pub const LINK_LATENCY: Duration = Duration::from_millis(1);

/// How long the server takes to run a query, so the timeline is exact.
pub const QUERY_TIME: Duration = Duration::from_millis(10);

/// The `users` table.
pub const USERS: [(u32, &str); 3] = [(1, "alice"), (2, "bob"), (3, "carol")];

/// When the database crashes in [`pg_query`]'s second round: during its query.
pub const CRASH_AT: Duration = Duration::from_millis(25);

/// The world of the program: a fixed [`LINK_LATENCY`] on every link.
pub fn pg_world() -> WorldConfig {
    WorldConfig::default().with_latency(Latency::Fixed(LINK_LATENCY))
}

/// The server's handlers: no authentication, and one table.
#[derive(Debug, Default)]
pub struct UsersDb;

/// What the server reports in `ParameterStatus` after startup, in this order. pgwire's stock
/// startup handlers send their parameters from a `HashMap`, whose order changes from process
/// to process; a simulation's bytes must not.
pub const SERVER_PARAMETERS: [(&str, &str); 5] = [
    ("server_version", "16.0-pgwire"),
    ("server_encoding", "UTF8"),
    ("client_encoding", "UTF8"),
    ("DateStyle", "ISO, YMD"),
    ("integer_datetimes", "on"),
];

/// Trust authentication, as `NoopStartupHandler`, with a fixed parameter order and a fixed
/// backend key (pgwire's default draws it from OS entropy).
#[async_trait]
impl StartupHandler for UsersDb {
    async fn on_startup<C>(
        &self,
        client: &mut C,
        message: PgWireFrontendMessage,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let PgWireFrontendMessage::Startup(ref startup) = message else {
            return Ok(());
        };
        auth::protocol_negotiation(client, startup).await?;
        auth::save_startup_parameters_to_metadata(client, startup);
        client.set_pid_and_secret_key(1, SecretKey::I32(0));
        client
            .feed(PgWireBackendMessage::Authentication(Authentication::Ok))
            .await?;
        for (name, value) in SERVER_PARAMETERS {
            client
                .feed(PgWireBackendMessage::ParameterStatus(ParameterStatus::new(
                    name.to_owned(),
                    value.to_owned(),
                )))
                .await?;
        }
        let (pid, secret_key) = client.pid_and_secret_key();
        client
            .feed(PgWireBackendMessage::BackendKeyData(BackendKeyData::new(
                pid, secret_key,
            )))
            .await?;
        client
            .send(PgWireBackendMessage::ReadyForQuery(ReadyForQuery::new(
                TransactionStatus::Idle,
            )))
            .await?;
        client.set_state(PgWireConnectionState::ReadyForQuery);
        Ok(())
    }
}

#[async_trait]
impl SimpleQueryHandler for UsersDb {
    async fn do_query<C>(&self, _client: &mut C, query: &str) -> PgWireResult<Vec<Response>>
    where
        C: ClientInfo + ClientPortalStore + Unpin + Send + Sync,
        C::PortalStore: PortalStore,
    {
        let query = query.trim().trim_end_matches(';');
        if !query.eq_ignore_ascii_case("SELECT * FROM users") {
            return Err(PgWireError::UserError(Box::new(ErrorInfo::new(
                "ERROR".to_owned(),
                "42601".to_owned(),
                format!("only `SELECT * FROM users` is served, not `{query}`"),
            ))));
        }
        let schema = Arc::new(vec![
            FieldInfo::new("id".into(), None, None, Type::INT4, FieldFormat::Text),
            FieldInfo::new("name".into(), None, None, Type::VARCHAR, FieldFormat::Text),
        ]);
        let mut encoder = DataRowEncoder::new(schema.clone());
        let rows = stream::iter(USERS).map(move |(id, name)| {
            encoder.encode_field(&(id as i32))?;
            encoder.encode_field(&name)?;
            Ok(encoder.take_row())
        });
        Ok(vec![Response::Query(QueryResponse::new(schema, rows))])
    }
}

impl PgWireServerHandlers for UsersDb {
    fn simple_query_handler(&self) -> Arc<impl SimpleQueryHandler> {
        Arc::new(UsersDb)
    }

    fn startup_handler(&self) -> Arc<impl StartupHandler> {
        Arc::new(UsersDb)
    }
}

/// Binds [`DB_ADDR`] and serves PostgreSQL there from a task on host `db`, each connection in
/// its own task on `db`. Crashing `db` ends them all; after a restart, call it again.
///
/// # Panics
///
/// If the port is taken or `db` is down.
pub async fn serve_postgres() -> JoinHandle<()> {
    let listener = TcpListener::bind(DB_ADDR)
        .await
        .expect("db is up and port 5432 is free");
    net::spawn_on("db", async move {
        while let Ok((stream, peer)) = listener.accept().await {
            net::spawn_on("db", serve_connection(stream, peer))
                .expect("db is up")
                .detach();
        }
    })
    .expect("db is up")
}

/// One backend: the pgwire message loop over a duplex pipe pumped to the simulated stream.
async fn serve_connection(stream: TcpStream, peer: SocketAddr) {
    let (framed_end, pumped_end) = tokio::io::duplex(64 * 1024);
    net::spawn_on("db", async move {
        let (mut stream, mut pumped_end) = (stream, pumped_end);
        // Ends on EOF from either side or on a reset; the backend is gone either way.
        let _ = tokio::io::copy_bidirectional(&mut stream, &mut pumped_end).await;
    })
    .expect("db is up")
    .detach();

    let client = DefaultClient::new(peer, false);
    let mut socket = Framed::new(framed_end, PgWireMessageServerCodec::new(client));
    // tokio-postgres with `NoTls` sends no SSLRequest: startup comes first.
    socket.set_state(PgWireConnectionState::AwaitingStartup);
    let handlers = UsersDb;
    while let Some(Ok(message)) = socket.next().await {
        match message {
            PgWireFrontendMessage::Terminate(_) => break,
            PgWireFrontendMessage::Query(_) => sleep(QUERY_TIME).await,
            _ => {}
        }
        let result = process_message(
            message,
            &mut socket,
            handlers.startup_handler(),
            handlers.simple_query_handler(),
            Arc::new(NoopHandler),
            Arc::new(NoopHandler),
            Arc::new(NoopHandler),
        )
        .await;
        if let Err(error) = result {
            let fatal = error.is_fatal();
            if process_error(&mut socket, error, false).await.is_err() || fatal {
                break;
            }
        }
    }
    let _ = socket.close().await;
}

/// Why [`fetch_users`] failed.
#[derive(Debug)]
pub enum DbError {
    /// The TCP connection could not be opened.
    Connect(io::Error),
    /// The PostgreSQL client reported an error: a server error, or the connection closing.
    Postgres(tokio_postgres::Error),
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbError::Connect(error) => write!(f, "cannot connect to {DB_ADDR}: {error}"),
            DbError::Postgres(error) => {
                write!(f, "postgres: {error}")?;
                match std::error::Error::source(error) {
                    Some(cause) => write!(f, ": {cause}"),
                    None => Ok(()),
                }
            }
        }
    }
}

impl std::error::Error for DbError {}

impl DbError {
    /// The I/O error kind under this error, if an I/O error caused it: `ConnectionReset` when
    /// the database host crashed under an open connection.
    pub fn io_kind(&self) -> Option<io::ErrorKind> {
        match self {
            DbError::Connect(error) => Some(error.kind()),
            DbError::Postgres(error) => std::error::Error::source(error)?
                .downcast_ref::<io::Error>()
                .map(io::Error::kind),
        }
    }
}

/// asyncpg's `fetch_users` with `tokio-postgres`: connect, `SELECT * FROM users`, close.
///
/// The client's `Connection` (the half that does the I/O) runs in its own task, spawned with
/// [`simloop::task::spawn`]; dropping the `Client` sends `Terminate` and ends it.
pub async fn fetch_users() -> Result<Vec<Record>, DbError> {
    let stream = TcpStream::connect(DB_ADDR)
        .await
        .map_err(DbError::Connect)?;
    let (client, connection) = tokio_postgres::Config::new()
        .user("user")
        .dbname("testdb")
        .ssl_mode(tokio_postgres::config::SslMode::Disable)
        .connect_raw(stream, NoTls)
        .await
        .map_err(DbError::Postgres)?;
    let io = spawn_named("pg-connection", connection);
    let messages = match client.simple_query("SELECT * FROM users").await {
        Ok(messages) => messages,
        // The client only sees its request's channel close; the connection task holds the
        // cause, the I/O error of the stream.
        Err(error) => {
            return Err(DbError::Postgres(match io.await {
                Ok(Err(cause)) => cause,
                _ => error,
            }))
        }
    };
    drop(client);
    // The connection task ends once `Terminate` is written and the stream shut down.
    let _ = io.await;
    Ok(messages
        .iter()
        .filter_map(|message| match message {
            SimpleQueryMessage::Row(row) => Some(Record {
                id: row.get("id")?.parse().ok()?,
                name: row.get("name")?.to_owned(),
            }),
            _ => None,
        })
        .collect())
}

/// Fetches the users; then the database crashes mid-query and the client sees the connection
/// reset at once, with no timeout needed; then a retry against the restarted database
/// succeeds. Returns the three outcomes.
pub async fn pg_query() -> Vec<Result<Vec<Record>, DbError>> {
    serve_postgres().await.detach();
    let mut outcomes = Vec::new();
    for round in 0..3 {
        if round == 1 {
            let failover = spawn_named("failover", async {
                sleep_until(Instant::from_start(CRASH_AT)).await;
                net::crash("db").expect("db exists");
                log!("db crashes mid-query and restarts");
                net::restart("db").expect("db exists");
                serve_postgres().await.detach();
            });
            failover.detach();
        }
        let users = fetch_users().await;
        match &users {
            Ok(users) => users.iter().for_each(|user| log!("{user}")),
            Err(error) => log!("fetch_users failed: {error}"),
        }
        outcomes.push(users);
    }
    outcomes
}

/// The `postgres` example: [`pg_query`] under `config`.
pub fn play_postgres(config: &Config) -> Played {
    let mut played = Played::new();
    played.scene(None, config, pg_world(), async {
        pg_query()
            .await
            .into_iter()
            .map(|outcome| outcome.map_err(|error| error.to_string()))
            .collect::<Vec<_>>()
    });
    played
}
