//! What `replay` tells the operator besides its summary: a `--from-event` past the WAL, and the
//! recovery report (tails discarded, unfinished creations, a point-in-time stop, warnings).

use walrec::wal::{Hooks, RecoveryManager, RecoveryReport};

use super::CliError;

/// `--from-event` past the last event is a usage error naming the last id (an id before the
/// first is one too, from the library). A WAL without intact events accepts any id.
pub fn check_from_event<H: Hooks>(wal: &RecoveryManager<H>, from: u64) -> Result<(), CliError> {
    let last = wal.last_event_id();
    if wal.event_count() > 0 && from > last {
        return Err(CliError::Usage(format!(
            "--from-event: event {from} is past the last event of the WAL at {}, which is {last}; resume from {last} or earlier",
            wal.dir().display()
        )));
    }
    Ok(())
}

/// One `warning:` line on stderr per item of the report.
pub fn print(report: &RecoveryReport) {
    for path in &report.unfinished {
        eprintln!(
            "warning: ignored {}: an unfinished segment creation (a header, no events)",
            path.display()
        );
    }
    let verb = if report.stopped_early {
        "point-in-time recovery stopped at"
    } else {
        "discarded"
    };
    for discarded in &report.discarded {
        eprintln!("warning: {verb} {discarded}");
    }
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
}
