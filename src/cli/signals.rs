//! Graceful SIGINT and SIGTERM for the replaying commands.
//!
//! The first signal asks every watched replay to stop (at its next segment boundary, see
//! [`StopHandle`]); the command then prints the dump of what was replayed and a line naming
//! the interruption point, makes its bounded final export, and exits with 128 + the signal's
//! number (130 for SIGINT, 143 for SIGTERM). A second signal exits at once with the same
//! code. The signals are received on a thread of their own (`signal-hook`'s iterator), so the
//! replay itself never looks at anything but its stop flag.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use walrec::wal::StopHandle;

use super::CliError;

/// The signals watched while a command replays; installed only by `replay` and `demo`, so
/// that `generate` keeps the default behaviour (its segments appear only once complete).
#[derive(Debug, Clone)]
pub struct Interrupts {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    /// The first signal received, 0 before any.
    first: AtomicI32,
    /// The replays to stop.
    watched: Mutex<Vec<StopHandle>>,
}

/// A signal's name, for messages.
pub fn signal_name(signal: i32) -> &'static str {
    match signal {
        SIGINT => "SIGINT",
        SIGTERM => "SIGTERM",
        _ => "a signal",
    }
}

/// The exit code for a command ended by `signal`: the shells' 128 + its number.
pub fn exit_code(signal: i32) -> u8 {
    u8::try_from(128 + signal).unwrap_or(u8::MAX)
}

impl Interrupts {
    /// Starts receiving SIGINT and SIGTERM.
    pub fn install() -> Result<Self, CliError> {
        let mut signals = Signals::new([SIGINT, SIGTERM]).map_err(|e| {
            CliError::Runtime(format!("cannot install the SIGINT/SIGTERM handlers: {e}"))
        })?;
        let interrupts = Interrupts {
            shared: Arc::default(),
        };
        let receiver = interrupts.clone();
        std::thread::Builder::new()
            .name("walrec-signals".to_owned())
            .spawn(move || {
                for signal in signals.forever() {
                    receiver.received(signal);
                }
            })
            .map_err(|e| CliError::Runtime(format!("cannot start the signal thread: {e}")))?;
        Ok(interrupts)
    }

    /// The first signal: stop the replays. A second one: exit now.
    fn received(&self, signal: i32) {
        // Relaxed: the flag carries no data; the replays read their own stop flags.
        let first =
            self.shared
                .first
                .compare_exchange(0, signal, Ordering::Relaxed, Ordering::Relaxed);
        match first {
            Ok(_) => {
                eprintln!(
                    "walrec: {}: stopping the replay, then the final export (again to quit at once)",
                    signal_name(signal)
                );
                for handle in self.watched().iter() {
                    handle.stop();
                }
            }
            Err(earlier) => {
                eprintln!("walrec: second signal: exiting now");
                signal_hook::low_level::exit(i32::from(exit_code(earlier)));
            }
        }
    }

    fn watched(&self) -> std::sync::MutexGuard<'_, Vec<StopHandle>> {
        // A panic while holding the lock leaves a plain Vec, still usable.
        self.shared
            .watched
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Stops `handle`'s replay on the first signal (at once, if one has arrived already).
    pub fn watch(&self, handle: StopHandle) {
        let mut watched = self.watched();
        if self.signal().is_some() {
            handle.stop();
        }
        watched.push(handle);
    }

    /// The first signal received, if any.
    pub fn signal(&self) -> Option<i32> {
        // Relaxed: see `received`.
        let first = self.shared.first.load(Ordering::Relaxed);
        (first != 0).then_some(first)
    }
}
