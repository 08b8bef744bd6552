//! `isms review ITEM… [--outcome] [--note] [--dry-run]`: one review commit.

use std::process::ExitCode;

use crate::cli::{OutcomeArg, ReviewArgs};
use crate::error::{Error, Result};
use crate::git;
use crate::model::ItemKey;
use crate::output;
use crate::repo::{self, Repo, Scope, WorkTree};

use super::Context;

pub fn run(ctx: &Context, args: &ReviewArgs) -> Result<ExitCode> {
    let repo = Repo::discover(&ctx.dir)?;
    let snapshot = repo::load(
        &WorkTree::new(&repo.root)?,
        &Scope::Changed(Default::default()),
    )?
    .snapshot;
    let mut keys: Vec<ItemKey> = Vec::new();
    let mut unknown = Vec::new();
    for item in &args.items {
        match ItemKey::resolve(item, &snapshot) {
            Ok(k) if !keys.contains(&k) => keys.push(k),
            Ok(_) => {}
            Err(why) => unknown.push(why),
        }
    }
    if !unknown.is_empty() {
        return Err(Error::new(format!("nothing recorded: {}", unknown.join("; ")))
            .hint("items are control:ID, service:ID, allocation:SERVICE/CONTROL, evidence:ID or finding:ID"));
    }
    let message = message(&keys, args);
    if args.dry_run {
        print!("{message}");
        return Ok(ExitCode::SUCCESS);
    }
    let head =
        git::run(&repo.root, &["rev-parse", "--verify", "--quiet", "HEAD"]).map_err(|_| {
            Error::new(
                "the repository has no commits yet; commit something before recording a review",
            )
        })?;
    // A commit with HEAD's own tree: the index and the working tree are not touched.
    let commit = git::run(
        &repo.root,
        &["commit-tree", "HEAD^{tree}", "-p", "HEAD", "-m", &message],
    )?;
    git::run(
        &repo.root,
        &["update-ref", "-m", "isms review", "HEAD", &commit, &head],
    )?;
    let branch = git::run(&repo.root, &["symbolic-ref", "--quiet", "--short", "HEAD"])
        .unwrap_or_else(|_| "a detached HEAD".into());
    let record = snapshot
        .config
        .as_ref()
        .map(|c| c.value.defaults.branch.clone())
        .unwrap_or_default();
    let mut note = format!(
        "recorded a review of {} on {branch} in {}",
        output::plural(keys.len(), "item"),
        &commit[..commit.len().min(10)]
    );
    if branch != record {
        note.push_str(&format!(
            "\nit counts once it lands on `{record}`, the record branch"
        ));
    }
    println!("{commit}");
    output::note(&note);
    Ok(ExitCode::SUCCESS)
}

fn subject(key: &ItemKey) -> String {
    match key {
        ItemKey::Allocation(svc, ctl) => format!("{ctl} on {svc}"),
        other => other.to_string().replacen(':', " ", 1),
    }
}

/// The commit message: a readable subject, then the trailers DESIGN §2 defines.
fn message(keys: &[ItemKey], args: &ReviewArgs) -> String {
    let mut m = format!("review: {}", subject(&keys[0]));
    if keys.len() > 1 {
        m.push_str(&format!(" and {} more", keys.len() - 1));
    }
    m.push_str("\n\n");
    for k in keys {
        m.push_str(&format!("Reviewed: {k}\n"));
    }
    let outcome = match args.outcome {
        OutcomeArg::Effective => "effective",
        OutcomeArg::NeedsChange => "needs-change",
    };
    m.push_str(&format!("Review-Outcome: {outcome}\n"));
    if let Some(note) = &args.note {
        let one_line = note.split_whitespace().collect::<Vec<_>>().join(" ");
        m.push_str(&format!("Review-Note: {one_line}\n"));
    }
    m
}
