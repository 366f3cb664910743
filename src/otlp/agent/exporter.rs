//! The export loop: on each interval, snapshot → convert → send, with bounded retries.
//!
//! A final export (at shutdown) keeps the same retries with one exception: when nothing is
//! listening (connection refused, host not found) it retries once after
//! [`UNREACHABLE_RETRY_DELAY`] and gives up, so a process run without a collector exits
//! promptly. A collector that accepts and then hangs still gets the whole bound.

use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use prost::Message;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::{Instant, sleep, sleep_until, timeout};

use super::retry::{RetryDecision, backoff_delay};
use super::stats::AgentStats;
use super::transport::{ExportFailure, Exported, Transport};
use super::{Command, ExportError};
use crate::otlp::convert::{Converter, ExportSource, unix_now_ns};

/// How long a final export waits before its one retry of an unreachable collector: enough
/// for a collector that is just starting to bind its port, short enough not to delay an exit.
pub(crate) const UNREACHABLE_RETRY_DELAY: Duration = Duration::from_millis(50);

/// Retries a final export makes when the collector is unreachable.
pub(crate) const UNREACHABLE_FINAL_RETRIES: u32 = 1;

/// Whether an export is the last one of the agent's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Urgency {
    /// Periodic or flushed: the loop goes on, so the full retry policy applies.
    Routine,
    /// At shutdown: the process is waiting to exit.
    Final,
}

/// The error that ends an export on a failure retrying would not fix.
fn permanent(failure: ExportFailure) -> ExportError {
    match failure.status {
        Some(status) => ExportError::Rejected {
            status,
            message: failure.message,
        },
        None => ExportError::Failed {
            message: failure.message,
        },
    }
}

/// Everything the loop owns. It runs on the agent's runtime and touches the recorders only by
/// reading their atomics, so nothing it does can block or slow a recording thread.
pub(super) struct Exporter {
    pub(super) transport: Transport,
    pub(super) converter: Converter,
    pub(super) sources: Vec<ExportSource>,
    pub(super) interval: Duration,
    pub(super) attempt_timeout: Duration,
    pub(super) export_budget: Duration,
    pub(super) stats: Arc<AgentStats>,
    pub(super) started_unix_ns: u64,
    pub(super) warned: bool,
}

/// The interval with ±10 % jitter, so that a fleet started together does not push in step.
fn jittered(interval: Duration) -> Duration {
    interval.mul_f64(0.9 + 0.2 * fastrand::f64())
}

/// Data points in a request, for the self-telemetry.
fn count_points(request: &ExportMetricsServiceRequest) -> u64 {
    use opentelemetry_proto::tonic::metrics::v1::metric::Data;
    let metrics = request
        .resource_metrics
        .iter()
        .flat_map(|r| &r.scope_metrics)
        .flat_map(|s| &s.metrics);
    metrics
        .map(|m| match &m.data {
            Some(Data::Sum(s)) => s.data_points.len(),
            Some(Data::Gauge(g)) => g.data_points.len(),
            Some(Data::ExponentialHistogram(h)) => h.data_points.len(),
            Some(Data::Histogram(h)) => h.data_points.len(),
            Some(Data::Summary(s)) => s.data_points.len(),
            None => 0,
        })
        .sum::<usize>() as u64
}

impl Exporter {
    /// Runs until told to shut down, or until the agent is dropped.
    pub(super) async fn run(mut self, mut commands: UnboundedReceiver<Command>) {
        let mut next = Instant::now() + jittered(self.interval);
        loop {
            let command = tokio::select! {
                _ = sleep_until(next) => {
                    let interrupted = self.periodic_export(&mut commands).await;
                    next = Instant::now() + jittered(self.interval);
                    match interrupted {
                        Some(command) => command,
                        None => continue,
                    }
                }
                command = commands.recv() => command,
            };
            if self.obey(command).await.is_break() {
                return;
            }
        }
    }

    /// A scheduled export that gives way to a command: a flush or shutdown that arrives while
    /// it is still retrying cancels it (the command's own export follows at once), so that
    /// `shutdown` keeps its bound even when the collector hangs.
    async fn periodic_export(
        &mut self,
        commands: &mut UnboundedReceiver<Command>,
    ) -> Option<Option<Command>> {
        let budget = self.export_budget;
        let export = self.export(budget, Urgency::Routine);
        tokio::pin!(export);
        tokio::select! {
            _ = &mut export => None,
            command = commands.recv() => Some(command),
        }
    }

    /// Carries out a command; `Break` when the loop must end.
    async fn obey(&mut self, command: Option<Command>) -> ControlFlow<()> {
        match command {
            Some(Command::Flush(reply)) => {
                let outcome = self.export(self.export_budget, Urgency::Routine).await;
                let _ = reply.send(outcome);
                ControlFlow::Continue(())
            }
            Some(Command::Shutdown { bound, reply }) => {
                let _ = reply.send(self.export(bound, Urgency::Final).await);
                ControlFlow::Break(())
            }
            Some(Command::Register(source)) => {
                self.sources.push(*source);
                ControlFlow::Continue(())
            }
            Some(Command::Unregister(id)) => {
                let retiring = self.sources.iter_mut().filter(|source| source.id == id);
                retiring.for_each(|source| source.retiring = true);
                ControlFlow::Continue(())
            }
            None => ControlFlow::Break(()),
        }
    }

    /// One export: snapshot, convert, then send with retries until it succeeds, fails for good,
    /// or `budget` runs out.
    async fn export(
        &mut self,
        budget: Duration,
        urgency: Urgency,
    ) -> Result<Exported, ExportError> {
        let started = Instant::now();
        let deadline = started + budget;
        let mut request = self.converter.request(&mut self.sources);
        let own = self.stats.snapshot();
        if let Some(resource) = request.resource_metrics.first_mut() {
            let scope = own.to_scope_metrics(self.started_unix_ns, unix_now_ns());
            resource.scope_metrics.push(scope);
        }
        let points = count_points(&request);
        let result = self.send_with_retries(&request, deadline, urgency).await;
        // Unregistered sources have had their final values sent: stop reading them. (An export
        // cancelled before this point leaves them for the next one.)
        self.sources.retain(|source| !source.retiring);
        self.stats.export_took(started.elapsed().as_nanos() as u64);
        match &result {
            Ok(exported) => {
                self.sources.iter_mut().for_each(ExportSource::acknowledge);
                self.stats.exported(points, exported.rejected_data_points);
                if exported.rejected_data_points > 0 || !exported.message.is_empty() {
                    tracing::warn!(
                        rejected = exported.rejected_data_points,
                        message = %exported.message,
                        "OTLP collector accepted the export only in part"
                    );
                }
                self.warned = false;
            }
            Err(error) => {
                self.stats.failed(points);
                if urgency == Urgency::Final {
                    tracing::warn!(%error, "final OTLP export failed: this run's last figures were not delivered");
                } else if self.warned {
                    tracing::debug!(%error, "OTLP export failed again");
                } else {
                    tracing::warn!(%error, "OTLP export failed; will keep trying each interval");
                    self.warned = true;
                }
            }
        }
        result
    }

    async fn send_with_retries(
        &mut self,
        request: &ExportMetricsServiceRequest,
        deadline: Instant,
        urgency: Urgency,
    ) -> Result<Exported, ExportError> {
        let mut attempt = 0u32;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(ExportError::OutOfTime { attempts: attempt });
            }
            let failure = match self.attempt(request, remaining).await {
                Ok(exported) => return Ok(exported),
                Err(failure) => failure,
            };
            let RetryDecision::Retry { throttle } = failure.decision else {
                return Err(permanent(failure));
            };
            let delay = if urgency == Urgency::Final && failure.unreachable {
                if attempt >= UNREACHABLE_FINAL_RETRIES {
                    let (attempts, last) = (attempt + 1, failure.message);
                    return Err(ExportError::Unreachable { attempts, last });
                }
                UNREACHABLE_RETRY_DELAY
            } else {
                backoff_delay(attempt, throttle, fastrand::f64())
            };
            attempt += 1;
            if Instant::now() + delay >= deadline {
                return Err(ExportError::GaveUp {
                    attempts: attempt,
                    last: failure.message,
                    status: failure.status,
                });
            }
            sleep(delay).await;
        }
    }

    /// One attempt, within the per-request timeout and what is left of the export's time.
    async fn attempt(
        &mut self,
        request: &ExportMetricsServiceRequest,
        remaining: Duration,
    ) -> Result<Exported, ExportFailure> {
        self.stats.sent_bytes(request.encoded_len() as u64);
        let limit = self.attempt_timeout.min(remaining);
        match timeout(limit, self.transport.export(request.clone())).await {
            Ok(outcome) => outcome,
            Err(_) => Err(ExportFailure::timed_out(limit)),
        }
    }
}
