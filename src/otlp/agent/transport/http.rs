//! OTLP/HTTP (`OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf` or `http/json`), via reqwest: the
//! same endpoint, TLS, compression, headers, timeouts, response cap and retry rules for both
//! body encodings.

use std::io::Write;
use std::time::Duration;

use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use reqwest::header::{
    CONTENT_ENCODING, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER,
};

use super::encoding::Encoding;
use super::{ExportFailure, Exported, MAX_RESPONSE_BYTES, TransportError, read_pem};
use crate::otlp::agent::error::CollectorStatus;
use crate::otlp::agent::retry::classify_http;
use crate::otlp::config::{Compression, Config, TlsConfig};

/// How long a failed answer's body may take to arrive, for its status message: not the
/// attempt's whole timeout, so that a slowly dribbled error body cannot turn a refusal into
/// a time-out.
const ERROR_BODY_BOUND: Duration = Duration::from_secs(1);

/// An HTTP client that POSTs encoded requests to the configured endpoint (the signal's URL).
pub(crate) struct HttpTransport {
    client: reqwest::Client,
    url: String,
    gzip: bool,
    encoding: Encoding,
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

fn headers(config: &Config, encoding: Encoding) -> Result<HeaderMap, TransportError> {
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
        HeaderValue::from_static(encoding.content_type()),
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
    /// A client for `config`'s endpoint, TLS, compression, headers and body encoding.
    pub(crate) fn new(config: &Config) -> Result<Self, TransportError> {
        let encoding = Encoding::of(config.protocol());
        // No redirects: one could send the headers (secrets) to another host, and an OTLP
        // collector has no reason to redirect.
        let builder = reqwest::Client::builder()
            .timeout(config.timeout())
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers(config, encoding)?);
        let client = with_tls(builder, config.tls())?
            .build()
            .map_err(|e| TransportError::Http(e.to_string()))?;
        let mut url = config.endpoint_url().clone();
        if config.uses_tls() {
            // `Config::uses_tls`, the one rule for both transports: certificates on an `http`
            // endpoint ask for TLS too.
            let _ = url.set_scheme("https");
        }
        Ok(HttpTransport {
            client,
            url: url.to_string(),
            gzip: config.compression() == Compression::Gzip,
            encoding,
        })
    }

    /// POSTs one request; classifies a failure for the retry loop.
    pub(crate) async fn export(
        &mut self,
        request: ExportMetricsServiceRequest,
    ) -> Result<Exported, ExportFailure> {
        let bytes = self.post(self.encoding.encode(&request)?).await?;
        Ok(self.encoding.answer::<ExportMetricsServiceResponse>(&bytes))
    }

    /// POSTs one trace request (to this transport's URL: built from a traces configuration,
    /// `/v1/traces`).
    #[cfg(feature = "traces")]
    pub(crate) async fn export_traces(
        &mut self,
        request: opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest,
    ) -> Result<Exported, ExportFailure> {
        use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceResponse;
        let bytes = self.post(self.encoding.encode(&request)?).await?;
        Ok(self.encoding.answer::<ExportTraceServiceResponse>(&bytes))
    }

    /// POSTs an encoded request body; the response body, read within the cap.
    async fn post(&mut self, mut body: Vec<u8>) -> Result<Vec<u8>, ExportFailure> {
        let mut post = self.client.post(&self.url);
        if self.gzip {
            body = gzip(&body).map_err(|e| {
                ExportFailure::unusable(format!("cannot gzip the OTLP request: {e}"))
            })?;
            post = post.header(CONTENT_ENCODING, "gzip");
        }
        let response =
            post.body(body).send().await.map_err(|e| {
                ExportFailure::transport("OTLP/HTTP request failed", &e.without_url())
            })?;
        let status = response.status();
        if !status.is_success() {
            let decision = classify_http(status.as_u16(), retry_after(response.headers()));
            let answer = CollectorStatus::Http(status.as_u16());
            let message = match self.status_message(response).await {
                Some(said) => format!("HTTP {status}: {said}"),
                None => format!("HTTP {status}"),
            };
            return Err(ExportFailure::answered(decision, answer, message));
        }
        read_capped(response).await
    }

    /// The message of the `google.rpc.Status` a failed answer carries in this transport's
    /// encoding (the spec's error body), if it has one and it arrives within
    /// [`ERROR_BODY_BOUND`]; another body (a proxy's HTML page, say) is not read.
    async fn status_message(&self, response: reqwest::Response) -> Option<String> {
        let content_type = response.headers().get(CONTENT_TYPE)?.to_str().ok()?;
        let ours = self.encoding.content_type();
        if !content_type.trim().to_ascii_lowercase().starts_with(ours) {
            return None;
        }
        let body = tokio::time::timeout(ERROR_BODY_BOUND, read_capped(response))
            .await
            .ok()?
            .ok()?;
        self.encoding.status_message(&body)
    }
}

/// The whole body, read chunk by chunk with a running total, failing as soon as it would pass
/// [`MAX_RESPONSE_BYTES`] (whatever `Content-Length` says, which an endless chunked body does
/// not have). A body that breaks off is a transport failure, never a success.
async fn read_capped(mut response: reqwest::Response) -> Result<Vec<u8>, ExportFailure> {
    let too_large = || {
        ExportFailure::unusable(format!(
            "the collector's response body is larger than the {} MiB walrec reads; \
             it is not an OTLP response (is the endpoint a collector?)",
            MAX_RESPONSE_BYTES >> 20
        ))
    };
    if response
        .content_length()
        .is_some_and(|length| length > MAX_RESPONSE_BYTES as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| {
        ExportFailure::transport("reading the OTLP/HTTP response failed", &e.without_url())
    })? {
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
