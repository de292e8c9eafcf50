//! Where schemas live in an OpenAPI 3.0 document.
//!
//! Collects the JSON pointer of every schema object (top-level and nested),
//! parent before children, without following `$ref`s.

use serde_json::Value;

use crate::pointer::join;
use crate::resolve::Resolver;

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

/// True when `obj` has one of `keywords`. A schema has a few keys: comparing
/// them is cheaper than looking up (hashing) each keyword, most of which are
/// absent, so the rules for rare keywords ask this first.
pub(crate) fn has_any(obj: &serde_json::Map<String, Value>, keywords: &[&str]) -> bool {
    obj.keys().any(|k| keywords.contains(&k.as_str()))
}

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
    let has = |keywords: &[&str]| has_any(obj, keywords);
    if has(&SCHEMA_MAPS) {
        for kw in SCHEMA_MAPS {
            for (k, sub) in entries(obj.get(kw)) {
                schema(sub, &join(&join(ptr, kw), k), out);
            }
        }
    }
    if has(&SCHEMA_LISTS) {
        for kw in SCHEMA_LISTS {
            for (i, sub) in array(obj.get(kw)) {
                schema(sub, &format!("{}/{i}", join(ptr, kw)), out);
            }
        }
    }
    if has(&SCHEMA_SINGLES) {
        for kw in SCHEMA_SINGLES {
            if let Some(sub) = obj.get(kw).filter(|sub| sub.is_object()) {
                schema(sub, &join(ptr, kw), out);
            }
        }
    }
}

/// One operation of the document, with its parameters merged and resolved.
#[derive(Debug, Clone)]
pub struct OperationItem<'a> {
    /// The path template (the key under `paths`).
    pub path: &'a str,
    /// The method, lower case (the key under the path item).
    pub method: &'static str,
    /// Pointer of the operation.
    pub pointer: String,
    /// The operation mapping.
    pub value: &'a Value,
    /// The parameters that apply: the path item's, then the operation's;
    /// an operation parameter with the same `name` and `in` as a path-level
    /// one replaces it in place. Each is resolved through every `$ref`
    /// ([`Resolver`]); one whose refs do not resolve is kept as written.
    pub parameters: Vec<ParamItem<'a>>,
    /// Pointer of every entry of both `parameters` lists, in order,
    /// including path-level ones the operation replaces.
    pub sites: Vec<String>,
}

/// One parameter of an [`OperationItem`].
#[derive(Debug, Clone)]
pub struct ParamItem<'a> {
    /// Pointer of the parameter object after its `$ref`s.
    pub pointer: String,
    /// The parameter object.
    pub value: &'a Value,
    /// `name` (empty when missing).
    pub name: &'a str,
    /// `in` (empty when missing).
    pub location: &'a str,
}

/// The one iterator over operations: every operation of the document in
/// document order (paths, then [`METHODS`] order), with its merged and
/// resolved parameters. Path items and operations that are not mappings,
/// and `parameters` that are not lists, are skipped (the checker reports them).
///
/// Parameters are resolved to any depth: a parameter reached through a ref
/// to a ref is the parameter (it was once read one hop deep, so a query
/// parameter was silently dropped and a path parameter reported undeclared).
pub fn operations(doc: &Value) -> impl Iterator<Item = OperationItem<'_>> {
    let refs = Resolver::new(doc);
    entries(doc.get("paths")).flat_map(move |(path, item)| {
        let item_ptr = join("/paths", path);
        METHODS.into_iter().filter_map(move |method| {
            let value = item.get(method).filter(|op| op.is_object())?;
            let pointer = join(&item_ptr, method);
            let mut parameters: Vec<ParamItem<'_>> = Vec::new();
            let mut sites = Vec::new();
            for (base, holder) in [(&item_ptr, item), (&pointer, value)] {
                for (i, p) in array(holder.get("parameters")) {
                    let site = format!("{base}/parameters/{i}");
                    let (pointer, value) = match refs.follow_node(p, &site) {
                        Ok(t) => (t.pointer, t.value),
                        Err(_) => (site.clone(), p),
                    };
                    let text = |k: &str| value.get(k).and_then(Value::as_str).unwrap_or_default();
                    let param = ParamItem { pointer, value, name: text("name"), location: text("in") };
                    match parameters.iter_mut().find(|q| (q.name, q.location) == (param.name, param.location)) {
                        Some(same) => *same = param,
                        None => parameters.push(param),
                    }
                    sites.push(site);
                }
            }
            Some(OperationItem { path, method, pointer, value, parameters, sites })
        })
    })
}
