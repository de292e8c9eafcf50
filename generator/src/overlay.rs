//! OpenAPI Overlay 1.0: JSONPath-targeted `update` and `remove` actions,
//! applied in order. Targets are RFC 9535 JSONPath, evaluated by the
//! `serde_json_path` crate.

use serde_json::Value;
use serde_json_path::JsonPath;

use crate::diag::{Code, Severity};
use crate::pointer::{self, Member};
use crate::report::Diagnostics;
use crate::source::{SourceFile, SourceMap};

/// Applies one overlay file to `doc`, recording grafted values in `map`.
pub fn apply(doc: &mut Value, mut overlay: SourceFile, map: &mut SourceMap, diags: &mut Diagnostics) {
    // Moved, not copied: the map only locates pointers in the file.
    let ov = std::mem::take(&mut overlay.value);
    let file = map.add_file(overlay);
    let err = |diags: &mut Diagnostics, map: &SourceMap, ptr: &str, msg: String, hint: &str| {
        let loc = map.locate_in(file, ptr);
        diags.push(crate::diag::Diagnostic {
            severity: Severity::Error,
            code: Code::OverlayInvalid,
            message: msg,
            file: loc.file,
            line: loc.line,
            column: loc.column,
            pointer: ptr.to_string(),
            hint: hint.to_string(),
        });
    };
    let Some(obj) = ov.as_object() else {
        err(diags, map, "", "an overlay must be a mapping".into(), "start the file with `overlay: 1.0.0`");
        return;
    };
    match obj.get("overlay").and_then(Value::as_str) {
        Some(v) if v.starts_with("1.") => {}
        Some(v) => err(diags, map, "/overlay", format!("unsupported overlay version `{v}`"), "use `overlay: 1.0.0`"),
        None => err(diags, map, "", "missing `overlay` version field".into(), "add `overlay: 1.0.0`"),
    }
    if !obj.get("info").is_some_and(Value::is_object) {
        err(diags, map, "", "missing `info` object".into(), "add `info: {title: ..., version: ...}`");
    }
    let Some(actions) = obj.get("actions").and_then(Value::as_array) else {
        err(diags, map, "", "missing `actions` list".into(), "add `actions:` with at least one action");
        return;
    };
    for (i, action) in actions.iter().enumerate() {
        let aptr = format!("/actions/{i}");
        let name = action
            .get("description")
            .and_then(Value::as_str)
            .map(|d| format!("action {i} ({})", d.lines().next().unwrap_or("").chars().take(80).collect::<String>()))
            .unwrap_or_else(|| format!("action {i}"));
        let Some(target) = action.get("target").and_then(Value::as_str) else {
            err(diags, map, &aptr, format!("{name} has no string `target`"), "add a JSONPath target such as `$.paths`");
            continue;
        };
        let path = match JsonPath::parse(target) {
            Ok(p) => p,
            Err(e) => {
                let loc = map.locate_in(file, &format!("{aptr}/target"));
                diags.push(crate::diag::Diagnostic {
                    severity: Severity::Error,
                    code: Code::OverlayJsonPath,
                    message: format!("{name}: `{target}` is not a valid RFC 9535 JSONPath: {e}"),
                    file: loc.file,
                    line: loc.line,
                    column: loc.column,
                    pointer: format!("{aptr}/target"),
                    hint: "write the target as RFC 9535 JSONPath, e.g. `$.paths['/pets'].get`".into(),
                });
                continue;
            }
        };
        let remove = action.get("remove").and_then(Value::as_bool).unwrap_or(false);
        let update = action.get("update");
        if !remove && update.is_none() {
            err(
                diags,
                map,
                &aptr,
                format!("{name} has neither `update` nor `remove: true`"),
                "add an `update` value or `remove: true`",
            );
            continue;
        }
        let targets: Vec<String> = match descendants_with(target, doc) {
            Some(found) => found,
            None => path.query_located(doc).locations().map(|l| l.to_json_pointer()).collect(),
        };
        if targets.is_empty() {
            let loc = map.locate_in(file, &format!("{aptr}/target"));
            diags.push(crate::diag::Diagnostic {
                severity: Severity::Warning,
                code: Code::OverlayTargetUnmatched,
                message: format!("{name}: target `{target}` matched nothing"),
                file: loc.file,
                line: loc.line,
                column: loc.column,
                pointer: format!("{aptr}/target"),
                hint: "the spec changed under this repair: check whether it is still needed, then update or delete the action".into(),
            });
            continue;
        }
        if remove {
            // Remove deepest-first and, within an array, highest index first, so earlier removals do not shift later ones.
            let mut targets = targets;
            targets.sort_by(|a, b| pointer_order(b, a));
            for t in targets {
                remove_at(doc, &t);
            }
        } else if let Some(update) = update {
            for t in targets {
                if let Some(node) = pointer::get_ptr_mut(doc, &t) {
                    merge(node, update, &t, &format!("{aptr}/update"), file, map);
                }
            }
        }
    }
}

/// The pointers of `$..[?@['key']=='value']` (also `@.key`, and with double
/// quotes) in `doc`, in the order serde_json_path gives them: every node
/// anywhere whose member `key` is the string `value`. `None` for any other
/// target, which serde_json_path evaluates. That general evaluation copies
/// the path to every node of the document, for each such action (Losant's
/// overlay has 28): a fifth of the whole run.
fn descendants_with(target: &str, doc: &Value) -> Option<Vec<String>> {
    // A quoted string without escapes (RFC 9535 allows them; they fall back).
    fn quoted(s: &str) -> Option<(&str, &str)> {
        let q = s.chars().next().filter(|c| matches!(c, '\'' | '"'))?;
        let end = s[1..].find(q)? + 1;
        let inner = &s[1..end];
        (!inner.contains('\\')).then_some((inner, &s[end + 1..]))
    }
    let filter = target.strip_prefix("$..[?@")?.strip_suffix(']')?;
    let (key, rest) = match filter.strip_prefix('.') {
        Some(name) => {
            let end = name.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(name.len());
            let key = &name[..end];
            if key.is_empty() || key.starts_with(|c: char| c.is_ascii_digit()) {
                return None;
            }
            (key, &name[end..])
        }
        None => {
            let (key, rest) = quoted(filter.strip_prefix('[')?)?;
            (key, rest.strip_prefix(']')?)
        }
    };
    let (value, rest) = quoted(rest.strip_prefix("==")?)?;
    if !rest.is_empty() {
        return None;
    }
    // The filter on a node's children, then each child's descendants, in
    // order. The path is kept as tokens; a pointer is written only for a match.
    use pointer::Token;
    fn walk<'a>(node: &'a Value, path: &mut Vec<Token<'a>>, key: &str, value: &str, out: &mut Vec<String>) {
        let mut visit = |path: &mut Vec<Token<'a>>, token: Token<'a>, child: &'a Value, descend: bool| {
            if descend {
                path.push(token);
                walk(child, path, key, value, out);
                path.pop();
            } else if child.member(key).and_then(Value::as_str) == Some(value) {
                out.push(pointer::of_tokens(path.iter().chain(std::iter::once(&token))));
            }
        };
        for descend in [false, true] {
            match node {
                Value::Object(m) => m.iter().for_each(|(k, child)| visit(path, Token::Key(k), child, descend)),
                Value::Array(a) => {
                    a.iter().enumerate().for_each(|(i, child)| visit(path, Token::Index(i), child, descend))
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(doc, &mut Vec::new(), key, value, &mut out);
    Some(out)
}

/// Orders pointers token by token, numeric tokens numerically, so a reverse
/// sort removes children before parents and higher array indices first.
fn pointer_order(a: &str, b: &str) -> std::cmp::Ordering {
    let key = |p: &str| -> Vec<(u8, usize, String)> {
        p.split('/')
            .map(|t| match t.parse::<usize>() {
                Ok(n) => (0, n, String::new()),
                Err(_) => (1, 0, t.to_string()),
            })
            .collect()
    };
    key(a).cmp(&key(b))
}

fn remove_at(doc: &mut Value, ptr: &str) {
    let Some((parent, last)) = pointer::split_last(ptr) else { return };
    match pointer::get_ptr_mut(doc, parent) {
        Some(Value::Object(m)) => {
            m.shift_remove(&last);
        }
        Some(Value::Array(a)) => {
            if let Ok(i) = last.parse::<usize>() {
                if i < a.len() {
                    a.remove(i);
                }
            }
        }
        _ => {}
    }
}

/// Overlay merge: objects merge recursively, arrays get the update appended,
/// anything else is replaced. Every grafted value is recorded in `map`.
fn merge(node: &mut Value, update: &Value, doc_ptr: &str, ov_ptr: &str, file: usize, map: &mut SourceMap) {
    match (node, update) {
        (Value::Object(target), Value::Object(upd)) => {
            for (k, v) in upd {
                let d = pointer::join(doc_ptr, k);
                let o = pointer::join(ov_ptr, k);
                match target.get_mut(k) {
                    Some(existing @ Value::Object(_)) if v.is_object() => merge(existing, v, &d, &o, file, map),
                    _ => {
                        target.insert(k.clone(), v.clone());
                        map.graft(&d, file, &o);
                    }
                }
            }
        }
        (Value::Array(target), Value::Array(items)) => {
            for (j, v) in items.iter().enumerate() {
                map.graft(&format!("{doc_ptr}/{}", target.len()), file, &format!("{ov_ptr}/{j}"));
                target.push(v.clone());
            }
        }
        (Value::Array(target), v) => {
            map.graft(&format!("{doc_ptr}/{}", target.len()), file, ov_ptr);
            target.push(v.clone());
        }
        (node, v) => {
            *node = v.clone();
            map.graft(doc_ptr, file, ov_ptr);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn by_serde_json_path(target: &str, doc: &Value) -> Vec<String> {
        let path = JsonPath::parse(target).expect("a valid JSONPath");
        path.query_located(doc).locations().map(|l| l.to_json_pointer()).collect()
    }

    /// The fast path gives serde_json_path's pointers, in its order, on the
    /// Losant spec and the corpus, for every `$ref` value they hold, in the
    /// three spellings; and on nodes that hold the member as another type.
    #[test]
    fn descendants_with_a_member_match_serde_json_path() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mut docs =
            vec![SourceFile::read(format!("{root}/spec/losant-instance-api-openapi.yml").as_ref()).unwrap().value];
        for name in ["oai-petstore-expanded.yaml", "twilio_studio_v2.json", "oai-link-example.yaml"] {
            docs.push(SourceFile::read(format!("{root}/tests/corpus/{name}").as_ref()).unwrap().value);
        }
        docs.push(
            json!({"a": [{"k": "v"}, {"k": 1}, [{"k": "v"}]], "k": "v", "b": {"k": "v", "c": {"d": {"k": "v"}}}}),
        );
        let mut checked = 0;
        for doc in &docs {
            let mut refs: Vec<String> = Vec::new();
            crate::check::collect_refs(doc).into_iter().for_each(|(_, r)| refs.push(r));
            refs.sort();
            refs.dedup();
            refs.truncate(40);
            let mut targets: Vec<String> = refs
                .iter()
                .flat_map(|r| [format!("$..[?@['$ref']=='{r}']"), format!("$..[?@[\"$ref\"]==\"{r}\"]")])
                .collect();
            targets.extend(
                ["$..[?@.k=='v']", "$..[?@['k']=='v']", "$..[?@.type=='object']", "$..[?@.k=='none']"]
                    .map(String::from),
            );
            for target in targets {
                let fast = descendants_with(&target, doc).unwrap_or_else(|| panic!("{target}: the fast path"));
                assert_eq!(fast, by_serde_json_path(&target, doc), "{target}");
                checked += usize::from(!fast.is_empty());
            }
        }
        assert!(checked > 40, "targets that matched something: {checked}");
    }

    #[test]
    fn other_targets_are_left_to_serde_json_path() {
        let doc = json!({"a": {"k": "v"}});
        for target in [
            "$..[?@['k']=='v' && @.x]",
            "$..[?@['k'] == 'v']",
            "$..[?@['k']=='v\\'x']",
            "$..[?@.k=='v'].x",
            "$..k",
            "$.a[?@.k=='v']",
            "$..[?@.1k=='v']",
            "$..[?@.k==1]",
            "$..[?@.k=='v'",
        ] {
            assert_eq!(descendants_with(target, &doc), None, "{target}");
        }
    }

    fn run(doc: Value, overlay: &str) -> (Value, Vec<crate::diag::Diagnostic>) {
        let spec = SourceFile { name: "spec.yml".into(), value: doc.clone(), positions: Default::default() };
        let mut map = SourceMap::new(spec);
        let mut diags = Diagnostics::new();
        let mut doc = doc;
        apply(&mut doc, SourceFile::parse("ov.yml", overlay).unwrap(), &mut map, &mut diags);
        (doc, diags.into_sorted())
    }

    #[test]
    fn update_merges_and_filter_rewrites_refs() {
        let (doc, d) = run(
            json!({"a": {"x": 1, "n": {"k": 1}}, "l": [{"$ref": "#/old"}, {"b": {"$ref": "#/old"}}]}),
            "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n- target: $.a\n  update: {y: 2, n: {j: 2}}\n- target: \"$..[?@['$ref']=='#/old']\"\n  update: {$ref: '#/new'}\n",
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(
            doc,
            json!({"a": {"x": 1, "y": 2, "n": {"k": 1, "j": 2}}, "l": [{"$ref": "#/new"}, {"b": {"$ref": "#/new"}}]})
        );
    }

    #[test]
    fn remove_and_unmatched_warning() {
        let (doc, d) = run(
            json!({"l": [1, 2, 3], "m": {"x": 1}}),
            "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n- target: $.l[0,2]\n  remove: true\n- target: $.m.x\n  remove: true\n- target: $.nothing\n  description: stale repair\n  update: {a: 1}\n",
        );
        assert_eq!(doc, json!({"l": [2], "m": {}}));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, Code::OverlayTargetUnmatched);
        assert!(d[0].message.contains("stale repair"));
        assert_eq!(d[0].line, 8, "points at the action's target line");
    }

    #[test]
    fn array_target_appends() {
        let (doc, _) = run(
            json!({"tags": [{"name": "a"}]}),
            "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n- target: $.tags\n  update: [{name: b}]\n",
        );
        assert_eq!(doc, json!({"tags": [{"name": "a"}, {"name": "b"}]}));
    }
}
