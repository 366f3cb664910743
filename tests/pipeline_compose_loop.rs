//! What compose starts fills every panel: deploy/walrec/loop.sh (the walrec service's work: one
//! WAL, then a replay every WALREC_PAUSE_SECONDS) run natively with compose's environment (the
//! compose name `collector` replaced by the loopback collector) through the Collector compose
//! runs, into Prometheus as compose runs it; after two replays every dashboard query and every
//! recording rule returns data for the service compose names.

#![cfg(all(feature = "cli", feature = "otlp", feature = "traces"))]

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::backends;
use support::pipeline::{Collector, compose_command, compose_environment};
use support::pipeline_checks as checks;
use support::stack::Backends;

/// The replays to wait for: two, so rates span a restart of the series' process.
const REPLAYS: usize = 2;
/// How long two replays (generation, two replays and the pause between) may take.
const LOOP_BOUND: Duration = Duration::from_secs(150);

#[test]
fn what_compose_starts_fills_every_dashboard_panel() {
    if !backends::available("compose loop") {
        return;
    }
    let stack = Backends::start();
    let collector = Collector::start(
        "otelcol",
        compose_command("otelcol", stack.dir.path()),
        &stack.destinations(Vec::new()),
        stack.dir.path(),
    );
    let env = compose_environment("walrec");
    let service = env
        .iter()
        .find(|(name, _)| name == "OTEL_SERVICE_NAME")
        .map(|(_, value)| value.clone())
        .expect("compose names the service");
    let output = stack.dir.path().join("loop.out");
    run_loop(&env, &collector.grpc, stack.dir.path(), &output);

    checks::every_dashboard_and_recording_rule_query_has_data(&stack.prometheus, &service);
    drop(collector);
}

/// Runs loop.sh until it has printed [`REPLAYS`] dumps, then stops its process group by PID.
fn run_loop(env: &[(String, String)], collector: &str, dir: &Path, output: &Path) {
    let walrec_dir = Path::new(env!("CARGO_BIN_EXE_walrec"))
        .parent()
        .expect("bin folder");
    let path = format!(
        "{}:{}",
        walrec_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut command = Command::new("sh");
    command
        .arg(support::deploy::path("walrec/loop.sh"))
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", format!("http://{collector}"))
        .env("WALREC_DIR", dir.join("wal"))
        .env("HOME", dir)
        .env("PATH", path)
        .stdout(std::fs::File::create(output).expect("the loop's output file"))
        .stderr(Stdio::null());
    let mut child = command.spawn().expect("sh runs loop.sh");
    let started = Instant::now();
    let replays = || {
        let text = std::fs::read_to_string(output).unwrap_or_default();
        text.matches("Progress: phase=done").count()
    };
    while replays() < REPLAYS && started.elapsed() < LOOP_BOUND {
        std::thread::sleep(Duration::from_millis(250));
    }
    // The loop, then what it had started (its sleep or a replay), each by its PID.
    let children = std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", child.id()))
        .unwrap_or_default();
    let _ = child.kill();
    let _ = child.wait();
    for pid in children.split_whitespace() {
        let _ = Command::new("kill").arg("-KILL").arg(pid).status();
    }
    assert!(
        replays() >= REPLAYS,
        "loop.sh printed {} dumps within {LOOP_BOUND:?}",
        replays()
    );
}
