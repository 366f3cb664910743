//! The push agent: a background exporter that sends the recorders' metrics to an OpenTelemetry
//! collector on an interval.
//!
//! [`Agent::start`] runs the export loop on a dedicated thread (`walrec-otlp`) with its own
//! single-threaded tokio runtime; [`Agent::start_on`] spawns it on a runtime you already have.
//! Either way the loop only *reads* the recorders' atomics: a slow, dead or hostile collector
//! costs the exporter time and retries, never a recording thread.

mod error;
mod exporter;
pub mod retry;
mod stats;
pub mod transport;

use std::sync::Arc;
use std::time::Duration;

use opentelemetry_proto::tonic::metrics::v1::AggregationTemporality;
use std::sync::mpsc as reply_channel;

use tokio::sync::mpsc;

pub use error::{CollectorStatus, ExportError};
pub use stats::{AGENT_SCOPE, AgentStats, AgentStatsSnapshot};
pub use transport::{Exported, TransportError};

use crate::otlp::config::{Config, Temporality};
use crate::otlp::convert::{Converter, ExportSource, resource, unix_now_ns};
use crate::telemetry::Manager;
use exporter::Exporter;
use transport::Transport;

/// How long dropping an agent waits for its final export, at most.
pub const DROP_SHUTDOWN_BOUND: Duration = Duration::from_secs(5);

/// Why the agent could not start.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// The transport could not be set up.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The export thread or its runtime could not be created.
    #[error("cannot start the OTLP export thread: {0}")]
    Thread(#[from] std::io::Error),
}

/// The outcome of one export, sent back to the thread that asked for it. A std channel: its
/// `send` never blocks the export loop, and the asking thread can wait with a bound.
pub(crate) type Reply = reply_channel::Sender<Result<Exported, ExportError>>;

pub(crate) enum Command {
    Flush(Reply),
    Shutdown { bound: Duration, reply: Reply },
}

/// A running exporter. Dropping it shuts it down with a bounded final export.
pub struct Agent {
    commands: Option<mpsc::UnboundedSender<Command>>,
    thread: Option<std::thread::JoinHandle<()>>,
    stats: Arc<AgentStats>,
    export_budget: Duration,
}

fn temporality(config: &Config) -> AggregationTemporality {
    match config.temporality() {
        Temporality::Cumulative => AggregationTemporality::Cumulative,
        // Every walrec metric is a synchronous counter or histogram, for which the
        // specification's low-memory preference is delta.
        Temporality::Delta | Temporality::LowMemory => AggregationTemporality::Delta,
    }
}

/// The time one export may take, retries included: the export timeout, but never past the
/// next interval.
fn export_budget(config: &Config) -> Duration {
    config.export_timeout().min(config.export_interval())
}

fn exporter(
    config: &Config,
    managers: Vec<(String, Arc<Manager>)>,
    stats: Arc<AgentStats>,
) -> Result<Exporter, AgentError> {
    let resource = resource(config.service_name(), config.resource_attributes());
    let sources = managers
        .iter()
        .map(|(instance, manager)| ExportSource::new(instance, Arc::clone(manager)))
        .collect();
    Ok(Exporter {
        transport: Transport::new(config)?,
        converter: Converter::new(
            resource,
            temporality(config),
            config.max_histogram_buckets(),
        ),
        sources,
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
    /// says, on a dedicated thread. With `OTEL_SDK_DISABLED=true` it returns an agent that
    /// does nothing.
    pub fn start(
        config: &Config,
        managers: Vec<(String, Arc<Manager>)>,
    ) -> Result<Agent, AgentError> {
        if config.disabled() {
            return Ok(Agent::idle());
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (mut agent, run) = Agent::prepare(runtime.handle(), config, managers)?;
        let thread = std::thread::Builder::new()
            .name("walrec-otlp".to_owned())
            .spawn(move || runtime.block_on(run))?;
        agent.thread = Some(thread);
        Ok(agent)
    }

    /// Like [`start`](Self::start), but spawns the export loop on `handle`'s runtime.
    ///
    /// [`force_flush`](Self::force_flush) and [`shutdown`](Self::shutdown) block the calling
    /// thread: call them from outside that runtime's worker threads (or via `spawn_blocking`).
    pub fn start_on(
        handle: &tokio::runtime::Handle,
        config: &Config,
        managers: Vec<(String, Arc<Manager>)>,
    ) -> Result<Agent, AgentError> {
        if config.disabled() {
            return Ok(Agent::idle());
        }
        let (agent, run) = Agent::prepare(handle, config, managers)?;
        handle.spawn(run);
        Ok(agent)
    }

    /// Builds the export loop (inside `handle`'s context: the transport's lazy channel needs a
    /// runtime) and the agent that commands it.
    fn prepare(
        handle: &tokio::runtime::Handle,
        config: &Config,
        managers: Vec<(String, Arc<Manager>)>,
    ) -> Result<(Agent, impl std::future::Future<Output = ()> + use<>), AgentError> {
        let stats = Arc::new(AgentStats::default());
        let exporter = {
            let _entered = handle.enter();
            exporter(config, managers, Arc::clone(&stats))?
        };
        let (commands, receiver) = mpsc::unbounded_channel();
        let agent = Agent {
            commands: Some(commands),
            thread: None,
            stats,
            export_budget: export_budget(config),
        };
        Ok((agent, exporter.run(receiver)))
    }

    fn idle() -> Agent {
        Agent {
            commands: None,
            thread: None,
            stats: Arc::default(),
            export_budget: Duration::ZERO,
        }
    }

    /// Whether an export loop is running (false when disabled or shut down).
    pub fn is_running(&self) -> bool {
        self.commands.is_some()
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
        let commands = self.commands.take().ok_or(ExportError::NotRunning)?;
        let (reply, outcome) = reply_channel::channel();
        commands
            .send(Command::Shutdown { bound, reply })
            .map_err(|_| ExportError::NotRunning)?;
        let result = wait_with_bound(&outcome, bound + REPLY_MARGIN);
        if let Some(thread) = self.thread.take() {
            // Join only a loop that has answered; one that has not is left to finish on its
            // own rather than break the bound.
            if result.is_ok() || thread.is_finished() {
                let _ = thread.join();
            }
        }
        result
    }
}

/// Slack for the loop to notice a command and reply, on top of the export's own bound.
const REPLY_MARGIN: Duration = Duration::from_millis(500);

fn wait_with_bound(
    outcome: &reply_channel::Receiver<Result<Exported, ExportError>>,
    bound: Duration,
) -> Result<Exported, ExportError> {
    match outcome.recv_timeout(bound) {
        Ok(result) => result,
        Err(reply_channel::RecvTimeoutError::Timeout) => Err(ExportError::Timeout { bound }),
        Err(reply_channel::RecvTimeoutError::Disconnected) => Err(ExportError::NotRunning),
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        if self.commands.is_some() {
            let _ = self.shutdown(DROP_SHUTDOWN_BOUND);
        }
    }
}
