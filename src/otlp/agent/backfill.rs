//! Backfill: send already-built requests (a recording's intervals) once each, in order, with
//! the agent's transport and per-attempt timeout. The hook `walrec report --push` uses.

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;

use super::transport::Transport;
use crate::otlp::config::Config;

/// Sends `requests` to `config`'s collector; returns how many were accepted, or the first
/// failure (with how many had been accepted before it).
pub(crate) fn push(
    config: &Config,
    requests: Vec<ExportMetricsServiceRequest>,
) -> Result<usize, (usize, String)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| (0, format!("cannot start a runtime: {e}")))?;
    runtime.block_on(async {
        let mut transport = Transport::new(config).map_err(|e| (0, e.to_string()))?;
        let mut sent = 0;
        for request in requests {
            match tokio::time::timeout(config.timeout(), transport.export(request)).await {
                Ok(Ok(_)) => sent += 1,
                Ok(Err(failure)) => return Err((sent, failure.message)),
                Err(_) => {
                    let bound = config.timeout();
                    return Err((sent, format!("no answer within {bound:?}")));
                }
            }
        }
        Ok(sent)
    })
}
