//! `isms rename service|control OLD NEW [--dry-run]`: a service, or a
//! control of the organisation's own, under another ID, in one commit of a
//! clean working tree. Its file and its allocations move as `git mv` moves
//! them, every file keeps all but the ID, the evidence, findings and
//! triggers that name it name the new ID, and
//! `.isms/migrations/renames.toml` records each old item key and its new
//! one, so that the reviews of the old keys count for the new ones, as a
//! migration's map makes them count.

use std::fmt::Write as _;
use std::process::ExitCode;

use crate::cli::{RenameArgs, RenameCommand};
use crate::error::{Error, Result};
use crate::git;
use crate::model::{FileKind, Id, ItemKey, MigrationMap, RENAMES_MAP, Snapshot};
use crate::output;
use crate::repo::Repo;

use super::Context;

pub fn run(ctx: &Context, cmd: &RenameCommand) -> Result<ExitCode> {
    match cmd {
        RenameCommand::Service(a) => rename(ctx, a, Kind::Service),
        RenameCommand::Control(a) => rename(ctx, a, Kind::Control),
    }
}

/// What is renamed: an item with a folder of allocations, or a column of
/// them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Service,
    Control,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Service => "service",
            Kind::Control => "control",
        }
    }

    fn file(self) -> FileKind {
        match self {
            Kind::Service => FileKind::Service,
            Kind::Control => FileKind::Control,
        }
    }

    /// The IDs of this kind's items in `s`.
    fn ids(self, s: &Snapshot) -> Vec<&str> {
        match self {
            Kind::Service => s.services.keys().map(Id::as_str).collect(),
            Kind::Control => s.controls.keys().map(Id::as_str).collect(),
        }
    }
}

/// What a rename does to the working tree.
#[derive(Debug, Default)]
struct Plan {
    /// Files moved, (old path, new path).
    moves: Vec<(String, String)>,
    /// The moves in words, a line each: the item's file, its allocations.
    moved: Vec<String>,
    /// Files written after the moves, (path, text): the moved files with
    /// their new ID, and those that name it.
    writes: Vec<(String, String)>,
    /// What each edit changed, for people: (path, what).
    edits: Vec<(String, String)>,
    /// (new key, old key, old file): what the map records.
    keys: Vec<(String, String, String)>,
    /// What is left to a person.
    notes: Vec<String>,
}

impl Plan {
    /// Writes `text` to `path` after the moves, in place of what the plan
    /// writes there already.
    fn write(&mut self, path: &str, text: String) {
        match self.writes.iter_mut().find(|(p, _)| p == path) {
            Some((_, old)) => *old = text,
            None => self.writes.push((path.to_owned(), text)),
        }
    }

    /// The text the plan writes to `path`, else the file's.
    fn text(&self, repo: &Repo, path: &str) -> Result<String> {
        match self.writes.iter().find(|(p, _)| p == path) {
            Some((_, text)) => Ok(text.clone()),
            None => crate::fsutil::read_text(&repo.root.join(path), crate::repo::MAX_FILE_BYTES),
        }
    }

    /// Moves the item file `from` to `to`, its `field` made `new`; the map
    /// records `old_key` as `new_key`.
    fn move_item(
        &mut self,
        repo: &Repo,
        (from, to): (&str, &str),
        field: &str,
        new: &Id,
        (old_key, new_key): (String, String),
    ) -> Result<()> {
        let text = self.text(repo, from)?;
        let text = super::with_string(&text, field, new.as_str())
            .ok_or_else(|| Error::new(format!("{from}: its `{field}` could not be edited")))?;
        self.moves.push((from.to_owned(), to.to_owned()));
        self.write(to, text);
        self.keys.push((new_key, old_key, from.to_owned()));
        Ok(())
    }

    /// Each of the files `paths` with `old` in its list `key` made `new`.
    fn rename_in_lists(
        &mut self,
        repo: &Repo,
        paths: Vec<String>,
        key: &str,
        old: &Id,
        new: &Id,
    ) -> Result<()> {
        for path in paths {
            let text = self.text(repo, &path)?;
            let renamed =
                |id: &str| vec![if id == old.as_str() { new.as_str() } else { id }.to_owned()];
            let (edited, _, _) = crate::migrate::rewritten_list(&text, key, &renamed)
                .ok_or_else(|| Error::new(format!("{path}: its `{key}` could not be edited")))?;
            self.write(&path, edited);
            self.edits.push((path, format!("{key}: {old} → {new}")));
        }
        Ok(())
    }

    /// A trigger's rule that names the renamed files by their path
    /// (`services/payments-api.toml`, `responsibilities/*/ACME-1.toml`)
    /// would watch nothing after it: its path follows them.
    fn rename_in_trigger_paths(
        &mut self,
        repo: &Repo,
        s: &Snapshot,
        old: &Id,
        new: &Id,
    ) -> Result<()> {
        let renamed = |path: &str| {
            let parts: Vec<String> = (path.split('/'))
                .map(
                    |part| match part.strip_suffix(".toml").unwrap_or(part) == old.as_str() {
                        true => part.replacen(old.as_str(), new.as_str(), 1),
                        false => part.to_owned(),
                    },
                )
                .collect();
            Some(parts.join("/")).filter(|p| p != path)
        };
        for d in s.triggers.values() {
            if !d
                .value
                .when
                .iter()
                .any(|rule| renamed(&rule.path).is_some())
            {
                continue;
            }
            let text = self.text(repo, &d.path)?;
            let mut doc = (text.parse::<toml_edit::DocumentMut>())
                .map_err(|e| Error::new(format!("{} does not parse", d.path)).caused_by(e))?;
            let mut changed = Vec::new();
            if let Some(rules) = doc.get_mut("when").and_then(|w| w.as_array_of_tables_mut()) {
                for rule in rules.iter_mut() {
                    let Some(value) = rule.get_mut("path").and_then(|p| p.as_value_mut()) else {
                        continue;
                    };
                    let Some(to) = value.as_str().and_then(renamed) else {
                        continue;
                    };
                    changed.push(format!("{} → {to}", value.as_str().unwrap_or_default()));
                    super::set_string(value, &to);
                }
            }
            if changed.is_empty() {
                self.notes.push(format!(
                    "{} watches {old}'s files in a way isms cannot rewrite: edit its `when` to watch {new}'s",
                    d.path
                ));
                continue;
            }
            let edited = crate::span::in_the_form_of(&text, doc.to_string());
            self.write(&d.path, edited);
            self.edits
                .push((d.path.clone(), format!("when.path: {}", changed.join(", "))));
        }
        Ok(())
    }
}

fn rename(ctx: &Context, a: &RenameArgs, kind: Kind) -> Result<ExitCode> {
    let repo = Repo::discover(&ctx.dir)?;
    // A clean tree is required below: every change after it is the
    // rename's own, written through the writer.
    let writer = repo.writer(&mut output::waiting_for)?;
    let snapshot = crate::reading::complete_snapshot(&repo.root)?;
    let config = super::settings(&snapshot)?;
    let what = kind.name();
    let old = id_of(kind, &a.old, "OLD")?;
    let known = kind.ids(&snapshot);
    if !known.contains(&old.as_str()) {
        let meant = crate::diagnostic::completion(old.as_str(), &known)
            .or_else(|| crate::diagnostic::did_you_mean_id(old.as_str(), &known));
        return Err(Error::new(format!(
            "{what} `{old}` does not exist (no {})",
            kind.file().path(None, old.as_str())
        ))
        .hint_if(meant.map(crate::diagnostic::meant)));
    }
    let new = id_of(kind, &a.new, "NEW")?;
    if kind == Kind::Control {
        of_our_own(&snapshot, &old, "OLD")?;
        of_our_own(&snapshot, &new, "NEW")?;
    }
    let mut taken = vec![kind.file().path(None, new.as_str())];
    if kind == Kind::Service {
        taken.push(format!("{}/{new}", FileKind::Allocation.dir()));
    }
    let plan = plan(&repo, &snapshot, kind, &old, &new)?;
    taken.extend(plan.moves.iter().map(|(_, to)| to.clone()));
    if let Some(taken) = taken
        .iter()
        .find(|p| repo.root.join(p).symlink_metadata().is_ok())
    {
        return Err(Error::new(format!(
            "{taken} exists: `{new}` is taken; nothing was written"
        )));
    }
    if !a.dry_run {
        repo.refuse_mid_operation("isms rename")?;
        super::refuse_dirty(&repo, "the rename")?;
    }
    let title = format!("rename {what} {old} → {new}");
    if a.dry_run {
        print!("{}", human(&title, &plan));
        output::note("dry run: nothing was written");
        return Ok(ExitCode::SUCCESS);
    }
    // The map records when each old file was added: an item never reviewed
    // is due one cadence after that, under either key.
    let branch = &config.defaults.branch;
    let record = super::record_if_any(&repo, branch)?;
    let added = |path: &str| {
        (record.files.get(path))
            .and_then(|t| chrono::DateTime::from_timestamp(t.added, 0))
            .map(|d| d.date_naive())
    };
    let map = map_text(&repo, &plan, &added)?;
    let codeowners_current = super::FollowCodeowners::of(&snapshot).is_current();
    let message = format!(
        "Rename {what} {old} to {new}\n\n{}\nThe old → new item keys are in {RENAMES_MAP}: review history carries across.\n",
        human(&title, &plan)
    );
    if let Err(e) = apply(&writer, &plan, &map, codeowners_current, &message) {
        // The tree was clean: put it back as HEAD has it.
        return Err(super::restore_clean_tree(&repo.root, e));
    }
    let commit = git::run(&repo.root, &["rev-parse", "HEAD"])?;
    print!("{}", human(&title, &plan));
    output::note(&format!(
        "committed {}: {what} {old} is {new}; {RENAMES_MAP} records the old → new items",
        &commit[..10.min(commit.len())]
    ));
    Ok(ExitCode::SUCCESS)
}

/// `text`, the argument `which`, as the ID of a `kind`: the ID itself
/// (`tenant-db`) or its item key (`service:tenant-db`).
fn id_of(kind: Kind, text: &str, which: &str) -> Result<Id> {
    let id = match (text.split_once(':'), ItemKey::parse(text)) {
        (Some((named, id)), _) if named == kind.name() => id,
        (_, Ok(key)) => {
            return Err(Error::new(format!(
                "{which}: `{text}` is a {}, and `isms rename {}` renames a {}",
                key.kind(),
                kind.name(),
                kind.name()
            ))
            .hint("`isms rename` renames a service, or a control of your own"));
        }
        _ => text,
    };
    Id::parse(id).map_err(|why| Error::new(format!("{which}: {why}")))
}

/// Refuses a control `id` of the repository's catalog (the standard's ID,
/// not the organisation's to choose), or of its other edition, named as
/// `which`.
fn of_our_own(s: &Snapshot, id: &Id, which: &str) -> Result<()> {
    let edition = crate::check::edition_of(s);
    let catalog = crate::scaffold::templates::catalog(edition);
    if catalog.get(id.as_str()).is_some() {
        let (why, hint) = match which {
            "OLD" => (
                "its ID is the standard's, and is not renamed",
                "only a control of your own (`isms new control`) is renamed",
            ),
            _ => (
                "the standard's ID is not given to another",
                "give a control of your own an ID of your own (e.g. ACME-1)",
            ),
        };
        return Err(Error::new(format!(
            "{which}: `{id}` is a control of the {} catalog: {why}; nothing was written",
            catalog.name
        ))
        .hint(hint));
    }
    let note = crate::check::edition_note(&ItemKey::Control(id.clone()), s);
    if !note.is_empty() {
        return Err(Error::new(format!(
            "{which}: `{id}` is not in this repository's edition, {edition}{note}; nothing was written"
        )));
    }
    Ok(())
}

/// The moves and edits that rename the `kind` item `old` to `new` in `s`:
/// its file, its allocations (a service's folder of them, a control's file
/// in each service's folder), and the records, findings and triggers that
/// name it.
fn plan(repo: &Repo, s: &Snapshot, kind: Kind, old: &Id, new: &Id) -> Result<Plan> {
    let mut plan = Plan::default();
    let what = kind.name();
    let file = kind.file().path(None, old.as_str());
    let moved = kind.file().path(None, new.as_str());
    let keys = (format!("{what}:{old}"), format!("{what}:{new}"));
    plan.move_item(repo, (&file, &moved), "id", new, keys)?;
    plan.moved.push(format!("{file} → {moved}"));
    let mut allocations = 0;
    for ((svc, ctl), d) in &s.allocations {
        let (to_svc, to_ctl) = match kind {
            Kind::Service if svc == old => (new, ctl),
            Kind::Control if ctl == old => (svc, new),
            _ => continue,
        };
        let to = FileKind::Allocation.path(Some(to_svc.as_str()), to_ctl.as_str());
        let keys = (
            format!("allocation:{svc}/{ctl}"),
            format!("allocation:{to_svc}/{to_ctl}"),
        );
        plan.move_item(repo, (&d.path, &to), what, new, keys)?;
        allocations += 1;
    }
    if allocations > 0 {
        let dir = FileKind::Allocation.dir();
        let files = match kind {
            Kind::Service => format!("{dir}/{old}/ → {dir}/{new}/"),
            Kind::Control => format!("{dir}/*/{old}.toml → {dir}/*/{new}.toml"),
        };
        let n = output::plural(allocations, "allocation");
        plan.moved.push(format!("{files} ({n})"));
    }
    // The records and findings that name it.
    let names = |services: &[Id], controls: &[Id]| match kind {
        Kind::Service => services.contains(old),
        Kind::Control => controls.contains(old),
    };
    let naming = (s.evidence.values())
        .filter(|d| names(&d.value.services, &d.value.controls))
        .map(|d| d.path.clone())
        .chain(
            (s.findings.values())
                .filter(|d| names(&d.value.services, &d.value.controls))
                .map(|d| d.path.clone()),
        )
        .collect();
    let list = match kind {
        Kind::Service => "services",
        Kind::Control => "controls",
    };
    plan.rename_in_lists(repo, naming, list, old, new)?;
    if kind == Kind::Control {
        let reassessing = (s.triggers.values())
            .filter(|d| d.value.reassess.contains(old))
            .map(|d| d.path.clone())
            .collect();
        plan.rename_in_lists(repo, reassessing, "reassess", old, new)?;
    }
    plan.rename_in_trigger_paths(repo, s, old, new)?;
    Ok(plan)
}

/// The renames map with this rename's keys added to those recorded before.
fn map_text(
    repo: &Repo,
    plan: &Plan,
    added: &dyn Fn(&str) -> Option<chrono::NaiveDate>,
) -> Result<String> {
    let path = repo.root.join(RENAMES_MAP);
    let before: MigrationMap = match path.symlink_metadata() {
        Err(_) => MigrationMap {
            from: String::new(),
            to: String::new(),
            item: Vec::new(),
        },
        Ok(_) => {
            let text = crate::fsutil::read_text(&path, crate::repo::MAX_FILE_BYTES)?;
            toml::from_str(&text).map_err(|e| {
                Error::new(format!("{RENAMES_MAP} does not parse"))
                    .caused_by(e.message().trim())
                    .hint("isms rename writes this file; restore it with `git checkout -- FILE`")
            })?
        }
    };
    let mut s = String::from(
        "# Written by `isms rename`: the key each renamed item had. isms reads it to\n\
         # carry review history across the rename. Do not edit it.\n",
    );
    let q = |v: &str| toml::Value::String(v.to_owned()).to_string();
    let old = before.item.iter().map(|i| {
        let from: Vec<(String, Option<String>)> = (i.from.iter())
            .map(|f| (f.key.clone(), f.added.map(|d| d.to_string())))
            .collect();
        (i.key.clone(), from)
    });
    let new = plan.keys.iter().map(|(key, from, file)| {
        let day = added(file).map(|d| d.to_string());
        (key.clone(), vec![(from.clone(), day)])
    });
    for (key, from) in old.chain(new) {
        let _ = writeln!(s, "\n[[item]]\nkey = {}", q(&key));
        let list: Vec<String> = (from.iter())
            .map(|(k, day)| match day {
                Some(d) => format!("{{ key = {}, added = {d} }}", q(k)),
                None => format!("{{ key = {} }}", q(k)),
            })
            .collect();
        let _ = writeln!(s, "from = [{}]", list.join(", "));
    }
    Ok(s)
}

/// Moves and writes the plan, and commits it.
fn apply(
    writer: &crate::repo::Writer,
    plan: &Plan,
    map: &str,
    codeowners: bool,
    message: &str,
) -> Result<()> {
    let root = &writer.repo().root;
    for (from, to) in &plan.moves {
        writer.rename(&root.join(from), &root.join(to))?;
    }
    // A folder the moves emptied goes as `git mv` takes it; one that still
    // holds a file of anyone's stays.
    for (from, _) in &plan.moves {
        if let Some((dir, _)) = from.rsplit_once('/') {
            let _ = std::fs::remove_dir(root.join(dir));
        }
    }
    for (path, text) in &plan.writes {
        writer.refresh(&root.join(path), text.as_bytes())?;
    }
    writer.refresh(&root.join(RENAMES_MAP), map.as_bytes())?;
    if codeowners {
        super::rewrite_codeowners(writer)?;
    }
    git::run(root, &["add", "--all"])?;
    super::commit_staged(root, message)
}

/// The plan in words.
fn human(title: &str, plan: &Plan) -> String {
    let mut s = format!("{title}\n");
    for moved in &plan.moved {
        let _ = writeln!(s, "  {moved}");
    }
    for (path, what) in &plan.edits {
        let _ = writeln!(s, "  {path} {what}");
    }
    for note in &plan.notes {
        let _ = writeln!(s, "  left to you: {note}");
    }
    s
}
