//! What changed between two commits, in words: each item file's change
//! (created, deleted, renamed; its fields old → new, list entries added and
//! removed, prose as a word diff; what a migration made it from), and the
//! Markdown a pull request shows of it, with the reviews the range records.
//! It takes the compared files and the reviews as data; reading them from
//! git is [`crate::history::diff`]'s.

use std::fmt::Write as _;

use serde::Serialize;
use toml::{Table, Value};

use crate::model::{Changed, FileKind, Place, Review, classify};
use crate::render::markdown::inline;

/// The kinds of file a diff speaks of, in the order it speaks of them: the
/// folder, the kind as `stale` and item keys name it, and the heading.
const SECTIONS: [(FileKind, &str, &str); 7] = [
    (FileKind::Config, "settings", "Settings"),
    (FileKind::Service, "service", "Services"),
    (FileKind::Allocation, "allocation", "Allocations"),
    (FileKind::Control, "control", "Controls"),
    (FileKind::Evidence, "evidence", "Evidence"),
    (FileKind::Finding, "finding", "Findings"),
    (FileKind::Trigger, "trigger", "Triggers"),
];

/// Lists of tables whose entries a field names: an entry whose name is on
/// both sides and whose other fields changed reads as that entry's field
/// changes (`artifacts[files/q3.csv].sha256 9f2c… → 41ab…`), not as one
/// entry removed and another added.
const KEYED: [(&str, &str); 2] = [("artifacts", "path"), ("evidence_required", "kind")];

/// Below this share of its words kept, a changed text reads as old → new,
/// not as a word diff.
const REWRITTEN: f32 = 0.5;

/// Fields whose values are prose: shown as a word diff.
const PROSE: [&str; 7] = [
    "provider",
    "customer",
    "justification",
    "summary",
    "description",
    "title",
    "corrective_action",
];

/// One item that changed.
#[derive(Serialize)]
pub struct ItemChange {
    /// `settings`, `service`, `allocation`, `control`, `evidence`, `finding`, `trigger`.
    kind: &'static str,
    /// The item's ID (`service/control` for an allocation).
    id: String,
    /// `created`, `deleted`, `renamed` or `modified`.
    change: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    renamed_from: Option<String>,
    /// A created or renamed item a migration in the range made from these
    /// items of the old edition (their IDs).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    migrated_from: Vec<String>,
    /// A deleted item a migration in the range carried into these.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    migrated_to: Vec<String>,
    fields: Vec<FieldChange>,
}

#[derive(Serialize)]
pub struct FieldChange {
    field: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    old: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    new: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    added: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    removed: Vec<String>,
    /// A word diff of prose, in Markdown (`~~old~~ **new**`).
    #[serde(skip_serializing_if = "Option::is_none")]
    words: Option<String>,
}

/// Each item file's change in `changed`, in words, in reading order (the
/// settings, then services, allocations, controls, evidence, findings and
/// triggers; 5.2 before 5.10); a migration's doing as its map, one of the
/// `maps` paths, records it.
pub fn changes(changed: &[Changed], maps: &[String]) -> Vec<ItemChange> {
    let mut changes: Vec<ItemChange> = changed.iter().filter_map(describe).collect();
    migrated(&mut changes, changed, maps);
    let section = |kind: &str| SECTIONS.iter().position(|(_, k, _)| *k == kind);
    changes.sort_by(|a, b| {
        (section(a.kind).cmp(&section(b.kind)))
            .then_with(|| crate::model::natural_cmp(&a.id, &b.id))
    });
    changes
}

/// An item file's change in words; `None` for files that are not items.
fn describe(c: &Changed) -> Option<ItemChange> {
    let path = c.file.path();
    let (kind, id) = item_of(path)?;
    let old_id = c
        .file
        .old_path
        .as_deref()
        .and_then(item_of)
        .map(|(_, id)| id);
    let (change, renamed_from) = match (&c.file.old, &c.file.new) {
        (None, Some(_)) => ("created", None),
        (Some(_), None) => ("deleted", None),
        _ if old_id.as_deref().is_some_and(|o| o != id) => ("renamed", old_id),
        _ => ("modified", None),
    };
    let fields = match (&c.file.old, &c.file.new) {
        (Some(old), Some(new)) => fields(old, new),
        _ => Vec::new(),
    };
    if change == "modified" && fields.is_empty() {
        return None; // comments or layout only
    }
    Some(ItemChange {
        kind,
        id,
        change,
        renamed_from,
        migrated_from: Vec::new(),
        migrated_to: Vec::new(),
        fields,
    })
}

/// Says, of each item created, renamed or deleted by a migration whose map
/// the range adds, which items of the old edition it was made from or
/// carried into: a merge reads as one item made from several, not as
/// unrelated deletions and creations. A rename git guessed from similar
/// text that the map does not record (a new control's file taken for a
/// merged one's) reads as the creation and the deletion it was.
fn migrated(changes: &mut Vec<ItemChange>, changed: &[Changed], maps: &[String]) {
    use std::collections::HashMap;
    let read: Vec<crate::model::MigrationMap> = changed
        .iter()
        .filter(|c| c.file.old_path.is_none())
        .filter(|c| (c.file.new_path.as_ref()).is_some_and(|p| maps.contains(p)))
        .filter_map(|c| toml::from_str(c.new_text.as_deref()?).ok())
        .collect();
    if read.is_empty() {
        return;
    }
    let mut sources: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut targets: HashMap<&str, Vec<&str>> = HashMap::new();
    for item in read.iter().flat_map(|m| &m.item) {
        for source in &item.from {
            sources.entry(&item.key).or_default().push(&source.key);
            targets.entry(&source.key).or_default().push(&item.key);
        }
    }
    let id_of = |key: &str| key.split_once(':').map_or(key, |(_, id)| id).to_owned();
    let mut split = Vec::new();
    for c in changes.iter_mut() {
        let key = format!("{}:{}", c.kind, c.id);
        if let Some(old) = c.renamed_from.as_deref() {
            let old_key = format!("{}:{old}", c.kind);
            let recorded = sources
                .get(key.as_str())
                .is_some_and(|s| s.contains(&&*old_key));
            let known =
                sources.contains_key(key.as_str()) || targets.contains_key(old_key.as_str());
            if known && !recorded {
                split.push(ItemChange {
                    kind: c.kind,
                    id: old.to_owned(),
                    change: "deleted",
                    renamed_from: None,
                    migrated_from: Vec::new(),
                    migrated_to: Vec::new(),
                    fields: Vec::new(),
                });
                c.change = "created";
                c.renamed_from = None;
                c.fields.clear();
            }
        }
    }
    changes.extend(split);
    for c in changes.iter_mut() {
        let key = format!("{}:{}", c.kind, c.id);
        match c.change {
            "created" | "renamed" => {
                let from = sources.get(key.as_str()).into_iter().flatten();
                c.migrated_from = from.map(|k| id_of(k)).collect();
            }
            "deleted" => {
                let to = targets.get(key.as_str()).into_iter().flatten();
                c.migrated_to = to.map(|k| id_of(k)).collect();
            }
            _ => {}
        }
    }
}

/// `(kind, id)` of an item path: `services/x.toml` → `("service", "x")`;
/// the settings are `("settings", "isms.toml")`.
fn item_of(path: &str) -> Option<(&'static str, String)> {
    let Place::Item {
        kind,
        service,
        stem,
    } = classify(path)?
    else {
        return None;
    };
    let (_, name, _) = SECTIONS.iter().find(|(k, _, _)| *k == kind)?;
    Some(match (kind, service) {
        (FileKind::Config, _) => (name, path.to_owned()),
        (_, Some(service)) => (name, format!("{service}/{stem}")),
        _ => (name, stem.to_owned()),
    })
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The fields that differ, by name; a table's fields by dotted name
/// (`soa.status`), so a change in one reads as that change.
fn fields(old: &Table, new: &Table) -> Vec<FieldChange> {
    let mut out = Vec::new();
    fields_into(old, new, "", &mut out);
    out
}

fn fields_into(old: &Table, new: &Table, prefix: &str, out: &mut Vec<FieldChange>) {
    let mut keys: Vec<&String> = new.keys().collect();
    keys.extend(old.keys().filter(|k| !new.contains_key(*k)));
    for key in keys {
        let (a, b) = (old.get(key), new.get(key));
        if a == b {
            continue;
        }
        let empty = Table::new();
        match (a, b) {
            (Some(Value::Table(x)), Some(Value::Table(y))) => {
                fields_into(x, y, &format!("{prefix}{key}."), out);
                continue;
            }
            // A table added or removed whole: its fields, one by one.
            (None, Some(Value::Table(y))) => {
                fields_into(&empty, y, &format!("{prefix}{key}."), out);
                continue;
            }
            (Some(Value::Table(x)), None) => {
                fields_into(x, &empty, &format!("{prefix}{key}."), out);
                continue;
            }
            _ => {}
        }
        let mut f = FieldChange {
            field: format!("{prefix}{key}"),
            old: None,
            new: None,
            added: Vec::new(),
            removed: Vec::new(),
            words: None,
        };
        match (a, b) {
            (Some(Value::Array(x)), Some(Value::Array(y))) => {
                // The entries named on both sides, changed: their fields.
                let mut paired: Vec<&Value> = Vec::new();
                if let Some((_, name)) = KEYED.iter().find(|(k, _)| *k == key) {
                    for now in y.iter().filter(|v| !x.contains(v)) {
                        let Some(label) = now.get(name) else { continue };
                        let Some(was) = x.iter().find(|e| e.get(name) == Some(label)) else {
                            continue;
                        };
                        let (Some(was_fields), Some(now_fields)) = (was.as_table(), now.as_table())
                        else {
                            continue;
                        };
                        let prefix = format!("{prefix}{key}[{}].", show(label));
                        fields_into(was_fields, now_fields, &prefix, out);
                        paired.extend([was, now]);
                    }
                }
                f.added = (y.iter())
                    .filter(|v| !x.contains(v) && !paired.contains(v))
                    .map(show)
                    .collect();
                f.removed = (x.iter())
                    .filter(|v| !y.contains(v) && !paired.contains(v))
                    .map(show)
                    .collect();
                if f.added.is_empty() && f.removed.is_empty() {
                    continue;
                }
            }
            (Some(Value::String(x)), Some(Value::String(y))) if PROSE.contains(&key.as_str()) => {
                f.words = Some(word_diff(x, y));
            }
            _ => {
                f.old = a.map(show);
                f.new = b.map(show);
            }
        }
        out.push(f);
    }
}

/// Removed words struck through, added ones in bold; a text rewritten
/// through reads as the old one struck through, then the new one.
fn word_diff(old: &str, new: &str) -> String {
    use similar::{ChangeTag, TextDiff};
    let (old, new) = (&*inline(old), &*inline(new));
    // Rewritten through: less than half the old words are kept.
    let words = old.split_whitespace().count();
    let kept = TextDiff::from_words(old, new)
        .iter_all_changes()
        .filter(|c| c.tag() == ChangeTag::Equal && !c.value().trim().is_empty())
        .count();
    if words > 0 && (kept as f32) < REWRITTEN * words as f32 {
        // Emptied, the new text reads as `""`, as a field's does.
        return match new.trim() {
            "" => format!("~~{}~~ → \"\"", old.trim()),
            new => format!("~~{}~~ → **{new}**", old.trim()),
        };
    }
    // Runs of one kind of change, whitespace kept inside them.
    let mut runs: Vec<(ChangeTag, String)> = Vec::new();
    for change in TextDiff::from_words(old, new).iter_all_changes() {
        let (tag, value) = (change.tag(), change.value());
        // A space between two words of one insertion (or deletion) joins them.
        let n = runs.len();
        if tag != ChangeTag::Equal
            && n >= 2
            && runs[n - 2].0 == tag
            && runs[n - 1].0 == ChangeTag::Equal
            && runs[n - 1].1.trim().is_empty()
        {
            let (_, space) = runs.pop().expect("checked above");
            let last = runs.last_mut().expect("checked above");
            last.1.push_str(&space);
            last.1.push_str(value);
            continue;
        }
        match runs.last_mut() {
            Some((t, text)) if *t == tag => text.push_str(value),
            _ => runs.push((tag, value.to_owned())),
        }
    }
    let mut out = String::new();
    for (i, (tag, text)) in runs.iter().enumerate() {
        let body = text.trim();
        if *tag == ChangeTag::Equal || body.is_empty() {
            if *tag != ChangeTag::Delete {
                out.push_str(text);
            }
            continue;
        }
        let lead = &text[..text.len() - text.trim_start().len()];
        let trail = &text[text.trim_end().len()..];
        if i > 0 && runs[i - 1].0 != ChangeTag::Equal && !out.ends_with(char::is_whitespace) {
            out.push(' ');
        }
        let mark = if *tag == ChangeTag::Delete {
            "~~"
        } else {
            "**"
        };
        let _ = write!(out, "{lead}{mark}{body}{mark}{trail}");
    }
    out
}

/// The Markdown of a diff: a heading that says what was compared
/// (`title`), a section a kind of item, what could not be compared
/// (`unread`), and the reviews the range records, each with why it does
/// not count where it does not. With `count_changes`, a change to an
/// item's file counts as its review: said when the range makes one.
pub fn markdown(
    changes: &[ItemChange],
    unread: &[String],
    reviews: &[(&Review, Option<String>)],
    count_changes: bool,
    title: &str,
) -> String {
    let mut out = format!("## isms: what changed {title}\n\n");
    let nothing = changes.is_empty() && unread.is_empty();
    if nothing {
        out.push_str(
            "No change to the settings, services, allocations, controls, evidence, findings or triggers.\n",
        );
    }
    for (_, kind, title) in SECTIONS {
        let list: Vec<&ItemChange> = changes.iter().filter(|c| c.kind == kind).collect();
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {title}\n");
        let ids = |ids: &[String]| {
            let quoted: Vec<String> = ids.iter().map(|i| format!("`{i}`")).collect();
            quoted.join(", ")
        };
        for c in list {
            let head = match (c.change, &c.renamed_from) {
                (_, _) if !c.migrated_from.is_empty() => {
                    format!("- `{}` (migrated from {})", c.id, ids(&c.migrated_from))
                }
                (_, _) if !c.migrated_to.is_empty() => {
                    format!("- `{}` migrated to {}", c.id, ids(&c.migrated_to))
                }
                ("renamed", Some(old)) => format!("- `{}` (renamed from `{old}`)", c.id),
                ("modified", _) => format!("- `{}`", c.id),
                (what, _) => format!("- `{}` {what}", c.id),
            };
            let parts: Vec<String> = c.fields.iter().map(field_words).collect();
            if parts.is_empty() {
                let _ = writeln!(out, "{head}");
            } else {
                let _ = writeln!(out, "{head}: {}", parts.join("; "));
            }
        }
        out.push('\n');
    }
    // A file collected as evidence, changed where it was: the record then
    // speaks of what was not collected on its day.
    let replaced: Vec<String> = (changes.iter())
        .filter(|c| {
            c.kind == "evidence"
                && (c.fields.iter())
                    .any(|f| f.field.starts_with("artifacts[") && f.field.ends_with("].sha256"))
        })
        .map(|c| format!("`{}`", c.id))
        .collect();
    if !replaced.is_empty() {
        let _ = writeln!(
            out,
            "A file collected as evidence changed where it was ({}): a record's artifacts are kept \
             as they were collected, and new evidence is a new record (`isms new evidence --like ID`).\n",
            replaced.join(", ")
        );
    }
    // A migration's writing of an item's file is no review of it.
    let reviewed = |c: &&ItemChange| {
        matches!(c.kind, "control" | "service" | "allocation")
            && c.change != "deleted"
            && c.migrated_from.is_empty()
    };
    if count_changes && changes.iter().any(|c| reviewed(&c)) {
        let _ = writeln!(
            out,
            "With `count_changes = true`, landing this also counts as a review of each \
             control, service and allocation it creates or modifies.\n"
        );
    }
    // What a reader of the summary would otherwise take for "no change".
    if !unread.is_empty() {
        let _ = writeln!(out, "### Not compared\n");
        for w in unread {
            let _ = writeln!(out, "- {}", w.trim_start_matches("warning: "));
        }
        out.push('\n');
    }
    if !reviews.is_empty() {
        if nothing {
            out.push('\n');
        }
        let _ = writeln!(out, "### Reviews\n");
        for (r, why_not) in reviews {
            let note = r
                .note
                .as_deref()
                .map(|n| format!(": {}", inline(n)))
                .unwrap_or_default();
            let why_not = (why_not.as_deref())
                .map(|w| {
                    format!(
                        " (does not count: {} in isms.toml, approval = \"author\")",
                        inline(w)
                    )
                })
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "- `{}` {} in {} by {}{note}{why_not}",
                r.item,
                r.outcome.as_str(),
                &r.commit.short(),
                inline(&r.author)
            );
        }
        out.push('\n');
    }
    out
}

fn field_words(f: &FieldChange) -> String {
    if let Some(w) = &f.words {
        return format!("{}: {w}", f.field);
    }
    if !f.added.is_empty() || !f.removed.is_empty() {
        let mut s = f.field.clone();
        for a in &f.added {
            let _ = write!(s, " + {}", inline(a));
        }
        for r in &f.removed {
            let _ = write!(s, " − {}", inline(r));
        }
        return s;
    }
    // An empty text reads as `""`, not as nothing at all.
    let v = |x: &Option<String>| match x.as_deref() {
        None => "(none)".to_owned(),
        Some("") => "\"\"".to_owned(),
        Some(x) => inline(x),
    };
    format!("{} {} → {}", f.field, v(&f.old), v(&f.new))
}

/// A unified diff of two versions of the file `path`, as `git diff` shows
/// one (three lines of context).
pub fn unified(old: &str, new: &str, path: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_count_changes_only_what_a_landing_reviews_is_said_to_be_reviewed() {
        let change = |kind: &'static str, change: &'static str, from: &[&str]| ItemChange {
            kind,
            id: "x".into(),
            change,
            renamed_from: None,
            migrated_from: from.iter().map(|f| f.to_string()).collect(),
            migrated_to: Vec::new(),
            fields: Vec::new(),
        };
        let said = |changes: &[ItemChange], count_changes: bool| {
            markdown(changes, &[], &[], count_changes, "from a to b")
                .contains("count_changes = true")
        };
        for kind in ["control", "service", "allocation"] {
            for what in ["created", "modified", "renamed"] {
                assert!(said(&[change(kind, what, &[])], true), "{kind} {what}");
                assert!(!said(&[change(kind, what, &[])], false), "{kind} {what}");
            }
            // A deletion reviews nothing; nor does a migration's writing.
            assert!(!said(&[change(kind, "deleted", &[])], true), "{kind}");
            assert!(
                !said(&[change(kind, "created", &["9.1.1"])], true),
                "{kind}"
            );
        }
        for kind in ["settings", "evidence", "finding", "trigger"] {
            assert!(!said(&[change(kind, "modified", &[])], true), "{kind}");
        }
    }

    #[test]
    fn an_empty_value_reads_as_an_empty_string_and_a_missing_one_as_none() {
        let change = |old: Option<&str>, new: Option<&str>| FieldChange {
            field: "people.p1.email".into(),
            old: old.map(str::to_owned),
            new: new.map(str::to_owned),
            added: Vec::new(),
            removed: Vec::new(),
            words: None,
        };
        assert_eq!(
            field_words(&change(None, Some(""))),
            "people.p1.email (none) → \"\""
        );
        assert_eq!(
            field_words(&change(Some("a@b"), Some(""))),
            "people.p1.email a@b → \"\""
        );
        assert_eq!(
            field_words(&change(Some("a@b"), None)),
            "people.p1.email a@b → (none)"
        );
    }

    #[test]
    fn an_entry_named_on_both_sides_reads_as_its_changed_fields() {
        let said = |old: &str, new: &str| -> Vec<String> {
            let (old, new): (Table, Table) =
                (toml::from_str(old).unwrap(), toml::from_str(new).unwrap());
            fields(&old, &new).iter().map(field_words).collect()
        };
        // An artifact replaced at its path, another added, a third removed.
        assert_eq!(
            said(
                "[[artifacts]]\npath = \"files/a.md\"\nsha256 = \"9444\"\n\
                 [[artifacts]]\npath = \"files/old.csv\"\nsha256 = \"01\"\n",
                "[[artifacts]]\npath = \"files/a.md\"\nsha256 = \"5f33\"\n\
                 [[artifacts]]\npath = \"files/new.csv\"\nsha256 = \"02\"\n",
            ),
            vec![
                "artifacts[files/a.md].sha256 9444 → 5f33",
                "artifacts + { path = \"files/new.csv\", sha256 = \"02\" } − { path = \"files/old.csv\", sha256 = \"01\" }",
            ]
        );
        // A requirement's period changed, named by its kind.
        assert_eq!(
            said(
                "[[evidence_required]]\nkind = \"access-review\"\nevery = \"6mo\"\n",
                "[[evidence_required]]\nkind = \"access-review\"\nevery = \"3mo\"\n",
            ),
            vec!["evidence_required[access-review].every 6mo → 3mo"]
        );
        // A list whose entries no field names is compared entry by entry.
        assert_eq!(
            said(
                "[[when]]\npath = \"services/*.toml\"\nfield = \"regions\"\n",
                "[[when]]\npath = \"services/*.toml\"\nfield = \"data\"\n",
            ),
            vec![
                "when + { field = \"data\", path = \"services/*.toml\" } − { field = \"regions\", path = \"services/*.toml\" }"
            ]
        );
    }

    #[test]
    fn prose_changes_read_as_a_word_diff() {
        assert_eq!(
            word_diff("Per-tenant VPCs and keys.", "Per-tenant networks and keys."),
            "Per-tenant ~~VPCs~~ **networks** and keys."
        );
    }

    #[test]
    fn each_replaced_word_reads_old_then_new() {
        assert_eq!(
            word_diff("a b c d", "a x y d"),
            "a ~~b~~ **x** ~~c~~ **y** d"
        );
        assert_eq!(word_diff("keep", "keep it all"), "keep **it all**");
        assert_eq!(
            word_diff("For <tenant> data.", "For <tenant> and <region> data."),
            "For \\<tenant> **and \\<region>** data."
        );
        assert_eq!(
            word_diff("drop these words now", "drop now"),
            "drop ~~these words~~ now"
        );
    }

    #[test]
    fn a_text_rewritten_through_reads_old_then_new() {
        assert_eq!(
            word_diff(
                "TODO: what the customer does",
                "Customers rotate their own keys."
            ),
            "~~TODO: what the customer does~~ → **Customers rotate their own keys.**"
        );
        // Emptied: no empty bold (`****`) for the new text.
        assert_eq!(
            word_diff("Tenants rotate their keys.", ""),
            "~~Tenants rotate their keys.~~ → \"\""
        );
    }

    #[test]
    fn item_paths_name_their_items() {
        assert_eq!(
            item_of("responsibilities/svc/CLD.6.3.1.toml"),
            Some(("allocation", "svc/CLD.6.3.1".to_owned()))
        );
        assert_eq!(item_of("evidence/files/x.toml"), None);
        assert_eq!(item_of("README.md"), None);
    }
}
