//! The segment preloader: a worker thread that reads and verifies the next segment while the
//! current one is replayed, so that crossing a segment boundary does not stall on a full CRC
//! pass (the seed's `SegmentPreloader`).

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::thread::JoinHandle;

use crate::telemetry::clock;
use crate::wal::error::WalError;
use crate::wal::read::reader::{Buffers, VerifiedSegment};
use crate::wal::recovery::spans::{Carried, preload_end, preload_start};

/// How long each side of the hand-off polls its channel before blocking on it. Waking a thread
/// that sleeps on a channel costs tens of microseconds on a virtual machine; with segments
/// replayed in less than that, the replay stalled at almost every boundary although each load
/// took ~10 µs (benches/switch.rs, BENCHMARKS.md). Polling this long costs the preloader's core
/// at most this much per segment, and bounds the replay's own wait before it sleeps.
const POLL_NS: u64 = 50_000;

/// Polls `receiver` for up to [`POLL_NS`], then blocks on it: `None` once its sender is gone.
fn receive<T>(receiver: &Receiver<T>) -> Option<T> {
    let until = clock::now_ns().saturating_add(POLL_NS);
    loop {
        match receiver.try_recv() {
            Ok(value) => return Some(value),
            Err(TryRecvError::Disconnected) => return None,
            Err(TryRecvError::Empty) if clock::now_ns() < until => std::hint::spin_loop(),
            Err(TryRecvError::Empty) => return receiver.recv().ok(),
        }
    }
}

/// A segment handed to the replay, and how: for the preloader's telemetry.
pub(crate) struct Taken {
    pub result: Result<VerifiedSegment, WalError>,
    /// The preloader loaded it (rather than the replay itself).
    pub preloaded: bool,
    /// It was verified and waiting when the replay asked.
    pub ready: bool,
    /// When the replay started and stopped waiting, if it had to wait (for the preloader, or
    /// while it loaded the segment itself).
    pub waited: Option<(u64, u64)>,
}

type Loaded = (usize, Result<VerifiedSegment, WalError>);

/// A slot to load, its file, buffers to reuse, and the span context to trace the load under.
type Request = (usize, PathBuf, Buffers, Carried);

/// Loads at most one segment ahead, identified by its slot in the recovery manager's list.
/// The worker thread is started on the first request, so a replay that never crosses a
/// segment boundary never starts one.
pub(crate) struct Preloader {
    worker: Option<Worker>,
    /// Set once spawning the worker has failed: load synchronously from then on.
    spawn_failed: bool,
    in_flight: Option<usize>,
}

struct Worker {
    requests: Sender<Request>,
    results: Receiver<Loaded>,
    thread: JoinHandle<()>,
}

impl Worker {
    fn spawn() -> Option<Self> {
        let (requests, inbox) = channel::<Request>();
        let (outbox, results) = channel::<Loaded>();
        let thread = std::thread::Builder::new()
            .name("walrec-preload".into())
            .spawn(move || {
                while let Some((slot, path, buffers, parent)) = receive(&inbox) {
                    let span = preload_start(&parent);
                    let loaded = VerifiedSegment::read(&path, buffers);
                    preload_end(span, &loaded);
                    if outbox.send((slot, loaded)).is_err() {
                        break;
                    }
                }
            })
            .ok()?;
        Some(Worker {
            requests,
            results,
            thread,
        })
    }
}

impl Preloader {
    /// A preloader with no thread yet. If the thread cannot be spawned when it is first
    /// needed, the preloader still works, loading synchronously in [`take`](Self::take).
    pub(in crate::wal) fn new() -> Self {
        Preloader {
            worker: None,
            spawn_failed: false,
            in_flight: None,
        }
    }

    /// Starts loading `slot` in the background into `buffers`, unless a load is already in
    /// flight.
    pub(in crate::wal) fn request(
        &mut self,
        slot: usize,
        path: &Path,
        buffers: Buffers,
        parent: Carried,
    ) {
        if self.in_flight.is_some() || self.spawn_failed {
            return;
        }
        if self.worker.is_none() {
            self.worker = Worker::spawn();
            self.spawn_failed = self.worker.is_none();
        }
        if let Some(worker) = &self.worker {
            if worker
                .requests
                .send((slot, path.to_path_buf(), buffers, parent))
                .is_ok()
            {
                self.in_flight = Some(slot);
            }
        }
    }

    /// The verified reader for `slot`: the preloaded one if that is what is in flight,
    /// otherwise (after discarding any other load) opened now.
    pub(in crate::wal) fn take(&mut self, slot: usize, path: &Path) -> Taken {
        let asked = clock::now_ns();
        if let (Some(pending), Some(worker)) = (self.in_flight.take(), &self.worker) {
            let (ready, received) = match worker.results.try_recv() {
                Ok(loaded) => (true, Some(loaded)),
                Err(TryRecvError::Empty) => (false, receive(&worker.results)),
                Err(TryRecvError::Disconnected) => (false, None),
            };
            match received {
                Some((loaded, result)) if loaded == slot && pending == slot => {
                    let waited = (!ready).then(|| (asked, clock::now_ns()));
                    return Taken {
                        result,
                        preloaded: true,
                        ready,
                        waited,
                    };
                }
                Some(_) => {} // a load for another position: discard it
                None => {
                    let gone = WalError::PreloaderGone {
                        path: path.to_path_buf(),
                    };
                    return Taken {
                        result: Err(gone),
                        preloaded: false,
                        ready: false,
                        waited: None,
                    };
                }
            }
        }
        let result = VerifiedSegment::read(path, Buffers::default());
        Taken {
            result,
            preloaded: false,
            ready: false,
            waited: Some((asked, clock::now_ns())),
        }
    }
}

impl Drop for Preloader {
    fn drop(&mut self) {
        if let Some(Worker {
            requests,
            results,
            thread,
        }) = self.worker.take()
        {
            // Closing both channels ends the worker's loop once its current load is done.
            drop(requests);
            drop(results);
            let _ = thread.join();
        }
    }
}
