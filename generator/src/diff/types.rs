//! Type changes: names, kinds, struct fields, enum values, union alternatives.

use std::collections::BTreeSet;

use crate::ir::{Field, TypeDef, TypeId, TypeKind, TypeRef};

use super::{change, context, describe_validation, kind_name, sorted, Change, Cx, Impact, Side, TypeDiff};

impl Cx<'_> {
    pub(super) fn type_diff(&self, o: Option<TypeId>, n: Option<TypeId>) -> Option<TypeDiff> {
        let (side, id) = match (o, n) {
            (_, Some(n)) => (Side::New, n),
            (Some(o), None) => (Side::Old, o),
            (None, None) => return None,
        };
        let def = self.api(side).types.get(id);
        let changes = match (o, n) {
            (None, Some(_)) => {
                vec![change(Impact::Additive, "type-added", format!("new {} `{}`", kind_name(&def.kind), def.name))]
            }
            (Some(_), None) => vec![change(Impact::Breaking, "type-removed", format!("`{}` removed", def.name))],
            (Some(o), Some(n)) => self.type_changes(self.old.types.get(o), self.new.types.get(n)),
            (None, None) => Vec::new(),
        };
        if changes.is_empty() {
            return None;
        }
        Some(TypeDiff {
            pointer: def.pointer.clone(),
            name: def.name.clone(),
            context: context(self.api(side), id),
            changes: sorted(changes),
        })
    }

    fn type_changes(&self, o: &TypeDef, n: &TypeDef) -> Vec<Change> {
        let mut out = Vec::new();
        if o.name != n.name {
            out.push(change(Impact::Breaking, "type-renamed", format!("renamed: `{}` is now `{}`", o.name, n.name)));
        }
        if o.pointer != n.pointer {
            out.push(change(
                Impact::Patch,
                "type-moved",
                format!("schema moved from `#{}`; the Rust type is unchanged", o.pointer),
            ));
        }
        match (&o.kind, &n.kind) {
            (TypeKind::Struct { .. }, TypeKind::Struct { .. }) => self.struct_changes(o, n, &mut out),
            (TypeKind::Enum { variants: vo }, TypeKind::Enum { variants: vn }) => enum_changes(vo, vn, &mut out),
            (TypeKind::Union { variants: vo }, TypeKind::Union { variants: vn }) => {
                self.union_changes(vo, vn, &mut out)
            }
            (TypeKind::Newtype { validation: a }, TypeKind::Newtype { validation: b }) => {
                if a != b {
                    out.push(change(
                        Impact::Patch,
                        "validation-changed",
                        format!(
                            "values are checked with {} (was {}): `new`, `FromStr` and decoding accept different strings",
                            describe_validation(b),
                            describe_validation(a)
                        ),
                    ));
                }
            }
            (TypeKind::Alias(a), TypeKind::Alias(b)) => {
                if self.key(Side::Old, a) != self.key(Side::New, b) {
                    out.push(change(
                        Impact::Breaking,
                        "alias-retyped",
                        format!("now an alias of `{}` (was `{}`)", self.show(Side::New, b), self.show(Side::Old, a)),
                    ));
                }
            }
            (a, b) => out.push(change(
                Impact::Breaking,
                "type-kind-changed",
                format!("now a {} (was a {})", kind_name(b), kind_name(a)),
            )),
        }
        out
    }

    /// The fields (and the map of other keys) of two struct types.
    fn struct_changes(&self, o: &TypeDef, n: &TypeDef, out: &mut Vec<Change>) {
        let (TypeKind::Struct { fields: fo, extra: eo }, TypeKind::Struct { fields: fnew, extra: en }) =
            (&o.kind, &n.kind)
        else {
            return;
        };
        // Users build types that requests take; a new field breaks their struct literals.
        let literal_breaks = o.in_request || self.options.strict;
        let added_impact = if literal_breaks { Impact::Breaking } else { Impact::Additive };
        let why = if o.in_request {
            " (struct literals of this request type must now set it)"
        } else if self.options.strict {
            " (strict: struct literals and exhaustive patterns must now name it)"
        } else {
            ""
        };
        let old_wires: BTreeSet<&str> = fo.iter().map(|f| f.wire.as_str()).collect();
        for f in fnew.iter().filter(|f| !old_wires.contains(f.wire.as_str())) {
            let req = if f.required { "required" } else { "optional" };
            out.push(change(
                added_impact,
                "field-added",
                format!(
                    "new {req} field `{}`: `pub {}: {}`{why}",
                    f.wire,
                    f.name,
                    wrap_field(f, n.in_request, self.show(Side::New, &f.ty))
                ),
            ));
        }
        for f in fo {
            let Some(g) = fnew.iter().find(|g| g.wire == f.wire) else {
                out.push(change(
                    Impact::Breaking,
                    "field-removed",
                    format!(
                        "field `{}` removed (`pub {}: {}`)",
                        f.wire,
                        f.name,
                        wrap_field(f, o.in_request, self.show(Side::Old, &f.ty))
                    ),
                ));
                continue;
            };
            if f.name != g.name {
                out.push(change(
                    Impact::Breaking,
                    "field-renamed",
                    format!("field `{}`: `{}` is now `{}`", f.wire, f.name, g.name),
                ));
            }
            let (bo, bn) = (self.key(Side::Old, &f.ty), self.key(Side::New, &g.ty));
            let (to, tn) = (wrap_field(f, o.in_request, bo.clone()), wrap_field(g, n.in_request, bn.clone()));
            let shown = || {
                (
                    wrap_field(f, o.in_request, self.show(Side::Old, &f.ty)),
                    wrap_field(g, n.in_request, self.show(Side::New, &g.ty)),
                )
            };
            let impact = if to != tn { Impact::Breaking } else { Impact::Patch };
            let types = || {
                let (a, b) = shown();
                if a == b {
                    format!("the Rust type stays `{b}`")
                } else {
                    format!("`{a}` → `{b}`")
                }
            };
            let w = &f.wire;
            if bo != bn {
                out.push(change(Impact::Breaking, "field-retyped", format!("field `{w}`: {}", types())));
            } else if f.required != g.required {
                let (kind, what) =
                    if g.required { ("field-required", "required") } else { ("field-optional", "optional") };
                out.push(change(impact, kind, format!("field `{w}` is now {what}: {}", types())));
            } else if f.nullable != g.nullable {
                let (kind, what) =
                    if g.nullable { ("field-nullable", "nullable") } else { ("field-not-nullable", "not nullable") };
                out.push(change(impact, kind, format!("field `{w}` is now {what}: {}", types())));
            } else if to != tn {
                let why = if n.in_request && !o.in_request {
                    " (the type is now used in requests, where an optional nullable field is a `Patch`)"
                } else if o.in_request && !n.in_request {
                    " (the type is no longer used in requests)"
                } else {
                    ""
                };
                out.push(change(Impact::Breaking, "field-retyped", format!("field `{w}`: {}{why}", types())));
            }
        }
        let (no, nn) = (extra_field_name(fo), extra_field_name(fnew));
        match (eo, en) {
            (None, Some((t, _))) => out.push(change(
                added_impact,
                "field-added",
                format!("new field `pub {nn}: BTreeMap<String, {}>` for other keys{why}", self.show(Side::New, t)),
            )),
            (Some(_), None) => out.push(change(
                Impact::Breaking,
                "field-removed",
                format!("field `{no}` removed: other keys are no longer collected"),
            )),
            (Some((a, _)), Some((b, _))) => {
                if no != nn {
                    out.push(change(Impact::Breaking, "field-renamed", format!("field `{no}` is now `{nn}`")));
                }
                if self.key(Side::Old, a) != self.key(Side::New, b) {
                    out.push(change(
                        Impact::Breaking,
                        "field-retyped",
                        format!(
                            "field `{nn}`: `BTreeMap<String, {}>` → `BTreeMap<String, {}>`",
                            self.show(Side::Old, a),
                            self.show(Side::New, b)
                        ),
                    ));
                }
            }
            (None, None) => {}
        }
        match (derives_default(fo), derives_default(fnew)) {
            (true, false) => out.push(change(
                Impact::Breaking,
                "default-removed",
                format!("`{}` no longer implements `Default` (it has a required field now)", n.name),
            )),
            (false, true) => out.push(change(
                Impact::Additive,
                "default-added",
                format!("`{}` now implements `Default` (no field is required any more)", n.name),
            )),
            _ => {}
        }
    }

    fn union_changes(&self, vo: &[(String, TypeRef)], vn: &[(String, TypeRef)], out: &mut Vec<Change>) {
        for (name, t) in vn.iter().filter(|(name, _)| !vo.iter().any(|(m, _)| m == name)) {
            out.push(change(
                Impact::Additive,
                "union-variant-added",
                format!(
                    "new alternative `{name}({})` (such values used to decode as `Unknown(…)`)",
                    self.show(Side::New, t)
                ),
            ));
        }
        for (name, a) in vo {
            match vn.iter().find(|(m, _)| m == name) {
                None => out.push(change(
                    Impact::Breaking,
                    "union-variant-removed",
                    format!("alternative `{name}({})` removed", self.show(Side::Old, a)),
                )),
                Some((_, b)) if self.key(Side::Old, a) != self.key(Side::New, b) => out.push(change(
                    Impact::Breaking,
                    "union-variant-retyped",
                    format!(
                        "alternative `{name}` holds `{}` (was `{}`)",
                        self.show(Side::New, b),
                        self.show(Side::Old, a)
                    ),
                )),
                Some(_) => {}
            }
        }
    }
}

fn enum_changes(vo: &[(String, String)], vn: &[(String, String)], out: &mut Vec<Change>) {
    for (v, w) in vn.iter().filter(|(_, w)| !vo.iter().any(|(_, x)| x == w)) {
        out.push(change(Impact::Additive, "enum-value-added", format!("new value `{w}` (variant `{v}`)")));
    }
    for (v, w) in vo {
        match vn.iter().find(|(_, x)| x == w) {
            None => {
                out.push(change(Impact::Breaking, "enum-value-removed", format!("value `{w}` removed (variant `{v}`)")))
            }
            Some((u, _)) if u != v => out.push(change(
                Impact::Breaking,
                "enum-variant-renamed",
                format!("value `{w}`: variant `{v}` is now `{u}`"),
            )),
            Some(_) => {}
        }
    }
}

/// The Rust type of a struct field around its base type, as emitted.
fn wrap_field(f: &Field, in_request: bool, base: String) -> String {
    match (f.required, f.nullable) {
        (true, false) => base,
        (true, true) => format!("Option<{base}>"),
        (false, true) if in_request => format!("Patch<{base}>"),
        (false, _) => format!("Option<{base}>"),
    }
}

/// A struct derives `Default` when no field is required.
fn derives_default(fields: &[Field]) -> bool {
    fields.iter().all(|f| !f.required)
}

/// The name of the flattened field holding other keys, as emitted.
fn extra_field_name(fields: &[Field]) -> &'static str {
    if fields.iter().any(|f| f.name == "additional_properties") {
        "additional_properties_"
    } else {
        "additional_properties"
    }
}
