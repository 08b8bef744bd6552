//! `isms check [--staged | --rev REV] [PATH…]`: every rule of DESIGN §4,
//! every finding in one run.

use std::collections::BTreeSet;
use std::process::ExitCode;

use crate::check::check;
use crate::cli::CheckArgs;
use crate::diagnostic::{self, Severity};
use crate::error::Result;
use crate::model::{ARTIFACT_DIR, FileKind, is_within};
use crate::output::{self, CheckSummary, Checked};
use crate::repo::{self, CONFIG_FILE, Index, Repo, Scope, Source, WorkTree};

use super::Context;

pub fn run(ctx: &Context, args: &CheckArgs) -> Result<ExitCode> {
    // A commit is read from git objects alone: a bare repository will do.
    let repo = Repo::discover_reading(&ctx.dir, args.rev.is_some())?;
    let only = (args.paths.iter())
        .map(|p| ctx.repo_path(&repo.root, p))
        .collect::<Result<Vec<_>>>()?;
    // The artifacts' folder as a whole is judged by a full check only: a
    // staged check reads only the records a commit changes.
    let (loaded, checked, unrecorded) = if let Some(rev) = &args.rev {
        // As committed: the working tree and the index play no part.
        let (tree, id) = Index::commit(&repo.git_dir, rev)?;
        let mut loaded = repo::load(&tree, &Scope::All)?;
        repo::hash_artifacts(&tree, &mut loaded.snapshot);
        let unrecorded = unrecorded(&tree, &loaded.snapshot)?;
        (loaded, Checked::Commit(id), unrecorded)
    } else if args.staged {
        let (index, changed) = Index::staged(&repo.root, &repo.git_dir)?;
        let scope = staged_scope(&index, changed)?;
        // Staged files parsed before are taken by object id: the settings,
        // controls and services, which every staged check reads, cost no
        // more than the files a commit changes.
        let mut memo = repo::Memo::staged(&repo.git_dir, &index, &scope);
        let mut loaded = repo::load_reusing(&index, &scope, Some(&mut memo))?;
        memo.save(&loaded.snapshot);
        repo::hash_artifacts(&index, &mut loaded.snapshot);
        (loaded, Checked::Index, Vec::new())
    } else {
        let tree = WorkTree::new(&repo.root)?;
        let mut loaded = repo::load(&tree, &Scope::All)?;
        repo::hash_artifacts(&tree, &mut loaded.snapshot);
        let unrecorded = unrecorded(&tree, &loaded.snapshot)?;
        (loaded, Checked::Worktree, unrecorded)
    };
    let mut diagnostics = loaded.diagnostics;
    diagnostics.extend(check(&loaded.snapshot));
    diagnostics.extend(unrecorded);
    diagnostics.extend(crate::check::dated(&loaded.snapshot, ctx.today));
    // CODEOWNERS follows every item's owner: it is judged only on a full
    // read of a repository without errors, where every owner is known.
    if !args.staged && !diagnostics.iter().any(|d| d.severity == Severity::Error) {
        diagnostics.extend(crate::render::codeowners::check(&loaded.snapshot));
    }
    // The workflows isms wrote follow the release of isms.
    if !args.staged {
        diagnostics.extend(crate::scaffold::workflows::check(&loaded.snapshot));
    }
    // The whole repository is checked; only the findings asked for are shown.
    if !only.is_empty() {
        diagnostics.retain(|d| only.iter().any(|p| crate::model::is_within(&d.file, p)));
    }
    diagnostic::sort(&mut diagnostics);
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let summary = CheckSummary {
        checked,
        files: loaded.parsed,
        errors,
        warnings: diagnostics.len() - errors,
        only,
    };
    if ctx.format == crate::cli::Format::Human && args.warnings == crate::cli::WarningsArg::Summary
    {
        let (errors, warnings): (Vec<_>, Vec<_>) = diagnostics
            .into_iter()
            .partition(|d| d.severity == Severity::Error);
        let lists = format!("isms{} check", super::dir_option(ctx));
        output::check_report(ctx.format, &errors, Some((&warnings, &lists)), summary);
    } else {
        output::check_report(ctx.format, &diagnostics, None, summary);
    }
    Ok(ExitCode::from(u8::from(errors > 0)))
}

/// The files among the artifacts that no record names and that a commit
/// could hold: git is asked whether it ignores only those few.
fn unrecorded(
    source: &dyn Source,
    s: &crate::model::Snapshot,
) -> Result<Vec<diagnostic::Diagnostic>> {
    let found = crate::check::unrecorded_artifacts(s, &source.artifact_files()?);
    let kept = source.unignored(found.iter().map(|d| d.file.clone()).collect());
    Ok(found
        .into_iter()
        .filter(|d| kept.contains(&d.file))
        .collect())
}

/// What a staged check must parse. Allocations and evidence records make up
/// nearly all of a large repository, and the commit being checked changes
/// few of them: only those are parsed, while completeness is decided from
/// every path in the index. Changes that can affect unchanged files widen
/// the scope: `isms.toml` (owners) re-checks everything; a removed control
/// or service, or a changed artifact, re-checks every evidence record.
fn staged_scope(index: &Index, changed: Option<Vec<String>>) -> Result<Scope> {
    let Some(changed) = changed else {
        return Ok(Scope::All);
    };
    if changed.iter().any(|p| p == CONFIG_FILE) {
        return Ok(Scope::All);
    }
    let removed_item = (changed.iter()).any(|p| {
        (is_within(p, FileKind::Control.dir()) || is_within(p, FileKind::Service.dir()))
            && !index.contains(p)
    });
    let artifact_changed = (changed.iter()).any(|p| is_within(p, ARTIFACT_DIR));
    let mut paths: BTreeSet<String> = changed.into_iter().collect();
    if removed_item || artifact_changed {
        let files = index.files()?;
        paths.extend(
            files
                .into_iter()
                .filter(|p| is_within(p, FileKind::Evidence.dir()))
                .map(|p| p.into_owned()),
        );
    }
    Ok(Scope::Changed(paths))
}
