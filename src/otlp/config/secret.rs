//! `Secret` and `Headers`: header values (API keys, bearer tokens) that never reach a
//! message, a `Debug` dump or a log.

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
    pub fn new() -> Self {
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
