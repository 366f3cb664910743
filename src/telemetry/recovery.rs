//! `Recovery`: the whole recovery's telemetry — the specification's [`Manager`] and its two
//! sibling components, [`SegmentReader`] and [`SegmentPreloader`], plus [`RecoveryProgress`] —
//! with one `snapshot`, `dump` and `collect` for all of it.

use std::io;

use super::catalogue::{
    SegmentPreloader, SegmentPreloaderSnapshot, SegmentReader, SegmentReaderSnapshot,
};
use super::collect::{Collector, Emitter};
use super::dump::{HumanNs, HumanRate};
use super::manager::{Manager, ManagerSnapshot};
use super::names::{Metric, MetricKey};
use super::progress::{Phase, ProgressSnapshot, RecoveryProgress};

/// The telemetry of one WAL recovery: the parent of its three components.
///
/// Record into each part directly (`recovery.manager.updater()`, `recovery.segment_reader`,
/// …); read all of it at once through [`snapshot`](Self::snapshot), [`dump`](Self::dump) or
/// [`collect`](Self::collect). `const`, so it can be a `static`.
#[derive(Debug, Default)]
pub struct Recovery {
    /// The specification's recovery-manager metrics.
    pub manager: Manager,
    /// The segment readers' metrics.
    pub segment_reader: SegmentReader,
    /// The preloader's metrics.
    pub preloader: SegmentPreloader,
    /// How far the recovery is.
    pub progress: RecoveryProgress,
}

impl Recovery {
    /// Empty telemetry.
    pub const fn new() -> Self {
        Recovery {
            manager: Manager::new(),
            segment_reader: SegmentReader::new(),
            preloader: SegmentPreloader::new(),
            progress: RecoveryProgress::new(),
        }
    }

    /// A plain copy of everything.
    pub fn snapshot(&self) -> RecoverySnapshot {
        let mut snapshot = RecoverySnapshot::default();
        self.snapshot_into(&mut snapshot);
        snapshot
    }

    /// Overwrites `out` with the current values, reusing its histogram buffer.
    pub fn snapshot_into(&self, out: &mut RecoverySnapshot) {
        self.manager.snapshot_into(&mut out.manager);
        out.segment_reader = self.segment_reader.snapshot();
        out.preloader = self.preloader.snapshot();
        out.progress = self.progress.snapshot();
    }

    /// Takes a snapshot and dumps it; see [`RecoverySnapshot::dump`].
    pub fn dump(&self, label: &str, out: &mut impl io::Write) -> io::Result<()> {
        self.snapshot().dump(label, out)
    }

    /// Takes a snapshot and collects it; see [`RecoverySnapshot::collect`].
    pub fn collect<C: Collector>(&self, prefix: &str, collector: &mut C) -> Result<(), C::Error> {
        self.snapshot().collect(prefix, collector)
    }
}

/// A plain copy of a [`Recovery`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecoverySnapshot {
    /// See [`Recovery::manager`].
    pub manager: ManagerSnapshot,
    /// See [`Recovery::segment_reader`].
    pub segment_reader: SegmentReaderSnapshot,
    /// See [`Recovery::preloader`].
    pub preloader: SegmentPreloaderSnapshot,
    /// See [`Recovery::progress`].
    pub progress: ProgressSnapshot,
}

impl RecoverySnapshot {
    /// Writes what was recorded after `base` into `out` (see [`ManagerSnapshot::since_into`]);
    /// levels (progress, ready-ahead) are this snapshot's.
    pub fn since_into(&self, base: &RecoverySnapshot, out: &mut RecoverySnapshot) {
        self.manager.since_into(&base.manager, &mut out.manager);
        out.segment_reader = self.segment_reader.since(&base.segment_reader);
        out.preloader = self.preloader.since(&base.preloader);
        out.progress = self.progress;
    }

    /// Adds `other`'s values, `other` being later (see [`ManagerSnapshot::merge`]); levels
    /// (progress, ready-ahead) are `other`'s.
    pub fn merge(&mut self, other: &RecoverySnapshot) {
        self.manager.merge(&other.manager);
        self.segment_reader.merge(&other.segment_reader);
        self.preloader.merge(&other.preloader);
        self.progress = other.progress;
    }

    /// Hands every series to `collector` (see [`MetricKey::all`]): the Manager's under the
    /// specification's keys, then `<prefix>_segment_reader_…`, `<prefix>_segment_preloader_…`
    /// and `<prefix>_recovery_…`.
    pub fn collect<C: Collector>(&self, prefix: &str, collector: &mut C) -> Result<(), C::Error> {
        let mut emit = Emitter { prefix, collector };
        self.manager.emit_into(&mut emit)?;
        self.segment_reader.emit_into(&mut emit)?;
        self.preloader.emit_into(&mut emit)?;
        collect_progress(&self.progress, &mut emit)
    }

    /// Writes one section per component, then the Manager's section in the specification's
    /// layout (unchanged), then one progress line.
    pub fn dump(&self, label: &str, out: &mut impl io::Write) -> io::Result<()> {
        self.segment_reader.dump_section(label, out)?;
        self.preloader.dump_section(label, out)?;
        self.manager.dump(label, out)?;
        writeln!(out, "{}", ProgressLine(&self.progress))
    }
}

fn collect_progress<C: Collector>(
    progress: &ProgressSnapshot,
    emit: &mut Emitter<'_, '_, C>,
) -> Result<(), C::Error> {
    let prefix = emit.prefix;
    emit.count(Metric::EventsReplayed, progress.events_replayed)?;
    emit.count(Metric::BytesReplayed, progress.bytes_replayed)?;
    emit.count(Metric::BytesDiscarded, progress.bytes_discarded)?;
    emit.count(Metric::SegmentsReplayed, progress.segments_replayed)?;
    emit.level(
        MetricKey::new(prefix, Metric::SegmentsTotal, None),
        progress.segments_total,
    )?;
    if let Some(id) = progress.current_event_id {
        emit.level(MetricKey::new(prefix, Metric::CurrentEventId, None), id)?;
    }
    if let Some(id) = progress.last_event_id {
        emit.level(MetricKey::new(prefix, Metric::LastEventId, None), id)?;
    }
    for phase in Phase::ALL {
        emit.level(phase.key(prefix), u64::from(phase == progress.phase))?;
    }
    if let Some(eta) = progress.eta_ns {
        emit.gauge(Metric::Eta, eta as f64)?;
    }
    Ok(())
}

/// ` Progress: phase=… events=… bytes=… discarded=… segments=R/T current=… last=… rate=… eta=…`
struct ProgressLine<'a>(&'a ProgressSnapshot);

impl std::fmt::Display for ProgressLine<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = self.0;
        let id = |id: Option<u64>| id.map_or_else(|| "-".to_owned(), |id| id.to_string());
        write!(
            f,
            " Progress: phase={} events={} bytes={} discarded={} segments={}/{} current_event={} last_event={} rate={}",
            p.phase.name(),
            p.events_replayed,
            p.bytes_replayed,
            p.bytes_discarded,
            p.segments_replayed,
            p.segments_total,
            id(p.current_event_id),
            id(p.last_event_id),
            HumanRate(p.events_per_sec),
        )?;
        match p.eta_ns {
            Some(eta) => write!(f, " eta={}", HumanNs(eta as f64)),
            None => write!(f, " eta=-"),
        }
    }
}
