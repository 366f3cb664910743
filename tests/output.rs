//! `dump` against a golden text, and `collect` through the shipped collectors.

use std::collections::BTreeMap;

use walrec::telemetry::{
    Collector, CsvCollector, HistogramSnapshot, Kind, Manager, MetricKey, PrometheusText,
};

/// A manager with known, hand-checkable figures.
fn recorded_manager() -> Manager {
    let manager = Manager::new();
    let updater = manager.updater();
    updater.record_read_segment_header(0, 1_500, true);
    updater.record_read_segment_header(0, 2_500, true);
    updater.record_read_segment_header(0, 500, false);
    updater.record_resume_from_event(10, 2_000_010, true);
    updater.record_seek_event(100, 350);
    for i in 0..1000u64 {
        // 1000 events: 100, 101, …, 1099 ns, plus one clock anomaly recorded as 0.
        updater.record_next_event(i * 10_000, i * 10_000 + 100 + i);
    }
    updater.record_next_event(500, 400);
    drop(updater);
    manager
}

const GOLDEN: &str = "\
[golden Metrics] Snapshot:
-----------------------------------------------------------------
 Read segment header: samples=3 ok=2 fail=1 total=4.50µs min=500ns max=2.50µs avg=1.50µs rate=666.67k/s
 Resume from event  : samples=1 ok=1 fail=0 total=2.00ms min=2.00ms max=2.00ms avg=2.00ms rate=500.00/s
 Seek event         : samples=1 total=250ns min=250ns max=250ns avg=250ns rate=4.00M/s
 Next event         : samples=1001 total=599.50µs min=0ns max=1.10µs avg=599ns rate=1.67M/s clamped=1
 -> p50=599ns p90=997ns p99=1.09µs p99.9=1.10µs p99.99=1.10µs p99.999=1.10µs p99.9999=1.10µs
-----------------------------------------------------------------
";

#[test]
fn dump_matches_the_golden_layout() {
    let mut out = Vec::new();
    recorded_manager().dump("golden", &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text, GOLDEN, "\n--- got ---\n{text}");
}

#[test]
fn dump_of_an_empty_manager_says_samples_0() {
    let mut out = Vec::new();
    Manager::new().dump("empty", &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 8);
    assert_eq!(lines[0], "[empty Metrics] Snapshot:");
    assert_eq!(lines[1], "-".repeat(65));
    assert_eq!(lines[2], " Read segment header: samples=0");
    assert_eq!(lines[3], " Resume from event  : samples=0");
    assert_eq!(lines[4], " Seek event         : samples=0");
    assert_eq!(lines[5], " Next event         : samples=0");
    assert_eq!(lines[6], " -> samples=0");
    assert_eq!(lines[7], lines[1]);
}

/// Remembers every key and value it is given.
#[derive(Default)]
struct Recording {
    counters: BTreeMap<String, u64>,
    gauges: BTreeMap<String, f64>,
    histograms: BTreeMap<String, HistogramSnapshot>,
}

impl Collector for Recording {
    type Error = std::convert::Infallible;
    fn counter(&mut self, key: &MetricKey<'_>, value: u64) -> Result<(), Self::Error> {
        assert_eq!(key.kind(), Kind::Counter);
        self.counters.insert(key.to_string(), value);
        Ok(())
    }
    fn gauge(&mut self, key: &MetricKey<'_>, value: f64) -> Result<(), Self::Error> {
        assert_eq!(key.kind(), Kind::Gauge);
        self.gauges.insert(key.to_string(), value);
        Ok(())
    }
    fn histogram(&mut self, key: &MetricKey<'_>, h: &HistogramSnapshot) -> Result<(), Self::Error> {
        assert_eq!(key.kind(), Kind::Histogram);
        self.histograms.insert(key.to_string(), h.clone());
        Ok(())
    }
}

#[test]
fn collect_uses_the_specified_keys() {
    let manager = recorded_manager();
    let mut got = Recording::default();
    manager.collect("wal", &mut got).unwrap();

    // Every name is the spec's key `<prefix>_<metric>` followed by the statistic, its unit in
    // Prometheus' words and `_total` on counters.
    let mut counters: Vec<String> = Vec::new();
    let mut gauges: Vec<String> = Vec::new();
    for metric in [
        "read_segment_header",
        "resume_from_event",
        "seek_event",
        "next_event",
    ] {
        for stat in ["samples_total", "time_seconds_total", "clamped_total"] {
            counters.push(format!("wal_{metric}_{stat}"));
        }
        for stat in ["min_seconds", "max_seconds", "avg_seconds"] {
            gauges.push(format!("wal_{metric}_{stat}"));
        }
    }
    for metric in ["read_segment_header", "resume_from_event"] {
        counters.push(format!("wal_{metric}_success_total"));
        counters.push(format!("wal_{metric}_failures_total"));
    }
    counters.push("wal_next_event_histogram_saturated_total".into());
    counters.sort();
    gauges.sort();
    assert_eq!(got.counters.keys().cloned().collect::<Vec<_>>(), counters);
    assert_eq!(got.gauges.keys().cloned().collect::<Vec<_>>(), gauges);
    assert_eq!(
        got.histograms.keys().collect::<Vec<_>>(),
        ["wal_next_event_histogram_nanoseconds"]
    );

    // Collectors get recorded units (ns); each output converts to the key's unit.
    assert_eq!(got.counters["wal_read_segment_header_failures_total"], 1);
    assert_eq!(got.counters["wal_next_event_samples_total"], 1001);
    assert_eq!(got.counters["wal_next_event_clamped_total"], 1);
    assert_eq!(got.gauges["wal_seek_event_max_seconds"], 250.0);
    let h = &got.histograms["wal_next_event_histogram_nanoseconds"];
    assert_eq!((h.count, h.zero_count, h.scale), (1001, 1, 6));
    assert_eq!(h.sum, (100..1100).sum::<u64>());
}

#[test]
fn collect_of_an_empty_manager_has_no_gauges() {
    let mut got = Recording::default();
    Manager::new().collect("wal", &mut got).unwrap();
    assert!(
        got.gauges.is_empty(),
        "min/max/avg of nothing would be made up"
    );
    assert!(got.counters.values().all(|&v| v == 0));
}

#[test]
fn prometheus_text_parses_with_a_real_parser() {
    let manager = recorded_manager();
    let mut prom = PrometheusText::new(Vec::new());
    manager.collect("walrec", &mut prom).unwrap();
    let text = String::from_utf8(prom.into_inner()).unwrap();
    let lines = text.lines().map(|l| Ok(l.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(lines).unwrap();

    let value_of = |name: &str| {
        scrape
            .samples
            .iter()
            .find(|s| s.metric == name)
            .map(|s| s.value.clone())
            .unwrap_or_else(|| panic!("{name} missing from\n{text}"))
    };
    use prometheus_parse::Value;
    assert!(
        matches!(value_of("walrec_next_event_samples_total"), Value::Counter(v) if v == 1001.0)
    );
    assert!(matches!(value_of("walrec_seek_event_min_seconds"), Value::Gauge(v) if v == 250e-9));
    let time = value_of("walrec_seek_event_time_seconds_total");
    assert!(matches!(time, Value::Counter(v) if v == 250e-9), "{time:?}");
    match value_of("walrec_next_event_histogram_nanoseconds") {
        Value::Histogram(buckets) => {
            let inf = buckets.last().unwrap();
            assert!(inf.less_than.is_infinite());
            assert_eq!(inf.count, 1001.0);
            assert!(
                buckets
                    .windows(2)
                    .all(|w| w[0].count <= w[1].count && w[0].less_than < w[1].less_than)
            );
            assert!(buckets.len() <= 42);
            // Cumulative counts agree with the data: 1 zero, and 100..=1099 below each bound.
            for b in &buckets[..buckets.len() - 1] {
                let expected = 1 + (100..1100u64).filter(|&v| v as f64 <= b.less_than).count();
                assert_eq!(b.count, expected as f64, "le={}", b.less_than);
            }
        }
        other => panic!("histogram parsed as {other:?}"),
    }
    assert!(text.contains("# TYPE walrec_next_event_histogram_nanoseconds histogram"));
}

#[test]
fn prometheus_names_are_sanitised() {
    let mut prom = PrometheusText::new(Vec::new());
    Manager::new().collect("9my-app.wal", &mut prom).unwrap();
    let text = String::from_utf8(prom.into_inner()).unwrap();
    assert!(
        text.contains("\n_9my_app_wal_seek_event_samples_total 0\n"),
        "{text}"
    );
}

#[test]
fn csv_rows_round_trip_through_a_csv_reader() {
    let manager = recorded_manager();
    let mut csv = CsvCollector::new(Vec::new());
    manager.collect("odd,prefix", &mut csv).unwrap();
    let bytes = csv.into_inner().unwrap();
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["key", "kind", "unit", "le", "value"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let find = |key: &str, kind: &str| {
        rows.iter()
            .find(|r| &r[0] == key && &r[1] == kind)
            .unwrap_or_else(|| panic!("no row {key} {kind}"))
    };
    // The names are the naming table's (the prefix made a valid name), times in seconds.
    assert_eq!(
        &find("odd_prefix_next_event_samples_total", "counter")[4],
        "1001"
    );
    let time = find("odd_prefix_seek_event_time_seconds_total", "counter");
    assert_eq!((&time[2], &time[4]), ("s", "0.00000025"));
    assert_eq!(
        &find("odd_prefix_next_event_histogram_nanoseconds", "count")[4],
        "1001"
    );
    let bucket_total: u64 = rows
        .iter()
        .filter(|r| &r[1] == "bucket")
        .map(|r| r[4].parse::<u64>().unwrap())
        .sum();
    assert_eq!(bucket_total, 1000);
}
