//! The kinds of series a component is made of, and what each kind does in every output.

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};

use super::super::collect::{Collector, Emitter};
use super::super::dump::{write_duration, write_operation, write_percentiles};
use super::super::histogram::HistogramSnapshot;
use super::super::names::{Metric, MetricKey};
use super::super::stats::{DurationSnapshot, DurationStats, OperationSnapshot, OperationStats};

/// A monotonic count on a cache line of its own.
#[repr(C, align(64))]
pub(crate) struct Counter(AtomicU64);

impl Counter {
    /// Zero.
    pub(crate) const fn new() -> Self {
        Counter(AtomicU64::new(0))
    }

    /// Adds one.
    pub(crate) fn increment(&self) {
        self.0.fetch_add(1, Ordering::Relaxed); // Relaxed: an independent counter.
    }
}

/// A current value (a gauge) on a cache line of its own.
#[repr(C, align(64))]
pub(crate) struct Level(AtomicU64);

impl Level {
    /// Zero.
    pub(crate) const fn new() -> Self {
        Level(AtomicU64::new(0))
    }

    /// Sets the current value.
    pub(crate) fn set(&self, value: u64) {
        self.0.store(value, Ordering::Relaxed); // Relaxed: a level, read on its own.
    }
}

/// A snapshot field, by kind, for code that walks a component's series (the recording).
#[cfg(feature = "recording")]
#[derive(Debug)]
pub(crate) enum SeriesMut<'a> {
    /// An operation's statistics.
    Operation(&'a mut OperationSnapshot),
    /// A duration's statistics.
    Duration(&'a mut DurationSnapshot),
    /// A counter or a gauge.
    Value(&'a mut u64),
}

/// What a kind of series does in every output.
pub(crate) trait Series {
    /// Its value in a snapshot.
    type Snapshot;
    /// Hands the value to a collector under `metric`'s keys.
    fn emit<C: Collector>(
        metric: Metric,
        value: &Self::Snapshot,
        emit: &mut Emitter<'_, '_, C>,
    ) -> Result<(), C::Error>;
    /// Writes the value's own dump line (timed kinds and the histogram); counts go on the
    /// component's counts line instead.
    fn dump_line(out: &mut impl io::Write, label: &str, value: &Self::Snapshot) -> io::Result<()>;
    /// The value for the component's counts line, for counters and gauges.
    fn dump_count(_value: &Self::Snapshot) -> Option<u64> {
        None
    }
}

/// A kind of series a `generated` component stores in atomics.
pub(crate) trait Stored: Series {
    /// The atomic cell.
    type Cell;
    /// A plain copy of the cell.
    fn snapshot(cell: &Self::Cell) -> Self::Snapshot;
    /// What was recorded after `base`.
    fn since(now: &Self::Snapshot, base: &Self::Snapshot) -> Self::Snapshot;
    /// Adds `later` to `into`, as if recorded into one cell.
    fn merge(into: &mut Self::Snapshot, later: &Self::Snapshot);
    /// The field by kind.
    #[cfg(feature = "recording")]
    fn series_mut(value: &mut Self::Snapshot) -> SeriesMut<'_>;
}

/// `operation`: timed, succeeded or failed ([`OperationStats`]).
#[derive(Debug)]
pub(crate) struct Operation;
/// `duration`: timed ([`DurationStats`]).
#[derive(Debug)]
pub(crate) struct Duration;
/// `histogram`: a latency distribution (the Manager's).
#[derive(Debug)]
pub(crate) struct Histogram;
/// `counter(unit)`: a monotonic count ([`Counter`]).
#[derive(Debug)]
pub(crate) struct Count;
/// `gauge(unit)`: a current value ([`Level`]).
#[derive(Debug)]
pub(crate) struct Gauge;

/// `Series` and `Stored` for a timed kind, whose snapshot has `since` and `merge` of its own.
macro_rules! timed {
    ($kind:ident, $cell:ident, $snapshot:ident, $emit:ident, $write:ident) => {
        impl Series for $kind {
            type Snapshot = $snapshot;
            fn emit<C: Collector>(
                metric: Metric,
                value: &$snapshot,
                emit: &mut Emitter<'_, '_, C>,
            ) -> Result<(), C::Error> {
                emit.$emit(metric, value)
            }
            fn dump_line(
                out: &mut impl io::Write,
                label: &str,
                value: &$snapshot,
            ) -> io::Result<()> {
                $write(out, label, value)
            }
        }

        impl Stored for $kind {
            type Cell = $cell;
            fn snapshot(cell: &$cell) -> $snapshot {
                cell.snapshot()
            }
            fn since(now: &$snapshot, base: &$snapshot) -> $snapshot {
                now.since(base)
            }
            fn merge(into: &mut $snapshot, later: &$snapshot) {
                into.merge(later);
            }
            #[cfg(feature = "recording")]
            fn series_mut(value: &mut $snapshot) -> SeriesMut<'_> {
                SeriesMut::$kind(value)
            }
        }
    };
}

timed!(
    Operation,
    OperationStats,
    OperationSnapshot,
    operation,
    write_operation
);
timed!(
    Duration,
    DurationStats,
    DurationSnapshot,
    duration,
    write_duration
);

impl Series for Histogram {
    type Snapshot = HistogramSnapshot;
    fn emit<C: Collector>(
        metric: Metric,
        value: &HistogramSnapshot,
        emit: &mut Emitter<'_, '_, C>,
    ) -> Result<(), C::Error> {
        emit.histogram(metric, value)
    }
    fn dump_line(
        out: &mut impl io::Write,
        _label: &str,
        value: &HistogramSnapshot,
    ) -> io::Result<()> {
        write_percentiles(out, value)
    }
}

impl Series for Count {
    type Snapshot = u64;
    fn emit<C: Collector>(
        metric: Metric,
        value: &u64,
        emit: &mut Emitter<'_, '_, C>,
    ) -> Result<(), C::Error> {
        emit.count(metric, *value)
    }
    fn dump_line(_out: &mut impl io::Write, _label: &str, _value: &u64) -> io::Result<()> {
        Ok(())
    }
    fn dump_count(value: &u64) -> Option<u64> {
        Some(*value)
    }
}

impl Stored for Count {
    type Cell = Counter;
    fn snapshot(cell: &Counter) -> u64 {
        cell.0.load(Ordering::Relaxed) // Relaxed: an independent counter.
    }
    fn since(now: &u64, base: &u64) -> u64 {
        now.saturating_sub(*base)
    }
    fn merge(into: &mut u64, later: &u64) {
        *into = into.saturating_add(*later);
    }
    #[cfg(feature = "recording")]
    fn series_mut(value: &mut u64) -> SeriesMut<'_> {
        SeriesMut::Value(value)
    }
}

impl Series for Gauge {
    type Snapshot = u64;
    fn emit<C: Collector>(
        metric: Metric,
        value: &u64,
        emit: &mut Emitter<'_, '_, C>,
    ) -> Result<(), C::Error> {
        emit.level(MetricKey::new(emit.prefix, metric, None), *value)
    }
    fn dump_line(_out: &mut impl io::Write, _label: &str, _value: &u64) -> io::Result<()> {
        Ok(())
    }
    fn dump_count(value: &u64) -> Option<u64> {
        Some(*value)
    }
}

/// A level is the later snapshot's value, over an interval and when merging.
impl Stored for Gauge {
    type Cell = Level;
    fn snapshot(cell: &Level) -> u64 {
        cell.0.load(Ordering::Relaxed) // Relaxed: a level, read on its own.
    }
    fn since(now: &u64, _base: &u64) -> u64 {
        *now
    }
    fn merge(into: &mut u64, later: &u64) {
        *into = *later;
    }
    #[cfg(feature = "recording")]
    fn series_mut(value: &mut u64) -> SeriesMut<'_> {
        SeriesMut::Value(value)
    }
}

/// A component's counts on one dump line: ` <label>: a=1 b=2`, a value alone when its label is
/// empty (` Stalls             : 1 ready_ahead=2`); nothing when the component has no counts.
#[derive(Debug)]
pub(crate) struct CountsLine {
    label: &'static str,
    started: bool,
}

impl CountsLine {
    pub(crate) fn new(label: &'static str) -> Self {
        CountsLine {
            label,
            started: false,
        }
    }

    pub(crate) fn item(
        &mut self,
        out: &mut impl io::Write,
        name: &str,
        value: u64,
    ) -> io::Result<()> {
        if self.started {
            write!(out, " ")?;
        } else {
            write!(out, " {:<19}: ", self.label)?;
            self.started = true;
        }
        match name {
            "" => write!(out, "{value}"),
            name => write!(out, "{name}={value}"),
        }
    }

    pub(crate) fn finish(self, out: &mut impl io::Write) -> io::Result<()> {
        if self.started { writeln!(out) } else { Ok(()) }
    }
}

/// The table of catalogue kind tokens: `kind!(token, marker)` is the kind's marker type,
/// `kind!(token, cell)` its atomic cell and `kind!(token, snapshot)` its snapshot type (a public
/// field's type, so named rather than projected through the private traits).
macro_rules! kind {
    (operation, $what:ident) => {
        $crate::telemetry::component::kind!(@$what
            $crate::telemetry::component::Operation,
            $crate::telemetry::OperationStats,
            $crate::telemetry::OperationSnapshot)
    };
    (duration, $what:ident) => {
        $crate::telemetry::component::kind!(@$what
            $crate::telemetry::component::Duration,
            $crate::telemetry::DurationStats,
            $crate::telemetry::DurationSnapshot)
    };
    (histogram, $what:ident) => {
        $crate::telemetry::component::kind!(@$what
            $crate::telemetry::component::Histogram,
            (),
            $crate::telemetry::HistogramSnapshot)
    };
    (counter, $what:ident) => {
        $crate::telemetry::component::kind!(@$what
            $crate::telemetry::component::Count, $crate::telemetry::component::Counter, u64)
    };
    (gauge, $what:ident) => {
        $crate::telemetry::component::kind!(@$what
            $crate::telemetry::component::Gauge, $crate::telemetry::component::Level, u64)
    };
    (@marker $marker:ty, $cell:ty, $snapshot:ty) => { $marker };
    (@cell $marker:ty, $cell:ty, $snapshot:ty) => { $cell };
    (@snapshot $marker:ty, $cell:ty, $snapshot:ty) => { $snapshot };
}

pub(crate) use kind;
