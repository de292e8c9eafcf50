//! Bodies by media type: which entry of a `content` map an operation's
//! request or success response uses, how it is encoded, and the located
//! warnings for what the client can only pass through as raw bytes.
//!
//! One method per operation: of several media types, the first family in
//! this order wins (the first in document order within a family):
//! requests JSON, form, multipart, text, binary, other; responses JSON,
//! text, binary, other. A response's `text/event-stream` is not one of them:
//! its events get a method of their own (see [`events`]).

use serde_json::Value;

use crate::diag::{Code, Severity};
use crate::ir::FormEncoding;
use crate::pointer::{self, Member};
use crate::report::Diagnostics;
use crate::resolve::Resolver;
use crate::source::SourceMap;
use crate::walk;

/// A media type's family, in order of preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Family {
    /// `application/json` (any parameters), `*+json`, `*/*`.
    Json,
    /// `application/x-www-form-urlencoded` (requests only).
    Form,
    /// `multipart/form-data` (requests only).
    Multipart,
    /// `text/*`.
    Text,
    /// `application/octet-stream`, `image/*`, `audio/*`, `video/*`,
    /// `application/pdf`, `application/zip`, or a `format: binary` schema.
    Binary,
    /// Anything else: raw bytes, with an `unsupported-media-type` warning.
    Other,
    /// `text/event-stream` (responses only): server-sent events, read as a
    /// stream of events by a method of its own, never as the body of `send()`
    /// when the response offers another media type.
    Events,
}

/// The media type an operation's body uses.
#[derive(Debug, Clone)]
pub struct Chosen<'v> {
    /// The media type as declared (the `content` key).
    pub media_type: String,
    /// Its family.
    pub family: Family,
    /// Pointer of the media type object.
    pub pointer: String,
    /// The media type object.
    pub value: &'v Value,
}

impl Chosen<'_> {
    /// Pointer of its `schema`, when it has one.
    pub fn schema_pointer(&self) -> Option<String> {
        self.value.member("schema").map(|_| format!("{}/schema", self.pointer))
    }
}

/// Follows `$ref`s from `v` (at `ptr`); as written when they do not resolve.
pub fn deref<'v>(doc: &'v Value, v: &'v Value, ptr: &str) -> (&'v Value, String) {
    match Resolver::new(doc).follow_node(v, ptr) {
        Ok(t) => (t.value, t.pointer),
        Err(_) => (v, ptr.to_string()),
    }
}

/// Whether the schema is a binary string (`type: string, format: binary`).
pub fn is_binary(doc: &Value, schema: Option<&Value>, ptr: &str) -> bool {
    schema.is_some_and(|s| {
        let (s, _) = deref(doc, s, ptr);
        s.member("type").and_then(Value::as_str) == Some("string")
            && s.member("format").and_then(Value::as_str) == Some("binary")
    })
}

/// `mt` without its parameters, lowercased (`Application/JSON; charset=utf-8` → `application/json`).
fn essence(mt: &str) -> String {
    mt.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

/// A JSON media type: `application/json` (with any parameters), `*+json`, or `*/*`.
pub fn is_json(mt: &str) -> bool {
    let base = essence(mt);
    base == "application/json" || base.ends_with("+json") || base == "*/*"
}

/// The family of media type `mt` (of a request body when `request`).
pub fn family(doc: &Value, mt: &str, media: &Value, ptr: &str, request: bool) -> Family {
    let base = essence(mt);
    let binary_types = ["application/octet-stream", "application/pdf", "application/zip"];
    let binary_prefixes = ["image/", "audio/", "video/"];
    if is_json(&base) {
        Family::Json
    } else if !request && base == "text/event-stream" {
        Family::Events
    } else if request && base == "application/x-www-form-urlencoded" {
        Family::Form
    } else if request && base == "multipart/form-data" {
        Family::Multipart
    } else if base.starts_with("text/") {
        Family::Text
    } else if binary_types.contains(&base.as_str())
        || binary_prefixes.iter().any(|p| base.starts_with(p))
        || is_binary(doc, media.member("schema"), &format!("{ptr}/schema"))
    {
        Family::Binary
    } else {
        Family::Other
    }
}

/// The media types of `holder.content` with their families.
fn entries<'v>(doc: &'v Value, holder: &'v Value, ptr: &str, request: bool) -> Vec<Chosen<'v>> {
    let Some(content) = holder.member("content").and_then(Value::as_object) else { return Vec::new() };
    let content_ptr = format!("{ptr}/content");
    content
        .iter()
        .map(|(mt, m)| {
            let mptr = pointer::join(&content_ptr, mt);
            let family = family(doc, mt, m, &mptr, request);
            Chosen { media_type: mt.clone(), family, pointer: mptr, value: m }
        })
        .collect()
}

/// The media type used of `holder.content` (a request body or a response,
/// `$ref`s followed, at `ptr`): the first of the most preferred family. An
/// event stream is not a body (see [`events`]).
pub fn choose<'v>(doc: &'v Value, holder: &'v Value, ptr: &str, request: bool) -> Option<Chosen<'v>> {
    entries(doc, holder, ptr, request).into_iter().filter(|c| c.family != Family::Events).min_by_key(|c| c.family)
}

/// The `text/event-stream` media type of a response (`$ref`s followed, at
/// `ptr`), the first one if it declares several.
pub fn events<'v>(doc: &'v Value, holder: &'v Value, ptr: &str) -> Option<Chosen<'v>> {
    entries(doc, holder, ptr, false).into_iter().find(|c| c.family == Family::Events)
}

/// The encoding of form member `name` (default `style: form, explode: true`).
pub fn form_encoding(media: &Value, name: &str) -> FormEncoding {
    let enc = media.member("encoding").and_then(|e| e.get(name));
    let style = enc.and_then(|e| e.member("style")).and_then(Value::as_str);
    let explode = enc.and_then(|e| e.member("explode")).and_then(Value::as_bool);
    match (style, explode) {
        (Some("deepObject"), _) => FormEncoding::DeepObject,
        (_, Some(false)) => FormEncoding::Joined,
        _ => FormEncoding::Exploded,
    }
}

/// The properties of the schema of `chosen`: `(name, pointer, schema)`, `$ref`s followed.
pub fn properties<'v>(doc: &'v Value, chosen: &Chosen<'v>) -> Vec<(String, String, &'v Value)> {
    let Some(schema) = chosen.value.member("schema") else { return Vec::new() };
    let (schema, sptr) = deref(doc, schema, &format!("{}/schema", chosen.pointer));
    let props = schema.member("properties").and_then(Value::as_object).into_iter().flatten();
    props
        .map(|(name, p)| {
            let (p, pptr) = deref(doc, p, &pointer::join(&format!("{sptr}/properties"), name));
            (name.clone(), pptr, p)
        })
        .collect()
}

/// The names in the schema's `required` of `chosen`.
pub fn required(doc: &Value, chosen: &Chosen<'_>) -> Vec<String> {
    let Some(schema) = chosen.value.member("schema") else { return Vec::new() };
    let (schema, _) = deref(doc, schema, &format!("{}/schema", chosen.pointer));
    let names = schema.member("required").and_then(Value::as_array).into_iter().flatten();
    names.filter_map(Value::as_str).map(str::to_string).collect()
}

/// Whether a schema is an object (or an array of objects): it has no form encoding.
fn is_object(doc: &Value, s: &Value, ptr: &str) -> bool {
    let object = |s: &Value| {
        s.member("type").and_then(Value::as_str) == Some("object")
            || s.member("properties").is_some()
            || s.member("additionalProperties").is_some_and(Value::is_object)
    };
    if object(s) {
        return true;
    }
    match s.member("items") {
        Some(items) if s.member("type").and_then(Value::as_str) == Some("array") => {
            let (items, _) = deref(doc, items, &format!("{ptr}/items"));
            object(items)
        }
        _ => false,
    }
}

/// Lint: a located warning for each body the client can only pass through
/// as raw bytes, and for each form member it cannot encode.
pub fn check(doc: &Value, map: &SourceMap, diags: &mut Diagnostics) {
    for op in walk::operations(doc) {
        if let Some(body) = op.value.member("requestBody") {
            let (body, bptr) = deref(doc, body, &format!("{}/requestBody", op.pointer));
            if let Some(chosen) = choose(doc, body, &bptr, true) {
                check_chosen(doc, map, diags, &chosen, "request body", "sends it");
            }
        }
        let responses = op.value.member("responses").and_then(Value::as_object).into_iter().flatten();
        let mut codes: Vec<(&String, &Value)> = responses.collect();
        codes.sort_by(|a, b| a.0.cmp(b.0));
        // The success response the client decodes: the first 2xx.
        if let Some((code, r)) =
            codes.into_iter().find(|(c, _)| c.parse::<u16>().is_ok_and(|c| (200..300).contains(&c)))
        {
            let (r, rptr) = deref(doc, r, &pointer::join(&format!("{}/responses", op.pointer), code));
            if let Some(chosen) = choose(doc, r, &rptr, false) {
                check_chosen(doc, map, diags, &chosen, "response", "returns it");
            }
        }
    }
}

fn check_chosen(doc: &Value, map: &SourceMap, diags: &mut Diagnostics, c: &Chosen<'_>, what: &str, does: &str) {
    match c.family {
        Family::Other => diags.at(
            map,
            Severity::Warning,
            Code::UnsupportedMediaType,
            &c.pointer,
            format!("{what} media type `{}` is not supported: the client {does} as raw bytes", c.media_type),
            "use JSON, `application/x-www-form-urlencoded`, `multipart/form-data`, `text/*` or a binary media type \
             (or a `format: binary` schema) if the API accepts one",
        ),
        Family::Form => {
            for (name, pptr, p) in properties(doc, c) {
                if is_object(doc, p, &pptr) && form_encoding(c.value, &name) != FormEncoding::DeepObject {
                    diags.at(
                        map,
                        Severity::Warning,
                        Code::UnsupportedFormField,
                        &pptr,
                        format!(
                            "form field `{name}` is an object: `application/x-www-form-urlencoded` has no encoding \
                             for nested objects, so the client refuses to send a value for it"
                        ),
                        format!("declare `encoding: {{{name}: {{style: deepObject}}}}` on the media type (bracket notation) if the API reads that"),
                    );
                }
            }
        }
        _ => {}
    }
}
