//! A recording as OTLP: the header's resource, and each tick's intervals converted by the
//! agent's own conversion (delta temporality), as OTLP JSON lines (`--otlp-json`, the file
//! format the Collector's `otlpjsonfile` receiver reads) or pushed to a collector (`--push`).

use std::io::Write;
use std::path::Path;

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::metrics::v1::AggregationTemporality;
use opentelemetry_proto::tonic::resource::v1::Resource;

use super::config::RecordingConfig;
use super::error::RecordingError;
use super::header::{AttributeValue, RecordedInterval};
use super::reader::Recording;
use super::window::Window;
use crate::otlp::Config;
use crate::otlp::convert::{Converter, int_attribute, resource, string_attribute};

impl RecordingConfig {
    /// Records the resource an agent started with `config` sends (`service.name`, the detected
    /// attributes and `OTEL_RESOURCE_ATTRIBUTES`), so that the recording converts back to the
    /// same OTLP.
    pub fn with_otlp_resource(mut self, config: &Config) -> Self {
        let detected = resource(config.service_name(), config.resource_attributes());
        self.service_name = config.service_name().to_owned();
        self.resource_attributes = detected
            .attributes
            .into_iter()
            .map(|kv| {
                let value = match kv.value.and_then(|v| v.value) {
                    Some(Value::IntValue(int)) => AttributeValue::Int(int),
                    Some(Value::StringValue(text)) => AttributeValue::Text(text),
                    _ => AttributeValue::Text(String::new()),
                };
                (kv.key, value)
            })
            .collect();
        self
    }
}

/// The OTLP requests of the ticks inside `window`: one per tick, a point per instance, as the
/// agent would have sent them with delta temporality and `config`'s bucket limit.
fn requests(
    recording: &Recording,
    window: Window,
    config: &Config,
) -> Vec<ExportMetricsServiceRequest> {
    let attributes = recording
        .header
        .resource_attributes
        .iter()
        .map(|(key, value)| match value {
            AttributeValue::Text(text) => string_attribute(key, text),
            AttributeValue::Int(int) => int_attribute(key, *int),
        })
        .collect();
    let resource = Resource {
        attributes,
        ..Resource::default()
    };
    let converter = Converter::new(
        resource,
        AggregationTemporality::Delta,
        config.max_histogram_buckets(),
    );
    let inside: Vec<&RecordedInterval> = recording
        .intervals
        .iter()
        .filter(|interval| {
            let (start, end) = recording.offsets(interval);
            window.from.is_none_or(|from| start >= from) && window.to.is_none_or(|to| end <= to)
        })
        .collect();
    inside
        .chunk_by(|a, b| a.sequence == b.sequence)
        .map(|tick| {
            let points: Vec<_> = tick
                .iter()
                .map(|interval| {
                    let name = recording.header.instances[interval.instance].as_str();
                    let (start, end) = (interval.start_unix_nano, interval.end_unix_nano);
                    (name, &interval.delta, start, end)
                })
                .collect();
            converter.recorded_request(&points)
        })
        .collect()
}

/// Writes the ticks inside `window` to `path` as OTLP JSON lines; returns how many.
pub fn write_otlp_json(
    recording: &Recording,
    window: Window,
    config: &Config,
    path: &Path,
) -> Result<usize, RecordingError> {
    let output = |what: String| RecordingError::Output {
        path: path.to_owned(),
        what,
    };
    let file = std::fs::File::create(path).map_err(|e| output(e.to_string()))?;
    let mut out = std::io::BufWriter::new(file);
    let requests = requests(recording, window, config);
    for request in &requests {
        serde_json::to_writer(&mut out, request).map_err(|e| output(e.to_string()))?;
        out.write_all(b"\n").map_err(|e| output(e.to_string()))?;
    }
    out.flush().map_err(|e| output(e.to_string()))?;
    Ok(requests.len())
}

/// Sends the ticks inside `window` to `config`'s collector, oldest first, each once; returns
/// how many the collector accepted.
pub fn push(
    recording: &Recording,
    window: Window,
    config: &Config,
) -> Result<usize, RecordingError> {
    let requests = requests(recording, window, config);
    let total = requests.len();
    crate::otlp::backfill::push(config, requests).map_err(|(sent, what)| RecordingError::Push {
        sent,
        total,
        what,
    })
}
