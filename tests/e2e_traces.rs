//! Traces end to end: `walrec demo` and `walrec replay` push spans and metrics to a real rotel
//! collector; the test reads rotel's detailed log back and checks the span tree, the
//! attributes, the exemplar's link to a `wal.segment.replay` span, `TRACEPARENT`, and the
//! Error status of a failed recovery.

#![cfg(all(feature = "cli", feature = "otlp", feature = "traces"))]

mod support;

use support::process::Walrec;

use std::collections::HashMap;
use std::time::Duration;

use support::rotel::Rotel;
use support::rotel_spans::{LoggedSpan, parse_exemplars, parse_spans};

/// How long rotel may take to log what it received.
const LOG_BOUND: Duration = Duration::from_secs(20);
/// How long one walrec command may run.
const RUN_BOUND: Duration = Duration::from_secs(120);
const EVENTS: u64 = 20_000;
/// Small segments: a replay crosses many boundaries, so preloads are traced.
const SEGMENT_BYTES: &str = "65536";

/// Every span name of the table in the README, with the name of its parent.
use support::pipeline_checks::SPAN_TREE as TREE;

/// Runs `walrec` with `args` and `env` (and no other `OTEL_*` or `TRACE*` variable), within
/// [`RUN_BOUND`]; its exit status and stderr.
fn run_walrec(args: &[&str], env: &[(&str, &str)]) -> (std::process::ExitStatus, String) {
    let mut env = env.to_vec();
    env.push(("OTEL_BSP_SCHEDULE_DELAY", "100"));
    let out = Walrec::spawn_isolated(args, &env).finish_within(RUN_BOUND);
    (out.status, out.stderr)
}

fn demo(rotel_endpoint: &str, protocol: &str, extra: &[(&str, &str)]) {
    let mut env = vec![
        ("OTEL_EXPORTER_OTLP_ENDPOINT", rotel_endpoint),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol),
    ];
    env.extend_from_slice(extra);
    let events = EVENTS.to_string();
    let args = [
        "demo",
        "--events",
        &events,
        "--segment-bytes",
        SEGMENT_BYTES,
    ];
    let (status, stderr) = run_walrec(&args, &env);
    assert!(status.success(), "walrec demo failed ({status}):\n{stderr}");
    assert!(
        !stderr.contains("export failed"),
        "export failed:\n{stderr}"
    );
}

/// The spans of each `wal.recovery` in `spans`, by the recovery's span id.
fn recoveries<'a>(spans: &'a [LoggedSpan]) -> Vec<(&'a LoggedSpan, Vec<&'a LoggedSpan>)> {
    let by_id: HashMap<&str, &LoggedSpan> = spans.iter().map(|s| (s.id.as_str(), s)).collect();
    let root_of = |start: &'a LoggedSpan| {
        let mut span = start;
        for _ in 0..16 {
            match by_id.get(span.parent_id.as_str()) {
                Some(parent) => span = parent,
                None => break,
            }
        }
        span.id.clone()
    };
    spans
        .iter()
        .filter(|s| s.name == "wal.recovery")
        .map(|root| {
            let members = spans.iter().filter(|s| root_of(s) == root.id).collect();
            (root, members)
        })
        .collect()
}

/// Checks one recovery's tree: every name of the table, each under its parent, one trace.
fn check_tree(root: &LoggedSpan, members: &[&LoggedSpan]) -> Result<(), String> {
    let by_id: HashMap<&str, &LoggedSpan> = members.iter().map(|s| (s.id.as_str(), *s)).collect();
    for (name, parent) in TREE {
        let named: Vec<_> = members.iter().filter(|s| s.name == *name).collect();
        if named.is_empty() {
            return Err(format!("no {name} span under wal.recovery {}", root.id));
        }
        for span in named {
            let up = by_id.get(span.parent_id.as_str()).map(|p| p.name.as_str());
            if up != Some(*parent) || span.trace_id != root.trace_id {
                return Err(format!("{name}'s parent is {up:?}, not {parent}: {span:?}"));
            }
        }
    }
    Ok(())
}

/// The recovery that replayed every event (the demo's recorded replay; its baseline replay
/// is traced too).
fn check_attributes(root: &LoggedSpan, members: &[&LoggedSpan]) -> Result<(), String> {
    let segments = members
        .iter()
        .filter(|s| s.name == "wal.segment.replay")
        .count() as i64;
    let expect = |ok: bool, what: &str| ok.then_some(()).ok_or(format!("{what}: {root:?}"));
    expect(root.attribute("wal.dir").is_some(), "wal.dir")?;
    expect(
        root.int("wal.segment.count") == Some(segments),
        "wal.segment.count",
    )?;
    // The demo's events are numbered from 1.
    expect(
        root.int("wal.event.first_id") == Some(1),
        "wal.event.first_id",
    )?;
    expect(
        root.int("wal.event.last_id") == Some(EVENTS as i64),
        "wal.event.last_id",
    )?;
    expect(
        root.int("wal.events.replayed") == Some(EVENTS as i64),
        "wal.events.replayed",
    )?;
    let counted: i64 = members
        .iter()
        .filter(|s| s.name == "wal.segment.replay")
        .map(|s| s.int("wal.event.count").unwrap_or(0))
        .sum();
    expect(counted == EVENTS as i64, "sum of wal.event.count")?;
    for span in members
        .iter()
        .filter(|s| s.name == "wal.segment.read_header")
    {
        let ok =
            span.int("wal.segment.index").is_some() && span.attribute("wal.segment.path").is_some();
        expect(ok, "read_header attributes")?;
    }
    Ok(())
}

fn check_demo(log: &str) -> Result<(), String> {
    let spans = parse_spans(log);
    let found = recoveries(&spans);
    if found.len() < 2 {
        return Err(format!(
            "{} wal.recovery spans, expected the demo's 2",
            found.len()
        ));
    }
    for (root, members) in &found {
        check_tree(root, members)?;
        check_attributes(root, members)?;
    }
    let exemplars = parse_exemplars(log);
    let exemplar = exemplars.first().ok_or("no exemplar logged")?;
    let linked = spans
        .iter()
        .find(|s| s.id == exemplar.span_id && s.trace_id == exemplar.trace_id);
    match linked {
        Some(span) if span.name == "wal.segment.replay" => {}
        other => return Err(format!("the exemplar {exemplar:?} points at {other:?}")),
    }
    let event = exemplar
        .attributes
        .iter()
        .find(|(k, _)| k == "wal.event.id");
    event
        .map(|_| ())
        .ok_or(format!("no wal.event.id on {exemplar:?}"))
}

#[test]
fn demo_sends_the_span_tree_and_an_exemplar_linked_to_a_segment_replay() {
    let rotel = Rotel::start();
    demo(&rotel.grpc_endpoint(), "grpc", &[]);
    if let Err(log) = rotel.wait_for_log(|log| check_demo(log).is_ok(), LOG_BOUND) {
        panic!("{}\n{log}", check_demo(&rotel.log()).unwrap_err());
    }
}

const PARENT_TRACE: &str = "0af7651916cd43dd8448eb211c80319c";
const PARENT_SPAN: &str = "b7ad6b7169203331";

fn check_parented(log: &str) -> Result<(), String> {
    let spans = parse_spans(log);
    let roots: Vec<_> = spans.iter().filter(|s| s.name == "wal.recovery").collect();
    if roots.len() < 2 || spans.iter().all(|s| s.name != "wal.segment.replay") {
        return Err(format!("{} recoveries logged so far", roots.len()));
    }
    if let Some(stray) = spans.iter().find(|s| s.trace_id != PARENT_TRACE) {
        return Err(format!("a span outside TRACEPARENT's trace: {stray:?}"));
    }
    match roots.iter().find(|r| r.parent_id != PARENT_SPAN) {
        Some(root) => Err(format!(
            "wal.recovery's parent is not TRACEPARENT's span: {root:?}"
        )),
        None => Ok(()),
    }
}

#[test]
fn traceparent_makes_the_recovery_a_child_of_the_callers_span() {
    let rotel = Rotel::start();
    let traceparent = format!("00-{PARENT_TRACE}-{PARENT_SPAN}-01");
    // Over http/protobuf: the generic endpoint gets /v1/traces appended for spans.
    demo(
        &rotel.http_base_endpoint(),
        "http/protobuf",
        &[("TRACEPARENT", &traceparent)],
    );
    if let Err(log) = rotel.wait_for_log(|log| check_parented(log).is_ok(), LOG_BOUND) {
        panic!("{}\n{log}", check_parented(&rotel.log()).unwrap_err());
    }
}

#[test]
fn malformed_traceparent_is_a_warning_naming_it_and_the_run_goes_on() {
    let rotel = Rotel::start();
    let env = [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", rotel.grpc_endpoint()),
        ("TRACEPARENT", "00-nothex-1-01".to_owned()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, stderr) = run_walrec(&["demo", "--events", "1000"], &env);
    assert!(status.success(), "{stderr}");
    assert!(
        stderr.contains("TRACEPARENT"),
        "no warning naming TRACEPARENT:\n{stderr}"
    );
}

/// Writes a WAL of a few segments into `dir` and flips one byte inside the first block of
/// segment `corrupt` (after its header): that block fails its CRC when the segment is read.
fn corrupt_wal(dir: &std::path::Path, corrupt: usize) -> std::path::PathBuf {
    let dir_arg = dir.to_str().unwrap();
    let args = [
        "generate",
        "--dir",
        dir_arg,
        "--events",
        "3000",
        "--segment-bytes",
        "65536",
    ];
    let (status, stderr) = run_walrec(&args, &[]);
    assert!(status.success(), "walrec generate failed:\n{stderr}");
    support::stack::corrupt_segment(dir, corrupt)
}

/// The failing step's span, `wal.recovery` and every span between end with Error naming
/// the file.
fn check_failure(log: &str, step: &str, path: &str, between: &[&str]) -> Result<(), String> {
    let spans = parse_spans(log);
    for name in [step, "wal.recovery"].iter().chain(between) {
        let span = spans
            .iter()
            .find(|s| s.name == *name)
            .ok_or(format!("no {name} span"))?;
        if span.status_code != "STATUS_CODE_ERROR" || !span.status_message.contains(path) {
            return Err(format!(
                "{name} did not end with Error naming {path}: {span:?}"
            ));
        }
        if span.attribute("error.type").is_none() {
            return Err(format!("{name} has no error.type: {span:?}"));
        }
    }
    Ok(())
}

fn replay_corrupt(corrupt: usize, step: &str, between: &[&str]) {
    let rotel = Rotel::start();
    let wal = tempfile::tempdir().unwrap();
    let path = corrupt_wal(wal.path(), corrupt);
    let endpoint = rotel.grpc_endpoint();
    let env = [("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str())];
    let (status, stderr) = run_walrec(&["replay", "--dir", wal.path().to_str().unwrap()], &env);
    assert!(
        !status.success(),
        "a corrupt segment replayed without error:\n{stderr}"
    );
    let path = path.to_str().unwrap();
    let check = |log: &str| check_failure(log, step, path, between);
    if let Err(log) = rotel.wait_for_log(|log| check(log).is_ok(), LOG_BOUND) {
        panic!("{}\n{log}", check(&rotel.log()).unwrap_err());
    }
}

#[test]
fn a_corrupt_first_segment_ends_verify_resume_and_recovery_with_error() {
    replay_corrupt(0, "wal.segment.verify", &["wal.resume", "wal.segment.open"]);
}

#[test]
fn a_corrupt_later_segment_ends_preload_replay_and_recovery_with_error() {
    replay_corrupt(1, "wal.segment.preload", &["wal.replay"]);
}
