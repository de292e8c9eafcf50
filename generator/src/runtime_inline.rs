//! The runtime as one file: `runtime/mod.rs` with each of its `mod name;`
//! declarations replaced by `mod name { .. }` holding `runtime/name.rs`,
//! indented. Rust defines both forms as the same module tree, so paths,
//! visibility and docs are unchanged; a generated crate is 6 files instead of
//! 20 (each new file costs an inode allocation: BENCHMARKS.md, stop 28).
//!
//! Shared by the generator's build script, which writes the result to
//! `OUT_DIR` once per build of the generator (inlining 3,000 lines on every
//! run cost about 1 M instructions, 9 % of a small spec's whole run), and by
//! the unit tests, which check that result against the sources.

/// `mod.rs` of `files` (`(file name, text)`) with its file modules inlined,
/// after `header`.
pub fn inline(header: &str, files: &[(&str, &str)]) -> String {
    let total: usize = files.iter().map(|(_, t)| t.len() * 9 / 8).sum();
    let mut out = String::with_capacity(header.len() + total);
    out.push_str(header);
    let root = files.iter().find(|(n, _)| *n == "mod.rs").map_or("", |(_, t)| *t);
    for line in root.lines() {
        match submodule(line, files) {
            Some((head, text)) => {
                out.push_str(head);
                out.push_str(" {\n");
                for inner in text.lines() {
                    if !inner.is_empty() {
                        out.push_str("    ");
                        out.push_str(inner);
                    }
                    out.push('\n');
                }
                out.push_str("}\n");
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// For a line of `mod.rs` declaring a file module of `files` (`mod body;`,
/// `pub mod path;`): the declaration without its `;`, and that file's text.
pub fn submodule<'a>(line: &'a str, files: &[(&str, &'a str)]) -> Option<(&'a str, &'a str)> {
    let head = line.strip_suffix(';')?;
    let name = head.strip_prefix("pub ").or(head.strip_prefix("pub(crate) ")).unwrap_or(head).strip_prefix("mod ")?;
    let file = format!("{name}.rs");
    files.iter().find(|(n, _)| *n == file && *n != "mod.rs").map(|(_, t)| (head, *t))
}
