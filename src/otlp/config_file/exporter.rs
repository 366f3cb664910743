//! The OTLP exporters (`otlp_grpc`, `otlp_http`) of either signal, into that signal's own
//! variables (`OTEL_EXPORTER_OTLP_METRICS_*` or `OTEL_EXPORTER_OTLP_TRACES_*`), which are
//! used as given: an `otlp_http` endpoint is the full URL, signal path included, as the
//! schema says of it and as the environment says of the per-signal endpoint.
//!
//! | key | variable (`X` = `METRICS` or `TRACES`) |
//! | --- | --- |
//! | `otlp_grpc` / `otlp_http` (+ `encoding`) | `OTEL_EXPORTER_OTLP_X_PROTOCOL` = `grpc` / `http/protobuf` (`http/json`) |
//! | `endpoint` | `OTEL_EXPORTER_OTLP_X_ENDPOINT` |
//! | `headers`, `headers_list` | `OTEL_EXPORTER_OTLP_X_HEADERS` |
//! | `compression` | `OTEL_EXPORTER_OTLP_X_COMPRESSION` |
//! | `timeout` | `OTEL_EXPORTER_OTLP_X_TIMEOUT` |
//! | `tls.ca_file`, `tls.key_file`, `tls.cert_file` | `OTEL_EXPORTER_OTLP_X_CERTIFICATE`, `_CLIENT_KEY`, `_CLIENT_CERTIFICATE` |
//! | `tls.insecure` (gRPC) | `OTEL_EXPORTER_OTLP_X_INSECURE` |

use std::path::Path;

use super::scalar::{encode, is_list_key};
use super::walk::{Fields, Keys, Walk};
use super::yaml::Node;
use crate::otlp::config::env::*;

/// One signal's exporter variables.
pub(super) struct SignalVars {
    protocol: &'static str,
    endpoint: &'static str,
    headers: &'static str,
    timeout: &'static str,
    compression: &'static str,
    insecure: &'static str,
    certificate: &'static str,
    client_key: &'static str,
    client_certificate: &'static str,
}

/// The meter provider's exporter.
pub(super) const METRICS: SignalVars = SignalVars {
    protocol: OTEL_EXPORTER_OTLP_METRICS_PROTOCOL,
    endpoint: OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
    headers: OTEL_EXPORTER_OTLP_METRICS_HEADERS,
    timeout: OTEL_EXPORTER_OTLP_METRICS_TIMEOUT,
    compression: OTEL_EXPORTER_OTLP_METRICS_COMPRESSION,
    insecure: OTEL_EXPORTER_OTLP_METRICS_INSECURE,
    certificate: OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE,
    client_key: OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY,
    client_certificate: OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE,
};

/// The tracer provider's exporter.
pub(super) const TRACES: SignalVars = SignalVars {
    protocol: OTEL_EXPORTER_OTLP_TRACES_PROTOCOL,
    endpoint: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
    headers: OTEL_EXPORTER_OTLP_TRACES_HEADERS,
    timeout: OTEL_EXPORTER_OTLP_TRACES_TIMEOUT,
    compression: OTEL_EXPORTER_OTLP_TRACES_COMPRESSION,
    insecure: OTEL_EXPORTER_OTLP_TRACES_INSECURE,
    certificate: OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE,
    client_key: OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY,
    client_certificate: OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE,
};

/// The transport an exporter key names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Transport {
    /// `otlp_grpc`.
    Grpc,
    /// `otlp_http`.
    Http,
}

/// The keys both OTLP exporters have, of either signal.
const OTLP_KEYS: [&str; 6] = [
    "endpoint",
    "tls",
    "headers",
    "headers_list",
    "compression",
    "timeout",
];
const GRPC_TLS: Keys<'static> = Keys {
    known: &["ca_file", "key_file", "cert_file", "insecure"],
    refused: &[],
};
const HTTP_TLS: Keys<'static> = Keys {
    known: &["ca_file", "key_file", "cert_file"],
    refused: &[],
};
const HEADER: Keys<'static> = Keys {
    known: &["name", "value"],
    refused: &[],
};

/// What `timeout`, `export_timeout` and `interval` expect.
pub(super) const MILLIS: &str = "a whole number of milliseconds";

/// Translates the exporter at `path` (its key's value) into `vars`; the exporter's fields,
/// for the caller's own keys, `extra` (the metric exporter's temporality and histogram).
pub(super) fn otlp<'n>(
    w: &mut Walk<'_>,
    (node, path): (&'n Node, &str),
    transport: Transport,
    vars: &SignalVars,
    extra: &[&str],
) -> Option<Fields<'n>> {
    let mut known = OTLP_KEYS.to_vec();
    if transport == Transport::Http {
        known.push("encoding");
    }
    known.extend_from_slice(extra);
    let keys = Keys {
        known: &known,
        refused: &[],
    };
    let fields = w.mapping(node, path, &keys, true)?;
    protocol(w, &fields, transport, vars);
    w.set_string(&fields, "endpoint", vars.endpoint);
    w.set_list(
        &fields,
        ("headers_list", "headers"),
        vars.headers,
        header_pairs,
    );
    w.set_string(&fields, "compression", vars.compression);
    set_timeout(w, &fields, "timeout", vars.timeout);
    if let Some(tls_node) = fields.get("tls") {
        tls(w, (tls_node, &fields.path("tls")), transport, vars);
    }
    Some(fields)
}

/// `grpc`, or `http/protobuf` (`http/json` with `encoding: json`).
fn protocol(w: &mut Walk<'_>, fields: &Fields<'_>, transport: Transport, vars: &SignalVars) {
    let (path, line) = (fields.path.clone(), fields.line);
    if transport == Transport::Grpc {
        w.set(vars.protocol, "grpc", &path, line);
        return;
    }
    let encoding = fields.get("encoding").and_then(|node| {
        let path = fields.path("encoding");
        let found = w.choice(node, &path, &["protobuf", "json"])?;
        Some((found, path, node.line))
    });
    match encoding {
        Some(("json", path, line)) => w.set(vars.protocol, "http/json", &path, line),
        Some((_, path, line)) => w.set(vars.protocol, "http/protobuf", &path, line),
        None => w.set(vars.protocol, "http/protobuf", &path, line),
    }
}

/// A timeout in milliseconds. The schema's 0 means "no limit", which walrec refuses: every
/// export is bounded, so that a hung collector cannot hold the process.
pub(super) fn set_timeout(w: &mut Walk<'_>, fields: &Fields<'_>, key: &str, var: &'static str) {
    let Some(node) = fields.get(key) else { return };
    let path = fields.path(key);
    match w.integer(node, &path, 0, MILLIS) {
        Some(0) => {
            let message = "0 (no limit) is not supported by walrec: every export is bounded; \
                           give the milliseconds, from 1 to 3600000";
            w.problem(&path, node.line, message);
        }
        Some(millis) => w.set(var, millis.to_string(), &path, node.line),
        None => {}
    }
}

/// The `tls` mapping: certificate files (absolute paths, as the schema says) and, for gRPC,
/// `insecure`.
fn tls(w: &mut Walk<'_>, (node, path): (&Node, &str), transport: Transport, vars: &SignalVars) {
    let keys = match transport {
        Transport::Grpc => &GRPC_TLS,
        Transport::Http => &HTTP_TLS,
    };
    let Some(fields) = w.mapping(node, path, keys, true) else {
        return;
    };
    let files = [
        ("ca_file", vars.certificate),
        ("key_file", vars.client_key),
        ("cert_file", vars.client_certificate),
    ];
    for (key, var) in files {
        let Some(node) = fields.get(key) else {
            continue;
        };
        let path = fields.path(key);
        match w.string(node, &path) {
            Some(file) if Path::new(&file).is_absolute() => w.set(var, file, &path, node.line),
            Some(file) => {
                let message = format!("expected the absolute path of a PEM file, got {file:?}");
                w.problem(&path, node.line, message);
            }
            None => {}
        }
    }
    if let Some(node) = fields.get("insecure") {
        let path = fields.path("insecure");
        if let Some(insecure) = w.boolean(node, &path) {
            w.set(vars.insecure, insecure.to_string(), &path, node.line);
        }
    }
}

/// The `headers` list of name/value pairs as `name=value` entries, values percent-encoded. An
/// entry whose value is null is left out, as the schema says. Values are secrets: no message
/// shows one.
fn header_pairs(w: &mut Walk<'_>, node: &Node, path: &str) -> Vec<String> {
    let mut pairs = Vec::new();
    for fields in w.mappings(node, path, &HEADER) {
        let name = w.required_string(&fields, "name");
        let value = w.required(&fields, "value").and_then(|node| {
            let path = fields.path("value");
            w.secret_string(node, &path)
        });
        let Some(name) = name else { continue };
        if !is_token(&name) {
            let message = format!("{name:?} is not a valid header name (an HTTP token)");
            w.problem(&fields.path("name"), fields.line, message);
            continue;
        }
        if let Some(value) = value {
            pairs.push(format!("{name}={}", encode(&value)));
        }
    }
    pairs
}

/// An HTTP token (RFC 9110), which a header name must be; it holds no `,` or `=`.
fn is_token(name: &str) -> bool {
    let tchar = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    is_list_key(name) && name.chars().all(tchar)
}
