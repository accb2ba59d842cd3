//! The facade's cost outside a simulation: the same workload on plain tokio and through
//! `simloop-tokio`, both on a current-thread tokio runtime with a paused clock (so a `sleep`
//! costs its timer work, not wall time).
//!
//! Each iteration spawns a task that sleeps 1 ms (auto-advanced by the paused clock) and then
//! does a channel round trip with an echo task (`mpsc` there, `mpsc` back), and awaits the
//! spawned task's `JoinHandle`.
//!
//! ```text
//! cargo bench -p simloop-tokio --bench overhead            # 7 runs of 100 000 each, medians
//! cargo bench -p simloop-tokio --bench overhead -- --quick # a smoke run (CI)
//! # one run of one side, for `valgrind --tool=callgrind`:
//! cargo bench -p simloop-tokio --bench overhead -- --only facade --iterations 100000
//! ```

use std::time::{Duration, Instant};

/// The workload, written once against a `tokio` path and compiled for each side.
macro_rules! workload {
    () => {
        pub async fn run(iterations: u64) -> u64 {
            let (request_tx, mut request_rx) = tokio::sync::mpsc::channel::<u64>(1);
            let (reply_tx, mut reply_rx) = tokio::sync::mpsc::channel::<u64>(1);
            let echo = tokio::spawn(async move {
                while let Some(value) = request_rx.recv().await {
                    if reply_tx.send(value + 1).await.is_err() {
                        break;
                    }
                }
            });
            let mut sum = 0;
            for i in 0..iterations {
                let request_tx = request_tx.clone();
                let task = tokio::spawn(async move {
                    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                    request_tx.send(i).await.unwrap();
                });
                sum += reply_rx.recv().await.unwrap();
                task.await.unwrap();
            }
            drop(request_tx);
            echo.await.unwrap();
            sum
        }
    };
}

mod plain {
    use real as tokio;
    workload!();

    pub fn block_on(iterations: u64) -> u64 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap()
            .block_on(run(iterations))
    }
}

mod facade {
    use simloop_tokio as tokio;
    workload!();

    pub fn block_on(iterations: u64) -> u64 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap()
            .block_on(run(iterations))
    }
}

fn time(side: fn(u64) -> u64, iterations: u64) -> Duration {
    let start = Instant::now();
    let sum = side(iterations);
    let elapsed = start.elapsed();
    assert_eq!(sum, iterations * (iterations + 1) / 2);
    elapsed
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| {
        args.iter()
            .position(|arg| arg == name)
            .and_then(|at| args.get(at + 1))
            .cloned()
    };
    let quick = args.iter().any(|arg| arg == "--quick");
    let iterations = value("--iterations")
        .map(|n| n.parse::<u64>().expect("--iterations takes a number"))
        .unwrap_or(if quick { 2_000 } else { 100_000 });
    let runs = if quick { 3 } else { 7 };

    let only = match value("--only").as_deref() {
        Some("tokio") => Some(plain::block_on as fn(u64) -> u64),
        Some("facade") => Some(facade::block_on as fn(u64) -> u64),
        Some(other) => panic!("--only takes `tokio` or `facade`, not `{other}`"),
        None => None,
    };
    if let Some(side) = only {
        println!("sum {}", side(iterations));
        return;
    }

    // Warm both up, then alternate the sides so that drift hits both alike.
    time(plain::block_on, iterations / 10 + 1);
    time(facade::block_on, iterations / 10 + 1);
    let (mut tokio_runs, mut facade_runs) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        tokio_runs.push(time(plain::block_on, iterations));
        facade_runs.push(time(facade::block_on, iterations));
    }
    let (tokio, facade) = (median(tokio_runs), median(facade_runs));
    let per = |total: Duration| total.as_nanos() as f64 / iterations as f64;
    println!("overhead: {iterations} iterations of spawn + sleep(1 ms, paused clock) + mpsc round trip, median of {runs} runs");
    println!(
        "  tokio:  {:>10.1?}  {:>8.0} ns/iteration",
        tokio,
        per(tokio)
    );
    println!(
        "  facade: {:>10.1?}  {:>8.0} ns/iteration",
        facade,
        per(facade)
    );
    println!(
        "  ratio facade/tokio: {:.3}",
        facade.as_secs_f64() / tokio.as_secs_f64()
    );
}
