#![cfg(feature = "otlp")]
//! `otlp::config`: precedence, defaults, every malformed variable, secrecy of header values,
//! endpoint path rules, percent-decoding, `OTEL_SDK_DISABLED` and the builder. Every test
//! reads a map through `Config::from_lookup`; none touches the process environment.

mod support;

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use support::pem::cert_dir;
use walrec::otlp::config::env::*;
use walrec::otlp::config::{
    Compression, Config, ConfigBuilder, ConfigError, ConfigProblem, Protocol, Signal, Source,
    Temporality,
};

/// Variables, as `(name, value)`.
type Vars<'a> = Vec<(&'a str, &'a str)>;
/// Reads one setting of a configuration back as text.
type Reader = fn(&Config) -> String;

/// A fake environment.
fn env(pairs: &[(&str, &str)]) -> HashMap<String, OsString> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), OsString::from(v)))
        .collect()
}

fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let vars = env(pairs);
    Config::from_lookup(&|name| vars.get(name).cloned())
}

fn problems(pairs: &[(&str, &str)]) -> ConfigError {
    match config(pairs) {
        Ok(config) => panic!("{pairs:?} should be rejected, got {config:?}"),
        Err(error) => error,
    }
}

fn show(path: Option<&Path>) -> String {
    path.map_or("-".to_owned(), |p| {
        p.file_name().unwrap().to_string_lossy().into_owned()
    })
}

#[test]
fn defaults_follow_the_spec() {
    let c = config(&[]).unwrap();
    assert!(!c.disabled());
    assert_eq!(c.protocol(), Protocol::Grpc);
    assert_eq!(c.endpoint(), "http://localhost:4317/");
    assert_eq!(c.timeout(), Duration::from_secs(10));
    assert_eq!(c.export_interval(), Duration::from_secs(60));
    assert_eq!(c.export_timeout(), Duration::from_secs(30));
    assert_eq!(c.temporality(), Temporality::Cumulative);
    assert_eq!(c.compression(), Compression::None);
    assert_eq!(c.max_histogram_buckets(), 160);
    assert!(c.headers().is_empty());
    assert!(c.resource_attributes().is_empty());
    assert!(!c.tls().insecure() && !c.tls().has_files() && !c.uses_tls());
    assert!(
        c.service_name().starts_with("unknown_service:"),
        "{}",
        c.service_name()
    );
    assert_eq!(c, Config::default());

    let http = config(&[(OTEL_EXPORTER_OTLP_PROTOCOL, "http/protobuf")]).unwrap();
    assert_eq!(http.endpoint(), "http://localhost:4318/v1/metrics");
}

/// One signal-specific/generic pair: the two values, how to read the setting back, and what
/// it reads with each value and with neither.
struct Pair {
    specific: &'static str,
    generic: &'static str,
    values: [String; 2],
    read: Reader,
    reads: [&'static str; 2],
    default: &'static str,
}

fn headers_of(c: &Config) -> String {
    let all: Vec<_> = c
        .headers()
        .iter()
        .map(|(name, value)| format!("{name}={}", value.expose()))
        .collect();
    all.join(",")
}

#[test]
fn signal_specific_beats_generic_beats_default() {
    let (_dir, file) = cert_dir();
    let pair = |specific, generic, values: [&str; 2], read, reads, default| Pair {
        specific,
        generic,
        values: values.map(str::to_owned),
        read,
        reads,
        default,
    };
    let (ca, ca2) = (file("ca"), file("ca2"));
    let table = [
        pair(
            OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
            OTEL_EXPORTER_OTLP_ENDPOINT,
            ["http://specific:4317", "https://generic:4317"],
            |c| c.endpoint().to_owned(),
            ["http://specific:4317/", "https://generic:4317/"],
            "http://localhost:4317/",
        ),
        pair(
            OTEL_EXPORTER_OTLP_METRICS_HEADERS,
            OTEL_EXPORTER_OTLP_HEADERS,
            ["k=specific", "k=generic,only-generic=1"],
            headers_of,
            ["k=specific", "k=generic,only-generic=1"],
            "",
        ),
        pair(
            OTEL_EXPORTER_OTLP_METRICS_TIMEOUT,
            OTEL_EXPORTER_OTLP_TIMEOUT,
            ["1500", "2500"],
            |c| format!("{:?}", c.timeout()),
            ["1.5s", "2.5s"],
            "10s",
        ),
        pair(
            OTEL_EXPORTER_OTLP_METRICS_COMPRESSION,
            OTEL_EXPORTER_OTLP_COMPRESSION,
            ["none", "GZIP"],
            |c| c.compression().to_string(),
            ["none", "gzip"],
            "none",
        ),
        pair(
            OTEL_EXPORTER_OTLP_METRICS_PROTOCOL,
            OTEL_EXPORTER_OTLP_PROTOCOL,
            ["grpc", "HTTP/protobuf"],
            |c| c.protocol().to_string(),
            ["grpc", "http/protobuf"],
            "grpc",
        ),
        pair(
            OTEL_EXPORTER_OTLP_METRICS_INSECURE,
            OTEL_EXPORTER_OTLP_INSECURE,
            ["false", "True"],
            |c| c.tls().insecure().to_string(),
            ["false", "true"],
            "false",
        ),
        pair(
            OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE,
            OTEL_EXPORTER_OTLP_CERTIFICATE,
            [ca.as_str(), ca2.as_str()],
            |c| show(c.tls().ca_certificate()),
            ["ca.pem", "ca2.pem"],
            "-",
        ),
    ];
    for p in &table {
        let s = (p.specific, p.values[0].as_str());
        let g = (p.generic, p.values[1].as_str());
        let rows: [(Vars, &str, &str); 5] = [
            (vec![], p.default, "neither: the default"),
            (vec![s], p.reads[0], "specific alone"),
            (vec![g], p.reads[1], "generic alone"),
            (vec![s, g], p.reads[0], "specific beats generic"),
            (
                vec![(p.specific, " "), g],
                p.reads[1],
                "a blank value counts as unset",
            ),
        ];
        for (vars, expected, case) in rows {
            let got = (p.read)(&config(&vars).unwrap());
            assert_eq!(got, expected, "{} / {}: {case}", p.specific, p.generic);
        }
    }
}

#[test]
fn client_key_and_certificate_follow_the_same_precedence_as_a_pair() {
    let (_dir, file) = cert_dir();
    let (key, key2, cert, cert2) = (file("key"), file("key2"), file("cert"), file("cert2"));
    let specific = [
        (OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY, key.as_str()),
        (OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE, cert.as_str()),
    ];
    let generic = [
        (OTEL_EXPORTER_OTLP_CLIENT_KEY, key2.as_str()),
        (OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE, cert2.as_str()),
    ];
    let both: Vec<_> = specific.iter().chain(&generic).copied().collect();
    let mixed = [specific[0], generic[1]];
    let rows: [(&[(&str, &str)], &str); 5] = [
        (&[], "- -"),
        (&specific, "key.pem cert.pem"),
        (&generic, "key2.pem cert2.pem"),
        (&both, "key.pem cert.pem"),
        (&mixed, "key.pem cert2.pem"),
    ];
    for (vars, expected) in rows {
        let c = config(vars).unwrap();
        let got = format!(
            "{} {}",
            show(c.tls().client_key()),
            show(c.tls().client_certificate())
        );
        assert_eq!(got, expected, "{vars:?}");
        assert_eq!(
            c.uses_tls(),
            !vars.is_empty(),
            "certificates ask for TLS: {vars:?}"
        );
    }
}

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

#[test]
fn http_protobuf_appends_the_metrics_path_to_the_generic_endpoint_only() {
    let http = (OTEL_EXPORTER_OTLP_PROTOCOL, "http/protobuf");
    let table: &[(&str, &str, &str)] = &[
        (
            OTEL_EXPORTER_OTLP_ENDPOINT,
            "http://c:4318",
            "http://c:4318/v1/metrics",
        ),
        (
            OTEL_EXPORTER_OTLP_ENDPOINT,
            "http://c:4318/",
            "http://c:4318/v1/metrics",
        ),
        (
            OTEL_EXPORTER_OTLP_ENDPOINT,
            "https://c/otlp",
            "https://c/otlp/v1/metrics",
        ),
        (
            OTEL_EXPORTER_OTLP_ENDPOINT,
            "https://c/otlp/",
            "https://c/otlp/v1/metrics",
        ),
        (
            OTEL_EXPORTER_OTLP_ENDPOINT,
            " http://c:4318 ",
            "http://c:4318/v1/metrics",
        ),
        (
            OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
            "http://c:4318/v1/metrics",
            "http://c:4318/v1/metrics",
        ),
        (
            OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
            "http://c:4318/custom",
            "http://c:4318/custom",
        ),
        (
            OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
            "http://c:4318",
            "http://c:4318/",
        ),
    ];
    for &(variable, value, expected) in table {
        let c = config(&[http, (variable, value)]).unwrap();
        assert_eq!(c.endpoint(), expected, "{variable}={value:?}");
    }
    // gRPC uses both as is.
    for variable in [
        OTEL_EXPORTER_OTLP_ENDPOINT,
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
    ] {
        let c = config(&[(variable, "https://c:4317/prefix")]).unwrap();
        assert_eq!(c.endpoint(), "https://c:4317/prefix");
        assert!(c.uses_tls(), "https means TLS");
    }
    // The metrics-specific protocol decides which rule applies.
    let c = config(&[
        (OTEL_EXPORTER_OTLP_METRICS_PROTOCOL, "http/protobuf"),
        (OTEL_EXPORTER_OTLP_PROTOCOL, "grpc"),
        (OTEL_EXPORTER_OTLP_ENDPOINT, "http://c:4318"),
    ])
    .unwrap();
    assert_eq!(c.endpoint(), "http://c:4318/v1/metrics");
}

#[test]
fn resource_attributes_and_headers_are_percent_decoded() {
    let c = config(&[
        (
            OTEL_RESOURCE_ATTRIBUTES,
            "deployment.environment=prod, team = a%2Cb ,note=x%3Dy%20%C3%A9,,empty=,team=c%2Cd",
        ),
        (
            OTEL_EXPORTER_OTLP_HEADERS,
            "Authorization=Basic%20dXNlcjpwYXNz,x-list=a%2Cb",
        ),
    ])
    .unwrap();
    let attributes: Vec<(&str, &str)> = c
        .resource_attributes()
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        attributes,
        [
            ("deployment.environment", "prod"),
            ("team", "c,d"),
            ("note", "x=y é"),
            ("empty", "")
        ]
    );
    assert_eq!(
        headers_of(&c),
        "authorization=Basic dXNlcjpwYXNz,x-list=a,b"
    );
}

#[test]
fn service_name_comes_from_otel_service_name_then_resource_attributes() {
    let attrs = (
        OTEL_RESOURCE_ATTRIBUTES,
        "service.name=from-attributes,team=x",
    );
    let name = (OTEL_SERVICE_NAME, " from-variable ");
    assert_eq!(
        config(&[attrs, name]).unwrap().service_name(),
        "from-variable"
    );
    assert_eq!(config(&[attrs]).unwrap().service_name(), "from-attributes");
    let fallback = config(&[]).unwrap();
    assert!(fallback.service_name().starts_with("unknown_service:"));
    let (settings, _) = walrec::otlp::config::explain(&|_| None);
    let name = settings
        .iter()
        .find(|s| s.variable == OTEL_SERVICE_NAME)
        .unwrap();
    assert_eq!(
        (name.value.as_str(), &name.source),
        ("(unset)", &Source::Default)
    );
}

#[test]
fn sdk_disabled_turns_everything_off_and_ignores_other_problems() {
    for value in ["true", "TRUE", " True "] {
        let c = config(&[
            (OTEL_SDK_DISABLED, value),
            (OTEL_EXPORTER_OTLP_ENDPOINT, "not a url"),
            (OTEL_EXPORTER_OTLP_HEADERS, "broken"),
        ])
        .unwrap();
        assert!(c.disabled(), "{value:?}");
    }
    for value in ["false", "FALSE", ""] {
        assert!(
            !config(&[(OTEL_SDK_DISABLED, value)]).unwrap().disabled(),
            "{value:?}"
        );
    }
    assert!(
        Config::builder()
            .disabled(true)
            .endpoint("bad")
            .build()
            .unwrap()
            .disabled()
    );
}

#[test]
fn the_other_settings_parse_their_documented_forms() {
    let table: &[(&str, &str, Reader, &str)] = &[
        (
            OTEL_METRIC_EXPORT_INTERVAL,
            "5000",
            |c| format!("{:?}", c.export_interval()),
            "5s",
        ),
        (
            OTEL_METRIC_EXPORT_TIMEOUT,
            " 250 ",
            |c| format!("{:?}", c.export_timeout()),
            "250ms",
        ),
        (
            OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE,
            "DELTA",
            |c| c.temporality().to_string(),
            "delta",
        ),
        (
            OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE,
            "LowMemory",
            |c| c.temporality().to_string(),
            "lowmemory",
        ),
        (
            OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE,
            "cumulative",
            |c| c.temporality().to_string(),
            "cumulative",
        ),
        (
            WALREC_OTLP_HISTOGRAM_MAX_SIZE,
            "2",
            |c| c.max_histogram_buckets().to_string(),
            "2",
        ),
        (
            WALREC_OTLP_HISTOGRAM_MAX_SIZE,
            "4096",
            |c| c.max_histogram_buckets().to_string(),
            "4096",
        ),
        (
            OTEL_SERVICE_NAME,
            "svc",
            |c| c.service_name().to_owned(),
            "svc",
        ),
    ];
    for &(variable, value, read, expected) in table {
        assert_eq!(
            read(&config(&[(variable, value)]).unwrap()),
            expected,
            "{variable}={value:?}"
        );
    }
}

#[test]
fn a_lone_client_key_or_certificate_is_an_error() {
    let (_dir, file) = cert_dir();
    let key = file("key");
    let cert = file("cert");
    let error = problems(&[(OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY, &key)]);
    assert_eq!(
        error.problems()[0].setting(),
        OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY
    );
    assert!(error.to_string().contains("client certificate"), "{error}");
    let error = problems(&[(OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE, &cert)]);
    assert_eq!(
        error.problems()[0].setting(),
        OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE
    );
    assert!(error.to_string().contains("client key"), "{error}");
}

#[test]
fn tls_follows_the_scheme_then_certificates_then_insecure() {
    let (_dir, file) = cert_dir();
    let ca = file("ca");
    let rows: &[(&[(&str, &str)], bool)] = &[
        (&[(OTEL_EXPORTER_OTLP_ENDPOINT, "http://c:4317")], false),
        (&[(OTEL_EXPORTER_OTLP_ENDPOINT, "https://c:4317")], true),
        (
            &[
                (OTEL_EXPORTER_OTLP_ENDPOINT, "https://c"),
                (OTEL_EXPORTER_OTLP_INSECURE, "true"),
            ],
            true,
        ),
        (&[(OTEL_EXPORTER_OTLP_CERTIFICATE, &ca)], true),
        (
            &[
                (OTEL_EXPORTER_OTLP_CERTIFICATE, &ca),
                (OTEL_EXPORTER_OTLP_INSECURE, "true"),
            ],
            false,
        ),
    ];
    for &(vars, tls) in rows {
        assert_eq!(config(vars).unwrap().uses_tls(), tls, "{vars:?}");
    }
}

#[test]
fn the_builder_overrides_the_environment() {
    let (_dir, file) = cert_dir();
    let vars = env(&[
        (OTEL_EXPORTER_OTLP_PROTOCOL, "grpc"),
        (OTEL_EXPORTER_OTLP_ENDPOINT, "http://from-env:4317"),
        (OTEL_EXPORTER_OTLP_HEADERS, "x-env=1,x-both=env"),
        (OTEL_EXPORTER_OTLP_TIMEOUT, "not a number"), // overridden below, so not an error
        (OTEL_METRIC_EXPORT_INTERVAL, "1000"),
        (OTEL_RESOURCE_ATTRIBUTES, "team=env,region=eu"),
        (OTEL_SERVICE_NAME, "env-service"),
    ]);
    let lookup = |name: &str| vars.get(name).cloned();
    let c = ConfigBuilder::from_lookup(&lookup)
        .protocol(Protocol::HttpProtobuf)
        .endpoint("https://from-code/v1/metrics")
        .timeout(Duration::from_millis(1234))
        .header("X-Both", "code")
        .header("x-code", "2")
        .temporality(Temporality::Delta)
        .compression(Compression::Gzip)
        .max_histogram_buckets(20)
        .service_name("code-service")
        .resource_attribute("team", "code")
        .export_timeout(Duration::from_secs(3))
        .ca_certificate(file("ca"))
        .client_key(file("key"))
        .client_certificate(file("cert"))
        .insecure(true)
        .build()
        .unwrap();
    assert_eq!(c.protocol(), Protocol::HttpProtobuf);
    assert_eq!(c.endpoint(), "https://from-code/v1/metrics", "used as is");
    assert_eq!(c.timeout(), Duration::from_millis(1234));
    assert_eq!(
        c.export_interval(),
        Duration::from_secs(1),
        "not overridden: from the env"
    );
    assert_eq!(c.export_timeout(), Duration::from_secs(3));
    assert_eq!(headers_of(&c), "x-env=1,x-both=code,x-code=2");
    assert_eq!(c.temporality(), Temporality::Delta);
    assert_eq!(c.compression(), Compression::Gzip);
    assert_eq!(c.max_histogram_buckets(), 20);
    assert_eq!(c.service_name(), "code-service");
    let team = c.resource_attributes().iter().find(|(k, _)| k == "team");
    assert_eq!(team.map(|(_, v)| v.as_str()), Some("code"));
    assert_eq!(c.resource_attributes().len(), 2);
    assert!(c.tls().insecure() && c.tls().client_key().is_some());

    // Without from_env/from_lookup the builder starts from the defaults, and with an
    // endpoint override the protocol's default endpoint does not apply.
    let defaults = Config::builder()
        .protocol(Protocol::HttpProtobuf)
        .build()
        .unwrap();
    assert_eq!(defaults.endpoint(), "http://localhost:4318/v1/metrics");
    assert_eq!(defaults.timeout(), Duration::from_secs(10));
}

#[test]
fn builder_methods_validate_like_the_variables_and_report_with_the_environment() {
    let vars = env(&[(OTEL_EXPORTER_OTLP_COMPRESSION, "lz4")]);
    let lookup = |name: &str| vars.get(name).cloned();
    let error = ConfigBuilder::from_lookup(&lookup)
        .endpoint("localhost:4317")
        .interval(Duration::ZERO)
        .timeout(Duration::ZERO)
        .export_timeout(Duration::ZERO)
        .max_histogram_buckets(1)
        .header("bad name", "v")
        .service_name("  ")
        .resource_attribute("", "v")
        .ca_certificate(PathBuf::from("/no/such/ca.pem"))
        .client_key("/no/such/key.pem")
        .build()
        .unwrap_err();
    let mut named: Vec<&str> = error
        .problems()
        .iter()
        .map(ConfigProblem::setting)
        .collect();
    named.sort();
    assert_eq!(
        named,
        [
            "ConfigBuilder::ca_certificate",
            "ConfigBuilder::client_key",
            "ConfigBuilder::endpoint",
            "ConfigBuilder::export_timeout",
            "ConfigBuilder::header",
            "ConfigBuilder::interval",
            "ConfigBuilder::max_histogram_buckets",
            "ConfigBuilder::resource_attribute",
            "ConfigBuilder::service_name",
            "ConfigBuilder::timeout",
            OTEL_EXPORTER_OTLP_COMPRESSION,
        ],
        "{error}"
    );
}

#[test]
fn resolution_is_pure_over_a_lookup_and_says_where_each_value_came_from() {
    let vars = env(&[
        (OTEL_EXPORTER_OTLP_METRICS_TIMEOUT, "100"),
        (OTEL_EXPORTER_OTLP_ENDPOINT, "http://c:4318"),
    ]);
    let lookup = |name: &str| vars.get(name).cloned();
    let c = Config::from_lookup(&lookup).unwrap();
    assert_eq!(c.timeout(), Duration::from_millis(100));
    assert_eq!(c.protocol(), Protocol::Grpc);
    assert_eq!(c.export_interval(), Duration::from_secs(60));
    assert_eq!(c.export_timeout(), Duration::from_secs(30));
    assert_eq!(c.max_histogram_buckets(), 160);
    assert!(!c.disabled() && c.tls() == &Default::default());
    let http = ConfigBuilder::from_lookup(&lookup)
        .protocol(Protocol::HttpProtobuf)
        .build()
        .unwrap();
    assert_eq!(http.endpoint(), "http://c:4318/v1/metrics");
    let (settings, problems) = walrec::otlp::config::explain(&lookup);
    assert!(problems.is_none());
    let shown = |signal: Signal, variable: &str| {
        let found = settings
            .iter()
            .find(|s| s.signal == signal && s.variable == variable);
        found.map(|s| (s.value.clone(), s.source.clone()))
    };
    let timeout = (OTEL_EXPORTER_OTLP_METRICS_TIMEOUT, Signal::Metrics);
    assert_eq!(
        shown(timeout.1, timeout.0),
        Some(("100 ms".into(), Source::Variable(timeout.0)))
    );
    // Traces read the generic timeout: the default, since only the metrics' one is set.
    assert_eq!(
        shown(Signal::Traces, OTEL_EXPORTER_OTLP_TRACES_TIMEOUT),
        Some(("10000 ms".into(), Source::Default))
    );
    assert_eq!(
        shown(Signal::Traces, OTEL_EXPORTER_OTLP_ENDPOINT),
        Some((
            "http://c:4318/".into(),
            Source::Variable(OTEL_EXPORTER_OTLP_ENDPOINT)
        ))
    );
}
