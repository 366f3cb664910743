//! OTLP/gRPC: the `MetricsService/Export` call through tonic.

use std::time::Duration;

use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsServiceRequest, metrics_service_client::MetricsServiceClient,
};
use tonic::codec::CompressionEncoding;
use tonic::metadata::{MetadataKey, MetadataMap, MetadataValue};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};
use tonic_types::StatusExt;

use super::{ExportFailure, Exported, TransportError, read_pem};
use crate::otlp::agent::retry::classify_grpc;
use crate::otlp::config::{Compression, Config, TlsConfig};

/// A lazily connecting gRPC client: creating it never touches the network, so a collector that
/// is down at start-up only shows as failed exports.
pub struct GrpcTransport {
    client: MetricsServiceClient<Channel>,
    headers: MetadataMap,
}

fn tls_config(tls: &TlsConfig, https: bool) -> Result<Option<ClientTlsConfig>, TransportError> {
    if !https && !tls.has_files() {
        return Ok(None);
    }
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
    pub fn new(config: &Config) -> Result<Self, TransportError> {
        let endpoint = config.endpoint().to_owned();
        let https = endpoint.starts_with("https://");
        let mut channel = Endpoint::from_shared(endpoint.clone())
            .map_err(|_| TransportError::Endpoint(endpoint.clone()))?
            .connect_timeout(config.timeout().min(Duration::from_secs(5)))
            .timeout(config.timeout());
        if let Some(tls) = tls_config(config.tls(), https)? {
            channel = channel
                .tls_config(tls)
                .map_err(|e| TransportError::Tls(e.to_string()))?;
        }
        let mut client = MetricsServiceClient::new(channel.connect_lazy());
        if config.compression() == Compression::Gzip {
            client = client.send_compressed(CompressionEncoding::Gzip);
        }
        client = client.accept_compressed(CompressionEncoding::Gzip);
        Ok(GrpcTransport {
            client,
            headers: metadata(config)?,
        })
    }

    /// Sends one request; classifies a failure for the retry loop.
    pub async fn export(
        &mut self,
        request: ExportMetricsServiceRequest,
    ) -> Result<Exported, ExportFailure> {
        let mut call = tonic::Request::new(request);
        *call.metadata_mut() = self.headers.clone();
        match self.client.export(call).await {
            Ok(response) => {
                let partial = response.into_inner().partial_success.unwrap_or_default();
                Ok(Exported {
                    rejected_data_points: u64::try_from(partial.rejected_data_points).unwrap_or(0),
                    message: partial.error_message,
                })
            }
            Err(status) => {
                let throttle = status
                    .get_details_retry_info()
                    .and_then(|info| info.retry_delay);
                Err(ExportFailure {
                    decision: classify_grpc(status.code(), throttle),
                    message: format!("gRPC {:?}: {}", status.code(), status.message()),
                })
            }
        }
    }
}
