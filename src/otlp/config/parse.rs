//! Value parsers shared by the environment and the builder, so both accept and reject exactly
//! the same values. Each takes the name of the setting the value came from, for the message.

use std::fs::File;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

use percent_encoding::percent_decode_str;
use url::Url;

use super::env::{
    DEFAULT_GRPC_ENDPOINT, DEFAULT_HTTP_ENDPOINT, HTTP_METRICS_PATH, MIN_HISTOGRAM_BUCKETS,
};
use super::error::{ConfigError, ConfigProblem};
use super::secret::{Headers, Secret};
use super::types::{Compression, Protocol, Temporality};

const BOOL: &str = "true or false (case-insensitive)";
const MILLIS: &str = "a whole number of milliseconds greater than 0, such as 10000";
const ENDPOINT: &str =
    "an absolute http:// or https:// URL with a host, such as http://localhost:4317";
const LIST_ENTRY: &str = "expected key=value with a non-blank key, entries separated by commas";
const BAD_ESCAPE: &str = "its value is not valid percent-encoded UTF-8 (encode a literal % as %25)";

/// `true` / `false`, case-insensitive. The spec would read anything else as false with a
/// warning; walrec refuses it, so a typo cannot silently turn a setting off.
pub(crate) fn parse_bool(setting: &'static str, raw: &str) -> Result<bool, ConfigProblem> {
    match raw.trim() {
        v if v.eq_ignore_ascii_case("true") => Ok(true),
        v if v.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(ConfigProblem::invalid(setting, raw, BOOL)),
    }
}

/// A positive number of milliseconds.
pub(crate) fn parse_millis(setting: &'static str, raw: &str) -> Result<Duration, ConfigProblem> {
    match raw.trim().parse::<u64>() {
        Ok(ms) if ms > 0 => Ok(Duration::from_millis(ms)),
        _ => Err(ConfigProblem::invalid(setting, raw, MILLIS)),
    }
}

/// A duration set in code: zero would make the export loop spin or every export fail.
pub(crate) fn check_duration(
    setting: &'static str,
    value: Duration,
) -> Result<Duration, ConfigProblem> {
    if value.is_zero() {
        return Err(ConfigProblem::invalid(
            setting,
            "0s",
            "a duration greater than 0",
        ));
    }
    Ok(value)
}

/// `grpc` or `http/protobuf`, case-insensitive; `http/json` is named as unsupported.
pub(crate) fn parse_protocol(setting: &'static str, raw: &str) -> Result<Protocol, ConfigProblem> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "grpc" => Ok(Protocol::Grpc),
        "http/protobuf" => Ok(Protocol::HttpProtobuf),
        "http/json" => Err(ConfigProblem::not_supported(
            setting,
            raw,
            "walrec exports OTLP as grpc or http/protobuf only",
        )),
        _ => Err(ConfigProblem::invalid(
            setting,
            raw,
            "grpc or http/protobuf",
        )),
    }
}

/// `gzip` or `none`, case-insensitive.
pub(crate) fn parse_compression(
    setting: &'static str,
    raw: &str,
) -> Result<Compression, ConfigProblem> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "gzip" => Ok(Compression::Gzip),
        "none" => Ok(Compression::None),
        _ => Err(ConfigProblem::invalid(setting, raw, "gzip or none")),
    }
}

/// `cumulative`, `delta` or `lowmemory`, case-insensitive.
pub(crate) fn parse_temporality(
    setting: &'static str,
    raw: &str,
) -> Result<Temporality, ConfigProblem> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "cumulative" => Ok(Temporality::Cumulative),
        "delta" => Ok(Temporality::Delta),
        "lowmemory" => Ok(Temporality::LowMemory),
        _ => Err(ConfigProblem::invalid(
            setting,
            raw,
            "cumulative, delta or lowmemory",
        )),
    }
}

/// A bucket count of at least [`MIN_HISTOGRAM_BUCKETS`].
pub(crate) fn parse_buckets(setting: &'static str, raw: &str) -> Result<usize, ConfigProblem> {
    let parsed = raw.trim().parse::<usize>().ok();
    check_buckets(setting, parsed.unwrap_or(0)).map_err(|_| buckets_problem(setting, raw))
}

/// A bucket count set in code.
pub(crate) fn check_buckets(setting: &'static str, value: usize) -> Result<usize, ConfigProblem> {
    if value < MIN_HISTOGRAM_BUCKETS {
        return Err(buckets_problem(setting, &value.to_string()));
    }
    Ok(value)
}

fn buckets_problem(setting: &'static str, raw: &str) -> ConfigProblem {
    ConfigProblem::invalid(
        setting,
        raw,
        "a whole number of buckets, at least 2 (default 160)",
    )
}

/// An absolute `http` or `https` URL with a host.
pub(crate) fn parse_endpoint(setting: &'static str, raw: &str) -> Result<Url, ConfigProblem> {
    let url = Url::parse(raw.trim())
        .map_err(|e| ConfigProblem::invalid(setting, raw, format!("{ENDPOINT} ({e})")))?;
    let http = matches!(url.scheme(), "http" | "https");
    if !http || url.host_str().is_none_or(str::is_empty) {
        return Err(ConfigProblem::invalid(setting, raw, ENDPOINT));
    }
    Ok(url)
}

/// The spec's rule for the generic endpoint under `http/protobuf`: it is a base URL, and the
/// signal's path is appended to whatever path it has.
pub(crate) fn with_metrics_path(mut url: Url) -> Url {
    let path = url.path();
    let joined = if path.ends_with('/') {
        format!("{path}{HTTP_METRICS_PATH}")
    } else {
        format!("{path}/{HTTP_METRICS_PATH}")
    };
    url.set_path(&joined);
    url
}

/// The spec's default endpoint for `protocol`.
pub(crate) fn default_endpoint(protocol: Protocol) -> Url {
    let raw = match protocol {
        Protocol::Grpc => DEFAULT_GRPC_ENDPOINT,
        Protocol::HttpProtobuf => DEFAULT_HTTP_ENDPOINT,
    };
    Url::parse(raw).expect("the default endpoints are valid URLs")
}

/// A file that exists and can be opened now, so a typo fails at start-up rather than at the
/// first connection.
pub(crate) fn check_file(setting: &'static str, path: PathBuf) -> Result<PathBuf, ConfigProblem> {
    let checked = File::open(&path).and_then(|file| file.metadata());
    let error = match checked {
        Ok(meta) if meta.is_file() => return Ok(path),
        Ok(_) => io::Error::other("not a regular file"),
        Err(error) => error,
    };
    Err(ConfigProblem::Unreadable {
        setting,
        path,
        error,
    })
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
