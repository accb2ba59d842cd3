//! UDP between simulated hosts: [`UdpSocket`].

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;

use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use super::addr::{ip_of, resolve, ToSocketAddrs, Use};
use super::pipe::{arm, arm_for_waiter};
use super::sockets::{current_host, Stats};
use super::state::{HostId, Net};
use crate::id::TaskId;
use crate::rt::{self, Alarm, WaitTarget};
use crate::sim::{chance, note};

/// The largest payload of one IPv4 datagram.
const MAX_DATAGRAM: usize = 65_507;

struct Datagram {
    arrival: u64,
    from: (HostId, SocketAddr),
    data: Vec<u8>,
}

#[derive(Default)]
struct Inbox {
    /// In order of arrival; equal arrivals in the order sent.
    queue: VecDeque<Datagram>,
    waker: Option<Waker>,
    timer: Alarm,
}

/// What a socket shares with its port's entry and with senders.
pub(crate) struct UdpShared {
    net: Rc<Net>,
    host: HostId,
    addr: SocketAddr,
    inbox: RefCell<Inbox>,
    closed: Cell<bool>,
}

impl UdpShared {
    /// The host crashed: datagrams waiting are lost and receives fail.
    pub(crate) fn close(&self) {
        self.closed.set(true);
        let mut inbox = self.inbox.borrow_mut();
        let queue = std::mem::take(&mut inbox.queue);
        let timer = std::mem::take(&mut inbox.timer);
        let waker = inbox.waker.take();
        drop(inbox);
        drop((queue, timer));
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    fn deliver(&self, datagram: Datagram) {
        let mut inbox = self.inbox.borrow_mut();
        let at = inbox
            .queue
            .partition_point(|queued| queued.arrival <= datagram.arrival);
        inbox.queue.insert(at, datagram);
        if let Some(waker) = inbox.waker.clone() {
            let due = inbox.queue[0].arrival;
            arm_for_waiter(&mut inbox.timer, due, &waker);
        }
    }
}

impl WaitTarget for UdpShared {
    fn describe(&self, _names: &dyn Fn(TaskId) -> String) -> String {
        format!(
            "a datagram to {} (`{}`)",
            self.addr,
            self.net.name(self.host)
        )
    }
}

/// A UDP socket on a simulated host, like tokio's.
///
/// A datagram arrives whole or not at all, never split: it may be lost
/// ([`WorldConfig::loss`](crate::sim::WorldConfig::loss)), delivered twice
/// ([`WorldConfig::duplicates`](crate::sim::WorldConfig::duplicates)) and overtaken by a later
/// one (each copy takes its own latency). Across a partition, or to a port nobody bound, it is
/// lost. A receive with a buffer too small keeps the start of the datagram and drops the rest,
/// as Linux does. Dropping the socket frees its port.
///
/// # Examples
///
/// ```
/// use simloop::net::UdpSocket;
///
/// simloop::run(0, async {
///     let server = UdpSocket::bind("dns:53").await.unwrap();
///     let client = UdpSocket::bind("0.0.0.0:0").await.unwrap();
///     client.send_to(b"query", "dns:53").await.unwrap();
///     let mut buf = [0; 512];
///     let (len, from) = server.recv_from(&mut buf).await.unwrap();
///     assert_eq!(&buf[..len], b"query");
///     server.send_to(b"answer", from).await.unwrap();
///     let (len, _) = client.recv_from(&mut buf).await.unwrap();
///     assert_eq!(&buf[..len], b"answer");
/// });
/// ```
pub struct UdpSocket {
    shared: Rc<UdpShared>,
    peer: Cell<Option<(HostId, SocketAddr)>>,
}

impl UdpSocket {
    /// Binds `addr` (see [`TcpListener::bind`](super::TcpListener::bind) for which host);
    /// port `0` picks a free one.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::net::UdpSocket;
    ///
    /// simloop::run(0, async {
    ///     let _a = UdpSocket::bind("dns:53").await.unwrap();
    ///     let err = UdpSocket::bind("dns:53").await.unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
    /// });
    /// ```
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// # Errors
    ///
    /// `AddrInUse` when a socket holds the port; as
    /// [`TcpListener::bind`](super::TcpListener::bind) otherwise.
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<UdpSocket> {
        let net = super::net("simloop::net::UdpSocket::bind");
        let (host, port) = resolve(&net, || current_host(&net), &addr, Use::Bind)?;
        if !net.is_up(host) {
            return Err(io::Error::new(
                io::ErrorKind::NetworkDown,
                format!("simloop: host `{}` is down", net.name(host)),
            ));
        }
        let make = |port| {
            Rc::new(UdpShared {
                net: Rc::clone(&net),
                host,
                addr: SocketAddr::new(ip_of(host), port),
                inbox: RefCell::default(),
                closed: Cell::new(false),
            })
        };
        let Some(shared) = net.sockets.bind_udp(host, port, make) else {
            return Err(io::Error::new(
                io::ErrorKind::AddrInUse,
                format!(
                    "simloop: UDP {}:{port} is in use: a UdpSocket holds it; drop it first, or \
                     bind port 0",
                    net.name(host)
                ),
            ));
        };
        Ok(UdpSocket {
            shared,
            peer: Cell::new(None),
        })
    }

    /// The address it is bound to.
    ///
    /// # Examples
    ///
    /// ```
    /// simloop::run(0, async {
    ///     let socket = simloop::net::UdpSocket::bind("dns:53").await.unwrap();
    ///     assert_eq!(socket.local_addr().unwrap().port(), 53);
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// Never; a `Result` as tokio's.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.shared.addr)
    }

    /// The [`connect`](UdpSocket::connect)ed peer's address, as tokio's `peer_addr`.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::net::UdpSocket;
    ///
    /// simloop::run(0, async {
    ///     let server = UdpSocket::bind("stats:8125").await.unwrap();
    ///     let client = UdpSocket::bind("0.0.0.0:0").await.unwrap();
    ///     client.connect("stats:8125").await.unwrap();
    ///     assert_eq!(client.peer_addr().unwrap(), server.local_addr().unwrap());
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// `NotConnected` before [`connect`](UdpSocket::connect).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.peer
            .get()
            .map(|(_, addr)| addr)
            .ok_or_else(not_connected)
    }

    /// Sets the peer of [`send`](UdpSocket::send) and [`recv`](UdpSocket::recv): datagrams from
    /// anyone else are dropped on receipt.
    ///
    /// # Examples
    ///
    /// See [`UdpSocket`] and [`send`](UdpSocket::send).
    ///
    /// # Errors
    ///
    /// As [`lookup_host`](super::lookup_host).
    pub async fn connect<A: ToSocketAddrs>(&self, addr: A) -> io::Result<()> {
        let net = &self.shared.net;
        let (host, port) = resolve(net, || self.shared.host, &addr, Use::Connect)?;
        self.peer
            .set(Some((host, SocketAddr::new(ip_of(host), port))));
        Ok(())
    }

    /// Sends one datagram to `target`; returns its length. It leaves at once: whether it
    /// arrives is the network's business.
    ///
    /// # Examples
    ///
    /// See [`UdpSocket`].
    ///
    /// # Errors
    ///
    /// `InvalidInput` for more than 65,507 bytes; as [`lookup_host`](super::lookup_host) for
    /// the target.
    pub async fn send_to<A: ToSocketAddrs>(&self, buf: &[u8], target: A) -> io::Result<usize> {
        let net = &self.shared.net;
        let (host, port) = resolve(net, || self.shared.host, &target, Use::Connect)?;
        self.send_one(buf, (host, SocketAddr::new(ip_of(host), port)))
    }

    /// Sends one datagram to the [`connect`](UdpSocket::connect)ed peer.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::net::UdpSocket;
    ///
    /// simloop::run(0, async {
    ///     let server = UdpSocket::bind("stats:8125").await.unwrap();
    ///     let client = UdpSocket::bind("0.0.0.0:0").await.unwrap();
    ///     assert!(client.send(b"x").await.is_err()); // not connected
    ///     client.connect("stats:8125").await.unwrap();
    ///     client.send(b"hits:1|c").await.unwrap();
    ///     let mut buf = [0; 64];
    ///     let (len, _) = server.recv_from(&mut buf).await.unwrap();
    ///     assert_eq!(&buf[..len], b"hits:1|c");
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// `NotConnected` before [`connect`](UdpSocket::connect); as
    /// [`send_to`](UdpSocket::send_to).
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        let peer = self.peer.get().ok_or_else(not_connected)?;
        self.send_one(buf, peer)
    }

    fn send_one(&self, buf: &[u8], (to, addr): (HostId, SocketAddr)) -> io::Result<usize> {
        if buf.len() > MAX_DATAGRAM {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "simloop: a datagram of {} bytes is above UDP's {MAX_DATAGRAM}",
                    buf.len()
                ),
            ));
        }
        let shared = &self.shared;
        let net = &shared.net;
        let sockets = &net.sockets;
        Stats::add(&sockets.stats.datagrams, 1);
        let label = net.label(shared.host, to);
        let (lost, twice, latencies) = {
            let latency = net.link_latency(shared.host, to);
            let mut rng = sockets.rng.borrow_mut();
            let lost = chance(&mut *rng, sockets.mix.loss);
            let twice = chance(&mut *rng, sockets.mix.duplicates);
            let first = latency.sample_ns(&mut *rng);
            let second = latency.sample_ns(&mut *rng);
            (lost, twice, [first, second])
        };
        let target = sockets.udp(to, addr.port());
        let why = if lost {
            Some("lost")
        } else if net.is_cut(shared.host, to) {
            Some("lost (partition)")
        } else if !net.is_up(to) || target.is_none() {
            Some("lost (nobody bound the port)")
        } else {
            None
        };
        if let (None, Some(target)) = (why, target) {
            let now = rt::now_ns("simloop::net::UdpSocket::send_to");
            let copies = if twice { 2 } else { 1 };
            if twice {
                Stats::add(&sockets.stats.duplicated, 1);
            }
            note(&label, || {
                format!("datagram {} bytes to {addr} x{copies}", buf.len()).into()
            });
            for latency in &latencies[..copies] {
                target.deliver(Datagram {
                    arrival: now.saturating_add(*latency),
                    from: (shared.host, shared.addr),
                    data: buf.to_vec(),
                });
            }
        } else if let Some(why) = why {
            Stats::add(&sockets.stats.lost, 1);
            note(&label, || {
                format!("datagram {} bytes to {addr}: {why}", buf.len()).into()
            });
        }
        Ok(buf.len())
    }

    /// Receives one datagram into `buf`; returns its length (at most `buf.len()`) and sender.
    ///
    /// # Examples
    ///
    /// See [`UdpSocket`].
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the host crashed.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a datagram is taken only when this completes.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        poll_fn(|cx| self.poll_take(cx, buf)).await
    }

    /// Receives one datagram from the [`connect`](UdpSocket::connect)ed peer.
    ///
    /// # Examples
    ///
    /// See [`send`](UdpSocket::send).
    ///
    /// # Errors
    ///
    /// `NotConnected` before [`connect`](UdpSocket::connect); as
    /// [`recv_from`](UdpSocket::recv_from).
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        if self.peer.get().is_none() {
            return Err(not_connected());
        }
        poll_fn(|cx| self.poll_take(cx, buf)).await.map(|got| got.0)
    }

    fn poll_take(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        let shared = &self.shared;
        if shared.closed.get() {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                format!(
                    "simloop: the UDP socket {} is closed: its host crashed",
                    shared.addr
                ),
            )));
        }
        let now = rt::now_ns("simloop::net::UdpSocket::recv_from");
        let peer = self.peer.get();
        loop {
            let mut inbox = shared.inbox.borrow_mut();
            match inbox.queue.front() {
                Some(next) if next.arrival <= now => {
                    let datagram = inbox.queue.pop_front().expect("a front");
                    inbox.waker = None;
                    drop(inbox);
                    let (from, from_addr) = datagram.from;
                    let net = &shared.net;
                    if net.is_cut(from, shared.host) {
                        Stats::add(&net.sockets.stats.lost, 1);
                        let label = net.label(from, shared.host);
                        note(&label, || "datagram lost (partition)".into());
                        continue;
                    }
                    if peer.is_some_and(|(_, addr)| addr != from_addr) {
                        continue;
                    }
                    let len = datagram.data.len().min(buf.len());
                    buf[..len].copy_from_slice(&datagram.data[..len]);
                    return Poll::Ready(Ok((len, from_addr)));
                }
                next => {
                    let due = next.map(|next| next.arrival);
                    if !inbox
                        .waker
                        .as_ref()
                        .is_some_and(|old| old.will_wake(cx.waker()))
                    {
                        inbox.waker = Some(cx.waker().clone());
                    }
                    match due {
                        Some(due) => arm(&mut inbox.timer, due, cx.waker()),
                        // A sender arms the wake-up for this task when a datagram comes.
                        None => inbox.timer.wait_here(),
                    }
                    drop(inbox);
                    rt::waiting_on(shared);
                    return Poll::Pending;
                }
            }
        }
    }
}

fn not_connected() -> io::Error {
    io::Error::new(
        io::ErrorKind::NotConnected,
        "simloop: the UdpSocket has no peer: call connect first, or use send_to/recv_from",
    )
}

impl Drop for UdpSocket {
    fn drop(&mut self) {
        let shared = &self.shared;
        shared
            .net
            .sockets
            .unbind_udp(shared.host, shared.addr.port(), Rc::as_ptr(shared));
        shared.close();
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdpSocket")
            .field("addr", &self.shared.addr)
            .finish()
    }
}
