//! The recovery's spans in a build without the `traces` feature: the same calls, doing
//! nothing (see `spans.rs`).

use std::path::Path;

use crate::telemetry::TraceContext;
use crate::wal::error::WalError;
use crate::wal::read::reader::VerifiedSegment;

/// No span in flight.
pub(crate) type Open = Option<()>;

/// Nothing to carry to the preloader thread.
pub(crate) struct Carried;

/// No spans.
pub(crate) struct RecoverySpans;

impl RecoverySpans {
    pub(in crate::wal) fn start(_dir: &Path, _tracer: Option<()>) -> Self {
        RecoverySpans
    }
    pub(in crate::wal) fn header_start(&mut self, _index: u64, _path: &Path) -> Open {
        None
    }
    pub(in crate::wal) fn scan_end(&mut self, _result: Result<(usize, u64, u64), &WalError>) {}
    pub(in crate::wal) fn resume_start(&mut self, _event_id: u64) {}
    pub(in crate::wal) fn step(&self, _name: &'static str, _index: Option<u64>) -> Open {
        None
    }
    pub(in crate::wal) fn resume_end(&mut self, _error: Option<&WalError>) {}
    pub(in crate::wal) fn carried(&self) -> Carried {
        Carried
    }
    pub(in crate::wal) fn segment_start(
        &mut self,
        _index: u64,
        _first: u64,
        _last: u64,
        _count: u64,
        _bytes: u64,
    ) -> Option<TraceContext> {
        None
    }
    pub(in crate::wal) fn segment_end(&mut self) {}
    pub(in crate::wal) fn add_replayed(&mut self, _events: u64) {}
    pub(in crate::wal) fn replay_failed(&mut self, _error: &WalError) {}
    pub(in crate::wal) fn finish(&mut self) {}
}

pub(crate) fn end_step(_open: Open, _error: Option<&WalError>) {}

pub(crate) fn preload_start(_parent: &Carried) -> Open {
    None
}

pub(crate) fn preload_end(_open: Open, _loaded: &Result<VerifiedSegment, WalError>) {}

pub(crate) fn set_index(_open: &Open, _index: u64) {}
