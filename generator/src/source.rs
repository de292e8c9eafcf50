//! Loading YAML and JSON into `serde_json::Value`, with a map from every
//! JSON pointer back to the line and column it came from.
//!
//! YAML is read once: yaml-rust2's marked event stream gives both the values
//! (scalars resolved as serde_yaml resolves them, aliases expanded) and the
//! locations (aliased nodes are located at their anchor's definition). A
//! document that this one pass cannot be sure to read as serde_yaml would
//! (merge keys, tags, directives, more than one document, syntax errors,
//! duplicate keys, alias or nesting limits, and what yaml-rust2 accepts but
//! libyaml refuses or reads otherwise: tabs, control characters, byte order
//! marks, keys that are not on one line before their `: `, scalars starting
//! with an indicator, odd or redefined anchor names, blank block scalars) is
//! read the original way instead,
//! in two passes: values from serde_yaml (`<<` merge keys applied), locations
//! from yaml-rust2; its diagnostics are therefore serde_yaml's. JSON values
//! come from serde_json, locations from a scan of the JSON text that marks
//! each node where yaml-rust2 would (tests compare the two).

use std::collections::BTreeMap;
use std::path::Path;

// foldhash: a fast non-cryptographic hasher; these maps are keyed by pointers into the spec.
use foldhash::{HashMap, HashSet, HashSetExt};

use serde_json::{Map, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

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
        match SourceFile::parse_one_pass(name, text) {
            Some(file) => Ok(file),
            None => SourceFile::parse_two_pass(name, text),
        }
    }

    /// Reads YAML text in one pass; `None` for JSON and for what
    /// [`SourceFile::parse`] leaves to [`SourceFile::parse_two_pass`].
    #[doc(hidden)]
    pub fn parse_one_pass(name: &str, text: &str) -> Option<SourceFile> {
        if is_json(text) {
            return None;
        }
        let (value, positions) = read_yaml_once(text)?;
        Some(SourceFile { name: name.to_string(), value, positions })
    }

    /// Parses text in two passes: values from serde_yaml (locations from
    /// yaml-rust2) or serde_json (locations from [`index_json`]).
    /// [`SourceFile::parse`] falls back to it for what the one-pass reader
    /// leaves, JSON included; tests compare the two.
    #[doc(hidden)]
    pub fn parse_two_pass(name: &str, text: &str) -> Result<SourceFile, Diagnostic> {
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
        let (value, (positions, duplicate)) = if is_json(text) {
            let value = serde_json::from_str::<Value>(text).map_err(|e| {
                syntax(e.line(), e.column(), format!("invalid JSON: {e}"), "fix the JSON syntax at this position")
            })?;
            (value, index_json(text, end))
        } else {
            let (positions, duplicate) = index_positions(text, end);
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
            (yaml_to_json(y), (positions, duplicate))
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

/// Whether `text` is read as JSON: it starts with `{` or `[` (after
/// whitespace). Such text is also YAML, but serde_json reads its values.
fn is_json(text: &str) -> bool {
    let trimmed = text.trim_start();
    trimmed.starts_with('{') || trimmed.starts_with('[')
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
        // Bytes, not a `split`: counting newlines this way vectorizes (18 M
        // instructions on openai.yaml's 3 MB went to the split).
        let lines = text.bytes().filter(|&b| b == b'\n').count() + 1;
        End { lines, last_len: text.rsplit('\n').next().unwrap_or("").chars().count() }
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

/// Locations in JSON text that serde_json has read: the events yaml-rust2
/// gives for it (a flow mapping or sequence per object or array, a scalar per
/// string, number or literal), each marked where yaml-rust2 marks it, found by
/// one scan of the bytes and fed to the same [`Indexer`]. yaml-rust2's own
/// scanner, character by character, took about five times the instructions of
/// serde_json's whole parse (11 of 14 M on the 83 KB `twilio_accounts_v1.json`).
fn index_json(text: &str, end: End) -> (HashMap<String, Pos>, Duplicate) {
    let mut rec = Indexer { end, ..Indexer::default() };
    let bytes = text.as_bytes();
    // Lines as yaml-rust2 counts them (`\r\n`, `\r` or `\n` ends one); columns
    // in characters, counted up to each token from the last one on its line
    // (linear even when the whole document is one line).
    let (mut line, mut col, mut counted_to) = (1, 0, 0);
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let mut at = |i: usize| {
            col += bytes[counted_to..i].iter().filter(|&&b| b & 0xC0 != 0x80).count();
            counted_to = i;
            end.clamp(line, col + 1)
        };
        match b {
            b'\n' | b'\r' => {
                i += if b == b'\r' && bytes.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
                (line, col, counted_to) = (line + 1, 0, i);
            }
            b'{' => {
                rec.event_at(&Event::MappingStart(0, None), at(i));
                i += 1;
            }
            b'[' => {
                rec.event_at(&Event::SequenceStart(0, None), at(i));
                i += 1;
            }
            b'}' => {
                rec.event_at(&Event::MappingEnd, Pos::default());
                i += 1;
            }
            b']' => {
                rec.event_at(&Event::SequenceEnd, Pos::default());
                i += 1;
            }
            b'"' => {
                let start = i;
                let mut escaped = false;
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    match c {
                        b'"' => break,
                        b'\\' => {
                            escaped = true;
                            i += 2;
                        }
                        _ => i += 1,
                    }
                }
                i += 1;
                // Only a key's text is used: it names the member.
                let key = if !rec.expects_key() {
                    String::new()
                } else if escaped {
                    // Decoded as serde_json decoded it (it has read this string).
                    serde_json::from_str(text.get(start..i).unwrap_or_default()).unwrap_or_default()
                } else {
                    text.get(start + 1..i - 1).unwrap_or_default().to_owned()
                };
                let pos = at(start);
                rec.event_at(&Event::Scalar(key, TScalarStyle::DoubleQuoted, 0, None), pos);
            }
            b' ' | b'\t' | b',' | b':' => i += 1,
            _ => {
                // A number, `true`, `false` or `null`.
                let pos = at(i);
                while bytes.get(i).is_some_and(|c| !b" \t\r\n,:]}".contains(c)) {
                    i += 1;
                }
                rec.event_at(&Event::Scalar(String::new(), TScalarStyle::Plain, 0, None), pos);
            }
        }
    }
    rec.positions.entry(String::new()).or_insert(Pos { line: 1, column: 1 });
    (rec.positions, rec.duplicate)
}

enum Frame {
    /// `value`: the pointer of the value whose key was just read (the next
    /// node is that value); `keys`: the keys seen, to find duplicates.
    Map {
        ptr: String,
        value: Option<String>,
        anchor: usize,
        start: usize,
        keys: HashSet<String>,
        item: bool,
    },
    Seq {
        ptr: String,
        index: usize,
        anchor: usize,
        start: usize,
    },
}

#[derive(Default)]
struct Indexer {
    stack: Vec<Frame>,
    positions: HashMap<String, Pos>,
    /// Every (pointer, pos) recorded, in order, while an anchored node is
    /// open, so anchored subtrees can be replayed.
    log: Vec<(String, Pos)>,
    /// Anchored mappings and sequences now open (the log is kept only then).
    anchored_open: usize,
    /// An alias was past the budget: its nodes were not located one by one.
    over_budget: bool,
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
        if self.anchored_open > 0 {
            self.log.push((ptr.clone(), pos));
        }
        self.positions.entry(ptr).or_insert(pos);
    }

    /// Pointer of the node starting now, at `pos`, or None if it is a mapping key.
    fn node_pointer(&mut self, pos: Pos, key_text: Option<&str>) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Map { ptr, value, keys, item, .. }) => match value.take() {
                None => {
                    let k = key_text.unwrap_or("");
                    let child = pointer::join(ptr, k);
                    if keys.is_empty() && *item {
                        // A block mapping that is a list item: yaml-rust2 marks it at its first
                        // key's `:`; the item really starts at the key.
                        self.positions.insert(ptr.clone(), pos);
                    }
                    if !keys.insert(k.to_owned()) && self.duplicate.is_none() {
                        self.duplicate = Some((k.to_owned(), pos));
                    }
                    // The value's pointer, handed out when its node starts.
                    *value = Some(child.clone());
                    self.record(child, pos);
                    None
                }
                Some(child) => Some(child),
            },
            Some(Frame::Seq { ptr, index, .. }) => {
                let mut child = ptr.clone();
                pointer::push_index(&mut child, *index);
                *index += 1;
                self.record(child.clone(), pos);
                Some(child)
            }
        }
    }

    /// A node ends; `container` if it is a mapping or a sequence (which opened the log).
    fn finish(&mut self, ptr: &str, anchor: usize, start: usize, container: bool) {
        if anchor > 0 {
            let entries = self.log[start..]
                .iter()
                .filter_map(|(p, pos)| p.strip_prefix(ptr).map(|rest| (rest.to_string(), *pos)))
                .collect();
            self.anchors.insert(anchor, (ptr.to_string(), entries));
            if container {
                self.anchored_open -= 1;
                if self.anchored_open == 0 {
                    self.log.clear();
                }
            }
        }
        // After a value completes in a mapping, the next scalar is a key again.
        if let Some(Frame::Map { value, .. }) = self.stack.last_mut() {
            *value = None;
        }
    }
}

impl MarkedEventReceiver for Indexer {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        self.event(&ev, mark);
    }
}

impl Indexer {
    fn event(&mut self, ev: &Event, mark: Marker) {
        self.event_at(ev, self.end.clamp(mark.line(), mark.col() + 1));
    }

    /// Whether the next scalar is a mapping key (its text names a member).
    fn expects_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { value: None, .. }))
    }

    /// An event whose node (if it starts one) starts at `pos`.
    fn event_at(&mut self, ev: &Event, pos: Pos) {
        if self.done {
            return;
        }
        match *ev {
            Event::Scalar(ref text, _, anchor, _) => {
                if let Some(ptr) = self.node_pointer(pos, Some(text)) {
                    let start = self.log.len();
                    self.finish(&ptr, anchor, start, false);
                }
            }
            Event::Alias(id) => {
                if let Some(ptr) = self.node_pointer(pos, None) {
                    // Replaying an anchor copies its entries; nested aliases ("billion laughs")
                    // would grow the index exponentially. Past the budget, nodes inside an alias
                    // are located at the alias itself (the value parser rejects such documents).
                    let fits = self.anchors.get(&id).is_some_and(|(_, e)| e.len() <= self.budget);
                    self.over_budget |= !fits;
                    if let Some((_, entries)) = self.anchors.get(&id).filter(|_| fits).cloned() {
                        self.budget -= entries.len();
                        for (rest, pos) in entries {
                            if !rest.is_empty() {
                                self.record(format!("{ptr}{rest}"), pos);
                            }
                        }
                    }
                    let start = self.log.len();
                    self.finish(&ptr, 0, start, false);
                }
            }
            Event::MappingStart(anchor, _) => {
                let item = matches!(self.stack.last(), Some(Frame::Seq { .. }));
                let ptr = self.node_pointer(pos, None).unwrap_or_default();
                self.anchored_open += usize::from(anchor > 0);
                let start = self.log.len();
                self.stack.push(Frame::Map { ptr, value: None, anchor, start, keys: HashSet::new(), item });
            }
            Event::SequenceStart(anchor, _) => {
                let ptr = self.node_pointer(pos, None).unwrap_or_default();
                self.anchored_open += usize::from(anchor > 0);
                let start = self.log.len();
                self.stack.push(Frame::Seq { ptr, index: 0, anchor, start });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                if let Some(Frame::Map { ptr, anchor, start, .. } | Frame::Seq { ptr, anchor, start, .. }) =
                    self.stack.pop()
                {
                    self.finish(&ptr, anchor, start, true);
                }
            }
            Event::DocumentEnd => self.done = true,
            _ => {}
        }
    }
}

/// Containers nested deeper than this are left to serde_yaml, whose limit
/// (128) then reports them as it always has.
const MAX_NESTING: usize = 120;

/// Reads a YAML document in one pass over yaml-rust2's marked events: the
/// value (as serde_yaml reads it, see [`Yaml`]) and the location index (as
/// [`index_positions`] builds it, from the same [`Indexer`]). `None` when
/// the document may read differently through serde_yaml, or is invalid:
/// the caller then reads it in two passes, as before.
fn read_yaml_once(text: &str) -> Option<(Value, HashMap<String, Pos>)> {
    // Directives: the two parsers accept different YAML versions and tag handles.
    if text.starts_with('%') || text.contains("\n%") {
        return None;
    }
    // Document end markers, byte order marks, tabs and characters libyaml refuses
    // ("control characters are not allowed"), which yaml-rust2 reads its own way.
    if text.contains("\n...") || text.starts_with("...") || !text.chars().all(readable) {
        return None;
    }
    let end = End::of(text);
    let mut index = Indexer { budget: text.len().saturating_mul(8).max(10_000), end, ..Indexer::default() };
    let mut values = Builder { lines: Lines::of(text), ..Builder::default() };
    let mut documents = 0;
    // One event: `Some(true)` at the end of the stream, `None` to give up.
    let mut take = |ev: Event, mark: Marker| -> Option<bool> {
        match ev {
            Event::StreamEnd => return Some(true),
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    return None;
                }
            }
            _ => {}
        }
        index.event(&ev, mark);
        if index.over_budget || index.duplicate.is_some() {
            return None;
        }
        values.event(ev, mark)?;
        Some(false)
    };
    if text.len() >= PIPELINE_MIN_BYTES && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1) {
        pipelined(text, &mut take)?;
    } else {
        let mut parser = Parser::new_from_str(text);
        loop {
            let (ev, mark) = parser.next_token().ok()?;
            if take(ev, mark)? {
                break;
            }
        }
    }
    let value = values.finish()?;
    index.positions.entry(String::new()).or_insert(Pos { line: 1, column: 1 });
    Some((value, index.positions))
}

/// From this size on, yaml-rust2 parses on a thread of its own while the
/// calling thread takes its events (the two halves cost about the same: on
/// openai.yaml, 350 M instructions each). Below it, a thread is not worth its
/// start, which can take a few milliseconds on a virtual machine.
const PIPELINE_MIN_BYTES: usize = 256 * 1024;

/// Events passed from the parsing thread at a time.
const EVENT_BATCH: usize = 4096;

/// Parses `text` on a second thread and gives its events, in order, to
/// `take` until it returns `Some(true)`; `None` when the parser fails or
/// `take` gives up (the parsing thread then stops at its next batch).
fn pipelined(text: &str, take: &mut impl FnMut(Event, Marker) -> Option<bool>) -> Option<()> {
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Option<Vec<(Event, Marker)>>>(4);
        s.spawn(move || {
            let mut parser = Parser::new_from_str(text);
            let mut batch = Vec::with_capacity(EVENT_BATCH);
            loop {
                let Ok((ev, mark)) = parser.next_token() else {
                    let _ = tx.send(None);
                    return;
                };
                let last = matches!(ev, Event::StreamEnd);
                batch.push((ev, mark));
                if last || batch.len() == EVENT_BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(EVENT_BATCH));
                    // A closed channel: the taker gave up.
                    if tx.send(Some(full)).is_err() || last {
                        return;
                    }
                }
            }
        });
        for batch in rx {
            for (ev, mark) in batch? {
                if take(ev, mark)? {
                    return Some(());
                }
            }
        }
        // The parser stopped without the end of the stream (it cannot): give up.
        None
    })
}

/// Builds the `serde_json::Value` of a document from its events.
#[derive(Default)]
struct Builder<'a> {
    lines: Lines<'a>,
    stack: Vec<Open>,
    root: Option<Value>,
    /// Anchored nodes by yaml-rust2's anchor id.
    anchors: HashMap<usize, Anchored>,
    /// Node events seen (a lower bound of libyaml's events for the document).
    nodes: usize,
    /// Alias dereferences serde_yaml would make, nested ones included.
    jumps: usize,
    /// The last scalar was a block scalar (`|`, `>`).
    block_scalar_last: bool,
    /// ... and it was blank (only line breaks).
    blank_block_last: bool,
    /// The document has anchors or aliases.
    anchored: bool,
    /// The line of the previous event.
    prev_line: usize,
}

struct Anchored {
    value: Value,
    /// Nesting of containers inside the value.
    height: usize,
    /// Alias dereferences that reading the value again makes.
    jumps: usize,
}

enum Open {
    Map { map: Map<String, Value>, key: Option<String>, anchor: usize, jumps: usize, flow: bool },
    Seq { items: Vec<Value>, anchor: usize, jumps: usize, flow: bool },
}

impl Builder<'_> {
    /// True inside a flow collection (`{..}`, `[..]`).
    fn in_flow(&self) -> bool {
        matches!(self.stack.last(), Some(Open::Map { flow: true, .. } | Open::Seq { flow: true, .. }))
    }

    /// True if the next node is a mapping key.
    fn at_key(&self) -> bool {
        matches!(self.stack.last(), Some(Open::Map { key: None, .. }))
    }

    /// Takes one event; `None` to give the document up to the two-pass path.
    fn event(&mut self, ev: Event, mark: Marker) -> Option<()> {
        let read = self.read(ev, mark);
        self.prev_line = mark.line();
        read
    }

    fn read(&mut self, ev: Event, mark: Marker) -> Option<()> {
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                // Block scalars in a flow collection: libyaml refuses them. Blank ones
                // (only line breaks) are kept by yaml-rust2 where libyaml drops them,
                // unless they are `key: |+` (keep).
                let block = matches!(style, TScalarStyle::Literal | TScalarStyle::Folded);
                let blank = !text.is_empty() && text.bytes().all(|c| c == b'\n');
                let keep = || {
                    let line = self.lines.rest(self.prev_line, 0).unwrap_or("").trim_end();
                    line.ends_with(": |+") || line.ends_with(": >+")
                };
                if tag.is_some() || (block && (self.in_flow() || (blank && !keep()))) {
                    return None;
                }
                self.nodes += 1;
                self.block_scalar_last = block;
                self.blank_block_last = block && blank;
                if self.at_key() {
                    // yaml-rust2 also reads keys that libyaml refuses: empty ones (`: x`),
                    // ones that span lines or are not followed by `: ` on their line.
                    if anchor > 0 || !self.lines.simple_key(mark, &text, style, self.in_flow()) {
                        return None;
                    }
                    let key = key_string(text, style)?;
                    if let Some(Open::Map { key: k, .. }) = self.stack.last_mut() {
                        *k = Some(key);
                    }
                    return Some(());
                }
                let v = if style == TScalarStyle::Plain { plain_scalar(text)? } else { Value::String(text) };
                if anchor > 0 {
                    self.anchors.insert(anchor, Anchored { value: v.clone(), height: 0, jumps: 0 });
                }
                self.attach(v)
            }
            Event::Alias(id) => {
                if self.at_key() {
                    return None;
                }
                self.nodes += 1;
                self.anchored = true;
                let a = self.anchors.get(&id)?;
                if self.stack.len() + a.height > MAX_NESTING {
                    return None;
                }
                let (v, cost) = (a.value.clone(), 1 + a.jumps);
                self.jumps += cost;
                if let Some(Open::Map { jumps, .. } | Open::Seq { jumps, .. }) = self.stack.last_mut() {
                    *jumps += cost;
                }
                self.attach(v)
            }
            Event::MappingStart(anchor, ref tag) | Event::SequenceStart(anchor, ref tag) => {
                if tag.is_some() || self.at_key() || self.stack.len() >= MAX_NESTING {
                    return None;
                }
                self.nodes += 1;
                let flow = self.lines.char_at(mark).is_some_and(|c| c == '{' || c == '[');
                self.stack.push(if matches!(ev, Event::MappingStart(..)) {
                    Open::Map { map: Map::new(), key: None, anchor, jumps: 0, flow }
                } else {
                    Open::Seq { items: Vec::new(), anchor, jumps: 0, flow }
                });
                Some(())
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let (v, anchor, jumps) = match self.stack.pop()? {
                    Open::Map { map, key: None, anchor, jumps, .. } => (Value::Object(map), anchor, jumps),
                    Open::Seq { items, anchor, jumps, .. } => (Value::Array(items), anchor, jumps),
                    Open::Map { key: Some(_), .. } => return None,
                };
                if anchor > 0 {
                    let height = height(&v);
                    self.anchors.insert(anchor, Anchored { value: v.clone(), height, jumps });
                }
                if let Some(Open::Map { jumps: j, .. } | Open::Seq { jumps: j, .. }) = self.stack.last_mut() {
                    *j += jumps;
                }
                self.attach(v)
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentStart | Event::DocumentEnd => {
                Some(())
            }
        }
    }

    /// Places a finished node in its parent.
    fn attach(&mut self, v: Value) -> Option<()> {
        match self.stack.last_mut() {
            None if self.root.is_none() => self.root = Some(v),
            None => return None,
            Some(Open::Map { map, key, .. }) => {
                if map.insert(key.take()?, v).is_some() {
                    // Two keys that read as the same string: serde_yaml decides.
                    return None;
                }
            }
            Some(Open::Seq { items, .. }) => items.push(v),
        }
        Some(())
    }

    /// The document's value, if serde_yaml would read the same.
    fn finish(self) -> Option<Value> {
        // serde_yaml refuses more than 100 dereferences per event of the document.
        if !self.stack.is_empty() || self.jumps > self.nodes.saturating_mul(100) {
            return None;
        }
        // A block scalar that ends the text without a line break, or a blank one
        // that ends the text: yaml-rust2 adds a line break, libyaml does not.
        if self.block_scalar_last && (!self.lines.text.ends_with('\n') || self.blank_block_last) {
            return None;
        }
        // libyaml's anchor names are letters, digits, `_` and `-`; yaml-rust2 takes more.
        if (self.anchored || !self.anchors.is_empty()) && !anchor_names_are_simple(self.lines.text) {
            return None;
        }
        // A spec is a mapping; a lone scalar (or a list) is left to serde_yaml.
        self.root.filter(Value::is_object)
    }
}

/// Whether every `&name` and `*name` that starts a token has a name that
/// libyaml takes, and no anchor name is defined twice (serde_yaml and
/// yaml-rust2 resolve an alias of a redefined anchor differently). It errs
/// on the safe side: `**bold**` or `&amp` in a text count.
fn anchor_names_are_simple(text: &str) -> bool {
    let b = text.as_bytes();
    let mut defined = HashSet::new();
    b.iter().enumerate().all(|(i, &c)| {
        let starts_token = i == 0 || matches!(b[i - 1], b' ' | b'\n' | b'\r' | b'[' | b'{' | b',');
        if !(c == b'&' || c == b'*') || !starts_token {
            return true;
        }
        let rest = &b[i + 1..];
        let name = &rest
            [..rest.iter().position(|c| matches!(c, b' ' | b'\n' | b'\r' | b',' | b']' | b'}')).unwrap_or(rest.len())];
        if name.is_empty() {
            // `&` or `*` alone (then a blank) is not an anchor or an alias.
            return rest.first().is_none_or(|c| matches!(c, b' ' | b'\n' | b'\r'));
        }
        name.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-'))
            && (c == b'*' || defined.insert(name))
    })
}

/// A character libyaml reads (its reader's check), except the byte order mark
/// and tabs (which the two parsers accept in different places).
fn readable(c: char) -> bool {
    matches!(c, '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fefe}' | '\u{ff00}'..='\u{fffd}' | '\u{10000}'..)
}

/// The text by lines, to look at what yaml-rust2's marks point to.
#[derive(Default)]
struct Lines<'a> {
    text: &'a str,
    /// Byte offset where each line starts.
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn of(text: &'a str) -> Self {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Lines { text, starts }
    }

    /// The rest of a line (1-based) from a column (0-based, in characters), as in a mark.
    fn rest(&self, line: usize, column: usize) -> Option<&'a str> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        let end = self.starts.get(line).map_or(self.text.len(), |e| e - 1);
        let line = &self.text[start..end];
        let at = line.char_indices().nth(column).map_or(line.len(), |(i, _)| i);
        Some(&line[at..])
    }

    fn char_at(&self, mark: Marker) -> Option<char> {
        self.rest(mark.line(), mark.col())?.chars().next()
    }

    /// Whether a key starting at `mark` is what libyaml calls a simple key: on
    /// one line, at most 1024 characters to its `:`, which ends it (followed by
    /// a blank unless the key is quoted and in a flow collection).
    fn simple_key(&self, mark: Marker, key: &str, style: TScalarStyle, flow: bool) -> bool {
        let Some(rest) = self.rest(mark.line(), mark.col()) else { return false };
        let after = match style {
            TScalarStyle::Plain if !key.is_empty() => rest.strip_prefix(key),
            TScalarStyle::SingleQuoted => closing_quote(rest, '\''),
            TScalarStyle::DoubleQuoted => closing_quote(rest, '"'),
            _ => None,
        };
        let Some(after) = after else { return false };
        let after = after.trim_start_matches([' ', '\t']);
        let Some(value) = after.strip_prefix(':') else { return false };
        let blank = value.is_empty() || value.starts_with([' ', '\t', '\r']);
        rest.len() - value.len() <= 1024 && (blank || (flow && style != TScalarStyle::Plain))
    }
}

/// The text after a quoted scalar that starts `s`, if it ends on this line.
fn closing_quote(s: &str, quote: char) -> Option<&str> {
    let mut chars = s.strip_prefix(quote)?.char_indices().peekable();
    let body = &s[quote.len_utf8()..];
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if quote == '"' => {
                chars.next();
            }
            '\'' if quote == '\'' && chars.peek().is_some_and(|(_, n)| *n == '\'') => {
                chars.next();
            }
            c if c == quote => return Some(&body[i + c.len_utf8()..]),
            _ => {}
        }
    }
    None
}

/// Nesting of mappings and sequences in `v` (0 for a scalar).
fn height(v: &Value) -> usize {
    match v {
        Value::Array(items) => 1 + items.iter().map(height).max().unwrap_or(0),
        Value::Object(m) => 1 + m.values().map(height).max().unwrap_or(0),
        _ => 0,
    }
}

/// A mapping key as [`yaml_key`] turns serde_yaml's key into a string;
/// `None` for a merge key (`<<`) and for a float, which serde_yaml prints its own way.
fn key_string(text: String, style: TScalarStyle) -> Option<String> {
    if text == "<<" {
        return None;
    }
    if style != TScalarStyle::Plain {
        return Some(text);
    }
    match plain_scalar(text)? {
        Value::String(s) => Some(s),
        Value::Null => Some("null".to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        _ => None,
    }
}

// A plain (unquoted, untagged) scalar resolved as serde_yaml 0.9 resolves it
// (`visit_untagged_scalar` and the functions it calls in its `de.rs`, copied
// below because serde_yaml does not export them), then turned into JSON as
// [`Yaml`] and [`yaml_to_json`] turn it: integers beyond 64 bits and floats
// become floats, infinities and NaN become null.
//
// `None` for a plain scalar that starts with an indicator (`?`, `:`, `>`..):
// in a flow collection yaml-rust2 reads some of them as a scalar, libyaml as
// an indicator or an error.
fn plain_scalar(v: String) -> Option<Value> {
    if v.is_empty() || matches!(v.as_str(), "null" | "Null" | "NULL" | "~") {
        return Some(Value::Null);
    }
    if v.starts_with(['?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`']) {
        return None;
    }
    match v.as_str() {
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        _ => {}
    }
    if let Some(u) = parse_unsigned_int(&v, u64::from_str_radix) {
        return Some(Value::from(u));
    }
    if let Some(i) = parse_negative_int(&v, i64::from_str_radix) {
        return Some(Value::from(i));
    }
    let float = |f: f64| Some(serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null));
    if let Some(u) = parse_unsigned_int(&v, u128::from_str_radix) {
        return float(u as f64);
    }
    if let Some(i) = parse_negative_int(&v, i128::from_str_radix) {
        return float(i as f64);
    }
    if !digits_but_not_number(&v) {
        if let Some(f) = parse_f64(&v) {
            return float(f);
        }
    }
    Some(Value::String(v))
}

type Radix<T> = fn(&str, u32) -> Result<T, std::num::ParseIntError>;

fn parse_unsigned_int<T>(scalar: &str, from_str_radix: Radix<T>) -> Option<T> {
    let unpositive = scalar.strip_prefix('+').unwrap_or(scalar);
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = unpositive.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(int) = from_str_radix(rest, radix) {
                return Some(int);
            }
        }
    }
    if unpositive.starts_with(['+', '-']) || digits_but_not_number(scalar) {
        return None;
    }
    from_str_radix(unpositive, 10).ok()
}

fn parse_negative_int<T>(scalar: &str, from_str_radix: Radix<T>) -> Option<T> {
    for (prefix, radix) in [("-0x", 16), ("-0o", 8), ("-0b", 2)] {
        if let Some(rest) = scalar.strip_prefix(prefix) {
            if let Ok(int) = from_str_radix(&format!("-{rest}"), radix) {
                return Some(int);
            }
        }
    }
    if digits_but_not_number(scalar) {
        return None;
    }
    from_str_radix(scalar, 10).ok()
}

fn parse_f64(scalar: &str) -> Option<f64> {
    let unpositive = if let Some(unpositive) = scalar.strip_prefix('+') {
        if unpositive.starts_with(['+', '-']) {
            return None;
        }
        unpositive
    } else {
        scalar
    };
    if let ".inf" | ".Inf" | ".INF" = unpositive {
        return Some(f64::INFINITY);
    }
    if let "-.inf" | "-.Inf" | "-.INF" = scalar {
        return Some(f64::NEG_INFINITY);
    }
    if let ".nan" | ".NaN" | ".NAN" = scalar {
        return Some(f64::NAN);
    }
    unpositive.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Leading zeros followed by digits: a string in YAML 1.2.
fn digits_but_not_number(scalar: &str) -> bool {
    let scalar = scalar.strip_prefix(['-', '+']).unwrap_or(scalar);
    scalar.len() > 1 && scalar.starts_with('0') && scalar[1..].bytes().all(|b| b.is_ascii_digit())
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

    /// What `index_positions` (yaml-rust2's scanner) locates in `text`, or
    /// `None` when yaml-rust2 does not read all of it (its index is then partial).
    fn yaml_index(text: &str) -> Option<(HashMap<String, Pos>, Duplicate)> {
        let mut sink = Indexer::default();
        Parser::new_from_str(text).load(&mut sink, false).ok()?;
        Some(index_positions(text, End::of(text)))
    }

    /// `index_json` locates every node of `text` where yaml-rust2 does.
    fn assert_json_index_is_yaml_rust2s(name: &str, text: &str) {
        serde_json::from_str::<Value>(text).unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
        let json = index_json(text, End::of(text));
        let Some(yaml) = yaml_index(text) else { panic!("{name}: yaml-rust2 does not read it") };
        if json != yaml {
            let diff: Vec<String> = yaml
                .0
                .iter()
                .filter(|(k, v)| json.0.get(*k) != Some(v))
                .map(|(k, v)| format!("{k}: yaml-rust2 {v:?}, index_json {:?}", json.0.get(k)))
                .chain(json.0.keys().filter(|k| !yaml.0.contains_key(*k)).map(|k| format!("{k}: only index_json")))
                .take(10)
                .collect();
            panic!("{name}: locations differ (duplicates {:?} / {:?}):\n{}", yaml.1, json.1, diff.join("\n"));
        }
    }

    /// The JSON files of the repository, as they are, on one line, and
    /// pretty-printed with `\r\n` or `\r` line ends.
    #[test]
    fn json_is_located_where_yaml_rust2_locates_it() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = 0;
        for dir in ["tests/corpus", "tests/broken-specs"] {
            for entry in std::fs::read_dir(root.join(dir)).expect("read_dir") {
                let path = entry.expect("entry").path();
                if path.extension().is_none_or(|e| e != "json") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("read");
                if serde_json::from_str::<Value>(&text).is_err() {
                    continue;
                }
                files += 1;
                let name = path.display().to_string();
                assert_json_index_is_yaml_rust2s(&name, &text);
                let value: Value = serde_json::from_str(&text).expect("JSON");
                let compact = serde_json::to_string(&value).expect("serialize");
                assert_json_index_is_yaml_rust2s(&format!("{name} (one line)"), &compact);
                let pretty = serde_json::to_string_pretty(&value).expect("serialize");
                assert_json_index_is_yaml_rust2s(&format!("{name} (CRLF)"), &pretty.replace('\n', "\r\n"));
                assert_json_index_is_yaml_rust2s(&format!("{name} (CR)"), &pretty.replace('\n', "\r"));
            }
        }
        assert!(files >= 4, "the corpus' Twilio specs and the broken JSON specs: {files}");
    }

    /// Keys with escapes and characters beyond ASCII, objects as array items
    /// (located at their first key), empty containers, duplicate keys.
    #[test]
    fn json_edge_cases_are_located_where_yaml_rust2_locates_them() {
        let cases = [
            r#"{"a": [{"b": 1, "c": [true, null]}, {}, [], "x"], "é\u00e9\"\\/~1": {"d": -1.5e3}}"#,
            "[\n  {\n    \"k\": \"v\"\n  },\n  {\"k\": \"é\", \"l\": 2}\n]",
            r#"{"a": 1, "b": {"c": 2, "c": 3}, "a": 4}"#,
            r#"{"ключ": {"ü": ["ä", {"ö": 0}]}, "": {"": 1}}"#,
            "{}",
            "[]",
        ];
        for text in cases {
            assert_json_index_is_yaml_rust2s(text, text);
        }
        let (positions, duplicate) = index_json(cases[2], End::of(cases[2]));
        assert_eq!(duplicate, Some(("c".to_string(), Pos { line: 1, column: 24 })));
        assert_eq!(positions.get("/b/c"), Some(&Pos { line: 1, column: 16 }), "the first of two equal keys");
        let (positions, _) = index_json(cases[1], End::of(cases[1]));
        assert_eq!(positions.get("/0"), Some(&Pos { line: 3, column: 5 }), "an object item at its first key");
        assert_eq!(positions.get("/1/l"), Some(&Pos { line: 5, column: 14 }), "columns count characters");
    }

    /// Generated JSON: nested objects and arrays, keys with escapes, quotes,
    /// `~` and `/` and characters beyond ASCII, printed on one line or
    /// pretty with `\n`, `\r\n` or `\r` line ends. Every document that
    /// yaml-rust2 reads whole is located as it locates it.
    #[test]
    fn generated_json_is_located_where_yaml_rust2_locates_it() {
        use proptest::prelude::*;
        let key = || proptest::string::string_regex("[a-z~/\"\\\\éжü€ 𝄞\t]{0,6}").expect("regex");
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            (-1e6f64..1e6).prop_map(Value::from),
            key().prop_map(Value::String),
        ];
        let doc = leaf.prop_recursive(4, 40, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((key(), inner), 0..6)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        });
        let compared = std::cell::Cell::new(0u32);
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(256));
        runner
            .run(&(doc, 0..4usize), |(value, style)| {
                let pretty = serde_json::to_string_pretty(&value).expect("serialize");
                let text = match style {
                    0 => serde_json::to_string(&value).expect("serialize"),
                    1 => pretty,
                    2 => pretty.replace('\n', "\r\n"),
                    _ => pretty.replace('\n', "\r"),
                };
                if yaml_index(&text).is_some() {
                    compared.set(compared.get() + 1);
                    assert_json_index_is_yaml_rust2s("generated", &text);
                }
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(compared.get() >= 200, "yaml-rust2 read only {} of 256 documents", compared.get());
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
