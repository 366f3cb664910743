//! Stitching a rotated recording back together: `FILE.N` … `FILE.1`, `FILE`, in time order.

use std::path::Path;

use super::error::RecordingError;
use super::reader::Recording;
use super::writer::rotated;

impl Recording {
    /// Reads the recording at `path` and the rotated files before it (`FILE.1` is the newest
    /// of them), oldest first, as one recording: the oldest file's header, every interval in
    /// time order. A rotated file belongs to the chain when it has the same start time and the
    /// rotation number just before the next file's; the chain stops at the first file that is
    /// missing or belongs to another (earlier) recording, which is left out.
    pub fn open_rotated(path: &Path) -> Result<Recording, RecordingError> {
        let current = Recording::open(path)?;
        let mut header = current.header.clone();
        let mut chain = vec![current];
        // At most `rotation` files precede the current one: the loop is bounded by the header.
        for n in 1..=header.rotation {
            let file = rotated(path, n);
            if !file.exists() {
                break;
            }
            let older = Recording::open(&file)?;
            let same_recording = older.header.start_unix_nano == header.start_unix_nano
                && older.header.rotation.checked_add(1) == Some(header.rotation);
            if !same_recording {
                break;
            }
            header = older.header.clone();
            chain.push(older);
        }
        let torn = chain.iter().find_map(|file| file.torn.clone());
        let (mut intervals, mut files) = (Vec::new(), Vec::new());
        for file in chain.into_iter().rev() {
            intervals.extend(file.intervals);
            files.extend(file.files);
        }
        Ok(Recording {
            header,
            intervals,
            torn,
            files,
        })
    }
}
