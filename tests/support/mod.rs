//! Helpers shared by the integration tests of both packages. The root
//! package's test crate (`tests/it`) includes this whole module; the
//! generator's (`generator/tests/it`) includes `lowered_api` and
//! `scratch_crate` under its own `support` module, whose `root()` is the
//! parent of its manifest directory.

use std::path::PathBuf;

pub mod hostile_json;
pub mod lowered_api;
pub mod scratch_crate;
pub mod tools;

/// The repository root (the root package's manifest directory).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}
