//! [okaywal](https://docs.rs/okaywal/0.3.1)'s recovery, timed into a walrec [`Recovery`]
//! (feature `okaywal`).
//!
//! okaywal drives its recovery through the caller's [`LogManager`]: it reads each segment
//! file's header itself, then calls `should_recover_segment` once per segment and `recover`
//! once per entry. [`recover`] wraps your manager in [`Instrumented`], which records around
//! those calls, and opens the log:
//!
//! - `read_segment_header`: one sample per segment, from the end of the previous callback to
//!   `should_recover_segment` (okaywal reads the header just before calling it, so the sample
//!   also covers the previous segment's tail; an upper bound). A header okaywal cannot read
//!   fails the whole open: it is recorded as a failed header read and counted as the
//!   [`IntegrityProblem::Validation`] walrec's own reader names a bad magic or version with.
//! - `next_event`: one sample per entry, chained like walrec's replay (one clock read per
//!   entry; a sample covers okaywal's read of the entry and your `recover` of the previous
//!   one), with the entry id as the exemplar's event id.
//! - progress: segments found, segments and entries replayed, and the bytes of the chunks
//!   your `recover` left unread (okaywal's `Entry` hands a chunk to whoever reads it first, so
//!   chunks your manager read are not seen); published every [`PROGRESS_EVENTS`] entries and
//!   at segment ends, never per entry.
//! - spans (feature `traces`): `wal.recovery` with one `wal.segment.replay` per segment, the
//!   same names walrec's own recovery uses; the `next_event` exemplars carry the segment's span.
//!
//! okaywal has no resume or seek: those metrics stay empty. The last `next_event` sample is
//! published when the log (which owns the manager) is shut down or dropped, as for any live
//! [`ManagerUpdater`](crate::telemetry::ManagerUpdater).

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use okaywal::{
    Configuration, Entry, EntryId, LogManager, ReadChunkResult, RecoveredSegment, SegmentReader,
    WriteAheadLog,
};

use crate::telemetry::{IntegrityProblem, OwnedManagerUpdater, Phase, Recovery, Status, clock};
use crate::wal::PROGRESS_EVENTS;

/// Why an instrumented okaywal recovery failed; each says what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OkaywalError {
    /// The log directory could not be listed.
    #[error(
        "cannot list the okaywal log directory {dir}: {source}; check that it exists and is readable"
    )]
    ListDir {
        /// The directory.
        dir: PathBuf,
        /// What the listing returned.
        #[source]
        source: io::Error,
    },
    /// okaywal could not read a segment's header (bad magic, newer version, or too short).
    #[error(
        "okaywal cannot read the header of segment {path}: {source}; the file is damaged or not an okaywal segment: restore it from a backup, or move it out of the directory (its entries are lost)"
    )]
    SegmentHeader {
        /// The segment file.
        path: PathBuf,
        /// okaywal's error.
        #[source]
        source: io::Error,
    },
    /// Your `LogManager` returned an error while recovering.
    #[error("the log manager failed while recovering {dir}: {source}")]
    Manager {
        /// The log directory.
        dir: PathBuf,
        /// Your manager's error.
        #[source]
        source: io::Error,
    },
    /// okaywal failed otherwise (reading an entry, reopening a segment for writing).
    #[error(
        "okaywal's recovery of {dir} failed: {source}; check the directory's files and permissions"
    )]
    Recover {
        /// The log directory.
        dir: PathBuf,
        /// okaywal's error.
        #[source]
        source: io::Error,
    },
}

/// What one instrumented recovery handed over, as the adapter saw it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Handed {
    /// `should_recover_segment` calls: segments whose header okaywal read.
    pub segments: u64,
    /// `recover` calls: entries okaywal handed over.
    pub entries: u64,
    /// Entries whose chunks ended in an aborted (torn) write.
    pub aborted_entries: u64,
}

/// Opens (recovering) the okaywal log `config` describes with `manager`, recording the
/// recovery into `recovery`; returns the log and what was handed over.
///
/// On error the failure is recorded too (a failed header read, the phase `Failed`), so a
/// dump or export after it shows what went wrong.
pub fn recover<M: LogManager>(
    config: Configuration,
    manager: M,
    recovery: Arc<Recovery>,
) -> Result<(WriteAheadLog, Handed), OkaywalError> {
    let dir = config.directory.clone();
    let segments = segment_files(&dir)?;
    let shared = Arc::new(Shared::new(Arc::clone(&recovery), &dir, segments));
    let mut instrumented = Instrumented {
        inner: manager,
        local: Mutex::new(Local {
            updater: OwnedManagerUpdater::new(recovery),
            last_ns: 0,
        }),
        shared: Arc::clone(&shared),
    };
    instrumented.begin();
    let opened = config.open(instrumented);
    shared.finish(opened.as_ref().err());
    let handed = shared.handed();
    match opened {
        Ok(wal) => Ok((wal, handed)),
        Err(source) => Err(shared.classify(dir, source)),
    }
}

/// The segment files okaywal will read, in its order: `wal-<id>` not marked checkpointed
/// (`-cp`), by id. Read here only to name segments; okaywal lists the directory itself.
fn segment_files(dir: &Path) -> Result<Vec<PathBuf>, OkaywalError> {
    let listing = |source| OkaywalError::ListDir {
        dir: dir.to_owned(),
        source,
    };
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    for file in std::fs::read_dir(dir).map_err(listing)? {
        let file = file.map_err(listing)?;
        let name = file.file_name();
        let mut parts = name.to_str().unwrap_or_default().split('-');
        let id = match (parts.next(), parts.next().map(str::parse::<u64>)) {
            (Some("wal"), Some(Ok(id))) => id,
            _ => continue,
        };
        if parts.next() != Some("cp") {
            found.push((id, file.path()));
        }
    }
    found.sort_by_key(|(id, _)| *id);
    Ok(found.into_iter().map(|(_, path)| path).collect())
}

/// Your [`LogManager`] with walrec's telemetry around it; made by [`recover`], which hands it
/// to okaywal. Checkpointing is passed through untimed.
#[derive(Debug)]
pub struct Instrumented<M> {
    inner: M,
    /// Only ever reached through `Mutex::get_mut` (okaywal calls with `&mut self`): never
    /// locked, it only makes the updater (`Send`, not `Sync`) fit okaywal's `Sync` bound.
    local: Mutex<Local>,
    shared: Arc<Shared>,
}

/// The recovering thread's own state.
#[derive(Debug)]
struct Local {
    updater: OwnedManagerUpdater<Recovery>,
    /// The end of the last callback: where the next sample starts.
    last_ns: u64,
}

/// What [`recover`] reads back after okaywal returns. Written only by the recovering thread
/// (okaywal calls the manager on the thread that opens the log), read by the same thread
/// after the open: every atomic is Relaxed, and plain `load` + `store` (no read-modify-write)
/// so that the per-entry path costs no locked instruction.
#[derive(Debug)]
struct Shared {
    recovery: Arc<Recovery>,
    segments: Vec<PathBuf>,
    spans: Mutex<spans::Spans>,
    c: Counters,
}

/// `Shared`'s counters and flags.
#[derive(Debug, Default)]
struct Counters {
    handed_segments: AtomicU64,
    entries: AtomicU64,
    aborted: AtomicU64,
    bytes: AtomicU64,
    last_id: AtomicU64,
    /// Entries and bytes already added to the progress.
    published_entries: AtomicU64,
    published_bytes: AtomicU64,
    /// The end of the last callback, for the failed header read's sample.
    last_ns: AtomicU64,
    /// A segment's `should_recover_segment` said Recover and it is not yet finished.
    in_segment: AtomicBool,
    /// Your manager returned an error.
    manager_failed: AtomicBool,
    /// Reading an entry's remaining chunks failed (not a header).
    entry_failed: AtomicBool,
}

fn bump(counter: &AtomicU64, by: u64) -> u64 {
    // Relaxed: single writer (see `Shared`); load + store, not a locked fetch_add.
    let value = counter.load(Ordering::Relaxed) + by;
    counter.store(value, Ordering::Relaxed);
    value
}

impl Shared {
    fn new(recovery: Arc<Recovery>, dir: &Path, segments: Vec<PathBuf>) -> Self {
        Shared {
            spans: Mutex::new(spans::Spans::start(dir)),
            recovery,
            segments,
            c: Counters::default(),
        }
    }

    fn spans(&self) -> std::sync::MutexGuard<'_, spans::Spans> {
        // A panic while the spans were held leaves them usable: they only end spans.
        self.spans.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds the entries and bytes not yet in the progress.
    fn publish(&self, now_ns: u64) {
        // Relaxed: single writer, see `Shared`.
        let entries = self.c.entries.load(Ordering::Relaxed);
        let bytes = self.c.bytes.load(Ordering::Relaxed);
        let new_entries = entries - self.c.published_entries.swap(entries, Ordering::Relaxed);
        let new_bytes = bytes - self.c.published_bytes.swap(bytes, Ordering::Relaxed);
        let last_id = self.c.last_id.load(Ordering::Relaxed);
        let progress = &self.recovery.progress;
        progress.replayed(new_entries, new_bytes, last_id, now_ns);
    }

    /// Ends the segment being replayed, if any.
    fn end_segment(&self, now_ns: u64) {
        // Relaxed: single writer, see `Shared`.
        if self.c.in_segment.swap(false, Ordering::Relaxed) {
            self.publish(now_ns);
            self.recovery.progress.segment_replayed();
            self.spans().segment_end();
        }
    }

    /// The recovery ended with `error` or none: last segment, phase, spans.
    fn finish(&self, error: Option<&io::Error>) {
        self.end_segment(clock::now_ns());
        let progress = &self.recovery.progress;
        progress.set_phase(if error.is_some() {
            Phase::Failed
        } else {
            Phase::Done
        });
        if let Some(error) = error {
            if self.is_header_failure(error) {
                let start = self.c.last_ns.load(Ordering::Relaxed); // Relaxed: single writer.
                let updater = self.recovery.manager.updater();
                updater.on_read_segment_header(start, Status::Failed);
                let problems = &self.recovery.segment_reader;
                problems.count_problem(IntegrityProblem::Validation);
            }
            self.spans().failed(error);
        }
        self.spans().finish(self.c.entries.load(Ordering::Relaxed));
    }

    /// Whether okaywal failed on a segment header: the errors its header read returns (bad
    /// magic or version: `InvalidData`; a file shorter than the header: `UnexpectedEof`),
    /// outside your manager and the entries' chunks, with a segment left whose header was not
    /// handed over.
    fn is_header_failure(&self, error: &io::Error) -> bool {
        // Relaxed: single writer, see `Shared`.
        let handed = self.c.handed_segments.load(Ordering::Relaxed);
        let kind = matches!(
            error.kind(),
            io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof
        );
        kind && !self.c.manager_failed.load(Ordering::Relaxed)
            && !self.c.entry_failed.load(Ordering::Relaxed)
            && usize::try_from(handed).is_ok_and(|handed| handed < self.segments.len())
    }

    fn classify(&self, dir: PathBuf, source: io::Error) -> OkaywalError {
        let handed = self.c.handed_segments.load(Ordering::Relaxed); // Relaxed: single writer.
        if self.c.manager_failed.load(Ordering::Relaxed) {
            return OkaywalError::Manager { dir, source };
        }
        let next = usize::try_from(handed)
            .ok()
            .and_then(|i| self.segments.get(i));
        match next {
            Some(path) if self.is_header_failure(&source) => OkaywalError::SegmentHeader {
                path: path.clone(),
                source,
            },
            _ => OkaywalError::Recover { dir, source },
        }
    }

    fn handed(&self) -> Handed {
        // Relaxed: single writer, see `Shared`.
        Handed {
            segments: self.c.handed_segments.load(Ordering::Relaxed),
            entries: self.c.entries.load(Ordering::Relaxed),
            aborted_entries: self.c.aborted.load(Ordering::Relaxed),
        }
    }
}

impl<M> Instrumented<M> {
    fn local(&mut self) -> &mut Local {
        // Never locked (see the field), so never poisoned; recover the value if it were.
        self.local.get_mut().unwrap_or_else(PoisonError::into_inner)
    }

    /// The recovery starts: the scan phase, with the segments found.
    fn begin(&mut self) {
        let progress = &self.shared.recovery.progress;
        progress.set_phase(Phase::Scan);
        progress.scanned(self.shared.segments.len() as u64, None);
        let now = clock::now_ns();
        self.local().last_ns = now;
        // Relaxed: single writer, see `Shared`.
        self.shared.c.last_ns.store(now, Ordering::Relaxed);
    }

    /// Skips the chunks `recover` left unread (as okaywal would), counting their bytes.
    /// Returns the bytes and whether the entry was aborted.
    fn drain(entry: &mut Entry<'_>) -> io::Result<(u64, bool)> {
        let mut bytes = 0;
        loop {
            match entry.read_chunk()? {
                ReadChunkResult::Chunk(chunk) => {
                    bytes += u64::from(chunk.bytes_remaining());
                    chunk.skip_remaining_bytes()?;
                }
                ReadChunkResult::EndOfEntry => return Ok((bytes, false)),
                ReadChunkResult::AbortedEntry => return Ok((bytes, true)),
            }
        }
    }
}

impl<M: LogManager> LogManager for Instrumented<M> {
    fn should_recover_segment(
        &mut self,
        segment: &RecoveredSegment,
    ) -> io::Result<okaywal::Recovery> {
        let shared = Arc::clone(&self.shared);
        let local = self.local();
        let end = local
            .updater
            .updater()
            .on_read_segment_header(local.last_ns, Status::Ok);
        shared.end_segment(end);
        let index = bump(&shared.c.handed_segments, 1) - 1;
        if index == 0 {
            shared.recovery.progress.replay_started(end);
        }
        let decision = self.inner.should_recover_segment(segment);
        let recovering = matches!(decision, Ok(okaywal::Recovery::Recover));
        if recovering {
            // Relaxed: single writer, see `Shared`.
            shared.c.in_segment.store(true, Ordering::Relaxed);
            let path = usize::try_from(index)
                .ok()
                .and_then(|i| shared.segments.get(i));
            let trace = shared.spans().segment_start(index, path);
            self.local().updater.updater().set_trace_context(trace);
        }
        shared
            .c
            .manager_failed
            .store(decision.is_err(), Ordering::Relaxed); // Relaxed: see `Shared`.
        let now = clock::now_ns();
        self.local().last_ns = now;
        shared.c.last_ns.store(now, Ordering::Relaxed); // Relaxed: single writer.
        decision
    }

    #[inline]
    fn recover(&mut self, entry: &mut Entry<'_>) -> io::Result<()> {
        let id = entry.id().0;
        let local = self.local();
        let now = local
            .updater
            .updater()
            .on_next_event_with_id(local.last_ns, id);
        local.last_ns = now;
        let shared = &*self.shared;
        let entries = bump(&shared.c.entries, 1);
        shared.c.last_id.store(id, Ordering::Relaxed); // Relaxed: single writer, see `Shared`.
        let result = self.inner.recover(entry);
        if let Err(error) = result {
            shared.c.manager_failed.store(true, Ordering::Relaxed); // Relaxed: see `Shared`.
            return Err(error);
        }
        let (bytes, aborted) = Self::drain(entry).inspect_err(|_| {
            shared.c.entry_failed.store(true, Ordering::Relaxed); // Relaxed: see `Shared`.
        })?;
        bump(&shared.c.bytes, bytes);
        if aborted {
            bump(&shared.c.aborted, 1);
        }
        if entries % PROGRESS_EVENTS == 0 {
            shared.publish(now);
        }
        // Relaxed: single writer; the failed header read after this entry starts here.
        shared.c.last_ns.store(now, Ordering::Relaxed);
        Ok(())
    }

    fn checkpoint_to(
        &mut self,
        last_checkpointed_id: EntryId,
        checkpointed_entries: &mut SegmentReader,
        wal: &WriteAheadLog,
    ) -> io::Result<()> {
        self.inner
            .checkpoint_to(last_checkpointed_id, checkpointed_entries, wal)
    }
}

/// The recovery's spans: `wal.recovery` and one `wal.segment.replay` per segment, through
/// the `opentelemetry` API (no-ops without an installed tracer provider).
#[cfg(feature = "traces")]
mod spans {
    use std::path::{Path, PathBuf};

    use opentelemetry::global::{self, BoxedTracer};
    use opentelemetry::trace::{Status, TraceContextExt, Tracer};
    use opentelemetry::{Context, KeyValue};

    use crate::telemetry::{INSTRUMENTATION_SCOPE, TraceContext};

    fn int(value: u64) -> i64 {
        i64::try_from(value).unwrap_or(i64::MAX)
    }

    pub(super) struct Spans {
        tracer: BoxedTracer,
        recovery: Context,
        segment: Option<Context>,
    }

    impl std::fmt::Debug for Spans {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("Spans").finish_non_exhaustive()
        }
    }

    impl Spans {
        pub(super) fn start(dir: &Path) -> Self {
            let tracer = global::tracer(INSTRUMENTATION_SCOPE);
            let span = tracer.start_with_context("wal.recovery", &Context::current());
            let recovery = Context::current().with_span(span);
            let dir = KeyValue::new("wal.dir", dir.display().to_string());
            recovery.span().set_attribute(dir);
            let wal = KeyValue::new("wal.implementation", "okaywal");
            recovery.span().set_attribute(wal);
            Spans {
                tracer,
                recovery,
                segment: None,
            }
        }

        /// Starts `wal.segment.replay` for segment `index`; its context, for the exemplars.
        pub(super) fn segment_start(
            &mut self,
            index: u64,
            path: Option<&PathBuf>,
        ) -> Option<TraceContext> {
            let span = self
                .tracer
                .start_with_context("wal.segment.replay", &self.recovery);
            let cx = self.recovery.with_span(span);
            let span = cx.span();
            span.set_attribute(KeyValue::new("wal.segment.index", int(index)));
            if let Some(path) = path {
                let path = KeyValue::new("wal.segment.path", path.display().to_string());
                span.set_attribute(path);
            }
            let trace = crate::wal::span_trace_context(&cx);
            self.segment = Some(cx);
            trace
        }

        pub(super) fn segment_end(&mut self) {
            if let Some(cx) = self.segment.take() {
                cx.span().end();
            }
        }

        pub(super) fn failed(&mut self, error: &std::io::Error) {
            let span = self.recovery.span();
            span.set_attribute(KeyValue::new("error.type", format!("{:?}", error.kind())));
            span.set_status(Status::error(error.to_string()));
        }

        pub(super) fn finish(&mut self, entries: u64) {
            self.segment_end();
            let span = self.recovery.span();
            span.set_attribute(KeyValue::new("wal.events.replayed", int(entries)));
            span.end();
        }
    }
}

/// Without the `traces` feature: the same calls, doing nothing.
#[cfg(not(feature = "traces"))]
mod spans {
    use std::path::{Path, PathBuf};

    use crate::telemetry::TraceContext;

    #[derive(Debug)]
    pub(super) struct Spans;

    impl Spans {
        pub(super) fn start(_dir: &Path) -> Self {
            Spans
        }
        pub(super) fn segment_start(
            &mut self,
            _: u64,
            _: Option<&PathBuf>,
        ) -> Option<TraceContext> {
            None
        }
        pub(super) fn segment_end(&mut self) {}
        pub(super) fn failed(&mut self, _error: &std::io::Error) {}
        pub(super) fn finish(&mut self, _entries: u64) {}
    }
}
