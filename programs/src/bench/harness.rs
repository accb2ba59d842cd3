//! Timing and memory measurement: a warm-up, N timed runs, the median; peak memory measured in a
//! child process of this same binary.
//!
//! Memory is the growth of the child's peak resident set (`VmHWM` minus the `VmRSS` it started
//! with, from `/proc/self/status`): a fresh process per system keeps one system's freed heap from
//! hiding the other's peak. (A counting global allocator would need `unsafe impl GlobalAlloc`,
//! which the package-wide `unsafe_code = "forbid"` lint refuses in every target, benches too.)

use std::process::Command;
use std::time::Instant;

/// How many unmeasured and measured runs a figure takes.
#[derive(Clone, Copy, Debug)]
pub struct Reps {
    /// Unmeasured runs first.
    pub warm_up: usize,
    /// Measured runs; the figure is their median.
    pub runs: usize,
}

/// The median wall time per op over `reps.runs` runs of `workload`, each doing `ops` ops.
pub fn median_ns_per_op(reps: Reps, ops: u64, mut workload: impl FnMut()) -> f64 {
    interleaved_medians(reps, &mut [(ops, &mut workload)])[0]
}

/// The median wall time per op of each `(ops per run, workload)`, over `reps.runs` rounds that
/// each run every workload once, in turn.
///
/// Taking turns matters for a ratio between two of them on a shared machine: a burst of load
/// from elsewhere then falls on the samples of both instead of on whichever ran during it.
pub fn interleaved_medians(reps: Reps, workloads: &mut [(u64, &mut dyn FnMut())]) -> Vec<f64> {
    for _ in 0..reps.warm_up {
        for (_, workload) in workloads.iter_mut() {
            workload();
        }
    }
    let mut samples = vec![Vec::new(); workloads.len()];
    for _ in 0..reps.runs.max(1) {
        for ((ops, workload), samples) in workloads.iter_mut().zip(&mut samples) {
            let start = Instant::now();
            workload();
            samples.push(start.elapsed().as_nanos() as f64 / *ops as f64);
        }
    }
    samples
        .into_iter()
        .map(|mut samples| {
            samples.sort_by(f64::total_cmp);
            samples[samples.len() / 2]
        })
        .collect()
}

/// Runs seeds `0..seeds` of `one_seed` spread over `threads` threads (thread `t` takes seeds
/// `t, t + threads, ...`).
pub fn sweep_on_threads(threads: u64, seeds: u64, one_seed: fn(u64)) {
    std::thread::scope(|scope| {
        for first in 0..threads {
            scope.spawn(move || {
                for seed in (first..seeds).step_by(threads as usize) {
                    one_seed(seed);
                }
            });
        }
    });
}

/// The argument that turns this binary into a memory-measuring child.
pub const MEMORY_FLAG: &str = "--peak-memory-of";

/// The peak memory growth, in bytes, of running `workload` (named by `args`) in a child process.
pub fn peak_growth_in_child(args: &[&str]) -> Option<u64> {
    let exe = std::env::current_exe().ok()?;
    let output = Command::new(exe)
        .arg(MEMORY_FLAG)
        .args(args)
        .output()
        .ok()?;
    assert!(
        output.status.success(),
        "the memory child {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().parse().ok()
}

/// In the child: runs `workload` once and prints its peak resident-set growth in bytes.
pub fn report_peak_growth(workload: impl FnOnce()) {
    let before = status_kib("VmRSS:");
    workload();
    let peak = status_kib("VmHWM:");
    if let (Some(before), Some(peak)) = (before, peak) {
        println!("{}", peak.saturating_sub(before) * 1024);
    }
}

fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with(field))?;
    line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}
