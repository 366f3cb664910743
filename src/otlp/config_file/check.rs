//! The translated variables resolved exactly as the environment's are
//! ([`Config::from_lookup`], and for traces [`Config::traces_from_lookup`] and
//! [`TraceSettings::from_lookup`]), so that a value the schema allows but walrec refuses (an
//! interval of 5 ms, an endpoint without a scheme, a certificate file that is not PEM) is
//! reported at the key that gave it, through [`FileSettings::origins`]. The checks are the
//! environment's own: nothing here decides what is valid.

use super::{FileProblem, FileSettings};
use crate::otlp::config::Config;
#[cfg(feature = "traces")]
use crate::otlp::config::TraceSettings;
use crate::otlp::config::{ConfigError, ConfigProblem};

/// Every problem resolving `settings` finds, each at its variable's origin.
pub(super) fn resolve(settings: &FileSettings) -> Vec<FileProblem> {
    let lookup = settings.lookup();
    let mut found = Vec::new();
    collect(&mut found, Config::from_lookup(&lookup).map(drop));
    #[cfg(feature = "traces")]
    {
        collect(&mut found, Config::traces_from_lookup(&lookup).map(drop));
        collect(&mut found, TraceSettings::from_lookup(&lookup).map(drop));
    }
    found.iter().map(|p| at_origin(settings, p)).collect()
}

fn collect(found: &mut Vec<ConfigProblem>, result: Result<(), ConfigError>) {
    if let Err(error) = result {
        found.extend(error.into_problems());
    }
}

/// `problem` at the key its variable came from. The message says what was expected, in the
/// file's terms where the problem gives them apart; other problems (a malformed list entry,
/// an unreadable file) keep their own message, which names the variable.
fn at_origin(settings: &FileSettings, problem: &ConfigProblem) -> FileProblem {
    let setting = problem.setting();
    let message = match problem {
        ConfigProblem::Invalid {
            value, expected, ..
        } => format!("expected {expected}, got {value:?}"),
        ConfigProblem::NotSupported { value, why, .. } => {
            format!("{value:?} is not supported: {why}")
        }
        other => other.to_string(),
    };
    match settings.origins.get(setting) {
        Some(origin) => FileProblem {
            path: origin.path.clone(),
            line: origin.line,
            message,
        },
        None => FileProblem {
            path: String::new(),
            line: 0,
            message: format!("{setting}: {message}"),
        },
    }
}
