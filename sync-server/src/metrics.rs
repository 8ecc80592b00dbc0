//! Prometheus counters for `GET /metrics`. A handful of atomics rendered as text: what an
//! operator needs to see the merge working (events by outcome, batches, refusals, merge time).

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Metrics {
    pub batches: AtomicU64,
    pub events_posted: AtomicU64,
    pub events_duplicate: AtomicU64,
    pub events_quarantined: AtomicU64,
    pub sequence_gaps: AtomicU64,
    pub refused_requests: AtomicU64,
    pub merge_micros: AtomicU64,
    pub pulls: AtomicU64,
    /// Requests whose handler panicked, answered 500 by the last-resort layer. Always a bug.
    pub panics: AtomicU64,
}

impl Metrics {
    pub fn add(counter: &AtomicU64, amount: u64) {
        counter.fetch_add(amount, Ordering::Relaxed);
    }

    pub fn render(&self) -> String {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        let mut text = String::new();
        let mut counter = |name: &str, help: &str, value: &dyn std::fmt::Display| {
            let _ = writeln!(text, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}");
        };
        counter("tillbook_push_batches_total", "Push batches merged.", &read(&self.batches));
        counter("tillbook_sequence_gaps_total", "Push batches answered 409 sequence_gap.", &read(&self.sequence_gaps));
        counter("tillbook_refused_requests_total", "Requests answered with a 4xx.", &read(&self.refused_requests));
        counter("tillbook_pulls_total", "Pull requests answered.", &read(&self.pulls));
        counter("tillbook_panics_total", "Requests whose handler panicked (a bug; answered 500).", &read(&self.panics));
        // Kept in microseconds, shown in seconds as Prometheus expects (a duration, not money).
        let seconds = read(&self.merge_micros) as f64 / 1e6;
        counter("tillbook_merge_seconds_total", "Time spent merging batches.", &seconds);
        let _ = writeln!(
            text,
            "# HELP tillbook_events_total Pushed events by outcome.\n# TYPE tillbook_events_total counter"
        );
        for (status, value) in [
            ("posted", read(&self.events_posted)),
            ("duplicate", read(&self.events_duplicate)),
            ("quarantined", read(&self.events_quarantined)),
        ] {
            let _ = writeln!(text, "tillbook_events_total{{status=\"{status}\"}} {value}");
        }
        text
    }
}
