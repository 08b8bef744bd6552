//! `isms migrate --to EDITION [--dry-run]`: the repository in another catalog
//! edition, in one commit on the current branch (DESIGN §10).

use std::path::Path;
use std::process::ExitCode;

use chrono::NaiveDate;

use crate::cli::{Format, MigrateArgs};
use crate::error::{Error, Result};
use crate::git;
use crate::migrate::{self, Input, Plan};
use crate::model::Edition;
use crate::output;
use crate::repo::{CONFIG_FILE, FileKind, Repo, SCHEMA_DIR};
use crate::scaffold::templates;

use super::Context;

pub fn run(ctx: &Context, args: &MigrateArgs) -> Result<ExitCode> {
    let repo = Repo::discover(&ctx.dir)?;
    // A clean tree is required below: every change after that is the
    // migration's own, refreshed through the writer.
    let writer = repo.writer(&mut crate::output::waiting_for)?;
    let to = Edition::parse(&args.to).ok_or_else(|| {
        Error::new(format!("unknown edition `{}`", args.to))
            .hint(format!("editions: {}", Edition::names().join(", ")))
    })?;
    // Every file must load: one that does not could not be migrated.
    let snapshot = crate::reading::complete_snapshot(&repo.root)?;
    let config = super::settings(&snapshot)?;
    let from = config.catalog.edition;
    if from == to {
        return Err(Error::new(format!(
            "this repository is already on edition {to} ([catalog] edition in {CONFIG_FILE}); nothing to migrate"
        )));
    }
    let crosswalk = templates::crosswalk(from, to).ok_or_else(|| {
        Error::new(format!(
            "isms cannot migrate from edition {from} to {to}: it has no crosswalk between them"
        ))
    })?;
    if !args.dry_run {
        repo.refuse_mid_operation("isms migrate")?;
        super::refuse_dirty(&repo, "the migration")?;
    }
    let branch = config.defaults.branch.clone();
    // The map of old → new items (written only by a real run) records when
    // each old file was added; a dry run does not read the history for it.
    let record = match args.dry_run {
        false => super::record_if_any(&repo, &branch)?,
        true => Default::default(),
    };
    let added = |path: &str| -> Option<NaiveDate> {
        record
            .files
            .get(path)
            .and_then(|t| chrono::DateTime::from_timestamp(t.added, 0).map(|d| d.date_naive()))
    };
    let records = reassessment_records(&repo.root)?;
    let plan = migrate::plan(&Input {
        snapshot: &snapshot,
        from,
        to,
        crosswalk,
        catalog: templates::catalog(to),
        added: &added,
        records: &records,
    })
    .map_err(|refusals| {
        let lines: Vec<String> = refusals
            .iter()
            .map(|r| format!("{}: {}", r.file, r.message))
            .collect();
        Error::new(format!(
            "{} file(s) cannot be migrated:\n  {}",
            refusals.len(),
            lines.join("\n  ")
        ))
        .hint("nothing was written")
    })?;

    let commit = if args.dry_run {
        None
    } else {
        let codeowners_current = super::FollowCodeowners::of(&snapshot).is_current();
        if let Err(e) = apply(&writer, &plan, from, to, codeowners_current) {
            // The tree was clean: put it back as HEAD has it.
            return Err(super::restore_clean_tree(&repo.root, e));
        }
        Some(git::run(&repo.root, &["rev-parse", "HEAD"])?)
    };
    print(ctx, &plan, commit.as_deref(), args.dry_run);
    Ok(ExitCode::SUCCESS)
}

fn print(ctx: &Context, plan: &Plan, commit: Option<&str>, dry_run: bool) {
    if ctx.format == Format::Json {
        let mut doc = serde_json::to_value(plan).unwrap_or_default();
        if let Some(o) = doc.as_object_mut() {
            o.insert("version".into(), 1.into());
            o.insert("dry_run".into(), dry_run.into());
            o.insert("commit".into(), commit.map(Into::into).unwrap_or_default());
        }
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        return;
    }
    print!("{}", migrate::human(plan));
    match commit {
        Some(c) => output::note(&format!(
            "committed {}: the repository is on edition {}; {} records the old → new items",
            &c[..10.min(c.len())],
            plan.to,
            migrate::map_path_str(&plan.from, &plan.to)
        )),
        None => output::note("dry run: nothing was written"),
    }
}

/// Writes the plan into the work tree at `root` and commits it.
fn apply(
    writer: &crate::repo::Writer,
    plan: &Plan,
    from: Edition,
    to: Edition,
    codeowners: bool,
) -> Result<()> {
    let root = &writer.repo().root;
    for (old, new) in &plan.renames {
        writer.rename(&root.join(old), &root.join(new))?;
    }
    for path in &plan.deletes {
        writer.remove(&root.join(path))?;
    }
    for (path, text) in &plan.writes {
        writer.refresh(&root.join(path), text.as_bytes())?;
    }
    writer.refresh(
        &root.join(migrate::map_path(from, to)),
        migrate::map_text(plan).as_bytes(),
    )?;
    let config_path = root.join(CONFIG_FILE);
    let text = crate::fsutil::read_text(&config_path, crate::repo::MAX_FILE_BYTES)?;
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e| Error::new(format!("{CONFIG_FILE} does not parse")).caused_by(e))?;
    if !doc.contains_table("catalog") {
        doc["catalog"] = toml_edit::table();
    }
    doc["catalog"]["edition"] = toml_edit::value(to.as_str());
    let edited = crate::span::in_the_form_of(&text, doc.to_string());
    writer.refresh(&config_path, edited.as_bytes())?;
    // The schemas isms generates follow the version that migrates.
    for kind in FileKind::ALL {
        let path = root.join(format!("{SCHEMA_DIR}/{}.json", kind.name()));
        let want = crate::scaffold::schema_text(kind);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(want.as_str()) {
            writer.refresh(&path, want.as_bytes())?;
        }
    }
    if codeowners {
        super::rewrite_codeowners(writer)?;
    }
    git::run(root, &["add", "--all"])?;
    // The message lists every decision.
    super::commit_staged(root, &message(plan))
}

fn message(plan: &Plan) -> String {
    let mut m = format!(
        "Migrate the catalog from edition {} to {}\n\n{}",
        plan.from,
        plan.to,
        migrate::human(plan)
    );
    m.push_str(&format!(
        "\nThe old → new item keys are in {}: review history carries across.\n\nIsms-Migration: {} -> {}\n",
        migrate::map_path_str(&plan.from, &plan.to),
        plan.from,
        plan.to
    ));
    m
}

/// The reassessment records, `reassessments/<trigger>/<service>.toml`, as
/// (path, text). Only regular files are read, each at most the size any item
/// file may have.
fn reassessment_records(root: &Path) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let dir = root.join("reassessments");
    let Ok(triggers) = std::fs::read_dir(&dir) else {
        return Ok(out);
    };
    for trigger in triggers.flatten() {
        if !trigger.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let Ok(files) = std::fs::read_dir(trigger.path()) else {
            continue;
        };
        for f in files.flatten() {
            let name = f.file_name().to_string_lossy().into_owned();
            let meta = f.metadata().map_err(|e| Error::io("read", &f.path(), e))?;
            if !name.ends_with(".toml")
                || !meta.is_file()
                || meta.len() > crate::repo::MAX_FILE_BYTES
            {
                continue;
            }
            let text = crate::fsutil::read_text(&f.path(), crate::repo::MAX_FILE_BYTES)?;
            let path = format!(
                "reassessments/{}/{name}",
                trigger.file_name().to_string_lossy()
            );
            out.push((path, text));
        }
    }
    out.sort();
    Ok(out)
}
