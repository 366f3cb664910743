//! The agent against collectors that misbehave below OTLP: endless or huge bodies, an endless
//! gRPC message, a listener that never answers, resets, garbage. For each: the export fails
//! (counted as failed, never as a success) within its bound, nothing panics, and the process's
//! peak memory stays under [`MEMORY_BOUND`].
//!
//! This file is its own test binary so that VmHWM measures only these tests: the bound is on
//! the whole process, hostile servers included.
#![cfg(feature = "otlp")]

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};
use support::hostile;

use hostile::{HostileServer, Hostility, peak_rss_bytes};
use walrec::otlp::config::{Config, Protocol};
use walrec::otlp::{Agent, ExportError};
use walrec::telemetry::Manager;

/// The documented bound on this test process's peak resident memory. The agent reads at most
/// `MAX_RESPONSE_BYTES` (4 MiB) per response; a debug test binary with its runtimes and
/// servers stays far below this. Without the cap, an endless body reached gigabytes.
const MEMORY_BOUND: u64 = 256 << 20;

/// Per-request timeout and whole-export bound of these tests.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(3);
const EXPORT_BOUND: Duration = Duration::from_secs(4);

/// Bound the export's duration may reach, with slack for the reply and a loaded machine.
const SAFETY_NET: Duration = Duration::from_secs(20);

fn config(server: &HostileServer, protocol: Protocol) -> Config {
    let endpoint = match protocol {
        Protocol::Grpc => server.endpoint(),
        Protocol::HttpProtobuf | Protocol::HttpJson => format!("{}/v1/metrics", server.endpoint()),
    };
    Config::builder()
        .protocol(protocol)
        .endpoint(&endpoint)
        .interval(Duration::from_secs(3600))
        .timeout(ATTEMPT_TIMEOUT)
        .export_timeout(EXPORT_BOUND)
        .build()
        .unwrap()
}

/// One flush against `hostility`: it must fail, be counted as failed, and end in time.
fn export_fails(hostility: Hostility, protocol: Protocol) -> ExportError {
    let server = HostileServer::start(hostility);
    let manager = Arc::new(Manager::new());
    manager.updater().record_next_event(0, 1_000);
    let agent = Agent::start(
        &config(&server, protocol),
        vec![("hostile".into(), Arc::clone(&manager))],
    )
    .unwrap();
    let started = Instant::now();
    let outcome = agent.force_flush();
    let took = started.elapsed();
    let stats = agent.stats();
    drop(agent);
    let label = format!("{hostility:?} over {protocol}");
    let error = match outcome {
        Ok(exported) => panic!("{label}: counted as a success: {exported:?}"),
        Err(error) => error,
    };
    assert!(server.connections() > 0, "{label}: never connected");
    assert_eq!(stats.exports_ok, 0, "{label}: {stats:?}");
    assert_eq!(stats.exports_failed, 1, "{label}: {stats:?}");
    assert!(took < SAFETY_NET, "{label}: took {took:?}");
    let peak = peak_rss_bytes();
    assert!(
        peak < MEMORY_BOUND,
        "{label}: peak RSS {} MiB over the {} MiB bound",
        peak >> 20,
        MEMORY_BOUND >> 20
    );
    eprintln!("{label}: {error} (peak RSS so far {} MiB)", peak >> 20);
    error
}

#[test]
fn an_endless_chunked_body_is_cut_at_the_cap() {
    for protocol in [Protocol::HttpProtobuf, Protocol::HttpJson] {
        let error = export_fails(Hostility::EndlessChunkedBody, protocol);
        assert!(
            error.to_string().contains("larger than the 4 MiB"),
            "{protocol}: {error}"
        );
    }
}

#[test]
fn a_huge_body_is_refused_by_its_length() {
    let error = export_fails(Hostility::HugeBody, Protocol::HttpProtobuf);
    assert!(
        error.to_string().contains("larger than the 4 MiB"),
        "{error}"
    );
}

#[test]
fn an_endless_unframed_body_is_cut_at_the_cap() {
    let error = export_fails(Hostility::EndlessUnframedBody, Protocol::HttpProtobuf);
    assert!(
        error.to_string().contains("larger than the 4 MiB"),
        "{error}"
    );
}

#[test]
fn an_endless_grpc_message_is_refused_by_the_decoding_limit() {
    export_fails(Hostility::EndlessGrpcMessage, Protocol::Grpc);
}

#[test]
fn a_listener_that_never_answers_costs_the_bound_only() {
    for protocol in [Protocol::HttpProtobuf, Protocol::Grpc] {
        let error = export_fails(Hostility::AcceptAndHang, protocol);
        let out_of_time = matches!(
            error,
            ExportError::GaveUp { .. } | ExportError::OutOfTime { .. }
        );
        assert!(out_of_time, "{protocol}: {error:?}");
    }
}

#[test]
fn a_reset_connection_is_retried_under_both_transports() {
    for protocol in [Protocol::HttpProtobuf, Protocol::Grpc] {
        let error = export_fails(Hostility::Reset, protocol);
        // Retried until the bound, not rejected at the first reset.
        assert!(
            matches!(error, ExportError::GaveUp { attempts, .. } if attempts > 1),
            "{protocol}: {error:?}"
        );
    }
}

#[test]
fn garbage_bytes_fail_the_export_under_both_transports() {
    for protocol in [Protocol::HttpProtobuf, Protocol::Grpc] {
        export_fails(Hostility::Garbage, protocol);
    }
}
