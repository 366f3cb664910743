//! A [`Collector`] that writes the Prometheus text exposition format (version 0.0.4).

use std::io;

use super::Collector;
use crate::telemetry::histogram::HistogramSnapshot;
use crate::telemetry::names::{Kind, MetricKey, Unit};

/// Most `le` buckets a histogram is written with; finer histograms are downscaled to fit,
/// which keeps a scrape small while bounds still differ by a few percent at most.
pub(super) const MAX_EXPOSED_BUCKETS: usize = 40;

/// Writes each metric as Prometheus text: `# HELP`, `# TYPE` and the samples.
///
/// Names, units and types are the naming table's ([`Metric`](crate::telemetry::Metric)): exactly
/// what Prometheus makes of walrec's OTLP export, so one dashboard serves both. Times are in
/// seconds; the histogram becomes a classic histogram with cumulative `le` buckets in
/// nanoseconds (its unit), plus `_sum` and `_count`.
#[derive(Debug)]
pub struct PrometheusText<W> {
    out: W,
    /// The family whose `# HELP`/`# TYPE` was written last.
    last_family: Option<String>,
}

/// A series' attribute as a Prometheus label set (`{wal_recovery_phase="scan"}`), or nothing.
struct Labels<'a, 'k>(&'a MetricKey<'k>);

impl std::fmt::Display for Labels<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.attribute {
            Some(attribute) => {
                let name = attribute.key.replace('.', "_");
                write!(f, "{{{name}=\"{}\"}}", attribute.value)
            }
            None => Ok(()),
        }
    }
}

impl<W: io::Write> PrometheusText<W> {
    /// A collector that writes to `out`.
    pub fn new(out: W) -> Self {
        PrometheusText {
            out,
            last_family: None,
        }
    }

    /// The writer back, for example to read a `Vec<u8>`.
    pub fn into_inner(self) -> W {
        self.out
    }

    /// A whole-number sample: exact as an integer, or in seconds for a time.
    fn whole(&mut self, key: &MetricKey<'_>, value: u64) -> io::Result<()> {
        let (name, labels) = (key.prometheus_name(), Labels(key));
        match key.unit() {
            Unit::Seconds => {
                let seconds = Unit::Seconds.from_recorded(value as f64);
                writeln!(self.out, "{name}{labels} {seconds}")
            }
            _ => writeln!(self.out, "{name}{labels} {value}"),
        }
    }

    /// `# HELP` and `# TYPE`, once per family: the series of one metric that differ only in
    /// an attribute (the phases) share them.
    fn header(&mut self, key: &MetricKey<'_>) -> io::Result<()> {
        let family = MetricKey {
            attribute: None,
            ..*key
        };
        if self.last_family == Some(family.to_string()) {
            return Ok(());
        }
        self.last_family = Some(family.to_string());
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
        self.whole(key, value)
    }

    fn gauge(&mut self, key: &MetricKey<'_>, value: f64) -> io::Result<()> {
        self.header(key)?;
        let value = key.unit().from_recorded(value);
        writeln!(self.out, "{}{} {value}", key.prometheus_name(), Labels(key))
    }

    fn gauge_u64(&mut self, key: &MetricKey<'_>, value: u64) -> io::Result<()> {
        self.header(key)?;
        self.whole(key, value)
    }

    fn histogram(&mut self, key: &MetricKey<'_>, histogram: &HistogramSnapshot) -> io::Result<()> {
        self.header(key)?;
        let name = key.prometheus_name();
        let coarse = histogram.downscaled_to_fit(MAX_EXPOSED_BUCKETS);
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
