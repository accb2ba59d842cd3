//! The client side: [`Client`] for one-off requests, [`Connection`] for a session.

use std::borrow::Cow;
use std::fmt;
use std::future::{poll_fn, Future};
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

use super::message::{NetError, Request, Response};
use super::state::{ConnState, HostId, Net, Reply, Sent};
use crate::rt;
use crate::sim::note;
use crate::time::{sleep, timeout};

/// aiohttp's default total timeout (`ClientTimeout(total=300)`): five minutes.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// Waits for `reply`: a response, or never.
async fn await_reply(reply: &Rc<Reply>) -> Response {
    poll_fn(|cx| match reply.take(cx.waker()) {
        Some(response) => Poll::Ready(response),
        None => {
            rt::waiting_on(reply);
            Poll::Pending
        }
    })
    .await
}

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

/// The reply a sent request gets.
async fn finish(sent: Sent) -> Result<Response, NetError> {
    match sent {
        Sent::Waiting(reply) | Sent::Never(reply) => Ok(await_reply(&reply).await),
        Sent::FailAfter(nanos, error) => {
            sleep(Duration::from_nanos(nanos)).await;
            Err(error)
        }
        Sent::OpenAfter(_) => unreachable!("a request is never answered by a connection"),
    }
}

/// A client on one host: sends requests to other hosts by name, each under a timeout.
///
/// Like an aiohttp `ClientSession`: each [`request`](Client::request) is independent (a fresh
/// connection, in effect); [`connect`](Client::connect) opens a [`Connection`] for a session,
/// like asyncpg's. The default timeout is aiohttp's five minutes.
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
    /// listens; [`NetError::Timeout`] exactly at the timeout when the request or its reply was
    /// lost, a partition cut the link, or the target is down. An injected error is a reply
    /// with status [`Response::INJECTED_ERROR`], not an `Err`.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future abandons the reply, not the request: as on a real network, a request
    /// already sent may still reach the server and be handled.
    pub async fn request(&self, host: &str, request: Request) -> Result<Response, NetError> {
        let (sent, label) = self.net.send(self.host, host, request, None)?;
        within(self.timeout, host, &label, finish(sent)).await
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

    /// Opens a [`Connection`] to `host`: one round trip.
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
    /// leaves the attempt unanswered.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future before it completes opens no connection.
    pub async fn connect(&self, host: &str) -> Result<Connection, NetError> {
        let (sent, state, target) = self.net.connect(self.host, host)?;
        let label = self.net.label(self.host, self.net.lookup(host)?);
        let wait = async {
            match sent {
                Sent::OpenAfter(nanos) => {
                    sleep(Duration::from_nanos(nanos)).await;
                    Ok(())
                }
                other => finish(other).await.map(drop),
            }
        };
        within(self.timeout, host, &label, wait).await?;
        let open = &self.net.open_connections;
        open.set(open.get() + 1);
        Ok(Connection {
            net: Rc::clone(&self.net),
            from: self.host,
            host: target,
            timeout: self.timeout,
            label,
            state,
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

/// An open connection to one host, like an asyncpg connection: requests on it arrive in the
/// order they were sent, and it dies with the server's life.
///
/// If the server crashes, requests go unanswered while it is down and fail with
/// [`NetError::Reset`] once it is back (its new life does not know the connection). A reset
/// (also injected at [`WorldConfig::resets`](crate::sim::WorldConfig::resets)) closes the
/// connection; later requests fail with [`NetError::Closed`] at once. Dropping it closes it.
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
    from: HostId,
    host: Rc<str>,
    timeout: Duration,
    label: Rc<str>,
    state: ConnState,
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
    /// [`NetError::Closed`] at once on a closed connection; [`NetError::Reset`] after a round
    /// trip if the server restarted since the connection opened or a reset was injected (the
    /// connection is then closed); otherwise as [`Client::request`].
    ///
    /// # Cancel safety
    ///
    /// As [`Client::request`]: the request may still be handled.
    pub async fn request(&self, request: Request) -> Result<Response, NetError> {
        if self.state.closed.get() {
            return Err(NetError::Closed {
                host: self.host.to_string(),
            });
        }
        let (sent, _) = self
            .net
            .send(self.from, &self.host, request, Some(&self.state))?;
        if let Sent::FailAfter(_, NetError::Reset { .. }) = sent {
            self.shut();
        }
        within(self.timeout, &self.host, &self.label, finish(sent)).await
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
        if !self.state.closed.get() {
            note(&self.label, || format!("close #{}", self.state.id).into());
        }
        self.shut();
    }

    fn shut(&self) {
        if !self.state.closed.replace(true) {
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
        self.state.closed.get()
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
        self.state.id
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
            .field("id", &self.state.id)
            .field("host", &self.host)
            .field("closed", &self.state.closed.get())
            .finish()
    }
}
