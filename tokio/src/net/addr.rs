//! `ToSocketAddrs` and `lookup_host`: the addresses tokio accepts, resolved by tokio outside a
//! simulation and among the simulated hosts inside one.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use super::local::LocalFuture;

pub(crate) mod sealed {
    use std::net::SocketAddr;

    /// An address before resolution, owned so that a simulated operation can keep it.
    #[derive(Debug, Clone)]
    pub enum Target {
        /// `"host:port"` text.
        Text(String),
        /// A host name and a port.
        Named(String, u16),
        /// Addresses, tried in order.
        Addrs(Vec<SocketAddr>),
    }

    pub trait Sealed {
        fn target(&self) -> Target;
    }
}

use sealed::Target;

/// What tokio's `ToSocketAddrs` accepts: `"db:5432"`, `("db", 5432)`, a [`SocketAddr`],
/// `(IpAddr, u16)`, `&[SocketAddr]`, ... Outside a simulation tokio resolves it (DNS for a
/// name); inside one a name resolves to a simulated host's address (`simloop::net`). Sealed,
/// as tokio's.
///
/// # Examples
///
/// ```
/// use simloop_tokio as tokio;
/// use std::net::SocketAddr;
///
/// simloop::run(0, async {
///     let listener = tokio::net::TcpListener::bind(("db", 5432)).await.unwrap();
///     let addr: SocketAddr = listener.local_addr().unwrap();
///     let by_name: Vec<_> = tokio::net::lookup_host("db:5432").await.unwrap().collect();
///     assert_eq!(by_name, [addr]);
/// });
/// ```
pub trait ToSocketAddrs: sealed::Sealed {}

impl<T: ToSocketAddrs + ?Sized> sealed::Sealed for &T {
    fn target(&self) -> Target {
        (**self).target()
    }
}
impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}

impl sealed::Sealed for str {
    fn target(&self) -> Target {
        Target::Text(self.to_owned())
    }
}
impl ToSocketAddrs for str {}

impl sealed::Sealed for String {
    fn target(&self) -> Target {
        Target::Text(self.clone())
    }
}
impl ToSocketAddrs for String {}

impl sealed::Sealed for (&str, u16) {
    fn target(&self) -> Target {
        Target::Named(self.0.to_owned(), self.1)
    }
}
impl ToSocketAddrs for (&str, u16) {}

impl sealed::Sealed for (String, u16) {
    fn target(&self) -> Target {
        Target::Named(self.0.clone(), self.1)
    }
}
impl ToSocketAddrs for (String, u16) {}

impl sealed::Sealed for [SocketAddr] {
    fn target(&self) -> Target {
        Target::Addrs(self.to_vec())
    }
}
impl ToSocketAddrs for [SocketAddr] {}

macro_rules! addr_impls {
    ($($ty:ty => $make:expr;)*) => {
        $(
            impl sealed::Sealed for $ty {
                fn target(&self) -> Target {
                    #[allow(clippy::redundant_closure_call)]
                    Target::Addrs(vec![($make)(*self)])
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
    (Ipv6Addr, u16) => |(ip, port): (Ipv6Addr, u16)| SocketAddr::new(IpAddr::V6(ip), port);
}

/// Runs `$body` with `$addr` bound to the target in a form tokio's `ToSocketAddrs` takes.
macro_rules! with_tokio_addr {
    ($target:expr, |$addr:ident| $body:expr) => {
        match $target {
            $crate::net::addr::sealed::Target::Text(text) => {
                let $addr = text.as_str();
                $body
            }
            $crate::net::addr::sealed::Target::Named(host, port) => {
                let $addr = (host.as_str(), port);
                $body
            }
            $crate::net::addr::sealed::Target::Addrs(addrs) => {
                let $addr = &addrs[..];
                $body
            }
        }
    };
}
pub(crate) use with_tokio_addr;

/// Tries `op` on each address of `target` inside the simulation, as tokio tries each resolved
/// address in turn: the first success, else the last error.
pub(crate) async fn each_sim<T, F, Fut>(target: Target, mut op: F) -> io::Result<T>
where
    F: FnMut(SimAddr) -> Fut,
    Fut: std::future::Future<Output = io::Result<T>>,
{
    match target {
        Target::Text(text) => op(SimAddr::Text(text)).await,
        Target::Named(host, port) => op(SimAddr::Named(host, port)).await,
        Target::Addrs(addrs) => {
            let mut last = None;
            for addr in addrs {
                match op(SimAddr::Addr(addr)).await {
                    Ok(value) => return Ok(value),
                    Err(err) => last = Some(err),
                }
            }
            Err(last.unwrap_or_else(no_addresses))
        }
    }
}

/// The first address of `target` (tokio's `send_to` sends to the first one only).
pub(crate) fn first_sim(target: Target) -> io::Result<SimAddr> {
    Ok(match target {
        Target::Text(text) => SimAddr::Text(text),
        Target::Named(host, port) => SimAddr::Named(host, port),
        Target::Addrs(addrs) => SimAddr::Addr(*addrs.first().ok_or_else(no_addresses)?),
    })
}

fn no_addresses() -> io::Error {
    // tokio's message for an empty address list.
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "could not resolve to any address",
    )
}

/// One address in a form simloop's `ToSocketAddrs` takes.
pub(crate) enum SimAddr {
    Text(String),
    Named(String, u16),
    Addr(SocketAddr),
}

/// Calls `$body` with `$addr` bound to a simloop `ToSocketAddrs`.
macro_rules! with_sim_addr {
    ($sim:expr, |$addr:ident| $body:expr) => {
        match $sim {
            $crate::net::addr::SimAddr::Text(text) => {
                let $addr = text;
                $body
            }
            $crate::net::addr::SimAddr::Named(host, port) => {
                let $addr = (host, port);
                $body
            }
            $crate::net::addr::SimAddr::Addr(addr) => {
                let $addr = addr;
                $body
            }
        }
    };
}
pub(crate) use with_sim_addr;

/// Resolves `host` to socket addresses: tokio's `lookup_host` (DNS) outside a simulation,
/// `simloop::net::lookup_host` inside one, where a name resolves to a simulated host's address
/// at once (hosts are numbered from `10.0.0.1` in the order they are first named).
///
/// # Examples
///
/// ```
/// use simloop_tokio as tokio;
///
/// simloop::run(0, async {
///     simloop::net::Client::new("db"); // names the host
///     let addrs: Vec<_> = tokio::net::lookup_host("db:5432").await.unwrap().collect();
///     assert_eq!(addrs[0].to_string(), "10.0.0.1:5432");
///     let err = tokio::net::lookup_host("nowhere:80").await.unwrap_err();
///     assert!(err.to_string().contains("nowhere"));
/// });
/// ```
///
/// # Errors
///
/// Outside: tokio's. Inside: `NotFound` naming a host no one named, `InvalidInput` for text
/// that is not `host:port`.
pub async fn lookup_host<T: ToSocketAddrs>(host: T) -> io::Result<std::vec::IntoIter<SocketAddr>> {
    let target = host.target();
    if simloop::is_simulating() {
        LocalFuture::new(async move {
            let mut all = Vec::new();
            match target {
                Target::Addrs(addrs) => {
                    for addr in addrs {
                        all.extend(simloop::net::lookup_host(addr).await?);
                    }
                }
                other => {
                    let one = first_sim(other)?;
                    all.extend(with_sim_addr!(one, |addr| simloop::net::lookup_host(addr).await?));
                }
            }
            Ok(all.into_iter())
        })
        .await
    } else {
        let addrs: Vec<SocketAddr> =
            with_tokio_addr!(target, |addr| real::net::lookup_host(addr).await?.collect());
        Ok(addrs.into_iter())
    }
}
