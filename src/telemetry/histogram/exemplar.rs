//! Exemplars: the slowest sample of each export interval, with where it happened (a trace and
//! span id, an event id), kept at almost no cost on the recording path.
//!
//! Each shard has two [`ExemplarSlot`]s, one per parity of the histogram's *exemplar epoch*.
//! A writer compares each value with the slot of the current epoch and writes the slot only
//! for a new maximum of the epoch (rare once an interval has warmed up): the common path is
//! two loads and a compare. A consumer closes an epoch by advancing it, then reads the closed
//! epoch's slots, which writers have stopped using, and hands their maximum to every registered
//! consumer (see `handoff`). Slots are seqlocks written only by their shard's owner, so a reader never sees a
//! torn exemplar: it retries while a write is in progress.
//!
//! A writer that read the epoch just before it advanced may still record into the closed
//! epoch's slot after the consumer has read it; that sample still counts in the histogram,
//! it just cannot become the closed interval's exemplar. The shared (overflow) shard keeps no
//! exemplars.

use std::sync::atomic::{AtomicU64, Ordering, fence};

/// Where a sample happened: a W3C trace context, as plain bytes (no tracing dependency).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct TraceContext {
    /// The 16-byte trace id.
    pub trace_id: [u8; 16],
    /// The 8-byte span id.
    pub span_id: [u8; 8],
    /// Whether the trace is sampled (exported); the `trace_based` exemplar filter keeps only
    /// exemplars of sampled traces.
    pub sampled: bool,
}

/// One real sample, kept as an interval's exemplar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exemplar {
    /// The sample, in nanoseconds.
    pub value_ns: u64,
    /// When it ended, on [`clock::now_ns`](crate::telemetry::clock::now_ns)'s scale.
    pub time_ns: u64,
    /// The trace and span it happened in, when the recorder had one.
    pub trace: Option<TraceContext>,
    /// The id of the event it timed, when the caller gave it.
    pub event_id: Option<u64>,
}

/// An [`Exemplar`] whose time is Unix epoch nanoseconds: what outlives the process (a
/// recording) or leaves it (an OTLP exemplar), where the process clock's scale means nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnixExemplar {
    /// The sample, in nanoseconds.
    pub value_ns: u64,
    /// When it ended, Unix epoch nanoseconds.
    pub time_unix_nano: u64,
    /// The trace and span it happened in, when the recorder had one.
    pub trace: Option<TraceContext>,
    /// The id of the event it timed, when the caller gave it.
    pub event_id: Option<u64>,
}

impl Exemplar {
    /// This sample with its time as Unix nanoseconds (see
    /// [`clock::to_unix_ns`](crate::telemetry::clock::to_unix_ns)).
    pub fn to_unix(&self) -> UnixExemplar {
        UnixExemplar {
            value_ns: self.value_ns,
            time_unix_nano: crate::telemetry::clock::to_unix_ns(self.time_ns),
            trace: self.trace,
            event_id: self.event_id,
        }
    }
}

const HAS_TRACE: u64 = 1;
const SAMPLED: u64 = 2;
const HAS_EVENT: u64 = 4;
const FLAG_BITS: u32 = 3;

/// One epoch's exemplar of one shard: exactly one cache line.
#[repr(C, align(64))]
pub(crate) struct ExemplarSlot {
    /// Even when stable, odd while the owner writes.
    seq: AtomicU64,
    /// `epoch << FLAG_BITS | flags`.
    tag: AtomicU64,
    value_ns: AtomicU64,
    time_ns: AtomicU64,
    event_id: AtomicU64,
    trace_high: AtomicU64,
    trace_low: AtomicU64,
    span: AtomicU64,
}

impl ExemplarSlot {
    pub(crate) const fn new() -> Self {
        ExemplarSlot {
            seq: AtomicU64::new(0),
            // An epoch no histogram starts at, so the first sample of epoch 0 is kept.
            tag: AtomicU64::new(u64::MAX),
            value_ns: AtomicU64::new(0),
            time_ns: AtomicU64::new(0),
            event_id: AtomicU64::new(0),
            trace_high: AtomicU64::new(0),
            trace_low: AtomicU64::new(0),
            span: AtomicU64::new(0),
        }
    }

    /// Whether `value` would be a new maximum of `epoch`: the recording path's only cost.
    #[inline(always)]
    pub(crate) fn beats(&self, epoch: u64, value: u64) -> bool {
        // Relaxed: only the owner writes these; the owner reads its own latest values.
        self.tag.load(Ordering::Relaxed) >> FLAG_BITS != epoch
            || value > self.value_ns.load(Ordering::Relaxed)
    }

    /// Writes a new maximum of `epoch`. Only the shard's single owner may call this.
    #[cold]
    pub(crate) fn write(&self, epoch: u64, sample: &Exemplar) {
        // Relaxed: the owner is the only writer of `seq`.
        let seq = self.seq.load(Ordering::Relaxed);
        self.seq.store(seq.wrapping_add(1), Ordering::Relaxed);
        // Release fence: a reader that sees any field below also sees the odd `seq` above.
        fence(Ordering::Release);
        let mut flags = 0;
        if let Some(trace) = sample.trace {
            flags |= HAS_TRACE | if trace.sampled { SAMPLED } else { 0 };
            let (high, low) = trace.trace_id.split_at(8);
            // Relaxed: published by the Release store of `seq` below.
            self.trace_high.store(word(high), Ordering::Relaxed);
            self.trace_low.store(word(low), Ordering::Relaxed);
            self.span.store(word(&trace.span_id), Ordering::Relaxed);
        }
        if let Some(id) = sample.event_id {
            flags |= HAS_EVENT;
            self.event_id.store(id, Ordering::Relaxed); // Relaxed: published below.
        }
        self.value_ns.store(sample.value_ns, Ordering::Relaxed); // Relaxed: published below.
        self.time_ns.store(sample.time_ns, Ordering::Relaxed); // Relaxed: published below.
        self.tag
            .store(epoch << FLAG_BITS | flags, Ordering::Relaxed); // Relaxed: published below.
        // Release: pairs with the reader's Acquire load of `seq`; the fields are complete.
        self.seq.store(seq.wrapping_add(2), Ordering::Release);
    }

    /// The slot's exemplar if it belongs to `epoch`, read consistently (retrying while the
    /// owner writes), or `None`.
    pub(crate) fn read(&self, epoch: u64) -> Option<Exemplar> {
        loop {
            // Acquire: pairs with the owner's Release store; the fields read below are at
            // least that write's.
            let before = self.seq.load(Ordering::Acquire);
            if before % 2 == 1 {
                std::hint::spin_loop();
                continue;
            }
            // Relaxed: validated by the seq check after the Acquire fence.
            let tag = self.tag.load(Ordering::Relaxed);
            let sample = Exemplar {
                value_ns: self.value_ns.load(Ordering::Relaxed),
                time_ns: self.time_ns.load(Ordering::Relaxed),
                trace: (tag & HAS_TRACE != 0).then(|| TraceContext {
                    trace_id: bytes16(
                        self.trace_high.load(Ordering::Relaxed),
                        self.trace_low.load(Ordering::Relaxed),
                    ),
                    span_id: self.span.load(Ordering::Relaxed).to_be_bytes(),
                    sampled: tag & SAMPLED != 0,
                }),
                event_id: (tag & HAS_EVENT != 0).then(|| self.event_id.load(Ordering::Relaxed)),
            };
            // Acquire fence: the loads above happen before the re-read of `seq`.
            fence(Ordering::Acquire);
            if self.seq.load(Ordering::Relaxed) == before {
                return (tag >> FLAG_BITS == epoch).then_some(sample);
            }
        }
    }
}

fn word(bytes: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&bytes[..8]);
    u64::from_be_bytes(word)
}

fn bytes16(high: u64, low: u64) -> [u8; 16] {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&high.to_be_bytes());
    bytes[8..].copy_from_slice(&low.to_be_bytes());
    bytes
}
