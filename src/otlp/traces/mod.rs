//! Trace export (features `otlp` and `traces`): an `opentelemetry_sdk` tracer provider with
//! the SDK's batch span processor and walrec's own OTLP transport as its exporter.
//!
//! The transport is the metrics agent's, built from a traces [`Config`]
//! ([`Config::traces_from_env`]): TLS, headers, compression, timeouts, the response cap and
//! the retry rules are the same code for both signals. The sampler (`OTEL_TRACES_SAMPLER`,
//! `OTEL_TRACES_SAMPLER_ARG`) and the batch settings `OTEL_BSP_SCHEDULE_DELAY`,
//! `OTEL_BSP_MAX_QUEUE_SIZE` and `OTEL_BSP_MAX_EXPORT_BATCH_SIZE` are resolved by walrec
//! ([`TraceSettings`]) and given to the SDK in code, never left to the SDK's own reading of
//! the environment, which silently replaces a value it does not parse exactly with its
//! default; `OTEL_BSP_EXPORT_TIMEOUT`, which the SDK's batch
//! processor does not apply, is the traces configuration's export bound, applied by the
//! exporter. Exports are counted in the agent's self-telemetry
//! (`otel.sdk.exporter.span.exported`: delivered without `error.type`, failed with
//! `export_failed`, refused in a partial success with `rejected`).

mod exporter;
mod limits;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry::global::{self, BoxedTracer};
use opentelemetry::propagation::{TextMapCompositePropagator, TextMapPropagator};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::{BaggagePropagator, TraceContextPropagator};
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, Sampler, SdkTracerProvider,
};

use crate::otlp::config::{Propagator, SpanLimits, TraceSampler, TraceSettings};
use crate::otlp::{Agent, AgentError, Config};
use crate::telemetry::INSTRUMENTATION_SCOPE;
use exporter::OtlpSpanExporter;

/// A running trace pipeline. Install it as the global provider
/// ([`install_global`](Self::install_global)) so that every `RecoveryManager` traces into it,
/// or pass [`tracer`](Self::tracer) to `RecoveryManager::with_tracer`. End it with
/// [`shutdown`](Self::shutdown), which flushes the spans still queued within a bound.
#[derive(Debug, Clone)]
pub struct Tracing {
    /// Told to the exporter at shutdown, so that an unreachable collector does not hold the
    /// process's exit for the whole bound.
    final_flush: Arc<AtomicBool>,
    provider: SdkTracerProvider,
    propagators: Vec<Propagator>,
}

/// The final flush of the spans did not complete (the collector failed or the bound passed).
#[derive(Debug, thiserror::Error)]
#[error("the final span export did not complete: {message}; check the collector")]
#[non_exhaustive]
pub struct TracingShutdownError {
    message: String,
}

impl Tracing {
    /// A provider exporting to `config` (a traces configuration), counting into `agent`'s
    /// self-telemetry, sampling and batching as the process environment says
    /// ([`TraceSettings::from_env`]; an invalid value is an error naming its variable).
    pub fn start(config: &Config, agent: &Agent) -> Result<Tracing, AgentError> {
        let settings = TraceSettings::from_env().map_err(AgentError::TraceSettings)?;
        Self::start_with(config, &settings, agent)
    }

    /// [`start`](Self::start) with the sampler and batch settings given in code.
    pub fn start_with(
        config: &Config,
        settings: &TraceSettings,
        agent: &Agent,
    ) -> Result<Tracing, AgentError> {
        let value_length = settings.limits.attribute_value_length;
        let value_length = value_length.map(|n| usize::try_from(n).unwrap_or(usize::MAX));
        let final_flush = Arc::new(AtomicBool::new(false));
        let exporter = OtlpSpanExporter::new(
            config,
            value_length,
            agent.stats_handle(),
            Arc::clone(&final_flush),
        )?;
        let attributes = config
            .resource_attributes()
            .iter()
            .map(|(key, value)| KeyValue::new(key.clone(), value.clone()));
        let resource = Resource::builder_empty()
            .with_attributes(attributes)
            .with_service_name(config.service_name().to_owned())
            .build();
        // The builder's defaults come from the environment as the SDK reads it; each is
        // replaced here by walrec's value.
        let batch = BatchConfigBuilder::default()
            .with_scheduled_delay(settings.schedule_delay)
            .with_max_queue_size(settings.max_queue_size)
            .with_max_export_batch_size(settings.max_export_batch_size)
            .build();
        let processor = BatchSpanProcessor::builder(exporter)
            .with_batch_config(batch)
            .build();
        let provider = SdkTracerProvider::builder()
            .with_span_limits(sdk_limits(&settings.limits))
            .with_sampler(sdk_sampler(settings.sampler))
            .with_span_processor(processor)
            .with_resource(resource)
            .build();
        let propagators = settings.propagators.clone();
        Ok(Tracing {
            final_flush,
            provider,
            propagators,
        })
    }

    /// Makes this the global tracer provider, which `RecoveryManager` uses by default, and
    /// `OTEL_PROPAGATORS`' propagators the global propagator.
    pub fn install_global(&self) {
        global::set_tracer_provider(self.provider.clone());
        global::set_text_map_propagator(text_map_propagator(&self.propagators));
    }

    /// A tracer of this provider, for `RecoveryManager::with_tracer`.
    pub fn tracer(&self) -> BoxedTracer {
        BoxedTracer::new(Box::new(self.provider.tracer(INSTRUMENTATION_SCOPE)))
    }

    /// Exports the spans still queued and stops, within `bound`; with nothing to talk to
    /// (a refused connection, a host that does not resolve) it retries once, shortly, and
    /// gives up, as the metrics' final export does.
    pub fn shutdown(&self, bound: Duration) -> Result<(), TracingShutdownError> {
        // Relaxed: a flag read on its own; no other data is published with it.
        self.final_flush.store(true, Ordering::Relaxed);
        self.provider
            .shutdown_with_timeout(bound)
            .map_err(|e| TracingShutdownError {
                message: e.to_string(),
            })
    }
}

/// The SDK's sampler for walrec's resolved choice.
fn sdk_sampler(sampler: TraceSampler) -> Sampler {
    match sampler {
        TraceSampler::AlwaysOn => Sampler::AlwaysOn,
        TraceSampler::AlwaysOff => Sampler::AlwaysOff,
        TraceSampler::TraceIdRatio(ratio) => Sampler::TraceIdRatioBased(ratio),
        TraceSampler::ParentBasedAlwaysOn => Sampler::ParentBased(Box::new(Sampler::AlwaysOn)),
        TraceSampler::ParentBasedAlwaysOff => Sampler::ParentBased(Box::new(Sampler::AlwaysOff)),
        TraceSampler::ParentBasedTraceIdRatio(ratio) => {
            Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(ratio)))
        }
    }
}

/// The SDK's span limits for walrec's resolved ones (the value length limit is applied by the
/// exporter: the SDK has none).
fn sdk_limits(limits: &SpanLimits) -> opentelemetry_sdk::trace::SpanLimits {
    opentelemetry_sdk::trace::SpanLimits {
        max_attributes_per_span: limits.attributes,
        max_events_per_span: limits.events,
        max_links_per_span: limits.links,
        max_attributes_per_event: limits.event_attributes,
        max_attributes_per_link: limits.link_attributes,
    }
}

/// One propagator doing what `propagators` (`OTEL_PROPAGATORS`, [`TraceSettings::propagators`])
/// name, in order; for none, one that injects and extracts nothing.
pub fn text_map_propagator(propagators: &[Propagator]) -> impl TextMapPropagator + use<> {
    let each =
        propagators
            .iter()
            .filter_map(|p| -> Option<Box<dyn TextMapPropagator + Send + Sync>> {
                match p {
                    Propagator::TraceContext => Some(Box::new(TraceContextPropagator::new())),
                    Propagator::Baggage => Some(Box::new(BaggagePropagator::new())),
                    _ => None,
                }
            });
    TextMapCompositePropagator::new(each.collect())
}
