//! OpenAPI 3.1 input: the document and the JSON Schema 2020-12 subset real
//! specs use, rewritten into the OpenAPI 3.0 shapes the later stages read
//! (the typed `openapiv3` model, `lower`). Runs before `normalize` on a 3.1
//! document only; the result is an OpenAPI 3.0.3 document, which is also what
//! `bundle` writes for a 3.1 input (a stated down-conversion, see [`finish`]).
//!
//! Each construct is one small rule, applied silently where 3.0 says the same
//! thing, with a located diagnostic where it does not:
//!
//! | 3.1 | read as |
//! |---|---|
//! | `type: [t, 'null']` | `type: t, nullable: true` |
//! | `type: [t1, t2, …]` | `oneOf` of one branch per type, each with its type's keywords |
//! | `oneOf`/`anyOf` branch `{type: 'null'}` | removed; the parent is `nullable` |
//! | `const: v` | `enum: [v]` |
//! | `examples: [v, …]` (schema) | `example: v` |
//! | numeric `exclusiveMinimum: n` / `exclusiveMaximum: n` | `minimum`/`maximum: n` with the boolean form |
//! | `$ref` beside shape keywords (`type`, `properties`, …) | the keywords with `allOf: [{$ref}]` (annotations stay beside the `$ref`) |
//! | `$defs` | hoisted to `components/schemas`, every `$ref` into them rewritten |
//! | `prefixItems` | a list whose items are any of the tuple's item schemas (`widened` warning when the positions differ) |
//! | `contentEncoding: base64` / `contentMediaType` | `format: byte` / `format: binary` |
//! | `true` as a subschema | `{}` |
//! | `components.pathItems` | inlined where `paths` refer to them |
//! | `webhooks` | dropped, with a `webhooks` note |
//! | `jsonSchemaDialect` | dropped; a warning unless it is the 3.1 base dialect |
//! | other schema keywords (`propertyNames`, unknown ones) | kept as `x-` extensions (`widened` warning for 2020-12 checks) |
//! | `info.summary`, `info.license.identifier`, no `paths` | dropped; the SPDX URL as `license.url`; `paths: {}` |
//!
//! Draft 2019-09's `$recursiveRef` constrains nothing in 2020-12: dropped, with
//! a `widened` warning. `$dynamicRef`/`$dynamicAnchor`, `false` subschemas and type lists beside
//! `oneOf`/`anyOf` are located errors; the keywords `normalize` already
//! refuses (`if`/`then`/`else`, `unevaluatedProperties`, …) stay refused there.

use serde_json::{Map, Value};

use crate::check::collect_refs;
use crate::diag::{Code, Severity};
use crate::pointer::{self, join, Member};
use crate::report::Diagnostics;
use crate::resolve::Resolver;
use crate::source::SourceMap;
use crate::walk;

/// The dialect a 3.1 document's schemas use unless it says otherwise.
const BASE_DIALECT: &str = "https://spec.openapis.org/oas/3.1/dialect/base";
/// Keywords that describe a value without constraining its shape: they may stay beside a `$ref`.
const ANNOTATIONS: [&str; 11] = [
    "description",
    "title",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "example",
    "examples",
    "nullable",
    "externalDocs",
    "$comment",
];
/// The keywords of an OpenAPI 3.0 Schema Object, and those `normalize` reads or refuses.
const SCHEMA_30: [&str; 47] = [
    "$ref",
    "title",
    "description",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
    "required",
    "enum",
    "type",
    "allOf",
    "oneOf",
    "anyOf",
    "not",
    "items",
    "properties",
    "additionalProperties",
    "format",
    "default",
    "nullable",
    "discriminator",
    "readOnly",
    "writeOnly",
    "xml",
    "externalDocs",
    "example",
    "deprecated",
    "patternProperties",
    "if",
    "then",
    "else",
    "unevaluatedProperties",
    "unevaluatedItems",
    "dependentRequired",
    "dependentSchemas",
    "contains",
    "$dynamicAnchor",
    "$dynamicRef",
];
/// 2020-12 validation keywords a client need not enforce: ignored, with a `widened` warning.
const IGNORED_CHECKS: [&str; 3] = ["propertyNames", "minContains", "maxContains"];
/// Keywords that only apply to values of one type, for splitting type lists.
const BY_TYPE: [(&str, &[&str]); 5] = [
    ("string", &["minLength", "maxLength", "pattern", "format"]),
    ("number", &["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "format"]),
    ("integer", &["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "format"]),
    ("array", &["items", "minItems", "maxItems", "uniqueItems"]),
    (
        "object",
        &["properties", "required", "additionalProperties", "patternProperties", "minProperties", "maxProperties"],
    ),
];
const TYPES: [&str; 7] = ["string", "number", "integer", "boolean", "array", "object", "null"];

/// Whether `doc` says `openapi: 3.1.x`.
pub fn is_31(doc: &Value) -> bool {
    doc.member("openapi").and_then(Value::as_str).is_some_and(|v| v.starts_with("3.1."))
}

/// Rewrites a 3.1 document into 3.0 shapes (see the module documentation);
/// returns whether it was 3.1. `openapi` still says 3.1 afterwards, so that
/// `normalize` reads it as such; [`finish`] sets it to 3.0.3.
pub fn normalize(doc: &mut Value, map: &mut SourceMap, diags: &mut Diagnostics) -> bool {
    if !is_31(doc) || !doc.is_object() {
        return false;
    }
    dialect(doc, map, diags);
    let mut removed = webhooks(doc, map, diags);
    removed.extend(path_items(doc, map, diags));
    dangling_after_removal(doc, &removed, map, diags);
    info(doc);
    hoist_defs(doc, map);
    let mut cx = Cx { map, diags, moves: Vec::new() };
    let ptrs = walk::schema_pointers(doc);
    let mut last_root: Option<&str> = None;
    for ptr in &ptrs {
        if last_root.is_some_and(|r| pointer::is_prefix(r, ptr)) {
            continue;
        }
        last_root = Some(ptr);
        if let Some(node) = pointer::get_ptr_mut(doc, ptr) {
            schema(node, ptr, &mut cx);
        }
    }
    let moves = std::mem::take(&mut cx.moves);
    for (to, from) in moves {
        map.moved(&to, &from);
    }
    true
}

/// The document after every stage read it as 3.1: it is OpenAPI 3.0.3 now.
/// A nullable schema whose alternatives have no common type (`normalize`
/// types the others) cannot say `nullable` in 3.0.3 (it needs a `type`
/// beside it): when every alternative is inline and typed, each says it;
/// otherwise (a `$ref`, an untyped alternative) a null alternative
/// `{type: object, nullable: true, enum: [null]}` is added last, which is
/// how 3.0 writes "or null" (a single `allOf` branch becomes an `anyOf` one
/// for that). `lower` reads a trailing null alternative as `nullable` (and
/// `normalize` any null alternative, when the bundle is read back), so the
/// generated types stay the same. `nullable: false` (the default) without
/// `type` is dropped.
pub fn finish(doc: &mut Value) {
    for ptr in walk::schema_pointers(doc) {
        let Some(Value::Object(s)) = pointer::get_ptr_mut(doc, &ptr) else { continue };
        if s.contains_key("type") || s.contains_key("$ref") {
            continue;
        }
        // The default, which 3.0.3 only allows beside `type`.
        if s.member("nullable") == Some(&Value::Bool(false)) {
            s.shift_remove("nullable");
        }
        if s.member("nullable") != Some(&Value::Bool(true)) {
            continue;
        }
        let single_all_of = !s.contains_key("oneOf")
            && !s.contains_key("anyOf")
            && !s.contains_key("properties")
            && s.member("allOf").and_then(Value::as_array).is_some_and(|a| a.len() == 1);
        if single_all_of {
            if let Some(all) = s.shift_remove("allOf") {
                s.insert("anyOf".into(), all);
            }
        }
        for kw in ["oneOf", "anyOf"] {
            let Some(Value::Array(branches)) = s.get_mut(kw) else { continue };
            if branches.is_empty() {
                continue;
            }
            if branches.iter().all(|b| b.member("type").is_some() && b.member("$ref").is_none()) {
                for b in branches.iter_mut().filter_map(Value::as_object_mut) {
                    b.insert("nullable".into(), Value::Bool(true));
                }
            } else {
                branches.push(serde_json::json!({"type": "object", "nullable": true, "enum": [null]}));
            }
            s.shift_remove("nullable");
            break;
        }
    }
    if let Some(root) = doc.as_object_mut() {
        root.insert("openapi".into(), Value::String("3.0.3".into()));
    }
}

/// `jsonSchemaDialect`: 3.0 has none; another dialect than the base one is a warning.
fn dialect(doc: &mut Value, map: &SourceMap, diags: &mut Diagnostics) {
    let Some(root) = doc.as_object_mut() else { return };
    match root.member("jsonSchemaDialect") {
        Some(Value::String(d)) if d == BASE_DIALECT => {}
        Some(d) => diags.at(
            map,
            Severity::Warning,
            Code::SchemaDialect,
            "/jsonSchemaDialect",
            format!("schemas are read with OpenAPI 3.1's base dialect (JSON Schema 2020-12), not `{}`", d.as_str().map_or_else(|| d.to_string(), str::to_string)),
            format!("remove `jsonSchemaDialect` or set it to {BASE_DIALECT}, after checking the schemas use only 2020-12 keywords"),
        ),
        None => return,
    }
    root.shift_remove("jsonSchemaDialect");
}

/// `webhooks` are requests the API makes, not a client's: a note, and dropped.
fn webhooks(doc: &mut Value, map: &SourceMap, diags: &mut Diagnostics) -> Vec<String> {
    let Some(root) = doc.as_object_mut() else { return vec![] };
    let Some(hooks) = root.shift_remove("webhooks") else { return vec![] };
    let names: Vec<&String> = hooks.as_object().map(|h| h.keys().collect()).unwrap_or_default();
    diags.at(
        map,
        Severity::Note,
        Code::Webhooks,
        "/webhooks",
        format!("webhooks {names:?} describe requests the API sends to its users; a client does not make them, so none is generated"),
        "nothing to do: receive webhooks with a server; their schemas under `components` are still generated",
    );
    vec!["/webhooks".into()]
}

/// Path items that `$ref` another path item (`components.pathItems`) are inlined; `pathItems` is dropped.
fn path_items(doc: &mut Value, map: &mut SourceMap, diags: &mut Diagnostics) -> Vec<String> {
    let paths: Vec<String> =
        doc.member("paths").and_then(Value::as_object).map(|p| p.keys().cloned().collect()).unwrap_or_default();
    for path in paths {
        let ptr = join("/paths", &path);
        let Some(Value::Object(item)) = pointer::get_ptr(doc, &ptr) else { continue };
        if !item.contains_key("$ref") {
            continue;
        }
        let target = match Resolver::new(doc).follow(&ptr) {
            Ok(t) => t,
            Err(_) => continue, // reported by `check_refs`
        };
        let from = target.pointer;
        let Value::Object(mut inlined) = target.value.clone() else {
            diags.at(
                map,
                Severity::Error,
                Code::InvalidType,
                &join(&ptr, "$ref"),
                format!("the path item `{path}` refers to #{from}, which is not a path item"),
                "point the `$ref` at a path item (a mapping of operations)",
            );
            continue;
        };
        // Beside the `$ref`, `summary` and `description` override the referenced ones.
        let siblings: Vec<(String, Value, (usize, String))> = item
            .iter()
            .filter(|(k, _)| *k != "$ref")
            .map(|(k, v)| (k.clone(), v.clone(), map.origin(&join(&ptr, k))))
            .collect();
        map.moved(&ptr, &from);
        for (k, v, (file, file_ptr)) in siblings {
            map.graft(&join(&ptr, &k), file, &file_ptr);
            inlined.insert(k, v);
        }
        if let Some(slot) = pointer::get_ptr_mut(doc, &ptr) {
            *slot = Value::Object(inlined);
        }
    }
    let dropped = doc.get_mut("components").and_then(Value::as_object_mut).and_then(|c| c.shift_remove("pathItems"));
    dropped.map(|_| vec!["/components/pathItems".to_string()]).unwrap_or_default()
}

/// A `$ref` into a part of the document this stage dropped cannot be read.
fn dangling_after_removal(doc: &Value, removed: &[String], map: &SourceMap, diags: &mut Diagnostics) {
    if removed.is_empty() {
        return;
    }
    for (at, r) in collect_refs(doc) {
        let Ok(tokens) = pointer::parse_ref(&r) else { continue };
        let target = pointer::to_pointer(&tokens);
        if let Some(part) = removed.iter().find(|p| pointer::is_prefix(p, &target)) {
            diags.at(
                map,
                Severity::Error,
                Code::UnsupportedKeyword,
                &join(&at, "$ref"),
                format!("`$ref: {r}` points into `#{part}`, which an OpenAPI 3.0 client has no place for"),
                "move the referenced object into `components` and refer to it there",
            );
        }
    }
}

/// `info.summary` and `info.license.identifier` have no 3.0 field; `paths` is required in 3.0.
fn info(doc: &mut Value) {
    let Some(root) = doc.as_object_mut() else { return };
    root.entry("paths").or_insert_with(|| Value::Object(Map::new()));
    let Some(Value::Object(info)) = root.get_mut("info") else { return };
    info.shift_remove("summary");
    if let Some(Value::Object(license)) = info.get_mut("license") {
        if let Some(Value::String(id)) = license.shift_remove("identifier") {
            license.entry("url").or_insert_with(|| Value::String(format!("https://spdx.org/licenses/{id}.html")));
        }
    }
}

/// Every `$defs` entry becomes a component schema (its own name, else prefixed
/// by its parent's), and every `$ref` into it follows.
fn hoist_defs(doc: &mut Value, map: &mut SourceMap) {
    // Each round hoists one `$defs`; a hoisted schema may hold more.
    for _ in 0..10_000 {
        let Some(owner) = walk::schemas(doc)
            .into_iter()
            .find_map(|(p, s)| s.member("$defs").is_some_and(Value::is_object).then_some(p))
        else {
            return;
        };
        let defs_ptr = join(&owner, "$defs");
        let Some(Value::Object(defs)) =
            pointer::get_ptr_mut(doc, &owner).and_then(Value::as_object_mut).and_then(|o| o.shift_remove("$defs"))
        else {
            return;
        };
        let parent = pointer::split_last(&owner).map(|(_, last)| last).unwrap_or_default();
        let mut renames = Vec::new();
        for (name, schema) in defs {
            let schemas = components_schemas(doc);
            let mut new_name = name.clone();
            let mut n = 1;
            while schemas.contains_key(&new_name) {
                new_name = if n == 1 { format!("{parent}_{name}") } else { format!("{parent}_{name}{n}") };
                n += 1;
            }
            schemas.insert(new_name.clone(), schema);
            let from = join(&defs_ptr, &name);
            let to = join("/components/schemas", &new_name);
            map.moved(&to, &from);
            renames.push((from, to));
        }
        rewrite_refs(doc, &renames);
    }
}

fn components_schemas(doc: &mut Value) -> &mut Map<String, Value> {
    let root = doc.as_object_mut().expect("checked: the document is a mapping");
    let comps = root.entry("components").or_insert_with(|| Value::Object(Map::new()));
    if !comps.is_object() {
        *comps = Value::Object(Map::new());
    }
    let schemas =
        comps.as_object_mut().expect("a mapping").entry("schemas").or_insert_with(|| Value::Object(Map::new()));
    if !schemas.is_object() {
        *schemas = Value::Object(Map::new());
    }
    schemas.as_object_mut().expect("a mapping")
}

/// Points every `$ref` that led into `from` (or below) into `to` instead.
fn rewrite_refs(doc: &mut Value, renames: &[(String, String)]) {
    for (at, r) in collect_refs(doc) {
        let Ok(tokens) = pointer::parse_ref(&r) else { continue };
        let target = pointer::to_pointer(&tokens);
        let Some((from, to)) = renames.iter().find(|(from, _)| pointer::is_prefix(from, &target)) else { continue };
        let new = format!("#{to}{}", &target[from.len()..]);
        if let Some(Value::Object(node)) = pointer::get_ptr_mut(doc, &at) {
            node.insert("$ref".into(), Value::String(new));
        }
    }
}

/// The schema rules' context: diagnostics, and the nodes they moved (new pointer, old pointer).
struct Cx<'a> {
    map: &'a SourceMap,
    diags: &'a mut Diagnostics,
    moves: Vec<(String, String)>,
}

impl Cx<'_> {
    fn report(&mut self, severity: Severity, code: Code, ptr: &str, message: String, hint: &str) {
        self.diags.at(self.map, severity, code, ptr, message, hint);
    }
}

/// Applies the schema rules to the schema at `ptr`, then to its subschemas.
fn schema(node: &mut Value, ptr: &str, cx: &mut Cx) {
    if *node == Value::Bool(true) {
        *node = Value::Object(Map::new());
    }
    let Value::Object(obj) = node else {
        if *node == Value::Bool(false) {
            cx.report(
                Severity::Error,
                Code::UnsupportedKeyword,
                ptr,
                "the schema `false` (no value is valid) has no OpenAPI 3.0 form".into(),
                "remove the property or item it describes",
            );
        }
        return;
    };
    annotations(obj, ptr, cx);
    ref_siblings(obj, ptr, cx);
    if obj.contains_key("$ref") {
        return;
    }
    const_keyword(obj);
    exclusive_bounds(obj);
    type_list(obj, ptr, cx);
    content_encoding(obj);
    null_branches(obj, ptr, cx);
    prefix_items(obj, ptr, cx);
    other_keywords(obj, ptr, cx);
    for kw in walk::SCHEMA_MAPS {
        if let Some(Value::Object(m)) = obj.get_mut(kw) {
            for (k, sub) in m.iter_mut() {
                schema(sub, &join(&join(ptr, kw), k), cx);
            }
        }
    }
    for kw in walk::SCHEMA_LISTS {
        if let Some(Value::Array(a)) = obj.get_mut(kw) {
            for (i, sub) in a.iter_mut().enumerate() {
                schema(sub, &format!("{}/{i}", join(ptr, kw)), cx);
            }
        }
    }
    for kw in ["items", "not"] {
        if let Some(sub) = obj.get_mut(kw) {
            schema(sub, &join(ptr, kw), cx);
        }
    }
    if let Some(sub @ Value::Object(_)) = obj.get_mut("additionalProperties") {
        schema(sub, &join(ptr, "additionalProperties"), cx);
    }
}

/// `examples` (a list) is `example`; `$comment`, `$id`, `$anchor` and a
/// 2020-12 `$schema` say nothing a client uses; `$dynamicRef` cannot be read.
fn annotations(obj: &mut Map<String, Value>, ptr: &str, cx: &mut Cx) {
    const KEYWORDS: [&str; 10] = [
        "examples",
        "$comment",
        "$id",
        "$anchor",
        "contentSchema",
        "$schema",
        "$dynamicRef",
        "$dynamicAnchor",
        "$recursiveAnchor",
        "$recursiveRef",
    ];
    if !walk::has_any(obj, &KEYWORDS) {
        return;
    }
    if let Some(Value::Array(examples)) = obj.member("examples") {
        if let (false, Some(first)) = (obj.contains_key("example"), examples.first().cloned()) {
            obj.insert("example".into(), first);
        }
        obj.shift_remove("examples");
    }
    for kw in ["$comment", "$id", "$anchor", "contentSchema"] {
        obj.shift_remove(kw);
    }
    if let Some(s) = obj.shift_remove("$schema") {
        let known = s.as_str().is_some_and(|d| d == BASE_DIALECT || d.contains("json-schema.org/draft/2020-12"));
        if !known {
            cx.report(
                Severity::Warning,
                Code::SchemaDialect,
                &join(ptr, "$schema"),
                format!("this schema is read as JSON Schema 2020-12, not {s}"),
                "remove `$schema`, after checking the schema uses only 2020-12 keywords",
            );
        }
    }
    for kw in ["$dynamicRef", "$dynamicAnchor"] {
        if obj.contains_key(kw) {
            cx.report(
                Severity::Error,
                Code::UnsupportedKeyword,
                &join(ptr, kw),
                format!("`{kw}` (dynamic references) cannot be interpreted safely"),
                "refer to the schema with a plain `$ref`",
            );
        }
    }
    // Draft 2019-09's keywords are unknown to 2020-12, so they constrain nothing:
    // read that way (a wider type, never a guessed target), with a warning.
    // (`$recursiveAnchor` alone changes nothing, and goes silently.)
    obj.shift_remove("$recursiveAnchor");
    for kw in ["$recursiveRef"] {
        if let Some(v) = obj.shift_remove(kw) {
            cx.report(
                Severity::Warning,
                Code::Widened,
                &join(ptr, kw),
                format!("`{kw}: {v}` is JSON Schema 2019-09, not 2020-12, where it constrains nothing; ignored"),
                "write a `$ref` to the schema meant (an overlay can)",
            );
        }
    }
}

/// Other keywords are annotations in 2020-12 (or checks a client need not make):
/// kept as `x-` extensions, which 3.0 allows, so the bundle stays valid.
fn other_keywords(obj: &mut Map<String, Value>, ptr: &str, cx: &mut Cx) {
    let others: Vec<String> =
        obj.keys().filter(|k| !k.starts_with("x-") && !SCHEMA_30.contains(&k.as_str())).cloned().collect();
    for k in others {
        let Some(v) = obj.shift_remove(&k) else { continue };
        if IGNORED_CHECKS.contains(&k.as_str()) {
            cx.report(
                Severity::Warning,
                Code::Widened,
                &join(ptr, &k),
                format!("`{k}` is not checked (OpenAPI 3.0 has no such keyword); kept as `x-{k}`"),
                "nothing to do: the server still checks it",
            );
        }
        obj.entry(format!("x-{k}")).or_insert(v);
    }
}

/// Beside a `$ref`, 3.1 applies the other keywords too: shape keywords move
/// into an `allOf` with the `$ref`; annotations stay, as `lower` reads them there.
fn ref_siblings(obj: &mut Map<String, Value>, ptr: &str, cx: &mut Cx) {
    if !obj.member("$ref").is_some_and(Value::is_string) {
        return;
    }
    let shapes = obj.keys().any(|k| k != "$ref" && !k.starts_with("x-") && !ANNOTATIONS.contains(&k.as_str()));
    if !shapes {
        return;
    }
    let Some(r) = obj.shift_remove("$ref") else { return };
    let mut branch = Map::new();
    branch.insert("$ref".into(), r);
    let all = obj.entry("allOf").or_insert_with(|| Value::Array(Vec::new()));
    let Value::Array(all) = all else { return };
    all.push(Value::Object(branch));
    let at = format!("{}/{}", join(ptr, "allOf"), all.len() - 1);
    cx.moves.push((join(&at, "$ref"), join(ptr, "$ref")));
}

/// `const: v` is `enum: [v]`.
fn const_keyword(obj: &mut Map<String, Value>) {
    if let Some(c) = obj.shift_remove("const") {
        obj.insert("enum".into(), Value::Array(vec![c]));
    }
}

/// Numeric `exclusiveMinimum`/`exclusiveMaximum` are the bound with 3.0's boolean form
/// (beside a stricter `minimum`/`maximum`, that one alone).
fn exclusive_bounds(obj: &mut Map<String, Value>) {
    if !walk::has_any(obj, &["exclusiveMinimum", "exclusiveMaximum"]) {
        return;
    }
    for (ex, bound, stricter) in [
        ("exclusiveMinimum", "minimum", (|b: f64, n: f64| b > n) as fn(f64, f64) -> bool),
        ("exclusiveMaximum", "maximum", |b, n| b < n),
    ] {
        let Some(Value::Number(n)) = obj.get(ex).cloned() else { continue };
        match obj.get(bound).and_then(Value::as_f64) {
            Some(b) if n.as_f64().is_some_and(|n| stricter(b, n)) => {
                obj.shift_remove(ex);
            }
            _ => {
                obj.insert(bound.into(), Value::Number(n));
                obj.insert(ex.into(), Value::Bool(true));
            }
        }
    }
}

/// `contentEncoding: base64` is 3.0's `format: byte`; other content (`contentMediaType`) `format: binary`.
fn content_encoding(obj: &mut Map<String, Value>) {
    if !walk::has_any(obj, &["contentEncoding", "contentMediaType"]) {
        return;
    }
    let encoding = obj.shift_remove("contentEncoding");
    let media = obj.shift_remove("contentMediaType");
    if obj.contains_key("format") || obj.member("type").is_some_and(|t| t.as_str() != Some("string")) {
        return;
    }
    let format = match encoding.as_ref().and_then(Value::as_str) {
        Some("base64" | "base64url") => "byte",
        _ if media.is_some() || encoding.is_some() => "binary",
        _ => return,
    };
    obj.insert("type".into(), Value::String("string".into()));
    obj.insert("format".into(), Value::String(format.into()));
}

/// `type: [t, 'null']` is `type: t, nullable: true`; several types are a `oneOf`
/// with one branch per type, each with the keywords of its type.
fn type_list(obj: &mut Map<String, Value>, ptr: &str, cx: &mut Cx) {
    let Some(Value::Array(list)) = obj.member("type") else { return };
    let names: Vec<String> = list.iter().filter_map(Value::as_str).map(str::to_string).collect();
    if names.len() != list.len() || names.is_empty() || names.iter().any(|t| !TYPES.contains(&t.as_str())) {
        return; // `normalize` reports what is not a list of type names
    }
    let mut types: Vec<String> = Vec::new();
    for t in names.iter().filter(|t| *t != "null") {
        if !types.contains(t) {
            types.push(t.clone());
        }
    }
    // Every integer is a number.
    if types.contains(&"number".to_string()) {
        types.retain(|t| t != "integer");
    }
    if names.iter().any(|t| t == "null") {
        obj.insert("nullable".into(), Value::Bool(true));
        drop_null_enum_value(obj);
    }
    match types.as_slice() {
        [] => {
            obj.insert("type".into(), Value::String("null".into()));
        }
        [one] => {
            obj.insert("type".into(), Value::String(one.clone()));
        }
        // Beside alternatives, the list stays: `normalize` reports it as no OpenAPI 3.0 type.
        _ if obj.contains_key("oneOf") || obj.contains_key("anyOf") => {}
        _ => {
            obj.shift_remove("type");
            let mut branches = Vec::new();
            for t in &types {
                let mut b = Map::new();
                b.insert("type".into(), Value::String(t.clone()));
                let keywords = BY_TYPE.iter().find(|(name, _)| name == t).map(|(_, k)| *k).unwrap_or(&[]);
                for kw in keywords {
                    if let Some(v) = obj.get(*kw) {
                        b.insert(kw.to_string(), v.clone());
                    }
                }
                if let Some(Value::Array(values)) = obj.member("enum") {
                    let fit: Vec<Value> = values.iter().filter(|v| crate::normalize::fits(t, v)).cloned().collect();
                    b.insert("enum".into(), Value::Array(fit));
                }
                cx.moves.push((format!("{}/{}", join(ptr, "oneOf"), branches.len()), ptr.to_string()));
                branches.push(Value::Object(b));
            }
            for (_, keywords) in BY_TYPE {
                for kw in keywords {
                    obj.shift_remove(*kw);
                }
            }
            obj.shift_remove("enum");
            obj.insert("oneOf".into(), Value::Array(branches));
        }
    }
}

/// A `null` value in the `enum` of a nullable schema is what `nullable` says.
fn drop_null_enum_value(obj: &mut Map<String, Value>) {
    if let Some(Value::Array(values)) = obj.get_mut("enum") {
        values.retain(|v| !v.is_null());
    }
}

/// A `oneOf`/`anyOf` branch that only allows null makes the parent `nullable`.
fn null_branches(obj: &mut Map<String, Value>, ptr: &str, cx: &mut Cx) {
    for kw in ["oneOf", "anyOf"] {
        let Some(Value::Array(branches)) = obj.get_mut(kw) else { continue };
        if !branches.iter().any(only_null) || branches.iter().all(only_null) {
            continue;
        }
        let at = join(ptr, kw);
        let mut kept = 0;
        for (i, b) in std::mem::take(branches).into_iter().enumerate() {
            if only_null(&b) {
                continue;
            }
            if kept != i {
                cx.moves.push((format!("{at}/{kept}"), format!("{at}/{i}")));
            }
            branches.push(b);
            kept += 1;
        }
        obj.insert("nullable".into(), Value::Bool(true));
        drop_null_enum_value(obj);
    }
}

/// `{type: 'null'}` (or `type: ['null']`, `const: null`, `enum: [null]`) with annotations only.
fn only_null(b: &Value) -> bool {
    let Some(o) = b.as_object() else { return false };
    let null_type = match o.member("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(l)) => l.iter().all(|t| t == "null") && !l.is_empty(),
        Some(_) => false,
        None => o.member("const") == Some(&Value::Null) || o.member("enum") == Some(&Value::Array(vec![Value::Null])),
    };
    null_type
        && o.keys().all(|k| {
            k.starts_with("x-") || matches!(k.as_str(), "type" | "const" | "enum") || ANNOTATIONS.contains(&k.as_str())
        })
}

/// `prefixItems` (a tuple) is a list whose items are any of the tuple's item
/// schemas (and of `items`, which describes the rest); `items: false` bounds its length.
fn prefix_items(obj: &mut Map<String, Value>, ptr: &str, cx: &mut Cx) {
    let Some(prefix) = obj.shift_remove("prefixItems") else { return };
    let at = join(ptr, "prefixItems");
    let Value::Array(prefix) = prefix else {
        cx.report(
            Severity::Error,
            Code::InvalidType,
            &at,
            "`prefixItems` must be a list of schemas".into(),
            "write a list",
        );
        return;
    };
    let closed = obj.member("items") == Some(&Value::Bool(false));
    let len = prefix.len() as u64;
    let mut alternatives: Vec<(Value, String)> = Vec::new();
    let rest = obj.shift_remove("items").filter(|i| *i != Value::Bool(false));
    let sources = prefix.into_iter().enumerate().map(|(i, s)| (s, format!("{at}/{i}")));
    for (s, from) in sources.chain(rest.map(|s| (s, join(ptr, "items")))) {
        let s = if s == Value::Bool(true) { Value::Object(Map::new()) } else { s };
        if !alternatives.iter().any(|(a, _)| *a == s) {
            alternatives.push((s, from));
        }
    }
    if closed {
        let max = obj.member("maxItems").and_then(Value::as_u64).map_or(len, |m| m.min(len));
        obj.insert("maxItems".into(), Value::from(max));
    }
    let items_at = join(ptr, "items");
    let items = match alternatives.len() {
        0 => Value::Object(Map::new()),
        1 => {
            let (s, from) = alternatives.pop().expect("one alternative");
            cx.moves.push((items_at.clone(), from));
            s
        }
        _ => {
            cx.report(
                Severity::Warning,
                Code::Widened,
                &at,
                format!(
                    "the tuple `prefixItems` is read as a list whose items are any of its {} item schemas",
                    alternatives.len()
                ),
                "OpenAPI 3.0 has no tuples: the position of each item is not checked",
            );
            let mut branches = Vec::new();
            for (i, (s, from)) in alternatives.into_iter().enumerate() {
                cx.moves.push((format!("{items_at}/oneOf/{i}"), from));
                branches.push(s);
            }
            let mut o = Map::new();
            o.insert("oneOf".into(), Value::Array(branches));
            Value::Object(o)
        }
    };
    obj.insert("type".into(), Value::String("array".into()));
    obj.insert("items".into(), items);
}
