//! `WorldConfig`: the bounds of the simulated world's latencies and faults, checked once.

use std::fmt;
use std::time::Duration;

use rand::{Rng, RngExt};

use crate::config::ConfigError;

/// How long a message or a disk operation takes, drawn from the seed for each one.
///
/// # Examples
///
/// ```
/// use simloop::sim::Latency;
/// use std::time::Duration;
///
/// let lan = Latency::Uniform { min: Duration::from_millis(1), max: Duration::from_millis(5) };
/// assert!(lan.check().is_ok());
/// let inverted = Latency::Uniform { min: Duration::from_millis(5), max: Duration::from_millis(1) };
/// assert_eq!(inverted.check().unwrap_err(), "min 5ms is above max 1ms");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Latency {
    /// Always the same.
    Fixed(Duration),
    /// Uniform between `min` and `max`, both included.
    Uniform {
        /// The shortest.
        min: Duration,
        /// The longest.
        max: Duration,
    },
    /// Mostly short with a long tail, averaging about `mean`, never above `max`.
    ///
    /// A geometric number of whole steps plus a uniform fraction: the exponential's shape
    /// (each step half as likely as the one before), computed in integers so that a replay on
    /// another platform draws the same nanoseconds, which `f64::ln` does not promise.
    Exponential {
        /// The average before capping.
        mean: Duration,
        /// The cap.
        max: Duration,
    },
}

impl Latency {
    /// The longest latency a setting may name: 365 days. A message's arrival is the clock plus
    /// a leg, and a round trip adds two legs, so an unbounded latency (`Duration::MAX`) would
    /// overflow; a year is longer than any timeout a test waits for.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::sim::Latency;
    /// use std::time::Duration;
    ///
    /// assert!(Latency::Fixed(Latency::LIMIT).check().is_ok());
    /// let err = Latency::Fixed(Duration::MAX).check().unwrap_err();
    /// assert!(err.contains("Latency::LIMIT"));
    /// ```
    pub const LIMIT: Duration = Duration::from_secs(365 * 24 * 60 * 60);

    /// `Ok` when the bounds are in order and none is above [`Latency::LIMIT`], else what is
    /// wrong.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::sim::Latency;
    /// use std::time::Duration;
    ///
    /// let tail = Latency::Exponential { mean: Duration::from_secs(2), max: Duration::from_secs(1) };
    /// assert_eq!(tail.check().unwrap_err(), "mean 2s is above max 1s");
    /// ```
    ///
    /// # Errors
    ///
    /// A description such as `min 5ms is above max 1ms`.
    pub fn check(&self) -> Result<(), String> {
        let bounds = match *self {
            Latency::Fixed(value) => [("", value), ("", value)],
            Latency::Uniform { min, max } => [("min ", min), ("max ", max)],
            Latency::Exponential { mean, max } => [("mean ", mean), ("max ", max)],
        };
        for (name, bound) in bounds {
            if bound > Latency::LIMIT {
                return Err(format!(
                    "{name}{bound:?} is above Latency::LIMIT: a latency must be at most {:?} \
                     (365 days)",
                    Latency::LIMIT
                ));
            }
        }
        match *self {
            Latency::Fixed(_) => Ok(()),
            Latency::Uniform { min, max } if min > max => {
                Err(format!("min {min:?} is above max {max:?}"))
            }
            Latency::Exponential { mean, max } if mean > max => {
                Err(format!("mean {mean:?} is above max {max:?}"))
            }
            _ => Ok(()),
        }
    }

    /// The latency in nanoseconds if it is fixed: what every draw gives, drawing nothing.
    #[inline]
    pub(crate) fn fixed_ns(&self) -> Option<u64> {
        match *self {
            Latency::Fixed(value) => Some(nanos(value)),
            _ => None,
        }
    }

    /// One draw, in nanoseconds.
    pub(crate) fn sample_ns(&self, rng: &mut impl Rng) -> u64 {
        match *self {
            Latency::Fixed(value) => nanos(value),
            Latency::Uniform { min, max } => rng.random_range(nanos(min)..=nanos(max)),
            Latency::Exponential { mean, max } => {
                // P(steps = k) = 2^-(k+1), so steps + fraction averages 1.5 units.
                let steps = u128::from(rng.next_u64().trailing_zeros());
                let units = (steps << 32) | u128::from(rng.next_u32());
                let drawn = u128::from(nanos(mean)) * units * 2 / (3 << 32);
                u64::try_from(drawn).unwrap_or(u64::MAX).min(nanos(max))
            }
        }
    }
}

fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

/// How often a fault happens: a probability, or bounds each seed draws its own from.
///
/// Equality compares the bits of the bounds, so `Rate` (and [`Config`](crate::Config)) can be
/// `Eq`.
///
/// # Examples
///
/// ```
/// use simloop::sim::Rate;
///
/// assert_eq!(Rate::fixed(0.1).max(), 0.1);
/// assert!(Rate::between(0.0, 0.2).check().is_ok());
/// assert_eq!(Rate::fixed(1.5).check().unwrap_err(), "1.5 is outside 0..=1");
/// assert_eq!(Rate::between(0.3, 0.1).check().unwrap_err(), "min 0.3 is above max 0.1");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Rate {
    min: f64,
    max: f64,
}

impl Rate {
    /// Never.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::sim::Rate;
    ///
    /// assert_eq!((Rate::NEVER.max(), Rate::ALWAYS.min()), (0.0, 1.0));
    /// ```
    pub const NEVER: Rate = Rate { min: 0.0, max: 0.0 };
    /// Every time.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(simloop::sim::Rate::ALWAYS, simloop::sim::Rate::fixed(1.0));
    /// ```
    pub const ALWAYS: Rate = Rate { min: 1.0, max: 1.0 };

    /// Probability `p` in every seed.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(simloop::sim::Rate::fixed(0.25).min(), 0.25);
    /// ```
    pub const fn fixed(p: f64) -> Rate {
        Rate { min: p, max: p }
    }

    /// A probability each seed draws uniformly from `min..=max`.
    ///
    /// # Examples
    ///
    /// ```
    /// let rate = simloop::sim::Rate::between(0.01, 0.2);
    /// assert_eq!((rate.min(), rate.max()), (0.01, 0.2));
    /// ```
    pub const fn between(min: f64, max: f64) -> Rate {
        Rate { min, max }
    }

    /// The lower bound.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(simloop::sim::Rate::between(0.1, 0.3).min(), 0.1);
    /// ```
    pub const fn min(&self) -> f64 {
        self.min
    }

    /// The upper bound.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(simloop::sim::Rate::between(0.1, 0.3).max(), 0.3);
    /// ```
    pub const fn max(&self) -> f64 {
        self.max
    }

    /// `Ok` when both bounds lie in `0..=1` and are in order.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(simloop::sim::Rate::fixed(-0.1).check().is_err());
    /// ```
    ///
    /// # Errors
    ///
    /// A description such as `1.5 is outside 0..=1`.
    pub fn check(&self) -> Result<(), String> {
        for bound in [self.min, self.max] {
            if !(0.0..=1.0).contains(&bound) {
                return Err(format!("{bound} is outside 0..=1"));
            }
        }
        if self.min > self.max {
            return Err(format!("min {} is above max {}", self.min, self.max));
        }
        Ok(())
    }

    /// This seed's probability, uniform within the bounds. A draw is spent even when the bounds
    /// agree, so narrowing one setting does not shift the draws of the settings after it.
    pub(crate) fn draw(&self, rng: &mut impl Rng) -> f64 {
        let unit: f64 = rng.random();
        self.min + (self.max - self.min) * unit
    }
}

impl PartialEq for Rate {
    fn eq(&self, other: &Rate) -> bool {
        self.min.to_bits() == other.min.to_bits() && self.max.to_bits() == other.max.to_bits()
    }
}

impl Eq for Rate {}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.min == self.max {
            write!(f, "{}", self.min)
        } else {
            write!(f, "{}..={}", self.min, self.max)
        }
    }
}

/// The simulated world's settings: [`Config::world`](crate::Config).
///
/// Network settings apply to [`net`](crate::net), disk settings to [`fs`](crate::fs), and the
/// fault-site settings to [`fault!`](crate::fault). Every [`Rate`] may be a range: each seed then
/// draws its own rate within it. With [`swarm`](WorldConfig::swarm) on, each seed also switches
/// every fault kind off with probability 1/2 (swarm testing, Groce et al., ISSTA 2012: one
/// fixed mix of faults masks bugs that a sparser mix exposes, such as a retry path that only
/// misbehaves when errors are rare).
///
/// # Examples
///
/// ```
/// use simloop::sim::{Latency, Rate, WorldConfig};
/// use simloop::Config;
/// use std::time::Duration;
///
/// let world = WorldConfig::default()
///     .with_latency(Latency::Fixed(Duration::from_millis(2)))
///     .with_loss(Rate::between(0.0, 0.05))
///     .with_swarm(true);
/// let config = Config::default().with_world(world);
/// assert!(config.validate().is_ok());
///
/// let bad = Config::default().with_world(WorldConfig::default().with_loss(Rate::fixed(2.0)));
/// assert_eq!(bad.validate().unwrap_err().field(), "world.loss");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct WorldConfig {
    /// One-way network latency of every link without its own
    /// ([`net::set_latency`](crate::net::set_latency)). Default: uniform 1–5 ms.
    pub latency: Latency,
    /// Chance a TCP segment is lost, each transmission (it is resent after the retransmission
    /// timeout, so it arrives late), or a UDP datagram is lost. Default: never.
    pub loss: Rate,
    /// Chance a request a [`serve`](crate::net::serve) server reads is answered with an
    /// injected `503` instead of reaching the handler. Default: never.
    pub errors: Rate,
    /// Chance a request on a [`Connection`](crate::net::Connection) makes the server reset it.
    /// Default: never.
    pub resets: Rate,
    /// Latency of each disk operation. Default: uniform 50–500 µs.
    pub disk_latency: Latency,
    /// Chance a read fails with an injected I/O error. Default: never.
    pub read_errors: Rate,
    /// Chance a write fails with an injected I/O error. Default: never.
    pub write_errors: Rate,
    /// Chance that [`fs::crash`](crate::fs::crash) tears the last unsynced write, keeping part
    /// of it. Default: never.
    pub torn_writes: Rate,
    /// Bytes the disk holds before writes fail with `DiskFull`. Default: 1 GiB.
    pub disk_capacity: u64,
    /// Chance a [`fault!`](crate::fault) site is enabled in a seed. Default: 0.25, as
    /// FoundationDB's `BUGGIFY`.
    pub fault_sites: Rate,
    /// Chance an enabled fault site fires each time it is reached. Default: 0.25.
    pub fault_fires: Rate,
    /// Whether each seed switches each fault kind off with probability 1/2. Default: off.
    pub swarm: bool,
    /// Chance a UDP datagram is delivered twice. Default: never.
    pub duplicates: Rate,
    /// Whether a TCP write may arrive in several pieces, each with its own latency, so that a
    /// read returns fewer bytes than were written. Default: on.
    pub segmentation: bool,
    /// Bytes a TCP connection holds per direction, written and not yet read, before a write
    /// waits for the peer to read. Default: 64 KiB.
    pub send_buffer: usize,
}

impl Default for WorldConfig {
    fn default() -> WorldConfig {
        WorldConfig {
            latency: Latency::Uniform {
                min: Duration::from_millis(1),
                max: Duration::from_millis(5),
            },
            loss: Rate::NEVER,
            errors: Rate::NEVER,
            resets: Rate::NEVER,
            disk_latency: Latency::Uniform {
                min: Duration::from_micros(50),
                max: Duration::from_micros(500),
            },
            read_errors: Rate::NEVER,
            write_errors: Rate::NEVER,
            torn_writes: Rate::NEVER,
            disk_capacity: 1 << 30,
            fault_sites: Rate::fixed(0.25),
            fault_fires: Rate::fixed(0.25),
            swarm: false,
            duplicates: Rate::NEVER,
            segmentation: true,
            send_buffer: 64 * 1024,
        }
    }
}

macro_rules! with {
    ($(#[$doc:meta] $name:ident $field:ident: $ty:ty;)*) => {
        $(
            #[$doc]
            pub fn $name(mut self, $field: $ty) -> WorldConfig {
                self.$field = $field;
                self
            }
        )*
    };
}

impl WorldConfig {
    with! {
        /// This config with network latency `latency`.
        with_latency latency: Latency;
        /// This config with message loss `loss`.
        with_loss loss: Rate;
        /// This config with injected error replies `errors`.
        with_errors errors: Rate;
        /// This config with connection resets `resets`.
        with_resets resets: Rate;
        /// This config with disk latency `disk_latency`.
        with_disk_latency disk_latency: Latency;
        /// This config with injected read errors `read_errors`.
        with_read_errors read_errors: Rate;
        /// This config with injected write errors `write_errors`.
        with_write_errors write_errors: Rate;
        /// This config with torn writes at a crash `torn_writes`.
        with_torn_writes torn_writes: Rate;
        /// This config with a disk of `disk_capacity` bytes.
        with_disk_capacity disk_capacity: u64;
        /// This config with fault sites enabled at rate `fault_sites`.
        with_fault_sites fault_sites: Rate;
        /// This config with enabled fault sites firing at rate `fault_fires`.
        with_fault_fires fault_fires: Rate;
        /// This config with swarm testing on or off.
        with_swarm swarm: bool;
        /// This config with UDP datagrams duplicated at rate `duplicates`.
        with_duplicates duplicates: Rate;
        /// This config with TCP segmentation (short reads) on or off.
        with_segmentation segmentation: bool;
        /// This config with TCP send buffers of `send_buffer` bytes.
        with_send_buffer send_buffer: usize;
    }

    /// Checks every rate and latency (bounds in order, latencies at most [`Latency::LIMIT`]),
    /// naming the first bad one as `world.<field>`.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::sim::{Rate, WorldConfig};
    ///
    /// let err = WorldConfig::default().with_errors(Rate::between(0.5, 0.1)).validate().unwrap_err();
    /// assert_eq!(err.to_string(), "invalid simloop config: world.errors min 0.5 is above max 0.1");
    /// ```
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the setting.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let latencies = [
            ("world.latency", &self.latency),
            ("world.disk_latency", &self.disk_latency),
        ];
        for (field, latency) in latencies {
            latency
                .check()
                .map_err(|problem| ConfigError::new(field, problem))?;
        }
        for (field, rate) in self.rates() {
            rate.check()
                .map_err(|problem| ConfigError::new(field, problem))?;
        }
        if self.send_buffer == 0 {
            return Err(ConfigError::new(
                "world.send_buffer",
                "is 0: a write could never send a byte; use at least 1",
            ));
        }
        Ok(())
    }

    fn rates(&self) -> [(&'static str, &Rate); 9] {
        [
            ("world.loss", &self.loss),
            ("world.errors", &self.errors),
            ("world.resets", &self.resets),
            ("world.read_errors", &self.read_errors),
            ("world.write_errors", &self.write_errors),
            ("world.torn_writes", &self.torn_writes),
            ("world.fault_sites", &self.fault_sites),
            ("world.fault_fires", &self.fault_fires),
            ("world.duplicates", &self.duplicates),
        ]
    }
}
