//! The segment preloader: a worker thread that opens and verifies the next segment while the
//! current one is replayed, so that crossing a segment boundary does not stall on a full CRC
//! pass (the seed's `SegmentPreloader`).

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

use super::error::WalError;
use super::reader::SegmentReader;

type Loaded = (usize, Result<SegmentReader, WalError>);

/// Loads at most one segment ahead, identified by its slot in the recovery manager's list.
pub(crate) struct Preloader {
    requests: Option<Sender<(usize, PathBuf)>>,
    results: Option<Receiver<Loaded>>,
    worker: Option<JoinHandle<()>>,
    in_flight: Option<usize>,
}

impl Preloader {
    /// Starts the worker thread. If the thread cannot be spawned, the preloader still works,
    /// loading synchronously in [`take`](Self::take).
    pub fn start() -> Self {
        let (requests, inbox) = channel::<(usize, PathBuf)>();
        let (outbox, results) = channel::<Loaded>();
        let worker = std::thread::Builder::new()
            .name("walrec-preload".into())
            .spawn(move || {
                for (slot, path) in inbox {
                    let loaded = SegmentReader::open(&path);
                    if outbox.send((slot, loaded)).is_err() {
                        break;
                    }
                }
            })
            .ok();
        let running = worker.is_some();
        Preloader {
            requests: running.then_some(requests),
            results: running.then_some(results),
            worker,
            in_flight: None,
        }
    }

    /// Starts loading `slot` in the background, unless a load is already in flight.
    pub fn request(&mut self, slot: usize, path: &Path) {
        if self.in_flight.is_some() {
            return;
        }
        if let Some(requests) = &self.requests {
            if requests.send((slot, path.to_path_buf())).is_ok() {
                self.in_flight = Some(slot);
            }
        }
    }

    /// The verified reader for `slot`: the preloaded one if that is what is in flight,
    /// otherwise (after discarding any other load) opened now.
    pub fn take(&mut self, slot: usize, path: &Path) -> Result<SegmentReader, WalError> {
        if let (Some(pending), Some(results)) = (self.in_flight.take(), &self.results) {
            match results.recv() {
                Ok((loaded, reader)) if loaded == slot && pending == slot => return reader,
                Ok(_) => {} // a load for another position: discard it
                Err(_) => {
                    return Err(WalError::PreloaderGone {
                        path: path.to_path_buf(),
                    });
                }
            }
        }
        SegmentReader::open(path)
    }
}

impl Drop for Preloader {
    fn drop(&mut self) {
        // Closing the request channel ends the worker's loop once its current load is done.
        self.requests = None;
        self.results = None;
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}
