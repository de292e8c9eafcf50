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

use serde_json::Value;

use crate::diag::{Code, Severity};
use crate::ir::DefaultBody;
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
