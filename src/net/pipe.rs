//! One direction of a TCP connection: the bytes written and not yet read, and when each piece
//! of them arrives.
//!
//! Bytes sit in one ring buffer per direction, from the write that accepts them until the read
//! that takes them; a small queue of `(arrival, length)` segments says how many of them have
//! arrived. A write appends to both (no allocation once the buffers have grown to their working
//! size) and arms the reader's timer for the first new arrival; a read promotes the segments
//! whose time has come and copies out what arrived. Arrivals never decrease, so bytes arrive in
//! order, each once.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use rand::RngExt;

use super::sockets::Stats;
use super::state::{HostId, Net};
use crate::id::TaskId;
use crate::rt::{self, op, Detail, Label, WaitTarget};
use crate::time::{sleep_until, Instant, Sleep};

#[derive(Default)]
struct State {
    /// Written and not yet read: the first `ready` bytes have arrived.
    buf: VecDeque<u8>,
    ready: usize,
    /// The pieces in flight, in order: `(arrival_ns, length)`.
    segs: VecDeque<(u64, usize)>,
    last_arrival: u64,
    /// When the writer's FIN arrives, once it shut down.
    fin: Option<u64>,
    /// Why the connection was reset, once it was.
    reset: Option<&'static str>,
    /// The reading end is gone: writes fail.
    reader_gone: bool,
    reader: Option<Waker>,
    writer: Option<Waker>,
    /// The reader's wake-up at the next arrival.
    timer: Option<(u64, Sleep)>,
}

/// One direction of a connection, written by one end and read by the other.
pub(crate) struct Pipe {
    pub(crate) from: HostId,
    pub(crate) to: HostId,
    pub(crate) src: SocketAddr,
    pub(crate) dst: SocketAddr,
    cap: usize,
    label: Label,
    state: RefCell<State>,
}

fn wake(waker: Option<Waker>) {
    if let Some(waker) = waker {
        waker.wake();
    }
}

fn keep(slot: &mut Option<Waker>, waker: &Waker) {
    if !slot.as_ref().is_some_and(|old| old.will_wake(waker)) {
        *slot = Some(waker.clone());
    }
}

/// Makes `waker` wake at `at_ns` (later than now), reusing the timer already armed for then.
pub(crate) fn arm(timer: &mut Option<(u64, Sleep)>, at_ns: u64, waker: &Waker) {
    if timer.as_ref().is_none_or(|(due, _)| *due != at_ns) {
        *timer = Some((at_ns, sleep_until(Instant::from_nanos(at_ns))));
    }
    if let Some((_, sleep)) = timer {
        if Pin::new(sleep)
            .poll(&mut Context::from_waker(waker))
            .is_ready()
        {
            waker.wake_by_ref();
        }
    }
}

impl Pipe {
    pub(crate) fn new(
        net: &Net,
        (from, src): (HostId, SocketAddr),
        (to, dst): (HostId, SocketAddr),
    ) -> Pipe {
        let label = Label::new("tcp");
        label.set_name(&format!(
            "{}:{}->{}:{}",
            net.name(from),
            src.port(),
            net.name(to),
            dst.port()
        ));
        Pipe {
            from,
            to,
            src,
            dst,
            cap: net.sockets.send_buffer,
            label,
            state: RefCell::default(),
        }
    }

    /// Reads what has arrived, at most `max` bytes, handing them to `sink` (in one or two
    /// slices).
    pub(crate) fn poll_read(
        self: &Rc<Pipe>,
        net: &Net,
        cx: &mut Context<'_>,
        max: usize,
        mut sink: impl FnMut(&[u8]),
    ) -> Poll<io::Result<usize>> {
        let now = rt::now_ns("simloop::net::TcpStream::poll_read");
        let mut st = self.state.borrow_mut();
        if let Some(why) = st.reset {
            return Poll::Ready(Err(reset_error(why, self)));
        }
        if max == 0 {
            return Poll::Ready(Ok(0));
        }
        let next_due = st.segs.front().map(|seg| seg.0).or(st.fin);
        let stalled = next_due.is_some_and(|due| due <= now) && net.is_cut(self.from, self.to);
        if !stalled {
            while let Some(&(due, len)) = st.segs.front() {
                if due > now {
                    break;
                }
                st.ready += len;
                st.segs.pop_front();
            }
        }
        if st.ready > 0 {
            let n = st.ready.min(max);
            let (a, b) = st.buf.as_slices();
            let first = a.len().min(n);
            sink(&a[..first]);
            if n > first {
                sink(&b[..n - first]);
            }
            st.buf.drain(..n);
            st.ready -= n;
            st.reader = None;
            let writer = st.writer.take();
            drop(st);
            self.label
                .record_with(Detail::Routine, || format!("read {n} bytes"));
            wake(writer);
            return Poll::Ready(Ok(n));
        }
        if !stalled && st.segs.is_empty() && st.fin.is_some_and(|fin| fin <= now) {
            st.reader = None;
            return Poll::Ready(Ok(0));
        }
        keep(&mut st.reader, cx.waker());
        if stalled {
            net.sockets.stall(cx.waker());
        } else if let Some(due) = st.segs.front().map(|seg| seg.0).or(st.fin) {
            arm(&mut st.timer, due, cx.waker());
        }
        drop(st);
        rt::waiting_on(self);
        Poll::Pending
    }

    /// Accepts as much of `src` as the send buffer has room for, in seeded pieces.
    pub(crate) fn poll_write(
        self: &Rc<Pipe>,
        net: &Net,
        cx: &mut Context<'_>,
        src: &[u8],
    ) -> Poll<io::Result<usize>> {
        let mut st = self.state.borrow_mut();
        if let Some(why) = st.reset {
            return Poll::Ready(Err(reset_error(why, self)));
        }
        if st.fin.is_some() {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                format!(
                    "simloop: write on {} after its write half was shut down",
                    self.label.text()
                ),
            )));
        }
        if st.reader_gone {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                format!(
                    "simloop: write on {}: the peer closed the connection",
                    self.label.text()
                ),
            )));
        }
        if src.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let room = self.cap.saturating_sub(st.buf.len());
        if room == 0 {
            keep(&mut st.writer, cx.waker());
            drop(st);
            self.label
                .record(Detail::Notable, op!("write() waits: send buffer full"));
            rt::waiting_on(self);
            return Poll::Pending;
        }
        let n = room.min(src.len());
        st.buf.extend(&src[..n]);
        let first = self.send(net, &mut st, n);
        let State { reader, timer, .. } = &mut *st;
        if let Some(waker) = reader {
            arm(timer, first, waker);
        }
        Poll::Ready(Ok(n))
    }

    /// Cuts `n` new bytes into pieces and gives each its arrival; returns the first arrival.
    fn send(&self, net: &Net, st: &mut State, n: usize) -> u64 {
        let now = rt::now_ns("simloop::net::TcpStream::poll_write");
        let latency = net.link_latency(self.from, self.to);
        let sockets = &net.sockets;
        let loss = sockets.mix.loss; // no draw at 0: a loss-free network's arrivals stay put
        let mut rng = sockets.rng.borrow_mut();
        let mut left = n;
        let mut first = u64::MAX;
        let mut pieces = 0;
        while left > 0 {
            let piece = if !sockets.segmentation || left == 1 || rng.random::<bool>() {
                left
            } else {
                rng.random_range(1..left)
            };
            let mut delay = latency.sample_ns(&mut *rng);
            if loss > 0.0 {
                delay = delay.saturating_add(retransmission_ns(loss, delay, &mut *rng));
            }
            let arrival = now.saturating_add(delay).max(st.last_arrival);
            st.last_arrival = arrival;
            first = first.min(arrival);
            match st.segs.back_mut() {
                Some(last) if last.0 == arrival => last.1 += piece,
                _ => st.segs.push_back((arrival, piece)),
            }
            left -= piece;
            pieces += 1;
        }
        drop(rng);
        Stats::add(&sockets.stats.bytes, n as u64);
        Stats::add(&sockets.stats.segments, pieces);
        self.label.record_with(Detail::Routine, || {
            format!(
                "write {n} bytes in {pieces} pieces, last at {}ns",
                st.last_arrival
            )
        });
        first
    }

    /// The writer is done: a FIN follows the last byte.
    pub(crate) fn shutdown(&self, net: &Net) {
        let mut st = self.state.borrow_mut();
        if st.fin.is_some() || st.reset.is_some() {
            return;
        }
        if !rt::is_inside() {
            // Dropped after its simulation ended: nobody is left to read.
            st.fin = Some(st.last_arrival);
            return;
        }
        let now = rt::now_ns("simloop::net::TcpStream::shutdown");
        let latency = net.link_latency(self.from, self.to);
        let delay = latency.sample_ns(&mut *net.sockets.rng.borrow_mut());
        let fin = now.saturating_add(delay).max(st.last_arrival);
        st.fin = Some(fin);
        if let Some(waker) = st.reader.clone() {
            let due = st.segs.front().map_or(fin, |seg| seg.0);
            arm(&mut st.timer, due, &waker);
        }
        drop(st);
        self.label.record(Detail::Notable, op!("shutdown (FIN)"));
    }

    /// The reader is gone: unread bytes are dropped and writes fail from now on.
    pub(crate) fn close_read(&self) {
        let mut st = self.state.borrow_mut();
        st.reader_gone = true;
        st.buf.clear();
        st.segs.clear();
        st.ready = 0;
        let timer = st.timer.take();
        let writer = st.writer.take();
        drop(st);
        drop(timer);
        wake(writer);
    }

    /// The connection is reset: both ends' operations fail from now on.
    pub(crate) fn reset(&self, why: &'static str) {
        let mut st = self.state.borrow_mut();
        if st.reset.is_some() {
            return;
        }
        st.reset = Some(why);
        st.buf.clear();
        st.segs.clear();
        st.ready = 0;
        let timer = st.timer.take();
        let wakers = (st.reader.take(), st.writer.take());
        drop(st);
        drop(timer);
        self.label
            .record_with(Detail::Notable, || format!("reset ({why})"));
        wake(wakers.0);
        wake(wakers.1);
    }
}

/// Linux's `TCP_RTO_MIN`, the floor of the variance term of the retransmission timeout.
const RTO_MIN_NS: u64 = 200_000_000;
/// Linux's `TCP_RTO_MAX`: doubling stops at two minutes.
const RTO_MAX_NS: u64 = 120_000_000_000;
/// Linux's `tcp_retries2`: after this many retransmissions of one segment Linux gives up on
/// the connection; here the last one goes through, so a segment is never lost for good.
const RETRIES: u32 = 15;

/// How much later a segment of one-way latency `latency_ns` arrives because it was lost (each
/// transmission at rate `loss`) and sent again: 0 when its first transmission gets through.
///
/// A lost segment is resent after the retransmission timeout, which doubles for each
/// consecutive loss of the same segment (RFC 6298 §5.5). The timeout is Linux's once the
/// handshake has measured the round trip: `srtt + max(4 * rttvar, TCP_RTO_MIN)`, which for a
/// steady round trip (twice this segment's latency) is that round trip plus 200 ms. (RFC 6298's
/// initial 1 s applies before
/// any measurement, that is to the SYN, which `connect` retries on its own schedule.) The
/// caller keeps arrivals in order, so later bytes wait behind a resent one, as a receiver
/// holds them until the gap is filled.
#[cold]
fn retransmission_ns(loss: f64, latency_ns: u64, rng: &mut impl rand::Rng) -> u64 {
    let mut rto = latency_ns.saturating_mul(2).saturating_add(RTO_MIN_NS);
    let mut delay = 0u64;
    for _ in 0..RETRIES {
        if !crate::sim::chance(rng, loss) {
            break;
        }
        delay = delay.saturating_add(rto.min(RTO_MAX_NS));
        rto = rto.saturating_mul(2);
    }
    delay
}

fn reset_error(why: &str, pipe: &Pipe) -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionReset,
        format!("simloop: connection {} reset: {why}", pipe.label.text()),
    )
}

impl WaitTarget for Pipe {
    fn describe(&self, _names: &dyn Fn(TaskId) -> String) -> String {
        let Ok(st) = self.state.try_borrow() else {
            return format!("TCP {}", self.label.text());
        };
        if st.buf.len() >= self.cap {
            format!(
                "a full send buffer: {} bytes from {} to {} unread (the peer does not read; \
                 two peers that both write before reading deadlock)",
                st.buf.len(),
                self.src,
                self.dst
            )
        } else {
            format!(
                "bytes from {} to {} ({} in flight)",
                self.src,
                self.dst,
                st.buf.len()
            )
        }
    }
}
