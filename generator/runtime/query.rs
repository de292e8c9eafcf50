//! Query-string serialization like `qs.stringify` (RFC 3986
//! percent-encoding, `%20` for space, bracket notation for nested objects
//! with the brackets percent-encoded).

use percent_encoding::utf8_percent_encode;
use serde_json::Value;

use super::path::SEGMENT;

/// One `name=value` pair: the raw name (to recognise overrides of the
/// API's default query parameters) and the encoded text sent on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pair {
    /// The top-level parameter name, unencoded (`auditLogFilter` for
    /// `auditLogFilter[key]`).
    pub(crate) name: String,
    /// `encoded-key=encoded-value`.
    pub(crate) wire: String,
}

/// Percent-encodes one query key or value: every byte except the RFC 3986
/// unreserved characters `A-Z a-z 0-9 - . _ ~` (so `&`, `=`, `+`, `#`, `%`,
/// `[`, `]`, `,`, space, ... are all encoded), like `qs` does.
pub fn encode_component(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

impl Pair {
    /// A pair whose key and value are both encoded here.
    pub(crate) fn new(top: &str, key: &str, value: &str) -> Pair {
        Pair::with_encoded_value(top, key, encode_component(value))
    }

    /// A pair whose value is already encoded (used for comma-joined lists).
    pub(crate) fn with_encoded_value(top: &str, key: &str, encoded_value: String) -> Pair {
        Pair { name: top.to_owned(), wire: format!("{}={encoded_value}", encode_component(key)) }
    }
}

/// The text of a JSON scalar as a query value (`true`, `12`, `1.5`, `text`);
/// `None` for `null`.
pub(crate) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        // Containers are handled by the callers; keep a stable rendering anyway.
        other => Some(other.to_string()),
    }
}

/// Flattens `value` in `style=deepObject` / `qs` bracket notation:
/// `name[key]=v`, `name[a][b]=v`, arrays as `name[key][0]=v`.
///
/// `null` members are skipped (like `undefined` in the official client);
/// empty objects and arrays produce nothing. A scalar at the top level is
/// sent as a plain `name=value`.
pub fn deep_object_pairs(name: &str, value: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    flatten(name.to_owned(), value, &mut out);
    out
}

fn flatten(prefix: String, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                flatten(format!("{prefix}[{k}]"), v, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(format!("{prefix}[{i}]"), v, out);
            }
        }
        scalar => {
            if let Some(text) = scalar_text(scalar) {
                out.push((prefix, text));
            }
        }
    }
}

/// Renders the final query string: the `defaults` slots first (each
/// replaced by the caller's own pairs of that name when there are any), then
/// the caller's other pairs in the order they were added.
pub(crate) fn render(pairs: &[Pair], defaults: &[(&str, &str)]) -> String {
    let is_default = |name: &str| defaults.iter().any(|(n, _)| *n == name);
    let mut parts: Vec<String> = Vec::with_capacity(pairs.len() + defaults.len());
    for (name, value) in defaults {
        let before = parts.len();
        parts.extend(pairs.iter().filter(|p| p.name == *name).map(|p| p.wire.clone()));
        if parts.len() == before {
            parts.push(format!("{}={}", encode_component(name), encode_component(value)));
        }
    }
    parts.extend(pairs.iter().filter(|p| !is_default(&p.name)).map(|p| p.wire.clone()));
    parts.join("&")
}
