#![cfg(feature = "otlp")]
//! `ConfigBuilder`: settings made in code beat the environment, are checked like the
//! variables, and `walrec config`'s sources say where each value came from.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use support::config_env::*;
use support::pem::cert_dir;
use walrec::otlp::config::env::*;
use walrec::otlp::config::{
    Compression, Config, ConfigBuilder, ConfigProblem, Protocol, Signal, Source, Temporality,
};

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
