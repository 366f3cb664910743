//! The OTLP resource (who is reporting) and instrumentation scope (what is reporting).

use opentelemetry_proto::tonic::common::v1::{
    AnyValue, InstrumentationScope, KeyValue, any_value::Value,
};
use opentelemetry_proto::tonic::resource::v1::Resource;

use crate::telemetry::CLOCK_RESOLUTION_ATTRIBUTE;
use crate::telemetry::{INSTRUMENTATION_SCOPE, clock};

/// A string attribute.
pub(crate) fn string_attribute(key: &str, value: &str) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue {
            value: Some(Value::StringValue(value.to_owned())),
        }),
        ..KeyValue::default()
    }
}

pub(crate) fn int_attribute(key: &str, value: i64) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue {
            value: Some(Value::IntValue(value)),
        }),
        ..KeyValue::default()
    }
}

/// The resource: `service.name`, `service.instance.id`, `host.name`, `process.pid`,
/// `telemetry.sdk.*` and the clock's resolution ([`CLOCK_RESOLUTION_ATTRIBUTE`]), then the user's attributes (from `OTEL_RESOURCE_ATTRIBUTES`), which
/// override the detected ones except `service.name`, which `service_name` decides, as the
/// OpenTelemetry specification gives `OTEL_SERVICE_NAME` precedence.
pub(crate) fn resource(service_name: &str, user_attributes: &[(String, String)]) -> Resource {
    let host = gethostname::gethostname().to_string_lossy().into_owned();
    let mut attributes = vec![
        string_attribute("service.instance.id", &uuid::Uuid::new_v4().to_string()),
        string_attribute("host.name", &host),
        int_attribute("process.pid", i64::from(std::process::id())),
        string_attribute("telemetry.sdk.name", INSTRUMENTATION_SCOPE),
        string_attribute("telemetry.sdk.language", "rust"),
        string_attribute("telemetry.sdk.version", env!("CARGO_PKG_VERSION")),
        int_attribute(
            CLOCK_RESOLUTION_ATTRIBUTE,
            i64::try_from(clock::resolution_ps()).unwrap_or(i64::MAX),
        ),
    ];
    for (key, value) in user_attributes.iter().filter(|(k, _)| k != "service.name") {
        attributes.retain(|existing| &existing.key != key);
        attributes.push(string_attribute(key, value));
    }
    attributes.insert(0, string_attribute("service.name", service_name));
    Resource {
        attributes,
        ..Resource::default()
    }
}

/// The instrumentation scope: `walrec` and this crate's version.
pub(crate) fn scope() -> InstrumentationScope {
    scope_named(INSTRUMENTATION_SCOPE)
}

/// A scope of this crate's (`walrec`, or the agent's own `walrec.agent`) at its version.
pub(crate) fn scope_named(name: &str) -> InstrumentationScope {
    InstrumentationScope {
        name: name.to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        ..InstrumentationScope::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value_of<'a>(resource: &'a Resource, key: &str) -> Option<&'a Value> {
        let kv = resource.attributes.iter().find(|kv| kv.key == key)?;
        kv.value.as_ref()?.value.as_ref()
    }

    #[test]
    fn service_name_wins_and_user_attributes_override_detected_ones() {
        let user = vec![
            ("service.name".to_owned(), "ignored".to_owned()),
            ("host.name".to_owned(), "override".to_owned()),
            ("deployment.environment".to_owned(), "prod".to_owned()),
        ];
        let r = resource("replayer", &user);
        let text = |key| match value_of(&r, key) {
            Some(Value::StringValue(s)) => s.clone(),
            other => panic!("{key}: {other:?}"),
        };
        assert_eq!(text("service.name"), "replayer");
        assert_eq!(text("host.name"), "override");
        assert_eq!(text("deployment.environment"), "prod");
        assert_eq!(text("telemetry.sdk.language"), "rust");
        assert!(matches!(
            value_of(&r, "process.pid"),
            Some(Value::IntValue(_))
        ));
        let names: Vec<_> = r.attributes.iter().map(|kv| &kv.key).collect();
        let mut unique = names.clone();
        unique.dedup();
        assert_eq!(names.len(), unique.len(), "no duplicate keys: {names:?}");
    }
}
