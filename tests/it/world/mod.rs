//! The simulated world: network, files, fault sites, swarm settings.

mod config;
mod determinism;
mod faults;
mod fs;
mod hyper;
mod net;
mod signal;
mod streams;
mod udp;
