//! OTLP/HTTP with protobuf bodies (`OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf`), via reqwest.

use std::io::Write;
use std::time::Duration;

use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use prost::Message;
use reqwest::header::{
    CONTENT_ENCODING, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER,
};

use super::{ExportFailure, Exported, TransportError, read_pem};
use crate::otlp::agent::retry::{RetryDecision, classify_http};
use crate::otlp::config::{Compression, Config, TlsConfig};

/// An HTTP client that POSTs protobuf-encoded requests to the metrics endpoint.
pub struct HttpTransport {
    client: reqwest::Client,
    url: String,
    gzip: bool,
}

fn with_tls(
    mut builder: reqwest::ClientBuilder,
    tls: &TlsConfig,
) -> Result<reqwest::ClientBuilder, TransportError> {
    if let Some(ca) = tls.ca_certificate() {
        let pem = read_pem(ca, "certificate")?;
        let certificate = reqwest::Certificate::from_pem(&pem)
            .map_err(|e| TransportError::Tls(format!("{}: {e}", ca.display())))?;
        builder = builder.add_root_certificate(certificate);
    }
    match (tls.client_certificate(), tls.client_key()) {
        (Some(cert), Some(key)) => {
            let mut pem = read_pem(cert, "client certificate")?;
            pem.extend_from_slice(b"\n");
            pem.extend_from_slice(&read_pem(key, "client key")?);
            let identity = reqwest::Identity::from_pem(&pem)
                .map_err(|e| TransportError::Tls(e.to_string()))?;
            builder = builder.identity(identity);
        }
        (None, None) => {}
        _ => return Err(TransportError::HalfIdentity),
    }
    Ok(builder)
}

fn headers(config: &Config) -> Result<HeaderMap, TransportError> {
    let mut map = HeaderMap::new();
    for (name, value) in config.headers().iter() {
        let key = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| TransportError::HeaderName(name.to_owned()))?;
        let mut value = HeaderValue::from_str(value.expose())
            .map_err(|_| TransportError::HeaderValue(name.to_owned()))?;
        value.set_sensitive(true);
        map.insert(key, value);
    }
    map.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/x-protobuf"),
    );
    Ok(map)
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes)?;
    encoder.finish()
}

/// `Retry-After` in delay-seconds form (the HTTP-date form is rare from collectors and ignored).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

impl HttpTransport {
    /// A client for `config`'s endpoint, TLS, compression and headers.
    pub fn new(config: &Config) -> Result<Self, TransportError> {
        let builder = reqwest::Client::builder()
            .timeout(config.timeout())
            .default_headers(headers(config)?);
        let client = with_tls(builder, config.tls())?
            .build()
            .map_err(|e| TransportError::Http(e.to_string()))?;
        Ok(HttpTransport {
            client,
            url: config.endpoint().to_owned(),
            gzip: config.compression() == Compression::Gzip,
        })
    }

    /// POSTs one request; classifies a failure for the retry loop.
    pub async fn export(
        &mut self,
        request: ExportMetricsServiceRequest,
    ) -> Result<Exported, ExportFailure> {
        let mut body = request.encode_to_vec();
        let mut post = self.client.post(&self.url);
        if self.gzip {
            body = gzip(&body).map_err(|e| failure(RetryDecision::GiveUp, e.to_string()))?;
            post = post.header(CONTENT_ENCODING, "gzip");
        }
        let response = post.body(body).send().await.map_err(|e| {
            // Connection refused, reset or timed out: the collector may come back.
            failure(RetryDecision::Retry { throttle: None }, e.to_string())
        })?;
        let status = response.status();
        if !status.is_success() {
            let decision = classify_http(status.as_u16(), retry_after(response.headers()));
            return Err(failure(decision, format!("HTTP {status}")));
        }
        let bytes = response.bytes().await.unwrap_or_default();
        let partial = ExportMetricsServiceResponse::decode(bytes.as_ref())
            .ok()
            .and_then(|r| r.partial_success)
            .unwrap_or_default();
        Ok(Exported {
            rejected_data_points: u64::try_from(partial.rejected_data_points).unwrap_or(0),
            message: partial.error_message,
        })
    }
}

fn failure(decision: RetryDecision, message: String) -> ExportFailure {
    ExportFailure { decision, message }
}
