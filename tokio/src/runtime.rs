//! The runtime: tokio's `Builder`, `Runtime` and `Handle`, wrapped so that inside a simulation
//! they hand their work to simloop instead of starting a second executor.
//!
//! Outside a simulation every call is tokio's: `#[tokio::main]` and `#[tokio::test]` (tokio's
//! own macros, which name `tokio::runtime::Builder` through the renamed crate, so this one)
//! build a real tokio runtime, as they always did.
//!
//! ```
//! use simloop_tokio as tokio; // in a crate: `tokio = { package = "simloop-tokio", ... }`
//!
//! #[tokio::main(flavor = "current_thread")] // `tokio::runtime::Builder` is this module's
//! async fn main() {
//!     assert!(!simloop::is_simulating());
//!     let handle = tokio::spawn(async { 6 * 7 });
//!     assert!(matches!(handle, tokio::task::JoinHandle::Tokio(_)));
//!     assert_eq!(handle.await.unwrap(), 42);
//! }
//! ```
//!
//! Inside a simulation there is one executor, simloop's. [`Builder::build`] builds no tokio
//! runtime (no threads, no timer), [`Handle::current`] always succeeds, and `spawn` on a
//! [`Runtime`] or a [`Handle`] spawns a simloop task. `block_on` cannot work there: it would
//! block the simulation's only thread on a future that needs that thread to progress. It fails
//! the run with a report that says so, instead of hanging.

use std::fmt;
use std::future::Future;
use std::io;
use std::marker::PhantomData;
use std::time::Duration;

use crate::task::JoinHandle;

/// tokio's flavors of runtime; a simulation reports `CurrentThread` (one thread runs it all).
pub use real::runtime::RuntimeFlavor;
/// tokio's error for `Handle::try_current` outside any runtime.
pub use real::runtime::TryCurrentError;

/// `block_on` inside a simulation: the report's text. tokio refuses the same nesting inside
/// one of its own runtimes ("Cannot start a runtime from within a runtime. This happens because
/// a function attempted to block the current thread while the thread is being used to drive
/// asynchronous tasks"), for the same reason: the thread that would block is the one the
/// awaited future needs.
#[cold]
#[track_caller]
pub(crate) fn block_on_inside(what: &str) -> ! {
    if !simloop::is_simulating() {
        panic!(
            "simloop-tokio: `{what}` on a runtime built inside a simulation, after it ended; \
             build the runtime where it runs"
        )
    }
    panic!(
        "simloop-tokio: `{what}` called inside a simulation. A nested runtime cannot run there: \
         it would block the simulation's only thread waiting for a future that needs that thread. \
         `.await` the future instead (or `tokio::spawn` it); if it is the body of a \
         `#[tokio::main]` function, let the simulation call that body's async function directly"
    )
}

/// Builds a [`Runtime`]: tokio's builder, whose `build` gives a real tokio runtime outside a
/// simulation and a handle onto the simulation inside one (the settings then do nothing).
///
/// # Examples
///
/// ```
/// use simloop_tokio as tokio;
///
/// let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
/// assert_eq!(runtime.block_on(async { tokio::spawn(async { 6 * 7 }).await.unwrap() }), 42);
/// ```
pub struct Builder {
    inner: real::runtime::Builder,
}

impl Builder {
    /// A builder for a runtime that runs every task on the current thread.
    pub fn new_current_thread() -> Builder {
        Builder {
            inner: real::runtime::Builder::new_current_thread(),
        }
    }

    /// A builder for tokio's work-stealing runtime (feature `rt-multi-thread`).
    #[cfg(feature = "rt-multi-thread")]
    pub fn new_multi_thread() -> Builder {
        Builder {
            inner: real::runtime::Builder::new_multi_thread(),
        }
    }

    /// Enables tokio's I/O and time drivers.
    pub fn enable_all(&mut self) -> &mut Builder {
        self.inner.enable_all();
        self
    }

    /// Enables tokio's time driver.
    pub fn enable_time(&mut self) -> &mut Builder {
        self.inner.enable_time();
        self
    }

    /// Enables tokio's I/O driver (features `net`, `process` or `signal`, as in tokio).
    #[cfg(any(feature = "net", feature = "process", all(unix, feature = "signal")))]
    pub fn enable_io(&mut self) -> &mut Builder {
        self.inner.enable_io();
        self
    }

    /// Starts tokio's clock paused (feature `test-util`); a simulation's clock is always
    /// virtual.
    #[cfg(feature = "test-util")]
    pub fn start_paused(&mut self, start_paused: bool) -> &mut Builder {
        self.inner.start_paused(start_paused);
        self
    }

    /// The number of worker threads of a multi-thread runtime.
    pub fn worker_threads(&mut self, count: usize) -> &mut Builder {
        self.inner.worker_threads(count);
        self
    }

    /// The most threads tokio's blocking pool starts.
    pub fn max_blocking_threads(&mut self, count: usize) -> &mut Builder {
        self.inner.max_blocking_threads(count);
        self
    }

    /// The name of the runtime's threads.
    pub fn thread_name(&mut self, name: impl Into<String>) -> &mut Builder {
        self.inner.thread_name(name);
        self
    }

    /// The stack size of the runtime's threads.
    pub fn thread_stack_size(&mut self, bytes: usize) -> &mut Builder {
        self.inner.thread_stack_size(bytes);
        self
    }

    /// How long an idle blocking thread lives.
    pub fn thread_keep_alive(&mut self, duration: Duration) -> &mut Builder {
        self.inner.thread_keep_alive(duration);
        self
    }

    /// Runs `f` on each runtime thread when it starts.
    pub fn on_thread_start<F: Fn() + Send + Sync + 'static>(&mut self, f: F) -> &mut Builder {
        self.inner.on_thread_start(f);
        self
    }

    /// Runs `f` on each runtime thread before it stops.
    pub fn on_thread_stop<F: Fn() + Send + Sync + 'static>(&mut self, f: F) -> &mut Builder {
        self.inner.on_thread_stop(f);
        self
    }

    /// Scheduler ticks between polls of the global queue.
    pub fn global_queue_interval(&mut self, ticks: u32) -> &mut Builder {
        self.inner.global_queue_interval(ticks);
        self
    }

    /// Scheduler ticks between polls for external events.
    pub fn event_interval(&mut self, ticks: u32) -> &mut Builder {
        self.inner.event_interval(ticks);
        self
    }

    /// The runtime: tokio's, built with these settings, outside a simulation; inside one, the
    /// simulation itself (no thread or timer is started).
    ///
    /// # Errors
    ///
    /// tokio's, outside a simulation (a thread that could not be started); none inside one.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop_tokio as tokio;
    ///
    /// simloop::run(0, async {
    ///     let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    ///     assert_eq!(runtime.spawn(async { 1 }).await.unwrap(), 1); // a simloop task
    /// });
    /// ```
    pub fn build(&mut self) -> io::Result<Runtime> {
        if simloop::is_simulating() {
            return Ok(Runtime {
                handle: Handle { inner: Inner::Sim },
                tokio: None,
            });
        }
        let runtime = self.inner.build()?;
        Ok(Runtime {
            handle: Handle {
                inner: Inner::Tokio(runtime.handle().clone()),
            },
            tokio: Some(runtime),
        })
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

/// A runtime: tokio's, or (built inside a simulation) the simulation.
///
/// # Examples
///
/// Inside a simulation `block_on` fails the run with a report that names the problem:
///
/// ```
/// use simloop_tokio as tokio;
/// use simloop::{Config, Sim};
///
/// let run = Sim::new(Config::default()).run(async {
///     let runtime = tokio::runtime::Runtime::new().unwrap();
///     runtime.block_on(async {});
/// });
/// let report = run.result.unwrap_err().to_string();
/// assert!(report.contains("`Runtime::block_on` called inside a simulation"));
/// ```
pub struct Runtime {
    handle: Handle,
    /// Outside a simulation only.
    tokio: Option<real::runtime::Runtime>,
}

impl Runtime {
    /// A runtime with tokio's defaults: the multi-thread runtime with every driver on, as
    /// `tokio::runtime::Runtime::new`; inside a simulation, the simulation.
    ///
    /// # Errors
    ///
    /// As [`Builder::build`].
    pub fn new() -> io::Result<Runtime> {
        #[cfg(feature = "rt-multi-thread")]
        let mut builder = Builder::new_multi_thread();
        #[cfg(not(feature = "rt-multi-thread"))]
        let mut builder = Builder::new_current_thread();
        builder.enable_all().build()
    }

    /// Runs `future` to completion on this thread (outside a simulation).
    ///
    /// # Panics
    ///
    /// Inside a simulation, with a message that says what to do instead (the run fails with
    /// it: no hang); outside one, as tokio's (called from inside a tokio runtime).
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        match &self.tokio {
            Some(runtime) if !simloop::is_simulating() => runtime.block_on(future),
            _ => block_on_inside("Runtime::block_on"),
        }
    }

    /// Spawns `future` on this runtime: a simloop task inside a simulation (whichever runtime
    /// this is: a simulation has one executor), a task of this tokio runtime outside.
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.spawn(future)
    }

    /// Runs `f` as [`crate::task::spawn_blocking`] does, on this runtime.
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.handle.spawn_blocking(f)
    }

    /// tokio's runtime, outside a simulation.
    pub(crate) fn tokio(&self) -> Option<&real::runtime::Runtime> {
        self.tokio.as_ref()
    }

    /// The runtime's handle.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Makes this runtime current on this thread until the guard drops (tokio's); inside a
    /// simulation the simulation is already current, and the guard does nothing.
    pub fn enter(&self) -> EnterGuard<'_> {
        self.handle.enter()
    }

    /// Shuts the tokio runtime down, waiting at most `timeout` for its tasks; nothing to do
    /// for a simulation's (its tasks end with the run).
    pub fn shutdown_timeout(self, timeout: Duration) {
        if let Some(runtime) = self.tokio {
            runtime.shutdown_timeout(timeout);
        }
    }

    /// Shuts the tokio runtime down without waiting; nothing to do for a simulation's.
    pub fn shutdown_background(self) {
        if let Some(runtime) = self.tokio {
            runtime.shutdown_background();
        }
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("handle", &self.handle)
            .finish()
    }
}

/// A handle to a runtime: tokio's, or the simulation's.
///
/// # Examples
///
/// ```
/// use simloop_tokio as tokio;
///
/// simloop::run(0, async {
///     let handle = tokio::runtime::Handle::current(); // the simulation
///     assert_eq!(handle.runtime_flavor(), tokio::runtime::RuntimeFlavor::CurrentThread);
///     assert_eq!(handle.spawn(async { 2 }).await.unwrap(), 2);
/// });
/// ```
#[derive(Clone)]
pub struct Handle {
    inner: Inner,
}

#[derive(Clone)]
enum Inner {
    Tokio(real::runtime::Handle),
    Sim,
}

impl Handle {
    /// The current runtime's handle: the simulation's inside one, tokio's outside.
    ///
    /// # Panics
    ///
    /// Outside a simulation, as tokio's: when no tokio runtime is current.
    #[track_caller]
    pub fn current() -> Handle {
        if simloop::is_simulating() {
            Handle { inner: Inner::Sim }
        } else {
            Handle {
                inner: Inner::Tokio(real::runtime::Handle::current()),
            }
        }
    }

    /// The current runtime's handle, or tokio's error when there is none (never inside a
    /// simulation).
    ///
    /// # Errors
    ///
    /// Outside a simulation, when no tokio runtime is current.
    pub fn try_current() -> Result<Handle, TryCurrentError> {
        if simloop::is_simulating() {
            Ok(Handle { inner: Inner::Sim })
        } else {
            real::runtime::Handle::try_current().map(|handle| Handle {
                inner: Inner::Tokio(handle),
            })
        }
    }

    /// Spawns `future`: a simloop task inside a simulation (a handle kept from a tokio runtime
    /// too: work inside a simulation never escapes to real threads), on this handle's tokio
    /// runtime outside.
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match &self.inner {
            Inner::Tokio(handle) if !simloop::is_simulating() => {
                JoinHandle::Tokio(handle.spawn(future))
            }
            _ => crate::task::spawn(future),
        }
    }

    /// Runs `f` as [`crate::task::spawn_blocking`] does, on this handle's runtime.
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        match &self.inner {
            Inner::Tokio(handle) if !simloop::is_simulating() => {
                JoinHandle::Tokio(handle.spawn_blocking(f))
            }
            _ => crate::task::spawn_blocking(f),
        }
    }

    /// Runs `future` to completion on this thread, on this handle's tokio runtime.
    ///
    /// # Panics
    ///
    /// Inside a simulation, with a message that says what to do instead; outside, as tokio's.
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        match &self.inner {
            Inner::Tokio(handle) if !simloop::is_simulating() => handle.block_on(future),
            _ => block_on_inside("Handle::block_on"),
        }
    }

    /// Makes this handle's runtime current until the guard drops; does nothing inside a
    /// simulation (a tokio handle entered there would let real tokio calls run on real
    /// threads, out of the simulation's reach).
    pub fn enter(&self) -> EnterGuard<'_> {
        match &self.inner {
            Inner::Tokio(handle) if !simloop::is_simulating() => EnterGuard {
                _tokio: Some(handle.enter()),
                _lifetime: PhantomData,
            },
            _ => EnterGuard {
                _tokio: None,
                _lifetime: PhantomData,
            },
        }
    }

    /// The runtime's flavor; `CurrentThread` for a simulation's.
    pub fn runtime_flavor(&self) -> RuntimeFlavor {
        match &self.inner {
            Inner::Tokio(handle) => handle.runtime_flavor(),
            Inner::Sim => RuntimeFlavor::CurrentThread,
        }
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Inner::Tokio(handle) => fmt::Debug::fmt(handle, f),
            Inner::Sim => f.write_str("Handle::Sim"),
        }
    }
}

/// Keeps a runtime current on this thread (from [`Runtime::enter`] or [`Handle::enter`]).
#[must_use = "the runtime is current only while the guard lives"]
pub struct EnterGuard<'a> {
    _tokio: Option<real::runtime::EnterGuard<'a>>,
    _lifetime: PhantomData<&'a Handle>,
}

impl fmt::Debug for EnterGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EnterGuard")
    }
}
