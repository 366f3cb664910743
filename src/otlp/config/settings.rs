//! The settings table: every setting walrec reads, as data. For each, the variables that set
//! it for each signal (in order of precedence), what its value must be, its default, whether
//! it is secret, and what it means. Resolution, the builder's checks, the error messages,
//! `walrec config`, the README's table and the hostile-environment tests all come from here.

use std::ops::RangeInclusive;
use std::time::Duration;

use super::env::*;
use super::parse::PemKind;
use super::types::{
    Compression, ExemplarFilter, HistogramAggregation, MetricsExporter, Propagator, Protocol,
    SamplerName, Signal, Spelled, Temporality, TracesExporter,
};

/// What a setting's value must be.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    /// `true` or `false`, in any case.
    Bool,
    /// Whole milliseconds within the range.
    Millis(RangeInclusive<Duration>),
    /// A whole number within the range.
    Count(RangeInclusive<u64>),
    /// A number from 0 to 1.
    Ratio,
    /// One of the spellings (any case); the `unsupported` ones are defined by the
    /// specification but not by walrec, and are refused saying so.
    Choice(Choices),
    /// A comma-separated list of the spellings.
    ChoiceList(Choices),
    /// An absolute `http` or `https` URL.
    Endpoint,
    /// `name=value,…`, values percent-encoded.
    Headers,
    /// `key=value,…`, values percent-encoded.
    Attributes,
    /// The path of a readable PEM file of this kind.
    Pem(PemKind),
    /// Text that is not blank.
    Text,
}

/// The spellings of an enumerated setting.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Choices {
    pub(crate) accepted: &'static [&'static str],
    pub(crate) unsupported: &'static [&'static str],
    pub(crate) why: &'static str,
}

const fn choices<T: Spelled>() -> Choices {
    Choices {
        accepted: T::SPELLINGS,
        unsupported: &[],
        why: "",
    }
}

const fn refusing<T: Spelled>(unsupported: &'static [&'static str], why: &'static str) -> Choices {
    Choices {
        accepted: T::SPELLINGS,
        unsupported,
        why,
    }
}

/// Every setting, in the order of [`TABLE`]: the [`Config`](super::Config) part first, then
/// from [`Id::TracesExporter`] on the trace pipeline's ([`TraceSettings`](super::TraceSettings)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)]
pub(crate) enum Id {
    Disabled,
    ServiceName,
    ResourceAttributes,
    MetricsExporter,
    Protocol,
    Endpoint,
    Headers,
    Timeout,
    Compression,
    Insecure,
    Certificate,
    ClientKey,
    ClientCertificate,
    Interval,
    ExportTimeout,
    Temporality,
    HistogramAggregation,
    MaxHistogramBuckets,
    ExemplarFilter,
    TracesExporter,
    Propagators,
    Sampler,
    SamplerArg,
    ScheduleDelay,
    MaxQueueSize,
    MaxExportBatchSize,
    AttributeValueLength,
    AttributeCount,
    EventCount,
    LinkCount,
    EventAttributeCount,
    LinkAttributeCount,
}

/// One setting.
#[derive(Debug)]
pub(crate) struct Setting {
    pub(crate) id: Id,
    /// The variables that set it for metrics, the first one set winning; empty when the
    /// setting does not apply to metrics.
    pub(crate) metrics: &'static [&'static str],
    /// The same for traces.
    pub(crate) traces: &'static [&'static str],
    pub(crate) kind: Kind,
    /// The default, written as a variable's value would be; empty for none.
    pub(crate) default: &'static str,
    /// Whether the value is secret (never shown).
    pub(crate) secret: bool,
    /// What it means, one line.
    pub(crate) doc: &'static str,
}

impl Setting {
    /// The variables that set it for `signal`, the first one set winning.
    pub(crate) fn variables(&self, signal: Signal) -> &'static [&'static str] {
        signal.pick(self.metrics, self.traces)
    }
}

/// The setting `id`.
pub(crate) fn setting(id: Id) -> &'static Setting {
    &TABLE[id as usize]
}

/// Every variable walrec reads, each once: `OTEL_CONFIG_FILE`, then the table's in its order.
pub fn variables() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = vec![OTEL_CONFIG_FILE];
    for name in TABLE.iter().flat_map(|s| s.metrics.iter().chain(s.traces)) {
        if !all.contains(name) {
            all.push(name);
        }
    }
    all
}

const COUNT: RangeInclusive<u64> = 1..=1 << 32;
const LIMIT: RangeInclusive<u64> = 0..=1 << 32;
const MS_DAY: RangeInclusive<Duration> = Duration::from_millis(1)..=Duration::from_secs(86_400);

/// Both signals read `name`.
macro_rules! both {
    ($id:ident, $name:expr, $kind:expr, $default:literal, $doc:literal) => {
        row(Id::$id, &[$name], &[$name], $kind, $default, $doc)
    };
}

/// An exporter setting: the signal's own variable, then the generic one.
macro_rules! exporter {
    ($id:ident, $generic:ident, $metrics:ident, $traces:ident, $kind:expr, $default:literal, $doc:literal) => {
        row(
            Id::$id,
            &[$metrics, $generic],
            &[$traces, $generic],
            $kind,
            $default,
            $doc,
        )
    };
}

const fn row(
    id: Id,
    metrics: &'static [&'static str],
    traces: &'static [&'static str],
    kind: Kind,
    default: &'static str,
    doc: &'static str,
) -> Setting {
    Setting {
        id,
        metrics,
        traces,
        kind,
        default,
        secret: false,
        doc,
    }
}

const fn secret(setting: Setting) -> Setting {
    Setting {
        secret: true,
        ..setting
    }
}

/// Not read for this signal.
const NONE: &[&str] = &[];

/// The table. Its order is [`Id`]'s.
#[rustfmt::skip]
pub(crate) static TABLE: [Setting; 32] = [
    both!(Disabled, OTEL_SDK_DISABLED, Kind::Bool, "false", "`true` turns walrec's export off; nothing else is read then"),
    both!(ServiceName, OTEL_SERVICE_NAME, Kind::Text, "", "`service.name`; beats one in `OTEL_RESOURCE_ATTRIBUTES`; else `unknown_service:<executable>`"),
    both!(ResourceAttributes, OTEL_RESOURCE_ATTRIBUTES, Kind::Attributes, "", "resource attributes, `key=value,…`, values percent-encoded"),
    row(Id::MetricsExporter, &[OTEL_METRICS_EXPORTER], NONE, Kind::Choice(refusing::<MetricsExporter>(&["prometheus"], "walrec pushes; scrape the Collector's prometheus exporter instead")), "otlp", "`otlp`; `console`: each export printed to standard output; `none`: no metric is exported"),
    exporter!(Protocol, OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_EXPORTER_OTLP_METRICS_PROTOCOL, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, Kind::Choice(choices::<Protocol>()), "grpc", "the transport"),
    exporter!(Endpoint, OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_METRICS_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, Kind::Endpoint, "", "where to push: `http://localhost:4317` (grpc), `http://localhost:4318/v1/metrics` or `/v1/traces` (http); the generic one gets the signal's path for http"),
    secret(exporter!(Headers, OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_METRICS_HEADERS, OTEL_EXPORTER_OTLP_TRACES_HEADERS, Kind::Headers, "", "request headers, `name=value,…`, values percent-encoded and never shown")),
    exporter!(Timeout, OTEL_EXPORTER_OTLP_TIMEOUT, OTEL_EXPORTER_OTLP_METRICS_TIMEOUT, OTEL_EXPORTER_OTLP_TRACES_TIMEOUT, Kind::Millis(TIMEOUT_RANGE), "10000", "one request, in ms (1 ms to 1 h)"),
    exporter!(Compression, OTEL_EXPORTER_OTLP_COMPRESSION, OTEL_EXPORTER_OTLP_METRICS_COMPRESSION, OTEL_EXPORTER_OTLP_TRACES_COMPRESSION, Kind::Choice(choices::<Compression>()), "none", "request body compression"),
    exporter!(Insecure, OTEL_EXPORTER_OTLP_INSECURE, OTEL_EXPORTER_OTLP_METRICS_INSECURE, OTEL_EXPORTER_OTLP_TRACES_INSECURE, Kind::Bool, "false", "plaintext even with certificates; an `https` endpoint wins"),
    exporter!(Certificate, OTEL_EXPORTER_OTLP_CERTIFICATE, OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE, OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE, Kind::Pem(PemKind::Certificates), "", "PEM file of the CAs that verify the collector (else the system's)"),
    exporter!(ClientKey, OTEL_EXPORTER_OTLP_CLIENT_KEY, OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY, OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY, Kind::Pem(PemKind::PrivateKey), "", "mTLS: PEM private key file; needs the client certificate too"),
    exporter!(ClientCertificate, OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE, OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE, OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE, Kind::Pem(PemKind::Certificates), "", "mTLS: PEM certificate chain file; needs the client key too"),
    row(Id::Interval, &[OTEL_METRIC_EXPORT_INTERVAL], NONE, Kind::Millis(INTERVAL_RANGE), "60000", "time between two metric exports, in ms (10 ms to 24 h; ±10 % jitter)"),
    row(Id::ExportTimeout, &[OTEL_METRIC_EXPORT_TIMEOUT], &[OTEL_BSP_EXPORT_TIMEOUT], Kind::Millis(TIMEOUT_RANGE), "30000", "one whole export, retries included, in ms (1 ms to 1 h)"),
    row(Id::Temporality, &[OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE], NONE, Kind::Choice(choices::<Temporality>()), "cumulative", "`delta` and `lowmemory` mean delta for every walrec metric"),
    row(Id::HistogramAggregation, &[OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION], NONE, Kind::Choice(choices::<HistogramAggregation>()), "base2_exponential_bucket_histogram", "the latency histogram: exponential, or explicit buckets (see below)"),
    row(Id::MaxHistogramBuckets, &[WALREC_OTLP_HISTOGRAM_MAX_SIZE], NONE, Kind::Count(2..=1 << 16), "160", "walrec's own: most buckets of the exponential histogram"),
    row(Id::ExemplarFilter, &[OTEL_METRICS_EXEMPLAR_FILTER], NONE, Kind::Choice(choices::<ExemplarFilter>()), "trace_based", "which samples become exemplars: in a sampled span, all, none"),
    row(Id::TracesExporter, NONE, &[OTEL_TRACES_EXPORTER], Kind::Choice(refusing::<TracesExporter>(&["console", "zipkin", "jaeger"], "walrec exports spans over OTLP only")), "otlp", "`none`: no span is exported (metrics still are)"),
    row(Id::Propagators, NONE, &[OTEL_PROPAGATORS], Kind::ChoiceList(refusing::<Propagator>(&["b3", "b3multi", "jaeger", "xray", "ottrace"], "walrec propagates W3C tracecontext and baggage only")), "tracecontext,baggage", "how `TRACEPARENT` and `BAGGAGE` are read; `none` reads neither"),
    row(Id::Sampler, NONE, &[OTEL_TRACES_SAMPLER], Kind::Choice(refusing::<SamplerName>(&["jaeger_remote", "parentbased_jaeger_remote", "xray"], "remote samplers need a sampling service walrec does not query")), "parentbased_always_on", "the sampler"),
    row(Id::SamplerArg, NONE, &[OTEL_TRACES_SAMPLER_ARG], Kind::Ratio, "1", "the ratio of the `*traceidratio` samplers (ignored by the others)"),
    row(Id::ScheduleDelay, NONE, &[OTEL_BSP_SCHEDULE_DELAY], Kind::Millis(MS_DAY), "5000", "time between two span exports, in ms"),
    row(Id::MaxQueueSize, NONE, &[OTEL_BSP_MAX_QUEUE_SIZE], Kind::Count(COUNT), "2048", "spans queued at most; more are dropped"),
    row(Id::MaxExportBatchSize, NONE, &[OTEL_BSP_MAX_EXPORT_BATCH_SIZE], Kind::Count(COUNT), "512", "spans per export at most; at most the queue size"),
    row(Id::AttributeValueLength, NONE, &[OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT, OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT], Kind::Count(LIMIT), "", "longest span attribute value, in characters; unset: no limit"),
    row(Id::AttributeCount, NONE, &[OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT, OTEL_ATTRIBUTE_COUNT_LIMIT], Kind::Count(LIMIT), "128", "most attributes of a span"),
    row(Id::EventCount, NONE, &[OTEL_SPAN_EVENT_COUNT_LIMIT], Kind::Count(LIMIT), "128", "most events of a span"),
    row(Id::LinkCount, NONE, &[OTEL_SPAN_LINK_COUNT_LIMIT], Kind::Count(LIMIT), "128", "most links of a span"),
    row(Id::EventAttributeCount, NONE, &[OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT, OTEL_ATTRIBUTE_COUNT_LIMIT], Kind::Count(LIMIT), "128", "most attributes of a span event"),
    row(Id::LinkAttributeCount, NONE, &[OTEL_LINK_ATTRIBUTE_COUNT_LIMIT, OTEL_ATTRIBUTE_COUNT_LIMIT], Kind::Count(LIMIT), "128", "most attributes of a span link"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_id_order() {
        for (index, setting) in TABLE.iter().enumerate() {
            assert_eq!(setting.id as usize, index, "{:?}", setting.id);
        }
    }
}
