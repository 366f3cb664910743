//! The parsers of the structured values (endpoints, header and attribute lists, PEM files),
//! used by [`value`](super::value) for every source. Each takes the name of the setting the
//! value came from, for the message.

use std::fs::File;
use std::io::{self, Read};
use std::path::PathBuf;

use percent_encoding::percent_decode_str;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use url::Url;

use super::env::{DEFAULT_GRPC_ENDPOINT, DEFAULT_HTTP_BASE_ENDPOINT, MAX_PEM_FILE_BYTES};
use super::error::{ConfigError, ConfigProblem};
use super::secret::{Headers, Secret, redact_endpoint};
use super::types::{Protocol, Signal};

pub(crate) const ENDPOINT: &str =
    "an absolute http:// or https:// URL with a host, such as http://localhost:4317";
const LIST_ENTRY: &str = "expected key=value with a non-blank key, entries separated by commas";
const BAD_ESCAPE: &str = "its value is not valid percent-encoded UTF-8 (encode a literal % as %25)";

/// An absolute `http` or `https` URL with a host. A rejected value is shown redacted: its
/// userinfo or query string may hold a credential.
pub(crate) fn parse_endpoint(setting: &'static str, raw: &str) -> Result<Url, ConfigProblem> {
    let shown = || redact_endpoint(raw);
    let url = Url::parse(raw.trim())
        .map_err(|e| ConfigProblem::invalid(setting, &shown(), format!("{ENDPOINT} ({e})")))?;
    let http = matches!(url.scheme(), "http" | "https");
    if !http || url.host_str().is_none_or(str::is_empty) {
        return Err(ConfigProblem::invalid(setting, &shown(), ENDPOINT));
    }
    Ok(url)
}

/// The spec's rule for the generic endpoint under `http/protobuf`: it is a base URL, and the
/// signal's path is appended to whatever path it has.
pub(crate) fn with_signal_path(mut url: Url, signal: Signal) -> Url {
    let path = url.path();
    let signal_path = signal.http_path();
    let joined = if path.ends_with('/') {
        format!("{path}{signal_path}")
    } else {
        format!("{path}/{signal_path}")
    };
    url.set_path(&joined);
    url
}

/// The spec's default endpoint for `protocol` and `signal`.
pub(crate) fn default_endpoint(protocol: Protocol, signal: Signal) -> Url {
    let parse = |raw| Url::parse(raw).expect("the default endpoints are valid URLs");
    match protocol {
        Protocol::Grpc => parse(DEFAULT_GRPC_ENDPOINT),
        Protocol::HttpProtobuf | Protocol::HttpJson => {
            with_signal_path(parse(DEFAULT_HTTP_BASE_ENDPOINT), signal)
        }
    }
}

/// What a certificate or key file must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PemKind {
    /// One or more certificates (a CA bundle, or a client certificate chain).
    Certificates,
    /// One private key.
    PrivateKey,
}

impl PemKind {
    pub(crate) fn expected(self) -> &'static str {
        match self {
            PemKind::Certificates => "at least one PEM certificate (-----BEGIN CERTIFICATE-----)",
            PemKind::PrivateKey => "a PEM private key (-----BEGIN PRIVATE KEY----- or similar)",
        }
    }

    /// Whether `pem` holds what this kind needs.
    fn found_in(self, pem: &[u8]) -> bool {
        match self {
            PemKind::Certificates => {
                let parsed: Result<Vec<_>, _> = CertificateDer::pem_slice_iter(pem).collect();
                parsed.is_ok_and(|certificates| !certificates.is_empty())
            }
            PemKind::PrivateKey => PrivateKeyDer::from_pem_slice(pem).is_ok(),
        }
    }
}

/// A regular file, at most [`MAX_PEM_FILE_BYTES`], that can be read now and parses as `kind`,
/// so a typo or a wrong file fails at start-up rather than at the first connection.
pub(crate) fn check_file(
    setting: &'static str,
    path: PathBuf,
    kind: PemKind,
) -> Result<PathBuf, ConfigProblem> {
    let pem = match read_small_file(&path) {
        Ok(pem) => pem,
        Err(error) => {
            return Err(ConfigProblem::Unreadable {
                setting,
                path,
                error,
            });
        }
    };
    if !kind.found_in(&pem) {
        let expected = kind.expected();
        return Err(ConfigProblem::NotPem {
            setting,
            path,
            expected,
        });
    }
    Ok(path)
}

fn read_small_file(path: &std::path::Path) -> io::Result<Vec<u8>> {
    let file = File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    if meta.len() > MAX_PEM_FILE_BYTES {
        return Err(io::Error::other(
            "larger than 1 MiB, too large for a PEM file",
        ));
    }
    let mut pem = Vec::new();
    file.take(MAX_PEM_FILE_BYTES + 1).read_to_end(&mut pem)?;
    Ok(pem)
}

/// `OTEL_EXPORTER_OTLP_HEADERS`-style list. A later duplicate key replaces an earlier one.
pub(crate) fn parse_headers(setting: &'static str, raw: &str) -> Result<Headers, ConfigError> {
    let mut headers = Headers::new();
    let mut problems = Vec::new();
    for (index, entry) in raw.split(',').enumerate() {
        let Some((key, value)) = split_entry(entry) else {
            continue;
        };
        // Without an `=` the entry may be a token pasted on its own: never show it as a key.
        let name = key.filter(|_| value.is_some()).and_then(header_name);
        let value = value.and_then(decode).filter(|v| is_header_value(v));
        match (name, value) {
            (Some(name), Some(value)) => headers.set(name, Secret::new(value)),
            (name, _) => problems.push(header_problem(setting, index + 1, name)),
        }
    }
    ConfigError::from_problems(problems).map_or(Ok(headers), Err)
}

/// One header set in code, with the same checks as an entry of the variable (the value is
/// taken as given, not percent-decoded); `index` counts the calls, from 1.
pub(crate) fn parse_header(
    setting: &'static str,
    index: usize,
    name: &str,
    value: &str,
) -> Result<(String, Secret), ConfigProblem> {
    let name = header_name(name).ok_or_else(|| header_problem(setting, index, None))?;
    if !is_header_value(value) {
        return Err(header_problem(setting, index, Some(name)));
    }
    Ok((name, Secret::new(value)))
}

/// Never shows the value, and shows the key only when it is a valid header name: a malformed
/// entry may be a whole `Authorization: Bearer …` line pasted where the key goes.
fn header_problem(setting: &'static str, index: usize, key: Option<String>) -> ConfigProblem {
    ConfigProblem::MalformedEntry {
        setting,
        index,
        key,
        entry: None,
        expected: "expected name=value, the name an HTTP token, the value printable ASCII once \
                   percent-decoded (the entry is not shown: header values are secret)",
    }
}

/// A valid HTTP header name, lowercased as gRPC metadata requires.
fn header_name(key: &str) -> Option<String> {
    let tchar = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    (!key.is_empty() && key.chars().all(tchar)).then(|| key.to_ascii_lowercase())
}

/// Printable ASCII (and tabs): what both HTTP/1.1 and gRPC metadata accept.
fn is_header_value(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
}

/// `OTEL_RESOURCE_ATTRIBUTES`-style list, in order; a later duplicate key replaces an earlier
/// one.
pub(crate) fn parse_attributes(
    setting: &'static str,
    raw: &str,
) -> Result<Vec<(String, String)>, ConfigError> {
    let mut attributes: Vec<(String, String)> = Vec::new();
    let mut problems = Vec::new();
    for (index, entry) in raw.split(',').enumerate() {
        let Some((key, value)) = split_entry(entry) else {
            continue;
        };
        let problem =
            |expected| ConfigProblem::malformed_entry(setting, index + 1, entry.trim(), expected);
        match (key, value.map(decode)) {
            (Some(key), Some(Some(value))) => set_attribute(&mut attributes, key.to_owned(), value),
            (Some(_), Some(None)) => problems.push(problem(BAD_ESCAPE)),
            _ => problems.push(problem(LIST_ENTRY)),
        }
    }
    ConfigError::from_problems(problems).map_or(Ok(attributes), Err)
}

/// Sets `key` to `value`, replacing an earlier value of the same key in place.
pub(crate) fn set_attribute(attributes: &mut Vec<(String, String)>, key: String, value: String) {
    match attributes.iter_mut().find(|(k, _)| *k == key) {
        Some(entry) => entry.1 = value,
        None => attributes.push((key, value)),
    }
}

/// A non-blank entry split at its first `=`, both sides trimmed, a blank key as `None`;
/// `None` for a blank entry (skipped, like a trailing comma).
fn split_entry(entry: &str) -> Option<(Option<&str>, Option<&str>)> {
    if entry.trim().is_empty() {
        return None;
    }
    let (key, value) = match entry.split_once('=') {
        Some((key, value)) => (key.trim(), Some(value.trim())),
        None => (entry.trim(), None),
    };
    Some(((!key.is_empty()).then_some(key), value))
}

/// Percent-decodes `value` to UTF-8; `None` for a malformed escape or invalid UTF-8, which
/// the spec says must reject the value rather than pass it through.
fn decode(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let escapes_ok = bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    });
    if !escapes_ok {
        return None;
    }
    percent_decode_str(value)
        .decode_utf8()
        .ok()
        .map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_rejects_bad_escapes_and_invalid_utf8() {
        assert_eq!(decode("a%20b%2Cc").as_deref(), Some("a b,c"));
        assert_eq!(decode("100%"), None);
        assert_eq!(decode("%zz"), None);
        assert_eq!(decode("%ff"), None);
    }

    #[test]
    fn header_names_are_tokens_lowercased() {
        assert_eq!(header_name("X-Api-Key").as_deref(), Some("x-api-key"));
        assert_eq!(header_name("Authorization: Bearer"), None);
        assert_eq!(header_name(""), None);
    }
}
