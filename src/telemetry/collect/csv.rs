//! A [`Collector`] that writes CSV rows: `key,kind,unit,le,value`.

use std::io;

use super::{Collector, MetricKey};
use crate::telemetry::histogram::HistogramSnapshot;

/// Writes one row per value, with a header row first.
///
/// `kind` is `counter` or `gauge` for statistics. A histogram becomes rows of kind `count`,
/// `sum`, `min`, `max`, `zero_count` and `scale`, then one `bucket` row per non-empty bucket at
/// the recording scale, whose `le` column holds the bucket's inclusive upper bound in ns and
/// whose value is the bucket's own (not cumulative) count. Quoting is the `csv` crate's, so a
/// prefix with commas or quotes stays one field.
pub struct CsvCollector<W: io::Write> {
    writer: ::csv::Writer<W>,
    wrote_header: bool,
}

impl<W: io::Write> CsvCollector<W> {
    /// A collector that writes to `out`.
    pub fn new(out: W) -> Self {
        CsvCollector {
            writer: ::csv::Writer::from_writer(out),
            wrote_header: false,
        }
    }

    /// Flushes and returns the writer.
    pub fn into_inner(self) -> Result<W, ::csv::Error> {
        self.writer
            .into_inner()
            .map_err(|e| ::csv::Error::from(e.into_error()))
    }

    fn row(
        &mut self,
        key: &MetricKey<'_>,
        kind: &str,
        unit: &str,
        le: &str,
        value: &str,
    ) -> Result<(), ::csv::Error> {
        if !self.wrote_header {
            self.writer
                .write_record(["key", "kind", "unit", "le", "value"])?;
            self.wrote_header = true;
        }
        let key = key.to_string();
        self.writer
            .write_record([key.as_str(), kind, unit, le, value])
    }
}

impl<W: io::Write> Collector for CsvCollector<W> {
    type Error = ::csv::Error;

    fn counter(&mut self, key: &MetricKey<'_>, value: u64) -> Result<(), ::csv::Error> {
        self.row(key, "counter", key.unit().ucum(), "", &value.to_string())
    }

    fn gauge(&mut self, key: &MetricKey<'_>, value: f64) -> Result<(), ::csv::Error> {
        self.row(key, "gauge", key.unit().ucum(), "", &value.to_string())
    }

    fn histogram(
        &mut self,
        key: &MetricKey<'_>,
        h: &HistogramSnapshot,
    ) -> Result<(), ::csv::Error> {
        let fields = [
            ("count", "{operation}", h.count),
            ("sum", "ns", h.sum),
            ("min", "ns", h.min),
            ("max", "ns", h.max),
            ("zero_count", "{operation}", h.zero_count),
        ];
        for (kind, unit, value) in fields {
            self.row(key, kind, unit, "", &value.to_string())?;
        }
        self.row(key, "scale", "1", "", &h.scale.to_string())?;
        for (k, &count) in h.counts.iter().enumerate() {
            if count > 0 {
                let le = h.upper_bound(k).to_string();
                self.row(key, "bucket", "{operation}", &le, &count.to_string())?;
            }
        }
        Ok(())
    }
}
