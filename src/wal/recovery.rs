//! `RecoveryManager`: replays a WAL directory, timed at the points the specification names.

use std::path::{Path, PathBuf};

use super::error::WalError;
use super::format::EventView;
use super::preloader::Preloader;
use super::reader::SegmentReader;
use super::recorder::{NoTelemetry, Recorder};
use super::scan::{SegmentInfo, check_contiguous, list_segments, read_header};
use super::stop::StopHandle;
use crate::telemetry::{Manager, ManagerUpdater};

/// Replays a WAL directory from any event id, across segment boundaries.
///
/// - [`open`](Self::open) scans the directory and reads every segment header, timing each read
///   with `on_read_segment_header` (a failed read is recorded as a failure), then sorts the
///   segments by first event id and checks that the ids are contiguous.
/// - [`resume_from_event`](Self::resume_from_event) locates the segment holding an id, opens
///   and verifies it, and seeks: `on_resume_from_event` times the whole, `on_seek_event` the
///   inner seek alone.
/// - [`next_event`](Self::next_event) returns the next event, crossing into the next segment
///   when one ends; `on_next_event` times it, each event's start being the previous one's end,
///   so the hot loop reads the clock once per event.
///
/// While a segment is replayed, a preloader thread opens and verifies the next one.
///
/// The recorder is one [`ManagerUpdater`] (or [`NoTelemetry`]), owned by the manager: a
/// `RecoveryManager` is used from one thread at a time. The updater holds the last
/// `next_event` sample back until the next event, [`flush_telemetry`](Self::flush_telemetry)
/// or drop (see [`ManagerUpdater`]).
pub struct RecoveryManager<R: Recorder> {
    dir: PathBuf,
    segments: Vec<SegmentInfo>,
    recorder: R,
    current: Option<SegmentReader>,
    /// The slot in `segments` of `current`; `segments.len()` once the replay has ended.
    slot: usize,
    positioned: bool,
    /// End time of the last timed step: the start of the next event's timing.
    last_end: u64,
    preloader: Preloader,
    /// Checked at segment boundaries only: see [`StopHandle`].
    stop: StopHandle,
    /// Whether the replay ended because of `stop`.
    stopped: bool,
}

impl<R: Recorder> std::fmt::Debug for RecoveryManager<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecoveryManager")
            .field("dir", &self.dir)
            .field("segments", &self.segments.len())
            .field("slot", &self.slot)
            .finish_non_exhaustive()
    }
}

impl<'m> RecoveryManager<ManagerUpdater<'m>> {
    /// Scans `dir`, recording into `manager` through one updater owned by the result.
    pub fn open(dir: impl AsRef<Path>, manager: &'m Manager) -> Result<Self, WalError> {
        Self::with_recorder(dir, manager.updater())
    }
}

impl RecoveryManager<NoTelemetry> {
    /// Scans `dir` and records nothing: the same replay with telemetry off.
    pub fn open_untimed(dir: impl AsRef<Path>) -> Result<Self, WalError> {
        Self::with_recorder(dir, NoTelemetry)
    }
}

impl<R: Recorder> RecoveryManager<R> {
    /// Scans `dir`, recording into `recorder`. See the type docs. When several headers are
    /// bad, every one is still read and recorded, and the first error is returned.
    pub fn with_recorder(dir: impl AsRef<Path>, recorder: R) -> Result<Self, WalError> {
        let dir = dir.as_ref().to_path_buf();
        let listed = list_segments(&dir)?;
        let mut segments = Vec::with_capacity(listed.len());
        let mut first_error = None;
        for (index, path) in listed {
            let start = recorder.now();
            let result = read_header(&path, index);
            recorder.read_segment_header(start, result.is_ok());
            match result {
                Ok(info) => segments.push(info),
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        if let Some(error) = first_error {
            return Err(error);
        }
        check_contiguous(&mut segments)?;
        Ok(RecoveryManager {
            dir,
            segments,
            recorder,
            current: None,
            slot: 0,
            positioned: false,
            last_end: 0,
            preloader: Preloader::new(),
            stop: StopHandle::default(),
            stopped: false,
        })
    }

    /// The WAL directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The scanned segments, sorted by first event id.
    pub fn segments(&self) -> &[SegmentInfo] {
        &self.segments
    }

    /// The recorder, e.g. the [`ManagerUpdater`].
    pub fn recorder(&self) -> &R {
        &self.recorder
    }

    /// Publishes the recorder's held-back sample, so that a snapshot taken now counts every
    /// event returned so far. Dropping the `RecoveryManager` does the same.
    pub fn flush_telemetry(&self) {
        self.recorder.flush();
    }

    /// Id of the WAL's first event.
    pub fn first_event_id(&self) -> u64 {
        self.segments.first().map_or(0, |s| s.header.first_event_id)
    }

    /// Id of the WAL's last event.
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
        let start = self.recorder.now();
        let result = self.locate_and_seek(event_id);
        self.last_end = self.recorder.resume_from_event(start, result.is_ok());
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
        let slot = self
            .segments
            .partition_point(|s| s.header.last_event_id < event_id);
        self.slot = slot;
        self.positioned = true;
        if slot >= self.segments.len() {
            return Ok(None);
        }
        let mut reader = self.load(slot)?;
        let seek_start = self.recorder.now();
        let landed = reader.seek(event_id);
        self.recorder.seek_event(seek_start);
        self.current = Some(reader);
        self.preload(slot + 1);
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
        self.last_end = self.recorder.next_event(self.last_end);
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
        if next >= self.segments.len() || self.stopped {
            self.current = None;
            self.slot = self.segments.len();
            return Ok(());
        }
        let reader = self.load(next)?;
        self.current = Some(reader);
        self.slot = next;
        self.preload(next + 1);
        Ok(())
    }

    /// The verified reader for `slot`, checked against the header seen by the scan.
    fn load(&mut self, slot: usize) -> Result<SegmentReader, WalError> {
        let Some(info) = self.segments.get(slot) else {
            return Err(WalError::NoSegments {
                dir: self.dir.clone(),
            });
        };
        let reader = self.preloader.take(slot, &info.path)?;
        if reader.header() != &info.header {
            return Err(WalError::Changed {
                path: info.path.clone(),
            });
        }
        Ok(reader)
    }

    fn preload(&mut self, slot: usize) {
        if let Some(info) = self.segments.get(slot) {
            self.preloader.request(slot, &info.path);
        }
    }
}
