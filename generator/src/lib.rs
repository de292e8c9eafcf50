//! `openapi-clientgen`: typed async Rust clients from real-world OpenAPI 3.0 specs.
//!
//! The pipeline, one module per stage:
//! [`source`] (load YAML/JSON with locations) → [`overlay`] (OpenAPI Overlay 1.0)
//! → [`normalize`] (interpret safe deviations) → [`check`] (full-pointer `$ref`
//! resolution and document checks) → lowering and emission.
//! Every stage collects [`diag::Diagnostic`]s instead of stopping at the first.
//!
//! Vendor extensions the generator reads (an overlay can add them):
//! - `x-rust-name` on a component schema or a parameter: the Rust name to
//!   derive from instead of the wire name;
//! - `x-clientgen-default-body` at the document root: the body (and its
//!   `Content-Type`) that `POST`/`PATCH`/`DELETE`-like requests without a body
//!   send, see [`extensions`];
//! - `x-clientgen-user-agent`, `x-clientgen-tracing-span`,
//!   `x-clientgen-default-query`, `x-clientgen-client-headers` at the document
//!   root: the API's wire conventions, see [`extensions`];
//! - `x-rust-name` on a security scheme: the name of its credential setter,
//!   see [`security`].

pub mod build;
pub mod check;
pub mod crate_gen;
pub mod diag;
pub mod diff;
pub mod emit_client;
pub mod emit_ops;
pub mod emit_types;
pub mod extensions;
pub mod generate;
pub mod ir;
pub mod lower;
pub mod names_lock;
pub mod naming;
pub mod normalize;
pub mod ops;
pub mod overlay;
pub mod pointer;
pub mod security;
pub mod source;
pub mod walk;

use std::path::{Path, PathBuf};

use serde_json::Value;

use diag::{Diagnostic, Diagnostics};
use source::{SourceFile, SourceMap};

/// A spec after overlays, normalization and checks.
#[derive(Debug)]
pub struct Analysis {
    /// The repaired document, when the spec could be parsed.
    pub doc: Option<Value>,
    /// Locations for pointers of `doc`.
    pub map: Option<SourceMap>,
    /// Every diagnostic, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// True when an input file could not be read at all.
    pub unreadable: bool,
}

impl Analysis {
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == diag::Severity::Error)
    }
}

/// Loads `spec`, applies `overlays` in order, normalizes and checks.
pub fn analyze(spec: &Path, overlays: &[PathBuf]) -> Analysis {
    let spec = SourceFile::read(spec);
    let overlays = overlays.iter().map(|p| SourceFile::read(p)).collect();
    analyze_sources(spec, overlays)
}

/// Like [`analyze`], from text (for tests and fuzzing): `(name, text)` pairs.
pub fn analyze_str(spec: (&str, &str), overlays: &[(&str, &str)]) -> Analysis {
    let spec = SourceFile::parse(spec.0, spec.1);
    let overlays = overlays.iter().map(|(n, t)| SourceFile::parse(n, t)).collect();
    analyze_sources(spec, overlays)
}

fn analyze_sources(spec: Result<SourceFile, Diagnostic>, overlays: Vec<Result<SourceFile, Diagnostic>>) -> Analysis {
    let mut diags = Diagnostics::new();
    let mut unreadable = false;
    let mut failed = |d: Diagnostic, diags: &mut Diagnostics| {
        unreadable |= d.code == diag::Code::Io;
        diags.push(d);
    };
    let mut ok_overlays = Vec::new();
    for o in overlays {
        match o {
            Ok(f) => ok_overlays.push(f),
            Err(d) => failed(d, &mut diags),
        }
    }
    let spec = match spec {
        Ok(s) => s,
        Err(d) => {
            failed(d, &mut diags);
            return Analysis { doc: None, map: None, diagnostics: diags.into_sorted(), unreadable };
        }
    };
    let mut doc = spec.value.clone();
    let mut map = SourceMap::new(spec);
    for o in ok_overlays {
        overlay::apply(&mut doc, o, &mut map, &mut diags);
    }
    if check::nesting(&doc, &map, &mut diags) {
        return Analysis { doc: Some(doc), map: Some(map), diagnostics: diags.into_sorted(), unreadable };
    }
    check::check_refs(&doc, &map, &mut diags);
    normalize::normalize(&mut doc, &map, &mut diags);
    check::check(&doc, &map, &mut diags);
    Analysis { doc: Some(doc), map: Some(map), diagnostics: diags.into_sorted(), unreadable }
}

/// Serializes a repaired document as YAML.
pub fn to_yaml(doc: &Value) -> String {
    serde_yaml::to_string(doc).unwrap_or_default()
}
