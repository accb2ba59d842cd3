//! Addresses inside the simulation: every host gets an IPv4 address, `10.0.0.1` for the first
//! host named, `10.0.0.2` for the second, and so on; names resolve without a lookup delay.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use super::state::{HostId, Net};

/// The host of tasks that run on none: the main future, and the tasks that neither were
/// started with [`spawn_on`](super::spawn_on) or by a server nor descend from one that was,
/// bind and connect from here. A task spawned by a task on a host runs on that host too (for
/// addresses: a [`crash`](super::crash) aborts only the tasks started on the host itself).
///
/// # Examples
///
/// ```
/// use simloop::net::{self, TcpListener, TcpStream};
///
/// simloop::run(0, async {
///     let listener = TcpListener::bind("db:5432").await.unwrap();
///     let stream = TcpStream::connect("db:5432").await.unwrap();
///     let (_, peer) = listener.accept().await.unwrap();
///     assert_eq!(peer.ip(), net::lookup_host((net::DEFAULT_HOST, 0)).await.unwrap().next().unwrap().ip());
///     assert_eq!(stream.local_addr().unwrap(), peer);
/// });
/// ```
pub const DEFAULT_HOST: &str = "client";

/// `10.0.0.1`, the first host's address.
const FIRST: u32 = 0x0A00_0001;

/// The address of `host`.
pub(crate) fn ip_of(host: HostId) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(FIRST.wrapping_add(host as u32)))
}

/// The host whose address is `ip`, if one has it.
fn host_of_ip(net: &Net, ip: IpAddr) -> Option<HostId> {
    let IpAddr::V4(v4) = ip else { return None };
    let host = u32::from(v4).checked_sub(FIRST)? as usize;
    (host < net.host_count()).then_some(host)
}

/// Where an address points before it is resolved.
#[doc(hidden)]
#[derive(Debug)]
pub enum Target<'a> {
    /// A host name (or `localhost`) and a port.
    Name(&'a str, u16),
    /// An address, to be matched against the hosts' addresses.
    Addr(SocketAddr),
    /// A `host:port` string that did not parse.
    Invalid(&'a str),
}

mod sealed {
    pub trait Sealed {
        fn target(&self) -> super::Target<'_>;
    }
}

/// Something that names a socket address inside the simulation, like tokio's
/// `ToSocketAddrs`: `"db:5432"`, `("db", 5432)`, `"10.0.0.2:5432"` or a [`SocketAddr`]. Host
/// names resolve to the simulated hosts' addresses; `localhost` and `127.0.0.1` name the
/// current task's host. Sealed: only this crate implements it.
///
/// # Examples
///
/// ```
/// use simloop::net::{self, TcpListener};
/// use std::net::SocketAddr;
///
/// simloop::run(0, async {
///     let listener = TcpListener::bind(("db", 5432)).await.unwrap();
///     let addr: SocketAddr = listener.local_addr().unwrap();
///     let by_name: Vec<SocketAddr> = net::lookup_host("db:5432").await.unwrap().collect();
///     let by_addr: Vec<SocketAddr> = net::lookup_host(addr).await.unwrap().collect();
///     assert_eq!(by_name, [addr]);
///     assert_eq!(by_addr, [addr]);
/// });
/// ```
pub trait ToSocketAddrs: sealed::Sealed {}

impl<T: ToSocketAddrs + ?Sized> sealed::Sealed for &T {
    fn target(&self) -> Target<'_> {
        (**self).target()
    }
}
impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}

impl sealed::Sealed for str {
    fn target(&self) -> Target<'_> {
        if let Ok(addr) = self.parse::<SocketAddr>() {
            return Target::Addr(addr);
        }
        match self.rsplit_once(':') {
            Some((host, port)) if !host.is_empty() => match port.parse() {
                Ok(port) => Target::Name(host, port),
                Err(_) => Target::Invalid(self),
            },
            _ => Target::Invalid(self),
        }
    }
}
impl ToSocketAddrs for str {}

impl sealed::Sealed for String {
    fn target(&self) -> Target<'_> {
        self.as_str().target()
    }
}
impl ToSocketAddrs for String {}

impl sealed::Sealed for (&str, u16) {
    fn target(&self) -> Target<'_> {
        match self.0.parse::<IpAddr>() {
            Ok(ip) => Target::Addr(SocketAddr::new(ip, self.1)),
            Err(_) => Target::Name(self.0, self.1),
        }
    }
}
impl ToSocketAddrs for (&str, u16) {}

impl sealed::Sealed for (String, u16) {
    fn target(&self) -> Target<'_> {
        match self.0.parse::<IpAddr>() {
            Ok(ip) => Target::Addr(SocketAddr::new(ip, self.1)),
            Err(_) => Target::Name(&self.0, self.1),
        }
    }
}
impl ToSocketAddrs for (String, u16) {}

macro_rules! addr_impls {
    ($($ty:ty => $make:expr;)*) => {
        $(
            impl sealed::Sealed for $ty {
                fn target(&self) -> Target<'_> {
                    #[allow(clippy::redundant_closure_call)]
                    Target::Addr(($make)(*self))
                }
            }
            impl ToSocketAddrs for $ty {}
        )*
    };
}

addr_impls! {
    SocketAddr => |addr: SocketAddr| addr;
    SocketAddrV4 => SocketAddr::V4;
    SocketAddrV6 => SocketAddr::V6;
    (IpAddr, u16) => |(ip, port): (IpAddr, u16)| SocketAddr::new(ip, port);
    (Ipv4Addr, u16) => |(ip, port): (Ipv4Addr, u16)| SocketAddr::new(IpAddr::V4(ip), port);
}

/// How an address is used: a local one may be unspecified (`0.0.0.0`), and binding a name
/// creates its host, as [`serve`](super::serve) does.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Use {
    Bind,
    Connect,
}

/// Resolves `addr` to a host and a port; `here` is the current task's host.
pub(crate) fn resolve<A: ToSocketAddrs + ?Sized>(
    net: &Net,
    here: impl FnOnce() -> HostId,
    addr: &A,
    use_: Use,
) -> io::Result<(HostId, u16)> {
    match addr.target() {
        Target::Name("localhost", port) => Ok((here(), port)),
        Target::Name(name, port) if use_ == Use::Bind => Ok((net.host(name), port)),
        Target::Name(name, port) => match net.lookup(name) {
            Ok(host) => Ok((host, port)),
            Err(_) => Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!(
                    "simloop: no host is named `{name}` in this simulation: hosts come into \
                     being when something names them (net::serve, net::spawn_on, a bind, a \
                     Client); check the spelling or start that host first"
                ),
            )),
        },
        Target::Addr(addr) if addr.ip().is_loopback() => Ok((here(), addr.port())),
        Target::Addr(addr) if use_ == Use::Bind && addr.ip().is_unspecified() => {
            Ok((here(), addr.port()))
        }
        Target::Addr(addr) => match host_of_ip(net, addr.ip()) {
            Some(host) => Ok((host, addr.port())),
            None => Err(io::Error::new(
                if use_ == Use::Bind {
                    io::ErrorKind::AddrNotAvailable
                } else {
                    io::ErrorKind::HostUnreachable
                },
                format!(
                    "simloop: no simulated host has the address {}: hosts are numbered from \
                     10.0.0.1 in the order they are first named; use a host name instead",
                    addr.ip()
                ),
            )),
        },
        Target::Invalid(text) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("simloop: `{text}` is not an address: write `host:port`, such as `db:5432`"),
        )),
    }
}

/// Resolves `addr` inside the simulation, like tokio's `lookup_host`: a host name gives its
/// simulated address, at once.
///
/// # Examples
///
/// ```
/// use simloop::net::{self, Client};
///
/// simloop::run(0, async {
///     Client::new("app");
///     Client::new("db");
///     let db: Vec<_> = net::lookup_host("db:5432").await.unwrap().collect();
///     assert_eq!(db[0].to_string(), "10.0.0.2:5432");
///     let err = net::lookup_host("nowhere:80").await.unwrap_err();
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
/// [`io::ErrorKind::NotFound`] for a name no host has, naming it;
/// [`io::ErrorKind::InvalidInput`] for text that is not `host:port`.
pub async fn lookup_host<A: ToSocketAddrs>(addr: A) -> io::Result<std::vec::IntoIter<SocketAddr>> {
    let net = super::net("simloop::net::lookup_host");
    let here = || super::sockets::current_host(&net);
    let (host, port) = resolve(&net, here, &addr, Use::Connect)?;
    Ok(vec![SocketAddr::new(ip_of(host), port)].into_iter())
}
