//! What Grafana 11.6 does with deploy/'s files, read from Grafana's source (Grafana is AGPL and
//! not run here): exemplar markers are drawn on the panel's own y axis, and Grafana drops the
//! internal exemplar → trace link for a user without Explore access.

#![cfg(feature = "otlp")]

mod support;

use support::deploy;

/// The panels that ask for exemplars, with their targets that do.
fn exemplar_targets() -> Vec<(serde_json::Value, serde_json::Value)> {
    let dashboard: serde_json::Value =
        serde_json::from_str(&deploy::read(deploy::DASHBOARD)).expect("the dashboard is JSON");
    let mut found = Vec::new();
    for panel in deploy::all_panels(&dashboard) {
        for target in panel["targets"].as_array().into_iter().flatten() {
            if target["exemplar"] == true {
                found.push((panel.clone(), target.clone()));
            }
        }
    }
    found
}

/// An exemplar's value is a raw sample of the histogram (nanoseconds): a panel that scales the
/// quantile (`/ 1e9` to seconds) plots its series in one unit and the exemplars in another, so
/// every marker lands far off the axis. The panel must plot the histogram in its own unit.
#[test]
fn exemplars_are_drawn_on_an_axis_in_the_histograms_unit() {
    let targets = exemplar_targets();
    assert!(!targets.is_empty(), "the latency panel shows exemplars");
    for (panel, target) in targets {
        let expr = target["expr"].as_str().unwrap_or_default();
        let place = format!("panel {} ({})", panel["id"], panel["title"]);
        let scaled = expr.split(')').next_back().unwrap_or_default();
        assert!(
            !scaled.contains('/') && !scaled.contains('*'),
            "{place}: the exemplar query scales the histogram ({expr})"
        );
        if expr.contains("_nanoseconds") {
            assert_eq!(
                panel["fieldConfig"]["defaults"]["unit"], "ns",
                "{place}: axis unit"
            );
        }
    }
}

/// Grafana shows an exemplar's internal data link ("Query with Tempo") only to users who may
/// use Explore; an anonymous Viewer may not unless viewers can edit.
#[test]
fn anonymous_users_can_follow_exemplar_links_to_traces() {
    let compose = deploy::yaml("compose.yaml");
    let env = &compose["services"]["grafana"]["environment"];
    let text = |key: &str| env[key].as_str().unwrap_or_default().to_owned();
    assert_eq!(text("GF_AUTH_ANONYMOUS_ENABLED"), "true");
    let role = text("GF_AUTH_ANONYMOUS_ORG_ROLE");
    let explore =
        role == "Editor" || role == "Admin" || text("GF_USERS_VIEWERS_CAN_EDIT") == "true";
    assert!(
        explore,
        "anonymous role {role:?} has no Explore access: exemplar links are dropped"
    );
}
