//! The sockets of one simulation: bound ports, open byte streams, datagram sockets, and the
//! generator their segments and datagrams draw from.
//!
//! The generator is the network's seed on its own ChaCha stream, so socket traffic (the
//! message layer's included) never shifts the errors and resets its servers inject, nor the
//! other way round.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::{Rc, Weak};
use std::task::Waker;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::state::{HostId, Net};
use super::stream::{Conn, ListenerShared};
use super::udp::UdpShared;
use crate::rt;
use crate::sim::{FaultMix, Setup};

/// The first port handed out for port `0` and outgoing connections (IANA's dynamic range).
const EPHEMERAL: u16 = 49152;

#[derive(Default)]
struct Inner {
    listeners: BTreeMap<(HostId, u16), Weak<ListenerShared>>,
    udp: BTreeMap<(HostId, u16), Weak<UdpShared>>,
    /// The next ephemeral port of each host.
    next_port: BTreeMap<HostId, u16>,
    /// Open connections, for crashes to reset; dead entries are pruned when the list doubles.
    conns: Vec<Weak<Conn>>,
    prune_at: usize,
    /// Readers waiting for a partition to heal.
    stalled: Vec<Waker>,
}

/// Socket traffic, for the failure report.
#[derive(Default)]
pub(crate) struct Stats {
    pub(crate) connections: Cell<u64>,
    pub(crate) refused: Cell<u64>,
    pub(crate) resets: Cell<u64>,
    pub(crate) bytes: Cell<u64>,
    pub(crate) segments: Cell<u64>,
    pub(crate) datagrams: Cell<u64>,
    pub(crate) lost: Cell<u64>,
    pub(crate) duplicated: Cell<u64>,
}

impl Stats {
    pub(crate) fn add(cell: &Cell<u64>, n: u64) {
        cell.set(cell.get() + n);
    }
}

pub(crate) struct Sockets {
    inner: RefCell<Inner>,
    pub(crate) rng: RefCell<ChaCha8Rng>,
    pub(crate) mix: FaultMix,
    pub(crate) segmentation: bool,
    pub(crate) send_buffer: usize,
    pub(crate) stats: Stats,
    /// The storage of connections' emptied send buffers, for the next write to reuse.
    pub(crate) spare: super::pipe::Spare,
}

impl Sockets {
    pub(crate) fn new(setup: &Setup) -> Sockets {
        let mut rng = ChaCha8Rng::seed_from_u64(setup.net_seed);
        rng.set_stream(1);
        Sockets {
            inner: RefCell::new(Inner {
                prune_at: 32,
                ..Inner::default()
            }),
            rng: RefCell::new(rng),
            mix: setup.mix,
            segmentation: setup.config.segmentation,
            send_buffer: setup.config.send_buffer,
            stats: Stats::default(),
            spare: super::pipe::Spare::default(),
        }
    }

    /// A free port on `host`: `port`, or an ephemeral one for `0`.
    fn claim<T>(
        inner: &mut Inner,
        table: impl Fn(&Inner) -> &BTreeMap<(HostId, u16), Weak<T>>,
        host: HostId,
        port: u16,
    ) -> Option<u16> {
        let taken = |inner: &Inner, port| {
            table(inner)
                .get(&(host, port))
                .is_some_and(|weak| weak.strong_count() > 0)
        };
        if port != 0 {
            return (!taken(inner, port)).then_some(port);
        }
        for _ in EPHEMERAL..=u16::MAX {
            let port = Sockets::ephemeral(inner, host);
            if !taken(inner, port) {
                return Some(port);
            }
        }
        None
    }

    fn ephemeral(inner: &mut Inner, host: HostId) -> u16 {
        let next = inner.next_port.entry(host).or_insert(EPHEMERAL);
        let port = *next;
        *next = if port == u16::MAX {
            EPHEMERAL
        } else {
            port + 1
        };
        port
    }

    /// The local port of a new outgoing connection from `host`.
    pub(crate) fn outgoing_port(&self, host: HostId) -> u16 {
        Sockets::ephemeral(&mut self.inner.borrow_mut(), host)
    }

    /// Binds `port` (`0`: any free one) on `host` for TCP; `None` if it is taken.
    pub(crate) fn bind_tcp(
        &self,
        host: HostId,
        port: u16,
        make: impl FnOnce(u16) -> Rc<ListenerShared>,
    ) -> Option<Rc<ListenerShared>> {
        let mut inner = self.inner.borrow_mut();
        let port = Sockets::claim(&mut inner, |inner| &inner.listeners, host, port)?;
        let shared = make(port);
        inner.listeners.insert((host, port), Rc::downgrade(&shared));
        Some(shared)
    }

    /// Binds `port` (`0`: any free one) on `host` for UDP; `None` if it is taken.
    pub(crate) fn bind_udp(
        &self,
        host: HostId,
        port: u16,
        make: impl FnOnce(u16) -> Rc<UdpShared>,
    ) -> Option<Rc<UdpShared>> {
        let mut inner = self.inner.borrow_mut();
        let port = Sockets::claim(&mut inner, |inner| &inner.udp, host, port)?;
        let shared = make(port);
        inner.udp.insert((host, port), Rc::downgrade(&shared));
        Some(shared)
    }

    pub(crate) fn listener(&self, host: HostId, port: u16) -> Option<Rc<ListenerShared>> {
        self.inner
            .borrow()
            .listeners
            .get(&(host, port))
            .and_then(Weak::upgrade)
    }

    pub(crate) fn udp(&self, host: HostId, port: u16) -> Option<Rc<UdpShared>> {
        self.inner
            .borrow()
            .udp
            .get(&(host, port))
            .and_then(Weak::upgrade)
    }

    /// Frees a TCP port when its listener goes.
    pub(crate) fn unbind_tcp(&self, host: HostId, port: u16, shared: *const ListenerShared) {
        let mut inner = self.inner.borrow_mut();
        if inner
            .listeners
            .get(&(host, port))
            .is_some_and(|weak| weak.as_ptr() == shared)
        {
            inner.listeners.remove(&(host, port));
        }
    }

    /// Frees a UDP port when its socket goes.
    pub(crate) fn unbind_udp(&self, host: HostId, port: u16, shared: *const UdpShared) {
        let mut inner = self.inner.borrow_mut();
        if inner
            .udp
            .get(&(host, port))
            .is_some_and(|weak| weak.as_ptr() == shared)
        {
            inner.udp.remove(&(host, port));
        }
    }

    /// Keeps `conn` where a crash of one of its hosts finds it.
    pub(crate) fn register(&self, conn: &Rc<Conn>) {
        let mut inner = self.inner.borrow_mut();
        if inner.conns.len() >= inner.prune_at {
            inner.conns.retain(|weak| weak.strong_count() > 0);
            inner.prune_at = (inner.conns.len() * 2).max(32);
        }
        inner.conns.push(Rc::downgrade(conn));
        Stats::add(&self.stats.connections, 1);
    }

    /// A reader waits for a partition to heal.
    pub(crate) fn stall(&self, waker: &Waker) {
        self.inner.borrow_mut().stalled.push(waker.clone());
    }

    /// A link healed: readers stalled on a partition look again.
    pub(crate) fn healed(&self) {
        let stalled = std::mem::take(&mut self.inner.borrow_mut().stalled);
        for waker in stalled {
            waker.wake();
        }
    }

    /// `host` crashed: its connections are reset (both ends), its ports freed, its listeners and
    /// datagram sockets closed.
    pub(crate) fn crash(&self, host: HostId) {
        let (conns, listeners, udp) = {
            let mut inner = self.inner.borrow_mut();
            let conns: Vec<Rc<Conn>> = inner
                .conns
                .iter()
                .filter_map(Weak::upgrade)
                .filter(|conn| conn.touches(host))
                .collect();
            let mut listeners = Vec::new();
            inner.listeners.retain(|&(on, _), weak| {
                if on == host {
                    listeners.extend(weak.upgrade());
                }
                on != host
            });
            let mut udp = Vec::new();
            inner.udp.retain(|&(on, _), weak| {
                if on == host {
                    udp.extend(weak.upgrade());
                }
                on != host
            });
            (conns, listeners, udp)
        };
        for conn in conns {
            conn.reset("host crashed");
        }
        for listener in listeners {
            listener.close();
        }
        for socket in udp {
            socket.close();
        }
    }

    pub(crate) fn report_lines(&self, lines: &mut Vec<String>) {
        let s = &self.stats;
        if s.connections.get() + s.refused.get() > 0 {
            lines.push(format!(
                "tcp: {} connections ({} refused, {} reset), {} bytes in {} segments{}",
                s.connections.get(),
                s.refused.get(),
                s.resets.get(),
                s.bytes.get(),
                s.segments.get(),
                if self.segmentation {
                    ", segmentation on"
                } else {
                    ""
                },
            ));
        }
        if s.datagrams.get() > 0 {
            lines.push(format!(
                "udp: {} datagrams ({} lost, {} duplicated)",
                s.datagrams.get(),
                s.lost.get(),
                s.duplicated.get()
            ));
        }
    }
}

/// The host the current task runs on: the one it was spawned on, else [`DEFAULT_HOST`].
///
/// [`DEFAULT_HOST`]: super::DEFAULT_HOST
pub(crate) fn current_host(net: &Net) -> HostId {
    rt::current_task()
        .and_then(|task| net.host_of(task))
        .unwrap_or_else(|| net.host(super::DEFAULT_HOST))
}
