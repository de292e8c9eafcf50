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
    let mut out = String::with_capacity(s.len());
    push_encoded(&mut out, s);
    out
}

/// Appends `s` percent-encoded as [`encode_component`] does, without a string of its own.
pub(crate) fn push_encoded(out: &mut String, s: &str) {
    out.extend(utf8_percent_encode(s, SEGMENT));
}

/// Appends `key=value`, both percent-encoded, after a `&` when `out` is not empty.
pub(crate) fn push_pair(out: &mut String, key: &str, value: &str) {
    if !out.is_empty() {
        out.push('&');
    }
    push_encoded(out, key);
    out.push('=');
    push_encoded(out, value);
}

impl Pair {
    /// A pair whose key and value are both encoded here.
    pub(crate) fn new(top: &str, key: &str, value: &str) -> Pair {
        let mut wire = String::with_capacity(key.len() + value.len() + 1);
        push_pair(&mut wire, key, value);
        Pair { name: top.to_owned(), wire }
    }

    /// A pair whose value is already encoded (used for comma-joined lists).
    pub(crate) fn with_encoded_value(top: &str, key: &str, encoded_value: String) -> Pair {
        let mut wire = String::with_capacity(key.len() + encoded_value.len() + 1);
        push_encoded(&mut wire, key);
        wire.push('=');
        wire.push_str(&encoded_value);
        Pair { name: top.to_owned(), wire }
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
    let mut out = String::new();
    render_into(&mut out, pairs, defaults);
    out
}

/// [`render`], appended to `out` (after a `&` when `out` is not empty).
pub(crate) fn render_into(out: &mut String, pairs: &[Pair], defaults: &[(&str, &str)]) {
    let is_default = |name: &str| defaults.iter().any(|(n, _)| *n == name);
    let separate = |out: &mut String| {
        if !out.is_empty() {
            out.push('&');
        }
    };
    for (name, value) in defaults {
        let mut overridden = false;
        for p in pairs.iter().filter(|p| p.name == *name) {
            separate(out);
            out.push_str(&p.wire);
            overridden = true;
        }
        if !overridden {
            push_pair(out, name, value);
        }
    }
    for p in pairs.iter().filter(|p| !is_default(&p.name)) {
        separate(out);
        out.push_str(&p.wire);
    }
}
