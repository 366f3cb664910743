//! What the pipeline tests assert through the real backends' APIs, shared by the single-host,
//! two-tier and fault runs.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::deploy;
use super::pipeline::{Jaeger, Prometheus, value_of};
use super::stack::{ARRIVAL_BOUND, dump_field, dump_ns};

/// How long rule evaluation may take to catch up (two of prometheus.yml's 15 s intervals, and margin).
pub const RULES_BOUND: Duration = Duration::from_secs(60);

/// Every span name of README's trace table, with its parent's name.
pub const SPAN_TREE: &[(&str, &str)] = &[
    ("wal.scan", "wal.recovery"),
    ("wal.segment.read_header", "wal.scan"),
    ("wal.resume", "wal.recovery"),
    ("wal.segment.locate", "wal.resume"),
    ("wal.segment.open", "wal.resume"),
    ("wal.segment.verify", "wal.resume"),
    ("wal.seek", "wal.resume"),
    ("wal.replay", "wal.recovery"),
    ("wal.segment.replay", "wal.replay"),
    ("wal.segment.preload", "wal.replay"),
];

/// Waits until Prometheus' native histogram of `job` counts `samples` samples, then checks
/// the counter says the same.
pub fn wait_for_count(prometheus: &Prometheus, job: &str, samples: u64) {
    let histogram = format!("walrec_next_event_histogram_nanoseconds{{job=\"{job}\"}}");
    let count = format!("histogram_count({histogram})");
    let started = Instant::now();
    let mut last = None;
    while started.elapsed() < ARRIVAL_BOUND {
        let series = prometheus.query(&count);
        last = series.first().map(|s| value_of(&s["value"]));
        if last == Some(samples as f64) {
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    assert_eq!(
        last,
        Some(samples as f64),
        "{count} against the dump's samples"
    );
    let counter = format!("walrec_next_event_samples_total{{job=\"{job}\"}}");
    assert_eq!(
        prometheus.query_value(&counter),
        samples as f64,
        "{counter}"
    );
}

/// Prometheus holds at least `exports` samples of `job`'s run: it spanned that many exports.
pub fn spanned_exports(prometheus: &Prometheus, job: &str, exports: usize) {
    let counter = format!("walrec_next_event_samples_total{{job=\"{job}\"}}");
    let held = prometheus.query_value(&format!("count_over_time({counter}[1h])"));
    assert!(
        held >= exports as f64,
        "the run spanned {held} exports, not {exports}"
    );
}

/// Every series name of the naming table and of the agent's own telemetry is in Prometheus
/// for `job`, and Prometheus has no walrec name the table does not know.
pub fn every_exported_metric_is_in_prometheus(prometheus: &Prometheus, job: &str) {
    let mut expected: BTreeSet<String> =
        walrec::telemetry::MetricKey::all(walrec::otlp::METRIC_PREFIX)
            .map(|key| key.to_string())
            .collect();
    expected.extend(super::agent_names::agent_self_telemetry_names());
    let selector = super::backends::url_encode(&format!("{{job=\"{job}\"}}"));
    let present: BTreeSet<String> = prometheus
        .api(&format!("label/__name__/values?match[]={selector}"))
        .as_array()
        .expect("a list of names")
        .iter()
        .filter_map(|name| name.as_str().map(str::to_owned))
        .collect();
    // min, max and avg have no value before a first sample: walrec leaves them out then.
    let without_samples = |name: &str| {
        let stem = ["_min_seconds", "_max_seconds", "_avg_seconds"]
            .iter()
            .find_map(|stat| name.strip_suffix(stat));
        stem.is_some_and(|stem| {
            let samples = format!("{stem}_samples_total{{job=\"{job}\"}}");
            prometheus.query_value(&samples) == 0.0
        })
    };
    let missing: Vec<&String> = expected
        .difference(&present)
        .filter(|name| !without_samples(name))
        .collect();
    assert!(
        missing.is_empty(),
        "not in Prometheus: {missing:?}\nthere: {present:?}"
    );
    let unknown: Vec<&String> = present
        .difference(&expected)
        .filter(|name| *name != "target_info")
        .collect();
    assert!(
        unknown.is_empty(),
        "in Prometheus, unknown to walrec's table: {unknown:?}"
    );
}

/// `histogram_quantile` at 0.5, 0.99 and 0.999 equals the dump's p50, p99 and p99.9 within one
/// of the exported histogram's buckets (plus the dump's printed rounding).
pub fn histogram_quantiles_match_the_dump(prometheus: &Prometheus, job: &str, dump: &str) {
    let histogram = format!("walrec_next_event_histogram_nanoseconds{{job=\"{job}\"}}");
    let ratio = widest_bucket_ratio(prometheus, &histogram);
    for (name, q) in [("p50", 0.5), ("p99", 0.99), ("p99.9", 0.999)] {
        let printed = dump_field(dump, "->", name)
            .unwrap_or_else(|| panic!("no {name} in the dump:\n{dump}"));
        let (expected, rounding) = dump_ns(printed);
        let got = prometheus.query_value(&format!("histogram_quantile({q}, {histogram})"));
        let bound = expected * (ratio - 1.0) + rounding;
        assert!(
            (got - expected).abs() <= bound,
            "{name}: Prometheus {got} ns, dump {printed} ({expected} ns), bound {bound}"
        );
    }
}

/// The largest upper/lower ratio of the native histogram's populated buckets.
fn widest_bucket_ratio(prometheus: &Prometheus, histogram: &str) -> f64 {
    let series = prometheus.query(histogram);
    assert_eq!(series.len(), 1, "{histogram}: {series:?}");
    let buckets = series[0]["histogram"][1]["buckets"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("{histogram} is not a native histogram: {}", series[0]));
    let bound = |b: &Value, i: usize| b[i].as_str().and_then(|v| v.parse::<f64>().ok());
    buckets
        .iter()
        .filter_map(|b| Some(bound(b, 2)? / bound(b, 1)?))
        .filter(|r| r.is_finite())
        .fold(1.0, f64::max)
}

/// `expr` from a dashboard with Grafana's variables set to `job`'s run.
pub fn for_job(expr: &str, job: &str) -> String {
    deploy::without_grafana_variables(expr)
        .replace("$job", job)
        .replace("$instance", ".+")
}

/// Every dashboard query (panels and variables) and every recording rule's expression returns
/// data for `job`'s run, read from the files; and the recorded series exist.
pub fn every_dashboard_and_recording_rule_query_has_data(prometheus: &Prometheus, job: &str) {
    let mut empty = Vec::new();
    for (place, expr) in deploy::dashboard_queries() {
        let expr = for_job(&expr, job);
        if prometheus.query(&expr).is_empty() {
            empty.push(format!("{place}: {expr}"));
        }
    }
    let records: Vec<(String, String)> = deploy::rules()
        .into_iter()
        .filter_map(|(record, _, expr)| Some((record?, expr)))
        .collect();
    for (record, expr) in &records {
        if prometheus.query(expr).is_empty() {
            empty.push(format!("recording rule {record}: {expr}"));
        }
    }
    assert!(
        empty.is_empty(),
        "queries without data:\n{}",
        empty.join("\n")
    );
    for (record, _) in &records {
        prometheus.wait_for(&format!("{record}{{job=\"{job}\"}}"), RULES_BOUND);
    }
}

/// The alerts Prometheus has now: `(name, state)`.
pub fn alerts(prometheus: &Prometheus) -> Vec<(String, String)> {
    prometheus.api("alerts")["alerts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            let name = a["labels"]["alertname"].as_str().unwrap_or_default();
            (
                name.to_owned(),
                a["state"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// Waits (at most [`RULES_BOUND`]) until Prometheus lists alert `name` in one of `states`.
pub fn wait_for_alert(prometheus: &Prometheus, name: &str, states: &[&str]) {
    let started = Instant::now();
    loop {
        let alerts = alerts(prometheus);
        if alerts
            .iter()
            .any(|(n, s)| n == name && states.contains(&s.as_str()))
        {
            return;
        }
        assert!(
            started.elapsed() < RULES_BOUND,
            "{name} not {states:?} within {RULES_BOUND:?}: {alerts:?}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Both rule files are loaded, have been evaluated, and no alert is pending or firing.
pub fn no_alert_is_active(prometheus: &Prometheus) {
    let groups = prometheus.api("rules")["groups"].clone();
    let files: BTreeSet<&str> = groups
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| g["file"].as_str())
        .collect();
    for file in deploy::RULE_FILES {
        assert!(
            files.iter().any(|f| f.ends_with(file)),
            "{file} not loaded: {files:?}"
        );
    }
    assert_eq!(
        alerts(prometheus),
        Vec::new(),
        "a clean run leaves every alert inactive"
    );
}

/// Waits until Jaeger has `service`'s recovery with `segments` `wal.segment.replay` spans;
/// its spans.
pub fn wait_for_spans(jaeger: &Jaeger, service: &str, segments: usize) -> Vec<Value> {
    let started = Instant::now();
    loop {
        let spans = jaeger.service_spans(service);
        let replays = spans
            .iter()
            .filter(|s| s["name"] == "wal.segment.replay")
            .count();
        let root = spans.iter().any(|s| s["name"] == "wal.recovery");
        if root && replays == segments {
            return spans;
        }
        assert!(
            started.elapsed() < ARRIVAL_BOUND,
            "Jaeger has {replays} of {segments} segment spans (root: {root})"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// Every span is in `root`'s trace, has its parent there with the name README's table gives,
/// and the documented attributes of a segment's replay.
pub fn assert_tree(spans: &[Value], root: &Value) {
    let trace = hex_id(&root["traceId"]);
    let by_id: HashMap<String, &Value> = spans.iter().map(|s| (hex_id(&s["spanId"]), s)).collect();
    let parents: HashMap<&str, &str> = SPAN_TREE.iter().copied().collect();
    for span in spans.iter().filter(|s| s["name"] != "wal.recovery") {
        assert_eq!(hex_id(&span["traceId"]), trace, "{span}");
        let name = span["name"].as_str().unwrap_or_default();
        let parent = by_id
            .get(&hex_id(&span["parentSpanId"]))
            .unwrap_or_else(|| panic!("the parent of {name} is not in the trace"));
        assert_eq!(
            parent["name"].as_str(),
            parents.get(name).copied(),
            "{name}'s parent"
        );
    }
    for span in spans.iter().filter(|s| s["name"] == "wal.segment.replay") {
        for key in [
            "wal.segment.index",
            "wal.event.first_id",
            "wal.event.last_id",
            "wal.event.count",
            "wal.segment.bytes",
        ] {
            assert!(attribute(span, key).is_some(), "{key} missing on {span}");
        }
    }
}

/// The value of attribute `key` of an OTLP-JSON span, as text.
pub fn attribute(span: &Value, key: &str) -> Option<String> {
    let attribute = span["attributes"]
        .as_array()?
        .iter()
        .find(|a| a["key"] == key)?;
    let value = attribute["value"].as_object()?.values().next()?;
    Some(
        value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned),
    )
}

/// A trace or span id as Jaeger's API writes it, in lower-case hex.
pub fn hex_id(id: &Value) -> String {
    id.as_str().unwrap_or_default().to_ascii_lowercase()
}

/// The exemplar label Grafana's Prometheus data source opens traces by (datasources.yaml).
pub fn grafana_exemplar_trace_label() -> String {
    let sources = deploy::yaml("grafana/provisioning/datasources/datasources.yaml");
    let prometheus = sources["datasources"]
        .as_vec()
        .into_iter()
        .flatten()
        .find(|s| s["type"].as_str() == Some("prometheus"))
        .expect("a Prometheus data source");
    prometheus["jsonData"]["exemplarTraceIdDestinations"][0]["name"]
        .as_str()
        .expect("exemplarTraceIdDestinations names the label")
        .to_owned()
}
