//! Resolution: each setting of the [table](super::settings) for one signal, from the code's
//! override, else the first of its variables that is set, else its default; every problem
//! collected. The environment is read only through a [`Lookup`] and by the crate's one
//! variable policy (blank is unset, values trimmed, non-UTF-8 an error naming the variable).

use std::ffi::OsString;

use super::error::{ConfigError, ConfigProblem, Problems};
use super::parse::{default_endpoint, with_signal_path};
use super::settings::{Id, Setting, TABLE, setting};
use super::types::{Protocol, Signal};
use super::value::{Value, parse_text};
use crate::telemetry::env_var;

/// An environment: the value of a variable, or `None` when it is unset. Values are
/// `OsString`s so that one which is not valid UTF-8 can be reported rather than mistaken for
/// an unset variable: the process environment's adapter is `|name| std::env::var_os(name)`.
pub type Lookup<'a> = dyn Fn(&str) -> Option<OsString> + 'a;

/// The process environment.
pub(crate) fn process_env(name: &str) -> Option<OsString> {
    std::env::var_os(name)
}

/// Where a setting's value came from (what `walrec config` shows).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// The default: nothing set it.
    Default,
    /// This environment variable.
    Variable(&'static str),
    /// This [`ConfigBuilder`](super::ConfigBuilder) method.
    Code(&'static str),
    /// This key of the declarative configuration file (`OTEL_CONFIG_FILE`), at this line.
    File {
        /// The key path, such as `meter_provider.readers[0].periodic.interval`.
        key: String,
        /// The line, from 1.
        line: usize,
    },
}

/// A setting made in code: its method, and its checked value (`None` if it was refused).
#[derive(Debug, Clone)]
pub(crate) struct Override {
    pub(crate) id: Id,
    pub(crate) method: &'static str,
    pub(crate) value: Option<Value>,
}

/// Every setting's value and source for one signal, indexed by [`Id`].
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    entries: Vec<(Value, Source)>,
}

impl Resolved {
    /// The value of `id`.
    pub(crate) fn get(&self, id: Id) -> &Value {
        &self.entries[id as usize].0
    }

    /// Where the value of `id` came from.
    pub(crate) fn source(&self, id: Id) -> &Source {
        &self.entries[id as usize].1
    }

    /// The name of what set `id` (variable or method), if anything did.
    pub(crate) fn set_by(&self, id: Id) -> Option<&'static str> {
        match self.source(id) {
            Source::Variable(name) | Source::Code(name) => Some(name),
            Source::Default | Source::File { .. } => None,
        }
    }
}

/// Resolves the settings `wanted` picks for `signal` (the others keep their defaults).
pub(crate) fn resolve(
    lookup: &Lookup<'_>,
    signal: Signal,
    overrides: &[Override],
    wanted: impl Fn(Id) -> bool,
    problems: &mut Problems,
) -> Resolved {
    let entries = TABLE
        .iter()
        .map(|s| match wanted(s.id) {
            true => resolve_one(s, lookup, signal, overrides, problems),
            false => (default_value(s), Source::Default),
        })
        .collect();
    let mut resolved = Resolved { entries };
    finish_endpoint(&mut resolved, signal);
    resolved
}

/// Resolves `id` alone, for `signal`.
pub(crate) fn resolve_single(
    id: Id,
    lookup: &Lookup<'_>,
    signal: Signal,
    overrides: &[Override],
    problems: &mut Problems,
) -> Value {
    resolve_one(setting(id), lookup, signal, overrides, problems).0
}

fn resolve_one(
    setting: &Setting,
    lookup: &Lookup<'_>,
    signal: Signal,
    overrides: &[Override],
    problems: &mut Problems,
) -> (Value, Source) {
    if let Some(code) = overrides.iter().rev().find(|o| o.id == setting.id) {
        let value = code.value.clone().unwrap_or_else(|| default_value(setting));
        return (value, Source::Code(code.method));
    }
    match first_set(lookup, setting.variables(signal)) {
        Ok(Some((name, raw))) => match parse_text(&setting.kind, name, &raw) {
            Ok(value) => (value, Source::Variable(name)),
            Err(error) => {
                problems.extend(error.into_problems());
                (default_value(setting), Source::Variable(name))
            }
        },
        Ok(None) => (default_value(setting), Source::Default),
        Err(error) => {
            problems.extend(error.into_problems());
            (default_value(setting), Source::Default)
        }
    }
}

/// The setting's default, parsed by the same rules as a variable's value.
pub(crate) fn default_value(setting: &Setting) -> Value {
    if setting.default.is_empty() {
        return Value::Unset;
    }
    parse_text(&setting.kind, "default", setting.default).unwrap_or(Value::Unset)
}

/// The first of `names` that is set, by the variable policy. Every name that is not valid
/// UTF-8 is reported, even one that a set name before it hides: it is still a broken setting.
fn first_set(
    lookup: &Lookup<'_>,
    names: &[&'static str],
) -> Result<Option<(&'static str, String)>, ConfigError> {
    let mut problems = Vec::new();
    let mut found = None;
    for &name in names {
        match env_var::policy(name, lookup(name)) {
            Ok(Some(value)) if found.is_none() => found = Some((name, value)),
            Ok(_) => {}
            Err(env_var::NotUnicode(setting)) => {
                problems.push(ConfigProblem::NotUnicode { setting });
            }
        }
    }
    ConfigError::from_problems(problems).map_or(Ok(found), Err)
}

/// The spec's endpoint rules: a generic endpoint is a base URL to which OTLP/HTTP appends the
/// signal's path; with none set, the protocol's default.
fn finish_endpoint(resolved: &mut Resolved, signal: Signal) {
    let protocol: Protocol = resolved.get(Id::Protocol).choice();
    let generic = setting(Id::Endpoint).variables(signal).last().copied();
    let entry = &mut resolved.entries[Id::Endpoint as usize];
    match (&mut entry.0, &entry.1) {
        (Value::Url(url), Source::Variable(name)) if Some(*name) == generic => {
            if protocol != Protocol::Grpc {
                *url = with_signal_path(url.clone(), signal);
            }
        }
        (Value::Url(_), _) => {}
        (value, _) => *value = Value::Url(default_endpoint(protocol, signal)),
    }
}

/// `id`'s variables for `signal` and its builder method, as a hint names them.
pub(crate) fn setting_variables(id: Id, signal: Signal) -> String {
    let names = setting(id).variables(signal).join(" or ");
    match id {
        Id::ClientKey => format!("{names} (or ConfigBuilder::client_key)"),
        Id::ClientCertificate => format!("{names} (or ConfigBuilder::client_certificate)"),
        _ => names,
    }
}
