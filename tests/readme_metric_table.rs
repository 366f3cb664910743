//! README's table of metrics is generated from the catalogue and checked here, so it cannot
//! drift: a metric added to `src/telemetry/catalogue.rs` fails this test until the README has
//! its row. `WALREC_BLESS=1 cargo test --test readme_metric_table` rewrites the table.

use walrec::otlp::METRIC_PREFIX;
use walrec::telemetry::{Kind, Metric, MetricKey, Shape, Stat};

const BEGIN: &str = "<!-- metric table: generated from src/telemetry/catalogue.rs by tests/readme_metric_table.rs -->\n";
const END: &str = "<!-- end of metric table -->\n";

/// How a metric is exported, in words.
fn shape_words(metric: Metric) -> String {
    match metric.shape() {
        Shape::Stats(stats) if stats.contains(&Stat::Success) => "operation statistics".into(),
        Shape::Stats(_) => "duration statistics".into(),
        Shape::Histogram => "ExponentialHistogram `ns`, and `.saturated`".into(),
        Shape::Value(kind, unit) => {
            let kind = if kind == Kind::Counter {
                "monotonic Sum"
            } else {
                "Gauge"
            };
            format!("{kind} `{}`", unit.ucum())
        }
    }
}

/// One row: the OTLP name (`.*` for statistics), the shape, the first Prometheus series and
/// what the metric measures.
fn row(metric: Metric) -> String {
    let whole = MetricKey::new(METRIC_PREFIX, metric, None);
    let (otlp, prometheus) = match metric.shape() {
        Shape::Stats(stats) => {
            let first = MetricKey::new(METRIC_PREFIX, metric, Some(stats[0]));
            (format!("{}.*", whole.otlp_name()), format!("`{first}`, …"))
        }
        _ => (whole.otlp_name(), format!("`{whole}`")),
    };
    format!(
        "| `{otlp}` | {} | {prometheus} | {} |\n",
        shape_words(metric),
        metric.description()
    )
}

fn table() -> String {
    let mut table = String::from("| OTLP name | type | Prometheus | what it measures |\n");
    table.push_str("|---|---|---|---|\n");
    for metric in Metric::ALL {
        table.push_str(&row(metric));
    }
    table
}

#[test]
fn readme_metric_table_is_the_catalogue() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).expect("README.md is readable");
    let (Some(begin), Some(end)) = (readme.find(BEGIN), readme.find(END)) else {
        panic!("README.md has no metric table between {BEGIN:?} and {END:?}");
    };
    let current = &readme[begin + BEGIN.len()..end];
    let expected = table();
    if current == expected {
        return;
    }
    if std::env::var_os("WALREC_BLESS").is_some() {
        let updated = format!(
            "{}{expected}{}",
            &readme[..begin + BEGIN.len()],
            &readme[end..]
        );
        std::fs::write(path, updated).expect("README.md is writable");
        return;
    }
    panic!(
        "README.md's metric table is not the catalogue's; run with WALREC_BLESS=1 or paste:\n{expected}"
    );
}
