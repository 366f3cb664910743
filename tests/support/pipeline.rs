//! deploy/'s pipeline run natively: Prometheus, Jaeger and the OpenTelemetry Collector started
//! with the command lines compose.yaml gives them and the very files it mounts, their compose
//! host names and listen addresses replaced through the `${env:…}` defaults those files
//! declare; and their HTTP APIs.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use super::backends::{Program, free_address, free_port, get_json, url_encode};
use super::deploy;

/// The command line compose.yaml gives `service`, every argument that names a path inside a
/// bind-mounted folder or file mapped to the deploy/ file compose mounts there, and a named
/// volume's path to `volume_dir`.
pub fn compose_command(service: &str, volume_dir: &Path) -> Vec<String> {
    let compose = deploy::yaml("compose.yaml");
    let node = &compose["services"][service];
    let mounts: Vec<(String, PathBuf)> = deploy::strings(&node["volumes"])
        .iter()
        .map(|volume| {
            let mut parts = volume.split(':');
            let host = parts.next().unwrap_or_default();
            let container = parts.next().unwrap_or_default().to_owned();
            let host = match host.strip_prefix("./") {
                Some(relative) => deploy::path(relative),
                None => volume_dir.to_path_buf(),
            };
            (container, host)
        })
        .collect();
    deploy::strings(&node["command"])
        .iter()
        .map(|arg| map_mounted_path(arg, &mounts))
        .collect()
}

/// The environment compose.yaml gives `service`, as `(name, value)` pairs.
pub fn compose_environment(service: &str) -> Vec<(String, String)> {
    let compose = deploy::yaml("compose.yaml");
    let environment = &compose["services"][service]["environment"];
    deploy::keys(environment)
        .into_iter()
        .map(|name| {
            let value = &environment[name.as_str()];
            let value = value
                .as_str()
                .map(str::to_owned)
                .or_else(|| value.as_i64().map(|n| n.to_string()))
                .unwrap_or_else(|| panic!("compose {service}: {name} is not a string"));
            (name, value)
        })
        .collect()
}

/// `arg` (`--flag=/container/path…` or `/container/path…`) with its container path replaced
/// by the host path mounted there.
fn map_mounted_path(arg: &str, mounts: &[(String, PathBuf)]) -> String {
    let (flag, value) = match arg.split_once('=') {
        Some((flag, value)) => (format!("{flag}="), value),
        None => (String::new(), arg),
    };
    for (container, host) in mounts {
        if let Some(rest) = value.strip_prefix(container.as_str()) {
            return format!("{flag}{}{rest}", host.display());
        }
    }
    arg.to_owned()
}

/// Prometheus 3 with deploy/prometheus (config, rules) as compose runs it, on loopback.
pub struct Prometheus {
    pub program: Program,
    pub url: String,
}

impl Prometheus {
    /// Starts it with its storage in `dir`, waiting until it is ready.
    pub fn start(dir: &Path) -> Prometheus {
        Self::start_on(dir, &free_address())
    }

    /// [`start`](Self::start) listening on `address` (to restart it in place, same storage).
    pub fn start_on(dir: &Path, address: &str) -> Prometheus {
        let storage = dir.join("prometheus-data");
        std::fs::create_dir_all(&storage).expect("create Prometheus' storage folder");
        let mut args = compose_command("prometheus", &storage);
        args.push(format!("--web.listen-address={address}"));
        let mut program = Program::start("prometheus", "prometheus", &args, &[], dir);
        let url = format!("http://{address}");
        program.wait_http_ok(&format!("{url}/-/ready"));
        Prometheus { program, url }
    }

    /// Its `host:port`.
    pub fn address(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// `GET /api/v1/<path>`'s `data`, panicking on an error answer.
    pub fn api(&self, path: &str) -> Value {
        let url = format!("{}/api/v1/{path}", self.url);
        let answer = get_json(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(answer["status"], "success", "{url}: {answer}");
        answer["data"].clone()
    }

    /// The instant vector or scalar `expr` evaluates to now (`data.result`).
    pub fn query(&self, expr: &str) -> Vec<Value> {
        let data = self.api(&format!("query?query={}", url_encode(expr)));
        match &data["result"] {
            Value::Array(series) => series.clone(),
            other => vec![other.clone()],
        }
    }

    /// The one sample value of `expr` now, as a number (panics unless exactly one series).
    pub fn query_value(&self, expr: &str) -> f64 {
        let series = self.query(expr);
        assert_eq!(
            series.len(),
            1,
            "{expr}: expected one series, got {series:?}"
        );
        value_of(&series[0]["value"])
    }

    /// The exemplars of the series `selector` selects over the last `window`.
    pub fn exemplars(&self, selector: &str, window: Duration) -> Vec<Value> {
        let end = now_seconds();
        let start = end - window.as_secs_f64();
        let data = self.api(&format!(
            "query_exemplars?query={}&start={start}&end={end}",
            url_encode(selector)
        ));
        let mut exemplars = Vec::new();
        for series in data.as_array().cloned().unwrap_or_default() {
            exemplars.extend(series["exemplars"].as_array().cloned().unwrap_or_default());
        }
        exemplars
    }

    /// Waits (at most `bound`) until `expr` returns at least one series.
    pub fn wait_for(&self, expr: &str, bound: Duration) -> Vec<Value> {
        let started = std::time::Instant::now();
        loop {
            let series = self.query(expr);
            if !series.is_empty() {
                return series;
            }
            assert!(
                started.elapsed() < bound,
                "no data for {expr} within {bound:?}"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

/// A Prometheus `[time, "value"]` pair's value.
pub fn value_of(pair: &Value) -> f64 {
    pair[1]
        .as_str()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("not a sample value: {pair}"))
}

/// Seconds since the epoch, now.
pub fn now_seconds() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or_default()
}

/// Jaeger v2 with deploy/jaeger/jaeger.yaml as compose runs it, on loopback.
pub struct Jaeger {
    pub program: Program,
    /// Its OTLP/gRPC receiver, `host:port`.
    pub otlp: String,
    pub url: String,
}

impl Jaeger {
    /// Starts it, waiting until its query API answers.
    pub fn start(dir: &Path) -> Jaeger {
        let otlp = free_address();
        let query = free_address();
        let env = [
            ("JAEGER_OTLP_GRPC_LISTEN", otlp.clone()),
            ("JAEGER_QUERY_LISTEN", query.clone()),
            ("JAEGER_QUERY_GRPC_LISTEN", free_address()),
            ("JAEGER_HEALTH_LISTEN", free_address()),
        ];
        let args = compose_command("jaeger", dir);
        let mut program = Program::start("jaeger", "jaeger", &args, &env, dir);
        let url = format!("http://{query}");
        program.wait_http_ok(&format!("{url}/api/v3/services"));
        Jaeger { program, otlp, url }
    }

    /// The spans of trace `trace_id` (hex) as `/api/v3/traces/{id}` returns them (OTLP JSON:
    /// resourceSpans → scopeSpans → spans), or none if Jaeger does not have it.
    pub fn trace_spans(&self, trace_id: &str) -> Vec<Value> {
        match get_json(&format!("{}/api/v3/traces/{trace_id}", self.url)) {
            Ok(answer) => spans_of(&answer["result"]),
            Err(_) => Vec::new(),
        }
    }

    /// Every span of `service`'s traces that `/api/v3/traces?query.service_name=…` returns.
    pub fn service_spans(&self, service: &str) -> Vec<Value> {
        let start = rfc3339(now_seconds() - 3600.0);
        let end = rfc3339(now_seconds() + 60.0);
        let url = format!(
            "{}/api/v3/traces?query.service_name={}&query.start_time_min={}&query.start_time_max={}&query.num_traces=1000",
            self.url,
            url_encode(service),
            url_encode(&start),
            url_encode(&end)
        );
        match get_json(&url) {
            Ok(answer) => spans_of(&answer["result"]),
            Err(_) => Vec::new(),
        }
    }
}

/// The spans in an OTLP-JSON `TracesData`.
fn spans_of(traces: &Value) -> Vec<Value> {
    let mut spans = Vec::new();
    for resource in traces["resourceSpans"].as_array().into_iter().flatten() {
        for scope in resource["scopeSpans"].as_array().into_iter().flatten() {
            spans.extend(scope["spans"].as_array().cloned().unwrap_or_default());
        }
    }
    spans
}

/// `seconds` since the epoch as an RFC 3339 UTC time (what Jaeger's query API takes).
fn rfc3339(seconds: f64) -> String {
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs_f64(seconds.max(0.0));
    humantime::format_rfc3339_seconds(time).to_string()
}

/// An OpenTelemetry Collector (walrec's build) running one of deploy/collector's files.
pub struct Collector {
    pub program: Program,
    /// Its OTLP/gRPC receiver, `host:port`.
    pub grpc: String,
    pub http: String,
    /// Its own metrics (Prometheus text), `http://host:port/metrics`.
    pub metrics_url: String,
}

/// Where a collector sends what it receives (the compose names its file defaults to).
pub struct Destinations<'a> {
    pub prometheus: &'a str,
    pub jaeger_otlp: &'a str,
    /// Tempo is not run here (AGPL): its exporter points at a closed loopback port.
    pub tempo_otlp: String,
    /// For agent-to-gateway.yaml: the gateway replicas' `host:port`s.
    pub gateways: Vec<String>,
}

impl Collector {
    /// Starts `bin/otelcol` with `args` (compose's, or `--config=` a deploy/collector file),
    /// its listen addresses on free loopback ports and its destinations from `to`.
    pub fn start(name: &str, args: Vec<String>, to: &Destinations, dir: &Path) -> Collector {
        Self::start_on(name, args, to, dir, free_address())
    }

    /// [`start`](Self::start) with its OTLP/gRPC receiver on `grpc` (to restart it in place).
    pub fn start_on(
        name: &str,
        mut args: Vec<String>,
        to: &Destinations,
        dir: &Path,
        grpc: String,
    ) -> Collector {
        let http = free_address();
        let health = free_address();
        let metrics_port = free_port();
        let env = vec![
            ("OTELCOL_OTLP_GRPC_LISTEN", grpc.clone()),
            ("OTELCOL_OTLP_HTTP_LISTEN", http.clone()),
            ("OTELCOL_HEALTH_LISTEN", health),
            ("OTELCOL_METRICS_HOST", "127.0.0.1".to_owned()),
            ("OTELCOL_METRICS_PORT", metrics_port.to_string()),
            ("PROMETHEUS_URL", to.prometheus.to_owned()),
            ("JAEGER_OTLP_ENDPOINT", to.jaeger_otlp.to_owned()),
            ("TEMPO_OTLP_ENDPOINT", to.tempo_otlp.clone()),
        ];
        if !to.gateways.is_empty() {
            args.extend(static_gateways(&to.gateways));
        }
        let mut program = Program::start(name, "otelcol", &args, &env, dir);
        let ready = grpc.clone();
        program.wait_until("its OTLP/gRPC port accepts", || {
            std::net::TcpStream::connect(&ready).is_ok()
        });
        Collector {
            program,
            grpc,
            http,
            metrics_url: format!("http://127.0.0.1:{metrics_port}/metrics"),
        }
    }

    /// Starts `bin/otelcol` as a plain relay: the otlp receiver (gRPC and HTTP, on free
    /// loopback ports) straight to an otlp exporter to `downstream` (`host:port`, plaintext
    /// gRPC) for metrics and traces, no processor, and no sending queue, so an export is
    /// answered only once the collector has passed it on.
    pub fn start_relay(name: &str, downstream: &str, dir: &Path) -> Collector {
        let config = dir.join(format!("{name}.yaml"));
        std::fs::write(&config, relay_yaml(downstream)).expect("write the relay's config");
        let closed = closed_address();
        let nowhere = Destinations {
            prometheus: "http://127.0.0.1:9",
            jaeger_otlp: &closed,
            tempo_otlp: closed.clone(),
            gateways: Vec::new(),
        };
        let args = vec![format!("--config={}", config.display())];
        Self::start(name, args, &nowhere, dir)
    }

    /// The sum of the collector's own metric `name` over its series whose line contains
    /// `containing` (a label value; 0 if none).
    pub fn own_metric(&self, name: &str, containing: &str) -> f64 {
        let text = super::backends::http_get(&self.metrics_url).unwrap_or_default();
        text.lines()
            .filter(|line| {
                line.strip_prefix(name)
                    .is_some_and(|rest| rest.starts_with('{') || rest.starts_with(' '))
                    && line.contains(containing)
            })
            .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    }
}

/// [`Collector::start_relay`]'s configuration: listen addresses and its own metrics' port
/// from the variables [`Collector::start_on`] sets.
fn relay_yaml(downstream: &str) -> String {
    format!(
        r#"receivers:
  otlp:
    protocols:
      grpc:
        endpoint: ${{env:OTELCOL_OTLP_GRPC_LISTEN}}
      http:
        endpoint: ${{env:OTELCOL_OTLP_HTTP_LISTEN}}
exporters:
  otlp/downstream:
    endpoint: {downstream}
    tls:
      insecure: true
    sending_queue:
      enabled: false
service:
  telemetry:
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: ${{env:OTELCOL_METRICS_HOST}}
                port: ${{env:OTELCOL_METRICS_PORT}}
  pipelines:
    metrics:
      receivers: [otlp]
      exporters: [otlp/downstream]
    traces:
      receivers: [otlp]
      exporters: [otlp/downstream]
"#
    )
}

/// `--set` overrides that swap agent-to-gateway.yaml's DNS resolver (one name, every replica
/// on one port: compose's service scaling) for the static list of `gateways`, the one thing
/// loopback cannot reproduce (/etc/hosts gives `localhost` one address).
fn static_gateways(gateways: &[String]) -> Vec<String> {
    let list = gateways.join(",");
    ["loadbalancing/traces", "loadbalancing/metrics"]
        .iter()
        .flat_map(|exporter| {
            [
                format!("--set=exporters::{exporter}::resolver::dns=null"),
                format!("--set=exporters::{exporter}::resolver::static::hostnames=[{list}]"),
            ]
        })
        .collect()
}

/// A loopback address that refuses connections (for the backends not run here).
pub fn closed_address() -> String {
    free_address()
}
