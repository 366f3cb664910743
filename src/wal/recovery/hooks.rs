//! `Hooks`: the instrumentation sink of the recovery manager — where its timings go, a
//! [`ManagerUpdater`] or nowhere.

use crate::telemetry::{IntegrityProblem, ManagerUpdater, Phase, Status, TraceContext, clock};
use crate::wal::recovery::telemetry_hooks::LoadTimings;

/// The recovery manager's four timing points, plus the clock read that starts a timing.
///
/// Implemented by [`ManagerUpdater`] (record into a [`Manager`](crate::telemetry::Manager)) and
/// by [`NoTelemetry`] (record nothing and read no clock), so that a replay with telemetry off
/// runs the same code minus the recording and the overhead can be measured honestly. Every
/// method returns the end time of what it timed, like the updater's hooks; success or failure
/// is passed as a [`Status`], as the updater's hooks take it.
pub trait Hooks {
    /// A start time for a timing.
    fn now(&self) -> u64;
    /// A segment header read that began at `start_ns` finished with `status`.
    fn read_segment_header(&self, start_ns: u64, status: Status) -> u64;
    /// A resume that began at `start_ns` finished with `status`.
    fn resume_from_event(&self, start_ns: u64, status: Status) -> u64;
    /// A reader seek that began at `start_ns` finished.
    fn seek_event(&self, start_ns: u64) -> u64;
    /// An event fetch that began at `start_ns` finished.
    fn next_event(&self, start_ns: u64) -> u64;
    /// The fetch of event `event_id` that began at `start_ns` finished (the id goes on the
    /// sample's exemplar). By default the same as [`next_event`](Self::next_event).
    #[inline(always)]
    fn next_event_with_id(&self, start_ns: u64, _event_id: u64) -> u64 {
        self.next_event(start_ns)
    }
    /// Publishes anything recorded but held back (the updater's pending `next_event` sample).
    fn flush(&self) {}
    /// The span the following samples happen in (a `wal.segment.replay`), for exemplars.
    fn set_trace_context(&self, _trace: Option<TraceContext>) {}

    // The rest is the other components' telemetry (see `RecoveryHooks`): per segment or per
    // phase, never per event, and nothing by default.

    /// A segment was loaded (by the preloader when `preloaded`) with these step timings;
    /// `ok` when it verified completely.
    fn segment_loaded(&self, _timings: &LoadTimings, _preloaded: bool, _ok: bool) {}
    /// An integrity problem was found (counted once per problem).
    fn integrity_problem(&self, _problem: IntegrityProblem) {}
    /// The replay waited for a segment from `start_ns` to `end_ns`.
    fn stalled(&self, _start_ns: u64, _end_ns: u64) {}
    /// Segments verified and waiting at a segment boundary.
    fn ready_ahead(&self, _segments: u64) {}
    /// A replayed segment was released, from `start_ns` to `end_ns`.
    fn segment_finished(&self, _start_ns: u64, _end_ns: u64) {}
    /// The replay moved from one segment to the next, from `start_ns` (the last event of the
    /// one) to `end_ns` (ready for the first of the next): the hand-off and the finish.
    fn segment_switched(&self, _start_ns: u64, _end_ns: u64) {}
    /// The recovery entered `phase`.
    fn phase(&self, _phase: Phase) {}
    /// The scan found `segments` segments ending at `last_event_id`.
    fn scanned(&self, _segments: u64, _last_event_id: Option<u64>) {}
    /// The replay of events begins.
    fn replay_started(&self) {}
    /// Whether [`replayed`](Self::replayed) wants to hear within a segment; when false (the
    /// default) the replay skips the per-block check altogether and reports once per segment.
    const PROGRESS_WITHIN_SEGMENTS: bool = false;
    /// `events` more events (`bytes` of them) were replayed, up to `current_event_id`: called
    /// every [`PROGRESS_EVENTS`](crate::wal::PROGRESS_EVENTS) events when
    /// [`PROGRESS_WITHIN_SEGMENTS`](Self::PROGRESS_WITHIN_SEGMENTS), and at each segment's end.
    fn replayed(&self, _events: u64, _bytes: u64, _current_event_id: u64) {}
    /// One more segment was replayed to its end.
    fn segment_replayed(&self) {}
    /// A torn or unsealed tail of `bytes` bytes was discarded.
    fn discarded(&self, _bytes: u64) {}
}

impl Hooks for ManagerUpdater<'_> {
    #[inline(always)]
    fn now(&self) -> u64 {
        clock::now_ns()
    }

    #[inline]
    fn read_segment_header(&self, start_ns: u64, status: Status) -> u64 {
        self.on_read_segment_header(start_ns, status)
    }

    #[inline]
    fn resume_from_event(&self, start_ns: u64, status: Status) -> u64 {
        self.on_resume_from_event(start_ns, status)
    }

    #[inline]
    fn seek_event(&self, start_ns: u64) -> u64 {
        self.on_seek_event(start_ns)
    }

    #[inline(always)]
    fn next_event(&self, start_ns: u64) -> u64 {
        self.on_next_event(start_ns)
    }

    #[inline(always)]
    fn next_event_with_id(&self, start_ns: u64, event_id: u64) -> u64 {
        self.on_next_event_with_id(start_ns, event_id)
    }

    fn flush(&self) {
        ManagerUpdater::flush(self);
    }

    fn set_trace_context(&self, trace: Option<TraceContext>) {
        ManagerUpdater::set_trace_context(self, trace);
    }
}

/// Records nothing and never reads the clock: telemetry off.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoTelemetry;

impl Hooks for NoTelemetry {
    #[inline(always)]
    fn now(&self) -> u64 {
        0
    }

    #[inline(always)]
    fn read_segment_header(&self, _start_ns: u64, _status: Status) -> u64 {
        0
    }

    #[inline(always)]
    fn resume_from_event(&self, _start_ns: u64, _status: Status) -> u64 {
        0
    }

    #[inline(always)]
    fn seek_event(&self, _start_ns: u64) -> u64 {
        0
    }

    #[inline(always)]
    fn next_event(&self, _start_ns: u64) -> u64 {
        0
    }
}
