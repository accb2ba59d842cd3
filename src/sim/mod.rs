//! The simulated world: a network of named hosts ([`net`](crate::net)), a disk
//! ([`fs`](crate::fs)), fault sites
//! ([`fault!`](crate::fault)) and the per-seed fault mix ([`WorldConfig`]).
//!
//! Nothing here touches the real network or disk. Each simulation starts with an empty network
//! and an empty disk. Every latency and every injected fault is drawn from the seed's world
//! stream, and fault sites from its fault stream, never from the user's stream: code that draws
//! one more random number does not change a latency, and the same seed and schedule give the
//! same latencies, the same faults and the same trace.
//!
//! # Examples
//!
//! ```
//! use simloop::sim::{Rate, WorldConfig};
//! use simloop::{Config, Sim};
//!
//! // Each seed draws its own loss rate between 0 and 10%, or none at all (swarm testing).
//! let world = WorldConfig::default().with_loss(Rate::between(0.0, 0.1)).with_swarm(true);
//! let config = Config::default().with_world(world);
//! for seed in 0..20 {
//!     let mix = Sim::new(config.clone().with_seed(seed)).run(async { simloop::sim::fault_mix() });
//!     let loss = mix.unwrap().loss;
//!     assert!((0.0..=0.1).contains(&loss));
//! }
//! ```

use std::borrow::Cow;
use std::fmt;
use std::rc::Rc;

use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::config::Config;
use crate::rng::{stream, Stream};
use crate::rt::{self, Extension, RunInfo};

mod fault;

pub use crate::config::world::{Latency, Rate, WorldConfig};
pub use fault::{fault_site, faults_report, FaultSite};

/// The fault rates one seed drew within its [`WorldConfig`]'s bounds.
///
/// # Examples
///
/// ```
/// use simloop::sim::{Rate, WorldConfig};
/// use simloop::{Config, Sim};
///
/// let config = Config::default().with_world(WorldConfig::default().with_errors(Rate::fixed(0.2)));
/// let mix = Sim::new(config).run(async { simloop::sim::fault_mix() }).unwrap();
/// assert_eq!(mix.errors, 0.2);
/// assert_eq!(mix.loss, 0.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct FaultMix {
    /// Chance a TCP segment (resent later) or a UDP datagram is lost.
    pub loss: f64,
    /// Chance of an injected `503` reply.
    pub errors: f64,
    /// Chance a request on a connection resets it.
    pub resets: f64,
    /// Chance of an injected read error.
    pub read_errors: f64,
    /// Chance of an injected write error.
    pub write_errors: f64,
    /// Chance a disk crash tears the last unsynced write.
    pub torn_writes: f64,
    /// Chance a fault site is enabled.
    pub fault_sites: f64,
    /// Chance an enabled fault site fires.
    pub fault_fires: f64,
    /// Chance a UDP datagram is delivered twice.
    pub duplicates: f64,
}

impl fmt::Display for FaultMix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kinds = [
            ("loss", self.loss),
            ("errors", self.errors),
            ("resets", self.resets),
            ("read errors", self.read_errors),
            ("write errors", self.write_errors),
            ("torn writes", self.torn_writes),
        ];
        for (index, (name, rate)) in kinds.iter().enumerate() {
            let sep = if index == 0 { "" } else { ", " };
            if *rate == 0.0 {
                write!(f, "{sep}{name} off")?;
            } else {
                write!(f, "{sep}{name} {rate:.4}")?;
            }
        }
        // Shown only when on: reports written before datagrams existed read the same.
        if self.duplicates != 0.0 {
            write!(f, ", duplicates {:.4}", self.duplicates)?;
        }
        write!(
            f,
            "; fault sites enabled {:.4}, firing {:.4}",
            self.fault_sites, self.fault_fires
        )
    }
}

/// This seed's fault mix.
///
/// # Examples
///
/// ```
/// let mix = simloop::run(0, async { simloop::sim::fault_mix() });
/// assert_eq!(mix.fault_sites, 0.25);
/// ```
///
/// # Panics
///
/// Outside a simulation.
pub fn fault_mix() -> FaultMix {
    setup().mix
}

/// What every part of the world draws from, created on first use in a simulation.
pub(crate) struct Setup {
    pub(crate) config: WorldConfig,
    pub(crate) mix: FaultMix,
    pub(crate) net_seed: u64,
    pub(crate) disk_seed: u64,
}

impl Setup {
    fn new(seed: u64, config: &WorldConfig) -> Setup {
        // The world stream seeds one generator per part, so that disk traffic does not shift
        // network latencies and the other way round.
        let mut root = stream(seed, Stream::World);
        let mut rng = ChaCha8Rng::seed_from_u64(root.next_u64());
        let mut kind = |rate: &Rate| {
            let on = !config.swarm || rng.random::<bool>();
            let drawn = rate.draw(&mut rng);
            if on {
                drawn
            } else {
                0.0
            }
        };
        let loss = kind(&config.loss);
        let errors = kind(&config.errors);
        let resets = kind(&config.resets);
        let read_errors = kind(&config.read_errors);
        let write_errors = kind(&config.write_errors);
        let torn_writes = kind(&config.torn_writes);
        let fault_sites = config.fault_sites.draw(&mut rng);
        let fault_fires = config.fault_fires.draw(&mut rng);
        // Drawn last, so that every setting above draws what it drew before this one existed.
        let on = !config.swarm || rng.random::<bool>();
        let drawn = config.duplicates.draw(&mut rng);
        let duplicates = if on { drawn } else { 0.0 };
        let mix = FaultMix {
            loss,
            errors,
            resets,
            read_errors,
            write_errors,
            torn_writes,
            fault_sites,
            fault_fires,
            duplicates,
        };
        Setup {
            config: config.clone(),
            mix,
            net_seed: root.next_u64(),
            disk_seed: root.next_u64(),
        }
    }
}

/// The world setup of the simulation: made from its seed and its config's world settings.
fn make_setup(run: RunInfo<'_>) -> Setup {
    let config = run
        .config
        .downcast_ref::<Config>()
        .expect("the driver hands the engine its Config");
    Setup::new(run.seed, &config.world)
}

impl Extension for Setup {
    fn report_lines(&self, lines: &mut Vec<String>) {
        lines.push(format!("fault mix: {}", self.mix));
    }
}

#[track_caller]
pub(crate) fn setup() -> Rc<Setup> {
    rt::extension("simloop::sim", make_setup)
}

/// The simulation's `T`, created from the world setup on first use.
#[track_caller]
pub(crate) fn part<T: Extension>(what: &'static str, make: impl FnOnce(&Setup) -> T) -> Rc<T> {
    rt::extension(what, |_| make(&setup()))
}

/// Records `object.op` for the current task; `op` is formatted only when the trace is on.
pub(crate) fn note(object: &Rc<str>, op: impl FnOnce() -> Cow<'static, str>) {
    rt::record_op(object, op);
}

/// `true` with probability `p`; always spends one draw.
pub(crate) fn chance(rng: &mut impl Rng, p: f64) -> bool {
    rng.random::<f64>() < p
}
