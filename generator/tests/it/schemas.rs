//! One insta snapshot per component schema of the real spec + overlay: the
//! Rust code generated for the component (its type and every inline type
//! under it), from `Generated::schemas`. Snapshot files are named
//! `schema__<component>.snap` (e.g. `schema__instanceOrg.snap`).
//!
//! Also asserts that the snapshotted set is exactly the set of components of
//! the overlaid document (a new schema cannot go unsnapshotted, a removed one
//! cannot leave a stale snapshot), that it includes all 49 components of the
//! published spec and every definition the overlay repairs or adds, and that
//! the type arena holds one type per schema location.
//!
//! Update snapshots with `INSTA_UPDATE=always cargo test -p openapi-clientgen --test it -- schemas::`,
//! then review every changed `.snap`.

use std::collections::BTreeSet;

use openapi_clientgen::{Config, Generated};
use serde_json::Value;

use crate::support::{lowered_api, root};

/// The overlaid document and its generated code, with the names of
/// `spec/names.lock` (as `build.rs` generates the crate); generated once.
fn generated() -> (&'static Value, &'static Generated) {
    (lowered_api::doc(), lowered_api::generated())
}

fn component_names(doc: &Value) -> BTreeSet<String> {
    doc.pointer("/components/schemas").and_then(Value::as_object).expect("components.schemas").keys().cloned().collect()
}

const SNAPSHOT_PREFIX: &str = "schema__";

#[test]
fn one_snapshot_per_component() {
    let (doc, g) = generated();
    let components = component_names(doc);
    let mut snapshotted = BTreeSet::new();
    for name in &components {
        let code = g.schemas.get(name).unwrap_or_else(|| panic!("no generated code for component {name}"));
        insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(format!("{SNAPSHOT_PREFIX}{name}"), code);
        });
        snapshotted.insert(name.clone());
    }
    assert_eq!(snapshotted, components);

    // The other entries of `schemas` are types of operations (inline bodies and
    // parameters), which belong to no component.
    let owned: BTreeSet<&str> =
        g.api.types.types.iter().filter(|t| t.component.is_none()).map(|t| t.name.as_str()).collect();
    for key in g.schemas.keys().filter(|k| !components.contains(*k)) {
        assert!(owned.contains(key.as_str()), "`schemas` entry {key} is neither a component nor an operation type");
    }

    // No stale snapshot of a component that no longer exists.
    let on_disk: BTreeSet<String> = std::fs::read_dir(root().join("generator/tests/it/snapshots"))
        .expect("generator/tests/it/snapshots")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|f| Some(f.strip_prefix(SNAPSHOT_PREFIX)?.strip_suffix(".snap")?.to_string()))
        .collect();
    let stale: Vec<&String> = on_disk.difference(&components).collect();
    assert!(stale.is_empty(), "snapshots of components that do not exist: {stale:?}");
}

#[test]
fn covers_the_published_components_and_every_repaired_definition() {
    let (doc, g) = generated();
    let components = component_names(doc);
    // The 49 components of the published spec.
    let published = Config::new().analyze(root().join(lowered_api::SPEC)).doc.expect("the published spec parses");
    let original = component_names(&published);
    assert_eq!(original.len(), 49, "the published spec has 49 component schemas");
    assert!(original.is_subset(&components));
    // Every definition the overlay adds (the repaired `common/...` targets, and the
    // schemas the spec refers to without containing).
    let added: BTreeSet<&String> = components.difference(&original).collect();
    let common = added.iter().filter(|n| n.starts_with("common.")).count();
    assert_eq!(common, 28, "the overlay repairs 28 `common/...` refs: {added:?}");
    for name in ["flow", "flowPost", "me", "instanceAuditLogFilter"] {
        assert!(components.contains(name), "{name} is added by the overlay");
    }
    for name in &components {
        assert!(g.schemas.contains_key(name), "{name} has generated code");
    }
}

#[test]
fn one_type_per_schema_location() {
    let (doc, g) = generated();
    let mut pointers = BTreeSet::new();
    for t in &g.api.types.types {
        assert!(pointers.insert(t.pointer.clone()), "two types for {}", t.pointer);
        assert!(
            doc.pointer(&t.pointer).is_some(),
            "{} is generated for {}, which is not in the document",
            t.name,
            t.pointer
        );
    }
    let mut names = BTreeSet::new();
    for t in &g.api.types.types {
        assert!(names.insert(t.name.clone()), "two types named {}", t.name);
    }
}

#[test]
fn repaired_common_definitions_are_real_named_types() {
    let (_, g) = generated();
    let code = |c: &str| g.schemas.get(c).unwrap_or_else(|| panic!("{c}")).clone();
    // Ids: a validated newtype, checked on construction and on deserialize.
    let id = code("common.objectId");
    assert!(id.contains("pub struct ObjectId(String);"), "{id}");
    assert!(id.contains(r#"pattern: Some("^[A-Fa-f\\d]{24}$")"#), "{id}");
    assert!(id.contains("impl<'de> serde::Deserialize<'de> for ObjectId"), "{id}");
    // Dates: a date-time type.
    assert!(code("common.date").contains("pub type DateTime = chrono::DateTime<chrono::Utc>;"));
    // Constrained strings: newtypes with their limits.
    let name = code("common.name");
    assert!(name.contains("pub struct CommonName(String);") && name.contains("min_length: Some(1)"), "{name}");
    assert!(name.contains("max_length: Some(255)"), "{name}");
    // Enums keep unknown values.
    let role = code("common.orgRole");
    assert!(role.contains("#[non_exhaustive]") && role.contains("Unknown(String)"), "{role}");
    // Nothing decoded from a response rejects unknown fields.
    assert!(!g.code.contains("deny_unknown_fields"));
}
