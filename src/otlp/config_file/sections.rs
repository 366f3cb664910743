//! The top of the file: `file_format`, `disabled`, `attribute_limits`, `resource` and
//! `propagator`; the providers are in [`providers`](super::providers).
//!
//! | key | variable |
//! | --- | --- |
//! | `disabled` | `OTEL_SDK_DISABLED` |
//! | `attribute_limits.attribute_value_length_limit`, `.attribute_count_limit` | `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`, `OTEL_ATTRIBUTE_COUNT_LIMIT` |
//! | `resource.attributes`, `resource.attributes_list` | `OTEL_RESOURCE_ATTRIBUTES` (`service.name` among them) |
//! | `propagator.composite`, `propagator.composite_list` | `OTEL_PROPAGATORS` (`none` when the file has no `propagator`) |

use super::providers::{self, COUNT};
use super::scalar::{Kind, encode, is_list_key};
use super::walk::{Fields, Keys, Walk};
use super::yaml::Node;
use crate::otlp::config::env::*;

const ROOT: Keys<'static> = Keys {
    known: &[
        "file_format",
        "disabled",
        "attribute_limits",
        "resource",
        "propagator",
        "meter_provider",
        "tracer_provider",
    ],
    refused: &[
        (
            "log_level",
            "walrec logs through `tracing`; its level is the subscriber's \
             (RUST_LOG for the walrec command)",
        ),
        (
            "logger_provider",
            "walrec exports metrics and traces, no logs",
        ),
        (
            "instrumentation/development",
            "walrec has no instrumentation libraries to configure",
        ),
    ],
};
const ATTRIBUTE_LIMITS: Keys<'static> = Keys {
    known: &["attribute_value_length_limit", "attribute_count_limit"],
    refused: &[],
};
const RESOURCE: Keys<'static> = Keys {
    known: &["attributes", "attributes_list"],
    refused: &[
        (
            "detection/development",
            "walrec detects no resource attributes; list them under resource.attributes",
        ),
        (
            "schema_url",
            "walrec's resource has no schema URL; remove resource.schema_url",
        ),
    ],
};
const ATTRIBUTE: Keys<'static> = Keys {
    known: &["name", "value", "type"],
    refused: &[],
};
const PROPAGATOR: Keys<'static> = Keys {
    known: &["composite", "composite_list"],
    refused: &[],
};
/// The schema's built-in propagators.
const TEXT_MAP_PROPAGATOR: Keys<'static> = Keys {
    known: &[
        "tracecontext",
        "baggage",
        "b3",
        "b3multi",
        "jaeger",
        "ottrace",
    ],
    refused: &[],
};
const NO_SETTINGS: Keys<'static> = Keys {
    known: &[],
    refused: &[],
};
/// The schema's attribute types.
const ATTRIBUTE_TYPES: [&str; 8] = [
    "string",
    "bool",
    "int",
    "double",
    "string_array",
    "bool_array",
    "int_array",
    "double_array",
];

/// The whole file.
pub(super) fn root(w: &mut Walk<'_>, node: &Node) {
    let Some(fields) = w.mapping(node, "", &ROOT, false) else {
        return;
    };
    file_format(w, &fields);
    if let Some(node) = fields.get("disabled") {
        let path = fields.path("disabled");
        if let Some(disabled) = w.boolean(node, &path) {
            w.set(OTEL_SDK_DISABLED, disabled.to_string(), &path, node.line);
        }
    }
    if let Some(node) = fields.get("attribute_limits") {
        let path = fields.path("attribute_limits");
        if let Some(limits) = w.mapping(node, &path, &ATTRIBUTE_LIMITS, false) {
            let length = OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT;
            w.set_integer(&limits, "attribute_value_length_limit", length, 0, COUNT);
            let count = OTEL_ATTRIBUTE_COUNT_LIMIT;
            w.set_integer(&limits, "attribute_count_limit", count, 0, COUNT);
        }
    }
    if let Some(node) = fields.get("resource") {
        resource(w, node, &fields.path("resource"));
    }
    propagator(w, &fields);
    providers::meter_provider(w, &fields);
    providers::tracer_provider(w, &fields);
}

/// `file_format`: required, a string naming a 1.x release of the schema.
fn file_format(w: &mut Walk<'_>, fields: &Fields<'_>) {
    let Some(node) = w.required(fields, "file_format") else {
        return;
    };
    let path = fields.path("file_format");
    let Some(text) = w.scalar(node, &path) else {
        return;
    };
    if text.kind != Kind::Str {
        let message = format!(
            "expected a string such as \"1.0\" (quoted: unquoted, 1.0 is a number), got {:?}",
            text.text
        );
        w.problem(&path, node.line, message);
    } else if let Some(why) = unsupported_format(&text.text) {
        w.problem(&path, node.line, why);
    }
}

/// `None` for a version walrec reads: a 1.x release (the schema's versioning: a file of the
/// same major version is read; keys a later minor version adds are unknown keys here). Else
/// why not.
fn unsupported_format(version: &str) -> Option<String> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (number, pre_release) = match version.split_once('-') {
        Some((number, pre)) => (number, Some(pre)),
        None => (version, None),
    };
    let major = number
        .split_once('.')
        .filter(|(major, minor)| digits(major) && digits(minor))
        .map(|(major, _)| major);
    match (major, pre_release) {
        (Some("1"), None) => None,
        (Some("1"), Some(_)) => Some(format!(
            "{version:?} is a pre-release of the schema, whose keys differ from the release's; \
             walrec reads its 1.x releases (file_format: \"1.0\")"
        )),
        (Some(_), _) => Some(format!(
            "{version:?} is another major version of the schema, whose keys differ; \
             walrec reads its 1.x releases (file_format: \"1.0\")"
        )),
        (None, _) => Some(format!(
            "expected a version such as \"1.0\", got {version:?}"
        )),
    }
}

/// `resource`: its attributes, into `OTEL_RESOURCE_ATTRIBUTES`.
fn resource(w: &mut Walk<'_>, node: &Node, path: &str) {
    let Some(fields) = w.mapping(node, path, &RESOURCE, false) else {
        return;
    };
    let keys = ("attributes_list", "attributes");
    w.set_list(&fields, keys, OTEL_RESOURCE_ATTRIBUTES, attribute_pairs);
}

/// `resource.attributes` as `name=value` entries, values percent-encoded. walrec's resource
/// attributes are strings (as the variable gives them), so a value of another type is
/// refused rather than turned into text.
fn attribute_pairs(w: &mut Walk<'_>, node: &Node, path: &str) -> Vec<String> {
    let mut pairs = Vec::new();
    for fields in w.mappings(node, path, &ATTRIBUTE) {
        let name = w.required_string(&fields, "name");
        let string_typed = fields.get("type").is_none_or(|node| {
            let path = fields.path("type");
            let kind = w.choice(node, &path, &ATTRIBUTE_TYPES);
            if kind.is_some_and(|kind| kind != "string") {
                let message = "not supported by walrec: its resource attributes are strings \
                               (as OTEL_RESOURCE_ATTRIBUTES gives them); quote the value and \
                               leave type out";
                w.problem(&path, node.line, message);
            }
            kind.is_none_or(|kind| kind == "string")
        });
        let value = string_typed
            .then(|| w.required_string(&fields, "value"))
            .flatten();
        let (Some(name), Some(value)) = (name, value) else {
            continue;
        };
        if !is_list_key(&name) {
            let message = format!(
                "{name:?} cannot be a resource attribute name in walrec: \
                 it must not be blank, hold ',' or '=', or start or end with a space"
            );
            w.problem(&fields.path("name"), fields.line, message);
            continue;
        }
        pairs.push(format!("{name}={}", encode(&value)));
    }
    pairs
}

/// `propagator`, into `OTEL_PROPAGATORS`: the `composite` entries, then those of
/// `composite_list` not already named (the schema: appended, duplicates filtered out); `none`
/// when there are none, or when the file has no `propagator` (the schema's default, a no-op
/// propagator).
fn propagator(w: &mut Walk<'_>, root: &Fields<'_>) {
    let section = (OTEL_PROPAGATORS, &PROPAGATOR);
    let Some(fields) = w.section_or_none(root, "propagator", section) else {
        return;
    };
    let mut names: Vec<String> = Vec::new();
    if let Some(list) = fields.get("composite") {
        let list_path = fields.path("composite");
        for (index, item) in w
            .list(list, &list_path)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let item_path = format!("{list_path}[{index}]");
            if let Some((entry, entry_path)) = w.one_of(item, &item_path, &TEXT_MAP_PROPAGATOR) {
                w.mapping(&entry.node, &entry_path, &NO_SETTINGS, true);
                names.push(entry.key.clone());
            }
        }
    }
    if let Some(node) = fields.get("composite_list") {
        if let Some(list) = w.string(node, &fields.path("composite_list")) {
            names.extend(list.split(',').map(str::trim).map(str::to_owned));
        }
    }
    let mut unique: Vec<String> = Vec::new();
    for name in names.into_iter().filter(|n| !n.is_empty()) {
        if !unique.contains(&name) {
            unique.push(name);
        }
    }
    let value = if unique.is_empty() {
        "none".to_owned()
    } else {
        unique.join(",")
    };
    w.set(OTEL_PROPAGATORS, value, &fields.path, fields.line);
}
