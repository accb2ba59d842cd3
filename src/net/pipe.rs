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
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use rand::RngExt;

use super::sockets::Stats;
use super::state::{HostId, LinkCache, Net};
use crate::id::TaskId;
use crate::rt::{self, op, Alarm, Detail, Here, Label, WaitTarget};

#[derive(Default)]
struct State {
    /// Written and not yet read: the first `ready` bytes have arrived.
    buf: Ring,
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
    /// The reader's waker, kept between reads: a reader blocks again and again, and storing a
    /// waker clones it (an atomic increment); `keep` replaces it only for another task.
    reader: Option<Waker>,
    /// Whether the reader waits for bytes now (its waker is current).
    reader_waits: bool,
    writer: Option<Waker>,
    /// The reader's wake-up at the next arrival.
    timer: Alarm,
}

/// One direction of a connection, written by one end and read by the other.
pub(crate) struct Pipe {
    pub(crate) from: HostId,
    pub(crate) to: HostId,
    pub(crate) src: SocketAddr,
    pub(crate) dst: SocketAddr,
    cap: usize,
    label: Label,
    /// The link's latency and cut state, read again only when a link changed.
    link: LinkCache,
    /// Whether the run's trace keeps routine operations (its level is fixed for the run): a
    /// read then asks nothing of the simulation to learn that its `read n bytes` is not kept.
    routine_traced: bool,
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

/// What a reader's wake-up calls itself in a panic (polled in another simulation).
const ALARM: &str = "simloop::net (a socket's wake-up)";

/// Makes `waker`, the current task's, wake at `at_ns`, reusing the timer already armed for then.
#[inline]
pub(crate) fn arm(timer: &mut Alarm, at_ns: u64, waker: &Waker) {
    timer.arm(ALARM, at_ns, waker);
}

/// [`arm`] from another task, for the task that waits (a writer moving a reader's wake-up).
#[inline]
pub(crate) fn arm_for_waiter(timer: &mut Alarm, at_ns: u64, waker: &Waker) {
    timer.arm_for_waiter(ALARM, at_ns, waker);
}

/// The bytes of one direction written and not yet read: a ring with a power-of-two capacity
/// that doubles when a write does not fit, so a connection in steady state allocates nothing.
/// (`VecDeque<u8>` does the same, but its `drain` and `extend` cost more than the two copies
/// that are all a read and a write need.)
///
/// A ring that empties hands its storage to the simulation's [`Spare`] buffers, and a write
/// into an empty ring takes the one freed last. An idle connection then holds no buffer, and
/// a write usually copies into storage a read has just emptied, still in the CPU's nearest
/// cache: in a request/response exchange the server's reply reuses its request's buffer.
#[derive(Default)]
struct Ring {
    bytes: Vec<u8>,
    head: usize,
    len: usize,
}

/// The storage of emptied rings, the one freed last at the end (one list per simulation).
#[derive(Default)]
pub(crate) struct Spare(RefCell<Vec<Vec<u8>>>);

impl Ring {
    fn len(&self) -> usize {
        self.len
    }

    /// Drops every byte and the storage (a reset or a closed reader: rare, nothing to reuse).
    fn clear(&mut self) {
        *self = Ring::default();
    }

    /// Hands the storage of an empty ring to `spare`.
    #[inline]
    fn release(&mut self, spare: &Spare) {
        self.head = 0;
        if !self.bytes.is_empty() {
            spare.0.borrow_mut().push(std::mem::take(&mut self.bytes));
        }
    }

    /// Appends `src`.
    #[inline]
    fn push(&mut self, src: &[u8], spare: &Spare) {
        if src.is_empty() {
            return;
        }
        if self.bytes.len() - self.len < src.len() && !self.reuse(src.len(), spare) {
            self.grow(self.len + src.len(), spare);
        }
        let cap = self.bytes.len();
        let tail = (self.head + self.len) & (cap - 1);
        let first = (cap - tail).min(src.len());
        self.bytes[tail..tail + first].copy_from_slice(&src[..first]);
        self.bytes[..src.len() - first].copy_from_slice(&src[first..]);
        self.len += src.len();
    }

    /// Gives a ring without storage the storage freed last, if it holds `need` bytes.
    #[inline]
    fn reuse(&mut self, need: usize, spare: &Spare) -> bool {
        if !self.bytes.is_empty() {
            return false;
        }
        let mut spare = spare.0.borrow_mut();
        match spare.pop() {
            Some(bytes) if bytes.len() >= need => {
                self.bytes = bytes;
                true
            }
            Some(small) => {
                spare.push(small);
                false
            }
            None => false,
        }
    }

    /// Makes room for `need` bytes: storage twice as large (the old storage goes to `spare`).
    #[cold]
    fn grow(&mut self, need: usize, spare: &Spare) {
        let mut bytes = vec![0; need.next_power_of_two().max(64)];
        let (a, b) = self.front(self.len);
        bytes[..a.len()].copy_from_slice(a);
        bytes[a.len()..self.len].copy_from_slice(b);
        let old = std::mem::replace(&mut self.bytes, bytes);
        self.head = 0;
        if !old.is_empty() {
            spare.0.borrow_mut().push(old);
        }
    }

    /// The first `n` bytes (at most `len`), in one or two slices.
    #[inline]
    fn front(&self, n: usize) -> (&[u8], &[u8]) {
        let n = n.min(self.len);
        if n == 0 {
            return (&[], &[]);
        }
        let first = (self.bytes.len() - self.head).min(n);
        (
            &self.bytes[self.head..self.head + first],
            &self.bytes[..n - first],
        )
    }

    /// Drops the first `n` bytes (at most `len`); an emptied ring hands its storage back.
    #[inline]
    fn consume(&mut self, n: usize, spare: &Spare) {
        let n = n.min(self.len);
        self.len -= n;
        if self.len == 0 {
            self.release(spare);
        } else {
            self.head = (self.head + n) & (self.bytes.len() - 1);
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
            link: LinkCache::default(),
            routine_traced: Detail::Routine.kept(),
            state: RefCell::default(),
        }
    }

    /// Reads what has arrived, at most `max` bytes, handing them to `sink` (in one or two
    /// slices). Inlined into each of its two callers (tokio's and futures' `poll_read`): out of
    /// line, the sink is a call per slice and a read costs about a tenth more.
    #[inline]
    pub(crate) fn poll_read(
        self: &Rc<Pipe>,
        net: &Net,
        cx: &mut Context<'_>,
        max: usize,
        mut sink: impl FnMut(&[u8]),
    ) -> Poll<io::Result<usize>> {
        const WHAT: &str = "simloop::net::TcpStream::poll_read";
        if !rt::is_inside() {
            rt::now_ns(WHAT); // panics, naming the call
        }
        let mut st = self.state.borrow_mut();
        if let Some(why) = st.reset {
            return Poll::Ready(Err(reset_error(why, self)));
        }
        if max == 0 {
            return Poll::Ready(Ok(0));
        }
        // The clock matters only while a piece or the FIN is on its way; a read of bytes that
        // have all arrived, or one that will wait for a write, does not look it up.
        let now = if st.segs.is_empty() && st.fin.is_none() {
            0
        } else {
            rt::now_ns(WHAT)
        };
        let next_due = st.segs.front().map(|seg| seg.0).or(st.fin);
        let stalled = next_due.is_some_and(|due| due <= now)
            && net.link_state(self.from, self.to, &self.link).cut;
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
            let (a, b) = st.buf.front(n);
            sink(a);
            if !b.is_empty() {
                sink(b);
            }
            st.buf.consume(n, &net.sockets.spare);
            st.ready -= n;
            st.reader_waits = false;
            let writer = st.writer.take();
            drop(st);
            if self.routine_traced {
                self.label
                    .record_with(Detail::Routine, || format!("read {n} bytes"));
            }
            wake(writer);
            return Poll::Ready(Ok(n));
        }
        if !stalled && st.segs.is_empty() && st.fin.is_some_and(|fin| fin <= now) {
            st.reader_waits = false;
            return Poll::Ready(Ok(0));
        }
        keep(&mut st.reader, cx.waker());
        st.reader_waits = true;
        match st.segs.front().map(|seg| seg.0).or(st.fin) {
            Some(due) if !stalled => {
                arm(&mut st.timer, due, cx.waker());
                drop(st);
                rt::waiting_on(self);
            }
            _ => {
                if stalled {
                    net.sockets.stall(cx.waker());
                }
                // The writer arms the wake-up for this task when bytes come.
                rt::wait_here_on(&mut st.timer, self);
            }
        }
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
        st.buf.push(&src[..n], &net.sockets.spare);
        // One look at the simulation for the clock, the trace and the reader's wake-up.
        rt::here("simloop::net::TcpStream::poll_write", |here| {
            let first = self.send(here, net, &mut st, n);
            let State {
                reader,
                reader_waits,
                timer,
                segs,
                ..
            } = &mut *st;
            if let (true, Some(waker)) = (*reader_waits, reader) {
                // The reader waits for the oldest unread piece, which may be due before this
                // write's: moving its wake-up to `first` would deliver earlier bytes late.
                let due = segs.front().map_or(first, |seg| seg.0.min(first));
                here.arm(timer, ALARM, due, waker);
            }
        });
        Poll::Ready(Ok(n))
    }

    /// Cuts `n` new bytes into pieces and gives each its arrival; returns the first arrival.
    fn send(&self, here: &Here<'_>, net: &Net, st: &mut State, n: usize) -> u64 {
        let now = here.now_ns();
        let latency = net.link_state(self.from, self.to, &self.link).latency;
        let fixed = latency.fixed_ns();
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
                crate::rng::below(&mut rng, 1, left)
            };
            // A fixed latency draws nothing: no call per piece for it.
            let mut delay = match fixed {
                Some(delay) => delay,
                None => latency.sample_ns(&mut *rng),
            };
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
        here.record_with(&self.label, Detail::Routine, || {
            let unit = if pieces == 1 { "piece" } else { "pieces" };
            format!(
                "write {n} bytes in {pieces} {unit}, last at {}ns",
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
        let State {
            reader,
            reader_waits,
            timer,
            segs,
            ..
        } = &mut *st;
        if let (true, Some(waker)) = (*reader_waits, reader) {
            let due = segs.front().map_or(fin, |seg| seg.0);
            arm_for_waiter(timer, due, waker);
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
        let timer = std::mem::take(&mut st.timer);
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
        let timer = std::mem::take(&mut st.timer);
        let waits = std::mem::take(&mut st.reader_waits);
        let reader = st.reader.take().filter(|_| waits);
        let wakers = (reader, st.writer.take());
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

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use super::{Ring, Spare};
    use crate::test_support::draws;

    // Goal: each of two rings sharing spare storage hands out exactly the bytes pushed into
    // it, in order, whatever mix of pushes and partial reads wraps it around its end and makes
    // it grow (checked against a `VecDeque` each); a ring reads at most what it holds, grows
    // only when a push does not fit, gives its storage back once empty, and an empty ring's
    // push reuses the storage freed last when it is large enough.
    #[test]
    fn rings_keep_bytes_in_order_across_wraps_growth_and_reused_storage() {
        for seed in 1..=32u64 {
            let mut draw = draws(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            let spare = Spare::default();
            let mut rings = [Ring::default(), Ring::default()];
            let mut models = [VecDeque::new(), VecDeque::new()];
            let mut next = 0u8;
            for _ in 0..800 {
                let which = draw(2) as usize;
                let (ring, model) = (&mut rings[which], &mut models[which]);
                if draw(2) == 0 {
                    let len = draw(300) as usize;
                    let src: Vec<u8> = (0..len)
                        .map(|_| {
                            next = next.wrapping_add(1);
                            next
                        })
                        .collect();
                    let room = ring.bytes.len() - ring.len();
                    let cap = ring.bytes.len();
                    let reusable = spare
                        .0
                        .borrow()
                        .last()
                        .map(|bytes| (bytes.as_ptr(), bytes.len()));
                    ring.push(&src, &spare);
                    model.extend(&src);
                    if len <= room {
                        assert_eq!(ring.bytes.len(), cap, "seed {seed}: grew with room left");
                    }
                    if let (0, Some((ptr, size))) = (cap, reusable) {
                        if len > 0 && size >= len {
                            assert_eq!(ring.bytes.as_ptr(), ptr, "seed {seed}: spare not reused");
                        }
                    }
                    if len > 0 {
                        assert!(ring.bytes.len().is_power_of_two(), "seed {seed}");
                    }
                } else {
                    let want = draw(400) as usize;
                    let (a, b) = ring.front(want);
                    let got: Vec<u8> = a.iter().chain(b).copied().collect();
                    let n = want.min(model.len());
                    let expected: Vec<u8> = model.drain(..n).collect();
                    assert_eq!(got, expected, "seed {seed}");
                    let had = !ring.bytes.is_empty();
                    let spares = spare.0.borrow().len();
                    ring.consume(want, &spare);
                    if model.is_empty() {
                        assert!(
                            ring.bytes.is_empty(),
                            "seed {seed}: an empty ring kept storage"
                        );
                        assert_eq!(spare.0.borrow().len(), spares + usize::from(had));
                    }
                }
                assert_eq!(ring.len(), model.len(), "seed {seed}");
            }
            for ring in &mut rings {
                ring.clear();
                assert_eq!(ring.len(), 0);
                assert_eq!(ring.front(10), (&[][..], &[][..]));
            }
        }
    }
}
