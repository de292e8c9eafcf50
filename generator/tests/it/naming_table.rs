//! Names: specs under `tests/naming/` whose schema, property, parameter,
//! operation and enum names are Rust keywords, start with digits, differ only
//! in case or punctuation, are empty, unicode or symbols, or equal names the
//! generated code and its runtime already use.
//!
//! For each spec:
//! - it analyzes without errors and generates;
//! - its naming table (wire name -> Rust name for every type, field, enum
//!   and union variant, operation, builder and parameter, taken from
//!   `Generated.api`) is snapshotted (`it__naming_table__<file>.snap`);
//! - the names are checked directly: valid identifiers, unique where Rust
//!   needs them unique, clear of the runtime's and the builders' own names;
//! - and all of them are compiled together with clippy and `-D warnings`
//!   (one scratch crate, `target/naming-check`, one module per spec).
//!
//! The directory is iterated, so a new spec is picked up automatically.
//! Update snapshots with `INSTA_UPDATE=always cargo test -p openapi-clientgen --test it -- naming_table::`,
//! then review every changed `.snap`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use openapi_clientgen::ir::{ParamIn, TypeKind, TypeRef, TypeSpace};
use openapi_clientgen::naming;
use openapi_clientgen::{struct_names, Generated};

use crate::support::lowered_api::generate_clean;
use crate::support::{root, scratch_crate};

fn specs() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/naming"))
        .expect("tests/naming exists")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "the naming specs: {files:?}");
    files
}

fn stem(p: &Path) -> String {
    p.file_stem().expect("a file name").to_string_lossy().into_owned()
}

/// A Rust name as written in the generated code (`r#` for raw identifiers).
fn rust(name: &str) -> String {
    if naming::is_keyword(name) {
        format!("r#{name}")
    } else {
        name.to_string()
    }
}

fn type_text(space: &TypeSpace, t: &TypeRef) -> String {
    match t {
        TypeRef::Named(id) => space.get(*id).name.clone(),
        TypeRef::Vec(i) => format!("Vec<{}>", type_text(space, i)),
        TypeRef::Map(i) => format!("Map<{}>", type_text(space, i)),
        TypeRef::Boxed(i) => format!("Box<{}>", type_text(space, i)),
        other => format!("{other:?}"),
    }
}

/// wire name -> Rust name for every named thing of the generated client.
fn table(g: &Generated) -> String {
    let space = &g.api.types;
    let mut out = String::from("types:\n");
    for t in &space.types {
        let kind = match &t.kind {
            TypeKind::Struct { .. } => "struct",
            TypeKind::Enum { .. } => "enum",
            TypeKind::Union { .. } => "union",
            TypeKind::Newtype { .. } => "newtype",
            TypeKind::Alias(_) => "alias",
        };
        writeln!(out, "  #{} => {} ({kind})", t.pointer, t.name).expect("write");
        match &t.kind {
            TypeKind::Struct { fields, .. } => {
                for f in fields {
                    writeln!(out, "    field {:?} => {}", f.wire, rust(&f.name)).expect("write");
                }
            }
            TypeKind::Enum { variants } => {
                for (v, w) in variants {
                    writeln!(out, "    value {w:?} => {v}").expect("write");
                }
            }
            TypeKind::Union { variants } => {
                for (v, ty) in variants {
                    writeln!(out, "    variant {v}({})", type_text(space, ty)).expect("write");
                }
            }
            _ => {}
        }
    }
    out.push_str("operations:\n");
    let (resources, builders) = struct_names(&g.api);
    let mut ops: Vec<_> = g.api.operations.iter().collect();
    ops.sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
    for op in ops {
        writeln!(
            out,
            "  {:?} {} {:?} => client.{}().{}() [{}, {}]",
            op.id,
            op.method,
            op.path,
            rust(&op.resource),
            rust(&op.action),
            resources[&op.resource],
            builders[&(op.resource.clone(), op.action.clone())]
        )
        .expect("write");
        for p in &op.params {
            let at = match p.location {
                ParamIn::Path => "path",
                ParamIn::Query => "query",
                ParamIn::Header => "header",
            };
            writeln!(out, "    {at} {:?} => {}", p.wire, rust(&p.name)).expect("write");
        }
    }
    out
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && s != "_"
}

fn unique<'a>(what: &str, names: impl IntoIterator<Item = &'a str>) {
    let mut seen = BTreeSet::new();
    for n in names {
        assert!(is_ident(n), "{what}: `{n}` is not an identifier");
        assert!(!["self", "Self", "crate", "super"].contains(&n), "{what}: `{n}` has no raw form");
        assert!(seen.insert(n), "{what}: `{n}` twice");
    }
}

/// Inherent methods of the runtime `Client` (an accessor with one of these
/// names would be a duplicate definition) and the trait methods an accessor
/// would shadow on it.
const CLIENT_METHODS: &[&str] = &[
    "new",
    "builder",
    "base_url",
    "execute",
    "execute_raw",
    "from_inner",
    "run",
    "url_for",
    "headers_for",
    "attempt",
    "clone",
    "default",
    "fmt",
];

/// Methods every request builder has (and `clone`, which `stream` calls).
const BUILDER_METHODS: &[&str] = &["send", "send_with_response", "request", "stream", "clone", "client", "body"];

fn check_names(file: &str, g: &Generated) {
    let space = &g.api.types;
    unique(&format!("{file}: type names"), space.types.iter().map(|t| t.name.as_str()));
    for t in &space.types {
        let at = format!("{file}: {}", t.name);
        match &t.kind {
            TypeKind::Struct { fields, .. } => unique(&format!("{at} fields"), fields.iter().map(|f| f.name.as_str())),
            TypeKind::Enum { variants } => {
                unique(&format!("{at} variants"), variants.iter().map(|(v, _)| v.as_str()).chain(["Unknown", "Err"]));
            }
            TypeKind::Union { variants } => unique(&format!("{at} variants"), variants.iter().map(|(v, _)| v.as_str())),
            _ => {}
        }
    }
    for op in &g.api.operations {
        assert!(
            !CLIENT_METHODS.contains(&op.resource.as_str()),
            "{file}: accessor `{}` clashes with Client",
            op.resource
        );
        let params: Vec<&str> = op.params.iter().map(|p| p.name.as_str()).collect();
        unique(&format!("{file}: parameters of {}", op.id), params.iter().copied());
        for p in &params {
            assert!(!BUILDER_METHODS.contains(p), "{file}: parameter `{p}` of {} clashes with the builder", op.id);
        }
    }
    // Resource structs and builders share the `api` module with its imports.
    let (resources, builders) = struct_names(&g.api);
    assert_eq!(builders.len(), g.api.operations.len(), "{file}: one builder per operation");
    let imports = ["ApiResponse", "Client", "Error", "Request", "types"];
    unique(
        &format!("{file}: structs of the api module"),
        resources.values().chain(builders.values()).map(String::as_str).chain(imports),
    );
}

#[test]
fn naming_tables() {
    for path in specs() {
        let g = generate_clean(&path);
        check_names(&stem(&path), &g);
        insta::assert_snapshot!(stem(&path), table(&g));
    }
}

#[test]
fn naming_specs_compile_without_warnings_and_pass_clippy() {
    let started = std::time::Instant::now();
    let mut lib = String::from(
        "//! Generated clients of the naming specs (`tests/naming/`), compiled together.\n\
         #![deny(warnings, missing_docs)]\n\
         // Each module has its own copy of the runtime, on purpose.\n\
         #![allow(clippy::duplicate_mod)]\n\n",
    );
    for path in specs() {
        let g = generate_clean(&path);
        let doc = format!("Generated from `tests/naming/{}.yml`.", stem(&path));
        lib.push_str(&scratch_crate::module(&stem(&path).replace('-', "_"), &doc, &g.code));
    }
    scratch_crate::clippy("naming-check", &lib).unwrap_or_else(|e| panic!("{e}"));
    eprintln!("compiled {} naming specs with clippy in {:.1?}", specs().len(), started.elapsed());
}
