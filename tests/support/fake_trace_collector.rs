//! An in-process OTLP/gRPC `TraceService` on 127.0.0.1 that keeps every request it accepts:
//! the stand-in for Tempo in tests/deploy_rotel.rs.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use tonic::{Request, Response, Status};

#[derive(Clone, Default)]
struct Service(Arc<Mutex<Vec<ExportTraceServiceRequest>>>);

#[tonic::async_trait]
impl TraceService for Service {
    async fn export(
        &self,
        request: Request<ExportTraceServiceRequest>,
    ) -> Result<Response<ExportTraceServiceResponse>, Status> {
        self.0.lock().unwrap().push(request.into_inner());
        Ok(Response::new(ExportTraceServiceResponse {
            partial_success: None,
        }))
    }
}

/// A running trace receiver; stops when dropped.
pub struct FakeTraceCollector {
    pub addr: SocketAddr,
    accepted: Arc<Mutex<Vec<ExportTraceServiceRequest>>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl FakeTraceCollector {
    /// Starts a plaintext server (gzip accepted) on a free loopback port.
    pub fn start() -> FakeTraceCollector {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let service = Service::default();
        let accepted = Arc::clone(&service.0);
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
        runtime.spawn(
            tonic::transport::Server::builder()
                .add_service(
                    TraceServiceServer::new(service)
                        .accept_compressed(tonic::codec::CompressionEncoding::Gzip),
                )
                .serve_with_incoming(incoming),
        );
        FakeTraceCollector {
            addr,
            accepted,
            runtime: Some(runtime),
        }
    }

    /// Requests accepted so far.
    pub fn accepted(&self) -> Vec<ExportTraceServiceRequest> {
        self.accepted.lock().unwrap().clone()
    }
}

impl Drop for FakeTraceCollector {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_millis(100));
        }
    }
}
