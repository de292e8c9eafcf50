//! Loading YAML and JSON into `serde_json::Value`, with a map from every
//! JSON pointer back to the line and column it came from.
//!
//! Values come from serde_yaml (anchors and aliases resolved, `<<` merge keys
//! applied) or serde_json; locations come from a second pass over
//! yaml-rust2's marked event stream, which sees the same tree, including
//! aliases, whose nodes are located at their anchor's definition.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde_json::{Map, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::diag::{Code, Diagnostic, Severity};
use crate::pointer;

/// A 1-based position in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// A loaded file: its name, value and pointer locations.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as given by the user.
    pub name: String,
    /// The parsed document.
    pub value: Value,
    /// Pointer -> position of the key (or item) that introduces the node.
    pub positions: HashMap<String, Pos>,
}

/// Where a diagnostic is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// File name.
    pub file: String,
    /// 1-based line (0 if unknown).
    pub line: usize,
    /// 1-based column (0 if unknown).
    pub column: usize,
}

impl SourceFile {
    /// Reads and parses a file. JSON is recognised by a leading `{` or `[`.
    pub fn read(path: &Path) -> Result<SourceFile, Diagnostic> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| Diagnostic {
            severity: Severity::Error,
            code: Code::Io,
            message: format!("cannot read {name}: {e}"),
            file: name.clone(),
            line: 0,
            column: 0,
            pointer: String::new(),
            hint: "check the path and that the file is UTF-8 text".into(),
        })?;
        SourceFile::parse(&name, &text)
    }

    /// Parses text that came from `name`.
    pub fn parse(name: &str, text: &str) -> Result<SourceFile, Diagnostic> {
        let end = End::of(text);
        let syntax = |line: usize, column: usize, message: String, hint: &str| {
            let Pos { line, column } = end.clamp(line, column);
            Diagnostic {
                severity: Severity::Error,
                code: Code::Syntax,
                message,
                file: name.to_string(),
                line,
                column,
                pointer: String::new(),
                hint: hint.to_string(),
            }
        };
        let trimmed = text.trim_start();
        let (positions, duplicate) = index_positions(text, end);
        let value = if trimmed.starts_with('{') || trimmed.starts_with('[') {
            serde_json::from_str::<Value>(text).map_err(|e| {
                syntax(e.line(), e.column(), format!("invalid JSON: {e}"), "fix the JSON syntax at this position")
            })?
        } else {
            let mut y = serde_yaml::from_str::<Yaml>(text).map(|y| y.0).map_err(|e| {
                let (l, c) = e.location().map(|l| (l.line(), l.column())).unwrap_or((1, 1));
                match &duplicate {
                    // serde_yaml locates a duplicate key at its mapping; the index knows the key itself.
                    Some((key, pos)) if e.to_string().contains("duplicate") => syntax(
                        pos.line,
                        pos.column,
                        format!("invalid YAML: duplicate key `{key}`"),
                        "remove or rename one of the two keys",
                    ),
                    _ => syntax(l, c, format!("invalid YAML: {e}"), "fix the YAML syntax at this position"),
                }
            })?;
            y.apply_merge().map_err(|e| {
                syntax(
                    1,
                    1,
                    format!("invalid YAML merge key: {e}"),
                    "a `<<` merge key needs a mapping or a list of mappings",
                )
            })?;
            yaml_to_json(y)
        };
        if let Some((key, pos)) = duplicate {
            // serde_json keeps the last of two equal keys silently; a spec must not depend on that.
            return Err(syntax(
                pos.line,
                pos.column,
                format!("duplicate key `{key}`"),
                "remove or rename one of the two keys",
            ));
        }
        Ok(SourceFile { name: name.to_string(), value, positions })
    }

    /// The position of `pointer`, or of its nearest located ancestor.
    pub fn position(&self, mut ptr: &str) -> Pos {
        loop {
            if let Some(p) = self.positions.get(ptr) {
                return *p;
            }
            match ptr.rfind('/') {
                Some(i) => ptr = &ptr[..i],
                None => return Pos { line: 1, column: 1 },
            }
        }
    }
}

/// A YAML value as `serde_yaml::Value`, except that integers beyond 64 bits
/// are read as the nearest float. serde_yaml resolves a plain scalar that fits
/// 128 bits (`-9223372036854776000`, one past `i64::MIN` as written by
/// float-printing tools) as an `i128`, which its own `Value` refuses ("invalid
/// YAML" for a valid document); JSON (serde_json) already reads such numbers as
/// floats, and wider ones are floats in both.
struct Yaml(serde_yaml::Value);

impl<'de> serde::Deserialize<'de> for Yaml {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(YamlVisitor)
    }
}

struct YamlVisitor;

impl<'de> serde::de::Visitor<'de> for YamlVisitor {
    type Value = Yaml;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, b: bool) -> Result<Yaml, E> {
        Ok(Yaml(b.into()))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Yaml, E> {
        Ok(Yaml(i.into()))
    }
    fn visit_u64<E>(self, u: u64) -> Result<Yaml, E> {
        Ok(Yaml(u.into()))
    }
    fn visit_i128<E>(self, i: i128) -> Result<Yaml, E> {
        Ok(Yaml((i as f64).into()))
    }
    fn visit_u128<E>(self, u: u128) -> Result<Yaml, E> {
        Ok(Yaml((u as f64).into()))
    }
    fn visit_f64<E>(self, f: f64) -> Result<Yaml, E> {
        Ok(Yaml(f.into()))
    }
    fn visit_str<E>(self, s: &str) -> Result<Yaml, E> {
        Ok(Yaml(s.into()))
    }
    fn visit_string<E>(self, s: String) -> Result<Yaml, E> {
        Ok(Yaml(s.into()))
    }
    fn visit_unit<E>(self) -> Result<Yaml, E> {
        Ok(Yaml(serde_yaml::Value::Null))
    }
    fn visit_none<E>(self) -> Result<Yaml, E> {
        Ok(Yaml(serde_yaml::Value::Null))
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Yaml, D::Error> {
        serde::Deserialize::deserialize(d)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Yaml, A::Error> {
        let mut items = Vec::new();
        while let Some(Yaml(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Yaml(serde_yaml::Value::Sequence(items)))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<Yaml, A::Error> {
        let mut out = serde_yaml::Mapping::new();
        while let Some(Yaml(k)) = m.next_key()? {
            if out.contains_key(&k) {
                // As serde_yaml's own `Value` (the caller locates it by the index).
                return Err(serde::de::Error::custom(format!("duplicate entry with key {}", yaml_key(k))));
            }
            let Yaml(v) = m.next_value()?;
            out.insert(k, v);
        }
        Ok(Yaml(serde_yaml::Value::Mapping(out)))
    }
    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<Yaml, A::Error> {
        // A tagged node (`!tag value`): the tag is dropped, as `yaml_to_json` drops it.
        use serde::de::VariantAccess;
        let (_tag, contents): (serde::de::IgnoredAny, _) = data.variant()?;
        contents.newtype_variant()
    }
}

fn yaml_to_json(v: serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64().and_then(serde_json::Number::from_f64).map(Value::Number).unwrap_or(Value::Null)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                out.insert(yaml_key(k), yaml_to_json(v));
            }
            Value::Object(out)
        }
        Y::Tagged(t) => yaml_to_json(t.value),
    }
}

fn yaml_key(k: serde_yaml::Value) -> String {
    use serde_yaml::Value as Y;
    match k {
        Y::String(s) => s,
        Y::Bool(b) => b.to_string(),
        Y::Number(n) => n.to_string(),
        Y::Null => "null".to_string(),
        other => serde_yaml::to_string(&other).unwrap_or_default().trim().to_string(),
    }
}

/// The end of a text, to keep positions inside it.
#[derive(Debug, Clone, Copy, Default)]
struct End {
    /// Lines as `split('\n')` counts them (a final newline starts an empty last line).
    lines: usize,
    /// Characters on the last line.
    last_len: usize,
}

impl End {
    fn of(text: &str) -> End {
        End { lines: text.split('\n').count(), last_len: text.rsplit('\n').next().unwrap_or("").chars().count() }
    }

    /// A 1-based position inside the text. At the end of input the parsers
    /// report the line after the last one when the text has no final newline
    /// (a syntax error, or the empty value of a final `-` or `key:`): that is
    /// the end of the last line.
    fn clamp(self, line: usize, column: usize) -> Pos {
        match line {
            0 => Pos { line: 1, column: 1 },
            l if l > self.lines => Pos { line: self.lines, column: self.last_len + 1 },
            l => Pos { line: l, column: column.max(1) },
        }
    }
}

/// The first key that appears twice in one mapping, and where.
type Duplicate = Option<(String, Pos)>;

/// Walks yaml-rust2's events and records, for every node, the position of
/// the key or sequence item that introduces it.
fn index_positions(text: &str, end: End) -> (HashMap<String, Pos>, Duplicate) {
    // Aliases may replay at most this many entries in all: linear in the text.
    let mut rec = Indexer { budget: text.len().saturating_mul(8).max(10_000), end, ..Indexer::default() };
    let mut parser = Parser::new_from_str(text);
    // Syntax errors are reported by the value parser; a partial index is fine.
    let _ = parser.load(&mut rec, false);
    rec.positions.entry(String::new()).or_insert(Pos { line: 1, column: 1 });
    (rec.positions, rec.duplicate)
}

enum Frame {
    Map { ptr: String, key: Option<String>, anchor: usize, start: usize, keys: HashSet<String>, item: bool },
    Seq { ptr: String, index: usize, anchor: usize, start: usize },
}

#[derive(Default)]
struct Indexer {
    stack: Vec<Frame>,
    positions: HashMap<String, Pos>,
    /// Every (pointer, pos) recorded, in order, so anchored subtrees can be replayed.
    log: Vec<(String, Pos)>,
    anchors: BTreeMap<usize, (String, Vec<(String, Pos)>)>,
    duplicate: Duplicate,
    done: bool,
    /// Entries that replaying aliases may still add.
    budget: usize,
    /// Marks are clamped into the text.
    end: End,
}

impl Indexer {
    fn record(&mut self, ptr: String, pos: Pos) {
        self.positions.entry(ptr.clone()).or_insert(pos);
        self.log.push((ptr, pos));
    }

    /// Pointer of the node starting now, or None if it is a mapping key.
    fn node_pointer(&mut self, mark: Marker, key_text: Option<&str>) -> Option<String> {
        let pos = self.end.clamp(mark.line(), mark.col() + 1);
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Map { ptr, key, keys, item, .. }) => match key.take() {
                None => {
                    let k = key_text.unwrap_or("").to_string();
                    let child = format!("{}/{}", ptr, pointer::escape(&k));
                    if keys.is_empty() && *item {
                        // A block mapping that is a list item: yaml-rust2 marks it at its first
                        // key's `:`; the item really starts at the key.
                        self.positions.insert(ptr.clone(), pos);
                    }
                    if !keys.insert(k.clone()) && self.duplicate.is_none() {
                        self.duplicate = Some((k.clone(), pos));
                    }
                    *key = Some(k);
                    self.record(child, pos);
                    None
                }
                Some(k) => Some(format!("{}/{}", ptr, pointer::escape(&k))),
            },
            Some(Frame::Seq { ptr, index, .. }) => {
                let child = format!("{}/{}", ptr, index);
                *index += 1;
                self.record(child.clone(), pos);
                Some(child)
            }
        }
    }

    fn finish(&mut self, ptr: &str, anchor: usize, start: usize) {
        if anchor > 0 {
            let entries = self.log[start..]
                .iter()
                .filter_map(|(p, pos)| p.strip_prefix(ptr).map(|rest| (rest.to_string(), *pos)))
                .collect();
            self.anchors.insert(anchor, (ptr.to_string(), entries));
        }
        // After a value completes in a mapping, the next scalar is a key again.
        if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
            *key = None;
        }
    }
}

impl MarkedEventReceiver for Indexer {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.done {
            return;
        }
        match ev {
            Event::Scalar(text, _, anchor, _) => {
                if let Some(ptr) = self.node_pointer(mark, Some(&text)) {
                    let start = self.log.len();
                    self.finish(&ptr, anchor, start);
                }
            }
            Event::Alias(id) => {
                if let Some(ptr) = self.node_pointer(mark, None) {
                    // Replaying an anchor copies its entries; nested aliases ("billion laughs")
                    // would grow the index exponentially. Past the budget, nodes inside an alias
                    // are located at the alias itself (the value parser rejects such documents).
                    let fits = self.anchors.get(&id).is_some_and(|(_, e)| e.len() <= self.budget);
                    if let Some((_, entries)) = self.anchors.get(&id).filter(|_| fits).cloned() {
                        self.budget -= entries.len();
                        for (rest, pos) in entries {
                            if !rest.is_empty() {
                                self.record(format!("{ptr}{rest}"), pos);
                            }
                        }
                    }
                    let start = self.log.len();
                    self.finish(&ptr, 0, start);
                }
            }
            Event::MappingStart(anchor, _) => {
                let item = matches!(self.stack.last(), Some(Frame::Seq { .. }));
                let ptr = self.node_pointer(mark, None).unwrap_or_default();
                let start = self.log.len();
                self.stack.push(Frame::Map { ptr, key: None, anchor, start, keys: HashSet::new(), item });
            }
            Event::SequenceStart(anchor, _) => {
                let ptr = self.node_pointer(mark, None).unwrap_or_default();
                let start = self.log.len();
                self.stack.push(Frame::Seq { ptr, index: 0, anchor, start });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                if let Some(Frame::Map { ptr, anchor, start, .. } | Frame::Seq { ptr, anchor, start, .. }) =
                    self.stack.pop()
                {
                    self.finish(&ptr, anchor, start);
                }
            }
            Event::DocumentEnd => self.done = true,
            _ => {}
        }
    }
}

/// Maps pointers of the working document to files and positions.
///
/// The working document starts as the spec; overlay actions graft values
/// from the overlay file at some pointers, and those pointers then map into
/// the overlay file.
#[derive(Debug, Clone)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    /// (pointer prefix in the document, file index, pointer prefix in that file); later wins.
    origins: Vec<(String, usize, String)>,
}

impl SourceMap {
    /// A map whose document is `spec`.
    pub fn new(spec: SourceFile) -> Self {
        SourceMap { files: vec![spec], origins: vec![(String::new(), 0, String::new())] }
    }

    /// Registers another file (an overlay) and returns its index.
    pub fn add_file(&mut self, f: SourceFile) -> usize {
        self.files.push(f);
        self.files.len() - 1
    }

    /// The file at `index`.
    pub fn file(&self, index: usize) -> &SourceFile {
        &self.files[index]
    }

    /// Records that the document's `doc_ptr` now holds the value at `file_ptr` of file `file`.
    pub fn graft(&mut self, doc_ptr: &str, file: usize, file_ptr: &str) {
        self.origins.push((doc_ptr.to_string(), file, file_ptr.to_string()));
    }

    /// Where a document pointer comes from: the file index and the pointer in that file.
    pub fn origin(&self, ptr: &str) -> (usize, String) {
        let found = self.origins.iter().rev().find(|(prefix, _, _)| pointer::is_prefix(prefix, ptr));
        let (prefix, file, file_prefix) = found.map(|(a, b, c)| (a.as_str(), *b, c.as_str())).unwrap_or(("", 0, ""));
        (file, format!("{}{}", file_prefix, &ptr[prefix.len()..]))
    }

    /// Records that the node now at `to` was written at `from` of the working
    /// document (normalization moved it): `to` and below locate where `from` does.
    pub fn moved(&mut self, to: &str, from: &str) {
        let (file, file_ptr) = self.origin(from);
        self.graft(to, file, &file_ptr);
    }

    /// Locates a document pointer.
    pub fn locate(&self, ptr: &str) -> Location {
        let (file, in_file) = self.origin(ptr);
        let f = &self.files[file];
        let pos = f.position(&in_file);
        Location { file: f.name.clone(), line: pos.line, column: pos.column }
    }

    /// Locates a pointer inside a specific file (not the working document).
    pub fn locate_in(&self, file: usize, ptr: &str) -> Location {
        let f = &self.files[file];
        let pos = f.position(ptr);
        Location { file: f.name.clone(), line: pos.line, column: pos.column }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Integers beyond 64 bits are read as the nearest float, in YAML as in
    /// JSON, never as a syntax error (OpenAI's spec has `minimum: -9223372036854776000`).
    #[test]
    fn numbers_beyond_64_bits_are_the_nearest_float() {
        let yaml = "a: -9223372036854776000\nb: 18446744073709551616\nd: 170141183460469231731687303715884105728000\n";
        let y = SourceFile::parse("a.yml", yaml).expect("valid YAML");
        assert_eq!(y.value["a"].as_f64(), Some(-9.223372036854776e18));
        assert_eq!(y.value["a"].as_i64(), None, "a float, not a wrapped integer");
        assert_eq!(y.value["b"].as_f64(), Some(18446744073709551616.0));
        assert_eq!(y.value["d"].as_f64(), Some(1.7014118346046923e41));
        assert_eq!(y.positions.get("/a"), Some(&Pos { line: 1, column: 1 }));
        let json = r#"{"a": -9223372036854776000, "b": 18446744073709551616, "d": 170141183460469231731687303715884105728000}"#;
        let j = SourceFile::parse("a.json", json).expect("valid JSON");
        for k in ["a", "b", "d"] {
            assert_eq!(j.value[k], y.value[k], "{k}: JSON and YAML agree");
        }
        // Within 64 bits, integers stay exact.
        let small = SourceFile::parse("a.yml", "a: -9223372036854775808\nb: 18446744073709551615\n").expect("valid");
        assert_eq!(small.value["a"].as_i64(), Some(i64::MIN));
        assert_eq!(small.value["b"].as_u64(), Some(u64::MAX));
    }

    /// A final `-` without a newline is an empty item that yaml-rust2 marks on
    /// the line after the last; it is located at the end of the last line.
    #[test]
    fn a_final_empty_item_is_on_the_last_line() {
        let f = SourceFile::parse("a.yml", "a:\n  - x\n  -").expect("valid YAML");
        assert_eq!(f.value, serde_json::json!({"a": ["x", null]}));
        assert_eq!(f.position("/a/1"), Pos { line: 3, column: 4 });
        assert_eq!(f.position("/a/0"), Pos { line: 2, column: 5 });
    }
}
