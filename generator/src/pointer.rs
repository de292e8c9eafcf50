//! RFC 6901 JSON pointers and `$ref` fragments.

use std::borrow::Cow;

use serde_json::{Map, Value};

/// Escapes one reference token (`~` -> `~0`, `/` -> `~1`).
pub fn escape(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    push_escaped(&mut out, token);
    out
}

fn push_escaped(out: &mut String, token: &str) {
    // A byte scan: both are ASCII, and searching for a set of chars decodes each one.
    if !token.bytes().any(|b| b == b'~' || b == b'/') {
        out.push_str(token);
        return;
    }
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

/// Joins a pointer and a raw token.
pub fn join(ptr: &str, token: &str) -> String {
    let mut out = String::with_capacity(ptr.len() + 1 + token.len());
    out.push_str(ptr);
    push_token(&mut out, token);
    out
}

/// Appends `/` and `token` escaped: `ptr` becomes its child's pointer.
pub(crate) fn push_token(ptr: &mut String, token: &str) {
    ptr.push('/');
    push_escaped(ptr, token);
}

/// Appends `/` and an array index.
pub(crate) fn push_index(ptr: &mut String, index: usize) {
    use std::fmt::Write;
    // Writing into a String cannot fail.
    let _ = write!(ptr, "/{index}");
}

/// One step of a path through a document, borrowed from it: walks that
/// write a pointer only for the nodes they report keep their path as these.
pub(crate) enum Token<'a> {
    /// A member of a mapping.
    Key(&'a str),
    /// An item of a list.
    Index(usize),
}

/// The pointer of a path of [`Token`]s.
pub(crate) fn of_tokens<'t, 'a: 't>(tokens: impl IntoIterator<Item = &'t Token<'a>>) -> String {
    let mut ptr = String::new();
    for t in tokens {
        match t {
            Token::Key(k) => push_token(&mut ptr, k),
            Token::Index(i) => push_index(&mut ptr, *i),
        }
    }
    ptr
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
    let mut ptr = String::with_capacity(tokens.iter().map(|t| t.len() + 1).sum());
    tokens.iter().for_each(|t| push_token(&mut ptr, t));
    ptr
}

/// Objects up to this many members are searched key by key: comparing a
/// few keys, most of which differ in length, costs less than hashing one
/// with the map's SipHash (most of a spec's objects are this small).
const SCAN_MAX: usize = 8;

/// The member `key` of an object.
pub fn member<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if m.len() <= SCAN_MAX {
        m.iter().find_map(|(k, v)| (k == key).then_some(v))
    } else {
        m.get(key)
    }
}

/// `get` by key through [`member`] (small objects are scanned, not hashed):
/// the member of an object, `None` for any other value.
pub(crate) trait Member {
    /// The member `key`, if this is an object that has one.
    fn member(&self, key: &str) -> Option<&Value>;
}

impl Member for Map<String, Value> {
    fn member(&self, key: &str) -> Option<&Value> {
        member(self, key)
    }
}

impl Member for Value {
    fn member(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(m) => member(m, key),
            _ => None,
        }
    }
}

/// [`member`], mutable.
pub fn member_mut<'a>(m: &'a mut Map<String, Value>, key: &str) -> Option<&'a mut Value> {
    if m.len() <= SCAN_MAX {
        m.iter_mut().find_map(|(k, v)| (k == key).then_some(v))
    } else {
        m.get_mut(key)
    }
}

/// Looks up tokens in a value.
pub fn get<'a>(v: &'a Value, tokens: &[String]) -> Option<&'a Value> {
    tokens.iter().try_fold(v, |cur, t| match cur {
        Value::Object(m) => member(m, t),
        Value::Array(a) => t.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

/// Looks up a pointer string in a value (no allocation unless a token is escaped).
pub fn get_ptr<'a>(v: &'a Value, ptr: &str) -> Option<&'a Value> {
    tokens(ptr)?.try_fold(v, |cur, t| match cur {
        Value::Object(m) => member(m, t.ok()?.as_ref()),
        Value::Array(a) => t.ok()?.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

/// Mutable lookup of a pointer string.
pub fn get_ptr_mut<'a>(v: &'a mut Value, ptr: &str) -> Option<&'a mut Value> {
    tokens(ptr)?.try_fold(v, |cur, t| match cur {
        Value::Object(m) => member_mut(m, t.ok()?.as_ref()),
        Value::Array(a) => t.ok()?.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
        _ => None,
    })
}

/// A pointer's tokens, unescaped, borrowed when they hold no `~`; `None` when
/// the pointer does not start with `/` (the empty pointer has no tokens).
fn tokens(ptr: &str) -> Option<impl Iterator<Item = Result<Cow<'_, str>, RefError>>> {
    let rest = if ptr.is_empty() { None } else { Some(ptr.strip_prefix('/')?) };
    Some(RawTokens(rest).map(|(t, escaped)| if escaped { unescape(t).map(Cow::Owned) } else { Ok(Cow::Borrowed(t)) }))
}

/// The `/`-separated tokens of a pointer's rest (after its first `/`), each
/// with whether it holds a `~`, found in one pass over its bytes (tokens are
/// short: a pass costs less than searching twice).
struct RawTokens<'a>(Option<&'a str>);

impl<'a> Iterator for RawTokens<'a> {
    type Item = (&'a str, bool);

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.0?;
        let mut escaped = false;
        for (i, b) in rest.bytes().enumerate() {
            match b {
                b'/' => {
                    self.0 = Some(&rest[i + 1..]);
                    return Some((&rest[..i], escaped));
                }
                b'~' => escaped = true,
                _ => {}
            }
        }
        self.0 = None;
        Some((rest, escaped))
    }
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
    fn lookups_unescape_tokens_and_index_arrays() {
        let mut doc = serde_json::json!({"paths": {"/a/{id}": {"get": {"x~y": [10, 11]}}}, "": {"e": 1}});
        let found = |p: &str| get_ptr(&doc, p).cloned();
        assert_eq!(found(""), Some(doc.clone()));
        assert_eq!(found("/paths/~1a~1{id}/get/x~0y/1"), Some(serde_json::json!(11)));
        assert_eq!(found("//e"), Some(serde_json::json!(1)));
        assert_eq!(found("/paths/~1a~1{id}/get/x~0y/2"), None);
        assert_eq!(found("/paths/~1a~1{id}/get/x~0y/one"), None);
        assert_eq!(found("/paths/~2a"), None, "a bad escape finds nothing");
        assert_eq!(found("paths"), None, "a pointer starts with `/`");
        assert_eq!(found("/paths/~1a~1{id}/get/x~0y/0/deeper"), None);
        *get_ptr_mut(&mut doc, "/paths/~1a~1{id}/get/x~0y/0").expect("found") = serde_json::json!(9);
        assert_eq!(doc["paths"]["/a/{id}"]["get"]["x~y"][0], 9);
        assert!(get_ptr_mut(&mut doc, "/paths/~9").is_none());
        assert_eq!(join("/paths", "/a~b"), "/paths/~1a~0b");
        assert_eq!(escape("plain"), "plain");
    }

    #[test]
    fn raw_tokens_split_as_str_split_does() {
        for rest in ["", "a", "a/b", "a//b", "/", "a/", "~0/x~1y/~", "ab~/c", "é/ü~1/"] {
            let expected: Vec<(&str, bool)> = rest.split('/').map(|t| (t, t.contains('~'))).collect();
            assert_eq!(RawTokens(Some(rest)).collect::<Vec<_>>(), expected, "{rest:?}");
        }
        assert_eq!(RawTokens(None).next(), None);
    }

    #[test]
    fn member_agrees_with_the_map_on_either_side_of_the_scan_limit() {
        for n in [0, 1, SCAN_MAX - 1, SCAN_MAX, SCAN_MAX + 1, 3 * SCAN_MAX] {
            let mut m: Map<String, Value> = (0..n).map(|i| (format!("k{i}"), Value::from(i))).collect();
            let keys: Vec<String> = (0..n + 2).map(|i| format!("k{i}")).chain(["".into(), "k".into()]).collect();
            for k in &keys {
                assert_eq!(member(&m, k), m.get(k), "{n} members, key {k:?}");
                let expected = m.get(k).cloned();
                assert_eq!(member_mut(&mut m, k).map(|v| v.clone()), expected, "{n} members, key {k:?}");
            }
            if let Some(v) = member_mut(&mut m, "k0") {
                *v = Value::from("changed");
                assert_eq!(m["k0"], "changed", "{n} members: the write reaches the map");
            }
        }
    }

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
