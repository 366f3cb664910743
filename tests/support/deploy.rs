//! Reading `deploy/` for its checks (tests/deploy.rs, tests/deploy_rotel.rs): its files, the
//! YAML in them, the metric names a PromQL expression uses, and the real tools that check them
//! (Prometheus' `promtool`, `check-jsonschema`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use yaml_rust2::{Yaml, YamlLoader};

/// Where the test command says check-jsonschema is (scripts/install-check-jsonschema.sh).
const CHECK_JSONSCHEMA_ENV: &str = "WALREC_CHECK_JSONSCHEMA";
/// What that script installs, relative to the crate root.
const CHECK_JSONSCHEMA_INSTALLED: &str = ".tools/venv/bin/check-jsonschema";

/// The Prometheus rule files compose mounts, relative to deploy/.
pub const RULE_FILES: [&str; 2] = [
    "prometheus/recording.rules.yml",
    "prometheus/alerts.rules.yml",
];
/// The Grafana dashboard, relative to deploy/.
pub const DASHBOARD: &str = "grafana/dashboards/walrec.json";

/// `deploy/<relative>` in this checkout.
pub fn path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("deploy")
        .join(relative)
}

/// The text of `deploy/<relative>`.
pub fn read(relative: &str) -> String {
    let path = path(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The single YAML document in `deploy/<relative>`.
pub fn yaml(relative: &str) -> Yaml {
    let mut documents = YamlLoader::load_from_str(&read(relative))
        .unwrap_or_else(|e| panic!("deploy/{relative} is not valid YAML: {e}"));
    assert_eq!(documents.len(), 1, "deploy/{relative}: one YAML document");
    documents.remove(0)
}

/// The keys of a YAML mapping (empty if `node` is not one).
pub fn keys(node: &Yaml) -> Vec<String> {
    node.as_hash()
        .map(|hash| {
            hash.keys()
                .filter_map(|k| k.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The strings of a YAML list (empty if `node` is not one).
pub fn strings(node: &Yaml) -> Vec<String> {
    node.as_vec()
        .map(|list| {
            list.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Runs `program args…`, returning its output; panics if it cannot start.
pub fn run(program: &Path, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()))
}

/// Panics with the command's output unless it succeeded.
pub fn assert_success(what: &str, output: &Output) {
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The check-jsonschema command: `$WALREC_CHECK_JSONSCHEMA`, else `.tools/venv/…`. Panics with
/// how to install it: the compose check must not pass silently without the tool.
pub fn check_jsonschema() -> PathBuf {
    let path = match std::env::var_os(CHECK_JSONSCHEMA_ENV) {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join(CHECK_JSONSCHEMA_INSTALLED),
    };
    assert!(
        path.is_file(),
        "check-jsonschema is not installed (looked for {}): run `bash \
         scripts/install-check-jsonschema.sh` (scripts/test.sh does it) or set \
         {CHECK_JSONSCHEMA_ENV}",
        path.display()
    );
    path
}

/// Words of PromQL that are not metric names even when no `(` follows them: operators,
/// modifiers, and the aggregations, which may be followed by `by (…)` before their `(`.
const KEYWORDS: &[&str] = &[
    "and",
    "or",
    "unless",
    "bool",
    "offset",
    "inf",
    "nan",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "sum",
    "min",
    "max",
    "avg",
    "group",
    "stddev",
    "stdvar",
    "count",
    "count_values",
    "bottomk",
    "topk",
    "quantile",
];
/// Keywords whose parenthesised list holds label names, not expressions.
const LABEL_LISTS: &[&str] = &[
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
];

/// Every metric name a PromQL expression selects: the identifiers that are neither functions,
/// keywords, label names (in `{…}` or a `by (…)` list), numbers, durations nor strings.
pub fn metric_names(expr: &str) -> BTreeSet<String> {
    let chars: Vec<char> = expr.chars().collect();
    let mut names = BTreeSet::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, '"' | '\'' | '`') {
            i = skip_string(&chars, i);
        } else if c == '{' {
            i = skip_group(&chars, i, '{', '}');
        } else if c == '[' {
            i = skip_group(&chars, i, '[', ']');
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            i = skip_number(&chars, i);
        } else if c.is_ascii_alphabetic() || c == '_' || c == ':' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '_' | ':'))
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let mut next = i;
            while next < chars.len() && chars[next].is_whitespace() {
                next += 1;
            }
            let called = chars.get(next) == Some(&'(');
            if called && LABEL_LISTS.contains(&word.as_str()) {
                i = skip_group(&chars, next, '(', ')');
            } else if !called && !KEYWORDS.contains(&word.to_ascii_lowercase().as_str()) {
                names.insert(word);
            }
        } else {
            i += 1;
        }
    }
    names
}

fn skip_string(chars: &[char], start: usize) -> usize {
    let quote = chars[start];
    let mut i = start + 1;
    while i < chars.len() && chars[i] != quote {
        if chars[i] == '\\' && quote != '`' {
            i += 1;
        }
        i += 1;
    }
    i + 1
}

/// Past the `close` that matches the `open` at `start`, skipping strings inside.
fn skip_group(chars: &[char], start: usize, open: char, close: char) -> usize {
    let mut depth = 0;
    let mut i = start;
    while i < chars.len() {
        match chars[i] {
            '"' | '\'' | '`' => {
                i = skip_string(chars, i);
                continue;
            }
            c if c == open => depth += 1,
            c if c == close => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    i
}

/// Past a number such as `0.999`, `1e9`, `1e-9` or `0x1f`.
fn skip_number(chars: &[char], start: usize) -> usize {
    let mut i = start;
    while i < chars.len() {
        let c = chars[i];
        let signed_exponent =
            matches!(c, '+' | '-') && i > start && matches!(chars[i - 1], 'e' | 'E');
        if c.is_ascii_alphanumeric() || c == '.' || signed_exponent {
            i += 1;
        } else {
            break;
        }
    }
    i
}

/// The metric name of a series selector as promtool's tests write them: `name{labels}`.
pub fn series_name(series: &str) -> &str {
    series.split('{').next().unwrap_or(series).trim()
}

/// Prometheus' standard OTLP translation of a metric name (`.` → `_`, the unit as a word,
/// `_total` on monotonic sums), written from Prometheus' documentation for the metric kinds
/// walrec exports. `kind` is `counter`, `gauge` or `histogram`.
pub fn prometheus_name(otlp_name: &str, unit: &str, kind: &str) -> String {
    // Prometheus' otlptranslator: the name split into tokens at every character other than
    // letters, digits and ':'; the unit word appended unless a token already is that word;
    // `total` moved to the end of a monotonic sum.
    let mut tokens: Vec<&str> = otlp_name
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == ':'))
        .filter(|t| !t.is_empty())
        .collect();
    let word = match unit {
        "s" => Some("seconds"),
        "ms" => Some("milliseconds"),
        "ns" => Some("nanoseconds"),
        "By" => Some("bytes"),
        unit if unit.starts_with('{') || unit.is_empty() => None,
        other => panic!("no translation written for unit {other:?} of {otlp_name}"),
    };
    if let Some(word) = word.filter(|w| !tokens.contains(w)) {
        tokens.push(word);
    }
    if kind == "counter" {
        tokens.retain(|t| *t != "total");
        tokens.push("total");
    }
    tokens.join("_")
}

/// `(record or alert name, expr)` of every rule in the rule files.
pub fn rules() -> Vec<(Option<String>, Option<String>, String)> {
    let mut rules = Vec::new();
    for file in RULE_FILES {
        let root = yaml(file);
        for group in root["groups"].as_vec().expect("groups") {
            for rule in group["rules"].as_vec().expect("rules") {
                let name = |key: &str| rule[key].as_str().map(str::to_owned);
                let expr = rule["expr"].as_str().expect("every rule has an expr");
                rules.push((name("record"), name("alert"), expr.to_owned()));
            }
        }
    }
    rules
}

/// Every PromQL query of the dashboard, as `(where, expr)`: the panels' targets and the
/// template variables' `label_values(<selector>, label)` selectors.
pub fn dashboard_queries() -> Vec<(String, String)> {
    let dashboard: serde_json::Value =
        serde_json::from_str(&read(DASHBOARD)).expect("the dashboard is JSON");
    let mut queries = Vec::new();
    for panel in all_panels(&dashboard) {
        for target in panel["targets"].as_array().into_iter().flatten() {
            let expr = target["expr"].as_str().expect("every target has an expr");
            let place = format!("panel {} ({})", panel["id"], panel["title"]);
            queries.push((place, expr.to_owned()));
        }
    }
    for variable in dashboard["templating"]["list"]
        .as_array()
        .expect("variables")
    {
        let query = variable["query"]["query"].as_str().expect("variable query");
        let inner = query
            .strip_prefix("label_values(")
            .and_then(|rest| rest.rsplit_once(','))
            .map(|(selector, _)| selector.trim().to_owned())
            .unwrap_or_else(|| panic!("variable query {query:?} is not label_values(…, label)"));
        queries.push((format!("variable {}", variable["name"]), inner));
    }
    queries
}

/// The dashboard's panels, rows' nested panels included.
pub fn all_panels(dashboard: &serde_json::Value) -> Vec<&serde_json::Value> {
    let mut panels = Vec::new();
    for panel in dashboard["panels"].as_array().expect("panels") {
        panels.push(panel);
        panels.extend(panel["panels"].as_array().into_iter().flatten());
    }
    panels
}

/// Grafana's interval variables replaced by a duration, so the query is plain PromQL.
pub fn without_grafana_variables(expr: &str) -> String {
    ["$__rate_interval", "$__interval", "$__range"]
        .iter()
        .fold(expr.to_owned(), |expr, variable| {
            expr.replace(variable, "5m")
        })
}
