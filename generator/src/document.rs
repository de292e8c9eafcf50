//! The typed document: after loading, overlays, normalization and checks,
//! the spec is one [`openapiv3::OpenAPI`], and the stages after analysis read
//! operations and parameters through it ([`Model::operations`]), with the
//! JSON pointer of every item kept alongside for diagnostics and names.
//!
//! Converting is the last check of analysis: a part of the document that
//! does not fit the OpenAPI 3.0 model is a located error (at the pointer of
//! the smallest part that fails, with serde's reason).
//!
//! Schemas are still read as `serde_json::Value` by pointer (`lower`), and
//! are placeholders in the model (see [`convert`]); so are the checks and
//! normalization before this stage (they must read any document, including
//! ones that do not fit the model).

use std::borrow::Cow;

use foldhash::HashSet;
use openapiv3::{OpenAPI, Operation, Parameter, PathItem, ReferenceOr};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use crate::diag::{Code, Severity};
use crate::pointer;
use crate::report::Diagnostics;
use crate::source::SourceMap;
use crate::walk;

/// The typed model of a checked document, and the document it was read from.
#[derive(Debug, Clone)]
pub struct Model<'a> {
    /// The document as JSON (for schemas and pointers).
    pub value: &'a Value,
    /// The typed model.
    pub api: Cow<'a, OpenAPI>,
}

/// An operation read through the typed model.
#[derive(Debug, Clone)]
pub struct TypedOperation<'a> {
    /// The path template.
    pub path: &'a str,
    /// The method, lower case.
    pub method: &'static str,
    /// Pointer of the operation.
    pub pointer: String,
    /// The operation.
    pub operation: &'a Operation,
    /// Its parameters, merged and resolved as [`walk::operations`] does, each
    /// with the pointer of the parameter object.
    pub parameters: Vec<(String, Cow<'a, Parameter>)>,
}

/// Converts `doc` to the typed model; on failure, why and where.
///
/// Schemas are read as JSON by pointer (`lower`), so they are placeholders
/// (`{}`) in the typed model: their nesting, up to `check::MAX_DEPTH`, would
/// overflow the stack of serde's untagged-enum deserialization of
/// `openapiv3::Schema`. `$ref`s to schemas are kept.
pub fn convert(doc: &Value) -> Result<OpenAPI, (String, String)> {
    // The outermost schemas that become placeholders: objects without `$ref`.
    // Pointers come parent first, so a placeholder's descendants follow it.
    let mut placeholders: HashSet<String> = HashSet::default();
    let mut last: Option<String> = None;
    for ptr in walk::schema_pointers(doc) {
        if last.as_deref().is_some_and(|p| pointer::is_prefix(p, &ptr)) {
            continue;
        }
        if pointer::get_ptr(doc, &ptr).and_then(Value::as_object).is_some_and(|o| !o.contains_key("$ref")) {
            placeholders.insert(ptr.clone());
            last = Some(ptr);
        }
    }
    // The document copied without the schemas' contents (not copied whole, then emptied).
    let shallow = without_schemas(doc, &mut String::new(), &placeholders);
    match OpenAPI::deserialize(&shallow) {
        Ok(api) => Ok(api),
        Err(e) => Err(locate(&shallow, e.to_string())),
    }
}

/// A copy of `v` (at pointer `ptr`) in which every object at a pointer of
/// `placeholders` is `{}`.
fn without_schemas(v: &Value, ptr: &mut String, placeholders: &HashSet<String>) -> Value {
    match v {
        Value::Object(_) if placeholders.contains(ptr.as_str()) => Value::Object(serde_json::Map::new()),
        Value::Object(m) => {
            let mut out = serde_json::Map::with_capacity(m.len());
            for (k, sub) in m {
                let len = ptr.len();
                pointer::push_token(ptr, k);
                out.insert(k.clone(), without_schemas(sub, ptr, placeholders));
                ptr.truncate(len);
            }
            Value::Object(out)
        }
        Value::Array(a) => {
            let mut out = Vec::with_capacity(a.len());
            for (i, sub) in a.iter().enumerate() {
                let len = ptr.len();
                pointer::push_index(ptr, i);
                out.push(without_schemas(sub, ptr, placeholders));
                ptr.truncate(len);
            }
            Value::Array(out)
        }
        other => other.clone(),
    }
}

/// The smallest part of `doc` (path item, operation, parameter, component)
/// that does not convert, and serde's reason; the root when none alone fails.
fn locate(doc: &Value, whole: String) -> (String, String) {
    let mut parts: Vec<(String, Check)> = Vec::new();
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        let ip = pointer::join("/paths", path);
        for (i, _) in item.get("parameters").and_then(Value::as_array).into_iter().flatten().enumerate() {
            parts.push((format!("{ip}/parameters/{i}"), fails::<ReferenceOr<Parameter>>));
        }
        for m in walk::METHODS {
            let Some(op) = item.get(m) else { continue };
            let op_ptr = pointer::join(&ip, m);
            for (i, _) in op.get("parameters").and_then(Value::as_array).into_iter().flatten().enumerate() {
                parts.push((format!("{op_ptr}/parameters/{i}"), fails::<ReferenceOr<Parameter>>));
            }
            parts.push((op_ptr, fails::<Operation>));
        }
        parts.push((ip, fails::<ReferenceOr<PathItem>>));
    }
    for (kind, entries) in doc.pointer("/components").and_then(Value::as_object).into_iter().flatten() {
        for (name, _) in entries.as_object().into_iter().flatten() {
            let check: Check = match kind.as_str() {
                "parameters" => fails::<ReferenceOr<Parameter>>,
                "responses" => fails::<ReferenceOr<openapiv3::Response>>,
                "requestBodies" => fails::<ReferenceOr<openapiv3::RequestBody>>,
                _ => continue,
            };
            parts.push((pointer::join(&pointer::join("/components", kind), name), check));
        }
    }
    for (ptr, check) in parts {
        if let Some(why) = pointer::get_ptr(doc, &ptr).and_then(check) {
            return (ptr, why);
        }
    }
    (String::new(), whole)
}

/// Why a JSON value does not convert to one model type, if it does not.
type Check = fn(&Value) -> Option<String>;

fn fails<T: DeserializeOwned>(v: &Value) -> Option<String> {
    serde_json::from_value::<T>(v.clone()).err().map(|e| e.to_string())
}

/// The conversion as a check of analysis: a located error when `doc` does not fit the model.
pub fn check(doc: &Value, map: &SourceMap, diags: &mut Diagnostics) -> Option<OpenAPI> {
    match convert(doc) {
        Ok(api) => Some(api),
        Err((ptr, why)) => {
            diags.at(
                map,
                Severity::Error,
                Code::InvalidType,
                &ptr,
                format!("this part of the document does not fit the OpenAPI 3.0 model: {why}"),
                "make it a valid OpenAPI 3.0 object (an overlay can repair it)",
            );
            None
        }
    }
}

impl<'a> Model<'a> {
    /// The model of `value`, converted once by analysis.
    pub fn new(value: &'a Value, api: &'a OpenAPI) -> Self {
        Model { value, api: Cow::Borrowed(api) }
    }

    /// The model of a document that analysis did not convert (a document built in memory).
    pub fn of(value: &'a Value) -> Result<Self, (String, String)> {
        Ok(Model { value, api: Cow::Owned(convert(value)?) })
    }

    /// Every operation, in the order of [`walk::operations`] (the one
    /// operation iterator), read through the typed model.
    pub fn operations(&self) -> Vec<TypedOperation<'_>> {
        walk::operations(self.value)
            .filter_map(|op| {
                let Some(ReferenceOr::Item(item)) = self.api.paths.paths.get(op.path) else { return None };
                let operation = method(item, op.method)?;
                let parameters = op
                    .parameters
                    .iter()
                    .filter_map(|p| Some((p.pointer.clone(), self.parameter(&p.pointer, p.value)?)))
                    .collect();
                Some(TypedOperation { path: op.path, method: op.method, pointer: op.pointer, operation, parameters })
            })
            .collect()
    }

    /// The typed parameter at `ptr` (whose JSON is `value`): from the model
    /// where it is declared there, else converted from `value` (a `$ref`
    /// may point anywhere in the document).
    fn parameter(&self, ptr: &str, value: &Value) -> Option<Cow<'_, Parameter>> {
        let tokens = pointer::parse_pointer(ptr).ok()?;
        let index = |t: &String| t.parse::<usize>().ok();
        let found = match tokens.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            ["components", "parameters", name] => {
                self.api.components.as_ref().and_then(|c| c.parameters.get(*name)).and_then(item_of)
            }
            ["paths", path, "parameters", _] => match self.api.paths.paths.get(*path) {
                Some(ReferenceOr::Item(pi)) => index(&tokens[3]).and_then(|i| pi.parameters.get(i)).and_then(item_of),
                _ => None,
            },
            ["paths", path, m, "parameters", _] => match self.api.paths.paths.get(*path) {
                Some(ReferenceOr::Item(pi)) => {
                    method(pi, m).and_then(|op| index(&tokens[4]).and_then(|i| op.parameters.get(i))).and_then(item_of)
                }
                _ => None,
            },
            _ => None,
        };
        match found {
            Some(p) => Some(Cow::Borrowed(p)),
            None => serde_json::from_value(value.clone()).ok().map(Cow::Owned),
        }
    }
}

/// The item of a `ReferenceOr` that is not a reference.
fn item_of<T>(r: &ReferenceOr<T>) -> Option<&T> {
    match r {
        ReferenceOr::Item(t) => Some(t),
        ReferenceOr::Reference { .. } => None,
    }
}

/// The operation of a path item for a lower-case method.
fn method<'i>(item: &'i PathItem, m: &str) -> Option<&'i Operation> {
    match m {
        "get" => item.get.as_ref(),
        "put" => item.put.as_ref(),
        "post" => item.post.as_ref(),
        "delete" => item.delete.as_ref(),
        "options" => item.options.as_ref(),
        "head" => item.head.as_ref(),
        "patch" => item.patch.as_ref(),
        "trace" => item.trace.as_ref(),
        _ => None,
    }
}
