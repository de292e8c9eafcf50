//! Doc comments from a spec's markdown: the one place every emitter gets its
//! doc lines from ([`doc_lines`]).
//!
//! A spec's descriptions are CommonMark, often with *lazy continuation lines*:
//! a list item or block quote whose paragraph goes on in a line without the
//! item's indentation (or the quote's `>`), which YAML folding and the
//! trimming below produce all the time. CommonMark (and so rustdoc) reads them
//! as part of the paragraph, but clippy's `doc_lazy_continuation` rejects them
//! in generated code. [`explicit_continuations`] finds them with the parser
//! rustdoc uses (pulldown-cmark, with rustdoc's extensions) and writes the
//! container's prefix in front of each: the same document, explicitly. Every
//! rewrite is checked by parsing the result again: a line whose rewrite would
//! read differently (e.g. `===`, which indented would underline a heading) is
//! escaped (`\===`), and left as it was if that does not help either, so the
//! rendered documentation never changes.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

/// The markdown extensions rustdoc enables.
pub(crate) fn rustdoc_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
}

/// The lines of a doc comment for `text`, each to become one `#[doc = line]`
/// (with the leading space of `/// line`; empty lines stay empty).
///
/// Made safe for rustdoc: lines are trimmed (a spec's indentation would make
/// accidental code blocks, which rustdoc runs as doctests), code fences are
/// neutralized (`'''`), carriage returns and text-direction controls are
/// escapes, tabs spaces (see [`crate::emit_types::doc_safe`]); then lazy
/// continuation lines are made explicit ([`explicit_continuations`]).
pub fn doc_lines(text: &str) -> Vec<String> {
    let safe: Vec<String> =
        text.trim().lines().map(|l| crate::emit_types::doc_safe(l.trim()).replace("```", "'''")).collect();
    explicit_continuations(&safe.join("\n"))
        .lines()
        .map(|l| if l.is_empty() { String::new() } else { format!(" {l}") })
        .collect()
}

/// `md` with every lazy continuation line of a list item or block quote
/// prefixed like the paragraph's first line (list markers as spaces, `>`
/// kept), so that it reads the same (see the module documentation).
pub fn explicit_continuations(md: &str) -> String {
    fix(md).0
}

/// False when `md` cannot hold a lazy continuation line, without parsing it:
/// it is one line, or no line opens a list item or a block quote (a marker
/// `-`, `*`, `+`, `>`, or digits then `.` or `)`, after spaces) or a footnote
/// definition (`[`, which can hold a list item on its first line).
/// Most descriptions are one plain line.
fn may_have_containers(md: &str) -> bool {
    md.contains('\n')
        && md.lines().any(|l| {
            let l = l.trim_start_matches(' ');
            let digits = l.len() - l.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            l.starts_with(['-', '*', '+', '>', '[']) || (digits > 0 && l[digits..].starts_with(['.', ')']))
        })
}

/// [`explicit_continuations`], and how many lazy lines it had to leave as they were.
pub(crate) fn fix(md: &str) -> (String, usize) {
    if !may_have_containers(md) {
        return (md.to_string(), 0);
    }
    let lazy = lazy_lines(md);
    if lazy.is_empty() {
        return (md.to_string(), 0);
    }
    let original = rendering(md);
    let mut out = md.to_string();
    let mut left = 0;
    // From the end, so that the offsets of the lines still to do stay valid.
    for line in lazy.iter().rev() {
        let content = &out[line.content.clone()];
        let plain = format!("{}{content}", line.prefix);
        let escaped =
            content.starts_with(|c: char| c.is_ascii_punctuation()).then(|| format!("{}\\{content}", line.prefix));
        let fixed = [Some(plain), escaped].into_iter().flatten().find_map(|new| {
            let mut candidate = out.clone();
            candidate.replace_range(line.start..line.content.end, &new);
            (rendering(&candidate) == original).then_some(candidate)
        });
        match fixed {
            Some(c) => out = c,
            None => left += 1,
        }
    }
    (out, left)
}

/// A lazy line: its start, its content (to the end of the line), and the prefix it needs.
#[derive(Debug)]
struct Lazy {
    start: usize,
    content: Range<usize>,
    prefix: String,
}

/// The lazy continuation lines of `md`, in order.
fn lazy_lines(md: &str) -> Vec<Lazy> {
    let mut found = Vec::new();
    // Open list items and block quotes.
    let mut containers = 0usize;
    // Where the current paragraph's text starts, and the line break just read.
    let mut first: Option<usize> = None;
    let mut after_break: Option<usize> = None;
    for (event, range) in Parser::new_ext(md, rustdoc_options()).into_offset_iter() {
        let inline = match &event {
            Event::Start(t) => is_inline(t),
            Event::End(t) => matches!(
                t,
                TagEnd::Emphasis
                    | TagEnd::Strong
                    | TagEnd::Strikethrough
                    | TagEnd::Superscript
                    | TagEnd::Subscript
                    | TagEnd::Link
                    | TagEnd::Image
            ),
            Event::SoftBreak | Event::HardBreak => {
                after_break = Some(md[..range.end].rfind('\n').map_or(range.end, |i| i + 1));
                continue;
            }
            Event::Text(_)
            | Event::Code(_)
            | Event::InlineMath(_)
            | Event::InlineHtml(_)
            | Event::FootnoteReference(_)
            | Event::TaskListMarker(_) => true,
            Event::Html(_) | Event::DisplayMath(_) | Event::Rule => false,
        };
        if !inline {
            if let Event::Start(Tag::Item | Tag::BlockQuote(_)) = event {
                containers += 1;
            } else if let Event::End(TagEnd::Item | TagEnd::BlockQuote(_)) = event {
                containers = containers.saturating_sub(1);
            }
            first = None;
            after_break = None;
            continue;
        }
        let start = *first.get_or_insert(range.start);
        let Some(line_start) = after_break.take() else { continue };
        if containers == 0 || range.start < line_start || md[line_start..range.start].contains('\n') {
            continue;
        }
        let first_line = md[..start].rfind('\n').map_or(0, |i| i + 1);
        let prefix: String = md[first_line..start].chars().map(|c| if c == '>' { '>' } else { ' ' }).collect();
        if is_lazy(&md[line_start..range.start], &prefix) {
            let end = md[range.start..].find('\n').map_or(md.len(), |i| range.start + i);
            found.push(Lazy { start: line_start, content: range.start..end, prefix });
        }
    }
    found
}

/// Inline tags (everything else is a block).
fn is_inline(t: &Tag) -> bool {
    matches!(
        t,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

/// Whether a continuation line starting with `have` (before its text) lacks
/// part of the container prefix `need`: fewer `>`, or less indentation after
/// the last `>` (or from the start) than the innermost list item needs.
fn is_lazy(have: &str, need: &str) -> bool {
    let quotes = |s: &str| s.matches('>').count();
    let after = |s: &str| s.rfind('>').map_or(s.len(), |i| s.len() - i - 1);
    // After a `>` one space is optional: a quote alone (`> `) needs none.
    let indent = if quotes(need) > 0 && after(need) <= 1 { 0 } else { after(need) };
    quotes(have) < quotes(need) || after(have) < indent
}

/// What `md` renders to: its events without source offsets, adjacent text joined.
fn rendering(md: &str) -> Vec<Event<'static>> {
    let mut out: Vec<Event<'static>> = Vec::new();
    for e in Parser::new_ext(md, rustdoc_options()) {
        if let (Event::Text(t), Some(Event::Text(prev))) = (&e, out.last_mut()) {
            *prev = CowStr::from(format!("{prev}{t}"));
            continue;
        }
        out.push(e.into_static());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lazy_lines_get_their_containers_prefix() {
        let cases = [
            // A bullet item's continuation: indented to the item's text.
            ("- a\nb", "- a\n  b"),
            ("* a\nb\nc", "* a\n  b\n  c"),
            // Ordered items: to the text after the number.
            ("1. a\nb", "1. a\n   b"),
            ("10) a\nb", "10) a\n    b"),
            // Block quotes: `>` in front.
            ("> a\nb", "> a\n> b"),
            // An item in a quote, a quote in an item.
            ("> - a\n> b", "> - a\n>   b"),
            ("> - a\nb", "> - a\n>   b"),
            ("- > a\nb", "- > a\n  > b"),
            // Items on the same line nest.
            ("- - a\nb", "- - a\n    b"),
            // Already explicit: unchanged.
            ("- a\n  b", "- a\n  b"),
            ("> a\n> b", "> a\n> b"),
            // A paragraph outside any container: unchanged.
            ("a\nb", "a\nb"),
            // A line that is no continuation (a new item, a new paragraph): unchanged.
            ("- a\n- b", "- a\n- b"),
            ("- a\n\nb", "- a\n\nb"),
            // Inline markup in a continuation line, and a hard break.
            ("- a\n*b* `c`", "- a\n  *b* `c`"),
            ("- a\\\nb", "- a\\\n  b"),
            // Indented, `===` would underline a heading: escaped.
            ("- a\n===", "- a\n  \\==="),
            // Indented, `-|-` would make a table of the item: escaped.
            ("- a|b\n-|-", "- a|b\n  \\-|-"),
        ];
        for (input, want) in cases {
            let (got, left) = fix(input);
            assert_eq!(got, want, "for {input:?}");
            assert_eq!(left, 0, "for {input:?}");
            assert_eq!(rendering(&got), rendering(input), "for {input:?}");
        }
    }

    #[test]
    fn doc_lines_trim_and_make_continuations_explicit() {
        let text = "Upload a file.\n\n- The Batch API only supports\n    `.jsonl` files.\n- For Retrieval, upload\nfiles here.\n\n```json\n{}\n```";
        assert_eq!(
            doc_lines(text),
            [
                " Upload a file.",
                "",
                " - The Batch API only supports",
                "   `.jsonl` files.",
                " - For Retrieval, upload",
                "   files here.",
                "",
                " '''json",
                " {}",
                " '''",
            ]
        );
    }

    fn html(md: &str) -> String {
        let mut out = String::new();
        pulldown_cmark::html::push_html(&mut out, Parser::new_ext(md, rustdoc_options()));
        out
    }

    /// A line of a description: container markers (or none) before some text,
    /// the text including what would start or underline a block if indented.
    fn line() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let markers = vec!["", "", "", "- ", "* ", "1. ", "2) ", "10. ", "> ", ">", "> - ", "- > ", "- - ", "- [ ] "];
        let texts = vec![
            "a", "b c", "===", "---", "-|-", "a|b", "|", ":-", "# h", "*e*", "`c`", "`c", "d`", "\\", "1. x", "2. y",
            "> q", "+ p", "<b>", "</b>", "[l](u)", "[l]: u", "\"q\"", "e_", "**s", "~~x~~", "[^1]", "[^1]: f", "    z",
        ];
        (proptest::sample::select(markers), proptest::sample::select(texts))
            .prop_map(|(m, t)| format!("{m}{t}"))
            .boxed()
    }

    proptest::proptest! {
        // About one case in ten has a lazy line: many cases.
        #![proptest_config(proptest::test_runner::Config::with_cases(2048))]
        /// The rewritten text renders to the same HTML as the original, and
        /// (the lines being trimmed, as `doc_lines` makes them) no lazy line is
        /// left: the result has none, so rewriting it again changes nothing.
        #[test]
        fn rewriting_renders_the_same_and_leaves_no_lazy_line(
            lines in proptest::collection::vec(proptest::prop_oneof![line(), proptest::strategy::Just(String::new())], 1..8)
        ) {
            let md: String = lines.iter().map(|l| l.trim()).collect::<Vec<_>>().join("\n");
            let (fixed, left) = fix(&md);
            proptest::prop_assert_eq!(html(&fixed), html(&md), "{:?} -> {:?}", md, fixed);
            proptest::prop_assert_eq!(left, 0, "{:?} -> {:?}", md, fixed);
            proptest::prop_assert!(lazy_lines(&fixed).is_empty(), "{:?} -> {:?}", md, fixed);
        }
    }
}
