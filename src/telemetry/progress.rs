//! `RecoveryProgress`: how far a recovery is — its phase, what it has replayed, and when it
//! should finish — updated per segment and per block, never per event.

use std::sync::atomic::{AtomicU64, Ordering};

use super::names::{Attribute, Metric, MetricKey, PHASE_ATTRIBUTE};

/// Where a recovery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Phase {
    /// Scanning the directory and reading segment headers (also before the recovery starts).
    #[default]
    Scan,
    /// Resuming at an event id: locate, open, verify, seek.
    Resume,
    /// Replaying events.
    Replay,
    /// Finished: every event was replayed.
    Done,
    /// Stopped by an error.
    Failed,
}

impl Phase {
    /// Every phase, in order; one exported series each.
    pub const ALL: [Phase; 5] = [
        Phase::Scan,
        Phase::Resume,
        Phase::Replay,
        Phase::Done,
        Phase::Failed,
    ];

    /// The phase's name: the value of its series' `wal.recovery.phase` attribute.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Scan => "scan",
            Phase::Resume => "resume",
            Phase::Replay => "replay",
            Phase::Done => "done",
            Phase::Failed => "failed",
        }
    }

    /// The phase [`name`](Self::name)d `name`, if any.
    pub fn from_name(name: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|phase| phase.name() == name)
    }

    /// The key of this phase's series of the phase metric.
    pub fn key(self, prefix: &str) -> MetricKey<'_> {
        MetricKey {
            attribute: Some(Attribute {
                key: PHASE_ATTRIBUTE,
                value: self.name(),
            }),
            ..MetricKey::new(prefix, Metric::Phase, None)
        }
    }

    fn from_code(code: u64) -> Phase {
        Phase::ALL
            .get(code as usize)
            .copied()
            .unwrap_or(Phase::Failed)
    }

    fn code(self) -> u64 {
        Phase::ALL.iter().position(|&p| p == self).unwrap_or(0) as u64
    }
}

/// "Not known yet" for an event id; never shown (snapshots turn it into `None`).
const UNKNOWN: u64 = u64::MAX;
/// The rate is re-estimated once this much time has passed since the last estimate.
const RATE_WINDOW_NS: u64 = 100_000_000;

/// The progress of one recovery, written by the thread that runs it and read by anyone.
///
/// Counters only grow and the current event id only rises, so no two snapshots ever show the
/// recovery going backwards. The ETA is the events left divided by the recent rate, which is
/// re-estimated every 100 ms of replay from the events replayed in that window (smoothed).
#[repr(C, align(64))]
pub struct RecoveryProgress {
    phase: AtomicU64,
    events_replayed: AtomicU64,
    bytes_replayed: AtomicU64,
    bytes_discarded: AtomicU64,
    segments_replayed: AtomicU64,
    segments_total: AtomicU64,
    current_event_id: AtomicU64,
    last_event_id: AtomicU64,
    rate_bits: AtomicU64,
    window_start_ns: AtomicU64,
    window_start_events: AtomicU64,
}

impl Default for RecoveryProgress {
    fn default() -> Self {
        Self::new()
    }
}

// Relaxed throughout: one thread writes, each field is read on its own, and every field only
// grows or is replaced whole; nothing is derived from two fields read together except the
// ETA, an estimate.
impl RecoveryProgress {
    /// No progress yet, in the scan phase.
    pub const fn new() -> Self {
        RecoveryProgress {
            phase: AtomicU64::new(0),
            events_replayed: AtomicU64::new(0),
            bytes_replayed: AtomicU64::new(0),
            bytes_discarded: AtomicU64::new(0),
            segments_replayed: AtomicU64::new(0),
            segments_total: AtomicU64::new(0),
            current_event_id: AtomicU64::new(UNKNOWN),
            last_event_id: AtomicU64::new(UNKNOWN),
            rate_bits: AtomicU64::new(0),
            window_start_ns: AtomicU64::new(0),
            window_start_events: AtomicU64::new(0),
        }
    }

    /// Enters `phase`.
    pub fn set_phase(&self, phase: Phase) {
        self.phase.store(phase.code(), Ordering::Relaxed);
    }

    /// The scan found `segments` segments whose last event id is `last_event_id`.
    pub fn scanned(&self, segments: u64, last_event_id: Option<u64>) {
        self.segments_total.store(segments, Ordering::Relaxed);
        self.last_event_id
            .store(last_event_id.unwrap_or(UNKNOWN), Ordering::Relaxed);
    }

    /// The replay starts at `now_ns` (the ETA's first window starts here).
    pub fn replay_started(&self, now_ns: u64) {
        self.window_start_ns.store(now_ns, Ordering::Relaxed);
        let events = self.events_replayed.load(Ordering::Relaxed);
        self.window_start_events.store(events, Ordering::Relaxed);
        self.set_phase(Phase::Replay);
    }

    /// `events` more events and `bytes` more bytes were replayed, up to `current_event_id`,
    /// at `now_ns`: called at block (or segment) boundaries.
    pub fn replayed(&self, events: u64, bytes: u64, current_event_id: u64, now_ns: u64) {
        let total = self.events_replayed.fetch_add(events, Ordering::Relaxed) + events;
        self.bytes_replayed.fetch_add(bytes, Ordering::Relaxed);
        let previous = self.current_event_id.load(Ordering::Relaxed);
        if previous == UNKNOWN || current_event_id > previous {
            self.current_event_id
                .store(current_event_id, Ordering::Relaxed);
        }
        let window_ns = now_ns.saturating_sub(self.window_start_ns.load(Ordering::Relaxed));
        if window_ns >= RATE_WINDOW_NS {
            let window_events = total - self.window_start_events.load(Ordering::Relaxed);
            let rate = window_events as f64 * 1e9 / window_ns as f64;
            let old = f64::from_bits(self.rate_bits.load(Ordering::Relaxed));
            let smoothed = if old > 0.0 {
                0.5 * old + 0.5 * rate
            } else {
                rate
            };
            self.rate_bits.store(smoothed.to_bits(), Ordering::Relaxed);
            self.window_start_ns.store(now_ns, Ordering::Relaxed);
            self.window_start_events.store(total, Ordering::Relaxed);
        }
    }

    /// A torn or unsealed tail of `bytes` bytes was discarded.
    pub fn discarded(&self, bytes: u64) {
        self.bytes_discarded.fetch_add(bytes, Ordering::Relaxed);
    }

    /// One more segment was replayed to its end.
    pub fn segment_replayed(&self) {
        self.segments_replayed.fetch_add(1, Ordering::Relaxed);
    }

    /// A plain copy of the progress.
    pub fn snapshot(&self) -> ProgressSnapshot {
        let known = |id: u64| (id != UNKNOWN).then_some(id);
        let current = known(self.current_event_id.load(Ordering::Relaxed));
        let last = known(self.last_event_id.load(Ordering::Relaxed));
        let rate = f64::from_bits(self.rate_bits.load(Ordering::Relaxed));
        let phase = Phase::from_code(self.phase.load(Ordering::Relaxed));
        ProgressSnapshot {
            phase,
            events_replayed: self.events_replayed.load(Ordering::Relaxed),
            bytes_replayed: self.bytes_replayed.load(Ordering::Relaxed),
            bytes_discarded: self.bytes_discarded.load(Ordering::Relaxed),
            segments_replayed: self.segments_replayed.load(Ordering::Relaxed),
            segments_total: self.segments_total.load(Ordering::Relaxed),
            current_event_id: current,
            last_event_id: last,
            events_per_sec: rate,
            eta_ns: eta_ns(phase, current, last, rate),
        }
    }
}

/// Events left over the recent rate; `None` until both are known, 0 once done.
fn eta_ns(phase: Phase, current: Option<u64>, last: Option<u64>, rate: f64) -> Option<u64> {
    if phase == Phase::Done {
        return Some(0);
    }
    let left = last?.saturating_sub(current?);
    (rate > 0.0 && phase == Phase::Replay).then(|| (left as f64 / rate * 1e9) as u64)
}

impl std::fmt::Debug for RecoveryProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("RecoveryProgress")
            .field(&self.snapshot())
            .finish()
    }
}

/// A plain copy of [`RecoveryProgress`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ProgressSnapshot {
    /// The current phase.
    pub phase: Phase,
    /// Events replayed so far.
    pub events_replayed: u64,
    /// Event bytes replayed so far (64 per event).
    pub bytes_replayed: u64,
    /// Bytes of torn or unsealed tails discarded.
    pub bytes_discarded: u64,
    /// Segments replayed to their end.
    pub segments_replayed: u64,
    /// Segments the scan found.
    pub segments_total: u64,
    /// Id of the last event replayed, once there is one.
    pub current_event_id: Option<u64>,
    /// Id of the WAL's last event, once the scan knows it.
    pub last_event_id: Option<u64>,
    /// The recent replay rate (0 until first estimated).
    pub events_per_sec: f64,
    /// Estimated time left, once a rate and both ids are known.
    pub eta_ns: Option<u64>,
}

impl ProgressSnapshot {
    /// This snapshot with its counters (events, bytes replayed and discarded, segments
    /// replayed) counted since `base`, and its levels (phase, totals, ids, rate) as they are:
    /// what a delta export of the progress carries.
    pub fn counters_since(&self, base: &ProgressSnapshot) -> ProgressSnapshot {
        ProgressSnapshot {
            events_replayed: self.events_replayed.saturating_sub(base.events_replayed),
            bytes_replayed: self.bytes_replayed.saturating_sub(base.bytes_replayed),
            bytes_discarded: self.bytes_discarded.saturating_sub(base.bytes_discarded),
            segments_replayed: self
                .segments_replayed
                .saturating_sub(base.segments_replayed),
            ..*self
        }
    }

    /// Segments not replayed yet.
    pub fn segments_left(&self) -> u64 {
        self.segments_total.saturating_sub(self.segments_replayed)
    }
}
