//! `TcpSocket`: tokio's, outside a simulation only.

use std::io;
use std::net::SocketAddr;
use std::ops::Deref;

use super::tcp_impl::{TcpListener, TcpStream};
use super::unsupported;

/// tokio's `TcpSocket` (a socket configured before it connects or listens), outside a
/// simulation only: it is a real OS socket from its creation, and the simulated network has
/// no socket options to set. Inside a simulation its constructors fail with `Unsupported`;
/// use [`TcpListener::bind`] and [`TcpStream::connect`] there. Its setters and getters are
/// tokio's, through `Deref`.
///
/// # Examples
///
/// ```
/// use simloop_tokio as tokio;
///
/// simloop::run(0, async {
///     let err = tokio::net::TcpSocket::new_v4().unwrap_err();
///     assert_eq!(err.kind(), std::io::ErrorKind::Unsupported);
///     assert!(err.to_string().contains("TcpSocket::new_v4"));
/// });
/// ```
#[derive(Debug)]
pub struct TcpSocket(real::net::TcpSocket);

impl TcpSocket {
    /// tokio's `new_v4`.
    ///
    /// # Examples
    ///
    /// See [`TcpSocket`].
    ///
    /// # Errors
    ///
    /// `Unsupported` inside a simulation; tokio's outside.
    pub fn new_v4() -> io::Result<TcpSocket> {
        if simloop::is_simulating() {
            return Err(unsupported("TcpSocket::new_v4"));
        }
        real::net::TcpSocket::new_v4().map(TcpSocket)
    }

    /// tokio's `new_v6`.
    ///
    /// # Examples
    ///
    /// See [`TcpSocket`].
    ///
    /// # Errors
    ///
    /// `Unsupported` inside a simulation; tokio's outside.
    pub fn new_v6() -> io::Result<TcpSocket> {
        if simloop::is_simulating() {
            return Err(unsupported("TcpSocket::new_v6"));
        }
        real::net::TcpSocket::new_v6().map(TcpSocket)
    }

    /// tokio's `from_std_stream`.
    ///
    /// # Examples
    ///
    /// See [`TcpSocket`].
    ///
    /// # Errors
    ///
    /// `Unsupported` inside a simulation.
    pub fn from_std_stream(stream: std::net::TcpStream) -> io::Result<TcpSocket> {
        if simloop::is_simulating() {
            return Err(unsupported("TcpSocket::from_std_stream"));
        }
        Ok(TcpSocket(real::net::TcpSocket::from_std_stream(stream)))
    }

    /// tokio's `connect`: a tokio [`TcpStream`].
    ///
    /// # Examples
    ///
    /// See [`TcpSocket`].
    ///
    /// # Errors
    ///
    /// `Unsupported` inside a simulation (a socket made outside and moved in); tokio's outside.
    pub async fn connect(self, addr: SocketAddr) -> io::Result<TcpStream> {
        if simloop::is_simulating() {
            return Err(unsupported("TcpSocket::connect"));
        }
        self.0.connect(addr).await.map(TcpStream::from_tokio)
    }

    /// tokio's `listen`: a tokio [`TcpListener`].
    ///
    /// # Examples
    ///
    /// See [`TcpSocket`].
    ///
    /// # Errors
    ///
    /// `Unsupported` inside a simulation; tokio's outside.
    pub fn listen(self, backlog: u32) -> io::Result<TcpListener> {
        if simloop::is_simulating() {
            return Err(unsupported("TcpSocket::listen"));
        }
        self.0.listen(backlog).map(TcpListener::from_tokio)
    }
}

impl Deref for TcpSocket {
    type Target = real::net::TcpSocket;

    fn deref(&self) -> &real::net::TcpSocket {
        &self.0
    }
}
