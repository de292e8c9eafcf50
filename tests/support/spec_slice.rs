//! Slicing a spec: a self-contained piece of a document with the operations
//! picked, for tests that want a few operations of a large real spec (the
//! fuzzer's Losant slices, the OpenAI wire tests).

#![allow(dead_code)]

use std::collections::BTreeMap;

use openapi_clientgen::internals::{check, pointer};
use serde_json::{json, Map, Value};

/// A self-contained piece of `doc`: the picked operations `(path, method)`
/// (with their path's parameters), every component they reach through
/// `$ref`s, and the security schemes (operations name them without a `$ref`).
pub fn slice(doc: &Value, picks: &[(String, String)]) -> Value {
    let mut out = Map::new();
    for k in ["openapi", "info", "jsonSchemaDialect", "servers", "security"] {
        if let Some(v) = doc.get(k) {
            out.insert(k.into(), v.clone());
        }
    }
    let mut paths = Map::new();
    for (path, method) in picks {
        let item = &doc["paths"][path];
        let entry = paths.entry(path.clone()).or_insert_with(|| json!({}));
        entry[method] = item[method].clone();
        if let Some(ps) = item.get("parameters") {
            entry["parameters"] = ps.clone();
        }
    }
    let mut components: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    if let Some(Value::Object(schemes)) = doc.pointer("/components/securitySchemes") {
        components.insert("securitySchemes".into(), schemes.clone());
    }
    let mut todo = vec![Value::Object(paths.clone())];
    while let Some(v) = todo.pop() {
        for (_, r) in check::collect_refs(&v) {
            let Ok(tokens) = pointer::parse_ref(&r) else { continue };
            if tokens.len() < 3 || tokens[0] != "components" {
                continue;
            }
            let section = components.entry(tokens[1].clone()).or_default();
            if section.contains_key(&tokens[2]) {
                continue;
            }
            if let Some(target) = doc.pointer(&pointer::to_pointer(&tokens[..3])) {
                section.insert(tokens[2].clone(), target.clone());
                todo.push(target.clone());
            }
        }
    }
    out.insert("paths".into(), Value::Object(paths));
    let comps: Map<String, Value> = components.into_iter().map(|(k, m)| (k, Value::Object(m))).collect();
    if !comps.is_empty() {
        out.insert("components".into(), Value::Object(comps));
    }
    Value::Object(out)
}
