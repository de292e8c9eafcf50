//! Located diagnostics: collected, never fail-fast.
//!
//! Every problem found in a spec or overlay becomes a [`Diagnostic`] with a
//! stable code, the file, line and column, the JSON pointer of the offending
//! node and a hint. Stages push into the reporter (`report::Diagnostics`),
//! which locates them, and keep going; the caller decides what to do with
//! errors at the end. This module is only the data and its rendering: it
//! depends on no other stage.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input cannot be turned into a client as it is.
    Error,
    /// The input was interpreted, but not as written; check the result.
    Warning,
    /// Something the input has that a client does not use (OpenAPI 3.1 `webhooks`).
    Note,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        })
    }
}

/// Stable diagnostic codes. The string form is part of the CLI's JSON output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// A file could not be read.
    Io,
    /// YAML or JSON syntax error.
    Syntax,
    /// The document is not an OpenAPI 3.0.x document.
    UnsupportedVersion,
    /// A required field is missing.
    MissingField,
    /// A `$ref` names a target that does not exist.
    DanglingRef,
    /// A `$ref` is not a valid JSON pointer fragment (bad `~` escape, no `#/`).
    InvalidPointer,
    /// A `$ref` points outside the document.
    ExternalRef,
    /// `$ref`s that only point at each other.
    RefCycle,
    /// A keyword has a value of the wrong type.
    InvalidType,
    /// A numeric keyword written as a string was read as a number.
    NumericString,
    /// `type: 'null'` (or a type list with null) was read as `nullable`.
    NullType,
    /// `patternProperties` was read as a map with a key pattern.
    PatternProperties,
    /// A parameter has neither `schema` nor `content`.
    ParameterWithoutSchema,
    /// A `default` disagrees with its schema's type.
    DefaultTypeMismatch,
    /// An `example` disagrees with its schema's type.
    ExampleTypeMismatch,
    /// A keyword OpenAPI 3.0 does not have.
    UnsupportedKeyword,
    /// Operations without `operationId`: names are derived from method and path.
    MissingOperationId,
    /// Two operations share an `operationId`.
    DuplicateOperationId,
    /// A `{param}` in a path template has no path parameter.
    UndeclaredPathParam,
    /// A path key carries a query (`/responses?beta=true`); it is sent as written.
    PathHasQuery,
    /// The overlay document itself is malformed.
    OverlayInvalid,
    /// An overlay action's target is not a valid JSONPath.
    OverlayJsonPath,
    /// An overlay action's target matched nothing.
    OverlayTargetUnmatched,
    /// The document nests deeper than the generator supports.
    NestingTooDeep,
    /// An `x-clientgen-*` extension has a malformed value.
    InvalidExtension,
    /// A security scheme the generated client cannot send.
    UnsupportedSecurityScheme,
    /// A `security` requirement names a scheme `components.securitySchemes` does not declare.
    UndeclaredSecurityScheme,
    /// An `Authorization` header parameter next to HTTP authentication.
    AuthorizationParameter,
    /// A path or header parameter whose schema has no text form there (an object).
    ParameterNotRenderable,
    /// An operation without a 2xx (or `default`) response: its method returns the raw response.
    NoSuccessResponse,
    /// A body media type the client can only send or receive as raw bytes.
    UnsupportedMediaType,
    /// A form body member that `application/x-www-form-urlencoded` cannot encode.
    UnsupportedFormField,
    /// OpenAPI 3.1 `webhooks`: requests the API sends, not a client's concern.
    Webhooks,
    /// A `jsonSchemaDialect` or `$schema` other than OpenAPI 3.1's base dialect.
    SchemaDialect,
    /// A JSON Schema 2020-12 construct read as a wider OpenAPI 3.0 one (`prefixItems`).
    Widened,
}

impl Code {
    /// The stable kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Io => "io-error",
            Code::Syntax => "syntax-error",
            Code::UnsupportedVersion => "unsupported-version",
            Code::MissingField => "missing-field",
            Code::DanglingRef => "dangling-ref",
            Code::InvalidPointer => "invalid-pointer",
            Code::ExternalRef => "external-ref",
            Code::RefCycle => "ref-cycle",
            Code::InvalidType => "invalid-type",
            Code::NumericString => "numeric-string",
            Code::NullType => "null-type",
            Code::PatternProperties => "pattern-properties",
            Code::ParameterWithoutSchema => "parameter-without-schema",
            Code::DefaultTypeMismatch => "default-type-mismatch",
            Code::ExampleTypeMismatch => "example-type-mismatch",
            Code::UnsupportedKeyword => "unsupported-keyword",
            Code::MissingOperationId => "missing-operation-id",
            Code::DuplicateOperationId => "duplicate-operation-id",
            Code::UndeclaredPathParam => "undeclared-path-param",
            Code::PathHasQuery => "path-has-query",
            Code::OverlayInvalid => "overlay-invalid",
            Code::OverlayJsonPath => "overlay-jsonpath",
            Code::OverlayTargetUnmatched => "overlay-target-unmatched",
            Code::NestingTooDeep => "nesting-too-deep",
            Code::InvalidExtension => "invalid-extension",
            Code::UnsupportedSecurityScheme => "unsupported-security-scheme",
            Code::UndeclaredSecurityScheme => "undeclared-security-scheme",
            Code::AuthorizationParameter => "authorization-parameter",
            Code::ParameterNotRenderable => "parameter-not-renderable",
            Code::NoSuccessResponse => "no-success-response",
            Code::UnsupportedMediaType => "unsupported-media-type",
            Code::UnsupportedFormField => "unsupported-form-field",
            Code::Webhooks => "webhooks",
            Code::SchemaDialect => "schema-dialect",
            Code::Widened => "widened",
        }
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One located problem. Serializes to exactly the CLI's JSON fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// `error`, `warning` or `note`.
    pub severity: Severity,
    /// Stable code such as `dangling-ref`.
    pub code: Code,
    /// What is wrong.
    pub message: String,
    /// The file the problem is in.
    pub file: String,
    /// 1-based line (0 when the file has no text, e.g. it could not be read).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// RFC 6901 JSON pointer of the node, in the document as loaded.
    pub pointer: String,
    /// What to do about it.
    pub hint: String,
}

/// Renders diagnostics as text with the offending source line, using
/// codespan-reporting. Files are re-read from disk by name; a file that
/// cannot be read is rendered without a snippet.
pub fn render_text(diags: &[Diagnostic], color: bool) -> String {
    use codespan_reporting::diagnostic::{Diagnostic as CsDiag, Label};
    use codespan_reporting::files::SimpleFiles;
    use codespan_reporting::term::{self, termcolor};

    // Each file once; `SimpleFiles` finds its line starts when it is added.
    let mut files = SimpleFiles::new();
    let mut ids: std::collections::BTreeMap<String, Option<usize>> = Default::default();
    for d in diags {
        ids.entry(d.file.clone()).or_insert_with(|| {
            std::fs::read_to_string(&d.file).ok().map(|text| files.add(display_name(&d.file), text))
        });
    }
    let mut out = termcolor::Buffer::no_color();
    let mut colored = termcolor::Buffer::ansi();
    let buf = if color { &mut colored } else { &mut out };
    let config = term::Config::default();
    for d in diags {
        let mut cs = match d.severity {
            Severity::Error => CsDiag::error(),
            Severity::Warning => CsDiag::warning(),
            Severity::Note => CsDiag::note(),
        }
        .with_code(d.code.as_str())
        .with_message(&d.message);
        let mut notes = vec![format!("at {}", pointer_display(&d.pointer))];
        match ids.get(&d.file).and_then(|x| x.as_ref()) {
            Some(&id) if d.line > 0 => {
                let range = line_col_range(&files, id, d.line, d.column);
                cs = cs.with_labels(vec![Label::primary(id, range).with_message(d.code.as_str())]);
            }
            _ => notes.push(format!("in {}:{}:{}", d.file, d.line, d.column)),
        }
        if !d.hint.is_empty() {
            notes.push(format!("hint: {}", d.hint));
        }
        cs = cs.with_notes(notes);
        // Rendering into an in-memory buffer cannot fail for I/O reasons;
        // a failure would only drop this diagnostic's snippet.
        if term::emit(buf, &config, &files, &cs).is_err() {
            let _ = std::io::Write::write_all(
                buf,
                format!("{}[{}]: {}\n", d.severity, d.code.as_str(), d.message).as_bytes(),
            );
        }
    }
    String::from_utf8_lossy(buf.as_slice()).into_owned()
}

fn display_name(file: &str) -> String {
    let p = Path::new(file);
    std::env::current_dir()
        .ok()
        .and_then(|cwd| p.strip_prefix(cwd).ok().map(PathBuf::from))
        .unwrap_or_else(|| p.to_path_buf())
        .display()
        .to_string()
}

fn pointer_display(p: &str) -> String {
    if p.is_empty() {
        "the document root".to_string()
    } else {
        format!("#{p}")
    }
}

/// Byte range of the token starting at 1-based `line`/`column` of file `id`,
/// up to the end of that line; the end of the file for a line it does not have.
fn line_col_range(
    files: &codespan_reporting::files::SimpleFiles<String, String>,
    id: usize,
    line: usize,
    column: usize,
) -> std::ops::Range<usize> {
    use codespan_reporting::files::Files;
    let text = files.source(id).unwrap_or_default();
    let Some(line_range) = line.checked_sub(1).and_then(|index| files.line_range(id, index).ok()) else {
        return text.len()..text.len();
    };
    let start = line_range.start;
    let content = text[line_range].trim_end_matches(['\n', '\r']);
    let col_byte = content.char_indices().nth(column.saturating_sub(1)).map(|(b, _)| b).unwrap_or(content.len());
    start + col_byte..start + content.len().max(col_byte)
}

/// Renders diagnostics as one JSON array with exactly the fields
/// `severity, code, message, file, line, column, pointer, hint`.
pub fn render_json(diags: &[Diagnostic]) -> String {
    serde_json::to_string_pretty(diags).unwrap_or_else(|_| "[]".to_string())
}

#[cfg(test)]
mod tests {
    use codespan_reporting::files::SimpleFiles;

    use super::line_col_range;

    /// The range found by walking the lines from the start, as it was found
    /// before the line starts came from codespan's file database.
    fn by_scanning(text: &str, line: usize, column: usize) -> std::ops::Range<usize> {
        let mut start = 0;
        for (i, l) in text.split_inclusive('\n').enumerate() {
            if i + 1 == line {
                let content = l.trim_end_matches(['\n', '\r']);
                let col = content.char_indices().nth(column.saturating_sub(1)).map(|(b, _)| b).unwrap_or(content.len());
                return start + col..start + content.len().max(col);
            }
            start += l.len();
        }
        text.len()..text.len()
    }

    #[test]
    fn ranges_from_line_starts_are_those_of_scanning_the_lines() {
        let texts = ["", "\n", "a", "a\n", "a\nb", "ab\r\ncd\r\n", "\n\nx: 1\n", "é: ü\n  - ñ\n", "a\n\n\nb\n"];
        for text in texts {
            let mut files = SimpleFiles::new();
            let id = files.add("t.yml".to_owned(), text.to_owned());
            for line in 0..7 {
                for column in 0..5 {
                    assert_eq!(
                        line_col_range(&files, id, line, column),
                        by_scanning(text, line, column),
                        "{text:?} line {line} column {column}"
                    );
                }
            }
        }
    }
}
