//! `CliError`: a one-line message and its exit code.

use walrec::wal::WalError;

/// A failed command: usage (exit 2) or runtime/data (exit 1).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A bad argument or configuration; the message names the argument.
    #[error("usage error: {0}")]
    Usage(String),
    /// The data or the system failed; the message names the file.
    #[error("error: {0}")]
    Runtime(String),
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => 2,
            CliError::Runtime(_) => 1,
        }
    }

    /// A WAL error, classified: asking for something the WAL cannot be (usage) or the WAL
    /// itself being bad (runtime). `argument` names the option the error is about.
    pub fn from_wal(argument: &str, error: WalError) -> Self {
        if error.is_usage() {
            CliError::Usage(format!("{argument}: {error}"))
        } else {
            CliError::Runtime(error.to_string())
        }
    }
}

/// An `OTEL_*` configuration that does not resolve: a usage error listing every problem (each
/// names its variable).
#[cfg(feature = "otlp")]
pub fn otlp_config_error(error: walrec::otlp::ConfigError) -> CliError {
    let problems: Vec<String> = error.problems().iter().map(ToString::to_string).collect();
    CliError::Usage(format!(
        "invalid OTLP configuration: {}",
        problems.join("; ")
    ))
}

/// Writing to stdout failed (for example a closed pipe).
pub fn stdout_error(error: std::io::Error) -> CliError {
    CliError::Runtime(format!("cannot write to stdout: {error}"))
}
