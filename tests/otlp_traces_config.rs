#![cfg(all(feature = "otlp", feature = "traces"))]
//! The traces configuration (`Config::traces_from_lookup`): `OTEL_EXPORTER_OTLP_TRACES_*`
//! beats `OTEL_EXPORTER_OTLP_*` beats the default, `/v1/traces` is appended for
//! `http/protobuf` to the generic endpoint only, the metrics-specific variables play no part,
//! and every error names the traces variable the user actually set.

mod support;

use std::collections::HashMap;
use std::ffi::OsString;
use std::time::Duration;

use support::pem::cert_dir;
use walrec::otlp::config::{Compression, Config, ConfigError, Protocol};

/// A fake environment of `(name, value)` pairs.
fn lookup(pairs: &[(&str, OsString)]) -> impl Fn(&str) -> Option<OsString> + use<> {
    let vars: HashMap<String, OsString> = pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.clone()))
        .collect();
    move |name| vars.get(name).cloned()
}

fn traces(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let pairs: Vec<(&str, OsString)> = pairs.iter().map(|(n, v)| (*n, (*v).into())).collect();
    Config::traces_from_lookup(&lookup(&pairs))
}

fn endpoint(pairs: &[(&str, &str)]) -> String {
    traces(pairs).unwrap().endpoint().to_owned()
}

const HTTP: (&str, &str) = ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");

#[test]
fn the_default_endpoint_is_the_specs_for_each_protocol() {
    assert_eq!(endpoint(&[]), "http://localhost:4317/");
    assert_eq!(endpoint(&[HTTP]), "http://localhost:4318/v1/traces");
}

#[test]
fn the_generic_endpoint_gets_v1_traces_for_http_only() {
    let generic = ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318");
    assert_eq!(endpoint(&[generic]), "http://collector:4318/");
    assert_eq!(
        endpoint(&[generic, HTTP]),
        "http://collector:4318/v1/traces"
    );
    let with_path = ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/otlp/");
    assert_eq!(
        endpoint(&[with_path, HTTP]),
        "http://collector:4318/otlp/v1/traces"
    );
}

#[test]
fn the_traces_endpoint_beats_the_generic_one_and_is_used_as_is() {
    let generic = ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://generic:4318");
    let own = (
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "http://tempo:4318/custom",
    );
    assert_eq!(endpoint(&[generic, own, HTTP]), "http://tempo:4318/custom");
    assert_eq!(endpoint(&[own]), "http://tempo:4318/custom");
}

#[test]
fn the_metrics_variables_play_no_part_in_the_traces_configuration() {
    let config = traces(&[
        (
            "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
            "http://metrics:9999/x",
        ),
        ("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http/protobuf"),
        ("OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", "1234"),
        ("OTEL_EXPORTER_OTLP_METRICS_HEADERS", "x-metrics=1"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://generic:4317"),
    ])
    .unwrap();
    assert_eq!(config.endpoint(), "http://generic:4317/");
    assert_eq!(config.protocol(), Protocol::Grpc);
    assert_eq!(config.timeout(), Duration::from_secs(10));
    assert!(config.headers().is_empty());
}

#[test]
fn each_traces_variable_beats_its_generic_one() {
    let config = traces(&[
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf"),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "1000"),
        ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "2500"),
        ("OTEL_EXPORTER_OTLP_HEADERS", "x-generic=1"),
        ("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "x-traces=2"),
        ("OTEL_EXPORTER_OTLP_COMPRESSION", "none"),
        ("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "gzip"),
        ("OTEL_EXPORTER_OTLP_INSECURE", "false"),
        ("OTEL_EXPORTER_OTLP_TRACES_INSECURE", "true"),
    ])
    .unwrap();
    assert_eq!(config.protocol(), Protocol::HttpProtobuf);
    assert_eq!(config.endpoint(), "http://localhost:4318/v1/traces");
    assert_eq!(config.timeout(), Duration::from_millis(2500));
    assert_eq!(config.headers().get("x-traces").unwrap().expose(), "2");
    assert!(
        config.headers().get("x-generic").is_none(),
        "replaced whole"
    );
    assert_eq!(config.compression(), Compression::Gzip);
    assert!(config.tls().insecure());
}

#[test]
fn otel_bsp_export_timeout_bounds_a_span_export_in_place_of_the_metrics_one() {
    let config = traces(&[
        ("OTEL_METRIC_EXPORT_TIMEOUT", "9000"),
        ("OTEL_BSP_EXPORT_TIMEOUT", "1500"),
    ])
    .unwrap();
    assert_eq!(config.export_timeout(), Duration::from_millis(1500));
    let default = traces(&[("OTEL_METRIC_EXPORT_TIMEOUT", "9000")]).unwrap();
    assert_eq!(default.export_timeout(), Duration::from_secs(30));
    let variable = "OTEL_BSP_EXPORT_TIMEOUT";
    assert_rejected_naming(&[(variable, "0".into())], variable);
}

#[test]
fn the_metrics_configuration_ignores_the_traces_variables() {
    let vars = lookup(&[
        ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "not a url".into()),
        ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf".into()),
        ("OTEL_BSP_EXPORT_TIMEOUT", "not a number".into()),
    ]);
    let config = Config::from_lookup(&vars).unwrap();
    assert_eq!(config.endpoint(), "http://localhost:4317/");
    assert_eq!(config.protocol(), Protocol::Grpc);
    assert_eq!(config.export_timeout(), Duration::from_secs(30));
}

/// `pairs` must be rejected with problems that all name `variable`, and never a
/// metrics-specific variable.
fn assert_rejected_naming(pairs: &[(&str, OsString)], variable: &str) {
    let error = match Config::traces_from_lookup(&lookup(pairs)) {
        Ok(config) => panic!("{pairs:?} should be rejected, got {config:?}"),
        Err(error) => error,
    };
    let settings: Vec<&str> = error.problems().iter().map(|p| p.setting()).collect();
    assert_eq!(settings, [variable], "{error}");
    let message = error.to_string();
    assert!(message.contains(variable), "{message}");
    assert!(!message.contains("METRICS"), "{message}");
}

#[test]
fn an_invalid_traces_variable_is_named_in_the_error() {
    let cases = [
        ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "not a url"),
        ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "carrier-pigeon"),
        ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "soon"),
        ("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "zstd"),
        ("OTEL_EXPORTER_OTLP_TRACES_INSECURE", "maybe"),
        ("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "no-equals-sign"),
        (
            "OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE",
            "/nonexistent/ca.pem",
        ),
        (
            "OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY",
            "/nonexistent/key.pem",
        ),
        (
            "OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE",
            "/nonexistent/c.pem",
        ),
    ];
    for (variable, value) in cases {
        assert_rejected_naming(&[(variable, value.into())], variable);
    }
}

#[test]
fn a_traces_variable_that_is_not_utf8_is_named() {
    use std::os::unix::ffi::OsStringExt;
    let bad = OsString::from_vec(vec![0x66, 0xff, 0x6f]);
    let variable = "OTEL_EXPORTER_OTLP_TRACES_HEADERS";
    assert_rejected_naming(&[(variable, bad)], variable);
}

#[test]
fn half_an_mtls_pair_names_the_traces_variable_and_hints_at_the_traces_names() {
    let (_dir, file) = cert_dir();
    let variable = "OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE";
    assert_rejected_naming(&[(variable, file("cert").into())], variable);
    let key = "OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY";
    assert_rejected_naming(&[(key, file("key").into())], key);
}

/// The settings the SDK reads itself, checked by walrec first: each problem names its variable.
fn sdk_problems(pairs: &[(&str, &str)]) -> Vec<String> {
    let pairs: Vec<(&str, OsString)> = pairs.iter().map(|(n, v)| (*n, (*v).into())).collect();
    match walrec::otlp::config::TraceSettings::from_lookup(&lookup(&pairs)) {
        Ok(_) => Vec::new(),
        Err(error) => error.problems().iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn the_sdks_own_trace_settings_are_checked_and_named() {
    assert!(sdk_problems(&[]).is_empty(), "unset is the defaults");
    let good = [
        ("OTEL_TRACES_SAMPLER", "ParentBased_TraceIdRatio"),
        ("OTEL_TRACES_SAMPLER_ARG", "0.25"),
        ("OTEL_BSP_SCHEDULE_DELAY", "200"),
        ("OTEL_BSP_MAX_QUEUE_SIZE", "4096"),
        ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "512"),
    ];
    assert!(sdk_problems(&good).is_empty(), "{:?}", sdk_problems(&good));
    for (bad, variable) in [
        (("OTEL_TRACES_SAMPLER", "always_onn"), "OTEL_TRACES_SAMPLER"),
        (("OTEL_BSP_SCHEDULE_DELAY", "5s"), "OTEL_BSP_SCHEDULE_DELAY"),
        (("OTEL_BSP_MAX_QUEUE_SIZE", "0"), "OTEL_BSP_MAX_QUEUE_SIZE"),
        (
            ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "-1"),
            "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
        ),
        (
            ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "4096"),
            "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
        ),
    ] {
        let problems = sdk_problems(&[bad]);
        assert_eq!(problems.len(), 1, "{bad:?}: {problems:?}");
        assert!(problems[0].contains(variable), "{bad:?}: {problems:?}");
    }
    let ratio = sdk_problems(&[
        ("OTEL_TRACES_SAMPLER", "traceidratio"),
        ("OTEL_TRACES_SAMPLER_ARG", "1.5"),
    ]);
    assert!(
        ratio.len() == 1 && ratio[0].contains("OTEL_TRACES_SAMPLER_ARG"),
        "{ratio:?}"
    );
    let both = sdk_problems(&[
        ("OTEL_TRACES_SAMPLER", "sometimes"),
        ("OTEL_BSP_SCHEDULE_DELAY", "soon"),
    ]);
    assert_eq!(both.len(), 2, "every problem is reported: {both:?}");
}
