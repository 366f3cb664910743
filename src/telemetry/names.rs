//! The naming table: what every exported series is called, its unit, its kind and its
//! description, in every output (OTLP, Prometheus text, CSV).
//!
//! A series is one [`Metric`] and, for the duration metrics, one [`Stat`] of it; a
//! [`MetricKey`] adds the caller's prefix. A metric belongs to a [`Component`]: the
//! specification's `Manager` (whose names have no component part) or one of the recovery's
//! other parts (`segment_reader`, `segment_preloader`, `recovery`). Every name derives from
//! these parts:
//!
//! - the **collect key** stem is the specification's `<prefix>_<metric>` (`walrec_next_event`),
//!   or `<prefix>_<component>_<metric>` (`walrec_segment_reader_open_segment`);
//! - the **OTLP name** is `<prefix>[.<component>].<metric>[.<stat>]` (`walrec.next_event.time`), with the
//!   unit in OTLP's unit field, never in the name;
//! - the **Prometheus name** is what Prometheus makes of that OTLP metric by its standard
//!   translation: `.` → `_`, the unit appended as a word (`s` → `_seconds`; annotations such as
//!   `{operation}` add nothing; not when the name already has that word, as in
//!   `walrec_recovery_bytes_replayed_total`), and `_total` on monotonic sums
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

pub(crate) use super::catalogue::Metric;

/// Which part of the recovery a metric belongs to: its name's second part, after the prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Component {
    /// The specification's `Manager`: no component part, so its keys stay the spec's.
    Manager,
    /// [`SegmentReader`](super::SegmentReader): `segment_reader`.
    SegmentReader,
    /// [`SegmentPreloader`](super::SegmentPreloader): `segment_preloader`.
    SegmentPreloader,
    /// [`RecoveryProgress`](super::RecoveryProgress): `recovery`.
    Recovery,
}

impl Component {
    /// The name part, or `None` for the Manager.
    pub fn name(self) -> Option<&'static str> {
        match self {
            Component::Manager => None,
            Component::SegmentReader => Some("segment_reader"),
            Component::SegmentPreloader => Some("segment_preloader"),
            Component::Recovery => Some("recovery"),
        }
    }
}

/// How a metric is exported: duration statistics, a histogram, or one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Duration statistics, one series per [`Stat`] listed.
    Stats(&'static [Stat]),
    /// A latency histogram (with [`Stat::Saturated`] beside it).
    Histogram,
    /// One value of this kind and unit.
    Value(Kind, Unit),
}

pub(crate) const OPERATION: &[Stat] = &[
    Stat::Samples,
    Stat::Time,
    Stat::Clamped,
    Stat::Min,
    Stat::Max,
    Stat::Avg,
    Stat::Success,
    Stat::Failures,
];
pub(crate) const DURATION: &[Stat] = &[
    Stat::Samples,
    Stat::Time,
    Stat::Clamped,
    Stat::Min,
    Stat::Max,
    Stat::Avg,
];

/// The shape of a catalogue kind token (`operation`, `counter(Operations)`, …).
macro_rules! shape {
    (operation) => {
        $crate::telemetry::Shape::Stats($crate::telemetry::names::OPERATION)
    };
    (duration) => {
        $crate::telemetry::Shape::Stats($crate::telemetry::names::DURATION)
    };
    (histogram) => {
        $crate::telemetry::Shape::Histogram
    };
    (counter($unit:ident)) => {
        $crate::telemetry::Shape::Value(
            $crate::telemetry::Kind::Counter,
            $crate::telemetry::Unit::$unit,
        )
    };
    (gauge($unit:ident)) => {
        $crate::telemetry::Shape::Value(
            $crate::telemetry::Kind::Gauge,
            $crate::telemetry::Unit::$unit,
        )
    };
}

/// Declares the catalogue (`catalogue.rs`): per component, its mode (see
/// [`component`](super::component)) and one line per metric — variant, snapshot field, name,
/// kind, dump label, description — from which the [`Metric`] enum, [`Metric::ALL`], every
/// per-metric accessor and the components' derived code come, so that a metric is written once.
macro_rules! catalogue {
    ($(
        $component:ident ($mode:ident $($spec:tt)*) {
            $( $variant:ident: $vis:vis $field:ident, $name:literal,
               $kind:ident $(($unit:ident))?, $label:literal, $description:literal; )*
        }
    )*) => {
        /// Every metric of a recovery: the `Manager`'s five, in the specification's order, then
        /// the segment reader's, the preloader's and the progress.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Metric {
            $($(#[doc = concat!("`", $name, "`: ", $description, ".")] $variant,)*)*
        }

        /// How many metrics the catalogue declares.
        const METRICS: usize = [$($($name),*),*].len();

        impl Metric {
            /// Every metric of a recovery, in collect order.
            pub const ALL: [Metric; METRICS] = [$($(Metric::$variant),*),*];

            /// The component the metric belongs to.
            pub fn component(self) -> $crate::telemetry::Component {
                match self { $($(Metric::$variant => $crate::telemetry::Component::$component,)*)* }
            }

            /// The field name: the metric's part of every name.
            pub fn name(self) -> &'static str {
                match self { $($(Metric::$variant => $name,)*)* }
            }

            /// What the metric measures, in one phrase.
            pub fn description(self) -> &'static str {
                match self { $($(Metric::$variant => $description,)*)* }
            }

            /// How the metric is exported.
            pub fn shape(self) -> $crate::telemetry::Shape {
                match self { $($(Metric::$variant => $crate::telemetry::names::shape!($kind $(($unit))?),)*)* }
            }
        }

        $( $crate::telemetry::component::component! {
            $mode ($($spec)*) {
                $( $variant: $vis $field, $kind, $label, $description; )*
            }
        } )*
    };
}

pub(crate) use {catalogue, shape};

impl Metric {
    /// The Manager's five, in the specification's order.
    pub const MANAGER: [Metric; 5] = [
        Metric::ReadSegmentHeader,
        Metric::ResumeFromEvent,
        Metric::SeekEvent,
        Metric::NextEvent,
        Metric::NextEventHistogram,
    ];

    /// The statistics exported for this metric: empty for a single value, only
    /// [`Stat::Saturated`] beside a histogram (which is exported whole).
    pub fn stats(self) -> &'static [Stat] {
        match self.shape() {
            Shape::Stats(stats) => stats,
            Shape::Histogram => &[Stat::Saturated],
            Shape::Value(..) => &[],
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

    pub(crate) fn what(self) -> &'static str {
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

    /// The exported unit.
    pub fn unit(self) -> Unit {
        match self {
            Stat::Time | Stat::Min | Stat::Max | Stat::Avg => Unit::Seconds,
            _ => Unit::Operations,
        }
    }

    /// Counter or gauge.
    pub fn kind(self) -> Kind {
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
    /// A count of events (`{event}`).
    Events,
    /// Bytes (`By`).
    Bytes,
    /// A count of segments (`{segment}`).
    Segments,
    /// An event id (`{event_id}`).
    EventId,
    /// A state flag, 1 or 0 (`{state}`).
    State,
}

impl Unit {
    /// The UCUM code, for OTLP's unit field.
    pub fn ucum(self) -> &'static str {
        match self {
            Unit::Seconds => "s",
            Unit::Nanoseconds => "ns",
            Unit::Operations => "{operation}",
            Unit::Events => "{event}",
            Unit::Bytes => "By",
            Unit::Segments => "{segment}",
            Unit::EventId => "{event_id}",
            Unit::State => "{state}",
        }
    }

    /// The word Prometheus' OTLP translation appends to the name, if any.
    pub fn prometheus_suffix(self) -> Option<&'static str> {
        match self {
            Unit::Seconds => Some("seconds"),
            Unit::Nanoseconds => Some("nanoseconds"),
            Unit::Bytes => Some("bytes"),
            Unit::Operations | Unit::Events | Unit::Segments | Unit::EventId | Unit::State => None,
        }
    }

    /// A recorded value (nanoseconds for times, a count otherwise) in this unit.
    pub fn from_recorded(self, value: f64) -> f64 {
        match self {
            Unit::Seconds => value / 1e9,
            _ => value,
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

/// An attribute that tells the series of one metric apart (the recovery phase's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Attribute {
    /// The OTLP attribute key (`wal.recovery.phase`); Prometheus gets it with `.` → `_`.
    pub key: &'static str,
    /// Its value.
    pub value: &'static str,
}

/// The resource attribute that says how finely durations were measured: the clock's measured
/// resolution in picoseconds (see [`clock::resolution_ps`](super::clock::resolution_ps)). The
/// OTLP agent sends it, and a recording's resource carries it, so that a reader of `p50=10ns`
/// knows it means "one clock step".
pub const CLOCK_RESOLUTION_ATTRIBUTE: &str = "walrec.clock.resolution_ps";

/// The attribute key of the phase series.
pub const PHASE_ATTRIBUTE: &str = "wal.recovery.phase";

/// The instrumentation scope of what walrec itself reports: the name of the tracer its
/// recovery spans come from, and the scope of its exported recovery metrics. One name, so a
/// backend groups walrec's spans and metrics under the same library.
pub const INSTRUMENTATION_SCOPE: &str = "walrec";

/// One exported series: `<prefix>`, a metric and, for duration metrics, a statistic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MetricKey<'a> {
    /// The caller's prefix; empty for none.
    pub prefix: &'a str,
    /// Which metric.
    pub metric: Metric,
    /// Which statistic, or `None` for a histogram or a single value.
    pub stat: Option<Stat>,
    /// What tells this series apart from the metric's others, if anything.
    pub attribute: Option<Attribute>,
}

impl<'a> MetricKey<'a> {
    /// The key of `metric` (with `stat`) under `prefix`, without an attribute.
    pub fn new(prefix: &'a str, metric: Metric, stat: Option<Stat>) -> Self {
        MetricKey {
            prefix,
            metric,
            stat,
            attribute: None,
        }
    }

    /// Every series a [`Recovery`](super::Recovery) exports under `prefix`, in collect order
    /// (one per phase for the phase metric).
    pub fn all(prefix: &'a str) -> impl Iterator<Item = MetricKey<'a>> {
        Self::of(prefix, &Metric::ALL)
    }

    /// Every series a [`Manager`](super::Manager) exports under `prefix`, in collect order.
    pub fn manager(prefix: &'a str) -> impl Iterator<Item = MetricKey<'a>> {
        Self::of(prefix, &Metric::MANAGER)
    }

    fn of(prefix: &'a str, metrics: &'static [Metric]) -> impl Iterator<Item = MetricKey<'a>> {
        metrics.iter().flat_map(move |&metric| {
            let whole = match metric.shape() {
                Shape::Stats(_) => Vec::new(),
                Shape::Histogram => vec![MetricKey::new(prefix, metric, None)],
                Shape::Value(..) if metric == Metric::Phase => super::progress::Phase::ALL
                    .iter()
                    .map(|phase| phase.key(prefix))
                    .collect(),
                Shape::Value(..) => vec![MetricKey::new(prefix, metric, None)],
            };
            let stats = metric.stats().iter();
            whole
                .into_iter()
                .chain(stats.map(move |&stat| MetricKey::new(prefix, metric, Some(stat))))
        })
    }

    /// The exported unit.
    pub fn unit(&self) -> Unit {
        match (self.stat, self.metric.shape()) {
            (Some(stat), _) => stat.unit(),
            (None, Shape::Value(_, unit)) => unit,
            (None, _) => Unit::Nanoseconds,
        }
    }

    /// Counter, gauge or histogram.
    pub fn kind(&self) -> Kind {
        match (self.stat, self.metric.shape()) {
            (Some(stat), _) => stat.kind(),
            (None, Shape::Value(kind, _)) => kind,
            (None, _) => Kind::Histogram,
        }
    }

    /// The description every output carries (OTLP description, Prometheus `# HELP`).
    pub fn description(&self) -> String {
        match (self.stat, self.metric.shape()) {
            (Some(stat), _) => format!("{}: {}.", self.metric.description(), stat.what()),
            (None, Shape::Histogram) => format!("{}.", self.metric.description()),
            (None, _) => format!("{}.", self.metric.description()),
        }
    }

    /// The OTLP name: `<prefix>[.<component>].<metric>[.<stat>]`.
    pub fn otlp_name(&self) -> String {
        let parts = [
            (!self.prefix.is_empty()).then_some(self.prefix),
            self.metric.component().name(),
            Some(self.metric.name()),
            self.stat.map(Stat::name),
        ];
        let parts: Vec<&str> = parts.into_iter().flatten().collect();
        parts.join(".")
    }

    /// Whether `word` is one of the name's tokens (its parts split at every character other
    /// than letters, digits and `:`). Prometheus' OTLP translation appends the unit word only
    /// when no token already is that word: `recovery.bytes_replayed` in `By` becomes
    /// `…_bytes_replayed_total`, not `…_bytes_replayed_bytes_total`.
    fn has_token(&self, word: &str) -> bool {
        let parts = [
            Some(self.prefix),
            self.metric.component().name(),
            Some(self.metric.name()),
            self.stat.map(Stat::name),
        ];
        parts.into_iter().flatten().any(|part| {
            part.split(|c: char| !(c.is_ascii_alphanumeric() || c == ':'))
                .any(|token| token == word)
        })
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
        if let Some(component) = key.metric.component().name() {
            write!(f, "{component}_")?;
        }
        f.write_str(key.metric.name())?;
        if let Some(stat) = key.stat {
            write!(f, "_{}", stat.name())?;
        }
        if let Some(unit) = key.unit().prometheus_suffix() {
            if !key.has_token(unit) {
                write!(f, "_{unit}")?;
            }
        }
        if key.kind() == Kind::Counter {
            f.write_str("_total")?;
        }
        Ok(())
    }
}
