//! `OTEL_CONFIG_FILE`: OpenTelemetry's declarative configuration file (the
//! `opentelemetry-configuration` schema, `file_format: "1.0"`), as the Go, Java, C++, Python
//! and PHP SDKs read it.
//!
//! The file is not a second way to configure walrec: it is translated into the `OTEL_*`
//! variables that mean the same ([`FileSettings::vars`]), and those go through the one
//! resolution the environment goes through. A file and the variables that mean the same
//! therefore give the same [`Config`](super::Config), by construction. Each variable keeps the
//! key it came from ([`FileSettings::origins`]), so a problem found when it is resolved is
//! shown at the file's line. The exporter settings use the per-signal variables
//! (`OTEL_EXPORTER_OTLP_METRICS_*` for the meter provider's exporter,
//! `OTEL_EXPORTER_OTLP_TRACES_*` for the tracer provider's), so the two signals stay apart.
//!
//! A provider the file leaves out is a no-op provider (the schema's default): no
//! `meter_provider` sets `OTEL_METRICS_EXPORTER=none`, no `tracer_provider`
//! `OTEL_TRACES_EXPORTER=none`, no `propagator` `OTEL_PROPAGATORS=none`.
//!
//! Everything the file holds is either translated or refused: an unknown key, a value of the
//! wrong type or out of the schema's range, a second reader or processor, and a part of the
//! schema walrec does not implement (views, pull readers, log providers, resource detection,
//! samplers other than the SDK's built-in ones …) are each a [`FileProblem`] naming the key
//! path and line, never skipped. All are reported at once, in one [`FileError`]. After the
//! translation the variables are resolved exactly as [`Config::from_lookup`] resolves them,
//! so a value walrec refuses (an interval of 5 ms, an endpoint without a scheme) is reported at
//! the key that gave it too.
//!
//! `${VAR}`, `${env:VAR}` and `${VAR:-default}` in scalar values are substituted from the
//! environment as the data model defines (see [`subst`]); no other `OTEL_*` variable is read.
//!
//! [`Config::from_lookup`]: super::Config::from_lookup

mod check;
mod exporter;
mod providers;
mod sampler;
mod scalar;
mod sections;
mod subst;
mod walk;
mod yaml;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_refused;
#[cfg(test)]
mod tests_yaml;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::otlp::config::Lookup;
use crate::otlp::config::env::OTEL_CONFIG_FILE;

/// The largest configuration file read (1 MiB); a real one is a few KiB, and the file is read
/// whole, so a larger one is refused before it is parsed.
pub(crate) const MAX_CONFIG_FILE_BYTES: u64 = 1 << 20;

/// The file as the variables that mean the same, with where each came from.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct FileSettings {
    /// The variables, written as their values would be in the environment (durations in
    /// milliseconds, `true`/`false`, lists as `key=value,key=value` with percent-encoded
    /// values).
    pub(crate) vars: BTreeMap<&'static str, String>,
    /// The key each variable came from. A variable set because the file leaves a section out
    /// (`OTEL_METRICS_EXPORTER=none` for a missing `meter_provider`) has none.
    pub(crate) origins: BTreeMap<&'static str, KeyOrigin>,
}

impl FileSettings {
    /// The variables as an environment, for [`Config::from_lookup`](super::Config::from_lookup)
    /// and the other resolvers.
    pub(crate) fn lookup(&self) -> impl Fn(&str) -> Option<OsString> + '_ {
        |name| self.vars.get(name).map(OsString::from)
    }
}

impl fmt::Debug for FileSettings {
    /// Header values are secrets: their variables are shown as `<redacted>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = self.vars.iter().map(|(name, value)| {
            let secret = name.ends_with("_HEADERS");
            (*name, if secret { "<redacted>" } else { value.as_str() })
        });
        f.debug_struct("FileSettings")
            .field("vars", &shown.collect::<BTreeMap<_, _>>())
            .field("origins", &self.origins)
            .finish()
    }
}

/// Where in the file a variable's value was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyOrigin {
    /// The key path, such as `meter_provider.readers[0].periodic.exporter.otlp_http.endpoint`.
    pub(crate) path: String,
    /// The line, from 1.
    pub(crate) line: usize,
}

impl fmt::Display for KeyOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (line {})", self.path, self.line)
    }
}

/// One problem in the file: where, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.shown())]
pub(crate) struct FileProblem {
    /// The key path (empty for the document itself).
    pub(crate) path: String,
    /// The line, from 1; 0 when the problem has no place in the file.
    pub(crate) line: usize,
    /// What is wrong and what was expected. Never holds a header value.
    pub(crate) message: String,
}

impl FileProblem {
    fn shown(&self) -> String {
        match (self.path.is_empty(), self.line) {
            (false, 0) => format!("{}: {}", self.path, self.message),
            (false, line) => format!("{} (line {line}): {}", self.path, self.message),
            (true, 0) => self.message.clone(),
            (true, line) => format!("line {line}: {}", self.message),
        }
    }
}

/// Why the configuration file cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum FileError {
    /// The file could not be read: missing, not a regular file, not `.yaml`/`.yml`, not
    /// UTF-8, or unreadable.
    #[error("{OTEL_CONFIG_FILE}={file:?}: cannot read the file: {error}")]
    Unreadable {
        /// The path `OTEL_CONFIG_FILE` named.
        file: PathBuf,
        /// The reason.
        error: io::Error,
    },
    /// The file is larger than [`MAX_CONFIG_FILE_BYTES`]; it was not parsed.
    #[error(
        "{OTEL_CONFIG_FILE}={file:?} is {bytes} bytes; a configuration file may be at most 1 MiB"
    )]
    TooLarge {
        /// The path `OTEL_CONFIG_FILE` named.
        file: PathBuf,
        /// Its size.
        bytes: u64,
    },
    /// The file was read, and holds these problems (every one found, in line order).
    #[error("{}", listing(file.as_deref(), problems))]
    Invalid {
        /// The path `OTEL_CONFIG_FILE` named, when the text came from a file.
        file: Option<PathBuf>,
        /// The problems; never empty.
        problems: Vec<FileProblem>,
    },
}

impl FileError {
    /// The problems in the file; empty when it could not be read.
    pub(crate) fn problems(&self) -> &[FileProblem] {
        match self {
            FileError::Invalid { problems, .. } => problems,
            _ => &[],
        }
    }
}

/// A summary line, then each problem on its own line.
fn listing(file: Option<&Path>, problems: &[FileProblem]) -> String {
    let n = problems.len();
    let plural = if n == 1 { "" } else { "s" };
    let mut text = match file {
        Some(file) => format!("{OTEL_CONFIG_FILE}={file:?}: {n} problem{plural}:"),
        None => format!("the configuration file has {n} problem{plural}:"),
    };
    for problem in problems {
        text.push_str(&format!("\n  {problem}"));
    }
    text
}

/// Reads and translates the file at `path`; `${VAR}` references are substituted from
/// `lookup`. A file larger than [`MAX_CONFIG_FILE_BYTES`] is refused before it is parsed.
pub(crate) fn read_config_file(
    path: &Path,
    lookup: &Lookup<'_>,
) -> Result<FileSettings, FileError> {
    let text = read_text(path)?;
    translate(&text, lookup).map_err(|error| match error {
        FileError::Invalid { problems, .. } => FileError::Invalid {
            file: Some(path.to_owned()),
            problems,
        },
        other => other,
    })
}

/// The file's text: a regular `.yaml` or `.yml` file (the data model: YAML configuration
/// files MUST use those extensions) of at most [`MAX_CONFIG_FILE_BYTES`], in UTF-8.
fn read_text(path: &Path) -> Result<String, FileError> {
    let unreadable = |error| FileError::Unreadable {
        file: path.to_owned(),
        error,
    };
    let yaml = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
    if !yaml {
        let why = "the name must end in .yaml or .yml (the configuration data model's rule)";
        return Err(unreadable(io::Error::other(why)));
    }
    let file = File::open(path).map_err(unreadable)?;
    let meta = file.metadata().map_err(unreadable)?;
    if !meta.is_file() {
        return Err(unreadable(io::Error::other("not a regular file")));
    }
    let too_large = |bytes| FileError::TooLarge {
        file: path.to_owned(),
        bytes,
    };
    if meta.len() > MAX_CONFIG_FILE_BYTES {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::new();
    let mut limited = file.take(MAX_CONFIG_FILE_BYTES + 1);
    limited.read_to_end(&mut bytes).map_err(unreadable)?;
    if bytes.len() as u64 > MAX_CONFIG_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    String::from_utf8(bytes)
        .map_err(|_| unreadable(io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text")))
}

/// Translates the text of a configuration file; `${VAR}` references are substituted from
/// `lookup`. Every problem is reported, in line order; there is no partial result.
pub(crate) fn translate(text: &str, lookup: &Lookup<'_>) -> Result<FileSettings, FileError> {
    let mut problems = Vec::new();
    let root = yaml::load(text, &mut problems);
    let mut walk = walk::Walk::new(lookup);
    match &root {
        Some(root) => sections::root(&mut walk, root),
        None if problems.is_empty() => walk.problem("", 1, "the file is empty"),
        None => {}
    }
    problems.append(&mut walk.problems);
    let settings = walk.settings;
    if root.is_some() {
        problems.extend(check::resolve(&settings));
    }
    if problems.is_empty() {
        return Ok(settings);
    }
    problems.sort_by(|a, b| (a.line, &a.path, &a.message).cmp(&(b.line, &b.path, &b.message)));
    problems.dedup();
    Err(FileError::Invalid {
        file: None,
        problems,
    })
}
