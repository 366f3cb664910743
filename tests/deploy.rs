//! deploy/ checked with the real tools that a machine without a container runtime has:
//! Prometheus' `promtool` 3 on the Prometheus configuration, the rules, their unit tests
//! (native-histogram input included) and every dashboard query; `check-jsonschema` with the
//! Compose specification's schema on compose.yaml; and, from walrec's own code, that every
//! metric name deploy/ uses is one walrec emits. The collector configurations are checked for
//! pipelines that only use components defined in the same file. Without promtool or
//! check-jsonschema these tests fail, saying how to install them.
#![cfg(feature = "otlp")]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use support::deploy::{self, keys, metric_names, strings};
use yaml_rust2::Yaml;

/// The rules' unit tests, relative to deploy/: every `*.test.yml` in it.
const RULE_TESTS_DIR: &str = "prometheus/tests";
const COLLECTOR_CONFIGS: [&str; 3] = [
    "collector/agent.yaml",
    "collector/agent-to-gateway.yaml",
    "collector/gateway.yaml",
];

fn promtool(args: &[&str]) -> std::process::Output {
    deploy::run(&support::promtool::require_binary(), args)
}

fn deploy_path(relative: &str) -> String {
    deploy::path(relative).to_string_lossy().into_owned()
}

/// Every rule unit test file (`*.test.yml` in deploy/prometheus/tests), relative to deploy/.
fn rule_tests() -> Vec<String> {
    let dir = deploy::path(RULE_TESTS_DIR);
    let entries =
        std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    let mut files: Vec<String> = entries
        .map(|entry| entry.expect("a directory entry").file_name())
        .filter_map(|name| name.to_str().map(str::to_owned))
        .filter(|name| name.ends_with(".test.yml"))
        .map(|name| format!("{RULE_TESTS_DIR}/{name}"))
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no *.test.yml in deploy/{RULE_TESTS_DIR}"
    );
    files
}

#[test]
fn promtool_accepts_the_prometheus_config_and_the_rules() {
    if !support::backends::available("promtool_accepts_the_prometheus_config_and_the_rules") {
        return;
    }
    let config = deploy_path("prometheus/prometheus.yml");
    deploy::assert_success(
        "promtool check config",
        &promtool(&["check", "config", &config]),
    );
    let mut args = vec!["check".to_owned(), "rules".to_owned()];
    args.extend(deploy::RULE_FILES.map(deploy_path));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    deploy::assert_success("promtool check rules", &promtool(&args));
}

#[test]
fn promtool_unit_tests_of_the_alerts_pass() {
    if !support::backends::available("promtool_unit_tests_of_the_alerts_pass") {
        return;
    }
    let mut args = vec!["test".to_owned(), "rules".to_owned()];
    args.extend(rule_tests().iter().map(|file| deploy_path(file)));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    deploy::assert_success("promtool test rules", &promtool(&args));
}

#[test]
fn every_alert_has_a_unit_test_that_fires_it_and_one_that_stays_silent() {
    let alerts: BTreeSet<String> = deploy::rules()
        .into_iter()
        .filter_map(|(_, a, _)| a)
        .collect();
    assert!(alerts.len() >= 5, "the issue's five alerts: {alerts:?}");
    let mut firing = BTreeSet::new();
    let mut silent = BTreeSet::new();
    for file in rule_tests() {
        let root = deploy::yaml(&file);
        for case in root["tests"].as_vec().expect("tests") {
            for check in case["alert_rule_test"].as_vec().into_iter().flatten() {
                let name = check["alertname"].as_str().expect("alertname").to_owned();
                let expected = check["exp_alerts"].as_vec().map_or(0, Vec::len);
                if expected > 0 {
                    &mut firing
                } else {
                    &mut silent
                }
                .insert(name);
            }
        }
    }
    for alert in &alerts {
        assert!(firing.contains(alert), "no test where {alert} fires");
        assert!(silent.contains(alert), "no test where {alert} stays silent");
    }
    for rule in alerts_annotations() {
        let (alert, summary, description) = rule;
        assert!(
            summary.len() > 20 && description.len() > 80,
            "{alert}: an on-call person needs a summary and a description that says what to do"
        );
    }
}

fn alerts_annotations() -> Vec<(String, String, String)> {
    let root = deploy::yaml("prometheus/alerts.rules.yml");
    let mut found = Vec::new();
    for group in root["groups"].as_vec().expect("groups") {
        for rule in group["rules"].as_vec().expect("rules") {
            let text = |key: &str| {
                rule["annotations"][key]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            };
            if let Some(alert) = rule["alert"].as_str() {
                found.push((alert.to_owned(), text("summary"), text("description")));
            }
        }
    }
    found
}

#[test]
fn dashboard_panel_ids_are_unique_and_every_panel_has_a_query() {
    let dashboard: serde_json::Value =
        serde_json::from_str(&deploy::read(deploy::DASHBOARD)).unwrap();
    let mut seen = BTreeSet::new();
    for panel in deploy::all_panels(&dashboard) {
        let id = panel["id"].as_u64().expect("every panel has a numeric id");
        assert!(seen.insert(id), "panel id {id} is used twice");
        let is_row = panel["type"] == "row";
        let targets = panel["targets"].as_array().map_or(0, Vec::len);
        assert!(is_row || targets > 0, "panel {id} has no query");
    }
}

#[test]
fn every_dashboard_query_parses_with_prometheus_own_parser() {
    if !support::backends::available("every_dashboard_query_parses_with_prometheus_own_parser") {
        return;
    }
    // Each query becomes a recording rule of a temporary rules file for `promtool check rules`.
    let mut file = String::from("groups:\n  - name: dashboard\n    rules:\n");
    for (i, (place, expr)) in deploy::dashboard_queries().iter().enumerate() {
        let expr = deploy::without_grafana_variables(expr);
        assert!(
            !expr.contains("$__"),
            "{place}: unknown Grafana variable in {expr}"
        );
        file.push_str(&format!(
            "      # {place}\n      - record: dashboard:query_{i}\n"
        ));
        file.push_str(&format!(
            "        expr: {}\n",
            serde_json::to_string(&expr).unwrap()
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dashboard.rules.yml");
    std::fs::write(&path, &file).unwrap();
    let output = promtool(&["check", "rules", path.to_str().unwrap()]);
    deploy::assert_success(&format!("promtool check rules on\n{file}"), &output);
}

#[test]
fn the_name_extractor_finds_metric_names_and_nothing_else() {
    let expr = r#"histogram_quantile(0.999, sum by (job, le) (rate(a_seconds{x="b c", y=~"d|e"}[5m]))) / 1e-9
        and on (job) max without (z) (b_total offset 5m) > bool 0 or c:recorded unless d"#;
    let found: Vec<String> = metric_names(expr).into_iter().collect();
    assert_eq!(found, ["a_seconds", "b_total", "c:recorded", "d"]);
    assert_eq!(deploy::series_name(r#"m_total{job="w"}"#), "m_total");
}

/// Every Prometheus name of a walrec recovery, from the naming table.
fn naming_table_names() -> BTreeSet<String> {
    walrec::telemetry::MetricKey::all(walrec::otlp::METRIC_PREFIX)
        .map(|key| key.to_string())
        .collect()
}

/// Every metric name deploy/ uses, with where: rules, rule tests' input series, dashboard.
fn names_used() -> BTreeMap<String, String> {
    let mut used = BTreeMap::new();
    for (record, alert, expr) in deploy::rules() {
        let place = record.or(alert).unwrap_or_default();
        for name in metric_names(&expr) {
            used.entry(name).or_insert_with(|| format!("rule {place}"));
        }
    }
    for file in rule_tests() {
        let tests = deploy::yaml(&file);
        for case in tests["tests"].as_vec().expect("tests") {
            for input in case["input_series"].as_vec().into_iter().flatten() {
                let series = input["series"].as_str().expect("series");
                let name = deploy::series_name(series).to_owned();
                used.entry(name).or_insert_with(|| format!("{file} input"));
            }
        }
    }
    for (place, expr) in deploy::dashboard_queries() {
        for name in metric_names(&deploy::without_grafana_variables(&expr)) {
            used.entry(name).or_insert_with(|| place.clone());
        }
    }
    used
}

#[test]
fn every_metric_name_deploy_uses_is_one_walrec_emits() {
    let recorded: BTreeSet<String> = deploy::rules()
        .into_iter()
        .filter_map(|(r, _, _)| r)
        .collect();
    let emitted = naming_table_names();
    let agent = support::agent_names::agent_self_telemetry_names();
    let used = names_used();
    let mut unknown = Vec::new();
    for (name, place) in &used {
        if !(emitted.contains(name) || agent.contains(name) || recorded.contains(name)) {
            unknown.push(format!("{name} (in {place})"));
        }
    }
    assert!(
        unknown.is_empty(),
        "names walrec does not emit:\n  {}\nthe naming table's:\n  {}\nthe agent's: {agent:?}",
        unknown.join("\n  "),
        emitted.iter().cloned().collect::<Vec<_>>().join("\n  ")
    );
    // The checks above are only as good as what they saw: the dashboard covers the issue's
    // panels, so it uses names of every component and of the agent.
    for needed in [
        "walrec_recovery_phase",
        "walrec_next_event_histogram_nanoseconds",
        "walrec_segment_reader_block_checksum_failures_total",
        "walrec_segment_preloader_stalls_total",
        "walrec_agent_exports_total",
    ] {
        assert!(used.contains_key(needed), "deploy/ never uses {needed}");
    }
}

#[test]
fn compose_file_validates_against_the_compose_specification() {
    let checker = deploy::check_jsonschema();
    let compose = deploy_path("compose.yaml");
    let args = ["--builtin-schema", "vendor.compose-spec", compose.as_str()];
    deploy::assert_success("check-jsonschema", &deploy::run(&checker, &args));
    // The same check rejects a compose file with a misspelt key, so it is not vacuous.
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("compose.yaml");
    let text = deploy::read("compose.yaml").replace("    restart:", "    restrat:");
    std::fs::write(&broken, text).unwrap();
    let args = [
        "--builtin-schema",
        "vendor.compose-spec",
        broken.to_str().unwrap(),
    ];
    assert!(!deploy::run(&checker, &args).status.success());
}

#[test]
fn compose_images_are_pinned_and_every_mounted_file_exists() {
    let compose = deploy::yaml("compose.yaml");
    for (name, service) in compose["services"].as_hash().expect("services") {
        let name = name.as_str().unwrap();
        let image = service["image"].as_str();
        let built = !service["build"].is_badvalue();
        match image.and_then(|i| i.rsplit_once(':')) {
            Some((_, tag)) => assert!(tag != "latest" && !tag.is_empty(), "{name}: {tag}"),
            None => assert!(built, "{name}: image without a pinned tag"),
        }
        for volume in strings(&service["volumes"]) {
            if let Some(local) = volume.strip_prefix("./") {
                let local = local.split(':').next().unwrap();
                assert!(
                    deploy::path(local).exists(),
                    "{name} mounts missing ./{local}"
                );
            }
        }
        for file in strings(&service["env_file"]) {
            assert!(
                deploy::path(&file).is_file(),
                "{name}: env file {file} missing"
            );
        }
    }
    // Prometheus' command line (the OTLP receiver, exemplar storage) is what
    // tests/pipeline_*.rs run the real Prometheus with, so it is checked by running it.
}

#[test]
fn the_rotel_image_installs_the_version_the_tests_run() {
    let pinned = |text: &str, prefix: &str| {
        text.lines()
            .find_map(|line| line.trim().strip_prefix(prefix))
            .map(|v| v.trim_matches('"').to_owned())
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = std::fs::read_to_string(root.join("scripts/install-rotel.sh")).unwrap();
    let tested = pinned(&script, "ROTEL_VERSION=").expect("install-rotel.sh pins a version");
    let image = pinned(&deploy::read("rotel/Dockerfile"), "ARG ROTEL_VERSION=");
    assert_eq!(image.as_deref(), Some(tested.as_str()));
}

/// The problems of one collector configuration: a pipeline naming a component the file does
/// not define, a defined component no pipeline uses, or a pipeline without memory_limiter
/// first and batch.
fn collector_problems(config: &Yaml) -> Vec<String> {
    let defined =
        |section: &str| -> BTreeSet<String> { keys(&config[section]).into_iter().collect() };
    let connectors = defined("connectors");
    let mut unused: BTreeSet<String> = ["receivers", "processors", "exporters", "connectors"]
        .iter()
        .flat_map(|s| defined(s).into_iter().map(move |c| format!("{s}: {c}")))
        .collect();
    let mut problems = Vec::new();
    let pipelines = config["service"]["pipelines"]
        .as_hash()
        .cloned()
        .unwrap_or_default();
    if pipelines.is_empty() {
        problems.push("no pipelines".to_owned());
    }
    for (name, pipeline) in &pipelines {
        let name = name.as_str().unwrap_or("?");
        for section in ["receivers", "processors", "exporters"] {
            let listed = strings(&pipeline[section]);
            if listed.is_empty() && section != "processors" {
                problems.push(format!("{name}: no {section}"));
            }
            for component in listed {
                let known = defined(section).contains(&component)
                    || (section != "processors" && connectors.contains(&component));
                if !known {
                    problems.push(format!("{name}: {section} {component} is not defined"));
                }
                unused.remove(&format!("{section}: {component}"));
                unused.remove(&format!("connectors: {component}"));
            }
        }
        let processors = strings(&pipeline["processors"]);
        if processors.first().map(String::as_str) != Some("memory_limiter")
            || !processors.iter().any(|p| p == "batch")
        {
            problems.push(format!(
                "{name}: processors {processors:?}, want memory_limiter first and batch"
            ));
        }
    }
    for extension in strings(&config["service"]["extensions"]) {
        if !defined("extensions").contains(&extension) {
            problems.push(format!("extension {extension} is not defined"));
        }
    }
    problems.extend(
        unused
            .into_iter()
            .map(|c| format!("{c} is defined but unused")),
    );
    problems
}

#[test]
fn collector_pipelines_use_only_components_defined_in_their_file() {
    for file in COLLECTOR_CONFIGS {
        let problems = collector_problems(&deploy::yaml(file));
        assert!(
            problems.is_empty(),
            "deploy/{file}:\n  {}",
            problems.join("\n  ")
        );
    }
    // And the check sees a pipeline that names a missing exporter.
    let broken = deploy::read("collector/agent.yaml")
        .replace("[otlp/tempo, otlp/jaeger]", "[otlp/tempo, otlp/zipkin]");
    let broken = yaml_rust2::YamlLoader::load_from_str(&broken)
        .unwrap()
        .remove(0);
    let problems = collector_problems(&broken);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("otlp/zipkin is not defined")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("otlp/jaeger is defined but unused")),
        "{problems:?}"
    );
}

/// The real Collector (walrec's build, the release compose runs) accepts every file in
/// deploy/collector, and the real Jaeger its file: their own `validate` commands.
#[test]
fn the_real_collector_and_jaeger_validate_their_files() {
    if !support::backends::available("otelcol validate") {
        return;
    }
    let files = std::fs::read_dir(deploy::path("collector")).expect("deploy/collector lists");
    let mut validated = 0;
    for file in files.filter_map(|entry| entry.ok().map(|e| e.path())) {
        let config = format!("--config={}", file.display());
        let output = deploy::run(&support::backends::bin("otelcol"), &["validate", &config]);
        deploy::assert_success(&format!("otelcol validate {}", file.display()), &output);
        validated += 1;
    }
    assert_eq!(
        validated,
        COLLECTOR_CONFIGS.len(),
        "every file in deploy/collector"
    );
    let config = format!("--config={}", deploy_path("jaeger/jaeger.yaml"));
    let output = deploy::run(&support::backends::bin("jaeger"), &["validate", &config]);
    deploy::assert_success("jaeger validate jaeger/jaeger.yaml", &output);
}
