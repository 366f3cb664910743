//! The two OTLP/HTTP body encodings, binary protobuf (`http/protobuf`) and OTLP JSON
//! (`http/json`): a request's bytes and `Content-Type`, and the reading of the collector's
//! answer in the same encoding (the spec has the server answer in the request's
//! `Content-Type`).

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceResponse;
use prost::Message;

use super::{ExportFailure, Exported};
use crate::otlp::config::Protocol;
use crate::otlp::json;

/// The longest collector message walrec puts in a failure's description.
const MESSAGE_CHARS: usize = 300;

/// How an OTLP/HTTP body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// Binary protobuf, `application/x-protobuf`.
    Protobuf,
    /// The OTLP JSON mapping, `application/json`.
    Json,
}

impl Encoding {
    /// The encoding `protocol` sends (protobuf for `grpc`, which has no HTTP body of its own).
    pub(crate) fn of(protocol: Protocol) -> Self {
        match protocol {
            Protocol::HttpJson => Encoding::Json,
            Protocol::Grpc | Protocol::HttpProtobuf => Encoding::Protobuf,
        }
    }

    /// The request's `Content-Type`.
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Encoding::Protobuf => "application/x-protobuf",
            Encoding::Json => "application/json",
        }
    }

    /// `request`'s body.
    pub(crate) fn encode<M>(self, request: &M) -> Result<Vec<u8>, ExportFailure>
    where
        M: Message + serde::Serialize,
    {
        match self {
            Encoding::Protobuf => Ok(request.encode_to_vec()),
            Encoding::Json => json::encode(request).map_err(|e| {
                ExportFailure::unusable(format!("cannot encode the OTLP request as JSON: {e}"))
            }),
        }
    }

    /// What a successful answer's body says. A body that does not decode counts as a full
    /// success: the status said the collector took the data, and the body only reports a
    /// partial success.
    pub(crate) fn answer<R: ExportResponse>(self, body: &[u8]) -> Exported {
        match self {
            Encoding::Protobuf => R::decode(body).map(R::exported).unwrap_or_default(),
            Encoding::Json => json::partial_success(body, R::REJECTED_JSON)
                .map(|(rejected_data_points, message)| Exported {
                    rejected_data_points,
                    message,
                })
                .unwrap_or_default(),
        }
    }

    /// The message of the `google.rpc.Status` a failed answer's body holds, if any, cut to
    /// [`MESSAGE_CHARS`] with control characters replaced (it goes into log lines).
    pub(crate) fn status_message(self, body: &[u8]) -> Option<String> {
        let message = match self {
            Encoding::Protobuf => tonic_types::Status::decode(body).ok()?.message,
            Encoding::Json => json::status_message(body)?,
        };
        let shown: String = message
            .chars()
            .take(MESSAGE_CHARS)
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        (!shown.trim().is_empty()).then_some(shown)
    }
}

/// An OTLP export response: its partial success, whichever the signal.
pub(crate) trait ExportResponse: Message + Default {
    /// The JSON names of the rejected-items count (lowerCamelCase, then the proto name).
    const REJECTED_JSON: [&'static str; 2];

    /// The partial success it reports (none: nothing rejected).
    fn exported(self) -> Exported;
}

/// A partial success of `rejected` items (a negative count is none) explained by `message`.
fn partial(rejected: i64, message: String) -> Exported {
    let rejected_data_points = u64::try_from(rejected).unwrap_or(0);
    Exported {
        rejected_data_points,
        message,
    }
}

impl ExportResponse for ExportMetricsServiceResponse {
    const REJECTED_JSON: [&'static str; 2] = ["rejectedDataPoints", "rejected_data_points"];

    fn exported(self) -> Exported {
        let answer = self.partial_success.unwrap_or_default();
        partial(answer.rejected_data_points, answer.error_message)
    }
}

#[cfg(feature = "traces")]
impl ExportResponse
    for opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceResponse
{
    const REJECTED_JSON: [&'static str; 2] = ["rejectedSpans", "rejected_spans"];

    fn exported(self) -> Exported {
        let answer = self.partial_success.unwrap_or_default();
        partial(answer.rejected_spans, answer.error_message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_message_is_cut_and_cleaned_for_a_log_line() {
        let long = format!("{{\"code\":3,\"message\":\"a\\nb{}\"}}", "x".repeat(1000));
        let shown = Encoding::Json
            .status_message(long.as_bytes())
            .unwrap_or_default();
        assert_eq!(shown.chars().count(), MESSAGE_CHARS);
        assert!(shown.starts_with("a b"), "{shown}");
        let status = tonic_types::Status {
            code: 3,
            message: "bad data".to_owned(),
            details: Vec::new(),
        };
        let bytes = status.encode_to_vec();
        assert_eq!(
            Encoding::Protobuf.status_message(&bytes).as_deref(),
            Some("bad data")
        );
        assert_eq!(Encoding::Json.status_message(b"<html>"), None);
    }
}
