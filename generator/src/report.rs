//! The diagnostics reporter: stages report problems at a JSON pointer of the
//! working document, and the reporter locates them (file, line, column)
//! through the [`SourceMap`]. It joins [`crate::diag`] (what a diagnostic is)
//! and [`crate::source`] (where a pointer comes from), so neither needs the other.

use crate::diag::{Code, Diagnostic, Severity};
use crate::source::SourceMap;

/// Collects diagnostics and locates them through a [`SourceMap`].
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a diagnostic located at `pointer` of the current document, as mapped by `map`.
    pub fn at(
        &mut self,
        map: &SourceMap,
        severity: Severity,
        code: Code,
        pointer: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        let loc = map.locate(pointer);
        self.items.push(Diagnostic {
            severity,
            code,
            message: message.into(),
            file: loc.file,
            line: loc.line,
            column: loc.column,
            pointer: pointer.to_string(),
            hint: hint.into(),
        });
    }

    /// Adds an already located diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    /// True when any error was collected.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// The diagnostics in a stable order: by file, line, column, code, pointer.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| {
            (&a.file, a.line, a.column, a.code, &a.pointer, &a.message)
                .cmp(&(&b.file, b.line, b.column, b.code, &b.pointer, &b.message))
        });
        self.items.dedup();
        self.items
    }

    /// Borrow what has been collected so far.
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }
}
