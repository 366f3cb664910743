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
use walrec::otlp::ManagerRef;
use walrec::otlp::{Config, METRIC_PREFIX, MetricsEncoder};
use walrec::telemetry::{
    IntegrityProblem, Manager, MetricKey, Phase, PrometheusText, Recovery, RecoverySnapshot,
};

/// A recovery with every series present (gauges appear only once there are samples).
fn busy_recovery() -> Arc<Recovery> {
    let recovery = Arc::new(Recovery::new());
    record_manager(&recovery.manager);
    let reader = &recovery.segment_reader;
    for op in [
        &reader.open_segment,
        &reader.close_segment,
        &reader.verify_segment,
    ] {
        op.record(0, 1_000, true);
    }
    reader.build_index.record(0, 300, false);
    reader.seek_event.record(0, 40);
    reader.count_problem(IntegrityProblem::BlockChecksum);
    let preloader = &recovery.preloader;
    preloader.preload_segment.record(0, 9_000, true);
    preloader.finish_segment.record(0, 90, true);
    preloader.stalled(0, 5_000);
    preloader.switch_segment.record(0, 5_200);
    preloader.set_ready_ahead(1);
    let progress = &recovery.progress;
    progress.scanned(3, Some(999));
    progress.replay_started(0);
    progress.replayed(64, 4_160, 63, 200_000_000);
    progress.segment_replayed();
    recovery
}

fn busy_manager() -> Arc<Manager> {
    let manager = Arc::new(Manager::new());
    record_manager(&manager);
    manager
}

fn record_manager(manager: &Manager) {
    let updater = manager.updater();
    updater.record_read_segment_header(0, 1_500, true);
    updater.record_read_segment_header(0, 700, false);
    updater.record_resume_from_event(0, 2_000_000, true);
    updater.record_seek_event(0, 300);
    for v in [0u64, 90, 1_000, 40_000] {
        updater.record_next_event(0, v);
    }
}

/// Prometheus' OTLP translation of a metric's name (support::deploy::prometheus_name, written
/// from Prometheus' translator rather than from walrec's code). Returns (name, Prometheus type).
fn translate(metric: &Metric) -> (String, &'static str) {
    let kind = match &metric.data {
        Some(Data::Sum(sum)) if sum.is_monotonic => "counter",
        Some(Data::Gauge(_)) => "gauge",
        Some(Data::ExponentialHistogram(_)) => "histogram",
        other => panic!("{}: unexpected data {other:?}", metric.name),
    };
    let name = support::deploy::prometheus_name(&metric.name, &metric.unit, kind);
    (name, kind)
}

fn otlp_families(source: ManagerRef) -> BTreeMap<String, &'static str> {
    let mut encoder = MetricsEncoder::new(&Config::builder().build().unwrap());
    encoder.add("naming", source);
    let request = ExportMetricsServiceRequest::decode(encoder.encode().as_slice()).unwrap();
    walrec_metrics(&request)
        .into_iter()
        .map(translate)
        .collect()
}

fn prometheus_text(snapshot: &RecoverySnapshot, whole_recovery: bool) -> String {
    let mut prom = PrometheusText::new(Vec::new());
    if whole_recovery {
        snapshot.collect(METRIC_PREFIX, &mut prom).unwrap();
    } else {
        snapshot.manager.collect(METRIC_PREFIX, &mut prom).unwrap();
    }
    String::from_utf8(prom.into_inner()).unwrap()
}

fn manager_text() -> String {
    let snapshot = RecoverySnapshot {
        manager: busy_manager().snapshot(),
        ..RecoverySnapshot::default()
    };
    prometheus_text(&snapshot, false)
}

fn recovery_text() -> String {
    prometheus_text(&busy_recovery().snapshot(), true)
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

fn assert_same_families(otlp: BTreeMap<String, &str>, text: &str) {
    let written = text_families(text);
    assert_eq!(
        written.keys().collect::<Vec<_>>(),
        otlp.keys().collect::<Vec<_>>()
    );
    for (name, kind) in &otlp {
        assert_eq!(written[name], *kind, "{name}");
    }
}

#[test]
fn prometheus_text_names_equal_the_translated_otlp_names() {
    assert_same_families(otlp_families(busy_manager().into()), &manager_text());
    assert_same_families(otlp_families(busy_recovery().into()), &recovery_text());
}

#[test]
fn the_phase_is_one_series_per_phase_with_the_current_one_at_1() {
    let text = recovery_text();
    for phase in Phase::ALL {
        let value = u8::from(phase == Phase::Replay);
        let line = format!(
            "walrec_recovery_phase{{wal_recovery_phase=\"{}\"}} {value}\n",
            phase.name()
        );
        assert!(text.contains(&line), "{line} missing from\n{text}");
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
    let names: Vec<String> = MetricKey::manager("walrec")
        .map(|k| k.to_string())
        .collect();
    assert_eq!(names.len(), text_families(&manager_text()).len());
    for key in MetricKey::manager("walrec") {
        let name = key.to_string();
        let stem = stems
            .iter()
            .find(|s| name.starts_with(&format!("walrec_{s}_")));
        assert!(stem.is_some(), "{name}");
        let otlp = format!("walrec.{}", key.metric.name());
        assert!(key.otlp_name().starts_with(&otlp), "{}", key.otlp_name());
    }
    // The other components' names carry their component after the prefix.
    let components = ["segment_reader_", "segment_preloader_", "recovery_"];
    let mut families: Vec<String> = MetricKey::all("walrec").map(|k| k.to_string()).collect();
    families.dedup();
    assert_eq!(families.len(), text_families(&recovery_text()).len());
    for name in families.iter().filter(|name| !names.contains(name)) {
        let rest = name.strip_prefix("walrec_").unwrap();
        assert!(components.iter().any(|c| rest.starts_with(c)), "{name}");
    }
}

#[test]
fn promtool_finds_nothing_but_the_histograms_own_name() {
    if !support::backends::available("promtool_finds_nothing_but_the_histograms_own_name") {
        return;
    }
    let findings = support::promtool::check_metrics(&recovery_text());
    // The spec's key `next_event_histogram` names a type, and the histogram keeps its exact
    // nanosecond buckets (see src/telemetry/names.rs). Nothing else (promtool 3 no longer
    // flags the type word in the saturation counter's name, as 2.42 did).
    let expected = [
        "walrec_next_event_histogram_nanoseconds metric name should not include type 'histogram'",
        "walrec_next_event_histogram_nanoseconds use base unit \"seconds\" instead of \"nanoseconds\"",
    ];
    assert_eq!(
        findings, expected,
        "promtool check metrics found:\n{findings:#?}"
    );
}

/// Prometheus appends the unit word only when no token of the name already is that word: the
/// real Prometheus 3 stores `walrec.recovery.bytes_replayed` (`By`) as
/// `walrec_recovery_bytes_replayed_total` (tests/pipeline_single_host.rs).
#[test]
fn a_unit_word_already_in_the_name_is_not_repeated() {
    let names: Vec<String> = walrec::telemetry::MetricKey::all("walrec")
        .map(|key| key.to_string())
        .collect();
    for expected in [
        "walrec_recovery_bytes_replayed_total",
        "walrec_recovery_bytes_discarded_total",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} not in {names:?}"
        );
    }
}
