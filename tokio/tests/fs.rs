//! `fs` on simloop's disk inside a simulation, tokio's outside.

extern crate simloop_tokio as tokio;

use std::io::{ErrorKind, SeekFrom};

use simloop::sim::{Rate, WorldConfig};
use simloop::{Config, Sim};
use tokio::fs::{self, File, OpenOptions};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

#[test]
fn read_write_and_remove_on_the_simulated_disk() {
    simloop::check(|| async {
        fs::write("config.toml", "port = 80").await.unwrap();
        assert!(simloop::fs::exists("config.toml")); // simloop's disk, not the real one
        assert_eq!(fs::read("config.toml").await.unwrap(), b"port = 80");
        assert_eq!(
            fs::read_to_string("config.toml").await.unwrap(),
            "port = 80"
        );
        assert!(fs::try_exists("config.toml").await.unwrap());
        fs::remove_file("config.toml").await.unwrap();
        assert!(!fs::try_exists("config.toml").await.unwrap());
        assert!(simloop::time::now().since_start() > std::time::Duration::ZERO);
        // disk latency
    });
}

#[test]
fn errors_are_io_errors_of_the_right_kind() {
    simloop::check(|| async {
        let missing = fs::read("missing").await.unwrap_err();
        assert_eq!(missing.kind(), ErrorKind::NotFound);
        assert_eq!(missing.to_string(), "missing: no such file");
        assert_eq!(
            fs::remove_file("missing").await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
        assert_eq!(
            File::open("missing").await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
        assert_eq!(
            fs::write("", b"x").await.unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        fs::write("binary", [0xff, 0xfe]).await.unwrap();
        assert_eq!(
            fs::read_to_string("binary").await.unwrap_err().kind(),
            ErrorKind::InvalidData
        );
        let exists = File::create_new("binary").await.unwrap_err();
        assert_eq!(exists.kind(), ErrorKind::AlreadyExists);
        simloop::fs::set_capacity(4);
        let full = fs::write("big", [0u8; 16]).await.unwrap_err();
        assert_eq!(full.kind(), ErrorKind::StorageFull);
    });
}

#[test]
fn a_file_reads_writes_and_seeks_through_tokio_traits() {
    simloop::check(|| async {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .open("data")
            .await
            .unwrap();
        file.write_all(b"hello world").await.unwrap();
        file.flush().await.unwrap();
        assert_eq!(file.seek(SeekFrom::Start(6)).await.unwrap(), 6);
        let mut word = [0u8; 5];
        file.read_exact(&mut word).await.unwrap();
        assert_eq!(&word, b"world");
        assert_eq!(file.seek(SeekFrom::Current(-5)).await.unwrap(), 6);
        assert_eq!(file.seek(SeekFrom::End(-11)).await.unwrap(), 0);
        let bad = file.seek(SeekFrom::Current(-1)).await.unwrap_err();
        assert_eq!(bad.kind(), ErrorKind::InvalidInput);
        let mut all = String::new();
        file.read_to_string(&mut all).await.unwrap();
        assert_eq!(all, "hello world");
        file.sync_all().await.unwrap();
        file.sync_data().await.unwrap();
        let unsupported = file.set_len(0).await.unwrap_err();
        assert_eq!(unsupported.kind(), ErrorKind::Unsupported);
        assert!(unsupported.to_string().contains("File::set_len"));
        drop(file);
        assert_eq!(simloop::fs::open_handles(), 0);
    });
}

#[test]
fn a_file_is_send_and_works_from_a_spawned_task() {
    fn is_send<T: Send>(_: &T) {}
    simloop::check(|| async {
        let file = File::create("log").await.unwrap();
        is_send(&file);
        let writer = tokio::spawn(async move {
            let mut file = file;
            file.write_all(b"from a task").await.unwrap();
        });
        writer.await.unwrap();
        assert_eq!(fs::read("log").await.unwrap(), b"from a task");
    });
}

#[test]
fn what_sync_all_made_durable_survives_a_crash() {
    simloop::check(|| async {
        let mut file = File::create("wal").await.unwrap();
        file.write_all(b"durable").await.unwrap();
        file.sync_all().await.unwrap();
        file.write_all(b"+lost").await.unwrap();
        simloop::fs::crash();
        let stale = file.sync_all().await.unwrap_err();
        assert_eq!(stale.kind(), ErrorKind::StaleNetworkFileHandle);
        assert_eq!(fs::read("wal").await.unwrap(), b"durable");
    });
}

#[test]
fn injected_disk_errors_reach_the_caller_as_io_errors() {
    let world = WorldConfig::default().with_write_errors(Rate::ALWAYS);
    let run = Sim::new(Config::default().with_world(world))
        .run(async { fs::write("x", b"y").await.unwrap_err() });
    let error = run.unwrap();
    assert_eq!(error.kind(), ErrorKind::Other);
    assert!(error.to_string().contains("injected I/O error"), "{error}");
}

#[test]
fn items_not_simulated_fail_naming_the_item_and_touch_no_real_disk() {
    simloop::check(|| async {
        let error = fs::create_dir_all("/definitely/not/created")
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Unsupported);
        assert!(
            error.to_string().contains("`tokio::fs::create_dir_all`"),
            "{error}"
        );
        assert!(fs::read_dir(".").await.is_err());
        assert!(fs::metadata("Cargo.toml").await.is_err());
    });
    assert!(!std::path::Path::new("/definitely").exists());
}

#[real::test]
async fn outside_a_simulation_fs_is_tokio() {
    let dir = std::env::temp_dir().join(format!("simloop-tokio-fs-{}", std::process::id()));
    fs::create_dir_all(&dir).await.unwrap();
    let path = dir.join("f.txt");
    fs::write(&path, "real").await.unwrap();
    assert_eq!(fs::read_to_string(&path).await.unwrap(), "real");
    let mut file = File::open(&path).await.unwrap();
    let mut text = String::new();
    file.read_to_string(&mut text).await.unwrap();
    assert_eq!(text, "real");
    fs::remove_file(&path).await.unwrap();
    assert_eq!(
        fs::read(&path).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    fs::remove_dir(&dir).await.unwrap();
}
