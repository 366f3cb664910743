//! `meter_provider` and `tracer_provider`.
//!
//! walrec has one metrics pipeline and one span pipeline, so it takes exactly one periodic
//! reader and one batch span processor; a second one, a pull reader or a simple processor is
//! refused by name. A provider the file leaves out is the schema's default, a no-op provider:
//! its exporter variable is set to `none`.
//!
//! | key | variable |
//! | --- | --- |
//! | `meter_provider.readers[0].periodic.interval`, `.timeout` | `OTEL_METRIC_EXPORT_INTERVAL`, `OTEL_METRIC_EXPORT_TIMEOUT` |
//! | `….periodic.exporter.otlp_grpc` / `otlp_http` / `console` | `OTEL_METRICS_EXPORTER` = `otlp` / `otlp` / `console`, the exporter's keys as in [`exporter`](super::exporter) |
//! | `….temporality_preference` | `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE` (`low_memory` as `lowmemory`) |
//! | `….default_histogram_aggregation` | `OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION` |
//! | `meter_provider.exemplar_filter` | `OTEL_METRICS_EXEMPLAR_FILTER` |
//! | `tracer_provider.processors[0].batch.schedule_delay`, `.export_timeout`, `.max_queue_size`, `.max_export_batch_size` | `OTEL_BSP_*` |
//! | `….batch.exporter.otlp_grpc` / `otlp_http` | `OTEL_TRACES_EXPORTER=otlp`, the exporter's keys |
//! | `tracer_provider.limits.*` | `OTEL_SPAN_*`, `OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT`, `OTEL_LINK_ATTRIBUTE_COUNT_LIMIT` |
//! | `tracer_provider.sampler` | see [`sampler`](super::sampler) |

use super::exporter::{self, METRICS, MILLIS, TRACES, Transport};
use super::sampler;
use super::walk::{Fields, Keys, Walk};
use super::yaml::Node;
use crate::otlp::config::env::*;

const METER_PROVIDER: Keys<'static> = Keys {
    known: &["readers", "exemplar_filter"],
    refused: &[
        (
            "views",
            "walrec's instruments and their aggregations are fixed",
        ),
        (
            "meter_configurator/development",
            "walrec has one meter, always enabled",
        ),
    ],
};
const READER: Keys<'static> = Keys {
    known: &["periodic"],
    refused: &[(
        "pull",
        "walrec pushes its metrics over OTLP; a pull reader (Prometheus) is not supported",
    )],
};
const PERIODIC: Keys<'static> = Keys {
    known: &["interval", "timeout", "exporter"],
    refused: &[
        (
            "producers",
            "walrec exports its own metrics only, no metric producers",
        ),
        (
            "cardinality_limits",
            "walrec's metrics have a fixed, small set of series",
        ),
    ],
};
const PUSH_EXPORTER: Keys<'static> = Keys {
    known: &["otlp_grpc", "otlp_http", "console"],
    refused: &[(
        "otlp_file/development",
        "walrec writes no OTLP files; export with otlp_grpc, otlp_http or console",
    )],
};
/// The keys every push metric exporter has.
const METRIC_EXPORTER_KEYS: [&str; 2] = ["temporality_preference", "default_histogram_aggregation"];
const CONSOLE_METRIC: Keys<'static> = Keys {
    known: &METRIC_EXPORTER_KEYS,
    refused: &[],
};
const TRACER_PROVIDER: Keys<'static> = Keys {
    known: &["processors", "limits", "sampler"],
    refused: &[(
        "tracer_configurator/development",
        "walrec has one tracer, always enabled",
    )],
};
const PROCESSOR: Keys<'static> = Keys {
    known: &["batch"],
    refused: &[("simple", "walrec exports spans in batches only; use batch")],
};
const BATCH: Keys<'static> = Keys {
    known: &[
        "schedule_delay",
        "export_timeout",
        "max_queue_size",
        "max_export_batch_size",
        "exporter",
    ],
    refused: &[],
};
const SPAN_EXPORTER: Keys<'static> = Keys {
    known: &["otlp_grpc", "otlp_http"],
    refused: &[
        ("console", "walrec exports spans over OTLP only"),
        ("zipkin", "walrec exports spans over OTLP only"),
        ("otlp_file/development", "walrec writes no OTLP files"),
    ],
};
const SPAN_LIMITS: Keys<'static> = Keys {
    known: &[
        "attribute_value_length_limit",
        "attribute_count_limit",
        "event_count_limit",
        "link_count_limit",
        "event_attribute_count_limit",
        "link_attribute_count_limit",
    ],
    refused: &[],
};

/// What a limit or a count expects.
pub(super) const COUNT: &str = "a whole number, 0 or more";
/// What a queue or batch size expects.
const SIZE: &str = "a whole number above 0";

/// `meter_provider`; when it is left out, `OTEL_METRICS_EXPORTER=none`.
pub(super) fn meter_provider(w: &mut Walk<'_>, root: &Fields<'_>) {
    let section = (OTEL_METRICS_EXPORTER, &METER_PROVIDER);
    let Some(fields) = w.section_or_none(root, "meter_provider", section) else {
        return;
    };
    let filters = ["trace_based", "always_on", "always_off"];
    w.set_choice(
        &fields,
        "exemplar_filter",
        OTEL_METRICS_EXEMPLAR_FILTER,
        &filters,
    );
    let Some(readers) = w.required(&fields, "readers") else {
        return;
    };
    let why = "walrec exports its metrics through one reader; remove this one";
    let Some((reader, path)) = w.single(readers, &fields.path("readers"), why) else {
        return;
    };
    if let Some((entry, path)) = w.one_of(reader, &path, &READER) {
        periodic(w, &entry.node, &path);
    }
}

/// A periodic reader: its interval and timeout, and its exporter.
fn periodic(w: &mut Walk<'_>, node: &Node, path: &str) {
    let Some(fields) = w.mapping(node, path, &PERIODIC, false) else {
        return;
    };
    w.set_integer(&fields, "interval", OTEL_METRIC_EXPORT_INTERVAL, 0, MILLIS);
    exporter::set_timeout(w, &fields, "timeout", OTEL_METRIC_EXPORT_TIMEOUT);
    let Some(node) = w.required(&fields, "exporter") else {
        return;
    };
    let Some((entry, path)) = w.one_of(node, &fields.path("exporter"), &PUSH_EXPORTER) else {
        return;
    };
    let at = (&entry.node, path.as_str());
    let exporter = match entry.key.as_str() {
        "otlp_grpc" => exporter::otlp(w, at, Transport::Grpc, &METRICS, &METRIC_EXPORTER_KEYS),
        "otlp_http" => exporter::otlp(w, at, Transport::Http, &METRICS, &METRIC_EXPORTER_KEYS),
        _ => w.mapping(&entry.node, &path, &CONSOLE_METRIC, true),
    };
    let kind = if entry.key == "console" {
        "console"
    } else {
        "otlp"
    };
    w.set(OTEL_METRICS_EXPORTER, kind, &path, entry.line);
    if let Some(fields) = exporter {
        metric_exporter_keys(w, &fields);
    }
}

/// The keys every push metric exporter has: temporality and histogram aggregation.
fn metric_exporter_keys(w: &mut Walk<'_>, fields: &Fields<'_>) {
    let key = "temporality_preference";
    if let Some(node) = fields.get(key) {
        let path = fields.path(key);
        let found = w.choice(node, &path, &["cumulative", "delta", "low_memory"]);
        // The variable spells low_memory as `lowmemory`.
        if let Some(found) = found {
            let value = if found == "low_memory" {
                "lowmemory"
            } else {
                found
            };
            let var = OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE;
            w.set(var, value, &path, node.line);
        }
    }
    let aggregations = [
        "explicit_bucket_histogram",
        "base2_exponential_bucket_histogram",
    ];
    let var = OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION;
    w.set_choice(fields, "default_histogram_aggregation", var, &aggregations);
}

/// `tracer_provider`; when it is left out, `OTEL_TRACES_EXPORTER=none`.
pub(super) fn tracer_provider(w: &mut Walk<'_>, root: &Fields<'_>) {
    let section = (OTEL_TRACES_EXPORTER, &TRACER_PROVIDER);
    let Some(fields) = w.section_or_none(root, "tracer_provider", section) else {
        return;
    };
    let why = "walrec exports its spans through one processor; remove this one";
    let processors = w.required(&fields, "processors");
    let processor = processors.and_then(|node| w.single(node, &fields.path("processors"), why));
    if let Some((processor, path)) = processor {
        if let Some((entry, path)) = w.one_of(processor, &path, &PROCESSOR) {
            batch(w, &entry.node, &path);
        }
    }
    if let Some(node) = fields.get("limits") {
        span_limits(w, node, &fields.path("limits"));
    }
    if let Some(node) = fields.get("sampler") {
        sampler::sampler(w, node, &fields.path("sampler"));
    }
}

/// A batch span processor: its schedule, sizes and timeout, and its exporter.
fn batch(w: &mut Walk<'_>, node: &Node, path: &str) {
    let Some(fields) = w.mapping(node, path, &BATCH, false) else {
        return;
    };
    w.set_integer(
        &fields,
        "schedule_delay",
        OTEL_BSP_SCHEDULE_DELAY,
        0,
        MILLIS,
    );
    exporter::set_timeout(w, &fields, "export_timeout", OTEL_BSP_EXPORT_TIMEOUT);
    w.set_integer(&fields, "max_queue_size", OTEL_BSP_MAX_QUEUE_SIZE, 1, SIZE);
    let batch_size = OTEL_BSP_MAX_EXPORT_BATCH_SIZE;
    w.set_integer(&fields, "max_export_batch_size", batch_size, 1, SIZE);
    let Some(node) = w.required(&fields, "exporter") else {
        return;
    };
    let Some((entry, path)) = w.one_of(node, &fields.path("exporter"), &SPAN_EXPORTER) else {
        return;
    };
    let transport = match entry.key.as_str() {
        "otlp_grpc" => Transport::Grpc,
        _ => Transport::Http,
    };
    exporter::otlp(w, (&entry.node, &path), transport, &TRACES, &[]);
    w.set(OTEL_TRACES_EXPORTER, "otlp", &path, entry.line);
}

/// `tracer_provider.limits`.
fn span_limits(w: &mut Walk<'_>, node: &Node, path: &str) {
    let Some(fields) = w.mapping(node, path, &SPAN_LIMITS, false) else {
        return;
    };
    let limits = [
        (
            "attribute_value_length_limit",
            OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT,
        ),
        ("attribute_count_limit", OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT),
        ("event_count_limit", OTEL_SPAN_EVENT_COUNT_LIMIT),
        ("link_count_limit", OTEL_SPAN_LINK_COUNT_LIMIT),
        (
            "event_attribute_count_limit",
            OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT,
        ),
        (
            "link_attribute_count_limit",
            OTEL_LINK_ATTRIBUTE_COUNT_LIMIT,
        ),
    ];
    for (key, var) in limits {
        w.set_integer(&fields, key, var, 0, COUNT);
    }
}
