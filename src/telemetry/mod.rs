//! The recorder: the WAL recovery manager's telemetry (`Manager`, `ManagerUpdater`) and the
//! pieces it is built from.

pub mod clock;
pub mod collect;
pub mod dump;
pub mod histogram;
pub mod manager;
pub mod names;
mod owned_updater;
pub mod stats;
pub mod updater;

pub use collect::{Collector, CsvCollector, CsvError, PrometheusText};
pub use histogram::{HistogramSnapshot, HistogramWriter, LatencyHistogram};
pub use manager::{Manager, ManagerSnapshot};
pub use names::{Kind, Metric, MetricKey, PrometheusName, Stat, Unit};
pub use owned_updater::OwnedManagerUpdater;
pub use stats::{
    DerivedDurationStats, DurationSnapshot, DurationStats, OperationSnapshot, OperationStats,
};
pub use updater::{ManagerUpdater, Status};
