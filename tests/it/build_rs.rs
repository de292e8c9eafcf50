//! The client `build.rs` generated is the code the tests read: generating
//! with the shared helper (`support::lowered_api`, the overlay and the name
//! lock) gives the same code, byte for byte, followed only by the declaration
//! of the runtime that `Config::write_to_out_dir` copies beside it. So the
//! generator's snapshots of that code (`generator/tests/it`) describe exactly
//! what this package ships.

use crate::support::lowered_api;

#[test]
fn build_rs_generates_with_the_committed_lock() {
    let built = include_str!(concat!(env!("OUT_DIR"), "/losant_client.rs"));
    let Some(rest) = built.strip_prefix(lowered_api::generated().code.as_str()) else {
        panic!("the client build.rs generated differs from generating with spec/names.lock");
    };
    let runtime = std::path::Path::new(env!("OUT_DIR")).join("openapi_clientgen_runtime.rs");
    let declaration = format!("#[path = {:?}]\npub mod runtime;\n", runtime.to_str().expect("a UTF-8 OUT_DIR"));
    assert!(rest.ends_with(&declaration), "after the generated code, only the runtime's declaration: {rest}");
    let comment = &rest[..rest.len() - declaration.len()];
    assert!(
        comment.trim().lines().all(|l| l.starts_with("// ")),
        "nothing but a comment before the runtime's declaration: {rest}"
    );
}
