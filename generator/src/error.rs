//! The one error type of the public API ([`crate::Config`]) and the CLI.

use std::fmt;
use std::path::PathBuf;

use crate::diag::{self, Diagnostic, Severity};

/// Why generation (or another [`crate::Config`] operation) failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The spec cannot be used: it has errors after its overlays, or an input
    /// cannot be read. `diagnostics` has every diagnostic, warnings included.
    Spec {
        /// The spec, as given.
        spec: String,
        /// Every diagnostic of the analysis, sorted.
        diagnostics: Vec<Diagnostic>,
        /// True when an input file could not be read at all.
        unreadable: bool,
    },
    /// A name lock file cannot be read or is malformed.
    Lock {
        /// The lock file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A file cannot be read or written.
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A setting is invalid (a crate name or version, a missing `OUT_DIR`).
    Invalid(String),
    /// A bug in the generator: emitted tokens that are not valid Rust.
    Internal(String),
}

impl Error {
    /// The CLI's exit status for this error: 1 for a spec with errors (and a
    /// generator bug), 2 when an input cannot be read or an output written.
    pub fn exit_status(&self) -> u8 {
        match self {
            Error::Spec { unreadable: false, .. } | Error::Internal(_) => 1,
            _ => 2,
        }
    }

    /// The error diagnostics of a [`Error::Spec`] (empty otherwise).
    pub fn errors(&self) -> Vec<&Diagnostic> {
        match self {
            Error::Spec { diagnostics, .. } => diagnostics.iter().filter(|d| d.severity == Severity::Error).collect(),
            _ => Vec::new(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Spec { spec, .. } => {
                let errors: Vec<Diagnostic> = self.errors().into_iter().cloned().collect();
                write!(f, "{}error: {spec} cannot be used (after its overlays)", diag::render_text(&errors, false))
            }
            Error::Lock { path, message } if path.as_os_str().is_empty() => f.write_str(message),
            Error::Lock { path, message } => write!(f, "{}: {message}", path.display()),
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Invalid(message) => f.write_str(message),
            Error::Internal(message) => write!(f, "internal generator error (please report): {message}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Equal when of the same kind with the same text (I/O errors by kind and message).
impl PartialEq for Error {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Error::Io { path: a, source: x }, Error::Io { path: b, source: y }) => {
                a == b && x.kind() == y.kind() && x.to_string() == y.to_string()
            }
            _ => std::mem::discriminant(self) == std::mem::discriminant(other) && self.to_string() == other.to_string(),
        }
    }
}
