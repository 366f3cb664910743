//! A [`Collector`] that writes the Prometheus text exposition format (version 0.0.4).

use std::io;

use super::Collector;
use crate::telemetry::histogram::HistogramSnapshot;
use crate::telemetry::names::{Kind, MetricKey, Unit};

/// Most `le` buckets a histogram is written with; finer histograms are downscaled to fit,
/// which keeps a scrape small while bounds still differ by a few percent at most.
pub const MAX_EXPOSED_BUCKETS: usize = 40;

/// Writes each metric as Prometheus text: `# HELP`, `# TYPE` and the samples.
///
/// Names, units and types are the naming table's ([`names`](crate::telemetry::names)): exactly
/// what Prometheus makes of walrec's OTLP export, so one dashboard serves both. Times are in
/// seconds; the histogram becomes a classic histogram with cumulative `le` buckets in
/// nanoseconds (its unit), plus `_sum` and `_count`.
#[derive(Debug)]
pub struct PrometheusText<W> {
    out: W,
}

impl<W: io::Write> PrometheusText<W> {
    /// A collector that writes to `out`.
    pub fn new(out: W) -> Self {
        PrometheusText { out }
    }

    /// The writer back, for example to read a `Vec<u8>`.
    pub fn into_inner(self) -> W {
        self.out
    }

    fn header(&mut self, key: &MetricKey<'_>) -> io::Result<()> {
        let name = key.prometheus_name();
        let kind = match key.kind() {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        };
        writeln!(self.out, "# HELP {name} {}", key.description())?;
        writeln!(self.out, "# TYPE {name} {kind}")
    }
}

impl<W: io::Write> Collector for PrometheusText<W> {
    type Error = io::Error;

    fn counter(&mut self, key: &MetricKey<'_>, value: u64) -> io::Result<()> {
        self.header(key)?;
        let name = key.prometheus_name();
        match key.unit() {
            Unit::Operations => writeln!(self.out, "{name} {value}"),
            unit => writeln!(self.out, "{name} {}", unit.from_recorded(value as f64)),
        }
    }

    fn gauge(&mut self, key: &MetricKey<'_>, value: f64) -> io::Result<()> {
        self.header(key)?;
        let value = key.unit().from_recorded(value);
        writeln!(self.out, "{} {value}", key.prometheus_name())
    }

    fn histogram(&mut self, key: &MetricKey<'_>, histogram: &HistogramSnapshot) -> io::Result<()> {
        self.header(key)?;
        let name = key.prometheus_name();
        let mut coarse = histogram.clone();
        coarse.downscale_to_fit(MAX_EXPOSED_BUCKETS);
        let mut cumulative = coarse.zero_count;
        writeln!(self.out, "{name}_bucket{{le=\"0\"}} {cumulative}")?;
        for (k, &count) in coarse.counts.iter().enumerate() {
            if count == 0 {
                continue;
            }
            cumulative = cumulative.saturating_add(count);
            let le = coarse.upper_bound(k);
            writeln!(self.out, "{name}_bucket{{le=\"{le}\"}} {cumulative}")?;
        }
        writeln!(self.out, "{name}_bucket{{le=\"+Inf\"}} {}", coarse.count)?;
        writeln!(self.out, "{name}_sum {}", coarse.sum)?;
        writeln!(self.out, "{name}_count {}", coarse.count)
    }
}
