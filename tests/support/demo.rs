//! `walrec demo` pushing to a collector, configured only by
//! `OTEL_EXPORTER_OTLP_{ENDPOINT,PROTOCOL}`, and the dump it printed.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The instance name `walrec demo` exports under.
pub const DEMO_INSTANCE: &str = "walrec demo";

/// Events the demo generates and replays (small: the test binary is a debug build).
pub const DEMO_EVENTS: u64 = 50_000;

/// What the demo printed on stdout: its whole-recovery dump.
pub struct DemoDump {
    pub stdout: String,
}

impl DemoDump {
    /// The `samples=` of the dump line labelled `label` (` Next event         : samples=…`).
    pub fn samples(&self, label: &str) -> u64 {
        self.stdout
            .lines()
            .find_map(|line| {
                let (name, rest) = line.split_once(':')?;
                (name.trim() == label).then_some(())?;
                rest.split_whitespace()
                    .find_map(|field| field.strip_prefix("samples="))?
                    .parse()
                    .ok()
            })
            .unwrap_or_else(|| {
                panic!(
                    "no `{label}: samples=` in the demo's dump:\n{}",
                    self.stdout
                )
            })
    }
}

/// Runs `walrec demo` (DEMO_EVENTS events) with the OTLP exporter pointed at `endpoint` over
/// `protocol`, for at most two minutes; panics if it fails or could not export.
pub fn run(endpoint: &str, protocol: &str) -> DemoDump {
    let out_dir = tempfile::tempdir().unwrap();
    let stdout_path = out_dir.path().join("stdout");
    let stderr_path = out_dir.path().join("stderr");
    let mut command = Command::new(env!("CARGO_BIN_EXE_walrec"));
    // Only the two variables under test configure the exporter.
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("OTEL_") {
            command.env_remove(name);
        }
    }
    command
        .args(["demo", "--events", &DEMO_EVENTS.to_string()])
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
        .env("OTEL_EXPORTER_OTLP_PROTOCOL", protocol)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(std::fs::File::create(&stderr_path).unwrap());
    let mut child = command.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("walrec demo did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = std::fs::read_to_string(&stdout_path).unwrap();
    let stderr = std::fs::read_to_string(&stderr_path).unwrap();
    assert!(
        status.success(),
        "walrec demo failed ({status})\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        !stderr.contains("export failed"),
        "walrec demo could not export to {endpoint}:\n{stderr}"
    );
    DemoDump { stdout }
}
