//! `ManagerRef`: how a `Manager` is handed to the exporter, shared or static.

use std::ops::Deref;
use std::sync::Arc;

use crate::telemetry::Manager;

/// A `Manager` the exporter may read for as long as it needs: an `Arc<Manager>` or a
/// `&'static Manager` (such as a `static MANAGER: Manager = Manager::new();`). Build one with
/// `.into()` from either.
#[derive(Debug, Clone)]
pub struct ManagerRef(Source);

#[derive(Debug, Clone)]
enum Source {
    Shared(Arc<Manager>),
    Static(&'static Manager),
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

impl Deref for ManagerRef {
    type Target = Manager;

    fn deref(&self) -> &Manager {
        match &self.0 {
            Source::Shared(manager) => manager,
            Source::Static(manager) => manager,
        }
    }
}
