//! Which exclusive shards are taken: one bit per writer slot in a `u64`.
//!
//! The subtle part is the hand-over. A writer updates its shard with plain loads and stores,
//! which is only exact while it is the slot's one writer *and* it starts from the previous
//! writer's final values. Releasing a slot is therefore a `Release` store of the bitmap and
//! claiming one an `Acquire` read-modify-write: the next owner happens-after everything the last
//! owner wrote. `tests/loom_model` checks exactly this hand-over under the loom model checker
//! (this file is compiled there against loom's atomics, hence the `super::sync` import).

use super::sync::{AtomicU64, Ordering};

/// The number of slots: one bit each in the bitmap.
pub(super) const SLOTS: usize = 64;

/// A bitmap of claimed slots. Construct it as `SlotClaims { bits: AtomicU64::new(0) }` (kept
/// that way so that the histogram's `const fn new` can build it).
pub(super) struct SlotClaims {
    pub(super) bits: AtomicU64,
}

impl SlotClaims {
    /// Claims the lowest free slot, or returns `None` when all [`SLOTS`] are taken.
    pub(super) fn claim(&self) -> Option<usize> {
        let mut claimed = self.bits.load(Ordering::Relaxed); // Relaxed: a guess; the CAS decides.
        while claimed != u64::MAX {
            let slot = claimed.trailing_ones() as usize;
            match self.bits.compare_exchange_weak(
                claimed,
                claimed | (1 << slot),
                // Acquire: see every store of the slot's previous owner (see the module docs).
                Ordering::Acquire,
                Ordering::Relaxed, // Relaxed: on failure we only retry with the fresh value.
            ) {
                Ok(_) => return Some(slot),
                Err(actual) => claimed = actual,
            }
        }
        None
    }

    /// Gives `slot` back.
    pub(super) fn release(&self, slot: usize) {
        // Release: the next owner's Acquire claim sees all our stores (see the module docs).
        self.bits.fetch_and(!(1u64 << slot), Ordering::Release);
    }
}
