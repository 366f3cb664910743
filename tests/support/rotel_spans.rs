//! Spans and exemplars read back from rotel's detailed debug log.
//!
//! rotel 0.0.1a15 logs each received span as
//!
//! ```text
//! Span #0
//!     Trace ID       : cb83b122a16ab51a1dbac76ed549d4d2
//!     Parent ID      : 46dff8a38d4788d0
//!     ID             : 9c9807ec7d34585b
//!     Name           : wal.segment.read_header
//!     Kind           : SPAN_KIND_INTERNAL
//! Start time: 1796115368331432521
//! End time: 1796115368331455515
//!     Status code    : STATUS_CODE_UNSET
//!     Status message :
//! Attributes:
//!      -> wal.segment.index: Int(0)
//! ```
//!
//! and each exemplar of a histogram point as `Exemplar #0` followed by `-> Trace ID: …`,
//! `-> Span ID: …`, `-> Value: …` and `-> FilteredAttributes:` entries.

/// One logged span.
#[derive(Debug, Clone, Default)]
pub struct LoggedSpan {
    pub trace_id: String,
    pub parent_id: String,
    pub id: String,
    pub name: String,
    pub status_code: String,
    pub status_message: String,
    pub attributes: Vec<(String, String)>,
}

impl LoggedSpan {
    /// The attribute's logged value (`Int(3)`, `Str(x)`), if present.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// An `Int(n)` attribute's value.
    pub fn int(&self, key: &str) -> Option<i64> {
        self.attribute(key)?
            .strip_prefix("Int(")?
            .strip_suffix(')')?
            .parse()
            .ok()
    }
}

/// One logged exemplar.
#[derive(Debug, Clone, Default)]
pub struct LoggedExemplar {
    pub trace_id: String,
    pub span_id: String,
    pub value: String,
    pub attributes: Vec<(String, String)>,
}

fn field<'a>(line: &'a str, label: &str) -> Option<&'a str> {
    let rest = line.trim().strip_prefix(label)?;
    Some(rest.trim_start().strip_prefix(':')?.trim())
}

fn attribute(line: &str) -> Option<(String, String)> {
    let (key, value) = line.trim().strip_prefix("-> ")?.split_once(": ")?;
    Some((key.to_owned(), value.trim().to_owned()))
}

/// Every span in `log` (ANSI colours already stripped by `Rotel::log`).
pub fn parse_spans(log: &str) -> Vec<LoggedSpan> {
    let mut spans: Vec<LoggedSpan> = Vec::new();
    let mut in_attributes = false;
    for line in log.lines() {
        if line.starts_with("Span #") {
            spans.push(LoggedSpan::default());
            in_attributes = false;
            continue;
        }
        let Some(span) = spans.last_mut() else {
            continue;
        };
        if line.starts_with("Attributes:") {
            in_attributes = true;
        } else if in_attributes && line.trim_start().starts_with("-> ") {
            span.attributes.extend(attribute(line));
        } else if let Some(v) = field(line, "Trace ID") {
            span.trace_id = v.to_owned();
        } else if let Some(v) = field(line, "Parent ID") {
            span.parent_id = v.to_owned();
        } else if let Some(v) = field(line, "ID") {
            span.id = v.to_owned();
        } else if let Some(v) = field(line, "Name") {
            span.name = v.to_owned();
        } else if let Some(v) = field(line, "Status code") {
            span.status_code = v.to_owned();
        } else if let Some(v) = field(line, "Status message") {
            span.status_message = v.to_owned();
        } else if !line.starts_with(' ') {
            in_attributes = false;
        }
    }
    spans
}

/// Every exemplar in `log`.
pub fn parse_exemplars(log: &str) -> Vec<LoggedExemplar> {
    let mut exemplars: Vec<LoggedExemplar> = Vec::new();
    let mut open = false;
    for line in log.lines() {
        if line.starts_with("Exemplar #") {
            exemplars.push(LoggedExemplar::default());
            open = true;
            continue;
        }
        let Some(exemplar) = exemplars.last_mut().filter(|_| open) else {
            continue;
        };
        if !line.starts_with(' ') {
            open = false;
        } else if let Some(v) = line.trim().strip_prefix("-> Trace ID:") {
            exemplar.trace_id = v.trim().to_owned();
        } else if let Some(v) = line.trim().strip_prefix("-> Span ID:") {
            exemplar.span_id = v.trim().to_owned();
        } else if let Some(v) = line.trim().strip_prefix("-> Value:") {
            exemplar.value = v.trim().to_owned();
        } else if line.trim() != "-> FilteredAttributes:" {
            exemplar.attributes.extend(attribute(line));
        }
    }
    exemplars
}
