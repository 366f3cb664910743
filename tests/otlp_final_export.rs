//! The final export's retry policy: with nothing to talk to (refused connection, host that
//! does not resolve) it retries once, shortly, and gives up; a collector that accepts and
//! hangs still gets the whole bound; periodic and flushed exports keep the full policy.
#![cfg(feature = "otlp")]

mod support;

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;
use support::hostile;

use hostile::{HostileServer, Hostility};
use walrec::otlp::config::{Config, Protocol};
use walrec::otlp::{Agent, ExportError};
use walrec::telemetry::Manager;

/// A loopback endpoint with nothing listening: a port that was free a moment ago.
fn refused_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

fn agent(endpoint: &str, protocol: Protocol) -> Agent {
    let endpoint = match protocol {
        Protocol::Grpc => endpoint.to_owned(),
        Protocol::HttpProtobuf | Protocol::HttpJson => format!("{endpoint}/v1/metrics"),
    };
    let config = Config::builder()
        .protocol(protocol)
        .endpoint(&endpoint)
        .interval(Duration::from_secs(3600))
        .timeout(Duration::from_millis(500))
        .export_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let manager = Arc::new(Manager::new());
    Agent::start(&config, vec![("final".into(), manager)]).unwrap()
}

const BOUND: Duration = Duration::from_secs(2);

#[test]
fn a_refused_final_export_retries_once_then_gives_up() {
    for protocol in [Protocol::Grpc, Protocol::HttpProtobuf] {
        let mut agent = agent(&refused_endpoint(), protocol);
        let error = agent.shutdown(BOUND).unwrap_err();
        assert!(
            matches!(error, ExportError::Unreachable { attempts: 2, .. }),
            "{protocol}: {error:?}"
        );
        assert_eq!(agent.stats().exports_failed, 1, "{protocol}");
    }
}

#[test]
fn an_unresolvable_host_is_unreachable_too() {
    // `.invalid` never resolves (RFC 6761).
    for protocol in [Protocol::Grpc, Protocol::HttpProtobuf] {
        let mut agent = agent("http://walrec-test.invalid:4317", protocol);
        let error = agent.shutdown(BOUND).unwrap_err();
        assert!(
            matches!(error, ExportError::Unreachable { .. }),
            "{protocol}: {error:?}"
        );
    }
}

#[test]
fn a_collector_that_accepts_and_hangs_gets_the_whole_bound() {
    for protocol in [Protocol::Grpc, Protocol::HttpProtobuf] {
        let server = HostileServer::start(Hostility::AcceptAndHang);
        let mut agent = agent(&server.endpoint(), protocol);
        let error = agent.shutdown(BOUND).unwrap_err();
        // Retried (500 ms per attempt) until the bound, not cut short as unreachable.
        let retried_to_the_bound = match &error {
            ExportError::GaveUp { attempts, .. } => *attempts >= 2,
            ExportError::OutOfTime { attempts } => *attempts >= 2,
            _ => false,
        };
        assert!(retried_to_the_bound, "{protocol}: {error:?}");
    }
}

#[test]
fn a_flush_keeps_retrying_a_refused_connection() {
    for protocol in [Protocol::Grpc, Protocol::HttpProtobuf] {
        let agent = agent(&refused_endpoint(), protocol);
        let error = agent.force_flush().unwrap_err();
        // Backoff from 100 ms, doubling, within the 2 s budget: more than the final's two.
        let attempts = match error {
            ExportError::GaveUp { attempts, .. } | ExportError::OutOfTime { attempts } => attempts,
            other => panic!("{protocol}: {other:?}"),
        };
        assert!(attempts > 2, "{protocol}: {attempts} attempts");
    }
}
