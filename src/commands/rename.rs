//! `isms rename service OLD NEW [--dry-run]`: a service under another ID, in
//! one commit of a clean working tree. Its file and its folder of
//! allocations move as `git mv` moves them, every file keeps all but the ID,
//! the evidence and findings that name it name the new ID, and
//! `.isms/migrations/renames.toml` records each old item key and its new
//! one, so that the reviews of the old keys count for the new ones, as a
//! migration's map makes them count.

use std::fmt::Write as _;
use std::process::ExitCode;

use crate::cli::{RenameArgs, RenameCommand};
use crate::error::{Error, Result};
use crate::git;
use crate::model::{FileKind, Id, MigrationMap, RENAMES_MAP, Snapshot};
use crate::output;
use crate::repo::{CONFIG_FILE, Repo};

use super::Context;

pub fn run(ctx: &Context, cmd: &RenameCommand) -> Result<ExitCode> {
    match cmd {
        RenameCommand::Service(a) => service(ctx, a),
    }
}

/// What a rename does to the working tree.
#[derive(Debug, Default)]
struct Plan {
    /// Files moved, (old path, new path).
    moves: Vec<(String, String)>,
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

fn service(ctx: &Context, a: &RenameArgs) -> Result<ExitCode> {
    let repo = Repo::discover(&ctx.dir)?;
    // A clean tree is required below: every change after it is the
    // rename's own, written through the writer.
    let writer = repo.writer(&mut output::waiting_for)?;
    let snapshot = crate::reading::complete_snapshot(&repo.root)?;
    let config = (snapshot.config.as_ref().map(|d| &d.value))
        .ok_or_else(|| Error::new(format!("{CONFIG_FILE} does not parse")))?;
    let old = Id::parse(&a.old).map_err(|why| Error::new(format!("OLD: {why}")))?;
    if !snapshot.services.contains_key(&old) {
        let known: Vec<&str> = snapshot.services.keys().map(Id::as_str).collect();
        let meant = crate::diagnostic::completion(old.as_str(), &known)
            .or_else(|| crate::diagnostic::did_you_mean_id(old.as_str(), &known));
        return Err(Error::new(format!(
            "service `{old}` does not exist (no {})",
            FileKind::Service.path(None, old.as_str())
        ))
        .hint_if(meant.map(crate::diagnostic::meant)));
    }
    let new = Id::parse(&a.new).map_err(|why| Error::new(format!("NEW: {why}")))?;
    for taken in [
        FileKind::Service.path(None, new.as_str()),
        format!("{}/{new}", FileKind::Allocation.dir()),
    ] {
        if repo.root.join(&taken).symlink_metadata().is_ok() {
            return Err(Error::new(format!(
                "{taken} exists: `{new}` is taken; nothing was written"
            )));
        }
    }
    if !a.dry_run {
        repo.refuse_mid_operation("isms rename")?;
        super::refuse_dirty(&repo, "the rename")?;
    }
    let plan = plan(&repo, &snapshot, &old, &new)?;
    let title = format!("rename service {old} → {new}");
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
        "Rename service {old} to {new}\n\n{}\nThe old → new item keys are in {RENAMES_MAP}: review history carries across.\n",
        human(&title, &plan)
    );
    if let Err(e) = apply(&writer, &plan, &map, codeowners_current, &message) {
        // The tree was clean: put it back as HEAD has it.
        return Err(super::restore_clean_tree(&repo.root, e));
    }
    let commit = git::run(&repo.root, &["rev-parse", "HEAD"])?;
    print!("{}", human(&title, &plan));
    output::note(&format!(
        "committed {}: service {old} is {new}; {RENAMES_MAP} records the old → new items",
        &commit[..10.min(commit.len())]
    ));
    Ok(ExitCode::SUCCESS)
}

/// The moves and edits that rename service `old` to `new` in `s`.
fn plan(repo: &Repo, s: &Snapshot, old: &Id, new: &Id) -> Result<Plan> {
    let mut plan = Plan::default();
    let read =
        |path: &str| crate::fsutil::read_text(&repo.root.join(path), crate::repo::MAX_FILE_BYTES);
    let edit = |path: &str, key: &str, edited: Option<String>| {
        edited.ok_or_else(|| Error::new(format!("{path}: its `{key}` could not be edited")))
    };
    let service = FileKind::Service.path(None, old.as_str());
    let moved = FileKind::Service.path(None, new.as_str());
    let text = read(&service)?;
    let text = edit(
        &service,
        "id",
        super::with_string(&text, "id", new.as_str()),
    )?;
    plan.moves.push((service.clone(), moved.clone()));
    plan.writes.push((moved, text));
    plan.keys
        .push((format!("service:{new}"), format!("service:{old}"), service));
    for ((svc, ctl), d) in &s.allocations {
        if svc != old {
            continue;
        }
        let to = FileKind::Allocation.path(Some(new.as_str()), ctl.as_str());
        let text = read(&d.path)?;
        let text = edit(
            &d.path,
            "service",
            super::with_string(&text, "service", new.as_str()),
        )?;
        plan.moves.push((d.path.clone(), to.clone()));
        plan.writes.push((to, text));
        plan.keys.push((
            format!("allocation:{new}/{ctl}"),
            format!("allocation:{old}/{ctl}"),
            d.path.clone(),
        ));
    }
    // The records and findings that name it.
    let naming = (s
        .evidence
        .values()
        .filter(|d| d.value.services.contains(old)))
    .map(|d| d.path.clone())
    .chain(
        (s.findings
            .values()
            .filter(|d| d.value.services.contains(old)))
        .map(|d| d.path.clone()),
    );
    for path in naming {
        let text = read(&path)?;
        let renamed =
            |id: &str| vec![if id == old.as_str() { new.as_str() } else { id }.to_owned()];
        let edited = crate::migrate::rewritten_list(&text, "services", &renamed);
        let edited = edited.map(|(text, _, _)| text);
        plan.writes
            .push((path.clone(), edit(&path, "services", edited)?));
        plan.edits.push((path, format!("services: {old} → {new}")));
    }
    // A trigger's rule that names the service's files by their path
    // (`services/payments-api.toml`) would watch nothing after it.
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
        let text = read(&d.path)?;
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
            plan.notes.push(format!(
                "{} watches {old}'s files in a way isms cannot rewrite: edit its `when` to watch {new}'s",
                d.path
            ));
            continue;
        }
        let edited = crate::span::in_the_form_of(&text, doc.to_string());
        plan.writes.push((d.path.clone(), edited));
        plan.edits
            .push((d.path.clone(), format!("when.path: {}", changed.join(", "))));
    }
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
    // The old folder of allocations, emptied, goes as `git mv` takes it;
    // one that still holds a file of anyone's stays.
    for (from, _) in plan.moves.iter().skip(1).take(1) {
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
    let (service, allocations) = plan.moves.split_first().expect("the service's file moves");
    let _ = writeln!(s, "  {} → {}", service.0, service.1);
    if let (Some(first), Some(last)) = (allocations.first(), allocations.last()) {
        let dir = |p: &str| {
            p.rsplit_once('/')
                .map_or(String::new(), |(d, _)| format!("{d}/"))
        };
        let _ = writeln!(
            s,
            "  {} → {} ({})",
            dir(&first.0),
            dir(&last.1),
            output::plural(allocations.len(), "allocation")
        );
    }
    for (path, what) in &plan.edits {
        let _ = writeln!(s, "  {path} {what}");
    }
    for note in &plan.notes {
        let _ = writeln!(s, "  left to you: {note}");
    }
    s
}
