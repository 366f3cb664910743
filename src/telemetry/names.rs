//! The naming table: what every exported series is called, its unit, its kind and its
//! description, in every output (OTLP, Prometheus text, CSV).
//!
//! A series is one [`Metric`] and, for the duration metrics, one [`Stat`] of it; a
//! [`MetricKey`] adds the caller's prefix. Every name derives from these parts:
//!
//! - the **collect key** stem is the specification's `<prefix>_<metric>` (`walrec_next_event`);
//! - the **OTLP name** is `<prefix>.<metric>[.<stat>]` (`walrec.next_event.time`), with the
//!   unit in OTLP's unit field, never in the name;
//! - the **Prometheus name** is what Prometheus makes of that OTLP metric by its standard
//!   translation: `.` → `_`, the unit appended as a word (`s` → `_seconds`; annotations such as
//!   `{operation}` add nothing), and `_total` on monotonic sums
//!   (`walrec_next_event_time_seconds_total`). [`PrometheusText`](super::PrometheusText) and
//!   [`CsvCollector`](super::CsvCollector) write exactly these names, so a dashboard built on
//!   one output works on the others.
//!
//! Units follow OpenTelemetry's and Prometheus' conventions: times are exported in seconds
//! (`s`) as floating-point values, counts as integers. The one exception is the latency
//! histogram, which stays in nanoseconds (`ns`): its exponential buckets are powers of
//! `2^(2^-scale)` *in its unit*, and converting nanoseconds to seconds would move every
//! bucket boundary and blur the distribution it exists to keep exact. That is why
//! `promtool check metrics` reports two findings on `next_event_histogram` alone: a type
//! name in the metric name (the specification's own key) and a non-base unit.

use std::fmt;

/// The metrics of a [`Manager`](super::Manager), in the specification's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
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
    /// The Manager's five, in order.
    pub const ALL: [Metric; 5] = [
        Metric::ReadSegmentHeader,
        Metric::ResumeFromEvent,
        Metric::SeekEvent,
        Metric::NextEvent,
        Metric::NextEventHistogram,
    ];

    /// The field name: the middle part of every name.
    pub fn name(self) -> &'static str {
        match self {
            Metric::ReadSegmentHeader => "read_segment_header",
            Metric::ResumeFromEvent => "resume_from_event",
            Metric::SeekEvent => "seek_event",
            Metric::NextEvent => "next_event",
            Metric::NextEventHistogram => "next_event_histogram",
        }
    }

    /// What the metric measures, in one phrase.
    pub fn description(self) -> &'static str {
        match self {
            Metric::ReadSegmentHeader => "Parsing and validating a WAL segment header",
            Metric::ResumeFromEvent => {
                "Resuming WAL replay at an event id (locate, open, verify and seek)"
            }
            Metric::SeekEvent => "The segment reader's seek to an event id",
            Metric::NextEvent => {
                "Time from one next-event call to the next during WAL replay \
                 (fetching an event and handling the previous one)"
            }
            Metric::NextEventHistogram => "Distribution of the next-event times",
        }
    }

    /// The statistics exported for this metric. A histogram is exported whole, with only
    /// [`Stat::Saturated`] beside it.
    pub fn stats(self) -> &'static [Stat] {
        const OPERATION: &[Stat] = &[
            Stat::Samples,
            Stat::Time,
            Stat::Clamped,
            Stat::Min,
            Stat::Max,
            Stat::Avg,
            Stat::Success,
            Stat::Failures,
        ];
        const DURATION: &[Stat] = &[
            Stat::Samples,
            Stat::Time,
            Stat::Clamped,
            Stat::Min,
            Stat::Max,
            Stat::Avg,
        ];
        match self {
            Metric::ReadSegmentHeader | Metric::ResumeFromEvent => OPERATION,
            Metric::SeekEvent | Metric::NextEvent => DURATION,
            Metric::NextEventHistogram => &[Stat::Saturated],
        }
    }
}

/// One statistic of a duration metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Stat {
    /// Operations recorded.
    Samples,
    /// Operations that succeeded.
    Success,
    /// Operations that failed.
    Failures,
    /// Total time of all operations.
    Time,
    /// Operations whose end preceded their start, recorded as zero.
    Clamped,
    /// Values above the histogram's range, clamped to its top.
    Saturated,
    /// Shortest operation.
    Min,
    /// Longest operation.
    Max,
    /// Mean time per operation.
    Avg,
}

impl Stat {
    /// The statistic's part of the OTLP name.
    pub fn name(self) -> &'static str {
        match self {
            Stat::Samples => "samples",
            Stat::Success => "success",
            Stat::Failures => "failures",
            Stat::Time => "time",
            Stat::Clamped => "clamped",
            Stat::Saturated => "saturated",
            Stat::Min => "min",
            Stat::Max => "max",
            Stat::Avg => "avg",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Stat::Samples => "operations recorded",
            Stat::Success => "operations that succeeded",
            Stat::Failures => "operations that failed",
            Stat::Time => "total time",
            Stat::Clamped => "operations whose end preceded their start, recorded as zero",
            Stat::Saturated => "values above the histogram range, clamped to its top",
            Stat::Min => "shortest operation since start",
            Stat::Max => "longest operation since start",
            Stat::Avg => "mean time per operation",
        }
    }

    fn unit(self) -> Unit {
        match self {
            Stat::Time | Stat::Min | Stat::Max | Stat::Avg => Unit::Seconds,
            _ => Unit::Operations,
        }
    }

    fn kind(self) -> Kind {
        match self {
            Stat::Min | Stat::Max | Stat::Avg => Kind::Gauge,
            _ => Kind::Counter,
        }
    }
}

/// The unit a series is exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Unit {
    /// Seconds (`s`), as floating point; recorded in nanoseconds.
    Seconds,
    /// Nanoseconds (`ns`): the latency histogram only (see the module docs).
    Nanoseconds,
    /// A count of operations (`{operation}`).
    Operations,
}

impl Unit {
    /// The UCUM code, for OTLP's unit field.
    pub fn ucum(self) -> &'static str {
        match self {
            Unit::Seconds => "s",
            Unit::Nanoseconds => "ns",
            Unit::Operations => "{operation}",
        }
    }

    /// The word Prometheus' OTLP translation appends to the name, if any.
    pub fn prometheus_suffix(self) -> Option<&'static str> {
        match self {
            Unit::Seconds => Some("seconds"),
            Unit::Nanoseconds => Some("nanoseconds"),
            Unit::Operations => None,
        }
    }

    /// A recorded value (nanoseconds for times, a count otherwise) in this unit.
    pub fn from_recorded(self, value: f64) -> f64 {
        match self {
            Unit::Seconds => value / 1e9,
            Unit::Nanoseconds | Unit::Operations => value,
        }
    }
}

/// Whether a series only grows, goes up and down, or is a distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// Monotonic since the `Manager` was created (an OTLP monotonic Sum).
    Counter,
    /// A current value (an OTLP Gauge).
    Gauge,
    /// A latency distribution (an OTLP exponential histogram).
    Histogram,
}

/// One exported series: `<prefix>`, a metric and, for duration metrics, a statistic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MetricKey<'a> {
    /// The caller's prefix; empty for none.
    pub prefix: &'a str,
    /// Which metric.
    pub metric: Metric,
    /// Which statistic, or `None` for the histogram itself.
    pub stat: Option<Stat>,
}

impl<'a> MetricKey<'a> {
    /// Every series a [`Manager`](super::Manager) exports under `prefix`, in collect order.
    pub fn all(prefix: &'a str) -> impl Iterator<Item = MetricKey<'a>> {
        Metric::ALL.into_iter().flat_map(move |metric| {
            let whole = (metric == Metric::NextEventHistogram).then_some(None);
            let stats = metric.stats().iter().map(|&stat| Some(stat));
            whole.into_iter().chain(stats).map(move |stat| MetricKey {
                prefix,
                metric,
                stat,
            })
        })
    }

    /// The exported unit.
    pub fn unit(&self) -> Unit {
        self.stat.map_or(Unit::Nanoseconds, Stat::unit)
    }

    /// Counter, gauge or histogram.
    pub fn kind(&self) -> Kind {
        self.stat.map_or(Kind::Histogram, Stat::kind)
    }

    /// The description every output carries (OTLP description, Prometheus `# HELP`).
    pub fn description(&self) -> String {
        let what = self.stat.map_or("distribution", Stat::what);
        format!("{}: {what}.", self.metric.description())
    }

    /// The OTLP name: `<prefix>.<metric>[.<stat>]`.
    pub fn otlp_name(&self) -> String {
        let mut name = String::with_capacity(48);
        if !self.prefix.is_empty() {
            name.push_str(self.prefix);
            name.push('.');
        }
        name.push_str(self.metric.name());
        if let Some(stat) = self.stat {
            name.push('.');
            name.push_str(stat.name());
        }
        name
    }

    /// The Prometheus name (also `Display`): see the module docs.
    pub fn prometheus_name(&self) -> PrometheusName<'_, 'a> {
        PrometheusName(self)
    }
}

impl fmt::Display for MetricKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.prometheus_name().fmt(f)
    }
}

/// A [`MetricKey`]'s Prometheus name, written without allocating.
#[derive(Debug, Clone, Copy)]
pub struct PrometheusName<'k, 'a>(&'k MetricKey<'a>);

impl fmt::Display for PrometheusName<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = self.0;
        // Letters, digits, '_' and ':' are allowed, but not a leading digit; anything else
        // (from a caller's prefix, or OTLP's '.') becomes '_'.
        for (i, c) in key.prefix.chars().enumerate() {
            if i == 0 && c.is_ascii_digit() {
                f.write_str("_")?;
            }
            let allowed = c.is_ascii_alphanumeric() || c == '_' || c == ':';
            write!(f, "{}", if allowed { c } else { '_' })?;
        }
        if !key.prefix.is_empty() {
            f.write_str("_")?;
        }
        f.write_str(key.metric.name())?;
        if let Some(stat) = key.stat {
            write!(f, "_{}", stat.name())?;
        }
        if let Some(unit) = key.unit().prometheus_suffix() {
            write!(f, "_{unit}")?;
        }
        if key.kind() == Kind::Counter {
            f.write_str("_total")?;
        }
        Ok(())
    }
}
