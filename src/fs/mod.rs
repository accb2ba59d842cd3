//! A simulated disk: files in memory, seeded latency, injected errors, and crashes that lose
//! what was not synced.
//!
//! Each simulation starts with an empty disk. Every operation takes a latency drawn from
//! [`WorldConfig::disk_latency`](crate::sim::WorldConfig::disk_latency); reads and writes fail
//! with an injected [`FsError::Io`] at the seed's rates; a write that would pass the capacity
//! fails with [`FsError::DiskFull`]. Written bytes are visible at once and durable after
//! [`File::sync`]. [`crash`] is a power loss: every file goes back to its synced bytes, files
//! never synced disappear, the last write may be torn
//! ([`WorldConfig::torn_writes`](crate::sim::WorldConfig::torn_writes)), and handles opened
//! before it fail with [`FsError::Stale`]. Removing a file is durable at once (a
//! simplification: real file systems need the directory synced too).
//!
//! A [`File`] closes when dropped, which is Rust's `async with`: [`open_handles`] counts the
//! handles alive, so a test can assert that none leaked, even from a task aborted mid-read.
//!
//! # Examples
//!
//! aiofiles' `async with aiofiles.open(path) as f: contents = await f.read()`:
//!
//! ```
//! use simloop::fs::{self, FsError};
//!
//! async fn read_file(path: &str) -> Result<String, FsError> {
//!     let mut file = fs::open(path).await?; // `async with ... as f:`
//!     file.read_to_string().await // `f` closes here, on the error path too
//! }
//!
//! simloop::run(0, async {
//!     fs::write("example.txt", "Hello, simloop").await.unwrap();
//!     assert_eq!(read_file("example.txt").await.unwrap(), "Hello, simloop");
//!     assert!(matches!(read_file("missing.txt").await, Err(FsError::NotFound { .. })));
//!     assert_eq!(fs::open_handles(), 0);
//! });
//! ```
//!
//! A crash and a recovery: a write-ahead log of length-prefixed records, synced after the
//! second; the crash loses the unsynced records and tears the last one, and recovery keeps
//! exactly the synced ones.
//!
//! ```
//! use simloop::fs::{self, File, FsError};
//! use simloop::sim::{Rate, WorldConfig};
//! use simloop::{Config, Sim};
//!
//! async fn append(log: &mut File, record: &str) -> Result<(), FsError> {
//!     let mut frame = vec![record.len() as u8];
//!     frame.extend_from_slice(record.as_bytes());
//!     log.write(&frame).await
//! }
//!
//! /// The whole records; stops at a zero length (a hole) or a short record (a torn write).
//! fn recover(mut rest: &[u8]) -> Vec<String> {
//!     let mut records = Vec::new();
//!     while let Some((&len, tail)) = rest.split_first() {
//!         let len = usize::from(len);
//!         if len == 0 || tail.len() < len {
//!             break;
//!         }
//!         records.push(String::from_utf8(tail[..len].to_vec()).unwrap());
//!         rest = &tail[len..];
//!     }
//!     records
//! }
//!
//! let world = WorldConfig::default().with_torn_writes(Rate::ALWAYS);
//! let run = Sim::new(Config::default().with_world(world)).run(async {
//!     let mut log = fs::OpenOptions::new().append(true).create(true).open("wal").await.unwrap();
//!     append(&mut log, "alpha").await.unwrap();
//!     append(&mut log, "beta").await.unwrap();
//!     log.sync().await.unwrap(); // alpha and beta are durable
//!     append(&mut log, "gamma").await.unwrap();
//!     append(&mut log, "delta").await.unwrap();
//!     fs::crash();
//!     assert!(matches!(log.sync().await, Err(FsError::Stale { .. })));
//!     drop(log);
//!     let bytes = fs::read("wal").await.unwrap();
//!     assert!(bytes.len() > 11, "part of the torn write landed after a hole");
//!     recover(&bytes)
//! });
//! assert_eq!(run.unwrap(), ["alpha", "beta"]);
//! ```

use std::rc::Rc;
use std::time::Duration;

use crate::time::sleep;

mod disk;
mod file;

pub use disk::FsError;
pub use file::File;

use disk::{record, Disk, Op};

#[track_caller]
fn disk(what: &'static str) -> Rc<Disk> {
    crate::sim::part(what, Disk::new)
}

/// How to open a file: the access and whether to create or truncate it, as `std`'s.
///
/// A handle with neither read nor write access reads. `append` implies write.
///
/// # Examples
///
/// ```
/// use simloop::fs::OpenOptions;
///
/// simloop::run(0, async {
///     let mut file = OpenOptions::new().write(true).create(true).open("f").await.unwrap();
///     file.write(b"x").await.unwrap();
///     let err = OpenOptions::new().read(true).open("other").await.unwrap_err();
///     assert_eq!(err.path(), "other");
/// });
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpenOptions {
    read: bool,
    write: bool,
    append: bool,
    create: bool,
    truncate: bool,
}

impl OpenOptions {
    /// No access, no creation, no truncation.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::fs::OpenOptions;
    ///
    /// assert_eq!(OpenOptions::new(), OpenOptions::default());
    /// ```
    pub fn new() -> OpenOptions {
        OpenOptions::default()
    }

    /// With read access.
    pub fn read(mut self, read: bool) -> OpenOptions {
        self.read = read;
        self
    }

    /// With write access.
    pub fn write(mut self, write: bool) -> OpenOptions {
        self.write = write;
        self
    }

    /// With every write going to the end of the file.
    pub fn append(mut self, append: bool) -> OpenOptions {
        self.append = append;
        self
    }

    /// Creating the file if it does not exist (not durable until synced).
    pub fn create(mut self, create: bool) -> OpenOptions {
        self.create = create;
        self
    }

    /// Emptying the file when it is opened for writing.
    pub fn truncate(mut self, truncate: bool) -> OpenOptions {
        self.truncate = truncate;
        self
    }

    /// Opens `path` with these options, after one disk latency.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::fs::{self, OpenOptions};
    ///
    /// simloop::run(0, async {
    ///     fs::write("log", b"old").await.unwrap();
    ///     let mut log = OpenOptions::new().append(true).open("log").await.unwrap();
    ///     log.write(b"+new").await.unwrap();
    ///     assert_eq!(fs::read("log").await.unwrap(), b"old+new");
    /// });
    /// ```
    ///
    /// # Panics
    ///
    /// Outside a simulation.
    ///
    /// # Errors
    ///
    /// [`FsError::InvalidPath`] at once for an empty path; [`FsError::NotFound`] if the file
    /// does not exist and `create` is off.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future before the latency has passed opens, creates and truncates nothing.
    pub async fn open(&self, path: &str) -> Result<File, FsError> {
        if path.is_empty() {
            return Err(FsError::InvalidPath { path: path.into() });
        }
        let disk = disk("simloop::fs::open");
        let (latency_ns, _) = disk.begin(Op::Other);
        sleep(Duration::from_nanos(latency_ns)).await;
        let node = match disk.find(path) {
            Some(node) => node,
            None if self.create => disk.create(path),
            None => return Err(FsError::NotFound { path: path.into() }),
        };
        let writable = self.write || self.append;
        if self.truncate && writable {
            disk.truncate(&node);
        }
        let object = Rc::clone(&node.borrow().object);
        record(&object, || "open".to_owned());
        let access = (self.read || !writable, writable, self.append);
        Ok(File::new(disk, node, Rc::from(path), access))
    }
}

/// Opens an existing file for reading.
///
/// # Examples
///
/// ```
/// use simloop::fs::{self, FsError};
///
/// simloop::run(0, async {
///     assert!(matches!(fs::open("").await, Err(FsError::InvalidPath { .. })));
/// });
/// ```
///
/// # Panics
///
/// Outside a simulation.
///
/// # Errors
///
/// As [`OpenOptions::open`].
///
/// # Cancel safety
///
/// As [`OpenOptions::open`].
pub async fn open(path: &str) -> Result<File, FsError> {
    OpenOptions::new().read(true).open(path).await
}

/// Creates (or empties) a file and opens it for writing.
///
/// # Examples
///
/// ```
/// use simloop::fs;
///
/// simloop::run(0, async {
///     fs::write("f", b"old").await.unwrap();
///     fs::create("f").await.unwrap();
///     assert!(fs::read("f").await.unwrap().is_empty());
/// });
/// ```
///
/// # Panics
///
/// Outside a simulation.
///
/// # Errors
///
/// As [`OpenOptions::open`].
///
/// # Cancel safety
///
/// As [`OpenOptions::open`].
pub async fn create(path: &str) -> Result<File, FsError> {
    let options = OpenOptions::new().write(true).create(true).truncate(true);
    options.open(path).await
}

/// The whole contents of `path`: open, read, close.
///
/// # Examples
///
/// ```
/// simloop::run(0, async {
///     simloop::fs::write("f", b"data").await.unwrap();
///     assert_eq!(simloop::fs::read("f").await.unwrap(), b"data");
/// });
/// ```
///
/// # Panics
///
/// Outside a simulation.
///
/// # Errors
///
/// As [`OpenOptions::open`] and [`File::read`].
///
/// # Cancel safety
///
/// Dropping the future closes the file it opened.
pub async fn read(path: &str) -> Result<Vec<u8>, FsError> {
    open(path).await?.read_to_end().await
}

/// Creates (or empties) `path` and writes `data` to it, without syncing.
///
/// # Examples
///
/// ```
/// simloop::run(0, async {
///     simloop::fs::write("f", "text").await.unwrap();
///     assert!(simloop::fs::exists("f"));
/// });
/// ```
///
/// # Panics
///
/// Outside a simulation.
///
/// # Errors
///
/// As [`OpenOptions::open`] and [`File::write`].
///
/// # Cancel safety
///
/// Dropping the future may leave the file created and empty.
pub async fn write(path: &str, data: impl AsRef<[u8]>) -> Result<(), FsError> {
    create(path).await?.write(data.as_ref()).await
}

/// Removes `path` after one disk latency; handles already open keep reading it.
///
/// # Examples
///
/// ```
/// use simloop::fs;
///
/// simloop::run(0, async {
///     fs::write("f", b"x").await.unwrap();
///     fs::remove("f").await.unwrap();
///     assert!(!fs::exists("f"));
///     assert!(fs::remove("f").await.is_err());
/// });
/// ```
///
/// # Panics
///
/// Outside a simulation.
///
/// # Errors
///
/// [`FsError::NotFound`] if there is no such file.
///
/// # Cancel safety
///
/// Dropping the future before the latency has passed removes nothing.
pub async fn remove(path: &str) -> Result<(), FsError> {
    let disk = disk("simloop::fs::remove");
    let (latency_ns, _) = disk.begin(Op::Other);
    sleep(Duration::from_nanos(latency_ns)).await;
    if !disk.remove(path) {
        return Err(FsError::NotFound { path: path.into() });
    }
    record(&disk.object, || format!("remove {path}"));
    Ok(())
}

/// Whether a file exists at `path` now (no latency: a check for tests and recovery code).
///
/// # Examples
///
/// ```
/// simloop::run(0, async { assert!(!simloop::fs::exists("nothing")) });
/// ```
///
/// # Panics
///
/// Outside a simulation.
pub fn exists(path: &str) -> bool {
    disk("simloop::fs::exists").find(path).is_some()
}

/// A power loss: every file goes back to what was last synced, files created and never synced
/// disappear, the last write may be torn (at the seed's torn-write rate a strict prefix of it
/// lands, past a zero-filled hole where the unsynced writes before it were), and every open
/// handle becomes stale.
///
/// # Examples
///
/// ```
/// use simloop::fs;
///
/// simloop::run(0, async {
///     let mut file = fs::create("new").await.unwrap();
///     file.write(b"never synced").await.unwrap();
///     fs::crash();
///     assert!(!fs::exists("new"));
///     assert_eq!(fs::open_handles(), 1); // stale, but still open until dropped
/// });
/// ```
///
/// # Panics
///
/// Outside a simulation.
pub fn crash() {
    let disk = disk("simloop::fs::crash");
    let report = disk.crash();
    record(&disk.object, || {
        let files = match report.files_reverted {
            1 => "1 file".to_owned(),
            count => format!("{count} files"),
        };
        match report.torn_bytes {
            Some(torn) => {
                format!("crash ({files} lost unsynced data; {torn} bytes of a torn write landed)")
            }
            None => format!("crash ({files} lost unsynced data)"),
        }
    });
}

/// How many [`File`] handles are open (alive and not closed).
///
/// # Examples
///
/// ```
/// simloop::run(0, async {
///     let file = simloop::fs::create("f").await.unwrap();
///     assert_eq!(simloop::fs::open_handles(), 1);
///     drop(file);
///     assert_eq!(simloop::fs::open_handles(), 0);
/// });
/// ```
///
/// # Panics
///
/// Outside a simulation.
pub fn open_handles() -> usize {
    disk("simloop::fs::open_handles").open_handles.get()
}

/// Bytes used by the files on the disk.
///
/// # Examples
///
/// ```
/// simloop::run(0, async {
///     simloop::fs::write("f", b"1234").await.unwrap();
///     assert_eq!(simloop::fs::used_bytes(), 4);
/// });
/// ```
///
/// # Panics
///
/// Outside a simulation.
pub fn used_bytes() -> u64 {
    disk("simloop::fs::used_bytes").state.borrow().used_bytes
}

/// Sets the disk's capacity; writes that would pass it fail with [`FsError::DiskFull`].
///
/// # Examples
///
/// ```
/// use simloop::fs::{self, FsError};
///
/// simloop::run(0, async {
///     fs::set_capacity(4);
///     let err = fs::write("f", b"too long").await.unwrap_err();
///     assert_eq!(err, FsError::DiskFull { path: "f".into(), needed: 8, available: 4 });
///     assert!(fs::read("f").await.unwrap().is_empty()); // nothing was written
/// });
/// ```
///
/// # Panics
///
/// Outside a simulation.
pub fn set_capacity(bytes: u64) {
    disk("simloop::fs::set_capacity")
        .state
        .borrow_mut()
        .capacity_bytes = bytes;
}
