//! `collect(prefix, collector)`: hands every metric to an external [`Collector`] under stable
//! keys.
//!
//! The keys are `<prefix>_read_segment_header`, `<prefix>_resume_from_event`,
//! `<prefix>_seek_event`, `<prefix>_next_event` and `<prefix>_next_event_histogram`. Each
//! statistic adds a suffix that names it and, for times, its unit:
//!
//! | suffix       | kind    | unit          | metrics                               |
//! |--------------|---------|---------------|---------------------------------------|
//! | `_samples`   | counter | `{operation}` | all four durations                    |
//! | `_success`   | counter | `{operation}` | read_segment_header, resume_from_event|
//! | `_failures`  | counter | `{operation}` | read_segment_header, resume_from_event|
//! | `_total_ns`  | counter | `ns`          | all four durations                    |
//! | `_clamped`   | counter | `{operation}` | all four: ends before starts          |
//! | `_min_ns`    | gauge   | `ns`          | all four, once there is a sample      |
//! | `_max_ns`    | gauge   | `ns`          | all four, once there is a sample      |
//! | `_avg_ns`    | gauge   | `ns`          | all four, once there is a sample      |
//! | *(none)*     | histogram | `ns`        | next_event_histogram, whole           |
//! | `_saturated` | counter | `{operation}` | next_event_histogram: values clamped to its range |
//!
//! Keys are structured ([`MetricKey`]) rather than strings, so a collector that never prints
//! them (the OTLP exporter) allocates nothing; `MetricKey`'s `Display` gives the joined name.

mod csv;
mod prometheus;

use std::fmt;

pub use self::csv::CsvCollector;
pub use self::prometheus::PrometheusText;

use super::histogram::HistogramSnapshot;
use super::manager::{Manager, ManagerSnapshot};
use super::stats::{DurationSnapshot, OperationSnapshot};

/// The five metrics of a [`Manager`], in the specification's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// `read_segment_header`
    ReadSegmentHeader,
    /// `resume_from_event`
    ResumeFromEvent,
    /// `seek_event`
    SeekEvent,
    /// `next_event`
    NextEvent,
    /// `next_event_histogram`
    NextEventHistogram,
}

impl Metric {
    /// All five, in order.
    pub const ALL: [Metric; 5] = [
        Metric::ReadSegmentHeader,
        Metric::ResumeFromEvent,
        Metric::SeekEvent,
        Metric::NextEvent,
        Metric::NextEventHistogram,
    ];

    /// The field name, which is the key's middle part.
    pub fn name(self) -> &'static str {
        match self {
            Metric::ReadSegmentHeader => "read_segment_header",
            Metric::ResumeFromEvent => "resume_from_event",
            Metric::SeekEvent => "seek_event",
            Metric::NextEvent => "next_event",
            Metric::NextEventHistogram => "next_event_histogram",
        }
    }

    /// One sentence on what the metric measures, for exposition formats' help text.
    pub fn description(self) -> &'static str {
        match self {
            Metric::ReadSegmentHeader => "Parsing and validating a WAL segment header",
            Metric::ResumeFromEvent => "Resuming WAL playback from an event id",
            Metric::SeekEvent => "The segment reader's seek to an event id",
            Metric::NextEvent => "Fetching the next event during WAL replay",
            Metric::NextEventHistogram => "Latency distribution of fetching the next event",
        }
    }
}

/// The unit of a value, as a UCUM code (what OTLP's unit field wants).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// Nanoseconds: `ns`.
    Nanoseconds,
    /// A count of operations: `{operation}`.
    Operations,
}

impl Unit {
    /// The UCUM code.
    pub fn ucum(self) -> &'static str {
        match self {
            Unit::Nanoseconds => "ns",
            Unit::Operations => "{operation}",
        }
    }
}

/// Whether a statistic only ever grows (a counter) or may go up and down (a gauge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Monotonic since the `Manager` was created.
    Counter,
    /// A current value.
    Gauge,
}

/// One statistic of a metric; its suffix is part of the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stat {
    /// Operations recorded.
    Samples,
    /// Operations that succeeded.
    Success,
    /// Operations that failed.
    Failures,
    /// Total time of all operations.
    TotalNs,
    /// Operations whose end preceded their start, recorded as zero.
    Clamped,
    /// Values above the histogram's range, clamped to its top.
    Saturated,
    /// Shortest operation.
    MinNs,
    /// Longest operation.
    MaxNs,
    /// Mean time per operation.
    AvgNs,
}

impl Stat {
    /// The key suffix, without the joining underscore.
    pub fn suffix(self) -> &'static str {
        match self {
            Stat::Samples => "samples",
            Stat::Success => "success",
            Stat::Failures => "failures",
            Stat::TotalNs => "total_ns",
            Stat::Clamped => "clamped",
            Stat::Saturated => "saturated",
            Stat::MinNs => "min_ns",
            Stat::MaxNs => "max_ns",
            Stat::AvgNs => "avg_ns",
        }
    }

    /// The unit of the statistic's value.
    pub fn unit(self) -> Unit {
        match self {
            Stat::TotalNs | Stat::MinNs | Stat::MaxNs | Stat::AvgNs => Unit::Nanoseconds,
            _ => Unit::Operations,
        }
    }

    /// Counter or gauge.
    pub fn kind(self) -> Kind {
        match self {
            Stat::MinNs | Stat::MaxNs | Stat::AvgNs => Kind::Gauge,
            _ => Kind::Counter,
        }
    }
}

/// A structured key: `<prefix>_<metric>[_<stat>]` when displayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MetricKey<'a> {
    /// The caller's prefix; empty for none.
    pub prefix: &'a str,
    /// Which of the five metrics.
    pub metric: Metric,
    /// Which statistic, or `None` for the histogram itself.
    pub stat: Option<Stat>,
}

impl MetricKey<'_> {
    /// The unit of the value under this key.
    pub fn unit(&self) -> Unit {
        self.stat.map_or(Unit::Nanoseconds, Stat::unit)
    }
}

impl fmt::Display for MetricKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.prefix.is_empty() {
            write!(f, "{}_", self.prefix)?;
        }
        f.write_str(self.metric.name())?;
        if let Some(stat) = self.stat {
            write!(f, "_{}", stat.suffix())?;
        }
        Ok(())
    }
}

/// A destination for metrics: Prometheus text, CSV, OTLP, or your own pipeline.
pub trait Collector {
    /// What a failed write reports.
    type Error;
    /// A monotonic counter.
    fn counter(&mut self, key: &MetricKey<'_>, value: u64) -> Result<(), Self::Error>;
    /// A current value.
    fn gauge(&mut self, key: &MetricKey<'_>, value: f64) -> Result<(), Self::Error>;
    /// A whole histogram at its recording scale: nothing is lost on the way.
    fn histogram(
        &mut self,
        key: &MetricKey<'_>,
        histogram: &HistogramSnapshot,
    ) -> Result<(), Self::Error>;
}

struct Emitter<'p, 'c, C> {
    prefix: &'p str,
    collector: &'c mut C,
}

impl<'p, C: Collector> Emitter<'p, '_, C> {
    fn key(&self, metric: Metric, stat: Option<Stat>) -> MetricKey<'p> {
        MetricKey {
            prefix: self.prefix,
            metric,
            stat,
        }
    }

    fn counter(&mut self, metric: Metric, stat: Stat, value: u64) -> Result<(), C::Error> {
        let key = self.key(metric, Some(stat));
        self.collector.counter(&key, value)
    }

    fn duration(&mut self, metric: Metric, d: &DurationSnapshot) -> Result<(), C::Error> {
        self.counter(metric, Stat::Samples, d.samples)?;
        self.counter(metric, Stat::TotalNs, d.total_ns)?;
        self.counter(metric, Stat::Clamped, d.clamped)?;
        if d.samples > 0 {
            let gauges = [
                (Stat::MinNs, d.min_ns as f64),
                (Stat::MaxNs, d.max_ns as f64),
                (Stat::AvgNs, d.avg_ns()),
            ];
            for (stat, value) in gauges {
                let key = self.key(metric, Some(stat));
                self.collector.gauge(&key, value)?;
            }
        }
        Ok(())
    }

    fn operation(&mut self, metric: Metric, op: &OperationSnapshot) -> Result<(), C::Error> {
        self.duration(metric, &op.duration)?;
        self.counter(metric, Stat::Success, op.success)?;
        self.counter(metric, Stat::Failures, op.failures)
    }

    fn histogram(&mut self, metric: Metric, h: &HistogramSnapshot) -> Result<(), C::Error> {
        let key = self.key(metric, None);
        self.collector.histogram(&key, h)?;
        self.counter(metric, Stat::Saturated, h.saturated)
    }
}

impl ManagerSnapshot {
    /// Hands every statistic to `collector` under `<prefix>_<metric>[_<stat>]` keys.
    pub fn collect<C: Collector>(&self, prefix: &str, collector: &mut C) -> Result<(), C::Error> {
        let mut emit = Emitter { prefix, collector };
        emit.operation(Metric::ReadSegmentHeader, &self.read_segment_header)?;
        emit.operation(Metric::ResumeFromEvent, &self.resume_from_event)?;
        emit.duration(Metric::SeekEvent, &self.seek_event)?;
        emit.duration(Metric::NextEvent, &self.next_event)?;
        emit.histogram(Metric::NextEventHistogram, &self.next_event_histogram)
    }
}

impl Manager {
    /// Takes a snapshot and hands it to `collector`; see [`ManagerSnapshot::collect`].
    pub fn collect<C: Collector>(&self, prefix: &str, collector: &mut C) -> Result<(), C::Error> {
        self.snapshot().collect(prefix, collector)
    }
}
