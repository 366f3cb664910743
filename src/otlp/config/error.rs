//! `ConfigError`: every problem with the OTLP configuration, reported at once.
//!
//! Each [`ConfigProblem`] names where the bad value came from (an environment variable, or a
//! [`ConfigBuilder`](super::ConfigBuilder) method), shows the value (truncated), and says what
//! was expected. Header values are secrets: a malformed `OTEL_EXPORTER_OTLP_HEADERS` entry is
//! named by its position and, when that is a valid header name, its key, never its value.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Longest value shown in a message, in characters; a pasted certificate or a runaway script
/// should not flood the terminal.
const MAX_SHOWN_CHARS: usize = 80;

/// One problem with one setting.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigProblem {
    /// A value that does not parse or is out of range.
    #[error("{setting}={value:?} is invalid: expected {expected}")]
    Invalid {
        /// The variable or builder method that supplied the value.
        setting: &'static str,
        /// The value, truncated to 80 characters.
        value: String,
        /// The accepted form.
        expected: String,
    },
    /// A well-formed value that walrec does not implement.
    #[error("{setting}={value:?} is not supported: {why}")]
    NotSupported {
        /// The variable or builder method that supplied the value.
        setting: &'static str,
        /// The value, truncated to 80 characters.
        value: String,
        /// What is supported instead.
        why: &'static str,
    },
    /// One entry of a comma-separated `key=value` list is malformed. For headers the entry
    /// is never shown, only its key when that is a well-formed header name: values are
    /// secrets.
    #[error("{setting}: entry #{index}{} is malformed: {expected}", shown_part(key.as_deref(), entry.as_deref()))]
    MalformedEntry {
        /// The variable or builder method that supplied the list.
        setting: &'static str,
        /// The entry's position in the list, counting from 1.
        index: usize,
        /// The entry's key, when it is shown.
        key: Option<String>,
        /// The whole entry (truncated), for lists that hold no secrets.
        entry: Option<String>,
        /// What is wrong and the accepted form.
        expected: &'static str,
    },
    /// A certificate or key file that cannot be opened.
    #[error(
        "{setting}={path:?}: cannot read the file: {error}; expected the path of a readable PEM file"
    )]
    Unreadable {
        /// The variable or builder method that supplied the path.
        setting: &'static str,
        /// The path.
        path: PathBuf,
        /// The operating system's error (shown in the message, so not also a `source`).
        error: io::Error,
    },
    /// A certificate or key file that can be read but does not hold what the setting needs.
    #[error("{setting}={path:?} does not hold {expected}; check that it names the right file")]
    NotPem {
        /// The variable or builder method that supplied the path.
        setting: &'static str,
        /// The path.
        path: PathBuf,
        /// What the file should hold, such as "a PEM certificate".
        expected: &'static str,
    },
    /// A variable that is set, but not to valid UTF-8 (its value is not shown: it may be a
    /// secret, and the terminal could not show it anyway).
    #[error("{setting} is set but is not valid UTF-8; set it to UTF-8 text, or unset it")]
    NotUnicode {
        /// The variable.
        setting: &'static str,
    },
    /// A problem in the declarative configuration file `OTEL_CONFIG_FILE` names, at a key.
    #[error("{}", in_file(key, *line, message))]
    InFile {
        /// The key path, such as `meter_provider.readers[0].periodic.interval`; empty when the
        /// problem is the file itself (unreadable, not YAML).
        key: String,
        /// The line, from 1; 0 when the problem has no place in the file.
        line: usize,
        /// What is wrong and what was expected (never a header value).
        message: String,
    },
    /// Two settings that only make sense together, of which one is missing.
    #[error("{setting} is set but no {missing} is; {hint}")]
    Incomplete {
        /// The variable or builder method that supplied the lone setting.
        setting: &'static str,
        /// The missing setting.
        missing: &'static str,
        /// Which variables or methods would supply it.
        hint: String,
    },
}

fn in_file(key: &str, line: usize, message: &str) -> String {
    match (key.is_empty(), line) {
        (true, 0) => format!("OTEL_CONFIG_FILE: {message}"),
        (true, line) => format!("OTEL_CONFIG_FILE, line {line}: {message}"),
        (false, 0) => format!("OTEL_CONFIG_FILE, {key}: {message}"),
        (false, line) => format!("OTEL_CONFIG_FILE, {key} (line {line}): {message}"),
    }
}

fn shown_part(key: Option<&str>, entry: Option<&str>) -> String {
    match (entry, key) {
        (Some(entry), _) => format!(" ({entry:?})"),
        (None, Some(key)) => format!(" (key {key:?})"),
        (None, None) => String::new(),
    }
}

impl ConfigProblem {
    /// An invalid value: `value` is truncated for the message.
    pub(crate) fn invalid(setting: &'static str, value: &str, expected: impl Into<String>) -> Self {
        ConfigProblem::Invalid {
            setting,
            value: truncate(value),
            expected: expected.into(),
        }
    }

    /// A malformed entry of a list that holds no secrets: the entry is shown.
    pub(crate) fn malformed_entry(
        setting: &'static str,
        index: usize,
        entry: &str,
        expected: &'static str,
    ) -> Self {
        ConfigProblem::MalformedEntry {
            setting,
            index,
            key: None,
            entry: Some(truncate(entry)),
            expected,
        }
    }

    /// A well-formed value walrec does not implement.
    pub(crate) fn not_supported(setting: &'static str, value: &str, why: &'static str) -> Self {
        ConfigProblem::NotSupported {
            setting,
            value: truncate(value),
            why,
        }
    }

    /// The variable or builder method the problem is about.
    pub fn setting(&self) -> &'static str {
        match self {
            ConfigProblem::Invalid { setting, .. }
            | ConfigProblem::NotSupported { setting, .. }
            | ConfigProblem::MalformedEntry { setting, .. }
            | ConfigProblem::Unreadable { setting, .. }
            | ConfigProblem::NotPem { setting, .. }
            | ConfigProblem::NotUnicode { setting }
            | ConfigProblem::Incomplete { setting, .. } => setting,
            ConfigProblem::InFile { .. } => super::env::OTEL_CONFIG_FILE,
        }
    }
}

/// Cuts `value` to [`MAX_SHOWN_CHARS`] characters, marking the cut with `…`.
fn truncate(value: &str) -> String {
    match value.char_indices().nth(MAX_SHOWN_CHARS) {
        Some((cut, _)) => format!("{}…", &value[..cut]),
        None => value.to_owned(),
    }
}

/// Every problem found in one resolution of the configuration; never empty.
///
/// `Display` prints a summary line, then each problem on its own line.
#[derive(Debug)]
pub struct ConfigError {
    pub(crate) problems: Vec<ConfigProblem>,
}

impl ConfigError {
    /// The problems, in the order the settings were resolved.
    pub fn problems(&self) -> &[ConfigProblem] {
        &self.problems
    }

    /// Takes the problems out.
    pub fn into_problems(self) -> Vec<ConfigProblem> {
        self.problems
    }

    /// An error from collected problems; `None` if there are none.
    pub(crate) fn from_problems(problems: Vec<ConfigProblem>) -> Option<Self> {
        (!problems.is_empty()).then_some(ConfigError { problems })
    }
}

impl From<ConfigProblem> for ConfigError {
    fn from(problem: ConfigProblem) -> Self {
        ConfigError {
            problems: vec![problem],
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "invalid OTLP configuration ({n} problem{}):",
            if n == 1 { "" } else { "s" }
        )?;
        for problem in &self.problems {
            write!(f, "\n  {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// Collects problems while resolving many settings, so all are reported at once.
#[derive(Default)]
pub(crate) struct Problems(Vec<ConfigProblem>);

impl Problems {
    /// Records one more problem, if there is one.
    pub(crate) fn extend(&mut self, problems: impl IntoIterator<Item = ConfigProblem>) {
        self.0.extend(problems);
    }

    /// `value` if nothing went wrong, else every problem.
    pub(crate) fn finish<T>(self, value: T) -> Result<T, ConfigError> {
        match ConfigError::from_problems(self.0) {
            Some(error) => Err(error),
            None => Ok(value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_on_a_char_boundary() {
        let long = "é".repeat(200);
        let cut = truncate(&long);
        assert_eq!(cut.chars().count(), MAX_SHOWN_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(truncate("short"), "short");
    }
}
