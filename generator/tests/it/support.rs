//! The helpers of the repository's `tests/support/` that need only the
//! generator (the root package's tests include all of them).

use std::path::PathBuf;

#[path = "../../../tests/support/lowered_api.rs"]
pub mod lowered_api;
#[path = "../../../tests/support/scratch_crate.rs"]
pub mod scratch_crate;
#[path = "../../../tests/support/spec_slice.rs"]
pub mod spec_slice;

/// The repository root (the parent of the generator's manifest directory).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("the generator lives in the workspace").to_path_buf()
}

/// Runs the CLI from the repository root (so paths in diagnostics are
/// relative). It must exit with one of its documented codes (0 clean, 1
/// errors in the input, 2 unreadable input or usage), never panic (101) or
/// die by a signal.
pub fn run_cli(args: &[&str]) -> std::process::Output {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_openapi-clientgen"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("cannot start openapi-clientgen");
    assert!(
        matches!(out.status.code(), Some(0..=2)),
        "openapi-clientgen {args:?} crashed ({:?}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The exit code of a finished CLI run.
pub fn exit_code(out: &std::process::Output) -> i32 {
    out.status.code().expect("exit code")
}
