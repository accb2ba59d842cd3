//! Fault sites: FoundationDB's `BUGGIFY` for user code.
//!
//! A site is enabled for a whole run with probability `fault_sites`, decided from a hash of the
//! seed's fault stream and the site's name, so adding a site does not change which others are
//! enabled. An enabled site then fires each time it is reached with probability `fault_fires`,
//! drawn from the fault stream in the order sites are reached, so the same seed and schedule
//! fire the same sites at the same moments. FoundationDB uses 0.25 for both.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{chance, note};
use crate::rng::{stream, Stream};
use crate::rt::{self, Extension};

struct Site {
    name: &'static str,
    object: Rc<str>,
    enabled: bool,
    reached: u64,
    fired: u64,
}

pub(crate) struct Sites {
    salt: u64,
    enable: f64,
    fire: f64,
    rng: RefCell<ChaCha8Rng>,
    index: RefCell<BTreeMap<&'static str, usize>>,
    sites: RefCell<Vec<Site>>,
}

impl Sites {
    fn new(seed: u64, enable: f64, fire: f64) -> Sites {
        let mut root = stream(seed, Stream::Faults);
        Sites {
            salt: root.next_u64(),
            enable,
            fire,
            rng: RefCell::new(ChaCha8Rng::seed_from_u64(root.next_u64())),
            index: RefCell::default(),
            sites: RefCell::default(),
        }
    }

    /// Whether the site `name` fires now.
    fn reach(&self, name: &'static str) -> bool {
        let slot = self.index.borrow().get(name).copied();
        let slot = slot.unwrap_or_else(|| self.add(name));
        let mut sites = self.sites.borrow_mut();
        let site = &mut sites[slot];
        site.reached += 1;
        if !site.enabled || !chance(&mut *self.rng.borrow_mut(), self.fire) {
            return false;
        }
        site.fired += 1;
        let object = Rc::clone(&site.object);
        drop(sites);
        note(&object, || "fired".into());
        true
    }

    fn add(&self, name: &'static str) -> usize {
        let enabled = unit(mix(self.salt, name)) < self.enable;
        let object: Rc<str> = Rc::from(format!("fault({name})"));
        note(&object, || {
            if enabled { "enabled" } else { "disabled" }.into()
        });
        let mut sites = self.sites.borrow_mut();
        sites.push(Site {
            name,
            object,
            enabled,
            reached: 0,
            fired: 0,
        });
        self.index.borrow_mut().insert(name, sites.len() - 1);
        sites.len() - 1
    }

    pub(crate) fn report(&self) -> Vec<FaultSite> {
        self.sites
            .borrow()
            .iter()
            .map(|site| FaultSite {
                name: site.name,
                enabled: site.enabled,
                reached: site.reached,
                fired: site.fired,
            })
            .collect()
    }
}

/// FNV-1a over the name, finished with splitmix64 so nearby names land far apart.
fn mix(salt: u64, name: &str) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325 ^ salt;
    for byte in name.bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash = (hash ^ (hash >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    hash = (hash ^ (hash >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    hash ^ (hash >> 31)
}

/// The top 53 bits as a number in `0..1`.
fn unit(bits: u64) -> f64 {
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

impl Extension for Sites {
    fn report_lines(&self, lines: &mut Vec<String>) {
        lines.extend(
            self.report()
                .iter()
                .map(|site| format!("fault site {site}")),
        );
    }
}

/// The fault sites of the simulation, made on first use from its seed and fault mix.
fn make_sites(run: rt::RunInfo<'_>) -> Sites {
    let mix = super::setup().mix;
    Sites::new(run.seed, mix.fault_sites, mix.fault_fires)
}

/// What [`fault!`](crate::fault) expands to: whether the site `name` fires now.
///
/// Outside a simulation it is always `false`, so fault sites can stay in production code.
///
/// # Examples
///
/// ```
/// assert!(!simloop::sim::fault_site("outside")); // no simulation: never fires
/// ```
pub fn fault_site(name: &'static str) -> bool {
    let Some(sites) = rt::try_extension(make_sites) else {
        return false;
    };
    sites.reach(name)
}

/// Every fault site reached so far in this simulation, in the order they were first reached.
///
/// A failing run's report lists the same, after its fault mix.
///
/// # Examples
///
/// ```
/// use simloop::sim::{Rate, WorldConfig};
/// use simloop::{Config, Sim};
///
/// let world = WorldConfig::default().with_fault_sites(Rate::ALWAYS).with_fault_fires(Rate::ALWAYS);
/// let sites = Sim::new(Config::default().with_world(world)).run(async {
///     assert!(simloop::fault!("slow-disk"));
///     simloop::sim::faults_report()
/// });
/// let sites = sites.unwrap();
/// assert_eq!(sites[0].name, "slow-disk");
/// assert_eq!((sites[0].enabled, sites[0].reached, sites[0].fired), (true, 1, 1));
/// assert_eq!(sites[0].to_string(), "slow-disk: enabled, fired 1 of 1");
/// ```
///
/// # Panics
///
/// Outside a simulation.
pub fn faults_report() -> Vec<FaultSite> {
    rt::extension("simloop::sim::faults_report", make_sites).report()
}

/// One fault site as [`faults_report`] lists it.
///
/// # Examples
///
/// ```
/// use simloop::sim::FaultSite;
///
/// let site = FaultSite { name: "retry", enabled: false, reached: 3, fired: 0 };
/// assert_eq!(site.to_string(), "retry: disabled, reached 3 times");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FaultSite {
    /// The name given to [`fault!`](crate::fault) (or `file:line`).
    pub name: &'static str,
    /// Whether the site was enabled in this seed.
    pub enabled: bool,
    /// How many times it was reached.
    pub reached: u64,
    /// How many times it fired.
    pub fired: u64,
}

impl fmt::Display for FaultSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.enabled {
            write!(
                f,
                "{}: enabled, fired {} of {}",
                self.name, self.fired, self.reached
            )
        } else {
            write!(f, "{}: disabled, reached {} times", self.name, self.reached)
        }
    }
}

/// A fault site in the manner of FoundationDB's `BUGGIFY`: `true` when it fires.
///
/// The site is enabled for the whole run with probability
/// [`fault_sites`](crate::sim::WorldConfig::fault_sites) (0.25 by default) and, when enabled,
/// fires each time it is reached with probability
/// [`fault_fires`](crate::sim::WorldConfig::fault_fires) (0.25). Use it to take rare paths on
/// purpose: a slow reply, an early return, a retry. `fault!()` without a name names the site
/// by `file:line`. Which sites were enabled and which fired is in the trace (`fault(name)`
/// events), in [`faults_report`](crate::sim::faults_report) and in a failure's report; the
/// same seed and schedule fire the same sites. Outside a simulation it is always `false`.
///
/// # Examples
///
/// ```
/// use simloop::time::sleep;
/// use std::time::Duration;
///
/// async fn flush() -> Result<(), &'static str> {
///     if simloop::fault!("flush-fails") {
///         return Err("injected flush failure");
///     }
///     sleep(Duration::from_millis(1)).await;
///     Ok(())
/// }
///
/// let outcomes = |seed| simloop::run(seed, async {
///     let mut outcomes = Vec::new();
///     for _ in 0..20 {
///         outcomes.push(flush().await.is_ok());
///     }
///     outcomes
/// });
/// assert_eq!(outcomes(7), outcomes(7)); // the same seed fails the same flushes
/// ```
#[macro_export]
macro_rules! fault {
    () => {
        $crate::sim::fault_site(::core::concat!(::core::file!(), ":", ::core::line!()))
    };
    ($name:expr) => {
        $crate::sim::fault_site($name)
    };
}
