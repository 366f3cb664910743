//! A [`Collector`] that writes CSV rows: `key,kind,unit,le,value`.

use std::io;

use super::Collector;
use crate::telemetry::histogram::HistogramSnapshot;
use crate::telemetry::names::{MetricKey, Unit};

/// Why a CSV row could not be written (the output failed).
#[derive(Debug, thiserror::Error)]
#[error("cannot write the CSV metrics; check that the output is writable")]
pub struct CsvError(#[source] ::csv::Error);

/// Writes one row per value, with a header row first.
///
/// `key` is the series' name and `unit` its exported unit, both from the naming table
/// ([`Metric`](crate::telemetry::Metric)); times are in seconds. `kind` is `counter` or `gauge`
/// for statistics. A histogram becomes rows of kind `count`,
/// `sum`, `min`, `max`, `zero_count` and `scale`, then one `bucket` row per non-empty bucket at
/// the recording scale, whose `le` column holds the bucket's inclusive upper bound in ns and
/// whose value is the bucket's own (not cumulative) count. Quoting is the `csv` crate's, so a
/// prefix with commas or quotes stays one field.
#[derive(Debug)]
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
    pub fn into_inner(self) -> Result<W, CsvError> {
        self.writer
            .into_inner()
            .map_err(|e| CsvError(::csv::Error::from(e.into_error())))
    }

    fn row(
        &mut self,
        key: &MetricKey<'_>,
        kind: &str,
        unit: &str,
        le: &str,
        value: &str,
    ) -> Result<(), CsvError> {
        if !self.wrote_header {
            self.writer
                .write_record(["key", "kind", "unit", "le", "value"])
                .map_err(CsvError)?;
            self.wrote_header = true;
        }
        let key = key.to_string();
        self.writer
            .write_record([key.as_str(), kind, unit, le, value])
            .map_err(CsvError)
    }

    fn statistic(&mut self, key: &MetricKey<'_>, kind: &str, value: f64) -> Result<(), CsvError> {
        let unit = key.unit();
        let value = unit.from_recorded(value).to_string();
        self.row(key, kind, unit.ucum(), "", &value)
    }

    fn whole(&mut self, key: &MetricKey<'_>, kind: &str, value: u64) -> Result<(), CsvError> {
        let unit = key.unit();
        match unit {
            Unit::Seconds => self.statistic(key, kind, value as f64),
            _ => self.row(key, kind, unit.ucum(), "", &value.to_string()),
        }
    }
}

impl<W: io::Write> Collector for CsvCollector<W> {
    type Error = CsvError;

    fn counter(&mut self, key: &MetricKey<'_>, value: u64) -> Result<(), CsvError> {
        self.whole(key, "counter", value)
    }

    fn gauge_u64(&mut self, key: &MetricKey<'_>, value: u64) -> Result<(), CsvError> {
        self.whole(key, "gauge", value)
    }

    fn gauge(&mut self, key: &MetricKey<'_>, value: f64) -> Result<(), CsvError> {
        self.statistic(key, "gauge", value)
    }

    fn histogram(&mut self, key: &MetricKey<'_>, h: &HistogramSnapshot) -> Result<(), CsvError> {
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
