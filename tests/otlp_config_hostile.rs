//! `otlp::config` against hostile values: non-UTF-8 variables (each one, and all at once),
//! certificate and key files that are not PEM, out-of-range durations, and endpoints whose
//! credentials must never reach a message or a `Debug` dump.
#![cfg(feature = "otlp")]

use std::collections::HashMap;
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::time::Duration;

use walrec::otlp::config::env::*;
use walrec::otlp::config::{
    Config, ConfigError, ConfigProblem, TraceSettings, explain, redact_endpoint, variables,
};

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

/// The settings every resolution (the metrics' and the traces' `Config`, the trace
/// pipeline's settings) names in its problems, each once.
fn named_by_all(vars: &[(&str, OsString)]) -> Vec<&'static str> {
    let map: HashMap<String, OsString> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    let lookup = |name: &str| map.get(name).cloned();
    let mut seen: Vec<&'static str> = Vec::new();
    let errors = [
        Config::from_lookup(&lookup).err(),
        Config::traces_from_lookup(&lookup).err(),
        TraceSettings::from_lookup(&lookup).err(),
    ];
    for setting in errors.iter().flatten().flat_map(named) {
        if !seen.contains(&setting) {
            seen.push(setting);
        }
    }
    seen.sort();
    seen
}

/// The sampler whose argument is read, unless the variable garbled is the sampler itself.
fn with_ratio_sampler(variable: &str) -> Vec<(&str, OsString)> {
    let mut vars = vec![(variable, garbled())];
    if variable != OTEL_TRACES_SAMPLER {
        vars.push((OTEL_TRACES_SAMPLER, "traceidratio".into()));
    }
    vars
}

#[test]
fn each_non_utf8_variable_is_an_error_naming_it() {
    // The table's list of every variable walrec reads: a new setting is covered by itself.
    for variable in variables() {
        assert_eq!(named_by_all(&with_ratio_sampler(variable)), [variable]);
        let vars: HashMap<String, OsString> = [(variable.to_owned(), garbled())].into();
        let lookup = |name: &str| vars.get(name).cloned();
        let (_, problems) = explain(&lookup);
        let message = problems.map(|e| e.to_string()).unwrap_or_default();
        assert!(
            message.contains(&format!("{variable} is set but is not valid UTF-8")),
            "{message}"
        );
    }
}

#[test]
fn all_non_utf8_variables_are_reported_together() {
    // OTEL_CONFIG_FILE is the switch: once set (even broken) no other variable is read.
    let skipped = |name: &str| name == OTEL_TRACES_SAMPLER || name == OTEL_CONFIG_FILE;
    let all = variables();
    let mut vars: Vec<(&str, OsString)> = all.iter().map(|v| (*v, garbled())).collect();
    vars.retain(|(name, _)| !skipped(name));
    vars.push((OTEL_TRACES_SAMPLER, "traceidratio".into()));
    let mut expected: Vec<&str> = all.into_iter().filter(|v| !skipped(v)).collect();
    expected.sort();
    assert_eq!(named_by_all(&vars), expected);
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
