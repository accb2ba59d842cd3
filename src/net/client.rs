//! The client side: [`Client`] for one-off requests, [`Connection`] for a session. Both speak
//! the message frames over a [`TcpStream`] to the server's [`MESSAGE_PORT`](super::MESSAGE_PORT).

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::io;
use std::rc::Rc;
use std::time::Duration;

use futures::io::AsyncWriteExt;

use super::message::{encode_request, read_response, NetError, Request, Response};
use super::state::{HostId, Net};
use super::stream::TcpStream;
use crate::sim::note;
use crate::sync::{Lock, LockGuard};
use crate::time::{now, timeout};

/// aiohttp's default total timeout (`ClientTimeout(total=300)`): five minutes.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// Runs `wait` under the client's timeout, turning expiry into [`NetError::Timeout`].
async fn within<T>(
    after: Duration,
    host: &str,
    label: &Rc<str>,
    wait: impl Future<Output = Result<T, NetError>>,
) -> Result<T, NetError> {
    match timeout(after, wait).await {
        Ok(outcome) => outcome,
        Err(_) => {
            note(label, || "timeout".into());
            Err(NetError::Timeout {
                host: host.to_owned(),
                after,
            })
        }
    }
}

/// What a stream error means to a client of `host` on `own`, `waited` into the attempt.
fn net_error(err: &io::Error, host: &str, own: &str, waited: Duration) -> NetError {
    let host = host.to_owned();
    match err.kind() {
        io::ErrorKind::ConnectionRefused => NetError::Refused { host },
        io::ErrorKind::NotFound => NetError::UnknownHost { host },
        io::ErrorKind::NetworkDown => NetError::HostDown { host: own.into() },
        // `connect`'s SYNs went unanswered for 127 s, before the client's own timeout.
        io::ErrorKind::TimedOut => NetError::Timeout {
            host,
            after: waited,
        },
        // A reset, an EOF or a malformed frame in the middle of a reply: the exchange broke.
        _ => NetError::Reset { host },
    }
}

/// Writes `frame` on `stream` and reads the reply frame.
async fn exchange(stream: &mut TcpStream, frame: &[u8]) -> io::Result<Response> {
    stream.write_all(frame).await?;
    read_response(stream).await
}

/// A client on one host: sends requests to other hosts by name, each under a timeout.
///
/// Like an aiohttp `ClientSession`: each [`request`](Client::request) opens a [`TcpStream`]
/// to the host's [`MESSAGE_PORT`](super::MESSAGE_PORT) and closes it after the reply (two round
/// trips: the handshake, then the exchange); [`connect`](Client::connect) opens a
/// [`Connection`] for a session, like asyncpg's. The default timeout is aiohttp's five minutes.
///
/// # Examples
///
/// ```
/// use simloop::net::{self, Client, Request, Response};
/// use std::time::Duration;
///
/// simloop::run(0, async {
///     net::serve("api", |request: Request| async move { Response::ok(request.body) }).unwrap();
///     let client = Client::new("app").with_timeout(Duration::from_secs(2));
///     let reply = client.request("api", Request::post("/echo", "ping")).await.unwrap();
///     assert_eq!(reply.text(), Some("ping"));
/// });
/// ```
#[derive(Clone)]
pub struct Client {
    net: Rc<Net>,
    host: HostId,
    name: Rc<str>,
    timeout: Duration,
}

impl Client {
    /// A client on `host` (created if no one named it before).
    ///
    /// # Examples
    ///
    /// ```
    /// simloop::run(0, async {
    ///     assert_eq!(simloop::net::Client::new("app").host(), "app");
    /// });
    /// ```
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    #[track_caller]
    pub fn new(host: &str) -> Client {
        let net = super::net("simloop::net::Client::new");
        let id = net.host(host);
        Client {
            name: net.name(id),
            net,
            host: id,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// This client with requests (and connection attempts) that give up after `timeout`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// simloop::run(0, async {
    ///     let client = simloop::net::Client::new("app").with_timeout(Duration::from_secs(1));
    ///     assert_eq!(client.timeout(), Duration::from_secs(1));
    /// });
    /// ```
    pub fn with_timeout(mut self, timeout: Duration) -> Client {
        self.timeout = timeout;
        self
    }

    /// How long a request waits for its reply: five minutes unless set.
    ///
    /// # Examples
    ///
    /// ```
    /// simloop::run(0, async {
    ///     let client = simloop::net::Client::new("app");
    ///     assert_eq!(client.timeout(), std::time::Duration::from_secs(300));
    /// });
    /// ```
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The host the client runs on.
    ///
    /// # Examples
    ///
    /// ```
    /// simloop::run(0, async {
    ///     assert_eq!(simloop::net::Client::new("web").host(), "web");
    /// });
    /// ```
    pub fn host(&self) -> &str {
        &self.name
    }

    /// Sends `request` to `host` and waits for the reply, at most the client's timeout.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::net::{self, Client, NetError, Request, Response};
    /// use std::time::Duration;
    ///
    /// simloop::run(0, async {
    ///     Client::new("idle"); // a host with no server
    ///     let client = Client::new("app");
    ///     let err = client.request("idle", Request::get("/")).await.unwrap_err();
    ///     assert_eq!(err, NetError::Refused { host: "idle".into() });
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// [`NetError::UnknownHost`] at once for a name nobody registered; [`NetError::HostDown`]
    /// if this client's host is down; [`NetError::Refused`] after a round trip when nothing
    /// listens; [`NetError::Reset`] when the connection is reset before the reply is in (the
    /// server's host crashed); [`NetError::Timeout`] exactly at the timeout when a partition
    /// holds the bytes back, the target is down, or the reply is late (if the timeout is over
    /// 127 s, a connection attempt nobody answers gives up first, after 127 s). An injected
    /// error is a reply with status [`Response::INJECTED_ERROR`], not an `Err`.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future closes the connection, not the request: as on a real network, a
    /// request already sent may still reach the server and be handled.
    pub async fn request(&self, host: &str, request: Request) -> Result<Response, NetError> {
        let (to, label) = self.target(host)?;
        let frame = encode_request(&request, None);
        let start = now();
        let exchange = async {
            let mut stream = self.open(to, host, start).await?;
            note(&label, || {
                format!("send {} {}", request.method, request.path).into()
            });
            let reply = exchange(&mut stream, &frame).await;
            reply.map_err(|err| net_error(&err, host, &self.name, now() - start))
        };
        within(self.timeout, host, &label, exchange).await
    }

    /// The host called `host` and the trace label of the link to it, or why there is none:
    /// no time passes.
    fn target(&self, host: &str) -> Result<(HostId, Rc<str>), NetError> {
        let to = self.net.lookup(host)?;
        if !self.net.is_up(self.host) {
            return Err(NetError::HostDown {
                host: self.name.to_string(),
            });
        }
        Ok((to, self.net.label(self.host, to)))
    }

    /// A stream from this client's host to the message port of `to`.
    async fn open(
        &self,
        to: HostId,
        host: &str,
        start: crate::time::Instant,
    ) -> Result<TcpStream, NetError> {
        let net = Rc::clone(&self.net);
        TcpStream::connect_from(net, self.host, to, super::MESSAGE_PORT)
            .await
            .map_err(|err| net_error(&err, host, &self.name, now() - start))
    }

    /// A `GET` of `path` on `host`; see [`request`](Client::request).
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::net::{self, Client, Request, Response};
    ///
    /// simloop::run(0, async {
    ///     net::serve("api", |_: Request| async { Response::not_found() }).unwrap();
    ///     assert_eq!(Client::new("app").get("api", "/x").await.unwrap().status, 404);
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// As [`request`](Client::request).
    ///
    /// # Cancel safety
    ///
    /// As [`request`](Client::request).
    pub async fn get(
        &self,
        host: &str,
        path: impl Into<Cow<'static, str>>,
    ) -> Result<Response, NetError> {
        self.request(host, Request::get(path)).await
    }

    /// Opens a [`Connection`] to `host`: a TCP handshake, one round trip.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::net::{self, Client, Request, Response};
    ///
    /// simloop::run(0, async {
    ///     net::serve("db", |_: Request| async { Response::ok("row") }).unwrap();
    ///     let conn = Client::new("app").connect("db").await.unwrap();
    ///     assert_eq!(net::open_connections(), 1);
    ///     assert_eq!(conn.request(Request::get("/q")).await.unwrap().text(), Some("row"));
    ///     conn.close();
    ///     assert_eq!(net::open_connections(), 0);
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// [`NetError::UnknownHost`], [`NetError::HostDown`] and [`NetError::Refused`] as for
    /// [`request`](Client::request); [`NetError::Timeout`] when a partition or a down host
    /// leaves the attempt unanswered (the SYN is resent after 1, 2, 4, ... s, as Linux does).
    ///
    /// # Cancel safety
    ///
    /// Dropping the future before it completes opens no connection.
    pub async fn connect(&self, host: &str) -> Result<Connection, NetError> {
        let (to, label) = self.target(host)?;
        let start = now();
        let stream = within(self.timeout, host, &label, self.open(to, host, start)).await?;
        let id = self.net.next_connection.get();
        self.net.next_connection.set(id + 1);
        note(&label, || format!("connect #{id}").into());
        let open = &self.net.open_connections;
        open.set(open.get() + 1);
        Ok(Connection {
            net: Rc::clone(&self.net),
            id,
            host: self.net.name(to),
            own: Rc::clone(&self.name),
            timeout: self.timeout,
            label,
            closed: Cell::new(false),
            stream: Lock::new(Some(stream)).with_name(&format!("connection #{id}")),
        })
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("host", &self.name)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// An open connection to one host, like an asyncpg connection: one [`TcpStream`], on which
/// requests go one at a time in the order they were made (a request waits for the one before
/// it), and which dies with the server's life.
///
/// A crash of the server's host resets it: the request in flight, or the next one, fails with
/// [`NetError::Reset`]. A reset (also injected at
/// [`WorldConfig::resets`](crate::sim::WorldConfig::resets)) closes the connection; later
/// requests fail with [`NetError::Closed`] at once. So does a request abandoned half way (its
/// timeout fired or its future was dropped): its reply may still come, and the next request
/// would read it, so the stream is closed, as aiohttp closes a connection whose request
/// timed out instead of returning it to its pool. Dropping the connection closes it.
///
/// # Examples
///
/// ```
/// use simloop::net::{self, Client, NetError, Request, Response};
///
/// simloop::run(0, async {
///     net::serve("db", |request: Request| async move {
///         Response::ok(format!("session {}", request.connection().unwrap()))
///     })
///     .unwrap();
///     let conn = Client::new("app").connect("db").await.unwrap();
///     let reply = conn.request(Request::post("/query", "SELECT 1")).await.unwrap();
///     assert_eq!(reply.text(), Some("session 0"));
///     conn.close();
///     let err = conn.request(Request::get("/")).await.unwrap_err();
///     assert_eq!(err, NetError::Closed { host: "db".into() });
/// });
/// ```
pub struct Connection {
    net: Rc<Net>,
    id: u64,
    host: Rc<str>,
    own: Rc<str>,
    timeout: Duration,
    label: Rc<str>,
    closed: Cell<bool>,
    /// One request at a time uses the stream, in the order they asked (the lock is FIFO), so
    /// replies come back in order; `None` once closed.
    stream: Lock<Option<TcpStream>>,
}

/// Closes the connection unless the exchange it guards finished: a request abandoned half way
/// (its timeout fired, or its future was dropped) leaves a reply that may still come, and the
/// next request would read it.
struct Abandon<'a> {
    conn: &'a Connection,
    slot: LockGuard<'a, Option<TcpStream>>,
    finished: bool,
}

impl Drop for Abandon<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.conn.mark_closed();
        }
        if self.conn.closed.get() {
            *self.slot = None; // closed while this request was on the wire, or just now
        }
    }
}

impl Connection {
    /// Sends `request` on this connection and waits for the reply, at most the timeout of the
    /// client that opened it.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::net::{self, Client, NetError, Request, Response};
    ///
    /// simloop::run(0, async {
    ///     net::serve("db", |_: Request| async { Response::ok("") }).unwrap();
    ///     let conn = Client::new("app").connect("db").await.unwrap();
    ///     net::crash("db").unwrap();
    ///     net::restart("db").unwrap();
    ///     net::serve("db", |_: Request| async { Response::ok("") }).unwrap();
    ///     let err = conn.request(Request::get("/")).await.unwrap_err();
    ///     assert_eq!(err, NetError::Reset { host: "db".into() });
    ///     assert!(conn.is_closed());
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// [`NetError::Closed`] at once on a closed connection; [`NetError::Reset`] if the
    /// connection was reset (the server's host crashed, or a reset was injected; the
    /// connection is then closed); otherwise as [`Client::request`]. A timeout closes the
    /// connection.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future once the request is on the wire closes the connection; the request
    /// may still be handled.
    pub async fn request(&self, request: Request) -> Result<Response, NetError> {
        let closed = || NetError::Closed {
            host: self.host.to_string(),
        };
        if self.closed.get() {
            return Err(closed());
        }
        let frame = encode_request(&request, Some(self.id));
        let start = now();
        let exchange = async {
            let mut abandon = Abandon {
                conn: self,
                slot: self.stream.lock().await,
                finished: false,
            };
            let Some(stream) = abandon.slot.as_mut() else {
                abandon.finished = true;
                return Err(closed());
            };
            note(&self.label, || {
                format!("send {} {}", request.method, request.path).into()
            });
            let reply = exchange(stream, &frame).await;
            abandon.finished = reply.is_ok();
            drop(abandon);
            reply.map_err(|err| net_error(&err, &self.host, &self.own, now() - start))
        };
        within(self.timeout, &self.host, &self.label, exchange).await
    }

    /// Closes the connection; later requests fail with [`NetError::Closed`]. Closing twice does
    /// nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::net::{self, Client, Request, Response};
    ///
    /// simloop::run(0, async {
    ///     net::serve("db", |_: Request| async { Response::ok("") }).unwrap();
    ///     let conn = Client::new("app").connect("db").await.unwrap();
    ///     conn.close();
    ///     assert!(conn.is_closed());
    /// });
    /// ```
    pub fn close(&self) {
        if !self.closed.get() {
            note(&self.label, || format!("close #{}", self.id).into());
        }
        self.shut();
    }

    /// Marks the connection closed and drops its stream, now if no request holds it, else
    /// when that request finishes.
    fn shut(&self) {
        self.mark_closed();
        if let Ok(mut slot) = self.stream.try_lock() {
            *slot = None;
        }
    }

    fn mark_closed(&self) {
        if !self.closed.replace(true) {
            let open = &self.net.open_connections;
            open.set(open.get() - 1);
        }
    }

    /// Whether the connection was closed or reset.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::net::{self, Client, Request, Response};
    ///
    /// simloop::run(0, async {
    ///     net::serve("db", |_: Request| async { Response::ok("") }).unwrap();
    ///     let conn = Client::new("app").connect("db").await.unwrap();
    ///     assert_eq!((conn.id(), conn.host(), conn.is_closed()), (0, "db", false));
    /// });
    /// ```
    pub fn is_closed(&self) -> bool {
        self.closed.get()
    }

    /// The connection's id, which the server sees as [`Request::connection`]; the first
    /// connection of a simulation is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::net::{self, Client, Request, Response};
    ///
    /// simloop::run(0, async {
    ///     net::serve("db", |_: Request| async { Response::ok("") }).unwrap();
    ///     let conn = Client::new("app").connect("db").await.unwrap();
    ///     assert_eq!((conn.id(), conn.host(), conn.is_closed()), (0, "db", false));
    /// });
    /// ```
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The host at the other end.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::net::{self, Client, Request, Response};
    ///
    /// simloop::run(0, async {
    ///     net::serve("db", |_: Request| async { Response::ok("") }).unwrap();
    ///     let conn = Client::new("app").connect("db").await.unwrap();
    ///     assert_eq!((conn.id(), conn.host(), conn.is_closed()), (0, "db", false));
    /// });
    /// ```
    pub fn host(&self) -> &str {
        &self.host
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.shut();
    }
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("id", &self.id)
            .field("host", &self.host)
            .field("closed", &self.closed.get())
            .finish()
    }
}
