//! `OwnedManagerUpdater`: a [`ManagerUpdater`] that owns its `Arc<Manager>` (or the
//! `Arc<Recovery>` holding the manager), so that an engine can hold its manager and its updater
//! in one struct.

use std::sync::Arc;

use super::manager::Manager;
use super::recovery::Recovery;
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
///
/// The owner may also be a whole [`Recovery`] (`OwnedManagerUpdater<Recovery>`): the updater
/// then records into `recovery.manager`, and the struct keeps the whole recovery alive. An
/// adapter that must be `'static` (another WAL's recovery callback) holds it that way.
pub struct OwnedManagerUpdater<O: OwnsManager = Manager> {
    // Declared before `manager` so that it is dropped first: it borrows from the manager.
    updater: ManagerUpdater<'static>,
    manager: Arc<O>,
}

/// What an [`OwnedManagerUpdater`] can own: a [`Manager`] itself, or a [`Recovery`] (whose
/// `manager` field it records into). Sealed: the updater's safety rests on the manager living
/// inside the owner's own allocation.
pub trait OwnsManager: sealed::Sealed + 'static {
    /// The manager inside `self`.
    fn owned_manager(&self) -> &Manager;
}

mod sealed {
    /// Only walrec's own owner types.
    pub trait Sealed {}
    impl Sealed for super::Manager {}
    impl Sealed for super::Recovery {}
}

impl OwnsManager for Manager {
    fn owned_manager(&self) -> &Manager {
        self
    }
}

impl OwnsManager for Recovery {
    fn owned_manager(&self) -> &Manager {
        &self.manager
    }
}

impl<O: OwnsManager> OwnedManagerUpdater<O> {
    /// An updater for the manager in `owner` that keeps the owner alive.
    pub fn new(owner: Arc<O>) -> Self {
        // SAFETY: the Manager lives in (or is) the Arc's heap allocation, which never moves
        // and stays alive while `manager` (a strong reference owned by this struct) exists;
        // both sealed `OwnsManager` impls return a reference into that allocation. `updater`
        // is dropped before `manager` (fields drop in declaration order) and is only ever lent
        // out as `ManagerUpdater<'s>` for a borrow `'s` of `self` (see `updater`), so no
        // reference derived from this `'static` lifetime outlives the allocation.
        let borrowed: &'static O = unsafe { &*Arc::as_ptr(&owner) };
        OwnedManagerUpdater {
            updater: ManagerUpdater::new(borrowed.owned_manager()),
            manager: owner,
        }
    }

    /// The updater, for as long as `self` is borrowed.
    #[inline(always)]
    pub fn updater(&self) -> &ManagerUpdater<'_> {
        // Shortens the lifetime: `ManagerUpdater` is covariant in it.
        &self.updater
    }

    /// What this updater keeps alive: the manager it records into, or the recovery holding it.
    pub fn manager(&self) -> &Arc<O> {
        &self.manager
    }
}

impl<O: OwnsManager> std::fmt::Debug for OwnedManagerUpdater<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OwnedManagerUpdater")
            .field("updater", self.updater())
            .finish_non_exhaustive()
    }
}
