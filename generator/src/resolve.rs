//! The one `$ref` resolver: every stage that follows a `$ref` asks
//! [`Resolver`].
//!
//! A `$ref` is read as a full RFC 6901 JSON pointer into this document
//! (percent-decoded, `~1` and `~0` unescaped; see [`crate::pointer::parse_ref`]),
//! and chains of refs are followed to any depth, until a node without `$ref`.
//! A chain that comes back to a node it already passed is a cycle, detected
//! here, once per lookup, from the pointers visited (two spellings of one
//! pointer, `#/a` and `#/%61`, are the same node).

use std::collections::{BTreeSet, HashSet};

use serde_json::Value;

use crate::pointer::{self, Member, RefError};

/// Follows `$ref`s in one document.
#[derive(Debug, Clone, Copy)]
pub struct Resolver<'a> {
    doc: &'a Value,
}

/// A node reached after following every `$ref`.
#[derive(Debug, Clone, PartialEq)]
pub struct Target<'a> {
    /// Its pointer (normalized: every token escaped the canonical way).
    pub pointer: String,
    /// The node; it has no string `$ref`.
    pub value: &'a Value,
}

/// Why a chain of `$ref`s does not reach a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unresolved {
    /// The `$ref` points into another document.
    External(String),
    /// The `$ref` is not a valid pointer fragment.
    Invalid(String, String),
    /// The `$ref` names nothing in the document.
    Dangling(String),
    /// The refs only point at each other: the distinct `$ref` strings of the chain.
    Cycle(BTreeSet<String>),
}

/// Where a chain stopped: the pointer of the last node reached (the one
/// whose `$ref` fails) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stopped {
    /// Pointer of the last node reached.
    pub at: String,
    /// Why it stopped there.
    pub why: Unresolved,
}

impl<'a> Resolver<'a> {
    /// A resolver for `doc`.
    pub fn new(doc: &'a Value) -> Self {
        Resolver { doc }
    }

    /// The node at `ptr` (not following refs), if any.
    pub fn get(&self, ptr: &str) -> Option<&'a Value> {
        pointer::get_ptr(self.doc, ptr)
    }

    /// The target of one `$ref` string (one hop, not following the target's own ref).
    pub fn lookup(&self, reference: &str) -> Result<Target<'a>, Unresolved> {
        // Most refs hold no escape and no percent-encoding: their fragment is
        // already the canonical pointer, and is looked up as it is.
        if let Some(fragment) =
            reference.strip_prefix('#').filter(|f| (f.is_empty() || f.starts_with('/')) && !f.contains(['%', '~']))
        {
            return match self.get(fragment) {
                Some(value) => Ok(Target { pointer: fragment.to_string(), value }),
                None => Err(Unresolved::Dangling(reference.to_string())),
            };
        }
        let tokens = pointer::parse_ref(reference).map_err(|e| match e {
            RefError::External => Unresolved::External(reference.to_string()),
            RefError::Invalid(why) => Unresolved::Invalid(reference.to_string(), why),
        })?;
        match pointer::get(self.doc, &tokens) {
            Some(value) => Ok(Target { pointer: pointer::to_pointer(&tokens), value }),
            None => Err(Unresolved::Dangling(reference.to_string())),
        }
    }

    /// The node at `ptr` after following its `$ref` and those of its targets.
    /// A pointer that names nothing is [`Unresolved::Dangling`].
    pub fn follow(&self, ptr: &str) -> Result<Target<'a>, Stopped> {
        match self.get(ptr) {
            Some(node) => self.follow_node(node, ptr),
            None => Err(Stopped { at: ptr.to_string(), why: Unresolved::Dangling(format!("#{ptr}")) }),
        }
    }

    /// Like [`Resolver::follow`], from a node already in hand whose pointer is `ptr`.
    pub fn follow_node(&self, node: &'a Value, ptr: &str) -> Result<Target<'a>, Stopped> {
        let here = Target { pointer: ptr.to_string(), value: node };
        if ref_of(node).is_none() {
            return Ok(here);
        }
        self.chain(here, HashSet::from([ptr.to_string()]))
    }

    /// A node in hand whose pointer is not known: itself when it has no
    /// `$ref`, else where its refs lead. (A cycle is found one hop later
    /// than from a known pointer.)
    pub fn follow_value(&self, node: &'a Value) -> Result<&'a Value, Stopped> {
        let here = Target { pointer: String::new(), value: node };
        self.chain(here, HashSet::new()).map(|t| t.value)
    }

    fn chain(&self, mut here: Target<'a>, mut visited: HashSet<String>) -> Result<Target<'a>, Stopped> {
        let mut refs = BTreeSet::new();
        while let Some(next) = ref_of(here.value) {
            refs.insert(next.to_string());
            let target = self.lookup(next).map_err(|why| Stopped { at: here.pointer.clone(), why })?;
            if !visited.insert(target.pointer.clone()) {
                return Err(Stopped { at: here.pointer, why: Unresolved::Cycle(refs) });
            }
            here = target;
        }
        Ok(here)
    }

    /// The pointer [`Resolver::follow`] reaches from `ptr`, or where it stopped
    /// (for stages that run on checked documents, where refs resolve), given
    /// the node at `ptr` as [`Resolver::get`] finds it (`None`: nothing there).
    pub fn target_pointer(&self, node: Option<&'a Value>, ptr: &str) -> String {
        match node.map(|node| self.follow_node(node, ptr)) {
            Some(Ok(t)) => t.pointer,
            Some(Err(s)) => s.at,
            None => ptr.to_string(),
        }
    }
}

/// The string `$ref` of a node, if it has one.
fn ref_of(v: &Value) -> Option<&str> {
    v.member("$ref").and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn follows_chains_of_any_depth_with_escapes() {
        let mut doc = json!({"c": {"a/b": {"x~y": {"type": "string"}}}});
        let mut prev = "#/c/a~1b/x~0y".to_string();
        for i in 0..100 {
            doc[format!("r{i}")] = json!({ "$ref": prev });
            prev = format!("#/r{i}");
        }
        doc["start"] = json!({"$ref": "#/r%399"});
        let t = Resolver::new(&doc).follow("/start").unwrap();
        assert_eq!(t.pointer, "/c/a~1b/x~0y");
        assert_eq!(t.value, &json!({"type": "string"}));
    }

    /// Refs without escapes or percent-encoding are looked up as they are:
    /// the same target and pointer as parsing them into tokens gives.
    #[test]
    fn plain_refs_resolve_as_their_tokens_do() {
        let doc = json!({"a": [{"b": 1}, {"": {"c": true}}], "": {"x": "empty key"}, "n": null});
        let r = Resolver::new(&doc);
        for reference in ["#", "#/", "#/a", "#/a/0", "#/a/1//c", "#//x", "#/n", "#/a/2", "#/a/01", "#/a/x", "#/missing"]
        {
            let tokens = pointer::parse_ref(reference).expect("a local ref");
            let by_tokens = pointer::get(&doc, &tokens)
                .map(|value| Target { pointer: pointer::to_pointer(&tokens), value })
                .ok_or_else(|| Unresolved::Dangling(reference.to_string()));
            assert_eq!(r.lookup(reference), by_tokens, "{reference}");
        }
    }

    #[test]
    fn cycles_and_broken_refs_stop_where_they_fail() {
        let doc = json!({
            "a": {"$ref": "#/b"}, "b": {"$ref": "#/%61"},
            "d": {"$ref": "#/nothing"}, "e": {"$ref": "#/d"},
            "x": {"$ref": "other.yml#/a"}, "i": {"$ref": "#/a~2"}, "f": {"type": "string"},
        });
        let r = Resolver::new(&doc);
        let cycle = r.follow("/a").unwrap_err();
        assert_eq!(cycle.why, Unresolved::Cycle(["#/b".to_string(), "#/%61".to_string()].into()));
        assert_eq!(
            r.follow("/e").unwrap_err(),
            Stopped { at: "/d".into(), why: Unresolved::Dangling("#/nothing".into()) }
        );
        assert!(matches!(r.follow("/x").unwrap_err().why, Unresolved::External(_)));
        assert!(matches!(r.follow("/i").unwrap_err().why, Unresolved::Invalid(..)));
        assert_eq!(r.target_pointer(r.get("/e"), "/e"), "/d");
        assert_eq!(r.target_pointer(r.get("/f"), "/f"), "/f");
        assert_eq!(r.target_pointer(None, "/nope"), "/nope");
    }
}
