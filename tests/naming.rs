//! One naming scheme: `PrometheusText` writes exactly the names and types Prometheus makes of
//! walrec's OTLP export, and Prometheus' own `promtool` accepts them.
#![cfg(feature = "otlp")]

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::metrics::v1::{Metric, metric::Data};
use prost::Message as _;
use support::otlp_read::walrec_metrics;
use walrec::otlp::{Config, METRIC_PREFIX, MetricsEncoder};
use walrec::telemetry::{Manager, MetricKey, PrometheusText};

/// A manager with every statistic present (gauges appear only once there are samples).
fn busy_manager() -> Arc<Manager> {
    let manager = Arc::new(Manager::new());
    let updater = manager.updater();
    updater.record_read_segment_header(0, 1_500, true);
    updater.record_read_segment_header(0, 700, false);
    updater.record_resume_from_event(0, 2_000_000, true);
    updater.record_seek_event(0, 300);
    for v in [0u64, 90, 1_000, 40_000] {
        updater.record_next_event(0, v);
    }
    drop(updater);
    manager
}

/// Prometheus' OTLP translation of a metric's name, written from its documentation rather
/// than from walrec's code: `.` becomes `_`, the unit is appended as a word (annotations in
/// braces add nothing) and a monotonic Sum gets `_total`. Returns (name, Prometheus type).
fn translate(metric: &Metric) -> (String, &'static str) {
    let mut name = metric.name.replace('.', "_");
    let unit_word = match metric.unit.as_str() {
        "s" => Some("seconds"),
        "ns" => Some("nanoseconds"),
        unit if unit.starts_with('{') => None,
        other => panic!("no translation written for unit {other:?}"),
    };
    if let Some(word) = unit_word {
        name = format!("{name}_{word}");
    }
    let kind = match &metric.data {
        Some(Data::Sum(sum)) if sum.is_monotonic => {
            name.push_str("_total");
            "counter"
        }
        Some(Data::Gauge(_)) => "gauge",
        Some(Data::ExponentialHistogram(_)) => "histogram",
        other => panic!("{}: unexpected data {other:?}", metric.name),
    };
    (name, kind)
}

fn otlp_families() -> BTreeMap<String, &'static str> {
    let mut encoder = MetricsEncoder::new(&Config::builder().build().unwrap());
    encoder.add("naming", busy_manager());
    let request = ExportMetricsServiceRequest::decode(encoder.encode().as_slice()).unwrap();
    walrec_metrics(&request)
        .into_iter()
        .map(translate)
        .collect()
}

fn prometheus_text() -> String {
    let mut prom = PrometheusText::new(Vec::new());
    busy_manager().collect(METRIC_PREFIX, &mut prom).unwrap();
    String::from_utf8(prom.into_inner()).unwrap()
}

/// `# TYPE name kind` lines, checking that every family also has its `# HELP`.
fn text_families(text: &str) -> BTreeMap<String, &str> {
    let families: BTreeMap<String, &str> = text
        .lines()
        .filter_map(|line| line.strip_prefix("# TYPE "))
        .map(|rest| {
            let (name, kind) = rest.split_once(' ').unwrap();
            (name.to_owned(), kind)
        })
        .collect();
    for name in families.keys() {
        assert!(
            text.contains(&format!("# HELP {name} ")),
            "no HELP for {name}"
        );
    }
    families
}

#[test]
fn prometheus_text_names_equal_the_translated_otlp_names() {
    let otlp = otlp_families();
    let text = prometheus_text();
    let written = text_families(&text);
    assert_eq!(
        written.keys().collect::<Vec<_>>(),
        otlp.keys().collect::<Vec<_>>()
    );
    for (name, kind) in &otlp {
        assert_eq!(written[name], *kind, "{name}");
    }
}

#[test]
fn every_name_starts_with_a_collect_key_of_the_specification() {
    let stems = [
        "read_segment_header",
        "resume_from_event",
        "seek_event",
        "next_event",
        "next_event_histogram",
    ];
    let names: Vec<String> = MetricKey::all("walrec").map(|k| k.to_string()).collect();
    assert_eq!(names.len(), text_families(&prometheus_text()).len());
    for key in MetricKey::all("walrec") {
        let name = key.to_string();
        assert!(
            stems
                .iter()
                .any(|stem| name.starts_with(&format!("walrec_{stem}_"))),
            "{name}"
        );
        assert!(
            key.otlp_name()
                .starts_with(&format!("walrec.{}", key.metric.name()))
        );
    }
}

#[test]
fn promtool_finds_nothing_but_the_histograms_own_name() {
    let findings = support::promtool::check_metrics(&prometheus_text());
    // The spec's key `next_event_histogram` names a type (flagged on the histogram and on its
    // saturation counter), and the histogram keeps its exact nanosecond buckets (see
    // `walrec::telemetry::names`). Nothing else.
    let expected = [
        "walrec_next_event_histogram_nanoseconds metric name should not include type 'histogram'",
        "walrec_next_event_histogram_nanoseconds use base unit \"seconds\" instead of \"nanoseconds\"",
        "walrec_next_event_histogram_saturated_total metric name should not include type 'histogram'",
    ];
    assert_eq!(
        findings, expected,
        "promtool check metrics found:\n{findings:#?}"
    );
}
