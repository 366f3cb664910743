//! Every kind of refusal of a part of the schema, each asserting the key path and line it
//! names.

use super::tests::{env, line_of, refused};

/// `text` (after a `file_format` line) gives exactly one problem: at `path`, on the line
/// holding `needle`, starting with `message`.
#[track_caller]
fn one(body: &str, path: &str, needle: &str, message: &str) {
    let text = format!("file_format: \"1.0\"\n{body}");
    let problems = refused(&text, &env(&[]));
    let expected = format!("{path} (line {}): {message}", line_of(&text, needle));
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].starts_with(&expected),
        "{}\n  expected {expected}",
        problems[0]
    );
}

/// A meter provider with one periodic reader: `periodic` lines, then `exporter` lines.
pub(super) fn meter(periodic: &str, exporter: &str) -> String {
    format!("meter_provider:\n  readers:\n    - periodic:\n{periodic}        exporter:\n{exporter}")
}

/// A tracer provider with one batch processor: `batch` lines, then `exporter` lines, then
/// `tracer_provider` lines.
fn tracer(batch: &str, exporter: &str, provider: &str) -> String {
    format!(
        "tracer_provider:\n  processors:\n    - batch:\n{batch}        exporter:\n{exporter}{provider}"
    )
}

const GRPC: &str = "          otlp_grpc:\n";
const READER: &str = "meter_provider.readers[0]";
const PERIODIC: &str = "meter_provider.readers[0].periodic";
const BATCH: &str = "tracer_provider.processors[0].batch";

#[test]
fn top_level_keys_walrec_does_not_support_are_refused_by_name() {
    one(
        "log_level: info\n",
        "log_level",
        "log_level",
        "not supported by walrec: walrec logs through `tracing`",
    );
    let logs = "logger_provider:\n  processors:\n    - batch:\n";
    one(
        logs,
        "logger_provider",
        "logger_provider",
        "not supported by walrec: walrec exports metrics and traces, no logs",
    );
    one(
        "instrumentation/development: {}\n",
        "instrumentation/development",
        "instrumentation",
        "not supported by walrec: walrec has no instrumentation",
    );
    one(
        "tracer_providers: {}\n",
        "tracer_providers",
        "tracer_providers",
        "unknown key; expected one of: file_format, disabled, attribute_limits, resource, propagator, meter_provider, tracer_provider",
    );
    one(
        "disabled: yes\n",
        "disabled",
        "disabled",
        "expected true or false, got \"yes\"",
    );
    one(
        "attribute_limits:\n  attribute_count_limit: -1\n",
        "attribute_limits.attribute_count_limit",
        "count",
        "expected a whole number, 0 or more, got -1 (an integer)",
    );
}

#[test]
fn file_format_must_name_a_1_x_release() {
    let problem = |text: &str| refused(text, &env(&[]));
    assert_eq!(
        problem("disabled: false\n"),
        ["file_format (line 1): missing: this key is required here"]
    );
    assert_eq!(
        problem("file_format: 1.0\n"),
        [
            "file_format (line 1): expected a string such as \"1.0\" (quoted: unquoted, 1.0 is a number), got \"1.0\""
        ]
    );
    let other = problem("file_format: \"0.3\"\n");
    assert!(
        other[0].starts_with("file_format (line 1): \"0.3\" is another major version"),
        "{other:?}"
    );
    let pre = problem("file_format: \"1.0-rc.3\"\n");
    assert!(
        pre[0].starts_with("file_format (line 1): \"1.0-rc.3\" is a pre-release"),
        "{pre:?}"
    );
    let junk = problem("file_format: one\n");
    assert_eq!(
        junk,
        ["file_format (line 1): expected a version such as \"1.0\", got \"one\""]
    );
}

#[test]
fn resource_parts_walrec_does_not_have_are_refused() {
    let attr = |item: &str| format!("resource:\n  attributes:\n    - name: a.b\n{item}");
    one(
        "resource:\n  detection/development:\n    detectors: []\n",
        "resource.detection/development",
        "detection",
        "not supported by walrec: walrec detects no resource attributes",
    );
    one(
        "resource:\n  schema_url: https://opentelemetry.io/schemas/1.26.0\n",
        "resource.schema_url",
        "schema_url",
        "not supported by walrec: walrec's resource has no schema URL",
    );
    one(
        &attr("      value: 1\n      type: int\n"),
        "resource.attributes[0].type",
        "type",
        "not supported by walrec: its resource attributes are strings",
    );
    one(
        &attr("      value: [x, y]\n      type: string_array\n"),
        "resource.attributes[0].type",
        "type",
        "not supported by walrec",
    );
    one(
        &attr("      value: 8080\n"),
        "resource.attributes[0].value",
        "8080",
        "expected a string (quote it), got 8080 (an integer)",
    );
    one(
        &attr("      type: string\n"),
        "resource.attributes[0].value",
        "name: a.b",
        "missing: this key is required here",
    );
    one(
        "resource:\n  attributes:\n    - name: a=b\n      value: x\n",
        "resource.attributes[0].name",
        "a=b",
        "\"a=b\" cannot be a resource attribute name",
    );
    one(
        "resource:\n  attributes_list: 42\n",
        "resource.attributes_list",
        "42",
        "expected a string (quote it), got an integer",
    );
    one(
        "resource:\n  attributes_list: novalue\n",
        "resource.attributes_list",
        "novalue",
        "OTEL_RESOURCE_ATTRIBUTES: entry #1 (\"novalue\") is malformed",
    );
}

#[test]
fn propagators_must_be_the_schemas_and_take_no_settings() {
    let composite = |entry: &str| format!("propagator:\n  composite:\n{entry}");
    one(
        &composite("    - xray:\n"),
        "propagator.composite[0].xray",
        "xray",
        "unknown key; expected one of: tracecontext, baggage, b3, b3multi, jaeger, ottrace",
    );
    one(
        &composite("    - tracecontext:\n        strict: true\n"),
        "propagator.composite[0].tracecontext.strict",
        "strict",
        "unknown key; this takes no settings",
    );
    one(
        "propagator:\n  composite: []\n",
        "propagator.composite",
        "composite",
        "expected at least one entry",
    );
    one(
        "propagator: tracecontext\n",
        "propagator",
        "propagator",
        "expected a mapping, got \"tracecontext\"",
    );
}

#[test]
fn meter_provider_parts_walrec_does_not_have_are_refused() {
    let pull = "meter_provider:\n  readers:\n    - pull:\n        exporter:\n          prometheus/development:\n";
    one(
        pull,
        &format!("{READER}.pull"),
        "pull",
        "not supported by walrec: walrec pushes its metrics over OTLP",
    );
    let second = format!(
        "{}    - periodic: # the second\n        exporter:\n          console:\n",
        meter("", GRPC)
    );
    one(
        &second,
        "meter_provider.readers[1]",
        "the second",
        "walrec exports its metrics through one reader; remove this one",
    );
    let views = format!("{}  views:\n    - selector: {{}}\n", meter("", GRPC));
    one(
        &views,
        "meter_provider.views",
        "views",
        "not supported by walrec: walrec's instruments and their aggregations are fixed",
    );
    one(
        &meter("        producers:\n          - opencensus:\n", GRPC),
        &format!("{PERIODIC}.producers"),
        "producers",
        "not supported by walrec",
    );
    one(
        &meter("        cardinality_limits:\n          default: 10\n", GRPC),
        &format!("{PERIODIC}.cardinality_limits"),
        "cardinality",
        "not supported by walrec",
    );
}

#[test]
fn a_periodic_reader_takes_one_push_exporter() {
    one(
        &meter("", "          otlp_file/development:\n"),
        &format!("{PERIODIC}.exporter.otlp_file/development"),
        "otlp_file",
        "not supported by walrec: walrec writes no OTLP files",
    );
    one(
        &meter("", "          otlp_grpc:\n          console:\n"),
        &format!("{PERIODIC}.exporter.console"),
        "console",
        "only one key is allowed here, and otlp_grpc is given",
    );
    one(
        "meter_provider:\n  exemplar_filter: always_on\n",
        "meter_provider.readers",
        "meter_provider",
        "missing: this key is required here",
    );
    one(
        "meter_provider:\n  readers:\n    - periodic:\n        interval: 1000\n",
        &format!("{PERIODIC}.exporter"),
        "- periodic",
        "missing: this key is required here",
    );
}

#[test]
fn metric_values_of_the_wrong_type_or_range_are_refused_at_their_line() {
    let exporter = |line: &str| meter("", &format!("{GRPC}            {line}\n"));
    let at = format!("{PERIODIC}.exporter.otlp_grpc");
    one(
        &meter("        interval: fast\n", GRPC),
        &format!("{PERIODIC}.interval"),
        "fast",
        "expected a whole number of milliseconds, got \"fast\"",
    );
    // In the schema's range, out of walrec's: found by resolving, shown at the key.
    one(
        &meter("        interval: 5\n", GRPC),
        &format!("{PERIODIC}.interval"),
        "interval",
        "expected a whole number of milliseconds from 10 to 86400000",
    );
    one(
        &meter("        timeout: 0\n", GRPC),
        &format!("{PERIODIC}.timeout"),
        "timeout",
        "0 (no limit) is not supported by walrec",
    );
    one(
        &exporter("temporality_preference: lowmemory"),
        &format!("{at}.temporality_preference"),
        "lowmemory",
        "expected one of cumulative, delta, low_memory, got \"lowmemory\"",
    );
    one(
        &exporter("endpoint: localhost:4317"),
        &format!("{at}.endpoint"),
        "localhost",
        "expected an absolute http:// or https:// URL",
    );
}

#[test]
fn exporter_values_walrec_refuses_are_shown_at_their_key() {
    let exporter = |line: &str| meter("", &format!("{GRPC}            {line}\n"));
    let at = format!("{PERIODIC}.exporter.otlp_grpc");
    one(
        &exporter("compression: zstd"),
        &format!("{at}.compression"),
        "zstd",
        "expected one of none, gzip (any case), got \"zstd\"",
    );
    one(
        &exporter("tls: {ca_file: certs/ca.pem}"),
        &format!("{at}.tls.ca_file"),
        "ca_file",
        "expected the absolute path of a PEM file, got \"certs/ca.pem\"",
    );
    one(
        &exporter("tls: {ca_file: /nonexistent/ca.pem}"),
        &format!("{at}.tls.ca_file"),
        "ca_file",
        "OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE=\"/nonexistent/ca.pem\": cannot read the file",
    );
    one(
        &exporter("headers: [{name: 'bad name', value: x}]"),
        &format!("{at}.headers[0].name"),
        "bad name",
        "\"bad name\" is not a valid header name",
    );
    // `encoding: json` is OTLP/HTTP's JSON encoding, which walrec sends.
    let http = meter("", "          otlp_http:\n            encoding: json\n");
    let settings = super::tests::accepted(&format!("file_format: \"1.0\"\n{http}"), &env(&[]));
    let protocol = settings.vars.get("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL");
    assert_eq!(protocol.map(String::as_str), Some("http/json"));
    one(
        &meter("        interval:\n          ms: 5\n", GRPC),
        &format!("{PERIODIC}.interval"),
        "interval",
        "expected a single value, got a mapping",
    );
}

#[test]
fn tracer_provider_parts_walrec_does_not_have_are_refused() {
    let simple =
        "tracer_provider:\n  processors:\n    - simple:\n        exporter:\n          console:\n";
    one(
        simple,
        "tracer_provider.processors[0].simple",
        "simple",
        "not supported by walrec: walrec exports spans in batches only",
    );
    let exporter = |name: &str| tracer("", &format!("          {name}:\n"), "");
    one(
        &exporter("console"),
        &format!("{BATCH}.exporter.console"),
        "console",
        "not supported by walrec: walrec exports spans over OTLP only",
    );
    one(
        &exporter("zipkin"),
        &format!("{BATCH}.exporter.zipkin"),
        "zipkin",
        "not supported by walrec: walrec exports spans over OTLP only",
    );
    let second = tracer(
        "",
        GRPC,
        "    - batch: # the second\n        exporter:\n          otlp_http:\n",
    );
    one(
        &second,
        "tracer_provider.processors[1]",
        "the second",
        "walrec exports its spans through one processor",
    );
}

#[test]
fn batch_values_of_the_wrong_type_or_range_are_refused_at_their_line() {
    one(
        &tracer("        max_queue_size: 0\n", GRPC, ""),
        &format!("{BATCH}.max_queue_size"),
        "queue",
        "expected a whole number above 0, got 0 (an integer)",
    );
    let sizes = "        max_queue_size: 16\n        max_export_batch_size: 32\n";
    one(
        &tracer(sizes, GRPC, ""),
        &format!("{BATCH}.max_export_batch_size"),
        "batch_size",
        "expected at most OTEL_BSP_MAX_QUEUE_SIZE (16), got \"32\"",
    );
    one(
        &tracer("", GRPC, "  limits:\n    event_count_limit: many\n"),
        "tracer_provider.limits.event_count_limit",
        "many",
        "expected a whole number, 0 or more, got \"many\"",
    );
    one(
        &tracer(
            "",
            "          otlp_grpc:\n            tls: {key_file: /k.pem}\n",
            "",
        ),
        &format!("{BATCH}.exporter.otlp_grpc.tls.key_file"),
        "key_file",
        "OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY=\"/k.pem\": cannot read the file",
    );
}

#[test]
fn samplers_the_rust_sdk_does_not_have_are_refused() {
    let sampler = |body: &str| tracer("", GRPC, &format!("  sampler:\n{body}"));
    let at = "tracer_provider.sampler";
    one(
        &sampler("    jaeger_remote/development:\n      endpoint: http://j:14250\n"),
        &format!("{at}.jaeger_remote/development"),
        "jaeger",
        "not supported by walrec: walrec has no remote sampler",
    );
    one(
        &sampler("    composite/development:\n      always_on:\n"),
        &format!("{at}.composite/development"),
        "composite",
        "not supported by walrec: walrec uses the SDK's built-in samplers only",
    );
    let parent = "    parent_based:\n      root:\n        always_on:\n      remote_parent_sampled:\n        always_off:\n";
    one(
        &sampler(parent),
        &format!("{at}.parent_based.remote_parent_sampled"),
        "remote_parent_sampled",
        "not supported by walrec: the Rust SDK's parent-based sampler takes a root only, so remote_parent_sampled must be always_on",
    );
    let nested = "    parent_based:\n      root:\n        parent_based:\n";
    one(
        &sampler(nested),
        &format!("{at}.parent_based.root.parent_based"),
        "        parent_based",
        "a parent_based sampler cannot be nested in another",
    );
    one(
        &sampler("    trace_id_ratio_based:\n      ratio: 1.5\n"),
        &format!("{at}.trace_id_ratio_based.ratio"),
        "ratio: 1.5",
        "expected a number from 0 to 1, got 1.5 (a number)",
    );
    one(
        &sampler("    always_on:\n    always_off:\n"),
        &format!("{at}.always_off"),
        "always_off",
        "only one key is allowed here, and always_on is given",
    );
    one(
        &sampler("    {}\n"),
        at,
        "sampler",
        "expected one of: always_on, always_off, trace_id_ratio_based, parent_based",
    );
}
