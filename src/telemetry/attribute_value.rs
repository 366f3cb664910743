//! `AttributeValue`: a resource attribute's value as plain data, so that the OTLP agent (which
//! detects the resource) and the flight recording (which keeps it) exchange it without naming
//! each other.

/// A resource attribute's value: OTLP resource attributes are strings or integers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeValue {
    /// A string attribute (`host.name`).
    Text(String),
    /// An integer attribute (`process.pid`).
    Int(i64),
}
