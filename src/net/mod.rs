//! A simulated network: named hosts, TCP streams and UDP datagrams between them, a small
//! request/response layer on top (servers that are async handlers, clients that send
//! HTTP-style requests), and the faults of a real network, all drawn from the seed.
//!
//! A host comes into being when something names it: [`serve`], [`Client::new`] or [`spawn_on`].
//!
//! # Requests and responses
//!
//! [`serve`] listens on the host's [`MESSAGE_PORT`]; a [`Client`] opens a [`TcpStream`] to it
//! for each request (a [`Connection`] keeps one), writes the request as a frame and reads the
//! reply's. Each request a server reads is handled in its own task, named after the host, as
//! aiohttp handles each request in its own task. There is one network model: what the streams
//! do, requests inherit.
//!
//! - every segment takes a one-way latency drawn from the link's [`Latency`]
//!   ([`WorldConfig::latency`](crate::sim::WorldConfig::latency), or [`set_latency`]), and a
//!   request costs two round trips: TCP's handshake, then the request and its reply;
//! - a segment is lost at the seed's loss rate and, as TCP does, sent again after the
//!   retransmission timeout (200 ms plus the round trip, doubling per consecutive loss): loss
//!   delays a request, it never drops one;
//! - a request a server reads is answered with an injected `503` at the seed's error rate,
//!   without reaching the handler;
//! - [`partition`] cuts a link both ways until [`heal`]: bytes across it wait, a connection
//!   attempt goes unanswered;
//! - [`crash`] takes a host down: its tasks are aborted (their destructors run), its server's
//!   listener is gone, its connections are reset (a request it was handling fails with
//!   [`NetError::Reset`] at once); [`restart`] brings it back with no server, so its start-up
//!   code must [`serve`] again, as a restarted process would.
//!
//! A client notices a partition or a down host the way a real one does: no answer, then its
//! timeout ([`NetError::Timeout`], exactly at the deadline). Latencies and losses are drawn
//! from the network's seed on the sockets' stream, injected errors on a stream of their own:
//! the same seed and schedule give the same request timings and faults, and user code drawing
//! random numbers changes none of them.
//!
//! # Byte streams and datagrams
//!
//! [`TcpListener`], [`TcpStream`] and [`UdpSocket`] are the sockets under real async clients
//! and servers (hyper and tokio-postgres sit on `AsyncRead`/`AsyncWrite`, both tokio's and
//! `futures`' are implemented). Hosts get addresses `10.0.0.1`, `10.0.0.2`, ... in the order
//! they are first named, and names resolve inside the simulation (`"db:5432"`, `("db", 5432)`,
//! a `SocketAddr`: see [`ToSocketAddrs`]). A task binds and connects from its host: the one it,
//! or the task it descends from, was started on by [`spawn_on`] or a server, else
//! [`DEFAULT_HOST`].
//!
//! TCP keeps its contract (while a connection lives, bytes arrive in order, each once) and the
//! seed decides the rest: a write arrives in pieces (so reads are short), each piece takes the
//! link's latency, and a write waits while the peer leaves a full send buffer unread. A crash
//! resets the host's connections, a partition holds bytes back until it heals, and a connect
//! nobody answers retries its SYN for 127 s. A lost segment is resent after the
//! retransmission timeout, its bytes and those behind it arriving late and in order.
//! Datagrams are lost, duplicated and reordered at the seed's rates, never split.
//!
//! # Examples
//!
//! A server, a client, a partition and its healing:
//!
//! ```
//! use simloop::net::{self, Client, NetError, Request, Response};
//! use simloop::time::now;
//! use std::time::Duration;
//!
//! simloop::run(1, async {
//!     net::serve("api", |request: Request| async move {
//!         match request.path.as_ref() {
//!             "/hello" => Response::ok("hello"),
//!             _ => Response::not_found(),
//!         }
//!     })
//!     .unwrap();
//!     let client = Client::new("app").with_timeout(Duration::from_secs(1));
//!     let reply = client.get("api", "/hello").await.unwrap();
//!     assert_eq!(reply.text(), Some("hello"));
//!     assert_eq!(client.get("api", "/other").await.unwrap().status, 404);
//!
//!     // Across a partition no connection opens: the timeout fires exactly on time.
//!     net::partition("app", "api").unwrap();
//!     let start = now();
//!     let err = client.get("api", "/hello").await.unwrap_err();
//!     assert!(matches!(err, NetError::Timeout { .. }));
//!     assert_eq!(now() - start, Duration::from_secs(1));
//!
//!     net::heal("app", "api").unwrap();
//!     assert!(client.get("api", "/hello").await.unwrap().is_success());
//! });
//! ```
//!
//! A crash and a recovery: a key-value server that syncs its log before it acknowledges a
//! write keeps every acknowledged write through a power loss.
//!
//! ```
//! use simloop::net::{self, Client, Method, Request, Response};
//! use simloop::fs;
//! use std::{cell::RefCell, collections::BTreeMap, rc::Rc};
//!
//! /// Replays the log that survived, then serves.
//! async fn start_kv() {
//!     let log = fs::read("kv.log").await.unwrap_or_default();
//!     let mut table = BTreeMap::new();
//!     for line in String::from_utf8(log).unwrap().lines() {
//!         let (key, value) = line.split_once('=').unwrap();
//!         table.insert(key.to_owned(), value.to_owned());
//!     }
//!     let table = Rc::new(RefCell::new(table));
//!     net::serve("kv", move |request: Request| {
//!         let table = Rc::clone(&table);
//!         async move {
//!             let text = request.text().unwrap_or("").to_owned();
//!             if request.method == Method::Get {
//!                 return match table.borrow().get(&text) {
//!                     Some(value) => Response::ok(value.clone()),
//!                     None => Response::not_found(),
//!                 };
//!             }
//!             let mut log = fs::OpenOptions::new().append(true).create(true);
//!             let mut file = log.open("kv.log").await.unwrap();
//!             file.write(format!("{text}\n").as_bytes()).await.unwrap();
//!             file.sync().await.unwrap(); // durable before it is acknowledged
//!             let (key, value) = text.split_once('=').unwrap();
//!             table.borrow_mut().insert(key.to_owned(), value.to_owned());
//!             Response::ok("")
//!         }
//!     })
//!     .unwrap();
//! }
//!
//! simloop::run(3, async {
//!     start_kv().await;
//!     let client = Client::new("app");
//!     client.request("kv", Request::post("/", "colour=blue")).await.unwrap();
//!
//!     net::crash("kv").unwrap(); // the machine loses power: process and page cache
//!     fs::crash();
//!     net::restart("kv").unwrap();
//!     start_kv().await;
//!
//!     let reply = client.request("kv", Request::get("/").with_body("colour")).await.unwrap();
//!     assert_eq!(reply.text(), Some("blue"));
//! });
//! ```

use std::future::Future;
use std::io;
use std::panic::Location;
use std::rc::Rc;

use crate::sim::{note, Latency};
use crate::task::{spawn_at, JoinHandle};

mod addr;
mod client;
mod message;
mod pipe;
mod sockets;
mod state;
mod stream;
mod udp;

pub use addr::{lookup_host, ToSocketAddrs, DEFAULT_HOST};
pub use client::{Client, Connection};
pub use message::{Method, NetError, Request, Response};
pub use stream::{
    OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, TcpListener, TcpStream, WriteHalf,
};
pub use udp::UdpSocket;

use state::{HostId, Net};

/// The port [`serve`] listens on and [`Client`] connects to: 80, HTTP's.
///
/// # Examples
///
/// ```
/// use simloop::net::{self, Request, Response, TcpListener, MESSAGE_PORT};
///
/// simloop::run(0, async {
///     net::serve("api", |_: Request| async { Response::ok("") }).unwrap();
///     let taken = TcpListener::bind(("api", MESSAGE_PORT)).await.unwrap_err();
///     assert_eq!(taken.kind(), std::io::ErrorKind::AddrInUse);
/// });
/// ```
pub const MESSAGE_PORT: u16 = 80;

#[track_caller]
fn net(what: &'static str) -> Rc<Net> {
    crate::sim::part(what, Net::new)
}

/// What the tasks of one server share.
struct Server<H> {
    net: Rc<Net>,
    host: HostId,
    name: Rc<str>,
    handler: H,
    site: &'static Location<'static>,
}

impl<H> Server<H> {
    /// Spawns `future` on the server's host: named after it, aborted by its crash.
    fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let handle = spawn_at(Some(Rc::clone(&self.name)), self.site, future);
        self.net.adopt(self.host, handle.id());
        handle
    }
}

/// Accepts connections until the host crashes, each served by a task of its own.
async fn accept_loop<H, F>(server: Rc<Server<H>>, listener: TcpListener)
where
    H: Fn(Request) -> F + 'static,
    F: Future<Output = Response> + 'static,
{
    while let Ok((stream, _)) = listener.accept().await {
        server
            .spawn(serve_connection(Rc::clone(&server), stream))
            .detach();
    }
}

/// Reads request frames from one connection and writes each reply back, in order; each
/// request runs the handler in a task of its own, as aiohttp handles each request in its own
/// task. A malformed frame closes the connection.
async fn serve_connection<H, F>(server: Rc<Server<H>>, mut stream: TcpStream)
where
    H: Fn(Request) -> F + 'static,
    F: Future<Output = Response> + 'static,
{
    let net = &server.net;
    let peer = stream.peer_host();
    let from = net.name(peer);
    let back = net.label(server.host, peer);
    loop {
        let mut request = match message::read_request(&mut stream).await {
            Ok(Some(request)) => request,
            Ok(None) => return, // the client closed the connection
            Err(err) if err.kind() == io::ErrorKind::InvalidData => {
                note(&back, || format!("close: {err}").into());
                return;
            }
            Err(_) => return, // reset: the connection is gone
        };
        let (inject, reset) = net.draw_faults(request.connection.is_some());
        if reset {
            note(&back, || "reset (injected)".into());
            stream.reset("injected reset");
            return;
        }
        let response = if inject {
            Response::new(Response::INJECTED_ERROR, Vec::new())
        } else {
            request.from = Some(Rc::clone(&from));
            match server.spawn((server.handler)(request)).await {
                Ok(response) => response,
                Err(_) => return, // the handler was aborted
            }
        };
        let injected = if inject { " (injected)" } else { "" };
        note(&back, || {
            format!("reply {}{injected}", response.status).into()
        });
        if message::write_response(&mut stream, &response)
            .await
            .is_err()
        {
            return;
        }
    }
}

/// Makes `handler` the server of `host` (created if new): binds a [`TcpListener`] on
/// `(host, MESSAGE_PORT)` and accepts connections; every request read from one runs `handler`
/// in a new task named after the host, and the replies go back in order.
///
/// The server lasts until the host [`crash`]es. A connection that sends a frame that does not
/// parse is closed; the others go on.
///
/// # Examples
///
/// ```
/// use simloop::net::{self, Client, NetError, Request, Response};
///
/// simloop::run(0, async {
///     net::serve("api", |_: Request| async { Response::ok("up") }).unwrap();
///     let again = net::serve("api", |_: Request| async { Response::ok("") });
///     assert_eq!(again, Err(NetError::AddrInUse { host: "api".into() }));
///     assert_eq!(Client::new("app").get("api", "/").await.unwrap().text(), Some("up"));
/// });
/// ```
///
/// # Panics
///
/// Outside a simulation.
///
/// # Errors
///
/// [`NetError::AddrInUse`] if the host already has a server (or a [`TcpListener`] holds its
/// [`MESSAGE_PORT`]); [`NetError::HostDown`] if it is down.
#[track_caller]
pub fn serve<H, F>(host: &str, handler: H) -> Result<(), NetError>
where
    H: Fn(Request) -> F + 'static,
    F: Future<Output = Response> + 'static,
{
    let site = Location::caller();
    let net = net("simloop::net::serve");
    let id = net.host(host);
    let listener = TcpListener::bind_on(&net, id, MESSAGE_PORT).map_err(|err| {
        let host = host.into();
        match err.kind() {
            io::ErrorKind::AddrInUse => NetError::AddrInUse { host },
            _ => NetError::HostDown { host },
        }
    })?;
    let server = Rc::new(Server {
        name: net.name(id),
        net,
        host: id,
        handler,
        site,
    });
    server
        .spawn(accept_loop(Rc::clone(&server), listener))
        .detach();
    Ok(())
}

/// Runs `future` as a task that belongs to `host` (created if new): [`crash`] aborts it.
///
/// # Examples
///
/// ```
/// use simloop::net;
/// use simloop::task::JoinError;
/// use simloop::time::sleep;
/// use std::time::Duration;
///
/// simloop::run(0, async {
///     let ticker = net::spawn_on("db", sleep(Duration::from_secs(60))).unwrap();
///     net::crash("db").unwrap();
///     assert_eq!(ticker.await, Err(JoinError::Cancelled));
/// });
/// ```
///
/// # Panics
///
/// Outside a simulation.
///
/// # Errors
///
/// [`NetError::HostDown`] if the host is down.
#[track_caller]
pub fn spawn_on<F>(host: &str, future: F) -> Result<JoinHandle<F::Output>, NetError>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let site = Location::caller();
    let net = net("simloop::net::spawn_on");
    let id = net.host(host);
    if !net.is_up(id) {
        return Err(NetError::HostDown { host: host.into() });
    }
    let handle = spawn_at(Some(net.name(id)), site, future);
    net.adopt(id, handle.id());
    Ok(handle)
}

fn record(net: &Net, op: impl FnOnce() -> String) {
    note(&net.object, || op().into());
}

/// Takes `host` down: its tasks are aborted (each dropped at once unless it is the one
/// running), its listeners and server are gone, its connections are reset (both ends' reads
/// and writes fail) and connection attempts to it go unanswered.
///
/// Files are a separate disk: pair it with [`fs::crash`](crate::fs::crash) to model a machine
/// losing power.
///
/// # Examples
///
/// ```
/// use simloop::net::{self, Client, NetError, Request, Response};
/// use std::time::Duration;
///
/// simloop::run(0, async {
///     net::serve("api", |_: Request| async { Response::ok("") }).unwrap();
///     net::crash("api").unwrap();
///     let client = Client::new("app").with_timeout(Duration::from_secs(1));
///     assert!(matches!(client.get("api", "/").await, Err(NetError::Timeout { .. })));
/// });
/// ```
///
/// # Panics
///
/// Outside a simulation.
///
/// # Errors
///
/// [`NetError::UnknownHost`] for a name nobody registered.
pub fn crash(host: &str) -> Result<(), NetError> {
    let net = net("simloop::net::crash");
    let id = net.lookup(host)?;
    record(&net, || format!("crash {host}"));
    net.crash(id);
    Ok(())
}

/// Brings `host` back up, with no server: call [`serve`] again, as a restarted process would.
///
/// # Examples
///
/// ```
/// use simloop::net::{self, Client, NetError, Request, Response};
///
/// simloop::run(0, async {
///     net::serve("api", |_: Request| async { Response::ok("") }).unwrap();
///     net::crash("api").unwrap();
///     net::restart("api").unwrap();
///     let client = Client::new("app");
///     assert_eq!(client.get("api", "/").await, Err(NetError::Refused { host: "api".into() }));
/// });
/// ```
///
/// # Panics
///
/// Outside a simulation.
///
/// # Errors
///
/// [`NetError::UnknownHost`] for a name nobody registered.
pub fn restart(host: &str) -> Result<(), NetError> {
    let net = net("simloop::net::restart");
    let id = net.lookup(host)?;
    record(&net, || format!("restart {host}"));
    net.restart(id);
    Ok(())
}

/// Cuts the link between `a` and `b`, both ways, until [`heal`]: bytes sent across it, or in
/// flight, wait (nothing is lost: TCP resends), connection attempts go unanswered and
/// datagrams are lost.
///
/// # Examples
///
/// See the [module documentation](self).
///
/// ```
/// simloop::run(0, async {
///     simloop::net::Client::new("a");
///     assert!(simloop::net::partition("a", "b").is_err()); // nobody named `b`
/// });
/// ```
///
/// # Panics
///
/// Outside a simulation.
///
/// # Errors
///
/// [`NetError::UnknownHost`] for a name nobody registered.
pub fn partition(a: &str, b: &str) -> Result<(), NetError> {
    cut(a, b, true)
}

/// Restores the link between `a` and `b`.
///
/// # Examples
///
/// See the [module documentation](self).
///
/// ```
/// simloop::run(0, async {
///     simloop::net::Client::new("a");
///     simloop::net::Client::new("b");
///     assert!(simloop::net::heal("a", "b").is_ok());
/// });
/// ```
///
/// # Panics
///
/// Outside a simulation.
///
/// # Errors
///
/// [`NetError::UnknownHost`] for a name nobody registered.
pub fn heal(a: &str, b: &str) -> Result<(), NetError> {
    cut(a, b, false)
}

fn cut(a: &str, b: &str, cut: bool) -> Result<(), NetError> {
    let net = net("simloop::net::partition");
    let (first, second) = (net.lookup(a)?, net.lookup(b)?);
    let verb = if cut { "partition" } else { "heal" };
    record(&net, || format!("{verb} {a}|{b}"));
    net.set_cut(first, second, cut);
    Ok(())
}

/// Restores every link.
///
/// # Examples
///
/// ```
/// use simloop::net::{self, Client, Request, Response};
///
/// simloop::run(0, async {
///     net::serve("api", |_: Request| async { Response::ok("") }).unwrap();
///     net::partition("app", "api").unwrap_err(); // `app` is not named yet
///     let client = Client::new("app");
///     net::partition("app", "api").unwrap();
///     net::heal_all();
///     assert!(client.get("api", "/").await.is_ok());
/// });
/// ```
///
/// # Panics
///
/// Outside a simulation.
pub fn heal_all() {
    let net = net("simloop::net::heal_all");
    record(&net, || "heal all".to_owned());
    net.heal_all();
}

/// Gives the link between `a` and `b` (both ways) its own latency.
///
/// # Examples
///
/// ```
/// use simloop::net::{self, Client, Request, Response};
/// use simloop::sim::Latency;
/// use simloop::time::now;
/// use std::time::Duration;
///
/// simloop::run(0, async {
///     net::serve("far", |_: Request| async { Response::ok("") }).unwrap();
///     let client = Client::new("app");
///     net::set_latency("app", "far", Latency::Fixed(Duration::from_millis(80))).unwrap();
///     client.get("far", "/").await.unwrap();
///     // Two round trips: the TCP handshake, then the request and its reply.
///     assert_eq!(now().since_start(), Duration::from_millis(320));
/// });
/// ```
///
/// # Panics
///
/// Outside a simulation, or if `latency`'s bounds are inverted or above [`Latency::LIMIT`]
/// (see [`Latency::check`]).
///
/// # Errors
///
/// [`NetError::UnknownHost`] for a name nobody registered.
pub fn set_latency(a: &str, b: &str, latency: Latency) -> Result<(), NetError> {
    if let Err(problem) = latency.check() {
        panic!("simloop: net::set_latency({a}, {b}): {problem}");
    }
    let net = net("simloop::net::set_latency");
    let (first, second) = (net.lookup(a)?, net.lookup(b)?);
    net.set_latency(first, second, latency);
    Ok(())
}

/// How many [`Connection`]s are open: opened and neither closed, reset nor dropped. A test
/// asserts it returns to zero to catch leaked connections.
///
/// # Examples
///
/// ```
/// use simloop::net::{self, Client, Request, Response};
///
/// simloop::run(0, async {
///     net::serve("db", |_: Request| async { Response::ok("") }).unwrap();
///     {
///         let _conn = Client::new("app").connect("db").await.unwrap();
///         assert_eq!(net::open_connections(), 1);
///     } // dropped: closed
///     assert_eq!(net::open_connections(), 0);
/// });
/// ```
///
/// # Panics
///
/// Outside a simulation.
pub fn open_connections() -> usize {
    net("simloop::net::open_connections").open_connections.get()
}
