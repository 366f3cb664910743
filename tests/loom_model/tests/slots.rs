//! Model-checks the hand-over of an exclusive histogram shard between writers with loom.
//!
//! Run: `cargo test --release --manifest-path tests/loom_model/Cargo.toml` (its own small
//! crate, so that model checking needs no rebuild of walrec's dependencies).
//!
//! The shard's counters are written with plain load-then-store by their one owner. If claiming
//! a slot did not acquire what the previous owner released, the next owner could load a stale
//! count and overwrite a newer one; loom explores every interleaving and would find that.
mod sync {
    pub use loom::sync::atomic::{AtomicU64, Ordering};
}

#[path = "../../../src/telemetry/histogram/slots.rs"]
mod slots;

use loom::sync::Arc;
use loom::sync::atomic::AtomicU64;
use slots::SlotClaims;
use sync::Ordering;

/// One counter per slot, standing in for a shard, updated the way shards are.
struct Model {
    claims: SlotClaims,
    counters: [AtomicU64; 2],
}

impl Model {
    fn new() -> Self {
        Model {
            claims: SlotClaims {
                bits: AtomicU64::new(0),
            },
            counters: [AtomicU64::new(0), AtomicU64::new(0)],
        }
    }

    /// Claims a slot, adds one to its counter with load-then-store, releases it.
    fn record_once(&self) {
        let slot = self.claims.claim().expect("a free slot");
        let counter = &self.counters[slot];
        counter.store(counter.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
        self.claims.release(slot);
    }
}

#[test]
fn sequential_owners_of_a_slot_never_lose_a_count() {
    loom::model(|| {
        let model = Arc::new(Model::new());
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let model = Arc::clone(&model);
                loom::thread::spawn(move || {
                    model.record_once();
                    model.record_once();
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let total: u64 = model
            .counters
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .sum();
        assert_eq!(total, 4);
    });
}

#[test]
fn two_live_writers_get_different_slots() {
    loom::model(|| {
        let claims = Arc::new(SlotClaims {
            bits: AtomicU64::new(0),
        });
        let other = Arc::clone(&claims);
        let thread = loom::thread::spawn(move || other.claim());
        let mine = claims.claim();
        let theirs = thread.join().unwrap();
        assert!(mine.is_some() && theirs.is_some());
        assert_ne!(mine, theirs);
    });
}
