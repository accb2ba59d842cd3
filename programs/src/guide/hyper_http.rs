//! The aiohttp programs again, on real HTTP: a hyper 1.x server and client talking over
//! `simloop::net`'s simulated TCP through hyper-util's `TokioIo`.
//!
//! hyper's HTTP/1 connection futures need neither an executor nor a timer: the server drives
//! each connection in a task of its own, the client drives its connection in a task next to
//! the request, both with `simloop::task::spawn_named`. Without a timer hyper's own timeouts
//! (the server's 30 s header read timeout) are off and timeouts come from
//! `simloop::time::timeout`; [`SimTimer`] is hyper's `rt::Timer` on the virtual clock, for a
//! server that wants its header read timeout. The server leaves out its `Date` header, the one
//! thing hyper would take from the wall clock.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{header, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use simloop::net::{self, TcpListener, TcpStream};
use simloop::sim::{Latency, WorldConfig};
use simloop::sync::Semaphore;
use simloop::task::{spawn_named, JoinHandle};
use simloop::time::{now, sleep, sleep_until, Instant};
use simloop::{log, Config};

use super::Played;

/// The host the hyper server runs on.
pub const API: &str = "api";

/// The port it listens on.
pub const API_PORT: u16 = 80;

/// The host the clients run on.
pub const APP: &str = "app";

/// Every segment between two hosts takes exactly this long in the hyper program's world.
pub const LINK_LATENCY: Duration = Duration::from_millis(10);

/// How long the server's handler takes before it answers (the guide's `asyncio.sleep`).
pub const HANDLER_DELAY: Duration = Duration::from_millis(100);

/// What `GET /` answers.
pub const API_PAGE: &str = "<html><head><title>Example Domain</title></head></html>";

/// The hyper program's network: a fixed [`LINK_LATENCY`], so its timeline is exact.
pub fn hyper_world() -> WorldConfig {
    WorldConfig::default().with_latency(Latency::Fixed(LINK_LATENCY))
}

/// The handler: waits [`HANDLER_DELAY`], then answers `GET /` with [`API_PAGE`] and anything
/// else with a `404`.
async fn handle(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    sleep(HANDLER_DELAY).await;
    let (status, body) = match request.uri().path() {
        "/" => (StatusCode::OK, API_PAGE),
        _ => (StatusCode::NOT_FOUND, "not found"),
    };
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = status;
    Ok(response)
}

/// hyper's `rt::Timer` on simloop's virtual clock.
///
/// hyper speaks `std::time::Instant`, which only the wall clock makes: the timer takes one
/// reading, once per process, as an opaque origin, and maps virtual time `t` to `origin + t`.
/// Only differences from the origin reach the simulation, so runs stay deterministic.
#[derive(Clone, Copy, Debug)]
pub struct SimTimer {
    origin: std::time::Instant,
}

impl SimTimer {
    /// The timer; its origin is the same for every simulation of the process.
    pub fn new() -> SimTimer {
        static ORIGIN: OnceLock<std::time::Instant> = OnceLock::new();
        SimTimer {
            origin: *ORIGIN.get_or_init(std::time::Instant::now),
        }
    }
}

impl Default for SimTimer {
    fn default() -> SimTimer {
        SimTimer::new()
    }
}

/// A simloop sleep as hyper's `rt::Sleep`.
struct SimSleep(Pin<Box<simloop::time::Sleep>>);

impl Future for SimSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.0.as_mut().poll(cx)
    }
}

impl hyper::rt::Sleep for SimSleep {}

impl hyper::rt::Timer for SimTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(SimSleep(Box::pin(sleep(duration))))
    }

    fn sleep_until(&self, deadline: std::time::Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        let at = Instant::from_start(deadline.saturating_duration_since(self.origin));
        Box::pin(SimSleep(Box::pin(sleep_until(at))))
    }

    fn now(&self) -> std::time::Instant {
        self.origin + now().since_start()
    }
}

/// Serves one accepted connection with hyper's HTTP/1 server until the client closes it;
/// with a header read timeout, on [`SimTimer`], when one is given.
async fn serve_connection(stream: TcpStream, header_read_timeout: Option<Duration>) {
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.auto_date_header(false); // the Date header would read the wall clock
    if let Some(limit) = header_read_timeout {
        builder.timer(SimTimer::new()).header_read_timeout(limit);
    }
    let served = builder
        .serve_connection(TokioIo::new(stream), service_fn(handle))
        .await;
    if let Err(error) = served {
        log!("the server's connection failed: {error}");
    }
}

/// The server's connection tasks: stopping the server (dropping its accept loop) aborts them,
/// so no connection outlives it.
#[derive(Default)]
struct Connections(Vec<JoinHandle<()>>);

impl Connections {
    fn add(&mut self, connection: JoinHandle<()>) {
        self.0.retain(|connection| !connection.is_finished());
        self.0.push(connection);
    }
}

impl Drop for Connections {
    fn drop(&mut self) {
        self.0.iter().for_each(JoinHandle::abort);
    }
}

/// Binds [`API`]:[`API_PORT`] and starts the hyper server on [`API`]: an accept loop that
/// serves each connection in a task of its own. Abort the returned handle to stop the server
/// and its connections.
///
/// # Panics
///
/// If the port is taken or the host is down.
pub async fn serve_api() -> JoinHandle<()> {
    serve_api_with(None).await
}

/// [`serve_api`], closing a connection whose request headers have not all arrived within
/// `header_read_timeout` of its start (hyper's timeout, on [`SimTimer`]).
///
/// # Panics
///
/// If the port is taken or the host is down.
pub async fn serve_api_with(header_read_timeout: Option<Duration>) -> JoinHandle<()> {
    let listener = TcpListener::bind((API, API_PORT))
        .await
        .expect("api is up and its port is free");
    net::spawn_on(API, async move {
        let mut connections = Connections::default();
        while let Ok((stream, _peer)) = listener.accept().await {
            let connection = serve_connection(stream, header_read_timeout);
            connections.add(spawn_named("api-conn", connection));
        }
    })
    .expect("api is up")
}

/// Why a hyper GET gave no page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GetError {
    /// The TCP connect failed: its `io::ErrorKind` and message.
    Connect(io::ErrorKind, String),
    /// hyper failed: the connection was reset or closed mid-message, or the like.
    Http(String),
    /// A status other than 2xx.
    Status(u16),
}

impl fmt::Display for GetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GetError::Connect(_, error) => write!(f, "connect failed: {error}"),
            GetError::Http(error) => write!(f, "HTTP error: {error}"),
            GetError::Status(status) => write!(f, "HTTP {status}"),
        }
    }
}

impl From<io::Error> for GetError {
    fn from(error: io::Error) -> GetError {
        GetError::Connect(error.kind(), error.to_string())
    }
}

impl From<hyper::Error> for GetError {
    fn from(error: hyper::Error) -> GetError {
        // hyper's Display says what failed; its source says why (a reset, an EOF).
        let mut text = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            text.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        GetError::Http(text)
    }
}

/// `GET path` from the current task's host to the hyper server on [`API`], on a connection of
/// its own: one round trip to connect, then one for the request, plus the handler's time.
///
/// The connection is driven by a task next to the request; dropping the request's sender
/// when this returns closes it.
pub async fn hyper_get(path: &str) -> Result<String, GetError> {
    let stream = TcpStream::connect((API, API_PORT)).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    spawn_named("conn", async move {
        if let Err(error) = connection.await {
            log!("the client's connection failed: {error}");
        }
    })
    .detach();
    let request = Request::get(path)
        .header(header::HOST, API)
        .body(Empty::<Bytes>::new())
        .expect("a path and a host make a valid request");
    let response = sender.send_request(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    if !status.is_success() {
        return Err(GetError::Status(status.as_u16()));
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// The guide's `fetch(session, url, semaphore)` on hyper: `async with semaphore:` around the
/// GET, and a line when it comes back.
pub async fn hyper_get_limited(i: u32, semaphore: Semaphore) -> Result<String, GetError> {
    let _permit = semaphore.acquire().await; // released when `_permit` drops
    let page = hyper_get("/").await;
    match &page {
        Ok(content) => log!("request {i}: fetched content of length {}", content.len()),
        Err(error) => log!("request {i}: {error}"),
    }
    page
}

/// What the hyper program saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HyperOutcome {
    /// The first, single GET.
    pub page: Result<String, GetError>,
    /// How long it took.
    pub single_took: Duration,
    /// The ten limited GETs, in argument order.
    pub results: Vec<Result<String, GetError>>,
    /// The most GETs inside the semaphore at once.
    pub peak: usize,
    /// How long the ten limited GETs took.
    pub limited_took: Duration,
}

/// The client side of [`hyper_fetch`], on [`APP`]: one GET, then ten through `Semaphore(3)`,
/// gathered with `return_exceptions=True`.
async fn hyper_client() -> HyperOutcome {
    let start = now();
    let page = hyper_get("/").await;
    let single_took = now() - start;
    match &page {
        Ok(html) => log!("{html}"),
        Err(error) => log!("GET failed: {error}"),
    }
    let semaphore = Semaphore::new(3);
    let start = now();
    let requests = (0..10).map(|i| hyper_get_limited(i, semaphore.clone()));
    let results = simloop::task::gather_settled(requests).await;
    let limited_took = now() - start;
    let pages = results.iter().filter(|result| result.is_ok()).count();
    let peak = semaphore.peak_in_use();
    log!("{pages} of 10 pages fetched, at most {peak} requests in flight at once");
    HyperOutcome {
        page,
        single_took,
        results,
        peak,
        limited_took,
    }
}

/// The aiohttp program on hyper: the hyper server on [`API`], the client on [`APP`] fetching
/// one page, then ten limited to three at once. Each GET opens its own connection, so it
/// takes two round trips (connect, then request and response) plus [`HANDLER_DELAY`].
pub async fn hyper_fetch() -> HyperOutcome {
    let server = serve_api().await;
    let client = net::spawn_on(APP, hyper_client()).expect("app is up");
    let outcome = client.await.expect("nobody aborts the client");
    server.abort();
    outcome
}

/// The `hyper_fetch` example: [`hyper_fetch`] under `config`, in [`hyper_world`].
pub fn play_hyper_fetch(config: &Config) -> Played {
    let mut played = Played::new();
    played.scene(None, config, hyper_world(), hyper_fetch());
    played
}
