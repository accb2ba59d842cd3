//! `File`: an open handle, closed when dropped.

use std::fmt;
use std::rc::Rc;
use std::time::Duration;

use super::disk::{record, Disk, FsError, Node, Op};
use crate::time::sleep;

/// An open file on the simulated disk, like the object of aiofiles' `async with open(...)`.
///
/// Every operation takes the disk's seeded latency. Dropping the handle closes it, on every
/// path out of a block, an early return, an error, a timeout or an abort of its task included,
/// so [`open_handles`](crate::fs::open_handles) returns to zero unless one leaked for real.
///
/// # Examples
///
/// ```
/// use simloop::fs;
///
/// simloop::run(0, async {
///     let mut file = fs::create("notes.txt").await.unwrap();
///     file.write(b"hello").await.unwrap();
///     file.sync().await.unwrap();
///     drop(file);
///     let mut file = fs::open("notes.txt").await.unwrap();
///     assert_eq!(file.read_to_string().await.unwrap(), "hello");
///     assert_eq!(fs::open_handles(), 1);
///     file.close();
///     assert_eq!(fs::open_handles(), 0);
/// });
/// ```
pub struct File {
    disk: Rc<Disk>,
    node: Node,
    path: Rc<str>,
    position: u64,
    readable: bool,
    writable: bool,
    append: bool,
    epoch: u64,
}

impl File {
    pub(crate) fn new(
        disk: Rc<Disk>,
        node: Node,
        path: Rc<str>,
        access: (bool, bool, bool),
    ) -> File {
        disk.open_handles.set(disk.open_handles.get() + 1);
        let epoch = disk.state.borrow().epoch;
        let (readable, writable, append) = access;
        File {
            disk,
            node,
            path,
            position: 0,
            readable,
            writable,
            append,
            epoch,
        }
    }

    fn path_error(&self, make: impl FnOnce(String) -> FsError) -> FsError {
        make(self.path.to_string())
    }

    fn object(&self) -> Rc<str> {
        Rc::clone(&self.node.borrow().object)
    }

    /// Waits out one operation's latency, then checks that the handle survived it.
    async fn operate(&self, op: Op, name: &'static str) -> Result<(), FsError> {
        self.check_fresh()?;
        let (latency_ns, fails) = self.disk.begin(op);
        sleep(Duration::from_nanos(latency_ns)).await;
        self.check_fresh()?;
        if fails {
            record(&self.object(), || format!("{name} error (injected)"));
            return Err(self.path_error(|path| FsError::Io { path, op: name }));
        }
        Ok(())
    }

    fn check_fresh(&self) -> Result<(), FsError> {
        if self.disk.state.borrow().epoch == self.epoch {
            Ok(())
        } else {
            Err(self.path_error(|path| FsError::Stale { path }))
        }
    }

    fn check_readable(&self) -> Result<(), FsError> {
        if self.readable {
            Ok(())
        } else {
            Err(self.path_error(|path| FsError::NotReadable { path }))
        }
    }

    /// Reads into `buf` from the current position; returns how many bytes were read (0 at the
    /// end of the file).
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::fs;
    ///
    /// simloop::run(0, async {
    ///     fs::write("f", b"abcdef").await.unwrap();
    ///     let mut file = fs::open("f").await.unwrap();
    ///     let mut buf = [0; 4];
    ///     assert_eq!(file.read(&mut buf).await.unwrap(), 4);
    ///     assert_eq!(&buf, b"abcd");
    ///     assert_eq!(file.read(&mut buf).await.unwrap(), 2);
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// [`FsError::NotReadable`] at once for a handle opened without read access;
    /// [`FsError::Stale`] if the disk crashed since the file was opened; [`FsError::Io`] at the
    /// seed's read error rate, after the latency.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future reads nothing and leaves the position where it was.
    pub async fn read(&mut self, buf: &mut [u8]) -> Result<usize, FsError> {
        self.check_readable()?;
        self.operate(Op::Read, "read").await?;
        let file = self.node.borrow();
        let start =
            usize::try_from(self.position).map_or(file.data.len(), |p| p.min(file.data.len()));
        let count = buf.len().min(file.data.len() - start);
        buf[..count].copy_from_slice(&file.data[start..start + count]);
        drop(file);
        self.position += count as u64;
        record(&self.object(), || format!("read {count} bytes"));
        Ok(count)
    }

    /// Reads from the current position to the end of the file.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::fs;
    ///
    /// simloop::run(0, async {
    ///     fs::write("f", b"abc").await.unwrap();
    ///     let mut file = fs::open("f").await.unwrap();
    ///     assert_eq!(file.read_to_end().await.unwrap(), b"abc");
    ///     assert!(file.read_to_end().await.unwrap().is_empty());
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// As [`read`](File::read).
    ///
    /// # Cancel safety
    ///
    /// As [`read`](File::read).
    pub async fn read_to_end(&mut self) -> Result<Vec<u8>, FsError> {
        self.check_readable()?;
        self.operate(Op::Read, "read").await?;
        let file = self.node.borrow();
        let start =
            usize::try_from(self.position).map_or(file.data.len(), |p| p.min(file.data.len()));
        let bytes = file.data[start..].to_vec();
        drop(file);
        self.position += bytes.len() as u64;
        record(&self.object(), || format!("read {} bytes", bytes.len()));
        Ok(bytes)
    }

    /// Reads from the current position to the end of the file, as text: aiofiles'
    /// `await f.read()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::fs;
    ///
    /// simloop::run(0, async {
    ///     fs::write("f", "héllo").await.unwrap();
    ///     let mut file = fs::open("f").await.unwrap();
    ///     assert_eq!(file.read_to_string().await.unwrap(), "héllo");
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// As [`read`](File::read), and [`FsError::NotUtf8`] if the bytes are not UTF-8.
    ///
    /// # Cancel safety
    ///
    /// As [`read`](File::read).
    pub async fn read_to_string(&mut self) -> Result<String, FsError> {
        let bytes = self.read_to_end().await?;
        String::from_utf8(bytes).map_err(|_| self.path_error(|path| FsError::NotUtf8 { path }))
    }

    /// Writes all of `data` at the current position (at the end for a handle opened to
    /// append). The bytes are visible to readers at once and durable after [`sync`](File::sync).
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::fs;
    ///
    /// simloop::run(0, async {
    ///     let mut file = fs::create("log").await.unwrap();
    ///     file.write(b"one ").await.unwrap();
    ///     file.write(b"two").await.unwrap();
    ///     assert_eq!(file.len(), 7);
    ///     assert_eq!(fs::read("log").await.unwrap(), b"one two");
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// [`FsError::NotWritable`] at once for a handle opened without write access;
    /// [`FsError::Stale`] after a crash; [`FsError::Io`] at the seed's write error rate and
    /// [`FsError::DiskFull`] past the disk's capacity, both after the latency and with nothing
    /// written.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future before the latency has passed writes nothing.
    pub async fn write(&mut self, data: &[u8]) -> Result<(), FsError> {
        if !self.writable {
            return Err(self.path_error(|path| FsError::NotWritable { path }));
        }
        self.operate(Op::Write, "write").await?;
        let offset = if self.append {
            self.len()
        } else {
            self.position
        };
        // A position past the address space is a write no disk could hold.
        let offset = usize::try_from(offset).unwrap_or(usize::MAX);
        if let Err((needed, available)) = self.disk.write(&self.node, offset, data) {
            record(&self.object(), || "write failed: disk full".to_owned());
            return Err(self.path_error(|path| FsError::DiskFull {
                path,
                needed,
                available,
            }));
        }
        self.position = (offset + data.len()) as u64;
        record(&self.object(), || {
            format!("write {} bytes at {offset}", data.len())
        });
        Ok(())
    }

    /// Makes everything written so far durable: fsync.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::fs;
    ///
    /// simloop::run(0, async {
    ///     let mut file = fs::create("data").await.unwrap();
    ///     file.write(b"kept").await.unwrap();
    ///     file.sync().await.unwrap();
    ///     file.write(b" lost").await.unwrap();
    ///     fs::crash();
    ///     assert_eq!(fs::read("data").await.unwrap(), b"kept");
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// [`FsError::Stale`] after a crash; [`FsError::Io`] at the seed's write error rate, in
    /// which case nothing new is durable (PostgreSQL's "fsyncgate": do not assume a retry
    /// saves the data).
    ///
    /// # Cancel safety
    ///
    /// Dropping the future before the latency has passed makes nothing durable.
    pub async fn sync(&mut self) -> Result<(), FsError> {
        self.operate(Op::Write, "sync").await?;
        self.disk.sync(&self.node);
        record(&self.object(), || "sync".to_owned());
        Ok(())
    }

    /// The file's length in bytes, as readers see it now.
    ///
    /// # Examples
    ///
    /// ```
    /// simloop::run(0, async {
    ///     let mut file = simloop::fs::create("f").await.unwrap();
    ///     assert!(file.is_empty());
    ///     file.write(b"abc").await.unwrap();
    ///     assert_eq!(file.len(), 3);
    /// });
    /// ```
    pub fn len(&self) -> u64 {
        self.node.borrow().data.len() as u64
    }

    /// Whether the file is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// simloop::run(0, async {
    ///     assert!(simloop::fs::create("f").await.unwrap().is_empty());
    /// });
    /// ```
    pub fn is_empty(&self) -> bool {
        self.node.borrow().data.is_empty()
    }

    /// Where the next read or write starts.
    ///
    /// # Examples
    ///
    /// ```
    /// simloop::run(0, async {
    ///     let mut file = simloop::fs::create("f").await.unwrap();
    ///     file.write(b"abc").await.unwrap();
    ///     assert_eq!(file.position(), 3);
    /// });
    /// ```
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Moves the position to `position` bytes from the start (past the end is allowed: a write
    /// there fills the gap with zeros).
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::fs;
    ///
    /// simloop::run(0, async {
    ///     fs::write("f", b"abc").await.unwrap();
    ///     let mut file = fs::open("f").await.unwrap();
    ///     file.seek(1);
    ///     assert_eq!(file.read_to_end().await.unwrap(), b"bc");
    /// });
    /// ```
    pub fn seek(&mut self, position: u64) {
        self.position = position;
    }

    /// The path the file was opened at.
    ///
    /// # Examples
    ///
    /// ```
    /// simloop::run(0, async {
    ///     assert_eq!(simloop::fs::create("a/b").await.unwrap().path(), "a/b");
    /// });
    /// ```
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Closes the handle; the same as dropping it.
    ///
    /// # Examples
    ///
    /// ```
    /// simloop::run(0, async {
    ///     let file = simloop::fs::create("f").await.unwrap();
    ///     file.close();
    ///     assert_eq!(simloop::fs::open_handles(), 0);
    /// });
    /// ```
    pub fn close(self) {}
}

impl Drop for File {
    fn drop(&mut self) {
        self.disk.open_handles.set(self.disk.open_handles.get() - 1);
        record(&self.object(), || "close".to_owned());
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("File")
            .field("path", &self.path)
            .field("position", &self.position)
            .finish()
    }
}
