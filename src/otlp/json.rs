//! OTLP JSON: walrec's one encoding of OTLP messages as JSON (the `http/json` request bodies
//! and the `walrec report --otlp-json` lines), and the reading of a collector's JSON answers.
//!
//! opentelemetry-proto's serde derives give the OTLP JSON spellings: lowerCamelCase field
//! names, trace and span ids as hex strings (not base64), enum values as integers, 64-bit
//! integers as decimal strings. They also write an absent optional field (a delta histogram
//! point's `min` and `max`, a span without `status`, an attribute without a value) as `null`.
//! The protobuf JSON mapping reads `null` as "not set", but the OpenTelemetry Collector's
//! decoder refuses `null` where it expects a number (`"min": null` fails the whole request
//! with HTTP 400), so [`encode`] leaves such fields out, as a protobuf JSON encoder does.
//! (serde_json also writes a NaN or infinite double as `null`, which would then be left out
//! too; walrec's doubles are integer counts and nanoseconds scaled, never such values.)

use serde::Serialize;
use serde_json::{Map, Value};

/// `message` in the OTLP JSON encoding, absent fields left out.
pub(crate) fn encode<M: Serialize>(message: &M) -> Result<Vec<u8>, serde_json::Error> {
    let mut value = serde_json::to_value(message)?;
    drop_nulls(&mut value);
    serde_json::to_vec(&value)
}

/// Removes every object member whose value is `null`, at any depth.
fn drop_nulls(value: &mut Value) {
    match value {
        Value::Object(members) => {
            members.retain(|_, member| !member.is_null());
            members.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

/// The partial success of an OTLP JSON export response (`ExportMetricsServiceResponse` or
/// `ExportTraceServiceResponse`): the count of rejected items, whose field is named by
/// `rejected` (its lowerCamelCase and its proto name: a protobuf JSON decoder accepts both),
/// and `errorMessage`. An absent `partialSuccess` (`{}`, the usual answer) or an absent field
/// is zero or empty; a negative count is zero. `None` when the body is not a JSON object.
pub(crate) fn partial_success(body: &[u8], rejected: [&str; 2]) -> Option<(u64, String)> {
    let response = object(body)?;
    let Some(Value::Object(partial)) = member(&response, ["partialSuccess", "partial_success"])
    else {
        return Some((0, String::new()));
    };
    let count = member(partial, rejected).map_or(0, int64_count);
    let message = member(partial, ["errorMessage", "error_message"])
        .and_then(Value::as_str)
        .unwrap_or_default();
    Some((count, message.to_owned()))
}

/// The `message` of a `google.rpc.Status` in JSON (what an OTLP/HTTP collector answers a
/// failed `http/json` request with), if the body is one and the message is not empty.
pub(crate) fn status_message(body: &[u8]) -> Option<String> {
    let status = object(body)?;
    let message = status.get("message")?.as_str()?;
    (!message.is_empty()).then(|| message.to_owned())
}

/// The body as a JSON object.
fn object(body: &[u8]) -> Option<Map<String, Value>> {
    match serde_json::from_slice(body).ok()? {
        Value::Object(members) => Some(members),
        _ => None,
    }
}

/// The member named by either spelling.
fn member<'a>(object: &'a Map<String, Value>, names: [&str; 2]) -> Option<&'a Value> {
    names.iter().find_map(|name| object.get(*name))
}

/// A protobuf JSON `int64`: a number or a decimal string; negative or unreadable is 0.
fn int64_count(value: &Value) -> u64 {
    match value {
        Value::Number(number) => number.as_u64().unwrap_or(0),
        Value::String(text) => text.trim().parse::<u64>().unwrap_or(0),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nulls_are_left_out_at_any_depth_and_other_values_kept() {
        let mut value = serde_json::json!({
            "a": null,
            "b": [{"min": null, "max": 1.5, "c": []}],
            "d": {"e": null, "f": "x"}
        });
        drop_nulls(&mut value);
        let expected = serde_json::json!({"b": [{"max": 1.5, "c": []}], "d": {"f": "x"}});
        assert_eq!(value, expected);
    }

    #[test]
    fn a_partial_success_is_read_in_either_spelling_with_either_integer_form() {
        let rejected = ["rejectedDataPoints", "rejected_data_points"];
        let cases: [(&str, Option<(u64, String)>); 7] = [
            ("{}", Some((0, String::new()))),
            ("{\"partialSuccess\":{}}", Some((0, String::new()))),
            (
                "{\"partialSuccess\":{\"rejectedDataPoints\":\"3\",\"errorMessage\":\"bad\"}}",
                Some((3, "bad".to_owned())),
            ),
            (
                "{\"partial_success\":{\"rejected_data_points\":4}}",
                Some((4, String::new())),
            ),
            (
                "{\"partialSuccess\":{\"rejectedDataPoints\":-2}}",
                Some((0, String::new())),
            ),
            ("", None),
            ("[1]", None),
        ];
        for (body, expected) in cases {
            assert_eq!(
                partial_success(body.as_bytes(), rejected),
                expected,
                "{body}"
            );
        }
    }

    #[test]
    fn a_status_message_is_read_from_a_json_status() {
        let body = br#"{"code":3,"message":"ReadMetricsJSON: bad","details":[]}"#;
        assert_eq!(
            status_message(body).as_deref(),
            Some("ReadMetricsJSON: bad")
        );
        assert_eq!(status_message(br#"{"code":3}"#), None);
        assert_eq!(status_message(b"not json"), None);
    }
}
