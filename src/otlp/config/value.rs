//! A setting's value, parsed from text (a variable, a file) or checked when set in code, by
//! its [`Kind`]: the one place each kind of value is accepted or refused.

use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use super::error::{ConfigError, ConfigProblem};
use super::parse;
use super::secret::Headers;
use super::settings::{Choices, Kind};
use super::types::Spelled;

/// A parsed value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// No value (a setting without a default that was not set).
    Unset,
    Bool(bool),
    Duration(Duration),
    Count(u64),
    Ratio(f64),
    /// The index of the spelling in the setting's [`Choices::accepted`].
    Choice(usize),
    Choices(Vec<usize>),
    Url(Url),
    Headers(Headers),
    Attributes(Vec<(String, String)>),
    Path(PathBuf),
    Text(String),
}

/// Ratios are range-checked (0 to 1) when parsed, so no value is ever NaN: equality is total.
impl Eq for Value {}

impl Value {
    /// The variant of `T` this choice names (the first one if it is not a choice).
    pub(crate) fn choice<T: Spelled>(&self) -> T {
        let index = match self {
            Value::Choice(index) => *index,
            _ => 0,
        };
        T::ALL.get(index).copied().unwrap_or(T::ALL[0])
    }

    /// The variants of `T` this list names.
    pub(crate) fn choices<T: Spelled>(&self) -> Vec<T> {
        match self {
            Value::Choices(list) => list
                .iter()
                .filter_map(|&i| T::ALL.get(i).copied())
                .collect(),
            _ => Vec::new(),
        }
    }
}

const BOOL: &str = "true or false (case-insensitive)";

/// Parses `raw` (the value of `setting`) as `kind` says.
pub(crate) fn parse_text(
    kind: &Kind,
    setting: &'static str,
    raw: &str,
) -> Result<Value, ConfigError> {
    let text = raw.trim();
    let invalid =
        |expected: String| ConfigError::from(ConfigProblem::invalid(setting, raw, expected));
    match kind {
        Kind::Bool if text.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
        Kind::Bool if text.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
        Kind::Bool => Err(invalid(BOOL.into())),
        Kind::Millis(range) => {
            let value = text.parse::<u64>().ok().map(Duration::from_millis);
            let value = value
                .filter(|v| range.contains(v))
                .ok_or_else(|| invalid(millis_expected(kind)))?;
            Ok(Value::Duration(value))
        }
        Kind::Count(range) => {
            let value = text.parse::<u64>().ok().filter(|v| range.contains(v));
            value
                .map(Value::Count)
                .ok_or_else(|| invalid(expected(kind)))
        }
        Kind::Ratio => {
            let value = text.parse::<f64>().ok().filter(|r| (0.0..=1.0).contains(r));
            value
                .map(Value::Ratio)
                .ok_or_else(|| invalid(expected(kind)))
        }
        Kind::Choice(choices) => Ok(Value::Choice(choice(choices, setting, raw, text)?)),
        Kind::ChoiceList(choices) => choice_list(choices, setting, raw),
        Kind::Endpoint => Ok(Value::Url(parse::parse_endpoint(setting, raw)?)),
        Kind::Headers => Ok(Value::Headers(parse::parse_headers(setting, raw)?)),
        Kind::Attributes => Ok(Value::Attributes(parse::parse_attributes(setting, raw)?)),
        Kind::Pem(pem) => Ok(Value::Path(parse::check_file(
            setting,
            PathBuf::from(text),
            *pem,
        )?)),
        Kind::Text if text.is_empty() => Err(invalid(expected(kind))),
        Kind::Text => Ok(Value::Text(text.to_owned())),
    }
}

/// Checks a value set in code against the same rules as text of its `kind`.
pub(crate) fn check_code(
    kind: &Kind,
    setting: &'static str,
    value: Value,
) -> Result<Value, ConfigProblem> {
    let in_range = match (kind, &value) {
        (Kind::Millis(range), Value::Duration(d)) => range.contains(d),
        (Kind::Count(range), Value::Count(n)) => range.contains(n),
        (Kind::Text, Value::Text(text)) => !text.trim().is_empty(),
        (Kind::Pem(pem), Value::Path(path)) => {
            return parse::check_file(setting, path.clone(), *pem).map(Value::Path);
        }
        _ => true,
    };
    if in_range {
        return Ok(match value {
            Value::Text(text) => Value::Text(text.trim().to_owned()),
            other => other,
        });
    }
    let shown = match &value {
        Value::Duration(d) => format!("{d:?}"),
        Value::Count(n) => n.to_string(),
        Value::Text(text) => text.clone(),
        other => format!("{other:?}"),
    };
    Err(ConfigProblem::invalid(setting, &shown, expected(kind)))
}

/// One spelling of `choices`, in any case; a spelling the specification defines but walrec
/// does not implement is refused as such.
fn choice(
    choices: &Choices,
    setting: &'static str,
    raw: &str,
    text: &str,
) -> Result<usize, ConfigProblem> {
    let lower = text.to_ascii_lowercase();
    if let Some(index) = choices.accepted.iter().position(|c| *c == lower) {
        return Ok(index);
    }
    if choices.unsupported.contains(&lower.as_str()) {
        return Err(ConfigProblem::not_supported(setting, raw, choices.why));
    }
    Err(ConfigProblem::invalid(setting, raw, one_of(choices)))
}

/// A comma-separated list of spellings, each once; `none` only alone.
fn choice_list(choices: &Choices, setting: &'static str, raw: &str) -> Result<Value, ConfigError> {
    let mut picked = Vec::new();
    let mut problems = Vec::new();
    for entry in raw.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        match choice(choices, setting, entry, entry) {
            Ok(index) if !picked.contains(&index) => picked.push(index),
            Ok(_) => {}
            Err(problem) => problems.push(problem),
        }
    }
    let none = choices.accepted.iter().position(|c| *c == "none");
    if none.is_some_and(|n| picked.contains(&n)) && picked.len() > 1 {
        problems.push(ConfigProblem::invalid(
            setting,
            raw,
            "none alone, or a list without none",
        ));
    }
    ConfigError::from_problems(problems).map_or(Ok(Value::Choices(picked)), Err)
}

fn one_of(choices: &Choices) -> String {
    format!("one of {} (any case)", choices.accepted.join(", "))
}

fn millis_expected(kind: &Kind) -> String {
    match kind {
        Kind::Millis(range) => format!(
            "a whole number of milliseconds from {} to {} ({:?} to {:?})",
            range.start().as_millis(),
            range.end().as_millis(),
            range.start(),
            range.end()
        ),
        _ => expected(kind),
    }
}

/// What a value of `kind` must be, as messages and the settings table say it.
pub(crate) fn expected(kind: &Kind) -> String {
    match kind {
        Kind::Bool => BOOL.into(),
        Kind::Millis(_) => millis_expected(kind),
        Kind::Count(range) => format!("a whole number from {} to {}", range.start(), range.end()),
        Kind::Ratio => "a number from 0 to 1".into(),
        Kind::Choice(choices) => one_of(choices),
        Kind::ChoiceList(choices) => {
            format!("a comma-separated list of {}", choices.accepted.join(", "))
        }
        Kind::Endpoint => parse::ENDPOINT.into(),
        Kind::Headers => "name=value,… (values percent-encoded)".into(),
        Kind::Attributes => "key=value,… (values percent-encoded)".into(),
        Kind::Pem(pem) => format!("the path of a file holding {}", pem.expected()),
        Kind::Text => "a non-blank text".into(),
    }
}

impl Value {
    /// A boolean's value (false otherwise).
    pub(crate) fn as_bool(&self) -> bool {
        matches!(self, Value::Bool(true))
    }

    /// A duration's value (zero otherwise).
    pub(crate) fn as_duration(&self) -> Duration {
        match self {
            Value::Duration(d) => *d,
            _ => Duration::ZERO,
        }
    }

    /// A count's value, if set.
    pub(crate) fn as_count(&self) -> Option<u64> {
        match self {
            Value::Count(n) => Some(*n),
            _ => None,
        }
    }

    /// A path's value, if set.
    pub(crate) fn as_path(&self) -> Option<PathBuf> {
        match self {
            Value::Path(path) => Some(path.clone()),
            _ => None,
        }
    }

    /// A text's value, if set.
    pub(crate) fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(text) => Some(text),
            _ => None,
        }
    }
}
