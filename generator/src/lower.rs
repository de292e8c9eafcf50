//! Lowering schemas into the type arena.
//!
//! Every schema location is lowered once, memoized by its JSON pointer, so a
//! deep `$ref` (`#/components/schemas/a/properties/b`) reuses exactly the
//! type generated for its target. Named types get their id before their
//! children are lowered, so recursive and forward refs resolve.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use foldhash::HashMap;
use serde_json::Value;

use crate::ir::{Checks, Field, TypeDef, TypeId, TypeKind, TypeRef, TypeSpace, Validation};
use crate::names_lock::{self, NameLock};
use crate::naming::{self, Scope};
use crate::pointer::{self, Member};
use crate::resolve::Resolver;

/// Lowers schemas of one document.
pub struct Lowerer<'a> {
    doc: &'a Value,
    /// The arena being built.
    pub space: TypeSpace,
    names: Scope,
    /// Pointer -> Rust base name for locations that are not component schemas (operation bodies).
    pub hints: BTreeMap<String, String>,
    /// Component pointer -> its type name, claimed before anything is lowered so a
    /// component never loses its name to an inline schema lowered earlier.
    component_names: BTreeMap<String, String>,
    /// Names to keep (see [`crate::names_lock`]).
    lock: Option<&'a NameLock>,
    /// Pointer -> locked type name, reserved before anything is lowered.
    locked_types: BTreeMap<String, String>,
    /// Pointer -> node, memoized: one location is asked for many times (its
    /// type, target, checks, docs, nullability), and each walk from the root
    /// costs a lookup per token. See [`Lowerer::node`].
    nodes: RefCell<HashMap<String, Option<&'a Value>>>,
}

/// The deepest nesting of lists and maps in one emitted type expression;
/// deeper types are split into named aliases.
pub const MAX_TYPE_DEPTH: usize = 16;

impl<'a> Lowerer<'a> {
    /// A lowerer for `doc` (already overlaid, normalized and checked).
    pub fn new(doc: &'a Value) -> Self {
        Lowerer {
            doc,
            space: TypeSpace::default(),
            names: Scope::with_reserved(&naming::TYPES_MODULE),
            hints: BTreeMap::new(),
            component_names: BTreeMap::new(),
            lock: None,
            locked_types: BTreeMap::new(),
            nodes: RefCell::default(),
        }
    }

    /// A lowerer that keeps the names recorded in `lock` for identities that
    /// still exist; a locked type name stays reserved while its schema exists.
    pub fn with_lock(doc: &'a Value, lock: Option<&'a NameLock>) -> Self {
        let mut lw = Self::new(doc);
        for (ptr, name) in lock.map(|l| &l.types).into_iter().flatten() {
            if pointer::get_ptr(doc, ptr).is_some() && lw.names.try_claim(name) {
                lw.locked_types.insert(ptr.clone(), name.clone());
            }
        }
        lw.lock = lock;
        lw
    }

    /// The name lock in use, if any.
    pub fn lock(&self) -> Option<&'a NameLock> {
        self.lock
    }

    /// Lowers every component schema, in document order.
    pub fn lower_components(&mut self) {
        let keys: Vec<String> = self
            .doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        for k in &keys {
            let ptr = pointer::join("/components/schemas", k);
            let name = self.claim_name(&ptr);
            self.component_names.insert(ptr, name);
        }
        for k in keys {
            let ptr = pointer::join("/components/schemas", &k);
            let ty = self.lower(&ptr);
            // A component that lowered to a plain type, or that only refers to another
            // schema, still gets a name, as an alias.
            let own_type = matches!(ty, TypeRef::Named(id) if self.space.get(id).pointer == ptr);
            if !own_type {
                let name = self.claim_name(&ptr);
                let doc = self.doc_of(&ptr);
                self.push(TypeDef {
                    name,
                    pointer: ptr.clone(),
                    component: Some(k.clone()),
                    doc,
                    kind: TypeKind::Alias(ty),
                    in_request: false,
                    in_response: false,
                });
            }
        }
    }

    fn push(&mut self, def: TypeDef) -> TypeId {
        self.space.types.push(def);
        TypeId(self.space.types.len() - 1)
    }

    /// The node at `ptr` in the document (not following refs), as
    /// [`pointer::get_ptr`] finds it, walked once per pointer.
    pub fn node(&self, ptr: &str) -> Option<&'a Value> {
        if let Some(found) = self.nodes.borrow().get(ptr) {
            return *found;
        }
        let found = pointer::get_ptr(self.doc, ptr);
        self.nodes.borrow_mut().insert(ptr.to_string(), found);
        found
    }

    fn schema(&self, ptr: &str) -> &'a Value {
        self.node(ptr).unwrap_or(&Value::Null)
    }

    /// Follows `$ref`s from `ptr` to the pointer of a real schema (through
    /// [`Resolver`]; where a chain fails, the checker has reported it).
    pub fn target(&self, ptr: &str) -> String {
        Resolver::new(self.doc).target_pointer(self.node(ptr), ptr)
    }

    fn component_of(ptr: &str) -> Option<String> {
        let rest = ptr.strip_prefix("/components/schemas/")?;
        let first = rest.split('/').next()?;
        pointer::parse_pointer(&format!("/{first}")).ok()?.pop()
    }

    /// The Rust name a location would get, derived from its pointer alone.
    fn base_name(&self, ptr: &str) -> String {
        if let Some(h) = self.hints.get(ptr) {
            return h.clone();
        }
        if let Some(rest) = ptr.strip_prefix("/components/schemas/") {
            if !rest.contains('/') {
                let key =
                    pointer::parse_pointer(&format!("/{rest}")).ok().and_then(|mut v| v.pop()).unwrap_or_default();
                if let Some(n) = self.schema(ptr).member("x-rust-name").and_then(Value::as_str) {
                    return naming::type_name(n);
                }
                return naming::type_name(&key);
            }
        }
        let Some((parent, last)) = pointer::split_last(ptr) else { return "Root".into() };
        // `…/properties/items` is a property named `items`, not the `items` keyword.
        let property = pointer::split_last(parent).is_some_and(|(_, kw)| kw == "properties");
        match last.as_str() {
            "items" if !property => format!("{}Item", self.base_name(parent)),
            "additionalProperties" if !property => format!("{}Value", self.base_name(parent)),
            "schema" if !property => self.base_name(parent),
            _ => {
                let Some((grand, kw)) = pointer::split_last(parent) else { return naming::type_name(&last) };
                match kw.as_str() {
                    "properties" => format!("{}{}", self.base_name(grand), naming::type_name(&last)),
                    "x-pattern-properties" | "patternProperties" => format!("{}Value", self.base_name(grand)),
                    "oneOf" | "anyOf" | "allOf" => format!("{}Variant{}", self.base_name(grand), last),
                    "content" => self.base_name(grand),
                    _ => naming::type_name(&last),
                }
            }
        }
    }

    fn claim_name(&mut self, ptr: &str) -> String {
        if let Some(name) = self.locked_types.get(ptr) {
            return name.clone();
        }
        if let Some(name) = self.component_names.get(ptr) {
            return name.clone();
        }
        let base = self.base_name(ptr);
        // A schema named like a type the generated code uses (`error` -> `Error`) gets a
        // suffix that still reads as its name, not a bare number.
        let base = if naming::TYPES_MODULE.contains(&base.as_str()) { format!("{base}Model") } else { base };
        self.names.claim(base)
    }

    fn doc_of(&self, ptr: &str) -> Option<String> {
        let s = self.schema(ptr);
        let title = s.member("title").and_then(Value::as_str);
        let desc = s.member("description").and_then(Value::as_str);
        match (title, desc) {
            (Some(t), Some(d)) if t != d => Some(format!("{t}\n\n{d}")),
            (Some(t), _) => Some(t.to_string()),
            (None, Some(d)) => Some(d.to_string()),
            (None, None) => None,
        }
    }

    fn alloc(&mut self, ptr: &str) -> TypeId {
        let name = self.claim_name(ptr);
        let doc = self.doc_of(ptr);
        let id = self.push(TypeDef {
            name,
            pointer: ptr.to_string(),
            component: Self::component_of(ptr),
            doc,
            kind: TypeKind::Alias(TypeRef::Any),
            in_request: false,
            in_response: false,
        });
        self.space.by_pointer.insert(ptr.to_string(), TypeRef::Named(id));
        id
    }

    /// Whether the schema at `ptr` (or the one it refers to) is nullable: it
    /// says so, or one of its inline `oneOf`/`anyOf` alternatives does.
    pub fn nullable(&self, ptr: &str) -> bool {
        let is_null = |s: &Value| s.member("nullable") == Some(&Value::Bool(true));
        let alternative = |s: &Value| {
            ["oneOf", "anyOf"].iter().any(|kw| {
                s.member(kw)
                    .and_then(Value::as_array)
                    .is_some_and(|a| a.iter().any(|b| b.member("$ref").is_none() && is_null(b)))
            })
        };
        let here = self.schema(ptr);
        let there = self.schema(&self.target(ptr));
        is_null(here) || is_null(there) || alternative(here) || alternative(there)
    }

    /// String checks of the schema at `ptr` (after refs).
    pub fn validation(&self, ptr: &str) -> Validation {
        let s = self.schema(&self.target(ptr));
        Validation {
            pattern: s.member("pattern").and_then(Value::as_str).map(str::to_string),
            min_length: s.member("minLength").and_then(Value::as_u64),
            max_length: s.member("maxLength").and_then(Value::as_u64),
        }
    }

    /// Lowers the schema at `ptr` into a use-site type.
    pub fn lower(&mut self, ptr: &str) -> TypeRef {
        if let Some(t) = self.space.by_pointer.get(ptr) {
            return t.clone();
        }
        let target = self.target(ptr);
        if target != ptr {
            // Mark before descending so a ref chain back to here terminates.
            self.space.by_pointer.insert(ptr.to_string(), TypeRef::Any);
            let t = self.lower(&target);
            self.space.by_pointer.insert(ptr.to_string(), t.clone());
            return t;
        }
        let t = self.lower_schema(ptr);
        let t = self.shallow(ptr, t);
        self.space.by_pointer.insert(ptr.to_string(), t.clone());
        t
    }

    /// Names the type of `ptr` (an alias) when it nests lists and maps deeper
    /// than [`MAX_TYPE_DEPTH`], so that no emitted type expression is deeper:
    /// long `items`/`additionalProperties` chains (directly or through refs)
    /// would otherwise become one `Vec<Vec<…>>` as deep as the chain, which
    /// overflows the stack of the parser that formats the code.
    fn shallow(&mut self, ptr: &str, t: TypeRef) -> TypeRef {
        fn depth(t: &TypeRef) -> usize {
            match t {
                TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Boxed(inner) => 1 + depth(inner),
                _ => 0,
            }
        }
        if depth(&t) <= MAX_TYPE_DEPTH {
            return t;
        }
        let id = self.alloc(ptr);
        self.space.types[id.0].kind = TypeKind::Alias(t);
        TypeRef::Named(id)
    }

    fn lower_schema(&mut self, ptr: &str) -> TypeRef {
        let s = self.schema(ptr);
        let is_component = ptr.strip_prefix("/components/schemas/").is_some_and(|r| !r.contains('/'));
        let ty = s.member("type").and_then(Value::as_str);
        for kw in ["oneOf", "anyOf"] {
            if let Some(branches) = s.member(kw).and_then(Value::as_array) {
                // Branches that only add constraints (`anyOf: [{required: [a]}, {required: [b]}]`)
                // describe validation of this object, not alternative shapes: lower the object itself.
                // Trailing null branches make the schema nullable (see `nullable`), no alternative.
                let n = alternatives(branches);
                if n > 0 && branches[..n].iter().all(constraint_only) {
                    continue;
                }
                if n == 1 {
                    return self.lower(&format!("{ptr}/{kw}/0"));
                }
                if n > 1 {
                    return self.lower_union(ptr, kw, n);
                }
            }
        }
        if let Some(branches) = s.member("allOf").and_then(Value::as_array) {
            if branches.len() == 1 && s.member("properties").is_none() {
                return self.lower(&format!("{ptr}/allOf/0"));
            }
            if !branches.is_empty() {
                return self.lower_struct(ptr);
            }
        }
        if let Some(values) = s.member("enum").and_then(Value::as_array) {
            if values.iter().all(Value::is_string) && (ty.is_none() || ty == Some("string")) && !values.is_empty() {
                return self.lower_enum(ptr, values);
            }
        }
        match ty {
            Some("string") => {
                let v = self.validation(ptr);
                if s.member("format").and_then(Value::as_str) == Some("date-time") {
                    TypeRef::DateTime
                } else if is_component && !v.is_empty() {
                    let id = self.alloc(ptr);
                    self.space.types[id.0].kind = TypeKind::Newtype { validation: v };
                    TypeRef::Named(id)
                } else {
                    TypeRef::String
                }
            }
            Some("integer") => TypeRef::Integer(integer_type(s)),
            Some("number") => match s.member("format").and_then(Value::as_str) {
                Some("float") => TypeRef::Float32,
                _ => TypeRef::Number,
            },
            Some("boolean") => TypeRef::Boolean,
            Some("array") => {
                let item = self.lower(&format!("{ptr}/items"));
                TypeRef::Vec(Box::new(item))
            }
            _ => {
                let has_fields = s.member("properties").and_then(Value::as_object).is_some_and(|m| !m.is_empty());
                if has_fields {
                    self.lower_struct(ptr)
                } else if ty == Some("object")
                    || s.member("additionalProperties").is_some()
                    || s.member("x-pattern-properties").is_some()
                {
                    // No fixed keys: a map from key to the value schema.
                    match self.extra_values(ptr) {
                        Some((v, _)) => TypeRef::Map(Box::new(v)),
                        None => TypeRef::Map(Box::new(TypeRef::Any)),
                    }
                } else {
                    TypeRef::Any
                }
            }
        }
    }

    fn lower_enum(&mut self, ptr: &str, values: &[Value]) -> TypeRef {
        let id = self.alloc(ptr);
        let mut scope = Scope::with_reserved(&naming::UNKNOWN_VARIANT);
        let members = enum_members(values);
        let unique: Vec<&str> = members.iter().map(|(w, _)| w.as_str()).collect();
        let locked = self.lock.and_then(|l| l.enum_variants.get(ptr));
        let names = names_lock::member_names(&mut scope, &members, locked);
        // Spec order (`enum_members` drops duplicates and keeps the first).
        let variants = names.into_iter().zip(unique).map(|(n, v)| (n, v.to_string())).collect::<Vec<_>>();
        self.space.types[id.0].kind = TypeKind::Enum { variants };
        TypeRef::Named(id)
    }

    fn lower_union(&mut self, ptr: &str, kw: &str, n: usize) -> TypeRef {
        // Alternatives that are all inline string enums are one enum of all their values
        // (one `Unknown` fallback instead of a union that rejects every new value).
        let mut values = Vec::new();
        if inline_enum_values(self.schema(ptr), &mut values) {
            return self.lower_enum(ptr, &values);
        }
        let id = self.alloc(ptr);
        // Inline alternatives are named after what tells them apart, before they are lowered.
        let labels = self.branch_labels(ptr, kw, n);
        let parent = self.space.types[id.0].name.clone();
        for (i, label) in labels.iter().enumerate() {
            if let Some(l) = label {
                self.hints.entry(format!("{ptr}/{kw}/{i}")).or_insert_with(|| format!("{parent}{l}"));
            }
        }
        let mut branches = Vec::new();
        for i in 0..n {
            let bptr = format!("{ptr}/{kw}/{i}");
            let t = self.lower(&bptr);
            branches.push(t);
        }
        let members: Vec<(String, String)> = branches
            .iter()
            .zip(&labels)
            .enumerate()
            .map(|(i, (t, label))| (format!("{kw}/{i}"), label.clone().unwrap_or_else(|| self.variant_name(t))))
            .collect();
        let locked = self.lock.and_then(|l| l.union_variants.get(ptr));
        // `Unknown` is the fallback variant every union gets when emitted.
        let names = names_lock::member_names(&mut Scope::with_reserved(&naming::UNKNOWN_VARIANT), &members, locked);
        let mut variants: Vec<(UnionRank, String, TypeRef)> =
            branches.into_iter().zip(names).map(|(t, name)| (self.union_rank(&t), name, t)).collect();
        // Most specific first: the generated Deserialize takes the first variant that decodes.
        // The sort is stable, so equally specific alternatives keep spec order.
        variants.sort_by_key(|(rank, _, _)| *rank);
        self.space.types[id.0].kind =
            TypeKind::Union { variants: variants.into_iter().map(|(_, n, t)| (n, t)).collect() };
        TypeRef::Named(id)
    }

    /// Names for the inline alternatives of a union (`None` for `$ref`s, which keep
    /// their type's name, and for alternatives with nothing to name them by):
    /// a single enum value; else the value of a property that is a constant in every
    /// alternative (a discriminator in all but name); else the `title`; else a
    /// required property no other alternative requires (`userId` vs `email`).
    fn branch_labels(&self, ptr: &str, kw: &str, n: usize) -> Vec<Option<String>> {
        let bptrs: Vec<String> = (0..n).map(|i| format!("{ptr}/{kw}/{i}")).collect();
        let consts: Vec<Vec<(String, String)>> = bptrs.iter().map(|b| self.const_properties(&self.target(b))).collect();
        let discriminator = consts.first().into_iter().flatten().map(|(k, _)| k).find(|k| {
            let vals: Vec<Option<&String>> =
                consts.iter().map(|c| c.iter().find(|(ck, _)| ck == *k).map(|(_, v)| v)).collect();
            let distinct: BTreeSet<&String> = vals.iter().flatten().copied().collect();
            vals.iter().all(Option::is_some) && distinct.len() == n
        });
        let required: Vec<BTreeSet<String>> = bptrs
            .iter()
            .map(|b| {
                let s = self.schema(&self.target(b));
                s.member("required")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .collect();
        bptrs
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let s = self.schema(b);
                if s.member("$ref").is_some() {
                    return None;
                }
                if let Some([Value::String(v)]) = s.member("enum").and_then(Value::as_array).map(Vec::as_slice) {
                    return Some(if v.is_empty() { "Empty".to_string() } else { naming::type_name(v) });
                }
                if let Some(d) = discriminator {
                    if let Some((_, v)) = consts[i].iter().find(|(k, _)| k == d) {
                        return Some(naming::type_name(v));
                    }
                }
                if let Some(t) = s.member("title").and_then(Value::as_str) {
                    return Some(naming::type_name(t));
                }
                let order =
                    s.member("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str);
                let mut unique =
                    order.filter(|r| required.iter().enumerate().all(|(j, other)| j == i || !other.contains(*r)));
                unique.next().map(naming::type_name)
            })
            .collect()
    }

    /// Properties of the object schema at `ptr` whose schema (after refs) is a
    /// single-value string enum: (wire name, value), in property order.
    fn const_properties(&self, ptr: &str) -> Vec<(String, String)> {
        let Some(props) = self.schema(ptr).member("properties").and_then(Value::as_object) else { return Vec::new() };
        props
            .keys()
            .filter_map(|k| {
                let p = self.schema(&self.target(&pointer::join(&format!("{ptr}/properties"), k)));
                match p.member("enum").and_then(Value::as_array).map(Vec::as_slice) {
                    Some([Value::String(v)]) => Some((k.clone(), v.clone())),
                    _ => None,
                }
            })
            .collect()
    }

    fn variant_name(&self, t: &TypeRef) -> String {
        match t {
            TypeRef::Named(id) => {
                let def = &self.space.types[id.0];
                match &def.kind {
                    TypeKind::Enum { variants } if variants.len() == 1 => variants[0].0.clone(),
                    _ => def.name.clone(),
                }
            }
            TypeRef::String => "String".into(),
            TypeRef::DateTime => "DateTime".into(),
            TypeRef::Integer(_) => "Integer".into(),
            TypeRef::Number | TypeRef::Float32 => "Number".into(),
            TypeRef::Boolean => "Boolean".into(),
            TypeRef::Any => "Any".into(),
            TypeRef::Vec(_) => "List".into(),
            TypeRef::Map(_) => "Map".into(),
            TypeRef::Boxed(inner) => self.variant_name(inner),
        }
    }

    /// Where an alternative goes in a union's decoding order (smaller first): values
    /// with fewer possible decodings before those with more. Among objects, those
    /// pinned by a constant property come first, then those requiring more fields.
    fn union_rank(&self, t: &TypeRef) -> UnionRank {
        use std::cmp::Reverse;
        let plain = |rank: u8| (rank, 0, Reverse(0), Reverse(0));
        match t {
            TypeRef::Named(id) => match &self.space.types[id.0].kind {
                TypeKind::Enum { .. } => plain(0),
                TypeKind::Newtype { validation } if validation.pattern.is_some() => plain(5),
                TypeKind::Newtype { .. } => plain(6),
                TypeKind::Struct { fields, .. } => {
                    let pinned = fields.iter().any(|f| self.is_const(&f.ty));
                    let required = fields.iter().filter(|f| f.required).count();
                    (7, u8::from(!pinned), Reverse(required), Reverse(fields.len()))
                }
                TypeKind::Union { .. } => plain(8),
                TypeKind::Alias(inner) => self.union_rank(inner),
            },
            TypeRef::Boolean => plain(1),
            TypeRef::Integer(_) => plain(2),
            TypeRef::Number | TypeRef::Float32 => plain(3),
            TypeRef::DateTime => plain(4),
            TypeRef::Vec(_) => plain(9),
            TypeRef::Map(_) => plain(10),
            TypeRef::String => plain(11),
            TypeRef::Boxed(inner) => self.union_rank(inner),
            TypeRef::Any => plain(12),
        }
    }

    /// A single-value enum: a constant.
    fn is_const(&self, t: &TypeRef) -> bool {
        matches!(t, TypeRef::Named(id) if matches!(&self.space.get(*id).kind, TypeKind::Enum { variants } if variants.len() == 1))
    }

    /// Properties `(wire name, pointer)` of the schema at `ptr` and of its `allOf` branches
    /// (after refs), in order, and the names they require. Each schema is collected once
    /// (`memo`), and a branch that leads back to a schema being collected (`on_path`) is
    /// skipped, so `allOf` cycles and diamonds stay linear instead of exponential.
    fn collect_properties(
        &self,
        ptr: &str,
        memo: &mut BTreeMap<String, Collected>,
        on_path: &mut BTreeSet<String>,
        depth: usize,
    ) -> Collected {
        if let Some(done) = memo.get(ptr) {
            return done.clone();
        }
        let mut out: Vec<(String, String)> = Vec::new();
        let mut required = BTreeSet::new();
        if depth > 16 || !on_path.insert(ptr.to_string()) {
            return (out, required);
        }
        let s = self.schema(ptr);
        if let Some(branches) = s.member("allOf").and_then(Value::as_array) {
            for i in 0..branches.len() {
                let b = self.target(&format!("{ptr}/allOf/{i}"));
                let (props, req) = self.collect_properties(&b, memo, on_path, depth + 1);
                for (k, p) in props {
                    out.retain(|(w, _)| *w != k);
                    out.push((k, p));
                }
                required.extend(req);
            }
        }
        if let Some(props) = s.member("properties").and_then(Value::as_object) {
            for k in props.keys() {
                out.retain(|(w, _)| w != k);
                out.push((k.clone(), pointer::join(&format!("{ptr}/properties"), k)));
            }
        }
        if let Some(req) = s.member("required").and_then(Value::as_array) {
            required.extend(req.iter().filter_map(Value::as_str).map(str::to_string));
        }
        on_path.remove(ptr);
        memo.insert(ptr.to_string(), (out.clone(), required.clone()));
        (out, required)
    }

    fn lower_struct(&mut self, ptr: &str) -> TypeRef {
        let id = self.alloc(ptr);
        let (props, required) = self.collect_properties(ptr, &mut BTreeMap::new(), &mut BTreeSet::new(), 0);
        let members: Vec<(String, String)> = props.iter().map(|(w, _)| (w.clone(), naming::field_name(w))).collect();
        let locked = self.lock.and_then(|l| l.fields.get(ptr));
        let mut names = names_lock::member_names(&mut Scope::default(), &members, locked).into_iter();
        let mut fields = Vec::new();
        for (wire, fptr) in props {
            let ty = self.lower(&fptr);
            let doc = self.field_doc(&fptr);
            fields.push(Field {
                name: names.next().expect("one name per property"),
                required: required.contains(&wire),
                nullable: self.nullable(&fptr),
                checks: self.checks(&fptr, &ty, 0),
                wire,
                ty,
                doc,
            });
        }
        let extra = self.extra_values(ptr);
        self.space.types[id.0].kind = TypeKind::Struct { fields, extra };
        TypeRef::Named(id)
    }

    /// The values under keys other than the fixed properties, and their key pattern:
    /// from `x-pattern-properties` (one pattern: its schema; several: any JSON value),
    /// else from an `additionalProperties` schema. `None` when other keys are not described.
    fn extra_values(&mut self, ptr: &str) -> Option<(TypeRef, Option<String>)> {
        let s = self.schema(ptr);
        if let Some(Value::Object(pats)) = s.member("x-pattern-properties") {
            if let (1, Some(pat)) = (pats.len(), pats.keys().next()) {
                let vptr = pointer::join(&format!("{ptr}/x-pattern-properties"), pat);
                return Some((self.lower(&vptr), Some(pat.clone())));
            }
            if !pats.is_empty() {
                return Some((TypeRef::Any, None));
            }
        }
        match s.member("additionalProperties") {
            Some(Value::Object(_)) => Some((self.lower(&format!("{ptr}/additionalProperties")), None)),
            _ => None,
        }
    }

    /// Constraints at `ptr` (after refs) that the lowered type `ty` does not enforce itself.
    fn checks(&self, ptr: &str, ty: &TypeRef, depth: usize) -> Checks {
        let target = self.target(ptr);
        let s = self.schema(&target);
        let num = |k: &str| s.member(k).and_then(Value::as_f64);
        let count = |k: &str| s.member(k).and_then(Value::as_u64);
        match ty {
            TypeRef::String => Checks { string: self.validation(&target), ..Checks::default() },
            TypeRef::Integer(_) | TypeRef::Number | TypeRef::Float32 => {
                let exclusive = |k: &str| s.member(k) == Some(&Value::Bool(true));
                Checks {
                    minimum: num("minimum"),
                    maximum: num("maximum"),
                    exclusive_minimum: exclusive("exclusiveMinimum"),
                    exclusive_maximum: exclusive("exclusiveMaximum"),
                    ..Checks::default()
                }
            }
            TypeRef::Vec(item) if depth < 8 => {
                let items = self.checks(&format!("{target}/items"), item, depth + 1);
                Checks {
                    min_items: count("minItems"),
                    max_items: count("maxItems"),
                    items: (!items.is_empty()).then(|| Box::new(items)),
                    ..Checks::default()
                }
            }
            TypeRef::Map(value) if depth < 8 => {
                let vptr = match s.member("x-pattern-properties").and_then(Value::as_object) {
                    Some(p) if p.len() == 1 => {
                        p.keys().next().map(|k| pointer::join(&format!("{target}/x-pattern-properties"), k))
                    }
                    _ => Some(format!("{target}/additionalProperties")),
                };
                let items = vptr.map(|v| self.checks(&v, value, depth + 1)).unwrap_or_default();
                Checks { items: (!items.is_empty()).then(|| Box::new(items)), ..Checks::default() }
            }
            _ => Checks::default(),
        }
    }

    fn field_doc(&self, ptr: &str) -> Option<String> {
        let here = self.schema(ptr).member("description").and_then(Value::as_str);
        let there = || self.schema(&self.target(ptr)).member("description").and_then(Value::as_str);
        here.or_else(there).map(str::to_string)
    }
}

/// Properties `(wire name, pointer)` of an object schema and the names it requires.
type Collected = (Vec<(String, String)>, BTreeSet<String>);

/// Sort key of a union alternative (see `Lowerer::union_rank`).
type UnionRank = (u8, u8, std::cmp::Reverse<usize>, std::cmp::Reverse<usize>);

/// Collects the values of `s` when it is an inline string enum, or a `oneOf`/`anyOf`
/// whose alternatives all are (recursively); false otherwise (`$ref`s included).
fn inline_enum_values(s: &Value, out: &mut Vec<Value>) -> bool {
    if s.member("$ref").is_some() {
        return false;
    }
    for kw in ["oneOf", "anyOf"] {
        if let Some(branches) = s.member(kw).and_then(Value::as_array) {
            let n = alternatives(branches);
            return n > 0 && branches[..n].iter().all(|b| inline_enum_values(b, out));
        }
    }
    let ty = s.member("type").and_then(Value::as_str);
    match s.member("enum").and_then(Value::as_array) {
        Some(values)
            if !values.is_empty() && values.iter().all(Value::is_string) && matches!(ty, None | Some("string")) =>
        {
            out.extend(values.iter().cloned());
            true
        }
        _ => false,
    }
}

/// Whether a `oneOf`/`anyOf` branch only admits null: `{type: T, nullable: true,
/// enum: [null]}`, OpenAPI 3.0's way to write a null alternative (the 3.0.3
/// form of a 3.1 `{type: 'null'}` beside a `$ref`, see `openapi31::finish`).
pub(crate) fn null_branch(b: &Value) -> bool {
    b.member("nullable") == Some(&Value::Bool(true))
        && b.member("$ref").is_none()
        && b.member("enum").and_then(Value::as_array).is_some_and(|e| !e.is_empty() && e.iter().all(Value::is_null))
}

/// How many of `branches` are alternatives: all but the trailing [`null_branch`]es.
fn alternatives(branches: &[Value]) -> usize {
    branches.iter().rposition(|b| !null_branch(b)).map_or(0, |i| i + 1)
}

/// The Rust integer type for an `integer` schema's `format` (`i64` when absent or unknown).
fn integer_type(s: &Value) -> &'static str {
    match s.member("format").and_then(Value::as_str) {
        Some("int8") => "i8",
        Some("int16") => "i16",
        Some("int32") => "i32",
        Some("uint8") => "u8",
        Some("uint16") => "u16",
        Some("uint32") => "u32",
        Some("uint64") => "u64",
        _ => "i64",
    }
}

/// (wire value, natural variant name) for the string values of an enum, in spec
/// order, duplicates dropped. Of two values that differ only in case (`asc`,
/// `ASC`) the first keeps the plain name and the other gets an `Upper`/`Lower`
/// suffix rather than a number; other clashes are numbered.
pub fn enum_members(values: &[Value]) -> Vec<(String, String)> {
    let mut scope = Scope::with_reserved(&naming::ENUM_VARIANTS);
    let mut seen = BTreeSet::new();
    // The values so far in lower case: one lookup per value (comparing with
    // each earlier value was quadratic: 250,000 conversions on Losant).
    let mut lowered = BTreeSet::new();
    let mut out = Vec::new();
    for v in values.iter().filter_map(Value::as_str) {
        if !seen.insert(v) {
            continue;
        }
        let base = if v.is_empty() { "Empty".to_string() } else { naming::type_name(v) };
        let case_only = !lowered.insert(v.to_lowercase());
        let alt = if !case_only {
            None
        } else if v.chars().all(|c| !c.is_lowercase()) {
            Some(format!("{base}Upper"))
        } else if v.chars().all(|c| !c.is_uppercase()) {
            Some(format!("{base}Lower"))
        } else {
            None
        };
        let name = match alt {
            Some(alt) if scope.is_taken(&base) && !scope.is_taken(&alt) => scope.claim(alt),
            _ => scope.claim(base),
        };
        out.push((v.to_string(), name));
    }
    out
}

/// A schema with no shape of its own: only `required`, `minProperties`, descriptions and the like.
fn constraint_only(branch: &Value) -> bool {
    const SHAPE: [&str; 11] = [
        "type",
        "properties",
        "$ref",
        "enum",
        "items",
        "allOf",
        "oneOf",
        "anyOf",
        "additionalProperties",
        "format",
        "nullable",
    ];
    branch.as_object().is_some_and(|o| !o.keys().any(|k| SHAPE.contains(&k.as_str())))
}

/// Wraps struct fields in `Box` where a type contains itself without indirection.
pub fn break_cycles(space: &mut TypeSpace) {
    fn direct(t: &TypeRef, out: &mut Vec<TypeId>) {
        match t {
            TypeRef::Named(id) => out.push(*id),
            TypeRef::Boxed(_) | TypeRef::Vec(_) | TypeRef::Map(_) => {}
            _ => {}
        }
    }
    fn edges(def: &TypeDef) -> Vec<TypeId> {
        let mut out = Vec::new();
        match &def.kind {
            TypeKind::Struct { fields, .. } => fields.iter().for_each(|f| direct(&f.ty, &mut out)),
            TypeKind::Union { variants } => variants.iter().for_each(|(_, t)| direct(t, &mut out)),
            TypeKind::Alias(t) => direct(t, &mut out),
            _ => {}
        }
        out
    }
    let reaches = |space: &TypeSpace, from: TypeId, to: TypeId| -> bool {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from];
        while let Some(n) = stack.pop() {
            if n == to {
                return true;
            }
            if seen.insert(n) {
                stack.extend(edges(space.get(n)));
            }
        }
        false
    };
    for i in 0..space.types.len() {
        let me = TypeId(i);
        let to_box: Vec<(usize, bool)> = match &space.types[i].kind {
            TypeKind::Struct { fields, .. } => fields
                .iter()
                .enumerate()
                .filter_map(|(j, f)| match f.ty {
                    TypeRef::Named(t) if reaches(space, t, me) => Some((j, true)),
                    _ => None,
                })
                .collect(),
            TypeKind::Union { variants } => variants
                .iter()
                .enumerate()
                .filter_map(|(j, (_, t))| match t {
                    TypeRef::Named(t) if reaches(space, *t, me) => Some((j, false)),
                    _ => None,
                })
                .collect(),
            _ => vec![],
        };
        for (j, is_field) in to_box {
            match &mut space.types[i].kind {
                TypeKind::Struct { fields, .. } if is_field => {
                    let t = std::mem::replace(&mut fields[j].ty, TypeRef::Any);
                    fields[j].ty = TypeRef::Boxed(Box::new(t));
                }
                TypeKind::Union { variants } => {
                    let t = std::mem::replace(&mut variants[j].1, TypeRef::Any);
                    variants[j].1 = TypeRef::Boxed(Box::new(t));
                }
                _ => {}
            }
        }
    }
}

/// Marks types reachable from `roots` as used in requests or responses.
pub fn mark_usage(space: &mut TypeSpace, roots: &[TypeRef], request: bool) {
    fn visit(space: &mut TypeSpace, t: &TypeRef, request: bool) {
        match t {
            TypeRef::Named(id) => {
                let def = &mut space.types[id.0];
                let flag = if request { &mut def.in_request } else { &mut def.in_response };
                if *flag {
                    return;
                }
                *flag = true;
                let children: Vec<TypeRef> = match &def.kind {
                    TypeKind::Struct { fields, extra } => {
                        fields.iter().map(|f| f.ty.clone()).chain(extra.iter().map(|(t, _)| t.clone())).collect()
                    }
                    TypeKind::Union { variants } => variants.iter().map(|(_, t)| t.clone()).collect(),
                    TypeKind::Alias(t) => vec![t.clone()],
                    _ => vec![],
                };
                for c in children {
                    visit(space, &c, request);
                }
            }
            TypeRef::Vec(t) | TypeRef::Map(t) | TypeRef::Boxed(t) => visit(space, t, request),
            _ => {}
        }
    }
    for r in roots {
        visit(space, r, request);
    }
}
