//! RFC 6901 JSON pointers and `$ref` fragments.

use serde_json::Value;

/// Escapes one reference token (`~` -> `~0`, `/` -> `~1`).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Joins a pointer and a raw token.
pub fn join(ptr: &str, token: &str) -> String {
    format!("{}/{}", ptr, escape(token))
}

/// True when `prefix` is `ptr` or one of its ancestors.
pub fn is_prefix(prefix: &str, ptr: &str) -> bool {
    ptr.starts_with(prefix) && (ptr.len() == prefix.len() || ptr.as_bytes()[prefix.len()] == b'/')
}

/// Why a `$ref` string is not a usable local pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefError {
    /// Points into another document.
    External,
    /// Malformed: no `#`, no leading `/`, a bad `~` escape or bad percent-encoding.
    Invalid(String),
}

/// Parses a local `$ref` (`#/a/b~1c`) into unescaped tokens.
pub fn parse_ref(r: &str) -> Result<Vec<String>, RefError> {
    let Some(frag) = r.strip_prefix('#') else {
        return Err(if r.contains('#') || r.contains('.') || r.contains(':') {
            RefError::External
        } else {
            RefError::Invalid("a local $ref starts with `#/`".into())
        });
    };
    let frag = percent_decode(frag).ok_or_else(|| RefError::Invalid("bad percent-encoding".into()))?;
    parse_pointer(&frag)
}

/// Parses an RFC 6901 pointer (`/a/b`) into unescaped tokens.
pub fn parse_pointer(p: &str) -> Result<Vec<String>, RefError> {
    if p.is_empty() {
        return Ok(vec![]);
    }
    let Some(rest) = p.strip_prefix('/') else {
        return Err(RefError::Invalid("a JSON pointer starts with `/`".into()));
    };
    rest.split('/').map(unescape).collect()
}

fn unescape(tok: &str) -> Result<String, RefError> {
    let mut out = String::with_capacity(tok.len());
    let mut chars = tok.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                other => {
                    return Err(RefError::Invalid(format!(
                        "`~{}` is not a valid escape (only `~0` and `~1` are)",
                        other.map(String::from).unwrap_or_default()
                    )))
                }
            }
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Builds a pointer string from tokens.
pub fn to_pointer(tokens: &[String]) -> String {
    tokens.iter().map(|t| format!("/{}", escape(t))).collect()
}

/// Looks up tokens in a value.
pub fn get<'a>(v: &'a Value, tokens: &[String]) -> Option<&'a Value> {
    tokens.iter().try_fold(v, |cur, t| match cur {
        Value::Object(m) => m.get(t),
        Value::Array(a) => t.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

/// Looks up a pointer string in a value.
pub fn get_ptr<'a>(v: &'a Value, ptr: &str) -> Option<&'a Value> {
    parse_pointer(ptr).ok().and_then(|t| get(v, &t))
}

/// Mutable lookup of a pointer string.
pub fn get_ptr_mut<'a>(v: &'a mut Value, ptr: &str) -> Option<&'a mut Value> {
    let tokens = parse_pointer(ptr).ok()?;
    tokens.iter().try_fold(v, |cur, t| match cur {
        Value::Object(m) => m.get_mut(t),
        Value::Array(a) => t.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
        _ => None,
    })
}

/// Splits a pointer into parent pointer and last token (unescaped).
pub fn split_last(ptr: &str) -> Option<(&str, String)> {
    let i = ptr.rfind('/')?;
    let tok = unescape(&ptr[i + 1..]).ok()?;
    Some((&ptr[..i], tok))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_round_trip() {
        let toks = parse_ref("#/paths/~1instances~1{id}/get/a~0b").unwrap();
        assert_eq!(toks, vec!["paths", "/instances/{id}", "get", "a~b"]);
        assert_eq!(to_pointer(&toks), "/paths/~1instances~1{id}/get/a~0b");
    }

    #[test]
    fn bad_escape_and_external() {
        assert!(matches!(parse_ref("#/a/~2"), Err(RefError::Invalid(_))));
        assert!(matches!(parse_ref("#/a/b~"), Err(RefError::Invalid(_))));
        assert_eq!(parse_ref("other.yml#/a"), Err(RefError::External));
        assert!(matches!(parse_ref("#a"), Err(RefError::Invalid(_))));
        assert_eq!(parse_ref("#/a%20b").unwrap(), vec!["a b"]);
    }

    #[test]
    fn prefix_is_segment_aware() {
        assert!(is_prefix("/a/b", "/a/b/c"));
        assert!(is_prefix("/a/b", "/a/b"));
        assert!(!is_prefix("/a/b", "/a/bc"));
        assert!(is_prefix("", "/x"));
    }
}
