//! An in-process OTLP/gRPC collector for fault injection, serving `MetricsService` and
//! `TraceService` (tests/support/fake_trace_collector.rs) on one loopback port: each export
//! takes the next behaviour of its signal's script (OK when the script is empty) and accepted
//! requests are kept for inspection.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_server::{
    MetricsService, MetricsServiceServer,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsPartialSuccess, ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::TraceServiceServer;
use tonic::{Code, Request, Response, Status};
use tonic_types::{ErrorDetails, StatusExt};

use super::fake_trace_collector::{TraceState, Traces};

/// What the fake collector does with one export.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// Fail with this code.
    Fail(Code),
    /// RESOURCE_EXHAUSTED with a RetryInfo delay.
    Throttle(Duration),
    /// Accept, but report this many rejected points.
    Partial(i64),
    /// Never answer.
    Hang,
}

#[derive(Default)]
struct State {
    script: VecDeque<Behaviour>,
    accepted: Vec<ExportMetricsServiceRequest>,
    attempts: Vec<Instant>,
    /// (header name, value) of every `x-*` metadata entry of every attempt, and whether the
    /// request arrived gzip-compressed.
    headers: Vec<(String, String)>,
    gzip: Vec<bool>,
}

#[derive(Clone, Default)]
struct Service(Arc<Mutex<State>>);

#[tonic::async_trait]
impl MetricsService for Service {
    async fn export(
        &self,
        request: Request<ExportMetricsServiceRequest>,
    ) -> Result<Response<ExportMetricsServiceResponse>, Status> {
        let behaviour = {
            let mut state = self.0.lock().unwrap();
            state.attempts.push(Instant::now());
            for (name, value) in request.metadata().clone().into_headers().iter() {
                if name.as_str().starts_with("x-") {
                    let value = value.to_str().unwrap_or("<binary>").to_owned();
                    state.headers.push((name.as_str().to_owned(), value));
                }
            }
            let gzip = request
                .metadata()
                .get("grpc-encoding")
                .is_some_and(|v| v == "gzip");
            state.gzip.push(gzip);
            state.script.pop_front()
        };
        let rejected = play(behaviour).await?;
        self.0.lock().unwrap().accepted.push(request.into_inner());
        let partial_success = (rejected > 0).then(|| ExportMetricsPartialSuccess {
            rejected_data_points: rejected,
            error_message: "some points were invalid".to_owned(),
        });
        Ok(Response::new(ExportMetricsServiceResponse {
            partial_success,
        }))
    }
}

/// Plays one scripted behaviour: the number of rejected items to report (0 when `None`), or
/// the failure to answer with.
pub async fn play(behaviour: Option<Behaviour>) -> Result<i64, Status> {
    match behaviour {
        None => Ok(0),
        Some(Behaviour::Partial(rejected)) => Ok(rejected),
        Some(Behaviour::Fail(code)) => Err(Status::new(code, "scripted failure")),
        Some(Behaviour::Throttle(delay)) => {
            let details = ErrorDetails::with_retry_info(Some(delay));
            Err(Status::with_error_details(
                Code::ResourceExhausted,
                "slow down",
                details,
            ))
        }
        Some(Behaviour::Hang) => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Err(Status::new(Code::Internal, "unreachable"))
        }
    }
}

/// A running fake collector on 127.0.0.1; stops when dropped.
pub struct FakeCollector {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    traces: Arc<Mutex<TraceState>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl FakeCollector {
    /// Starts a plaintext server on a free loopback port with this script for the metrics
    /// (spans are all accepted).
    pub fn start(script: Vec<Behaviour>) -> FakeCollector {
        Self::start_with(script, Vec::new(), None)
    }

    /// Starts a plaintext server with a script for each signal.
    pub fn start_scripted(metrics: Vec<Behaviour>, traces: Vec<Behaviour>) -> FakeCollector {
        Self::start_with(metrics, traces, None)
    }

    /// Starts a server that speaks TLS (and checks client certificates if `tls` says so).
    pub fn start_tls(tls: tonic::transport::ServerTlsConfig) -> FakeCollector {
        Self::start_with(Vec::new(), Vec::new(), Some(tls))
    }

    fn start_with(
        script: Vec<Behaviour>,
        trace_script: Vec<Behaviour>,
        tls: Option<tonic::transport::ServerTlsConfig>,
    ) -> FakeCollector {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let service = Service::default();
        service.0.lock().unwrap().script = script.into();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::clone(&service.0);
        let traces = Traces::default();
        traces.0.lock().unwrap().script = trace_script.into();
        let trace_state = Arc::clone(&traces.0);
        let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
        let mut server = tonic::transport::Server::builder();
        if let Some(tls) = tls {
            server = server.tls_config(tls).unwrap();
        }
        runtime.spawn(
            server
                .add_service(
                    MetricsServiceServer::new(service)
                        .accept_compressed(tonic::codec::CompressionEncoding::Gzip),
                )
                .add_service(
                    TraceServiceServer::new(traces)
                        .accept_compressed(tonic::codec::CompressionEncoding::Gzip),
                )
                .serve_with_incoming(incoming),
        );
        FakeCollector {
            addr,
            state,
            traces: trace_state,
            runtime: Some(runtime),
        }
    }

    /// The endpoint to configure the agent with.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests accepted so far.
    pub fn accepted(&self) -> Vec<ExportMetricsServiceRequest> {
        self.state.lock().unwrap().accepted.clone()
    }

    /// `x-*` metadata seen, in arrival order.
    pub fn headers(&self) -> Vec<(String, String)> {
        self.state.lock().unwrap().headers.clone()
    }

    /// Whether each attempt arrived gzip-compressed.
    pub fn gzip(&self) -> Vec<bool> {
        self.state.lock().unwrap().gzip.clone()
    }

    /// Trace requests accepted so far.
    pub fn spans(&self) -> Vec<ExportTraceServiceRequest> {
        self.traces.lock().unwrap().accepted.clone()
    }

    /// Trace export attempts so far, failed ones included.
    pub fn span_attempts(&self) -> usize {
        self.traces.lock().unwrap().attempts
    }

    /// When each metrics export attempt arrived.
    pub fn attempts(&self) -> Vec<Instant> {
        self.state.lock().unwrap().attempts.clone()
    }
}

impl Drop for FakeCollector {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_millis(100));
        }
    }
}
