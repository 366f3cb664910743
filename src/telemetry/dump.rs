//! `dump(label, writer)`: the specification's human-readable snapshot.
//!
//! ```text
//! [<label> Metrics] Snapshot:
//! -----------------------------------------------------------------
//!  Read segment header: <duration>
//!  Resume from event  : <duration>
//!  Seek event         : <duration>
//!  Next event         : <duration>
//!  -> <percentile histogram>
//! -----------------------------------------------------------------
//! ```
//!
//! Every duration is a whole number of clock steps. On a KVM guest the TSC advances about 26
//! cycles at a time (10 ns at 2.6 GHz), so short `next_event` samples read as multiples of
//! 10 ns and a dump may say `p50=10ns p90=10ns p99=20ns`: one or two steps, not a measurement
//! finer than that. A flight recording measures the step at start-up and `walrec report` shows
//! it (`recording::measure_resolution_ps` with the `recording` feature).

use std::fmt;
use std::io;

use super::histogram::{HistogramSnapshot, PERCENTILES};
use super::manager::{Manager, ManagerSnapshot};
use super::stats::{DurationSnapshot, OperationSnapshot};

/// The rule above and below the metrics: 65 dashes.
pub(crate) const RULE: &str = "-----------------------------------------------------------------";

/// A nanosecond figure shown in the largest unit that keeps it at or above 1: ns, µs, ms or s.
#[derive(Debug, Clone, Copy)]
pub struct HumanNs(pub f64);

impl fmt::Display for HumanNs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ns = self.0;
        if ns < 1e3 {
            write!(f, "{ns:.0}ns")
        } else if ns < 1e6 {
            write!(f, "{:.2}µs", ns / 1e3)
        } else if ns < 1e9 {
            write!(f, "{:.2}ms", ns / 1e6)
        } else {
            write!(f, "{:.3}s", ns / 1e9)
        }
    }
}

/// A per-second rate shown with a k, M or G multiplier.
#[derive(Debug, Clone, Copy)]
pub struct HumanRate(pub f64);

impl fmt::Display for HumanRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rate = self.0;
        if rate < 1e3 {
            write!(f, "{rate:.2}/s")
        } else if rate < 1e6 {
            write!(f, "{:.2}k/s", rate / 1e3)
        } else if rate < 1e9 {
            write!(f, "{:.2}M/s", rate / 1e6)
        } else {
            write!(f, "{:.2}G/s", rate / 1e9)
        }
    }
}

/// Formats the timing part of a duration line (everything after the sample counts).
struct Timing<'a>(&'a DurationSnapshot);

impl fmt::Display for Timing<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        write!(
            f,
            " total={} min={} max={} avg={} rate={}",
            HumanNs(d.total_ns as f64),
            HumanNs(d.min_ns as f64),
            HumanNs(d.max_ns as f64),
            HumanNs(d.avg_ns()),
            HumanRate(d.rate_per_sec()),
        )?;
        if d.clamped > 0 {
            write!(f, " clamped={}", d.clamped)?;
        }
        Ok(())
    }
}

pub(crate) fn write_duration(
    out: &mut impl io::Write,
    name: &str,
    d: &DurationSnapshot,
) -> io::Result<()> {
    if d.samples == 0 {
        return writeln!(out, " {name:<19}: samples=0");
    }
    writeln!(out, " {name:<19}: samples={}{}", d.samples, Timing(d))
}

pub(crate) fn write_operation(
    out: &mut impl io::Write,
    name: &str,
    op: &OperationSnapshot,
) -> io::Result<()> {
    let d = &op.duration;
    if d.samples == 0 {
        return writeln!(out, " {name:<19}: samples=0");
    }
    writeln!(
        out,
        " {name:<19}: samples={} ok={} fail={}{}",
        d.samples,
        op.success,
        op.failures,
        Timing(d)
    )
}

pub(crate) fn write_percentiles(out: &mut impl io::Write, h: &HistogramSnapshot) -> io::Result<()> {
    write!(out, " ->")?;
    if h.count == 0 {
        return writeln!(out, " samples=0");
    }
    for (name, q) in PERCENTILES {
        if let Some(value) = h.value_at_quantile(q) {
            write!(out, " {name}={}", HumanNs(value))?;
        }
    }
    if h.saturated > 0 {
        write!(out, " saturated={}", h.saturated)?;
    }
    writeln!(out)
}

impl ManagerSnapshot {
    /// Writes the specification's snapshot layout, headed `[<label> Metrics] Snapshot:`.
    pub fn dump(&self, label: &str, out: &mut impl io::Write) -> io::Result<()> {
        self.dump_section(label, out)
    }
}

impl Manager {
    /// Takes a snapshot and writes it in the specification's layout; see
    /// [`ManagerSnapshot::dump`].
    pub fn dump(&self, label: &str, out: &mut impl io::Write) -> io::Result<()> {
        self.snapshot().dump(label, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_units() {
        assert_eq!(HumanNs(999.0).to_string(), "999ns");
        assert_eq!(HumanNs(1_500.0).to_string(), "1.50µs");
        assert_eq!(HumanNs(2_500_000.0).to_string(), "2.50ms");
        assert_eq!(HumanNs(3_250_000_000.0).to_string(), "3.250s");
        assert_eq!(HumanRate(12.0).to_string(), "12.00/s");
        assert_eq!(HumanRate(13_400_000.0).to_string(), "13.40M/s");
    }
}
