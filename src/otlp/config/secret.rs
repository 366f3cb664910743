//! `Secret` and `Headers`: header values (API keys, bearer tokens) that never reach a
//! message, a `Debug` dump or a log; and [`redact_endpoint`], the one rule for showing an
//! endpoint (whose userinfo and query string may hold credentials) in a message.

use std::fmt;

/// A string that `Debug` and `Display` print as `<redacted>`. Read it with
/// [`expose`](Self::expose) only where it is put on the wire.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself, for the transport.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The extra request headers (gRPC metadata), in order. Names are lowercase HTTP tokens;
/// values are printable ASCII, kept as [`Secret`]s. `Debug` shows the names only.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Headers(Vec<(String, Secret)>);

impl Headers {
    /// No headers.
    pub const fn new() -> Self {
        Headers(Vec::new())
    }

    /// Sets `name` (already validated and lowercased) to `value`, replacing an earlier value
    /// of the same name: the last one given wins, as for repeated keys in the variable.
    pub(crate) fn set(&mut self, name: String, value: Secret) {
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => entry.1 = value,
            None => self.0.push((name, value)),
        }
    }

    /// The value of `name` (lowercase), if set.
    pub fn get(&self, name: &str) -> Option<&Secret> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The headers, in the order they were first given.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Secret)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v))
    }

    /// How many headers there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// What replaces a secret in a message.
const REDACTED: &str = "<redacted>";

/// `endpoint` (a URL, or text that failed to parse as one) with its userinfo, query string
/// and fragment replaced by `<redacted>`, so it can be shown in any message or log line:
/// `https://user:pw@host:4318/v1/metrics?api_key=k` reads
/// `https://<redacted>@host:4318/v1/metrics?<redacted>`. It works on text so that a value
/// rejected as a URL is redacted by the same rule as a valid one.
pub fn redact_endpoint(endpoint: &str) -> String {
    let (base, tail) = match endpoint.find(['?', '#']) {
        Some(at) => (&endpoint[..at], Some(&endpoint[at..at + 1])),
        None => (endpoint, None),
    };
    let authority_start = base.find("://").map_or(0, |at| at + 3);
    let authority_end = base[authority_start..]
        .find('/')
        .map_or(base.len(), |at| authority_start + at);
    let authority = &base[authority_start..authority_end];
    let mut shown = String::with_capacity(endpoint.len());
    shown.push_str(&base[..authority_start]);
    match authority.rfind('@') {
        Some(at) => {
            shown.push_str(REDACTED);
            shown.push_str(&authority[at..]);
        }
        None => shown.push_str(authority),
    }
    shown.push_str(&base[authority_end..]);
    if let Some(mark) = tail {
        shown.push_str(mark);
        shown.push_str(REDACTED);
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::redact_endpoint;

    #[test]
    fn userinfo_query_and_fragment_are_redacted() {
        let table = [
            ("http://localhost:4317", "http://localhost:4317"),
            ("ftp://user:secret@x", "ftp://<redacted>@x"),
            (
                "https://u:p@h:1/v1/metrics?api_key=k&b=2",
                "https://<redacted>@h:1/v1/metrics?<redacted>",
            ),
            ("http://h/p#tok", "http://h/p#<redacted>"),
            ("user:pw@host:4317", "<redacted>@host:4317"),
            ("http://a@b@c/x@y", "http://<redacted>@c/x@y"),
            ("http://h?x@y/z", "http://h?<redacted>"),
            ("", ""),
        ];
        for (raw, shown) in table {
            assert_eq!(redact_endpoint(raw), shown, "{raw}");
        }
    }
}
