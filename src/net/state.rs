//! The network of one simulation: hosts, links, and the message layer's fault draws.
//!
//! Bytes travel in [`Sockets`]; what is left here is who exists, who is up, which links are
//! cut and how slow they are, and the seeded stream the message layer's servers draw their
//! injected errors and resets from (one draw each per request, when it is read).

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::message::NetError;
use super::sockets::Sockets;
use crate::id::TaskId;
use crate::rt::{self, Extension};
use crate::sim::{chance, FaultMix, Latency, Setup};

pub(crate) type HostId = usize;

struct Host {
    name: Rc<str>,
    up: bool,
}

struct Link {
    label: Rc<str>,
    latency: Option<Latency>,
    cut: bool,
}

/// What a connection needs of its link at every read and write.
#[derive(Clone, Copy)]
pub(crate) struct LinkState {
    pub(crate) latency: Latency,
    pub(crate) cut: bool,
}

/// A connection's copy of its [`LinkState`], with the links' version it was read at.
#[derive(Default)]
pub(crate) struct LinkCache(Cell<Option<(u64, LinkState)>>);

#[derive(Default)]
struct Inner {
    hosts: Vec<Host>,
    by_name: BTreeMap<Rc<str>, HostId>,
    /// Directed links, created when first used.
    links: BTreeMap<(HostId, HostId), Link>,
    /// Bumped whenever a link may have changed: a [`LinkCache`] filled at another version is
    /// stale.
    links_version: u64,
}

impl Inner {
    fn lookup(&self, name: &str) -> Result<HostId, NetError> {
        self.by_name
            .get(name)
            .copied()
            .ok_or_else(|| NetError::UnknownHost { host: name.into() })
    }

    fn link(&mut self, from: HostId, to: HostId) -> &mut Link {
        self.links_version += 1;
        let hosts = &self.hosts;
        self.links.entry((from, to)).or_insert_with(|| Link {
            label: Rc::from(format!("net({}->{})", hosts[from].name, hosts[to].name)),
            latency: None,
            cut: false,
        })
    }

    fn is_cut(&self, from: HostId, to: HostId) -> bool {
        self.links.get(&(from, to)).is_some_and(|link| link.cut)
    }
}

pub(crate) struct Net {
    inner: RefCell<Inner>,
    rng: RefCell<ChaCha8Rng>,
    mix: FaultMix,
    latency: Latency,
    pub(crate) next_connection: Cell<u64>,
    pub(crate) open_connections: Cell<usize>,
    /// The trace object of network-wide events (crash, partition).
    pub(crate) object: Rc<str>,
    /// Listeners, byte streams and datagram sockets.
    pub(crate) sockets: Sockets,
}

/// The network lives as long as its simulation; crashes and partitions show in the trace, and
/// the report's world section counts socket traffic.
impl Extension for Net {
    fn report_lines(&self, lines: &mut Vec<String>) {
        self.sockets.report_lines(lines);
    }
}

impl Net {
    pub(crate) fn new(setup: &Setup) -> Net {
        Net {
            inner: RefCell::default(),
            rng: RefCell::new(ChaCha8Rng::seed_from_u64(setup.net_seed)),
            mix: setup.mix,
            latency: setup.config.latency,
            next_connection: Cell::new(0),
            open_connections: Cell::new(0),
            object: Rc::from("net"),
            sockets: Sockets::new(setup),
        }
    }

    /// How many hosts have been named.
    pub(crate) fn host_count(&self) -> usize {
        self.inner.borrow().hosts.len()
    }

    /// The host `task` runs on: the one it, or the nearest task it descends from, was spawned
    /// on (`spawn_on`, or a server's handler). A host is the task group `host + 1`.
    pub(crate) fn host_of(&self, task: TaskId) -> Option<HostId> {
        rt::group_of(task).map(|group| group as HostId - 1)
    }

    /// Whether the link from `from` to `to` is cut.
    pub(crate) fn is_cut(&self, from: HostId, to: HostId) -> bool {
        self.inner.borrow().is_cut(from, to)
    }

    /// The latency of the link from `from` to `to` and whether it is cut, from `cache` while no
    /// link changed since it was filled: a connection asks at every read and write, and the
    /// links change only at a partition, a heal or a latency setting.
    #[inline]
    pub(crate) fn link_state(&self, from: HostId, to: HostId, cache: &LinkCache) -> LinkState {
        let inner = self.inner.borrow();
        if let Some((version, state)) = cache.0.get() {
            if version == inner.links_version {
                return state;
            }
        }
        let link = inner.links.get(&(from, to));
        let state = LinkState {
            latency: link.and_then(|link| link.latency).unwrap_or(self.latency),
            cut: link.is_some_and(|link| link.cut),
        };
        cache.0.set(Some((inner.links_version, state)));
        state
    }

    /// The latency of the link from `from` to `to`.
    pub(crate) fn link_latency(&self, from: HostId, to: HostId) -> Latency {
        // A lookup, not `link`: a link not yet made has no latency of its own, and every
        // segment asks.
        let inner = self.inner.borrow();
        let link = inner.links.get(&(from, to));
        link.and_then(|link| link.latency).unwrap_or(self.latency)
    }

    /// The host called `name`, created (up, not listening) if new.
    pub(crate) fn host(&self, name: &str) -> HostId {
        let mut inner = self.inner.borrow_mut();
        if let Some(&id) = inner.by_name.get(name) {
            return id;
        }
        let name: Rc<str> = Rc::from(name);
        let id = inner.hosts.len();
        inner.hosts.push(Host {
            name: Rc::clone(&name),
            up: true,
        });
        inner.by_name.insert(name, id);
        id
    }

    pub(crate) fn name(&self, host: HostId) -> Rc<str> {
        Rc::clone(&self.inner.borrow().hosts[host].name)
    }

    pub(crate) fn lookup(&self, name: &str) -> Result<HostId, NetError> {
        self.inner.borrow().lookup(name)
    }

    /// Whether the server that read a request answers it with an injected error, and whether it
    /// resets the connection instead (only a request on a `Connection` draws that one).
    pub(crate) fn draw_faults(&self, on_connection: bool) -> (bool, bool) {
        let mut rng = self.rng.borrow_mut();
        let error = chance(&mut *rng, self.mix.errors);
        let reset = on_connection && chance(&mut *rng, self.mix.resets);
        (error, reset)
    }

    /// Makes `task`, and every task it spawns from now on, run on `host` and die with it.
    pub(crate) fn adopt(&self, host: HostId, task: TaskId) {
        let group = u32::try_from(host + 1).expect("fewer than 2^32 hosts");
        rt::set_group("simloop::net", task, group);
    }

    /// Takes `host` down: its listeners go, its tasks are aborted, its connections are reset.
    pub(crate) fn crash(&self, host: HostId) {
        {
            let mut inner = self.inner.borrow_mut();
            let entry = &mut inner.hosts[host];
            entry.up = false;
        }
        self.sockets.crash(host);
        // Every pending task of the host, down to the tasks its tasks spawned: a crashed
        // process takes its whole tree with it.
        let group = u32::try_from(host + 1).expect("fewer than 2^32 hosts");
        for task in rt::pending_in_group("simloop::net::crash", group) {
            rt::abort("simloop::net::crash", task);
        }
    }

    pub(crate) fn restart(&self, host: HostId) {
        self.inner.borrow_mut().hosts[host].up = true;
    }

    pub(crate) fn is_up(&self, host: HostId) -> bool {
        self.inner.borrow().hosts[host].up
    }

    pub(crate) fn set_cut(&self, a: HostId, b: HostId, cut: bool) {
        let mut inner = self.inner.borrow_mut();
        inner.link(a, b).cut = cut;
        inner.link(b, a).cut = cut;
        drop(inner);
        if !cut {
            self.sockets.healed();
        }
    }

    pub(crate) fn heal_all(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.links_version += 1;
        for link in inner.links.values_mut() {
            link.cut = false;
        }
        drop(inner);
        self.sockets.healed();
    }

    pub(crate) fn set_latency(&self, a: HostId, b: HostId, latency: Latency) {
        let mut inner = self.inner.borrow_mut();
        inner.link(a, b).latency = Some(latency);
        inner.link(b, a).latency = Some(latency);
    }

    pub(crate) fn label(&self, from: HostId, to: HostId) -> Rc<str> {
        Rc::clone(&self.inner.borrow_mut().link(from, to).label)
    }
}
