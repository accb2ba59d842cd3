//! tokio's `process`: real processes outside a simulation; refused inside one.
//!
//! simloop does not simulate processes, and a real child process inside a simulation would be
//! an unseeded, unreplayable call into the operating system. So `Command` is the facade's own
//! builder around tokio's: building it works anywhere (code that prepares a command compiles and
//! runs unchanged), and [`Command::spawn`], [`Command::status`] and [`Command::output`] return an
//! [`io::Error`] of kind [`Unsupported`](io::ErrorKind::Unsupported) naming the call inside a
//! simulation, before anything reaches the operating system. Outside a simulation every method
//! is tokio's.
//!
//! ```
//! use simloop_tokio as tokio;
//!
//! simloop::run(1, async {
//!     let err = tokio::process::Command::new("true").spawn().unwrap_err();
//!     assert_eq!(err.kind(), std::io::ErrorKind::Unsupported);
//!     assert!(err.to_string().contains("tokio::process::Command::spawn"));
//! });
//! ```

use std::ffi::OsStr;
use std::future::Future;
use std::io;
use std::path::Path;
use std::process::{ExitStatus, Output, Stdio};

pub use real::process::{Child, ChildStderr, ChildStdin, ChildStdout};

/// tokio's `process::Command`, refused inside a simulation (see the [module](self) docs).
#[derive(Debug)]
pub struct Command {
    inner: real::process::Command,
}

/// The error every process call gets inside a simulation.
fn refused(call: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        format!(
            "{call} inside a simulation: simloop does not simulate processes, and a real one \
             would run outside the seed's control (run the command outside the simulation, or \
             put it behind a trait the test replaces)"
        ),
    )
}

impl Command {
    /// tokio's `Command::new`.
    pub fn new<S: AsRef<OsStr>>(program: S) -> Command {
        Command {
            inner: real::process::Command::new(program),
        }
    }

    /// tokio's `Command::arg`.
    pub fn arg<S: AsRef<OsStr>>(&mut self, arg: S) -> &mut Command {
        self.inner.arg(arg);
        self
    }

    /// tokio's `Command::args`.
    pub fn args<I, S>(&mut self, args: I) -> &mut Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.inner.args(args);
        self
    }

    /// tokio's `Command::env`.
    pub fn env<K, V>(&mut self, key: K, val: V) -> &mut Command
    where
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        self.inner.env(key, val);
        self
    }

    /// tokio's `Command::envs`.
    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Command
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        self.inner.envs(vars);
        self
    }

    /// tokio's `Command::env_remove`.
    pub fn env_remove<K: AsRef<OsStr>>(&mut self, key: K) -> &mut Command {
        self.inner.env_remove(key);
        self
    }

    /// tokio's `Command::env_clear`.
    pub fn env_clear(&mut self) -> &mut Command {
        self.inner.env_clear();
        self
    }

    /// tokio's `Command::current_dir`.
    pub fn current_dir<P: AsRef<Path>>(&mut self, dir: P) -> &mut Command {
        self.inner.current_dir(dir);
        self
    }

    /// tokio's `Command::stdin`.
    pub fn stdin<T: Into<Stdio>>(&mut self, cfg: T) -> &mut Command {
        self.inner.stdin(cfg);
        self
    }

    /// tokio's `Command::stdout`.
    pub fn stdout<T: Into<Stdio>>(&mut self, cfg: T) -> &mut Command {
        self.inner.stdout(cfg);
        self
    }

    /// tokio's `Command::stderr`.
    pub fn stderr<T: Into<Stdio>>(&mut self, cfg: T) -> &mut Command {
        self.inner.stderr(cfg);
        self
    }

    /// tokio's `Command::kill_on_drop`.
    pub fn kill_on_drop(&mut self, kill_on_drop: bool) -> &mut Command {
        self.inner.kill_on_drop(kill_on_drop);
        self
    }

    /// Whether the child is killed when its handle drops (tokio's `get_kill_on_drop`).
    pub fn get_kill_on_drop(&self) -> bool {
        self.inner.get_kill_on_drop()
    }

    /// The standard library's command underneath (tokio's `as_std`).
    pub fn as_std(&self) -> &std::process::Command {
        self.inner.as_std()
    }

    /// The standard library's command underneath, mutably (tokio's `as_std_mut`).
    pub fn as_std_mut(&mut self) -> &mut std::process::Command {
        self.inner.as_std_mut()
    }

    /// tokio's `Command::spawn`; inside a simulation an `Unsupported` error, nothing spawned.
    pub fn spawn(&mut self) -> io::Result<Child> {
        if simloop::is_simulating() {
            return Err(refused("tokio::process::Command::spawn"));
        }
        self.inner.spawn()
    }

    /// tokio's `Command::status`; inside a simulation an `Unsupported` error, nothing spawned.
    pub fn status(&mut self) -> impl Future<Output = io::Result<ExitStatus>> {
        let refused = simloop::is_simulating().then(|| refused("tokio::process::Command::status"));
        let real = refused.is_none().then(|| self.inner.status());
        async move {
            match (refused, real) {
                (Some(err), _) => Err(err),
                (None, Some(status)) => status.await,
                (None, None) => unreachable!("one of the two is set"),
            }
        }
    }

    /// tokio's `Command::output`; inside a simulation an `Unsupported` error, nothing spawned.
    pub fn output(&mut self) -> impl Future<Output = io::Result<Output>> {
        let refused = simloop::is_simulating().then(|| refused("tokio::process::Command::output"));
        let real = refused.is_none().then(|| self.inner.output());
        async move {
            match (refused, real) {
                (Some(err), _) => Err(err),
                (None, Some(output)) => output.await,
                (None, None) => unreachable!("one of the two is set"),
            }
        }
    }
}

impl From<std::process::Command> for Command {
    fn from(command: std::process::Command) -> Command {
        Command {
            inner: command.into(),
        }
    }
}
