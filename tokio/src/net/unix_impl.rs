//! Unix sockets: tokio's, outside a simulation only (the simulation has no file system paths
//! for sockets). Their constructors refuse inside one with `Unsupported`.

use std::io;
use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use real::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::unsupported;

/// tokio's `UnixListener`, outside a simulation only; inside one [`bind`](UnixListener::bind)
/// fails with `Unsupported`. Everything else is tokio's, through `Deref`.
///
/// # Examples
///
/// ```
/// use simloop_tokio as tokio;
///
/// simloop::run(0, async {
///     let err = tokio::net::UnixListener::bind("/run/app.sock").unwrap_err();
///     assert_eq!(err.kind(), std::io::ErrorKind::Unsupported);
/// });
/// ```
#[derive(Debug)]
pub struct UnixListener(real::net::UnixListener);

impl UnixListener {
    /// tokio's `bind`.
    ///
    /// # Examples
    ///
    /// See [`UnixListener`].
    ///
    /// # Errors
    ///
    /// `Unsupported` inside a simulation; tokio's outside.
    pub fn bind<P: AsRef<Path>>(path: P) -> io::Result<UnixListener> {
        if simloop::is_simulating() {
            return Err(unsupported("UnixListener::bind"));
        }
        real::net::UnixListener::bind(path).map(UnixListener)
    }

    /// tokio's `accept`.
    ///
    /// # Examples
    ///
    /// See [`UnixListener`].
    ///
    /// # Errors
    ///
    /// tokio's.
    pub async fn accept(&self) -> io::Result<(UnixStream, real::net::unix::SocketAddr)> {
        let (stream, addr) = self.0.accept().await?;
        Ok((UnixStream(stream), addr))
    }
}

impl Deref for UnixListener {
    type Target = real::net::UnixListener;

    fn deref(&self) -> &real::net::UnixListener {
        &self.0
    }
}

/// tokio's `UnixStream`, outside a simulation only; inside one its constructors fail with
/// `Unsupported`. Everything else is tokio's, through `Deref`.
///
/// # Examples
///
/// ```
/// use simloop_tokio as tokio;
///
/// simloop::run(0, async {
///     let err = tokio::net::UnixStream::connect("/run/app.sock").await.unwrap_err();
///     assert!(err.to_string().contains("UnixStream::connect"));
///     assert!(tokio::net::UnixStream::pair().is_err());
/// });
/// ```
#[derive(Debug)]
pub struct UnixStream(real::net::UnixStream);

impl UnixStream {
    /// tokio's `connect`.
    ///
    /// # Examples
    ///
    /// See [`UnixStream`].
    ///
    /// # Errors
    ///
    /// `Unsupported` inside a simulation; tokio's outside.
    pub async fn connect<P: AsRef<Path>>(path: P) -> io::Result<UnixStream> {
        if simloop::is_simulating() {
            return Err(unsupported("UnixStream::connect"));
        }
        real::net::UnixStream::connect(path).await.map(UnixStream)
    }

    /// tokio's `pair`.
    ///
    /// # Examples
    ///
    /// See [`UnixStream`].
    ///
    /// # Errors
    ///
    /// `Unsupported` inside a simulation; tokio's outside.
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        if simloop::is_simulating() {
            return Err(unsupported("UnixStream::pair"));
        }
        let (a, b) = real::net::UnixStream::pair()?;
        Ok((UnixStream(a), UnixStream(b)))
    }

    /// tokio's `into_split`.
    ///
    /// # Examples
    ///
    /// See [`UnixStream`].
    pub fn into_split(
        self,
    ) -> (
        real::net::unix::OwnedReadHalf,
        real::net::unix::OwnedWriteHalf,
    ) {
        self.0.into_split()
    }
}

impl Deref for UnixStream {
    type Target = real::net::UnixStream;

    fn deref(&self) -> &real::net::UnixStream {
        &self.0
    }
}

impl DerefMut for UnixStream {
    fn deref_mut(&mut self) -> &mut real::net::UnixStream {
        &mut self.0
    }
}

impl AsyncRead for UnixStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
    }
}

impl AsyncWrite for UnixStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}

/// tokio's `UnixDatagram`, outside a simulation only; inside one its constructors fail with
/// `Unsupported`. Everything else is tokio's, through `Deref`.
///
/// # Examples
///
/// ```
/// use simloop_tokio as tokio;
///
/// simloop::run(0, async {
///     assert!(tokio::net::UnixDatagram::unbound().is_err());
/// });
/// ```
#[derive(Debug)]
pub struct UnixDatagram(real::net::UnixDatagram);

impl UnixDatagram {
    /// tokio's `bind`.
    ///
    /// # Examples
    ///
    /// See [`UnixDatagram`].
    ///
    /// # Errors
    ///
    /// `Unsupported` inside a simulation; tokio's outside.
    pub fn bind<P: AsRef<Path>>(path: P) -> io::Result<UnixDatagram> {
        if simloop::is_simulating() {
            return Err(unsupported("UnixDatagram::bind"));
        }
        real::net::UnixDatagram::bind(path).map(UnixDatagram)
    }

    /// tokio's `unbound`.
    ///
    /// # Examples
    ///
    /// See [`UnixDatagram`].
    ///
    /// # Errors
    ///
    /// `Unsupported` inside a simulation; tokio's outside.
    pub fn unbound() -> io::Result<UnixDatagram> {
        if simloop::is_simulating() {
            return Err(unsupported("UnixDatagram::unbound"));
        }
        real::net::UnixDatagram::unbound().map(UnixDatagram)
    }

    /// tokio's `pair`.
    ///
    /// # Examples
    ///
    /// See [`UnixDatagram`].
    ///
    /// # Errors
    ///
    /// `Unsupported` inside a simulation; tokio's outside.
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        if simloop::is_simulating() {
            return Err(unsupported("UnixDatagram::pair"));
        }
        let (a, b) = real::net::UnixDatagram::pair()?;
        Ok((UnixDatagram(a), UnixDatagram(b)))
    }
}

impl Deref for UnixDatagram {
    type Target = real::net::UnixDatagram;

    fn deref(&self) -> &real::net::UnixDatagram {
        &self.0
    }
}
