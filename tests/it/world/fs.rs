//! `simloop::fs`: durability, crashes, torn writes, injected errors, handle counting.

use std::time::Duration;

use simloop::fs::{self, FsError, OpenOptions};
use simloop::sim::{Latency, Rate, WorldConfig};
use simloop::task::spawn;
use simloop::time::{now, sleep};
use simloop::{Config, Sim};

fn sim(world: WorldConfig) -> Sim {
    Sim::new(Config::default().with_seed(5).with_world(world))
}

// Goal: a crash loses exactly the unsynced writes: appends, overwrites and never-synced files.
#[test]
fn a_crash_loses_exactly_the_unsynced_writes() {
    let run = sim(WorldConfig::default()).run(async {
        let mut log = OpenOptions::new()
            .append(true)
            .create(true)
            .open("log")
            .await
            .unwrap();
        log.write(b"one,").await.unwrap();
        log.sync().await.unwrap();
        log.write(b"two,").await.unwrap();
        log.write(b"three,").await.unwrap();

        let mut page = fs::create("page").await.unwrap();
        page.write(b"AAAA").await.unwrap();
        page.sync().await.unwrap();
        page.seek(1);
        page.write(b"BB").await.unwrap(); // overwrites synced bytes
        page.write(b"CCCC").await.unwrap(); // and grows the file

        let mut synced = fs::create("synced").await.unwrap();
        synced.write(b"all of it").await.unwrap();
        synced.sync().await.unwrap();

        let mut scratch = fs::create("scratch").await.unwrap();
        scratch.write(b"never synced").await.unwrap();

        assert_eq!(fs::read("log").await.unwrap(), b"one,two,three,");
        fs::crash();
        assert_eq!(fs::read("log").await.unwrap(), b"one,");
        assert_eq!(fs::read("page").await.unwrap(), b"AAAA");
        assert_eq!(fs::read("synced").await.unwrap(), b"all of it");
        assert!(!fs::exists("scratch"));
        assert_eq!(fs::used_bytes(), 4 + 4 + 9);
        for file in [&mut log, &mut page, &mut synced, &mut scratch] {
            assert!(matches!(file.write(b"x").await, Err(FsError::Stale { .. })));
        }
    });
    run.result.unwrap();
}

// Goal: a torn write keeps a strict, non-empty prefix of the last write, after a hole of zeros.
#[test]
fn a_torn_write_keeps_a_strict_prefix_of_the_last_write() {
    let world = WorldConfig::default().with_torn_writes(Rate::ALWAYS);
    for seed in 0..30 {
        let run =
            Sim::new(Config::default().with_seed(seed).with_world(world.clone())).run(async {
                let mut log = fs::create("log").await.unwrap();
                log.write(b"synced|").await.unwrap();
                log.sync().await.unwrap();
                log.write(b"lost|").await.unwrap();
                log.write(b"torn-record").await.unwrap();
                fs::crash();
                fs::read("log").await.unwrap()
            });
        let bytes = run.result.unwrap();
        let (synced, rest) = bytes.split_at(7);
        assert_eq!(synced, b"synced|");
        let (hole, torn) = rest.split_at(5);
        assert_eq!(
            hole, [0; 5],
            "the unsynced write before the torn one is gone"
        );
        assert!(!torn.is_empty() && torn.len() < 11, "seed {seed}: {torn:?}");
        assert!(b"torn-record".starts_with(torn));
    }
}

// Goal: the handle count returns to zero after a reader is aborted mid-read.
#[test]
fn an_aborted_reader_leaks_no_handle() {
    let world = WorldConfig::default().with_disk_latency(Latency::Fixed(Duration::from_millis(10)));
    let run = sim(world).run(async {
        fs::write("big", vec![7; 1024]).await.unwrap();
        let reader = spawn(async {
            let mut file = fs::open("big").await.unwrap();
            file.read_to_end().await.unwrap() // 10 ms: aborted half-way
        });
        sleep(Duration::from_millis(15)).await;
        assert_eq!(fs::open_handles(), 1, "the reader is inside its read");
        reader.abort();
        assert!(reader.await.is_err());
        assert_eq!(fs::open_handles(), 0);
    });
    run.result.unwrap();
}

// Goal: injected read and write errors fail the operation after its latency, and change nothing.
#[test]
fn injected_errors_change_nothing() {
    let world = WorldConfig::default()
        .with_read_errors(Rate::fixed(0.3))
        .with_write_errors(Rate::fixed(0.3));
    let run = sim(world).run(async {
        let (mut read_errors, mut write_errors) = (0, 0);
        let options = OpenOptions::new().read(true).write(true).create(true);
        let mut file = options.open("f").await.unwrap(); // opening never fails by injection
        let mut expected = Vec::new();
        for round in 0u8..200 {
            match file.write(&[round]).await {
                Ok(()) => expected.push(round),
                Err(err) => {
                    assert_eq!(
                        err,
                        FsError::Io {
                            path: "f".into(),
                            op: "write"
                        }
                    );
                    write_errors += 1;
                }
            }
            file.seek(0);
            match file.read_to_end().await {
                Ok(bytes) => assert_eq!(bytes, expected),
                Err(err) => {
                    assert!(matches!(err, FsError::Io { op: "read", .. }));
                    read_errors += 1;
                }
            }
            file.seek(expected.len() as u64);
        }
        (read_errors, write_errors)
    });
    let (reads, writes) = run.result.unwrap();
    assert!((40..=80).contains(&reads), "{reads} read errors of 200");
    assert!((40..=80).contains(&writes), "{writes} write errors of 200");
}

// Goal: bad input gives error values: missing files, empty paths, wrong access, a full disk.
#[test]
fn bad_input_gives_error_values() {
    let world = WorldConfig::default().with_disk_capacity(10);
    let run = sim(world).run(async {
        let start = now();
        assert_eq!(
            fs::open("").await.unwrap_err(),
            FsError::InvalidPath {
                path: String::new()
            }
        );
        assert_eq!(
            now(),
            start,
            "an empty path fails without touching the disk"
        );
        assert_eq!(
            fs::read("nope").await.unwrap_err(),
            FsError::NotFound {
                path: "nope".into()
            }
        );
        fs::write("f", b"12345678").await.unwrap();
        let mut reader = fs::open("f").await.unwrap();
        assert_eq!(
            reader.write(b"x").await.unwrap_err(),
            FsError::NotWritable { path: "f".into() }
        );
        let mut writer = OpenOptions::new().append(true).open("f").await.unwrap();
        let mut buf = [0; 4];
        assert_eq!(
            writer.read(&mut buf).await.unwrap_err(),
            FsError::NotReadable { path: "f".into() }
        );
        let full = writer.write(b"abc").await.unwrap_err();
        assert_eq!(
            full,
            FsError::DiskFull {
                path: "f".into(),
                needed: 3,
                available: 2
            }
        );
        writer.write(b"ab").await.unwrap();
        assert_eq!(fs::used_bytes(), 10);
        fs::write("g", b"x").await.unwrap_err();
        assert!(fs::exists("g"), "created, then the write did not fit");
    });
    run.result.unwrap();
}
