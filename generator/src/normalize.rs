//! Normalization: deviations from OpenAPI 3.0 that can be interpreted
//! safely are rewritten into 3.0 (each with a located warning); what cannot
//! be interpreted safely is an error, never a guess.

use serde_json::{Map, Value};

use crate::diag::{Code, Severity};
use crate::pointer::{self, join, Member};
use crate::report::Diagnostics;
use crate::resolve::Resolver;
use crate::source::SourceMap;
use crate::walk;

const NUMERIC: [&str; 9] = [
    "maxItems",
    "minItems",
    "maxLength",
    "minLength",
    "maxProperties",
    "minProperties",
    "minimum",
    "maximum",
    "multipleOf",
];
const BOOLEAN: [&str; 6] = ["nullable", "uniqueItems", "readOnly", "writeOnly", "deprecated", "exclusiveMaximum"];
const TYPES: [&str; 6] = ["string", "number", "integer", "boolean", "array", "object"];
/// Keywords from later JSON Schema drafts that change validation in ways 3.0 cannot express.
const UNSUPPORTED: [&str; 10] = [
    "if",
    "then",
    "else",
    "prefixItems",
    "$defs",
    "unevaluatedProperties",
    "unevaluatedItems",
    "dependentRequired",
    "dependentSchemas",
    "contains",
];

/// Normalizes `doc` in place.
pub fn normalize(doc: &mut Value, map: &SourceMap, diags: &mut Diagnostics) {
    let found = walk::schemas(doc);
    // `nullable` only has an effect beside `type` (OpenAPI 3.0.3): remember which schemas
    // the input marks nullable without a type, before `type: 'null'` branches add more.
    // In a 3.1 document `nullable` is no keyword at all; read the 3.0 way, it is not worth a warning there.
    let is_31 = crate::openapi31::is_31(doc);
    let untyped_nullable: Vec<String> = if is_31 {
        Vec::new()
    } else {
        found.iter().filter(|(_, s)| nullable_without_type(s)).map(|(p, _)| p.clone()).collect()
    };
    let ptrs: Vec<String> = found.into_iter().map(|(p, _)| p).collect();
    // Children before parents: a parent may drop a `oneOf` branch, which must not
    // shift pointers that are still to be visited.
    for ptr in ptrs.iter().rev() {
        let Some(node) = pointer::get_ptr_mut(doc, ptr) else { continue };
        match node {
            Value::Object(obj) => schema(obj, ptr, is_31, map, diags),
            other => diags.at(
                map,
                Severity::Error,
                Code::InvalidType,
                ptr,
                format!("a schema must be an object, found {}", kind(other)),
                "write the schema as a mapping, e.g. `{type: string}`",
            ),
        }
    }
    type_nullable_alternatives(doc, &ptrs, &untyped_nullable, map, diags);
    parameters(doc, map, diags);
    operation_ids(doc, map, diags);
}

/// An `operationId` that is not a string (`operationId: 0.1`) is read as
/// missing: the id is derived from method and path, as for no id.
fn operation_ids(doc: &mut Value, map: &SourceMap, diags: &mut Diagnostics) {
    let ptrs: Vec<String> = walk::operations(doc)
        .filter(|op| op.value.member("operationId").is_some_and(|id| !id.is_string()))
        .map(|op| op.pointer)
        .collect();
    for ptr in ptrs {
        let Some(Value::Object(op)) = pointer::get_ptr_mut(doc, &ptr) else { continue };
        let Some(id) = op.shift_remove("operationId") else { continue };
        diags.at(
            map,
            Severity::Warning,
            Code::InvalidType,
            &join(&ptr, "operationId"),
            format!("`operationId` must be a string, found {}; read as no operationId", kind(&id)),
            "quote it: `operationId: '0.1'`",
        );
    }
}

fn nullable_without_type(s: &Value) -> bool {
    s.member("nullable") == Some(&Value::Bool(true)) && s.member("type").is_none() && s.member("$ref").is_none()
}

/// The `type` of a schema, following `$ref`s.
fn type_of(refs: Resolver, s: &Value, depth: usize) -> Option<String> {
    if depth > 32 {
        return None;
    }
    if let Some(t) = s.member("type").and_then(Value::as_str) {
        return Some(t.to_string());
    }
    if s.member("$ref").is_some() {
        let target = refs.follow_value(s).ok()?;
        return type_of(refs, target, depth + 1);
    }
    common_type(refs, s, depth)
}

/// The one type every `oneOf`/`anyOf`/`allOf` branch has, if they agree.
fn common_type(refs: Resolver, s: &Value, depth: usize) -> Option<String> {
    let mut found: Option<String> = None;
    for kw in ["oneOf", "anyOf", "allOf"] {
        for b in s.member(kw).and_then(Value::as_array).into_iter().flatten() {
            let t = type_of(refs, b, depth + 1)?;
            if found.as_ref().is_some_and(|f| *f != t) {
                return None;
            }
            found = Some(t);
        }
    }
    found
}

/// A nullable schema with alternatives but no `type` gets the type its
/// alternatives share, so `nullable` takes effect for 3.0.3 tools.
fn type_nullable_alternatives(
    doc: &mut Value,
    ptrs: &[String],
    input: &[String],
    map: &SourceMap,
    diags: &mut Diagnostics,
) {
    for ptr in ptrs {
        let Some(s) = pointer::get_ptr(doc, ptr) else { continue };
        if !nullable_without_type(s) {
            continue;
        }
        let inferred = common_type(Resolver::new(doc), s, 0);
        let from_input = input.contains(ptr);
        match inferred {
            Some(t) => {
                if from_input {
                    diags.at(map, Severity::Warning, Code::InvalidType, &join(ptr, "nullable"), format!("`nullable: true` without `type` has no effect in OpenAPI 3.0.3; read with `type: {t}`, the type of every alternative"), format!("add `type: {t}` beside `nullable`"));
                }
                if let Some(Value::Object(o)) = pointer::get_ptr_mut(doc, ptr) {
                    o.insert("type".into(), Value::String(t));
                }
            }
            None if from_input => diags.at(map, Severity::Warning, Code::InvalidType, &join(ptr, "nullable"), "`nullable: true` without `type` has no effect in OpenAPI 3.0.3, and the alternatives have different types".to_string(), "give the schema a `type`, or move `nullable` into each alternative"),
            None => {}
        }
    }
}

/// How a JSON value is named in diagnostics ("a string", "a mapping", ...).
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// One schema object, rule by rule (each rule reports what it reads differently).
fn schema(obj: &mut Map<String, Value>, ptr: &str, is_31: bool, map: &SourceMap, diags: &mut Diagnostics) {
    if obj.contains_key("$ref") {
        return;
    }
    let s = &mut Site { ptr, map, diags, is_31 };
    numeric_strings(obj, s);
    boolean_strings(obj, s);
    draft_keywords(obj, s);
    type_keyword(obj, s);
    null_alternatives(obj, s);
    nullable_all_of(obj, s);
    pattern_properties(obj, s);
    structural_types(obj, s);
    default_and_example(obj, s);
}

/// Where a rule reports: the schema's pointer, the source map and the reporter.
struct Site<'a> {
    ptr: &'a str,
    map: &'a SourceMap,
    diags: &'a mut Diagnostics,
    /// The document is OpenAPI 3.1 (read as 3.0 by `openapi31`).
    is_31: bool,
}

impl Site<'_> {
    fn warn(&mut self, code: Code, at: &str, message: String, hint: &str) {
        self.diags.at(self.map, Severity::Warning, code, at, message, hint);
    }

    fn error(&mut self, code: Code, at: &str, message: String, hint: &str) {
        self.diags.at(self.map, Severity::Error, code, at, message, hint);
    }
}

/// Numeric keywords written as strings are read as numbers.
fn numeric_strings(obj: &mut Map<String, Value>, site: &mut Site) {
    if !walk::has_any(obj, &NUMERIC) {
        return;
    }
    let ptr = site.ptr;
    for kw in NUMERIC {
        let at = || join(ptr, kw);
        match obj.member(kw) {
            Some(Value::String(s)) => match s.trim().parse::<f64>() {
                Ok(n) => {
                    let num = if n.fract() == 0.0 && n.abs() < 9e15 { Value::from(n as i64) } else { Value::from(n) };
                    site.warn(
                        Code::NumericString,
                        &at(),
                        format!("`{kw}` is the string '{s}'; read as the number {num}"),
                        "write the number without quotes",
                    );
                    obj.insert(kw.to_string(), num);
                }
                Err(_) => site.error(
                    Code::InvalidType,
                    &at(),
                    format!("`{kw}` must be a number, found the string '{s}'"),
                    "write a number",
                ),
            },
            Some(Value::Number(_)) | None => {}
            Some(other) => site.error(
                Code::InvalidType,
                &at(),
                format!("`{kw}` must be a number, found {}", kind(other)),
                "write a number",
            ),
        }
    }
}

/// Boolean keywords written as `'true'`/`'false'` are read as booleans.
fn boolean_strings(obj: &mut Map<String, Value>, site: &mut Site) {
    if !walk::has_any(obj, &BOOLEAN) {
        return;
    }
    let ptr = site.ptr;
    for kw in BOOLEAN {
        let at = || join(ptr, kw);
        match obj.member(kw) {
            Some(Value::String(s)) if s == "true" || s == "false" => {
                site.warn(
                    Code::InvalidType,
                    &at(),
                    format!("`{kw}` is the string '{s}'; read as a boolean"),
                    "write true or false without quotes",
                );
                let b = s == "true";
                obj.insert(kw.to_string(), Value::Bool(b));
            }
            Some(Value::Bool(_)) | None => {}
            Some(other) => site.error(
                Code::InvalidType,
                &at(),
                format!("`{kw}` must be a boolean, found {}", kind(other)),
                "write true or false",
            ),
        }
    }
}

/// Keywords of later JSON Schema drafts: numeric `exclusiveMinimum`, `const` and `$schema` are read as 3.0; the others cannot be, and are errors.
fn draft_keywords(obj: &mut Map<String, Value>, site: &mut Site) {
    if let Some(Value::Number(n)) = obj.member("exclusiveMinimum").cloned() {
        site.warn(Code::UnsupportedKeyword, &join(site.ptr, "exclusiveMinimum"), format!("numeric `exclusiveMinimum: {n}` is JSON Schema draft 6+; read as `minimum: {n}, exclusiveMinimum: true`"), "use OpenAPI 3.0's boolean form");
        obj.insert("minimum".into(), Value::Number(n));
        obj.insert("exclusiveMinimum".into(), Value::Bool(true));
    }
    if let Some(c) = obj.remove("const") {
        site.warn(
            Code::UnsupportedKeyword,
            &join(site.ptr, "const"),
            "`const` is not in OpenAPI 3.0; read as a one-value `enum`".into(),
            "write `enum: [value]`",
        );
        obj.insert("enum".into(), Value::Array(vec![c]));
    }
    if obj.remove("$schema").is_some() {
        site.warn(
            Code::UnsupportedKeyword,
            &join(site.ptr, "$schema"),
            "`$schema` is not allowed in an OpenAPI 3.0 schema; ignored".into(),
            "delete the keyword",
        );
    }
    if !walk::has_any(obj, &UNSUPPORTED) {
        return;
    }
    for kw in UNSUPPORTED {
        if obj.contains_key(kw) {
            site.error(
                Code::UnsupportedKeyword,
                &join(site.ptr, kw),
                format!("`{kw}` is not part of OpenAPI 3.0 and cannot be interpreted safely"),
                "rewrite the schema with OpenAPI 3.0 keywords (allOf/oneOf/anyOf, properties, items)",
            );
        }
    }
}

/// `type` is one of the six 3.0 types; a list with `null` is read as the type with `nullable: true`.
fn type_keyword(obj: &mut Map<String, Value>, site: &mut Site) {
    match obj.member("type").cloned() {
        Some(Value::String(t)) if TYPES.contains(&t.as_str()) => {}
        Some(Value::String(t)) if t == "null" => {} // handled by the parent's oneOf/anyOf, or reported below
        Some(Value::String(t)) => site.error(
            Code::InvalidType,
            &join(site.ptr, "type"),
            format!("unknown type `{t}`"),
            "use one of string, number, integer, boolean, array, object",
        ),
        Some(Value::Array(list)) => {
            let names: Vec<&str> = list.iter().filter_map(Value::as_str).collect();
            let non_null: Vec<&str> = names.iter().copied().filter(|t| *t != "null").collect();
            if names.len() == list.len() && non_null.len() == 1 && TYPES.contains(&non_null[0]) {
                site.warn(
                    Code::NullType,
                    &join(site.ptr, "type"),
                    format!("type list {names:?} read as `type: {}` with `nullable: true`", non_null[0]),
                    "OpenAPI 3.0 has no type lists: write `type: X` and `nullable: true`",
                );
                let t = non_null[0].to_string();
                obj.insert("type".into(), Value::String(t));
                if names.len() > 1 {
                    obj.insert("nullable".into(), Value::Bool(true));
                }
            } else {
                site.error(
                    Code::InvalidType,
                    &join(site.ptr, "type"),
                    format!("type list {list:?} cannot be expressed as one OpenAPI 3.0 type"),
                    "split the alternatives into `oneOf`",
                );
            }
        }
        Some(other) => site.error(
            Code::InvalidType,
            &join(site.ptr, "type"),
            format!("`type` must be a string, found {}", kind(&other)),
            "write e.g. `type: string`",
        ),
        None => {}
    }
}

/// `type: 'null'` inside `oneOf`/`anyOf` means the parent is nullable; outside them it cannot be expressed.
fn null_alternatives(obj: &mut Map<String, Value>, site: &mut Site) {
    for kw in ["oneOf", "anyOf"] {
        let Some(Value::Array(branches)) = obj.get_mut(kw) else {
            if let Some(v) = obj.member(kw) {
                site.error(
                    Code::InvalidType,
                    &join(site.ptr, kw),
                    format!("`{kw}` must be a list of schemas, found {}", kind(v)),
                    "write a list",
                );
            }
            continue;
        };
        let mut removed = false;
        let mut i = 0;
        let mut idx = 0;
        branches.retain(|b| {
            // OpenAPI 3.0's own null alternative (`nullable: true, enum: [null]`) says the same.
            if crate::lower::null_branch(b) {
                removed = true;
                idx += 1;
                return false;
            }
            let is_null =
                b.member("type").and_then(Value::as_str) == Some("null") && b.as_object().is_some_and(|o| o.len() == 1);
            if is_null {
                site.warn(
                    Code::NullType,
                    &format!("{}/{idx}", join(site.ptr, kw)),
                    format!("`type: 'null'` inside `{kw}` read as `nullable: true`"),
                    "OpenAPI 3.0 has no null type: remove the branch and set `nullable: true`",
                );
                removed = true;
            } else {
                i += 1;
            }
            idx += 1;
            !is_null
        });
        if removed {
            obj.insert("nullable".into(), Value::Bool(true));
        }
        if i == 0 {
            site.error(
                Code::InvalidType,
                &join(site.ptr, kw),
                format!("`{kw}` has no alternative besides null"),
                "describe the non-null value",
            );
        }
    }
    let in_alternative = pointer::split_last(site.ptr)
        .and_then(|(parent, last)| {
            last.parse::<usize>().ok().map(|_| parent.ends_with("/oneOf") || parent.ends_with("/anyOf"))
        })
        .unwrap_or(false);
    if obj.member("type").and_then(Value::as_str) == Some("null") && !in_alternative {
        site.error(
            Code::InvalidType,
            &join(site.ptr, "type"),
            "`type: 'null'` outside `oneOf`/`anyOf` cannot be expressed in OpenAPI 3.0".into(),
            "give the value's real type and `nullable: true`",
        );
    }
}

/// An `allOf` branch that only says `nullable: true` (OpenAI's spec writes
/// `allOf: [{$ref: X}, {nullable: true}]`) means the value may be null: the
/// branch is removed and the schema itself is `nullable`. Read strictly, such
/// a branch has no effect (without `type` beside it, 3.0.3's `nullable` does
/// nothing, and 3.1 has no `nullable`), but the author's intent is plain and
/// the API sends null there: a warning in a 3.0 document, silent in a 3.1 one,
/// where `nullable` is read the 3.0 way throughout.
fn nullable_all_of(obj: &mut Map<String, Value>, site: &mut Site) {
    let only_nullable = |b: &Value| {
        b.as_object().is_some_and(|o| {
            o.member("nullable") == Some(&Value::Bool(true))
                && o.keys().all(|k| k == "nullable" || k == "description" || k == "title" || k.starts_with("x-"))
        })
    };
    let Some(Value::Array(branches)) = obj.get_mut("allOf") else { return };
    if !branches.iter().any(only_nullable) || branches.iter().all(only_nullable) {
        return;
    }
    let at = join(site.ptr, "allOf");
    let mut idx = 0;
    let mut removed = Vec::new();
    branches.retain(|b| {
        idx += 1;
        if only_nullable(b) {
            removed.push(format!("{at}/{}", idx - 1));
        }
        !only_nullable(b)
    });
    obj.insert("nullable".into(), Value::Bool(true));
    if !site.is_31 {
        for at in removed {
            site.warn(
                Code::InvalidType,
                &at,
                "an `allOf` branch with only `nullable: true` has no effect in OpenAPI 3.0.3; read as the schema being nullable".into(),
                "write `nullable: true` (with `type`) beside the `allOf` instead",
            );
        }
    }
}

/// `patternProperties` is read as `additionalProperties` and `x-pattern-properties` (which keeps the key pattern).
fn pattern_properties(obj: &mut Map<String, Value>, site: &mut Site) {
    if let Some(pp) = obj.remove("patternProperties") {
        let at = join(site.ptr, "patternProperties");
        match pp {
            Value::Object(patterns) if !patterns.is_empty() => {
                let names: Vec<&String> = patterns.keys().collect();
                site.warn(Code::PatternProperties, &at, format!("`patternProperties` {names:?} read as a map whose keys match the pattern"), "OpenAPI 3.0 has no patternProperties; it is kept as `x-pattern-properties` and `additionalProperties`");
                let value_schema = if patterns.len() == 1 {
                    patterns.values().next().cloned().unwrap_or(Value::Bool(true))
                } else {
                    Value::Object(Map::new())
                };
                if matches!(obj.member("additionalProperties"), None | Some(Value::Bool(false))) {
                    obj.insert("additionalProperties".into(), value_schema);
                }
                obj.insert("x-pattern-properties".into(), Value::Object(patterns));
            }
            Value::Object(_) => {}
            other => site.error(
                Code::InvalidType,
                &at,
                format!("`patternProperties` must be a mapping, found {}", kind(&other)),
                "write pattern: schema pairs",
            ),
        }
    }
}

/// Structural keywords have the right kind of value; an array without `items` holds any values.
fn structural_types(obj: &mut Map<String, Value>, site: &mut Site) {
    if let Some(v) = obj.member("properties") {
        if !v.is_object() {
            site.error(
                Code::InvalidType,
                &join(site.ptr, "properties"),
                format!("`properties` must be a mapping, found {}", kind(v)),
                "write name: schema pairs",
            );
        }
    }
    if let Some(v) = obj.member("required") {
        if !v.as_array().is_some_and(|a| a.iter().all(Value::is_string)) {
            site.error(
                Code::InvalidType,
                &join(site.ptr, "required"),
                format!("`required` must be a list of property names, found {}", kind(v)),
                "write `required: [a, b]`",
            );
        }
    }
    if let Some(v) = obj.member("enum") {
        if !v.is_array() {
            site.error(
                Code::InvalidType,
                &join(site.ptr, "enum"),
                format!("`enum` must be a list, found {}", kind(v)),
                "write `enum: [a, b]`",
            );
        }
    }
    if let Some(v) = obj.member("items") {
        if !v.is_object() {
            site.error(
                Code::InvalidType,
                &join(site.ptr, "items"),
                format!("`items` must be one schema, found {}", kind(v)),
                "OpenAPI 3.0 has no tuple form: write one schema",
            );
        }
    }
    if obj.member("type").and_then(Value::as_str) == Some("array") && !obj.contains_key("items") {
        site.warn(
            Code::MissingField,
            site.ptr,
            "an array schema has no `items`; read as a list of any values".into(),
            "add `items: {}` (or the item schema): OpenAPI 3.0 requires `items`",
        );
        obj.insert("items".into(), Value::Object(Map::new()));
    }
    if let Some(v) = obj.member("additionalProperties") {
        if !v.is_object() && !v.is_boolean() {
            site.error(
                Code::InvalidType,
                &join(site.ptr, "additionalProperties"),
                format!("`additionalProperties` must be a boolean or a schema, found {}", kind(v)),
                "write true, false or a schema",
            );
        }
    }
}

/// `default` and `example` must fit the type.
fn default_and_example(obj: &mut Map<String, Value>, site: &mut Site) {
    let ty = obj.member("type").and_then(Value::as_str).map(str::to_string);
    for (kw, code) in [("default", Code::DefaultTypeMismatch), ("example", Code::ExampleTypeMismatch)] {
        if let (Some(t), Some(v)) = (&ty, obj.member(kw)) {
            let null_ok = v.is_null() && obj.member("nullable") == Some(&Value::Bool(true));
            if !fits(t, v) && !null_ok {
                site.warn(
                    code,
                    &join(site.ptr, kw),
                    format!("`{kw}` {v} does not match `type: {t}`"),
                    "make the value match the type, or fix the type",
                );
            }
        }
    }
}

/// Does `v` fit the OpenAPI type `t`?
pub fn fits(t: &str, v: &Value) -> bool {
    match t {
        "string" => v.is_string(),
        "integer" => v.as_i64().is_some() || v.as_u64().is_some(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => true,
    }
}

fn parameters(doc: &mut Value, map: &SourceMap, diags: &mut Diagnostics) {
    // Every parameter as written (refs are checked where they lead), overridden or not.
    let mut ptrs: Vec<String> = walk::operations(doc).flat_map(|op| op.sites).collect();
    if let Some(Value::Object(ps)) = pointer::get_ptr(doc, "/components/parameters") {
        ptrs.extend(ps.keys().map(|k| join("/components/parameters", k)));
    }
    ptrs.sort();
    ptrs.dedup();
    for ptr in ptrs {
        let Some(Value::Object(p)) = pointer::get_ptr_mut(doc, &ptr) else { continue };
        if p.contains_key("$ref") {
            continue;
        }
        let name = p.member("name").and_then(Value::as_str).unwrap_or("?").to_string();
        match p.member("in").and_then(Value::as_str) {
            Some("path" | "query" | "header" | "cookie") => {}
            other => diags.at(
                map,
                Severity::Error,
                Code::InvalidType,
                &join(&ptr, "in"),
                format!("parameter `{name}` has `in: {}`", other.unwrap_or("(missing)")),
                "use path, query, header or cookie",
            ),
        }
        if !p.contains_key("schema") && !p.contains_key("content") {
            diags.at(
                map,
                Severity::Warning,
                Code::ParameterWithoutSchema,
                &ptr,
                format!("parameter `{name}` has neither `schema` nor `content`; read as a free-form value"),
                "add a `schema` (an overlay can do this without editing the spec)",
            );
            p.insert("schema".into(), Value::Object(Map::new()));
        }
    }
}
