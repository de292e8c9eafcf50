//! The `openapi-clientgen` command line: `lint`, `bundle`, `generate`, `diff`, `lock`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use openapi_clientgen::diff::cli::Outcome;
use openapi_clientgen::names_lock::NameLock;
use openapi_clientgen::{diag, to_yaml, write_if_changed, Analysis, Config, Error};

mod timings;
use timings::Timings;

/// The allocator of the command line (see the `jemalloc` feature in Cargo.toml).
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
mod allocator {
    use std::alloc::{GlobalAlloc, Layout};

    use tikv_jemallocator::Jemalloc;

    #[global_allocator]
    static ALLOCATOR: Allocator = Allocator;

    /// jemalloc, except that a small block is grown or shrunk by allocating
    /// the new one, copying and freeing the old one. jemalloc's `realloc`
    /// took about 580 instructions per call on that path (it looks the block
    /// up and moves it through its slow path), its `malloc` and `sdallocx`
    /// 60-100 together; growing vectors and strings through `realloc` was
    /// 10 % of a small spec's instructions (BENCHMARKS.md, stop 28). A small
    /// block never grows in place anyway: doubling always moves it to another
    /// size class. Large blocks keep jemalloc's `realloc`, which can extend
    /// them without copying.
    struct Allocator;

    /// jemalloc's largest small size class with 4 KiB pages (with larger
    /// pages, only where the copying stops; correct either way).
    const SMALL_MAX: usize = 14 * 1024;

    // SAFETY: every method hands the layout and pointer it was given to
    // jemalloc's own implementation, which upholds `GlobalAlloc`'s contract;
    // `realloc` of small blocks allocates with the same alignment, copies the
    // bytes both blocks hold, and frees the old block with its own layout.
    unsafe impl GlobalAlloc for Allocator {
        #[inline]
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: the caller's guarantees, passed on.
            unsafe { Jemalloc.alloc(layout) }
        }

        #[inline]
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            // SAFETY: the caller's guarantees, passed on.
            unsafe { Jemalloc.alloc_zeroed(layout) }
        }

        #[inline]
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: the caller's guarantees, passed on.
            unsafe { Jemalloc.dealloc(ptr, layout) }
        }

        #[inline]
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            if layout.size() > SMALL_MAX || new_size > SMALL_MAX {
                // SAFETY: the caller's guarantees, passed on.
                return unsafe { Jemalloc.realloc(ptr, layout, new_size) };
            }
            // SAFETY: `new_size` is non-zero and, rounded up to `layout.align()`,
            // does not overflow `isize` (the caller's guarantees for `realloc`).
            let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
            // SAFETY: a non-zero size (see above).
            let new = unsafe { Jemalloc.alloc(new_layout) };
            if !new.is_null() {
                // SAFETY: `ptr` is valid for `layout.size()` bytes, `new` for
                // `new_size`, and two live blocks do not overlap; `ptr` was
                // allocated by this allocator with `layout` and is freed once.
                unsafe {
                    std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    Jemalloc.dealloc(ptr, layout);
                }
            }
            new
        }
    }

    /// jemalloc's options, read once at its start (`_RJEM_MALLOC_CONF` in the
    /// environment still overrides them). Thread caches hold freed blocks of up
    /// to 4 KiB instead of 32 KiB: the same instructions, 0.15-0.25 MiB less peak
    /// memory (BENCHMARKS.md, stop 26).
    #[export_name = "_rjem_malloc_conf"]
    static MALLOC_CONF: &std::ffi::c_char = {
        const CONF: &std::ffi::CStr = c"tcache_max:4096";
        // SAFETY: a pointer to the first byte of a 'static, NUL-terminated string,
        // which is what jemalloc reads.
        unsafe { &*CONF.as_ptr() }
    };
}

#[derive(Parser)]
#[command(name = "openapi-clientgen", version, about = "Typed async Rust clients from real-world OpenAPI 3.0 specs")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Check a spec (after overlays) and report every problem with its location.
    /// Exit status: 0 no error, 1 errors, 2 an input cannot be read.
    Lint {
        /// The OpenAPI 3.0 spec (YAML or JSON).
        spec: PathBuf,
        /// Overlay files, applied in order.
        #[arg(long = "overlay")]
        overlays: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Write the repaired spec as one self-contained OpenAPI 3.0.3 document.
    Bundle {
        /// The OpenAPI 3.0 spec (YAML or JSON).
        spec: PathBuf,
        /// Overlay files, applied in order.
        #[arg(long = "overlay")]
        overlays: Vec<PathBuf>,
        /// Where to write the bundled YAML (`.json` writes JSON).
        #[arg(long)]
        out: PathBuf,
    },
    /// Write a standalone, publishable client crate to DIR: Cargo.toml, README.md and src/
    /// (the generated code and a copy of the runtime; no build script, no dependency on this
    /// generator). Only files whose content changed are written; generated files that are no
    /// longer produced are removed; files not generated by openapi-clientgen are never overwritten.
    /// Without SPEC, uses the bundled spec/losant-instance-api-openapi.yml, spec/overlay.yml and
    /// spec/names.lock (as build.rs does).
    /// Exit status: 0 written (or, with --check, up to date), 1 spec errors or (with --check)
    /// stale, 2 an input cannot be read or the output cannot be written.
    Generate {
        /// The OpenAPI 3.0 spec (YAML or JSON). Default: the bundled spec, with the bundled
        /// overlay unless --overlay is given.
        spec: Option<PathBuf>,
        /// Overlay files, applied in order.
        #[arg(long = "overlay")]
        overlays: Vec<PathBuf>,
        /// The crate directory to write (or, with --check, to compare).
        #[arg(long)]
        out: PathBuf,
        /// Name lock to honour (see `lock`). Default without SPEC: the bundled
        /// spec/names.lock when it exists; with SPEC: none.
        #[arg(long)]
        lock: Option<PathBuf>,
        /// Package name. Default: the last component of --out, as `cargo new` does.
        #[arg(long)]
        crate_name: Option<String>,
        /// Package version.
        #[arg(long, default_value = "0.1.0")]
        crate_version: String,
        /// The `repository` URL in Cargo.toml (default: none).
        #[arg(long)]
        repository: Option<String>,
        /// The `description` in Cargo.toml (default: from the spec's `info.title` and `info.version`).
        #[arg(long)]
        description: Option<String>,
        /// A crates.io keyword (repeatable, at most 5; default: from the spec's `info.title`).
        #[arg(long = "keyword")]
        keywords: Vec<String>,
        /// Write nothing: compare --out with what would be generated, print what is stale,
        /// exit 1 if anything is (for CI).
        #[arg(long)]
        check: bool,
    },
    /// Compare two spec versions (after overlays) as users of the generated crate see them:
    /// operations, parameters, bodies and types added, removed or changed, each classified
    /// breaking, additive or patch, and the semver bump the crate needs.
    /// Exit status: 0 the report was written (whatever it says), 1 a spec has errors,
    /// 2 an input cannot be read.
    Diff {
        /// The old spec.
        old: PathBuf,
        /// The new spec.
        new: PathBuf,
        /// Overlay files applied to both specs, in order.
        #[arg(long = "overlay")]
        overlays: Vec<PathBuf>,
        /// Overlay files applied to the old spec only (after --overlay).
        #[arg(long = "old-overlay")]
        old_overlays: Vec<PathBuf>,
        /// Overlay files applied to the new spec only (after --overlay).
        #[arg(long = "new-overlay")]
        new_overlays: Vec<PathBuf>,
        /// Name lock both sides are generated with (see `lock`); the report lists the names it kept.
        #[arg(long)]
        lock: Option<PathBuf>,
        /// Name lock of the old side, when it differs from --lock.
        #[arg(long)]
        old_lock: Option<PathBuf>,
        /// Output format.
        #[arg(long, default_value = "markdown", value_parser = ["markdown", "json"])]
        format: String,
        /// Current version of the generated crate: the report names the next one.
        #[arg(long)]
        crate_version: Option<String>,
        /// Classify every new struct field as breaking (cargo-semver-checks' view).
        #[arg(long)]
        strict: bool,
    },
    /// Record the public Rust names of the generated client in a name lock (default
    /// spec/names.lock). An existing lock is honoured: names it records are kept, new items are
    /// added, gone ones dropped. Exit status: 0 written (or, with --check, up to date),
    /// 1 spec errors or (with --check) stale, 2 an input cannot be read.
    Lock {
        /// The OpenAPI 3.0 spec (YAML or JSON).
        spec: PathBuf,
        /// Overlay files, applied in order.
        #[arg(long = "overlay")]
        overlays: Vec<PathBuf>,
        /// The lock file.
        #[arg(long, default_value = "spec/names.lock")]
        out: PathBuf,
        /// Ignore the existing lock and record the names the spec alone gives (renames on purpose).
        #[arg(long)]
        fresh: bool,
        /// Write nothing: exit 1 if the lock is not up to date (for CI).
        #[arg(long)]
        check: bool,
    },
}

fn report(a: &Analysis, format: Format) {
    match format {
        Format::Json => println!("{}", diag::render_json(&a.diagnostics)),
        Format::Text => {
            use std::io::IsTerminal;
            eprint!("{}", diag::render_text(&a.diagnostics, std::io::stderr().is_terminal()));
            let count = |s| a.diagnostics.iter().filter(|d| d.severity == s).count();
            let (errors, warnings, notes) =
                (count(diag::Severity::Error), count(diag::Severity::Warning), count(diag::Severity::Note));
            if notes > 0 {
                eprintln!("{errors} error(s), {warnings} warning(s), {notes} note(s)");
            } else {
                eprintln!("{errors} error(s), {warnings} warning(s)");
            }
        }
    }
}

fn status(a: &Analysis) -> ExitCode {
    if a.unreadable {
        ExitCode::from(2)
    } else if a.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Leaves `value` to the end of the process instead of dropping it: freeing
/// an analysis (the document, its source map, the typed model) is tens of
/// thousands of `free` calls (about 80 ms for a 3 MB spec), and the process
/// is about to exit, when the operating system takes the memory back in one
/// step. Used only by the CLI, right before it writes its output and ends.
fn leave_to_exit<T>(value: T) {
    std::mem::forget(value);
}

fn main() -> ExitCode {
    let mut timings = Timings::start();
    let cli = Cli::parse();
    Timings::mark(&mut timings, "args");
    match cli.command {
        Command::Lint { spec, overlays, format } => {
            let a = Config::new().overlays(overlays).analyze(&spec);
            report(&a, format);
            let status = status(&a);
            leave_to_exit(a);
            status
        }
        Command::Bundle { spec, overlays, out } => {
            let a = Config::new().overlays(overlays).analyze(&spec);
            if a.has_errors() || a.unreadable {
                report(&a, Format::Text);
                return status(&a);
            }
            report(&a, Format::Text);
            let Some(doc) = &a.doc else { return ExitCode::from(1) };
            let text = if out.extension().is_some_and(|e| e == "json") {
                serde_json::to_string_pretty(doc).unwrap_or_default()
            } else {
                to_yaml(doc)
            };
            if let Err(e) = std::fs::write(&out, text) {
                eprintln!("error: cannot write {}: {e}", out.display());
                return ExitCode::from(2);
            }
            eprintln!("wrote {}", out.display());
            ExitCode::SUCCESS
        }
        Command::Generate {
            spec,
            overlays,
            lock,
            out,
            crate_name,
            crate_version,
            repository,
            description,
            keywords,
            check,
        } => {
            use openapi_clientgen::crate_gen;
            let (spec, overlays, lock) = match spec {
                Some(spec) => (spec, overlays, lock),
                None => {
                    let b = crate_gen::bundled_inputs();
                    let overlays = if overlays.is_empty() { b.overlays } else { overlays };
                    (b.spec, overlays, lock.or_else(|| b.lock.is_file().then_some(b.lock)))
                }
            };
            let Some(name) = crate_name.or_else(|| crate_gen::default_crate_name(&out)) else {
                eprintln!("error: cannot name the crate after {}: pass --crate-name", out.display());
                return ExitCode::from(2);
            };
            let mut opts = crate_gen::CrateOptions::new(&name, &crate_version, &spec, &overlays);
            opts.repository = repository;
            opts.description = description;
            opts.keywords = keywords;
            let mut config = Config::new().overlays(overlays);
            if let Some(lock) = lock {
                // Given explicitly (or the bundled one, which exists): it must be readable.
                match openapi_clientgen::names_lock::NameLock::read(&lock) {
                    Ok(lock) => config = config.names(lock),
                    Err(e) => return fail(&e),
                }
            }
            if let Err(e) = crate_gen::validate_crate_name(&name).and(crate_gen::validate_crate_version(&crate_version))
            {
                return fail(&e);
            }
            Timings::mark(&mut timings, "setup");
            let a = config.analyze(&spec);
            Timings::mark(&mut timings, "analyze");
            if !a.diagnostics.is_empty() {
                report(&a, Format::Text);
            }
            let files = match config.crate_files_from(&a, &spec.display().to_string(), &opts) {
                Ok(files) => files,
                Err(e @ Error::Spec { .. }) => return ExitCode::from(e.exit_status()),
                Err(e) => return fail(&e),
            };
            Timings::mark(&mut timings, "generate");
            leave_to_exit(a);
            if check {
                return match crate_gen::check_crate(&out, &files) {
                    Ok(r) if r.is_fresh() => {
                        print!("{r}");
                        ExitCode::SUCCESS
                    }
                    Ok(r) => {
                        print!("{r}");
                        println!("to update it, run the same command without --check");
                        ExitCode::from(1)
                    }
                    Err(e) => {
                        eprintln!("error: cannot read {}: {e}", out.display());
                        ExitCode::from(2)
                    }
                };
            }
            let written = crate_gen::write_crate(&out, &files);
            Timings::mark(&mut timings, "write");
            Timings::report(timings);
            match written {
                Ok(r) => {
                    // One write: stderr is unbuffered, and line by line it took a
                    // hundred system calls for a crate of twenty files.
                    let mut report = format!("{}: {r}\n", out.display());
                    for (what, paths) in [("wrote", &r.written), ("removed", &r.removed)] {
                        for p in paths {
                            report.push_str(&format!("  {what} {p}\n"));
                        }
                    }
                    eprint!("{report}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Diff {
            old,
            new,
            overlays,
            old_overlays,
            new_overlays,
            lock,
            old_lock,
            format,
            crate_version,
            strict,
        } => {
            use openapi_clientgen::diff::cli;
            let args = cli::DiffArgs {
                old,
                new,
                overlays,
                old_overlays,
                new_overlays,
                lock,
                old_lock,
                json: format == "json",
                crate_version,
                strict,
            };
            print_outcome(cli::run_diff(&args))
        }
        Command::Lock { spec, overlays, out, fresh, check } => {
            print_outcome(lock(&spec, overlays, &out, fresh, check).unwrap_or_else(|e| Outcome::fail(&e)))
        }
    }
}

/// `lock`: records the names the generator gives (honouring the existing lock
/// unless `fresh`) in `out`, or with `check` says whether `out` is up to date
/// (exit status 1 when not).
fn lock(spec: &Path, overlays: Vec<PathBuf>, out: &Path, fresh: bool, check: bool) -> Result<Outcome, Error> {
    let config = Config::new().overlays(overlays);
    let analysis = config.analyze(spec);
    let spec_name = spec.display().to_string();
    // Spec errors first (exit 1), then an unreadable lock (exit 2).
    if analysis.unreadable || analysis.has_errors() {
        let (diagnostics, unreadable) = (analysis.diagnostics, analysis.unreadable);
        return Err(Error::Spec { spec: spec_name, diagnostics, unreadable });
    }
    let existing = if out.exists() { Some(NameLock::read(out)?) } else { None };
    let config = match (&existing, fresh) {
        (Some(l), false) => config.names(l.clone()),
        _ => config,
    };
    let lock = NameLock::from_api(&config.lower_from(&analysis, &spec_name)?);
    let old = existing.unwrap_or_default();
    let mut summary = String::new();
    for (what, id, name, there) in lock.differences(&old) {
        match there {
            Some(before) => summary.push_str(&format!("  renamed {what} {id}: {before} -> {name}\n")),
            None => summary.push_str(&format!("  added {what} {id}: {name}\n")),
        }
    }
    for (what, id, name, there) in old.differences(&lock) {
        if there.is_none() {
            summary.push_str(&format!("  dropped {what} {id}: {name}\n"));
        }
    }
    let shown = out.display();
    if check {
        if summary.is_empty() {
            return Ok(Outcome {
                stdout: format!("{shown} is up to date ({} names)\n", lock.len()),
                ..Outcome::default()
            });
        }
        let stdout =
            format!("{shown} is not up to date:\n{summary}to update it, run the same command without --check\n");
        return Ok(Outcome { stdout, stderr: String::new(), status: 1 });
    }
    write_if_changed(out, &lock.to_text()).map_err(|source| Error::Io { path: out.to_path_buf(), source })?;
    let stderr = if summary.is_empty() {
        format!("{shown} is up to date ({} names)\n", lock.len())
    } else {
        format!("wrote {shown} ({} names):\n{summary}", lock.len())
    };
    Ok(Outcome { stdout: String::new(), stderr, status: 0 })
}

/// Prints an error and returns its exit status.
fn fail(e: &Error) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(e.exit_status())
}

/// Prints a command's output and returns its exit status.
fn print_outcome(o: Outcome) -> ExitCode {
    print!("{}", o.stdout);
    eprint!("{}", o.stderr);
    ExitCode::from(o.status)
}
