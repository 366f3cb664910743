//! `Discarded`: what a recovery left out of a segment — the bytes after its intact prefix.

use std::fmt;
use std::path::PathBuf;

/// The part of a segment after its intact prefix, which a replay did not return (and which
/// `repair` cuts): a torn or unsealed tail, or where a point-in-time replay stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Discarded {
    /// The segment.
    pub path: PathBuf,
    /// Byte offset where the intact prefix ends and the discarded bytes begin.
    pub offset: u64,
    /// Bytes from `offset` to the end of the file.
    pub bytes: u64,
    /// Whether the segment was unsealed (the writer had not finished it: normal after a crash).
    pub unsealed: bool,
    /// What is wrong at `offset`, or `None` when an unsealed segment simply ends there.
    pub reason: Option<String>,
}

impl fmt::Display for Discarded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} bytes from byte {} of {} segment",
            self.path.display(),
            self.bytes,
            self.offset,
            if self.unsealed {
                "an unsealed"
            } else {
                "a sealed"
            },
        )?;
        match &self.reason {
            Some(reason) => write!(f, " ({reason})"),
            None => Ok(()),
        }
    }
}
