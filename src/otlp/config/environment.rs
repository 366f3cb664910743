//! Where settings are read from: the variables a [`Lookup`] gives, or, when it names a
//! declarative configuration file (`OTEL_CONFIG_FILE`), that file translated into the variables
//! that mean the same. As the specification says, the other `OTEL_*` variables are then not
//! read (only through the file's `${VAR}` references).

use super::env::OTEL_CONFIG_FILE;
use super::error::{ConfigError, ConfigProblem};
use super::resolve::{Lookup, Source};
use crate::otlp::config_file::{FileError, FileSettings, read_config_file};
use crate::telemetry::env_var;

/// The variables settings are resolved from.
pub(crate) enum Environment<'a> {
    /// The lookup's own variables.
    Variables(&'a Lookup<'a>),
    /// The configuration file, translated.
    File(Box<FileSettings>),
    /// `OTEL_CONFIG_FILE` is set, but the file cannot be used.
    Broken(Vec<ConfigProblem>),
}

impl<'a> Environment<'a> {
    /// The environment `lookup` describes: its variables, or the file it names.
    pub(crate) fn new(lookup: &'a Lookup<'a>) -> Self {
        let path = match env_var::policy(OTEL_CONFIG_FILE, lookup(OTEL_CONFIG_FILE)) {
            Ok(None) => return Environment::Variables(lookup),
            Ok(Some(path)) => path,
            Err(env_var::NotUnicode(setting)) => {
                return Environment::Broken(vec![ConfigProblem::NotUnicode { setting }]);
            }
        };
        match read_config_file(std::path::Path::new(&path), lookup) {
            Ok(settings) => Environment::File(Box::new(settings)),
            Err(error) => Environment::Broken(file_problems(&error)),
        }
    }

    /// `resolve` run over these variables (a broken file's problems are handed out once).
    pub(crate) fn with<T>(
        &mut self,
        resolve: impl FnOnce(&Lookup<'_>) -> Result<T, ConfigError>,
    ) -> Result<T, ConfigError> {
        match self {
            Environment::Variables(lookup) => resolve(lookup),
            Environment::File(settings) => resolve(&settings.lookup()),
            Environment::Broken(problems) => Err(ConfigError {
                problems: std::mem::take(problems),
            }),
        }
    }

    /// `source` as the user wrote it: a variable the file gave is its key and line.
    pub(crate) fn source(&self, source: Source) -> Source {
        match (self, &source) {
            (Environment::File(settings), Source::Variable(name)) => {
                match settings.origins.get(name) {
                    Some(origin) => Source::File {
                        key: origin.path.clone(),
                        line: origin.line,
                    },
                    None => Source::Default,
                }
            }
            _ => source,
        }
    }
}

/// The file's problems, each at its key and line.
fn file_problems(error: &FileError) -> Vec<ConfigProblem> {
    let in_file =
        |key: String, line: usize, message: String| ConfigProblem::InFile { key, line, message };
    match error.problems() {
        [] => vec![in_file(String::new(), 0, error.to_string())],
        problems => problems
            .iter()
            .map(|p| in_file(p.path.clone(), p.line, p.message.clone()))
            .collect(),
    }
}
