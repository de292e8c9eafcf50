//! The generator's IR of the bundled spec (`spec/` with its overlay): what the
//! root package `losant_instance_api` is generated from at build time.
//!
//! Include with `#[path = "support/lowered_api.rs"] mod lowered_api;`.

#![allow(dead_code)]

use std::path::Path;

use openapi_clientgen::ir::{Api, TypeRef, TypeSpace};

/// The lowered API of `spec/losant-instance-api-openapi.yml` + `spec/overlay.yml`,
/// named through `spec/names.lock` exactly as `build.rs` generates it.
pub fn api() -> Api {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config =
        openapi_clientgen::Config::new().overlay(root.join("spec/overlay.yml")).lock(root.join("spec/names.lock"));
    let analysis = config.analyze(root.join("spec/losant-instance-api-openapi.yml"));
    assert!(!analysis.has_errors(), "{:#?}", analysis.diagnostics);
    config.lower_from(&analysis, "spec/losant-instance-api-openapi.yml").expect("the spec lowers")
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
