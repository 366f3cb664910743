#!/usr/bin/env python3
"""Fails when a type of a network, protocol or encoding dependency appears in walrec's public API.

Reads rustdoc's JSON output (target/doc/walrec.json, made by scripts/check-public-api.sh) and
walks the signature of every public item and every non-blanket impl walrec documents: function
arguments and results, fields, variants, trait bounds, impl targets and traits. A reference to
an item of one of the crates below would make that crate's next breaking release a breaking
release of walrec. Prints each offending public item with the foreign path it uses.
"""
import json
import sys

# Their releases must never be walrec's semver breaks. tokio is deliberately absent:
# `Agent::start_on` takes a `tokio::runtime::Handle`, tokio 1.x being the runtime a caller
# already has.
FORBIDDEN = {
    "tonic", "tonic_types", "prost", "prost_types", "reqwest", "http", "http_body", "hyper",
    "h2", "opentelemetry_proto", "rustls", "url", "csv", "memmap2", "flate2",
}
SKIPPED_KEYS = {"docs", "links", "attrs", "span", "deprecation"}


def references(node, found):
    """Every item id a resolved path in `node` points at."""
    if isinstance(node, dict):
        if "id" in node and "path" in node and isinstance(node.get("id"), int):
            found.append(node["id"])
        for key, value in node.items():
            if key not in SKIPPED_KEYS:
                references(value, found)
    elif isinstance(node, list):
        for value in node:
            references(value, found)


def is_blanket_or_synthetic(item):
    impl = item.get("inner", {}).get("impl")
    return impl is not None and (impl.get("blanket_impl") is not None or impl.get("is_synthetic"))


def main(path):
    with open(path) as f:
        doc = json.load(f)
    crates = {int(k): v["name"] for k, v in doc["external_crates"].items()}
    paths = {int(k): v for k, v in doc["paths"].items()}
    problems = []
    for item in doc["index"].values():
        if item.get("crate_id") != 0 or is_blanket_or_synthetic(item):
            continue
        found = []
        references(item.get("inner"), found)
        for ref in found:
            target = paths.get(ref)
            if target is None or target["crate_id"] == 0:
                continue
            crate = crates.get(target["crate_id"], "?")
            if crate in FORBIDDEN:
                name = item.get("name") or "(impl)"
                problems.append(f"{name}: uses {'::'.join(target['path'])}")
    for problem in sorted(set(problems)):
        print(f"public API exposes a dependency's type: {problem}", file=sys.stderr)
    if problems:
        print("make the item private, or wrap the dependency's type in a walrec type", file=sys.stderr)
        return 1
    print(f"public API check: {len(doc['index'])} items, no dependency types from {len(FORBIDDEN)} guarded crates")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "target/doc/walrec.json"))
