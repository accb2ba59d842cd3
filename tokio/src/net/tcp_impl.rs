//! `TcpListener`, `TcpStream` and their halves: tokio's outside a simulation, simloop's inside.

use std::cell::RefCell;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use real::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::addr::{each_sim, with_sim_addr, with_tokio_addr, ToSocketAddrs};
use super::local::{Local, LocalFuture};
use super::unsupported;

type SimStream = Local<RefCell<simloop::net::TcpStream>>;

/// A TCP listener: tokio's outside a simulation, `simloop::net::TcpListener` inside one (the
/// world is chosen when it is bound). Inside, it listens on the current task's simulated host
/// (the one `simloop::net::spawn_on` started the task on).
///
/// # Examples
///
/// ```
/// use simloop_tokio as tokio;
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
///
/// simloop::run(0, async {
///     let listener = tokio::net::TcpListener::bind("db:5432").await.unwrap();
///     let server = tokio::spawn(async move {
///         let (mut stream, _) = listener.accept().await.unwrap();
///         stream.write_all(b"hello").await.unwrap();
///     });
///     let mut stream = tokio::net::TcpStream::connect("db:5432").await.unwrap();
///     let mut hello = String::new();
///     stream.read_to_string(&mut hello).await.unwrap();
///     assert_eq!(hello, "hello");
///     server.await.unwrap();
/// });
/// ```
pub struct TcpListener(ListenerInner);

enum ListenerInner {
    Tokio(real::net::TcpListener),
    Sim(Local<simloop::net::TcpListener>),
}

impl TcpListener {
    /// Binds `addr`: tokio's `bind` outside a simulation; inside, simloop's (port `0` picks a
    /// free port).
    ///
    /// # Examples
    ///
    /// See [`TcpListener`].
    ///
    /// # Errors
    ///
    /// Outside: tokio's. Inside: `AddrInUse` when a listener holds the port (as Linux's
    /// `EADDRINUSE`), `AddrNotAvailable` for an address no simulated host has, `InvalidInput`
    /// for text that is not `host:port`.
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
        let target = addr.target();
        if simloop::is_simulating() {
            let listener = LocalFuture::new(async move {
                let listener = each_sim(target, |addr| async move {
                    with_sim_addr!(addr, |addr| simloop::net::TcpListener::bind(addr).await)
                })
                .await?;
                Ok::<_, io::Error>(Local::new(listener))
            })
            .await?;
            Ok(TcpListener(ListenerInner::Sim(listener)))
        } else {
            let listener =
                with_tokio_addr!(target, |addr| real::net::TcpListener::bind(addr).await?);
            Ok(TcpListener(ListenerInner::Tokio(listener)))
        }
    }

    /// Waits for a connection; returns it and the peer's address.
    ///
    /// # Examples
    ///
    /// See [`TcpListener`].
    ///
    /// # Errors
    ///
    /// Outside: tokio's. Inside: `ConnectionAborted` once the host crashed.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe in both worlds: a connection is taken only when this completes.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        match &self.0 {
            ListenerInner::Tokio(listener) => {
                let (stream, peer) = listener.accept().await?;
                Ok((TcpStream(StreamInner::Tokio(stream)), peer))
            }
            ListenerInner::Sim(listener) => {
                let listener = listener.get();
                let (stream, peer) = LocalFuture::new(async move {
                    let (stream, peer) = listener.accept().await?;
                    Ok::<_, io::Error>((Local::new(RefCell::new(stream)), peer))
                })
                .await?;
                Ok((TcpStream(StreamInner::Sim(stream)), peer))
            }
        }
    }

    /// The address it listens on.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop_tokio as tokio;
    ///
    /// simloop::run(0, async {
    ///     let listener = tokio::net::TcpListener::bind("db:0").await.unwrap();
    ///     assert_eq!(listener.local_addr().unwrap().to_string(), "10.0.0.1:49152");
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// Outside: tokio's. Inside: never.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        match &self.0 {
            ListenerInner::Tokio(listener) => listener.local_addr(),
            ListenerInner::Sim(listener) => listener.get().local_addr(),
        }
    }

    /// Wraps a standard library listener (tokio's `from_std`). Outside a simulation only: a
    /// real OS socket has no place in one.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop_tokio as tokio;
    ///
    /// simloop::run(0, async {
    ///     let std = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    ///     let err = tokio::net::TcpListener::from_std(std).unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::Unsupported);
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// Inside a simulation: `Unsupported`, naming the call. Outside: tokio's.
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        if simloop::is_simulating() {
            return Err(unsupported("TcpListener::from_std"));
        }
        Ok(TcpListener(ListenerInner::Tokio(
            real::net::TcpListener::from_std(listener)?,
        )))
    }
}

impl TcpListener {
    pub(crate) fn from_tokio(listener: real::net::TcpListener) -> TcpListener {
        TcpListener(ListenerInner::Tokio(listener))
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            ListenerInner::Tokio(listener) => listener.fmt(f),
            ListenerInner::Sim(listener) => listener.get().fmt(f),
        }
    }
}

/// A TCP connection: tokio's outside a simulation, `simloop::net::TcpStream` inside one (chosen
/// when it connects or is accepted). Implements tokio's `AsyncRead` and `AsyncWrite`, so
/// `hyper_util::rt::TokioIo`, codecs and `tokio::io`'s utilities run on it unchanged.
///
/// Inside a simulation a read may return fewer bytes than the peer wrote (the seed segments
/// writes, as real TCP may), a crash of either host resets it, and a partition holds its bytes
/// back until it heals: see `simloop::net::TcpStream`.
///
/// # Examples
///
/// See [`TcpListener`].
pub struct TcpStream(StreamInner);

enum StreamInner {
    Tokio(real::net::TcpStream),
    Sim(SimStream),
}

impl TcpStream {
    /// Opens a connection to `addr`: tokio's `connect` outside a simulation, simloop's inside
    /// (from the current task's host, one simulated round trip).
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop_tokio as tokio;
    /// use std::io::ErrorKind;
    ///
    /// simloop::run(0, async {
    ///     simloop::net::Client::new("db"); // the host exists, nothing listens
    ///     let err = tokio::net::TcpStream::connect("db:5432").await.unwrap_err();
    ///     assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// Outside: tokio's. Inside: `ConnectionRefused` when nothing listens; `NotFound` naming a
    /// host no one named; `TimedOut` after 127 s of unanswered SYNs across a partition or to a
    /// down host (Linux's `tcp_syn_retries`).
    pub async fn connect<A: ToSocketAddrs>(addr: A) -> io::Result<TcpStream> {
        let target = addr.target();
        if simloop::is_simulating() {
            let stream = LocalFuture::new(async move {
                let stream = each_sim(target, |addr| async move {
                    with_sim_addr!(addr, |addr| simloop::net::TcpStream::connect(addr).await)
                })
                .await?;
                Ok::<_, io::Error>(Local::new(RefCell::new(stream)))
            })
            .await?;
            Ok(TcpStream(StreamInner::Sim(stream)))
        } else {
            let stream =
                with_tokio_addr!(target, |addr| real::net::TcpStream::connect(addr).await?);
            Ok(TcpStream(StreamInner::Tokio(stream)))
        }
    }

    /// Wraps a standard library stream (tokio's `from_std`). Outside a simulation only.
    ///
    /// # Examples
    ///
    /// See [`TcpListener::from_std`].
    ///
    /// # Errors
    ///
    /// Inside a simulation: `Unsupported`, naming the call. Outside: tokio's.
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        if simloop::is_simulating() {
            return Err(unsupported("TcpStream::from_std"));
        }
        Ok(TcpStream(StreamInner::Tokio(
            real::net::TcpStream::from_std(stream)?,
        )))
    }

    /// This end's address.
    ///
    /// # Examples
    ///
    /// See [`peer_addr`](TcpStream::peer_addr).
    ///
    /// # Errors
    ///
    /// Outside: tokio's. Inside: never.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        match &self.0 {
            StreamInner::Tokio(stream) => stream.local_addr(),
            StreamInner::Sim(stream) => stream.get().borrow().local_addr(),
        }
    }

    /// The other end's address.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop_tokio as tokio;
    ///
    /// simloop::run(0, async {
    ///     let listener = tokio::net::TcpListener::bind("db:5432").await.unwrap();
    ///     let client = tokio::net::TcpStream::connect("db:5432").await.unwrap();
    ///     let (server, _) = listener.accept().await.unwrap();
    ///     assert_eq!(client.peer_addr().unwrap(), listener.local_addr().unwrap());
    ///     assert_eq!(server.peer_addr().unwrap(), client.local_addr().unwrap());
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// Outside: tokio's. Inside: never.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        match &self.0 {
            StreamInner::Tokio(stream) => stream.peer_addr(),
            StreamInner::Sim(stream) => stream.get().borrow().peer_addr(),
        }
    }

    /// Sets `TCP_NODELAY`. Inside a simulation it is recorded only: the simulation has no Nagle
    /// delay.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop_tokio as tokio;
    ///
    /// simloop::run(0, async {
    ///     let _listener = tokio::net::TcpListener::bind("db:5432").await.unwrap();
    ///     let stream = tokio::net::TcpStream::connect("db:5432").await.unwrap();
    ///     stream.set_nodelay(true).unwrap();
    ///     assert!(stream.nodelay().unwrap());
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// Outside: tokio's. Inside: never.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        match &self.0 {
            StreamInner::Tokio(stream) => stream.set_nodelay(nodelay),
            StreamInner::Sim(stream) => stream.get().borrow().set_nodelay(nodelay),
        }
    }

    /// What [`set_nodelay`](TcpStream::set_nodelay) set.
    ///
    /// # Examples
    ///
    /// See [`set_nodelay`](TcpStream::set_nodelay).
    ///
    /// # Errors
    ///
    /// Outside: tokio's. Inside: never.
    pub fn nodelay(&self) -> io::Result<bool> {
        match &self.0 {
            StreamInner::Tokio(stream) => stream.nodelay(),
            StreamInner::Sim(stream) => stream.get().borrow().nodelay(),
        }
    }

    /// Splits the stream into halves that borrow it, to read and write from two futures of one
    /// task.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop_tokio as tokio;
    /// use tokio::io::AsyncWriteExt;
    ///
    /// simloop::run(0, async {
    ///     let listener = tokio::net::TcpListener::bind("echo:7").await.unwrap();
    ///     let mut client = tokio::net::TcpStream::connect("echo:7").await.unwrap();
    ///     let (mut server, _) = listener.accept().await.unwrap();
    ///     client.write_all(b"abc").await.unwrap();
    ///     client.shutdown().await.unwrap();
    ///     let (mut read, mut write) = server.split();
    ///     assert_eq!(tokio::io::copy(&mut read, &mut write).await.unwrap(), 3);
    /// });
    /// ```
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        match &mut self.0 {
            StreamInner::Tokio(stream) => {
                let (read, write) = stream.split();
                (
                    ReadHalf(Borrowed::Tokio(read)),
                    WriteHalf(BorrowedW::Tokio(write)),
                )
            }
            StreamInner::Sim(stream) => {
                let stream = &*stream;
                (
                    ReadHalf(Borrowed::Sim(stream)),
                    WriteHalf(BorrowedW::Sim(stream)),
                )
            }
        }
    }

    /// Splits the stream into halves that own it, to read and write from two tasks. Dropping
    /// the write half shuts the write direction down, as tokio's does.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop_tokio as tokio;
    /// use tokio::io::{AsyncReadExt, AsyncWriteExt};
    ///
    /// simloop::run(0, async {
    ///     let listener = tokio::net::TcpListener::bind("db:5432").await.unwrap();
    ///     let client = tokio::net::TcpStream::connect("db:5432").await.unwrap();
    ///     let (mut server, _) = listener.accept().await.unwrap();
    ///     let (mut read, mut write) = client.into_split();
    ///     let writer = tokio::spawn(async move { write.write_all(b"query").await.unwrap(); write });
    ///     let mut query = [0; 5];
    ///     server.read_exact(&mut query).await.unwrap();
    ///     server.write_all(b"rows").await.unwrap();
    ///     let mut rows = [0; 4];
    ///     read.read_exact(&mut rows).await.unwrap();
    ///     let write = writer.await.unwrap();
    ///     let _stream = read.reunite(write).unwrap(); // one stream again
    /// });
    /// ```
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        match self.0 {
            StreamInner::Tokio(stream) => {
                let (read, write) = stream.into_split();
                (
                    OwnedReadHalf(OwnedR::Tokio(read)),
                    OwnedWriteHalf(OwnedW::Tokio(write)),
                )
            }
            StreamInner::Sim(stream) => {
                let stream = stream.take().into_inner();
                let addrs = Addrs {
                    local: stream.local_addr().ok(),
                    peer: stream.peer_addr().ok(),
                };
                let (read, write) = stream.into_split();
                (
                    OwnedReadHalf(OwnedR::Sim(Local::new(RefCell::new(read)), addrs)),
                    OwnedWriteHalf(OwnedW::Sim(Local::new(RefCell::new(write)), addrs)),
                )
            }
        }
    }
}

impl TcpStream {
    pub(crate) fn from_tokio(stream: real::net::TcpStream) -> TcpStream {
        TcpStream(StreamInner::Tokio(stream))
    }
}

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            StreamInner::Tokio(stream) => stream.fmt(f),
            StreamInner::Sim(stream) => stream.get().borrow().fmt(f),
        }
    }
}

/// Polls the simulated `$local` (a `Local<RefCell<_>>`) with `$method($args)`.
macro_rules! poll_sim {
    ($local:expr, $method:ident($($arg:expr),*)) => {{
        let value = $local.get();
        let mut value = value.borrow_mut();
        Pin::new(&mut *value).$method($($arg),*)
    }};
}

/// tokio's `AsyncRead` and `AsyncWrite` for `$ty`, dispatching on its variants.
macro_rules! io_traits {
    (read $ty:ty, $inner:ident :: { $tokio:ident, $sim:ident }) => {
        impl AsyncRead for $ty {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut ReadBuf<'_>,
            ) -> Poll<io::Result<()>> {
                match &mut self.get_mut().0 {
                    $inner::$tokio(io, ..) => Pin::new(io).poll_read(cx, buf),
                    $inner::$sim(io, ..) => poll_sim!(io, poll_read(cx, buf)),
                }
            }
        }
    };
    (write $ty:ty, $inner:ident :: { $tokio:ident, $sim:ident }) => {
        impl AsyncWrite for $ty {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                match &mut self.get_mut().0 {
                    $inner::$tokio(io, ..) => Pin::new(io).poll_write(cx, buf),
                    $inner::$sim(io, ..) => poll_sim!(io, poll_write(cx, buf)),
                }
            }

            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[io::IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                match &mut self.get_mut().0 {
                    $inner::$tokio(io, ..) => Pin::new(io).poll_write_vectored(cx, bufs),
                    $inner::$sim(io, ..) => poll_sim!(io, poll_write_vectored(cx, bufs)),
                }
            }

            fn is_write_vectored(&self) -> bool {
                match &self.0 {
                    $inner::$tokio(io, ..) => io.is_write_vectored(),
                    $inner::$sim(io, ..) => io.get().borrow().is_write_vectored(),
                }
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                match &mut self.get_mut().0 {
                    $inner::$tokio(io, ..) => Pin::new(io).poll_flush(cx),
                    $inner::$sim(io, ..) => poll_sim!(io, poll_flush(cx)),
                }
            }

            fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                match &mut self.get_mut().0 {
                    $inner::$tokio(io, ..) => Pin::new(io).poll_shutdown(cx),
                    $inner::$sim(io, ..) => poll_sim!(io, poll_shutdown(cx)),
                }
            }
        }
    };
}

io_traits!(read TcpStream, StreamInner::{Tokio, Sim});
io_traits!(write TcpStream, StreamInner::{Tokio, Sim});
io_traits!(read ReadHalf<'_>, Borrowed::{Tokio, Sim});
io_traits!(write WriteHalf<'_>, BorrowedW::{Tokio, Sim});
io_traits!(read OwnedReadHalf, OwnedR::{Tokio, Sim});
io_traits!(write OwnedWriteHalf, OwnedW::{Tokio, Sim});

/// The read half of [`TcpStream::split`], as tokio's `tcp::ReadHalf`.
///
/// # Examples
///
/// See [`TcpStream::split`].
#[derive(Debug)]
pub struct ReadHalf<'a>(Borrowed<'a>);

/// The write half of [`TcpStream::split`], as tokio's `tcp::WriteHalf`.
///
/// # Examples
///
/// See [`TcpStream::split`].
#[derive(Debug)]
pub struct WriteHalf<'a>(BorrowedW<'a>);

enum Borrowed<'a> {
    Tokio(real::net::tcp::ReadHalf<'a>),
    Sim(&'a SimStream),
}

enum BorrowedW<'a> {
    Tokio(real::net::tcp::WriteHalf<'a>),
    Sim(&'a SimStream),
}

impl fmt::Debug for Borrowed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Borrowed::Tokio(half) => half.fmt(f),
            Borrowed::Sim(stream) => stream.get().borrow().fmt(f),
        }
    }
}

impl fmt::Debug for BorrowedW<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BorrowedW::Tokio(half) => half.fmt(f),
            BorrowedW::Sim(stream) => stream.get().borrow().fmt(f),
        }
    }
}

impl ReadHalf<'_> {
    /// The other end's address.
    ///
    /// # Examples
    ///
    /// See [`TcpStream::split`].
    ///
    /// # Errors
    ///
    /// As [`TcpStream::peer_addr`].
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        match &self.0 {
            Borrowed::Tokio(half) => half.peer_addr(),
            Borrowed::Sim(stream) => stream.get().borrow().peer_addr(),
        }
    }

    /// This end's address.
    ///
    /// # Examples
    ///
    /// See [`TcpStream::split`].
    ///
    /// # Errors
    ///
    /// As [`TcpStream::local_addr`].
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        match &self.0 {
            Borrowed::Tokio(half) => half.local_addr(),
            Borrowed::Sim(stream) => stream.get().borrow().local_addr(),
        }
    }
}

impl WriteHalf<'_> {
    /// The other end's address.
    ///
    /// # Examples
    ///
    /// See [`TcpStream::split`].
    ///
    /// # Errors
    ///
    /// As [`TcpStream::peer_addr`].
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        match &self.0 {
            BorrowedW::Tokio(half) => half.peer_addr(),
            BorrowedW::Sim(stream) => stream.get().borrow().peer_addr(),
        }
    }

    /// This end's address.
    ///
    /// # Examples
    ///
    /// See [`TcpStream::split`].
    ///
    /// # Errors
    ///
    /// As [`TcpStream::local_addr`].
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        match &self.0 {
            BorrowedW::Tokio(half) => half.local_addr(),
            BorrowedW::Sim(stream) => stream.get().borrow().local_addr(),
        }
    }
}

/// A simulated stream's addresses, kept when it is split into owned halves.
#[derive(Debug, Clone, Copy)]
struct Addrs {
    local: Option<SocketAddr>,
    peer: Option<SocketAddr>,
}

impl Addrs {
    fn get(addr: Option<SocketAddr>) -> io::Result<SocketAddr> {
        addr.ok_or_else(|| io::Error::from(io::ErrorKind::NotConnected))
    }
}

/// The read half of [`TcpStream::into_split`], as tokio's `tcp::OwnedReadHalf`.
///
/// # Examples
///
/// See [`TcpStream::into_split`].
pub struct OwnedReadHalf(OwnedR);

/// The write half of [`TcpStream::into_split`], as tokio's `tcp::OwnedWriteHalf`: dropping it
/// shuts the write direction down.
///
/// # Examples
///
/// See [`TcpStream::into_split`].
pub struct OwnedWriteHalf(OwnedW);

enum OwnedR {
    Tokio(real::net::tcp::OwnedReadHalf),
    Sim(Local<RefCell<simloop::net::OwnedReadHalf>>, Addrs),
}

enum OwnedW {
    Tokio(real::net::tcp::OwnedWriteHalf),
    Sim(Local<RefCell<simloop::net::OwnedWriteHalf>>, Addrs),
}

impl OwnedReadHalf {
    /// Puts the halves back together, as tokio's `reunite`.
    ///
    /// # Examples
    ///
    /// See [`TcpStream::into_split`].
    ///
    /// # Errors
    ///
    /// [`ReuniteError`], holding both halves, when they come from different streams.
    #[allow(clippy::result_large_err)] // tokio's signature: the halves come back by value
    pub fn reunite(self, other: OwnedWriteHalf) -> Result<TcpStream, ReuniteError> {
        match (self.0, other.0) {
            (OwnedR::Tokio(read), OwnedW::Tokio(write)) => match read.reunite(write) {
                Ok(stream) => Ok(TcpStream(StreamInner::Tokio(stream))),
                Err(real::net::tcp::ReuniteError(read, write)) => Err(ReuniteError(
                    OwnedReadHalf(OwnedR::Tokio(read)),
                    OwnedWriteHalf(OwnedW::Tokio(write)),
                )),
            },
            (OwnedR::Sim(read, read_addrs), OwnedW::Sim(write, write_addrs)) => {
                let read = read.take().into_inner();
                let write = write.take().into_inner();
                match read.reunite(write) {
                    Ok(stream) => Ok(TcpStream(StreamInner::Sim(Local::new(RefCell::new(
                        stream,
                    ))))),
                    Err(simloop::net::ReuniteError(read, write)) => Err(ReuniteError(
                        OwnedReadHalf(OwnedR::Sim(Local::new(RefCell::new(read)), read_addrs)),
                        OwnedWriteHalf(OwnedW::Sim(Local::new(RefCell::new(write)), write_addrs)),
                    )),
                }
            }
            (read, write) => Err(ReuniteError(OwnedReadHalf(read), OwnedWriteHalf(write))),
        }
    }

    /// The other end's address.
    ///
    /// # Examples
    ///
    /// See [`TcpStream::into_split`].
    ///
    /// # Errors
    ///
    /// As [`TcpStream::peer_addr`].
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        match &self.0 {
            OwnedR::Tokio(half) => half.peer_addr(),
            OwnedR::Sim(_, addrs) => Addrs::get(addrs.peer),
        }
    }

    /// This end's address.
    ///
    /// # Examples
    ///
    /// See [`TcpStream::into_split`].
    ///
    /// # Errors
    ///
    /// As [`TcpStream::local_addr`].
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        match &self.0 {
            OwnedR::Tokio(half) => half.local_addr(),
            OwnedR::Sim(_, addrs) => Addrs::get(addrs.local),
        }
    }
}

impl OwnedWriteHalf {
    /// Puts the halves back together, as tokio's `reunite`.
    ///
    /// # Examples
    ///
    /// See [`TcpStream::into_split`].
    ///
    /// # Errors
    ///
    /// As [`OwnedReadHalf::reunite`].
    #[allow(clippy::result_large_err)] // tokio's signature: the halves come back by value
    pub fn reunite(self, other: OwnedReadHalf) -> Result<TcpStream, ReuniteError> {
        other.reunite(self)
    }

    /// The other end's address.
    ///
    /// # Examples
    ///
    /// See [`TcpStream::into_split`].
    ///
    /// # Errors
    ///
    /// As [`TcpStream::peer_addr`].
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        match &self.0 {
            OwnedW::Tokio(half) => half.peer_addr(),
            OwnedW::Sim(_, addrs) => Addrs::get(addrs.peer),
        }
    }

    /// This end's address.
    ///
    /// # Examples
    ///
    /// See [`TcpStream::into_split`].
    ///
    /// # Errors
    ///
    /// As [`TcpStream::local_addr`].
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        match &self.0 {
            OwnedW::Tokio(half) => half.local_addr(),
            OwnedW::Sim(_, addrs) => Addrs::get(addrs.local),
        }
    }
}

impl fmt::Debug for OwnedReadHalf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            OwnedR::Tokio(half) => half.fmt(f),
            OwnedR::Sim(half, _) => half.get().borrow().fmt(f),
        }
    }
}

impl fmt::Debug for OwnedWriteHalf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            OwnedW::Tokio(half) => half.fmt(f),
            OwnedW::Sim(half, _) => half.get().borrow().fmt(f),
        }
    }
}

/// The halves handed back by [`OwnedReadHalf::reunite`] when they come from different streams,
/// as tokio's `tcp::ReuniteError`.
///
/// # Examples
///
/// ```
/// use simloop_tokio as tokio;
///
/// simloop::run(0, async {
///     let _listener = tokio::net::TcpListener::bind("db:5432").await.unwrap();
///     let (read, _) = tokio::net::TcpStream::connect("db:5432").await.unwrap().into_split();
///     let (_, write) = tokio::net::TcpStream::connect("db:5432").await.unwrap().into_split();
///     let tokio::net::tcp::ReuniteError(_read, _write) = read.reunite(write).unwrap_err();
/// });
/// ```
#[derive(Debug)]
pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

impl fmt::Display for ReuniteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // tokio's message.
        f.write_str("tried to reunite halves that are not from the same socket")
    }
}

impl std::error::Error for ReuniteError {}
