//! `RecoveryHooks`: the hooks that record a replay into a whole [`Recovery`] — the Manager's
//! four timing points plus the segment reader's, the preloader's and the progress — and the
//! plain timings the WAL hands them.

use crate::telemetry::{IntegrityProblem, ManagerUpdater, Phase, Recovery, Status, clock};
use crate::wal::recovery::hooks::Hooks;

/// When each step of loading one segment ended (`clock::now_ns`), measured by whichever
/// thread loaded it (the preloader's or the replay's); `None` for a step that was not reached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoadTimings {
    /// The load began.
    pub started: u64,
    /// The file was open and sized (`open_segment`).
    pub opened: Option<u64>,
    /// Every byte read was verified (`verify_segment`); the block index is gathered meanwhile.
    pub verified: Option<u64>,
    /// The index was complete and checked against the header (`build_index`).
    pub indexed: Option<u64>,
    /// The file was closed (`close_segment`): events are served from the reader's buffer.
    pub closed: Option<u64>,
}

impl LoadTimings {
    /// Timings starting now.
    pub fn start() -> Self {
        LoadTimings {
            started: clock::now_ns(),
            ..LoadTimings::default()
        }
    }

    /// The end of the last step reached.
    pub fn ended(&self) -> u64 {
        [self.closed, self.indexed, self.verified, self.opened]
            .into_iter()
            .flatten()
            .next()
            .unwrap_or(self.started)
    }
}

/// Records into a [`Recovery`]: the Manager's metrics through one [`ManagerUpdater`], the
/// other components directly. Build it with
/// [`RecoveryManager::open_recovery`](crate::wal::RecoveryManager::open_recovery).
#[derive(Debug)]
pub struct RecoveryHooks<'r> {
    updater: ManagerUpdater<'r>,
    recovery: &'r Recovery,
}

impl<'r> RecoveryHooks<'r> {
    /// Hooks recording into `recovery`.
    pub fn new(recovery: &'r Recovery) -> Self {
        RecoveryHooks {
            updater: recovery.manager.updater(),
            recovery,
        }
    }

    /// The updater of the Manager's metrics (e.g. for [`ManagerUpdater::set_trace_context`]).
    pub fn updater(&self) -> &ManagerUpdater<'r> {
        &self.updater
    }
}

fn record_step(op: &crate::telemetry::OperationStats, from: u64, to: Option<u64>, now: u64) {
    op.record(from, to.unwrap_or(now), to.is_some());
}

impl Hooks for RecoveryHooks<'_> {
    #[inline(always)]
    fn now(&self) -> u64 {
        clock::now_ns()
    }

    fn read_segment_header(&self, start_ns: u64, status: Status) -> u64 {
        self.updater.on_read_segment_header(start_ns, status)
    }

    fn resume_from_event(&self, start_ns: u64, status: Status) -> u64 {
        self.updater.on_resume_from_event(start_ns, status)
    }

    fn seek_event(&self, start_ns: u64) -> u64 {
        let end = self.updater.on_seek_event(start_ns);
        self.recovery
            .segment_reader
            .seek_event
            .record(start_ns, end);
        end
    }

    #[inline(always)]
    fn next_event(&self, start_ns: u64) -> u64 {
        self.updater.on_next_event(start_ns)
    }

    #[inline(always)]
    fn next_event_with_id(&self, start_ns: u64, event_id: u64) -> u64 {
        self.updater.on_next_event_with_id(start_ns, event_id)
    }

    fn flush(&self) {
        self.updater.flush();
    }

    fn set_trace_context(&self, trace: Option<crate::telemetry::TraceContext>) {
        self.updater.set_trace_context(trace);
    }

    fn segment_loaded(&self, timings: &LoadTimings, preloaded: bool, ok: bool) {
        let reader = &self.recovery.segment_reader;
        let now = timings.ended();
        let t = timings;
        record_step(&reader.open_segment, t.started, t.opened, now);
        if let Some(opened) = t.opened {
            record_step(
                &reader.verify_segment,
                opened,
                t.verified.filter(|_| ok),
                now,
            );
        }
        if let Some(verified) = t.verified {
            record_step(&reader.build_index, verified, t.indexed, now);
        }
        if let Some(indexed) = t.indexed {
            record_step(&reader.close_segment, indexed, t.closed, now);
        }
        if preloaded {
            let preloader = &self.recovery.preloader;
            preloader.preload_segment.record(t.started, now, ok);
        }
    }

    fn integrity_problem(&self, problem: IntegrityProblem) {
        self.recovery.segment_reader.count_problem(problem);
    }

    fn stalled(&self, start_ns: u64, end_ns: u64) {
        self.recovery.preloader.stalled(start_ns, end_ns);
    }

    fn ready_ahead(&self, segments: u64) {
        self.recovery.preloader.set_ready_ahead(segments);
    }

    fn segment_finished(&self, start_ns: u64, end_ns: u64) {
        self.recovery
            .preloader
            .finish_segment
            .record(start_ns, end_ns, true);
    }

    fn segment_switched(&self, start_ns: u64, end_ns: u64) {
        self.recovery
            .preloader
            .switch_segment
            .record(start_ns, end_ns);
    }

    fn phase(&self, phase: Phase) {
        self.recovery.progress.set_phase(phase);
    }

    fn scanned(&self, segments: u64, last_event_id: Option<u64>) {
        self.recovery.progress.scanned(segments, last_event_id);
    }

    fn replay_started(&self) {
        self.recovery.progress.replay_started(clock::now_ns());
    }

    const PROGRESS_WITHIN_SEGMENTS: bool = true;

    fn replayed(&self, events: u64, bytes: u64, current_event_id: u64) {
        let progress = &self.recovery.progress;
        progress.replayed(events, bytes, current_event_id, clock::now_ns());
    }

    fn segment_replayed(&self) {
        self.recovery.progress.segment_replayed();
    }

    fn discarded(&self, bytes: u64) {
        self.recovery.progress.discarded(bytes);
    }
}
