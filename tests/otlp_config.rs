#![cfg(feature = "otlp")]
//! `otlp::config`: precedence, defaults, endpoint path rules, percent-decoding, the service
//! name, `OTEL_SDK_DISABLED` and TLS. Every test reads a map through `Config::from_lookup`;
//! none touches the process environment (the errors are in otlp_config_errors.rs, the builder
//! in otlp_config_builder.rs).

mod support;

use std::time::Duration;

use support::config_env::*;
use support::pem::cert_dir;
use walrec::otlp::config::env::*;
use walrec::otlp::config::{Compression, Config, Protocol, Source, Temporality};

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
