//! What primitives tell a reader: deadlock reports that name the primitive a task waits on and
//! who holds it, and the operations the trace keeps.

use simloop::sync::{Event, Queue, Semaphore};
use simloop::task::{spawn_named, yield_now};
use simloop::trace::EventKind;
use simloop::{Config, Failure, Sim, Strategy, TraceLevel};

/// Drops the `, spawned at file:line:column` part, which moves whenever this file is edited.
fn without_sites(line: &str) -> String {
    match (line.find(", spawned at "), line.find(") waits on")) {
        (Some(start), Some(end)) if start < end => format!("{}{}", &line[..start], &line[end..]),
        _ => line.to_owned(),
    }
}

// A report reads "task `consumer` waits on Queue(jobs).get()...", "... held by `w1`, `w2`, `w3`".
#[test]
fn report_names_primitives_and_holders() {
    let run = Sim::new(Config::default().with_strategy(Strategy::Fifo)).run(async {
        let jobs = Queue::<u32>::unbounded().with_name("jobs");
        let db = Semaphore::new(3).with_name("db");
        let go = Event::new().with_name("go");
        for name in ["w1", "w2", "w3"] {
            let (db, go) = (db.clone(), go.clone());
            let _worker = spawn_named(name, async move {
                let _permit = db.acquire().await;
                go.wait().await;
            });
        }
        let producer = {
            let jobs = jobs.clone();
            spawn_named("producer", async move {
                let _permit = db.acquire().await;
                jobs.put(1).await
            })
        };
        let consumer = spawn_named("consumer", async move { jobs.get().await });
        let _ = consumer.await;
        let _ = producer.await;
    });
    let failure = run.result.unwrap_err();
    let Failure::Deadlock { blocked, .. } = &failure else {
        panic!("expected a deadlock, got {failure}");
    };
    let waits: Vec<_> = blocked
        .iter()
        .map(|task| {
            (
                task.task.name.clone().unwrap(),
                task.waiting_on.clone().unwrap(),
            )
        })
        .collect();
    let expect = |name: &str, what: &str| (name.to_owned(), what.to_owned());
    assert_eq!(
        waits,
        [
            expect("main", "the end of task `consumer`"),
            expect("w1", "Event(go).wait(), the event is not set"),
            expect("w2", "Event(go).wait(), the event is not set"),
            expect("w3", "Event(go).wait(), the event is not set"),
            expect(
                "producer",
                "Semaphore(db).acquire(), 3 of 3 permits held by `w1`, `w2`, `w3`"
            ),
            expect("consumer", "Queue(jobs).get(), the queue is empty"),
        ]
    );
    let report = failure.to_string();
    let lines: Vec<String> = report
        .lines()
        .filter(|line| line.contains(" waits on "))
        .map(without_sites)
        .collect();
    insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots")}, {
        insta::assert_snapshot!("sync_deadlock_report", lines.join("\n"));
    });
}

/// The primitive operations (`EventKind::Op`) of a run, as text lines.
fn op_lines(level: TraceLevel) -> String {
    let config = Config::default()
        .with_strategy(Strategy::Fifo)
        .with_trace(level);
    let run = Sim::new(config).run(async {
        let jobs = Queue::bounded(1).with_name("jobs");
        let consumer = {
            let jobs = jobs.clone();
            spawn_named("consumer", async move { jobs.get().await })
        };
        yield_now().await;
        jobs.put(1).await.unwrap();
        let _ = consumer.await;
    });
    run.trace
        .text_filtered(|event| matches!(event.kind, EventKind::Op { .. }))
}

// Full keeps every operation; Tail keeps those that block, fail or change a mode.
#[test]
fn trace_levels_keep_the_operations_that_matter() {
    assert_eq!(
        op_lines(TraceLevel::Full),
        "    0.000s  consumer      Queue(jobs).get() waits\n\
         \x20   0.000s  main          Queue(jobs).put()\n\
         \x20   0.000s  consumer      Queue(jobs).get()\n"
    );
    assert_eq!(
        op_lines(TraceLevel::Tail),
        "    0.000s  consumer      Queue(jobs).get() waits\n"
    );
    assert_eq!(op_lines(TraceLevel::Off), "");
}
