//! The backends the tests build and the images compose.yaml runs are the same releases, as
//! backends/releases.tsv names them: each module's version is what its go.mod requires, and
//! each compose service runs the image of that release.

#![cfg(feature = "otlp")]

mod support;

use std::path::Path;

/// `(dir, module, version, compose service, image)` rows of backends/releases.tsv.
fn releases() -> Vec<[String; 5]> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("backends/releases.tsv");
    let text = std::fs::read_to_string(&path).expect("backends/releases.tsv");
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| {
            let fields: Vec<String> = line.split('\t').map(str::to_owned).collect();
            fields
                .try_into()
                .unwrap_or_else(|f| panic!("releases.tsv: five tab-separated fields: {f:?}"))
        })
        .collect()
}

/// The version `go.mod` in `backends/<dir>` requires of `module`.
fn required(dir: &str, module: &str) -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("backends/{dir}/go.mod"));
    let text = std::fs::read_to_string(&path).expect("the backend's go.mod");
    text.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        let first = words.next()?;
        let (name, version) = if first == "require" {
            (words.next()?, words.next()?)
        } else {
            (first, words.next()?)
        };
        (name == module).then(|| version.to_owned())
    })
}

#[test]
fn every_go_mod_requires_the_release_the_table_names() {
    let rows = releases();
    assert!(
        rows.len() >= 4,
        "the collector (core and contrib), Prometheus and Jaeger"
    );
    for [dir, module, version, _, _] in &rows {
        assert_eq!(
            required(dir, module).as_deref(),
            Some(version.as_str()),
            "backends/{dir}/go.mod: {module}"
        );
    }
}

#[test]
fn compose_runs_the_images_of_the_releases_the_tests_build() {
    let compose = support::deploy::yaml("compose.yaml");
    for [_, module, _, service, image] in releases() {
        let pinned = compose["services"][service.as_str()]["image"].as_str();
        assert_eq!(
            pinned,
            Some(image.as_str()),
            "compose service {service} ({module})"
        );
    }
}
