//! Scaled copies of the Losant spec for the generation benchmarks, shared by
//! `benches/generate.rs` and `examples/gen_mem.rs` (included with `#[path]`).
//!
//! `scale(doc, n)` keeps the original and adds copies `1..n`, so the result
//! holds `n` times the paths and component schemas: every path is copied as
//! `/copyK<path>`, every component schema as `<name>CopyK`, and inside each
//! copy the `$ref`s, `operationId`s (`instanceOrgs.get` ->
//! `instanceOrgsCopyK.get`) and `x-rust-name`s are renamed to match. The
//! overlay is applied first (its targets name the original schemas).

#![allow(dead_code)] // each includer uses part of this

use std::path::PathBuf;

use openapi_clientgen::internals::{overlay, Diagnostics, SourceFile, SourceMap};
use serde_json::{Map, Value};

/// The repository root (the parent of `generator/`).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("generator/ has a parent").to_path_buf()
}

/// `spec/losant-instance-api-openapi.yml`.
pub fn spec_path() -> PathBuf {
    repo_root().join("spec/losant-instance-api-openapi.yml")
}

/// `spec/overlay.yml`.
pub fn overlay_path() -> PathBuf {
    repo_root().join("spec/overlay.yml")
}

/// The spec and overlay texts.
pub fn texts() -> (String, String) {
    let read = |p: PathBuf| std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
    (read(spec_path()), read(overlay_path()))
}

/// The published spec with `spec/overlay.yml` applied (not yet normalized).
pub fn overlaid() -> Value {
    let (spec, ov) = texts();
    let spec = SourceFile::parse("losant-instance-api-openapi.yml", &spec).expect("the spec parses");
    let ov = SourceFile::parse("overlay.yml", &ov).expect("the overlay parses");
    let mut doc = spec.value.clone();
    let mut map = SourceMap::new(spec);
    let mut diags = Diagnostics::new();
    overlay::apply(&mut doc, ov, &mut map, &mut diags);
    assert!(!diags.has_errors(), "the overlay applies cleanly: {:?}", diags.items());
    doc
}

/// `doc` with `n - 1` renamed copies of every path and component schema added.
pub fn scale(doc: &Value, n: usize) -> Value {
    let mut out = doc.clone();
    let paths: Vec<(String, Value)> = object(doc, "paths").into_iter().collect();
    let schemas: Vec<(String, Value)> =
        doc.get("components").map(|c| object(c, "schemas")).unwrap_or_default().into_iter().collect();
    for k in 1..n {
        let out_paths = out["paths"].as_object_mut().expect("paths is an object");
        for (path, item) in &paths {
            let mut item = item.clone();
            rename_refs(&mut item, k);
            rename_operation_ids(&mut item, k);
            out_paths.insert(copy_path(path, k), item);
        }
        let out_schemas = out["components"]["schemas"].as_object_mut().expect("components.schemas is an object");
        for (name, schema) in &schemas {
            let mut schema = schema.clone();
            rename_refs(&mut schema, k);
            out_schemas.insert(copy_name(name, k), schema);
        }
    }
    out
}

/// [`scale`] of [`overlaid`], as YAML text.
pub fn scaled_yaml(n: usize) -> String {
    openapi_clientgen::to_yaml(&scale(&overlaid(), n))
}

fn object(v: &Value, key: &str) -> Map<String, Value> {
    v.get(key).and_then(Value::as_object).cloned().unwrap_or_default()
}

fn copy_path(path: &str, k: usize) -> String {
    format!("/copy{k}{path}")
}

fn copy_name(name: &str, k: usize) -> String {
    format!("{name}Copy{k}")
}

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Renames a local `$ref` into the copy: `#/components/schemas/<name>...`
/// and `#/paths/<path>...`; anything else (shared parameters, responses) is
/// left pointing at the original.
fn copy_ref(r: &str, k: usize) -> String {
    for (prefix, rename) in [("#/components/schemas/", copy_name as fn(&str, usize) -> String), ("#/paths/", copy_path)]
    {
        if let Some(rest) = r.strip_prefix(prefix) {
            return match rest.split_once('/') {
                Some((segment, tail)) => format!("{prefix}{}/{tail}", escape(&rename(&unescape(segment), k))),
                None => format!("{prefix}{}", escape(&rename(&unescape(rest), k))),
            };
        }
    }
    r.to_owned()
}

/// Renames every `$ref` and `x-rust-name` under `v`.
fn rename_refs(v: &mut Value, k: usize) {
    match v {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                match (key.as_str(), &*child) {
                    ("$ref", Value::String(r)) => *child = Value::String(copy_ref(r, k)),
                    ("x-rust-name", Value::String(n)) => *child = Value::String(copy_name(n, k)),
                    _ => rename_refs(child, k),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| rename_refs(i, k)),
        _ => {}
    }
}

/// `instanceOrgs.get` -> `instanceOrgsCopyK.get` on every operation of a path item.
fn rename_operation_ids(item: &mut Value, k: usize) {
    let Some(ops) = item.as_object_mut() else { return };
    for op in ops.values_mut() {
        if let Some(Value::String(id)) = op.get_mut("operationId") {
            *id = match id.split_once('.') {
                Some((resource, action)) => format!("{}.{action}", copy_name(resource, k)),
                None => copy_name(id, k),
            };
        }
    }
}
