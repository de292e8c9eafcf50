//! Doc comments written into the formatted text instead of going through
//! syn and prettyplease.
//!
//! A doc comment of N lines is N `#[doc = " line"]` attributes: quote
//! escapes each line into a literal, syn reads it back, prettyplease prints
//! it as `/// line`. While a chunk is emitted inside [`deferred`],
//! [`crate::emit_types::doc_attrs`] emits one marker attribute instead and
//! keeps the lines here; [`splice`] then replaces each printed marker line
//! with the lines, at the marker's indentation, as prettyplease would have
//! printed them (`///`, the line, trailing spaces trimmed). Everything else
//! is laid out the same: a doc comment ends its line with a hard break
//! whatever its length. Outside [`deferred`] nothing changes.

use std::cell::RefCell;
use std::hash::{BuildHasher, Hasher};

use crate::error::Error;

/// Marks a deferred doc comment: the control character and a per-chunk
/// random number make it impossible for a spec's text to forge one.
const MARK: char = '\u{1}';

struct Table {
    nonce: u64,
    docs: Vec<Vec<String>>,
}

thread_local! {
    static TABLE: RefCell<Option<Table>> = const { RefCell::new(None) };
}

/// The doc comments deferred while `f` ran on this thread.
pub struct Deferred {
    nonce: u64,
    docs: Vec<Vec<String>>,
}

/// Runs `f` (which emits tokens) with doc comments deferred; returns its
/// result and the comments, to be put back with [`Deferred::splice`].
pub fn deferred<R>(f: impl FnOnce() -> R) -> (R, Deferred) {
    // Restores the table on the way out, panics included.
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            TABLE.with(|t| t.borrow_mut().take());
        }
    }
    let nonce = std::collections::hash_map::RandomState::new().build_hasher().finish();
    TABLE.with(|t| *t.borrow_mut() = Some(Table { nonce, docs: Vec::new() }));
    let reset = Reset;
    let out = f();
    let docs = TABLE.with(|t| t.borrow_mut().as_mut().map(|t| std::mem::take(&mut t.docs))).unwrap_or_default();
    drop(reset);
    (out, Deferred { nonce, docs })
}

/// Runs `f` with doc comments written out as attributes again (for tokens
/// printed apart from the chunk, which [`Deferred::splice`] does not see).
pub fn paused<R>(f: impl FnOnce() -> R) -> R {
    let saved = TABLE.with(|t| t.borrow_mut().take());
    let out = f();
    TABLE.with(|t| *t.borrow_mut() = saved);
    out
}

/// How many doc comments are deferred so far on this thread (0 outside
/// [`deferred`]): the index the next one gets.
pub fn count() -> usize {
    TABLE.with(|t| t.borrow().as_ref().map_or(0, |t| t.docs.len()))
}

/// Keeps `lines` (made by [`crate::markdown::doc_lines`]) and returns the
/// marker to emit as the doc attribute's value, if doc comments are being
/// deferred on this thread and prettyplease would print each line as
/// `///` and the line (no line break in it, not starting with `/`).
/// Otherwise gives the lines back.
pub fn defer(lines: Vec<String>) -> Result<String, Vec<String>> {
    if lines.iter().any(|l| l.contains(['\n', MARK]) || l.starts_with('/')) {
        return Err(lines);
    }
    TABLE.with(|t| match t.borrow_mut().as_mut() {
        Some(table) => {
            let marker = format!("{MARK}{:016x}.{}", table.nonce, table.docs.len());
            table.docs.push(lines);
            Ok(marker)
        }
        None => Err(lines),
    })
}

impl Deferred {
    /// `text` with the markers of comments `from..to` (each on a line of its
    /// own, as prettyplease prints them, in any order) replaced by the
    /// comments' lines. A marker missing, repeated or out of the range is a
    /// generator bug.
    pub fn splice(&self, text: &str, from: usize, to: usize) -> Result<String, Error> {
        if from == to {
            return Ok(text.to_string());
        }
        let prefix = format!("///{MARK}{:016x}.", self.nonce);
        let mut out = String::with_capacity(text.len() + 64 * (to - from));
        let mut seen = vec![false; to - from];
        for line in text.split_inclusive('\n') {
            let body = line.trim_start_matches(' ');
            let Some(index) = body.strip_prefix(prefix.as_str()) else {
                out.push_str(line);
                continue;
            };
            let index = index.trim_end_matches('\n').parse::<usize>().ok().filter(|i| (from..to).contains(i));
            let Some(i) = index.filter(|i| !std::mem::replace(&mut seen[i - from], true)) else {
                return Err(Error::Internal(format!("a doc comment printed out of its chunk or twice: {line:?}")));
            };
            let indent = &line[..line.len() - body.len()];
            for l in &self.docs[i] {
                out.push_str(indent);
                out.push_str("///");
                out.push_str(l.trim_end_matches(' '));
                out.push('\n');
            }
        }
        if let Some(missing) = seen.iter().position(|s| !s) {
            return Err(Error::Internal(format!("doc comment {} of {from}..{to} was not printed", from + missing)));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The doc attributes `tokens` print as, through prettyplease.
    fn printed(tokens: proc_macro2::TokenStream) -> String {
        prettyplease::unparse(&syn::parse2(tokens).expect("a file"))
    }

    fn item(docs: &[proc_macro2::TokenStream]) -> proc_macro2::TokenStream {
        quote::quote! { pub mod m { #(#docs)* pub struct A; #[allow(dead_code)] fn f() {} } }
    }

    #[test]
    fn spliced_text_is_what_prettyplease_prints_for_the_attributes() {
        let docs = [" First line.", "", " Trailing spaces   ", " `code` and \"quotes\" and \\ back"];
        let lines: Vec<String> = docs.iter().map(|s| s.to_string()).collect();
        let plain = printed(item(&[quote::quote!(#(#[doc = #docs])*)]));
        let ((marker, other), deferred) = deferred(|| {
            let marker = defer(lines.clone()).expect("deferred inside `deferred`");
            (marker.clone(), defer(vec![" second".into()]).expect("deferred"))
        });
        let text = printed(item(&[quote::quote!(#[doc = #marker]), quote::quote!(#[doc = #other])]));
        assert!(text.contains("    ///\u{1}"), "{text}");
        let spliced = deferred.splice(&text, 0, 2).expect("both markers printed");
        assert_eq!(spliced, plain.replace("    pub struct A;", "    /// second\n    pub struct A;"));
    }

    #[test]
    fn outside_deferred_and_for_lines_prettyplease_prints_otherwise_nothing_is_deferred() {
        assert_eq!(defer(vec![" a".into()]), Err(vec![" a".to_string()]), "not inside `deferred`");
        let ((), d) = deferred(|| {
            for lines in [vec!["/ starts with a slash".to_string()], vec![" a\nb".into()], vec![" \u{1}0".into()]] {
                assert_eq!(defer(lines.clone()), Err(lines));
            }
            assert_eq!(count(), 0);
            assert!(paused(|| defer(vec![" a".into()])).is_err(), "paused");
            assert!(defer(vec![" a".into()]).is_ok(), "deferred again after the pause");
        });
        assert_eq!(defer(vec![" a".into()]), Err(vec![" a".to_string()]), "over after `deferred`");
        assert!(d.splice("/// a\n", 0, 1).is_err(), "a marker that was not printed is an error");
    }

    #[test]
    fn markers_out_of_range_repeated_or_forged_are_refused_or_left_alone() {
        let ((m0, m1), d) = deferred(|| (defer(vec![" zero".into()]).unwrap(), defer(vec![" one".into()]).unwrap()));
        let line = |m: &str| format!("  ///{m}\n");
        assert_eq!(d.splice(&(line(&m1) + &line(&m0)), 0, 2).unwrap(), "  /// one\n  /// zero\n", "any order");
        assert!(d.splice(&(line(&m0) + &line(&m0)), 0, 2).is_err(), "twice");
        assert!(d.splice(&line(&m1), 0, 1).is_err(), "out of the range");
        // Another run's marker (another nonce) is text like any other.
        let (mine, other) = deferred(|| defer(vec![" mine".into()]).unwrap());
        assert_ne!(mine, m0);
        assert_eq!(other.splice(&(line(&m0) + &line(&mine)), 0, 1).unwrap(), line(&m0) + "  /// mine\n");
    }
}
