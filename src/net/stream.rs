//! TCP between simulated hosts: [`TcpListener`], [`TcpStream`] and its halves.
//!
//! The contract is TCP's: while a connection lives, the bytes written on one end arrive at the
//! other in order, each exactly once. Within it the seed decides what a real network decides: a
//! write may arrive in several pieces (so a read may return fewer bytes than a write wrote),
//! each piece takes the link's latency, and a write waits while the peer leaves a full send
//! buffer unread.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;

use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::Duration;

use super::addr::{ip_of, resolve, ToSocketAddrs, Use};
use super::pipe::Pipe;
use super::sockets::{current_host, Stats};
use super::state::{HostId, Net};
use crate::id::TaskId;
use crate::rt::{self, WaitTarget};
use crate::sim::note;
use crate::time::sleep;

mod io_traits;

/// A connection: `pipes[i]` carries what end `i` writes (end 0 connected, end 1 accepted).
pub(crate) struct Conn {
    net: Rc<Net>,
    pipes: [Rc<Pipe>; 2],
}

impl Conn {
    pub(crate) fn touches(&self, host: HostId) -> bool {
        self.pipes[0].from == host || self.pipes[0].to == host
    }

    pub(crate) fn reset(&self, why: &'static str) {
        Stats::add(&self.net.sockets.stats.resets, 1);
        for pipe in &self.pipes {
            pipe.reset(why);
        }
    }
}

/// What a listener shares with its port's entry and with connecting peers.
pub(crate) struct ListenerShared {
    net: Rc<Net>,
    host: HostId,
    addr: SocketAddr,
    backlog: RefCell<VecDeque<(TcpStream, SocketAddr)>>,
    waker: RefCell<Option<Waker>>,
    closed: Cell<bool>,
}

impl ListenerShared {
    /// The host crashed or the listener was dropped: pending connections are dropped.
    pub(crate) fn close(&self) {
        self.closed.set(true);
        let backlog = std::mem::take(&mut *self.backlog.borrow_mut());
        let waker = self.waker.borrow_mut().take();
        drop(backlog);
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl WaitTarget for ListenerShared {
    fn describe(&self, _names: &dyn Fn(TaskId) -> String) -> String {
        format!(
            "a connection to {} (`{}`)",
            self.addr,
            self.net.name(self.host)
        )
    }
}

/// A TCP listener on a simulated host, like tokio's.
///
/// [`bind`](TcpListener::bind) takes the host from the address (`"db:5432"` binds on `db`,
/// created if new, as [`serve`](super::serve) does) or, for `0.0.0.0`, `localhost` and
/// `127.0.0.1`, from the current task ([`spawn_on`](super::spawn_on)'s host, else
/// [`DEFAULT_HOST`](super::DEFAULT_HOST)). A [`crash`](super::crash) of the host closes it:
/// [`accept`](TcpListener::accept) then fails with `ConnectionAborted`, and the port is free
/// for the restarted host. Dropping it frees the port.
///
/// # Examples
///
/// ```
/// use simloop::net::{self, TcpListener, TcpStream};
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
///
/// simloop::run(0, async {
///     let listener = TcpListener::bind("db:5432").await.unwrap();
///     net::spawn_on("db", async move {
///         let (mut stream, _) = listener.accept().await.unwrap();
///         let mut request = [0; 4];
///         stream.read_exact(&mut request).await.unwrap();
///         stream.write_all(b"pong").await.unwrap();
///     })
///     .unwrap()
///     .detach();
///     let mut stream = TcpStream::connect("db:5432").await.unwrap();
///     stream.write_all(b"ping").await.unwrap();
///     let mut reply = String::new();
///     stream.read_to_string(&mut reply).await.unwrap();
///     assert_eq!(reply, "pong");
/// });
/// ```
pub struct TcpListener {
    shared: Rc<ListenerShared>,
}

impl TcpListener {
    /// Binds `addr`; port `0` picks a free port from 49152 up.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::net::TcpListener;
    /// use std::io::ErrorKind;
    ///
    /// simloop::run(0, async {
    ///     let first = TcpListener::bind("db:5432").await.unwrap();
    ///     let err = TcpListener::bind("db:5432").await.unwrap_err();
    ///     assert_eq!(err.kind(), ErrorKind::AddrInUse);
    ///     drop(first);
    ///     assert!(TcpListener::bind("db:5432").await.is_ok());
    /// });
    /// ```
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// # Errors
    ///
    /// `AddrInUse` when a listener holds the port; `NetworkDown` when the host is down;
    /// `AddrNotAvailable` for an address no host has; `InvalidInput` for malformed text.
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
        let net = super::net("simloop::net::TcpListener::bind");
        let (host, port) = resolve(&net, || current_host(&net), &addr, Use::Bind)?;
        TcpListener::bind_on(&net, host, port)
    }

    /// Binds `port` on `host`: what [`bind`](TcpListener::bind) does once it resolved, without
    /// waiting (binding takes no time).
    pub(crate) fn bind_on(net: &Rc<Net>, host: HostId, port: u16) -> io::Result<TcpListener> {
        if !net.is_up(host) {
            return Err(host_down(net, host));
        }
        let make = |port| {
            Rc::new(ListenerShared {
                net: Rc::clone(net),
                host,
                addr: SocketAddr::new(ip_of(host), port),
                backlog: RefCell::default(),
                waker: RefCell::default(),
                closed: Cell::new(false),
            })
        };
        let Some(shared) = net.sockets.bind_tcp(host, port, make) else {
            return Err(io::Error::new(
                io::ErrorKind::AddrInUse,
                format!(
                    "simloop: {}:{port} ({}) is in use: a TcpListener holds it; drop that \
                     listener first, or bind port 0 for a free one",
                    net.name(host),
                    SocketAddr::new(ip_of(host), port)
                ),
            ));
        };
        note(&net.object, || {
            format!("listen {}:{}", net.name(host), shared.addr.port()).into()
        });
        Ok(TcpListener { shared })
    }

    /// Waits for the next connection; returns it and the peer's address.
    ///
    /// # Examples
    ///
    /// See [`TcpListener`].
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the host crashed.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a connection is taken only when this completes.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        poll_fn(|cx| {
            if let Some(next) = self.shared.backlog.borrow_mut().pop_front() {
                return Poll::Ready(Ok(next));
            }
            if self.shared.closed.get() {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::ConnectionAborted,
                    format!(
                        "simloop: the listener on {} is closed: its host crashed; bind again \
                         after net::restart",
                        self.shared.addr
                    ),
                )));
            }
            let mut waker = self.shared.waker.borrow_mut();
            if !waker.as_ref().is_some_and(|old| old.will_wake(cx.waker())) {
                *waker = Some(cx.waker().clone());
            }
            drop(waker);
            rt::waiting_on(&self.shared);
            Poll::Pending
        })
        .await
    }

    /// The address it listens on.
    ///
    /// # Examples
    ///
    /// ```
    /// simloop::run(0, async {
    ///     simloop::net::Client::new("first");
    ///     let listener = simloop::net::TcpListener::bind("db:0").await.unwrap();
    ///     assert_eq!(listener.local_addr().unwrap().to_string(), "10.0.0.2:49152");
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// Never; a `Result` as tokio's.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.shared.addr)
    }
}

impl Drop for TcpListener {
    fn drop(&mut self) {
        let shared = &self.shared;
        shared
            .net
            .sockets
            .unbind_tcp(shared.host, shared.addr.port(), Rc::as_ptr(shared));
        shared.close();
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpListener")
            .field("addr", &self.shared.addr)
            .finish()
    }
}

fn host_down(net: &Net, host: HostId) -> io::Error {
    io::Error::new(
        io::ErrorKind::NetworkDown,
        format!(
            "simloop: host `{}` is down; net::restart it first",
            net.name(host)
        ),
    )
}

/// Linux's `tcp_syn_retries`: an unanswered SYN is sent again after 1, 2, 4, ... 64 seconds,
/// and the attempt fails 127 seconds after it began.
const SYN_RETRIES: u32 = 6;

/// A TCP connection between two simulated hosts, like tokio's: implements tokio's and
/// `futures`' `AsyncRead` and `AsyncWrite`.
///
/// A read returns what has arrived, which may be less than the peer wrote (segmentation is on
/// by default, [`WorldConfig::segmentation`](crate::sim::WorldConfig::segmentation)): frame
/// with `read_exact`, never by assuming one read per write. A write takes what fits in the send
/// buffer ([`WorldConfig::send_buffer`](crate::sim::WorldConfig::send_buffer)) and waits while
/// it is full. Dropping the stream closes both directions: the peer reads EOF, and its writes
/// fail with `BrokenPipe`.
///
/// | event | what the peer sees |
/// |---|---|
/// | [`shutdown`](TcpStream::shutdown) | reads `Ok(0)` (EOF) after the last byte; this end's writes fail with `BrokenPipe` |
/// | [`crash`](super::crash) of either host | every read and write on either end fails with `ConnectionReset` |
/// | [`partition`](super::partition) | nothing arrives until [`heal`](super::heal); then everything written, in order |
///
/// # Examples
///
/// ```
/// use simloop::net::{self, TcpListener, TcpStream};
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
///
/// simloop::run(0, async {
///     let listener = TcpListener::bind("db:5432").await.unwrap();
///     let mut client = TcpStream::connect(("db", 5432)).await.unwrap();
///     let (mut server, peer) = listener.accept().await.unwrap();
///     assert_eq!(peer, client.local_addr().unwrap());
///     client.write_all(b"hello").await.unwrap();
///     client.shutdown().await.unwrap();
///     let mut all = Vec::new();
///     server.read_to_end(&mut all).await.unwrap(); // EOF after the shutdown
///     assert_eq!(all, b"hello");
/// });
/// ```
pub struct TcpStream {
    conn: Rc<Conn>,
    side: usize,
    nodelay: Cell<bool>,
    /// Whether dropping it closes the connection (not once it was split into owned halves).
    owns: bool,
}

impl TcpStream {
    /// Opens a connection to `addr` from the current task's host: one round trip, refused when
    /// nothing listens on the port.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::net::{Client, TcpStream};
    /// use std::io::ErrorKind;
    ///
    /// simloop::run(0, async {
    ///     Client::new("db");
    ///     let err = TcpStream::connect("db:5432").await.unwrap_err();
    ///     assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    ///     let err = TcpStream::connect("nowhere:80").await.unwrap_err();
    ///     assert!(err.to_string().contains("nowhere"));
    /// });
    /// ```
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// # Errors
    ///
    /// `ConnectionRefused` after a round trip when nothing listens; `NotFound` at once for a
    /// name no host has; `NetworkDown` when this host is down. Across a partition or to a down
    /// host the SYN goes unanswered and is sent again after 1, 2, 4, ... 64 s, as Linux does
    /// (`tcp_syn_retries` = 6): the attempt connects if the link heals in time, else fails with
    /// `TimedOut` after 127 s. Wrap it in a [`timeout`](crate::time::timeout) to give up sooner.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future opens no connection on this end; the listener may still have
    /// accepted it, and then reads EOF.
    pub async fn connect<A: ToSocketAddrs>(addr: A) -> io::Result<TcpStream> {
        let net = super::net("simloop::net::TcpStream::connect");
        let from = current_host(&net);
        let (to, port) = resolve(&net, || from, &addr, Use::Connect)?;
        TcpStream::connect_from(net, from, to, port).await
    }

    /// Opens a connection from `from` (whatever task runs it) to `port` on `to`: what
    /// [`connect`](TcpStream::connect) does once it resolved.
    pub(crate) async fn connect_from(
        net: Rc<Net>,
        from: HostId,
        to: HostId,
        port: u16,
    ) -> io::Result<TcpStream> {
        if !net.is_up(from) {
            return Err(host_down(&net, from));
        }
        let target = SocketAddr::new(ip_of(to), port);
        let link = net.label(from, to);
        let (forward, back) = {
            let mut rng = net.sockets.rng.borrow_mut();
            (
                net.link_latency(from, to).sample_ns(&mut *rng),
                net.link_latency(to, from).sample_ns(&mut *rng),
            )
        };
        let answered = |net: &Net| !net.is_cut(from, to) && !net.is_cut(to, from) && net.is_up(to);
        let mut backoff = Duration::from_secs(1);
        let mut syns = 0;
        loop {
            if answered(&net) {
                sleep(Duration::from_nanos(forward)).await;
                if answered(&net) {
                    break;
                }
            }
            syns += 1;
            note(&link, || {
                format!("connect {target}: SYN {syns} unanswered, next wait {backoff:?}").into()
            });
            sleep(backoff).await;
            backoff *= 2;
            if syns > SYN_RETRIES {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "simloop: connect to {}:{port} ({target}) timed out: {syns} SYNs \
                         unanswered in 127 s (a partition, or the host is down)",
                        net.name(to),
                    ),
                ));
            }
        }
        let Some(listener) = net.sockets.listener(to, port) else {
            note(&link, || format!("connect {target}: refused").into());
            Stats::add(&net.sockets.stats.refused, 1);
            sleep(Duration::from_nanos(back)).await;
            return Err(io::Error::new(
                io::ErrorKind::ConnectionRefused,
                format!(
                    "simloop: connection refused: nothing listens on {}:{port} ({target}); \
                     bind a TcpListener there first",
                    net.name(to)
                ),
            ));
        };
        let local = SocketAddr::new(ip_of(from), net.sockets.outgoing_port(from));
        let conn = Rc::new(Conn {
            pipes: [
                Rc::new(Pipe::new(&net, (from, local), (to, target))),
                Rc::new(Pipe::new(&net, (to, target), (from, local))),
            ],
            net: Rc::clone(&net),
        });
        net.sockets.register(&conn);
        note(&link, || format!("connect {local} -> {target}").into());
        let server = TcpStream::new(Rc::clone(&conn), 1);
        let client = TcpStream::new(conn, 0);
        listener.backlog.borrow_mut().push_back((server, local));
        let waker = listener.waker.borrow_mut().take();
        drop(listener);
        if let Some(waker) = waker {
            waker.wake();
        }
        sleep(Duration::from_nanos(back)).await;
        Ok(client)
    }

    fn new(conn: Rc<Conn>, side: usize) -> TcpStream {
        TcpStream {
            conn,
            side,
            nodelay: Cell::new(false),
            owns: true,
        }
    }

    /// This end's address.
    ///
    /// # Examples
    ///
    /// See [`TcpStream`].
    ///
    /// # Errors
    ///
    /// Never; a `Result` as tokio's.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.conn.pipes[self.side].src)
    }

    /// The other end's address.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::net::{TcpListener, TcpStream};
    ///
    /// simloop::run(0, async {
    ///     let listener = TcpListener::bind("db:5432").await.unwrap();
    ///     let stream = TcpStream::connect("db:5432").await.unwrap();
    ///     assert_eq!(stream.peer_addr().unwrap(), listener.local_addr().unwrap());
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// Never; a `Result` as tokio's.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.conn.pipes[self.side].dst)
    }

    /// Sets `TCP_NODELAY`. Recorded only: the simulation has no Nagle delay, and its
    /// segmentation is the seed's either way.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::net::{TcpListener, TcpStream};
    ///
    /// simloop::run(0, async {
    ///     let _listener = TcpListener::bind("db:5432").await.unwrap();
    ///     let stream = TcpStream::connect("db:5432").await.unwrap();
    ///     stream.set_nodelay(true).unwrap();
    ///     assert!(stream.nodelay().unwrap());
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// Never; a `Result` as tokio's.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.nodelay.set(nodelay);
        Ok(())
    }

    /// What [`set_nodelay`](TcpStream::set_nodelay) set.
    ///
    /// # Examples
    ///
    /// See [`set_nodelay`](TcpStream::set_nodelay).
    ///
    /// # Errors
    ///
    /// Never; a `Result` as tokio's.
    pub fn nodelay(&self) -> io::Result<bool> {
        Ok(self.nodelay.get())
    }

    /// Shuts the write direction down (a half-close): the peer reads EOF after the last byte;
    /// this end can still read. Same signature as tokio's `AsyncWriteExt::shutdown`.
    ///
    /// # Examples
    ///
    /// See [`TcpStream`].
    ///
    /// # Errors
    ///
    /// Never (a reset connection has nothing left to shut down); a `Result` as tokio's.
    pub async fn shutdown(&mut self) -> io::Result<()> {
        self.writing().shutdown(&self.conn.net);
        Ok(())
    }

    /// Splits the stream into halves that borrow it, to read and write from two futures of one
    /// task.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::net::{TcpListener, TcpStream};
    /// use tokio::io::{AsyncReadExt, AsyncWriteExt};
    ///
    /// simloop::run(0, async {
    ///     let listener = TcpListener::bind("echo:7").await.unwrap();
    ///     let mut client = TcpStream::connect("echo:7").await.unwrap();
    ///     let (mut server, _) = listener.accept().await.unwrap();
    ///     let (mut read, mut write) = server.split();
    ///     client.write_all(b"abc").await.unwrap();
    ///     client.shutdown().await.unwrap();
    ///     tokio::io::copy(&mut read, &mut write).await.unwrap();
    ///     drop((read, write));
    ///     drop(server);
    ///     let mut back = Vec::new();
    ///     client.read_to_end(&mut back).await.unwrap();
    ///     assert_eq!(back, b"abc");
    /// });
    /// ```
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        (ReadHalf(self), WriteHalf(self))
    }

    /// Splits the stream into halves that own it, to read and write from two tasks. Dropping
    /// the write half shuts the write direction down, as tokio's does; dropping the read half
    /// closes the read direction.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::net::{TcpListener, TcpStream};
    /// use simloop::task::spawn;
    /// use tokio::io::{AsyncReadExt, AsyncWriteExt};
    ///
    /// simloop::run(0, async {
    ///     let listener = TcpListener::bind("db:5432").await.unwrap();
    ///     let client = TcpStream::connect("db:5432").await.unwrap();
    ///     let (mut server, _) = listener.accept().await.unwrap();
    ///     let (mut read, mut write) = client.into_split();
    ///     let writer = spawn(async move { write.write_all(b"query").await.unwrap() });
    ///     let mut query = [0; 5];
    ///     server.read_exact(&mut query).await.unwrap();
    ///     server.write_all(b"rows").await.unwrap();
    ///     let mut rows = [0; 4];
    ///     read.read_exact(&mut rows).await.unwrap();
    ///     writer.await.unwrap();
    ///     assert_eq!((&query, &rows), (b"query", b"rows"));
    /// });
    /// ```
    pub fn into_split(mut self) -> (OwnedReadHalf, OwnedWriteHalf) {
        self.owns = false;
        let read = OwnedReadHalf {
            conn: Rc::clone(&self.conn),
            side: self.side,
        };
        let write = OwnedWriteHalf {
            conn: Rc::clone(&self.conn),
            side: self.side,
        };
        (read, write)
    }

    /// The host at the other end.
    pub(crate) fn peer_host(&self) -> HostId {
        self.writing().to
    }

    /// Resets the connection (both ends fail from now on), as an injected fault.
    pub(crate) fn reset(&self, why: &'static str) {
        self.conn.reset(why);
    }

    fn reading(&self) -> &Rc<Pipe> {
        &self.conn.pipes[1 - self.side]
    }

    fn writing(&self) -> &Rc<Pipe> {
        &self.conn.pipes[self.side]
    }
}

impl Drop for TcpStream {
    fn drop(&mut self) {
        if self.owns {
            self.reading().close_read();
            self.writing().shutdown(&self.conn.net);
        }
    }
}

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpStream")
            .field("local", &self.writing().src)
            .field("peer", &self.writing().dst)
            .finish()
    }
}

/// The read half of a [`TcpStream::split`].
///
/// # Examples
///
/// See [`TcpStream::split`].
#[derive(Debug)]
pub struct ReadHalf<'a>(&'a TcpStream);

/// The write half of a [`TcpStream::split`].
///
/// # Examples
///
/// See [`TcpStream::split`].
#[derive(Debug)]
pub struct WriteHalf<'a>(&'a TcpStream);

/// The read half of a [`TcpStream::into_split`]; dropping it closes the read direction.
///
/// # Examples
///
/// See [`TcpStream::into_split`].
pub struct OwnedReadHalf {
    conn: Rc<Conn>,
    side: usize,
}

/// The write half of a [`TcpStream::into_split`]; dropping it shuts the write direction down.
///
/// # Examples
///
/// See [`TcpStream::into_split`].
pub struct OwnedWriteHalf {
    conn: Rc<Conn>,
    side: usize,
}

impl OwnedReadHalf {
    /// Puts the halves of one [`TcpStream::into_split`] back together, as tokio's
    /// `OwnedReadHalf::reunite`: the stream owns the connection again.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::net::{TcpListener, TcpStream};
    ///
    /// simloop::run(0, async {
    ///     let _listener = TcpListener::bind("db:5432").await.unwrap();
    ///     let (read, write) = TcpStream::connect("db:5432").await.unwrap().into_split();
    ///     let stream = read.reunite(write).unwrap();
    ///     assert_eq!(stream.peer_addr().unwrap().port(), 5432);
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// [`ReuniteError`], holding both halves, when they come from different streams.
    pub fn reunite(self, other: OwnedWriteHalf) -> Result<TcpStream, ReuniteError> {
        if !Rc::ptr_eq(&self.conn, &other.conn) || self.side != other.side {
            return Err(ReuniteError(self, other));
        }
        let stream = TcpStream::new(Rc::clone(&self.conn), self.side);
        // The halves' destructors would close the directions the stream now owns.
        std::mem::forget(self);
        std::mem::forget(other);
        Ok(stream)
    }
}

/// The halves handed back by [`OwnedReadHalf::reunite`] when they come from different streams,
/// as tokio's `ReuniteError`.
///
/// # Examples
///
/// See [`OwnedReadHalf::reunite`].
#[derive(Debug)]
pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

impl fmt::Display for ReuniteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tried to reunite halves that are not from the same stream")
    }
}

impl std::error::Error for ReuniteError {}

impl Drop for OwnedReadHalf {
    fn drop(&mut self) {
        self.conn.pipes[1 - self.side].close_read();
    }
}

impl Drop for OwnedWriteHalf {
    fn drop(&mut self) {
        self.conn.pipes[self.side].shutdown(&self.conn.net);
    }
}

impl fmt::Debug for OwnedReadHalf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedReadHalf")
            .field("peer", &self.conn.pipes[1 - self.side].src)
            .finish()
    }
}

impl fmt::Debug for OwnedWriteHalf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedWriteHalf")
            .field("peer", &self.conn.pipes[self.side].dst)
            .finish()
    }
}
