//! `walrec config`: the OTLP configuration this environment gives, every setting of both
//! signals with its value (secrets redacted) and where it came from, so that a setting that
//! "does not work" can be seen for what it is; `--table` prints the table of every variable.

use std::io::Write;

use super::CliError;
use super::error::stdout_error;

/// `walrec config`.
#[derive(Debug, Clone, clap::Args)]
pub struct ConfigArgs {
    /// Print the table of every variable walrec reads (Markdown, as in README.md) instead.
    #[arg(long)]
    pub table: bool,
}

/// Prints the resolved configuration; every problem found is then an error (exit 2), after
/// the settings that could be read.
#[cfg(feature = "otlp")]
pub fn run(args: &ConfigArgs) -> Result<(), CliError> {
    use walrec::otlp::config::{explain, settings_table_markdown};

    let mut out = std::io::stdout().lock();
    if args.table {
        return out
            .write_all(settings_table_markdown().as_bytes())
            .map_err(stdout_error);
    }
    let (settings, problems) = explain(&|name| std::env::var_os(name));
    let width = settings.iter().map(|s| s.variable.len()).max().unwrap_or(0);
    let mut text = String::new();
    for s in &settings {
        let signal = s.signal.as_str();
        let line = format!(
            "{signal:<8} {:<width$}  {:<40}  {}\n",
            s.variable, s.value, s.source
        );
        text.push_str(&line);
    }
    out.write_all(text.as_bytes()).map_err(stdout_error)?;
    match problems {
        Some(error) => Err(super::error::otlp_config_error(error)),
        None => Ok(()),
    }
}

/// Built without the `otlp` feature: there is no OTLP configuration.
#[cfg(not(feature = "otlp"))]
pub fn run(_args: &ConfigArgs) -> Result<(), CliError> {
    Err(CliError::Usage(
        "this walrec was built without the otlp feature: it has no OTLP configuration".into(),
    ))
}
