//! Chrome trace-event JSON: a run's timeline for Perfetto (ui.perfetto.dev) and
//! `chrome://tracing`.
//!
//! Each task is a track (a "thread" named after the task). A poll is a zero-length slice at its
//! virtual instant, the time a task spent suspended between two polls is a `wait` slice, and
//! user lines, spawns, wakes, timers, operations and ends are instant events on the task's
//! track. Timestamps are virtual microseconds.

use serde_json::{json, Value};

use super::{DisplayKind, EventKind, Trace};
use crate::id::TaskId;

const PROCESS: u32 = 1;

fn micros(nanos: u64) -> f64 {
    nanos as f64 / 1_000.0
}

fn track(task: Option<TaskId>) -> u64 {
    task.map_or(0, |task| u64::from(task.as_u32()) + 1)
}

impl Trace {
    /// The trace as Chrome trace-event JSON (the "JSON object" form, `{"traceEvents": [...]}`).
    ///
    /// Open the file in Perfetto (ui.perfetto.dev, "Open trace file") or in Chrome at
    /// `chrome://tracing` ("Load"). Only the events this trace kept are exported: use
    /// [`TraceLevel::Full`](crate::TraceLevel::Full) for a whole run.
    ///
    /// # Examples
    ///
    /// ```
    /// use simloop::{time::sleep, Config, Sim, TraceLevel};
    /// use std::time::Duration;
    ///
    /// let run = Sim::new(Config::default().with_trace(TraceLevel::Full)).run(async {
    ///     sleep(Duration::from_millis(5)).await;
    ///     simloop::log!("done");
    /// });
    /// let json: serde_json::Value = serde_json::from_str(&run.trace.chrome_json()).unwrap();
    /// let events = json["traceEvents"].as_array().unwrap();
    /// assert!(events.iter().any(|e| e["ph"] == "i" && e["name"] == "done"));
    /// ```
    pub fn chrome_json(&self) -> String {
        let mut events: Vec<Value> = Vec::new();
        let mut last_poll: Vec<Option<u64>> = Vec::new();
        let mut named: Vec<bool> = Vec::new();
        events.push(json!({
            "name": "process_name", "ph": "M", "pid": PROCESS, "tid": 0,
            "args": { "name": "simloop" },
        }));
        for event in self.events() {
            let tid = track(event.task);
            let index = tid as usize;
            if named.len() <= index {
                named.resize(index + 1, false);
                last_poll.resize(index + 1, None);
            }
            if !named[index] {
                named[index] = true;
                let label = match event.task {
                    None => "clock".to_owned(),
                    Some(task) => format!("{task} {}", self.label(task)),
                };
                events.push(json!({
                    "name": "thread_name", "ph": "M", "pid": PROCESS, "tid": tid,
                    "args": { "name": label },
                }));
            }
            let ts_nanos = event.time.as_nanos();
            let args = json!({ "step": event.step });
            match &event.kind {
                EventKind::Poll { ready } => {
                    if let Some(since) = last_poll[index].filter(|&since| since < ts_nanos) {
                        events.push(json!({
                            "name": "wait", "ph": "X", "pid": PROCESS, "tid": tid,
                            "ts": micros(since), "dur": micros(ts_nanos - since),
                        }));
                    }
                    last_poll[index] = Some(ts_nanos);
                    events.push(json!({
                        "name": "poll", "ph": "X", "pid": PROCESS, "tid": tid,
                        "ts": micros(ts_nanos), "dur": 0,
                        "args": { "step": event.step, "ready": ready },
                    }));
                }
                EventKind::Log(text) => events.push(json!({
                    "name": text, "cat": "log", "ph": "i", "s": "t", "pid": PROCESS, "tid": tid,
                    "ts": micros(ts_nanos), "args": args,
                })),
                kind => events.push(json!({
                    "name": DisplayKind(self, kind).to_string(), "cat": "sim", "ph": "i",
                    "s": "t", "pid": PROCESS, "tid": tid, "ts": micros(ts_nanos), "args": args,
                })),
            }
        }
        json!({ "traceEvents": events, "displayTimeUnit": "ms" }).to_string()
    }
}
