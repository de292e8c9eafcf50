//! Where schemas live in an OpenAPI 3.0 document.
//!
//! Collects the JSON pointer of every schema object (top-level and nested),
//! parent before children, without following `$ref`s.

use serde_json::Value;

use crate::pointer::{join, push_index, push_token, Member};
use crate::resolve::Resolver;

/// HTTP methods an OpenAPI path item may hold, in output order.
pub const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Every schema pointer in the document, in pre-order.
pub fn schema_pointers(doc: &Value) -> Vec<String> {
    schemas(doc).into_iter().map(|(ptr, _)| ptr).collect()
}

/// Every schema in the document with its pointer, in pre-order (what
/// [`schema_pointers`] lists, with the nodes: a stage that reads them need
/// not look each pointer up again from the root).
pub fn schemas(doc: &Value) -> Vec<(String, &Value)> {
    let mut w = Collect { ptr: String::new(), out: Vec::new() };
    if let Some(c) = doc.member("components") {
        w.at("components", |w| {
            w.at("schemas", |w| entries(c.member("schemas")).for_each(|(k, s)| w.at(k, |w| w.schema(s))));
            w.at("parameters", |w| entries(c.member("parameters")).for_each(|(k, p)| w.at(k, |w| w.parameter(p))));
            w.at("headers", |w| entries(c.member("headers")).for_each(|(k, h)| w.at(k, |w| w.parameter(h))));
            w.at("requestBodies", |w| entries(c.member("requestBodies")).for_each(|(k, b)| w.at(k, |w| w.content(b))));
            w.at("responses", |w| entries(c.member("responses")).for_each(|(k, r)| w.at(k, |w| w.response(r))));
        });
    }
    w.at("paths", |w| {
        for (path, item) in entries(doc.member("paths")) {
            w.at(path, |w| {
                w.parameters(item);
                for m in METHODS {
                    let Some(op) = item.member(m) else { continue };
                    w.at(m, |w| {
                        w.parameters(op);
                        if let Some(b) = op.member("requestBody") {
                            w.at("requestBody", |w| w.content(b));
                        }
                        w.at("responses", |w| {
                            entries(op.member("responses")).for_each(|(code, r)| w.at(code, |w| w.response(r)))
                        });
                    });
                }
            });
        }
    });
    w.out
}

/// The walk of [`schemas`]: the pointer of the node being visited, grown
/// and cut as the walk goes down and back up, and the schemas found.
struct Collect<'a> {
    ptr: String,
    out: Vec<(String, &'a Value)>,
}

impl<'a> Collect<'a> {
    /// Runs `f` on the child `token` of the current node.
    fn at(&mut self, token: &str, f: impl FnOnce(&mut Self)) {
        let len = self.ptr.len();
        push_token(&mut self.ptr, token);
        f(self);
        self.ptr.truncate(len);
    }

    /// Runs `f` on item `i` of the current list.
    fn at_index(&mut self, i: usize, f: impl FnOnce(&mut Self)) {
        let len = self.ptr.len();
        push_index(&mut self.ptr, i);
        f(self);
        self.ptr.truncate(len);
    }

    /// The `parameters` list of a path item or an operation.
    fn parameters(&mut self, holder: &'a Value) {
        self.at("parameters", |w| {
            array(holder.member("parameters")).for_each(|(i, p)| w.at_index(i, |w| w.parameter(p)))
        });
    }

    fn parameter(&mut self, p: &'a Value) {
        if let Some(s) = p.member("schema") {
            self.at("schema", |w| w.schema(s));
        }
        self.content(p);
    }

    fn content(&mut self, holder: &'a Value) {
        self.at("content", |w| {
            for (mt, m) in entries(holder.member("content")) {
                if let Some(s) = m.member("schema") {
                    w.at(mt, |w| w.at("schema", |w| w.schema(s)));
                }
            }
        });
    }

    fn response(&mut self, r: &'a Value) {
        self.content(r);
        self.at("headers", |w| entries(r.member("headers")).for_each(|(h, hv)| w.at(h, |w| w.parameter(hv))));
    }

    fn schema(&mut self, s: &'a Value) {
        let Some(obj) = s.as_object() else {
            if !s.is_boolean() {
                self.out.push((self.ptr.clone(), s));
            }
            return;
        };
        self.out.push((self.ptr.clone(), s));
        if obj.member("$ref").is_some() {
            return;
        }
        let has = |keywords: &[&str]| has_any(obj, keywords);
        if has(&SCHEMA_MAPS) {
            for kw in SCHEMA_MAPS {
                self.at(kw, |w| entries(obj.member(kw)).for_each(|(k, sub)| w.at(k, |w| w.schema(sub))));
            }
        }
        if has(&SCHEMA_LISTS) {
            for kw in SCHEMA_LISTS {
                self.at(kw, |w| array(obj.member(kw)).for_each(|(i, sub)| w.at_index(i, |w| w.schema(sub))));
            }
        }
        if has(&SCHEMA_SINGLES) {
            for kw in SCHEMA_SINGLES {
                if let Some(sub) = obj.member(kw).filter(|sub| sub.is_object()) {
                    self.at(kw, |w| w.schema(sub));
                }
            }
        }
    }
}

fn entries(v: Option<&Value>) -> impl Iterator<Item = (&String, &Value)> {
    v.and_then(Value::as_object).into_iter().flat_map(|m| m.iter())
}

fn array(v: Option<&Value>) -> impl Iterator<Item = (usize, &Value)> {
    v.and_then(Value::as_array).into_iter().flat_map(|a| a.iter().enumerate())
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
/// document order (paths, then `METHODS` order), with its merged and
/// resolved parameters. Path items and operations that are not mappings,
/// and `parameters` that are not lists, are skipped (the checker reports them).
///
/// Parameters are resolved to any depth: a parameter reached through a ref
/// to a ref is the parameter (it was once read one hop deep, so a query
/// parameter was silently dropped and a path parameter reported undeclared).
pub fn operations(doc: &Value) -> impl Iterator<Item = OperationItem<'_>> {
    let refs = Resolver::new(doc);
    entries(doc.member("paths")).flat_map(move |(path, item)| {
        let item_ptr = join("/paths", path);
        METHODS.into_iter().filter_map(move |method| {
            let value = item.member(method).filter(|op| op.is_object())?;
            let pointer = join(&item_ptr, method);
            let mut parameters: Vec<ParamItem<'_>> = Vec::new();
            let mut sites = Vec::new();
            for (base, holder) in [(&item_ptr, item), (&pointer, value)] {
                for (i, p) in array(holder.member("parameters")) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every place a schema lives, in pre-order, each node the one its
    /// pointer names; booleans are no schemas, other non-objects are listed
    /// (for the checker), and nothing under a `$ref` is.
    #[test]
    fn schemas_are_listed_in_pre_order_with_the_nodes_their_pointers_name() {
        let doc = json!({
            "components": {
                "schemas": {
                    "a/b": {"properties": {"x~y": {"type": "string"}, "r": {"$ref": "#/c", "items": {}}},
                            "oneOf": [{"type": "integer"}, true, 3], "items": {"not": {}}, "additionalProperties": false},
                },
                "parameters": {"p": {"schema": {"type": "string"}, "content": {"text/plain": {"schema": {}}}}},
                "headers": {"h": {"schema": {}}},
                "requestBodies": {"b": {"content": {"application/json": {"schema": {"x-pattern-properties": {"^a": {}}}}}}},
                "responses": {"r": {"content": {"a/b": {"schema": {}}}, "headers": {"X": {"schema": {}}}}},
            },
            "paths": {"/p/{id}": {
                "parameters": [{"schema": {}}],
                "get": {"parameters": [{"$ref": "#/x"}, {"schema": {}}],
                        "requestBody": {"content": {"*/*": {"schema": {}}}},
                        "responses": {"200": {"content": {"application/json": {"schema": {"patternProperties": {"k": {}}}}}}}},
            }},
        });
        let found = schemas(&doc);
        let pointers: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/components/schemas/a~1b",
                "/components/schemas/a~1b/properties/x~0y",
                "/components/schemas/a~1b/properties/r",
                "/components/schemas/a~1b/oneOf/0",
                "/components/schemas/a~1b/oneOf/2",
                "/components/schemas/a~1b/items",
                "/components/schemas/a~1b/items/not",
                "/components/parameters/p/schema",
                "/components/parameters/p/content/text~1plain/schema",
                "/components/headers/h/schema",
                "/components/requestBodies/b/content/application~1json/schema",
                "/components/requestBodies/b/content/application~1json/schema/x-pattern-properties/^a",
                "/components/responses/r/content/a~1b/schema",
                "/components/responses/r/headers/X/schema",
                "/paths/~1p~1{id}/parameters/0/schema",
                "/paths/~1p~1{id}/get/parameters/1/schema",
                "/paths/~1p~1{id}/get/requestBody/content/*~1*/schema",
                "/paths/~1p~1{id}/get/responses/200/content/application~1json/schema",
                "/paths/~1p~1{id}/get/responses/200/content/application~1json/schema/patternProperties/k",
            ]
        );
        for (ptr, node) in &found {
            assert!(crate::pointer::get_ptr(&doc, ptr).is_some_and(|n| std::ptr::eq(n, *node)), "{ptr}");
        }
        assert_eq!(schema_pointers(&doc), pointers);
    }
}
