//! `UdpSocket`: tokio's outside a simulation, simloop's inside.

use std::fmt;
use std::io;
use std::net::SocketAddr;

use super::addr::{each_sim, first_sim, with_sim_addr, with_tokio_addr, ToSocketAddrs};
use super::local::{Local, LocalFuture};
use super::unsupported;

/// A UDP socket: tokio's outside a simulation, `simloop::net::UdpSocket` inside one (chosen
/// when it is bound). Inside, a datagram arrives whole or not at all: the seed's fault mix may
/// lose it, deliver it twice or reorder it, never split it.
///
/// # Examples
///
/// ```
/// use simloop_tokio as tokio;
///
/// simloop::run(0, async {
///     let server = tokio::net::UdpSocket::bind("dns:53").await.unwrap();
///     let client = tokio::net::UdpSocket::bind("0.0.0.0:0").await.unwrap();
///     client.connect("dns:53").await.unwrap();
///     assert_eq!(client.peer_addr().unwrap(), server.local_addr().unwrap());
///     client.send(b"query").await.unwrap();
///     let mut buf = [0; 512];
///     let (len, from) = server.recv_from(&mut buf).await.unwrap();
///     assert_eq!((&buf[..len], from), (&b"query"[..], client.local_addr().unwrap()));
///     server.send_to(b"answer", from).await.unwrap();
///     let len = client.recv(&mut buf).await.unwrap();
///     assert_eq!(&buf[..len], b"answer");
/// });
/// ```
pub struct UdpSocket(Inner);

enum Inner {
    Tokio(real::net::UdpSocket),
    Sim(Local<simloop::net::UdpSocket>),
}

impl UdpSocket {
    /// Binds `addr`: tokio's `bind` outside a simulation, simloop's inside (port `0` picks a
    /// free port).
    ///
    /// # Examples
    ///
    /// See [`UdpSocket`].
    ///
    /// # Errors
    ///
    /// Outside: tokio's. Inside: `AddrInUse` when a socket holds the port, and as
    /// [`TcpListener::bind`](super::TcpListener::bind).
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<UdpSocket> {
        let target = addr.target();
        if simloop::is_simulating() {
            let socket = LocalFuture::new(async move {
                let socket = each_sim(target, |addr| async move {
                    with_sim_addr!(addr, |addr| simloop::net::UdpSocket::bind(addr).await)
                })
                .await?;
                Ok::<_, io::Error>(Local::new(socket))
            })
            .await?;
            Ok(UdpSocket(Inner::Sim(socket)))
        } else {
            let socket = with_tokio_addr!(target, |addr| real::net::UdpSocket::bind(addr).await?);
            Ok(UdpSocket(Inner::Tokio(socket)))
        }
    }

    /// Wraps a standard library socket (tokio's `from_std`). Outside a simulation only.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop_tokio as tokio;
    ///
    /// simloop::run(0, async {
    ///     let std = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    ///     let err = tokio::net::UdpSocket::from_std(std).unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::Unsupported);
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// Inside a simulation: `Unsupported`, naming the call. Outside: tokio's.
    pub fn from_std(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
        if simloop::is_simulating() {
            return Err(unsupported("UdpSocket::from_std"));
        }
        Ok(UdpSocket(Inner::Tokio(real::net::UdpSocket::from_std(
            socket,
        )?)))
    }

    /// This socket's address.
    ///
    /// # Examples
    ///
    /// See [`UdpSocket`].
    ///
    /// # Errors
    ///
    /// Outside: tokio's. Inside: never.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        match &self.0 {
            Inner::Tokio(socket) => socket.local_addr(),
            Inner::Sim(socket) => socket.get().local_addr(),
        }
    }

    /// The connected peer's address.
    ///
    /// # Examples
    ///
    /// See [`UdpSocket`].
    ///
    /// # Errors
    ///
    /// `NotConnected` before [`connect`](UdpSocket::connect), in both worlds.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        match &self.0 {
            Inner::Tokio(socket) => socket.peer_addr(),
            Inner::Sim(socket) => socket.get().peer_addr(),
        }
    }

    /// Sets the peer of [`send`](UdpSocket::send) and [`recv`](UdpSocket::recv).
    ///
    /// # Examples
    ///
    /// See [`UdpSocket`].
    ///
    /// # Errors
    ///
    /// Outside: tokio's. Inside: as [`lookup_host`](super::lookup_host).
    pub async fn connect<A: ToSocketAddrs>(&self, addr: A) -> io::Result<()> {
        let target = addr.target();
        match &self.0 {
            Inner::Tokio(socket) => with_tokio_addr!(target, |addr| socket.connect(addr).await),
            Inner::Sim(socket) => {
                let socket = socket.get();
                LocalFuture::new(async move {
                    each_sim(target, |addr| {
                        let socket = &socket;
                        async move { with_sim_addr!(addr, |addr| socket.connect(addr).await) }
                    })
                    .await
                })
                .await
            }
        }
    }

    /// Sends one datagram to the connected peer; returns its length.
    ///
    /// # Examples
    ///
    /// See [`UdpSocket`].
    ///
    /// # Errors
    ///
    /// `NotConnected` before [`connect`](UdpSocket::connect); inside a simulation
    /// `InvalidInput` for more than 65,507 bytes.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        match &self.0 {
            Inner::Tokio(socket) => socket.send(buf).await,
            Inner::Sim(socket) => {
                let socket = socket.get();
                let datagram = buf.to_vec();
                LocalFuture::new(async move { socket.send(&datagram).await }).await
            }
        }
    }

    /// Sends one datagram to `target` (its first address, as tokio); returns its length.
    ///
    /// # Examples
    ///
    /// See [`UdpSocket`].
    ///
    /// # Errors
    ///
    /// Outside: tokio's. Inside: as [`lookup_host`](super::lookup_host) for the target, and
    /// `InvalidInput` for more than 65,507 bytes.
    pub async fn send_to<A: ToSocketAddrs>(&self, buf: &[u8], target: A) -> io::Result<usize> {
        let target = target.target();
        match &self.0 {
            Inner::Tokio(socket) => {
                with_tokio_addr!(target, |addr| socket.send_to(buf, addr).await)
            }
            Inner::Sim(socket) => {
                let socket = socket.get();
                let datagram = buf.to_vec();
                let to = first_sim(target)?;
                LocalFuture::new(async move {
                    with_sim_addr!(to, |to| socket.send_to(&datagram, to).await)
                })
                .await
            }
        }
    }

    /// Receives one datagram from the connected peer into `buf`; returns its length. A datagram
    /// longer than `buf` is cut to fit, as Linux does.
    ///
    /// # Examples
    ///
    /// See [`UdpSocket`].
    ///
    /// # Errors
    ///
    /// `NotConnected` before [`connect`](UdpSocket::connect) (inside a simulation).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe in both worlds: a datagram is taken only when this completes.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        match &self.0 {
            Inner::Tokio(socket) => socket.recv(buf).await,
            Inner::Sim(socket) => {
                let socket = socket.get();
                let capacity = buf.len();
                let datagram = LocalFuture::new(async move {
                    let mut datagram = vec![0; capacity];
                    let len = socket.recv(&mut datagram).await?;
                    datagram.truncate(len);
                    Ok::<_, io::Error>(datagram)
                })
                .await?;
                buf[..datagram.len()].copy_from_slice(&datagram);
                Ok(datagram.len())
            }
        }
    }

    /// Receives one datagram into `buf`; returns its length and sender.
    ///
    /// # Examples
    ///
    /// See [`UdpSocket`].
    ///
    /// # Errors
    ///
    /// Outside: tokio's. Inside: `ConnectionAborted` once the host crashed.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe in both worlds.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        match &self.0 {
            Inner::Tokio(socket) => socket.recv_from(buf).await,
            Inner::Sim(socket) => {
                let socket = socket.get();
                let capacity = buf.len();
                let (datagram, from) = LocalFuture::new(async move {
                    let mut datagram = vec![0; capacity];
                    let (len, from) = socket.recv_from(&mut datagram).await?;
                    datagram.truncate(len);
                    Ok::<_, io::Error>((datagram, from))
                })
                .await?;
                buf[..datagram.len()].copy_from_slice(&datagram);
                Ok((datagram.len(), from))
            }
        }
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Inner::Tokio(socket) => socket.fmt(f),
            Inner::Sim(socket) => socket.get().fmt(f),
        }
    }
}
