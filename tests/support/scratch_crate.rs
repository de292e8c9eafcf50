//! Compiling generated code for real: a scratch crate under `target/` with
//! the root package's dependencies, checked with
//! `cargo clippy --all-targets -- -D warnings`.
//!
//! Every scratch crate builds into the target directory this test binary was
//! built in, with the workspace's `Cargo.lock` and the root crate's
//! dependencies and dev-dependencies: the dependencies `cargo clippy
//! --workspace --all-targets` already checked are reused, not checked again.
//! This does not deadlock: `cargo test` holds the build lock while it
//! compiles, not while the test binaries run.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use super::root;

/// The target directory this test binary was built in (`<target>/debug/deps/<test>-…`).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.ancestors().nth(3).map(Path::to_path_buf).unwrap_or_else(|| root().join("target"))
}

/// The `[dependencies]`, `[features]` (the TLS choice the runtime's `cfg`s
/// name) and `[dev-dependencies]` of the root crate, for a scratch crate's
/// manifest (relative `path`s made absolute). The generated code does not use
/// the dev-dependencies; with them, `--all-targets` resolves the same
/// dependency features as the workspace build.
pub fn root_dependencies() -> String {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).expect("root Cargo.toml");
    let mut out = String::new();
    let mut copy = false;
    for line in manifest.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            copy = ["[dependencies]", "[features]", "[dev-dependencies]"].contains(&t);
            if copy {
                out.push_str(&format!("\n{t}\n"));
            }
            continue;
        }
        if copy && !t.is_empty() && !t.starts_with('#') {
            let line = match line.split_once("path = \"") {
                Some((before, after)) => format!("{before}path = \"{}/{after}", root().display()),
                None => line.to_string(),
            };
            out.push_str(&line);
            out.push('\n');
        }
    }
    assert!(out.contains("[dependencies]"), "no [dependencies] in the root Cargo.toml");
    out
}

/// A module holding generated `code` and its own copy of the runtime (the
/// generated `api` module adds inherent methods to that module's
/// `runtime::Client`, so each generated client needs its own).
pub fn module(name: &str, doc: &str, code: &str) -> String {
    let runtime = root().join("generator/runtime/mod.rs");
    format!(
        "#[doc = {doc:?}]\npub mod {name} {{\n#[path = {:?}]\npub mod runtime;\n\n{code}\n}}\n\n",
        runtime.display().to_string()
    )
}

fn write_if_changed(path: &Path, content: &str) {
    if std::fs::read_to_string(path).is_ok_and(|old| old == content) {
        return;
    }
    std::fs::write(path, content).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// Writes crate `name` under `target/<name>/` with `lib_rs` as its library
/// and runs clippy with `-D warnings` on it. `Err` holds the compiler output.
pub fn clippy(name: &str, lib_rs: &str) -> Result<(), String> {
    let dir = write_scratch(name, lib_rs, &[]);
    cargo(&dir, &["clippy", "--quiet", "--all-targets", "--offline", "--", "-D", "warnings"]).map(drop)
}

/// Like [`clippy`], with integration tests (`(file name, source)` under
/// `tests/`), then runs them with `cargo test`. `Ok` holds the test output.
pub fn test(name: &str, lib_rs: &str, tests: &[(&str, &str)]) -> Result<String, String> {
    let dir = write_scratch(name, lib_rs, tests);
    cargo(&dir, &["clippy", "--quiet", "--all-targets", "--offline", "--", "-D", "warnings"])?;
    cargo(&dir, &["test", "--quiet", "--offline"])
}

/// Like [`test`] without the clippy pass: `cargo test` only (rustc's
/// warnings still fail it under the crate's `#![deny(warnings)]`). For a
/// large generated client whose clippy-cleanliness other tests check, where
/// a second full pass would double the CPU time.
pub fn test_without_clippy(name: &str, lib_rs: &str, tests: &[(&str, &str)]) -> Result<String, String> {
    let dir = write_scratch(name, lib_rs, tests);
    cargo(&dir, &["test", "--quiet", "--offline"])
}

/// The helpers the wire tests under `tests/scratch/` share, to be written as
/// the scratch crate's `tests/common/mod.rs`.
pub fn wire_helpers() -> String {
    let path = root().join("tests/scratch/common/mod.rs");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn write_scratch(name: &str, lib_rs: &str, tests: &[(&str, &str)]) -> PathBuf {
    let dir = root().join("target").join(name);
    let src = dir.join("src");
    std::fs::create_dir_all(&src).expect("create the scratch crate");
    let manifest = format!(
        "[package]\nname = {name:?}\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [lib]\npath = \"src/lib.rs\"\n{}\n[workspace]\n",
        root_dependencies()
    );
    write_if_changed(&dir.join("Cargo.toml"), &manifest);
    write_if_changed(&src.join("lib.rs"), lib_rs);
    for (file, text) in tests {
        let path = dir.join("tests").join(file);
        std::fs::create_dir_all(path.parent().expect("a file under tests/")).expect("create its directory");
        write_if_changed(&path, text);
    }
    dir
}

/// Runs cargo with `args` in the crate at `dir`, with the workspace's
/// `Cargo.lock` (same dependency versions) and this test run's target
/// directory. `Ok` holds stdout, `Err` the whole output.
pub fn cargo(dir: &Path, args: &[&str]) -> Result<String, String> {
    if let Ok(lock) = std::fs::read_to_string(root().join("Cargo.lock")) {
        write_if_changed(&dir.join("Cargo.lock"), &lock);
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(dir)
        .args(args)
        .env("CARGO_TARGET_DIR", target_dir())
        .env_remove("CARGO_MANIFEST_DIR")
        .output()
        .expect("run cargo");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "`cargo {}` in {} failed:\n{}\n{}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
