//! Prometheus' own `promtool`, for checking what walrec writes in Prometheus' formats.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Where the test command says promtool is (scripts/test.sh: the promtool 3 that
/// scripts/build-backends.sh builds).
const BINARY_ENV: &str = "WALREC_PROMTOOL";

/// The promtool binary: `$WALREC_PROMTOOL`, else the one scripts/build-backends.sh built.
/// Panics with how to build it: the checks must not pass silently without the tool.
pub fn require_binary() -> PathBuf {
    if let Some(path) = std::env::var_os(BINARY_ENV).filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    let built = super::backends::bin("promtool");
    assert!(
        built.is_file(),
        "promtool 3 is not built: run `bash scripts/build-backends.sh` (scripts/test.sh does \
         it) or set {BINARY_ENV} to a promtool binary"
    );
    built
}

/// `promtool check metrics` on `text`: its findings, one per line (empty when clean).
pub fn check_metrics(text: &str) -> Vec<String> {
    let mut child = Command::new(require_binary())
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool starts");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(text.as_bytes())
        .expect("promtool reads its input");
    let output = child.wait_with_output().expect("promtool finishes");
    let mut findings: Vec<String> = [output.stdout, output.stderr]
        .iter()
        .flat_map(|bytes| {
            String::from_utf8_lossy(bytes)
                .lines()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|line| !line.trim().is_empty())
        .collect();
    findings.sort();
    findings
}
