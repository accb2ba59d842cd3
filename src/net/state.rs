//! The network of one simulation: hosts, links, and the fate of each message.
//!
//! A request's fate (its latencies, whether it or its reply is lost, whether the reply is an
//! injected error) is drawn when it is sent, a fixed number of draws per request, so the fates
//! of later requests do not depend on when earlier ones are handled.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::task::Waker;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::message::{NetError, Request, Response};
use super::sockets::Sockets;
use crate::id::TaskId;
use crate::rt::{self, Extension, WaitTarget};
use crate::sim::{chance, note, FaultMix, Latency, Setup};

pub(crate) type HostId = usize;

/// Spawns the task that carries one request to a listener's handler; made by `serve`, which
/// knows the handler's type, so no future is boxed per request.
pub(crate) type Spawner = Rc<dyn Fn(Exchange) -> TaskId>;

struct Host {
    name: Rc<str>,
    up: bool,
    /// Bumped by every crash: connections and replies from an earlier life are dead.
    incarnation: u32,
    listener: Option<Spawner>,
    /// Tasks that die with the host; finished ones are pruned when the list doubles.
    tasks: Vec<TaskId>,
    prune_at: usize,
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

/// What a handler task needs to carry one request and its reply.
pub(crate) struct Exchange {
    pub(crate) request: Request,
    pub(crate) reply: Rc<Reply>,
    pub(crate) net: Rc<Net>,
    pub(crate) from: (HostId, u32),
    pub(crate) to: (HostId, u32),
    pub(crate) arrival_ns: u64,
    pub(crate) back_ns: u64,
    pub(crate) fate: Fate,
    pub(crate) label: Rc<str>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    Deliver,
    LoseReply,
    InjectError,
}

/// Where a reply lands; the client waits on it.
pub(crate) struct Reply {
    value: RefCell<Option<Response>>,
    waker: RefCell<Option<Waker>>,
    pub(crate) host: Rc<str>,
}

impl Reply {
    fn new(host: Rc<str>) -> Rc<Reply> {
        Rc::new(Reply {
            value: RefCell::new(None),
            waker: RefCell::new(None),
            host,
        })
    }

    pub(crate) fn fill(&self, response: Response) {
        *self.value.borrow_mut() = Some(response);
        let waker = self.waker.borrow_mut().take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    pub(crate) fn take(&self, waker: &Waker) -> Option<Response> {
        let value = self.value.borrow_mut().take();
        if value.is_none() {
            let mut slot = self.waker.borrow_mut();
            if !slot.as_ref().is_some_and(|old| old.will_wake(waker)) {
                *slot = Some(waker.clone());
            }
        }
        value
    }
}

impl WaitTarget for Reply {
    fn describe(&self, _names: &dyn Fn(TaskId) -> String) -> String {
        format!("a reply from `{}`", self.host)
    }
}

/// The drawn fate of one request.
struct Draw {
    forward_ns: u64,
    back_ns: u64,
    lost: bool,
    lose_request: bool,
    error: bool,
    reset: bool,
}

/// What became of a request or a connection attempt when it was sent.
pub(crate) enum Sent {
    /// A reply may come.
    Waiting(Rc<Reply>),
    /// No reply will come (lost, partitioned, host down); the timeout decides.
    Never(Rc<Reply>),
    /// After this many nanoseconds, this error (a refusal or a reset travels a round trip).
    FailAfter(u64, NetError),
    /// A connection is open after this many nanoseconds.
    OpenAfter(u64),
}

/// The per-connection state the network reads and updates.
pub(crate) struct ConnState {
    pub(crate) id: u64,
    pub(crate) incarnation: u32,
    pub(crate) closed: Cell<bool>,
    /// Requests on a connection arrive in order, as on TCP.
    pub(crate) last_arrival_ns: Cell<u64>,
}

pub(crate) struct Net {
    inner: RefCell<Inner>,
    rng: RefCell<ChaCha8Rng>,
    mix: FaultMix,
    latency: Latency,
    next_connection: Cell<u64>,
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
    /// on (`spawn_on`, or a server's handler).
    pub(crate) fn host_of(&self, task: TaskId) -> Option<HostId> {
        let inner = self.inner.borrow();
        let mut task = Some(task);
        while let Some(id) = task {
            let host = inner
                .hosts
                .iter()
                .position(|host| host.up && host.tasks.contains(&id));
            if host.is_some() {
                return host;
            }
            task = rt::parent_of(id);
        }
        None
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
            incarnation: 0,
            listener: None,
            tasks: Vec::new(),
            prune_at: 32,
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

    fn check_up(inner: &Inner, host: HostId) -> Result<(), NetError> {
        if inner.hosts[host].up {
            Ok(())
        } else {
            Err(NetError::HostDown {
                host: inner.hosts[host].name.to_string(),
            })
        }
    }

    /// Forward and return latencies of one exchange, in nanoseconds.
    fn round_trip(&self, inner: &mut Inner, from: HostId, to: HostId) -> (u64, u64) {
        let forward = inner.link(from, to).latency.unwrap_or(self.latency);
        let back = inner.link(to, from).latency.unwrap_or(self.latency);
        let mut rng = self.rng.borrow_mut();
        (forward.sample_ns(&mut *rng), back.sample_ns(&mut *rng))
    }

    /// Draws the fate of one request: always the same number of draws.
    fn draw(&self, inner: &mut Inner, from: HostId, to: HostId, on_connection: bool) -> Draw {
        let (forward_ns, back_ns) = self.round_trip(inner, from, to);
        let mut rng = self.rng.borrow_mut();
        let lost = chance(&mut *rng, self.mix.loss);
        let lose_request = rng.random();
        let error = chance(&mut *rng, self.mix.errors);
        let reset = on_connection && chance(&mut *rng, self.mix.resets);
        Draw {
            forward_ns,
            back_ns,
            lost,
            lose_request,
            error,
            reset,
        }
    }

    /// Decides the fate of `request` from `from` to `to` and, if it reaches a listener, spawns
    /// the task that carries it.
    pub(crate) fn send(
        self: &Rc<Net>,
        from: HostId,
        to: &str,
        request: Request,
        conn: Option<&ConnState>,
    ) -> Result<(Sent, Rc<str>), NetError> {
        let mut inner = self.inner.borrow_mut();
        let to = inner.lookup(to)?;
        Net::check_up(&inner, from)?;
        let draw = self.draw(&mut inner, from, to, conn.is_some());
        let label = Rc::clone(&inner.link(from, to).label);
        let target = &inner.hosts[to];
        let host = Rc::clone(&target.name);
        let round_trip_ns = draw.forward_ns.saturating_add(draw.back_ns);
        let restarted = conn.is_some_and(|conn| conn.incarnation != target.incarnation);
        if (restarted && target.up) || draw.reset {
            let why = if draw.reset {
                "reset (injected)"
            } else {
                "reset (host restarted)"
            };
            note(&label, || why.into());
            let error = NetError::Reset {
                host: host.to_string(),
            };
            return Ok((Sent::FailAfter(round_trip_ns, error), label));
        }
        note(&label, || {
            format!("send {} {}", request.method, request.path).into()
        });
        let lost_because = if inner.is_cut(from, to) {
            Some("lost request (partition)")
        } else if !target.up {
            Some("lost request (host down)")
        } else if target.listener.is_none() {
            note(&label, || "refused".into());
            let error = NetError::Refused {
                host: host.to_string(),
            };
            return Ok((Sent::FailAfter(round_trip_ns, error), label));
        } else if draw.lost && draw.lose_request {
            Some("lost request")
        } else {
            None
        };
        if let Some(why) = lost_because {
            note(&label, || why.into());
            return Ok((Sent::Never(Reply::new(host)), label));
        }
        let spawner = target.listener.clone();
        let ends = (
            (from, inner.hosts[from].incarnation),
            (to, target.incarnation),
        );
        drop(inner);
        let reply = Reply::new(host);
        let exchange = self.exchange(request, Rc::clone(&reply), ends, &draw, conn, &label);
        if let Some(spawner) = spawner {
            let task = spawner(exchange);
            self.adopt(to, task);
        }
        Ok((Sent::Waiting(reply), label))
    }

    /// Everything the handler task of a delivered request needs.
    fn exchange(
        self: &Rc<Net>,
        mut request: Request,
        reply: Rc<Reply>,
        (from, to): ((HostId, u32), (HostId, u32)),
        draw: &Draw,
        conn: Option<&ConnState>,
        label: &Rc<str>,
    ) -> Exchange {
        let mut arrival_ns = rt::now_ns("simloop::net").saturating_add(draw.forward_ns);
        if let Some(conn) = conn {
            // A nanosecond apart at least: messages due at one instant would be handed to the
            // scheduler together, and it may run them in any order.
            arrival_ns = arrival_ns.max(conn.last_arrival_ns.get().saturating_add(1));
            conn.last_arrival_ns.set(arrival_ns);
        }
        request.from = Some(self.name(from.0));
        request.connection = conn.map(|conn| conn.id);
        Exchange {
            request,
            reply,
            net: Rc::clone(self),
            from,
            to,
            arrival_ns,
            back_ns: draw.back_ns,
            fate: match (draw.lost, draw.error) {
                (true, _) => Fate::LoseReply,
                (false, true) => Fate::InjectError,
                (false, false) => Fate::Deliver,
            },
            label: Rc::clone(label),
        }
    }

    /// Opens a connection: one round trip, refused without a listener, never answered across a
    /// partition or by a host that is down.
    pub(crate) fn connect(
        &self,
        from: HostId,
        to: &str,
    ) -> Result<(Sent, ConnState, Rc<str>), NetError> {
        let mut inner = self.inner.borrow_mut();
        let to = inner.lookup(to)?;
        Net::check_up(&inner, from)?;
        let (forward_ns, back_ns) = self.round_trip(&mut inner, from, to);
        let label = Rc::clone(&inner.link(from, to).label);
        let target = &inner.hosts[to];
        let id = self.next_connection.get();
        let state = ConnState {
            id,
            incarnation: target.incarnation,
            closed: Cell::new(false),
            last_arrival_ns: Cell::new(0),
        };
        let host = Rc::clone(&target.name);
        let sent = if inner.is_cut(from, to) || inner.is_cut(to, from) || !target.up {
            note(&label, || "connect: no answer".into());
            Sent::Never(Reply::new(host))
        } else if target.listener.is_none() {
            note(&label, || "connect: refused".into());
            Sent::FailAfter(
                forward_ns.saturating_add(back_ns),
                NetError::Refused {
                    host: host.to_string(),
                },
            )
        } else {
            self.next_connection.set(id + 1);
            note(&label, || format!("connect #{id}").into());
            Sent::OpenAfter(forward_ns.saturating_add(back_ns))
        };
        Ok((sent, state, Rc::clone(&inner.hosts[to].name)))
    }

    /// Whether a message from `from` can reach `to` now, and `to` is still in the life it had.
    pub(crate) fn reaches(&self, from: HostId, to: (HostId, u32)) -> bool {
        let inner = self.inner.borrow();
        let host = &inner.hosts[to.0];
        !inner.is_cut(from, to.0) && host.up && host.incarnation == to.1
    }

    pub(crate) fn listen(&self, host: HostId, spawner: Spawner) -> Result<(), NetError> {
        let mut inner = self.inner.borrow_mut();
        Net::check_up(&inner, host)?;
        let entry = &mut inner.hosts[host];
        if entry.listener.is_some() {
            return Err(NetError::AddrInUse {
                host: entry.name.to_string(),
            });
        }
        entry.listener = Some(spawner);
        Ok(())
    }

    /// Makes `task` die with `host`.
    pub(crate) fn adopt(&self, host: HostId, task: TaskId) {
        let mut inner = self.inner.borrow_mut();
        let entry = &mut inner.hosts[host];
        if entry.tasks.len() >= entry.prune_at {
            entry.tasks.retain(|&id| rt::is_pending("simloop::net", id));
            entry.prune_at = (entry.tasks.len() * 2).max(32);
        }
        entry.tasks.push(task);
    }

    /// Takes `host` down: its listener goes, its tasks are aborted, its connections die.
    pub(crate) fn crash(&self, host: HostId) {
        let tasks = {
            let mut inner = self.inner.borrow_mut();
            let entry = &mut inner.hosts[host];
            entry.up = false;
            entry.incarnation += 1;
            entry.listener = None;
            std::mem::take(&mut entry.tasks)
        };
        self.sockets.crash(host);
        for task in tasks {
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
