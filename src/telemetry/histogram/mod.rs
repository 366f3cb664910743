//! A lock-free base-2 exponential latency histogram with per-writer shards.
//!
//! # Design
//!
//! Values are nanoseconds, recorded at the fixed scale [`RECORD_SCALE`] (64 buckets per power of
//! two, so a bucket's bounds differ by under 1.1 %) over `1..=`[`MAX_VALUE`], plus a zero bucket.
//! The bucket mapping is OpenTelemetry's, computed exactly with integers (see [`mapping`]).
//!
//! Contention, not arithmetic, is what makes a shared histogram slow: two threads doing atomic
//! read-modify-writes on the same cache lines cost several times one thread's price. So each
//! [`HistogramWriter`] claims one of [`MAX_WRITERS`] *exclusive* shards and records into it with
//! plain loads and stores; a snapshot sums all shards without stopping anybody. A shard is
//! allocated the first time its slot is claimed and reused by later writers, so memory grows
//! with the number of writers alive at once, never with the number of records. Past
//! `MAX_WRITERS` live writers, new writers share one fallback shard with atomic
//! read-modify-writes: slower, still exact.
//!
//! Nothing on the recording path allocates, locks, makes a system call or panics.

mod arithmetic;
mod exemplar;
mod handoff;
pub mod mapping;
mod shard;
mod slots;
mod snapshot;

/// The atomics `slots` uses: std's here, loom's when `tests/loom_slots.rs` model-checks it.
mod sync {
    pub(super) use std::sync::atomic::{AtomicU64, Ordering};
}

use std::cell::Cell;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

pub use exemplar::{Exemplar, TraceContext, UnixExemplar};
pub use handoff::ExemplarReader;
use handoff::Readers;
pub use mapping::{MAX_VALUE, RECORD_SCALE};
use shard::Shard;
use slots::SlotClaims;
pub use snapshot::{HistogramSnapshot, PERCENTILES};

/// Heap bytes one histogram shard takes: what each concurrently live writer adds.
pub const SHARD_BYTES: usize = std::mem::size_of::<Shard>();

/// How many writers can hold an exclusive shard at once (one bit each in a `u64`).
pub const MAX_WRITERS: usize = slots::SLOTS;

/// A lock-free exponential histogram of nanosecond latencies. See the module docs.
#[repr(C, align(64))]
pub struct LatencyHistogram {
    /// Slot `i` is claimed while a writer owns `exclusive[i]`.
    claimed: SlotClaims,
    /// The exemplar epoch: writers keep each epoch's slowest sample; the exporter that takes
    /// exemplars closes an epoch by advancing it (see `exemplar`).
    exemplar_epoch: AtomicU64,
    exclusive: [OnceLock<Box<Shard>>; MAX_WRITERS],
    shared: OnceLock<Box<Shard>>,
    /// The exemplar consumers: whoever closes an epoch hands its maximum to each (see
    /// `handoff`). Locked by consumers only, never by a writer; last, away from the fields
    /// writers read.
    exemplar_readers: Mutex<Readers>,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self::new()
    }
}

impl LatencyHistogram {
    /// An empty histogram. It allocates nothing until the first record or writer.
    pub const fn new() -> Self {
        LatencyHistogram {
            claimed: SlotClaims {
                bits: AtomicU64::new(0),
            },
            exemplar_epoch: AtomicU64::new(0),
            exclusive: [const { OnceLock::new() }; MAX_WRITERS],
            shared: OnceLock::new(),
            exemplar_readers: Mutex::new(Readers::new()),
        }
    }

    fn shared_shard(&self) -> &Shard {
        self.shared.get_or_init(Shard::new_boxed)
    }

    /// Records `value_ns` from any thread through the shared shard (atomic read-modify-writes).
    ///
    /// For a thread that records often, a [`writer`](Self::writer) is several times cheaper.
    pub fn record(&self, value_ns: u64) {
        record_clamped(self.shared_shard(), value_ns, false);
    }

    /// A single-threaded recording handle with an exclusive shard, or the shared shard when all
    /// [`MAX_WRITERS`] are taken. The first writer of a slot allocates its shard (about 18 KiB).
    pub fn writer(&self) -> HistogramWriter<'_> {
        match self.claimed.claim() {
            Some(slot) => {
                let shard = self.exclusive[slot].get_or_init(Shard::new_boxed);
                HistogramWriter::new(self, shard, Some(slot))
            }
            None => HistogramWriter::new(self, self.shared_shard(), None),
        }
    }

    /// A consistent copy of the histogram; see [`snapshot_into`](Self::snapshot_into).
    pub fn snapshot(&self) -> HistogramSnapshot {
        let mut snapshot = HistogramSnapshot::default();
        self.snapshot_into(&mut snapshot);
        snapshot
    }

    /// Overwrites `out` with the current state, reusing its buffer, so that a periodic exporter
    /// allocates nothing once the buffer has grown to the histogram's range.
    ///
    /// Writers are never stopped. `out.count` is computed as `zero_count + Σ counts` of what was
    /// read, so that identity always holds; sum, min and max may include a record or two whose
    /// bucket was read a moment earlier, which evens out in the next snapshot.
    pub fn snapshot_into(&self, out: &mut HistogramSnapshot) {
        let shards = || {
            let all = self.exclusive.iter().chain(std::iter::once(&self.shared));
            all.filter_map(OnceLock::get)
        };
        // Totals first: they bound the buckets in use, so only those are read.
        out.begin(shards().map(|shard| shard.read_totals()));
        shards().for_each(|shard| out.add_buckets(shard));
        out.finish();
    }
}

impl std::fmt::Debug for LatencyHistogram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // What it holds, not its shards: a snapshot says that without stopping any writer.
        f.debug_tuple("LatencyHistogram")
            .field(&self.snapshot())
            .finish()
    }
}

impl LatencyHistogram {
    /// Registers a consumer of exemplars. Each reader's
    /// [`take_exemplar_for`](Self::take_exemplar_for) returns the slowest sample since *its*
    /// previous take, whatever other readers take in between: the OTLP agent and the flight
    /// recorder each get their own interval's. Dropping the reader unregisters it.
    pub fn exemplar_reader(&self) -> ExemplarReader {
        self.lock_readers().register()
    }

    /// The slowest sample recorded through a writer since `reader`'s last take (its first: since
    /// it was registered), or `None` if there was none or `reader` is another histogram's.
    /// Samples recorded through [`record`](Self::record) or past [`MAX_WRITERS`] writers have
    /// none.
    pub fn take_exemplar_for(&self, reader: &ExemplarReader) -> Option<Exemplar> {
        let mut readers = self.lock_readers();
        self.close_epoch(&mut readers);
        readers.take(reader)
    }

    /// The slowest sample recorded through a writer since the last call (the first call: since
    /// the start): a reader every histogram has built in, for a single consumer that needs no
    /// registration. It does not take other readers' exemplars.
    pub fn take_exemplar(&self) -> Option<Exemplar> {
        let mut readers = self.lock_readers();
        self.close_epoch(&mut readers);
        readers.take_built_in()
    }

    fn lock_readers(&self) -> std::sync::MutexGuard<'_, Readers> {
        // A consumer that panicked mid-merge left whole samples: the data is still sound.
        self.exemplar_readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Closes the current exemplar epoch and hands its slowest sample to every reader. Called
    /// with the readers locked, so that epochs are closed and merged one at a time.
    fn close_epoch(&self, readers: &mut Readers) {
        // AcqRel: orders this epoch change with the slot reads below and with earlier closes.
        let closed = self.exemplar_epoch.fetch_add(1, Ordering::AcqRel);
        let slot = (closed & 1) as usize;
        let slowest = self
            .exclusive
            .iter()
            .filter_map(OnceLock::get)
            .filter_map(|shard| shard.exemplars[slot].read(closed))
            .max_by_key(|exemplar| exemplar.value_ns);
        readers.merge_closed(slowest);
    }
}

/// Clamps `value_ns` into range, counting it if it was clamped, and records it.
#[inline(always)]
fn record_clamped(shard: &Shard, value_ns: u64, exclusive: bool) {
    let value = if value_ns > MAX_VALUE {
        shard.note_saturated(exclusive);
        MAX_VALUE
    } else {
        value_ns
    };
    if exclusive {
        shard.record_exclusive(value);
    } else {
        shard.record_shared(value);
    }
}

/// A recording handle for one thread; see [`LatencyHistogram::writer`].
///
/// It is `Send` but not `Sync`: two threads recording through one exclusive shard would lose
/// updates, so the type system keeps a writer on one thread at a time.
pub struct HistogramWriter<'a> {
    histogram: &'a LatencyHistogram,
    shard: &'a Shard,
    slot: Option<usize>,
    not_sync: PhantomData<Cell<()>>,
}

impl<'a> HistogramWriter<'a> {
    fn new(histogram: &'a LatencyHistogram, shard: &'a Shard, slot: Option<usize>) -> Self {
        HistogramWriter {
            histogram,
            shard,
            slot,
            not_sync: PhantomData,
        }
    }

    /// Records one value in nanoseconds. Values above [`MAX_VALUE`] are clamped and counted.
    #[inline(always)]
    pub fn record(&self, value_ns: u64) {
        record_clamped(self.shard, value_ns, self.slot.is_some());
    }

    /// Records one value and offers it as the current exemplar interval's slowest sample:
    /// only a new maximum calls `sample` and stores it (see [`LatencyHistogram::take_exemplar`]).
    #[inline(always)]
    pub fn record_with_exemplar(&self, value_ns: u64, sample: impl FnOnce() -> Exemplar) {
        self.record(value_ns);
        if self.slot.is_some() {
            // Relaxed: a stale epoch only files the sample under the interval just closed.
            let epoch = self.histogram.exemplar_epoch.load(Ordering::Relaxed);
            let slot = &self.shard.exemplars[(epoch & 1) as usize];
            let value = value_ns.min(MAX_VALUE);
            if slot.beats(epoch, value) {
                slot.write(
                    epoch,
                    &Exemplar {
                        value_ns: value,
                        ..sample()
                    },
                );
            }
        }
    }

    /// Whether this writer owns an exclusive shard (false when all slots were taken).
    pub fn is_exclusive(&self) -> bool {
        self.slot.is_some()
    }
}

impl std::fmt::Debug for HistogramWriter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HistogramWriter")
            .field("slot", &self.slot)
            .finish_non_exhaustive()
    }
}

impl Drop for HistogramWriter<'_> {
    fn drop(&mut self) {
        if let Some(slot) = self.slot {
            self.histogram.claimed.release(slot);
        }
    }
}

#[cfg(test)]
mod tests;
