//! Hostile JSON for decoding tests: proptest strategies that build response
//! bodies shaped by the generator's IR (with wrong types, nulls, unknown
//! members and enum values, duplicate keys, numbers beyond 64 bits, invalid
//! UTF-8, deep nesting) and the "no data lost" oracle.

#![allow(dead_code)]

use openapi_clientgen::ir::{Field, TypeKind, TypeRef, TypeSpace, Validation};
use proptest::prelude::*;
use proptest::sample::{select, Index};
use serde_json::Value;

/// A JSON text as a tree that can say what `serde_json::Value` cannot:
/// repeated keys, number literals as written, raw bytes in strings.
#[derive(Clone, Debug)]
pub enum J {
    Null,
    Bool(bool),
    /// A number literal, written as is (`-0`, `1e400`, 40 digits, ...).
    Num(String),
    Str(String),
    /// A string literal whose content is written as these raw bytes
    /// (invalid UTF-8, lone surrogate escapes, control characters).
    RawStr(Vec<u8>),
    Arr(Vec<J>),
    /// Members in order; a key may repeat.
    Obj(Vec<(String, J)>),
    /// `n` nested arrays around `0`.
    Deep(usize),
}

impl J {
    pub fn render(&self, out: &mut Vec<u8>) {
        match self {
            J::Null => out.extend_from_slice(b"null"),
            J::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            J::Num(n) => out.extend_from_slice(n.as_bytes()),
            J::Str(s) => out.extend_from_slice(serde_json::to_string(s).expect("a string").as_bytes()),
            J::RawStr(bytes) => {
                out.push(b'"');
                out.extend_from_slice(bytes);
                out.push(b'"');
            }
            J::Arr(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    item.render(out);
                }
                out.push(b']');
            }
            J::Obj(members) => {
                out.push(b'{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    J::Str(k.clone()).render(out);
                    out.push(b':');
                    v.render(out);
                }
                out.push(b'}');
            }
            J::Deep(n) => {
                out.extend(std::iter::repeat_n(b'[', *n));
                out.push(b'0');
                out.extend(std::iter::repeat_n(b']', *n));
            }
        }
    }

    /// Whether some object repeats a key.
    pub fn has_duplicate_keys(&self) -> bool {
        match self {
            J::Arr(items) => items.iter().any(J::has_duplicate_keys),
            J::Obj(members) => {
                let mut keys: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
                keys.sort_unstable();
                keys.windows(2).any(|w| w[0] == w[1]) || members.iter().any(|(_, v)| v.has_duplicate_keys())
            }
            _ => false,
        }
    }
}

/// Number literals at and beyond the edges of i64, u64 and f64, and
/// spellings that are not JSON numbers.
pub const HOSTILE_NUMBERS: &[&str] = &[
    "0",
    "-0",
    "-0.0",
    "0.0",
    "1.5",
    "1e2",
    "1E+2",
    "1e-400",
    "1e400",
    "-1e400",
    "1e308",
    "1.7976931348623157e308",
    "4.9e-324",
    "9007199254740993",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "-18446744073709551617",
    "340282366920938463463374607431768211457",
    "123456789012345678901234567890.5",
    "01",
    "1.",
    ".5",
    "+1",
    "NaN",
    "Infinity",
    "0x10",
];

/// String contents that are not valid in a JSON text.
const RAW_STRINGS: &[&[u8]] =
    &[b"\xff", b"caf\xe9", b"\xc3\x28", b"\xed\xa0\x80", b"\\ud800", b"\\udc00x", b"\\u12", b"a\x01b", b"\\q"];

/// Keys an unknown member may have; some are declared somewhere.
const KEYS: &[&str] = &["someFutureField", "", "__proto__", "id", "name", "items", "count", "type", "\u{0}", "ключ"];

pub fn number_literal() -> BoxedStrategy<String> {
    prop_oneof![
        3 => select(HOSTILE_NUMBERS).prop_map(str::to_string),
        1 => any::<i64>().prop_map(|n| n.to_string()),
        1 => any::<u64>().prop_map(|n| n.to_string()),
        1 => any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| Value::from(f).to_string()),
    ]
    .boxed()
}

pub fn text() -> BoxedStrategy<String> {
    prop_oneof![2 => "[a-zA-Z0-9 _.-]{0,12}", 1 => any::<String>(), 1 => select(&["", "\"\\/\n\t", "\u{202e}", "😀", "\u{fffd}"][..]).prop_map(str::to_string)]
        .boxed()
}

fn key() -> BoxedStrategy<String> {
    prop_oneof![3 => select(KEYS).prop_map(str::to_string), 1 => text()].boxed()
}

/// Any JSON, hostile: every number literal above, invalid strings, nesting
/// below, at and far beyond serde_json's recursion limit (128).
pub fn any_json() -> BoxedStrategy<J> {
    let leaf = prop_oneof![
        2 => Just(J::Null),
        2 => any::<bool>().prop_map(J::Bool),
        4 => number_literal().prop_map(J::Num),
        4 => text().prop_map(J::Str),
        1 => select(RAW_STRINGS).prop_map(|b| J::RawStr(b.to_vec())),
        1 => prop_oneof![Just(100usize), Just(126), Just(127), Just(128), Just(129), Just(10_000)].prop_map(J::Deep),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(J::Arr),
            prop::collection::vec((key(), inner), 0..4).prop_map(J::Obj),
        ]
    })
    .boxed()
}

/// Any JSON without invalid text, numbers beyond f64 or nesting near the limit.
pub fn plain_json() -> BoxedStrategy<J> {
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<i64>().prop_map(|n| J::Num(n.to_string())),
        text().prop_map(J::Str),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(J::Arr),
            prop::collection::vec((key(), inner), 0..3).prop_map(J::Obj),
        ]
    })
    .boxed()
}

/// A string matching `pattern` (anchors dropped; `\d` ASCII, as in regex-lite).
fn matching(pattern: &str) -> BoxedStrategy<String> {
    let p = pattern.trim_start_matches('^').trim_end_matches('$');
    proptest::string::string_regex(&format!("(?-u){p}")).unwrap_or_else(|e| panic!("pattern {pattern}: {e}")).boxed()
}

fn date_time() -> BoxedStrategy<J> {
    let offsets = select(&["Z", "z", "+00:00", "-23:59", "+05:30"][..]);
    let valid =
        (0i32..=9999, 1u32..=12, 1u32..=28, 0u32..24, 0u32..60, 0u32..=60, prop::option::of("[0-9]{1,12}"), offsets)
            .prop_map(|(y, mo, d, h, mi, s, frac, off)| {
                let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}{off}")
            });
    let odd = select(
        &[
            "2016-06-13T04:00:00.000Z",
            "2016-13-01T00:00:00Z",
            "2016-02-30T00:00:00Z",
            "2016-06-13",
            "2016-06-13 04:00:00Z",
            "+275760-09-13T00:00:00.000Z",
            "yesterday",
            "",
        ][..],
    )
    .prop_map(str::to_string);
    prop_oneof![30 => valid, 1 => odd, 1 => text()].prop_map(J::Str).boxed()
}

/// How deep named types nest before a generated body stops (recursive schemas).
const MAX_DEPTH: usize = 6;

/// A body for `t`: mostly well typed, with hostile values anywhere.
pub fn shaped(space: &TypeSpace, t: &TypeRef, depth: usize) -> BoxedStrategy<J> {
    prop_oneof![150 => well_typed(space, t, depth), 1 => any_json()].boxed()
}

fn well_typed(space: &TypeSpace, t: &TypeRef, depth: usize) -> BoxedStrategy<J> {
    match t {
        TypeRef::Named(id) => {
            let def = space.get(*id);
            match &def.kind {
                _ if depth > MAX_DEPTH => Just(J::Obj(Vec::new())).boxed(),
                TypeKind::Struct { fields, extra } => object(space, fields, extra, depth),
                TypeKind::Enum { variants } => {
                    let known: Vec<String> = variants.iter().map(|(_, w)| w.clone()).collect();
                    prop_oneof![3 => select(known), 1 => text()].prop_map(J::Str).boxed()
                }
                TypeKind::Union { variants } => {
                    let alternatives: Vec<BoxedStrategy<J>> =
                        variants.iter().map(|(_, t)| shaped(space, t, depth + 1)).collect();
                    proptest::strategy::Union::new(alternatives).boxed()
                }
                TypeKind::Newtype { validation } => newtype(validation),
                TypeKind::Alias(inner) => well_typed(space, inner, depth),
            }
        }
        TypeRef::String => text().prop_map(J::Str).boxed(),
        TypeRef::DateTime => date_time(),
        TypeRef::Integer(_) => {
            prop_oneof![30 => any::<i32>().prop_map(|n| n.to_string()), 1 => number_literal()].prop_map(J::Num).boxed()
        }
        TypeRef::Number | TypeRef::Float32 => prop_oneof![
            15 => (-1e6f64..1e6).prop_map(|f| Value::from(f).to_string()),
            15 => (0u32..100_000).prop_map(|n| n.to_string()),
            1 => number_literal(),
        ]
        .prop_map(J::Num)
        .boxed(),
        TypeRef::Boolean => any::<bool>().prop_map(J::Bool).boxed(),
        TypeRef::Any => any_json(),
        TypeRef::Vec(inner) => prop::collection::vec(shaped(space, inner, depth + 1), 0..3).prop_map(J::Arr).boxed(),
        TypeRef::Map(inner) => {
            prop::collection::vec((key(), shaped(space, inner, depth + 1)), 0..3).prop_map(J::Obj).boxed()
        }
        TypeRef::Boxed(inner) => well_typed(space, inner, depth + 1),
    }
}

fn newtype(v: &Validation) -> BoxedStrategy<J> {
    let fitting = match &v.pattern {
        Some(p) => matching(p),
        None => {
            let min = v.min_length.unwrap_or(0) as usize;
            let max = v.max_length.map_or(40, |m| (m as usize).min(40)).max(min);
            proptest::string::string_regex(&format!("[a-zA-Z0-9 ]{{{min},{max}}}")).expect("a regex").boxed()
        }
    };
    prop_oneof![30 => fitting, 1 => text()].prop_map(J::Str).boxed()
}

/// An object for a struct: declared fields (required ones nearly always),
/// entries of its additional-properties map, unknown members, and now and then
/// a repeated key.
fn object(
    space: &TypeSpace,
    fields: &[Field],
    extra: &Option<(TypeRef, Option<String>)>,
    depth: usize,
) -> BoxedStrategy<J> {
    let declared: Vec<BoxedStrategy<Option<(String, J)>>> = fields
        .iter()
        .map(|f| {
            let wire = f.wire.clone();
            let value = shaped(space, &f.ty, depth + 1);
            let present = if f.required { 0.97 } else { 0.6 };
            prop::option::weighted(present, value).prop_map(move |v| v.map(|v| (wire.clone(), v))).boxed()
        })
        .collect();
    let entries = match extra {
        Some((t, pattern)) => {
            let key = match pattern.as_deref() {
                Some(p) if p != ".*" => prop_oneof![4 => matching(p), 1 => key()].boxed(),
                _ => key(),
            };
            prop::collection::vec((key, shaped(space, t, depth + 1)), 0..3).boxed()
        }
        None => Just(Vec::new()).boxed(),
    };
    let unknown = prop::collection::vec((key(), prop_oneof![8 => plain_json(), 1 => any_json()]), 0..3);
    let repeat = prop::option::weighted(0.05, (any::<Index>(), any_json()));
    (declared, entries, unknown, repeat)
        .prop_map(|(declared, entries, unknown, repeat)| {
            let mut members: Vec<(String, J)> = declared.into_iter().flatten().collect();
            members.extend(entries);
            members.extend(unknown);
            if let Some((i, v)) = repeat.filter(|_| !members.is_empty()) {
                let k = members[i.index(members.len())].0.clone();
                members.push((k, v));
            }
            J::Obj(members)
        })
        .boxed()
}

/// What happens to the rendered text on its way from the server.
#[derive(Clone, Debug)]
pub enum Mangle {
    None,
    /// Cut after this many bytes (of the text's length).
    Truncate(Index),
    /// Replace one byte.
    Byte(Index, u8),
    Empty,
    Whitespace,
    Trailing(&'static str),
    ByteOrderMark,
}

pub fn mangle() -> BoxedStrategy<Mangle> {
    prop_oneof![
        16 => Just(Mangle::None),
        1 => any::<Index>().prop_map(Mangle::Truncate),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mangle::Byte(i, b)),
        1 => prop_oneof![Just(Mangle::Empty), Just(Mangle::Whitespace), Just(Mangle::ByteOrderMark)],
        1 => select(&[",", "}", "{}", " x", "\u{0}"][..]).prop_map(Mangle::Trailing),
    ]
    .boxed()
}

impl Mangle {
    pub fn apply(&self, mut text: Vec<u8>) -> Vec<u8> {
        match self {
            Mangle::None => {}
            Mangle::Truncate(i) => text.truncate(i.index(text.len().max(1))),
            Mangle::Byte(i, b) => {
                let i = i.index(text.len().max(1)).min(text.len().saturating_sub(1));
                if let Some(slot) = text.get_mut(i) {
                    *slot = *b;
                }
            }
            Mangle::Empty => text.clear(),
            Mangle::Whitespace => text = b" \r\n\t".to_vec(),
            Mangle::Trailing(t) => text.extend_from_slice(t.as_bytes()),
            Mangle::ByteOrderMark => {
                text.splice(0..0, *b"\xEF\xBB\xBF");
            }
        }
        text
    }
}

// ---------------------------------------------------------------------------
// The oracle.

/// Where `output` (a decoded value, encoded again) lost or changed something
/// `input` (the same body read as `serde_json::Value`) had, or invented
/// something it did not. `None`: nothing lost. The rules:
/// - every member of an object is in the output with a value that passes these
///   rules, except that a `null` may be absent (an optional field is `None`
///   for `null` and for absence alike); the output has no other member,
///   except `null`s;
/// - arrays keep their length and order;
/// - numbers: integers that are both i64/u64 compare exactly; otherwise as
///   f64 (a `type: number` field is an f64, and every number beyond 64-bit
///   integers is read as its nearest f64, which is what `JSON.parse` in
///   Losant's official client does with every number);
/// - strings that are RFC 3339 date-times compare as instants (a date-time
///   field is a UTC instant: `+05:30` comes back as the same instant in `Z`);
///   other strings compare exactly.
pub fn first_loss(input: &Value, output: &Value, at: &str) -> Option<String> {
    match (input, output) {
        (Value::Object(i), Value::Object(o)) => {
            for (k, v) in i {
                match o.get(k) {
                    Some(w) => {
                        if let Some(d) = first_loss(v, w, &format!("{at}/{k}")) {
                            return Some(d);
                        }
                    }
                    None if v.is_null() => {}
                    None => return Some(format!("{at}/{k}: the member {v} is lost")),
                }
            }
            o.iter()
                .find(|(k, w)| !i.contains_key(*k) && !w.is_null())
                .map(|(k, w)| format!("{at}/{k}: the member {w} was invented"))
        }
        (Value::Array(i), Value::Array(o)) if i.len() == o.len() => {
            i.iter().zip(o).enumerate().find_map(|(n, (v, w))| first_loss(v, w, &format!("{at}/{n}")))
        }
        (Value::Number(a), Value::Number(b)) => {
            let same = match (integer(a), integer(b)) {
                (Some(x), Some(y)) => x == y,
                _ => a.as_f64() == b.as_f64(),
            };
            (!same).then(|| format!("{at}: the number {a} became {b}"))
        }
        (Value::String(a), Value::String(b)) => match (instant(a), instant(b)) {
            (Some(x), Some(y)) if x == y => None,
            _ if a == b => None,
            _ => Some(format!("{at}: the string {a:?} became {b:?}")),
        },
        _ if input == output => None,
        _ => Some(format!("{at}: {input} became {output}")),
    }
}

fn integer(n: &serde_json::Number) -> Option<i128> {
    n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from))
}

fn instant(s: &str) -> Option<(i64, u32)> {
    let t: chrono::DateTime<chrono::FixedOffset> = s.parse().ok()?;
    Some((t.timestamp(), t.timestamp_subsec_nanos()))
}
