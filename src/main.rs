//! `walrec`: generate a WAL, replay it with telemetry, or run the demo.
//!
//! Exit codes: 0 on success, 1 on a runtime or data error, 2 on a usage or configuration
//! error, 130 / 143 when SIGINT / SIGTERM stopped `replay` or `demo` (after the dump and the
//! final export). The dump goes to stdout; progress and errors go to stderr, errors as one
//! line.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::init_logging();
    match cli::run(std::env::args_os()) {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(error) => {
            eprintln!("walrec: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}
