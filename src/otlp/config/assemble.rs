//! From resolved settings to a [`Config`]: the rules that join several settings (the
//! service name's fallbacks, headers and attributes set in code merged into the environment's,
//! the mTLS pair).

use super::error::{ConfigProblem, Problems};
use super::parse::set_attribute;
use super::resolve::Resolved;
use super::secret::{Headers, Secret};
use super::settings::{Id, TABLE};
use super::types::{Signal, TlsConfig};
use super::value::Value;
use super::{Config, resolve};

/// Headers and resource attributes set in code, added to (or replacing by name) the
/// environment's.
pub(crate) type CodeLists = (Vec<(String, Secret)>, Vec<(String, String)>);

impl Config {
    /// The configuration the resolved settings describe; the mTLS pair is checked here.
    pub(crate) fn assemble(
        r: &Resolved,
        signal: Signal,
        (code_headers, code_attributes): CodeLists,
        problems: &mut Problems,
    ) -> Config {
        let mut resource_attributes = match r.get(Id::ResourceAttributes) {
            Value::Attributes(list) => list.clone(),
            _ => Vec::new(),
        };
        for (key, value) in code_attributes {
            set_attribute(&mut resource_attributes, key, value);
        }
        let mut headers = match r.get(Id::Headers) {
            Value::Headers(headers) => headers.clone(),
            _ => Headers::new(),
        };
        for (name, value) in code_headers {
            headers.set(name, value);
        }
        problems.extend(check_client_pair(r, signal));
        let mut values: Vec<Value> = (0..Id::TracesExporter as usize)
            .map(|index| r.get(TABLE[index].id).clone())
            .collect();
        let name = service_name(r, &resource_attributes);
        values[Id::ServiceName as usize] = Value::Text(name);
        values[Id::ResourceAttributes as usize] = Value::Attributes(resource_attributes);
        values[Id::Headers as usize] = Value::Headers(headers);
        Config {
            disabled: false,
            endpoint: match r.get(Id::Endpoint) {
                Value::Url(url) => url.clone(),
                _ => super::parse::default_endpoint(r.get(Id::Protocol).choice(), signal),
            },
            tls: TlsConfig {
                insecure: r.get(Id::Insecure).as_bool(),
                ca_certificate: r.get(Id::Certificate).as_path(),
                client_key: r.get(Id::ClientKey).as_path(),
                client_certificate: r.get(Id::ClientCertificate).as_path(),
            },
            values,
        }
    }
}

/// `service.name`: set in code or by `OTEL_SERVICE_NAME`, else the `service.name` resource
/// attribute, else the spec's `unknown_service:<executable>`.
fn service_name(r: &Resolved, attributes: &[(String, String)]) -> String {
    let attribute = || {
        let mut named = attributes.iter().filter(|(key, _)| key == "service.name");
        named.next().map(|(_, value)| value.clone())
    };
    let explicit = r.get(Id::ServiceName).as_text().map(str::to_owned);
    explicit
        .or_else(attribute)
        .unwrap_or_else(default_service_name)
}

/// The spec's `service.name` when none is configured: `unknown_service:` and the executable's
/// file name (`walrec` if that cannot be found).
fn default_service_name() -> String {
    let exe = std::env::current_exe().ok();
    let name = exe.as_deref().and_then(|path| path.file_name());
    let name = name.map_or("walrec".into(), |n| n.to_string_lossy());
    format!("unknown_service:{name}")
}

/// The problem when only one of the mTLS pair is given, naming what gave that half and the
/// variables or method that would give the other.
fn check_client_pair(r: &Resolved, signal: Signal) -> Option<ConfigProblem> {
    let key = r
        .set_by(Id::ClientKey)
        .filter(|_| r.get(Id::ClientKey) != &Value::Unset);
    let certificate = r
        .set_by(Id::ClientCertificate)
        .filter(|_| r.get(Id::ClientCertificate) != &Value::Unset);
    let (setting, missing, hint) = match (key, certificate) {
        (Some(setting), None) => (setting, "client certificate", Id::ClientCertificate),
        (None, Some(setting)) => (setting, "client key", Id::ClientKey),
        _ => return None,
    };
    let variables = resolve::setting_variables(hint, signal);
    Some(ConfigProblem::Incomplete {
        setting,
        missing,
        hint: format!("mTLS needs both: set {variables} too, or neither"),
    })
}
