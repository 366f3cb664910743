//! `walrec demo` pushing to a collector, configured only by
//! `OTEL_EXPORTER_OTLP_{ENDPOINT,PROTOCOL}`, and the dump it printed.

use std::time::Duration;

use super::process::Walrec;

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
    let events = DEMO_EVENTS.to_string();
    let env = [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol),
    ];
    let out = Walrec::spawn_isolated(&["demo", "--events", &events], &env)
        .finish_within(Duration::from_secs(120));
    let (status, stdout, stderr) = (out.status, out.stdout, out.stderr);
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
