//! `ManagerRef`: how telemetry is handed to the exporter — a `Manager` alone or a whole
//! `Recovery`, shared or static.

use std::sync::Arc;

use crate::telemetry::{Exemplar, ExemplarReader, Manager, Recovery, RecoverySnapshot};

/// Telemetry the exporter may read for as long as it needs: a [`Manager`] (its five metrics)
/// or a whole [`Recovery`] (the Manager's metrics plus the segment reader's, the preloader's
/// and the progress), as an `Arc` or a `&'static` (such as a
/// `static MANAGER: Manager = Manager::new();`). Build one with `.into()` from any of them.
#[derive(Debug, Clone)]
pub struct ManagerRef(Source);

#[derive(Debug, Clone)]
enum Source {
    Shared(Arc<Manager>),
    Static(&'static Manager),
    SharedRecovery(Arc<Recovery>),
    StaticRecovery(&'static Recovery),
}

impl From<Arc<Manager>> for ManagerRef {
    fn from(manager: Arc<Manager>) -> Self {
        ManagerRef(Source::Shared(manager))
    }
}

impl From<&Arc<Manager>> for ManagerRef {
    fn from(manager: &Arc<Manager>) -> Self {
        ManagerRef(Source::Shared(Arc::clone(manager)))
    }
}

impl From<&'static Manager> for ManagerRef {
    fn from(manager: &'static Manager) -> Self {
        ManagerRef(Source::Static(manager))
    }
}

impl From<Arc<Recovery>> for ManagerRef {
    fn from(recovery: Arc<Recovery>) -> Self {
        ManagerRef(Source::SharedRecovery(recovery))
    }
}

impl From<&Arc<Recovery>> for ManagerRef {
    fn from(recovery: &Arc<Recovery>) -> Self {
        ManagerRef(Source::SharedRecovery(Arc::clone(recovery)))
    }
}

impl From<&'static Recovery> for ManagerRef {
    fn from(recovery: &'static Recovery) -> Self {
        ManagerRef(Source::StaticRecovery(recovery))
    }
}

impl ManagerRef {
    /// Whether this is a whole recovery (all components are exported) or a Manager alone.
    pub(crate) fn is_recovery(&self) -> bool {
        matches!(
            self.0,
            Source::SharedRecovery(_) | Source::StaticRecovery(_)
        )
    }

    /// Registers a consumer of the `next_event` exemplars (one per export source).
    pub(crate) fn exemplar_reader(&self) -> ExemplarReader {
        self.manager().next_event_exemplar_reader()
    }

    /// The slowest `next_event` sample since `reader`'s last take.
    pub(crate) fn take_next_event_exemplar(&self, reader: &ExemplarReader) -> Option<Exemplar> {
        self.manager().take_next_event_exemplar_for(reader)
    }

    fn manager(&self) -> &Manager {
        match &self.0 {
            Source::Shared(manager) => manager,
            Source::Static(manager) => manager,
            Source::SharedRecovery(recovery) => &recovery.manager,
            Source::StaticRecovery(recovery) => &recovery.manager,
        }
    }

    /// Snapshots what this refers to; for a Manager alone only `out.manager` is written.
    pub(crate) fn snapshot_into(&self, out: &mut RecoverySnapshot) {
        match &self.0 {
            Source::Shared(manager) => manager.snapshot_into(&mut out.manager),
            Source::Static(manager) => manager.snapshot_into(&mut out.manager),
            Source::SharedRecovery(recovery) => recovery.snapshot_into(out),
            Source::StaticRecovery(recovery) => recovery.snapshot_into(out),
        }
    }
}
