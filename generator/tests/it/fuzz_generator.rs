//! Property tests of the whole generator on mutated specs: it never panics,
//! never hangs, and every failure is a located diagnostic.
//!
//! Inputs start from real documents — slices of the Losant spec (after its
//! overlay), the raw Losant spec with its overlay, and the broken-spec corpus
//! (`tests/broken-specs/`, specs and overlays) — and get mutated: keys
//! deleted, nodes replaced by values of other types, `$ref`s inserted to
//! random, missing, invalid, external, parent and self pointers (cycles),
//! schema/property/parameter/operation names replaced by keywords, digits,
//! case and punctuation twins, empty, unicode and 10,000-character names,
//! schemas replaced by deep nesting, subtrees grafted elsewhere; and, at the
//! text level, truncated and spliced YAML/JSON.
//!
//! Every case runs the whole pipeline (`analyze_str` on the serialized text,
//! then `generate` when there is no error) on its own thread, and asserts:
//! - no panic, and completion within [`BOUND`] (a hang detector with a wide
//!   margin, not a performance assertion);
//! - every diagnostic has a message, a hint, a file that is one of the inputs,
//!   a line within that file and a column >= 1, and a pointer; rendering
//!   them (text with snippets, JSON) does not panic;
//! - a spec without errors generates (no `InternalError`), the code parses as
//!   a Rust file, and passes what a compiler and clippy would reject, checked
//!   on the syntax tree without compiling: no name defined twice in one
//!   namespace (types, values, fields, variants, arguments, inherent methods,
//!   including the runtime `Client`'s), no prelude name shadowed, type and
//!   variant names in UpperCamelCase and fields and methods in snake_case, no
//!   method shaped like a trait method (`fn add(self, v) -> Self`), no enum
//!   variant `Err`, no carriage return, tab or text-direction control outside
//!   literals. (`naming_table.rs` compiles the naming specs for real.)
//!
//! Case counts: `FUZZ_CASES` (default 96) per property, a sixteenth of that
//! (at least 2) for the full Losant spec; `FUZZ_SEED` (default fixed, so CI is
//! reproducible) or `FUZZ_SEED=random`. See `generator/FUZZING.md`.
//!
//! The deterministic tests at the end are regression cases for the hangs and
//! crashes this found.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use openapi_clientgen::diag::{render_json, render_text, Code, Diagnostic};
use openapi_clientgen::internals::{check, generate, normalize, pointer, walk, Diagnostics, SourceFile, SourceMap};
use openapi_clientgen::{Analysis, Config as Generator};
use proc_macro2::{TokenStream, TokenTree};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use quote::ToTokens;
use serde_json::{json, Map, Value};

use crate::support::spec_slice::slice;

/// The longest one case may take before it counts as a hang. Cases take
/// milliseconds (slices, corpus) to a few seconds (the whole Losant spec, in a
/// debug build); this only catches runaway work.
const BOUND: Duration = Duration::from_secs(120);

/// Stack of the thread a case runs on: the main thread's (where build scripts
/// and the CLI run the generator).
const STACK: usize = 8 << 20;

// ---------------------------------------------------------------------------
// Configuration

pub(crate) fn cases() -> u32 {
    std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(96)
}

fn seed() -> RngSeed {
    match std::env::var("FUZZ_SEED").ok().as_deref() {
        Some("random") => RngSeed::Random,
        Some(s) => RngSeed::Fixed(s.parse().expect("FUZZ_SEED is a number or `random`")),
        None => RngSeed::Fixed(0x005e_ed0f_1ea5),
    }
}

pub(crate) fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        rng_seed: seed(),
        // Failures are turned into the regression tests at the end of this file.
        failure_persistence: None,
        max_shrink_iters: 256,
        ..Config::default()
    })
}

/// Analyzes a spec and overlays given as `(name, text)`.
fn analyze_str(spec: (&str, &str), overlays: &[(&str, &str)]) -> Analysis {
    overlays.iter().fold(Generator::new(), |g, (name, text)| g.overlay_text(name, text)).analyze_text(spec.0, spec.1)
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the generator lives in the workspace").to_path_buf()
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(repo_root().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

// ---------------------------------------------------------------------------
// Seeds

struct Seeds {
    /// The published spec, parsed.
    raw_doc: Value,
    /// `spec/overlay.yml`.
    overlay: String,
    /// The spec after overlay and normalization.
    losant: Value,
    /// Every operation of `losant`: (path, method).
    ops: Vec<(String, String)>,
    /// Corpus specs: (file name, text).
    corpus: Vec<(String, String)>,
    /// Corpus specs that parse: (file name, value).
    corpus_docs: Vec<(String, Value)>,
    /// Corpus overlays (and the Losant overlay): (file name, value).
    overlay_docs: Vec<(String, Value)>,
}

fn seeds() -> &'static Seeds {
    static SEEDS: OnceLock<Seeds> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let raw_spec = read("spec/losant-instance-api-openapi.yml");
        let overlay = read("spec/overlay.yml");
        let a = analyze_str(("spec.yml", &raw_spec), &[("overlay.yml", &overlay)]);
        assert!(!a.has_errors(), "the Losant spec has errors: {:?}", a.diagnostics);
        let losant = a.doc.expect("the Losant spec parses");
        let ops = walk::operations(&losant).map(|o| (o.path.to_string(), o.method.to_string())).collect();
        let raw_doc = SourceFile::parse("spec.yml", &raw_spec).expect("the Losant spec parses").value;
        let mut corpus = Vec::new();
        let mut overlay_docs = vec![(
            "overlay.yml".to_string(),
            SourceFile::parse("overlay.yml", &overlay).expect("the overlay parses").value,
        )];
        // The broken-spec corpus, and valid specs with odd names and shapes.
        let dirs = [
            ("tests/broken-specs", false),
            ("tests/broken-specs/overlays", true),
            ("tests/naming", false),
            ("tests/fixtures", false),
        ];
        for (dir, is_overlay) in dirs {
            let mut files: Vec<PathBuf> = std::fs::read_dir(repo_root().join(dir))
                .expect("the corpus exists")
                .map(|e| e.expect("a directory entry").path())
                .filter(|p| p.is_file())
                .collect();
            files.sort();
            for f in files {
                let name = f.file_name().expect("a file name").to_string_lossy().into_owned();
                let text = std::fs::read_to_string(&f).expect("corpus files are UTF-8");
                if is_overlay && name != "base.yml" {
                    if let Ok(s) = SourceFile::parse(&name, &text) {
                        overlay_docs.push((name, s.value));
                    }
                } else {
                    corpus.push((name, text));
                }
            }
        }
        let corpus_docs =
            corpus.iter().filter_map(|(n, t)| SourceFile::parse(n, t).ok().map(|s| (n.clone(), s.value))).collect();
        Seeds { raw_doc, overlay, losant, ops, corpus, corpus_docs, overlay_docs }
    })
}

// ---------------------------------------------------------------------------
// Mutations

/// Names that have broken generators: keywords, prelude and runtime names,
/// leading digits, case and punctuation twins, empty and blank names,
/// unicode, symbols, characters with meaning in pointers, paths, YAML, doc
/// comments and string literals.
const NAMES: &[&str] = &[
    "type",
    "self",
    "Self",
    "crate",
    "super",
    "fn",
    "async",
    "await",
    "r#type",
    "r#",
    "_",
    "__",
    "gen",
    "union",
    "dyn",
    "try",
    "abstract",
    "macro_rules",
    "static",
    "extern",
    "match",
    "impl",
    "mod",
    "Box",
    "Option",
    "Some",
    "None",
    "Ok",
    "Err",
    "Result",
    "String",
    "Vec",
    "From",
    "Into",
    "TryFrom",
    "AsRef",
    "Default",
    "Clone",
    "Debug",
    "Sized",
    "Send",
    "Client",
    "Error",
    "Request",
    "ApiResponse",
    "Unknown",
    "Value",
    "Map",
    "types",
    "api",
    "runtime",
    "serde",
    "std",
    "core",
    "chrono",
    "reqwest",
    "futures",
    "send",
    "send_with_response",
    "request",
    "stream",
    "new",
    "client",
    "body",
    "clone",
    "builder",
    "execute",
    "execute_raw",
    "base_url",
    "default",
    "fmt",
    "into",
    "value",
    "v",
    "req",
    "page",
    "perPage",
    "items",
    "additional_properties",
    "0",
    "1abc",
    "123",
    "-1",
    "1.5",
    "2xx",
    "007",
    "foo-bar",
    "foo_bar",
    "fooBar",
    "FooBar",
    "foo.bar",
    "foo bar",
    "FOO_BAR",
    "foo__bar",
    "Foo-Bar",
    "foo/bar",
    "",
    " ",
    "\t",
    "名前",
    "ñandú",
    "Ünïcödé",
    "🚀",
    "a\u{301}",
    "\u{200b}",
    "ǅ",
    "ß",
    "İ",
    "Ω",
    "\u{202e}rtl",
    "*",
    "**",
    "all.Instance",
    "application.*",
    ">=",
    "$ref",
    "~",
    "~1",
    "~0",
    "/",
    "{id}",
    "{",
    "}",
    "a/b",
    "#",
    "%",
    "%20",
    "%zz",
    "..",
    ".",
    "\"",
    "\\",
    "'",
    "`",
    "```",
    "*/",
    "/*",
    "//",
    "\n",
    "a\nb",
    "a\rb",
    "\r",
    "\r\n",
    "\u{0}",
    "\u{7f}",
    "\u{1b}[31m",
    "null",
    "true",
    "~null",
    "- x",
    "? x",
    ": x",
    "&a",
    "*a",
    "!!str",
    "<<",
    "x-rust-name",
    "Root",
];

/// Repeated to build very long names.
const LONG_UNITS: &[&str] = &["a", "名", "_", "9", "aB", "-", "🚀", "type"];

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => proptest::sample::select(NAMES).prop_map(String::from),
        1 => (proptest::sample::select(LONG_UNITS), 1usize..=10_000).prop_map(|(u, n)| u.repeat(n)),
        2 => "\\PC{0,12}",
        1 => ".{0,6}",
    ]
}

/// A replacement value of some type.
#[derive(Debug, Clone)]
enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    EmptyList,
    EmptyMap,
    List(Vec<String>),
    Schema(&'static str),
}

impl Scalar {
    fn value(&self) -> Value {
        match self {
            Scalar::Null => Value::Null,
            Scalar::Bool(b) => json!(b),
            Scalar::Int(i) => json!(i),
            Scalar::Float(f) => serde_json::Number::from_f64(*f).map(Value::Number).unwrap_or(Value::Null),
            Scalar::Str(s) => json!(s),
            Scalar::EmptyList => json!([]),
            Scalar::EmptyMap => json!({}),
            Scalar::List(items) => json!(items),
            Scalar::Schema(t) => json!({ "type": t }),
        }
    }
}

fn scalar() -> impl Strategy<Value = Scalar> {
    prop_oneof![
        Just(Scalar::Null),
        any::<bool>().prop_map(Scalar::Bool),
        prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(-1i64), Just(0i64), any::<i64>()].prop_map(Scalar::Int),
        prop_oneof![Just(1e308), Just(-0.5), Just(1e-300), any::<f64>()].prop_map(Scalar::Float),
        name().prop_map(Scalar::Str),
        Just(Scalar::EmptyList),
        Just(Scalar::EmptyMap),
        proptest::collection::vec(name(), 0..4).prop_map(Scalar::List),
        proptest::sample::select(
            &["string", "integer", "number", "boolean", "array", "object", "null", "file", ""][..]
        )
        .prop_map(Scalar::Schema),
    ]
}

/// Where an inserted `$ref` points.
#[derive(Debug, Clone)]
enum RefTo {
    /// Another node of the document (by index).
    Node(usize),
    /// The node itself: `{$ref: '#/x'}` at `/x`.
    Itself,
    /// An ancestor of the node: a cycle through structure.
    Ancestor(usize),
    /// A component that does not exist.
    Missing(String),
    /// A fixed string: invalid, external or odd pointers.
    Raw(&'static str),
}

const RAW_REFS: &[&str] = &[
    "#",
    "#/",
    "",
    "#a",
    "#/a~2b",
    "#/a~",
    "#/%zz",
    "#/%",
    "#/%E2%82",
    "#/components/schemas/",
    "#/components/schemas/~1",
    "#/paths/~1a~1{b}",
    "#/info",
    "#/openapi",
    "#/components/schemas/x/properties/y/items/oneOf/7",
    "other.yml#/components/schemas/X",
    "http://example.com/schema.json",
    "#/components/schemas/a#b",
    "../x.yml",
    "#//",
    "#/paths/0",
];

fn ref_to() -> impl Strategy<Value = RefTo> {
    prop_oneof![
        3 => any::<usize>().prop_map(RefTo::Node),
        1 => Just(RefTo::Itself),
        2 => (1usize..6).prop_map(RefTo::Ancestor),
        1 => name().prop_map(RefTo::Missing),
        2 => proptest::sample::select(RAW_REFS).prop_map(RefTo::Raw),
    ]
}

/// A deeply nested schema.
#[derive(Debug, Clone, Copy)]
enum Shape {
    Items,
    Properties,
    AllOf,
    OneOf,
    AdditionalProperties,
    Mixed,
}

fn nested(shape: Shape, depth: usize) -> Value {
    nested_with(shape, depth, json!({"type": "string"}))
}

fn nested_with(shape: Shape, depth: usize, leaf: Value) -> Value {
    // Built by hand: `json!` would serialize the value at every level (deep recursion).
    let obj = |pairs: Vec<(&str, Value)>| Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect());
    let mut v = leaf;
    for level in 0..depth {
        let shape = match shape {
            Shape::Mixed => [Shape::Items, Shape::Properties, Shape::AllOf, Shape::OneOf][level % 4],
            s => s,
        };
        v = match shape {
            Shape::Items => obj(vec![("type", json!("array")), ("items", v)]),
            Shape::Properties => obj(vec![("type", json!("object")), ("properties", obj(vec![("a", v)]))]),
            Shape::AllOf => obj(vec![("allOf", Value::Array(vec![v]))]),
            Shape::OneOf => obj(vec![("oneOf", Value::Array(vec![v, json!({"type": "integer"})]))]),
            Shape::AdditionalProperties | Shape::Mixed => {
                obj(vec![("type", json!("object")), ("additionalProperties", v)])
            }
        };
    }
    v
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Removes a node from its parent.
    Delete(usize),
    /// Replaces a node with a value of another type.
    Retype(usize, Scalar),
    /// Adds a `$ref` to a node (`whole`: the node becomes `{$ref}`).
    Ref { at: usize, to: RefTo, whole: bool },
    /// Renames a name site (component, property, path, parameter name,
    /// operationId, enum value, required entry); `follow` rewrites the
    /// `$ref`s to a renamed component.
    Rename { site: usize, name: String, follow: bool },
    /// Adds a sibling whose name differs only in case or punctuation.
    Twin { site: usize, style: usize },
    /// Replaces a schema with a deep nesting.
    Nest { at: usize, shape: Shape, depth: usize },
    /// Copies one node over another.
    Graft { at: usize, from: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let shape = proptest::sample::select(
        &[Shape::Items, Shape::Properties, Shape::AllOf, Shape::OneOf, Shape::AdditionalProperties, Shape::Mixed][..],
    );
    prop_oneof![
        3 => any::<usize>().prop_map(Mutation::Delete),
        3 => (any::<usize>(), scalar()).prop_map(|(at, s)| Mutation::Retype(at, s)),
        4 => (any::<usize>(), ref_to(), any::<bool>()).prop_map(|(at, to, whole)| Mutation::Ref { at, to, whole }),
        5 => (any::<usize>(), name(), proptest::bool::weighted(0.7))
            .prop_map(|(site, name, follow)| Mutation::Rename { site, name, follow }),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(site, style)| Mutation::Twin { site, style }),
        1 => (any::<usize>(), shape, prop_oneof![1usize..8, 100usize..140, Just(300usize)])
            .prop_map(|(at, shape, depth)| Mutation::Nest { at, shape, depth }),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(at, from)| Mutation::Graft { at, from }),
    ]
}

/// Pre-order pointers of every node.
fn nodes(v: &Value) -> Vec<String> {
    fn go(v: &Value, ptr: &mut String, out: &mut Vec<String>) {
        out.push(ptr.clone());
        let len = ptr.len();
        match v {
            Value::Object(m) => {
                for (k, sub) in m {
                    ptr.push('/');
                    ptr.push_str(&pointer::escape(k));
                    go(sub, ptr, out);
                    ptr.truncate(len);
                }
            }
            Value::Array(a) => {
                for (i, sub) in a.iter().enumerate() {
                    ptr.push_str(&format!("/{i}"));
                    go(sub, ptr, out);
                    ptr.truncate(len);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    go(v, &mut String::new(), &mut out);
    out
}

/// A place where the document names something.
#[derive(Debug, Clone)]
enum Site {
    /// A key of the mapping at the pointer.
    Key(String, String),
    /// A string value at the pointer.
    Str(String),
}

fn name_sites(doc: &Value) -> Vec<Site> {
    let mut out = Vec::new();
    for ptr in nodes(doc) {
        let Some(v) = doc.pointer(&ptr) else { continue };
        let last = pointer::split_last(&ptr).map(|(_, l)| l).unwrap_or_default();
        let parent_last =
            pointer::split_last(&ptr).and_then(|(p, _)| pointer::split_last(p).map(|(_, l)| l)).unwrap_or_default();
        match v {
            Value::Object(m) => {
                let keyed = matches!(last.as_str(), "properties" | "paths" | "x-pattern-properties")
                    || (parent_last == "components" && last != "securitySchemes");
                if keyed {
                    out.extend(m.keys().map(|k| Site::Key(ptr.clone(), k.clone())));
                }
                for k in ["operationId", "x-rust-name"] {
                    if m.get(k).is_some_and(Value::is_string) {
                        out.push(Site::Str(pointer::join(&ptr, k)));
                    }
                }
                if m.get("name").is_some_and(Value::is_string) && m.contains_key("in") {
                    out.push(Site::Str(pointer::join(&ptr, "name")));
                }
            }
            Value::Array(a) if matches!(last.as_str(), "enum" | "required") => {
                out.extend((0..a.len()).map(|i| Site::Str(format!("{ptr}/{i}"))));
            }
            _ => {}
        }
    }
    out
}

fn remove(doc: &mut Value, ptr: &str) {
    let Some((parent, last)) = pointer::split_last(ptr) else { return };
    match doc.pointer_mut(parent) {
        Some(Value::Object(m)) => {
            m.shift_remove(&last);
        }
        Some(Value::Array(a)) => {
            if let Ok(i) = last.parse::<usize>() {
                if i < a.len() {
                    a.remove(i);
                }
            }
        }
        _ => {}
    }
}

/// Renames `old` to `new` in a mapping, keeping its position.
fn rename_key(m: &mut Map<String, Value>, old: &str, new: &str) {
    if old == new || m.contains_key(new) {
        return;
    }
    let entries: Vec<(String, Value)> = std::mem::take(m).into_iter().collect();
    for (k, v) in entries {
        m.insert(if k == old { new.to_string() } else { k }, v);
    }
}

/// Rewrites every `$ref` to `from` (or under it) to point at `to`.
fn rewrite_refs(v: &mut Value, from: &str, to: &str) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get_mut("$ref") {
                if r == from || r.starts_with(&format!("{from}/")) {
                    *r = format!("{to}{}", &r[from.len()..]);
                }
            }
            m.values_mut().for_each(|sub| rewrite_refs(sub, from, to));
        }
        Value::Array(a) => a.iter_mut().for_each(|sub| rewrite_refs(sub, from, to)),
        _ => {}
    }
}

/// A name that differs from `name` only in case or punctuation.
fn twin(name: &str, style: usize) -> String {
    use heck::{ToKebabCase, ToLowerCamelCase, ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
    match style % 7 {
        0 => name.to_snake_case(),
        1 => name.to_lower_camel_case(),
        2 => name.to_upper_camel_case(),
        3 => name.to_kebab_case(),
        4 => name.to_shouty_snake_case(),
        5 => name.to_snake_case().replace('_', "."),
        _ => format!("{name}_"),
    }
}

fn apply(doc: &mut Value, m: &Mutation) {
    let pick = |doc: &Value, i: usize| {
        let all = nodes(doc);
        all[i % all.len()].clone()
    };
    match m {
        Mutation::Delete(at) => {
            let ptr = pick(doc, *at);
            remove(doc, &ptr);
        }
        Mutation::Retype(at, s) => {
            let ptr = pick(doc, *at);
            if let Some(node) = doc.pointer_mut(&ptr) {
                *node = s.value();
            }
        }
        Mutation::Ref { at, to, whole } => {
            let ptr = pick(doc, *at);
            let target = match to {
                RefTo::Node(i) => format!("#{}", pick(doc, *i)),
                RefTo::Itself => format!("#{ptr}"),
                RefTo::Ancestor(up) => {
                    let mut p = ptr.as_str();
                    for _ in 0..*up {
                        p = pointer::split_last(p).map(|(p, _)| p).unwrap_or("");
                    }
                    format!("#{p}")
                }
                RefTo::Missing(n) => format!("#/components/schemas/{}", pointer::escape(n)),
                RefTo::Raw(r) => r.to_string(),
            };
            if let Some(node) = doc.pointer_mut(&ptr) {
                match node {
                    Value::Object(m) if !whole => {
                        m.insert("$ref".into(), Value::String(target));
                    }
                    other => *other = json!({ "$ref": target }),
                }
            }
        }
        Mutation::Rename { site, name, follow } => {
            let sites = name_sites(doc);
            if sites.is_empty() {
                return;
            }
            match &sites[site % sites.len()] {
                Site::Key(map_ptr, key) => {
                    // Paths must keep their leading `/` to get past the structure check.
                    let new = if map_ptr == "/paths" { format!("{key}/{name}") } else { name.clone() };
                    if let Some(Value::Object(m)) = doc.pointer_mut(map_ptr) {
                        rename_key(m, key, &new);
                    }
                    if *follow && map_ptr.starts_with("/components/") {
                        let from = format!("#{}", pointer::join(map_ptr, key));
                        let to = format!("#{}", pointer::join(map_ptr, &new));
                        rewrite_refs(doc, &from, &to);
                    }
                }
                Site::Str(ptr) => {
                    if let Some(node) = doc.pointer_mut(ptr) {
                        *node = Value::String(name.clone());
                    }
                }
            }
        }
        Mutation::Twin { site, style } => {
            let sites: Vec<(String, String)> = name_sites(doc)
                .into_iter()
                .filter_map(|s| match s {
                    Site::Key(m, k) if m != "/paths" => Some((m, k)),
                    _ => None,
                })
                .collect();
            if sites.is_empty() {
                return;
            }
            let (map_ptr, key) = &sites[site % sites.len()];
            if let Some(Value::Object(m)) = doc.pointer_mut(map_ptr) {
                let new = twin(key, *style);
                if let (false, Some(v)) = (m.contains_key(&new), m.get(key).cloned()) {
                    m.insert(new, v);
                }
            }
        }
        Mutation::Nest { at, shape, depth } => {
            let schemas = walk::schema_pointers(doc);
            let ptr = if schemas.is_empty() { pick(doc, *at) } else { schemas[at % schemas.len()].clone() };
            if let Some(node) = doc.pointer_mut(&ptr) {
                *node = nested(*shape, *depth);
            }
        }
        Mutation::Graft { at, from } => {
            let (to, src) = (pick(doc, *at), pick(doc, *from));
            // Grafting a node into itself would nest the document in itself: skip.
            if pointer::is_prefix(&to, &src) || pointer::is_prefix(&src, &to) {
                return;
            }
            if let Some(v) = doc.pointer(&src).cloned() {
                if let Some(node) = doc.pointer_mut(&to) {
                    *node = v;
                }
            }
        }
    }
}

fn mutations(max: usize) -> impl Strategy<Value = Vec<Mutation>> {
    proptest::collection::vec(mutation(), 1..=max)
}

// ---------------------------------------------------------------------------
// Running one case

/// One input to the pipeline.
#[derive(Clone)]
struct Case {
    /// (file name, text) of the spec.
    spec: (String, String),
    /// (file name, text) of each overlay.
    overlays: Vec<(String, String)>,
}

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// The spec could not be loaded at all (syntax).
    Unparsed,
    /// Analysis reported errors.
    Rejected,
    /// Code was generated and passed the checks.
    Generated,
    /// Not run: an earlier case hung (and failed its test).
    Skipped,
}

fn serialize(doc: &Value, yaml: bool, name: &str) -> (String, String) {
    if yaml {
        (format!("{name}.yml"), openapi_clientgen::to_yaml(doc))
    } else {
        (format!("{name}.json"), serde_json::to_string_pretty(doc).expect("a Value serializes"))
    }
}

/// Writes the inputs to a fresh directory so diagnostics render with snippets
/// (`render_text` reads files by name); names the case's files by those paths.
fn on_disk(case: &Case) -> (tempdir::Dir, Case) {
    let dir = tempdir::Dir::new();
    let put = |(n, t): &(String, String)| {
        let p = dir.path.join(n);
        std::fs::write(&p, t).expect("write a case file");
        (p.display().to_string(), t.clone())
    };
    let case = Case { spec: put(&case.spec), overlays: case.overlays.iter().map(put).collect() };
    (dir, case)
}

mod tempdir {
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A directory under the system temp dir, removed on drop.
    pub struct Dir {
        pub path: PathBuf,
    }

    impl Dir {
        pub fn new() -> Dir {
            static N: AtomicUsize = AtomicUsize::new(0);
            let path = std::env::temp_dir().join(format!(
                "openapi-clientgen-fuzz-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::create_dir_all(&path).expect("create a temp dir");
            Dir { path }
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// The whole pipeline and every property, on the current thread.
fn pipeline(case: &Case) -> Result<Outcome, String> {
    let (_dir, case) = on_disk(case);
    let overlays: Vec<(&str, &str)> = case.overlays.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let a = analyze_str((&case.spec.0, &case.spec.1), &overlays);
    let mut texts: HashMap<&str, &str> = HashMap::from([(case.spec.0.as_str(), case.spec.1.as_str())]);
    texts.extend(overlays.iter().copied());
    for d in &a.diagnostics {
        located(d, &texts)?;
    }
    let _ = render_json(&a.diagnostics);
    let _ = render_text(&a.diagnostics, false);
    let Some(doc) = a.doc.as_ref() else {
        return if a.has_errors() { Ok(Outcome::Unparsed) } else { Err("no document and no error".into()) };
    };
    if a.has_errors() {
        return Ok(Outcome::Rejected);
    }
    let g = generate::generate(doc, None).map_err(|e| format!("a spec without errors did not generate: {e}"))?;
    let file = syn::parse_file(&g.code).map_err(|e| {
        let case = Case { spec: ("generated.rs".into(), g.code.clone()), overlays: vec![] };
        format!("the generated code does not parse: {e} (code saved to {})", save(&case))
    })?;
    compile_proxy::check(&file)?;
    // Literals escape these; anywhere else (comments) rustc rejects them (clippy, for tabs).
    if let Some(c) =
        g.code.chars().find(|c| matches!(c, '\r' | '\t' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
    {
        let case = Case { spec: ("generated.rs".into(), g.code.clone()), overlays: vec![] };
        return Err(format!("the generated code contains {c:?} outside a literal (code saved to {})", save(&case)));
    }
    Ok(Outcome::Generated)
}

/// Checks one diagnostic is located in one of the inputs.
fn located(d: &Diagnostic, texts: &HashMap<&str, &str>) -> Result<(), String> {
    let fail = |why: &str| Err(format!("{why}: {d:?}"));
    if d.code == Code::Io {
        return fail("an I/O diagnostic for text input");
    }
    if d.message.trim().is_empty() {
        return fail("empty message");
    }
    if d.hint.trim().is_empty() {
        return fail("empty hint");
    }
    let Some(text) = texts.get(d.file.as_str()) else { return fail("the file is not one of the inputs") };
    let lines = text.split('\n').count().max(1);
    if d.line < 1 || d.line > lines {
        return fail(&format!("line outside the file's {lines} lines"));
    }
    if d.column < 1 {
        return fail("column < 1");
    }
    if !(d.pointer.is_empty() || d.pointer.starts_with('/')) {
        return fail("the pointer is not a JSON pointer");
    }
    Ok(())
}

/// Set once a case hangs. Later cases are skipped, since each could leave
/// another runaway thread behind; they count as passing, so that shrinking
/// stops and the hanging input is the one reported (its test has failed).
static HUNG: Mutex<Option<String>> = Mutex::new(None);

/// Runs `case` on its own thread, bounded by [`BOUND`]; panics and hangs are failures.
fn run_case(case: Case) -> Result<Outcome, TestCaseError> {
    if HUNG.lock().expect("not poisoned").is_some() {
        return Ok(Outcome::Skipped);
    }
    let (tx, rx) = mpsc::channel();
    let saved = case.clone();
    std::thread::Builder::new()
        .name("fuzz-case".into())
        .stack_size(STACK)
        .spawn(move || {
            let r = std::panic::catch_unwind(AssertUnwindSafe(|| pipeline(&case)));
            let _ = tx.send(r);
        })
        .expect("spawn a case thread");
    match rx.recv_timeout(BOUND) {
        Ok(Ok(Ok(outcome))) => Ok(outcome),
        Ok(Ok(Err(why))) => Err(TestCaseError::fail(format!("{why}\n(input saved to {})", save(&saved)))),
        Ok(Err(panic)) => {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(TestCaseError::fail(format!("panicked: {msg}\n(input saved to {})", save(&saved))))
        }
        Err(_) => {
            let why = format!("no result within {BOUND:?} (input saved to {})", save(&saved));
            *HUNG.lock().expect("not poisoned") = Some(why.clone());
            Err(TestCaseError::fail(why))
        }
    }
}

/// Saves a failing input under `target/fuzz-failures/` and returns the directory.
fn save(case: &Case) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = repo_root().join("target/fuzz-failures").join(format!(
        "{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::create_dir_all(&dir);
    for (n, t) in std::iter::once(&case.spec).chain(&case.overlays) {
        let _ = std::fs::write(dir.join(Path::new(n).file_name().unwrap_or_default()), t);
    }
    dir.display().to_string()
}

/// Outcome counts of one property, printed at the end (`--nocapture`).
#[derive(Default)]
struct Tally(Mutex<BTreeMap<&'static str, usize>>);

impl Tally {
    fn add(&self, o: Outcome) {
        let key = match o {
            Outcome::Unparsed => "unparsed",
            Outcome::Rejected => "rejected with located errors",
            Outcome::Generated => "generated",
            Outcome::Skipped => "skipped after a hang",
        };
        *self.0.lock().expect("not poisoned").entry(key).or_default() += 1;
    }

    fn report(&self, what: &str, started: Instant) -> BTreeMap<&'static str, usize> {
        let t = self.0.lock().expect("not poisoned").clone();
        eprintln!("{what}: {} cases in {:.1?}: {t:?}", t.values().sum::<usize>(), started.elapsed());
        t
    }
}

fn run_property<S: Strategy>(
    what: &str,
    cases: u32,
    strategy: S,
    to_case: impl Fn(S::Value) -> Case,
) -> BTreeMap<&'static str, usize> {
    let started = Instant::now();
    let tally = Tally::default();
    let result = runner(cases).run(&strategy, |v| {
        let outcome = run_case(to_case(v))?;
        tally.add(outcome);
        Ok(())
    });
    let counts = tally.report(what, started);
    if let Err(e) = result {
        panic!("{what}: {e}");
    }
    counts
}

// ---------------------------------------------------------------------------
// Properties

#[test]
fn mutated_slices_of_the_losant_spec() {
    let s = seeds();
    let strategy = (proptest::collection::vec(any::<usize>(), 1..=4), mutations(6), any::<bool>());
    let counts = run_property("Losant slices", cases(), strategy, |(picks, muts, yaml)| {
        let picks: Vec<(String, String)> = picks.iter().map(|i| s.ops[i % s.ops.len()].clone()).collect();
        let mut doc = slice(&s.losant, &picks);
        for m in &muts {
            apply(&mut doc, m);
        }
        Case { spec: serialize(&doc, yaml, "slice"), overlays: vec![] }
    });
    // The mutations must leave many specs generating, or the later stages go untested.
    assert!(
        counts.get("generated").copied().unwrap_or(0) * 5 >= cases() as usize,
        "too few cases generate: {counts:?}"
    );
}

#[test]
fn mutated_corpus_specs() {
    let s = seeds();
    let strategy = (any::<usize>(), mutations(5), any::<bool>());
    run_property("corpus specs", cases(), strategy, |(i, muts, yaml)| {
        let (name, doc) = &s.corpus_docs[i % s.corpus_docs.len()];
        let mut doc = doc.clone();
        for m in &muts {
            apply(&mut doc, m);
        }
        Case { spec: serialize(&doc, yaml, name), overlays: vec![] }
    });
}

#[test]
fn mutated_overlays_on_corpus_specs() {
    let s = seeds();
    let strategy = (any::<usize>(), any::<usize>(), mutations(4), any::<bool>());
    run_property("corpus overlays", cases(), strategy, |(i, j, muts, yaml)| {
        let (spec_name, spec) = &s.corpus[i % s.corpus.len()];
        let (name, ov) = &s.overlay_docs[j % s.overlay_docs.len()];
        let mut ov = ov.clone();
        for m in &muts {
            apply(&mut ov, m);
        }
        Case { spec: (spec_name.clone(), spec.clone()), overlays: vec![serialize(&ov, yaml, name)] }
    });
}

/// Text-level edits: what a person half-way through editing a file produces.
#[derive(Debug, Clone)]
pub(crate) enum Edit {
    Truncate(usize),
    Insert(usize, &'static str),
    Delete(usize, usize),
    DuplicateLine(usize, usize),
}

const SNIPPETS: &[&str] = &[
    ":",
    "- ",
    "\n  ",
    "\n",
    "&a ",
    "*a",
    "*b",
    "<<: *a\n",
    "{",
    "}",
    "[",
    "]",
    "\"",
    "'",
    "\t",
    "#",
    "? ",
    "!!binary ",
    "!tag ",
    "%YAML 1.2\n",
    "---\n",
    "...\n",
    "\u{feff}",
    "\r",
    "\u{0}",
    "\\",
    "~",
    "$ref: '#/'\n",
    "|\n",
    ">-\n",
    ",",
    "  $ref: '#/components/schemas/a'\n",
    "x: &a {b: *a}\n",
];

pub(crate) fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), proptest::sample::select(SNIPPETS)).prop_map(|(i, s)| Edit::Insert(i, s)),
        (any::<usize>(), 1usize..40).prop_map(|(i, n)| Edit::Delete(i, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(i, j)| Edit::DuplicateLine(i, j)),
    ]
}

pub(crate) fn edit_text(text: &str, e: &Edit) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = |i: usize| if chars.is_empty() { 0 } else { i % (chars.len() + 1) };
    match e {
        Edit::Truncate(i) => chars[..at(*i)].iter().collect(),
        Edit::Insert(i, s) => {
            let i = at(*i);
            chars[..i].iter().copied().chain(s.chars()).chain(chars[i..].iter().copied()).collect()
        }
        Edit::Delete(i, n) => {
            let i = at(*i);
            chars[..i].iter().chain(chars[(i + n).min(chars.len())..].iter()).collect()
        }
        Edit::DuplicateLine(i, j) => {
            let mut lines: Vec<&str> = text.split('\n').collect();
            let line = lines[i % lines.len()];
            let to = j % (lines.len() + 1);
            lines.insert(to, line);
            lines.join("\n")
        }
    }
}

#[test]
fn edited_corpus_text() {
    let s = seeds();
    let strategy = (any::<usize>(), proptest::collection::vec(edit(), 1..=4), any::<bool>());
    run_property("edited text", cases(), strategy, |(i, edits, as_overlay)| {
        let (name, text) = &s.corpus[i % s.corpus.len()];
        let text = edits.iter().fold(text.clone(), |t, e| edit_text(&t, e));
        if as_overlay {
            let (_, base) = s.corpus.iter().find(|(n, _)| n == "base.yml").expect("the overlay base spec");
            Case { spec: ("base.yml".into(), base.clone()), overlays: vec![(format!("ov-{name}"), text)] }
        } else {
            Case { spec: (name.clone(), text), overlays: vec![] }
        }
    });
}

#[test]
fn mutated_full_losant_spec_with_its_overlay() {
    let s = seeds();
    let strategy = (mutations(4), any::<bool>());
    let n = (cases() / 16).max(2);
    run_property("full Losant spec", n, strategy, |(muts, yaml)| {
        let mut doc = s.raw_doc.clone();
        for m in &muts {
            apply(&mut doc, m);
        }
        Case { spec: serialize(&doc, yaml, "losant"), overlays: vec![("overlay.yml".into(), s.overlay.clone())] }
    });
}

// ---------------------------------------------------------------------------
// What a compiler would reject, checked on the syntax tree

mod compile_proxy {
    use super::*;

    /// Prelude names the generated code may use unqualified.
    const PRELUDE: &[&str] = &[
        "Box",
        "Option",
        "Some",
        "None",
        "Result",
        "Ok",
        "Err",
        "String",
        "Vec",
        "ToString",
        "ToOwned",
        "From",
        "Into",
        "TryFrom",
        "TryInto",
        "AsRef",
        "AsMut",
        "Default",
        "Clone",
        "Copy",
        "Send",
        "Sync",
        "Sized",
        "Drop",
        "Fn",
        "FnMut",
        "FnOnce",
        "Iterator",
        "IntoIterator",
        "Extend",
        "Eq",
        "PartialEq",
        "Ord",
        "PartialOrd",
        "Unpin",
        "DoubleEndedIterator",
        "ExactSizeIterator",
        "FromIterator",
        "Self",
    ];

    /// Inherent methods of the runtime's `Client`, read from its sources.
    fn client_methods() -> &'static BTreeSet<String> {
        static M: OnceLock<BTreeSet<String>> = OnceLock::new();
        M.get_or_init(|| {
            let mut out = BTreeSet::new();
            let dir = repo_root().join("generator/runtime");
            for e in std::fs::read_dir(&dir).expect("the runtime exists") {
                let p = e.expect("a directory entry").path();
                let file = syn::parse_file(&std::fs::read_to_string(&p).expect("runtime source"))
                    .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
                for item in file.items {
                    if let syn::Item::Impl(i) = item {
                        if i.trait_.is_none() && type_name(&i.self_ty).as_deref() == Some("Client") {
                            out.extend(methods(&i));
                        }
                    }
                }
            }
            assert!(out.contains("execute"), "found the runtime Client's methods: {out:?}");
            out
        })
    }

    fn type_name(t: &syn::Type) -> Option<String> {
        match t {
            syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        }
    }

    fn methods(i: &syn::ItemImpl) -> Vec<String> {
        i.items
            .iter()
            .filter_map(|it| match it {
                syn::ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
                _ => None,
            })
            .collect()
    }

    fn unraw(s: String) -> String {
        s.strip_prefix("r#").map(str::to_string).unwrap_or(s)
    }

    fn dup(what: &str, names: impl IntoIterator<Item = String>) -> Result<(), String> {
        let mut seen = BTreeSet::new();
        for n in names {
            if !seen.insert(n.clone()) {
                return Err(format!("{what}: `{n}` is defined twice"));
            }
        }
        Ok(())
    }

    /// Identifiers used as a path's first segment (not after `::`, `.` or
    /// `'`), outside attributes: what name resolution looks up in the module.
    fn unqualified(tokens: TokenStream, out: &mut BTreeSet<String>) {
        // The punctuation just before the current token: `::`, `.`, `'` or `#`.
        let mut colons = 0;
        let mut prev = ' ';
        let mut defining = false;
        for tt in tokens {
            match &tt {
                TokenTree::Ident(i) => {
                    let name = unraw(i.to_string());
                    if colons < 2 && prev != '.' && prev != '\'' && !defining {
                        out.insert(name.clone());
                    }
                    // The name after these keywords is a definition, not a use.
                    defining = matches!(name.as_str(), "struct" | "enum" | "type" | "fn" | "mod" | "trait" | "const");
                    (colons, prev) = (0, ' ');
                }
                TokenTree::Punct(p) => {
                    colons = if p.as_char() == ':' { colons + 1 } else { 0 };
                    prev = p.as_char();
                    defining = false;
                }
                TokenTree::Group(g) => {
                    if prev != '#' && prev != '!' {
                        unqualified(g.stream(), out);
                    }
                    (colons, prev, defining) = (0, ' ', false);
                }
                TokenTree::Literal(_) => (colons, prev, defining) = (0, ' ', false),
            }
        }
    }

    fn check_items(module: &str, items: &[syn::Item]) -> Result<(), String> {
        let mut types = Vec::new();
        let mut values = Vec::new();
        let mut inherent: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for item in items {
            match item {
                syn::Item::Struct(s) => {
                    types.push(s.ident.to_string());
                    match &s.fields {
                        syn::Fields::Named(f) => {
                            let names = f.named.iter().filter_map(|f| f.ident.as_ref()).map(|i| unraw(i.to_string()));
                            let names: Vec<String> = names.collect();
                            for n in &names {
                                snake(&format!("field {module}::{}::{n}", s.ident), n)?;
                            }
                            dup(&format!("fields of {module}::{}", s.ident), names)?;
                        }
                        syn::Fields::Unnamed(_) | syn::Fields::Unit => values.push(s.ident.to_string()),
                    }
                }
                syn::Item::Enum(e) => {
                    types.push(e.ident.to_string());
                    for v in &e.variants {
                        camel(&format!("variant {module}::{}::{}", e.ident, v.ident), &v.ident.to_string())?;
                    }
                    dup(&format!("variants of {module}::{}", e.ident), e.variants.iter().map(|v| v.ident.to_string()))?;
                    // Its `FromStr` impl names `Self::Err`, ambiguous with a variant `Err`.
                    if e.variants.iter().any(|v| v.ident == "Err") {
                        return Err(format!("{module}::{} has a variant `Err`", e.ident));
                    }
                }
                syn::Item::Type(t) => types.push(t.ident.to_string()),
                syn::Item::Mod(m) => {
                    types.push(m.ident.to_string());
                    if let Some((_, inner)) = &m.content {
                        check_items(&format!("{module}::{}", m.ident), inner)?;
                    }
                }
                syn::Item::Use(u) => collect_use(&u.tree, &mut types),
                syn::Item::Fn(f) => values.push(f.sig.ident.to_string()),
                syn::Item::Const(c) => values.push(c.ident.to_string()),
                syn::Item::Impl(i) => {
                    for it in &i.items {
                        if let syn::ImplItem::Fn(f) = it {
                            let args = f.sig.inputs.iter().filter_map(|a| match a {
                                syn::FnArg::Typed(t) => match &*t.pat {
                                    syn::Pat::Ident(p) => Some(unraw(p.ident.to_string())),
                                    _ => None,
                                },
                                syn::FnArg::Receiver(_) => Some("self".into()),
                            });
                            dup(&format!("arguments of {module}::{}", f.sig.ident), args)?;
                            let name = unraw(f.sig.ident.to_string());
                            snake(&format!("method {module}::{name}"), &name)?;
                            if i.trait_.is_none() && imitates_trait(&f.sig) {
                                return Err(format!("{module}: method `{name}` imitates a trait method (clippy)"));
                            }
                        }
                    }
                    if i.trait_.is_none() {
                        if let Some(t) = type_name(&i.self_ty) {
                            inherent.entry(t).or_default().extend(methods(i).into_iter().map(unraw));
                        }
                    }
                }
                _ => {}
            }
        }
        for item in items {
            if let syn::Item::Struct(syn::ItemStruct { ident, .. })
            | syn::Item::Enum(syn::ItemEnum { ident, .. })
            | syn::Item::Type(syn::ItemType { ident, .. }) = item
            {
                camel(&format!("type {module}::{ident}"), &ident.to_string())?;
            }
        }
        dup(&format!("types of {module}"), types.iter().cloned())?;
        dup(&format!("values of {module}"), values.iter().cloned())?;
        for (ty, ms) in &inherent {
            let mut all = ms.clone();
            if ty == "Client" {
                all.extend(client_methods().iter().cloned());
            }
            dup(&format!("inherent methods of {module}::{ty}"), all)?;
            // `clone` on a type deriving Clone would shadow it (the builders' `stream` calls it).
            if ms.iter().any(|m| m == "clone") {
                return Err(format!("{module}::{ty} has an inherent `clone`, shadowing Clone::clone"));
            }
        }
        let mut used = BTreeSet::new();
        for item in items {
            if !matches!(item, syn::Item::Mod(_)) {
                unqualified(item.to_token_stream(), &mut used);
            }
        }
        for t in types.iter().chain(&values) {
            // `types` takes no prelude name at all: `use types::*` would shadow it in callers' code.
            if PRELUDE.contains(&t.as_str()) && (used.contains(t) || module == "crate::types") {
                return Err(format!("{module} defines `{t}`, shadowing the prelude's `{t}`"));
            }
        }
        Ok(())
    }

    /// Clippy's `should_implement_trait`, for the shapes generated methods have:
    /// `fn add(self, value) -> Self` (setters) and `fn cmp(&self, arg)` (actions).
    fn imitates_trait(sig: &syn::Signature) -> bool {
        const BY_VALUE: [&str; 10] = ["add", "sub", "mul", "div", "rem", "shl", "shr", "bitand", "bitor", "bitxor"];
        let by_value = matches!(sig.inputs.first(), Some(syn::FnArg::Receiver(r)) if r.reference.is_none());
        let name = sig.ident.to_string();
        sig.inputs.len() == 2 && ((by_value && BY_VALUE.contains(&name.as_str())) || (!by_value && name == "cmp"))
    }

    /// `non_camel_case_types`, as rustc checks it (for what the generator emits: ASCII).
    fn camel(what: &str, name: &str) -> Result<(), String> {
        let ok = name.starts_with(|c: char| c.is_ascii_uppercase()) && name.chars().all(|c| c.is_ascii_alphanumeric());
        if ok {
            Ok(())
        } else {
            Err(format!("{what} is not UpperCamelCase (rustc warns)"))
        }
    }

    /// `non_snake_case`, as rustc checks it: no capitals, no `__` inside.
    fn snake(what: &str, name: &str) -> Result<(), String> {
        let inner = name.trim_matches('_');
        if name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') && !inner.contains("__") {
            Ok(())
        } else {
            Err(format!("{what} is not snake_case (rustc warns)"))
        }
    }

    fn collect_use(tree: &syn::UseTree, out: &mut Vec<String>) {
        match tree {
            syn::UseTree::Path(p) => collect_use(&p.tree, out),
            syn::UseTree::Name(n) => out.push(n.ident.to_string()),
            syn::UseTree::Rename(r) => out.push(r.rename.to_string()),
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| collect_use(t, out)),
            syn::UseTree::Glob(_) => {}
        }
    }

    /// Name collisions a compiler would reject, on the generated file.
    pub fn check(file: &syn::File) -> Result<(), String> {
        check_items("crate", &file.items)
    }
}

// ---------------------------------------------------------------------------
// Regression cases: inputs the properties above found, and the extremes they
// reach only rarely. Each runs through the same bounded, panic-catching runner.

fn must_pass(spec: &str, overlays: &[&str]) -> Outcome {
    let case = Case {
        spec: ("spec.yml".into(), spec.into()),
        overlays: overlays.iter().enumerate().map(|(i, t)| (format!("overlay{i}.yml"), t.to_string())).collect(),
    };
    run_case(case).unwrap_or_else(|e| panic!("{e}"))
}

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";

fn one_op(schema: &str) -> String {
    format!(
        "{HEAD}paths:\n  /a:\n    get:\n      operationId: a.get\n      responses:\n        '200':\n          \
         description: ok\n          content:\n            application/json:\n              schema: {schema}\n"
    )
}

/// The seeds themselves: every valid one generates and passes the checks (the
/// naming specs and fixtures also compile for real, in `naming_table.rs`
/// and `fixtures.rs`, so the checks here have no false positives).
#[test]
fn unmutated_seeds_pass() {
    let s = seeds();
    let mut generated = 0;
    for (name, text) in &s.corpus {
        if run_case(Case { spec: (name.clone(), text.clone()), overlays: vec![] })
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            == Outcome::Generated
        {
            generated += 1;
        }
    }
    assert!(generated >= 10, "{generated} seeds generate");
}

/// Was a hang: nested YAML aliases ("billion laughs") made the location index
/// replay 10^8 entries before the YAML parser's own repetition limit was reached.
#[test]
fn nested_yaml_aliases_are_refused_quickly() {
    let mut s = format!("{HEAD}paths: {{}}\nx-a: &a [x,x,x,x,x,x,x,x,x,x]\n");
    let mut prev = "a".to_string();
    for i in 0..8 {
        let n = format!("b{i}");
        let refs = vec![format!("*{prev}"); 10].join(",");
        s.push_str(&format!("x-{n}: &{n} [{refs}]\n"));
        prev = n;
    }
    assert_eq!(must_pass(&s, &[]), Outcome::Unparsed);
}

/// Aliases within the budget still locate nodes inside them.
#[test]
fn aliased_nodes_keep_their_locations() {
    let s = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    a: &shape\n      type: object\n      properties:\n        \
         n: {{type: integer, maxItems: many}}\n    b: *shape\n"
    );
    let a = analyze_str(("spec.yml", &s), &[]);
    let lines: BTreeSet<(String, usize)> = a.diagnostics.iter().map(|d| (d.pointer.clone(), d.line)).collect();
    assert!(lines.contains(&("/components/schemas/a/properties/n/maxItems".into(), 9)), "{lines:?}");
    assert!(lines.contains(&("/components/schemas/b/properties/n/maxItems".into(), 9)), "{lines:?}");
}

/// Was a hang: `allOf` branches that refer back to their own schema were
/// expanded 4^17 times (a depth limit of 16, no memory of visited schemas).
#[test]
fn self_referencing_all_of_generates() {
    let s = format!(
        "{}components:\n  schemas:\n    A:\n      properties: {{x: {{type: string}}}}\n      allOf: [{}]\n",
        one_op("{$ref: '#/components/schemas/A'}"),
        ["{$ref: '#/components/schemas/A'}"; 6].join(", ")
    );
    assert_eq!(must_pass(&s, &[]), Outcome::Generated);
}

/// The acyclic form of the same blow-up: a ladder of `allOf` diamonds.
#[test]
fn all_of_diamond_ladder_generates() {
    let mut s = format!("{}components:\n  schemas:\n", one_op("{$ref: '#/components/schemas/S0'}"));
    for i in 0..30 {
        let next = format!("{{$ref: '#/components/schemas/S{}'}}", i + 1);
        s.push_str(&format!(
            "    S{i}:\n      properties: {{p{i}: {{type: string}}}}\n      allOf: [{next}, {next}, {next}]\n"
        ));
    }
    s.push_str("    S30: {properties: {last: {type: integer}}}\n");
    assert_eq!(must_pass(&s, &[]), Outcome::Generated);
}

/// Was a crash (stack overflow): a chain of array components, each the list
/// of the next, lowered to one `Vec<Vec<…>>` type expression nested as deep
/// as the chain is long, which overflowed the stack of the Rust parser that
/// formats the code (syn, ~35 KiB per level in a debug build script). The
/// document itself is shallow.
#[test]
fn long_chain_of_array_components_generates() {
    let mut s = format!("{}components:\n  schemas:\n", one_op("{$ref: '#/components/schemas/L0'}"));
    for i in 0..300 {
        s.push_str(&format!("    L{i}: {{type: array, items: {{$ref: '#/components/schemas/L{}'}}}}\n", i + 1));
    }
    s.push_str("    L300: {type: object, additionalProperties: {$ref: '#/components/schemas/M0'}}\n");
    for i in 0..300 {
        s.push_str(&format!(
            "    M{i}: {{type: object, additionalProperties: {{$ref: '#/components/schemas/M{}'}}}}\n",
            i + 1
        ));
    }
    s.push_str("    M300: {type: string}\n");
    assert_eq!(must_pass(&s, &[]), Outcome::Generated);
}

/// Was a mislocated diagnostic: a YAML syntax error at the end of a file
/// without a final newline was reported on the line after the last.
#[test]
fn syntax_errors_at_the_end_of_input_are_inside_the_file() {
    for text in ["openapi: 3.0.3\ninfo:\n  title: t\n  c", "openapi: 3.0.3\ninfo: {", "{\"openapi\": ", "a: [\n"] {
        let a = analyze_str(("spec.yml", text), &[]);
        let texts = HashMap::from([("spec.yml", text)]);
        assert!(a.has_errors(), "{text:?}");
        for d in &a.diagnostics {
            located(d, &texts).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        }
    }
}

/// Was a mislocated diagnostic (found with a random seed): a YAML file that
/// ends in a list item `-` with no final newline has an empty (null) item,
/// which yaml-rust2 marks on the line after the last, so the "a schema must
/// be an object" error for it was on line 49 of a 48-line file. Every corpus
/// file truncated after each of its `-` characters, as a spec and as an
/// overlay.
#[test]
fn a_final_list_item_without_newline_is_inside_the_file() {
    let mut checked = 0;
    for (name, text) in &seeds().corpus {
        for (i, _) in text.match_indices('-') {
            let cut = &text[..=i];
            let base = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n";
            for (spec, overlays) in [(cut, vec![]), (base, vec![("overlay.yml", cut)])] {
                let a = analyze_str(("spec.yml", spec), &overlays);
                let texts = HashMap::from([("spec.yml", spec), ("overlay.yml", cut)]);
                for d in &a.diagnostics {
                    located(d, &texts).unwrap_or_else(|e| panic!("{name} cut after byte {i}: {e}"));
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 400, "only {checked} diagnostics checked");
}

/// Was code rustc rejects: a carriage return or a text-direction control
/// character in a name or description reached a doc comment verbatim
/// (`/// The `\r` field.`). Found with a property renamed to "\r". Also tabs
/// (clippy's `tabs_in_doc_comments`), and media type names, which reached the
/// doc of `send()` as they were (a tab in `a\tpplication/json`: fuzz seed
/// 4182892002; a `\r` there made code that does not parse).
#[test]
fn control_characters_in_names_and_descriptions_generate() {
    for n in [
        "\r",
        "a\rb",
        "\r\n",
        "\u{202e}rtl",
        "x\u{2066}y",
        "\u{0}",
        "\u{1b}[31m",
        "\n",
        "*/",
        "/*",
        "```",
        "\t",
        "a\tb",
    ] {
        let doc = json!({
            "openapi": "3.0.3",
            "info": {"title": n, "version": n, "description": n},
            "paths": {format!("/a{n}/{{id}}"): {"get": {
                "operationId": format!("{n}.{n}"),
                "summary": n,
                "description": n,
                "parameters": [
                    {"name": "id", "in": "path", "required": true, "description": n, "schema": {"type": "string", "pattern": n}},
                    {"name": n, "in": "query", "description": n, "schema": {"type": "string", "enum": [n], "default": n}}
                ],
                "responses": {
                    "200": {"description": n, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/T"}}}},
                    "404": {"description": n}
                }
            }}, format!("/text{n}"): {"get": {
                "operationId": "text",
                "responses": {"200": {"description": n, "content": {format!("text/plain{n}"): {"schema": {"type": "string"}}}}}
            }}, format!("/bytes{n}"): {"get": {
                "operationId": "bytes",
                "responses": {"200": {"description": n, "content": {format!("a{n}pplication/octet-stream"): {"schema": {"type": "string", "format": "binary"}}}}}
            }}},
            "components": {"schemas": {"T": {
                "type": "object",
                "title": n,
                "description": n,
                "properties": {n: {"type": "string", "description": n, "enum": [n, format!("{n}2")]}},
                "x-pattern-properties": {n: {"type": "string"}}
            }}}
        });
        for yaml in [true, false] {
            let case = Case { spec: serialize(&doc, yaml, "control"), overlays: vec![] };
            let outcome = run_case(case).unwrap_or_else(|e| panic!("{n:?}: {e}"));
            assert_eq!(outcome, Outcome::Generated, "{n:?}");
        }
    }
}

/// Text nesting beyond the parsers' recursion limit is a located syntax error.
#[test]
fn nesting_beyond_the_parser_limit_is_a_located_error() {
    let deep = nested(Shape::Items, 300);
    for yaml in [true, false] {
        let mut doc: Value = serde_yaml::from_str(&one_op("{type: string}")).expect("valid YAML");
        doc["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = deep.clone();
        let (name, text) = serialize(&doc, yaml, "deep");
        let outcome = run_case(Case { spec: (name, text), overlays: vec![] }).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(outcome, Outcome::Unparsed);
    }
}

/// The deepest documents text can produce: a spec and an overlay each nested
/// to just under the parsers' limit, the overlay grafting at the spec's deepest
/// point.
#[test]
fn deepest_nesting_reachable_from_files_generates() {
    let depth = |v: &Value| nodes(v).iter().map(|p| p.matches('/').count()).max().unwrap_or(0);
    // The deepest value of this shape a parser accepts at `prefix` levels down.
    let fit = |shape: Shape, prefix: usize, leaf: &Value| {
        (1..200).rev().map(|n| nested_with(shape, n, leaf.clone())).find(|v| prefix + depth(v) < 127).expect("fits")
    };
    for shape in SHAPES {
        let mut doc: Value = serde_yaml::from_str(&one_op("{$ref: '#/components/schemas/Deep'}")).expect("YAML");
        doc["components"] = json!({"schemas": {}});
        doc["components"]["schemas"]["Deep"] = fit(shape, 3, &json!({"type": "object", "x-leaf": true}));
        let spec = serde_json::to_string(&doc).expect("serializes");
        let mut overlay = json!({
            "overlay": "1.0.0",
            "info": {"title": "deep", "version": "1"},
            "actions": [{"target": "$..[?@['x-leaf']]", "update": {"properties": {}}}]
        });
        overlay["actions"][0]["update"]["properties"]["more"] = fit(shape, 5, &json!({"type": "string"}));
        let overlay = serde_json::to_string(&overlay).expect("serializes");
        let a = analyze_str(("spec.json", &spec), &[("overlay.json", &overlay)]);
        assert!(depth(a.doc.as_ref().expect("parses")) > 240, "{shape:?}: the overlay grafted at the deepest point");
        assert_eq!(must_pass(&spec, &[&overlay]), Outcome::Generated, "{shape:?}");
    }
}

fn deep_doc(shape: Shape, levels: usize) -> Value {
    let mut doc: Value = serde_yaml::from_str(&one_op("{$ref: '#/components/schemas/Deep'}")).expect("YAML");
    doc["components"] = json!({"schemas": {}});
    doc["components"]["schemas"]["Deep"] = nested(shape, levels);
    doc
}

/// Runs `f` on a thread with `stack` bytes of stack; a crash aborts the test binary.
fn on_stack<T: Send + 'static>(stack: usize, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .stack_size(stack)
        .spawn(move || {
            let _ = tx.send(f());
        })
        .expect("spawn");
    rx.recv_timeout(BOUND).expect("finished in time")
}

const SHAPES: [Shape; 6] =
    [Shape::Items, Shape::Properties, Shape::AllOf, Shape::OneOf, Shape::AdditionalProperties, Shape::Mixed];

/// Was a crash for documents built in memory (which no parser limits): 2,000
/// levels overflowed an 8 MiB stack in lowering and formatting. Analysis now
/// stops at `check::MAX_DEPTH` with a located `nesting-too-deep` error before
/// the recursive stages, and `generate` refuses such a document with an error.
#[test]
fn nesting_beyond_the_limit_is_refused_not_a_crash() {
    for shape in SHAPES {
        let (located, generated) = on_stack(STACK, move || {
            let doc = deep_doc(shape, 2000);
            // Not cloned: serde_json's own `Clone` recursion is what overflows at this depth.
            let map =
                SourceMap::new(SourceFile { name: "memory".into(), value: Value::Null, positions: Default::default() });
            let mut diags = Diagnostics::new();
            assert!(check::nesting(&doc, &map, &mut diags), "{shape:?}: reported");
            let d = diags.into_sorted();
            let located = d.len() == 1 && d[0].code.as_str() == "nesting-too-deep" && d[0].line >= 1;
            (located, generate::generate(&doc, None).is_ok())
        });
        assert!(located, "{shape:?}: one located nesting-too-deep error");
        assert!(!generated, "{shape:?}: generate refuses the document");
    }
}

/// `too_deep` names the first node past the limit in document order, as a
/// pointer with its keys escaped and its indexes written out: compared with
/// a plain recursive search on documents with a shallow sibling first, two
/// deep branches (the first one wins), keys holding `~` and `/`, and lists.
#[test]
fn too_deep_points_at_the_first_node_past_the_limit() {
    fn reference(v: &Value, ptr: &mut String, depth: usize) -> Option<String> {
        if depth > check::MAX_DEPTH {
            return Some(ptr.clone());
        }
        let children: Vec<(String, &Value)> = match v {
            Value::Object(m) => m.iter().map(|(k, sub)| (k.replace('~', "~0").replace('/', "~1"), sub)).collect(),
            Value::Array(a) => a.iter().enumerate().map(|(i, sub)| (i.to_string(), sub)).collect(),
            _ => vec![],
        };
        for (token, sub) in children {
            let len = ptr.len();
            ptr.push('/');
            ptr.push_str(&token);
            if let Some(found) = reference(sub, ptr, depth + 1) {
                return Some(found);
            }
            ptr.truncate(len);
        }
        None
    }
    // `levels` mappings and lists, alternating, around a leaf; built from the leaf up.
    fn branch(levels: usize, tag: &str) -> Value {
        (0..levels).fold(json!("leaf"), |inner, i| match i % 3 {
            0 => json!([1, inner]),
            1 => json!({format!("{tag}~{i}/x"): inner}),
            _ => json!({"shallow": {"a": 1}, format!("{tag}{i}"): inner}),
        })
    }
    let outcome = on_stack(STACK, || {
        let mut results = Vec::new();
        for (first, second) in [(300, 400), (check::MAX_DEPTH, 300), (check::MAX_DEPTH - 1, check::MAX_DEPTH)] {
            let doc = json!({"a": {"b": [1, 2]}, "first/~": branch(first, "f"), "second": branch(second, "s")});
            results.push((check::too_deep(&doc), reference(&doc, &mut String::new(), 0)));
        }
        results
    });
    for (i, (got, want)) in outcome.into_iter().enumerate() {
        assert_eq!(got, want, "document {i}");
        if i == 0 {
            let ptr = got.expect("300 levels are past the limit");
            assert!(ptr.starts_with("/first~1~0/f299/f~0298~1x/1/f296/"), "{ptr}");
        }
    }
}

/// Just under the limit, every stage and generation work on a 2 MiB stack
/// (a test thread's), for every shape of nesting.
#[test]
fn nesting_up_to_the_limit_generates_on_a_small_stack() {
    for shape in SHAPES {
        let levels = (1..300).rev().find(|n| check::too_deep(&deep_doc(shape, *n)).is_none()).expect("some depth fits");
        let outcome = on_stack(2 << 20, move || {
            let mut doc = deep_doc(shape, levels);
            let map =
                SourceMap::new(SourceFile { name: "memory".into(), value: doc.clone(), positions: Default::default() });
            let mut diags = Diagnostics::new();
            assert!(!check::nesting(&doc, &map, &mut diags));
            check::check_refs(&doc, &map, &mut diags);
            normalize::normalize(&mut doc, &map, &mut diags);
            check::check(&doc, &map, &mut diags);
            assert!(!diags.has_errors(), "{:?}", diags.into_sorted());
            generate::generate(&doc, None).map(|g| syn::parse_file(&g.code).is_ok()).map_err(|e| e.to_string())
        });
        assert_eq!(outcome, Ok(true), "{shape:?} at {levels} levels");
    }
}

/// Very long and unicode names everywhere a name can be (10,000-character
/// keys are explicit `? ` keys in YAML: implicit ones stop at 1,024).
#[test]
fn long_and_unicode_names_generate() {
    for n in ["a".repeat(10_000), "名".repeat(10_000), "🚀".repeat(3000), "_".repeat(5000) + "x"] {
        let r = format!("#/components/schemas/{n}");
        let doc = json!({
            "openapi": "3.0.3",
            "info": {"title": n, "version": "1"},
            "paths": {format!("/a/{{{n}}}"): {"get": {
                "operationId": format!("{n}.{n}"),
                "parameters": [
                    {"name": n, "in": "path", "required": true, "schema": {"type": "string"}},
                    {"name": format!("q{n}"), "in": "query", "schema": {"type": "string", "enum": [n, format!("{n}x")]}}
                ],
                "responses": {"200": {"description": n, "content": {"application/json": {"schema": {"$ref": r}}}}}
            }}},
            "components": {"schemas": {n.clone(): {
                "type": "object",
                "properties": {n.clone(): {"type": "string"}, format!("{n}2"): {"$ref": r}}
            }}}
        });
        for yaml in [true, false] {
            let case = Case { spec: serialize(&doc, yaml, "long"), overlays: vec![] };
            let outcome = run_case(case).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(outcome, Outcome::Generated, "name of {} chars (yaml: {yaml})", n.chars().count());
        }
    }
}
