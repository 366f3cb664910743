//! `tracer_provider.sampler`, into `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`.
//!
//! | sampler | `OTEL_TRACES_SAMPLER` |
//! | --- | --- |
//! | `always_on`, `always_off` | `always_on`, `always_off` |
//! | `trace_id_ratio_based: {ratio: r}` | `traceidratio`, `OTEL_TRACES_SAMPLER_ARG=r` |
//! | `parent_based: {root: always_on / always_off / trace_id_ratio_based}` | `parentbased_always_on` / `parentbased_always_off` / `parentbased_traceidratio` |
//!
//! The Rust SDK's parent-based sampler takes a root sampler only; its decisions for a parent
//! are fixed to the schema's defaults (follow a sampled parent, drop an unsampled one). A
//! `parent_based` whose `remote_parent_sampled`, `remote_parent_not_sampled`,
//! `local_parent_sampled` or `local_parent_not_sampled` is anything else is refused by name;
//! written as its default it is accepted. A sampler left out is the schema's default,
//! `parent_based` with an `always_on` root: the variable's default too, so it is not set.

use super::walk::{Keys, Walk};
use super::yaml::{Entry, Node};
use crate::otlp::config::env::{OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG};

const SAMPLER: Keys<'static> = Keys {
    known: &[
        "always_on",
        "always_off",
        "trace_id_ratio_based",
        "parent_based",
    ],
    refused: &[
        (
            "composite/development",
            "walrec uses the SDK's built-in samplers only",
        ),
        ("jaeger_remote/development", "walrec has no remote sampler"),
        (
            "probability/development",
            "walrec uses the SDK's built-in samplers only; use trace_id_ratio_based",
        ),
    ],
};
const RATIO: Keys<'static> = Keys {
    known: &["ratio"],
    refused: &[],
};
const PARENT_BASED: Keys<'static> = Keys {
    known: &[
        "root",
        "remote_parent_sampled",
        "remote_parent_not_sampled",
        "local_parent_sampled",
        "local_parent_not_sampled",
    ],
    refused: &[],
};
const NO_SETTINGS: Keys<'static> = Keys {
    known: &[],
    refused: &[],
};

/// The ratio of a ratio sampler, with the key that gave it.
struct Arg {
    ratio: f64,
    path: String,
    line: usize,
}

/// A sampler that is not parent-based.
enum Simple {
    On,
    Off,
    /// `None`: the ratio is left out (the schema's and the variable's default, 1).
    Ratio(Option<Arg>),
}

/// Sets the sampler variables from the sampler at `path`.
pub(super) fn sampler(w: &mut Walk<'_>, node: &Node, path: &str) {
    let Some((entry, path)) = w.one_of(node, path, &SAMPLER) else {
        return;
    };
    let parent_based = entry.key == "parent_based";
    let chosen = if parent_based {
        parent(w, &entry.node, &path)
    } else {
        simple(w, entry, &path)
    };
    let Some(chosen) = chosen else { return };
    let (name, arg) = match (parent_based, chosen) {
        (false, Simple::On) => ("always_on", None),
        (false, Simple::Off) => ("always_off", None),
        (false, Simple::Ratio(arg)) => ("traceidratio", arg),
        (true, Simple::On) => ("parentbased_always_on", None),
        (true, Simple::Off) => ("parentbased_always_off", None),
        (true, Simple::Ratio(arg)) => ("parentbased_traceidratio", arg),
    };
    w.set(OTEL_TRACES_SAMPLER, name, &path, entry.line);
    if let Some(arg) = arg {
        w.set(
            OTEL_TRACES_SAMPLER_ARG,
            arg.ratio.to_string(),
            &arg.path,
            arg.line,
        );
    }
}

/// `always_on`, `always_off` or `trace_id_ratio_based` (the entry naming it, at `path`).
fn simple(w: &mut Walk<'_>, entry: &Entry, path: &str) -> Option<Simple> {
    match entry.key.as_str() {
        "always_on" | "always_off" => {
            w.mapping(&entry.node, path, &NO_SETTINGS, true)?;
            Some(if entry.key == "always_on" {
                Simple::On
            } else {
                Simple::Off
            })
        }
        "trace_id_ratio_based" => {
            let fields = w.mapping(&entry.node, path, &RATIO, true)?;
            let Some(node) = fields.get("ratio") else {
                return Some(Simple::Ratio(None));
            };
            let path = fields.path("ratio");
            let ratio = w.ratio(node, &path);
            let arg = ratio.map(|ratio| Arg {
                ratio,
                path,
                line: node.line,
            });
            Some(Simple::Ratio(arg))
        }
        _ => {
            let message = "a parent_based sampler cannot be nested in another; \
                           use always_on, always_off or trace_id_ratio_based here";
            w.problem(path, entry.line, message);
            None
        }
    }
}

/// A `parent_based` sampler's root; its other samplers must be their defaults.
fn parent(w: &mut Walk<'_>, node: &Node, path: &str) -> Option<Simple> {
    let fields = w.mapping(node, path, &PARENT_BASED, true)?;
    let root = match fields.get("root") {
        Some(node) => nested(w, node, &fields.path("root")),
        None => Some(Simple::On),
    };
    let fixed = [
        ("remote_parent_sampled", true),
        ("remote_parent_not_sampled", false),
        ("local_parent_sampled", true),
        ("local_parent_not_sampled", false),
    ];
    for (key, sampled) in fixed {
        let Some(node) = fields.get(key) else {
            continue;
        };
        let path = fields.path(key);
        let is_default = match nested(w, node, &path) {
            Some(Simple::On) => sampled,
            Some(Simple::Off) => !sampled,
            Some(Simple::Ratio(_)) => false,
            None => continue,
        };
        if !is_default {
            let default = if sampled { "always_on" } else { "always_off" };
            let message = format!(
                "not supported by walrec: the Rust SDK's parent-based sampler takes a root \
                 only, so {key} must be {default} (its default)"
            );
            w.problem(&path, node.line, message);
        }
    }
    root
}

/// A sampler inside `parent_based`.
fn nested(w: &mut Walk<'_>, node: &Node, path: &str) -> Option<Simple> {
    let (entry, path) = w.one_of(node, path, &SAMPLER)?;
    simple(w, entry, &path)
}
