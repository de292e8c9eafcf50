//! Document-level `x-clientgen-*` extensions: generator settings that travel
//! with the spec (usually added by an overlay), read during lowering.
//!
//! ## `x-clientgen-default-body`
//!
//! The body a request sends when it has none: for operations whose method is
//! listed and that declare no request body, or whose optional body is left
//! unset. Some APIs' own clients always send one (e.g. `{}` as JSON on a
//! bodiless `DELETE`), and strict proxies answer a `POST` without a body or
//! `Content-Length` with `411 Length Required`.
//!
//! ```yaml
//! x-clientgen-default-body:
//!   methods: [POST, PATCH, DELETE]   # HTTP methods it applies to (any case)
//!   content-type: application/json  # the Content-Type sent with it
//!   body: '{}'                       # the exact body text
//! ```
//!
//! Lowering records it per operation ([`crate::ir::Operation::default_body`]);
//! the generated builder passes it to the runtime's `Request::default_body`.
//! Without the extension nothing changes. A malformed value is an
//! `invalid-extension` error located at the offending node ([`check`]), and
//! is ignored by lowering.
//!
//! ## The API's wire conventions
//!
//! The runtime knows no API: what every request of an API sends besides its
//! operation's parameters is data, lowered into [`crate::ir::Conventions`]
//! and emitted as the `CONVENTIONS` constant of the generated `api` module.
//! The base URL defaults to the first `servers` entry (its variables replaced
//! by their defaults; none, or a relative one: `.base_url(..)` is required),
//! the credentials come from `components.securitySchemes` and `security`
//! (see the `security` module), and four extensions declare the rest:
//!
//! ```yaml
//! x-clientgen-user-agent: my-api-rust/{version}  # {version}: the crate's version
//! x-clientgen-tracing-span: my_api.request        # the span each request runs in
//! x-clientgen-default-query:                      # sent first by every request,
//!   - {name: _links, value: 'true'}               # unless it sets its own
//! x-clientgen-client-headers:                     # headers of every request:
//!   - name: Accept-Version
//!     value: ^1.30.0                              # a default value, and/or
//!     setter: accept_version                      # a ClientBuilder setter
//!     description: The API version range accepted.
//! ```
//!
//! Without them: the user agent is `<crate name>/<crate version>`, the span
//! `<crate name>.request`, and no default headers or query parameters.
//! Every problem is an `invalid-extension` error at its node; lowering then
//! ignores that extension.
//!
//! ## `x-clientgen-sse-terminator`
//!
//! The `data` of the event that ends a server-sent event stream (OpenAI's
//! `[DONE]`): at the document root for every `text/event-stream` response, or
//! on one such media type (which wins). The stream then ends cleanly at that
//! event, and one that ends without it is incomplete. A value that is not a
//! non-empty one-line string, or one on another media type, is an
//! `invalid-extension` error.

use serde_json::Value;

use crate::diag::{Code, Severity};
use crate::ir::{ClientHeader, DefaultBody};
use crate::normalize::kind;
use crate::report::Diagnostics;
use crate::source::SourceMap;
use crate::walk;

/// The name of the default-body extension at the document root.
pub const DEFAULT_BODY: &str = "x-clientgen-default-body";

/// A valid `x-clientgen-default-body`: the body and the methods it applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultBodyRule {
    /// Upper-case HTTP methods.
    pub methods: Vec<String>,
    /// What is sent.
    pub body: DefaultBody,
}

impl DefaultBodyRule {
    /// The default body of an operation with `method` (any case), if it applies.
    pub fn for_method(&self, method: &str) -> Option<&DefaultBody> {
        self.methods.iter().any(|m| m.eq_ignore_ascii_case(method)).then_some(&self.body)
    }
}

/// One problem with an extension value: `(pointer, message)`.
pub type Problem = (String, String);

/// The name of the user-agent extension at the document root.
pub const USER_AGENT: &str = "x-clientgen-user-agent";
/// The name of the tracing-span extension at the document root.
pub const TRACING_SPAN: &str = "x-clientgen-tracing-span";
/// The name of the default-query extension at the document root.
pub const DEFAULT_QUERY: &str = "x-clientgen-default-query";
/// The name of the client-headers extension at the document root.
pub const CLIENT_HEADERS: &str = "x-clientgen-client-headers";

/// The name of the server-sent-events terminator extension (document root or
/// a `text/event-stream` media type).
pub const SSE_TERMINATOR: &str = "x-clientgen-sse-terminator";

/// What a valid terminator is (the `data` of the event that ends a stream).
fn valid_terminator(s: &str) -> Result<(), &'static str> {
    // One line: a terminator is sent as a single `data:` line (`data: [DONE]`).
    let ok = !s.is_empty() && !s.contains(['\r', '\n', '\0']);
    ok.then_some(()).ok_or("the data of the last event, a non-empty string on one line (e.g. `[DONE]`)")
}

/// `x-clientgen-sse-terminator` at the document root: the `data` of the
/// event that ends every event stream of the API (e.g. OpenAI's `[DONE]`).
pub fn sse_terminator(doc: &Value) -> Result<Option<String>, Vec<Problem>> {
    string_ext(doc, SSE_TERMINATOR, valid_terminator)
}

/// The terminator of the `text/event-stream` media type object `media` (at
/// `ptr`): its own `x-clientgen-sse-terminator`, else the document's
/// (`doc_default`). Invalid values are ignored here and reported by [`check`].
pub fn media_sse_terminator(media: &Value, doc_default: Option<&str>) -> Option<String> {
    match media.get(SSE_TERMINATOR) {
        Some(Value::String(s)) if valid_terminator(s).is_ok() => Some(s.clone()),
        Some(_) => None,
        None => doc_default.map(str::to_string),
    }
}

/// The problems of every media-type `x-clientgen-sse-terminator`: an invalid
/// value, or one on a media type other than `text/event-stream`.
fn media_terminator_problems(doc: &Value) -> Vec<Problem> {
    let mut seen = std::collections::BTreeSet::new();
    let mut problems = Vec::new();
    for op in walk::operations(doc) {
        let responses = op.value.get("responses").and_then(Value::as_object).into_iter().flatten();
        for (code, r) in responses {
            let rptr = crate::pointer::join(&format!("{}/responses", op.pointer), code);
            let (r, rptr) = crate::media::deref(doc, r, &rptr);
            for (mt, m) in r.get("content").and_then(Value::as_object).into_iter().flatten() {
                let Some(v) = m.get(SSE_TERMINATOR) else { continue };
                let at = crate::pointer::join(&crate::pointer::join(&format!("{rptr}/content"), mt), SSE_TERMINATOR);
                if !seen.insert(at.clone()) {
                    continue;
                }
                let essence = mt.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
                let problem = match v {
                    _ if essence != "text/event-stream" => {
                        Some(format!("`{SSE_TERMINATOR}` applies to `text/event-stream` only, not to `{mt}`"))
                    }
                    Value::String(s) => {
                        valid_terminator(s).err().map(|e| format!("`{SSE_TERMINATOR}` must be {e}, not {s:?}"))
                    }
                    other => Some(format!("`{SSE_TERMINATOR}` must be a string, not {}", kind(other))),
                };
                problems.extend(problem.map(|p| (at, p)));
            }
        }
    }
    problems
}

/// `x-clientgen-user-agent`: a valid header value; `{version}` stands for the crate version.
pub fn user_agent(doc: &Value) -> Result<Option<String>, Vec<Problem>> {
    string_ext(doc, USER_AGENT, |s| {
        (!s.is_empty() && is_header_value(s)).then_some(()).ok_or("a non-empty header value (visible ASCII)")
    })
}

/// `x-clientgen-tracing-span`: ASCII letters, digits, `_ . : -`.
pub fn tracing_span(doc: &Value) -> Result<Option<String>, Vec<Problem>> {
    string_ext(doc, TRACING_SPAN, |s| {
        let ok = !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "_.:-".contains(c));
        ok.then_some(()).ok_or("a span name of ASCII letters, digits, `_`, `.`, `:` and `-`")
    })
}

/// `x-clientgen-default-query`: `[{name, value}]`, the value a string, number or boolean.
pub fn default_query(doc: &Value) -> Result<Vec<(String, String)>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for (at, entry) in entries(doc, DEFAULT_QUERY, &["name", "value"], &mut problems) {
        let name = required_str(entry, &at, "name", &mut problems, |s| !s.is_empty(), "a non-empty parameter name");
        let value = match entry.get("value") {
            Some(v @ (Value::String(_) | Value::Number(_) | Value::Bool(_))) => Some(text(v)),
            Some(other) => {
                problems.push((format!("{at}/value"), format!("`value` must be a string, not {}", kind(other))));
                None
            }
            None => {
                problems.push((at.clone(), "missing `value`".into()));
                None
            }
        };
        if let (Some(name), Some(value)) = (name, value) {
            if out.iter().any(|(n, _)| *n == name) {
                problems.push((format!("{at}/name"), format!("`{name}` is declared twice")));
            }
            out.push((name, value));
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// `x-clientgen-client-headers`: `[{name, value?, setter?, description?}]`, with a value or a setter.
pub fn client_headers(doc: &Value) -> Result<Vec<ClientHeader>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut out: Vec<ClientHeader> = Vec::new();
    for (at, entry) in entries(doc, CLIENT_HEADERS, &["name", "value", "setter", "description"], &mut problems) {
        let before = problems.len();
        let name = required_str(entry, &at, "name", &mut problems, is_header_name, "an HTTP header name");
        let value = optional_str(entry, &at, "value", &mut problems, is_header_value, "a header value (visible ASCII)");
        let setter = optional_str(entry, &at, "setter", &mut problems, is_snake_ident, "a snake_case Rust identifier");
        let description = optional_str(entry, &at, "description", &mut problems, |_| true, "text");
        if value.is_none() && setter.is_none() && problems.len() == before {
            problems.push((at.clone(), "give a default `value`, a `setter`, or both".into()));
        }
        let Some(name) = name else { continue };
        if out.iter().any(|h| h.name.eq_ignore_ascii_case(&name)) {
            problems.push((format!("{at}/name"), format!("header `{name}` is declared twice")));
        }
        if let Some(set) = setter.as_ref().filter(|s| out.iter().any(|h| h.setter.as_ref() == Some(s))) {
            problems.push((format!("{at}/setter"), format!("setter `{set}` is declared twice")));
        }
        out.push(ClientHeader { name, value, setter, description });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// A string extension checked by `valid` (which says what is expected).
fn string_ext(
    doc: &Value,
    ext: &str,
    valid: impl Fn(&str) -> Result<(), &'static str>,
) -> Result<Option<String>, Vec<Problem>> {
    match doc.get(ext) {
        None => Ok(None),
        Some(Value::String(s)) => match valid(s) {
            Ok(()) => Ok(Some(s.clone())),
            Err(expected) => Err(vec![(format!("/{ext}"), format!("`{ext}` must be {expected}, not `{s}`"))]),
        },
        Some(other) => Err(vec![(format!("/{ext}"), format!("`{ext}` must be a string, not {}", kind(other)))]),
    }
}

/// The mappings of a list extension with their pointers; problems for anything else and unknown keys.
fn entries<'v>(
    doc: &'v Value,
    ext: &str,
    keys: &[&str],
    problems: &mut Vec<Problem>,
) -> Vec<(String, &'v serde_json::Map<String, Value>)> {
    let at = format!("/{ext}");
    let items = match doc.get(ext) {
        None => return Vec::new(),
        Some(Value::Array(items)) => items,
        Some(other) => {
            problems.push((at, format!("`{ext}` must be a list of mappings, not {}", kind(other))));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let here = format!("{at}/{i}");
        match item.as_object() {
            Some(obj) => {
                for key in obj.keys().filter(|k| !keys.contains(&k.as_str())) {
                    problems.push((format!("{here}/{key}"), format!("unknown key `{key}` in `{ext}`")));
                }
                out.push((here, obj));
            }
            None => problems.push((here, format!("each entry of `{ext}` must be a mapping, not {}", kind(item)))),
        }
    }
    out
}

fn optional_str(
    obj: &serde_json::Map<String, Value>,
    at: &str,
    key: &str,
    problems: &mut Vec<Problem>,
    valid: impl Fn(&str) -> bool,
    expected: &str,
) -> Option<String> {
    match obj.get(key) {
        None => None,
        Some(Value::String(s)) if valid(s) => Some(s.clone()),
        Some(other) => {
            problems.push((format!("{at}/{key}"), format!("`{key}` must be {expected}, not `{}`", text(other))));
            None
        }
    }
}

fn required_str(
    obj: &serde_json::Map<String, Value>,
    at: &str,
    key: &str,
    problems: &mut Vec<Problem>,
    valid: impl Fn(&str) -> bool,
    expected: &str,
) -> Option<String> {
    if !obj.contains_key(key) {
        problems.push((at.to_string(), format!("missing `{key}`")));
    }
    optional_str(obj, at, key, problems, valid, expected)
}

/// An RFC 9110 token.
fn is_header_name(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Visible ASCII and spaces: a header value the runtime accepts.
fn is_header_value(s: &str) -> bool {
    s.bytes().all(|b| b == b' ' || b.is_ascii_graphic())
}

fn is_snake_ident(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && s != "_"
}

/// Reads `x-clientgen-default-body` from the document root: `Ok(None)` when
/// absent, every problem found when malformed.
pub fn default_body(doc: &Value) -> Result<Option<DefaultBodyRule>, Vec<Problem>> {
    let Some(ext) = doc.get(DEFAULT_BODY) else { return Ok(None) };
    let at = format!("/{DEFAULT_BODY}");
    let Some(obj) = ext.as_object() else {
        return Err(vec![(at, format!("`{DEFAULT_BODY}` must be a mapping, not {}", kind(ext)))]);
    };
    let mut problems = Vec::new();
    for key in obj.keys() {
        if !matches!(key.as_str(), "methods" | "content-type" | "body") {
            problems.push((format!("{at}/{key}"), format!("unknown key `{key}` in `{DEFAULT_BODY}`")));
        }
    }
    let mut methods = Vec::new();
    match obj.get("methods") {
        Some(Value::Array(items)) if !items.is_empty() => {
            for (i, m) in items.iter().enumerate() {
                match m.as_str().filter(|s| walk::METHODS.contains(&s.to_ascii_lowercase().as_str())) {
                    Some(s) => methods.push(s.to_ascii_uppercase()),
                    None => problems.push((
                        format!("{at}/methods/{i}"),
                        format!("`{}` is not an HTTP method of OpenAPI 3.0", text(m)),
                    )),
                }
            }
        }
        Some(other) => problems.push((
            format!("{at}/methods"),
            format!("`methods` must be a non-empty list of HTTP methods, not {}", kind(other)),
        )),
        None => problems.push((at.clone(), "missing `methods`".into())),
    }
    let content_type = match obj.get("content-type") {
        Some(Value::String(ct)) if is_media_type(ct) => Some(ct.clone()),
        Some(other) => {
            problems.push((
                format!("{at}/content-type"),
                format!("`content-type` must be a media type such as `application/json`, not `{}`", text(other)),
            ));
            None
        }
        None => {
            problems.push((at.clone(), "missing `content-type`".into()));
            None
        }
    };
    let body = match obj.get("body") {
        Some(Value::String(b)) => Some(b.clone()),
        Some(other) => {
            problems.push((
                format!("{at}/body"),
                format!("`body` must be the body's text as a string (e.g. '{{}}'), not {}", kind(other)),
            ));
            None
        }
        None => {
            problems.push((at.clone(), "missing `body`".into()));
            None
        }
    };
    match (content_type, body) {
        (Some(content_type), Some(body)) if problems.is_empty() => {
            Ok(Some(DefaultBodyRule { methods, body: DefaultBody { content_type, body } }))
        }
        _ => Err(problems),
    }
}

/// `type/subtype` (parameters allowed), visible ASCII only: a valid header value.
fn is_media_type(s: &str) -> bool {
    let essence = s.split(';').next().unwrap_or_default().trim();
    s.bytes().all(|b| b == b' ' || b.is_ascii_graphic())
        && essence.split_once('/').is_some_and(|(t, st)| !t.is_empty() && !st.is_empty() && !st.contains('/'))
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Reports every malformed `x-clientgen-*` extension as a located error.
pub fn check(doc: &Value, map: &SourceMap, diags: &mut Diagnostics) {
    let conventions = [
        (USER_AGENT, user_agent(doc).err(), "write `x-clientgen-user-agent: my-api-rust/{version}`"),
        (TRACING_SPAN, tracing_span(doc).err(), "write `x-clientgen-tracing-span: my_api.request`"),
        (DEFAULT_QUERY, default_query(doc).err(), "write `x-clientgen-default-query: [{name: _links, value: 'true'}]`"),
        (
            CLIENT_HEADERS,
            client_headers(doc).err(),
            "write `x-clientgen-client-headers: [{name: Accept-Version, value: '^1.0.0', setter: accept_version}]`",
        ),
    ];
    let mut terminator = sse_terminator(doc).err().unwrap_or_default();
    terminator.extend(media_terminator_problems(doc));
    let conventions = conventions.into_iter().chain([(
        SSE_TERMINATOR,
        (!terminator.is_empty()).then_some(terminator),
        "write `x-clientgen-sse-terminator: '[DONE]'` (the document's, or on a `text/event-stream` media type)",
    )]);
    for (_, problems, hint) in conventions {
        for (ptr, message) in problems.unwrap_or_default() {
            diags.at(map, Severity::Error, Code::InvalidExtension, &ptr, message, hint);
        }
    }
    for (ptr, message) in default_body(doc).err().unwrap_or_default() {
        diags.at(
            map,
            Severity::Error,
            Code::InvalidExtension,
            &ptr,
            message,
            format!(
                "write `{DEFAULT_BODY}: {{methods: [POST, PATCH, DELETE], content-type: application/json, body: '{{}}'}}`"
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn absent_is_none_and_valid_is_read() {
        assert_eq!(default_body(&json!({"openapi": "3.0.3"})), Ok(None));
        let rule = default_body(
            &json!({(DEFAULT_BODY): {"methods": ["post", "DELETE"], "content-type": "application/json", "body": "{}"}}),
        )
        .unwrap()
        .unwrap();
        assert_eq!(rule.methods, ["POST", "DELETE"]);
        assert_eq!(
            rule.for_method("delete"),
            Some(&DefaultBody { content_type: "application/json".into(), body: "{}".into() })
        );
        assert_eq!(rule.for_method("GET"), None);
    }

    #[test]
    fn convention_extensions_are_read_and_their_problems_located() {
        let doc = json!({
            (USER_AGENT): "my-api/{version}",
            (TRACING_SPAN): "my_api.request",
            (DEFAULT_QUERY): [{"name": "a", "value": false}, {"name": "b", "value": "x y"}],
            (CLIENT_HEADERS): [{"name": "Api-Version", "value": "2", "setter": "api_version"}, {"name": "X-Tenant", "setter": "tenant"}],
        });
        assert_eq!(user_agent(&doc), Ok(Some("my-api/{version}".into())));
        assert_eq!(tracing_span(&doc), Ok(Some("my_api.request".into())));
        assert_eq!(default_query(&doc), Ok(vec![("a".into(), "false".into()), ("b".into(), "x y".into())]));
        let headers = client_headers(&doc).unwrap();
        assert_eq!(
            headers[1],
            ClientHeader { name: "X-Tenant".into(), value: None, setter: Some("tenant".into()), description: None }
        );
        let bad = json!({
            (USER_AGENT): "a\nb",
            (TRACING_SPAN): 3,
            (DEFAULT_QUERY): [{"name": "a"}, {"name": "a", "value": []}, "x"],
            (CLIENT_HEADERS): [{"name": "Bad Name", "value": "v"}, {"name": "X"}, {"name": "Y", "setter": "NotSnake", "extra": 1}],
        });
        let at = |r: Result<Vec<String>, Vec<Problem>>| r.unwrap_err().into_iter().map(|(p, _)| p).collect::<Vec<_>>();
        assert_eq!(at(user_agent(&bad).map(|_| vec![])), ["/x-clientgen-user-agent"]);
        assert_eq!(at(tracing_span(&bad).map(|_| vec![])), ["/x-clientgen-tracing-span"]);
        assert_eq!(
            at(default_query(&bad).map(|_| vec![])),
            ["/x-clientgen-default-query/2", "/x-clientgen-default-query/0", "/x-clientgen-default-query/1/value"]
        );
        assert_eq!(
            at(client_headers(&bad).map(|_| vec![])),
            [
                "/x-clientgen-client-headers/2/extra",
                "/x-clientgen-client-headers/0/name",
                "/x-clientgen-client-headers/1",
                "/x-clientgen-client-headers/2/setter",
            ]
        );
    }

    #[test]
    fn every_problem_is_located() {
        let problems = |v: Value| default_body(&json!({ (DEFAULT_BODY): v })).unwrap_err();
        let at = |p: &[Problem]| p.iter().map(|(ptr, _)| ptr.clone()).collect::<Vec<_>>();
        assert_eq!(at(&problems(json!("{}"))), ["/x-clientgen-default-body"]);
        assert_eq!(
            at(&problems(json!({"methods": ["POST", "FETCH", 3], "content-type": "json", "body": {}, "bodyy": 1}))),
            [
                "/x-clientgen-default-body/bodyy",
                "/x-clientgen-default-body/methods/1",
                "/x-clientgen-default-body/methods/2",
                "/x-clientgen-default-body/content-type",
                "/x-clientgen-default-body/body",
            ]
        );
        assert_eq!(
            at(&problems(json!({"methods": [], "content-type": "text/plain\n"}))),
            [
                "/x-clientgen-default-body/methods",
                "/x-clientgen-default-body/content-type",
                "/x-clientgen-default-body"
            ]
        );
    }
}
