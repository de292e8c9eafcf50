//! Rust names from wire names: one place for case conversion, keyword
//! escaping, leading digits, symbols and collisions.

use std::collections::BTreeSet;

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

/// `UpperCamelCase` type or variant name.
pub fn type_name(raw: &str) -> String {
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
    let s: String = words(raw).to_snake_case().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    // Dropping non-ASCII words (`a_ñ_b` -> `a__b`) can leave `__`, which is not snake case.
    let mut s = s;
    while s.contains("__") {
        s = s.replace("__", "_");
    }
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
