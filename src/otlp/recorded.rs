//! Recorded telemetry as OTLP: intervals taken earlier (a flight recording's, read back by
//! `walrec report`) converted by the agent's own conversion, written as OTLP JSON lines (the
//! file format the Collector's `otlpjsonfile` receiver reads) or pushed to a collector.
//!
//! This module knows telemetry snapshots only, not where they were kept: the caller (the CLI)
//! hands each tick's points over.

use std::io::Write;

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::resource::v1::Resource;

use super::config::Config;
use super::convert::{Converter, int_attribute, resource, string_attribute};
use crate::telemetry::{AttributeValue, ManagerSnapshot, RecoverySnapshot, UnixExemplar};

/// The resource an agent started with `config` sends (`service.name`, the detected attributes
/// and `OTEL_RESOURCE_ATTRIBUTES`), as plain data: what a recording keeps so that it converts
/// back to the same OTLP. `service.instance.id` is new on every call, as it is per agent.
pub fn resource_attributes(config: &Config) -> Vec<(String, AttributeValue)> {
    resource(config.service_name(), config.resource_attributes())
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
        .collect()
}

/// What one recorded point holds: a Manager's five metrics, or a whole recovery's telemetry.
#[derive(Debug, Clone, Copy)]
pub enum RecordedTelemetry<'a> {
    /// A Manager alone (exported as the agent exports a registered `Manager`).
    Manager(&'a ManagerSnapshot),
    /// A whole recovery (exported as the agent exports a registered `Recovery`).
    Recovery(&'a RecoverySnapshot),
}

/// One instance's telemetry over one recorded interval: deltas over
/// `[start_unix_nano, end_unix_nano]`.
#[derive(Debug, Clone, Copy)]
pub struct RecordedPoint<'a> {
    /// The instance (`wal.recovery.instance`).
    pub instance: &'a str,
    /// Start of the interval, Unix epoch nanoseconds.
    pub start_unix_nano: u64,
    /// End of the interval, Unix epoch nanoseconds.
    pub end_unix_nano: u64,
    /// The interval's deltas.
    pub telemetry: RecordedTelemetry<'a>,
    /// The interval's slowest `next_event` sample, exported as the histogram point's exemplar
    /// when the configuration's exemplar filter keeps it.
    pub exemplar: Option<UnixExemplar>,
}

/// Why recorded requests could not be written or sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackfillError {
    /// The collector refused a request or did not answer.
    #[error(
        "backfill stopped after {sent} of {total} intervals: {what}; check the collector and OTEL_EXPORTER_OTLP_* settings"
    )]
    Push {
        /// Requests accepted before the failure.
        sent: usize,
        /// Requests to send.
        total: usize,
        /// What went wrong.
        what: String,
    },
    /// Writing the JSON lines failed.
    #[error("cannot write the OTLP JSON lines; check the output path and free space")]
    Write(#[source] std::io::Error),
}

/// Recorded ticks converted to OTLP requests, one request per tick (a point per instance), as
/// the agent would have sent them with delta temporality and the configuration's bucket limit,
/// exemplar filter and histogram aggregation.
#[derive(Debug)]
pub struct Backfill {
    converter: Converter,
    requests: Vec<ExportMetricsServiceRequest>,
}

impl Backfill {
    /// An empty backfill whose requests carry `resource` (see [`resource_attributes`]).
    pub fn new(config: &Config, resource: &[(String, AttributeValue)]) -> Self {
        let attributes = resource
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
        Backfill {
            converter: Converter::for_recorded(config, resource),
            requests: Vec::new(),
        }
    }

    /// Adds one tick's request: every instance's point of that tick.
    pub fn add_tick(&mut self, points: &[RecordedPoint<'_>]) {
        self.requests.push(self.converter.recorded_request(points));
    }

    /// How many requests (ticks) there are.
    pub fn len(&self) -> usize {
        self.requests.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.requests.is_empty()
    }

    /// Writes every request as one OTLP JSON line, oldest first (the encoding `http/json`
    /// sends).
    pub fn write_json_lines(&self, out: &mut impl Write) -> Result<(), BackfillError> {
        for request in &self.requests {
            let line = super::json::encode(request).map_err(|e| BackfillError::Write(e.into()))?;
            out.write_all(&line).map_err(BackfillError::Write)?;
            out.write_all(b"\n").map_err(BackfillError::Write)?;
        }
        out.flush().map_err(BackfillError::Write)
    }

    /// Sends every request to `config`'s collector, oldest first, each once (no retries: a
    /// backfill that fails is run again); returns how many the collector accepted.
    pub fn push(self, config: &Config) -> Result<usize, BackfillError> {
        let total = self.requests.len();
        super::agent::backfill::push(config, self.requests)
            .map_err(|(sent, what)| BackfillError::Push { sent, total, what })
    }
}
