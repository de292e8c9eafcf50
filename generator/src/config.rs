//! The one public entry point: [`Config`], for `build.rs`, the CLI and tests.
//!
//! ```no_run
//! // build.rs
//! openapi_clientgen::Config::new()
//!     .overlay("spec/overlay.yml")
//!     .lock("spec/names.lock")
//!     .write_to_out_dir("spec/api.yml", "client.rs")
//!     .unwrap_or_else(|e| panic!("{e}"));
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::crate_gen::{self, CrateOptions};
use crate::diag::Severity;
use crate::document::Model;
use crate::generate::{self, Generated};
use crate::ir::Api;
use crate::names_lock::NameLock;
use crate::source::SourceFile;
use crate::{Analysis, Error};

/// An input document: a file, or text with the name diagnostics give it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Input {
    File(PathBuf),
    Text { name: String, text: String },
}

impl Input {
    fn load(&self) -> Result<SourceFile, crate::diag::Diagnostic> {
        match self {
            Input::File(p) => SourceFile::read(p),
            Input::Text { name, text } => SourceFile::parse(name, text),
        }
    }
}

/// Where the name lock comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Lock {
    None,
    /// A lock file, used when it exists (Cargo watches it, or its directory).
    File(PathBuf),
    /// A lock in memory.
    Names(NameLock),
}

/// What to generate from: overlays and a name lock, applied to whichever spec
/// a method is given. Methods run the whole pipeline (load, overlays,
/// normalization, checks, lowering, emission, formatting).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    overlays: Vec<Input>,
    lock: Lock,
}

impl Default for Config {
    fn default() -> Self {
        Config { overlays: Vec::new(), lock: Lock::None }
    }
}

impl Config {
    /// No overlay, no name lock.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an overlay file (OpenAPI Overlay 1.0); overlays apply in the order added.
    pub fn overlay(mut self, path: impl Into<PathBuf>) -> Self {
        self.overlays.push(Input::File(path.into()));
        self
    }

    /// Adds overlay files, in order.
    pub fn overlays<P: Into<PathBuf>>(mut self, paths: impl IntoIterator<Item = P>) -> Self {
        self.overlays.extend(paths.into_iter().map(|p| Input::File(p.into())));
        self
    }

    /// Adds an overlay given as text; `name` is the file name diagnostics show.
    pub fn overlay_text(mut self, name: &str, text: &str) -> Self {
        self.overlays.push(Input::Text { name: name.to_string(), text: text.to_string() });
        self
    }

    /// Keeps the public names recorded in the name lock file at `path` (see
    /// [`crate::names_lock`]) when that file exists. A lock file that cannot be
    /// read or parsed is an [`Error::Lock`].
    pub fn lock(mut self, path: impl Into<PathBuf>) -> Self {
        self.lock = Lock::File(path.into());
        self
    }

    /// Keeps the public names recorded in `lock`.
    pub fn names(mut self, lock: NameLock) -> Self {
        self.lock = Lock::Names(lock);
        self
    }

    /// Loads `spec`, applies the overlays, normalizes and checks: every
    /// diagnostic, and the repaired document.
    pub fn analyze(&self, spec: impl AsRef<Path>) -> Analysis {
        self.analyze_input(&Input::File(spec.as_ref().to_path_buf()))
    }

    /// Like [`Config::analyze`], for a spec given as text named `name`.
    pub fn analyze_text(&self, name: &str, text: &str) -> Analysis {
        self.analyze_input(&Input::Text { name: name.to_string(), text: text.to_string() })
    }

    fn analyze_input(&self, spec: &Input) -> Analysis {
        crate::analyze_sources(spec.load(), self.overlays.iter().map(Input::load).collect())
    }

    /// Generates the client module for `spec` (lowered API, whole module, and
    /// the code per schema and per operation).
    pub fn generate(&self, spec: impl AsRef<Path>) -> Result<Generated, Error> {
        let spec = spec.as_ref();
        self.generate_from(&self.analyze(spec), &spec.display().to_string())
    }

    /// Generates the client module from an analysis made by [`Config::analyze`]
    /// or [`Config::analyze_text`]; `spec` names the spec in errors.
    pub fn generate_from(&self, analysis: &Analysis, spec: &str) -> Result<Generated, Error> {
        let lock = self.load_lock()?;
        generate::generate(&checked(analysis, spec)?, lock.as_ref())
    }

    /// Lowers `spec` to the API model only (no code), as [`crate::diff`] compares it.
    pub fn lower(&self, spec: impl AsRef<Path>) -> Result<Api, Error> {
        let spec = spec.as_ref();
        self.lower_from(&self.analyze(spec), &spec.display().to_string())
    }

    /// Like [`Config::lower`], from an analysis.
    pub fn lower_from(&self, analysis: &Analysis, spec: &str) -> Result<Api, Error> {
        let lock = self.load_lock()?;
        generate::lower_checked(&checked(analysis, spec)?, lock.as_ref())
    }

    /// The files of a standalone, publishable crate for `spec` (relative path
    /// -> contents; see [`crate::crate_gen`]). Pure and deterministic.
    pub fn crate_files(&self, spec: impl AsRef<Path>, opts: &CrateOptions) -> Result<crate_gen::CrateFiles, Error> {
        let spec = spec.as_ref();
        self.crate_files_from(&self.analyze(spec), &spec.display().to_string(), opts)
    }

    /// Like [`Config::crate_files`], from an analysis.
    pub fn crate_files_from(
        &self,
        analysis: &Analysis,
        spec: &str,
        opts: &CrateOptions,
    ) -> Result<crate_gen::CrateFiles, Error> {
        let lock = self.load_lock()?;
        crate_gen::crate_files(&checked(analysis, spec)?, lock.as_ref(), opts)
    }

    /// For `build.rs`: generates the client module for `spec` into
    /// `$OUT_DIR/<file_name>`, printing `cargo:rerun-if-changed` for every
    /// input and `cargo:warning` for every diagnostic. On errors, nothing is
    /// written and the error renders every one (the build script should fail).
    ///
    /// The module brings its runtime: the runtime is written to
    /// `$OUT_DIR/openapi_clientgen_runtime.rs` and the file declares
    /// `pub mod runtime` from there, so `include!(concat!(env!("OUT_DIR"), "/<file_name>"));`
    /// (at the crate root or in a module of its own) is all a crate needs.
    pub fn write_to_out_dir(&self, spec: impl AsRef<Path>, file_name: &str) -> Result<PathBuf, Error> {
        let out_dir = std::env::var_os("OUT_DIR")
            .ok_or_else(|| Error::Invalid("OUT_DIR is not set: call this from a build script".into()))?;
        let out = Path::new(&out_dir).join(file_name);
        self.write_to(spec, &out, &mut std::io::stdout().lock())?;
        Ok(out)
    }

    /// What [`Config::write_to_out_dir`] does, with the output file and the
    /// stream that receives the `cargo:` directives given explicitly (the
    /// runtime goes to `openapi_clientgen_runtime.rs` beside `out`). Returns
    /// whether anything was (re)written: unchanged files are left alone, with
    /// their modification times.
    pub fn write_to(&self, spec: impl AsRef<Path>, out: &Path, cargo: &mut dyn Write) -> Result<bool, Error> {
        let spec = spec.as_ref();
        let files = self.overlays.iter().filter_map(|o| match o {
            Input::File(p) => Some(p.as_path()),
            Input::Text { .. } => None,
        });
        let watched: Vec<&Path> = std::iter::once(spec).chain(files).collect();
        let watch_lock = match &self.lock {
            Lock::File(p) => Some(p.as_path()),
            _ => None,
        };
        crate::build::directives(cargo, &watched, watch_lock)?;
        let lock = self.load_lock()?;
        let analysis = self.analyze(spec);
        crate::build::report(cargo, &analysis)?;
        let code = generate::generate_code(&checked(&analysis, &spec.display().to_string())?, lock.as_ref())?;
        let (declaration, wrote_runtime) = write_runtime_beside(out)?;
        let wrote = crate::build::write_if_changed(out, &(code + &declaration))
            .map_err(|source| Error::Io { path: out.to_path_buf(), source })?;
        Ok(wrote || wrote_runtime)
    }

    /// The name lock in use: `None` without one, or when the lock file does not exist.
    pub fn load_lock(&self) -> Result<Option<NameLock>, Error> {
        match &self.lock {
            Lock::None => Ok(None),
            Lock::File(p) if !p.exists() => Ok(None),
            Lock::File(p) => NameLock::read(p).map(Some),
            Lock::Names(l) => Ok(Some(l.clone())),
        }
    }
}

/// Writes the runtime ([`crate_gen::runtime_rs`]) to `openapi_clientgen_runtime.rs`
/// beside `out`, unless it is already there unchanged. Returns the `pub mod runtime`
/// declaration that loads it (by absolute path, so it works wherever the file is
/// `include!`d) and whether it was written.
fn write_runtime_beside(out: &Path) -> Result<(String, bool), Error> {
    let io = |path: &Path, source| Error::Io { path: path.to_path_buf(), source };
    let path = std::path::absolute(out).map_err(|e| io(out, e))?.with_file_name("openapi_clientgen_runtime.rs");
    let wrote = crate::build::write_if_changed(&path, crate_gen::runtime_rs()).map_err(|e| io(&path, e))?;
    let Some(module) = path.to_str() else {
        return Err(Error::Invalid(format!("{}: the path is not UTF-8, so no module can load it", path.display())));
    };
    // `{:?}` writes a Rust string literal (escaping `\` and `"`).
    let declaration = format!(
        "\n// The runtime of openapi-clientgen {}, which the code above calls into.\n#[path = {module:?}]\npub mod runtime;\n",
        env!("CARGO_PKG_VERSION")
    );
    Ok((declaration, wrote))
}

/// The typed model of an analysis without errors, or the error.
fn checked<'a>(analysis: &'a Analysis, spec: &str) -> Result<Model<'a>, Error> {
    match (&analysis.doc, &analysis.model) {
        (Some(doc), Some(api))
            if !analysis.unreadable && !analysis.diagnostics.iter().any(|d| d.severity == Severity::Error) =>
        {
            Ok(Model::new(doc, api))
        }
        _ => Err(Error::Spec {
            spec: spec.to_string(),
            diagnostics: analysis.diagnostics.clone(),
            unreadable: analysis.unreadable,
        }),
    }
}
