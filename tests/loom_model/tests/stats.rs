//! Model-checks the counting protocol of walrec's duration statistics with loom.
//!
//! Run: `cargo test --release --manifest-path tests/loom_model/Cargo.toml`.
//!
//! A record folds its duration into total/min/max and then counts the sample with `Release`; a
//! snapshot reads the count with `Acquire` before the extremes. If the count were published
//! first (or `Relaxed`), a snapshot could count a sample whose minimum it cannot see yet and
//! report the empty sentinel; loom explores every interleaving and would find that.
mod sync {
    pub use loom::sync::atomic::{AtomicU64, Ordering};
}

#[path = "../../../src/telemetry/stats/cells.rs"]
mod cells;

use cells::{EMPTY_MIN, Extremes, observe, publish};
use loom::sync::Arc;
use sync::AtomicU64;

/// One operation's statistics: the extremes and its two outcome counters.
struct Model {
    extremes: Extremes,
    success: AtomicU64,
    failures: AtomicU64,
}

impl Model {
    fn new() -> Self {
        Model {
            extremes: Extremes {
                total_ns: AtomicU64::new(0),
                min_ns: AtomicU64::new(EMPTY_MIN),
                max_ns: AtomicU64::new(0),
                clamped: AtomicU64::new(0),
            },
            success: AtomicU64::new(0),
            failures: AtomicU64::new(0),
        }
    }

    fn record(&self, elapsed: u64, ok: bool) {
        self.extremes.fold(0, elapsed);
        publish(if ok { &self.success } else { &self.failures });
    }

    /// (success, failures, min, max) as a snapshot reads them.
    fn snapshot(&self) -> (u64, u64, u64, u64) {
        let success = observe(&self.success);
        let failures = observe(&self.failures);
        let reading = self.extremes.read(success + failures);
        (success, failures, reading.min_ns, reading.max_ns)
    }
}

fn assert_counted_samples_are_visible(snapshot: (u64, u64, u64, u64)) {
    let (success, failures, min, max) = snapshot;
    if success + failures > 0 {
        assert_ne!(min, EMPTY_MIN, "a counted sample's minimum is not visible");
        assert!(min <= max, "min {min} > max {max}");
    }
}

#[test]
fn a_counted_sample_is_never_read_as_empty() {
    loom::model(|| {
        let model = Arc::new(Model::new());
        let writer = {
            let model = Arc::clone(&model);
            loom::thread::spawn(move || model.record(5, true))
        };
        assert_counted_samples_are_visible(model.snapshot());
        writer.join().unwrap();
        assert_eq!(model.snapshot(), (1, 0, 5, 5));
    });
}

#[test]
fn outcome_counts_only_grow_between_snapshots() {
    loom::model(|| {
        let model = Arc::new(Model::new());
        let writer = {
            let model = Arc::clone(&model);
            loom::thread::spawn(move || {
                model.record(7, false);
                model.record(3, true);
            })
        };
        let first = model.snapshot();
        let second = model.snapshot();
        assert_counted_samples_are_visible(first);
        assert_counted_samples_are_visible(second);
        assert!(second.0 >= first.0 && second.1 >= first.1, "{first:?} then {second:?}");
        writer.join().unwrap();
        assert_eq!(model.snapshot(), (1, 1, 3, 7));
    });
}
