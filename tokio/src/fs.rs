//! The file system: simloop's simulated disk inside a simulation, tokio's `fs` outside.
//!
//! Inside a simulation the covered calls use [`simloop::fs`]: files in memory, one disk latency
//! per operation, the seed's injected I/O errors, crashes that lose what was not synced. Paths
//! are names on that disk (UTF-8; no directories: `a/b` is one name). Errors are `io::Error`s
//! of the kind Linux gives (`NotFound`, `InvalidInput`, `StorageFull`, ...) with simloop's
//! [`FsError`] as their inner error.
//!
//! Each operation runs as a simloop task that the returned future awaits, so the future is
//! `Send` (simloop's disk is not), as tokio's, which runs each operation on its blocking pool;
//! as there, dropping the future does not cancel the operation.
//!
//! The items not simulated yet (directories, metadata, links, permissions, ...) return an
//! `io::Error` of kind `Unsupported` naming the item inside a simulation: never the real disk.
//!
//! # Examples
//!
//! ```
//! use simloop_tokio as tokio;
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! simloop::run(0, async {
//!     let mut file = tokio::fs::File::create("notes.txt").await.unwrap();
//!     file.write_all(b"hello").await.unwrap();
//!     file.sync_all().await.unwrap();
//!     drop(file);
//!     let mut text = String::new();
//!     tokio::fs::File::open("notes.txt").await.unwrap().read_to_string(&mut text).await.unwrap();
//!     assert_eq!(text, "hello");
//!     let missing = tokio::fs::read("missing.txt").await.unwrap_err();
//!     assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
//! });
//! ```

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::io::{self, SeekFrom};
use std::path::Path;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use simloop::fs::FsError;

use crate::io::{AsyncRead, AsyncSeek, AsyncWrite, ReadBuf};

/// tokio's types for the items not simulated (their functions fail inside a simulation).
pub use real::fs::{DirBuilder, DirEntry, ReadDir};

/// `FsError` as the `io::Error` Linux would give.
fn io_error(error: FsError) -> io::Error {
    let kind = match &error {
        FsError::NotFound { .. } => io::ErrorKind::NotFound,
        FsError::InvalidPath { .. } => io::ErrorKind::InvalidInput,
        // `read_to_string` on bytes that are not UTF-8: std's `InvalidData`.
        FsError::NotUtf8 { .. } => io::ErrorKind::InvalidData,
        // `ENOSPC`.
        FsError::DiskFull { .. } => io::ErrorKind::StorageFull,
        // `ESTALE`: a handle opened before the crash.
        FsError::Stale { .. } => io::ErrorKind::StaleNetworkFileHandle,
        // `EBADF` (a handle without that access) and `EIO` have no kind of their own in std.
        _ => io::ErrorKind::Other,
    };
    io::Error::new(kind, error)
}

/// The path as a name on the simulated disk.
fn name(path: &Path) -> io::Result<String> {
    path.to_str().map(str::to_owned).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("simloop-tokio: path {path:?} is not UTF-8; the simulated disk names files by UTF-8 strings"),
        )
    })
}

/// An item the simulated disk does not have, called inside a simulation.
fn unsupported(item: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        format!(
            "simloop-tokio: `tokio::fs::{item}` is not simulated; inside a simulation it does not \
             touch the real disk. Covered: read, read_to_string, write, remove_file, try_exists, \
             File::{{open, create, options}}, OpenOptions"
        ),
    )
}

/// Runs a simulated disk operation as a simloop task and awaits it (a `Send` future).
async fn on_disk<T, F>(what: &'static str, op: impl FnOnce() -> F + Send + 'static) -> io::Result<T>
where
    F: Future<Output = Result<T, FsError>> + 'static,
    T: Send + 'static,
{
    let task = simloop::task::spawn_named(what, async move { op().await });
    match task.await {
        Ok(result) => result.map_err(io_error),
        Err(_) => Err(io::Error::new(
            io::ErrorKind::Interrupted,
            format!("simloop-tokio: `{what}` was cancelled"),
        )),
    }
}

macro_rules! not_simulated {
    ($(#[$doc:meta])* $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty) => {
        $(#[$doc])*
        ///
        /// Not simulated: inside a simulation, an `io::Error` of kind `Unsupported` naming it.
        pub async fn $name($($arg: $ty),*) -> io::Result<$ret> {
            if simloop::is_simulating() {
                return Err(unsupported(stringify!($name)));
            }
            real::fs::$name($($arg),*).await
        }
    };
}

not_simulated!(/// tokio's `fs::canonicalize`.
    canonicalize(path: impl AsRef<Path>) -> std::path::PathBuf);
not_simulated!(/// tokio's `fs::copy`.
    copy(from: impl AsRef<Path>, to: impl AsRef<Path>) -> u64);
not_simulated!(/// tokio's `fs::create_dir`.
    create_dir(path: impl AsRef<Path>) -> ());
not_simulated!(/// tokio's `fs::create_dir_all`.
    create_dir_all(path: impl AsRef<Path>) -> ());
not_simulated!(/// tokio's `fs::hard_link`.
    hard_link(original: impl AsRef<Path>, link: impl AsRef<Path>) -> ());
not_simulated!(/// tokio's `fs::metadata`.
    metadata(path: impl AsRef<Path>) -> std::fs::Metadata);
not_simulated!(/// tokio's `fs::read_dir`.
    read_dir(path: impl AsRef<Path>) -> ReadDir);
not_simulated!(/// tokio's `fs::read_link`.
    read_link(path: impl AsRef<Path>) -> std::path::PathBuf);
not_simulated!(/// tokio's `fs::remove_dir`.
    remove_dir(path: impl AsRef<Path>) -> ());
not_simulated!(/// tokio's `fs::remove_dir_all`.
    remove_dir_all(path: impl AsRef<Path>) -> ());
not_simulated!(/// tokio's `fs::rename`.
    rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> ());
not_simulated!(/// tokio's `fs::set_permissions`.
    set_permissions(path: impl AsRef<Path>, permissions: std::fs::Permissions) -> ());
not_simulated!(/// tokio's `fs::symlink_metadata`.
    symlink_metadata(path: impl AsRef<Path>) -> std::fs::Metadata);

/// The whole contents of a file.
///
/// # Errors
///
/// `NotFound` for a missing file; inside a simulation, the disk's injected errors.
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    if !simloop::is_simulating() {
        return real::fs::read(path).await;
    }
    let path = name(path.as_ref())?;
    on_disk("tokio::fs::read", move || async move {
        simloop::fs::read(&path).await
    })
    .await
}

/// The whole contents of a file, as UTF-8.
///
/// # Errors
///
/// As [`read`]; `InvalidData` if the contents are not UTF-8.
pub async fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    if !simloop::is_simulating() {
        return real::fs::read_to_string(path).await;
    }
    let path = name(path.as_ref())?;
    on_disk("tokio::fs::read_to_string", move || async move {
        let bytes = simloop::fs::read(&path).await?;
        String::from_utf8(bytes).map_err(|_| FsError::NotUtf8 { path })
    })
    .await
}

/// Writes `contents` as the whole file, creating it if needed.
///
/// # Errors
///
/// Inside a simulation, `StorageFull` past the disk's capacity and the injected errors.
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    if !simloop::is_simulating() {
        return real::fs::write(path, contents).await;
    }
    let path = name(path.as_ref())?;
    let contents = contents.as_ref().to_vec();
    on_disk("tokio::fs::write", move || async move {
        simloop::fs::write(&path, contents).await
    })
    .await
}

/// Removes a file.
///
/// # Errors
///
/// `NotFound` for a missing file.
pub async fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    if !simloop::is_simulating() {
        return real::fs::remove_file(path).await;
    }
    let path = name(path.as_ref())?;
    on_disk("tokio::fs::remove_file", move || async move {
        simloop::fs::remove(&path).await
    })
    .await
}

/// Whether a file exists (inside a simulation: on the simulated disk, at once).
///
/// # Errors
///
/// Outside a simulation, tokio's.
pub async fn try_exists(path: impl AsRef<Path>) -> io::Result<bool> {
    if !simloop::is_simulating() {
        return real::fs::try_exists(path).await;
    }
    Ok(simloop::fs::exists(&name(path.as_ref())?))
}

/// How to open a file, as tokio's (and std's) `OpenOptions`.
///
/// Inside a simulation: `create_new` is checked with the disk's `exists` then a create (one
/// task, so nothing runs between); `mode` and `custom_flags` are not simulated.
///
/// # Examples
///
/// ```
/// use simloop_tokio as tokio;
/// use tokio::io::AsyncWriteExt;
///
/// simloop::run(0, async {
///     let mut log = tokio::fs::OpenOptions::new().append(true).create(true).open("log").await.unwrap();
///     log.write_all(b"one ").await.unwrap();
///     drop(log);
///     let mut log = tokio::fs::OpenOptions::new().append(true).open("log").await.unwrap();
///     log.write_all(b"two").await.unwrap();
///     assert_eq!(tokio::fs::read("log").await.unwrap(), b"one two");
///     let again = tokio::fs::OpenOptions::new().write(true).create_new(true).open("log").await;
///     assert_eq!(again.unwrap_err().kind(), std::io::ErrorKind::AlreadyExists);
/// });
/// ```
#[derive(Clone, Debug)]
pub struct OpenOptions {
    tokio: real::fs::OpenOptions,
    sim: simloop::fs::OpenOptions,
    create_new: bool,
}

impl Default for OpenOptions {
    fn default() -> OpenOptions {
        OpenOptions::new()
    }
}

impl OpenOptions {
    /// No access, no creation, no truncation.
    pub fn new() -> OpenOptions {
        OpenOptions {
            tokio: real::fs::OpenOptions::new(),
            sim: simloop::fs::OpenOptions::new(),
            create_new: false,
        }
    }

    /// Read access.
    pub fn read(&mut self, read: bool) -> &mut OpenOptions {
        self.tokio.read(read);
        self.sim = self.sim.read(read);
        self
    }

    /// Write access.
    pub fn write(&mut self, write: bool) -> &mut OpenOptions {
        self.tokio.write(write);
        self.sim = self.sim.write(write);
        self
    }

    /// Appends every write at the end (implies write access).
    pub fn append(&mut self, append: bool) -> &mut OpenOptions {
        self.tokio.append(append);
        self.sim = self.sim.append(append);
        self
    }

    /// Truncates the file when opening it for writing.
    pub fn truncate(&mut self, truncate: bool) -> &mut OpenOptions {
        self.tokio.truncate(truncate);
        self.sim = self.sim.truncate(truncate);
        self
    }

    /// Creates the file if it does not exist.
    pub fn create(&mut self, create: bool) -> &mut OpenOptions {
        self.tokio.create(create);
        self.sim = self.sim.create(create);
        self
    }

    /// Creates the file, failing with `AlreadyExists` if it exists.
    pub fn create_new(&mut self, create_new: bool) -> &mut OpenOptions {
        self.tokio.create_new(create_new);
        self.create_new = create_new;
        self
    }

    /// Opens `path` with these options.
    ///
    /// # Errors
    ///
    /// `NotFound` without `create`; `AlreadyExists` with `create_new`; `InvalidInput` for an
    /// empty (or, inside a simulation, non-UTF-8) path.
    pub async fn open(&self, path: impl AsRef<Path>) -> io::Result<File> {
        if !simloop::is_simulating() {
            return self.tokio.open(path).await.map(File::from_tokio);
        }
        let path = name(path.as_ref())?;
        let (options, create_new) = (self.sim, self.create_new);
        let file = on_disk("tokio::fs::OpenOptions::open", move || async move {
            if create_new && simloop::fs::exists(&path) {
                return Ok(Err(path));
            }
            let options = if create_new {
                options.create(true)
            } else {
                options
            };
            options
                .open(&path)
                .await
                .map(|file| Ok(SimFile::keep(file)))
        })
        .await?;
        match file {
            Ok(file) => Ok(File {
                inner: FileInner::Sim(file),
            }),
            // Linux's `EEXIST` for `O_CREAT | O_EXCL`.
            Err(path) => Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{path}: file exists"),
            )),
        }
    }
}

thread_local! {
    /// The simulated files open through the facade, by key: simloop's `File` is not `Send`,
    /// the facade's must be (tokio's is), so the facade keeps a key and the file stays on the
    /// simulation's thread.
    static FILES: RefCell<BTreeMap<u64, simloop::fs::File>> = const { RefCell::new(BTreeMap::new()) };
    /// Keys whose facade `File` was dropped while an operation had the file out.
    static CLOSED: RefCell<BTreeSet<u64>> = const { RefCell::new(BTreeSet::new()) };
    static NEXT_KEY: Cell<u64> = const { Cell::new(0) };
}

/// What an operation on a simulated file hands back.
enum Done {
    Read(Vec<u8>),
    Wrote(usize),
}

/// A simulated file: its key in `FILES`, and the operation in flight (a simloop task that
/// takes the file out of `FILES` and puts it back).
struct SimFile {
    key: u64,
    busy: Option<(Kind, simloop::task::JoinHandle<Result<Done, FsError>>)>,
    /// The position a seek asked for, until `poll_complete`.
    seek: Option<io::Result<u64>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Read,
    Write,
}

impl SimFile {
    fn keep(file: simloop::fs::File) -> SimFile {
        let key = NEXT_KEY.with(|next| {
            let key = next.get();
            next.set(key + 1);
            key
        });
        FILES.with(|files| files.borrow_mut().insert(key, file));
        SimFile {
            key,
            busy: None,
            seek: None,
        }
    }

    /// Runs `f` on the file, synchronously.
    fn with<R>(&self, f: impl FnOnce(&mut simloop::fs::File) -> R) -> io::Result<R> {
        FILES
            .with(|files| files.borrow_mut().get_mut(&self.key).map(f))
            .ok_or_else(|| {
                io::Error::other("simloop-tokio: the simulated file is busy with another operation")
            })
    }

    /// Starts `op` on the file unless an operation of `kind` runs already, and polls it. An
    /// operation of another kind (abandoned by a dropped future) is finished first.
    fn poll_op<F>(
        &mut self,
        cx: &mut Context<'_>,
        kind: Kind,
        op: impl FnOnce(simloop::fs::File) -> F,
    ) -> Poll<io::Result<Done>>
    where
        F: Future<Output = (simloop::fs::File, Result<Done, FsError>)> + 'static,
    {
        let mut op = Some(op);
        loop {
            if let Some((running, task)) = &mut self.busy {
                let result = ready!(Pin::new(task).poll(cx));
                let running = *running;
                self.busy = None;
                let result = match result {
                    Ok(result) => result.map_err(io_error),
                    Err(_) => Err(io::Error::new(
                        io::ErrorKind::Interrupted,
                        "simloop-tokio: the file operation was cancelled",
                    )),
                };
                if running == kind {
                    return Poll::Ready(result);
                }
            }
            let Some(file) = FILES.with(|files| files.borrow_mut().remove(&self.key)) else {
                return Poll::Ready(Err(io::Error::other(
                    "simloop-tokio: a simulated file used outside its simulation",
                )));
            };
            let key = self.key;
            let Some(op) = op.take() else {
                unreachable!("one operation is started per call")
            };
            let future = op(file);
            let task = simloop::task::spawn_named("tokio::fs::File", async move {
                let (file, result) = future.await;
                if !CLOSED.with(|closed| closed.borrow_mut().remove(&key)) {
                    FILES.with(|files| files.borrow_mut().insert(key, file));
                }
                result
            });
            self.busy = Some((kind, task));
        }
    }
}

impl Drop for SimFile {
    fn drop(&mut self) {
        // `try_with`: a `File` may be dropped by another thread-local's destructor.
        let file = FILES
            .try_with(|files| files.borrow_mut().remove(&self.key))
            .ok()
            .flatten();
        if file.is_none() {
            // An operation in flight has the file: it drops it when done, as tokio finishes
            // an operation its `File` was dropped during.
            let _ = CLOSED.try_with(|closed| closed.borrow_mut().insert(self.key));
        }
        drop(file);
    }
}

/// A file: tokio's outside a simulation, a file of the simulated disk inside one. Implements
/// tokio's `AsyncRead`, `AsyncWrite` and `AsyncSeek` in both worlds.
///
/// Inside a simulation a write completes (with its disk latency) before `poll_write` returns,
/// so `flush` has nothing to do; `sync_all` makes the bytes survive a `simloop::fs::crash`.
///
/// # Examples
///
/// ```
/// use simloop_tokio as tokio;
/// use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
/// use std::io::SeekFrom;
///
/// simloop::run(0, async {
///     let mut file = tokio::fs::OpenOptions::new()
///         .read(true).write(true).create(true).open("data").await.unwrap();
///     file.write_all(b"0123456789").await.unwrap();
///     assert_eq!(file.seek(SeekFrom::End(-4)).await.unwrap(), 6);
///     let mut tail = String::new();
///     file.read_to_string(&mut tail).await.unwrap();
///     assert_eq!(tail, "6789");
/// });
/// ```
#[derive(Debug)]
pub struct File {
    inner: FileInner,
}

enum FileInner {
    Tokio(real::fs::File),
    Sim(SimFile),
}

impl std::fmt::Debug for FileInner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileInner::Tokio(file) => std::fmt::Debug::fmt(file, f),
            FileInner::Sim(file) => write!(f, "File::Sim({})", file.key),
        }
    }
}

impl File {
    fn from_tokio(file: real::fs::File) -> File {
        File {
            inner: FileInner::Tokio(file),
        }
    }

    /// Opens a file for reading.
    ///
    /// # Errors
    ///
    /// `NotFound` for a missing file.
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new().read(true).open(path).await
    }

    /// Opens a file for writing, creating it or truncating it.
    ///
    /// # Errors
    ///
    /// Inside a simulation, an empty or non-UTF-8 path.
    pub async fn create(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .await
    }

    /// Creates a file, failing with `AlreadyExists` if it exists.
    ///
    /// # Errors
    ///
    /// `AlreadyExists`; as [`File::create`].
    pub async fn create_new(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .await
    }

    /// A new [`OpenOptions`].
    pub fn options() -> OpenOptions {
        OpenOptions::new()
    }

    /// tokio's file from a standard one (outside a simulation).
    pub fn from_std(file: std::fs::File) -> File {
        File::from_tokio(real::fs::File::from_std(file))
    }

    /// Makes the written bytes durable: inside a simulation, they survive a crash.
    ///
    /// # Errors
    ///
    /// Inside a simulation, the injected errors, and `StaleNetworkFileHandle` for a handle
    /// opened before a crash.
    pub async fn sync_all(&self) -> io::Result<()> {
        match &self.inner {
            FileInner::Tokio(file) => file.sync_all().await,
            FileInner::Sim(_) => self.sync_sim().await,
        }
    }

    /// As [`File::sync_all`] (the simulated disk keeps no metadata apart).
    ///
    /// # Errors
    ///
    /// As [`File::sync_all`].
    pub async fn sync_data(&self) -> io::Result<()> {
        match &self.inner {
            FileInner::Tokio(file) => file.sync_data().await,
            FileInner::Sim(_) => self.sync_sim().await,
        }
    }

    async fn sync_sim(&self) -> io::Result<()> {
        let FileInner::Sim(file) = &self.inner else {
            unreachable!("a simulated file")
        };
        // `&self`, as tokio's: the sync runs on its own task, not as the file's operation in
        // flight, and finds the file where it waits between operations.
        let key = file.key;
        on_disk("tokio::fs::File::sync_all", move || async move {
            let Some(mut taken) = FILES.with(|files| files.borrow_mut().remove(&key)) else {
                return Ok(Err(()));
            };
            let result = taken.sync().await;
            if !CLOSED.with(|closed| closed.borrow_mut().remove(&key)) {
                FILES.with(|files| files.borrow_mut().insert(key, taken));
            }
            result.map(Ok)
        })
        .await?
        .map_err(|()| {
            io::Error::other(
                "simloop-tokio: `File::sync_all` while another operation on the file runs",
            )
        })
    }

    /// Truncates or extends the file (not simulated: `Unsupported` inside a simulation).
    ///
    /// # Errors
    ///
    /// Inside a simulation, always.
    pub async fn set_len(&self, size: u64) -> io::Result<()> {
        match &self.inner {
            FileInner::Tokio(file) => file.set_len(size).await,
            FileInner::Sim(_) => Err(unsupported("File::set_len")),
        }
    }

    /// The file's metadata (not simulated: `Unsupported` inside a simulation).
    ///
    /// # Errors
    ///
    /// Inside a simulation, always.
    pub async fn metadata(&self) -> io::Result<std::fs::Metadata> {
        match &self.inner {
            FileInner::Tokio(file) => file.metadata().await,
            FileInner::Sim(_) => Err(unsupported("File::metadata")),
        }
    }
}

impl AsyncRead for File {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match &mut self.inner {
            FileInner::Tokio(file) => Pin::new(file).poll_read(cx, buf),
            FileInner::Sim(file) => {
                let want = buf.remaining();
                let done = ready!(file.poll_op(cx, Kind::Read, |mut file| async move {
                    let mut bytes = vec![0; want];
                    let result = file.read(&mut bytes).await.map(|n| {
                        bytes.truncate(n);
                        Done::Read(bytes)
                    });
                    (file, result)
                }))?;
                if let Done::Read(bytes) = done {
                    // A read started by an abandoned call may have asked for more.
                    let n = bytes.len().min(buf.remaining());
                    buf.put_slice(&bytes[..n]);
                }
                Poll::Ready(Ok(()))
            }
        }
    }
}

impl AsyncWrite for File {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        match &mut self.inner {
            FileInner::Tokio(file) => Pin::new(file).poll_write(cx, data),
            FileInner::Sim(file) => {
                let bytes = data.to_vec();
                let done = ready!(file.poll_op(cx, Kind::Write, |mut file| async move {
                    let result = file.write(&bytes).await.map(|()| Done::Wrote(bytes.len()));
                    (file, result)
                }))?;
                Poll::Ready(Ok(match done {
                    Done::Wrote(n) => n,
                    _ => 0,
                }))
            }
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.inner {
            FileInner::Tokio(file) => Pin::new(file).poll_flush(cx),
            // Writes complete before `poll_write` returns: nothing is buffered.
            FileInner::Sim(file) => match file.busy {
                Some((Kind::Write, _)) => {
                    ready!(file.poll_op(cx, Kind::Write, |file| async move {
                        (file, Ok(Done::Wrote(0)))
                    }))?;
                    Poll::Ready(Ok(()))
                }
                _ => Poll::Ready(Ok(())),
            },
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

impl AsyncSeek for File {
    fn start_seek(mut self: Pin<&mut Self>, position: SeekFrom) -> io::Result<()> {
        match &mut self.inner {
            FileInner::Tokio(file) => Pin::new(file).start_seek(position),
            FileInner::Sim(file) => {
                let target = file.with(|file| {
                    let base = match position {
                        SeekFrom::Start(offset) => return Some(offset),
                        SeekFrom::End(offset) => (file.len(), offset),
                        SeekFrom::Current(offset) => (file.position(), offset),
                    };
                    base.0.checked_add_signed(base.1)
                })?;
                // Linux's `EINVAL` for a position before the start.
                let target = target.ok_or_else(|| {
                    io::Error::new(
                        io::ErrorKind::InvalidInput,
                        "invalid seek to a negative or overflowing position",
                    )
                })?;
                file.with(|file| file.seek(target))?;
                file.seek = Some(Ok(target));
                Ok(())
            }
        }
    }

    fn poll_complete(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        match &mut self.inner {
            FileInner::Tokio(file) => Pin::new(file).poll_complete(cx),
            FileInner::Sim(file) => match file.seek.take() {
                Some(result) => Poll::Ready(result),
                None => Poll::Ready(file.with(|file| file.position())),
            },
        }
    }
}
