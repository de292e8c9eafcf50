//! Path templates (`/instances/{instanceId}/orgs/{orgId}`) and the encoding
//! of path parameters as single, inert path segments.

use std::borrow::Cow;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::Error;

/// Everything except RFC 3986 "unreserved" characters is percent-encoded, so a
/// value can never introduce `/`, `?`, `#`, `;`, or an already-encoded `%2F`
/// (the `%` itself is encoded).
pub(crate) const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encodes `value` as exactly one path segment.
///
/// Refuses the empty string and the dot segments `.` and `..`, which URL
/// parsers (and servers) resolve even when percent-encoded (`%2E%2E`).
pub fn encode_segment(value: &str) -> Result<String, String> {
    match value {
        "" => Err("must not be empty".to_owned()),
        "." | ".." => Err("must not be `.` or `..`".to_owned()),
        // Through `Cow`: a value with nothing to encode is copied once, not formatted.
        _ => Ok(Cow::from(utf8_percent_encode(value, SEGMENT)).into_owned()),
    }
}

/// Substitutes every `{name}` of `template` with its already-encoded value.
///
/// Fails when a placeholder has no value, or a value names no placeholder
/// (both are bugs in the calling code, caught before any I/O).
pub(crate) fn render(template: &str, params: &[(&'static str, String)]) -> Result<String, Error> {
    if let Some((name, _)) = params.iter().find(|(name, _)| !template.contains(&format!("{{{name}}}"))) {
        return Err(Error::invalid(name, "", format!("is not a parameter of the path `{template}`")));
    }
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err(Error::invalid("path", template, "unterminated `{` in the path template"));
        };
        let name = &after[..close];
        match params.iter().rev().find(|(n, _)| *n == name) {
            Some((_, value)) => out.push_str(value),
            None => return Err(Error::invalid(name, "", "required path parameter was not provided")),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    if !out.starts_with('/') {
        out.insert(0, '/');
    }
    Ok(out)
}
