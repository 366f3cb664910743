//! What the YAML layer refuses or follows (duplicate keys, tags, documents, anchors, depth);
//! all problems at once; secrets kept out of messages; the file's own limits; certificate
//! files checked as the variables' are.

use std::ffi::OsString;
use std::io::Write;

use super::tests::{FULL, accepted, env, line_of, refused};
use super::tests_refused::meter;
use super::*;
use crate::otlp::config::Config;
use crate::otlp::config::env::*;

#[test]
fn every_problem_is_reported_at_once_in_line_order() {
    let text = "file_format: \"1.0\"\nlog_level: info\nmeter_provider:\n  readers:\n    - periodic:\n        interval: fast\n        exporter:\n          otlp_grpc:\n            compression: zstd\n";
    let problems = refused(text, &env(&[]));
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(problems[0].starts_with("log_level (line 2): not supported by walrec"));
    assert!(
        problems[1].starts_with("meter_provider.readers[0].periodic.interval (line 6): expected")
    );
    assert!(problems[2].starts_with("meter_provider.readers[0].periodic.exporter.otlp_grpc.compression (line 9): expected one of none, gzip (any case)"));
    let error = translate(text, &env(&[])).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("the configuration file has 3 problems:\n  log_level (line 2)"),
        "{error}"
    );
}

#[test]
fn yaml_that_is_not_one_plain_document_is_refused() {
    let problem = |text: &str| refused(text, &env(&[]));
    let twice = problem("file_format: \"1.0\"\ndisabled: true\ndisabled: false\n");
    assert_eq!(
        twice,
        ["disabled (line 3): the key is given twice (first on line 2)"]
    );
    let tag = problem("file_format: \"1.0\"\ndisabled: !!bool true\n");
    assert_eq!(
        tag,
        [
            "disabled (line 2): the YAML tag tag:yaml.org,2002:bool is not supported (only !!str, on a scalar)"
        ]
    );
    let documents = problem("file_format: \"1.0\"\n---\nfile_format: \"1.0\"\n");
    assert_eq!(
        documents,
        ["line 2: a second YAML document: the file must hold one"]
    );
    let syntax = problem("file_format: \"1.0\"\nresource:\n  attributes: [a, b\n");
    assert!(
        syntax[0].starts_with("resource.attributes[2] (line 4): not valid YAML"),
        "{syntax:?}"
    );
    assert_eq!(problem(""), ["line 1: the file is empty"]);
    assert_eq!(problem("# only a comment\n"), ["line 1: the file is empty"]);
    assert_eq!(
        problem("- file_format\n"),
        ["line 1: expected a mapping, got a list"]
    );
    let key = problem("file_format: \"1.0\"\n? [a, b]\n: 1\n");
    assert!(
        key.iter()
            .any(|p| p.starts_with("line 2: a key must be a name")),
        "{key:?}"
    );
}

/// An exporter written once and reused through an anchor and a merge key.
const ANCHORED: &str = r#"file_format: "1.0"
meter_provider:
  readers:
    - periodic:
        exporter:
          otlp_grpc: &collector
            endpoint: http://collector:4317
            timeout: 1000
            compression: &zip gzip
tracer_provider:
  processors:
    - batch:
        exporter:
          otlp_grpc:
            <<: *collector
            timeout: 2000
  limits:
    attribute_count_limit: &eight 8
    event_count_limit: *eight
"#;

#[test]
fn anchors_aliases_and_merge_keys_are_followed() {
    let settings = accepted(ANCHORED, &env(&[]));
    let var = |name: &str| settings.vars[name].as_str();
    assert_eq!(var(OTEL_EXPORTER_OTLP_METRICS_TIMEOUT), "1000");
    assert_eq!(
        var(OTEL_EXPORTER_OTLP_TRACES_ENDPOINT),
        "http://collector:4317"
    );
    assert_eq!(var(OTEL_EXPORTER_OTLP_TRACES_COMPRESSION), "gzip");
    // The key of the mapping itself beats the merged one.
    assert_eq!(var(OTEL_EXPORTER_OTLP_TRACES_TIMEOUT), "2000");
    assert_eq!(var(OTEL_SPAN_EVENT_COUNT_LIMIT), "8");
    // A merged value is at its path in the mapping it is merged into, on the line it is written.
    let origin = settings.origins[OTEL_EXPORTER_OTLP_TRACES_ENDPOINT].to_string();
    let line = line_of(ANCHORED, "endpoint: http://collector:4317");
    let path = "tracer_provider.processors[0].batch.exporter.otlp_grpc.endpoint";
    assert_eq!(origin, format!("{path} (line {line})"));
    let merge_scalar = ANCHORED.replace("<<: *collector", "<<: *zip");
    let problems = refused(&merge_scalar, &env(&[]));
    assert!(
        problems[0].contains("<< merges a mapping (or a list of mappings) into this one"),
        "{problems:?}"
    );
}

#[test]
fn alias_expansion_and_nesting_are_bounded() {
    let too_much = "more than 100000 nodes or 4194304 bytes of text (aliases expanded)";
    let mut bomb = String::from("file_format: \"1.0\"\nx: &l0 [a, a, a, a, a, a, a, a, a, a]\n");
    for level in 1..6 {
        let items = vec![format!("*l{}", level - 1); 10].join(", ");
        bomb.push_str(&format!("x{level}: &l{level} [{items}]\n"));
    }
    let problems = refused(&bomb, &env(&[]));
    assert!(
        problems.iter().any(|p| p.ends_with(too_much)),
        "{problems:?}"
    );
    // Few nodes, but a long text copied many times.
    let text = "z".repeat(100_000);
    let aliases = vec!["*a"; 50].join(", ");
    let long = format!("file_format: \"1.0\"\nx: &a \"{text}\"\ny: [{aliases}]\n");
    let problems = refused(&long, &env(&[]));
    assert!(
        problems.iter().any(|p| p.ends_with(too_much)),
        "{problems:?}"
    );
    let nested = format!("{}{}", "[".repeat(100), "]".repeat(100));
    let deep = format!("file_format: \"1.0\"\ndisabled: {nested}\n");
    let problems = refused(&deep, &env(&[]));
    let path = format!("disabled{}", "[0]".repeat(63));
    let expected = format!("{path} (line 2): nested more than 64 levels deep");
    assert_eq!(problems, [expected]);
}

#[test]
fn certificate_files_are_checked_as_the_variables_are() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let key = rcgen::KeyPair::generate().expect("a key");
    let params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
    let certificate = params.self_signed(&key).expect("a certificate").pem();
    let path = |name: &str| dir.path().join(name).display().to_string();
    std::fs::write(path("ca.pem"), &certificate).expect("written");
    std::fs::write(path("cert.pem"), &certificate).expect("written");
    std::fs::write(path("key.pem"), key.serialize_pem()).expect("written");
    let text = |ca: &str| {
        format!(
            "file_format: \"1.0\"\nmeter_provider:\n  readers:\n    - periodic:\n        exporter:\n          \
             otlp_http:\n            endpoint: https://c:4318/v1/metrics\n            tls:\n              \
             ca_file: {}\n              key_file: {}\n              cert_file: {}\n",
            path(ca),
            path("key.pem"),
            path("cert.pem")
        )
    };
    let settings = accepted(&text("ca.pem"), &env(&[]));
    let config = Config::from_lookup(&settings.lookup()).expect("valid");
    let ca = config
        .tls()
        .ca_certificate()
        .map(|p| p.display().to_string());
    assert_eq!(ca, Some(path("ca.pem")));
    assert_eq!(
        settings.vars[OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY],
        path("key.pem")
    );
    // A key where certificates are expected: refused at that key's line.
    let wrong = text("key.pem");
    let problems = refused(&wrong, &env(&[]));
    let line = line_of(&wrong, "ca_file");
    let at = "meter_provider.readers[0].periodic.exporter.otlp_http.tls.ca_file";
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with(&format!(
            "{at} (line {line}): OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE="
        )),
        "{problems:?}"
    );
    assert!(
        problems[0].contains("does not hold at least one PEM certificate"),
        "{problems:?}"
    );
}

#[test]
fn header_values_never_appear_in_messages_or_debug_output() {
    let exporter = "          otlp_grpc:\n            headers:\n              - name: api-key\n                value: 123456789\n            headers_list: k=hunter2hunter2,broken\n";
    let text = format!("file_format: \"1.0\"\n{}", meter("", exporter));
    let error = translate(&text, &env(&[])).unwrap_err().to_string();
    assert!(
        error.contains("got an integer") && error.contains("entry #2"),
        "{error}"
    );
    assert!(
        !error.contains("123456789") && !error.contains("hunter2"),
        "{error}"
    );
    let settings = super::tests::accepted(FULL, &env(&[]));
    let shown = format!("{settings:?}");
    assert!(
        !shown.contains("s3cret") && shown.contains("<redacted>"),
        "{shown}"
    );
}

#[test]
fn the_file_itself_must_be_a_small_yaml_file() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let lookup = |_: &str| -> Option<OsString> { None };
    let path = dir.path().join("otel.yaml");
    std::fs::write(&path, "file_format: \"1.0\"\n").expect("written");
    assert!(read_config_file(&path, &lookup).is_ok());
    let big = dir.path().join("big.yml");
    let mut file = std::fs::File::create(&big).expect("created");
    file.write_all(b"file_format: \"1.0\"\n").expect("written");
    file.write_all(&vec![b'#'; MAX_CONFIG_FILE_BYTES as usize])
        .expect("written");
    let error = read_config_file(&big, &lookup).unwrap_err();
    assert!(
        matches!(error, FileError::TooLarge { bytes, .. } if bytes > MAX_CONFIG_FILE_BYTES),
        "{error}"
    );
    let json = dir.path().join("otel.json");
    std::fs::write(&json, "{\"file_format\": \"1.0\"}").expect("written");
    let error = read_config_file(&json, &lookup).unwrap_err().to_string();
    assert!(error.contains("must end in .yaml or .yml"), "{error}");
    let missing = read_config_file(&dir.path().join("gone.yaml"), &lookup).unwrap_err();
    assert!(matches!(missing, FileError::Unreadable { .. }), "{missing}");
    std::fs::write(&path, "file_format: \"1.0\"\ndisabled: maybe\n").expect("written");
    let invalid = read_config_file(&path, &lookup).unwrap_err().to_string();
    assert!(
        invalid.starts_with("OTEL_CONFIG_FILE=")
            && invalid.contains("1 problem:\n  disabled (line 2)"),
        "{invalid}"
    );
}
