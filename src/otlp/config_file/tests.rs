//! Files the specification describes, written here by hand, and what they translate to; the
//! equivalence of a file and the variables that mean the same; substitution in a file.

use std::collections::BTreeMap;
use std::ffi::OsString;

use super::*;
use crate::otlp::config::Config;
use crate::otlp::config::env::*;

/// An environment of `pairs`.
pub(super) fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
    let map: BTreeMap<String, OsString> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), OsString::from(v)))
        .collect();
    move |name| map.get(name).cloned()
}

/// The settings of `text`, which must be accepted.
pub(super) fn accepted(text: &str, lookup: &Lookup<'_>) -> FileSettings {
    translate(text, lookup).unwrap_or_else(|error| panic!("refused: {error}"))
}

/// The problems of `text`, which must be refused, as their messages.
pub(super) fn refused(text: &str, lookup: &Lookup<'_>) -> Vec<String> {
    match translate(text, lookup) {
        Ok(settings) => panic!("accepted: {settings:?}"),
        Err(error) => error.problems().iter().map(ToString::to_string).collect(),
    }
}

/// The line (from 1) of the first line of `text` holding `needle`.
pub(super) fn line_of(text: &str, needle: &str) -> usize {
    let index = text.lines().position(|line| line.contains(needle));
    1 + index.unwrap_or_else(|| panic!("{needle:?} is not in the text"))
}

fn vars(settings: &FileSettings) -> BTreeMap<&'static str, &str> {
    settings
        .vars
        .iter()
        .map(|(k, v)| (*k, v.as_str()))
        .collect()
}

/// What a file without providers or propagators means: all three no-ops.
const NOTHING: [(&str, &str); 3] = [
    (OTEL_METRICS_EXPORTER, "none"),
    (OTEL_PROPAGATORS, "none"),
    (OTEL_TRACES_EXPORTER, "none"),
];

#[test]
fn a_minimal_file_turns_every_provider_off() {
    let settings = accepted("file_format: \"1.0\"\n", &env(&[]));
    assert_eq!(vars(&settings), BTreeMap::from(NOTHING));
    assert!(settings.origins.is_empty(), "{:?}", settings.origins);
    // A later minor version of the schema is read too (its new keys would be unknown keys).
    let later = accepted("file_format: '1.3'\ndisabled: true\n", &env(&[]));
    assert_eq!(later.vars[OTEL_SDK_DISABLED], "true");
}

/// Both providers, every key walrec translates, written as the schema describes them.
pub(super) const FULL: &str = r#"# walrec: metrics over gRPC, spans over HTTP.
file_format: "1.0"
disabled: false
resource:
  attributes:
    - name: service.name
      value: wal-recovery
    - name: deployment.environment.name
      value: "prod, eu"
  attributes_list: team=storage,service.name=overridden
attribute_limits:
  attribute_value_length_limit: 4096
  attribute_count_limit: 64
propagator:
  composite:
    - tracecontext:
    - baggage: {}
  composite_list: tracecontext, baggage
meter_provider:
  readers:
    - periodic:
        interval: 15000
        timeout: 5000
        exporter:
          otlp_grpc:
            endpoint: https://collector.example:4317
            headers:
              - name: api-key
                value: s3cret=1
              - name: x-dropped
                value:
            compression: gzip
            timeout: 2500
            tls:
              insecure: false
            temporality_preference: low_memory
            default_histogram_aggregation: explicit_bucket_histogram
  exemplar_filter: always_off
tracer_provider:
  processors:
    - batch:
        schedule_delay: 1000
        export_timeout: 20000
        max_queue_size: 4096
        max_export_batch_size: 256
        exporter:
          otlp_http:
            endpoint: https://collector.example:4318/v1/traces
            headers_list: tenant=a%2Cb
            encoding: protobuf
  limits:
    attribute_count_limit: 32
    event_count_limit: 16
    link_count_limit: 8
    event_attribute_count_limit: 4
    link_attribute_count_limit: 2
    attribute_value_length_limit: 1024
  sampler:
    parent_based:
      root:
        trace_id_ratio_based:
          ratio: 0.25
      remote_parent_sampled:
        always_on:
"#;

/// The variables that mean what [`FULL`] says, as an operator would write them.
pub(super) const FULL_AS_ENV: &[(&str, &str)] = &[
    (OTEL_SDK_DISABLED, "false"),
    (
        OTEL_RESOURCE_ATTRIBUTES,
        "team=storage,service.name=overridden,service.name=wal-recovery,\
         deployment.environment.name=prod%2C%20eu",
    ),
    (OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT, "4096"),
    (OTEL_ATTRIBUTE_COUNT_LIMIT, "64"),
    (OTEL_PROPAGATORS, "tracecontext,baggage"),
    (OTEL_METRIC_EXPORT_INTERVAL, "15000"),
    (OTEL_METRIC_EXPORT_TIMEOUT, "5000"),
    (OTEL_METRICS_EXPORTER, "otlp"),
    (OTEL_EXPORTER_OTLP_METRICS_PROTOCOL, "grpc"),
    (
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
        "https://collector.example:4317",
    ),
    (OTEL_EXPORTER_OTLP_METRICS_HEADERS, "api-key=s3cret%3D1"),
    (OTEL_EXPORTER_OTLP_METRICS_COMPRESSION, "gzip"),
    (OTEL_EXPORTER_OTLP_METRICS_TIMEOUT, "2500"),
    (OTEL_EXPORTER_OTLP_METRICS_INSECURE, "false"),
    (
        OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE,
        "lowmemory",
    ),
    (
        OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION,
        "explicit_bucket_histogram",
    ),
    (OTEL_METRICS_EXEMPLAR_FILTER, "always_off"),
    (OTEL_BSP_SCHEDULE_DELAY, "1000"),
    (OTEL_BSP_EXPORT_TIMEOUT, "20000"),
    (OTEL_BSP_MAX_QUEUE_SIZE, "4096"),
    (OTEL_BSP_MAX_EXPORT_BATCH_SIZE, "256"),
    (OTEL_TRACES_EXPORTER, "otlp"),
    (OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, "http/protobuf"),
    (
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
        "https://collector.example:4318/v1/traces",
    ),
    (OTEL_EXPORTER_OTLP_TRACES_HEADERS, "tenant=a%2Cb"),
    (OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT, "32"),
    (OTEL_SPAN_EVENT_COUNT_LIMIT, "16"),
    (OTEL_SPAN_LINK_COUNT_LIMIT, "8"),
    (OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT, "4"),
    (OTEL_LINK_ATTRIBUTE_COUNT_LIMIT, "2"),
    (OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT, "1024"),
    (OTEL_TRACES_SAMPLER, "parentbased_traceidratio"),
    (OTEL_TRACES_SAMPLER_ARG, "0.25"),
];

/// [`FULL_AS_ENV`] as a map.
fn full_as_env() -> BTreeMap<&'static str, &'static str> {
    FULL_AS_ENV.iter().copied().collect()
}

#[test]
fn a_full_file_sets_every_variable_with_its_origin() {
    let settings = accepted(FULL, &env(&[]));
    assert_eq!(vars(&settings), full_as_env());
    let origin = |var: &str| settings.origins[var].to_string();
    let interval = line_of(FULL, "interval: 15000");
    assert_eq!(
        origin(OTEL_METRIC_EXPORT_INTERVAL),
        format!("meter_provider.readers[0].periodic.interval (line {interval})")
    );
    let endpoint = line_of(FULL, "4318/v1/traces");
    assert_eq!(
        origin(OTEL_EXPORTER_OTLP_TRACES_ENDPOINT),
        format!(
            "tracer_provider.processors[0].batch.exporter.otlp_http.endpoint (line {endpoint})"
        )
    );
    let list = line_of(FULL, "attributes_list");
    assert_eq!(
        origin(OTEL_RESOURCE_ATTRIBUTES),
        format!("resource.attributes_list (line {list})")
    );
    let ratio = line_of(FULL, "ratio: 0.25");
    let ratio_path = "tracer_provider.sampler.parent_based.root.trace_id_ratio_based.ratio";
    assert_eq!(
        origin(OTEL_TRACES_SAMPLER_ARG),
        format!("{ratio_path} (line {ratio})")
    );
    let grpc = line_of(FULL, "otlp_grpc:");
    assert_eq!(
        origin(OTEL_METRICS_EXPORTER),
        format!("meter_provider.readers[0].periodic.exporter.otlp_grpc (line {grpc})")
    );
}

#[test]
fn a_file_and_the_variables_that_mean_the_same_give_the_same_config() {
    let settings = accepted(FULL, &env(&[]));
    let as_env = full_as_env();
    assert_eq!(vars(&settings), as_env);
    let from_env = |name: &str| as_env.get(name).map(OsString::from);
    let from_file = settings.lookup();
    let config = |lookup: &Lookup<'_>| Config::from_lookup(lookup).expect("valid");
    assert_eq!(config(&from_file), config(&from_env));
    assert_eq!(
        config(&from_file).temporality(),
        crate::otlp::config::Temporality::LowMemory
    );
    assert_eq!(config(&from_file).service_name(), "wal-recovery");
    #[cfg(feature = "traces")]
    {
        use crate::otlp::config::TraceSettings;
        let traces = |lookup: &Lookup<'_>| Config::traces_from_lookup(lookup).expect("valid");
        assert_eq!(traces(&from_file), traces(&from_env));
        let trace = |lookup: &Lookup<'_>| TraceSettings::from_lookup(lookup).expect("valid");
        assert_eq!(trace(&from_file), trace(&from_env));
        let headers = traces(&from_file)
            .headers()
            .get("tenant")
            .map(|s| s.expose().to_owned());
        assert_eq!(headers.as_deref(), Some("a,b"));
    }
}

#[test]
fn resource_attribute_values_survive_the_trip_through_the_variable() {
    let text = "file_format: \"1.0\"\nresource:\n  attributes:\n    - name: host.note\n      \
                value: \" 100% = a,b é \"\n    - name: service.name\n      value: svc\n";
    let settings = accepted(text, &env(&[]));
    let config = Config::from_lookup(&settings.lookup()).expect("valid");
    let expected = [
        ("host.note".to_owned(), " 100% = a,b é ".to_owned()),
        ("service.name".to_owned(), "svc".to_owned()),
    ];
    assert_eq!(config.resource_attributes(), expected);
    assert_eq!(config.service_name(), "svc");
}

/// A file that takes its endpoint, key and interval from the environment.
const SUBSTITUTED: &str = r#"file_format: "1.0"
meter_provider:
  readers:
    - periodic:
        interval: ${WALREC_INTERVAL:-60000}
        exporter:
          otlp_http:
            endpoint: ${env:COLLECTOR}/v1/metrics
            headers:
              - name: authorization
                value: "Bearer ${TOKEN}"
            compression: ${UNSET_COMPRESSION}
            tls:
              ca_file: ${UNSET_CA:-}
tracer_provider:
  processors:
    - batch:
        exporter:
          otlp_grpc:
            endpoint: "$${not substituted}"
            tls:
              insecure: ${INSECURE}
"#;

#[test]
fn substitution_fills_scalar_values_before_they_are_typed() {
    let lookup = env(&[
        ("COLLECTOR", "https://c.example:4318"),
        ("TOKEN", "t0k,en"),
        ("INSECURE", "true"),
        ("WALREC_INTERVAL", ""),
    ]);
    let settings = translate(SUBSTITUTED, &lookup);
    // `$${…}` is the text `${not substituted}`: not a URL, so resolving refuses it, at its line.
    let line = line_of(SUBSTITUTED, "$${not");
    let path = "tracer_provider.processors[0].batch.exporter.otlp_grpc.endpoint";
    let problems = settings.unwrap_err().problems().to_vec();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!((problems[0].path.as_str(), problems[0].line), (path, line));
    assert!(
        problems[0].message.contains("${not substituted}"),
        "{}",
        problems[0]
    );

    let fixed = SUBSTITUTED.replace("$${not substituted}", "http://${HOST:-localhost}:4317");
    let settings = accepted(&fixed, &lookup);
    let var = |name| settings.vars.get(name).map(String::as_str);
    // Empty, so its default; the plain `${INSECURE}` is typed after substitution: a boolean.
    assert_eq!(var(OTEL_METRIC_EXPORT_INTERVAL), Some("60000"));
    assert_eq!(
        var(OTEL_EXPORTER_OTLP_METRICS_ENDPOINT),
        Some("https://c.example:4318/v1/metrics")
    );
    assert_eq!(
        var(OTEL_EXPORTER_OTLP_METRICS_HEADERS),
        Some("authorization=Bearer%20t0k%2Cen")
    );
    assert_eq!(var(OTEL_EXPORTER_OTLP_TRACES_INSECURE), Some("true"));
    assert_eq!(
        var(OTEL_EXPORTER_OTLP_TRACES_ENDPOINT),
        Some("http://localhost:4317")
    );
    // Unset without a default: null, which means the key is left out.
    assert_eq!(var(OTEL_EXPORTER_OTLP_METRICS_COMPRESSION), None);
    assert_eq!(var(OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE), None);
}

#[test]
fn substitution_types_plain_scalars_only_and_injects_no_structure() {
    let text = |value: &str| {
        format!(
            "file_format: \"1.0\"\nmeter_provider:\n  readers:\n    - periodic:\n        \
             interval: {value}\n        exporter:\n          console:\n"
        )
    };
    let lookup = env(&[("MS", "5000"), ("MAP", "a\nb: c"), ("REF", "${MS}")]);
    let interval = |value: &str| {
        let settings = accepted(&text(value), &lookup);
        settings.vars.get(OTEL_METRIC_EXPORT_INTERVAL).cloned()
    };
    assert_eq!(interval("${MS}").as_deref(), Some("5000"));
    assert_eq!(interval("${UNSET}"), None);
    assert_eq!(interval("0x1388").as_deref(), Some("5000"));
    // Quoted, the value stays a string, which an interval is not.
    let at = "meter_provider.readers[0].periodic.interval (line 5)";
    let problem = |value: &str| refused(&text(value), &lookup);
    assert_eq!(
        problem("\"${MS}\""),
        [format!(
            "{at}: expected a whole number of milliseconds, got \"5000\""
        )]
    );
    // A value holding YAML is one string; a value holding a reference is not substituted again.
    assert_eq!(
        problem("${MAP}"),
        [format!(
            "{at}: expected a whole number of milliseconds, got \"a\\nb: c\""
        )]
    );
    assert_eq!(
        problem("${REF}"),
        [format!(
            "{at}: expected a whole number of milliseconds, got \"${{MS}}\""
        )]
    );
    assert_eq!(
        problem("${MS:?unset}"),
        [format!(
            "{at}: ${{MS:?unset}} is not a valid substitution: expected ${{NAME}}, ${{env:NAME}} \
             or ${{NAME:-default}}, NAME a letter or _ then letters, digits or _ (write $$ for a \
             literal $)"
        )]
    );
}

#[test]
fn keys_are_never_substituted() {
    let lookup = env(&[("KEY", "disabled")]);
    let problems = refused("file_format: \"1.0\"\n${KEY}: true\n", &lookup);
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].starts_with("${KEY} (line 2): unknown key; expected one of: file_format"),
        "{problems:?}"
    );
}
