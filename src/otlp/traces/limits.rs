//! The attribute value length limit (`OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT`, else
//! `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`), applied as the span is exported: the SDK applies the
//! count limits but has no value length limit, so walrec truncates here, as the
//! specification says: every string value of a span's, event's or link's attributes, and each
//! string in an array, to at most that many characters. Resource attributes are not span
//! attributes and are left whole.

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue};

/// Truncates every span, event and link attribute string of `request` to `limit` characters.
pub(crate) fn truncate_attribute_values(request: &mut ExportTraceServiceRequest, limit: usize) {
    let scopes = request
        .resource_spans
        .iter_mut()
        .flat_map(|r| &mut r.scope_spans);
    for span in scopes.flat_map(|s| &mut s.spans) {
        truncate_all(&mut span.attributes, limit);
        for event in &mut span.events {
            truncate_all(&mut event.attributes, limit);
        }
        for link in &mut span.links {
            truncate_all(&mut link.attributes, limit);
        }
    }
}

fn truncate_all(attributes: &mut [KeyValue], limit: usize) {
    for value in attributes.iter_mut().filter_map(|kv| kv.value.as_mut()) {
        truncate_value(value, limit);
    }
}

fn truncate_value(value: &mut AnyValue, limit: usize) {
    match &mut value.value {
        Some(Value::StringValue(text)) => {
            if let Some((cut, _)) = text.char_indices().nth(limit) {
                text.truncate(cut);
            }
        }
        Some(Value::ArrayValue(array)) => {
            for item in &mut array.values {
                truncate_value(item, limit);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::common::v1::ArrayValue;

    fn text(s: &str) -> AnyValue {
        AnyValue {
            value: Some(Value::StringValue(s.to_owned())),
        }
    }

    #[test]
    fn strings_and_string_arrays_are_cut_on_characters() {
        let mut value = text("héllo");
        truncate_value(&mut value, 2);
        assert_eq!(value, text("hé"));
        let mut array = AnyValue {
            value: Some(Value::ArrayValue(ArrayValue {
                values: vec![text("abcdef"), text("xy")],
            })),
        };
        truncate_value(&mut array, 3);
        let Some(Value::ArrayValue(array)) = array.value else {
            panic!("not an array")
        };
        assert_eq!(array.values, vec![text("abc"), text("xy")]);
        let mut zero = text("abc");
        truncate_value(&mut zero, 0);
        assert_eq!(zero, text(""));
    }
}
