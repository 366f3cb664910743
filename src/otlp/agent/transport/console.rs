//! The specification's `console` exporter (`OTEL_METRICS_EXPORTER=console`): each export
//! printed to standard output, one line per data point, so a user can see what would be sent
//! and grep it:
//!
//! ```text
//! walrec.next_event.samples{wal.recovery.instance="replay"} sum=400000 ns=1701… cumulative
//! walrec.next_event_histogram{wal.recovery.instance="replay"} histogram count=400000 sum=… min=… max=…
//! ```

use std::io::Write;

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{KeyValue, any_value};
use opentelemetry_proto::tonic::metrics::v1::{Metric, metric::Data, number_data_point::Value};

use super::{ExportFailure, Exported};

/// Prints requests to standard output.
#[derive(Debug, Default)]
pub(crate) struct ConsoleTransport;

impl ConsoleTransport {
    /// Prints every point of `request`; a closed standard output fails the export (retrying
    /// would not help).
    pub(crate) fn export(
        &self,
        request: &ExportMetricsServiceRequest,
    ) -> Result<Exported, ExportFailure> {
        let mut text = String::new();
        let scopes = request
            .resource_metrics
            .iter()
            .flat_map(|r| &r.scope_metrics);
        for metric in scopes.flat_map(|s| &s.metrics) {
            lines(metric, &mut text);
        }
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| ExportFailure::unusable(format!("cannot print the export: {e}")))?;
        Ok(Exported::default())
    }
}

/// One line per data point of `metric`.
pub(crate) fn lines(metric: &Metric, text: &mut String) {
    use std::fmt::Write as _;
    let name = &metric.name;
    let mut line = |attributes: &[KeyValue], body: String| {
        let _ = writeln!(
            text,
            "{name}{{{}}} {body} {}",
            labels(attributes),
            metric.unit
        );
    };
    match &metric.data {
        Some(Data::Sum(sum)) => {
            for p in &sum.data_points {
                line(&p.attributes, format!("sum={}", number(&p.value)));
            }
        }
        Some(Data::Gauge(gauge)) => {
            for p in &gauge.data_points {
                line(&p.attributes, format!("gauge={}", number(&p.value)));
            }
        }
        Some(Data::ExponentialHistogram(h)) => {
            for p in &h.data_points {
                line(&p.attributes, histogram(p.count, p.sum, p.min, p.max));
            }
        }
        Some(Data::Histogram(h)) => {
            for p in &h.data_points {
                line(&p.attributes, histogram(p.count, p.sum, p.min, p.max));
            }
        }
        _ => {}
    }
}

fn histogram(count: u64, sum: Option<f64>, min: Option<f64>, max: Option<f64>) -> String {
    let shown = |x: Option<f64>| x.map_or("-".to_owned(), |x| x.to_string());
    format!(
        "histogram count={count} sum={} min={} max={}",
        shown(sum),
        shown(min),
        shown(max)
    )
}

fn number(value: &Option<Value>) -> String {
    match value {
        Some(Value::AsInt(n)) => n.to_string(),
        Some(Value::AsDouble(x)) => x.to_string(),
        None => "-".to_owned(),
    }
}

fn labels(attributes: &[KeyValue]) -> String {
    let each = attributes.iter().map(|kv| {
        let value = match kv.value.as_ref().and_then(|v| v.value.as_ref()) {
            Some(any_value::Value::StringValue(s)) => format!("{s:?}"),
            Some(other) => format!("{other:?}"),
            None => "\"\"".to_owned(),
        };
        format!("{}={value}", kv.key)
    });
    each.collect::<Vec<_>>().join(",")
}
