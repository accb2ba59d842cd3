//! `tcp_streams`: TCP's contract under segmentation and latency the bytes choose.
//!
//! The bytes choose the seed (whose network stream cuts every write into pieces and draws each
//! piece's latency), the link's latency bounds, whether segmentation is on, the send buffer's
//! size, each write's and each read's size and whether the writer shuts down early. Whatever
//! they choose, the reader must get exactly the bytes written, in order, then EOF.

use std::time::Duration;

use futures::io::{AsyncReadExt, AsyncWriteExt};
use simloop::net::{TcpListener, TcpStream};
use simloop::sim::{Latency, WorldConfig};
use simloop::{Config, Sim};

/// Reads bytes, `0` once the input runs out.
struct Bytes<'a>(std::slice::Iter<'a, u8>);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        self.0.next().copied().unwrap_or(0)
    }

    fn size(&mut self) -> usize {
        usize::from(self.byte()) * 37 + usize::from(self.byte()) + 1
    }
}

/// Runs one input.
pub fn run(data: &[u8]) {
    let mut bytes = Bytes(data.iter());
    let seed = u64::from(bytes.byte()) | u64::from(bytes.byte()) << 8;
    let min = Duration::from_micros(u64::from(bytes.byte()) * 50);
    let max = min + Duration::from_micros(u64::from(bytes.byte()) * 100);
    let segmentation = bytes.byte() % 4 != 0;
    let send_buffer = bytes.size() * 4;
    let writes: Vec<usize> = (0..1 + bytes.byte() % 8).map(|_| bytes.size()).collect();
    let reads: Vec<usize> = (0..1 + bytes.byte() % 8).map(|_| bytes.size()).collect();
    let world = WorldConfig::default()
        .with_latency(Latency::Uniform { min, max })
        .with_segmentation(segmentation)
        .with_send_buffer(send_buffer);
    let config = Config::default().with_seed(seed).with_world(world);
    let total: usize = writes.iter().sum();
    let sent: Vec<u8> = (0..total).map(|i| (i % 251) as u8).collect();
    let expected = sent.clone();
    let got = Sim::new(config)
        .run(async move {
            let listener = TcpListener::bind("db:1").await.unwrap();
            let writer = simloop::task::spawn(async move {
                let mut stream = TcpStream::connect("db:1").await.unwrap();
                let mut at = 0;
                for size in writes {
                    stream.write_all(&sent[at..at + size]).await.unwrap();
                    at += size;
                }
                stream.close().await.unwrap();
            });
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut got = Vec::new();
            let mut buf = vec![0; reads.iter().copied().max().unwrap_or(1)];
            for size in reads.iter().cycle() {
                let n = stream.read(&mut buf[..*size]).await.unwrap();
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            writer.await.unwrap();
            got
        })
        .unwrap();
    assert!(got == expected, "bytes lost, repeated or reordered");
}
