//! Rust names from wire names: one place for case conversion, keyword
//! escaping, leading digits, symbols and collisions.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::thread::LocalKey;

use foldhash::HashMap;
use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust keywords (strict and reserved, all editions).
const KEYWORDS: [&str; 51] = [
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in",
    "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super",
    "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn", "abstract", "become", "box",
    "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: [&str; 5] = ["crate", "self", "Self", "super", "_"];

/// Symbols spelled out so that values such as `*` or `>=` still get a name.
fn spell(c: char) -> Option<&'static str> {
    Some(match c {
        '*' => " star ",
        '+' => " plus ",
        '-' => " minus ",
        '<' => " lt ",
        '>' => " gt ",
        '=' => " eq ",
        '!' => " not ",
        '@' => " at ",
        '#' => " hash ",
        '$' => " dollar ",
        '%' => " percent ",
        '&' => " and ",
        '|' => " or ",
        '/' => " slash ",
        '~' => " tilde ",
        '^' => " caret ",
        '?' => " question ",
        _ => return None,
    })
}

/// Splits a wire name into words heck understands: symbols are spelled out
/// when the name has nothing else, other punctuation separates words. A `*`
/// is always spelled: it is a wildcard (`application.*` is not `application`).
fn words(raw: &str) -> String {
    let has_alnum = raw.chars().any(char::is_alphanumeric);
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !has_alnum || c == '*' {
            out.push_str(spell(c).unwrap_or(" "));
        } else {
            out.push(' ');
        }
    }
    out
}

fn fix_start(mut s: String, prefix: &str) -> String {
    if s.is_empty() {
        return prefix.to_string() + "Empty";
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert_str(0, prefix);
    }
    s
}

/// Conversions already made on this thread, by wire name.
type Memo = RefCell<HashMap<String, String>>;

thread_local! {
    static TYPE_NAMES: Memo = RefCell::default();
    static FIELD_NAMES: Memo = RefCell::default();
}

/// A memo holds at most this many names, then starts again (a long-lived
/// process converting ever new names, such as the fuzzer, stays bounded).
const MEMO_MAX: usize = 1 << 16;

/// `convert(raw)`, made once per thread and name: a spec repeats its wire
/// names (property names, enum values, path segments) across thousands of
/// schemas, and a conversion through heck costs thousands of instructions.
fn memoized(memo: &'static LocalKey<Memo>, raw: &str, convert: fn(&str) -> String) -> String {
    memo.with(|memo| {
        if let Some(done) = memo.borrow().get(raw) {
            return done.clone();
        }
        let name = convert(raw);
        let mut memo = memo.borrow_mut();
        if memo.len() >= MEMO_MAX {
            memo.clear();
        }
        memo.insert(raw.to_string(), name.clone());
        name
    })
}

/// `UpperCamelCase` type or variant name.
pub fn type_name(raw: &str) -> String {
    memoized(&TYPE_NAMES, raw, convert_type_name)
}

fn convert_type_name(raw: &str) -> String {
    let s: String = words(raw).to_upper_camel_case().chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    // Dropping a non-ASCII capital (`Ñandú` -> `andú`) can leave a lowercase start.
    let mut s = s;
    if let Some(first) = s.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    let s = fix_start(s, "V");
    if KEYWORDS.contains(&s.as_str()) {
        format!("{s}Type")
    } else {
        s
    }
}

/// `snake_case` field, method or parameter name (keywords become raw identifiers,
/// or get a trailing `_` where Rust forbids raw forms).
pub fn field_name(raw: &str) -> String {
    memoized(&FIELD_NAMES, raw, convert_field_name)
}

fn convert_field_name(raw: &str) -> String {
    let s: String = words(raw).to_snake_case().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    // Dropping non-ASCII words (`a_ñ_b` -> `a__b`) can leave `__`, which is not snake case,
    // and a leading or trailing `_` (`ா_0` -> `_0`), which heck never makes and which
    // leaves a digit first once camel-cased (`0Api`: fuzz seed 4182892002).
    let mut s = s;
    while s.contains("__") {
        s = s.replace("__", "_");
    }
    let s = s.trim_matches('_').to_string();
    let s = if s.is_empty() {
        "empty".to_string()
    } else if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("n{s}")
    } else {
        s
    };
    if NOT_RAW.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}

/// Whether an identifier produced by [`field_name`] needs the `r#` prefix.
pub fn is_keyword(ident: &str) -> bool {
    KEYWORDS.contains(&ident)
}

// ---------------------------------------------------------------------------
// Reserved names: what the generated code and the runtime already use, per scope.

/// Names the generated code reserves at the top of the `types` module: its
/// own, and the prelude's. The module uses some unqualified (`Box<…>` for
/// recursion, `impl From<…>`, `Ok(…)`; a type named `Box` would shadow them),
/// and `use types::*` in a caller's code would shadow the others.
pub(crate) const TYPES_MODULE: [&str; 42] = [
    "Client",
    "Error",
    "Result",
    "Value",
    "Map",
    "String",
    "Vec",
    "Option",
    "Box",
    "Some",
    "None",
    "Ok",
    "Err",
    "From",
    "Into",
    "TryFrom",
    "TryInto",
    "AsRef",
    "AsMut",
    "Default",
    "ToString",
    "ToOwned",
    "Clone",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "Unpin",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "Iterator",
    "IntoIterator",
    "DoubleEndedIterator",
    "ExactSizeIterator",
    "Extend",
    "FromIterator",
    "Eq",
    "PartialEq",
    "Ord",
    "PartialOrd",
];

/// Builder methods and fields every operation has (`clone` is called by
/// `stream`, `body` holds the request body); parameters are renamed around them.
/// Also the operator methods a by-value setter would look like to clippy
/// (`should_implement_trait`: `fn add(self, value) -> Self`).
pub(crate) const BUILDER_METHODS: [&str; 18] = [
    "send",
    "send_with_response",
    "stream",
    "client",
    "new",
    "request",
    "body",
    "clone",
    "add",
    "sub",
    "mul",
    "div",
    "rem",
    "shl",
    "shr",
    "bitand",
    "bitor",
    "bitxor",
];

/// Inherent methods of the runtime's `Client` (public and private: both clash
/// with an accessor of the same name) and trait methods an accessor would
/// shadow. A resource with one of these names gets an `_ops` suffix.
pub(crate) const CLIENT_METHODS: [&str; 16] = [
    "attempt",
    "base_url",
    "borrow",
    "builder",
    "clone",
    "default",
    "execute",
    "execute_raw",
    "fmt",
    "from_inner",
    "headers_for",
    "into",
    "new",
    "run",
    "to_owned",
    "url_for",
];

/// Names the `api` module imports; no struct may take them.
pub(crate) const API_MODULE_IMPORTS: [&str; 5] = ["ApiResponse", "Client", "Error", "Request", "types"];

/// Methods of a resource struct besides its operations: `clone` and `cmp`
/// would shadow (and, to clippy, imitate) trait methods.
pub(crate) const RESOURCE_METHODS: [&str; 4] = ["new", "client", "clone", "cmp"];

/// The variant every generated string enum and union has for values it does not know.
pub(crate) const UNKNOWN_VARIANT: [&str; 1] = ["Unknown"];

/// Variants a string enum cannot have: `Unknown`, and `Err` (the `FromStr`
/// impl names `Self::Err`, which a variant `Err` makes ambiguous).
pub(crate) const ENUM_VARIANTS: [&str; 2] = ["Unknown", "Err"];

/// Hands out unique names within one scope (a module, a struct, an enum).
#[derive(Debug, Default, Clone)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    /// A scope with some names already reserved.
    pub fn with_reserved(names: &[&str]) -> Self {
        Scope { taken: names.iter().map(|s| s.to_string()).collect() }
    }

    /// Takes exactly `name` if it is free; returns whether it did.
    pub fn try_claim(&mut self, name: &str) -> bool {
        self.taken.insert(name.to_string())
    }

    /// Whether `name` is already handed out.
    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    /// Returns `name`, or `name2`, `name3`, … if it is taken.
    pub fn claim(&mut self, name: String) -> String {
        if self.taken.insert(name.clone()) {
            return name;
        }
        (2..)
            .map(|i| format!("{name}{i}"))
            .find(|n| self.taken.insert(n.clone()))
            .expect("an unbounded range always yields a free name")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types() {
        assert_eq!(type_name("instanceOrgs"), "InstanceOrgs");
        assert_eq!(type_name("common.objectId"), "CommonObjectId");
        assert_eq!(type_name("all.Instance"), "AllInstance");
        assert_eq!(type_name("*"), "Star");
        assert_eq!(type_name(""), "VEmpty");
        assert_eq!(type_name("2fa"), "V2fa");
        assert_eq!(type_name("self"), "SelfType");
        assert_eq!(type_name(">="), "GtEq");
        assert_eq!(type_name("application.*"), "ApplicationStar");
        assert_eq!(type_name("all.User.read"), "AllUserRead");
    }

    #[test]
    fn memoized_names_are_the_conversions_and_the_memo_stays_bounded() {
        for raw in ["instanceOrgs", "self", "", "2xx", ">=", "x-rate-limit", "Ñandú"] {
            for _ in 0..2 {
                assert_eq!(type_name(raw), convert_type_name(raw), "{raw:?}");
                assert_eq!(field_name(raw), convert_field_name(raw), "{raw:?}");
            }
        }
        thread_local!(static UPPER: Memo = RefCell::default());
        for i in 0..=MEMO_MAX {
            assert_eq!(memoized(&UPPER, &format!("n{i}"), str::to_uppercase), format!("N{i}"));
        }
        assert_eq!(UPPER.with(|m| m.borrow().len()), 1, "cleared when full, then holds the newest");
        assert_eq!(memoized(&UPPER, &format!("n{MEMO_MAX}"), |_| unreachable!()), format!("N{MEMO_MAX}"));
    }

    #[test]
    fn fields() {
        assert_eq!(field_name("perPage"), "per_page");
        assert_eq!(field_name("type"), "type");
        assert!(is_keyword("type"));
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("$ref"), "ref");
        assert_eq!(field_name("2xx"), "n2xx");
        assert_eq!(field_name(""), "empty");
        assert_eq!(field_name("x-rate-limit"), "x_rate_limit");
    }

    #[test]
    fn collisions() {
        let mut s = Scope::with_reserved(&["Client"]);
        assert_eq!(s.claim("Client".into()), "Client2");
        assert_eq!(s.claim("Org".into()), "Org");
        assert_eq!(s.claim("Org".into()), "Org2");
    }
}
