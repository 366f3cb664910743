//! The parent context from the environment: `TRACEPARENT` and `TRACESTATE`, as
//! OpenTelemetry's specification for environment variables as context propagation carriers
//! defines them, so that a job runner's trace contains the recovery.

use std::collections::HashMap;

use opentelemetry::Context;
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::TraceContextExt;
use walrec::otlp::config::Propagator;

/// The W3C trace context variable.
pub const TRACEPARENT: &str = "TRACEPARENT";
/// The W3C trace state variable.
pub const TRACESTATE: &str = "TRACESTATE";
/// The W3C baggage variable.
pub const BAGGAGE: &str = "BAGGAGE";

/// The context `lookup`'s `TRACEPARENT`, `TRACESTATE` and `BAGGAGE` carry, read by the
/// propagators `OTEL_PROPAGATORS` names (`none`: none is read); `None` when nothing is set.
/// A malformed `TRACEPARENT` is a warning naming the variable, and the run continues as a new
/// trace.
pub fn from_env(
    lookup: impl Fn(&str) -> Option<String>,
    propagators: &[Propagator],
) -> Option<Context> {
    let carried = [
        (TRACEPARENT, "traceparent"),
        (TRACESTATE, "tracestate"),
        (BAGGAGE, "baggage"),
    ];
    let carrier: HashMap<String, String> = carried
        .into_iter()
        .filter_map(|(variable, key)| Some((key.to_owned(), lookup(variable)?.trim().to_owned())))
        .filter(|(_, value)| !value.is_empty())
        .collect();
    if carrier.is_empty() {
        return None;
    }
    let propagator = walrec::otlp::text_map_propagator(propagators);
    let cx = propagator.extract_with_context(&Context::new(), &carrier);
    let traced = propagators.contains(&Propagator::TraceContext);
    if traced && carrier.contains_key("traceparent") && !cx.span().span_context().is_valid() {
        tracing::warn!(
            "{TRACEPARENT} is not a W3C traceparent (00-<32 hex trace id>-<16 hex span id>-<2 hex flags>); the recovery starts a new trace"
        );
    }
    Some(cx)
}
