//! The agent's own telemetry: how its exports go.
//!
//! Delivered and failed data points use the name OpenTelemetry's semantic conventions give SDK
//! exporters (`otel.sdk.exporter.metric_data_point.exported`, failures marked by `error.type`).
//! The conventions have no counter for requests or bytes, nor a last-duration gauge, so those
//! are `walrec.agent.*`. All of it is under the agent's own scope, apart from the recovery
//! metrics.

use std::sync::atomic::{AtomicU64, Ordering};

use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::metrics::v1::{
    AggregationTemporality, Gauge, Metric, NumberDataPoint, ScopeMetrics, Sum, metric::Data,
    number_data_point::Value,
};

use crate::otlp::convert::{int_value, scope_named, string_attribute};

/// The instrumentation scope of the agent's self-telemetry.
pub const AGENT_SCOPE: &str = "walrec.agent";

/// Counters the export loop updates and anyone may read.
#[derive(Debug, Default)]
pub(crate) struct AgentStats {
    exports_ok: AtomicU64,
    exports_failed: AtomicU64,
    points_exported: AtomicU64,
    points_failed: AtomicU64,
    points_rejected: AtomicU64,
    bytes_sent: AtomicU64,
    last_export_ns: AtomicU64,
    spans_exported: AtomicU64,
    spans_failed: AtomicU64,
    spans_rejected: AtomicU64,
}

/// A plain copy of the agent's own counters (see [`Agent::stats`](super::Agent::stats)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AgentStatsSnapshot {
    /// Exports the collector accepted (in whole or in part).
    pub exports_ok: u64,
    /// Exports that failed after all retries.
    pub exports_failed: u64,
    /// Data points delivered.
    pub points_exported: u64,
    /// Data points in failed exports.
    pub points_failed: u64,
    /// Data points the collector rejected in partial successes.
    pub points_rejected: u64,
    /// Request bytes sent, retries included, counted as the requests' protobuf encoding before
    /// compression whatever the protocol (an `http/json` body is larger).
    pub bytes_sent: u64,
    /// Duration of the last export, retries included, in nanoseconds.
    pub last_export_ns: u64,
    /// Spans delivered by the trace exporter.
    pub spans_exported: u64,
    /// Spans in trace exports that failed after all retries.
    pub spans_failed: u64,
    /// Spans the collector rejected in partial successes.
    pub spans_rejected: u64,
}

// Relaxed throughout: independent counters, read for reporting only.
impl AgentStats {
    pub(crate) fn exported(&self, points: u64, rejected: u64) {
        self.exports_ok.fetch_add(1, Ordering::Relaxed);
        self.points_exported
            .fetch_add(points.saturating_sub(rejected), Ordering::Relaxed);
        self.points_rejected.fetch_add(rejected, Ordering::Relaxed);
    }

    pub(crate) fn failed(&self, points: u64) {
        self.exports_failed.fetch_add(1, Ordering::Relaxed);
        self.points_failed.fetch_add(points, Ordering::Relaxed);
    }

    /// A trace export of `spans` was accepted, `rejected` of them refused in a partial
    /// success.
    #[cfg(feature = "traces")]
    pub(crate) fn spans_exported(&self, spans: u64, rejected: u64) {
        let rejected = rejected.min(spans);
        self.spans_exported
            .fetch_add(spans - rejected, Ordering::Relaxed);
        self.spans_rejected.fetch_add(rejected, Ordering::Relaxed);
    }

    /// A trace export of `spans` failed after all retries.
    #[cfg(feature = "traces")]
    pub(crate) fn spans_failed(&self, spans: u64) {
        self.spans_failed.fetch_add(spans, Ordering::Relaxed);
    }

    pub(crate) fn sent_bytes(&self, bytes: u64) {
        self.bytes_sent.fetch_add(bytes, Ordering::Relaxed);
    }

    pub(crate) fn export_took(&self, nanos: u64) {
        self.last_export_ns.store(nanos, Ordering::Relaxed);
    }

    /// A plain copy of the counters.
    pub(crate) fn snapshot(&self) -> AgentStatsSnapshot {
        AgentStatsSnapshot {
            exports_ok: self.exports_ok.load(Ordering::Relaxed),
            exports_failed: self.exports_failed.load(Ordering::Relaxed),
            points_exported: self.points_exported.load(Ordering::Relaxed),
            points_failed: self.points_failed.load(Ordering::Relaxed),
            points_rejected: self.points_rejected.load(Ordering::Relaxed),
            bytes_sent: self.bytes_sent.load(Ordering::Relaxed),
            last_export_ns: self.last_export_ns.load(Ordering::Relaxed),
            spans_exported: self.spans_exported.load(Ordering::Relaxed),
            spans_failed: self.spans_failed.load(Ordering::Relaxed),
            spans_rejected: self.spans_rejected.load(Ordering::Relaxed),
        }
    }
}

fn point(attributes: Vec<KeyValue>, start: u64, now: u64, value: Value) -> NumberDataPoint {
    NumberDataPoint {
        attributes,
        start_time_unix_nano: start,
        time_unix_nano: now,
        value: Some(value),
        ..NumberDataPoint::default()
    }
}

fn counter(name: &str, unit: &str, description: &str, points: Vec<NumberDataPoint>) -> Metric {
    Metric {
        name: name.to_owned(),
        description: description.to_owned(),
        unit: unit.to_owned(),
        data: Some(Data::Sum(Sum {
            data_points: points,
            aggregation_temporality: AggregationTemporality::Cumulative as i32,
            is_monotonic: true,
        })),
        ..Metric::default()
    }
}

impl AgentStatsSnapshot {
    /// The counters as OTLP metrics, cumulative since `start` (Unix ns).
    pub(crate) fn to_scope_metrics(self, start: u64, now: u64) -> ScopeMetrics {
        let outcome = |o: &str| vec![string_attribute("outcome", o)];
        let failed = vec![string_attribute("error.type", "export_failed")];
        let rejected = vec![string_attribute("error.type", "rejected")];
        let metrics = vec![
            counter(
                "otel.sdk.exporter.metric_data_point.exported",
                "{data_point}",
                "Data points the exporter delivered, or failed to (with error.type).",
                vec![
                    point(Vec::new(), start, now, int_value(self.points_exported)),
                    point(failed.clone(), start, now, int_value(self.points_failed)),
                    point(
                        rejected.clone(),
                        start,
                        now,
                        int_value(self.points_rejected),
                    ),
                ],
            ),
            counter(
                "otel.sdk.exporter.span.exported",
                "{span}",
                "Spans the trace exporter delivered, or failed to (with error.type).",
                vec![
                    point(Vec::new(), start, now, int_value(self.spans_exported)),
                    point(failed, start, now, int_value(self.spans_failed)),
                    point(rejected, start, now, int_value(self.spans_rejected)),
                ],
            ),
            counter(
                "walrec.agent.exports",
                "{export}",
                "Export requests by outcome.",
                vec![
                    point(outcome("ok"), start, now, int_value(self.exports_ok)),
                    point(
                        outcome("failed"),
                        start,
                        now,
                        int_value(self.exports_failed),
                    ),
                ],
            ),
            counter(
                "walrec.agent.sent",
                "By",
                "Request bytes sent, retries included (protobuf-encoded size, before compression).",
                vec![point(Vec::new(), start, now, int_value(self.bytes_sent))],
            ),
            Metric {
                name: "walrec.agent.last_export.duration".to_owned(),
                description: "Duration of the last export, retries included.".to_owned(),
                unit: "ns".to_owned(),
                data: Some(Data::Gauge(Gauge {
                    data_points: vec![point(
                        Vec::new(),
                        start,
                        now,
                        int_value(self.last_export_ns),
                    )],
                })),
                ..Metric::default()
            },
        ];
        ScopeMetrics {
            scope: Some(scope_named(AGENT_SCOPE)),
            metrics,
            schema_url: String::new(),
        }
    }
}
