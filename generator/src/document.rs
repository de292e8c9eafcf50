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
    let (placeholders, at) = placeholders(doc);
    // Read through the document, each placeholder as `{}`, without copying it.
    if let Ok(api) = OpenAPI::deserialize(Masked { value: doc, placeholders: &at }) {
        return Ok(api);
    }
    // A failure is read again from a copy without the schemas' contents,
    // for serde's own message and to find the smallest part that fails.
    let shallow = without_schemas(doc, &mut String::new(), &placeholders);
    match OpenAPI::deserialize(&shallow) {
        Ok(api) => Ok(api),
        Err(e) => Err(locate(&shallow, e.to_string())),
    }
}

/// The outermost schemas that become placeholders (objects without `$ref`),
/// by pointer and by address.
fn placeholders(doc: &Value) -> (HashSet<String>, HashSet<*const Value>) {
    let (mut by_pointer, mut by_address) = (HashSet::default(), HashSet::default());
    // Pointers come parent first, so a placeholder's descendants follow it.
    let mut last: Option<String> = None;
    for (ptr, schema) in walk::schemas(doc) {
        if last.as_deref().is_some_and(|p| pointer::is_prefix(p, &ptr)) {
            continue;
        }
        if schema.as_object().is_some_and(|o| !o.contains_key("$ref")) {
            by_address.insert(schema as *const Value);
            by_pointer.insert(ptr.clone());
            last = Some(ptr);
        }
    }
    (by_pointer, by_address)
}

/// `value` as serde reads a `&serde_json::Value`, except that the objects in
/// `placeholders` (by address) read as `{}`.
#[derive(Clone, Copy)]
struct Masked<'a> {
    value: &'a Value,
    placeholders: &'a HashSet<*const Value>,
}

impl<'a> Masked<'a> {
    fn at(self, value: &'a Value) -> Self {
        Masked { value, placeholders: self.placeholders }
    }
}

impl<'de> serde::Deserializer<'de> for Masked<'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        use serde::de::Error as _;
        match self.value {
            Value::Object(_) if self.placeholders.contains(&(self.value as *const Value)) => {
                visitor.visit_map(Entries { entries: None, value: None, masked: self })
            }
            Value::Object(m) => {
                let mut entries = Entries { entries: Some(m.iter()), value: None, masked: self };
                let out = visitor.visit_map(&mut entries)?;
                // As serde_json: a map not read to its end is an error.
                match entries.entries.map_or(0, |e| e.len()) {
                    0 => Ok(out),
                    _ => Err(Self::Error::invalid_length(m.len(), &"fewer elements in map")),
                }
            }
            Value::Array(a) => {
                let mut items = Items { items: a.iter(), masked: self };
                let out = visitor.visit_seq(&mut items)?;
                match items.items.len() {
                    0 => Ok(out),
                    _ => Err(Self::Error::invalid_length(a.len(), &"fewer elements in array")),
                }
            }
            scalar => scalar.deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        // The model's enums are names (strings); nothing in one is masked.
        self.value.deserialize_enum(name, variants, visitor)
    }

    fn deserialize_newtype_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

/// The members of a [`Masked`] object (none for a placeholder).
struct Entries<'a> {
    entries: Option<serde_json::map::Iter<'a>>,
    value: Option<&'a Value>,
    masked: Masked<'a>,
}

impl<'de> serde::de::MapAccess<'de> for Entries<'de> {
    type Error = serde_json::Error;

    fn next_key_seed<K: serde::de::DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Self::Error> {
        let Some((key, value)) = self.entries.as_mut().and_then(Iterator::next) else { return Ok(None) };
        self.value = Some(value);
        seed.deserialize(serde::de::value::BorrowedStrDeserializer::new(key)).map(Some)
    }

    fn next_value_seed<V: serde::de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Self::Error> {
        use serde::de::Error as _;
        let value = self.value.take().ok_or_else(|| Self::Error::custom("a map value was read before its key"))?;
        seed.deserialize(self.masked.at(value))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.as_ref().map_or(0, |e| e.len()))
    }
}

/// The items of a [`Masked`] list.
struct Items<'a> {
    items: std::slice::Iter<'a, Value>,
    masked: Masked<'a>,
}

impl<'de> serde::de::SeqAccess<'de> for Items<'de> {
    type Error = serde_json::Error;

    fn next_element_seed<T: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Self::Error> {
        self.items.next().map(|item| seed.deserialize(self.masked.at(item))).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The model as it was read before [`Masked`]: from a copy of the
    /// document without the placeholders' contents.
    fn by_copy(doc: &Value) -> Result<OpenAPI, String> {
        let shallow = without_schemas(doc, &mut String::new(), &placeholders(doc).0);
        OpenAPI::deserialize(&shallow).map_err(|e| e.to_string())
    }

    fn masked(doc: &Value) -> Result<OpenAPI, String> {
        convert(doc).map_err(|(_, why)| why)
    }

    #[test]
    fn reading_through_the_mask_gives_the_model_the_copy_gave() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mut inputs: Vec<(std::path::PathBuf, Vec<std::path::PathBuf>)> = vec![(
            format!("{root}/spec/losant-instance-api-openapi.yml").into(),
            vec![format!("{root}/spec/overlay.yml").into()],
        )];
        for entry in std::fs::read_dir(format!("{root}/tests/corpus")).expect("the corpus") {
            let path = entry.expect("an entry").path();
            if path.extension().is_some_and(|e| e == "yaml" || e == "json") {
                inputs.push((path, vec![]));
            }
        }
        assert!(inputs.len() >= 12, "Losant and the corpus");
        for (spec, overlays) in inputs {
            let analysis = crate::Config::new().overlays(overlays).analyze(&spec);
            let doc = analysis.doc.expect("read");
            let model = masked(&doc);
            assert!(model.is_ok(), "{}: {model:?}", spec.display());
            assert_eq!(model, by_copy(&doc), "{}", spec.display());
        }
    }

    #[test]
    fn placeholders_extensions_nulls_and_errors_read_as_from_the_copy() {
        let op = |schema: Value| {
            json!({"responses": {"200": {"description": "ok", "x-extra": [1, null, {"a": "b"}],
                "content": {"application/json": {"schema": schema}}}}})
        };
        let docs = [
            json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1", "x-logo": {"url": null}},
                "paths": {"/a": {"get": op(json!({"type": "object", "properties": {"p": {"type": "array", "items": {"oneOf": [{"type": "string"}]}}}})),
                                  "post": op(json!({"$ref": "#/components/schemas/S"}))}},
                "components": {"schemas": {"S": {"type": "object", "not-a-schema-keyword": [[], {}]}},
                               "parameters": {"P": {"name": "p", "in": "query", "schema": {"type": "integer", "minimum": 1}}}}}),
            // Errors: the same message from both (the masked read falls back to the copy).
            json!({"openapi": "3.0.3", "info": {"title": 1, "version": "1"}, "paths": {}}),
            json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"responses": {"200": {"description": 5}}}}}}),
            json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"parameters": [{"name": "p", "in": "nowhere"}], "responses": {}}}}}),
        ];
        for (i, doc) in docs.iter().enumerate() {
            assert_eq!(masked(doc), by_copy(doc), "document {i}");
            assert_eq!(masked(doc).is_ok(), i == 0, "document {i}");
        }
    }
}
