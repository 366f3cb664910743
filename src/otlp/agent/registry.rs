//! Registering managers with a running agent: the names in use, and the handle that
//! unregisters a manager when it is dropped.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::mpsc::UnboundedSender;

use super::Command;

/// The instance names registered with one agent, shared with every [`Registration`]. A mutex
/// is fine: registering is rare and never on a recording thread.
#[derive(Debug, Default)]
pub(crate) struct Names(Mutex<BTreeSet<String>>);

impl Names {
    /// Claims `instance`; false when it is taken.
    pub(crate) fn claim(&self, instance: &str) -> bool {
        let mut names = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        names.insert(instance.to_owned())
    }

    fn release(&self, instance: &str) {
        let mut names = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        names.remove(instance);
    }
}

/// A manager registered with an [`Agent`](super::Agent) by
/// [`register`](super::Agent::register).
///
/// Dropping it unregisters the manager: the agent exports the manager's final values once
/// more, at its next export (periodic, flush or shutdown), and then stops reading it. The
/// instance name is free again at once.
#[derive(Debug)]
#[must_use = "dropping a Registration unregisters its manager"]
pub struct Registration {
    pub(crate) id: u64,
    pub(crate) instance: String,
    pub(crate) names: Arc<Names>,
    /// `None` for a disabled agent, whose registrations only hold their name.
    pub(crate) commands: Option<UnboundedSender<Command>>,
}

impl Registration {
    /// The `wal.recovery.instance` this manager's points carry.
    pub fn instance(&self) -> &str {
        &self.instance
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.names.release(&self.instance);
        if let Some(commands) = &self.commands {
            // An agent that has shut down has nothing left to unregister from.
            let _ = commands.send(Command::Unregister(self.id));
        }
    }
}
