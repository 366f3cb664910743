//! `RecoveryManager`: replays a WAL directory, timed at the points the specification names.

use std::path::{Path, PathBuf};

use super::error::WalError;
use super::format::{EventView, SegmentHeader};
use super::hooks::{Hooks, NoTelemetry};
use super::options::{RecoveryMode, RecoveryOptions};
use super::preloader::Preloader;
use super::reader::{Buffers, SegmentReader};
use super::scan::SegmentInfo;
use super::spans::{RecoverySpans, end_step, set_index};
use super::stop::StopHandle;
use super::survey::{RecoveryReport, Survey};
use super::tail::Discarded;
use crate::telemetry::{Manager, ManagerUpdater, Status};

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
    current: Option<SegmentReader>,
    /// The unsealed last segment, read by the survey, until the replay gets to it.
    tail_reader: Option<SegmentReader>,
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
    spans: RecoverySpans,
    /// `remaining()` of the current reader when its `wal.segment.replay` began.
    segment_remaining: u64,
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
        let survey = Survey::run(&dir, options.mode, &hooks, &mut spans);
        let survey = match survey {
            Ok(survey) => survey,
            Err(error) => {
                spans.scan_end(Err(&error));
                return Err(error);
            }
        };
        let first = survey
            .segments
            .first()
            .map_or(0, |s| s.header.first_event_id);
        let last = survey.segments.last().map_or(0, |s| s.header.last_event_id);
        spans.scan_end(Ok((survey.segments.len(), first, last)));
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
            spans,
            segment_remaining: 0,
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
        let locate = self.spans.step("wal.segment.locate", 0);
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
        let index = self.segments[slot].header.segment_index;
        let mut reader = self.load(slot)?;
        let seek = self.spans.step("wal.seek", index);
        let seek_start = self.hooks.now();
        let landed = reader.seek(event_id);
        self.hooks.seek_event(seek_start);
        end_step(seek, None);
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
            self.advance()?;
        }
        let Some(reader) = self.current.as_mut() else {
            return Ok(None);
        };
        let Some(event) = reader.next() else {
            return Ok(None);
        };
        self.last_end = self.hooks.next_event_with_id(self.last_end, event.id());
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
        let next = self.slot + 1;
        if next < self.segments.len() && self.stop.is_stopped() {
            self.stopped = true;
        }
        self.close_segment();
        if next >= self.segments.len() || self.stopped || self.stop_after == Some(self.slot) {
            self.current = None;
            self.slot = self.segments.len();
            self.spans.finish();
            return Ok(());
        }
        let reader = match self.load(next) {
            Ok(reader) => reader,
            Err(error) => {
                self.spans.replay_failed(&error);
                return Err(error);
            }
        };
        let done = self.current.replace(reader);
        self.slot = next;
        self.open_segment();
        self.preload(
            next + 1,
            done.map(SegmentReader::into_buffers).unwrap_or_default(),
        );
        Ok(())
    }

    /// The verified reader for `slot`, checked against the header seen by the scan, its fault
    /// (if any) treated by the recovery mode.
    fn load(&mut self, slot: usize) -> Result<SegmentReader, WalError> {
        let index = self
            .segments
            .get(slot)
            .map_or(0, |s| s.header.segment_index);
        let open = self.spans.step("wal.segment.open", index);
        let loaded = self.load_untraced(slot, &open);
        end_step(open, loaded.as_ref().err());
        loaded
    }

    /// [`load`](Self::load) within its `wal.segment.open` span (`open`), the checks after the
    /// read in `wal.segment.verify` (the read itself verifies every block's CRC).
    fn load_untraced(
        &mut self,
        slot: usize,
        open: &super::spans::Open,
    ) -> Result<SegmentReader, WalError> {
        let Some(info) = self.segments.get(slot) else {
            return Err(WalError::NoSegments {
                dir: self.dir.clone(),
            });
        };
        if slot + 1 == self.segments.len() {
            if let Some(reader) = self.tail_reader.take() {
                return Ok(reader);
            }
        }
        let mut reader = self.preloader.take(slot, &info.path)?;
        let verify = open.as_ref().and_then(|_| {
            self.spans
                .step("wal.segment.verify", info.header.segment_index)
        });
        let checked = self.check(slot, &mut reader);
        end_step(verify, checked.as_ref().err());
        checked.map(|()| reader)
    }

    /// Checks a loaded reader against the survey's header and treats its fault (if any) by
    /// the recovery mode.
    fn check(&mut self, slot: usize, reader: &mut SegmentReader) -> Result<(), WalError> {
        let info = &self.segments[slot];
        if !same_segment(reader, &info.header) {
            return Err(WalError::Changed {
                path: info.path.clone(),
            });
        }
        let problem = reader.take_problem();
        match problem {
            // An unsealed segment's tail was accepted (and reported) by the survey.
            Some(_) if !info.header.sealed => {}
            Some(problem) if self.mode != RecoveryMode::PointInTime => return Err(problem),
            Some(problem) => self.stop_at(slot, reader, problem),
            None => {}
        }
        Ok(())
    }

    /// Starts the current reader's `wal.segment.replay` and points the exemplars at it.
    #[cold]
    fn open_segment(&mut self) {
        let (Some(reader), Some(info)) = (&self.current, self.segments.get(self.slot)) else {
            return;
        };
        let header = reader.header();
        let bytes = std::fs::metadata(&info.path).map_or(0, |m| m.len());
        self.segment_remaining = reader.remaining();
        let trace = self.spans.segment_start(
            header.segment_index,
            header.first_event_id,
            info.header.last_event_id,
            reader.event_count(),
            bytes,
        );
        self.hooks.set_trace_context(trace);
    }

    /// Ends the current `wal.segment.replay`, counting the events it returned.
    #[cold]
    fn close_segment(&mut self) {
        if let Some(reader) = &self.current {
            let returned = self.segment_remaining.saturating_sub(reader.remaining());
            self.spans.add_replayed(returned);
            self.segment_remaining = reader.remaining();
        }
        self.spans.segment_end();
        self.hooks.set_trace_context(None);
    }

    /// A point-in-time replay found a fault in `slot`: it ends after the intact prefix.
    #[cold]
    fn stop_at(&mut self, slot: usize, reader: &SegmentReader, problem: WalError) {
        self.stop_after = Some(slot);
        self.report.stopped_early = true;
        let discarded = reader.discarded().cloned().unwrap_or_else(|| Discarded {
            path: reader.path().to_path_buf(),
            offset: 0,
            bytes: 0,
            unsealed: false,
            reason: None,
        });
        self.report.discarded.push(Discarded {
            reason: Some(problem.to_string()),
            ..discarded
        });
    }

    fn preload(&mut self, slot: usize, buffers: Buffers) {
        let last = slot + 1 == self.segments.len() && self.tail_reader.is_some();
        if self.stop_after.is_some() || last {
            return;
        }
        if let Some(info) = self.segments.get(slot) {
            let parent = self.spans.carried();
            self.preloader.request(slot, &info.path, buffers, parent);
        }
    }
}

impl<H: Hooks> Drop for RecoveryManager<H> {
    /// Ends the spans still open (the last segment's, the replay's, the recovery's).
    fn drop(&mut self) {
        self.close_segment();
        self.spans.finish();
    }
}

/// Whether `reader` holds the segment the survey saw: the same header, or for an unsealed one
/// (whose surveyed header carries the counts of its intact prefix) the same start and count.
fn same_segment(reader: &SegmentReader, surveyed: &SegmentHeader) -> bool {
    if surveyed.sealed {
        return reader.header() == surveyed;
    }
    let header = reader.header();
    !header.sealed
        && header.segment_index == surveyed.segment_index
        && header.first_event_id == surveyed.first_event_id
        && reader.event_count() == surveyed.event_count
}
