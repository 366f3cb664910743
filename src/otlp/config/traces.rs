//! The trace pipeline's own settings: the exporter choice, propagators, sampler, batching and
//! span limits, resolved by the settings table like every other and handed to the SDK in
//! code, so an accepted value is the value used (the SDK's own reading of these variables is
//! exact and falls back to its defaults without a word).

use std::time::Duration;

use super::environment::Environment;
use super::error::{ConfigError, ConfigProblem, Problems};
use super::resolve::{Lookup, Resolved, Source, process_env, resolve, resolve_single};
use super::settings::Id;
use super::types::{Propagator, SamplerName, Signal, TracesExporter};
use super::value::Value;
use super::{Config, ConfigBuilder, env};

impl Config {
    /// The traces configuration from the process environment (see
    /// [`traces_from_lookup`](Self::traces_from_lookup)).
    pub fn traces_from_env() -> Result<Self, ConfigError> {
        Self::traces_from_lookup(&process_env)
    }

    /// The traces configuration from `lookup`: every setting resolved as for the metrics,
    /// except that `OTEL_EXPORTER_OTLP_TRACES_X` takes the place of
    /// `OTEL_EXPORTER_OTLP_METRICS_X`, and a generic or default OTLP/HTTP endpoint ends in
    /// `/v1/traces` ([`Signal::Traces`]).
    pub fn traces_from_lookup(lookup: &Lookup<'_>) -> Result<Self, ConfigError> {
        ConfigBuilder::from_lookup(lookup)
            .signal(Signal::Traces)
            .build()
    }
}

/// A sampler of the specification's `OTEL_TRACES_SAMPLER` list (the remote ones excepted),
/// with the ratio of those that take one (`OTEL_TRACES_SAMPLER_ARG`, default 1).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum TraceSampler {
    /// `always_on`.
    AlwaysOn,
    /// `always_off`.
    AlwaysOff,
    /// `traceidratio`: this fraction of traces, by trace id.
    TraceIdRatio(f64),
    /// `parentbased_always_on` (the default): the parent's decision, a root always sampled.
    ParentBasedAlwaysOn,
    /// `parentbased_always_off`: the parent's decision, a root never sampled.
    ParentBasedAlwaysOff,
    /// `parentbased_traceidratio`: the parent's decision, a root by the ratio.
    ParentBasedTraceIdRatio(f64),
}

impl TraceSampler {
    fn new(name: SamplerName, ratio: f64) -> Self {
        match name {
            SamplerName::AlwaysOn => TraceSampler::AlwaysOn,
            SamplerName::AlwaysOff => TraceSampler::AlwaysOff,
            SamplerName::TraceIdRatio => TraceSampler::TraceIdRatio(ratio),
            SamplerName::ParentBasedAlwaysOn => TraceSampler::ParentBasedAlwaysOn,
            SamplerName::ParentBasedAlwaysOff => TraceSampler::ParentBasedAlwaysOff,
            SamplerName::ParentBasedTraceIdRatio => TraceSampler::ParentBasedTraceIdRatio(ratio),
        }
    }
}

/// The span limits (`OTEL_SPAN_*_LIMIT`, with the generic `OTEL_ATTRIBUTE_*_LIMIT` as
/// fallback), as the specification defines them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SpanLimits {
    /// The longest attribute value, in characters; `None`: no limit.
    pub attribute_value_length: Option<u32>,
    /// The most attributes of a span.
    pub attributes: u32,
    /// The most events of a span.
    pub events: u32,
    /// The most links of a span.
    pub links: u32,
    /// The most attributes of an event.
    pub event_attributes: u32,
    /// The most attributes of a link.
    pub link_attributes: u32,
}

/// The trace pipeline's settings, resolved by walrec and given to the SDK in code.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TraceSettings {
    /// `OTEL_TRACES_EXPORTER`.
    pub exporter: TracesExporter,
    /// `OTEL_PROPAGATORS`, in order; empty for `none`.
    pub propagators: Vec<Propagator>,
    /// `OTEL_TRACES_SAMPLER` with `OTEL_TRACES_SAMPLER_ARG`.
    pub sampler: TraceSampler,
    /// `OTEL_BSP_SCHEDULE_DELAY` (ms; default 5000).
    pub schedule_delay: Duration,
    /// `OTEL_BSP_MAX_QUEUE_SIZE` (default 2048).
    pub max_queue_size: usize,
    /// `OTEL_BSP_MAX_EXPORT_BATCH_SIZE` (default 512; at most the queue size).
    pub max_export_batch_size: usize,
    /// The span limits.
    pub limits: SpanLimits,
}

impl Default for TraceSettings {
    /// The specification's defaults.
    fn default() -> Self {
        let mut problems = Problems::default();
        let resolved = resolve(&|_| None, Signal::Traces, &[], |_| false, &mut problems);
        Self::assemble(&resolved, &Value::Unset, &mut problems)
    }
}

impl TraceSettings {
    /// The settings from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(&process_env)
    }

    /// The settings from `lookup`; every invalid value is reported at once, each naming its
    /// variable and what it accepts. `OTEL_TRACES_SAMPLER_ARG` is read only for the ratio
    /// samplers, as the specification says.
    pub fn from_lookup(lookup: &Lookup<'_>) -> Result<Self, ConfigError> {
        Environment::new(lookup).with(Self::from_variables)
    }

    fn from_variables(lookup: &Lookup<'_>) -> Result<Self, ConfigError> {
        let pipeline_part = |id| id >= Id::TracesExporter && id != Id::SamplerArg;
        let mut problems = Problems::default();
        let resolved = resolve(lookup, Signal::Traces, &[], pipeline_part, &mut problems);
        let name: SamplerName = resolved.get(Id::Sampler).choice();
        let ratio = match name.as_str().ends_with("traceidratio") {
            true => resolve_single(Id::SamplerArg, lookup, Signal::Traces, &[], &mut problems),
            false => Value::Unset,
        };
        let settings = Self::assemble(&resolved, &ratio, &mut problems);
        problems.finish(settings)
    }

    /// The settings `r` holds, with the ratio samplers' argument `ratio` (unset: 1).
    fn assemble(r: &Resolved, ratio: &Value, problems: &mut Problems) -> Self {
        let count = |id| r.get(id).as_count().unwrap_or(0);
        let small = |id| u32::try_from(count(id)).unwrap_or(u32::MAX);
        let (queue, batch) = (count(Id::MaxQueueSize), count(Id::MaxExportBatchSize));
        if batch > queue {
            let expected = format!("at most {} ({queue})", env::OTEL_BSP_MAX_QUEUE_SIZE);
            let setting = match r.source(Id::MaxExportBatchSize) {
                Source::Variable(name) | Source::Code(name) => name,
                Source::Default | Source::File { .. } => env::OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
            };
            problems.extend([ConfigProblem::invalid(
                setting,
                &batch.to_string(),
                expected,
            )]);
        }
        let ratio = match ratio {
            Value::Ratio(ratio) => *ratio,
            _ => 1.0,
        };
        TraceSettings {
            exporter: r.get(Id::TracesExporter).choice(),
            propagators: r
                .get(Id::Propagators)
                .choices::<Propagator>()
                .into_iter()
                .filter(|p| *p != Propagator::None)
                .collect(),
            sampler: TraceSampler::new(r.get(Id::Sampler).choice(), ratio),
            schedule_delay: r.get(Id::ScheduleDelay).as_duration(),
            max_queue_size: usize::try_from(queue).unwrap_or(usize::MAX),
            max_export_batch_size: usize::try_from(batch).unwrap_or(usize::MAX),
            limits: SpanLimits {
                attribute_value_length: r
                    .get(Id::AttributeValueLength)
                    .as_count()
                    .map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
                attributes: small(Id::AttributeCount),
                events: small(Id::EventCount),
                links: small(Id::LinkCount),
                event_attributes: small(Id::EventAttributeCount),
                link_attributes: small(Id::LinkAttributeCount),
            },
        }
    }
}
