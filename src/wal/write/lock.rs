//! `DirLock`: the one-writer-at-a-time rule, an exclusive advisory lock on a file in the WAL
//! directory, held by a writer (and by `repair`) for as long as it lives.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::path::Path;

use crate::wal::error::WalError;

/// The lock file's name inside a WAL directory. Scans skip it.
pub const LOCK_FILE_NAME: &str = "walrec.lock";

/// An exclusive `flock` on `<dir>/walrec.lock`, released when dropped (or when the process
/// dies, however it dies: the kernel drops the lock with the last descriptor). The file holds
/// the holder's process id, so that a refused second writer can say who holds it.
#[derive(Debug)]
pub(crate) struct DirLock {
    _file: File,
}

impl DirLock {
    /// Takes the lock on `dir`, or fails with [`WalError::Locked`] if someone holds it.
    pub(in crate::wal) fn acquire(dir: &Path) -> Result<Self, WalError> {
        let path = dir.join(LOCK_FILE_NAME);
        let io = |op| {
            let path = path.clone();
            move |source| WalError::Io { path, op, source }
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io("open"))?;
        if let Err(source) = try_flock(&file) {
            if source.kind() == std::io::ErrorKind::WouldBlock {
                return Err(WalError::Locked {
                    holder: holder_pid(&mut file),
                    lock_file: path,
                });
            }
            return Err(io("lock")(source));
        }
        file.set_len(0).map_err(io("write"))?;
        file.seek(SeekFrom::Start(0)).map_err(io("write"))?;
        writeln!(file, "{}", std::process::id()).map_err(io("write"))?;
        Ok(DirLock { _file: file })
    }
}

/// `flock(LOCK_EX | LOCK_NB)`: an exclusive lock, or `WouldBlock` at once if someone holds it.
/// (`File::try_lock` does the same from Rust 1.89; the crate still builds with 1.85.)
fn try_flock(file: &File) -> std::io::Result<()> {
    // SAFETY: flock only reads the descriptor number; `file` keeps the descriptor open for
    // the duration of the call.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// The process id the holder wrote into the lock file, if it is readable.
fn holder_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}
