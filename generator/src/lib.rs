//! `openapi-clientgen`: typed async Rust clients from real-world OpenAPI 3.0 and 3.1 specs.
//!
//! [`Config`] is the entry point, for `build.rs`, the CLI and tests; every
//! failure is an [`Error`]. The pipeline, one private module per stage, in
//! the order it runs:
//! `source` (load YAML/JSON with locations) → `overlay` (OpenAPI Overlay 1.0)
//! → `check::nesting` (refuse documents too deep for the recursive stages)
//! → `check::check_refs` (every `$ref`, by its full JSON pointer)
//! → `openapi31` (an OpenAPI 3.1 document read as 3.0.3)
//! → `normalize` (interpret safe deviations) → `check::check` (version,
//! structure, operation ids, path templates) → `document` (the typed
//! `openapiv3::OpenAPI` model, with pointers kept alongside) → `ops` (reads
//! operations and parameters through the typed model) and `lower` (schemas,
//! still read as JSON by pointer) (the API
//! model, [`ir`]) → `emit_types` and `emit_ops` (tokens) → `generate`
//! (syn + prettyplease; both modules in chunks of types and of api units, each
//! emitted, parsed and printed on one of up to one thread per core, one thread
//! for small inputs); `crate_gen` writes a standalone crate, [`diff`] compares two
//! API models. Every stage collects [`diag::Diagnostic`]s instead of stopping
//! at the first.
//!
//! Every stage that follows a `$ref` does it through the one resolver,
//! `resolve::Resolver`, and every stage that reads operations does it through
//! the one operation iterator, `walk::operations` (parameters merged and resolved).
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
//!   see the `security` module.

mod build;
mod check;
mod config;
pub mod crate_gen;
pub mod diag;
pub mod diff;
mod doc_splice;
mod document;
mod emit_bodies;
mod emit_client;
mod emit_ops;
mod emit_types;
mod error;
pub mod extensions;
mod generate;
mod group;
pub mod ir;
mod lower;
mod markdown;
mod media;
pub mod names_lock;
pub mod naming;
mod normalize;
mod openapi31;
mod ops;
mod overlay;
mod pointer;
mod report;
mod resolve;
#[cfg(test)]
mod runtime_inline;
mod security;
mod source;
mod walk;

/// The runtime the generated clients call into (`generator/runtime/`, joined
/// into one file by the build script: [`crate_gen::runtime_rs`]). Never compiled here (it needs reqwest,
/// tokio, ...): declared only so that `cargo fmt` formats and checks its sources.
#[cfg(any())]
#[path = "../runtime/mod.rs"]
mod runtime;

pub use build::write_if_changed;
pub use config::Config;
pub use emit_ops::struct_names;
pub use error::Error;
pub use generate::Generated;

/// Stage functions for this crate's own fuzzer and benchmarks. Not part of
/// the API: no semver guarantee, use [`Config`].
#[doc(hidden)]
pub mod internals {
    /// See `crate::check`.
    pub mod check {
        pub use crate::check::{check, check_refs, collect_refs, nesting, too_deep, MAX_DEPTH};
    }
    /// See `crate::emit_ops`.
    pub mod emit_ops {
        pub use crate::emit_ops::{names_types, ApiPlan, ApiUnit};
    }
    /// See `crate::generate`.
    pub mod generate {
        pub use crate::generate::{
            emit, format_tokens, generate_code_value as generate_code, generate_value as generate, generate_value_with,
            Chunking, Generated,
        };
    }
    /// See `crate::normalize`.
    pub mod normalize {
        pub use crate::normalize::normalize;
    }
    /// See `crate::overlay`.
    pub mod overlay {
        pub use crate::overlay::apply;
    }
    /// See `crate::ops`.
    pub mod ops {
        pub use crate::generate::lower_value as lower_api;
    }
    /// See `crate::pointer`.
    pub mod pointer {
        pub use crate::pointer::{escape, is_prefix, join, parse_ref, split_last, to_pointer};
    }
    /// See `crate::walk`.
    pub mod walk {
        pub use crate::walk::{operations, schema_pointers};
    }
    pub use crate::report::Diagnostics;
    pub use crate::source::{SourceFile, SourceMap};
}

use serde_json::Value;

use diag::Diagnostic;
use report::Diagnostics;
use source::{SourceFile, SourceMap};

/// A spec after overlays, normalization and checks ([`Config::analyze`]).
#[derive(Debug)]
pub struct Analysis {
    /// The repaired document, when the spec could be parsed.
    pub doc: Option<Value>,
    /// `doc` as the typed OpenAPI model, when it has no errors.
    pub(crate) model: Option<openapiv3::OpenAPI>,
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

/// Loads, overlays, normalizes and checks (see [`Config::analyze`]).
pub(crate) fn analyze_sources(
    spec: Result<SourceFile, Diagnostic>,
    overlays: Vec<Result<SourceFile, Diagnostic>>,
) -> Analysis {
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
    let mut spec = match spec {
        Ok(s) => s,
        Err(d) => {
            failed(d, &mut diags);
            return Analysis { doc: None, model: None, diagnostics: diags.into_sorted(), unreadable };
        }
    };
    // Moved, not copied: the map locates pointers by the file's positions
    // and never reads its value again.
    let mut doc = std::mem::take(&mut spec.value);
    let mut map = SourceMap::new(spec);
    for o in ok_overlays {
        overlay::apply(&mut doc, o, &mut map, &mut diags);
    }
    if check::nesting(&doc, &map, &mut diags) {
        return Analysis { doc: Some(doc), model: None, diagnostics: diags.into_sorted(), unreadable };
    }
    check::check_refs(&doc, &map, &mut diags);
    let from_31 = openapi31::normalize(&mut doc, &mut map, &mut diags);
    normalize::normalize(&mut doc, &map, &mut diags);
    if from_31 {
        openapi31::finish(&mut doc);
    }
    check::check(&doc, &map, &mut diags);
    // Last: the typed model the later stages read (only of a document without errors).
    let model = if diags.has_errors() { None } else { document::check(&doc, &map, &mut diags) };
    Analysis { doc: Some(doc), model, diagnostics: diags.into_sorted(), unreadable }
}

/// Serializes a repaired document as YAML.
pub fn to_yaml(doc: &Value) -> String {
    serde_yaml::to_string(doc).unwrap_or_default()
}
