//! Lowering schemas into the type arena.
//!
//! Every schema location is lowered once, memoized by its JSON pointer, so a
//! deep `$ref` (`#/components/schemas/a/properties/b`) reuses exactly the
//! type generated for its target. Named types get their id before their
//! children are lowered, so recursive and forward refs resolve.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::ir::{Field, TypeDef, TypeId, TypeKind, TypeRef, TypeSpace, Validation};
use crate::naming::{self, Scope};
use crate::pointer;

/// Lowers schemas of one document.
pub struct Lowerer<'a> {
    doc: &'a Value,
    /// The arena being built.
    pub space: TypeSpace,
    names: Scope,
    /// Pointer -> Rust base name for locations that are not component schemas (operation bodies).
    pub hints: BTreeMap<String, String>,
}

/// Names the generated code reserves at the top of the `types` module.
const RESERVED: [&str; 8] = ["Client", "Error", "Result", "Value", "Map", "String", "Vec", "Option"];

impl<'a> Lowerer<'a> {
    /// A lowerer for `doc` (already overlaid, normalized and checked).
    pub fn new(doc: &'a Value) -> Self {
        Lowerer { doc, space: TypeSpace::default(), names: Scope::with_reserved(&RESERVED), hints: BTreeMap::new() }
    }

    /// Lowers every component schema, in document order.
    pub fn lower_components(&mut self) {
        let keys: Vec<String> = self
            .doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        for k in keys {
            let ptr = pointer::join("/components/schemas", &k);
            let ty = self.lower(&ptr);
            // A component that lowered to a plain type still gets a name, as an alias.
            if !matches!(ty, TypeRef::Named(_)) {
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

    fn schema(&self, ptr: &str) -> &'a Value {
        pointer::get_ptr(self.doc, ptr).unwrap_or(&Value::Null)
    }

    /// Follows `$ref`s from `ptr` to the pointer of a real schema (bounded; the
    /// checker already reported cycles and dangling refs).
    pub fn target(&self, ptr: &str) -> String {
        let mut cur = ptr.to_string();
        for _ in 0..64 {
            let Some(r) = self.schema(&cur).get("$ref").and_then(Value::as_str) else { return cur };
            match pointer::parse_ref(r) {
                Ok(t) => cur = pointer::to_pointer(&t),
                Err(_) => return cur,
            }
        }
        cur
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
                if let Some(n) = self.schema(ptr).get("x-rust-name").and_then(Value::as_str) {
                    return naming::type_name(n);
                }
                return naming::type_name(&key);
            }
        }
        let Some((parent, last)) = pointer::split_last(ptr) else { return "Root".into() };
        match last.as_str() {
            "items" => format!("{}Item", self.base_name(parent)),
            "additionalProperties" => format!("{}Value", self.base_name(parent)),
            "schema" => self.base_name(parent),
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
        let base = self.base_name(ptr);
        self.names.claim(base)
    }

    fn doc_of(&self, ptr: &str) -> Option<String> {
        let s = self.schema(ptr);
        let title = s.get("title").and_then(Value::as_str);
        let desc = s.get("description").and_then(Value::as_str);
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

    /// Whether the schema at `ptr` (or the one it refers to) is nullable.
    pub fn nullable(&self, ptr: &str) -> bool {
        let here = self.schema(ptr).get("nullable") == Some(&Value::Bool(true));
        here || self.schema(&self.target(ptr)).get("nullable") == Some(&Value::Bool(true))
    }

    /// String checks of the schema at `ptr` (after refs).
    pub fn validation(&self, ptr: &str) -> Validation {
        let s = self.schema(&self.target(ptr));
        Validation {
            pattern: s.get("pattern").and_then(Value::as_str).map(str::to_string),
            min_length: s.get("minLength").and_then(Value::as_u64),
            max_length: s.get("maxLength").and_then(Value::as_u64),
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
        self.space.by_pointer.insert(ptr.to_string(), t.clone());
        t
    }

    fn lower_schema(&mut self, ptr: &str) -> TypeRef {
        let s = self.schema(ptr);
        let is_component = ptr.strip_prefix("/components/schemas/").is_some_and(|r| !r.contains('/'));
        let ty = s.get("type").and_then(Value::as_str);
        for kw in ["oneOf", "anyOf"] {
            if let Some(branches) = s.get(kw).and_then(Value::as_array) {
                if branches.len() == 1 {
                    return self.lower(&format!("{ptr}/{kw}/0"));
                }
                if !branches.is_empty() {
                    return self.lower_union(ptr, kw, branches.len());
                }
            }
        }
        if let Some(branches) = s.get("allOf").and_then(Value::as_array) {
            if branches.len() == 1 && s.get("properties").is_none() {
                return self.lower(&format!("{ptr}/allOf/0"));
            }
            if !branches.is_empty() {
                return self.lower_struct(ptr);
            }
        }
        if let Some(values) = s.get("enum").and_then(Value::as_array) {
            if values.iter().all(Value::is_string) && (ty.is_none() || ty == Some("string")) && !values.is_empty() {
                return self.lower_enum(ptr, values);
            }
        }
        match ty {
            Some("string") => {
                let v = self.validation(ptr);
                if s.get("format").and_then(Value::as_str) == Some("date-time") {
                    TypeRef::DateTime
                } else if is_component && !v.is_empty() {
                    let id = self.alloc(ptr);
                    self.space.types[id.0].kind = TypeKind::Newtype { validation: v };
                    TypeRef::Named(id)
                } else {
                    TypeRef::String
                }
            }
            Some("integer") => {
                TypeRef::Integer(if s.get("format").and_then(Value::as_str) == Some("int32") { "i32" } else { "i64" })
            }
            Some("number") => TypeRef::Number,
            Some("boolean") => TypeRef::Boolean,
            Some("array") => {
                let item = self.lower(&format!("{ptr}/items"));
                TypeRef::Vec(Box::new(item))
            }
            _ => {
                let has_fields = s.get("properties").and_then(Value::as_object).is_some_and(|m| !m.is_empty())
                    || s.get("x-pattern-properties").is_some();
                if has_fields {
                    self.lower_struct(ptr)
                } else if ty == Some("object") || s.get("additionalProperties").is_some() {
                    match s.get("additionalProperties") {
                        Some(Value::Object(_)) => {
                            let v = self.lower(&format!("{ptr}/additionalProperties"));
                            TypeRef::Map(Box::new(v))
                        }
                        _ => TypeRef::Map(Box::new(TypeRef::Any)),
                    }
                } else {
                    TypeRef::Any
                }
            }
        }
    }

    fn lower_enum(&mut self, ptr: &str, values: &[Value]) -> TypeRef {
        let id = self.alloc(ptr);
        let mut scope = Scope::with_reserved(&["Unknown"]);
        let variants = values
            .iter()
            .filter_map(Value::as_str)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(|v| {
                let n = if v.is_empty() { "Empty".to_string() } else { naming::type_name(v) };
                (scope.claim(n), v.to_string())
            })
            .collect::<Vec<_>>();
        // Keep spec order for readability; the BTreeSet only removed duplicates.
        let order: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        let mut variants = variants;
        variants.sort_by_key(|(_, w)| order.iter().position(|o| o == w));
        self.space.types[id.0].kind = TypeKind::Enum { variants };
        TypeRef::Named(id)
    }

    fn lower_union(&mut self, ptr: &str, kw: &str, n: usize) -> TypeRef {
        let id = self.alloc(ptr);
        let mut branches = Vec::new();
        for i in 0..n {
            let bptr = format!("{ptr}/{kw}/{i}");
            let t = self.lower(&bptr);
            branches.push(t);
        }
        let mut scope = Scope::default();
        let mut variants: Vec<(u8, String, TypeRef)> = branches
            .into_iter()
            .map(|t| {
                let name = scope.claim(self.variant_name(&t));
                (self.specificity(&t), name, t)
            })
            .collect();
        // Most specific first: an untagged enum takes the first variant that decodes.
        variants.sort_by_key(|(rank, _, _)| *rank);
        self.space.types[id.0].kind =
            TypeKind::Union { variants: variants.into_iter().map(|(_, n, t)| (n, t)).collect() };
        TypeRef::Named(id)
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
            TypeRef::Number => "Number".into(),
            TypeRef::Boolean => "Boolean".into(),
            TypeRef::Any => "Any".into(),
            TypeRef::Vec(_) => "List".into(),
            TypeRef::Map(_) => "Map".into(),
            TypeRef::Boxed(inner) => self.variant_name(inner),
        }
    }

    fn specificity(&self, t: &TypeRef) -> u8 {
        match t {
            TypeRef::Named(id) => match &self.space.types[id.0].kind {
                TypeKind::Enum { .. } => 0,
                TypeKind::Newtype { .. } => 4,
                TypeKind::Struct { .. } => 5,
                TypeKind::Union { .. } => 6,
                TypeKind::Alias(inner) => self.specificity(inner),
            },
            TypeRef::Boolean => 1,
            TypeRef::Integer(_) => 2,
            TypeRef::Number => 3,
            TypeRef::DateTime => 4,
            TypeRef::Vec(_) => 7,
            TypeRef::Map(_) => 8,
            TypeRef::String => 9,
            TypeRef::Boxed(inner) => self.specificity(inner),
            TypeRef::Any => 10,
        }
    }

    /// Properties of the schema at `ptr` and of its `allOf` branches (after refs), in order.
    fn collect_properties(
        &self,
        ptr: &str,
        out: &mut Vec<(String, String)>,
        required: &mut BTreeSet<String>,
        depth: usize,
    ) {
        let s = self.schema(ptr);
        if depth > 16 {
            return;
        }
        if let Some(branches) = s.get("allOf").and_then(Value::as_array) {
            for i in 0..branches.len() {
                let b = self.target(&format!("{ptr}/allOf/{i}"));
                self.collect_properties(&b, out, required, depth + 1);
            }
        }
        if let Some(props) = s.get("properties").and_then(Value::as_object) {
            for k in props.keys() {
                out.retain(|(w, _)| w != k);
                out.push((k.clone(), pointer::join(&format!("{ptr}/properties"), k)));
            }
        }
        if let Some(req) = s.get("required").and_then(Value::as_array) {
            required.extend(req.iter().filter_map(Value::as_str).map(str::to_string));
        }
    }

    fn lower_struct(&mut self, ptr: &str) -> TypeRef {
        let id = self.alloc(ptr);
        let mut props = Vec::new();
        let mut required = BTreeSet::new();
        self.collect_properties(ptr, &mut props, &mut required, 0);
        let mut scope = Scope::default();
        let mut fields = Vec::new();
        for (wire, fptr) in props {
            let ty = self.lower(&fptr);
            let doc = self.field_doc(&fptr);
            fields.push(Field {
                name: scope.claim(naming::field_name(&wire)),
                required: required.contains(&wire),
                nullable: self.nullable(&fptr),
                wire,
                ty,
                doc,
            });
        }
        let s = self.schema(ptr);
        let extra = if let Some(Value::Object(pats)) = s.get("x-pattern-properties") {
            let (pat, _) = pats.iter().next().map(|(k, v)| (k.clone(), v)).unwrap_or_default();
            let vptr = pointer::join(&format!("{ptr}/x-pattern-properties"), &pat);
            let t = if pats.len() == 1 { self.lower(&vptr) } else { TypeRef::Any };
            Some((t, if pats.len() == 1 { Some(pat) } else { None }))
        } else if let Some(Value::Object(_)) = s.get("additionalProperties") {
            Some((self.lower(&format!("{ptr}/additionalProperties")), None))
        } else {
            None
        };
        self.space.types[id.0].kind = TypeKind::Struct { fields, extra };
        TypeRef::Named(id)
    }

    fn field_doc(&self, ptr: &str) -> Option<String> {
        let here = self.schema(ptr).get("description").and_then(Value::as_str);
        let there = || self.schema(&self.target(ptr)).get("description").and_then(Value::as_str);
        here.or_else(there).map(str::to_string)
    }
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
