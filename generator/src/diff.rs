//! Semantic API diff: what changed between two lowered APIs, and what it
//! means for users of the generated Rust crate.
//!
//! Both sides are [`Api`]s (after overlays, normalization and lowering),
//! so the classification follows what the crate exposes, not the YAML.
//! Items are matched by stable identity: an operation by its id (then by
//! method and path), a type by its schema pointer (then, for a schema that
//! moved, by its Rust name), a parameter by location and wire name, a field
//! by wire name, an enum variant by wire value, a union alternative by name.
//!
//! Every [`Change`] has an [`Impact`]:
//! - [`Impact::Breaking`]: code that compiles against the old crate may not
//!   compile against the new one;
//! - [`Impact::Additive`]: only new public items;
//! - [`Impact::Patch`]: the Rust API is unchanged, but requests or checks
//!   behave differently.
//!
//! The rules (see [`render::LEGEND`] for the text shown in reports): required
//! parameters and a required body are arguments of the operation method,
//! optional ones are builder setters, so moving a parameter between the two
//! is breaking in either direction. Generated structs are exhaustive with
//! `pub` fields: a new field is breaking for a type used in requests (struct
//! literals stop compiling) and additive for a type only decoded from
//! responses, unless [`Options::strict`] takes cargo-semver-checks' view
//! (`constructible_struct_adds_field`: every new field is major). String
//! enums and unions are `#[non_exhaustive]` with an `Unknown` variant, so a
//! new value or alternative is additive.

pub mod cli;
mod operations;
pub mod render;
mod types;

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{Api, Operation, Param, ParamIn, TypeId, TypeKind, TypeRef, Validation};
use crate::names_lock::NameLock;

/// How a change affects users of the generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Impact {
    /// The Rust API is unchanged; wire or runtime behaviour changes.
    Patch,
    /// New public items only.
    Additive,
    /// Existing code may stop compiling.
    Breaking,
}

impl Impact {
    /// `patch`, `additive` or `breaking`.
    pub fn as_str(self) -> &'static str {
        match self {
            Impact::Patch => "patch",
            Impact::Additive => "additive",
            Impact::Breaking => "breaking",
        }
    }
}

/// One classified change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Its impact.
    pub impact: Impact,
    /// A stable code, e.g. `parameter-required`.
    pub kind: &'static str,
    /// What changed, in Markdown.
    pub text: String,
}

/// The changes of one operation.
#[derive(Debug, Clone)]
pub struct OperationDiff {
    /// Operation id (the new one when both sides have it).
    pub id: String,
    /// HTTP method (new side when present).
    pub method: String,
    /// Path template.
    pub path: String,
    /// How it is called, e.g. `client.instance_orgs().get(instance_id)`.
    pub call: String,
    /// What changed.
    pub changes: Vec<Change>,
}

/// The changes of one generated type.
#[derive(Debug, Clone)]
pub struct TypeDiff {
    /// Schema pointer (new side when present).
    pub pointer: String,
    /// Rust name (new side when present).
    pub name: String,
    /// Where the type comes from and where it is used.
    pub context: String,
    /// What changed.
    pub changes: Vec<Change>,
}

/// A public name the lock kept: without the lock it would be `natural`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// `type`, `field`, `operation`, …
    pub what: &'static str,
    /// The identity (pointer, operation id, …).
    pub identity: String,
    /// The name generated (the locked one).
    pub locked: String,
    /// The name the spec alone would give.
    pub natural: String,
}

/// How the lock relates to the new API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LockStatus {
    /// The lock file, as given.
    pub path: String,
    /// Names of the new API that the lock does not record yet.
    pub missing: usize,
    /// Lock entries the new API no longer has (or names it cannot keep).
    pub stale: usize,
}

/// Classification options.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// cargo-semver-checks' view: a new field in any struct is breaking,
    /// also in types only used in responses.
    pub strict: bool,
}

/// The diff of two APIs.
#[derive(Debug, Clone)]
pub struct Report {
    /// Old `info.title` and `info.version`.
    pub old: (String, String),
    /// New `info.title` and `info.version`.
    pub new: (String, String),
    /// Operations with changes, by id.
    pub operations: Vec<OperationDiff>,
    /// Types with changes, by pointer.
    pub types: Vec<TypeDiff>,
    /// Names the lock kept (filled by [`held_names`]).
    pub held: Vec<Held>,
    /// The lock's state (filled by [`lock_status`]).
    pub lock: Option<LockStatus>,
    /// Whether [`Options::strict`] was used.
    pub strict: bool,
}

impl Report {
    /// Every change, with the operation id or type name it belongs to.
    pub fn changes(&self) -> impl Iterator<Item = (&str, &Change)> {
        let ops = self.operations.iter().flat_map(|o| o.changes.iter().map(move |c| (o.id.as_str(), c)));
        let types = self.types.iter().flat_map(|t| t.changes.iter().map(move |c| (t.name.as_str(), c)));
        ops.chain(types)
    }

    /// The largest impact, `None` when nothing changed.
    pub fn impact(&self) -> Option<Impact> {
        self.changes().map(|(_, c)| c.impact).max()
    }

    /// Number of changes with `impact`.
    pub fn count(&self, impact: Impact) -> usize {
        self.changes().filter(|(_, c)| c.impact == impact).count()
    }
}

/// A semver bump.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    /// No new version needed.
    None,
    /// `x.y.Z`.
    Patch,
    /// `x.Y.0`.
    Minor,
    /// `X.0.0`.
    Major,
}

impl Bump {
    /// `none`, `patch`, `minor`, `major`.
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }

    /// The bump a crate at `major.x.y` needs for changes of `impact`: Cargo
    /// treats `0.y` as the compatibility boundary before 1.0, so before 1.0 a
    /// breaking change bumps the minor version and an addition the patch
    /// version; from 1.0 they bump major and minor.
    pub fn needed(impact: Option<Impact>, pre_1_0: bool) -> Bump {
        match (impact, pre_1_0) {
            (None, _) => Bump::None,
            (Some(Impact::Patch), _) | (Some(Impact::Additive), true) => Bump::Patch,
            (Some(Impact::Additive), false) | (Some(Impact::Breaking), true) => Bump::Minor,
            (Some(Impact::Breaking), false) => Bump::Major,
        }
    }
}

/// Parses `MAJOR.MINOR.PATCH` (a pre-release or build suffix is ignored).
pub fn parse_version(v: &str) -> Option<(u64, u64, u64)> {
    let core = v.trim().split(['-', '+']).next()?;
    let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
    let v = (parts.next()??, parts.next()??, parts.next()??);
    parts.next().is_none().then_some(v)
}

/// The version after `bump`.
pub fn next_version((major, minor, patch): (u64, u64, u64), bump: Bump) -> String {
    match bump {
        Bump::None => format!("{major}.{minor}.{patch}"),
        Bump::Patch => format!("{major}.{minor}.{}", patch + 1),
        Bump::Minor => format!("{major}.{}.0", minor + 1),
        Bump::Major => format!("{}.0.0", major + 1),
    }
}

/// Names recorded in `lock` that `locked` (generated with the lock) kept and
/// `natural` (the same spec without the lock) would have changed.
pub fn held_names(natural: &Api, locked: &Api, lock: &NameLock) -> Vec<Held> {
    let (n, l) = (NameLock::from_api(natural), NameLock::from_api(locked));
    let empty = NameLock::default();
    let recorded: BTreeSet<(&str, String)> = lock.differences(&empty).into_iter().map(|d| (d.0, d.1)).collect();
    l.differences(&n)
        .into_iter()
        .filter(|(what, identity, _, _)| recorded.contains(&(*what, identity.clone())))
        .filter_map(|(what, identity, locked, natural)| {
            Some(Held { what, identity, locked: locked.to_string(), natural: natural?.to_string() })
        })
        .collect()
}

/// How `lock` relates to the names of `api` (generated with that lock).
pub fn lock_status(path: &str, lock: &NameLock, api: &Api) -> LockStatus {
    let now = NameLock::from_api(api);
    LockStatus { path: path.to_string(), missing: now.differences(lock).len(), stale: lock.differences(&now).len() }
}

/// Diffs two APIs.
pub fn diff(old: &Api, new: &Api, options: Options) -> Report {
    let types = match_types(old, new);
    let cx = Cx { old, new, old_to_new: types.iter().filter_map(|p| Some((p.0?, p.1?))).collect(), options };
    let mut type_diffs: Vec<TypeDiff> = types.iter().filter_map(|&(o, n)| cx.type_diff(o, n)).collect();
    type_diffs.sort_by(|a, b| a.pointer.cmp(&b.pointer));
    let mut op_diffs: Vec<OperationDiff> =
        match_operations(old, new).into_iter().filter_map(|(o, n)| cx.operation_diff(o, n)).collect();
    op_diffs.sort_by(|a, b| a.id.cmp(&b.id));
    Report {
        old: (old.title.clone(), old.version.clone()),
        new: (new.title.clone(), new.version.clone()),
        operations: op_diffs,
        types: type_diffs,
        held: Vec::new(),
        lock: None,
        strict: options.strict,
    }
}

/// Pairs types by pointer, then unmatched ones by Rust name and kind (a schema that moved).
fn match_types(old: &Api, new: &Api) -> Vec<(Option<TypeId>, Option<TypeId>)> {
    let index = |api: &Api| -> BTreeMap<String, TypeId> {
        api.types.types.iter().enumerate().map(|(i, d)| (d.pointer.clone(), TypeId(i))).collect()
    };
    let (oi, ni) = (index(old), index(new));
    let mut pairs = Vec::new();
    let mut old_left = Vec::new();
    for (p, &o) in &oi {
        match ni.get(p) {
            Some(&n) => pairs.push((Some(o), Some(n))),
            None => old_left.push(o),
        }
    }
    let mut new_left: BTreeMap<(String, &'static str), TypeId> = ni
        .iter()
        .filter(|(p, _)| !oi.contains_key(*p))
        .map(|(_, &n)| ((new.types.get(n).name.clone(), kind_name(&new.types.get(n).kind)), n))
        .collect();
    for o in old_left {
        let def = old.types.get(o);
        match new_left.remove(&(def.name.clone(), kind_name(&def.kind))) {
            Some(n) => pairs.push((Some(o), Some(n))),
            None => pairs.push((Some(o), None)),
        }
    }
    pairs.extend(new_left.into_values().map(|n| (None, Some(n))));
    pairs
}

/// Pairs operations by id, then unmatched ones by method and path.
fn match_operations<'a>(old: &'a Api, new: &'a Api) -> Vec<(Option<&'a Operation>, Option<&'a Operation>)> {
    let oi: BTreeMap<&str, &Operation> = old.operations.iter().map(|o| (o.id.as_str(), o)).collect();
    let ni: BTreeMap<&str, &Operation> = new.operations.iter().map(|o| (o.id.as_str(), o)).collect();
    let mut pairs = Vec::new();
    let mut old_left = Vec::new();
    for (id, o) in &oi {
        match ni.get(id) {
            Some(n) => pairs.push((Some(*o), Some(*n))),
            None => old_left.push(*o),
        }
    }
    let mut new_left: BTreeMap<(&str, &str), &Operation> = ni
        .iter()
        .filter(|(id, _)| !oi.contains_key(*id))
        .map(|(_, n)| ((n.method.as_str(), n.path.as_str()), *n))
        .collect();
    for o in old_left {
        pairs.push((Some(o), new_left.remove(&(o.method.as_str(), o.path.as_str()))));
    }
    pairs.extend(new_left.into_values().map(|n| (None, Some(n))));
    pairs
}

fn kind_name(k: &TypeKind) -> &'static str {
    match k {
        TypeKind::Struct { .. } => "struct",
        TypeKind::Enum { .. } => "string enum",
        TypeKind::Union { .. } => "union (oneOf/anyOf enum)",
        TypeKind::Newtype { .. } => "validated string newtype",
        TypeKind::Alias(_) => "type alias",
    }
}

/// Renders a use-site type; `named` renders a named type.
fn location(l: ParamIn) -> &'static str {
    match l {
        ParamIn::Path => "path",
        ParamIn::Query => "query",
        ParamIn::Header => "header",
    }
}

fn describe_validation(v: &Validation) -> String {
    let mut parts = Vec::new();
    if let Some(p) = &v.pattern {
        parts.push(format!("pattern `{p}`"));
    }
    if let Some(n) = v.min_length {
        parts.push(format!("minLength {n}"));
    }
    if let Some(n) = v.max_length {
        parts.push(format!("maxLength {n}"));
    }
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

fn change(impact: Impact, kind: &'static str, text: String) -> Change {
    Change { impact, kind, text }
}

/// Diffing context: both sides and the type pairing.
struct Cx<'a> {
    old: &'a Api,
    new: &'a Api,
    old_to_new: BTreeMap<TypeId, TypeId>,
    options: Options,
}

/// Which side a type or operation comes from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Old,
    New,
}

impl<'a> Cx<'a> {
    fn api(&self, side: Side) -> &'a Api {
        match side {
            Side::Old => self.old,
            Side::New => self.new,
        }
    }

    /// A type rendered for comparison: named types by their (new-side) identity.
    fn key(&self, side: Side, t: &TypeRef) -> String {
        t.render(&|id| match side {
            Side::New => format!("#{}", self.new.types.get(id).pointer),
            Side::Old => match self.old_to_new.get(&id) {
                Some(n) => format!("#{}", self.new.types.get(*n).pointer),
                None => format!("#old:{}", self.old.types.get(id).pointer),
            },
        })
    }

    /// A type rendered for people: named types by their Rust name.
    fn show(&self, side: Side, t: &TypeRef) -> String {
        self.api(side).types.rust_type(t)
    }

    /// The argument type of a parameter, as the builder takes it.
    fn param_type(&self, side: Side, p: &Param, show: bool) -> String {
        let space = &self.api(side).types;
        let stringly = match &p.ty {
            TypeRef::String => true,
            TypeRef::Named(id) => {
                p.location == ParamIn::Path && matches!(space.get(*id).kind, TypeKind::Newtype { .. })
            }
            _ => false,
        };
        let inner = if stringly {
            "String".to_string()
        } else if show {
            self.show(side, &p.ty)
        } else {
            self.key(side, &p.ty)
        };
        format!("impl Into<{inner}>")
    }
}

/// Breaking first, then in the order found.
fn sorted(mut changes: Vec<Change>) -> Vec<Change> {
    changes.sort_by_key(|c| std::cmp::Reverse(c.impact));
    changes
}

/// Where a type comes from and where it is used.
fn context(api: &Api, id: TypeId) -> String {
    let def = api.types.get(id);
    let origin = match &def.component {
        Some(c) if def.pointer == crate::pointer::join("/components/schemas", c) => format!("component `{c}`"),
        Some(c) => format!("inside component `{c}`"),
        None => inline_use(api, id).unwrap_or_else(|| "inline schema".into()),
    };
    let usage = match (def.in_request, def.in_response) {
        (true, true) => "used in requests and responses",
        (true, false) => "used in requests",
        (false, true) => "used in responses",
        (false, false) => "not used by any operation",
    };
    format!("{origin}; {usage}")
}

/// The first operation position that uses `id` directly.
fn inline_use(api: &Api, id: TypeId) -> Option<String> {
    fn is(t: &TypeRef, id: TypeId) -> bool {
        match t {
            TypeRef::Named(x) => *x == id,
            TypeRef::Vec(t) | TypeRef::Map(t) | TypeRef::Boxed(t) => is(t, id),
            _ => false,
        }
    }
    for op in &api.operations {
        if op.body.as_ref().is_some_and(|(t, _)| is(t, id)) {
            return Some(format!("request body of `{}`", op.id));
        }
        if op.success.1.as_ref().is_some_and(|t| is(t, id)) {
            return Some(format!("response of `{}`", op.id));
        }
        if let Some(p) = op.params.iter().find(|p| is(&p.ty, id)) {
            return Some(format!("{} parameter `{}` of `{}`", location(p.location), p.wire, op.id));
        }
    }
    None
}
