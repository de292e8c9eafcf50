//! Which resource an operation belongs to (`client.resource().action()`), and
//! its method name there.
//!
//! The rule, first that applies:
//! 1. an id with a `.` is `resource.action` (`instanceOrgs.get`);
//! 2. an id with a `/` is `resource/action` (GitHub-style `repos/get`,
//!    `actions/list-jobs`);
//! 3. otherwise the operation's first tag is the resource, without the
//!    words every such tag starts with (Twilio's `AccountsV1Aws`,
//!    `AccountsV1PublicKey` give `aws` and `public_key`);
//! 4. without tags, the path's first literal segment that is not a version
//!    (`/v1/Credentials/AWS` gives `credentials`; `v1`, `2.0` are skipped);
//! 5. else `ops`.
//!
//! In cases 3 and 4 the method is the whole id in snake case, minus the
//! trailing words it shares with the resource name, singular or plural
//! (`CreateCredentialAws` in `aws` gives `create_credential`, `addPet` in
//! `pets` gives `add`) when that leaves a name no other
//! operation of the resource gets; otherwise the whole id.

use std::collections::BTreeMap;

use crate::naming;

/// One operation as the rule sees it.
pub struct Input<'a> {
    /// The operation id (given or derived, see [`crate::ops::operation_id`]).
    pub id: &'a str,
    /// Its first tag.
    pub tag: Option<&'a str>,
    /// Its path template.
    pub path: &'a str,
}

/// `(resource, action)` of every operation, in input order (snake case).
pub fn group(ops: &[Input<'_>]) -> Vec<(String, String)> {
    let words = |s: &str| -> Vec<String> { naming::field_name(s).split('_').map(str::to_string).collect() };
    // Words every tag of an operation without its own separator starts with.
    let tags: Vec<Vec<String>> =
        ops.iter().filter(|o| separated(o.id).is_none()).filter_map(|o| o.tag).map(words).collect();
    let shared = match tags.split_first() {
        Some((first, rest)) => {
            let common = (0..first.len()).take_while(|&i| rest.iter().all(|t| t.get(i) == first.get(i))).count();
            // Keep at least one word of every tag.
            common.min(tags.iter().map(|t| t.len().saturating_sub(1)).min().unwrap_or(0))
        }
        None => 0,
    };
    let mut out: Vec<(String, String, Option<String>)> = ops
        .iter()
        .map(|o| {
            if let Some((r, a)) = separated(o.id) {
                return (naming::field_name(r), naming::field_name(a), None);
            }
            let resource = match o.tag {
                Some(tag) => words(tag)[shared..].join("_"),
                None => path_resource(o.path).unwrap_or_else(|| "ops".to_string()),
            };
            let action = naming::field_name(o.id);
            let short = strip_shared_suffix(&action, &resource);
            (resource, action, short)
        })
        .collect();
    // A short name is used only where it is unique within its resource.
    let mut count: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (r, a, short) in &out {
        *count.entry((r, short.as_deref().unwrap_or(a))).or_default() += 1;
        if short.is_some() {
            *count.entry((r, a)).or_default() += 1;
        }
    }
    let unique: Vec<bool> =
        out.iter().map(|(r, _, short)| short.as_deref().is_some_and(|s| count[&(r.as_str(), s)] == 1)).collect();
    for ((_, action, short), unique) in out.iter_mut().zip(unique) {
        if let (Some(s), true) = (short.take(), unique) {
            *action = s;
        }
    }
    out.into_iter().map(|(r, a, _)| (r, a)).collect()
}

/// `resource` and `action` of an id with its own separator: `.` (as it always
/// was, even with an empty side), else `/` between two names.
fn separated(id: &str) -> Option<(&str, &str)> {
    id.split_once('.').or_else(|| id.split_once('/').filter(|(r, a)| !r.is_empty() && !a.is_empty()))
}

/// The first literal path segment that is not a version (`v1`, `v2010-04-01`, `2.0`).
fn path_resource(path: &str) -> Option<String> {
    let version = |s: &str| {
        let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
        !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-')
    };
    path.split('/')
        .find(|s| !s.is_empty() && !s.starts_with('{') && !version(s))
        .map(naming::field_name)
        .filter(|s| s != "empty")
}

/// `action` without its trailing words that end `resource` too (singular or
/// plural), keeping at least one word.
fn strip_shared_suffix(action: &str, resource: &str) -> Option<String> {
    let a: Vec<&str> = action.split('_').collect();
    let r: Vec<&str> = resource.split('_').collect();
    // `ref` ends `refs` too: a word matches its plural.
    let same = |x: &str, y: &str| x.trim_end_matches('s') == y.trim_end_matches('s');
    let ends = |k: usize| k <= r.len() && a[a.len() - k..].iter().zip(&r[r.len() - k..]).all(|(x, y)| same(x, y));
    let k = (1..a.len()).rev().find(|&k| ends(k))?;
    Some(a[..a.len() - k].join("_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(ops: &[(&str, Option<&str>, &str)]) -> Vec<(String, String)> {
        let inputs: Vec<Input<'_>> = ops.iter().map(|&(id, tag, path)| Input { id, tag, path }).collect();
        group(&inputs)
    }

    #[test]
    fn separators_tags_and_paths() {
        let got = names(&[
            ("instanceOrgs.get", Some("Orgs"), "/x"),
            ("repos/get", Some("repos"), "/repos/{owner}/{repo}"),
            ("actions/list-jobs-for-workflow-run", None, "/x"),
            ("CreateCredentialAws", Some("AccountsV1Aws"), "/v1/Credentials/AWS"),
            ("ListCredentialAws", Some("AccountsV1Aws"), "/v1/Credentials/AWS"),
            ("FetchSafelist", Some("AccountsV1Safelist"), "/v1/SafeList/Numbers"),
            ("findPets", None, "/v2/pets"),
            ("addPet", None, "/v2/pets"),
            ("root", None, "/{id}"),
        ]);
        let want = [
            ("instance_orgs", "get"),
            ("repos", "get"),
            ("actions", "list_jobs_for_workflow_run"),
            ("aws", "create_credential"),
            ("aws", "list_credential"),
            ("safelist", "fetch"),
            ("pets", "find"),
            ("pets", "add"),
            ("ops", "root"),
        ];
        let want: Vec<(String, String)> = want.iter().map(|(r, a)| (r.to_string(), a.to_string())).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_short_name_that_would_collide_keeps_the_whole_id() {
        let got = names(&[("getPet", Some("pet"), "/pet"), ("get", Some("pet"), "/pet/{id}")]);
        assert_eq!(got, [("pet".to_string(), "get_pet".to_string()), ("pet".to_string(), "get".to_string())]);
    }
}
