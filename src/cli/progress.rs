//! A progress bar on stderr, shown only when stderr is a terminal.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};
use walrec::telemetry::ProgressSnapshot;
use walrec::telemetry::dump::{HumanNs, HumanRate};

/// Update the bar once every this many events (a power of two: the check is a mask).
pub const EVERY: u64 = 1 << 16;

/// An optional progress bar: a no-op when stderr is not a terminal.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A bar counting to `total` events, if stderr is a terminal.
    pub fn new(total: u64) -> Self {
        if !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = ProgressBar::new(total);
        let template = "{bar:40.cyan/blue} {human_pos}/{human_len} events  {msg}";
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        Progress { bar: Some(bar) }
    }

    /// Sets the number of events done.
    #[inline]
    pub fn set(&self, done: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(done);
        }
    }

    /// Shows the recovery's own progress: events, rate, bytes, segments left and ETA.
    pub fn show(&self, progress: &ProgressSnapshot) {
        if let Some(bar) = &self.bar {
            bar.set_position(progress.events_replayed);
            let eta = progress
                .eta_ns
                .map_or_else(|| "-".to_owned(), |ns| HumanNs(ns as f64).to_string());
            bar.set_message(format!(
                "{}  {} MiB  {} segments left  eta {eta}",
                HumanRate(progress.events_per_sec),
                progress.bytes_replayed >> 20,
                progress.segments_left(),
            ));
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
