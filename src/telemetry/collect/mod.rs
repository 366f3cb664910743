//! `collect(prefix, collector)`: hands every metric to an external [`Collector`] under stable
//! keys.
//!
//! The keys are the specification's `<prefix>_read_segment_header`, `<prefix>_resume_from_event`,
//! `<prefix>_seek_event`, `<prefix>_next_event` and `<prefix>_next_event_histogram`, one
//! [`MetricKey`] per statistic; what each is called in every output, its unit and its kind
//! are in the naming table ([`names`](super::names)). Keys are structured rather than strings,
//! so a collector that never prints them (the OTLP exporter) allocates nothing.

mod csv;
mod prometheus;

pub use self::csv::{CsvCollector, CsvError};
pub use self::prometheus::PrometheusText;

use super::histogram::HistogramSnapshot;
use super::manager::{Manager, ManagerSnapshot};
use super::names::{Metric, MetricKey, Stat};
use super::stats::{DurationSnapshot, OperationSnapshot};

/// A destination for metrics: Prometheus text, CSV, OTLP, or your own pipeline.
pub trait Collector {
    /// What a failed write reports.
    type Error;
    /// A monotonic counter, in its recorded unit (nanoseconds for [`Stat::Time`], a count
    /// otherwise); [`Unit::from_recorded`](super::names::Unit::from_recorded) converts it to
    /// the key's exported unit.
    fn counter(&mut self, key: &MetricKey<'_>, value: u64) -> Result<(), Self::Error>;
    /// A current value, in its recorded unit (nanoseconds for times).
    fn gauge(&mut self, key: &MetricKey<'_>, value: f64) -> Result<(), Self::Error>;
    /// A current value that is a whole number (an event id, a count of segments); collectors
    /// that can keep it exact override this. By default it goes to [`gauge`](Self::gauge).
    fn gauge_u64(&mut self, key: &MetricKey<'_>, value: u64) -> Result<(), Self::Error> {
        self.gauge(key, value as f64)
    }
    /// A whole histogram at its recording scale: nothing is lost on the way.
    fn histogram(
        &mut self,
        key: &MetricKey<'_>,
        histogram: &HistogramSnapshot,
    ) -> Result<(), Self::Error>;
}

/// Hands one snapshot's values to a collector under the naming table's keys: the one place
/// that decides which statistics of a metric are emitted, and when.
pub(crate) struct Emitter<'p, 'c, C> {
    pub(crate) prefix: &'p str,
    pub(crate) collector: &'c mut C,
}

impl<'p, C: Collector> Emitter<'p, '_, C> {
    fn key(&self, metric: Metric, stat: Option<Stat>) -> MetricKey<'p> {
        MetricKey::new(self.prefix, metric, stat)
    }

    fn counter(&mut self, metric: Metric, stat: Stat, value: u64) -> Result<(), C::Error> {
        let key = self.key(metric, Some(stat));
        self.collector.counter(&key, value)
    }

    /// A metric that is one counter.
    pub(crate) fn count(&mut self, metric: Metric, value: u64) -> Result<(), C::Error> {
        let key = self.key(metric, None);
        self.collector.counter(&key, value)
    }

    /// A metric that is one whole-number gauge (or one series of it, told apart by `key`).
    pub(crate) fn level(&mut self, key: MetricKey<'_>, value: u64) -> Result<(), C::Error> {
        self.collector.gauge_u64(&key, value)
    }

    /// A metric that is one gauge in its recorded unit.
    pub(crate) fn gauge(&mut self, metric: Metric, value: f64) -> Result<(), C::Error> {
        let key = self.key(metric, None);
        self.collector.gauge(&key, value)
    }

    pub(crate) fn duration(
        &mut self,
        metric: Metric,
        d: &DurationSnapshot,
    ) -> Result<(), C::Error> {
        self.counter(metric, Stat::Samples, d.samples)?;
        self.counter(metric, Stat::Time, d.total_ns)?;
        self.counter(metric, Stat::Clamped, d.clamped)?;
        if d.samples > 0 {
            let gauges = [
                (Stat::Min, d.min_ns as f64),
                (Stat::Max, d.max_ns as f64),
                (Stat::Avg, d.avg_ns()),
            ];
            for (stat, value) in gauges {
                let key = self.key(metric, Some(stat));
                self.collector.gauge(&key, value)?;
            }
        }
        Ok(())
    }

    pub(crate) fn operation(
        &mut self,
        metric: Metric,
        op: &OperationSnapshot,
    ) -> Result<(), C::Error> {
        self.duration(metric, &op.duration)?;
        self.counter(metric, Stat::Success, op.success)?;
        self.counter(metric, Stat::Failures, op.failures)
    }

    pub(crate) fn histogram(
        &mut self,
        metric: Metric,
        h: &HistogramSnapshot,
    ) -> Result<(), C::Error> {
        let key = self.key(metric, None);
        self.collector.histogram(&key, h)?;
        self.counter(metric, Stat::Saturated, h.saturated)
    }
}

impl ManagerSnapshot {
    /// Hands every statistic to `collector`, one [`MetricKey`] each (see
    /// [`MetricKey::manager`] for the list).
    pub fn collect<C: Collector>(&self, prefix: &str, collector: &mut C) -> Result<(), C::Error> {
        self.emit_into(&mut Emitter { prefix, collector })
    }
}

impl Manager {
    /// Takes a snapshot and hands it to `collector`; see [`ManagerSnapshot::collect`].
    pub fn collect<C: Collector>(&self, prefix: &str, collector: &mut C) -> Result<(), C::Error> {
        self.snapshot().collect(prefix, collector)
    }
}
