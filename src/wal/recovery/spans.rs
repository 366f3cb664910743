//! The recovery's trace spans (feature `traces`): one `wal.recovery` per run, with the scan,
//! resume, replay and per-segment spans under it, made with the `opentelemetry` API so they
//! join the caller's trace. Never a span per event: the replay loop only reads the clock.
//!
//! Without an installed tracer provider every span is a no-op. `spans_off.rs` is the same API
//! doing nothing, for builds without the feature.

use std::path::Path;
use std::sync::Arc;

use opentelemetry::global::{self, BoxedTracer};
use opentelemetry::trace::{Status, TraceContextExt, Tracer};
use opentelemetry::{Context, KeyValue};

use crate::telemetry::{INSTRUMENTATION_SCOPE, TraceContext};
use crate::wal::error::WalError;
use crate::wal::read::reader::VerifiedSegment;

/// At most this many `wal.segment.read_header` spans per scan; the rest are counted in the
/// scan's `wal.segment.read_header.untraced` attribute, so a WAL of thousands of segments
/// does not flood the trace backend.
pub const MAX_HEADER_SPANS: usize = 64;

/// A span in flight: its context, which is also the parent of its children.
pub(crate) type Open = Option<Context>;

/// What a request carries to the preloader thread: the parent context, and the run's tracer
/// (the caller's from `with_tracer`, not necessarily the global one).
pub(crate) struct Carried {
    parent: Context,
    tracer: Arc<BoxedTracer>,
}

/// The spans of one `RecoveryManager` run.
pub(crate) struct RecoverySpans {
    tracer: Arc<BoxedTracer>,
    recovery: Context,
    scan: Open,
    resume: Open,
    replay: Open,
    segment: Open,
    headers_traced: usize,
    headers_untraced: u64,
    replayed: u64,
}

fn int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The variant name of `error`, for `error.type` (low cardinality, stable).
fn error_type(error: &WalError) -> String {
    let debug = format!("{error:?}");
    let end = debug.find([' ', '{', '(']).unwrap_or(debug.len());
    debug[..end].to_owned()
}

/// Marks `cx`'s span as failed with `error`'s message (which names the file and offset).
fn fail(cx: &Context, error: &WalError) {
    let span = cx.span();
    span.set_attribute(KeyValue::new("error.type", error_type(error)));
    span.set_status(Status::error(error.to_string()));
}

/// The trace context of `cx`'s span, for
/// [`ManagerUpdater::set_trace_context`](crate::telemetry::ManagerUpdater::set_trace_context):
/// what links a `next_event` exemplar to
/// the span its event was replayed in. `None` when the span is not valid (no tracer provider).
/// Public so that adapters for other WALs link their exemplars the same way.
pub fn span_trace_context(cx: &Context) -> Option<TraceContext> {
    let span = cx.span();
    let context = span.span_context();
    context.is_valid().then(|| TraceContext {
        trace_id: context.trace_id().to_bytes(),
        span_id: context.span_id().to_bytes(),
        sampled: context.is_sampled(),
    })
}

fn end(open: &mut Open) {
    if let Some(cx) = open.take() {
        cx.span().end();
    }
}

impl RecoverySpans {
    /// Starts `wal.recovery` for `dir` as a child of the current context, with `tracer` or
    /// the global provider's.
    pub(in crate::wal) fn start(dir: &Path, tracer: Option<BoxedTracer>) -> Self {
        let tracer = tracer.unwrap_or_else(|| global::tracer(INSTRUMENTATION_SCOPE));
        let span = tracer.start_with_context("wal.recovery", &Context::current());
        let recovery = Context::current().with_span(span);
        recovery
            .span()
            .set_attribute(KeyValue::new("wal.dir", dir.display().to_string()));
        let scan = tracer.start_with_context("wal.scan", &recovery);
        let scan = Some(recovery.with_span(scan));
        RecoverySpans {
            tracer: Arc::new(tracer),
            recovery,
            scan,
            resume: None,
            replay: None,
            segment: None,
            headers_traced: 0,
            headers_untraced: 0,
            replayed: 0,
        }
    }

    fn child(&self, name: &'static str, parent: &Context, index: u64) -> Context {
        let span = self.tracer.start_with_context(name, parent);
        let cx = parent.with_span(span);
        cx.span()
            .set_attribute(KeyValue::new("wal.segment.index", int(index)));
        cx
    }

    /// A `wal.segment.read_header` span under `wal.scan`, or none past [`MAX_HEADER_SPANS`].
    pub(in crate::wal) fn header_start(&mut self, index: u64, path: &Path) -> Open {
        let scan = self.scan.as_ref()?;
        if self.headers_traced >= MAX_HEADER_SPANS {
            self.headers_untraced += 1;
            return None;
        }
        self.headers_traced += 1;
        let cx = self.child("wal.segment.read_header", scan, index);
        cx.span().set_attribute(KeyValue::new(
            "wal.segment.path",
            path.display().to_string(),
        ));
        Some(cx)
    }

    /// Ends the scan: its attributes, and on `error` Error up to `wal.recovery`.
    pub(in crate::wal) fn scan_end(&mut self, result: Result<(usize, u64, u64), &WalError>) {
        if let Some(scan) = &self.scan {
            let span = scan.span();
            span.set_attribute(KeyValue::new(
                "wal.segment.read_header.untraced",
                int(self.headers_untraced),
            ));
            match result {
                Ok((count, first, last)) => {
                    span.set_attribute(KeyValue::new("wal.segment.count", int(count as u64)));
                    let recovery = self.recovery.span();
                    recovery.set_attribute(KeyValue::new("wal.segment.count", int(count as u64)));
                    recovery.set_attribute(KeyValue::new("wal.event.first_id", int(first)));
                    recovery.set_attribute(KeyValue::new("wal.event.last_id", int(last)));
                }
                Err(error) => {
                    fail(scan, error);
                    fail(&self.recovery, error);
                }
            }
        }
        end(&mut self.scan);
    }

    /// Starts `wal.resume` towards `event_id` (ending a replay in progress).
    pub(in crate::wal) fn resume_start(&mut self, event_id: u64) {
        end(&mut self.segment);
        end(&mut self.replay);
        let span = self.tracer.start_with_context("wal.resume", &self.recovery);
        let cx = self.recovery.with_span(span);
        cx.span()
            .set_attribute(KeyValue::new("wal.event.id", int(event_id)));
        self.resume = Some(cx);
    }

    /// One of the resume's steps (`wal.segment.locate`, `.open`, `.verify`, `wal.seek`).
    pub(in crate::wal) fn step(&self, name: &'static str, index: Option<u64>) -> Open {
        let resume = self.resume.as_ref()?;
        let span = self.tracer.start_with_context(name, resume);
        let cx = resume.with_span(span);
        if let Some(index) = index {
            cx.span()
                .set_attribute(KeyValue::new("wal.segment.index", int(index)));
        }
        Some(cx)
    }

    /// Ends the resume; on `error` Error up to `wal.recovery`. A successful resume starts
    /// `wal.replay`.
    pub(in crate::wal) fn resume_end(&mut self, error: Option<&WalError>) {
        if let (Some(resume), Some(error)) = (&self.resume, error) {
            fail(resume, error);
            fail(&self.recovery, error);
        }
        end(&mut self.resume);
        if error.is_none() {
            let span = self.tracer.start_with_context("wal.replay", &self.recovery);
            self.replay = Some(self.recovery.with_span(span));
        }
    }

    /// The context a preload request carries, so that `wal.segment.preload` is a child of
    /// `wal.replay` on the preloader thread.
    pub(in crate::wal) fn carried(&self) -> Carried {
        Carried {
            parent: self.replay.clone().unwrap_or_default(),
            tracer: Arc::clone(&self.tracer),
        }
    }

    /// Starts `wal.segment.replay` (ending the previous one) and returns the trace context
    /// the updater attaches to this segment's exemplars.
    pub(in crate::wal) fn segment_start(
        &mut self,
        index: u64,
        first: u64,
        last: u64,
        count: u64,
        bytes: u64,
    ) -> Option<TraceContext> {
        self.segment_end();
        let replay = self.replay.as_ref()?;
        let cx = self.child("wal.segment.replay", replay, index);
        let span = cx.span();
        span.set_attribute(KeyValue::new("wal.event.first_id", int(first)));
        span.set_attribute(KeyValue::new("wal.event.last_id", int(last)));
        span.set_attribute(KeyValue::new("wal.event.count", int(count)));
        span.set_attribute(KeyValue::new("wal.segment.bytes", int(bytes)));
        let trace = span_trace_context(&cx);
        self.segment = Some(cx);
        trace
    }

    /// Ends the current `wal.segment.replay`, if any.
    pub(in crate::wal) fn segment_end(&mut self) {
        end(&mut self.segment);
    }

    /// Counts the replayed events (added at segment boundaries, not per event).
    pub(in crate::wal) fn add_replayed(&mut self, events: u64) {
        self.replayed += events;
    }

    /// The replay failed with `error`: the current segment, `wal.replay` and `wal.recovery`
    /// end with Error.
    pub(in crate::wal) fn replay_failed(&mut self, error: &WalError) {
        for cx in [&self.segment, &self.replay].into_iter().flatten() {
            fail(cx, error);
        }
        fail(&self.recovery, error);
        self.finish();
    }

    /// Ends every span still open, `wal.recovery` last, with the events replayed.
    pub(in crate::wal) fn finish(&mut self) {
        self.segment_end();
        if let Some(replay) = &self.replay {
            replay
                .span()
                .set_attribute(KeyValue::new("wal.events.replayed", int(self.replayed)));
        }
        end(&mut self.replay);
        end(&mut self.resume);
        end(&mut self.scan);
        let span = self.recovery.span();
        if span.is_recording() {
            span.set_attribute(KeyValue::new("wal.events.replayed", int(self.replayed)));
            span.end();
        }
    }
}

impl Drop for RecoverySpans {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Ends a step's span; on `error`, with Error.
pub(crate) fn end_step(mut open: Open, error: Option<&WalError>) {
    if let (Some(cx), Some(error)) = (&open, error) {
        fail(cx, error);
    }
    end(&mut open);
}

/// `wal.segment.preload` on the preloader thread, child of the carried `wal.replay`.
pub(crate) fn preload_start(carried: &Carried) -> Open {
    let parent = &carried.parent;
    if !parent.has_active_span() {
        return None;
    }
    let span = carried
        .tracer
        .start_with_context("wal.segment.preload", parent);
    Some(parent.with_span(span))
}

/// Ends `wal.segment.preload` with the loaded segment's index, or with Error when the load
/// failed or found a fault in the segment.
pub(crate) fn preload_end(open: Open, loaded: &Result<VerifiedSegment, WalError>) {
    if let (Some(cx), Ok(reader)) = (&open, loaded) {
        let index = reader.header().segment_index;
        cx.span()
            .set_attribute(KeyValue::new("wal.segment.index", int(index)));
    }
    let error = match loaded {
        Ok(reader) => reader.problem(),
        Err(error) => Some(error),
    };
    end_step(open, error);
}

/// Sets `wal.segment.index` on a step span once it is known (the locate step finds it).
pub(crate) fn set_index(open: &Open, index: u64) {
    if let Some(cx) = open {
        cx.span()
            .set_attribute(KeyValue::new("wal.segment.index", int(index)));
    }
}
