//! Where schemas live in an OpenAPI 3.0 document.
//!
//! Collects the JSON pointer of every schema object (top-level and nested),
//! parent before children, without following `$ref`s.

use serde_json::Value;

use crate::pointer::join;

/// HTTP methods an OpenAPI path item may hold, in output order.
pub const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Every schema pointer in the document, in pre-order.
pub fn schema_pointers(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let comps = "/components";
    if let Some(c) = doc.get("components") {
        for (k, s) in entries(c.get("schemas")) {
            schema(s, &join(&join(comps, "schemas"), k), &mut out);
        }
        for (k, p) in entries(c.get("parameters")) {
            parameter(p, &join(&join(comps, "parameters"), k), &mut out);
        }
        for (k, h) in entries(c.get("headers")) {
            parameter(h, &join(&join(comps, "headers"), k), &mut out);
        }
        for (k, b) in entries(c.get("requestBodies")) {
            content(b, &join(&join(comps, "requestBodies"), k), &mut out);
        }
        for (k, r) in entries(c.get("responses")) {
            response(r, &join(&join(comps, "responses"), k), &mut out);
        }
    }
    for (path, item) in entries(doc.get("paths")) {
        let ip = join("/paths", path);
        for (i, p) in array(item.get("parameters")) {
            parameter(p, &format!("{ip}/parameters/{i}"), &mut out);
        }
        for m in METHODS {
            let Some(op) = item.get(m) else { continue };
            let op_ptr = join(&ip, m);
            for (i, p) in array(op.get("parameters")) {
                parameter(p, &format!("{op_ptr}/parameters/{i}"), &mut out);
            }
            if let Some(b) = op.get("requestBody") {
                content(b, &format!("{op_ptr}/requestBody"), &mut out);
            }
            for (code, r) in entries(op.get("responses")) {
                response(r, &join(&format!("{op_ptr}/responses"), code), &mut out);
            }
        }
    }
    out
}

fn entries(v: Option<&Value>) -> impl Iterator<Item = (&String, &Value)> {
    v.and_then(Value::as_object).into_iter().flat_map(|m| m.iter())
}

fn array(v: Option<&Value>) -> impl Iterator<Item = (usize, &Value)> {
    v.and_then(Value::as_array).into_iter().flat_map(|a| a.iter().enumerate())
}

fn parameter(p: &Value, ptr: &str, out: &mut Vec<String>) {
    if let Some(s) = p.get("schema") {
        schema(s, &format!("{ptr}/schema"), out);
    }
    content(p, ptr, out);
}

fn content(holder: &Value, ptr: &str, out: &mut Vec<String>) {
    for (mt, m) in entries(holder.get("content")) {
        if let Some(s) = m.get("schema") {
            schema(s, &format!("{}/schema", join(&format!("{ptr}/content"), mt)), out);
        }
    }
}

fn response(r: &Value, ptr: &str, out: &mut Vec<String>) {
    content(r, ptr, out);
    for (h, hv) in entries(r.get("headers")) {
        parameter(hv, &join(&format!("{ptr}/headers"), h), out);
    }
}

/// Keywords whose value is a map of name -> schema.
pub const SCHEMA_MAPS: [&str; 3] = ["properties", "patternProperties", "x-pattern-properties"];
/// Keywords whose value is a list of schemas.
pub const SCHEMA_LISTS: [&str; 3] = ["allOf", "oneOf", "anyOf"];
/// Keywords whose value is one schema.
pub const SCHEMA_SINGLES: [&str; 3] = ["items", "additionalProperties", "not"];

fn schema(s: &Value, ptr: &str, out: &mut Vec<String>) {
    let Some(obj) = s.as_object() else {
        if !s.is_boolean() {
            out.push(ptr.to_string());
        }
        return;
    };
    out.push(ptr.to_string());
    if obj.contains_key("$ref") {
        return;
    }
    for kw in SCHEMA_MAPS {
        for (k, sub) in entries(obj.get(kw)) {
            schema(sub, &join(&join(ptr, kw), k), out);
        }
    }
    for kw in SCHEMA_LISTS {
        for (i, sub) in array(obj.get(kw)) {
            schema(sub, &format!("{}/{i}", join(ptr, kw)), out);
        }
    }
    for kw in SCHEMA_SINGLES {
        if let Some(sub) = obj.get(kw) {
            if sub.is_object() {
                schema(sub, &join(ptr, kw), out);
            }
        }
    }
}

/// Every operation: (path, method, pointer).
pub fn operations(doc: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (path, item) in entries(doc.get("paths")) {
        for m in METHODS {
            if item.get(m).is_some_and(Value::is_object) {
                out.push((path.clone(), m.to_string(), join(&join("/paths", path), m)));
            }
        }
    }
    out
}
