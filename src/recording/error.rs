//! What can go wrong writing or reading a recording.

use std::path::PathBuf;

/// An error of the flight recorder or of a recording's reader.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordingError {
    /// The file could not be created, written, synced or rotated.
    #[error(
        "cannot write the recording {path:?}; check the directory exists, is writable and has space"
    )]
    Write {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The file could not be read.
    #[error("cannot read the recording {path:?}; check the path and its permissions")]
    Read {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The file does not start with the recording magic.
    #[error("{path:?} is not a walrec recording (it does not start with the walrec magic)")]
    NotARecording {
        /// The file.
        path: PathBuf,
    },
    /// The file holds no complete header record (it was cut right after it was created).
    #[error(
        "{path:?} holds no complete header record: the recording was cut before its first write"
    )]
    NoHeader {
        /// The file.
        path: PathBuf,
    },
    /// A record before the end of the file is damaged: nothing after it can be trusted.
    #[error(
        "{path:?} is corrupt at byte offset {offset}: {reason}; the records before it can be \
         recovered by cutting the file there (truncate -s {offset})"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Where the bad record starts.
        offset: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// The file was written by a newer walrec, in a format this one does not know.
    #[error(
        "{path:?} has recording format version {found}; this walrec reads up to {supported}: use a newer walrec"
    )]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The file's version.
        found: u32,
        /// The newest version this build reads.
        supported: u32,
    },
    /// `WALREC_RECORD_INTERVAL` is not a positive number of milliseconds.
    #[error(
        "WALREC_RECORD_INTERVAL={value:?} is not a whole number of milliseconds above 0; set e.g. 1000"
    )]
    Interval {
        /// The variable's value.
        value: String,
    },
    /// A `WALREC_*` variable is set, but not to valid UTF-8.
    #[error("{variable} is set but is not valid UTF-8; set it to UTF-8 text, or unset it")]
    NotUnicode {
        /// The variable.
        variable: &'static str,
    },
    /// A report output (plot, hlog) could not be written.
    #[error("cannot write {path:?}: {what}")]
    Output {
        /// The output file.
        path: PathBuf,
        /// What failed.
        what: String,
    },
    /// The recorder's thread could not be started.
    #[error(
        "cannot start the flight recorder's thread; the process may be out of threads or memory"
    )]
    Thread(#[source] std::io::Error),
}
