//! The generator's IR of the bundled spec (`spec/` with its overlay): what the
//! root package `losant_instance_api` is generated from at build time.
//!
//! Include with `#[path = "support/lowered_api.rs"] mod lowered_api;`.

#![allow(dead_code)]

use std::path::Path;

use openapi_clientgen::ir::{Api, TypeRef, TypeSpace};

/// The lowered API of `spec/losant-instance-api-openapi.yml` + `spec/overlay.yml`.
pub fn api() -> Api {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let analysis = openapi_clientgen::analyze(
        &root.join("spec/losant-instance-api-openapi.yml"),
        &[root.join("spec/overlay.yml")],
    );
    assert!(!analysis.has_errors(), "{:#?}", analysis.diagnostics);
    openapi_clientgen::generate::generate(analysis.doc.as_ref().expect("a document")).expect("generates").api
}

/// The Rust spelling of a use-site type, relative to the `types` module
/// (`InstanceOrgs`, `Vec<NotificationRuleDeliveryLogsItem>`).
pub fn rust_name(space: &TypeSpace, t: &TypeRef) -> String {
    match t {
        TypeRef::Named(id) => space.get(*id).name.clone(),
        TypeRef::String => "String".into(),
        TypeRef::DateTime => "DateTime<Utc>".into(),
        TypeRef::Integer(i) => (*i).into(),
        TypeRef::Number => "f64".into(),
        TypeRef::Float32 => "f32".into(),
        TypeRef::Boolean => "bool".into(),
        TypeRef::Any => "Value".into(),
        TypeRef::Vec(t) => format!("Vec<{}>", rust_name(space, t)),
        TypeRef::Map(t) => format!("BTreeMap<String, {}>", rust_name(space, t)),
        TypeRef::Boxed(t) => format!("Box<{}>", rust_name(space, t)),
    }
}
