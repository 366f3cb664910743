#![cfg(feature = "otlp")]
//! `otlp::config`'s errors: every malformed variable named with its value and the expected
//! form, long values cut, every problem at once, header values never shown.

mod support;

use support::config_env::*;
use walrec::otlp::config::env::*;
use walrec::otlp::config::{Config, ConfigBuilder, ConfigProblem};

#[test]
fn every_malformed_variable_is_named_with_its_value_and_the_expected_form() {
    // (variable, value, a fragment of the expected form)
    let table: &[(&str, &str, &str)] = &[
        (OTEL_SDK_DISABLED, "yes", "true or false"),
        (OTEL_RESOURCE_ATTRIBUTES, "team", "key=value"),
        (OTEL_RESOURCE_ATTRIBUTES, "=orphan", "key=value"),
        (OTEL_RESOURCE_ATTRIBUTES, "ratio=100%", "percent"),
        (OTEL_RESOURCE_ATTRIBUTES, "bytes=%ff", "percent"),
        (
            OTEL_EXPORTER_OTLP_ENDPOINT,
            "localhost:4317",
            "http:// or https://",
        ),
        (
            OTEL_EXPORTER_OTLP_ENDPOINT,
            "ftp://collector:21",
            "http:// or https://",
        ),
        (OTEL_EXPORTER_OTLP_ENDPOINT, "/v1/metrics", "absolute"),
        (OTEL_EXPORTER_OTLP_ENDPOINT, "http://", "with a host"),
        (OTEL_EXPORTER_OTLP_METRICS_ENDPOINT, "collector", "absolute"),
        (
            OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
            "http://bad host:4317",
            "with a host",
        ),
        (OTEL_EXPORTER_OTLP_HEADERS, "api-key", "name=value"),
        (OTEL_EXPORTER_OTLP_HEADERS, "a=1,,b=%", "entry #3"),
        (
            OTEL_EXPORTER_OTLP_METRICS_HEADERS,
            "x=1,bad name=2",
            "HTTP token",
        ),
        (OTEL_EXPORTER_OTLP_TIMEOUT, "10s", "milliseconds"),
        (OTEL_EXPORTER_OTLP_TIMEOUT, "0", "from 1 to 3600000"),
        (
            OTEL_EXPORTER_OTLP_TIMEOUT,
            "18446744073709551615",
            "from 1 to 3600000",
        ),
        (
            OTEL_EXPORTER_OTLP_METRICS_TIMEOUT,
            "3600001",
            "from 1 to 3600000",
        ),
        (OTEL_EXPORTER_OTLP_METRICS_TIMEOUT, "-5", "milliseconds"),
        (OTEL_EXPORTER_OTLP_COMPRESSION, "zstd", "none, gzip"),
        (
            OTEL_EXPORTER_OTLP_METRICS_COMPRESSION,
            "deflate",
            "none, gzip",
        ),
        (
            OTEL_EXPORTER_OTLP_PROTOCOL,
            "udp",
            "grpc, http/protobuf, http/json",
        ),
        (
            OTEL_EXPORTER_OTLP_METRICS_PROTOCOL,
            "http/xml",
            "grpc, http/protobuf, http/json",
        ),
        (OTEL_EXPORTER_OTLP_INSECURE, "yes", "true or false"),
        (OTEL_EXPORTER_OTLP_METRICS_INSECURE, "1", "true or false"),
        (
            OTEL_EXPORTER_OTLP_CERTIFICATE,
            "/no/such/ca.pem",
            "readable PEM file",
        ),
        (
            OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE,
            "/no/such/ca.pem",
            "readable PEM file",
        ),
        (
            OTEL_EXPORTER_OTLP_CLIENT_KEY,
            "/no/such/key.pem",
            "readable PEM file",
        ),
        (
            OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY,
            "/no/such/key.pem",
            "readable PEM file",
        ),
        (
            OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE,
            "/no/such/c.pem",
            "readable PEM file",
        ),
        (
            OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE,
            "/tmp",
            "readable PEM file",
        ),
        (OTEL_METRIC_EXPORT_INTERVAL, "1m", "milliseconds"),
        (OTEL_METRIC_EXPORT_INTERVAL, "0", "from 10 to 86400000"),
        (OTEL_METRIC_EXPORT_INTERVAL, "1", "from 10 to 86400000"),
        (
            OTEL_METRIC_EXPORT_INTERVAL,
            "86400001",
            "from 10 to 86400000",
        ),
        (
            OTEL_METRIC_EXPORT_TIMEOUT,
            "99999999999",
            "from 1 to 3600000",
        ),
        (OTEL_METRIC_EXPORT_TIMEOUT, "1.5", "milliseconds"),
        (
            OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE,
            "sum",
            "cumulative, delta, lowmemory",
        ),
        (WALREC_OTLP_HISTOGRAM_MAX_SIZE, "1", "from 2 to"),
        (WALREC_OTLP_HISTOGRAM_MAX_SIZE, "lots", "from 2 to"),
    ];
    for &(variable, value, expected) in table {
        let error = problems(&[(variable, value)]);
        let [problem] = error.problems() else {
            panic!("{variable}={value:?}: one problem expected, got {error}");
        };
        assert_eq!(problem.setting(), variable, "{error}");
        let message = error.to_string();
        assert!(message.contains(variable), "{message}");
        assert!(
            message.contains(expected),
            "{variable}={value:?}: {message}"
        );
        // Header values are never shown; every other value is, so the user can find it.
        if !variable.ends_with("_HEADERS") {
            let shown = value.trim_start_matches("=");
            assert!(message.contains(shown), "{variable}={value:?}: {message}");
        }
    }
}

#[test]
fn long_values_are_truncated_in_messages() {
    let long = format!("http://{}", "x".repeat(500));
    let message = problems(&[(OTEL_EXPORTER_OTLP_TIMEOUT, &long)]).to_string();
    assert!(message.contains('…') && message.len() < 300, "{message}");
}

#[test]
fn every_problem_is_reported_at_once() {
    let error = problems(&[
        (OTEL_SDK_DISABLED, "maybe"),
        (OTEL_EXPORTER_OTLP_PROTOCOL, "http/yaml"),
        (OTEL_EXPORTER_OTLP_ENDPOINT, "collector:4317"),
        (OTEL_EXPORTER_OTLP_HEADERS, "a=1,broken,c"),
        (OTEL_EXPORTER_OTLP_METRICS_TIMEOUT, "soon"),
        (OTEL_EXPORTER_OTLP_COMPRESSION, "brotli"),
        (OTEL_EXPORTER_OTLP_CERTIFICATE, "/no/such/file.pem"),
        (OTEL_METRIC_EXPORT_INTERVAL, "-1"),
        (OTEL_METRIC_EXPORT_TIMEOUT, "0"),
        (OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE, "both"),
        (WALREC_OTLP_HISTOGRAM_MAX_SIZE, "0"),
        (OTEL_RESOURCE_ATTRIBUTES, "a=%zz"),
    ]);
    let named: Vec<&str> = error
        .problems()
        .iter()
        .map(ConfigProblem::setting)
        .collect();
    let expected = [
        OTEL_SDK_DISABLED,
        OTEL_EXPORTER_OTLP_PROTOCOL,
        OTEL_EXPORTER_OTLP_ENDPOINT,
        OTEL_EXPORTER_OTLP_HEADERS, // entry #2
        OTEL_EXPORTER_OTLP_HEADERS, // entry #3
        OTEL_RESOURCE_ATTRIBUTES,
        OTEL_EXPORTER_OTLP_CERTIFICATE,
        OTEL_EXPORTER_OTLP_METRICS_TIMEOUT,
        OTEL_EXPORTER_OTLP_COMPRESSION,
        OTEL_METRIC_EXPORT_INTERVAL,
        OTEL_METRIC_EXPORT_TIMEOUT,
        OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE,
        WALREC_OTLP_HISTOGRAM_MAX_SIZE,
    ];
    let mut sorted_named = named.clone();
    let mut sorted_expected = expected.to_vec();
    sorted_named.sort();
    sorted_expected.sort();
    assert_eq!(sorted_named, sorted_expected, "{error}");
    let message = error.to_string();
    assert_eq!(message.lines().count(), 1 + expected.len(), "{message}");
    assert!(
        message.starts_with("invalid OTLP configuration (13 problems):"),
        "{message}"
    );
    assert!(
        message.contains("entry #2") && message.contains("entry #3"),
        "{message}"
    );
}

#[test]
fn header_values_never_appear_in_messages_or_debug_output() {
    const SECRET: &str = "s3cr3t";
    let bad_lists = [
        "authorization=Bearer%20s3cr3t,Authorization: Bearer s3cr3t",
        "x-key=s3cr3t%zz",
        "x-key=s3cr3t%0A",
        "x-key=s3cr3t\u{7f}",
        "x-key=s3cr3t%C3%A9",
        "s3cr3t",
        "bad key=s3cr3t",
        "s3cr3t key=s3cr3t",
        "=s3cr3t",
    ];
    for list in bad_lists {
        for variable in [
            OTEL_EXPORTER_OTLP_HEADERS,
            OTEL_EXPORTER_OTLP_METRICS_HEADERS,
        ] {
            let error = problems(&[(variable, list)]);
            let shown = format!("{error}\n{error:?}\n{:?}", error.problems());
            assert!(!shown.contains(SECRET), "{list:?} leaked: {shown}");
            assert!(shown.contains(variable), "{shown}");
        }
    }
    let bad_header = Config::builder()
        .header("x-key", "s3cr3t\n")
        .build()
        .unwrap_err();
    let shown = format!("{bad_header}\n{bad_header:?}");
    assert!(
        !shown.contains(SECRET) && shown.contains("ConfigBuilder::header"),
        "{shown}"
    );

    let good = config(&[(OTEL_EXPORTER_OTLP_HEADERS, "authorization=Bearer%20s3cr3t")]).unwrap();
    let auth = good.headers().get("authorization").unwrap();
    assert_eq!(auth.expose(), "Bearer s3cr3t");
    for shown in [
        format!("{good:?}"),
        format!("{good:#?}"),
        format!("{:?}", good.headers()),
        format!("{auth} {auth:?}"),
        format!("{:?}", ConfigBuilder::new().header("x-key", SECRET)),
    ] {
        assert!(!shown.contains(SECRET), "leaked: {shown}");
    }
    assert!(
        format!("{good:?}").contains("authorization"),
        "names stay visible"
    );
}
