//! `RecoveryManager`: replays a WAL directory, timed at the points the specification names.

pub(in crate::wal) mod discarded;
pub(in crate::wal) mod hooks;
mod load;
pub(in crate::wal) mod preloader;
pub(in crate::wal) mod report;
#[cfg_attr(not(feature = "traces"), path = "spans_off.rs")]
pub(in crate::wal) mod spans;
pub(in crate::wal) mod stop;
pub(in crate::wal) mod telemetry_hooks;

pub(crate) use load::integrity_problem;

use std::path::{Path, PathBuf};

use self::discarded::Discarded;
use self::hooks::{Hooks, NoTelemetry};
use self::preloader::{Preloader, Taken};
use self::report::{RecoveryReport, Survey};
use self::spans::{RecoverySpans, end_step, set_index};
use self::stop::StopHandle;
use self::telemetry_hooks::RecoveryHooks;
use crate::telemetry::{IntegrityProblem, Manager, ManagerUpdater, Phase, Recovery, Status};
use crate::wal::error::WalError;
use crate::wal::format::{EventView, SegmentHeader};
use crate::wal::options::{RecoveryMode, RecoveryOptions};
use crate::wal::read::reader::{Buffers, VerifiedSegment};
use crate::wal::read::scan::SegmentInfo;

/// The replay tells the progress about replayed events every this many events (one block's
/// worth, [`BLOCK_EVENTS`](crate::wal::format::BLOCK_EVENTS)), not per event: a progress bar moves
/// smoothly even through one huge segment, at one branch per event.
pub const PROGRESS_EVENTS: u64 = crate::wal::format::BLOCK_EVENTS as u64;

/// Replays a WAL directory from any event id, across segment boundaries.
///
/// - [`open`](Self::open) scans the directory and reads every segment header, timing each read
///   with `on_read_segment_header` (a failed read is recorded as a failure), then sorts the
///   segments by first event id and checks that the ids are contiguous. An unsealed last
///   segment is read in full there, to know where its intact events end.
/// - [`resume_from_event`](Self::resume_from_event) locates the segment holding an id, opens
///   and verifies it, and seeks: `on_resume_from_event` times the whole, `on_seek_event` the
///   inner seek alone.
/// - [`next_event`](Self::next_event) returns the next event, crossing into the next segment
///   when one ends; `on_next_event` times it, each event's start being the previous one's end,
///   so the hot loop reads the clock once per event.
///
/// While a segment is replayed, a preloader thread reads and verifies the next one into a
/// buffer of its own. Events come from those buffers, never from the files directly: a file
/// changed or cut during the replay gives an error naming it, or the bytes already verified.
///
/// Faults are treated by the [`RecoveryMode`] of the [`RecoveryOptions`]; what a replay left out
/// is in [`report`](Self::report).
///
/// The hooks are one [`ManagerUpdater`] (or [`NoTelemetry`]), owned by the manager: a
/// `RecoveryManager` is used from one thread at a time. The updater holds the last
/// `next_event` sample back until the next event, [`flush_telemetry`](Self::flush_telemetry)
/// or drop (see [`ManagerUpdater`]).
pub struct RecoveryManager<H: Hooks> {
    dir: PathBuf,
    mode: RecoveryMode,
    segments: Vec<SegmentInfo>,
    hooks: H,
    current: Option<VerifiedSegment>,
    /// The unsealed last segment, read by the survey, until the replay gets to it.
    tail_reader: Option<VerifiedSegment>,
    /// The slot in `segments` of `current`; `segments.len()` once the replay has ended.
    slot: usize,
    /// A point-in-time replay ends after this slot (a fault was found in it).
    stop_after: Option<usize>,
    positioned: bool,
    /// End time of the last timed step: the start of the next event's timing.
    last_end: u64,
    preloader: Preloader,
    /// Checked at segment boundaries only: see [`StopHandle`].
    stop: StopHandle,
    /// Whether the replay ended because of `stop`.
    stopped: bool,
    report: RecoveryReport,
    /// Events `current` had left when it became current: what replaying it to its end adds
    /// to the progress.
    current_events: u64,
    /// How many of `current_events` the progress has been told about already.
    reported_events: u64,
    /// The last slot whose integrity problem was counted, so that a retried load counts none.
    counted_problem: Option<usize>,
    spans: RecoverySpans,
}

impl<H: Hooks> std::fmt::Debug for RecoveryManager<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecoveryManager")
            .field("dir", &self.dir)
            .field("mode", &self.mode)
            .field("segments", &self.segments.len())
            .field("slot", &self.slot)
            .finish_non_exhaustive()
    }
}

impl<'m> RecoveryManager<ManagerUpdater<'m>> {
    /// Scans `dir`, recording into `manager` through one updater owned by the result.
    pub fn open(dir: impl AsRef<Path>, manager: &'m Manager) -> Result<Self, WalError> {
        Self::with_hooks(dir, manager.updater())
    }
}

impl<'r> RecoveryManager<RecoveryHooks<'r>> {
    /// Scans `dir`, recording the whole recovery into `recovery`: the Manager's metrics, the
    /// segment reader's and the preloader's, and the progress.
    pub fn open_recovery(dir: impl AsRef<Path>, recovery: &'r Recovery) -> Result<Self, WalError> {
        Self::with_hooks(dir, RecoveryHooks::new(recovery))
    }
}

impl RecoveryManager<NoTelemetry> {
    /// Scans `dir` and records nothing: the same replay with telemetry off.
    pub fn open_untimed(dir: impl AsRef<Path>) -> Result<Self, WalError> {
        Self::with_hooks(dir, NoTelemetry)
    }
}

impl<H: Hooks> RecoveryManager<H> {
    /// Scans `dir`, recording into `hooks`, in the default mode (tolerate-tail). See the type
    /// docs.
    pub fn with_hooks(dir: impl AsRef<Path>, hooks: H) -> Result<Self, WalError> {
        Self::with_options(dir, hooks, RecoveryOptions::default())
    }

    /// Scans `dir`, recording into `hooks`, treating faults as `options` say. When several
    /// headers are bad, every one is still read and recorded.
    pub fn with_options(
        dir: impl AsRef<Path>,
        hooks: H,
        options: RecoveryOptions,
    ) -> Result<Self, WalError> {
        Self::traced(dir.as_ref(), hooks, options, None)
    }

    /// Like [`with_options`](Self::with_options), with the spans made by `tracer` instead of
    /// the global tracer provider's (feature `traces`). The spans are children of the
    /// current context either way.
    #[cfg(feature = "traces")]
    pub fn with_tracer(
        dir: impl AsRef<Path>,
        hooks: H,
        options: RecoveryOptions,
        tracer: opentelemetry::global::BoxedTracer,
    ) -> Result<Self, WalError> {
        Self::traced(dir.as_ref(), hooks, options, Some(tracer))
    }

    fn traced(
        dir: &Path,
        hooks: H,
        options: RecoveryOptions,
        #[cfg(feature = "traces")] tracer: Option<opentelemetry::global::BoxedTracer>,
        #[cfg(not(feature = "traces"))] tracer: Option<()>,
    ) -> Result<Self, WalError> {
        let dir = dir.to_path_buf();
        let mut spans = RecoverySpans::start(&dir, tracer);
        hooks.phase(Phase::Scan);
        let survey = Survey::run(&dir, options.mode, &hooks, &mut spans).inspect_err(|error| {
            hooks.phase(Phase::Failed);
            spans.scan_end(Err(error));
        })?;
        let first = survey
            .segments
            .first()
            .map_or(0, |s| s.header.first_event_id);
        let end = survey.segments.last().map_or(0, |s| s.header.last_event_id);
        spans.scan_end(Ok((survey.segments.len(), first, end)));
        let last = survey.segments.last().map(|s| s.header.last_event_id);
        hooks.scanned(survey.segments.len() as u64, last);
        let discarded = survey.report.discarded.iter().map(|d| d.bytes).sum();
        if discarded > 0 {
            hooks.discarded(discarded);
        }
        if let Some(tail) = &survey.tail_reader {
            hooks.segment_loaded(tail.timings(), false, true);
        }
        Ok(RecoveryManager {
            dir,
            mode: options.mode,
            segments: survey.segments,
            hooks,
            current: None,
            tail_reader: survey.tail_reader,
            slot: 0,
            stop_after: None,
            positioned: false,
            last_end: 0,
            preloader: Preloader::new(),
            stop: StopHandle::default(),
            stopped: false,
            report: survey.report,
            current_events: 0,
            reported_events: 0,
            counted_problem: None,
            spans,
        })
    }

    /// The WAL directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The segments to replay, sorted by first event id (an unsealed last one with the counts
    /// of its intact prefix).
    pub fn segments(&self) -> &[SegmentInfo] {
        &self.segments
    }

    /// What the replay left out so far: tails, unfinished creations, a point-in-time stop.
    pub fn report(&self) -> &RecoveryReport {
        &self.report
    }

    /// The hooks, e.g. the [`ManagerUpdater`].
    pub fn hooks(&self) -> &H {
        &self.hooks
    }

    /// Publishes the hooks' held-back sample, so that a snapshot taken now counts every
    /// event returned so far. Dropping the `RecoveryManager` does the same.
    pub fn flush_telemetry(&self) {
        self.hooks.flush();
    }

    /// Id of the WAL's first event (0 for a WAL without intact events).
    pub fn first_event_id(&self) -> u64 {
        self.segments.first().map_or(0, |s| s.header.first_event_id)
    }

    /// Id of the WAL's last event (0 for a WAL without intact events). A point-in-time replay
    /// may stop before it, at a fault found only when the segment is read.
    pub fn last_event_id(&self) -> u64 {
        self.segments.last().map_or(0, |s| s.header.last_event_id)
    }

    /// Number of events in the WAL.
    pub fn event_count(&self) -> u64 {
        self.segments.iter().map(|s| s.header.event_count).sum()
    }

    /// Positions the replay at the first event whose id is `>= event_id` and returns that id,
    /// or `None` if `event_id` is past the last event (the replay is then at its end).
    ///
    /// An id before the WAL's first event is an error ([`WalError::EventBeforeWal`]): those
    /// events are gone, and replaying from later would silently skip them.
    pub fn resume_from_event(&mut self, event_id: u64) -> Result<Option<u64>, WalError> {
        self.hooks.phase(Phase::Resume);
        self.close_segment();
        self.spans.resume_start(event_id);
        let start = self.hooks.now();
        let result = self.locate_and_seek(event_id);
        self.last_end = self.hooks.resume_from_event(start, Status::from(&result));
        self.spans.resume_end(result.as_ref().err());
        if result.is_ok() && self.current.is_some() {
            self.open_segment();
            self.preload(self.slot + 1, Buffers::default());
        }
        match &result {
            Ok(Some(_)) => self.hooks.replay_started(),
            Ok(None) => self.hooks.phase(Phase::Done),
            Err(_) => self.hooks.phase(Phase::Failed),
        }
        result
    }

    fn locate_and_seek(&mut self, event_id: u64) -> Result<Option<u64>, WalError> {
        self.current = None;
        self.positioned = false;
        let first = self.first_event_id();
        if event_id < first {
            return Err(WalError::EventBeforeWal {
                dir: self.dir.clone(),
                requested: event_id,
                first,
            });
        }
        let locate = self.spans.step("wal.segment.locate", None);
        let slot = self
            .segments
            .partition_point(|s| s.header.last_event_id < event_id);
        let found = self
            .segments
            .get(slot)
            .map_or(0, |s| s.header.segment_index);
        set_index(&locate, found);
        end_step(locate, None);
        self.slot = slot;
        self.positioned = true;
        if slot >= self.segments.len() {
            return Ok(None);
        }
        let mut reader = self.load(slot, false)?;
        let seek = self.spans.step("wal.seek", Some(found));
        let seek_start = self.hooks.now();
        let landed = reader.seek(event_id);
        self.hooks.seek_event(seek_start);
        end_step(seek, None);
        self.current_events = reader.remaining();
        self.reported_events = 0;
        self.current = Some(reader);
        Ok(landed)
    }

    /// The next event, or `None` at the end of the WAL. Crosses segment boundaries, opening the
    /// next segment (normally already verified by the preloader). Without a prior
    /// [`resume_from_event`](Self::resume_from_event), the replay starts at the first event.
    ///
    /// An error (the next segment fails verification) leaves the replay where it was: calling
    /// again retries the same segment.
    #[inline]
    pub fn next_event(&mut self) -> Result<Option<EventView<'_>>, WalError> {
        if !self.positioned {
            self.resume_from_event(self.first_event_id())?;
        }
        if self.current.as_ref().is_some_and(|r| r.remaining() == 0) {
            self.advance()
                .inspect_err(|_| self.hooks.phase(Phase::Failed))?;
        }
        let Some(reader) = self.current.as_mut() else {
            return Ok(None);
        };
        // What the reader will have left after this event (it returns one when any are left).
        let left = reader.remaining().saturating_sub(1);
        let Some(event) = reader.next() else {
            return Ok(None);
        };
        self.last_end = self.hooks.next_event_with_id(self.last_end, event.id());
        if H::PROGRESS_WITHIN_SEGMENTS && left % PROGRESS_EVENTS == 0 {
            let replayed = self.current_events.saturating_sub(left);
            let new =
                replayed.saturating_sub(std::mem::replace(&mut self.reported_events, replayed));
            report_progress(&self.hooks, new, event.id());
        }
        Ok(Some(event))
    }

    /// A handle that stops this replay from another thread: after
    /// [`StopHandle::stop`], [`next_event`](Self::next_event) returns `Ok(None)` when the
    /// current segment ends, and [`was_stopped`](Self::was_stopped) returns true.
    pub fn stop_handle(&self) -> StopHandle {
        self.stop.clone()
    }

    /// Whether the replay ended early because its [`StopHandle`] asked it to.
    pub fn was_stopped(&self) -> bool {
        self.stopped
    }

    /// Moves from an exhausted segment to the next one, or to the end of the WAL (also when a
    /// stop has been asked for: the one place the flag is read).
    #[cold]
    #[inline(never)]
    fn advance(&mut self) -> Result<(), WalError> {
        let switching = self.hooks.now();
        let next = self.slot + 1;
        self.close_segment();
        self.count_replayed();
        if next < self.segments.len() && self.stop.is_stopped() {
            self.stopped = true;
        }
        if next >= self.segments.len() || self.stopped || self.stop_after == Some(self.slot) {
            self.current = None;
            self.slot = self.segments.len();
            if !self.stopped {
                self.hooks.phase(Phase::Done);
            }
            self.spans.finish();
            return Ok(());
        }
        let reader = self
            .load(next, true)
            .inspect_err(|error| self.spans.replay_failed(error))?;
        self.current_events = reader.remaining();
        let done = self.current.replace(reader);
        self.slot = next;
        self.open_segment();
        let finishing = self.hooks.now();
        let buffers = done.map(VerifiedSegment::into_buffers).unwrap_or_default();
        self.preload(next + 1, buffers);
        let switched = self.hooks.now();
        self.hooks.segment_finished(finishing, switched);
        self.hooks.segment_switched(switching, switched);
        Ok(())
    }

    /// Adds what the progress has not been told yet of the segment just replayed to its end,
    /// and the segment itself (once: it is then spent).
    fn count_replayed(&mut self) {
        let events = std::mem::take(&mut self.current_events);
        let reported = std::mem::take(&mut self.reported_events);
        if let (Some(reader), true) = (&self.current, events > 0) {
            let last = reader.last_event_id().unwrap_or(0);
            report_progress(&self.hooks, events - reported, last);
            self.hooks.segment_replayed();
        }
    }

    /// Starts the current reader's `wal.segment.replay` and points the exemplars at it.
    #[cold]
    fn open_segment(&mut self) {
        let (Some(reader), Some(info)) = (&self.current, self.segments.get(self.slot)) else {
            return;
        };
        let header = reader.header();
        let bytes = std::fs::metadata(&info.path).map_or(0, |m| m.len());
        let trace = self.spans.segment_start(
            header.segment_index,
            header.first_event_id,
            info.header.last_event_id,
            reader.event_count(),
            bytes,
        );
        self.hooks.set_trace_context(trace);
    }

    /// Counts the current segment's replayed events and ends its `wal.segment.replay`.
    #[cold]
    fn close_segment(&mut self) {
        if let Some(reader) = &self.current {
            let returned = self.current_events.saturating_sub(reader.remaining());
            self.spans.add_replayed(returned);
        }
        self.spans.segment_end();
        self.hooks.set_trace_context(None);
    }
}

impl<H: Hooks> Drop for RecoveryManager<H> {
    /// Ends the spans still open (the last segment's, the replay's, the recovery's).
    fn drop(&mut self) {
        self.close_segment();
        self.spans.finish();
    }
}

/// Tells the progress about `events` more replayed events, up to `current_event_id`: every
/// [`PROGRESS_EVENTS`] events, off the per-event path.
#[cold]
#[inline(never)]
fn report_progress<H: Hooks>(hooks: &H, events: u64, current_event_id: u64) {
    if events > 0 {
        let bytes = events * crate::wal::format::EVENT_SIZE as u64;
        hooks.replayed(events, bytes, current_event_id);
    }
}
