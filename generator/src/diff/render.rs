//! Rendering a [`Report`]: Markdown for a pull request, JSON for tools.

use serde_json::{json, Value};

use super::{next_version, parse_version, Bump, Change, Impact, Report};

/// How changes are classified, shown at the end of every Markdown report.
pub const LEGEND: &str = "\
- **Breaking**: code written against the old crate may stop compiling. **Additive**: new public items only. \
**Patch**: the Rust API is unchanged, but requests or checks behave differently.
- **Semver**: before 1.0 Cargo treats `0.y` as the compatibility boundary, so a breaking change bumps the minor \
version (`0.1.4` → `0.2.0`) and an additive or patch change bumps the patch version; from 1.0 they bump the major, \
minor and patch version.
- **Parameters and body**: a required parameter (and a required body) is an argument of the operation method, an \
optional one is a builder setter. A new required parameter is breaking, a new optional one additive; optional → \
required and required → optional are both breaking (an argument becomes a setter or the reverse); a new Rust type \
is breaking. Renaming a required argument is not: argument names are not part of the API.
- **Struct fields**: generated structs are exhaustive, with `pub` fields and no constructor, so requests are built \
with struct literals. A new field in a type used in requests is breaking: literals that do not end in \
`..Default::default()` stop compiling (and only types without required fields derive `Default`). A new field in a \
type only decoded from responses is additive: code that reads it keeps compiling. cargo-semver-checks \
(`constructible_struct_adds_field`) calls every new `pub` field major, because a literal or an exhaustive pattern \
`let T { a, b } = t` could name all fields; `--strict` takes that view. A changed Rust type (`T` ↔ `Option<T>`, \
`Option<T>` ↔ `Patch<T>`, another type) and losing `Default` are breaking.
- **Enums**: string enums and unions (`oneOf`/`anyOf`) are `#[non_exhaustive]` with an `Unknown` variant, so a new \
value or alternative is additive (it used to decode as `Unknown(…)`, so a `match` arm on that no longer sees it); a \
removed or retyped one, or a renamed variant, is breaking.
- **Renames** of any public name are breaking; `spec/names.lock` keeps names stable, and a rename happens only when \
the lock is edited.";

fn label(i: Impact) -> &'static str {
    match i {
        Impact::Breaking => "**Breaking**",
        Impact::Additive => "Additive",
        Impact::Patch => "Patch",
    }
}

/// The bump advice: `(bump, next version)` for a crate at `crate_version`,
/// or the bumps before and from 1.0 when no version is given.
fn headline(report: &Report, crate_version: Option<&str>) -> String {
    let impact = report.impact();
    let Some(impact) = impact else {
        return "**No API changes**: the generated crate needs no new version.".into();
    };
    let what = match impact {
        Impact::Breaking => "breaking changes",
        Impact::Additive => "additive changes only",
        Impact::Patch => "no change to the Rust API",
    };
    match crate_version.and_then(parse_version) {
        Some(v) => {
            let bump = Bump::needed(Some(impact), v.0 == 0);
            let (a, b, c) = v;
            format!("**Semver: {} bump**, {a}.{b}.{c} → {} ({what}).", bump.as_str(), next_version(v, bump))
        }
        None => format!(
            "**Semver: {what}**: bump the {} version while the crate is 0.x, the {} version from 1.0.",
            Bump::needed(Some(impact), true).as_str(),
            Bump::needed(Some(impact), false).as_str()
        ),
    }
}

fn change_line(c: &Change) -> String {
    format!("  - {}: {}\n", label(c.impact), c.text)
}

/// The report as Markdown, ready to paste into a pull request.
pub fn markdown(report: &Report, crate_version: Option<&str>) -> String {
    let mut s = String::new();
    let (ot, ov) = &report.old;
    let (nt, nv) = &report.new;
    if ot == nt {
        s.push_str(&format!("## API diff: {nt} {ov} → {nv}\n\n"));
    } else {
        s.push_str(&format!("## API diff: {ot} {ov} → {nt} {nv}\n\n"));
    }
    s.push_str(&headline(report, crate_version));
    s.push_str("\n\n");
    if report.impact().is_some() {
        s.push_str("| Breaking | Additive | Patch |\n|---:|---:|---:|\n");
        s.push_str(&format!(
            "| {} | {} | {} |\n\n",
            report.count(Impact::Breaking),
            report.count(Impact::Additive),
            report.count(Impact::Patch)
        ));
    }
    if !report.operations.is_empty() {
        s.push_str("### Operations\n\n");
        for o in &report.operations {
            s.push_str(&format!("- `{}` `{} {}`: `{}`\n", o.id, o.method, o.path, o.call));
            o.changes.iter().for_each(|c| s.push_str(&change_line(c)));
        }
        s.push('\n');
    }
    if !report.types.is_empty() {
        s.push_str("### Types\n\n");
        for t in &report.types {
            s.push_str(&format!("- `{}` (`#{}`; {})\n", t.name, t.pointer, t.context));
            t.changes.iter().for_each(|c| s.push_str(&change_line(c)));
        }
        s.push('\n');
    }
    if !report.held.is_empty() {
        s.push_str("### Names kept by the lock\n\nWithout the name lock these public names would change:\n\n");
        for h in &report.held {
            s.push_str(&format!("- {} `{}`: `{}` (would be `{}`)\n", h.what, h.identity, h.locked, h.natural));
        }
        s.push('\n');
    }
    if let Some(l) = &report.lock {
        if l.missing > 0 || l.stale > 0 {
            s.push_str(&format!(
                "**`{}` is out of date** (new names not recorded: {}; entries that no longer apply: {}). \
                 Refresh it on purpose with `openapi-clientgen lock SPEC --overlay … --out {}` and commit it.\n\n",
                l.path, l.missing, l.stale, l.path
            ));
        }
    }
    if report.strict {
        s.push_str("Classified with `--strict` (cargo-semver-checks' view of new struct fields).\n\n");
    }
    s.push_str("<details><summary>How changes are classified</summary>\n\n");
    s.push_str(LEGEND);
    s.push_str("\n\n</details>\n");
    s
}

fn changes_json(changes: &[Change]) -> Value {
    changes.iter().map(|c| json!({"impact": c.impact.as_str(), "kind": c.kind, "text": c.text})).collect()
}

/// The report as JSON.
pub fn json(report: &Report, crate_version: Option<&str>) -> Value {
    let impact = report.impact();
    let version = crate_version.and_then(parse_version);
    let bump = version.map(|v| Bump::needed(impact, v.0 == 0));
    json!({
        "old": {"title": report.old.0, "version": report.old.1},
        "new": {"title": report.new.0, "version": report.new.1},
        "impact": impact.map(Impact::as_str),
        "bump": {
            "before_1_0": Bump::needed(impact, true).as_str(),
            "from_1_0": Bump::needed(impact, false).as_str(),
            "crate_version": crate_version,
            "needed": bump.map(Bump::as_str),
            "next_version": version.zip(bump).map(|(v, b)| next_version(v, b)),
        },
        "counts": {
            "breaking": report.count(Impact::Breaking),
            "additive": report.count(Impact::Additive),
            "patch": report.count(Impact::Patch),
        },
        "strict": report.strict,
        "operations": report.operations.iter().map(|o| json!({
            "id": o.id, "method": o.method, "path": o.path, "call": o.call, "changes": changes_json(&o.changes),
        })).collect::<Vec<_>>(),
        "types": report.types.iter().map(|t| json!({
            "pointer": t.pointer, "name": t.name, "context": t.context, "changes": changes_json(&t.changes),
        })).collect::<Vec<_>>(),
        "held": report.held.iter().map(|h| json!({
            "what": h.what, "identity": h.identity, "locked": h.locked, "natural": h.natural,
        })).collect::<Vec<_>>(),
        "lock": report.lock.as_ref().map(|l| json!({"path": l.path, "missing": l.missing, "stale": l.stale})),
    })
}
