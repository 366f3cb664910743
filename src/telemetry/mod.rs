//! The recorder: the WAL recovery manager's telemetry (`Manager`, `ManagerUpdater`), its
//! sibling components (`SegmentReader`, `SegmentPreloader`), the recovery's progress, the
//! aggregate of all of them (`Recovery`), and the pieces they are built from.

mod attribute_value;
mod cache_line;
mod catalogue;
pub mod clock;
mod clock_resolution;
mod collect;
pub(crate) mod component;
pub mod dump;
#[cfg(any(feature = "otlp", feature = "recording"))]
pub(crate) mod env_var;
pub mod histogram;
mod manager;
mod names;
mod owned_updater;
mod preloader;
mod progress;
mod recovery;
mod segment_reader;
mod stats;
mod updater;

pub use attribute_value::AttributeValue;
pub use catalogue::{
    Metric, SegmentPreloader, SegmentPreloaderSnapshot, SegmentReader, SegmentReaderSnapshot,
};
pub use collect::{Collector, CsvCollector, CsvError, PrometheusText};
pub use histogram::{
    Exemplar, ExemplarReader, HistogramSnapshot, HistogramWriter, LatencyHistogram, TraceContext,
    UnixExemplar,
};
pub use manager::{Manager, ManagerSnapshot};
pub use names::{
    Attribute, CLOCK_RESOLUTION_ATTRIBUTE, Component, INSTRUMENTATION_SCOPE, Kind, MetricKey,
    PHASE_ATTRIBUTE, PrometheusName, Shape, Stat, Unit,
};
pub use owned_updater::{OwnedManagerUpdater, OwnsManager};
pub use progress::{Phase, ProgressSnapshot, RecoveryProgress};
pub use recovery::{Recovery, RecoverySnapshot};
pub use segment_reader::IntegrityProblem;
pub use stats::{
    DerivedDurationStats, DurationSnapshot, DurationStats, OperationSnapshot, OperationStats,
};
pub use updater::{ManagerUpdater, Status};
