//! Trigger rules (DESIGN §1, §5) evaluated on a structured diff: both
//! versions of each changed file, parsed and compared field by field. Pure:
//! the caller reads the revisions.

use std::collections::BTreeSet;

use globset::{GlobBuilder, GlobMatcher};
use serde::Serialize;
use toml::{Table, Value};

use crate::model::{Change, Changed, FileDiff, FileKind, Place, Trigger, classify};

/// What one rule saw in one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// The rule's field; `None` for `created` / `deleted`.
    pub field: Option<String>,
    pub change: &'static str,
    /// Values that appeared (`added`) or the new value (`changed`), as TOML.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<String>,
    /// Values that went away (`removed`) or the old value (`changed`), as TOML.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
}

impl std::fmt::Display for FieldChange {
    /// `regions: + us-east-1`, `model: "paas" -> "saas"`, `created`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Some(field) = &self.field else {
            return f.write_str(self.change);
        };
        write!(f, "{field}:")?;
        if self.change == "changed" {
            let show = |v: &[String]| v.first().cloned().unwrap_or_else(|| "(none)".into());
            return write!(f, " {} -> {}", show(&self.removed), show(&self.added));
        }
        for v in &self.added {
            write!(f, " + {v}")?;
        }
        for v in &self.removed {
            write!(f, " - {v}")?;
        }
        Ok(())
    }
}

/// A trigger that fired on one file.
#[derive(Clone, Debug, Serialize)]
pub struct Fired {
    pub trigger: String,
    pub title: String,
    /// The service the file belongs to, when it belongs to one.
    pub service: Option<String>,
    pub path: String,
    /// The path before a rename.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    pub changes: Vec<FieldChange>,
}

/// A trigger's rules with their globs compiled.
pub struct Compiled<'a> {
    pub trigger: &'a Trigger,
    rules: Vec<GlobMatcher>,
}

/// A rule's `path` compiled (`*` does not cross `/`), or its problem worded
/// for the user.
pub fn glob(path: &str) -> Result<GlobMatcher, String> {
    GlobBuilder::new(path)
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| format!("path `{path}` is not a valid glob: {}", e.kind()))
}

/// The kinds of item file `glob` matches, by a file of each kind.
pub fn kinds_matched(glob: &GlobMatcher) -> Vec<FileKind> {
    FileKind::ALL
        .into_iter()
        .filter(|k| {
            let service = (*k == FileKind::Allocation).then_some("service");
            glob.is_match(k.path(service, "id"))
        })
        .collect()
}

impl<'a> Compiled<'a> {
    /// Fails with the glob's problem, worded for the user.
    pub fn new(trigger: &'a Trigger) -> Result<Self, String> {
        let rules = trigger
            .when
            .iter()
            .map(|w| glob(&w.path))
            .collect::<Result<_, _>>()?;
        Ok(Compiled { trigger, rules })
    }

    /// The rules that fire on `diff`, merged into one entry.
    pub fn evaluate(&self, diff: &FileDiff) -> Option<Fired> {
        let mut changes = Vec::new();
        for (rule, glob) in self.trigger.when.iter().zip(&self.rules) {
            let matches = |p: &Option<String>| p.as_deref().is_some_and(|p| glob.is_match(p));
            if !matches(&diff.new_path) && !matches(&diff.old_path) {
                continue;
            }
            let change = match (rule.change, &diff.old, &diff.new) {
                (Change::Created, None, Some(_)) => Some(FieldChange {
                    field: None,
                    change: "created",
                    added: vec![],
                    removed: vec![],
                }),
                (Change::Deleted, Some(_), None) => Some(FieldChange {
                    field: None,
                    change: "deleted",
                    added: vec![],
                    removed: vec![],
                }),
                (Change::Created | Change::Deleted, _, _) => None,
                // Field rules compare a file present on both sides.
                (kind, Some(old), Some(new)) => {
                    let field = rule.field.as_deref()?;
                    compare(kind, field, lookup(old, field), lookup(new, field))
                }
                _ => None,
            };
            if let Some(c) = change.filter(|c| !changes.contains(c)) {
                changes.push(c);
            }
        }
        if changes.is_empty() {
            return None;
        }
        Some(Fired {
            trigger: self.trigger.id.to_string(),
            title: self.trigger.title.clone(),
            service: service_of(diff.path()),
            path: diff.path().to_owned(),
            renamed_from: diff
                .old_path
                .clone()
                .filter(|o| diff.new_path.as_ref().is_some_and(|n| n != o)),
            changes,
        })
    }
}

/// A field by its dotted path: `regions`, `raci.accountable`.
fn lookup<'t>(table: &'t Table, field: &str) -> Option<&'t Value> {
    let mut parts = field.split('.');
    let mut value = table.get(parts.next()?)?;
    for part in parts {
        value = value.as_table()?.get(part)?;
    }
    Some(value)
}

/// An array's elements, or a single value as one element. A `TODO`
/// placeholder is a gap, not a value: filling `regions = ["TODO"]` in adds a
/// region and leaves none.
fn elements(v: Option<&Value>) -> Vec<&Value> {
    let all = match v {
        None => vec![],
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
    };
    all.into_iter()
        .filter(|v| !v.as_str().is_some_and(super::placeholders::holds))
        .collect()
}

/// A value as a person reads it: strings bare, everything else as TOML.
fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn compare(
    kind: Change,
    field: &str,
    old: Option<&Value>,
    new: Option<&Value>,
) -> Option<FieldChange> {
    let (before, after) = (elements(old), elements(new));
    let gained: Vec<String> = after
        .iter()
        .filter(|v| !before.contains(v))
        .map(|v| show(v))
        .collect();
    let lost: Vec<String> = before
        .iter()
        .filter(|v| !after.contains(v))
        .map(|v| show(v))
        .collect();
    let (change, added, removed) = match kind {
        Change::Added if !gained.is_empty() => ("added", gained, vec![]),
        Change::Removed if !lost.is_empty() => ("removed", vec![], lost),
        Change::Changed if old != new => (
            "changed",
            new.map(show).into_iter().collect(),
            old.map(show).into_iter().collect(),
        ),
        _ => return None,
    };
    Some(FieldChange {
        field: Some(field.to_owned()),
        change,
        added,
        removed,
    })
}

/// `services/<S>.toml` and `responsibilities/<S>/…` belong to service S.
pub fn service_of(path: &str) -> Option<String> {
    match classify(path)? {
        Place::Item {
            kind: FileKind::Service,
            stem,
            ..
        } => Some(stem.to_owned()),
        Place::Item {
            kind: FileKind::Allocation,
            service,
            ..
        } => service.map(str::to_owned),
        _ => None,
    }
}

/// A fired trigger with the items it asks to reassess.
#[derive(Serialize)]
pub struct Detected {
    #[serde(flatten)]
    pub fired: Fired,
    pub items: Vec<String>,
    /// The trigger as defined at the newer revision.
    #[serde(skip)]
    pub trigger: Trigger,
    /// The file's two versions, as text.
    #[serde(skip)]
    pub old_text: Option<String>,
    #[serde(skip)]
    pub new_text: Option<String>,
}

/// The triggers of `triggers` (path, trigger) that `changed` fires, in
/// (trigger, service, path) order, with the items each asks to reassess;
/// `has_allocation(service, control)` says which allocations exist at the
/// newer revision. A change to a service's files fires nothing unless
/// `watched(service)`: the service was in scope at one revision or the
/// other (a change that takes it out of scope, or brings it in, fires);
/// one that is not is named in a note. A trigger whose rules do not
/// compile is skipped with a warning.
pub fn detect(
    changed: Vec<Changed>,
    triggers: &[(String, Trigger)],
    has_allocation: impl Fn(&str, &str) -> bool,
    watched: impl Fn(&str) -> bool,
) -> (Vec<Detected>, Vec<String>) {
    let mut warnings = Vec::new();
    let compiled: Vec<Compiled<'_>> = triggers
        .iter()
        .filter_map(|(path, t)| match Compiled::new(t) {
            Ok(c) => Some(c),
            Err(why) => {
                warnings.push(format!("warning: {path}: {why}; the trigger is skipped"));
                None
            }
        })
        .collect();
    let mut detected = Vec::new();
    for change in changed {
        for c in &compiled {
            let fired = c.evaluate(&change.file);
            if let Some(svc) = (fired.as_ref())
                .and_then(|f| f.service.as_deref())
                .filter(|svc| !watched(svc))
            {
                let note = format!(
                    "note: {} did not fire for `{svc}`, which is out of scope (in_scope = false) \
                     before and after the change",
                    c.trigger.id
                );
                if !warnings.contains(&note) {
                    warnings.push(note);
                }
                continue;
            }
            if let Some(fired) = fired {
                let items = affected(c.trigger, fired.service.as_deref(), &has_allocation);
                detected.push(Detected {
                    fired,
                    items,
                    trigger: c.trigger.clone(),
                    old_text: change.old_text.clone(),
                    new_text: change.new_text.clone(),
                });
            }
        }
    }
    detected.sort_by(|a, b| {
        (&a.fired.trigger, &a.fired.service, &a.fired.path).cmp(&(
            &b.fired.trigger,
            &b.fired.service,
            &b.fired.path,
        ))
    });
    (detected, warnings)
}

/// The items a fired trigger asks to reassess: its controls, and their
/// allocations on the service when `allocations` says it has one.
pub fn affected(
    trigger: &Trigger,
    service: Option<&str>,
    has_allocation: impl Fn(&str, &str) -> bool,
) -> Vec<String> {
    let mut items = BTreeSet::new();
    let mut out = Vec::new();
    for control in &trigger.reassess {
        let key = format!("control:{control}");
        if items.insert(key.clone()) {
            out.push(key);
        }
    }
    if let Some(svc) = service {
        for control in &trigger.reassess {
            if has_allocation(svc, control.as_str()) {
                let key = format!("allocation:{svc}/{control}");
                if items.insert(key.clone()) {
                    out.push(key);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trigger(text: &str) -> Trigger {
        toml::from_str(text).unwrap()
    }

    fn table(text: &str) -> Table {
        text.parse().unwrap()
    }

    fn diff(path: &str, old: Option<&str>, new: Option<&str>) -> FileDiff {
        FileDiff {
            old_path: old.map(|_| path.to_owned()),
            new_path: new.map(|_| path.to_owned()),
            old: old.map(table),
            new: new.map(table),
        }
    }

    const REGION_ADDED: &str = r#"
        id = "region-added"
        title = "New region"
        reassess = ["CLD.6.3.1", "18.1.1"]
        [[when]]
        path = "services/*.toml"
        field = "regions"
        change = "added"
    "#;

    #[test]
    fn an_added_region_fires_with_the_new_value_only() {
        let t = trigger(REGION_ADDED);
        let c = Compiled::new(&t).unwrap();
        let fired = c
            .evaluate(&diff(
                "services/payments-api.toml",
                Some(r#"regions = ["eu-west-1"]"#),
                Some(r#"regions = ["eu-west-1", "us-east-1"]"#),
            ))
            .unwrap();
        assert_eq!(fired.service.as_deref(), Some("payments-api"));
        assert_eq!(fired.changes[0].to_string(), "regions: + us-east-1");
    }

    #[test]
    fn a_removed_region_or_another_path_does_not_fire_added() {
        let t = trigger(REGION_ADDED);
        let c = Compiled::new(&t).unwrap();
        assert!(
            c.evaluate(&diff(
                "services/p.toml",
                Some(r#"regions = ["a", "b"]"#),
                Some(r#"regions = ["a"]"#),
            ))
            .is_none()
        );
        assert!(
            c.evaluate(&diff(
                "services/nested/p.toml",
                Some("regions = []"),
                Some(r#"regions = ["a"]"#),
            ))
            .is_none(),
            "`*` does not cross `/`"
        );
    }

    #[test]
    fn a_placeholder_filled_in_is_no_region_left_and_no_region_gained() {
        let removed = trigger(&REGION_ADDED.replace("added", "removed"));
        let added = trigger(REGION_ADDED);
        let (removed, added) = (
            Compiled::new(&removed).unwrap(),
            Compiled::new(&added).unwrap(),
        );
        let filled = diff(
            "services/p.toml",
            Some(r#"regions = ["TODO"]"#),
            Some(r#"regions = ["eu-west-1"]"#),
        );
        assert!(removed.evaluate(&filled).is_none());
        assert_eq!(
            added.evaluate(&filled).unwrap().changes[0].to_string(),
            "regions: + eu-west-1"
        );
        let gap = diff(
            "services/p.toml",
            Some(r#"regions = ["eu-west-1"]"#),
            Some(r#"regions = ["eu-west-1", "TODO: the second region"]"#),
        );
        assert!(added.evaluate(&gap).is_none());
        let real = diff(
            "services/p.toml",
            Some(r#"regions = ["TODO", "eu-west-1"]"#),
            Some(r#"regions = ["TODO"]"#),
        );
        assert_eq!(
            removed.evaluate(&real).unwrap().changes[0].to_string(),
            "regions: - eu-west-1"
        );
    }

    #[test]
    fn changed_shows_both_values_and_created_needs_no_field() {
        let t = trigger(
            r#"
            id = "t"
            title = "t"
            reassess = ["A.1"]
            [[when]]
            path = "services/*.toml"
            field = "model"
            change = "changed"
            [[when]]
            path = "services/*.toml"
            change = "created"
        "#,
        );
        let c = Compiled::new(&t).unwrap();
        let fired = c
            .evaluate(&diff(
                "services/s.toml",
                Some(r#"model = "paas""#),
                Some(r#"model = "saas""#),
            ))
            .unwrap();
        assert_eq!(fired.changes[0].to_string(), "model: paas -> saas");
        let fired = c
            .evaluate(&diff("services/s.toml", None, Some(r#"model = "iaas""#)))
            .unwrap();
        assert_eq!(fired.changes[0].to_string(), "created");
    }

    #[test]
    fn an_allocation_fires_for_its_service_on_a_dotted_field_and_a_flag() {
        let t = trigger(
            r#"
            id = "t"
            title = "t"
            reassess = ["A.1"]
            [[when]]
            path = "responsibilities/*/*.toml"
            field = "raci.accountable"
            change = "changed"
            [[when]]
            path = "services/*.toml"
            field = "in_scope"
            change = "changed"
        "#,
        );
        let c = Compiled::new(&t).unwrap();
        let fired = c
            .evaluate(&diff(
                "responsibilities/payments-api/A.1.toml",
                Some("[raci]\naccountable = \"bob\""),
                Some("[raci]\naccountable = \"alice\""),
            ))
            .unwrap();
        assert_eq!(fired.service.as_deref(), Some("payments-api"));
        assert_eq!(
            fired.changes[0].to_string(),
            "raci.accountable: bob -> alice"
        );
        // A field that is not a string reads as TOML writes it.
        let fired = c
            .evaluate(&diff(
                "services/s.toml",
                Some("in_scope = true"),
                Some("in_scope = false"),
            ))
            .unwrap();
        assert_eq!(fired.changes[0].to_string(), "in_scope: true -> false");
        // The same value, or a table where the path needs one missing, fires nothing.
        assert!(
            c.evaluate(&diff(
                "responsibilities/p/A.1.toml",
                Some("raci = 1"),
                Some("raci = 1"),
            ))
            .is_none()
        );
    }

    #[test]
    fn affected_items_are_the_controls_and_the_services_allocations() {
        let t = trigger(REGION_ADDED);
        let items = affected(&t, Some("p"), |s, c| s == "p" && c == "18.1.1");
        assert_eq!(
            items,
            ["control:CLD.6.3.1", "control:18.1.1", "allocation:p/18.1.1"]
        );
    }

    #[test]
    fn detection_names_the_existing_allocations_and_skips_a_broken_trigger() {
        let changed = |path: &str, old: &str, new: &str| Changed {
            file: diff(path, Some(old), Some(new)),
            old_text: Some(old.to_owned()),
            new_text: Some(new.to_owned()),
        };
        let broken = trigger(
            r#"
            id = "broken"
            title = "Broken"
            reassess = ["5.1"]
            [[when]]
            path = "services/[.toml"
            change = "created"
            "#,
        );
        let triggers = [
            (
                "triggers/region-added.toml".to_owned(),
                trigger(REGION_ADDED),
            ),
            ("triggers/broken.toml".to_owned(), broken),
        ];
        let (detected, warnings) = detect(
            vec![
                changed("services/web.toml", "regions = []", r#"regions = ["b"]"#),
                changed("services/api.toml", "regions = []", r#"regions = ["a"]"#),
                changed("controls/5.1.toml", "title = \"x\"", "title = \"y\""),
            ],
            &triggers,
            |svc, ctl| svc == "api" && ctl == "CLD.6.3.1",
            |_| true,
        );
        // Sorted by trigger, then service: api before web.
        let fired: Vec<_> = detected
            .iter()
            .map(|d| (d.fired.service.as_deref().unwrap(), d.items.clone()))
            .collect();
        assert_eq!(
            fired,
            [
                (
                    "api",
                    vec![
                        "control:CLD.6.3.1".to_owned(),
                        "control:18.1.1".to_owned(),
                        "allocation:api/CLD.6.3.1".to_owned()
                    ]
                ),
                (
                    "web",
                    vec!["control:CLD.6.3.1".to_owned(), "control:18.1.1".to_owned()]
                ),
            ]
        );
        assert_eq!(detected[0].new_text.as_deref(), Some(r#"regions = ["a"]"#));
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].starts_with("warning: triggers/broken.toml: "),
            "{warnings:?}"
        );
    }

    #[test]
    fn a_service_out_of_scope_before_and_after_fires_nothing_and_is_named() {
        let changed = |path: &str, new: &str| Changed {
            file: diff(path, Some("regions = []"), Some(new)),
            old_text: None,
            new_text: None,
        };
        let triggers = [("triggers/t.toml".to_owned(), trigger(REGION_ADDED))];
        let run = |watched: fn(&str) -> bool| {
            let (detected, notes) = detect(
                vec![
                    changed("services/api.toml", r#"regions = ["a"]"#),
                    changed("services/old.toml", r#"regions = ["b"]"#),
                    changed("services/old.toml", r#"regions = ["c"]"#),
                ],
                &triggers,
                |_, _| false,
                watched,
            );
            let services: Vec<String> = (detected.iter())
                .map(|d| d.fired.service.clone().unwrap())
                .collect();
            (services, notes)
        };
        let (all, notes) = run(|_| true);
        assert_eq!(all, ["api", "old", "old"]);
        assert_eq!(notes, Vec::<String>::new());
        // Named once, however many of its changes would have fired.
        let (watched, notes) = run(|svc| svc != "old");
        assert_eq!(watched, ["api"]);
        assert_eq!(
            notes,
            [
                "note: region-added did not fire for `old`, which is out of scope \
              (in_scope = false) before and after the change"
            ]
        );
    }
}
