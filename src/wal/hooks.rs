//! `Hooks`: the instrumentation sink of the recovery manager — where its timings go, a
//! [`ManagerUpdater`] or nowhere.

use crate::telemetry::{ManagerUpdater, Status, TraceContext, clock};

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
