//! Generation fixtures: small specs under `tests/fixtures/`, one feature each
//! (refs into properties, recursion, keyword names, oneOf with null,
//! patternProperties, odd enum values, additionalProperties, allOf, nullable
//! PATCH fields, references that may be null, integer formats, name collisions, union ordering, request
//! constraints, the `x-clientgen-default-body` extension, the wire-convention
//! extensions, security schemes, parameter rendering, resource grouping,
//! operations without a success response, bodies by media type, server-sent
//! events, markdown in descriptions, and each
//! OpenAPI 3.1 construct: `openapi31-*`).
//!
//! Every fixture is generated, its whole generated code is snapshotted
//! (`it__fixtures__<file>.snap`), and all of them are compiled together: one
//! scratch crate under `target/fixture-check/` whose `lib.rs` is
//! `#![deny(warnings, missing_docs)]` with one module per fixture, each with
//! its own copy of the runtime (the generated `api` module adds inherent
//! methods to that module's `runtime::Client`). The crate is built with
//! `cargo clippy --all-targets -- -D warnings` in the target directory of this
//! test run, with the root crate's dependencies and dev-dependencies, so the
//! dependencies `cargo clippy --workspace --all-targets` already checked are
//! reused (about 20 s on 2 cores after that; a cold target directory pays for
//! checking the dependencies once).
//!
//! The fixture directory is iterated, so a new fixture is snapshotted and
//! compiled automatically.
//!
//! Update snapshots with `INSTA_UPDATE=always cargo test -p openapi-clientgen --test it -- fixtures::`,
//! then review every changed `.snap`.

use std::path::{Path, PathBuf};

use crate::support::scratch_crate;

use openapi_clientgen::ir::{TypeKind, TypeRef};
use openapi_clientgen::{Config, Generated};

fn root() -> PathBuf {
    crate::support::root()
}

/// Every fixture file, sorted.
pub(crate) fn fixture_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures"))
        .expect("tests/fixtures exists")
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    files
}

fn stem(path: &Path) -> String {
    path.file_stem().expect("a file name").to_string_lossy().into_owned()
}

/// Analyzes and generates one fixture; a fixture must have no error diagnostics.
fn gen(path: &Path) -> Generated {
    crate::support::lowered_api::generate_clean(path)
}

fn gen_named(name: &str) -> Generated {
    gen(&root().join("tests/fixtures").join(format!("{name}.yml")))
}

/// The type generated for a schema location, by pointer.
fn type_at<'a>(g: &'a Generated, pointer: &str) -> &'a openapi_clientgen::ir::TypeDef {
    g.api.types.types.iter().find(|t| t.pointer == pointer).unwrap_or_else(|| panic!("no type for {pointer}"))
}

fn type_named<'a>(g: &'a Generated, name: &str) -> &'a openapi_clientgen::ir::TypeDef {
    g.api.types.types.iter().find(|t| t.name == name).unwrap_or_else(|| panic!("no type named {name}"))
}

#[test]
fn the_fixture_set_covers_every_listed_feature() {
    let names: Vec<String> = fixture_files().iter().map(|p| stem(p)).collect();
    for required in [
        "refs-into-properties",
        "recursion",
        "keyword-names",
        "oneof-null",
        "pattern-properties",
        "odd-enums",
        "additional-properties",
        "allof-merge",
        "nullable-patch",
        "integer-formats",
        "name-collision",
        "union-ordering",
        "request-constraints",
        "default-body",
        "conventions",
        "security-schemes",
        "parameter-rendering",
        "resource-grouping",
        "no-success-response",
        "media-types",
        "server-sent-events",
        "openapi31-type-arrays",
        "openapi31-null-alternatives",
        "openapi31-const",
        "openapi31-examples",
        "openapi31-exclusive-bounds",
        "openapi31-ref-siblings",
        "openapi31-defs",
        "openapi31-prefix-items",
        "openapi31-content-encoding",
        "openapi31-path-items",
        "openapi31-webhooks",
        "markdown-docs",
        "nullable-refs",
    ] {
        assert!(names.iter().any(|n| n == required), "missing fixture {required}.yml (have {names:?})");
    }
}

#[test]
fn snapshots() {
    for path in fixture_files() {
        let g = gen(&path);
        // One Rust type per schema location.
        let mut seen = std::collections::BTreeSet::new();
        for t in &g.api.types.types {
            assert!(seen.insert(t.pointer.clone()), "{}: two types for {}", path.display(), t.pointer);
        }
        insta::assert_snapshot!(stem(&path), g.code);
    }
}

#[test]
fn deep_refs_reuse_the_target_type() {
    let g = gen_named("refs-into-properties");
    let limits = type_at(&g, "/components/schemas/org/properties/limits");
    let kind = type_at(&g, "/components/schemas/org/properties/owner/properties/kind");
    let patch = type_named(&g, "OrgPatch");
    let TypeKind::Struct { fields, .. } = &patch.kind else { panic!("OrgPatch is a struct") };
    let ty_of = |wire: &str| fields.iter().find(|f| f.wire == wire).map(|f| f.ty.clone()).expect("field exists");
    let id_of = |def: &openapi_clientgen::ir::TypeDef| {
        g.api.types.types.iter().position(|t| std::ptr::eq(t, def)).expect("in the arena")
    };
    assert_eq!(ty_of("limits"), TypeRef::Named(openapi_clientgen::ir::TypeId(id_of(limits))));
    assert_eq!(ty_of("previousLimits"), TypeRef::Named(openapi_clientgen::ir::TypeId(id_of(limits))));
    assert_eq!(ty_of("ownerKind"), TypeRef::Named(openapi_clientgen::ir::TypeId(id_of(kind))));
    assert_eq!(g.api.types.types.iter().filter(|t| t.name.starts_with("OrgLimits")).count(), 1);
    // The ref-only component is an alias of the target type.
    assert!(g.code.contains("pub type Organization = Org;"), "{}", g.code);
}

#[test]
fn pattern_properties_keep_fixed_keys_typed() {
    let g = gen_named("pattern-properties");
    let usage = type_at(&g, "/components/schemas/customNode/properties/usage");
    let TypeKind::Struct { fields, extra } = &usage.kind else { panic!("usage is a struct: {:?}", usage.kind) };
    assert_eq!(fields.iter().map(|f| f.wire.as_str()).collect::<Vec<_>>(), ["sandbox"]);
    let (value, pattern) = extra.as_ref().expect("pattern keys go in a map");
    assert_eq!(pattern.as_deref(), Some(r"^[A-Fa-f\d]{24}$"));
    assert!(matches!(value, TypeRef::Named(_)), "pattern values are typed: {value:?}");
    // Pattern keys only: a plain map.
    let node = type_named(&g, "CustomNode");
    let TypeKind::Struct { fields, .. } = &node.kind else { panic!("a struct") };
    let counts = fields.iter().find(|f| f.wire == "counts").expect("counts");
    assert_eq!(counts.ty, TypeRef::Map(Box::new(TypeRef::Number)));
    let labels = fields.iter().find(|f| f.wire == "labels").expect("labels");
    assert_eq!(labels.ty, TypeRef::Map(Box::new(TypeRef::Any)));
}

#[test]
fn recursion_is_boxed_only_where_needed() {
    let g = gen_named("recursion");
    let code = &g.code;
    assert!(code.contains("pub parent: Option<Box<Node>>"), "{code}");
    assert!(code.contains("pub children: Option<Vec<Node>>"), "{code}");
    assert!(code.contains("std::collections::BTreeMap<String, Node>"), "{code}");
    // person -> company -> person: one of the two edges is boxed.
    assert!(code.contains("Option<Box<Company>>") || code.contains("Option<Box<Person>>"), "{code}");
}

#[test]
fn union_names_and_order() {
    let g = gen_named("union-ordering");
    let variants = |ptr: &str| match &type_at(&g, ptr).kind {
        TypeKind::Union { variants } => variants.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
        other => panic!("{ptr} is a union: {other:?}"),
    };
    // The empty-string enum before the URL that would also accept "".
    assert_eq!(variants("/components/schemas/rule/properties/callbackUrl"), ["Empty", "Url"]);
    assert_eq!(variants("/components/schemas/rule/properties/deviceId"), ["Sandbox", "ObjectId"]);
    assert_eq!(variants("/components/schemas/rule/properties/amount"), ["Integer", "Number"]);
    assert_eq!(variants("/components/schemas/field"), ["Checkbox", "Select"]);
    assert_eq!(variants("/components/schemas/member"), ["UserId", "Email"]);
    assert_eq!(type_at(&g, "/components/schemas/field/oneOf/1").name, "FieldSelect");
}

#[test]
fn enum_variant_names() {
    let g = gen_named("odd-enums");
    let variants = |name: &str| match &type_named(&g, name).kind {
        TypeKind::Enum { variants } => variants.clone(),
        other => panic!("{name} is an enum: {other:?}"),
    };
    let pairs = |v: &[(String, String)]| v.iter().map(|(n, w)| format!("{w}={n}")).collect::<Vec<_>>();
    assert_eq!(
        pairs(&variants("Scope")),
        [
            "all.Instance=AllInstance",
            "all.Instance.read=AllInstanceRead",
            "*=Star",
            "application.*=ApplicationStar",
            "application=Application",
            ">==GtEq"
        ]
    );
    assert_eq!(pairs(&variants("SortDirection")), ["asc=Asc", "desc=Desc", "ASC=AscUpper", "DESC=DescUpper", "=Empty"]);
    assert_eq!(
        pairs(&variants("Weird")),
        ["2fa=V2fa", "self=SelfType", "Unknown=Unknown2", "a-b=AB", "a_b=AB2", "a b=AB3", "x.*.y=XStarY"]
    );
    // A oneOf of inline enums is one enum with every value once.
    assert_eq!(
        pairs(&variants("UserScope")),
        ["all.User=AllUser", "all.User.read=AllUserRead", "me.*=MeStar", "me.get=MeGet", "orgs.*=OrgsStar"]
    );
}

#[test]
fn component_names_win_collisions() {
    let g = gen_named("name-collision");
    assert_eq!(type_at(&g, "/components/schemas/fooBar").name, "FooBar");
    assert_eq!(type_at(&g, "/components/schemas/foo_bar").name, "FooBar2");
    assert_eq!(type_at(&g, "/components/schemas/foo/properties/bar").name, "FooBar3");
    assert_eq!(type_at(&g, "/components/schemas/error").name, "ErrorModel");
    assert_eq!(type_at(&g, "/components/schemas/Result").name, "ResultModel");
    let TypeKind::Struct { fields, .. } = &type_named(&g, "Foo").kind else { panic!("Foo is a struct") };
    let names: Vec<(&str, &str)> = fields.iter().map(|f| (f.wire.as_str(), f.name.as_str())).collect();
    assert_eq!(
        names,
        [("bar", "bar"), ("fooBar", "foo_bar"), ("foo_bar", "foo_bar2"), ("FooBar", "foo_bar3"), ("baz", "baz")]
    );
}

#[test]
fn integer_formats() {
    let g = gen_named("integer-formats");
    let TypeKind::Struct { fields, .. } = &type_named(&g, "Numbers").kind else { panic!("a struct") };
    let got: Vec<(&str, TypeRef)> = fields.iter().map(|f| (f.wire.as_str(), f.ty.clone())).collect();
    use TypeRef::{Float32, Integer, Number};
    assert_eq!(
        got,
        [
            ("plain", Integer("i64")),
            ("i8", Integer("i8")),
            ("i16", Integer("i16")),
            ("i32", Integer("i32")),
            ("i64", Integer("i64")),
            ("u8", Integer("u8")),
            ("u16", Integer("u16")),
            ("u32", Integer("u32")),
            ("u64", Integer("u64")),
            ("unknownFormat", Integer("i64")),
            ("number", Number),
            ("float", Float32),
            ("double", Number),
        ]
    );
}

#[test]
fn nullable_fields_in_patch_bodies_are_tri_state() {
    let g = gen_named("nullable-patch");
    let code = &g.code;
    assert!(code.contains("pub callback_url: super::runtime::Patch<String>"), "{code}");
    assert!(code.contains("pub email_config: super::runtime::Patch<EmailConfig>"), "{code}");
    // Not nullable: a plain Option. In the response type: an Option.
    assert!(code.contains("pub enabled: Option<bool>"), "{code}");
    assert!(code.contains("pub callback_url: Option<String>"), "{code}");
    // Every field of the PATCH body is optional: Default.
    let patch = code.split("pub struct RulePatch").next().expect("text before").rsplit("#[derive(").next();
    assert!(patch.is_some_and(|d| d.contains("Default")), "{code}");
}

#[test]
fn references_that_may_be_null_are_options_of_the_referenced_type() {
    let g = gen_named("nullable-refs");
    let code = &g.code;
    for field in [
        "pub truncation: Option<Truncation>",
        "pub choice: Option<Choice>",
        "pub fallback: Option<Truncation>",
        "pub backup: Option<Choice>",
    ] {
        assert!(code.contains(field), "{field}\n{code}");
    }
    // The referenced types themselves, not merged copies, and no union with the null alternative.
    let names: Vec<&str> = g.api.types.types.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names.iter().filter(|n| n.starts_with("Run")).count(), 1, "{names:?}");
    // The `{nullable: true}` branches are read as nullable, each with a warning (3.0 ignores them).
    let a = Config::new().analyze(root().join("tests/fixtures/nullable-refs.yml"));
    let mut warned: Vec<&str> = a
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("only `nullable: true`"))
        .map(|d| d.pointer.as_str())
        .collect();
    warned.sort();
    assert_eq!(
        warned,
        ["/components/schemas/run/properties/choice/allOf/1", "/components/schemas/run/properties/truncation/allOf/1"]
    );
}

#[test]
fn exclusive_bounds_are_checked_exclusively() {
    let g = gen_named("request-constraints");
    let post = type_named(&g, "DevicePost");
    let TypeKind::Struct { fields, .. } = &post.kind else { panic!("DevicePost is a struct") };
    let checks = |wire: &str| fields.iter().find(|f| f.wire == wire).map(|f| f.checks.clone()).expect("field exists");
    let share = checks("share");
    assert_eq!((share.minimum, share.maximum), (Some(0.0), Some(1.0)));
    assert!(share.exclusive_minimum && share.exclusive_maximum, "{share:?}");
    let ratio = checks("ratio");
    assert!(!ratio.exclusive_minimum && !ratio.exclusive_maximum, "{ratio:?}");
    // 0 and 1 themselves are refused for `share`; 0 is accepted for `ratio`.
    assert!(g.code.contains("*value <= 0.0") && g.code.contains("*value >= 1.0"), "{}", g.code);
    assert!(g.code.contains("*value < 0.0"), "{}", g.code);
    assert!(g.code.contains("must be greater than 0") && g.code.contains("must be less than 1"), "{}", g.code);
    assert!(g.code.contains("must be at least 0"), "{}", g.code);
}

#[test]
fn the_default_body_extension_applies_to_requests_without_a_body() {
    let g = gen_named("default-body");
    let default_body = |id: &str| {
        let op = g.api.operations.iter().find(|o| o.id == id).unwrap_or_else(|| panic!("no operation {id}"));
        op.default_body.as_ref().map(|d| (d.content_type.as_str(), d.body.as_str()))
    };
    let json = Some(("application/json", "{}"));
    // No body, or an optional one: the listed methods (in any case) send the default.
    assert_eq!(default_body("device.delete"), json);
    assert_eq!(default_body("device.restart"), json);
    assert_eq!(default_body("device.patch"), json);
    // A required body, an unlisted method, a GET: nothing changes.
    assert_eq!(default_body("devices.post"), None);
    assert_eq!(default_body("device.put"), None);
    assert_eq!(default_body("devices.get"), None);
    let sent = r#".default_body("application/json", b"{}")"#;
    assert_eq!(g.code.matches(sent).count(), 3, "{}", g.code);
    // Without the extension, no operation has one.
    assert!(fixture_files().iter().filter(|p| stem(p) != "default-body").all(|p| gen(p)
        .api
        .operations
        .iter()
        .all(|o| o.default_body.is_none())));
}

#[test]
fn wire_conventions_are_data_in_the_generated_code() {
    let g = gen_named("conventions");
    let c = &g.api.conventions;
    assert_eq!(c.base_url.as_deref(), Some("https://eu.example.com/v2"), "the first server, variables substituted");
    assert_eq!(c.default_query, [("pretty".to_string(), "false".to_string()), ("fields".into(), "all".into())]);
    let code = &g.code;
    for expected in [
        r#"base_url: Some("https://eu.example.com/v2")"#,
        r#""conventions-rust/", env!("CARGO_PKG_VERSION"), " (fixture)""#,
        r#"default_headers: &[("Api-Version", "2024-01-01"), ("X-Client", "fixture")]"#,
        r#"default_query: &[("pretty", "false"), ("fields", "all")]"#,
        r#"span: super::runtime::request_span!("conventions.request")"#,
        r#"pub fn api_version(self, value: impl Into<String>) -> Self"#,
        r#"pub fn tenant(self, value: impl Into<String>) -> Self"#,
        // `timeout` is the runtime builder's own method.
        r#"pub fn timeout2(self, value: impl Into<String>) -> Self"#,
        ".default_query_params(CONVENTIONS.default_query)",
        "pub fn new() -> Self",
    ] {
        assert!(code.contains(expected), "missing `{expected}` in:\n{code}");
    }
    // Without the extensions and servers: generic defaults, `.base_url(..)` required, no `new()`.
    let plain = gen_named("default-body");
    for expected in [
        "base_url: None",
        r#"user_agent: concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"))"#,
        r#"request_span!(concat!(env!("CARGO_PKG_NAME"), ".request"))"#,
    ] {
        assert!(plain.code.contains(expected), "missing `{expected}` in:\n{}", plain.code);
    }
    assert!(!plain.code.contains("pub fn new() -> Self") && !plain.code.contains("default_query_params"));
}

#[test]
fn security_schemes_become_credential_setters_and_requirements() {
    use openapi_clientgen::ir::SchemeKind;
    let g = gen_named("security-schemes");
    let c = &g.api.conventions;
    let schemes: Vec<(&str, &str, &SchemeKind)> =
        c.security_schemes.iter().map(|s| (s.key.as_str(), s.setter.as_str(), &s.kind)).collect();
    let key = |location: &str, name: &str| SchemeKind::ApiKey { location: location.into(), name: name.into() };
    assert_eq!(
        schemes,
        [
            ("bearer", "bearer", &SchemeKind::Bearer),
            ("basic", "basic", &SchemeKind::Basic),
            ("headerKey", "header_key", &key("header", "X-API-Key")),
            ("queryKey", "query_api_key", &key("query", "api_key")),
            ("cookieKey", "cookie_key", &key("cookie", "session")),
            ("oauth", "oauth", &SchemeKind::Bearer),
            ("oidc", "oidc", &SchemeKind::Bearer),
        ],
        "spec order; digest is skipped (with a warning)"
    );
    assert_eq!(c.security, [vec!["bearer".to_string()], vec!["basic".to_string()]]);
    let security = |id: &str| g.api.operations.iter().find(|o| o.id == id).expect("operation").security.clone();
    assert_eq!(security("auth.inherited"), None, "the document's");
    assert_eq!(security("auth.public"), Some(vec![]));
    assert_eq!(security("auth.both"), Some(vec![vec!["headerKey".into(), "basic".into()], vec![]]));
    for expected in [
        "pub fn basic(\n            self,\n            username: impl Into<String>,\n            password: impl Into<String>,\n        ) -> Self",
        "pub fn query_api_key(self, secret: impl Into<String>) -> Self",
        r#"super::runtime::SchemeKind::ApiKeyCookie("session")"#,
        r#".security(&[])"#,
        r#".security(&[&["headerKey", "basic"], &[]])"#,
    ] {
        assert!(g.code.contains(expected), "missing `{expected}` in:\n{}", g.code);
    }
    let analysis = Config::new().analyze(root().join("tests/fixtures/security-schemes.yml"));
    let warned: Vec<(&str, &str)> =
        analysis.diagnostics.iter().map(|d| (d.code.as_str(), d.pointer.as_str())).collect();
    assert_eq!(warned, [("unsupported-security-scheme", "/components/securitySchemes/digest")]);
}

/// `code` of a fixture at `pointer` (code, pointer) pairs, sorted.
fn diagnostics(name: &str) -> Vec<(String, String)> {
    let analysis = Config::new().analyze(root().join("tests/fixtures").join(format!("{name}.yml")));
    let mut out: Vec<(String, String)> =
        analysis.diagnostics.iter().map(|d| (d.code.as_str().to_string(), d.pointer.clone())).collect();
    out.sort();
    out
}

#[test]
fn every_parameter_type_renders_as_its_location_says() {
    let g = gen_named("parameter-rendering");
    for expected in [
        // Scalar unions are sent through their `Display`: the value, not JSON.
        "impl std::fmt::Display for IdOrName",
        "impl std::fmt::Display for RunsListWorkflowId",
        "IdOrName::Unknown(serde_json::Value::String(text)) => f.write_str(text)",
        "&ToString::to_string(&self.workflow_id)",
        r#"req = req.query("actor", v);"#,
        r#"req = req.header("X-Run-Owner", v);"#,
        // `style: form`, `explode: false`, and the default explode.
        r#"req = req.query_list("ids", v, false);"#,
        r#"req = req.query_list("statuses", v, true);"#,
        // `style: simple` arrays are comma-joined; timestamps are RFC 3339.
        "&<[_]>::iter(&self.names)",
        "&chrono::DateTime::to_rfc3339_opts(",
        // An object in the path: JSON (and a warning).
        "&serde_json::to_string(&self.filter).unwrap_or_default()",
    ] {
        assert!(g.code.contains(expected), "missing `{expected}` in:\n{}", g.code);
    }
    assert_eq!(
        diagnostics("parameter-rendering"),
        [("parameter-not-renderable".to_string(), "/paths/~1filters~1{filter}/get/parameters/0/schema".to_string())]
    );
}

#[test]
fn resources_come_from_id_separators_tags_or_paths() {
    let g = gen_named("resource-grouping");
    let mut names: Vec<String> = g.api.operations.iter().map(|o| format!("{}.{}", o.resource, o.action)).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "actions.list_jobs_for_workflow_run",
            "gists.get",
            "gists.get_gist",
            "refs.create",
            "refs.list",
            "repos.get",
            "repos.list_for_org",
            "tags.list"
        ]
    );
}

#[test]
fn an_operation_without_a_success_response_returns_the_raw_response() {
    let g = gen_named("no-success-response");
    assert!(g.api.operations.iter().all(|o| o.raw_success), "{:?}", g.api.operations);
    let raw = "pub async fn send_with_response(self) -> Result<ApiResponse<Vec<u8>>, Error>";
    assert_eq!(g.code.matches(raw).count(), 2, "{}", g.code);
    assert_eq!(g.code.matches("self.client.execute_raw(self.request()).await\n").count(), 2, "{}", g.code);
    assert_eq!(
        diagnostics("no-success-response"),
        [
            ("no-success-response".to_string(), "/paths/~1exports/delete/responses".to_string()),
            ("no-success-response".to_string(), "/paths/~1exports~1{id}/get/responses".to_string()),
        ]
    );
}

#[test]
fn all_fixtures_compile_without_warnings_and_pass_clippy() {
    let started = std::time::Instant::now();
    let mut lib = String::from(
        "//! Generated fixtures of `tests/fixtures/`, compiled together.\n\
         #![deny(warnings, missing_docs)]\n\
         // Each fixture module has its own copy of the runtime, on purpose.\n\
         #![allow(clippy::duplicate_mod)]\n\n",
    );
    let mut count = 0;
    for path in fixture_files() {
        let g = gen(&path);
        let doc =
            format!(" Generated from `tests/fixtures/{}`.", path.file_name().expect("a file name").to_string_lossy());
        lib.push_str(&scratch_crate::module(&stem(&path).replace('-', "_"), &doc, &g.code));
        count += 1;
    }
    scratch_crate::clippy("fixture-check", &lib)
        .unwrap_or_else(|e| panic!("the generated fixture code does not build cleanly: {e}"));
    eprintln!("compiled {count} fixtures with clippy in {:.1?}", started.elapsed());
}

/// The fields of the struct named `name`: wire name -> field.
fn fields_of<'a>(
    g: &'a Generated,
    name: &str,
) -> std::collections::BTreeMap<&'a str, &'a openapi_clientgen::ir::Field> {
    let TypeKind::Struct { fields, .. } = &type_named(g, name).kind else { panic!("{name} is a struct") };
    fields.iter().map(|f| (f.wire.as_str(), f)).collect()
}

/// The named type a field refers to.
fn named<'a>(g: &'a Generated, ty: &TypeRef) -> &'a openapi_clientgen::ir::TypeDef {
    let TypeRef::Named(id) = ty else { panic!("{ty:?} is not a named type") };
    &g.api.types.types[id.0]
}

/// Every OpenAPI 3.1 construct is read as the 3.0 one that says the same, with
/// a diagnostic only where it does not (`prefixItems`, `webhooks`, a dialect).
#[test]
fn openapi31_constructs_read_as_their_30_equivalents() {
    use openapi_clientgen::ir::TypeKind::{Enum, Union};
    let diags = |name: &str| -> Vec<(String, String)> {
        let a = Config::new().analyze(root().join("tests/fixtures").join(format!("{name}.yml")));
        assert_eq!(a.doc.as_ref().map(|d| d["openapi"].clone()), Some("3.0.3".into()), "{name} is read as 3.0.3");
        a.diagnostics.iter().map(|d| (d.severity.to_string(), d.code.as_str().to_string())).collect()
    };
    for f in fixture_files().iter().map(|p| stem(p)).filter(|n| n.starts_with("openapi31-")) {
        let want: &[(&str, &str)] = match f.as_str() {
            "openapi31-prefix-items" => &[("warning", "widened")],
            "openapi31-path-items" => &[("warning", "missing-operation-id")],
            "openapi31-webhooks" => &[("warning", "schema-dialect"), ("note", "webhooks")],
            _ => &[],
        };
        let want: Vec<(String, String)> = want.iter().map(|(s, c)| (s.to_string(), c.to_string())).collect();
        assert_eq!(diags(&f), want, "{f}");
    }

    let g = gen_named("openapi31-type-arrays");
    let s = fields_of(&g, "Settings");
    assert!(s["name"].nullable && s["name"].ty == TypeRef::String);
    assert!(s["tags"].nullable && s["tags"].ty == TypeRef::Vec(Box::new(TypeRef::String)));
    assert_eq!(s["seed"].ty, TypeRef::Number, "every integer is a number");
    let Union { variants } = &named(&g, &s["limit"].ty).kind else { panic!("limit is a union") };
    let types: Vec<&TypeRef> = variants.iter().map(|(_, t)| t).collect();
    assert_eq!(types, [&TypeRef::Number, &TypeRef::String]);
    let Enum { variants } = &named(&g, &s["mode"].ty).kind else { panic!("mode is an enum") };
    assert!(s["mode"].nullable && variants.len() == 2, "null is the field's, not a variant: {variants:?}");

    let g = gen_named("openapi31-null-alternatives");
    let job = fields_of(&g, "Job");
    assert!(job["error"].nullable && named(&g, &job["error"].ty).name == "ErrorModel");
    let Union { variants } = &named(&g, &job["result"].ty).kind else { panic!("result is a union") };
    assert!(job["result"].nullable && variants.len() == 2, "{variants:?}");

    let g = gen_named("openapi31-const");
    let Union { variants } = &type_named(&g, "Event").kind else { panic!("event is a union") };
    let names: Vec<&str> = variants.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Message", "Timeout"], "alternatives named by their `const`");

    let a = Config::new().analyze(root().join("tests/fixtures/openapi31-exclusive-bounds.yml"));
    let params = &a.doc.expect("parsed")["paths"]["/samples"]["get"]["parameters"];
    let bounds = serde_json::json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 2, "exclusiveMaximum": true});
    assert_eq!(params[0]["schema"], bounds);
    assert_eq!(params[1]["schema"], serde_json::json!({"type": "integer", "minimum": 5}), "the stricter bound");

    let g = gen_named("openapi31-ref-siblings");
    let order = fields_of(&g, "Order");
    assert_eq!(named(&g, &order["shipping"].ty).name, "Address", "annotations keep the referenced type");
    assert_eq!(order["shipping"].doc.as_deref(), Some("Where the order goes (this text documents the field)."));
    let billing: Vec<&str> = fields_of(&g, &named(&g, &order["billing"].ty).name).into_keys().collect();
    assert_eq!(billing, ["city", "vatId"], "shape keywords extend the referenced type");

    let g = gen_named("openapi31-defs");
    let drawing = fields_of(&g, "Drawing");
    assert_eq!(named(&g, &drawing["origin"].ty).name, "DrawingPoint", "`point` is taken by a component");
    assert_eq!(named(&g, &drawing["color"].ty).name, "Color");
    assert_eq!(fields_of(&g, "DrawingPoint").len(), 2);

    let g = gen_named("openapi31-prefix-items");
    let route = fields_of(&g, "Route");
    assert_eq!(route["start"].ty, TypeRef::Vec(Box::new(TypeRef::Number)));
    assert_eq!(route["start"].checks.max_items, Some(2), "`items: false` bounds the tuple");
    let TypeRef::Vec(item) = &route["label"].ty else { panic!("label is a list") };
    assert!(matches!(named(&g, item).kind, Union { .. }), "items are any of the tuple's item types");

    let g = gen_named("openapi31-content-encoding");
    let upload = fields_of(&g, "Upload");
    assert!(upload["data"].ty == TypeRef::String && upload["raw"].ty == TypeRef::String);

    let g = gen_named("openapi31-path-items");
    let paths: Vec<&str> = g.api.operations.iter().map(|o| o.path.as_str()).collect();
    assert_eq!(paths, ["/health", "/v2/health"], "both paths have the shared item's operation");

    let g = gen_named("openapi31-webhooks");
    assert_eq!(g.api.operations.len(), 1, "the webhook is not an operation");
    type_named(&g, "Shipment");
}

#[test]
fn event_streams_are_typed_by_their_schema_and_end_at_their_terminator() {
    let g = gen_named("server-sent-events");
    let events = |id: &str| {
        let op = g.api.operations.iter().find(|o| o.id == id).unwrap_or_else(|| panic!("no operation {id}"));
        let e = op.events.clone().unwrap_or_else(|| panic!("{id} has no events"));
        (op.success.1.is_some(), e.item.map(|t| named(&g, &t).name.clone()), e.terminator)
    };
    // JSON and events: `send()` stays JSON, the events are typed by `$ref`, the document's terminator.
    assert_eq!(events("completions.create"), (true, Some("Chunk".into()), Some("[DONE]".into())));
    // Events only, an inline schema, the media type's own terminator.
    assert_eq!(events("feeds.watch"), (false, Some("FeedsWatchEvent200".into()), Some("bye".into())));
    // A string schema, or none: raw events.
    assert_eq!(events("logs.tail"), (false, None, Some("[DONE]".into())));
    assert_eq!(events("pings.listen"), (false, None, Some("[DONE]".into())));
    assert!(g.code.contains("pub async fn send_events(") && g.code.matches("pub async fn send_events(").count() == 1);
}
