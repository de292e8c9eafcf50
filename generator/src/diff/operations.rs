//! Operation changes: identity, parameters, body, response, pagination.

use crate::ir::{Events, Operation, Param, ParamIn, QueryStyle};
use crate::names_lock;

use super::{change, describe_validation, location, sorted, Change, Cx, Impact, OperationDiff, Side};

impl Cx<'_> {
    fn response(&self, side: Side, op: &Operation, show: bool) -> String {
        if let Some(events) = op.events.as_ref().filter(|_| crate::emit_bodies::events_only(op)) {
            return format!("EventStream<{}>", self.events_item(side, events, show));
        }
        match &op.success.1 {
            Some(t) if show => self.show(side, t),
            Some(t) => self.key(side, t),
            None => "()".into(),
        }
    }

    /// What an event stream yields: the events' type, or raw `Event`s.
    fn events_item(&self, side: Side, events: &Events, show: bool) -> String {
        match &events.item {
            Some(t) if show => self.show(side, t),
            Some(t) => self.key(side, t),
            None => "Event".into(),
        }
    }

    /// `send_events()`, beside another success body: added, removed, retyped.
    fn events_changes(&self, o: &Operation, n: &Operation, out: &mut Vec<Change>) {
        fn beside(op: &Operation) -> Option<&Events> {
            op.events.as_ref().filter(|_| !crate::emit_bodies::events_only(op))
        }
        match (beside(o), beside(n)) {
            (None, Some(e)) => out.push(change(
                Impact::Additive,
                "events-added",
                format!(
                    "new `send_events()`, streaming `{}` (`{}`)",
                    self.events_item(Side::New, e, true),
                    e.content_type
                ),
            )),
            (Some(_), None) => out.push(change(
                Impact::Breaking,
                "events-removed",
                "`send_events()` is gone: the response no longer offers server-sent events beside its body".into(),
            )),
            (Some(a), Some(b)) if self.events_item(Side::Old, a, false) != self.events_item(Side::New, b, false) => out
                .push(change(
                    Impact::Breaking,
                    "events-retyped",
                    format!(
                        "`send_events()` now streams `{}` (was `{}`)",
                        self.events_item(Side::New, b, true),
                        self.events_item(Side::Old, a, true)
                    ),
                )),
            _ => {}
        }
        let terminator = |op: &Operation| op.events.as_ref().and_then(|e| e.terminator.clone());
        if o.events.is_some() && n.events.is_some() && terminator(o) != terminator(n) {
            let show = |t: Option<String>| t.map_or("none".to_string(), |t| format!("`{t}`"));
            out.push(change(
                Impact::Patch,
                "events-terminator-changed",
                format!("the event stream's terminator is now {} (was {})", show(terminator(n)), show(terminator(o))),
            ));
        }
    }

    pub(super) fn operation_diff(&self, o: Option<&Operation>, n: Option<&Operation>) -> Option<OperationDiff> {
        let op = n.or(o)?;
        let changes = match (o, n) {
            (None, Some(n)) => vec![self.operation_added(n)],
            (Some(o), None) => {
                let gone = !self.new.operations.iter().any(|n| n.resource == o.resource);
                let extra = if gone { format!(" (and with it `client.{}()`)", o.resource) } else { String::new() };
                vec![change(
                    Impact::Breaking,
                    "operation-removed",
                    format!("operation removed: `{}` and its builder `{}` are gone{extra}", call(o), builder(o)),
                )]
            }
            (Some(o), Some(n)) => self.operation_changes(o, n),
            (None, None) => Vec::new(),
        };
        if changes.is_empty() {
            return None;
        }
        Some(OperationDiff {
            id: op.id.clone(),
            method: op.method.clone(),
            path: op.path.clone(),
            call: call(op),
            changes: sorted(changes),
        })
    }

    fn operation_added(&self, n: &Operation) -> Change {
        let new_resource = !self.old.operations.iter().any(|o| o.resource == n.resource);
        let extra = if new_resource { format!(" (new resource `client.{}()`)", n.resource) } else { String::new() };
        change(
            Impact::Additive,
            "operation-added",
            format!("new operation, returning `{}`{extra}", self.response(Side::New, n, true)),
        )
    }

    fn operation_changes(&self, o: &Operation, n: &Operation) -> Vec<Change> {
        let mut out = Vec::new();
        if (&o.resource, &o.action) != (&n.resource, &n.action) {
            out.push(change(
                Impact::Breaking,
                "operation-renamed",
                format!(
                    "renamed: `{}` is now `{}` (builder `{}` is now `{}`)",
                    call(o),
                    call(n),
                    builder(o),
                    builder(n)
                ),
            ));
        }
        if o.id != n.id {
            out.push(change(
                Impact::Patch,
                "operation-id-changed",
                format!("operation id `{}` is now `{}`", o.id, n.id),
            ));
        }
        if (&o.method, &o.path) != (&n.method, &n.path) {
            out.push(change(
                Impact::Patch,
                "operation-moved",
                format!(
                    "now sent as `{} {}` (was `{} {}`); the Rust API is unchanged",
                    n.method, n.path, o.method, o.path
                ),
            ));
        }
        self.param_changes(o, n, &mut out);
        // Required parameters are positional: the same arguments in another order still
        // compile when their types agree, and then send the wrong values.
        let order = |a: &Operation, b: &Operation| -> Vec<String> {
            a.params
                .iter()
                .filter(|p| p.required && b.params.iter().any(|q| q.required && q.wire == p.wire))
                .map(|p| p.wire.clone())
                .collect()
        };
        let (was, now) = (order(o, n), order(n, o));
        if was != now {
            out.push(change(
                Impact::Breaking,
                "arguments-reordered",
                format!(
                    "`{}(…)` takes its arguments in another order: `{}` (was `{}`)",
                    n.action,
                    now.join(", "),
                    was.join(", ")
                ),
            ));
        }
        self.body_changes(o, n, &mut out);
        let (ro, rn) = (self.response(Side::Old, o, false), self.response(Side::New, n, false));
        if ro != rn {
            out.push(change(
                Impact::Breaking,
                "response-retyped",
                format!(
                    "`send()` now returns `{}` (was `{}`)",
                    self.response(Side::New, n, true),
                    self.response(Side::Old, o, true)
                ),
            ));
        } else if o.success.0 != n.success.0 {
            out.push(change(
                Impact::Patch,
                "response-status-changed",
                format!("success status is now {} (was {})", n.success.0, o.success.0),
            ));
        }
        self.events_changes(o, n, &mut out);
        match (&o.paginated, &n.paginated) {
            (None, Some(item)) => out.push(change(
                Impact::Additive,
                "pagination-added",
                format!("new `.stream()` over all pages, yielding `{}`", self.show(Side::New, item)),
            )),
            (Some(_), None) => out.push(change(
                Impact::Breaking,
                "pagination-removed",
                "`.stream()` is gone: the operation is no longer paginated".into(),
            )),
            (Some(a), Some(b)) if ro == rn && self.key(Side::Old, a) != self.key(Side::New, b) => out.push(change(
                Impact::Breaking,
                "pagination-retyped",
                format!("`.stream()` now yields `{}` (was `{}`)", self.show(Side::New, b), self.show(Side::Old, a)),
            )),
            _ => {}
        }
        out
    }

    fn param_changes(&self, o: &Operation, n: &Operation, out: &mut Vec<Change>) {
        let key = |p: &Param| names_lock::param_key(p.location, &p.wire);
        let mut pairs: Vec<(Option<&Param>, Option<&Param>)> = Vec::new();
        let mut new_left: Vec<&Param> =
            n.params.iter().filter(|p| !o.params.iter().any(|q| key(q) == key(p))).collect();
        for p in &o.params {
            match n.params.iter().find(|q| key(q) == key(p)) {
                Some(q) => pairs.push((Some(p), Some(q))),
                None => {
                    // The same wire name in another location: the parameter moved.
                    let moved = new_left.iter().position(|q| q.wire == p.wire);
                    pairs.push((Some(p), moved.map(|i| new_left.remove(i))));
                }
            }
        }
        pairs.extend(new_left.into_iter().map(|q| (None, Some(q))));
        for (p, q) in pairs {
            match (p, q) {
                (None, Some(q)) if q.required => out.push(change(
                    Impact::Breaking,
                    "parameter-added",
                    format!(
                        "new required {} parameter `{}`: `{}(…)` takes a new argument `{}: {}`",
                        location(q.location),
                        q.wire,
                        n.action,
                        q.name,
                        self.param_type(Side::New, q, true)
                    ),
                )),
                (None, Some(q)) => out.push(change(
                    Impact::Additive,
                    "parameter-added",
                    format!(
                        "new optional {} parameter `{}`: setter `.{}({})`",
                        location(q.location),
                        q.wire,
                        q.name,
                        self.param_type(Side::New, q, true)
                    ),
                )),
                (Some(p), None) => out.push(change(
                    Impact::Breaking,
                    "parameter-removed",
                    format!("{} parameter `{}` removed: {} is gone", location(p.location), p.wire, param_use(o, p)),
                )),
                (Some(p), Some(q)) => self.param_change(o, n, p, q, out),
                (None, None) => {}
            }
        }
    }

    fn param_change(&self, o: &Operation, n: &Operation, p: &Param, q: &Param, out: &mut Vec<Change>) {
        let w = &q.wire;
        if p.location != q.location {
            out.push(change(
                Impact::Patch,
                "parameter-moved",
                format!("`{w}` is now sent as a {} parameter (was {})", location(q.location), location(p.location)),
            ));
        }
        if p.required != q.required {
            let (kind, text) = if q.required {
                (
                    "parameter-required",
                    format!(
                        "`{w}` is now required: {} is gone, `{}(…)` takes it as an argument",
                        param_use(o, p),
                        n.action
                    ),
                )
            } else {
                (
                    "parameter-optional",
                    format!("`{w}` is now optional: {} is gone, it is set with `.{}(…)`", param_use(o, p), q.name),
                )
            };
            out.push(change(Impact::Breaking, kind, text));
        } else if p.name != q.name {
            if q.required {
                out.push(change(
                    Impact::Patch,
                    "parameter-renamed",
                    format!(
                        "argument `{}` of `{}(…)` is now `{}` (argument names are not part of the API)",
                        p.name, n.action, q.name
                    ),
                ));
            } else {
                out.push(change(
                    Impact::Breaking,
                    "parameter-renamed",
                    format!("setter `.{}(…)` for `{w}` is now `.{}(…)`", p.name, q.name),
                ));
            }
        }
        if self.param_type(Side::Old, p, false) != self.param_type(Side::New, q, false) {
            out.push(change(
                Impact::Breaking,
                "parameter-retyped",
                format!(
                    "`{w}` takes `{}` (was `{}`)",
                    self.param_type(Side::New, q, true),
                    self.param_type(Side::Old, p, true)
                ),
            ));
        }
        if p.location == ParamIn::Query && q.location == ParamIn::Query && p.style != q.style {
            out.push(change(
                Impact::Patch,
                "parameter-style-changed",
                format!("`{w}` is serialized as {} (was {})", style(q.style), style(p.style)),
            ));
        }
        if p.validation != q.validation {
            out.push(change(
                Impact::Patch,
                "parameter-validation-changed",
                format!(
                    "`{w}` is checked with {} (was {}) before the request is sent",
                    describe_validation(&q.validation),
                    describe_validation(&p.validation)
                ),
            ));
        }
    }

    fn body_changes(&self, o: &Operation, n: &Operation, out: &mut Vec<Change>) {
        match (&o.body, &n.body) {
            (None, Some((t, true))) => out.push(change(
                Impact::Breaking,
                "body-added",
                format!("new required request body: `{}(…)` takes `body: {}`", n.action, self.show(Side::New, t)),
            )),
            (None, Some((t, false))) => out.push(change(
                Impact::Additive,
                "body-added",
                format!("new optional request body: setter `.body({})`", self.show(Side::New, t)),
            )),
            (Some((_, required)), None) => {
                let gone = if *required {
                    format!("the `body` argument of `{}(…)`", o.action)
                } else {
                    "`.body(…)`".into()
                };
                out.push(change(Impact::Breaking, "body-removed", format!("request body removed: {gone} is gone")));
            }
            (Some((a, ra)), Some((b, rb))) => {
                if ra != rb {
                    let (kind, text) = if *rb {
                        (
                            "body-required",
                            format!("request body is now required: `.body(…)` is gone, `{}(…)` takes `body`", n.action),
                        )
                    } else {
                        (
                            "body-optional",
                            format!(
                                "request body is now optional: `{}(…)` no longer takes `body`, use `.body(…)`",
                                n.action
                            ),
                        )
                    };
                    out.push(change(Impact::Breaking, kind, text));
                }
                if self.key(Side::Old, a) != self.key(Side::New, b) {
                    out.push(change(
                        Impact::Breaking,
                        "body-retyped",
                        format!(
                            "request body is now `{}` (was `{}`)",
                            self.show(Side::New, b),
                            self.show(Side::Old, a)
                        ),
                    ));
                }
            }
            (None, None) => {}
        }
    }
}

fn style(s: QueryStyle) -> &'static str {
    match s {
        QueryStyle::Form { explode: true } => "form (exploded)",
        QueryStyle::Form { explode: false } => "form (comma-separated)",
        QueryStyle::DeepObject => "deepObject",
        QueryStyle::Json => "JSON",
    }
}

/// `client.resource().action(args)`.
fn call(op: &Operation) -> String {
    let mut args: Vec<&str> = op.params.iter().filter(|p| p.required).map(|p| p.name.as_str()).collect();
    if let Some((_, true)) = op.body {
        args.push("body");
    }
    format!("client.{}().{}({})", op.resource, op.action, args.join(", "))
}

/// The builder struct, e.g. `InstanceOrgsGet`.
fn builder(op: &Operation) -> String {
    crate::emit_ops::builder_name(op)
}

/// How a parameter is passed: `the argument `x` of `get(…)`` or `the setter `.x(…)``.
fn param_use(op: &Operation, p: &Param) -> String {
    if p.required {
        format!("the argument `{}` of `{}(…)`", p.name, op.action)
    } else {
        format!("the setter `.{}(…)`", p.name)
    }
}
