//! `otlp::config` against hostile values: non-UTF-8 variables (each one, and all at once),
//! certificate and key files that are not PEM, out-of-range durations, and endpoints whose
//! credentials must never reach a message or a `Debug` dump.
#![cfg(feature = "otlp")]

use std::collections::HashMap;
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::time::Duration;

use walrec::otlp::config::env::*;
use walrec::otlp::config::{Config, ConfigError, ConfigProblem, redact_endpoint};

fn config(vars: &[(&str, OsString)]) -> Result<Config, ConfigError> {
    let vars: HashMap<String, OsString> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    Config::from_lookup(&|name| vars.get(name).cloned())
}

fn garbled() -> OsString {
    OsString::from_vec(b"tr\xffue".to_vec())
}

fn named(error: &ConfigError) -> Vec<&'static str> {
    error
        .problems()
        .iter()
        .map(ConfigProblem::setting)
        .collect()
}

const READ: &[&str] = &[
    OTEL_SDK_DISABLED,
    OTEL_SERVICE_NAME,
    OTEL_RESOURCE_ATTRIBUTES,
    OTEL_EXPORTER_OTLP_ENDPOINT,
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
    OTEL_EXPORTER_OTLP_HEADERS,
    OTEL_EXPORTER_OTLP_METRICS_HEADERS,
    OTEL_EXPORTER_OTLP_TIMEOUT,
    OTEL_EXPORTER_OTLP_METRICS_TIMEOUT,
    OTEL_EXPORTER_OTLP_COMPRESSION,
    OTEL_EXPORTER_OTLP_METRICS_COMPRESSION,
    OTEL_EXPORTER_OTLP_PROTOCOL,
    OTEL_EXPORTER_OTLP_METRICS_PROTOCOL,
    OTEL_EXPORTER_OTLP_INSECURE,
    OTEL_EXPORTER_OTLP_METRICS_INSECURE,
    OTEL_EXPORTER_OTLP_CERTIFICATE,
    OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE,
    OTEL_EXPORTER_OTLP_CLIENT_KEY,
    OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY,
    OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE,
    OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE,
    OTEL_METRIC_EXPORT_INTERVAL,
    OTEL_METRIC_EXPORT_TIMEOUT,
    OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE,
    WALREC_OTLP_HISTOGRAM_MAX_SIZE,
];

#[test]
fn each_non_utf8_variable_is_an_error_naming_it() {
    for &variable in READ {
        let error = config(&[(variable, garbled())]).unwrap_err();
        assert_eq!(named(&error), [variable], "{error}");
        let message = error.to_string();
        assert!(message.contains("not valid UTF-8"), "{message}");
    }
}

#[test]
fn all_non_utf8_variables_are_reported_together() {
    let vars: Vec<(&str, OsString)> = READ.iter().map(|v| (*v, garbled())).collect();
    let error = config(&vars).unwrap_err();
    let mut got = named(&error);
    got.sort();
    let mut expected = READ.to_vec();
    expected.sort();
    assert_eq!(got, expected, "{error}");
}

#[test]
fn a_garbled_sdk_disabled_does_not_leave_the_exporter_running_silently() {
    // Not "unset" (which would start the exporter), not "true": an error, with the others.
    let error = config(&[
        (OTEL_SDK_DISABLED, garbled()),
        (OTEL_EXPORTER_OTLP_COMPRESSION, "lz4".into()),
    ])
    .unwrap_err();
    assert_eq!(
        named(&error),
        [OTEL_SDK_DISABLED, OTEL_EXPORTER_OTLP_COMPRESSION]
    );
}

#[test]
fn certificate_and_key_files_must_be_pem() {
    let dir = tempfile::tempdir().unwrap();
    let not_pem = dir.path().join("not.pem");
    std::fs::write(&not_pem, b"\x30\x82\x01\x0a this is DER or junk, not PEM").unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let key_pem = dir.path().join("key.pem");
    std::fs::write(&key_pem, key.serialize_pem()).unwrap();
    let path = |p: &std::path::Path| OsString::from(p.as_os_str());
    for variable in [
        OTEL_EXPORTER_OTLP_CERTIFICATE,
        OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE,
        OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE,
        OTEL_EXPORTER_OTLP_CLIENT_KEY,
    ] {
        let error = config(&[(variable, path(&not_pem))]).unwrap_err();
        let problem = error
            .problems()
            .iter()
            .find(|p| p.setting() == variable)
            .unwrap_or_else(|| panic!("{variable}: {error}"));
        assert!(matches!(problem, ConfigProblem::NotPem { .. }), "{error}");
        assert!(error.to_string().contains("PEM"), "{error}");
    }
    // A key where a certificate belongs is not a certificate.
    let error = config(&[(OTEL_EXPORTER_OTLP_CERTIFICATE, path(&key_pem))]).unwrap_err();
    assert_eq!(named(&error), [OTEL_EXPORTER_OTLP_CERTIFICATE], "{error}");
    let builder = Config::builder()
        .ca_certificate(&not_pem)
        .build()
        .unwrap_err();
    assert_eq!(named(&builder), ["ConfigBuilder::ca_certificate"]);
}

#[test]
fn durations_out_of_their_documented_range_are_named() {
    let error = Config::builder()
        .timeout(Duration::from_secs(u64::MAX))
        .interval(Duration::from_millis(1))
        .export_timeout(Duration::from_secs(7200))
        .build()
        .unwrap_err();
    assert_eq!(
        named(&error),
        [
            "ConfigBuilder::timeout",
            "ConfigBuilder::interval",
            "ConfigBuilder::export_timeout"
        ],
        "{error}"
    );
    let ok = Config::builder()
        .timeout(*TIMEOUT_RANGE.end())
        .interval(*INTERVAL_RANGE.start())
        .build();
    assert!(ok.is_ok(), "the ends of the ranges are accepted");
}

#[test]
fn endpoint_credentials_never_reach_messages_or_debug() {
    let bad = [
        "ftp://user:pw-SECRET@x",
        "http://user:pw-SECRET@",
        "collector:4317?api_key=q-SECRET",
        "http://h:99999/?token=q-SECRET",
    ];
    for raw in bad {
        let error = config(&[(OTEL_EXPORTER_OTLP_ENDPOINT, raw.into())]).unwrap_err();
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("SECRET"), "{raw}: {shown}");
        assert!(shown.contains("<redacted>"), "{raw}: {shown}");
    }
    let good = "https://user:pw-SECRET@h:4318/v1/metrics?api_key=q-SECRET";
    let config = config(&[(OTEL_EXPORTER_OTLP_METRICS_ENDPOINT, good.into())]).unwrap();
    assert_eq!(config.endpoint(), good, "the wire still gets the real URL");
    let debug = format!("{config:?}");
    assert!(!debug.contains("SECRET"), "{debug}");
    assert_eq!(
        config.redacted_endpoint(),
        "https://<redacted>@h:4318/v1/metrics?<redacted>"
    );
    assert_eq!(redact_endpoint(good), config.redacted_endpoint());
}
