//! `walrec demo` exports the whole recovery's telemetry, not only the Manager's: rotel (a real
//! collector, `scripts/install-rotel.sh`) logs the segment reader's, the preloader's and the
//! progress metrics under the naming table's names, with the values the demo's dump printed.
#![cfg(all(feature = "otlp", feature = "cli"))]

mod support;

use std::time::Duration;

use support::demo::{self, DEMO_EVENTS, DEMO_INSTANCE, DemoDump};
use support::rotel::Rotel;
use support::rotel_log::{LoggedMetric, LoggedPoint, parse_metrics};

/// How long rotel gets to log the demo's export (it batches for 200 ms).
const LOG_BOUND: Duration = Duration::from_secs(20);

/// The points `name` has for the demo's instance, in its last logged export.
fn points<'a>(metrics: &'a [LoggedMetric], name: &str) -> Result<Vec<&'a LoggedPoint>, String> {
    let instance = format!("Str({DEMO_INSTANCE})");
    metrics
        .iter()
        .rev()
        .filter(|m| m.scope == "walrec" && m.name == name)
        .map(|m| {
            m.points
                .iter()
                .filter(|p| p.attribute("wal.recovery.instance") == Some(instance.as_str()))
                .collect::<Vec<_>>()
        })
        .find(|points| !points.is_empty())
        .ok_or_else(|| format!("{name} for instance {DEMO_INSTANCE:?} not in rotel's log"))
}

/// The value of the single point `name` has for the demo's instance.
fn int(metrics: &[LoggedMetric], name: &str) -> Result<i64, String> {
    match points(metrics, name)?.as_slice() {
        [point] => point
            .int_value()
            .ok_or_else(|| format!("{name}: not an integer: {point:?}")),
        more => Err(format!("{name}: expected one point, got {more:?}")),
    }
}

fn equal(name: &str, logged: i64, expected: u64) -> Result<(), String> {
    if logged == expected as i64 {
        Ok(())
    } else {
        Err(format!(
            "{name}: rotel logged {logged}, expected {expected}"
        ))
    }
}

fn check(log: &str, dump: &DemoDump) -> Result<(), String> {
    let metrics = parse_metrics(log);
    for (name, label) in [
        ("walrec.segment_reader.open_segment.samples", "Open segment"),
        (
            "walrec.segment_reader.verify_segment.samples",
            "Verify segment",
        ),
        ("walrec.segment_reader.build_index.samples", "Build index"),
        (
            "walrec.segment_preloader.preload_segment.samples",
            "Preload segment",
        ),
        (
            "walrec.segment_preloader.finish_segment.samples",
            "Finish segment",
        ),
    ] {
        equal(name, int(&metrics, name)?, dump.samples(label))?;
    }
    let failures = "walrec.segment_reader.block_checksum_failures";
    equal(failures, int(&metrics, failures)?, 0)?;
    let events = "walrec.recovery.events_replayed";
    equal(events, int(&metrics, events)?, DEMO_EVENTS)?;
    let phases = points(&metrics, "walrec.recovery.phase")?;
    for phase in ["scan", "resume", "replay", "done", "failed"] {
        let series = format!("Str({phase})");
        let point = phases
            .iter()
            .find(|p| p.attribute("wal.recovery.phase") == Some(series.as_str()))
            .ok_or_else(|| format!("no walrec.recovery.phase series for {phase}: {phases:?}"))?;
        let current = u64::from(phase == "done");
        equal(
            &format!("phase {phase}"),
            point.int_value().unwrap_or(-1),
            current,
        )?;
    }
    Ok(())
}

#[test]
fn the_demo_exports_the_readers_preloaders_and_progress_metrics_to_rotel() {
    let rotel = Rotel::start();
    let dump = demo::run(&rotel.grpc_endpoint(), "grpc");
    if let Err(log) = rotel.wait_for_log(|log| check(log, &dump).is_ok(), LOG_BOUND) {
        let reason = check(&rotel.log(), &dump).unwrap_err();
        panic!("{reason}\n{log}");
    }
}
