//! A simulated network: named hosts, servers that are async handlers, clients that send
//! HTTP-style requests, and the faults of a real network, all drawn from the seed.
//!
//! A host comes into being when something names it: [`serve`], [`Client::new`] or [`spawn_on`].
//! Each request a server receives is handled in its own task, named after the host, as
//! aiohttp handles each request in its own task. Between hosts:
//!
//! - every message takes a one-way latency drawn from the link's [`Latency`]
//!   ([`WorldConfig::latency`](crate::sim::WorldConfig::latency), or [`set_latency`]);
//! - a request or its reply is lost at the seed's loss rate, and a delivered request is
//!   answered with an injected `503` at its error rate, without reaching the handler;
//! - [`partition`] cuts a link both ways until [`heal`]: messages across it are lost;
//! - [`crash`] takes a host down: its tasks are aborted (their destructors run), its server
//!   is gone, messages to it are lost; [`restart`] brings it back with no server, so its start-up
//!   code must [`serve`] again, as a restarted process would.
//!
//! A client notices loss, partitions and crashes the way a real one does: no reply, then its
//! timeout ([`NetError::Timeout`], exactly at the deadline). A request's fate is drawn when it is
//! sent, from the seed's network stream: the same seed and schedule give the same latencies and
//! the same losses, and user code drawing random numbers changes neither.
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
//! nobody answers retries its SYN for 127 s. Datagrams are lost, duplicated and reordered at
//! the seed's rates, never split. Segments and datagrams draw from the network's seed on a
//! stream of their own, so socket traffic never shifts the fate of a [`Client`] request.
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
//!     // Across a partition nothing comes back: the timeout fires exactly on time.
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
use std::panic::Location;
use std::rc::Rc;
use std::time::Duration;

use crate::sim::{note, Latency};
use crate::task::{spawn_at, JoinHandle};
use crate::time::{sleep, sleep_until, Instant};

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

use state::{Exchange, Fate, Net};

#[track_caller]
fn net(what: &'static str) -> Rc<Net> {
    crate::sim::part(what, Net::new)
}

/// Carries one request to `handler` and its reply back, as one task on the server's host.
async fn serve_one<H, F>(handler: Rc<H>, exchange: Exchange)
where
    H: Fn(Request) -> F,
    F: Future<Output = Response>,
{
    let Exchange {
        request,
        reply,
        net,
        from,
        to,
        arrival_ns,
        back_ns,
        fate,
        label,
    } = exchange;
    sleep_until(Instant::from_nanos(arrival_ns)).await;
    if !net.reaches(from.0, to) {
        note(&label, || "lost request (partition)".into());
        return;
    }
    let response = match fate {
        Fate::InjectError => Response::new(Response::INJECTED_ERROR, Vec::new()),
        Fate::Deliver | Fate::LoseReply => handler(request).await,
    };
    sleep(Duration::from_nanos(back_ns)).await;
    let back = net.label(to.0, from.0);
    if fate == Fate::LoseReply {
        note(&back, || "lost reply".into());
    } else if !net.reaches(to.0, from) {
        note(&back, || "lost reply (partition or host down)".into());
    } else {
        let injected = if fate == Fate::InjectError {
            " (injected)"
        } else {
            ""
        };
        note(&back, || {
            format!("reply {}{injected}", response.status).into()
        });
        reply.fill(response);
    }
}

/// Makes `handler` the server of `host` (created if new): every request that reaches the host
/// runs `handler` in a new task named after the host.
///
/// The server lasts until the host [`crash`]es.
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
/// [`NetError::AddrInUse`] if the host already has a server; [`NetError::HostDown`] if it is
/// down.
#[track_caller]
pub fn serve<H, F>(host: &str, handler: H) -> Result<(), NetError>
where
    H: Fn(Request) -> F + 'static,
    F: Future<Output = Response> + 'static,
{
    let site = Location::caller();
    let net = net("simloop::net::serve");
    let id = net.host(host);
    let name = net.name(id);
    let handler = Rc::new(handler);
    net.listen(
        id,
        Rc::new(move |exchange| {
            let body = serve_one(Rc::clone(&handler), exchange);
            spawn_at(Some(Rc::clone(&name)), site, body).id()
        }),
    )
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

/// Takes `host` down: its tasks are aborted (each dropped at once unless it is the one running), its server is gone,
/// requests to it go unanswered and its open connections are dead.
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

/// Cuts the link between `a` and `b`, both ways: messages sent across it, or in flight when
/// they arrive, are lost until [`heal`].
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
///     assert_eq!(now().since_start(), Duration::from_millis(160)); // one round trip
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
