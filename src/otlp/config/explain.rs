//! What `walrec config` prints: every setting for each signal, its resolved value (secrets
//! redacted) and where it came from; and the README's table of variables, generated from the
//! settings table so that it cannot drift from what walrec reads.

use std::fmt;

use super::environment::Environment;
use super::error::{ConfigError, Problems};
use super::resolve::{Lookup, Resolved, Source, resolve};
use super::secret::redact_endpoint;
use super::settings::{Kind, Setting, TABLE};
use super::types::Signal;
use super::value::{Value, expected};

/// One setting as resolved for one signal.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExplainedSetting {
    /// The signal it was resolved for.
    pub signal: Signal,
    /// The variable that set it, else the signal's own variable.
    pub variable: &'static str,
    /// The value as it may be shown: secrets and endpoint credentials redacted.
    pub value: String,
    /// Where it came from.
    pub source: Source,
}

/// Every setting of both signals as `lookup` resolves them, with every problem found.
/// With `OTEL_CONFIG_FILE` set, the values are the file's, and their sources its keys.
pub fn explain(lookup: &Lookup<'_>) -> (Vec<ExplainedSetting>, Option<ConfigError>) {
    let mut environment = Environment::new(lookup);
    let mut lines = Vec::new();
    let result = environment.with(|variables| {
        let mut problems = Problems::default();
        for signal in [Signal::Metrics, Signal::Traces] {
            let resolved = resolve(variables, signal, &[], |_| true, &mut problems);
            let applies = TABLE.iter().filter(|s| !s.variables(signal).is_empty());
            lines.extend(applies.map(|s| line(s, signal, &resolved)));
        }
        problems.finish(())
    });
    for line in &mut lines {
        line.source = environment.source(line.source.clone());
    }
    (lines, result.err())
}

fn line(setting: &Setting, signal: Signal, resolved: &Resolved) -> ExplainedSetting {
    let source = resolved.source(setting.id).clone();
    let variable = match source {
        Source::Variable(name) => name,
        _ => setting.variables(signal)[0],
    };
    let value = shown(setting, resolved.get(setting.id));
    ExplainedSetting {
        signal,
        variable,
        value,
        source,
    }
}

/// `value` as `walrec config` shows it.
pub(super) fn shown(setting: &Setting, value: &Value) -> String {
    let spelled = |index: usize| match &setting.kind {
        Kind::Choice(c) | Kind::ChoiceList(c) => c.accepted.get(index).copied().unwrap_or("?"),
        _ => "?",
    };
    match value {
        Value::Unset => "(unset)".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Duration(d) => format!("{} ms", d.as_millis()),
        Value::Count(n) => n.to_string(),
        Value::Ratio(r) => r.to_string(),
        Value::Choice(i) => spelled(*i).to_owned(),
        Value::Choices(list) => list
            .iter()
            .map(|&i| spelled(i))
            .collect::<Vec<_>>()
            .join(","),
        Value::Url(url) => redact_endpoint(url.as_str()),
        Value::Headers(headers) => {
            let names = headers.iter().map(|(name, _)| format!("{name}=<redacted>"));
            names.collect::<Vec<_>>().join(",")
        }
        Value::Attributes(list) => {
            let pairs = list.iter().map(|(k, v)| format!("{k}={v}"));
            pairs.collect::<Vec<_>>().join(",")
        }
        Value::Path(path) => path.display().to_string(),
        Value::Text(text) => text.clone(),
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::Variable(name) => write!(f, "environment ({name})"),
            Source::Code(method) => write!(f, "code ({method})"),
            Source::File { key, line } => write!(f, "file ({key}, line {line})"),
        }
    }
}

/// The table of every variable walrec reads (default, accepted values, meaning), in
/// Markdown, generated from the settings table: README.md's table, and `walrec config --table`.
pub fn settings_table_markdown() -> String {
    let mut out = String::from("| Variable | Default | Accepts | Meaning |\n|---|---|---|---|\n");
    for setting in &TABLE {
        let mut names: Vec<&str> = Vec::new();
        for name in setting.metrics.iter().chain(setting.traces) {
            if !names.contains(name) {
                names.push(name);
            }
        }
        let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        let default = match setting.default {
            "" => "—".to_owned(),
            text => format!("`{text}`"),
        };
        let accepts = expected(&setting.kind).replace('|', "\\|");
        let secret = if setting.secret { " (secret)" } else { "" };
        out.push_str(&format!(
            "| {} | {default} | {accepts} | {}{secret} |\n",
            names.join(", "),
            setting.doc
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: &str = "<!-- settings table: generated from src/otlp/config/settings.rs -->\n";
    const END: &str = "<!-- end of settings table -->";

    #[test]
    fn the_readme_table_is_the_settings_table() {
        let readme = include_str!("../../../README.md");
        let table = settings_table_markdown();
        let start = readme.find(START).map(|at| at + START.len());
        let end = readme.find(END);
        let shown = match (start, end) {
            (Some(start), Some(end)) if start <= end => &readme[start..end],
            _ => "",
        };
        assert_eq!(
            shown, table,
            "README.md's settings table differs; put this between the markers:\n{table}"
        );
    }

    #[test]
    fn secrets_are_never_shown() {
        let lookup = |name: &str| {
            let value = match name {
                "OTEL_EXPORTER_OTLP_HEADERS" => "api-key=s3cret",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" => "https://u:pw@h:4318/v1/traces?k=s3cret",
                _ => return None,
            };
            Some(value.into())
        };
        let (lines, problems) = explain(&lookup);
        assert!(problems.is_none());
        let text = format!("{lines:?}");
        assert!(!text.contains("s3cret") && !text.contains("pw"), "{text}");
        assert!(text.contains("api-key=<redacted>"), "{text}");
    }
}
