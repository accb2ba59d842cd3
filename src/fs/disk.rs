//! The disk of one simulation: files, what of them is durable, capacity, and crashes.
//!
//! Each file keeps its current bytes (what reads see, the page cache) and enough to rebuild
//! its durable bytes (what survives a crash). Appends after a sync only remember the synced
//! length, so a write-ahead log that appends and syncs costs no copies; the first overwrite of
//! synced bytes copies them once until the next sync.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::error::Error;
use std::fmt;
use std::rc::Rc;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::sim::{chance, note, FaultMix, Latency, Setup};

/// What survives a crash, relative to the current bytes.
enum Durable {
    /// Everything: the file is synced.
    Same,
    /// The first `n` bytes: only appends since the last sync.
    Prefix(usize),
    /// These bytes.
    Old(Vec<u8>),
    /// Nothing: created since the last sync, so the crash removes it.
    Absent,
}

pub(crate) struct FileData {
    pub(crate) data: Vec<u8>,
    durable: Durable,
    pub(crate) object: Rc<str>,
    linked: bool,
}

pub(crate) type Node = Rc<RefCell<FileData>>;

impl FileData {
    /// Notes that bytes from `offset` on are about to change.
    fn touch(&mut self, offset: usize) {
        match self.durable {
            Durable::Same if offset >= self.data.len() => {
                self.durable = Durable::Prefix(self.data.len());
            }
            Durable::Same => self.durable = Durable::Old(self.data.clone()),
            Durable::Prefix(len) if offset < len => {
                self.durable = Durable::Old(self.data[..len].to_vec());
            }
            _ => {}
        }
    }

    /// Forgets everything not synced; `false` if the file itself was never synced.
    fn revert(&mut self) -> bool {
        match std::mem::replace(&mut self.durable, Durable::Same) {
            Durable::Same => {}
            Durable::Prefix(len) => self.data.truncate(len),
            Durable::Old(bytes) => self.data = bytes,
            Durable::Absent => return false,
        }
        true
    }

    fn is_synced(&self) -> bool {
        matches!(self.durable, Durable::Same)
    }
}

struct LastWrite {
    node: Node,
    offset: usize,
    len: usize,
}

/// What a crash did, for the trace and for tests.
pub(crate) struct CrashReport {
    pub(crate) files_reverted: usize,
    pub(crate) torn_bytes: Option<usize>,
}

pub(crate) struct DiskState {
    files: BTreeMap<Rc<str>, Node>,
    pub(crate) used_bytes: u64,
    pub(crate) capacity_bytes: u64,
    /// Bumped by every crash: handles from before it are stale.
    pub(crate) epoch: u64,
    last_write: Option<LastWrite>,
}

pub(crate) struct Disk {
    pub(crate) state: RefCell<DiskState>,
    rng: RefCell<ChaCha8Rng>,
    mix: FaultMix,
    latency: Latency,
    pub(crate) open_handles: Cell<usize>,
    pub(crate) object: Rc<str>,
}

/// The disk lives as long as its simulation.
impl crate::rt::Extension for Disk {}

/// The kind of a disk operation, for its injected failure.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Read,
    Write,
    Other,
}

impl Disk {
    pub(crate) fn new(setup: &Setup) -> Disk {
        Disk {
            state: RefCell::new(DiskState {
                files: BTreeMap::new(),
                used_bytes: 0,
                capacity_bytes: setup.config.disk_capacity,
                epoch: 0,
                last_write: None,
            }),
            rng: RefCell::new(ChaCha8Rng::seed_from_u64(setup.disk_seed)),
            mix: setup.mix,
            latency: setup.config.disk_latency,
            open_handles: Cell::new(0),
            object: Rc::from("fs"),
        }
    }

    /// Draws an operation's latency and whether it fails: always two draws.
    pub(crate) fn begin(&self, op: Op) -> (u64, bool) {
        let mut rng = self.rng.borrow_mut();
        let latency_ns = self.latency.sample_ns(&mut *rng);
        let rate = match op {
            Op::Read => self.mix.read_errors,
            Op::Write => self.mix.write_errors,
            Op::Other => 0.0,
        };
        (latency_ns, chance(&mut *rng, rate))
    }

    pub(crate) fn find(&self, path: &str) -> Option<Node> {
        self.state.borrow().files.get(path).cloned()
    }

    pub(crate) fn create(&self, path: &str) -> Node {
        let node = Rc::new(RefCell::new(FileData {
            data: Vec::new(),
            durable: Durable::Absent,
            object: Rc::from(format!("fs({path})")),
            linked: true,
        }));
        let mut state = self.state.borrow_mut();
        state.files.insert(Rc::from(path), Rc::clone(&node));
        node
    }

    pub(crate) fn remove(&self, path: &str) -> bool {
        let mut state = self.state.borrow_mut();
        let Some(node) = state.files.remove(path) else {
            return false;
        };
        let mut file = node.borrow_mut();
        file.linked = false;
        state.used_bytes -= file.data.len() as u64;
        true
    }

    pub(crate) fn truncate(&self, node: &Node) {
        let mut file = node.borrow_mut();
        file.touch(0);
        let mut state = self.state.borrow_mut();
        if file.linked {
            state.used_bytes -= file.data.len() as u64;
        }
        file.data.clear();
    }

    /// Writes `bytes` at `offset`; `Err((needed, available))` if the disk is too full.
    pub(crate) fn write(&self, node: &Node, offset: usize, bytes: &[u8]) -> Result<(), (u64, u64)> {
        let mut file = node.borrow_mut();
        let mut state = self.state.borrow_mut();
        let available = state.capacity_bytes.saturating_sub(state.used_bytes);
        let Some(end) = offset.checked_add(bytes.len()) else {
            return Err((u64::MAX, available));
        };
        let growth = end.saturating_sub(file.data.len()) as u64;
        if file.linked && growth > available {
            return Err((growth, available));
        }
        file.touch(offset);
        if file.data.len() < end {
            file.data.resize(end, 0);
        }
        file.data[offset..end].copy_from_slice(bytes);
        if file.linked {
            state.used_bytes += growth;
        }
        state.last_write = Some(LastWrite {
            node: Rc::clone(node),
            offset,
            len: bytes.len(),
        });
        Ok(())
    }

    pub(crate) fn sync(&self, node: &Node) {
        node.borrow_mut().durable = Durable::Same;
    }

    /// Power loss: every file goes back to what was synced, files never synced disappear, and
    /// the last write may be torn (a prefix of it lands although the writes before it did not,
    /// as a disk cache that reorders writes allows).
    pub(crate) fn crash(&self) -> CrashReport {
        let mut state = self.state.borrow_mut();
        state.epoch += 1;
        let torn = self.tear(state.last_write.take());
        let mut files_reverted = 0;
        let mut used_bytes = 0;
        state.files.retain(|_, node| {
            let mut file = node.borrow_mut();
            files_reverted += usize::from(!file.is_synced());
            let kept = file.revert();
            file.linked = kept;
            used_bytes += if kept { file.data.len() as u64 } else { 0 };
            kept
        });
        let torn_bytes = torn.and_then(|(node, offset, bytes)| {
            let mut file = node.borrow_mut();
            if !file.linked {
                return None;
            }
            let end = offset + bytes.len();
            if file.data.len() < end {
                used_bytes += (end - file.data.len()) as u64;
                file.data.resize(end, 0);
            }
            file.data[offset..end].copy_from_slice(&bytes);
            Some(bytes.len())
        });
        state.used_bytes = used_bytes;
        CrashReport {
            files_reverted,
            torn_bytes,
        }
    }

    /// The torn part of `last`, if this crash tears it: a strict, non-empty prefix.
    fn tear(&self, last: Option<LastWrite>) -> Option<(Node, usize, Vec<u8>)> {
        let mut rng = self.rng.borrow_mut();
        let tears = chance(&mut *rng, self.mix.torn_writes);
        let last = last?;
        let unsynced = !last.node.borrow().is_synced();
        if !tears || !unsynced || last.len < 2 {
            return None;
        }
        let keep = rng.random_range(1..last.len);
        let bytes = last.node.borrow().data[last.offset..last.offset + keep].to_vec();
        Some((last.node, last.offset, bytes))
    }
}

pub(crate) fn record(object: &Rc<str>, op: impl FnOnce() -> String) {
    note(object, || op().into());
}

/// Why a file operation failed.
///
/// # Examples
///
/// ```
/// use simloop::fs::{self, FsError};
///
/// simloop::run(0, async {
///     let err = fs::open("missing.txt").await.unwrap_err();
///     assert_eq!(err, FsError::NotFound { path: "missing.txt".into() });
///     assert_eq!(err.to_string(), "missing.txt: no such file");
/// });
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FsError {
    /// No file at the path.
    NotFound {
        /// The path.
        path: String,
    },
    /// The path is empty.
    InvalidPath {
        /// The path.
        path: String,
    },
    /// The handle was not opened for reading.
    NotReadable {
        /// The path.
        path: String,
    },
    /// The handle was not opened for writing.
    NotWritable {
        /// The path.
        path: String,
    },
    /// An injected I/O error (`EIO`); nothing was read or written.
    Io {
        /// The path.
        path: String,
        /// `read`, `write` or `sync`.
        op: &'static str,
    },
    /// The write would grow the disk past its capacity; nothing was written.
    DiskFull {
        /// The path.
        path: String,
        /// Bytes the write needed.
        needed: u64,
        /// Bytes that were free.
        available: u64,
    },
    /// The handle was opened before a [`crash`](crate::fs::crash); open the file again.
    Stale {
        /// The path.
        path: String,
    },
    /// The contents are not UTF-8 (from `read_to_string`).
    NotUtf8 {
        /// The path.
        path: String,
    },
}

impl FsError {
    /// The path the error is about.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(simloop::fs::FsError::Stale { path: "a".into() }.path(), "a");
    /// ```
    pub fn path(&self) -> &str {
        match self {
            FsError::NotFound { path }
            | FsError::InvalidPath { path }
            | FsError::NotReadable { path }
            | FsError::NotWritable { path }
            | FsError::Io { path, .. }
            | FsError::DiskFull { path, .. }
            | FsError::Stale { path }
            | FsError::NotUtf8 { path } => path,
        }
    }
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FsError::NotFound { path } => write!(f, "{path}: no such file"),
            FsError::InvalidPath { path } => write!(f, "invalid path `{path}`"),
            FsError::NotReadable { path } => write!(f, "{path}: not opened for reading"),
            FsError::NotWritable { path } => write!(f, "{path}: not opened for writing"),
            FsError::Io { path, op } => write!(f, "{path}: injected I/O error on {op}"),
            FsError::DiskFull {
                path,
                needed,
                available,
            } => write!(
                f,
                "{path}: disk full ({needed} bytes needed, {available} free)"
            ),
            FsError::Stale { path } => write!(f, "{path}: handle opened before a crash"),
            FsError::NotUtf8 { path } => write!(f, "{path}: contents are not UTF-8"),
        }
    }
}

impl Error for FsError {}
