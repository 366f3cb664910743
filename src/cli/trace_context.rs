//! The parent context from the environment: `TRACEPARENT` and `TRACESTATE`, as
//! OpenTelemetry's specification for environment variables as context propagation carriers
//! defines them, so that a job runner's trace contains the recovery.

use std::collections::HashMap;

use opentelemetry::Context;
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::TraceContextExt;
use opentelemetry_sdk::propagation::TraceContextPropagator;

/// The W3C trace context variable.
pub const TRACEPARENT: &str = "TRACEPARENT";
/// The W3C trace state variable.
pub const TRACESTATE: &str = "TRACESTATE";

/// The context `lookup`'s `TRACEPARENT` names, or `None` when it is unset; a malformed value
/// is a warning naming the variable, and the run continues as a new trace.
pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> Option<Context> {
    let parent = lookup(TRACEPARENT).filter(|v| !v.trim().is_empty())?;
    let mut carrier = HashMap::new();
    carrier.insert("traceparent".to_owned(), parent.trim().to_owned());
    if let Some(state) = lookup(TRACESTATE) {
        carrier.insert("tracestate".to_owned(), state.trim().to_owned());
    }
    let cx = TraceContextPropagator::new().extract_with_context(&Context::new(), &carrier);
    if cx.span().span_context().is_valid() {
        return Some(cx);
    }
    tracing::warn!(
        "{TRACEPARENT} is not a W3C traceparent (00-<32 hex trace id>-<16 hex span id>-<2 hex flags>); the recovery starts a new trace"
    );
    None
}
