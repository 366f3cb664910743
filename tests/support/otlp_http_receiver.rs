//! An in-process OTLP/HTTP metrics receiver on 127.0.0.1 that answers only on one path, as
//! Prometheus' OTLP receiver does (`/api/v1/otlp/v1/metrics`): the stand-in for Prometheus in
//! tests/deploy_rotel.rs. It accepts protobuf bodies, gzip-compressed or not, keeps every
//! request it decodes, and answers 404 on any other path (so a sender configured with the
//! wrong path fails visibly) and 400 on a body it cannot decode.

use std::convert::Infallible;
use std::future::Future;
use std::io::Read;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use prost::Message;

type Accepted = Arc<Mutex<Vec<ExportMetricsServiceRequest>>>;

/// A running receiver; stops when dropped.
pub struct OtlpHttpReceiver {
    pub addr: SocketAddr,
    accepted: Accepted,
    /// Paths of requests refused with 404, to explain a test failure.
    refused: Arc<Mutex<Vec<String>>>,
    _server: Server,
}

/// A running in-process HTTP server (see [`serve`]); stops when dropped.
pub struct Server {
    pub addr: SocketAddr,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_millis(100));
        }
    }
}

/// Starts an HTTP/1.1 server on a free loopback port that answers every request with
/// `handle`.
pub fn serve<H, F>(handle: H) -> Server
where
    H: Fn(Request<Incoming>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Result<Response<Full<Bytes>>, Infallible>> + Send + 'static,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    runtime.spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let service = hyper::service::service_fn(handle.clone());
            tokio::spawn(async move {
                let io = hyper_util::rt::TokioIo::new(stream);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, service)
                    .await;
            });
        }
    });
    Server {
        addr,
        runtime: Some(runtime),
    }
}

/// The request's body, un-gzipped when its `Content-Encoding` says gzip; `None` when it
/// cannot be read or inflated.
pub async fn plain_body(request: Request<Incoming>) -> Option<Vec<u8>> {
    let gzip = request
        .headers()
        .get(hyper::header::CONTENT_ENCODING)
        .is_some_and(|v| v == "gzip");
    let bytes = request
        .into_body()
        .collect()
        .await
        .ok()?
        .to_bytes()
        .to_vec();
    if !gzip {
        return Some(bytes);
    }
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(bytes.as_slice())
        .read_to_end(&mut plain)
        .ok()?;
    Some(plain)
}

impl OtlpHttpReceiver {
    /// Starts the receiver on a free loopback port, answering on `path` only.
    pub fn start(path: &'static str) -> OtlpHttpReceiver {
        let accepted = Accepted::default();
        let refused = Arc::new(Mutex::new(Vec::new()));
        let (state, refusals) = (Arc::clone(&accepted), Arc::clone(&refused));
        let server =
            serve(move |request| handle(request, path, Arc::clone(&state), Arc::clone(&refusals)));
        OtlpHttpReceiver {
            addr: server.addr,
            accepted,
            refused,
            _server: server,
        }
    }

    /// Requests accepted so far.
    pub fn accepted(&self) -> Vec<ExportMetricsServiceRequest> {
        self.accepted.lock().unwrap().clone()
    }

    /// Paths refused with 404 so far.
    pub fn refused(&self) -> Vec<String> {
        self.refused.lock().unwrap().clone()
    }
}

fn reply(status: StatusCode, body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/x-protobuf"),
    );
    response
}

async fn handle(
    request: Request<Incoming>,
    path: &'static str,
    accepted: Accepted,
    refused: Arc<Mutex<Vec<String>>>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if request.uri().path() != path {
        refused
            .lock()
            .unwrap()
            .push(request.uri().path().to_owned());
        return Ok(reply(StatusCode::NOT_FOUND, Vec::new()));
    }
    let Some(bytes) = plain_body(request).await else {
        return Ok(reply(StatusCode::BAD_REQUEST, Vec::new()));
    };
    match ExportMetricsServiceRequest::decode(bytes.as_slice()) {
        Ok(decoded) => {
            accepted.lock().unwrap().push(decoded);
            let response = ExportMetricsServiceResponse {
                partial_success: None,
            };
            Ok(reply(StatusCode::OK, response.encode_to_vec()))
        }
        Err(_) => Ok(reply(StatusCode::BAD_REQUEST, Vec::new())),
    }
}
