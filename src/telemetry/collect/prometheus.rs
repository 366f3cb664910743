//! A [`Collector`] that writes the Prometheus text exposition format (version 0.0.4).

use std::fmt;
use std::io;

use super::{Collector, MetricKey};
use crate::telemetry::histogram::HistogramSnapshot;

/// Most `le` buckets a histogram is written with; finer histograms are downscaled to fit,
/// which keeps a scrape small while bounds still differ by a few percent at most.
pub const MAX_EXPOSED_BUCKETS: usize = 40;

/// Writes each metric as Prometheus text: `# HELP`, `# TYPE` and the samples.
///
/// Names are the collect keys, with any character Prometheus does not allow in a metric name
/// (from a caller's prefix) replaced by `_`. Histograms become classic cumulative `le` buckets
/// in nanoseconds, plus `_sum` and `_count`.
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

    fn header(&mut self, key: &MetricKey<'_>, kind: &str) -> io::Result<()> {
        let name = PromName(key);
        let stat = key.stat.map_or("distribution", |s| s.suffix());
        writeln!(
            self.out,
            "# HELP {name} {}: {stat} ({}).",
            key.metric.description(),
            key.unit().ucum()
        )?;
        writeln!(self.out, "# TYPE {name} {kind}")
    }
}

/// A collect key as a valid Prometheus metric name.
struct PromName<'a, 'k>(&'a MetricKey<'k>);

impl fmt::Display for PromName<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = self.0;
        // Letters, digits, '_' and ':' are allowed, but not a leading digit.
        for (i, c) in key.prefix.chars().enumerate() {
            if i == 0 && c.is_ascii_digit() {
                f.write_str("_")?;
            }
            let allowed = c.is_ascii_alphanumeric() || c == '_' || c == ':';
            write!(f, "{}", if allowed { c } else { '_' })?;
        }
        let unprefixed = MetricKey { prefix: "", ..*key };
        if !key.prefix.is_empty() {
            f.write_str("_")?;
        }
        write!(f, "{unprefixed}")
    }
}

impl<W: io::Write> Collector for PrometheusText<W> {
    type Error = io::Error;

    fn counter(&mut self, key: &MetricKey<'_>, value: u64) -> io::Result<()> {
        self.header(key, "counter")?;
        writeln!(self.out, "{} {value}", PromName(key))
    }

    fn gauge(&mut self, key: &MetricKey<'_>, value: f64) -> io::Result<()> {
        self.header(key, "gauge")?;
        writeln!(self.out, "{} {value}", PromName(key))
    }

    fn histogram(&mut self, key: &MetricKey<'_>, histogram: &HistogramSnapshot) -> io::Result<()> {
        self.header(key, "histogram")?;
        let name = PromName(key);
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
