//! `OwnedManagerUpdater`: a [`ManagerUpdater`] that owns its `Arc<Manager>`, so that an engine
//! can hold its manager and its updater in one struct.

use std::sync::Arc;

use super::manager::Manager;
use super::updater::ManagerUpdater;

/// A [`ManagerUpdater`] together with the `Arc<Manager>` it records into.
///
/// A plain `ManagerUpdater<'a>` borrows its manager, so a struct cannot hold both; this type
/// holds both and hands out the updater through [`updater`](Self::updater). Recording goes
/// through the very same updater, so the hooks cost exactly what they cost on a borrowed one
/// (`benches/record.rs` compares the two).
///
/// ```
/// use std::sync::Arc;
/// use walrec::telemetry::{clock, Manager, OwnedManagerUpdater};
///
/// struct Engine {
///     telemetry: OwnedManagerUpdater,
/// }
///
/// let manager = Arc::new(Manager::new());
/// let engine = Engine { telemetry: OwnedManagerUpdater::new(Arc::clone(&manager)) };
/// let hooks = engine.telemetry.updater();
/// let start = clock::now_ns();
/// hooks.on_next_event(start);
/// hooks.flush();
/// assert_eq!(manager.snapshot().next_event.samples, 1);
/// ```
pub struct OwnedManagerUpdater {
    // Declared before `manager` so that it is dropped first: it borrows from the manager.
    updater: ManagerUpdater<'static>,
    manager: Arc<Manager>,
}

impl OwnedManagerUpdater {
    /// An updater for `manager` that keeps it alive.
    pub fn new(manager: Arc<Manager>) -> Self {
        // SAFETY: the Manager lives in the Arc's heap allocation, which never moves and stays
        // alive while `manager` (a strong reference owned by this struct) exists. `updater` is
        // dropped before `manager` (fields drop in declaration order) and is only ever lent
        // out as `ManagerUpdater<'s>` for a borrow `'s` of `self` (see `updater`), so no
        // reference derived from this `'static` lifetime outlives the allocation.
        let borrowed: &'static Manager = unsafe { &*Arc::as_ptr(&manager) };
        OwnedManagerUpdater {
            updater: ManagerUpdater::new(borrowed),
            manager,
        }
    }

    /// The updater, for as long as `self` is borrowed.
    #[inline(always)]
    pub fn updater(&self) -> &ManagerUpdater<'_> {
        // Shortens the lifetime: `ManagerUpdater` is covariant in it.
        &self.updater
    }

    /// The manager this updater records into.
    pub fn manager(&self) -> &Arc<Manager> {
        &self.manager
    }
}

impl std::fmt::Debug for OwnedManagerUpdater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OwnedManagerUpdater")
            .field("updater", self.updater())
            .finish_non_exhaustive()
    }
}
