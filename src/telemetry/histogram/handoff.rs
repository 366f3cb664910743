//! The exemplar hand-off: several consumers (the OTLP agent, the flight recorder, a test) each
//! get the slowest sample of *their own* interval, however often each of them takes.
//!
//! Closing an epoch (see `exemplar`) is destructive: the closed epoch's slots are reused two
//! epochs later. So whoever closes an epoch merges its maximum into every registered reader's
//! accumulator, under one mutex, and a reader's take returns and clears its own accumulator.
//! A reader taking every second thus gets the maximum of every epoch closed during its second,
//! by itself or by a reader taking every 10 ms. All of this is on the consumers' side: the
//! recording path (`ExemplarSlot::beats`/`write`) is unchanged.

use std::sync::{Arc, Mutex, PoisonError, Weak};

use super::exemplar::Exemplar;

/// One reader's slowest sample since its last take.
type Pending = Mutex<Option<Exemplar>>;

/// A registered consumer of a histogram's exemplars; see
/// [`LatencyHistogram::exemplar_reader`](super::LatencyHistogram::exemplar_reader).
///
/// Dropping it unregisters it: closed epochs are no longer merged into it.
#[derive(Debug)]
pub struct ExemplarReader {
    pending: Arc<Pending>,
}

/// The registered readers of one histogram, and the built-in one
/// [`LatencyHistogram::take_exemplar`](super::LatencyHistogram::take_exemplar) uses.
#[derive(Debug, Default)]
pub(crate) struct Readers {
    /// Weak: a dropped reader is gone; its entry is pruned at the next close or registration.
    registered: Vec<Weak<Pending>>,
    /// The accumulator of `take_exemplar`, which needs no registration.
    built_in: Option<Exemplar>,
}

/// The slower of two samples (the earlier on a tie, so that a sample is never replaced by an
/// equal later one).
fn slower(kept: Option<Exemplar>, new: Option<Exemplar>) -> Option<Exemplar> {
    match (kept, new) {
        (Some(kept), Some(new)) if new.value_ns > kept.value_ns => Some(new),
        (Some(kept), _) => Some(kept),
        (None, new) => new,
    }
}

impl Readers {
    /// Empty: no reader registered yet.
    pub(crate) const fn new() -> Self {
        Readers {
            registered: Vec::new(),
            built_in: None,
        }
    }

    /// Registers a new reader.
    pub(crate) fn register(&mut self) -> ExemplarReader {
        self.registered.retain(|weak| weak.strong_count() > 0);
        let pending = Arc::new(Mutex::new(None));
        self.registered.push(Arc::downgrade(&pending));
        ExemplarReader { pending }
    }

    /// Merges a closed epoch's maximum into every live reader's accumulator, pruning dead ones.
    pub(crate) fn merge_closed(&mut self, closed: Option<Exemplar>) {
        self.built_in = slower(self.built_in, closed);
        self.registered.retain(|weak| {
            let Some(pending) = weak.upgrade() else {
                return false;
            };
            let mut pending = pending.lock().unwrap_or_else(PoisonError::into_inner);
            *pending = slower(*pending, closed);
            true
        });
    }

    /// Takes the built-in reader's accumulator.
    pub(crate) fn take_built_in(&mut self) -> Option<Exemplar> {
        self.built_in.take()
    }

    /// Takes `reader`'s accumulator, or `None` if it is not registered here.
    pub(crate) fn take(&self, reader: &ExemplarReader) -> Option<Exemplar> {
        let own = Arc::downgrade(&reader.pending);
        if !self.registered.iter().any(|weak| weak.ptr_eq(&own)) {
            return None;
        }
        reader
            .pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}
