//! The client `build.rs` generated is the code the tests read: generating
//! with the shared helper (`support::lowered_api`, the overlay and the name
//! lock) gives the same file, byte for byte. So the generator's snapshots of
//! that code (`generator/tests/it`) describe exactly what this package ships.

use crate::support::lowered_api;

#[test]
fn build_rs_generates_with_the_committed_lock() {
    let built = include_str!(concat!(env!("OUT_DIR"), "/losant_client.rs"));
    assert!(
        built == lowered_api::generated().code,
        "the client build.rs generated differs from generating with spec/names.lock"
    );
}
