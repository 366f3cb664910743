//! The OTLP/gRPC `TraceService` of the in-process
//! [`FakeCollector`](super::fake_collector::FakeCollector): each export takes the next
//! scripted behaviour (OK when the script is empty), and accepted requests are kept.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::TraceService;
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use tonic::{Request, Response, Status};

use super::fake_collector::{Behaviour, play};

/// What the trace service was scripted to do and what it saw.
#[derive(Default)]
pub struct TraceState {
    pub script: VecDeque<Behaviour>,
    pub accepted: Vec<ExportTraceServiceRequest>,
    /// Export attempts, failed ones included.
    pub attempts: usize,
}

/// The service, sharing its state with the collector that serves it.
#[derive(Clone, Default)]
pub struct Traces(pub Arc<Mutex<TraceState>>);

#[tonic::async_trait]
impl TraceService for Traces {
    async fn export(
        &self,
        request: Request<ExportTraceServiceRequest>,
    ) -> Result<Response<ExportTraceServiceResponse>, Status> {
        let behaviour = {
            let mut state = self.0.lock().unwrap();
            state.attempts += 1;
            state.script.pop_front()
        };
        let rejected = play(behaviour).await?;
        self.0.lock().unwrap().accepted.push(request.into_inner());
        let partial_success = (rejected > 0).then(|| ExportTracePartialSuccess {
            rejected_spans: rejected,
            error_message: "some spans were invalid".to_owned(),
        });
        Ok(Response::new(ExportTraceServiceResponse {
            partial_success,
        }))
    }
}

/// How many spans `requests` hold.
pub fn span_count(requests: &[ExportTraceServiceRequest]) -> usize {
    let scopes = requests.iter().flat_map(|r| &r.resource_spans);
    scopes
        .flat_map(|r| &r.scope_spans)
        .map(|s| s.spans.len())
        .sum()
}
