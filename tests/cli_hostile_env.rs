//! `walrec` with hostile environments: recognisable secrets in every place a credential can
//! hide (header value, endpoint password, query token) never appear in anything the process
//! writes, at `RUST_LOG=trace`; non-UTF-8 `OTEL_*`/`WALREC_*` values are configuration errors
//! naming each variable, all reported together.
#![cfg(all(feature = "cli", feature = "otlp"))]

mod support;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::process::Command;
use support::{hostile, process};

use hostile::{HostileServer, Hostility};
use process::{Finished, Walrec};
use support::wal::generate;

const HEADER_SECRET: &str = "Header-S3cret-Value";
const PASSWORD_SECRET: &str = "Endpoint-Pa55word";
const QUERY_SECRET: &str = "Query-T0ken-Value";
const USER_SECRET: &str = "secret-user-name";

/// Replays a small WAL with `env`, logging everything.
fn replay_with(env: &[(&str, &str)]) -> Finished {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), 1_000, 4 << 20);
    let mut env = env.to_vec();
    env.push(("RUST_LOG", "trace"));
    env.push(("OTEL_METRIC_EXPORT_TIMEOUT", "1500"));
    env.push(("OTEL_EXPORTER_OTLP_TIMEOUT", "500"));
    Walrec::spawn(&["replay", "--dir", dir.path().to_str().unwrap()], &env).finish()
}

fn assert_no_secret(case: &str, out: &Finished) {
    for secret in [HEADER_SECRET, PASSWORD_SECRET, QUERY_SECRET, USER_SECRET] {
        for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert!(
                !text.contains(secret),
                "{case}: {secret} printed on {stream}:\n{text}"
            );
        }
    }
    assert!(
        !out.stderr.is_empty(),
        "{case}: nothing was logged at trace"
    );
}

#[test]
fn no_secret_is_printed_whatever_the_collector_does() {
    let headers = format!("x-api-key={HEADER_SECRET},authorization=Bearer%20{HEADER_SECRET}");
    for protocol in ["http/protobuf", "grpc"] {
        for hostility in [
            Hostility::Reset,
            Hostility::AcceptAndHang,
            Hostility::Garbage,
        ] {
            let server = HostileServer::start(hostility);
            let endpoint = format!(
                "http://{USER_SECRET}:{PASSWORD_SECRET}@{}/v1/metrics?api_key={QUERY_SECRET}",
                server.addr
            );
            let out = replay_with(&[
                ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol),
                ("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", &endpoint),
                ("OTEL_EXPORTER_OTLP_HEADERS", &headers),
            ]);
            let case = format!("{protocol} against {hostility:?}");
            assert_eq!(out.status.code(), Some(0), "{case}: {}", out.stderr);
            assert!(
                out.stderr.contains("<redacted>") || out.stderr.contains("failed"),
                "{case}"
            );
            assert_no_secret(&case, &out);
        }
    }
}

#[test]
fn no_secret_is_printed_when_nothing_listens() {
    let endpoint = format!("http://u:{PASSWORD_SECRET}@127.0.0.1:9/?token={QUERY_SECRET}");
    let headers = format!("x-api-key={HEADER_SECRET}");
    let out = replay_with(&[
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
        ("OTEL_EXPORTER_OTLP_HEADERS", &headers),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", out.stderr);
    assert!(
        out.stderr.contains("final OTLP export failed"),
        "{}",
        out.stderr
    );
    assert_no_secret("nothing listening", &out);
}

#[test]
fn no_secret_is_printed_in_configuration_errors() {
    let table = [
        format!("ftp://user:{PASSWORD_SECRET}@x"),
        format!("http://{USER_SECRET}:{PASSWORD_SECRET}@"),
        format!("collector:4317?api_key={QUERY_SECRET}"),
        format!("https://h:99999/?api_key={QUERY_SECRET}"),
    ];
    for endpoint in table {
        let out = replay_with(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
            (
                "OTEL_EXPORTER_OTLP_HEADERS",
                &format!("broken{HEADER_SECRET}"),
            ),
        ]);
        assert_eq!(out.status.code(), Some(2), "{endpoint}: {}", out.stderr);
        assert!(
            out.stderr.contains("OTEL_EXPORTER_OTLP_ENDPOINT"),
            "{}",
            out.stderr
        );
        assert_no_secret(&endpoint, &out);
    }
}

/// Runs `walrec replay` on a missing directory with raw `env` values (configuration is
/// checked first).
fn replay_with_raw(env: &[(&str, &[u8])]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_walrec"));
    command.args(["replay", "--dir", "/nonexistent/walrec"]);
    command.env_remove("OTEL_SDK_DISABLED");
    for (name, value) in env {
        command.env(name, OsStr::from_bytes(value));
    }
    command.output().expect("walrec runs")
}

const GARBLED: &[u8] = b"tr\xffue";

/// The trace settings the SDK would silently replace with its defaults stop the CLI instead.
#[cfg(feature = "traces")]
#[test]
fn a_bad_sdk_trace_setting_is_a_configuration_error_naming_it() {
    for (variable, value) in [
        ("OTEL_TRACES_SAMPLER", &b"always_onn"[..]),
        ("OTEL_BSP_MAX_QUEUE_SIZE", &b"lots"[..]),
    ] {
        let out = replay_with_raw(&[(variable, value)]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{variable}: {stderr}");
        assert!(stderr.contains(variable), "{variable}: {stderr}");
    }
}

#[test]
fn each_non_utf8_variable_is_a_configuration_error_naming_it() {
    // Every variable of the settings table; the sampler's argument is read by a ratio sampler.
    for variable in walrec::otlp::config::variables() {
        let sampler: (&str, &[u8]) = ("OTEL_TRACES_SAMPLER", b"traceidratio");
        let mut env = vec![(variable, GARBLED)];
        if variable != sampler.0 {
            env.push(sampler);
        }
        let out = replay_with_raw(&env);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{variable}: {stderr}");
        assert!(
            stderr.contains(&format!("{variable} is set but is not valid UTF-8")),
            "{variable}: {stderr}"
        );
    }
}

#[test]
fn every_non_utf8_variable_is_reported_at_once_with_the_other_problems() {
    // Every variable garbled but the two compression ones, and one ordinary problem besides.
    let compression = |name: &str| name.contains("_COMPRESSION");
    let variables = walrec::otlp::config::variables();
    let mut env: Vec<(&str, &[u8])> = variables.iter().map(|v| (*v, GARBLED)).collect();
    // OTEL_CONFIG_FILE is the switch: once set (even broken) no other variable is read.
    let skipped = |name: &str| name == "OTEL_TRACES_SAMPLER" || name == "OTEL_CONFIG_FILE";
    env.retain(|(name, _)| !compression(name) && !skipped(name));
    env.push(("OTEL_TRACES_SAMPLER", b"traceidratio"));
    env.push(("OTEL_EXPORTER_OTLP_COMPRESSION", b"brotli"));
    let out = replay_with_raw(&env);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for &variable in &variables {
        if !compression(variable) && !skipped(variable) {
            let named = format!("{variable} is set but is not valid UTF-8");
            assert!(stderr.contains(&named), "{variable} missing: {stderr}");
        }
    }
    assert!(
        stderr.contains("OTEL_EXPORTER_OTLP_COMPRESSION=\"brotli\""),
        "{stderr}"
    );
}

/// A context variable that is not UTF-8 is named in a warning, not silently taken for unset.
#[cfg(feature = "traces")]
#[test]
fn a_non_utf8_traceparent_is_named_in_a_warning() {
    let out = replay_with_raw(&[("TRACEPARENT", GARBLED)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("TRACEPARENT is set but is not valid UTF-8"),
        "{stderr}"
    );
}
