//! Reading the tree against the schema: the typed reads every section uses, each reporting
//! what it expected, with the key path and line, when the node is not that.
//!
//! A scalar is substituted ([`subst`](super::subst)) when it is read and only then typed, as
//! the data model requires ("node types MUST be interpreted after environment variable
//! substitution"): a quoted scalar, a block scalar and a `!!str` one are strings; a plain one
//! is typed by the YAML 1.2 core schema (`null`, `~` and the empty scalar are null; `true`,
//! `false` are booleans; `12`, `0x1f`, `0o17` integers; `1.5`, `1e3`, `.inf` floats; anything
//! else a string). A null value means what leaving the key out means (the spec's "if omitted
//! or null" defaults), except for the keys the schema requires to be non-null.

use super::scalar::{Kind, Text, describe_text, int_value, kind_of};
use super::subst::substitute;
use super::yaml::{Entry, Node, Value, join};
use super::{FileProblem, FileSettings, KeyOrigin};
use crate::otlp::config::Lookup;

/// The keys a mapping may hold: those walrec reads, and those the schema defines but walrec
/// does not support, each with the reason given when it is present.
pub(super) struct Keys<'k> {
    pub(super) known: &'k [&'k str],
    pub(super) refused: &'k [(&'k str, &'k str)],
}

/// A mapping whose keys were checked, with its path.
pub(super) struct Fields<'n> {
    pub(super) path: String,
    pub(super) line: usize,
    entries: &'n [Entry],
}

impl<'n> Fields<'n> {
    /// The value of `key`, if present.
    pub(super) fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries.iter().find(|e| e.key == key).map(|e| &e.node)
    }

    /// The path of `key` in this mapping.
    pub(super) fn path(&self, key: &str) -> String {
        join(&self.path, key)
    }
}

/// The translation under way: the variables set so far and the problems found.
pub(super) struct Walk<'l> {
    lookup: &'l Lookup<'l>,
    pub(super) settings: FileSettings,
    pub(super) problems: Vec<FileProblem>,
}

impl<'l> Walk<'l> {
    pub(super) fn new(lookup: &'l Lookup<'l>) -> Self {
        Walk {
            lookup,
            settings: FileSettings::default(),
            problems: Vec::new(),
        }
    }

    /// Records a problem at `path`, `line`.
    pub(super) fn problem(&mut self, path: &str, line: usize, message: impl Into<String>) {
        self.problems.push(FileProblem {
            path: path.to_owned(),
            line,
            message: message.into(),
        });
    }

    /// Sets `var` to `value`, from the key at `path`, `line`.
    pub(super) fn set(
        &mut self,
        var: &'static str,
        value: impl Into<String>,
        path: &str,
        line: usize,
    ) {
        self.settings.vars.insert(var, value.into());
        let origin = KeyOrigin {
            path: path.to_owned(),
            line,
        };
        self.settings.origins.insert(var, origin);
    }

    /// The mapping at `path`, its keys checked against `keys`: an unknown key, or one walrec
    /// does not support, is a problem. With `nullable`, a null value is an empty mapping (the
    /// schema's `object|null` types, such as an exporter written `console:`).
    pub(super) fn mapping<'n>(
        &mut self,
        node: &'n Node,
        path: &str,
        keys: &Keys<'_>,
        nullable: bool,
    ) -> Option<Fields<'n>> {
        let entries: &'n [Entry] = match &node.value {
            Value::Map(entries) => entries,
            Value::Scalar(_) if nullable && self.is_null(node, path) => &[],
            _ => {
                let got = self.describe(node, path);
                self.problem(path, node.line, format!("expected a mapping, got {got}"));
                return None;
            }
        };
        for entry in entries {
            self.check_key(entry, path, keys);
        }
        let path = path.to_owned();
        let line = node.line;
        Some(Fields {
            path,
            line,
            entries,
        })
    }

    /// A problem if `entry`'s key is not one of `keys.known`.
    fn check_key(&mut self, entry: &Entry, parent: &str, keys: &Keys<'_>) {
        if keys.known.contains(&entry.key.as_str()) {
            return;
        }
        let path = join(parent, &entry.key);
        if let Some((_, why)) = keys.refused.iter().find(|(k, _)| *k == entry.key) {
            self.problem(&path, entry.line, format!("not supported by walrec: {why}"));
            return;
        }
        let message = match keys.known {
            [] => "unknown key; this takes no settings".to_owned(),
            known => format!("unknown key; expected one of: {}", known.join(", ")),
        };
        self.problem(&path, entry.line, message);
    }

    /// A mapping with exactly one key (the schema's `minProperties: 1, maxProperties: 1`
    /// plugin objects): the entry, or `None` after a problem.
    pub(super) fn one_of<'n>(
        &mut self,
        node: &'n Node,
        path: &str,
        keys: &Keys<'_>,
    ) -> Option<(&'n Entry, String)> {
        let fields = self.mapping(node, path, keys, false)?;
        let mut entries = fields.entries.iter();
        let Some(entry) = entries.next() else {
            let expected = keys.known.join(", ");
            self.problem(path, node.line, format!("expected one of: {expected}"));
            return None;
        };
        if let Some(extra) = entries.next() {
            let message = format!("only one key is allowed here, and {} is given", entry.key);
            self.problem(&join(path, &extra.key), extra.line, message);
        }
        let known = keys.known.contains(&entry.key.as_str());
        known.then(|| (entry, join(path, &entry.key)))
    }

    /// The items of the non-empty list at `path` (the schema's lists have `minItems: 1`).
    pub(super) fn list<'n>(&mut self, node: &'n Node, path: &str) -> Option<&'n [Node]> {
        match &node.value {
            Value::Seq(items) if !items.is_empty() => Some(items),
            Value::Seq(_) => {
                self.problem(path, node.line, "expected at least one entry");
                None
            }
            _ => {
                let got = self.describe(node, path);
                self.problem(path, node.line, format!("expected a list, got {got}"));
                None
            }
        }
    }

    /// The section `key` of the file's top (a provider, the propagator), checked against
    /// `keys`. When the file leaves it out, `var` is set to `none`: the schema's default for
    /// a provider or propagator left out is a no-op one.
    pub(super) fn section_or_none<'n>(
        &mut self,
        root: &Fields<'n>,
        key: &str,
        (var, keys): (&'static str, &Keys<'_>),
    ) -> Option<Fields<'n>> {
        let Some(node) = root.get(key) else {
            self.settings.vars.insert(var, "none".to_owned());
            return None;
        };
        self.mapping(node, &root.path(key), keys, false)
    }

    /// The mappings of the non-empty list at `path`, each checked against `keys` (an item
    /// that is not a mapping is a problem, and left out).
    pub(super) fn mappings<'n>(
        &mut self,
        node: &'n Node,
        path: &str,
        keys: &Keys<'_>,
    ) -> Vec<Fields<'n>> {
        let items = self.list(node, path).unwrap_or_default();
        let fields = items
            .iter()
            .enumerate()
            .map(|(index, item)| self.mapping(item, &format!("{path}[{index}]"), keys, false));
        fields.flatten().collect()
    }

    /// The first item of the non-empty list at `path`, with its path; every further item is
    /// a problem saying `why`.
    pub(super) fn single<'n>(
        &mut self,
        node: &'n Node,
        path: &str,
        why: &str,
    ) -> Option<(&'n Node, String)> {
        let items = self.list(node, path)?;
        for (index, item) in items.iter().enumerate().skip(1) {
            self.problem(&format!("{path}[{index}]"), item.line, why);
        }
        items.first().map(|first| (first, format!("{path}[0]")))
    }

    /// The scalar at `path`, substituted and typed; `None` after a problem.
    pub(super) fn scalar(&mut self, node: &Node, path: &str) -> Option<Text> {
        let Value::Scalar(scalar) = &node.value else {
            let got = if matches!(node.value, Value::Seq(_)) {
                "a list"
            } else {
                "a mapping"
            };
            self.problem(
                path,
                node.line,
                format!("expected a single value, got {got}"),
            );
            return None;
        };
        match substitute(&scalar.raw, self.lookup) {
            Ok(text) => {
                let kind = if scalar.plain {
                    kind_of(&text)
                } else {
                    Kind::Str
                };
                Some(Text { text, kind })
            }
            Err(error) => {
                self.problem(path, node.line, error.to_string());
                None
            }
        }
    }

    /// Whether the scalar at `path` is null once substituted.
    fn is_null(&mut self, node: &Node, path: &str) -> bool {
        self.scalar(node, path)
            .is_some_and(|t| t.kind == Kind::Null)
    }

    /// What `node` is, for "got …" in messages: a scalar's text (cut to 80 characters) and
    /// type.
    pub(super) fn describe(&mut self, node: &Node, path: &str) -> String {
        match &node.value {
            Value::Seq(_) => "a list".to_owned(),
            Value::Map(_) => "a mapping".to_owned(),
            Value::Scalar(_) => match self.scalar(node, path) {
                Some(text) => describe_text(&text),
                None => "a value that could not be read".to_owned(),
            },
        }
    }

    /// A string; `None` for null (after no problem) or another type (after a problem).
    pub(super) fn string(&mut self, node: &Node, path: &str) -> Option<String> {
        let text = self.scalar(node, path)?;
        match text.kind {
            Kind::Str => Some(text.text),
            Kind::Null => None,
            _ => self.expected(node, path, "a string (quote it)", &text),
        }
    }

    /// The value of a key the schema requires; a problem when it is missing.
    pub(super) fn required<'n>(&mut self, fields: &Fields<'n>, key: &str) -> Option<&'n Node> {
        let node = fields.get(key);
        if node.is_none() {
            let path = fields.path(key);
            self.problem(&path, fields.line, "missing: this key is required here");
        }
        node
    }

    /// A string the schema requires and does not let be null.
    pub(super) fn required_string(&mut self, fields: &Fields<'_>, key: &str) -> Option<String> {
        let node = self.required(fields, key)?;
        let path = fields.path(key);
        let before = self.problems.len();
        let value = self.string(node, &path);
        if value.is_none() && self.problems.len() == before {
            self.problem(&path, node.line, "expected a string, got null");
        }
        value
    }

    /// A string that is a secret (a header value): a message about it names its type, never
    /// its text. `None` for null or after a problem.
    pub(super) fn secret_string(&mut self, node: &Node, path: &str) -> Option<String> {
        let text = self.scalar(node, path)?;
        let got = match text.kind {
            Kind::Str => return Some(text.text),
            Kind::Null => return None,
            Kind::Bool => "a boolean",
            Kind::Int => "an integer",
            Kind::Float => "a number",
        };
        let message = format!("expected a string (quote it), got {got}");
        self.problem(path, node.line, message);
        None
    }

    /// A `key=value,…` variable (`OTEL_RESOURCE_ATTRIBUTES`, `OTEL_EXPORTER_OTLP_*_HEADERS`)
    /// from a mapping's two forms of it: `list_key`, a string in the variable's own format,
    /// and `pairs_key`, a list of name/value pairs that `pairs` reads and encodes. The pairs
    /// come after the list, so that they win where both name a key (the schema: the pairs
    /// have the higher priority); the origin is the list's when it is given, since only its
    /// text can be malformed.
    pub(super) fn set_list(
        &mut self,
        fields: &Fields<'_>,
        (list_key, pairs_key): (&str, &str),
        var: &'static str,
        pairs: impl FnOnce(&mut Self, &Node, &str) -> Vec<String>,
    ) {
        let mut parts = Vec::new();
        let mut origin = None;
        if let Some(node) = fields.get(list_key) {
            let path = fields.path(list_key);
            if let Some(list) = self.secret_string(node, &path) {
                parts.extend((!list.trim().is_empty()).then_some(list));
                origin = Some((path, node.line));
            }
        }
        if let Some(node) = fields.get(pairs_key) {
            let path = fields.path(pairs_key);
            parts.extend(pairs(self, node, &path));
            origin = origin.or(Some((path, node.line)));
        }
        if let (Some((path, line)), false) = (origin, parts.is_empty()) {
            self.set(var, parts.join(","), &path, line);
        }
    }

    /// A problem "expected `expected`, got …" about the scalar `text` read at `path`;
    /// `None`.
    fn expected<T>(&mut self, node: &Node, path: &str, expected: &str, text: &Text) -> Option<T> {
        let message = format!("expected {expected}, got {}", describe_text(text));
        self.problem(path, node.line, message);
        None
    }

    /// A boolean; `None` for null or after a problem.
    pub(super) fn boolean(&mut self, node: &Node, path: &str) -> Option<bool> {
        let text = self.scalar(node, path)?;
        match text.kind {
            Kind::Bool => Some(text.text.eq_ignore_ascii_case("true")),
            Kind::Null => None,
            _ => self.expected(node, path, "true or false", &text),
        }
    }

    /// An integer of at least `min`; `what` says what was expected in the message ("a whole
    /// number of milliseconds"). `None` for null or after a problem.
    pub(super) fn integer(&mut self, node: &Node, path: &str, min: u64, what: &str) -> Option<u64> {
        let text = self.scalar(node, path)?;
        if text.kind == Kind::Null {
            return None;
        }
        let value = (text.kind == Kind::Int)
            .then(|| int_value(&text.text))
            .flatten();
        let value = value.and_then(|v| u64::try_from(v).ok());
        match value.filter(|&v| v >= min) {
            Some(value) => Some(value),
            None => self.expected(node, path, what, &text),
        }
    }

    /// A number (integer or float) within `0..=1`; `None` for null or after a problem.
    pub(super) fn ratio(&mut self, node: &Node, path: &str) -> Option<f64> {
        let text = self.scalar(node, path)?;
        let number = match text.kind {
            Kind::Null => return None,
            Kind::Int => int_value(&text.text).map(|v| v as f64),
            Kind::Float => text.text.parse::<f64>().ok(),
            _ => None,
        };
        match number.filter(|r| (0.0..=1.0).contains(r)) {
            Some(ratio) => Some(ratio),
            None => self.expected(node, path, "a number from 0 to 1", &text),
        }
    }

    /// One of `allowed` (exactly, as the schema's enums are); `None` for null or after a
    /// problem.
    pub(super) fn choice(
        &mut self,
        node: &Node,
        path: &str,
        allowed: &[&'static str],
    ) -> Option<&'static str> {
        let text = self.scalar(node, path)?;
        if text.kind == Kind::Null {
            return None;
        }
        match allowed.iter().find(|a| **a == text.text).copied() {
            Some(found) => Some(found),
            None => self.expected(node, path, &format!("one of {}", allowed.join(", ")), &text),
        }
    }

    /// A non-negative integer setting `var` (a limit, a size, a duration in milliseconds).
    pub(super) fn set_integer(
        &mut self,
        fields: &Fields<'_>,
        key: &str,
        var: &'static str,
        min: u64,
        what: &str,
    ) {
        let Some(node) = fields.get(key) else { return };
        let path = fields.path(key);
        if let Some(value) = self.integer(node, &path, min, what) {
            self.set(var, value.to_string(), &path, node.line);
        }
    }

    /// A string setting `var`, as written.
    pub(super) fn set_string(&mut self, fields: &Fields<'_>, key: &str, var: &'static str) {
        let Some(node) = fields.get(key) else { return };
        let path = fields.path(key);
        if let Some(value) = self.string(node, &path) {
            self.set(var, value, &path, node.line);
        }
    }

    /// One of `allowed` setting `var`, spelled as in the file.
    pub(super) fn set_choice(
        &mut self,
        fields: &Fields<'_>,
        key: &str,
        var: &'static str,
        allowed: &[&'static str],
    ) {
        let Some(node) = fields.get(key) else { return };
        let path = fields.path(key);
        if let Some(value) = self.choice(node, &path, allowed) {
            self.set(var, value, &path, node.line);
        }
    }
}
