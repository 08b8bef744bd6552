//! `isms reassign FROM TO [PATH…]`: another person or team takes the items
//! one owns (someone leaves, a team is split): every control, service,
//! allocation and finding whose `owner` names FROM. Each file's `owner` is
//! changed with a TOML editor and nothing else; nothing is committed.

use std::io::Write as _;
use std::process::ExitCode;

use crate::cli::ReassignArgs;
use crate::error::{Error, Result};
use crate::model::{Config, Id, ItemKey, Snapshot};
use crate::output::{self, plural};
use crate::repo::{CONFIG_FILE, Repo};

use super::Context;

pub fn run(ctx: &Context, args: &ReassignArgs) -> Result<ExitCode> {
    let repo = Repo::discover(&ctx.dir)?;
    // Held from the first read to the last write, as `new` holds it.
    let writer = repo.writer(&mut output::waiting_for)?;
    let snapshot = crate::reading::complete_snapshot(&repo.root)?;
    let config = super::settings(&snapshot)?;
    let from = owner(&repo, config, &snapshot, &args.from, "FROM")?;
    let to = owner(&repo, config, &snapshot, &args.to, "TO")?;
    if !config.has_owner(&to) {
        return Err(crate::summary::unknown_owner(&args.to, config));
    }
    if from == to {
        return Err(Error::new(format!(
            "FROM and TO both name `{to}`: there is nothing to move"
        )));
    }
    let under = (args.paths.iter())
        .map(|p| ctx.repo_path(&repo.root, p))
        .collect::<Result<Vec<_>>>()?;
    let items = owned_by(&snapshot, &from, &under);
    let label = |who: &str| crate::reading::owner_label(Some(config), who);
    let within = match under.is_empty() {
        true => String::new(),
        false => format!(" under {}", under.join(", ")),
    };
    if items.is_empty() {
        output::note(&format!(
            "nothing to reassign: {} owns no control, service, allocation or finding{within}",
            label(&from)
        ));
        return Ok(ExitCode::SUCCESS);
    }
    let (count, kinds) = counts(&items);
    if args.dry_run {
        let keys: Vec<String> = items.iter().map(|(k, _)| k.to_string()).collect();
        let width = keys.iter().map(String::len).max().unwrap_or(0);
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for (key, (_, file)) in keys.iter().zip(&items) {
            let _ = writeln!(out, "{key:<width$}  {file}");
        }
        drop(out);
        output::note(&format!(
            "would reassign {count} from {} to {}: {kinds}; nothing was written",
            label(&from),
            label(&to)
        ));
        return Ok(ExitCode::SUCCESS);
    }
    // Every file's new text is made before any is written: one that cannot
    // be edited leaves all of them as they are.
    let mut edits = Vec::with_capacity(items.len());
    for (key, file) in &items {
        let path = repo.root.join(file);
        let text = crate::fsutil::read_text(&path, crate::repo::MAX_FILE_BYTES)?;
        let edited = super::with_string(&text, "owner", &to).ok_or_else(|| {
            Error::new(format!("{file}: its `owner` could not be edited ({key})"))
        })?;
        edits.push((path, edited));
    }
    let codeowners = super::FollowCodeowners::of(&snapshot);
    for (path, text) in &edits {
        // An edit of the file as it is, uncommitted changes and all: they
        // are kept, as `new person` keeps those of isms.toml.
        writer.refresh(path, text.as_bytes())?;
    }
    output::note(&format!(
        "reassigned {count} from {} to {}: {kinds}",
        label(&from),
        label(&to)
    ));
    codeowners.after(&writer, "the new owner's lines were not written to it")?;
    // What stays with FROM, by design, when all they own moves: said, so
    // that it is not a surprise.
    let collected = match under.is_empty() {
        true => (snapshot.evidence.values())
            .filter(|e| e.value.collected_by.as_str() == from)
            .count(),
        false => 0,
    };
    if collected > 0 {
        // A collector must be a person of the settings (`check` says so).
        let keep = match config.people.contains_key(from.as_str()) {
            true => String::new(),
            false => format!(", so {CONFIG_FILE} must keep [people.{from}]"),
        };
        output::note(&format!(
            "note: {from} stays the collector of {}: who collected a record is a fact, not a duty{keep}",
            plural(collected, "evidence record")
        ));
    }
    let teams: Vec<String> = (config.teams.iter())
        .filter(|(_, t)| t.members.iter().any(|m| m.as_str() == from))
        .map(|(k, _)| format!("`{k}`"))
        .collect();
    if !teams.is_empty() && under.is_empty() {
        let teams: Vec<&str> = teams.iter().map(String::as_str).collect();
        output::note(&format!(
            "note: {from} is still a member of team {} in {CONFIG_FILE}",
            output::series(&teams, "and")
        ));
    }
    output::note("next: review the change with `isms diff --uncommitted`, then commit it");
    Ok(ExitCode::SUCCESS)
}

/// The owner `who` names: `@me`, a person or team by key, GitHub login,
/// email or slug, or else a key that items name though `isms.toml` no
/// longer has it (the person left and was removed first).
fn owner(repo: &Repo, config: &Config, s: &Snapshot, who: &str, flag: &str) -> Result<String> {
    let who = who.trim();
    if who == super::ME {
        return super::me(&repo.root, Some(config), flag);
    }
    if let Some(key) = config.owner_key(who) {
        return Ok(key);
    }
    let named_by_items = Id::parse(who).is_ok() && !owned_by(s, who, &[]).is_empty();
    match named_by_items {
        true => Ok(who.to_owned()),
        false => Err(crate::summary::unknown_owner(who, config)),
    }
}

/// The items `owner` owns, with their files, in the order `stale` lists
/// kinds; only those under one of `under` when it names any.
fn owned_by(s: &Snapshot, owner: &str, under: &[String]) -> Vec<(ItemKey, String)> {
    let wanted = |o: &Id, path: &str| {
        o.as_str() == owner
            && (under.is_empty() || under.iter().any(|u| crate::model::is_within(path, u)))
    };
    let mut out = Vec::new();
    for (id, d) in &s.controls {
        if wanted(&d.value.owner, &d.path) {
            out.push((ItemKey::Control(id.clone()), d.path.clone()));
        }
    }
    for (id, d) in &s.services {
        if wanted(&d.value.owner, &d.path) {
            out.push((ItemKey::Service(id.clone()), d.path.clone()));
        }
    }
    for ((svc, ctl), d) in &s.allocations {
        if wanted(&d.value.owner, &d.path) {
            out.push((
                ItemKey::Allocation(svc.clone(), ctl.clone()),
                d.path.clone(),
            ));
        }
    }
    for (id, d) in &s.findings {
        if wanted(&d.value.owner, &d.path) {
            out.push((ItemKey::Finding(id.clone()), d.path.clone()));
        }
    }
    // Each kind in reading order: 5.2 before 5.10.
    out.sort_by(|(a, _), (b, _)| {
        let rank = |k: &ItemKey| {
            ["control", "service", "allocation", "finding"]
                .iter()
                .position(|x| *x == k.kind())
        };
        rank(a)
            .cmp(&rank(b))
            .then_with(|| crate::model::natural_cmp(&a.to_string(), &b.to_string()))
    });
    out
}

/// "3 items", and "1 control, 2 allocations".
fn counts(items: &[(ItemKey, String)]) -> (String, String) {
    let mut by_kind: Vec<(&str, usize)> = Vec::new();
    for (key, _) in items {
        match by_kind.iter_mut().find(|(k, _)| *k == key.kind()) {
            Some((_, n)) => *n += 1,
            None => by_kind.push((key.kind(), 1)),
        }
    }
    let parts: Vec<String> = by_kind.iter().map(|(k, n)| plural(*n, k)).collect();
    (plural(items.len(), "item"), parts.join(", "))
}
