//! A small HTTP service and its client, written as a tokio user writes them: hyper 1.x over
//! `tokio::net::TcpListener`, one `tokio::spawn` per connection, hyper-util's `TokioIo`, and a
//! client that gives up with `tokio::time::timeout`.
//!
//! Nothing here knows about simulation. `tokio` is `simloop-tokio` by rename (see
//! `Cargo.toml`): in production it is tokio; under `simloop::check` (the tests) the same code
//! runs on simulated hosts, a virtual clock and a seeded schedule.
//!
//! hyper gets no timer (`http1::Builder::timer`): hyper-util's `TokioTimer` calls tokio's
//! timer directly, not through `tokio::time`, so it would not see the virtual clock. Without
//! one, hyper's own timeouts are off and the client's deadline is `tokio::time::timeout`.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! tokio::spawn(simloop_tokio_example::serve(listener));
//! let page = simloop_tokio_example::get("127.0.0.1:8080", "/hello", std::time::Duration::from_secs(1)).await;
//! assert_eq!(page.unwrap().body, "hello");
//! # Ok(())
//! # }
//! ```

use std::convert::Infallible;
use std::fmt;
use std::io;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};

/// How long `GET /slow` works before it answers.
pub const SLOW: Duration = Duration::from_millis(100);

/// Answers `GET /hello` at once, `GET /slow` after [`SLOW`], anything else with `404`.
async fn handle(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let (status, body) = match request.uri().path() {
        "/hello" => (StatusCode::OK, "hello"),
        "/slow" => {
            tokio::time::sleep(SLOW).await;
            (StatusCode::OK, "slow")
        }
        _ => (StatusCode::NOT_FOUND, "not found"),
    };
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = status;
    Ok(response)
}

/// Accepts connections forever, serving each in a task of its own.
///
/// # Errors
///
/// When `accept` fails (the listener is closed).
pub async fn serve(listener: TcpListener) -> io::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service_fn(handle));
            // A client that goes away mid-request is its own business.
            let _ = connection.await;
        });
    }
}

/// Binds `addr` and [`serve`]s.
///
/// # Errors
///
/// When binding or accepting fails.
pub async fn run(addr: impl ToSocketAddrs) -> io::Result<()> {
    serve(TcpListener::bind(addr).await?).await
}

/// A response: its status and its body as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The status code.
    pub status: StatusCode,
    /// The body.
    pub body: String,
}

/// Why a [`get`] failed.
#[derive(Debug)]
pub enum FetchError {
    /// No answer within the limit.
    Timeout(Duration),
    /// The connection could not be opened.
    Connect(io::Error),
    /// HTTP failed: the connection broke, or the answer was malformed.
    Http(hyper::Error),
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Timeout(limit) => write!(f, "no answer within {limit:?}"),
            FetchError::Connect(err) => write!(f, "cannot connect: {err}"),
            FetchError::Http(err) => write!(f, "HTTP failed: {err}"),
        }
    }
}

impl std::error::Error for FetchError {}

/// `GET path` from the server at `addr`, on a connection of its own, given up after `limit`.
///
/// # Errors
///
/// [`FetchError`].
pub async fn get(
    addr: impl ToSocketAddrs,
    path: &str,
    limit: Duration,
) -> Result<Page, FetchError> {
    match tokio::time::timeout(limit, fetch(addr, path)).await {
        Ok(page) => page,
        Err(_elapsed) => Err(FetchError::Timeout(limit)),
    }
}

async fn fetch(addr: impl ToSocketAddrs, path: &str) -> Result<Page, FetchError> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(FetchError::Connect)?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(FetchError::Http)?;
    let driver = tokio::spawn(connection);
    let request = Request::get(path)
        .header(hyper::header::HOST, "service")
        .body(Empty::<Bytes>::new())
        .expect("a GET with a path is a valid request");
    let result = async {
        let response = sender.send_request(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        Ok(Page {
            status,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }
    .await
    .map_err(FetchError::Http);
    driver.abort();
    result
}
