//! The push agent: a background exporter that sends the recorders' metrics to an OpenTelemetry
//! collector on an interval.
//!
//! [`Agent::start`] runs the export loop on a dedicated thread (`walrec-otlp`) with its own
//! single-threaded tokio runtime; [`Agent::start_on`] spawns it on a runtime you already have.
//! Either way the loop only *reads* the recorders' atomics: a slow, dead or hostile collector
//! costs the exporter time and retries, never a recording thread.
//!
//! Managers are given at start or [`register`](Agent::register)ed later, each under a unique
//! `wal.recovery.instance` name, as an `Arc<Manager>` or a `&'static Manager`.

#[cfg(feature = "recording")]
pub(crate) mod backfill;
mod error;
pub(crate) mod exporter;
mod registry;
pub(crate) mod retry;
pub(crate) mod stats;
pub(crate) mod transport;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use std::sync::mpsc as reply_channel;

use tokio::sync::mpsc;

pub use error::{CollectorStatus, ExportError};
pub use registry::Registration;
pub use stats::{AGENT_SCOPE, AgentStatsSnapshot};
pub use transport::{Exported, MAX_RESPONSE_BYTES, TransportError};

use crate::otlp::config::{Config, MetricsExporter};
use crate::otlp::convert::{Converter, ExportSource, unix_now_ns};
use crate::otlp::manager_ref::ManagerRef;
use exporter::Exporter;
use registry::Names;
use stats::AgentStats;
use transport::Transport;

/// How long dropping an agent waits for its final export, at most. Inside a current-thread
/// runtime that runs the agent's loop (see [`Agent::start_on`]) it does not wait at all.
pub const DROP_SHUTDOWN_BOUND: Duration = Duration::from_secs(5);

/// Why the agent could not start, or a manager could not be registered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AgentError {
    /// The transport could not be set up.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The export thread or its runtime could not be created.
    #[error("cannot start the OTLP export thread; check the process's thread and memory limits")]
    Thread(#[source] std::io::Error),
    /// Another manager is already registered under this `wal.recovery.instance` name.
    #[error(
        "a manager named {0:?} is already registered with the OTLP agent; give each manager its own instance name"
    )]
    DuplicateInstance(String),
    /// A trace setting in the environment (sampler, batch processor) is invalid.
    #[cfg(feature = "traces")]
    #[error("invalid trace settings in the environment; fix the variables named below")]
    TraceSettings(#[source] crate::otlp::config::ConfigError),
}

/// The outcome of one export, sent back to the thread that asked for it. A std channel: its
/// `send` never blocks the export loop, and the asking thread can wait with a bound.
pub(crate) type Reply = reply_channel::Sender<Result<Exported, ExportError>>;
type Outcome = reply_channel::Receiver<Result<Exported, ExportError>>;

pub(crate) enum Command {
    Flush(Reply),
    Shutdown {
        bound: Duration,
        reply: Reply,
    },
    /// Start exporting this source (already named and checked).
    Register(Box<ExportSource>),
    /// Export this source's final values once more, then stop reading it.
    Unregister(u64),
}

/// How the export loop runs, which decides whether a thread may wait for it.
#[derive(Debug)]
enum Runner {
    /// Disabled or shut down: nothing runs.
    Idle,
    /// On the agent's own thread: waiting for it is always safe.
    Thread(std::thread::JoinHandle<()>),
    /// On a caller's runtime: waiting from inside a current-thread runtime would stop the
    /// very loop being waited for.
    Spawned,
}

/// A running exporter. Dropping it shuts it down with a bounded final export.
#[derive(Debug)]
pub struct Agent {
    commands: Option<mpsc::UnboundedSender<Command>>,
    runner: Runner,
    stats: Arc<AgentStats>,
    export_budget: Duration,
    names: Arc<Names>,
    next_id: AtomicU64,
}

/// The time one export may take, retries included: the export timeout, but never past the
/// next interval.
fn export_budget(config: &Config) -> Duration {
    config.export_timeout().min(config.export_interval())
}

fn exporter(config: &Config, stats: Arc<AgentStats>) -> Result<Exporter, AgentError> {
    Ok(Exporter {
        transport: Transport::new(config)?,
        converter: Converter::from_config(config),
        sources: Vec::new(),
        interval: config.export_interval(),
        attempt_timeout: config.timeout(),
        export_budget: export_budget(config),
        stats,
        started_unix_ns: unix_now_ns(),
        warned: false,
    })
}

impl Agent {
    /// Starts exporting `managers` (each named by its `wal.recovery.instance`) as `config`
    /// says, on a dedicated thread. They stay registered for the agent's life; use
    /// [`register`](Self::register) for managers that come and go. With
    /// `OTEL_SDK_DISABLED=true` it returns an agent that does nothing.
    pub fn start<M: Into<ManagerRef>>(
        config: &Config,
        managers: impl IntoIterator<Item = (String, M)>,
    ) -> Result<Agent, AgentError> {
        if config.disabled() || config.metrics_exporter() == MetricsExporter::None {
            return Agent::idle().with_managers(managers);
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(AgentError::Thread)?;
        let (agent, run) = Agent::prepare(runtime.handle(), config)?;
        let mut agent = agent.with_managers(managers)?;
        let thread = std::thread::Builder::new()
            .name("walrec-otlp".to_owned())
            .spawn(move || runtime.block_on(run))
            .map_err(AgentError::Thread)?;
        agent.runner = Runner::Thread(thread);
        Ok(agent)
    }

    /// Like [`start`](Self::start), but spawns the export loop on `handle`'s runtime.
    ///
    /// [`force_flush`](Self::force_flush) and [`shutdown`](Self::shutdown) block the calling
    /// thread: call them from outside that runtime's worker threads (or via `spawn_blocking`).
    /// Dropping the agent inside a current-thread runtime does not wait: it asks the loop for
    /// its final export, which runs when that runtime next gets to run it.
    pub fn start_on<M: Into<ManagerRef>>(
        handle: &tokio::runtime::Handle,
        config: &Config,
        managers: impl IntoIterator<Item = (String, M)>,
    ) -> Result<Agent, AgentError> {
        if config.disabled() || config.metrics_exporter() == MetricsExporter::None {
            return Agent::idle().with_managers(managers);
        }
        let (agent, run) = Agent::prepare(handle, config)?;
        let mut agent = agent.with_managers(managers)?;
        handle.spawn(run);
        agent.runner = Runner::Spawned;
        Ok(agent)
    }

    /// Builds the export loop (inside `handle`'s context: the transport's lazy channel needs a
    /// runtime) and the agent that commands it.
    fn prepare(
        handle: &tokio::runtime::Handle,
        config: &Config,
    ) -> Result<(Agent, impl std::future::Future<Output = ()> + use<>), AgentError> {
        let stats = Arc::new(AgentStats::default());
        let exporter = {
            let _entered = handle.enter();
            exporter(config, Arc::clone(&stats))?
        };
        let (commands, receiver) = mpsc::unbounded_channel();
        let mut agent = Agent::idle();
        agent.commands = Some(commands);
        agent.stats = stats;
        agent.export_budget = export_budget(config);
        Ok((agent, exporter.run(receiver)))
    }

    fn idle() -> Agent {
        Agent {
            commands: None,
            runner: Runner::Idle,
            stats: Arc::default(),
            export_budget: Duration::ZERO,
            names: Arc::default(),
            next_id: AtomicU64::new(0),
        }
    }

    /// Registers the start-up managers for the agent's life.
    fn with_managers<M: Into<ManagerRef>>(
        self,
        managers: impl IntoIterator<Item = (String, M)>,
    ) -> Result<Agent, AgentError> {
        for (instance, manager) in managers {
            self.add_source(&instance, manager.into())?;
        }
        Ok(self)
    }

    /// Claims `instance` and hands the loop a source for `manager`; returns the source's id.
    fn add_source(&self, instance: &str, manager: ManagerRef) -> Result<u64, AgentError> {
        if !self.names.claim(instance) {
            return Err(AgentError::DuplicateInstance(instance.to_owned()));
        }
        // Relaxed: only uniqueness matters.
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        if let Some(commands) = &self.commands {
            let source = ExportSource::new(instance, manager).with_id(id);
            // A loop that has ended exports nothing either way.
            let _ = commands.send(Command::Register(Box::new(source)));
        }
        Ok(id)
    }

    /// Starts exporting `manager` under `wal.recovery.instance = instance` until the returned
    /// [`Registration`] is dropped. A name already registered is refused.
    pub fn register(
        &self,
        instance: &str,
        manager: impl Into<ManagerRef>,
    ) -> Result<Registration, AgentError> {
        let id = self.add_source(instance, manager.into())?;
        Ok(Registration {
            id,
            instance: instance.to_owned(),
            names: Arc::clone(&self.names),
            commands: self.commands.clone(),
        })
    }

    /// Whether an export loop is running (false when disabled or shut down).
    pub fn is_running(&self) -> bool {
        self.commands.is_some()
    }

    /// The agent's counters, shared with a trace exporter that reports into them.
    #[cfg(feature = "traces")]
    pub(crate) fn stats_handle(&self) -> Arc<AgentStats> {
        Arc::clone(&self.stats)
    }

    /// The agent's own counters.
    pub fn stats(&self) -> AgentStatsSnapshot {
        self.stats.snapshot()
    }

    /// Exports now, with the usual retries, and waits for the outcome (at most about
    /// `OTEL_METRIC_EXPORT_TIMEOUT`).
    pub fn force_flush(&self) -> Result<Exported, ExportError> {
        let commands = self.commands.as_ref().ok_or(ExportError::NotRunning)?;
        let (reply, outcome) = reply_channel::channel();
        commands
            .send(Command::Flush(reply))
            .map_err(|_| ExportError::NotRunning)?;
        wait_with_bound(&outcome, self.export_budget + REPLY_MARGIN)
    }

    /// Makes a final export, retrying within `bound`, and stops the loop. Returns within about
    /// `bound` whatever the collector does.
    pub fn shutdown(&mut self, bound: Duration) -> Result<Exported, ExportError> {
        let outcome = self.request_shutdown(bound)?;
        let result = wait_with_bound(&outcome, bound + REPLY_MARGIN);
        if let Runner::Thread(thread) = std::mem::replace(&mut self.runner, Runner::Idle) {
            // Join only a loop that has answered; one that has not is left to finish on its
            // own rather than break the bound.
            if result.is_ok() || thread.is_finished() {
                let _ = thread.join();
            }
        }
        result
    }

    /// Sends the shutdown command; the receiver gets the final export's outcome.
    fn request_shutdown(&mut self, bound: Duration) -> Result<Outcome, ExportError> {
        let commands = self.commands.take().ok_or(ExportError::NotRunning)?;
        let (reply, outcome) = reply_channel::channel();
        commands
            .send(Command::Shutdown { bound, reply })
            .map_err(|_| ExportError::NotRunning)?;
        Ok(outcome)
    }

    /// Whether this thread is the one a spawned loop needs in order to run: inside a
    /// current-thread runtime, blocking would stop the loop being waited for.
    fn waiting_would_stall_the_loop(&self) -> bool {
        matches!(self.runner, Runner::Spawned)
            && tokio::runtime::Handle::try_current().is_ok_and(|handle| {
                handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::CurrentThread
            })
    }
}

/// Slack for the loop to notice a command and reply, on top of the export's own bound.
const REPLY_MARGIN: Duration = Duration::from_millis(500);

fn wait_with_bound(outcome: &Outcome, bound: Duration) -> Result<Exported, ExportError> {
    match outcome.recv_timeout(bound) {
        Ok(result) => result,
        Err(reply_channel::RecvTimeoutError::Timeout) => Err(ExportError::Timeout { bound }),
        Err(reply_channel::RecvTimeoutError::Disconnected) => Err(ExportError::NotRunning),
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        if self.commands.is_none() {
            return;
        }
        if self.waiting_would_stall_the_loop() {
            // Ask for the final export and return: the loop runs it once this thread yields.
            let _ = self.request_shutdown(DROP_SHUTDOWN_BOUND);
        } else {
            let _ = self.shutdown(DROP_SHUTDOWN_BOUND);
        }
    }
}
