//! Whole-document checks: every `$ref` resolves by its full JSON pointer,
//! no ref chain loops, the document is OpenAPI 3.0, operation ids are unique
//! path templates are declared and `x-clientgen-*` extensions are well-formed.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde_json::Value;

use crate::diag::{Code, Severity};
use crate::pointer::{self, Member};
use crate::report::Diagnostics;
use crate::resolve::{Resolver, Stopped, Unresolved};
use crate::source::SourceMap;
use crate::walk;

/// The deepest nesting of mappings and lists a document may have. The YAML
/// and JSON parsers stop at 128 levels per file, but overlays graft values
/// deeper; the recursive stages after this check stay far from overflowing
/// a 2 MiB stack up to here.
pub const MAX_DEPTH: usize = 256;

/// The pointer of the first node (in document order) with more than
/// [`MAX_DEPTH`] mappings and lists above it. Iterative: safe at any depth.
/// Only depths are tracked on the way; the pointer is written for the node
/// found (it ran on every document twice, writing a pointer for each node).
pub fn too_deep(doc: &Value) -> Option<String> {
    use pointer::Token;
    // Depth-first in document order: a node's ancestors are the last nodes
    // visited at each smaller depth, so `path` holds its pointer once cut
    // to its depth.
    let mut stack: Vec<(&Value, usize, Option<Token>)> = vec![(doc, 0, None)];
    let mut path: Vec<Token> = Vec::new();
    while let Some((v, depth, token)) = stack.pop() {
        path.truncate(depth.saturating_sub(1));
        path.extend(token);
        if depth > MAX_DEPTH {
            return Some(pointer::of_tokens(&path));
        }
        match v {
            Value::Object(m) => stack.extend(m.iter().rev().map(|(k, sub)| (sub, depth + 1, Some(Token::Key(k))))),
            Value::Array(a) => {
                stack.extend(a.iter().enumerate().rev().map(|(i, sub)| (sub, depth + 1, Some(Token::Index(i)))))
            }
            _ => {}
        }
    }
    None
}

/// Reports a document nested deeper than [`MAX_DEPTH`]; returns whether it is
/// (the later stages recurse over the document and must not run then).
pub fn nesting(doc: &Value, map: &SourceMap, diags: &mut Diagnostics) -> bool {
    let Some(ptr) = too_deep(doc) else { return false };
    diags.at(
        map,
        Severity::Error,
        Code::NestingTooDeep,
        &ptr,
        format!("the document nests mappings and lists more than {MAX_DEPTH} levels deep here"),
        "flatten it: move nested schemas into `components/schemas` and refer to them with `$ref`",
    );
    true
}

/// Document-level checks on the normalized document.
pub fn check(doc: &Value, map: &SourceMap, diags: &mut Diagnostics) {
    version(doc, map, diags);
    structure(doc, map, diags);
    operations(doc, map, diags);
    crate::extensions::check(doc, map, diags);
    crate::security::check(doc, map, diags);
    crate::media::check(doc, map, diags);
}

/// Path items and operations must be mappings; parameters lists; responses present.
fn structure(doc: &Value, map: &SourceMap, diags: &mut Diagnostics) {
    let Some(paths) = doc.member("paths").and_then(Value::as_object) else { return };
    for (path, item) in paths {
        let ip = crate::pointer::join("/paths", path);
        let Some(item) = item.as_object() else {
            diags.at(
                map,
                Severity::Error,
                Code::InvalidType,
                &ip,
                format!("path item `{path}` must be a mapping"),
                "write `get:`/`post:`… operations under the path",
            );
            continue;
        };
        if !path.starts_with('/') {
            diags.at(
                map,
                Severity::Error,
                Code::InvalidType,
                &ip,
                format!("path `{path}` must start with `/`"),
                "write the path as `/resource/{id}`",
            );
        }
        if let Some(ps) = item.member("parameters") {
            if !ps.is_array() {
                diags.at(
                    map,
                    Severity::Error,
                    Code::InvalidType,
                    &format!("{ip}/parameters"),
                    "`parameters` must be a list".to_string(),
                    "write a list of parameter objects",
                );
            }
        }
        for m in walk::METHODS {
            let Some(op) = item.member(m) else { continue };
            let op_ptr = crate::pointer::join(&ip, m);
            let Some(op) = op.as_object() else {
                diags.at(
                    map,
                    Severity::Error,
                    Code::InvalidType,
                    &op_ptr,
                    format!("operation `{} {path}` must be a mapping", m.to_uppercase()),
                    "write the operation's fields (responses, parameters, …)",
                );
                continue;
            };
            if let Some(ps) = op.member("parameters") {
                if !ps.is_array() {
                    diags.at(
                        map,
                        Severity::Error,
                        Code::InvalidType,
                        &format!("{op_ptr}/parameters"),
                        "`parameters` must be a list".to_string(),
                        "write a list of parameter objects",
                    );
                }
            }
            match op.member("responses") {
                Some(Value::Object(r)) if r.keys().any(|code| code.starts_with('2')) => {}
                Some(Value::Object(r)) => diags.at(
                    map,
                    Severity::Warning,
                    Code::NoSuccessResponse,
                    &format!("{op_ptr}/responses"),
                    format!(
                        "operation `{} {path}` declares no success (2xx) response{}; its method returns the raw response (status, headers, bytes)",
                        m.to_uppercase(),
                        if r.is_empty() { " (`responses: {}`)" } else { "" }
                    ),
                    "declare the success response, e.g. `'200': {description: OK, content: …}` (an overlay can add it)",
                ),
                None => diags.at(
                    map,
                    Severity::Error,
                    Code::MissingField,
                    &op_ptr,
                    format!("operation `{} {path}` has no responses", m.to_uppercase()),
                    "add at least one response, e.g. `'200': {description: OK}`",
                ),
                Some(_) => diags.at(
                    map,
                    Severity::Error,
                    Code::InvalidType,
                    &format!("{op_ptr}/responses"),
                    "`responses` must be a mapping of status codes".to_string(),
                    "write `'200': {description: OK}`",
                ),
            }
        }
    }
}

fn version(doc: &Value, map: &SourceMap, diags: &mut Diagnostics) {
    let Some(obj) = doc.as_object() else {
        diags.at(
            map,
            Severity::Error,
            Code::MissingField,
            "",
            "the document is not a mapping".to_string(),
            "an OpenAPI document starts with `openapi: 3.0.3`",
        );
        return;
    };
    match obj.member("openapi") {
        Some(Value::String(v)) if v.starts_with("3.0.") => {}
        Some(v) => diags.at(
            map,
            Severity::Error,
            Code::UnsupportedVersion,
            "/openapi",
            format!("`openapi: {v}` is not supported; this generator reads OpenAPI 3.0.x and 3.1.x"),
            "convert the document to OpenAPI 3.1 or 3.0.3",
        ),
        None if obj.contains_key("swagger") => diags.at(
            map,
            Severity::Error,
            Code::UnsupportedVersion,
            "/swagger",
            "Swagger 2.0 documents are not supported".to_string(),
            "convert the document to OpenAPI 3.0.3 (e.g. with swagger2openapi)",
        ),
        None => diags.at(
            map,
            Severity::Error,
            Code::MissingField,
            "",
            "missing `openapi` version field".to_string(),
            "add `openapi: 3.0.3`",
        ),
    }
    for field in ["info", "paths"] {
        if !obj.get(field).is_some_and(Value::is_object) {
            diags.at(
                map,
                Severity::Error,
                Code::MissingField,
                "",
                format!("missing `{field}` object"),
                format!("add a `{field}:` mapping"),
            );
        }
    }
}

/// Every `$ref` in the document with its pointer, skipping example values.
pub fn collect_refs(doc: &Value) -> Vec<(String, String)> {
    use pointer::Token;
    // The path is kept as tokens and written as a pointer only for the
    // nodes that hold a `$ref`; scalars, which hold none, are not entered.
    fn go<'a>(v: &'a Value, path: &mut Vec<Token<'a>>, out: &mut Vec<(String, String)>) {
        let container = |sub: &Value| matches!(sub, Value::Object(_) | Value::Array(_));
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = pointer::member(m, "$ref") {
                    out.push((pointer::of_tokens(path.iter()), r.clone()));
                }
                for (k, sub) in m {
                    if !container(sub)
                        || matches!(k.as_str(), "example" | "examples" | "default" | "enum" | "x-examples")
                    {
                        continue;
                    }
                    path.push(Token::Key(k));
                    go(sub, path, out);
                    path.pop();
                }
            }
            Value::Array(a) => {
                for (i, sub) in a.iter().enumerate().filter(|(_, sub)| container(sub)) {
                    path.push(Token::Index(i));
                    go(sub, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    go(doc, &mut Vec::new(), &mut out);
    out
}

/// Checks every `$ref`. Runs before normalization, so pointers name the
/// places as written (normalization may drop `oneOf` branches or copy
/// `patternProperties` values).
pub fn check_refs(doc: &Value, map: &SourceMap, diags: &mut Diagnostics) {
    let resolver = Resolver::new(doc);
    // Dangling targets are grouped: one error per missing target, at its first use.
    let mut dangling: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut chains_checked = HashSet::new();
    for (at, r) in collect_refs(doc) {
        let ref_ptr = format!("{at}/$ref");
        match resolver.lookup(&r) {
            Err(Unresolved::External(_)) => diags.at(
                map,
                Severity::Error,
                Code::ExternalRef,
                &ref_ptr,
                format!("`$ref: {r}` points outside this document"),
                "bundle the referenced document into this one (external refs are not supported)",
            ),
            Err(Unresolved::Invalid(_, why)) => diags.at(
                map,
                Severity::Error,
                Code::InvalidPointer,
                &ref_ptr,
                format!("`$ref: {r}` is not a valid JSON pointer: {why}"),
                "write `#/components/schemas/Name`; escape `~` as `~0` and `/` as `~1`",
            ),
            Err(_) => dangling.entry(r.clone()).or_default().push(ref_ptr),
            // The chain from here loops: reported once per `$ref` value, at its first use.
            // Later links that fail are reported at their own `$ref`.
            Ok(_) if chains_checked.insert(r.clone()) => {
                if let Err(Stopped { why: Unresolved::Cycle(chain), .. }) = resolver.follow(&at) {
                    let chain: Vec<&str> = chain.iter().map(String::as_str).collect();
                    diags.at(
                        map,
                        Severity::Error,
                        Code::RefCycle,
                        &ref_ptr,
                        format!("`$ref: {r}` never reaches a schema: the refs {chain:?} only point at each other"),
                        "make one of them a real schema",
                    );
                }
            }
            Ok(_) => {}
        }
    }
    for (target, uses) in dangling {
        let first = &uses[0];
        let more =
            if uses.len() > 1 { format!(" (used {} times; this is the first use)", uses.len()) } else { String::new() };
        let missing = deepest_existing(doc, &target);
        diags.at(
            map,
            Severity::Error,
            Code::DanglingRef,
            first,
            format!("`$ref: {target}` points at nothing{more}"),
            format!("define the target (an overlay can add it) or point the ref at an existing schema; {missing}"),
        );
    }
}

/// Says which prefix of a dangling pointer exists, to help the fix.
fn deepest_existing(doc: &Value, r: &str) -> String {
    let Ok(tokens) = pointer::parse_ref(r) else { return String::new() };
    for n in (0..tokens.len()).rev() {
        if pointer::get(doc, &tokens[..n]).is_some() {
            let p = pointer::to_pointer(&tokens[..n]);
            return format!("`#{}` exists but has no `{}`", p, tokens[n]);
        }
    }
    String::new()
}

fn operations(doc: &Value, map: &SourceMap, diags: &mut Diagnostics) {
    let mut ids: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut without = Vec::new();
    let mut count = 0;
    // Parameters shared by several operations are reported once.
    let mut reported = BTreeSet::new();
    for (path, _) in doc.member("paths").and_then(Value::as_object).into_iter().flatten() {
        if let Some((_, query)) = path.split_once('?') {
            diags.at(
                map,
                Severity::Warning,
                Code::PathHasQuery,
                &pointer::join("/paths", path),
                format!("path `{path}` carries a query (`{query}`): it is sent as written, before the operation's own query parameters"),
                "OpenAPI path keys hold no query; declare it as a query parameter (an overlay can) if it is not constant",
            );
        }
    }
    for op in walk::operations(doc) {
        count += 1;
        let (path, op_ptr) = (op.path, &op.pointer);
        match op.value.member("operationId").and_then(Value::as_str) {
            Some(id) => ids.entry(id.to_string()).or_default().push(op_ptr.clone()),
            None => without.push(op_ptr.clone()),
        }
        renderable_parameters(doc, &op.parameters, &mut reported, map, diags);
        // Every {param} in the template needs a path parameter (operation or path level).
        let declared: BTreeSet<&str> = op.parameters.iter().filter(|p| p.location == "path").map(|p| p.name).collect();
        for name in template_params(path) {
            if !declared.contains(name.as_str()) {
                diags.at(
                    map,
                    Severity::Error,
                    Code::UndeclaredPathParam,
                    op_ptr,
                    format!("path `{path}` uses `{{{name}}}` but the operation declares no path parameter `{name}`"),
                    "add a parameter with `in: path`, `required: true` and a schema",
                );
            }
        }
    }
    if !without.is_empty() {
        diags.at(
            map,
            Severity::Warning,
            Code::MissingOperationId,
            "/paths",
            format!(
                "{} of {} operations have no operationId; method names are derived from method and path",
                without.len(),
                count
            ),
            "give every operation an `operationId` (an overlay can add them) so names stay stable when paths change",
        );
    }
    for (id, uses) in ids {
        if uses.len() > 1 {
            for u in &uses[1..] {
                diags.at(
                    map,
                    Severity::Error,
                    Code::DuplicateOperationId,
                    &format!("{u}/operationId"),
                    format!("operationId `{id}` is also used at #{}", uses[0]),
                    "operationIds must be unique",
                );
            }
        }
    }
}

/// Warns about path and header parameters whose schema is an object (or an
/// array of, or a union with, objects): `style: simple` gives them no text
/// form, so the client sends them as JSON.
fn renderable_parameters(
    doc: &Value,
    params: &[walk::ParamItem<'_>],
    reported: &mut BTreeSet<String>,
    map: &SourceMap,
    diags: &mut Diagnostics,
) {
    let resolver = Resolver::new(doc);
    for p in params.iter().filter(|p| matches!(p.location, "path" | "header")) {
        if !reported.insert(p.pointer.clone()) {
            continue;
        }
        let Some(schema) = p.value.member("schema") else { continue };
        let at = format!("{}/schema", p.pointer);
        if let Some(object) = object_within(&resolver, schema, &at, 8) {
            diags.at(
                map,
                Severity::Warning,
                Code::ParameterNotRenderable,
                &object,
                format!(
                    "{} parameter `{}` is or contains this object, which has no text form there (`style: simple`); the client sends it as JSON",
                    p.location, p.name
                ),
                "make the parameter a string, number, enum or array of those, or declare it with `content: {application/json: …}`",
            );
        }
    }
}

/// The pointer of an object schema at or inside `schema` (through refs, array
/// items and `oneOf`/`anyOf`/`allOf` branches), if any.
fn object_within(resolver: &Resolver<'_>, schema: &Value, ptr: &str, depth: usize) -> Option<String> {
    let target = resolver.follow_node(schema, ptr).ok()?;
    let (s, ptr) = (target.value, target.pointer);
    let is_object = s.member("type").and_then(Value::as_str) == Some("object")
        || (s.member("type").is_none()
            && (s.member("properties").is_some() || s.member("additionalProperties").is_some()));
    if is_object {
        return Some(ptr);
    }
    if depth == 0 {
        return None;
    }
    if let Some(items) = s.member("items") {
        if let Some(found) = object_within(resolver, items, &format!("{ptr}/items"), depth - 1) {
            return Some(found);
        }
    }
    walk::SCHEMA_LISTS.iter().find_map(|kw| {
        let branches = s.get(*kw).and_then(Value::as_array)?;
        branches.iter().enumerate().find_map(|(i, b)| object_within(resolver, b, &format!("{ptr}/{kw}/{i}"), depth - 1))
    })
}

/// `{name}`s in a path template.
pub fn template_params(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(i) = rest.find('{') {
        let Some(j) = rest[i..].find('}') else { break };
        out.push(rest[i + 1..i + j].to_string());
        rest = &rest[i + j + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn collect_refs_finds_every_ref_with_its_pointer_and_skips_example_values() {
        let doc = json!({
            "$ref": "#/root",
            "paths": {"/a/{id}": {"get": {"parameters": [{"$ref": "#/p"}, 7, {"schema": {"$ref": "#/s"}}]}}},
            "c": {"x~y": [[{"$ref": "#/deep"}]], "n": {"$ref": 5}, "example": {"$ref": "#/no"}},
            "d": {"default": {"$ref": "#/no"}, "enum": [{"$ref": "#/no"}], "examples": {"e": {"$ref": "#/no"}}},
        });
        let found = collect_refs(&doc);
        let expected = [
            ("", "#/root"),
            ("/paths/~1a~1{id}/get/parameters/0", "#/p"),
            ("/paths/~1a~1{id}/get/parameters/2/schema", "#/s"),
            ("/c/x~0y/0/0", "#/deep"),
        ];
        let mut sorted = found.clone();
        sorted.sort();
        let mut want: Vec<(String, String)> = expected.iter().map(|(p, r)| (p.to_string(), r.to_string())).collect();
        want.sort();
        assert_eq!(sorted, want);
        for (at, _) in &found {
            assert!(pointer::get_ptr(&doc, at).is_some_and(|n| n.member("$ref").is_some()), "{at} names the node");
        }
    }
}
