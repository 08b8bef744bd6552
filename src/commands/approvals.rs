//! `isms approvals record [--no-push]`: keep in git what GitHub says about
//! the pull request that landed each review (DESIGN §11).

use std::collections::HashSet;
use std::process::ExitCode;

use serde::Serialize;

use crate::check::approvals::{NOTES_REF, Note, NoteReview};
use crate::cli::{ApprovalsCommand, Format};
use crate::error::{Error, Result};
use crate::github::GitHub;
use crate::history::notes;
use crate::repo::Repo;

use super::Context;

#[derive(Serialize)]
struct RecordJson<'a> {
    version: u32,
    branch: &'a str,
    /// Landing commits that got a note now, with their pull requests.
    recorded: Vec<Recorded<'a>>,
    /// Landing commits that had a note already.
    kept: usize,
    /// Landing commits with reviews that no pull request landed.
    without_pull_request: &'a [&'a str],
    pushed: bool,
}

#[derive(Serialize)]
struct Recorded<'a> {
    commit: &'a str,
    pull_request: u64,
    reviews: usize,
}

pub fn run(ctx: &Context, cmd: &ApprovalsCommand) -> Result<ExitCode> {
    let ApprovalsCommand::Record(args) = cmd;
    let repo = Repo::discover(&ctx.dir)?;
    let settings = repo.outline()?;
    let branch = crate::reading::record_branch(&settings)?;
    // GitHub first: without a token nothing is fetched or written.
    let github = GitHub::for_checkout(&repo.root, &settings)?;
    if !args.no_push {
        fetch(&repo.root, github.timeout())?;
    }
    let record = super::record(&repo.git_dir, &branch)?;
    // Each landing commit with reviews, oldest first, and the pull request
    // its subject names.
    let mut seen = HashSet::new();
    let landings: Vec<(String, Option<u64>)> = record
        .reviews
        .iter()
        .filter(|r| seen.insert(r.landed_by))
        .map(|r| (r.landed_by.to_string(), r.pull_request))
        .collect();
    let commits: Vec<&str> = landings.iter().map(|(c, _)| c.as_str()).collect();
    let existing = notes::read(&repo.git_dir, &commits)?;

    // Everything is asked of GitHub before anything is written.
    let mut new: Vec<(String, Note)> = Vec::new();
    let mut without: Vec<&str> = Vec::new();
    for (commit, named) in &landings {
        let commit = commit.as_str();
        if existing.contains_key(commit) {
            continue;
        }
        let Some(number) = github.landing_pull(commit, *named)? else {
            without.push(commit);
            continue;
        };
        new.push((commit.to_owned(), note(&github, number)?));
    }

    let added = notes::add(&repo.git_dir, &new)?;
    let pushed = !args.no_push && has_notes(&repo.git_dir);
    if pushed {
        push(&repo.root, github.timeout())?;
    }
    let recorded: Vec<Recorded> = new
        .iter()
        .map(|(commit, n)| Recorded {
            commit,
            pull_request: n.pull_request,
            reviews: n.reviews.len(),
        })
        .collect();
    if ctx.format == Format::Json {
        let doc = RecordJson {
            version: 1,
            branch: &branch,
            recorded,
            kept: existing.len(),
            without_pull_request: &without,
            pushed,
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&doc).expect("JSON values serialize")
        );
    } else {
        for commit in &without {
            crate::output::note(&format!(
                "warning: {} landed reviews without a pull request: no approval to record",
                &commit[..10]
            ));
        }
        let prs: Vec<String> = recorded
            .iter()
            .map(|r| format!("#{}", r.pull_request))
            .collect();
        crate::output::note(&format!(
            "recorded the approvals of {}{}; {} had a note already{}",
            crate::output::plural(added, "landing"),
            if prs.is_empty() {
                String::new()
            } else {
                format!(" ({})", prs.join(", "))
            },
            existing.len(),
            if pushed {
                format!("; pushed {NOTES_REF} to origin")
            } else {
                String::new()
            }
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// What GitHub says of pull request `number`: its head and every submitted
/// review, oldest first.
fn note(github: &GitHub, number: u64) -> Result<Note> {
    let pull = github.pull(number)?;
    let mut reviews = Vec::new();
    for r in github.reviews(number)? {
        // A pending review is not submitted: it neither approves nor blocks.
        if r.state == "PENDING" {
            continue;
        }
        let submitted_at = r.submitted_at.ok_or_else(|| {
            Error::new(format!(
                "GitHub's answer listing the reviews of pull request #{number} was not understood: \
                 a {} review has no submitted_at",
                r.state
            ))
            .hint("nothing was written; run the command again")
        })?;
        reviews.push(NoteReview {
            // GitHub's name for an account that was deleted.
            login: r.user.map_or_else(|| "ghost".to_owned(), |u| u.login),
            state: r.state,
            submitted_at,
            commit: r.commit_id,
        });
    }
    Ok(Note {
        pull_request: number,
        head: pull.head.sha,
        reviews,
    })
}

fn has_notes(git_dir: &std::path::Path) -> bool {
    crate::history::notes::tip(git_dir).is_some()
}

/// Brings origin's notes here first, so none is written twice and the push
/// that follows is a fast-forward. Never forced: notes here that origin
/// lacks are kept.
fn fetch(root: &std::path::Path, stall: std::time::Duration) -> Result<()> {
    let hint = "isms fetches and pushes the notes with `origin`; check that it exists and is reachable, or use --no-push";
    let listed = crate::git::remote(root, &["ls-remote", "origin", NOTES_REF], stall)
        .map_err(|e| e.hint(hint))?;
    if listed.trim().is_empty() {
        return Ok(());
    }
    crate::git::remote(
        root,
        &["fetch", "-q", "origin", &format!("{NOTES_REF}:{NOTES_REF}")],
        stall,
    )
    .map_err(|e| {
        e.hint("the notes here and on origin differ: they are never rewritten, so fetch and compare them by hand")
    })?;
    Ok(())
}

/// Pushes the notes to origin; never forced.
fn push(root: &std::path::Path, stall: std::time::Duration) -> Result<()> {
    crate::git::remote(root, &["push", "-q", "origin", NOTES_REF], stall).map_err(|e| {
        e.hint("another run may have pushed notes meanwhile: run `isms approvals record` again")
    })?;
    Ok(())
}
