//! The span exporter: the SDK's batch processor hands it batches; it sends them over
//! walrec's own OTLP transport (the one the metrics use: same TLS, headers, compression,
//! timeouts, response cap and retry rules), and counts the outcome in the agent's
//! self-telemetry.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::transform::common::tonic::ResourceAttributesWithSchema;
use opentelemetry_proto::transform::trace::tonic::group_spans_by_resource_and_scope;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SpanData, SpanExporter};

use crate::otlp::agent::exporter::{UNREACHABLE_FINAL_RETRIES, UNREACHABLE_RETRY_DELAY};
use crate::otlp::agent::retry::{RetryDecision, backoff_delay};
use crate::otlp::agent::stats::AgentStats;
use crate::otlp::agent::transport::{ExportFailure, Transport};
use crate::otlp::{AgentError, Config, Exported};

/// Sends span batches with retries, within the export bound.
pub(crate) struct OtlpSpanExporter {
    inner: Mutex<Inner>,
    resource: ResourceAttributesWithSchema,
    stats: Arc<AgentStats>,
    attempt_timeout: Duration,
    export_budget: Duration,
    /// The attribute value length limit, in characters (none: whole values).
    value_length_limit: Option<usize>,
    /// Set when the provider is shutting down: the process waits for this flush, so an
    /// unreachable collector gets one short retry, as the metrics' final export does.
    final_flush: Arc<AtomicBool>,
}

struct Inner {
    /// A runtime of its own: the batch processor calls `export` from its own thread, where
    /// tonic and reqwest need a reactor.
    runtime: tokio::runtime::Runtime,
    transport: Transport,
}

impl std::fmt::Debug for OtlpSpanExporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtlpSpanExporter").finish_non_exhaustive()
    }
}

impl OtlpSpanExporter {
    /// An exporter to `config`'s collector, counting into `stats`.
    pub(crate) fn new(
        config: &Config,
        value_length_limit: Option<usize>,
        stats: Arc<AgentStats>,
        final_flush: Arc<AtomicBool>,
    ) -> Result<Self, AgentError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(AgentError::Thread)?;
        // The gRPC channel spawns its worker on the runtime it is created in.
        let transport = {
            let _entered = runtime.enter();
            Transport::new(config)?
        };
        Ok(OtlpSpanExporter {
            inner: Mutex::new(Inner { runtime, transport }),
            resource: ResourceAttributesWithSchema::default(),
            stats,
            attempt_timeout: config.timeout(),
            export_budget: config.export_timeout(),
            value_length_limit,
            final_flush,
        })
    }

    /// Sends `request` until it is delivered (the collector's answer), a failure is final,
    /// or the budget is spent (the last failure's message).
    fn send(&self, request: ExportTraceServiceRequest) -> Result<Exported, String> {
        let Ok(mut inner) = self.inner.lock() else {
            return Err("the span exporter's state was poisoned by a panic".to_owned());
        };
        let Inner { runtime, transport } = &mut *inner;
        let deadline = Instant::now() + self.export_budget;
        let (attempt_timeout, stats) = (self.attempt_timeout, &self.stats);
        let final_flush = &self.final_flush;
        runtime.block_on(async move {
            let mut attempt = 0u32;
            loop {
                let remaining = deadline.saturating_duration_since(Instant::now());
                let limit = attempt_timeout.min(remaining);
                stats.sent_bytes(prost::Message::encoded_len(&request) as u64);
                let outcome =
                    tokio::time::timeout(limit, transport.export_traces(request.clone())).await;
                let failure = match outcome {
                    Ok(Ok(exported)) => return Ok(exported),
                    Ok(Err(failure)) => failure,
                    Err(_) => ExportFailure::timed_out(limit),
                };
                let RetryDecision::Retry { throttle } = failure.decision else {
                    return Err(failure.message);
                };
                // Relaxed: a flag read on its own; no other data is published with it.
                let delay = if failure.unreachable && final_flush.load(Ordering::Relaxed) {
                    if attempt >= UNREACHABLE_FINAL_RETRIES {
                        return Err(failure.message);
                    }
                    UNREACHABLE_RETRY_DELAY
                } else {
                    backoff_delay(attempt, throttle, fastrand::f64())
                };
                attempt += 1;
                if Instant::now() + delay >= deadline {
                    return Err(failure.message);
                }
                tokio::time::sleep(delay).await;
            }
        })
    }
}

impl SpanExporter for OtlpSpanExporter {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let spans = batch.len() as u64;
        let mut request = ExportTraceServiceRequest {
            resource_spans: group_spans_by_resource_and_scope(batch, &self.resource),
        };
        if let Some(limit) = self.value_length_limit {
            super::limits::truncate_attribute_values(&mut request, limit);
        }
        match self.send(request) {
            Ok(exported) => {
                self.stats
                    .spans_exported(spans, exported.rejected_data_points);
                if exported.rejected_data_points > 0 || !exported.message.is_empty() {
                    tracing::warn!(
                        rejected = exported.rejected_data_points,
                        message = %exported.message,
                        "OTLP collector accepted the span export only in part"
                    );
                }
                Ok(())
            }
            Err(message) => {
                self.stats.spans_failed(spans);
                // Debug, not warn: a collector that is down already gets one warning from the
                // metrics export; span failures are counted in the self-telemetry.
                tracing::debug!("span export failed: {message}");
                Err(OTelSdkError::InternalFailure(message))
            }
        }
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.resource = ResourceAttributesWithSchema::from(resource);
    }
}
