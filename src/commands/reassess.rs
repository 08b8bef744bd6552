//! `isms reassess TRIGGER [--service S] --reason TEXT [--open-pr]`.

use std::process::ExitCode;

use crate::cli::ReassessArgs;
use crate::error::{Error, Result};
use crate::github::GitHub;
use crate::github::proposal;
use crate::github::reassessment::{Inputs, reassessment};
use crate::model::Id;
use crate::repo::{self, Repo, Scope, WorkTree};

use super::Context;

pub fn run(ctx: &Context, args: &ReassessArgs) -> Result<ExitCode> {
    let repo = Repo::discover(&ctx.dir)?;
    let snapshot = repo::load(&WorkTree::new(&repo.root)?, &Scope::All)?.snapshot;
    let record = crate::reading::record_branch(&snapshot)?;
    let trigger_id = Id::parse(&args.trigger)
        .map_err(|why| Error::new(format!("`{}` is not a trigger ID: {why}", args.trigger)))?;
    let Some(trigger) = snapshot.triggers.get(&trigger_id).map(|d| &d.value) else {
        let known: Vec<&str> = snapshot.triggers.keys().map(Id::as_str).collect();
        let hint = repo::suggestion(&args.trigger, &known)
            .unwrap_or_else(|| format!("triggers here: {}", known.join(", ")));
        return Err(Error::new(format!("no trigger `{}` in triggers/", args.trigger)).hint(hint));
    };
    if let Some(s) = &args.service {
        super::known_service(&snapshot, s)?;
    }
    // GitHub first: without a token nothing is committed. A dry run asks
    // GitHub nothing.
    let github = if args.open_pr && !args.dry_run {
        Some(GitHub::for_checkout(&repo.root, &snapshot)?)
    } else {
        None
    };
    let summary = super::worktree_summary(ctx, None)?;
    let inputs = Inputs {
        snapshot: &snapshot,
        summary: &summary,
        today: ctx.today,
    };
    let p = reassessment(
        &inputs,
        trigger,
        args.service.as_deref(),
        &args.reason,
        None,
    )?;
    super::warn_uncounted(&repo, &snapshot, &p);
    if args.dry_run {
        super::show_proposals([p]);
        return Ok(ExitCode::SUCCESS);
    }
    let done = match &github {
        Some(gh) => proposal::open_pr(&repo.root, &record, &p, gh)?,
        None => proposal::commit_locally(&repo.root, &record, &p)?,
    };
    super::report_proposal(&p, &done);
    Ok(ExitCode::SUCCESS)
}
