//! A fake environment for the configuration tests: `Config` resolved from a map, never the
//! process environment.
#![allow(dead_code)]

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::Path;

use walrec::otlp::config::{Config, ConfigError};

/// Variables, as `(name, value)`.
pub type Vars<'a> = Vec<(&'a str, &'a str)>;
/// Reads one setting of a configuration back as text.
pub type Reader = fn(&Config) -> String;

/// A fake environment.
pub fn env(pairs: &[(&str, &str)]) -> HashMap<String, OsString> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), OsString::from(v)))
        .collect()
}

/// The metrics' configuration from `pairs` alone.
pub fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let vars = env(pairs);
    Config::from_lookup(&|name| vars.get(name).cloned())
}

/// The error `pairs` must give.
pub fn problems(pairs: &[(&str, &str)]) -> ConfigError {
    match config(pairs) {
        Ok(config) => panic!("{pairs:?} should be rejected, got {config:?}"),
        Err(error) => error,
    }
}

/// A path's file name, or `-` for none.
pub fn show(path: Option<&Path>) -> String {
    path.map_or("-".to_owned(), |p| {
        p.file_name().unwrap().to_string_lossy().into_owned()
    })
}

/// The configuration's headers as `name=value,…`, values exposed.
pub fn headers_of(c: &Config) -> String {
    let all: Vec<_> = c
        .headers()
        .iter()
        .map(|(name, value)| format!("{name}={}", value.expose()))
        .collect();
    all.join(",")
}
