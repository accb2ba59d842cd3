//! tokio's and `futures`' `AsyncRead` and `AsyncWrite` for [`TcpStream`] and its halves, each
//! over the connection and a side.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::{Conn, OwnedReadHalf, OwnedWriteHalf, ReadHalf, TcpStream, WriteHalf};

fn read_tokio(
    conn: &Conn,
    side: usize,
    cx: &mut Context<'_>,
    buf: &mut tokio::io::ReadBuf<'_>,
) -> Poll<io::Result<()>> {
    let max = buf.remaining();
    conn.pipes[1 - side]
        .poll_read(&conn.net, cx, max, |bytes| buf.put_slice(bytes))
        .map_ok(drop)
}

fn read_futures(
    conn: &Conn,
    side: usize,
    cx: &mut Context<'_>,
    buf: &mut [u8],
) -> Poll<io::Result<usize>> {
    let mut at = 0;
    conn.pipes[1 - side].poll_read(&conn.net, cx, buf.len(), |bytes| {
        buf[at..at + bytes.len()].copy_from_slice(bytes);
        at += bytes.len();
    })
}

fn write(conn: &Conn, side: usize, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
    conn.pipes[side].poll_write(&conn.net, cx, buf)
}

fn shutdown(conn: &Conn, side: usize) -> Poll<io::Result<()>> {
    conn.pipes[side].shutdown(&conn.net);
    Poll::Ready(Ok(()))
}

macro_rules! read_traits {
    ($($ty:ty => |$this:ident| ($conn:expr, $side:expr);)*) => {
        $(
            impl tokio::io::AsyncRead for $ty {
                fn poll_read(
                    self: Pin<&mut Self>,
                    cx: &mut Context<'_>,
                    buf: &mut tokio::io::ReadBuf<'_>,
                ) -> Poll<io::Result<()>> {
                    let $this = &*self;
                    read_tokio($conn, $side, cx, buf)
                }
            }

            impl futures::io::AsyncRead for $ty {
                fn poll_read(
                    self: Pin<&mut Self>,
                    cx: &mut Context<'_>,
                    buf: &mut [u8],
                ) -> Poll<io::Result<usize>> {
                    let $this = &*self;
                    read_futures($conn, $side, cx, buf)
                }
            }
        )*
    };
}

macro_rules! write_traits {
    ($($ty:ty => |$this:ident| ($conn:expr, $side:expr);)*) => {
        $(
            impl tokio::io::AsyncWrite for $ty {
                fn poll_write(
                    self: Pin<&mut Self>,
                    cx: &mut Context<'_>,
                    buf: &[u8],
                ) -> Poll<io::Result<usize>> {
                    let $this = &*self;
                    write($conn, $side, cx, buf)
                }

                fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
                    Poll::Ready(Ok(()))
                }

                fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
                    let $this = &*self;
                    shutdown($conn, $side)
                }
            }

            impl futures::io::AsyncWrite for $ty {
                fn poll_write(
                    self: Pin<&mut Self>,
                    cx: &mut Context<'_>,
                    buf: &[u8],
                ) -> Poll<io::Result<usize>> {
                    let $this = &*self;
                    write($conn, $side, cx, buf)
                }

                fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
                    Poll::Ready(Ok(()))
                }

                fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
                    let $this = &*self;
                    shutdown($conn, $side)
                }
            }
        )*
    };
}

read_traits! {
    TcpStream => |this| (&this.conn, this.side);
    ReadHalf<'_> => |this| (&this.0.conn, this.0.side);
    OwnedReadHalf => |this| (&this.conn, this.side);
}

write_traits! {
    TcpStream => |this| (&this.conn, this.side);
    WriteHalf<'_> => |this| (&this.0.conn, this.0.side);
    OwnedWriteHalf => |this| (&this.conn, this.side);
}
