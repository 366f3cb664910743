//! The `walrec` binary end to end: generate, replay, corruption, bad arguments, exit codes.

mod support;

use std::path::Path;
use std::process::{Command, Output};
use support::segment_layout::{BLOCK_HEADER, block_start, segment_bytes};
use support::wal::generate;

/// Runs the binary with OTLP export disabled: these tests are about the WAL and its exit
/// codes; export is tested against a real collector in tests/e2e_rotel.rs and below.
fn walrec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_walrec"))
        .args(args)
        .env("OTEL_SDK_DISABLED", "true")
        .output()
        .expect("the walrec binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Segment files of `dir`, sorted (not the writer's lock file).
fn segments(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wal"))
        .collect();
    files.sort();
    files
}

#[test]
fn generate_then_replay_prints_the_dump_with_matching_figures() {
    let dir = tempfile::tempdir().unwrap();
    // 3 blocks per segment: 1000 events make 6 segments.
    generate(dir.path(), 1000, segment_bytes(3));
    assert_eq!(segments(dir.path()).len(), 6);
    let out = walrec(&[
        "replay",
        "--dir",
        dir.path().to_str().unwrap(),
        "--label",
        "t",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    // The whole recovery's dump: reader and preloader sections, the Manager's section in the
    // specification's layout, then the progress.
    assert!(
        stdout.starts_with("[t Segment Reader Metrics] Snapshot:"),
        "{stdout}"
    );
    assert!(stdout.contains("\n[t Segment Preloader Metrics] Snapshot:\n"));
    assert!(stdout.contains("\n[t Metrics] Snapshot:\n"), "{stdout}");
    assert!(
        stdout.contains("Open segment       : samples=6 ok=6 fail=0"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Preload segment    : samples=5 ok=5 fail=0"),
        "{stdout}"
    );
    let progress = stdout.lines().last().unwrap_or_default();
    assert!(
        progress
            .starts_with(" Progress: phase=done events=1000 bytes=64000 discarded=0 segments=6/6"),
        "{progress}"
    );
    assert!(
        stdout.contains("Read segment header: samples=6 ok=6 fail=0"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Resume from event  : samples=1 ok=1 fail=0"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Next event         : samples=1000 "),
        "{stdout}"
    );
    assert!(text(&out.stderr).contains("replayed 1000 events (events 1..=1000)"));
}

#[test]
fn replay_from_an_event_and_with_telemetry_off() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), 300, segment_bytes(2));
    let d = dir.path().to_str().unwrap();
    let out = walrec(&["replay", "--dir", d, "--from-event", "201"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Next event         : samples=100 "));
    let out = walrec(&["replay", "--dir", d, "--telemetry", "off"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "no dump without telemetry");
    assert!(text(&out.stderr).contains("replayed 300 events"));
}

#[test]
fn a_corrupt_byte_exits_1_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), 300, segment_bytes(2));
    let victim = segments(dir.path())[1].clone();
    let mut bytes = std::fs::read(&victim).unwrap();
    bytes[(block_start(1) + BLOCK_HEADER) as usize + 5] ^= 0x01; // an event in the second block
    std::fs::write(&victim, &bytes).unwrap();
    let out = walrec(&["replay", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains(&victim.display().to_string()), "{stderr}");
    assert!(stderr.contains("CRC32C mismatch in block 1"), "{stderr}");
}

#[test]
fn bad_arguments_exit_2_naming_the_argument() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["replay", "--dir", d, "--telemetry", "maybe"],
            "--telemetry",
        ),
        (&["generate", "--dir", d, "--events", "ten"], "--events"),
        (&["generate", "--dir", d, "--events", "0"], "--events"),
        (
            &[
                "generate",
                "--dir",
                d,
                "--events",
                "5",
                "--segment-bytes",
                "100",
            ],
            "--segment-bytes",
        ),
        (&["replay"], "--dir"),
        (
            &["replay", "--dir", "/definitely/not/here"],
            "/definitely/not/here",
        ),
        (&["frobnicate"], "frobnicate"),
        (&["replay", "--dir", "/etc/hostname"], "/etc/hostname"),
    ];
    for (args, named) in cases {
        let out = walrec(args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: one line: {stderr}");
        assert!(
            stderr.contains(named),
            "{args:?} should name {named}: {stderr}"
        );
    }
    // Resuming before the WAL's first event is a usage error too.
    generate(dir.path(), 10, segment_bytes(1));
    let out = walrec(&["replay", "--dir", d, "--from-event", "0"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--from-event"));
}

#[test]
fn help_exits_0() {
    let out = walrec(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("replay"));
}

#[test]
fn with_no_collector_replay_warns_once_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), 500, 64 * 1024);
    // A loopback port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = Command::new(env!("CARGO_BIN_EXE_walrec"))
        .args(["replay", "--dir", dir.path().to_str().unwrap()])
        .env_remove("OTEL_SDK_DISABLED")
        .env(
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            format!("http://127.0.0.1:{port}"),
        )
        .env("OTEL_METRIC_EXPORT_TIMEOUT", "500")
        .output()
        .expect("the walrec binary runs");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        text(&out.stdout).contains("samples=500"),
        "the dump is still printed"
    );
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains("WARN")).collect();
    assert_eq!(warnings.len(), 1, "one warning: {stderr}");
    assert!(warnings[0].contains("OTLP export failed"), "{stderr}");
}

#[test]
fn a_malformed_otel_variable_exits_2_naming_it() {
    let out = Command::new(env!("CARGO_BIN_EXE_walrec"))
        .args(["demo", "--events", "1000"])
        .env_remove("OTEL_SDK_DISABLED")
        .env("OTEL_EXPORTER_OTLP_TIMEOUT", "soon")
        .env("OTEL_EXPORTER_OTLP_COMPRESSION", "brotli")
        .output()
        .expect("the walrec binary runs");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("OTEL_EXPORTER_OTLP_TIMEOUT"), "{stderr}");
    assert!(
        stderr.contains("OTEL_EXPORTER_OTLP_COMPRESSION"),
        "{stderr}"
    );
}
