//! The helpers of the repository's `tests/support/` that need only the
//! generator (the root package's tests include all of them).

use std::path::PathBuf;

#[path = "../../../tests/support/lowered_api.rs"]
pub mod lowered_api;
#[path = "../../../tests/support/scratch_crate.rs"]
pub mod scratch_crate;

/// The repository root (the parent of the generator's manifest directory).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("the generator lives in the workspace").to_path_buf()
}
