//! Client-side checks of parameter values (`pattern`, `minLength`, `maxLength`
//! from the spec) run before a request is sent.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use regex_lite::Regex;

/// The constraints the spec puts on one string parameter.
///
/// Generated code writes these as `const`s and passes them to
/// [`Request::path_param`](super::Request::path_param) and
/// [`Request::validate`](super::Request::validate).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Validation {
    /// A regular expression the value must match somewhere (JSON Schema
    /// `pattern` semantics: unanchored unless the pattern anchors itself).
    pub pattern: Option<&'static str>,
    /// The minimum length in characters (Unicode scalar values).
    pub min_length: Option<usize>,
    /// The maximum length in characters (Unicode scalar values).
    pub max_length: Option<usize>,
}

impl Validation {
    /// No constraint: every value is accepted.
    pub const NONE: Validation = Validation { pattern: None, min_length: None, max_length: None };

    /// Checks `value`; the error says what was expected, e.g.
    /// `must match ^[A-Fa-f\d]{24}$ (24 hexadecimal characters)`.
    ///
    /// A pattern the regex engine cannot compile (e.g. one using
    /// look-around) is not enforced: a warning is logged once through
    /// `tracing` and the server stays the judge.
    pub fn check(&self, value: &str) -> Result<(), String> {
        let len = value.chars().count();
        if let Some(min) = self.min_length {
            if len < min {
                return Err(format!("must be at least {min} character{} long (got {len})", plural(min)));
            }
        }
        if let Some(max) = self.max_length {
            if len > max {
                return Err(format!("must be at most {max} character{} long (got {len})", plural(max)));
            }
        }
        if let Some(pattern) = self.pattern {
            let matched = match fixed_hex(pattern) {
                Some(class) => Some(value.len() == 24 && value.bytes().all(class)),
                None => compiled(pattern).map(|re| re.is_match(value)),
            };
            if matched == Some(false) {
                return Err(match describe(pattern) {
                    Some(hint) => format!("must match {pattern} ({hint})"),
                    None => format!("must match {pattern}"),
                });
            }
        }
        Ok(())
    }
}

impl Default for Validation {
    fn default() -> Self {
        Validation::NONE
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Plain-language descriptions of common patterns.
fn describe(pattern: &str) -> Option<&'static str> {
    match pattern {
        r"^[A-Fa-f\d]{24}$" | r"^[a-fA-F\d]{24}$" | "^[0-9a-fA-F]{24}$" | "^[A-Fa-f0-9]{24}$" | "^[a-f0-9]{24}$"
        | "^[0-9a-f]{24}$" => Some("24 hexadecimal characters"),
        _ => None,
    }
}

/// The byte class of a "24 hexadecimal characters" pattern (the object ids
/// of many APIs), checked without the regex
/// engine: the same result as the regex (the whole value is 24 ASCII bytes of
/// the class; `\d` is ASCII-only in `regex-lite`), at a fraction of the cost.
fn fixed_hex(pattern: &str) -> Option<fn(u8) -> bool> {
    match pattern {
        r"^[A-Fa-f\d]{24}$" | r"^[a-fA-F\d]{24}$" | "^[0-9a-fA-F]{24}$" | "^[A-Fa-f0-9]{24}$" => {
            Some(|b| b.is_ascii_hexdigit())
        }
        "^[a-f0-9]{24}$" | "^[0-9a-f]{24}$" => Some(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        _ => None,
    }
}

/// A compiled pattern (`None` when it does not compile).
type Compiled = Option<Arc<Regex>>;

/// Compiles each distinct pattern once; the cache is keyed by the pattern
/// string and lives for the process.
fn compiled(pattern: &'static str) -> Compiled {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Compiled>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    // A poisoned lock only means another thread panicked mid-insert; the map is still usable.
    let mut map = cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    map.entry(pattern)
        .or_insert_with(|| match Regex::new(pattern) {
            Ok(re) => Some(Arc::new(re)),
            Err(err) => {
                tracing::warn!(pattern, error = %err, "pattern is not supported; not enforced client-side");
                None
            }
        })
        .clone()
}
