//! The standalone crate `openapi-clientgen generate` writes, and packaging:
//!
//! - the crate's files are a pure function of the spec (generated twice,
//!   byte-identical);
//! - its `[dependencies]`, edition, rust-version and licence are the root
//!   package's, and its crate-root usage example is the one in the root
//!   `lib.rs` and `README.md`, so the two ways of building the client cannot drift;
//! - it passes `cargo package` (which builds it), `cargo clippy -D warnings`,
//!   `cargo doc` without warnings, and its doctests;
//! - the workspace passes `cargo package --workspace` (both crates, each
//!   verified by building the packaged sources; the client's build-dependency
//!   on the unpublished generator is resolved locally by cargo >= 1.84), and
//!   the root package ships exactly what it should.
//!
//! The cargo runs use `target/standalone-crate` as their target directory:
//! the emitted crate and the packaged root crate resolve the same dependency
//! versions (the workspace `Cargo.lock`), so one dependency build serves both
//! and later runs reuse it. Cold, these two tests cost about 3.5 CPU-minutes
//! (two dependency builds: full and check; the generator's dependencies once);
//! warm, about 45 CPU-seconds (the 20k-line client compiled, checked and documented).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use openapi_clientgen::crate_gen::{self, CrateOptions};

use crate::support::{lowered_api, root};

fn spec() -> (PathBuf, Vec<PathBuf>) {
    (root().join(lowered_api::SPEC), vec![root().join(lowered_api::OVERLAY)])
}

/// The crate for the bundled spec, named like the root package.
fn crate_files() -> crate_gen::CrateFiles {
    crate_files_named("losant-instance-api")
}

fn crate_files_named(name: &str) -> crate_gen::CrateFiles {
    let (spec, overlays) = spec();
    let opts = CrateOptions::new(name, "0.1.0", &spec, &overlays);
    // Configured as build.rs is: the overlay and the names it keeps.
    lowered_api::config().crate_files(&spec, &opts).expect("generates")
}

/// The lines of a TOML table (`[name]`), trimmed, without blanks and comments.
fn toml_table(text: &str, name: &str) -> Vec<String> {
    let header = format!("[{name}]");
    text.lines()
        .skip_while(|l| l.trim() != header)
        .skip(1)
        .take_while(|l| !l.trim_start().starts_with('['))
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// The lines of the first ```` ```no_run ```` block of a file's `//!` docs, without the `//! ` prefix.
fn doc_example(lib_rs: &str) -> Vec<String> {
    lib_rs
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l).to_string())
        .skip_while(|l| l != "```no_run")
        .skip(1)
        .take_while(|l| l != "```")
        .collect()
}

#[test]
fn crate_files_are_byte_for_byte_deterministic() {
    let (a, b) = (crate_files(), crate_files());
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, text) in &a {
        assert!(b[path] == *text, "{path} differs between two generations");
    }
    for want in ["Cargo.toml", "README.md", "src/lib.rs", "src/api.rs", "src/types.rs", "src/runtime.rs"] {
        assert!(a.contains_key(want), "{want} missing: {:?}", a.keys());
    }
}

#[test]
fn dependencies_and_metadata_match_the_root_package() {
    let files = crate_files();
    let emitted = &files["Cargo.toml"];
    let root_toml = std::fs::read_to_string(root().join("Cargo.toml")).expect("root Cargo.toml");
    let root_deps = toml_table(&root_toml, "dependencies");
    assert!(!root_deps.is_empty(), "the root Cargo.toml has a [dependencies] table");
    assert_eq!(
        toml_table(emitted, "dependencies"),
        root_deps,
        "the generated crate's [dependencies] (openapi_clientgen::crate_gen::DEPENDENCIES) must equal the root package's"
    );
    let root_features = toml_table(&root_toml, "features");
    assert!(root_features.iter().any(|l| l.starts_with("default =")), "the root Cargo.toml has default features");
    assert_eq!(
        toml_table(emitted, "features"),
        root_features,
        "the generated crate's [features] (openapi_clientgen::crate_gen::FEATURES) must equal the root package's"
    );
    let package = toml_table(emitted, "package");
    for line in toml_table(&root_toml, "workspace.package") {
        if line.starts_with("edition") || line.starts_with("rust-version") || line.starts_with("license") {
            assert!(package.contains(&line), "generated [package] lacks the workspace's `{line}`: {package:#?}");
        }
    }
}

#[test]
fn the_crate_root_example_is_the_root_packages_example() {
    let files = crate_files();
    let emitted = doc_example(&files["src/lib.rs"]);
    assert!(emitted.iter().any(|l| l.contains(".send().await?")), "the example sends a request: {emitted:#?}");
    let root_lib = std::fs::read_to_string(root().join("generated-client/lib.rs")).expect("lib.rs");
    assert_eq!(doc_example(&root_lib), emitted, "generated-client/lib.rs must show the generated crate's example");
    assert!(
        root_lib.lines().any(|l| l == crate_gen::ROOT_REEXPORTS),
        "generated-client/lib.rs must re-export `{}`",
        crate_gen::ROOT_REEXPORTS
    );

    // The READMEs show the same code, minus the hidden `# ` lines, so it is compiled (as the doctest).
    let visible: Vec<&str> = emitted.iter().map(String::as_str).filter(|l| *l != "#" && !l.starts_with("# ")).collect();
    let block = format!("```rust\n{}\n```\n", visible.join("\n"));
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    assert!(readme.contains(&block), "README.md must show the usage example:\n{block}");
    assert!(files["README.md"].contains(&block), "the generated README shows the usage example");
    assert!(
        readme.contains(crate_gen::TLS_FEATURES_DOC),
        "README.md must describe the TLS features as the generated README does"
    );
    assert!(files["README.md"].contains(crate_gen::TLS_FEATURES_DOC));
}

fn target_dir() -> PathBuf {
    root().join("target/standalone-crate")
}

/// `cargo` with the shared target directory, run in `dir`; panics with its output on failure.
/// Without debug info or incremental state: these builds are only compiled, never debugged,
/// and build scripts' dependencies then share artifacts with normal dependencies.
fn cargo(dir: &Path, args: &[&str]) -> String {
    cargo_with(dir, args, &[])
}

fn cargo_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let started = Instant::now();
    let out = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .env("CARGO_PROFILE_DEV_DEBUG", "false")
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .expect("cannot start cargo");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "cargo {args:?} in {} failed:\n{stderr}\n{stdout}", dir.display());
    eprintln!("cargo {} took {:.1}s", args.join(" "), started.elapsed().as_secs_f64());
    stdout.into_owned()
}

#[test]
fn emitted_crate_packages_passes_clippy_and_doctests() {
    // Not `losant-instance-api`: the root package is packaged into the same
    // target directory by the test below, possibly at the same time.
    const NAME: &str = "losant-instance-api-standalone";
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join(NAME);
    let files = crate_files_named(NAME);
    crate_gen::write_crate(&dir, &files).expect("write the crate");
    // The workspace's lock file: the same dependency versions as the root
    // package, no registry update, and compiled dependencies reused.
    std::fs::copy(root().join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy Cargo.lock");

    let listed: BTreeSet<String> =
        cargo(&dir, &["package", "--list", "--allow-dirty", "--offline"]).lines().map(str::to_string).collect();
    let mut want: BTreeSet<String> = files.keys().cloned().collect();
    want.extend(["Cargo.lock".to_string(), "Cargo.toml.orig".to_string()]);
    assert_eq!(listed, want, "the packaged files");

    // Builds the packaged sources; then lint and doctest those same sources,
    // so the doctests reuse that build.
    cargo(&dir, &["package", "--allow-dirty", "--offline"]);
    let packaged = target_dir().join(format!("package/{NAME}-0.1.0"));
    assert_eq!(
        std::fs::read_to_string(packaged.join("src/lib.rs")).expect("the packaged sources"),
        files["src/lib.rs"]
    );
    cargo(&packaged, &["clippy", "--offline", "--", "-D", "warnings"]);
    // Broken intra-doc links and other rustdoc warnings (reuses clippy's dependency metadata).
    cargo_with(&packaged, &["doc", "--no-deps", "--offline"], &[("RUSTDOCFLAGS", "-D warnings")]);
    let doctests = cargo(&packaged, &["test", "--doc", "--offline"]);
    assert!(doctests.contains("src/lib.rs - (line") && doctests.contains(" - compile ... ok"), "{doctests}");
}

#[test]
fn workspace_packages_and_the_root_package_ships_what_it_needs() {
    let listed = cargo(&root(), &["package", "-p", "losant-instance-api", "--list", "--allow-dirty", "--offline"]);
    let files: Vec<&str> = listed.lines().collect();
    for want in [
        "Cargo.toml",
        "README.md",
        "build.rs",
        "spec/losant-instance-api-openapi.yml",
        "spec/overlay.yml",
        "generated-client/lib.rs",
        "examples/list_orgs.rs",
    ] {
        assert!(files.contains(&want), "the root package lacks {want}: {files:#?}");
    }
    // Its runtime comes from the generator (build.rs writes it to OUT_DIR): no second copy.
    assert!(!files.iter().any(|f| f.contains("runtime/")), "the root package ships a runtime: {files:#?}");
    let allowed = ["spec/", "generated-client/", "examples/"];
    let top = ["Cargo.toml", "Cargo.toml.orig", "Cargo.lock", "README.md", "build.rs", ".cargo_vcs_info.json"];
    for f in &files {
        assert!(
            top.contains(f) || f.starts_with("LICENSE") || allowed.iter().any(|a| f.starts_with(a)),
            "the root package should not ship {f}"
        );
    }

    // The generator packages the runtime's only copy, which it embeds.
    let listed = cargo(&root(), &["package", "-p", "openapi-clientgen", "--list", "--allow-dirty", "--offline"]);
    for (name, _) in crate_gen::RUNTIME_FILES {
        let want = format!("runtime/{name}");
        assert!(listed.lines().any(|l| l == want), "openapi-clientgen does not package {want}:\n{listed}");
    }
    // No packaged file is, or lies under, a symlink (a Windows checkout would not have it).
    let packaged = files.iter().map(|f| (root(), *f)).chain(listed.lines().map(|f| (root().join("generator"), f)));
    for (mut path, file) in packaged {
        for part in file.split('/') {
            path.push(part);
            let is_link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
            assert!(!is_link, "{} is a symlink", path.display());
        }
    }

    // Both crates, each verified by building its packaged sources.
    forget_unpacked_workspace_crates();
    cargo(&root(), &["package", "--workspace", "--allow-dirty", "--offline"]);
}

/// Removes cargo's unpacked copies of this workspace's own crates from earlier
/// `cargo package --workspace` runs. Cargo verifies the client against the
/// generator through a temporary local registry (under the target directory)
/// and unpacks it into `$CARGO_HOME/registry/src/<hash of that path>/`; with
/// the version unchanged, a later run reuses that stale copy instead of the
/// generator just packaged, so a checkout at the same path (a CI folder used
/// again) would verify against an old generator. Only our two crates are removed;
/// cargo unpacks them again.
fn forget_unpacked_workspace_crates() {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .expect("CARGO_HOME or HOME");
    let Ok(sources) = std::fs::read_dir(cargo_home.join("registry/src")) else { return };
    for source in sources.flatten() {
        let Ok(crates) = std::fs::read_dir(source.path()) else { continue };
        for krate in crates.flatten() {
            let name = krate.file_name().to_string_lossy().into_owned();
            let ours = ["openapi-clientgen-", "losant-instance-api-"].iter().any(|p| name.starts_with(p));
            // crates.io's own copies (a published version) are left alone.
            let local = !source.file_name().to_string_lossy().starts_with("index.");
            if ours && local {
                std::fs::remove_dir_all(krate.path()).expect("remove a stale unpacked crate");
            }
        }
    }
}
