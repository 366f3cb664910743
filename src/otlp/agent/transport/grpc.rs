//! OTLP/gRPC: the `MetricsService/Export` call through tonic.

use std::time::Duration;

use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsServiceRequest, metrics_service_client::MetricsServiceClient,
};
#[cfg(feature = "traces")]
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, trace_service_client::TraceServiceClient,
};
use tonic::codec::CompressionEncoding;
use tonic::metadata::{MetadataKey, MetadataMap, MetadataValue};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};
use tonic_types::StatusExt;

use super::encoding::ExportResponse;
use super::{ExportFailure, Exported, MAX_RESPONSE_BYTES, TransportError, read_pem};
use crate::otlp::agent::error::CollectorStatus;
use crate::otlp::agent::retry::{FailureOrigin, classify_grpc};
use crate::otlp::config::{Compression, Config};

/// A lazily connecting gRPC client: creating it never touches the network, so a collector that
/// is down at start-up only shows as failed exports.
pub(crate) struct GrpcTransport {
    client: MetricsServiceClient<Channel>,
    #[cfg(feature = "traces")]
    traces: TraceServiceClient<Channel>,
    headers: MetadataMap,
}

/// The TLS settings when [`Config::uses_tls`] says to use TLS (the one rule for both
/// transports), else `None`.
fn tls_config(config: &Config) -> Result<Option<ClientTlsConfig>, TransportError> {
    if !config.uses_tls() {
        return Ok(None);
    }
    let tls = config.tls();
    let mut config = ClientTlsConfig::new().with_native_roots();
    if let Some(ca) = tls.ca_certificate() {
        config = config.ca_certificate(Certificate::from_pem(read_pem(ca, "certificate")?));
    }
    match (tls.client_certificate(), tls.client_key()) {
        (Some(cert), Some(key)) => {
            let cert = read_pem(cert, "client certificate")?;
            let key = read_pem(key, "client key")?;
            config = config.identity(Identity::from_pem(cert, key));
        }
        (None, None) => {}
        _ => return Err(TransportError::HalfIdentity),
    }
    Ok(Some(config))
}

fn metadata(config: &Config) -> Result<MetadataMap, TransportError> {
    let mut map = MetadataMap::new();
    for (name, value) in config.headers().iter() {
        let key = MetadataKey::from_bytes(name.to_ascii_lowercase().as_bytes())
            .map_err(|_| TransportError::HeaderName(name.to_owned()))?;
        let value = MetadataValue::try_from(value.expose())
            .map_err(|_| TransportError::HeaderValue(name.to_owned()))?;
        map.insert(key, value);
    }
    Ok(map)
}

impl GrpcTransport {
    /// A client for `config`'s endpoint, TLS, compression and headers.
    ///
    /// The endpoint's userinfo and query string mean nothing to gRPC and may hold
    /// credentials: they are left out of the URI tonic is given, so they can reach neither the
    /// wire (`:authority`) nor a log line.
    pub(crate) fn new(config: &Config) -> Result<Self, TransportError> {
        let endpoint = grpc_uri(config.endpoint_url(), config.uses_tls());
        let mut channel = Endpoint::from_shared(endpoint.clone())
            .map_err(|_| TransportError::Endpoint(config.redacted_endpoint()))?
            .connect_timeout(config.timeout().min(Duration::from_secs(5)))
            .timeout(config.timeout());
        if let Some(tls) = tls_config(config)? {
            channel = channel
                .tls_config(tls)
                .map_err(|e| TransportError::Tls(e.to_string()))?;
        }
        let channel = channel.connect_lazy();
        #[cfg(feature = "traces")]
        let mut traces =
            TraceServiceClient::new(channel.clone()).max_decoding_message_size(MAX_RESPONSE_BYTES);
        let mut client = MetricsServiceClient::new(channel);
        if config.compression() == Compression::Gzip {
            client = client.send_compressed(CompressionEncoding::Gzip);
            #[cfg(feature = "traces")]
            {
                traces = traces.send_compressed(CompressionEncoding::Gzip);
            }
        }
        // Responses are not accepted compressed: a few bytes gain nothing, and a gzip bomb
        // could inflate past the decoding limit's intent.
        client = client.max_decoding_message_size(MAX_RESPONSE_BYTES);
        Ok(GrpcTransport {
            client,
            #[cfg(feature = "traces")]
            traces,
            headers: metadata(config)?,
        })
    }

    /// Sends one request; classifies a failure for the retry loop.
    pub(crate) async fn export(
        &mut self,
        request: ExportMetricsServiceRequest,
    ) -> Result<Exported, ExportFailure> {
        let mut call = tonic::Request::new(request);
        *call.metadata_mut() = self.headers.clone();
        match self.client.export(call).await {
            Ok(response) => Ok(response.into_inner().exported()),
            Err(status) => Err(failure(&status)),
        }
    }
}

#[cfg(feature = "traces")]
impl GrpcTransport {
    /// Sends one trace request (`TraceService/Export`) with the same headers.
    pub(crate) async fn export_traces(
        &mut self,
        request: ExportTraceServiceRequest,
    ) -> Result<Exported, ExportFailure> {
        let mut call = tonic::Request::new(request);
        *call.metadata_mut() = self.headers.clone();
        match self.traces.export(call).await {
            Ok(response) => Ok(response.into_inner().exported()),
            Err(status) => Err(failure(&status)),
        }
    }
}

/// A status tonic made from a broken connection (it then carries the transport error as its
/// source) is a transport failure, retryable like its HTTP equivalent; one the collector sent
/// is classified by its code.
fn failure(status: &tonic::Status) -> ExportFailure {
    let origin = match std::error::Error::source(status) {
        Some(_) => FailureOrigin::Transport,
        None => FailureOrigin::Collector,
    };
    let throttle = status
        .get_details_retry_info()
        .and_then(|info| info.retry_delay);
    let decision = classify_grpc(status.code(), throttle, origin);
    match std::error::Error::source(status) {
        Some(source) => {
            let mut failure = ExportFailure::transport("OTLP/gRPC connection failed", source);
            failure.decision = decision;
            failure
        }
        None => {
            let code = status.code();
            let message = format!("gRPC {code:?}: {}", status.message());
            ExportFailure::answered(decision, CollectorStatus::Grpc(code as i32), message)
        }
    }
}

/// `url` as the URI tonic connects to: scheme, host, port and path, without userinfo, query
/// or fragment.
fn grpc_uri(url: &url::Url, tls: bool) -> String {
    let mut bare = url.clone();
    if tls {
        // `Config::uses_tls`: certificates on an `http` endpoint ask for TLS too.
        let _ = bare.set_scheme("https");
    }
    // Only fails for URLs that cannot have credentials, which then have none to drop.
    let _ = bare.set_username("");
    let _ = bare.set_password(None);
    bare.set_query(None);
    bare.set_fragment(None);
    bare.to_string()
}
