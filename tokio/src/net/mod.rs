//! tokio's `net` (feature `net`): tokio's sockets outside a simulation, simloop's simulated
//! ones inside (`simloop::net`: hosts with addresses, seeded segmentation and latency,
//! partitions, crashes).
//!
//! Each socket is a wrapper around an enum with a tokio variant and a simloop variant, chosen
//! when the socket is made (bound, connected or accepted) by `simloop::is_simulating()`. Inside
//! a simulation a name such as `"db:5432"` or `("db", 5432)` resolves to a simulated host, and a
//! socket binds and connects from the host its task runs on (`simloop::net::spawn_on`).
//!
//! The simulated sockets are `Send`, as tokio's, so they move into `tokio::spawn`: the facade
//! keeps simloop's (`!Send`) socket on the simulation's thread and hands out a key to it.
//!
//! Items that would reach the real OS inside a simulation fail there with an `io::Error` of
//! kind `Unsupported` naming the item: `from_std`, [`TcpSocket`], and the Unix sockets.
//!
//! # Examples
//!
//! ```
//! use simloop_tokio as tokio;
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! simloop::run(0, async {
//!     let listener = tokio::net::TcpListener::bind("echo:7").await.unwrap();
//!     tokio::spawn(async move {
//!         let (mut stream, _) = listener.accept().await.unwrap();
//!         let (mut read, mut write) = stream.split();
//!         tokio::io::copy(&mut read, &mut write).await.unwrap();
//!     });
//!     let mut stream = tokio::net::TcpStream::connect("echo:7").await.unwrap();
//!     stream.write_all(b"ping").await.unwrap();
//!     let mut pong = [0; 4];
//!     stream.read_exact(&mut pong).await.unwrap();
//!     assert_eq!(&pong, b"ping");
//! });
//! ```

use std::io;

mod addr;
mod local;
mod socket;
mod tcp_impl;
mod udp;
#[cfg(unix)]
mod unix_impl;

pub use addr::{lookup_host, ToSocketAddrs};
pub use socket::TcpSocket;
pub use tcp_impl::{TcpListener, TcpStream};
pub use udp::UdpSocket;
#[cfg(unix)]
pub use unix_impl::{UnixDatagram, UnixListener, UnixStream};

/// TCP's split halves, as tokio's `net::tcp`.
pub mod tcp {
    pub use super::tcp_impl::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, WriteHalf};
}

/// Unix sockets' companion types, tokio's own (outside a simulation only: they come from
/// [`UnixStream`] and friends, which refuse to be made inside one).
/// tokio's `unix::pipe` is not re-exported: it opens real files.
#[cfg(unix)]
pub mod unix {
    pub use real::net::unix::{
        OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, SocketAddr, UCred, WriteHalf,
    };
}

/// The error for an item that has no simulated counterpart, used inside a simulation.
pub(crate) fn unsupported(item: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        format!(
            "simloop-tokio: `tokio::net::{item}` is not simulated, and inside a simulation it \
             would reach the real OS; use TcpListener, TcpStream or UdpSocket, which are \
             simulated (see docs/tokio.md)"
        ),
    )
}
