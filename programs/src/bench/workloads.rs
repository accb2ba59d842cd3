//! The workloads' sizes, their seeded inputs and their expected results, shared by both sides so
//! that simloop and tokio run exactly the same program. Each system uses its own primitives.
//!
//! | id | workload | op | checked |
//! |---|---|---|---|
//! | W1 | 100,000 tasks, each sleeps three seeded durations in 1..=1000 ms | one sleep | virtual end == the largest per-task sum |
//! | W2 | a queue of 16, one producer sends 0..1,000,000, one consumer sums | one message | sum == n(n-1)/2 |
//! | W3 | 10,000 tasks: acquire `Semaphore(3)`, sleep 10 ms, release | one task | peak 3; end == ceil(n/3) x 10 ms |
//! | W4 | spawn 1,000,000 tasks returning i, await them all | one task | sum == n(n-1)/2 |
//! | W5 | two tasks bounce a token through two queues of 1, 1,000,000 round trips | one hop | token == 2,000,000 |
//! | W6 | a fresh simulation per seed: 10 workers (sleep, acquire `Semaphore(3)`, sleep, put 3 items in a queue of 4, release, sleep; 1..=10 ms from the seed) and a consumer of 30 items sleeping 1 ms every 5 | one run, build and teardown included | 30 items, right sum, 1 <= peak <= 3 |
//! | W7 | 100 TCP connections between two hosts, each 1,000 request/response pairs of 1 KiB, length-prefixed, echoed (simloop vs turmoil, `benches/versus_turmoil`) | one round trip | every reply equals its request; bytes and count |

use std::time::Duration;

/// How big each workload is; `quick` shrinks everything so CI checks the assertions in seconds.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    /// W1's tasks.
    pub w1_tasks: usize,
    /// W1's tasks in the small run of its growth check.
    pub w1_growth_small: usize,
    /// W1's tasks in the large run of its growth check.
    pub w1_growth_large: usize,
    /// W2's messages.
    pub w2_messages: u64,
    /// W3's tasks.
    pub w3_tasks: usize,
    /// W4's tasks.
    pub w4_tasks: u64,
    /// W5's round trips.
    pub w5_round_trips: u64,
    /// W6's seeds.
    pub w6_seeds: u64,
}

impl Sizes {
    /// The sizes of the benchmark plan.
    pub fn full() -> Sizes {
        Sizes {
            w1_tasks: 100_000,
            w1_growth_small: 10_000,
            w1_growth_large: 1_000_000,
            w2_messages: 1_000_000,
            w3_tasks: 10_000,
            w4_tasks: 1_000_000,
            w5_round_trips: 1_000_000,
            w6_seeds: 20_000,
        }
    }

    /// Tiny sizes, to check that the bench builds and its assertions hold.
    pub fn quick() -> Sizes {
        Sizes {
            w1_tasks: 1_000,
            w1_growth_small: 1_000,
            w1_growth_large: 10_000,
            w2_messages: 10_000,
            w3_tasks: 300,
            w4_tasks: 10_000,
            w5_round_trips: 10_000,
            w6_seeds: 100,
        }
    }
}

/// splitmix64: a tiny, well-mixed generator, so the inputs do not depend on either system's RNG.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A duration of `1..=max_ms` milliseconds drawn from `(seed, index)`.
pub fn millis(seed: u64, index: u64, max_ms: u64) -> Duration {
    Duration::from_millis(1 + mix(seed ^ mix(index)) % max_ms)
}

/// W1's input: three sleeps per task, each in 1..=1000 ms.
pub fn w1_durations(tasks: usize) -> Vec<[Duration; 3]> {
    (0..tasks as u64)
        .map(|task| std::array::from_fn(|k| millis(1, task * 3 + k as u64, 1000)))
        .collect()
}

/// W1's virtual end: the largest per-task sum.
pub fn w1_expected_end(durations: &[[Duration; 3]]) -> Duration {
    durations
        .iter()
        .map(|sleeps| sleeps.iter().sum())
        .max()
        .unwrap_or_default()
}

/// `0 + 1 + ... + (n - 1)`.
pub fn triangle(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// W3's virtual end: `ceil(tasks / 3)` rounds of 10 ms.
pub fn w3_expected_end(tasks: usize) -> Duration {
    Duration::from_millis(10 * tasks.div_ceil(3) as u64)
}

/// W6's per-seed program: 10 workers, each puts 3 items; one consumer takes all 30.
pub const W6_WORKERS: u64 = 10;
/// The items each W6 worker puts.
pub const W6_ITEMS_PER_WORKER: u64 = 3;
/// The items W6's consumer takes.
pub const W6_ITEMS: u64 = W6_WORKERS * W6_ITEMS_PER_WORKER;

/// The three sleeps of worker `worker` under `seed`, each in 1..=10 ms.
pub fn w6_sleeps(seed: u64, worker: u64) -> [Duration; 3] {
    std::array::from_fn(|k| millis(seed, worker * 3 + k as u64, 10))
}

/// What one W6 run observed, checked the same way for both systems.
pub struct W6Outcome {
    /// How many items the consumer got.
    pub items: u64,
    /// Their sum.
    pub sum: u64,
    /// The most semaphore permits in use at once.
    pub peak_in_use: usize,
}

impl W6Outcome {
    /// Asserts every item arrived, the sum is right, and at most 3 permits were in use.
    pub fn check(&self) {
        assert_eq!(self.items, W6_ITEMS, "W6: the consumer got every item");
        assert_eq!(self.sum, triangle(W6_ITEMS), "W6: the items sum right");
        assert!(
            (1..=3).contains(&self.peak_in_use),
            "W6: 1 <= peak permits in use ({}) <= 3",
            self.peak_in_use
        );
    }
}

/// W7's connections.
pub const W7_CONNECTIONS: u64 = 100;
/// W7's payload per request and per reply.
pub const W7_PAYLOAD: usize = 1024;
/// W7's frame: a 4-byte big-endian length, then the payload.
pub const W7_FRAME: usize = 4 + W7_PAYLOAD;

/// What one W7 client observed, checked the same way on both systems.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct W7Outcome {
    /// Replies received, each equal to its request.
    pub replies: u64,
    /// Bytes received, frames' headers included.
    pub bytes: u64,
}

impl W7Outcome {
    /// Adds up two clients' outcomes.
    pub fn plus(self, other: W7Outcome) -> W7Outcome {
        W7Outcome {
            replies: self.replies + other.replies,
            bytes: self.bytes + other.bytes,
        }
    }

    /// Asserts every connection got every reply, all of its bytes.
    pub fn check(&self, connections: u64, pairs: u64, system: &str) {
        assert_eq!(
            self.replies,
            connections * pairs,
            "W7 {system}: every request got its reply"
        );
        assert_eq!(
            self.bytes,
            connections * pairs * W7_FRAME as u64,
            "W7 {system}: every reply's bytes arrived"
        );
    }
}

/// W7's client side of one connection: `pairs` times, writes a frame whose payload says which
/// connection and which request it is, reads the reply's frame and checks it equals the request.
/// The buffers are reused: in steady state the program itself allocates nothing.
pub async fn w7_client<S>(stream: &mut S, connection: u64, pairs: u64) -> W7Outcome
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut request = vec![connection as u8; W7_FRAME];
    request[..4].copy_from_slice(&(W7_PAYLOAD as u32).to_be_bytes());
    let mut reply = vec![0; W7_FRAME];
    let mut outcome = W7Outcome::default();
    for pair in 0..pairs {
        request[4..12].copy_from_slice(&(connection << 32 | pair).to_be_bytes());
        stream
            .write_all(&request)
            .await
            .expect("W7: write a request");
        stream
            .read_exact(&mut reply[..4])
            .await
            .expect("W7: read a reply's length");
        let len = u32::from_be_bytes(reply[..4].try_into().unwrap()) as usize;
        assert_eq!(len, W7_PAYLOAD, "W7: the reply's length");
        stream
            .read_exact(&mut reply[4..4 + len])
            .await
            .expect("W7: read a reply's payload");
        assert!(reply == request, "W7: the reply equals its request");
        outcome.replies += 1;
        outcome.bytes += (4 + len) as u64;
    }
    outcome
}

/// W7's server side of one connection: reads length-prefixed frames and writes each back,
/// until the client closes; returns how many it answered.
pub async fn w7_serve<S>(stream: &mut S) -> u64
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut frame = vec![0; W7_FRAME];
    let mut answered = 0;
    loop {
        match stream.read_exact(&mut frame[..4]).await {
            Ok(_) => {}
            Err(err) if err.kind() == std::io::ErrorKind::UnexpectedEof => return answered,
            Err(err) => panic!("W7: read a request's length: {err}"),
        }
        let len = u32::from_be_bytes(frame[..4].try_into().unwrap()) as usize;
        assert_eq!(len, W7_PAYLOAD, "W7: the request's length");
        stream
            .read_exact(&mut frame[4..4 + len])
            .await
            .expect("W7: read a request's payload");
        stream
            .write_all(&frame[..4 + len])
            .await
            .expect("W7: write a reply");
        answered += 1;
    }
}
