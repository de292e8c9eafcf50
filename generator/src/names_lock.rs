//! The name lock: the public Rust names of a generated client, recorded by
//! stable identity so that regenerating never silently renames a public item.
//!
//! Identities:
//! - an operation by its id (`operationId`, or the id derived from method and
//!   path) -> `resource.action` (`client.resource().action(…)`);
//! - a parameter by operation id and `location wire` (e.g. `query perPage`)
//!   -> its argument or setter name;
//! - a type by the JSON pointer of its schema -> its type name;
//! - a struct field by type pointer and wire name -> its field name;
//! - a string-enum variant by type pointer and wire value -> its variant name;
//! - a union (`oneOf`/`anyOf`) alternative by type pointer and branch
//!   (`oneOf/1`) -> its variant name.
//!
//! The lock is a JSON file with sorted keys (one entry per line, so a pull
//! request shows exactly which names change). Lowering consults it
//! (`Lowerer::with_lock`): an identity that is in the lock
//! keeps its locked name, and a locked name stays reserved while its
//! identity exists, so a new item cannot take it. Identities that are not in
//! the lock get their natural name. Refreshing the lock
//! (`openapi-clientgen lock`) records the names the generator produces with
//! the current lock honoured, so it only adds new identities and drops gone
//! ones; to rename an item on purpose, edit its entry.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::ir::{Api, TypeDef, TypeKind, TypeRef, TypeSpace};
use crate::ir::{Param, ParamIn};
use crate::naming::Scope;
use crate::Error;

/// Format version written to and expected in the file.
pub const VERSION: u32 = 1;

const ABOUT: &str = "Public Rust names of the generated client, by stable identity. Generation keeps these names; \
                     edit an entry to rename on purpose. Refresh with `openapi-clientgen lock`.";

/// The recorded names. Every map is sorted, so the file is deterministic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameLock {
    /// What this file is (replaced by the standard text when read).
    #[serde(default)]
    pub about: String,
    /// Format version ([`VERSION`]).
    pub version: u32,
    /// Operation id -> `resource.action`.
    #[serde(default)]
    pub operations: BTreeMap<String, String>,
    /// Operation id -> `location wire` -> argument or setter name.
    #[serde(default)]
    pub parameters: BTreeMap<String, BTreeMap<String, String>>,
    /// Schema pointer -> type name.
    #[serde(default)]
    pub types: BTreeMap<String, String>,
    /// Type pointer -> wire name -> field name.
    #[serde(default)]
    pub fields: BTreeMap<String, BTreeMap<String, String>>,
    /// Enum type pointer -> wire value -> variant name.
    #[serde(default)]
    pub enum_variants: BTreeMap<String, BTreeMap<String, String>>,
    /// Union type pointer -> branch (`oneOf/1`) -> variant name.
    #[serde(default)]
    pub union_variants: BTreeMap<String, BTreeMap<String, String>>,
}

impl Default for NameLock {
    fn default() -> Self {
        NameLock {
            about: ABOUT.to_string(),
            version: VERSION,
            operations: BTreeMap::new(),
            parameters: BTreeMap::new(),
            types: BTreeMap::new(),
            fields: BTreeMap::new(),
            enum_variants: BTreeMap::new(),
            union_variants: BTreeMap::new(),
        }
    }
}

/// Whether `name` can be used as a generated name: ASCII letters, digits and
/// `_`, not starting with a digit, not a keyword without a raw form (`self`,
/// `Self`, `super`, `crate`, `_`), and not a keyword as a type or variant name.
fn is_identifier(name: &str) -> bool {
    let chars_ok = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let starts_ok = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
    let reserved = ["_", "self", "Self", "super", "crate"].contains(&name)
        || (name.starts_with(|c: char| c.is_ascii_uppercase()) && crate::naming::is_keyword(name));
    chars_ok && starts_ok && !reserved
}

/// The lock key of a parameter: `location wire`.
pub fn param_key(location: ParamIn, wire: &str) -> String {
    let loc = match location {
        ParamIn::Path => "path",
        ParamIn::Query => "query",
        ParamIn::Header => "header",
    };
    format!("{loc} {wire}")
}

/// Names for the members of one Rust scope (the fields of a struct, the
/// variants of an enum, the parameters of an operation). `members` are
/// `(lock key, natural name)` in order. Locked names are taken first, so no
/// other member can take them; a locked name the scope cannot give (the
/// generator reserves it) is ignored. Without a lock this is exactly
/// claiming every natural name in order.
pub fn member_names(
    scope: &mut Scope,
    members: &[(String, String)],
    locked: Option<&BTreeMap<String, String>>,
) -> Vec<String> {
    let got: Vec<Option<String>> = members
        .iter()
        .map(|(key, _)| {
            let name = locked?.get(key)?;
            scope.try_claim(name).then(|| name.clone())
        })
        .collect();
    members.iter().zip(got).map(|((_, natural), got)| got.unwrap_or_else(|| scope.claim(natural.clone()))).collect()
}

/// The alternatives of a union type with the branch each comes from
/// (`oneOf/1`), in variant order: `(branch, variant name, type)`.
///
/// The IR keeps only the variant's type; the branch is recovered from
/// [`TypeSpace::by_pointer`], where lowering recorded every branch location.
/// Variants are sorted stably from branch order, so equal types keep their
/// relative order and the first unused equal branch is the right one.
pub fn union_branches(space: &TypeSpace, def: &TypeDef) -> Vec<(String, String, TypeRef)> {
    let TypeKind::Union { variants } = &def.kind else { return Vec::new() };
    let mut branches: Vec<(String, usize, &TypeRef)> = Vec::new();
    for kw in ["oneOf", "anyOf"] {
        let prefix = format!("{}/{kw}/", def.pointer);
        for (k, t) in space.by_pointer.range(prefix.clone()..) {
            let Some(rest) = k.strip_prefix(&prefix) else { break };
            if let Ok(i) = rest.parse::<usize>() {
                branches.push((kw.to_string(), i, t));
            }
        }
    }
    // Only one keyword made the union: lowering checks `oneOf` first.
    if let Some(first) = branches.iter().map(|b| b.0.clone()).min_by_key(|k| k != "oneOf") {
        branches.retain(|b| b.0 == first);
    }
    branches.sort_by_key(|b| b.1);
    let mut used = vec![false; branches.len()];
    variants
        .iter()
        .enumerate()
        .map(|(vi, (name, t))| {
            let unboxed = match t {
                TypeRef::Boxed(inner) => inner.as_ref(),
                t => t,
            };
            let found = branches.iter().enumerate().find(|(j, b)| !used[*j] && b.2 == unboxed).map(|(j, _)| j);
            let key = match found {
                Some(j) => {
                    used[j] = true;
                    format!("{}/{}", branches[j].0, branches[j].1)
                }
                // Not expected; keep the entry stable and visible rather than drop it.
                None => format!("variant/{vi}"),
            };
            (key, name.clone(), t.clone())
        })
        .collect()
}

impl NameLock {
    /// Records every public name of `api`.
    pub fn from_api(api: &Api) -> NameLock {
        let mut lock = NameLock::default();
        for op in &api.operations {
            lock.operations.insert(op.id.clone(), format!("{}.{}", op.resource, op.action));
            let params: BTreeMap<String, String> =
                op.params.iter().map(|p: &Param| (param_key(p.location, &p.wire), p.name.clone())).collect();
            if !params.is_empty() {
                lock.parameters.insert(op.id.clone(), params);
            }
        }
        for def in &api.types.types {
            lock.types.insert(def.pointer.clone(), def.name.clone());
            match &def.kind {
                TypeKind::Struct { fields, .. } if !fields.is_empty() => {
                    let m = fields.iter().map(|f| (f.wire.clone(), f.name.clone())).collect();
                    lock.fields.insert(def.pointer.clone(), m);
                }
                TypeKind::Enum { variants } => {
                    let m = variants.iter().map(|(v, w)| (w.clone(), v.clone())).collect();
                    lock.enum_variants.insert(def.pointer.clone(), m);
                }
                TypeKind::Union { .. } => {
                    let m = union_branches(&api.types, def).into_iter().map(|(k, n, _)| (k, n)).collect();
                    lock.union_variants.insert(def.pointer.clone(), m);
                }
                _ => {}
            }
        }
        lock
    }

    /// Parses a lock file's text and checks that its names are unique where
    /// Rust needs them to be.
    pub fn parse(text: &str) -> Result<NameLock, Error> {
        Self::parse_text(text).map_err(|message| Error::Lock { path: PathBuf::new(), message })
    }

    fn parse_text(text: &str) -> Result<NameLock, String> {
        let mut lock: NameLock = serde_json::from_str(text).map_err(|e| format!("not a name lock: {e}"))?;
        if lock.version != VERSION {
            return Err(format!("name lock version {} is not supported (expected {VERSION})", lock.version));
        }
        lock.about = ABOUT.to_string();
        lock.validate()?;
        Ok(lock)
    }

    /// Reads a lock file.
    pub fn read(path: &Path) -> Result<NameLock, Error> {
        let lock = |message| Error::Lock { path: path.to_path_buf(), message };
        let text = std::fs::read_to_string(path).map_err(|e| lock(format!("cannot read the name lock: {e}")))?;
        NameLock::parse_text(&text).map_err(lock)
    }

    /// The file text: pretty JSON with sorted keys and a final newline.
    pub fn to_text(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a name lock always serializes");
        s.push('\n');
        s
    }

    /// Number of recorded names.
    pub fn len(&self) -> usize {
        let nested = |m: &BTreeMap<String, BTreeMap<String, String>>| m.values().map(BTreeMap::len).sum::<usize>();
        self.operations.len()
            + nested(&self.parameters)
            + self.types.len()
            + nested(&self.fields)
            + nested(&self.enum_variants)
            + nested(&self.union_variants)
    }

    /// True when nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The locked `(resource, action)` of an operation.
    pub fn operation(&self, id: &str) -> Option<(&str, &str)> {
        self.operations.get(id).and_then(|s| s.split_once('.'))
    }

    /// The locked name of the type generated for `pointer`.
    pub fn type_name(&self, pointer: &str) -> Option<&str> {
        self.types.get(pointer).map(String::as_str)
    }

    /// Entries of `self` that `other` lacks or records differently, as
    /// `(section, identity, name here, name there)`.
    pub fn differences<'s>(&'s self, other: &'s NameLock) -> Vec<(&'static str, String, &'s str, Option<&'s str>)> {
        let mut out = Vec::new();
        let mut flat = |section: &'static str,
                        a: &'s BTreeMap<String, String>,
                        b: Option<&'s BTreeMap<String, String>>,
                        prefix: &str| {
            for (k, v) in a {
                let there = b.and_then(|b| b.get(k)).map(String::as_str);
                if there != Some(v.as_str()) {
                    let id = if prefix.is_empty() { k.clone() } else { format!("{prefix} {k}") };
                    out.push((section, id, v.as_str(), there));
                }
            }
        };
        flat("operation", &self.operations, Some(&other.operations), "");
        flat("type", &self.types, Some(&other.types), "");
        for (section, mine, theirs) in [
            ("parameter", &self.parameters, &other.parameters),
            ("field", &self.fields, &other.fields),
            ("enum variant", &self.enum_variants, &other.enum_variants),
            ("union variant", &self.union_variants, &other.union_variants),
        ] {
            for (owner, m) in mine {
                flat(section, m, theirs.get(owner), owner);
            }
        }
        out
    }

    /// Checks that no two identities share a name within one Rust scope.
    fn validate(&self) -> Result<(), String> {
        fn unique<'a>(what: &str, names: impl Iterator<Item = (&'a String, &'a String)>) -> Result<(), String> {
            let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
            for (id, name) in names {
                if !is_identifier(name) {
                    return Err(format!("{what} `{id}`: `{name}` is not a Rust identifier"));
                }
                if let Some(other) = seen.insert(name, id) {
                    return Err(format!("{what} `{id}` and `{other}` both have the name `{name}`"));
                }
            }
            Ok(())
        }
        unique("type", self.types.iter())?;
        for (ptr, m) in &self.fields {
            unique(&format!("field of {ptr}"), m.iter())?;
        }
        for (ptr, m) in &self.enum_variants {
            unique(&format!("variant of {ptr}"), m.iter())?;
        }
        for (ptr, m) in &self.union_variants {
            unique(&format!("variant of {ptr}"), m.iter())?;
        }
        for (id, m) in &self.parameters {
            unique(&format!("parameter of {id}"), m.iter())?;
        }
        let mut per_resource: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (id, v) in &self.operations {
            let Some((res, action)) = v.split_once('.') else {
                return Err(format!("operation `{id}`: `{v}` is not `resource.action`"));
            };
            for part in [res, action] {
                if !is_identifier(part) {
                    return Err(format!("operation `{id}`: `{part}` is not a Rust identifier"));
                }
            }
            if !per_resource.entry(res).or_default().insert(action) {
                return Err(format!("operation `{id}`: `{v}` is used by two operations"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::generate_value as generate;
    use crate::generate::lower_value as lower_api;

    const SPEC: &str = r#"
openapi: 3.0.3
info: {title: T, version: '1'}
paths:
  /pets:
    get:
      operationId: pets.list
      parameters:
      - {name: shelter, in: query, required: true, schema: {type: string}}
      - {name: status, in: query, schema: {$ref: '#/components/schemas/petStatus'}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/pet'}
    post:
      operationId: pets.create
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/petPost'}
      responses:
        '204': {description: ok}
components:
  schemas:
    pet:
      type: object
      required: [id]
      properties:
        id: {type: string}
        tag: {type: string}
        owner:
          oneOf:
          - type: object
            properties:
              name: {type: string}
          - type: string
          - type: integer
    petPost:
      type: object
      properties:
        tag: {type: string}
    petStatus:
      type: string
      enum: [available, sold]
"#;

    fn doc(spec: &str) -> serde_json::Value {
        let a = crate::Config::new().analyze_text("spec.yml", spec);
        assert!(!a.has_errors(), "{:?}", a.diagnostics);
        a.doc.expect("parsed")
    }

    #[test]
    fn a_lock_of_the_natural_names_changes_nothing() {
        let d = doc(SPEC);
        let lock = NameLock::from_api(&lower_api(&d, None));
        let plain = generate(&d, None).expect("generates").code;
        let locked = generate(&d, Some(&lock)).expect("generates").code;
        assert_eq!(plain, locked);
        assert_eq!(NameLock::from_api(&lower_api(&d, Some(&lock))), lock);
        // The file round-trips.
        assert_eq!(NameLock::parse(&lock.to_text()).expect("parses"), lock);
    }

    #[test]
    fn union_alternatives_are_keyed_by_branch_not_by_order() {
        let lock = NameLock::from_api(&lower_api(&doc(SPEC), None));
        let owner = &lock.union_variants["/components/schemas/pet/properties/owner"];
        // Variants are sorted most specific first (Integer, struct, String); keys follow the spec's branches.
        let want: BTreeMap<String, String> =
            [("oneOf/0", "PetOwnerVariant0"), ("oneOf/1", "String"), ("oneOf/2", "Integer")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        assert_eq!(owner, &want);
    }

    #[test]
    fn an_edited_lock_renames_on_purpose() {
        let d = doc(SPEC);
        let mut lock = NameLock::from_api(&lower_api(&d, None));
        lock.types.insert("/components/schemas/petPost".into(), "NewPet".into());
        lock.fields.get_mut("/components/schemas/pet").expect("pet").insert("tag".into(), "label".into());
        lock.enum_variants.get_mut("/components/schemas/petStatus").expect("enum").insert("sold".into(), "Gone".into());
        lock.union_variants
            .get_mut("/components/schemas/pet/properties/owner")
            .expect("union")
            .insert("oneOf/2".into(), "Number".into());
        lock.operations.insert("pets.list".into(), "animals.all".into());
        lock.parameters.get_mut("pets.list").expect("params").insert("query shelter".into(), "shelter_id".into());
        let lock = NameLock::parse(&lock.to_text()).expect("still valid");
        let api = lower_api(&d, Some(&lock));
        assert_eq!(NameLock::from_api(&api), lock, "every locked name is used");
        let code = generate(&d, Some(&lock)).expect("generates").code;
        for want in [
            "pub struct NewPet",
            "pub label: Option<String>",
            "    Gone,",
            "Number(i64)",
            "pub fn all(&self, shelter_id: impl Into<String>)",
            "pub fn animals(&self)",
        ] {
            assert!(code.contains(want), "generated code lacks `{want}`");
        }
        assert!(!code.contains("pub struct PetPost"));
    }

    #[test]
    fn a_locked_name_is_not_taken_by_a_new_schema() {
        let lock = NameLock::from_api(&lower_api(&doc(SPEC), None));
        // `pet_post` is declared first and its natural name is `PetPost` too.
        let grown = SPEC.replace("    petPost:\n", "    pet_post: {type: string, pattern: '^a'}\n    petPost:\n");
        let d = doc(&grown);
        let natural = NameLock::from_api(&lower_api(&d, None));
        assert_eq!(natural.types["/components/schemas/pet_post"], "PetPost");
        assert_eq!(natural.types["/components/schemas/petPost"], "PetPost2");
        let kept = NameLock::from_api(&lower_api(&d, Some(&lock)));
        assert_eq!(kept.types["/components/schemas/petPost"], "PetPost");
        assert_eq!(kept.types["/components/schemas/pet_post"], "PetPost2");
    }

    #[test]
    fn a_locked_name_the_generator_reserves_is_ignored() {
        let d = doc(SPEC);
        let mut lock = NameLock::from_api(&lower_api(&d, None));
        // `send` is a builder method; `Unknown` is every enum's catch-all variant.
        lock.parameters.get_mut("pets.list").expect("params").insert("query status".into(), "send".into());
        lock.enum_variants
            .get_mut("/components/schemas/petStatus")
            .expect("enum")
            .insert("sold".into(), "Unknown".into());
        let api = lower_api(&d, Some(&lock));
        let now = NameLock::from_api(&api);
        assert_eq!(now.parameters["pets.list"]["query status"], "status");
        assert_eq!(now.enum_variants["/components/schemas/petStatus"]["sold"], "Sold");
        generate(&d, Some(&lock)).expect("still valid Rust");
    }

    #[test]
    fn malformed_locks_are_rejected() {
        let good = NameLock::from_api(&lower_api(&doc(SPEC), None));
        let mut dup = good.clone();
        dup.types.insert("/components/schemas/petPost".into(), "Pet".into());
        let mut not_ident = good.clone();
        not_ident.fields.get_mut("/components/schemas/pet").expect("pet").insert("tag".into(), "a-b".into());
        let mut bad_op = good.clone();
        bad_op.operations.insert("pets.list".into(), "pets".into());
        let mut same_action = good.clone();
        same_action.operations.insert("pets.list".into(), "pets.create".into());
        for (what, lock) in
            [("both have", dup), ("identifier", not_ident), ("resource.action", bad_op), ("two", same_action)]
        {
            let err = NameLock::parse(&lock.to_text()).expect_err(what).to_string();
            assert!(err.contains(what), "{what}: {err}");
        }
        let err = NameLock::parse(&good.to_text().replace("\"version\": 1", "\"version\": 2"))
            .expect_err("version")
            .to_string();
        assert!(err.contains("version 2"), "{err}");
        let err =
            NameLock::parse(&good.to_text().replace("\"types\"", "\"typos\"")).expect_err("unknown key").to_string();
        assert!(err.contains("typos"), "{err}");
    }
}
