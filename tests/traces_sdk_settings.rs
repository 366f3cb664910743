#![cfg(all(feature = "cli", feature = "otlp", feature = "traces"))]
//! The trace settings walrec accepts are the settings the SDK uses: `walrec demo` against an
//! in-process collector with sampler names in another case and batch sizes with spaces around
//! them, values walrec has always accepted but the SDK, reading the variables itself, replaced
//! with its defaults (every span sampled, batches of 512). Observed at the collector: which
//! spans arrive, and how many per export.

mod support;

use support::fake_collector::FakeCollector;
use support::process;

/// The span counts of the trace exports of one `walrec demo` run with `env` (and no other
/// `OTEL_*` or `TRACE*` variable).
fn spans_per_export(env: &[(&str, &str)]) -> Vec<usize> {
    let collector = FakeCollector::start(Vec::new());
    let mut vars = vec![("OTEL_BSP_SCHEDULE_DELAY", "100")];
    vars.extend_from_slice(env);
    process::demo_to(&collector.endpoint(), &vars);
    collector
        .spans()
        .iter()
        .map(|request| {
            let scopes = request.resource_spans.iter().flat_map(|r| &r.scope_spans);
            scopes.map(|s| s.spans.len()).sum()
        })
        .collect()
}

#[test]
fn a_sampler_name_in_any_case_is_the_sampler_used() {
    let sampled: usize = spans_per_export(&[]).iter().sum();
    assert!(sampled > 10, "the default samples every span: {sampled}");
    for name in ["AlWaYs_OfF", "ALWAYS_OFF", " always_off "] {
        let spans: usize = spans_per_export(&[("OTEL_TRACES_SAMPLER", name)])
            .iter()
            .sum();
        assert_eq!(
            spans, 0,
            "OTEL_TRACES_SAMPLER={name:?} sampled {spans} spans"
        );
    }
}

#[test]
fn a_ratio_sampler_in_any_case_uses_its_ratio() {
    for name in ["TraceIdRatio", "ParentBased_TraceIdRatio"] {
        let env = [
            ("OTEL_TRACES_SAMPLER", name),
            ("OTEL_TRACES_SAMPLER_ARG", "0"),
        ];
        let spans: usize = spans_per_export(&env).iter().sum();
        assert_eq!(spans, 0, "{name} with ratio 0 sampled {spans} spans");
    }
}

#[test]
fn the_batch_size_walrec_accepts_is_the_batch_size_used() {
    let exports = spans_per_export(&[("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", " 2 ")]);
    assert!(
        exports.len() > 5,
        "many exports of a batch of 2: {exports:?}"
    );
    assert!(
        exports.iter().all(|&n| n <= 2),
        "batches above 2 spans: {exports:?}"
    );
}
